/* ntpac-object.c: files carried in conversations, hashed and kept
 *
 * A dissector writes an object's decoded bytes as they come; they are
 * hashed (SHA-256, OpenSSL) on the way. Bytes that are the conversation's
 * own, read in place (a body sent as is), are not copied at all: the
 * object points at their place in the stream, which the store keeps
 * anyway. Decoded bytes (gzip, chunks of another coding) are held while
 * the object is small, so that a body seen a thousand times is kept once,
 * and handed to the sink in chunks as they grow, so that no object is
 * ever held whole in memory.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <openssl/evp.h>

#include "ntpac-dissect-stage-private.h"

/* Bytes held before they are handed to the sink as a chunk. */
#define OBJECT_CHUNK_BYTES (1024u * 1024)

struct _NtpacObject
{
  const NtpacDissectSinkFuncs *sink;
  gpointer                     sink_data;
  gpointer                     state;     /* the conversation's, to place stream bytes */
  gchar                       *source;
  EVP_MD_CTX                  *sha256;
  GByteArray                  *held;      /* not handed over yet */
  GArray                      *chunks;    /* NtpacObjectChunk handed over */
  guint64                      size;
  guint64                      missing;
  gboolean                     failed;    /* the sink could not keep a chunk */
};

/**
 * ntpac_dissect_context_object_new:
 * @ctx: the context of the current call
 * @source: what carried it ("http")
 *
 * Starts an object. Finish it with ntpac_dissect_context_object_finish(),
 * or drop it with ntpac_object_free().
 *
 * Returns: (transfer full): a new object
 * Since: 0.1
 */
NtpacObject *
ntpac_dissect_context_object_new (NtpacDissectContext *ctx,
                                  const gchar         *source)
{
  NtpacObject *self = g_new0 (NtpacObject, 1);

  self->sink = ntpac_dissect_context_get_sink (ctx, &self->sink_data);
  self->state = ntpac_dissect_context_get_state (ctx);
  self->source = g_strdup (source);
  self->sha256 = EVP_MD_CTX_new ();
  EVP_DigestInit_ex (self->sha256, EVP_sha256 (), NULL);
  self->held = g_byte_array_new ();
  self->chunks = g_array_new (FALSE, FALSE, sizeof (NtpacObjectChunk));
  return self;
}

void
ntpac_object_free (NtpacObject *self)
{
  if (self == NULL)
    return;
  EVP_MD_CTX_free (self->sha256);
  g_byte_array_unref (self->held);
  g_array_unref (self->chunks);
  g_free (self->source);
  g_free (self);
}

static gboolean
keeps_content (NtpacObject *self)
{
  return self->sink != NULL && self->sink->object_done != NULL && !self->failed;
}

/* Hands the held bytes to the sink as one chunk. */
static void
hand_over (NtpacObject *self)
{
  NtpacObjectChunk chunk = { 0 };

  if (self->held->len == 0)
    return;
  if (keeps_content (self) && self->sink->object_chunk != NULL &&
      self->sink->object_chunk (self->sink_data, self->held->data, self->held->len, &chunk))
    {
      chunk.kind = NTPAC_OBJECT_CHUNK_STORED;
      g_array_append_val (self->chunks, chunk);
    }
  else
    self->failed = TRUE;
  g_byte_array_set_size (self->held, 0);
}

/* Bytes of the conversation itself: a stream chunk (joined to the last
 * one when they follow each other). */
static void
add_stream_chunk (NtpacObject *self,
                  guint8       direction,
                  guint64      offset,
                  gsize        len)
{
  NtpacObjectChunk *last = self->chunks->len > 0 ?
    &g_array_index (self->chunks, NtpacObjectChunk, self->chunks->len - 1) : NULL;
  NtpacObjectChunk chunk = { NTPAC_OBJECT_CHUNK_STREAM, direction, offset, 0, (guint32) len, 0 };

  hand_over (self);   /* decoded bytes before these come first */
  if (last != NULL && last->kind == NTPAC_OBJECT_CHUNK_STREAM && last->file == direction &&
      last->offset + last->len == offset && (guint64) last->len + len <= G_MAXUINT32)
    last->len += (guint32) len;
  else
    g_array_append_val (self->chunks, chunk);
}

