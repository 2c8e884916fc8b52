/* ntpac-tcp-remote-keys.c: CURVE keys, which endpoints may go without
 * them, and the ZAP handler that lets in only the allowed balancers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <string.h>
#include <zmq.h>

#include <ntpac/ntpac.h>

#include "ntpac-tcp-remote-keys.h"
#include "ntpac-tcp-remote-source.h"

/* Parts of a ZAP request read at most (RFC 27 has seven for CURVE). */
#define MAX_ZAP_PARTS 8

/* Fails with @format as a settings error; returns FALSE. */
gboolean
ntpac_tcp_remote_settings_error (GError     **error,
                                 const gchar *format,
                                 ...)
{
  va_list args;
  gchar *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, NTPAC_TRANSPORT_ERROR, NTPAC_TRANSPORT_ERROR_SETTINGS, message);
  g_free (message);
  return FALSE;
}

/* A key file holds one Z85 key (40 characters) on a line of its own;
 * lines starting with # are comments. */
gboolean
ntpac_tcp_remote_read_key (const gchar  *path,
                           gchar         key[NTPAC_TCP_REMOTE_KEY_LENGTH + 1],
                           GError      **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr(GError) read_error = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 binary[32];

  if (!g_file_get_contents (path, &text, NULL, &read_error))
    return ntpac_tcp_remote_settings_error (error, _("Cannot read the key file “%s”: %s"), path, read_error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gchar *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      if (strlen (line) != NTPAC_TCP_REMOTE_KEY_LENGTH || zmq_z85_decode (binary, line) == NULL)
        break;
      memcpy (key, line, NTPAC_TCP_REMOTE_KEY_LENGTH + 1);
      return TRUE;
    }
  return ntpac_tcp_remote_settings_error (error, _("“%s” holds no key: a key file has one line of 40 Z85 characters "
                                  "(write key pairs with “ntpac-engine keygen”)"), path);
}

/* Only loopback endpoints may go without authentication. */
gboolean
ntpac_tcp_remote_is_loopback (const gchar *endpoint)
{
  const gchar *host, *colon;
  g_autofree gchar *name = NULL;
  struct in_addr v4;
  struct in6_addr v6;

  if (g_str_has_prefix (endpoint, "ipc://") || g_str_has_prefix (endpoint, "inproc://"))
    return TRUE;
  if (!g_str_has_prefix (endpoint, "tcp://"))
    return FALSE;
  host = endpoint + strlen ("tcp://");
  colon = strrchr (host, ':');
  if (colon == NULL)
    return FALSE;
  name = g_strndup (host, colon - host);
  if (name[0] == '[' && name[strlen (name) - 1] == ']')
    {
      memmove (name, name + 1, strlen (name));
      name[strlen (name) - 1] = '\0';
    }
  if (g_str_equal (name, "localhost"))
    return TRUE;
  /* An address, not a name that starts like one (127.0.0.1.example). */
  if (inet_pton (AF_INET, name, &v4) == 1)
    return (ntohl (v4.s_addr) >> 24) == 127;
  return inet_pton (AF_INET6, name, &v6) == 1 && IN6_IS_ADDR_LOOPBACK (&v6);
}

static gboolean
load_allowed_keys (NtpacTcpRemoteZap  *self,
                   GError            **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) dir_error = NULL;
  const gchar *name;

  if (self->dir == NULL)
    return ntpac_tcp_remote_settings_error (error, _("No balancer may connect: give --curve-clients DIR, a folder of the "
                                    "balancers' public keys (NAME.pub), or --insecure on a loopback address"));
  dir = g_dir_open (self->dir, 0, &dir_error);
  if (dir == NULL)
    return ntpac_tcp_remote_settings_error (error, _("Cannot read the folder of allowed keys “%s”: %s"),
                           self->dir, dir_error->message);
  self->allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      gchar key[NTPAC_TCP_REMOTE_KEY_LENGTH + 1];

      if (!g_str_has_suffix (name, ".pub"))
        continue;
      path = g_build_filename (self->dir, name, NULL);
      if (!ntpac_tcp_remote_read_key (path, key, error))
        return FALSE;
      g_hash_table_add (self->allowed, g_strdup (key));
    }
  if (g_hash_table_size (self->allowed) == 0)
    return ntpac_tcp_remote_settings_error (error, _("“%s” holds no public key (NAME.pub): no balancer could connect"),
                           self->dir);
  return TRUE;
}

/* ZAP (RFC 27): ZeroMQ asks, for every connection, whether its CURVE
 * public key may come in. */
