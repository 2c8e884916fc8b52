/* ntpac-store-sink.c: conversations, anomalies and inputs into the store
 *
 * Runs on the workers' threads: records are serialised, payloads
 * compressed and written to each worker's own payload file here, in
 * parallel, and the records gathered per thread and handed to the store
 * actor in bundles. A conversation's record and its index entries are
 * handed over last, after its PDUs and frames.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-payload-log-private.h"
#include "ntpac-record.h"
#include "ntpac-store-sink-private.h"
#include "ntpac-store-writer-private.h"
#include "ntpac-variant-writer-private.h"

/* A bundle is handed over once it holds this much, or at the end of a
 * conversation once it is this old. */
#define BUNDLE_BYTES   (1024u * 1024)
#define BUNDLE_AGE_US  (20 * 1000)

/* What each worker thread writes through: its own payload file and the
 * records it has not handed over yet. */
typedef struct
{
  NtpacStoreSink   *sink;
  guint             sink_serial;
  NtpacPayloadLog  *log;
  NtpacStoreBundle *pending;
  gint64            pending_since_us;
  NtpacVariantWriter *writer;           /* PDU, frame and name index records */
  NtpacRecordBuilder *record;           /* conversation records */
  GByteArray       *compressed;         /* the last payload compressed */
} ThreadContext;

struct _NtpacStoreSink
{
  guint              serial;
  NtpacStoreWriter  *writer;
  NtpacPayloadFiles *payload_files;
  GMutex             contexts_lock;
  GHashTable        *contexts;         /* GThread -> ThreadContext */
  gboolean          compress;
  gint              cf_pdus;
  gint              cf_inputs;
  gint              cf_conversations;
  gint              cf_frames;
  gint              cf_anomalies;
  gint              cf_index_ip;
  gint              cf_index_time;
  gint              cf_index_name;
  GHashTable       *output_cfs;        /* dissector output -> column family + 1 */
  gint              cf_objects_data;
  GMutex            objects_lock;
  GHashTable       *objects_kept;      /* SHA-256 (GBytes) of objects written by this run */
  guint             anomaly_sequence;   /* atomic */
  NtpacStoreSinkStats stats;            /* atomic adds */
};

static gint next_serial = 1;
/* The context the calling thread used last; checked against the sink. */
static GPrivate current_context = G_PRIVATE_INIT (NULL);

static void
thread_context_free (gpointer data)
{
  ThreadContext *ctx = data;

  ntpac_store_bundle_free (ctx->pending);
  ntpac_variant_writer_free (ctx->writer);
  ntpac_record_builder_free (ctx->record);
  g_byte_array_unref (ctx->compressed);
  if (ctx->log != NULL)
    ntpac_payload_log_close (ctx->log);
  g_free (ctx);
}

NtpacStoreSink *
ntpac_store_sink_new (NtpacStore  *store,
                      gboolean     compress,
                      GError     **error)
{
  NtpacStoreSink *self = g_new0 (NtpacStoreSink, 1);
  g_autofree gchar *dir = ntpac_store_get_payload_dir (store);

  self->payload_files = ntpac_payload_files_new (dir, error);
  if (self->payload_files == NULL)
    {
      g_free (self);
      return NULL;
    }
  self->serial = g_atomic_int_add (&next_serial, 1);
  g_mutex_init (&self->contexts_lock);
  self->contexts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, thread_context_free);
  self->writer = ntpac_store_writer_new (store);
  self->compress = compress;
  self->cf_pdus = ntpac_store_cf_id (store, NTPAC_STORE_CF_PDUS);
  self->cf_inputs = ntpac_store_cf_id (store, NTPAC_STORE_CF_INPUTS);
  self->cf_conversations = ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS);
  self->cf_frames = ntpac_store_cf_id (store, NTPAC_STORE_CF_FRAMES);
  self->cf_anomalies = ntpac_store_cf_id (store, NTPAC_STORE_CF_ANOMALIES);
  self->cf_index_ip = ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_IP);
  self->cf_index_time = ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_TIME);
  self->cf_index_name = ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_NAME);
  self->output_cfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cf_objects_data = ntpac_store_cf_id (store, NTPAC_STORE_CF_OBJECTS_DATA);
  g_mutex_init (&self->objects_lock);
  self->objects_kept = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  return self;
}

