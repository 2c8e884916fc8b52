/* test-actor.c: the actor runtime: addresses, trees, messages across
 * threads, and failures that stay contained
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <ntpac/ntpac.h>

#include "conversation-collector.h"
#include "ntpac-mailbox-private.h"
#include "ntpac-worker-private.h"

typedef struct
{
  NtpacActor  parent;
  guint       id;
  guint       received;
  gboolean    fail_next;
  gint       *stopped;       /* counts stops, with failures as 100 */
  GThread    *thread;        /* where the last message was handled */
} TestActor;

typedef struct
{
  NtpacActor  parent;
  guint       failures;
  gchar      *failed_path;
  gchar      *failure_message;
} TestRoot;

static gboolean
test_receive (NtpacActor          *actor,
              const NtpacMessage  *message,
              GError             **error)
{
  TestActor *self = (TestActor *) actor;

  self->received++;
  self->thread = g_thread_self ();
  if (self->fail_next)
    {
      g_set_error (error, NTPAC_ACTOR_ERROR, NTPAC_ACTOR_ERROR_FAILED, "actor %u gave up", self->id);
      return FALSE;
    }
  return TRUE;
}

static void
test_stop (NtpacActor *actor,
           gboolean    failed)
{
  TestActor *self = (TestActor *) actor;

  if (self->stopped != NULL)
    *self->stopped += failed ? 100 : 1;
}

static void
test_append_name (NtpacActor *actor,
                  GString    *path)
{
  g_string_append_printf (path, "%u", ((TestActor *) actor)->id);
}

static const NtpacActorClass test_actor_class = {
  .name = "test",
  .instance_size = sizeof (TestActor),
  .receive = test_receive,
  .stop = test_stop,
  .append_name = test_append_name,
};

static void
root_child_failed (NtpacActor         *actor,
                   NtpacActor         *child,
                   const GError       *error,
                   const NtpacMessage *message)
{
  TestRoot *self = (TestRoot *) actor;

  self->failures++;
  g_free (self->failed_path);
  self->failed_path = ntpac_actor_get_path (child);
  g_free (self->failure_message);
  self->failure_message = g_strdup (error->message);
}

static gboolean
root_receive (NtpacActor          *actor,
              const NtpacMessage  *message,
              GError             **error)
{
  return TRUE;
}

static const NtpacActorClass root_class = {
  .name = "root",
  .instance_size = sizeof (TestRoot),
  .receive = root_receive,
  .child_failed = root_child_failed,
};

static TestActor *
child (NtpacActor *parent,
       guint       id,
       gint       *stopped)
{
  TestActor *a = (TestActor *) ntpac_actor_new (&test_actor_class, parent);

  a->id = id;
  a->stopped = stopped;
  return a;
}

static void
test_tree_and_paths (void)
{
  NtpacActor *root = ntpac_actor_new_root (&root_class, NULL);
  gint stopped = 0;
  TestActor *a = child (root, 1, &stopped);
  TestActor *b = child ((NtpacActor *) a, 7, &stopped);
  TestActor *c = child ((NtpacActor *) a, 8, &stopped);
  g_autofree gchar *path = ntpac_actor_get_path ((NtpacActor *) b);

  g_assert_cmpstr (path, ==, "/root/test/1/test/7");
  g_assert_cmpuint (root->n_children, ==, 1);
  g_assert_cmpuint (((NtpacActor *) a)->n_children, ==, 2);
  g_assert_true (((NtpacActor *) c)->parent == (NtpacActor *) a);

  /* Closing a parent closes its children first. */
  ntpac_actor_close ((NtpacActor *) a);
  g_assert_cmpint (stopped, ==, 3);
  g_assert_cmpuint (root->n_children, ==, 0);
  g_free (root);
}

static void
test_failure_is_contained (void)
{
  NtpacActor *root = ntpac_actor_new_root (&root_class, NULL);
  TestRoot *r = (TestRoot *) root;
  gint stopped = 0;
  TestActor *a = child (root, 1, &stopped);
  TestActor *b = child (root, 2, &stopped);
  TestActor *grandchild = child ((NtpacActor *) b, 3, &stopped);
  NtpacMessage message = { NTPAC_MESSAGE_CUSTOM, 0, NULL, NULL, NULL };

  g_test_summary ("An actor that fails is reported to its nearest supervising ancestor and "
                  "closed with its children; its siblings go on.");
  (void) grandchild;
  b->fail_next = TRUE;
  g_assert_true (ntpac_actor_tell ((NtpacActor *) a, &message));
  g_assert_false (ntpac_actor_tell ((NtpacActor *) b, &message));
  g_assert_cmpuint (r->failures, ==, 1);
  g_assert_cmpstr (r->failed_path, ==, "/root/test/2");
  g_assert_cmpstr (r->failure_message, ==, "actor 2 gave up");
  /* b stopped as failed (100), its child normally (1) */
  g_assert_cmpint (stopped, ==, 101);
  g_assert_cmpuint (root->n_children, ==, 1);
  g_assert_true (ntpac_actor_tell ((NtpacActor *) a, &message));
  g_assert_cmpuint (a->received, ==, 2);
  ntpac_actor_close ((NtpacActor *) a);
  g_free (r->failed_path);
  g_free (r->failure_message);
  g_free (root);
}

typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  TestActor    *target;
} LoopThread;

static gpointer
run_loop (gpointer data)
{
  LoopThread *lt = data;

  g_main_context_push_thread_default (lt->context);
  g_main_loop_run (lt->loop);
  g_main_context_pop_thread_default (lt->context);
  return NULL;
}

static gboolean
quit_when_done (gpointer data)
{
  LoopThread *lt = data;

  if (lt->target->received < 3)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (lt->loop);
  return G_SOURCE_REMOVE;
}

static void
no_batches (gpointer    user_data,
            NtpacBatch *batch)
{
  g_assert_not_reached ();
}

static void
test_send_across_threads (void)
{
  LoopThread lt;
  NtpacMailbox *mailbox;
  NtpacActor *root;
  GThread *thread;
  GSource *idle;

  g_test_summary ("ntpac_actor_send() from another thread queues the message in the target's "
                  "mailbox and wakes its context: it is handled on the target's thread.");
  lt.context = g_main_context_new ();
  lt.loop = g_main_loop_new (lt.context, FALSE);
  mailbox = ntpac_mailbox_new (lt.context, no_batches, NULL);
  root = ntpac_actor_new_root (&root_class, mailbox);
  lt.target = child (root, 1, NULL);
  idle = g_timeout_source_new (1);
  g_source_set_callback (idle, quit_when_done, &lt, NULL);
  g_source_attach (idle, lt.context);
  g_source_unref (idle);
  thread = g_thread_new ("target", run_loop, &lt);

  for (guint i = 0; i < 3; i++)
    {
      NtpacMessage *m = g_new0 (NtpacMessage, 1);

      m->kind = NTPAC_MESSAGE_CUSTOM;
      ntpac_mailbox_push_message (mailbox, (NtpacActor *) lt.target, m);
    }
  g_thread_join (thread);
  g_assert_cmpuint (lt.target->received, ==, 3);
  g_assert_true (lt.target->thread == thread);

  ntpac_actor_close ((NtpacActor *) lt.target);
  g_free (root);
  ntpac_mailbox_free (mailbox);
  g_main_loop_unref (lt.loop);
  g_main_context_unref (lt.context);
}

/* A packet descriptor for @key as sent by its lower endpoint. */
static void
fill_packet (NtpacBatch         *batch,
             const NtpacFlowKey *key,
             guint8              transport,
             guint64             frame_number,
             const gchar        *payload)
{
  NtpacPacketDesc *d = &batch->packets[batch->n_packets++];
  gsize len = strlen (payload);

  memset (d, 0, sizeof *d);
  d->key = *key;
  d->hash = ntpac_flow_hash (key);
  d->ts_ns = G_GINT64_CONSTANT (1709251200000000000) + frame_number * 1000;
  d->frame.number = frame_number;
  d->transport = transport;
  d->flags = NTPAC_PACKET_DESC_FROM_LO;
  d->tcp_flags = NTPAC_TCP_ACK;
  d->seq = 1000 + (guint32) batch->arena_len;
  d->payload_offset = (guint32) batch->arena_len;
  d->payload_len = (guint32) len;
  memcpy (batch->arena + batch->arena_len, payload, len);
  batch->arena_len += len;
}

static void
count_release (gpointer owner)
{
  (*(guint *) owner)++;
}

/* A batch can point into the reader's buffer instead of copying; a
 * transport that sends it elsewhere detaches it first: the payloads are
 * then in the arena, where their room was kept. */
