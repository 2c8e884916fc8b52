/* ntpac-test-flow.c: whole TCP conversations for test fixtures
 *
 * Segments follow what a Linux peer sends (RFC 9293, RFC 7323, RFC 2018):
 * SYN options MSS, SACK-permitted, timestamps, NOP, window scale; data
 * segments carry NOP, NOP, timestamps; the receiver acknowledges every
 * second full segment (RFC 5681 §4.2) and the end of a burst.
 */

#include "ntpac-test-flow.h"

#include <string.h>

#define TIMESTAMPS_OPTION_LEN 12  /* NOP, NOP, kind 8 */
#define DEFAULT_MSS_IPV4 1460
#define DEFAULT_MSS_IPV6 1440
#define WINDOW_SCALE 7
#define SYN_WINDOW 64240
#define SYN_ACK_WINDOW 65160
#define ESTABLISHED_WINDOW 502  /* × 2^7 = 64256 bytes */

typedef enum
{
  STATE_SYN,
  STATE_SYN_ACK,
  STATE_HANDSHAKE_ACK,
  STATE_ESTABLISHED,
  STATE_CLIENT_FIN,
  STATE_SERVER_FIN,
  STATE_LAST_ACK,
  STATE_DONE,
} State;

typedef struct
{
  NtpacTestDirection direction;
  const guint8 *data;
  gsize len;
  guint8 *owned;  /* data, when copied by send() */
} Chunk;

struct _NtpacTestTcpConversation
{
  NtpacTestEndpoints endpoints;
  State state;
  gboolean close_requested;
  guint n_steps;

  guint32 isn[2];      /* per NtpacTestDirection */
  guint64 sent[2];     /* stream bytes sent */
  guint16 mss;         /* advertised */
  gboolean timestamps;
  guint32 ts_base[2];  /* TSval clock offset */
  guint32 last_tsval[2];

  GQueue chunks;       /* of Chunk, in sending order */
  gsize chunk_pos;     /* bytes of the head chunk already sent */
  GSList *used_chunks; /* sent, freed at the next segment */
  gboolean in_burst;
  NtpacTestDirection burst_direction;
  guint unacked;       /* segments of the burst not yet acknowledged */
  guint8 *scratch;     /* a segment gathered from several chunks */
  gsize scratch_size;

  GArray *events;      /* of guint8, NtpacTestTcpEvent bits by step index */
};

static NtpacTestDirection
peer_of (NtpacTestDirection direction)
{
  return direction == NTPAC_TEST_CLIENT_TO_SERVER ?
    NTPAC_TEST_SERVER_TO_CLIENT : NTPAC_TEST_CLIENT_TO_SERVER;
}

/* Endpoints */

static void
parse_any_address (const gchar *text,
                   gboolean     ipv6,
                   guint8       address[16])
{
  memset (address, 0, 16);
  if (ipv6)
    ntpac_test_parse_ipv6 (text, address);
  else
    ntpac_test_parse_ipv4 (text, address);
}

/* Locally administered unicast MAC (02:00:… for clients, 06:00:… for
 * servers) ending with the host address, so that each host keeps one MAC
 * across conversations. */
static void
mac_from_address (const guint8 *address,
                  gsize         address_len,
                  guint8        first_octet,
                  guint8        mac[6])
{
  mac[0] = first_octet;
  mac[1] = 0x00;
  memcpy (mac + 2, address + address_len - 4, 4);
}

/**
 * ntpac_test_endpoints_init:
 * @self: (out caller-allocates): endpoints to fill
 * @client_address: client IPv4 or IPv6 address text
 * @client_port: client port
 * @server_address: server address text, same family as @client_address
 * @server_port: server port
 *
 * Fills @self for an Ethernet link without VLAN tags, MAC addresses derived
 * from the IP addresses, TTL 64 from the client and 56 from the server.
 *
 * Since: 0.1
 */
