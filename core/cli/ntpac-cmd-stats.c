/* ntpac-cmd-stats.c: `ntpac-engine stats`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-json-private.h"
#include "ntpac-wire-private.h"

/* How long one wait for an agent lasts before signals are looked at. */

/* Column families counted, in the order shown. */
static const gchar * const counted[] = {
  NTPAC_STORE_CF_CONVERSATIONS, NTPAC_STORE_CF_PDUS, "http", "dns", "tls",
  NTPAC_STORE_CF_OBJECTS, NTPAC_STORE_CF_ANOMALIES, NTPAC_STORE_CF_INPUTS,
};

/* What stats reports of one database. */
typedef struct
{
  gchar       *path;
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
  g_free (s->path);
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

  s->path = g_strdup (ntpac_store_get_path (store));
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
text_stats (Stats   *s,
            GString *out)
{
  g_autofree gchar *disk = g_format_size (s->disk_bytes);
  g_autofree gchar *capture = g_format_size (s->capture_bytes);

  g_string_append_printf (out, "%s\n", s->path);
  g_string_append_printf (out, _("  %-16s %s, schema %s, pipeline %s\n"), _("written by"),
          s->engine != NULL ? s->engine : "?", s->schema != NULL ? s->schema : "?",
          s->pipeline != NULL ? s->pipeline : "?");
  if (s->runs > 1)
    g_string_append_printf (out, _("  %-16s %" PRIu64 " appended to one another; the latest:\n"), _("runs"), s->runs);
  g_string_append_printf (out, _("  %-16s %s (started %s%s%s)\n"), _("run"), s->state != NULL ? s->state : "?",
          s->started != NULL ? s->started : "?", s->finished != NULL ? _(", finished ") : "",
          s->finished != NULL ? s->finished : "");
  if (s->shard != NULL)
    g_string_append_printf (out, _("  %-16s %s (flow hash version %s)\n"), _("shard"), s->shard,
            s->hash_version != NULL ? s->hash_version : "?");
  if (g_strcmp0 (s->state, "running") == 0)
    g_string_append_printf (out, _("  %-16s the run is still writing, or was stopped without finishing: what is shown was stored before\n"), "");
  g_string_append_printf (out, _("  %-16s %" PRIu64 " (%s)\n"), _("inputs"), s->inputs, capture);
  if (s->first_ts <= s->last_ts)
    {
      g_autofree gchar *first = ntpac_time_format_rfc3339 (s->first_ts);
      g_autofree gchar *last = ntpac_time_format_rfc3339 (s->last_ts);

      g_string_append_printf (out, _("  %-16s %s to %s\n"), _("time span"), first, last);
    }
  g_string_append_printf (out, _("  %-16s %" PRIu64 " TCP, %" PRIu64 " UDP\n"), _("conversations"), s->tcp, s->udp);
  /* conversations (above) and inputs (before) are not repeated */
  for (guint i = 1; i + 1 < G_N_ELEMENTS (counted); i++)
    g_string_append_printf (out, "  %-16s %" G_GUINT64_FORMAT "\n", counted[i], s->counts[i]);
  g_string_append_printf (out, _("  %-16s %s on disk for %s of capture (%.0f%%)\n"), _("size"), disk, capture,
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

/* What is printed of one database: its text, or one JSON line. */
static gchar *
render (Stats    *s,
        gboolean  as_json)
{
  GString *out = g_string_new (NULL);

  if (as_json)
    {
      NtpacJson json;

      ntpac_json_init (&json, out);
      json_stats (&json, s);
      g_string_append_c (out, '\n');
    }
  else
    text_stats (s, out);
  return g_string_free (out, FALSE);
}

/**
 * ntpac_cli_stats_answer:
 * @transport: a listening transport
 * @peer: the client that asked
 * @paths: (array zero-terminated=1): the databases the agent serves
 * @request: the client's STATS message (the endpoint it asked by)
 * @error: why it could not be answered
 *
 * Describes every database for the client: each as text and as JSON,
 * named by the endpoint the client used and the database's path, and
 * what the client needs to check shards.
 */
gboolean
ntpac_cli_stats_answer (NtpacTransport  *transport,
                        guint            peer,
                        gchar          **paths,
                        GBytes          *request,
                        GError         **error)
{
  NtpacWireMessage m;
  NtpacWireReader r;
  NtpacWireWriter w;
  g_autofree gchar *endpoint = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint32 n = 0;

  if (!ntpac_wire_parse (g_bytes_get_data (request, NULL), g_bytes_get_size (request), &m, error))
    return FALSE;
  ntpac_wire_reader_init (&r, &m);
  if (!ntpac_wire_reader_string (&r, &endpoint, error))
    return FALSE;
  ntpac_wire_writer_init (&w, NTPAC_WIRE_STATS, 0, 1, 0, 0);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) open_error = NULL;
      NtpacStore *store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, &open_error);
      g_autofree gchar *real = NULL, *text = NULL, *json = NULL;
      Stats st = { 0 };

      if (store == NULL)
        {
          ntpac_wire_writer_add_string (&w, NULL);
          ntpac_wire_writer_add_string (&w, open_error->message);
          n++;
          continue;
        }
      gather (store, &st);
      ntpac_cli_close_database (store);
      real = realpath (paths[i], NULL);
      g_free (st.path);
      st.path = g_strconcat (endpoint != NULL ? endpoint : "", real != NULL ? real : paths[i], NULL);
      text = render (&st, FALSE);
      json = render (&st, TRUE);
      ntpac_wire_writer_add_string (&w, st.path);
      ntpac_wire_writer_add_bytes (&w, text, strlen (text));
      ntpac_wire_writer_add_bytes (&w, json, strlen (json));
      ntpac_wire_writer_add_string (&w, st.shard);
      ntpac_wire_writer_add_string (&w, st.hash_version);
      ntpac_wire_writer_add_bytes (&w, st.input_hashes, st.input_hashes != NULL ? strlen (st.input_hashes) : 0);
      ntpac_wire_writer_add_string (&w, st.pipeline);
      ntpac_wire_writer_add_string (&w, st.state);
      stats_clear (&st);
      n++;
    }
  ntpac_wire_writer_set_count (&w, n);
  answer = ntpac_wire_writer_finish (&w);
  return ntpac_transport_send_message (transport, peer, answer, FALSE, error);
}

