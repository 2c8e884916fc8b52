/* ntpac-cmd-plugins.c: `ntpac-engine plugins`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-json-private.h"

/* A dissector's inputs, outputs and protocol, from its class. */
static void
json_dissector (NtpacJson          *json,
                const NtpacFeature *feature)
{
  g_autoptr(NtpacDissector) d = g_object_new (feature->type, NULL);
  const gchar * const *outputs = ntpac_dissector_get_outputs (d);

  ntpac_json_key (json, "protocol");
  ntpac_json_string (json, ntpac_dissector_get_protocol (d));
  ntpac_json_key (json, "description");
  ntpac_json_string (json, ntpac_dissector_get_description (d));
  ntpac_json_key (json, "inputs");
  ntpac_json_begin_array (json);
  if (ntpac_dissector_accepts (d, NTPAC_DISSECT_INPUT_TCP_STREAM))
    ntpac_json_string (json, "l4/tcp-stream");
  if (ntpac_dissector_accepts (d, NTPAC_DISSECT_INPUT_UDP_DATAGRAM))
    ntpac_json_string (json, "l4/udp-datagram");
  ntpac_json_end_array (json);
  ntpac_json_key (json, "outputs");
  ntpac_json_begin_array (json);
  for (guint i = 0; outputs[i] != NULL; i++)
    ntpac_json_string (json, outputs[i]);
  ntpac_json_end_array (json);
}

static void
json_plugin (NtpacJson             *json,
             const NtpacPluginInfo *info)
{
  ntpac_json_begin_object (json);
  ntpac_json_key (json, "file");
  ntpac_json_string (json, info->path);
  ntpac_json_key (json, "name");
  ntpac_json_string (json, info->name);
  ntpac_json_key (json, "version");
  ntpac_json_string (json, info->version);
  ntpac_json_key (json, "description");
  ntpac_json_string (json, info->description);
  ntpac_json_key (json, "license");
  ntpac_json_string (json, info->license);
  ntpac_json_key (json, "origin");
  ntpac_json_string (json, info->origin);
  ntpac_json_key (json, "loaded");
  ntpac_json_bool (json, info->error == NULL);
  ntpac_json_key (json, "error");
  if (info->error != NULL)
    ntpac_json_string (json, info->error->message);
  else
    ntpac_json_null (json);
  ntpac_json_key (json, "features");
  ntpac_json_begin_array (json);
  for (guint f = 0; f < info->features->len; f++)
    {
      const NtpacFeature *feature = info->features->pdata[f];

      ntpac_json_begin_object (json);
      ntpac_json_key (json, "name");
      ntpac_json_string (json, feature->name);
      ntpac_json_key (json, "kind");
      ntpac_json_string (json, ntpac_feature_kind_to_string (feature->kind));
      ntpac_json_key (json, "rank");
      ntpac_json_uint (json, feature->rank);
      if (feature->kind == NTPAC_FEATURE_DISSECTOR)
        json_dissector (json, feature);
      ntpac_json_end_object (json);
    }
  ntpac_json_end_array (json);
  ntpac_json_end_object (json);
}

static void
print_plugin (const NtpacPluginInfo *info)
{
  if (info->error != NULL)
    {
      printf (_("%s\n  refused: %s\n"), info->path, info->error->message);
      return;
    }
  printf ("%s %s — %s\n", info->name, info->version, info->description);
  printf (_("  file      %s\n  licence   %s, from %s\n"), info->path, info->license, info->origin);
  for (guint f = 0; f < info->features->len; f++)
    {
      const NtpacFeature *feature = info->features->pdata[f];

      printf (_("  %-9s %s (rank %u)\n"), ntpac_feature_kind_to_string (feature->kind), feature->name,
              feature->rank);
    }
}

int
ntpac_cmd_plugins (int    argc,
                   char **argv)
{
  g_auto(GStrv) plugin_paths = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_paths,
      N_("Look for plugins in DIR first (repeat for several)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the plugins found and what they provide"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacRegistry) registry = NULL;
  g_auto(GStrv) search_path = NULL;
  GPtrArray *plugins;
  guint refused = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Plugins are looked for in the --plugin-path folders, then those of\n"
      "NTPAC_PLUGIN_PATH (separated by “:”), then the installed plugin folder.\n"
      "A plugin that cannot be used is listed with the reason."));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("plugins", error->message);

  registry = ntpac_cli_load_registry (plugin_paths);
  plugins = ntpac_registry_get_plugins (registry);
  search_path = ntpac_registry_get_search_path (registry);
  for (guint i = 0; i < plugins->len; i++)
    refused += ((NtpacPluginInfo *) plugins->pdata[i])->error != NULL;

  if (json)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      NtpacJson j;

      ntpac_json_init (&j, out);
      ntpac_json_begin_object (&j);
      ntpac_json_key (&j, "search_path");
      ntpac_json_begin_array (&j);
      for (guint i = 0; search_path[i] != NULL; i++)
        ntpac_json_string (&j, search_path[i]);
      ntpac_json_end_array (&j);
      ntpac_json_key (&j, "plugins");
      ntpac_json_begin_array (&j);
      for (guint i = 0; i < plugins->len; i++)
        json_plugin (&j, plugins->pdata[i]);
      ntpac_json_end_array (&j);
      ntpac_json_end_object (&j);
      printf ("%s\n", out->str);
    }
  else
    {
      for (guint i = 0; i < plugins->len; i++)
        print_plugin (plugins->pdata[i]);
      printf (ngettext ("%u plugin found (%u refused) in:\n", "%u plugins found (%u refused) in:\n",
                        plugins->len),
              plugins->len, refused);
      for (guint i = 0; search_path[i] != NULL; i++)
        printf ("  %s\n", search_path[i]);
    }
  return NTPAC_EXIT_OK;
}
