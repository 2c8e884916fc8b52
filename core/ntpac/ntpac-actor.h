/* ntpac-actor.h: actors, the unit of state and work in a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-batch.h"

G_BEGIN_DECLS

typedef struct _NtpacActor NtpacActor;
typedef struct _NtpacMailbox NtpacMailbox;

/**
 * NtpacMessageKind:
 * @NTPAC_MESSAGE_PACKET: a packet for a conversation
 * @NTPAC_MESSAGE_TICK: capture time advanced to @now_ns
 * @NTPAC_MESSAGE_FLUSH: the capture ended: finish everything
 * @NTPAC_MESSAGE_CUSTOM: anything else, in @data
 */
typedef enum
{
  NTPAC_MESSAGE_PACKET,
  NTPAC_MESSAGE_TICK,
  NTPAC_MESSAGE_FLUSH,
  NTPAC_MESSAGE_CUSTOM,
} NtpacMessageKind;

/**
 * NtpacMessage:
 * @kind: what it is
 * @now_ns: capture time
 * @batch: (nullable): the batch of @packet
 * @packet: (nullable): the packet
 * @data: (nullable): a custom payload
 *
 * Messages inside a worker live on the stack: handing a packet down the
 * actor tree costs a function call, not an allocation.
 */
typedef struct
{
  NtpacMessageKind        kind;
  gint64                  now_ns;
  const NtpacBatch       *batch;
  const NtpacPacketDesc  *packet;
  gpointer                data;
} NtpacMessage;

/**
 * NtpacActorClass:
 * @name: the actor's kind, the first part of its path segment ("l3")
 * @instance_size: size of the instance struct, #NtpacActor first
 * @receive: handles a message; %FALSE with @error set means the actor
 *   failed: it is closed and the failure reported
 * @stop: releases what the actor holds and hands on its results (called
 *   once, after its children were closed; @failed tells why)
 * @child_closed: a child is gone (remove it from lookup tables)
 * @child_failed: a descendant failed with @error on @message (the first
 *   ancestor with this hook reports it)
 * @append_name: appends the actor's path segment ("10.0.0.1-10.0.0.2")
 *
 * Actors form a tree rooted in a worker (`/worker/1/l3/…/l4/…`); each
 * one's state is touched only on its worker's thread, so it needs no lock.
 */
typedef struct
{
  const gchar *name;
  gsize        instance_size;
  gboolean   (*receive)      (NtpacActor          *self,
                              const NtpacMessage  *message,
                              GError             **error);
  void       (*stop)         (NtpacActor          *self,
                              gboolean             failed);
  void       (*child_closed) (NtpacActor          *self,
                              NtpacActor          *child);
  void       (*child_failed) (NtpacActor          *self,
                              NtpacActor          *child,
                              const GError        *error,
                              const NtpacMessage  *message);
  void       (*append_name)  (NtpacActor          *self,
                              GString             *path);
} NtpacActorClass;

struct _NtpacActor
{
  const NtpacActorClass *klass;
  NtpacActor            *parent;
  NtpacActor            *first_child;
  NtpacActor            *prev_sibling;
  NtpacActor            *next_sibling;
  guint                  n_children;
  NtpacMailbox          *mailbox;
  gboolean               closing;
};

NtpacActor *ntpac_actor_new      (const NtpacActorClass *klass,
                                  NtpacActor            *parent);
NtpacActor *ntpac_actor_new_root (const NtpacActorClass *klass,
                                  NtpacMailbox          *mailbox);
gboolean    ntpac_actor_tell     (NtpacActor            *self,
                                  const NtpacMessage    *message);
void        ntpac_actor_send     (NtpacActor            *self,
                                  NtpacMessage          *message);
void        ntpac_actor_close    (NtpacActor            *self);
gchar      *ntpac_actor_get_path (NtpacActor            *self);

G_END_DECLS
