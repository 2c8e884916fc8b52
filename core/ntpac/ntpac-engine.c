/* ntpac-engine.c: a whole run, from capture to results
 *
 * The calling thread reads and decodes (IP fragments are reassembled
 * there, before balancing), hashes each TCP/UDP packet's canonical
 * 5-tuple to pick a worker, and appends the packet to that worker's batch;
 * a full batch goes through the transport to the worker's mailbox. Workers
 * run the conversation actors on their own threads and hand L7
 * conversations to the sink. Bounded batch pools make the reader wait for
 * slow workers instead of growing.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-capture-private.h"
#include "ntpac-engine.h"
#include "ntpac-flow-hash.h"
#include "ntpac-dissect-stage-private.h"
#include "ntpac-store-sink-private.h"
#include "ntpac-time.h"
#include "ntpac-worker-private.h"

/* Frames between two looks at the clock for progress. */
#define PROGRESS_CHECK_FRAMES 4096
/* Frames between partial batches sent so every worker's clock moves on. */
#define CLOCK_FRAMES          (1u << 18)
/* Batches in flight per worker. */
#define BATCHES_PER_WORKER    4

struct _NtpacEngine
{
  NtpacEngineConfig  config;
  NtpacCapture      *capture;
  NtpacDecoder      *decoder;
  NtpacRunStats      stats;
  gint               stop_requested;  /* atomic */

  /* conversation tracking */
  guint              n_workers;
  NtpacWorker      **workers;
  NtpacBatchPool   **pools;
  NtpacBatch       **batches;      /* being filled, per worker */
  NtpacTransport    *transport;
  gint64             now_ns;

  /* results go to the caller's sink, the store, or both */
  NtpacStoreSink    *store_sink;
  NtpacDissectStage *dissect;         /* NULL without dissectors */
  NtpacConversationSinkFuncs tee;
  guint64            run;             /* runs stored before this one */
  guint32            first_sequence;  /* of conversation ids, per worker */
  guint64            counts_before[6];  /* meta count.* of earlier runs */

  /* a shard run: the current frame's anomalies wait until its owner is
   * known, and only the owner stores them */
  gboolean           sharded;
  GArray            *frame_anomalies;   /* NtpacAnomaly */
  guint64            foreign_anomalies[NTPAC_ANOMALY_N_CORE_KINDS];
};

/* Counts kept in meta, added up over the runs appended to a database. */
static const gchar * const meta_counts[] = {
  "count.conversations", "count.pdus", "count.frames", "count.anomalies",
  "count.payload_bytes", "count.stored_payload_bytes",
};

void
ntpac_engine_config_init (NtpacEngineConfig *config)
{
  memset (config, 0, sizeof *config);
  config->stage = NTPAC_STAGE_STORE;
  config->compress_payload = TRUE;
  ntpac_decoder_config_init (&config->decoder);
  ntpac_tracking_config_init (&config->tracking);
  config->progress_interval_ms = 250;
}

/* Anomalies, from the reading thread and from workers: to the store and
 * to the caller's hook. Counts come from the decoders' and trackers' own
 * counters. */
static void
report_anomaly (const NtpacAnomaly *anomaly,
                gpointer            user_data)
{
  NtpacEngine *self = user_data;

  if (self->store_sink != NULL)
    ntpac_store_sink_anomaly (anomaly, self->store_sink);
  if (self->config.anomaly != NULL)
    self->config.anomaly (anomaly, self->config.anomaly_data);
}

/* In a shard run, decoding anomalies are held until the frame's owner is
 * known (see keep_frame()). */
static void
hold_decode_anomaly (const NtpacAnomaly *anomaly,
                     gpointer            user_data)
{
  NtpacEngine *self = user_data;

  g_array_append_val (self->frame_anomalies, *anomaly);
}

/* A shard run keeps what its node owns: TCP and UDP packets by their flow
 * hash (of the inner 5-tuple, after reassembly of fragments), and every
 * other frame on node 0, so that each frame's anomalies are stored by
 * exactly one node. Called once the frame is decoded; @packet is NULL for
 * anomalies found outside any frame (the end of the capture). */
