/* ntpac-cli.h: commands of the ntpac-engine program
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <stdio.h>

#include <ntpac/ntpac.h>
#include "ntpac-wire-private.h"

G_BEGIN_DECLS

/* Exit codes, as documented in --help */
#define NTPAC_EXIT_OK       0
#define NTPAC_EXIT_ERROR    1
#define NTPAC_EXIT_DAMAGED  2

int      ntpac_cmd_analyze      (int            argc,
                                 char         **argv);
int      ntpac_cmd_run          (int            argc,
                                 char         **argv);
int      ntpac_cmd_query        (int            argc,
                                 char         **argv);
int      ntpac_cmd_stats        (int            argc,
                                 char         **argv);
int      ntpac_cmd_carve        (int            argc,
                                 char         **argv);
int      ntpac_cmd_export_objects (int          argc,
                                   char       **argv);
int      ntpac_cmd_plugins      (int            argc,
                                 char         **argv);
int      ntpac_cmd_keygen       (int            argc,
                                 char         **argv);
int      ntpac_cmd_serve        (int            argc,
                                 char         **argv);

/**
 * NtpacCliClusterOptions:
 * @listen: (nullable): `--listen`: run as a reassembler on this endpoint
 * @connect: (nullable): `--connect`: run as a balancer to these
 * @node: (nullable): `--node K/N`: this reassembler's shard
 * @curve_secret: (nullable): `--curve-secret FILE`
 * @curve_server: (nullable): `--curve-server FILE`, once or per --connect
 * @curve_clients: (nullable): `--curve-clients DIR`
 * @insecure: `--insecure`
 */
typedef struct
{
  gchar     *listen;
  gchar    **connect;
  gchar     *node;
  gchar     *curve_secret;
  gchar    **curve_server;
  gchar     *curve_clients;
  gboolean   insecure;
} NtpacCliClusterOptions;

NtpacTransport *ntpac_cli_cluster_transport (NtpacRegistry                 *registry,
                                             NtpacPipeline                 *pipeline,
                                             const NtpacCliClusterOptions  *options,
                                             GError                       **error);
gboolean ntpac_cli_write_all (gint           fd,
                              const guint8  *data,
                              gsize          len,
                              const gchar   *output,
                              GError       **error);
gboolean ntpac_cli_send_answer_end (NtpacTransport  *transport,
                                    guint            peer,
                                    guint32          flags,
                                    guint64          count,
                                    const GError    *failure,
                                    GError         **error);
NtpacTransport *ntpac_cli_agent_ask (const gchar                  *endpoint,
                                     const NtpacCliClusterOptions *keys,
                                     gint                          agent,
                                     gchar                       **plugin_paths,
                                     GBytes                       *request,
                                     GError                      **error);
GBytes *ntpac_cli_agent_receive (NtpacTransport  *transport,
                                 GError         **error);
void ntpac_cli_add_agent_options (GOptionContext          *context,
                                  NtpacCliClusterOptions  *keys,
                                  gchar                 ***plugin_paths);
NtpacTransport *ntpac_cli_remote_transport  (NtpacRegistry                 *registry,
                                             const NtpacCliClusterOptions  *options,
                                             gint                           agent,
                                             GError                       **error);
gboolean ntpac_cli_carve_answer (NtpacTransport           *transport,
                                 guint                     peer,
                                 gchar                   **paths,
                                 GBytes                   *request,
                                 guint64                  *frames,
                                 GError                  **error);
/* What a client keeps of the object an agent is sending. */
typedef struct
{
  gchar    *start;     /* its index line, written at the object's end */
  gchar    *sha256;
  gchar    *path;      /* OUTDIR/SHA256 */
  gchar    *partial;   /* being written; NULL when the file was there */
  gint      fd;
} NtpacCliIncomingObject;

gboolean ntpac_cli_is_sha256              (const gchar             *text);
void     ntpac_cli_write_index_line       (FILE                    *index,
                                           const gchar             *start,
                                           const gchar             *outdir,
                                           const gchar             *sha256,
                                           gboolean                 is_sha);
void     ntpac_cli_incoming_object_clear  (NtpacCliIncomingObject  *o,
                                           gboolean                 keep);
gboolean ntpac_cli_export_read            (const NtpacWireMessage  *m,
                                           const gchar             *outdir,
                                           FILE                    *index,
                                           NtpacCliIncomingObject  *o,
                                           guint64                 *n,
                                           gint                    *status,
                                           GError                 **error);
gboolean ntpac_cli_export_answer (NtpacTransport          *transport,
                                  guint                    peer,
                                  gchar                  **paths,
                                  GBytes                  *request,
                                  guint64                 *n_rows,
                                  GError                 **error);
gboolean ntpac_cli_stats_answer (NtpacTransport           *transport,
                                 guint                     peer,
                                 gchar                   **paths,
                                 GBytes                   *request,
                                 GError                  **error);
typedef struct _NtpacCliQueryAnswer NtpacCliQueryAnswer;
NtpacCliQueryAnswer *ntpac_cli_query_answer_start (NtpacTransport        *transport,
                                                   guint                  peer,
                                                   gchar                **paths,
                                                   GBytes                *request,
                                                   GError               **error);
gboolean ntpac_cli_query_answer_step (NtpacCliQueryAnswer  *a,
                                      guint64              *n_rows,
                                      GError              **error);
void     ntpac_cli_query_answer_free (NtpacCliQueryAnswer  *a);
int      ntpac_cli_run_balancer (gchar                   **inputs,
                                 const gchar * const      *endpoints,
                                 NtpacTransport           *transport,
                                 const NtpacDecoderConfig *decoder,
                                 NtpacCaptureFlags         capture_flags,
                                 gboolean                  json,
                                 gboolean                  show_progress);

NtpacRegistry *ntpac_cli_load_registry (gchar      **plugin_paths);
NtpacPipeline *ntpac_cli_load_pipeline (const gchar *path,
                                        GError     **error);

GPtrArray *ntpac_cli_open_databases (gchar      **paths,
                                     const gchar *command);
void     ntpac_cli_close_database (NtpacStore   *store);

void     ntpac_cli_report_inputs (NtpacCapture *capture);
void     ntpac_cli_error        (const gchar   *format,
                                 ...) G_GNUC_PRINTF (1, 2);
void     ntpac_cli_warning      (const gchar   *format,
                                 ...) G_GNUC_PRINTF (1, 2);
gboolean ntpac_cli_parse_size   (const gchar   *text,
                                 guint64       *bytes);
gchar   *ntpac_cli_format_count (guint64        value);
int      ntpac_cli_usage_error  (const gchar   *command,
                                 const gchar   *message);

G_END_DECLS
