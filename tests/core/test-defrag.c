/* test-defrag.c: IPv4 and IPv6 fragment reassembly
 *
 * Fragments are made with ntpac_test_packet_fragment() or by hand, and fed
 * through the decoder in various orders: the frame completing a datagram
 * must yield its transport header and whole payload, earlier ones are held,
 * and every way a datagram can go wrong (conflicting overlaps, oversize,
 * timeout, memory cap, end of capture) is reported. The memory bound is
 * also checked on the reassembly table itself.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "decode-harness.h"
#include "ntpac-defrag-private.h"

#define SRC4        "192.0.2.1"
#define DST4        "198.51.100.2"
#define OUTER_SRC4  "203.0.113.1"
#define OUTER_DST4  "203.0.113.2"
#define SRC6        "2001:db8::1"
#define DST6        "2001:db8::2"

#define UDP_SPORT   40001
#define UDP_DPORT   5353

#define IPV4_ID     0x4242
#define IPV6_ID     0x0badcafe

#define PAYLOAD_LEN 300                            /* UDP payload */
#define PIECE       64                             /* bytes per fragment */
#define N_PIECES    5                              /* 308 bytes, cut in 64 */

#define T0          G_GINT64_CONSTANT (1700000000000000000)
#define SECOND      G_GINT64_CONSTANT (1000000000)

static void
fill_pattern (guint8 *bytes,
              gsize   len,
              guint8  seed)
{
  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) (seed + i * 7);
}

/* A whole IP datagram (no link header) holding a UDP datagram of @len
 * payload bytes. */
static NtpacTestPacket *
new_udp_datagram (gboolean      ipv6,
                  guint16       id,
                  const guint8 *payload,
                  gsize         len)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (payload, len);

  ntpac_test_packet_udp (p, UDP_SPORT, UDP_DPORT);
  if (ipv6)
    {
      ntpac_test_packet_ipv6 (p, SRC6, DST6);
    }
  else
    {
      NtpacTestIpv4Header ip;

      ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
      ip.identification = id;
      ntpac_test_packet_ipv4_full (p, &ip);
    }
  return p;
}

/* Splits @datagram into fragments of @piece bytes, each in Ethernet. */
static GPtrArray *
fragment_in_ethernet (const NtpacTestPacket *datagram,
                      guint                  piece)
{
  GPtrArray *fragments = ntpac_test_packet_fragment (datagram, piece, IPV6_ID);

  g_assert_nonnull (fragments);
  for (guint i = 0; i < fragments->len; i++)
    ntpac_test_packet_ethernet (g_ptr_array_index (fragments, i), NULL, NULL);
  return fragments;
}

/* An IPv4 fragment made by hand: @len bytes at @offset of the datagram. */
static NtpacTestPacket *
new_ipv4_fragment (guint16       id,
                   guint16       offset,
                   gboolean      more,
                   const guint8 *bytes,
                   gsize         len)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (bytes, len);
  NtpacTestIpv4Header ip;

  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.identification = id;
  ip.more_fragments = more;
  ip.fragment_offset = offset;
  ip.protocol = 17;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* The same for IPv6, with a Fragment header. */
static NtpacTestPacket *
new_ipv6_fragment (guint32       id,
                   guint16       offset,
                   gboolean      more,
                   const guint8 *bytes,
                   gsize         len)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (bytes, len);

  ntpac_test_packet_set_ip_protocol (p, 17);
  ntpac_test_packet_ipv6_fragment_header (p, id, offset, more);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* A UDP header and @data_len bytes after it, for fragments made by hand. */
static guint8 *
new_udp_bytes (gsize  data_len,
               guint8 seed)
{
  guint8 *bytes = g_malloc (8 + data_len);

  bytes[0] = UDP_SPORT >> 8;
  bytes[1] = UDP_SPORT & 0xff;
  bytes[2] = UDP_DPORT >> 8;
  bytes[3] = UDP_DPORT & 0xff;
  bytes[4] = (8 + data_len) >> 8;
  bytes[5] = (8 + data_len) & 0xff;
  bytes[6] = 0;  /* no checksum */
  bytes[7] = 0;
  fill_pattern (bytes + 8, data_len, seed);
  return bytes;
}

static gboolean
decode_at (DecodeHarness         *h,
           const NtpacTestPacket *frame,
           gint64                 ts_ns)
{
  gsize len;
  const guint8 *data = ntpac_test_packet_get_data (frame, &len);

  return decode_harness_decode (h, data, len, len, NTPAC_LINKTYPE_ETHERNET,
                                ts_ns);
}

/* The frame was a fragment, held for later. */
static void
assert_held (DecodeHarness *h,
             gboolean       ipv6)
{
  const NtpacPacket *p = &h->packet;

  g_assert_cmpuint (p->flags & NTPAC_PACKET_FRAGMENT_HELD, ==,
                    NTPAC_PACKET_FRAGMENT_HELD);
  g_assert_cmpuint (p->flags & NTPAC_PACKET_REASSEMBLED, ==, 0);
  g_assert_cmpuint (p->net, ==, ipv6 ? NTPAC_NET_IPV6 : NTPAC_NET_IPV4);
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_null (p->payload);
  g_assert_cmpuint (p->payload_len, ==, 0);
  g_assert_null (p->reassembled);
  g_assert_null (p->fragments);
  g_assert_cmpuint (p->n_fragments, ==, 0);
  if (ipv6)
    ASSERT_LAYERS (p, { NTPAC_LAYER_ETHERNET, 0, 0 },
                   { NTPAC_LAYER_IPV6, 0, 14 });
  else
    ASSERT_LAYERS (p, { NTPAC_LAYER_ETHERNET, 0, 0 },
                   { NTPAC_LAYER_IPV4, 0, 14 });
  assert_tuple (p, ipv6 ? SRC6 : SRC4, ipv6 ? DST6 : DST4, 0, 0, 17);
}

/* The frame completed the datagram whose UDP part is @udp (@udp_len
 * bytes); it came from the frames numbered @numbers. */
