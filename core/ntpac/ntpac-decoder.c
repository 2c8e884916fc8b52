/* ntpac-decoder.c: link, network and transport decoding
 *
 * Link layers: Ethernet II and 802.3/SNAP, Linux cooked capture v1 and v2,
 * BSD null/loopback, raw IPv4/IPv6. Encapsulations: 802.1Q/802.1ad
 * (QinQ), MPLS (RFC 3032), PPPoE sessions (RFC 2516), GRE (RFC 2784,
 * 2890; PPTP's enhanced GRE, RFC 2637), ERSPAN types I-III, VXLAN (RFC
 * 7348), Geneve (RFC 8926), GTP-U (3GPP TS 29.281), Teredo (RFC 4380),
 * IP-in-IP (RFC 2003) and IPv6-in-IP (RFC 4213). IPv4 (RFC 791), IPv6 and
 * its extension headers (RFC 8200), fragment reassembly, TCP with its
 * options (RFC 9293, 7323, 2018), UDP, ICMP and ICMPv6.
 *
 * Every read goes through an NtpacCursor; a header that is cut short or
 * inconsistent becomes an anomaly and decoding stops at that layer. Work
 * per frame is a few dozen byte reads: no allocation unless fragments are
 * reassembled.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-cursor.h"
#include "ntpac-decoder.h"
#include "ntpac-defrag-private.h"
#include "ntpac-linktype.h"
#include "ntpac-wifi-private.h"

#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_ARP       0x0806
#define ETHERTYPE_TEB       0x6558   /* transparent Ethernet bridging */
#define ETHERTYPE_RARP      0x8035
#define ETHERTYPE_VLAN      0x8100
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_PPP       0x880b
#define ETHERTYPE_MPLS      0x8847
#define ETHERTYPE_MPLS_MC   0x8848
#define ETHERTYPE_PPPOE_SES 0x8864
#define ETHERTYPE_QINQ      0x88a8
#define ETHERTYPE_ERSPAN_2  0x88be
#define ETHERTYPE_ERSPAN_3  0x22eb
#define ETHERTYPE_QINQ_OLD1 0x9100
#define ETHERTYPE_QINQ_OLD2 0x9200

#define IPPROTO_V_ICMP      1
#define IPPROTO_V_IPIP      4
#define IPPROTO_V_TCP       6
#define IPPROTO_V_UDP       17
#define IPPROTO_V_IPV6      41
#define IPPROTO_V_GRE       47
#define IPPROTO_V_ICMPV6    58

#define PORT_GTPU           2152
#define PORT_TEREDO         3544
#define PORT_VXLAN          4789
#define PORT_GENEVE         6081

#define MAX_IPV6_EXTENSIONS 16

struct _NtpacDecoder
{
  NtpacDecoderConfig  config;
  NtpacDefrag        *defrag;
  NtpacDecodeStats    stats;
  NtpacAnomalyFunc    report;
  gpointer            report_data;
  guint               last_link_slot;
};

/* State of one decode call. */
typedef struct
{
  NtpacDecoder     *self;
  NtpacPacket      *pkt;
  const NtpacFrame *frame;
  const guint8     *base;           /* start of the bytes being decoded */
  gboolean          in_reassembled;
} Ctx;

static void decode_ethertype (Ctx *ctx, NtpacCursor *c, guint16 ethertype);
static void decode_ethernet (Ctx *ctx, NtpacCursor *c);
static void decode_ipv4 (Ctx *ctx, NtpacCursor *c);
static void decode_ipv6 (Ctx *ctx, NtpacCursor *c);
static void decode_ip_payload (Ctx *ctx, NtpacCursor *c, guint8 proto);
static void decode_ipv6_extensions (Ctx *ctx, NtpacCursor *payload, guint8 next,
                                    const guint8 *src, const guint8 *dst);

/* ---- helpers ------------------------------------------------------------ */

/* Big-endian loads from bytes a cursor has already bounds-checked. */
static inline guint16
load_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
load_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
report_anomaly (Ctx              *ctx,
                NtpacAnomalyKind  kind)
{
  NtpacDecoder *self = ctx->self;

  ctx->pkt->flags |= NTPAC_PACKET_MALFORMED;
  if (self->stats.anomalies[kind]++ == 0)
    self->stats.anomaly_first[kind] = ctx->frame->ref;
  if (self->report != NULL)
    {
      NtpacAnomaly anomaly = { kind, ctx->frame->ref, ctx->frame->ts_ns };

      self->report (&anomaly, self->report_data);
    }
}

/* A failed read: the capture cut the header (@truncated), or the header
 * claims more than the packet has (@malformed). */
static void
report_cursor (Ctx              *ctx,
               const NtpacCursor *c,
               NtpacAnomalyKind  truncated,
               NtpacAnomalyKind  malformed)
{
  report_anomaly (ctx, ntpac_cursor_is_malformed (c) ? malformed : truncated);
}

static gboolean
push_layer (Ctx               *ctx,
            const NtpacCursor *c,
            NtpacLayerKind     kind,
            guint32            value)
{
  NtpacPacket *pkt = ctx->pkt;
  NtpacLayer *layer;

  if (pkt->n_layers >= NTPAC_MAX_LAYERS)
    {
      report_anomaly (ctx, NTPAC_ANOMALY_TOO_DEEP);
      return FALSE;
    }
  layer = &pkt->layers[pkt->n_layers++];
  layer->kind = kind;
  layer->in_reassembled = ctx->in_reassembled;
  layer->reserved = 0;
  layer->offset = (guint32) (ntpac_cursor_here (c) - ctx->base);
  layer->value = value;
  return TRUE;
}

static void
set_transport (Ctx                 *ctx,
               NtpacTransportProto  transport)
{
  ctx->pkt->transport = transport;
}

/* The innermost layer is not IP. Counts and flows follow the innermost
 * headers, as Wireshark's do: a tunnel carrying ARP has no transport,
 * and an unknown payload inside IP still counts as that IP. */
static void
mark_not_ip (Ctx     *ctx,
             guint8   net)
{
  if (net == NTPAC_NET_ARP || ctx->pkt->net == NTPAC_NET_NONE)
    ctx->pkt->net = net;
  set_transport (ctx, NTPAC_TRANSPORT_NONE);
}

static void
set_payload (Ctx               *ctx,
             const NtpacCursor *c)
{
  NtpacPacket *pkt = ctx->pkt;

  pkt->payload = ntpac_cursor_here (c);
  pkt->payload_len = (guint32) ntpac_cursor_remaining (c);
  pkt->payload_reported = (guint32) MIN (ntpac_cursor_reported_remaining (c), G_MAXUINT32);
  if (pkt->payload_reported > pkt->payload_len)
    pkt->flags |= NTPAC_PACKET_PAYLOAD_TRUNCATED;
}