static gboolean
zap_drain (gpointer data)
{
  NtpacTcpRemoteZap *self = data;

  for (;;)
    {
      zmq_msg_t parts[MAX_ZAP_PARTS];
      guint n = 0;
      gint more = 1;
      size_t len;
      gboolean allowed = FALSE;
      gchar key[NTPAC_TCP_REMOTE_KEY_LENGTH + 1] = "";
      g_autofree gchar *address = NULL;
      const gchar *status;

      while (more)
        {
          zmq_msg_t part;

          zmq_msg_init (&part);
          if (zmq_msg_recv (&part, self->socket, n == 0 ? ZMQ_DONTWAIT : 0) < 0)
            {
              zmq_msg_close (&part);
              break;
            }
          if (n < MAX_ZAP_PARTS)
            {
              zmq_msg_init (&parts[n]);
              zmq_msg_move (&parts[n], &part);
              n++;
            }
          zmq_msg_close (&part);
          len = sizeof more;
          zmq_getsockopt (self->socket, ZMQ_RCVMORE, &more, &len);
        }
      if (n == 0)
        break;
      /* version, request id, domain, address, routing id, mechanism,
       * and for CURVE the key */
      if (n >= 6)
        {
          address = g_strndup (zmq_msg_data (&parts[3]), zmq_msg_size (&parts[3]));
          if (n >= 7 && zmq_msg_size (&parts[5]) == 5 &&
              memcmp (zmq_msg_data (&parts[5]), "CURVE", 5) == 0 && zmq_msg_size (&parts[6]) == 32)
            {
              zmq_z85_encode (key, zmq_msg_data (&parts[6]), 32);
              allowed = g_hash_table_contains (self->allowed, key);
            }
        }
      /* Said once per key: a refused peer keeps retrying. */
      if (!allowed && g_hash_table_add (self->refused, g_strdup (key)))
        g_warning (_("Refused a peer connecting from %s: its public key %s is not among the keys in %s"),
                   address != NULL ? address : "?", key[0] != '\0' ? key : _("(none)"),
                   self->dir);
      status = allowed ? "200" : "400";
      zmq_send (self->socket, "1.0", 3, ZMQ_SNDMORE);
      if (n >= 2)
        zmq_send (self->socket, zmq_msg_data (&parts[1]), zmq_msg_size (&parts[1]), ZMQ_SNDMORE);
      else
        zmq_send (self->socket, "", 0, ZMQ_SNDMORE);
      zmq_send (self->socket, status, 3, ZMQ_SNDMORE);
      zmq_send (self->socket, allowed ? "OK" : "Key not allowed", allowed ? 2 : 15, ZMQ_SNDMORE);
      zmq_send (self->socket, "", 0, ZMQ_SNDMORE);
      zmq_send (self->socket, "", 0, 0);
      for (guint i = 0; i < n; i++)
        zmq_msg_close (&parts[i]);
    }
  return G_SOURCE_CONTINUE;
}

/**
 * ntpac_tcp_remote_zap_new:
 * @zctx: the ZeroMQ context whose connections are checked (one handler
 *   per context)
 * @context: where the handler's source runs
 * @dir: the folder of the allowed public keys (NAME.pub)
 * @error: why no peer could be let in
 *
 * Returns: (transfer full) (nullable): the handler, answering ZeroMQ's
 *   questions from @context
 */
NtpacTcpRemoteZap *
ntpac_tcp_remote_zap_new (void            *zctx,
                          GMainContext    *context,
                          const gchar     *dir,
                          GError         **error)
{
  NtpacTcpRemoteZap *self = g_new0 (NtpacTcpRemoteZap, 1);

  self->dir = g_strdup (dir);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!load_allowed_keys (self, error))
    {
      ntpac_tcp_remote_zap_free (self);
      return NULL;
    }
  self->socket = zmq_socket (zctx, ZMQ_REP);
  if (zmq_bind (self->socket, "inproc://zeromq.zap.01") != 0)
    {
      ntpac_tcp_remote_settings_error (error, _("Cannot start the authentication handler: %s"),
                                       zmq_strerror (zmq_errno ()));
      ntpac_tcp_remote_zap_free (self);
      return NULL;
    }
  self->source = ntpac_tcp_remote_source_new (context, self->socket, zap_drain, self);
  return self;
}

void
ntpac_tcp_remote_zap_free (NtpacTcpRemoteZap *self)
{
  if (self == NULL)
    return;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  if (self->socket != NULL)
    zmq_close (self->socket);
  g_clear_pointer (&self->allowed, g_hash_table_unref);
  g_hash_table_unref (self->refused);
  g_free (self->dir);
  g_free (self);
}
