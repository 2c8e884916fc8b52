/* shared-pcaps.c: the public capture corpus beside the repository
 *
 * The corpus lives in ../shared/pcaps (NTPAC_SHARED_PCAPS in the test
 * environment), never in the repository. When it is missing, the tests
 * that need it skip with a message.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "shared-pcaps.h"

/* Rows of a TSV file with a header line, as hash tables column -> value. */
GPtrArray *
shared_pcaps_read_tsv (const gchar *path)
{
  g_autofree gchar *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  GPtrArray *rows;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL)
    return rows;
  header = g_strsplit (lines[0], "\t", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = NULL;
      GHashTable *row;

      if (lines[i][0] == '\0')
        continue;
      cells = g_strsplit (lines[i], "\t", -1);
      row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint c = 0; header[c] != NULL; c++)
        g_hash_table_insert (row, g_strdup (header[c]),
                             g_strdup (c < g_strv_length (cells) ? cells[c] : ""));
      g_ptr_array_add (rows, row);
    }
  return rows;
}

SharedPcaps *
shared_pcaps_open (void)
{
  SharedPcaps *pcaps = g_new0 (SharedPcaps, 1);
  const gchar *dir = g_getenv ("NTPAC_SHARED_PCAPS");
  g_autofree gchar *manifest = NULL;

  if (dir == NULL)
    return pcaps;
  manifest = g_build_filename (dir, "MANIFEST.tsv", NULL);
  pcaps->rows = shared_pcaps_read_tsv (manifest);
  if (pcaps->rows != NULL)
    pcaps->dir = g_strdup (dir);
  return pcaps;
}

void
shared_pcaps_free (SharedPcaps *pcaps)
{
  if (pcaps == NULL)
    return;
  g_free (pcaps->dir);
  if (pcaps->rows != NULL)
    g_ptr_array_unref (pcaps->rows);
  g_free (pcaps);
}

gchar *
shared_pcaps_path (SharedPcaps *pcaps,
                   const gchar *file)
{
  return g_build_filename (pcaps->dir, file, NULL);
}

/* TRUE (and the test is skipped) when the corpus is not there. */
gboolean
shared_pcaps_skip_if_missing (SharedPcaps *pcaps)
{
  if (pcaps->dir != NULL)
    return FALSE;
  g_test_skip ("../shared/pcaps is missing (set NTPAC_SHARED_PCAPS to the folder holding MANIFEST.tsv)");
  return TRUE;
}
