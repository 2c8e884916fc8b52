/* test-wifi.c: 802.11 link types (bare, radiotap, PPI) down to IP
 *
 * Frames are built byte by byte: an IP packet from tests/lib behind
 * LLC/SNAP, an 802.11 data header and, for link types 127 and 192, a
 * radiotap or PPI header; each is decoded from an exact copy of its bytes.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "decode-harness.h"
#include "ntpac-test-files.h"
#include "ntpac-test-flow.h"
#include "ntpac-test-pcap.h"
#include "ntpac-test-run.h"
#include "ntpac-wifi-private.h"

#define SRC4 "192.0.2.1"
#define DST4 "198.51.100.2"

static const guint8 http_get[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
#define HTTP_GET_LEN (sizeof http_get - 1)

static const guint8 snap_ipv4[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00 };
static const guint8 fcs[4] = { 0xde, 0xad, 0xbe, 0xef };

/* Frame control: data (type 2), @subtype, @flags (To DS, Protected...). */
static void
append_80211_header (GByteArray *out,
                     guint8      subtype,
                     guint8      flags,
                     gboolean    four_addresses)
{
  const guint8 fc[2] = { (guint8) ((subtype << 4) | (2 << 2)), flags };
  const guint8 rest[22] = {
    0x00, 0x00,                               /* duration */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,       /* address 1 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,       /* address 2 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x03,       /* address 3 */
    0x10, 0x00,                               /* sequence control */
  };
  const guint8 addr4[6] = { 0x02, 0, 0, 0, 0, 0x04 };

  g_byte_array_append (out, fc, 2);
  g_byte_array_append (out, rest, sizeof rest);
  if (four_addresses)
    g_byte_array_append (out, addr4, 6);
}

/* The HTTP request over TCP over IPv4, as bytes. */
static GBytes *
ipv4_tcp (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload (http_get, HTTP_GET_LEN);
  const guint8 *data;
  gsize len;

  ntpac_test_packet_tcp (p, 40000, 80, 1000, 2000, NTPAC_TEST_TCP_PSH | NTPAC_TEST_TCP_ACK, NULL);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  data = ntpac_test_packet_get_data (p, &len);
  return g_bytes_new (data, len);
}

static void
append_bytes (GByteArray *out,
              GBytes     *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_byte_array_append (out, data, len);
}

/* Radiotap with TSFT (8 bytes, aligned to 8) and Flags: the Flags byte
 * lands at offset 16, after 4 bytes of padding. */
static void
append_radiotap (GByteArray *out,
                 guint8      flags)
{
  const guint8 header[18] = {
    0x00, 0x00, 18, 0x00,         /* version, pad, length 18 */
    0x03, 0x00, 0x00, 0x00,       /* present: TSFT, Flags */
    1, 2, 3, 4, 5, 6, 7, 8,       /* TSFT */
    flags, 0x00,                  /* Flags, then padding to the length */
  };

  g_byte_array_append (out, header, sizeof header);
}

static void
assert_http_over_tcp (DecodeHarness *h,
                      guint          wifi_offset,
                      guint          ip_offset)
{
  const NtpacPacket *p = &h->packet;

  g_assert_cmpuint (p->net, ==, NTPAC_NET_IPV4);
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_TCP);
  assert_tuple (p, SRC4, DST4, 40000, 80, 6);
  ASSERT_LAYERS (p,
                 { NTPAC_LAYER_WIFI, 0x0800, wifi_offset },
                 { NTPAC_LAYER_IPV4, 0, ip_offset },
                 { NTPAC_LAYER_TCP, 0, ip_offset + 20 });
  decode_harness_assert_payload (h, ip_offset + 40, http_get, HTTP_GET_LEN);
  g_assert_cmpuint (p->payload_len, ==, HTTP_GET_LEN);
}

static void
test_radiotap_qos_fcs (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  const guint8 qos[2] = { 0x05, 0x00 };
  DecodeHarness h;

  g_test_summary ("Radiotap whose Flags say the FCS is there, a QoS data "
                  "frame to the access point: the FCS is not payload");
  append_radiotap (frame, 0x10);
  append_80211_header (frame, 0x8, 0x01, FALSE);
  g_byte_array_append (frame, qos, 2);
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);
  g_byte_array_append (frame, fcs, 4);

  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000));
  assert_http_over_tcp (&h, 18, 18 + 26 + 8);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);

  /* Cut by the snap length, the last 4 captured bytes are payload, not
   * the FCS (which was never captured). */
  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len - 4, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000));
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_TCP);
  g_assert_cmpuint (h.packet.payload_len, ==, HTTP_GET_LEN);
  decode_harness_clear (&h);
}

