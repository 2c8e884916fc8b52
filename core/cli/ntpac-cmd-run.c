/* ntpac-cmd-run.c: `ntpac-engine run`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-cluster-private.h"
#include "ntpac-conversation-printer.h"
#include "ntpac-progress.h"
#include "ntpac-run-summary.h"

typedef struct
{
  gchar     *output;
  gboolean   append;
  gboolean   no_store;
  gboolean   no_compress;
  gboolean   json;
  gboolean   conversations;
  gint       workers;
  gboolean   no_hash;
  gboolean   no_progress;
  gchar     *stage;
  gdouble    frag_timeout_s;
  gdouble    tcp_timeout_s;
  gdouble    udp_timeout_s;
  gdouble    close_delay_s;
  gchar     *frag_memory;
  gchar     *store_memory;
  gchar     *pipeline;
  gchar     *shard;
  gchar    **plugin_paths;
  gchar    **inputs;
  NtpacCliClusterOptions cluster;
} RunOptions;

static void
run_options_clear (RunOptions *options)
{
  g_free (options->output);
  g_free (options->stage);
  g_free (options->frag_memory);
  g_free (options->store_memory);
  g_free (options->pipeline);
  g_free (options->shard);
  g_strfreev (options->plugin_paths);
  g_strfreev (options->inputs);
  g_free (options->cluster.listen);
  g_strfreev (options->cluster.connect);
  g_free (options->cluster.node);
  g_free (options->cluster.curve_secret);
  g_strfreev (options->cluster.curve_server);
  g_free (options->cluster.curve_clients);
}

static void
on_progress (NtpacEngine *engine,
             guint64      bytes_done,
             guint64      bytes_total,
             gpointer     user_data)
{
  ntpac_progress_update (user_data, bytes_done, bytes_total);
  /* The run blocks this thread: signal sources are dispatched here. */
  g_main_context_iteration (NULL, FALSE);
}

/* The first SIGINT or SIGTERM ends the run cleanly: what was read is
 * reassembled and stored, and the exit status says which signal (128+N,
 * as a shell reports it). */
static gint stopped_by;

/* What a signal stops: the engine once it runs, and, on a reassembler,
 * the wait for the balancer. */
typedef struct
{
  NtpacEngine        *engine;
  NtpacClusterSource *source;
} StopTargets;

static void
stop_targets (StopTargets *t)
{
  if (t->engine != NULL)
    ntpac_engine_stop (t->engine);
  if (t->source != NULL)
    ntpac_cluster_source_stop (t->source);
}

static gboolean
on_sigint (gpointer user_data)
{
  if (stopped_by == 0)
    stopped_by = SIGINT;
  stop_targets (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  if (stopped_by == 0)
    stopped_by = SIGTERM;
  stop_targets (user_data);
  return G_SOURCE_CONTINUE;
}

/* "/cases/7/capture.pcapng" -> "capture.ntpac", in the working folder. */
static gchar *
default_database_path (const gchar *first_input)
{
  g_autofree gchar *base = NULL;
  gchar *dot;

  if (g_strcmp0 (first_input, "-") == 0)
    return g_strdup ("stdin.ntpac");
  base = g_path_get_basename (first_input);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_strconcat (base, ".ntpac", NULL);
}

/* The pipeline's settings; options given on the command line are applied
 * after, and win. */
static void
apply_pipeline (const NtpacPipeline *p,
                NtpacEngineConfig   *config,
                guint64             *store_memory)
{
  config->n_workers = p->workers;
  config->node = (guint16) p->node_id;
  config->n_nodes = (guint16) p->node_count;
  if (p->tcp_idle_s > 0)
    config->tracking.tcp_idle_timeout_ns = (gint64) (p->tcp_idle_s * 1e9);
  if (p->udp_idle_s > 0)
    config->tracking.udp_idle_timeout_ns = (gint64) (p->udp_idle_s * 1e9);
  if (p->tcp_close_delay_s > 0)
    config->tracking.closed_linger_ns = (gint64) (p->tcp_close_delay_s * 1e9);
  if (p->fragment_s > 0)
    config->decoder.frag_timeout_ns = (gint64) (p->fragment_s * 1e9);
  if (p->fragment_memory > 0)
    config->decoder.frag_memory_cap = p->fragment_memory;
  if (p->tracking_memory > 0)
    config->tracking.memory_max_bytes = p->tracking_memory;
  *store_memory = p->store_memory;
}

/* A run none of whose inputs exists leaves no empty database behind. */
static gboolean
any_input_exists (gchar **inputs)
{
  for (guint i = 0; inputs[i] != NULL; i++)
    if (g_str_equal (inputs[i], "-") || g_file_test (inputs[i], G_FILE_TEST_EXISTS))
      return TRUE;
  return FALSE;
}

/* "K/N": node K of N (0 <= K < N <= 1024). */
static gboolean
parse_shard (const gchar *text,
             guint16     *node,
             guint16     *n_nodes)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", -1);
  guint64 k, n;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 1023, &k, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 1024, &n, NULL) || k >= n)
    return FALSE;
  *node = (guint16) k;
  *n_nodes = (guint16) n;
  return TRUE;
}

