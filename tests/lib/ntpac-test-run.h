/* ntpac-test-run.h: running the ntpac-engine command as a person would,
 * and reading the JSON it prints
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * NtpacTestRun:
 * @status: exit status
 * @out: standard output
 * @err: standard error
 */
typedef struct
{
  gint   status;
  gchar *out;
  gchar *err;
} NtpacTestRun;

void        ntpac_test_run_clear        (NtpacTestRun  *r);
void        ntpac_test_run_engine       (NtpacTestRun  *r,
                                         const gchar   *first,
                                         ...) G_GNUC_NULL_TERMINATED;
void        ntpac_test_run_engine_env   (NtpacTestRun  *r,
                                         gchar        **envp,
                                         const gchar   *first,
                                         ...) G_GNUC_NULL_TERMINATED;
void        ntpac_test_run_engine_argv  (NtpacTestRun  *r,
                                         gchar        **envp,
                                         GPtrArray     *args);
JsonObject *ntpac_test_parse_object     (const gchar   *text);
GPtrArray  *ntpac_test_parse_lines      (const gchar   *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NtpacTestRun, ntpac_test_run_clear)

G_END_DECLS
