/* test-registry.c: loading plugins, and refusing broken ones with a
 * reason and without harm
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>

#include <ntpac/ntpac.h>

/* The registry of the build tree's plugins, then the broken ones. */
static NtpacRegistry *
load_all (void)
{
  NtpacRegistry *registry = ntpac_registry_new ();
  const gchar *paths[] = { g_getenv ("NTPAC_BUILD_PLUGINS"), g_getenv ("NTPAC_BROKEN_PLUGINS"), NULL };

  g_assert_nonnull (paths[0]);
  g_assert_nonnull (paths[1]);
  ntpac_registry_load (registry, paths);
  return registry;
}

static const NtpacPluginInfo *
find_file (NtpacRegistry *registry,
           const gchar   *file)
{
  GPtrArray *plugins = ntpac_registry_get_plugins (registry);

  for (guint i = 0; i < plugins->len; i++)
    {
      const NtpacPluginInfo *info = plugins->pdata[i];
      g_autofree gchar *base = g_path_get_basename (info->path);

      if (g_str_equal (base, file))
        return info;
    }
  g_error ("%s was not found", file);
  return NULL;
}

static void
test_good_plugins (void)
{
  g_autoptr(NtpacRegistry) registry = load_all ();
  const NtpacPluginInfo *local = find_file (registry, "libntpac-local.so");
  const NtpacPluginInfo *banner = find_file (registry, "libntpac-banner.so");
  const NtpacFeature *feature;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) transport = NULL;
  g_autoptr(GPtrArray) dissectors = NULL;

  g_test_summary ("Plugins found in the search path are loaded with their descriptor, "
                  "and their features can be made by name.");
  g_assert_no_error (local->error);
  g_assert_cmpstr (local->name, ==, "local");
  g_assert_cmpstr (local->license, ==, "MIT");
  g_assert_cmpuint (local->features->len, ==, 1);
  g_assert_no_error (banner->error);
  g_assert_cmpstr (banner->version, ==, NTPAC_VERSION);

  feature = ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "local");
  g_assert_nonnull (feature);
  g_assert_true (feature->plugin == local);
  transport = ntpac_registry_create (registry, NTPAC_FEATURE_TRANSPORT, "local", &error);
  g_assert_no_error (error);
  g_assert_true (NTPAC_IS_TRANSPORT (transport));

  /* the example and the bundled dissectors that were built, in rank order:
   * the bundled ones are primary, the example marginal (last) */
  dissectors = ntpac_registry_get_features (registry, NTPAC_FEATURE_DISSECTOR);
  g_assert_cmpuint (dissectors->len, >=, 1);
  g_assert_cmpstr (((NtpacFeature *) dissectors->pdata[dissectors->len - 1])->name, ==, "banner");
  for (guint i = 0; i < dissectors->len; i++)
    g_assert_true (g_strv_contains ((const gchar * const[]) { "banner", "dns", "dtls", "http", "quic", "tls", NULL },
                                    ((NtpacFeature *) dissectors->pdata[i])->name));

  g_assert_null (ntpac_registry_create (registry, NTPAC_FEATURE_DISSECTOR, "nonesuch", &error));
  g_assert_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "nonesuch"));
}

static void
check_refused (NtpacRegistry *registry,
               const gchar   *file,
               gint           code,
               const gchar   *reason)
{
  const NtpacPluginInfo *info = find_file (registry, file);

  g_assert_error (info->error, NTPAC_PLUGIN_ERROR, code);
  if (strstr (info->error->message, reason) == NULL)
    g_error ("%s: expected “%s” in “%s”", file, reason, info->error->message);
  g_assert_nonnull (strstr (info->error->message, file));
  g_assert_cmpuint (info->features->len, ==, 0);
}

static void
test_broken_plugins (void)
{
  g_autoptr(NtpacRegistry) registry = load_all ();
  const NtpacFeature *local;

  g_test_summary ("Each broken plugin is refused with its own clear reason, naming the "
                  "file; none stops the others from loading or crashes the process.");
  check_refused (registry, "libntpac-wrong-abi.so", NTPAC_PLUGIN_ERROR_ABI_MISMATCH, "ABI 42");
  check_refused (registry, "libntpac-no-symbol.so", NTPAC_PLUGIN_ERROR_MODULE, "ntpac_plugin_no_symbol_get_desc");
  check_refused (registry, "libntpac-no-license.so", NTPAC_PLUGIN_ERROR_INVALID_DESC, "no license");
  check_refused (registry, "libntpac-misnamed.so", NTPAC_PLUGIN_ERROR_INVALID_DESC, "someone_else");
  check_refused (registry, "libntpac-init-fails.so", NTPAC_PLUGIN_ERROR_INIT_FAILED, "licence key file is missing");
  check_refused (registry, "libntpac-duplicate.so", NTPAC_PLUGIN_ERROR_DUPLICATE, "already provided by the plugin “local”");
  check_refused (registry, "libntpac-not-a-dissector.so", NTPAC_PLUGIN_ERROR_INVALID_DESC, "not a concrete NtpacDissector");
  /* what a failed init registered is not there */
  g_assert_null (ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "never-there"));
  /* the first plugin of a name wins */
  local = ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "local");
  g_assert_cmpstr (local->plugin->name, ==, "local");
}

