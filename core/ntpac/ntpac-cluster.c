/* ntpac-cluster.c: a cluster's balancer, and its reassemblers' source of
 * frames
 *
 * The balancer reads the inputs, decodes each frame as far as the flow
 * hash needs (reassembling IP fragments, looking into tunnels, as a
 * single run does) and sends the raw frame, with its provenance, to the
 * shard that owns its flow: `hash mod N`, the same rule as `run --shard`.
 * Frames without a TCP or UDP flow go to shard 0. The fragments of a
 * datagram are held until it is complete, then all go to its flow's
 * shard, which reassembles them again; fragments whose datagram never
 * completes go to shard 0 once they would have timed out. Each
 * reassembler decodes, tracks, dissects and stores its frames as a
 * single run would, so the union of the shards is what one process
 * would have stored.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "ntpac-cluster-private.h"
#include "ntpac-error.h"
#include "ntpac-flow-hash.h"
#include "ntpac-wire-private.h"

/* Frames between two looks at the clock and the stop flag. */
#define CHECK_FRAMES 4096
/* How long one wait for a message lasts before signals are looked at. */
#define WAIT_SLICE_US (250 * 1000)

const gchar *
ntpac_shard_state_to_string (NtpacShardState state)
{
  switch (state)
    {
    case NTPAC_SHARD_COMPLETE:
      return "complete";
    case NTPAC_SHARD_INTERRUPTED:
      return "interrupted";
    case NTPAC_SHARD_FAILED:
      return "failed";
    case NTPAC_SHARD_PENDING:
    default:
      return "pending";
    }
}

/* Signal sources of the calling thread's context (the command line's
 * SIGINT and SIGTERM) run while the cluster waits on the network. */
static void
dispatch_signals (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- the balancer ----------------------------------------------------- */

typedef struct
{
  NtpacFrame  frame;      /* data points into the copy below */
  guint8     *bytes;
  GList      *link;       /* in held_order */
} HeldFrame;

struct _NtpacBalancer
{
  NtpacCapture           *capture;
  NtpacDecoder           *decoder;
  NtpacDecoderConfig      decoder_config;
  NtpacTransport         *transport;
  gchar                 **endpoints;
  NtpacWireWriter        *writers;     /* per shard; bytes NULL when empty */
  guint64                *seq;         /* next batch number, per shard */
  NtpacBalancerStats      stats;
  gint                    stop_requested;  /* atomic */
  void                  (*progress) (guint64 done, guint64 total, gpointer data);
  gpointer                progress_data;

  GHashTable             *held;        /* frame key -> HeldFrame */
  GQueue                  held_order;  /* HeldFrame, oldest first */
  gsize                   held_bytes;
};

static guint64
frame_key (const NtpacFrameRef *ref)
{
  return ((guint64) ref->input << 40) ^ ref->number;
}

static void
held_frame_free (gpointer data)
{
  HeldFrame *h = data;

  g_free (h->bytes);
  g_free (h);
}

/**
 * ntpac_balancer_new:
 * @inputs: (array zero-terminated=1): capture files, folders or "-"
 * @capture_flags: #NtpacCaptureFlags
 * @decoder: (nullable): decoder settings (fragment timeout and memory)
 * @transport: a remote transport, not yet connected
 * @endpoints: (array zero-terminated=1): the reassemblers, in shard order
 *
 * Returns: (transfer full): a balancer ready to run
 */
NtpacBalancer *
ntpac_balancer_new (const gchar * const      *inputs,
                    NtpacCaptureFlags         capture_flags,
                    const NtpacDecoderConfig *decoder,
                    NtpacTransport           *transport,
                    const gchar * const      *endpoints)
{
  NtpacBalancer *self = g_new0 (NtpacBalancer, 1);
  guint n = g_strv_length ((gchar **) endpoints);

  self->capture = ntpac_capture_new (inputs, capture_flags);
  if (decoder != NULL)
    self->decoder_config = *decoder;
  else
    ntpac_decoder_config_init (&self->decoder_config);
  self->decoder = ntpac_decoder_new (&self->decoder_config);
  self->transport = g_object_ref (transport);
  self->endpoints = g_strdupv ((gchar **) endpoints);
  self->writers = g_new0 (NtpacWireWriter, n);
  self->seq = g_new0 (guint64, n);
  self->stats.n_shards = n;
  self->stats.shards = g_new0 (NtpacShardStats, n);
  for (guint i = 0; i < n; i++)
    self->stats.shards[i].endpoint = self->endpoints[i];
  self->held = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, held_frame_free);
  g_queue_init (&self->held_order);
  return self;
}

