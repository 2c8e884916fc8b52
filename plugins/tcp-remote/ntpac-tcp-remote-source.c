/* ntpac-tcp-remote-source.c: a GSource that dispatches when a ZeroMQ
 * socket has a message to read
 *
 * ZMQ_FD is edge-triggered and says only that something changed: the
 * socket's ZMQ_EVENTS is read again in every prepare and check, so a
 * message already queued is never missed (a missed drain would stall the
 * socket for good).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <zmq.h>

#include "ntpac-tcp-remote-source.h"

typedef struct
{
  GSource  source;
  void    *socket;
} ZmqSource;

static gboolean
zmq_source_readable (ZmqSource *s)
{
  gint events = 0;
  size_t len = sizeof events;

  if (zmq_getsockopt (s->socket, ZMQ_EVENTS, &events, &len) != 0)
    return FALSE;
  return (events & ZMQ_POLLIN) != 0;
}

static gboolean
zmq_source_prepare (GSource *source,
                    gint    *timeout)
{
  *timeout = -1;
  return zmq_source_readable ((ZmqSource *) source);
}

static gboolean
zmq_source_check (GSource *source)
{
  return zmq_source_readable ((ZmqSource *) source);
}

static gboolean
zmq_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs zmq_source_funcs = {
  zmq_source_prepare, zmq_source_check, zmq_source_dispatch, NULL, NULL, NULL,
};

/**
 * ntpac_tcp_remote_source_new:
 * @context: where the source is attached
 * @socket: a ZeroMQ socket, used by the thread that runs @context only
 * @func: called while the socket has a message (it should read them all)
 * @data: passed to @func
 *
 * Returns: (transfer full): the source, attached
 */
GSource *
ntpac_tcp_remote_source_new (GMainContext *context,
                             void         *socket,
                             GSourceFunc   func,
                             gpointer      data)
{
  GSource *source = g_source_new (&zmq_source_funcs, sizeof (ZmqSource));
  gint fd = -1;
  size_t len = sizeof fd;

  ((ZmqSource *) source)->socket = socket;
  zmq_getsockopt (socket, ZMQ_FD, &fd, &len);
  g_source_add_unix_fd (source, fd, G_IO_IN);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}