/**
 * ntpac_object_write:
 * @self: an object
 * @data: (array length=len): the next bytes of its content
 * @len: how many
 *
 * Appends to the object's content.
 * Since: 0.1
 */
void
ntpac_object_write (NtpacObject   *self,
                    gconstpointer  data,
                    gsize          len)
{
  const guint8 *bytes = data;

  guint8 direction;
  guint64 offset;

  EVP_DigestUpdate (self->sha256, data, len);
  self->size += len;
  if (!keeps_content (self) || len == 0)
    return;
  if (len <= G_MAXUINT32 && ntpac_dissect_state_locate (self->state, data, len, &direction, &offset))
    {
      add_stream_chunk (self, direction, offset, len);
      return;
    }
  while (len > 0)
    {
      gsize n = MIN (len, OBJECT_CHUNK_BYTES - self->held->len);

      g_byte_array_append (self->held, bytes, n);
      bytes += n;
      len -= n;
      if (self->held->len == OBJECT_CHUNK_BYTES)
        hand_over (self);
    }
}

/**
 * ntpac_object_add_missing:
 * @self: an object
 * @missing: bytes of content that were lost here
 *
 * Notes a hole in the content: the bytes around it are kept, but the
 * object is incomplete.
 * Since: 0.1
 */
void
ntpac_object_add_missing (NtpacObject *self,
                          guint64      missing)
{
  self->missing += missing;
}

guint64
ntpac_object_get_size (NtpacObject *self)
{
  return self->size;
}

guint64
ntpac_object_get_missing (NtpacObject *self)
{
  return self->missing;
}

/**
 * ntpac_dissect_context_object_finish:
 * @ctx: the context of the current call
 * @self: (transfer full): the object, freed here
 * @content_type: (nullable): its media type, as declared
 * @complete: whether every byte of it was seen (and decoded)
 * @frames: (nullable): the frames that carried it
 *
 * Keeps the object's content (once per distinct SHA-256) and emits its
 * `objects` record: `sha256`, `size`, `content_type`, `source`,
 * `complete`, `missing_bytes`. The dissector must declare the output
 * `objects`.
 *
 * Returns: (transfer full): the SHA-256 of the content, lower-case hex
 * Since: 0.1
 */
gchar *
ntpac_dissect_context_object_finish (NtpacDissectContext *ctx,
                                     NtpacObject         *self,
                                     const gchar         *content_type,
                                     gboolean             complete,
                                     const NtpacFrameSet *frames)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  guint digest_len = 0;
  gchar *hex;
  NtpacRecordBuilder *b;

  EVP_DigestFinal_ex (self->sha256, digest, &digest_len);
  g_assert (digest_len == 32);
  hex = g_new (gchar, 65);
  for (guint i = 0; i < 32; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  if (keeps_content (self))
    self->sink->object_done (self->sink_data, ntpac_dissect_context_get_conversation (ctx), digest,
                             (const NtpacObjectChunk *) (gpointer) self->chunks->data, self->chunks->len,
                             self->held->data, self->held->len);

  b = ntpac_dissect_context_begin_record (ctx);
  ntpac_record_builder_add_string (b, "sha256", hex, 64);
  ntpac_record_builder_add_uint64 (b, "size", self->size);
  if (content_type != NULL)
    ntpac_record_builder_add_string (b, "content_type", content_type, -1);
  ntpac_record_builder_add_string (b, "source", self->source, -1);
  ntpac_record_builder_add_boolean (b, "complete", complete && self->missing == 0);
  ntpac_record_builder_add_uint64 (b, "missing_bytes", self->missing);
  ntpac_record_builder_add_boolean (b, "stored", keeps_content (self));
  ntpac_dissect_context_emit_record (ctx, "objects", b, frames, NULL);
  ntpac_object_free (self);
  return hex;
}
