/* ntpac-cluster-private.h: a cluster's two roles over a remote transport:
 * the balancer, which reads the inputs and sends each shard its frames,
 * and the reassembler's frame source, which gives an engine the frames of
 * its shard
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-capture.h"
#include "ntpac-decoder.h"
#include "ntpac-engine.h"
#include "ntpac-transport.h"

G_BEGIN_DECLS

/* Bytes and frames a batch of frames gathers before it is sent. */
#define NTPAC_CLUSTER_BATCH_BYTES  (256 * 1024)
#define NTPAC_CLUSTER_BATCH_FRAMES 1024

/**
 * NtpacShardState:
 * @NTPAC_SHARD_PENDING: no answer yet
 * @NTPAC_SHARD_COMPLETE: the shard stored all its frames
 * @NTPAC_SHARD_INTERRUPTED: the shard stored what it had, the run was cut
 * @NTPAC_SHARD_FAILED: the shard could not store, or is gone
 */
typedef enum
{
  NTPAC_SHARD_PENDING,
  NTPAC_SHARD_COMPLETE,
  NTPAC_SHARD_INTERRUPTED,
  NTPAC_SHARD_FAILED,
} NtpacShardState;

const gchar *ntpac_shard_state_to_string (NtpacShardState state);

/**
 * NtpacShardStats:
 * @endpoint: where the shard's reassembler listens
 * @state: how the shard ended
 * @frames: frames sent to it
 * @batches: batches of frames sent to it
 * @conversations: conversations it stored (from its answer)
 * @message: (nullable): what it or the transport said went wrong
 * @transport: the transport's counters (bytes, stalls, time stalled)
 */
typedef struct
{
  const gchar              *endpoint;
  NtpacShardState           state;
  guint64                   frames;
  guint64                   batches;
  guint64                   conversations;
  gchar                    *message;
  NtpacTransportPeerStats   transport;
} NtpacShardStats;

/**
 * NtpacBalancerStats:
 * @decode: what decoding found (for the flow hash)
 * @frames_read: frames read from the inputs
 * @fragments_held: fragments kept until their datagram was complete
 * @n_shards: shards
 * @shards: (array length=n_shards): each shard's counters
 * @error: (nullable): why the run failed (a shard gone, refused...)
 * @interrupted: stopped before the end of the inputs
 * @elapsed_ns: wall-clock time
 */
typedef struct
{
  NtpacDecodeStats  decode;
  guint64           frames_read;
  guint64           fragments_held;
  guint             n_shards;
  NtpacShardStats  *shards;
  GError           *error;
  gboolean          interrupted;
  gint64            elapsed_ns;
} NtpacBalancerStats;

typedef struct _NtpacBalancer NtpacBalancer;

NtpacBalancer            *ntpac_balancer_new        (const gchar * const      *inputs,
                                                     NtpacCaptureFlags         capture_flags,
                                                     const NtpacDecoderConfig *decoder,
                                                     NtpacTransport           *transport,
                                                     const gchar * const      *endpoints);
void                      ntpac_balancer_free       (NtpacBalancer            *self);
void                      ntpac_balancer_set_progress (NtpacBalancer          *self,
                                                     void                    (*progress) (guint64  done,
                                                                                          guint64  total,
                                                                                          gpointer data),
                                                     gpointer                  data);
void                      ntpac_balancer_run        (NtpacBalancer            *self);
void                      ntpac_balancer_stop       (NtpacBalancer            *self);
NtpacCapture             *ntpac_balancer_get_capture (NtpacBalancer           *self);
const NtpacBalancerStats *ntpac_balancer_get_stats  (NtpacBalancer            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacBalancer, ntpac_balancer_free)

typedef struct _NtpacClusterSource NtpacClusterSource;

NtpacClusterSource          *ntpac_cluster_source_new        (NtpacTransport      *transport,
                                                              guint                node,
                                                              guint                n_nodes);
void                         ntpac_cluster_source_free       (NtpacClusterSource  *self);
gboolean                     ntpac_cluster_source_start      (NtpacClusterSource  *self,
                                                              GError             **error);
const NtpacFrameSourceFuncs *ntpac_cluster_source_funcs      (void);
void                         ntpac_cluster_source_stop       (NtpacClusterSource  *self);
const GError                *ntpac_cluster_source_get_error  (NtpacClusterSource  *self);
guint64                      ntpac_cluster_source_get_frames (NtpacClusterSource  *self);
gboolean                     ntpac_cluster_source_finish     (NtpacClusterSource  *self,
                                                              const NtpacRunStats *stats,
                                                              const GError        *store_error,
                                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacClusterSource, ntpac_cluster_source_free)

G_END_DECLS
