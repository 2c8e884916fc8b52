/* test-decoder.c: link, network and transport decoding
 *
 * Every frame is built byte by byte with the frame builder of tests/lib,
 * decoded from an exact copy of its captured bytes, and checked layer by
 * layer: the protocols found, the 5-tuple, the header stack with its
 * offsets and values, the payload, and the anomalies counted (by the
 * decoder's statistics and by the anomaly callback, which must agree).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "decode-harness.h"

#define SRC4        "192.0.2.1"
#define DST4        "198.51.100.2"
#define OUTER_SRC4  "203.0.113.1"
#define OUTER_DST4  "203.0.113.2"
#define SRC6        "2001:db8::1"
#define DST6        "2001:db8::2"

#define TCP_SPORT   40000
#define TCP_DPORT   80
#define TCP_SEQ     0x01020304u
#define TCP_ACK     0xa0b0c0d0u
#define TCP_FLAGS   (NTPAC_TEST_TCP_PSH | NTPAC_TEST_TCP_ACK)

#define UDP_SPORT   40001
#define UDP_DPORT   53

static const guint8 http_get[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
#define HTTP_GET_LEN (sizeof http_get - 1)

static const guint8 dns_query[] = {
  0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
  0x00, 0x01, 0x00, 0x01,
};

static const guint8 arp_request[28] = {
  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 192, 0, 2, 1,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 198, 51, 100, 2,
};

/* ---- fixtures ----------------------------------------------------------- */

/* The HTTP request in a TCP segment; wrap it in IP and the rest. */
static NtpacTestPacket *
new_tcp (void)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (http_get,
                                                           HTTP_GET_LEN);

  ntpac_test_packet_tcp (p, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK, TCP_FLAGS,
                         NULL);
  return p;
}

/* The DNS query in a UDP datagram. */
static NtpacTestPacket *
new_udp (void)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (dns_query,
                                                           sizeof dns_query);

  ntpac_test_packet_udp (p, UDP_SPORT, UDP_DPORT);
  return p;
}

static NtpacTestPacket *
new_tcp_ipv4 (void)
{
  NtpacTestPacket *p = new_tcp ();

  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  return p;
}

static NtpacTestPacket *
new_udp_ipv4 (void)
{
  NtpacTestPacket *p = new_udp ();

  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  return p;
}

static NtpacTestPacket *
new_tcp_ipv6 (void)
{
  NtpacTestPacket *p = new_tcp ();

  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  return p;
}

static NtpacTestPacket *
new_udp_ipv6 (void)
{
  NtpacTestPacket *p = new_udp ();

  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  return p;
}

/* An Ethernet frame carrying the TCP segment over IPv4, ready to be
 * tunnelled. */
static NtpacTestPacket *
new_inner_ethernet (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* Geneve header with one 8-byte option, then UDP to port 6081. */
static void
wrap_geneve (NtpacTestPacket *p,
             guint32          vni,
             guint16          protocol)
{
  const guint8 header[16] = {
    0x02,                                   /* version 0, 2 words of options */
    0x00,                                   /* flags */
    protocol >> 8, protocol & 0xff,
    (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0x00,
    0x01, 0x02, 0x80, 0x01,                 /* class 0x0102, type 0x80, */
                                            /* 1 word */
    0xde, 0xad, 0xbe, 0xef,
  };

  ntpac_test_packet_prepend (p, header, sizeof header);
  ntpac_test_packet_udp (p, 50001, 6081);
}

/* GTPv1-U G-PDU header, then UDP between ports 2152. With
 * @with_extension, a sequence number and one PDU session extension
 * header (4 + 4 bytes) follow the mandatory 8 bytes. */
static void
wrap_gtpu (NtpacTestPacket *p,
           guint32          teid,
           gboolean         with_extension)
{
  gsize inner = ntpac_test_packet_get_length (p);

  if (with_extension)
    {
      const guint8 extension[8] = {
        0x00, 0x2a,        /* sequence number */
        0x00,              /* N-PDU number */
        0x85,              /* next extension: PDU session container */
        0x01, 0x00, 0x09,  /* one 4-byte unit */
        0x00,              /* no further extension */
      };

      ntpac_test_packet_prepend (p, extension, sizeof extension);
      inner += sizeof extension;
    }
  {
    const guint8 header[8] = {
      with_extension ? 0x34 : 0x30,   /* version 1, PT, E flag */
      0xff,                           /* G-PDU */
      (inner >> 8) & 0xff, inner & 0xff,
      (teid >> 24) & 0xff, (teid >> 16) & 0xff, (teid >> 8) & 0xff, teid & 0xff,
    };

    ntpac_test_packet_prepend (p, header, sizeof header);
  }
  ntpac_test_packet_udp (p, 2152, 2152);
}

static void
assert_tcp_header (const NtpacPacket *p,
                   guint              header_len)
{
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_TCP);
  g_assert_cmpuint (p->tcp.seq, ==, TCP_SEQ);
  g_assert_cmpuint (p->tcp.ack, ==, TCP_ACK);
  g_assert_cmpuint (p->tcp.flags, ==, NTPAC_TCP_PSH | NTPAC_TCP_ACK);
  g_assert_cmpuint (p->tcp.window, ==, 65535);
  g_assert_cmpuint (p->tcp.header_len, ==, header_len);
}

/* The frame decoded to the HTTP request over TCP at @payload_offset,
 * between @src and @dst, through @n_ip IP headers, and nothing was wrong. */
static void
assert_tcp_packet (DecodeHarness *h,
                   NtpacNetProto  net,
                   const gchar   *src,
                   const gchar   *dst,
                   guint          n_ip,
                   gsize          payload_offset)
{
  const NtpacPacket *p = &h->packet;

  g_assert_cmpuint (p->net, ==, net);
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_TCP);
  g_assert_cmpuint (p->n_ip, ==, n_ip);
  g_assert_cmpuint (!!(p->flags & NTPAC_PACKET_TUNNELLED), ==, n_ip > 1);
  g_assert_cmpuint (p->flags &
                        (NTPAC_PACKET_MALFORMED | NTPAC_PACKET_FRAGMENT_HELD |
                         NTPAC_PACKET_REASSEMBLED),
                    ==, 0);
  assert_tuple (p, src, dst, TCP_SPORT, TCP_DPORT, 6);
  assert_tcp_header (p, 20);
  g_assert_null (p->reassembled);
  g_assert_null (p->fragments);
  g_assert_cmpuint (p->n_fragments, ==, 0);
  decode_harness_assert_payload (h, payload_offset, http_get, HTTP_GET_LEN);
  decode_harness_assert_anomalies (h, ANOMALIES_END);
}

/* The same for the DNS query over UDP. */
static void
assert_udp_packet (DecodeHarness *h,
                   NtpacNetProto  net,
                   const gchar   *src,
                   const gchar   *dst,
                   guint          n_ip,
                   gsize          payload_offset)
{
  const NtpacPacket *p = &h->packet;

  g_assert_cmpuint (p->net, ==, net);
  g_assert_cmpuint (p->transport, ==, NTPAC_TRANSPORT_UDP);
  g_assert_cmpuint (p->n_ip, ==, n_ip);
  g_assert_cmpuint (!!(p->flags & NTPAC_PACKET_TUNNELLED), ==, n_ip > 1);
  g_assert_cmpuint (p->flags &
                        (NTPAC_PACKET_MALFORMED | NTPAC_PACKET_FRAGMENT_HELD |
                         NTPAC_PACKET_REASSEMBLED),
                    ==, 0);
  assert_tuple (p, src, dst, UDP_SPORT, UDP_DPORT, 17);
  decode_harness_assert_payload (h, payload_offset, dns_query,
                                 sizeof dns_query);
  decode_harness_assert_anomalies (h, ANOMALIES_END);
}

/* Decodes @p, whole, as one frame of @linktype in a fresh harness. */
static gboolean
decode_fresh (DecodeHarness         *h,
              const NtpacTestPacket *p,
              guint32                linktype)
{
  decode_harness_init (h, NULL);
  return decode_harness_decode_packet (h, p, linktype);
}

/* A copy of the frame's bytes, to damage. */
static guint8 *
frame_copy (const NtpacTestPacket *p,
            gsize                 *len)
{
  const guint8 *data = ntpac_test_packet_get_data (p, len);

  return g_memdup2 (data, *len);
}

/* ---- link layers -------------------------------------------------------- */

static void
test_link_ethernet (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 34 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 54);
  g_assert_cmpuint (h.packet.tcp.mss, ==, 0);
  g_assert_cmpuint (h.packet.tcp.wscale, ==, NTPAC_TCP_NO_WSCALE);
  g_assert_false (h.packet.tcp.sack_permitted);
  g_assert_false (h.packet.tcp.has_timestamps);
  g_assert_cmpuint (h.packet.tcp.n_sack, ==, 0);
  decode_harness_clear (&h);
}

static void
test_link_ethernet_padding (void)
{
  const guint8 four[4] = { 0xca, 0xfe, 0xba, 0xbe };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (four, sizeof four);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("Ethernet pads frames to 60 bytes; the IPv4 total length, "
                  "not the frame, bounds the payload");

  ntpac_test_packet_udp (p, UDP_SPORT, UDP_DPORT);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (len, ==, 46);
  g_byte_array_append (frame, data, len);
  for (guint i = len; i < 60; i++)
    g_byte_array_append (frame, (const guint8 *) "\xee", 1);

  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode (&h, frame->data, frame->len, frame->len,
                                        NTPAC_LINKTYPE_ETHERNET, 1000));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 });
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  assert_tuple (&h.packet, SRC4, DST4, UDP_SPORT, UDP_DPORT, 17);
  decode_harness_assert_payload (&h, 42, four, sizeof four);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);

  /* The same with a trailer after an IPv6 packet. */
  {
    g_autoptr(NtpacTestPacket) p6 = new_udp_ipv6 ();

    ntpac_test_packet_ethernet (p6, NULL, NULL);
    g_byte_array_set_size (frame, 0);
    data = ntpac_test_packet_get_data (p6, &len);
    g_byte_array_append (frame, data, len);
    g_byte_array_append (frame, (const guint8 *) "\xee\xee\xee\xee", 4);
    decode_harness_init (&h, NULL);
    g_assert_true (decode_harness_decode (&h, frame->data, frame->len,
                                          frame->len, NTPAC_LINKTYPE_ETHERNET,
                                          1000));
    assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 62);
    decode_harness_clear (&h);
  }
}

static void
test_link_ieee8023_snap (void)
{
  const guint8 snap[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00 };
  g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
  DecodeHarness h;

  g_test_summary ("An 802.3 length field followed by LLC/SNAP carries the "
                  "EtherType in the SNAP header");

  ntpac_test_packet_prepend (p, snap, sizeof snap);
  ntpac_test_packet_set_ethertype (p, ntpac_test_packet_get_length (p));
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_data (p, NULL)[12] << 8 |
                    ntpac_test_packet_get_data (p, NULL)[13], <=, 1500);

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 22 },
                 { NTPAC_LAYER_UDP, 0, 42 });
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 50);
  decode_harness_clear (&h);

  /* 802.3 with plain LLC (no SNAP) carries no EtherType. */
  {
    const guint8 llc[] = {
      0x42, 0x42, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    };
    g_autoptr(NtpacTestPacket) stp =
        ntpac_test_packet_new_with_payload (llc, sizeof llc);

    ntpac_test_packet_set_ethertype (stp, sizeof llc);
    ntpac_test_packet_ethernet (stp, NULL, NULL);
    g_assert_true (decode_fresh (&h, stp, NTPAC_LINKTYPE_ETHERNET));
    ASSERT_LAYERS (&h.packet, { NTPAC_LAYER_ETHERNET, 0, 0 });
    g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_OTHER);
    g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
    decode_harness_assert_anomalies (&h, ANOMALIES_END);
    decode_harness_clear (&h);
  }
}

