/* test-plugins-cli.c: `plugins`, `run -c PIPELINE` and pipeline errors as
 * a person meets them
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ntpac-test-files.h"
#include "ntpac-test-run.h"
#include "ntpac-traffic-gen.h"

typedef struct
{
  gchar *dir;
  gchar *capture;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *truth = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;

  f->dir = g_dir_make_tmp ("ntpac-plugins-cli-XXXXXX", NULL);
  f->capture = g_build_filename (f->dir, "traffic.pcap", NULL);
  truth = ntpac_traffic_gen_truth_path (f->capture);
  ntpac_traffic_gen_options_init (&options);
  options.seed = 71;
  options.target_size = 1024 * 1024;
  g_assert_true (ntpac_traffic_gen_run (&options, f->capture, truth, &stats, &error));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->capture);
}

static JsonObject *
find_plugin (JsonArray   *plugins,
             const gchar *file)
{
  for (guint i = 0; i < json_array_get_length (plugins); i++)
    {
      JsonObject *p = json_array_get_object_element (plugins, i);

      if (g_str_has_suffix (json_object_get_string_member (p, "file"), file))
        return p;
    }
  g_error ("%s is not listed", file);
  return NULL;
}

static void
test_plugins_command (void)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_auto(NtpacTestRun) text = { 0 };
  g_autoptr(JsonObject) out = NULL;
  JsonArray *plugins;
  JsonObject *local, *banner, *broken;
  JsonObject *feature;

  g_auto(GStrv) envp = g_get_environ ();
  g_autofree gchar *path = g_strdup_printf ("%s:%s", g_getenv ("NTPAC_PLUGIN_PATH"), g_getenv ("NTPAC_BROKEN_PLUGINS"));

  g_test_summary ("plugins lists every plugin found with its version, description, "
                  "licence, file and features, and the refused ones with the reason.");
  /* the broken ones last: one of them claims the name of the local transport */
  envp = g_environ_setenv (envp, "NTPAC_PLUGIN_PATH", path, TRUE);
  ntpac_test_run_engine_env (&r, envp, "plugins", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  out = ntpac_test_parse_object (r.out);
  plugins = json_object_get_array_member (out, "plugins");
  local = find_plugin (plugins, "/libntpac-local.so");
  g_assert_true (json_object_get_boolean_member (local, "loaded"));
  g_assert_cmpstr (json_object_get_string_member (local, "license"), ==, "MIT");
  feature = json_array_get_object_element (json_object_get_array_member (local, "features"), 0);
  g_assert_cmpstr (json_object_get_string_member (feature, "kind"), ==, "transport");
  banner = find_plugin (plugins, "/libntpac-banner.so");
  feature = json_array_get_object_element (json_object_get_array_member (banner, "features"), 0);
  g_assert_cmpstr (json_object_get_string_member (feature, "name"), ==, "banner");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (feature, "outputs"), 0), ==, "banner");
  broken = find_plugin (plugins, "/libntpac-wrong-abi.so");
  g_assert_false (json_object_get_boolean_member (broken, "loaded"));
  g_assert_nonnull (strstr (json_object_get_string_member (broken, "error"), "ABI"));

  ntpac_test_run_engine_env (&text, envp, "plugins", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "refused"));
  g_assert_nonnull (strstr (text.out, "local"));
}

static gchar *
query_conversations (const gchar *db)
{
  g_auto(NtpacTestRun) q = { 0 };

  ntpac_test_run_engine (&q, "query", "-d", db, "conversations", NULL);
  g_assert_cmpint (q.status, ==, 0);
  return g_steal_pointer (&q.out);
}

