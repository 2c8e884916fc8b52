/* make-fuzz-corpus.c: seed inputs for the fuzz targets
 *
 * make-fuzz-corpus decode DIR   frames of every encapsulation, in the
 *                               input format of fuzz-decode
 * make-fuzz-corpus capture DIR  small captures in every format the reader
 *                               knows, for fuzz-capture
 * make-fuzz-corpus record DIR   stored records (a version byte, then the
 *                               record), for fuzz-record
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fuzz-common.h"
#include "ntpac-wire-private.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

static const gchar payload[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";

/* An Ethernet/IPv4/TCP frame; callers add shims between IP and Ethernet. */
static NtpacTestPacket *
tcp_ipv4 (void)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (payload, sizeof payload - 1);
  NtpacTestTcpOptions options = { 0 };

  ntpac_test_tcp_options_add_mss (&options, 1460);
  ntpac_test_tcp_options_add_sack_permitted (&options);
  ntpac_test_tcp_options_add_timestamps (&options, 1, 2);
  ntpac_test_tcp_options_add_window_scale (&options, 7);
  ntpac_test_packet_tcp (p, 40000, 80, 1000, 2000, NTPAC_TEST_TCP_ACK | NTPAC_TEST_TCP_PSH, &options);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "192.0.2.1");
  return p;
}

static NtpacTestPacket *
udp_ipv6 (void)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (payload, 12);

  ntpac_test_packet_udp (p, 5353, 53);
  ntpac_test_packet_ipv6_hop_by_hop (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, "2001:db8::1", "2001:db8::2");
  return p;
}

static guint
link_index (guint32 linktype)
{
  for (guint i = 0; i < G_N_ELEMENTS (fuzz_link_types); i++)
    if (fuzz_link_types[i] == linktype)
      return i;
  g_assert_not_reached ();
}

/* Appends one frame in fuzz-decode's input format. */
static void
add_frame (GByteArray      *out,
           guint32          linktype,
           NtpacTestPacket *p)
{
  gsize len;
  const guint8 *data = ntpac_test_packet_get_data (p, &len);
  guint8 head[3] = { (guint8) link_index (linktype), (guint8) (len >> 8), (guint8) len };

  g_byte_array_append (out, head, 3);
  g_byte_array_append (out, data, len);
  ntpac_test_packet_free (p);
}

static void
save (const gchar *dir,
      const gchar *name,
      GByteArray  *bytes)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const gchar *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (bytes);
}

static void
make_decode_corpus (const gchar *dir)
{
  NtpacTestPacket *p;
  GByteArray *out;

  p = tcp_ipv4 ();
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "ethernet-tcp", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 100);
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021AD, 0, 200);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "qinq", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_mpls (p, 16, 0, TRUE, 64);
  ntpac_test_packet_mpls (p, 17, 0, FALSE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "mpls", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_pppoe_session (p, 7);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "pppoe", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_gre (p, NTPAC_TEST_GRE_KEY | NTPAC_TEST_GRE_SEQUENCE, 42, 1);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "gre", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_ethernet (p, NULL, NULL);
  ntpac_test_packet_erspan2 (p, 3, 10, 0, 1);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "erspan", out);

  p = udp_ipv6 ();
  ntpac_test_packet_ethernet (p, NULL, NULL);
  ntpac_test_packet_vxlan (p, 5000, 49152);
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  out = g_byte_array_new ();
  add_frame (out, 1, p);
  save (dir, "vxlan", out);

  p = udp_ipv6 ();
  ntpac_test_packet_ipv4 (p, "198.51.100.1", "198.51.100.2");
  ntpac_test_packet_linux_sll (p, 0);
  out = g_byte_array_new ();
  add_frame (out, 113, p);
  save (dir, "6in4-sll", out);

  p = tcp_ipv4 ();
  ntpac_test_packet_linux_sll2 (p, 2, 0);
  out = g_byte_array_new ();
  add_frame (out, 276, p);
  p = tcp_ipv4 ();
  ntpac_test_packet_bsd_null (p, NTPAC_TEST_BYTE_ORDER_LITTLE);
  add_frame (out, 0, p);
  p = udp_ipv6 ();
  ntpac_test_packet_bsd_loop (p);
  add_frame (out, 108, p);
  add_frame (out, 101, tcp_ipv4 ());
  add_frame (out, 229, udp_ipv6 ());
  save (dir, "link-types", out);

  {
    /* A fragmented datagram, one frame per fragment, last first. */
    g_autoptr(NtpacTestPacket) big = ntpac_test_packet_new ();
    g_autoptr(GPtrArray) frags = NULL;

    for (guint i = 0; i < 40; i++)
      ntpac_test_packet_append (big, payload, sizeof payload - 1);
    ntpac_test_packet_udp (big, 1000, 53);
    ntpac_test_packet_ipv4 (big, "10.0.0.1", "10.0.0.2");
    frags = ntpac_test_packet_fragment (big, 512, 0);
    out = g_byte_array_new ();
    for (guint i = frags->len; i > 0; i--)
      {
        NtpacTestPacket *f = ntpac_test_packet_copy (frags->pdata[i - 1]);

        ntpac_test_packet_ethernet (f, NULL, NULL);
        add_frame (out, 1, f);
      }
    save (dir, "fragments", out);
  }
}

