/* test-traffic-gen.c: the generator is deterministic, and its ground truth
 * agrees with what a simple reader of its own finds in the capture. */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ntpac-traffic-gen.h"

#define TEST_SIZE (3 * 1024 * 1024)

typedef struct
{
  gchar *dir;
} TmpDir;

static void
tmp_dir_set_up (TmpDir        *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("ntpac-gen-test-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
tmp_dir_tear_down (TmpDir        *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const gchar *name;

  (void) data;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
}

static void
small_options (NtpacTrafficGenOptions *options,
               guint64                 seed)
{
  ntpac_traffic_gen_options_init (options);
  options->seed = seed;
  options->target_size = TEST_SIZE;
  options->concurrency = 16;
}

static gchar *
generate (TmpDir                       *fixture,
          const gchar                  *name,
          const NtpacTrafficGenOptions *options)
{
  g_autoptr(GError) error = NULL;
  gchar *path = g_build_filename (fixture->dir, name, NULL);
  NtpacTrafficGenStats stats;

  g_assert_true (ntpac_traffic_gen_run (options, path, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.bytes, >=, options->target_size);
  g_assert_cmpuint (stats.flows, >, 0);
  return path;
}

static GBytes *
load (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static GBytes *
load_truth (const gchar *capture_path)
{
  g_autofree gchar *truth_path = ntpac_traffic_gen_truth_path (capture_path);

  return load (truth_path);
}

static void
test_deterministic (TmpDir        *fixture,
                    gconstpointer  data)
{
  NtpacTrafficGenOptions options;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *other = NULL;
  g_autoptr(GBytes) first_capture = NULL;
  g_autoptr(GBytes) second_capture = NULL;
  g_autoptr(GBytes) other_capture = NULL;
  g_autoptr(GBytes) first_truth = NULL;
  g_autoptr(GBytes) second_truth = NULL;

  (void) data;
  g_test_summary ("The same seed and options give byte-identical captures and truth; "
                  "another seed gives another capture.");

  small_options (&options, 42);
  options.loss_rate = 0.01;
  options.duplicate_rate = 0.01;
  options.reorder_rate = 0.01;
  first = generate (fixture, "first.pcap", &options);
  second = generate (fixture, "second.pcap", &options);
  options.seed = 43;
  other = generate (fixture, "other.pcap", &options);

  first_capture = load (first);
  second_capture = load (second);
  other_capture = load (other);
  g_assert_true (g_bytes_equal (first_capture, second_capture));
  g_assert_false (g_bytes_equal (first_capture, other_capture));

  first_truth = load_truth (first);
  second_truth = load_truth (second);
  g_assert_true (g_bytes_equal (first_truth, second_truth));
}

/* A reader of its own: Ethernet, VLAN tags, IPv4/IPv6, TCP/UDP. */

static guint16
be16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

typedef struct
{
  gboolean tcp;
  gchar src[INET6_ADDRSTRLEN];
  gchar dst[INET6_ADDRSTRLEN];
  guint16 sport;
  guint16 dport;
  guint8 flags;
  guint32 seq;
  const guint8 *payload;
  gsize payload_len;
} Frame;

static void
parse_frame (const guint8 *d,
             gsize         len,
             Frame        *frame)
{
  gsize offset = 14;
  guint16 type = be16 (d + 12);
  gsize l4, end;
  guint8 protocol;

  memset (frame, 0, sizeof *frame);
  while (type == 0x8100 || type == 0x88a8)
    {
      type = be16 (d + offset + 2);
      offset += 4;
    }
  if (type == 0x0800)
    {
      protocol = d[offset + 9];
      inet_ntop (AF_INET, d + offset + 12, frame->src, sizeof frame->src);
      inet_ntop (AF_INET, d + offset + 16, frame->dst, sizeof frame->dst);
      l4 = offset + (d[offset] & 0x0f) * 4;
      end = offset + be16 (d + offset + 2);
    }
  else
    {
      g_assert_cmphex (type, ==, 0x86dd);
      protocol = d[offset + 6];
      inet_ntop (AF_INET6, d + offset + 8, frame->src, sizeof frame->src);
      inet_ntop (AF_INET6, d + offset + 24, frame->dst, sizeof frame->dst);
      l4 = offset + 40;
      end = l4 + be16 (d + offset + 4);
    }
  g_assert_cmpuint (end, <=, len);

  frame->sport = be16 (d + l4);
  frame->dport = be16 (d + l4 + 2);
  frame->tcp = protocol == 6;
  if (frame->tcp)
    {
      frame->seq = be32 (d + l4 + 4);
      frame->flags = d[l4 + 13];
      frame->payload = d + l4 + (d[l4 + 12] >> 4) * 4;
    }
  else
    {
      g_assert_cmpuint (protocol, ==, 17);
      frame->payload = d + l4 + 8;
    }
  frame->payload_len = d + end - frame->payload;
}

typedef struct
{
  guint32 isn[2];
  GHashTable *segments[2];   /* relative sequence number → GBytes; UDP: arrival index */
  GChecksum *udp_sha256[2];
  guint64 udp_bytes[2];
  guint64 packets;
} SeenFlow;

static void
seen_flow_free (gpointer data)
{
  SeenFlow *flow = data;

  for (guint i = 0; i < 2; i++)
    {
      g_hash_table_unref (flow->segments[i]);
      g_checksum_free (flow->udp_sha256[i]);
    }
  g_free (flow);
}

static gchar *
flow_key (gboolean     tcp,
          const gchar *src,
          guint        sport,
          const gchar *dst,
          guint        dport)
{
  return g_strdup_printf ("%s|%s|%u|%s|%u", tcp ? "tcp" : "udp", src, sport,
                          dst, dport);
}

/* Finds the flow of @frame and its direction, creating it on a SYN or a
 * first datagram. */
static SeenFlow *
lookup_flow (GHashTable  *flows,
             const Frame *frame,
             guint       *direction)
{
  g_autofree gchar *up_key = flow_key (frame->tcp, frame->src, frame->sport,
                                       frame->dst, frame->dport);
  g_autofree gchar *down_key = flow_key (frame->tcp, frame->dst, frame->dport,
                                         frame->src, frame->sport);
  SeenFlow *flow = g_hash_table_lookup (flows, up_key);

  *direction = 0;
  if (flow != NULL)
    return flow;
  flow = g_hash_table_lookup (flows, down_key);
  *direction = 1;
  if (flow != NULL)
    return flow;

  g_assert_true (!frame->tcp || frame->flags == 0x02);
  flow = g_new0 (SeenFlow, 1);
  for (guint i = 0; i < 2; i++)
    {
      flow->segments[i] = g_hash_table_new_full (NULL, NULL, NULL,
                                                 (GDestroyNotify) g_bytes_unref);
      flow->udp_sha256[i] = g_checksum_new (G_CHECKSUM_SHA256);
    }
  g_hash_table_insert (flows, g_steal_pointer (&up_key), flow);
  *direction = 0;
  return flow;
}

static void
account_frame (SeenFlow    *flow,
               guint        direction,
               const Frame *frame,
               guint       *n_syns)
{
  if (!frame->tcp)
    {
      g_checksum_update (flow->udp_sha256[direction], frame->payload,
                         frame->payload_len);
      flow->udp_bytes[direction] += frame->payload_len;
      return;
    }
  if (frame->flags & 0x02)
    {
      if (direction == 0)
        (*n_syns)++;
      flow->isn[direction] = frame->seq;
      return;
    }
  if (frame->payload_len > 0)
    g_hash_table_replace (flow->segments[direction],
                          GUINT_TO_POINTER (frame->seq - flow->isn[direction] - 1),
                          g_bytes_new (frame->payload, frame->payload_len));
}

static gint
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

static GArray *
sorted_offsets (GHashTable *segments)
{
  GArray *offsets = g_array_sized_new (FALSE, FALSE, sizeof (guint),
                                       g_hash_table_size (segments));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, segments);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint offset = GPOINTER_TO_UINT (key);

      g_array_append_val (offsets, offset);
    }
  g_array_sort (offsets, compare_uint);
  return offsets;
}

/* Truth lines are read with plain string search: the keys are fixed and
 * the values this test reads never contain quotes. */

static const gchar *
json_find (const gchar *line,
           const gchar *key)
{
  g_autofree gchar *pattern = g_strdup_printf ("\"%s\":", key);
  const gchar *found = strstr (line, pattern);

  g_assert_nonnull (found);
  return found + strlen (pattern);
}

static guint64
json_uint (const gchar *line,
           const gchar *key)
{
  return g_ascii_strtoull (json_find (line, key), NULL, 10);
}

static gchar *
json_string (const gchar *line,
             const gchar *key)
{
  const gchar *start = json_find (line, key);

  g_assert_cmpint (*start, ==, '"');
  return g_strndup (start + 1, strchr (start + 1, '"') - start - 1);
}

static void
check_tcp_direction (SeenFlow    *flow,
                     guint        direction,
                     const gchar *truth)
{
  g_autoptr(GArray) offsets = sorted_offsets (flow->segments[direction]);
  g_autoptr(GChecksum) sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree gchar *expected_sha256 = json_string (truth, "sha256");
  guint64 bytes = json_uint (truth, "bytes");
  guint64 missing = json_uint (truth, "missing_bytes");
  guint64 captured = 0;

  for (guint i = 0; i < offsets->len; i++)
    {
      guint offset = g_array_index (offsets, guint, i);
      GBytes *segment = g_hash_table_lookup (flow->segments[direction],
                                             GUINT_TO_POINTER (offset));
      gsize len;
      const guint8 *data = g_bytes_get_data (segment, &len);

      /* Without loss the segments follow each other exactly. */
      if (missing == 0)
        g_assert_cmpuint (offset, ==, captured);
      g_checksum_update (sha256, data, len);
      captured += len;
    }
  g_assert_cmpuint (captured, ==, bytes - missing);
  if (missing == 0)
    g_assert_cmpstr (g_checksum_get_string (sha256), ==, expected_sha256);
}

static void
check_udp_direction (SeenFlow    *flow,
                     guint        direction,
                     const gchar *truth)
{
  g_autofree gchar *expected_sha256 = json_string (truth, "sha256");

  g_assert_cmpuint (flow->udp_bytes[direction], ==, json_uint (truth, "bytes"));
  g_assert_cmpuint (json_uint (truth, "missing_bytes"), ==, 0);
  g_assert_cmpstr (g_checksum_get_string (flow->udp_sha256[direction]), ==,
                   expected_sha256);
}

/* With --qinq the generator uses service tags 10-11 and customer tags
 * 100-103. */
static void
check_qinq_ids (const gchar *vlan)
{
  guint outer = 0;
  guint inner = 0;

  g_assert_cmpint (sscanf (vlan, "[%u,%u]", &outer, &inner), ==, 2);
  g_assert_cmpuint (outer, >=, 10);
  g_assert_cmpuint (outer, <=, 11);
  g_assert_cmpuint (inner, >=, 100);
  g_assert_cmpuint (inner, <=, 103);
}

typedef struct
{
  guint64 packets;
  guint n_syns;
  GHashTable *flows;  /* flow key → SeenFlow */
} CaptureSummary;

/* Reads a little-endian classic pcap, skipping byte-identical consecutive
 * records: the duplicates the generator writes back to back. */
static void
read_capture (GBytes         *capture,
              CaptureSummary *summary)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (capture, &len);
  gsize offset = 24;
  const guint8 *previous = NULL;
  guint32 previous_len = 0;

  g_assert_cmphex (le32 (d), ==, 0xa1b2c3d4);
  g_assert_cmpuint (le32 (d + 20), ==, 1);
  summary->flows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          seen_flow_free);
  while (offset < len)
    {
      guint32 caplen = le32 (d + offset + 8);
      const guint8 *data = d + offset + 16;
      gboolean duplicate =
        caplen == previous_len && memcmp (data, previous, caplen) == 0;
      Frame frame;
      SeenFlow *flow;
      guint direction;

      g_assert_cmpuint (le32 (d + offset + 12), ==, caplen);
      summary->packets++;
      parse_frame (data, caplen, &frame);
      flow = lookup_flow (summary->flows, &frame, &direction);
      flow->packets++;
      if (!duplicate)
        account_frame (flow, direction, &frame, &summary->n_syns);
      previous = data;
      previous_len = caplen;
      offset += 16 + caplen;
    }
  g_assert_cmpuint (offset, ==, len);
}

