/* ntpac-privileges-private.h: whether the process has more rights than its user
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ntpac_running_privileged        (void);
gboolean ntpac_privileges_parse_cap_eff  (const gchar *status,
                                          guint64     *cap_eff);

G_END_DECLS
