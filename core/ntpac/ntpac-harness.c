/* ntpac-harness.c: one dissector, bytes in, records and anomalies out
 *
 * Every push is a PDU of a conversation between 192.0.2.1 (the client)
 * and 198.51.100.1, carried by one frame whose number counts pushes from
 * 1; records and anomalies are kept in the order they come.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-dissect-stage-private.h"
#include "ntpac-harness.h"
#include "ntpac-packet.h"

#include <string.h>

struct _NtpacHarness
{
  NtpacDissectStage *stage;
  NtpacConversation *conversation;
  GPtrArray         *records;     /* GVariant a{sv} with "output" added */
  GPtrArray         *anomalies;   /* anomaly ids */
  guint64            frame;
  gint64             ts_ns;
  guint32            next_pdu;
  gboolean           ended;
  GHashTable        *chunks;      /* chunk number (as file) -> GBytes */
  GHashTable        *objects;     /* SHA-256 hex -> GBytes */
  GByteArray        *stream[2];   /* bytes delivered per direction, for stream chunks */
  guint32            next_chunk;
  GMutex             lock;        /* sinks may be called from any thread */
};

static void
collect_record (gpointer                 sink,
                const NtpacConversation *conversation,
                const gchar             *output,
                const guint8            *key,
                gsize                    key_len,
                NtpacRecordBuilder      *record,
                const gchar             *name,
                gint64                   ts_ns)
{
  NtpacHarness *self = sink;
  g_autoptr(GVariant) owned = g_variant_ref_sink (ntpac_record_builder_end (record));
  GVariantDict dict;

  /* What the store would keep must read back: tests and fuzzers check it. */
  if (!g_variant_is_normal_form (owned))
    g_critical ("a %s record is not in normal form", output);

  g_variant_dict_init (&dict, owned);
  g_variant_dict_insert (&dict, "output", "s", output);
  if (name != NULL)
    g_variant_dict_insert (&dict, "name", "s", name);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->records, g_variant_ref_sink (g_variant_dict_end (&dict)));
  g_mutex_unlock (&self->lock);
}

static void
collect_anomaly (gpointer                 sink,
                 const NtpacConversation *conversation,
                 const gchar             *id,
                 NtpacSeverity            severity,
                 const gchar             *description,
                 const NtpacFrameRef     *frame,
                 gint64                   ts_ns)
{
  NtpacHarness *self = sink;

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->anomalies, g_strdup (id));
  g_mutex_unlock (&self->lock);
}