static gboolean
keep_frame (NtpacEngine       *self,
            const NtpacPacket *packet,
            gboolean           decoded)
{
  guint owner = 0;
  gboolean is_flow = decoded && packet != NULL &&
                     (packet->transport == NTPAC_TRANSPORT_TCP || packet->transport == NTPAC_TRANSPORT_UDP);

  if (is_flow)
    {
      NtpacFlowKey key;

      ntpac_flow_key_from_tuple (&key, &packet->tuple);
      owner = ntpac_flow_hash_node (ntpac_flow_hash (&key), self->config.n_nodes);
    }
  for (guint i = 0; i < self->frame_anomalies->len; i++)
    {
      const NtpacAnomaly *a = &g_array_index (self->frame_anomalies, NtpacAnomaly, i);

      if (owner == self->config.node)
        report_anomaly (a, self);
      else
        self->foreign_anomalies[a->kind]++;
    }
  g_array_set_size (self->frame_anomalies, 0);
  if (is_flow && owner != self->config.node)
    self->stats.packets_other_shards++;
  return owner == self->config.node;
}

/* Conversations to the dissectors, then to the caller's sink and the
 * store: a dissector's records go before the conversation's own. */
static void
tee_pdu (gpointer                 sink,
         const NtpacConversation *conversation,
         const NtpacPdu          *pdu)
{
  NtpacEngine *self = sink;

  /* Stored first: objects the dissectors find point into stored PDUs. */
  if (self->store_sink != NULL)
    ntpac_store_sink_funcs ()->pdu (self->store_sink, conversation, pdu);
  if (self->dissect != NULL)
    ntpac_dissect_stage_pdu (self->dissect, conversation, pdu);
  if (self->config.sink != NULL && self->config.sink->pdu != NULL)
    self->config.sink->pdu (self->config.sink_data, conversation, pdu);
}

static void
tee_frames (gpointer                 sink,
            const NtpacConversation *conversation,
            const NtpacFrameRef     *frames,
            guint                    n_frames)
{
  NtpacEngine *self = sink;

  if (self->store_sink != NULL)
    ntpac_store_sink_funcs ()->frames (self->store_sink, conversation, frames, n_frames);
  if (self->config.sink != NULL && self->config.sink->frames != NULL)
    self->config.sink->frames (self->config.sink_data, conversation, frames, n_frames);
}

static void
tee_end (gpointer                 sink,
         const NtpacConversation *conversation)
{
  NtpacEngine *self = sink;

  if (self->dissect != NULL)
    ntpac_dissect_stage_end (self->dissect, conversation);
  if (self->store_sink != NULL)
    ntpac_store_sink_funcs ()->end (self->store_sink, conversation);
  if (self->config.sink != NULL && self->config.sink->end != NULL)
    self->config.sink->end (self->config.sink_data, conversation);
}

/**
 * ntpac_engine_new:
 * @inputs: (array zero-terminated=1): capture files, folders or "-"
 * @config: (nullable): settings, %NULL for the defaults
 *
 * Returns: (transfer full): an engine ready to run
 * Since: 0.1
 */
NtpacEngine *
ntpac_engine_new (const gchar * const     *inputs,
                  const NtpacEngineConfig *config)
{
  NtpacEngine *self = g_new0 (NtpacEngine, 1);

  if (config != NULL)
    self->config = *config;
  else
    ntpac_engine_config_init (&self->config);
  self->capture = ntpac_capture_new (inputs, self->config.capture_flags);
  self->decoder = ntpac_decoder_new (&self->config.decoder);
  /* Frames from a cluster's balancer are this node's already. */
  self->sharded = self->config.n_nodes > 1 && self->config.frame_source == NULL;
  if (self->config.n_nodes > 1)
    {
      self->stats.shard = self->config.node;
      self->stats.n_shards = self->config.n_nodes;
    }
  if (self->sharded)
    {
      self->frame_anomalies = g_array_new (FALSE, FALSE, sizeof (NtpacAnomaly));
      ntpac_decoder_set_anomaly_func (self->decoder, hold_decode_anomaly, self);
    }
  else
    ntpac_decoder_set_anomaly_func (self->decoder, report_anomaly, self);
  self->tee = (NtpacConversationSinkFuncs) { tee_pdu, tee_frames, tee_end };
  return self;
}

void
ntpac_engine_free (NtpacEngine *self)
{
  if (self == NULL)
    return;
  g_clear_error (&self->stats.store_error);
  g_clear_pointer (&self->frame_anomalies, g_array_unref);
  ntpac_decoder_free (self->decoder);
  ntpac_capture_free (self->capture);
  g_free (self);
}

