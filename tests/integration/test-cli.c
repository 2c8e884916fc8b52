/* test-cli.c: the ntpac-engine command line, as a person runs it
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)

typedef struct
{
  gint   status;
  gchar *out;
  gchar *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_engine_va (Run          *r,
               gchar       **envp,
               const gchar  *first,
               va_list       args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const gchar *engine = g_getenv ("NTPAC_ENGINE");
  const gchar *arg;

  g_assert_nonnull (engine);
  g_ptr_array_add (argv, (gpointer) engine);
  for (arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  memset (r, 0, sizeof *r);
  g_spawn_sync (NULL, (gchar **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &r->status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (r->status));
  r->status = WEXITSTATUS (r->status);
}

/* Runs ntpac-engine with @args (NULL-terminated) and returns its exit
 * status, standard output and standard error. */
static void
run_engine (Run         *r,
            const gchar *first,
            ...)
{
  va_list args;

  va_start (args, first);
  run_engine_va (r, NULL, first, args);
  va_end (args);
}

/* The same in Czech. */
static void
run_engine_czech (Run         *r,
                  const gchar *first,
                  ...)
{
  g_auto(GStrv) envp = g_get_environ ();
  va_list args;

  envp = g_environ_setenv (envp, "LANGUAGE", "cs", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  va_start (args, first);
  run_engine_va (r, envp, first, args);
  va_end (args);
}

static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A capture with TCP over IPv4, UDP over IPv6 in a VLAN, an IPv4
 * datagram in three fragments, and one frame whose IPv4 header is cut. */
static gchar *
write_sample (const gchar *dir)
{
  gchar *path = g_build_filename (dir, "sample.pcap", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) w =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_autoptr(NtpacTestPacket) tcp = ntpac_test_packet_new_with_payload ("hello", 5);
  g_autoptr(NtpacTestPacket) udp = ntpac_test_packet_new_with_payload ("dns?", 4);
  g_autoptr(NtpacTestPacket) big = ntpac_test_packet_new ();
  g_autoptr(GPtrArray) frags = NULL;
  const guint8 *data;
  gsize len;
  gint64 t = T0;

  g_assert_no_error (error);
  ntpac_test_pcap_writer_add_interface (w, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);

  ntpac_test_packet_tcp (tcp, 40000, 80, 1, 1, NTPAC_TEST_TCP_ACK, NULL);
  ntpac_test_packet_ipv4 (tcp, "10.0.0.1", "192.0.2.1");
  ntpac_test_packet_ethernet (tcp, NULL, NULL);
  data = ntpac_test_packet_get_data (tcp, &len);
  ntpac_test_pcap_writer_write (w, 0, t++, data, len, len);

  ntpac_test_packet_udp (udp, 5353, 53);
  ntpac_test_packet_ipv6 (udp, "2001:db8::1", "2001:db8::2");
  ntpac_test_packet_vlan (udp, NTPAC_TEST_TPID_8021Q, 0, 7);
  ntpac_test_packet_ethernet (udp, NULL, NULL);
  data = ntpac_test_packet_get_data (udp, &len);
  ntpac_test_pcap_writer_write (w, 0, t++, data, len, len);

  for (guint i = 0; i < 300; i++)
    ntpac_test_packet_append (big, "0123456789", 10);
  ntpac_test_packet_udp (big, 1000, 2000);
  ntpac_test_packet_ipv4 (big, "10.0.0.3", "10.0.0.4");
  frags = ntpac_test_packet_fragment (big, 1024, 0);
  g_assert_cmpuint (frags->len, ==, 3);
  for (guint i = 0; i < frags->len; i++)
    {
      NtpacTestPacket *f = frags->pdata[i];

      ntpac_test_packet_ethernet (f, NULL, NULL);
      data = ntpac_test_packet_get_data (f, &len);
      ntpac_test_pcap_writer_write (w, 0, t++, data, len, len);
    }

  /* An IPv4 header cut after 10 bytes by the capture. */
  data = ntpac_test_packet_get_data (tcp, &len);
  ntpac_test_pcap_writer_write (w, 0, t++, data, 24, len);

  g_assert_true (ntpac_test_pcap_writer_close (w, &error));
  return path;
}

static gchar *
file_sha256 (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

typedef struct
{
  gchar *dir;
  gchar *sample;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("ntpac-cli-XXXXXX", NULL);
  f->sample = write_sample (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const gchar *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->sample);
}

static void
test_help_and_version (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) version = { 0 };
  g_auto(Run) run_help = { 0 };

  run_engine (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "run"));
  run_engine (&version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "ntpac-engine "));
  run_engine (&run_help, "run", "--help", NULL);
  g_assert_cmpint (run_help.status, ==, 0);
  g_assert_nonnull (strstr (run_help.out, "--json"));
  g_assert_nonnull (strstr (run_help.out, "Exit status"));
}

