/* ntpac-tcp-remote-source.h: a GSource that dispatches when a ZeroMQ
 * socket has a message to read
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GSource *ntpac_tcp_remote_source_new (GMainContext *context,
                                      void         *socket,
                                      GSourceFunc   func,
                                      gpointer      data);

G_END_DECLS
