/* ntpac-test-packet.h: frame builder for test fixtures
 *
 * A frame is built from the inside out: start with the payload, then wrap
 * it in each header in turn (TCP, IP, tunnel, VLAN, link). Every wrapping
 * function prepends its header and fills in lengths and checksums from what
 * it wraps. The builder remembers the EtherType and the IP protocol number
 * of what it holds, so an outer header picks its "next protocol" field by
 * itself: tcp → ipv4 gives protocol 6, ipv4 → ipv4 gives protocol 4 (IP in
 * IP), ipv6 → ipv4 gives 41, ipv4 → vlan → ethernet gives 0x8100 then
 * 0x0800. TCP, UDP and ICMPv6 checksums are completed by the first IP header
 * wrapped around them.
 *
 * |[<!-- language="C" -->
 * g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload ("hi", 2);
 * ntpac_test_packet_udp (p, 40000, 53);
 * ntpac_test_packet_ipv4 (p, "10.0.0.1", "192.0.2.1");
 * ntpac_test_packet_vlan (p, NTPAC_TEST_TPID_8021Q, 0, 100);
 * ntpac_test_packet_ethernet (p, NULL, NULL);
 * ]|
 */

#pragma once

#include <glib.h>

#include "ntpac-test-pcap.h"

G_BEGIN_DECLS

typedef struct _NtpacTestPacket NtpacTestPacket;

/**
 * NtpacTestChecksum:
 * @NTPAC_TEST_CHECKSUM_CORRECT: the right checksum
 * @NTPAC_TEST_CHECKSUM_BAD: a wrong, non-zero checksum
 * @NTPAC_TEST_CHECKSUM_ZERO: zero (for UDP over IPv4: "no checksum")
 *
 * What to store in a checksum field.
 */
typedef enum
{
  NTPAC_TEST_CHECKSUM_CORRECT,
  NTPAC_TEST_CHECKSUM_BAD,
  NTPAC_TEST_CHECKSUM_ZERO,
} NtpacTestChecksum;

#define NTPAC_TEST_ETHERTYPE_IPV4 0x0800
#define NTPAC_TEST_ETHERTYPE_IPV6 0x86dd
#define NTPAC_TEST_ETHERTYPE_TEB 0x6558  /* transparent Ethernet bridging */
#define NTPAC_TEST_ETHERTYPE_MPLS 0x8847
#define NTPAC_TEST_ETHERTYPE_PPPOE_SESSION 0x8864
#define NTPAC_TEST_ETHERTYPE_ERSPAN_II 0x88be
#define NTPAC_TEST_TPID_8021Q 0x8100
#define NTPAC_TEST_TPID_8021AD 0x88a8

#define NTPAC_TEST_IPPROTO_HOPOPTS 0
#define NTPAC_TEST_IPPROTO_ICMP 1
#define NTPAC_TEST_IPPROTO_IPIP 4
#define NTPAC_TEST_IPPROTO_TCP 6
#define NTPAC_TEST_IPPROTO_UDP 17
#define NTPAC_TEST_IPPROTO_IPV6 41
#define NTPAC_TEST_IPPROTO_ROUTING 43
#define NTPAC_TEST_IPPROTO_FRAGMENT 44
#define NTPAC_TEST_IPPROTO_GRE 47
#define NTPAC_TEST_IPPROTO_ICMPV6 58
#define NTPAC_TEST_IPPROTO_NONE 59
#define NTPAC_TEST_IPPROTO_DSTOPTS 60

#define NTPAC_TEST_TCP_FIN 0x01
#define NTPAC_TEST_TCP_SYN 0x02
#define NTPAC_TEST_TCP_RST 0x04
#define NTPAC_TEST_TCP_PSH 0x08
#define NTPAC_TEST_TCP_ACK 0x10
#define NTPAC_TEST_TCP_URG 0x20
#define NTPAC_TEST_TCP_ECE 0x40
#define NTPAC_TEST_TCP_CWR 0x80

