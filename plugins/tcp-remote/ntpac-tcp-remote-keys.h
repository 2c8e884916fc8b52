/* ntpac-tcp-remote-keys.h: CURVE keys, which endpoints may go without
 * them, and the ZAP handler that lets in only the allowed balancers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A key as text: Z85 of 32 bytes. */
#define NTPAC_TCP_REMOTE_KEY_LENGTH 40

gboolean ntpac_tcp_remote_settings_error (GError      **error,
                                          const gchar  *format,
                                          ...) G_GNUC_PRINTF (2, 3);
gboolean ntpac_tcp_remote_read_key       (const gchar  *path,
                                          gchar         key[NTPAC_TCP_REMOTE_KEY_LENGTH + 1],
                                          GError      **error);
gboolean ntpac_tcp_remote_is_loopback    (const gchar  *endpoint);

/**
 * NtpacTcpRemoteZap:
 *
 * Answers ZeroMQ's authentication requests (ZAP, RFC 27) for one context:
 * a CURVE peer is let in if its public key is one of the folder's. A
 * refused key is said once.
 */
typedef struct
{
  void           *socket;
  GSource        *source;
  GHashTable     *allowed;   /* Z85 public keys; NULL: peers without keys */
  GHashTable     *refused;   /* keys refused and said so */
  gchar          *dir;
} NtpacTcpRemoteZap;

NtpacTcpRemoteZap *ntpac_tcp_remote_zap_new  (void            *zctx,
                                              GMainContext    *context,
                                              const gchar     *dir,
                                              GError         **error);
void               ntpac_tcp_remote_zap_free (NtpacTcpRemoteZap *self);

G_END_DECLS
