/* ntpac-engine.h: a whole run, from capture to results
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-capture.h"
#include "ntpac-conversation.h"
#include "ntpac-dissector.h"
#include "ntpac-decoder.h"
#include "ntpac-store.h"
#include "ntpac-tracking.h"
#include "ntpac-transport.h"

G_BEGIN_DECLS

/**
 * NtpacStage:
 * @NTPAC_STAGE_READ: read frames only
 * @NTPAC_STAGE_PARSE: read and decode frames
 * @NTPAC_STAGE_TRACK: and reassemble L7 conversations
 * @NTPAC_STAGE_DISSECT: and run the dissectors over them
 * @NTPAC_STAGE_STORE: and store everything (when a store is given)
 *
 * How far a run goes; benchmarks measure each stage on its own.
 */
typedef enum
{
  NTPAC_STAGE_READ,
  NTPAC_STAGE_PARSE,
  NTPAC_STAGE_TRACK,
  NTPAC_STAGE_DISSECT,
  NTPAC_STAGE_STORE,
} NtpacStage;

typedef struct _NtpacEngine NtpacEngine;

/**
 * NtpacFrameSourceFuncs:
 * @next: the next frame, or %FALSE at the end; the frame's bytes stay
 *   valid until the next call
 * @get_n_inputs: the inputs the frames come from
 * @get_input: one of them; its id is the one frames carry
 * @interrupted: whether the source ended before the end of its inputs
 *
 * Frames from somewhere else than capture files read here: a cluster's
 * reassembler gets them from its balancer.
 */
typedef struct
{
  gboolean          (*next)         (gpointer    source,
                                     NtpacFrame *frame);
  guint             (*get_n_inputs) (gpointer    source);
  const NtpacInput *(*get_input)    (gpointer    source,
                                     guint       index);
  gboolean          (*interrupted)  (gpointer    source);
} NtpacFrameSourceFuncs;

typedef void (*NtpacProgressFunc) (NtpacEngine *engine,
                                   guint64      bytes_done,
                                   guint64      bytes_total,
                                   gpointer     user_data);

/**
 * NtpacEngineConfig:
 * @stage: how far to go
 * @capture_flags: #NtpacCaptureFlags
 * @decoder: decoder settings
 * @progress: (nullable): called about every @progress_interval_ms
 * @progress_data: passed to @progress
 * @progress_interval_ms: time between progress calls
 * @n_workers: reassembling worker threads (0: one per core)
 * @node: this node's number, in conversation ids
 * @n_nodes: how many nodes share the capture: with more than one, the run
 *   keeps only the packets whose flow hash gives @node (a shard run), and
 *   the anomalies of the frames it owns (frames without a TCP or UDP flow
 *   belong to node 0)
 * @tracking: conversation tracking settings
 * @transport: (nullable): how batches reach the workers; %NULL for the
 *   in-process `local` transport
 * @sink: (nullable): where conversations go
 * @sink_data: passed to @sink
 * @anomaly: (nullable): called for each anomaly, from the reading thread
 *   and from workers at once: must be thread-safe
 * @anomaly_data: passed to @anomaly
 * @dissectors: (nullable) (element-type NtpacDissector): run over every
 *   conversation (stage dissect), tried in this order
 * @dissect_sink: (nullable): where dissector records go without a store
 *   (tests); with a store they go there
 * @dissect_sink_data: passed to @dissect_sink
 * @store: (nullable): where results are written (stage store)
 * @compress_payload: LZ4-compress stored payloads when it pays
 * @pipeline: (nullable): name of the pipeline, recorded in the store
 * @frame_source: (nullable): where frames come from instead of the
 *   inputs given to ntpac_engine_new() (which should then be empty)
 * @frame_source_data: passed to @frame_source
 */