/* A cursor over the next @len reported bytes of @c: what is captured of
 * them, with @len as the reported length. */
static NtpacCursor
limit_cursor (const NtpacCursor *c,
              gsize              len)
{
  NtpacCursor sub;

  ntpac_cursor_init (&sub, ntpac_cursor_here (c),
                     MIN (ntpac_cursor_remaining (c), len), len);
  return sub;
}

/* ---- transport ---------------------------------------------------------- */

static gboolean
tcp_option_length_ok (guint8 kind,
                      guint8 len)
{
  switch (kind)
    {
    case 2:  /* MSS */
      return len == 4;
    case 3:  /* window scale */
      return len == 3;
    case 4:  /* SACK permitted */
      return len == 2;
    case 5:  /* SACK blocks */
      return len > 2 && (len - 2) % 8 == 0;
    case 8:  /* timestamps */
      return len == 10;
    default:
      return len >= 2;
    }
}

static void
decode_tcp_options (Ctx         *ctx,
                    NtpacCursor *opts)
{
  NtpacTcpHeader *tcp = &ctx->pkt->tcp;

  while (ntpac_cursor_remaining (opts) > 0)
    {
      guint8 kind, len;
      NtpacCursor v;

      if (!ntpac_cursor_get_u8 (opts, &kind) || kind == 0)  /* end of list */
        return;
      if (kind == 1)  /* no-operation */
        continue;
      if (!ntpac_cursor_get_u8 (opts, &len) || !tcp_option_length_ok (kind, len) ||
          !ntpac_cursor_get_sub (opts, len - 2, &v))
        {
          report_anomaly (ctx, NTPAC_ANOMALY_TCP_BAD_OPTION);
          return;
        }
      /* The length was checked above: the value bytes are all there. */
      switch (kind)
        {
        case 2:
          tcp->mss = load_be16 (ntpac_cursor_here (&v));
          break;
        case 3:
          tcp->wscale = *ntpac_cursor_here (&v);
          break;
        case 4:
          tcp->sack_permitted = TRUE;
          break;
        case 5:
          for (guint i = 0; i + 8 <= len - 2u && tcp->n_sack < NTPAC_TCP_MAX_SACK; i += 8)
            {
              tcp->sack[tcp->n_sack][0] = load_be32 (ntpac_cursor_here (&v) + i);
              tcp->sack[tcp->n_sack][1] = load_be32 (ntpac_cursor_here (&v) + i + 4);
              tcp->n_sack++;
            }
          break;
        case 8:
          tcp->tsval = load_be32 (ntpac_cursor_here (&v));
          tcp->tsecr = load_be32 (ntpac_cursor_here (&v) + 4);
          tcp->has_timestamps = TRUE;
          break;
        default:
          break;
        }
    }
}

static void
decode_tcp (Ctx         *ctx,
            NtpacCursor *c)
{
  NtpacPacket *pkt = ctx->pkt;
  NtpacTcpHeader *tcp = &pkt->tcp;
  guint16 sport, dport, off_flags, window, csum, urgent;
  guint32 seq, ack;
  guint hl;
  NtpacCursor opts;

  if (!push_layer (ctx, c, NTPAC_LAYER_TCP, 0))
    return;
  if (!ntpac_cursor_get_u16_be (c, &sport) ||
      !ntpac_cursor_get_u16_be (c, &dport) ||
      !ntpac_cursor_get_u32_be (c, &seq) ||
      !ntpac_cursor_get_u32_be (c, &ack) ||
      !ntpac_cursor_get_u16_be (c, &off_flags) ||
      !ntpac_cursor_get_u16_be (c, &window) ||
      !ntpac_cursor_get_u16_be (c, &csum) ||
      !ntpac_cursor_get_u16_be (c, &urgent))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_TCP_TRUNCATED, NTPAC_ANOMALY_TCP_TRUNCATED);
      return;
    }

  pkt->tuple.sport = sport;
  pkt->tuple.dport = dport;
  set_transport (ctx, NTPAC_TRANSPORT_TCP);
  tcp->seq = seq;
  tcp->ack = ack;
  tcp->window = window;
  tcp->flags = off_flags & 0xff;
  hl = (off_flags >> 12) * 4;
  tcp->header_len = hl;

  if (hl < 20 || hl - 20 > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET);
      return;
    }
  if (!ntpac_cursor_get_sub (c, hl - 20, &opts))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_TCP_TRUNCATED);
      return;
    }
  decode_tcp_options (ctx, &opts);
  set_payload (ctx, c);
}

/* VXLAN, Geneve, GTP-U and Teredo ride on UDP; each is taken for a tunnel
 * only when its header checks out, else the datagram stays plain UDP. */
