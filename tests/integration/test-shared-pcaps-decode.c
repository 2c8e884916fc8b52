/* test-shared-pcaps-decode.c: every public capture is read and decoded
 * as Wireshark reads and decodes it
 *
 * Frame counts and SHA-256 come from ../shared/pcaps/MANIFEST.tsv
 * (capinfos). Per-frame network and transport protocols are compared with
 * tshark's when tshark is installed; the frames where we differ on
 * purpose are listed, with the reason, in decode-differences.tsv.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>
#include <stdlib.h>
#include <string.h>

#include "shared-pcaps.h"

typedef struct
{
  guint64 frames;
  gchar  *sha256;
  gchar  *damage;
  gchar  *error;
  GHashTable *per_frame;   /* frame number -> "net/transport" */
} ReadResult;

static void
read_result_clear (ReadResult *r)
{
  g_free (r->sha256);
  g_free (r->damage);
  g_free (r->error);
  g_clear_pointer (&r->per_frame, g_hash_table_unref);
}

/* Our view of a frame, in the vocabulary of the comparison. */
static const gchar *
simple_net (guint8 net)
{
  return net == NTPAC_NET_IPV4 ? "ipv4" : net == NTPAC_NET_IPV6 ? "ipv6" :
         net == NTPAC_NET_ARP ? "arp" : "none";
}

static const gchar *
simple_transport (const NtpacPacket *p,
                  gboolean           held)
{
  if (held)
    return "none";
  switch (p->transport)
    {
    case NTPAC_TRANSPORT_TCP:
      return "tcp";
    case NTPAC_TRANSPORT_UDP:
      return "udp";
    case NTPAC_TRANSPORT_ICMP:
      return "icmp";
    case NTPAC_TRANSPORT_ICMPV6:
      return "icmpv6";
    default:
      return "none";
    }
}

static void
read_file (const gchar *path,
           ReadResult  *r)
{
  const gchar *paths[] = { path, NULL };
  g_autoptr(NtpacCapture) capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
  g_autoptr(NtpacDecoder) decoder = ntpac_decoder_new (NULL);
  const NtpacInput *input;
  NtpacFrame frame;

  memset (r, 0, sizeof *r);
  r->per_frame = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  while (ntpac_capture_next (capture, &frame))
    {
      NtpacPacket packet;
      gboolean usable = ntpac_decoder_decode (decoder, &frame, &packet);

      g_hash_table_insert (r->per_frame, GSIZE_TO_POINTER (frame.ref.number),
                           g_strdup_printf ("%s/%s", simple_net (packet.net),
                                            simple_transport (&packet, !usable)));
      ntpac_packet_clear (&packet);
    }
  ntpac_decoder_finish (decoder);
  ntpac_capture_wait_hashes (capture);
  input = ntpac_capture_get_input (capture, 0);
  r->frames = input->frames;
  r->sha256 = g_strdup (input->sha256);
  r->damage = g_strdup (input->damage);
  r->error = input->error != NULL ? g_strdup (input->error->message) : NULL;
}

/* capinfos says "n/a" for damaged files; its warning then tells how many
 * packets it read before the damage. */
static guint64
expected_frames (GHashTable *row)
{
  const gchar *packets = g_hash_table_lookup (row, "packets");
  const gchar *warning = g_hash_table_lookup (row, "capinfos_warning");
  const gchar *after;

  if (packets != NULL && g_ascii_isdigit (packets[0]))
    return g_ascii_strtoull (packets, NULL, 10);
  if (warning != NULL && (after = strstr (warning, "after reading ")) != NULL)
    return g_ascii_strtoull (after + strlen ("after reading "), NULL, 10);
  return 0;
}

static void
test_frames_and_hashes (void)
{
  g_autoptr(SharedPcaps) pcaps = shared_pcaps_open ();

  g_test_summary ("Every capture of the corpus is read to the frame count capinfos gives, "
                  "hashed to the SHA-256 of the manifest, and damaged exactly where capinfos "
                  "reports damage.");
  if (shared_pcaps_skip_if_missing (pcaps))
    return;

  for (guint i = 0; i < pcaps->rows->len; i++)
    {
      GHashTable *row = pcaps->rows->pdata[i];
      const gchar *file = g_hash_table_lookup (row, "file");
      const gchar *warning = g_hash_table_lookup (row, "capinfos_warning");
      g_autofree gchar *path = shared_pcaps_path (pcaps, file);
      ReadResult r;

      g_test_message ("%s", file);
      read_file (path, &r);
      g_assert_null (r.error);
      g_assert_cmpuint (r.frames, ==, expected_frames (row));
      g_assert_cmpstr (r.sha256, ==, g_hash_table_lookup (row, "sha256"));
      if (warning != NULL && warning[0] != '\0')
        g_assert_nonnull (r.damage);
      else
        g_assert_null (r.damage);
      read_result_clear (&r);
    }
}

