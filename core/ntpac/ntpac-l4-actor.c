/* ntpac-l4-actor.c: the actor of one TCP or UDP 5-tuple
 *
 * An L4 conversation holds one L7 conversation at a time and starts a new
 * one on a new SYN, on data after a FIN, on a sequence jump no loss
 * explains, and after an idle time (capture time). Direction is the
 * initiator's: the SYN's sender, else the client side by port, else the
 * first to send payload.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-conversation-actors-private.h"
#include "ntpac-error.h"
#include "ntpac-packet.h"
#include "ntpac-tcp-stream-private.h"

struct _NtpacL4Actor
{
  NtpacActor                 parent;
  NtpacWorkerRoutes         *routes;
  NtpacTracker              *tracker;
  NtpacRouteKey              route;
  guint8                     transport;
  NtpacConversationBuilder  *conv;
  NtpacTcpStream            *stream[2];
  gboolean                   initiator_fixed;  /* by handshake or ports */
  gboolean                   payload_seen;
  gboolean                   closed;           /* FIN both ways, or RST */
  NtpacConversationEnd       closed_as;
  gint64                     closed_at_ns;
  gint64                     last_ts_ns;
  gsize                      buffered;         /* out-of-order bytes counted in the tracker */
  const NtpacFrameRef       *frame;            /* the packet being handled */
  NtpacFrameRef              last_frame;
  GList                      link;
  GQueue                    *queue;
};

/* Ports of services: the side using one is the server. */
static gboolean
is_service_port (guint16 port)
{
  static const guint16 services[] = {
    1080, 1194, 1433, 1521, 1723, 1883, 2049, 3128, 3306, 3389, 5060, 5061, 5222,
    5432, 5672, 5900, 6379, 6443, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9092,
    9200, 9418, 11211, 27017,
  };

  if (port < 1024)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (services[i] == port)
      return TRUE;
  return FALSE;
}

/* The side (0: the key's lower endpoint) that is the server by its port,
 * or -1 if the ports do not tell. */
static gint
server_side_by_ports (const NtpacFlowKey *key)
{
  gboolean lo = is_service_port (key->port_lo), hi = is_service_port (key->port_hi);

  if (lo && !hi)
    return 0;
  if (hi && !lo)
    return 1;
  if (lo && hi && key->port_lo != key->port_hi)
    return key->port_lo < key->port_hi ? 0 : 1;
  return -1;
}

static guint
side_of (const NtpacPacketDesc *p)
{
  return (p->flags & NTPAC_PACKET_DESC_FROM_LO) ? 0 : 1;
}

/* ---- stream callbacks ------------------------------------------------- */

static guint
stream_side (NtpacL4Actor   *self,
             NtpacTcpStream *stream)
{
  return stream == self->stream[0] ? 0 : 1;
}

static void
on_stream_data (gpointer             owner,
                NtpacTcpStream      *stream,
                const guint8        *bytes,
                gsize                len,
                const NtpacFrameRef *frame,
                gint64               ts_ns)
{
  NtpacL4Actor *self = owner;

  ntpac_conversation_builder_data (self->conv, stream_side (self, stream), bytes, len, frame,
                                   ts_ns, ntpac_tcp_stream_delivered (stream));
}

static void
on_stream_gap (gpointer        owner,
               NtpacTcpStream *stream,
               guint64         len,
               gint64          ts_ns)
{
  NtpacL4Actor *self = owner;

  ntpac_conversation_builder_gap (self->conv, stream_side (self, stream), len, ts_ns);
  /* Found while handling a packet, or when the conversation ends. */
  ntpac_tracker_report (self->tracker, NTPAC_ANOMALY_TCP_MISSING_BYTES,
                        self->frame != NULL ? self->frame : &self->last_frame, ts_ns);
}

static const guint8 *
on_stream_retained (gpointer        owner,
                    NtpacTcpStream *stream,
                    guint64         offset,
                    gsize           len)
{
  NtpacL4Actor *self = owner;

  return ntpac_conversation_builder_retained (self->conv, stream_side (self, stream), offset, len);
}

