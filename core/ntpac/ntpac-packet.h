/* ntpac-packet.h: a decoded packet
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-buffer.h"
#include "ntpac-frame.h"

G_BEGIN_DECLS

#define NTPAC_MAX_LAYERS 16

/**
 * NtpacAddress:
 * @family: 4 or 6, or 0 when unset
 * @bytes: the address; IPv4 uses the first 4 bytes, the rest are zero
 */
typedef struct
{
  guint8 family;
  guint8 bytes[16];
} NtpacAddress;

/**
 * NtpacFlowTuple:
 * @src: source address
 * @dst: destination address
 * @sport: source port (0 without ports)
 * @dport: destination port
 * @proto: IP protocol number
 *
 * The 5-tuple of a packet, as it appeared (not canonical).
 */
typedef struct
{
  NtpacAddress src;
  NtpacAddress dst;
  guint16      sport;
  guint16      dport;
  guint8       proto;
} NtpacFlowTuple;

/**
 * NtpacLayerKind:
 *
 * One header of a packet, outermost first.
 */
typedef enum
{
  NTPAC_LAYER_ETHERNET,
  NTPAC_LAYER_LINUX_SLL,
  NTPAC_LAYER_LINUX_SLL2,
  NTPAC_LAYER_NULL,
  NTPAC_LAYER_VLAN,
  NTPAC_LAYER_MPLS,
  NTPAC_LAYER_PPPOE,
  NTPAC_LAYER_PPP,
  NTPAC_LAYER_IPV4,
  NTPAC_LAYER_IPV6,
  NTPAC_LAYER_GRE,
  NTPAC_LAYER_ERSPAN,
  NTPAC_LAYER_VXLAN,
  NTPAC_LAYER_GENEVE,
  NTPAC_LAYER_GTPU,
  NTPAC_LAYER_TEREDO,
  NTPAC_LAYER_UDP,
  NTPAC_LAYER_TCP,
  NTPAC_LAYER_ICMP,
  NTPAC_LAYER_ICMPV6,
  NTPAC_LAYER_WIFI,
  NTPAC_LAYER_N_KINDS
} NtpacLayerKind;

/**
 * NtpacLayer:
 * @kind: an #NtpacLayerKind
 * @in_reassembled: whether @offset is in the reassembled datagram rather
 *   than in the frame
 * @offset: where the header starts
 * @value: VLAN id, MPLS label, GRE key, VXLAN/Geneve VNI, GTP TEID,
 *   ERSPAN session id, or 0
 */
typedef struct
{
  guint8  kind;
  guint8  in_reassembled;
  guint16 reserved;
  guint32 offset;
  guint32 value;
} NtpacLayer;

typedef enum
{
  NTPAC_NET_NONE,
  NTPAC_NET_IPV4,
  NTPAC_NET_IPV6,
  NTPAC_NET_ARP,
  NTPAC_NET_OTHER,
  NTPAC_NET_N_KINDS
} NtpacNetProto;

typedef enum
{
  NTPAC_TRANSPORT_NONE,
  NTPAC_TRANSPORT_TCP,
  NTPAC_TRANSPORT_UDP,
  NTPAC_TRANSPORT_ICMP,
  NTPAC_TRANSPORT_ICMPV6,
  NTPAC_TRANSPORT_OTHER,
  NTPAC_TRANSPORT_N_KINDS
} NtpacTransportProto;

/* TCP header flags */
#define NTPAC_TCP_FIN 0x01
#define NTPAC_TCP_SYN 0x02
#define NTPAC_TCP_RST 0x04
#define NTPAC_TCP_PSH 0x08
#define NTPAC_TCP_ACK 0x10
#define NTPAC_TCP_URG 0x20
#define NTPAC_TCP_ECE 0x40
#define NTPAC_TCP_CWR 0x80

#define NTPAC_TCP_MAX_SACK 4
#define NTPAC_TCP_NO_WSCALE 0xff

