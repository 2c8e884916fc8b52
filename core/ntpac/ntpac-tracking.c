/* ntpac-tracking.c: settings of conversation tracking
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-tracking.h"

#define SECONDS(n) ((gint64) (n) * G_GINT64_CONSTANT (1000000000))

/**
 * ntpac_tracking_config_init:
 * @config: (out caller-allocates): settings to fill with the defaults
 *
 * Since: 0.1
 */
void
ntpac_tracking_config_init (NtpacTrackingConfig *config)
{
  config->tcp_idle_timeout_ns = SECONDS (600);
  config->udp_idle_timeout_ns = SECONDS (120);
  config->closed_linger_ns = SECONDS (240);  /* TIME-WAIT: twice the maximum segment lifetime */
  config->pdu_max_bytes = 1024 * 1024;
  config->ooo_max_bytes = 4 * 1024 * 1024;
  config->memory_max_bytes = 64 * 1024 * 1024;
  config->reorder_window = 16;
  config->max_sequence_jump = 256 * 1024 * 1024;
  config->overlap_last_wins = FALSE;
}
