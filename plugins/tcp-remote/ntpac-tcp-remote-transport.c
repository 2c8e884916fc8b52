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
 *   'H' balancer -> reassembler  hello, payload: protocol version (u32 LE)
 *   'R' reassembler -> balancer  ready, payload: credits granted (u32 LE)
 *   'C' reassembler -> balancer  more credits (u32 LE)
 *   'M' either way               a counted message (a batch): uses a credit
 *   'm' either way               an uncounted message (start, end, done)
 *
 * A reassembler grants a credit back each time the core releases a
 * batch it was given, so the balancer never has more batches in flight to
 * one shard than the `credits` setting: a slow or stopped reassembler
 * makes the balancer wait, nothing is dropped. Peers are authenticated
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
  gint            owed_credits;    /* atomic: batches released, credit not sent yet */
  gint            outstanding;     /* atomic: batches received, not released */
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
  guint                    credits;
  gboolean                 ready;
  gboolean                 connected;
  GError                  *failure;
  gboolean                 failure_reported;
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

static void
peer_free (gpointer data)
{
  Peer *p = data;

  /* Nothing more can reach a peer that failed: do not wait for it. */
  if (p->failure != NULL && p->socket != NULL)
    set_int (p->socket, ZMQ_LINGER, 0);
  if (p->source != NULL)
    {
      g_source_destroy (p->source);
      g_source_unref (p->source);
    }
  if (p->monitor_source != NULL)
    {
      g_source_destroy (p->monitor_source);
      g_source_unref (p->monitor_source);
    }
  if (p->monitor != NULL)
    zmq_close (p->monitor);
  if (p->socket != NULL)
    zmq_close (p->socket);
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

  if (zmq_send (p->socket, &kind, 1, ZMQ_SNDMORE) != 1)
    goto failed;
  if (len == 0)
    {
      if (zmq_send (p->socket, "", 0, 0) != 0)
        goto failed;
    }
  else
    {
      zmq_msg_init_data (&msg, (gpointer) data, len, release_payload, g_bytes_ref (payload));
      if (zmq_msg_send (&msg, p->socket, 0) < 0)
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
  NtpacTcpRemoteTransport *self;
  gboolean                 counted;
} HeldMessage;

/* A received message's bytes are released: its credit goes back to the
 * balancer with the next receive. May run on any thread. */
static void
held_message_free (gpointer data)
{
  HeldMessage *h = data;

  if (h->counted)
    {
      g_atomic_int_inc (&h->self->owed_credits);
      g_atomic_int_add (&h->self->outstanding, -1);
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
          if (payload_u32 (body) != PROTOCOL_VERSION)
            {
              g_warning (_("A balancer speaking version %u of the tcp-remote protocol was ignored (this is version %u)"),
                         payload_u32 (body), PROTOCOL_VERSION);
              break;
            }
          p->ready = TRUE;
          if (!peer_send_u32 (p, 'R', self->credits, &error))
            g_warning ("%s", error->message);
        }
      break;
    case 'R':
    case 'C':
      if (!self->receiving)
        {
          p->credits = MIN (p->credits + MIN (payload_u32 (body), MAX_CREDITS), MAX_CREDITS);
          if (kind == 'R')
            p->ready = TRUE;
        }
      break;
    case 'M':
    case 'm':
      {
        HeldMessage *h;
        Inbound *in;

        if (self->receiving && !p->ready)
          break;   /* nothing counts before the hello */
        if (kind == 'M' && self->receiving &&
            g_atomic_int_get (&self->outstanding) >= (gint) self->credits)
          {
            peer_fail (p, NTPAC_TRANSPORT_ERROR_FAILED,
                       _("The balancer sent more batches than the %u it was allowed: it does not follow the protocol"),
                       self->credits);
            break;
          }
        h = g_new0 (HeldMessage, 1);
        zmq_msg_init (&h->msg);
        zmq_msg_move (&h->msg, body);
        h->self = g_object_ref (self);
        h->counted = kind == 'M' && self->receiving;
        if (h->counted)
          g_atomic_int_inc (&self->outstanding);
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
      else if (!self->receiving && p->connected)
        peer_fail (p, NTPAC_TRANSPORT_ERROR_PEER_GONE,
                   _("Shard %u (%s) closed the connection or stopped answering for %g s: "
                     "its reassembler stopped or was killed"), p->index, p->endpoint, self->heartbeat_timeout_s);
      break;
    default:
      break;
    }
}

static gboolean
monitor_drain (gpointer data)
{
  Peer *p = data;

  for (;;)
    {
      zmq_msg_t ev;
      guint16 event = 0;
      guint32 value = 0;

      zmq_msg_init (&ev);
      if (zmq_msg_recv (&ev, p->monitor, ZMQ_DONTWAIT) < 0)
        {
          zmq_msg_close (&ev);
          break;
        }
      if (zmq_msg_size (&ev) >= 6)
        {
          const guint8 *b = zmq_msg_data (&ev);

          event = (guint16) (b[0] | (b[1] << 8));
          memcpy (&value, b + 2, 4);
          value = GUINT32_FROM_LE (value);
        }
      zmq_msg_close (&ev);
      discard_rest (p->monitor);
      handle_event (p, event, value);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
set_int (void     *socket,
         gint      option,
         gint      value)
{
  return zmq_setsockopt (socket, option, &value, sizeof value) == 0;
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
  gint timeout_ms = (gint) MIN (self->heartbeat_timeout_s * 1000.0, G_MAXINT / 2);

  p->self = self;
  p->index = index;
  p->endpoint = g_strdup (endpoint);
  p->socket = zmq_socket (self->zctx, ZMQ_DEALER);
  set_int (p->socket, ZMQ_LINGER, timeout_ms);
  set_int (p->socket, ZMQ_SNDHWM, 4 * MAX_CREDITS);
  set_int (p->socket, ZMQ_RCVHWM, 4 * MAX_CREDITS);
  set_int (p->socket, ZMQ_SNDTIMEO, timeout_ms);
  set_int (p->socket, ZMQ_HEARTBEAT_IVL, HEARTBEAT_IVL_MS);
  set_int (p->socket, ZMQ_HEARTBEAT_TIMEOUT, timeout_ms);
  zmq_socket_monitor (p->socket, monitor_address,
                      ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                      ZMQ_EVENT_DISCONNECTED);
  p->monitor = zmq_socket (self->zctx, ZMQ_PAIR);
  zmq_connect (p->monitor, monitor_address);
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
      if (!peer_send_u32 (p, 'H', PROTOCOL_VERSION, error))
        return FALSE;
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

  if (self->peers == NULL || peer >= self->peers->len)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                   _("No peer %u: the transport is not connected to it"), peer);
      return FALSE;
    }
  p = self->peers->pdata[peer];
  /* What arrived meanwhile (credits, a peer gone) is seen first. */
  g_main_context_iteration (self->ctx, FALSE);
  if (counted && !self->receiving && p->credits == 0 && p->failure == NULL)
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
  if (counted && !self->receiving)
    p->credits--;
  return TRUE;
}

/* ---- the reassembler's side ------------------------------------------- */

static gboolean
ntpac_tcp_remote_transport_listen (NtpacTransport  *transport,
                                   const gchar     *endpoint,
                                   GError         **error)
{
  NtpacTcpRemoteTransport *self = NTPAC_TCP_REMOTE_TRANSPORT (transport);
  gchar secret[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];
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
  p = peer_new (self, 0, endpoint);
  g_ptr_array_add (self->peers, p);
  if (!self->insecure)
    {
      set_int (p->socket, ZMQ_CURVE_SERVER, 1);
      zmq_setsockopt (p->socket, ZMQ_CURVE_SECRETKEY, secret, NTPAC_TCP_REMOTE_KEY_LENGTH);
    }
  if (zmq_bind (p->socket, endpoint) != 0)
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

      if (p->failure != NULL && !p->failure_reported)
        return TRUE;
    }
  return FALSE;
}

