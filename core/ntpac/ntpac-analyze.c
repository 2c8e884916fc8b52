/* ntpac-analyze.c: dissectors over the conversations already stored
 *
 * The second stage: a dissector added after the capture was processed
 * (or a better version of one) is run over the PDUs the database holds,
 * without the capture. Its earlier records, their index entries and the
 * anomalies it declared are deleted first; then every conversation's PDUs
 * are read back in order, with their gaps and frames, and given to the
 * same dissect stage a run uses, which writes through the same store
 * sink. Conversations whose identified protocol changes are rewritten.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ntpac-analyze.h"
#include "ntpac-dissect-stage-private.h"
#include "ntpac-packet.h"
#include "ntpac-record.h"
#include "ntpac-store-sink-private.h"

/* Deletes are committed in batches of about this many bytes. */
#define DELETE_BATCH_BYTES (4u * 1024 * 1024)

typedef struct
{
  NtpacStore      *store;
  NtpacStoreBatch *batch;
  GHashTable      *deleted;     /* GBytes: column family byte + record key */
  guint64          count;
} Deleter;

static gboolean
deleter_flush (Deleter  *d,
               GError  **error)
{
  gboolean ok = ntpac_store_batch_commit (d->batch, error);

  ntpac_store_batch_free (d->batch);
  d->batch = ntpac_store_batch_new (d->store);
  return ok;
}

static gboolean
deleter_delete (Deleter        *d,
                gint            cf,
                const guint8   *key,
                gsize           key_len,
                GError        **error)
{
  ntpac_store_batch_delete (d->batch, cf, key, key_len);
  d->count++;
  if (ntpac_store_batch_get_size (d->batch) >= DELETE_BATCH_BYTES)
    return deleter_flush (d, error);
  return TRUE;
}

/* Whether one of @dissectors wrote @record (dissectors name themselves by
 * their protocol in the `dissector` field). */
static gboolean
written_by (GVariant  *record,
            GPtrArray *dissectors)
{
  const gchar *by = ntpac_record_get_string (record, "dissector");

  for (guint i = 0; by != NULL && i < dissectors->len; i++)
    if (g_str_equal (by, ntpac_dissector_get_protocol (dissectors->pdata[i])))
      return TRUE;
  return FALSE;
}

static gboolean
declared_by (const gchar *kind,
             GPtrArray   *dissectors)
{
  for (guint i = 0; kind != NULL && i < dissectors->len; i++)
    if (ntpac_dissector_describe_anomaly (dissectors->pdata[i], kind, NULL, NULL))
      return TRUE;
  return FALSE;
}

/* Deletes the records of @cf the dissectors wrote, remembering their keys
 * for the indexes. */
static gboolean
delete_records (Deleter    *d,
                gint        cf,
                GPtrArray  *dissectors,
                GError    **error)
{
  g_autoptr(NtpacStoreIter) it = ntpac_store_iter_new (d->store, cf, NULL, 0, NULL, 0);
  const guint8 *key, *value;
  gsize key_len, value_len;

  while (ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);
      GByteArray *tail;

      if (record == NULL || !written_by (record, dissectors))
        continue;
      tail = g_byte_array_sized_new (key_len + 1);
      g_byte_array_append (tail, (const guint8 *) &(guint8) { (guint8) cf }, 1);
      g_byte_array_append (tail, key, key_len);
      g_hash_table_add (d->deleted, g_byte_array_free_to_bytes (tail));
      if (!deleter_delete (d, cf, key, key_len, error))
        return FALSE;
    }
  return ntpac_store_iter_get_error (it, error);
}

/* Deletes the entries of an index that point at deleted records: the
 * record is the key's tail, after @prefix bytes (hash and time). */
static gboolean
delete_index_entries (Deleter  *d,
                      gint      index_cf,
                      gsize     prefix,
                      GError  **error)
{
  g_autoptr(NtpacStoreIter) it = ntpac_store_iter_new (d->store, index_cf, NULL, 0, NULL, 0);
  const guint8 *key, *value;
  gsize key_len, value_len;

  while (ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GBytes) tail = NULL;

      if (key_len <= prefix)
        continue;
      tail = g_bytes_new_static (key + prefix, key_len - prefix);
      if (g_hash_table_contains (d->deleted, tail) && !deleter_delete (d, index_cf, key, key_len, error))
        return FALSE;
    }
  return ntpac_store_iter_get_error (it, error);
}

static gboolean
delete_anomalies (Deleter    *d,
                  GPtrArray  *dissectors,
                  GError    **error)
{
  gint cf = ntpac_store_cf_id (d->store, NTPAC_STORE_CF_ANOMALIES);
  g_autoptr(NtpacStoreIter) it = ntpac_store_iter_new (d->store, cf, NULL, 0, NULL, 0);
  const guint8 *key, *value;
  gsize key_len, value_len;

  while (ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);

      if (record != NULL && declared_by (ntpac_record_get_string (record, "kind"), dissectors) &&
          !deleter_delete (d, cf, key, key_len, error))
        return FALSE;
    }
  return ntpac_store_iter_get_error (it, error);
}

