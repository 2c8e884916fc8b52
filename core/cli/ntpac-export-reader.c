/* ntpac-export-reader.c: what a client makes of an agent's EXPORT
 * messages: index lines, and objects written whole or not at all
 *
 * The messages come from another machine: every length is checked by the
 * wire reader, and a SHA-256 that names a file must be 64 hex digits.
 * `tests/fuzz/fuzz-export.c` fuzzes it.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-wire-private.h"

/* 64 hex digits: fit to name a file by. */
gboolean
ntpac_cli_is_sha256 (const gchar *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* The rest of an index line: the object's file, when there is one. */
void
ntpac_cli_write_index_line (FILE        *index,
                  const gchar *start,
                  const gchar *outdir,
                  const gchar *sha256,
                  gboolean     is_sha)
{
  g_autofree gchar *path = is_sha ? g_build_filename (outdir, sha256, NULL) : NULL;

  fputs (start, index);
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    fprintf (index, ",\"file\":\"%s\"}\n", sha256);
  else
    fputs (",\"file\":null}\n", index);
}

void
ntpac_cli_incoming_object_clear (NtpacCliIncomingObject *o,
                gboolean        keep)
{
  if (o->fd >= 0)
    close (o->fd);
  if (o->partial != NULL && (!keep || g_rename (o->partial, o->path) != 0))
    g_unlink (o->partial);
  g_clear_pointer (&o->start, g_free);
  g_clear_pointer (&o->sha256, g_free);
  g_clear_pointer (&o->path, g_free);
  g_clear_pointer (&o->partial, g_free);
  o->fd = -1;
}

/* One EXPORT message from an agent. */
gboolean
ntpac_cli_export_read (const NtpacWireMessage  *m,
                const gchar             *outdir,
                FILE                    *index,
                NtpacCliIncomingObject          *o,
                guint64                 *n,
                gint                    *status,
                GError                 **error)
{
  NtpacWireReader r;
  const guint8 *data;
  gsize len;

  ntpac_wire_reader_init (&r, m);
  if (m->flags & NTPAC_WIRE_EXPORT_ROW)
    {
      g_autofree gchar *sha256 = NULL;
      guint32 follows = 0;

      if (o->start != NULL || !ntpac_wire_reader_bytes (&r, &data, &len, error) ||
          !ntpac_wire_reader_string (&r, &sha256, error) || !ntpac_wire_reader_u32 (&r, &follows, error) ||
          memchr (data, '\n', len) != NULL || (follows && !ntpac_cli_is_sha256 (sha256)))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("a malformed row"));
          return FALSE;
        }
      o->start = g_strndup ((const gchar *) data, len);
      if (!follows)
        {
          ntpac_cli_write_index_line (index, o->start, outdir, sha256, ntpac_cli_is_sha256 (sha256));
          (*n)++;
          g_clear_pointer (&o->start, g_free);
          return TRUE;
        }
      o->sha256 = g_steal_pointer (&sha256);
      o->path = g_build_filename (outdir, o->sha256, NULL);
      if (!g_file_test (o->path, G_FILE_TEST_EXISTS))
        {
          o->partial = g_strconcat (o->path, ".part-XXXXXX", NULL);
          o->fd = g_mkstemp_full (o->partial, O_WRONLY | O_CLOEXEC, 0644);
          if (o->fd < 0)
            {
              int saved_errno = errno;

              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           _("Cannot create “%s”: %s"), o->partial, g_strerror (saved_errno));
              g_clear_pointer (&o->partial, g_free);
              return FALSE;
            }
        }
      return TRUE;
    }
  if (o->start == NULL)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("a malformed row"));
      return FALSE;
    }
  if (m->flags & NTPAC_WIRE_EXPORT_PIECE)
    return ntpac_wire_reader_bytes (&r, &data, &len, error) &&
           (o->fd < 0 || ntpac_cli_write_all (o->fd, data, len, o->partial, error));
  if (m->flags & NTPAC_WIRE_EXPORT_OBJECT_END)
    {
      g_autofree gchar *failure = NULL;
      gboolean failed = (m->flags & NTPAC_WIRE_FLAG_FAILED) != 0;

      if (!ntpac_wire_reader_string (&r, &failure, error))
        return FALSE;
      if (failed)
        {
          ntpac_cli_warning ("%s", failure != NULL ? failure : o->sha256);
          *status = NTPAC_EXIT_ERROR;
        }
      if (o->fd >= 0 && close (o->fd) != 0)
        failed = TRUE;
      o->fd = -1;
      {
        g_autofree gchar *start = g_steal_pointer (&o->start);
        g_autofree gchar *sha256 = g_strdup (o->sha256);

        ntpac_cli_incoming_object_clear (o, !failed);
        ntpac_cli_write_index_line (index, start, outdir, sha256, TRUE);
        (*n)++;
      }
      return TRUE;
    }
  g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("a malformed row"));
  return FALSE;
}
