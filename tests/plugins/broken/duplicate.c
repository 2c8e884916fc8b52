/* duplicate.c: a plugin that registers a transport named like the local
 * plugin's
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#define TYPE_OTHER_LOCAL (other_local_get_type ())
G_DECLARE_FINAL_TYPE (OtherLocal, other_local, OTHER, LOCAL, NtpacTransport)

struct _OtherLocal
{
  NtpacTransport parent_instance;
};

G_DEFINE_FINAL_TYPE (OtherLocal, other_local, NTPAC_TYPE_TRANSPORT)

static void
other_local_class_init (OtherLocalClass *klass)
{
}

static void
other_local_init (OtherLocal *self)
{
}

static gboolean
init (NtpacPlugin  *plugin,
      GError      **error)
{
  return ntpac_plugin_add_transport (plugin, "local", NTPAC_RANK_PRIMARY, TYPE_OTHER_LOCAL, error);
}

NTPAC_PLUGIN_DEFINE (duplicate, "registers a feature name already taken", init, "MIT")