static gboolean
decode_udp_tunnel (Ctx         *ctx,
                   NtpacCursor *c,
                   guint16      sport,
                   guint16      dport)
{
  NtpacCursor t = ntpac_cursor_rest (c);

  if (dport == PORT_VXLAN)
    {
      guint8 flags;
      guint32 vni_word, w0;

      if (!ntpac_cursor_get_u32_be (&t, &w0) || !ntpac_cursor_get_u32_be (&t, &vni_word))
        return FALSE;
      flags = w0 >> 24;
      if (!(flags & 0x08))
        return FALSE;
      if (!push_layer (ctx, c, NTPAC_LAYER_VXLAN, vni_word >> 8))
        return TRUE;
      decode_ethernet (ctx, &t);
      return TRUE;
    }

  if (dport == PORT_GENEVE)
    {
      guint8 ver_optlen, flags;
      guint16 proto;
      guint32 vni_word;

      if (!ntpac_cursor_get_u8 (&t, &ver_optlen) || !ntpac_cursor_get_u8 (&t, &flags) ||
          !ntpac_cursor_get_u16_be (&t, &proto) || !ntpac_cursor_get_u32_be (&t, &vni_word))
        return FALSE;
      if ((ver_optlen >> 6) != 0)
        return FALSE;
      if (!push_layer (ctx, c, NTPAC_LAYER_GENEVE, vni_word >> 8))
        return TRUE;
      if (!ntpac_cursor_skip (&t, (ver_optlen & 0x3f) * 4))
        {
          report_cursor (ctx, &t, NTPAC_ANOMALY_TUNNEL_TRUNCATED, NTPAC_ANOMALY_TUNNEL_TRUNCATED);
          return TRUE;
        }
      if (proto == ETHERTYPE_TEB)
        decode_ethernet (ctx, &t);
      else
        decode_ethertype (ctx, &t, proto);
      return TRUE;
    }

  if (dport == PORT_GTPU || sport == PORT_GTPU)
    {
      guint8 flags, type, next_ext, first;
      guint16 len;
      guint32 teid;

      if (!ntpac_cursor_get_u8 (&t, &flags) || !ntpac_cursor_get_u8 (&t, &type) ||
          !ntpac_cursor_get_u16_be (&t, &len) || !ntpac_cursor_get_u32_be (&t, &teid))
        return FALSE;
      if ((flags >> 5) != 1 || !(flags & 0x10) || type != 0xff)
        return FALSE;  /* only GTPv1-U G-PDUs carry user packets */
      if (!push_layer (ctx, c, NTPAC_LAYER_GTPU, teid))
        return TRUE;
      if (flags & 0x07)
        {
          if (!ntpac_cursor_skip (&t, 3) || !ntpac_cursor_get_u8 (&t, &next_ext))
            {
              report_cursor (ctx, &t, NTPAC_ANOMALY_TUNNEL_TRUNCATED, NTPAC_ANOMALY_TUNNEL_TRUNCATED);
              return TRUE;
            }
          /* Extension headers: length in 4-byte units, never 0. */
          while (next_ext != 0)
            {
              guint8 units;

              if (!ntpac_cursor_get_u8 (&t, &units) || units == 0 ||
                  !ntpac_cursor_skip (&t, units * 4u - 2) ||
                  !ntpac_cursor_get_u8 (&t, &next_ext))
                {
                  report_anomaly (ctx, NTPAC_ANOMALY_TUNNEL_TRUNCATED);
                  return TRUE;
                }
            }
        }
      if (!ntpac_cursor_peek_u8 (&t, &first))
        {
          report_anomaly (ctx, NTPAC_ANOMALY_TUNNEL_TRUNCATED);
          return TRUE;
        }
      if ((first >> 4) == 4)
        decode_ipv4 (ctx, &t);
      else if ((first >> 4) == 6)
        decode_ipv6 (ctx, &t);
      return TRUE;
    }

  if (dport == PORT_TEREDO || sport == PORT_TEREDO)
    {
      guint16 indicator;
      guint8 first;
      NtpacCursor probe;
      guint16 plen;

      /* Optional authentication and origin indications precede IPv6. */
      while (ntpac_cursor_peek_u16_be (&t, &indicator) && (indicator == 0x0001 || indicator == 0x0000))
        {
          if (indicator == 0x0001)
            {
              guint8 id_len, auth_len;

              if (!ntpac_cursor_skip (&t, 2) || !ntpac_cursor_get_u8 (&t, &id_len) ||
                  !ntpac_cursor_get_u8 (&t, &auth_len) ||
                  !ntpac_cursor_skip (&t, (gsize) id_len + auth_len + 9))
                return FALSE;
            }
          else if (!ntpac_cursor_skip (&t, 8))
            return FALSE;
        }
      probe = ntpac_cursor_rest (&t);
      if (!ntpac_cursor_get_u8 (&probe, &first) || (first >> 4) != 6 ||
          !ntpac_cursor_skip (&probe, 3) || !ntpac_cursor_get_u16_be (&probe, &plen) ||
          (gsize) plen + 40 != ntpac_cursor_reported_remaining (&t))
        return FALSE;
      if (!push_layer (ctx, c, NTPAC_LAYER_TEREDO, 0))
        return TRUE;
      decode_ipv6 (ctx, &t);
      return TRUE;
    }

  return FALSE;
}

static void
decode_udp (Ctx         *ctx,
            NtpacCursor *c)
{
  NtpacPacket *pkt = ctx->pkt;
  guint16 sport, dport, ulen, csum;
  NtpacCursor payload;

  if (!push_layer (ctx, c, NTPAC_LAYER_UDP, 0))
    return;
  if (!ntpac_cursor_get_u16_be (c, &sport) ||
      !ntpac_cursor_get_u16_be (c, &dport) ||
      !ntpac_cursor_get_u16_be (c, &ulen) ||
      !ntpac_cursor_get_u16_be (c, &csum))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_UDP_TRUNCATED, NTPAC_ANOMALY_UDP_TRUNCATED);
      return;
    }
  pkt->tuple.sport = sport;
  pkt->tuple.dport = dport;
  set_transport (ctx, NTPAC_TRANSPORT_UDP);

  if (ulen == 0)  /* IPv6 jumbogram, or a length offloaded to the NIC */
    ulen = (guint16) MIN (ntpac_cursor_reported_remaining (c) + 8, G_MAXUINT16);
  if (ulen < 8 || (gsize) ulen - 8 > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_UDP_BAD_LENGTH);
      if (ulen < 8)
        return;
      ulen = (guint16) (ntpac_cursor_reported_remaining (c) + 8);
    }
  payload = limit_cursor (c, ulen - 8);
  set_payload (ctx, &payload);

  decode_udp_tunnel (ctx, &payload, sport, dport);
}

static void
decode_icmp (Ctx             *ctx,
             NtpacCursor     *c,
             NtpacLayerKind   kind)
{
  NtpacPacket *pkt = ctx->pkt;

  if (!push_layer (ctx, c, kind, 0))
    return;
  set_transport (ctx, kind == NTPAC_LAYER_ICMP ? NTPAC_TRANSPORT_ICMP : NTPAC_TRANSPORT_ICMPV6);
  if (!ntpac_cursor_get_u8 (c, &pkt->icmp_type) ||
      !ntpac_cursor_get_u8 (c, &pkt->icmp_code) ||
      !ntpac_cursor_skip (c, 2))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_ICMP_TRUNCATED);
      return;
    }
  set_payload (ctx, c);
}

/* ---- tunnels -------------------------------------------------------- */

/* PPP inside PPPoE or PPTP's GRE; address/control bytes and protocol
 * field compression (RFC 1661, 1662) are both accepted. */
static void
decode_ppp (Ctx         *ctx,
            NtpacCursor *c,
            gboolean     may_have_address)
{
  guint8 b0, b1;
  guint16 proto;

  if (!push_layer (ctx, c, NTPAC_LAYER_PPP, 0))
    return;
  if (may_have_address && ntpac_cursor_remaining (c) >= 2 &&
      load_be16 (ntpac_cursor_here (c)) == 0xff03)
    c->pos += 2;
  if (!ntpac_cursor_get_u8 (c, &b0))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_PPPOE_TRUNCATED, NTPAC_ANOMALY_PPPOE_TRUNCATED);
      return;
    }
  if (b0 & 1)
    proto = b0;  /* compressed to one byte */
  else if (ntpac_cursor_get_u8 (c, &b1))
    proto = (guint16) ((b0 << 8) | b1);
  else
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_PPPOE_TRUNCATED, NTPAC_ANOMALY_PPPOE_TRUNCATED);
      return;
    }
  if (proto == 0x0021)
    decode_ipv4 (ctx, c);
  else if (proto == 0x0057)
    decode_ipv6 (ctx, c);
  else
    mark_not_ip (ctx, NTPAC_NET_OTHER);
}

