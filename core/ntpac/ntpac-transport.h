/* ntpac-transport.h: how batches travel from the balancer to the workers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>

#include "ntpac-batch.h"

G_BEGIN_DECLS

/**
 * NtpacTransportDeliverFunc:
 * @user_data: given to ntpac_transport_open()
 * @batch: (transfer full): a batch for worker @batch->target
 *
 * Hands a batch to its worker; may be called from any thread.
 */
typedef void (*NtpacTransportDeliverFunc) (gpointer    user_data,
                                           NtpacBatch *batch);

#define NTPAC_TYPE_TRANSPORT (ntpac_transport_get_type ())
G_DECLARE_DERIVABLE_TYPE (NtpacTransport, ntpac_transport, NTPAC, TRANSPORT, GObject)

/**
 * NtpacTransportClass:
 * @open: prepare to carry batches to @n_targets workers; @deliver hands a
 *   batch to its worker on the receiving side
 * @send: carry @batch (transfer full) to worker @batch->target; may block
 *   for flow control, never drops. Its payloads may point into the
 *   reader's buffers: a transport that carries the batch as bytes calls
 *   ntpac_batch_detach() first
 * @close: stop; batches sent before are delivered first
 *
 * A transport moves batches between the balancer and the reassembling
 * workers: in one process (`local`), or between processes and machines.
 * The receiving side hands each batch it receives to the @deliver
 * function given to @open. Flow control: @send blocks while the receiving
 * side is behind, and never drops a batch. Transports are features of
 * plugins, chosen by name in the pipeline.
 */
struct _NtpacTransportClass
{
  GObjectClass parent_class;

  gboolean (*open)  (NtpacTransport             *self,
                     guint                       n_targets,
                     NtpacTransportDeliverFunc   deliver,
                     gpointer                    user_data,
                     GError                    **error);
  gboolean (*send)  (NtpacTransport             *self,
                     NtpacBatch                 *batch,
                     GError                    **error);
  void     (*close) (NtpacTransport             *self);

  gpointer padding[8];
};

gboolean ntpac_transport_open  (NtpacTransport             *self,
                                guint                       n_targets,
                                NtpacTransportDeliverFunc   deliver,
                                gpointer                    user_data,
                                GError                    **error);
gboolean ntpac_transport_send  (NtpacTransport             *self,
                                NtpacBatch                 *batch,
                                GError                    **error);
void     ntpac_transport_close (NtpacTransport             *self);

G_END_DECLS
