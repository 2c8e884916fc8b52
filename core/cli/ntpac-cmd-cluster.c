/* ntpac-cmd-cluster.c: the cluster's side of `ntpac-engine run` (the
 * balancer; the reassembler runs through ntpac-cmd-run.c with the
 * cluster's frame source) and `ntpac-engine keygen`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-cluster-private.h"
#include "ntpac-json-private.h"
#include "ntpac-progress.h"

/* The command line's keys override the pipeline's. */
static void
set_key_options (NtpacTransport               *transport,
                 const NtpacCliClusterOptions *options)
{
  if (options->curve_secret != NULL)
    g_object_set (transport, "curve-secret-key-file", options->curve_secret, NULL);
  if (options->curve_server != NULL && options->curve_server[0] != NULL)
    g_object_set (transport, "curve-server-key-files", options->curve_server, NULL);
  if (options->curve_clients != NULL)
    g_object_set (transport, "curve-clients-dir", options->curve_clients, NULL);
  if (options->insecure)
    g_object_set (transport, "insecure", TRUE, NULL);
}

/**
 * ntpac_cli_cluster_transport:
 * @registry: the plugins found
 * @pipeline: the pipeline, whose transport may be tcp-remote with settings
 * @options: the command line's cluster options, which override them
 * @error: why there is no transport between processes
 *
 * Returns: (transfer full) (nullable): the transport between processes
 */
NtpacTransport *
ntpac_cli_cluster_transport (NtpacRegistry                 *registry,
                             NtpacPipeline                 *pipeline,
                             const NtpacCliClusterOptions  *options,
                             GError                       **error)
{
  g_autoptr(NtpacTransport) transport = ntpac_pipeline_create_transport (pipeline, registry, error);

  if (transport == NULL)
    return NULL;
  if (!ntpac_transport_is_remote (transport))
    {
      const NtpacFeature *feature = ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "tcp-remote");

      g_clear_object (&transport);
      if (feature == NULL)
        {
          g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
                       _("No plugin provides the transport “tcp-remote” (see “ntpac-engine plugins”): "
                         "a cluster needs it"));
          return NULL;
        }
      transport = g_object_new (feature->type, NULL);
    }
  set_key_options (transport, options);
  return g_steal_pointer (&transport);
}

/**
 * ntpac_cli_add_agent_options:
 * @context: a command's options
 * @keys: where the key options go
 * @plugin_paths: where `--plugin-path` goes
 *
 * Adds the options of a command that reads query agents (`-d tcp://…`).
 */
void
ntpac_cli_add_agent_options (GOptionContext          *context,
                             NtpacCliClusterOptions  *keys,
                             gchar                 ***plugin_paths)
{
  GOptionEntry entries[] = {
    { "curve-secret", 0, 0, G_OPTION_ARG_FILENAME, &keys->curve_secret,
      N_("With -d tcp://…: this client's secret key (ntpac-engine keygen)"), N_("FILE") },
    { "curve-server", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &keys->curve_server,
      N_("With -d tcp://…: the agents' public key (once for all, or once per agent, in order)"), N_("FILE") },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &keys->insecure,
      N_("With -d tcp://…: no keys (agents on loopback addresses only)"), NULL },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, plugin_paths,
      N_("Look for plugins (the tcp-remote transport) in DIR first"), N_("DIR") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/**
 * ntpac_cli_send_answer_end:
 * @transport: an agent's transport
 * @peer: the client
 * @flags: NTPAC_WIRE_FLAG_ bits of the end (FAILED is added with @failure)
 * @count: what was sent (rows, frames, occurrences)
 * @failure: (nullable): why the answer failed
 * @error: why the end could not be sent (the client is gone)
 *
 * Sends the QUERY_END that closes every answer of an agent.
 */
gboolean
ntpac_cli_send_answer_end (NtpacTransport  *transport,
                           guint            peer,
                           guint32          flags,
                           guint64          count,
                           const GError    *failure,
                           GError         **error)
{
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_QUERY_END, 0, 1, 0, flags | (failure != NULL ? NTPAC_WIRE_FLAG_FAILED : 0));
  ntpac_wire_writer_add_u64 (&w, count);
  ntpac_wire_writer_add_string (&w, failure != NULL ? failure->message : NULL);
  message = ntpac_wire_writer_finish (&w);
  return ntpac_transport_send_message (transport, peer, message, FALSE, error);
}

