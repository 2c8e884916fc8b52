/* ntpac-json-private.h: writing JSON, one value at a time
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NTPAC_JSON_MAX_DEPTH 32

/* Appends to @out; commas are placed by the writer. Strings are written
 * as valid UTF-8 (invalid bytes become U+FFFD), control characters
 * escaped. */
typedef struct
{
  GString  *out;
  guint     depth;
  gboolean  need_comma[NTPAC_JSON_MAX_DEPTH];
  gboolean  after_key;
} NtpacJson;

void ntpac_json_init         (NtpacJson    *json,
                              GString      *out);
void ntpac_json_begin_object (NtpacJson    *json);
void ntpac_json_end_object   (NtpacJson    *json);
void ntpac_json_begin_array  (NtpacJson    *json);
void ntpac_json_end_array    (NtpacJson    *json);
void ntpac_json_key          (NtpacJson    *json,
                              const gchar  *key);
void ntpac_json_string       (NtpacJson    *json,
                              const gchar  *value);
void ntpac_json_string_len   (NtpacJson    *json,
                              const gchar  *value,
                              gsize         len);
void ntpac_json_int          (NtpacJson    *json,
                              gint64        value);
void ntpac_json_uint         (NtpacJson    *json,
                              guint64       value);
void ntpac_json_double       (NtpacJson    *json,
                              gdouble       value);
void ntpac_json_bool         (NtpacJson    *json,
                              gboolean      value);
void ntpac_json_null         (NtpacJson    *json);
void ntpac_json_raw          (NtpacJson    *json,
                              const gchar  *raw);

void ntpac_json_escape_append (GString     *out,
                               const gchar *value,
                               gsize        len);

G_END_DECLS
