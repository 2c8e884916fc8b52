/* ntpac-cmd-export-objects.c: `ntpac-engine export-objects`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"

/* Writes the content of @sha256 (hex) once, as OUTDIR/SHA256, through a
 * temporary file: an interrupted export never leaves a partial object
 * under its final name. FALSE without error when this database does not
 * hold the content. */
static gboolean
write_object (NtpacStore   *store,
              const gchar  *outdir,
              const gchar  *sha256,
              GError      **error)
{
  g_autofree gchar *path = g_build_filename (outdir, sha256, NULL);
  g_autofree gchar *tmp_path = g_strconcat (path, ".part", NULL);
  guint8 key[32];
  FILE *out;
  gboolean ok;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  for (guint i = 0; i < 32; i++)
    key[i] = (guint8) ((g_ascii_xdigit_value (sha256[2 * i]) << 4) | g_ascii_xdigit_value (sha256[2 * i + 1]));
  if (!ntpac_store_has_object (store, key))
    return FALSE;
  out = g_fopen (tmp_path, "wb");
  if (out == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create “%s”: %s"), tmp_path, g_strerror (saved_errno));
      return FALSE;
    }
  ok = ntpac_store_copy_object (store, key, out, NULL, error);
  if (fclose (out) != 0 && ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), tmp_path, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (ok && g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);
  return ok;
}

static gboolean
is_sha256 (const gchar *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

int
ntpac_cmd_export_objects (int    argc,
                          char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Read the database DB (repeat to read several as one)"), N_("DB") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("OUTDIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("OUTDIR — write the extracted objects as files"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;
  g_autoptr(NtpacQuery) query = NULL;
  g_autofree gchar *index_path = NULL;
  NtpacQueryFilter filter = { .port = -1 };
  FILE *index;
  GPtrArray *row;
  guint64 n = 0;
  int status = NTPAC_EXIT_OK;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Each object (an HTTP body, say) is written once, named by its SHA-256; index.jsonl\n"
      "lists every occurrence: sha256, size, content type, conversation, frames, and\n"
      "whether the object is complete."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("export-objects", error->message);
  if (rest == NULL || g_strv_length (rest) != 1)
    return ntpac_cli_usage_error ("export-objects", _("Name one output folder"));
  stores = ntpac_cli_open_databases (databases, "export-objects");
  if (stores == NULL)
    return NTPAC_EXIT_ERROR;
  if (g_mkdir_with_parents (rest[0], 0755) != 0)
    {
      int saved_errno = errno;

      ntpac_cli_error (_("Cannot create “%s”: %s"), rest[0], g_strerror (saved_errno));
      return NTPAC_EXIT_ERROR;
    }
  index_path = g_build_filename (rest[0], "index.jsonl", NULL);
  index = g_fopen (index_path, "w");
  if (index == NULL)
    {
      int saved_errno = errno;

      ntpac_cli_error (_("Cannot create “%s”: %s"), index_path, g_strerror (saved_errno));
      return NTPAC_EXIT_ERROR;
    }
  query = ntpac_query_new ((NtpacStore **) stores->pdata, stores->len, "objects", &filter, &error);
  while (query != NULL && (row = ntpac_query_next (query, &error)) != NULL)
    {
      g_autofree gchar *sha256 = ntpac_query_value_to_text (ntpac_query_row_get (row, "sha256"));
      static const gchar * const fields[] = {
        "sha256", "size", "content_type", "conversation", "frames", "complete", "missing_bytes", "source", NULL
      };
      GString *line = g_string_new ("{");

      gboolean written = FALSE;

      /* Written from the first database that has the content; objects
       * whose content was not kept (a run without a store for them) are
       * listed with "file": null. */
      for (guint i = 0; is_sha256 (sha256) && !written && error == NULL && i < stores->len; i++)
        written = write_object (stores->pdata[i], rest[0], sha256, &error);
      if (error != NULL)
        {
          ntpac_cli_warning ("%s", error->message);
          g_clear_error (&error);
          status = NTPAC_EXIT_ERROR;
        }
      for (guint i = 0; fields[i] != NULL; i++)
        g_string_append_printf (line, "%s\"%s\":%s", i > 0 ? "," : "", fields[i],
                                ntpac_query_row_get (row, fields[i]) != NULL ? ntpac_query_row_get (row, fields[i]) : "null");
      if (written)
        g_string_append_printf (line, ",\"file\":\"%s\"", sha256);
      else
        g_string_append (line, ",\"file\":null");
      g_string_append (line, "}\n");
      fputs (line->str, index);
      g_string_free (line, TRUE);
      g_ptr_array_unref (row);
      n++;
    }
  fclose (index);
  if (error != NULL)
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  g_printerr (ngettext ("%" PRIu64 " object listed in %s\n",
                        "%" PRIu64 " objects listed in %s\n", n),
              (guint64) n, index_path);
  return status;
}
