/* test-reassembly.c: every TCP and UDP tracking heuristic, on captures
 * crafted packet by packet
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "conversation-collector.h"
#include "ntpac-test-flow.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)
#define MS G_GINT64_CONSTANT (1000000)
#define S  G_GINT64_CONSTANT (1000000000)

#define C2S NTPAC_TEST_CLIENT_TO_SERVER
#define S2C NTPAC_TEST_SERVER_TO_CLIENT

#define SYN NTPAC_TEST_TCP_SYN
#define ACK NTPAC_TEST_TCP_ACK
#define FIN NTPAC_TEST_TCP_FIN
#define RST NTPAC_TEST_TCP_RST
#define PSH NTPAC_TEST_TCP_PSH

/* A capture written packet by packet between one client and one server. */
typedef struct
{
  gchar               *dir;
  gchar               *path;
  NtpacTestPcapWriter *writer;
  NtpacTestEndpoints   ep;
  gint64               ts;
  guint                frames;
} Craft;

static Craft *
craft_new (const gchar *client,
           guint16      client_port,
           const gchar *server,
           guint16      server_port)
{
  Craft *c = g_new0 (Craft, 1);
  g_autoptr(GError) error = NULL;

  c->dir = g_dir_make_tmp ("ntpac-reassembly-XXXXXX", NULL);
  c->path = g_build_filename (c->dir, "crafted.pcap", NULL);
  c->writer = ntpac_test_pcap_writer_new_file (c->path, NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC,
                                               NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_assert_no_error (error);
  ntpac_test_pcap_writer_add_interface (c->writer, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
  ntpac_test_endpoints_init (&c->ep, client, client_port, server, server_port);
  c->ts = T0;
  return c;
}

/* Switches to another capture file (same endpoints, time goes on). */
static void
craft_next_file (Craft       *c,
                 const gchar *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ntpac_test_pcap_writer_close (c->writer, &error));
  ntpac_test_pcap_writer_free (c->writer);
  g_free (c->path);
  c->path = g_build_filename (c->dir, name, NULL);
  c->writer = ntpac_test_pcap_writer_new_file (c->path, NTPAC_TEST_PCAP_FORMAT_PCAPNG,
                                               NTPAC_TEST_BYTE_ORDER_BIG, &error);
  g_assert_no_error (error);
  ntpac_test_pcap_writer_add_interface (c->writer, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
}

static void
craft_close (Craft *c)
{
  g_autoptr(GError) error = NULL;

  if (c->writer != NULL)
    {
      g_assert_true (ntpac_test_pcap_writer_close (c->writer, &error));
      g_clear_pointer (&c->writer, ntpac_test_pcap_writer_free);
    }
}

static void
craft_free (Craft *c)
{
  g_autoptr(GDir) dir = NULL;
  const gchar *name;

  craft_close (c);
  dir = g_dir_open (c->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (c->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (c->dir);
  g_free (c->dir);
  g_free (c->path);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Craft, craft_free)

/* One TCP segment, @gap_ns after the previous frame. */
static void
tcp (Craft       *c,
     gint64       gap_ns,
     guint        direction,
     guint8       flags,
     guint32      seq,
     guint32      ack,
     const gchar *payload)
{
  gsize len = payload != NULL ? strlen (payload) : 0;
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload (payload, len);
  guint16 sport = direction == C2S ? c->ep.client_port : c->ep.server_port;
  guint16 dport = direction == C2S ? c->ep.server_port : c->ep.client_port;
  const guint8 *data;

  ntpac_test_packet_tcp (p, sport, dport, seq, ack, flags, NULL);
  ntpac_test_endpoints_wrap (&c->ep, direction, p);
  data = ntpac_test_packet_get_data (p, &len);
  c->ts += gap_ns;
  ntpac_test_pcap_writer_write (c->writer, 0, c->ts, data, len, len);
  c->frames++;
}

static void
udp (Craft       *c,
     gint64       gap_ns,
     guint        direction,
     const gchar *payload)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  const guint8 *data;
  gsize len;

  ntpac_test_endpoints_build_udp (&c->ep, direction, (const guint8 *) payload, strlen (payload), p);
  data = ntpac_test_packet_get_data (p, &len);
  c->ts += gap_ns;
  ntpac_test_pcap_writer_write (c->writer, 0, c->ts, data, len, len);
  c->frames++;
}

/* The three-way handshake: client ISN @ci, server ISN @si. */
static void
handshake (Craft   *c,
           guint32  ci,
           guint32  si)
{
  tcp (c, MS, C2S, SYN, ci, 0, NULL);
  tcp (c, MS, S2C, SYN | ACK, si, ci + 1, NULL);
  tcp (c, MS, C2S, ACK, ci + 1, si + 1, NULL);
}

typedef struct
{
  GPtrArray           *conversations;
  NtpacRunStats        stats;
} Tracked;

static void
tracked_clear (Tracked *t)
{
  g_clear_pointer (&t->conversations, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tracked, tracked_clear)

/* Runs the engine over @paths with @config (NULL: defaults). */
static void
track_paths (const gchar * const       *paths,
             const NtpacTrackingConfig *tracking,
             guint                      n_workers,
             Tracked                   *out)
{
  g_autoptr(ConversationCollector) collector = conversation_collector_new (TRUE);
  g_autoptr(NtpacEngine) engine = NULL;
  NtpacEngineConfig config;

  ntpac_engine_config_init (&config);
  if (tracking != NULL)
    config.tracking = *tracking;
  config.n_workers = n_workers;
  config.capture_flags = NTPAC_CAPTURE_FLAGS_NO_HASH;
  config.sink = conversation_collector_funcs ();
  config.sink_data = collector;
  engine = ntpac_engine_new (paths, &config);
  ntpac_engine_run (engine);
  out->stats = *ntpac_engine_get_stats (engine);
  out->conversations = g_ptr_array_ref (conversation_collector_get (collector));
}

static void
track (Craft                     *c,
       const NtpacTrackingConfig *tracking,
       Tracked                   *out)
{
  const gchar *paths[] = { c->path, NULL };

  craft_close (c);
  track_paths (paths, tracking, 1, out);
}

static CollectedConversation *
conv (Tracked *t,
      guint    i)
{
  g_assert_cmpuint (i, <, t->conversations->len);
  return t->conversations->pdata[i];
}

static void
assert_payload (CollectedConversation *c,
                NtpacDirection         dir,
                const gchar           *expected)
{
  g_assert_cmpmem (c->payload[dir]->data, c->payload[dir]->len, expected, strlen (expected));
  g_assert_cmpuint (c->conversation.bytes[dir], ==, strlen (expected));
}

static void
assert_endpoints (CollectedConversation *c,
                  const gchar           *src,
                  guint16                sport,
                  const gchar           *dst,
                  guint16                dport)
{
  g_autofree gchar *s = ntpac_address_to_string (&c->conversation.tuple.src);
  g_autofree gchar *d = ntpac_address_to_string (&c->conversation.tuple.dst);

  g_assert_cmpstr (s, ==, src);
  g_assert_cmpuint (c->conversation.tuple.sport, ==, sport);
  g_assert_cmpstr (d, ==, dst);
  g_assert_cmpuint (c->conversation.tuple.dport, ==, dport);
}

/* ---- the tests -------------------------------------------------------- */

static void
test_in_order_exchange (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  CollectedConversation *k;
  NtpacPdu *pdu;

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK | PSH, 1001, 5001, "GET / HTTP/1.1\r\n");
  tcp (c, MS, C2S, ACK | PSH, 1017, 5001, "Host: a\r\n\r\n");
  tcp (c, MS, S2C, ACK | PSH, 5001, 1028, "HTTP/1.1 200 OK\r\n\r\n");
  tcp (c, MS, C2S, ACK | FIN, 1028, 5020, NULL);
  tcp (c, MS, S2C, ACK | FIN, 5020, 1029, NULL);
  tcp (c, MS, C2S, ACK, 1029, 5021, NULL);
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  k = conv (&t, 0);
  assert_endpoints (k, "10.0.0.1", 40000, "192.0.2.1", 80);
  g_assert_true (k->conversation.initiator_known);
  assert_payload (k, NTPAC_DIRECTION_UP, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert_payload (k, NTPAC_DIRECTION_DOWN, "HTTP/1.1 200 OK\r\n\r\n");
  g_assert_cmpuint (k->conversation.packets, ==, 9);
  g_assert_cmpuint (k->frames->len, ==, 9);
  g_assert_cmpint (k->conversation.end, ==, NTPAC_CONVERSATION_END_FIN);
  g_assert_cmpuint (k->conversation.missing_bytes[0] + k->conversation.missing_bytes[1], ==, 0);
  /* Two PDUs: the request (two segments, frames 4 and 5), the response. */
  g_assert_cmpuint (k->pdus->len, ==, 2);
  pdu = k->pdus->pdata[0];
  g_assert_cmpint (pdu->direction, ==, NTPAC_DIRECTION_UP);
  g_assert_cmpuint (pdu->segments->len, ==, 2);
  g_assert_cmpuint (g_array_index (pdu->segments, NtpacPduSegment, 0).frame.number, ==, 4);
  g_assert_cmpuint (g_array_index (pdu->segments, NtpacPduSegment, 1).frame.number, ==, 5);
  g_assert_cmpuint (g_array_index (pdu->segments, NtpacPduSegment, 1).offset, ==, 16);
  g_assert_cmpint (((NtpacPdu *) k->pdus->pdata[1])->direction, ==, NTPAC_DIRECTION_DOWN);
}

static void
test_loss_is_a_gap (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  CollectedConversation *k;
  NtpacPdu *pdu;
  NtpacPduGap *gap;

  g_test_summary ("A segment missing from the capture becomes a gap of its exact size at "
                  "its position; the data after it is still delivered.");
  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "aaaa");
  /* "bbbb" (1005..1008) was never captured */
  tcp (c, MS, C2S, ACK, 1009, 5001, "cccc");
  tcp (c, MS, S2C, ACK, 5001, 1013, NULL);
  tcp (c, MS, C2S, ACK | FIN, 1013, 5001, NULL);
  tcp (c, MS, S2C, ACK | FIN, 5001, 1014, NULL);
  track (c, NULL, &t);

  k = conv (&t, 0);
  assert_payload (k, NTPAC_DIRECTION_UP, "aaaacccc");
  g_assert_cmpuint (k->conversation.missing_bytes[NTPAC_DIRECTION_UP], ==, 4);
  pdu = k->pdus->pdata[0];
  g_assert_cmpuint (pdu->gaps->len, ==, 1);
  gap = &g_array_index (pdu->gaps, NtpacPduGap, 0);
  g_assert_cmpuint (gap->offset, ==, 4);
  g_assert_cmpuint (gap->length, ==, 4);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_MISSING_BYTES], ==, 1);
}

static void
test_lost_tail_before_fin (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, S2C, ACK, 5001, 1001, "0123456789");
  /* 5011..5020 lost, then the FIN says where the stream ended */
  tcp (c, MS, S2C, ACK | FIN, 5021, 1001, NULL);
  tcp (c, MS, C2S, ACK | FIN, 1001, 5022, NULL);
  track (c, NULL, &t);

  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_DOWN], ==, 10);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_DOWN, "0123456789");
}

