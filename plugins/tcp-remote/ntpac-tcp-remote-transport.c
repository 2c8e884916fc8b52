/* ntpac-tcp-remote-transport.c: the `tcp-remote` transport: messages
 * between a cluster's balancer and its reassemblers, over ZeroMQ
 *
 * One DEALER socket per peer: the balancer connects one to each
 * reassembler (the order of the endpoints is the shard order), a
 * reassembler binds one. Every ZeroMQ message has two parts: a one-byte
 * kind, then the payload. The core's messages (HELLO, FRAMES, END...) are
 * payloads this transport does not look into; its own kinds carry the
 * handshake and the credits that make back-pressure:
 *
 *   'H' connecting -> listening  hello: protocol version, then the credits
 *                                the connecting side grants (u32 LE each)
 *   'R' listening -> connecting  ready: the credits granted (u32 LE)
 *   'C' either way               more credits (u32 LE)
 *   'M' either way               a counted message (a batch): uses a credit
 *   'm' either way               an uncounted message (start, end, done)
 *
 * Each side grants a credit back each time the core releases a counted
 * message it was given, so no side ever has more in flight to a peer than
 * the peer's `credits` setting: a slow or stopped reassembler makes the
 * balancer wait (and a slow query client the agent), nothing is dropped. Peers are authenticated
 * with CURVE (a ZAP handler checks the balancer's public key against the
 * allowed ones); ZeroMQ heartbeats and the socket monitor tell when a
 * peer is gone. All sockets are used from the thread that calls the
 * transport; waiting is done in a private GMainContext whose sources
 * watch each socket's ZMQ_FD (edge-triggered: ZMQ_EVENTS is read again in
 * every prepare and check).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zmq.h>

#include "ntpac-tcp-remote-keys.h"
#include "ntpac-tcp-remote-source.h"
#include "ntpac-tcp-remote-transport.h"

#define PROTOCOL_VERSION   1
#define DEFAULT_CREDITS    8
#define MAX_CREDITS        1024
#define HEARTBEAT_IVL_MS   1000

enum
{
  PROP_0,
  PROP_SECRET_KEY_FILE,
  PROP_SERVER_KEY_FILE,
  PROP_SERVER_KEY_FILES,
  PROP_CLIENTS_DIR,
  PROP_INSECURE,
  PROP_CREDITS,
  PROP_HEARTBEAT_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_MANY_PEERS,
  PROP_QUERY_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct _Peer Peer;

typedef struct
{
  guint   peer;
  GBytes *bytes;
} Inbound;

struct _NtpacTcpRemoteTransport
{
  NtpacTransport  parent_instance;

  /* settings */
  gchar          *secret_key_file;
  gchar          *server_key_file;
  gchar         **server_key_files;
  gchar          *clients_dir;
  gboolean        insecure;
  guint           credits;
  gdouble         heartbeat_timeout_s;
  gdouble         connect_timeout_s;

  /* state */
  void           *zctx;
  GMainContext   *ctx;
  gboolean        receiving;       /* listen()ed: a reassembler */
  GPtrArray      *peers;           /* Peer */
  NtpacTcpRemoteZap *zap;        /* lets in the allowed balancers */
  gboolean        many_peers;      /* listening: any number of peers (a query agent) */
  gboolean        query_client;    /* connecting: to query agents, not reassemblers (its words) */
  void           *router;          /* many_peers: the bound ROUTER socket */
  void           *router_monitor;
  GSource        *router_source;
  GSource        *router_monitor_source;
  GHashTable     *by_routing_id;   /* GBytes -> Peer, many_peers */
  gchar          *router_endpoint;
  GQueue          inbox;           /* Inbound */
  gint            accepted_fd;     /* the balancer's connection, on a reassembler */
  gint64          handshake_said;  /* when a failed handshake was last said */
  guint           handshakes_failed;
};

struct _Peer
{
  NtpacTcpRemoteTransport *self;
  guint                    index;
  gchar                   *endpoint;
  void                    *socket;
  void                    *monitor;
  GSource                 *source;
  GSource                 *monitor_source;
  guint                    credits;      /* counted messages it still accepts */
  gint                     owed;         /* atomic: released, credit not sent back yet */
  gint                     outstanding;  /* atomic: counted messages received, not released */
  gboolean                 ready;
  gboolean                 connected;
  GError                  *failure;
  gboolean                 failure_reported;
  GBytes                  *routing_id;   /* on a ROUTER: whom messages go to */
  gint                     fd;           /* on a ROUTER: its connection */
  NtpacTransportPeerStats  stats;
};

G_DEFINE_FINAL_TYPE (NtpacTcpRemoteTransport, ntpac_tcp_remote_transport, NTPAC_TYPE_TRANSPORT)

static gboolean
check_security (NtpacTcpRemoteTransport  *self,
                const gchar              *endpoint,
                GError                  **error)
{
  if (!self->insecure)
    return TRUE;
  if (ntpac_tcp_remote_is_loopback (endpoint))
    return TRUE;
  return ntpac_tcp_remote_settings_error (error, _("“%s” is not a loopback address: without keys (--insecure) peers "
                                  "may only be on this machine; give CURVE keys to reach other machines"),
                         endpoint);
}

/* ---- peers ------------------------------------------------------------ */

static gboolean set_int (void *socket, gint option, gint value);

/* Its sockets closed; the peer itself stays until the transport goes, for
 * the messages it sent that are not released yet. */
