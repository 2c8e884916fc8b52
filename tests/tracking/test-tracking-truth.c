/* test-tracking-truth.c: conversations reassembled from generated traffic
 * with loss, duplicates and reordering equal what the generator sent
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "conversation-collector.h"
#include "ntpac-test-truth.h"
#include "ntpac-traffic-gen.h"

typedef struct
{
  gchar *dir;
  gchar *capture;
  gchar *truth;
} Generated;

static void
generated_free (Generated *g)
{
  g_unlink (g->capture);
  g_unlink (g->truth);
  g_rmdir (g->dir);
  g_free (g->capture);
  g_free (g->truth);
  g_free (g->dir);
  g_free (g);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Generated, generated_free)

static Generated *
generate (guint64 seed,
          gdouble loss,
          gdouble dup,
          gdouble reorder,
          guint64 size)
{
  Generated *g = g_new0 (Generated, 1);
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  g_autoptr(GError) error = NULL;

  g->dir = g_dir_make_tmp ("ntpac-truth-XXXXXX", NULL);
  g->capture = g_build_filename (g->dir, "traffic.pcap", NULL);
  g->truth = ntpac_traffic_gen_truth_path (g->capture);
  ntpac_traffic_gen_options_init (&options);
  options.seed = seed;
  options.target_size = size;
  options.loss_rate = loss;
  options.duplicate_rate = dup;
  options.reorder_rate = reorder;
  options.ipv6_ratio = 0.3;
  g_assert_true (ntpac_traffic_gen_run (&options, g->capture, g->truth, &stats, &error));
  g_assert_no_error (error);
  return g;
}

static GPtrArray *
track (const gchar *capture,
       guint        n_workers)
{
  const gchar *inputs[] = { capture, NULL };
  g_autoptr(ConversationCollector) collector = conversation_collector_new (FALSE);
  g_autoptr(NtpacEngine) engine = NULL;
  NtpacEngineConfig config;
  GPtrArray *result;

  ntpac_engine_config_init (&config);
  config.n_workers = n_workers;
  config.capture_flags = NTPAC_CAPTURE_FLAGS_NO_HASH;
  config.sink = conversation_collector_funcs ();
  config.sink_data = collector;
  engine = ntpac_engine_new (inputs, &config);
  ntpac_engine_run (engine);
  g_assert_cmpuint (ntpac_engine_get_stats (engine)->actors_failed, ==, 0);
  result = g_ptr_array_ref (conversation_collector_get (collector));
  return result;
}

static void
check_direction (const CollectedConversation *c,
                 NtpacDirection               dir,
                 JsonObject                  *truth,
                 guint                       *lossless,
                 guint                       *lossy)
{
  guint64 sent = json_object_get_int_member (truth, "bytes");
  guint64 missing = json_object_get_int_member (truth, "missing_bytes");
  g_autofree gchar *sha = collected_direction_sha256 (c, dir);

  g_assert_cmpuint (c->conversation.missing_bytes[dir], ==, missing);
  g_assert_cmpuint (c->gap_bytes[dir], ==, missing);
  g_assert_cmpuint (c->conversation.bytes[dir], ==, sent - missing);
  g_assert_cmpuint (c->payload[dir]->len, ==, sent - missing);
  if (missing == 0)
    {
      g_assert_cmpstr (sha, ==, json_object_get_string_member (truth, "sha256"));
      (*lossless)++;
    }
  else
    (*lossy)++;
}

static void
check_against_truth (const gchar *truth_path,
                     GPtrArray   *conversations)
{
  g_autoptr(GPtrArray) truth = ntpac_test_truth_flows (truth_path);
  g_autoptr(GHashTable) ours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint flows = 0, lossless = 0, lossy = 0;

  for (guint i = 0; i < conversations->len; i++)
    {
      CollectedConversation *c = conversations->pdata[i];

      g_assert_true (g_hash_table_insert (ours, collected_describe (c), c));
    }

  for (guint i = 0; i < truth->len; i++)
    {
      JsonObject *o = truth->pdata[i];
      g_autofree gchar *key = ntpac_test_truth_flow_key (o);
      CollectedConversation *c = g_hash_table_lookup (ours, key);

      flows++;
      if (c == NULL)
        g_error ("no conversation for %s", key);
      g_assert_cmpuint (c->conversation.packets, ==, json_object_get_int_member (o, "packets"));
      check_direction (c, NTPAC_DIRECTION_UP, json_object_get_object_member (o, "up"), &lossless, &lossy);
      check_direction (c, NTPAC_DIRECTION_DOWN, json_object_get_object_member (o, "down"), &lossless, &lossy);
    }
  g_assert_cmpuint (flows, ==, conversations->len);
  g_test_message ("%u flows: %u directions byte-identical, %u with the exact missing count",
                  flows, lossless, lossy);
  g_assert_cmpuint (lossless, >, 0);
}

static void
test_clean_traffic (void)
{
  g_autoptr(Generated) g = generate (11, 0, 0, 0, 8 * 1024 * 1024);
  g_autoptr(GPtrArray) conversations = track (g->capture, 2);

  check_against_truth (g->truth, conversations);
}

static void
test_impaired_traffic (void)
{
  g_autoptr(Generated) g = generate (12, 0.01, 0.01, 0.02, 16 * 1024 * 1024);
  g_autoptr(GPtrArray) conversations = track (g->capture, 2);

  g_test_summary ("With 1% of data segments lost, 1% of frames duplicated and 2% reordered, "
                  "every stream that lost nothing is byte-identical to what the generator "
                  "sent, and every stream that lost bytes reports exactly how many.");
  check_against_truth (g->truth, conversations);
}

static void
test_same_result_for_any_worker_count (void)
{
  g_autoptr(Generated) g = generate (13, 0.01, 0.01, 0.02, 8 * 1024 * 1024);
  g_autoptr(GPtrArray) one = track (g->capture, 1);
  g_autoptr(GPtrArray) four = track (g->capture, 4);

  g_test_summary ("The set of L7 conversations and their payload bytes is the same with "
                  "one worker and with four.");
  g_assert_cmpuint (one->len, ==, four->len);
  for (guint i = 0; i < one->len; i++)
    {
      CollectedConversation *a = one->pdata[i], *b = four->pdata[i];
      g_autofree gchar *da = collected_describe (a);
      g_autofree gchar *db = collected_describe (b);

      g_assert_cmpstr (da, ==, db);
      for (guint d = 0; d < 2; d++)
        {
          g_assert_cmpmem (a->payload[d]->data, a->payload[d]->len, b->payload[d]->data, b->payload[d]->len);
          g_assert_cmpuint (a->conversation.missing_bytes[d], ==, b->conversation.missing_bytes[d]);
        }
      g_assert_cmpuint (a->conversation.packets, ==, b->conversation.packets);
      g_assert_cmpuint (a->n_pdus, ==, b->n_pdus);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracking/truth/clean", test_clean_traffic);
  g_test_add_func ("/tracking/truth/impaired", test_impaired_traffic);
  g_test_add_func ("/tracking/truth/worker-count", test_same_result_for_any_worker_count);
  return g_test_run ();
}
