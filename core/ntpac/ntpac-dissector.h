/* ntpac-dissector.h: application-layer dissectors, the plugin contract
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>

#include "ntpac-anomaly.h"
#include "ntpac-conversation.h"
#include "ntpac-cursor.h"
#include "ntpac-record-builder.h"

G_BEGIN_DECLS

/* NtpacDissectStatus, NtpacDissectResult and the NTPAC_DISSECT_OK(),
 * NTPAC_DISSECT_REJECT, NTPAC_DISSECT_MALFORMED() and
 * NTPAC_DISSECT_INCOMPLETE() results are in ntpac-cursor.h, beside the
 * cursor dissectors read with. */

/**
 * NtpacDissectInput:
 * @NTPAC_DISSECT_INPUT_TCP_STREAM: the bytes of a TCP conversation, in
 *   order, per direction (`l4/tcp-stream`)
 * @NTPAC_DISSECT_INPUT_UDP_DATAGRAM: UDP datagrams, one at a time
 *   (`l4/udp-datagram`)
 */
typedef enum
{
  NTPAC_DISSECT_INPUT_TCP_STREAM,
  NTPAC_DISSECT_INPUT_UDP_DATAGRAM,
} NtpacDissectInput;

/**
 * NtpacDissectContext:
 *
 * One conversation as a dissector sees it: the conversation, where to
 * emit records and anomalies. Valid during the call it is given to.
 */
typedef struct _NtpacDissectContext NtpacDissectContext;

#define NTPAC_TYPE_DISSECTOR (ntpac_dissector_get_type ())
G_DECLARE_DERIVABLE_TYPE (NtpacDissector, ntpac_dissector, NTPAC, DISSECTOR, GObject)

/**
 * NtpacDissectorClass:
 * @probe: does the first data of a direction look like this protocol?
 *   A heuristic: a few bytes, no allocation, no output. @port_hint is
 *   TRUE when a port of the conversation is one of the dissector's input
 *   hints (it breaks ties; it must not decide alone)
 * @conversation_start: makes the per-conversation state (may return
 *   %NULL if none is needed)
 * @dissect: reads @cursor (bytes of one direction, starting where the
 *   last call stopped) and says what it did with them
 * @gap: @missing bytes of @direction were lost just after the bytes
 *   already offered (those not consumed are dropped)
 * @conversation_end: the conversation is over: emit what is pending and
 *   free @state
 *
 * A dissector. One instance serves every worker thread at once: keep
 * mutable data in the per-conversation state only.
 */
struct _NtpacDissectorClass
{
  GObjectClass parent_class;

  gboolean           (*probe)              (NtpacDissector        *self,
                                            NtpacDissectInput      input,
                                            NtpacDirection         direction,
                                            const guint8          *data,
                                            gsize                  len,
                                            gboolean               port_hint);
  gpointer           (*conversation_start) (NtpacDissector        *self,
                                            NtpacDissectContext   *ctx);
  NtpacDissectResult (*dissect)            (NtpacDissector        *self,
                                            NtpacDissectContext   *ctx,
                                            gpointer               state,
                                            NtpacDirection         direction,
                                            NtpacCursor           *cursor);
  void               (*gap)                (NtpacDissector        *self,
                                            NtpacDissectContext   *ctx,
                                            gpointer               state,
                                            NtpacDirection         direction,
                                            guint64                missing);
  void               (*conversation_end)   (NtpacDissector        *self,
                                            NtpacDissectContext   *ctx,
                                            gpointer               state);

  /*< private >*/
  gpointer metadata;
  gpointer padding[8];
};

/* Class metadata, set in class_init */
void         ntpac_dissector_class_set_metadata (NtpacDissectorClass *klass,
                                                 const gchar         *protocol,
                                                 const gchar         *description);
void         ntpac_dissector_class_add_input    (NtpacDissectorClass *klass,
                                                 NtpacDissectInput    input,
                                                 const gchar         *ports);
void         ntpac_dissector_class_add_output   (NtpacDissectorClass *klass,
                                                 const gchar         *name,
                                                 const gchar         *description);
void         ntpac_dissector_class_add_anomaly  (NtpacDissectorClass *klass,
                                                 const gchar         *id,
                                                 NtpacSeverity        severity,
                                                 const gchar         *description);

/* Reading the metadata */
const gchar *ntpac_dissector_get_protocol      (NtpacDissector      *self);
const gchar *ntpac_dissector_get_description   (NtpacDissector      *self);
gboolean     ntpac_dissector_accepts           (NtpacDissector      *self,
                                                NtpacDissectInput    input);
gboolean     ntpac_dissector_port_hint         (NtpacDissector      *self,
                                                NtpacDissectInput    input,
                                                guint16              port);
const gchar * const *ntpac_dissector_get_outputs (NtpacDissector    *self);
gboolean     ntpac_dissector_describe_anomaly  (NtpacDissector      *self,
                                                const gchar         *id,
                                                NtpacSeverity       *severity,
                                                const gchar        **description);

/**
 * NtpacFrameSet:
 *
 * The frames a record comes from, gathered while its bytes are read
 * (an HTTP transaction's request and response, say), and the time of the
 * first of them.
 */
typedef struct _NtpacFrameSet NtpacFrameSet;

NtpacFrameSet *ntpac_frame_set_new              (void);
void           ntpac_frame_set_free             (NtpacFrameSet       *set);
void           ntpac_frame_set_clear            (NtpacFrameSet       *set);
guint          ntpac_frame_set_get_size         (const NtpacFrameSet *set);

/* What dissectors call, from dissect(), gap() and conversation_end() */
const NtpacConversation *ntpac_dissect_context_get_conversation (NtpacDissectContext *ctx);
void           ntpac_dissect_context_add_frames (NtpacDissectContext *ctx,
                                                 NtpacFrameSet       *set,
                                                 gsize                offset,
                                                 gsize                length);
