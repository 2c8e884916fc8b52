/* ntpac-banner-dissector.h: the `banner` dissector, an example to copy
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_BANNER_DISSECTOR (ntpac_banner_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacBannerDissector, ntpac_banner_dissector, NTPAC, BANNER_DISSECTOR, NtpacDissector)

G_END_DECLS
