/* ntpac-time.h: timestamps as people and JSON read them
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

gchar    *ntpac_time_format_rfc3339 (gint64        ts_ns);
gboolean  ntpac_time_parse          (const gchar  *text,
                                     gint64       *ts_ns);

G_END_DECLS
