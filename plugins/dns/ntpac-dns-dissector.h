/* ntpac-dns-dissector.h: the `dns` dissector
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

#define NTPAC_TYPE_DNS_DISSECTOR (ntpac_dns_dissector_get_type ())
G_DECLARE_FINAL_TYPE (NtpacDnsDissector, ntpac_dns_dissector, NTPAC, DNS_DISSECTOR, NtpacDissector)

G_END_DECLS
