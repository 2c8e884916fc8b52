/* ntpac-conversation.h: L7 conversations, their PDUs and provenance
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-buffer.h"
#include "ntpac-frame.h"
#include "ntpac-packet.h"

G_BEGIN_DECLS

/**
 * NtpacConversationId:
 * @bytes: big-endian: first timestamp (8 bytes, ns since the epoch), node
 *   (2), worker (2), sequence within the worker (4)
 *
 * Unique across workers and nodes, and sorts by time.
 */
typedef struct
{
  guint8 bytes[16];
} NtpacConversationId;

/**
 * NtpacDirection:
 * @NTPAC_DIRECTION_UP: from the initiator
 * @NTPAC_DIRECTION_DOWN: to the initiator
 */
typedef enum
{
  NTPAC_DIRECTION_UP,
  NTPAC_DIRECTION_DOWN,
} NtpacDirection;

/**
 * NtpacConversationEnd:
 * @NTPAC_CONVERSATION_END_OPEN: not ended yet
 * @NTPAC_CONVERSATION_END_FIN: both sides closed (or one, and the other
 *   went quiet)
 * @NTPAC_CONVERSATION_END_RST: reset
 * @NTPAC_CONVERSATION_END_IDLE: idle longer than the timeout
 * @NTPAC_CONVERSATION_END_CAPTURE: the capture ended
 * @NTPAC_CONVERSATION_END_REUSED: a new conversation started on the same
 *   5-tuple (a new SYN, data after FIN, a large sequence jump)
 * @NTPAC_CONVERSATION_END_FAILED: its actor failed
 * @NTPAC_CONVERSATION_END_EVICTED: ended early to stay within the memory
 *   cap; later packets of its 5-tuple start a new conversation
 */
typedef enum
{
  NTPAC_CONVERSATION_END_OPEN,
  NTPAC_CONVERSATION_END_FIN,
  NTPAC_CONVERSATION_END_RST,
  NTPAC_CONVERSATION_END_IDLE,
  NTPAC_CONVERSATION_END_CAPTURE,
  NTPAC_CONVERSATION_END_REUSED,
  NTPAC_CONVERSATION_END_FAILED,
  NTPAC_CONVERSATION_END_EVICTED,
} NtpacConversationEnd;

/**
 * NtpacPduSegment:
 * @frame: the frame the bytes came from
 * @offset: where they start in the PDU's payload
 * @length: how many
 *
 * Byte-range provenance of a PDU.
 */
typedef struct
{
  NtpacFrameRef frame;
  guint32       offset;
  guint32       length;
} NtpacPduSegment;

/**
 * NtpacPduGap:
 * @offset: position in the PDU's payload where bytes are missing
 * @length: how many bytes are missing there
 */
typedef struct
{
  guint32 offset;
  guint64 length;
} NtpacPduGap;

/**
 * NtpacPdu:
 * @index: position of the PDU in its conversation, from 0
 * @direction: who sent it
 * @first_ts_ns: timestamp of its first frame
 * @last_ts_ns: timestamp of its last frame
 * @payload: the bytes (missing bytes are not filled in)
 * @segments: (element-type NtpacPduSegment): where the bytes came from
 * @gaps: (element-type NtpacPduGap): where bytes are missing
 * @missing_bytes: total of @gaps
 * @duplicate: a UDP datagram with the same bytes as the previous datagram
 *   of its direction, seen within 10 ms (a copy made by a mirror port or
 *   the network, reported as `udp.duplicate`); its bytes are not counted
 *   in the conversation's @bytes
 *
 * A run of application bytes in one direction: a TCP stream's bytes
 * between turns of the other side (or up to a size cap), or one UDP
 * datagram.
 */
typedef struct
{
  guint32         index;
  NtpacDirection  direction;
  gint64          first_ts_ns;
  gint64          last_ts_ns;
  NtpacBuffer    *payload;
  GArray         *segments;
  GArray         *gaps;
  guint64         missing_bytes;
  gboolean        duplicate;
} NtpacPdu;

