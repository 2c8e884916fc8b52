/* ntpac-time.c: timestamps as people and JSON read them
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-time.h"

#define NS_PER_S G_GINT64_CONSTANT (1000000000)

/**
 * ntpac_time_format_rfc3339:
 * @ts_ns: nanoseconds since the Unix epoch
 *
 * Returns: (transfer full): the time in UTC, RFC 3339 with nanoseconds,
 *   e.g. "2024-03-01T00:00:00.000000000Z"
 * Since: 0.1
 */
gchar *
ntpac_time_format_rfc3339 (gint64 ts_ns)
{
  gint64 secs = ts_ns / NS_PER_S;
  gint64 frac = ts_ns % NS_PER_S;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree gchar *date = NULL;

  if (frac < 0)
    {
      frac += NS_PER_S;
      secs--;
    }
  dt = g_date_time_new_from_unix_utc (secs);
  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, ts_ns);
  date = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%09" G_GINT64_FORMAT "Z", date, frac);
}

/**
 * ntpac_time_parse:
 * @text: an ISO 8601 / RFC 3339 time ("2024-03-01T10:00:00Z", a zone
 *   offset, fractions of a second), a date ("2024-03-01", midnight UTC),
 *   or seconds since the epoch ("1709287200.5")
 * @ts_ns: (out): nanoseconds since the epoch
 *
 * Returns: %TRUE if @text was understood
 * Since: 0.1
 */
gboolean
ntpac_time_parse (const gchar *text,
                  gint64      *ts_ns)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  gchar *end = NULL;
  gdouble secs;

  g_return_val_if_fail (text != NULL, FALSE);

  secs = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0' && secs >= 0 && secs < 1e11)
    {
      *ts_ns = (gint64) (secs * 1e9 + 0.5);
      return TRUE;
    }
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && strlen (text) == 10)
    {
      g_autofree gchar *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (dt == NULL)
    return FALSE;
  *ts_ns = g_date_time_to_unix (dt) * NS_PER_S +
           (gint64) g_date_time_get_microsecond (dt) * 1000;
  return TRUE;
}