static void
test_link_linux_sll (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_linux_sll (p, 4);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_LINUX_SLL));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_LINUX_SLL, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 16 },
                 { NTPAC_LAYER_TCP, 0, 36 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 56);
  decode_harness_clear (&h);

  {
    g_autoptr(NtpacTestPacket) p6 = new_udp_ipv6 ();

    ntpac_test_packet_linux_sll (p6, 0);
    g_assert_true (decode_fresh (&h, p6, NTPAC_LINKTYPE_LINUX_SLL));
    ASSERT_LAYERS (&h.packet,
                   { NTPAC_LAYER_LINUX_SLL, 0, 0 },
                   { NTPAC_LAYER_IPV6, 0, 16 },
                   { NTPAC_LAYER_UDP, 0, 56 });
    assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 64);
    decode_harness_clear (&h);
  }
}

static void
test_link_linux_sll2 (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_linux_sll2 (p, 3, 0);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_LINUX_SLL2));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_LINUX_SLL2, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 20 },
                 { NTPAC_LAYER_TCP, 0, 40 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 60);
  decode_harness_clear (&h);
}

static void
check_null (NtpacTestByteOrder order,
            gboolean           ipv6)
{
  g_autoptr(NtpacTestPacket) p = ipv6 ? new_tcp_ipv6 () : new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_bsd_null (p, order);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_NULL));
  if (ipv6)
    {
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_NULL, 24, 0 },
                     { NTPAC_LAYER_IPV6, 0, 4 },
                     { NTPAC_LAYER_TCP, 0, 44 });
      assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 64);
    }
  else
    {
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_NULL, 2, 0 },
                     { NTPAC_LAYER_IPV4, 0, 4 },
                     { NTPAC_LAYER_TCP, 0, 24 });
      assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 44);
    }
  decode_harness_clear (&h);
}

static void
test_link_null_little_endian (void)
{
  g_test_summary ("LINKTYPE_NULL holds the address family in the byte order "
                  "of the capturing host: here little-endian");
  check_null (NTPAC_TEST_BYTE_ORDER_LITTLE, FALSE);
  check_null (NTPAC_TEST_BYTE_ORDER_LITTLE, TRUE);
}

static void
test_link_null_big_endian (void)
{
  g_test_summary ("LINKTYPE_NULL holds the address family in the byte order "
                  "of the capturing host: here big-endian");
  check_null (NTPAC_TEST_BYTE_ORDER_BIG, FALSE);
  check_null (NTPAC_TEST_BYTE_ORDER_BIG, TRUE);
}

static void
test_link_loop (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  g_autoptr(NtpacTestPacket) p6 = new_udp_ipv6 ();
  DecodeHarness h;

  ntpac_test_packet_bsd_loop (p);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_LOOP));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_NULL, 2, 0 },
                 { NTPAC_LAYER_IPV4, 0, 4 },
                 { NTPAC_LAYER_TCP, 0, 24 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 44);
  decode_harness_clear (&h);

  ntpac_test_packet_bsd_loop (p6);
  g_assert_true (decode_fresh (&h, p6, NTPAC_LINKTYPE_LOOP));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_NULL, 24, 0 },
                 { NTPAC_LAYER_IPV6, 0, 4 },
                 { NTPAC_LAYER_UDP, 0, 44 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 52);
  decode_harness_clear (&h);
}

static void
test_link_raw (void)
{
  const guint32 raw_types[] = {
    NTPAC_LINKTYPE_RAW, NTPAC_LINKTYPE_RAW_OPENBSD, NTPAC_LINKTYPE_RAW_BSDOS,
  };

  g_test_summary (
      "Raw IP link types tell IPv4 from IPv6 by the version nibble");

  for (guint i = 0; i < G_N_ELEMENTS (raw_types); i++)
    {
      g_autoptr(NtpacTestPacket) p4 = new_tcp_ipv4 ();
      g_autoptr(NtpacTestPacket) p6 = new_tcp_ipv6 ();
      DecodeHarness h;

      g_assert_true (decode_fresh (&h, p4, raw_types[i]));
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_IPV4, 0, 0 },
                     { NTPAC_LAYER_TCP, 0, 20 });
      assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 40);
      decode_harness_clear (&h);

      g_assert_true (decode_fresh (&h, p6, raw_types[i]));
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_IPV6, 0, 0 },
                     { NTPAC_LAYER_TCP, 0, 40 });
      assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 60);
      decode_harness_clear (&h);
    }
}

static void
test_link_ipv4 (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
  DecodeHarness h;

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_IPV4));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_IPV4, 0, 0 },
                 { NTPAC_LAYER_UDP, 0, 20 });
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 28);
  decode_harness_clear (&h);
}

static void
test_link_ipv6 (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv6 ();
  DecodeHarness h;

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_IPV6));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_IPV6, 0, 0 },
                 { NTPAC_LAYER_UDP, 0, 40 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 48);
  decode_harness_clear (&h);
}

static void
test_link_unsupported (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  g_assert_true (decode_fresh (&h, p, 9));  /* LINKTYPE_PPP */
  g_assert_cmpuint (h.packet.n_layers, ==, 0);
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_NONE);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_MALFORMED, ==,
                    NTPAC_PACKET_MALFORMED);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_LINK_UNSUPPORTED,
                                   ANOMALIES_END);
  decode_harness_clear (&h);
}

/* ---- shims: VLAN, MPLS, PPPoE ------------------------------------------- */

static void
test_encap_vlan (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 5, 100);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_VLAN, 100, 14 },
                 { NTPAC_LAYER_IPV4, 0, 18 },
                 { NTPAC_LAYER_TCP, 0, 38 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 58);
  decode_harness_clear (&h);
}

static void
test_encap_qinq (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv6 ();
  const guint8 *data;
  DecodeHarness h;

  g_test_summary (
      "802.1ad service tag (0x88a8) outside an 802.1Q customer tag (0x8100)");

  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 200);
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021AD, 3, 3000);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, NULL);
  g_assert_cmpuint (data[12] << 8 | data[13], ==, 0x88a8);
  g_assert_cmpuint (data[16] << 8 | data[17], ==, 0x8100);
  g_assert_cmpuint (data[20] << 8 | data[21], ==, 0x86dd);

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_VLAN, 3000, 14 },
                 { NTPAC_LAYER_VLAN, 200, 18 },
                 { NTPAC_LAYER_IPV6, 0, 22 },
                 { NTPAC_LAYER_UDP, 0, 62 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 70);
  decode_harness_clear (&h);
}

static void
test_encap_mpls (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
  g_autoptr(NtpacTestPacket) p6 = new_tcp_ipv6 ();
  DecodeHarness h;

  ntpac_test_packet_mpls (p, 1000, 0, TRUE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 1000, 14 },
                 { NTPAC_LAYER_IPV4, 0, 18 },
                 { NTPAC_LAYER_UDP, 0, 38 });
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 46);
  decode_harness_clear (&h);

  ntpac_test_packet_mpls (p6, 0xfffff, 7, TRUE, 1);
  ntpac_test_packet_ethernet (p6, NULL, NULL);
  g_assert_true (decode_fresh (&h, p6, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 0xfffff, 14 },
                 { NTPAC_LAYER_IPV6, 0, 18 },
                 { NTPAC_LAYER_TCP, 0, 58 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 78);
  decode_harness_clear (&h);
}

static void
test_encap_mpls_stack (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  /* Innermost label first: it carries the bottom-of-stack bit. */
  ntpac_test_packet_mpls (p, 300, 0, TRUE, 64);
  ntpac_test_packet_mpls (p, 200, 0, FALSE, 64);
  ntpac_test_packet_mpls (p, 100, 0, FALSE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 100, 14 },
                 { NTPAC_LAYER_MPLS, 200, 18 },
                 { NTPAC_LAYER_MPLS, 300, 22 },
                 { NTPAC_LAYER_IPV4, 0, 26 },
                 { NTPAC_LAYER_TCP, 0, 46 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 66);
  decode_harness_clear (&h);
}

static void
test_encap_mpls_pseudowire (void)
{
  const guint8 control_word[4] = { 0x00, 0x00, 0x00, 0x2a };
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  DecodeHarness h;

  g_test_summary ("Ethernet over an MPLS pseudowire: the zero first nibble "
                  "marks the control word (RFC 4448)");

  ntpac_test_packet_prepend (p, control_word, sizeof control_word);
  ntpac_test_packet_mpls (p, 16, 0, TRUE, 255);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 16, 14 },
                 { NTPAC_LAYER_ETHERNET, 0, 22 },
                 { NTPAC_LAYER_IPV4, 0, 36 },
                 { NTPAC_LAYER_TCP, 0, 56 });
  /* An Ethernet pseudowire is no IP tunnel: one IP header. */
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 76);
  decode_harness_clear (&h);
}

static void
test_encap_mpls_ethernet (void)
{
  const guint8 mac[6] = { 0xa0, 0x36, 0x9f, 0x00, 0x00, 0x01 };
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  g_test_summary ("Ethernet over MPLS without a control word is recognised "
                  "when the first nibble is neither 0, 4 nor 6");

  ntpac_test_packet_ethernet (p, mac, NULL);
  ntpac_test_packet_mpls (p, 17, 0, TRUE, 255);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 17, 14 },
                 { NTPAC_LAYER_ETHERNET, 0, 18 },
                 { NTPAC_LAYER_IPV4, 0, 32 },
                 { NTPAC_LAYER_TCP, 0, 52 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 72);
  decode_harness_clear (&h);
}

static void
test_encap_pppoe_ipv4 (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_pppoe_session (p, 0x1234);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_PPPOE, 0x1234, 14 },
                 { NTPAC_LAYER_PPP, 0, 20 },
                 { NTPAC_LAYER_IPV4, 0, 22 },
                 { NTPAC_LAYER_TCP, 0, 42 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 62);
  decode_harness_clear (&h);
}

static void
test_encap_pppoe_ipv6 (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv6 ();
  DecodeHarness h;

  ntpac_test_packet_pppoe_session (p, 7);
  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 35);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_VLAN, 35, 14 },
                 { NTPAC_LAYER_PPPOE, 7, 18 },
                 { NTPAC_LAYER_PPP, 0, 24 },
                 { NTPAC_LAYER_IPV6, 0, 26 },
                 { NTPAC_LAYER_UDP, 0, 66 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 74);
  decode_harness_clear (&h);
}

/* ---- tunnels ------------------------------------------------------------ */

static void
test_encap_gre (void)
{
  g_test_summary (
      "GRE (RFC 2784, 2890) with every combination of the "
      "checksum, key and sequence fields; the key is the layer value");

  for (guint16 flags = 0; flags < 8; flags++)
    {
      guint16 gre_flags = ((flags & 1) ? NTPAC_TEST_GRE_CHECKSUM : 0) |
                          ((flags & 2) ? NTPAC_TEST_GRE_KEY : 0) |
                          ((flags & 4) ? NTPAC_TEST_GRE_SEQUENCE : 0);
      guint gre_len = 4 + 4 * (!!(flags & 1) + !!(flags & 2) + !!(flags & 4));
      g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
      DecodeHarness h;

      g_test_message ("GRE flags 0x%04x", gre_flags);
      ntpac_test_packet_gre (p, gre_flags, 0xdeadbeef, 77);
      ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
      ntpac_test_packet_ethernet (p, NULL, NULL);
      g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_ETHERNET, 0, 0 },
                     { NTPAC_LAYER_IPV4, 0, 14 },
                     { NTPAC_LAYER_GRE, (flags & 2) ? 0xdeadbeef : 0, 34 },
                     { NTPAC_LAYER_IPV4, 0, 34 + gre_len },
                     { NTPAC_LAYER_UDP, 0, 54 + gre_len });
      assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 62 + gre_len);
      decode_harness_clear (&h);
    }
}

