/* ntpac-flow-hash.c: the symmetric flow hash that places conversations
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-flow-hash.h"

/**
 * ntpac_flow_key_from_tuple:
 * @key: (out caller-allocates): the canonical key
 * @tuple: a packet's 5-tuple
 *
 * Returns: %TRUE if the source endpoint of @tuple is the lower one
 * Since: 0.1
 */
gboolean
ntpac_flow_key_from_tuple (NtpacFlowKey         *key,
                           const NtpacFlowTuple *tuple)
{
  gint cmp = memcmp (tuple->src.bytes, tuple->dst.bytes, 16);
  gboolean src_is_lo = cmp < 0 || (cmp == 0 && tuple->sport <= tuple->dport);

  key->family = tuple->src.family;
  key->proto = tuple->proto;
  key->zero = 0;
  if (src_is_lo)
    {
      key->port_lo = tuple->sport;
      key->port_hi = tuple->dport;
      memcpy (key->addr_lo, tuple->src.bytes, 16);
      memcpy (key->addr_hi, tuple->dst.bytes, 16);
    }
  else
    {
      key->port_lo = tuple->dport;
      key->port_hi = tuple->sport;
      memcpy (key->addr_lo, tuple->dst.bytes, 16);
      memcpy (key->addr_hi, tuple->src.bytes, 16);
    }
  return src_is_lo;
}

/**
 * ntpac_flow_hash:
 * @key: a canonical key
 *
 * Returns: the flow hash, version %NTPAC_FLOW_HASH_VERSION
 * Since: 0.1
 */
guint64
ntpac_flow_hash (const NtpacFlowKey *key)
{
  guint8 layout[40] = { 0 };
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  /* The documented layout, independent of this struct's memory order. */
  layout[0] = key->family;
  layout[1] = key->proto;
  layout[2] = key->port_lo >> 8;
  layout[3] = key->port_lo & 0xff;
  layout[4] = key->port_hi >> 8;
  layout[5] = key->port_hi & 0xff;
  memcpy (layout + 8, key->addr_lo, 16);
  memcpy (layout + 24, key->addr_hi, 16);
  for (guint i = 0; i < 40; i += 8)
    {
      guint64 w;

      memcpy (&w, layout + i, 8);
      h = (h ^ GUINT64_FROM_LE (w)) * G_GUINT64_CONSTANT (0x100000001b3);
    }
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

gboolean
ntpac_flow_key_equal (const NtpacFlowKey *a,
                      const NtpacFlowKey *b)
{
  return memcmp (a, b, sizeof *a) == 0;
}
