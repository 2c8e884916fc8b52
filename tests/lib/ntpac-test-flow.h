/* ntpac-test-flow.h: whole TCP conversations for test fixtures
 *
 * NtpacTestEndpoints describes the two ends of a conversation (addresses,
 * ports, VLAN tags, link type) and wraps transport segments in the right
 * IP, VLAN and link headers for either direction.
 *
 * NtpacTestTcpConversation produces the segments of one TCP connection:
 * three-way handshake with the usual options, queued data split into
 * segments with the receiver acknowledging every second segment and the
 * end of each burst, then FIN/ACK teardown by the client. Either drive it
 * step by step with ntpac_test_tcp_conversation_next() (and build or
 * alter each frame yourself), or write it all at once, optionally with
 * dropped, duplicated or swapped segments, with
 * ntpac_test_tcp_conversation_write().
 *
 * |[<!-- language="C" -->
 * NtpacTestEndpoints ep;
 * ntpac_test_endpoints_init (&ep, "10.0.0.1", 40000, "192.0.2.1", 80);
 * g_autoptr(NtpacTestTcpConversation) conv =
 *   ntpac_test_tcp_conversation_new (&ep, 0xfffffff0, 1000);
 * ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_CLIENT_TO_SERVER, req, req_len);
 * ntpac_test_tcp_conversation_send (conv, NTPAC_TEST_SERVER_TO_CLIENT, resp, resp_len);
 * ntpac_test_tcp_conversation_add_event (conv, 4, NTPAC_TEST_TCP_EVENT_DROP);
 * ntpac_test_tcp_conversation_write (conv, writer, 0, start_ns, 100000);
 * ]|
 */

#pragma once

#include <glib.h>

#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

G_BEGIN_DECLS

/**
 * NtpacTestDirection:
 * @NTPAC_TEST_CLIENT_TO_SERVER: sent by the initiator
 * @NTPAC_TEST_SERVER_TO_CLIENT: sent by the responder
 *
 * Direction of a segment in a conversation.
 */
typedef enum
{
  NTPAC_TEST_CLIENT_TO_SERVER,
  NTPAC_TEST_SERVER_TO_CLIENT,
} NtpacTestDirection;

/**
 * NtpacTestEndpoints:
 * @ipv6: whether the addresses are IPv6
 * @client_address: client address (first 4 bytes for IPv4)
 * @server_address: server address (first 4 bytes for IPv4)
 * @client_port: client port
 * @server_port: server port
 * @client_mac: client MAC address
 * @server_mac: server (or gateway) MAC address
 * @link_type: link header of the frames
 * @n_vlans: number of VLAN tags, 0 to 2 (Ethernet only)
 * @vlan_ids: VLAN identifiers, outermost first; with two tags the outer
 *   one is an 802.1ad (0x88a8) tag
 * @ttl: IPv4 TTL or IPv6 hop limit, per #NtpacTestDirection
 * @ip_id: next IPv4 identification, per direction
 * @flow_label: IPv6 flow label, per direction
 *
 * The two ends of a conversation; fill with ntpac_test_endpoints_init()
 * and adjust fields as needed.
 */
typedef struct
{
  gboolean ipv6;
  guint8 client_address[16];
  guint8 server_address[16];
  guint16 client_port;
  guint16 server_port;
  guint8 client_mac[6];
  guint8 server_mac[6];
  NtpacTestLinkType link_type;
  guint n_vlans;
  guint16 vlan_ids[2];
  guint8 ttl[2];
  guint16 ip_id[2];
  guint32 flow_label[2];
} NtpacTestEndpoints;

void ntpac_test_endpoints_init      (NtpacTestEndpoints *self,
                                     const gchar        *client_address,
                                     guint16             client_port,
                                     const gchar        *server_address,
                                     guint16             server_port);
void ntpac_test_endpoints_wrap      (NtpacTestEndpoints *self,
                                     NtpacTestDirection  direction,
                                     NtpacTestPacket    *packet);
void ntpac_test_endpoints_build_udp (NtpacTestEndpoints *self,
                                     NtpacTestDirection  direction,
                                     const guint8       *payload,
                                     gsize               len,
                                     NtpacTestPacket    *packet);

