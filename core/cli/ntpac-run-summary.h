/* ntpac-run-summary.h: what `ntpac-engine run` reports at the end
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

gchar *ntpac_run_summary_to_text (NtpacEngine *engine,
                                  const gchar *database,
                                  int          exit_code);
gchar *ntpac_run_summary_to_json (NtpacEngine *engine,
                                  const gchar *database,
                                  int          exit_code);

G_END_DECLS
