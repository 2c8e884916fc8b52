/* test-quic-pcap.c: the quic dissector on a public capture
 *
 * Runs ntpac-engine (NTPAC_ENGINE) with a pipeline of the quic feature
 * over noise_zeek_quic_chromium_fragmented.pcap of the public corpus
 * (NTPAC_SHARED_PCAPS; the test skips when it is not there): a Chromium
 * 115 connection to www.google.de whose ClientHello is cut into many
 * CRYPTO frames, out of order, between PING and PADDING frames. The
 * expected values are those tshark 4.0 shows for it:
 *   tshark -r FILE -Y quic -T fields -e tls.handshake.extensions_server_name
 *   (and -e quic.dcid, quic.scid, tls.handshake.extensions_alpn_str,
 *   tls.handshake.ciphersuite, tls.handshake.ja3, quic.long.packet_type)
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define CAPTURE "noise_zeek_quic_chromium_fragmented.pcap"

static gchar *
run (const gchar *const *argv)
{
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(GError) error = NULL;
  gint status = -1;

  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

static void
test_chromium (gconstpointer data)
{
  const gchar *plugin_dir = data;
  const gchar *pcaps = g_getenv ("NTPAC_SHARED_PCAPS");
  const gchar *engine = g_getenv ("NTPAC_ENGINE");
  g_autofree gchar *capture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *pipeline = NULL;
  g_autofree gchar *db = NULL;
  g_autofree gchar *lines = NULL;
  g_auto(GStrv) records = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *record;
  JsonArray *alpn;

  g_test_summary ("A Chromium QUIC connection with its ClientHello in "
                  "scattered CRYPTO frames gives one quic record with the "
                  "SNI, ALPN, connection ids, cipher, JA3 and packet "
                  "counts tshark shows.");

  capture = pcaps != NULL ? g_build_filename (pcaps, CAPTURE, NULL) : NULL;
  if (capture == NULL || !g_file_test (capture, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the public capture corpus (../shared/pcaps) is not there");
      return;
    }
  g_assert_nonnull (engine);

  dir = g_dir_make_tmp ("test-quic-XXXXXX", &error);
  g_assert_no_error (error);
  pipeline = g_build_filename (dir, "quic.yaml", NULL);
  db = g_build_filename (dir, "out.ntpac", NULL);
  g_assert_true (g_file_set_contents (pipeline,
                                      "pipeline: quic-test\n"
                                      "dissectors:\n"
                                      "  - feature: quic\n", -1, &error));
  g_assert_no_error (error);
  {
    const gchar *argv[] = {
      engine, "run", "-c", pipeline, "--plugin-path", plugin_dir, "-o", db, capture, NULL,
    };
    g_free (run (argv));
  }
  {
    const gchar *argv[] = { engine, "query", "-d", db, "quic", NULL };
    lines = run (argv);
  }

  records = g_strsplit (g_strstrip (lines), "\n", -1);
  g_assert_cmpuint (g_strv_length (records), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, records[0], -1, &error));
  g_assert_no_error (error);
  record = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (record, "sni"), ==, "www.google.de");
  g_assert_cmpstr (json_object_get_string_member (record, "version"), ==, "QUIC v1");
  g_assert_cmpstr (json_object_get_string_member (record, "dcid"), ==, "5a37463b0eb7cc5d");
  g_assert_cmpstr (json_object_get_string_member (record, "scid"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (record, "server_scid"), ==, "da37463b0eb7cc5d");
  g_assert_cmpstr (json_object_get_string_member (record, "cipher"), ==, "0x1301");
  g_assert_cmpstr (json_object_get_string_member (record, "ja3"), ==,
                   "d0b6d21da230b6eb1fa42d221ec5b3e2");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (record, "ja4"), "q13d0310h3_"));
  alpn = json_object_get_array_member (record, "alpn");
  g_assert_cmpuint (json_array_get_length (alpn), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (alpn, 0), ==, "h3");
  g_assert_cmpint (json_object_get_int_member (record, "initial_packets"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (record, "handshake_packets"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (record, "one_rtt_packets"), ==, 908);
  g_assert_true (json_object_get_boolean_member (record, "complete"));

  {
    const gchar *argv[] = { "rm", "-rf", dir, NULL };
    g_free (run (argv));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  g_test_add_data_func ("/quic/pcap/chromium-fragmented", argv[1], test_chromium);
  return g_test_run ();
}