static void
assert_reassembled (DecodeHarness *h,
                    gboolean       ipv6,
                    const guint8  *udp,
                    gsize          udp_len,
                    const guint   *numbers,
                    guint          n_numbers)
{
  const NtpacPacket *p = &h->packet;
  const guint8 *datagram;
  gsize datagram_len;

  g_assert_cmpuint (p->flags, ==, NTPAC_PACKET_REASSEMBLED);
  g_assert_cmpuint (p->net, ==, ipv6 ? NTPAC_NET_IPV6 : NTPAC_NET_IPV4);
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (p->n_ip, ==, 1);
  if (ipv6)
    ASSERT_LAYERS (p,
                   { NTPAC_LAYER_ETHERNET, 0, 0 },
                   { NTPAC_LAYER_IPV6, 0, 14 },
                   { NTPAC_LAYER_UDP, 0, 0, TRUE });
  else
    ASSERT_LAYERS (p,
                   { NTPAC_LAYER_ETHERNET, 0, 0 },
                   { NTPAC_LAYER_IPV4, 0, 14 },
                   { NTPAC_LAYER_UDP, 0, 0, TRUE });
  {
    g_autofree gchar *src = ntpac_address_to_string (&p->tuple.src);
    g_autofree gchar *dst = ntpac_address_to_string (&p->tuple.dst);

    g_assert_cmpstr (src, ==, ipv6 ? SRC6 : SRC4);
    g_assert_cmpstr (dst, ==, ipv6 ? DST6 : DST4);
    g_assert_cmpuint (p->tuple.sport, ==, UDP_SPORT);
    g_assert_cmpuint (p->tuple.dport, ==, UDP_DPORT);
  }

  g_assert_nonnull (p->reassembled);
  datagram = ntpac_buffer_get_data (p->reassembled, &datagram_len);
  g_assert_cmpmem (datagram, datagram_len, udp, udp_len);
  g_assert_cmpuint (ntpac_buffer_get_reported (p->reassembled), ==, udp_len);
  g_assert_true (p->payload == datagram + 8);
  g_assert_cmpuint (p->payload_reported, ==, udp_len - 8);
  g_assert_cmpmem (p->payload, p->payload_len, udp + 8, udp_len - 8);

  g_assert_cmpuint (p->n_fragments, ==, n_numbers);
  g_assert_nonnull (p->fragments);
  for (guint i = 0; i < n_numbers; i++)
    {
      g_assert_cmpuint (p->fragments[i].number, ==, numbers[i]);
      g_assert_cmpuint (p->fragments[i].offset, ==, 24 + 16 * numbers[i]);
    }
}

/* ---- reassembly in any order -------------------------------------------- */

typedef struct
{
  const gchar *name;
  guint        order[12];   /* indexes of fragments, in arrival order */
  guint        n;
} FragmentOrder;

static const FragmentOrder orders[] = {
  { "in-order", { 0, 1, 2, 3, 4 }, 5 },
  { "reverse", { 4, 3, 2, 1, 0 }, 5 },
  { "shuffled", { 2, 4, 0, 3, 1 }, 5 },
  { "last-first", { 4, 0, 1, 2, 3 }, 5 },
  { "duplicates", { 1, 0, 1, 3, 0, 2, 3, 4 }, 8 },
};

static void
check_order (gboolean             ipv6,
             const FragmentOrder *order)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  guint numbers[G_N_ELEMENTS (order->order)];
  const guint8 *whole;
  gsize whole_len, ip_len = ipv6 ? 40 : 20;
  const NtpacDecodeStats *stats;
  DecodeHarness h;

  fill_pattern (payload, sizeof payload, 3);
  datagram = new_udp_datagram (ipv6, IPV4_ID, payload, sizeof payload);
  whole = ntpac_test_packet_get_data (datagram, &whole_len);
  fragments = fragment_in_ethernet (datagram, PIECE);
  g_assert_cmpuint (fragments->len, ==, N_PIECES);

  decode_harness_init (&h, NULL);
  for (guint i = 0; i < order->n; i++)
    {
      NtpacTestPacket *f = g_ptr_array_index (fragments, order->order[i]);
      gboolean usable = decode_at (&h, f, T0 + i * 1000);

      numbers[i] = h.frame.ref.number;
      decode_harness_assert_anomalies (&h, ANOMALIES_END);
      if (i + 1 < order->n)
        {
          g_assert_false (usable);
          assert_held (&h, ipv6);
        }
      else
        {
          g_assert_true (usable);
          assert_reassembled (&h, ipv6, whole + ip_len, whole_len - ip_len,
                              numbers, order->n);
        }
    }

  stats = ntpac_decoder_get_stats (h.decoder);
  g_assert_cmpuint (stats->fragments, ==, order->n);
  g_assert_cmpuint (stats->datagrams_reassembled, ==, 1);
  g_assert_cmpuint (stats->transport[NTPAC_TRANSPORT_UDP], ==, 1);

  /* Nothing is left over. */
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_ipv4_order (gconstpointer user_data)
{
  g_test_summary ("An IPv4 datagram in 5 fragments, fed in one order: held "
                  "until the last needed arrives, then decoded whole");
  check_order (FALSE, user_data);
}

static void
test_ipv6_order (gconstpointer user_data)
{
  g_test_summary ("An IPv6 datagram in 5 fragments, fed in one order: held "
                  "until the last needed arrives, then decoded whole");
  check_order (TRUE, user_data);
}

static void
test_ipv6_tuple_protocol (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  DecodeHarness h;

  g_test_summary ("The 5-tuple of a reassembled IPv6 datagram has the "
                  "protocol of its payload (17), not that of the Fragment "
                  "header (44), as while its fragments are held");

  fill_pattern (payload, sizeof payload, 9);
  datagram = new_udp_datagram (TRUE, 0, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 104);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_cmpuint (h.packet.tuple.proto, ==, 17);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 1));
  g_assert_true (decode_at (&h, g_ptr_array_index (fragments, 2), T0 + 2));
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (h.packet.tuple.proto, ==, 17);
  decode_harness_clear (&h);
}