static void
decode_pppoe (Ctx         *ctx,
              NtpacCursor *c)
{
  guint8 vt, code;
  guint16 session, len;
  NtpacCursor body;

  if (!push_layer (ctx, c, NTPAC_LAYER_PPPOE, 0))
    return;
  if (!ntpac_cursor_get_u8 (c, &vt) || !ntpac_cursor_get_u8 (c, &code) ||
      !ntpac_cursor_get_u16_be (c, &session) || !ntpac_cursor_get_u16_be (c, &len))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_PPPOE_TRUNCATED, NTPAC_ANOMALY_PPPOE_TRUNCATED);
      return;
    }
  ctx->pkt->layers[ctx->pkt->n_layers - 1].value = session;
  if (len > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_PPPOE_BAD_LENGTH);
      len = (guint16) MIN (ntpac_cursor_reported_remaining (c), G_MAXUINT16);
    }
  body = limit_cursor (c, len);
  decode_ppp (ctx, &body, FALSE);
}

static void
decode_mpls (Ctx         *ctx,
             NtpacCursor *c)
{
  guint32 entry = 0;
  guint8 first;

  do
    {
      NtpacCursor at = *c;

      if (!ntpac_cursor_get_u32_be (c, &entry))
        {
          report_anomaly (ctx, NTPAC_ANOMALY_MPLS_TRUNCATED);
          return;
        }
      if (!push_layer (ctx, &at, NTPAC_LAYER_MPLS, entry >> 12))
        return;
    }
  while (!(entry & 0x100));

  /* No type field follows the stack: guess as Wireshark and Zeek do. */
  if (!ntpac_cursor_peek_u8 (c, &first))
    {
      mark_not_ip (ctx, NTPAC_NET_OTHER);
      return;
    }
  switch (first >> 4)
    {
    case 4:
      decode_ipv4 (ctx, c);
      break;
    case 6:
      decode_ipv6 (ctx, c);
      break;
    case 0:
      /* pseudowire control word, then Ethernet */
      if (!ntpac_cursor_skip (c, 4))
        {
          report_anomaly (ctx, NTPAC_ANOMALY_MPLS_TRUNCATED);
          return;
        }
      decode_ethernet (ctx, c);
      break;
    default:
      decode_ethernet (ctx, c);
      break;
    }
}

static void
decode_erspan (Ctx         *ctx,
               NtpacCursor *c,
               guint16      proto,
               gboolean     has_sequence)
{
  guint32 w0 = 0, w2;

  if (proto == ETHERTYPE_ERSPAN_2 && !has_sequence)
    {
      /* ERSPAN type I: no header of its own */
      if (push_layer (ctx, c, NTPAC_LAYER_ERSPAN, 0))
        decode_ethernet (ctx, c);
      return;
    }
  if (!push_layer (ctx, c, NTPAC_LAYER_ERSPAN, 0))
    return;
  if (!ntpac_cursor_get_u32_be (c, &w0) || !ntpac_cursor_skip (c, 4))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_ERSPAN_TRUNCATED, NTPAC_ANOMALY_ERSPAN_TRUNCATED);
      return;
    }
  ctx->pkt->layers[ctx->pkt->n_layers - 1].value = w0 & 0x3ff;  /* session id */
  if (proto == ETHERTYPE_ERSPAN_3)
    {
      if (!ntpac_cursor_get_u32_be (c, &w2))
        {
          report_cursor (ctx, c, NTPAC_ANOMALY_ERSPAN_TRUNCATED, NTPAC_ANOMALY_ERSPAN_TRUNCATED);
          return;
        }
      if ((w2 & 1) && !ntpac_cursor_skip (c, 8))  /* platform-specific subheader */
        {
          report_cursor (ctx, c, NTPAC_ANOMALY_ERSPAN_TRUNCATED, NTPAC_ANOMALY_ERSPAN_TRUNCATED);
          return;
        }
      if (((w2 >> 10) & 0x1f) != 0)  /* frame type other than Ethernet */
        {
          mark_not_ip (ctx, NTPAC_NET_OTHER);
          return;
        }
    }
  decode_ethernet (ctx, c);
}

static void
decode_gre (Ctx         *ctx,
            NtpacCursor *c)
{
  guint16 flags, proto;
  guint32 key = 0;
  guint version;

  if (!push_layer (ctx, c, NTPAC_LAYER_GRE, 0))
    return;
  if (!ntpac_cursor_get_u16_be (c, &flags) || !ntpac_cursor_get_u16_be (c, &proto))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_GRE_TRUNCATED, NTPAC_ANOMALY_GRE_TRUNCATED);
      return;
    }
  version = flags & 0x7;
  if (version == 0)
    {
      if (flags & 0x4000)  /* RFC 1701 source routing */
        {
          report_anomaly (ctx, NTPAC_ANOMALY_GRE_UNSUPPORTED);
          return;
        }
      if (((flags & 0x8000) && !ntpac_cursor_skip (c, 4)) ||
          ((flags & 0x2000) && !ntpac_cursor_get_u32_be (c, &key)) ||
          ((flags & 0x1000) && !ntpac_cursor_skip (c, 4)))
        {
          report_cursor (ctx, c, NTPAC_ANOMALY_GRE_TRUNCATED, NTPAC_ANOMALY_GRE_TRUNCATED);
          return;
        }
    }
  else if (version == 1)
    {
      /* PPTP: key holds payload length and call id; ack is optional */
      if (!(flags & 0x2000) || proto != ETHERTYPE_PPP)
        {
          report_anomaly (ctx, NTPAC_ANOMALY_GRE_UNSUPPORTED);
          return;
        }
      if (!ntpac_cursor_get_u32_be (c, &key) ||
          ((flags & 0x1000) && !ntpac_cursor_skip (c, 4)) ||
          ((flags & 0x0080) && !ntpac_cursor_skip (c, 4)))
        {
          report_cursor (ctx, c, NTPAC_ANOMALY_GRE_TRUNCATED, NTPAC_ANOMALY_GRE_TRUNCATED);
          return;
        }
    }
  else
    {
      report_anomaly (ctx, NTPAC_ANOMALY_GRE_UNSUPPORTED);
      return;
    }
  ctx->pkt->layers[ctx->pkt->n_layers - 1].value = key;

  switch (proto)
    {
    case ETHERTYPE_TEB:
      decode_ethernet (ctx, c);
      break;
    case ETHERTYPE_ERSPAN_2:
    case ETHERTYPE_ERSPAN_3:
      decode_erspan (ctx, c, proto, (flags & 0x1000) != 0);
      break;
    case ETHERTYPE_PPP:
      if (ntpac_cursor_remaining (c) == 0)
        mark_not_ip (ctx, NTPAC_NET_OTHER);  /* PPTP acknowledgement only */
      else
        decode_ppp (ctx, c, TRUE);
      break;
    default:
      decode_ethertype (ctx, c, proto);
      break;
    }
}

