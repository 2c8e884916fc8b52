/* ntpac-wire-private.h: the messages a cluster's balancer and reassemblers
 * exchange: batches of raw captured frames with their provenance, the
 * inputs' records, and the run's start and end
 *
 * Every message is one header of NTPAC_WIRE_HEADER_SIZE bytes, little
 * endian, and a body whose layout depends on its type (plugins/tcp-remote/
 * README.md documents the bytes). Messages come from the network: the
 * readers check every length against the bytes there are.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-capture.h"
#include "ntpac-frame.h"

G_BEGIN_DECLS

#define NTPAC_WIRE_MAGIC        0x5750544eu   /* "NTPW" little endian */
#define NTPAC_WIRE_VERSION      1
#define NTPAC_WIRE_HEADER_SIZE  32
#define NTPAC_WIRE_FRAME_HEADER_SIZE 40
/* Frames and bytes a batch of frames holds at most (a larger message is
 * refused as malformed). */
#define NTPAC_WIRE_MAX_FRAMES   4096
#define NTPAC_WIRE_MAX_BYTES    (8u * 1024 * 1024)
/* Longest string field (a path, an error message). */
#define NTPAC_WIRE_MAX_STRING   4096
#define NTPAC_WIRE_MAX_INPUTS   65536

/**
 * NtpacWireType:
 * @NTPAC_WIRE_HELLO: balancer to reassembler: which shard of how many it
 *   sends, under which flow hash version
 * @NTPAC_WIRE_INPUTS: balancer to reassembler: the inputs' records
 * @NTPAC_WIRE_FRAMES: balancer to reassembler: a batch of frames
 * @NTPAC_WIRE_END: balancer to reassembler: no more frames; the inputs'
 *   final records (with their SHA-256)
 * @NTPAC_WIRE_ABORT: balancer to reassembler: the run failed elsewhere;
 *   store what you have and mark the run interrupted
 * @NTPAC_WIRE_DONE: reassembler to balancer: the shard is stored (or
 *   could not be), with its state
 * @NTPAC_WIRE_QUERY: query client to agent: the kind and filters, as
 *   `count` strings
 * @NTPAC_WIRE_ROWS: agent to client: `count` rows, each its sort key, its
 *   database and its fields
 * @NTPAC_WIRE_QUERY_END: agent to client: no more rows (an error string
 *   when the query failed)
 * @NTPAC_WIRE_STATS: client to agent: describe your databases (the
 *   endpoint asked by); agent to client: `count` descriptions
 * @NTPAC_WIRE_CARVE: client to agent: carve this conversation (its id);
 *   agent to client: the next piece of the carved capture, then a
 *   QUERY_END with the frames carved
 * @NTPAC_WIRE_EXPORT: client to agent: export your objects; agent to
 *   client: an index line, a piece of the object after it, or its end
 *   (flags 0x10, 0x20, 0x40), then a QUERY_END
 */
typedef enum
{
  NTPAC_WIRE_HELLO = 1,
  NTPAC_WIRE_INPUTS,
  NTPAC_WIRE_FRAMES,
  NTPAC_WIRE_END,
  NTPAC_WIRE_ABORT,
  NTPAC_WIRE_DONE,
  NTPAC_WIRE_QUERY,
  NTPAC_WIRE_ROWS,
  NTPAC_WIRE_QUERY_END,
  NTPAC_WIRE_STATS,
  NTPAC_WIRE_CARVE,
  NTPAC_WIRE_EXPORT,
} NtpacWireType;

/* Flags of END and DONE. */
#define NTPAC_WIRE_FLAG_INTERRUPTED 0x1   /* END, DONE: the run was stopped early */
#define NTPAC_WIRE_FLAG_FAILED      0x2   /* DONE: the shard could not be stored */
#define NTPAC_WIRE_FLAG_NOT_HERE    0x4   /* QUERY_END of a CARVE: no such conversation here */

/* Flags of EXPORT from an agent: an index line, a piece of the object
 * that follows it, or the end of that object. */
#define NTPAC_WIRE_EXPORT_ROW         0x10
#define NTPAC_WIRE_EXPORT_PIECE       0x20
#define NTPAC_WIRE_EXPORT_OBJECT_END  0x40