void
ntpac_test_endpoints_init (NtpacTestEndpoints *self,
                           const gchar        *client_address,
                           guint16             client_port,
                           const gchar        *server_address,
                           guint16             server_port)
{
  gsize address_len;

  g_return_if_fail (self != NULL);
  g_return_if_fail (client_address != NULL && server_address != NULL);

  memset (self, 0, sizeof *self);
  self->ipv6 = strchr (client_address, ':') != NULL;
  address_len = self->ipv6 ? 16 : 4;
  parse_any_address (client_address, self->ipv6, self->client_address);
  parse_any_address (server_address, self->ipv6, self->server_address);
  self->client_port = client_port;
  self->server_port = server_port;
  mac_from_address (self->client_address, address_len, 0x02, self->client_mac);
  mac_from_address (self->server_address, address_len, 0x06, self->server_mac);
  self->link_type = NTPAC_TEST_LINKTYPE_ETHERNET;
  self->ttl[NTPAC_TEST_CLIENT_TO_SERVER] = 64;
  self->ttl[NTPAC_TEST_SERVER_TO_CLIENT] = 56;
}

static void
wrap_ip (NtpacTestEndpoints *self,
         NtpacTestDirection  direction,
         NtpacTestPacket    *packet)
{
  gboolean from_client = direction == NTPAC_TEST_CLIENT_TO_SERVER;
  const guint8 *source = from_client ? self->client_address : self->server_address;
  const guint8 *destination = from_client ? self->server_address : self->client_address;

  if (self->ipv6)
    {
      NtpacTestIpv6Header header = { 0 };

      memcpy (header.source, source, 16);
      memcpy (header.destination, destination, 16);
      header.flow_label = self->flow_label[direction];
      header.hop_limit = self->ttl[direction];
      header.next_header = -1;
      header.payload_length = -1;
      ntpac_test_packet_ipv6_full (packet, &header);
    }
  else
    {
      NtpacTestIpv4Header header = { 0 };

      memcpy (header.source, source, 4);
      memcpy (header.destination, destination, 4);
      header.identification = self->ip_id[direction]++;
      header.dont_fragment = TRUE;
      header.ttl = self->ttl[direction];
      header.protocol = -1;
      header.header_length = -1;
      header.total_length = -1;
      ntpac_test_packet_ipv4_full (packet, &header);
    }
}

/**
 * ntpac_test_endpoints_wrap:
 * @self: endpoints
 * @direction: sender of the segment
 * @packet: a frame holding a TCP or UDP segment
 *
 * Wraps a transport segment in the IP header, VLAN tags and link header of
 * @direction, taking the next IPv4 identification of that direction.
 *
 * Since: 0.1
 */
void
ntpac_test_endpoints_wrap (NtpacTestEndpoints *self,
                           NtpacTestDirection  direction,
                           NtpacTestPacket    *packet)
{
  gboolean from_client = direction == NTPAC_TEST_CLIENT_TO_SERVER;

  g_return_if_fail (self != NULL);
  g_return_if_fail (packet != NULL);
  g_return_if_fail (self->n_vlans <= 2);

  wrap_ip (self, direction, packet);

  /* Innermost tag first; the outer tag of a pair is the service tag. */
  for (guint i = self->n_vlans; i > 0; i--)
    {
      guint16 tpid = self->n_vlans == 2 && i == 1 ? NTPAC_TEST_TPID_8021AD : NTPAC_TEST_TPID_8021Q;

      ntpac_test_packet_vlan (packet, tpid, 0, self->vlan_ids[i - 1]);
    }

  if (self->link_type == NTPAC_TEST_LINKTYPE_ETHERNET)
    ntpac_test_packet_ethernet (packet,
                                from_client ? self->server_mac : self->client_mac,
                                from_client ? self->client_mac : self->server_mac);
  else
    ntpac_test_packet_link (packet, self->link_type);
}

/**
 * ntpac_test_endpoints_build_udp:
 * @self: endpoints
 * @direction: sender of the datagram
 * @payload: (array length=len) (nullable): datagram payload
 * @len: length of @payload
 * @packet: frame to reset and fill
 *
 * Builds a complete UDP frame from one end to the other.
 *
 * Since: 0.1
 */