static void
write_capture (const gchar        *dir,
               const gchar        *name,
               NtpacTestPcapFormat format,
               NtpacTestByteOrder  order)
{
  g_autoptr(NtpacTestPcapWriter) w = ntpac_test_pcap_writer_new_memory (format, order);
  g_autoptr(GBytes) bytes = NULL;
  guint eth = ntpac_test_pcap_writer_add_interface (w, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
  GByteArray *out;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(NtpacTestPacket) p = tcp_ipv4 ();
      gsize len;
      const guint8 *data;

      ntpac_test_packet_ethernet (p, NULL, NULL);
      data = ntpac_test_packet_get_data (p, &len);
      ntpac_test_pcap_writer_write (w, eth, G_GINT64_CONSTANT (1700000000000000000) + i, data, len, len);
    }
  if (format == NTPAC_TEST_PCAP_FORMAT_PCAPNG)
    {
      guint raw = ntpac_test_pcap_writer_add_interface (w, NTPAC_TEST_LINKTYPE_RAW, 65535);
      g_autoptr(NtpacTestPacket) p = udp_ipv6 ();
      gsize len;
      const guint8 *data = ntpac_test_packet_get_data (p, &len);

      ntpac_test_pcap_writer_write (w, raw, G_GINT64_CONSTANT (1700000001000000000), data, len, len);
    }
  bytes = ntpac_test_pcap_writer_close_to_bytes (w);
  out = g_byte_array_new ();
  g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  save (dir, name, out);
}

static void
make_capture_corpus (const gchar *dir)
{
  write_capture (dir, "pcap-le-us", NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE);
  write_capture (dir, "pcap-be-ns", NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_BIG);
  write_capture (dir, "pcapng-le", NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE);
  write_capture (dir, "pcapng-be", NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_BIG);
}

/* Records of the shapes the store holds: a conversation's, a DNS
 * message's, one with every basic type. */
static void
make_record_corpus (const gchar *dir)
{
  static const gchar *records[] = {
    "{'transport': <'tcp'>, 'src': <'10.0.0.1'>, 'sport': <uint16 1234>, 'dst': <'10.0.0.2'>,"
    " 'dport': <uint16 80>, 'first_ts': <int64 1709251200000000000>, 'packets': <uint64 12>,"
    " 'frame_list': <@ay [1, 2, 3, 4]>}",
    "{'ts': <int64 5>, 'qname': <'www.example.com'>, 'answers': <[{'name': <'www.example.com'>,"
    " 'type': <'A'>, 'ttl': <uint32 60>, 'data': <'192.0.2.1'>}]>, 'flags': <@as ['rd', 'ra']>}",
    "{'b': <true>, 'y': <byte 1>, 'n': <int16 -2>, 'q': <uint16 3>, 'i': <int32 -4>,"
    " 'u': <uint32 5>, 'x': <int64 -6>, 't': <uint64 7>, 'd': <1.5>, 'o': <objectpath '/a'>,"
    " 'g': <signature 'a{sv}'>, 'm': <@ms 'x'>, 'v': <<(byte 1, 'two')>>}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_parsed (records[i]));
      GByteArray *bytes = g_byte_array_new ();
      g_autofree gchar *name = g_strdup_printf ("record-%u", i);
      guint8 version = 1;

      g_byte_array_append (bytes, &version, 1);
      g_byte_array_append (bytes, g_variant_get_data (value), g_variant_get_size (value));
      save (dir, name, bytes);
    }
}