/* Everything the dissectors wrote before, in every output they declare. */
static gboolean
delete_earlier (NtpacStore  *store,
                GPtrArray   *dissectors,
                guint64     *deleted,
                GError     **error)
{
  Deleter d = { store, ntpac_store_batch_new (store), NULL, 0 };
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok = TRUE;

  d.deleted = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  for (guint i = 0; ok && i < dissectors->len; i++)
    {
      const gchar * const *outputs = ntpac_dissector_get_outputs (dissectors->pdata[i]);

      for (guint o = 0; ok && outputs[o] != NULL; o++)
        {
          gint cf = ntpac_store_cf_id (store, outputs[o]);

          if (cf < 0 || !g_hash_table_add (done, (gpointer) outputs[o]))
            continue;
          ok = delete_records (&d, cf, dissectors, error);
        }
    }
  /* index.time: time (8), record; index.name: name hash (8), time (8), record */
  ok = ok && delete_index_entries (&d, ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_TIME), 8, error);
  ok = ok && delete_index_entries (&d, ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_NAME), 16, error);
  ok = ok && delete_anomalies (&d, dissectors, error);
  ok = ok && deleter_flush (&d, error);
  *deleted = d.count;
  ntpac_store_batch_free (d.batch);
  g_hash_table_unref (d.deleted);
  return ok;
}

/* The conversation as the dissect stage needs it, from its record. */
static NtpacConversation *
conversation_from_record (const guint8 *id,
                          GVariant     *record)
{
  const gchar *transport = ntpac_record_get_string (record, "transport");
  NtpacConversation *c = ntpac_conversation_new (g_strcmp0 (transport, "udp") == 0 ? NTPAC_TRANSPORT_UDP
                                                                                    : NTPAC_TRANSPORT_TCP);
  const gchar *protocol = ntpac_record_get_string (record, "protocol");

  memcpy (c->id.bytes, id, 16);
  if (!ntpac_address_parse (ntpac_record_get_string (record, "src"), &c->tuple.src) ||
      !ntpac_address_parse (ntpac_record_get_string (record, "dst"), &c->tuple.dst))
    {
      ntpac_conversation_free (c);
      return NULL;
    }
  c->tuple.sport = (guint16) ntpac_record_get_uint (record, "sport");
  c->tuple.dport = (guint16) ntpac_record_get_uint (record, "dport");
  c->first_ts_ns = ntpac_record_get_int (record, "first_ts");
  c->last_ts_ns = ntpac_record_get_int (record, "last_ts");
  c->first_frame.input = (guint32) ntpac_record_get_uint (record, "input");
  c->first_frame.number = ntpac_record_get_uint (record, "first_frame");
  c->protocol = g_strdup (protocol);
  return c;
}

/* A stored PDU back as the reassembler made it. */
static NtpacPdu *
pdu_from_record (NtpacStore  *store,
                 guint32      index,
                 GVariant    *record,
                 GError     **error)
{
  g_autoptr(GBytes) payload = ntpac_store_read_payload (store, record, error);
  g_autoptr(GVariantIter) gaps = NULL;
  g_autoptr(GVariantIter) segments = NULL;
  NtpacPdu *pdu;
  guint8 direction;
  guint32 offset, length, input;
  guint64 gap_length, number;

  if (payload == NULL)
    return NULL;
  pdu = ntpac_pdu_new (NTPAC_DIRECTION_UP);
  g_variant_get (record, "((yxxta(ut)a(utuu))(utuuy))", &direction, &pdu->first_ts_ns, &pdu->last_ts_ns,
                 &pdu->missing_bytes, &gaps, &segments, NULL, NULL, NULL, NULL, NULL);
  pdu->index = index;
  pdu->duplicate = (direction & NTPAC_STORE_PDU_DUPLICATE) != 0;
  direction &= ~NTPAC_STORE_PDU_DUPLICATE;
  pdu->direction = direction == NTPAC_DIRECTION_DOWN ? NTPAC_DIRECTION_DOWN : NTPAC_DIRECTION_UP;
  pdu->payload = ntpac_buffer_new_from_bytes (payload);
  while (g_variant_iter_next (gaps, "(ut)", &offset, &gap_length))
    {
      NtpacPduGap gap = { offset, gap_length };

      g_array_append_val (pdu->gaps, gap);
    }
  while (g_variant_iter_next (segments, "(utuu)", &input, &number, &offset, &length))
    {
      NtpacPduSegment segment = { { 0 }, offset, length };

      segment.frame.input = input;
      segment.frame.number = number;
      g_array_append_val (pdu->segments, segment);
    }
  return pdu;
}

