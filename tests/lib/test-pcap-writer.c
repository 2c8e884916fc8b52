/* test-pcap-writer.c: tests of the fixture writers (capture files, frames,
 * TCP conversations) against the formats' specifications, and, when tshark
 * is installed, against tshark's decoders. */

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ntpac-test-flow.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

/* 2024-03-01T00:00:00.123456789Z */
#define TEST_TS_NS G_GINT64_CONSTANT (1709251200123456789)

static guint16
be16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static guint32
u32_in_order (const guint8 *p,
              gboolean      big_endian)
{
  return big_endian ? be32 (p) : le32 (p);
}

/* Checks a TCP, UDP or ICMPv6 checksum with its pseudo-header. */
static gboolean
transport_checksum_ok (const guint8 *source,
                       const guint8 *destination,
                       gsize         address_len,
                       guint8        protocol,
                       const guint8 *segment,
                       gsize         segment_len)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 tail[4] = { 0, 0, 0, protocol };
  guint8 length[4] = { segment_len >> 24, segment_len >> 16, segment_len >> 8, segment_len };

  g_byte_array_append (buf, source, address_len);
  g_byte_array_append (buf, destination, address_len);
  g_byte_array_append (buf, length, 4);
  g_byte_array_append (buf, tail, 4);
  g_byte_array_append (buf, segment, segment_len);
  return ntpac_test_inet_checksum (buf->data, buf->len) == 0;
}

static void
assert_ipv4_checksums (const guint8 *ip,
                       gsize         len)
{
  gsize header_len = (ip[0] & 0x0f) * 4;

  g_assert_cmpuint (len, >=, header_len);
  g_assert_cmpuint (ntpac_test_inet_checksum (ip, header_len), ==, 0);
  g_assert_cmpuint (be16 (ip + 2), ==, len);
  if (ip[9] == NTPAC_TEST_IPPROTO_TCP || ip[9] == NTPAC_TEST_IPPROTO_UDP)
    g_assert_true (transport_checksum_ok (ip + 12, ip + 16, 4, ip[9],
                                          ip + header_len,
                                          len - header_len));
}

/* Classic pcap */

static void
test_pcap_classic (gconstpointer data)
{
  gboolean nsec = GPOINTER_TO_INT (data) & 1;
  gboolean big = GPOINTER_TO_INT (data) & 2;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_memory (nsec ? NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC : NTPAC_TEST_PCAP_FORMAT_PCAP,
                                       big ? NTPAC_TEST_BYTE_ORDER_BIG : NTPAC_TEST_BYTE_ORDER_LITTLE);
  guint8 frame[60];
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *d;
  gsize len;
  guint iface;
  goffset first, second;

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = i;

  iface = ntpac_test_pcap_writer_add_interface (writer,
                                                NTPAC_TEST_LINKTYPE_ETHERNET,
                                                65535);
  g_assert_cmpuint (iface, ==, 0);
  first =
    ntpac_test_pcap_writer_write (writer, iface, TEST_TS_NS, frame, 60, 60);
  second = ntpac_test_pcap_writer_write (writer, iface, TEST_TS_NS + 1000,
                                         frame, 40, 60);
  g_assert_cmpint (first, ==, 24);
  g_assert_cmpint (second, ==, 24 + NTPAC_TEST_PCAP_RECORD_HEADER_SIZE + 60);
  g_assert_cmpuint (ntpac_test_pcap_writer_get_n_records (writer), ==, 2);

  bytes = ntpac_test_pcap_writer_close_to_bytes (writer);
  d = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, ==, second + NTPAC_TEST_PCAP_RECORD_HEADER_SIZE + 40);

  g_assert_cmphex (be32 (d), ==,
                   big ? (nsec ? 0xa1b23c4d : 0xa1b2c3d4) : (nsec ? 0x4d3cb2a1 : 0xd4c3b2a1));
  g_assert_cmpuint (u32_in_order (d + 4, big), ==,
                    big ? 0x00020004 : 0x00040002);
  g_assert_cmpuint (u32_in_order (d + 16, big), ==, 65535);
  g_assert_cmpuint (u32_in_order (d + 20, big), ==,
                    NTPAC_TEST_LINKTYPE_ETHERNET);

  g_assert_cmpuint (u32_in_order (d + first, big), ==, 1709251200);
  g_assert_cmpuint (u32_in_order (d + first + 4, big), ==,
                    nsec ? 123456789 : 123456);
  g_assert_cmpuint (u32_in_order (d + first + 8, big), ==, 60);
  g_assert_cmpuint (u32_in_order (d + first + 12, big), ==, 60);
  g_assert_cmpmem (d + first + 16, 60, frame, 60);
  g_assert_cmpuint (u32_in_order (d + second + 4, big), ==,
                    nsec ? 123457789 : 123457);
  g_assert_cmpuint (u32_in_order (d + second + 8, big), ==, 40);
  g_assert_cmpuint (u32_in_order (d + second + 12, big), ==, 60);
  g_assert_cmpmem (d + second + 16, 40, frame, 40);
}

/* pcapng */

typedef struct
{
  gsize offset;
  guint32 type;
  guint32 length;
} Block;

/* Splits a pcapng section into blocks, checking both length fields. */
static GArray *
parse_blocks (const guint8 *d,
              gsize         len,
              gboolean      big)
{
  GArray *blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  gsize offset = 0;

  while (offset < len)
    {
      Block block;

      block.offset = offset;
      block.type = u32_in_order (d + offset, big);
      block.length = u32_in_order (d + offset + 4, big);

      g_assert_cmpuint (block.length % 4, ==, 0);
      g_assert_cmpuint (offset + block.length, <=, len);
      g_assert_cmpuint (u32_in_order (d + offset + block.length - 4, big), ==,
                        block.length);
      g_array_append_val (blocks, block);
      offset += block.length;
    }
  return blocks;
}

/* Finds option @code in the options area [start, end); returns its value. */
static const guint8 *
find_option (const guint8 *d,
             gsize         start,
             gsize         end,
             guint16       code,
             gboolean      big,
             guint16      *out_len)
{
  gsize pos = start;

  while (pos + 4 <= end)
    {
      guint32 header = u32_in_order (d + pos, big);
      guint16 opt_code = big ? header >> 16 : header & 0xffff;
      guint16 opt_len = big ? header & 0xffff : header >> 16;

      if (opt_code == 0)
        break;
      if (opt_code == code)
        {
          *out_len = opt_len;
          return d + pos + 4;
        }
      pos += 4 + (opt_len + 3) / 4 * 4;
    }
  return NULL;
}

/* The 64-bit timestamp of an Enhanced Packet Block, in interface units. */
static guint64
epb_timestamp (const guint8 *block,
               gboolean      big)
{
  return ((guint64) u32_in_order (block + 12, big) << 32) |
         u32_in_order (block + 16, big);
}

