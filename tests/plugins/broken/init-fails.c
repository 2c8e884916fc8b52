/* init-fails.c: a plugin whose init fails after registering a feature
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#define TYPE_FAILING_TRANSPORT (failing_transport_get_type ())
G_DECLARE_FINAL_TYPE (FailingTransport, failing_transport, FAILING, TRANSPORT, NtpacTransport)

struct _FailingTransport
{
  NtpacTransport parent_instance;
};

G_DEFINE_FINAL_TYPE (FailingTransport, failing_transport, NTPAC_TYPE_TRANSPORT)

static void
failing_transport_class_init (FailingTransportClass *klass)
{
}

static void
failing_transport_init (FailingTransport *self)
{
}

static gboolean
init (NtpacPlugin  *plugin,
      GError      **error)
{
  if (!ntpac_plugin_add_transport (plugin, "never-there", NTPAC_RANK_NONE, TYPE_FAILING_TRANSPORT, error))
    return FALSE;
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "its licence key file is missing");
  return FALSE;
}

NTPAC_PLUGIN_DEFINE (init_fails, "a plugin that cannot start", init, "MIT")