static void
test_batch_hold_and_detach (void)
{
  static const guint8 buffer[] = "....GET / HTTP/1.1\r\n....220 ready\r\n";
  NtpacBatchPool *pool = ntpac_batch_pool_new (0, 1);
  NtpacBatch *batch = ntpac_batch_pool_acquire (pool);
  guint released = 0;
  NtpacPacketDesc *d;

  fill_packet (batch, &(NtpacFlowKey) { 0 }, NTPAC_TRANSPORT_TCP, 1, "copied");
  ntpac_batch_hold (batch, buffer, &released, count_release);
  for (guint i = 0; i < 2; i++)
    {
      d = &batch->packets[batch->n_packets++];
      memset (d, 0, sizeof *d);
      d->flags = NTPAC_PACKET_DESC_HELD;
      d->held_offset = i == 0 ? 4 : 24;
      d->payload_len = i == 0 ? 16 : 11;
      d->payload_offset = (guint32) batch->arena_len;
      batch->arena_len += d->payload_len;
    }
  g_assert_cmpmem (ntpac_batch_payload (batch, &batch->packets[0]), 6, "copied", 6);
  g_assert_cmpmem (ntpac_batch_payload (batch, &batch->packets[1]), 16, "GET / HTTP/1.1\r\n", 16);
  g_assert_true (ntpac_batch_payload (batch, &batch->packets[1]) == buffer + 4);   /* not copied */

  ntpac_batch_detach (batch);
  g_assert_cmpuint (released, ==, 1);
  g_assert_null (batch->held);
  for (guint i = 1; i < 3; i++)
    g_assert_false (batch->packets[i].flags & NTPAC_PACKET_DESC_HELD);
  g_assert_cmpmem (ntpac_batch_payload (batch, &batch->packets[1]), 16, "GET / HTTP/1.1\r\n", 16);
  g_assert_cmpmem (ntpac_batch_payload (batch, &batch->packets[2]), 11, "220 ready\r\n", 11);
  g_assert_cmpmem (batch->arena, batch->arena_len, "copiedGET / HTTP/1.1\r\n220 ready\r\n", 33);

  /* a batch released while holding lets go of what it holds */
  ntpac_batch_release (batch);
  batch = ntpac_batch_pool_acquire (pool);
  g_assert_null (batch->held);
  ntpac_batch_hold (batch, buffer, &released, count_release);
  ntpac_batch_release (batch);
  g_assert_cmpuint (released, ==, 2);
  ntpac_batch_pool_free (pool);
}

static void
test_failing_conversation_actor (void)
{
  g_autoptr(ConversationCollector) collector = conversation_collector_new (FALSE);
  NtpacWorkerConfig config = { 0 };
  NtpacBatchPool *pool = ntpac_batch_pool_new (0, 1);
  NtpacBatch *batch = ntpac_batch_pool_acquire (pool);
  NtpacFlowKey key = { 0 };
  NtpacWorker *worker;
  const NtpacTrackerStats *stats;
  GPtrArray *done;

  g_test_summary ("An L4 actor that fails (here: handed a packet of the wrong transport) "
                  "ends its conversation as failed and reports actor.failed; later packets "
                  "of the same 5-tuple get a new actor, and the process goes on.");
  config.sink = conversation_collector_funcs ();
  config.sink_data = collector;
  ntpac_tracking_config_init (&config.tracking);
  worker = ntpac_worker_new (&config);

  key.family = 4;
  key.proto = 6;
  key.port_lo = 40000;
  key.port_hi = 80;
  key.addr_lo[0] = 10;
  key.addr_hi[0] = 192;
  fill_packet (batch, &key, NTPAC_TRANSPORT_TCP, 1, "good ");
  fill_packet (batch, &key, NTPAC_TRANSPORT_UDP, 2, "broken");
  fill_packet (batch, &key, NTPAC_TRANSPORT_TCP, 3, "again");
  batch->last = TRUE;
  ntpac_worker_process (worker, batch);

  stats = ntpac_worker_get_stats (worker);
  g_assert_cmpuint (stats->actors_failed, ==, 1);
  g_assert_cmpuint (stats->anomalies[NTPAC_ANOMALY_ACTOR_FAILED], ==, 1);
  g_assert_cmpuint (stats->anomaly_first[NTPAC_ANOMALY_ACTOR_FAILED].number, ==, 2);
  done = conversation_collector_get (collector);
  g_assert_cmpuint (done->len, ==, 2);
  g_assert_cmpint (((CollectedConversation *) done->pdata[0])->conversation.end, ==, NTPAC_CONVERSATION_END_FAILED);
  g_assert_cmpint (((CollectedConversation *) done->pdata[1])->conversation.end, ==, NTPAC_CONVERSATION_END_CAPTURE);
  ntpac_worker_free (worker);
  ntpac_batch_pool_free (pool);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/actor/tree-and-paths", test_tree_and_paths);
  g_test_add_func ("/actor/failure-is-contained", test_failure_is_contained);
  g_test_add_func ("/actor/send-across-threads", test_send_across_threads);
  g_test_add_func ("/actor/failing-conversation-actor", test_failing_conversation_actor);
  g_test_add_func ("/actor/batch-hold-and-detach", test_batch_hold_and_detach);
  return g_test_run ();
}