/* ---- network ---------------------------------------------------------- */

static void
set_addresses (NtpacPacket  *pkt,
               guint8        family,
               const guint8 *src,
               const guint8 *dst,
               guint         len)
{
  memset (&pkt->tuple, 0, sizeof pkt->tuple);
  pkt->tuple.src.family = family;
  pkt->tuple.dst.family = family;
  memcpy (pkt->tuple.src.bytes, src, len);
  memcpy (pkt->tuple.dst.bytes, dst, len);
  pkt->transport = NTPAC_TRANSPORT_NONE;
  pkt->payload = NULL;
  pkt->payload_len = 0;
  pkt->payload_reported = 0;
  if (++pkt->n_ip > 1)
    pkt->flags |= NTPAC_PACKET_TUNNELLED;
}

/* Hands a fragment to reassembly; continues with the datagram when it
 * is complete. @src and @dst are the IPv6 addresses (NULL for IPv4), to
 * walk the extension headers that follow the Fragment header. */
static void
reassemble (Ctx                  *ctx,
            const NtpacDefragKey *key,
            guint32               offset,
            gboolean              more,
            guint8                next_header,
            NtpacCursor          *payload,
            const guint8         *src,
            const guint8         *dst)
{
  NtpacPacket *pkt = ctx->pkt;
  NtpacDefragResult result = { 0 };
  NtpacCursor c;
  NtpacDefragStatus status;
  guint8 v6_src[16], v6_dst[16];

  ctx->self->stats.fragments++;
  pkt->tuple.proto = next_header;
  if (pkt->reassembled != NULL)
    {
      /* A fragment inside a reassembled datagram: nested fragmentation
       * is not followed further. */
      pkt->flags |= NTPAC_PACKET_FRAGMENT_HELD;
      return;
    }
  status = ntpac_defrag_add (ctx->self->defrag, key, ctx->frame, offset, more, next_header,
                             ntpac_cursor_here (payload),
                             (guint32) ntpac_cursor_remaining (payload),
                             (guint32) MIN (ntpac_cursor_reported_remaining (payload), G_MAXUINT32),
                             &result);
  if (status != NTPAC_DEFRAG_COMPLETE)
    {
      pkt->flags |= NTPAC_PACKET_FRAGMENT_HELD;
      return;
    }
  ctx->self->stats.datagrams_reassembled++;
  pkt->flags |= NTPAC_PACKET_REASSEMBLED;
  pkt->reassembled = result.datagram;
  pkt->fragments = result.frames;
  pkt->n_fragments = result.n_frames;
  pkt->tuple.proto = result.next_header;
  ctx->base = ntpac_buffer_get_data (pkt->reassembled, NULL);
  ctx->in_reassembled = TRUE;
  c = NTPAC_CURSOR_INIT (pkt->reassembled);
  if (src == NULL)
    {
      decode_ip_payload (ctx, &c, result.next_header);
      return;
    }
  /* The addresses may live in the frame: copy before walking on. */
  memcpy (v6_src, src, 16);
  memcpy (v6_dst, dst, 16);
  decode_ipv6_extensions (ctx, &c, result.next_header, v6_src, v6_dst);
}

static void
decode_ipv4 (Ctx         *ctx,
             NtpacCursor *c)
{
  NtpacPacket *pkt = ctx->pkt;
  const guint8 *h;
  guint8 vihl;
  guint ihl;
  guint16 total_len, frag;
  NtpacCursor payload;

  if (!push_layer (ctx, c, NTPAC_LAYER_IPV4, 0))
    return;
  pkt->net = NTPAC_NET_IPV4;
  if (!ntpac_cursor_peek_u8 (c, &vihl))
    {
      report_cursor (ctx, c, NTPAC_ANOMALY_IPV4_TRUNCATED, NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH);
      return;
    }
  if ((vihl >> 4) != 4)
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV4_BAD_VERSION);
      return;
    }
  ihl = (vihl & 0x0f) * 4u;
  if (ihl < 20 || ihl > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH);
      return;
    }
  if (!ntpac_cursor_get_bytes (c, ihl, &h))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV4_TRUNCATED);
      return;
    }
  total_len = (guint16) ((h[2] << 8) | h[3]);
  frag = (guint16) ((h[6] << 8) | h[7]);
  set_addresses (pkt, 4, h + 12, h + 16, 4);
  pkt->tuple.proto = h[9];

  if (total_len == 0)  /* segmentation offload: the NIC fills it in */
    total_len = (guint16) MIN (ntpac_cursor_reported_remaining (c) + ihl, G_MAXUINT16);
  if (total_len < ihl)
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH);
      return;
    }
  if (total_len - ihl > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH);
      total_len = (guint16) (ntpac_cursor_reported_remaining (c) + ihl);
    }
  payload = limit_cursor (c, total_len - ihl);

  if (frag & 0x3fff)  /* more fragments, or an offset */
    {
      NtpacDefragKey key = { 0 };

      key.family = 4;
      key.proto = h[9];
      key.id = (guint32) ((h[4] << 8) | h[5]);
      memcpy (key.src, h + 12, 4);
      memcpy (key.dst, h + 16, 4);
      reassemble (ctx, &key, (frag & 0x1fff) * 8u, (frag & 0x2000) != 0, h[9], &payload, NULL, NULL);
      return;
    }
  decode_ip_payload (ctx, &payload, h[9]);
}

/* Walks IPv6 extension headers from @next to the upper-layer header
 * (RFC 8200 §4): after the fixed header, and again after the Fragment
 * header once a datagram is reassembled. */
