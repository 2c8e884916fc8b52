/* ntpac-batch.h: packets travelling together from the reader to a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-flow-hash.h"
#include "ntpac-frame.h"

G_BEGIN_DECLS

#define NTPAC_BATCH_MAX_PACKETS 1024
#define NTPAC_BATCH_ARENA_SIZE  (1024 * 1024)

/**
 * NtpacPacketFlags:
 * @NTPAC_PACKET_DESC_FROM_LO: the packet goes from the key's lower
 *   endpoint to its higher one
 * @NTPAC_PACKET_DESC_HELD: the payload is in the batch's held bytes (at
 *   @held_offset), not copied into its arena yet
 */
typedef enum
{
  NTPAC_PACKET_DESC_FROM_LO = 1 << 0,
  NTPAC_PACKET_DESC_HELD    = 1 << 1,
} NtpacPacketDescFlags;

/**
 * NtpacPacketDesc:
 * @key: canonical 5-tuple
 * @hash: ntpac_flow_hash() of @key
 * @ts_ns: timestamp
 * @frame: the frame (for a reassembled IP datagram: the last fragment)
 * @transport: %NTPAC_TRANSPORT_TCP or %NTPAC_TRANSPORT_UDP
 * @tcp_flags: TCP flags
 * @flags: #NtpacPacketDescFlags
 * @window: TCP window
 * @seq: TCP sequence number
 * @ack: TCP acknowledgement number
 * @payload_offset: where the payload is (or, held, would be) in the
 *   batch's arena
 * @held_offset: where the payload is in the batch's held bytes
 *   (%NTPAC_PACKET_DESC_HELD)
 * @payload_len: payload bytes held
 * @payload_cut: payload bytes sent but not captured (snap length)
 * @extra_frames: index of the other fragments' frames in the batch's
 *   frame list
 * @n_extra_frames: how many (0 unless reassembled from fragments)
 *
 * What a worker needs of one packet: no pointers, so a batch can be sent
 * as bytes to another process (after ntpac_batch_detach()).
 */
typedef struct
{
  NtpacFlowKey   key;
  guint64        hash;
  gint64         ts_ns;
  NtpacFrameRef  frame;
  guint8         transport;
  guint8         tcp_flags;
  guint16        flags;
  guint16        window;
  guint16        n_extra_frames;
  guint32        seq;
  guint32        ack;
  guint32        payload_offset;
  guint32        held_offset;
  guint32        payload_len;
  guint32        payload_cut;
  guint32        extra_frames;
} NtpacPacketDesc;

/**
 * NtpacBatch:
 * @target: the worker it goes to
 * @n_packets: packets in @packets
 * @now_ns: the reader's clock when the batch left: the latest timestamp
 *   read so far (lets an idle worker expire conversations)
 * @last: the final batch of the capture: everything may be closed
 * @packets: the packets
 * @arena: their payload bytes
 * @arena_len: bytes used (or, for held payloads, reserved) in @arena
 * @held: (nullable): bytes the batch points into instead of copying them
 *   (the reader's buffer the packets were read from), kept alive until
 *   the batch is released
 * @extra_frames: (element-type NtpacFrameRef): frames of fragments
 *
 * Batches are recycled through a bounded pool per worker, which makes a
 * fast reader wait for slow workers rather than use more memory.
 */
typedef struct
{
  guint            target;
  guint            n_packets;
  gint64           now_ns;
  gboolean         last;
  NtpacPacketDesc  packets[NTPAC_BATCH_MAX_PACKETS];
  guint8          *arena;
  gsize            arena_len;
  const guint8    *held;
  GArray          *extra_frames;
  /* private */
  gpointer         pool;
  gpointer         held_owner;
  GDestroyNotify   held_release;
} NtpacBatch;

typedef struct _NtpacBatchPool NtpacBatchPool;

NtpacBatchPool *ntpac_batch_pool_new     (guint            target,
                                          guint            n_batches);
void            ntpac_batch_pool_free    (NtpacBatchPool  *pool);
NtpacBatch     *ntpac_batch_pool_acquire (NtpacBatchPool  *pool);
void            ntpac_batch_release      (NtpacBatch      *batch);
gboolean        ntpac_batch_has_room     (const NtpacBatch *batch,
                                          gsize            payload_len);
void            ntpac_batch_hold         (NtpacBatch      *batch,
                                          const guint8    *bytes,
                                          gpointer         owner,
                                          GDestroyNotify   release);
void            ntpac_batch_detach       (NtpacBatch      *batch);

static inline const guint8 *
ntpac_batch_payload (const NtpacBatch      *batch,
                     const NtpacPacketDesc *packet)
{
  if (packet->flags & NTPAC_PACKET_DESC_HELD)
    return batch->held + packet->held_offset;
  return batch->arena + packet->payload_offset;
}

G_END_DECLS
