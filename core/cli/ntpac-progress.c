/* ntpac-progress.c: the progress line on a terminal
 *
 * One line on standard error, rewritten in place: bytes done, throughput
 * and the time left. Nothing is printed when standard error is not a
 * terminal, so logs and pipes stay clean.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ntpac-progress.h"

void
ntpac_progress_init (NtpacProgress *progress,
                     gboolean       enabled)
{
  progress->enabled = enabled;
  progress->start_us = g_get_monotonic_time ();
  progress->shown = FALSE;
}

void
ntpac_progress_update (NtpacProgress *progress,
                       guint64        bytes_done,
                       guint64        bytes_total)
{
  gdouble elapsed = (g_get_monotonic_time () - progress->start_us) / 1e6;
  gdouble mbps = elapsed > 0 ? bytes_done * 8.0 / elapsed / 1e6 : 0;
  g_autofree gchar *done = g_format_size (bytes_done);
  g_autofree gchar *total = g_format_size (bytes_total);
  GString *line;

  if (!progress->enabled)
    return;
  line = g_string_new ("\r");
  if (bytes_total > 0 && bytes_done <= bytes_total)
    {
      g_string_append_printf (line, _("%s of %s (%u%%)"), done, total,
                              (guint) (bytes_done * 100 / bytes_total));
    }
  else
    g_string_append (line, done);
  g_string_append_printf (line, _(", %.0f Mbps"), mbps);
  if (bytes_total > bytes_done && bytes_done > 0 && elapsed > 0.5)
    {
      guint64 left = (guint64) ((bytes_total - bytes_done) * elapsed / bytes_done);

      g_string_append_printf (line, _(", %u:%02u left"), (guint) (left / 60), (guint) (left % 60));
    }
  g_string_append (line, "\033[K");
  fputs (line->str, stderr);
  fflush (stderr);
  g_string_free (line, TRUE);
  progress->shown = TRUE;
}

void
ntpac_progress_clear (NtpacProgress *progress)
{
  if (progress->shown)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
      progress->shown = FALSE;
    }
}