static void
peer_close (Peer *p)
{
  /* Nothing more can reach a peer that failed: do not wait for it. */
  if (p->failure != NULL && p->socket != NULL)
    set_int (p->socket, ZMQ_LINGER, 0);
  if (p->source != NULL)
    {
      g_source_destroy (p->source);
      g_clear_pointer (&p->source, g_source_unref);
    }
  if (p->monitor_source != NULL)
    {
      g_source_destroy (p->monitor_source);
      g_clear_pointer (&p->monitor_source, g_source_unref);
    }
  if (p->monitor != NULL)
    zmq_close (g_steal_pointer (&p->monitor));
  if (p->socket != NULL)
    zmq_close (g_steal_pointer (&p->socket));
}

static void
peer_free (gpointer data)
{
  Peer *p = data;

  if (p == NULL)
    return;
  peer_close (p);
  g_clear_pointer (&p->routing_id, g_bytes_unref);
  g_clear_error (&p->failure);
  g_free (p->endpoint);
  g_free (p);
}

static void
peer_fail (Peer        *p,
           gint         code,
           const gchar *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
peer_fail (Peer        *p,
           gint         code,
           const gchar *format,
           ...)
{
  va_list args;
  gchar *message;

  if (p->failure != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* said by whoever is told: the caller of the next send or receive */
  p->failure = g_error_new_literal (NTPAC_TRANSPORT_ERROR, code, message);
  g_free (message);
}

static const gchar *
peer_name (NtpacTcpRemoteTransport *self)
{
  return self->receiving ? _("the balancer") : _("shard");
}

/* Two parts: the kind, then the payload (sent without a copy: ZeroMQ
 * releases the bytes when they have left). */
static void
release_payload (void *data,
                 void *hint)
{
  g_bytes_unref (hint);
}

static gboolean
peer_send (Peer     *p,
           gchar     kind,
           GBytes   *payload,
           GError  **error)
{
  zmq_msg_t msg;
  gsize len;
  gconstpointer data = g_bytes_get_data (payload, &len);

  /* A listener's peer that left has no pipe: the send would wait for it
   * until the timeout. Credits keep the queue short, so a full one means
   * the peer is gone. */
  gint flags = p->self->receiving ? ZMQ_DONTWAIT : 0;
  void *socket = p->routing_id != NULL ? p->self->router : p->socket;

  if (socket == NULL)
    goto failed;
  if (p->routing_id != NULL)
    {
      gsize id_len;
      gconstpointer id = g_bytes_get_data (p->routing_id, &id_len);

      if (zmq_send (socket, id, id_len, ZMQ_SNDMORE | flags) != (gint) id_len)
        goto failed;
    }
  if (zmq_send (socket, &kind, 1, ZMQ_SNDMORE | flags) != 1)
    goto failed;
  if (len == 0)
    {
      if (zmq_send (socket, "", 0, flags) != 0)
        goto failed;
    }
  else
    {
      zmq_msg_init_data (&msg, (gpointer) data, len, release_payload, g_bytes_ref (payload));
      if (zmq_msg_send (&msg, socket, flags) < 0)
        {
          zmq_msg_close (&msg);
          goto failed;
        }
    }
  p->stats.messages++;
  p->stats.bytes += len;
  return TRUE;

failed:
  g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_PEER_GONE,
               _("Cannot send to %s %u (%s): %s"), peer_name (p->self), p->index, p->endpoint,
               zmq_strerror (zmq_errno ()));
  return FALSE;
}

static gboolean
peer_send_u32 (Peer     *p,
               gchar     kind,
               guint32   value,
               GError  **error)
{
  guint32 le = GUINT32_TO_LE (value);
  g_autoptr(GBytes) payload = g_bytes_new (&le, sizeof le);

  return peer_send (p, kind, payload, error);
}

typedef struct
{
  zmq_msg_t                msg;
  NtpacTcpRemoteTransport *self;   /* kept alive, and its peers with it */
  Peer                    *peer;
  gboolean                 counted;
} HeldMessage;

/* A received message's bytes are released: its credit goes back to the
 * peer with the next receive. May run on any thread. */
static void
held_message_free (gpointer data)
{
  HeldMessage *h = data;

  if (h->counted)
    {
      g_atomic_int_inc (&h->peer->owed);
      g_atomic_int_add (&h->peer->outstanding, -1);
    }
  zmq_msg_close (&h->msg);
  g_object_unref (h->self);
  g_free (h);
}

static void
discard_rest (void *socket)
{
  gint more = 0;
  size_t len = sizeof more;

  while (zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len) == 0 && more)
    {
      zmq_msg_t part;

      zmq_msg_init (&part);
      if (zmq_msg_recv (&part, socket, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&part);
          break;
        }
      zmq_msg_close (&part);
      len = sizeof more;
    }
}

static guint32
payload_u32 (zmq_msg_t *msg)
{
  guint32 v = 0;

  if (zmq_msg_size (msg) == 4)
    memcpy (&v, zmq_msg_data (msg), 4);
  return GUINT32_FROM_LE (v);
}

