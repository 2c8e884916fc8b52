/* ntpac-hasher-private.h: SHA-256 of the inputs, on a thread of its own
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-chunk-private.h"

G_BEGIN_DECLS

typedef struct _NtpacHasher NtpacHasher;

NtpacHasher *ntpac_hasher_new          (void);
void         ntpac_hasher_feed         (NtpacHasher  *self,
                                        NtpacChunk   *chunk);
void         ntpac_hasher_end_input    (NtpacHasher  *self,
                                        gchar       **hex_out);
void         ntpac_hasher_abandon_input (NtpacHasher *self);
void         ntpac_hasher_free         (NtpacHasher  *self);

G_END_DECLS
