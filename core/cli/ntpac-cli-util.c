/* ntpac-cli-util.c: messages and values on the command line
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ntpac-cli.h"

static void print_message (const gchar *prefix,
                           const gchar *format,
                           va_list      args) G_GNUC_PRINTF (2, 0);

static void
print_message (const gchar *prefix,
               const gchar *format,
               va_list      args)
{
  g_autofree gchar *message = g_strdup_vprintf (format, args);

  fflush (stdout);
  fprintf (stderr, "ntpac-engine: %s%s\n", prefix, message);
}

void
ntpac_cli_error (const gchar *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  print_message (_("error: "), format, args);
  va_end (args);
}

void
ntpac_cli_warning (const gchar *format,
                   ...)
{
  va_list args;

  va_start (args, format);
  print_message (_("warning: "), format, args);
  va_end (args);
}

/* "65536", "64K", "32M", "1G", "2GiB": binary multiples. */
gboolean
ntpac_cli_parse_size (const gchar *text,
                      guint64     *bytes)
{
  gchar *end = NULL;
  guint64 value, unit = 1;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoull (text, &end, 10);
  switch (g_ascii_toupper (*end))
    {
    case '\0':
      break;
    case 'K':
      unit = G_GUINT64_CONSTANT (1) << 10;
      end++;
      break;
    case 'M':
      unit = G_GUINT64_CONSTANT (1) << 20;
      end++;
      break;
    case 'G':
      unit = G_GUINT64_CONSTANT (1) << 30;
      end++;
      break;
    case 'T':
      unit = G_GUINT64_CONSTANT (1) << 40;
      end++;
      break;
    default:
      return FALSE;
    }
  if (unit > 1 && (g_ascii_strcasecmp (end, "ib") == 0 || g_ascii_strcasecmp (end, "b") == 0))
    end += strlen (end);
  if (*end != '\0' || value > G_MAXUINT64 / unit)
    return FALSE;
  *bytes = value * unit;
  return TRUE;
}

/* 1234567 → "1,234,567": counts people can read at a glance. */
gchar *
ntpac_cli_format_count (guint64 value)
{
  g_autofree gchar *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* A bad option or argument: say what, and where help is. */
int
ntpac_cli_usage_error (const gchar *command,
                       const gchar *message)
{
  ntpac_cli_error ("%s", message);
  if (command != NULL)
    fprintf (stderr, _("Try “ntpac-engine %s --help” for more information.\n"), command);
  else
    fprintf (stderr, _("Try “ntpac-engine --help” for more information.\n"));
  return NTPAC_EXIT_ERROR;
}

/* Tells, on standard error, what could not be read or was damaged. */
void
ntpac_cli_report_inputs (NtpacCapture *capture)
{
  for (guint i = 0; i < ntpac_capture_get_n_inputs (capture); i++)
    {
      const NtpacInput *in = ntpac_capture_get_input (capture, i);

      if (in->error != NULL)
        ntpac_cli_error ("%s", in->error->message);
      if (in->damage != NULL)
        ntpac_cli_warning (_("“%s” is damaged at byte %llu: %s; the %llu frames before it were read"),
                           in->path, (unsigned long long) in->damage_offset, in->damage,
                           (unsigned long long) in->frames);
      if (in->warning != NULL)
        ntpac_cli_warning ("“%s”: %s", in->path, in->warning);
    }
}

/**
 * ntpac_cli_write_all:
 * @fd: where to write
 * @data: the bytes
 * @len: how many
 * @output: the file's name, for the error
 * @error: why not all were written
 *
 * Writes @data whole to @fd, as often as the kernel takes only part.
 */
gboolean
ntpac_cli_write_all (gint           fd,
                     const guint8  *data,
                     gsize          len,
                     const gchar   *output,
                     GError       **error)
{
  while (len > 0)
    {
      ssize_t put = write (fd, data, len);

      if (put < 0 && errno == EINTR)
        continue;
      if (put < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot write “%s”: %s"), output, g_strerror (saved_errno));
          return FALSE;
        }
      data += put;
      len -= (gsize) put;
    }
  return TRUE;
}
