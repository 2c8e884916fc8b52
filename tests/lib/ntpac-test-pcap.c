/* ntpac-test-pcap.c: capture file writer for test fixtures
 *
 * Classic pcap: https://www.tcpdump.org/manpages/pcap-savefile.5.html
 * pcapng: draft-ietf-opsawg-pcapng (SHB, IDB, EPB, SPB and their options).
 */

#include "ntpac-test-pcap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

/* Output is handed to the file in pieces of this size. */
#define FLUSH_THRESHOLD (1024 * 1024)

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du

#define PCAPNG_BLOCK_SHB 0x0a0d0d0au
#define PCAPNG_BLOCK_IDB 0x00000001u
#define PCAPNG_BLOCK_SPB 0x00000003u
#define PCAPNG_BLOCK_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du

#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_OPT_IF_NAME 2
#define PCAPNG_OPT_IF_TSRESOL 9

#define TSRESOL_BINARY_FLAG 0x80

typedef struct
{
  NtpacTestLinkType link_type;
  guint32 snaplen;
  guint8 tsresol;
} Interface;

struct _NtpacTestPcapWriter
{
  NtpacTestPcapFormat format;
  gboolean big_endian;

  /* Output: bytes not yet handed to @file (all of them in memory mode). */
  GByteArray *buffer;
  FILE *file;
  gchar *path;
  guint64 flushed;
  GError *error;  /* first I/O error, reported by close */

  GArray *interfaces;  /* of Interface */
  guint64 n_records;
  gboolean closed;
};

static void
put_bytes (NtpacTestPcapWriter *self,
           const void          *data,
           gsize                len)
{
  g_byte_array_append (self->buffer, data, len);
}

static void
put_u16 (NtpacTestPcapWriter *self,
         guint16              value)
{
  guint16 v = self->big_endian ? GUINT16_TO_BE (value) : GUINT16_TO_LE (value);

  put_bytes (self, &v, sizeof v);
}

static void
put_u32 (NtpacTestPcapWriter *self,
         guint32              value)
{
  guint32 v = self->big_endian ? GUINT32_TO_BE (value) : GUINT32_TO_LE (value);

  put_bytes (self, &v, sizeof v);
}

/* Zero bytes up to the next multiple of four, as pcapng requires. */
static void
put_padding (NtpacTestPcapWriter *self,
             gsize                len)
{
  static const guint8 zeros[4] = { 0 };

  put_bytes (self, zeros, (4 - len % 4) % 4);
}

static void
put_option (NtpacTestPcapWriter *self,
            guint16              code,
            const void          *value,
            gsize                len)
{
  put_u16 (self, code);
  put_u16 (self, len);
  put_bytes (self, value, len);
  put_padding (self, len);
}

static gsize
option_size (gsize value_len)
{
  return 4 + (value_len + 3) / 4 * 4;
}

static goffset
current_offset (NtpacTestPcapWriter *self)
{
  return self->flushed + self->buffer->len;
}

static void
flush_buffer (NtpacTestPcapWriter *self)
{
  if (self->file == NULL || self->buffer->len == 0)
    return;

  if (self->error == NULL &&
      fwrite (self->buffer->data, 1, self->buffer->len,
              self->file) != self->buffer->len)
    {
      int saved_errno = errno;

      g_set_error (&self->error, G_FILE_ERROR,
                   g_file_error_from_errno (saved_errno),
                   "Cannot write “%s”: %s", self->path,
                   g_strerror (saved_errno));
    }
  self->flushed += self->buffer->len;
  g_byte_array_set_size (self->buffer, 0);
}

static void
maybe_flush (NtpacTestPcapWriter *self)
{
  if (self->buffer->len >= FLUSH_THRESHOLD)
    flush_buffer (self);
}

static void
write_section_header (NtpacTestPcapWriter *self)
{
  const guint32 block_len = 28;

  put_u32 (self, PCAPNG_BLOCK_SHB);
  put_u32 (self, block_len);
  put_u32 (self, PCAPNG_BYTE_ORDER_MAGIC);
  put_u16 (self, 1);  /* major version */
  put_u16 (self, 0);  /* minor version */
  put_u32 (self, G_MAXUINT32);  /* section length unknown: -1 as 64 bits */
  put_u32 (self, G_MAXUINT32);
  put_u32 (self, block_len);
}