static void
test_encap_gre_ethernet (void)
{
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  DecodeHarness h;

  g_test_summary ("Transparent Ethernet bridging (0x6558) over GRE");

  ntpac_test_packet_gre (p, NTPAC_TEST_GRE_KEY, 42, 0);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_data (p, NULL)[36] << 8 |
                    ntpac_test_packet_get_data (p, NULL)[37], ==, 0x6558);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 42, 34 },
                 { NTPAC_LAYER_ETHERNET, 0, 42 },
                 { NTPAC_LAYER_IPV4, 0, 56 },
                 { NTPAC_LAYER_TCP, 0, 76 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 96);
  decode_harness_clear (&h);
}

static void
test_encap_erspan2 (void)
{
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  DecodeHarness h;

  g_test_summary ("ERSPAN type II: GRE with a sequence number, protocol "
                  "0x88be, an 8-byte header holding the session id");

  ntpac_test_packet_erspan2 (p, 0x155, 10, 7, 99);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 0, 34 },
                 { NTPAC_LAYER_ERSPAN, 0x155, 42 },
                 { NTPAC_LAYER_ETHERNET, 0, 50 },
                 { NTPAC_LAYER_IPV4, 0, 64 },
                 { NTPAC_LAYER_TCP, 0, 84 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 104);
  decode_harness_clear (&h);
}

static void
test_encap_vxlan (void)
{
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  DecodeHarness h;

  ntpac_test_packet_vxlan (p, 0x123456, 50000);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_VXLAN, 0x123456, 42 },
                 { NTPAC_LAYER_ETHERNET, 0, 50 },
                 { NTPAC_LAYER_IPV4, 0, 64 },
                 { NTPAC_LAYER_TCP, 0, 84 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 104);
  decode_harness_clear (&h);
}

static void
test_encap_geneve (void)
{
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  g_autoptr(NtpacTestPacket) ip = new_udp_ipv6 ();
  DecodeHarness h;

  g_test_summary ("Geneve with an option, carrying Ethernet, then carrying "
                  "IPv6 directly; the VNI is the layer value");

  wrap_geneve (p, 0xabcdef, NTPAC_TEST_ETHERTYPE_TEB);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_GENEVE, 0xabcdef, 42 },
                 { NTPAC_LAYER_ETHERNET, 0, 58 },
                 { NTPAC_LAYER_IPV4, 0, 72 },
                 { NTPAC_LAYER_TCP, 0, 92 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 112);
  decode_harness_clear (&h);

  wrap_geneve (ip, 1, NTPAC_TEST_ETHERTYPE_IPV6);
  ntpac_test_packet_ipv4 (ip, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (ip, NULL, NULL);
  g_assert_true (decode_fresh (&h, ip, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_GENEVE, 1, 42 },
                 { NTPAC_LAYER_IPV6, 0, 58 },
                 { NTPAC_LAYER_UDP, 0, 98 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 2, 106);
  decode_harness_clear (&h);
}

static void
test_encap_gtpu (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
  DecodeHarness h;

  wrap_gtpu (p, 0x01020304, FALSE);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_GTPU, 0x01020304, 42 },
                 { NTPAC_LAYER_IPV4, 0, 50 },
                 { NTPAC_LAYER_UDP, 0, 70 });
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 78);
  decode_harness_clear (&h);
}

static void
test_encap_gtpu_extension (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv6 ();
  DecodeHarness h;

  g_test_summary ("GTP-U with a sequence number and an extension header chain");

  wrap_gtpu (p, 0xcafe0001, TRUE);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_GTPU, 0xcafe0001, 42 },
                 { NTPAC_LAYER_IPV6, 0, 58 },
                 { NTPAC_LAYER_TCP, 0, 98 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 2, 118);
  decode_harness_clear (&h);
}

static void
test_encap_teredo (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv6 ();
  DecodeHarness h;

  g_test_summary ("Teredo (RFC 4380): IPv6 in UDP from port 3544, recognised "
                  "by an IPv6 header whose length fills the datagram");

  ntpac_test_packet_udp (p, 3544, 40002);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_TEREDO, 0, 42 },
                 { NTPAC_LAYER_IPV6, 0, 42 },
                 { NTPAC_LAYER_UDP, 0, 82 });
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 2, 90);
  decode_harness_clear (&h);
}

static void
test_encap_teredo_origin (void)
{
  const guint8 origin[8] = { 0x00, 0x00, 0x3f, 0xff, 0x3f, 0x8c, 0x8e, 0xfd };
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv6 ();
  DecodeHarness h;

  g_test_summary ("Teredo with an origin indication before the IPv6 header");

  ntpac_test_packet_prepend (p, origin, sizeof origin);
  ntpac_test_packet_udp (p, 40003, 3544);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_UDP, 0, 34 },
                 { NTPAC_LAYER_TEREDO, 0, 42 },
                 { NTPAC_LAYER_IPV6, 0, 50 },
                 { NTPAC_LAYER_TCP, 0, 90 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 2, 110);
  decode_harness_clear (&h);
}

static void
test_encap_ipip (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  DecodeHarness h;

  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_data (p, NULL)[23], ==, 4);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_IPV4, 0, 34 },
                 { NTPAC_LAYER_TCP, 0, 54 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 74);
  decode_harness_clear (&h);
}

static void
test_encap_ipv6_in_ipv4 (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv6 ();
  DecodeHarness h;

  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_data (p, NULL)[23], ==, 41);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_IPV6, 0, 34 },
                 { NTPAC_LAYER_TCP, 0, 74 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 2, 94);
  decode_harness_clear (&h);
}

static void
test_encap_pptp (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  const guint8 ppp[4] = { 0xff, 0x03, 0x00, 0x21 };
  guint32 key;
  DecodeHarness h;

  g_test_summary (
      "PPTP: enhanced GRE (version 1) with key, sequence and "
      "acknowledgement, carrying PPP with address and control bytes");

  ntpac_test_packet_prepend (p, ppp, sizeof ppp);
  key = (guint32) ntpac_test_packet_get_length (p) << 16 | 0x1234;
  {
    const guint8 gre[16] = {
      0x30, 0x81, 0x88, 0x0b,             /* K, S, A, version 1, PPP */
      key >> 24, (key >> 16) & 0xff, (key >> 8) & 0xff, key & 0xff,
      0x00, 0x00, 0x00, 0x05,             /* sequence */
      0x00, 0x00, 0x00, 0x04,             /* acknowledgement */
    };

    ntpac_test_packet_prepend (p, gre, sizeof gre);
  }
  ntpac_test_packet_set_ip_protocol (p, 47);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, key, 34 },
                 { NTPAC_LAYER_PPP, 0, 50 },
                 { NTPAC_LAYER_IPV4, 0, 54 },
                 { NTPAC_LAYER_TCP, 0, 74 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 94);
  decode_harness_clear (&h);
}

static void
test_encap_ppp_compressed (void)
{
  g_autoptr(NtpacTestPacket) p = new_udp_ipv4 ();
  const guint8 protocol = 0x21;  /* IPv4, protocol field compressed */
  guint16 len;
  DecodeHarness h;

  g_test_summary ("PPPoE session carrying PPP with a one-byte protocol field "
                  "(RFC 1661 protocol field compression)");

  ntpac_test_packet_prepend (p, &protocol, 1);
  len = ntpac_test_packet_get_length (p);
  {
    const guint8 pppoe[6] = { 0x11, 0x00, 0x00, 0x42, len >> 8, len & 0xff };

    ntpac_test_packet_prepend (p, pppoe, sizeof pppoe);
  }
  ntpac_test_packet_set_ethertype (p, NTPAC_TEST_ETHERTYPE_PPPOE_SESSION);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_PPPOE, 0x42, 14 },
                 { NTPAC_LAYER_PPP, 0, 20 },
                 { NTPAC_LAYER_IPV4, 0, 21 },
                 { NTPAC_LAYER_UDP, 0, 41 });
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 49);
  decode_harness_clear (&h);
}

static void
test_encap_erspan1 (void)
{
  g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
  DecodeHarness h;

  g_test_summary ("ERSPAN type I: GRE protocol 0x88be without a sequence "
                  "number, and no ERSPAN header");

  ntpac_test_packet_set_ethertype (p, NTPAC_TEST_ETHERTYPE_ERSPAN_II);
  ntpac_test_packet_gre (p, 0, 0, 0);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 0, 34 },
                 { NTPAC_LAYER_ERSPAN, 0, 38 },
                 { NTPAC_LAYER_ETHERNET, 0, 38 },
                 { NTPAC_LAYER_IPV4, 0, 52 },
                 { NTPAC_LAYER_TCP, 0, 72 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 92);
  decode_harness_clear (&h);
}

static void
test_encap_erspan3 (void)
{
  DecodeHarness h;

  g_test_summary ("ERSPAN type III (GRE protocol 0x22eb), without and with "
                  "the platform-specific subheader");

  for (guint with_subheader = 0; with_subheader < 2; with_subheader++)
    {
      g_autoptr(NtpacTestPacket) p = new_inner_ethernet ();
      const guint8 subheader[8] = { 0x18, 0, 0, 0, 0, 0, 0, 1 };
      const guint8 erspan[12] = {
        0x20, 0x0a, 0x02, 0x99,            /* version 2, VLAN 10, session */
        0x12, 0x34, 0x56, 0x78,            /* timestamp */
        0x00, 0x00, 0x00, with_subheader,  /* Ethernet frame, O bit */
      };
      guint extra = with_subheader ? 8 : 0;

      if (with_subheader)
        ntpac_test_packet_prepend (p, subheader, sizeof subheader);
      ntpac_test_packet_prepend (p, erspan, sizeof erspan);
      ntpac_test_packet_set_ethertype (p, 0x22eb);
      ntpac_test_packet_gre (p, NTPAC_TEST_GRE_SEQUENCE, 0, 3);
      ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
      ntpac_test_packet_ethernet (p, NULL, NULL);
      g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_ETHERNET, 0, 0 },
                     { NTPAC_LAYER_IPV4, 0, 14 },
                     { NTPAC_LAYER_GRE, 0, 34 },
                     { NTPAC_LAYER_ERSPAN, 0x299, 42 },
                     { NTPAC_LAYER_ETHERNET, 0, 54 + extra },
                     { NTPAC_LAYER_IPV4, 0, 68 + extra },
                     { NTPAC_LAYER_TCP, 0, 88 + extra });
      assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 2, 108 + extra);
      decode_harness_clear (&h);
    }
}

static void
test_ipv4_options (void)
{
  const guint8 router_alert[4] = { 0x94, 0x04, 0x00, 0x00 };
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.options = router_alert;
  ip.options_len = sizeof router_alert;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 38 });
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 58);
  decode_harness_clear (&h);
}

static void
test_ipv4_zero_total_length (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  g_test_summary ("A total length of 0 (segmentation offload: left for the "
                  "NIC to fill in) means the rest of the frame");

  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.total_length = 0;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 54);
  decode_harness_clear (&h);
}

static void
test_link_sll_not_ip (void)
{
  const guint8 llc[8] = { 0x42, 0x42, 0x03, 0, 0, 0, 0, 0 };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (llc, sizeof llc);
  DecodeHarness h;

  g_test_summary ("Linux cooked capture of 802.2 frames (protocol 0x0004) "
                  "carries no IP");

  ntpac_test_packet_set_ethertype (p, 0x0004);
  ntpac_test_packet_linux_sll (p, 0);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_LINUX_SLL));
  ASSERT_LAYERS (&h.packet, { NTPAC_LAYER_LINUX_SLL, 0, 0 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_OTHER);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

/* ---- IPv6 extension headers --------------------------------------------- */

static void
test_ipv6_extension_headers (void)
{
  const guint8 option[4] = { 0x1e, 0x02, 0xaa, 0xbb };  /* unknown, skip */
  const gchar *const route[] = { "2001:db8::99", NULL };
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  DecodeHarness h;

  g_test_summary ("Hop-by-hop, routing and destination options headers are "
                  "walked to reach TCP; they are not layers");

  /* 8, 24 and 8 bytes */
  ntpac_test_packet_ipv6_destination_options (p, option, sizeof option);
  ntpac_test_packet_ipv6_routing (p, 2, 1, route);
  ntpac_test_packet_ipv6_hop_by_hop (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_data (p, NULL)[20], ==, 0);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 94 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 114);
  decode_harness_clear (&h);
}