static void
test_truth_matches_capture (TmpDir        *fixture,
                            gconstpointer  data)
{
  NtpacTrafficGenOptions options;
  g_autofree gchar *path = NULL;
  g_autoptr(GBytes) capture = NULL;
  g_autoptr(GBytes) truth = NULL;
  g_auto(GStrv) lines = NULL;
  CaptureSummary summary = { 0 };
  guint n_lines;
  guint n_tcp_flows = 0;
  guint n_flows = 0;
  guint n_lossy = 0;
  guint64 flow_packets = 0;
  const gchar *last;

  (void) data;
  g_test_summary ("Flows, bytes, hashes and packet counts of the truth agree with the "
                  "capture read back, with loss, duplicates, reordering, QinQ and IPv6.");

  small_options (&options, 7);
  options.loss_rate = 0.02;
  options.duplicate_rate = 0.02;
  options.reorder_rate = 0.02;
  options.n_vlans = 2;
  options.ipv6_ratio = 0.3;
  path = generate (fixture, "impaired.pcap", &options);
  capture = load (path);
  truth = load_truth (path);
  read_capture (capture, &summary);

  lines = g_strsplit (g_bytes_get_data (truth, NULL), "\n", -1);
  n_lines = g_strv_length (lines);
  g_assert_cmpuint (n_lines, >=, 2);
  g_assert_cmpstr (lines[n_lines - 1], ==, "");

  for (guint i = 0; i + 2 < n_lines; i++)
    {
      const gchar *line = lines[i];
      g_autofree gchar *type = json_string (line, "type");
      g_autofree gchar *transport = NULL;
      g_autofree gchar *src = NULL;
      g_autofree gchar *dst = NULL;
      g_autofree gchar *key = NULL;
      SeenFlow *flow;
      gboolean tcp;

      if (!g_str_equal (type, "flow"))
        continue;
      n_flows++;
      transport = json_string (line, "transport");
      tcp = g_str_equal (transport, "tcp");
      n_tcp_flows += tcp;
      src = json_string (line, "src");
      dst = json_string (line, "dst");
      key = flow_key (tcp, src, json_uint (line, "sport"), dst,
                      json_uint (line, "dport"));
      flow = g_hash_table_lookup (summary.flows, key);
      g_assert_nonnull (flow);
      g_assert_cmpuint (flow->packets, ==, json_uint (line, "packets"));
      check_qinq_ids (json_find (line, "vlan"));
      flow_packets += flow->packets;
      if (tcp)
        {
          check_tcp_direction (flow, 0, json_find (line, "up"));
          check_tcp_direction (flow, 1, json_find (line, "down"));
          n_lossy += json_uint (json_find (line, "up"), "missing_bytes") > 0 ||
                     json_uint (json_find (line, "down"), "missing_bytes") > 0;
        }
      else
        {
          check_udp_direction (flow, 0, json_find (line, "up"));
          check_udp_direction (flow, 1, json_find (line, "down"));
        }
    }

  g_test_message ("%u flows (%u TCP, %u with loss), %" G_GUINT64_FORMAT " packets",
                  n_flows, n_tcp_flows, n_lossy, summary.packets);
  /* One SYN per TCP flow, one flow line per conversation in the capture. */
  g_assert_cmpuint (summary.n_syns, ==, n_tcp_flows);
  g_assert_cmpuint (g_hash_table_size (summary.flows), ==, n_flows);
  g_assert_cmpuint (n_lossy, >, 0);
  g_assert_cmpuint (flow_packets, ==, summary.packets);

  last = lines[n_lines - 2];
  g_assert_true (g_str_has_prefix (last, "{\"type\":\"summary\""));
  g_assert_cmpuint (json_uint (last, "packets"), ==, summary.packets);
  g_assert_cmpuint (json_uint (last, "bytes"), ==, g_bytes_get_size (capture));
  g_assert_cmpuint (json_uint (last, "flows"), ==, n_flows);
  g_assert_cmpuint (json_uint (last, "seed"), ==, 7);

  g_hash_table_unref (summary.flows);
}