/* The inputs: the capture's, or those the frame source names. */
static guint
n_inputs (NtpacEngine *self)
{
  if (self->config.frame_source != NULL)
    return self->config.frame_source->get_n_inputs (self->config.frame_source_data);
  return ntpac_capture_get_n_inputs (self->capture);
}

static const NtpacInput *
get_input (NtpacEngine *self,
           guint        i)
{
  if (self->config.frame_source != NULL)
    return self->config.frame_source->get_input (self->config.frame_source_data, i);
  return ntpac_capture_get_input (self->capture, i);
}

static gboolean
next_frame (NtpacEngine *self,
            NtpacFrame  *frame)
{
  if (self->config.frame_source != NULL)
    return self->config.frame_source->next (self->config.frame_source_data, frame);
  return ntpac_capture_next (self->capture, frame);
}

static void
report_progress (NtpacEngine *self)
{
  if (self->config.progress != NULL)
    self->config.progress (self, ntpac_capture_get_bytes_read (self->capture),
                           ntpac_capture_get_total_size (self->capture),
                           self->config.progress_data);
}

/* ---- balancing -------------------------------------------------------- */

static void
deliver_to_worker (gpointer    user_data,
                   NtpacBatch *batch)
{
  NtpacEngine *self = user_data;

  ntpac_worker_deliver (self->workers[batch->target], batch);
}

static void
start_workers (NtpacEngine *self)
{
  g_autoptr(GError) error = NULL;
  guint n = self->config.n_workers;

  if (n == 0)
    n = MAX (g_get_num_processors (), 1);
  self->n_workers = n;
  self->workers = g_new0 (NtpacWorker *, n);
  self->pools = g_new0 (NtpacBatchPool *, n);
  self->batches = g_new0 (NtpacBatch *, n);
  for (guint i = 0; i < n; i++)
    {
      NtpacWorkerConfig wc = {
        .index = i,
        .node = self->config.node,
        .first_sequence = self->first_sequence,
        .tracking = self->config.tracking,
        .sink = self->store_sink != NULL || self->dissect != NULL ? &self->tee : self->config.sink,
        .sink_data = self->store_sink != NULL || self->dissect != NULL ? (gpointer) self : self->config.sink_data,
        .anomaly = report_anomaly,
        .anomaly_data = self,
      };

      self->workers[i] = ntpac_worker_new (&wc);
      self->pools[i] = ntpac_batch_pool_new (i, BATCHES_PER_WORKER);
      ntpac_worker_start (self->workers[i]);
    }
  /* Without a transport, batches go straight to the workers. */
  if (self->config.transport != NULL)
    {
      self->transport = g_object_ref (self->config.transport);
      if (!ntpac_transport_open (self->transport, n, deliver_to_worker, self, &error))
        {
          g_warning ("The transport cannot be opened (%s): batches go straight to the workers",
                     error->message);
          g_clear_object (&self->transport);
        }
    }
}

static void
send_batch (NtpacEngine *self,
            guint        worker,
            gboolean     last)
{
  g_autoptr(GError) error = NULL;
  NtpacBatch *batch = self->batches[worker];

  if (batch == NULL)
    batch = ntpac_batch_pool_acquire (self->pools[worker]);
  self->batches[worker] = NULL;
  batch->now_ns = self->now_ns;
  batch->last = last;
  if (self->transport == NULL)
    deliver_to_worker (self, batch);
  else if (!ntpac_transport_send (self->transport, batch, &error))
    g_warning ("Could not hand a batch to worker %u: %s", worker, error->message);
}

/* Points @d at a payload in the reader's buffer instead of copying it,
 * when it lies there (not in a reassembled datagram) and the batch holds
 * that buffer or none yet. */
static gboolean
hold_payload (NtpacEngine     *self,
              NtpacBatch      *batch,
              NtpacPacketDesc *d,
              const guint8    *payload,
              guint32          len)
{
  NtpacChunk *chunk = ntpac_capture_get_chunk (self->capture);
  guintptr start, at = (guintptr) payload;

  if (chunk == NULL)
    return FALSE;
  start = (guintptr) chunk->data;
  if (at < start || at - start > chunk->len || chunk->len - (at - start) < len)
    return FALSE;
  if (batch->held == NULL)
    ntpac_batch_hold (batch, chunk->data, ntpac_chunk_ref (chunk), (GDestroyNotify) ntpac_chunk_unref);
  else if (batch->held != chunk->data)
    return FALSE;
  d->flags |= NTPAC_PACKET_DESC_HELD;
  d->held_offset = (guint32) (at - start);
  return TRUE;
}

