/* test-carve.c: carve gives back a conversation's frames exactly as they
 * are in the evidence
 *
 * The capture files are walked here with a reader of their own, not the
 * engine's, so that the engine's frame numbers and offsets are checked
 * against an independent count.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ntpac-test-files.h"
#include "ntpac-test-run.h"
#include "ntpac-traffic-gen.h"

/* A capture file split into its pieces: the file header (pcap) or the
 * blocks that are not packets (pcapng), and the records of the frames. */
typedef struct
{
  GBytes    *contents;
  GPtrArray *headers;  /* GBytes */
  GPtrArray *frames;   /* GBytes, frame N at index N - 1 */
} CaptureParts;

static void
capture_parts_free (CaptureParts *p)
{
  g_bytes_unref (p->contents);
  g_ptr_array_unref (p->headers);
  g_ptr_array_unref (p->frames);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaptureParts, capture_parts_free)

static guint32
read_u32 (const guint8 *p,
          gboolean      big)
{
  return big ? ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3])
             : ((guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0]);
}

static CaptureParts *
split_capture (const gchar *path)
{
  CaptureParts *p = g_new0 (CaptureParts, 1);
  gchar *data;
  gsize len, at;
  const guint8 *d;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  p->contents = g_bytes_new_take (data, len);
  p->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  d = (const guint8 *) data;
  g_assert_cmpuint (len, >=, 24);

  if (read_u32 (d, FALSE) == 0x0A0D0D0A)
    {
      gboolean big = read_u32 (d + 8, FALSE) != 0x1A2B3C4D;

      for (at = 0; at + 12 <= len;)
        {
          guint32 type = read_u32 (d + at, big);
          guint32 block_len;

          if (type == 0x0A0D0D0A)
            big = read_u32 (d + at + 8, FALSE) != 0x1A2B3C4D;
          block_len = read_u32 (d + at + 4, big);
          g_assert_cmpuint (block_len, >=, 12);
          g_assert_cmpuint (at + block_len, <=, len);
          g_ptr_array_add (type == 6 || type == 3 || type == 2 ? p->frames : p->headers,
                           g_bytes_new_from_bytes (p->contents, at, block_len));
          at += block_len;
        }
    }
  else
    {
      gboolean big = read_u32 (d, FALSE) != 0xA1B2C3D4 && read_u32 (d, FALSE) != 0xA1B23C4D;

      g_ptr_array_add (p->headers, g_bytes_new_from_bytes (p->contents, 0, 24));
      for (at = 24; at + 16 <= len;)
        {
          guint32 caplen = read_u32 (d + at + 8, big);

          g_assert_cmpuint (at + 16 + caplen, <=, len);
          g_ptr_array_add (p->frames, g_bytes_new_from_bytes (p->contents, at, 16 + caplen));
          at += 16 + caplen;
        }
    }
  g_assert_cmpuint (at, ==, len);
  return p;
}

static gboolean
has_bytes (GPtrArray *list,
           GBytes    *bytes)
{
  for (guint i = 0; i < list->len; i++)
    if (g_bytes_equal (list->pdata[i], bytes))
      return TRUE;
  return FALSE;
}

