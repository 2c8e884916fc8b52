/* ntpac-batch.c: packets travelling together from the reader to a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-batch.h"

struct _NtpacBatchPool
{
  guint        target;
  guint        n_batches;
  GAsyncQueue *free_batches;
};

static NtpacBatch *
batch_new (NtpacBatchPool *pool)
{
  NtpacBatch *batch = g_new0 (NtpacBatch, 1);

  batch->target = pool->target;
  batch->arena = g_malloc (NTPAC_BATCH_ARENA_SIZE);
  batch->extra_frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
  batch->pool = pool;
  return batch;
}

static void
batch_free (NtpacBatch *batch)
{
  g_free (batch->arena);
  g_array_unref (batch->extra_frames);
  g_free (batch);
}

/**
 * ntpac_batch_pool_new:
 * @target: the worker the pool's batches go to
 * @n_batches: batches in flight at most
 *
 * Returns: (transfer full): a pool
 * Since: 0.1
 */
NtpacBatchPool *
ntpac_batch_pool_new (guint target,
                      guint n_batches)
{
  NtpacBatchPool *pool = g_new0 (NtpacBatchPool, 1);

  pool->target = target;
  pool->n_batches = MAX (n_batches, 1);
  pool->free_batches = g_async_queue_new ();
  for (guint i = 0; i < pool->n_batches; i++)
    g_async_queue_push (pool->free_batches, batch_new (pool));
  return pool;
}

/* Every batch must be back in the pool. */
void
ntpac_batch_pool_free (NtpacBatchPool *pool)
{
  if (pool == NULL)
    return;
  for (guint i = 0; i < pool->n_batches; i++)
    batch_free (g_async_queue_pop (pool->free_batches));
  g_async_queue_unref (pool->free_batches);
  g_free (pool);
}

/**
 * ntpac_batch_pool_acquire:
 * @pool: a pool
 *
 * Waits until a batch is free (back-pressure), and empties it.
 *
 * Returns: (transfer full): the batch; give it back with
 *   ntpac_batch_release()
 * Since: 0.1
 */
NtpacBatch *
ntpac_batch_pool_acquire (NtpacBatchPool *pool)
{
  NtpacBatch *batch = g_async_queue_pop (pool->free_batches);

  batch->n_packets = 0;
  batch->arena_len = 0;
  batch->now_ns = 0;
  batch->last = FALSE;
  g_array_set_size (batch->extra_frames, 0);
  return batch;
}

/* From any thread. */
void
ntpac_batch_release (NtpacBatch *batch)
{
  NtpacBatchPool *pool = batch->pool;

  g_async_queue_push (pool->free_batches, batch);
}

gboolean
ntpac_batch_has_room (const NtpacBatch *batch,
                      gsize             payload_len)
{
  return batch->n_packets < NTPAC_BATCH_MAX_PACKETS &&
         NTPAC_BATCH_ARENA_SIZE - batch->arena_len >= payload_len;
}
