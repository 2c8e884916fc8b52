/* ntpac-engine.c: a whole run, from capture to results
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-engine.h"

/* Frames between two looks at the clock for progress. */
#define PROGRESS_CHECK_FRAMES 4096

struct _NtpacEngine
{
  NtpacEngineConfig  config;
  NtpacCapture      *capture;
  NtpacDecoder      *decoder;
  NtpacRunStats      stats;
  gint               stop_requested;  /* atomic */
};

void
ntpac_engine_config_init (NtpacEngineConfig *config)
{
  memset (config, 0, sizeof *config);
  config->stage = NTPAC_STAGE_PARSE;
  ntpac_decoder_config_init (&config->decoder);
  config->progress_interval_ms = 250;
}

static void
record_anomaly (const NtpacAnomaly *anomaly,
                gpointer            user_data)
{
  NtpacEngine *self = user_data;

  if ((guint) anomaly->kind < NTPAC_ANOMALY_N_CORE_KINDS && !self->stats.anomaly_seen[anomaly->kind])
    {
      self->stats.anomaly_seen[anomaly->kind] = TRUE;
      self->stats.anomaly_first[anomaly->kind] = anomaly->frame;
    }
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
  ntpac_decoder_set_anomaly_func (self->decoder, record_anomaly, self);
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

/**
 * ntpac_engine_run:
 * @self: an engine
 *
 * Reads every input to its end (or until ntpac_engine_stop()), then waits
 * for the input hashes. Problems with the inputs are kept on them
 * (ntpac_capture_get_input()); anomalies in the counters.
 * Since: 0.1
 */
void
ntpac_engine_run (NtpacEngine *self)
{
  gint64 start = g_get_monotonic_time ();
  gint64 next_progress = start + self->config.progress_interval_ms * 1000;
  gboolean decode = self->config.stage >= NTPAC_STAGE_PARSE;
  NtpacFrame frame;
  NtpacPacket packet;
  guint countdown = PROGRESS_CHECK_FRAMES;

  while (ntpac_capture_next (self->capture, &frame))
    {
      self->stats.frames_read++;
      if (decode)
        {
          ntpac_decoder_decode (self->decoder, &frame, &packet);
          ntpac_packet_clear (&packet);
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
  ntpac_capture_wait_hashes (self->capture);
  self->stats.decode = *ntpac_decoder_get_stats (self->decoder);
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