static void
test_czech_messages (void)
{
  g_auto(Run) r = { 0 };

  g_test_summary ("Messages are translated: the Czech catalogue is used when asked for.");
  run_engine_czech (&r, "run", "/nonexistent/evidence.pcap", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Nelze otevřít „/nonexistent/evidence.pcap“"));
  g_assert_nonnull (strstr (r.out, "Vstupy (1)"));
}

static void
test_bad_usage (void)
{
  g_auto(Run) option = { 0 };
  g_auto(Run) command = { 0 };
  g_auto(Run) no_input = { 0 };
  g_auto(Run) stage = { 0 };
  g_auto(Run) size = { 0 };

  g_test_summary ("Bad options and commands give one clear message, a pointer to --help, "
                  "and exit status 1.");
  run_engine (&option, "run", "--bogus", "x.pcap", NULL);
  g_assert_cmpint (option.status, ==, 1);
  g_assert_nonnull (strstr (option.err, "--bogus"));
  g_assert_nonnull (strstr (option.err, "ntpac-engine run --help"));
  run_engine (&command, "frobnicate", NULL);
  g_assert_cmpint (command.status, ==, 1);
  g_assert_nonnull (strstr (command.err, "frobnicate"));
  run_engine (&no_input, "run", NULL);
  g_assert_cmpint (no_input.status, ==, 1);
  g_assert_nonnull (strstr (no_input.err, "No input"));
  run_engine (&stage, "run", "--stage", "dissect-everything", "x.pcap", NULL);
  g_assert_cmpint (stage.status, ==, 1);
  g_assert_nonnull (strstr (stage.err, "dissect-everything"));
  run_engine (&size, "run", "--frag-memory", "lots", "x.pcap", NULL);
  g_assert_cmpint (size.status, ==, 1);
  g_assert_nonnull (strstr (size.err, "lots"));
}

static void
test_run_json_summary (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  JsonObject *input, *anomalies;
  g_autofree gchar *sha = file_sha256 (f->sample);

  g_test_summary ("run --json prints one object with the input, its SHA-256 and the "
                  "counts per link type, network and transport protocol, fragments and "
                  "anomalies (with the frame each kind was first seen in).");
  run_engine (&r, "run", "--json", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  summary = parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (summary, "exit_code"), ==, 0);
  input = json_array_get_object_element (json_object_get_array_member (summary, "inputs"), 0);
  g_assert_cmpstr (json_object_get_string_member (input, "sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (input, "format"), ==, "pcap");
  g_assert_cmpstr (json_object_get_string_member (input, "first_ts"), ==, "2024-03-01T00:00:00.000000000Z");
  g_assert_cmpint (json_object_get_int_member (input, "frames"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "link_types"), "ethernet"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "network"), "ipv4"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "network"), "ipv6"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "transport"), "tcp"), ==, 1);
  /* the IPv6 datagram and the reassembled one */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "transport"), "udp"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "fragments"), "frames"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "fragments"), "reassembled"), ==, 1);
  anomalies = json_object_get_object_member (summary, "anomalies");
  g_assert_cmpuint (json_object_get_size (anomalies), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (anomalies, "ipv4.truncated"), "count"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (anomalies, "ipv4.truncated"), "first_frame"), ==, 6);
  g_assert_true (json_object_has_member (summary, "mbps"));
}

static void
test_run_text_summary (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_autofree gchar *sha = file_sha256 (f->sample);

  run_engine (&r, "run", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, sha));
  g_assert_nonnull (strstr (r.out, "ipv4.truncated"));
  g_assert_nonnull (strstr (r.out, "1 datagrams reassembled"));
  /* Not a terminal: no progress line. */
  g_assert_null (strstr (r.err, "Mbps"));
}