/* The reader is about to move on to a new buffer, and may wait for one:
 * batches pointing into the old ones go now, so that no buffer waits on
 * a batch that waits on the reader. */
static void
send_held_batches (gpointer user_data)
{
  NtpacEngine *self = user_data;

  for (guint i = 0; i < self->n_workers; i++)
    if (self->batches[i] != NULL && self->batches[i]->held != NULL)
      send_batch (self, i, FALSE);
}

/* Appends a decoded TCP or UDP packet to its worker's batch. */
static void
balance (NtpacEngine       *self,
         const NtpacPacket *packet)
{
  NtpacPacketDesc *d;
  NtpacBatch *batch;
  NtpacFlowKey key;
  gboolean from_lo = ntpac_flow_key_from_tuple (&key, &packet->tuple);
  guint64 hash = ntpac_flow_hash (&key);
  guint worker = ntpac_flow_hash_worker (hash, MAX (self->config.n_nodes, 1), self->n_workers);
  guint32 len = packet->payload_len;

  batch = self->batches[worker];
  if (batch != NULL && !ntpac_batch_has_room (batch, len))
    {
      send_batch (self, worker, FALSE);
      batch = NULL;
    }
  if (batch == NULL)
    batch = self->batches[worker] = ntpac_batch_pool_acquire (self->pools[worker]);

  d = &batch->packets[batch->n_packets++];
  d->key = key;
  d->hash = hash;
  d->ts_ns = packet->frame->ts_ns;
  d->frame = packet->frame->ref;
  d->transport = packet->transport;
  d->tcp_flags = packet->tcp.flags;
  d->flags = from_lo ? NTPAC_PACKET_DESC_FROM_LO : 0;
  d->window = packet->tcp.window;
  d->seq = packet->tcp.seq;
  d->ack = packet->tcp.ack;
  d->payload_offset = (guint32) batch->arena_len;
  d->payload_len = len;
  d->payload_cut = packet->payload_reported - packet->payload_len;
  d->n_extra_frames = 0;
  d->extra_frames = batch->extra_frames->len;
  if (len > 0 && !hold_payload (self, batch, d, packet->payload, len))
    memcpy (batch->arena + batch->arena_len, packet->payload, len);
  batch->arena_len += len;   /* held payloads keep their room: see ntpac_batch_detach() */
  /* A reassembled datagram: the last fragment is d->frame, the others
   * travel beside it. */
  for (guint i = 0; i + 1 < packet->n_fragments && i < G_MAXUINT16; i++)
    {
      g_array_append_val (batch->extra_frames, packet->fragments[i]);
      d->n_extra_frames++;
    }
}

static void
stop_workers (NtpacEngine *self)
{
  for (guint i = 0; i < self->n_workers; i++)
    send_batch (self, i, TRUE);
  for (guint i = 0; i < self->n_workers; i++)
    ntpac_worker_join (self->workers[i]);
  if (self->transport != NULL)
    ntpac_transport_close (self->transport);
  g_clear_object (&self->transport);
  for (guint i = 0; i < self->n_workers; i++)
    {
      const NtpacTrackerStats *ts = ntpac_worker_get_stats (self->workers[i]);

      self->stats.conversations[0] += ts->conversations[0];
      self->stats.conversations[1] += ts->conversations[1];
      self->stats.packets_tracked += ts->packets;
      self->stats.payload_bytes += ts->payload_bytes;
      self->stats.missing_bytes += ts->missing_bytes;
      self->stats.actors_failed += ts->actors_failed;
      self->stats.peak_tracking_memory = MAX (self->stats.peak_tracking_memory, ts->peak_memory);
      for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
        if (ts->anomalies[k] > 0)
          {
            const NtpacFrameRef *f = &ts->anomaly_first[k];
            const NtpacFrameRef *cur = &self->stats.anomaly_first[k];

            if (self->stats.anomalies[k] == 0 || f->input < cur->input ||
                (f->input == cur->input && f->number < cur->number))
              self->stats.anomaly_first[k] = *f;
            self->stats.anomalies[k] += ts->anomalies[k];
          }
      ntpac_worker_free (self->workers[i]);
      ntpac_batch_pool_free (self->pools[i]);
    }
  self->stats.n_workers = self->n_workers;
  g_clear_pointer (&self->workers, g_free);
  g_clear_pointer (&self->pools, g_free);
  g_clear_pointer (&self->batches, g_free);
}