static NtpacTestPcapWriter *
writer_new (NtpacTestPcapFormat format,
            NtpacTestByteOrder  byte_order)
{
  NtpacTestPcapWriter *self = g_new0 (NtpacTestPcapWriter, 1);

  self->format = format;
  self->big_endian = byte_order == NTPAC_TEST_BYTE_ORDER_BIG;
  self->buffer = g_byte_array_sized_new (FLUSH_THRESHOLD + 65536);
  self->interfaces = g_array_new (FALSE, TRUE, sizeof (Interface));

  if (format == NTPAC_TEST_PCAP_FORMAT_PCAPNG)
    write_section_header (self);

  return self;
}

/**
 * ntpac_test_pcap_writer_new_file:
 * @path: (type filename): file to create or truncate
 * @format: container to write
 * @byte_order: byte order of the headers
 * @error: return location for a #GError
 *
 * Creates a writer that streams the capture to @path. Nothing is readable
 * before ntpac_test_pcap_writer_close() returns.
 *
 * Returns: (transfer full) (nullable): a new writer, or %NULL with @error set
 * Since: 0.1
 */
NtpacTestPcapWriter *
ntpac_test_pcap_writer_new_file (const gchar          *path,
                                 NtpacTestPcapFormat   format,
                                 NtpacTestByteOrder    byte_order,
                                 GError              **error)
{
  NtpacTestPcapWriter *self;
  FILE *file;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_fopen (path, "wb");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Cannot create “%s”: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  self = writer_new (format, byte_order);
  self->file = file;
  self->path = g_strdup (path);
  return self;
}

/**
 * ntpac_test_pcap_writer_new_memory:
 * @format: container to write
 * @byte_order: byte order of the headers
 *
 * Creates a writer that keeps the capture in memory; get it with
 * ntpac_test_pcap_writer_close_to_bytes().
 *
 * Returns: (transfer full): a new writer
 * Since: 0.1
 */
NtpacTestPcapWriter *
ntpac_test_pcap_writer_new_memory (NtpacTestPcapFormat format,
                                   NtpacTestByteOrder  byte_order)
{
  return writer_new (format, byte_order);
}

/**
 * ntpac_test_pcap_writer_add_interface:
 * @self: a writer
 * @link_type: link-layer header type of the packets
 * @snaplen: snapshot length recorded in the header
 *
 * Declares an interface with the default timestamp resolution of the
 * format (microseconds for pcapng and pcap, nanoseconds for pcap-nsec).
 * Classic pcap has exactly one interface, declared before any packet.
 *
 * Returns: the interface index to pass to the write functions
 * Since: 0.1
 */
guint
ntpac_test_pcap_writer_add_interface (NtpacTestPcapWriter *self,
                                      NtpacTestLinkType    link_type,
                                      guint32              snaplen)
{
  guint8 tsresol = self->format == NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC ?
    NTPAC_TEST_TSRESOL_NSEC : NTPAC_TEST_TSRESOL_USEC;

  return ntpac_test_pcap_writer_add_interface_full (self, link_type, snaplen,
                                                    tsresol, NULL);
}

static void
write_interface_description (NtpacTestPcapWriter *self,
                             const Interface     *iface,
                             const gchar         *name)
{
  /* if_tsresol is written only when it differs from the pcapng default. */
  gboolean has_tsresol = iface->tsresol != NTPAC_TEST_TSRESOL_USEC;
  gsize name_len = name != NULL ? strlen (name) : 0;
  guint32 block_len = 20;

  if (has_tsresol)
    block_len += option_size (1);
  if (name != NULL)
    block_len += option_size (name_len);
  if (has_tsresol || name != NULL)
    block_len += option_size (0);

  put_u32 (self, PCAPNG_BLOCK_IDB);
  put_u32 (self, block_len);
  put_u16 (self, iface->link_type);
  put_u16 (self, 0);  /* reserved */
  put_u32 (self, iface->snaplen);
  if (name != NULL)
    put_option (self, PCAPNG_OPT_IF_NAME, name, name_len);
  if (has_tsresol)
    put_option (self, PCAPNG_OPT_IF_TSRESOL, &iface->tsresol, 1);
  if (has_tsresol || name != NULL)
    put_option (self, PCAPNG_OPT_ENDOFOPT, NULL, 0);
  put_u32 (self, block_len);
}