void
ntpac_balancer_free (NtpacBalancer *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->stats.n_shards; i++)
    {
      ntpac_wire_writer_clear (&self->writers[i]);
      g_free (self->stats.shards[i].message);
    }
  g_queue_clear (&self->held_order);
  g_hash_table_unref (self->held);
  g_free (self->writers);
  g_free (self->seq);
  g_free (self->stats.shards);
  g_clear_error (&self->stats.error);
  g_strfreev (self->endpoints);
  g_object_unref (self->transport);
  ntpac_decoder_free (self->decoder);
  ntpac_capture_free (self->capture);
  g_free (self);
}

void
ntpac_balancer_set_progress (NtpacBalancer *self,
                             void         (*progress) (guint64, guint64, gpointer),
                             gpointer       data)
{
  self->progress = progress;
  self->progress_data = data;
}

/* May be called from a signal handler's source or another thread. */
void
ntpac_balancer_stop (NtpacBalancer *self)
{
  g_atomic_int_set (&self->stop_requested, 1);
}

NtpacCapture *
ntpac_balancer_get_capture (NtpacBalancer *self)
{
  return self->capture;
}

const NtpacBalancerStats *
ntpac_balancer_get_stats (NtpacBalancer *self)
{
  return &self->stats;
}

/* The transport's counters, kept: they go with the transport's close. */
static void
take_transport_stats (NtpacBalancer *self)
{
  for (guint i = 0; i < self->stats.n_shards; i++)
    ntpac_transport_get_peer_stats (self->transport, i, &self->stats.shards[i].transport);
}

/* The first failure is the run's; the shard it names is failed. */
static void
shard_failed (NtpacBalancer *self,
              guint          shard,
              GError        *error)
{
  NtpacShardStats *s = &self->stats.shards[shard];

  s->state = NTPAC_SHARD_FAILED;
  if (s->message == NULL)
    s->message = g_strdup (error->message);
  if (self->stats.error == NULL)
    self->stats.error = error;
  else
    g_error_free (error);
}

