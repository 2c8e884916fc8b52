/* ntpac-store-keys.h: how results are laid out in the evidence store
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * SECTION:ntpac-store-keys
 *
 * A database is a RocksDB directory with one column family per kind of
 * record. Every integer in a key is big-endian and fixed-width, so keys
 * sort as numbers; keys that start with a conversation id (16 bytes:
 * first timestamp in ns, node, worker, sequence) sort by time. Every value
 * starts with one byte, the schema version of the record
 * (%NTPAC_STORE_SCHEMA_VERSION), followed by the record serialised as a
 * GVariant of the type given below (normal form, little-endian).
 *
 * | column family  | key                                             | value (GVariant type) |
 * |----------------|-------------------------------------------------|-----------------------|
 * | `meta`         | a name (ASCII, no terminator)                   | `s`: schema, engine, hash versions, pipeline, state, counts |
 * | `inputs`       | input id (4)                                    | `a{sv}`: path, size, sha256, format, first_ts, last_ts, link_types, frames, damage, damage_offset, error |
 * | `conversations`| conversation id (16)                            | `a{sv}`: transport, src, sport, dst, dport, first_ts, last_ts, input, frame_list, packets, bytes_up, bytes_down, missing_up, missing_down, pdus, frames, anomalies, protocol, end, initiator_known |
 * | `pdus`         | conversation id (16), PDU index (4)             | `((yxxta(ut)a(utuu))(utuuy))`: (direction (0 up, 1 down; plus 0x80 for a UDP datagram that is a copy of the one before), first_ts, last_ts, missing_bytes, gaps (offset, length), segments (input, frame number, offset in the payload, length)), (payload file, offset, stored length, length, codec) |
 * | `frames`       | conversation id (16), index of the chunk's first frame (4) | `a(utt)`: (input, frame number, byte offset) of up to 256 frames, in order |
 * | `anomalies`    | timestamp (8), input (4), frame number (8), sequence (4) | `a{sv}`: kind, severity, input, frame, offset, conversation |
 * | `objects`      | conversation id (16), record index (4)          | `a{sv}`: sha256, size, content_type, source, complete, missing_bytes, stored, and the common fields |
 * | `objects.data` | SHA-256 (32)                                    | `(taya(yutuuy))`: size, the conversation id that carried it, then where the content is, in order: (kind, file or direction, offset, stored length, length, codec); kind 0: decoded bytes in a payload file, chunks of up to 1 MiB; kind 1: bytes sent as is, by their place in that conversation's direction (bytes delivered before them) |
 * | `index.ip`     | family (1), address (16), timestamp (8), record | empty |
 * | `index.name`   | FNV-1a 64 of the lower-case name (8), timestamp (8), record | `s`: the name |
 * | `index.time`   | timestamp (8), record                           | empty |
 *
 * PDU payloads and object contents live in the database's `payload/` folder, in append-only
 * files `NNNNNNNN.payload` (the file number above), each payload stored as
 * is (codec 0) or LZ4-compressed (codec 1) when that saves an eighth or
 * more. Writing them there rather than as RocksDB values is three times
 * faster, and they are written before the records that point at them.
 *
 * "record" in an index key is one byte naming the column family the record
 * is in (its number in `meta` under "cf.NAME") followed by the record's
 * key. Dissectors add column families of their own (`http`, `dns`, `tls`)
 * keyed by conversation id (16) and record index (4), with `a{sv}` values,
 * and index their records through the same three indexes. An object's
 * content is kept once per run for each distinct SHA-256, however many
 * conversations carried it.
 *
 * A conversation is written last, after its PDUs, frames and records, and
 * writes reach disk in order (write-ahead log, or atomic flushes of all
 * column families in bulk mode): a conversation that is visible has all of
 * them.
 */

/**
 * NTPAC_STORE_SCHEMA_VERSION:
 *
 * Version of the layout above; a database with a higher one is refused.
 */
#define NTPAC_STORE_SCHEMA_VERSION 1

#define NTPAC_STORE_CF_META          "meta"
#define NTPAC_STORE_CF_INPUTS        "inputs"
#define NTPAC_STORE_CF_CONVERSATIONS "conversations"
#define NTPAC_STORE_CF_PDUS          "pdus"
#define NTPAC_STORE_CF_FRAMES        "frames"
#define NTPAC_STORE_CF_ANOMALIES     "anomalies"
#define NTPAC_STORE_CF_OBJECTS       "objects"
#define NTPAC_STORE_CF_OBJECTS_DATA  "objects.data"
#define NTPAC_STORE_CF_INDEX_IP      "index.ip"
#define NTPAC_STORE_CF_INDEX_NAME    "index.name"
#define NTPAC_STORE_CF_INDEX_TIME    "index.time"

#define NTPAC_STORE_PDU_META_TYPE "(yxxta(ut)a(utuu))"
/* Set in a stored PDU's direction byte: a UDP datagram with the same bytes
 * as the one before it in its direction (NtpacPdu.duplicate). */
#define NTPAC_STORE_PDU_DUPLICATE 0x80
#define NTPAC_STORE_PDU_BLOB_TYPE "(utuuy)"
#define NTPAC_STORE_PDU_TYPE    "(" NTPAC_STORE_PDU_META_TYPE NTPAC_STORE_PDU_BLOB_TYPE ")"
#define NTPAC_STORE_FRAMES_TYPE "a(utt)"

#define NTPAC_STORE_CODEC_NONE 0
#define NTPAC_STORE_CODEC_LZ4  1

/* Writes @value big-endian into @out (fixed width). */
static inline void
ntpac_store_put_u32 (guint8  *out,
                     guint32  value)
{
  out[0] = value >> 24;
  out[1] = value >> 16;
  out[2] = value >> 8;
  out[3] = value;
}

static inline void
ntpac_store_put_u64 (guint8  *out,
                     guint64  value)
{
  ntpac_store_put_u32 (out, (guint32) (value >> 32));
  ntpac_store_put_u32 (out + 4, (guint32) value);
}

static inline guint32
ntpac_store_get_u32 (const guint8 *in)
{
  return ((guint32) in[0] << 24) | ((guint32) in[1] << 16) | ((guint32) in[2] << 8) | in[3];
}

static inline guint64
ntpac_store_get_u64 (const guint8 *in)
{
  return ((guint64) ntpac_store_get_u32 (in) << 32) | ntpac_store_get_u32 (in + 4);
}

/* Timestamps in keys: nanoseconds since the epoch, offset so that times
 * before 1970 still sort first. */
static inline guint64
ntpac_store_ts_key (gint64 ts_ns)
{
  return (guint64) ts_ns ^ (G_GUINT64_CONSTANT (1) << 63);
}

G_END_DECLS