static void
test_pcapng_interfaces (gconstpointer data)
{
  gboolean big = GPOINTER_TO_INT (data);
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_memory (NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                       big ? NTPAC_TEST_BYTE_ORDER_BIG : NTPAC_TEST_BYTE_ORDER_LITTLE);
  const guint8 frame[13] = "hello, world";
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) blocks = NULL;
  const Block *idb;
  const guint8 *d, *option;
  guint16 option_len = 0;
  gsize len;
  guint eth, raw, binary;
  goffset off_eth, off_raw, off_binary;
  guint64 units;

  eth = ntpac_test_pcap_writer_add_interface_full (writer,
                                                   NTPAC_TEST_LINKTYPE_ETHERNET,
                                                   NTPAC_TEST_DEFAULT_SNAPLEN,
                                                   NTPAC_TEST_TSRESOL_NSEC,
                                                   "eth0");
  raw = ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_RAW,
                                              65535);
  off_eth = ntpac_test_pcap_writer_write_with_comment (writer, eth, TEST_TS_NS,
                                                       frame,
                                                       sizeof frame, 100,
                                                       "first frame");
  off_raw = ntpac_test_pcap_writer_write (writer, raw, TEST_TS_NS, frame,
                                          sizeof frame, sizeof frame);
  /* An interface may be declared between packets. */
  binary = ntpac_test_pcap_writer_add_interface_full (writer,
                                                      NTPAC_TEST_LINKTYPE_RAW,
                                                      65535,
                                                      0x80 | 20, NULL);
  off_binary =
    ntpac_test_pcap_writer_write (writer, binary, TEST_TS_NS, frame, 4, 4);
  g_assert_cmpuint (eth, ==, 0);
  g_assert_cmpuint (raw, ==, 1);
  g_assert_cmpuint (binary, ==, 2);

  bytes = ntpac_test_pcap_writer_close_to_bytes (writer);
  d = g_bytes_get_data (bytes, &len);
  blocks = parse_blocks (d, len, big);
  g_assert_cmpuint (blocks->len, ==, 7);

  /* Section header: byte-order magic, version 1.0, unknown length. */
  g_assert_cmphex (be32 (d), ==, 0x0a0d0d0a);
  g_assert_cmphex (be32 (d + 8), ==, big ? 0x1a2b3c4d : 0x4d3c2b1a);
  g_assert_cmphex (u32_in_order (d + 12, big), ==,
                   big ? 0x00010000 : 0x00000001);

  /* First IDB: Ethernet with if_name and if_tsresol = 9. */
  idb = &g_array_index (blocks, Block, 1);
  g_assert_cmphex (idb->type, ==, 1);
  option = find_option (d, idb->offset + 16, idb->offset + idb->length - 4,
                        9, big, &option_len);
  g_assert_nonnull (option);
  g_assert_cmpuint (option_len, ==, 1);
  g_assert_cmpuint (option[0], ==, 9);
  option = find_option (d, idb->offset + 16, idb->offset + idb->length - 4,
                        2, big, &option_len);
  g_assert_nonnull (option);
  g_assert_cmpmem (option, option_len, "eth0", 4);
  /* Second IDB: raw IP, default resolution, no options at all. */
  g_assert_cmpuint (g_array_index (blocks, Block, 2).length, ==, 20);

  /* EPB on the nanosecond interface, with its comment. */
  g_assert_cmpint (g_array_index (blocks, Block, 3).offset, ==, off_eth);
  g_assert_cmphex (g_array_index (blocks, Block, 3).type, ==, 6);
  g_assert_cmpuint (u32_in_order (d + off_eth + 8, big), ==, eth);
  units = epb_timestamp (d + off_eth, big);
  g_assert_cmpuint (units, ==, (guint64) TEST_TS_NS);
  g_assert_cmpuint (u32_in_order (d + off_eth + 20, big), ==, sizeof frame);
  g_assert_cmpuint (u32_in_order (d + off_eth + 24, big), ==, 100);
  g_assert_cmpmem (d + off_eth + NTPAC_TEST_PCAPNG_EPB_HEADER_SIZE,
                   sizeof frame, frame, sizeof frame);
  option = find_option (d, off_eth + NTPAC_TEST_PCAPNG_EPB_HEADER_SIZE + 16,
                        off_eth + g_array_index (blocks, Block, 3).length - 4,
                        1, big, &option_len);
  g_assert_nonnull (option);
  g_assert_cmpmem (option, option_len, "first frame", 11);

  /* EPB on the microsecond interface. */
  g_assert_cmpint (g_array_index (blocks, Block, 4).offset, ==, off_raw);
  units = epb_timestamp (d + off_raw, big);
  g_assert_cmpuint (units, ==, (guint64) TEST_TS_NS / 1000);
  g_assert_cmpuint (g_array_index (blocks, Block, 4).length, ==, 28 + 16 + 4);

  /* EPB on the 2^-20 s interface. */
  g_assert_cmpint (g_array_index (blocks, Block, 6).offset, ==, off_binary);
  units = epb_timestamp (d + off_binary, big);
  g_assert_cmpuint (units, ==, (G_GUINT64_CONSTANT (1709251200) << 20) +
                               (G_GUINT64_CONSTANT (123456789) << 20) / 1000000000);
}

static void
test_pcapng_simple_packet (void)
{
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_memory (NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                       NTPAC_TEST_BYTE_ORDER_LITTLE);
  const guint8 frame[5] = { 1, 2, 3, 4, 5 };
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *d;
  gsize len;
  goffset offset;

  ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_RAW, 65535);
  offset = ntpac_test_pcap_writer_write_simple (writer, frame, sizeof frame,
                                                sizeof frame);
  bytes = ntpac_test_pcap_writer_close_to_bytes (writer);
  d = g_bytes_get_data (bytes, &len);

  g_assert_cmpint (offset, ==, 28 + 20);
  g_assert_cmpuint (len, ==, offset + 12 + 8 + 4);
  g_assert_cmphex (le32 (d + offset), ==, 3);
  g_assert_cmpuint (le32 (d + offset + 4), ==, 24);
  g_assert_cmpuint (le32 (d + offset + 8), ==, sizeof frame);
  g_assert_cmpmem (d + offset + NTPAC_TEST_PCAPNG_SPB_HEADER_SIZE, 5, frame, 5);
}

static void
write_sample_capture (NtpacTestPcapWriter *writer)
{
  guint8 frame[100] = { 0 };
  guint iface = ntpac_test_pcap_writer_add_interface (writer,
                                                      NTPAC_TEST_LINKTYPE_ETHERNET, 65535);

  for (guint i = 0; i < 3000; i++)
    {
      frame[0] = i;
      ntpac_test_pcap_writer_write (writer, iface, TEST_TS_NS + i * 1000, frame,
                                    sizeof frame, sizeof frame);
    }
}