static gboolean
send_to (NtpacBalancer *self,
         guint          shard,
         GBytes        *message,
         gboolean       counted)
{
  GError *error = NULL;

  if (self->stats.shards[shard].state == NTPAC_SHARD_FAILED)
    return FALSE;
  if (!ntpac_transport_send_message (self->transport, shard, message, counted, &error))
    {
      shard_failed (self, shard, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
flush_shard (NtpacBalancer *self,
             guint          shard)
{
  NtpacWireWriter *w = &self->writers[shard];
  g_autoptr(GBytes) message = NULL;

  if (w->bytes == NULL)
    return TRUE;
  self->stats.shards[shard].batches++;
  message = ntpac_wire_writer_finish (w);
  return send_to (self, shard, message, TRUE);
}

static gboolean
send_frame (NtpacBalancer    *self,
            guint             shard,
            const NtpacFrame *frame)
{
  NtpacWireWriter *w = &self->writers[shard];

  if (self->stats.shards[shard].state == NTPAC_SHARD_FAILED)
    return FALSE;
  if (w->bytes == NULL)
    ntpac_wire_writer_init (w, NTPAC_WIRE_FRAMES, shard, self->stats.n_shards, self->seq[shard]++, 0);
  ntpac_wire_writer_add_frame (w, frame);
  self->stats.shards[shard].frames++;
  if (ntpac_wire_writer_get_size (w) >= NTPAC_CLUSTER_BATCH_BYTES || w->count >= NTPAC_CLUSTER_BATCH_FRAMES)
    return flush_shard (self, shard);
  return TRUE;
}

static void
hold_fragment (NtpacBalancer    *self,
               const NtpacFrame *frame)
{
  HeldFrame *h = g_new0 (HeldFrame, 1);
  gint64 *key = g_new (gint64, 1);

  h->frame = *frame;
  h->bytes = g_memdup2 (frame->data, frame->caplen);
  h->frame.data = h->bytes;
  *key = (gint64) frame_key (&frame->ref);
  g_queue_push_tail (&self->held_order, h);
  h->link = self->held_order.tail;
  g_hash_table_replace (self->held, key, h);
  self->held_bytes += frame->caplen;
  self->stats.fragments_held++;
}

/* Sends the held frame @ref to @shard, and forgets it. */
static gboolean
release_fragment (NtpacBalancer       *self,
                  const NtpacFrameRef *ref,
                  guint                shard)
{
  gint64 key = (gint64) frame_key (ref);
  HeldFrame *h = g_hash_table_lookup (self->held, &key);
  gboolean ok;

  if (h == NULL)
    return TRUE;
  ok = send_frame (self, shard, &h->frame);
  g_queue_delete_link (&self->held_order, h->link);
  self->held_bytes -= h->frame.caplen;
  g_hash_table_remove (self->held, &key);
  return ok;
}

/* Fragments whose datagram would have timed out, or beyond the memory
 * the decoder may use for them, go to shard 0, which times them out as a
 * single run would have. */
static gboolean
expire_fragments (NtpacBalancer *self,
                  gint64         now_ns,
                  gboolean       all)
{
  HeldFrame *h;

  while ((h = g_queue_peek_head (&self->held_order)) != NULL &&
         (all || now_ns - h->frame.ts_ns > self->decoder_config.frag_timeout_ns ||
          self->held_bytes > 2 * self->decoder_config.frag_memory_cap))
    {
      NtpacFrameRef ref = h->frame.ref;

      if (!release_fragment (self, &ref, 0))
        return FALSE;
    }
  return TRUE;
}

/* Which shard owns the decoded frame, and sends it there (with the
 * fragments of its datagram first). */
static gboolean
route (NtpacBalancer     *self,
       const NtpacFrame  *frame,
       const NtpacPacket *packet)
{
  guint shard = 0;

  if (packet->transport == NTPAC_TRANSPORT_TCP || packet->transport == NTPAC_TRANSPORT_UDP)
    {
      NtpacFlowKey key;

      ntpac_flow_key_from_tuple (&key, &packet->tuple);
      shard = ntpac_flow_hash_node (ntpac_flow_hash (&key), self->stats.n_shards);
    }
  for (guint i = 0; i < packet->n_fragments; i++)
    if (packet->fragments[i].input != frame->ref.input || packet->fragments[i].number != frame->ref.number)
      if (!release_fragment (self, &packet->fragments[i], shard))
        return FALSE;
  return send_frame (self, shard, frame);
}

static GBytes *
inputs_message (NtpacBalancer *self,
                NtpacWireType  type,
                guint          shard,
                guint32        flags)
{
  NtpacWireWriter w;
  guint n = ntpac_capture_get_n_inputs (self->capture);

  ntpac_wire_writer_init (&w, type, shard, self->stats.n_shards, 0, flags);
  for (guint i = 0; i < n; i++)
    ntpac_wire_writer_add_input (&w, ntpac_capture_get_input (self->capture, i));
  return ntpac_wire_writer_finish (&w);
}

static void
send_to_all (NtpacBalancer *self,
             NtpacWireType  type,
             guint32        flags,
             const gchar   *text)
{
  for (guint i = 0; i < self->stats.n_shards; i++)
    {
      g_autoptr(GBytes) message = NULL;

      if (self->stats.shards[i].state != NTPAC_SHARD_PENDING)
        continue;
      if (type == NTPAC_WIRE_INPUTS || type == NTPAC_WIRE_END)
        message = inputs_message (self, type, i, flags);
      else
        {
          NtpacWireWriter w;

          ntpac_wire_writer_init (&w, type, i, self->stats.n_shards, 0, flags);
          if (type == NTPAC_WIRE_HELLO)
            ntpac_wire_writer_set_count (&w, NTPAC_FLOW_HASH_VERSION);
          else
            ntpac_wire_writer_add_string (&w, text);
          message = ntpac_wire_writer_finish (&w);
        }
      send_to (self, i, message, FALSE);
    }
}

static gboolean
any_pending (NtpacBalancer *self)
{
  for (guint i = 0; i < self->stats.n_shards; i++)
    if (self->stats.shards[i].state == NTPAC_SHARD_PENDING)
      return TRUE;
  return FALSE;
}

static void
read_done (NtpacBalancer          *self,
           guint                   shard,
           const NtpacWireMessage *m)
{
  NtpacShardStats *s = &self->stats.shards[shard];
  NtpacWireReader r;
  guint64 frames = 0, conversations = 0;
  g_autofree gchar *message = NULL;
  g_autoptr(GError) error = NULL;

  ntpac_wire_reader_init (&r, m);
  if (!ntpac_wire_reader_u64 (&r, &frames, &error) || !ntpac_wire_reader_u64 (&r, &conversations, &error) ||
      !ntpac_wire_reader_string (&r, &message, &error))
    {
      shard_failed (self, shard, g_error_new (NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                                              _("Shard %u (%s) answered: %s"), shard, s->endpoint, error->message));
      return;
    }
  s->conversations = conversations;
  if (m->flags & NTPAC_WIRE_FLAG_FAILED)
    shard_failed (self, shard, g_error_new (NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                                            _("Shard %u (%s) failed: %s"), shard, s->endpoint,
                                            message != NULL ? message : _("no reason given")));
  else if (m->flags & NTPAC_WIRE_FLAG_INTERRUPTED)
    {
      s->state = NTPAC_SHARD_INTERRUPTED;
      s->message = g_steal_pointer (&message);
    }
  else if (frames != s->frames)
    shard_failed (self, shard, g_error_new (NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                                            _("Shard %u (%s) received %" PRIu64 " frames of the %"
                                              PRIu64 " sent"), shard, s->endpoint, frames, s->frames));
  else
    s->state = NTPAC_SHARD_COMPLETE;
}

/* Every shard's answer, or its failure. A second stop request stops
 * waiting: what the shards did not say is unknown. */
static void
wait_for_shards (NtpacBalancer *self)
{
  /* A stop request that ended the reading is spent: another one stops
   * the waiting. */
  g_atomic_int_set (&self->stop_requested, 0);
  while (any_pending (self) && !g_atomic_int_get (&self->stop_requested))
    {
      GError *error = NULL;
      guint peer = 0;
      g_autoptr(GBytes) bytes = ntpac_transport_receive_message (self->transport, &peer, WAIT_SLICE_US, &error);
      NtpacWireMessage m;

      dispatch_signals ();
      if (bytes == NULL)
        {
          /* A shard that answered may close before the others do. */
          if (error != NULL && peer < self->stats.n_shards &&
              self->stats.shards[peer].state == NTPAC_SHARD_PENDING)
            shard_failed (self, peer, error);
          else
            g_clear_error (&error);
          continue;
        }
      if (peer >= self->stats.n_shards)
        continue;
      if (!ntpac_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &m, &error) ||
          m.type != NTPAC_WIRE_DONE)
        {
          if (error == NULL)
            error = g_error_new (NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                                 _("Shard %u sent a message other than its answer"), peer);
          shard_failed (self, peer, error);
          continue;
        }
      if (self->stats.shards[peer].state == NTPAC_SHARD_PENDING)
        read_done (self, peer, &m);
    }
}

/**
 * ntpac_balancer_run:
 * @self: a balancer
 *
 * Connects to every shard, sends each its frames, then the end, and
 * waits until every shard has said whether it stored them. A shard that
 * fails stops the run: the others are told to stop and store what they
 * have. The outcome is in ntpac_balancer_get_stats().
 */
void
ntpac_balancer_run (NtpacBalancer *self)
{
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;
  NtpacFrame frame;
  NtpacPacket packet;
  guint countdown = CHECK_FRAMES;
  gboolean ok = TRUE;

  if (!ntpac_transport_connect_peers (self->transport, (const gchar * const *) self->endpoints, &error))
    {
      /* The shards that did answer are told not to wait for a run. */
      send_to_all (self, NTPAC_WIRE_ABORT, 0, error->message);
      for (guint i = 0; i < self->stats.n_shards; i++)
        self->stats.shards[i].state = NTPAC_SHARD_FAILED;
      self->stats.error = error;
      take_transport_stats (self);
      self->stats.elapsed_ns = (g_get_monotonic_time () - start) * 1000;
      return;
    }
  send_to_all (self, NTPAC_WIRE_HELLO, 0, NULL);
  send_to_all (self, NTPAC_WIRE_INPUTS, 0, NULL);

  while (ok && self->stats.error == NULL && ntpac_capture_next (self->capture, &frame))
    {
      self->stats.frames_read++;
      if (ntpac_decoder_decode (self->decoder, &frame, &packet))
        ok = route (self, &frame, &packet);
      else
        hold_fragment (self, &frame);
      ntpac_packet_clear (&packet);
      if (ok && self->held_order.length > 0)
        ok = expire_fragments (self, frame.ts_ns, FALSE);
      if (--countdown == 0)
        {
          countdown = CHECK_FRAMES;
          if (self->progress != NULL)
            self->progress (ntpac_capture_get_bytes_read (self->capture),
                            ntpac_capture_get_total_size (self->capture), self->progress_data);
          dispatch_signals ();
          if (g_atomic_int_get (&self->stop_requested))
            {
              self->stats.interrupted = TRUE;
              break;
            }
        }
    }
  if (self->stats.error == NULL)
    {
      expire_fragments (self, G_MAXINT64, TRUE);
      for (guint i = 0; i < self->stats.n_shards; i++)
        flush_shard (self, i);
    }
  ntpac_capture_wait_hashes (self->capture);
  if (self->stats.error != NULL)
    send_to_all (self, NTPAC_WIRE_ABORT, 0, self->stats.error->message);
  else
    send_to_all (self, NTPAC_WIRE_END, self->stats.interrupted ? NTPAC_WIRE_FLAG_INTERRUPTED : 0, NULL);
  wait_for_shards (self);
  take_transport_stats (self);
  self->stats.decode = *ntpac_decoder_get_stats (self->decoder);
  self->stats.elapsed_ns = (g_get_monotonic_time () - start) * 1000;
}

/* ---- a reassembler's source of frames ---------------------------------- */

struct _NtpacClusterSource
{
  NtpacTransport  *transport;
  guint            node;
  guint            n_nodes;
  GPtrArray       *inputs;          /* NtpacInput */
  GBytes          *current;         /* the batch being read */
  NtpacWireMessage message;
  NtpacWireReader  reader;
  guint64          next_seq;
  guint64          frames;
  guint64          malformed_batches;
  gboolean         ended;
  gboolean         interrupted;
  gboolean         balancer_gone;
  GError          *error;
  gint             stop_requested;  /* atomic */
};

static void
input_free (gpointer data)
{
  NtpacInput *input = data;

  ntpac_wire_input_clear (input);
  g_free (input);
}

NtpacClusterSource *
ntpac_cluster_source_new (NtpacTransport *transport,
                          guint           node,
                          guint           n_nodes)
{
  NtpacClusterSource *self = g_new0 (NtpacClusterSource, 1);

  self->transport = g_object_ref (transport);
  self->node = node;
  self->n_nodes = n_nodes;
  self->inputs = g_ptr_array_new_with_free_func (input_free);
  return self;
}

void
ntpac_cluster_source_free (NtpacClusterSource *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->current, g_bytes_unref);
  g_ptr_array_unref (self->inputs);
  g_clear_error (&self->error);
  g_object_unref (self->transport);
  g_free (self);
}

void
ntpac_cluster_source_stop (NtpacClusterSource *self)
{
  g_atomic_int_set (&self->stop_requested, 1);
}

const GError *
ntpac_cluster_source_get_error (NtpacClusterSource *self)
{
  return self->error;
}

guint64
ntpac_cluster_source_get_frames (NtpacClusterSource *self)
{
  return self->frames;
}

/* The next message from the balancer, parsed; NULL when the run cannot
 * go on (stopped, the balancer gone): @self->error says why. */
static GBytes *
receive (NtpacClusterSource *self,
         NtpacWireMessage   *m)
{
  for (;;)
    {
      GError *error = NULL;
      GBytes *bytes;

      if (g_atomic_int_get (&self->stop_requested))
        {
          self->interrupted = TRUE;
          return NULL;
        }
      bytes = ntpac_transport_receive_message (self->transport, NULL, WAIT_SLICE_US, &error);
      dispatch_signals ();
      if (bytes == NULL && error != NULL)
        {
          self->interrupted = TRUE;
          self->balancer_gone = TRUE;
          if (self->error == NULL)
            self->error = error;
          else
            g_error_free (error);
          return NULL;
        }
      if (bytes == NULL)
        continue;
      if (!ntpac_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), m, &error))
        {
          self->malformed_batches++;
          g_warning (_("A message from the balancer was refused: %s"), error->message);
          g_error_free (error);
          g_bytes_unref (bytes);
          continue;
        }
      return bytes;
    }
}