static void
test_ipv6_authentication_header (void)
{
  const guint8 ah[24] = {
    6, 4, 0, 0,                       /* next header TCP, (24 / 4) - 2 */
    0x00, 0x00, 0x10, 0x01,           /* SPI */
    0x00, 0x00, 0x00, 0x07,           /* sequence */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,  /* ICV */
  };
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  DecodeHarness h;

  g_test_summary ("The authentication header counts its length in 4-byte "
                  "units, minus 2 (RFC 4302)");

  ntpac_test_packet_prepend (p, ah, sizeof ah);
  ntpac_test_packet_set_ip_protocol (p, 51);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 78 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 98);
  decode_harness_clear (&h);
}

static void
test_ipv6_atomic_fragment (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  DecodeHarness h;

  g_test_summary ("A fragment header with offset 0 and no more fragments "
                  "(RFC 6946) is passed over, not reassembled");

  ntpac_test_packet_ipv6_fragment_header (p, 0x11223344, 0, FALSE);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 62 });
  assert_tcp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 82);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->fragments, ==, 0);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->datagrams_reassembled,
                    ==, 0);
  decode_harness_clear (&h);
}

/* ---- transport ---------------------------------------------------------- */

/* The HTTP request after @options, over IPv4 and Ethernet. */
static NtpacTestPacket *
new_tcp_with_options (const NtpacTestTcpOptions *options)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (http_get,
                                                           HTTP_GET_LEN);

  ntpac_test_packet_tcp (p, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK, TCP_FLAGS,
                         options);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static void
test_tcp_options (void)
{
  const guint32 edges[4] = { 1000, 2000, 0xfffffff0, 0x00000010 };
  NtpacTestTcpOptions options = { 0 };
  g_autoptr(NtpacTestPacket) p = NULL;
  const NtpacTcpHeader *tcp;
  DecodeHarness h;

  g_test_summary ("Every TCP option the decoder parses, in one header");

  ntpac_test_tcp_options_add_mss (&options, 1460);
  ntpac_test_tcp_options_add_nop (&options);
  ntpac_test_tcp_options_add_window_scale (&options, 7);
  ntpac_test_tcp_options_add_sack_permitted (&options);
  ntpac_test_tcp_options_add_timestamps (&options, 0x11223344, 0x55667788);
  ntpac_test_tcp_options_add_sack (&options, edges, 2);
  g_assert_cmpuint (options.len, ==, 38);
  p = new_tcp_with_options (&options);

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 34 });
  tcp = &h.packet.tcp;
  assert_tcp_header (&h.packet, 60);
  g_assert_cmpuint (tcp->mss, ==, 1460);
  g_assert_cmpuint (tcp->wscale, ==, 7);
  g_assert_true (tcp->sack_permitted);
  g_assert_true (tcp->has_timestamps);
  g_assert_cmpuint (tcp->tsval, ==, 0x11223344);
  g_assert_cmpuint (tcp->tsecr, ==, 0x55667788);
  g_assert_cmpuint (tcp->n_sack, ==, 2);
  g_assert_cmpuint (tcp->sack[0][0], ==, 1000);
  g_assert_cmpuint (tcp->sack[0][1], ==, 2000);
  g_assert_cmpuint (tcp->sack[1][0], ==, 0xfffffff0);
  g_assert_cmpuint (tcp->sack[1][1], ==, 0x00000010);
  assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
  decode_harness_assert_payload (&h, 94, http_get, HTTP_GET_LEN);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_tcp_sack_blocks (void)
{
  const guint32 edges[8] = { 10, 20, 30, 40, 50, 60, 70, 80 };
  const guint8 unknown[4] = { 30, 4, 0x01, 0x02 };  /* unknown: skipped */
  DecodeHarness h;

  g_test_summary ("Timestamps and three SACK blocks as stacks send them, "
                  "then four SACK blocks (the most a header holds)");

  {
    NtpacTestTcpOptions options = { 0 };
    g_autoptr(NtpacTestPacket) p = NULL;

    ntpac_test_tcp_options_add_nop (&options);
    ntpac_test_tcp_options_add_nop (&options);
    ntpac_test_tcp_options_add_timestamps (&options, 1, 0xffffffff);
    ntpac_test_tcp_options_add_nop (&options);
    ntpac_test_tcp_options_add_nop (&options);
    ntpac_test_tcp_options_add_sack (&options, edges, 3);
    g_assert_cmpuint (options.len, ==, 40);
    p = new_tcp_with_options (&options);

    g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
    assert_tcp_header (&h.packet, 60);
    g_assert_true (h.packet.tcp.has_timestamps);
    g_assert_cmpuint (h.packet.tcp.tsval, ==, 1);
    g_assert_cmpuint (h.packet.tcp.tsecr, ==, 0xffffffff);
    g_assert_cmpuint (h.packet.tcp.mss, ==, 0);
    g_assert_cmpuint (h.packet.tcp.wscale, ==, NTPAC_TCP_NO_WSCALE);
    g_assert_false (h.packet.tcp.sack_permitted);
    g_assert_cmpuint (h.packet.tcp.n_sack, ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        g_assert_cmpuint (h.packet.tcp.sack[i][0], ==, edges[2 * i]);
        g_assert_cmpuint (h.packet.tcp.sack[i][1], ==, edges[2 * i + 1]);
      }
    decode_harness_assert_payload (&h, 94, http_get, HTTP_GET_LEN);
    decode_harness_assert_anomalies (&h, ANOMALIES_END);
    decode_harness_clear (&h);
  }

  {
    NtpacTestTcpOptions options = { 0 };
    g_autoptr(NtpacTestPacket) p = NULL;

    ntpac_test_tcp_options_add_raw (&options, unknown, sizeof unknown);
    ntpac_test_tcp_options_add_sack (&options, edges, 4);
    g_assert_cmpuint (options.len, ==, 38);
    p = new_tcp_with_options (&options);

    g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
    assert_tcp_header (&h.packet, 60);
    g_assert_false (h.packet.tcp.has_timestamps);
    g_assert_cmpuint (h.packet.tcp.n_sack, ==, 4);
    for (guint i = 0; i < 4; i++)
      {
        g_assert_cmpuint (h.packet.tcp.sack[i][0], ==, edges[2 * i]);
        g_assert_cmpuint (h.packet.tcp.sack[i][1], ==, edges[2 * i + 1]);
      }
    decode_harness_assert_payload (&h, 94, http_get, HTTP_GET_LEN);
    decode_harness_assert_anomalies (&h, ANOMALIES_END);
    decode_harness_clear (&h);
  }
}

static void
test_tcp_end_of_options (void)
{
  const guint8 after_end[8] = { 2, 4, 0x05, 0xb4, 0, 0xff, 0xff, 0xff };
  NtpacTestTcpOptions options = { 0 };
  g_autoptr(NtpacTestPacket) p = NULL;
  DecodeHarness h;

  g_test_summary (
      "Bytes after the end-of-option-list are padding, not options");

  ntpac_test_tcp_options_add_raw (&options, after_end, sizeof after_end);
  p = new_tcp_with_options (&options);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  assert_tcp_header (&h.packet, 28);
  g_assert_cmpuint (h.packet.tcp.mss, ==, 1460);
  decode_harness_assert_payload (&h, 62, http_get, HTTP_GET_LEN);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_udp_zero_length (void)
{
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (dns_query, sizeof dns_query);
  DecodeHarness h;

  g_test_summary ("A UDP length of 0 (left for the NIC to fill in) means the "
                  "rest of the IP payload");

  ntpac_test_packet_udp_full (p, UDP_SPORT, UDP_DPORT, 0,
                              NTPAC_TEST_CHECKSUM_ZERO);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  assert_udp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 1, 42);
  decode_harness_clear (&h);
}

static void
test_icmp_echo (void)
{
  const guint8 data[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
  const guint8 expected[12] = {
    0x12, 0x34, 0x00, 0x07, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
  };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (data, sizeof data);
  DecodeHarness h;

  g_test_summary (
      "ICMP echo request: type and code; the payload follows the "
      "4-byte common header (so starts with identifier and sequence)");

  ntpac_test_packet_icmpv4_echo (p, FALSE, 0x1234, 7);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_ICMP, 0, 34 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV4);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_ICMP);
  g_assert_cmpuint (h.packet.n_ip, ==, 1);
  g_assert_cmpuint (h.packet.icmp_type, ==, 8);
  g_assert_cmpuint (h.packet.icmp_code, ==, 0);
  assert_tuple (&h.packet, SRC4, DST4, 0, 0, 1);
  decode_harness_assert_payload (&h, 38, expected, sizeof expected);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_icmpv6_echo (void)
{
  const guint8 data[6] = { 1, 2, 3, 4, 5, 6 };
  const guint8 expected[10] = { 0xbe, 0xef, 0x00, 0x01, 1, 2, 3, 4, 5, 6 };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (data, sizeof data);
  DecodeHarness h;

  g_test_summary ("ICMPv6 echo reply: type and code; the message body follows "
                  "the 4-byte header (RFC 4443)");

  ntpac_test_packet_icmpv6_echo (p, TRUE, 0xbeef, 1);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 },
                 { NTPAC_LAYER_ICMPV6, 0, 54 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV6);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_ICMPV6);
  g_assert_cmpuint (h.packet.icmp_type, ==, 129);
  g_assert_cmpuint (h.packet.icmp_code, ==, 0);
  assert_tuple (&h.packet, SRC6, DST6, 0, 0, 58);
  decode_harness_assert_payload (&h, 58, expected, sizeof expected);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_arp (void)
{
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (arp_request, sizeof arp_request);
  g_autoptr(NtpacTestPacket) tagged =
      ntpac_test_packet_new_with_payload (arp_request, sizeof arp_request);
  DecodeHarness h;

  ntpac_test_packet_set_ethertype (p, 0x0806);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet, { NTPAC_LAYER_ETHERNET, 0, 0 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_ARP);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.n_ip, ==, 0);
  g_assert_cmpuint (h.packet.flags, ==, 0);
  g_assert_cmpuint (h.packet.tuple.src.family, ==, 0);
  g_assert_cmpuint (h.packet.tuple.proto, ==, 0);
  g_assert_null (h.packet.payload);
  g_assert_cmpuint (h.packet.payload_len, ==, 0);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);

  ntpac_test_packet_set_ethertype (tagged, 0x0806);
  ntpac_test_packet_vlan (tagged, NTPAC_TEST_TPID_8021Q, 0, 9);
  ntpac_test_packet_ethernet (tagged, NULL, NULL);
  g_assert_true (decode_fresh (&h, tagged, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_VLAN, 9, 14 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_ARP);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_unknown_ethertype (void)
{
  const guint8 lldp[16] = {
    0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
  };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (lldp, sizeof lldp);
  DecodeHarness h;

  ntpac_test_packet_set_ethertype (p, 0x88cc);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet, { NTPAC_LAYER_ETHERNET, 0, 0 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_OTHER);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.n_ip, ==, 0);
  g_assert_cmpuint (h.packet.flags, ==, 0);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_unknown_ip_protocol (void)
{
  const guint8 sctp[12] = { 0x0b, 0x59, 0x0b, 0x59 };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (sctp, sizeof sctp);
  DecodeHarness h;

  g_test_summary ("An IP protocol the decoder does not know: the IP payload "
                  "is the payload");

  ntpac_test_packet_set_ip_protocol (p, 132);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 });
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV4);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_OTHER);
  assert_tuple (&h.packet, SRC4, DST4, 0, 0, 132);
  decode_harness_assert_payload (&h, 34, sctp, sizeof sctp);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

