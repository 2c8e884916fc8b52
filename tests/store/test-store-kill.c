/* test-store-kill.c: nothing stored is lost when a run is stopped, killed
 * or runs out of disk
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-files.h"
#include "ntpac-test-run.h"
#include "ntpac-traffic-gen.h"
#include "stored-conversations.h"

typedef struct
{
  gchar *dir;
  gchar *capture;
  gchar *truth;
  guint  n_flows;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;

  f->dir = g_dir_make_tmp ("ntpac-kill-XXXXXX", NULL);
  f->capture = g_build_filename (f->dir, "evidence.pcap", NULL);
  f->truth = ntpac_traffic_gen_truth_path (f->capture);
  ntpac_traffic_gen_options_init (&options);
  options.seed = 51;
  options.target_size = 48 * 1024 * 1024;
  options.ipv6_ratio = 0.3;
  g_assert_true (ntpac_traffic_gen_run (&options, f->capture, f->truth, &stats, &error));
  g_assert_no_error (error);
  f->n_flows = stats.flows;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ntpac_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->capture);
  g_free (f->truth);
}

static gchar *
read_meta (const gchar *db,
           const gchar *name)
{
  g_autoptr(GError) error = NULL;
  NtpacStore *store = ntpac_store_open (db, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error);
  gchar *value;

  g_assert_no_error (error);
  value = ntpac_store_get_meta (store, name);
  ntpac_store_close (store, NULL);
  return value;
}

/* Starts `ntpac-engine run` with @args; standard input from a pipe when
 * @stdin_fd is given, standard error to a pipe when @stderr_fd is. */
static GPid
start_engine (const gchar * const *args,
              gint                *stdin_fd,
              gint                *stderr_fd)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_ptr_array_add (argv, (gpointer) g_getenv ("NTPAC_ENGINE"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_async_with_pipes (NULL, (gchar **) argv->pdata, NULL,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                            (stderr_fd == NULL ? G_SPAWN_STDERR_TO_DEV_NULL : 0),
                            NULL, NULL, &pid, stdin_fd, NULL, stderr_fd, &error);
  g_assert_no_error (error);
  return pid;
}

static gint
wait_for (GPid pid)
{
  gint status;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  return status;
}

/* Waits until the database at @db is in place (creating it takes a
 * while: a dozen column families, each with its options on disk), or
 * the run has ended. */
static void
wait_for_database (const gchar *db,
                   GPid         pid)
{
  while (!ntpac_test_dir_has_file (db, "CURRENT") && waitpid (pid, NULL, WNOHANG) == 0)
    g_usleep (500);
}

/* The number of conversations in @db, or -1 if it cannot be read yet. */
static gint
count_conversations (const gchar *db)
{
  NtpacStore *store = ntpac_store_open (db, NTPAC_STORE_READ, NTPAC_STORE_BULK, NULL);
  g_autoptr(NtpacStoreIter) it = NULL;
  const guint8 *key;
  gsize len;
  gint n = 0;

  if (store == NULL)
    return -1;
  it = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS), NULL, 0, NULL, 0);
  while (ntpac_store_iter_next (it, &key, &len, NULL, NULL))
    n++;
  g_clear_pointer (&it, ntpac_store_iter_free);
  ntpac_store_close (store, NULL);
  return n;
}

/* Checks what a killed run left in @db; returns whether the run was
 * killed while at work (not before it began, not once it was done). */
static gboolean
check_killed (Fixture     *f,
              const gchar *db,
              gint         status,
              const gchar *when)
{
  g_autofree gchar *state = read_meta (db, "state");
  g_autoptr(GHashTable) stored = stored_conversations_read (db);
  gboolean complete = g_strcmp0 (state, "complete") == 0;

  g_test_message ("killed %s: %u of %u conversations stored, state %s", when,
                  g_hash_table_size (stored), f->n_flows, state);
  /* A finished run may be killed on its way out: then it is all there. */
  stored_conversations_check (stored, f->truth, complete);
  if (!WIFSIGNALED (status) || complete)
    return FALSE;
  if (state == NULL)
    {
      /* killed before the run began */
      g_assert_cmpuint (g_hash_table_size (stored), ==, 0);
      return FALSE;
    }
  g_assert_cmpstr (state, ==, "running");
  return TRUE;
}

