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

#include "ntpac-engine.h"
#include "ntpac-flow-hash.h"
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
};

void
ntpac_engine_config_init (NtpacEngineConfig *config)
{
  memset (config, 0, sizeof *config);
  config->stage = NTPAC_STAGE_TRACK;
  ntpac_decoder_config_init (&config->decoder);
  ntpac_tracking_config_init (&config->tracking);
  config->progress_interval_ms = 250;
}

/* Decoding anomalies (reading thread): the caller's hook. Counts come from
 * the decoder's own counters. */
static void
decoder_anomaly (const NtpacAnomaly *anomaly,
                 gpointer            user_data)
{
  NtpacEngine *self = user_data;

  if (self->config.anomaly != NULL)
    self->config.anomaly (anomaly, self->config.anomaly_data);
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
  ntpac_decoder_set_anomaly_func (self->decoder, decoder_anomaly, self);
  return self;
}

void
ntpac_engine_free (NtpacEngine *self)
{
  if (self == NULL)
    return;
  ntpac_decoder_free (self->decoder);
  ntpac_capture_free (self->capture);
  g_free (self);
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
        .tracking = self->config.tracking,
        .sink = self->config.sink,
        .sink_data = self->config.sink_data,
        .anomaly = self->config.anomaly,
        .anomaly_data = self->config.anomaly_data,
      };

      self->workers[i] = ntpac_worker_new (&wc);
      self->pools[i] = ntpac_batch_pool_new (i, BATCHES_PER_WORKER);
      ntpac_worker_start (self->workers[i]);
    }
  self->transport = self->config.transport != NULL ? g_object_ref (self->config.transport)
                                                   : g_object_new (NTPAC_TYPE_LOCAL_TRANSPORT, NULL);
  if (!ntpac_transport_open (self->transport, n, deliver_to_worker, self, &error))
    g_error ("the in-process transport cannot fail to open: %s", error->message);
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
  if (!ntpac_transport_send (self->transport, batch, &error))
    g_warning ("Could not hand a batch to worker %u: %s", worker, error->message);
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
  guint worker = ntpac_flow_hash_worker (hash, 1, self->n_workers);
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
  if (len > 0)
    memcpy (batch->arena + batch->arena_len, packet->payload, len);
  batch->arena_len += len;
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
  const NtpacDecodeStats *d = &self->stats.decode;

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
  NtpacFrame frame;
  NtpacPacket packet;
  guint countdown = PROGRESS_CHECK_FRAMES;
  guint clock_countdown = CLOCK_FRAMES;

  if (track)
    start_workers (self);

  while (ntpac_capture_next (self->capture, &frame))
    {
      self->stats.frames_read++;
      if (decode)
        {
          if (ntpac_decoder_decode (self->decoder, &frame, &packet) && track &&
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
          if (g_atomic_int_get (&self->stop_requested))
            {
              self->stats.interrupted = TRUE;
              break;
            }
          if (self->config.progress != NULL && g_get_monotonic_time () >= next_progress)
            {
              report_progress (self);
              next_progress = g_get_monotonic_time () + self->config.progress_interval_ms * 1000;
            }
        }
    }
  if (decode)
    ntpac_decoder_finish (self->decoder);
  if (track)
    stop_workers (self);
  ntpac_capture_wait_hashes (self->capture);
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
