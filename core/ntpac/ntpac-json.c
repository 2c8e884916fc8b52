/* ntpac-json.c: writing JSON, one value at a time
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-json-private.h"

void
ntpac_json_init (NtpacJson *json,
                 GString   *out)
{
  memset (json, 0, sizeof *json);
  json->out = out;
}

/* Separates a value from the one before it, unless it follows a key. */
static void
before_value (NtpacJson *json)
{
  if (json->after_key)
    {
      json->after_key = FALSE;
      return;
    }
  if (json->need_comma[json->depth])
    g_string_append_c (json->out, ',');
  json->need_comma[json->depth] = TRUE;
}

static void
open_container (NtpacJson *json,
                gchar      bracket)
{
  before_value (json);
  g_string_append_c (json->out, bracket);
  g_return_if_fail (json->depth + 1 < NTPAC_JSON_MAX_DEPTH);
  json->depth++;
  json->need_comma[json->depth] = FALSE;
}

static void
close_container (NtpacJson *json,
                 gchar      bracket)
{
  g_return_if_fail (json->depth > 0);
  json->depth--;
  g_string_append_c (json->out, bracket);
}

void
ntpac_json_begin_object (NtpacJson *json)
{
  open_container (json, '{');
}

void
ntpac_json_end_object (NtpacJson *json)
{
  close_container (json, '}');
}

void
ntpac_json_begin_array (NtpacJson *json)
{
  open_container (json, '[');
}

void
ntpac_json_end_array (NtpacJson *json)
{
  close_container (json, ']');
}

void
ntpac_json_escape_append (GString     *out,
                          const gchar *value,
                          gsize        len)
{
  const gchar *end = value + len;
  const gchar *p = value;

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar ch = (guchar) *p;

      if (ch < 0x80)
        {
          switch (ch)
            {
            case '"':
              g_string_append (out, "\\\"");
              break;
            case '\\':
              g_string_append (out, "\\\\");
              break;
            case '\n':
              g_string_append (out, "\\n");
              break;
            case '\r':
              g_string_append (out, "\\r");
              break;
            case '\t':
              g_string_append (out, "\\t");
              break;
            default:
              if (ch < 0x20 || ch == 0x7f)
                g_string_append_printf (out, "\\u%04x", ch);
              else
                g_string_append_c (out, (gchar) ch);
              break;
            }
          p++;
          continue;
        }
      {
        const gchar *valid_end;

        if (g_utf8_validate (p, MIN (end - p, 4), &valid_end) || valid_end > p)
          {
            gsize n = g_utf8_skip[ch];

            if (valid_end - p >= (gssize) n)
              {
                g_string_append_len (out, p, n);
                p += n;
                continue;
              }
          }
        g_string_append (out, "\xef\xbf\xbd");  /* U+FFFD for a byte that is not UTF-8 */
        p++;
      }
    }
  g_string_append_c (out, '"');
}

void
ntpac_json_key (NtpacJson   *json,
                const gchar *key)
{
  before_value (json);
  ntpac_json_escape_append (json->out, key, strlen (key));
  g_string_append_c (json->out, ':');
  json->after_key = TRUE;
}

void
ntpac_json_string_len (NtpacJson   *json,
                       const gchar *value,
                       gsize        len)
{
  before_value (json);
  ntpac_json_escape_append (json->out, value, len);
}

void
ntpac_json_string (NtpacJson   *json,
                   const gchar *value)
{
  if (value == NULL)
    ntpac_json_null (json);
  else
    ntpac_json_string_len (json, value, strlen (value));
}

void
ntpac_json_int (NtpacJson *json,
                gint64     value)
{
  before_value (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
ntpac_json_uint (NtpacJson *json,
                 guint64    value)
{
  before_value (json);
  g_string_append_printf (json->out, "%" G_GUINT64_FORMAT, value);
}

void
ntpac_json_double (NtpacJson *json,
                   gdouble    value)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  before_value (json);
  g_string_append (json->out, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

void
ntpac_json_bool (NtpacJson *json,
                 gboolean   value)
{
  before_value (json);
  g_string_append (json->out, value ? "true" : "false");
}

void
ntpac_json_null (NtpacJson *json)
{
  before_value (json);
  g_string_append (json->out, "null");
}

/* Appends already-encoded JSON as one value. */
void
ntpac_json_raw (NtpacJson   *json,
                const gchar *raw)
{
  before_value (json);
  g_string_append (json->out, raw);
}
