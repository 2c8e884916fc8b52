/* ntpac-variant-json-private.h: stored values as JSON
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-json-private.h"
#include "ntpac-variant-reader-private.h"

G_BEGIN_DECLS

void      ntpac_json_variant      (NtpacJson              *json,
                                   GVariant               *v);
gboolean  ntpac_json_variant_view (NtpacJson              *json,
                                   const NtpacVariantView *view);
gchar    *ntpac_variant_view_json (const NtpacVariantView *view);

G_END_DECLS
