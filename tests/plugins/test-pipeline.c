/* test-pipeline.c: pipelines in YAML, their errors with FILE:LINE:COLUMN,
 * and settings applied to features through their GParamSpec
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <ntpac/ntpac.h>

static NtpacRegistry *
build_registry (void)
{
  NtpacRegistry *registry = ntpac_registry_new ();
  const gchar *paths[] = { g_getenv ("NTPAC_BUILD_PLUGINS"), NULL };

  ntpac_registry_load (registry, paths);
  return registry;
}

static NtpacPipeline *
parse (const gchar  *text,
       GError      **error)
{
  return ntpac_pipeline_load_data (text, strlen (text), "test.yaml", error);
}

static void
test_shipped_pipelines (void)
{
  static const gchar * const files[] = {
    "offline-forensics.yaml", "live.yaml", "cluster-balancer.yaml", "cluster-reassembler.yaml", NULL
  };
  g_autoptr(NtpacRegistry) registry = build_registry ();

  g_test_summary ("The shipped pipelines parse; the offline and live ones also build "
                  "with the plugins of the build tree.");
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "config", files[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(NtpacPipeline) p = ntpac_pipeline_load_file (path, &error);

      g_assert_no_error (error);
      g_assert_nonnull (p);
      if (i < 2)
        {
          g_autoptr(NtpacTransport) t = ntpac_pipeline_create_transport (p, registry, &error);
          g_autoptr(GPtrArray) d = ntpac_pipeline_create_dissectors (p, registry, &error);

          g_assert_no_error (error);
          g_assert_nonnull (t);
          g_assert_nonnull (d);
        }
    }
}

static void
test_offline_values (void)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "config", "offline-forensics.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacPipeline) p = ntpac_pipeline_load_file (path, &error);
  NtpacEngineConfig defaults;

  g_test_summary ("The default pipeline says what the engine does by default: running it "
                  "or running without it is the same.");
  g_assert_no_error (error);
  ntpac_engine_config_init (&defaults);
  g_assert_cmpstr (p->name, ==, "offline-forensics");
  g_assert_cmpstr (p->transport->name, ==, "local");
  g_assert_cmpuint (p->workers, ==, 0);
  g_assert_true (p->store_enabled);
  g_assert_true (p->store_compress);
  g_assert_false (p->store_wal);
  g_assert_cmpuint (p->store_memory, ==, 64 * 1024 * 1024);
  g_assert_cmpint ((gint64) (p->tcp_idle_s * 1e9), ==, defaults.tracking.tcp_idle_timeout_ns);
  g_assert_cmpint ((gint64) (p->udp_idle_s * 1e9), ==, defaults.tracking.udp_idle_timeout_ns);
  g_assert_cmpint ((gint64) (p->tcp_close_delay_s * 1e9), ==, defaults.tracking.closed_linger_ns);
  g_assert_cmpint ((gint64) (p->fragment_s * 1e9), ==, defaults.decoder.frag_timeout_ns);
  g_assert_cmpuint (p->fragment_memory, ==, defaults.decoder.frag_memory_cap);
  g_assert_cmpuint (p->tracking_memory, ==, defaults.tracking.memory_max_bytes);
}

typedef struct
{
  const gchar *yaml;
  gint         code;
  const gchar *where;
  const gchar *what;
} BadCase;

static void
test_errors (void)
{
  static const BadCase cases[] = {
    { "pipeline: x\nsorce: {}\n", NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, "test.yaml:2:1:", "sorce" },
    { "pipeline: x\nstore:\n  compres: true\n", NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, "test.yaml:3:3:", "compres" },
    { "pipeline: x\nworkers: many\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:10:", "many" },
    { "pipeline: x\nworkers: 5000\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:10:", "5000" },
    { "pipeline: x\nworkers: [1, 2]\n", NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:2:10:", "workers" },
    { "pipeline: x\nstore: { compress: maybe }\n", NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:2:20:", "maybe" },
    { "pipeline: x\nstore: { memory: 12Q }\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:18:", "12Q" },
    { "pipeline: x\nstore: { durability: sometimes }\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:22:", "sometimes" },
    { "pipeline: x\ntimeouts: { tcp-idle: -5 }\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:23:", "-5" },
    { "pipeline: x\nnode: { id: 4, count: 2 }\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:7:", "node id 4" },
    { "pipeline: x\ncluster: { role: boss }\n", NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:2:18:", "boss" },
    { "pipeline: x\ndissectors: [ { settings: {} } ]\n", NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:2:15:", "feature" },
    { "pipeline: x\ndissectors: [ { feature: a, color: red } ]\n", NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, "test.yaml:2:29:", "color" },
    { "pipeline: x\nworkers: 1\nworkers: 2\n", NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, "test.yaml:3:1:", "twice" },
    { "pipeline: x\nstore: &s { enabled: true }\nmemory: *s\n", NTPAC_PIPELINE_ERROR_SYNTAX, "test.yaml:3:9:", "aliases" },
    { "pipeline: x\nworkers: [1\n", NTPAC_PIPELINE_ERROR_SYNTAX, "test.yaml:3:1:", "" },
    { "- just\n- a list\n", NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:1:1:", "mapping" },
    { "workers: 2\n", NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:1:1:", "no name" },
    { "", NTPAC_PIPELINE_ERROR_SYNTAX, "test.yaml:1:1:", "empty" },
    { "pipeline: a\n---\npipeline: b\n", NTPAC_PIPELINE_ERROR_SYNTAX, "test.yaml:3:1:", "one document" },
  };

  g_test_summary ("Unknown keys, wrong types, values out of range and broken YAML each "
                  "give an error that starts with FILE:LINE:COLUMN of the culprit.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NtpacPipeline) p = parse (cases[i].yaml, &error);

      g_assert_null (p);
      if (error == NULL || error->code != cases[i].code ||
          !g_str_has_prefix (error->message, cases[i].where) || strstr (error->message, cases[i].what) == NULL)
        g_error ("case %u: expected %d “%s … %s”, got %s", i, cases[i].code, cases[i].where, cases[i].what,
                 error != NULL ? error->message : "no error");
    }
}

static void
test_bounded (void)
{
  g_autoptr(GString) deep = g_string_new ("pipeline: x\ndissectors: ");
  g_autoptr(GString) large = g_string_new ("pipeline: x\ndescription: \"");
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacPipeline) p = NULL;

  g_test_summary ("Nesting and document size are bounded: a hostile file is an error, "
                  "not a stack overflow or a memory hog.");
  for (guint i = 0; i < 100; i++)
    g_string_append (deep, "[");
  p = parse (deep->str, &error);
  g_assert_null (p);
  g_assert_error (error, NTPAC_PIPELINE_ERROR, NTPAC_PIPELINE_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "test.yaml:"));
  g_clear_error (&error);

  for (guint i = 0; i < 2 * 1024 * 1024 / 8; i++)
    g_string_append (large, "abcdefgh");
  g_string_append (large, "\"\n");
  p = parse (large->str, &error);
  g_assert_null (p);
  g_assert_error (error, NTPAC_PIPELINE_ERROR, NTPAC_PIPELINE_ERROR_TOO_LARGE);
}

static void
test_settings (void)
{
  g_autoptr(NtpacRegistry) registry = build_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacPipeline) p = parse ("pipeline: x\n"
                                      "dissectors:\n"
                                      "  - feature: banner\n"
                                      "    settings: { max-length: 100 }\n", &error);
  g_autoptr(GPtrArray) dissectors = NULL;
  guint max_length = 0;

  g_test_summary ("Settings become the feature's GObject properties.");
  g_assert_no_error (error);
  dissectors = ntpac_pipeline_create_dissectors (p, registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dissectors->len, ==, 1);
  g_object_get (dissectors->pdata[0], "max-length", &max_length, NULL);
  g_assert_cmpuint (max_length, ==, 100);
}

static void
test_feature_errors (void)
{
  static const BadCase cases[] = {
    { "pipeline: x\ndissectors: [ { feature: smtp } ]\n", NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE,
      "test.yaml:2:26:", "smtp" },
    { "pipeline: x\ndissectors:\n  - feature: banner\n    settings: { colour: red }\n",
      NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE, "test.yaml:4:25:", "colour" },
    { "pipeline: x\ndissectors:\n  - feature: banner\n    settings: { max-length: long }\n",
      NTPAC_PIPELINE_ERROR_TYPE, "test.yaml:4:29:", "long" },
    { "pipeline: x\ndissectors:\n  - feature: banner\n    settings: { max-length: 9 }\n",
      NTPAC_PIPELINE_ERROR_RANGE, "test.yaml:4:29:", "max-length" },
    { "pipeline: x\ndissectors: [ banner, banner ]\n", NTPAC_PIPELINE_ERROR_LINK,
      "test.yaml:2:23:", "both write" },
    { "pipeline: x\nsource: { transport: pigeons }\n", NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE,
      "test.yaml:2:22:", "pigeons" },
  };
  g_autoptr(NtpacRegistry) registry = build_registry ();

  g_test_summary ("Unknown features, unknown settings and settings of the wrong type or "
                  "out of the property's range are errors at the setting's place.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NtpacPipeline) p = parse (cases[i].yaml, &error);
      g_autoptr(GPtrArray) dissectors = NULL;
      g_autoptr(NtpacTransport) transport = NULL;

      g_assert_no_error (error);
      transport = ntpac_pipeline_create_transport (p, registry, &error);
      if (error == NULL)
        dissectors = ntpac_pipeline_create_dissectors (p, registry, &error);
      if (error == NULL || error->code != cases[i].code ||
          !g_str_has_prefix (error->message, cases[i].where) || strstr (error->message, cases[i].what) == NULL)
        g_error ("case %u: expected %d “%s … %s”, got %s", i, cases[i].code, cases[i].where, cases[i].what,
                 error != NULL ? error->message : "no error");
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("NTPAC_PLUGIN_SYSTEM_PATH", "", TRUE);
  g_unsetenv ("NTPAC_PLUGIN_PATH");
  g_test_add_func ("/plugins/pipeline/shipped", test_shipped_pipelines);
  g_test_add_func ("/plugins/pipeline/offline-values", test_offline_values);
  g_test_add_func ("/plugins/pipeline/errors", test_errors);
  g_test_add_func ("/plugins/pipeline/bounded", test_bounded);
  g_test_add_func ("/plugins/pipeline/settings", test_settings);
  g_test_add_func ("/plugins/pipeline/feature-errors", test_feature_errors);
  return g_test_run ();
}
