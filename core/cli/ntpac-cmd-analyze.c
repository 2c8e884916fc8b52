/* ntpac-cmd-analyze.c: `ntpac-engine analyze`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"

/* The dissectors to run: those of the pipeline, with its settings, or
 * only the ones named (a name the pipeline lacks is made with its
 * default settings). */
static GPtrArray *
choose_dissectors (NtpacPipeline  *pipeline,
                   NtpacRegistry  *registry,
                   gchar         **names,
                   GError        **error)
{
  g_autoptr(GPtrArray) configured = ntpac_pipeline_create_dissectors (pipeline, registry, error);
  g_autoptr(GPtrArray) chosen = NULL;

  if (configured == NULL)
    return NULL;
  if (names == NULL || names[0] == NULL)
    return g_steal_pointer (&configured);
  chosen = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint n = 0; names[n] != NULL; n++)
    {
      NtpacDissector *dissector = NULL;

      for (guint i = 0; i < pipeline->dissectors->len && dissector == NULL; i++)
        {
          const NtpacPipelineFeature *f = pipeline->dissectors->pdata[i];

          if (g_str_equal (f->name, names[n]))
            dissector = g_object_ref (configured->pdata[i]);
        }
      if (dissector == NULL)
        dissector = ntpac_registry_create (registry, NTPAC_FEATURE_DISSECTOR, names[n], error);
      if (dissector == NULL)
        return NULL;
      g_ptr_array_add (chosen, dissector);
    }
  return g_steal_pointer (&chosen);
}

int
ntpac_cmd_analyze (int    argc,
                   char **argv)
{
  g_autofree gchar *database = NULL;
  g_autofree gchar *pipeline_path = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  gboolean no_compress = FALSE;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      N_("Analyze the database DB"), N_("DB") },
    { "dissector", 0, 0, G_OPTION_ARG_STRING_ARRAY, &names,
      N_("Run only the dissector NAME (repeat for several; default: those of the pipeline)"), N_("NAME") },
    { "pipeline", 'c', 0, G_OPTION_ARG_FILENAME, &pipeline_path,
      N_("Take the dissectors and their settings from FILE (default: offline-forensics.yaml)"), N_("FILE") },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_paths,
      N_("Look for plugins in DIR first (repeat for several)"), N_("DIR") },
    { "no-compress", 0, 0, G_OPTION_ARG_NONE, &no_compress,
      N_("Store extracted objects uncompressed"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— run dissectors over the conversations of a database"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacPipeline) pipeline = NULL;
  g_autoptr(NtpacRegistry) registry = NULL;
  g_autoptr(GPtrArray) dissectors = NULL;
  g_autofree gchar *list = NULL;
  NtpacStore *store;
  NtpacAnalyzeStats stats;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Reads the conversations a run stored and gives them to the dissectors again, without the\n"
      "capture: a new or updated dissector applies to old evidence. Each dissector's earlier\n"
      "records, and the anomalies it reported, are replaced."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("analyze", error->message);
  if (argc > 1)
    return ntpac_cli_usage_error ("analyze", _("Unexpected argument; the database is given with -d DB"));
  if (database == NULL)
    return ntpac_cli_usage_error ("analyze", _("No database given: use -d DB"));

  /* Checked read-only first: a path that is not a database is not made one. */
  store = ntpac_store_open (database, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error);
  if (store == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  ntpac_store_close (store, NULL);

  pipeline = ntpac_cli_load_pipeline (pipeline_path, &error);
  if (pipeline == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  registry = ntpac_cli_load_registry (plugin_paths);
  dissectors = choose_dissectors (pipeline, registry, names, &error);
  if (dissectors == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  if (dissectors->len == 0)
    {
      ntpac_cli_error (_("No dissector to run: the pipeline “%s” names none"), pipeline->name);
      return NTPAC_EXIT_ERROR;
    }

  store = ntpac_store_open (database, NTPAC_STORE_APPEND, NTPAC_STORE_BULK, &error);
  if (store == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  ok = ntpac_analyze (store, dissectors, !no_compress, &stats, &error);
  {
    g_autoptr(GString) names_used = g_string_new (NULL);

    for (guint i = 0; i < dissectors->len; i++)
      g_string_append_printf (names_used, "%s%s", i > 0 ? "," : "",
                              ntpac_dissector_get_protocol (dissectors->pdata[i]));
    list = g_string_free (g_steal_pointer (&names_used), FALSE);
  }
  if (ok)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree gchar *when = g_date_time_format_iso8601 (now);
      g_autofree gchar *value = g_strdup_printf ("%s %s", when, list);

      ok = ntpac_store_put_meta (store, "analyzed", value, &error);
    }
  if (!ntpac_store_close (store, ok ? &error : NULL))
    ok = FALSE;
  if (!ok)
    {
      ntpac_cli_error (_("Analyzing “%s” failed: %s"), database, error != NULL ? error->message : "");
      return NTPAC_EXIT_ERROR;
    }
  g_print (_("Analyzed %" PRIu64 " conversations of %s with %s: %" PRIu64 " identified, "
             "%" PRIu64 " records, %" PRIu64 " anomalies (%" PRIu64 " earlier entries replaced)\n"),
           stats.conversations, database, list, stats.identified, stats.records, stats.anomalies,
           stats.deleted);
  return NTPAC_EXIT_OK;
}
