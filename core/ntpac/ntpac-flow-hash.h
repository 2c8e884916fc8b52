/* ntpac-flow-hash.h: the symmetric flow hash that places conversations
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-packet.h"

G_BEGIN_DECLS

/**
 * NTPAC_FLOW_HASH_VERSION:
 *
 * Version of ntpac_flow_hash(), stored with results: a flow's shard and
 * worker depend on it, so databases made with different versions must not
 * be mixed.
 *
 * Version 1. The canonical 5-tuple is laid out in 40 bytes:
 *
 *   byte 0      address family (4 or 6)
 *   byte 1      IP protocol
 *   bytes 2-3   port of the lower endpoint, big-endian
 *   bytes 4-5   port of the higher endpoint, big-endian
 *   bytes 6-7   zero
 *   bytes 8-23  address of the lower endpoint (IPv4 in the first 4 bytes,
 *               the rest zero)
 *   bytes 24-39 address of the higher endpoint
 *
 * where "lower" is the endpoint whose (address bytes, port) compares lower,
 * addresses compared as unsigned bytes, then ports as numbers. The hash is
 * FNV-1a over the five 64-bit little-endian words of that layout
 * (h = 0xcbf29ce484222325; for each word w: h = (h ^ w) * 0x100000001b3),
 * finished with MurmurHash3's fmix64 (h ^= h >> 33; h *= 0xff51afd7ed558ccd;
 * h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33). Both directions of
 * a flow get the same value. Node = h % nodes; worker = (h / nodes) %
 * workers.
 */
#define NTPAC_FLOW_HASH_VERSION 1

/**
 * NtpacFlowKey:
 * @family: 4 or 6
 * @proto: IP protocol
 * @port_lo: port of the lower endpoint
 * @port_hi: port of the higher endpoint
 * @addr_lo: address of the lower endpoint
 * @addr_hi: address of the higher endpoint
 *
 * A 5-tuple in canonical order (both directions give the same key), laid
 * out as the hash reads it.
 */
typedef struct
{
  guint8  family;
  guint8  proto;
  guint16 port_lo;
  guint16 port_hi;
  guint16 zero;
  guint8  addr_lo[16];
  guint8  addr_hi[16];
} NtpacFlowKey;

G_STATIC_ASSERT (sizeof (NtpacFlowKey) == 40);

gboolean ntpac_flow_key_from_tuple (NtpacFlowKey         *key,
                                    const NtpacFlowTuple *tuple);
guint64  ntpac_flow_hash           (const NtpacFlowKey   *key);
gboolean ntpac_flow_key_equal      (const NtpacFlowKey   *a,
                                    const NtpacFlowKey   *b);

/* Where a flow goes, as documented for %NTPAC_FLOW_HASH_VERSION. */
static inline guint
ntpac_flow_hash_node (guint64 hash,
                      guint   n_nodes)
{
  return (guint) (hash % MAX (n_nodes, 1u));
}

static inline guint
ntpac_flow_hash_worker (guint64 hash,
                        guint   n_nodes,
                        guint   n_workers)
{
  return (guint) ((hash / MAX (n_nodes, 1u)) % MAX (n_workers, 1u));
}

G_END_DECLS
