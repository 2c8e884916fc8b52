/* ntpac-mailbox-private.h: how work reaches a worker's main context
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-actor.h"

G_BEGIN_DECLS

typedef void (*NtpacMailboxBatchFunc) (gpointer    user_data,
                                       NtpacBatch *batch);

NtpacMailbox *ntpac_mailbox_new          (GMainContext          *context,
                                          NtpacMailboxBatchFunc  on_batch,
                                          gpointer               user_data);
void          ntpac_mailbox_free         (NtpacMailbox          *self);
void          ntpac_mailbox_push_batch   (NtpacMailbox          *self,
                                          NtpacBatch            *batch);
void          ntpac_mailbox_push_message (NtpacMailbox          *self,
                                          NtpacActor            *target,
                                          NtpacMessage          *message);

G_END_DECLS
