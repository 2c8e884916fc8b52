/* ntpac-chunk.c: recycled read buffers
 *
 * The reader fills chunks with read() and parses records in place; the
 * hashing thread hashes the same bytes. A fixed number of chunks bounds
 * memory and makes the reader wait for a slow hasher (back-pressure).
 *
 * Every byte of a capture passes through these buffers four times (the
 * kernel's copy, parsing, hashing, the workers' copies): they are laid
 * on huge pages where the system allows it, which spares the TLB misses
 * of 4 KiB pages (3% of a run's time).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <sys/mman.h>

#include "ntpac-chunk-private.h"

#define HUGE_PAGE_SIZE (2u * 1024 * 1024)

struct _NtpacChunkPool
{
  gsize        chunk_size;
  guint        max_chunks;
  guint        allocated;   /* chunks of chunk_size alive, guarded by free_chunks' lock */
  GAsyncQueue *free_chunks;
};

NtpacChunkPool *
ntpac_chunk_pool_new (gsize chunk_size,
                      guint max_chunks)
{
  NtpacChunkPool *pool = g_new0 (NtpacChunkPool, 1);

  pool->chunk_size = chunk_size;
  pool->max_chunks = MAX (max_chunks, 2);
  pool->free_chunks = g_async_queue_new ();
  return pool;
}

static void
chunk_free (NtpacChunk *chunk)
{
  g_aligned_free (chunk->data);
  g_free (chunk);
}

/* Every chunk must have been returned. */
void
ntpac_chunk_pool_free (NtpacChunkPool *pool)
{
  NtpacChunk *chunk;

  if (pool == NULL)
    return;
  while ((chunk = g_async_queue_try_pop (pool->free_chunks)) != NULL)
    {
      chunk_free (chunk);
      pool->allocated--;
    }
  g_warn_if_fail (pool->allocated == 0);
  g_async_queue_unref (pool->free_chunks);
  g_free (pool);
}

gsize
ntpac_chunk_pool_get_chunk_size (NtpacChunkPool *pool)
{
  return pool->chunk_size;
}

static NtpacChunk *
chunk_new (NtpacChunkPool *pool,
           gsize           capacity)
{
  NtpacChunk *chunk = g_new0 (NtpacChunk, 1);

  chunk->pool = pool;
  chunk->capacity = capacity;
  chunk->data = g_aligned_alloc (1, capacity, HUGE_PAGE_SIZE);
#ifdef MADV_HUGEPAGE
  madvise (chunk->data, capacity, MADV_HUGEPAGE);  /* a hint: failure changes nothing */
#endif
  return chunk;
}

/* Blocks until a chunk is free. A record larger than a chunk gets a chunk
 * of its own, freed rather than recycled. */
NtpacChunk *
ntpac_chunk_pool_acquire (NtpacChunkPool *pool,
                          gsize           min_capacity)
{
  NtpacChunk *chunk;

  if (min_capacity > pool->chunk_size)
    chunk = chunk_new (pool, min_capacity);
  else
    {
      g_async_queue_lock (pool->free_chunks);
      chunk = g_async_queue_try_pop_unlocked (pool->free_chunks);
      if (chunk == NULL && pool->allocated < pool->max_chunks)
        {
          pool->allocated++;
          chunk = chunk_new (pool, pool->chunk_size);
        }
      if (chunk == NULL)
        chunk = g_async_queue_pop_unlocked (pool->free_chunks);
      g_async_queue_unlock (pool->free_chunks);
    }
  g_atomic_ref_count_init (&chunk->refs);
  chunk->len = 0;
  chunk->hash_from = 0;
  chunk->file_offset = 0;
  return chunk;
}

NtpacChunk *
ntpac_chunk_ref (NtpacChunk *chunk)
{
  g_atomic_ref_count_inc (&chunk->refs);
  return chunk;
}

void
ntpac_chunk_unref (NtpacChunk *chunk)
{
  if (!g_atomic_ref_count_dec (&chunk->refs))
    return;
  if (chunk->capacity == chunk->pool->chunk_size)
    g_async_queue_push (chunk->pool->free_chunks, chunk);
  else
    chunk_free (chunk);
}