static void
send_owed_credits (NtpacTcpRemoteTransport *self)
{
  Peer *p;
  gint owed;
  g_autoptr(GError) error = NULL;

  if (!self->receiving || self->peers->len == 0)
    return;
  p = self->peers->pdata[0];
  if (!p->ready || p->failure != NULL)
    return;
  owed = g_atomic_int_and (&self->owed_credits, 0);
  if (owed > 0 && !peer_send_u32 (p, 'C', (guint32) owed, &error))
    g_warning ("%s", error->message);
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
    peer_drain (self->peers->pdata[i]);
  in = g_queue_pop_head (&self->inbox);
  if (in == NULL)
    {
      for (guint i = 0; i < self->peers->len; i++)
        {
          Peer *p = self->peers->pdata[i];

          if (p->failure != NULL && !p->failure_reported)
            {
              p->failure_reported = TRUE;
              if (peer != NULL)
                *peer = i;
              g_propagate_error (error, g_error_copy (p->failure));
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

  if (self->peers != NULL && peer < self->peers->len)
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
  g_clear_pointer (&self->peers, g_ptr_array_unref);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ntpac_tcp_remote_transport_init (NtpacTcpRemoteTransport *self)
{
  g_queue_init (&self->inbox);
  self->accepted_fd = -1;
  self->handshake_said = G_MININT64 / 2;
}