static void
handle_part (Peer      *p,
             gchar      kind,
             zmq_msg_t *body)
{
  NtpacTcpRemoteTransport *self = p->self;
  g_autoptr(GError) error = NULL;

  switch (kind)
    {
    case 'H':
      if (self->receiving && !p->ready)
        {
          guint32 hello[2] = { 0, 0 };

          memcpy (hello, zmq_msg_data (body), MIN (zmq_msg_size (body), sizeof hello));
          if (GUINT32_FROM_LE (hello[0]) != PROTOCOL_VERSION)
            {
              g_warning (_("A peer speaking version %u of the tcp-remote protocol was ignored (this is version %u)"),
                         GUINT32_FROM_LE (hello[0]), PROTOCOL_VERSION);
              break;
            }
          p->ready = TRUE;
          p->credits = MIN (GUINT32_FROM_LE (hello[1]), MAX_CREDITS);
          if (!peer_send_u32 (p, 'R', self->credits, &error))
            g_warning ("%s", error->message);
        }
      break;
    case 'R':
      if (self->receiving)
        break;
      p->ready = TRUE;
      /* fall through */
    case 'C':
      p->credits = MIN (p->credits + MIN (payload_u32 (body), MAX_CREDITS), MAX_CREDITS);
      break;
    case 'M':
    case 'm':
      {
        HeldMessage *h;
        Inbound *in;

        if (self->receiving && !p->ready)
          break;   /* nothing counts before the hello */
        if (kind == 'M' && g_atomic_int_get (&p->outstanding) >= (gint) self->credits)
          {
            peer_fail (p, NTPAC_TRANSPORT_ERROR_FAILED,
                       _("A peer sent more batches than the %u it was allowed: it does not follow the protocol"),
                       self->credits);
            break;
          }
        h = g_new0 (HeldMessage, 1);
        zmq_msg_init (&h->msg);
        zmq_msg_move (&h->msg, body);
        h->self = g_object_ref (self);
        h->peer = p;
        h->counted = kind == 'M';
        if (h->counted)
          g_atomic_int_inc (&p->outstanding);
        in = g_new0 (Inbound, 1);
        in->peer = p->index;
        in->bytes = g_bytes_new_with_free_func (zmq_msg_data (&h->msg), zmq_msg_size (&h->msg),
                                                held_message_free, h);
        g_queue_push_tail (&self->inbox, in);
      }
      break;
    default:
      break;   /* a kind this version does not know: ignored */
    }
}

static gboolean
peer_drain (gpointer data)
{
  Peer *p = data;

  for (;;)
    {
      zmq_msg_t kind, body;
      gint more = 0;
      size_t len = sizeof more;

      zmq_msg_init (&kind);
      if (zmq_msg_recv (&kind, p->socket, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&kind);
          break;
        }
      zmq_getsockopt (p->socket, ZMQ_RCVMORE, &more, &len);
      if (!more || zmq_msg_size (&kind) != 1)
        {
          zmq_msg_close (&kind);
          discard_rest (p->socket);
          continue;   /* not ours: ignored */
        }
      zmq_msg_init (&body);
      if (zmq_msg_recv (&body, p->socket, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&kind);
          zmq_msg_close (&body);
          break;
        }
      discard_rest (p->socket);
      handle_part (p, *(const gchar *) zmq_msg_data (&kind), &body);
      zmq_msg_close (&kind);
      zmq_msg_close (&body);
    }
  return G_SOURCE_CONTINUE;
}

/* Socket events: authentication, connections lost. */
static void
handle_event (Peer    *p,
              guint16  event,
              guint32  value)
{
  NtpacTcpRemoteTransport *self = p->self;

  switch (event)
    {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
      if (self->receiving && self->accepted_fd < 0)
        self->accepted_fd = (gint) value;
      p->connected = TRUE;
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      if (!self->receiving && self->query_client)
        {
          peer_fail (p, NTPAC_TRANSPORT_ERROR_AUTH,
                     _("The agent at %s and this client could not authenticate each other: the agent's "
                       "public key is not the one given (--curve-server), this client's key is not among "
                       "the agent's (--curve-clients), or one side runs without keys"), p->endpoint);
          break;
        }
      if (!self->receiving)
        {
          peer_fail (p, NTPAC_TRANSPORT_ERROR_AUTH,
                     _("Shard %u (%s) and this balancer could not authenticate each other: "
                       "the reassembler's public key is not the one given (--curve-server), "
                       "this balancer's key is not among the reassembler's (--curve-clients), "
                       "or one side runs without keys"), p->index, p->endpoint);
          break;
        }
      /* A refused peer retries: said once a minute, with the count. */
      self->handshakes_failed++;
      if (g_get_monotonic_time () - self->handshake_said > 60 * G_USEC_PER_SEC)
        {
          g_warning (_("%u connections to %s failed their handshake and were refused "
                       "(a peer with another server key, or without keys)"), self->handshakes_failed, p->endpoint);
          self->handshake_said = g_get_monotonic_time ();
          self->handshakes_failed = 0;
        }
      break;
    case ZMQ_EVENT_DISCONNECTED:
      if (self->receiving && (gint) value == self->accepted_fd)
        peer_fail (p, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                   _("The balancer closed the connection or stopped answering (%s)"), p->endpoint);
      else if (!self->receiving && p->connected && self->query_client)
        peer_fail (p, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                   _("The agent at %s closed the connection or stopped answering for %g s"), p->endpoint,
                   self->heartbeat_timeout_s);
      else if (!self->receiving && p->connected)
        peer_fail (p, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                   _("Shard %u (%s) closed the connection or stopped answering for %g s: "
                     "its reassembler stopped or was killed"), p->index, p->endpoint, self->heartbeat_timeout_s);
      break;
    default:
      break;
    }
}

/* The next event of a socket monitor; FALSE when there is none. */
static gboolean
read_event (void    *monitor,
            guint16 *event,
            guint32 *value)
{
  zmq_msg_t ev;

  zmq_msg_init (&ev);
  if (zmq_msg_recv (&ev, monitor, ZMQ_DONTWAIT) < 0)
    {
      zmq_msg_close (&ev);
      return FALSE;
    }
  *event = 0;
  *value = 0;
  if (zmq_msg_size (&ev) >= 6)
    {
      const guint8 *b = zmq_msg_data (&ev);

      *event = (guint16) (b[0] | (b[1] << 8));
      memcpy (value, b + 2, 4);
      *value = GUINT32_FROM_LE (*value);
    }
  zmq_msg_close (&ev);
  discard_rest (monitor);
  return TRUE;
}