/**
 * ntpac_cli_agent_ask:
 * @endpoint: the agent (`tcp://HOST:PORT`)
 * @keys: the command line's key options
 * @agent: which agent this is (the Nth `-d tcp://…`, from 0)
 * @plugin_paths: (nullable): where to look for plugins first
 * @request: the question
 * @error: why it could not be asked
 *
 * Returns: (transfer full) (nullable): a query client's transport to the
 *   agent at @endpoint, which has sent it @request
 */
NtpacTransport *
ntpac_cli_agent_ask (const gchar                  *endpoint,
                     const NtpacCliClusterOptions *keys,
                     gint                          agent,
                     gchar                       **plugin_paths,
                     GBytes                       *request,
                     GError                      **error)
{
  g_autoptr(NtpacRegistry) registry = ntpac_cli_load_registry (plugin_paths);   /* plugins stay resident */
  const gchar *endpoints[2] = { endpoint, NULL };
  NtpacTransport *transport = ntpac_cli_remote_transport (registry, keys, agent, error);

  if (transport == NULL)
    return NULL;
  g_object_set (transport, "query-client", TRUE, NULL);
  if (!ntpac_transport_connect_peers (transport, endpoints, error) ||
      !ntpac_transport_send_message (transport, 0, request, FALSE, error))
    {
      g_object_unref (transport);
      return NULL;
    }
  return transport;
}

/**
 * ntpac_cli_agent_receive:
 * @transport: a query client's transport, connected to one agent
 * @error: why no message came (the agent is gone)
 *
 * Returns: (transfer full) (nullable): the agent's next message; waits as
 *   long as the agent is there
 */
GBytes *
ntpac_cli_agent_receive (NtpacTransport  *transport,
                         GError         **error)
{
  for (;;)
    {
      GError *local = NULL;
      GBytes *bytes = ntpac_transport_receive_message (transport, NULL, 250 * 1000, &local);

      if (bytes != NULL || local != NULL)
        {
          if (local != NULL)
            g_propagate_error (error, local);
          return bytes;
        }
    }
}

/**
 * ntpac_cli_remote_transport:
 * @registry: the plugins found
 * @options: the command line's key options
 * @agent: for a client, which agent this is (the Nth `-d tcp://…`, from 0),
 *   to pick its key when `--curve-server` is given once per agent; -1 for
 *   the agent itself
 * @error: why there is none
 *
 * Returns: (transfer full) (nullable): a tcp-remote transport with the
 *   keys of @options, for a query client or agent
 */
NtpacTransport *
ntpac_cli_remote_transport (NtpacRegistry                 *registry,
                            const NtpacCliClusterOptions  *options,
                            gint                           agent,
                            GError                       **error)
{
  const NtpacFeature *feature = ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "tcp-remote");
  NtpacCliClusterOptions keys = *options;
  gchar *one_key[2] = { NULL, NULL };
  NtpacTransport *transport;

  if (feature == NULL)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
                   _("No plugin provides the transport “tcp-remote” (see “ntpac-engine plugins”)"));
      return NULL;
    }
  /* --curve-server once for all, or once per agent in order */
  if (agent >= 0 && options->curve_server != NULL && g_strv_length (options->curve_server) > 1)
    {
      if ((guint) agent >= g_strv_length (options->curve_server))
        {
          g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_SETTINGS,
                       _("%u public keys (--curve-server) for more agents (-d tcp://…): give one for all, or one for each in the same order"),
                       g_strv_length (options->curve_server));
          return NULL;
        }
      one_key[0] = options->curve_server[agent];
      keys.curve_server = one_key;
    }
  transport = g_object_new (feature->type, NULL);
  set_key_options (transport, &keys);
  return transport;
}

/* ---- the balancer ----------------------------------------------------- */

static gint balancer_stopped_by;

