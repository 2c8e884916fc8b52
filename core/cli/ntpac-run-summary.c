/* ntpac-run-summary.c: what `ntpac-engine run` reports at the end
 *
 * The text form is for people; the JSON form (--json) carries the same
 * facts under stable keys for scripts.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ntpac-cli.h"
#include "ntpac-json-private.h"
#include "ntpac-run-summary.h"

static gdouble
mbps (guint64 bytes,
      gint64  elapsed_ns)
{
  return elapsed_ns > 0 ? bytes * 8.0 / (elapsed_ns / 1e9) / 1e6 : 0.0;
}

static guint64
capture_bytes (NtpacEngine *engine)
{
  guint64 total = 0;

  /* A reassembler read only its shard's frames, not the whole inputs. */
  if (ntpac_engine_has_frame_source (engine))
    return ntpac_engine_get_stats (engine)->decode.bytes_captured;
  for (guint i = 0; i < ntpac_engine_get_n_inputs (engine); i++)
    total += ntpac_engine_get_input (engine, i)->size;
  return total;
}

static const gchar *
link_type_name (guint32 linktype,
                gchar   fallback[16])
{
  const gchar *name = ntpac_link_type_to_string (linktype);

  if (name != NULL)
    return name;
  g_snprintf (fallback, 16, "linktype-%u", linktype);
  return fallback;
}

/* "ipv4 12 · ipv6 3": the non-zero counters of a table. */
static void
append_counts (GString            *out,
               const gchar        *label,
               const guint64      *counts,
               guint               n,
               const gchar      *(*name) (guint))
{
  gboolean any = FALSE;

  g_string_append_printf (out, "%-14s", label);
  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *count = NULL;

      if (counts[i] == 0)
        continue;
      count = ntpac_cli_format_count (counts[i]);
      g_string_append_printf (out, "%s%s %s", any ? " · " : "", name (i), count);
      any = TRUE;
    }
  if (!any)
    g_string_append (out, "-");
  g_string_append_c (out, '\n');
}

static const gchar *
net_name (guint i)
{
  return ntpac_net_proto_to_string (i);
}

static const gchar *
transport_name (guint i)
{
  return ntpac_transport_proto_to_string (i);
}