static void
write_file_header (NtpacTestPcapWriter *self,
                   const Interface     *iface)
{
  put_u32 (self, self->format == NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC ?
                 PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
  put_u16 (self, 2);  /* version 2.4 */
  put_u16 (self, 4);
  put_u32 (self, 0);  /* thiszone */
  put_u32 (self, 0);  /* sigfigs */
  put_u32 (self, iface->snaplen);
  put_u32 (self, iface->link_type);
}

/**
 * ntpac_test_pcap_writer_add_interface_full:
 * @self: a writer
 * @link_type: link-layer header type of the packets
 * @snaplen: snapshot length recorded in the header
 * @tsresol: pcapng `if_tsresol` value: 6 for microseconds, 9 for
 *   nanoseconds, 0x80 | n for 2^-n seconds; for classic pcap it must match
 *   the format
 * @name: (nullable): pcapng `if_name` option
 *
 * Declares an interface. In pcapng the Interface Description Block is
 * written at once, so interfaces may be added between packets.
 *
 * Returns: the interface index to pass to the write functions
 * Since: 0.1
 */
guint
ntpac_test_pcap_writer_add_interface_full (NtpacTestPcapWriter *self,
                                           NtpacTestLinkType    link_type,
                                           guint32              snaplen,
                                           guint8               tsresol,
                                           const gchar         *name)
{
  gboolean binary = (tsresol & TSRESOL_BINARY_FLAG) != 0;
  guint exponent = tsresol & ~TSRESOL_BINARY_FLAG;
  Interface iface = { link_type, snaplen, tsresol };

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (!self->closed, 0);
  /* Larger exponents overflow 64-bit timestamps for present-day dates. */
  g_return_val_if_fail (binary ? exponent <= 30 : exponent <= 9, 0);

  if (self->format == NTPAC_TEST_PCAP_FORMAT_PCAPNG)
    {
      write_interface_description (self, &iface, name);
    }
  else
    {
      guint8 expected = self->format == NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC ?
        NTPAC_TEST_TSRESOL_NSEC : NTPAC_TEST_TSRESOL_USEC;

      g_return_val_if_fail (self->interfaces->len == 0, 0);
      g_return_val_if_fail (tsresol == expected, 0);
      write_file_header (self, &iface);
    }

  g_array_append_val (self->interfaces, iface);
  return self->interfaces->len - 1;
}

/* Converts nanoseconds since the epoch to units of @tsresol. */
static guint64
timestamp_units (gint64 ts_ns,
                 guint8 tsresol)
{
  const guint64 ns_per_s = G_GUINT64_CONSTANT (1000000000);
  guint64 secs = (guint64) ts_ns / ns_per_s;
  guint64 frac_ns = (guint64) ts_ns % ns_per_s;
  guint exponent = tsresol & ~TSRESOL_BINARY_FLAG;
  guint64 per_second = 1;

  if (tsresol & TSRESOL_BINARY_FLAG)
    return (secs << exponent) + (frac_ns << exponent) / ns_per_s;

  for (guint i = 0; i < exponent; i++)
    per_second *= 10;
  return secs * per_second + frac_ns / (ns_per_s / per_second);
}

static const Interface *
lookup_interface (NtpacTestPcapWriter *self,
                  guint                interface_index)
{
  if (interface_index >= self->interfaces->len)
    return NULL;
  return &g_array_index (self->interfaces, Interface, interface_index);
}

static void
write_pcap_record (NtpacTestPcapWriter *self,
                   gint64               ts_ns,
                   const guint8        *data,
                   guint32              captured_length,
                   guint32              original_length)
{
  guint32 frac_divisor = self->format == NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC ? 1 : 1000;

  put_u32 (self, ts_ns / G_GINT64_CONSTANT (1000000000));
  put_u32 (self, ts_ns % G_GINT64_CONSTANT (1000000000) / frac_divisor);
  put_u32 (self, captured_length);
  put_u32 (self, original_length);
  put_bytes (self, data, captured_length);
}

static void
write_enhanced_packet (NtpacTestPcapWriter *self,
                       guint                interface_index,
                       const Interface     *iface,
                       gint64               ts_ns,
                       const guint8        *data,
                       guint32              captured_length,
                       guint32              original_length,
                       const gchar         *comment)
{
  guint64 units = timestamp_units (ts_ns, iface->tsresol);
  gsize comment_len = comment != NULL ? strlen (comment) : 0;
  guint32 block_len = NTPAC_TEST_PCAPNG_EPB_HEADER_SIZE + (captured_length + 3) / 4 * 4 + 4;

  if (comment != NULL)
    block_len += option_size (comment_len) + option_size (0);

  put_u32 (self, PCAPNG_BLOCK_EPB);
  put_u32 (self, block_len);
  put_u32 (self, interface_index);
  put_u32 (self, units >> 32);
  put_u32 (self, units & G_MAXUINT32);
  put_u32 (self, captured_length);
  put_u32 (self, original_length);
  put_bytes (self, data, captured_length);
  put_padding (self, captured_length);
  if (comment != NULL)
    {
      put_option (self, PCAPNG_OPT_COMMENT, comment, comment_len);
      put_option (self, PCAPNG_OPT_ENDOFOPT, NULL, 0);
    }
  put_u32 (self, block_len);
}

/**
 * ntpac_test_pcap_writer_write_with_comment:
 * @self: a writer
 * @interface_index: index returned by ntpac_test_pcap_writer_add_interface()
 * @ts_ns: capture time in nanoseconds since the Unix epoch
 * @data: (array length=captured_length): packet bytes as captured
 * @captured_length: number of bytes in @data
 * @original_length: length of the packet on the wire
 * @comment: (nullable): pcapng `opt_comment`; must be %NULL for classic pcap
 *
 * Writes one packet record (an Enhanced Packet Block in pcapng). The
 * timestamp is truncated to the resolution of the interface.
 *
 * Returns: the file offset of the record (its header, not its data), or
 *   -1 on a programming error
 * Since: 0.1
 */
goffset
ntpac_test_pcap_writer_write_with_comment (NtpacTestPcapWriter *self,
                                           guint                interface_index,
                                           gint64               ts_ns,
                                           const guint8        *data,
                                           guint32              captured_length,
                                           guint32              original_length,
                                           const gchar         *comment)
{
  const Interface *iface;
  goffset offset;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (!self->closed, -1);
  g_return_val_if_fail (ts_ns >= 0, -1);
  g_return_val_if_fail (data != NULL || captured_length == 0, -1);
  iface = lookup_interface (self, interface_index);
  g_return_val_if_fail (iface != NULL, -1);

  offset = current_offset (self);
  if (self->format == NTPAC_TEST_PCAP_FORMAT_PCAPNG)
    {
      write_enhanced_packet (self, interface_index, iface, ts_ns, data,
                             captured_length, original_length, comment);
    }
  else
    {
      g_return_val_if_fail (comment == NULL, -1);
      write_pcap_record (self, ts_ns, data, captured_length, original_length);
    }

  self->n_records++;
  maybe_flush (self);
  return offset;
}

/**
 * ntpac_test_pcap_writer_write:
 * @self: a writer
 * @interface_index: index returned by ntpac_test_pcap_writer_add_interface()
 * @ts_ns: capture time in nanoseconds since the Unix epoch
 * @data: (array length=captured_length): packet bytes as captured
 * @captured_length: number of bytes in @data
 * @original_length: length of the packet on the wire
 *
 * Writes one packet record, as
 * ntpac_test_pcap_writer_write_with_comment() without a comment.
 *
 * Returns: the file offset of the record header, or -1 on a programming error
 * Since: 0.1
 */
goffset
ntpac_test_pcap_writer_write (NtpacTestPcapWriter *self,
                              guint                interface_index,
                              gint64               ts_ns,
                              const guint8        *data,
                              guint32              captured_length,
                              guint32              original_length)
{
  return ntpac_test_pcap_writer_write_with_comment (self, interface_index,
                                                    ts_ns, data,
                                                    captured_length,
                                                    original_length, NULL);
}

/**
 * ntpac_test_pcap_writer_write_simple:
 * @self: a pcapng writer with at least one interface
 * @data: (array length=captured_length): packet bytes as captured
 * @captured_length: number of bytes in @data; readers take it as
 *   MIN (@original_length, snaplen of interface 0)
 * @original_length: length of the packet on the wire
 *
 * Writes a Simple Packet Block: interface 0, no timestamp.
 *
 * Returns: the file offset of the block, or -1 on a programming error
 * Since: 0.1
 */
goffset
ntpac_test_pcap_writer_write_simple (NtpacTestPcapWriter *self,
                                     const guint8        *data,
                                     guint32              captured_length,
                                     guint32              original_length)
{
  guint32 block_len = NTPAC_TEST_PCAPNG_SPB_HEADER_SIZE + (captured_length + 3) / 4 * 4 + 4;
  goffset offset;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (!self->closed, -1);
  g_return_val_if_fail (self->format == NTPAC_TEST_PCAP_FORMAT_PCAPNG, -1);
  g_return_val_if_fail (self->interfaces->len > 0, -1);
  g_return_val_if_fail (data != NULL || captured_length == 0, -1);

  offset = current_offset (self);
  put_u32 (self, PCAPNG_BLOCK_SPB);
  put_u32 (self, block_len);
  put_u32 (self, original_length);
  put_bytes (self, data, captured_length);
  put_padding (self, captured_length);
  put_u32 (self, block_len);

  self->n_records++;
  maybe_flush (self);
  return offset;
}

/**
 * ntpac_test_pcap_writer_get_offset:
 * @self: a writer
 *
 * Returns: the number of bytes written so far, which is the offset of the
 *   next record
 * Since: 0.1
 */
goffset
ntpac_test_pcap_writer_get_offset (NtpacTestPcapWriter *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return current_offset (self);
}

/**
 * ntpac_test_pcap_writer_get_n_records:
 * @self: a writer
 *
 * Returns: the number of packet records written so far
 * Since: 0.1
 */
guint64
ntpac_test_pcap_writer_get_n_records (NtpacTestPcapWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_records;
}

/**
 * ntpac_test_pcap_writer_close:
 * @self: a writer
 * @error: return location for a #GError
 *
 * Flushes and closes the output file; a no-op for memory writers. The
 * writer can only be freed afterwards.
 *
 * Returns: %TRUE if every byte reached the file
 * Since: 0.1
 */
gboolean
ntpac_test_pcap_writer_close (NtpacTestPcapWriter  *self,
                              GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->closed)
    return TRUE;
  self->closed = TRUE;

  if (self->file == NULL)
    return TRUE;

  flush_buffer (self);
  if (fclose (self->file) != 0 && self->error == NULL)
    {
      int saved_errno = errno;

      g_set_error (&self->error, G_FILE_ERROR,
                   g_file_error_from_errno (saved_errno),
                   "Cannot close “%s”: %s", self->path,
                   g_strerror (saved_errno));
    }
  self->file = NULL;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

/**
 * ntpac_test_pcap_writer_close_to_bytes:
 * @self: a memory writer
 *
 * Closes a writer made by ntpac_test_pcap_writer_new_memory() and hands
 * over the capture.
 *
 * Returns: (transfer full): the whole capture file
 * Since: 0.1
 */
GBytes *
ntpac_test_pcap_writer_close_to_bytes (NtpacTestPcapWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->file == NULL && self->path == NULL, NULL);
  g_return_val_if_fail (!self->closed, NULL);

  self->closed = TRUE;
  return g_byte_array_free_to_bytes (g_steal_pointer (&self->buffer));
}

/**
 * ntpac_test_pcap_writer_free:
 * @self: (transfer full) (nullable): a writer
 *
 * Frees the writer, closing its file first if needed (errors are then
 * lost: call ntpac_test_pcap_writer_close() to see them).
 *
 * Since: 0.1
 */
void
ntpac_test_pcap_writer_free (NtpacTestPcapWriter *self)
{
  if (self == NULL)
    return;

  if (self->file != NULL)
    ntpac_test_pcap_writer_close (self, NULL);
  if (self->buffer != NULL)
    g_byte_array_unref (self->buffer);
  g_array_unref (self->interfaces);
  g_clear_error (&self->error);
  g_free (self->path);
  g_free (self);
}