static gboolean
monitor_drain (gpointer data)
{
  Peer *p = data;
  guint16 event;
  guint32 value;

  while (read_event (p->monitor, &event, &value))
    handle_event (p, event, value);
  return G_SOURCE_CONTINUE;
}

/* ---- many peers on one ROUTER (a query agent) ------------------------- */

/* A ROUTER's message is the peer's routing id, then our two parts; a
 * peer is known from its hello on. */
static gboolean
router_drain (gpointer data)
{
  NtpacTcpRemoteTransport *self = data;

  for (;;)
    {
      zmq_msg_t id, kind, body;
      gint more = 0;
      size_t len = sizeof more;
      g_autoptr(GBytes) key = NULL;
      Peer *p;

      zmq_msg_init (&id);
      if (zmq_msg_recv (&id, self->router, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&id);
          break;
        }
      key = g_bytes_new (zmq_msg_data (&id), zmq_msg_size (&id));
      zmq_msg_init (&kind);
      zmq_msg_init (&body);
      if (zmq_msg_recv (&kind, self->router, ZMQ_DONTWAIT) < 0 || zmq_msg_size (&kind) != 1 ||
          zmq_getsockopt (self->router, ZMQ_RCVMORE, &more, &len) != 0 || !more ||
          zmq_msg_recv (&body, self->router, ZMQ_DONTWAIT) < 0)
        {
          discard_rest (self->router);
          zmq_msg_close (&id);
          zmq_msg_close (&kind);
          zmq_msg_close (&body);
          continue;   /* not ours: ignored */
        }
      discard_rest (self->router);
      p = g_hash_table_lookup (self->by_routing_id, key);
      if (p == NULL && *(const gchar *) zmq_msg_data (&kind) == 'H')
        {
          p = g_new0 (Peer, 1);
          p->self = self;
          p->index = self->peers->len;
          p->endpoint = g_strdup (self->router_endpoint);
          p->routing_id = g_bytes_ref (key);
          p->fd = zmq_msg_get (&id, ZMQ_SRCFD);
          p->connected = TRUE;
          g_ptr_array_add (self->peers, p);
          g_hash_table_insert (self->by_routing_id, g_bytes_ref (key), p);
        }
      if (p != NULL)
        handle_part (p, *(const gchar *) zmq_msg_data (&kind), &body);
      zmq_msg_close (&id);
      zmq_msg_close (&kind);
      zmq_msg_close (&body);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
router_monitor_drain (gpointer data)
{
  NtpacTcpRemoteTransport *self = data;
  guint16 event;
  guint32 value;

  while (read_event (self->router_monitor, &event, &value))
    {
      if (event != ZMQ_EVENT_DISCONNECTED)
        continue;
      for (guint i = 0; i < self->peers->len; i++)
        {
          Peer *p = self->peers->pdata[i];

          if (p != NULL && p->routing_id != NULL && p->fd == (gint) value)
            peer_fail (p, NTPAC_TRANSPORT_ERROR_PEER_GONE, _("A client closed the connection or stopped answering"));
        }
    }
  return G_SOURCE_CONTINUE;
}

/* A peer gone, whose failure was told and whose messages are released,
 * is forgotten: an agent meets many peers over its life. */
static void
forget_peer (NtpacTcpRemoteTransport *self,
             guint                    index)
{
  Peer *p = self->peers->pdata[index];

  if (p == NULL || p->routing_id == NULL || g_atomic_int_get (&p->outstanding) > 0)
    return;
  g_hash_table_remove (self->by_routing_id, p->routing_id);
  self->peers->pdata[index] = NULL;
  peer_free (p);
}

static gboolean
set_int (void     *socket,
         gint      option,
         gint      value)
{
  return zmq_setsockopt (socket, option, &value, sizeof value) == 0;
}

/* A socket with heartbeats and its monitor (a PAIR reading its events). */
static void *
new_socket (NtpacTcpRemoteTransport  *self,
            gint                      type,
            const gchar              *monitor_address,
            void                    **monitor)
{
  void *socket = zmq_socket (self->zctx, type);
  gint timeout_ms = (gint) MIN (self->heartbeat_timeout_s * 1000.0, G_MAXINT / 2);

  set_int (socket, ZMQ_LINGER, timeout_ms);
  set_int (socket, ZMQ_SNDHWM, 4 * MAX_CREDITS);
  set_int (socket, ZMQ_RCVHWM, 4 * MAX_CREDITS);
  set_int (socket, ZMQ_SNDTIMEO, timeout_ms);
  set_int (socket, ZMQ_HEARTBEAT_IVL, HEARTBEAT_IVL_MS);
  set_int (socket, ZMQ_HEARTBEAT_TIMEOUT, timeout_ms);
  zmq_socket_monitor (socket, monitor_address,
                      ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                      ZMQ_EVENT_DISCONNECTED);
  *monitor = zmq_socket (self->zctx, ZMQ_PAIR);
  zmq_connect (*monitor, monitor_address);
  return socket;
}

/* A DEALER with heartbeats, a monitor, and sources in the private
 * context. */
static Peer *
peer_new (NtpacTcpRemoteTransport *self,
          guint                    index,
          const gchar             *endpoint)
{
  Peer *p = g_new0 (Peer, 1);
  g_autofree gchar *monitor_address = g_strdup_printf ("inproc://ntpac-monitor-%p-%u", (gpointer) self, index);

  p->self = self;
  p->index = index;
  p->endpoint = g_strdup (endpoint);
  p->socket = new_socket (self, ZMQ_DEALER, monitor_address, &p->monitor);
  p->source = ntpac_tcp_remote_source_new (self->ctx, p->socket, peer_drain, p);
  p->monitor_source = ntpac_tcp_remote_source_new (self->ctx, p->monitor, monitor_drain, p);
  return p;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Runs the private context until @done says so, or @deadline_us
 * (monotonic; -1 for none) passes. */
static gboolean
wait_until (NtpacTcpRemoteTransport *self,
            gboolean               (*done) (NtpacTcpRemoteTransport *self, gpointer data),
            gpointer                 data,
            gint64                   deadline_us)
{
  while (!done (self, data))
    {
      gint64 now = g_get_monotonic_time ();
      GSource *timeout = NULL;

      if (deadline_us >= 0)
        {
          if (now >= deadline_us)
            return FALSE;
          timeout = g_timeout_source_new ((guint) MIN ((deadline_us - now) / 1000 + 1, G_MAXUINT));
          g_source_set_callback (timeout, wake_up, NULL, NULL);
          g_source_attach (timeout, self->ctx);
        }
      g_main_context_iteration (self->ctx, TRUE);
      if (timeout != NULL)
        {
          g_source_destroy (timeout);
          g_source_unref (timeout);
        }
    }
  return TRUE;
}

static void
ensure_context (NtpacTcpRemoteTransport *self)
{
  if (self->zctx != NULL)
    return;
  self->zctx = zmq_ctx_new ();
  self->ctx = g_main_context_new ();
  if (self->peers == NULL)
    self->peers = g_ptr_array_new_with_free_func (peer_free);
}

/* ---- the balancer's side ---------------------------------------------- */

static gboolean
all_ready (NtpacTcpRemoteTransport *self,
           gpointer                 data)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *p = self->peers->pdata[i];

      if (p->failure != NULL)
        return TRUE;
      if (!p->ready)
        return FALSE;
    }
  return TRUE;
}

static gboolean
ntpac_tcp_remote_transport_connect_peers (NtpacTransport       *transport,
                                          const gchar * const  *endpoints,
                                          GError              **error)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  gchar secret[NTPAC_TCP_REMOTE_KEY_LENGTH + 1], public[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];
  guint n = g_strv_length ((gchar **) endpoints);
  guint n_server_keys = self->server_key_files != NULL ? g_strv_length (self->server_key_files) : 0;

  if (n == 0)
    return ntpac_tcp_remote_settings_error (error, _("No reassembler to connect to: give --connect tcp://HOST:PORT"));
  for (guint i = 0; i < n; i++)
    if (!check_security (self, endpoints[i], error))
      return FALSE;
  if (!self->insecure)
    {
      if (self->secret_key_file == NULL)
        return ntpac_tcp_remote_settings_error (error, _("The balancer has no key: give --curve-secret FILE "
                                        "(or --insecure, on loopback addresses only)"));
      if (n_server_keys == 0 && self->server_key_file == NULL)
        return ntpac_tcp_remote_settings_error (error, _("The reassemblers' public keys are not known: give --curve-server FILE"));
      if (n_server_keys > 1 && n_server_keys != n)
        return ntpac_tcp_remote_settings_error (error, _("%u public keys (--curve-server) for %u reassemblers (--connect): "
                                        "give one for all, or one for each in the same order"), n_server_keys, n);
      if (!ntpac_tcp_remote_read_key (self->secret_key_file, secret, error))
        return FALSE;
      if (zmq_curve_public (public, secret) != 0)
        return ntpac_tcp_remote_settings_error (error, _("“%s” is not a secret key"), self->secret_key_file);
    }
  ensure_context (self);
  for (guint i = 0; i < n; i++)
    {
      Peer *p = peer_new (self, i, endpoints[i]);

      g_ptr_array_add (self->peers, p);
      if (!self->insecure)
        {
          gchar server[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];
          const gchar *file = n_server_keys > 1 ? self->server_key_files[i] :
                              n_server_keys == 1 ? self->server_key_files[0] : self->server_key_file;

          if (!ntpac_tcp_remote_read_key (file, server, error))
            return FALSE;
          zmq_setsockopt (p->socket, ZMQ_CURVE_SERVERKEY, server, NTPAC_TCP_REMOTE_KEY_LENGTH);
          zmq_setsockopt (p->socket, ZMQ_CURVE_PUBLICKEY, public, NTPAC_TCP_REMOTE_KEY_LENGTH);
          zmq_setsockopt (p->socket, ZMQ_CURVE_SECRETKEY, secret, NTPAC_TCP_REMOTE_KEY_LENGTH);
        }
      if (zmq_connect (p->socket, endpoints[i]) != 0)
        return ntpac_tcp_remote_settings_error (error, _("Cannot connect to “%s”: %s"), endpoints[i], zmq_strerror (zmq_errno ()));
      {
        guint32 hello[2] = { GUINT32_TO_LE (PROTOCOL_VERSION), GUINT32_TO_LE (self->credits) };
        g_autoptr(GBytes) payload = g_bytes_new (hello, sizeof hello);

        if (!peer_send (p, 'H', payload, error))
          return FALSE;
      }
    }
  wait_until (self, all_ready, NULL,
              g_get_monotonic_time () + (gint64) (self->connect_timeout_s * G_USEC_PER_SEC));
  for (guint i = 0; i < n; i++)
    {
      Peer *p = self->peers->pdata[i];

      if (p->failure != NULL)
        {
          p->failure_reported = TRUE;
          g_propagate_error (error, g_error_copy (p->failure));
          return FALSE;
        }
      if (!p->ready && self->query_client)
        {
          g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                       _("The agent at %s did not answer within %g s: is “ntpac-engine serve” listening there?"),
                       p->endpoint, self->connect_timeout_s);
          return FALSE;
        }
      if (!p->ready)
        {
          g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                       _("Shard %u (%s) did not answer within %g s: is a reassembler listening there "
                         "(ntpac-engine run --listen … --node %u/%u)?"),
                       i, p->endpoint, self->connect_timeout_s, i, n);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
has_credit (NtpacTcpRemoteTransport *self,
            gpointer                 data)
{
  Peer *p = data;

  return p->credits > 0 || p->failure != NULL;
}

static gboolean
ntpac_tcp_remote_transport_send_message (NtpacTransport  *transport,
                                         guint            peer,
                                         GBytes          *message,
                                         gboolean         counted,
                                         GError         **error)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  Peer *p;

  if (self->peers == NULL || peer >= self->peers->len || self->peers->pdata[peer] == NULL)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                   _("No peer %u: the transport is not connected to it"), peer);
      return FALSE;
    }
  p = self->peers->pdata[peer];
  /* What arrived meanwhile (credits, a peer gone) is seen first. */
  g_main_context_iteration (self->ctx, FALSE);
  if (counted && p->credits == 0 && p->failure == NULL)
    {
      gint64 start = g_get_monotonic_time ();

      p->stats.stalls++;
      wait_until (self, has_credit, p, -1);
      p->stats.stalled_ns += (guint64) (g_get_monotonic_time () - start) * 1000;
    }
  if (p->failure != NULL)
    {
      p->failure_reported = TRUE;
      g_propagate_error (error, g_error_copy (p->failure));
      return FALSE;
    }
  if (!peer_send (p, counted ? 'M' : 'm', message, error))
    return FALSE;
  if (counted)
    p->credits--;
  return TRUE;
}