/* Objects are kept in memory: chunks by number, then whole by SHA-256. */
static gboolean
collect_object_chunk (gpointer          sink,
                      gconstpointer     data,
                      gsize             len,
                      NtpacObjectChunk *chunk)
{
  NtpacHarness *self = sink;

  g_mutex_lock (&self->lock);
  chunk->file = self->next_chunk++;
  chunk->offset = 0;
  chunk->stored_len = chunk->len = (guint32) len;
  chunk->codec = 0;
  g_hash_table_insert (self->chunks, GUINT_TO_POINTER (chunk->file), g_bytes_new (data, len));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
collect_object_done (gpointer                 sink,
                     const NtpacConversation *conversation,
                     const guint8            *sha256,
                     const NtpacObjectChunk  *chunks,
                     guint                    n_chunks,
                     gconstpointer            tail,
                     gsize                    tail_len)
{
  NtpacHarness *self = sink;
  GByteArray *content = g_byte_array_new ();
  GString *hex = g_string_new (NULL);

  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02x", sha256[i]);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_chunks; i++)
    {
      GBytes *chunk;
      gsize len;
      gconstpointer data;

      if (chunks[i].kind == NTPAC_OBJECT_CHUNK_STREAM)
        {
          GByteArray *stream = self->stream[chunks[i].file & 1];

          g_assert_cmpuint (chunks[i].offset + chunks[i].len, <=, stream->len);
          g_byte_array_append (content, stream->data + chunks[i].offset, chunks[i].len);
          continue;
        }
      chunk = g_hash_table_lookup (self->chunks, GUINT_TO_POINTER (chunks[i].file));
      data = g_bytes_get_data (chunk, &len);
      g_byte_array_append (content, data, len);
      g_hash_table_remove (self->chunks, GUINT_TO_POINTER (chunks[i].file));
    }
  g_byte_array_append (content, tail, tail_len);
  g_hash_table_replace (self->objects, g_string_free (hex, FALSE), g_byte_array_free_to_bytes (content));
  g_mutex_unlock (&self->lock);
}

static const NtpacDissectSinkFuncs collect_funcs = {
  collect_record,
  collect_anomaly,
  collect_object_chunk,
  collect_object_done,
};

/**
 * ntpac_harness_new:
 * @dissector: the dissector under test
 * @input: TCP stream or UDP datagrams
 * @client_port: the initiator's port
 * @server_port: the responder's port (a port hint if the dissector
 *   declared it)
 *
 * Returns: (transfer full): a harness
 * Since: 0.1
 */
NtpacHarness *
ntpac_harness_new (NtpacDissector    *dissector,
                   NtpacDissectInput  input,
                   guint16            client_port,
                   guint16            server_port)
{
  NtpacHarness *self = g_new0 (NtpacHarness, 1);
  g_autoptr(GPtrArray) dissectors = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (dissectors, g_object_ref (dissector));
  g_mutex_init (&self->lock);
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  self->anomalies = g_ptr_array_new_with_free_func (g_free);
  self->chunks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_bytes_unref);
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  self->stream[0] = g_byte_array_new ();
  self->stream[1] = g_byte_array_new ();
  self->stage = ntpac_dissect_stage_new (dissectors, &collect_funcs, self);
  self->conversation = ntpac_conversation_new (input == NTPAC_DISSECT_INPUT_TCP_STREAM ? NTPAC_TRANSPORT_TCP
                                                                                      : NTPAC_TRANSPORT_UDP);
  ntpac_address_parse ("192.0.2.1", &self->conversation->tuple.src);
  ntpac_address_parse ("198.51.100.1", &self->conversation->tuple.dst);
  self->conversation->tuple.sport = client_port;
  self->conversation->tuple.dport = server_port;
  self->ts_ns = G_GINT64_CONSTANT (1709251200000000000);
  self->conversation->first_ts_ns = self->ts_ns;
  self->conversation->first_frame.number = 1;
  return self;
}

