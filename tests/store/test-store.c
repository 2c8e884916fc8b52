/* test-store.c: the evidence store: what a run writes reads back the same,
 * and databases that are not ours, or are newer, are refused
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-files.h"
#include "ntpac-traffic-gen.h"
#include "stored-conversations.h"

typedef struct
{
  gchar *dir;
  gchar *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("ntpac-store-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "evidence.ntpac", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static NtpacStore *
open_store (const gchar    *path,
            NtpacStoreMode  mode)
{
  g_autoptr(GError) error = NULL;
  NtpacStore *store = ntpac_store_open (path, mode, NTPAC_STORE_BULK, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
close_store (NtpacStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ntpac_store_close (store, &error));
  g_assert_no_error (error);
}

static void
run_into_store (const gchar *capture,
                const gchar *db,
                guint        n_workers)
{
  const gchar *inputs[] = { capture, NULL };
  g_autoptr(NtpacEngine) engine = NULL;
  NtpacStore *store = open_store (db, NTPAC_STORE_CREATE);
  NtpacEngineConfig config;
  const NtpacRunStats *stats;

  ntpac_engine_config_init (&config);
  config.n_workers = n_workers;
  config.store = store;
  config.compress_payload = TRUE;
  engine = ntpac_engine_new (inputs, &config);
  ntpac_engine_run (engine);
  stats = ntpac_engine_get_stats (engine);
  g_assert_null (stats->store_error);
  g_assert_cmpuint (stats->actors_failed, ==, 0);
  g_assert_cmpuint (stats->stored_conversations, ==, stats->conversations[0] + stats->conversations[1]);
  g_clear_pointer (&engine, ntpac_engine_free);
  close_store (store);
}

static void
test_roundtrip (Fixture       *f,
                gconstpointer  data)
{
  g_autofree gchar *capture = g_build_filename (f->dir, "traffic.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autoptr(GHashTable) stored = NULL;
  g_autoptr(GError) error = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats gen_stats;
  guint flows, identical;

  g_test_summary ("Payloads read back from the store (through its payload files, compressed "
                  "or not) are byte-identical to what the generator sent, missing bytes are "
                  "counted exactly, and every conversation has all its PDUs and frames.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 21;
  options.target_size = 8 * 1024 * 1024;
  options.loss_rate = 0.01;
  options.duplicate_rate = 0.01;
  options.reorder_rate = 0.02;
  options.ipv6_ratio = 0.3;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &gen_stats, &error));
  run_into_store (capture, f->db, 2);
  stored = stored_conversations_read (f->db);

  identical = stored_conversations_check (stored, truth, TRUE);
  flows = g_hash_table_size (stored);
  g_assert_cmpuint (identical, >, flows);
  g_test_message ("%u conversations, %u directions byte-identical", flows, identical);
}

static void
test_meta (Fixture       *f,
           gconstpointer  data)
{
  g_autofree gchar *capture = g_build_filename (f->dir, "traffic.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *schema = NULL, *hash = NULL, *state = NULL, *engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autofree gchar *sha = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats gen_stats;
  guint8 key[4];
  NtpacStore *store;

  g_test_summary ("meta names the schema, engine and hash versions and the run's state; "
                  "inputs records each input's path, size, SHA-256, times and frames.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 22;
  options.target_size = 1024 * 1024;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &gen_stats, &error));
  run_into_store (capture, f->db, 1);

  store = open_store (f->db, NTPAC_STORE_READ);
  schema = ntpac_store_get_meta (store, "schema");
  hash = ntpac_store_get_meta (store, "hash_version");
  state = ntpac_store_get_meta (store, "state");
  engine = ntpac_store_get_meta (store, "engine");
  g_assert_cmpstr (schema, ==, "1");
  g_assert_nonnull (hash);
  g_assert_cmpstr (state, ==, "complete");
  g_assert_true (g_str_has_prefix (engine, "ntpac-engine "));

  ntpac_store_put_u32 (key, 0);
  input = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_INPUTS), key, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (input);
  record = ntpac_record_decode (g_bytes_get_data (input, NULL), g_bytes_get_size (input), G_VARIANT_TYPE_VARDICT, &error);
  g_assert_no_error (error);
  sha = ntpac_test_file_sha256 (capture);
  g_assert_cmpstr (ntpac_record_get_string (record, "path"), ==, capture);
  g_assert_cmpstr (ntpac_record_get_string (record, "sha256"), ==, sha);
  g_assert_cmpuint (ntpac_record_get_uint (record, "frames"), ==, gen_stats.packets);
  g_assert_cmpint (ntpac_record_get_int (record, "first_ts"), <=, ntpac_record_get_int (record, "last_ts"));
  close_store (store);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autofree gchar *file = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree gchar *folder = g_build_filename (f->dir, "photos", NULL);
  g_autofree gchar *photo = g_build_filename (folder, "a.jpg", NULL);
  g_autofree gchar *missing = g_build_filename (f->dir, "missing.ntpac", NULL);
  g_autoptr(GError) error = NULL;
  NtpacStore *store;

  g_test_summary ("A new database is never written over anything: an existing database "
                  "is refused unless appending, and files or folders that are not "
                  "databases are refused for reading and writing.");
  close_store (open_store (f->db, NTPAC_STORE_CREATE));
  g_assert_null (ntpac_store_open (f->db, NTPAC_STORE_CREATE, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  close_store (open_store (f->db, NTPAC_STORE_APPEND));

  g_assert_true (g_file_set_contents (file, "not a database", -1, NULL));
  g_assert_null (ntpac_store_open (file, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  g_assert_null (ntpac_store_open (file, NTPAC_STORE_CREATE, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (photo, "\xff\xd8\xff", 3, NULL));
  g_assert_null (ntpac_store_open (folder, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  g_assert_null (ntpac_store_open (folder, NTPAC_STORE_APPEND, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  /* the folder was left as it was */
  g_assert_true (g_file_test (photo, G_FILE_TEST_IS_REGULAR));

  g_assert_null (ntpac_store_open (missing, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  store = open_store (f->db, NTPAC_STORE_READ);
  g_assert_true (ntpac_store_is_read_only (store));
  close_store (store);
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  NtpacStore *store = open_store (f->db, NTPAC_STORE_CREATE);

  g_test_summary ("A database written by a newer engine (a higher schema version) is "
                  "refused, for reading and for appending, with a message saying so.");
  g_assert_true (ntpac_store_put_meta (store, "schema", "99", &error));
  close_store (store);
  g_assert_null (ntpac_store_open (f->db, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);
  g_assert_null (ntpac_store_open (f->db, NTPAC_STORE_APPEND, NTPAC_STORE_BULK, &error));
  g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_SCHEMA);
}

static void
test_read_while_writing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  NtpacStore *writer = ntpac_store_open (f->db, NTPAC_STORE_CREATE, NTPAC_STORE_WAL, &error);
  NtpacStore *reader;
  NtpacStoreBatch *batch;
  g_autoptr(GBytes) seen = NULL;
  g_autoptr(GBytes) unseen = NULL;
  gint cf;

  g_test_summary ("A database can be opened for reading while a run still has it open for "
                  "writing; the reader sees what was committed before it opened.");
  g_assert_no_error (error);
  cf = ntpac_store_cf_id (writer, NTPAC_STORE_CF_ANOMALIES);
  batch = ntpac_store_batch_new (writer);
  ntpac_store_batch_put (batch, cf, "k1", 2, "v1", 2);
  g_assert_true (ntpac_store_batch_commit (batch, &error));
  ntpac_store_batch_free (batch);

  reader = open_store (f->db, NTPAC_STORE_READ);
  batch = ntpac_store_batch_new (writer);
  ntpac_store_batch_put (batch, cf, "k2", 2, "v2", 2);
  g_assert_true (ntpac_store_batch_commit (batch, &error));
  ntpac_store_batch_free (batch);

  seen = ntpac_store_get (reader, ntpac_store_cf_id (reader, NTPAC_STORE_CF_ANOMALIES), "k1", 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (seen);
  g_assert_cmpmem (g_bytes_get_data (seen, NULL), g_bytes_get_size (seen), "v1", 2);
  unseen = ntpac_store_get (reader, ntpac_store_cf_id (reader, NTPAC_STORE_CF_ANOMALIES), "k2", 2, &error);
  g_assert_no_error (error);
  g_assert_null (unseen);
  close_store (reader);
  close_store (writer);
}

static void
test_damaged_payload (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree gchar *capture = g_build_filename (f->dir, "traffic.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *payload_dir = NULL;
  g_autoptr(GError) error = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats gen_stats;
  NtpacStore *store;
  const guint8 *key, *value;
  gsize key_len, value_len;
  guint failed = 0, read = 0;

  g_test_summary ("A payload file cut short after the run gives an error for the payloads "
                  "that are gone, never a crash or garbage.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 23;
  options.target_size = 1024 * 1024;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &gen_stats, &error));
  run_into_store (capture, f->db, 1);

  store = open_store (f->db, NTPAC_STORE_READ);
  payload_dir = ntpac_store_get_payload_dir (store);
  {
    g_autoptr(GDir) dir = g_dir_open (payload_dir, 0, &error);
    const gchar *name;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *path = g_build_filename (payload_dir, name, NULL);
        struct stat st;

        g_assert_cmpint (g_stat (path, &st), ==, 0);
        g_assert_cmpint (truncate (path, st.st_size / 2), ==, 0);
      }
  }
  {
    g_autoptr(NtpacStoreIter) it =
      ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_PDUS), NULL, 0, NULL, 0);

    while (ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
      {
        g_autoptr(GVariant) pdu = ntpac_record_decode (value, value_len, G_VARIANT_TYPE (NTPAC_STORE_PDU_TYPE), NULL);
        g_autoptr(GBytes) payload = ntpac_store_read_payload (store, pdu, &error);

        if (payload == NULL)
          {
            g_assert_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED);
            g_clear_error (&error);
            failed++;
          }
        else
          read++;
      }
  }
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpuint (read, >, 0);
  close_store (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/roundtrip", Fixture, NULL, fixture_set_up, test_roundtrip, fixture_tear_down);
  g_test_add ("/store/meta-and-inputs", Fixture, NULL, fixture_set_up, test_meta, fixture_tear_down);
  g_test_add ("/store/refusals", Fixture, NULL, fixture_set_up, test_refusals, fixture_tear_down);
  g_test_add ("/store/newer-schema", Fixture, NULL, fixture_set_up, test_newer_schema, fixture_tear_down);
  g_test_add ("/store/read-while-writing", Fixture, NULL, fixture_set_up, test_read_while_writing, fixture_tear_down);
  g_test_add ("/store/damaged-payload", Fixture, NULL, fixture_set_up, test_damaged_payload, fixture_tear_down);
  return g_test_run ();
}
