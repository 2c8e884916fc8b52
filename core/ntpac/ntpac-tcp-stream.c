/* ntpac-tcp-stream.c: one direction of a TCP connection, put back in order
 *
 * Streaming reassembly in the manner of Matoušek et al. (as kept by
 * Netfox Detective), improved: bytes are handed on as soon as they are in
 * order; out-of-order segments wait, within a cap; a hole becomes an
 * explicit gap (with its size) when the receiver acknowledged past it and
 * a few more packets went by without it (reordering in the capture), when
 * the cap is reached, or when the stream ends — never silent
 * concatenation. Retransmissions and keep-alives are recognised;
 * overlapping bytes follow a policy and differing overlaps are reported.
 * Sequence numbers are unwrapped to 64 bits, so wrap-around is seamless.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-packet.h"
#include "ntpac-tcp-stream-private.h"

/* Unwrapped positions start here, so that bytes a little before the first
 * one seen still have a position. */
#define ORIGIN (G_GUINT64_CONSTANT (1) << 32)

typedef struct _Segment Segment;
struct _Segment
{
  Segment       *next;
  guint64        start;    /* unwrapped */
  gsize          len;
  NtpacFrameRef  frame;
  gint64         ts_ns;
  guint8         data[];
};

struct _NtpacTcpStream
{
  NtpacTcpStreamConfig           config;
  const NtpacTcpStreamCallbacks *cb;
  gpointer                       owner;

  gboolean  started;
  gboolean  syn_seen;
  gboolean  fin_seen;
  guint32   isn;
  guint64   base;       /* unwrapped position of stream offset 0 */
  guint64   next;       /* unwrapped position of the next byte to hand on */
  guint64   fin_at;     /* unwrapped position of the FIN */
  guint64   acked;      /* highest acknowledgement from the other side, 0 if none */
  Segment  *ooo;        /* held out of order, sorted by start, not overlapping */
  gsize     ooo_bytes;
  guint     hole_age;   /* packets since the receiver acknowledged past the hole */
  gint64    last_ts_ns;
};

NtpacTcpStream *
ntpac_tcp_stream_new (const NtpacTcpStreamConfig    *config,
                      const NtpacTcpStreamCallbacks *callbacks,
                      gpointer                       owner)
{
  NtpacTcpStream *self = g_new0 (NtpacTcpStream, 1);

  self->config = *config;
  self->cb = callbacks;
  self->owner = owner;
  return self;
}

static void
free_segments (NtpacTcpStream *self)
{
  while (self->ooo != NULL)
    {
      Segment *s = self->ooo;

      self->ooo = s->next;
      g_free (s);
    }
  self->ooo_bytes = 0;
}

void
ntpac_tcp_stream_free (NtpacTcpStream *self)
{
  if (self == NULL)
    return;
  free_segments (self);
  g_free (self);
}

/* The unwrapped position of @seq: the one within 2^31 of the next byte. */
static guint64
unwrap (const NtpacTcpStream *self,
        guint32               seq)
{
  return self->next + (gint64) (gint32) (seq - (guint32) self->next);
}

/* Farther from the next byte than any loss explains. */
static gboolean
out_of_window (const NtpacTcpStream *self,
               guint64               start)
{
  return start > self->next + self->config.max_jump ||
         start + self->config.max_jump < self->next;
}

static void
report (NtpacTcpStream      *self,
        NtpacAnomalyKind     kind,
        const NtpacFrameRef *frame,
        gint64               ts_ns)
{
  if (self->cb->anomaly != NULL)
    self->cb->anomaly (self->owner, kind, frame, ts_ns);
}

static void
hand_on (NtpacTcpStream      *self,
         const guint8        *bytes,
         gsize                len,
         const NtpacFrameRef *frame,
         gint64               ts_ns)
{
  if (len == 0)
    return;
  self->cb->data (self->owner, self, bytes, len, frame, ts_ns);
  self->next += len;
}

/* Compares bytes of a segment with the same stream positions already
 * handed on, when the owner still has them. */
static void
check_retransmission (NtpacTcpStream      *self,
                      guint64              start,
                      const guint8        *bytes,
                      gsize                len,
                      const NtpacFrameRef *frame,
                      gint64               ts_ns)
{
  const guint8 *old;

  if (self->cb->retained == NULL || len == 0)
    return;
  old = self->cb->retained (self->owner, self, start - self->base, len);
  if (old != NULL && memcmp (old, bytes, len) != 0)
    report (self, NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT, frame, ts_ns);
}

/* Hands on the held segments that are now in order. */
static void
drain (NtpacTcpStream *self)
{
  while (self->ooo != NULL && self->ooo->start <= self->next)
    {
      Segment *s = self->ooo;
      guint64 end = s->start + s->len;

      self->ooo = s->next;
      self->ooo_bytes -= s->len;
      if (end > self->next)
        {
          gsize skip = self->next - s->start;

          hand_on (self, s->data + skip, s->len - skip, &s->frame, s->ts_ns);
        }
      g_free (s);
    }
  if (self->ooo == NULL)
    self->hole_age = 0;
}