static void
decode_ipv6_extensions (Ctx          *ctx,
                        NtpacCursor  *payload,
                        guint8        next,
                        const guint8 *src,
                        const guint8 *dst)
{
  NtpacPacket *pkt = ctx->pkt;

  /* Up to MAX_IPV6_EXTENSIONS headers, then the upper layer. */
  for (guint i = 0; i <= MAX_IPV6_EXTENSIONS; i++)
    {
      guint8 hdr_next, hdr_len;

      pkt->tuple.proto = next;
      switch (next)
        {
        case 0:    /* hop-by-hop options */
        case 43:   /* routing */
        case 60:   /* destination options */
        case 135:  /* mobility */
        case 139:  /* HIP */
        case 140:  /* shim6 */
          if (i == MAX_IPV6_EXTENSIONS)
            break;
          if (!ntpac_cursor_get_u8 (payload, &hdr_next) ||
              !ntpac_cursor_get_u8 (payload, &hdr_len) ||
              !ntpac_cursor_skip (payload, hdr_len * 8u + 6))
            {
              report_cursor (ctx, payload, NTPAC_ANOMALY_IPV6_TRUNCATED,
                             NTPAC_ANOMALY_IPV6_BAD_EXTENSION);
              return;
            }
          next = hdr_next;
          continue;

        case 51:   /* authentication header: length in 4-byte units, minus 2 */
          if (i == MAX_IPV6_EXTENSIONS)
            break;
          if (!ntpac_cursor_get_u8 (payload, &hdr_next) ||
              !ntpac_cursor_get_u8 (payload, &hdr_len) ||
              !ntpac_cursor_skip (payload, hdr_len * 4u + 6))
            {
              report_cursor (ctx, payload, NTPAC_ANOMALY_IPV6_TRUNCATED,
                             NTPAC_ANOMALY_IPV6_BAD_EXTENSION);
              return;
            }
          next = hdr_next;
          continue;

        case 44:   /* fragment */
          {
            guint8 reserved;
            guint16 offlg;
            guint32 id;
            NtpacDefragKey key = { 0 };

            if (i == MAX_IPV6_EXTENSIONS)
              break;
            if (!ntpac_cursor_get_u8 (payload, &hdr_next) ||
                !ntpac_cursor_get_u8 (payload, &reserved) ||
                !ntpac_cursor_get_u16_be (payload, &offlg) ||
                !ntpac_cursor_get_u32_be (payload, &id))
              {
                report_cursor (ctx, payload, NTPAC_ANOMALY_IPV6_TRUNCATED,
                               NTPAC_ANOMALY_IPV6_BAD_EXTENSION);
                return;
              }
            if ((offlg & 0xfff8) == 0 && !(offlg & 1))
              {
                /* atomic fragment (RFC 6946): nothing to reassemble */
                next = hdr_next;
                continue;
              }
            key.family = 6;
            key.id = id;
            memcpy (key.src, src, 16);
            memcpy (key.dst, dst, 16);
            reassemble (ctx, &key, offlg & 0xfff8, (offlg & 1) != 0, hdr_next, payload, src, dst);
            return;
          }

        default:
          decode_ip_payload (ctx, payload, next);
          return;
        }
      break;
    }
  report_anomaly (ctx, NTPAC_ANOMALY_IPV6_BAD_EXTENSION);
}

static void
decode_ipv6 (Ctx         *ctx,
             NtpacCursor *c)
{
  NtpacPacket *pkt = ctx->pkt;
  const guint8 *h;
  guint16 plen;
  guint8 next;
  NtpacCursor payload;

  if (!push_layer (ctx, c, NTPAC_LAYER_IPV6, 0))
    return;
  pkt->net = NTPAC_NET_IPV6;
  if (!ntpac_cursor_get_bytes (c, 40, &h))
    {
      guint8 first;

      if (ntpac_cursor_peek_u8 (c, &first) && (first >> 4) != 6)
        report_anomaly (ctx, NTPAC_ANOMALY_IPV6_BAD_VERSION);
      else
        report_anomaly (ctx, NTPAC_ANOMALY_IPV6_TRUNCATED);
      return;
    }
  if ((h[0] >> 4) != 6)
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV6_BAD_VERSION);
      return;
    }
  plen = (guint16) ((h[4] << 8) | h[5]);
  next = h[6];
  set_addresses (pkt, 6, h + 8, h + 24, 16);
  pkt->tuple.proto = next;

  if (plen == 0)  /* jumbogram or offload: the rest of the frame */
    plen = (guint16) MIN (ntpac_cursor_reported_remaining (c), G_MAXUINT16);
  if (plen > ntpac_cursor_reported_remaining (c))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH);
      plen = (guint16) ntpac_cursor_reported_remaining (c);
    }
  payload = limit_cursor (c, plen);

  decode_ipv6_extensions (ctx, &payload, next, h + 8, h + 24);
}

static void
decode_ip_payload (Ctx         *ctx,
                   NtpacCursor *c,
                   guint8       proto)
{
  switch (proto)
    {
    case IPPROTO_V_TCP:
      decode_tcp (ctx, c);
      break;
    case IPPROTO_V_UDP:
      decode_udp (ctx, c);
      break;
    case IPPROTO_V_ICMP:
      decode_icmp (ctx, c, NTPAC_LAYER_ICMP);
      break;
    case IPPROTO_V_ICMPV6:
      decode_icmp (ctx, c, NTPAC_LAYER_ICMPV6);
      break;
    case IPPROTO_V_IPIP:
      decode_ipv4 (ctx, c);
      break;
    case IPPROTO_V_IPV6:
      decode_ipv6 (ctx, c);
      break;
    case IPPROTO_V_GRE:
      set_transport (ctx, NTPAC_TRANSPORT_OTHER);
      decode_gre (ctx, c);
      break;
    case 59:  /* no next header */
      set_transport (ctx, NTPAC_TRANSPORT_NONE);
      break;
    default:
      set_transport (ctx, NTPAC_TRANSPORT_OTHER);
      set_payload (ctx, c);
      break;
    }
}

/* ---- link ------------------------------------------------------------- */

static void
decode_ethertype (Ctx         *ctx,
                  NtpacCursor *c,
                  guint16      ethertype)
{
  for (;;)
    {
      switch (ethertype)
        {
        case ETHERTYPE_IPV4:
          decode_ipv4 (ctx, c);
          return;
        case ETHERTYPE_IPV6:
          decode_ipv6 (ctx, c);
          return;
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD1:
        case ETHERTYPE_QINQ_OLD2:
          {
            NtpacCursor at = *c;
            guint16 tci;

            if (!ntpac_cursor_get_u16_be (c, &tci) || !ntpac_cursor_get_u16_be (c, &ethertype))
              {
                report_cursor (ctx, c, NTPAC_ANOMALY_VLAN_TRUNCATED, NTPAC_ANOMALY_VLAN_TRUNCATED);
                return;
              }
            if (!push_layer (ctx, &at, NTPAC_LAYER_VLAN, tci & 0x0fff))
              return;
            continue;
          }
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC:
          decode_mpls (ctx, c);
          return;
        case ETHERTYPE_PPPOE_SES:
          decode_pppoe (ctx, c);
          return;
        case ETHERTYPE_TEB:
          decode_ethernet (ctx, c);
          return;
        case ETHERTYPE_ARP:
        case ETHERTYPE_RARP:
          mark_not_ip (ctx, NTPAC_NET_ARP);
          return;
        default:
          if (ethertype <= 1500)
            {
              /* 802.3 length: only LLC/SNAP carries an Ethernet type */
              const guint8 *llc;

              if (ntpac_cursor_get_bytes (c, 8, &llc) &&
                  llc[0] == 0xaa && llc[1] == 0xaa && llc[2] == 0x03)
                {
                  ethertype = (guint16) ((llc[6] << 8) | llc[7]);
                  if (ethertype > 1500)
                    continue;
                }
            }
          mark_not_ip (ctx, NTPAC_NET_OTHER);
          return;
        }
    }
}

