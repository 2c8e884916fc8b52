/* ntpac-cmd-serve.c: `ntpac-engine serve`, a read-only query agent
 *
 * The agent answers `query -d tcp://HOST:PORT` from other machines over
 * the tcp-remote transport (CURVE keys as for a cluster's reassembler),
 * many clients connected at once, their queries answered in turn, each
 * over the databases opened anew, its rows streamed back with
 * back-pressure (a slow client makes the agent wait, never its memory
 * grow).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <inttypes.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-wire-private.h"

#define WAIT_US (250 * 1000)

static gint serve_stopped_by;

static gboolean
on_serve_signal (gpointer user_data)
{
  if (serve_stopped_by == 0)
    serve_stopped_by = GPOINTER_TO_INT (user_data);
  return G_SOURCE_CONTINUE;
}

/* A query under way, and since when. */
typedef struct
{
  NtpacCliQueryAnswer *answer;
  guint                peer;
  gint64               start;
} Answering;

static void
answering_free (gpointer data)
{
  Answering *q = data;

  ntpac_cli_query_answer_free (q->answer);
  g_free (q);
}

/* One batch for each query whose client has a credit. Queries are
 * answered side by side: a client that waits for another agent (which
 * may wait for another client of this one) never holds this agent.
 * Returns whether any batch went. */
static gboolean
serve_batches (NtpacTransport *transport,
               GPtrArray      *answering)
{
  gboolean sent = FALSE;

  for (guint i = 0; i < answering->len;)
    {
      Answering *q = answering->pdata[i];
      g_autoptr(GError) error = NULL;
      guint64 rows = 0;

      if (!ntpac_transport_can_send (transport, q->peer))
        {
          i++;
          continue;
        }
      sent = TRUE;
      if (ntpac_cli_query_answer_step (q->answer, &rows, &error))
        {
          i++;
          continue;
        }
      if (error != NULL)
        g_printerr (_("A query was not answered: %s\n"), error->message);
      else
        g_printerr (_("Answered a query: %" PRIu64 " rows in %.2f s\n"), rows,
                    (g_get_monotonic_time () - q->start) / 1e6);
      g_ptr_array_remove_index (answering, i);
    }
  return sent;
}

/* The next request, from any client: a query joins those under way; a
 * description, a carve or an export is answered at once (their clients
 * read them to the end without waiting for another agent). */
static void
serve_next (NtpacTransport *transport,
            gchar         **paths,
            GPtrArray      *answering,
            gint64          wait_us)
{
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GError) error = NULL;
  guint peer = 0;
  NtpacWireMessage m;
  gint64 start;
  guint64 rows = 0;

  request = ntpac_transport_receive_message (transport, &peer, wait_us, &error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (request == NULL)
    return;   /* nothing yet, or a client that left */
  start = g_get_monotonic_time ();
  if (!ntpac_wire_parse (g_bytes_get_data (request, NULL), g_bytes_get_size (request), &m, NULL))
    m.type = NTPAC_WIRE_QUERY;   /* refused as a query, with the reason */
  if (m.type == NTPAC_WIRE_STATS)
    {
      if (!ntpac_cli_stats_answer (transport, peer, paths, request, &error))
        g_printerr (_("A query was not answered: %s\n"), error->message);
      return;
    }
  if (m.type == NTPAC_WIRE_EXPORT)
    {
      if (!ntpac_cli_export_answer (transport, peer, paths, request, &rows, &error))
        g_printerr (_("An export was not answered: %s\n"), error->message);
      else
        g_printerr (_("Exported objects: %" PRIu64 " occurrences in %.2f s\n"), rows,
                    (g_get_monotonic_time () - start) / 1e6);
      return;
    }
  if (m.type == NTPAC_WIRE_CARVE)
    {
      guint64 frames = 0;

      if (!ntpac_cli_carve_answer (transport, peer, paths, request, &frames, &error))
        g_printerr (_("A carve was not answered: %s\n"), error->message);
      else if (frames > 0)
        g_printerr (_("Carved a conversation: %" PRIu64 " frames in %.2f s\n"), frames,
                    (g_get_monotonic_time () - start) / 1e6);
      return;
    }
  {
    NtpacCliQueryAnswer *answer = ntpac_cli_query_answer_start (transport, peer, paths, request, &error);
    Answering *q;

    if (answer == NULL)
      {
        g_printerr (_("A query was not answered: %s\n"), error->message);
        return;
      }
    q = g_new0 (Answering, 1);
    q->answer = answer;
    q->peer = peer;
    q->start = start;
    g_ptr_array_add (answering, q);
  }
}