static void
test_pcapng_nanosecond (TmpDir        *fixture,
                        gconstpointer  data)
{
  NtpacTrafficGenOptions options;
  g_autofree gchar *path = NULL;
  g_autoptr(GBytes) capture = NULL;
  g_autoptr(GBytes) truth = NULL;
  const guint8 *d;
  gsize len;
  gsize offset = 0;
  guint64 n_packets = 0;
  guint64 first_ts = 0;
  const gchar *summary;

  (void) data;
  small_options (&options, 9);
  options.format = NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG;
  options.nanosecond = TRUE;
  options.target_size = 512 * 1024;
  path = generate (fixture, "ns.pcapng", &options);
  capture = load (path);
  truth = load_truth (path);
  d = g_bytes_get_data (capture, &len);

  while (offset < len)
    {
      guint32 type = le32 (d + offset);
      guint32 block_len = le32 (d + offset + 4);

      g_assert_cmpuint (le32 (d + offset + block_len - 4), ==, block_len);
      if (type == 6)
        {
          guint64 ts = ((guint64) le32 (d + offset + 12) << 32) | le32 (d + offset + 16);

          if (n_packets == 0)
            first_ts = ts;
          g_assert_cmpuint (ts, >=, first_ts);
          n_packets++;
        }
      offset += block_len;
    }
  g_assert_cmpuint (offset, ==, len);

  /* The first frame opens the capture at 2024-03-01, with nanoseconds. */
  g_assert_cmpuint (first_ts / G_GUINT64_CONSTANT (1000000000), ==, 1709251200);
  g_assert_cmpuint (first_ts % 1000, !=, 0);
  summary = strstr (g_bytes_get_data (truth, NULL), "{\"type\":\"summary\"");
  g_assert_nonnull (summary);
  g_assert_cmpuint (json_uint (summary, "packets"), ==, n_packets);
  g_assert_cmpuint (json_uint (summary, "bytes"), ==, len);
}

