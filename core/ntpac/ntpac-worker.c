/* ntpac-worker.c: a reassembling worker: a thread, its main context, and
 * the conversation actors it owns
 *
 * The worker is the root actor of its tree (/worker/N). Batches arrive in
 * its mailbox; each packet goes to its L4 actor (one hash lookup), or to
 * the L3 actor of its IP pair, which creates it. Conversations age on
 * capture time: before each packet, and with the reader's clock at the
 * end of each batch, the least recently active are expired. A memory cap
 * flushes the oldest conversations early. State is touched only on this
 * thread.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-conversation-actors-private.h"
#include "ntpac-mailbox-private.h"
#include "ntpac-packet.h"
#include "ntpac-worker-private.h"

typedef struct
{
  NtpacActor   parent;
  NtpacWorker *worker;
} WorkerActor;

struct _NtpacWorker
{
  guint              index;
  WorkerActor       *actor;
  NtpacTracker       tracker;
  NtpacWorkerRoutes  routes;
  GMainContext      *context;
  GMainLoop         *loop;
  NtpacMailbox      *mailbox;
  GThread           *thread;
  gint64             now_ns;
  gboolean           finished;
};

static void
worker_child_failed (NtpacActor         *actor,
                     NtpacActor         *child,
                     const GError       *error,
                     const NtpacMessage *message)
{
  NtpacWorker *self = ((WorkerActor *) actor)->worker;
  g_autofree gchar *path = ntpac_actor_get_path (child);

  self->tracker.stats.actors_failed++;
  g_debug ("actor %s failed: %s", path, error->message);
  if (message != NULL && message->packet != NULL)
    ntpac_tracker_report (&self->tracker, NTPAC_ANOMALY_ACTOR_FAILED,
                          &message->packet->frame, message->packet->ts_ns);
}

static void
worker_append_name (NtpacActor *actor,
                    GString    *path)
{
  g_string_append_printf (path, "%u", ((WorkerActor *) actor)->worker->index);
}

static gboolean
worker_receive (NtpacActor          *actor,
                const NtpacMessage  *message,
                GError             **error)
{
  return TRUE;
}

static const NtpacActorClass worker_actor_class = {
  .name = "worker",
  .instance_size = sizeof (WorkerActor),
  .receive = worker_receive,
  .child_failed = worker_child_failed,
  .append_name = worker_append_name,
};

static void on_batch (gpointer user_data, NtpacBatch *batch);

NtpacWorker *
ntpac_worker_new (const NtpacWorkerConfig *config)
{
  NtpacWorker *self = g_new0 (NtpacWorker, 1);

  self->index = config->index;
  self->tracker.config = config->tracking;
  self->tracker.node = config->node;
  self->tracker.next_sequence = config->first_sequence;
  self->tracker.worker = (guint16) config->index;
  self->tracker.sink = config->sink;
  self->tracker.sink_data = config->sink_data;
  self->tracker.anomaly = config->anomaly;
  self->tracker.anomaly_data = config->anomaly_data;
  self->routes.tracker = &self->tracker;
  self->routes.l3_routes = g_hash_table_new (ntpac_route_key_hash, ntpac_route_key_equal);
  self->routes.l4_routes = g_hash_table_new (ntpac_route_key_hash, ntpac_route_key_equal);
  g_queue_init (&self->routes.tcp_idle);
  g_queue_init (&self->routes.udp_idle);
  g_queue_init (&self->routes.closed);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->mailbox = ntpac_mailbox_new (self->context, on_batch, self);
  self->actor = (WorkerActor *) ntpac_actor_new_root (&worker_actor_class, self->mailbox);
  self->actor->worker = self;
  return self;
}

/* Ends and closes every conversation. */
static void
close_all (NtpacWorker *self)
{
  NtpacActor *root = (NtpacActor *) self->actor;

  while (root->first_child != NULL)
    ntpac_actor_close (root->first_child);
}

void
ntpac_worker_free (NtpacWorker *self)
{
  if (self == NULL)
    return;
  close_all (self);
  g_free (self->actor);
  ntpac_mailbox_free (self->mailbox);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->routes.l3_routes);
  g_hash_table_unref (self->routes.l4_routes);
  g_free (self);
}

/* Closes the L4 actor at the head of @queue if it aged past @max_age. */
static gboolean
expire_head (NtpacWorker          *self,
             GQueue               *queue,
             gint64                now_ns,
             gint64                max_age_ns,
             NtpacConversationEnd  end)
{
  NtpacL4Actor *l4;

  if (queue->head == NULL)
    return FALSE;
  l4 = queue->head->data;
  if (now_ns - ntpac_l4_actor_last_ts (l4) <= max_age_ns)
    return FALSE;
  ntpac_l4_actor_end (l4, end);
  ntpac_actor_close ((NtpacActor *) l4);
  return TRUE;
}