static gboolean
parse_stage (const gchar *text,
             NtpacStage  *stage)
{
  if (text == NULL || g_str_equal (text, "store"))
    *stage = NTPAC_STAGE_STORE;
  else if (g_str_equal (text, "dissect"))
    *stage = NTPAC_STAGE_DISSECT;
  else if (g_str_equal (text, "track"))
    *stage = NTPAC_STAGE_TRACK;
  else if (g_str_equal (text, "parse"))
    *stage = NTPAC_STAGE_PARSE;
  else if (g_str_equal (text, "read"))
    *stage = NTPAC_STAGE_READ;
  else
    return FALSE;
  return TRUE;
}

int
ntpac_cmd_run (int    argc,
               char **argv)
{
  RunOptions options = { 0 };
  GOptionEntry entries[] = {
    { "pipeline", 'c', 0, G_OPTION_ARG_FILENAME, &options.pipeline,
      N_("Run the pipeline described in FILE (default: offline-forensics.yaml); the options below override it"),
      N_("FILE") },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.plugin_paths,
      N_("Look for plugins in DIR first (repeat for several)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &options.output,
      N_("Store the results in the database DB (default: a new folder named after the first input)"), N_("DB") },
    { "append", 0, 0, G_OPTION_ARG_NONE, &options.append,
      N_("Add to an existing database instead of refusing it"), NULL },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &options.no_store,
      N_("Do not store anything: only print the summary"), NULL },
    { "no-compress", 0, 0, G_OPTION_ARG_NONE, &options.no_compress,
      N_("Store payloads as they are, not LZ4-compressed (faster, larger)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print the summary as one JSON object"), NULL },
    { "conversations", 0, 0, G_OPTION_ARG_NONE, &options.conversations,
      N_("Print each conversation as a line of JSON (the summary goes to standard error)"), NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &options.workers,
      N_("Reassemble with N worker threads (default: one per core)"), N_("N") },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &options.shard,
      N_("Keep only shard K of N: the conversations whose flow hash gives K (run every shard K = 0…N-1 "
         "over the same inputs, then query the databases together)"), N_("K/N") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &options.cluster.listen,
      N_("Run as a cluster's reassembler: receive one shard from a balancer on ENDPOINT (tcp://ADDR:PORT)"),
      N_("ENDPOINT") },
    { "node", 0, 0, G_OPTION_ARG_STRING, &options.cluster.node,
      N_("With --listen: this reassembler is node K of N"), N_("K/N") },
    { "connect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.cluster.connect,
      N_("Run as a cluster's balancer: send each reassembler its shard (repeat; the order is the shard order)"),
      N_("ENDPOINT") },
    { "curve-secret", 0, 0, G_OPTION_ARG_FILENAME, &options.cluster.curve_secret,
      N_("This node's secret key (ntpac-engine keygen)"), N_("FILE") },
    { "curve-server", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.cluster.curve_server,
      N_("Balancer: the reassemblers' public key (once for all, or once per --connect, in order)"), N_("FILE") },
    { "curve-clients", 0, 0, G_OPTION_ARG_FILENAME, &options.cluster.curve_clients,
      N_("Reassembler: accept only the balancers whose public keys (NAME.pub) are in DIR"), N_("DIR") },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &options.cluster.insecure,
      N_("Cluster without keys: no authentication nor encryption (loopback addresses only)"), NULL },
    { "no-hash", 0, 0, G_OPTION_ARG_NONE, &options.no_hash,
      N_("Do not compute the SHA-256 of the inputs"), NULL },
    { "no-progress", 0, 0, G_OPTION_ARG_NONE, &options.no_progress,
      N_("Do not show the progress line on a terminal"), NULL },
    { "stage", 0, 0, G_OPTION_ARG_STRING, &options.stage,
      N_("Stop after STAGE: read, parse, track, dissect or store (for benchmarks)"), N_("STAGE") },
    { "frag-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &options.frag_timeout_s,
      N_("Seconds of capture time an IP datagram waits for its fragments (default 30)"), N_("SECONDS") },
    { "tcp-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &options.tcp_timeout_s,
      N_("Seconds of capture time after which an idle TCP conversation ends (default 600)"), N_("SECONDS") },
    { "udp-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &options.udp_timeout_s,
      N_("Seconds of capture time after which an idle UDP conversation ends (default 120)"), N_("SECONDS") },
    { "tcp-close-delay", 0, 0, G_OPTION_ARG_DOUBLE, &options.close_delay_s,
      N_("Seconds of capture time a closed TCP conversation waits for late segments "
         "before it is stored (default 240)"), N_("SECONDS") },
    { "frag-memory", 0, 0, G_OPTION_ARG_STRING, &options.frag_memory,
      N_("Memory for IP fragments awaiting reassembly (default 32M)"), N_("SIZE") },
    { "store-memory", 0, 0, G_OPTION_ARG_STRING, &options.store_memory,
      N_("Records held in memory before they are written to the database (default 64M); "
         "a run that is killed loses at most these"), N_("SIZE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.inputs, NULL,
      N_("INPUT…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("INPUT… — reconstruct what the captures contain"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacEngine) engine = NULL;
  g_autofree gchar *summary = NULL;
  g_autofree gchar *db_path = NULL;
  NtpacStore *store = NULL;
  g_autoptr(NtpacPipeline) pipeline = NULL;
  g_autoptr(NtpacRegistry) registry = NULL;
  g_autoptr(NtpacTransport) transport = NULL;
  g_autoptr(GPtrArray) dissectors = NULL;
  g_autoptr(NtpacTransport) cluster_transport = NULL;
  g_autoptr(NtpacClusterSource) source = NULL;
  StopTargets targets = { NULL, NULL };
  gboolean listening = FALSE;
  NtpacConversationPrinter *printer = NULL;
  NtpacEngineConfig config;
  NtpacProgress progress;
  guint sigint_id, sigterm_id;
  int exit_code = NTPAC_EXIT_OK;
  guint64 store_memory = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Reads pcap and pcapng files (several files, a folder, or “-” for standard\n"
      "input, read as one capture ordered by time) and reports what they contain.\n"
      "\n"
      "Exit status: 0 when every input was read, 1 on an error (an input that\n"
      "cannot be read, a bad option), 2 when an input was damaged: everything\n"
      "before the damage was processed."));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", error->message);
    }

  ntpac_engine_config_init (&config);
  if (!parse_stage (options.stage, &config.stage))
    {
      g_autofree gchar *message = g_strdup_printf (_("Unknown stage “%s”: use read, parse, track, dissect or store"), options.stage);

      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", message);
    }
  pipeline = ntpac_cli_load_pipeline (options.pipeline, &error);
  if (pipeline == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      run_options_clear (&options);
      return NTPAC_EXIT_ERROR;
    }
  apply_pipeline (pipeline, &config, &store_memory);
  /* A cluster role, from the options or the pipeline. */
  if (options.cluster.listen == NULL && g_strcmp0 (pipeline->role, "reassembler") == 0 && pipeline->listen != NULL)
    options.cluster.listen = g_strdup (pipeline->listen);
  if (options.cluster.connect == NULL && g_strcmp0 (pipeline->role, "balancer") == 0 && pipeline->peers != NULL)
    options.cluster.connect = g_strdupv (pipeline->peers);
  if (options.cluster.listen != NULL && options.cluster.connect != NULL)
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", _("--listen (a reassembler) and --connect (a balancer) exclude each other"));
    }
  listening = options.cluster.listen != NULL;
  if (listening)
    {
      if (options.cluster.node != NULL && !parse_shard (options.cluster.node, &config.node, &config.n_nodes))
        {
          g_autofree gchar *message = g_strdup_printf (_("Invalid node “%s”: give K/N with 0 ≤ K < N ≤ 1024, such as 0/3"),
                                                       options.cluster.node);

          run_options_clear (&options);
          return ntpac_cli_usage_error ("run", message);
        }
      if (config.n_nodes == 0)
        {
          run_options_clear (&options);
          return ntpac_cli_usage_error ("run", _("A reassembler needs its place in the cluster: --node K/N"));
        }
      if ((options.inputs != NULL && options.inputs[0] != NULL) || options.shard != NULL || options.append)
        {
          run_options_clear (&options);
          return ntpac_cli_usage_error ("run", _("A reassembler (--listen) reads no input of its own, is no --shard, "
                                                 "and writes a database of its own (no --append)"));
        }
      g_strfreev (options.inputs);
      options.inputs = g_new0 (gchar *, 1);
    }
  if (!listening && (options.inputs == NULL || options.inputs[0] == NULL) && pipeline->inputs != NULL)
    {
      g_strfreev (options.inputs);
      options.inputs = g_strdupv (pipeline->inputs);
    }
  if (!listening && (options.inputs == NULL || options.inputs[0] == NULL))
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", _("No input given: name capture files, folders or “-”"));
    }
  if (options.frag_timeout_s < 0 || options.frag_timeout_s > 86400)
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", _("--frag-timeout must be between 0 and 86400 seconds"));
    }
  if (options.frag_timeout_s > 0)
    config.decoder.frag_timeout_ns = (gint64) (options.frag_timeout_s * 1e9);
  if (options.tcp_timeout_s < 0 || options.udp_timeout_s < 0 || options.close_delay_s < 0 ||
      options.tcp_timeout_s > 1e7 || options.udp_timeout_s > 1e7 || options.close_delay_s > 1e7)
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", _("Timeouts must be between 0 and 10000000 seconds"));
    }
  if (options.tcp_timeout_s > 0)
    config.tracking.tcp_idle_timeout_ns = (gint64) (options.tcp_timeout_s * 1e9);
  if (options.udp_timeout_s > 0)
    config.tracking.udp_idle_timeout_ns = (gint64) (options.udp_timeout_s * 1e9);
  if (options.close_delay_s > 0)
    config.tracking.closed_linger_ns = (gint64) (options.close_delay_s * 1e9);
  if (options.frag_memory != NULL)
    {
      guint64 bytes;

      if (!ntpac_cli_parse_size (options.frag_memory, &bytes) || bytes > G_MAXSIZE)
        {
          g_autofree gchar *message = g_strdup_printf (_("Invalid size “%s” for --frag-memory"), options.frag_memory);

          run_options_clear (&options);
          return ntpac_cli_usage_error ("run", message);
        }
      config.decoder.frag_memory_cap = bytes;
    }
  if (options.store_memory != NULL &&
      (!ntpac_cli_parse_size (options.store_memory, &store_memory) || store_memory > G_MAXSIZE / 2))
    {
      g_autofree gchar *message = g_strdup_printf (_("Invalid size “%s” for --store-memory"), options.store_memory);

      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", message);
    }
  if (options.workers < 0 || options.workers > 1024)
    {
      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", _("-j must be between 1 and 1024"));
    }
  if (options.workers > 0)
    config.n_workers = options.workers;
  if (options.shard != NULL && !parse_shard (options.shard, &config.node, &config.n_nodes))
    {
      g_autofree gchar *message = g_strdup_printf (_("Invalid shard “%s”: give K/N with 0 ≤ K < N ≤ 1024, such as 0/3"),
                                                   options.shard);

      run_options_clear (&options);
      return ntpac_cli_usage_error ("run", message);
    }
  if (options.no_hash)
    config.capture_flags |= NTPAC_CAPTURE_FLAGS_NO_HASH;
  if (options.conversations)
    {
      printer = ntpac_conversation_printer_new (stdout);
      config.sink = ntpac_conversation_printer_funcs ();
      config.sink_data = printer;
    }

  /* The pipeline's features, from the plugins found. */
  registry = ntpac_cli_load_registry (options.plugin_paths);
  if (options.cluster.connect != NULL)
    {
      int status;

      if (options.shard != NULL)
        {
          run_options_clear (&options);
          return ntpac_cli_usage_error ("run", _("A balancer (--connect) sends every shard its part: no --shard"));
        }
      cluster_transport = ntpac_cli_cluster_transport (registry, pipeline, &options.cluster, &error);
      if (cluster_transport == NULL)
        {
          ntpac_cli_error ("%s", error->message);
          run_options_clear (&options);
          return NTPAC_EXIT_ERROR;
        }
      status = ntpac_cli_run_balancer (options.inputs, (const gchar * const *) options.cluster.connect,
                                       cluster_transport, &config.decoder, config.capture_flags, options.json,
                                       !options.no_progress && isatty (STDERR_FILENO));
      run_options_clear (&options);
      return status;
    }
  if (listening)
    {
      cluster_transport = ntpac_cli_cluster_transport (registry, pipeline, &options.cluster, &error);
      if (cluster_transport == NULL || !ntpac_transport_listen (cluster_transport, options.cluster.listen, &error))
        {
          ntpac_cli_error ("%s", error->message);
          run_options_clear (&options);
          return NTPAC_EXIT_ERROR;
        }
      source = ntpac_cluster_source_new (cluster_transport, config.node, config.n_nodes);
      targets.source = source;
      sigint_id = g_unix_signal_add (SIGINT, on_sigint, &targets);
      sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &targets);
      g_printerr (_("Listening on %s as node %u of %u; waiting for the balancer\n"),
                  options.cluster.listen, config.node, config.n_nodes);
      if (!ntpac_cluster_source_start (source, &error))
        {
          g_source_remove (sigint_id);
          g_source_remove (sigterm_id);
          ntpac_cli_error ("%s", error->message);
          ntpac_transport_close (cluster_transport);
          run_options_clear (&options);
          return stopped_by != 0 ? 128 + stopped_by : NTPAC_EXIT_ERROR;
        }
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      config.frame_source = ntpac_cluster_source_funcs ();
      config.frame_source_data = source;
    }
  transport = ntpac_pipeline_create_transport (pipeline, registry, &error);
  if (transport == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      run_options_clear (&options);
      return NTPAC_EXIT_ERROR;
    }
  /* Inside this process batches go to the workers locally, also on a
   * reassembler whose pipeline names tcp-remote. */
  config.transport = ntpac_transport_is_remote (transport) ? NULL : transport;
  if (config.stage >= NTPAC_STAGE_DISSECT)
    {
      dissectors = ntpac_pipeline_create_dissectors (pipeline, registry, &error);
      if (dissectors == NULL)
        {
          ntpac_cli_error ("%s", error->message);
          run_options_clear (&options);
          return NTPAC_EXIT_ERROR;
        }
      config.dissectors = dissectors;
    }
  config.pipeline = pipeline->name;

  if (config.stage == NTPAC_STAGE_STORE && !options.no_store && pipeline->store_enabled &&
      (listening || any_input_exists (options.inputs)))
    {
      g_autoptr(GError) store_error = NULL;

      if (options.output != NULL)
        db_path = g_strdup (options.output);
      else if (pipeline->store_path != NULL)
        db_path = g_strdup (pipeline->store_path);
      else if (listening)
        db_path = g_strdup_printf ("node-%u.ntpac", config.node);
      else
        db_path = default_database_path (options.inputs[0]);
      store = ntpac_store_open_full (db_path, options.append ? NTPAC_STORE_APPEND : NTPAC_STORE_CREATE,
                                     pipeline->store_wal ? NTPAC_STORE_WAL : NTPAC_STORE_INGEST,
                                     store_memory, &store_error);
      if (store == NULL)
        {
          ntpac_cli_error ("%s", store_error->message);
          run_options_clear (&options);
          return NTPAC_EXIT_ERROR;
        }
      config.store = store;
      config.compress_payload = pipeline->store_compress && !options.no_compress;
    }

  ntpac_progress_init (&progress, !listening && !options.no_progress && isatty (STDERR_FILENO));
  config.progress = on_progress;
  config.progress_data = &progress;

  engine = ntpac_engine_new ((const gchar * const *) options.inputs, &config);
  targets.engine = engine;
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &targets);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &targets);
  ntpac_engine_run (engine);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  ntpac_progress_clear (&progress);
  if (source != NULL)
    {
      /* The balancer hears how this shard ended, then the transport
       * closes (waiting for that answer to leave). */
      ntpac_cluster_source_finish (source, ntpac_engine_get_stats (engine),
                                   ntpac_engine_get_stats (engine)->store_error, NULL);
      ntpac_transport_close (cluster_transport);
      if (ntpac_cluster_source_get_error (source) != NULL)
        ntpac_cli_error (_("The run was interrupted: %s"), ntpac_cluster_source_get_error (source)->message);
    }

  ntpac_cli_report_inputs (ntpac_engine_get_capture (engine));
  if (store != NULL)
    {
      g_autoptr(GError) close_error = NULL;
      const GError *store_error = ntpac_engine_get_stats (engine)->store_error;

      if (store_error != NULL)
        {
          ntpac_cli_error (_("%s; the conversations stored before this were kept"), store_error->message);
          exit_code = NTPAC_EXIT_ERROR;
        }
      if (!ntpac_store_close (g_steal_pointer (&store), &close_error))
        {
          ntpac_cli_error ("%s", close_error->message);
          exit_code = NTPAC_EXIT_ERROR;
        }
    }
  if (exit_code == NTPAC_EXIT_ERROR)
    ;
  else if (stopped_by != 0)
    {
      ntpac_cli_warning (_("Interrupted: everything read so far was stored, and the database says the run was interrupted"));
      exit_code = 128 + stopped_by;
    }
  else if (source != NULL && ntpac_engine_get_stats (engine)->interrupted)
    exit_code = NTPAC_EXIT_ERROR;   /* the balancer stopped the run or went away */
  else if (ntpac_capture_has_errors (ntpac_engine_get_capture (engine)))
    exit_code = NTPAC_EXIT_ERROR;
  else if (ntpac_capture_has_damage (ntpac_engine_get_capture (engine)))
    exit_code = NTPAC_EXIT_DAMAGED;

  summary = options.json ? ntpac_run_summary_to_json (engine, db_path, exit_code)
                         : ntpac_run_summary_to_text (engine, db_path, exit_code);
  /* With conversations on standard output, the summary goes aside. */
  fputs (summary, printer != NULL ? stderr : stdout);
  if (options.json)
    fputc ('\n', printer != NULL ? stderr : stdout);
  ntpac_conversation_printer_free (printer);
  run_options_clear (&options);
  return exit_code;
}
