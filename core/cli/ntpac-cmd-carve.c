/* ntpac-cmd-carve.c: `ntpac-engine carve`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"

int
ntpac_cmd_carve (int    argc,
                 char **argv)
{
  g_auto(GStrv) databases = NULL;
  g_autofree gchar *conversation = NULL;
  g_autofree gchar *output = NULL;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Read the database DB (repeat to look in several)"), N_("DB") },
    { "conversation", 0, 0, G_OPTION_ARG_STRING, &conversation,
      N_("The conversation to carve (its id, 32 hex digits)"), N_("ID") },
    { "write", 'w', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the frames to FILE (“-” for standard output, to pipe into Wireshark)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— write a conversation's original frames as a capture"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;
  NtpacConversationId id;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("The frames are copied from the evidence files at the offsets recorded when they\n"
      "were read: each record is byte-identical to the input's. A pcap input gives a\n"
      "pcap, a pcapng input a pcapng. The evidence must still be where it was read."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ntpac_cli_usage_error ("carve", error->message);
  if (conversation == NULL)
    return ntpac_cli_usage_error ("carve", _("Name the conversation with --conversation ID (32 hex digits)"));
  if (!ntpac_conversation_id_from_hex (conversation, &id))
    {
      ntpac_cli_error (_("“%s” is not a conversation id (32 hex digits)"), conversation);
      return NTPAC_EXIT_ERROR;
    }
  if (output == NULL)
    return ntpac_cli_usage_error ("carve", _("Name the output file with -w FILE"));
  stores = ntpac_cli_open_databases (databases, "carve");
  if (stores == NULL)
    return NTPAC_EXIT_ERROR;
  for (guint i = 0; i < stores->len; i++)
    {
      NtpacStore *store = stores->pdata[i];
      g_autoptr(GBytes) found = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS),
                                                 id.bytes, 16, NULL);
      guint64 frames = 0;

      if (found == NULL)
        continue;
      if (!ntpac_carve_conversation (store, &id, output, &frames, &error))
        {
          ntpac_cli_error ("%s", error->message);
          return NTPAC_EXIT_ERROR;
        }
      g_printerr (ngettext ("%s: %" PRIu64 " frame of conversation %s\n",
                            "%s: %" PRIu64 " frames of conversation %s\n", frames),
                  output, (guint64) frames, conversation);
      return NTPAC_EXIT_OK;
    }
  ntpac_cli_error (_("No conversation %s in the database"), conversation);
  return NTPAC_EXIT_ERROR;
}
