/* test-store-busy.c: a second run on a database another run is writing
 * is refused in one clear line, and the first run is not disturbed
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-files.h"
#include "ntpac-test-run.h"
#include "ntpac-traffic-gen.h"

#define BUSY_WORDS "Another run is writing the database"

/* Whether a process holds the lock RocksDB takes on @db for writing.
 * This process holds none, so opening LOCK to ask costs nothing. */
static gboolean
database_locked (const gchar *db)
{
  g_autofree gchar *lock = g_build_filename (db, "LOCK", NULL);
  struct flock fl = { 0 };
  int fd = g_open (lock, O_RDWR, 0);
  gboolean locked;

  if (fd < 0)
    return FALSE;
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  locked = fcntl (fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  close (fd);
  return locked;
}

static void
write_all (gint          fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      /* EPIPE: the run ended early, which its status will tell */
      if (n < 0 && errno == EPIPE)
        return;
      if (n < 0)
        {
          g_assert_cmpint (errno, ==, EINTR);
          continue;
        }
      data += n;
      len -= (gsize) n;
    }
}

static void
assert_busy (NtpacTestRun *r,
             const gchar  *db)
{
  g_autofree gchar *quoted = g_strdup_printf ("“%s”", db);

  g_assert_cmpint (r->status, ==, 1);
  g_assert_nonnull (strstr (r->err, BUSY_WORDS));
  g_assert_nonnull (strstr (r->err, quoted));
  /* one line, and none of RocksDB's words */
  g_assert_cmpint (strchr (r->err, '\n') - r->err, ==, strlen (r->err) - 1);
  g_assert_null (strstr (r->err, "LOCK"));
  g_assert_null (strstr (r->err, "not empty"));
}

static void
test_second_run (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-busy-XXXXXX", NULL);
  g_autofree gchar *capture = g_build_filename (dir, "evidence.pcap", NULL);
  g_autofree gchar *truth = ntpac_traffic_gen_truth_path (capture);
  g_autofree gchar *db = g_build_filename (dir, "evidence.ntpac", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(NtpacTestRun) second = { 0 };
  const gchar *argv[] = { g_getenv ("NTPAC_ENGINE"), "run", "-o", db, "-", NULL };
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  gsize length, head;
  gint stdin_fd, status;
  GPid pid;

  g_test_summary ("While a run writes a database, a second run on the same output, "
                  "new or --append, ends with status 1 and one line naming the database "
                  "and saying another run writes it; the first run completes.");
  ntpac_traffic_gen_options_init (&options);
  options.seed = 29;
  options.target_size = 16 * 1024 * 1024;
  g_assert_true (ntpac_traffic_gen_run (&options, capture, truth, &stats, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (capture, &contents, &length, &error));

  /* The first run reads the capture from a pipe this test fills: it
   * stays busy for as long as the test needs. */
  g_spawn_async_with_pipes (NULL, (gchar **) argv, NULL,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                            G_SPAWN_STDERR_TO_DEV_NULL,
                            NULL, NULL, &pid, &stdin_fd, NULL, NULL, &error);
  g_assert_no_error (error);
  head = MIN (length, 1024 * 1024);
  write_all (stdin_fd, (const guint8 *) contents, head);
  while (!database_locked (db) && waitpid (pid, NULL, WNOHANG) == 0)
    g_usleep (1000);
  g_assert_true (database_locked (db));

  ntpac_test_run_engine (&second, "run", "-o", db, capture, NULL);
  assert_busy (&second, db);
  ntpac_test_run_clear (&second);
  ntpac_test_run_engine (&second, "run", "--append", "-o", db, capture, NULL);
  assert_busy (&second, db);

  write_all (stdin_fd, (const guint8 *) contents + head, length - head);
  close (stdin_fd);
  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  /* Finished, it is an ordinary database again. */
  ntpac_test_run_clear (&second);
  ntpac_test_run_engine (&second, "run", "-o", db, capture, NULL);
  g_assert_cmpint (second.status, ==, 1);
  g_assert_null (strstr (second.err, BUSY_WORDS));
  g_assert_nonnull (strstr (second.err, "already exists"));
  ntpac_test_run_clear (&second);
  ntpac_test_run_engine (&second, "stats", "-d", db, NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_nonnull (strstr (second.out, "run              complete"));

  ntpac_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/store/busy/second-run", test_second_run);
  return g_test_run ();
}
