/* test-query-cli.c: query, stats and export-objects as an investigator
 * runs them on a database written by run
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-files.h"
#include "ntpac-test-flow.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"
#include "ntpac-test-run.h"
#include "ntpac-traffic-gen.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)
#define MS G_GINT64_CONSTANT (1000000)

/* The fields of a conversation in JSON lines, in order (ARCHITECTURE §7). */
static const gchar * const conversation_fields[] = {
  "conversation", "ts", "transport", "src", "sport", "dst", "dport", "input", "frames",
  "first_ts", "last_ts", "protocol", "packets", "bytes_up", "bytes_down", "missing_bytes",
  "anomalies", NULL
};

typedef struct
{
  gchar *dir;
  gchar *capture;
  gchar *truth;
  gchar *db;
  guint  n_flows;
} Fixture;

/* Generates a capture of @size bytes with @seed into @dir. */
static guint
generate (const gchar *capture,
          guint64      seed,
          guint64      size)
{
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autoptr(GError) error = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;

  ntpac_traffic_gen_options_init (&options);
  options.seed = seed;
  options.target_size = size;
  options.ipv6_ratio = 0.3;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &stats, &error));
  g_assert_no_error (error);
  return stats.flows;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_auto(NtpacTestRun) r = { 0 };

  f->dir = g_dir_make_tmp ("ntpac-query-XXXXXX", NULL);
  f->capture = g_build_filename (f->dir, "day1.pcap", NULL);
  f->truth = ntpac_traffic_gen_truth_path (f->capture);
  f->db = g_build_filename (f->dir, "day1.ntpac", NULL);
  f->n_flows = generate (f->capture, 31, 2 * 1024 * 1024);
  ntpac_test_run_engine (&r, "run", "-o", f->db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->capture);
  g_free (f->truth);
  g_free (f->db);
}

/* Runs query with @args after "query -d DB" and returns its objects. */
static GPtrArray *
query (const gchar *db,
       const gchar *kind,
       ...)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) "query");
  g_ptr_array_add (args, (gpointer) "-d");
  g_ptr_array_add (args, (gpointer) db);
  g_ptr_array_add (args, (gpointer) kind);
  va_start (ap, kind);
  for (const gchar *arg = va_arg (ap, const gchar *); arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  ntpac_test_run_engine_argv (&r, NULL, args);
  if (r.status != 0)
    g_error ("query failed: %s", r.err);
  g_assert_cmpstr (r.err, ==, "");
  return ntpac_test_parse_lines (r.out);
}

static void
test_jsonl_fields (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = query (f->db, "conversations", NULL);
  const gchar *previous = "";

  g_test_summary ("query conversations prints one JSON object per conversation with exactly "
                  "the fields of the export, in order, sorted by time; ts is the first "
                  "timestamp, frames the conversation's frame numbers in order.");
  g_assert_cmpuint (rows->len, ==, f->n_flows);
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *o = rows->pdata[i];
      g_autoptr(GList) members = json_object_get_members (o);
      JsonArray *frames = json_object_get_array_member (o, "frames");
      guint k = 0;

      for (GList *m = members; m != NULL; m = m->next, k++)
        g_assert_cmpstr (m->data, ==, conversation_fields[k]);
      g_assert_null (conversation_fields[k]);
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "conversation")), ==, 32);
      g_assert_cmpstr (json_object_get_string_member (o, "ts"), ==, json_object_get_string_member (o, "first_ts"));
      g_assert_cmpstr (json_object_get_string_member (o, "conversation"), >, previous);
      previous = json_object_get_string_member (o, "conversation");
      g_assert_cmpuint (json_array_get_length (frames), ==, json_object_get_int_member (o, "packets"));
      for (guint j = 1; j < json_array_get_length (frames); j++)
        g_assert_cmpint (json_array_get_int_element (frames, j - 1), <, json_array_get_int_element (frames, j));
      g_assert_cmpint (json_object_get_int_member (o, "input"), ==, 0);
    }
}

static gboolean
row_has_ip (JsonObject  *o,
            const gchar *ip)
{
  return g_str_equal (json_object_get_string_member (o, "src"), ip) ||
         g_str_equal (json_object_get_string_member (o, "dst"), ip);
}

static gboolean
row_has_port (JsonObject *o,
              gint64      port)
{
  return json_object_get_int_member (o, "sport") == port || json_object_get_int_member (o, "dport") == port;
}

/* The conversation ids of @rows, one per line. */
static gchar *
ids (GPtrArray *rows)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (s, "%s\n", json_object_get_string_member (rows->pdata[i], "conversation"));
  return g_string_free (s, FALSE);
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) all = query (f->db, "conversations", NULL);
  g_autoptr(GPtrArray) want_ip = g_ptr_array_new (), want_ip6 = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_port = g_ptr_array_new (), want_both = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_since = g_ptr_array_new (), want_until = g_ptr_array_new ();
  const gchar *ip = NULL, *ip6 = NULL, *middle_ts, *chosen;
  g_autofree gchar *middle = NULL;

  g_test_summary ("Each filter returns exactly the conversations it names: by address "
                  "(IPv4 and IPv6, either end), by port, active since or until a time, "
                  "by conversation id, and filters combined.");
  for (guint i = 0; i < all->len && (ip == NULL || ip6 == NULL); i++)
    {
      const gchar *src = json_object_get_string_member (all->pdata[i], "src");

      if (strchr (src, ':') != NULL && ip6 == NULL)
        ip6 = json_object_get_string_member (all->pdata[i], "dst");
      else if (strchr (src, ':') == NULL && ip == NULL)
        ip = json_object_get_string_member (all->pdata[i], "dst");
    }
  g_assert_nonnull (ip);
  g_assert_nonnull (ip6);
  middle_ts = json_object_get_string_member (all->pdata[all->len / 2], "first_ts");
  middle = g_strdup (middle_ts);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *o = all->pdata[i];

      if (row_has_ip (o, ip))
        g_ptr_array_add (want_ip, o);
      if (row_has_ip (o, ip6))
        g_ptr_array_add (want_ip6, o);
      if (row_has_port (o, 53))
        g_ptr_array_add (want_port, o);
      if (row_has_ip (o, ip) && row_has_port (o, 53))
        g_ptr_array_add (want_both, o);
      /* RFC 3339 with fixed nanoseconds, all UTC: text order is time order */
      if (strcmp (json_object_get_string_member (o, "last_ts"), middle) >= 0)
        g_ptr_array_add (want_since, o);
      if (strcmp (json_object_get_string_member (o, "first_ts"), middle) <= 0)
        g_ptr_array_add (want_until, o);
    }
  g_assert_cmpuint (want_port->len, >, 0);
  g_assert_cmpuint (want_since->len, <, all->len);
  g_assert_cmpuint (want_until->len, <, all->len);

#define CHECK(want, ...) G_STMT_START {                                  \
    g_autoptr(GPtrArray) got = query (f->db, "conversations", __VA_ARGS__, NULL); \
    g_autofree gchar *got_ids = ids (got);                               \
    g_autofree gchar *want_ids = ids (want);                             \
    g_assert_cmpstr (got_ids, ==, want_ids);                             \
  } G_STMT_END
  CHECK (want_ip, "--ip", ip);
  CHECK (want_ip6, "--ip", ip6);
  CHECK (want_port, "--port", "53");
  CHECK (want_both, "--ip", ip, "--port", "53");
  CHECK (want_since, "--since", middle);
  CHECK (want_until, "--until", middle);
