/* ntpac-tls-plugin.c: the TLS plugin: `tls` (TCP) and `dtls` (UDP)
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-dtls-dissector.h"
#include "ntpac-tls-dissector.h"

static gboolean
tls_plugin_init (NtpacPlugin  *plugin,
                 GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "tls", NTPAC_RANK_PRIMARY,
                                     NTPAC_TYPE_TLS_DISSECTOR, error) &&
         ntpac_plugin_add_dissector (plugin, "dtls", NTPAC_RANK_PRIMARY,
                                     NTPAC_TYPE_DTLS_DISSECTOR, error);
}

NTPAC_PLUGIN_DEFINE (tls, "TLS and DTLS handshakes: SNI, ALPN, JA3, JA4 and certificates", tls_plugin_init, "MIT")