static void
test_reordering (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1009, 5001, "3333");
  tcp (c, MS, C2S, ACK, 1001, 5001, "1111");
  tcp (c, MS, S2C, ACK, 5001, 1005, NULL);
  tcp (c, MS, C2S, ACK, 1005, 5001, "2222");
  track (c, NULL, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "111122223333");
  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_UP], ==, 0);
}

static void
test_duplicates_and_partial_retransmission (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "abcd");
  tcp (c, MS, C2S, ACK, 1001, 5001, "abcd");        /* duplicate */
  tcp (c, MS, C2S, ACK, 1003, 5001, "cdefgh");      /* partial retransmission */
  tcp (c, MS, C2S, ACK, 1005, 5001, "efgh");        /* old */
  tcp (c, MS, C2S, ACK, 1009, 5001, "ij");
  track (c, NULL, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "abcdefghij");
  g_assert_cmpuint (conv (&t, 0)->conversation.packets, ==, 8);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 0);
}

static void
check_overlap_policy (gboolean     last_wins,
                      const gchar *expected)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;

  ntpac_tracking_config_init (&tracking);
  tracking.overlap_last_wins = last_wins;
  handshake (c, 1000, 5000);
  /* 1005.. arrives first, then an overlapping segment with other bytes,
   * then the hole before them. */
  tcp (c, MS, C2S, ACK, 1005, 5001, "EFGH");
  tcp (c, MS, C2S, ACK, 1007, 5001, "xyIJ");
  tcp (c, MS, C2S, ACK, 1001, 5001, "ABCD");
  track (c, &tracking, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, expected);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 1);
  g_assert_cmpuint (conv (&t, 0)->conversation.anomalies, >=, 1);
}

