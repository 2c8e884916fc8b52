/* ntpac-conversation-printer.h: conversations as JSON lines
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct _NtpacConversationPrinter NtpacConversationPrinter;

NtpacConversationPrinter         *ntpac_conversation_printer_new   (FILE                     *out);
void                              ntpac_conversation_printer_free  (NtpacConversationPrinter *self);
const NtpacConversationSinkFuncs *ntpac_conversation_printer_funcs (void);
gchar                            *ntpac_conversation_to_json       (const NtpacConversation  *conversation);

G_END_DECLS
