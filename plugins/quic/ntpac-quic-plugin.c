/* ntpac-quic-plugin.c: the QUIC plugin: one feature, `quic`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-quic-dissector.h"

static gboolean
quic_plugin_init (NtpacPlugin  *plugin,
                  GError      **error)
{
  return ntpac_plugin_add_dissector (plugin, "quic", NTPAC_RANK_PRIMARY,
                                     NTPAC_TYPE_QUIC_DISSECTOR, error);
}

NTPAC_PLUGIN_DEFINE (quic, "QUIC Initial packets: version, connection ids, SNI, ALPN, JA4",
                     quic_plugin_init, "MIT")
