/* ntpac-dissect-stage.c: running dissectors over conversations
 *
 * Runs on the worker threads, between reassembly and the store. The first
 * data of a conversation is offered to the dissectors that read its
 * transport, in pipeline order; those whose probe accepts it compete, and
 * one whose ports hint at its protocol wins a tie. The winner is pinned to
 * the conversation: it gets every byte of each direction in order, and
 * what it does not consume is kept (up to a cap) until it says it has
 * enough. Missing bytes are never glued over: the dissector is told of
 * each gap. Records it emits get the fields common to every kind
 * (conversation, time, endpoints, frames) before they go to the store.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE   /* memmem */
#include "config.h"

#include <string.h>

#include "ntpac-dissect-stage-private.h"
#include "ntpac-record.h"
#include "ntpac-store-keys.h"

/* Bytes kept for a dissector that asked for more: beyond this the bytes
 * are dropped as if lost, and the dissector is told of a gap. */
#define PENDING_CAP (4u * 1024 * 1024)
/* PDUs with data offered to the probes before giving up (a TCP stream may
 * talk a while before it upgrades to TLS: STARTTLS, HTTP CONNECT), and how
 * few refused bytes are kept for the next segment to complete. */
#define PROBE_TRIES_DATAGRAM 4
#define PROBE_TRIES_STREAM 32
#define PROBE_KEEP 64

struct _NtpacFrameSet
{
  GArray *frames;     /* NtpacFrameRef, no two neighbours equal */
  gint64  first_ts_ns;
};

/* Where bytes of the pending buffer came from. */
typedef struct
{
  guint64       start;     /* position in the direction's stream */
  guint32       length;
  NtpacFrameRef frame;
  gint64        ts_ns;
} Segment;

/* The bytes of a direction being read are either the PDU's own (the
 * view, while a PDU is offered and nothing was held before it: no copy)
 * or, for what a dissector leaves unconsumed, a copy kept in pending. */
typedef struct
{
  GByteArray *pending;      /* bytes offered, not consumed yet */
  const guint8 *view;       /* or these, the PDU's, during its offer */
  gsize       view_len;
  guint64     base;         /* stream position (bytes delivered) of the first byte */
  GArray     *segments;     /* Segment, covering pending */
  gsize       needed;       /* call again once pending holds this much */
  gsize       offered;      /* pending bytes the dissector has seen */
  gboolean    rejected;     /* while identifying: every probe refused pending */
} Direction;

/* A conversation as the stage sees it, in conversation->dissect_state. */
typedef struct
{
  NtpacDissector *dissector;     /* pinned; NULL while probing or given up */
  gpointer        state;         /* the dissector's */
  gboolean        done;          /* given up, rejected, or ended */
  guint           probes;        /* PDUs offered to the probes */
  gboolean        release;       /* the dissector gives the rest of the stream up */
  Direction       dir[2];
  guint32         next_record;
} ConversationState;

struct _NtpacDissectContext
{
  NtpacDissectStage       *stage;
  const NtpacConversation *conversation;
  ConversationState       *cs;
  NtpacDirection           direction;   /* of the bytes being read */
};

struct _NtpacDissectStage
{
  GPtrArray                   *dissectors;
  const NtpacDissectSinkFuncs *sink;
  gpointer                     sink_data;
  NtpacDissectStats            stats;     /* atomic adds */
};

static void
count (guint64 *counter)
{
  __atomic_add_fetch (counter, 1, __ATOMIC_RELAXED);
}

/* ---- frame sets ------------------------------------------------------------ */

NtpacFrameSet *
ntpac_frame_set_new (void)
{
  NtpacFrameSet *set = g_new0 (NtpacFrameSet, 1);

  set->frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
  set->first_ts_ns = G_MAXINT64;
  return set;
}

void
ntpac_frame_set_free (NtpacFrameSet *set)
{
  if (set == NULL)
    return;
  g_array_unref (set->frames);
  g_free (set);
}

/* Empties @set for the next record. */
void
ntpac_frame_set_clear (NtpacFrameSet *set)
{
  g_array_set_size (set->frames, 0);
  set->first_ts_ns = G_MAXINT64;
}

guint
ntpac_frame_set_get_size (const NtpacFrameSet *set)
{
  return set->frames->len;
}

static void
frame_set_add (NtpacFrameSet       *set,
               const NtpacFrameRef *frame,
               gint64               ts_ns)
{
  if (set->frames->len > 0)
    {
      const NtpacFrameRef *last = &g_array_index (set->frames, NtpacFrameRef, set->frames->len - 1);

      if (last->input == frame->input && last->number == frame->number)
        return;
    }
  g_array_append_val (set->frames, *frame);
  set->first_ts_ns = MIN (set->first_ts_ns, ts_ns);
}

