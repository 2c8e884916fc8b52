/* ntpac-privileges.c: whether the process has more rights than its user
 *
 * A setuid or setgid program, or one given file or ambient capabilities,
 * runs with an environment and a command line chosen by a user who does
 * not have those rights: neither may choose which code or message
 * catalogs it loads. This is the one test every such decision makes.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "ntpac-privileges-private.h"

/**
 * ntpac_privileges_parse_cap_eff:
 * @status: the text of `/proc/self/status`
 * @cap_eff: (out): the effective capability set
 *
 * Returns: %TRUE if @status has a well-formed `CapEff:` line
 */
gboolean
ntpac_privileges_parse_cap_eff (const gchar *status,
                                guint64     *cap_eff)
{
  const gchar *line = status;

  while (line != NULL && *line != '\0')
    {
      if (strncmp (line, "CapEff:", 7) == 0)
        {
          const gchar *p = line + 7;
          guint64 value = 0;
          guint digits = 0;

          while (*p == ' ' || *p == '\t')
            p++;
          for (; g_ascii_isxdigit (*p); p++, digits++)
            {
              if (digits == 16)
                return FALSE;
              value = (value << 4) | g_ascii_xdigit_value (*p);
            }
          if (digits == 0 || (*p != '\n' && *p != '\0'))
            return FALSE;
          *cap_eff = value;
          return TRUE;
        }
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return FALSE;
}

/* Root with root's own capabilities has no more rights than its user. */
static gboolean
has_capabilities (void)
{
  g_autofree gchar *status = NULL;
  guint64 cap_eff = 0;

  if (getuid () == 0)
    return FALSE;
  /* Unreadable means unknown: assume the worst. */
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return TRUE;
  if (!ntpac_privileges_parse_cap_eff (status, &cap_eff))
    return TRUE;
  return cap_eff != 0;
}

/**
 * ntpac_running_privileged:
 *
 * Returns: %TRUE when the process has rights its real user does not
 *   (setuid, setgid, file or ambient capabilities), so that the
 *   environment and the command line must not choose code or catalogs
 */
gboolean
ntpac_running_privileged (void)
{
  return getauxval (AT_SECURE) != 0
         || getuid () != geteuid ()
         || getgid () != getegid ()
         || has_capabilities ();
}