static void
test_parse_options (void)
{
  NtpacTrafficGenOptions options;
  g_autoptr(GError) error = NULL;
  guint64 size = 0;

  ntpac_traffic_gen_options_init (&options);
  g_assert_true (ntpac_traffic_gen_parse_size ("10G", &size, &error));
  g_assert_cmpuint (size, ==, G_GUINT64_CONSTANT (10) << 30);
  g_assert_true (ntpac_traffic_gen_parse_size ("512k", &size, &error));
  g_assert_cmpuint (size, ==, 512 * 1024);
  g_assert_true (ntpac_traffic_gen_parse_size ("1000", &size, &error));
  g_assert_cmpuint (size, ==, 1000);
  g_assert_false (ntpac_traffic_gen_parse_size ("10X", &size, &error));
  g_assert_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                  NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  g_assert_true (ntpac_traffic_gen_parse_mix ("http=3,tls=1", &options,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpuint (options.weight_http, ==, 3);
  g_assert_cmpuint (options.weight_dns, ==, 0);
  g_assert_cmpuint (options.weight_tls, ==, 1);
  g_assert_cmpuint (options.weight_bulk, ==, 0);
  g_assert_false (ntpac_traffic_gen_parse_mix ("smtp=1", &options, &error));
  g_assert_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                  NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_false (ntpac_traffic_gen_parse_mix ("http=0", &options, &error));
  g_assert_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                  NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/bench-gen/deterministic", TmpDir, NULL,
              tmp_dir_set_up, test_deterministic, tmp_dir_tear_down);
  g_test_add ("/bench-gen/truth-matches-capture", TmpDir, NULL,
              tmp_dir_set_up, test_truth_matches_capture, tmp_dir_tear_down);
  g_test_add ("/bench-gen/pcapng-nanosecond", TmpDir, NULL,
              tmp_dir_set_up, test_pcapng_nanosecond, tmp_dir_tear_down);
  g_test_add_func ("/bench-gen/parse-options", test_parse_options);

  return g_test_run ();
}