/* Decoding anomalies join the tracking ones, with their first frames. */
static void
merge_decode_anomalies (NtpacEngine *self)
{
  NtpacDecodeStats *d = &self->stats.decode;

  /* A shard counts only the anomalies of the frames it owns. */
  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    d->anomalies[k] -= MIN (d->anomalies[k], self->foreign_anomalies[k]);
  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    if (d->anomalies[k] > 0)
      {
        const NtpacFrameRef *f = &d->anomaly_first[k];
        const NtpacFrameRef *cur = &self->stats.anomaly_first[k];

        if (self->stats.anomalies[k] == 0 || f->input < cur->input ||
            (f->input == cur->input && f->number < cur->number))
          self->stats.anomaly_first[k] = *f;
        self->stats.anomalies[k] += d->anomalies[k];
      }
}

static void
put_meta (NtpacEngine *self,
          const gchar *name,
          const gchar *value)
{
  g_autoptr(GError) error = NULL;

  if (!ntpac_store_put_meta (self->config.store, name, value, &error) && self->stats.store_error == NULL)
    self->stats.store_error = g_steal_pointer (&error);
}

static void
put_meta_count (NtpacEngine *self,
                const gchar *name,
                guint64      value)
{
  g_autofree gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  put_meta (self, name, text);
}

/* The latest run's facts are kept under NAME, and every run's under
 * run.N.NAME: appending keeps the history. */
static void
put_run_meta (NtpacEngine *self,
              const gchar *name,
              const gchar *value)
{
  g_autofree gchar *key = g_strdup_printf ("run.%" G_GUINT64_FORMAT ".%s", self->run, name);

  put_meta (self, key, value);
  put_meta (self, name, value);
}

static guint64
get_meta_count (NtpacEngine *self,
                const gchar *name)
{
  g_autofree gchar *text = ntpac_store_get_meta (self->config.store, name);

  return text != NULL ? g_ascii_strtoull (text, NULL, 10) : 0;
}

static gchar *
now_text (void)
{
  return ntpac_time_format_rfc3339 (g_get_real_time () * 1000);
}

/* The run is recorded as running, with its inputs, and flushed before
 * any result: a database left by a killed run says so, and says what it
 * was reading. A run appended to a database numbers its inputs after the
 * ones already there, and starts its conversation sequences at
 * run × 2^24, so that ids never collide with earlier runs'. */
static gboolean
begin_store (NtpacEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *started = now_text ();
  g_autofree gchar *hash = g_strdup_printf ("%d", NTPAC_FLOW_HASH_VERSION);
  guint32 first_input = (guint32) get_meta_count (self, "count.inputs");
  guint n = n_inputs (self);

  self->store_sink = ntpac_store_sink_new (self->config.store, self->config.compress_payload, &error);
  if (self->store_sink == NULL)
    {
      self->stats.store_error = g_steal_pointer (&error);
      return FALSE;
    }
  self->run = get_meta_count (self, "runs");
  self->first_sequence = (guint32) (self->run << 24);
  for (guint i = 0; i < G_N_ELEMENTS (meta_counts); i++)
    self->counts_before[i] = get_meta_count (self, meta_counts[i]);
  put_meta_count (self, "runs", self->run + 1);
  put_meta_count (self, "count.inputs", (guint64) first_input + n);
  put_meta (self, "hash_version", hash);
  if (self->config.n_nodes > 1)
    {
      g_autofree gchar *shard = g_strdup_printf ("%u/%u", self->config.node, self->config.n_nodes);

      put_run_meta (self, "shard", shard);
    }
  put_run_meta (self, "input_hashes",
                (self->config.capture_flags & NTPAC_CAPTURE_FLAGS_NO_HASH) ? "skipped" : "sha256");
  put_run_meta (self, "engine", "ntpac-engine " PACKAGE_VERSION);
  put_run_meta (self, "pipeline", self->config.pipeline != NULL ? self->config.pipeline : "offline-forensics");
  put_run_meta (self, "started", started);
  put_run_meta (self, "state", "running");
  ntpac_capture_set_first_input_id (self->capture, first_input);
  for (guint i = 0; i < n && self->stats.store_error == NULL; i++)
    if (!ntpac_store_sink_put_input (self->store_sink, get_input (self, i), &error))
      self->stats.store_error = g_steal_pointer (&error);
  if (self->stats.store_error == NULL && !ntpac_store_flush (self->config.store, &error) && self->stats.store_error == NULL)
    self->stats.store_error = g_steal_pointer (&error);
  return self->stats.store_error == NULL;
}