/* ---- the stage ------------------------------------------------------------- */

/**
 * ntpac_dissect_stage_new:
 * @dissectors: (element-type NtpacDissector): in the order they are tried
 * @sink: (nullable): where records and anomalies go; %NULL to only count
 *   them
 * @sink_data: passed to @sink
 */
NtpacDissectStage *
ntpac_dissect_stage_new (GPtrArray                   *dissectors,
                         const NtpacDissectSinkFuncs *sink,
                         gpointer                     sink_data)
{
  NtpacDissectStage *self = g_new0 (NtpacDissectStage, 1);

  self->dissectors = g_ptr_array_ref (dissectors);
  self->sink = sink;
  self->sink_data = sink_data;
  return self;
}

void
ntpac_dissect_stage_free (NtpacDissectStage *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->dissectors);
  g_free (self);
}

GPtrArray *
ntpac_dissect_stage_get_dissectors (NtpacDissectStage *self)
{
  return self->dissectors;
}

void
ntpac_dissect_stage_get_stats (NtpacDissectStage *self,
                               NtpacDissectStats *stats)
{
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  *stats = self->stats;
}

static ConversationState *
conversation_state (const NtpacConversation *conversation)
{
  NtpacConversation *c = (NtpacConversation *) conversation;
  ConversationState *cs = c->dissect_state;

  if (cs == NULL)
    {
      cs = g_new0 (ConversationState, 1);
      for (guint d = 0; d < 2; d++)
        {
          cs->dir[d].pending = g_byte_array_new ();
          cs->dir[d].segments = g_array_new (FALSE, FALSE, sizeof (Segment));
        }
      c->dissect_state = cs;
    }
  return cs;
}

static void
conversation_state_free (ConversationState *cs)
{
  for (guint d = 0; d < 2; d++)
    {
      g_byte_array_unref (cs->dir[d].pending);
      g_array_unref (cs->dir[d].segments);
    }
  g_free (cs);
}

static NtpacDissectInput
input_of (const NtpacConversation *conversation)
{
  return conversation->transport == NTPAC_TRANSPORT_TCP ? NTPAC_DISSECT_INPUT_TCP_STREAM
                                                        : NTPAC_DISSECT_INPUT_UDP_DATAGRAM;
}

/* The first segment of a direction that ends after stream position @pos:
 * segments follow each other in the stream, so it is found by bisection
 * (a large PDU has hundreds of them, and parsers ask about every piece
 * they read). */
