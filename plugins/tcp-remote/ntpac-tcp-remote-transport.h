/* ntpac-tcp-remote-transport.h: messages between processes and machines
 * over ZeroMQ, authenticated with CURVE, with credit-based back-pressure
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_TCP_REMOTE_TRANSPORT (ntpac_tcp_remote_transport_get_type ())
G_DECLARE_FINAL_TYPE (NtpacTcpRemoteTransport, ntpac_tcp_remote_transport, NTPAC, TCP_REMOTE_TRANSPORT, NtpacTransport)

G_END_DECLS