static gboolean
ntpac_tcp_remote_transport_can_send (NtpacTransport *transport,
                                     guint           peer)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);

  if (self->peers == NULL || peer >= self->peers->len || self->peers->pdata[peer] == NULL)
    return TRUE;   /* sending fails at once, naming the peer */
  g_main_context_iteration (self->ctx, FALSE);   /* credits that arrived */
  return has_credit (self, self->peers->pdata[peer]);
}

/* ---- the reassembler's side ------------------------------------------- */

static gboolean
ntpac_tcp_remote_transport_listen (NtpacTransport  *transport,
                                   const gchar     *endpoint,
                                   GError         **error)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  gchar secret[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];
  void *socket;
  Peer *p;

  if (!check_security (self, endpoint, error))
    return FALSE;
  if (!self->insecure)
    {
      if (self->secret_key_file == NULL)
        return ntpac_tcp_remote_settings_error (error, _("The reassembler has no key: give --curve-secret FILE "
                                                         "(or --insecure, on a loopback address only)"));
      if (!ntpac_tcp_remote_read_key (self->secret_key_file, secret, error))
        return FALSE;
      if (self->clients_dir == NULL)
        return ntpac_tcp_remote_settings_error (error, _("No balancer may connect: give --curve-clients DIR, a folder of "
                                                         "the balancers' public keys (NAME.pub), or --insecure on a "
                                                         "loopback address"));
    }
  ensure_context (self);
  self->receiving = TRUE;
  if (!self->insecure)
    {
      self->zap = ntpac_tcp_remote_zap_new (self->zctx, self->ctx, self->clients_dir, error);
      if (self->zap == NULL)
        return FALSE;
    }
  if (self->many_peers)
    {
      g_autofree gchar *monitor_address = g_strdup_printf ("inproc://ntpac-monitor-%p-router", (gpointer) self);

      self->router = new_socket (self, ZMQ_ROUTER, monitor_address, &self->router_monitor);
      set_int (self->router, ZMQ_ROUTER_MANDATORY, 1);   /* a gone peer is an error, not a silent drop */
      socket = self->router;
      self->router_endpoint = g_strdup (endpoint);
      self->by_routing_id = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
      self->router_source = ntpac_tcp_remote_source_new (self->ctx, self->router, router_drain, self);
      self->router_monitor_source = ntpac_tcp_remote_source_new (self->ctx, self->router_monitor,
                                                                 router_monitor_drain, self);
    }
  else
    {
      p = peer_new (self, 0, endpoint);
      g_ptr_array_add (self->peers, p);
      socket = p->socket;
    }
  if (!self->insecure)
    {
      set_int (socket, ZMQ_CURVE_SERVER, 1);
      zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, secret, NTPAC_TCP_REMOTE_KEY_LENGTH);
    }
  if (zmq_bind (socket, endpoint) != 0)
    return ntpac_tcp_remote_settings_error (error, _("Cannot listen on “%s”: %s"), endpoint, zmq_strerror (zmq_errno ()));
  return TRUE;
}

