/* ntpac-test-truth.h: reading the traffic generator's ground truth
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

GPtrArray *ntpac_test_truth_flows    (const gchar *truth_path);
gchar     *ntpac_test_truth_flow_key (JsonObject  *flow);

G_END_DECLS
