/* ntpac-conversation-printer.c: conversations as JSON lines
 *
 * One object per line, with the fields of the `conversations` export, as
 * `query` prints them. Workers call from their threads, so a line is
 * built first and written under a lock.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-conversation-printer.h"

struct _NtpacConversationPrinter
{
  FILE   *out;
  GMutex  lock;
};

NtpacConversationPrinter *
ntpac_conversation_printer_new (FILE *out)
{
  NtpacConversationPrinter *self = g_new0 (NtpacConversationPrinter, 1);

  self->out = out;
  g_mutex_init (&self->lock);
  return self;
}

void
ntpac_conversation_printer_free (NtpacConversationPrinter *self)
{
  if (self == NULL)
    return;
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* The `conversations` export of one conversation, without a newline:
 * the same row a query of the stored conversation gives. */
gchar *
ntpac_conversation_to_json (const NtpacConversation *conversation)
{
  g_autoptr(GVariant) record = g_variant_ref_sink (ntpac_record_from_conversation (conversation));
  g_autoptr(GPtrArray) row = ntpac_query_conversation_row (&conversation->id, record);

  return ntpac_query_row_to_json (ntpac_query_conversation_columns (), row);
}

static void
printer_end (gpointer                 sink,
             const NtpacConversation *conversation)
{
  NtpacConversationPrinter *self = sink;
  g_autofree gchar *line = ntpac_conversation_to_json (conversation);

  g_mutex_lock (&self->lock);
  fputs (line, self->out);
  fputc ('\n', self->out);
  g_mutex_unlock (&self->lock);
}

static const NtpacConversationSinkFuncs printer_funcs = {
  .end = printer_end,
};

const NtpacConversationSinkFuncs *
ntpac_conversation_printer_funcs (void)
{
  return &printer_funcs;
}