/* ---- both sides ------------------------------------------------------- */

static gboolean
inbox_or_failure (NtpacTcpRemoteTransport *self,
                  gpointer                 data)
{
  if (!g_queue_is_empty (&self->inbox))
    return TRUE;
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *p = self->peers->pdata[i];

      if (p != NULL && p->failure != NULL && !p->failure_reported)
        return TRUE;
    }
  return FALSE;
}

static void
send_owed_credits (NtpacTcpRemoteTransport *self)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *p = self->peers->pdata[i];
      g_autoptr(GError) error = NULL;
      gint owed;

      if (p == NULL || !p->ready || p->failure != NULL || (p->socket == NULL && p->routing_id == NULL))
        continue;
      owed = g_atomic_int_and (&p->owed, 0);
      if (owed > 0 && !peer_send_u32 (p, 'C', (guint32) owed, &error))
        g_warning ("%s", error->message);
    }
}

static GBytes *
ntpac_tcp_remote_transport_receive_message (NtpacTransport  *transport,
                                            guint           *peer,
                                            gint64           timeout_us,
                                            GError         **error)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  Inbound *in;
  GBytes *bytes;

  if (self->peers == NULL)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                   _("The transport is neither listening nor connected"));
      return NULL;
    }
  send_owed_credits (self);
  g_main_context_iteration (self->ctx, FALSE);
  wait_until (self, inbox_or_failure, NULL, timeout_us >= 0 ? g_get_monotonic_time () + timeout_us : -1);
  /* A peer that answered, then closed: its answer is read before its
   * going is reported. */
  for (guint i = 0; i < self->peers->len; i++)
    if (self->peers->pdata[i] != NULL && ((Peer *) self->peers->pdata[i])->socket != NULL)
      peer_drain (self->peers->pdata[i]);
  if (self->router != NULL)
    router_drain (self);
  in = g_queue_pop_head (&self->inbox);
  if (in == NULL)
    {
      for (guint i = 0; i < self->peers->len; i++)
        {
          Peer *p = self->peers->pdata[i];

          if (p != NULL && p->failure != NULL && !p->failure_reported)
            {
              p->failure_reported = TRUE;
              if (peer != NULL)
                *peer = i;
              g_propagate_error (error, g_error_copy (p->failure));
              forget_peer (self, i);
              return NULL;
            }
        }
      return NULL;   /* timed out */
    }
  if (peer != NULL)
    *peer = in->peer;
  bytes = in->bytes;
  g_free (in);
  return bytes;
}

