/* ntpac-quic-dissector.h: the `quic` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_QUIC_DISSECTOR (ntpac_quic_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacQuicDissector, ntpac_quic_dissector, NTPAC, QUIC_DISSECTOR, NtpacDissector)

G_END_DECLS