static gboolean
read_inputs (NtpacClusterSource     *self,
             const NtpacWireMessage *m,
             GError                **error)
{
  NtpacWireReader r;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (input_free);
  NtpacInput input;

  ntpac_wire_reader_init (&r, m);
  while (ntpac_wire_reader_next_input (&r, &input, error))
    {
      if (input.id != inputs->len)
        {
          ntpac_wire_input_clear (&input);
          g_set_error (error, NTPAC_WIRE_ERROR, 0, _("The inputs' records are not numbered in order"));
          return FALSE;
        }
      g_ptr_array_add (inputs, g_memdup2 (&input, sizeof input));
    }
  if (error != NULL && *error != NULL)
    return FALSE;
  if (inputs->len < self->inputs->len)
    {
      g_set_error (error, NTPAC_WIRE_ERROR, 0, _("The balancer's inputs changed during the run"));
      return FALSE;
    }
  g_ptr_array_unref (self->inputs);
  self->inputs = g_steal_pointer (&inputs);
  return TRUE;
}

static void
answer (NtpacClusterSource *self,
        guint32             flags,
        guint64             conversations,
        const gchar        *text)
{
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_DONE, self->node, self->n_nodes, 0, flags);
  ntpac_wire_writer_add_u64 (&w, self->frames);
  ntpac_wire_writer_add_u64 (&w, conversations);
  ntpac_wire_writer_add_string (&w, text);
  message = ntpac_wire_writer_finish (&w);
  if (!ntpac_transport_send_message (self->transport, 0, message, FALSE, &error))
    g_warning ("%s", error->message);
}