gchar *
ntpac_run_summary_to_text (NtpacEngine *engine,
                           const gchar *database,
                           int          exit_code)
{
  const NtpacRunStats *stats = ntpac_engine_get_stats (engine);
  const NtpacDecodeStats *d = &stats->decode;
  GString *out = g_string_new (NULL);
  guint64 bytes = capture_bytes (engine);
  guint64 n_anomalies = 0;
  g_autofree gchar *frames = ntpac_cli_format_count (stats->frames_read);
  g_autofree gchar *size = g_format_size (bytes);

  g_string_append_printf (out, _("Inputs (%u)\n"), ntpac_engine_get_n_inputs (engine));
  for (guint i = 0; i < ntpac_engine_get_n_inputs (engine); i++)
    {
      const NtpacInput *in = ntpac_engine_get_input (engine, i);
      g_autofree gchar *in_size = g_format_size (in->size);
      g_autofree gchar *in_frames = ntpac_cli_format_count (in->frames);

      g_string_append_printf (out, "  #%u %s\n", in->id, in->path);
      if (in->error != NULL)
        {
          g_string_append_printf (out, _("     not read: %s\n"), in->error->message);
          continue;
        }
      g_string_append_printf (out, _("     %s, %s, %s frames"),
                              ntpac_capture_format_to_string (in->format), in_size, in_frames);
      if (in->frames > 0)
        {
          g_autofree gchar *first = ntpac_time_format_rfc3339 (in->first_ts_ns);
          g_autofree gchar *last = ntpac_time_format_rfc3339 (in->last_ts_ns);

          g_string_append_printf (out, _(", %s to %s"), first, last);
        }
      g_string_append_c (out, '\n');
      if (in->sha256 != NULL)
        g_string_append_printf (out, "     sha256 %s\n", in->sha256);
      if (in->damage != NULL)
        g_string_append_printf (out, _("     DAMAGED at byte %llu: %s\n"),
                                (unsigned long long) in->damage_offset, in->damage);
      if (in->warning != NULL)
        g_string_append_printf (out, _("     warning: %s\n"), in->warning);
    }

  g_string_append_printf (out, "%-14s%s (%s)\n", _("Frames"), frames, size);
  if (d->frames > 0)
    {
      gboolean any = FALSE;

      g_string_append_printf (out, "%-14s", _("Link types"));
      for (guint i = 0; i < d->n_link_types; i++)
        {
          gchar fallback[16];
          g_autofree gchar *count = ntpac_cli_format_count (d->link_type_frames[i]);

          g_string_append_printf (out, "%s%s %s", any ? " · " : "",
                                  link_type_name (d->link_type[i], fallback), count);
          any = TRUE;
        }
      g_string_append_c (out, '\n');
      append_counts (out, _("Network"), d->net, NTPAC_NET_N_KINDS, net_name);
      append_counts (out, _("Transport"), d->transport, NTPAC_TRANSPORT_N_KINDS, transport_name);
      if (d->tunnelled > 0)
        {
          g_autofree gchar *count = ntpac_cli_format_count (d->tunnelled);

          g_string_append_printf (out, "%-14s%s\n", _("Tunnelled"), count);
        }
      if (d->fragments > 0)
        {
          g_autofree gchar *frags = ntpac_cli_format_count (d->fragments);
          g_autofree gchar *datagrams = ntpac_cli_format_count (d->datagrams_reassembled);

          g_string_append_printf (out, _("%-14s%s fragments, %s datagrams reassembled\n"),
                                  _("Fragments"), frags, datagrams);
        }
    }

  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    n_anomalies += stats->anomalies[k];
  {
    g_autofree gchar *count = ntpac_cli_format_count (n_anomalies);

    g_string_append_printf (out, "%-14s%s\n", _("Anomalies"), count);
  }
  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    {
      g_autofree gchar *count = NULL;

      if (stats->anomalies[k] == 0)
        continue;
      count = ntpac_cli_format_count (stats->anomalies[k]);
      g_string_append_printf (out, _("  %-26s %8s  first in input %u, frame %llu\n"),
                              ntpac_anomaly_kind_to_id (k), count, stats->anomaly_first[k].input,
                              (unsigned long long) stats->anomaly_first[k].number);
    }
  if (stats->n_shards > 0)
    {
      g_autofree gchar *other = ntpac_cli_format_count (stats->packets_other_shards);

      g_string_append_printf (out, _("%-14s%u of %u; %s TCP and UDP packets left to the other shards\n"),
                              _("Shard"), stats->shard, stats->n_shards, other);
    }
  if (stats->n_workers > 0)
    {
      g_autofree gchar *tcp = ntpac_cli_format_count (stats->conversations[0]);
      g_autofree gchar *udp = ntpac_cli_format_count (stats->conversations[1]);
      g_autofree gchar *payload = g_format_size (stats->payload_bytes);
      g_autofree gchar *missing = ntpac_cli_format_count (stats->missing_bytes);

      g_string_append_printf (out, _("%-14s%s TCP, %s UDP; %s of payload, %s bytes missing\n"),
                              _("Conversations"), tcp, udp, payload, missing);
    }
  if (stats->dissected_conversations > 0 || stats->dissector_records > 0)
    {
      g_autofree gchar *conversations = ntpac_cli_format_count (stats->dissected_conversations);
      g_autofree gchar *records = ntpac_cli_format_count (stats->dissector_records);
      g_autofree gchar *anomalies = ntpac_cli_format_count (stats->dissector_anomalies);

      g_string_append_printf (out, _("%-14s%s conversations identified; %s records, %s anomalies\n"),
                              _("Dissected"), conversations, records, anomalies);
    }
  if (database != NULL)
    {
      g_autofree gchar *stored = g_format_size (stats->stored_payload_bytes);

      g_string_append_printf (out, _("%-14s%s (%s of payload after compression)\n"),
                              _("Database"), database, stored);
    }
  g_string_append_printf (out, _("%-14s%.2f s, %.0f Mbps\n"), _("Elapsed"),
                          stats->elapsed_ns / 1e9, mbps (bytes, stats->elapsed_ns));
  if (stats->interrupted)
    g_string_append (out, _("The run was interrupted before the end of its inputs.\n"));
  (void) exit_code;
  return g_string_free (out, FALSE);
}

