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
  gchar       *shard;          /* "K/N" of a shard run, or NULL */
  gchar       *hash_version;
  gchar       *input_hashes;   /* the inputs' SHA-256, sorted, joined */
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
  g_free (s->shard);
  g_free (s->hash_version);
  g_free (s->input_hashes);
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

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
gather (NtpacStore *store,
        Stats      *s)
{
  g_autoptr(NtpacStoreIter) iter = NULL;
  g_autoptr(GPtrArray) hashes = NULL;
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
  s->shard = ntpac_store_get_meta (store, "shard");
  s->hash_version = ntpac_store_get_meta (store, "hash_version");
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
  hashes = g_ptr_array_new_with_free_func (g_free);
  while (ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) r = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);
      const gchar *sha256;

      if (r == NULL)
        continue;
      s->inputs++;
      s->capture_bytes += ntpac_record_get_uint (r, "size");
      sha256 = ntpac_record_get_string (r, "sha256");
      g_ptr_array_add (hashes, g_strdup (sha256 != NULL ? sha256 : "-"));
    }
  g_ptr_array_sort (hashes, compare_strings);
  g_ptr_array_add (hashes, NULL);
  s->input_hashes = g_strjoinv (",", (gchar **) hashes->pdata);
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
  if (s->shard != NULL)
    printf (_("  %-16s %s (flow hash version %s)\n"), _("shard"), s->shard,
            s->hash_version != NULL ? s->hash_version : "?");
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
  ntpac_json_key (json, "shard");
  if (s->shard != NULL)
    ntpac_json_string (json, s->shard);
  else
    ntpac_json_null (json);
  ntpac_json_key (json, "hash_version");
  ntpac_json_string (json, s->hash_version);
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

/* Databases of one shard run read together: says, on standard error,
 * which shards are missing, which did not finish, and which do not
 * belong together (other inputs, hash versions or pipelines). */
static void
check_shards (const Stats *all,
              guint        n)
{
  const Stats *first = NULL;
  guint count = 0;
  g_autofree gboolean *present = NULL;

  for (guint i = 0; i < n; i++)
    {
      guint64 k, of;
      g_auto(GStrv) parts = NULL;

      if (all[i].shard == NULL)
        continue;
      parts = g_strsplit (all[i].shard, "/", 2);
      if (g_strv_length (parts) != 2 || !g_ascii_string_to_unsigned (parts[0], 10, 0, 1023, &k, NULL) ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, 1024, &of, NULL) || k >= of)
        continue;
      if (first == NULL)
        {
          first = &all[i];
          count = (guint) of;
          present = g_new0 (gboolean, count);
        }
      if (of != count)
        ntpac_cli_warning (_("%s is shard %s, %s is shard %s: they are not shards of one run"),
                           all[i].path, all[i].shard, first->path, first->shard);
      else if (present[k])
        ntpac_cli_warning (_("%s is shard %s a second time"), all[i].path, all[i].shard);
      else
        present[k] = TRUE;
      if (g_strcmp0 (all[i].input_hashes, first->input_hashes) != 0)
        ntpac_cli_warning (_("%s and %s were made from different inputs (their SHA-256 differ)"),
                           all[i].path, first->path);
      if (g_strcmp0 (all[i].hash_version, first->hash_version) != 0)
        ntpac_cli_warning (_("%s and %s use different flow hash versions (%s and %s): their shards do not fit together"),
                           all[i].path, first->path, all[i].hash_version, first->hash_version);
      if (g_strcmp0 (all[i].pipeline, first->pipeline) != 0)
        ntpac_cli_warning (_("%s and %s ran different pipelines (%s and %s)"),
                           all[i].path, first->path, all[i].pipeline, first->pipeline);
      if (g_strcmp0 (all[i].state, "complete") != 0)
        ntpac_cli_warning (_("Shard %s (%s) is not complete: its run is %s"), all[i].shard, all[i].path,
                           all[i].state != NULL ? all[i].state : "?");
    }
  for (guint k = 0; k < count; k++)
    if (!present[k])
      ntpac_cli_warning (_("Shard %u of %u is absent: the databases given hold only part of the capture"), k, count);
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
  Stats *all;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("stats", error->message);
  if (argc > 1)
    return ntpac_cli_usage_error ("stats", _("Name the databases with -d DB"));
  stores = ntpac_cli_open_databases (databases, "stats");
  if (stores == NULL)
    return NTPAC_EXIT_ERROR;
  all = g_new0 (Stats, stores->len);
  for (guint i = 0; i < stores->len; i++)
    {
      Stats *s = &all[i];

      gather (stores->pdata[i], s);
      if (as_json)
        {
          g_autoptr(GString) out = g_string_new (NULL);
          NtpacJson json;

          ntpac_json_init (&json, out);
          json_stats (&json, s);
          printf ("%s\n", out->str);
        }
      else
        print_text (s);
    }
  check_shards (all, stores->len);
  for (guint i = 0; i < stores->len; i++)
    stats_clear (&all[i]);
  g_free (all);
  return NTPAC_EXIT_OK;
}