/**
 * ntpac_cluster_source_start:
 * @self: a source whose transport listens
 * @error: why the run cannot start
 *
 * Waits for the balancer's hello (this shard, the same number of shards
 * and the same flow hash) and its inputs.
 */
gboolean
ntpac_cluster_source_start (NtpacClusterSource  *self,
                            GError             **error)
{
  NtpacWireMessage m;
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) inputs = NULL;
  g_autofree gchar *refusal = NULL;

  hello = receive (self, &m);
  if (hello == NULL)
    {
      if (self->error != NULL)
        g_propagate_error (error, g_error_copy (self->error));
      else
        g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                     _("Stopped before a balancer started the run"));
      return FALSE;
    }
  if (m.type != NTPAC_WIRE_HELLO)
    refusal = g_strdup (_("the balancer did not start with its hello"));
  else if (m.shard != self->node || m.n_shards != self->n_nodes)
    refusal = g_strdup_printf (_("the balancer sends shard %u of %u to this reassembler, which is node %u of %u"),
                               m.shard, m.n_shards, self->node, self->n_nodes);
  else if (m.count != NTPAC_FLOW_HASH_VERSION)
    refusal = g_strdup_printf (_("the balancer uses flow hash version %u, this engine version %u"),
                               m.count, NTPAC_FLOW_HASH_VERSION);
  if (refusal == NULL)
    {
      inputs = receive (self, &m);
      if (inputs == NULL)
        refusal = g_strdup (_("the balancer went away before naming its inputs"));
      else if (m.type != NTPAC_WIRE_INPUTS)
        refusal = g_strdup (_("the balancer did not name its inputs"));
      else
        {
          g_autoptr(GError) inputs_error = NULL;

          if (!read_inputs (self, &m, &inputs_error))
            refusal = g_strdup (inputs_error->message);
        }
    }
  if (refusal != NULL)
    {
      answer (self, NTPAC_WIRE_FLAG_FAILED, 0, refusal);
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                   _("The run was refused: %s"), refusal);
      return FALSE;
    }
  return TRUE;
}

