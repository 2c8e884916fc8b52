/* ntpac-cmd-carve.c: `ntpac-engine carve`, on local folders and through
 * query agents
 *
 * An agent carves on its own machine, where the evidence is, into a
 * temporary file, and streams it back in pieces that each wait for the
 * client's credit: memory stays bounded on both sides whatever the size.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
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

#define CARVE_PIECE   (1024 * 1024)

/* @path's bytes to @peer, piece by piece. */
static gboolean
send_carved_file (NtpacTransport  *transport,
                  guint            peer,
                  const gchar     *path,
                  GError         **error)
{
  g_autofree guint8 *piece = g_malloc (CARVE_PIECE);
  gint fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ok = TRUE;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  while (ok)
    {
      ssize_t got = read (fd, piece, CARVE_PIECE);
      NtpacWireWriter w;
      g_autoptr(GBytes) message = NULL;

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
          ok = FALSE;
          break;
        }
      if (got == 0)
        break;
      ntpac_wire_writer_init (&w, NTPAC_WIRE_CARVE, 0, 1, 0, 0);
      ntpac_wire_writer_add_bytes (&w, piece, (gsize) got);
      ntpac_wire_writer_set_count (&w, 1);
      message = ntpac_wire_writer_finish (&w);
      ok = ntpac_transport_send_message (transport, peer, message, TRUE, error);
    }
  close (fd);
  return ok;
}

/**
 * ntpac_cli_carve_answer:
 * @transport: a listening transport
 * @peer: the client that asked
 * @paths: (array zero-terminated=1): the databases the agent serves
 * @request: the client's CARVE message
 * @frames: (out): frames carved
 * @error: why the conversation could not be carved (the client was told)
 *
 * Returns: %TRUE when the carve was sent, or the conversation is in none
 *   of @paths (and the client told so)
 */
gboolean
ntpac_cli_carve_answer (NtpacTransport  *transport,
                        guint            peer,
                        gchar          **paths,
                        GBytes          *request,
                        guint64         *frames,
                        GError         **error)
{
  NtpacWireMessage m;
  NtpacWireReader r;
  NtpacConversationId id;
  const guint8 *id_bytes = NULL;
  gsize id_len = 0;
  g_autofree gchar *carved = NULL;
  GError *failure = NULL;
  gboolean found = FALSE;
  gint fd;

  *frames = 0;
  if (ntpac_wire_parse (g_bytes_get_data (request, NULL), g_bytes_get_size (request), &m, &failure))
    {
      ntpac_wire_reader_init (&r, &m);
      if (ntpac_wire_reader_bytes (&r, &id_bytes, &id_len, &failure) && id_len != sizeof id.bytes)
        g_set_error (&failure, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED,
                     _("The client sent no conversation id"));
    }
  if (failure == NULL)
    {
      memcpy (id.bytes, id_bytes, sizeof id.bytes);
      fd = g_file_open_tmp ("ntpac-carve-XXXXXX", &carved, &failure);
      if (fd >= 0)
        close (fd);
    }
  for (guint i = 0; failure == NULL && !found && paths[i] != NULL; i++)
    {
      NtpacStore *store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, &failure);
      g_autoptr(GBytes) conversation = NULL;

      if (store == NULL)
        break;
      conversation = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS),
                                      id.bytes, sizeof id.bytes, NULL);
      found = conversation != NULL;
      if (found)
        ntpac_carve_conversation (store, &id, carved, frames, &failure);
      ntpac_cli_close_database (store);
    }
  if (failure == NULL && found && !send_carved_file (transport, peer, carved, error))
    {
      g_unlink (carved);
      return FALSE;   /* the client is gone: nobody to tell */
    }
  if (carved != NULL)
    g_unlink (carved);
  ntpac_cli_send_answer_end (transport, peer, failure == NULL && !found ? NTPAC_WIRE_FLAG_NOT_HERE : 0,
                             *frames, failure, NULL);
  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}

/* Asks the agent at @endpoint to carve @id into @output. @found says
 * whether it holds the conversation; the file appears whole or not at
 * all, as a local carve's. */