#undef CHECK

  chosen = json_object_get_string_member (all->pdata[all->len / 3], "conversation");
  {
    g_autoptr(GPtrArray) one = query (f->db, "conversations", "--conversation", chosen, NULL);

    g_assert_cmpuint (one->len, ==, 1);
    g_assert_cmpstr (json_object_get_string_member (one->pdata[0], "conversation"), ==, chosen);
  }
}

static void
test_formats (Fixture       *f,
              gconstpointer  data)
{
  g_auto(NtpacTestRun) tsv = { 0 };
  g_auto(NtpacTestRun) table = { 0 };
  g_autofree gchar *header = g_strjoinv ("\t", (gchar **) conversation_fields);
  g_auto(GStrv) tsv_lines = NULL;
  g_auto(GStrv) table_lines = NULL;
  const gchar *ts_column;
  glong ts_at;

  g_test_summary ("--format tsv prints a header and one tab-separated line per record; "
                  "--format table aligns the columns for people.");
  ntpac_test_run_engine (&tsv, "query", "-d", f->db, "conversations", "--format", "tsv", NULL);
  g_assert_cmpint (tsv.status, ==, 0);
  tsv_lines = g_strsplit (tsv.out, "\n", -1);
  g_assert_cmpstr (tsv_lines[0], ==, header);
  g_assert_cmpuint (g_strv_length (tsv_lines), ==, f->n_flows + 2);  /* header, rows, "" */
  for (guint i = 1; i <= f->n_flows; i++)
    {
      g_auto(GStrv) cells = g_strsplit (tsv_lines[i], "\t", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, g_strv_length ((gchar **) conversation_fields));
      g_assert_cmpuint (strlen (cells[0]), ==, 32);
    }

  ntpac_test_run_engine (&table, "query", "-d", f->db, "conversations", "--format", "table", NULL);
  g_assert_cmpint (table.status, ==, 0);
  table_lines = g_strsplit (table.out, "\n", -1);
  g_assert_true (g_str_has_prefix (table_lines[0], "conversation "));
  ts_column = strstr (table_lines[0], " ts ");
  g_assert_nonnull (ts_column);
  ts_at = g_utf8_pointer_to_offset (table_lines[0], ts_column) + 1;
  g_assert_cmpuint (g_strv_length (table_lines), ==, f->n_flows + 2);
  for (guint i = 1; i <= f->n_flows; i++)
    {
      /* the time starts in the ts column of every row */
      const gchar *at = g_utf8_offset_to_pointer (table_lines[i], ts_at);

      g_assert_true (g_str_has_prefix (at, "20"));
      g_assert_cmpint (at[-1], ==, ' ');
    }
}

/* A result larger than the rows the table's widths are taken from: the
 * rows after them stay aligned (wider values are cut). */
static void
test_table_streams (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree gchar *capture = g_build_filename (f->dir, "dns.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *db = g_build_filename (f->dir, "dns.ntpac", NULL);
  g_auto(NtpacTestRun) r = { 0 };
  g_auto(NtpacTestRun) table = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  glong ts_at;

  g_test_summary ("--format table prints a result of thousands of rows aligned, as it "
                  "comes: the widths are those of the first rows.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 5;
  options.target_size = 2 * 1024 * 1024;  /* frame numbers reach 5 digits after the first rows */
  g_assert_true (ntpac_traffic_gen_parse_mix ("dns=1", &options, &error));
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.flows, >, 5000);
  ntpac_test_run_engine (&r, "run", "-o", db, capture, NULL);
  g_assert_cmpint (r.status, ==, 0);

  ntpac_test_run_engine (&table, "query", "-d", db, "conversations", "--format", "table", NULL);
  g_assert_cmpint (table.status, ==, 0);
  lines = g_strsplit (table.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, stats.flows + 2);  /* header, rows, "" */
  /* Frame numbers grow: later rows' frame lists are wider than the first
   * rows', and the column after them must still start in its place. */
  ts_at = g_utf8_pointer_to_offset (lines[0], strstr (lines[0], " first_ts ")) + 1;
  for (guint i = 1; i <= stats.flows; i++)
    {
      const gchar *at;

      g_assert_cmpint (g_utf8_strlen (lines[i], -1), >, ts_at);
      at = g_utf8_offset_to_pointer (lines[i], ts_at);
      g_assert_true (g_str_has_prefix (at, "20"));
      g_assert_cmpint (at[-1], ==, ' ');
    }
}

static void
test_several_databases (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *capture2 = g_build_filename (f->dir, "day2.pcap", NULL);
  g_autofree gchar *db2 = g_build_filename (f->dir, "day2.ntpac", NULL);
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) one = NULL, two = NULL, both = NULL;
  guint n2 = generate (capture2, 32, 1024 * 1024);

  g_test_summary ("-d A -d B reads two databases as one: every record of both, merged in "
                  "time order.");
  ntpac_test_run_engine (&r, "run", "-o", db2, capture2, NULL);
  g_assert_cmpint (r.status, ==, 0);
  one = query (f->db, "conversations", NULL);
  two = query (db2, "conversations", NULL);
  both = query (f->db, "conversations", "-d", db2, NULL);
  g_assert_cmpuint (two->len, ==, n2);
  g_assert_cmpuint (both->len, ==, one->len + two->len);
  for (guint i = 1; i < both->len; i++)
    g_assert_cmpstr (json_object_get_string_member (both->pdata[i - 1], "conversation"), <,
                     json_object_get_string_member (both->pdata[i], "conversation"));
}