static void
json_counts (NtpacJson     *json,
             const gchar   *key,
             const guint64 *counts,
             guint          n,
             const gchar *(*name) (guint))
{
  ntpac_json_key (json, key);
  ntpac_json_begin_object (json);
  for (guint i = 0; i < n; i++)
    if (counts[i] > 0)
      {
        ntpac_json_key (json, name (i));
        ntpac_json_uint (json, counts[i]);
      }
  ntpac_json_end_object (json);
}

static void
json_time (NtpacJson *json,
           gint64     ts_ns)
{
  g_autofree gchar *text = ntpac_time_format_rfc3339 (ts_ns);

  ntpac_json_string (json, text);
}

static void
json_input (NtpacJson        *json,
            const NtpacInput *in)
{
  ntpac_json_begin_object (json);
  ntpac_json_key (json, "id");
  ntpac_json_uint (json, in->id);
  ntpac_json_key (json, "path");
  ntpac_json_string (json, in->path);
  ntpac_json_key (json, "format");
  ntpac_json_string (json, ntpac_capture_format_to_string (in->format));
  ntpac_json_key (json, "size");
  ntpac_json_uint (json, in->size);
  ntpac_json_key (json, "sha256");
  ntpac_json_string (json, in->sha256);
  ntpac_json_key (json, "frames");
  ntpac_json_uint (json, in->frames);
  ntpac_json_key (json, "first_ts");
  if (in->frames > 0)
    json_time (json, in->first_ts_ns);
  else
    ntpac_json_null (json);
  ntpac_json_key (json, "last_ts");
  if (in->frames > 0)
    json_time (json, in->last_ts_ns);
  else
    ntpac_json_null (json);
  ntpac_json_key (json, "link_types");
  ntpac_json_begin_array (json);
  for (guint i = 0; i < in->n_link_types; i++)
    {
      gchar fallback[16];

      ntpac_json_string (json, link_type_name (in->link_types[i], fallback));
    }
  ntpac_json_end_array (json);
  ntpac_json_key (json, "error");
  ntpac_json_string (json, in->error != NULL ? in->error->message : NULL);
  ntpac_json_key (json, "warning");
  ntpac_json_string (json, in->warning);
  ntpac_json_key (json, "damage");
  if (in->damage != NULL)
    {
      ntpac_json_begin_object (json);
      ntpac_json_key (json, "offset");
      ntpac_json_uint (json, in->damage_offset);
      ntpac_json_key (json, "message");
      ntpac_json_string (json, in->damage);
      ntpac_json_end_object (json);
    }
  else
    ntpac_json_null (json);
  ntpac_json_end_object (json);
}