static void
test_plain_four_addresses_htc (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  const guint8 qos_htc[6] = { 0x00, 0x00, 0x11, 0x22, 0x33, 0x44 };
  DecodeHarness h;

  g_test_summary ("Link type 105: a QoS data frame between two distribution "
                  "systems (four addresses) with an HT control field");
  append_80211_header (frame, 0x8, 0x01 | 0x02 | 0x80, TRUE);
  g_byte_array_append (frame, qos_htc, 6);
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);

  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11, 1000));
  assert_http_over_tcp (&h, 0, 30 + 6 + 8);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_ppi_common_fcs (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  DecodeHarness h;
  const guint8 ppi[8 + 4 + 20] = {
    0x00, 0x00, 32, 0x00,         /* version, flags, length 32 */
    105, 0x00, 0x00, 0x00,        /* DLT 802.11 */
    0x02, 0x00, 20, 0x00,         /* field 802.11-Common, 20 bytes */
    0, 0, 0, 0, 0, 0, 0, 0,       /* TSF timer */
    0x01, 0x00,                   /* flags: FCS present */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* rate, channel, FHSS, signal, noise */
  };

  g_test_summary ("PPI whose 802.11-Common field says the FCS is there");
  g_byte_array_append (frame, ppi, sizeof ppi);
  append_80211_header (frame, 0x0, 0x02, FALSE);
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);
  g_byte_array_append (frame, fcs, 4);

  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_PPI, 1000));
  assert_http_over_tcp (&h, 32, 32 + 24 + 8);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_protected_and_management (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  const guint8 beacon_fc[2] = { 0x80, 0x00 };
  DecodeHarness h;

  g_test_summary ("An encrypted data frame is an anomaly and gives no "
                  "transport; a beacon is simply not IP");
  append_80211_header (frame, 0x0, 0x01 | 0x40, FALSE);
  append_bytes (frame, ip);  /* stands for the ciphertext */
  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11, 1000));
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_OTHER);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_WIFI_PROTECTED, ANOMALIES_END);
  decode_harness_clear (&h);

  g_byte_array_set_size (frame, 0);
  append_80211_header (frame, 0x0, 0x00, FALSE);
  memcpy (frame->data, beacon_fc, 2);
  g_byte_array_append (frame, (const guint8 *) "\0\0\0\0\0\0\0\0\x64\0\x01\0", 12);
  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11, 1000));
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_amsdu (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  const guint8 qos_amsdu[2] = { 0x80, 0x00 };
  gsize msdu_len = 8 + g_bytes_get_size (ip);
  const guint8 sub[14] = {
    0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
    (guint8) (msdu_len >> 8), (guint8) msdu_len,
  };
  guint ip_offset;
  DecodeHarness h;

  g_test_summary ("An A-MSDU of two subframes: the first is decoded, the "
                  "second is reported");
  append_80211_header (frame, 0x8, 0x02, FALSE);
  g_byte_array_append (frame, qos_amsdu, 2);
  g_byte_array_append (frame, sub, 14);
  ip_offset = frame->len + 8;
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);
  while (frame->len % 4 != 2)  /* subframes are padded from the body's start (offset 26) */
    g_byte_array_append (frame, (const guint8 *) "\0", 1);
  g_byte_array_append (frame, sub, 14);
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);

  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_IEEE802_11, 1000));
  assert_http_over_tcp (&h, 0, ip_offset);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_WIFI_AMSDU_SUBFRAMES, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_damaged_headers (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) ip = ipv4_tcp ();
  DecodeHarness h;

  g_test_summary ("Radiotap longer than the frame, a wrong version, a cut "
                  "802.11 header: anomalies, never a read past the bytes");
  append_radiotap (frame, 0x00);
  append_80211_header (frame, 0x0, 0x01, FALSE);
  g_byte_array_append (frame, snap_ipv4, 8);
  append_bytes (frame, ip);

  /* every cut of the frame decodes without reading beyond it */
  for (guint cut = 0; cut < 18 + 24 + 8; cut++)
    {
      decode_harness_init (&h, NULL);
      decode_harness_decode (&h, frame->data, cut, frame->len,
                             NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000);
      g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
      g_assert_cmpuint (decode_harness_count (&h, NTPAC_ANOMALY_WIFI_TRUNCATED) +
                        decode_harness_count (&h, NTPAC_ANOMALY_WIFI_MALFORMED), ==, 1);
      decode_harness_clear (&h);
    }

  frame->data[2] = 200;  /* radiotap length beyond the frame */
  decode_harness_init (&h, NULL);
  decode_harness_decode (&h, frame->data, frame->len, frame->len, NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_WIFI_TRUNCATED, ANOMALIES_END);
  decode_harness_clear (&h);

  frame->data[2] = 18;
  frame->data[0] = 1;    /* radiotap version 1 does not exist */
  decode_harness_init (&h, NULL);
  decode_harness_decode (&h, frame->data, frame->len, frame->len, NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_WIFI_MALFORMED, ANOMALIES_END);
  decode_harness_clear (&h);

  frame->data[0] = 0;
  frame->data[5] = 0x80;  /* presence words chained beyond the header */
  frame->data[6] = frame->data[7] = 0xff;
  decode_harness_init (&h, NULL);
  decode_harness_decode (&h, frame->data, frame->len, frame->len, NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 1000);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_clear (&h);
}