static void
on_stream_anomaly (gpointer             owner,
                   NtpacAnomalyKind     kind,
                   const NtpacFrameRef *frame,
                   gint64               ts_ns)
{
  NtpacL4Actor *self = owner;

  ntpac_conversation_builder_anomaly (self->conv);
  ntpac_tracker_report (self->tracker, kind, frame, ts_ns);
}

static const NtpacTcpStreamCallbacks stream_callbacks = {
  on_stream_data,
  on_stream_gap,
  on_stream_retained,
  on_stream_anomaly,
};

/* ---- conversations ---------------------------------------------------- */

static void
account_buffered (NtpacL4Actor *self)
{
  gsize now = 0;

  for (guint i = 0; i < 2; i++)
    if (self->stream[i] != NULL)
      now += ntpac_tcp_stream_buffered (self->stream[i]);
  ntpac_tracker_add_memory (self->tracker, (gssize) now - (gssize) self->buffered);
  self->buffered = now;
}

static void
move_to_queue (NtpacL4Actor *self,
               GQueue       *queue)
{
  if (self->queue != NULL)
    g_queue_unlink (self->queue, &self->link);
  self->queue = queue;
  if (queue != NULL)
    g_queue_push_tail_link (queue, &self->link);
}

static NtpacTcpStream *
new_stream (NtpacL4Actor *self)
{
  NtpacTcpStreamConfig config = {
    .ooo_cap = self->tracker->config.ooo_max_bytes,
    .reorder_window = self->tracker->config.reorder_window,
    .max_jump = self->tracker->config.max_sequence_jump,
    .overlap = self->tracker->config.overlap_last_wins ? NTPAC_OVERLAP_LAST : NTPAC_OVERLAP_FIRST,
  };

  return ntpac_tcp_stream_new (&config, &stream_callbacks, self);
}

static void
start_conversation (NtpacL4Actor          *self,
                    const NtpacPacketDesc *p)
{
  guint side = side_of (p);
  gboolean known = FALSE;
  guint initiator = side;
  gint server;

  if (p->transport == NTPAC_TRANSPORT_TCP && (p->tcp_flags & NTPAC_TCP_SYN))
    {
      /* SYN comes from the initiator, SYN-ACK from the responder. */
      initiator = (p->tcp_flags & NTPAC_TCP_ACK) ? !side : side;
      known = TRUE;
    }
  else if ((server = server_side_by_ports (&p->key)) >= 0)
    initiator = !server;
  self->initiator_fixed = known || server_side_by_ports (&p->key) >= 0;
  self->payload_seen = FALSE;
  self->closed = FALSE;
  self->conv = ntpac_conversation_builder_new (self->tracker, p, initiator == 0, known);
  if (p->transport == NTPAC_TRANSPORT_TCP)
    for (guint i = 0; i < 2; i++)
      self->stream[i] = new_stream (self);
}