static void
end_store (NtpacEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *finished = now_text ();
  NtpacStoreSinkStats stored;

  for (guint i = 0; i < n_inputs (self); i++)
    if (!ntpac_store_sink_put_input (self->store_sink, get_input (self, i), &error) &&
        self->stats.store_error == NULL)
      self->stats.store_error = g_steal_pointer (&error);
    else
      g_clear_error (&error);
  ntpac_store_sink_get_stats (self->store_sink, &stored);
  if (!ntpac_store_sink_finish (g_steal_pointer (&self->store_sink), &error) && self->stats.store_error == NULL)
    self->stats.store_error = g_steal_pointer (&error);
  self->stats.stored_conversations = stored.conversations;
  self->stats.stored_pdus = stored.pdus;
  self->stats.stored_frames = stored.frames;
  self->stats.stored_anomalies = stored.anomalies;
  self->stats.stored_payload_bytes = stored.stored_payload_bytes;
  if (self->stats.store_error != NULL)
    {
      put_run_meta (self, "state", "failed");
      return;
    }
  {
    const guint64 counts[G_N_ELEMENTS (meta_counts)] = {
      stored.conversations, stored.pdus, stored.frames, stored.anomalies,
      stored.payload_bytes, stored.stored_payload_bytes,
    };

    for (guint i = 0; i < G_N_ELEMENTS (meta_counts); i++)
      put_meta_count (self, meta_counts[i], self->counts_before[i] + counts[i]);
  }
  put_run_meta (self, "finished", finished);
  put_run_meta (self, "state", self->stats.interrupted ? "interrupted" : "complete");
}

/* The dissect stage, when there are dissectors: their outputs become
 * column families before any packet flows. */
static gboolean
start_dissectors (NtpacEngine *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *dissectors = self->config.dissectors;

  if (dissectors == NULL || dissectors->len == 0)
    return TRUE;
  if (self->store_sink != NULL)
    {
      for (guint i = 0; i < dissectors->len; i++)
        if (!ntpac_store_sink_add_outputs (self->store_sink, ntpac_dissector_get_outputs (dissectors->pdata[i]),
                                           &error))
          {
            if (self->stats.store_error == NULL)
              self->stats.store_error = g_steal_pointer (&error);
            return FALSE;
          }
      self->dissect = ntpac_dissect_stage_new (dissectors, ntpac_store_sink_dissect_funcs (), self->store_sink);
    }
  else if (self->config.dissect_sink != NULL)
    self->dissect = ntpac_dissect_stage_new (dissectors, self->config.dissect_sink, self->config.dissect_sink_data);
  else
    self->dissect = ntpac_dissect_stage_new (dissectors, NULL, NULL);  /* counted, not kept */
  return TRUE;
}

/**
 * ntpac_engine_run:
 * @self: an engine
 *
 * Reads every input to its end (or until ntpac_engine_stop()), waits for
 * the workers to hand on every conversation and for the input hashes.
 * Problems with the inputs are kept on them (ntpac_capture_get_input());
 * anomalies in the counters.
 * Since: 0.1
 */