static gboolean
on_balancer_signal (gpointer user_data)
{
  NtpacBalancer *balancer = user_data;

  if (balancer_stopped_by == 0)
    balancer_stopped_by = SIGINT;
  ntpac_balancer_stop (balancer);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_balancer_sigterm (gpointer user_data)
{
  if (balancer_stopped_by == 0)
    balancer_stopped_by = SIGTERM;
  return on_balancer_signal (user_data);
}

static void
on_balancer_progress (guint64  done,
                      guint64  total,
                      gpointer data)
{
  ntpac_progress_update (data, done, total);
}

static gchar *
balancer_summary_text (NtpacBalancer *balancer,
                       int            exit_code)
{
  const NtpacBalancerStats *s = ntpac_balancer_get_stats (balancer);
  NtpacCapture *capture = ntpac_balancer_get_capture (balancer);
  GString *out = g_string_new (NULL);
  guint64 bytes = ntpac_capture_get_bytes_read (capture);
  gdouble seconds = s->elapsed_ns / 1e9;
  g_autofree gchar *frames = ntpac_cli_format_count (s->frames_read);
  g_autofree gchar *size = g_format_size (bytes);

  for (guint i = 0; i < ntpac_capture_get_n_inputs (capture); i++)
    {
      const NtpacInput *in = ntpac_capture_get_input (capture, i);
      g_autofree gchar *in_size = g_format_size (in->size);
      g_autofree gchar *in_frames = ntpac_cli_format_count (in->frames);

      g_string_append_printf (out, _("%-14s%s: %s, %s frames, SHA-256 %s\n"), i == 0 ? _("Inputs") : "",
                              in->path, in_size, in_frames, in->sha256 != NULL ? in->sha256 : "-");
    }
  g_string_append_printf (out, _("%-14s%s frames (%s) to %u shards in %.2f s (%.0f Mbps)\n"), _("Balanced"),
                          frames, size, s->n_shards, seconds, seconds > 0 ? bytes * 8 / seconds / 1e6 : 0.0);
  for (guint i = 0; i < s->n_shards; i++)
    {
      const NtpacShardStats *sh = &s->shards[i];
      g_autofree gchar *f = ntpac_cli_format_count (sh->frames);
      g_autofree gchar *b = ntpac_cli_format_count (sh->batches);
      g_autofree gchar *sent = g_format_size (sh->transport.bytes);
      g_autofree gchar *c = ntpac_cli_format_count (sh->conversations);

      g_string_append_printf (out, _("  shard %u %s: %s; %s frames in %s batches (%s), %" PRIu64
                                     " stalls for %.2f s; %s conversations stored\n"),
                              i, sh->endpoint, ntpac_shard_state_to_string (sh->state), f, b, sent,
                              sh->transport.stalls, sh->transport.stalled_ns / 1e9, c);
      if (sh->message != NULL && sh->state != NTPAC_SHARD_COMPLETE)
        g_string_append_printf (out, "    %s\n", sh->message);
    }
  g_string_append_printf (out, _("%-14s%d\n"), _("Exit status"), exit_code);
  return g_string_free (out, FALSE);
}

static gchar *
balancer_summary_json (NtpacBalancer *balancer,
                       int            exit_code)
{
  const NtpacBalancerStats *s = ntpac_balancer_get_stats (balancer);
  NtpacCapture *capture = ntpac_balancer_get_capture (balancer);
  GString *out = g_string_new (NULL);
  NtpacJson json;

  ntpac_json_init (&json, out);
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "role");
  ntpac_json_string (&json, "balancer");
  ntpac_json_key (&json, "inputs");
  ntpac_json_begin_array (&json);
  for (guint i = 0; i < ntpac_capture_get_n_inputs (capture); i++)
    {
      const NtpacInput *in = ntpac_capture_get_input (capture, i);

      ntpac_json_begin_object (&json);
      ntpac_json_key (&json, "path");
      ntpac_json_string (&json, in->path);
      ntpac_json_key (&json, "size");
      ntpac_json_uint (&json, in->size);
      ntpac_json_key (&json, "sha256");
      ntpac_json_string (&json, in->sha256);
      ntpac_json_key (&json, "frames");
      ntpac_json_uint (&json, in->frames);
      ntpac_json_end_object (&json);
    }
  ntpac_json_end_array (&json);
  ntpac_json_key (&json, "frames_read");
  ntpac_json_uint (&json, s->frames_read);
  ntpac_json_key (&json, "bytes_read");
  ntpac_json_uint (&json, ntpac_capture_get_bytes_read (capture));
  ntpac_json_key (&json, "fragments_held");
  ntpac_json_uint (&json, s->fragments_held);
  ntpac_json_key (&json, "elapsed_ns");
  ntpac_json_uint (&json, (guint64) s->elapsed_ns);
  ntpac_json_key (&json, "shards");
  ntpac_json_begin_array (&json);
  for (guint i = 0; i < s->n_shards; i++)
    {
      const NtpacShardStats *sh = &s->shards[i];

      ntpac_json_begin_object (&json);
      ntpac_json_key (&json, "shard");
      ntpac_json_uint (&json, i);
      ntpac_json_key (&json, "endpoint");
      ntpac_json_string (&json, sh->endpoint);
      ntpac_json_key (&json, "state");
      ntpac_json_string (&json, ntpac_shard_state_to_string (sh->state));
      ntpac_json_key (&json, "frames");
      ntpac_json_uint (&json, sh->frames);
      ntpac_json_key (&json, "batches");
      ntpac_json_uint (&json, sh->batches);
      ntpac_json_key (&json, "bytes");
      ntpac_json_uint (&json, sh->transport.bytes);
      ntpac_json_key (&json, "messages");
      ntpac_json_uint (&json, sh->transport.messages);
      ntpac_json_key (&json, "stalls");
      ntpac_json_uint (&json, sh->transport.stalls);
      ntpac_json_key (&json, "stalled_ns");
      ntpac_json_uint (&json, sh->transport.stalled_ns);
      ntpac_json_key (&json, "dropped_messages");
      ntpac_json_uint (&json, sh->transport.dropped_messages);
      ntpac_json_key (&json, "conversations");
      ntpac_json_uint (&json, sh->conversations);
      ntpac_json_key (&json, "message");
      ntpac_json_string (&json, sh->message);
      ntpac_json_end_object (&json);
    }
  ntpac_json_end_array (&json);
  ntpac_json_key (&json, "error");
  ntpac_json_string (&json, s->error != NULL ? s->error->message : NULL);
  ntpac_json_key (&json, "exit_status");
  ntpac_json_uint (&json, (guint64) exit_code);
  ntpac_json_end_object (&json);
  return g_string_free (out, FALSE);
}

