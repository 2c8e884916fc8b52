/* ntpac-cmd-export-objects.c: `ntpac-engine export-objects`, on local
 * folders and through query agents
 *
 * An agent sends each occurrence's index line, then (the first time it
 * sends an object) the object's content in pieces that each wait for the
 * client's credit, so that memory stays bounded whatever the objects' size.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
/* fopencookie: an object streamed to a client as it is read */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-wire-private.h"

#define OBJECT_PIECE (1024 * 1024)

static const gchar * const index_fields[] = {
  "sha256", "size", "content_type", "conversation", "frames", "complete", "missing_bytes", "source", NULL
};

/* An occurrence's index line, without its "file" and closing brace. */
static gchar *
index_line_start (GPtrArray *row)
{
  GString *line = g_string_new ("{");

  for (guint i = 0; index_fields[i] != NULL; i++)
    g_string_append_printf (line, "%s\"%s\":%s", i > 0 ? "," : "", index_fields[i],
                            ntpac_query_row_get (row, index_fields[i]) != NULL ? ntpac_query_row_get (row, index_fields[i]) : "null");
  return g_string_free (line, FALSE);
}

/* The store's key of an object: its SHA-256 from 64 hex digits. */
static void
object_key (const gchar *sha256,
            guint8       key[32])
{
  for (guint i = 0; i < 32; i++)
    key[i] = (guint8) ((g_ascii_xdigit_value (sha256[2 * i]) << 4) | g_ascii_xdigit_value (sha256[2 * i + 1]));
}

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
  object_key (sha256, key);
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

/* ---- through query agents ---------------------------------------------- */

/* An object's content, sent to the client in counted pieces as the store
 * copies it (through a FILE made by fopencookie). */
typedef struct
{
  NtpacTransport *transport;
  guint           peer;
  guint8         *piece;
  gsize           len;
  GError         *error;   /* the client is gone */
} PieceSender;

static gboolean
send_piece (PieceSender *p)
{
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;

  if (p->len == 0)
    return TRUE;
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_PIECE);
  ntpac_wire_writer_add_bytes (&w, p->piece, p->len);
  ntpac_wire_writer_set_count (&w, 1);
  message = ntpac_wire_writer_finish (&w);
  p->len = 0;
  return ntpac_transport_send_message (p->transport, p->peer, message, TRUE, &p->error);
}

static ssize_t
piece_write (void       *cookie,
             const char *data,
             size_t      size)
{
  PieceSender *p = cookie;
  size_t done = 0;

  while (done < size && p->error == NULL)
    {
      gsize take = MIN (size - done, OBJECT_PIECE - p->len);

      memcpy (p->piece + p->len, data + done, take);
      p->len += take;
      done += take;
      if (p->len == OBJECT_PIECE)
        send_piece (p);
    }
  return p->error != NULL ? -1 : (ssize_t) size;
}

/* Sends @store's object @key to the client, then its end (failed,
 * with the reason, when the store could not read it). FALSE when the
 * client is gone. */
static gboolean
send_object (PieceSender  *p,
             NtpacStore   *store,
             const guint8 *key)
{
  cookie_io_functions_t io = { .write = piece_write };
  g_autoptr(GError) failure = NULL;
  g_autoptr(GBytes) message = NULL;
  NtpacWireWriter w;
  FILE *out = fopencookie (p, "w", io);

  if (out == NULL)
    g_set_error (&failure, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
  else
    {
      ntpac_store_copy_object (store, key, out, NULL, &failure);
      fclose (out);   /* the last bytes buffered go to the piece */
    }
  if (p->error != NULL || !send_piece (p))
    return FALSE;
  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0,
                          NTPAC_WIRE_EXPORT_OBJECT_END | (failure != NULL ? NTPAC_WIRE_FLAG_FAILED : 0));
  ntpac_wire_writer_add_string (&w, failure != NULL ? failure->message : NULL);
  message = ntpac_wire_writer_finish (&w);
  return ntpac_transport_send_message (p->transport, p->peer, message, FALSE, &p->error);
}

/**
 * ntpac_cli_export_answer:
 * @transport: a listening transport
 * @peer: the client that asked
 * @paths: (array zero-terminated=1): the databases the agent serves
 * @request: the client's EXPORT message
 * @n_rows: (out): occurrences sent
 * @error: why the export stopped
 *
 * Sends every object occurrence's index line, each object's content the
 * first time, and the end with the occurrences sent.
 */