static void
test_ipv6_unfragmentable_part (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) fragments = NULL;
  const guint8 *whole;
  gsize whole_len;
  guint numbers[3];
  DecodeHarness h;

  g_test_summary ("IPv6 fragments behind a hop-by-hop header (in the "
                  "unfragmentable part of every fragment)");

  fill_pattern (payload, sizeof payload, 11);
  ntpac_test_packet_append (datagram, payload, sizeof payload);
  ntpac_test_packet_udp (datagram, UDP_SPORT, UDP_DPORT);
  ntpac_test_packet_ipv6_hop_by_hop (datagram, NULL, 0);
  ntpac_test_packet_ipv6 (datagram, SRC6, DST6);
  whole = ntpac_test_packet_get_data (datagram, &whole_len);
  fragments = fragment_in_ethernet (datagram, 104);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  for (guint i = 0; i < 3; i++)
    {
      gboolean usable = decode_at (&h, g_ptr_array_index (fragments, 2 - i),
                                   T0 + i);

      numbers[i] = h.frame.ref.number;
      g_assert_cmpint (usable, ==, i == 2);
      decode_harness_assert_anomalies (&h, ANOMALIES_END);
    }
  /* The UDP datagram follows the 40-byte header and the 8-byte hop-by-hop. */
  g_assert_cmpuint (h.packet.flags, ==, NTPAC_PACKET_REASSEMBLED);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (h.packet.n_fragments, ==, 3);
  g_assert_cmpuint (h.packet.fragments[2].number, ==, numbers[2]);
  g_assert_cmpmem (ntpac_buffer_get_data (h.packet.reassembled, NULL),
                   ntpac_buffer_get_captured (h.packet.reassembled),
                   whole + 48, whole_len - 48);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   sizeof payload);
  decode_harness_clear (&h);
}

static void
test_ipv6_extension_after_fragment (void)
{
  const guint8 option[4] = { 0x1e, 0x02, 0xaa, 0xbb };
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) fragments = NULL;
  const guint8 *first;
  DecodeHarness h;

  g_test_summary ("RFC 8200 puts the destination options meant for the final "
                  "destination after the Fragment header: once reassembled, "
                  "they are walked to reach UDP");

  fill_pattern (payload, sizeof payload, 13);
  ntpac_test_packet_append (datagram, payload, sizeof payload);
  ntpac_test_packet_udp (datagram, UDP_SPORT, UDP_DPORT);
  ntpac_test_packet_ipv6_destination_options (datagram, option, sizeof option);
  ntpac_test_packet_ipv6 (datagram, SRC6, DST6);
  fragments = fragment_in_ethernet (datagram, 112);
  g_assert_cmpuint (fragments->len, ==, 3);
  /* The fragmenter leaves destination options in the fragmentable part. */
  first = ntpac_test_packet_get_data (g_ptr_array_index (fragments, 0), NULL);
  g_assert_cmpuint (first[54], ==, 60);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 1));
  g_assert_true (decode_at (&h, g_ptr_array_index (fragments, 2), T0 + 2));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_REASSEMBLED, ==,
                    NTPAC_PACKET_REASSEMBLED);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (h.packet.tuple.sport, ==, UDP_SPORT);
  g_assert_cmpuint (h.packet.tuple.dport, ==, UDP_DPORT);
  g_assert_cmpuint (h.packet.tuple.proto, ==, 17);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   sizeof payload);
  decode_harness_clear (&h);
}

/* ---- overlaps ----------------------------------------------------------- */

/* Three hand-made fragments of a 48-byte UDP datagram: A = [0, 24),
 * B = [16, 32) with its first 8 bytes replaced by @b_head, C = [32, 48). */
static void
check_overlap (gboolean      ipv6,
               gboolean      b_first,
               const guint8 *b_head,
               gboolean      conflict)
{
  g_autofree guint8 *udp = new_udp_bytes (40, 21);
  guint8 b[16];
  g_autoptr(NtpacTestPacket) fa = NULL;
  g_autoptr(NtpacTestPacket) fb = NULL;
  g_autoptr(NtpacTestPacket) fc = NULL;
  guint8 expected[48];
  guint numbers[3];
  DecodeHarness h;

  memcpy (b, b_head, 8);
  memcpy (b + 8, udp + 24, 8);
  if (ipv6)
    {
      fa = new_ipv6_fragment (IPV6_ID, 0, TRUE, udp, 24);
      fb = new_ipv6_fragment (IPV6_ID, 16, TRUE, b, 16);
      fc = new_ipv6_fragment (IPV6_ID, 32, FALSE, udp + 32, 16);
    }
  else
    {
      fa = new_ipv4_fragment (IPV4_ID, 0, TRUE, udp, 24);
      fb = new_ipv4_fragment (IPV4_ID, 16, TRUE, b, 16);
      fc = new_ipv4_fragment (IPV4_ID, 32, FALSE, udp + 32, 16);
    }

  /* The bytes received first are kept. */
  memcpy (expected, udp, 48);
  if (b_first)
    memcpy (expected + 16, b_head, 8);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, b_first ? fb : fa, T0));
  numbers[0] = h.frame.ref.number;
  decode_harness_assert_anomalies (&h, ANOMALIES_END);

  g_assert_false (decode_at (&h, b_first ? fa : fb, T0 + 1));
  numbers[1] = h.frame.ref.number;
  if (conflict)
    {
      const NtpacAnomaly *a;

      decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT,
                                       ANOMALIES_END);
      a = &g_array_index (h.anomalies, NtpacAnomaly, h.anomalies->len - 1);
      g_assert_cmpuint (a->frame.number, ==, numbers[1]);
      g_assert_cmpint (a->ts_ns, ==, T0 + 1);
    }
  else
    decode_harness_assert_anomalies (&h, ANOMALIES_END);

  g_assert_true (decode_at (&h, fc, T0 + 2));
  numbers[2] = h.frame.ref.number;
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  assert_reassembled (&h, ipv6, expected, sizeof expected, numbers, 3);
  decode_harness_clear (&h);
}