static void
test_pcap_file_matches_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-test-XXXXXX", &error);
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(NtpacTestPcapWriter) file_writer = NULL;
  g_autoptr(NtpacTestPcapWriter) memory_writer = NULL;
  g_autoptr(GBytes) expected = NULL;
  gsize len;

  g_test_summary ("The file writer flushes in pieces; the file must equal the in-memory capture.");
  g_assert_no_error (error);
  path = g_build_filename (dir, "sample.pcapng", NULL);

  file_writer = ntpac_test_pcap_writer_new_file (path,
                                                 NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                                 NTPAC_TEST_BYTE_ORDER_BIG,
                                                 &error);
  g_assert_no_error (error);
  memory_writer = ntpac_test_pcap_writer_new_memory (NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                                     NTPAC_TEST_BYTE_ORDER_BIG);
  write_sample_capture (file_writer);
  write_sample_capture (memory_writer);
  g_assert_cmpint (ntpac_test_pcap_writer_get_offset (file_writer), ==,
                   ntpac_test_pcap_writer_get_offset (memory_writer));
  g_assert_true (ntpac_test_pcap_writer_close (file_writer, &error));
  g_assert_no_error (error);
  expected = ntpac_test_pcap_writer_close_to_bytes (memory_writer);

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_pcap_file_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file ("/nonexistent-dir/x.pcap",
                                     NTPAC_TEST_PCAP_FORMAT_PCAP,
                                     NTPAC_TEST_BYTE_ORDER_LITTLE, &error);

  g_assert_null (writer);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* Frames */

static void
test_packet_tcp_ipv4 (void)
{
  g_autoptr(NtpacTestPacket) p =
    ntpac_test_packet_new_with_payload ("hello", 5);
  NtpacTestTcpOptions options = { { 0 }, 0 };
  const guint32 sack[4] = { 1000, 2000, 3000, 4000 };
  const guint8 *d;
  gsize len;

  ntpac_test_tcp_options_add_mss (&options, 1460);
  ntpac_test_tcp_options_add_sack_permitted (&options);
  ntpac_test_tcp_options_add_timestamps (&options, 1, 2);
  ntpac_test_tcp_options_add_nop (&options);
  ntpac_test_tcp_options_add_window_scale (&options, 7);
  /* 38 bytes with the 2 SACK blocks: padded to 40 */
  ntpac_test_tcp_options_add_sack (&options, sack, 2);
  g_assert_cmpuint (options.len, ==, 38);

  ntpac_test_packet_tcp (p, 40000, 80, 0xfffffff0, 7,
                         NTPAC_TEST_TCP_PSH | NTPAC_TEST_TCP_ACK, &options);
  g_assert_cmpuint (ntpac_test_packet_get_ip_protocol (p), ==,
                    NTPAC_TEST_IPPROTO_TCP);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "192.0.2.1");
  g_assert_cmphex (ntpac_test_packet_get_ethertype (p), ==,
                   NTPAC_TEST_ETHERTYPE_IPV4);
  ntpac_test_packet_ethernet (p, NULL, NULL);

  d = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (len, ==, 14 + 20 + 60 + 5);
  g_assert_cmphex (be16 (d + 12), ==, 0x0800);
  g_assert_cmpuint (d[14 + 9], ==, 6);
  g_assert_cmpuint (d[14 + 8], ==, 64);
  assert_ipv4_checksums (d + 14, len - 14);
  g_assert_cmpuint (d[34 + 12] >> 4, ==, 15);
  g_assert_cmphex (be32 (d + 34 + 4), ==, 0xfffffff0);
  g_assert_cmphex (d[34 + 13], ==, 0x18);
  g_assert_cmpmem (d + 34 + 20, 4, "\x02\x04\x05\xb4", 4);
  g_assert_cmpmem (d + 34 + 58, 2, "\0\0", 2);  /* EOL padding */
  g_assert_cmpmem (d + len - 5, 5, "hello", 5);
}

static void
test_packet_malformed_overrides (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload ("data", 4);
  NtpacTestTcpOptions options = { { 0 }, 0 };
  const guint8 garbage[3] = { 0xfe, 0x01, 0xff };
  NtpacTestTcpHeader tcp;
  NtpacTestIpv4Header ip;
  const guint8 *d;
  gsize len;

  ntpac_test_tcp_options_add_raw (&options, garbage, sizeof garbage);
  ntpac_test_tcp_header_init (&tcp, 1, 2, 3, 4, NTPAC_TEST_TCP_ACK);
  tcp.options = &options;
  tcp.data_offset = 15;
  tcp.checksum = NTPAC_TEST_CHECKSUM_BAD;
  tcp.window = 0;
  ntpac_test_packet_tcp_full (p, &tcp);
  ntpac_test_ipv4_header_init (&ip, "10.0.0.1", "10.0.0.2");
  ip.total_length = 1000;
  ip.header_length = 4;
  ntpac_test_packet_ipv4_full (p, &ip);

  d = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (len, ==, 20 + 24 + 4);
  g_assert_cmphex (d[0], ==, 0x44);
  g_assert_cmpuint (be16 (d + 2), ==, 1000);
  g_assert_cmpuint (d[20 + 12] >> 4, ==, 15);
  g_assert_cmpmem (d + 40, 4, "\xfe\x01\xff\x00", 4);
  g_assert_cmpuint (be16 (d + 20 + 14), ==, 0);
  g_assert_false (transport_checksum_ok (d + 12, d + 16, 4, 6, d + 20,
                                         len - 20));
}

static void
test_packet_ipv6_extension_headers (void)
{
  g_autoptr(NtpacTestPacket) p =
    ntpac_test_packet_new_with_payload ("query", 5);
  const gchar *const route[] = { "2001:db8::99", "2001:db8::2", NULL };
  const guint8 router_alert[4] = { 0x05, 0x02, 0x00, 0x00 };
  guint8 final_destination[16];
  NtpacTestIpv6Header ip;
  const guint8 *d;
  gsize len;

  ntpac_test_packet_udp (p, 5353, 53);
  ntpac_test_packet_ipv6_destination_options (p, NULL, 0);
  ntpac_test_packet_ipv6_routing (p, 0, 1, route);
  ntpac_test_packet_ipv6_hop_by_hop (p, router_alert, sizeof router_alert);
  ntpac_test_ipv6_header_init (&ip, "2001:db8::1", "2001:db8::99");
  ip.flow_label = 0xabcde;
  ip.hop_limit = 255;
  ntpac_test_packet_ipv6_full (p, &ip);

  d = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (len, ==, 40 + 8 + 40 + 8 + 8 + 5);
  g_assert_cmphex (be32 (d), ==, 0x600abcde);
  g_assert_cmpuint (be16 (d + 4), ==, len - 40);
  g_assert_cmpuint (d[6], ==, NTPAC_TEST_IPPROTO_HOPOPTS);
  g_assert_cmpuint (d[7], ==, 255);
  /* hop-by-hop: router alert then PadN of 0 bytes of data */
  g_assert_cmpuint (d[40], ==, NTPAC_TEST_IPPROTO_ROUTING);
  g_assert_cmpmem (d + 42, 6, "\x05\x02\x00\x00\x01\x00", 6);
  g_assert_cmpuint (d[48], ==, NTPAC_TEST_IPPROTO_DSTOPTS);
  g_assert_cmpuint (d[49], ==, 4);
  g_assert_cmpuint (d[51], ==, 1);
  g_assert_cmpuint (d[88], ==, NTPAC_TEST_IPPROTO_UDP);
  g_assert_cmpmem (d + 90, 6, "\x01\x04\x00\x00\x00\x00", 6);
  /* Segments left 1: the checksum uses the last address of the route. */
  ntpac_test_parse_ipv6 ("2001:db8::2", final_destination);
  g_assert_true (transport_checksum_ok (d + 8, final_destination, 16,
                                        NTPAC_TEST_IPPROTO_UDP,
                                        d + 96, len - 96));
}

