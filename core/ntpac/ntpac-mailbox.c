/* ntpac-mailbox.c: how work reaches a worker's main context
 *
 * A GSource holding a queue: other threads push batches (hundreds of
 * packets each) or actor messages and wake the context; dispatch drains
 * the queue. One wake-up per batch, never per packet (the pattern of
 * GNOME's "custom GSource" guide; g_main_context_invoke() per packet costs
 * microseconds).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-mailbox-private.h"

typedef struct
{
  NtpacBatch   *batch;
  NtpacActor   *target;
  NtpacMessage *message;
} Item;

typedef struct
{
  GSource       source;
  GAsyncQueue  *queue;
} MailboxSource;

struct _NtpacMailbox
{
  MailboxSource         *source;
  GMainContext          *context;
  NtpacMailboxBatchFunc  on_batch;
  gpointer               user_data;
};

static gboolean
mailbox_prepare (GSource *source,
                 gint    *timeout)
{
  *timeout = -1;
  return g_async_queue_length (((MailboxSource *) source)->queue) > 0;
}

static gboolean
mailbox_check (GSource *source)
{
  return g_async_queue_length (((MailboxSource *) source)->queue) > 0;
}

static gboolean
mailbox_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  NtpacMailbox *self = user_data;
  Item *item;

  while ((item = g_async_queue_try_pop (((MailboxSource *) source)->queue)) != NULL)
    {
      if (item->batch != NULL)
        self->on_batch (self->user_data, item->batch);
      else
        {
          ntpac_actor_tell (item->target, item->message);
          g_free (item->message);
        }
      g_free (item);
    }
  return G_SOURCE_CONTINUE;
}

static void
mailbox_finalize (GSource *source)
{
  g_async_queue_unref (((MailboxSource *) source)->queue);
}

static GSourceFuncs mailbox_funcs = {
  mailbox_prepare,
  mailbox_check,
  mailbox_dispatch,
  mailbox_finalize,
  NULL,
  NULL,
};

NtpacMailbox *
ntpac_mailbox_new (GMainContext          *context,
                   NtpacMailboxBatchFunc  on_batch,
                   gpointer               user_data)
{
  NtpacMailbox *self = g_new0 (NtpacMailbox, 1);

  self->context = g_main_context_ref (context);
  self->on_batch = on_batch;
  self->user_data = user_data;
  self->source = (MailboxSource *) g_source_new (&mailbox_funcs, sizeof (MailboxSource));
  self->source->queue = g_async_queue_new ();
  g_source_set_name ((GSource *) self->source, "ntpac mailbox");
  g_source_set_callback ((GSource *) self->source, NULL, self, NULL);
  g_source_attach ((GSource *) self->source, context);
  return self;
}

void
ntpac_mailbox_free (NtpacMailbox *self)
{
  if (self == NULL)
    return;
  g_source_destroy ((GSource *) self->source);
  g_source_unref ((GSource *) self->source);
  g_main_context_unref (self->context);
  g_free (self);
}

static void
push (NtpacMailbox *self,
      Item         *item)
{
  g_async_queue_push (self->source->queue, item);
  g_main_context_wakeup (self->context);
}

/* From any thread; the batch is handed to on_batch on the worker. */
void
ntpac_mailbox_push_batch (NtpacMailbox *self,
                          NtpacBatch   *batch)
{
  Item *item = g_new0 (Item, 1);

  item->batch = batch;
  push (self, item);
}

/* From any thread; @message (transfer full, g_malloc'd) is told to
 * @target on the worker. */
void
ntpac_mailbox_push_message (NtpacMailbox *self,
                            NtpacActor   *target,
                            NtpacMessage *message)
{
  Item *item = g_new0 (Item, 1);

  item->target = target;
  item->message = message;
  push (self, item);
}