static guint
segment_after (const Direction *d,
               guint64          pos)
{
  guint lo = 0, hi = d->segments->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Segment *s = &g_array_index (d->segments, Segment, mid);

      if (s->start + s->length <= pos)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Whether @a's held bytes were sent before @b's. */
static gboolean
spoke_first (const Direction *a,
             const Direction *b)
{
  return a->segments->len > 0 && b->segments->len > 0 &&
         g_array_index (a->segments, Segment, 0).ts_ns < g_array_index (b->segments, Segment, 0).ts_ns;
}

/* The core's own anomalies about dissection. */
static const struct
{
  const gchar *id;
  const gchar *description;
} stage_anomalies[] = {
  { "dissector.truncated", "A datagram ended in the middle of a message" },
  { "dissector.malformed", "The dissector could not read these bytes as its protocol" },
  { "dissector.buffer-cap", "A message was larger than the dissector buffer: its bytes were skipped" },
};

static void
report (NtpacDissectContext *ctx,
        const gchar         *id,
        NtpacSeverity        severity,
        gsize                offset)
{
  const gchar *description = NULL;
  Direction *d = &ctx->cs->dir[ctx->direction];
  const NtpacFrameRef *frame = &ctx->conversation->first_frame;
  gint64 ts_ns = ctx->conversation->first_ts_ns;
  guint64 at = d->base + offset;
  guint i = segment_after (d, at);

  if (i < d->segments->len && g_array_index (d->segments, Segment, i).start <= at)
    {
      frame = &g_array_index (d->segments, Segment, i).frame;
      ts_ns = g_array_index (d->segments, Segment, i).ts_ns;
    }
  for (guint i = 0; i < G_N_ELEMENTS (stage_anomalies); i++)
    if (g_str_equal (stage_anomalies[i].id, id))
      description = stage_anomalies[i].description;
  if (description == NULL && ctx->cs->dissector != NULL)
    ntpac_dissector_describe_anomaly (ctx->cs->dissector, id, NULL, &description);
  count (&ctx->stage->stats.anomalies);
  if (ctx->stage->sink != NULL)
    ctx->stage->sink->anomaly (ctx->stage->sink_data, ctx->conversation, id, severity, description,
                               frame, ts_ns);
}

/* Chooses the dissector for a conversation from its first data: among
 * those whose probe accepts the bytes, one hinted by a port wins, else
 * the first in pipeline order. */
static NtpacDissector *
probe (NtpacDissectStage       *self,
       const NtpacConversation *conversation,
       NtpacDirection           direction,
       const guint8            *data,
       gsize                    len)
{
  NtpacDissectInput input = input_of (conversation);
  NtpacDissector *first = NULL;

  for (guint i = 0; i < self->dissectors->len; i++)
    {
      NtpacDissector *dissector = self->dissectors->pdata[i];
      NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (dissector);
      gboolean hint;

      if (klass->probe == NULL || !ntpac_dissector_accepts (dissector, input))
        continue;
      hint = ntpac_dissector_port_hint (dissector, input, conversation->tuple.sport) ||
             ntpac_dissector_port_hint (dissector, input, conversation->tuple.dport);
      if (!klass->probe (dissector, input, direction, data, len, hint))
        continue;
      if (hint)
        return dissector;
      if (first == NULL)
        first = dissector;
    }
  return first;
}

/* The bytes being read in a direction. */
static const guint8 *
held (const Direction *d,
      gsize           *len)
{
  if (d->view != NULL)
    {
      *len = d->view_len;
      return d->view;
    }
  *len = d->pending->len;
  return d->pending->data;
}

static gsize
held_len (const Direction *d)
{
  return d->view != NULL ? d->view_len : d->pending->len;
}

/* Drops the first @n bytes being read in a direction. */
static void
consume (Direction *d,
         gsize      n)
{
  guint keep = 0;

  n = MIN (n, held_len (d));
  if (d->view != NULL)
    {
      d->view += n;
      d->view_len -= n;
    }
  else
    g_byte_array_remove_range (d->pending, 0, n);
  d->base += n;
  d->offered = d->offered > n ? d->offered - n : 0;
  while (keep < d->segments->len)
    {
      const Segment *s = &g_array_index (d->segments, Segment, keep);

      if (s->start + s->length > d->base)
        break;
      keep++;
    }
  g_array_remove_range (d->segments, 0, keep);
}

static void
give_up (NtpacDissectContext *ctx)
{
  ConversationState *cs = ctx->cs;
  NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (cs->dissector);

  if (klass->conversation_end != NULL)
    klass->conversation_end (cs->dissector, ctx, cs->state);
  cs->state = NULL;
  cs->dissector = NULL;
  cs->done = TRUE;
  for (guint d = 0; d < 2; d++)
    consume (&cs->dir[d], cs->dir[d].pending->len);
}

static void release (NtpacDissectContext *ctx);

/* Offers what is pending in the context's direction to the dissector
 * until it stops consuming. */
static void
run_dissector (NtpacDissectContext *ctx,
               gboolean             datagram)
{
  ConversationState *cs = ctx->cs;
  Direction *d = &cs->dir[ctx->direction];
  NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (cs->dissector);

  while (!cs->done && held_len (d) > 0 && held_len (d) >= d->needed)
    {
      NtpacCursor cursor;
      NtpacDissectResult r;
      gsize len;
      const guint8 *data = held (d, &len);

      ntpac_cursor_init (&cursor, data, len, datagram ? len : NTPAC_CURSOR_OPEN_END);
      d->offered = len;
      r = klass->dissect (cs->dissector, ctx, cs->state, ctx->direction, &cursor);
      d->needed = 0;
      switch (r.status)
        {
        case NTPAC_DISSECT_STATUS_OK:
          consume (d, r.consumed);
          if (r.consumed == 0)
            return;  /* wait for more bytes */
          break;
        case NTPAC_DISSECT_STATUS_INCOMPLETE:
          /* needed counts from the start of what was offered */
          consume (d, r.consumed);
          d->needed = r.needed > r.consumed ? r.needed - r.consumed : held_len (d) + 1;
          if (datagram)
            {
              report (ctx, "dissector.truncated", NTPAC_SEVERITY_WARNING, 0);
              consume (d, held_len (d));
            }
          return;
        case NTPAC_DISSECT_STATUS_MALFORMED:
          report (ctx, "dissector.malformed", NTPAC_SEVERITY_WARNING, MIN (r.consumed, held_len (d)));
          consume (d, r.consumed > 0 ? r.consumed : held_len (d));
          break;
        case NTPAC_DISSECT_STATUS_REJECT:
        default:
          count (&ctx->stage->stats.rejected);
          give_up (ctx);
          return;
        }
      if (cs->release)
        {
          release (ctx);
          return;
        }
    }
}

/* Records where payload[from, to) of @pdu came from, as the bytes that
 * follow those held. */
static void
add_segments (Direction      *d,
              const NtpacPdu *pdu,
              gsize           from,
              gsize           to)
{
  guint64 start = d->base + held_len (d);

  for (guint i = 0; i < pdu->segments->len; i++)
    {
      const NtpacPduSegment *s = &g_array_index (pdu->segments, NtpacPduSegment, i);
      gsize s_from = MAX ((gsize) s->offset, from);
      gsize s_to = MIN ((gsize) s->offset + s->length, to);
      Segment seg;

      if (s_from >= s_to)
        continue;
      seg.start = start + (s_from - from);
      seg.length = (guint32) (s_to - s_from);
      seg.frame = s->frame;
      seg.ts_ns = pdu->first_ts_ns;
      g_array_append_val (d->segments, seg);
    }
}

/* Appends payload[from, to) of @pdu to the pending bytes, with where it
 * came from. */
static void
append (Direction      *d,
        const NtpacPdu *pdu,
        const guint8   *payload,
        gsize           from,
        gsize           to)
{
  add_segments (d, pdu, from, to);
  g_byte_array_append (d->pending, payload + from, to - from);
}

/* Offers payload[from, to) of @pdu: in place when nothing is held before
 * it (most of the time: no copy), then keeps what was not consumed. */
static void
offer (NtpacDissectContext *ctx,
       const NtpacPdu      *pdu,
       const guint8        *payload,
       gsize                from,
       gsize                to,
       gboolean             datagram)
{
  Direction *d = &ctx->cs->dir[ctx->direction];

  if (d->pending->len > 0)
    {
      append (d, pdu, payload, from, to);
      run_dissector (ctx, datagram);
      return;
    }
  add_segments (d, pdu, from, to);
  d->view = payload + from;
  d->view_len = to - from;
  run_dissector (ctx, datagram);
  if (d->view_len > 0)
    g_byte_array_append (d->pending, d->view, d->view_len);
  d->view = NULL;
  d->view_len = 0;
}

static void
tell_gap (NtpacDissectContext *ctx,
          guint64              missing)
{
  ConversationState *cs = ctx->cs;
  Direction *d = &cs->dir[ctx->direction];
  NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (cs->dissector);
  /* Bytes held while the dissector waited for more were never offered:
   * to it, they are lost with the gap. */
  guint64 unseen = held_len (d) - MIN (d->offered, held_len (d));

  /* Bytes waiting for more can never be completed now. */
  consume (d, held_len (d));
  d->needed = 0;
  if (klass->gap != NULL)
    klass->gap (cs->dissector, ctx, cs->state, ctx->direction, missing + unseen);
}

/* The dissector is chosen: its state is made. */
static void
start (NtpacDissectContext *ctx)
{
  ConversationState *cs = ctx->cs;

  count (&ctx->stage->stats.identified);
  ntpac_dissect_context_set_protocol (ctx, ntpac_dissector_get_protocol (cs->dissector));
  if (NTPAC_DISSECTOR_GET_CLASS (cs->dissector)->conversation_start != NULL)
    cs->state = NTPAC_DISSECTOR_GET_CLASS (cs->dissector)->conversation_start (cs->dissector, ctx);
}

/* A TCP conversation not identified yet: the probes see everything each
 * direction sent so far (a first segment may hold only a few bytes), kept
 * in its pending bytes, and then this PDU's bytes alone (a protocol that
 * starts later in the stream: TLS after STARTTLS). Once one accepts, the
 * dissector reads the accepted bytes, and what the other side sent since,
 * from their start; *@resume is where the rest of @pdu is to be read,
 * from its gap *@first_gap on. Bytes before a gap are never probed with bytes
 * after it: they are not one stream. */
static gboolean
identify_stream (NtpacDissectStage   *self,
                 NtpacDissectContext *ctx,
                 const NtpacPdu      *pdu,
                 const guint8        *payload,
                 gsize                len,
                 gsize               *resume,
                 guint               *first_gap)
{
  ConversationState *cs = ctx->cs;
  Direction *d = &cs->dir[pdu->direction];
  Direction *other = &cs->dir[pdu->direction == NTPAC_DIRECTION_UP ? NTPAC_DIRECTION_DOWN : NTPAC_DIRECTION_UP];
  gsize from = 0;
  gsize to = pdu->gaps->len > 0 ? MIN ((gsize) g_array_index (pdu->gaps, NtpacPduGap, 0).offset, len) : len;
  gsize fresh;

  /* A PDU that starts with lost bytes (a connection caught mid-stream, or
   * segments not captured) is probed from its last gap on. */
  if (to == 0 && pdu->gaps->len > 0)
    {
      from = MIN ((gsize) g_array_index (pdu->gaps, NtpacPduGap, pdu->gaps->len - 1).offset, len);
      to = len;
      consume (d, d->pending->len);
      d->base += from;   /* delivered, but not read */
      *first_gap = pdu->gaps->len;   /* all before what is read */
    }
  fresh = to - from;
  /* Refused bytes are kept only while they are a few (PROBE_KEEP), so
   * what is held here is this PDU's, up to its first gap. */
  if (fresh > 0)
    append (d, pdu, payload, from, to);
  *resume = to;
  if (d->pending->len == 0)
    return FALSE;
  cs->dissector = probe (self, ctx->conversation, pdu->direction, d->pending->data, d->pending->len);
  /* A connection caught mid-stream often starts with a TCP keep-alive: one
   * byte, just before the data (it is not the protocol's). */
  if (cs->dissector == NULL && d->pending->len > 1 && d->segments->len > 0 &&
      g_array_index (d->segments, Segment, 0).length == 1 && !ctx->conversation->initiator_known)
    {
      cs->dissector = probe (self, ctx->conversation, pdu->direction, d->pending->data + 1, d->pending->len - 1);
      if (cs->dissector != NULL)
        consume (d, 1);
    }
  if (cs->dissector == NULL && d->pending->len > fresh && fresh > 0)
    {
      cs->dissector = probe (self, ctx->conversation, pdu->direction,
                             d->pending->data + d->pending->len - fresh, fresh);
      if (cs->dissector != NULL)
        consume (d, d->pending->len - fresh);   /* what came before was something else */
    }
  /* A text header block that upgrades the stream (Upgrade: TLS, as
   * gtk-gnutella does) may have the new protocol's first bytes right
   * after its blank line, in the same segment. */
  if (cs->dissector == NULL && fresh > 4)
    {
      const guint8 *fresh_data = d->pending->data + d->pending->len - fresh;
      const guint8 *blank = memmem (fresh_data, fresh, "\r\n\r\n", 4);
      gsize skip = blank != NULL ? (gsize) (blank - d->pending->data) + 4 : 0;

      if (blank != NULL && skip < d->pending->len)
        {
          cs->dissector = probe (self, ctx->conversation, pdu->direction, d->pending->data + skip,
                                 d->pending->len - skip);
          if (cs->dissector != NULL)
            consume (d, skip);
        }
    }
  if (cs->dissector == NULL)
    {
      d->rejected = TRUE;
      if (++cs->probes >= PROBE_TRIES_STREAM)
        cs->done = TRUE;
      /* after a gap, when too long to be a short start, or given up, the
       * bytes held cannot start a stream */
      if (cs->done || pdu->gaps->len > 0 || d->pending->len >= PROBE_KEEP)
        consume (d, d->pending->len);
      if (cs->done)
        consume (other, other->pending->len);
      return FALSE;
    }
  /* The other side's refused bytes from before these were something else. */
  if (other->rejected && spoke_first (other, d))
    consume (other, other->pending->len);
  start (ctx);
  /* What each side sent so far is read, the side that spoke first first. */
  {
    NtpacDirection first = pdu->direction;
    NtpacDirection second = first == NTPAC_DIRECTION_UP ? NTPAC_DIRECTION_DOWN : NTPAC_DIRECTION_UP;
    NtpacDissectContext side = *ctx;

    if (spoke_first (other, d))
      {
        first = second;
        second = pdu->direction;
      }
    side.direction = first;
    run_dissector (&side, FALSE);
    side.direction = second;
    /* the dissector may have released the stream, and nothing took it */
    if (!cs->done && cs->dissector != NULL)
      run_dissector (&side, FALSE);
  }
  return TRUE;
}

/* The dissector gave the rest of the stream up (a tunnel opened: HTTP
 * CONNECT): it ends, and what follows is identified anew, from the bytes
 * it did not consume. */
static void
release (NtpacDissectContext *ctx)
{
  ConversationState *cs = ctx->cs;
  NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (cs->dissector);

  if (klass->conversation_end != NULL)
    klass->conversation_end (cs->dissector, ctx, cs->state);
  cs->state = NULL;
  cs->dissector = NULL;
  cs->release = FALSE;
  cs->probes = 0;
  for (guint i = 0; i < 2; i++)
    {
      cs->dir[i].needed = 0;
      cs->dir[i].offered = 0;
      cs->dir[i].rejected = FALSE;
    }
  for (guint i = 0; i < 2 && cs->dissector == NULL; i++)
    {
      NtpacDirection dir = i == 0 ? ctx->direction : (ctx->direction == NTPAC_DIRECTION_UP ? NTPAC_DIRECTION_DOWN
                                                                                            : NTPAC_DIRECTION_UP);
      Direction *d = &cs->dir[dir];
      NtpacDissectContext side = *ctx;
      gsize len;
      const guint8 *data = held (d, &len);

      if (len == 0)
        continue;
      cs->dissector = probe (ctx->stage, ctx->conversation, dir, data, len);
      if (cs->dissector == NULL)
        continue;
      side.direction = dir;
      start (&side);
      run_dissector (&side, FALSE);
      side.direction = dir == NTPAC_DIRECTION_UP ? NTPAC_DIRECTION_DOWN : NTPAC_DIRECTION_UP;
      if (!cs->done && cs->dissector != NULL)
        run_dissector (&side, FALSE);
    }
}

/**
 * ntpac_dissect_stage_pdu:
 * @self: the stage
 * @conversation: the conversation the PDU belongs to
 * @pdu: the PDU
 *
 * A #NtpacConversationSinkFuncs pdu callback's job: from a worker thread.
 */
void
ntpac_dissect_stage_pdu (NtpacDissectStage       *self,
                         const NtpacConversation *conversation,
                         const NtpacPdu          *pdu)
{
  ConversationState *cs = conversation_state (conversation);
  NtpacDissectContext ctx = { self, conversation, cs, pdu->direction };
  Direction *d = &cs->dir[pdu->direction];
  gboolean datagram = conversation->transport == NTPAC_TRANSPORT_UDP;
  gsize len;
  const guint8 *payload = ntpac_buffer_get_data (pdu->payload, &len);
  gsize from = 0;
  guint first_gap = 0;

  if (cs->done)
    return;
  if (cs->dissector == NULL)
    {
      if (len == 0)
        return;
      if (!datagram)
        {
          if (!identify_stream (self, &ctx, pdu, payload, len, &from, &first_gap))
            return;
        }
      else
        {
          cs->dissector = probe (self, conversation, pdu->direction, payload, len);
          if (cs->dissector == NULL)
            {
              if (++cs->probes >= PROBE_TRIES_DATAGRAM)
                cs->done = TRUE;
              return;
            }
          start (&ctx);
        }
    }

  for (guint g = first_gap; g <= pdu->gaps->len && !cs->done && cs->dissector != NULL; g++)
    {
      gsize to = g < pdu->gaps->len ? MIN ((gsize) g_array_index (pdu->gaps, NtpacPduGap, g).offset, len) : len;

      if (to > from)
        {
          if (d->pending->len + (to - from) > PENDING_CAP)
            {
              report (&ctx, "dissector.buffer-cap", NTPAC_SEVERITY_WARNING, 0);
              tell_gap (&ctx, to - from);
              d->base += to - from;   /* skipped, but part of the stream */
            }
          else
            offer (&ctx, pdu, payload, from, to, datagram);
          from = to;
        }
      if (g < pdu->gaps->len && !cs->done && cs->dissector != NULL)
        tell_gap (&ctx, g_array_index (pdu->gaps, NtpacPduGap, g).length);
    }
  if (datagram && !cs->done)
    consume (d, d->pending->len);
}

/**
 * ntpac_dissect_stage_end:
 * @self: the stage
 * @conversation: a conversation that ended
 *
 * Lets its dissector emit what is pending, and frees the stage's state.
 */
void
ntpac_dissect_stage_end (NtpacDissectStage       *self,
                         const NtpacConversation *conversation)
{
  ConversationState *cs = conversation->dissect_state;
  NtpacDissectContext ctx = { self, conversation, cs, NTPAC_DIRECTION_UP };

  if (cs == NULL)
    return;
  if (cs->dissector != NULL && !cs->done)
    give_up (&ctx);
  conversation_state_free (cs);
  ((NtpacConversation *) conversation)->dissect_state = NULL;
}

/* ---- what dissectors call ---------------------------------------------------- */

const NtpacConversation *
ntpac_dissect_context_get_conversation (NtpacDissectContext *ctx)
{
  return ctx->conversation;
}

gpointer
ntpac_dissect_context_get_state (NtpacDissectContext *ctx)
{
  return ctx->cs;
}

gboolean
ntpac_dissect_state_locate (gpointer       state,
                            gconstpointer  data,
                            gsize          len,
                            guint8        *direction,
                            guint64       *stream_offset)
{
  ConversationState *cs = state;
  const guint8 *p = data;

  for (guint i = 0; i < 2; i++)
    {
      const Direction *d = &cs->dir[i];
      gsize held_bytes;
      const guint8 *start = held (d, &held_bytes);

      if (start != NULL && p >= start && len <= held_bytes && (gsize) (p - start) <= held_bytes - len)
        {
          *direction = (guint8) i;
          *stream_offset = d->base + (guint64) (p - start);
          return TRUE;
        }
    }
  return FALSE;
}

const NtpacDissectSinkFuncs *
ntpac_dissect_context_get_sink (NtpacDissectContext *ctx,
                                gpointer            *sink_data)
{
  *sink_data = ctx->stage->sink_data;
  return ctx->stage->sink;
}

/**
 * ntpac_dissect_context_add_frames:
 * @ctx: the context of the current call
 * @set: where to add
 * @offset: first byte, counted from the start of the current cursor's data
 * @length: how many bytes
 *
 * Adds the frames that carried those bytes to @set.
 * Since: 0.1
 */
void
ntpac_dissect_context_add_frames (NtpacDissectContext *ctx,
                                  NtpacFrameSet       *set,
                                  gsize                offset,
                                  gsize                length)
{
  Direction *d = &ctx->cs->dir[ctx->direction];
  guint64 from = d->base + offset;
  guint64 to = from + MAX (length, 1u);

  for (guint i = segment_after (d, from); i < d->segments->len; i++)
    {
      const Segment *s = &g_array_index (d->segments, Segment, i);

      if (s->start >= to)
        break;
      if (s->start + s->length > from)
        frame_set_add (set, &s->frame, s->ts_ns);
    }
}

/**
 * ntpac_dissect_context_begin_record:
 * @ctx: the context of the current call
 *
 * Gives an empty record for the dissector to add its fields to. Hand it
 * back with ntpac_dissect_context_emit_record() (or, to drop it,
 * ntpac_dissect_context_discard_record()) before the call returns.
 *
 * Returns: (transfer none): the record's fields
 * Since: 0.1
 */
NtpacRecordBuilder *
ntpac_dissect_context_begin_record (NtpacDissectContext *ctx)
{
  (void) ctx;
  return ntpac_record_builder_take ();
}

/**
 * ntpac_dissect_context_discard_record:
 * @ctx: the context of the current call
 * @fields: a record from ntpac_dissect_context_begin_record()
 *
 * Drops a record that will not be emitted.
 * Since: 0.1
 */
void
ntpac_dissect_context_discard_record (NtpacDissectContext *ctx,
                                      NtpacRecordBuilder  *fields)
{
  (void) ctx;
  ntpac_record_builder_give_back (fields);
}

/**
 * ntpac_dissect_context_emit_record:
 * @ctx: the context of the current call
 * @output: one of the dissector's declared outputs
 * @fields: (transfer full): the record's fields, from
 *   ntpac_dissect_context_begin_record()
 * @frames: (nullable): the frames it comes from; %NULL for those of all
 *   the bytes offered in the current call
 * @name: (nullable): a name to find the record by (a host, a DNS name, a
 *   TLS server name): `query --host` matches it
 *
 * Stores a record. The fields common to every kind (`ts`, `transport`,
 * `src`, `sport`, `dst`, `dport`, `input`, `frames`) come first, then
 * @fields, then `dissector`.
 * Since: 0.1
 */
void
ntpac_dissect_context_emit_record (NtpacDissectContext *ctx,
                                   const gchar         *output,
                                   NtpacRecordBuilder  *fields,
                                   const NtpacFrameSet *frames,
                                   const gchar         *name)
{
  const NtpacConversation *c = ctx->conversation;
  NtpacRecordBuilder *b = ntpac_record_builder_take ();
  g_autoptr(NtpacFrameSet) all = NULL;
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint8 record_key[20];
  guint32 input = c->first_frame.input;
  gint64 ts_ns;

  if (frames == NULL)
    {
      Direction *d = &ctx->cs->dir[ctx->direction];

      all = ntpac_frame_set_new ();
      ntpac_dissect_context_add_frames (ctx, all, 0, held_len (d));
      frames = all;
    }
  if (frames->frames->len > 0)
    input = g_array_index (frames->frames, NtpacFrameRef, 0).input;
  for (guint i = 0; i < frames->frames->len; i++)
    {
      const NtpacFrameRef *f = &g_array_index (frames->frames, NtpacFrameRef, i);

      if (f->input == input)
        g_array_append_val (numbers, f->number);
    }
  ts_ns = frames->first_ts_ns != G_MAXINT64 ? frames->first_ts_ns : c->first_ts_ns;

  ntpac_record_builder_add_int64 (b, "ts", ts_ns);
  ntpac_record_builder_add_string (b, "transport", c->transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp", -1);
  ntpac_record_add_address (b, "src", &c->tuple.src);
  ntpac_record_builder_add_uint16 (b, "sport", c->tuple.sport);
  ntpac_record_add_address (b, "dst", &c->tuple.dst);
  ntpac_record_builder_add_uint16 (b, "dport", c->tuple.dport);
  ntpac_record_builder_add_uint32 (b, "input", input);
  ntpac_record_builder_add_fixed_array (b, "frames", "t", numbers->data, numbers->len, sizeof (guint64));
  ntpac_record_builder_append (b, fields);
  ntpac_dissect_context_discard_record (ctx, fields);
  /* Which dissector wrote it: `analyze` replaces a dissector's records. */
  if (ctx->cs->dissector != NULL)
    ntpac_record_builder_add_string (b, "dissector", ntpac_dissector_get_protocol (ctx->cs->dissector), -1);

  memcpy (record_key, c->id.bytes, 16);
  ntpac_store_put_u32 (record_key + 16, ctx->cs->next_record++);
  count (&ctx->stage->stats.records);
  if (ctx->stage->sink != NULL)
    ctx->stage->sink->record (ctx->stage->sink_data, c, output, record_key, sizeof record_key,
                              b, name, ts_ns);
  ntpac_record_builder_give_back (b);
}

/**
 * ntpac_dissect_context_emit:
 * @ctx: the context of the current call
 * @output: one of the dissector's declared outputs
 * @record: (transfer floating): an `a{sv}` with the fields of the output
 * @frames: (nullable): the frames it comes from; %NULL for those of all
 *   the bytes offered in the current call
 * @name: (nullable): a name to find the record by
 *
 * Stores a record given as a value, as ntpac_dissect_context_emit_record()
 * does. Simpler to call, slower: GLib builds and serialises the value.
 * Since: 0.1
 */
void
ntpac_dissect_context_emit (NtpacDissectContext *ctx,
                            const gchar         *output,
                            GVariant            *record,
                            const NtpacFrameSet *frames,
                            const gchar         *name)
{
  NtpacRecordBuilder *fields = ntpac_dissect_context_begin_record (ctx);

  ntpac_record_builder_add_fields (fields, record);
  ntpac_dissect_context_emit_record (ctx, output, fields, frames, name);
}

/**
 * ntpac_dissect_context_anomaly:
 * @ctx: the context of the current call
 * @id: an anomaly the dissector declared
 * @offset: where, counted from the start of the current cursor's data
 *
 * Records an anomaly against the conversation, at the frame that held
 * that byte.
 * Since: 0.1
 */
void
ntpac_dissect_context_anomaly (NtpacDissectContext *ctx,
                               const gchar         *id,
                               gsize                offset)
{
  NtpacSeverity severity = NTPAC_SEVERITY_WARNING;

  if (ctx->cs->dissector != NULL &&
      !ntpac_dissector_describe_anomaly (ctx->cs->dissector, id, &severity, NULL))
    g_critical ("%s reports the undeclared anomaly “%s”", G_OBJECT_TYPE_NAME (ctx->cs->dissector), id);
  report (ctx, id, severity, offset);
}

/**
 * ntpac_dissect_context_release:
 * @ctx: the context of the current dissect() call
 *
 * Gives up the rest of the conversation, from the bytes this call does
 * not consume: the dissector's conversation_end() is called once
 * dissect() returns, and what follows is identified again (HTTP after
 * CONNECT hands the tunnel to TLS). The conversation keeps the protocol
 * identified last.
 * Since: 0.1
 */
void
ntpac_dissect_context_release (NtpacDissectContext *ctx)
{
  ctx->cs->release = TRUE;
}

/**
 * ntpac_dissect_context_set_protocol:
 * @ctx: the context of the current call
 * @protocol: the application protocol identified ("http")
 *
 * Stored on the conversation; set already to the dissector's protocol
 * when it is chosen.
 * Since: 0.1
 */
void
ntpac_dissect_context_set_protocol (NtpacDissectContext *ctx,
                                    const gchar         *protocol)
{
  NtpacConversation *c = (NtpacConversation *) ctx->conversation;

  if (g_strcmp0 (c->protocol, protocol) == 0)
    return;
  g_free (c->protocol);
  c->protocol = g_strdup (protocol);
}
