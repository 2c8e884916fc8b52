/* ntpac-defrag.c: IPv4 and IPv6 fragment reassembly
 *
 * RFC 791 and RFC 8200 §4.5. Datagrams are keyed by (addresses, id, and
 * for IPv4 the protocol). Overlaps keep the bytes received first (as
 * BSD-derived stacks do) and differing overlaps are reported. Time is
 * capture time: a datagram older than the timeout when the next fragment
 * arrives is dropped, and a memory cap drops the oldest datagrams first,
 * so hostile fragment floods cannot grow memory without bound.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-defrag-private.h"

#define MAX_DATAGRAM        65535u
#define MAX_FRAGMENTS       1024u /* 8-byte fragments of a 8 KiB datagram */
#define DATAGRAM_OVERHEAD   128u  /* bookkeeping bytes counted per datagram */

typedef struct
{
  guint32  offset;
  guint32  len;        /* on the wire */
  guint32  captured;   /* held in @data: less when the capture cut it */
  guint8  *data;
} Fragment;

typedef struct
{
  NtpacDefragKey  key;
  gint64          first_ts_ns;
  gint64          last_ts_ns;     /* of the last fragment, which anomalies name */
  GArray         *fragments;   /* Fragment, sorted by offset */
  GArray         *frames;      /* NtpacFrameRef, arrival order */
  guint32         total_len;   /* known once the last fragment arrived */
  gboolean        have_last;
  gboolean        have_first;
  gboolean        conflict_reported;
  guint8          next_header;
  gsize           memory;
  GList           age_link;    /* in NtpacDefrag.age, oldest first */
} Datagram;

struct _NtpacDefrag
{
  GHashTable       *table;     /* NtpacDefragKey -> Datagram */
  GQueue            age;
  gint64            timeout_ns;
  gsize             memory_cap;
  gsize             memory;
  NtpacAnomalyFunc  report;
  gpointer          report_data;
};

static guint
key_hash (gconstpointer p)
{
  const NtpacDefragKey *k = p;
  guint h = k->id * 2654435761u ^ k->family ^ ((guint) k->proto << 8);

  for (guint i = 0; i < 16; i += 4)
    {
      guint32 s, d;

      memcpy (&s, k->src + i, 4);
      memcpy (&d, k->dst + i, 4);
      h = (h ^ s) * 16777619u;
      h = (h ^ d) * 16777619u;
    }
  return h;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  return memcmp (a, b, sizeof (NtpacDefragKey)) == 0;
}

static void
datagram_free (gpointer data)
{
  Datagram *dg = data;

  for (guint i = 0; i < dg->fragments->len; i++)
    g_free (g_array_index (dg->fragments, Fragment, i).data);
  g_array_unref (dg->fragments);
  g_array_unref (dg->frames);
  g_free (dg);
}

NtpacDefrag *
ntpac_defrag_new (gint64           timeout_ns,
                  gsize            memory_cap,
                  NtpacAnomalyFunc report,
                  gpointer         report_data)
{
  NtpacDefrag *self = g_new0 (NtpacDefrag, 1);

  self->table = g_hash_table_new_full (key_hash, key_equal, NULL, datagram_free);
  g_queue_init (&self->age);
  self->timeout_ns = timeout_ns;
  self->memory_cap = memory_cap;
  self->report = report;
  self->report_data = report_data;
  return self;
}

void
ntpac_defrag_free (NtpacDefrag *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->table);
  g_free (self);
}

static void
report_anomaly (NtpacDefrag         *self,
                NtpacAnomalyKind     kind,
                const NtpacFrameRef *frame,
                gint64               ts_ns)
{
  NtpacAnomaly anomaly = { kind, *frame, ts_ns };

  if (self->report != NULL)
    self->report (&anomaly, self->report_data);
}

/* Drops a datagram, reporting @kind against its last fragment. */
static void
drop_datagram (NtpacDefrag      *self,
               Datagram         *dg,
               NtpacAnomalyKind  kind)
{
  if (dg->frames->len > 0)
    report_anomaly (self, kind,
                    &g_array_index (dg->frames, NtpacFrameRef, dg->frames->len - 1),
                    dg->last_ts_ns);
  g_queue_unlink (&self->age, &dg->age_link);
  self->memory -= dg->memory;
  g_hash_table_remove (self->table, &dg->key);
}