static void
test_default_pipeline (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree gchar *config = g_test_build_filename (G_TEST_DIST, "config", "offline-forensics.yaml", NULL);
  g_autofree gchar *a = g_build_filename (f->dir, "default.ntpac", NULL);
  g_autofree gchar *b = g_build_filename (f->dir, "named.ntpac", NULL);
  g_autofree gchar *qa = NULL, *qb = NULL;
  g_auto(NtpacTestRun) ra = { 0 };
  g_auto(NtpacTestRun) rb = { 0 };
  g_auto(NtpacTestRun) stats = { 0 };
  g_autoptr(JsonObject) s = NULL;

  g_test_summary ("run -c config/offline-forensics.yaml gives what run gives without it.");
  ntpac_test_run_engine (&ra, "run", "-j", "2", "-o", a, f->capture, NULL);
  ntpac_test_run_engine (&rb, "run", "-j", "2", "-c", config, "-o", b, f->capture, NULL);
  g_assert_cmpint (ra.status, ==, 0);
  g_assert_cmpint (rb.status, ==, 0);
  qa = query_conversations (a);
  qb = query_conversations (b);
  g_assert_cmpstr (qa, ==, qb);
  ntpac_test_run_engine (&stats, "stats", "--json", "-d", b, NULL);
  s = ntpac_test_parse_object (stats.out);
  g_assert_cmpstr (json_object_get_string_member (s, "pipeline"), ==, "offline-forensics");
}

static void
test_pipeline_with_dissector (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree gchar *config = g_build_filename (f->dir, "banners.yaml", NULL);
  g_autofree gchar *db = g_build_filename (f->dir, "banners.ntpac", NULL);
  g_auto(NtpacTestRun) r = { 0 };
  g_auto(NtpacTestRun) q = { 0 };
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A pipeline naming a plugin's dissector, with a setting: its records "
                  "are stored in its own column family and queried by its output's name.");
  g_assert_true (g_file_set_contents (config,
                                      "pipeline: banners\n"
                                      "dissectors:\n"
                                      "  - feature: banner\n"
                                      "    settings: { max-length: 20 }\n", -1, NULL));
  ntpac_test_run_engine (&r, "run", "-c", config, "-o", db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_engine (&q, "query", "-d", db, "banner", NULL);
  g_assert_cmpint (q.status, ==, 0);
  records = ntpac_test_parse_lines (q.out);
  g_assert_cmpuint (records->len, >, 0);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *o = records->pdata[i];

      g_assert_cmpuint (strlen (json_object_get_string_member (o, "text")), <=, 20);
      g_assert_true (json_object_has_member (o, "side"));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "frames")), >, 0);
    }
}

static void
test_pipeline_errors (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree gchar *bad = g_build_filename (f->dir, "bad.yaml", NULL);
  g_autofree gchar *unknown = g_build_filename (f->dir, "unknown.yaml", NULL);
  g_autofree gchar *expected = NULL;
  g_auto(NtpacTestRun) r = { 0 };
  g_auto(NtpacTestRun) u = { 0 };

  g_test_summary ("A pipeline error is one line, FILE:LINE:COLUMN: message, exit status "
                  "1, and nothing is read or written.");
  g_assert_true (g_file_set_contents (bad, "pipeline: x\nstore:\n  memroy: 1G\n", -1, NULL));
  ntpac_test_run_engine (&r, "run", "-c", bad, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 1);
  expected = g_strdup_printf ("ntpac-engine: error: %s:3:3: ", bad);
  g_assert_true (g_str_has_prefix (r.err, expected));
  g_assert_nonnull (strstr (r.err, "memroy"));
  g_assert_cmpstr (strchr (r.err, '\n'), ==, "\n");
  g_assert_cmpstr (r.out, ==, "");

  g_assert_true (g_file_set_contents (unknown, "pipeline: x\ndissectors: [ gopher ]\n", -1, NULL));
  ntpac_test_run_engine (&u, "run", "-c", unknown, f->capture, NULL);
  g_assert_cmpint (u.status, ==, 1);
  g_assert_nonnull (strstr (u.err, ":2:15: "));
  g_assert_nonnull (strstr (u.err, "gopher"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugins/cli/plugins", test_plugins_command);
  g_test_add ("/plugins/cli/default-pipeline", Fixture, NULL, fixture_set_up, test_default_pipeline, fixture_tear_down);
  g_test_add ("/plugins/cli/dissector", Fixture, NULL, fixture_set_up, test_pipeline_with_dissector, fixture_tear_down);
  g_test_add ("/plugins/cli/errors", Fixture, NULL, fixture_set_up, test_pipeline_errors, fixture_tear_down);
  return g_test_run ();
}