static void
ntpac_tcp_remote_transport_get_peer_stats (NtpacTransport          *transport,
                                           guint                    peer,
                                           NtpacTransportPeerStats *stats)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);

  if (self->peers != NULL && peer < self->peers->len && self->peers->pdata[peer] != NULL)
    *stats = ((Peer *) self->peers->pdata[peer])->stats;
}

static gboolean
ntpac_tcp_remote_transport_generate_keys (NtpacTransport  *transport,
                                          gchar          **public_key,
                                          gchar          **secret_key,
                                          GError         **error)
{
  gchar public[NTPAC_TCP_REMOTE_KEY_LENGTH + 1], secret[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];

  if (zmq_curve_keypair (public, secret) != 0)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
                   _("Cannot make a key pair: %s (libzmq built without CURVE?)"), zmq_strerror (zmq_errno ()));
      return FALSE;
    }
  *public_key = g_strdup (public);
  *secret_key = g_strdup (secret);
  return TRUE;
}

/* Between threads of one process this transport is not used: the local
 * one is. */
static gboolean
ntpac_tcp_remote_transport_open (NtpacTransport             *transport,
                                 guint                       n_targets,
                                 NtpacTransportDeliverFunc   deliver,
                                 gpointer                    user_data,
                                 GError                    **error)
{
  g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
               _("tcp-remote carries frames between processes (run --connect or --listen); "
                 "inside one process batches go by the local transport"));
  return FALSE;
}

static gboolean
ntpac_tcp_remote_transport_send (NtpacTransport  *transport,
                                 NtpacBatch      *batch,
                                 GError         **error)
{
  return ntpac_tcp_remote_transport_open (transport, 0, NULL, NULL, error);
}

static void
ntpac_tcp_remote_transport_close (NtpacTransport *transport)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  Inbound *in;

  while ((in = g_queue_pop_head (&self->inbox)) != NULL)
    {
      g_bytes_unref (in->bytes);
      g_free (in);
    }
  for (guint i = 0; self->peers != NULL && i < self->peers->len; i++)
    if (self->peers->pdata[i] != NULL)
      peer_close (self->peers->pdata[i]);
  if (self->router_source != NULL)
    {
      g_source_destroy (self->router_source);
      g_clear_pointer (&self->router_source, g_source_unref);
    }
  if (self->router_monitor_source != NULL)
    {
      g_source_destroy (self->router_monitor_source);
      g_clear_pointer (&self->router_monitor_source, g_source_unref);
    }
  if (self->router_monitor != NULL)
    zmq_close (g_steal_pointer (&self->router_monitor));
  if (self->router != NULL)
    zmq_close (g_steal_pointer (&self->router));
  g_clear_pointer (&self->zap, ntpac_tcp_remote_zap_free);
  if (self->zctx != NULL)
    {
      /* Waits, up to each socket's linger, for messages still leaving. */
      zmq_ctx_term (self->zctx);
      self->zctx = NULL;
    }
  g_clear_pointer (&self->ctx, g_main_context_unref);
}

/* ---- GObject ---------------------------------------------------------- */

static void
ntpac_tcp_remote_transport_finalize (GObject *object)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (object);

  ntpac_tcp_remote_transport_close (NTPAC_TRANSPORT (self));
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_clear_pointer (&self->by_routing_id, g_hash_table_unref);
  g_free (self->router_endpoint);
  g_free (self->secret_key_file);
  g_free (self->server_key_file);
  g_strfreev (self->server_key_files);
  g_free (self->clients_dir);
  G_OBJECT_CLASS (ntpac_tcp_remote_transport_parent_class)->finalize (object);
}