static void
decode_ethernet (Ctx         *ctx,
                 NtpacCursor *c)
{
  guint16 ethertype;

  if (!push_layer (ctx, c, NTPAC_LAYER_ETHERNET, 0))
    return;
  if (!ntpac_cursor_skip (c, 12) || !ntpac_cursor_get_u16_be (c, &ethertype))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_LINK_TRUNCATED);
      return;
    }
  decode_ethertype (ctx, c, ethertype);
}

static void
decode_raw_ip (Ctx         *ctx,
               NtpacCursor *c)
{
  guint8 first;

  if (!ntpac_cursor_peek_u8 (c, &first))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_LINK_TRUNCATED);
      return;
    }
  if ((first >> 4) == 6)
    decode_ipv6 (ctx, c);
  else
    decode_ipv4 (ctx, c);
}

static void
decode_linux_sll (Ctx         *ctx,
                  NtpacCursor *c,
                  gboolean     v2)
{
  guint16 hatype, proto;
  const guint8 *h;

  if (!push_layer (ctx, c, v2 ? NTPAC_LAYER_LINUX_SLL2 : NTPAC_LAYER_LINUX_SLL, 0))
    return;
  if (!ntpac_cursor_get_bytes (c, v2 ? 20 : 16, &h))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_LINK_TRUNCATED);
      return;
    }
  if (v2)
    {
      proto = (guint16) ((h[0] << 8) | h[1]);
      hatype = (guint16) ((h[8] << 8) | h[9]);
    }
  else
    {
      hatype = (guint16) ((h[2] << 8) | h[3]);
      proto = (guint16) ((h[14] << 8) | h[15]);
    }
  /* Netlink frames and the 802.2/802.3 pseudo protocols carry no IP. */
  if (hatype == 824 || proto == 0x0001 || proto == 0x0003 || proto == 0x0004)
    {
      mark_not_ip (ctx, NTPAC_NET_OTHER);
      return;
    }
  decode_ethertype (ctx, c, proto);
}

static void
decode_null (Ctx         *ctx,
             NtpacCursor *c,
             gboolean     loop)
{
  guint32 family;

  if (!push_layer (ctx, c, NTPAC_LAYER_NULL, 0))
    return;
  if (loop ? !ntpac_cursor_get_u32_be (c, &family) : !ntpac_cursor_get_u32_le (c, &family))
    {
      report_anomaly (ctx, NTPAC_ANOMALY_LINK_TRUNCATED);
      return;
    }
  /* DLT_NULL is in the writer's byte order: small values are right. */
  if (!loop && family > 0xffff)
    family = GUINT32_SWAP_LE_BE (family);
  ctx->pkt->layers[ctx->pkt->n_layers - 1].value = family;
  switch (family)
    {
    case 2:
      decode_ipv4 (ctx, c);
      break;
    case 10: /* Linux */
    case 23: /* Windows */
    case 24: /* NetBSD, OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* macOS */
      decode_ipv6 (ctx, c);
      break;
    default:
      mark_not_ip (ctx, NTPAC_NET_OTHER);
      break;
    }
}

/* Wi-Fi: data frames continue at their LLC/SNAP payload; others carry
 * no IP, and encrypted ones cannot be read. */
static void
decode_wifi (Ctx         *ctx,
             NtpacCursor *c)
{
  const NtpacFrame *frame = ctx->frame;
  NtpacWifiFrame wifi;
  NtpacCursor payload;

  switch (ntpac_wifi_parse (frame->linktype, frame->data, frame->caplen, frame->origlen, &wifi))
    {
    case NTPAC_WIFI_DATA:
      break;
    case NTPAC_WIFI_NOT_DATA:
    case NTPAC_WIFI_NOT_LLC:
      mark_not_ip (ctx, NTPAC_NET_OTHER);
      return;
    case NTPAC_WIFI_PROTECTED:
      report_anomaly (ctx, NTPAC_ANOMALY_WIFI_PROTECTED);
      mark_not_ip (ctx, NTPAC_NET_OTHER);
      return;
    case NTPAC_WIFI_TRUNCATED:
      report_anomaly (ctx, NTPAC_ANOMALY_WIFI_TRUNCATED);
      return;
    case NTPAC_WIFI_MALFORMED:
    default:
      report_anomaly (ctx, NTPAC_ANOMALY_WIFI_MALFORMED);
      return;
    }
  ntpac_cursor_init (&payload, frame->data + wifi.payload_offset, wifi.payload_len,
                     wifi.payload_len + (frame->origlen > frame->caplen ? frame->origlen - frame->caplen : 0));
  {
    NtpacCursor header;  /* marks where the 802.11 header starts */

    ntpac_cursor_init (&header, frame->data + wifi.header_offset, 0, 0);
    if (!push_layer (ctx, &header, NTPAC_LAYER_WIFI, wifi.ethertype))
      return;
  }
  *c = payload;
  if (wifi.amsdu_subframes > 1)
    report_anomaly (ctx, NTPAC_ANOMALY_WIFI_AMSDU_SUBFRAMES);
  decode_ethertype (ctx, c, wifi.ethertype);
}

/* ---- public ----------------------------------------------------------- */

void
ntpac_decoder_config_init (NtpacDecoderConfig *config)
{
  config->frag_timeout_ns = NTPAC_DEFAULT_FRAG_TIMEOUT_NS;
  config->frag_memory_cap = NTPAC_DEFAULT_FRAG_MEMORY_CAP;
}

static void
defrag_anomaly (const NtpacAnomaly *anomaly,
                gpointer            user_data)
{
  NtpacDecoder *self = user_data;

  if (self->stats.anomalies[anomaly->kind]++ == 0)
    self->stats.anomaly_first[anomaly->kind] = anomaly->frame;
  if (self->report != NULL)
    self->report (anomaly, self->report_data);
}

/**
 * ntpac_decoder_new:
 * @config: (nullable): settings, or %NULL for the defaults
 *
 * A decoder is used by one thread; it holds fragment reassembly state.
 *
 * Returns: (transfer full): a decoder
 * Since: 0.1
 */
NtpacDecoder *
ntpac_decoder_new (const NtpacDecoderConfig *config)
{
  NtpacDecoder *self = g_new0 (NtpacDecoder, 1);

  if (config != NULL)
    self->config = *config;
  else
    ntpac_decoder_config_init (&self->config);
  self->defrag = ntpac_defrag_new (self->config.frag_timeout_ns,
                                   self->config.frag_memory_cap,
                                   defrag_anomaly, self);
  return self;
}