static void
test_append (Fixture       *f,
             gconstpointer  data)
{
  g_autofree gchar *capture2 = g_build_filename (f->dir, "day2.pcap", NULL);
  g_auto(NtpacTestRun) refused = { 0 };
  g_auto(NtpacTestRun) appended = { 0 };
  g_auto(NtpacTestRun) again = { 0 };
  g_auto(NtpacTestRun) stats = { 0 };
  g_autoptr(GPtrArray) inputs = NULL, conversations = NULL;
  g_autoptr(JsonObject) summary = NULL;
  guint n2 = generate (capture2, 33, 1024 * 1024);

  g_test_summary ("An existing database is refused unless --append; appending numbers the "
                  "new inputs after the old ones and keeps every conversation of both "
                  "runs, even when the same capture is appended twice.");
  ntpac_test_run_engine (&refused, "run", "-o", f->db, capture2, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "already exists"));
  g_assert_nonnull (strstr (refused.err, "--append"));
  g_assert_cmpstr (strchr (refused.err, '\n'), ==, "\n");

  ntpac_test_run_engine (&appended, "run", "--append", "-o", f->db, capture2, NULL);
  g_assert_cmpint (appended.status, ==, 0);
  ntpac_test_run_engine (&again, "run", "--append", "-o", f->db, capture2, NULL);
  g_assert_cmpint (again.status, ==, 0);

  inputs = query (f->db, "inputs", NULL);
  g_assert_cmpuint (inputs->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (json_object_get_int_member (inputs->pdata[i], "input"), ==, i);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (inputs->pdata[2], "path"), "day2.pcap"));
  conversations = query (f->db, "conversations", NULL);
  g_assert_cmpuint (conversations->len, ==, f->n_flows + 2 * n2);

  ntpac_test_run_engine (&stats, "stats", "--json", "-d", f->db, NULL);
  g_assert_cmpint (stats.status, ==, 0);
  summary = ntpac_test_parse_object (stats.out);
  g_assert_cmpint (json_object_get_int_member (summary, "runs"), ==, 3);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_auto(NtpacTestRun) text = { 0 };
  g_auto(NtpacTestRun) json = { 0 };
  g_autoptr(JsonObject) stats = NULL;
  JsonObject *counts;
  struct stat st;

  g_test_summary ("stats counts the records of each kind, gives the time span, the inputs "
                  "and the size on disk against the capture's.");
  g_assert_cmpint (g_stat (f->capture, &st), ==, 0);
  ntpac_test_run_engine (&json, "stats", "--json", "-d", f->db, NULL);
  g_assert_cmpint (json.status, ==, 0);
  stats = ntpac_test_parse_object (json.out);
  counts = json_object_get_object_member (stats, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "conversations"), ==, f->n_flows);
  g_assert_cmpint (json_object_get_int_member (counts, "inputs"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "capture_bytes"), ==, st.st_size);
  g_assert_cmpint (json_object_get_int_member (stats, "disk_bytes"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (stats, "state"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (stats, "first_ts"), <, json_object_get_string_member (stats, "last_ts"));

  ntpac_test_run_engine (&text, "stats", "-d", f->db, NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "conversations"));
  g_assert_nonnull (strstr (text.out, "complete"));
}

static void
test_export_objects_empty (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree gchar *out = g_build_filename (f->dir, "objects", NULL);
  g_autofree gchar *index = g_build_filename (out, "index.jsonl", NULL);
  g_autofree gchar *pipeline = g_build_filename (f->dir, "no-dissectors.yaml", NULL);
  g_autofree gchar *db = g_build_filename (f->dir, "no-objects.db", NULL);
  g_autofree gchar *contents = NULL;
  g_auto(NtpacTestRun) r = { 0 };

  g_test_summary ("export-objects on a database without objects makes the folder with an "
                  "empty index, and says so.");
  g_assert_true (g_file_set_contents (pipeline, "pipeline: bare\ndissectors: []\n", -1, NULL));
  ntpac_test_run_engine (&r, "run", "-c", pipeline, "-o", db, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);
  ntpac_test_run_engine (&r, "export-objects", "-d", db, out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (index, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "");
  g_assert_nonnull (strstr (r.err, "0 objects listed"));
}

/* ---- crafted captures --------------------------------------------------- */

/* A capture written frame by frame, run into a database of its own. */
typedef struct
{
  gchar               *dir;
  gchar               *capture;
  gchar               *db;
  NtpacTestPcapWriter *writer;
  gint64               ts;
} Crafted;

static Crafted *
crafted_new (void)
{
  Crafted *c = g_new0 (Crafted, 1);
  g_autoptr(GError) error = NULL;

  c->dir = g_dir_make_tmp ("ntpac-query-crafted-XXXXXX", NULL);
  c->capture = g_build_filename (c->dir, "crafted.pcap", NULL);
  c->db = g_build_filename (c->dir, "crafted.ntpac", NULL);
  c->writer = ntpac_test_pcap_writer_new_file (c->capture, NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC,
                                               NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_assert_no_error (error);
  ntpac_test_pcap_writer_add_interface (c->writer, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
  c->ts = T0;
  return c;
}

static void
crafted_free (Crafted *c)
{
  g_clear_pointer (&c->writer, ntpac_test_pcap_writer_free);
  ntpac_test_remove_tree (c->dir);
  g_free (c->dir);
  g_free (c->capture);
  g_free (c->db);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Crafted, crafted_free)

/* One UDP datagram, @gap_ns after the previous frame; an address with a
 * colon is IPv6. */
static void
crafted_udp (Crafted      *c,
             gint64        gap_ns,
             const gchar  *src,
             guint16       sport,
             const gchar  *dst,
             guint16       dport,
             const guint8 *payload,
             gsize         payload_len)
{
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload (payload, payload_len);
  const guint8 *data;
  gsize len;

  ntpac_test_packet_udp (p, sport, dport);
  if (strchr (src, ':') != NULL)
    ntpac_test_packet_ipv6 (p, src, dst);
  else
    ntpac_test_packet_ipv4 (p, src, dst);
  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, &len);
  c->ts += gap_ns;
  ntpac_test_pcap_writer_write (c->writer, 0, c->ts, data, len, len);
}

/* Closes the capture and runs the engine over it. */
static void
crafted_run (Crafted *c)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ntpac_test_pcap_writer_close (c->writer, &error));
  g_assert_no_error (error);
  g_clear_pointer (&c->writer, ntpac_test_pcap_writer_free);
  ntpac_test_run_engine (&r, "run", "--no-progress", "-o", c->db, c->capture, NULL);
  if (r.status != 0)
    g_error ("run failed: %s", r.err);
}

static void
put_u16 (GByteArray *m,
         guint16     v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  g_byte_array_append (m, b, 2);
}

/* A DNS header (RFC 1035 §4.1.1). */
static GByteArray *
dns_header (guint16 id,
            guint16 flags,
            guint16 qd,
            guint16 an)
{
  GByteArray *m = g_byte_array_new ();

  put_u16 (m, id);
  put_u16 (m, flags);
  put_u16 (m, qd);
  put_u16 (m, an);
  put_u16 (m, 0);
  put_u16 (m, 0);
  return m;
}

/* A dotted name as labels. */
static void
put_name (GByteArray  *m,
          const gchar *dotted)
{
  g_auto(GStrv) labels = g_strsplit (dotted, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      guint8 n = (guint8) strlen (labels[i]);

      if (n == 0)
        continue;
      g_byte_array_append (m, &n, 1);
      g_byte_array_append (m, (const guint8 *) labels[i], n);
    }
  g_byte_array_append (m, (const guint8 *) "", 1);
}

/* An A record for the first question's name (a pointer to offset 12). */
static void
put_a_answer (GByteArray   *m,
              guint16       klass,
              const guint8  addr[4])
{
  put_u16 (m, 0xc00c);
  put_u16 (m, 1);
  put_u16 (m, klass);
  put_u16 (m, 0);
  put_u16 (m, 120);
  put_u16 (m, 4);
  g_byte_array_append (m, addr, 4);
}

static GPtrArray *
crafted_query (Crafted     *c,
               const gchar *kind)
{
  return query (c->db, kind, NULL);
}

