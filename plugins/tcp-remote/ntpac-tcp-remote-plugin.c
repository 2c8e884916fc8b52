/* ntpac-tcp-remote-plugin.c: the tcp-remote plugin: the `tcp-remote`
 * transport between a cluster's balancer and its reassemblers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */

#include "ntpac-tcp-remote-transport.h"

static gboolean
tcp_remote_plugin_init (NtpacPlugin  *plugin,
                        GError      **error)
{
  return ntpac_plugin_add_transport (plugin, "tcp-remote", NTPAC_RANK_PRIMARY,
                                     NTPAC_TYPE_TCP_REMOTE_TRANSPORT, error);
}

NTPAC_PLUGIN_DEFINE (tcp_remote,
                     "Batches of frames between the processes and machines of a cluster, over ZeroMQ with CURVE",
                     tcp_remote_plugin_init, "MIT")