static void
test_packet_icmp (void)
{
  g_autoptr(NtpacTestPacket) v4 =
    ntpac_test_packet_new_with_payload ("ping", 4);
  g_autoptr(NtpacTestPacket) v6 =
    ntpac_test_packet_new_with_payload ("ping", 4);
  const guint8 *d;
  gsize len;

  ntpac_test_packet_icmpv4_echo (v4, FALSE, 0x1234, 1);
  ntpac_test_packet_ipv4 (v4, "10.0.0.1", "10.0.0.2");
  d = ntpac_test_packet_get_data (v4, &len);
  g_assert_cmpuint (d[9], ==, NTPAC_TEST_IPPROTO_ICMP);
  g_assert_cmpuint (d[20], ==, 8);
  g_assert_cmphex (be32 (d + 24), ==, 0x12340001);
  g_assert_cmpuint (ntpac_test_inet_checksum (d + 20, len - 20), ==, 0);

  ntpac_test_packet_icmpv6_echo (v6, TRUE, 7, 9);
  ntpac_test_packet_ipv6 (v6, "2001:db8::1", "2001:db8::2");
  d = ntpac_test_packet_get_data (v6, &len);
  g_assert_cmpuint (d[6], ==, NTPAC_TEST_IPPROTO_ICMPV6);
  g_assert_cmpuint (d[40], ==, 129);
  g_assert_true (transport_checksum_ok (d + 8, d + 24, 16,
                                        NTPAC_TEST_IPPROTO_ICMPV6, d + 40,
                                        len - 40));
}

static void
test_packet_fragment_ipv4 (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) fragments = NULL;
  g_autoptr(GByteArray) reassembled = g_byte_array_new ();
  /* record route (not copied), router alert (copied) */
  const guint8 options[11] = { 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x94, 0x04, 0, 0 };
  guint8 payload[3000];
  NtpacTestIpv4Header ip;
  const guint8 *datagram;
  gsize datagram_len;

  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = i * 7;
  ntpac_test_packet_append (p, payload, sizeof payload);
  ntpac_test_packet_udp (p, 1000, 2000);
  ntpac_test_ipv4_header_init (&ip, "10.0.0.1", "10.0.0.2");
  ip.identification = 0x4242;
  ip.options = options;
  ip.options_len = sizeof options;
  ntpac_test_packet_ipv4_full (p, &ip);
  datagram = ntpac_test_packet_get_data (p, &datagram_len);

  fragments = ntpac_test_packet_fragment (p, 1000, 0);
  g_assert_cmpuint (fragments->len, ==, 4);
  for (guint i = 0; i < fragments->len; i++)
    {
      gsize len;
      const guint8 *d = ntpac_test_packet_get_data (fragments->pdata[i], &len);
      gsize header_len = (d[0] & 0x0f) * 4;

      g_assert_cmpuint (header_len, ==, i == 0 ? 32 : 24);
      g_assert_cmpuint (ntpac_test_inet_checksum (d, header_len), ==, 0);
      g_assert_cmpuint (be16 (d + 2), ==, len);
      g_assert_cmphex (be16 (d + 4), ==, 0x4242);
      g_assert_cmphex (be16 (d + 6), ==, (i < 3 ? 0x2000 : 0) | (i * 1000 / 8));
      if (i > 0)
        g_assert_cmpmem (d + 20, 4, "\x94\x04\x00\x00", 4);
      g_assert_cmphex (ntpac_test_packet_get_ethertype (fragments->pdata[i]),
                       ==, 0x0800);
      g_byte_array_append (reassembled, d + header_len, len - header_len);
    }
  g_assert_cmpmem (reassembled->data, reassembled->len, datagram + 32,
                   datagram_len - 32);
}

static void
test_packet_fragment_ipv6 (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) fragments = NULL;
  g_autoptr(GByteArray) reassembled = g_byte_array_new ();
  guint8 payload[3000];
  const guint8 *datagram;
  gsize datagram_len;

  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = i * 13;
  ntpac_test_packet_append (p, payload, sizeof payload);
  ntpac_test_packet_udp (p, 1000, 2000);
  ntpac_test_packet_ipv6_hop_by_hop (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
  datagram = ntpac_test_packet_get_data (p, &datagram_len);

  fragments = ntpac_test_packet_fragment (p, 1232, 0xdeadbeef);
  g_assert_cmpuint (fragments->len, ==, 3);
  for (guint i = 0; i < fragments->len; i++)
    {
      gsize len;
      const guint8 *d = ntpac_test_packet_get_data (fragments->pdata[i], &len);

      g_assert_cmpuint (be16 (d + 4), ==, len - 40);
      g_assert_cmpuint (d[6], ==, NTPAC_TEST_IPPROTO_HOPOPTS);
      g_assert_cmpuint (d[40], ==, NTPAC_TEST_IPPROTO_FRAGMENT);
      g_assert_cmpuint (d[48], ==, NTPAC_TEST_IPPROTO_UDP);
      g_assert_cmphex (be16 (d + 50), ==, (i * 1232) | (i < 2 ? 1 : 0));
      g_assert_cmphex (be32 (d + 52), ==, 0xdeadbeef);
      g_byte_array_append (reassembled, d + 56, len - 56);
    }
  g_assert_cmpmem (reassembled->data, reassembled->len, datagram + 48,
                   datagram_len - 48);
}

