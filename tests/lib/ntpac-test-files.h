/* ntpac-test-files.h: temporary folders for tests, removed with what
 * the engine wrote into them
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void      ntpac_test_remove_tree  (const gchar *path);
gchar    *ntpac_test_file_sha256  (const gchar *path);
gboolean  ntpac_test_dir_has_file (const gchar *dir,
                                   const gchar *name);

G_END_DECLS