static void
test_overlap_conflict (void)
{
  const guint8 forged[8] = { 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X' };

  g_test_summary ("Overlapping fragments with different bytes: reported once, "
                  "and the bytes received first are kept, whichever order");

  check_overlap (FALSE, FALSE, forged, TRUE);
  check_overlap (FALSE, TRUE, forged, TRUE);
  check_overlap (TRUE, FALSE, forged, TRUE);
  check_overlap (TRUE, TRUE, forged, TRUE);
}

static void
test_overlap_same_bytes (void)
{
  g_autofree guint8 *udp = new_udp_bytes (40, 21);

  g_test_summary ("Overlapping fragments that agree are no anomaly");

  check_overlap (FALSE, FALSE, udp + 16, FALSE);
  check_overlap (FALSE, TRUE, udp + 16, FALSE);
  check_overlap (TRUE, TRUE, udp + 16, FALSE);
}

static void
test_overlap_conflict_reported_once (void)
{
  g_autofree guint8 *udp = new_udp_bytes (40, 1);
  guint8 forged[24];
  DecodeHarness h;

  g_test_summary ("A datagram with several conflicting overlaps is reported "
                  "once");

  memset (forged, 'Y', sizeof forged);
  decode_harness_init (&h, NULL);
  {
    g_autoptr(NtpacTestPacket) a = new_ipv4_fragment (1, 0, TRUE, udp, 24);
    g_autoptr(NtpacTestPacket) b = new_ipv4_fragment (1, 0, TRUE, forged, 24);
    g_autoptr(NtpacTestPacket) c = new_ipv4_fragment (1, 8, TRUE, forged, 16);
    g_autoptr(NtpacTestPacket) d = new_ipv4_fragment (1, 24, FALSE, udp + 24,
                                                       24);

    g_assert_false (decode_at (&h, a, T0));
    g_assert_false (decode_at (&h, b, T0 + 1));
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT,
                                     ANOMALIES_END);
    g_assert_false (decode_at (&h, c, T0 + 2));
    decode_harness_assert_anomalies (&h, ANOMALIES_END);
    g_assert_true (decode_at (&h, d, T0 + 3));
    decode_harness_assert_anomalies (&h, ANOMALIES_END);
    g_assert_cmpmem (h.packet.payload, h.packet.payload_len, udp + 8, 40);
  }
  decode_harness_clear (&h);
}

static void
test_conflicting_ends (void)
{
  g_autofree guint8 *udp = new_udp_bytes (32, 61);
  g_autoptr(NtpacTestPacket) end_a = NULL;
  g_autoptr(NtpacTestPacket) end_b = NULL;
  g_autoptr(NtpacTestPacket) first = NULL;
  DecodeHarness h;

  g_test_summary ("Two last fragments giving the datagram different lengths "
                  "are reported; the first one received sets the length");

  udp[5] = 32;  /* UDP length: the datagram ends with the first last fragment */
  end_a = new_ipv4_fragment (9, 16, FALSE, udp + 16, 16);
  end_b = new_ipv4_fragment (9, 16, FALSE, udp + 16, 24);
  first = new_ipv4_fragment (9, 0, TRUE, udp, 16);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, end_a, T0));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_false (decode_at (&h, end_b, T0 + 1));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT,
                                   ANOMALIES_END);
  g_assert_true (decode_at (&h, first, T0 + 2));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (ntpac_buffer_get_captured (h.packet.reassembled), ==, 32);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, udp + 8, 24);
  decode_harness_clear (&h);
}

static void
test_interleaved (void)
{
  guint8 payload_a[200], payload_b[200];
  g_autoptr(NtpacTestPacket) a = NULL;
  g_autoptr(NtpacTestPacket) b = NULL;
  g_autoptr(GPtrArray) fa = NULL;
  g_autoptr(GPtrArray) fb = NULL;
  DecodeHarness h;

  g_test_summary ("Fragments of two datagrams between the same hosts, told "
                  "apart by their identification, interleaved");

  fill_pattern (payload_a, sizeof payload_a, 67);
  fill_pattern (payload_b, sizeof payload_b, 71);
  a = new_udp_datagram (FALSE, 100, payload_a, sizeof payload_a);
  b = new_udp_datagram (FALSE, 101, payload_b, sizeof payload_b);
  fa = fragment_in_ethernet (a, 72);
  fb = fragment_in_ethernet (b, 72);
  g_assert_cmpuint (fa->len, ==, 3);
  g_assert_cmpuint (fb->len, ==, 3);

  decode_harness_init (&h, NULL);
  for (guint i = 0; i < 3; i++)
    {
      NtpacTestPacket *from_a = g_ptr_array_index (fa, i);
      NtpacTestPacket *from_b = g_ptr_array_index (fb, 2 - i);

      g_assert_cmpint (decode_at (&h, from_a, T0 + 2 * i), ==, i == 2);
      g_assert_cmpint (decode_at (&h, from_b, T0 + 2 * i + 1), ==, i == 2);
    }
  /* The last frame completed B, from frames 2, 4 and 6. */
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload_b,
                   sizeof payload_b);
  g_assert_cmpuint (h.packet.n_fragments, ==, 3);
  g_assert_cmpuint (h.packet.fragments[0].number, ==, 2);
  g_assert_cmpuint (h.packet.fragments[1].number, ==, 4);
  g_assert_cmpuint (h.packet.fragments[2].number, ==, 6);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->datagrams_reassembled,
                    ==, 2);
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_empty_fragment (void)
{
  g_autofree guint8 *udp = new_udp_bytes (24, 79);
  g_autoptr(NtpacTestPacket) first = new_ipv4_fragment (12, 0, TRUE, udp, 16);
  g_autoptr(NtpacTestPacket) empty = new_ipv4_fragment (12, 16, TRUE, NULL, 0);
  g_autoptr(NtpacTestPacket) last = new_ipv4_fragment (12, 16, FALSE, udp + 16,
                                                        16);
  DecodeHarness h;

  g_test_summary ("A fragment with no data, twice: held and compared like "
                  "any other (no null pointer reaches memcmp), and the "
                  "datagram still completes");

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, first, T0));
  g_assert_false (decode_at (&h, empty, T0 + 1));
  g_assert_false (decode_at (&h, empty, T0 + 2));
  g_assert_true (decode_at (&h, last, T0 + 3));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, udp + 8, 24);
  g_assert_cmpuint (h.packet.n_fragments, ==, 4);
  g_assert_cmpuint (decode_harness_count (&h, NTPAC_ANOMALY_FRAG_BAD_LENGTH),
                    ==, 0);
  decode_harness_clear (&h);
}