static void
count (guint64 *counter,
       guint64  n)
{
  __atomic_add_fetch (counter, n, __ATOMIC_RELAXED);
}

/* Key of a conversation's sub-record: its id and a 4-byte index. */
static void
sub_key (guint8                     key[20],
         const NtpacConversationId *id,
         guint32                    index)
{
  memcpy (key, id->bytes, 16);
  ntpac_store_put_u32 (key + 16, index);
}

/* Fixed-size GVariant elements laid out as GVariant serialises them (in
 * host order; records are stored little-endian): building arrays of
 * these needs no allocation per element, which matters at hundreds of
 * thousands of segments and frames per gigabyte. */
typedef struct
{
  guint32 offset;
  guint32 pad;
  guint64 length;
} GapElement;                            /* (ut) */

typedef struct
{
  guint32 input;
  guint32 pad;
  guint64 number;
  guint32 offset;
  guint32 length;
} SegmentElement;                        /* (utuu) */

typedef struct
{
  guint32 input;
  guint32 pad;
  guint64 number;
  guint64 offset;
} FrameElement;                          /* (utt) */

G_STATIC_ASSERT (sizeof (GapElement) == 16);
G_STATIC_ASSERT (sizeof (SegmentElement) == 24);
G_STATIC_ASSERT (sizeof (FrameElement) == 24);

/* The calling thread's context, made on first use. */
static ThreadContext *
thread_context (NtpacStoreSink *self)
{
  ThreadContext *ctx = g_private_get (&current_context);

  if (ctx != NULL && ctx->sink == self && ctx->sink_serial == self->serial)
    return ctx;
  g_mutex_lock (&self->contexts_lock);
  ctx = g_hash_table_lookup (self->contexts, g_thread_self ());
  if (ctx == NULL)
    {
      ctx = g_new0 (ThreadContext, 1);
      ctx->sink = self;
      ctx->sink_serial = self->serial;
      ctx->pending = ntpac_store_bundle_new ();
      ctx->writer = ntpac_variant_writer_new ();
      ctx->record = ntpac_record_builder_new ();
      ctx->compressed = g_byte_array_new ();
      g_hash_table_insert (self->contexts, g_thread_self (), ctx);
    }
  g_mutex_unlock (&self->contexts_lock);
  g_private_set (&current_context, ctx);
  return ctx;
}

/* Hands the thread's pending records over. */
static void
hand_over (NtpacStoreSink *self,
           ThreadContext  *ctx)
{
  if (ntpac_store_bundle_get_n_records (ctx->pending) == 0)
    return;
  ntpac_store_writer_submit (self->writer, g_steal_pointer (&ctx->pending));
  ctx->pending = ntpac_store_bundle_new ();
}

/* The thread's bundle, about to get a record: notes when it got its first. */
static NtpacStoreBundle *
pending_bundle (ThreadContext *ctx)
{
  if (ntpac_store_bundle_get_n_records (ctx->pending) == 0)
    ctx->pending_since_us = g_get_monotonic_time ();
  return ctx->pending;
}

/* Hands the thread's bundle over once it is full. */
static void
hand_over_if_full (NtpacStoreSink *self,
                   ThreadContext  *ctx)
{
  if (ntpac_store_bundle_get_size (ctx->pending) >= BUNDLE_BYTES)
    hand_over (self, ctx);
}

/* Adds a record to the thread's bundle. */
static void
put_record (NtpacStoreSink *self,
            ThreadContext  *ctx,
            gint            cf,
            gconstpointer   key,
            gsize           key_len,
            GVariant       *record)
{
  ntpac_store_bundle_put_record (pending_bundle (ctx), cf, key, key_len, record);
  hand_over_if_full (self, ctx);
}

/* Compresses @data and appends it to the thread's payload file; on
 * failure the store is marked failed (what came before is whole). */
