/* ntpac-batch.c: packets travelling together from the reader to a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

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
  batch->held = NULL;
  batch->now_ns = 0;
  batch->last = FALSE;
  g_array_set_size (batch->extra_frames, 0);
  return batch;
}

/* Lets go of the held bytes. */
static void
drop_held (NtpacBatch *batch)
{
  if (batch->held_release != NULL)
    batch->held_release (batch->held_owner);
  batch->held = NULL;
  batch->held_owner = NULL;
  batch->held_release = NULL;
}

/* From any thread. */
void
ntpac_batch_release (NtpacBatch *batch)
{
  NtpacBatchPool *pool = batch->pool;

  drop_held (batch);
  g_async_queue_push (pool->free_batches, batch);
}

gboolean
ntpac_batch_has_room (const NtpacBatch *batch,
                      gsize             payload_len)
{
  return batch->n_packets < NTPAC_BATCH_MAX_PACKETS &&
         NTPAC_BATCH_ARENA_SIZE - batch->arena_len >= payload_len;
}

/**
 * ntpac_batch_hold:
 * @batch: an empty batch, or one that holds nothing yet
 * @bytes: bytes packets of the batch will point into
 * @owner: what keeps @bytes alive
 * @release: (nullable): called with @owner once the batch is done with
 *   @bytes
 *
 * Lets the batch point at payloads in @bytes (marked
 * %NTPAC_PACKET_DESC_HELD) instead of copying them into its arena.
 * Since: 0.1
 */
void
ntpac_batch_hold (NtpacBatch     *batch,
                  const guint8   *bytes,
                  gpointer        owner,
                  GDestroyNotify  release)
{
  g_return_if_fail (batch->held == NULL);
  batch->held = bytes;
  batch->held_owner = owner;
  batch->held_release = release;
}

/**
 * ntpac_batch_detach:
 * @batch: a batch
 *
 * Copies the held payloads into the places reserved for them in the
 * arena and lets go of the held bytes: the batch then stands on its own,
 * as bytes. A transport that sends batches to another process calls it
 * first.
 * Since: 0.1
 */
void
ntpac_batch_detach (NtpacBatch *batch)
{
  for (guint i = 0; i < batch->n_packets; i++)
    {
      NtpacPacketDesc *d = &batch->packets[i];

      if (d->flags & NTPAC_PACKET_DESC_HELD)
        {
          memcpy (batch->arena + d->payload_offset, batch->held + d->held_offset, d->payload_len);
          d->flags &= ~NTPAC_PACKET_DESC_HELD;
        }
    }
  drop_held (batch);
}