void
ntpac_test_endpoints_build_udp (NtpacTestEndpoints *self,
                                NtpacTestDirection  direction,
                                const guint8       *payload,
                                gsize               len,
                                NtpacTestPacket    *packet)
{
  gboolean from_client = direction == NTPAC_TEST_CLIENT_TO_SERVER;

  g_return_if_fail (self != NULL);

  ntpac_test_packet_reset (packet);
  ntpac_test_packet_append (packet, payload, len);
  ntpac_test_packet_udp (packet,
                         from_client ? self->client_port : self->server_port,
                         from_client ? self->server_port : self->client_port);
  ntpac_test_endpoints_wrap (self, direction, packet);
}

/* Conversation */

/**
 * ntpac_test_tcp_conversation_new:
 * @endpoints: the two ends, copied
 * @client_isn: initial sequence number of the client
 * @server_isn: initial sequence number of the server
 *
 * Creates a conversation that starts with a three-way handshake. The MSS
 * defaults to 1460 (IPv4) or 1440 (IPv6) with timestamps on every segment,
 * so data segments hold 1448 or 1428 bytes.
 *
 * Returns: (transfer full): a new conversation
 * Since: 0.1
 */
NtpacTestTcpConversation *
ntpac_test_tcp_conversation_new (const NtpacTestEndpoints *endpoints,
                                 guint32                   client_isn,
                                 guint32                   server_isn)
{
  NtpacTestTcpConversation *self;

  g_return_val_if_fail (endpoints != NULL, NULL);

  self = g_new0 (NtpacTestTcpConversation, 1);
  self->endpoints = *endpoints;
  self->isn[NTPAC_TEST_CLIENT_TO_SERVER] = client_isn;
  self->isn[NTPAC_TEST_SERVER_TO_CLIENT] = server_isn;
  self->mss = endpoints->ipv6 ? DEFAULT_MSS_IPV6 : DEFAULT_MSS_IPV4;
  self->timestamps = TRUE;
  /* Any fixed per-host clock offset will do; derive it from the ISNs. */
  self->ts_base[NTPAC_TEST_CLIENT_TO_SERVER] = client_isn ^ 0x5a5a5a5au;
  self->ts_base[NTPAC_TEST_SERVER_TO_CLIENT] = server_isn ^ 0xa5a5a5a5u;
  g_queue_init (&self->chunks);
  self->events = g_array_new (FALSE, TRUE, sizeof (guint8));
  return self;
}

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  g_free (chunk->owned);
  g_free (chunk);
}

/**
 * ntpac_test_tcp_conversation_free:
 * @self: (transfer full) (nullable): a conversation
 *
 * Frees the conversation and the data it copied.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_free (NtpacTestTcpConversation *self)
{
  if (self == NULL)
    return;

  g_queue_clear_full (&self->chunks, chunk_free);
  g_slist_free_full (self->used_chunks, chunk_free);
  g_array_unref (self->events);
  g_free (self->scratch);
  g_free (self);
}

/**
 * ntpac_test_tcp_conversation_get_endpoints:
 * @self: a conversation
 *
 * Returns: (transfer none): the endpoints of the conversation, which may be
 *   changed between frames (VLAN tags, TTL, …)
 * Since: 0.1
 */
NtpacTestEndpoints *
ntpac_test_tcp_conversation_get_endpoints (NtpacTestTcpConversation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->endpoints;
}

/**
 * ntpac_test_tcp_conversation_set_mss:
 * @self: a conversation that has not started
 * @mss: MSS advertised in the SYN and SYN/ACK
 *
 * Sets the MSS. Data segments hold @mss bytes, less 12 when timestamps
 * are on.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_set_mss (NtpacTestTcpConversation *self,
                                     guint16                   mss)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (mss > TIMESTAMPS_OPTION_LEN);

  self->mss = mss;
}

/**
 * ntpac_test_tcp_conversation_set_timestamps:
 * @self: a conversation that has not started
 * @enabled: whether both ends use the timestamps option
 *
 * Turns the timestamps option (on by default) on or off.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_set_timestamps (NtpacTestTcpConversation *self,
                                            gboolean                  enabled)
{
  g_return_if_fail (self != NULL);

  self->timestamps = enabled;
}

/**
 * ntpac_test_tcp_conversation_get_segment_size:
 * @self: a conversation
 *
 * Returns: the number of data bytes in a full segment
 * Since: 0.1
 */