static void
test_overlap_first_wins (void)
{
  g_test_summary ("Overlapping segments with different bytes: by default the bytes "
                  "received first stay, and the conflict is an anomaly.");
  check_overlap_policy (FALSE, "ABCDEFGHIJ");
}

static void
test_overlap_last_wins (void)
{
  check_overlap_policy (TRUE, "ABCDEFxyIJ");
}

static void
test_retransmission_with_other_bytes (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "abcd");
  tcp (c, MS, C2S, ACK, 1001, 5001, "abXd");
  track (c, NULL, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "abcd");
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 1);
}

static void
test_mid_stream_pickup (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  CollectedConversation *k;

  g_test_summary ("Without a handshake, the conversation is picked up mid-stream and the "
                  "client is the side on the ephemeral port, even if the server spoke first.");
  tcp (c, MS, S2C, ACK, 900000, 70000, "tail of a response");
  tcp (c, MS, C2S, ACK, 70000, 900018, "next request");
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  k = conv (&t, 0);
  assert_endpoints (k, "10.0.0.1", 40000, "192.0.2.1", 80);
  g_assert_false (k->conversation.initiator_known);
  assert_payload (k, NTPAC_DIRECTION_DOWN, "tail of a response");
  assert_payload (k, NTPAC_DIRECTION_UP, "next request");
}