void
ntpac_engine_run (NtpacEngine *self)
{
  gint64 start = g_get_monotonic_time ();
  gint64 next_progress = start + self->config.progress_interval_ms * 1000;
  gboolean decode = self->config.stage >= NTPAC_STAGE_PARSE;
  gboolean track = self->config.stage >= NTPAC_STAGE_TRACK;
  gboolean store = self->config.stage >= NTPAC_STAGE_STORE && self->config.store != NULL;
  NtpacFrame frame;
  NtpacPacket packet;
  guint countdown = PROGRESS_CHECK_FRAMES;
  guint clock_countdown = CLOCK_FRAMES;

  if (store && !begin_store (self))
    {
      /* Nothing is read if results cannot be kept. */
      self->stats.elapsed_ns = (g_get_monotonic_time () - start) * 1000;
      if (self->store_sink != NULL)
        ntpac_store_sink_finish (g_steal_pointer (&self->store_sink), NULL);
      return;
    }
  if (self->config.stage >= NTPAC_STAGE_DISSECT && !start_dissectors (self))
    {
      self->stats.elapsed_ns = (g_get_monotonic_time () - start) * 1000;
      if (self->store_sink != NULL)
        end_store (self);
      return;
    }
  if (track)
    {
      start_workers (self);
      ntpac_capture_set_chunk_func (self->capture, send_held_batches, self);
    }

  while (next_frame (self, &frame))
    {
      self->stats.frames_read++;
      if (decode)
        {
          gboolean decoded = ntpac_decoder_decode (self->decoder, &frame, &packet);

          if (self->sharded && !keep_frame (self, &packet, decoded))
            decoded = FALSE;
          if (decoded && track &&
              (packet.transport == NTPAC_TRANSPORT_TCP || packet.transport == NTPAC_TRANSPORT_UDP))
            {
              if (frame.ts_ns > self->now_ns)
                self->now_ns = frame.ts_ns;
              balance (self, &packet);
            }
          ntpac_packet_clear (&packet);
        }
      if (track && --clock_countdown == 0)
        {
          /* Idle workers hear that time went on, and expire conversations. */
          clock_countdown = CLOCK_FRAMES;
          for (guint i = 0; i < self->n_workers; i++)
            send_batch (self, i, FALSE);
        }
      if (--countdown == 0)
        {
          countdown = PROGRESS_CHECK_FRAMES;
          /* Progress first: the caller may handle a stop request there. */
          if (self->config.progress != NULL && g_get_monotonic_time () >= next_progress)
            {
              report_progress (self);
              next_progress = g_get_monotonic_time () + self->config.progress_interval_ms * 1000;
            }
          if (g_atomic_int_get (&self->stop_requested))
            {
              self->stats.interrupted = TRUE;
              break;
            }
          if (self->store_sink != NULL && ntpac_store_sink_has_failed (self->store_sink))
            break;  /* the error is reported when the store is closed */
        }
    }
  if (self->config.frame_source != NULL && self->config.frame_source->interrupted (self->config.frame_source_data))
    self->stats.interrupted = TRUE;
  if (decode)
    {
      ntpac_decoder_finish (self->decoder);
      if (self->sharded)
        keep_frame (self, NULL, FALSE);  /* datagrams left incomplete: node 0's */
    }
  /* Most of what the store holds is written while the workers finish. */
  if (self->store_sink != NULL)
    ntpac_store_start_flush (self->config.store);
  if (track)
    {
      stop_workers (self);
      ntpac_capture_set_chunk_func (self->capture, NULL, NULL);
    }
  if (self->dissect != NULL)
    {
      NtpacDissectStats ds;

      ntpac_dissect_stage_get_stats (self->dissect, &ds);
      self->stats.dissected_conversations = ds.identified;
      self->stats.dissector_records = ds.records;
      self->stats.dissector_anomalies = ds.anomalies;
      g_clear_pointer (&self->dissect, ntpac_dissect_stage_free);
    }
  ntpac_capture_wait_hashes (self->capture);
  if (self->store_sink != NULL)
    end_store (self);
  self->stats.decode = *ntpac_decoder_get_stats (self->decoder);
  merge_decode_anomalies (self);
  self->stats.elapsed_ns = (g_get_monotonic_time () - start) * 1000;
  report_progress (self);
}

/* May be called from any thread or a signal handler's main-loop source. */
void
ntpac_engine_stop (NtpacEngine *self)
{
  g_atomic_int_set (&self->stop_requested, 1);
}

NtpacCapture *
ntpac_engine_get_capture (NtpacEngine *self)
{
  return self->capture;
}

const NtpacRunStats *
ntpac_engine_get_stats (NtpacEngine *self)
{
  return &self->stats;
}

/**
 * ntpac_engine_get_n_inputs:
 * @self: an engine
 *
 * Returns: the inputs the frames come from: the capture's, or those the
 *   frame source names
 */
guint
ntpac_engine_get_n_inputs (NtpacEngine *self)
{
  return n_inputs (self);
}

const NtpacInput *
ntpac_engine_get_input (NtpacEngine *self,
                        guint        index)
{
  return get_input (self, index);
}

/* Whether the frames came from a frame source, not from files read here
 * (then only the frames' own bytes went through this process). */
gboolean
ntpac_engine_has_frame_source (NtpacEngine *self)
{
  return self->config.frame_source != NULL;
}
