/* ntpac-cmd-stats.c: `ntpac-engine stats`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-json-private.h"

/* Column families counted, in the order shown. */
static const gchar * const counted[] = {
  NTPAC_STORE_CF_CONVERSATIONS, NTPAC_STORE_CF_PDUS, "http", "dns", "tls",
  NTPAC_STORE_CF_OBJECTS, NTPAC_STORE_CF_ANOMALIES, NTPAC_STORE_CF_INPUTS,
};

/* What stats reports of one database. */
typedef struct
{
  const gchar *path;
  gchar       *schema;
  gchar       *engine;
  gchar       *pipeline;
  gchar       *state;
  gchar       *started;
  gchar       *finished;
  guint64      runs;
  guint64      counts[G_N_ELEMENTS (counted)];
  guint64      tcp;
  guint64      udp;
  gint64       first_ts;
  gint64       last_ts;
  guint64      inputs;
  guint64      capture_bytes;
  guint64      disk_bytes;
} Stats;

static void
stats_clear (Stats *s)
{
  g_free (s->schema);
  g_free (s->engine);
  g_free (s->pipeline);
  g_free (s->state);
  g_free (s->started);
  g_free (s->finished);
}

static guint64
count_keys (NtpacStore  *store,
            const gchar *cf)
{
  g_autoptr(NtpacStoreIter) iter = ntpac_store_iter_new (store, ntpac_store_cf_id (store, cf), NULL, 0, NULL, 0);
  const guint8 *key;
  gsize len;
  guint64 n = 0;

  while (ntpac_store_iter_next (iter, &key, &len, NULL, NULL))
    n++;
  return n;
}

static void
gather (NtpacStore *store,
        Stats      *s)
{
  g_autoptr(NtpacStoreIter) iter = NULL;
  g_autofree gchar *runs = ntpac_store_get_meta (store, "runs");
  const guint8 *key, *value;
  gsize key_len, value_len;

  s->path = ntpac_store_get_path (store);
  s->schema = ntpac_store_get_meta (store, "schema");
  s->engine = ntpac_store_get_meta (store, "engine");
  s->pipeline = ntpac_store_get_meta (store, "pipeline");
  s->state = ntpac_store_get_meta (store, "state");
  s->started = ntpac_store_get_meta (store, "started");
  s->finished = ntpac_store_get_meta (store, "finished");
  s->runs = runs != NULL ? g_ascii_strtoull (runs, NULL, 10) : 0;
  for (guint i = 0; i < G_N_ELEMENTS (counted); i++)
    s->counts[i] = count_keys (store, counted[i]);
  s->first_ts = G_MAXINT64;
  s->last_ts = G_MININT64;
  iter = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS), NULL, 0, NULL, 0);
  while (ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) r = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);

      if (r == NULL)
        continue;
      if (g_strcmp0 (ntpac_record_get_string (r, "transport"), "tcp") == 0)
        s->tcp++;
      else
        s->udp++;
      s->first_ts = MIN (s->first_ts, ntpac_record_get_int (r, "first_ts"));
      s->last_ts = MAX (s->last_ts, ntpac_record_get_int (r, "last_ts"));
    }
  g_clear_pointer (&iter, ntpac_store_iter_free);
  iter = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_INPUTS), NULL, 0, NULL, 0);
  while (ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) r = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);

      if (r == NULL)
        continue;
      s->inputs++;
      s->capture_bytes += ntpac_record_get_uint (r, "size");
    }
  s->disk_bytes = ntpac_store_get_disk_size (store);
}

