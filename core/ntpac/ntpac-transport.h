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
 * NtpacTransportPeerStats:
 * @messages: messages sent to the peer (batches of frames and the rest)
 * @bytes: bytes of those messages
 * @stalls: times a send had to wait for the peer to catch up
 * @stalled_ns: time spent waiting, in nanoseconds
 * @dropped_messages: messages not sent because the peer was behind (live
 *   sources only; a file source waits instead)
 * @dropped_bytes: their bytes
 *
 * What went to one peer of a cluster transport.
 */
typedef struct
{
  guint64 messages;
  guint64 bytes;
  guint64 stalls;
  guint64 stalled_ns;
  guint64 dropped_messages;
  guint64 dropped_bytes;
} NtpacTransportPeerStats;

/**
 * NtpacTransportClass:
 * @open: prepare to carry batches to @n_targets workers; @deliver hands a
 *   batch to its worker on the receiving side
 * @send: carry @batch (transfer full) to worker @batch->target; may block
 *   for flow control, never drops. Its payloads may point into the
 *   reader's buffers: a transport that carries the batch as bytes calls
 *   ntpac_batch_detach() first
 * @close: stop; batches sent before are delivered first
 * @connect_peers: (nullable): between processes, the sending side (a
 *   cluster's balancer): connect to every peer in @endpoints (peer i is
 *   the i-th), authenticate, and return once each is ready to receive, or
 *   fail with a message naming the peer that is not
 * @listen: (nullable): between processes, the receiving side (a
 *   reassembler): wait on @endpoint until one sender is connected
 * @send_message: (nullable): carry @message to @peer (the receiving side
 *   answers its sender with peer 0). A @counted message (a batch) waits
 *   while the peer holds as many as it allows (back-pressure, never loss);
 *   fails with a message naming the peer when the peer is gone
 * @receive_message: (nullable): the next message from any peer, waiting
 *   at most @timeout_us (-1: no limit). %NULL with @error unset on a
 *   timeout. A counted message's peer may send the next one once the
 *   returned bytes are released
 * @get_peer_stats: (nullable): counters of what went to @peer
 * @generate_keys: (nullable): a new key pair for authenticating peers,
 *   as text
 * @can_send: (nullable): whether a counted message to @peer would go at
 *   once (the peer has a credit left, or is gone and sending fails at
 *   once), so that one side can serve many peers without waiting on one
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

  gboolean (*connect_peers)   (NtpacTransport           *self,
                               const gchar * const      *endpoints,
                               GError                  **error);
  gboolean (*listen)          (NtpacTransport           *self,
                               const gchar              *endpoint,
                               GError                  **error);
  gboolean (*send_message)    (NtpacTransport           *self,
                               guint                     peer,
                               GBytes                   *message,
                               gboolean                  counted,
                               GError                  **error);
  GBytes  *(*receive_message) (NtpacTransport           *self,
                               guint                    *peer,
                               gint64                    timeout_us,
                               GError                  **error);
  void     (*get_peer_stats)  (NtpacTransport           *self,
                               guint                     peer,
                               NtpacTransportPeerStats  *stats);
  gboolean (*generate_keys)   (NtpacTransport           *self,
                               gchar                   **public_key,
                               gchar                   **secret_key,
                               GError                  **error);

  gboolean (*can_send)        (NtpacTransport           *self,
                               guint                     peer);

  gpointer padding[1];
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

gboolean ntpac_transport_is_remote       (NtpacTransport           *self);
gboolean ntpac_transport_connect_peers   (NtpacTransport           *self,
                                          const gchar * const      *endpoints,
                                          GError                  **error);
gboolean ntpac_transport_listen          (NtpacTransport           *self,
                                          const gchar              *endpoint,
                                          GError                  **error);
gboolean ntpac_transport_send_message    (NtpacTransport           *self,
                                          guint                     peer,
                                          GBytes                   *message,
                                          gboolean                  counted,
                                          GError                  **error);
GBytes  *ntpac_transport_receive_message (NtpacTransport           *self,
                                          guint                    *peer,
                                          gint64                    timeout_us,
                                          GError                  **error);
void     ntpac_transport_get_peer_stats  (NtpacTransport           *self,
                                          guint                     peer,
                                          NtpacTransportPeerStats  *stats);
gboolean ntpac_transport_can_send        (NtpacTransport           *self,
                                          guint                     peer);
gboolean ntpac_transport_generate_keys   (NtpacTransport           *self,
                                          gchar                   **public_key,
                                          gchar                   **secret_key,
                                          GError                  **error);

G_END_DECLS