static void
expire (NtpacDefrag *self,
        gint64       now_ns)
{
  while (self->age.head != NULL)
    {
      Datagram *dg = self->age.head->data;

      if (now_ns - dg->first_ts_ns <= self->timeout_ns)
        break;
      drop_datagram (self, dg, NTPAC_ANOMALY_FRAG_TIMEOUT);
    }
}

/* Compares the bytes a new fragment shares with those already held. */
static gboolean
overlap_conflicts (const Datagram *dg,
                   guint32         offset,
                   const guint8   *data,
                   guint32         len)
{
  for (guint i = 0; i < dg->fragments->len; i++)
    {
      const Fragment *f = &g_array_index (dg->fragments, Fragment, i);
      guint32 lo = MAX (f->offset, offset);
      guint32 hi = MIN (f->offset + f->captured, offset + len);

      if (lo < hi && memcmp (f->data + (lo - f->offset), data + (lo - offset), hi - lo) != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_duplicate (const Datagram *dg,
              guint32         offset,
              const guint8   *data,
              guint32         captured,
              guint32         len)
{
  for (guint i = 0; i < dg->fragments->len; i++)
    {
      const Fragment *f = &g_array_index (dg->fragments, Fragment, i);

      if (f->offset == offset && f->len == len && f->captured == captured &&
          (captured == 0 || memcmp (f->data, data, captured) == 0))
        return TRUE;
    }
  return FALSE;
}

/* Keeps a copy of the fragment in offset order. Bytes it shares with
 * fragments already held take their value (the first received wins), so
 * every stored copy agrees and the order of assembly does not matter. */
static void
insert_fragment (Datagram     *dg,
                 guint32       offset,
                 const guint8 *data,
                 guint32       captured,
                 guint32       len)
{
  Fragment f = { offset, len, captured, g_memdup2 (data, captured) };
  guint i = dg->fragments->len;

  for (guint j = 0; j < dg->fragments->len; j++)
    {
      const Fragment *old = &g_array_index (dg->fragments, Fragment, j);
      guint32 lo = MAX (old->offset, offset);
      guint32 hi = MIN (old->offset + old->captured, offset + captured);

      if (lo < hi)
        memcpy (f.data + (lo - offset), old->data + (lo - old->offset), hi - lo);
    }
  while (i > 0 && g_array_index (dg->fragments, Fragment, i - 1).offset > offset)
    i--;
  g_array_insert_val (dg->fragments, i, f);
}

static gboolean
is_complete (const Datagram *dg)
{
  guint32 covered = 0;

  if (!dg->have_last || !dg->have_first)
    return FALSE;
  for (guint i = 0; i < dg->fragments->len; i++)
    {
      const Fragment *f = &g_array_index (dg->fragments, Fragment, i);

      if (f->offset > covered)
        return FALSE;
      covered = MAX (covered, f->offset + f->len);
    }
  return covered >= dg->total_len;
}

/* The datagram, as far as the capture holds it: bytes are held from the
 * start up to the first fragment the capture cut (a snap length); the
 * reported length is the whole datagram's. */
static NtpacBuffer *
assemble (const Datagram *dg)
{
  guint8 *out = g_malloc0 (MAX (dg->total_len, 1u));
  guint32 held = 0;

  for (guint i = 0; i < dg->fragments->len; i++)
    {
      const Fragment *f = &g_array_index (dg->fragments, Fragment, i);
      guint32 end = MIN (f->offset + f->captured, dg->total_len);

      if (f->offset < end)
        memcpy (out + f->offset, f->data, end - f->offset);
      if (f->offset <= held)
        held = MAX (held, end);
    }
  return ntpac_buffer_new_take (out, held, dg->total_len);
}

NtpacDefragStatus
ntpac_defrag_add (NtpacDefrag          *self,
                  const NtpacDefragKey *key,
                  const NtpacFrame     *frame,
                  guint32               offset,
                  gboolean              more,
                  guint8                next_header,
                  const guint8         *data,
                  guint32               captured,
                  guint32               len,
                  NtpacDefragResult    *result)
{
  Datagram *dg;

  expire (self, frame->ts_ns);

  dg = g_hash_table_lookup (self->table, key);
  if (dg == NULL)
    {
      dg = g_new0 (Datagram, 1);
      dg->key = *key;
      dg->first_ts_ns = frame->ts_ns;
      dg->fragments = g_array_new (FALSE, FALSE, sizeof (Fragment));
      dg->frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
      dg->age_link.data = dg;
      dg->memory = DATAGRAM_OVERHEAD;
      self->memory += dg->memory;
      g_hash_table_insert (self->table, &dg->key, dg);
      g_queue_push_tail_link (&self->age, &dg->age_link);
    }
  /* Every frame counts, duplicates too: a flood of copies of one
   * fragment is bounded like a flood of fragments. */
  if (dg->frames->len >= MAX_FRAGMENTS)
    {
      drop_datagram (self, dg, NTPAC_ANOMALY_FRAG_TOO_MANY);
      return NTPAC_DEFRAG_DROPPED;
    }
  g_array_append_val (dg->frames, frame->ref);
  dg->last_ts_ns = frame->ts_ns;
  dg->memory += sizeof (NtpacFrameRef);
  self->memory += sizeof (NtpacFrameRef);
  captured = MIN (captured, len);

  if ((gsize) offset + len > MAX_DATAGRAM)
    {
      drop_datagram (self, dg, NTPAC_ANOMALY_FRAG_TOO_LARGE);
      return NTPAC_DEFRAG_DROPPED;
    }
  if (more && len % 8 != 0)
    {
      NtpacAnomaly anomaly = { NTPAC_ANOMALY_FRAG_BAD_LENGTH, frame->ref, frame->ts_ns };

      if (self->report != NULL)
        self->report (&anomaly, self->report_data);
    }
  if (!more)
    {
      if (dg->have_last && dg->total_len != offset + len && !dg->conflict_reported)
        {
          report_anomaly (self, NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT, &frame->ref, frame->ts_ns);
          dg->conflict_reported = TRUE;
        }
      if (!dg->have_last)
        {
          dg->have_last = TRUE;
          dg->total_len = offset + len;
        }
    }
  if (offset == 0 && !dg->have_first)
    {
      dg->have_first = TRUE;
      dg->next_header = next_header;
    }

  if (!is_duplicate (dg, offset, data, captured, len))
    {
      if (!dg->conflict_reported && overlap_conflicts (dg, offset, data, captured))
        {
          report_anomaly (self, NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT, &frame->ref, frame->ts_ns);
          dg->conflict_reported = TRUE;
        }
      insert_fragment (dg, offset, data, captured, len);
      dg->memory += captured + sizeof (Fragment);
      self->memory += captured + sizeof (Fragment);
    }

  if (is_complete (dg))
    {
      result->datagram = assemble (dg);
      result->next_header = dg->next_header;
      result->n_frames = dg->frames->len;
      result->frames = (NtpacFrameRef *) g_array_free (g_steal_pointer (&dg->frames), FALSE);
      dg->frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
      g_queue_unlink (&self->age, &dg->age_link);
      self->memory -= dg->memory;
      g_hash_table_remove (self->table, &dg->key);
      return NTPAC_DEFRAG_COMPLETE;
    }

  while (self->memory > self->memory_cap && self->age.head != NULL)
    {
      Datagram *oldest = self->age.head->data;
      gboolean is_current = oldest == dg;

      drop_datagram (self, oldest, NTPAC_ANOMALY_FRAG_MEMORY_CAP);
      if (is_current)
        return NTPAC_DEFRAG_DROPPED;
    }
  return NTPAC_DEFRAG_HELD;
}

/* End of capture: what is still incomplete is dropped and reported. */
void
ntpac_defrag_flush (NtpacDefrag *self)
{
  while (self->age.head != NULL)
    drop_datagram (self, self->age.head->data, NTPAC_ANOMALY_FRAG_INCOMPLETE);
}

gsize
ntpac_defrag_get_memory (NtpacDefrag *self)
{
  return self->memory;
}

guint
ntpac_defrag_get_pending (NtpacDefrag *self)
{
  return g_hash_table_size (self->table);
}
