/* ntpac-transport.c: how batches travel from the balancer to the workers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ntpac-error.h"
#include "ntpac-transport.h"

G_DEFINE_ABSTRACT_TYPE (NtpacTransport, ntpac_transport, G_TYPE_OBJECT)
G_DEFINE_QUARK (ntpac-transport-error-quark, ntpac_transport_error)

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

/* ---- between processes -------------------------------------------------- */

static gboolean
not_remote (NtpacTransport  *self,
            GError         **error)
{
  g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
               _("The transport %s carries batches inside one process, not between processes"),
               G_OBJECT_TYPE_NAME (self));
  return FALSE;
}

/**
 * ntpac_transport_is_remote:
 * @self: a transport
 *
 * Returns: whether @self carries messages between processes (a cluster's
 *   balancer and reassemblers)
 */
gboolean
ntpac_transport_is_remote (NtpacTransport *self)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  return NTPAC_TRANSPORT_GET_CLASS (self)->send_message != NULL &&
         NTPAC_TRANSPORT_GET_CLASS (self)->receive_message != NULL;
}

gboolean
ntpac_transport_connect_peers (NtpacTransport       *self,
                               const gchar * const  *endpoints,
                               GError              **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->connect_peers == NULL)
    return not_remote (self, error);
  return NTPAC_TRANSPORT_GET_CLASS (self)->connect_peers (self, endpoints, error);
}

gboolean
ntpac_transport_listen (NtpacTransport  *self,
                        const gchar     *endpoint,
                        GError         **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->listen == NULL)
    return not_remote (self, error);
  return NTPAC_TRANSPORT_GET_CLASS (self)->listen (self, endpoint, error);
}

gboolean
ntpac_transport_send_message (NtpacTransport  *self,
                              guint            peer,
                              GBytes          *message,
                              gboolean         counted,
                              GError         **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->send_message == NULL)
    return not_remote (self, error);
  return NTPAC_TRANSPORT_GET_CLASS (self)->send_message (self, peer, message, counted, error);
}

GBytes *
ntpac_transport_receive_message (NtpacTransport  *self,
                                 guint           *peer,
                                 gint64           timeout_us,
                                 GError         **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), NULL);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->receive_message == NULL)
    {
      not_remote (self, error);
      return NULL;
    }
  return NTPAC_TRANSPORT_GET_CLASS (self)->receive_message (self, peer, timeout_us, error);
}

void
ntpac_transport_get_peer_stats (NtpacTransport          *self,
                                guint                    peer,
                                NtpacTransportPeerStats *stats)
{
  g_return_if_fail (NTPAC_IS_TRANSPORT (self));
  memset (stats, 0, sizeof *stats);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->get_peer_stats != NULL)
    NTPAC_TRANSPORT_GET_CLASS (self)->get_peer_stats (self, peer, stats);
}

/**
 * ntpac_transport_can_send:
 * @self: a transport
 * @peer: a peer
 *
 * Returns: whether a counted message to @peer would be sent without
 *   waiting; %TRUE for a transport that does not count (it never waits
 *   on one peer)
 */
gboolean
ntpac_transport_can_send (NtpacTransport *self,
                          guint           peer)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->can_send == NULL)
    return TRUE;
  return NTPAC_TRANSPORT_GET_CLASS (self)->can_send (self, peer);
}

gboolean
ntpac_transport_generate_keys (NtpacTransport  *self,
                               gchar          **public_key,
                               gchar          **secret_key,
                               GError         **error)
{
  g_return_val_if_fail (NTPAC_IS_TRANSPORT (self), FALSE);
  if (NTPAC_TRANSPORT_GET_CLASS (self)->generate_keys == NULL)
    {
      g_set_error (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
                   _("The transport %s does not authenticate its peers with keys"), G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return NTPAC_TRANSPORT_GET_CLASS (self)->generate_keys (self, public_key, secret_key, error);
}
