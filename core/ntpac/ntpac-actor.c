/* ntpac-actor.c: actors, the unit of state and work in a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-actor.h"
#include "ntpac-error.h"
#include "ntpac-mailbox-private.h"

static NtpacActor *
actor_alloc (const NtpacActorClass *klass)
{
  NtpacActor *self;

  g_return_val_if_fail (klass->instance_size >= sizeof (NtpacActor), NULL);
  self = g_malloc0 (klass->instance_size);
  self->klass = klass;
  return self;
}

/**
 * ntpac_actor_new_root:
 * @klass: the actor's class
 * @mailbox: where messages from other threads reach its tree
 *
 * Returns: (transfer full): an actor without a parent (a worker)
 * Since: 0.1
 */
NtpacActor *
ntpac_actor_new_root (const NtpacActorClass *klass,
                      NtpacMailbox          *mailbox)
{
  NtpacActor *self = actor_alloc (klass);

  self->mailbox = mailbox;
  return self;
}

/**
 * ntpac_actor_new:
 * @klass: the actor's class
 * @parent: the actor that owns it
 *
 * Returns: (transfer none): a new child of @parent, freed when closed
 * Since: 0.1
 */
NtpacActor *
ntpac_actor_new (const NtpacActorClass *klass,
                 NtpacActor            *parent)
{
  NtpacActor *self = actor_alloc (klass);

  g_return_val_if_fail (parent != NULL, NULL);
  self->parent = parent;
  self->mailbox = parent->mailbox;
  self->next_sibling = parent->first_child;
  if (parent->first_child != NULL)
    parent->first_child->prev_sibling = self;
  parent->first_child = self;
  parent->n_children++;
  return self;
}

static void
unlink_from_parent (NtpacActor *self)
{
  NtpacActor *parent = self->parent;

  if (parent == NULL)
    return;
  if (self->prev_sibling != NULL)
    self->prev_sibling->next_sibling = self->next_sibling;
  else
    parent->first_child = self->next_sibling;
  if (self->next_sibling != NULL)
    self->next_sibling->prev_sibling = self->prev_sibling;
  parent->n_children--;
  self->parent = NULL;
  if (parent->klass->child_closed != NULL && !parent->closing)
    parent->klass->child_closed (parent, self);
}

static void
close_actor (NtpacActor *self,
             gboolean    failed)
{
  if (self->closing)
    return;
  self->closing = TRUE;
  while (self->first_child != NULL)
    close_actor (self->first_child, FALSE);
  if (self->klass->stop != NULL)
    self->klass->stop (self, failed);
  unlink_from_parent (self);
  g_free (self);
}

/**
 * ntpac_actor_close:
 * @self: (transfer full): an actor
 *
 * Closes the actor's children, then the actor: each hands on its results
 * (stop) and is freed.
 * Since: 0.1
 */
void
ntpac_actor_close (NtpacActor *self)
{
  g_return_if_fail (self != NULL);
  close_actor (self, FALSE);
}

/* The first ancestor that handles failures reports it; the actor is then
 * closed, so one broken conversation never takes the others down. */
static void
fail (NtpacActor         *self,
      const GError       *error,
      const NtpacMessage *message)
{
  for (NtpacActor *a = self->parent; a != NULL; a = a->parent)
    if (a->klass->child_failed != NULL)
      {
        a->klass->child_failed (a, self, error, message);
        break;
      }
  close_actor (self, TRUE);
}

/**
 * ntpac_actor_tell:
 * @self: an actor on the calling thread's worker
 * @message: the message, not kept
 *
 * Delivers @message now. If the actor fails, it is reported and closed.
 *
 * Returns: %FALSE if the actor failed (it no longer exists)
 * Since: 0.1
 */
gboolean
ntpac_actor_tell (NtpacActor         *self,
                  const NtpacMessage *message)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  if (self->klass->receive (self, message, &error))
    return TRUE;
  if (error == NULL)
    g_set_error_literal (&error, NTPAC_ACTOR_ERROR, NTPAC_ACTOR_ERROR_FAILED, "actor failed");
  fail (self, error, message);
  return FALSE;
}

/**
 * ntpac_actor_send:
 * @self: a long-lived actor (a worker), on any thread
 * @message: (transfer full): a message allocated with g_malloc()
 *
 * Queues @message in the actor's mailbox and wakes its worker.
 * Since: 0.1
 */
void
ntpac_actor_send (NtpacActor   *self,
                  NtpacMessage *message)
{
  g_return_if_fail (self != NULL && self->mailbox != NULL);
  ntpac_mailbox_push_message (self->mailbox, self, message);
}

/**
 * ntpac_actor_get_path:
 * @self: an actor
 *
 * Returns: (transfer full): its address, e.g.
 *   "/worker/1/l3/10.0.0.1-10.0.0.2/l4/tcp-40000-80"
 * Since: 0.1
 */
gchar *
ntpac_actor_get_path (NtpacActor *self)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  GString *path = g_string_new (NULL);

  for (NtpacActor *a = self; a != NULL; a = a->parent)
    g_ptr_array_add (chain, a);
  for (guint i = chain->len; i > 0; i--)
    {
      NtpacActor *a = chain->pdata[i - 1];

      g_string_append_printf (path, "/%s/", a->klass->name);
      if (a->klass->append_name != NULL)
        a->klass->append_name (a, path);
      else
        g_string_truncate (path, path->len - 1);
    }
  return g_string_free (path, FALSE);
}
