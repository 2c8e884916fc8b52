/* ntpac-banner-plugin.c: the plugin: one descriptor, one feature
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-banner-dissector.h"

/* init registers features, and nothing else: the engine creates them
 * when a pipeline names them. */
static gboolean
banner_plugin_init (NtpacPlugin  *plugin,
                    GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "banner", NTPAC_RANK_MARGINAL, NTPAC_TYPE_BANNER_DISSECTOR, error);
}

NTPAC_PLUGIN_DEFINE (banner, "First line of each side of text protocols (an example)", banner_plugin_init, "MIT")