/* Messages of a cluster: a batch of frames, the inputs, an answer. */
static void
make_wire_corpus (const gchar *dir)
{
  static const guint8 bytes[] = { 0x45, 0x00, 0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  NtpacFrame frame = { { 0, 0, 7, 1234 }, 1709251200000000000, sizeof bytes, 60, 101, 0, bytes };
  NtpacInput input = { 0 };
  NtpacWireWriter w;
  GBytes *message;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_FRAMES, 1, 3, 0, 0);
  ntpac_wire_writer_add_frame (&w, &frame);
  frame.ref.number++;
  ntpac_wire_writer_add_frame (&w, &frame);
  message = ntpac_wire_writer_finish (&w);
  save (dir, "frames", g_bytes_unref_to_array (message));

  input.path = (gchar *) "/cases/7/day1.pcap";
  input.sha256 = (gchar *) "9a80a977f4d4ae7105c6ec9c1b911601ecaaf3b1770a4c5c4ee8fa09610faa19";
  input.size = 1000;
  input.frames = 2;
  input.n_link_types = 1;
  input.link_types[0] = 1;
  ntpac_wire_writer_init (&w, NTPAC_WIRE_END, 1, 3, 0, 0);
  ntpac_wire_writer_add_input (&w, &input);
  message = ntpac_wire_writer_finish (&w);
  save (dir, "inputs", g_bytes_unref_to_array (message));

  ntpac_wire_writer_init (&w, NTPAC_WIRE_DONE, 1, 3, 0, 0);
  ntpac_wire_writer_add_u64 (&w, 2);
  ntpac_wire_writer_add_u64 (&w, 1);
  ntpac_wire_writer_add_string (&w, "stored");
  message = ntpac_wire_writer_finish (&w);
  save (dir, "done", g_bytes_unref_to_array (message));
}

/* An agent's answer to export-objects, as the messages received, each
 * behind its length (2 bytes, little endian): an index line without an
 * object, one with an object in two pieces, and the end. */
static void
add_export_message (GByteArray      *all,
                    NtpacWireWriter *w)
{
  GBytes *message = ntpac_wire_writer_finish (w);
  gsize len = g_bytes_get_size (message);
  guint8 prefix[2] = { (guint8) (len & 0xff), (guint8) (len >> 8) };

  g_byte_array_append (all, prefix, 2);
  g_byte_array_append (all, g_bytes_get_data (message, NULL), (guint) len);
  g_bytes_unref (message);
}

static void
make_export_corpus (const gchar *dir)
{
  static const gchar line[] = "{\"sha256\":\"x\",\"size\":5,\"content_type\":\"text/plain\"";
  static const gchar sha[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  GByteArray *all = g_byte_array_new ();
  NtpacWireWriter w;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_ROW);
  ntpac_wire_writer_add_bytes (&w, line, strlen (line));
  ntpac_wire_writer_add_string (&w, NULL);
  ntpac_wire_writer_add_u32 (&w, 0);
  add_export_message (all, &w);
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_ROW);
  ntpac_wire_writer_add_bytes (&w, line, strlen (line));
  ntpac_wire_writer_add_string (&w, sha);
  ntpac_wire_writer_add_u32 (&w, 1);
  add_export_message (all, &w);
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_PIECE);
  ntpac_wire_writer_add_bytes (&w, "hel", 3);
  add_export_message (all, &w);
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_PIECE);
  ntpac_wire_writer_add_bytes (&w, "lo", 2);
  add_export_message (all, &w);
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_OBJECT_END);
  ntpac_wire_writer_add_string (&w, NULL);
  add_export_message (all, &w);
  save (dir, "export", all);
}

int
main (int    argc,
      char **argv)
{
  if (argc != 3)
    {
      g_printerr ("usage: make-fuzz-corpus decode|capture|record|wire|export DIR\n");
      return 1;
    }
  g_mkdir_with_parents (argv[2], 0755);
  if (g_str_equal (argv[1], "decode"))
    make_decode_corpus (argv[2]);
  else if (g_str_equal (argv[1], "record"))
    make_record_corpus (argv[2]);
  else if (g_str_equal (argv[1], "wire"))
    make_wire_corpus (argv[2]);
  else if (g_str_equal (argv[1], "export"))
    make_export_corpus (argv[2]);
  else
    make_capture_corpus (argv[2]);
  return 0;
}