static void
test_dns_duplicate (void)
{
  static const guint8 addr[4] = { 192, 0, 2, 80 };
  g_autoptr(Crafted) c = crafted_new ();
  g_autoptr(GByteArray) q = dns_header (0x1234, 0x0100, 1, 0);
  g_autoptr(GByteArray) a = dns_header (0x1234, 0x8180, 1, 1);
  g_autoptr(GByteArray) b = NULL;
  g_autoptr(GPtrArray) dns = NULL;
  g_autoptr(GPtrArray) anomalies = NULL;
  guint duplicates = 0;

  g_test_summary ("A DNS response captured twice 5 ms apart (same bytes) gives two records, "
                  "as tshark lists two messages; the second says \"duplicate\": true and "
                  "the udp.duplicate anomaly names its frame. A different response of the "
                  "same length right after it is no copy (only bytes decide, not a hash).");
  put_name (q, "www.example.org");
  put_u16 (q, 1);
  put_u16 (q, 1);
  put_name (a, "www.example.org");
  put_u16 (a, 1);
  put_u16 (a, 1);
  put_a_answer (a, 1, addr);
  b = g_byte_array_new ();
  g_byte_array_append (b, a->data, a->len);
  b->data[b->len - 1] = 81;    /* 192.0.2.81: the same length, other bytes */
  crafted_udp (c, MS, "10.0.0.7", 40000, "192.0.2.53", 53, q->data, q->len);      /* frame 1 */
  crafted_udp (c, MS, "192.0.2.53", 53, "10.0.0.7", 40000, a->data, a->len);      /* 2 */
  crafted_udp (c, 5 * MS, "192.0.2.53", 53, "10.0.0.7", 40000, a->data, a->len);  /* 3: copy */
  crafted_udp (c, MS, "192.0.2.53", 53, "10.0.0.7", 40000, b->data, b->len);      /* 4 */
  crafted_run (c);

  dns = crafted_query (c, "dns");
  g_assert_cmpuint (dns->len, ==, 4);
  for (guint i = 0; i < dns->len; i++)
    {
      JsonObject *o = dns->pdata[i];
      JsonArray *frames = json_object_get_array_member (o, "frames");
      gint64 frame = json_array_get_int_element (frames, 0);

      g_assert_cmpuint (json_array_get_length (frames), ==, 1);
      if (json_object_has_member (o, "duplicate"))
        {
          g_assert_true (json_object_get_boolean_member (o, "duplicate"));
          g_assert_cmpint (frame, ==, 3);
          duplicates++;
        }
    }
  g_assert_cmpuint (duplicates, ==, 1);

  anomalies = crafted_query (c, "anomalies");
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (anomalies->pdata[0], "kind"), ==, "udp.duplicate");
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (anomalies->pdata[0], "frames"), 0),
                   ==, 3);

  /* Dissected again from the database, the copy is still marked: the
   * stored PDU says it is one. */
  {
    g_auto(NtpacTestRun) r = { 0 };
    g_autoptr(GPtrArray) again = NULL;

    ntpac_test_run_engine (&r, "analyze", "-d", c->db, "--dissector", "dns", NULL);
    g_assert_cmpint (r.status, ==, 0);
    again = crafted_query (c, "dns");
    g_assert_cmpuint (again->len, ==, 4);
    duplicates = 0;
    for (guint i = 0; i < again->len; i++)
      if (json_object_has_member (again->pdata[i], "duplicate"))
        duplicates++;
    g_assert_cmpuint (duplicates, ==, 1);
  }
}

/* The DNS record of @dns whose first question is @qname. */
static JsonObject *
dns_record (GPtrArray   *dns,
            const gchar *qname,
            gboolean     is_response)
{
  for (guint i = 0; i < dns->len; i++)
    {
      JsonObject *o = dns->pdata[i];

      if (g_str_equal (json_object_get_string_member (o, "qname"), qname) &&
          json_object_get_boolean_member (o, "is_response") == is_response)
        return o;
    }
  g_error ("no DNS %s for %s", is_response ? "response" : "query", qname);
  return NULL;
}

static void
assert_endpoints (JsonObject  *o,
               const gchar *src,
               gint         sport,
               const gchar *dst,
               gint         dport)
{
  g_assert_cmpstr (json_object_get_string_member (o, "src"), ==, src);
  g_assert_cmpint (json_object_get_int_member (o, "sport"), ==, sport);
  g_assert_cmpstr (json_object_get_string_member (o, "dst"), ==, dst);
  g_assert_cmpint (json_object_get_int_member (o, "dport"), ==, dport);
}

static const gchar *
protocol_of_port (GPtrArray *conversations,
                  gint       sport)
{
  for (guint i = 0; i < conversations->len; i++)
    if (json_object_get_int_member (conversations->pdata[i], "sport") == sport)
      return json_object_get_string_member (conversations->pdata[i], "protocol");
  g_error ("no conversation from port %d", sport);
  return NULL;
}

/* A NetBIOS name: @name padded with spaces and @suffix, each half-byte
 * as a letter from 'A' (RFC 1001 §14.1). */
static void
put_netbios_name (GByteArray  *m,
                  const gchar *name,
                  guint8       suffix)
{
  guint8 raw[16], n = 32;

  memset (raw, ' ', sizeof raw);
  memcpy (raw, name, MIN (strlen (name), 15u));
  raw[15] = suffix;
  g_byte_array_append (m, &n, 1);
  for (guint i = 0; i < 16; i++)
    {
      guint8 pair[2] = { 'A' + (raw[i] >> 4), 'A' + (raw[i] & 0xf) };

      g_byte_array_append (m, pair, 2);
    }
  g_byte_array_append (m, (const guint8 *) "", 1);
}

