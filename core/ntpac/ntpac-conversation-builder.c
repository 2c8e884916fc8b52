/* ntpac-conversation-builder.c: an L7 conversation, built as its bytes
 * arrive and handed on piece by piece
 *
 * In-order bytes go into the PDU of their side; a PDU is handed to the
 * sink when the other side starts talking, when it reaches the size cap,
 * or when the conversation ends. Frames go to the sink in chunks. So a
 * conversation never holds more than one PDU per side, whatever its
 * length.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-packet.h"
#include "ntpac-tracker-private.h"

#define FRAME_CHUNK 256
/* Bytes reserved for a new stream PDU. */
#define PDU_RESERVE (64u * 1024)
/* Bytes a conversation costs besides its payload and frame list (actors,
 * streams, builder, table entries: measured about 2 KiB), counted against
 * the worker's memory cap so that many small conversations are bounded
 * too. */
#define CONVERSATION_OVERHEAD 2048
/* The same datagram captured twice within 10 ms (a mirror port seeing it
 * twice, a duplicating network) is a copy. An application's own
 * retransmission comes much later. */
#define DUPLICATE_WINDOW_NS (10 * G_GINT64_CONSTANT (1000000))

typedef struct
{
  GByteArray *payload;
  GArray     *segments;
  GArray     *gaps;
  guint64     missing;
  gint64      first_ts_ns;
  gint64      last_ts_ns;
  guint64     stream_start;   /* stream offset of the first byte (TCP) */
  gsize       last_len;       /* of this side's previous PDU: room for the next */
  gboolean    active;
  gboolean    duplicate;      /* a datagram that copies the previous one */
  /* UDP: this side's previous datagram (shared with its PDU, not copied),
   * which a copy must equal byte for byte; NULL if it was cut short. */
  NtpacBuffer *last_datagram;
  gint64       last_datagram_ts_ns;
} PduBuild;

struct _NtpacConversationBuilder
{
  NtpacTracker      *tracker;
  NtpacConversation *conv;
  gboolean           initiator_is_lo;
  PduBuild           pdu[2];
  GArray            *pending_frames;
  gboolean           emitted;
};

void
ntpac_tracker_report (NtpacTracker        *tracker,
                      NtpacAnomalyKind     kind,
                      const NtpacFrameRef *frame,
                      gint64               ts_ns)
{
  NtpacAnomaly anomaly = { kind, *frame, ts_ns };

  if (tracker->stats.anomalies[kind]++ == 0)
    tracker->stats.anomaly_first[kind] = *frame;
  if (tracker->anomaly != NULL)
    tracker->anomaly (&anomaly, tracker->anomaly_data);
}

void
ntpac_tracker_add_memory (NtpacTracker *tracker,
                          gssize        delta)
{
  tracker->memory += delta;
  if (tracker->memory > tracker->stats.peak_memory)
    tracker->stats.peak_memory = tracker->memory;
}

static void
set_tuple (NtpacConversation  *conv,
           const NtpacFlowKey *key,
           gboolean            initiator_is_lo)
{
  NtpacFlowTuple *t = &conv->tuple;

  memset (t, 0, sizeof *t);
  t->src.family = t->dst.family = key->family;
  t->proto = key->proto;
  memcpy (t->src.bytes, initiator_is_lo ? key->addr_lo : key->addr_hi, 16);
  memcpy (t->dst.bytes, initiator_is_lo ? key->addr_hi : key->addr_lo, 16);
  t->sport = initiator_is_lo ? key->port_lo : key->port_hi;
  t->dport = initiator_is_lo ? key->port_hi : key->port_lo;
}