static gboolean
write_payload (NtpacStoreSink   *self,
               ThreadContext    *ctx,
               const guint8     *data,
               gsize             len,
               NtpacObjectChunk *chunk)
{
  g_autoptr(GError) error = NULL;
  const guint8 *stored = data;
  gsize stored_len = len;
  gsize compressed = 0;

  chunk->codec = NTPAC_STORE_CODEC_NONE;
  chunk->file = 0;
  chunk->offset = 0;
  if (self->compress)
    compressed = ntpac_payload_compress (data, len, ctx->compressed, &chunk->codec);
  if (compressed > 0)
    {
      stored = ctx->compressed->data;
      stored_len = compressed;
    }
  /* The payload is in the file before its record is even queued. */
  if (ctx->log == NULL)
    ctx->log = ntpac_payload_log_open (self->payload_files, &error);
  if (ctx->log == NULL ||
      !ntpac_payload_log_write (ctx->log, stored, stored_len, &chunk->file, &chunk->offset, &error))
    {
      /* What this thread gathered so far goes first: it is whole. */
      hand_over (self, ctx);
      ntpac_store_writer_fail (self->writer, g_steal_pointer (&error));
      return FALSE;
    }
  chunk->stored_len = (guint32) stored_len;
  chunk->len = (guint32) len;
  count (&self->stats.payload_bytes, len);
  count (&self->stats.stored_payload_bytes, chunk->stored_len);
  return TRUE;
}

static void
sink_pdu (gpointer                 data,
          const NtpacConversation *conversation,
          const NtpacPdu          *pdu)
{
  NtpacStoreSink *self = data;
  guint8 key[20];
  g_autofree GapElement *gaps = NULL;
  g_autofree SegmentElement *segments = NULL;
  gsize len;
  const guint8 *bytes = ntpac_buffer_get_data (pdu->payload, &len);
  ThreadContext *ctx = thread_context (self);
  NtpacObjectChunk chunk;
  NtpacVariantWriter *w;

  sub_key (key, &conversation->id, pdu->index);
  gaps = g_new0 (GapElement, MAX (pdu->gaps->len, 1u));
  for (guint i = 0; i < pdu->gaps->len; i++)
    {
      const NtpacPduGap *g = &g_array_index (pdu->gaps, NtpacPduGap, i);

      gaps[i].offset = g->offset;
      gaps[i].length = g->length;
    }
  segments = g_new0 (SegmentElement, MAX (pdu->segments->len, 1u));
  for (guint i = 0; i < pdu->segments->len; i++)
    {
      const NtpacPduSegment *g = &g_array_index (pdu->segments, NtpacPduSegment, i);

      segments[i].input = g->frame.input;
      segments[i].number = g->frame.number;
      segments[i].offset = g->offset;
      segments[i].length = g->length;
    }
  if (!write_payload (self, ctx, bytes, len, &chunk))
    return;
  /* NTPAC_STORE_PDU_META_TYPE, then NTPAC_STORE_PDU_BLOB_TYPE, written
   * without building a GVariant: this runs for every PDU */
  w = ctx->writer;
  ntpac_variant_writer_begin (w, ntpac_store_bundle_begin (pending_bundle (ctx), self->cf_pdus, key, sizeof key),
                              "(" NTPAC_STORE_PDU_META_TYPE NTPAC_STORE_PDU_BLOB_TYPE ")");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, (guint8) (pdu->direction | (pdu->duplicate ? NTPAC_STORE_PDU_DUPLICATE : 0)));
  ntpac_variant_writer_add_int64 (w, pdu->first_ts_ns);
  ntpac_variant_writer_add_int64 (w, pdu->last_ts_ns);
  ntpac_variant_writer_add_uint64 (w, pdu->missing_bytes);
  ntpac_variant_writer_add_fixed_array (w, gaps, pdu->gaps->len, sizeof *gaps);
  ntpac_variant_writer_add_fixed_array (w, segments, pdu->segments->len, sizeof *segments);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_uint32 (w, chunk.file);
  ntpac_variant_writer_add_uint64 (w, chunk.offset);
  ntpac_variant_writer_add_uint32 (w, chunk.stored_len);
  ntpac_variant_writer_add_uint32 (w, chunk.len);
  ntpac_variant_writer_add_byte (w, chunk.codec);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_end (w);
  ntpac_store_bundle_end (ctx->pending);
  hand_over_if_full (self, ctx);
  count (&self->stats.pdus, 1);
}

