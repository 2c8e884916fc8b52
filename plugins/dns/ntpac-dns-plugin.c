/* ntpac-dns-plugin.c: the DNS plugin: one feature, `dns`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-dns-dissector.h"

static gboolean
dns_plugin_init (NtpacPlugin  *plugin,
                 GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "dns", NTPAC_RANK_PRIMARY,
                                     NTPAC_TYPE_DNS_DISSECTOR, error);
}

NTPAC_PLUGIN_DEFINE (dns, "DNS queries and responses over UDP and TCP", dns_plugin_init, "MIT")