static void
test_bad_length (void)
{
  g_autofree guint8 *udp = new_udp_bytes (40, 5);
  g_autoptr(NtpacTestPacket) a = new_ipv4_fragment (2, 0, TRUE, udp, 20);
  g_autoptr(NtpacTestPacket) b = new_ipv4_fragment (2, 16, FALSE, udp + 16, 32);
  DecodeHarness h;

  g_test_summary ("A fragment with more to come and a length that is not a "
                  "multiple of 8 is reported; its bytes still count");

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, a, T0));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_BAD_LENGTH,
                                   ANOMALIES_END);
  g_assert_true (decode_at (&h, b, T0 + 1));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, udp + 8, 40);
  decode_harness_clear (&h);
}

/* ---- datagrams that cannot be reassembled ------------------------------- */

static void
check_too_large (gboolean ipv6)
{
  g_autofree guint8 *udp = new_udp_bytes (8, 0);
  g_autoptr(NtpacTestPacket) first = NULL;
  g_autoptr(NtpacTestPacket) far = NULL;
  g_autoptr(NtpacTestPacket) again = NULL;
  DecodeHarness h;

  if (ipv6)
    {
      first = new_ipv6_fragment (IPV6_ID, 0, TRUE, udp, 16);
      far = new_ipv6_fragment (IPV6_ID, 65528, FALSE, udp, 16);
    }
  else
    {
      first = new_ipv4_fragment (IPV4_ID, 0, TRUE, udp, 16);
      far = new_ipv4_fragment (IPV4_ID, 65528, FALSE, udp, 16);
    }

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, first, T0));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_false (decode_at (&h, far, T0 + 1));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_TOO_LARGE,
                                   ANOMALIES_END);
  g_assert_cmpuint (g_array_index (h.anomalies, NtpacAnomaly, 0).frame.number,
                    ==, 2);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_REASSEMBLED, ==, 0);
  g_assert_null (h.packet.reassembled);

  /* The datagram is gone: nothing is left to report at the end. */
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->datagrams_reassembled,
                    ==, 0);
  decode_harness_clear (&h);

  /* A single fragment reaching past 65535 bytes on its own. */
  again = ipv6 ? new_ipv6_fragment (7, 65528, TRUE, udp, 8) :
                 new_ipv4_fragment (7, 65528, TRUE, udp, 8);
  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, again, T0));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_TOO_LARGE,
                                   ANOMALIES_END);
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_too_large (void)
{
  g_test_summary ("Fragments reaching beyond 65535 bytes drop their datagram");
  check_too_large (FALSE);
  check_too_large (TRUE);
}

static void
test_too_many (void)
{
  guint8 eight[8] = { 0 };
  DecodeHarness h;

  g_test_summary ("More than 1024 distinct fragments drop the datagram");

  decode_harness_init (&h, NULL);
  for (guint i = 0; i <= 1024; i++)
    {
      g_autoptr(NtpacTestPacket) f = NULL;

      eight[0] = i & 0xff;
      f = new_ipv4_fragment (3, i * 8, TRUE, eight, sizeof eight);
      g_assert_false (decode_at (&h, f, T0 + i));
      if (i < 1024)
        decode_harness_assert_anomalies (&h, ANOMALIES_END);
      else
        decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_TOO_MANY,
                                         ANOMALIES_END);
    }
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_timeout (void)
{
  guint8 payload[200];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  NtpacDecoderConfig config;
  const NtpacAnomaly *a;
  DecodeHarness h;

  g_test_summary ("A datagram still incomplete when a fragment arrives more "
                  "than the timeout (in capture time) after its first one is "
                  "dropped: its late fragments are not reassembled with it");

  fill_pattern (payload, sizeof payload, 17);
  datagram = new_udp_datagram (FALSE, IPV4_ID, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 72);
  g_assert_cmpuint (fragments->len, ==, 3);

  ntpac_decoder_config_init (&config);
  config.frag_timeout_ns = SECOND;
  decode_harness_init (&h, &config);

  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  /* The second fragment is lost; the last comes two seconds later. */
  g_assert_false (
      decode_at (&h, g_ptr_array_index (fragments, 2), T0 + 2 * SECOND));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_TIMEOUT,
                                   ANOMALIES_END);
  a = &g_array_index (h.anomalies, NtpacAnomaly, 0);
  g_assert_cmpuint (a->frame.number, ==, 1);
  assert_held (&h, FALSE);

  /* The lost fragment turns up: the first one is gone, nothing completes. */
  g_assert_false (
      decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 2 * SECOND + 1));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  assert_held (&h, FALSE);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->datagrams_reassembled,
                    ==, 0);

  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_INCOMPLETE,
                                   ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_timeout_boundary (void)
{
  guint8 payload[200];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  NtpacDecoderConfig config;
  DecodeHarness h;

  g_test_summary ("A fragment arriving exactly the timeout after the first "
                  "one still completes the datagram");

  fill_pattern (payload, sizeof payload, 19);
  datagram = new_udp_datagram (TRUE, 0, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 72);
  g_assert_cmpuint (fragments->len, ==, 3);

  ntpac_decoder_config_init (&config);
  config.frag_timeout_ns = SECOND;
  decode_harness_init (&h, &config);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_false (
      decode_at (&h, g_ptr_array_index (fragments, 1), T0 + SECOND / 2));
  g_assert_true (decode_at (&h, g_ptr_array_index (fragments, 2), T0 + SECOND));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   sizeof payload);
  decode_harness_clear (&h);
}

