/* misnamed.c: a descriptor whose name is not its file's
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

G_MODULE_EXPORT const NtpacPluginDesc *ntpac_plugin_misnamed_get_desc (void);

const NtpacPluginDesc *
ntpac_plugin_misnamed_get_desc (void)
{
  static const NtpacPluginDesc desc = {
    NTPAC_PLUGIN_ABI_VERSION, "someone_else", "1", "claims another name", "MIT", "tests", init, { NULL }
  };

  return &desc;
}
