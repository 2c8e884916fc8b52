/* ntpac-plugin.h: what a plugin module exports, and what its init may do
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>
#include <gmodule.h>

#include "ntpac-version.h"

G_BEGIN_DECLS

/**
 * NTPAC_PLUGIN_ABI_VERSION:
 *
 * Version of everything a plugin can reach through <ntpac/ntpac.h> whose
 * layout matters (this descriptor, the class structures of dissectors and
 * transports). A plugin built for another version is refused.
 */
#define NTPAC_PLUGIN_ABI_VERSION 1

/**
 * NtpacRank:
 * @NTPAC_RANK_NONE: never chosen on its own, only when named
 * @NTPAC_RANK_MARGINAL: a last resort
 * @NTPAC_RANK_SECONDARY: a good choice when the primary one is missing
 * @NTPAC_RANK_PRIMARY: the usual choice
 *
 * Which of several features that could handle the same input is tried
 * first (as GStreamer's ranks).
 */
typedef enum
{
  NTPAC_RANK_NONE = 0,
  NTPAC_RANK_MARGINAL = 64,
  NTPAC_RANK_SECONDARY = 128,
  NTPAC_RANK_PRIMARY = 256,
} NtpacRank;

/**
 * NtpacPlugin:
 *
 * A plugin being loaded, handed to its init function.
 */
typedef struct _NtpacPlugin NtpacPlugin;

typedef gboolean (*NtpacPluginInitFunc) (NtpacPlugin  *plugin,
                                         GError      **error);

/**
 * NtpacPluginDesc:
 * @abi_version: %NTPAC_PLUGIN_ABI_VERSION; always first, checked first
 * @name: the plugin's name: the module file is `libntpac-NAME.so`
 * @version: the plugin's version
 * @description: what it does, one line
 * @license: its licence (SPDX identifier)
 * @origin: where it comes from (a URL or an organisation)
 * @init: registers the plugin's features and nothing else
 *
 * What a plugin module exports, through the function
 * `ntpac_plugin_NAME_get_desc()` that NTPAC_PLUGIN_DEFINE() writes.
 */
typedef struct
{
  guint32              abi_version;
  const gchar         *name;
  const gchar         *version;
  const gchar         *description;
  const gchar         *license;
  const gchar         *origin;
  NtpacPluginInitFunc  init;
  gpointer             padding[8];
} NtpacPluginDesc;

#ifndef NTPAC_PLUGIN_VERSION
#define NTPAC_PLUGIN_VERSION NTPAC_VERSION
#endif
#ifndef NTPAC_PLUGIN_ORIGIN
#define NTPAC_PLUGIN_ORIGIN "unknown"
#endif

/**
 * NTPAC_PLUGIN_DEFINE:
 * @name: the plugin's name, an identifier (the `dns` of `libntpac-dns.so`;
 *   a `-` in the file name is a `_` here)
 * @description: what it does, one line
 * @init: its #NtpacPluginInitFunc
 * @license: its licence (SPDX identifier)
 *
 * Writes the one symbol a plugin exports. Define NTPAC_PLUGIN_VERSION and
 * NTPAC_PLUGIN_ORIGIN before including <ntpac/ntpac.h> to set those.
 */
#define NTPAC_PLUGIN_DEFINE(name, description, init, license)                  \
  G_MODULE_EXPORT const NtpacPluginDesc *ntpac_plugin_##name##_get_desc (void); \
  const NtpacPluginDesc *                                                      \
  ntpac_plugin_##name##_get_desc (void)                                        \
  {                                                                            \
    static const NtpacPluginDesc desc = {                                      \
      NTPAC_PLUGIN_ABI_VERSION, #name, NTPAC_PLUGIN_VERSION, description,      \
      license, NTPAC_PLUGIN_ORIGIN, init, { NULL }                             \
    };                                                                         \
    return &desc;                                                              \
  }

/**
 * NtpacPluginError:
 * @NTPAC_PLUGIN_ERROR_MODULE: the file is not a loadable module, or lacks
 *   the descriptor function
 * @NTPAC_PLUGIN_ERROR_ABI_MISMATCH: built for another ABI version
 * @NTPAC_PLUGIN_ERROR_INVALID_DESC: a descriptor field is missing or wrong
 * @NTPAC_PLUGIN_ERROR_INIT_FAILED: its init function failed
 * @NTPAC_PLUGIN_ERROR_DUPLICATE: a plugin or feature of that name is
 *   already loaded (the first one found wins)
 */
typedef enum
{
  NTPAC_PLUGIN_ERROR_MODULE,
  NTPAC_PLUGIN_ERROR_ABI_MISMATCH,
  NTPAC_PLUGIN_ERROR_INVALID_DESC,
  NTPAC_PLUGIN_ERROR_INIT_FAILED,
  NTPAC_PLUGIN_ERROR_DUPLICATE,
} NtpacPluginError;

#define NTPAC_PLUGIN_ERROR (ntpac_plugin_error_quark ())
GQuark       ntpac_plugin_error_quark    (void);

gboolean     ntpac_plugin_add_dissector  (NtpacPlugin  *plugin,
                                          const gchar  *name,
                                          guint         rank,
                                          GType         type,
                                          GError      **error);
gboolean     ntpac_plugin_add_transport  (NtpacPlugin  *plugin,
                                          const gchar  *name,
                                          guint         rank,
                                          GType         type,
                                          GError      **error);
const gchar *ntpac_plugin_get_name       (NtpacPlugin  *plugin);

G_END_DECLS
