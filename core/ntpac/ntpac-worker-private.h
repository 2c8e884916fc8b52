/* ntpac-worker-private.h: a reassembling worker: a thread, its main
 * context, and the conversation actors it owns
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-batch.h"
#include "ntpac-actor.h"
#include "ntpac-tracker-private.h"

G_BEGIN_DECLS

typedef struct
{
  guint                              index;
  guint16                            node;
  guint32                            first_sequence;
  NtpacTrackingConfig                tracking;
  const NtpacConversationSinkFuncs  *sink;
  gpointer                           sink_data;
  NtpacAnomalyFunc                   anomaly;
  gpointer                           anomaly_data;
} NtpacWorkerConfig;

typedef struct _NtpacWorker NtpacWorker;

NtpacWorker             *ntpac_worker_new       (const NtpacWorkerConfig *config);
void                     ntpac_worker_free      (NtpacWorker             *self);
void                     ntpac_worker_start     (NtpacWorker             *self);
void                     ntpac_worker_deliver   (NtpacWorker             *self,
                                                 NtpacBatch              *batch);
void                     ntpac_worker_join      (NtpacWorker             *self);
void                     ntpac_worker_process   (NtpacWorker             *self,
                                                 NtpacBatch              *batch);
const NtpacTrackerStats *ntpac_worker_get_stats (NtpacWorker             *self);
guint                    ntpac_worker_get_n_conversations (NtpacWorker   *self);
NtpacActor              *ntpac_worker_get_actor (NtpacWorker             *self);

G_END_DECLS
