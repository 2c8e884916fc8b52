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

/* Writes the body of @sha256 (hex) once, as OUTDIR/SHA256. */
static gboolean
write_object (NtpacStore   *store,
              const gchar  *outdir,
              const gchar  *sha256,
              GError      **error)
{
  g_autofree gchar *path = g_build_filename (outdir, sha256, NULL);
  guint8 key[32];
  g_autoptr(GBytes) body = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  for (guint i = 0; i < 32; i++)
    key[i] = (guint8) ((g_ascii_xdigit_value (sha256[2 * i]) << 4) | g_ascii_xdigit_value (sha256[2 * i + 1]));
  body = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_OBJECTS_DATA), key, 32, error);
  if (body == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                     _("The body of object %s is not in “%s”"), sha256, ntpac_store_get_path (store));
      return FALSE;
    }
  return g_file_set_contents (path, g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
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
      static const gchar * const fields[] = { "sha256", "size", "content_type", "conversation", "frames", "complete", NULL };
      GString *line = g_string_new ("{");

      /* Written from the first database that has the body. */
      for (guint i = 0; is_sha256 (sha256) && i < stores->len; i++)
        {
          g_clear_error (&error);
          if (write_object (stores->pdata[i], rest[0], sha256, &error))
            break;
        }
      if (error != NULL)
        {
          ntpac_cli_warning ("%s", error->message);
          g_clear_error (&error);
          status = NTPAC_EXIT_ERROR;
        }
      for (guint i = 0; fields[i] != NULL; i++)
        g_string_append_printf (line, "%s\"%s\":%s", i > 0 ? "," : "", fields[i],
                                ntpac_query_row_get (row, fields[i]) != NULL ? ntpac_query_row_get (row, fields[i]) : "null");
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
