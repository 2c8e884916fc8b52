/* ntpac-error.c: error domains
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-error.h"

G_DEFINE_QUARK (ntpac-capture-error-quark, ntpac_capture_error)
G_DEFINE_QUARK (ntpac-actor-error-quark, ntpac_actor_error)