static void
sink_frames (gpointer                 data,
             const NtpacConversation *conversation,
             const NtpacFrameRef     *frames,
             guint                    n_frames)
{
  NtpacStoreSink *self = data;
  ThreadContext *ctx = thread_context (self);
  guint8 key[20];
  g_autofree FrameElement *elements = g_new0 (FrameElement, MAX (n_frames, 1u));

  /* Chunks are numbered by their first frame's place in the conversation. */
  sub_key (key, &conversation->id, (guint32) (ntpac_conversation_get_n_frames (conversation) - n_frames));
  for (guint i = 0; i < n_frames; i++)
    {
      elements[i].input = frames[i].input;
      elements[i].number = frames[i].number;
      elements[i].offset = frames[i].offset;
    }
  ntpac_variant_writer_begin (ctx->writer,
                              ntpac_store_bundle_begin (pending_bundle (ctx), self->cf_frames, key, sizeof key),
                              NTPAC_STORE_FRAMES_TYPE);
  ntpac_variant_writer_add_fixed_array (ctx->writer, elements, n_frames, sizeof *elements);
  ntpac_variant_writer_end (ctx->writer);
  ntpac_store_bundle_end (ctx->pending);
  hand_over_if_full (self, ctx);
  count (&self->stats.frames, n_frames);
}

/* Index key helpers, shared with the dissectors' records. */
void
ntpac_store_index_ip (NtpacStore         *store,
                      GByteArray         *key,
                      const NtpacAddress *address,
                      gint64              ts_ns,
                      gint                cf,
                      gconstpointer       record_key,
                      gsize               record_key_len)
{
  guint8 ts[8];
  guint8 cf_byte = (guint8) cf;

  g_byte_array_set_size (key, 0);
  g_byte_array_append (key, &address->family, 1);
  g_byte_array_append (key, address->bytes, 16);
  ntpac_store_put_u64 (ts, ntpac_store_ts_key (ts_ns));
  g_byte_array_append (key, ts, 8);
  g_byte_array_append (key, &cf_byte, 1);
  g_byte_array_append (key, record_key, record_key_len);
  (void) store;
}

void
ntpac_store_index_time (GByteArray    *key,
                        gint64         ts_ns,
                        gint           cf,
                        gconstpointer  record_key,
                        gsize          record_key_len)
{
  guint8 ts[8];
  guint8 cf_byte = (guint8) cf;

  g_byte_array_set_size (key, 0);
  ntpac_store_put_u64 (ts, ntpac_store_ts_key (ts_ns));
  g_byte_array_append (key, ts, 8);
  g_byte_array_append (key, &cf_byte, 1);
  g_byte_array_append (key, record_key, record_key_len);
}

/* FNV-1a 64 of the lower-case name (documented in ntpac-store-keys.h). */
guint64
ntpac_store_name_hash (const gchar *name)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (const gchar *p = name; *p != '\0'; p++)
    h = (h ^ (guint8) g_ascii_tolower (*p)) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

void
ntpac_store_index_name (GByteArray    *key,
                        const gchar   *name,
                        gint64         ts_ns,
                        gint           cf,
                        gconstpointer  record_key,
                        gsize          record_key_len)
{
  guint8 h[8], ts[8];
  guint8 cf_byte = (guint8) cf;

  g_byte_array_set_size (key, 0);
  ntpac_store_put_u64 (h, ntpac_store_name_hash (name));
  g_byte_array_append (key, h, 8);
  ntpac_store_put_u64 (ts, ntpac_store_ts_key (ts_ns));
  g_byte_array_append (key, ts, 8);
  g_byte_array_append (key, &cf_byte, 1);
  g_byte_array_append (key, record_key, record_key_len);
}