/* Offers one conversation's PDUs to the stage, in order. */
static gboolean
analyze_conversation (NtpacStore         *store,
                      NtpacDissectStage  *stage,
                      NtpacConversation  *c,
                      GError            **error)
{
  gint cf = ntpac_store_cf_id (store, NTPAC_STORE_CF_PDUS);
  g_autoptr(NtpacStoreIter) it = NULL;
  const guint8 *key, *value;
  gsize key_len, value_len;
  gboolean ok = TRUE;

  /* Keys of the conversation's PDUs: its id, then the PDU index. */
  it = ntpac_store_iter_new_prefix (store, cf, c->id.bytes, 16);
  while (ok && ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) record = NULL;
      g_autoptr(NtpacPdu) pdu = NULL;

      if (key_len != 20)
        continue;
      record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE (NTPAC_STORE_PDU_TYPE), error);
      pdu = record != NULL ? pdu_from_record (store, ntpac_store_get_u32 (key + 16), record, error) : NULL;
      if (pdu == NULL)
        ok = FALSE;
      else
        {
          /* dissectors see the PDU on the conversation, as in a run */
          c->pdu = pdu;
          ntpac_dissect_stage_pdu (stage, c, pdu);
          c->pdu = NULL;
        }
    }
  ntpac_dissect_stage_end (stage, c);
  return ok && ntpac_store_iter_get_error (it, error);
}

/* Rewrites a conversation record whose identified protocol changed. */
static gboolean
update_protocol (NtpacStore   *store,
                 const guint8 *id,
                 GVariant     *record,
                 const gchar  *protocol,
                 GError      **error)
{
  g_autoptr(NtpacStoreBatch) batch = ntpac_store_batch_new (store);
  g_autoptr(GBytes) value = NULL;
  GVariantDict dict;

  g_variant_dict_init (&dict, record);
  if (protocol != NULL)
    g_variant_dict_insert (&dict, "protocol", "s", protocol);
  else
    g_variant_dict_remove (&dict, "protocol");
  value = ntpac_record_encode (g_variant_dict_end (&dict));
  ntpac_store_batch_put (batch, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS), id, 16,
                         g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  return ntpac_store_batch_commit (batch, error);
}

/* The protocol a conversation keeps: the one found now, else the one it
 * had unless the dissector that had found it is being run again. */
static const gchar *
protocol_after (const gchar *before,
                const gchar *found,
                GPtrArray   *dissectors)
{
  if (found != NULL)
    return found;
  for (guint i = 0; before != NULL && i < dissectors->len; i++)
    if (g_str_equal (before, ntpac_dissector_get_protocol (dissectors->pdata[i])))
      return NULL;
  return before;
}

/**
 * ntpac_analyze:
 * @store: a database opened for writing
 * @dissectors: (element-type NtpacDissector): what to run, in probe order
 * @compress: compress the objects' content
 * @stats: (out caller-allocates): what was done
 * @error: return location for a #GError
 *
 * Runs @dissectors over every conversation of @store, replacing what
 * they wrote there before.
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_analyze (NtpacStore         *store,
               GPtrArray          *dissectors,
               gboolean            compress,
               NtpacAnalyzeStats  *stats,
               GError            **error)
{
  NtpacStoreSink *sink = NULL;
  NtpacDissectStage *stage = NULL;
  g_autoptr(NtpacStoreIter) it = NULL;
  NtpacDissectStats dissect_stats;
  const guint8 *key, *value;
  gsize key_len, value_len;
  gboolean ok = TRUE;
  GError *local_error = NULL;

  memset (stats, 0, sizeof *stats);
  g_return_val_if_fail (!ntpac_store_is_read_only (store), FALSE);
  sink = ntpac_store_sink_new (store, compress, error);
  if (sink == NULL)
    return FALSE;
  for (guint i = 0; ok && i < dissectors->len; i++)
    ok = ntpac_store_sink_add_outputs (sink, ntpac_dissector_get_outputs (dissectors->pdata[i]), &local_error);
  ok = ok && delete_earlier (store, dissectors, &stats->deleted, &local_error);
  if (ok)
    {
      stage = ntpac_dissect_stage_new (dissectors, ntpac_store_sink_dissect_funcs (), sink);
      it = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS), NULL, 0, NULL, 0);
    }
  while (ok && ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) record = NULL;
      g_autoptr(NtpacConversation) c = NULL;
      g_autofree gchar *before = NULL;
      const gchar *after;

      if (key_len != 16)
        continue;
      record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, &local_error);
      if (record == NULL)
        {
          ok = FALSE;
          break;
        }
      c = conversation_from_record (key, record);
      if (c == NULL)
        continue;
      before = g_steal_pointer (&c->protocol);
      ok = analyze_conversation (store, stage, c, &local_error);
      after = protocol_after (before, c->protocol, dissectors);
      if (ok && g_strcmp0 (before, after) != 0)
        {
          ok = update_protocol (store, key, record, after, &local_error);
          stats->reidentified++;
        }
      stats->conversations++;
    }
  if (ok && it != NULL)
    ok = ntpac_store_iter_get_error (it, &local_error);
  if (stage != NULL)
    {
      ntpac_dissect_stage_get_stats (stage, &dissect_stats);
      stats->identified = dissect_stats.identified;
      stats->records = dissect_stats.records;
      stats->anomalies = dissect_stats.anomalies;
    }
  /* The sink writes what it holds even after a failure: that is whole. */
  if (!ntpac_store_sink_finish (sink, ok ? &local_error : NULL))
    ok = FALSE;
  ntpac_dissect_stage_free (stage);
  ok = ok && ntpac_store_flush (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return ok;
}