gboolean
ntpac_cli_export_answer (NtpacTransport  *transport,
                         guint            peer,
                         gchar          **paths,
                         GBytes          *request,
                         guint64         *n_rows,
                         GError         **error)
{
  g_autoptr(GPtrArray) stores = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_cli_close_database);
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(NtpacQuery) query = NULL;
  g_autofree guint8 *piece = g_malloc (OBJECT_PIECE);
  PieceSender p = { transport, peer, piece, 0, NULL };
  NtpacQueryFilter filter = { .port = -1 };
  GError *failure = NULL;
  NtpacWireWriter w;
  GPtrArray *row;

  *n_rows = 0;
  for (guint i = 0; failure == NULL && paths[i] != NULL; i++)
    {
      NtpacStore *store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, &failure);

      if (store != NULL)
        g_ptr_array_add (stores, store);
    }
  if (failure == NULL)
    query = ntpac_query_new ((NtpacStore **) stores->pdata, stores->len, "objects", &filter, &failure);
  while (query != NULL && p.error == NULL && (row = ntpac_query_next (query, &failure)) != NULL)
    {
      g_autofree gchar *sha256 = ntpac_query_value_to_text (ntpac_query_row_get (row, "sha256"));
      g_autofree gchar *start = index_line_start (row);
      g_autoptr(GBytes) message = NULL;
      NtpacStore *holder = NULL;
      guint8 key[32];

      g_ptr_array_unref (row);
      if (ntpac_cli_is_sha256 (sha256) && !g_hash_table_contains (sent, sha256))
        {
          object_key (sha256, key);
          for (guint i = 0; holder == NULL && i < stores->len; i++)
            if (ntpac_store_has_object (stores->pdata[i], key))
              holder = stores->pdata[i];
        }
      ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, NTPAC_WIRE_EXPORT_ROW);
      ntpac_wire_writer_add_bytes (&w, start, strlen (start));
      ntpac_wire_writer_add_string (&w, sha256);
      ntpac_wire_writer_add_u32 (&w, holder != NULL);
      ntpac_wire_writer_set_count (&w, 1);
      message = ntpac_wire_writer_finish (&w);
      if (!ntpac_transport_send_message (transport, peer, message, TRUE, &p.error))
        break;
      (*n_rows)++;
      if (holder != NULL && send_object (&p, holder, key))
        g_hash_table_add (sent, g_steal_pointer (&sha256));
    }
  if (p.error != NULL)
    {
      g_clear_error (&failure);
      g_propagate_error (error, p.error);
      return FALSE;   /* the client is gone: nobody to tell */
    }
  ntpac_cli_send_answer_end (transport, peer, 0, *n_rows, failure, NULL);
  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}

/* Every object occurrence of the agent at @endpoint, into @outdir. */
static gboolean
export_from_agent (const gchar                  *endpoint,
                   const NtpacCliClusterOptions *keys,
                   gint                          agent,
                   gchar                       **plugin_paths,
                   const gchar                  *outdir,
                   FILE                         *index,
                   guint64                      *n,
                   gint                         *status,
                   GError                      **error)
{
  g_autoptr(NtpacTransport) transport = NULL;
  g_autoptr(GBytes) request = NULL;
  NtpacCliIncomingObject o = { .fd = -1 };
  NtpacWireWriter w;
  gboolean ended = FALSE, ok;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_EXPORT, 0, 1, 0, 0);
  request = ntpac_wire_writer_finish (&w);
  transport = ntpac_cli_agent_ask (endpoint, keys, agent, plugin_paths, request, error);
  ok = transport != NULL;
  while (ok && !ended)
    {
      g_autoptr(GBytes) answer = ntpac_cli_agent_receive (transport, error);
      NtpacWireMessage m;

      ok = answer != NULL &&
           ntpac_wire_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &m, error);
      if (ok && m.type == NTPAC_WIRE_QUERY_END)
        {
          NtpacWireReader r;
          g_autofree gchar *failure = NULL;
          guint64 rows;

          ended = TRUE;
          ntpac_wire_reader_init (&r, &m);
          ok = ntpac_wire_reader_u64 (&r, &rows, error) && ntpac_wire_reader_string (&r, &failure, error);
          if (ok && failure != NULL)
            {
              g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, "%s", failure);
              ok = FALSE;
            }
        }
      else if (ok && m.type == NTPAC_WIRE_EXPORT)
        ok = ntpac_cli_export_read (&m, outdir, index, &o, n, status, error);
      else if (ok)
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED,
                       _("%s: the agent answered with a message of another kind"), endpoint);
          ok = FALSE;
        }
    }
  ntpac_cli_incoming_object_clear (&o, FALSE);
  if (transport != NULL)
    ntpac_transport_close (transport);
  if (!ok && error != NULL && *error != NULL && !g_str_has_prefix ((*error)->message, endpoint))
    g_prefix_error (error, "%s: ", endpoint);
  return ok;
}