static void
test_packet_vlan_mpls_pppoe (void)
{
  g_autoptr(NtpacTestPacket) qinq = ntpac_test_packet_new_with_payload ("x", 1);
  g_autoptr(NtpacTestPacket) mpls = ntpac_test_packet_new_with_payload ("x", 1);
  g_autoptr(NtpacTestPacket) pppoe =
    ntpac_test_packet_new_with_payload ("x", 1);
  const guint8 *d;
  gsize len;

  ntpac_test_packet_udp (qinq, 1, 2);
  ntpac_test_packet_ipv4 (qinq, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_vlan (qinq, NTPAC_TEST_TPID_8021Q, 5, 100);
  ntpac_test_packet_vlan (qinq, NTPAC_TEST_TPID_8021AD, 0, 10);
  ntpac_test_packet_ethernet (qinq, NULL, NULL);
  d = ntpac_test_packet_get_data (qinq, &len);
  g_assert_cmpmem (d + 12, 10, "\x88\xa8\x00\x0a\x81\x00\xa0\x64\x08\x00", 10);

  ntpac_test_packet_udp (mpls, 1, 2);
  ntpac_test_packet_ipv4 (mpls, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_mpls (mpls, 16, 0, TRUE, 64);
  ntpac_test_packet_mpls (mpls, 1000, 5, FALSE, 255);
  ntpac_test_packet_ethernet (mpls, NULL, NULL);
  d = ntpac_test_packet_get_data (mpls, &len);
  g_assert_cmphex (be16 (d + 12), ==, 0x8847);
  g_assert_cmphex (be32 (d + 14), ==, (1000u << 12) | (5 << 9) | 255);
  g_assert_cmphex (be32 (d + 18), ==, (16u << 12) | (1 << 8) | 64);
  g_assert_cmphex (d[22], ==, 0x45);

  ntpac_test_packet_udp (pppoe, 1, 2);
  ntpac_test_packet_ipv6 (pppoe, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_pppoe_session (pppoe, 0x1234);
  ntpac_test_packet_ethernet (pppoe, NULL, NULL);
  d = ntpac_test_packet_get_data (pppoe, &len);
  g_assert_cmphex (be16 (d + 12), ==, 0x8864);
  g_assert_cmpmem (d + 14, 4, "\x11\x00\x12\x34", 4);
  g_assert_cmpuint (be16 (d + 18), ==, len - 14 - 6);
  g_assert_cmphex (be16 (d + 20), ==, 0x0057);
}

static void
test_packet_tunnels (void)
{
  g_autoptr(NtpacTestPacket) gre =
    ntpac_test_packet_new_with_payload ("abc", 3);
  g_autoptr(NtpacTestPacket) erspan =
    ntpac_test_packet_new_with_payload ("abc", 3);
  g_autoptr(NtpacTestPacket) vxlan =
    ntpac_test_packet_new_with_payload ("abc", 3);
  g_autoptr(NtpacTestPacket) ipip =
    ntpac_test_packet_new_with_payload ("abc", 3);
  const guint8 *d;
  gsize len;

  /* GRE with checksum, key and sequence around IPv6 */
  ntpac_test_packet_udp (gre, 1, 2);
  ntpac_test_packet_ipv6 (gre, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_gre (gre,
                         NTPAC_TEST_GRE_CHECKSUM | NTPAC_TEST_GRE_KEY | NTPAC_TEST_GRE_SEQUENCE,
                         0xabcd, 77);
  ntpac_test_packet_ipv4 (gre, "198.51.100.1", "198.51.100.2");
  d = ntpac_test_packet_get_data (gre, &len);
  g_assert_cmpuint (d[9], ==, NTPAC_TEST_IPPROTO_GRE);
  g_assert_cmphex (be16 (d + 20), ==, 0xb000);
  g_assert_cmphex (be16 (d + 22), ==, 0x86dd);
  g_assert_cmpuint (ntpac_test_inet_checksum (d + 20, len - 20), ==, 0);
  g_assert_cmphex (be32 (d + 28), ==, 0xabcd);
  g_assert_cmpuint (be32 (d + 32), ==, 77);
  g_assert_cmphex (d[36], ==, 0x60);

  /* ERSPAN II around an Ethernet frame */
  ntpac_test_packet_udp (erspan, 1, 2);
  ntpac_test_packet_ipv4 (erspan, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_ethernet (erspan, NULL, NULL);
  ntpac_test_packet_erspan2 (erspan, 100, 0, 1, 5);
  ntpac_test_packet_ipv4 (erspan, "198.51.100.1", "198.51.100.2");
  d = ntpac_test_packet_get_data (erspan, &len);
  g_assert_cmphex (be16 (d + 20), ==, 0x1000);
  g_assert_cmphex (be16 (d + 22), ==, 0x88be);
  g_assert_cmpuint (be32 (d + 24), ==, 5);
  g_assert_cmphex (be16 (d + 28), ==, 0x1000);
  g_assert_cmpuint (be16 (d + 30), ==, 100);
  g_assert_cmpuint (be32 (d + 32), ==, 1);
  g_assert_cmphex (be16 (d + 36 + 12), ==, 0x0800);

  /* VXLAN around an Ethernet frame */
  ntpac_test_packet_udp (vxlan, 1, 2);
  ntpac_test_packet_ipv4 (vxlan, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_ethernet (vxlan, NULL, NULL);
  ntpac_test_packet_vxlan (vxlan, 42, 50000);
  ntpac_test_packet_ipv4 (vxlan, "198.51.100.1", "198.51.100.2");
  d = ntpac_test_packet_get_data (vxlan, &len);
  assert_ipv4_checksums (d, len);
  g_assert_cmpuint (be16 (d + 22), ==, NTPAC_TEST_VXLAN_PORT);
  g_assert_cmpmem (d + 28, 8, "\x08\x00\x00\x00\x00\x00\x2a\x00", 8);
  assert_ipv4_checksums (d + 36 + 14, len - 36 - 14);

  /* IPv6 in IPv4 in IPv4 */
  ntpac_test_packet_udp (ipip, 1, 2);
  ntpac_test_packet_ipv6 (ipip, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_ipv4 (ipip, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_ipv4 (ipip, "10.1.0.1", "10.1.0.2");
  d = ntpac_test_packet_get_data (ipip, &len);
  g_assert_cmpuint (d[9], ==, NTPAC_TEST_IPPROTO_IPIP);
  g_assert_cmpuint (d[20 + 9], ==, NTPAC_TEST_IPPROTO_IPV6);
  assert_ipv4_checksums (d, len);
}

static void
test_packet_link_headers (void)
{
  const struct
  {
    NtpacTestLinkType link_type;
    gboolean ipv6;
    gsize header_len;
    const gchar *expected;
    gsize expected_offset;
    gsize expected_len;
  } cases[] = {
    { NTPAC_TEST_LINKTYPE_LINUX_SLL, FALSE, 16, "\x00\x00\x00\x01\x00\x06", 0, 6 },
    { NTPAC_TEST_LINKTYPE_LINUX_SLL, TRUE, 16, "\x86\xdd", 14, 2 },
    { NTPAC_TEST_LINKTYPE_LINUX_SLL2, FALSE, 20, "\x08\x00\x00\x00\x00\x00\x00\x01\x00\x01\x00\x06", 0, 12 },
    { NTPAC_TEST_LINKTYPE_LOOP, FALSE, 4, "\x00\x00\x00\x02", 0, 4 },
    { NTPAC_TEST_LINKTYPE_LOOP, TRUE, 4, "\x00\x00\x00\x18", 0, 4 },
    { NTPAC_TEST_LINKTYPE_RAW, TRUE, 0, "\x60", 0, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NtpacTestPacket) p =
        ntpac_test_packet_new_with_payload ("x", 1);
      const guint8 *d;
      gsize len;

      ntpac_test_packet_udp (p, 1, 2);
      if (cases[i].ipv6)
        ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
      else
        ntpac_test_packet_ipv4 (p, "10.0.0.1", "10.0.0.2");
      ntpac_test_packet_link (p, cases[i].link_type);
      d = ntpac_test_packet_get_data (p, &len);
      g_assert_cmpuint (len, ==,
                        cases[i].header_len + (cases[i].ipv6 ? 40 : 20) + 9);
      g_assert_cmpmem (d + cases[i].expected_offset, cases[i].expected_len,
                       cases[i].expected, cases[i].expected_len);
    }

  {
    g_autoptr(NtpacTestPacket) big =
      ntpac_test_packet_new_with_payload ("x", 1);
    g_autoptr(NtpacTestPacket) little =
      ntpac_test_packet_new_with_payload ("x", 1);

    ntpac_test_packet_ipv6 (big, "::1", "::1");
    ntpac_test_packet_bsd_null (big, NTPAC_TEST_BYTE_ORDER_BIG);
    g_assert_cmpmem (ntpac_test_packet_get_data (big, NULL), 4,
                     "\x00\x00\x00\x18", 4);
    ntpac_test_packet_ipv4 (little, "127.0.0.1", "127.0.0.1");
    ntpac_test_packet_bsd_null (little, NTPAC_TEST_BYTE_ORDER_LITTLE);
    g_assert_cmpmem (ntpac_test_packet_get_data (little, NULL), 4,
                     "\x02\x00\x00\x00", 4);
  }
}

static void
test_packet_reset_reuses (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  g_autoptr(NtpacTestPacket) copy = NULL;
  guint8 big[5000] = { 0 };

  /* Larger than the initial buffer, then more headers than the headroom. */
  ntpac_test_packet_append (p, big, sizeof big);
  for (guint i = 0; i < 100; i++)
    ntpac_test_packet_mpls (p, i, 0, i == 0, 64);
  g_assert_cmpuint (ntpac_test_packet_get_length (p), ==, sizeof big + 400);
  copy = ntpac_test_packet_copy (p);
  ntpac_test_packet_reset (p);
  g_assert_cmpuint (ntpac_test_packet_get_length (p), ==, 0);
  g_assert_cmpuint (ntpac_test_packet_get_ethertype (p), ==, 0);
  g_assert_cmpuint (ntpac_test_packet_get_length (copy), ==, sizeof big + 400);
  g_assert_cmphex (ntpac_test_packet_get_ethertype (copy), ==,
                   NTPAC_TEST_ETHERTYPE_MPLS);
}

/* Conversations */

typedef struct
{
  guint8 flags;
  guint32 seq;
  guint32 ack;
  gsize payload_len;
} ExpectedStep;

static void
test_flow_conversation_steps (void)
{
  NtpacTestEndpoints ep;
  g_autoptr(NtpacTestTcpConversation) conv = NULL;
  const guint8 request[100] = { 0 };
  const guint8 response[5000] = { 0 };
  const guint32 c = 0xfffffff0, s = 1000;
  const guint8 A = NTPAC_TEST_TCP_ACK, P = NTPAC_TEST_TCP_PSH;
  const ExpectedStep expected[] = {
    { NTPAC_TEST_TCP_SYN, c, 0, 0 },
    { NTPAC_TEST_TCP_SYN | A, s, c + 1, 0 },
    { A, c + 1, s + 1, 0 },
    { A | P, c + 1, s + 1, 100 },
    { A, s + 1, c + 101, 0 },
    { A, s + 1, c + 101, 1448 },
    { A, s + 1 + 1448, c + 101, 1448 },
    { A, c + 101, s + 1 + 2896, 0 },
    { A, s + 1 + 2896, c + 101, 1448 },
    { A | P, s + 1 + 4344, c + 101, 656 },
    { A, c + 101, s + 5001, 0 },
    { A | P, c + 101, s + 5001, 10 },
    { A, s + 5001, c + 111, 0 },
    { NTPAC_TEST_TCP_FIN | A, c + 111, s + 5001, 0 },
    { NTPAC_TEST_TCP_FIN | A, s + 5001, c + 112, 0 },
    { A, c + 112, s + 5002, 0 },
  };
  NtpacTestTcpStep step;
  guint n = 0;

  g_test_summary ("Handshake, acknowledgment of every second segment and of each burst, "
                  "teardown, with the client sequence numbers wrapping past 2^32.");

  ntpac_test_endpoints_init (&ep, "10.0.0.1", 40000, "192.0.2.1", 80);
  conv = ntpac_test_tcp_conversation_new (&ep, c, s);
  g_assert_cmpuint (ntpac_test_tcp_conversation_get_segment_size (conv), ==,
                    1448);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_CLIENT_TO_SERVER, request,
                                    sizeof request);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_SERVER_TO_CLIENT, response,
                                    3000);
  ntpac_test_tcp_conversation_send_static (conv, NTPAC_TEST_SERVER_TO_CLIENT,
                                           response, 2000);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_CLIENT_TO_SERVER,
                                    "0123456789", 10);

  while (ntpac_test_tcp_conversation_next (conv, &step))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpuint (step.index, ==, n);
      g_assert_cmphex (step.flags, ==, expected[n].flags);
      g_assert_cmphex (step.seq, ==, expected[n].seq);
      g_assert_cmphex (step.ack, ==, expected[n].ack);
      g_assert_cmpuint (step.payload_len, ==, expected[n].payload_len);
      g_assert_cmpuint (step.starts_burst, ==, n == 3 || n == 5 || n == 11);
      if (n == 11)
        g_assert_cmpmem (step.payload, step.payload_len, "0123456789", 10);
      n++;
    }
  /* Idle until closed. */
  g_assert_cmpuint (n, ==, 13);
  g_assert_false (ntpac_test_tcp_conversation_is_finished (conv));
  ntpac_test_tcp_conversation_close (conv);
  while (ntpac_test_tcp_conversation_next (conv, &step))
    {
      g_assert_cmphex (step.flags, ==, expected[n].flags);
      g_assert_cmphex (step.seq, ==, expected[n].seq);
      g_assert_cmphex (step.ack, ==, expected[n].ack);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_true (ntpac_test_tcp_conversation_is_finished (conv));
}

typedef struct
{
  gint64 ts_ns;
  GBytes *frame;
} Record;

static void
record_clear (gpointer data)
{
  Record *record = data;

  g_bytes_unref (record->frame);
}

/* Reads the records of a little-endian nanosecond pcap. */
static GArray *
read_pcap_records (GBytes *capture)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (Record));
  gsize len;
  const guint8 *d = g_bytes_get_data (capture, &len);
  gsize offset = 24;

  g_array_set_clear_func (records, record_clear);
  g_assert_cmphex (le32 (d), ==, 0xa1b23c4d);
  while (offset < len)
    {
      Record record;
      guint32 caplen = le32 (d + offset + 8);

      record.ts_ns = le32 (d + offset) * G_GINT64_CONSTANT (1000000000) + le32 (d + offset + 4);
      record.frame = g_bytes_new (d + offset + 16, caplen);
      g_array_append_val (records, record);
      offset += 16 + caplen;
    }
  g_assert_cmpuint (offset, ==, len);
  return records;
}

static void
test_flow_conversation_events (void)
{
  NtpacTestEndpoints ep;
  g_autoptr(NtpacTestTcpConversation) conv = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_memory (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC,
                                       NTPAC_TEST_BYTE_ORDER_LITTLE);
  g_autoptr(GBytes) capture = NULL;
  g_autoptr(GArray) records = NULL;
  const guint8 response[5000] = { 0 };
  const gint64 start = TEST_TS_NS, gap = 1000;
  /* Steps as in test_flow_conversation_steps, IPv6 with two VLAN tags. */
  const guint64 step_of_record[] = { 0, 1, 2, 4, 5, 5, 6, 8, 7, 9, 10, 11, 12, 13, 14, 15 };
  guint written;

  ntpac_test_endpoints_init (&ep, "2001:db8:1::5", 40000, "2001:db8:2::1", 80);
  ep.n_vlans = 2;
  ep.vlan_ids[0] = 10;
  ep.vlan_ids[1] = 100;
  conv = ntpac_test_tcp_conversation_new (&ep, 0xfffffff0, 1000);
  ntpac_test_tcp_conversation_set_mss (conv, 1460);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_CLIENT_TO_SERVER, response,
                                    100);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_SERVER_TO_CLIENT, response,
                                    5000);
  ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_CLIENT_TO_SERVER, response,
                                    10);
  ntpac_test_tcp_conversation_add_event (conv, 3, NTPAC_TEST_TCP_EVENT_DROP);
  ntpac_test_tcp_conversation_add_event (conv, 5,
                                         NTPAC_TEST_TCP_EVENT_DUPLICATE);
  ntpac_test_tcp_conversation_add_event (conv, 7,
                                         NTPAC_TEST_TCP_EVENT_SWAP_WITH_NEXT);

  ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_ETHERNET,
                                        65535);
  written = ntpac_test_tcp_conversation_write (conv, writer, 0, start, gap);
  g_assert_cmpuint (written, ==, 16);
  capture = ntpac_test_pcap_writer_close_to_bytes (writer);
  records = read_pcap_records (capture);
  g_assert_cmpuint (records->len, ==, 16);

  for (guint i = 0; i < records->len; i++)
    {
      const Record *record = &g_array_index (records, Record, i);
      gsize len;
      const guint8 *d = g_bytes_get_data (record->frame, &len);
      const guint8 *ip = d + 14 + 8;
      guint64 step = step_of_record[i];

      /* Times follow the steps, except across the swap. */
      g_assert_cmpint (record->ts_ns, ==,
                       start + (gint64) (step == 8 ? 7 : step == 7 ? 8 : step) * gap);
      g_assert_cmpmem (d + 12, 10, "\x88\xa8\x00\x0a\x81\x00\x00\x64\x86\xdd",
                       10);
      g_assert_cmpuint (ip[6], ==, NTPAC_TEST_IPPROTO_TCP);
      g_assert_true (transport_checksum_ok (ip + 8, ip + 24, 16,
                                            NTPAC_TEST_IPPROTO_TCP,
                                            ip + 40, len - 14 - 8 - 40));
      /* The dropped step is the only 100-byte segment. */
      g_assert_cmpuint (len - 14 - 8 - 40 - (ip[40 + 12] >> 4) * 4, !=, 100);
    }
}

