/* test-privileges.c: a privileged ntpac-engine takes no code or catalogs
 * from its user
 *
 * The privileged case is real: a copy of ntpac-engine given a file
 * capability and run as nobody, so that nothing in the engine can be told
 * to believe it is privileged.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "ntpac-privileges-private.h"
#include "ntpac-test-files.h"

static void
test_parse_cap_eff (void)
{
  guint64 caps = 42;

  g_test_summary ("The CapEff line of /proc/self/status is read wherever it is, "
                  "and a malformed one is refused.");
  g_assert_true (ntpac_privileges_parse_cap_eff ("Name:\tx\nCapInh:\t0000000000000000\n"
                                                 "CapPrm:\t0000000000002000\n"
                                                 "CapEff:\t0000000000002000\nCapBnd:\t000001ffffffffff\n",
                                                 &caps));
  g_assert_cmpuint (caps, ==, 0x2000);
  g_assert_true (ntpac_privileges_parse_cap_eff ("CapEff:\t0000000000000000\n", &caps));
  g_assert_cmpuint (caps, ==, 0);
  g_assert_true (ntpac_privileges_parse_cap_eff ("CapEff: 000001fffeffffff", &caps));
  g_assert_cmpuint (caps, ==, G_GUINT64_CONSTANT (0x1fffeffffff));
  /* CapEffX is not CapEff; no line, no digits, junk or too many digits */
  g_assert_false (ntpac_privileges_parse_cap_eff ("CapEffX:\t01\n", &caps));
  g_assert_false (ntpac_privileges_parse_cap_eff ("Name:\tx\n", &caps));
  g_assert_false (ntpac_privileges_parse_cap_eff ("", &caps));
  g_assert_false (ntpac_privileges_parse_cap_eff ("CapEff:\t\n", &caps));
  g_assert_false (ntpac_privileges_parse_cap_eff ("CapEff:\t00z0\n", &caps));
  g_assert_false (ntpac_privileges_parse_cap_eff ("CapEff:\t00000000000000000\n", &caps));
}

static void
test_unprivileged (void)
{
  g_test_summary ("A process of an ordinary user, or root's own, is not privileged.");
  if (getuid () == 0)
    g_assert_false (ntpac_running_privileged ());
  else
    {
      g_autofree gchar *status = NULL;
      guint64 caps = 0;

      g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
      g_assert_true (ntpac_privileges_parse_cap_eff (status, &caps));
      g_assert_cmpint (ntpac_running_privileged (), ==, caps != 0);
    }
}

typedef struct
{
  uid_t uid;
  gid_t gid;
} Nobody;

static void
become_nobody (gpointer data)
{
  Nobody *nobody = data;

  if (setgroups (0, NULL) != 0 || setgid (nobody->gid) != 0 || setuid (nobody->uid) != 0)
    _exit (125);
}