static void
test_not_a_module (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-plugins-XXXXXX", NULL);
  g_autofree gchar *garbage = g_build_filename (dir, "libntpac-garbage.so", NULL);
  g_autofree gchar *misnamed = g_build_filename (dir, "plugin.so", NULL);
  g_autoptr(NtpacRegistry) registry = ntpac_registry_new ();
  g_autoptr(GError) error = NULL;

  g_test_summary ("A file that is not a shared object, or not named like a plugin, is "
                  "refused with the reason.");
  g_assert_true (g_file_set_contents (garbage, "#!/bin/sh\necho not a plugin\n", -1, NULL));
  g_assert_false (ntpac_registry_load_file (registry, garbage, &error));
  g_assert_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "libntpac-garbage.so"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (misnamed, "", 0, NULL));
  g_assert_false (ntpac_registry_load_file (registry, misnamed, &error));
  g_assert_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE);
  g_unlink (garbage);
  g_unlink (misnamed);
  g_rmdir (dir);
}

static void
test_search_path (void)
{
  g_autoptr(NtpacRegistry) registry = ntpac_registry_new ();
  const gchar *first[] = { "/first/a:/first/b", NULL };
  g_auto(GStrv) path = NULL;

  g_test_summary ("--plugin-path folders come first, then NTPAC_PLUGIN_PATH, then the "
                  "system folder (NTPAC_PLUGIN_SYSTEM_PATH here).");
  g_setenv ("NTPAC_PLUGIN_PATH", "/env/a:/env/b", TRUE);
  g_setenv ("NTPAC_PLUGIN_SYSTEM_PATH", "/system", TRUE);
  ntpac_registry_load (registry, first);
  path = ntpac_registry_get_search_path (registry);
  g_assert_cmpuint (g_strv_length (path), ==, 5);
  g_assert_cmpstr (path[0], ==, "/first/a");
  g_assert_cmpstr (path[1], ==, "/first/b");
  g_assert_cmpstr (path[2], ==, "/env/a");
  g_assert_cmpstr (path[3], ==, "/env/b");
  g_assert_cmpstr (path[4], ==, "/system");
  g_assert_cmpuint (ntpac_registry_get_plugins (registry)->len, ==, 0);
}

static void
test_dissector_metadata (void)
{
  g_autoptr(NtpacRegistry) registry = load_all ();
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacDissector) banner = ntpac_registry_create (registry, NTPAC_FEATURE_DISSECTOR, "banner", &error);
  NtpacSeverity severity;
  const gchar *description = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ntpac_dissector_get_protocol (banner), ==, "banner");
  g_assert_true (ntpac_dissector_accepts (banner, NTPAC_DISSECT_INPUT_TCP_STREAM));
  g_assert_false (ntpac_dissector_accepts (banner, NTPAC_DISSECT_INPUT_UDP_DATAGRAM));
  g_assert_true (ntpac_dissector_port_hint (banner, NTPAC_DISSECT_INPUT_TCP_STREAM, 22));
  g_assert_false (ntpac_dissector_port_hint (banner, NTPAC_DISSECT_INPUT_TCP_STREAM, 80));
  g_assert_cmpstr (ntpac_dissector_get_outputs (banner)[0], ==, "banner");
  g_assert_null (ntpac_dissector_get_outputs (banner)[1]);
  g_assert_true (ntpac_dissector_describe_anomaly (banner, "banner.too-long", &severity, &description));
  g_assert_cmpint (severity, ==, NTPAC_SEVERITY_INFO);
  g_assert_nonnull (description);
  g_assert_false (ntpac_dissector_describe_anomaly (banner, "banner.other", NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("NTPAC_PLUGIN_PATH");
  g_setenv ("NTPAC_PLUGIN_SYSTEM_PATH", "", TRUE);
  g_test_add_func ("/plugins/registry/good", test_good_plugins);
  g_test_add_func ("/plugins/registry/broken", test_broken_plugins);
  g_test_add_func ("/plugins/registry/not-a-module", test_not_a_module);
  g_test_add_func ("/plugins/registry/dissector-metadata", test_dissector_metadata);
  /* last: it changes the environment */
  g_test_add_func ("/plugins/registry/search-path", test_search_path);
  return g_test_run ();
}
