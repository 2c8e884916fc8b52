/* test-shared-pcaps-conversations.c: TCP and UDP conversations of the
 * public captures, counted as tshark counts them
 *
 * ../shared/pcaps/reference/conversations.tsv holds tshark's counts. Where
 * ours differ on purpose the difference, both counts and the reason are in
 * conversation-differences.tsv; any other difference fails, and so does a
 * listed one that went away.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#include "shared-pcaps.h"

typedef struct
{
  gint tcp;
  gint udp;
} Counts;

static void
count_end (gpointer                 sink,
           const NtpacConversation *conversation)
{
  Counts *counts = sink;

  /* One worker: called from one thread. */
  if (conversation->transport == NTPAC_TRANSPORT_TCP)
    counts->tcp++;
  else
    counts->udp++;
}

static const NtpacConversationSinkFuncs count_funcs = { .end = count_end };

static Counts
count_conversations (const gchar *path)
{
  const gchar *inputs[] = { path, NULL };
  Counts counts = { 0, 0 };
  g_autoptr(NtpacEngine) engine = NULL;
  NtpacEngineConfig config;

  ntpac_engine_config_init (&config);
  config.n_workers = 1;
  config.capture_flags = NTPAC_CAPTURE_FLAGS_NO_HASH;
  config.sink = &count_funcs;
  config.sink_data = &counts;
  engine = ntpac_engine_new (inputs, &config);
  ntpac_engine_run (engine);
  g_assert_cmpuint (ntpac_engine_get_stats (engine)->actors_failed, ==, 0);
  return counts;
}

static gint
cell (GHashTable  *row,
      const gchar *column)
{
  return (gint) g_ascii_strtoll (g_hash_table_lookup (row, column), NULL, 10);
}

static void
test_conversation_counts (void)
{
  g_autoptr(SharedPcaps) pcaps = shared_pcaps_open ();
  g_autoptr(GPtrArray) reference = NULL;
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(GHashTable) differences = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gchar *reference_path = NULL;
  g_autofree gchar *known_path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "tests", "integration",
                                                   "conversation-differences.tsv", NULL);
  guint unexpected = 0, matched = 0;

  g_test_summary ("Every capture of the corpus has as many TCP and UDP conversations as "
                  "tshark lists, or the difference is listed with its reason.");
  if (shared_pcaps_skip_if_missing (pcaps))
    return;
  reference_path = g_build_filename (pcaps->dir, "reference", "conversations.tsv", NULL);
  reference = shared_pcaps_read_tsv (reference_path);
  g_assert_nonnull (reference);
  known = shared_pcaps_read_tsv (known_path);
  g_assert_nonnull (known);
  for (guint i = 0; i < known->len; i++)
    g_hash_table_insert (differences, g_hash_table_lookup (known->pdata[i], "file"), known->pdata[i]);

  for (guint i = 0; i < reference->len; i++)
    {
      GHashTable *row = reference->pdata[i];
      const gchar *file = g_hash_table_lookup (row, "file");
      GHashTable *diff = g_hash_table_lookup (differences, file);
      g_autofree gchar *path = shared_pcaps_path (pcaps, file);
      Counts ours = count_conversations (path);
      gint want_tcp = cell (row, "tcp_conversations"), want_udp = cell (row, "udp_conversations");

      if (diff != NULL)
        {
          /* The listed difference must be exactly what happens. */
          g_assert_cmpint (cell (diff, "tshark_tcp"), ==, want_tcp);
          g_assert_cmpint (cell (diff, "tshark_udp"), ==, want_udp);
          want_tcp = cell (diff, "ntpac_tcp");
          want_udp = cell (diff, "ntpac_udp");
        }
      if (ours.tcp != want_tcp || ours.udp != want_udp)
        {
          g_test_message ("%s: expected tcp=%d udp=%d, ntpac tcp=%d udp=%d",
                          file, want_tcp, want_udp, ours.tcp, ours.udp);
          unexpected++;
        }
      else
        matched++;
    }
  g_test_message ("%u captures match", matched);
  g_assert_cmpuint (unexpected, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shared-pcaps/conversations", test_conversation_counts);
  return g_test_run ();
}