/* Gives up on the hole before the first held segment: it is a gap. */
static void
skip_hole (NtpacTcpStream *self,
           gint64          ts_ns)
{
  guint64 missing;

  if (self->ooo == NULL || self->ooo->start <= self->next)
    return;
  missing = self->ooo->start - self->next;
  self->cb->gap (self->owner, self, missing, ts_ns);
  self->next = self->ooo->start;
  self->hole_age = 0;
  drain (self);
}

static Segment *
segment_new (guint64              start,
             const guint8        *bytes,
             gsize                len,
             const NtpacFrameRef *frame,
             gint64               ts_ns)
{
  Segment *s = g_malloc (sizeof (Segment) + len);

  s->next = NULL;
  s->start = start;
  s->len = len;
  s->frame = *frame;
  s->ts_ns = ts_ns;
  memcpy (s->data, bytes, len);
  return s;
}

/* Holds [start, start+len) until the bytes before it arrive. Parts that
 * overlap held segments are compared; the policy says whose bytes stay. */
static void
hold (NtpacTcpStream      *self,
      guint64              start,
      const guint8        *bytes,
      gsize                len,
      const NtpacFrameRef *frame,
      gint64               ts_ns)
{
  Segment **link = &self->ooo;
  guint64 end = start + len;
  gboolean conflict = FALSE;

  while (start < end)
    {
      Segment *s = *link;

      if (s == NULL || end <= s->start)
        {
          /* Fits before @s (or at the end): keep the rest whole. */
          Segment *n = segment_new (start, bytes, end - start, frame, ts_ns);

          n->next = s;
          *link = n;
          self->ooo_bytes += n->len;
          break;
        }
      if (start >= s->start + s->len)
        {
          link = &s->next;
          continue;
        }
      if (start < s->start)
        {
          /* The part before @s is new. */
          gsize head = s->start - start;
          Segment *n = segment_new (start, bytes, head, frame, ts_ns);

          n->next = s;
          *link = n;
          self->ooo_bytes += head;
          link = &n->next;
          bytes += head;
          start += head;
          continue;
        }
      /* Overlap with @s from @start to the end of either. */
      {
        guint64 overlap_end = MIN (end, s->start + s->len);
        gsize n = overlap_end - start;
        guint8 *held = s->data + (start - s->start);

        if (memcmp (held, bytes, n) != 0)
          {
            conflict = TRUE;
            if (self->config.overlap == NTPAC_OVERLAP_LAST)
              memcpy (held, bytes, n);
          }
        bytes += n;
        start += n;
        link = &s->next;
      }
    }
  if (conflict)
    report (self, NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT, frame, ts_ns);

  /* Past the cap, the hole is given up: memory stays bounded. */
  if (self->ooo_bytes > self->config.ooo_cap)
    {
      report (self, NTPAC_ANOMALY_TCP_BUFFER_CAP, frame, ts_ns);
      while (self->ooo_bytes > self->config.ooo_cap && self->ooo != NULL)
        {
          if (self->ooo->start > self->next)
            skip_hole (self, ts_ns);
          else
            drain (self);
        }
    }
}

static void
start_at (NtpacTcpStream *self,
          guint32         seq)
{
  self->started = TRUE;
  self->isn = seq;
  self->next = ORIGIN + seq;
  self->base = self->next;
}

/* Whether @seg belongs to a new conversation on the same ports: a SYN
 * with another ISN (maybe), data after the FIN, or a jump no loss
 * explains. Looks only; changes nothing. */
NtpacTcpSegmentResult
ntpac_tcp_stream_classify (NtpacTcpStream        *self,
                           const NtpacTcpSegment *seg)
{
  guint64 start;

  if (!self->started)
    return NTPAC_TCP_SEGMENT_OK;
  if (seg->flags & NTPAC_TCP_SYN)
    return self->syn_seen && seg->seq == self->isn ? NTPAC_TCP_SEGMENT_DUPLICATE
                                                   : NTPAC_TCP_SEGMENT_NEW_SYN;
  start = unwrap (self, seg->seq);
  if (self->fin_seen && seg->len > 0 && start >= self->fin_at + 1)
    return NTPAC_TCP_SEGMENT_NEW_STREAM;
  /* Only data far from the stream is another conversation; an empty
   * segment there (an ACK, FIN or RST with a wild sequence number, as
   * middleboxes inject) is a stray the stream ignores. */
  if (seg->len > 0 && out_of_window (self, start))
    return NTPAC_TCP_SEGMENT_NEW_STREAM;
  return NTPAC_TCP_SEGMENT_OK;
}