static void
ntpac_tcp_remote_transport_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SECRET_KEY_FILE:
      g_free (self->secret_key_file);
      self->secret_key_file = g_value_dup_string (value);
      break;
    case PROP_SERVER_KEY_FILE:
      g_free (self->server_key_file);
      self->server_key_file = g_value_dup_string (value);
      break;
    case PROP_SERVER_KEY_FILES:
      g_strfreev (self->server_key_files);
      self->server_key_files = g_value_dup_boxed (value);
      break;
    case PROP_CLIENTS_DIR:
      g_free (self->clients_dir);
      self->clients_dir = g_value_dup_string (value);
      break;
    case PROP_INSECURE:
      self->insecure = g_value_get_boolean (value);
      break;
    case PROP_CREDITS:
      self->credits = g_value_get_uint (value);
      break;
    case PROP_HEARTBEAT_TIMEOUT:
      self->heartbeat_timeout_s = g_value_get_double (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout_s = g_value_get_double (value);
      break;
    case PROP_MANY_PEERS:
      self->many_peers = g_value_get_boolean (value);
      break;
    case PROP_QUERY_CLIENT:
      self->query_client = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ntpac_tcp_remote_transport_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SECRET_KEY_FILE:
      g_value_set_string (value, self->secret_key_file);
      break;
    case PROP_SERVER_KEY_FILE:
      g_value_set_string (value, self->server_key_file);
      break;
    case PROP_SERVER_KEY_FILES:
      g_value_set_boxed (value, self->server_key_files);
      break;
    case PROP_CLIENTS_DIR:
      g_value_set_string (value, self->clients_dir);
      break;
    case PROP_INSECURE:
      g_value_set_boolean (value, self->insecure);
      break;
    case PROP_CREDITS:
      g_value_set_uint (value, self->credits);
      break;
    case PROP_HEARTBEAT_TIMEOUT:
      g_value_set_double (value, self->heartbeat_timeout_s);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_double (value, self->connect_timeout_s);
      break;
    case PROP_MANY_PEERS:
      g_value_set_boolean (value, self->many_peers);
      break;
    case PROP_QUERY_CLIENT:
      g_value_set_boolean (value, self->query_client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ntpac_tcp_remote_transport_class_init (NtpacTcpRemoteTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  NtpacTransportClass *transport_class = NTPAC_TRANSPORT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ntpac_tcp_remote_transport_finalize;
  object_class->set_property = ntpac_tcp_remote_transport_set_property;
  object_class->get_property = ntpac_tcp_remote_transport_get_property;
  transport_class->open = ntpac_tcp_remote_transport_open;
  transport_class->send = ntpac_tcp_remote_transport_send;
  transport_class->close = ntpac_tcp_remote_transport_close;
  transport_class->connect_peers = ntpac_tcp_remote_transport_connect_peers;
  transport_class->listen = ntpac_tcp_remote_transport_listen;
  transport_class->send_message = ntpac_tcp_remote_transport_send_message;
  transport_class->receive_message = ntpac_tcp_remote_transport_receive_message;
  transport_class->get_peer_stats = ntpac_tcp_remote_transport_get_peer_stats;
  transport_class->generate_keys = ntpac_tcp_remote_transport_generate_keys;
  transport_class->can_send = ntpac_tcp_remote_transport_can_send;

  properties[PROP_SECRET_KEY_FILE] =
    g_param_spec_string ("curve-secret-key-file", "Secret key file",
                         "This node's CURVE secret key (ntpac-engine keygen)", NULL, flags);
  properties[PROP_SERVER_KEY_FILE] =
    g_param_spec_string ("curve-server-key-file", "Server key file",
                         "Balancer: the reassemblers' public key, one for all", NULL, flags);
  properties[PROP_SERVER_KEY_FILES] =
    g_param_spec_boxed ("curve-server-key-files", "Server key files",
                        "Balancer: each reassembler's public key, in the order of the endpoints",
                        G_TYPE_STRV, flags);
  properties[PROP_CLIENTS_DIR] =
    g_param_spec_string ("curve-clients-dir", "Allowed balancers",
                         "Reassembler: folder of the balancers' public keys (NAME.pub) allowed in", NULL, flags);
  properties[PROP_INSECURE] =
    g_param_spec_boolean ("insecure", "Insecure",
                          "No authentication nor encryption (loopback addresses only)", FALSE, flags);
  properties[PROP_CREDITS] =
    g_param_spec_uint ("credits", "Credits",
                       "Batches a reassembler accepts before the balancer waits", 1, MAX_CREDITS,
                       DEFAULT_CREDITS, flags);
  properties[PROP_HEARTBEAT_TIMEOUT] =
    g_param_spec_double ("heartbeat-timeout", "Heartbeat timeout",
                         "Seconds without an answer after which a peer is taken for gone", 1.0, 3600.0, 10.0, flags);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_double ("connect-timeout", "Connect timeout",
                         "Seconds the balancer waits for every reassembler to answer", 0.1, 3600.0, 30.0, flags);
  properties[PROP_MANY_PEERS] =
    g_param_spec_boolean ("many-peers", "Many peers",
                          "Listening: any number of peers at once, each its own (a query agent)", FALSE, flags);
  properties[PROP_QUERY_CLIENT] =
    g_param_spec_boolean ("query-client", "Query client",
                          "Connecting: the peers are query agents (said so in messages)", FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ntpac_tcp_remote_transport_init (NtpacTcpRemoteTransport *self)
{
  g_queue_init (&self->inbox);
  self->accepted_fd = -1;
  self->handshake_said = G_MININT64 / 2;
}