static gboolean
source_next (gpointer    data,
             NtpacFrame *frame)
{
  NtpacClusterSource *self = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (self->current != NULL)
        {
          if (ntpac_wire_reader_next_frame (&self->reader, frame, &error))
            {
              if (frame->ref.input < self->inputs->len)
                {
                  self->frames++;
                  return TRUE;
                }
              g_set_error (&error, NTPAC_WIRE_ERROR, 0, _("a frame of input %u, which the balancer did not name"),
                           frame->ref.input);
            }
          if (error != NULL)
            {
              /* The rest of a damaged batch is not read; counted, and the
               * run goes on with the next one. */
              self->malformed_batches++;
              g_warning (_("A batch of frames from the balancer was refused: %s"), error->message);
            }
          g_clear_pointer (&self->current, g_bytes_unref);  /* its credit goes back */
        }
      if (self->ended)
        return FALSE;
      self->current = receive (self, &self->message);
      if (self->current == NULL)
        return FALSE;
      switch (self->message.type)
        {
        case NTPAC_WIRE_FRAMES:
          if (self->message.seq != self->next_seq)
            g_warning (_("Batch %" PRIu64 " from the balancer arrived where %" PRIu64
                         " was expected"), self->message.seq, self->next_seq);
          self->next_seq = self->message.seq + 1;
          ntpac_wire_reader_init (&self->reader, &self->message);
          continue;
        case NTPAC_WIRE_END:
          if (!read_inputs (self, &self->message, &error))
            g_warning (_("The balancer's final inputs were refused: %s"), error->message);
          if (self->message.flags & NTPAC_WIRE_FLAG_INTERRUPTED)
            self->interrupted = TRUE;
          self->ended = TRUE;
          g_clear_pointer (&self->current, g_bytes_unref);
          return FALSE;
        case NTPAC_WIRE_ABORT:
          {
            NtpacWireReader r;
            g_autofree gchar *why = NULL;

            ntpac_wire_reader_init (&r, &self->message);
            ntpac_wire_reader_string (&r, &why, NULL);
            self->interrupted = TRUE;
            self->ended = TRUE;
            if (self->error == NULL)
              self->error = g_error_new (NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_FAILED,
                                         _("The balancer stopped the run: %s"),
                                         why != NULL ? why : _("no reason given"));
            g_clear_pointer (&self->current, g_bytes_unref);
            return FALSE;
          }
        default:
          self->malformed_batches++;
          g_warning (_("The balancer sent a message out of place (type %u)"), self->message.type);
          g_clear_pointer (&self->current, g_bytes_unref);
          continue;
        }
    }
}