/* Takes a segment the stream accepts (see ntpac_tcp_stream_classify()). */
NtpacTcpSegmentResult
ntpac_tcp_stream_segment (NtpacTcpStream        *self,
                          const NtpacTcpSegment *seg)
{
  guint64 start, end;
  const guint8 *bytes = seg->payload;
  gsize len = seg->len;
  guint32 data_seq = seg->seq;

  self->last_ts_ns = seg->ts_ns;

  if (seg->flags & NTPAC_TCP_SYN)
    {
      if (!self->started)
        {
          start_at (self, seg->seq + 1);
          self->isn = seg->seq;
          self->syn_seen = TRUE;
        }
      if (!self->syn_seen || seg->seq != self->isn)
        return NTPAC_TCP_SEGMENT_NEW_STREAM;
      if (len == 0)
        return NTPAC_TCP_SEGMENT_OK;
      /* TCP Fast Open (RFC 7413): data in a SYN or SYN-ACK follows the
       * SYN's own sequence number, as the first bytes of the stream. */
      data_seq = seg->seq + 1;
    }
  else if (!self->started)
    start_at (self, seg->seq);  /* picked up mid-stream */

  start = unwrap (self, data_seq);
  end = start + len;

  if ((seg->flags & NTPAC_TCP_FIN) && !self->fin_seen)
    {
      self->fin_seen = TRUE;
      self->fin_at = end;
    }

  if (len == 0)
    return NTPAC_TCP_SEGMENT_OK;

  if (end <= self->next)
    {
      /* Nothing new. A keep-alive carries one byte (or none) just before
       * the next; anything else is a retransmission. */
      if (!(len <= 1 && end == self->next))
        check_retransmission (self, start, bytes, len, seg->frame, seg->ts_ns);
      return NTPAC_TCP_SEGMENT_DUPLICATE;
    }

  if (start < self->next)
    {
      /* Partial retransmission: the start was handed on already. */
      gsize old = self->next - start;

      check_retransmission (self, start, bytes, old, seg->frame, seg->ts_ns);
      bytes += old;
      len -= old;
      start = self->next;
    }

  if (start == self->next && (self->ooo == NULL || self->ooo->start >= end))
    {
      hand_on (self, bytes, len, seg->frame, seg->ts_ns);
      drain (self);
      return NTPAC_TCP_SEGMENT_OK;
    }

  /* Out of order, or overlapping bytes already held: the policy decides
   * whose bytes stay, then whatever is in order goes on. */
  hold (self, start, bytes, len, seg->frame, seg->ts_ns);
  drain (self);
  return NTPAC_TCP_SEGMENT_OK;
}

/* An acknowledgement from the other side, for this direction's bytes. */
void
ntpac_tcp_stream_ack (NtpacTcpStream *self,
                      guint32         ack,
                      gint64          ts_ns)
{
  guint64 position;

  if (!self->started)
    return;
  position = unwrap (self, ack);
  if (position > self->acked)
    self->acked = position;
}

/* One more packet of the connection went by: a hole the receiver has
 * acknowledged past is lost from the capture once reordering can no
 * longer explain it. */
void
ntpac_tcp_stream_tick (NtpacTcpStream *self,
                       gint64          ts_ns)
{
  if (self->ooo == NULL || self->acked <= self->ooo->start)
    return;
  if (++self->hole_age > self->config.reorder_window)
    skip_hole (self, ts_ns);
}

/* Hands on everything held, holes becoming gaps (a size cap or the owner
 * ending the conversation). */
void
ntpac_tcp_stream_flush (NtpacTcpStream *self,
                        gint64          ts_ns)
{
  while (self->ooo != NULL)
    skip_hole (self, ts_ns);
}

/* The stream ends: held bytes are handed on, and bytes known to exist
 * (before the FIN, or acknowledged by the receiver) but never seen become
 * a final gap. */
void
ntpac_tcp_stream_finish (NtpacTcpStream *self,
                         gint64          ts_ns)
{
  guint64 known_end;

  if (!self->started)
    return;
  ntpac_tcp_stream_flush (self, ts_ns);
  known_end = self->fin_seen ? self->fin_at : self->acked;
  if (known_end > self->next && known_end - self->next <= self->config.max_jump)
    {
      self->cb->gap (self->owner, self, known_end - self->next, ts_ns);
      self->next = known_end;
    }
}

gboolean
ntpac_tcp_stream_is_started (NtpacTcpStream *self)
{
  return self->started;
}

gboolean
ntpac_tcp_stream_fin_seen (NtpacTcpStream *self)
{
  return self->fin_seen;
}

gboolean
ntpac_tcp_stream_syn_seen (NtpacTcpStream *self)
{
  return self->syn_seen;
}

guint32
ntpac_tcp_stream_isn (NtpacTcpStream *self)
{
  return self->isn;
}

/* Stream offset of the next byte: bytes handed on plus gaps. */
guint64
ntpac_tcp_stream_delivered (NtpacTcpStream *self)
{
  return self->started ? self->next - self->base : 0;
}

gsize
ntpac_tcp_stream_buffered (NtpacTcpStream *self)
{
  return self->ooo_bytes;
}