/* GRE header flag bits (RFC 2784, RFC 2890), for ntpac_test_packet_gre(). */
#define NTPAC_TEST_GRE_CHECKSUM 0x8000
#define NTPAC_TEST_GRE_KEY 0x2000
#define NTPAC_TEST_GRE_SEQUENCE 0x1000

#define NTPAC_TEST_VXLAN_PORT 4789

/* Packet builder */
NtpacTestPacket *ntpac_test_packet_new                (void);
NtpacTestPacket *ntpac_test_packet_new_with_payload   (const void             *data,
                                                       gsize                   len);
NtpacTestPacket *ntpac_test_packet_copy               (const NtpacTestPacket  *self);
void             ntpac_test_packet_free               (NtpacTestPacket        *self);
void             ntpac_test_packet_reset              (NtpacTestPacket        *self);
void             ntpac_test_packet_append             (NtpacTestPacket        *self,
                                                       const void             *data,
                                                       gsize                   len);
void             ntpac_test_packet_prepend            (NtpacTestPacket        *self,
                                                       const void             *data,
                                                       gsize                   len);
const guint8    *ntpac_test_packet_get_data           (const NtpacTestPacket  *self,
                                                       gsize                  *len);
gsize            ntpac_test_packet_get_length         (const NtpacTestPacket  *self);
GBytes          *ntpac_test_packet_to_bytes           (const NtpacTestPacket  *self);
guint16          ntpac_test_packet_get_ethertype      (const NtpacTestPacket  *self);
void             ntpac_test_packet_set_ethertype      (NtpacTestPacket        *self,
                                                       guint16                 ethertype);
guint8           ntpac_test_packet_get_ip_protocol    (const NtpacTestPacket  *self);
void             ntpac_test_packet_set_ip_protocol    (NtpacTestPacket        *self,
                                                       guint8                  protocol);

/* Checksums and address parsing */
guint16          ntpac_test_inet_checksum             (const guint8           *data,
                                                       gsize                   len);
void             ntpac_test_parse_ipv4                (const gchar            *text,
                                                       guint8                  address[4]);
void             ntpac_test_parse_ipv6                (const gchar            *text,
                                                       guint8                  address[16]);
void             ntpac_test_parse_mac                 (const gchar            *text,
                                                       guint8                  mac[6]);

/* TCP */

/**
 * NtpacTestTcpOptions:
 * @bytes: option bytes in wire order
 * @len: number of bytes used
 *
 * TCP options under construction; zero-initialise, then add options in the
 * order they should appear. The header pads them with zero (EOL) bytes.
 */
typedef struct
{
  guint8 bytes[60];
  guint len;
} NtpacTestTcpOptions;

void ntpac_test_tcp_options_add_nop            (NtpacTestTcpOptions *options);
void ntpac_test_tcp_options_add_mss            (NtpacTestTcpOptions *options,
                                                guint16              mss);
void ntpac_test_tcp_options_add_window_scale   (NtpacTestTcpOptions *options,
                                                guint8               shift);
void ntpac_test_tcp_options_add_sack_permitted (NtpacTestTcpOptions *options);
void ntpac_test_tcp_options_add_sack           (NtpacTestTcpOptions *options,
                                                const guint32       *edges,
                                                guint                n_blocks);
void ntpac_test_tcp_options_add_timestamps     (NtpacTestTcpOptions *options,
                                                guint32              value,
                                                guint32              echo_reply);
void ntpac_test_tcp_options_add_raw            (NtpacTestTcpOptions *options,
                                                const guint8        *bytes,
                                                gsize                len);

/**
 * NtpacTestTcpHeader:
 * @source_port: source port
 * @destination_port: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: `NTPAC_TEST_TCP_*` bits
 * @window: window field, unscaled
 * @urgent_pointer: urgent pointer
 * @options: (nullable): options to write after the fixed header
 * @data_offset: header length field in 32-bit words, -1 to compute it
 *   from the options (the bytes written do not change)
 * @checksum: what to put in the checksum field
 *
 * All fields of a TCP header; fill with ntpac_test_tcp_header_init().
 */