NtpacConversationBuilder *
ntpac_conversation_builder_new (NtpacTracker          *tracker,
                                const NtpacPacketDesc *first,
                                gboolean               initiator_is_lo,
                                gboolean               initiator_known)
{
  NtpacConversationBuilder *self = g_new0 (NtpacConversationBuilder, 1);
  NtpacConversation *conv = ntpac_conversation_new (first->transport);

  self->tracker = tracker;
  self->conv = conv;
  self->pending_frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
  ntpac_conversation_id_make (&conv->id, first->ts_ns, tracker->node, tracker->worker,
                              tracker->next_sequence++);
  conv->first_ts_ns = first->ts_ns;
  conv->last_ts_ns = first->ts_ns;
  conv->first_frame = first->frame;
  self->initiator_is_lo = initiator_is_lo;
  conv->initiator_known = initiator_known;
  set_tuple (conv, &first->key, initiator_is_lo);
  tracker->stats.conversations[first->transport == NTPAC_TRANSPORT_TCP ? 0 : 1]++;
  ntpac_tracker_add_memory (tracker, CONVERSATION_OVERHEAD);
  return self;
}

/* Who initiated may be learnt late (the first payload of a conversation
 * picked up mid-stream); it can change until something was handed on. */
void
ntpac_conversation_builder_set_initiator (NtpacConversationBuilder *self,
                                          gboolean                  initiator_is_lo,
                                          gboolean                  initiator_known)
{
  NtpacFlowKey key = { 0 };
  NtpacFlowTuple *t = &self->conv->tuple;

  if (self->emitted || self->initiator_is_lo == initiator_is_lo)
    {
      self->conv->initiator_known |= initiator_known;
      return;
    }
  /* Rebuild the key from the tuple, then the tuple the other way round. */
  key.family = t->src.family;
  key.proto = t->proto;
  memcpy (key.addr_lo, self->initiator_is_lo ? t->src.bytes : t->dst.bytes, 16);
  memcpy (key.addr_hi, self->initiator_is_lo ? t->dst.bytes : t->src.bytes, 16);
  key.port_lo = self->initiator_is_lo ? t->sport : t->dport;
  key.port_hi = self->initiator_is_lo ? t->dport : t->sport;
  self->initiator_is_lo = initiator_is_lo;
  self->conv->initiator_known = initiator_known;
  set_tuple (self->conv, &key, initiator_is_lo);
}

gboolean
ntpac_conversation_builder_has_output (NtpacConversationBuilder *self)
{
  return self->emitted || self->pdu[0].active || self->pdu[1].active;
}

guint
ntpac_conversation_builder_side_of_initiator (NtpacConversationBuilder *self)
{
  return self->initiator_is_lo ? 0 : 1;
}

static NtpacDirection
direction_of (NtpacConversationBuilder *self,
              guint                     side)
{
  return (side == 0) == self->initiator_is_lo ? NTPAC_DIRECTION_UP : NTPAC_DIRECTION_DOWN;
}

static void
flush_frames (NtpacConversationBuilder *self)
{
  if (self->pending_frames->len == 0)
    return;
  if (self->tracker->sink != NULL && self->tracker->sink->frames != NULL)
    self->tracker->sink->frames (self->tracker->sink_data, self->conv,
                                 (const NtpacFrameRef *) self->pending_frames->data,
                                 self->pending_frames->len);
  g_array_set_size (self->pending_frames, 0);
}

static void
add_frame (NtpacConversationBuilder *self,
           const NtpacFrameRef      *frame)
{
  guint before = self->conv->frame_numbers->len;

  ntpac_conversation_add_frame (self->conv, frame);
  ntpac_tracker_add_memory (self->tracker, self->conv->frame_numbers->len - before);
  g_array_append_val (self->pending_frames, *frame);
  if (self->pending_frames->len >= FRAME_CHUNK)
    flush_frames (self);
}

void
ntpac_conversation_builder_add_packet (NtpacConversationBuilder *self,
                                       const NtpacBatch         *batch,
                                       const NtpacPacketDesc    *packet)
{
  NtpacConversation *conv = self->conv;

  conv->packets++;
  if (packet->ts_ns > conv->last_ts_ns)
    conv->last_ts_ns = packet->ts_ns;
  /* A reassembled IP datagram brings the frames of its fragments. */
  for (guint i = 0; i < packet->n_extra_frames; i++)
    add_frame (self, &g_array_index (batch->extra_frames, NtpacFrameRef, packet->extra_frames + i));
  add_frame (self, &packet->frame);
  self->tracker->stats.packets++;
}