static gchar *
bytes_text (NtpacWireReader  *r,
            GError          **error)
{
  const guint8 *data;
  gsize len;

  if (!ntpac_wire_reader_bytes (r, &data, &len, error))
    return NULL;
  return g_strndup ((const gchar *) data, len);
}

/* An agent's databases: printed, and their facts added to @all for the
 * shards' check. */
static gboolean
stats_from_agent (const gchar                  *endpoint,
                  const NtpacCliClusterOptions *keys,
                  gint                          agent,
                  gchar                       **plugin_paths,
                  gboolean                      as_json,
                  Stats                        *all,
                  guint                        *n,
                  GError                      **error)
{
  g_autoptr(NtpacTransport) transport = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  NtpacWireWriter w;
  NtpacWireMessage m;
  NtpacWireReader r;
  gboolean ok = FALSE;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_STATS, 0, 1, 0, 0);
  ntpac_wire_writer_add_string (&w, endpoint);
  request = ntpac_wire_writer_finish (&w);
  transport = ntpac_cli_agent_ask (endpoint, keys, agent, plugin_paths, request, error);
  if (transport == NULL)
    goto done;
  answer = ntpac_cli_agent_receive (transport, error);
  if (answer == NULL)
    goto done;
  if (!ntpac_wire_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &m, error))
    goto done;
  if (m.type != NTPAC_WIRE_STATS || m.count > 1024)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED,
                   _("%s: the agent answered with a message of another kind"), endpoint);
      goto done;
    }
  ntpac_wire_reader_init (&r, &m);
  for (guint32 i = 0; i < m.count; i++)
    {
      Stats *s = &all[*n];
      g_autofree gchar *text = NULL, *json = NULL;

      if (!ntpac_wire_reader_string (&r, &s->path, error))
        goto done;
      if (s->path == NULL)
        {
          g_autofree gchar *why = NULL;

          if (ntpac_wire_reader_string (&r, &why, error))
            ntpac_cli_error ("%s: %s", endpoint, why != NULL ? why : "?");
          continue;
        }
      if ((text = bytes_text (&r, error)) == NULL || (json = bytes_text (&r, error)) == NULL ||
          !ntpac_wire_reader_string (&r, &s->shard, error) || !ntpac_wire_reader_string (&r, &s->hash_version, error) ||
          (s->input_hashes = bytes_text (&r, error)) == NULL || !ntpac_wire_reader_string (&r, &s->pipeline, error) ||
          !ntpac_wire_reader_string (&r, &s->state, error))
        {
          stats_clear (s);
          memset (s, 0, sizeof *s);
          goto done;
        }
      fputs (as_json ? json : text, stdout);
      (*n)++;
    }
  ok = TRUE;
done:
  g_clear_pointer (&answer, g_bytes_unref);
  if (transport != NULL)
    ntpac_transport_close (transport);
  if (!ok && error != NULL && *error != NULL)
    g_prefix_error (error, "%s: ", endpoint);
  return ok;
}

int
ntpac_cmd_stats (int    argc,
                 char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  NtpacCliClusterOptions keys = { 0 };
  gboolean as_json = FALSE;
  gint agents = 0;
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
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int status = NTPAC_EXIT_OK;
  guint n = 0;
  Stats *all;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ntpac_cli_add_agent_options (context, &keys, &plugin_paths);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("stats", error->message);
  if (argc > 1)
    return ntpac_cli_usage_error ("stats", _("Name the databases with -d DB"));
  if (databases == NULL || databases[0] == NULL)
    return ntpac_cli_usage_error ("stats", _("No database given: use -d DB (several times to read several as one)"));
  /* an agent describes at most 1024 databases */
  all = g_new0 (Stats, (gsize) g_strv_length (databases) * 1024);
  for (guint d = 0; databases[d] != NULL && status == NTPAC_EXIT_OK; d++)
    {
      if (g_str_has_prefix (databases[d], "tcp://"))
        {
          /* an agent's databases, described there */
          if (!stats_from_agent (databases[d], &keys, agents++, plugin_paths, as_json, all, &n, &error))
            {
              ntpac_cli_error ("%s", error->message);
              status = NTPAC_EXIT_ERROR;
            }
          continue;
        }
      {
        gchar *one[2] = { databases[d], NULL };
        g_autofree gchar *real = realpath (databases[d], NULL);
        g_autoptr(GPtrArray) opened = NULL;
        g_autofree gchar *text = NULL;

        /* the same database named twice is described once */
        if (real != NULL && !g_hash_table_add (seen, g_steal_pointer (&real)))
          continue;
        opened = ntpac_cli_open_databases (one, "stats");

        if (opened == NULL)
          {
            status = NTPAC_EXIT_ERROR;
            break;
          }
        if (opened->len == 0)
          continue;   /* named twice */
        gather (opened->pdata[0], &all[n]);
        text = render (&all[n], as_json);
        fputs (text, stdout);
        n++;
      }
    }
  stores = NULL;
  check_shards (all, n);
  for (guint i = 0; i < n; i++)
    stats_clear (&all[i]);
  g_free (all);
  g_free (keys.curve_secret);
  g_strfreev (keys.curve_server);
  return status;
}