static void
end_conversation (NtpacL4Actor         *self,
                  NtpacConversationEnd  end,
                  gint64                ts_ns)
{
  if (self->conv == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    if (self->stream[i] != NULL)
      ntpac_tcp_stream_finish (self->stream[i], ts_ns);
  ntpac_conversation_builder_finish (self->conv, end);
  self->conv = NULL;
  for (guint i = 0; i < 2; i++)
    g_clear_pointer (&self->stream[i], ntpac_tcp_stream_free);
  account_buffered (self);
  self->closed = FALSE;
}

/* Ends the current conversation (the worker: idle, capture end, linger). */
void
ntpac_l4_actor_end (NtpacL4Actor         *self,
                    NtpacConversationEnd  end)
{
  if (self->closed && end != NTPAC_CONVERSATION_END_FAILED)
    end = self->closed_as;
  self->frame = NULL;
  end_conversation (self, end, self->last_ts_ns);
}

/* Memory pressure: hand on what is held now; holes become gaps. */
void
ntpac_l4_actor_flush (NtpacL4Actor *self)
{
  if (self->conv == NULL)
    return;
  self->frame = NULL;
  for (guint i = 0; i < 2; i++)
    if (self->stream[i] != NULL)
      ntpac_tcp_stream_flush (self->stream[i], self->last_ts_ns);
  ntpac_conversation_builder_flush (self->conv);
  account_buffered (self);
}

/* The first payload of a conversation picked up mid-stream, with ports
 * that do not tell, names the initiator. */
static void
note_payload (NtpacL4Actor          *self,
              const NtpacPacketDesc *p)
{
  if (self->payload_seen || p->payload_len == 0)
    return;
  self->payload_seen = TRUE;
  if (!self->initiator_fixed)
    ntpac_conversation_builder_set_initiator (self->conv, side_of (p) == 0, FALSE);
}

static void
receive_tcp (NtpacL4Actor          *self,
             const NtpacBatch      *batch,
             const NtpacPacketDesc *p)
{
  guint side = side_of (p);
  NtpacTcpSegment seg = {
    .seq = p->seq,
    .flags = p->tcp_flags,
    .payload = ntpac_batch_payload (batch, p),
    .len = p->payload_len,
    .frame = &p->frame,
    .ts_ns = p->ts_ns,
  };

  if (self->conv != NULL && p->ts_ns - self->last_ts_ns > self->tracker->config.tcp_idle_timeout_ns)
    end_conversation (self, self->closed ? self->closed_as : NTPAC_CONVERSATION_END_IDLE, self->last_ts_ns);
  if (self->conv != NULL)
    switch (ntpac_tcp_stream_classify (self->stream[side], &seg))
      {
      case NTPAC_TCP_SEGMENT_NEW_SYN:
        /* A new ISN is a new connection once this side has spoken, or
         * once a connection that carried data closed; before that it is
         * the same handshake tried again (a SYN-ACK resent with a fresh
         * ISN, a refused SYN retried): that side's stream starts over. */
        if (ntpac_tcp_stream_delivered (self->stream[side]) == 0 &&
            (!self->closed || !ntpac_conversation_builder_has_output (self->conv)))
          {
            ntpac_tcp_stream_free (self->stream[side]);
            self->stream[side] = new_stream (self);
            self->closed = FALSE;
            break;
          }
        /* fall through */
      case NTPAC_TCP_SEGMENT_NEW_STREAM:
        end_conversation (self, self->closed ? self->closed_as : NTPAC_CONVERSATION_END_REUSED,
                          self->last_ts_ns);
        break;
      default:
        break;
      }
  if (self->conv == NULL)
    start_conversation (self, p);

  ntpac_conversation_builder_add_packet (self->conv, batch, p);
  note_payload (self, p);
  if (p->tcp_flags & NTPAC_TCP_ACK)
    ntpac_tcp_stream_ack (self->stream[!side], p->ack, p->ts_ns);
  ntpac_tcp_stream_segment (self->stream[side], &seg);
  for (guint i = 0; i < 2; i++)
    ntpac_tcp_stream_tick (self->stream[i], p->ts_ns);
  account_buffered (self);

  if (!self->closed &&
      ((p->tcp_flags & NTPAC_TCP_RST) ||
       (ntpac_tcp_stream_fin_seen (self->stream[0]) && ntpac_tcp_stream_fin_seen (self->stream[1]))))
    {
      self->closed = TRUE;
      self->closed_as = (p->tcp_flags & NTPAC_TCP_RST) ? NTPAC_CONVERSATION_END_RST
                                                      : NTPAC_CONVERSATION_END_FIN;
      self->closed_at_ns = p->ts_ns;
      /* What it holds goes on now (bytes still missing never come: both
       * sides are done); the conversation itself stays to collect stray
       * packets (resent FINs, late ACKs) until it ages. */
      for (guint i = 0; i < 2; i++)
        ntpac_tcp_stream_finish (self->stream[i], p->ts_ns);
      ntpac_conversation_builder_compact (self->conv);
      account_buffered (self);
    }
  move_to_queue (self, self->closed ? &self->routes->closed : &self->routes->tcp_idle);
}

static void
receive_udp (NtpacL4Actor          *self,
             const NtpacBatch      *batch,
             const NtpacPacketDesc *p)
{
  if (self->conv != NULL && p->ts_ns - self->last_ts_ns > self->tracker->config.udp_idle_timeout_ns)
    end_conversation (self, NTPAC_CONVERSATION_END_IDLE, self->last_ts_ns);
  if (self->conv == NULL)
    start_conversation (self, p);
  ntpac_conversation_builder_add_packet (self->conv, batch, p);
  /* Every datagram goes on, a copy of the one before included: the
   * builder marks copies (udp.duplicate). */
  ntpac_conversation_builder_datagram (self->conv, side_of (p), ntpac_batch_payload (batch, p),
                                       p->payload_len, p->payload_cut, &p->frame, p->ts_ns);
  move_to_queue (self, &self->routes->udp_idle);
}

static gboolean
l4_receive (NtpacActor          *actor,
            const NtpacMessage  *message,
            GError             **error)
{
  NtpacL4Actor *self = (NtpacL4Actor *) actor;
  const NtpacPacketDesc *p = message->packet;

  if (message->kind != NTPAC_MESSAGE_PACKET)
    return TRUE;
  if (p->transport != self->transport)
    {
      g_set_error (error, NTPAC_ACTOR_ERROR, NTPAC_ACTOR_ERROR_FAILED,
                   "packet of transport %u routed to a transport %u conversation",
                   p->transport, self->transport);
      return FALSE;
    }
  self->frame = &p->frame;
  if (p->transport == NTPAC_TRANSPORT_TCP)
    receive_tcp (self, message->batch, p);
  else
    receive_udp (self, message->batch, p);
  self->frame = NULL;
  self->last_frame = p->frame;
  if (p->ts_ns > self->last_ts_ns || self->last_ts_ns == 0)
    self->last_ts_ns = p->ts_ns;
  return TRUE;
}

static void
l4_stop (NtpacActor *actor,
         gboolean    failed)
{
  NtpacL4Actor *self = (NtpacL4Actor *) actor;

  ntpac_l4_actor_end (self, failed ? NTPAC_CONVERSATION_END_FAILED : NTPAC_CONVERSATION_END_CAPTURE);
  move_to_queue (self, NULL);
  g_hash_table_remove (self->routes->l4_routes, &self->route);
}

static void
l4_append_name (NtpacActor *actor,
                GString    *path)
{
  NtpacL4Actor *self = (NtpacL4Actor *) actor;

  g_string_append_printf (path, "%s-%u-%u",
                          self->transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp",
                          self->route.key.port_lo, self->route.key.port_hi);
}

static const NtpacActorClass l4_actor_class = {
  .name = "l4",
  .instance_size = sizeof (NtpacL4Actor),
  .receive = l4_receive,
  .stop = l4_stop,
  .append_name = l4_append_name,
};

NtpacL4Actor *
ntpac_l4_actor_new (NtpacL3Actor          *parent,
                    NtpacWorkerRoutes     *routes,
                    const NtpacPacketDesc *packet)
{
  NtpacL4Actor *self = (NtpacL4Actor *) ntpac_actor_new (&l4_actor_class, (NtpacActor *) parent);

  self->routes = routes;
  self->tracker = routes->tracker;
  self->route.key = packet->key;
  self->route.hash = packet->hash;
  self->transport = packet->transport;
  self->link.data = self;
  g_hash_table_insert (routes->l4_routes, &self->route, self);
  return self;
}

gint64
ntpac_l4_actor_last_ts (NtpacL4Actor *self)
{
  return self->closed ? self->closed_at_ns : self->last_ts_ns;
}

gboolean
ntpac_l4_actor_is_tcp (NtpacL4Actor *self)
{
  return self->transport == NTPAC_TRANSPORT_TCP;
}