/* Carves each of a few conversations of @capture and compares. */
static void
check_carving (NtpacTrafficGenFormat format,
               const gchar          *name)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-carve-XXXXXX", NULL);
  g_autofree gchar *capture = g_build_filename (dir, name, NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *db = g_build_filename (dir, "evidence.ntpac", NULL);
  g_autoptr(CaptureParts) original = NULL;
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(NtpacTestRun) run = { 0 };
  g_auto(NtpacTestRun) query = { 0 };
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  guint chosen[3], biggest = 0;

  ntpac_traffic_gen_options_init (&options);
  options.seed = 41;
  options.target_size = 2 * 1024 * 1024;
  options.format = format;
  options.nanosecond = format == NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG;
  options.ipv6_ratio = 0.3;
  options.n_vlans = 1;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &stats, &error));
  original = split_capture (capture);
  g_assert_cmpuint (original->frames->len, ==, stats.packets);

  ntpac_test_run_engine (&run, "run", "-o", db, capture, NULL);
  g_assert_cmpint (run.status, ==, 0);
  ntpac_test_run_engine (&query, "query", "-d", db, "conversations", NULL);
  g_assert_cmpint (query.status, ==, 0);
  conversations = ntpac_test_parse_lines (query.out);
  g_assert_cmpuint (conversations->len, >, 3);
  for (guint i = 0; i < conversations->len; i++)
    if (json_object_get_int_member (conversations->pdata[i], "packets") >
        json_object_get_int_member (conversations->pdata[biggest], "packets"))
      biggest = i;
  chosen[0] = 0;
  chosen[1] = biggest;
  chosen[2] = conversations->len - 1;

  for (guint c = 0; c < G_N_ELEMENTS (chosen); c++)
    {
      JsonObject *o = conversations->pdata[chosen[c]];
      JsonArray *frames = json_object_get_array_member (o, "frames");
      g_autofree gchar *out = g_strdup_printf ("%s/carved-%u.%s", dir, c,
                                               format == NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG ? "pcapng" : "pcap");
      g_auto(NtpacTestRun) carve = { 0 };
      g_autoptr(CaptureParts) carved = NULL;

      ntpac_test_run_engine (&carve, "carve", "-d", db, "--conversation",
                             json_object_get_string_member (o, "conversation"), "-w", out, NULL);
      g_assert_cmpint (carve.status, ==, 0);
      carved = split_capture (out);
      g_assert_cmpuint (carved->frames->len, ==, json_array_get_length (frames));
      for (guint i = 0; i < carved->frames->len; i++)
        {
          gint64 number = json_array_get_int_element (frames, i);

          g_assert_cmpint (number, >=, 1);
          g_assert_cmpint (number, <=, original->frames->len);
          g_assert_true (g_bytes_equal (carved->frames->pdata[i], original->frames->pdata[number - 1]));
        }
      /* the file header, or the section and interface blocks, as they were */
      g_assert_cmpuint (carved->headers->len, >=, 1);
      for (guint i = 0; i < carved->headers->len; i++)
        g_assert_true (has_bytes (original->headers, carved->headers->pdata[i]));
    }
  ntpac_test_remove_tree (dir);
}

static void
test_carve_pcap (void)
{
  g_test_summary ("Carving a conversation from a pcap gives a pcap with the input's file "
                  "header and exactly the conversation's records, byte for byte.");
  check_carving (NTPAC_TRAFFIC_GEN_FORMAT_PCAP, "evidence.pcap");
}

static void
test_carve_pcapng (void)
{
  g_test_summary ("Carving a conversation from a pcapng gives a pcapng with the section "
                  "and interface blocks of the input and exactly the conversation's "
                  "packet blocks, byte for byte.");
  check_carving (NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG, "evidence.pcapng");
}

static void
test_carve_changed_evidence (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-carve-XXXXXX", NULL);
  g_autofree gchar *capture = g_build_filename (dir, "evidence.pcap", NULL);
  g_autofree gchar *moved = g_build_filename (dir, "elsewhere.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *db = g_build_filename (dir, "evidence.ntpac", NULL);
  g_autofree gchar *out = g_build_filename (dir, "carved.pcap", NULL);
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(NtpacTestRun) run = { 0 };
  g_auto(NtpacTestRun) query = { 0 };
  g_auto(NtpacTestRun) gone = { 0 };
  g_auto(NtpacTestRun) changed = { 0 };
  g_auto(NtpacTestRun) unknown = { 0 };
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  const gchar *id;
  FILE *f;

  g_test_summary ("Carving from evidence that was moved or has changed size since the run "
                  "is refused with a message naming the file; an unknown conversation is "
                  "named too; no partial output is left behind.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 42;
  options.target_size = 256 * 1024;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &stats, &error));
  ntpac_test_run_engine (&run, "run", "-o", db, capture, NULL);
  g_assert_cmpint (run.status, ==, 0);
  ntpac_test_run_engine (&query, "query", "-d", db, "conversations", NULL);
  conversations = ntpac_test_parse_lines (query.out);
  id = json_object_get_string_member (conversations->pdata[0], "conversation");

  g_assert_cmpint (g_rename (capture, moved), ==, 0);
  ntpac_test_run_engine (&gone, "carve", "-d", db, "--conversation", id, "-w", out, NULL);
  g_assert_cmpint (gone.status, ==, 1);
  g_assert_nonnull (strstr (gone.err, capture));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_rename (moved, capture), ==, 0);
  f = fopen (capture, "ab");
  fputs ("appended later", f);
  fclose (f);
  ntpac_test_run_engine (&changed, "carve", "-d", db, "--conversation", id, "-w", out, NULL);
  g_assert_cmpint (changed.status, ==, 1);
  g_assert_nonnull (strstr (changed.err, capture));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  ntpac_test_run_engine (&unknown, "carve", "-d", db, "--conversation",
                         "00000000000000000000000000000000", "-w", out, NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "00000000000000000000000000000000"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  ntpac_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/carve/pcap", test_carve_pcap);
  g_test_add_func ("/carve/pcapng", test_carve_pcapng);
  g_test_add_func ("/carve/changed-evidence", test_carve_changed_evidence);
  return g_test_run ();
}
