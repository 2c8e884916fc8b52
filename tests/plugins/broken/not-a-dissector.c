/* not-a-dissector.c: a plugin that registers a plain GObject as a
 * dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

static gboolean
init (NtpacPlugin  *plugin,
      GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "imposter", NTPAC_RANK_PRIMARY, G_TYPE_OBJECT, error);
}

NTPAC_PLUGIN_DEFINE (not_a_dissector, "registers a type that is no dissector", init, "MIT")
