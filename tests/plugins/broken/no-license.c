/* no-license.c: a descriptor with a field missing
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

static gboolean
init (NtpacPlugin  *plugin,
      GError      **error)
{
  return TRUE;
}

NTPAC_PLUGIN_DEFINE (no_license, "a plugin without a licence", init, NULL)