static void
sink_end (gpointer                 data,
          const NtpacConversation *conversation)
{
  NtpacStoreSink *self = data;
  NtpacStore *store = ntpac_store_writer_get_store (self->writer);
  ThreadContext *ctx = thread_context (self);
  g_autoptr(GByteArray) key = g_byte_array_new ();
  const guint8 *id = conversation->id.bytes;

  /* Index entries first, the conversation (what makes it visible) last. */
  ntpac_store_index_ip (store, key, &conversation->tuple.src, conversation->first_ts_ns,
                        self->cf_conversations, id, 16);
  ntpac_store_bundle_put (pending_bundle (ctx), self->cf_index_ip, key->data, key->len, NULL, 0);
  ntpac_store_index_ip (store, key, &conversation->tuple.dst, conversation->first_ts_ns,
                        self->cf_conversations, id, 16);
  ntpac_store_bundle_put (pending_bundle (ctx), self->cf_index_ip, key->data, key->len, NULL, 0);
  ntpac_store_index_time (key, conversation->first_ts_ns, self->cf_conversations, id, 16);
  ntpac_store_bundle_put (pending_bundle (ctx), self->cf_index_time, key->data, key->len, NULL, 0);
  ntpac_record_add_conversation (ctx->record, conversation);
  ntpac_store_bundle_put_built (pending_bundle (ctx), self->cf_conversations, id, 16, ctx->record);
  hand_over_if_full (self, ctx);
  count (&self->stats.conversations, 1);
  /* Finished conversations do not wait long to become visible. */
  if (g_get_monotonic_time () - ctx->pending_since_us >= BUNDLE_AGE_US)
    hand_over (self, ctx);
}

static const NtpacConversationSinkFuncs store_sink_funcs = {
  sink_pdu,
  sink_frames,
  sink_end,
};

const NtpacConversationSinkFuncs *
ntpac_store_sink_funcs (void)
{
  return &store_sink_funcs;
}

/**
 * ntpac_store_sink_add_outputs:
 * @self: a sink
 * @outputs: (array zero-terminated=1): dissector outputs
 * @error: return location for a #GError
 *
 * Makes a column family for each output (before any record flows).
 */
gboolean
ntpac_store_sink_add_outputs (NtpacStoreSink       *self,
                              const gchar * const  *outputs,
                              GError              **error)
{
  NtpacStore *store = ntpac_store_writer_get_store (self->writer);

  for (guint i = 0; outputs[i] != NULL; i++)
    {
      if (!ntpac_store_ensure_cf (store, outputs[i], error))
        return FALSE;
      g_hash_table_replace (self->output_cfs, g_strdup (outputs[i]),
                            GINT_TO_POINTER (ntpac_store_cf_id (store, outputs[i]) + 1));
    }
  return TRUE;
}

/* A dissector's record: in the thread's bundle, with index entries by
 * time and, when it has one, by name; before the conversation's own
 * record, which comes at its end. */
static void
sink_record (gpointer                 data,
             const NtpacConversation *conversation,
             const gchar             *output,
             const guint8            *key,
             gsize                    key_len,
             NtpacRecordBuilder      *record,
             const gchar             *name,
             gint64                   ts_ns)
{
  NtpacStoreSink *self = data;
  ThreadContext *ctx = thread_context (self);
  gint cf = GPOINTER_TO_INT (g_hash_table_lookup (self->output_cfs, output)) - 1;
  g_autoptr(GByteArray) index_key = g_byte_array_new ();

  if (cf < 0)
    {
      g_critical ("a dissector emits to the undeclared output “%s”", output);
      ntpac_record_builder_reset (record);
      return;
    }
  ntpac_store_index_time (index_key, ts_ns, cf, key, key_len);
  ntpac_store_bundle_put (pending_bundle (ctx), self->cf_index_time, index_key->data, index_key->len, NULL, 0);
  if (name != NULL && *name != '\0')
    {
      /* the name as an "s" value (made valid UTF-8): query --host reads it */
      ntpac_store_index_name (index_key, name, ts_ns, cf, key, key_len);
      ntpac_variant_writer_begin (ctx->writer,
                                  ntpac_store_bundle_begin (pending_bundle (ctx), self->cf_index_name,
                                                            index_key->data, index_key->len),
                                  "s");
      ntpac_variant_writer_add_string (ctx->writer, name, -1);
      ntpac_variant_writer_end (ctx->writer);
      ntpac_store_bundle_end (ctx->pending);
    }
  ntpac_store_bundle_put_built (pending_bundle (ctx), cf, key, key_len, record);
  hand_over_if_full (self, ctx);
  count (&self->stats.records, 1);
}

