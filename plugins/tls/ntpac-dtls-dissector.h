/* ntpac-dtls-dissector.h: the `dtls` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_DTLS_DISSECTOR (ntpac_dtls_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacDtlsDissector, ntpac_dtls_dissector, NTPAC, DTLS_DISSECTOR, NtpacDissector)

G_END_DECLS
