/* ntpac-local-transport.c: batches between threads of one process
 *
 * A batch is handed over by pointer: the worker's mailbox takes it and
 * wakes the worker's main context. Flow control comes from the bounded
 * batch pools the reader acquires from.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-transport.h"

struct _NtpacLocalTransport
{
  NtpacTransport             parent_instance;
  NtpacTransportDeliverFunc  deliver;
  gpointer                   user_data;
};

G_DEFINE_FINAL_TYPE (NtpacLocalTransport, ntpac_local_transport, NTPAC_TYPE_TRANSPORT)

static gboolean
ntpac_local_transport_open (NtpacTransport            *transport,
                            guint                      n_targets,
                            NtpacTransportDeliverFunc  deliver,
                            gpointer                   user_data,
                            GError                   **error)
{
  NtpacLocalTransport *self = NTPAC_LOCAL_TRANSPORT (transport);

  self->deliver = deliver;
  self->user_data = user_data;
  return TRUE;
}

static gboolean
ntpac_local_transport_send (NtpacTransport  *transport,
                            NtpacBatch      *batch,
                            GError         **error)
{
  NtpacLocalTransport *self = NTPAC_LOCAL_TRANSPORT (transport);

  self->deliver (self->user_data, batch);
  return TRUE;
}

static void
ntpac_local_transport_class_init (NtpacLocalTransportClass *klass)
{
  NtpacTransportClass *transport_class = NTPAC_TRANSPORT_CLASS (klass);

  transport_class->open = ntpac_local_transport_open;
  transport_class->send = ntpac_local_transport_send;
}

static void
ntpac_local_transport_init (NtpacLocalTransport *self)
{
}
