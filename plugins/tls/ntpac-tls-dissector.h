/* ntpac-tls-dissector.h: the `tls` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_TLS_DISSECTOR (ntpac_tls_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacTlsDissector, ntpac_tls_dissector, NTPAC, TLS_DISSECTOR, NtpacDissector)

G_END_DECLS