static void
test_memory_cap (void)
{
  const guint n_datagrams = 40;
  const gsize cap = 4096;
  guint8 piece[256];
  NtpacDecoderConfig config;
  guint64 dropped, incomplete;
  DecodeHarness h;

  g_test_summary ("Incomplete datagrams beyond the memory cap are dropped "
                  "oldest first, so the fragments held stay under the cap");

  fill_pattern (piece, sizeof piece, 23);
  ntpac_decoder_config_init (&config);
  config.frag_memory_cap = cap;
  decode_harness_init (&h, &config);
  for (guint i = 0; i < n_datagrams; i++)
    {
      g_autoptr(NtpacTestPacket) f = new_ipv4_fragment (1000 + i, 0, TRUE,
                                                         piece, sizeof piece);

      g_assert_false (decode_at (&h, f, T0 + i));
    }

  /* Oldest first: the datagrams of frames 1, 2, 3… */
  dropped = decode_harness_count (&h, NTPAC_ANOMALY_FRAG_MEMORY_CAP);
  g_assert_cmpuint (dropped, >=, n_datagrams - cap / sizeof piece);
  g_assert_cmpuint (dropped, <, n_datagrams);
  g_assert_cmpuint (h.anomalies->len, ==, dropped);
  for (guint i = 0; i < dropped; i++)
    {
      const NtpacAnomaly *a = &g_array_index (h.anomalies, NtpacAnomaly, i);

      g_assert_cmpint (a->kind, ==, NTPAC_ANOMALY_FRAG_MEMORY_CAP);
      g_assert_cmpuint (a->frame.number, ==, i + 1);
    }

  /* What is left fits in the cap. */
  decode_harness_finish (&h);
  incomplete = decode_harness_count (&h, NTPAC_ANOMALY_FRAG_INCOMPLETE);
  g_assert_cmpuint (dropped + incomplete, ==, n_datagrams);
  g_assert_cmpuint (incomplete * sizeof piece, <=, cap);
  for (guint i = dropped; i < h.anomalies->len; i++)
    g_assert_cmpuint (g_array_index (h.anomalies, NtpacAnomaly, i).frame.number,
                      ==, i + 1);
  decode_harness_clear (&h);
}

static void
test_memory_cap_late_fragment (void)
{
  g_autofree guint8 *udp = new_udp_bytes (504, 29);
  g_autoptr(NtpacTestPacket) a_first = new_ipv4_fragment (1, 0, TRUE, udp, 256);
  g_autoptr(NtpacTestPacket) a_last = new_ipv4_fragment (1, 256, FALSE,
                                                          udp + 256, 256);
  g_autoptr(NtpacTestPacket) b_first = new_ipv4_fragment (2, 0, TRUE, udp, 256);
  NtpacDecoderConfig config;
  DecodeHarness h;

  g_test_summary ("A datagram dropped for the memory cap is not completed "
                  "by its late fragment");

  ntpac_decoder_config_init (&config);
  config.frag_memory_cap = 600;  /* one datagram of 256 bytes, not two */
  decode_harness_init (&h, &config);
  g_assert_false (decode_at (&h, a_first, T0));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_false (decode_at (&h, b_first, T0 + 1));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_MEMORY_CAP,
                                   ANOMALIES_END);
  g_assert_cmpuint (g_array_index (h.anomalies, NtpacAnomaly, 0).frame.number,
                    ==, 1);
  g_assert_false (decode_at (&h, a_last, T0 + 2));
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_REASSEMBLED, ==, 0);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->datagrams_reassembled,
                    ==, 0);
  decode_harness_clear (&h);
}

static void
test_duplicate_flood (void)
{
  const gsize cap = 4096;
  g_autofree guint8 *udp = new_udp_bytes (56, 73);
  g_autoptr(NtpacTestPacket) first = new_ipv4_fragment (11, 0, TRUE, udp, 32);
  g_autoptr(NtpacTestPacket) last = new_ipv4_fragment (11, 32, FALSE, udp + 32,
                                                        32);
  NtpacDecoderConfig config;
  gboolean usable;
  guint64 dropped;
  DecodeHarness h;

  g_test_summary ("The same fragment repeated thousands of times: what the "
                  "reassembly keeps about it (the frames it came in) stays "
                  "within the memory cap, or the datagram is dropped");

  ntpac_decoder_config_init (&config);
  config.frag_memory_cap = cap;
  decode_harness_init (&h, &config);
  for (guint i = 0; i < 5000; i++)
    g_assert_false (decode_at (&h, first, T0 + i));
  usable = decode_at (&h, last, T0 + 5000);
  dropped = decode_harness_count (&h, NTPAC_ANOMALY_FRAG_MEMORY_CAP) +
            decode_harness_count (&h, NTPAC_ANOMALY_FRAG_TOO_MANY);
  if (usable)
    g_assert_cmpuint (h.packet.n_fragments * sizeof (NtpacFrameRef), <=, cap);
  else
    g_assert_cmpuint (dropped, >, 0);
  decode_harness_clear (&h);
}

static void
count_defrag_anomaly (const NtpacAnomaly *anomaly,
                      gpointer            user_data)
{
  guint *counts = user_data;

  counts[anomaly->kind]++;
}

static void
test_memory_bound (void)
{
  const gsize cap = 8192;
  guint counts[NTPAC_ANOMALY_N_CORE_KINDS] = { 0 };
  guint8 piece[512];
  NtpacDefrag *defrag;
  NtpacFrame frame = { 0 };
  guint pending;

  g_test_summary ("The reassembly table's own count of the bytes it holds "
                  "never exceeds the cap, however many datagrams come");

  fill_pattern (piece, sizeof piece, 31);
  defrag = ntpac_defrag_new (30 * SECOND, cap, count_defrag_anomaly, counts);
  for (guint i = 0; i < 200; i++)
    {
      NtpacDefragKey key = { 0 };
      NtpacDefragResult result = { 0 };
      NtpacDefragStatus status;

      key.family = 4;
      key.proto = 17;
      key.id = i;
      key.src[0] = 192;
      key.dst[0] = 198;
      frame.ref.number = i + 1;
      frame.ts_ns = T0 + i;
      status = ntpac_defrag_add (defrag, &key, &frame, 0, TRUE, 17, piece,
                                 sizeof piece, sizeof piece, &result);
      g_assert_cmpint (status, ==, NTPAC_DEFRAG_HELD);
      g_assert_null (result.datagram);
      g_assert_cmpuint (ntpac_defrag_get_memory (defrag), <=, cap);
      g_assert_cmpuint (ntpac_defrag_get_pending (defrag), <=,
                        cap / sizeof piece);
      g_assert_cmpuint (ntpac_defrag_get_pending (defrag) +
                            counts[NTPAC_ANOMALY_FRAG_MEMORY_CAP],
                        ==, i + 1);
    }
  pending = ntpac_defrag_get_pending (defrag);
  g_assert_cmpuint (pending, >, 0);

  /* What is held at the end is reported once each. */
  ntpac_defrag_flush (defrag);
  g_assert_cmpuint (counts[NTPAC_ANOMALY_FRAG_INCOMPLETE], ==, pending);
  g_assert_cmpuint (ntpac_defrag_get_memory (defrag), ==, 0);
  g_assert_cmpuint (ntpac_defrag_get_pending (defrag), ==, 0);

  /* One fragment larger than the cap is dropped, never held. */
  {
    g_autofree guint8 *big = g_malloc0 (cap + 1);
    NtpacDefragKey key = { 0 };
    NtpacDefragResult result = { 0 };

    key.family = 6;
    key.id = 99999;
    frame.ref.number = 1000;
    g_assert_cmpint (ntpac_defrag_add (defrag, &key, &frame, 0, TRUE, 17, big,
                                       cap + 1, cap + 1, &result),
                     ==, NTPAC_DEFRAG_DROPPED);
    g_assert_null (result.datagram);
    g_assert_cmpuint (ntpac_defrag_get_memory (defrag), ==, 0);
    g_assert_cmpuint (ntpac_defrag_get_pending (defrag), ==, 0);
  }
  ntpac_defrag_free (defrag);
}

