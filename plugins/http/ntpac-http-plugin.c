/* ntpac-http-plugin.c: the plugin: one descriptor, the `http` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-http-dissector.h"

static gboolean
http_plugin_init (NtpacPlugin  *plugin,
                  GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "http", NTPAC_RANK_PRIMARY, NTPAC_TYPE_HTTP_DISSECTOR, error);
}

NTPAC_PLUGIN_DEFINE (http, "HTTP/1.x transactions, with their bodies as objects", http_plugin_init, "MIT")