void
ntpac_decoder_free (NtpacDecoder *self)
{
  if (self == NULL)
    return;
  ntpac_defrag_free (self->defrag);
  g_free (self);
}

/**
 * ntpac_decoder_set_anomaly_func:
 * @self: a decoder
 * @func: (nullable): called for each anomaly found
 * @user_data: passed to @func
 *
 * Since: 0.1
 */
void
ntpac_decoder_set_anomaly_func (NtpacDecoder     *self,
                                NtpacAnomalyFunc  func,
                                gpointer          user_data)
{
  self->report = func;
  self->report_data = user_data;
}

static void
count_link_type (NtpacDecoder *self,
                 guint32       linktype)
{
  NtpacDecodeStats *s = &self->stats;
  guint i = self->last_link_slot;

  if (i < s->n_link_types && s->link_type[i] == linktype)
    {
      s->link_type_frames[i]++;
      return;
    }
  for (i = 0; i < s->n_link_types; i++)
    if (s->link_type[i] == linktype)
      break;
  if (i == s->n_link_types)
    {
      if (i == NTPAC_MAX_LINK_TYPE_STATS)
        return;
      s->link_type[s->n_link_types++] = linktype;
    }
  s->link_type_frames[i]++;
  self->last_link_slot = i;
}

/**
 * ntpac_decoder_decode:
 * @self: a decoder
 * @frame: the frame
 * @packet: (out caller-allocates): what was found; clear it with
 *   ntpac_packet_clear()
 *
 * Decodes one frame. A fragment of an incomplete IP datagram is held; the
 * frame that completes it yields the datagram's transport header and
 * payload.
 *
 * Returns: %FALSE if the frame was held as a fragment
 * Since: 0.1
 */
gboolean
ntpac_decoder_decode (NtpacDecoder     *self,
                      const NtpacFrame *frame,
                      NtpacPacket      *packet)
{
  Ctx ctx = { self, packet, frame, frame->data, FALSE };
  NtpacCursor c;
  NtpacDecodeStats *s = &self->stats;

  packet->frame = frame;
  packet->flags = 0;
  packet->net = NTPAC_NET_NONE;
  packet->transport = NTPAC_TRANSPORT_NONE;
  packet->n_layers = 0;
  packet->n_ip = 0;
  memset (&packet->tuple, 0, sizeof packet->tuple);
  memset (&packet->tcp, 0, sizeof packet->tcp);
  packet->tcp.wscale = NTPAC_TCP_NO_WSCALE;
  packet->icmp_type = packet->icmp_code = 0;
  packet->payload = NULL;
  packet->payload_len = packet->payload_reported = 0;
  packet->reassembled = NULL;
  packet->fragments = NULL;
  packet->n_fragments = 0;

  s->frames++;
  s->bytes_captured += frame->caplen;
  s->bytes_wire += frame->origlen;
  if (frame->caplen < frame->origlen)
    s->frames_cut++;
  count_link_type (self, frame->linktype);

  ntpac_cursor_init (&c, frame->data, frame->caplen, frame->origlen);
  switch (frame->linktype)
    {
    case NTPAC_LINKTYPE_ETHERNET:
      decode_ethernet (&ctx, &c);
      break;
    case NTPAC_LINKTYPE_LINUX_SLL:
      decode_linux_sll (&ctx, &c, FALSE);
      break;
    case NTPAC_LINKTYPE_LINUX_SLL2:
      decode_linux_sll (&ctx, &c, TRUE);
      break;
    case NTPAC_LINKTYPE_RAW:
    case NTPAC_LINKTYPE_RAW_OPENBSD:
    case NTPAC_LINKTYPE_RAW_BSDOS:
      decode_raw_ip (&ctx, &c);
      break;
    case NTPAC_LINKTYPE_IPV4:
      decode_ipv4 (&ctx, &c);
      break;
    case NTPAC_LINKTYPE_IPV6:
      decode_ipv6 (&ctx, &c);
      break;
    case NTPAC_LINKTYPE_NULL:
      decode_null (&ctx, &c, FALSE);
      break;
    case NTPAC_LINKTYPE_LOOP:
      decode_null (&ctx, &c, TRUE);
      break;
    case NTPAC_LINKTYPE_IEEE802_11:
    case NTPAC_LINKTYPE_IEEE802_11_RADIOTAP:
    case NTPAC_LINKTYPE_PPI:
      decode_wifi (&ctx, &c);
      break;
    default:
      report_anomaly (&ctx, NTPAC_ANOMALY_LINK_UNSUPPORTED);
      break;
    }

  s->net[packet->net]++;
  if (packet->flags & NTPAC_PACKET_FRAGMENT_HELD)
    return FALSE;
  s->transport[packet->transport]++;
  if (packet->flags & NTPAC_PACKET_TUNNELLED)
    s->tunnelled++;
  return TRUE;
}

/**
 * ntpac_decoder_finish:
 * @self: a decoder
 *
 * End of the capture: datagrams still missing fragments are dropped and
 * reported.
 * Since: 0.1
 */
void
ntpac_decoder_finish (NtpacDecoder *self)
{
  ntpac_defrag_flush (self->defrag);
}

const NtpacDecodeStats *
ntpac_decoder_get_stats (NtpacDecoder *self)
{
  return &self->stats;
}

/* Adds the counters of @part to @total (merging link types by value). */
void
ntpac_decode_stats_add (NtpacDecodeStats       *total,
                        const NtpacDecodeStats *part)
{
  total->frames += part->frames;
  total->bytes_captured += part->bytes_captured;
  total->bytes_wire += part->bytes_wire;
  total->frames_cut += part->frames_cut;
  total->tunnelled += part->tunnelled;
  total->fragments += part->fragments;
  total->datagrams_reassembled += part->datagrams_reassembled;
  for (guint i = 0; i < NTPAC_NET_N_KINDS; i++)
    total->net[i] += part->net[i];
  for (guint i = 0; i < NTPAC_TRANSPORT_N_KINDS; i++)
    total->transport[i] += part->transport[i];
  for (guint i = 0; i < NTPAC_ANOMALY_N_CORE_KINDS; i++)
    {
      if (total->anomalies[i] == 0)
        total->anomaly_first[i] = part->anomaly_first[i];
      total->anomalies[i] += part->anomalies[i];
    }
  for (guint i = 0; i < part->n_link_types; i++)
    {
      guint j;

      for (j = 0; j < total->n_link_types; j++)
        if (total->link_type[j] == part->link_type[i])
          break;
      if (j == total->n_link_types)
        {
          if (j == NTPAC_MAX_LINK_TYPE_STATS)
            continue;
          total->link_type[total->n_link_types++] = part->link_type[i];
        }
      total->link_type_frames[j] += part->link_type_frames[i];
    }
}