/**
 * NtpacWireMessage:
 * @type: what the message is
 * @shard: the shard it concerns
 * @n_shards: shards in the run
 * @seq: the message's number in its direction (frames batches count up
 *   from 0, so that a lost or repeated one is seen)
 * @count: records in the body (frames, inputs), or the hash version of
 *   a HELLO
 * @flags: NTPAC_WIRE_FLAG_*
 * @body: the bytes after the header
 * @body_len: how many
 */
typedef struct
{
  NtpacWireType  type;
  guint32        shard;
  guint32        n_shards;
  guint64        seq;
  guint32        count;
  guint32        flags;
  const guint8  *body;
  gsize          body_len;
} NtpacWireMessage;

#define NTPAC_WIRE_ERROR (ntpac_wire_error_quark ())
GQuark ntpac_wire_error_quark (void);

/**
 * NtpacWireWriter:
 *
 * Builds one message; start with ntpac_wire_writer_init(), add frames,
 * inputs or strings as its type wants, take it with
 * ntpac_wire_writer_finish().
 */
typedef struct
{
  GByteArray *bytes;
  guint32     count;
} NtpacWireWriter;

void     ntpac_wire_writer_init        (NtpacWireWriter   *w,
                                        NtpacWireType      type,
                                        guint32            shard,
                                        guint32            n_shards,
                                        guint64            seq,
                                        guint32            flags);
void     ntpac_wire_writer_add_frame   (NtpacWireWriter   *w,
                                        const NtpacFrame  *frame);
void     ntpac_wire_writer_add_input   (NtpacWireWriter   *w,
                                        const NtpacInput  *input);
void     ntpac_wire_writer_add_u64     (NtpacWireWriter   *w,
                                        guint64            value);
void     ntpac_wire_writer_add_string  (NtpacWireWriter   *w,
                                        const gchar       *text);
void     ntpac_wire_writer_add_bytes   (NtpacWireWriter   *w,
                                        const void        *data,
                                        gsize              len);
void     ntpac_wire_writer_set_count   (NtpacWireWriter   *w,
                                        guint32            count);
gsize    ntpac_wire_writer_get_size    (const NtpacWireWriter *w);
GBytes  *ntpac_wire_writer_finish      (NtpacWireWriter   *w);
void     ntpac_wire_writer_clear       (NtpacWireWriter   *w);

gboolean ntpac_wire_parse              (const guint8      *data,
                                        gsize              len,
                                        NtpacWireMessage  *message,
                                        GError           **error);

/**
 * NtpacWireReader:
 *
 * Reads a message's body record by record; every read is bounds-checked
 * and fails with an error naming what was wrong.
 */
typedef struct
{
  const guint8 *at;
  gsize         left;
  guint32       records_left;
} NtpacWireReader;

void     ntpac_wire_reader_init        (NtpacWireReader        *r,
                                        const NtpacWireMessage *message);
gboolean ntpac_wire_reader_next_frame  (NtpacWireReader        *r,
                                        NtpacFrame             *frame,
                                        GError                **error);
gboolean ntpac_wire_reader_next_input  (NtpacWireReader        *r,
                                        NtpacInput             *input,
                                        GError                **error);
gboolean ntpac_wire_reader_u64         (NtpacWireReader        *r,
                                        guint64                *value,
                                        GError                **error);
gboolean ntpac_wire_reader_string      (NtpacWireReader        *r,
                                        gchar                 **text,
                                        GError                **error);
gboolean ntpac_wire_reader_bytes       (NtpacWireReader        *r,
                                        const guint8          **data,
                                        gsize                  *len,
                                        GError                **error);
gboolean ntpac_wire_reader_u32         (NtpacWireReader        *r,
                                        guint32                *value,
                                        GError                **error);
void     ntpac_wire_writer_add_u32     (NtpacWireWriter        *w,
                                        guint32                 value);
gboolean ntpac_wire_reader_is_done     (const NtpacWireReader  *r);

void     ntpac_wire_input_clear        (NtpacInput             *input);

G_END_DECLS