static void
test_mid_stream_first_payload_decides (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40001, "10.0.0.2", 50000);
  g_auto(Tracked) t = { 0 };

  /* No service port: a bare ACK from the server side, then the client's
   * first payload names it the initiator. */
  tcp (c, MS, S2C, ACK, 7000, 3000, NULL);
  tcp (c, MS, C2S, ACK | PSH, 3000, 7000, "hello");
  tcp (c, MS, S2C, ACK | PSH, 7000, 3005, "world");
  track (c, NULL, &t);

  assert_endpoints (conv (&t, 0), "10.0.0.1", 40001, "10.0.0.2", 50000);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "hello");
}

static void
test_direction_from_syn_ack (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40001, "10.0.0.2", 50000);
  g_auto(Tracked) t = { 0 };

  /* The capture starts at the SYN-ACK: its receiver is the initiator. */
  tcp (c, MS, S2C, SYN | ACK, 7000, 3001, NULL);
  tcp (c, MS, C2S, ACK, 3001, 7001, NULL);
  tcp (c, MS, S2C, ACK | PSH, 7001, 3001, "banner");
  track (c, NULL, &t);

  assert_endpoints (conv (&t, 0), "10.0.0.1", 40001, "10.0.0.2", 50000);
  g_assert_true (conv (&t, 0)->conversation.initiator_known);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_DOWN, "banner");
}

static void
test_port_reuse (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  g_test_summary ("A new SYN on the same 5-tuple after the first connection closed starts "
                  "a new L7 conversation.");
  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "first");
  tcp (c, MS, C2S, ACK | FIN, 1006, 5001, NULL);
  tcp (c, MS, S2C, ACK | FIN, 5001, 1007, NULL);
  handshake (c, 800000, 900000);
  tcp (c, MS, C2S, ACK, 800001, 900001, "second");
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 2);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "first");
  g_assert_cmpint (conv (&t, 0)->conversation.end, ==, NTPAC_CONVERSATION_END_FIN);
  assert_payload (conv (&t, 1), NTPAC_DIRECTION_UP, "second");
  g_assert_cmpuint (conv (&t, 0)->conversation.packets, ==, 6);
  g_assert_cmpuint (conv (&t, 1)->conversation.packets, ==, 4);
}

static void
test_data_after_fin (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "one");
  tcp (c, MS, C2S, ACK | FIN, 1004, 5001, NULL);
  /* New data beyond the FIN without a handshake: another conversation. */
  tcp (c, MS, C2S, ACK, 1005, 5001, "two");
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 2);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "one");
  assert_payload (conv (&t, 1), NTPAC_DIRECTION_UP, "two");
  g_assert_cmpint (conv (&t, 0)->conversation.end, ==, NTPAC_CONVERSATION_END_REUSED);
}