static void
test_link_types_known (void)
{
  g_assert_true (ntpac_link_type_is_supported (NTPAC_LINKTYPE_IEEE802_11));
  g_assert_true (ntpac_link_type_is_supported (NTPAC_LINKTYPE_IEEE802_11_RADIOTAP));
  g_assert_true (ntpac_link_type_is_supported (NTPAC_LINKTYPE_PPI));
  g_assert_cmpstr (ntpac_link_type_to_string (NTPAC_LINKTYPE_IEEE802_11_RADIOTAP), ==, "ieee802-11-radiotap");
}

/* An HTTP exchange captured on an open Wi-Fi network, in a radiotap
 * capture with beacons and an encrypted frame between the segments: the
 * engine finds the conversation and the transaction. */
static void
test_engine_finds_http (void)
{
  static const gchar request[] = "GET /wifi.txt HTTP/1.1\r\nHost: wifi.example\r\n\r\n";
  static const gchar response[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-wifi-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "wifi.pcap", NULL);
  g_autofree gchar *db = g_build_filename (dir, "wifi.ntpac", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_autoptr(NtpacTestTcpConversation) conversation = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(NtpacTestRun) run = { 0 };
  g_auto(NtpacTestRun) query = { 0 };
  NtpacTestEndpoints endpoints;
  NtpacTestTcpStep step;
  guint iface;
  gint64 ts = G_GINT64_CONSTANT (1700000000000000000);
  JsonObject *http;

  g_assert_no_error (error);
  iface = ntpac_test_pcap_writer_add_interface (writer, (NtpacTestLinkType) NTPAC_LINKTYPE_IEEE802_11_RADIOTAP, 65535);
  ntpac_test_endpoints_init (&endpoints, SRC4, 40000, DST4, 80);
  endpoints.link_type = NTPAC_TEST_LINKTYPE_RAW;
  conversation = ntpac_test_tcp_conversation_new (&endpoints, 1000, 5000);
  ntpac_test_tcp_conversation_send (conversation, NTPAC_TEST_CLIENT_TO_SERVER, request, strlen (request));
  ntpac_test_tcp_conversation_send (conversation, NTPAC_TEST_SERVER_TO_CLIENT, response, strlen (response));
  ntpac_test_tcp_conversation_close (conversation);
  while (ntpac_test_tcp_conversation_next (conversation, &step))
    {
      g_autoptr(NtpacTestPacket) packet = ntpac_test_packet_new ();
      g_autoptr(GByteArray) frame = g_byte_array_new ();
      const guint8 *data;
      const guint8 qos[2] = { 0, 0 };
      gsize len;

      ntpac_test_tcp_conversation_build_frame (conversation, &step, ts, packet);
      data = ntpac_test_packet_get_data (packet, &len);
      append_radiotap (frame, 0x10);
      append_80211_header (frame, 0x8, step.direction == NTPAC_TEST_CLIENT_TO_SERVER ? 0x01 : 0x02, FALSE);
      g_byte_array_append (frame, qos, 2);
      g_byte_array_append (frame, snap_ipv4, 8);
      g_byte_array_append (frame, data, len);
      g_byte_array_append (frame, fcs, 4);
      ntpac_test_pcap_writer_write (writer, iface, ts, frame->data, frame->len, frame->len);
      ts += 1000000;
      /* an encrypted frame of another station: counted, not decoded */
      g_byte_array_set_size (frame, 0);
      append_radiotap (frame, 0x00);
      append_80211_header (frame, 0x0, 0x41, FALSE);
      g_byte_array_append (frame, (const guint8 *) "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
      ntpac_test_pcap_writer_write (writer, iface, ts, frame->data, frame->len, frame->len);
    }
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));

  ntpac_test_run_engine (&run, "run", "-o", db, path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  ntpac_test_run_engine (&query, "query", "-d", db, "http", NULL);
  g_assert_cmpint (query.status, ==, 0);
  lines = ntpac_test_parse_lines (query.out);
  g_assert_cmpuint (lines->len, ==, 1);
  http = lines->pdata[0];
  g_assert_cmpstr (json_object_get_string_member (http, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (http, "uri"), ==, "/wifi.txt");
  g_assert_cmpstr (json_object_get_string_member (http, "host"), ==, "wifi.example");
  g_assert_cmpint (json_object_get_int_member (http, "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (http, "response_body_len"), ==, 5);
  ntpac_test_run_clear (&query);
  ntpac_test_run_engine (&query, "query", "-d", db, "anomalies", NULL);
  g_assert_nonnull (strstr (query.out, "wifi.protected"));
  ntpac_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wifi/radiotap-qos-fcs", test_radiotap_qos_fcs);
  g_test_add_func ("/wifi/plain-four-addresses-htc", test_plain_four_addresses_htc);
  g_test_add_func ("/wifi/ppi-common-fcs", test_ppi_common_fcs);
  g_test_add_func ("/wifi/protected-and-management", test_protected_and_management);
  g_test_add_func ("/wifi/amsdu", test_amsdu);
  g_test_add_func ("/wifi/damaged-headers", test_damaged_headers);
  g_test_add_func ("/wifi/link-types-known", test_link_types_known);
  g_test_add_func ("/wifi/engine-finds-http", test_engine_finds_http);
  return g_test_run ();
}