/**
 * ntpac_cli_run_balancer:
 *
 * Reads @inputs and sends each reassembler of @endpoints (the shard
 * order) its frames. Exit status: 0 when every shard stored its part, 1
 * when one failed or could not be reached (the others are told to stop),
 * 128+N after signal N (the shards store what they had, as interrupted),
 * 2 when an input was damaged but every shard completed.
 */
int
ntpac_cli_run_balancer (gchar                   **inputs,
                        const gchar * const      *endpoints,
                        NtpacTransport           *transport,
                        const NtpacDecoderConfig *decoder,
                        NtpacCaptureFlags         capture_flags,
                        gboolean                  json,
                        gboolean                  show_progress)
{
  g_autoptr(NtpacBalancer) balancer =
    ntpac_balancer_new ((const gchar * const *) inputs, capture_flags, decoder, transport, endpoints);
  const NtpacBalancerStats *stats;
  g_autofree gchar *summary = NULL;
  NtpacProgress progress;
  NtpacCapture *capture;
  guint sigint_id, sigterm_id;
  int exit_code = NTPAC_EXIT_OK;

  ntpac_progress_init (&progress, show_progress);
  ntpac_balancer_set_progress (balancer, on_balancer_progress, &progress);
  sigint_id = g_unix_signal_add (SIGINT, on_balancer_signal, balancer);
  sigterm_id = g_unix_signal_add (SIGTERM, on_balancer_sigterm, balancer);
  ntpac_balancer_run (balancer);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  ntpac_progress_clear (&progress);
  ntpac_transport_close (transport);

  stats = ntpac_balancer_get_stats (balancer);
  capture = ntpac_balancer_get_capture (balancer);
  ntpac_cli_report_inputs (capture);
  if (stats->error != NULL)
    {
      ntpac_cli_error (_("%s; the other shards were told to stop and keep what they stored"), stats->error->message);
      exit_code = NTPAC_EXIT_ERROR;
    }
  else if (balancer_stopped_by != 0)
    {
      ntpac_cli_warning (_("Interrupted: every shard stored what it was sent and says the run was interrupted"));
      exit_code = 128 + balancer_stopped_by;
    }
  else
    {
      for (guint i = 0; i < stats->n_shards; i++)
        if (stats->shards[i].state != NTPAC_SHARD_COMPLETE)
          exit_code = NTPAC_EXIT_ERROR;
      if (exit_code == NTPAC_EXIT_OK && ntpac_capture_has_errors (capture))
        exit_code = NTPAC_EXIT_ERROR;
      else if (exit_code == NTPAC_EXIT_OK && ntpac_capture_has_damage (capture))
        exit_code = NTPAC_EXIT_DAMAGED;
    }
  summary = json ? balancer_summary_json (balancer, exit_code) : balancer_summary_text (balancer, exit_code);
  fputs (summary, stdout);
  if (json)
    fputc ('\n', stdout);
  return exit_code;
}