static void
test_rst_payload_kept (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "req");
  tcp (c, MS, S2C, ACK | RST, 5001, 1004, "goodbye");
  track (c, NULL, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_DOWN, "goodbye");
  g_assert_cmpint (conv (&t, 0)->conversation.end, ==, NTPAC_CONVERSATION_END_RST);
}

static void
test_fast_open_syn_data (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  g_test_summary ("TCP Fast Open: the request in the SYN and the response "
                  "in the SYN-ACK are each side's first bytes; the SYN sent "
                  "again with its data is a retransmission, not more data.");
  tcp (c, 0, C2S, SYN, 1000, 0, "GET / HTTP/1.1\r\n\r\n");
  tcp (c, MS, C2S, SYN, 1000, 0, "GET / HTTP/1.1\r\n\r\n");   /* retransmitted */
  tcp (c, MS, S2C, SYN | ACK, 5000, 1019, "HTTP/1.1 204 ");
  tcp (c, MS, C2S, ACK, 1019, 5014, "");
  tcp (c, MS, S2C, ACK, 5014, 1019, "No Content\r\n\r\n");
  tcp (c, MS, C2S, ACK, 1019, 5028, "next");
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "GET / HTTP/1.1\r\n\r\nnext");
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_DOWN, "HTTP/1.1 204 No Content\r\n\r\n");
  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_UP], ==, 0);
  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_DOWN], ==, 0);
}

static void
test_sequence_wrap_around (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  handshake (c, 0xfffffff8, 5000);
  tcp (c, MS, C2S, ACK, 0xfffffff9, 5001, "0123");
  tcp (c, MS, C2S, ACK, 0xfffffffd, 5001, "4567");     /* wraps past 2^32 */
  tcp (c, MS, C2S, ACK, 0x00000005, 5001, "89ab");     /* after 0x1..0x4 */
  tcp (c, MS, C2S, ACK, 0x00000001, 5001, "defg");     /* came late */
  track (c, NULL, &t);

  /* 0xfffffffd + 4 = 0x1: "4567" ends at 0x1, "defg" fills 0x1..0x4. */
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "01234567defg89ab");
  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_UP], ==, 0);
}

static void
test_keep_alive_and_zero_window_probe (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  g_test_summary ("A keep-alive (one garbage byte just before the next sequence number) is "
                  "ignored; a zero-window probe's byte is real data sent again later.");
  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "abc");
  tcp (c, 30 * S, C2S, ACK, 1003, 5001, "Z");      /* keep-alive: seq = next - 1 */
  tcp (c, MS, C2S, ACK, 1004, 5001, "d");          /* zero-window probe */
  tcp (c, MS, C2S, ACK, 1004, 5001, "def");        /* window opens: sent again with more */
  track (c, NULL, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "abcdef");
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 0);
}

static void
test_idle_timeout_in_capture_time (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };

  g_test_summary ("Timeouts run on capture time: 11 minutes of silence between two segments "
                  "ends the TCP conversation even though the run takes milliseconds.");
  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "before");
  tcp (c, 11 * 60 * S, C2S, ACK, 1007, 5001, "after");
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 2);
  g_assert_cmpint (conv (&t, 0)->conversation.end, ==, NTPAC_CONVERSATION_END_IDLE);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "before");
  assert_payload (conv (&t, 1), NTPAC_DIRECTION_UP, "after");
}

static void
test_udp_idle_split_and_direction (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 5353, "192.0.2.53", 53);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;

  g_test_summary ("Each UDP datagram is a PDU; a UDP conversation ends after its idle time; "
                  "a capture that starts with the response still names the client.");
  ntpac_tracking_config_init (&tracking);
  tracking.udp_idle_timeout_ns = 30 * S;
  udp (c, MS, S2C, "answer-1");
  udp (c, MS, C2S, "query-2");
  udp (c, MS, S2C, "answer-2");
  udp (c, 31 * S, C2S, "query-3");
  track (c, &tracking, &t);

  g_assert_cmpuint (t.conversations->len, ==, 2);
  assert_endpoints (conv (&t, 0), "10.0.0.1", 5353, "192.0.2.53", 53);
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_DOWN, "answer-1answer-2");
  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, "query-2");
  g_assert_cmpuint (conv (&t, 0)->n_pdus, ==, 3);
  g_assert_cmpint (conv (&t, 0)->conversation.end, ==, NTPAC_CONVERSATION_END_IDLE);
  assert_payload (conv (&t, 1), NTPAC_DIRECTION_UP, "query-3");
}

