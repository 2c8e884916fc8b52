/* ntpac-local-transport.c: the `local` transport: batches between
 * threads of one process
 *
 * A batch is handed over by pointer: the worker's mailbox takes it and
 * wakes the worker's main context. Flow control comes from the bounded
 * batch pools the reader acquires from.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#define NTPAC_TYPE_LOCAL_TRANSPORT (ntpac_local_transport_get_type ())
G_DECLARE_FINAL_TYPE (NtpacLocalTransport, ntpac_local_transport, NTPAC, LOCAL_TRANSPORT, NtpacTransport)

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

static gboolean
local_plugin_init (NtpacPlugin  *plugin,
                   GError      **error)
{
  return ntpac_plugin_add_transport (plugin, "local", NTPAC_RANK_PRIMARY, NTPAC_TYPE_LOCAL_TRANSPORT, error);
}

NTPAC_PLUGIN_DEFINE (local, "Batches between the threads of one process", local_plugin_init, "MIT")
