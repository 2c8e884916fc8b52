/* fuzz-common.h: shared by the fuzz targets and their corpus generator
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

/* Link types a fuzz input selects by index. */
static const guint32 fuzz_link_types[] = { 1, 113, 276, 101, 228, 229, 0, 108, 147, 105, 127, 192 };
