/* test-analyze.c: `analyze` runs a dissector over stored conversations,
 * replacing what it wrote before, without the capture
 *
 * The example `banner` dissector is used: it is always built, and what it
 * must find (the first line of each side) is easy to tell from the
 * generator's ground truth.
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
  gchar *db;
  gchar *bare;       /* a pipeline without dissectors */
  gchar *with_banner;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *truth = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;

  f->dir = g_dir_make_tmp ("ntpac-analyze-XXXXXX", NULL);
  f->capture = g_build_filename (f->dir, "traffic.pcap", NULL);
  f->db = g_build_filename (f->dir, "traffic.db", NULL);
  f->bare = g_build_filename (f->dir, "bare.yaml", NULL);
  f->with_banner = g_build_filename (f->dir, "banner.yaml", NULL);
  truth = ntpac_traffic_gen_truth_path (f->capture);
  ntpac_traffic_gen_options_init (&options);
  options.seed = 5;
  options.target_size = 1024 * 1024;
  options.weight_dns = 0;
  g_assert_true (ntpac_traffic_gen_run (&options, f->capture, truth, &stats, &error));
  g_assert_true (g_file_set_contents (f->bare, "pipeline: bare\ndissectors: []\n", -1, &error));
  g_assert_true (g_file_set_contents (f->with_banner,
                                      "pipeline: banner\ndissectors:\n  - feature: banner\n    settings:\n      max-length: 16\n", -1, &error));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->capture);
  g_free (f->db);
  g_free (f->bare);
  g_free (f->with_banner);
}

static GPtrArray *
query (Fixture     *f,
       const gchar *kind)
{
  g_auto(NtpacTestRun) r = { 0 };

  ntpac_test_run_engine (&r, "query", "-d", f->db, kind, NULL);
  g_assert_cmpint (r.status, ==, 0);
  return ntpac_test_parse_lines (r.out);
}

/* Conversations found through the name index: `query conversations
 * --host`. */
static void
test_query_host (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) http = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GHashTable) found_ids = g_hash_table_new (g_str_hash, g_str_equal);
  const gchar *host = NULL;
  guint with_host = 0;

  g_test_summary ("query conversations --host finds every conversation that carried an "
                  "HTTP transaction to that host, through the name index the run writes; "
                  "a name no record has finds nothing.");
  ntpac_test_run_engine (&r, "run", "-o", f->db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  http = query (f, "http");
  for (guint i = 0; i < http->len && host == NULL; i++)
    if (json_object_has_member (http->pdata[i], "host"))
      host = json_object_get_string_member (http->pdata[i], "host");
  g_assert_nonnull (host);

  ntpac_test_run_engine (&r, "query", "-d", f->db, "conversations", "--host", host, NULL);
  g_assert_cmpint (r.status, ==, 0);
  found = ntpac_test_parse_lines (r.out);
  ntpac_test_run_clear (&r);
  for (guint i = 0; i < found->len; i++)
    g_hash_table_add (found_ids, (gpointer) json_object_get_string_member (found->pdata[i], "conversation"));
  for (guint i = 0; i < http->len; i++)
    if (json_object_has_member (http->pdata[i], "host") &&
        g_str_equal (json_object_get_string_member (http->pdata[i], "host"), host))
      {
        with_host++;
        g_assert_true (g_hash_table_contains (found_ids,
                                              json_object_get_string_member (http->pdata[i], "conversation")));
      }
  g_assert_cmpuint (with_host, >, 0);

  ntpac_test_run_engine (&r, "query", "-d", f->db, "conversations", "--host", "no-such-host.invalid", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Sorted "conversation side text" lines of the banner records. */
static gchar *
banner_summary (GPtrArray *records)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *o = records->pdata[i];

      g_ptr_array_add (lines, g_strdup_printf ("%s %s %s", json_object_get_string_member (o, "conversation"),
                                               json_object_get_string_member (o, "side"),
                                               json_object_get_string_member (o, "text")));
    }
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (const gchar *) lines->pdata[i]);
  return g_string_free (out, FALSE);
}

static guint
count_protocol (GPtrArray   *conversations,
                const gchar *protocol)
{
  guint n = 0;

  for (guint i = 0; i < conversations->len; i++)
    {
      JsonObject *o = conversations->pdata[i];

      if (!json_object_get_null_member (o, "protocol") &&
          g_strcmp0 (json_object_get_string_member (o, "protocol"), protocol) == 0)
        n++;
    }
  return n;
}