static void
sink_dissector_anomaly (gpointer                 data,
                        const NtpacConversation *conversation,
                        const gchar             *id,
                        NtpacSeverity            severity,
                        const gchar             *description,
                        const NtpacFrameRef     *frame,
                        gint64                   ts_ns)
{
  NtpacStoreSink *self = data;
  ThreadContext *ctx = thread_context (self);
  g_autofree gchar *hex = ntpac_conversation_id_to_hex (&conversation->id);
  guint8 key[24];
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "kind", g_variant_new_string (id));
  g_variant_builder_add (&b, "{sv}", "severity", g_variant_new_string (ntpac_severity_to_string (severity)));
  g_variant_builder_add (&b, "{sv}", "input", g_variant_new_uint32 (frame->input));
  g_variant_builder_add (&b, "{sv}", "frame", g_variant_new_uint64 (frame->number));
  g_variant_builder_add (&b, "{sv}", "offset", g_variant_new_uint64 (frame->offset));
  g_variant_builder_add (&b, "{sv}", "ts", g_variant_new_int64 (ts_ns));
  g_variant_builder_add (&b, "{sv}", "conversation", g_variant_new_string (hex));
  /* the conversation's endpoints, so that --ip and --port find it */
  g_variant_builder_add (&b, "{sv}", "transport",
                         g_variant_new_string (conversation->transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp"));
  g_variant_builder_add (&b, "{sv}", "src", g_variant_new_take_string (ntpac_address_to_string (&conversation->tuple.src)));
  g_variant_builder_add (&b, "{sv}", "sport", g_variant_new_uint16 (conversation->tuple.sport));
  g_variant_builder_add (&b, "{sv}", "dst", g_variant_new_take_string (ntpac_address_to_string (&conversation->tuple.dst)));
  g_variant_builder_add (&b, "{sv}", "dport", g_variant_new_uint16 (conversation->tuple.dport));
  if (description != NULL)
    g_variant_builder_add (&b, "{sv}", "description", g_variant_new_string (description));
  ntpac_store_put_u64 (key, ntpac_store_ts_key (ts_ns));
  ntpac_store_put_u32 (key + 8, frame->input);
  ntpac_store_put_u64 (key + 12, frame->number);
  ntpac_store_put_u32 (key + 20, g_atomic_int_add (&self->anomaly_sequence, 1));
  put_record (self, ctx, self->cf_anomalies, key, sizeof key, g_variant_builder_end (&b));
  count (&self->stats.anomalies, 1);
}

/* A piece of a large object: into the thread's payload file. */
static gboolean
sink_object_chunk (gpointer          data,
                   gconstpointer     bytes,
                   gsize             len,
                   NtpacObjectChunk *chunk)
{
  NtpacStoreSink *self = data;

  return write_payload (self, thread_context (self), bytes, len, chunk);
}

/* A whole object: where its content is, kept under its SHA-256 once per
 * run (a later run writing the same key writes the same content). Stream
 * chunks point into the conversation's PDUs, which are written before the
 * dissectors see them. */
static void
sink_object_done (gpointer                 data,
                  const NtpacConversation *conversation,
                  const guint8            *sha256,
                  const NtpacObjectChunk  *chunks,
                  guint                    n_chunks,
                  gconstpointer            tail,
                  gsize                    tail_len)
{
  NtpacStoreSink *self = data;
  ThreadContext *ctx = thread_context (self);
  GBytes *digest = g_bytes_new (sha256, 32);
  g_autoptr(GArray) all = NULL;
  GVariantBuilder b;
  guint64 size = 0;
  gboolean kept;

  g_mutex_lock (&self->objects_lock);
  kept = !g_hash_table_add (self->objects_kept, digest);
  g_mutex_unlock (&self->objects_lock);
  if (kept)
    return;
  all = g_array_new (FALSE, FALSE, sizeof (NtpacObjectChunk));
  g_array_append_vals (all, chunks, n_chunks);
  if (tail_len > 0)
    {
      NtpacObjectChunk last;

      if (!write_payload (self, ctx, tail, tail_len, &last))
        return;
      last.kind = NTPAC_OBJECT_CHUNK_STORED;
      g_array_append_val (all, last);
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(yutuuy)"));
  for (guint i = 0; i < all->len; i++)
    {
      const NtpacObjectChunk *c = &g_array_index (all, NtpacObjectChunk, i);

      g_variant_builder_add (&b, "(yutuuy)", c->kind, c->file, c->offset, c->stored_len, c->len, c->codec);
      size += c->len;
    }
  put_record (self, ctx, self->cf_objects_data, sha256, 32,
              g_variant_new ("(t@aya(yutuuy))", size,
                             g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, conversation->id.bytes, 16, 1),
                             &b));
}

static const NtpacDissectSinkFuncs store_dissect_funcs = {
  sink_record,
  sink_dissector_anomaly,
  sink_object_chunk,
  sink_object_done,
};

const NtpacDissectSinkFuncs *
ntpac_store_sink_dissect_funcs (void)
{
  return &store_dissect_funcs;
}

/* An NtpacAnomalyFunc: from the reading thread and from workers. */
void
ntpac_store_sink_anomaly (const NtpacAnomaly *anomaly,
                          gpointer            sink)
{
  NtpacStoreSink *self = sink;
  guint8 key[24];

  ntpac_store_put_u64 (key, ntpac_store_ts_key (anomaly->ts_ns));
  ntpac_store_put_u32 (key + 8, anomaly->frame.input);
  ntpac_store_put_u64 (key + 12, anomaly->frame.number);
  ntpac_store_put_u32 (key + 20, g_atomic_int_add (&self->anomaly_sequence, 1));
  ntpac_store_writer_put (self->writer, self->cf_anomalies, key, sizeof key, ntpac_record_from_anomaly (anomaly));
  count (&self->stats.anomalies, 1);
}

gboolean
ntpac_store_sink_put_input (NtpacStoreSink    *self,
                            const NtpacInput  *input,
                            GError           **error)
{
  NtpacStore *store = ntpac_store_writer_get_store (self->writer);
  g_autoptr(NtpacStoreBatch) batch = ntpac_store_batch_new (store);
  g_autoptr(GBytes) value = ntpac_record_encode (ntpac_record_from_input (input));
  guint8 key[4];

  /* Written at once, not queued: an input is described before any of
   * its conversations can be flushed, and again when it has been read. */
  ntpac_store_put_u32 (key, input->id);
  ntpac_store_batch_put (batch, self->cf_inputs, key, sizeof key,
                         g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  return ntpac_store_batch_commit (batch, error);
}

gboolean
ntpac_store_sink_has_failed (NtpacStoreSink *self)
{
  return ntpac_store_writer_has_failed (self->writer);
}

void
ntpac_store_sink_get_stats (NtpacStoreSink      *self,
                            NtpacStoreSinkStats *stats)
{
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  *stats = self->stats;
}

/* Writes what the threads gathered and what is queued, and frees the
 * sink. The threads that wrote through it must have stopped. */
gboolean
ntpac_store_sink_finish (NtpacStoreSink  *self,
                         GError         **error)
{
  GHashTableIter it;
  gpointer ctx;
  gboolean ok;

  g_hash_table_iter_init (&it, self->contexts);
  while (g_hash_table_iter_next (&it, NULL, &ctx))
    hand_over (self, ctx);
  ok = ntpac_store_writer_finish (self->writer, error);
  g_hash_table_unref (self->output_cfs);
  g_hash_table_unref (self->objects_kept);
  g_mutex_clear (&self->objects_lock);
  g_hash_table_unref (self->contexts);
  g_mutex_clear (&self->contexts_lock);
  ntpac_payload_files_free (self->payload_files);
  g_free (self);
  return ok;
}
