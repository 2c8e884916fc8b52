/* conversation-collector.c: a sink that keeps what tests check of each
 * conversation
 *
 * Workers call from their threads: open conversations are found by id
 * under a lock.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "conversation-collector.h"

struct _ConversationCollector
{
  GMutex      lock;
  gboolean    keep_pdus;
  GHashTable *open;       /* id bytes -> CollectedConversation */
  GPtrArray  *done;
};

static guint
id_hash (gconstpointer p)
{
  return g_str_hash (p);
}

static void
collected_free (gpointer p)
{
  CollectedConversation *c = p;

  g_byte_array_unref (c->payload[0]);
  g_byte_array_unref (c->payload[1]);
  if (c->conversation.frame_numbers != NULL)
    g_byte_array_unref (c->conversation.frame_numbers);
  g_free (c->conversation.protocol);
  g_array_unref (c->frames);
  g_ptr_array_unref (c->pdus);
  g_free (c);
}

ConversationCollector *
conversation_collector_new (gboolean keep_pdus)
{
  ConversationCollector *self = g_new0 (ConversationCollector, 1);

  g_mutex_init (&self->lock);
  self->keep_pdus = keep_pdus;
  self->open = g_hash_table_new_full (id_hash, g_str_equal, g_free, NULL);
  self->done = g_ptr_array_new_with_free_func (collected_free);
  return self;
}

void
conversation_collector_free (ConversationCollector *self)
{
  g_hash_table_unref (self->open);
  g_ptr_array_unref (self->done);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static CollectedConversation *
find (ConversationCollector   *self,
      const NtpacConversation *conversation)
{
  gchar *id = ntpac_conversation_id_to_hex (&conversation->id);
  CollectedConversation *c = g_hash_table_lookup (self->open, id);

  if (c == NULL)
    {
      c = g_new0 (CollectedConversation, 1);
      c->payload[0] = g_byte_array_new ();
      c->payload[1] = g_byte_array_new ();
      c->frames = g_array_new (FALSE, FALSE, sizeof (NtpacFrameRef));
      c->pdus = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_pdu_free);
      g_hash_table_insert (self->open, id, c);
    }
  else
    g_free (id);
  return c;
}

static void
collector_pdu (gpointer                 sink,
               const NtpacConversation *conversation,
               const NtpacPdu          *pdu)
{
  ConversationCollector *self = sink;
  CollectedConversation *c;
  gsize len;
  const guint8 *data = ntpac_buffer_get_data (pdu->payload, &len);

  g_mutex_lock (&self->lock);
  c = find (self, conversation);
  /* A duplicate datagram is a copy, not bytes the sender sent again: the
   * direction's bytes are those the conversation counts. */
  if (!pdu->duplicate)
    g_byte_array_append (c->payload[pdu->direction], data, len);
  else
    c->duplicates++;
  c->gap_bytes[pdu->direction] += pdu->missing_bytes;
  g_assert_cmpuint (pdu->index, ==, c->n_pdus);
  c->n_pdus++;
  if (self->keep_pdus)
    {
      NtpacPdu *copy = ntpac_pdu_new (pdu->direction);

      copy->index = pdu->index;
      copy->first_ts_ns = pdu->first_ts_ns;
      copy->last_ts_ns = pdu->last_ts_ns;
      copy->payload = ntpac_buffer_ref (pdu->payload);
      g_array_append_vals (copy->segments, pdu->segments->data, pdu->segments->len);
      g_array_append_vals (copy->gaps, pdu->gaps->data, pdu->gaps->len);
      copy->missing_bytes = pdu->missing_bytes;
      copy->duplicate = pdu->duplicate;
      g_ptr_array_add (c->pdus, copy);
    }
  g_mutex_unlock (&self->lock);
}

static void
collector_frames (gpointer                 sink,
                  const NtpacConversation *conversation,
                  const NtpacFrameRef     *frames,
                  guint                    n_frames)
{
  ConversationCollector *self = sink;

  g_mutex_lock (&self->lock);
  g_array_append_vals (find (self, conversation)->frames, frames, n_frames);
  g_mutex_unlock (&self->lock);
}

static void
collector_end (gpointer                 sink,
               const NtpacConversation *conversation)
{
  ConversationCollector *self = sink;
  CollectedConversation *c;
  g_autofree gchar *id = ntpac_conversation_id_to_hex (&conversation->id);

  g_mutex_lock (&self->lock);
  c = find (self, conversation);
  c->conversation = *conversation;
  c->conversation.protocol = g_strdup (conversation->protocol);
  c->conversation.frame_numbers = g_byte_array_new ();
  g_byte_array_append (c->conversation.frame_numbers, conversation->frame_numbers->data,
                       conversation->frame_numbers->len);
  {
    gpointer key = NULL;

    g_hash_table_steal_extended (self->open, id, &key, NULL);
    g_free (key);
  }
  g_ptr_array_add (self->done, c);
  g_mutex_unlock (&self->lock);
}

static const NtpacConversationSinkFuncs collector_funcs = {
  collector_pdu,
  collector_frames,
  collector_end,
};

const NtpacConversationSinkFuncs *
conversation_collector_funcs (void)
{
  return &collector_funcs;
}

/* The conversations ended so far, sorted (see collected_compare()). */
GPtrArray *
conversation_collector_get (ConversationCollector *self)
{
  g_assert_cmpuint (g_hash_table_size (self->open), ==, 0);
  g_ptr_array_sort (self->done, collected_compare);
  return self->done;
}

gchar *
collected_direction_sha256 (const CollectedConversation *c,
                            NtpacDirection               direction)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, c->payload[direction]->data,
                                      c->payload[direction]->len);
}

/* "tcp 10.0.0.1:40000 -> 192.0.2.1:80 @ts", to match and to print. */
gchar *
collected_describe (const CollectedConversation *c)
{
  g_autofree gchar *src = ntpac_address_to_string (&c->conversation.tuple.src);
  g_autofree gchar *dst = ntpac_address_to_string (&c->conversation.tuple.dst);

  return g_strdup_printf ("%s %s:%u -> %s:%u @%" G_GINT64_FORMAT,
                          c->conversation.transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp",
                          src, c->conversation.tuple.sport, dst, c->conversation.tuple.dport,
                          c->conversation.first_ts_ns);
}

/* By first timestamp, then 5-tuple: an order that does not depend on
 * which worker finished first. */
gint
collected_compare (gconstpointer a,
                   gconstpointer b)
{
  const CollectedConversation *x = *(const CollectedConversation * const *) a;
  const CollectedConversation *y = *(const CollectedConversation * const *) b;
  gint cmp;

  if (x->conversation.first_ts_ns != y->conversation.first_ts_ns)
    return x->conversation.first_ts_ns < y->conversation.first_ts_ns ? -1 : 1;
  cmp = ntpac_address_compare (&x->conversation.tuple.src, &y->conversation.tuple.src);
  if (cmp != 0)
    return cmp;
  cmp = ntpac_address_compare (&x->conversation.tuple.dst, &y->conversation.tuple.dst);
  if (cmp != 0)
    return cmp;
  if (x->conversation.tuple.sport != y->conversation.tuple.sport)
    return x->conversation.tuple.sport < y->conversation.tuple.sport ? -1 : 1;
  return (gint) x->conversation.tuple.dport - (gint) y->conversation.tuple.dport;
}