/* tshark cross-check */

static guint
write_packet (NtpacTestPcapWriter   *writer,
              guint                  iface,
              const NtpacTestPacket *packet,
              gint64                *ts)
{
  gsize len;
  const guint8 *d = ntpac_test_packet_get_data (packet, &len);

  *ts += 1000;
  ntpac_test_pcap_writer_write (writer, iface, *ts, d, len, len);
  return 1;
}

/* Writes one frame of every supported encapsulation. */
static guint
write_encapsulation_zoo (NtpacTestPcapWriter *writer,
                         guint                eth,
                         guint                raw)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  g_autoptr(NtpacTestPacket) datagram = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) fragments = NULL;
  guint8 payload[2000];
  gint64 ts = TEST_TS_NS;
  guint n = 0;

  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = 'a' + i % 26;

  /* QinQ TCP over IPv4 */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 100);
  ntpac_test_packet_tcp (p, 40000, 80, 1, 1,
                         NTPAC_TEST_TCP_ACK | NTPAC_TEST_TCP_PSH, NULL);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "192.0.2.1");
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 100);
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021AD, 0, 10);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* MPLS stack, UDP over IPv6 */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 50);
  ntpac_test_packet_udp (p, 40000, 9999);
  ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_mpls (p, 16, 0, TRUE, 64);
  ntpac_test_packet_mpls (p, 17, 0, FALSE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* PPPoE, TCP over IPv4 */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 10);
  ntpac_test_packet_tcp (p, 40001, 443, 5, 6, NTPAC_TEST_TCP_ACK, NULL);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "192.0.2.1");
  ntpac_test_packet_pppoe_session (p, 0x42);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* GRE (checksum, key, sequence) around IPv4 */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_icmpv4_echo (p, FALSE, 1, 1);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_gre (p,
                         NTPAC_TEST_GRE_CHECKSUM | NTPAC_TEST_GRE_KEY | NTPAC_TEST_GRE_SEQUENCE, 7, 8);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* GRE transparent Ethernet bridging */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 20);
  ntpac_test_packet_udp (p, 1234, 5678);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  ntpac_test_packet_gre (p, NTPAC_TEST_GRE_KEY, 99, 0);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* ERSPAN II */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 30);
  ntpac_test_packet_tcp (p, 40002, 80, 1, 1, NTPAC_TEST_TCP_ACK, NULL);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "10.0.0.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  ntpac_test_packet_erspan2 (p, 100, 0, 1, 1);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* VXLAN */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_icmpv6_echo (p, FALSE, 1, 1);
  ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  ntpac_test_packet_vxlan (p, 4242, 50000);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  n += write_packet (writer, eth, p, &ts);

  /* IPv6 in IPv4, on the raw interface */
  ntpac_test_packet_reset (p);
  ntpac_test_packet_append (p, payload, 40);
  ntpac_test_packet_udp (p, 1, 2);
  ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_ipv4 (p, "192.0.2.1", "192.0.2.2");
  n += write_packet (writer, raw, p, &ts);

  /* IPv6 fragments of a UDP datagram, with a hop-by-hop header */
  ntpac_test_packet_append (datagram, payload, sizeof payload);
  ntpac_test_packet_udp (datagram, 5000, 6000);
  ntpac_test_packet_ipv6_hop_by_hop (datagram, NULL, 0);
  ntpac_test_packet_ipv6 (datagram, "2001:db8::1", "2001:db8::2");
  fragments = ntpac_test_packet_fragment (datagram, 800, 0x1234);
  for (guint i = 0; i < fragments->len; i++)
    {
      NtpacTestPacket *fragment = fragments->pdata[i];

      ntpac_test_packet_vlan (fragment, NTPAC_TEST_TPID_8021Q, 0, 200);
      ntpac_test_packet_ethernet (fragment, NULL, NULL);
      n += write_packet (writer, eth, fragment, &ts);
    }

  return n;
}