void
ntpac_harness_free (NtpacHarness *self)
{
  if (self == NULL)
    return;
  ntpac_harness_end (self);
  ntpac_dissect_stage_free (self->stage);
  ntpac_conversation_free (self->conversation);
  g_ptr_array_unref (self->records);
  g_ptr_array_unref (self->anomalies);
  g_hash_table_unref (self->chunks);
  g_hash_table_unref (self->objects);
  g_byte_array_unref (self->stream[0]);
  g_byte_array_unref (self->stream[1]);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void
push (NtpacHarness   *self,
      NtpacDirection  direction,
      gconstpointer   before,
      gsize           before_len,
      guint64         missing,
      gconstpointer   after,
      gsize           after_len)
{
  g_autoptr(NtpacPdu) pdu = ntpac_pdu_new (direction);
  g_autofree guint8 *bytes = g_malloc (MAX (before_len + after_len, 1u));
  NtpacPduSegment segment;

  g_return_if_fail (!self->ended);
  if (before_len > 0)
    memcpy (bytes, before, before_len);
  if (after_len > 0)
    memcpy (bytes + before_len, after, after_len);
  pdu->index = self->next_pdu++;
  pdu->first_ts_ns = pdu->last_ts_ns = ++self->ts_ns;
  pdu->payload = ntpac_buffer_new_take (g_steal_pointer (&bytes), before_len + after_len, before_len + after_len);
  segment.frame.input = 0;
  segment.frame.number = ++self->frame;
  segment.frame.offset = 0;
  segment.offset = 0;
  segment.length = (guint32) (before_len + after_len);
  g_array_append_val (pdu->segments, segment);
  if (missing > 0)
    {
      NtpacPduGap gap = { (guint32) before_len, missing };

      g_array_append_val (pdu->gaps, gap);
      pdu->missing_bytes = missing;
    }
  g_byte_array_append (self->stream[direction], before, before_len);
  g_byte_array_append (self->stream[direction], after, after_len);
  self->conversation->bytes[direction] += before_len + after_len;
  self->conversation->missing_bytes[direction] += missing;
  self->conversation->last_ts_ns = self->ts_ns;
  self->conversation->n_pdus++;
  self->conversation->pdu = pdu;
  ntpac_dissect_stage_pdu (self->stage, self->conversation, pdu);
  self->conversation->pdu = NULL;
}

/**
 * ntpac_harness_push:
 * @self: a harness
 * @direction: who sends
 * @data: (array length=len): the bytes, one PDU (a TCP segment's worth,
 *   or a datagram)
 * @len: their length
 *
 * Since: 0.1
 */
void
ntpac_harness_push (NtpacHarness   *self,
                    NtpacDirection  direction,
                    gconstpointer   data,
                    gsize           len)
{
  push (self, direction, data, len, 0, NULL, 0);
}

/**
 * ntpac_harness_push_gap:
 * @self: a harness
 * @direction: who sends
 * @before: (array length=before_len) (nullable): bytes before the gap
 * @before_len: their length
 * @missing: bytes lost there
 * @after: (array length=after_len) (nullable): bytes after the gap
 * @after_len: their length
 *
 * One PDU with a hole in it, as reassembly hands on lost segments.
 * Since: 0.1
 */
void
ntpac_harness_push_gap (NtpacHarness   *self,
                        NtpacDirection  direction,
                        gconstpointer   before,
                        gsize           before_len,
                        guint64         missing,
                        gconstpointer   after,
                        gsize           after_len)
{
  push (self, direction, before, before_len, missing, after, after_len);
}

/* Ends the conversation: the dissector emits what it holds. */
void
ntpac_harness_end (NtpacHarness *self)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  self->conversation->end = NTPAC_CONVERSATION_END_FIN;
  ntpac_dissect_stage_end (self->stage, self->conversation);
}

/* The protocol the dissector identified, or NULL if its probe refused. */
const gchar *
ntpac_harness_get_protocol (NtpacHarness *self)
{
  return self->conversation->protocol;
}

/**
 * ntpac_harness_get_records:
 * @self: a harness
 * @output: (nullable): only the records of this output
 *
 * Returns: (transfer container) (element-type GVariant): the records so
 *   far, each an `a{sv}` with the common fields and "output"
 * Since: 0.1
 */
GPtrArray *
ntpac_harness_get_records (NtpacHarness *self,
                           const gchar  *output)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->records->len; i++)
    {
      GVariant *r = self->records->pdata[i];
      const gchar *o = NULL;

      g_variant_lookup (r, "output", "&s", &o);
      if (output == NULL || g_strcmp0 (o, output) == 0)
        g_ptr_array_add (out, g_variant_ref (r));
    }
  g_mutex_unlock (&self->lock);
  return out;
}

/**
 * ntpac_harness_get_anomalies:
 * @self: a harness
 *
 * Returns: (transfer none) (element-type utf8): the anomaly ids so far
 * Since: 0.1
 */
GPtrArray *
ntpac_harness_get_anomalies (NtpacHarness *self)
{
  return self->anomalies;
}

/**
 * ntpac_harness_get_object:
 * @self: a harness
 * @sha256: an object's SHA-256, lower-case hex
 *
 * Returns: (transfer full) (nullable): the content of the object the
 *   dissector made with that hash, %NULL if there is none
 * Since: 0.1
 */
GBytes *
ntpac_harness_get_object (NtpacHarness *self,
                          const gchar  *sha256)
{
  GBytes *content;

  g_mutex_lock (&self->lock);
  content = g_hash_table_lookup (self->objects, sha256);
  if (content != NULL)
    g_bytes_ref (content);
  g_mutex_unlock (&self->lock);
  return content;
}
