/* test-cli.c: the ntpac-engine command line, as a person runs it
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "ntpac-test-files.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"
#include "ntpac-test-run.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)

/* Runs ntpac-engine in Czech. */
static void
run_engine_czech (NtpacTestRun *r,
                  const gchar  *command,
                  const gchar  *input)
{
  g_auto(GStrv) envp = g_get_environ ();

  envp = g_environ_setenv (envp, "LANGUAGE", "cs", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  ntpac_test_run_engine_env (r, envp, command, input, NULL);
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

typedef struct
{
  gchar *dir;
  gchar *sample;
  gchar *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("ntpac-cli-XXXXXX", NULL);
  f->sample = write_sample (f->dir);
  f->db = g_build_filename (f->dir, "sample.ntpac", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->sample);
  g_free (f->db);
}

static void
test_help_and_version (void)
{
  g_auto(NtpacTestRun) help = { 0 };
  g_auto(NtpacTestRun) version = { 0 };
  g_auto(NtpacTestRun) run_help = { 0 };

  ntpac_test_run_engine (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "run"));
  ntpac_test_run_engine (&version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "ntpac-engine "));
  ntpac_test_run_engine (&run_help, "run", "--help", NULL);
  g_assert_cmpint (run_help.status, ==, 0);
  g_assert_nonnull (strstr (run_help.out, "--json"));
  g_assert_nonnull (strstr (run_help.out, "Exit status"));
}

static void
test_czech_messages (void)
{
  g_auto(NtpacTestRun) r = { 0 };

  g_test_summary ("Messages are translated: the Czech catalogue is used when asked for.");
  run_engine_czech (&r, "run", "/nonexistent/evidence.pcap");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Nelze otevřít „/nonexistent/evidence.pcap“"));
  g_assert_nonnull (strstr (r.out, "Vstupy (1)"));
}

static void
test_bad_usage (void)
{
  g_auto(NtpacTestRun) option = { 0 };
  g_auto(NtpacTestRun) command = { 0 };
  g_auto(NtpacTestRun) no_input = { 0 };
  g_auto(NtpacTestRun) stage = { 0 };
  g_auto(NtpacTestRun) size = { 0 };

  g_test_summary ("Bad options and commands give one clear message, a pointer to --help, "
                  "and exit status 1.");
  ntpac_test_run_engine (&option, "run", "--bogus", "x.pcap", NULL);
  g_assert_cmpint (option.status, ==, 1);
  g_assert_nonnull (strstr (option.err, "--bogus"));
  g_assert_nonnull (strstr (option.err, "ntpac-engine run --help"));
  ntpac_test_run_engine (&command, "frobnicate", NULL);
  g_assert_cmpint (command.status, ==, 1);
  g_assert_nonnull (strstr (command.err, "frobnicate"));
  ntpac_test_run_engine (&no_input, "run", NULL);
  g_assert_cmpint (no_input.status, ==, 1);
  g_assert_nonnull (strstr (no_input.err, "No input"));
  ntpac_test_run_engine (&stage, "run", "--stage", "dissect-everything", "x.pcap", NULL);
  g_assert_cmpint (stage.status, ==, 1);
  g_assert_nonnull (strstr (stage.err, "dissect-everything"));
  ntpac_test_run_engine (&size, "run", "--frag-memory", "lots", "x.pcap", NULL);
  g_assert_cmpint (size.status, ==, 1);
  g_assert_nonnull (strstr (size.err, "lots"));
}

static void
test_run_json_summary (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  JsonObject *input, *anomalies;
  g_autofree gchar *sha = ntpac_test_file_sha256 (f->sample);

  g_test_summary ("run --json prints one object with the input, its SHA-256 and the "
                  "counts per link type, network and transport protocol, fragments and "
                  "anomalies (with the frame each kind was first seen in).");
  ntpac_test_run_engine (&r, "run", "--json", "-o", f->db, f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  summary = ntpac_test_parse_object (r.out);
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
  g_auto(NtpacTestRun) r = { 0 };
  g_autofree gchar *sha = ntpac_test_file_sha256 (f->sample);

  ntpac_test_run_engine (&r, "run", "-o", f->db, f->sample, NULL);
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
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  JsonObject *damage;
  struct stat st;

  g_test_summary ("A capture cut inside its last record: the frames before are processed, "
                  "the damage is reported with file and byte offset, exit status 2.");
  g_assert_cmpint (g_stat (f->sample, &st), ==, 0);
  g_assert_cmpint (truncate (f->sample, st.st_size - 5), ==, 0);
  ntpac_test_run_engine (&r, "run", "--json", "-o", f->db, f->sample, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, f->sample));
  g_assert_nonnull (strstr (r.err, "damaged at byte"));
  summary = ntpac_test_parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 5);
  damage = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (summary, "inputs"), 0), "damage");
  g_assert_nonnull (damage);
  g_assert_cmpint (json_object_get_int_member (damage, "offset"), >, 24);
}

static void
test_run_unreadable_and_good_input (Fixture       *f,
                                    gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  g_autofree gchar *missing = g_build_filename (f->dir, "missing.pcap", NULL);

  g_test_summary ("An input that cannot be opened is a clear error and exit status 1, "
                  "and the other inputs are still read.");
  ntpac_test_run_engine (&r, "run", "--json", "-o", f->db, missing, f->sample, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Cannot open"));
  g_assert_nonnull (strstr (r.err, missing));
  summary = ntpac_test_parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 6);
}

static void
test_run_read_stage (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(JsonObject) summary = NULL;

  ntpac_test_run_engine (&r, "run", "--json", "--stage", "read", "--no-hash", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  summary = ntpac_test_parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "frames"), ==, 6);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (summary, "transport")), ==, 0);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (json_object_get_array_member (summary, "inputs"), 0), "sha256"));
}

static void
test_run_conversations (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_auto(GStrv) lines = NULL;
  static const gchar * const fields[] = {
    "conversation", "ts", "transport", "src", "sport", "dst", "dport", "input", "frames",
    "first_ts", "last_ts", "protocol", "packets", "bytes_up", "bytes_down", "missing_bytes",
    "anomalies", NULL
  };
  guint n = 0;

  g_test_summary ("run --conversations prints one JSON object per conversation with the "
                  "fields of the conversations export; the summary goes to standard error.");
  ntpac_test_run_engine (&r, "run", "--conversations", "-j", "2", "--no-store", f->sample, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "Frames"));
  lines = g_strsplit (r.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) o = NULL;

      if (lines[i][0] == '\0')
        continue;
      o = ntpac_test_parse_object (lines[i]);
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