guint
ntpac_test_tcp_conversation_get_segment_size (NtpacTestTcpConversation *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->mss - (self->timestamps ? TIMESTAMPS_OPTION_LEN : 0);
}

static void
queue_chunk (NtpacTestTcpConversation *self,
             NtpacTestDirection        direction,
             const guint8             *data,
             gsize                     len,
             guint8                   *owned)
{
  Chunk *chunk;

  if (len == 0)
    {
      g_free (owned);
      return;
    }

  chunk = g_new (Chunk, 1);
  chunk->direction = direction;
  chunk->data = data;
  chunk->len = len;
  chunk->owned = owned;
  g_queue_push_tail (&self->chunks, chunk);
}

/**
 * ntpac_test_tcp_conversation_send:
 * @self: a conversation not closed yet
 * @direction: sender of the data
 * @data: (array length=len): bytes to send, copied
 * @len: length of @data
 *
 * Queues data. Data queued in the same direction back to back forms one
 * burst; a burst starts once the previous one is sent and acknowledged.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_send (NtpacTestTcpConversation *self,
                                  NtpacTestDirection        direction,
                                  const void               *data,
                                  gsize                     len)
{
  guint8 *copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->close_requested);
  g_return_if_fail (data != NULL || len == 0);

  copy = g_memdup2 (data, len);
  queue_chunk (self, direction, copy, len, copy);
}

/**
 * ntpac_test_tcp_conversation_send_static:
 * @self: a conversation not closed yet
 * @direction: sender of the data
 * @data: (array length=len): bytes to send, which must stay valid until
 *   they are sent
 * @len: length of @data
 *
 * Queues data without copying it.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_send_static (NtpacTestTcpConversation *self,
                                         NtpacTestDirection        direction,
                                         const void               *data,
                                         gsize                     len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->close_requested);
  g_return_if_fail (data != NULL || len == 0);

  queue_chunk (self, direction, data, len, NULL);
}

/**
 * ntpac_test_tcp_conversation_close:
 * @self: a conversation
 *
 * Asks for the FIN/ACK teardown, started by the client, once the queued
 * data is sent.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_close (NtpacTestTcpConversation *self)
{
  g_return_if_fail (self != NULL);

  self->close_requested = TRUE;
}

/**
 * ntpac_test_tcp_conversation_is_finished:
 * @self: a conversation
 *
 * Returns: %TRUE once the last ACK of the teardown was produced
 * Since: 0.1
 */
gboolean
ntpac_test_tcp_conversation_is_finished (NtpacTestTcpConversation *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->state == STATE_DONE;
}

/* Next sequence number of @direction, counting the SYN and, once sent,
 * the FIN. */
static guint32
next_seq (NtpacTestTcpConversation *self,
          NtpacTestDirection        direction,
          gboolean                  fin_sent)
{
  return self->isn[direction] + 1 + (guint32) self->sent[direction] + (fin_sent ? 1 : 0);
}

static void
fill_step (NtpacTestTcpConversation *self,
           NtpacTestTcpStep         *step,
           NtpacTestDirection        direction,
           guint8                    flags,
           guint32                   seq,
           guint32                   ack)
{
  memset (step, 0, sizeof *step);
  step->index = self->n_steps++;
  step->direction = direction;
  step->flags = flags;
  step->seq = seq;
  step->ack = ack;
  step->stream_offset = self->sent[direction];
}

static void
fill_pure_ack (NtpacTestTcpConversation *self,
               NtpacTestTcpStep         *step,
               NtpacTestDirection        direction)
{
  fill_step (self, step, direction, NTPAC_TEST_TCP_ACK,
             next_seq (self, direction, FALSE),
             next_seq (self, peer_of (direction), FALSE));
}

/* Takes up to @max bytes of the burst from the chunk queue. The result
 * points into a chunk when the segment lies within one, else the bytes are
 * gathered into scratch. Used-up chunks are kept until the next call, so the
 * result stays valid until then. */
