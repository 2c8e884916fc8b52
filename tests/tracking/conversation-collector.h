/* conversation-collector.h: a sink that keeps what tests check of each
 * conversation
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

/* One finished conversation, with its payload per direction. */
typedef struct
{
  NtpacConversation  conversation;   /* a copy; frame_numbers kept */
  GByteArray        *payload[2];     /* per NtpacDirection; not duplicates */
  guint64            gap_bytes[2];   /* from the PDUs' gaps */
  guint              n_pdus;
  guint              duplicates;     /* duplicate datagrams among them */
  GArray            *frames;         /* NtpacFrameRef, from the frames chunks */
  GPtrArray         *pdus;           /* NtpacPdu copies (payload, segments, gaps) */
} CollectedConversation;

typedef struct _ConversationCollector ConversationCollector;

ConversationCollector            *conversation_collector_new      (gboolean keep_pdus);
void                              conversation_collector_free     (ConversationCollector *self);
const NtpacConversationSinkFuncs *conversation_collector_funcs    (void);
GPtrArray                        *conversation_collector_get      (ConversationCollector *self);
gchar                            *collected_direction_sha256      (const CollectedConversation *c,
                                                                   NtpacDirection               direction);
gchar                            *collected_describe              (const CollectedConversation *c);
gint                              collected_compare               (gconstpointer a,
                                                                   gconstpointer b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConversationCollector, conversation_collector_free)

G_END_DECLS