/* The PDU @i of @c, with its bytes. */
static const NtpacPdu *
pdu_of (CollectedConversation *c,
        guint                  i)
{
  g_assert_cmpuint (i, <, c->pdus->len);
  return c->pdus->pdata[i];
}

static void
assert_pdu (CollectedConversation *c,
            guint                  i,
            const gchar           *expected,
            gboolean               duplicate)
{
  const NtpacPdu *pdu = pdu_of (c, i);
  gsize len;
  const guint8 *data = ntpac_buffer_get_data (pdu->payload, &len);

  g_assert_cmpmem (data, len, expected, strlen (expected));
  g_assert_cmpint (pdu->duplicate, ==, duplicate);
}

static void
test_udp_duplicates (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.53", 53);
  g_auto(Tracked) t = { 0 };
  CollectedConversation *k;

  g_test_summary ("A UDP datagram whose bytes equal its direction's previous datagram within "
                  "10 ms is delivered as a PDU of its own, marked duplicate, and reported as "
                  "udp.duplicate (with its frame); its bytes are not counted twice. Datagrams "
                  "of the same length with other bytes are not copies: before, only a 64-bit "
                  "FNV-1a hash of them was compared, so two different datagrams whose hashes "
                  "collide were taken for one and the second was dropped.");
  udp (c, MS, C2S, "query-1");          /* frame 1 */
  udp (c, 5 * MS, C2S, "query-1");      /* 2: a copy */
  udp (c, 5 * MS, C2S, "query-1");      /* 3: a copy of the copy */
  udp (c, MS, S2C, "answer-1");         /* 4 */
  udp (c, MS, C2S, "query-2");          /* 5 */
  udp (c, MS, C2S, "query-3");          /* 6: same length, other bytes */
  udp (c, 20 * MS, C2S, "query-3");     /* 7: same bytes, too late */
  udp (c, MS, C2S, "query-2");          /* 8: same as 5, not as 7 */
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  k = conv (&t, 0);
  g_assert_cmpuint (k->n_pdus, ==, 8);
  g_assert_cmpuint (k->duplicates, ==, 2);
  assert_pdu (k, 0, "query-1", FALSE);
  assert_pdu (k, 1, "query-1", TRUE);
  assert_pdu (k, 2, "query-1", TRUE);
  assert_pdu (k, 3, "answer-1", FALSE);
  assert_pdu (k, 4, "query-2", FALSE);
  assert_pdu (k, 5, "query-3", FALSE);
  assert_pdu (k, 6, "query-3", FALSE);
  assert_pdu (k, 7, "query-2", FALSE);
  g_assert_cmpuint (g_array_index (pdu_of (k, 1)->segments, NtpacPduSegment, 0).frame.number, ==, 2);
  g_assert_cmpuint (k->conversation.packets, ==, 8);
  g_assert_cmpuint (k->conversation.bytes[NTPAC_DIRECTION_UP], ==, 7 * 5);
  g_assert_cmpuint (k->conversation.anomalies, ==, 2);
  assert_payload (k, NTPAC_DIRECTION_UP, "query-1query-2query-3query-3query-2");
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_UDP_DUPLICATE], ==, 2);
  g_assert_cmpuint (t.stats.anomaly_first[NTPAC_ANOMALY_UDP_DUPLICATE].number, ==, 2);
}

static void
test_udp_cut_datagram_not_duplicate (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.53", 53);
  g_auto(Tracked) t = { 0 };
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new ();
  const guint8 *data;
  gsize len;

  g_test_summary ("Two datagrams cut by the snap length at the same place are not known to "
                  "be equal: neither is marked duplicate.");
  ntpac_test_endpoints_build_udp (&c->ep, C2S, (const guint8 *) "same start, other end 1", 23, p);
  data = ntpac_test_packet_get_data (p, &len);
  ntpac_test_pcap_writer_write (c->writer, 0, c->ts += MS, data, len - 6, len);
  ntpac_test_pcap_writer_write (c->writer, 0, c->ts += MS, data, len - 6, len);
  track (c, NULL, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  g_assert_cmpuint (conv (&t, 0)->n_pdus, ==, 2);
  g_assert_cmpuint (conv (&t, 0)->duplicates, ==, 0);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_UDP_DUPLICATE], ==, 0);
}

