/* shared-pcaps.h: the public capture corpus beside the repository
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One row of ../shared/pcaps/MANIFEST.tsv, by column name. */
typedef struct
{
  gchar      *dir;
  GPtrArray  *rows;     /* GHashTable column -> value */
} SharedPcaps;

SharedPcaps *shared_pcaps_open       (void);
void         shared_pcaps_free       (SharedPcaps  *pcaps);
gchar       *shared_pcaps_path       (SharedPcaps  *pcaps,
                                      const gchar  *file);
GPtrArray   *shared_pcaps_read_tsv   (const gchar  *path);
gboolean     shared_pcaps_skip_if_missing (SharedPcaps *pcaps);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SharedPcaps, shared_pcaps_free)

G_END_DECLS