static void
pdu_reset (PduBuild *p)
{
  if (p->payload == NULL)
    {
      p->payload = g_byte_array_new ();
      p->segments = g_array_new (FALSE, FALSE, sizeof (NtpacPduSegment));
      p->gaps = g_array_new (FALSE, FALSE, sizeof (NtpacPduGap));
    }
  g_byte_array_set_size (p->payload, 0);
  g_array_set_size (p->segments, 0);
  g_array_set_size (p->gaps, 0);
  p->missing = 0;
  p->active = FALSE;
  p->duplicate = FALSE;
}

static void
pdu_clear (PduBuild *p)
{
  if (p->payload == NULL)
    return;
  g_byte_array_unref (p->payload);
  g_array_unref (p->segments);
  g_array_unref (p->gaps);
  p->payload = NULL;
}

static void
forget_datagram (NtpacConversationBuilder *self,
                 PduBuild                 *p)
{
  gsize len = 0;

  if (p->last_datagram == NULL)
    return;
  ntpac_buffer_get_data (p->last_datagram, &len);
  ntpac_tracker_add_memory (self->tracker, -(gssize) len);
  g_clear_pointer (&p->last_datagram, ntpac_buffer_unref);
}

/* Keeps the datagram just handed on, to compare the next one with: one
 * per side, so a conversation holds at most two datagrams. */
static void
remember_datagram (NtpacConversationBuilder *self,
                   PduBuild                 *p,
                   const NtpacPdu           *pdu)
{
  gsize len = 0;

  forget_datagram (self, p);
  p->last_datagram_ts_ns = pdu->first_ts_ns;
  /* A datagram cut by the snap length cannot be compared whole. */
  if (pdu->missing_bytes > 0)
    return;
  p->last_datagram = ntpac_buffer_ref (pdu->payload);
  ntpac_buffer_get_data (p->last_datagram, &len);
  ntpac_tracker_add_memory (self->tracker, len);
}

/* Whether a datagram is a copy of its side's previous one: the same
 * bytes, all captured, within the window. Equal bytes, not an equal
 * hash: a different datagram is never taken for a copy. */
static gboolean
is_copy (const PduBuild *p,
         const guint8   *bytes,
         gsize           len,
         guint32         missing,
         gint64          ts_ns)
{
  const guint8 *last;
  gsize last_len = 0;

  if (p->last_datagram == NULL || missing > 0)
    return FALSE;
  if (ts_ns > p->last_datagram_ts_ns + DUPLICATE_WINDOW_NS ||
      ts_ns < p->last_datagram_ts_ns - DUPLICATE_WINDOW_NS)
    return FALSE;
  last = ntpac_buffer_get_data (p->last_datagram, &last_len);
  return last_len == len && (len == 0 || memcmp (last, bytes, len) == 0);
}

/* Hands the PDU of @side to the sink. */
static void
emit_pdu (NtpacConversationBuilder *self,
          guint                     side)
{
  PduBuild *p = &self->pdu[side];
  NtpacConversation *conv = self->conv;
  NtpacDirection dir = direction_of (self, side);
  NtpacPdu *pdu;
  gsize len;

  if (!p->active)
    return;
  len = p->payload->len;
  p->last_len = len;
  pdu = ntpac_pdu_new (dir);
  pdu->index = conv->n_pdus++;
  pdu->first_ts_ns = p->first_ts_ns;
  pdu->last_ts_ns = p->last_ts_ns;
  /* The bytes move into the PDU without a copy. */
  pdu->payload = ntpac_buffer_new_take (g_byte_array_steal (p->payload, NULL), len, len);
  g_array_append_vals (pdu->segments, p->segments->data, p->segments->len);
  g_array_append_vals (pdu->gaps, p->gaps->data, p->gaps->len);
  pdu->missing_bytes = p->missing;
  pdu->duplicate = p->duplicate;
  /* A copy adds nothing to what the sender sent. */
  if (!p->duplicate)
    {
      conv->bytes[dir] += len;
      self->tracker->stats.payload_bytes += len;
    }
  conv->missing_bytes[dir] += p->missing;
  self->tracker->stats.missing_bytes += p->missing;
  self->emitted = TRUE;
  /* Frames up to here go first, so a reader of the store never sees a PDU
   * whose frames are not there. */
  flush_frames (self);
  conv->pdu = pdu;
  if (self->tracker->sink != NULL && self->tracker->sink->pdu != NULL)
    self->tracker->sink->pdu (self->tracker->sink_data, conv, pdu);
  conv->pdu = NULL;
  if (conv->transport == NTPAC_TRANSPORT_UDP)
    remember_datagram (self, p, pdu);
  ntpac_pdu_free (pdu);
  ntpac_tracker_add_memory (self->tracker, -(gssize) len);
  pdu_reset (p);
}

