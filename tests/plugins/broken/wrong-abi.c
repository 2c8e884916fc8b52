/* wrong-abi.c: a plugin built for another plugin ABI
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

static gboolean
init (NtpacPlugin  *plugin,
      GError      **error)
{
  g_error ("the init of a plugin with the wrong ABI must never run");
  return FALSE;
}

G_MODULE_EXPORT const NtpacPluginDesc *ntpac_plugin_wrong_abi_get_desc (void);

const NtpacPluginDesc *
ntpac_plugin_wrong_abi_get_desc (void)
{
  static const NtpacPluginDesc desc = {
    NTPAC_PLUGIN_ABI_VERSION + 41, "wrong_abi", "1", "built for a future ntpac", "MIT", "tests", init, { NULL }
  };

  return &desc;
}