static void
test_tshark_decodes (void)
{
  g_autofree gchar *tshark = g_find_program_in_path ("tshark");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(NtpacTestPcapWriter) writer = NULL;
  gint status;
  guint eth, raw, n;

  g_test_summary ("Every encapsulation decodes in tshark with valid checksums and no "
                  "malformed or error-level expert item.");
  if (tshark == NULL)
    {
      g_test_skip ("tshark is not installed");
      return;
    }

  dir = g_dir_make_tmp ("ntpac-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "zoo.pcapng", NULL);
  writer = ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                            NTPAC_TEST_BYTE_ORDER_BIG, &error);
  g_assert_no_error (error);
  eth = ntpac_test_pcap_writer_add_interface_full (writer,
                                                   NTPAC_TEST_LINKTYPE_ETHERNET,
                                                   65535,
                                                   NTPAC_TEST_TSRESOL_NSEC,
                                                   NULL);
  raw = ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_RAW,
                                              65535);
  n = write_encapsulation_zoo (writer, eth, raw);
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));
  g_assert_no_error (error);

  {
    const gchar *argv[] = {
      tshark, "-n", "-r", path,
      "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
      "-o", "udp.check_checksum:TRUE",
      "-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch",
      "-e", "frame.protocols", "-e", "_ws.expert.severity",
      NULL
    };
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT,
                                 NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    g_test_message ("tshark: %s", err);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);

    lines = g_strsplit (g_strchomp (out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, n);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_test_message ("%s", lines[i]);
        g_assert_null (strstr (lines[i], "malformed"));
        /* 8388608 is the error severity (PI_ERROR) */
        g_assert_null (strstr (lines[i], "8388608"));
      }
    g_assert_nonnull (strstr (lines[0],
                              "ieee8021ad:ethertype:vlan:ethertype:ip:tcp"));
    g_assert_nonnull (strstr (lines[1], "mpls:ipv6:udp"));
    g_assert_nonnull (strstr (lines[2], "pppoes:ppp:ip:tcp"));
    g_assert_nonnull (strstr (lines[3], "ip:gre:ip:icmp"));
    g_assert_nonnull (strstr (lines[4], "gre:eth:ethertype:ip:udp"));
    g_assert_nonnull (strstr (lines[5], "erspan:eth:ethertype:ip:tcp"));
    g_assert_nonnull (strstr (lines[6], "vxlan:eth:ethertype:ipv6:icmpv6"));
    g_assert_nonnull (strstr (lines[7], "raw:ip:ipv6:udp"));
    g_assert_nonnull (strstr (lines[n - 1], "ipv6.fraghdr:udp"));
    /* Frames i ≥ 1 are written at TEST_TS_NS + i µs: nanoseconds on the
     * Ethernet interface, truncated to microseconds on the raw one. */
    g_assert_true (g_str_has_prefix (lines[0], "1\t1709251200.123457789\t"));
    g_assert_true (g_str_has_prefix (lines[7], "8\t1709251200.123464000\t"));
  }

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/lib/pcap/classic-usec-little", GINT_TO_POINTER (0),
                        test_pcap_classic);
  g_test_add_data_func ("/lib/pcap/classic-nsec-little", GINT_TO_POINTER (1),
                        test_pcap_classic);
  g_test_add_data_func ("/lib/pcap/classic-usec-big", GINT_TO_POINTER (2),
                        test_pcap_classic);
  g_test_add_data_func ("/lib/pcap/classic-nsec-big", GINT_TO_POINTER (3),
                        test_pcap_classic);
  g_test_add_data_func ("/lib/pcap/pcapng-interfaces-little",
                        GINT_TO_POINTER (FALSE), test_pcapng_interfaces);
  g_test_add_data_func ("/lib/pcap/pcapng-interfaces-big",
                        GINT_TO_POINTER (TRUE), test_pcapng_interfaces);
  g_test_add_func ("/lib/pcap/pcapng-simple-packet", test_pcapng_simple_packet);
  g_test_add_func ("/lib/pcap/file-matches-memory",
                   test_pcap_file_matches_memory);
  g_test_add_func ("/lib/pcap/file-error", test_pcap_file_error);
  g_test_add_func ("/lib/packet/tcp-ipv4", test_packet_tcp_ipv4);
  g_test_add_func ("/lib/packet/malformed-overrides",
                   test_packet_malformed_overrides);
  g_test_add_func ("/lib/packet/ipv6-extension-headers",
                   test_packet_ipv6_extension_headers);
  g_test_add_func ("/lib/packet/icmp", test_packet_icmp);
  g_test_add_func ("/lib/packet/fragment-ipv4", test_packet_fragment_ipv4);
  g_test_add_func ("/lib/packet/fragment-ipv6", test_packet_fragment_ipv6);
  g_test_add_func ("/lib/packet/vlan-mpls-pppoe", test_packet_vlan_mpls_pppoe);
  g_test_add_func ("/lib/packet/tunnels", test_packet_tunnels);
  g_test_add_func ("/lib/packet/link-headers", test_packet_link_headers);
  g_test_add_func ("/lib/packet/reset-reuses", test_packet_reset_reuses);
  g_test_add_func ("/lib/flow/conversation-steps",
                   test_flow_conversation_steps);
  g_test_add_func ("/lib/flow/conversation-events",
                   test_flow_conversation_events);
  g_test_add_func ("/lib/tshark/encapsulations", test_tshark_decodes);

  return g_test_run ();
}
