/* ntpac-carve.h: a conversation's original frames, back as a capture
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-conversation.h"
#include "ntpac-store.h"

G_BEGIN_DECLS

gboolean ntpac_carve_conversation (NtpacStore                *store,
                                   const NtpacConversationId *id,
                                   const gchar               *out_path,
                                   guint64                   *n_frames,
                                   GError                   **error);

G_END_DECLS
