/* ntpac-progress.h: the progress line on a terminal
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean enabled;
  gint64   start_us;
  gboolean shown;
} NtpacProgress;

void ntpac_progress_init   (NtpacProgress *progress,
                            gboolean       enabled);
void ntpac_progress_update (NtpacProgress *progress,
                            guint64        bytes_done,
                            guint64        bytes_total);
void ntpac_progress_clear  (NtpacProgress *progress);

G_END_DECLS