static void
expire (NtpacWorker *self,
        gint64       now_ns)
{
  const NtpacTrackingConfig *c = &self->tracker.config;

  while (expire_head (self, &self->routes.closed, now_ns, c->closed_linger_ns, NTPAC_CONVERSATION_END_FIN))
    ;
  while (expire_head (self, &self->routes.tcp_idle, now_ns, c->tcp_idle_timeout_ns, NTPAC_CONVERSATION_END_IDLE))
    ;
  while (expire_head (self, &self->routes.udp_idle, now_ns, c->udp_idle_timeout_ns, NTPAC_CONVERSATION_END_IDLE))
    ;
}

/* Over the cap, the least recently active conversations hand on what
 * they hold (holes become gaps) until a quarter of the cap is free; if
 * that is not enough, closed conversations end, then the least recently
 * active open ones are evicted. */
static void
enforce_memory_cap (NtpacWorker         *self,
                    const NtpacFrameRef *frame,
                    gint64               ts_ns)
{
  gsize cap = self->tracker.config.memory_max_bytes;
  gsize target = cap / 4 * 3;

  if (self->tracker.memory <= cap)
    return;
  self->tracker.stats.memory_flushes++;
  ntpac_tracker_report (&self->tracker, NTPAC_ANOMALY_MEMORY_CAP, frame, ts_ns);
  for (GList *l = self->routes.tcp_idle.head; l != NULL && self->tracker.memory > target; l = l->next)
    ntpac_l4_actor_flush (l->data);
  while (self->tracker.memory > target &&
         expire_head (self, &self->routes.closed, G_MAXINT64, 0, NTPAC_CONVERSATION_END_FIN))
    ;
  while (self->tracker.memory > target &&
         expire_head (self, &self->routes.udp_idle, G_MAXINT64, 0, NTPAC_CONVERSATION_END_EVICTED))
    ;
  while (self->tracker.memory > target &&
         expire_head (self, &self->routes.tcp_idle, G_MAXINT64, 0, NTPAC_CONVERSATION_END_EVICTED))
    ;
}

/**
 * ntpac_worker_process:
 * @self: a worker
 * @batch: (transfer full): a batch for it
 *
 * Runs the batch's packets through the conversation actors, on the
 * calling thread (the worker's own, or a test's).
 */
void
ntpac_worker_process (NtpacWorker *self,
                      NtpacBatch  *batch)
{
  NtpacMessage message = { NTPAC_MESSAGE_PACKET, 0, batch, NULL, NULL };
  gboolean last = batch->last;

  for (guint i = 0; i < batch->n_packets; i++)
    {
      const NtpacPacketDesc *p = &batch->packets[i];
      NtpacRouteKey route = { p->key, p->hash };
      NtpacActor *target;

      expire (self, p->ts_ns);
      message.now_ns = p->ts_ns;
      message.packet = p;
      target = g_hash_table_lookup (self->routes.l4_routes, &route);
      if (target == NULL)
        {
          NtpacRouteKey pair;

          ntpac_l3_pair_key (&pair, p);
          target = g_hash_table_lookup (self->routes.l3_routes, &pair);
          if (target == NULL)
            target = (NtpacActor *) ntpac_l3_actor_new ((NtpacActor *) self->actor, &self->routes, &pair);
        }
      ntpac_actor_tell (target, &message);
      if (self->tracker.memory > self->tracker.config.memory_max_bytes)
        enforce_memory_cap (self, &p->frame, p->ts_ns);
    }
  if (batch->now_ns > self->now_ns)
    self->now_ns = batch->now_ns;
  expire (self, self->now_ns);
  ntpac_batch_release (batch);
  if (last)
    {
      close_all (self);
      self->finished = TRUE;
    }
}

static void
on_batch (gpointer    user_data,
          NtpacBatch *batch)
{
  NtpacWorker *self = user_data;

  ntpac_worker_process (self, batch);
  if (self->finished)
    g_main_loop_quit (self->loop);
}

static gpointer
worker_thread (gpointer data)
{
  NtpacWorker *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

void
ntpac_worker_start (NtpacWorker *self)
{
  g_autofree gchar *name = g_strdup_printf ("ntpac-worker-%u", self->index);

  self->thread = g_thread_new (name, worker_thread, self);
}

/* From any thread. */
void
ntpac_worker_deliver (NtpacWorker *self,
                      NtpacBatch  *batch)
{
  ntpac_mailbox_push_batch (self->mailbox, batch);
}

/* Waits for the worker to finish its last batch. */
void
ntpac_worker_join (NtpacWorker *self)
{
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

const NtpacTrackerStats *
ntpac_worker_get_stats (NtpacWorker *self)
{
  return &self->tracker.stats;
}

guint
ntpac_worker_get_n_conversations (NtpacWorker *self)
{
  return g_hash_table_size (self->routes.l4_routes);
}

NtpacActor *
ntpac_worker_get_actor (NtpacWorker *self)
{
  return (NtpacActor *) self->actor;
}