static void
test_incomplete (void)
{
  guint8 payload[200];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  const NtpacAnomaly *a;
  DecodeHarness h;

  g_test_summary ("A datagram missing a fragment at the end of the capture "
                  "is reported, against the last fragment that came");

  fill_pattern (payload, sizeof payload, 37);
  datagram = new_udp_datagram (FALSE, IPV4_ID, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 72);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_false (
      decode_at (&h, g_ptr_array_index (fragments, 2), T0 + SECOND));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_INCOMPLETE,
                                   ANOMALIES_END);
  a = &g_array_index (h.anomalies, NtpacAnomaly, 0);
  g_assert_cmpuint (a->frame.number, ==, 2);

  /* Finishing again finds nothing more. */
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_anomaly_time (void)
{
  guint8 payload[200];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  const NtpacAnomaly *a;
  DecodeHarness h;

  g_test_summary ("A reassembly anomaly names a frame and carries that "
                  "frame's timestamp (NtpacAnomaly.ts_ns)");

  fill_pattern (payload, sizeof payload, 41);
  datagram = new_udp_datagram (FALSE, IPV4_ID, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 72);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_false (
      decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 5 * SECOND));
  decode_harness_finish (&h);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_FRAG_INCOMPLETE,
                                   ANOMALIES_END);
  a = &g_array_index (h.anomalies, NtpacAnomaly, 0);
  g_assert_cmpuint (a->frame.number, ==, 2);
  g_assert_cmpint (a->ts_ns, ==, T0 + 5 * SECOND);
  decode_harness_clear (&h);
}

/* ---- fragments cut by the snap length ----------------------------------- */

static void
test_snaplen_last_fragment (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("The last fragment cut by the snap length: the datagram's "
                  "length is that of the fragment on the wire, so UDP is not "
                  "malformed; the payload is marked truncated, as it would be "
                  "without fragmentation");

  fill_pattern (payload, sizeof payload, 53);
  datagram = new_udp_datagram (FALSE, IPV4_ID, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 128);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 1));
  data = ntpac_test_packet_get_data (g_ptr_array_index (fragments, 2), &len);
  g_assert_true (decode_harness_decode (&h, data, len - 20, len,
                                        NTPAC_LINKTYPE_ETHERNET, T0 + 2));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.flags, ==,
                    NTPAC_PACKET_REASSEMBLED | NTPAC_PACKET_PAYLOAD_TRUNCATED);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (h.packet.payload_reported, ==, PAYLOAD_LEN);
  g_assert_cmpuint (h.packet.payload_len, ==, PAYLOAD_LEN - 20);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   PAYLOAD_LEN - 20);
  decode_harness_clear (&h);
}

static void
test_snaplen_middle_fragment (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) datagram = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("A fragment cut by the snap length had, on the wire, the "
                  "length its IP header gives (a multiple of 8): it is not a "
                  "fragment of bad length");

  fill_pattern (payload, sizeof payload, 59);
  datagram = new_udp_datagram (FALSE, IPV4_ID, payload, sizeof payload);
  fragments = fragment_in_ethernet (datagram, 128);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0));
  data = ntpac_test_packet_get_data (g_ptr_array_index (fragments, 1), &len);
  g_assert_false (decode_harness_decode (&h, data, len - 20, len,
                                         NTPAC_LINKTYPE_ETHERNET, T0 + 1));
  g_assert_cmpuint (decode_harness_count (&h, NTPAC_ANOMALY_FRAG_BAD_LENGTH),
                    ==, 0);
  decode_harness_clear (&h);
}

/* ---- fragments in tunnels ----------------------------------------------- */