static const guint8 *
take_segment_data (NtpacTestTcpConversation *self,
                   NtpacTestDirection        direction,
                   gsize                     max,
                   gsize                    *out_len)
{
  const guint8 *result = NULL;
  gsize len = 0;
  Chunk *chunk;

  g_slist_free_full (g_steal_pointer (&self->used_chunks), chunk_free);

  while (len < max &&
         (chunk = g_queue_peek_head (&self->chunks)) != NULL &&
         chunk->direction == direction)
    {
      const guint8 *piece = chunk->data + self->chunk_pos;
      gsize n = MIN (max - len, chunk->len - self->chunk_pos);

      if (len == 0)
        {
          result = piece;
        }
      else
        {
          if (self->scratch_size < max)
            {
              self->scratch = g_realloc (self->scratch, max);
              self->scratch_size = max;
            }
          if (result != self->scratch)
            {
              memcpy (self->scratch, result, len);
              result = self->scratch;
            }
          memcpy (self->scratch + len, piece, n);
        }
      len += n;
      self->chunk_pos += n;
      if (self->chunk_pos == chunk->len)
        {
          self->used_chunks = g_slist_prepend (self->used_chunks,
                                               g_queue_pop_head (&self->chunks));
          self->chunk_pos = 0;
        }
    }

  *out_len = len;
  return result;
}

static gboolean
burst_ends (NtpacTestTcpConversation *self)
{
  Chunk *head = g_queue_peek_head (&self->chunks);

  return head == NULL || head->direction != self->burst_direction;
}

static gboolean
next_established (NtpacTestTcpConversation *self,
                  NtpacTestTcpStep         *step)
{
  NtpacTestDirection direction;
  const guint8 *data;
  gsize len;
  gboolean starts_burst;
  guint8 flags = NTPAC_TEST_TCP_ACK;
  guint32 seq;

  /* The receiver acknowledges every second segment and the end of a burst. */
  if (self->in_burst && self->unacked > 0 && (self->unacked >= 2 || burst_ends (self)))
    {
      fill_pure_ack (self, step, peer_of (self->burst_direction));
      self->unacked = 0;
      return TRUE;
    }

  if (g_queue_is_empty (&self->chunks))
    {
      self->in_burst = FALSE;
      if (!self->close_requested)
        return FALSE;
      self->state = STATE_CLIENT_FIN;
      return FALSE;
    }

  direction = ((Chunk *) g_queue_peek_head (&self->chunks))->direction;
  starts_burst = !self->in_burst || self->burst_direction != direction;
  seq = next_seq (self, direction, FALSE);
  data = take_segment_data (self, direction,
                            ntpac_test_tcp_conversation_get_segment_size (self),
                            &len);
  self->in_burst = TRUE;
  self->burst_direction = direction;
  if (burst_ends (self))
    flags |= NTPAC_TEST_TCP_PSH;

  fill_step (self, step, direction, flags, seq,
             next_seq (self, peer_of (direction), FALSE));
  step->payload = data;
  step->payload_len = len;
  step->starts_burst = starts_burst;
  self->sent[direction] += len;
  self->unacked++;
  return TRUE;
}

/**
 * ntpac_test_tcp_conversation_next:
 * @self: a conversation
 * @step: (out caller-allocates): the next segment
 *
 * Produces the next segment: handshake, queued data with
 * acknowledgments, then, after ntpac_test_tcp_conversation_close(), the
 * teardown.
 *
 * Returns: %TRUE if @step was filled; %FALSE when all queued data is sent
 *   and acknowledged (queue more or close) or the conversation is finished
 * Since: 0.1
 */