/* ---- keygen ------------------------------------------------------------ */

static gboolean
write_new_file (const gchar  *path,
                const gchar  *text,
                mode_t        mode,
                gboolean      force,
                GError      **error)
{
  gint fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), mode);
  gsize len = strlen (text);

  if (fd < 0)
    {
      gint saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   saved == EEXIST ? _("“%s” exists already: keys are not overwritten (--force to do it)")
                                   : _("Cannot write “%s”: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  /* a file that existed keeps its mode through O_TRUNC: set it */
  if (fchmod (fd, mode) != 0 || write (fd, text, len) != (gssize) len || close (fd) != 0)
    {
      gint saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot write “%s”: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

int
ntpac_cmd_keygen (int    argc,
                  char **argv)
{
  g_autofree gchar *prefix = NULL;
  g_auto(GStrv) plugin_paths = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &prefix,
      N_("Write the key pair to PREFIX.key (secret, readable by its owner only) and PREFIX.pub"), N_("PREFIX") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing key files"), NULL },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_paths,
      N_("Look for plugins in DIR first (repeat for several)"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— make a key pair for a cluster's nodes"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacRegistry) registry = NULL;
  g_autoptr(NtpacTransport) transport = NULL;
  g_autofree gchar *public_key = NULL, *secret_key = NULL;
  g_autofree gchar *key_path = NULL, *pub_path = NULL;
  g_autofree gchar *key_text = NULL, *pub_text = NULL;
  const NtpacFeature *feature;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Makes a CURVE key pair for the tcp-remote transport. Give a reassembler its\n"
      "secret key (--curve-secret) and a folder of the balancers' public keys\n"
      "(--curve-clients); give a balancer its secret key and the reassemblers'\n"
      "public keys (--curve-server)."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("keygen", error->message);
  if (prefix == NULL || argc > 1)
    return ntpac_cli_usage_error ("keygen", _("Give the files' prefix: -o PREFIX"));
  registry = ntpac_cli_load_registry (plugin_paths);
  feature = ntpac_registry_find (registry, NTPAC_FEATURE_TRANSPORT, "tcp-remote");
  if (feature == NULL)
    {
      ntpac_cli_error (_("No plugin provides the transport “tcp-remote” (see “ntpac-engine plugins”)"));
      return NTPAC_EXIT_ERROR;
    }
  transport = g_object_new (feature->type, NULL);
  if (!ntpac_transport_generate_keys (transport, &public_key, &secret_key, &error))
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  key_path = g_strconcat (prefix, ".key", NULL);
  pub_path = g_strconcat (prefix, ".pub", NULL);
  key_text = g_strdup_printf ("# ntpac-engine CURVE secret key: keep it on this node only\n%s\n", secret_key);
  pub_text = g_strdup_printf ("# ntpac-engine CURVE public key\n%s\n", public_key);
  if (!write_new_file (key_path, key_text, 0600, force, &error) ||
      !write_new_file (pub_path, pub_text, 0644, force, &error))
    {
      ntpac_cli_error ("%s", error->message);
      return NTPAC_EXIT_ERROR;
    }
  printf (_("Wrote %s (secret) and %s (public key %s)\n"), key_path, pub_path, public_key);
  return NTPAC_EXIT_OK;
}
