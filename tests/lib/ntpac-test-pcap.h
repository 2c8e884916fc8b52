/* ntpac-test-pcap.h: capture file writer for test fixtures
 *
 * Writes classic pcap (microsecond or nanosecond, either byte order) and
 * pcapng (any byte order, several interfaces, per-interface timestamp
 * resolution, packet comments, simple packet blocks), to a file or to memory.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NtpacTestPcapFormat:
 * @NTPAC_TEST_PCAP_FORMAT_PCAP: classic pcap, microsecond timestamps (magic a1b2c3d4)
 * @NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC: classic pcap, nanosecond timestamps (magic a1b23c4d)
 * @NTPAC_TEST_PCAP_FORMAT_PCAPNG: pcapng, one section
 *
 * The container written by a #NtpacTestPcapWriter.
 */
typedef enum
{
  NTPAC_TEST_PCAP_FORMAT_PCAP,
  NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC,
  NTPAC_TEST_PCAP_FORMAT_PCAPNG,
} NtpacTestPcapFormat;

/**
 * NtpacTestByteOrder:
 * @NTPAC_TEST_BYTE_ORDER_LITTLE: least significant byte first
 * @NTPAC_TEST_BYTE_ORDER_BIG: most significant byte first
 *
 * Byte order of multi-byte header fields written by the fixtures.
 */
typedef enum
{
  NTPAC_TEST_BYTE_ORDER_LITTLE,
  NTPAC_TEST_BYTE_ORDER_BIG,
} NtpacTestByteOrder;

/**
 * NtpacTestLinkType:
 *
 * Link-layer header types (LINKTYPE_* values of the tcpdump.org registry).
 */
typedef enum
{
  NTPAC_TEST_LINKTYPE_NULL = 0,
  NTPAC_TEST_LINKTYPE_ETHERNET = 1,
  NTPAC_TEST_LINKTYPE_RAW = 101,
  NTPAC_TEST_LINKTYPE_LOOP = 108,
  NTPAC_TEST_LINKTYPE_LINUX_SLL = 113,
  NTPAC_TEST_LINKTYPE_IPV4 = 228,
  NTPAC_TEST_LINKTYPE_IPV6 = 229,
  NTPAC_TEST_LINKTYPE_LINUX_SLL2 = 276,
} NtpacTestLinkType;

/* Snapshot length used when a test does not care. */
#define NTPAC_TEST_DEFAULT_SNAPLEN 262144

/* if_tsresol values: a power of ten, or of two when the top bit is set. */
#define NTPAC_TEST_TSRESOL_USEC 6
#define NTPAC_TEST_TSRESOL_NSEC 9

/* Bytes between the offset returned by a write function and the packet data. */
#define NTPAC_TEST_PCAP_RECORD_HEADER_SIZE 16
#define NTPAC_TEST_PCAPNG_EPB_HEADER_SIZE 28
#define NTPAC_TEST_PCAPNG_SPB_HEADER_SIZE 12

typedef struct _NtpacTestPcapWriter NtpacTestPcapWriter;

NtpacTestPcapWriter *ntpac_test_pcap_writer_new_file   (const gchar          *path,
                                                        NtpacTestPcapFormat   format,
                                                        NtpacTestByteOrder    byte_order,
                                                        GError              **error);
NtpacTestPcapWriter *ntpac_test_pcap_writer_new_memory (NtpacTestPcapFormat   format,
                                                        NtpacTestByteOrder    byte_order);

guint    ntpac_test_pcap_writer_add_interface       (NtpacTestPcapWriter *self,
                                                     NtpacTestLinkType    link_type,
                                                     guint32              snaplen);
guint    ntpac_test_pcap_writer_add_interface_full  (NtpacTestPcapWriter *self,
                                                     NtpacTestLinkType    link_type,
                                                     guint32              snaplen,
                                                     guint8               tsresol,
                                                     const gchar         *name);

goffset  ntpac_test_pcap_writer_write               (NtpacTestPcapWriter *self,
                                                     guint                interface_index,
                                                     gint64               ts_ns,
                                                     const guint8        *data,
                                                     guint32              captured_length,
                                                     guint32              original_length);
goffset  ntpac_test_pcap_writer_write_with_comment  (NtpacTestPcapWriter *self,
                                                     guint                interface_index,
                                                     gint64               ts_ns,
                                                     const guint8        *data,
                                                     guint32              captured_length,
                                                     guint32              original_length,
                                                     const gchar         *comment);
goffset  ntpac_test_pcap_writer_write_simple        (NtpacTestPcapWriter *self,
                                                     const guint8        *data,
                                                     guint32              captured_length,
                                                     guint32              original_length);

goffset  ntpac_test_pcap_writer_get_offset          (NtpacTestPcapWriter *self);
guint64  ntpac_test_pcap_writer_get_n_records       (NtpacTestPcapWriter *self);

gboolean ntpac_test_pcap_writer_close               (NtpacTestPcapWriter  *self,
                                                     GError              **error);
GBytes  *ntpac_test_pcap_writer_close_to_bytes      (NtpacTestPcapWriter *self);
void     ntpac_test_pcap_writer_free                (NtpacTestPcapWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacTestPcapWriter, ntpac_test_pcap_writer_free)

G_END_DECLS