static void
test_dns_family (void)
{
  static const guint8 addr[4] = { 192, 168, 1, 20 };
  g_autoptr(Crafted) c = crafted_new ();
  g_autoptr(GByteArray) dns_q = dns_header (1, 0x0100, 1, 0);
  g_autoptr(GByteArray) dns_r = dns_header (1, 0x8180, 1, 1);
  g_autoptr(GByteArray) nbns = dns_header (2, 0x0110, 1, 0);
  g_autoptr(GByteArray) mdns4 = dns_header (0, 0x0000, 1, 0);
  g_autoptr(GByteArray) mdns6 = dns_header (0, 0x8400, 1, 1);
  g_autoptr(GByteArray) llmnr = dns_header (3, 0x0000, 1, 0);
  g_autoptr(GPtrArray) dns = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  JsonObject *o;
  JsonObject *q;

  g_test_summary ("NetBIOS name service (137), mDNS (224.0.0.251, ff02::fb) and LLMNR "
                  "(224.0.0.252) conversations are named nbns, mdns and llmnr; their "
                  "messages are dns records whose protocol field says which; NetBIOS "
                  "names are decoded; the endpoints of a record are the conversation's, "
                  "the client as src, for a response too.");
  put_name (dns_q, "www.example.org");
  put_u16 (dns_q, 1);
  put_u16 (dns_q, 1);
  put_name (dns_r, "www.example.org");
  put_u16 (dns_r, 1);
  put_u16 (dns_r, 1);
  put_a_answer (dns_r, 1, addr);
  put_netbios_name (nbns, "WORKGROUP", 0x1d);
  put_u16 (nbns, 32);
  put_u16 (nbns, 1);
  put_name (mdns4, "_ipp._tcp.local");
  put_u16 (mdns4, 12);
  put_u16 (mdns4, 0x8001);    /* QU: a unicast response is asked */
  put_name (mdns6, "printer.local");
  put_u16 (mdns6, 1);
  put_u16 (mdns6, 1);
  put_a_answer (mdns6, 0x8001, addr);   /* cache flush */
  put_name (llmnr, "fileserver");
  put_u16 (llmnr, 1);
  put_u16 (llmnr, 1);

  crafted_udp (c, MS, "10.0.0.7", 40000, "192.0.2.53", 53, dns_q->data, dns_q->len);
  crafted_udp (c, MS, "192.0.2.53", 53, "10.0.0.7", 40000, dns_r->data, dns_r->len);
  crafted_udp (c, MS, "10.0.0.7", 137, "10.0.0.255", 137, nbns->data, nbns->len);
  crafted_udp (c, MS, "10.0.0.7", 5353, "224.0.0.251", 5353, mdns4->data, mdns4->len);
  crafted_udp (c, MS, "fe80::20", 5353, "ff02::fb", 5353, mdns6->data, mdns6->len);
  crafted_udp (c, MS, "10.0.0.7", 50000, "224.0.0.252", 5355, llmnr->data, llmnr->len);
  crafted_run (c);

  conversations = crafted_query (c, "conversations");
  g_assert_cmpuint (conversations->len, ==, 5);
  g_assert_cmpstr (protocol_of_port (conversations, 40000), ==, "dns");
  g_assert_cmpstr (protocol_of_port (conversations, 137), ==, "nbns");
  g_assert_cmpstr (protocol_of_port (conversations, 50000), ==, "llmnr");
  for (guint i = 0; i < conversations->len; i++)
    if (json_object_get_int_member (conversations->pdata[i], "sport") == 5353)
      g_assert_cmpstr (json_object_get_string_member (conversations->pdata[i], "protocol"), ==, "mdns");

  dns = crafted_query (c, "dns");
  g_assert_cmpuint (dns->len, ==, 6);
  o = dns_record (dns, "www.example.org", FALSE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "dns");
  assert_endpoints (o, "10.0.0.7", 40000, "192.0.2.53", 53);
  o = dns_record (dns, "www.example.org", TRUE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "dns");
  assert_endpoints (o, "10.0.0.7", 40000, "192.0.2.53", 53);

  o = dns_record (dns, "WORKGROUP<1d>", FALSE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "nbns");
  g_assert_cmpstr (json_object_get_string_member (o, "qtype"), ==, "NB");
  assert_endpoints (o, "10.0.0.7", 137, "10.0.0.255", 137);

  o = dns_record (dns, "_ipp._tcp.local", FALSE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "mdns");
  q = json_array_get_object_element (json_object_get_array_member (o, "questions"), 0);
  g_assert_cmpstr (json_object_get_string_member (q, "class"), ==, "IN");
  g_assert_true (json_object_get_boolean_member (q, "unicast_response"));
  o = dns_record (dns, "printer.local", TRUE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "mdns");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_object_get_array_member (o, "answers"), 0),
                                                 "cache_flush"));

  o = dns_record (dns, "fileserver", FALSE);
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "llmnr");
}

/* Bytes no terminal output may carry raw. */
static void
assert_no_raw_controls (const gchar *out)
{
  g_assert_null (strchr (out, '\x1b'));
  g_assert_null (strchr (out, '\x07'));
  g_assert_null (strchr (out, '\x7f'));
  g_assert_null (strstr (out, "\xc2\x9b"));   /* CSI, U+009B */
  g_assert_true (g_utf8_validate (out, -1, NULL));
}

static void
test_terminal_escapes (void)
{
  static const gchar request[] =
    "GET /\x1b[2Jcleared HTTP/1.1\r\n"
    "Host: evil\x1b]0;owned\x07.example\r\n"
    "User-Agent: \x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x07 \x7f \xc2\x9b \xff\xfe\r\n"
    "\r\n";
  static const gchar response[] = "HTTP/1.1 204 No Content\r\n\r\n";
  g_autoptr(Crafted) c = crafted_new ();
  g_autoptr(NtpacTestTcpConversation) tcp = NULL;
  NtpacTestEndpoints ep;
  g_auto(NtpacTestRun) table = { 0 };
  g_auto(NtpacTestRun) tsv = { 0 };
  g_auto(NtpacTestRun) jsonl = { 0 };
  g_autoptr(JsonObject) o = NULL;
  g_auto(GStrv) lines = NULL;

  g_test_summary ("query --format table and tsv print no control characters from the "
                  "capture: an HTTP request whose URI, Host and User-Agent hold ESC [2J, "
                  "an OSC 0 title, an OSC 8 link, BEL, DEL, a C1 CSI and invalid UTF-8 is "
                  "shown with \\x1b, \\x07, \\x7f, \\x9b and \\xff; jsonl keeps the value.");
  ntpac_test_endpoints_init (&ep, "10.0.0.7", 40000, "192.0.2.80", 80);
  tcp = ntpac_test_tcp_conversation_new (&ep, 1000, 5000);
  ntpac_test_tcp_conversation_send (tcp, NTPAC_TEST_CLIENT_TO_SERVER, request, sizeof request - 1);
  ntpac_test_tcp_conversation_send (tcp, NTPAC_TEST_SERVER_TO_CLIENT, response, sizeof response - 1);
  ntpac_test_tcp_conversation_close (tcp);
  ntpac_test_tcp_conversation_write (tcp, c->writer, 0, T0, MS);
  crafted_run (c);

  ntpac_test_run_engine (&table, "query", "-d", c->db, "http", "--format", "table", NULL);
  g_assert_cmpint (table.status, ==, 0);
  ntpac_test_run_engine (&tsv, "query", "-d", c->db, "http", "--format", "tsv", NULL);
  g_assert_cmpint (tsv.status, ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      const gchar *out = i == 0 ? table.out : tsv.out;

      assert_no_raw_controls (out);
      g_assert_nonnull (strstr (out, "\\x1b[2Jcleared"));
      g_assert_nonnull (strstr (out, "evil\\x1b]0;owned\\x07.example"));
    }
  /* TSV is not cut: the whole User-Agent is there, each byte named. */
  g_assert_nonnull (strstr (tsv.out, "\\x1b]8;;http://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\ \\x07 \\x7f \\x9b "));
  g_assert_nonnull (strstr (tsv.out, "\\x7f"));
  /* Two lines only: header and the transaction. */
  lines = g_strsplit (tsv.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);

  ntpac_test_run_engine (&jsonl, "query", "-d", c->db, "http", NULL);
  g_assert_cmpint (jsonl.status, ==, 0);
  g_assert_null (strchr (jsonl.out, '\x1b'));
  g_assert_null (strchr (jsonl.out, '\x07'));
  o = ntpac_test_parse_object (jsonl.out);
  g_assert_cmpstr (json_object_get_string_member (o, "uri"), ==, "/\x1b[2Jcleared");
}

/* Each of these is one line on standard error naming the culprit, and
 * exit status 1. */