static void
test_conversation_across_two_files (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_autofree gchar *first = NULL;
  g_auto(Tracked) t = { 0 };
  const gchar *paths[3];
  CollectedConversation *k;

  g_test_summary ("A capture split in two files is one capture: the conversation goes on "
                  "in the second file, with frames from both.");
  handshake (c, 1000, 5000);
  tcp (c, MS, C2S, ACK, 1001, 5001, "part one, ");
  first = g_strdup (c->path);
  craft_next_file (c, "second.pcapng");
  tcp (c, MS, C2S, ACK, 1011, 5001, "part two");
  tcp (c, MS, S2C, ACK | FIN, 5001, 1019, NULL);
  craft_close (c);
  paths[0] = c->path;  /* given in the wrong order on purpose */
  paths[1] = first;
  paths[2] = NULL;
  track_paths (paths, NULL, 2, &t);

  g_assert_cmpuint (t.conversations->len, ==, 1);
  k = conv (&t, 0);
  assert_payload (k, NTPAC_DIRECTION_UP, "part one, part two");
  g_assert_cmpuint (k->frames->len, ==, 6);
  g_assert_cmpuint (g_array_index (k->frames, NtpacFrameRef, 0).input, ==, 0);
  g_assert_cmpuint (g_array_index (k->frames, NtpacFrameRef, 3).input, ==, 0);
  g_assert_cmpuint (g_array_index (k->frames, NtpacFrameRef, 4).input, ==, 1);
  g_assert_cmpuint (g_array_index (k->frames, NtpacFrameRef, 4).number, ==, 1);
}

static void
test_out_of_order_cap_makes_a_gap (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;
  guint32 seq = 1001 + 100;  /* the first 100 bytes are never captured */
  GString *expected = g_string_new (NULL);

  g_test_summary ("Out-of-order bytes beyond the per-direction cap do not grow memory: the "
                  "hole becomes a gap and the held bytes are delivered.");
  ntpac_tracking_config_init (&tracking);
  tracking.ooo_max_bytes = 4096;
  tracking.pdu_max_bytes = 2048;
  handshake (c, 1000, 5000);
  for (guint i = 0; i < 100; i++)
    {
      gchar chunk[101];

      memset (chunk, 'a' + i % 26, 100);
      chunk[100] = '\0';
      tcp (c, MS, C2S, ACK, seq, 5001, chunk);
      g_string_append (expected, chunk);
      seq += 100;
    }
  track (c, &tracking, &t);

  assert_payload (conv (&t, 0), NTPAC_DIRECTION_UP, expected->str);
  g_assert_cmpuint (conv (&t, 0)->conversation.missing_bytes[NTPAC_DIRECTION_UP], ==, 100);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_TCP_BUFFER_CAP], >=, 1);
  /* held out of order, plus the PDU being filled, plus one segment, plus
   * what the conversation itself is counted for (2 KiB and its frames) */
  g_assert_cmpuint (t.stats.peak_tracking_memory, <=, 4096 + 2048 + 100 + 2048 + 256);
  g_string_free (expected, TRUE);
}

static void
test_pdu_size_cap (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;
  guint32 seq = 5001;

  ntpac_tracking_config_init (&tracking);
  tracking.pdu_max_bytes = 1000;
  handshake (c, 1000, 5000);
  for (guint i = 0; i < 25; i++)
    {
      tcp (c, MS, S2C, ACK, seq, 1001, "0123456789012345678901234567890123456789"
                                       "0123456789012345678901234567890123456789");
      seq += 80;
    }
  track (c, &tracking, &t);

  /* 2000 bytes in PDUs of at most 1000: a long download streams out. */
  g_assert_cmpuint (conv (&t, 0)->conversation.bytes[NTPAC_DIRECTION_DOWN], ==, 2000);
  g_assert_cmpuint (conv (&t, 0)->n_pdus, ==, 2);
  for (guint i = 0; i < conv (&t, 0)->pdus->len; i++)
    g_assert_cmpuint (ntpac_buffer_get_captured (((NtpacPdu *) conv (&t, 0)->pdus->pdata[i])->payload), <=, 1000);
}

