/* ntpac-pipeline.h: pipelines described in YAML
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>

#include "ntpac-registry.h"
#include "ntpac-transport.h"

G_BEGIN_DECLS

/**
 * NtpacPipelineError:
 * @NTPAC_PIPELINE_ERROR_IO: the file cannot be read
 * @NTPAC_PIPELINE_ERROR_SYNTAX: not valid YAML
 * @NTPAC_PIPELINE_ERROR_TOO_LARGE: too large or too deeply nested
 * @NTPAC_PIPELINE_ERROR_UNKNOWN_KEY: a key the pipeline does not have
 * @NTPAC_PIPELINE_ERROR_TYPE: a value of the wrong type
 * @NTPAC_PIPELINE_ERROR_RANGE: a value out of its range
 * @NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE: no plugin provides the feature,
 *   or it has no such setting
 * @NTPAC_PIPELINE_ERROR_LINK: a dissector cannot read this pipeline's
 *   conversations, or two write the same output
 *
 * Every error message starts with FILE:LINE:COLUMN.
 */
typedef enum
{
  NTPAC_PIPELINE_ERROR_IO,
  NTPAC_PIPELINE_ERROR_SYNTAX,
  NTPAC_PIPELINE_ERROR_TOO_LARGE,
  NTPAC_PIPELINE_ERROR_UNKNOWN_KEY,
  NTPAC_PIPELINE_ERROR_TYPE,
  NTPAC_PIPELINE_ERROR_RANGE,
  NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE,
  NTPAC_PIPELINE_ERROR_LINK,
} NtpacPipelineError;

#define NTPAC_PIPELINE_ERROR (ntpac_pipeline_error_quark ())
GQuark ntpac_pipeline_error_quark (void);

/**
 * NtpacPipelineSetting:
 * @key: a GObject property of the feature
 * @value: as written
 * @line: where the value is (from 1)
 * @column: where the value is (from 1)
 */
typedef struct
{
  gchar *key;
  gchar *value;
  guint  line;
  guint  column;
} NtpacPipelineSetting;

/**
 * NtpacPipelineFeature:
 * @name: the feature
 * @settings: (element-type NtpacPipelineSetting): its settings
 * @line: where it is named (from 1)
 * @column: where it is named (from 1)
 */
typedef struct
{
  gchar     *name;
  GPtrArray *settings;
  guint      line;
  guint      column;
} NtpacPipelineFeature;

/**
 * NtpacPipeline:
 * @file: where it was read from
 * @name: `pipeline:`
 * @description: (nullable): `description:`
 * @inputs: (nullable): `source: path:` capture files or folders
 * @interface: (nullable): `source: interface:` for live capture
 * @transport: `source: transport:` how batches reach the workers
 * @workers: `workers:`, 0 for one per core
 * @node_id: `node: id:` this node in a cluster
 * @node_count: `node: count:` nodes in the cluster
 * @role: (nullable): `cluster: role:` balancer or reassembler
 * @listen: (nullable): `cluster: listen:` endpoint
 * @peers: (nullable): `cluster: connect:` endpoints
 * @dissectors: (element-type NtpacPipelineFeature): in the order tried
 * @store_enabled: `store: enabled:`
 * @store_path: (nullable): `store: path:`
 * @store_compress: `store: compress:`
 * @store_memory: `store: memory:` bytes, 0 for the default
 * @store_wal: `store: durability: wal` (else bulk)
 * @tcp_idle_s: `timeouts: tcp-idle:` seconds, 0 for the default
 * @udp_idle_s: `timeouts: udp-idle:`
 * @tcp_close_delay_s: `timeouts: tcp-close-delay:`
 * @fragment_s: `timeouts: fragments:`
 * @fragment_memory: `memory: fragments:` bytes, 0 for the default
 * @tracking_memory: `memory: tracking:` bytes, 0 for the default
 *
 * A pipeline as its file describes it; command-line options override it.
 */
typedef struct
{
  gchar     *file;
  gchar     *name;
  gchar     *description;
  gchar    **inputs;
  gchar     *interface;
  NtpacPipelineFeature *transport;
  guint      workers;
  guint      node_id;
  guint      node_count;
  gchar     *role;
  gchar     *listen;
  gchar    **peers;
  GPtrArray *dissectors;
  gboolean   store_enabled;
  gchar     *store_path;
  gboolean   store_compress;
  guint64    store_memory;
  gboolean   store_wal;
  gdouble    tcp_idle_s;
  gdouble    udp_idle_s;
  gdouble    tcp_close_delay_s;
  gdouble    fragment_s;
  guint64    fragment_memory;
  guint64    tracking_memory;
} NtpacPipeline;

NtpacPipeline  *ntpac_pipeline_load_file          (const gchar     *path,
                                                   GError         **error);
NtpacPipeline  *ntpac_pipeline_load_data          (const gchar     *data,
                                                   gsize            len,
                                                   const gchar     *file,
                                                   GError         **error);
void            ntpac_pipeline_free               (NtpacPipeline   *self);
GPtrArray      *ntpac_pipeline_create_dissectors  (NtpacPipeline   *self,
                                                   NtpacRegistry   *registry,
                                                   GError         **error);
NtpacTransport *ntpac_pipeline_create_transport   (NtpacPipeline   *self,
                                                   NtpacRegistry   *registry,
                                                   GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacPipeline, ntpac_pipeline_free)

G_END_DECLS
