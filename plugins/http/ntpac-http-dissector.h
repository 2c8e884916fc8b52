/* ntpac-http-dissector.h: the `http` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_HTTP_DISSECTOR (ntpac_http_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacHttpDissector, ntpac_http_dissector, NTPAC, HTTP_DISSECTOR, NtpacDissector)

G_END_DECLS