static void
test_memory_cap_flushes_oldest (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 80);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;
  g_autofree gchar *big = g_strnfill (3000, 'x');

  g_test_summary ("When a worker holds more than its memory cap, the least recently active "
                  "conversations hand on what they hold early, and tracking goes on.");
  ntpac_tracking_config_init (&tracking);
  tracking.memory_max_bytes = 16 * 1024;
  for (guint i = 0; i < 20; i++)
    {
      c->ep.client_port = 41000 + i;
      handshake (c, 1000, 5000);
      tcp (c, MS, C2S, ACK, 1001, 5001, big);
    }
  track (c, &tracking, &t);

  g_assert_cmpuint (t.conversations->len, ==, 20);
  g_assert_cmpuint (t.stats.anomalies[NTPAC_ANOMALY_MEMORY_CAP], >=, 1);
  g_assert_cmpuint (t.stats.peak_tracking_memory, <=, 16 * 1024 + 3000);
  for (guint i = 0; i < 20; i++)
    g_assert_cmpuint (conv (&t, i)->conversation.bytes[NTPAC_DIRECTION_UP], ==, 3000);
}

static void
test_many_idle_flows_expire (void)
{
  g_autoptr(Craft) c = craft_new ("10.0.0.1", 40000, "192.0.2.1", 53);
  g_auto(Tracked) t = { 0 };
  NtpacTrackingConfig tracking;

  ntpac_tracking_config_init (&tracking);
  tracking.udp_idle_timeout_ns = 5 * S;
  for (guint i = 0; i < 200; i++)
    {
      c->ep.client_port = 20000 + i;
      udp (c, S, C2S, "q");
    }
  track (c, &tracking, &t);

  /* 200 flows one second apart, 5 s idle time: they end one by one as
   * time passes, not all at the end of the capture. */
  g_assert_cmpuint (t.conversations->len, ==, 200);
  for (guint i = 0; i < 190; i++)
    g_assert_cmpint (conv (&t, i)->conversation.end, ==, NTPAC_CONVERSATION_END_IDLE);
  g_assert_cmpint (conv (&t, 199)->conversation.end, ==, NTPAC_CONVERSATION_END_CAPTURE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reassembly/in-order", test_in_order_exchange);
  g_test_add_func ("/reassembly/loss", test_loss_is_a_gap);
  g_test_add_func ("/reassembly/lost-tail", test_lost_tail_before_fin);
  g_test_add_func ("/reassembly/reordering", test_reordering);
  g_test_add_func ("/reassembly/duplicates", test_duplicates_and_partial_retransmission);
  g_test_add_func ("/reassembly/overlap-first-wins", test_overlap_first_wins);
  g_test_add_func ("/reassembly/overlap-last-wins", test_overlap_last_wins);
  g_test_add_func ("/reassembly/retransmission-other-bytes", test_retransmission_with_other_bytes);
  g_test_add_func ("/reassembly/mid-stream", test_mid_stream_pickup);
  g_test_add_func ("/reassembly/mid-stream-first-payload", test_mid_stream_first_payload_decides);
  g_test_add_func ("/reassembly/direction-from-syn-ack", test_direction_from_syn_ack);
  g_test_add_func ("/reassembly/port-reuse", test_port_reuse);
  g_test_add_func ("/reassembly/data-after-fin", test_data_after_fin);
  g_test_add_func ("/reassembly/rst-payload", test_rst_payload_kept);
  g_test_add_func ("/reassembly/fast-open", test_fast_open_syn_data);
  g_test_add_func ("/reassembly/sequence-wrap", test_sequence_wrap_around);
  g_test_add_func ("/reassembly/keep-alive", test_keep_alive_and_zero_window_probe);
  g_test_add_func ("/reassembly/idle-timeout", test_idle_timeout_in_capture_time);
  g_test_add_func ("/reassembly/udp-idle", test_udp_idle_split_and_direction);
  g_test_add_func ("/reassembly/udp-duplicates", test_udp_duplicates);
  g_test_add_func ("/reassembly/udp-cut-not-duplicate", test_udp_cut_datagram_not_duplicate);
  g_test_add_func ("/reassembly/two-files", test_conversation_across_two_files);
  g_test_add_func ("/reassembly/out-of-order-cap", test_out_of_order_cap_makes_a_gap);
  g_test_add_func ("/reassembly/pdu-cap", test_pdu_size_cap);
  g_test_add_func ("/reassembly/memory-cap", test_memory_cap_flushes_oldest);
  g_test_add_func ("/reassembly/idle-flows-expire", test_many_idle_flows_expire);
  return g_test_run ();
}