typedef struct
{
  gint   status;
  gchar *out;
  gchar *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

/* Runs @engine as nobody with @env added to the test's environment. */
static void
run_as_nobody (Result       *r,
               Nobody       *nobody,
               const gchar  *engine,
               const gchar **env,
               const gchar **args)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    envp = g_environ_setenv (envp, env[i], env[i + 1], TRUE);
  g_ptr_array_add (argv, (gpointer) engine);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  result_clear (r);
  g_assert_true (g_spawn_sync ("/", (gchar **) argv->pdata, envp, G_SPAWN_DEFAULT,
                               become_nobody, nobody, &r->out, &r->err, &r->status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (r->status));
  r->status = WEXITSTATUS (r->status);
  g_assert_cmpint (r->status, !=, 125);
}

static void
test_file_capability (void)
{
  const gchar *built = g_getenv ("NTPAC_PRIVILEGED_ENGINE");
  const gchar *broken = g_getenv ("NTPAC_BROKEN_PLUGINS");
  g_autofree gchar *setcap = g_find_program_in_path ("setcap");
  g_autofree gchar *dir = NULL;
  g_autofree gchar *engine = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *option = NULL;
  g_autofree gchar *setcap_err = NULL;
  g_autoptr(GError) error = NULL;
  struct passwd *pw = getpwnam ("nobody");
  Result r = { 0 };
  Nobody nobody;
  gsize length;
  gint status;
  const gchar *list[] = { "plugins", "--json", NULL };
  const gchar *unknown[] = { "no-such-command", NULL };
  const gchar *czech[] = { "NTPAC_LOCALEDIR", NULL, "LANGUAGE", "cs", "LC_ALL", "C.UTF-8", NULL };
  const gchar *env_path[] = { "NTPAC_PLUGIN_PATH", broken, NULL };

  g_test_summary ("Given a file capability and run by nobody, ntpac-engine refuses "
                  "--plugin-path in one line with status 1, and ignores NTPAC_PLUGIN_PATH "
                  "and NTPAC_LOCALEDIR; without the capability it takes all three.");
  if (getuid () != 0 || setcap == NULL || pw == NULL)
    {
      g_test_skip ("file capabilities need root, setcap and a nobody user");
      return;
    }
  g_assert_nonnull (built);
  g_assert_nonnull (broken);
  nobody.uid = pw->pw_uid;
  nobody.gid = pw->pw_gid;
  czech[1] = g_getenv ("NTPAC_LOCALEDIR");
  g_assert_nonnull (czech[1]);

  dir = g_dir_make_tmp ("ntpac-privileges-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  engine = g_build_filename (dir, "ntpac-engine", NULL);
  g_assert_true (g_file_get_contents (built, &contents, &length, &error));
  g_assert_true (g_file_set_contents_full (engine, contents, length, G_FILE_SET_CONTENTS_NONE,
                                           0755, &error));
  option = g_strdup_printf ("--plugin-path=%s", broken);

  /* Unprivileged, the user's choices hold. */
  {
    const gchar *args[] = { "plugins", "--json", option, NULL };

    run_as_nobody (&r, &nobody, engine, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, broken));
  }
  run_as_nobody (&r, &nobody, engine, env_path, list);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, broken));
  run_as_nobody (&r, &nobody, engine, czech, unknown);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Neznámý příkaz"));

  {
    const gchar *args[] = { setcap, "cap_net_raw+ep", engine, NULL };

    g_assert_true (g_spawn_sync (NULL, (gchar **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, &setcap_err, &status, &error));
    if (!g_spawn_check_wait_status (status, NULL))
      {
        g_autofree gchar *why = g_strdup_printf ("setcap failed (no file capabilities here?): %s",
                                                 g_strstrip (setcap_err));

        g_test_skip (why);
        ntpac_test_remove_tree (dir);
        return;
      }
  }

  /* Privileged: refused, or ignored. */
  {
    const gchar *args[] = { "plugins", "--json", option, NULL };

    run_as_nobody (&r, &nobody, engine, NULL, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_nonnull (strstr (r.err, "--plugin-path is refused"));
    g_assert_nonnull (strstr (r.err, "privileges"));
    g_assert_cmpint (strchr (r.err, '\n') - r.err, ==, strlen (r.err) - 1);
  }
  {
    const gchar *args[] = { "run", "-o", "/nonexistent/db", option, "/nonexistent.pcap", NULL };

    run_as_nobody (&r, &nobody, engine, NULL, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "--plugin-path is refused"));
  }
  {
    const gchar *args[] = { "analyze", "--plugin-path", broken, "/nonexistent/db", NULL };

    run_as_nobody (&r, &nobody, engine, NULL, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "--plugin-path is refused"));
  }
  run_as_nobody (&r, &nobody, engine, env_path, list);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, broken));
  run_as_nobody (&r, &nobody, engine, czech, unknown);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strstr (r.err, "Neznámý příkaz"));
  g_assert_nonnull (strstr (r.err, "Unknown command"));

  result_clear (&r);
  ntpac_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugins/privileges/parse-cap-eff", test_parse_cap_eff);
  g_test_add_func ("/plugins/privileges/unprivileged", test_unprivileged);
  g_test_add_func ("/plugins/privileges/file-capability", test_file_capability);
  return g_test_run ();
}