/* tshark's frame.protocols ("eth:ethertype:ip:udp:dns") reduced to the
 * innermost network and transport protocols. ICMP ends the walk: headers
 * quoted inside an ICMP error are not the frame's own. */
static gchar *
tshark_view (const gchar *protocols)
{
  g_auto(GStrv) names = g_strsplit (protocols, ":", -1);
  const gchar *net = "none", *transport = "none";

  for (guint i = 0; names[i] != NULL; i++)
    {
      const gchar *p = names[i];

      if (g_str_equal (p, "ip"))
        net = "ipv4", transport = "none";
      else if (g_str_equal (p, "ipv6"))
        net = "ipv6", transport = "none";
      else if (g_str_equal (p, "arp"))
        net = "arp";
      else if (g_str_equal (p, "tcp") || g_str_equal (p, "udp"))
        transport = p;
      else if (g_str_equal (p, "icmp") || g_str_equal (p, "icmpv6"))
        {
          transport = p;
          break;
        }
    }
  return g_strdup_printf ("%s/%s", net, transport);
}

static GHashTable *
run_tshark (const gchar *tshark,
            const gchar *path)
{
  const gchar *argv[] = { tshark, "-n", "-r", path, "-T", "fields",
                          "-e", "frame.number", "-e", "frame.protocols", NULL };
  g_autofree gchar *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *frames = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], "\t", 2);

      if (cells[0] == NULL || cells[1] == NULL)
        continue;
      g_hash_table_insert (frames, GSIZE_TO_POINTER (g_ascii_strtoull (cells[0], NULL, 10)),
                           tshark_view (cells[1]));
    }
  return frames;
}

static void
test_protocols_match_tshark (void)
{
  g_autoptr(SharedPcaps) pcaps = shared_pcaps_open ();
  g_autofree gchar *tshark = g_find_program_in_path ("tshark");
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const gchar *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree gchar *known_path = g_build_filename (srcdir != NULL ? srcdir : ".",
                                                   "tests", "integration",
                                                   "decode-differences.tsv", NULL);
  guint unexpected = 0;

  g_test_summary ("For every frame of the corpus, the innermost network and transport "
                  "protocols equal tshark's, except the frames listed with a reason in "
                  "decode-differences.tsv.");
  if (shared_pcaps_skip_if_missing (pcaps))
    return;
  if (tshark == NULL)
    {
      g_test_skip ("tshark is not installed");
      return;
    }

  known = shared_pcaps_read_tsv (known_path);
  g_assert_nonnull (known);
  for (guint i = 0; i < known->len; i++)
    {
      GHashTable *row = known->pdata[i];

      g_hash_table_add (expected, g_strdup_printf ("%s#%s", (gchar *) g_hash_table_lookup (row, "file"),
                                                   (gchar *) g_hash_table_lookup (row, "frame")));
    }

  for (guint i = 0; i < pcaps->rows->len; i++)
    {
      const gchar *file = g_hash_table_lookup (pcaps->rows->pdata[i], "file");
      g_autofree gchar *path = shared_pcaps_path (pcaps, file);
      g_autoptr(GHashTable) theirs = run_tshark (tshark, path);
      GHashTableIter iter;
      gpointer key, value;
      ReadResult ours;

      read_file (path, &ours);
      g_hash_table_iter_init (&iter, theirs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const gchar *mine = g_hash_table_lookup (ours.per_frame, key);
          g_autofree gchar *id = g_strdup_printf ("%s#%" G_GSIZE_FORMAT, file, GPOINTER_TO_SIZE (key));

          if (g_strcmp0 (mine, value) == 0)
            continue;
          if (g_hash_table_contains (expected, id))
            {
              g_hash_table_add (seen, g_steal_pointer (&id));
              continue;
            }
          g_test_message ("%s: tshark %s, ntpac %s", id, (gchar *) value, mine != NULL ? mine : "(no frame)");
          unexpected++;
        }
      read_result_clear (&ours);
    }
  g_assert_cmpuint (unexpected, ==, 0);
  /* A listed difference that went away must leave the list. */
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (expected));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shared-pcaps/frames-and-hashes", test_frames_and_hashes);
  g_test_add_func ("/shared-pcaps/protocols-match-tshark", test_protocols_match_tshark);
  return g_test_run ();
}
