/* test-tcp-remote-keys.c: key files and which endpoints may go without
 * keys
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <string.h>
#include <zmq.h>

#include <ntpac/ntpac.h>

#include "ntpac-tcp-remote-keys.h"

static void
test_loopback (void)
{
  static const gchar * const loopback[] = {
    "tcp://127.0.0.1:5700", "tcp://127.1.2.3:1", "tcp://localhost:5700", "tcp://[::1]:5700",
    "ipc:///tmp/ntpac.sock", "inproc://x",
  };
  static const gchar * const other[] = {
    "tcp://0.0.0.0:5700", "tcp://*:5700", "tcp://192.0.2.1:5700", "tcp://10.0.0.1:5700",
    "tcp://[2001:db8::1]:5700", "tcp://127.0.0.1.example:5700", "tcp://localhost.example:5700",
    "tcp://128.0.0.1:5700", "tcp://127.0.0.1", "udp://127.0.0.1:5700", "",
  };

  g_test_summary ("Only addresses of this machine may be used without keys");
  for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
    g_assert_true (ntpac_tcp_remote_is_loopback (loopback[i]));
  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    {
      if (ntpac_tcp_remote_is_loopback (other[i]))
        g_error ("%s taken for a loopback address", other[i]);
    }
}

static gchar *
write_temp (const gchar *dir,
            const gchar *name,
            const gchar *text)
{
  gchar *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_key_files (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-keys-XXXXXX", NULL);
  gchar public[41], secret[41], key[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];
  g_autofree gchar *text = NULL;
  g_autofree gchar *good = NULL, *bad = NULL, *empty = NULL, *missing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (zmq_curve_keypair (public, secret), ==, 0);
  text = g_strdup_printf ("# a comment\n\n  %s  \n", public);
  good = write_temp (dir, "good.pub", text);
  g_assert_true (ntpac_tcp_remote_read_key (good, key, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, public);

  /* a line of another length, or of characters outside Z85 */
  bad = write_temp (dir, "bad.pub", "# ntpac-engine CURVE public key\nnot a key at all\n");
  g_assert_false (ntpac_tcp_remote_read_key (bad, key, &error));
  g_assert_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_SETTINGS);
  g_assert_nonnull (strstr (error->message, "holds no key"));
  g_clear_error (&error);
  empty = write_temp (dir, "empty.pub", "# only a comment\n");
  g_assert_false (ntpac_tcp_remote_read_key (empty, key, &error));
  g_clear_error (&error);
  missing = g_build_filename (dir, "missing.pub", NULL);
  g_assert_false (ntpac_tcp_remote_read_key (missing, key, &error));
  g_assert_nonnull (strstr (error->message, "Cannot read the key file"));

  g_unlink (good);
  g_unlink (bad);
  g_unlink (empty);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tcp-remote/loopback", test_loopback);
  g_test_add_func ("/tcp-remote/key-files", test_key_files);
  return g_test_run ();
}
