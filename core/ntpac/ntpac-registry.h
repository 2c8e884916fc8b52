/* ntpac-registry.h: the plugins found and the features they provide
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>

#include "ntpac-plugin.h"

G_BEGIN_DECLS

/**
 * NtpacFeatureKind:
 * @NTPAC_FEATURE_DISSECTOR: an #NtpacDissector
 * @NTPAC_FEATURE_TRANSPORT: an #NtpacTransport
 */
typedef enum
{
  NTPAC_FEATURE_DISSECTOR,
  NTPAC_FEATURE_TRANSPORT,
} NtpacFeatureKind;

typedef struct _NtpacPluginInfo NtpacPluginInfo;

/**
 * NtpacFeature:
 * @name: unique among the features of its kind
 * @kind: what it is
 * @rank: #NtpacRank
 * @type: the GType instantiated for it
 * @plugin: the plugin that provides it
 */
typedef struct
{
  gchar                 *name;
  NtpacFeatureKind       kind;
  guint                  rank;
  GType                  type;
  const NtpacPluginInfo *plugin;
} NtpacFeature;

/**
 * NtpacPluginInfo:
 * @path: the module file
 * @name: (nullable): from the descriptor
 * @version: (nullable): from the descriptor
 * @description: (nullable): from the descriptor
 * @license: (nullable): from the descriptor
 * @origin: (nullable): from the descriptor
 * @features: (element-type NtpacFeature): what it provides
 * @error: (nullable): why it was refused; %NULL when it is loaded
 */
struct _NtpacPluginInfo
{
  gchar     *path;
  gchar     *name;
  gchar     *version;
  gchar     *description;
  gchar     *license;
  gchar     *origin;
  GPtrArray *features;
  GError    *error;
};

typedef struct _NtpacRegistry NtpacRegistry;

NtpacRegistry      *ntpac_registry_new              (void);
void                ntpac_registry_free             (NtpacRegistry       *self);
void                ntpac_registry_load             (NtpacRegistry       *self,
                                                     const gchar * const *extra_paths);
gboolean            ntpac_registry_load_file        (NtpacRegistry       *self,
                                                     const gchar         *path,
                                                     GError             **error);
gchar             **ntpac_registry_get_search_path  (NtpacRegistry       *self);
GPtrArray          *ntpac_registry_get_plugins      (NtpacRegistry       *self);
GPtrArray          *ntpac_registry_get_features     (NtpacRegistry       *self,
                                                     NtpacFeatureKind     kind);
const NtpacFeature *ntpac_registry_find             (NtpacRegistry       *self,
                                                     NtpacFeatureKind     kind,
                                                     const gchar         *name);
gpointer            ntpac_registry_create           (NtpacRegistry       *self,
                                                     NtpacFeatureKind     kind,
                                                     const gchar         *name,
                                                     GError             **error);
const gchar        *ntpac_feature_kind_to_string    (NtpacFeatureKind     kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacRegistry, ntpac_registry_free)

G_END_DECLS