typedef struct
{
  NtpacStage                         stage;
  NtpacCaptureFlags                  capture_flags;
  NtpacDecoderConfig                 decoder;
  NtpacProgressFunc                  progress;
  gpointer                           progress_data;
  guint                              progress_interval_ms;
  guint                              n_workers;
  guint16                            node;
  guint16                            n_nodes;
  NtpacTrackingConfig                tracking;
  NtpacTransport                    *transport;
  const NtpacConversationSinkFuncs  *sink;
  gpointer                           sink_data;
  NtpacAnomalyFunc                   anomaly;
  gpointer                           anomaly_data;
  GPtrArray                         *dissectors;
  const NtpacDissectSinkFuncs       *dissect_sink;
  gpointer                           dissect_sink_data;
  NtpacStore                        *store;
  gboolean                           compress_payload;
  const gchar                       *pipeline;
  const NtpacFrameSourceFuncs       *frame_source;
  gpointer                           frame_source_data;
} NtpacEngineConfig;

/**
 * NtpacRunStats:
 * @decode: decoder counters
 * @frames_read: frames read from the inputs
 * @anomalies: anomalies of each kind, from decoding and tracking
 * @anomaly_first: the first frame each kind was found in
 * @n_workers: workers that tracked conversations
 * @conversations: L7 conversations, TCP then UDP
 * @packets_tracked: packets handed to conversations
 * @packets_other_shards: TCP and UDP packets left to the other nodes of a
 *   shard run
 * @shard: this node, in a shard run
 * @n_shards: the nodes of a shard run (0 when the run is not sharded)
 * @payload_bytes: application bytes reassembled
 * @missing_bytes: application bytes known missing
 * @actors_failed: conversation actors that failed (and were closed)
 * @peak_tracking_memory: most bytes one worker held at once
 * @stored_conversations: conversations handed to the store
 * @stored_pdus: PDUs handed to the store
 * @stored_frames: frames handed to the store
 * @stored_anomalies: anomalies handed to the store
 * @stored_payload_bytes: payload bytes stored, after compression
 * @store_error: (nullable): why the store failed; what was written before
 *   is kept
 * @elapsed_ns: wall-clock duration of the run
 * @interrupted: the run was stopped before the end of its inputs
 */
typedef struct
{
  NtpacDecodeStats  decode;
  guint64           frames_read;
  guint64           anomalies[NTPAC_ANOMALY_N_CORE_KINDS];
  NtpacFrameRef     anomaly_first[NTPAC_ANOMALY_N_CORE_KINDS];
  guint             n_workers;
  guint64           conversations[2];
  guint64           packets_tracked;
  guint64           packets_other_shards;
  guint             shard;
  guint             n_shards;
  guint64           payload_bytes;
  guint64           missing_bytes;
  guint64           actors_failed;
  gsize             peak_tracking_memory;
  guint64           stored_conversations;
  guint64           stored_pdus;
  guint64           stored_frames;
  guint64           stored_anomalies;
  guint64           stored_payload_bytes;
  guint64           dissected_conversations;
  guint64           dissector_records;
  guint64           dissector_anomalies;
  GError           *store_error;
  gint64            elapsed_ns;
  gboolean          interrupted;
} NtpacRunStats;

void                  ntpac_engine_config_init (NtpacEngineConfig       *config);
NtpacEngine          *ntpac_engine_new         (const gchar * const     *inputs,
                                                const NtpacEngineConfig *config);
void                  ntpac_engine_free        (NtpacEngine             *self);
void                  ntpac_engine_run         (NtpacEngine             *self);
void                  ntpac_engine_stop        (NtpacEngine             *self);
NtpacCapture         *ntpac_engine_get_capture (NtpacEngine             *self);
const NtpacRunStats  *ntpac_engine_get_stats   (NtpacEngine             *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacEngine, ntpac_engine_free)

guint             ntpac_engine_get_n_inputs     (NtpacEngine *self);
const NtpacInput *ntpac_engine_get_input        (NtpacEngine *self,
                                                 guint        index);
gboolean          ntpac_engine_has_frame_source (NtpacEngine *self);

G_END_DECLS