static void
test_gre_inner_fragments (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) inner = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  const guint8 *whole;
  gsize whole_len;
  guint numbers[3];
  const guint order[3] = { 1, 2, 0 };
  DecodeHarness h;

  g_test_summary ("A UDP datagram fragmented inside a GRE tunnel: each frame "
                  "is outer IPv4, GRE, an inner IPv4 fragment");

  fill_pattern (payload, sizeof payload, 43);
  inner = new_udp_datagram (FALSE, 0x5151, payload, sizeof payload);
  whole = ntpac_test_packet_get_data (inner, &whole_len);
  fragments = ntpac_test_packet_fragment (inner, 104, 0);
  g_assert_cmpuint (fragments->len, ==, 3);
  for (guint i = 0; i < fragments->len; i++)
    {
      NtpacTestPacket *f = g_ptr_array_index (fragments, i);

      ntpac_test_packet_gre (f, NTPAC_TEST_GRE_KEY, 7, 0);
      ntpac_test_packet_ipv4 (f, OUTER_SRC4, OUTER_DST4);
      ntpac_test_packet_ethernet (f, NULL, NULL);
    }

  decode_harness_init (&h, NULL);
  for (guint i = 0; i < 3; i++)
    {
      gboolean usable = decode_at (&h, g_ptr_array_index (fragments, order[i]),
                                   T0 + i);

      numbers[i] = h.frame.ref.number;
      decode_harness_assert_anomalies (&h, ANOMALIES_END);
      if (i < 2)
        {
          g_assert_false (usable);
          g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_FRAGMENT_HELD, ==,
                            NTPAC_PACKET_FRAGMENT_HELD);
          ASSERT_LAYERS (&h.packet,
                         { NTPAC_LAYER_ETHERNET, 0, 0 },
                         { NTPAC_LAYER_IPV4, 0, 14 },
                         { NTPAC_LAYER_GRE, 7, 34 },
                         { NTPAC_LAYER_IPV4, 0, 42 });
        }
      else
        g_assert_true (usable);
    }

  g_assert_cmpuint (h.packet.flags, ==,
                    NTPAC_PACKET_REASSEMBLED | NTPAC_PACKET_TUNNELLED);
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV4);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (h.packet.n_ip, ==, 2);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 7, 34 },
                 { NTPAC_LAYER_IPV4, 0, 42 },
                 { NTPAC_LAYER_UDP, 0, 0, TRUE });
  assert_tuple (&h.packet, SRC4, DST4, UDP_SPORT, UDP_DPORT, 17);
  g_assert_cmpmem (ntpac_buffer_get_data (h.packet.reassembled, NULL),
                   ntpac_buffer_get_captured (h.packet.reassembled),
                   whole + 20, whole_len - 20);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   sizeof payload);
  g_assert_cmpuint (h.packet.n_fragments, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (h.packet.fragments[i].number, ==, numbers[i]);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->tunnelled, ==, 1);
  decode_harness_clear (&h);
}

static void
test_gre_outer_fragments (void)
{
  guint8 payload[PAYLOAD_LEN];
  g_autoptr(NtpacTestPacket) outer = NULL;
  g_autoptr(GPtrArray) fragments = NULL;
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  g_test_summary ("A GRE tunnel packet fragmented on the outside: the "
                  "tunnel and inner headers lie in the reassembled datagram");

  fill_pattern (payload, sizeof payload, 47);
  outer = new_udp_datagram (FALSE, 0, payload, sizeof payload);
  ntpac_test_packet_gre (outer, NTPAC_TEST_GRE_KEY, 8, 0);
  ntpac_test_ipv4_header_init (&ip, OUTER_SRC4, OUTER_DST4);
  ip.identification = 0x7777;
  ntpac_test_packet_ipv4_full (outer, &ip);
  fragments = fragment_in_ethernet (outer, 128);
  g_assert_cmpuint (fragments->len, ==, 3);

  decode_harness_init (&h, NULL);
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 2), T0));
  g_assert_false (decode_at (&h, g_ptr_array_index (fragments, 0), T0 + 1));
  g_assert_true (decode_at (&h, g_ptr_array_index (fragments, 1), T0 + 2));
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.flags, ==,
                    NTPAC_PACKET_REASSEMBLED | NTPAC_PACKET_TUNNELLED);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 8, 0, TRUE },
                 { NTPAC_LAYER_IPV4, 0, 8, TRUE },
                 { NTPAC_LAYER_UDP, 0, 28, TRUE });
  assert_tuple (&h.packet, SRC4, DST4, UDP_SPORT, UDP_DPORT, 17);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, payload,
                   sizeof payload);
  decode_harness_clear (&h);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test; the other tests still run. */
  g_test_set_nonfatal_assertions ();

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autofree gchar *v4 = g_strdup_printf ("/defrag/ipv4/%s",
                                              orders[i].name);
      g_autofree gchar *v6 = g_strdup_printf ("/defrag/ipv6/%s",
                                              orders[i].name);

      g_test_add_data_func (v4, &orders[i], test_ipv4_order);
      g_test_add_data_func (v6, &orders[i], test_ipv6_order);
    }
  g_test_add_func ("/defrag/ipv6/tuple-protocol", test_ipv6_tuple_protocol);
  g_test_add_func ("/defrag/ipv6/unfragmentable-part",
                   test_ipv6_unfragmentable_part);
  g_test_add_func ("/defrag/ipv6/extension-after-fragment",
                   test_ipv6_extension_after_fragment);
  g_test_add_func ("/defrag/overlap/conflict", test_overlap_conflict);
  g_test_add_func ("/defrag/overlap/same-bytes", test_overlap_same_bytes);
  g_test_add_func ("/defrag/overlap/reported-once",
                   test_overlap_conflict_reported_once);
  g_test_add_func ("/defrag/overlap/conflicting-ends", test_conflicting_ends);
  g_test_add_func ("/defrag/interleaved", test_interleaved);
  g_test_add_func ("/defrag/bad-length", test_bad_length);
  g_test_add_func ("/defrag/too-large", test_too_large);
  g_test_add_func ("/defrag/too-many", test_too_many);
  g_test_add_func ("/defrag/timeout", test_timeout);
  g_test_add_func ("/defrag/timeout-boundary", test_timeout_boundary);
  g_test_add_func ("/defrag/memory-cap", test_memory_cap);
  g_test_add_func ("/defrag/memory-cap-late-fragment",
                   test_memory_cap_late_fragment);
  g_test_add_func ("/defrag/memory-bound", test_memory_bound);
  g_test_add_func ("/defrag/duplicate-flood", test_duplicate_flood);
  g_test_add_func ("/defrag/incomplete", test_incomplete);
  g_test_add_func ("/defrag/anomaly-time", test_anomaly_time);
  g_test_add_func ("/defrag/snaplen/last-fragment", test_snaplen_last_fragment);
  g_test_add_func ("/defrag/snaplen/middle-fragment",
                   test_snaplen_middle_fragment);
  g_test_add_func ("/defrag/gre-inner-fragments", test_gre_inner_fragments);
  g_test_add_func ("/defrag/gre-outer-fragments", test_gre_outer_fragments);

  /* Last: in sanitizer builds it may stop the program (see its summary). */
  g_test_add_func ("/defrag/edge/empty-fragment", test_empty_fragment);

  return g_test_run ();
}