static void
test_run_damaged_input (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  JsonObject *damage;
  struct stat st;

  g_test_summary ("A capture cut inside its last record: the frames before are processed, "
                  "the damage is reported with file and byte offset, exit status 2.");
  g_assert_cmpint (g_stat (f->sample, &st), ==, 0);
  g_assert_cmpint (truncate (f->sample, st.st_size - 5), ==, 0);
  run_engine (&r, "run", "--json", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, f->sample));
  g_assert_nonnull (strstr (r.err, "damaged at byte"));
  summary = parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 5);
  damage = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (summary, "inputs"), 0), "damage");
  g_assert_nonnull (damage);
  g_assert_cmpint (json_object_get_int_member (damage, "offset"), >, 24);
}

static void
test_run_unreadable_and_good_input (Fixture       *f,
                                    gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  g_autofree gchar *missing = g_build_filename (f->dir, "missing.pcap", NULL);

  g_test_summary ("An input that cannot be opened is a clear error and exit status 1, "
                  "and the other inputs are still read.");
  run_engine (&r, "run", "--json", missing, f->sample, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Cannot open"));
  g_assert_nonnull (strstr (r.err, missing));
  summary = parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 6);
}

static void
test_run_read_stage (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;

  run_engine (&r, "run", "--json", "--stage", "read", "--no-hash", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  summary = parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 6);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (summary, "transport")), ==, 0);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (json_object_get_array_member (summary, "inputs"), 0), "sha256"));
}

static void
test_run_conversations (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Run) r = { 0 };
  g_auto(GStrv) lines = NULL;
  static const gchar * const fields[] = {
    "conversation", "ts", "transport", "src", "sport", "dst", "dport", "input", "frames",
    "first_ts", "last_ts", "protocol", "packets", "bytes_up", "bytes_down", "missing_bytes",
    "anomalies", NULL
  };
  guint n = 0;

  g_test_summary ("run --conversations prints one JSON object per conversation with the "
                  "fields of the conversations export; the summary goes to standard error.");
  run_engine (&r, "run", "--conversations", "-j", "2", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "Frames"));
  lines = g_strsplit (r.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) o = NULL;

      if (lines[i][0] == '\0')
        continue;
      o = parse_object (lines[i]);
      for (guint k = 0; fields[k] != NULL; k++)
        g_assert_true (json_object_has_member (o, fields[k]));
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "conversation")), ==, 32);
      if (g_str_equal (json_object_get_string_member (o, "transport"), "tcp"))
        {
          g_assert_cmpstr (json_object_get_string_member (o, "src"), ==, "10.0.0.1");
          g_assert_cmpint (json_object_get_int_member (o, "dport"), ==, 80);
          g_assert_cmpint (json_object_get_int_member (o, "bytes_up"), ==, 5);
        }
      n++;
    }
  /* TCP to 192.0.2.1, UDP over IPv6, the reassembled UDP datagram */
  g_assert_cmpuint (n, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/help-and-version", test_help_and_version);
  g_test_add_func ("/cli/bad-usage", test_bad_usage);
  g_test_add_func ("/cli/czech", test_czech_messages);
  g_test_add ("/cli/run/json-summary", Fixture, NULL, fixture_set_up, test_run_json_summary, fixture_tear_down);
  g_test_add ("/cli/run/text-summary", Fixture, NULL, fixture_set_up, test_run_text_summary, fixture_tear_down);
  g_test_add ("/cli/run/damaged-input", Fixture, NULL, fixture_set_up, test_run_damaged_input, fixture_tear_down);
  g_test_add ("/cli/run/unreadable-input", Fixture, NULL, fixture_set_up, test_run_unreadable_and_good_input, fixture_tear_down);
  g_test_add ("/cli/run/read-stage", Fixture, NULL, fixture_set_up, test_run_read_stage, fixture_tear_down);
  g_test_add ("/cli/run/conversations", Fixture, NULL, fixture_set_up, test_run_conversations, fixture_tear_down);
  return g_test_run ();
}