/**
 * NtpacTestTcpStep:
 * @index: position of the step in the conversation, 0 for the SYN
 * @direction: sender of the segment
 * @flags: `NTPAC_TEST_TCP_*` bits
 * @seq: sequence number
 * @ack: acknowledgment number (0 on the SYN)
 * @payload: (array length=payload_len): segment data, valid until the next
 *   call to ntpac_test_tcp_conversation_next()
 * @payload_len: number of data bytes
 * @stream_offset: offset of @payload in the data sent in @direction
 * @starts_burst: %TRUE on the first data segment sent after the other side
 *   sent data or after the conversation was idle
 *
 * One segment of a TCP conversation.
 */
typedef struct
{
  guint index;
  NtpacTestDirection direction;
  guint8 flags;
  guint32 seq;
  guint32 ack;
  const guint8 *payload;
  gsize payload_len;
  guint64 stream_offset;
  gboolean starts_burst;
} NtpacTestTcpStep;

/**
 * NtpacTestTcpEvent:
 * @NTPAC_TEST_TCP_EVENT_DROP: leave the segment out of the capture
 * @NTPAC_TEST_TCP_EVENT_DUPLICATE: write the segment twice
 * @NTPAC_TEST_TCP_EVENT_SWAP_WITH_NEXT: write the next segment first
 *
 * Impairments applied by ntpac_test_tcp_conversation_write().
 */
typedef enum
{
  NTPAC_TEST_TCP_EVENT_DROP = 1 << 0,
  NTPAC_TEST_TCP_EVENT_DUPLICATE = 1 << 1,
  NTPAC_TEST_TCP_EVENT_SWAP_WITH_NEXT = 1 << 2,
} NtpacTestTcpEvent;

typedef struct _NtpacTestTcpConversation NtpacTestTcpConversation;

NtpacTestTcpConversation *ntpac_test_tcp_conversation_new (const NtpacTestEndpoints *endpoints,
                                                           guint32                   client_isn,
                                                           guint32                   server_isn);
void     ntpac_test_tcp_conversation_free           (NtpacTestTcpConversation *self);
NtpacTestEndpoints *
         ntpac_test_tcp_conversation_get_endpoints  (NtpacTestTcpConversation *self);
void     ntpac_test_tcp_conversation_set_mss        (NtpacTestTcpConversation *self,
                                                     guint16                   mss);
void     ntpac_test_tcp_conversation_set_timestamps (NtpacTestTcpConversation *self,
                                                     gboolean                  enabled);
guint    ntpac_test_tcp_conversation_get_segment_size (NtpacTestTcpConversation *self);
void     ntpac_test_tcp_conversation_send           (NtpacTestTcpConversation *self,
                                                     NtpacTestDirection        direction,
                                                     const void               *data,
                                                     gsize                     len);
void     ntpac_test_tcp_conversation_send_static    (NtpacTestTcpConversation *self,
                                                     NtpacTestDirection        direction,
                                                     const void               *data,
                                                     gsize                     len);
void     ntpac_test_tcp_conversation_close          (NtpacTestTcpConversation *self);
gboolean ntpac_test_tcp_conversation_next           (NtpacTestTcpConversation *self,
                                                     NtpacTestTcpStep         *step);
gboolean ntpac_test_tcp_conversation_is_finished    (NtpacTestTcpConversation *self);
void     ntpac_test_tcp_conversation_build_frame    (NtpacTestTcpConversation *self,
                                                     const NtpacTestTcpStep   *step,
                                                     gint64                    ts_ns,
                                                     NtpacTestPacket          *packet);
void     ntpac_test_tcp_conversation_add_event      (NtpacTestTcpConversation *self,
                                                     guint                     step_index,
                                                     NtpacTestTcpEvent         event);
guint    ntpac_test_tcp_conversation_write          (NtpacTestTcpConversation *self,
                                                     NtpacTestPcapWriter      *writer,
                                                     guint                     interface_index,
                                                     gint64                    start_ts_ns,
                                                     gint64                    gap_ns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacTestTcpConversation,
                               ntpac_test_tcp_conversation_free)

G_END_DECLS
