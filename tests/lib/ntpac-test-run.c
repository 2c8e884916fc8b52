/* ntpac-test-run.c: running the ntpac-engine command in tests
 *
 * The command is found through $NTPAC_ENGINE, which the test suite sets
 * to the one just built.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <sys/wait.h>

#include "ntpac-test-run.h"

void
ntpac_test_run_clear (NtpacTestRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

/**
 * ntpac_test_run_engine_argv:
 * @r: (out caller-allocates): the result
 * @envp: (nullable): the environment, %NULL for the test's own
 * @args: arguments after the program name
 *
 * Runs ntpac-engine to its end. The test fails if it did not exit
 * normally (a crash is never an acceptable result).
 */
void
ntpac_test_run_engine_argv (NtpacTestRun  *r,
                            gchar        **envp,
                            GPtrArray     *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const gchar *engine = g_getenv ("NTPAC_ENGINE");

  g_assert_nonnull (engine);
  g_ptr_array_add (argv, (gpointer) engine);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  memset (r, 0, sizeof *r);
  g_spawn_sync (NULL, (gchar **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &r->status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (r->status))
    g_error ("ntpac-engine did not exit normally (status %d): %s", r->status, r->err);
  r->status = WEXITSTATUS (r->status);
}

static void
run_va (NtpacTestRun  *r,
        gchar        **envp,
        const gchar   *first,
        va_list        ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  ntpac_test_run_engine_argv (r, envp, args);
}

/* Runs ntpac-engine with the arguments given (NULL-terminated). */
void
ntpac_test_run_engine (NtpacTestRun *r,
                       const gchar  *first,
                       ...)
{
  va_list ap;

  va_start (ap, first);
  run_va (r, NULL, first, ap);
  va_end (ap);
}

/* The same with the environment @envp. */
void
ntpac_test_run_engine_env (NtpacTestRun  *r,
                           gchar        **envp,
                           const gchar   *first,
                           ...)
{
  va_list ap;

  va_start (ap, first);
  run_va (r, envp, first, ap);
  va_end (ap);
}

/* Parses @text, which must be one JSON object. */
JsonObject *
ntpac_test_parse_object (const gchar *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/**
 * ntpac_test_parse_lines:
 * @text: JSON lines
 *
 * Returns: (transfer full) (element-type JsonObject): one object per
 *   non-empty line; the test fails on a line that is not one
 */
GPtrArray *
ntpac_test_parse_lines (const gchar *text)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (objects, ntpac_test_parse_object (lines[i]));
  return objects;
}
