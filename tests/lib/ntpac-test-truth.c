/* ntpac-test-truth.c: reading the traffic generator's ground truth
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-test-run.h"
#include "ntpac-test-truth.h"

/**
 * ntpac_test_truth_flows:
 * @truth_path: a FILE.truth.jsonl written by ntpac-gen
 *
 * Returns: (transfer full) (element-type JsonObject): its "flow" lines
 */
GPtrArray *
ntpac_test_truth_flows (const gchar *truth_path)
{
  g_autofree gchar *text = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  GPtrArray *flows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (truth_path, &text, NULL, NULL));
  lines = ntpac_test_parse_lines (text);
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (json_object_get_string_member (lines->pdata[i], "type"), "flow"))
      g_ptr_array_add (flows, json_object_ref (lines->pdata[i]));
  return flows;
}

/* "tcp SRC:PORT -> DST:PORT @FIRST_TS_NS": how tests name a flow. */
gchar *
ntpac_test_truth_flow_key (JsonObject *flow)
{
  return g_strdup_printf ("%s %s:%" G_GINT64_FORMAT " -> %s:%" G_GINT64_FORMAT " @%" G_GINT64_FORMAT,
                          json_object_get_string_member (flow, "transport"),
                          json_object_get_string_member (flow, "src"),
                          json_object_get_int_member (flow, "sport"),
                          json_object_get_string_member (flow, "dst"),
                          json_object_get_int_member (flow, "dport"),
                          json_object_get_int_member (flow, "first_ts_ns"));
}