int
ntpac_cmd_serve (int    argc,
                 char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  g_autofree gchar *listen = NULL;
  NtpacCliClusterOptions keys = { 0 };
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Answer queries over the database DB (repeat for several)"), N_("DB") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Listen on ENDPOINT (tcp://ADDR:PORT)"), N_("ENDPOINT") },
    { "curve-secret", 0, 0, G_OPTION_ARG_FILENAME, &keys.curve_secret,
      N_("This agent's secret key (ntpac-engine keygen)"), N_("FILE") },
    { "curve-clients", 0, 0, G_OPTION_ARG_FILENAME, &keys.curve_clients,
      N_("Answer only the clients whose public keys (NAME.pub) are in DIR"), N_("DIR") },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &keys.insecure,
      N_("No keys: no authentication nor encryption (loopback addresses only)"), NULL },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_paths,
      N_("Look for plugins (the tcp-remote transport) in DIR first"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— answer queries from other machines"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacRegistry) registry = NULL;
  g_autoptr(GPtrArray) checked = NULL;
  g_autoptr(NtpacTransport) transport = NULL;
  guint sigint_id, sigterm_id;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("A read-only query agent: “ntpac-engine query -d tcp://HOST:PORT” (and the\n"
      "agents mixed with local folders) reads these databases from another machine.\n"
      "The databases are opened read-only for each query, also while a run writes them."));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_free (keys.curve_secret);
      g_free (keys.curve_clients);
      return ntpac_cli_usage_error ("serve", error->message);
    }
  if (listen == NULL || argc > 1)
    {
      g_free (keys.curve_secret);
      g_free (keys.curve_clients);
      return ntpac_cli_usage_error ("serve", _("Give the databases (-d DB) and where to listen (--listen tcp://ADDR:PORT)"));
    }
  /* The databases open now, so that a wrong path is said at once. */
  checked = ntpac_cli_open_databases (databases, "serve");
  if (checked == NULL)
    {
      g_free (keys.curve_secret);
      g_free (keys.curve_clients);
      return NTPAC_EXIT_ERROR;
    }
  g_clear_pointer (&checked, g_ptr_array_unref);
  registry = ntpac_cli_load_registry (plugin_paths);
  sigint_id = g_unix_signal_add (SIGINT, on_serve_signal, GINT_TO_POINTER (SIGINT));
  sigterm_id = g_unix_signal_add (SIGTERM, on_serve_signal, GINT_TO_POINTER (SIGTERM));
  g_printerr (_("Answering queries on %s\n"), listen);
  transport = ntpac_cli_remote_transport (registry, &keys, -1, &error);
  if (transport != NULL)
    g_object_set (transport, "many-peers", TRUE, NULL);
  if (transport == NULL || !ntpac_transport_listen (transport, listen, &error))
    ntpac_cli_error ("%s", error->message);
  else
    {
      g_autoptr(GPtrArray) answering = g_ptr_array_new_with_free_func (answering_free);

      /* Batches while clients take them; otherwise wait for a request
       * (or a credit back: a short wait while queries are under way). */
      while (serve_stopped_by == 0)
        {
          gboolean sent = serve_batches (transport, answering);

          serve_next (transport, databases, answering,
                      sent ? 0 : answering->len > 0 ? 10 * 1000 : WAIT_US);
        }
    }
  if (transport != NULL)
    ntpac_transport_close (transport);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_free (keys.curve_secret);
  g_free (keys.curve_clients);
  return error != NULL ? NTPAC_EXIT_ERROR : 128 + serve_stopped_by;
}