/**
 * NtpacTcpHeader:
 * @seq: sequence number
 * @ack: acknowledgement number
 * @window: window (not scaled)
 * @flags: NTPAC_TCP_* flags
 * @header_len: header length in bytes
 * @mss: MSS option, or 0
 * @wscale: window scale option, or %NTPAC_TCP_NO_WSCALE
 * @sack_permitted: SACK-permitted option present
 * @has_timestamps: timestamps option present
 * @n_sack: number of SACK blocks
 * @tsval: timestamp value
 * @tsecr: timestamp echo reply
 * @sack: SACK blocks, left and right edge
 */
typedef struct
{
  guint32  seq;
  guint32  ack;
  guint16  window;
  guint8   flags;
  guint8   header_len;
  guint16  mss;
  guint8   wscale;
  guint8   sack_permitted : 1;
  guint8   has_timestamps : 1;
  guint8   n_sack;
  guint32  tsval;
  guint32  tsecr;
  guint32  sack[NTPAC_TCP_MAX_SACK][2];
} NtpacTcpHeader;

/**
 * NtpacPacketFlags:
 * @NTPAC_PACKET_FRAGMENT_HELD: an IP fragment kept until its datagram is
 *   complete; the packet has no transport header yet
 * @NTPAC_PACKET_REASSEMBLED: the transport header and payload come from a
 *   reassembled IP datagram (see @fragments)
 * @NTPAC_PACKET_TUNNELLED: the 5-tuple is that of an inner packet
 * @NTPAC_PACKET_PAYLOAD_TRUNCATED: the capture holds fewer payload bytes
 *   than were sent
 * @NTPAC_PACKET_MALFORMED: a header was malformed or cut short (an
 *   anomaly was reported)
 */
typedef enum
{
  NTPAC_PACKET_FRAGMENT_HELD = 1 << 0,
  NTPAC_PACKET_REASSEMBLED = 1 << 1,
  NTPAC_PACKET_TUNNELLED = 1 << 2,
  NTPAC_PACKET_PAYLOAD_TRUNCATED = 1 << 3,
  NTPAC_PACKET_MALFORMED = 1 << 4,
} NtpacPacketFlags;

/**
 * NtpacPacket:
 * @frame: the frame decoded (for a reassembled datagram: the last fragment)
 * @flags: #NtpacPacketFlags
 * @net: innermost network protocol
 * @transport: innermost transport protocol
 * @n_layers: number of @layers
 * @n_ip: number of IP headers (more than one when tunnelled)
 * @layers: the headers, outermost first
 * @tuple: the innermost 5-tuple
 * @tcp: the TCP header, when @transport is TCP
 * @icmp_type: ICMP or ICMPv6 type
 * @icmp_code: ICMP or ICMPv6 code
 * @payload: (array length=payload_len): transport payload held
 * @payload_len: payload bytes held
 * @payload_reported: payload bytes sent (larger when the capture was cut)
 * @reassembled: (nullable): the reassembled datagram holding @payload
 * @fragments: (array length=n_fragments): frames of a reassembled datagram
 * @n_fragments: number of @fragments
 *
 * What the decoder found in one frame. Pointers stay valid as long as the
 * frame's bytes and @reassembled do.
 */
typedef struct
{
  const NtpacFrame     *frame;
  guint                 flags;
  guint8                net;
  guint8                transport;
  guint8                n_layers;
  guint8                n_ip;
  NtpacLayer            layers[NTPAC_MAX_LAYERS];
  NtpacFlowTuple        tuple;
  NtpacTcpHeader        tcp;
  guint8                icmp_type;
  guint8                icmp_code;
  const guint8         *payload;
  guint32               payload_len;
  guint32               payload_reported;
  NtpacBuffer          *reassembled;
  NtpacFrameRef        *fragments;
  guint                 n_fragments;
} NtpacPacket;

void         ntpac_packet_clear             (NtpacPacket        *packet);
const gchar *ntpac_layer_kind_to_string     (NtpacLayerKind      kind);
const gchar *ntpac_net_proto_to_string      (NtpacNetProto       net);
const gchar *ntpac_transport_proto_to_string (NtpacTransportProto transport);
gchar       *ntpac_address_to_string        (const NtpacAddress *address);
gboolean     ntpac_address_parse            (const gchar        *text,
                                             NtpacAddress       *address);
gint         ntpac_address_compare          (const NtpacAddress *a,
                                             const NtpacAddress *b);

G_END_DECLS