static void
test_stats (void)
{
  g_autoptr(NtpacTestPacket) plain = new_tcp_ipv4 ();
  g_autoptr(NtpacTestPacket) tunnel = new_udp_ipv4 ();
  g_autoptr(NtpacTestPacket) arp =
      ntpac_test_packet_new_with_payload (arp_request, sizeof arp_request);
  g_autoptr(NtpacTestPacket) v6 = new_udp_ipv6 ();
  const NtpacDecodeStats *s;
  const guint8 *data;
  gsize len, total = 0, wire = 0;
  DecodeHarness h;

  g_test_summary ("The decoder's counters follow the frames decoded");

  ntpac_test_packet_ethernet (plain, NULL, NULL);
  ntpac_test_packet_ipv4 (tunnel, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (tunnel, NULL, NULL);
  ntpac_test_packet_set_ethertype (arp, 0x0806);
  ntpac_test_packet_ethernet (arp, NULL, NULL);

  decode_harness_init (&h, NULL);
  g_assert_true (
      decode_harness_decode_packet (&h, plain, NTPAC_LINKTYPE_ETHERNET));
  total += ntpac_test_packet_get_length (plain);
  g_assert_true (
      decode_harness_decode_packet (&h, tunnel, NTPAC_LINKTYPE_ETHERNET));
  total += ntpac_test_packet_get_length (tunnel);
  g_assert_true (
      decode_harness_decode_packet (&h, arp, NTPAC_LINKTYPE_ETHERNET));
  total += ntpac_test_packet_get_length (arp);
  g_assert_true (decode_harness_decode_packet (&h, v6, NTPAC_LINKTYPE_RAW));
  total += ntpac_test_packet_get_length (v6);
  wire = total;
  data = ntpac_test_packet_get_data (plain, &len);
  g_assert_true (
      decode_harness_decode (&h, data, 40, len, NTPAC_LINKTYPE_ETHERNET, 5000));
  total += 40;
  wire += len;

  s = ntpac_decoder_get_stats (h.decoder);
  g_assert_cmpuint (s->frames, ==, 5);
  g_assert_cmpuint (s->bytes_captured, ==, total);
  g_assert_cmpuint (s->bytes_wire, ==, wire);
  g_assert_cmpuint (s->frames_cut, ==, 1);
  g_assert_cmpuint (s->n_link_types, ==, 2);
  g_assert_cmpuint (s->link_type[0], ==, NTPAC_LINKTYPE_ETHERNET);
  g_assert_cmpuint (s->link_type_frames[0], ==, 4);
  g_assert_cmpuint (s->link_type[1], ==, NTPAC_LINKTYPE_RAW);
  g_assert_cmpuint (s->link_type_frames[1], ==, 1);
  g_assert_cmpuint (s->net[NTPAC_NET_IPV4], ==, 3);
  g_assert_cmpuint (s->net[NTPAC_NET_IPV6], ==, 1);
  g_assert_cmpuint (s->net[NTPAC_NET_ARP], ==, 1);
  g_assert_cmpuint (s->transport[NTPAC_TRANSPORT_TCP], ==, 1);
  g_assert_cmpuint (s->transport[NTPAC_TRANSPORT_UDP], ==, 2);
  g_assert_cmpuint (s->transport[NTPAC_TRANSPORT_NONE], ==, 2);
  g_assert_cmpuint (s->tunnelled, ==, 1);
  g_assert_cmpuint (s->anomalies[NTPAC_ANOMALY_TCP_TRUNCATED], ==, 1);
  decode_harness_clear (&h);
}

static void
test_anomaly_report (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
  const NtpacAnomaly *a;
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("An anomaly names the frame it was found in and its time");

  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, &len);
  decode_harness_init (&h, NULL);
  g_assert_true (decode_harness_decode_packet (&h, p, NTPAC_LINKTYPE_ETHERNET));
  g_assert_true (
      decode_harness_decode (&h, data, 30, len, NTPAC_LINKTYPE_ETHERNET,
                             G_GINT64_CONSTANT (1700000000123456789)));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_TRUNCATED,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.anomalies->len, ==, 1);
  a = &g_array_index (h.anomalies, NtpacAnomaly, 0);
  g_assert_cmpint (a->kind, ==, NTPAC_ANOMALY_IPV4_TRUNCATED);
  g_assert_cmpuint (a->frame.number, ==, 2);
  g_assert_cmpuint (a->frame.offset, ==, h.frame.ref.offset);
  g_assert_cmpint (a->ts_ns, ==, G_GINT64_CONSTANT (1700000000123456789));
  decode_harness_clear (&h);
}

/* ---- frames cut short --------------------------------------------------- */

static NtpacTestPacket *
build_eth_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_raw_ipv4_tcp (void)
{
  return new_tcp_ipv4 ();
}

static NtpacTestPacket *
build_sll_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_linux_sll (p, 0);
  return p;
}

static NtpacTestPacket *
build_sll2_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_linux_sll2 (p, 1, 0);
  return p;
}

static NtpacTestPacket *
build_null_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_link (p, NTPAC_TEST_LINKTYPE_NULL);
  return p;
}

/* TCP with 20 bytes of options: MSS, window scale, SACK permitted,
 * timestamps and a NOP. */
static NtpacTestPacket *
build_eth_ipv4_tcp_options (void)
{
  NtpacTestTcpOptions options = { 0 };

  ntpac_test_tcp_options_add_mss (&options, 1460);
  ntpac_test_tcp_options_add_window_scale (&options, 8);
  ntpac_test_tcp_options_add_sack_permitted (&options);
  ntpac_test_tcp_options_add_timestamps (&options, 5, 6);
  ntpac_test_tcp_options_add_nop (&options);
  g_assert_cmpuint (options.len, ==, 20);
  return new_tcp_with_options (&options);
}