/**
 * NtpacConversation:
 * @id: unique id
 * @transport: %NTPAC_TRANSPORT_TCP or %NTPAC_TRANSPORT_UDP
 * @tuple: 5-tuple with the initiator as source
 * @first_ts_ns: first frame
 * @last_ts_ns: last frame
 * @first_frame: the first frame
 * @packets: frames seen (handshake and acknowledgements included)
 * @bytes: payload bytes delivered, per #NtpacDirection
 * @missing_bytes: payload bytes known missing, per #NtpacDirection
 * @n_pdus: PDUs emitted so far
 * @anomalies: anomalies recorded against this conversation
 * @end: why it ended
 * @initiator_known: whether the initiator was seen opening it (SYN) rather
 *   than guessed
 * @protocol: (nullable): identified application protocol
 * @frame_numbers: compact list of its frames (see
 *   ntpac_conversation_foreach_frame())
 * @pdu: (nullable): the PDU being handed on, while a sink's @pdu callback
 *   runs (so a dissector reading a datagram sees whether it is a
 *   duplicate); %NULL otherwise, and when PDUs are read back from a
 *   database
 *
 * An application-level conversation inside a TCP or UDP 5-tuple.
 */
typedef struct
{
  NtpacConversationId    id;
  guint8                 transport;
  NtpacFlowTuple         tuple;
  gint64                 first_ts_ns;
  gint64                 last_ts_ns;
  NtpacFrameRef          first_frame;
  guint64                packets;
  guint64                bytes[2];
  guint64                missing_bytes[2];
  guint32                n_pdus;
  guint32                anomalies;
  NtpacConversationEnd   end;
  gboolean               initiator_known;
  gchar                 *protocol;
  GByteArray            *frame_numbers;
  const NtpacPdu        *pdu;
  /* private */
  gpointer               dissect_state;   /* the dissect stage's */
  guint32                last_input;
  guint64                last_number;
  guint64                n_frames;
} NtpacConversation;

typedef gboolean (*NtpacFrameNumberFunc) (guint32  input,
                                          guint64  number,
                                          gpointer user_data);

void         ntpac_conversation_id_make       (NtpacConversationId       *id,
                                               gint64                     first_ts_ns,
                                               guint16                    node,
                                               guint16                    worker,
                                               guint32                    sequence);
gchar       *ntpac_conversation_id_to_hex     (const NtpacConversationId *id);
gboolean     ntpac_conversation_id_from_hex   (const gchar               *hex,
                                               NtpacConversationId       *id);

NtpacConversation *ntpac_conversation_new     (guint8                     transport);
void         ntpac_conversation_free          (NtpacConversation         *self);
void         ntpac_conversation_add_frame     (NtpacConversation         *self,
                                               const NtpacFrameRef       *frame);
void         ntpac_conversation_foreach_frame (const NtpacConversation   *self,
                                               NtpacFrameNumberFunc       func,
                                               gpointer                   user_data);
guint64      ntpac_conversation_get_n_frames  (const NtpacConversation   *self);
void         ntpac_frame_list_foreach         (const guint8              *data,
                                               gsize                      len,
                                               NtpacFrameNumberFunc       func,
                                               gpointer                   user_data);
const gchar *ntpac_conversation_end_to_string (NtpacConversationEnd       end);

NtpacPdu    *ntpac_pdu_new                    (NtpacDirection             direction);
void         ntpac_pdu_free                   (NtpacPdu                  *pdu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacConversation, ntpac_conversation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacPdu, ntpac_pdu_free)

/**
 * NtpacConversationSink:
 * @pdu: a PDU is complete (the sink may keep a reference to its payload)
 * @frames: frames of the conversation, in order, in chunks (every frame
 *   once, with its byte offset: what carving needs)
 * @end: the conversation ended; its counters are final
 *
 * Where conversations go when they leave the workers. The callbacks are
 * called on worker threads, for different conversations at the same time:
 * a sink must be thread-safe. Within one conversation, calls come in order
 * from one thread, and @end comes last.
 */
typedef struct
{
  void (*pdu)    (gpointer                 sink,
                  const NtpacConversation *conversation,
                  const NtpacPdu          *pdu);
  void (*frames) (gpointer                 sink,
                  const NtpacConversation *conversation,
                  const NtpacFrameRef     *frames,
                  guint                    n_frames);
  void (*end)    (gpointer                 sink,
                  const NtpacConversation *conversation);
} NtpacConversationSinkFuncs;

G_END_DECLS
