/* ntpac-transport.c: how batches travel from the balancer to the workers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-transport.h"

G_DEFINE_ABSTRACT_TYPE (NtpacTransport, ntpac_transport, G_TYPE_OBJECT)

static void
ntpac_transport_class_init (NtpacTransportClass *klass)
{
}

static void
ntpac_transport_init (NtpacTransport *self)
{
}

/**
 * ntpac_transport_open:
 * @self: a transport
 * @n_targets: number of workers
 * @deliver: (scope notified): hands a batch to its worker
 * @user_data: passed to @deliver
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_transport_open (NtpacTransport            *self,
                      guint                      n_targets,
                      NtpacTransportDeliverFunc  deliver,
                      gpointer                   user_data,
                      GError                   **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (n_targets > 0, FALSE);
  g_return_val_if_fail (deliver != NULL, FALSE);
  return NTPAC_TRANSPORT_GET_CLASS (self)->open (self, n_targets, deliver, user_data, error);
}

/**
 * ntpac_transport_send:
 * @self: a transport
 * @batch: (transfer full): the batch
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_transport_send (NtpacTransport  *self,
                      NtpacBatch      *batch,
                      GError         **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (batch != NULL, FALSE);
  return NTPAC_TRANSPORT_GET_CLASS (self)->send (self, batch, error);
}

void
ntpac_transport_close (NtpacTransport *self)
{
  g_return_if_fail (NTPAC_IS_TRANSPORT (self));
  if (NTPAC_TRANSPORT_GET_CLASS (self)->close != NULL)
    NTPAC_TRANSPORT_GET_CLASS (self)->close (self);
}