static NtpacTestPacket *
build_eth_ipv4_udp (void)
{
  NtpacTestPacket *p = new_udp_ipv4 ();

  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_eth_ipv4_icmp (void)
{
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload ("pingping", 8);

  ntpac_test_packet_icmpv4_echo (p, FALSE, 1, 1);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_eth_ipv6_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv6 ();

  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* A hop-by-hop header (8 bytes) between IPv6 and TCP. */
static NtpacTestPacket *
build_eth_ipv6_hbh_tcp (void)
{
  NtpacTestPacket *p = new_tcp ();

  ntpac_test_packet_ipv6_hop_by_hop (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* The first of two fragments, 40 bytes long: Fragment header at 54, then
 * TCP. */
static NtpacTestPacket *
build_eth_ipv6_fragment (void)
{
  const gchar data[] = "0123456789abcdefghij";
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (data, 20);

  ntpac_test_packet_tcp (p, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK, TCP_FLAGS,
                         NULL);

  ntpac_test_packet_ipv6_fragment_header (p, 77, 0, TRUE);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_eth_vlan_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 10);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_eth_mpls_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_mpls (p, 99, 0, TRUE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static NtpacTestPacket *
build_eth_pppoe_ipv4_tcp (void)
{
  NtpacTestPacket *p = new_tcp_ipv4 ();

  ntpac_test_packet_pppoe_session (p, 1);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* Outer IPv4 at 14, GRE with a key at 34 (key at 38), inner IPv4 at 42. */
static NtpacTestPacket *
build_eth_gre_ipv4_udp (void)
{
  NtpacTestPacket *p = new_udp_ipv4 ();

  ntpac_test_packet_gre (p, NTPAC_TEST_GRE_KEY, 5, 0);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* GRE at 34 (8 bytes), ERSPAN at 42 (8 bytes), inner Ethernet at 50. */
static NtpacTestPacket *
build_eth_erspan (void)
{
  NtpacTestPacket *p = new_inner_ethernet ();

  ntpac_test_packet_erspan2 (p, 1, 0, 0, 1);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* UDP at 34, Geneve at 42, its option at 50, inner Ethernet at 58. */
static NtpacTestPacket *
build_eth_geneve (void)
{
  NtpacTestPacket *p = new_inner_ethernet ();

  wrap_geneve (p, 5, NTPAC_TEST_ETHERTYPE_TEB);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* UDP at 34, GTP-U at 42 with its optional fields at 50. */
static NtpacTestPacket *
build_eth_gtpu_extension (void)
{
  NtpacTestPacket *p = new_udp_ipv4 ();

  wrap_gtpu (p, 9, TRUE);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* UDP at 34, VXLAN at 42, inner Ethernet at 50. */
static NtpacTestPacket *
build_eth_vxlan (void)
{
  NtpacTestPacket *p = new_inner_ethernet ();

  ntpac_test_packet_vxlan (p, 5, 50000);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

/* UDP at 34, inner IPv6 at 42. */
static NtpacTestPacket *
build_eth_teredo (void)
{
  NtpacTestPacket *p = new_udp_ipv6 ();

  ntpac_test_packet_udp (p, 3544, 40002);
  ntpac_test_packet_ipv4 (p, OUTER_SRC4, OUTER_DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

#define KINDS(...) { __VA_ARGS__, ANOMALIES_END }

typedef struct
{
  const gchar       *name;
  NtpacTestPacket *(*build) (void);
  guint32            linktype;
  gsize              cut;
  gint               cut_kinds[5];   /* the capture cut the frame */
  gint               runt_kinds[5];  /* the frame was that short on the wire */
} CutCase;

static const CutCase cut_cases[] = {
  { "ethernet", build_eth_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 10,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "linux-sll", build_sll_ipv4_tcp, NTPAC_LINKTYPE_LINUX_SLL, 10,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "linux-sll2", build_sll2_ipv4_tcp, NTPAC_LINKTYPE_LINUX_SLL2, 15,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "null", build_null_ipv4_tcp, NTPAC_LINKTYPE_NULL, 2,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "raw-empty", build_raw_ipv4_tcp, NTPAC_LINKTYPE_RAW, 0,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "ipv4-empty", build_eth_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 14,
    KINDS (NTPAC_ANOMALY_IPV4_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH) },
  { "ipv4", build_eth_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 24,
    KINDS (NTPAC_ANOMALY_IPV4_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH) },
  { "ipv4-raw", build_raw_ipv4_tcp, NTPAC_LINKTYPE_IPV4, 19,
    KINDS (NTPAC_ANOMALY_IPV4_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH) },
  { "tcp", build_eth_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 44,
    KINDS (NTPAC_ANOMALY_TCP_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_TCP_TRUNCATED) },
  { "tcp-options", build_eth_ipv4_tcp_options, NTPAC_LINKTYPE_ETHERNET, 64,
    KINDS (NTPAC_ANOMALY_TCP_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET) },
  { "udp", build_eth_ipv4_udp, NTPAC_LINKTYPE_ETHERNET, 38,
    KINDS (NTPAC_ANOMALY_UDP_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_UDP_TRUNCATED) },
  { "icmp", build_eth_ipv4_icmp, NTPAC_LINKTYPE_ETHERNET, 36,
    KINDS (NTPAC_ANOMALY_ICMP_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_ICMP_TRUNCATED) },
  { "ipv6", build_eth_ipv6_tcp, NTPAC_LINKTYPE_ETHERNET, 34,
    KINDS (NTPAC_ANOMALY_IPV6_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV6_TRUNCATED) },
  { "ipv6-extension", build_eth_ipv6_hbh_tcp, NTPAC_LINKTYPE_ETHERNET, 58,
    KINDS (NTPAC_ANOMALY_IPV6_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH,
           NTPAC_ANOMALY_IPV6_BAD_EXTENSION) },
  { "ipv6-fragment-header", build_eth_ipv6_fragment,
    NTPAC_LINKTYPE_ETHERNET, 58,
    KINDS (NTPAC_ANOMALY_IPV6_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH,
           NTPAC_ANOMALY_IPV6_BAD_EXTENSION) },
  { "tcp-over-ipv6", build_eth_ipv6_tcp, NTPAC_LINKTYPE_ETHERNET, 64,
    KINDS (NTPAC_ANOMALY_TCP_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH,
           NTPAC_ANOMALY_TCP_TRUNCATED) },
  { "vlan", build_eth_vlan_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 16,
    KINDS (NTPAC_ANOMALY_VLAN_TRUNCATED),
    KINDS (NTPAC_ANOMALY_VLAN_TRUNCATED) },
  { "mpls", build_eth_mpls_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 16,
    KINDS (NTPAC_ANOMALY_MPLS_TRUNCATED),
    KINDS (NTPAC_ANOMALY_MPLS_TRUNCATED) },
  { "pppoe", build_eth_pppoe_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 17,
    KINDS (NTPAC_ANOMALY_PPPOE_TRUNCATED),
    KINDS (NTPAC_ANOMALY_PPPOE_TRUNCATED) },
  { "ppp", build_eth_pppoe_ipv4_tcp, NTPAC_LINKTYPE_ETHERNET, 21,
    KINDS (NTPAC_ANOMALY_PPPOE_TRUNCATED),
    KINDS (NTPAC_ANOMALY_PPPOE_BAD_LENGTH, NTPAC_ANOMALY_PPPOE_TRUNCATED) },
  { "gre", build_eth_gre_ipv4_udp, NTPAC_LINKTYPE_ETHERNET, 36,
    KINDS (NTPAC_ANOMALY_GRE_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_GRE_TRUNCATED) },
  { "gre-key", build_eth_gre_ipv4_udp, NTPAC_LINKTYPE_ETHERNET, 40,
    KINDS (NTPAC_ANOMALY_GRE_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_GRE_TRUNCATED) },
  { "gre-inner-ipv4", build_eth_gre_ipv4_udp, NTPAC_LINKTYPE_ETHERNET, 52,
    KINDS (NTPAC_ANOMALY_IPV4_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH) },
  { "erspan", build_eth_erspan, NTPAC_LINKTYPE_ETHERNET, 46,
    KINDS (NTPAC_ANOMALY_ERSPAN_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_ERSPAN_TRUNCATED) },
  { "geneve-options", build_eth_geneve, NTPAC_LINKTYPE_ETHERNET, 54,
    KINDS (NTPAC_ANOMALY_TUNNEL_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_UDP_BAD_LENGTH,
           NTPAC_ANOMALY_TUNNEL_TRUNCATED) },
  { "gtpu-extension", build_eth_gtpu_extension, NTPAC_LINKTYPE_ETHERNET, 52,
    KINDS (NTPAC_ANOMALY_TUNNEL_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_UDP_BAD_LENGTH,
           NTPAC_ANOMALY_TUNNEL_TRUNCATED) },
  { "vxlan-inner-ethernet", build_eth_vxlan, NTPAC_LINKTYPE_ETHERNET, 56,
    KINDS (NTPAC_ANOMALY_LINK_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
           NTPAC_ANOMALY_UDP_BAD_LENGTH,
           NTPAC_ANOMALY_LINK_TRUNCATED) },
  { "teredo-inner-ipv6", build_eth_teredo, NTPAC_LINKTYPE_ETHERNET, 62,
    KINDS (NTPAC_ANOMALY_IPV6_TRUNCATED),
    KINDS (NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH, NTPAC_ANOMALY_UDP_BAD_LENGTH) },
};

static void
test_cut (gconstpointer user_data)
{
  const CutCase *cc = user_data;
  g_autoptr(NtpacTestPacket) p = cc->build ();
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("A frame cut inside a header: the *_TRUNCATED anomaly when "
                  "the capture cut it (caplen < origlen); when the frame was "
                  "that short on the wire, the anomalies of the lengths that "
                  "claim more than there is");

  data = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (cc->cut, <, len);

  decode_harness_init (&h, NULL);

  /* The whole frame is fine (a first fragment is held). */
  decode_harness_decode (&h, data, len, len, cc->linktype, 1000);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_MALFORMED, ==, 0);

  /* Cut by the capture. */
  g_assert_true (
      decode_harness_decode (&h, data, cc->cut, len, cc->linktype, 2000));
  decode_harness_assert_anomalyv (&h, cc->cut_kinds);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_MALFORMED, ==,
                    NTPAC_PACKET_MALFORMED);

  /* The same bytes, all there was. */
  g_assert_true (
      decode_harness_decode (&h, data, cc->cut, cc->cut, cc->linktype, 3000));
  decode_harness_assert_anomalyv (&h, cc->runt_kinds);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_MALFORMED, ==,
                    NTPAC_PACKET_MALFORMED);

  decode_harness_clear (&h);

  /* Every other cut decodes without crashing, each in a decoder of its own. */
  for (gsize cut = 0; cut < 2 * len; cut++)
    {
      decode_harness_init (&h, NULL);
      decode_harness_decode (&h, data, cut / 2, cut % 2 ? cut / 2 : len,
                             cc->linktype, 4000);
      decode_harness_finish (&h);
      decode_harness_clear (&h);
    }
}

static void
test_snaplen_payload (void)
{
  guint8 body[100];
  g_autoptr(NtpacTestPacket) p = NULL;
  const guint8 *data;
  gsize len;
  DecodeHarness h;

  g_test_summary ("A snap length cutting the TCP payload is no anomaly: the "
                  "payload is marked truncated, held < sent");

  for (guint i = 0; i < sizeof body; i++)
    body[i] = i;
  p = ntpac_test_packet_new_with_payload (body, sizeof body);
  ntpac_test_packet_tcp (p, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK, TCP_FLAGS,
                         NULL);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, &len);
  g_assert_cmpuint (len, ==, 154);

  decode_harness_init (&h, NULL);
  g_assert_true (
      decode_harness_decode (&h, data, 84, len, NTPAC_LINKTYPE_ETHERNET, 1000));
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_TCP);
  assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
  g_assert_cmpuint (h.packet.flags, ==, NTPAC_PACKET_PAYLOAD_TRUNCATED);
  g_assert_true (h.packet.payload == h.data + 54);
  g_assert_cmpuint (h.packet.payload_len, ==, 30);
  g_assert_cmpuint (h.packet.payload_reported, ==, 100);
  g_assert_cmpmem (h.packet.payload, h.packet.payload_len, body, 30);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  g_assert_cmpuint (ntpac_decoder_get_stats (h.decoder)->frames_cut, ==, 1);

  /* Cut right after the TCP header: nothing held, all reported. */
  g_assert_true (
      decode_harness_decode (&h, data, 54, len, NTPAC_LINKTYPE_ETHERNET, 2000));
  g_assert_cmpuint (h.packet.flags, ==, NTPAC_PACKET_PAYLOAD_TRUNCATED);
  g_assert_cmpuint (h.packet.payload_len, ==, 0);
  g_assert_cmpuint (h.packet.payload_reported, ==, 100);
  decode_harness_assert_anomalies (&h, ANOMALIES_END);
  decode_harness_clear (&h);
}

/* ---- malformed headers -------------------------------------------------- */

/* Decodes @data (all of it on the wire too) and checks the anomalies. */
static void
decode_bytes (DecodeHarness *h,
              const guint8  *data,
              gsize          len,
              guint32        linktype)
{
  g_assert_true (decode_harness_decode (h, data, len, len, linktype, 1000));
  g_assert_cmpuint (h->packet.flags & NTPAC_PACKET_MALFORMED, ==,
                    NTPAC_PACKET_MALFORMED);
}

static void
test_ipv4_ihl_below_5 (void)
{
  for (gint ihl = 0; ihl < 5; ihl++)
    {
      g_autoptr(NtpacTestPacket) p = new_tcp ();
      NtpacTestIpv4Header ip;
      DecodeHarness h;

      ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
      ip.header_length = ihl;
      ntpac_test_packet_ipv4_full (p, &ip);
      ntpac_test_packet_ethernet (p, NULL, NULL);
      decode_harness_init (&h, NULL);
      decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                    ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
      decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH,
                                       ANOMALIES_END);
      ASSERT_LAYERS (&h.packet,
                     { NTPAC_LAYER_ETHERNET, 0, 0 },
                     { NTPAC_LAYER_IPV4, 0, 14 });
      g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV4);
      g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
      g_assert_null (h.packet.payload);
      decode_harness_clear (&h);
    }
}

static void
test_ipv4_ihl_beyond_packet (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload ("abcd", 4);
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  g_test_summary ("An IHL of 60 bytes in a 32-byte packet");

  ntpac_test_packet_udp (p, UDP_SPORT, UDP_DPORT);
  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.header_length = 15;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_cmpuint (ntpac_test_packet_get_length (p), ==, 46);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL), 46,
                NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.n_layers, ==, 2);
  decode_harness_clear (&h);
}

static void
test_ipv4_total_below_ihl (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.total_length = 19;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 });
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_null (h.packet.payload);
  decode_harness_clear (&h);
}

static void
test_ipv4_total_beyond_frame (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  NtpacTestIpv4Header ip;
  DecodeHarness h;

  g_test_summary ("An IPv4 total length larger than the frame: reported, and "
                  "the packet decoded with what the frame holds");

  ntpac_test_ipv4_header_init (&ip, SRC4, DST4);
  ip.total_length = 40 + HTTP_GET_LEN + 100;
  ntpac_test_packet_ipv4_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 34 });
  assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
  assert_tcp_header (&h.packet, 20);
  decode_harness_assert_payload (&h, 54, http_get, HTTP_GET_LEN);
  decode_harness_clear (&h);
}

static void
test_ip_version_mismatch (void)
{
  DecodeHarness h;

  g_test_summary ("A link header announcing one IP version over a packet of "
                  "another");

  {
    g_autoptr(NtpacTestPacket) p = new_tcp_ipv6 ();

    ntpac_test_packet_set_ethertype (p, NTPAC_TEST_ETHERTYPE_IPV4);
    ntpac_test_packet_ethernet (p, NULL, NULL);
    decode_harness_init (&h, NULL);
    decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                  ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_VERSION,
                                     ANOMALIES_END);
    g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
    decode_harness_clear (&h);
  }
  {
    g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();

    ntpac_test_packet_set_ethertype (p, NTPAC_TEST_ETHERTYPE_IPV6);
    ntpac_test_packet_ethernet (p, NULL, NULL);
    decode_harness_init (&h, NULL);
    decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                  ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_VERSION,
                                     ANOMALIES_END);
    g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
    decode_harness_clear (&h);
  }
  {
    g_autoptr(NtpacTestPacket) p6 = new_tcp_ipv6 ();
    g_autoptr(NtpacTestPacket) p4 = new_tcp_ipv4 ();

    decode_harness_init (&h, NULL);
    decode_bytes (&h, ntpac_test_packet_get_data (p6, NULL),
                  ntpac_test_packet_get_length (p6), NTPAC_LINKTYPE_IPV4);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_VERSION,
                                     ANOMALIES_END);
    decode_bytes (&h, ntpac_test_packet_get_data (p4, NULL),
                  ntpac_test_packet_get_length (p4), NTPAC_LINKTYPE_IPV6);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_VERSION,
                                     ANOMALIES_END);
    decode_harness_clear (&h);
  }
  {
    gsize len;
    g_autoptr(NtpacTestPacket) p = new_tcp_ipv4 ();
    g_autofree guint8 *bytes = frame_copy (p, &len);

    bytes[0] = 0x55;  /* version 5 */
    decode_harness_init (&h, NULL);
    decode_bytes (&h, bytes, len, NTPAC_LINKTYPE_RAW);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV4_BAD_VERSION,
                                     ANOMALIES_END);
    decode_harness_clear (&h);
  }
}

static void
test_ipv6_payload_length (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  NtpacTestIpv6Header ip;
  DecodeHarness h;

  g_test_summary ("An IPv6 payload length beyond the frame: reported, and the "
                  "packet decoded with what the frame holds");

  ntpac_test_ipv6_header_init (&ip, SRC6, DST6);
  ip.payload_length = 20 + HTTP_GET_LEN + 100;
  ntpac_test_packet_ipv6_full (p, &ip);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 },
                 { NTPAC_LAYER_TCP, 0, 54 });
  assert_tuple (&h.packet, SRC6, DST6, TCP_SPORT, TCP_DPORT, 6);
  decode_harness_assert_payload (&h, 74, http_get, HTTP_GET_LEN);
  decode_harness_clear (&h);
}