static void
test_analyze_equals_run (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autofree gchar *db2 = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) direct = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  g_autofree gchar *after_text = NULL;
  g_autofree gchar *direct_text = NULL;
  g_autofree gchar *again_text = NULL;
  gchar *saved_db;

  g_test_summary ("A run without dissectors then analyze finds what a run with the "
                  "dissector finds; analyzing again replaces the records instead of "
                  "adding to them, and the conversations get their protocol.");
  ntpac_test_run_engine (&r, "run", "-c", f->bare, "-o", f->db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  ntpac_test_run_engine (&r, "query", "-d", f->db, "banner", NULL);
  g_assert_cmpint (r.status, ==, 1);   /* no such kind yet */
  ntpac_test_run_clear (&r);

  /* the capture is gone: analyze needs only the database */
  g_assert_cmpint (g_unlink (f->capture), ==, 0);
  ntpac_test_run_engine (&r, "analyze", "-d", f->db, "-c", f->with_banner, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "with banner"));
  ntpac_test_run_clear (&r);
  after = query (f, "banner");
  g_assert_cmpuint (after->len, >, 10);
  after_text = banner_summary (after);
  conversations = query (f, "conversations");
  g_assert_cmpuint (count_protocol (conversations, "banner"), ==, after->len / 2);

  ntpac_test_run_engine (&r, "analyze", "-d", f->db, "-c", f->with_banner, "--dissector", "banner", NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  again = query (f, "banner");
  again_text = banner_summary (again);
  g_assert_cmpstr (again_text, ==, after_text);

  /* the same capture, dissected while it is read */
  fixture_tear_down (f, NULL);
  fixture_set_up (f, NULL);
  db2 = g_build_filename (f->dir, "direct.db", NULL);
  ntpac_test_run_engine (&r, "run", "-c", f->with_banner, "-o", db2, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  saved_db = f->db;
  f->db = db2;
  direct = query (f, "banner");
  f->db = saved_db;
  direct_text = banner_summary (direct);
  /* conversation ids differ between databases only if timing did: the
   * generator's capture is the same, so they are equal */
  g_assert_cmpstr (direct_text, ==, after_text);
}

/* Sorted "conversation uri sha256" lines of the http records. */
static gchar *
http_summary (GPtrArray *records)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *o = records->pdata[i];

      g_ptr_array_add (lines, g_strdup_printf ("%s %s %s", json_object_get_string_member (o, "conversation"),
                                               json_object_get_string_member_with_default (o, "uri", "-"),
                                               json_object_get_string_member_with_default (o, "response_body_sha256",
                                                                                           "-")));
    }
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (const gchar *) lines->pdata[i]);
  return g_string_free (out, FALSE);
}

static void
test_analyze_replaces_http (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) http_before = NULL;
  g_autoptr(GPtrArray) http_after = NULL;
  g_autoptr(GPtrArray) objects_before = NULL;
  g_autoptr(GPtrArray) objects_after = NULL;
  g_autofree gchar *before_text = NULL;
  g_autofree gchar *after_text = NULL;
  g_autofree gchar *outdir = g_build_filename (f->dir, "objects", NULL);
  g_autofree gchar *index = NULL;

  g_test_summary ("analyze --dissector http over a run that had it already gives the "
                  "same transactions and objects, not twice as many, and the objects "
                  "still export.");
  ntpac_test_run_engine (&r, "run", "-o", f->db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  http_before = query (f, "http");
  objects_before = query (f, "objects");
  g_assert_cmpuint (http_before->len, >, 10);
  g_assert_cmpuint (objects_before->len, >, 5);
  before_text = http_summary (http_before);

  ntpac_test_run_engine (&r, "analyze", "-d", f->db, "--dissector", "http", NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  http_after = query (f, "http");
  objects_after = query (f, "objects");
  after_text = http_summary (http_after);
  g_assert_cmpstr (after_text, ==, before_text);
  g_assert_cmpuint (objects_after->len, ==, objects_before->len);

  ntpac_test_run_engine (&r, "export-objects", "-d", f->db, outdir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  index = g_build_filename (outdir, "index.jsonl", NULL);
  g_assert_true (g_file_test (index, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < objects_after->len; i++)
    {
      const gchar *sha256 = json_object_get_string_member (objects_after->pdata[i], "sha256");
      g_autofree gchar *path = g_build_filename (outdir, sha256, NULL);
      g_autofree gchar *hash = NULL;

      if (!json_object_get_boolean_member (objects_after->pdata[i], "complete"))
        continue;
      hash = ntpac_test_file_sha256 (path);
      g_assert_cmpstr (hash, ==, sha256);
    }
}

static void
test_analyze_errors (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autofree gchar *missing = g_build_filename (f->dir, "no-such.db", NULL);

  g_test_summary ("analyze on a path that is not a database, or with an unknown "
                  "dissector, fails with one line naming it and creates nothing.");
  ntpac_test_run_engine (&r, "analyze", "-d", missing, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no-such.db"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  ntpac_test_run_clear (&r);

  ntpac_test_run_engine (&r, "run", "-c", f->bare, "-o", f->db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  ntpac_test_run_engine (&r, "analyze", "-d", f->db, "--dissector", "no-such-dissector", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no-such-dissector"));
  g_assert_null (strchr (g_strchomp (r.err), '\n'));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/analyze/equals-run", Fixture, NULL, fixture_set_up, test_analyze_equals_run, fixture_tear_down);
  g_test_add ("/analyze/replaces-http", Fixture, NULL, fixture_set_up, test_analyze_replaces_http, fixture_tear_down);
  g_test_add ("/query/host", Fixture, NULL, fixture_set_up, test_query_host, fixture_tear_down);
  g_test_add ("/analyze/errors", Fixture, NULL, fixture_set_up, test_analyze_errors, fixture_tear_down);
  return g_test_run ();
}
