/* stored-conversations.h: every conversation of a database read back,
 * with its payload, and checked against the traffic generator's truth
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * StoredConversation:
 * @record: the conversation record (a{sv})
 * @payload: the payload per direction, read back from the payload files
 *   (gaps left out)
 * @missing: missing bytes per direction, summed over the PDUs
 * @n_pdus: PDUs stored for it
 * @n_frames: frames stored for it
 */
typedef struct
{
  GVariant   *record;
  GByteArray *payload[2];
  guint64     missing[2];
  guint       n_pdus;
  guint       n_duplicates;   /* PDUs that are copies of the one before */
  guint       n_frames;
} StoredConversation;

GHashTable *stored_conversations_read  (const gchar *db);
guint       stored_conversations_check (GHashTable  *stored,
                                        const gchar *truth_path,
                                        gboolean     all_expected);

G_END_DECLS
