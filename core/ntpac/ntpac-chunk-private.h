/* ntpac-chunk-private.h: recycled read buffers shared by the reader and
 * the hashing thread
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NtpacChunkPool NtpacChunkPool;

/* A block of bytes read from an input. @hash_from marks the first byte not
 * yet hashed: bytes before it were carried over from the previous chunk
 * and hashed with it. */
typedef struct
{
  gatomicrefcount  refs;
  NtpacChunkPool  *pool;
  guint8          *data;
  gsize            capacity;
  gsize            len;
  gsize            hash_from;
  guint64          file_offset;
} NtpacChunk;

NtpacChunkPool *ntpac_chunk_pool_new     (gsize           chunk_size,
                                          guint           max_chunks);
void            ntpac_chunk_pool_free    (NtpacChunkPool *pool);
gsize           ntpac_chunk_pool_get_chunk_size (NtpacChunkPool *pool);
NtpacChunk     *ntpac_chunk_pool_acquire (NtpacChunkPool *pool,
                                          gsize           min_capacity);
NtpacChunk     *ntpac_chunk_ref          (NtpacChunk     *chunk);
void            ntpac_chunk_unref        (NtpacChunk     *chunk);

G_END_DECLS