static void
test_sigkill (Fixture       *f,
              gconstpointer  data)
{
  g_autofree gchar *db0 = g_build_filename (f->dir, "complete.ntpac", NULL);
  g_autofree gchar *early = g_build_filename (f->dir, "killed-early.ntpac", NULL);
  g_autofree gchar *seen = g_build_filename (f->dir, "killed-when-seen.ntpac", NULL);
  const gchar *args0[] = { "run", "--store-memory", "256K", "--tcp-close-delay", "0.001", "-j", "2", "-o", db0, f->capture, NULL };
  const gchar *args_early[] = { "run", "-o", early, f->capture, NULL };
  const gchar *args_seen[] = { "run", "--store-memory", "256K", "--tcp-close-delay", "0.001", "-j", "2", "-o", seen, f->capture, NULL };
  gint64 start, work_us;
  guint killed_at_work = 0;
  gint status, n = -1;
  GPid pid;

  g_test_summary ("A run killed with SIGKILL at any moment leaves a database that opens, "
                  "says the run did not finish, and holds only whole conversations: each "
                  "with all its PDUs, their payload and its frames, equal to what was sent.");
  pid = start_engine (args0, NULL, NULL);
  wait_for_database (db0, pid);
  start = g_get_monotonic_time ();
  g_assert_true (WIFEXITED (wait_for (pid)));
  work_us = g_get_monotonic_time () - start;
  g_test_message ("an uninterrupted run works %.2f s once its database is created", work_us / 1e6);

  /* Killed while it creates the database: nothing, or a whole (empty)
   * database, never a half-made one. */
  pid = start_engine (args_early, NULL, NULL);
  kill (pid, SIGKILL);
  wait_for (pid);
  g_spawn_close_pid (pid);
  if (g_file_test (early, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *schema = read_meta (early, "schema");

      g_assert_cmpstr (schema, ==, "1");
    }

  /* Killed at moments spread over the run. */
  for (guint k = 0; k < 5; k++)
    {
      g_autofree gchar *name = g_strdup_printf ("killed-%u.ntpac", k);
      g_autofree gchar *db = g_build_filename (f->dir, name, NULL);
      g_autofree gchar *when = g_strdup_printf ("at %u%%", 10 + 20 * k);
      const gchar *args[] = { "run", "--store-memory", "256K", "--tcp-close-delay", "0.001", "-j", "2", "-o", db, f->capture, NULL };

      pid = start_engine (args, NULL, NULL);
      wait_for_database (db, pid);
      g_usleep (work_us * (10 + 20 * k) / 100);
      kill (pid, SIGKILL);
      status = wait_for (pid);
      g_spawn_close_pid (pid);
      killed_at_work += check_killed (f, db, status, when);
    }

  /* Killed as soon as a reader sees conversations: the run is at work,
   * with conversations on disk and others under way. */
  pid = start_engine (args_seen, NULL, NULL);
  wait_for_database (seen, pid);
  while ((n = count_conversations (seen)) <= 0 && waitpid (pid, &status, WNOHANG) == 0)
    g_usleep (1000);
  if (n <= 0)
    g_error ("the run ended before any conversation could be seen");
  kill (pid, SIGKILL);
  status = wait_for (pid);
  g_spawn_close_pid (pid);
  g_assert_true (check_killed (f, seen, status, "once conversations were visible"));
  killed_at_work++;
  g_assert_cmpuint (killed_at_work, >=, 3);
}

typedef struct
{
  gint         fd;
  GPid         pid;
  const gchar *capture;
} Feeder;

/* Feeds the capture through a pipe: a third of it, a pause, SIGINT, then
 * the rest for as long as the engine reads. */
static gpointer
feed (gpointer data)
{
  Feeder *feeder = data;
  g_autofree gchar *contents = NULL;
  gsize len, done = 0;

  g_assert_true (g_file_get_contents (feeder->capture, &contents, &len, NULL));
  while (done < len)
    {
      gsize chunk = MIN (len - done, 64 * 1024);
      gssize n = write (feeder->fd, contents + done, chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;  /* the engine stopped reading */
      if (done < len / 3 && done + n >= len / 3)
        {
          g_usleep (500 * 1000);
          kill (feeder->pid, SIGINT);
        }
      else if (done >= len / 3)
        g_usleep (2000);
      done += n;
    }
  close (feeder->fd);
  return GSIZE_TO_POINTER (done);
}

static void
test_sigint (Fixture       *f,
             gconstpointer  data)
{
  g_autofree gchar *db = g_build_filename (f->dir, "stopped.ntpac", NULL);
  const gchar *args[] = { "run", "-j", "2", "-o", db, "-", NULL };
  g_autoptr(GHashTable) stored = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *err = NULL;
  GThread *thread;
  Feeder feeder;
  gint err_fd, status;
  gsize fed;

  g_test_summary ("SIGINT ends a run cleanly: exit status 130, every conversation "
                  "reassembled so far stored whole, and the run marked interrupted.");
  signal (SIGPIPE, SIG_IGN);
  feeder.capture = f->capture;
  feeder.pid = start_engine (args, &feeder.fd, &err_fd);
  thread = g_thread_new ("feeder", feed, &feeder);
  status = wait_for (feeder.pid);
  fed = GPOINTER_TO_SIZE (g_thread_join (thread));
  g_spawn_close_pid (feeder.pid);
  {
    g_autoptr(GIOChannel) channel = g_io_channel_unix_new (err_fd);

    g_io_channel_set_close_on_unref (channel, TRUE);
    g_io_channel_read_to_end (channel, &err, NULL, NULL);
  }
  g_test_message ("stopped after %" G_GSIZE_FORMAT " bytes fed; said: %s", fed, err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);

  state = read_meta (db, "state");
  g_assert_cmpstr (state, ==, "interrupted");
  stored = stored_conversations_read (db);
  stored_conversations_check (stored, f->truth, FALSE);
  g_assert_cmpuint (g_hash_table_size (stored), >, 0);
  g_assert_cmpuint (g_hash_table_size (stored), <, f->n_flows);
}

/* Files larger than this cannot be written (EFBIG): a disk that fills up. */
static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { 16 * 1024 * 1024, 16 * 1024 * 1024 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_full_disk (Fixture       *f,
                gconstpointer  data)
{
  g_autofree gchar *db = g_build_filename (f->dir, "full.ntpac", NULL);
  gchar *argv[] = { (gchar *) g_getenv ("NTPAC_ENGINE"), (gchar *) "run", (gchar *) "--no-compress",
                    (gchar *) "--store-memory", (gchar *) "256K", (gchar *) "--tcp-close-delay", (gchar *) "0.001",
                    (gchar *) "-o", db, f->capture, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = NULL;
  g_autofree gchar *out = NULL, *err = NULL;
  g_autofree gchar *state = NULL;
  gint status;

  g_test_summary ("When the disk fills up, the run ends with a clear error (exit status 1) "
                  "and the database still opens with every conversation stored before, whole.");
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, limit_file_size, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "File too large"));
  g_assert_nonnull (strstr (err, "kept"));

  state = read_meta (db, "state");
  g_assert_true (g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "running") == 0);
  stored = stored_conversations_read (db);
  stored_conversations_check (stored, f->truth, FALSE);
  g_assert_cmpuint (g_hash_table_size (stored), >, 0);
  g_assert_cmpuint (g_hash_table_size (stored), <, f->n_flows);
}

static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree gchar *inside_file = g_build_filename (f->capture, "evidence.ntpac", NULL);
  g_auto(NtpacTestRun) r = { 0 };

  g_test_summary ("A database that cannot be created is one clear line naming it, exit "
                  "status 1, before anything is read.");
  ntpac_test_run_engine (&r, "run", "-o", inside_file, f->capture, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, inside_file));
  g_assert_cmpstr (strchr (r.err, '\n'), ==, "\n");
  g_assert_cmpstr (r.out, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/kill/sigkill", Fixture, NULL, fixture_set_up, test_sigkill, fixture_tear_down);
  g_test_add ("/store/kill/sigint", Fixture, NULL, fixture_set_up, test_sigint, fixture_tear_down);
  g_test_add ("/store/kill/full-disk", Fixture, NULL, fixture_set_up, test_full_disk, fixture_tear_down);
  g_test_add ("/store/kill/unwritable", Fixture, NULL, fixture_set_up, test_unwritable, fixture_tear_down);
  return g_test_run ();
}