static PduBuild *
open_pdu (NtpacConversationBuilder *self,
          guint                     side,
          gint64                    ts_ns,
          guint64                   stream_offset)
{
  PduBuild *p = &self->pdu[side];

  /* The other side's turn is over. */
  if (self->pdu[!side].active)
    emit_pdu (self, !side);
  if (p->payload == NULL)
    pdu_reset (p);
  if (!p->active)
    {
      p->active = TRUE;
      p->first_ts_ns = ts_ns;
      p->stream_start = stream_offset;
    }
  p->last_ts_ns = ts_ns;
  return p;
}

void
ntpac_conversation_builder_data (NtpacConversationBuilder *self,
                                 guint                     side,
                                 const guint8             *bytes,
                                 gsize                     len,
                                 const NtpacFrameRef      *frame,
                                 gint64                    ts_ns,
                                 guint64                   stream_offset)
{
  gsize max = self->tracker->config.pdu_max_bytes;

  while (len > 0)
    {
      PduBuild *p = open_pdu (self, side, ts_ns, stream_offset);
      gsize room = p->payload->len < max ? max - p->payload->len : 0;
      gsize n = MIN (len, room);
      NtpacPduSegment *last = p->segments->len > 0 ?
        &g_array_index (p->segments, NtpacPduSegment, p->segments->len - 1) : NULL;

      if (n == 0)
        {
          emit_pdu (self, side);  /* size cap: the next bytes start a new PDU */
          continue;
        }
      /* A new PDU of a stream grows to tens of kilobytes, or as large as
       * the side's last one: room made once saves copying it at every
       * doubling. */
      if (p->payload->len == 0)
        {
          g_byte_array_set_size (p->payload, (guint) MIN (max, MAX (PDU_RESERVE, p->last_len)));
          g_byte_array_set_size (p->payload, 0);
        }
      if (last != NULL && last->frame.input == frame->input && last->frame.number == frame->number &&
          last->offset + last->length == p->payload->len)
        last->length += n;
      else
        {
          NtpacPduSegment seg = { *frame, (guint32) p->payload->len, (guint32) n };

          g_array_append_val (p->segments, seg);
        }
      g_byte_array_append (p->payload, bytes, n);
      ntpac_tracker_add_memory (self->tracker, n);
      bytes += n;
      len -= n;
      stream_offset += n;
    }
}

void
ntpac_conversation_builder_gap (NtpacConversationBuilder *self,
                                guint                     side,
                                guint64                   len,
                                gint64                    ts_ns)
{
  PduBuild *p = open_pdu (self, side, ts_ns, 0);
  NtpacPduGap gap = { (guint32) p->payload->len, len };

  g_array_append_val (p->gaps, gap);
  p->missing += len;
  self->conv->anomalies++;
}

/* A UDP datagram is a PDU of its own; @missing bytes at its end were cut
 * by the capture's snap length. A copy of the one before is one too,
 * marked as such. */
