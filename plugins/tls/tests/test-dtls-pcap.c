/* test-dtls-pcap.c: the dtls dissector in the engine, on a real handshake
 *
 * dtls-test-handshake.c runs a DTLS 1.2 handshake between an OpenSSL
 * client and server in this process (a HelloVerifyRequest exchange, a
 * Certificate in fragments over several datagrams, one application data
 * record each way) and writes its datagrams to a capture in a temporary
 * folder; ntpac-engine (NTPAC_ENGINE) then runs a pipeline of the dtls
 * feature over it. The expected values are those the generator set or
 * OpenSSL negotiated. When tshark is installed, it must find the same
 * server name in the capture.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "dtls-test-handshake.h"
#include "ntpac-test-files.h"

/* The folder of the plugins, the first argument. */
static const gchar *plugin_dir;

typedef struct
{
  gchar *dir;
  gchar *capture;
  DtlsTestHandshake handshake;
} Fixture;

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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("test-dtls-XXXXXX", &error);
  g_assert_no_error (error);
  f->capture = g_build_filename (f->dir, "dtls12.pcap", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  (void) data;
  dtls_test_handshake_clear (&f->handshake);
  ntpac_test_remove_tree (f->dir);
  g_free (f->capture);
  g_free (f->dir);
}

static void
generate (Fixture  *f,
          gboolean  stun)
{
  DtlsTestOptions options = { .link_mtu = 400, .stun = stun };
  DtlsTestHandshake *hs = &f->handshake;
  g_autoptr(GError) error = NULL;

  g_assert_true (dtls_test_handshake_write (&options, f->capture, hs, &error));
  g_assert_no_error (error);
  g_test_message ("%u frames (%u STUN), cipher 0x%04x, Certificate in %u fragments "
                  "over %u datagrams", hs->n_frames, hs->n_stun_frames, hs->cipher,
                  hs->n_certificate_fragments, hs->n_certificate_datagrams);

  /* What the capture must hold for the checks below to mean anything. */
  g_assert_cmphex (hs->version, ==, 0xfefd);
  g_assert_cmpstr (hs->alpn, ==, DTLS_TEST_ALPN);
  g_assert_true (hs->hello_verify);
  g_assert_cmpuint (hs->n_client_hellos, ==, 2);
  g_assert_cmpuint (hs->n_certificate_datagrams, >=, 2);
  g_assert_cmpuint (hs->n_certificate_fragments, >=, hs->n_certificate_datagrams);
  g_assert_cmpuint (hs->n_application_records, ==, 2);
  g_assert_cmpuint (hs->n_stun_frames, ==, stun ? 4 : 0);
}