gchar *
ntpac_run_summary_to_json (NtpacEngine *engine,
                           const gchar *database,
                           int          exit_code)
{
  const NtpacRunStats *stats = ntpac_engine_get_stats (engine);
  const NtpacDecodeStats *d = &stats->decode;
  guint64 bytes = capture_bytes (engine);
  GString *out = g_string_new (NULL);
  NtpacJson json;

  ntpac_json_init (&json, out);
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "engine");
  ntpac_json_string (&json, "ntpac-engine " PACKAGE_VERSION);

  ntpac_json_key (&json, "inputs");
  ntpac_json_begin_array (&json);
  for (guint i = 0; i < ntpac_engine_get_n_inputs (engine); i++)
    json_input (&json, ntpac_engine_get_input (engine, i));
  ntpac_json_end_array (&json);

  ntpac_json_key (&json, "capture_bytes");
  ntpac_json_uint (&json, bytes);
  ntpac_json_key (&json, "frames");
  ntpac_json_uint (&json, stats->frames_read);
  ntpac_json_key (&json, "bytes_captured");
  ntpac_json_uint (&json, d->bytes_captured);
  ntpac_json_key (&json, "bytes_on_wire");
  ntpac_json_uint (&json, d->bytes_wire);

  ntpac_json_key (&json, "link_types");
  ntpac_json_begin_object (&json);
  for (guint i = 0; i < d->n_link_types; i++)
    {
      gchar fallback[16];

      ntpac_json_key (&json, link_type_name (d->link_type[i], fallback));
      ntpac_json_uint (&json, d->link_type_frames[i]);
    }
  ntpac_json_end_object (&json);
  json_counts (&json, "network", d->net, NTPAC_NET_N_KINDS, net_name);
  json_counts (&json, "transport", d->transport, NTPAC_TRANSPORT_N_KINDS, transport_name);
  ntpac_json_key (&json, "tunnelled");
  ntpac_json_uint (&json, d->tunnelled);
  ntpac_json_key (&json, "fragments");
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "frames");
  ntpac_json_uint (&json, d->fragments);
  ntpac_json_key (&json, "reassembled");
  ntpac_json_uint (&json, d->datagrams_reassembled);
  ntpac_json_end_object (&json);

  ntpac_json_key (&json, "anomalies");
  ntpac_json_begin_object (&json);
  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    {
      if (stats->anomalies[k] == 0)
        continue;
      ntpac_json_key (&json, ntpac_anomaly_kind_to_id (k));
      ntpac_json_begin_object (&json);
      ntpac_json_key (&json, "count");
      ntpac_json_uint (&json, stats->anomalies[k]);
      ntpac_json_key (&json, "first_input");
      ntpac_json_uint (&json, stats->anomaly_first[k].input);
      ntpac_json_key (&json, "first_frame");
      ntpac_json_uint (&json, stats->anomaly_first[k].number);
      ntpac_json_end_object (&json);
    }
  ntpac_json_end_object (&json);

  ntpac_json_key (&json, "conversations");
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "tcp");
  ntpac_json_uint (&json, stats->conversations[0]);
  ntpac_json_key (&json, "udp");
  ntpac_json_uint (&json, stats->conversations[1]);
  ntpac_json_key (&json, "payload_bytes");
  ntpac_json_uint (&json, stats->payload_bytes);
  ntpac_json_key (&json, "missing_bytes");
  ntpac_json_uint (&json, stats->missing_bytes);
  ntpac_json_key (&json, "workers");
  ntpac_json_uint (&json, stats->n_workers);
  if (stats->n_shards > 0)
    {
      ntpac_json_key (&json, "shard");
      ntpac_json_uint (&json, stats->shard);
      ntpac_json_key (&json, "shards");
      ntpac_json_uint (&json, stats->n_shards);
      ntpac_json_key (&json, "packets_other_shards");
      ntpac_json_uint (&json, stats->packets_other_shards);
    }
  ntpac_json_key (&json, "peak_memory");
  ntpac_json_uint (&json, stats->peak_tracking_memory);
  ntpac_json_end_object (&json);
  ntpac_json_key (&json, "dissected");
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "conversations");
  ntpac_json_uint (&json, stats->dissected_conversations);
  ntpac_json_key (&json, "records");
  ntpac_json_uint (&json, stats->dissector_records);
  ntpac_json_key (&json, "anomalies");
  ntpac_json_uint (&json, stats->dissector_anomalies);
  ntpac_json_end_object (&json);
  ntpac_json_key (&json, "database");
  if (database != NULL)
    {
      ntpac_json_begin_object (&json);
      ntpac_json_key (&json, "path");
      ntpac_json_string (&json, database);
      ntpac_json_key (&json, "conversations");
      ntpac_json_uint (&json, stats->stored_conversations);
      ntpac_json_key (&json, "pdus");
      ntpac_json_uint (&json, stats->stored_pdus);
      ntpac_json_key (&json, "frames");
      ntpac_json_uint (&json, stats->stored_frames);
      ntpac_json_key (&json, "anomalies");
      ntpac_json_uint (&json, stats->stored_anomalies);
      ntpac_json_key (&json, "stored_payload_bytes");
      ntpac_json_uint (&json, stats->stored_payload_bytes);
      ntpac_json_key (&json, "error");
      ntpac_json_string (&json, stats->store_error != NULL ? stats->store_error->message : NULL);
      ntpac_json_end_object (&json);
    }
  else
    ntpac_json_null (&json);
  ntpac_json_key (&json, "elapsed_s");
  ntpac_json_double (&json, stats->elapsed_ns / 1e9);
  ntpac_json_key (&json, "mbps");
  ntpac_json_double (&json, mbps (bytes, stats->elapsed_ns));
  ntpac_json_key (&json, "interrupted");
  ntpac_json_bool (&json, stats->interrupted);
  ntpac_json_key (&json, "exit_code");
  ntpac_json_int (&json, exit_code);
  ntpac_json_end_object (&json);
  return g_string_free (out, FALSE);
}