static guint
source_get_n_inputs (gpointer data)
{
  NtpacClusterSource *self = data;

  return self->inputs->len;
}

static const NtpacInput *
source_get_input (gpointer data,
                  guint    index)
{
  NtpacClusterSource *self = data;

  return index < self->inputs->len ? self->inputs->pdata[index] : NULL;
}

static gboolean
source_interrupted (gpointer data)
{
  NtpacClusterSource *self = data;

  return self->interrupted || g_atomic_int_get (&self->stop_requested);
}

const NtpacFrameSourceFuncs *
ntpac_cluster_source_funcs (void)
{
  static const NtpacFrameSourceFuncs funcs = {
    source_next, source_get_n_inputs, source_get_input, source_interrupted,
  };

  return &funcs;
}

/**
 * ntpac_cluster_source_finish:
 * @self: a source the engine read to its end
 * @stats: the engine's run
 * @store_error: (nullable): why the shard could not be stored
 * @error: why the answer could not be sent
 *
 * Tells the balancer how the shard ended (unless it is gone).
 */
gboolean
ntpac_cluster_source_finish (NtpacClusterSource  *self,
                             const NtpacRunStats *stats,
                             const GError        *store_error,
                             GError             **error)
{
  guint32 flags = 0;
  const gchar *text = NULL;

  if (self->balancer_gone)
    return TRUE;
  if (store_error != NULL)
    {
      flags |= NTPAC_WIRE_FLAG_FAILED;
      text = store_error->message;
    }
  else if (self->interrupted || g_atomic_int_get (&self->stop_requested))
    {
      flags |= NTPAC_WIRE_FLAG_INTERRUPTED;
      text = self->error != NULL ? self->error->message : _("the reassembler was stopped");
    }
  answer (self, flags, stats->conversations[0] + stats->conversations[1], text);
  return TRUE;
}