static void
test_ipv6_extension_past_payload (void)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload ("abcd", 4);
  g_autofree guint8 *bytes = NULL;
  gsize len;
  DecodeHarness h;

  g_test_summary ("A hop-by-hop header claiming 88 bytes of a 20-byte payload");

  ntpac_test_packet_udp (p, UDP_SPORT, UDP_DPORT);
  ntpac_test_packet_ipv6_hop_by_hop (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  bytes = frame_copy (p, &len);
  g_assert_cmpuint (bytes[55], ==, 0);
  bytes[55] = 10;

  decode_harness_init (&h, NULL);
  decode_bytes (&h, bytes, len, NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_EXTENSION,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.net, ==, NTPAC_NET_IPV6);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV6, 0, 14 });

  /* A capture cut does not excuse it: the payload length bounds the
   * extension headers, whatever the frame held on the wire. */
  g_assert_true (decode_harness_decode (&h, bytes, len, len + 200,
                                        NTPAC_LINKTYPE_ETHERNET, 2000));
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_EXTENSION,
                                   ANOMALIES_END);

  /* The same past the IPv6 payload length, with bytes after it in the frame. */
  {
    g_autoptr(GByteArray) padded = g_byte_array_new ();

    g_byte_array_append (padded, bytes, len);
    for (guint i = 0; i < 100; i++)
      g_byte_array_append (padded, (const guint8 *) "\0", 1);
    decode_bytes (&h, padded->data, padded->len, NTPAC_LINKTYPE_ETHERNET);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_EXTENSION,
                                     ANOMALIES_END);
  }
  decode_harness_clear (&h);
}

/* UDP behind @n destination options headers. */
static NtpacTestPacket *
new_ipv6_with_extensions (guint n)
{
  NtpacTestPacket *p = new_udp ();

  for (guint i = 0; i < n; i++)
    ntpac_test_packet_ipv6_destination_options (p, NULL, 0);
  ntpac_test_packet_ipv6 (p, SRC6, DST6);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  return p;
}

static void
test_ipv6_many_extensions (void)
{
  g_autoptr(NtpacTestPacket) p = new_ipv6_with_extensions (17);
  DecodeHarness h;

  g_test_summary ("A chain of 17 extension headers is too long");

  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_IPV6_BAD_EXTENSION,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_clear (&h);

  for (guint n = 1; n <= 15; n++)
    {
      g_autoptr(NtpacTestPacket) ok = new_ipv6_with_extensions (n);

      g_assert_true (decode_fresh (&h, ok, NTPAC_LINKTYPE_ETHERNET));
      assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 62 + 8 * n);
      decode_harness_clear (&h);
    }
}

static void
test_ipv6_sixteen_extensions (void)
{
  g_autoptr(NtpacTestPacket) p = new_ipv6_with_extensions (16);
  DecodeHarness h;

  g_test_summary ("Sixteen extension headers (MAX_IPV6_EXTENSIONS) are "
                  "still walked: only a 17th is too many");

  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  assert_udp_packet (&h, NTPAC_NET_IPV6, SRC6, DST6, 1, 62 + 8 * 16);
  decode_harness_clear (&h);
}

static void
test_tcp_data_offset_below_5 (void)
{
  for (gint offset = 0; offset < 5; offset++)
    {
      g_autoptr(NtpacTestPacket) p =
          ntpac_test_packet_new_with_payload (http_get, HTTP_GET_LEN);
      NtpacTestTcpHeader tcp;
      DecodeHarness h;

      ntpac_test_tcp_header_init (&tcp, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK,
                                  TCP_FLAGS);
      tcp.data_offset = offset;
      ntpac_test_packet_tcp_full (p, &tcp);
      ntpac_test_packet_ipv4 (p, SRC4, DST4);
      ntpac_test_packet_ethernet (p, NULL, NULL);
      decode_harness_init (&h, NULL);
      decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                    ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
      decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET,
                                       ANOMALIES_END);
      g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_TCP);
      assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
      g_assert_null (h.packet.payload);
      g_assert_cmpuint (h.packet.payload_len, ==, 0);
      decode_harness_clear (&h);
    }
}

static void
test_tcp_data_offset_beyond_segment (void)
{
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload ("0123456789", 10);
  NtpacTestTcpHeader tcp;
  DecodeHarness h;

  g_test_summary ("A TCP header of 60 bytes claimed in a 30-byte segment");

  ntpac_test_tcp_header_init (&tcp, TCP_SPORT, TCP_DPORT, TCP_SEQ, TCP_ACK,
                              TCP_FLAGS);
  tcp.data_offset = 15;
  ntpac_test_packet_tcp_full (p, &tcp);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_TCP);
  g_assert_null (h.packet.payload);
  decode_harness_clear (&h);
}

typedef struct
{
  const gchar *name;
  guint8       bytes[16];
  gsize        len;
} BadOptionCase;

static const BadOptionCase bad_option_cases[] = {
  { "zero-length-mss", { 2, 0, 0, 0 }, 4 },
  { "zero-length-unknown", { 30, 0, 0, 0 }, 4 },
  { "length-one", { 30, 1, 0, 0 }, 4 },
  { "past-header", { 1, 1, 30, 20 }, 4 },
  { "past-header-mss", { 1, 2, 4, 5 }, 4 },
  { "kind-without-length", { 1, 1, 1, 2 }, 4 },
  { "mss-length-3", { 2, 3, 5, 0 }, 4 },
  { "mss-length-5", { 2, 5, 5, 0xb4, 0 }, 5 },
  { "window-scale-length-2", { 3, 2, 1, 1 }, 4 },
  { "window-scale-length-4", { 3, 4, 7, 0 }, 4 },
  { "sack-permitted-length-3", { 4, 3, 0, 1 }, 4 },
  { "sack-length-2", { 5, 2, 1, 1 }, 4 },
  { "sack-length-9", { 5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0 }, 11 },
  { "sack-length-6", { 5, 6, 0, 0, 0, 1 }, 6 },
  { "timestamps-length-8", { 8, 8, 0, 0, 0, 1, 0, 0 }, 8 },
  { "timestamps-length-12", { 8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0 }, 12 },
};

static void
test_tcp_bad_option (gconstpointer user_data)
{
  const BadOptionCase *bc = user_data;
  NtpacTestTcpOptions options = { 0 };
  g_autoptr(NtpacTestPacket) p = NULL;
  guint header_len;
  DecodeHarness h;

  g_test_summary ("A TCP option with an impossible length is reported; the "
                  "segment's payload is still found from the data offset");

  ntpac_test_tcp_options_add_raw (&options, bc->bytes, bc->len);
  header_len = 20 + (bc->len + 3) / 4 * 4;
  p = new_tcp_with_options (&options);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TCP_BAD_OPTION,
                                   ANOMALIES_END);
  assert_tcp_header (&h.packet, header_len);
  assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
  decode_harness_assert_payload (&h, 34 + header_len, http_get, HTTP_GET_LEN);
  decode_harness_clear (&h);
}

static void
test_tcp_bad_option_keeps_earlier (void)
{
  const guint8 bytes[8] = { 2, 4, 0x05, 0xb4, 3, 4, 7, 0 };
  NtpacTestTcpOptions options = { 0 };
  g_autoptr(NtpacTestPacket) p = NULL;
  DecodeHarness h;

  g_test_summary ("Options before a bad one keep their values; those after "
                  "it are not parsed");

  ntpac_test_tcp_options_add_raw (&options, bytes, sizeof bytes);
  p = new_tcp_with_options (&options);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TCP_BAD_OPTION,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.tcp.mss, ==, 1460);
  g_assert_cmpuint (h.packet.tcp.wscale, ==, NTPAC_TCP_NO_WSCALE);
  decode_harness_clear (&h);
}

static void
test_udp_length_below_8 (void)
{
  for (gint ulen = 1; ulen < 8; ulen++)
    {
      g_autoptr(NtpacTestPacket) p =
          ntpac_test_packet_new_with_payload (dns_query, sizeof dns_query);
      DecodeHarness h;

      ntpac_test_packet_udp_full (p, UDP_SPORT, UDP_DPORT, ulen,
                                  NTPAC_TEST_CHECKSUM_ZERO);
      ntpac_test_packet_ipv4 (p, SRC4, DST4);
      ntpac_test_packet_ethernet (p, NULL, NULL);
      decode_harness_init (&h, NULL);
      decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                    ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
      decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_UDP_BAD_LENGTH,
                                       ANOMALIES_END);
      g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
      assert_tuple (&h.packet, SRC4, DST4, UDP_SPORT, UDP_DPORT, 17);
      g_assert_null (h.packet.payload);
      g_assert_cmpuint (h.packet.payload_len, ==, 0);
      decode_harness_clear (&h);
    }
}

static void
test_udp_length_beyond_ip (void)
{
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (dns_query, sizeof dns_query);
  DecodeHarness h;

  g_test_summary ("A UDP length beyond the IP payload: reported, and the "
                  "payload is what the IP payload holds");

  ntpac_test_packet_udp_full (p, UDP_SPORT, UDP_DPORT,
                              8 + sizeof dns_query + 50,
                              NTPAC_TEST_CHECKSUM_CORRECT);
  ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_UDP_BAD_LENGTH,
                                   ANOMALIES_END);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_UDP);
  assert_tuple (&h.packet, SRC4, DST4, UDP_SPORT, UDP_DPORT, 17);
  decode_harness_assert_payload (&h, 42, dns_query, sizeof dns_query);
  decode_harness_clear (&h);
}

/* Decodes the GRE frame of build_eth_gre_ipv4_udp() with byte @at of the
 * GRE header or-ed with @bits. */
static void
check_gre_unsupported (gsize  at,
                       guint8 bits)
{
  g_autoptr(NtpacTestPacket) p = build_eth_gre_ipv4_udp ();
  g_autofree guint8 *bytes = NULL;
  gsize len;
  DecodeHarness h;

  bytes = frame_copy (p, &len);
  bytes[34 + at] |= bits;
  decode_harness_init (&h, NULL);
  decode_bytes (&h, bytes, len, NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_GRE_UNSUPPORTED,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_IPV4, 0, 14 },
                 { NTPAC_LAYER_GRE, 0, 34 });
  g_assert_cmpuint (h.packet.n_ip, ==, 1);
  g_assert_cmpuint (h.packet.flags & NTPAC_PACKET_TUNNELLED, ==, 0);
  assert_tuple (&h.packet, OUTER_SRC4, OUTER_DST4, 0, 0, 47);
  decode_harness_clear (&h);
}

static void
test_gre_version_2 (void)
{
  g_test_summary ("GRE versions other than 0 and 1 are not decoded");
  check_gre_unsupported (1, 0x02);
  check_gre_unsupported (1, 0x07);
}

static void
test_gre_routing (void)
{
  g_test_summary ("GRE with the RFC 1701 routing bit is not decoded");
  check_gre_unsupported (0, 0x40);
}

static void
test_gre_version_1_not_ppp (void)
{
  g_test_summary ("Enhanced GRE (version 1) must carry PPP");
  check_gre_unsupported (1, 0x01);
}

static void
test_mpls_no_bottom (void)
{
  const guint8 zeros[8] = { 0 };
  g_autoptr(NtpacTestPacket) p =
      ntpac_test_packet_new_with_payload (zeros, sizeof zeros);
  DecodeHarness h;

  g_test_summary ("A label stack whose bottom-of-stack bit never comes runs "
                  "off the end of the frame");

  ntpac_test_packet_mpls (p, 200, 0, FALSE, 64);
  ntpac_test_packet_mpls (p, 100, 0, FALSE, 64);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_MPLS_TRUNCATED,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_MPLS, 100, 14 },
                 { NTPAC_LAYER_MPLS, 200, 18 },
                 { NTPAC_LAYER_MPLS, 0, 22 },
                 { NTPAC_LAYER_MPLS, 0, 26 });
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  g_assert_cmpuint (h.packet.n_ip, ==, 0);
  decode_harness_clear (&h);
}