void           ntpac_dissect_context_emit       (NtpacDissectContext *ctx,
                                                 const gchar         *output,
                                                 GVariant            *record,
                                                 const NtpacFrameSet *frames,
                                                 const gchar         *name);
NtpacRecordBuilder *ntpac_dissect_context_begin_record (NtpacDissectContext *ctx);
void           ntpac_dissect_context_emit_record (NtpacDissectContext *ctx,
                                                  const gchar         *output,
                                                  NtpacRecordBuilder  *fields,
                                                  const NtpacFrameSet *frames,
                                                  const gchar         *name);
void           ntpac_dissect_context_discard_record (NtpacDissectContext *ctx,
                                                     NtpacRecordBuilder  *fields);
void           ntpac_dissect_context_anomaly    (NtpacDissectContext *ctx,
                                                 const gchar         *id,
                                                 gsize                offset);
void           ntpac_dissect_context_set_protocol (NtpacDissectContext *ctx,
                                                   const gchar         *protocol);
void           ntpac_dissect_context_release    (NtpacDissectContext *ctx);

/**
 * NtpacObject:
 *
 * A file carried inside a conversation (an HTTP body, say), written as its
 * bytes are decoded. The core hashes it (SHA-256) and stores its bytes
 * once per distinct content; the `objects` record that points at them
 * is emitted by ntpac_dissect_context_object_finish(). A dissector that
 * makes objects declares the output `objects`.
 */
typedef struct _NtpacObject NtpacObject;

NtpacObject   *ntpac_dissect_context_object_new (NtpacDissectContext *ctx,
                                                 const gchar         *source);
void           ntpac_object_write               (NtpacObject         *object,
                                                 gconstpointer        data,
                                                 gsize                len);
void           ntpac_object_add_missing         (NtpacObject         *object,
                                                 guint64              missing);
guint64        ntpac_object_get_size            (NtpacObject         *object);
guint64        ntpac_object_get_missing         (NtpacObject         *object);
gchar         *ntpac_dissect_context_object_finish (NtpacDissectContext *ctx,
                                                    NtpacObject         *object,
                                                    const gchar         *content_type,
                                                    gboolean             complete,
                                                    const NtpacFrameSet *frames);
void           ntpac_object_free                (NtpacObject         *object);

/**
 * NtpacObjectChunkKind:
 * @NTPAC_OBJECT_CHUNK_STORED: bytes written to a payload file (decoded
 *   content, which the conversation's bytes do not hold as such)
 * @NTPAC_OBJECT_CHUNK_STREAM: bytes of the conversation itself, by their
 *   place in a direction's stream (a body sent as is): not written again
 */
typedef enum
{
  NTPAC_OBJECT_CHUNK_STORED,
  NTPAC_OBJECT_CHUNK_STREAM,
} NtpacObjectChunkKind;

/**
 * NtpacObjectChunk:
 * @kind: an #NtpacObjectChunkKind
 * @file: STORED: payload file number; STREAM: the #NtpacDirection
 * @offset: STORED: where in the file; STREAM: position in the direction's
 *   stream (bytes delivered before these, lost ones not counted)
 * @stored_len: STORED: bytes in the file
 * @len: bytes of the object
 * @codec: STORED: how they are stored (NTPAC_STORE_CODEC_*)
 *
 * Where a piece of an object's content is kept.
 */
typedef struct
{
  guint8  kind;
  guint32 file;
  guint64 offset;
  guint32 stored_len;
  guint32 len;
  guint8  codec;
} NtpacObjectChunk;

/**
 * NtpacDissectSinkFuncs:
 * @record: a dissector's record, complete (the common fields added), under
 *   @key (the conversation id and a record index), in @output; @name is
 *   what `--host` finds it by. The sink takes the record's bytes with
 *   ntpac_record_builder_end_into() or ntpac_record_builder_end() (or
 *   drops it with ntpac_record_builder_reset()).
 * @anomaly: an anomaly a dissector (or the core, about dissection) found
 *
 * @object_chunk: (nullable): a piece of a large object's content, to keep
 *   before the object is whole; says where in @chunk
 * @object_done: (nullable): an object of @conversation is whole: its
 *   SHA-256, its chunks (stored ones already kept, stream ones pointing
 *   into the conversation) and the rest of its bytes (all of them, for a
 *   small object); kept once per distinct SHA-256
 *
 * Where dissector output goes: the store, or a test. Called from worker
 * threads.
 */
typedef struct _NtpacDissectSinkFuncs
{
  void (*record)  (gpointer                  sink,
                   const NtpacConversation  *conversation,
                   const gchar              *output,
                   const guint8             *key,
                   gsize                     key_len,
                   NtpacRecordBuilder       *record,
                   const gchar              *name,
                   gint64                    ts_ns);
  void (*anomaly) (gpointer                  sink,
                   const NtpacConversation  *conversation,
                   const gchar              *id,
                   NtpacSeverity             severity,
                   const gchar              *description,
                   const NtpacFrameRef      *frame,
                   gint64                    ts_ns);
  gboolean (*object_chunk) (gpointer             sink,
                            gconstpointer        data,
                            gsize                len,
                            NtpacObjectChunk    *chunk);
  void (*object_done)  (gpointer                  sink,
                        const NtpacConversation  *conversation,
                        const guint8             *sha256,
                        const NtpacObjectChunk   *chunks,
                        guint                     n_chunks,
                        gconstpointer             tail,
                        gsize                     tail_len);
} NtpacDissectSinkFuncs;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacFrameSet, ntpac_frame_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacObject, ntpac_object_free)

G_END_DECLS
