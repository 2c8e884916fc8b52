/* ntpac-dns-message.h: DNS message parsing, TCP framing and detection
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

typedef struct _NtpacRecordBuilder NtpacRecordBuilder;   /* <ntpac/ntpac-record-builder.h> */

G_BEGIN_DECLS

/* Anomaly ids appended by ntpac_dns_message_parse(); each at most once per
 * message. They are static strings: compare with g_str_equal(). */

/* The message ends inside its header, a question or a record (not reported
 * when the TC bit says the sender cut the message on purpose). */
#define NTPAC_DNS_ANOMALY_TRUNCATED           "dns.truncated"
/* Record data disagrees with its type or its RDLENGTH (an A record of 5
 * bytes, a name running past RDLENGTH, bytes left over). */
#define NTPAC_DNS_ANOMALY_MALFORMED           "dns.malformed"
/* The header counts more entries than the message holds: it ends cleanly
 * between two entries (not reported when the TC bit is set). */
#define NTPAC_DNS_ANOMALY_COUNTS              "dns.counts-exceed-message"
/* A compression pointer leads back into bytes already read for the same
 * name: following it would loop. */
#define NTPAC_DNS_ANOMALY_LABEL_LOOP          "dns.label-loop"
/* A compression pointer points forward or past the end of the message, or
 * at bytes that do not hold a name. */
#define NTPAC_DNS_ANOMALY_BAD_POINTER         "dns.bad-pointer"
/* A name needs more than NTPAC_DNS_MAX_POINTERS compression pointers. */
#define NTPAC_DNS_ANOMALY_TOO_MANY_POINTERS   "dns.too-many-pointers"
/* The names of a message took more than NTPAC_DNS_MAX_NAME_STEPS label
 * and pointer steps: the names after that are skipped, not decoded. */
#define NTPAC_DNS_ANOMALY_DECOMPRESSION_CAP   "dns.decompression-cap"
/* A name is longer than 255 bytes in wire form. */
#define NTPAC_DNS_ANOMALY_NAME_TOO_LONG       "dns.name-too-long"
/* A label length byte of type 01 or 10 (0x40-0xbf): a label longer than 63
 * bytes, or the obsolete extended label types of RFC 6891. */
#define NTPAC_DNS_ANOMALY_BAD_LABEL           "dns.bad-label"
/* An OPT pseudo-record outside the additional section, a second one, one
 * not owned by the root, or EDNS options running past its data. */
#define NTPAC_DNS_ANOMALY_BAD_OPT             "dns.bad-opt"
/* Bytes follow the last entry the header counts (padding, or data hidden
 * after the message). */
#define NTPAC_DNS_ANOMALY_TRAILING_DATA       "dns.trailing-data"

/* Compression pointers followed for one name at most. */
#define NTPAC_DNS_MAX_POINTERS  64
/* Label and pointer steps the names of a message of @len bytes may take
 * together: what honest compression needs (at most about one step a
 * byte), with room to spare. */
#define NTPAC_DNS_MAX_NAME_STEPS(len) (4096 + (gsize) (len))
/* Longest name in wire form, length bytes and root included (RFC 1035). */
#define NTPAC_DNS_MAX_NAME_LEN  255
/* Longest label (RFC 1035). */
#define NTPAC_DNS_MAX_LABEL_LEN 63
/* Size of the fixed header. */
#define NTPAC_DNS_HEADER_LEN    12

/**
 * NtpacDnsTcpStatus:
 * @NTPAC_DNS_TCP_OK: a whole message is at the start of the bytes
 * @NTPAC_DNS_TCP_INCOMPLETE: more bytes are needed
 * @NTPAC_DNS_TCP_MALFORMED: the length prefix is zero: the stream is not
 *   (or no longer) DNS
 *
 * What ntpac_dns_tcp_next() found.
 */
typedef enum
{
  NTPAC_DNS_TCP_OK,
  NTPAC_DNS_TCP_INCOMPLETE,
  NTPAC_DNS_TCP_MALFORMED,
} NtpacDnsTcpStatus;

/**
 * NtpacDnsFlavour:
 * @NTPAC_DNS_FLAVOUR_DNS: DNS (RFC 1035)
 * @NTPAC_DNS_FLAVOUR_NBNS: NetBIOS name service (RFC 1002), port 137
 * @NTPAC_DNS_FLAVOUR_MDNS: multicast DNS (RFC 6762), port 5353
 * @NTPAC_DNS_FLAVOUR_LLMNR: link-local multicast name resolution
 *   (RFC 4795), port 5355
 *
 * The protocols that share the DNS message format.
 */
typedef enum
{
  NTPAC_DNS_FLAVOUR_DNS,
  NTPAC_DNS_FLAVOUR_NBNS,
  NTPAC_DNS_FLAVOUR_MDNS,
  NTPAC_DNS_FLAVOUR_LLMNR,
} NtpacDnsFlavour;

const gchar       *ntpac_dns_flavour_to_string (NtpacDnsFlavour flavour);

gboolean           ntpac_dns_message_write_flavour (NtpacRecordBuilder  *record,
                                                    const guint8        *data,
                                                    gsize                len,
                                                    NtpacDnsFlavour      flavour,
                                                    GPtrArray           *anomalies,
                                                    gchar              **qname);
gboolean           ntpac_dns_message_write (NtpacRecordBuilder  *record,
                                            const guint8        *data,
                                            gsize                len,
                                            GPtrArray           *anomalies,
                                            gchar              **qname);
GVariant          *ntpac_dns_message_parse (const guint8 *data,
                                            gsize         len,
                                            GPtrArray    *anomalies);
guint              ntpac_dns_message_count_name_steps (const guint8 *data,
                                                       gsize         len);

NtpacDnsTcpStatus  ntpac_dns_tcp_next      (const guint8 *data,
                                            gsize         len,
                                            gsize        *msg_offset,
                                            gsize        *msg_len,
                                            gsize        *needed);

gboolean           ntpac_dns_probe         (const guint8 *data,
                                            gsize         len,
                                            gboolean      tcp);

G_END_DECLS
