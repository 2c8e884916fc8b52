/* fuzz-export.c: libFuzzer target for an agent's answer to export-objects
 *
 * The answer comes from another machine. The input is the messages as
 * received, each behind its length (2 bytes, little endian); they are
 * read as `export-objects -d tcp://…` reads them, objects written into a
 * folder of the target's own, to the end or to the first malformed one.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ntpac-cli.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
empty_folder (const gchar *outdir)
{
  GDir *dir = g_dir_open (outdir, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (outdir, name, NULL);

      g_unlink (path);
    }
  if (dir != NULL)
    g_dir_close (dir);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gchar *outdir;
  NtpacCliIncomingObject o = { .fd = -1 };
  guint64 n = 0;
  gint status = 0;
  FILE *index;

  if (outdir == NULL)
    outdir = g_dir_make_tmp ("fuzz-export-XXXXXX", NULL);
  g_assert (outdir != NULL);
  index = fopen ("/dev/null", "w");
  g_assert (index != NULL);
  while (size >= 2)
    {
      gsize len = MIN ((gsize) (data[0] | data[1] << 8), size - 2);
      NtpacWireMessage m;
      g_autoptr(GError) error = NULL;

      data += 2;
      size -= 2;
      if (!ntpac_wire_parse (data, len, &m, &error) || m.type != NTPAC_WIRE_EXPORT ||
          !ntpac_cli_export_read (&m, outdir, index, &o, &n, &status, &error))
        break;
      data += len;
      size -= len;
    }
  ntpac_cli_incoming_object_clear (&o, FALSE);
  fclose (index);
  /* every file written is named by 64 hex digits, inside the folder */
  {
    GDir *dir = g_dir_open (outdir, 0, NULL);
    const gchar *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      g_assert (ntpac_cli_is_sha256 (name));
    if (dir != NULL)
      g_dir_close (dir);
  }
  empty_folder (outdir);
  return 0;
}
