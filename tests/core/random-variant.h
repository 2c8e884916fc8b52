/* random-variant.h: random GVariant types and values for tests
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

/* Appends a random definite type (no maybes) of nesting at most 4 - @depth. */
void      random_variant_type  (GRand              *rand,
                                guint               depth,
                                GString            *type);
/* A random value of @type (floating). Strings are short, now and then long
 * enough for 2-byte framing offsets. */
GVariant *random_variant_value (GRand              *rand,
                                const GVariantType *type,
                                guint               depth);
