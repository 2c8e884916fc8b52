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
#include "ntpac-decoder.h"

G_BEGIN_DECLS

/**
 * NtpacStage:
 * @NTPAC_STAGE_READ: read frames only
 * @NTPAC_STAGE_PARSE: read and decode frames
 *
 * How far a run goes; benchmarks measure each stage on its own.
 */
typedef enum
{
  NTPAC_STAGE_READ,
  NTPAC_STAGE_PARSE,
} NtpacStage;

typedef struct _NtpacEngine NtpacEngine;

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
 */
typedef struct
{
  NtpacStage          stage;
  NtpacCaptureFlags   capture_flags;
  NtpacDecoderConfig  decoder;
  NtpacProgressFunc   progress;
  gpointer            progress_data;
  guint               progress_interval_ms;
} NtpacEngineConfig;

/**
 * NtpacRunStats:
 * @decode: decoder counters
 * @frames_read: frames read from the inputs
 * @anomaly_seen: whether each core anomaly kind occurred
 * @anomaly_first: the first frame each kind was found in
 * @elapsed_ns: wall-clock duration of the run
 * @interrupted: the run was stopped before the end of its inputs
 */
typedef struct
{
  NtpacDecodeStats  decode;
  guint64           frames_read;
  gboolean          anomaly_seen[NTPAC_ANOMALY_N_CORE_KINDS];
  NtpacFrameRef     anomaly_first[NTPAC_ANOMALY_N_CORE_KINDS];
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

G_END_DECLS