gboolean
ntpac_test_tcp_conversation_next (NtpacTestTcpConversation *self,
                                  NtpacTestTcpStep         *step)
{
  const NtpacTestDirection client = NTPAC_TEST_CLIENT_TO_SERVER;
  const NtpacTestDirection server = NTPAC_TEST_SERVER_TO_CLIENT;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (step != NULL, FALSE);

  switch (self->state)
    {
    case STATE_SYN:
      fill_step (self, step, client, NTPAC_TEST_TCP_SYN, self->isn[client], 0);
      self->state = STATE_SYN_ACK;
      return TRUE;
    case STATE_SYN_ACK:
      fill_step (self, step, server, NTPAC_TEST_TCP_SYN | NTPAC_TEST_TCP_ACK,
                 self->isn[server], next_seq (self, client, FALSE));
      self->state = STATE_HANDSHAKE_ACK;
      return TRUE;
    case STATE_HANDSHAKE_ACK:
      fill_pure_ack (self, step, client);
      self->state = STATE_ESTABLISHED;
      return TRUE;
    case STATE_ESTABLISHED:
      if (next_established (self, step))
        return TRUE;
      if (self->state != STATE_CLIENT_FIN)
        return FALSE;
      G_GNUC_FALLTHROUGH;
    case STATE_CLIENT_FIN:
      fill_step (self, step, client, NTPAC_TEST_TCP_FIN | NTPAC_TEST_TCP_ACK,
                 next_seq (self, client, FALSE),
                 next_seq (self, server, FALSE));
      self->state = STATE_SERVER_FIN;
      return TRUE;
    case STATE_SERVER_FIN:
      fill_step (self, step, server, NTPAC_TEST_TCP_FIN | NTPAC_TEST_TCP_ACK,
                 next_seq (self, server, FALSE), next_seq (self, client, TRUE));
      self->state = STATE_LAST_ACK;
      return TRUE;
    case STATE_LAST_ACK:
      fill_step (self, step, client, NTPAC_TEST_TCP_ACK,
                 next_seq (self, client, TRUE), next_seq (self, server, TRUE));
      self->state = STATE_DONE;
      return TRUE;
    case STATE_DONE:
    default:
      return FALSE;
    }
}

