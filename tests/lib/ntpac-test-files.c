/* ntpac-test-files.c: temporary folders for tests
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>

#include "ntpac-test-files.h"

/**
 * ntpac_test_remove_tree:
 * @path: a file or folder
 *
 * Removes @path and, for a folder, everything under it. Symbolic links
 * are removed, never followed.
 */
void
ntpac_test_remove_tree (const gchar *path)
{
  GDir *dir;
  const gchar *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      dir = g_dir_open (path, 0, NULL);
      if (dir != NULL)
        {
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree gchar *child = g_build_filename (path, name, NULL);

              ntpac_test_remove_tree (child);
            }
          g_dir_close (dir);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/**
 * ntpac_test_file_sha256:
 * @path: a file
 *
 * Returns: (transfer full): the SHA-256 of the file's contents, in hex
 */
gchar *
ntpac_test_file_sha256 (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

/* Whether the folder @dir has a file called @name. */
gboolean
ntpac_test_dir_has_file (const gchar *dir,
                         const gchar *name)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}