static void
expect_error (const gchar *expected,
              const gchar *first,
              ...)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  ntpac_test_run_engine_argv (&r, NULL, args);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  if (strstr (r.err, expected) == NULL)
    g_error ("expected “%s” in: %s", expected, r.err);
  g_assert_true (g_str_has_prefix (r.err, "ntpac-engine: error: "));
  g_assert_cmpstr (strchr (r.err, '\n'), ==, "\n");
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (f->dir, "missing.ntpac", NULL);
  g_autoptr(GError) error = NULL;
  NtpacStore *store;

  g_test_summary ("A path that is not a database, a database of a newer schema, an "
                  "unknown kind and a bad filter value are each one line naming the "
                  "thing, exit status 1, for every command that reads a database.");
  expect_error (f->capture, "query", "-d", f->capture, "conversations", NULL);
  expect_error ("not an ntpac database", "query", "-d", f->capture, "conversations", NULL);
  expect_error (missing, "query", "-d", missing, "conversations", NULL);
  expect_error (f->capture, "stats", "-d", f->capture, NULL);
  expect_error (f->dir, "query", "-d", f->dir, "conversations", NULL);
  expect_error ("sessions", "query", "-d", f->db, "sessions", NULL);
  expect_error ("300.1.2.3", "query", "-d", f->db, "conversations", "--ip", "300.1.2.3", NULL);
  expect_error ("70000", "query", "-d", f->db, "conversations", "--port", "70000", NULL);
  expect_error ("yesterday", "query", "-d", f->db, "conversations", "--since", "yesterday", NULL);
  expect_error ("soon", "query", "-d", f->db, "conversations", "--until", "soon", NULL);
  expect_error ("c0ffee", "query", "-d", f->db, "conversations", "--conversation", "c0ffee", NULL);
  expect_error ("c0ffee", "carve", "-d", f->db, "--conversation", "c0ffee", "-w", "x.pcap", NULL);

  store = ntpac_store_open (f->db, NTPAC_STORE_APPEND, NTPAC_STORE_BULK, &error);
  g_assert_no_error (error);
  g_assert_true (ntpac_store_put_meta (store, "schema", "99", &error));
  g_assert_true (ntpac_store_close (store, &error));
  expect_error ("newer", "query", "-d", f->db, "conversations", NULL);
  expect_error ("newer", "stats", "-d", f->db, NULL);
  expect_error ("newer", "run", "--append", "-o", f->db, f->capture, NULL);
}

/* Runs query with @args after "query -d DB KIND" and returns its output. */
static gchar *
query_text (const gchar *db,
            const gchar *kind,
            ...)
{
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) "query");
  g_ptr_array_add (args, (gpointer) "-d");
  g_ptr_array_add (args, (gpointer) db);
  g_ptr_array_add (args, (gpointer) kind);
  va_start (ap, kind);
  for (const gchar *arg = va_arg (ap, const gchar *); arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  ntpac_test_run_engine_argv (&r, NULL, args);
  if (r.status != 0)
    g_error ("query failed: %s", r.err);
  return g_steal_pointer (&r.out);
}

/* Each row's conversation and time, one per line: a row of a record kind
 * (several per conversation) told apart from the others. */
static gchar *
row_keys (GPtrArray *rows)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (s, "%s %s\n", json_object_get_string_member (rows->pdata[i], "conversation"),
                            json_object_get_string_member (rows->pdata[i], "ts"));
  return g_string_free (s, FALSE);
}

static gboolean
in_network (const gchar *address,
            const gchar *cidr)
{
  g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (cidr, NULL);
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string (address);

  g_assert_nonnull (mask);
  return a != NULL && g_inet_address_get_family (a) == g_inet_address_mask_get_family (mask) &&
         g_inet_address_mask_matches (mask, a);
}

static gboolean
row_in_network (JsonObject  *o,
                const gchar *cidr)
{
  return in_network (json_object_get_string_member (o, "src"), cidr) ||
         in_network (json_object_get_string_member (o, "dst"), cidr);
}

#define CHECK_ROWS(want, kind, ...) G_STMT_START {                      \
    g_autoptr(GPtrArray) got_ = query (f->db, kind, __VA_ARGS__, NULL);  \
    g_autofree gchar *got_keys_ = row_keys (got_);                       \
    g_autofree gchar *want_keys_ = row_keys (want);                      \
    g_assert_cmpstr (got_keys_, ==, want_keys_);                         \
  } G_STMT_END

static void
test_repeated_and_cidr (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) all = query (f->db, "conversations", NULL);
  g_autoptr(GPtrArray) want_a = g_ptr_array_new (), want_b = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_or = g_ptr_array_new (), want_or_port = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_ports = g_ptr_array_new (), want_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_v4 = g_ptr_array_new (), want_v6 = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_cidrs = g_ptr_array_new ();
  g_autofree gchar *v4_net = NULL, *v4_host_bits = NULL, *v6_net = NULL;
  const gchar *a = NULL, *b = NULL, *v6 = NULL;

  g_test_summary ("A repeated --ip, --port or --conversation matches any of its values (the "
                  "union of the single queries), different filters all; --ip takes IPv4 and "
                  "IPv6 networks in CIDR notation and matches exactly the addresses in them, "
                  "host bits beyond the prefix being ignored.");
  for (guint i = 0; i < all->len; i++)
    {
      const gchar *dst = json_object_get_string_member (all->pdata[i], "dst");

      if (strchr (dst, ':') != NULL)
        v6 = v6 != NULL ? v6 : dst;
      else if (a == NULL)
        a = dst;
      else if (b == NULL && !g_str_equal (dst, a))
        b = dst;
    }
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (v6);
  {
    gchar **octets = g_strsplit (a, ".", 4);

    v4_net = g_strdup_printf ("%s.%s.0.0/16", octets[0], octets[1]);
    v4_host_bits = g_strdup_printf ("%s/16", a);
    g_strfreev (octets);
  }
  {
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (v6);
    g_autoptr(GInetAddress) net = NULL;
    guint8 bytes[16] = { 0 };
    g_autofree gchar *text = NULL;

    /* the first 32 bits of the address */
    memcpy (bytes, g_inet_address_to_bytes (addr), 4);
    net = g_inet_address_new_from_bytes (bytes, G_SOCKET_FAMILY_IPV6);
    text = g_inet_address_to_string (net);
    v6_net = g_strdup_printf ("%s/32", text);
  }
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *o = all->pdata[i];

      if (row_has_ip (o, a))
        g_ptr_array_add (want_a, o);
      if (row_has_ip (o, b))
        g_ptr_array_add (want_b, o);
      if (row_has_ip (o, a) || row_has_ip (o, b))
        g_ptr_array_add (want_or, o);
      if ((row_has_ip (o, a) || row_has_ip (o, b)) && row_has_port (o, 53))
        g_ptr_array_add (want_or_port, o);
      if (row_has_port (o, 53) || row_has_port (o, 443))
        g_ptr_array_add (want_ports, o);
      if (i == 1 || i == all->len - 2)
        g_ptr_array_add (want_ids, o);
      if (row_in_network (o, v4_net))
        g_ptr_array_add (want_v4, o);
      if (row_in_network (o, v6_net))
        g_ptr_array_add (want_v6, o);
      if (row_in_network (o, v4_net) || row_in_network (o, v6_net))
        g_ptr_array_add (want_cidrs, o);
    }
  g_assert_cmpuint (want_a->len + want_b->len, >=, want_or->len);
  g_assert_cmpuint (want_or->len, >, MAX (want_a->len, want_b->len));
  g_assert_cmpuint (want_v4->len, <, all->len);
  g_assert_cmpuint (want_v4->len, >, want_a->len);
  g_assert_cmpuint (want_v6->len, >, 0);
  CHECK_ROWS (want_a, "conversations", "--ip", a);
  CHECK_ROWS (want_or, "conversations", "--ip", a, "--ip", b);
  CHECK_ROWS (want_or, "conversations", "--ip", b, "--ip", a);
  CHECK_ROWS (want_or_port, "conversations", "--ip", a, "--ip", b, "--port", "53");
  CHECK_ROWS (want_ports, "conversations", "--port", "53", "--port", "443");
  CHECK_ROWS (want_ids, "conversations",
              "--conversation", json_object_get_string_member (want_ids->pdata[1], "conversation"),
              "--conversation", json_object_get_string_member (want_ids->pdata[0], "conversation"));
  CHECK_ROWS (want_v4, "conversations", "--ip", v4_net);
  CHECK_ROWS (want_v4, "conversations", "--ip", v4_host_bits);
  CHECK_ROWS (want_v6, "conversations", "--ip", v6_net);
  CHECK_ROWS (want_cidrs, "conversations", "--ip", v4_net, "--ip", v6_net);
  CHECK_ROWS (all, "conversations", "--ip", "0.0.0.0/0", "--ip", "::/0");

  /* records are filtered by the same rules as conversations */
  {
    g_autoptr(GPtrArray) http = query (f->db, "http", NULL);
    g_autoptr(GPtrArray) want_http = g_ptr_array_new ();

    for (guint i = 0; i < http->len; i++)
      if (row_in_network (http->pdata[i], v4_net) || row_in_network (http->pdata[i], v6_net))
        g_ptr_array_add (want_http, http->pdata[i]);
    CHECK_ROWS (want_http, "http", "--ip", v4_net, "--ip", v6_net);
  }
}