static void
test_pppoe_length (void)
{
  g_autoptr(NtpacTestPacket) p = build_eth_pppoe_ipv4_tcp ();
  g_autofree guint8 *bytes = NULL;
  gsize len;
  DecodeHarness h;

  g_test_summary ("A PPPoE length beyond the frame: reported, and the packet "
                  "decoded with what the frame holds");

  bytes = frame_copy (p, &len);
  bytes[18] = 0x05;
  bytes[19] = 0xdc;
  decode_harness_init (&h, NULL);
  decode_bytes (&h, bytes, len, NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_PPPOE_BAD_LENGTH,
                                   ANOMALIES_END);
  ASSERT_LAYERS (&h.packet,
                 { NTPAC_LAYER_ETHERNET, 0, 0 },
                 { NTPAC_LAYER_PPPOE, 1, 14 },
                 { NTPAC_LAYER_PPP, 0, 20 },
                 { NTPAC_LAYER_IPV4, 0, 22 },
                 { NTPAC_LAYER_TCP, 0, 42 });
  assert_tuple (&h.packet, SRC4, DST4, TCP_SPORT, TCP_DPORT, 6);
  decode_harness_assert_payload (&h, 62, http_get, HTTP_GET_LEN);
  decode_harness_clear (&h);
}

static void
test_too_deep (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  DecodeHarness h;

  g_test_summary ("Seventeen nested headers (Ethernet, 16 IPv4) exceed the "
                  "16 layers a packet holds");

  for (guint i = 0; i < 16; i++)
    ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  decode_harness_init (&h, NULL);
  decode_bytes (&h, ntpac_test_packet_get_data (p, NULL),
                ntpac_test_packet_get_length (p), NTPAC_LINKTYPE_ETHERNET);
  decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TOO_DEEP, ANOMALIES_END);
  g_assert_cmpuint (h.packet.n_layers, ==, NTPAC_MAX_LAYERS);
  g_assert_cmpuint (h.packet.layers[0].kind, ==, NTPAC_LAYER_ETHERNET);
  for (guint i = 1; i < NTPAC_MAX_LAYERS; i++)
    {
      g_assert_cmpuint (h.packet.layers[i].kind, ==, NTPAC_LAYER_IPV4);
      g_assert_cmpuint (h.packet.layers[i].offset, ==, 14 + 20 * (i - 1));
    }
  g_assert_cmpuint (h.packet.n_ip, ==, 15);
  g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
  decode_harness_clear (&h);

  /* Seventeen VLAN tags. */
  {
    g_autoptr(NtpacTestPacket) tagged = new_tcp_ipv4 ();

    for (guint i = 0; i < 17; i++)
      ntpac_test_packet_vlan (tagged, NTPAC_TEST_TPID_8021Q, 0, i + 1);
    ntpac_test_packet_ethernet (tagged, NULL, NULL);
    decode_harness_init (&h, NULL);
    decode_bytes (&h, ntpac_test_packet_get_data (tagged, NULL),
                  ntpac_test_packet_get_length (tagged),
                  NTPAC_LINKTYPE_ETHERNET);
    decode_harness_assert_anomalies (&h, NTPAC_ANOMALY_TOO_DEEP, ANOMALIES_END);
    g_assert_cmpuint (h.packet.n_layers, ==, NTPAC_MAX_LAYERS);
    g_assert_cmpuint (h.packet.transport, ==, NTPAC_TRANSPORT_NONE);
    decode_harness_clear (&h);
  }
}

static void
test_depth_limit (void)
{
  g_autoptr(NtpacTestPacket) p = new_tcp ();
  DecodeHarness h;

  g_test_summary ("Exactly 16 layers (Ethernet, 14 IPv4, TCP) still decode");

  for (guint i = 0; i < 14; i++)
    ntpac_test_packet_ipv4 (p, SRC4, DST4);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  g_assert_true (decode_fresh (&h, p, NTPAC_LINKTYPE_ETHERNET));
  g_assert_cmpuint (h.packet.n_layers, ==, NTPAC_MAX_LAYERS);
  g_assert_cmpuint (h.packet.layers[15].kind, ==, NTPAC_LAYER_TCP);
  assert_tcp_packet (&h, NTPAC_NET_IPV4, SRC4, DST4, 14, 14 + 14 * 20 + 20);
  decode_harness_clear (&h);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test; the other tests still run. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/decoder/link/ethernet", test_link_ethernet);
  g_test_add_func ("/decoder/link/ethernet-padding",
                   test_link_ethernet_padding);
  g_test_add_func ("/decoder/link/ieee8023-snap", test_link_ieee8023_snap);
  g_test_add_func ("/decoder/link/linux-sll", test_link_linux_sll);
  g_test_add_func ("/decoder/link/linux-sll2", test_link_linux_sll2);
  g_test_add_func ("/decoder/link/null-little-endian",
                   test_link_null_little_endian);
  g_test_add_func ("/decoder/link/null-big-endian", test_link_null_big_endian);
  g_test_add_func ("/decoder/link/loop", test_link_loop);
  g_test_add_func ("/decoder/link/raw", test_link_raw);
  g_test_add_func ("/decoder/link/ipv4", test_link_ipv4);
  g_test_add_func ("/decoder/link/ipv6", test_link_ipv6);
  g_test_add_func ("/decoder/link/linux-sll-not-ip", test_link_sll_not_ip);
  g_test_add_func ("/decoder/link/unsupported", test_link_unsupported);

  g_test_add_func ("/decoder/encap/vlan", test_encap_vlan);
  g_test_add_func ("/decoder/encap/qinq", test_encap_qinq);
  g_test_add_func ("/decoder/encap/mpls", test_encap_mpls);
  g_test_add_func ("/decoder/encap/mpls-stack", test_encap_mpls_stack);
  g_test_add_func ("/decoder/encap/mpls-pseudowire",
                   test_encap_mpls_pseudowire);
  g_test_add_func ("/decoder/encap/mpls-ethernet", test_encap_mpls_ethernet);
  g_test_add_func ("/decoder/encap/pppoe-ipv4", test_encap_pppoe_ipv4);
  g_test_add_func ("/decoder/encap/pppoe-ipv6", test_encap_pppoe_ipv6);
  g_test_add_func ("/decoder/encap/gre", test_encap_gre);
  g_test_add_func ("/decoder/encap/gre-ethernet", test_encap_gre_ethernet);
  g_test_add_func ("/decoder/encap/erspan2", test_encap_erspan2);
  g_test_add_func ("/decoder/encap/vxlan", test_encap_vxlan);
  g_test_add_func ("/decoder/encap/geneve", test_encap_geneve);
  g_test_add_func ("/decoder/encap/gtpu", test_encap_gtpu);
  g_test_add_func ("/decoder/encap/gtpu-extension", test_encap_gtpu_extension);
  g_test_add_func ("/decoder/encap/teredo", test_encap_teredo);
  g_test_add_func ("/decoder/encap/teredo-origin", test_encap_teredo_origin);
  g_test_add_func ("/decoder/encap/pptp", test_encap_pptp);
  g_test_add_func ("/decoder/encap/ppp-compressed", test_encap_ppp_compressed);
  g_test_add_func ("/decoder/encap/erspan1", test_encap_erspan1);
  g_test_add_func ("/decoder/encap/erspan3", test_encap_erspan3);
  g_test_add_func ("/decoder/encap/ipip", test_encap_ipip);
  g_test_add_func ("/decoder/encap/ipv6-in-ipv4", test_encap_ipv6_in_ipv4);

  g_test_add_func ("/decoder/ipv6/extension-headers",
                   test_ipv6_extension_headers);
  g_test_add_func ("/decoder/ipv6/atomic-fragment", test_ipv6_atomic_fragment);
  g_test_add_func ("/decoder/ipv6/authentication-header",
                   test_ipv6_authentication_header);
  g_test_add_func ("/decoder/ipv4/options", test_ipv4_options);
  g_test_add_func ("/decoder/ipv4/zero-total-length",
                   test_ipv4_zero_total_length);

  g_test_add_func ("/decoder/tcp/options", test_tcp_options);
  g_test_add_func ("/decoder/tcp/sack-blocks", test_tcp_sack_blocks);
  g_test_add_func ("/decoder/tcp/end-of-options", test_tcp_end_of_options);
  g_test_add_func ("/decoder/udp/zero-length", test_udp_zero_length);
  g_test_add_func ("/decoder/icmp/echo", test_icmp_echo);
  g_test_add_func ("/decoder/icmpv6/echo", test_icmpv6_echo);
  g_test_add_func ("/decoder/arp", test_arp);
  g_test_add_func ("/decoder/unknown-ethertype", test_unknown_ethertype);
  g_test_add_func ("/decoder/unknown-ip-protocol", test_unknown_ip_protocol);
  g_test_add_func ("/decoder/stats", test_stats);
  g_test_add_func ("/decoder/anomaly-report", test_anomaly_report);

  for (guint i = 0; i < G_N_ELEMENTS (cut_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/decoder/cut/%s",
                                                cut_cases[i].name);

      g_test_add_data_func (path, &cut_cases[i], test_cut);
    }
  g_test_add_func ("/decoder/cut/snaplen-payload", test_snaplen_payload);

  g_test_add_func ("/decoder/malformed/ipv4-ihl-below-5",
                   test_ipv4_ihl_below_5);
  g_test_add_func ("/decoder/malformed/ipv4-ihl-beyond-packet",
                   test_ipv4_ihl_beyond_packet);
  g_test_add_func ("/decoder/malformed/ipv4-total-below-ihl",
                   test_ipv4_total_below_ihl);
  g_test_add_func ("/decoder/malformed/ipv4-total-beyond-frame",
                   test_ipv4_total_beyond_frame);
  g_test_add_func ("/decoder/malformed/ip-version-mismatch",
                   test_ip_version_mismatch);
  g_test_add_func ("/decoder/malformed/ipv6-payload-length",
                   test_ipv6_payload_length);
  g_test_add_func ("/decoder/malformed/ipv6-extension-past-payload",
                   test_ipv6_extension_past_payload);
  g_test_add_func ("/decoder/malformed/ipv6-17-extensions",
                   test_ipv6_many_extensions);
  g_test_add_func ("/decoder/malformed/ipv6-16-extensions",
                   test_ipv6_sixteen_extensions);
  g_test_add_func ("/decoder/malformed/tcp-data-offset-below-5",
                   test_tcp_data_offset_below_5);
  g_test_add_func ("/decoder/malformed/tcp-data-offset-beyond-segment",
                   test_tcp_data_offset_beyond_segment);
  for (guint i = 0; i < G_N_ELEMENTS (bad_option_cases); i++)
    {
      g_autofree gchar *path = NULL;

      path = g_strdup_printf ("/decoder/malformed/tcp-option/%s",
                              bad_option_cases[i].name);

      g_test_add_data_func (path, &bad_option_cases[i], test_tcp_bad_option);
    }
  g_test_add_func ("/decoder/malformed/tcp-option/keeps-earlier",
                   test_tcp_bad_option_keeps_earlier);
  g_test_add_func ("/decoder/malformed/udp-length-below-8",
                   test_udp_length_below_8);
  g_test_add_func ("/decoder/malformed/udp-length-beyond-ip",
                   test_udp_length_beyond_ip);
  g_test_add_func ("/decoder/malformed/gre-version-2", test_gre_version_2);
  g_test_add_func ("/decoder/malformed/gre-routing", test_gre_routing);
  g_test_add_func ("/decoder/malformed/gre-version-1-not-ppp",
                   test_gre_version_1_not_ppp);
  g_test_add_func ("/decoder/malformed/mpls-no-bottom", test_mpls_no_bottom);
  g_test_add_func ("/decoder/malformed/pppoe-length", test_pppoe_length);
  g_test_add_func ("/decoder/malformed/too-deep", test_too_deep);
  g_test_add_func ("/decoder/malformed/depth-limit", test_depth_limit);

  return g_test_run ();
}
