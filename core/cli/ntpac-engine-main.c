/* ntpac-engine-main.c: the ntpac-engine program
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ntpac-cli.h"
#include "ntpac-privileges-private.h"

typedef struct
{
  const gchar  *name;
  int         (*run) (int argc, char **argv);
  const gchar  *summary;
} Command;

static const Command commands[] = {
  { "run", ntpac_cmd_run, N_("Read captures and store what they contain") },
  { "analyze", ntpac_cmd_analyze, N_("Run dissectors over the conversations of a database") },
  { "query", ntpac_cmd_query, N_("List stored records, filtered") },
  { "stats", ntpac_cmd_stats, N_("Describe what a database holds") },
  { "carve", ntpac_cmd_carve, N_("Write a conversation's original frames as a capture") },
  { "export-objects", ntpac_cmd_export_objects, N_("Write the extracted objects as files") },
  { "plugins", ntpac_cmd_plugins, N_("List the plugins found and what they provide") },
  { "keygen", ntpac_cmd_keygen, N_("Make a key pair for the nodes of a cluster") },
  { "serve", ntpac_cmd_serve, N_("Answer queries over databases from other machines") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, _("Usage:\n  ntpac-engine COMMAND [OPTION…]\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-16s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nOptions:\n"
                  "  -h, --help     Show this help\n"
                  "  --version      Show the version\n"
                  "\nRun “ntpac-engine COMMAND --help” for the options of a command.\n"));
}

/* Whether a command's options name --plugin-path (as GOption reads them:
 * whole words, up to "--"). */
static gboolean
names_plugin_path (int    argc,
                   char **argv)
{
  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "--plugin-path") || g_str_has_prefix (argv[i], "--plugin-path="))
      return TRUE;
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  const gchar *name;
  const gchar *localedir;

  setlocale (LC_ALL, "");
  /* NTPAC_LOCALEDIR lets a build tree (or a relocated install) find its
   * translations; a privileged process uses the installed ones only, as
   * a catalog's formats are code (a crafted "%p" prints its memory). */
  localedir = ntpac_running_privileged () ? NULL : g_getenv ("NTPAC_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : NTPAC_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return NTPAC_EXIT_ERROR;
    }
  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_usage (stdout);
      return NTPAC_EXIT_OK;
    }
  if (g_str_equal (name, "--version") || g_str_equal (name, "version"))
    {
      printf ("ntpac-engine %s\n", PACKAGE_VERSION);
      return NTPAC_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      {
        /* The command sees itself as argv[0], so its --help reads
         * “ntpac-engine run …”. */
        g_autofree gchar *prgname = g_strdup_printf ("ntpac-engine %s", name);

        g_set_prgname (prgname);
        /* Setuid or with capabilities, the user would choose code that
         * runs with rights they do not have: refused before any work. */
        if (names_plugin_path (argc - 1, argv + 1) && ntpac_running_privileged ())
          {
            ntpac_cli_error (_("--plugin-path is refused: ntpac-engine runs with more privileges than its user "
                               "(setuid or capabilities), and would run the plugins with them"));
            return NTPAC_EXIT_ERROR;
          }
        return commands[i].run (argc - 1, argv + 1);
      }
  {
    g_autofree gchar *message = name[0] == '-'
      ? g_strdup_printf (_("Unknown option “%s”"), name)
      : g_strdup_printf (_("Unknown command “%s”"), name);

    return ntpac_cli_usage_error (NULL, message);
  }
}