void
ntpac_conversation_builder_datagram (NtpacConversationBuilder *self,
                                     guint                     side,
                                     const guint8             *bytes,
                                     gsize                     len,
                                     guint32                   missing,
                                     const NtpacFrameRef      *frame,
                                     gint64                    ts_ns)
{
  gboolean duplicate = is_copy (&self->pdu[side], bytes, len, missing, ts_ns);
  PduBuild *p = open_pdu (self, side, ts_ns, 0);
  NtpacPduSegment seg = { *frame, 0, (guint32) len };

  if (duplicate)
    {
      /* Kept and marked: the dissectors see it as a datagram of its own. */
      p->duplicate = TRUE;
      self->conv->anomalies++;
      ntpac_tracker_report (self->tracker, NTPAC_ANOMALY_UDP_DUPLICATE, frame, ts_ns);
    }
  g_array_append_val (p->segments, seg);
  g_byte_array_append (p->payload, bytes, len);
  ntpac_tracker_add_memory (self->tracker, len);
  if (missing > 0)
    {
      NtpacPduGap gap = { (guint32) len, missing };

      g_array_append_val (p->gaps, gap);
      p->missing += missing;
    }
  emit_pdu (self, side);
}

/* Bytes of @side's stream still held in its current PDU (none missing
 * in between), to compare a retransmission with. */
const guint8 *
ntpac_conversation_builder_retained (NtpacConversationBuilder *self,
                                     guint                     side,
                                     guint64                   stream_offset,
                                     gsize                     len)
{
  PduBuild *p = &self->pdu[side];

  if (!p->active || p->gaps->len > 0 || stream_offset < p->stream_start ||
      stream_offset - p->stream_start + len > p->payload->len)
    return NULL;
  return p->payload->data + (stream_offset - p->stream_start);
}

void
ntpac_conversation_builder_anomaly (NtpacConversationBuilder *self)
{
  self->conv->anomalies++;
}

/* Hands on what is buffered now (memory pressure, a closed connection). */
void
ntpac_conversation_builder_flush (NtpacConversationBuilder *self)
{
  emit_pdu (self, 0);
  emit_pdu (self, 1);
  flush_frames (self);
  /* Under memory pressure a copy goes on unmarked, still delivered. */
  forget_datagram (self, &self->pdu[0]);
  forget_datagram (self, &self->pdu[1]);
}

/* A closed connection expects no more data: gives back the room its PDU
 * and frame buffers grew to, so that a closed conversation waiting out
 * TIME-WAIT costs little. */
void
ntpac_conversation_builder_compact (NtpacConversationBuilder *self)
{
  ntpac_conversation_builder_flush (self);
  pdu_clear (&self->pdu[0]);
  pdu_clear (&self->pdu[1]);
  g_array_unref (self->pending_frames);
  self->pending_frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
}

gint64
ntpac_conversation_builder_last_ts (NtpacConversationBuilder *self)
{
  return self->conv->last_ts_ns;
}

/* Hands on the rest and the conversation itself; frees the builder. */
void
ntpac_conversation_builder_finish (NtpacConversationBuilder *self,
                                   NtpacConversationEnd      end)
{
  /* The side that spoke first goes first. */
  guint first = self->pdu[0].active && self->pdu[1].active &&
                self->pdu[1].first_ts_ns < self->pdu[0].first_ts_ns ? 1 : 0;

  emit_pdu (self, first);
  emit_pdu (self, !first);
  flush_frames (self);
  self->conv->end = end;
  if (self->tracker->sink != NULL && self->tracker->sink->end != NULL)
    self->tracker->sink->end (self->tracker->sink_data, self->conv);
  pdu_clear (&self->pdu[0]);
  pdu_clear (&self->pdu[1]);
  forget_datagram (self, &self->pdu[0]);
  forget_datagram (self, &self->pdu[1]);
  ntpac_tracker_add_memory (self->tracker, -(gssize) (CONVERSATION_OVERHEAD + self->conv->frame_numbers->len));
  g_array_unref (self->pending_frames);
  ntpac_conversation_free (self->conv);
  g_free (self);
}