static gboolean
carve_from_agent (const gchar                  *endpoint,
                  const NtpacCliClusterOptions *keys,
                  gint                          agent,
                  gchar                       **plugin_paths,
                  const NtpacConversationId    *id,
                  const gchar                  *output,
                  guint64                      *frames,
                  gboolean                     *found,
                  GError                      **error)
{
  g_autoptr(NtpacTransport) transport = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autofree gchar *partial = NULL;
  NtpacWireWriter w;
  gboolean to_stdout = g_str_equal (output, "-");
  gboolean ended = FALSE, ok = TRUE;
  gint out = to_stdout ? STDOUT_FILENO : -1;

  *found = FALSE;
  ntpac_wire_writer_init (&w, NTPAC_WIRE_CARVE, 0, 1, 0, 0);
  ntpac_wire_writer_add_bytes (&w, id->bytes, sizeof id->bytes);
  ntpac_wire_writer_set_count (&w, 1);
  request = ntpac_wire_writer_finish (&w);
  transport = ntpac_cli_agent_ask (endpoint, keys, agent, plugin_paths, request, error);
  ok = transport != NULL;
  while (ok && !ended)
    {
      g_autoptr(GBytes) answer = ntpac_cli_agent_receive (transport, error);
      NtpacWireMessage m;
      NtpacWireReader r;
      const guint8 *data;
      gsize len;

      ok = answer != NULL &&
           ntpac_wire_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &m, error);
      if (!ok)
        break;
      ntpac_wire_reader_init (&r, &m);
      if (m.type == NTPAC_WIRE_QUERY_END)
        {
          g_autofree gchar *failure = NULL;

          ended = TRUE;
          ok = ntpac_wire_reader_u64 (&r, frames, error) && ntpac_wire_reader_string (&r, &failure, error);
          if (ok && (m.flags & NTPAC_WIRE_FLAG_FAILED) != 0)
            {
              g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, "%s",
                           failure != NULL ? failure : "?");
              ok = FALSE;
            }
          *found = ok && (m.flags & NTPAC_WIRE_FLAG_NOT_HERE) == 0;
        }
      else if (m.type == NTPAC_WIRE_CARVE)
        {
          if (out < 0)
            {
              partial = g_strconcat (output, ".partial-XXXXXX", NULL);
              out = g_mkstemp_full (partial, O_WRONLY | O_CLOEXEC, 0644);
              if (out < 0)
                {
                  int saved_errno = errno;

                  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               _("Cannot create “%s”: %s"), output, g_strerror (saved_errno));
                  g_clear_pointer (&partial, g_free);
                  ok = FALSE;
                  break;
                }
            }
          ok = ntpac_wire_reader_bytes (&r, &data, &len, error) && ntpac_cli_write_all (out, data, len, output, error);
        }
      else
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED,
                       _("%s: the agent answered with a message of another kind"), endpoint);
          ok = FALSE;
        }
    }
  if (transport != NULL)
    ntpac_transport_close (transport);
  if (!to_stdout && out >= 0 && close (out) != 0 && ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), output, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (partial != NULL && ok && g_rename (partial, output) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create “%s”: %s"), output, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (partial != NULL && !ok)
    g_unlink (partial);
  if (!ok && error != NULL && *error != NULL && !g_str_has_prefix ((*error)->message, endpoint))
    g_prefix_error (error, "%s: ", endpoint);
  return ok;
}

int
ntpac_cmd_carve (int    argc,
                 char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  g_autofree gchar *conversation = NULL;
  g_autofree gchar *output = NULL;
  NtpacCliClusterOptions keys = { 0 };
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Read the database DB (repeat to look in several)"), N_("DB") },
    { "conversation", 0, 0, G_OPTION_ARG_STRING, &conversation,
      N_("The conversation to carve (its id, 32 hex digits)"), N_("ID") },
    { "write", 'w', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the frames to FILE (“-” for standard output, to pipe into Wireshark)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— write a conversation's original frames as a capture"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) local = g_ptr_array_new ();
  g_autoptr(GPtrArray) stores = NULL;
  NtpacConversationId id;
  gint status = NTPAC_EXIT_ERROR;
  gint agents = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ntpac_cli_add_agent_options (context, &keys, &plugin_paths);
  g_option_context_set_summary (context,
    _("The frames are copied from the evidence files at the offsets recorded when they\n"
      "were read: each record is byte-identical to the input's. A pcap input gives a\n"
      "pcap, a pcapng input a pcapng. The evidence must still be where it was read\n"
      "(for -d tcp://…, on the agent's machine)."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = ntpac_cli_usage_error ("carve", error->message);
      goto out;
    }
  if (conversation == NULL)
    {
      status = ntpac_cli_usage_error ("carve", _("Name the conversation with --conversation ID (32 hex digits)"));
      goto out;
    }
  if (!ntpac_conversation_id_from_hex (conversation, &id))
    {
      ntpac_cli_error (_("“%s” is not a conversation id (32 hex digits)"), conversation);
      goto out;
    }
  if (output == NULL)
    {
      status = ntpac_cli_usage_error ("carve", _("Name the output file with -w FILE"));
      goto out;
    }
  for (guint d = 0; databases != NULL && databases[d] != NULL; d++)
    if (!g_str_has_prefix (databases[d], "tcp://"))
      g_ptr_array_add (local, databases[d]);
  g_ptr_array_add (local, NULL);
  /* the local folders first (none given and no agent: the default one) */
  if (local->len > 1 || databases == NULL)
    {
      stores = ntpac_cli_open_databases ((gchar **) local->pdata, "carve");
      if (stores == NULL)
        goto out;
    }
  for (guint i = 0; stores != NULL && i < stores->len; i++)
    {
      NtpacStore *store = stores->pdata[i];
      g_autoptr(GBytes) found = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS),
                                                 id.bytes, 16, NULL);
      guint64 frames = 0;

      if (found == NULL)
        continue;
      if (!ntpac_carve_conversation (store, &id, output, &frames, &error))
        {
          ntpac_cli_error ("%s", error->message);
          goto out;
        }
      g_printerr (ngettext ("%s: %" PRIu64 " frame of conversation %s\n",
                            "%s: %" PRIu64 " frames of conversation %s\n", frames),
                  output, (guint64) frames, conversation);
      status = NTPAC_EXIT_OK;
      goto out;
    }
  for (guint d = 0; databases != NULL && databases[d] != NULL; d++)
    {
      guint64 frames = 0;
      gboolean found = FALSE;

      if (!g_str_has_prefix (databases[d], "tcp://"))
        continue;
      if (!carve_from_agent (databases[d], &keys, agents++, plugin_paths, &id, output, &frames, &found, &error))
        {
          ntpac_cli_error ("%s", error->message);
          goto out;
        }
      if (!found)
        continue;
      g_printerr (ngettext ("%s: %" PRIu64 " frame of conversation %s\n",
                            "%s: %" PRIu64 " frames of conversation %s\n", frames),
                  output, (guint64) frames, conversation);
      status = NTPAC_EXIT_OK;
      goto out;
    }
  ntpac_cli_error (_("No conversation %s in the database"), conversation);
out:
  g_free (keys.curve_secret);
  g_strfreev (keys.curve_server);
  return status;
}