typedef struct
{
  guint16 source_port;
  guint16 destination_port;
  guint32 seq;
  guint32 ack;
  guint8 flags;
  guint16 window;
  guint16 urgent_pointer;
  const NtpacTestTcpOptions *options;
  gint data_offset;
  NtpacTestChecksum checksum;
} NtpacTestTcpHeader;

void ntpac_test_tcp_header_init (NtpacTestTcpHeader *header,
                                 guint16             source_port,
                                 guint16             destination_port,
                                 guint32             seq,
                                 guint32             ack,
                                 guint8              flags);
void ntpac_test_packet_tcp_full (NtpacTestPacket          *self,
                                 const NtpacTestTcpHeader *header);
void ntpac_test_packet_tcp      (NtpacTestPacket           *self,
                                 guint16                    source_port,
                                 guint16                    destination_port,
                                 guint32                    seq,
                                 guint32                    ack,
                                 guint8                     flags,
                                 const NtpacTestTcpOptions *options);

/* UDP and ICMP */
void ntpac_test_packet_udp          (NtpacTestPacket   *self,
                                     guint16            source_port,
                                     guint16            destination_port);
void ntpac_test_packet_udp_full     (NtpacTestPacket   *self,
                                     guint16            source_port,
                                     guint16            destination_port,
                                     gint               length,
                                     NtpacTestChecksum  checksum);
void ntpac_test_packet_icmpv4       (NtpacTestPacket   *self,
                                     guint8             type,
                                     guint8             code,
                                     guint32            rest_of_header);
void ntpac_test_packet_icmpv4_echo  (NtpacTestPacket   *self,
                                     gboolean           reply,
                                     guint16            identifier,
                                     guint16            sequence);
void ntpac_test_packet_icmpv6       (NtpacTestPacket   *self,
                                     guint8             type,
                                     guint8             code,
                                     guint32            rest_of_header);
void ntpac_test_packet_icmpv6_echo  (NtpacTestPacket   *self,
                                     gboolean           reply,
                                     guint16            identifier,
                                     guint16            sequence);

/* IPv4 */

/**
 * NtpacTestIpv4Header:
 * @source: source address
 * @destination: destination address
 * @tos: DSCP and ECN byte
 * @identification: identification field
 * @dont_fragment: DF flag
 * @more_fragments: MF flag
 * @fragment_offset: fragment offset in bytes (a multiple of 8)
 * @ttl: time to live
 * @protocol: protocol field, -1 to take it from the payload
 * @options: (array length=options_len) (nullable): option bytes, padded
 *   with zero (EOL) bytes to a multiple of four
 * @options_len: length of @options
 * @header_length: IHL field in 32-bit words, -1 to compute it (the bytes
 *   written do not change)
 * @total_length: total length field, -1 to compute it
 * @checksum: what to put in the header checksum field
 *
 * All fields of an IPv4 header; fill with ntpac_test_ipv4_header_init().
 */
typedef struct
{
  guint8 source[4];
  guint8 destination[4];
  guint8 tos;
  guint16 identification;
  gboolean dont_fragment;
  gboolean more_fragments;
  guint16 fragment_offset;
  guint8 ttl;
  gint protocol;
  const guint8 *options;
  gsize options_len;
  gint header_length;
  gint total_length;
  NtpacTestChecksum checksum;
} NtpacTestIpv4Header;

void ntpac_test_ipv4_header_init (NtpacTestIpv4Header       *header,
                                  const gchar               *source,
                                  const gchar               *destination);
void ntpac_test_packet_ipv4_full (NtpacTestPacket           *self,
                                  const NtpacTestIpv4Header *header);
void ntpac_test_packet_ipv4      (NtpacTestPacket           *self,
                                  const gchar               *source,
                                  const gchar               *destination);