int
ntpac_cmd_export_objects (int    argc,
                          char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) rest = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  NtpacCliClusterOptions keys = { 0 };
  g_autoptr(GPtrArray) local = g_ptr_array_new ();
  gint agents = 0;
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
  ntpac_cli_add_agent_options (context, &keys, &plugin_paths);
  g_option_context_set_summary (context,
    _("Each object (an HTTP body, say) is written once, named by its SHA-256; index.jsonl\n"
      "lists every occurrence: sha256, size, content type, conversation, frames, and\n"
      "whether the object is complete. The local folders' occurrences come first,\n"
      "then each agent's (-d tcp://…), in the order given."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = ntpac_cli_usage_error ("export-objects", error->message);
      goto out;
    }
  if (rest == NULL || g_strv_length (rest) != 1)
    {
      status = ntpac_cli_usage_error ("export-objects", _("Name one output folder"));
      goto out;
    }
  for (guint d = 0; databases != NULL && databases[d] != NULL; d++)
    if (!g_str_has_prefix (databases[d], "tcp://"))
      g_ptr_array_add (local, databases[d]);
  g_ptr_array_add (local, NULL);
  status = NTPAC_EXIT_ERROR;
  if (local->len > 1 || databases == NULL)
    {
      stores = ntpac_cli_open_databases ((gchar **) local->pdata, "export-objects");
      if (stores == NULL)
        goto out;
    }
  if (g_mkdir_with_parents (rest[0], 0755) != 0)
    {
      int saved_errno = errno;

      ntpac_cli_error (_("Cannot create “%s”: %s"), rest[0], g_strerror (saved_errno));
      goto out;
    }
  index_path = g_build_filename (rest[0], "index.jsonl", NULL);
  index = g_fopen (index_path, "w");
  if (index == NULL)
    {
      int saved_errno = errno;

      ntpac_cli_error (_("Cannot create “%s”: %s"), index_path, g_strerror (saved_errno));
      goto out;
    }
  status = NTPAC_EXIT_OK;
  if (stores != NULL)
    query = ntpac_query_new ((NtpacStore **) stores->pdata, stores->len, "objects", &filter, &error);
  while (query != NULL && (row = ntpac_query_next (query, &error)) != NULL)
    {
      g_autofree gchar *sha256 = ntpac_query_value_to_text (ntpac_query_row_get (row, "sha256"));
      g_autofree gchar *start = index_line_start (row);
      gboolean written = FALSE;

      /* Written from the first database that has the content; objects
       * whose content was not kept (a run without a store for them) are
       * listed with "file": null. */
      for (guint i = 0; ntpac_cli_is_sha256 (sha256) && !written && error == NULL && i < stores->len; i++)
        written = write_object (stores->pdata[i], rest[0], sha256, &error);
      if (error != NULL)
        {
          ntpac_cli_warning ("%s", error->message);
          g_clear_error (&error);
          status = NTPAC_EXIT_ERROR;
        }
      ntpac_cli_write_index_line (index, start, rest[0], sha256, written);
      g_ptr_array_unref (row);
      n++;
    }
  for (guint d = 0; error == NULL && databases != NULL && databases[d] != NULL; d++)
    if (g_str_has_prefix (databases[d], "tcp://"))
      export_from_agent (databases[d], &keys, agents++, plugin_paths, rest[0], index, &n, &status, &error);
  if (fclose (index) != 0 && error == NULL)
    {
      int saved_errno = errno;

      g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), index_path, g_strerror (saved_errno));
    }
  if (error != NULL)
    {
      ntpac_cli_error ("%s", error->message);
      status = NTPAC_EXIT_ERROR;
      goto out;
    }
  g_printerr (ngettext ("%" PRIu64 " object listed in %s\n",
                        "%" PRIu64 " objects listed in %s\n", n),
              (guint64) n, index_path);
out:
  g_free (keys.curve_secret);
  g_strfreev (keys.curve_server);
  return status;
}