static void
print_text (Stats *s)
{
  g_autofree gchar *disk = g_format_size (s->disk_bytes);
  g_autofree gchar *capture = g_format_size (s->capture_bytes);

  printf ("%s\n", s->path);
  printf (_("  %-16s %s, schema %s, pipeline %s\n"), _("written by"),
          s->engine != NULL ? s->engine : "?", s->schema != NULL ? s->schema : "?",
          s->pipeline != NULL ? s->pipeline : "?");
  if (s->runs > 1)
    printf (_("  %-16s %" PRIu64 " appended to one another; the latest:\n"), _("runs"), s->runs);
  printf (_("  %-16s %s (started %s%s%s)\n"), _("run"), s->state != NULL ? s->state : "?",
          s->started != NULL ? s->started : "?", s->finished != NULL ? _(", finished ") : "",
          s->finished != NULL ? s->finished : "");
  if (g_strcmp0 (s->state, "running") == 0)
    printf (_("  %-16s the run is still writing, or was stopped without finishing: what is shown was stored before\n"), "");
  printf (_("  %-16s %" PRIu64 " (%s)\n"), _("inputs"), s->inputs, capture);
  if (s->first_ts <= s->last_ts)
    {
      g_autofree gchar *first = ntpac_time_format_rfc3339 (s->first_ts);
      g_autofree gchar *last = ntpac_time_format_rfc3339 (s->last_ts);

      printf (_("  %-16s %s to %s\n"), _("time span"), first, last);
    }
  printf (_("  %-16s %" PRIu64 " TCP, %" PRIu64 " UDP\n"), _("conversations"), s->tcp, s->udp);
  /* conversations (above) and inputs (before) are not repeated */
  for (guint i = 1; i + 1 < G_N_ELEMENTS (counted); i++)
    printf ("  %-16s %" G_GUINT64_FORMAT "\n", counted[i], s->counts[i]);
  printf (_("  %-16s %s on disk for %s of capture (%.0f%%)\n"), _("size"), disk, capture,
          s->capture_bytes > 0 ? 100.0 * s->disk_bytes / s->capture_bytes : 0.0);
}

static void
json_stats (NtpacJson *json,
            Stats     *s)
{
  ntpac_json_begin_object (json);
  ntpac_json_key (json, "database");
  ntpac_json_string (json, s->path);
  ntpac_json_key (json, "schema");
  ntpac_json_string (json, s->schema);
  ntpac_json_key (json, "engine");
  ntpac_json_string (json, s->engine);
  ntpac_json_key (json, "pipeline");
  ntpac_json_string (json, s->pipeline);
  ntpac_json_key (json, "runs");
  ntpac_json_uint (json, s->runs);
  ntpac_json_key (json, "state");
  ntpac_json_string (json, s->state);
  ntpac_json_key (json, "started");
  ntpac_json_string (json, s->started);
  ntpac_json_key (json, "finished");
  ntpac_json_string (json, s->finished);
  ntpac_json_key (json, "counts");
  ntpac_json_begin_object (json);
  ntpac_json_key (json, "tcp_conversations");
  ntpac_json_uint (json, s->tcp);
  ntpac_json_key (json, "udp_conversations");
  ntpac_json_uint (json, s->udp);
  for (guint i = 0; i < G_N_ELEMENTS (counted); i++)
    {
      ntpac_json_key (json, counted[i]);
      ntpac_json_uint (json, s->counts[i]);
    }
  ntpac_json_end_object (json);
  ntpac_json_key (json, "first_ts");
  if (s->first_ts <= s->last_ts)
    {
      g_autofree gchar *first = ntpac_time_format_rfc3339 (s->first_ts);
      g_autofree gchar *last = ntpac_time_format_rfc3339 (s->last_ts);

      ntpac_json_string (json, first);
      ntpac_json_key (json, "last_ts");
      ntpac_json_string (json, last);
    }
  else
    {
      ntpac_json_null (json);
      ntpac_json_key (json, "last_ts");
      ntpac_json_null (json);
    }
  ntpac_json_key (json, "inputs");
  ntpac_json_uint (json, s->inputs);
  ntpac_json_key (json, "capture_bytes");
  ntpac_json_uint (json, s->capture_bytes);
  ntpac_json_key (json, "disk_bytes");
  ntpac_json_uint (json, s->disk_bytes);
  ntpac_json_end_object (json);
}

int
ntpac_cmd_stats (int    argc,
                 char **argv)
{
  g_auto(GStrv) databases = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Describe the database DB (repeat for several)"), N_("DB") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json,
      N_("Print one JSON object per database"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— what a database holds"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("stats", error->message);
  if (argc > 1)
    return ntpac_cli_usage_error ("stats", _("Name the databases with -d DB"));
  stores = ntpac_cli_open_databases (databases, "stats");
  if (stores == NULL)
    return NTPAC_EXIT_ERROR;
  for (guint i = 0; i < stores->len; i++)
    {
      Stats s = { 0 };

      gather (stores->pdata[i], &s);
      if (as_json)
        {
          g_autoptr(GString) out = g_string_new (NULL);
          NtpacJson json;

          ntpac_json_init (&json, out);
          json_stats (&json, &s);
          printf ("%s\n", out->str);
        }
      else
        print_text (&s);
      stats_clear (&s);
    }
  return NTPAC_EXIT_OK;
}