/* Runs the engine over the capture. */
static void
check_engine (Fixture *f)
{
  const gchar *engine = g_getenv ("NTPAC_ENGINE");
  const DtlsTestHandshake *hs = &f->handshake;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pipeline = g_build_filename (f->dir, "dtls.yaml", NULL);
  g_autofree gchar *db = g_build_filename (f->dir, "out.ntpac", NULL);
  g_autofree gchar *lines = NULL;
  g_autofree gchar *conversations = NULL;
  g_autofree gchar *cipher = g_strdup_printf ("0x%04x", hs->cipher);
  g_auto(GStrv) records = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) conversation = json_parser_new ();
  JsonObject *record, *leaf;
  JsonArray *certificates, *san, *alpn;

  g_assert_nonnull (engine);
  g_assert_true (g_file_set_contents (pipeline,
                                      "pipeline: dtls-test\n"
                                      "dissectors:\n"
                                      "  - feature: dtls\n", -1, &error));
  g_assert_no_error (error);
  {
    const gchar *argv[] = {
      engine, "run", "-c", pipeline, "--plugin-path", plugin_dir, "-o", db, f->capture, NULL,
    };
    g_free (run (argv));
  }
  {
    const gchar *argv[] = { engine, "query", "-d", db, "dtls", NULL };
    lines = run (argv);
  }
  {
    const gchar *argv[] = { engine, "query", "-d", db, "conversations", NULL };
    conversations = run (argv);
  }

  records = g_strsplit (g_strstrip (lines), "\n", -1);
  g_assert_cmpuint (g_strv_length (records), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, records[0], -1, &error));
  g_assert_no_error (error);
  record = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (record, "sni"), ==, DTLS_TEST_SERVER_NAME);
  g_assert_cmpstr (json_object_get_string_member (record, "version"), ==, "DTLS 1.2");
  g_assert_cmpstr (json_object_get_string_member (record, "cipher"), ==, cipher);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (record, "ja4"), "dd2d"));
  g_assert_true (json_object_get_boolean_member (record, "hello_verify"));
  g_assert_true (json_object_get_boolean_member (record, "complete"));
  alpn = json_object_get_array_member (record, "alpn");
  g_assert_cmpuint (json_array_get_length (alpn), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (alpn, 0), ==, DTLS_TEST_ALPN);
  certificates = json_object_get_array_member (record, "certificates");
  g_assert_cmpuint (json_array_get_length (certificates), ==, 1);
  leaf = json_array_get_object_element (certificates, 0);
  g_assert_cmpstr (json_object_get_string_member (leaf, "subject"), ==, hs->subject);
  g_assert_cmpstr (json_object_get_string_member (leaf, "serial"), ==, hs->serial_hex);
  g_assert_cmpstr (json_object_get_string_member (leaf, "sha256"), ==,
                   hs->certificate_sha256);
  san = json_object_get_array_member (leaf, "san");
  g_assert_cmpuint (json_array_get_length (san), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (san, 0), ==, DTLS_TEST_SERVER_NAME);
  g_assert_cmpstr (json_array_get_string_element (san, 1), ==, DTLS_TEST_ALT_NAME);

  g_assert_true (json_parser_load_from_data (conversation, g_strstrip (conversations), -1,
                                             &error));
  g_assert_no_error (error);
  record = json_node_get_object (json_parser_get_root (conversation));
  g_assert_cmpstr (json_object_get_string_member (record, "protocol"), ==, "dtls");
  g_assert_cmpint (json_object_get_int_member (record, "packets"), ==, hs->n_frames);
}

/* tshark's reading of the capture, when it is installed: the server
 * name of each ClientHello. */
static void
check_tshark (Fixture *f)
{
  g_autofree gchar *tshark = g_find_program_in_path ("tshark");
  g_autofree gchar *out = NULL;
  g_auto(GStrv) names = NULL;

  if (tshark == NULL)
    {
      g_test_message ("tshark is not installed: not compared");
      return;
    }
  {
    const gchar *argv[] = {
      tshark, "-r", f->capture, "-Y", "dtls.handshake.type==1",
      "-T", "fields", "-e", "dtls.handshake.extensions_server_name", NULL,
    };
    out = run (argv);
  }
  names = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (names), ==, f->handshake.n_client_hellos);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (names[i], ==, DTLS_TEST_SERVER_NAME);
}

static void
test_openssl (Fixture       *f,
              gconstpointer  data)
{
  (void) data;
  g_test_summary ("An OpenSSL DTLS 1.2 handshake with a HelloVerifyRequest and a "
                  "Certificate in fragments over several datagrams gives one dtls "
                  "record with the SNI, ALPN, cipher and certificate the two ends "
                  "used; the conversation's protocol is dtls.");

  generate (f, FALSE);
  check_engine (f);
  check_tshark (f);
}

static void
test_stun (Fixture       *f,
           gconstpointer  data)
{
  (void) data;
  g_test_summary ("STUN binding requests and responses before the DTLS handshake and "
                  "before its application data, on the same 5-tuple, are told apart "
                  "from DTLS (RFC 7983): the dtls record is the same as without them.");

  generate (f, TRUE);
  check_engine (f);
  check_tshark (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  plugin_dir = argv[1];
  g_test_add ("/dtls/pcap/openssl", Fixture, NULL,
              fixture_set_up, test_openssl, fixture_tear_down);
  g_test_add ("/dtls/pcap/openssl-stun", Fixture, NULL,
              fixture_set_up, test_stun, fixture_tear_down);
  return g_test_run ();
}