/**
 * ntpac_test_tcp_conversation_build_frame:
 * @self: a conversation
 * @step: a step returned by ntpac_test_tcp_conversation_next()
 * @ts_ns: capture time of the frame, used for the TSval clock (ms)
 * @packet: frame to reset and fill
 *
 * Builds the complete frame of @step: TCP options as a Linux peer sends
 * them, IP, VLAN and link headers from the endpoints.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_build_frame (NtpacTestTcpConversation *self,
                                         const NtpacTestTcpStep   *step,
                                         gint64                    ts_ns,
                                         NtpacTestPacket          *packet)
{
  NtpacTestDirection direction = step->direction;
  gboolean from_client = direction == NTPAC_TEST_CLIENT_TO_SERVER;
  gboolean syn = (step->flags & NTPAC_TEST_TCP_SYN) != 0;
  guint32 tsval = self->ts_base[direction] + (guint32) (ts_ns / G_GINT64_CONSTANT (1000000));
  guint32 tsecr = syn && !(step->flags & NTPAC_TEST_TCP_ACK) ? 0 : self->last_tsval[peer_of (direction)];
  NtpacTestTcpOptions options = { { 0 }, 0 };
  NtpacTestTcpHeader header;

  g_return_if_fail (self != NULL);
  g_return_if_fail (step != NULL);

  ntpac_test_packet_reset (packet);
  ntpac_test_packet_append (packet, step->payload, step->payload_len);

  if (syn)
    {
      ntpac_test_tcp_options_add_mss (&options, self->mss);
      ntpac_test_tcp_options_add_sack_permitted (&options);
      if (self->timestamps)
        ntpac_test_tcp_options_add_timestamps (&options, tsval, tsecr);
      ntpac_test_tcp_options_add_nop (&options);
      ntpac_test_tcp_options_add_window_scale (&options, WINDOW_SCALE);
    }
  else if (self->timestamps)
    {
      ntpac_test_tcp_options_add_nop (&options);
      ntpac_test_tcp_options_add_nop (&options);
      ntpac_test_tcp_options_add_timestamps (&options, tsval, tsecr);
    }
  self->last_tsval[direction] = tsval;

  ntpac_test_tcp_header_init (&header,
                              from_client ? self->endpoints.client_port : self->endpoints.server_port,
                              from_client ? self->endpoints.server_port : self->endpoints.client_port,
                              step->seq, step->ack, step->flags);
  if (syn)
    header.window = from_client ? SYN_WINDOW : SYN_ACK_WINDOW;
  else
    header.window = ESTABLISHED_WINDOW;
  header.options = &options;
  ntpac_test_packet_tcp_full (packet, &header);
  ntpac_test_endpoints_wrap (&self->endpoints, direction, packet);
}

/**
 * ntpac_test_tcp_conversation_add_event:
 * @self: a conversation
 * @step_index: index of the step (0 for the SYN) in the unimpaired
 *   conversation
 * @event: impairment to apply when writing
 *
 * Marks a segment to be dropped, duplicated or swapped with the next one by
 * ntpac_test_tcp_conversation_write(). Events on one step combine.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_conversation_add_event (NtpacTestTcpConversation *self,
                                       guint                     step_index,
                                       NtpacTestTcpEvent         event)
{
  g_return_if_fail (self != NULL);

  if (step_index >= self->events->len)
    g_array_set_size (self->events, step_index + 1);
  g_array_index (self->events, guint8, step_index) |= event;
}

static guint8
events_of (NtpacTestTcpConversation *self,
           guint                     step_index)
{
  if (step_index >= self->events->len)
    return 0;
  return g_array_index (self->events, guint8, step_index);
}

static guint
write_frame (NtpacTestPcapWriter *writer,
             guint                interface_index,
             GBytes              *frame,
             gint64               ts_ns,
             guint8               events)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);
  guint copies = (events & NTPAC_TEST_TCP_EVENT_DROP) ? 0 :
                 (events & NTPAC_TEST_TCP_EVENT_DUPLICATE) ? 2 : 1;

  for (guint i = 0; i < copies; i++)
    ntpac_test_pcap_writer_write (writer, interface_index, ts_ns, data, len,
                                  len);
  return copies;
}

/**
 * ntpac_test_tcp_conversation_write:
 * @self: a conversation with its data queued
 * @writer: capture to write to
 * @interface_index: interface of the frames
 * @start_ts_ns: time of the SYN
 * @gap_ns: time between steps
 *
 * Closes the conversation and writes every remaining step, step i at
 * @start_ts_ns + i × @gap_ns, applying the events. Swapped frames swap
 * times too, so times never go backwards.
 *
 * Returns: the number of frames written
 * Since: 0.1
 */
guint
ntpac_test_tcp_conversation_write (NtpacTestTcpConversation *self,
                                   NtpacTestPcapWriter      *writer,
                                   guint                     interface_index,
                                   gint64                    start_ts_ns,
                                   gint64                    gap_ns)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(NtpacTestPacket) packet = ntpac_test_packet_new ();
  NtpacTestTcpStep step;
  guint written = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (writer != NULL, 0);

  ntpac_test_tcp_conversation_close (self);
  while (ntpac_test_tcp_conversation_next (self, &step))
    {
      gint64 ts = start_ts_ns + (gint64) step.index * gap_ns;

      ntpac_test_tcp_conversation_build_frame (self, &step, ts, packet);
      g_ptr_array_add (frames, ntpac_test_packet_to_bytes (packet));
      g_array_append_val (indices, step.index);
    }

  for (guint i = 0; i < frames->len; i++)
    {
      guint index = g_array_index (indices, guint, i);
      gint64 ts = start_ts_ns + (gint64) index * gap_ns;

      if ((events_of (self,
                      index) & NTPAC_TEST_TCP_EVENT_SWAP_WITH_NEXT) && i + 1 < frames->len)
        {
          guint next_index = g_array_index (indices, guint, i + 1);
          gint64 next_ts = start_ts_ns + (gint64) next_index * gap_ns;

          written += write_frame (writer, interface_index, frames->pdata[i + 1],
                                  ts,
                                  events_of (self, next_index));
          written += write_frame (writer, interface_index, frames->pdata[i],
                                  next_ts,
                                  events_of (self, index));
          i++;
          continue;
        }
      written += write_frame (writer, interface_index, frames->pdata[i], ts,
                              events_of (self, index));
    }
  return written;
}