/* IPv6 */

/**
 * NtpacTestIpv6Header:
 * @source: source address
 * @destination: destination address
 * @traffic_class: traffic class
 * @flow_label: flow label (20 bits)
 * @hop_limit: hop limit
 * @next_header: next header field, -1 to take it from the payload
 * @payload_length: payload length field, -1 to compute it
 *
 * All fields of an IPv6 header; fill with ntpac_test_ipv6_header_init().
 */
typedef struct
{
  guint8 source[16];
  guint8 destination[16];
  guint8 traffic_class;
  guint32 flow_label;
  guint8 hop_limit;
  gint next_header;
  gint payload_length;
} NtpacTestIpv6Header;

void ntpac_test_ipv6_header_init                (NtpacTestIpv6Header       *header,
                                                 const gchar               *source,
                                                 const gchar               *destination);
void ntpac_test_packet_ipv6_full                (NtpacTestPacket           *self,
                                                 const NtpacTestIpv6Header *header);
void ntpac_test_packet_ipv6                     (NtpacTestPacket           *self,
                                                 const gchar               *source,
                                                 const gchar               *destination);
void ntpac_test_packet_ipv6_hop_by_hop          (NtpacTestPacket           *self,
                                                 const guint8              *options,
                                                 gsize                      options_len);
void ntpac_test_packet_ipv6_destination_options (NtpacTestPacket           *self,
                                                 const guint8              *options,
                                                 gsize                      options_len);
void ntpac_test_packet_ipv6_routing             (NtpacTestPacket           *self,
                                                 guint8                     routing_type,
                                                 guint8                     segments_left,
                                                 const gchar *const        *addresses);
void ntpac_test_packet_ipv6_fragment_header     (NtpacTestPacket           *self,
                                                 guint32                    identification,
                                                 guint16                    fragment_offset,
                                                 gboolean                   more_fragments);

GPtrArray *ntpac_test_packet_fragment (const NtpacTestPacket *datagram,
                                       guint                  fragment_size,
                                       guint32                ipv6_identification);

/* Tunnels and shims */
void ntpac_test_packet_vlan           (NtpacTestPacket *self,
                                       guint16          tpid,
                                       guint8           priority,
                                       guint16          vlan_id);
void ntpac_test_packet_mpls           (NtpacTestPacket *self,
                                       guint32          label,
                                       guint8           traffic_class,
                                       gboolean         bottom_of_stack,
                                       guint8           ttl);
void ntpac_test_packet_pppoe_session  (NtpacTestPacket *self,
                                       guint16          session_id);
void ntpac_test_packet_gre            (NtpacTestPacket *self,
                                       guint16          flags,
                                       guint32          key,
                                       guint32          sequence);
void ntpac_test_packet_erspan2        (NtpacTestPacket *self,
                                       guint16          session_id,
                                       guint16          vlan_id,
                                       guint32          index,
                                       guint32          gre_sequence);
void ntpac_test_packet_vxlan          (NtpacTestPacket *self,
                                       guint32          vni,
                                       guint16          source_port);

/* Link layers */
void ntpac_test_packet_ethernet       (NtpacTestPacket    *self,
                                       const guint8       *destination,
                                       const guint8       *source);
void ntpac_test_packet_linux_sll      (NtpacTestPacket    *self,
                                       guint16             packet_type);
void ntpac_test_packet_linux_sll2     (NtpacTestPacket    *self,
                                       guint32             interface_index,
                                       guint8              packet_type);
void ntpac_test_packet_bsd_null       (NtpacTestPacket    *self,
                                       NtpacTestByteOrder  byte_order);
void ntpac_test_packet_bsd_loop       (NtpacTestPacket    *self);
void ntpac_test_packet_link           (NtpacTestPacket    *self,
                                       NtpacTestLinkType   link_type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacTestPacket, ntpac_test_packet_free)

G_END_DECLS