static void
test_where (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) http = query (f->db, "http", NULL);
  g_autoptr(GPtrArray) dns = query (f->db, "dns", NULL);
  g_autoptr(GPtrArray) not_found = g_ptr_array_new (), post = g_ptr_array_new ();
  g_autoptr(GPtrArray) large = g_ptr_array_new (), not_ok = g_ptr_array_new ();
  g_autoptr(GPtrArray) txt = g_ptr_array_new (), png = g_ptr_array_new ();
  g_autoptr(GPtrArray) post_large = g_ptr_array_new ();

  g_test_summary ("--where FIELD OP VALUE keeps the rows whose field compares so: numbers as "
                  "numbers, text as text, ~ as a glob, conditions ANDed, with or without "
                  "spaces around the operator.");
  for (guint i = 0; i < http->len; i++)
    {
      JsonObject *o = http->pdata[i];
      gint64 status = json_object_get_null_member (o, "status") ? -1 : json_object_get_int_member (o, "status");
      gint64 len = json_object_get_null_member (o, "response_body_len") ? -1 :
                   json_object_get_int_member (o, "response_body_len");
      const gchar *method = json_object_get_string_member (o, "method");
      const gchar *uri = json_object_get_string_member (o, "uri");

      if (status == 404)
        g_ptr_array_add (not_found, o);
      if (status != 200)
        g_ptr_array_add (not_ok, o);
      if (g_strcmp0 (method, "POST") == 0)
        g_ptr_array_add (post, o);
      if (len > 1000)
        g_ptr_array_add (large, o);
      if (g_strcmp0 (method, "POST") == 0 && len > 1000)
        g_ptr_array_add (post_large, o);
      if (uri != NULL && g_str_has_suffix (uri, ".png"))
        g_ptr_array_add (png, o);
    }
  for (guint i = 0; i < dns->len; i++)
    if (g_strcmp0 (json_object_get_string_member (dns->pdata[i], "qtype"), "TXT") == 0)
      g_ptr_array_add (txt, dns->pdata[i]);
  g_assert_cmpuint (not_found->len, >, 0);
  g_assert_cmpuint (post->len, >, 0);
  g_assert_cmpuint (txt->len, >, 0);
  g_assert_cmpuint (large->len, >, 0);
  g_assert_cmpuint (large->len, <, http->len);
  g_assert_cmpuint (png->len, >, 0);
  CHECK_ROWS (not_found, "http", "--where", "status=404");
  CHECK_ROWS (not_found, "http", "--where", "status = 404");
  CHECK_ROWS (not_ok, "http", "--where", "status!=200");
  CHECK_ROWS (post, "http", "--where", "method=POST");
  CHECK_ROWS (large, "http", "--where", "response_body_len>1000");
  CHECK_ROWS (post_large, "http", "--where", "method=POST", "--where", "response_body_len > 1000");
  CHECK_ROWS (png, "http", "--where", "uri~*.png");
  CHECK_ROWS (txt, "dns", "--where", "qtype=TXT");
}

static void
test_host_port (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) http = query (f->db, "http", NULL);
  g_autoptr(GPtrArray) bare = g_ptr_array_new (), exact = g_ptr_array_new ();
  g_autofree gchar *name = NULL;
  const gchar *with_port = NULL;

  g_test_summary ("--host matches a host name with or without its port: localhost finds "
                  "localhost:8080, localhost:8080 only that.");
  for (guint i = 0; i < http->len && with_port == NULL; i++)
    {
      const gchar *host = json_object_get_string_member (http->pdata[i], "host");

      if (host != NULL && strchr (host, ':') != NULL)
        with_port = host;
    }
  g_assert_nonnull (with_port);
  name = g_strndup (with_port, strchr (with_port, ':') - with_port);
  for (guint i = 0; i < http->len; i++)
    {
      const gchar *host = json_object_get_string_member (http->pdata[i], "host");

      if (g_strcmp0 (host, with_port) == 0)
        g_ptr_array_add (exact, http->pdata[i]);
      if (g_strcmp0 (host, name) == 0 || g_strcmp0 (host, with_port) == 0)
        g_ptr_array_add (bare, http->pdata[i]);
    }
  g_assert_cmpuint (bare->len, >, exact->len);
  CHECK_ROWS (bare, "http", "--host", name);
  CHECK_ROWS (exact, "http", "--host", with_port);
}

static void
test_objects_host (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) objects = query (f->db, "objects", NULL);
  g_autoptr(GPtrArray) http = query (f->db, "http", "--host", "*.example.com", NULL);
  g_autoptr(GHashTable) conversations = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) want = g_ptr_array_new ();

  g_test_summary ("objects --host lists the objects of the conversations with a matching "
                  "host name.");
  for (guint i = 0; i < http->len; i++)
    g_hash_table_add (conversations, (gpointer) json_object_get_string_member (http->pdata[i], "conversation"));
  for (guint i = 0; i < objects->len; i++)
    if (g_hash_table_contains (conversations, json_object_get_string_member (objects->pdata[i], "conversation")))
      g_ptr_array_add (want, objects->pdata[i]);
  g_assert_cmpuint (want->len, >, 0);
  g_assert_cmpuint (want->len, <, objects->len);
  CHECK_ROWS (want, "objects", "--host", "*.example.com");
}

static void
test_until_date (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) all = query (f->db, "conversations", NULL);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree gchar *day = g_strndup (json_object_get_string_member (all->pdata[0], "first_ts"), 10);
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) before = NULL;
  g_autoptr(GDateTime) after = NULL;
  g_autofree gchar *midnight_text = g_strconcat (day, "T00:00:00Z", NULL);
  g_autofree gchar *day_before = NULL, *day_after = NULL;

  g_test_summary ("A date as --until is the end of that day: --since D --until D is the "
                  "whole day D.");
  midnight = g_date_time_new_from_iso8601 (midnight_text, NULL);
  before = g_date_time_add_days (midnight, -1);
  after = g_date_time_add_days (midnight, 1);
  day_before = g_date_time_format (before, "%Y-%m-%d");
  day_after = g_date_time_format (after, "%Y-%m-%d");
  /* the capture lies within one day */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (all->pdata[all->len - 1], "last_ts"), day));
  CHECK_ROWS (all, "conversations", "--since", day, "--until", day);
  CHECK_ROWS (all, "conversations", "--until", day);
  CHECK_ROWS (none, "conversations", "--until", day_before);
  CHECK_ROWS (none, "conversations", "--since", day_after);
  {
    g_autoptr(GPtrArray) http = query (f->db, "http", NULL);

    CHECK_ROWS (http, "http", "--since", day, "--until", day);
  }
}

static void
test_limit_count (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) all = query (f->db, "conversations", NULL);
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) http404 = query (f->db, "http", "--where", "status=404", NULL);
  g_autofree gchar *count = query_text (f->db, "conversations", "--count", NULL);
  g_autofree gchar *count404 = query_text (f->db, "http", "--where", "status=404", "--count", NULL);
  g_autofree gchar *count_limited = query_text (f->db, "conversations", "--count", "--limit", "3", NULL);
  g_autofree gchar *tsv = query_text (f->db, "conversations", "--limit", "5", "--format", "tsv", NULL);
  g_autofree gchar *table = query_text (f->db, "conversations", "--limit", "5", "--format", "table", NULL);
  g_autofree gchar *want = g_strdup_printf ("%u\n", all->len);
  g_autofree gchar *want404 = g_strdup_printf ("%u\n", http404->len);
  g_auto(GStrv) tsv_lines = g_strsplit (tsv, "\n", -1);
  g_auto(GStrv) table_lines = g_strsplit (table, "\n", -1);

  g_test_summary ("--limit N prints the first N rows in every format; --count prints only "
                  "the number of rows that match.");
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (first, all->pdata[i]);
  CHECK_ROWS (first, "conversations", "--limit", "5");
  g_assert_cmpstr (count, ==, want);
  g_assert_cmpstr (count404, ==, want404);
  g_assert_cmpstr (count_limited, ==, "3\n");
  /* a header, five rows and the empty string after the last newline */
  g_assert_cmpuint (g_strv_length (tsv_lines), ==, 7);
  g_assert_cmpuint (g_strv_length (table_lines), ==, 7);
  g_assert_true (g_str_has_prefix (tsv_lines[1], json_object_get_string_member (all->pdata[0], "conversation")));
}

static void
test_filter_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) day1 = query (f->db, "inputs", "--where", "path~*day1*", NULL);
  g_autoptr(GPtrArray) day2 = query (f->db, "inputs", "--where", "path~*day2*", NULL);

  g_test_summary ("An unknown field, a bad operator, a non-number compared as a number and a "
                  "filter the kind cannot honour are each one line naming it, exit status 1; "
                  "inputs honour --where on their fields.");
  g_assert_cmpuint (day1->len, ==, 1);
  g_assert_cmpuint (day2->len, ==, 0);
  expect_error ("nosuch", "query", "-d", f->db, "http", "--where", "nosuch=1", NULL);
  expect_error ("qname", "query", "-d", f->db, "http", "--where", "qname=x", NULL);
  expect_error ("status", "query", "-d", f->db, "http", "--where", "status", NULL);
  expect_error ("status@404", "query", "-d", f->db, "http", "--where", "status@404", NULL);
  expect_error ("many", "query", "-d", f->db, "http", "--where", "status>many", NULL);
  expect_error ("--port", "query", "-d", f->db, "inputs", "--port", "53", NULL);
  expect_error ("--ip", "query", "-d", f->db, "inputs", "--ip", "10.0.0.1", NULL);
  expect_error ("--host", "query", "-d", f->db, "inputs", "--host", "x", NULL);
  expect_error ("10.0.0.0/33", "query", "-d", f->db, "conversations", "--ip", "10.0.0.0/33", NULL);
  expect_error ("ten", "query", "-d", f->db, "conversations", "--limit", "ten", NULL);
}
#undef CHECK_ROWS

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/query/jsonl-fields", Fixture, NULL, fixture_set_up, test_jsonl_fields, fixture_tear_down);
  g_test_add ("/query/filters", Fixture, NULL, fixture_set_up, test_filters, fixture_tear_down);
  g_test_add ("/query/formats", Fixture, NULL, fixture_set_up, test_formats, fixture_tear_down);
  g_test_add ("/query/table-streams", Fixture, NULL, fixture_set_up, test_table_streams, fixture_tear_down);
  g_test_add ("/query/several-databases", Fixture, NULL, fixture_set_up, test_several_databases, fixture_tear_down);
  g_test_add ("/query/append", Fixture, NULL, fixture_set_up, test_append, fixture_tear_down);
  g_test_add ("/query/stats", Fixture, NULL, fixture_set_up, test_stats, fixture_tear_down);
  g_test_add ("/query/export-objects-empty", Fixture, NULL, fixture_set_up, test_export_objects_empty, fixture_tear_down);
  g_test_add ("/query/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/query/repeated-and-cidr", Fixture, NULL, fixture_set_up, test_repeated_and_cidr, fixture_tear_down);
  g_test_add ("/query/where", Fixture, NULL, fixture_set_up, test_where, fixture_tear_down);
  g_test_add ("/query/host-port", Fixture, NULL, fixture_set_up, test_host_port, fixture_tear_down);
  g_test_add ("/query/objects-host", Fixture, NULL, fixture_set_up, test_objects_host, fixture_tear_down);
  g_test_add ("/query/until-date", Fixture, NULL, fixture_set_up, test_until_date, fixture_tear_down);
  g_test_add ("/query/limit-count", Fixture, NULL, fixture_set_up, test_limit_count, fixture_tear_down);
  g_test_add ("/query/filter-errors", Fixture, NULL, fixture_set_up, test_filter_errors, fixture_tear_down);
  g_test_add_func ("/query/dns-duplicate", test_dns_duplicate);
  g_test_add_func ("/query/dns-family", test_dns_family);
  g_test_add_func ("/query/terminal-escapes", test_terminal_escapes);
  return g_test_run ();
}
