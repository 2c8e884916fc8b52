/* ntpac-variant-json.c: stored values as JSON
 *
 * Records are GVariants; `query` prints them as JSON. The view-based
 * writer reads the serialised bytes in place (ntpac-variant-reader.c) and
 * writes what ntpac_json_variant() writes for the same value, without a
 * GVariant per member: that took most of a query's time.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-variant-json-private.h"

/**
 * ntpac_json_variant:
 * @json: where to write
 * @v: (nullable): a value; %NULL is written as null
 *
 * Numbers (and handles) as numbers, strings as strings, `a{sv}` as
 * objects, other containers as arrays, variants and maybes as what they
 * hold.
 */
void
ntpac_json_variant (NtpacJson *json,
                    GVariant  *v)
{
  if (v == NULL)
    {
      ntpac_json_null (json);
      return;
    }
  switch (g_variant_classify (v))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      ntpac_json_bool (json, g_variant_get_boolean (v));
      break;
    case G_VARIANT_CLASS_BYTE:
      ntpac_json_uint (json, g_variant_get_byte (v));
      break;
    case G_VARIANT_CLASS_UINT16:
      ntpac_json_uint (json, g_variant_get_uint16 (v));
      break;
    case G_VARIANT_CLASS_UINT32:
      ntpac_json_uint (json, g_variant_get_uint32 (v));
      break;
    case G_VARIANT_CLASS_UINT64:
      ntpac_json_uint (json, g_variant_get_uint64 (v));
      break;
    case G_VARIANT_CLASS_INT16:
      ntpac_json_int (json, g_variant_get_int16 (v));
      break;
    case G_VARIANT_CLASS_INT32:
      ntpac_json_int (json, g_variant_get_int32 (v));
      break;
    case G_VARIANT_CLASS_INT64:
      ntpac_json_int (json, g_variant_get_int64 (v));
      break;
    case G_VARIANT_CLASS_HANDLE:
      ntpac_json_int (json, g_variant_get_handle (v));
      break;
    case G_VARIANT_CLASS_DOUBLE:
      ntpac_json_double (json, g_variant_get_double (v));
      break;
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      ntpac_json_string (json, g_variant_get_string (v, NULL));
      break;
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (v);

        ntpac_json_variant (json, inner);
      }
      break;
    case G_VARIANT_CLASS_MAYBE:
      {
        g_autoptr(GVariant) inner = g_variant_get_maybe (v);

        ntpac_json_variant (json, inner);
      }
      break;
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARDICT))
        {
          GVariantIter iter;
          const gchar *key;
          GVariant *value;

          ntpac_json_begin_object (json);
          g_variant_iter_init (&iter, v);
          while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
            {
              ntpac_json_key (json, key);
              ntpac_json_variant (json, value);
              g_variant_unref (value);
            }
          ntpac_json_end_object (json);
          break;
        }
      G_GNUC_FALLTHROUGH;
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      {
        gsize n = g_variant_n_children (v);

        ntpac_json_begin_array (json);
        for (gsize i = 0; i < n; i++)
          {
            g_autoptr(GVariant) child = g_variant_get_child_value (v, i);

            ntpac_json_variant (json, child);
          }
        ntpac_json_end_array (json);
      }
      break;
    }
}

/**
 * ntpac_json_variant_view:
 * @json: where to write
 * @view: a value
 *
 * Writes what ntpac_json_variant() writes for the same value.
 *
 * Returns: FALSE if the bytes do not fit the type: what was written of
 *   the value is then to be thrown away
 */
gboolean
ntpac_json_variant_view (NtpacJson              *json,
                         const NtpacVariantView *view)
{
  guint64 u;
  gint64 i;
  gsize n;

  if (view->type_len == 0)
    return FALSE;
  switch (view->type[0])
    {
    case 'b':
      if (view->size != 1)
        return FALSE;
      ntpac_json_bool (json, view->data[0] != 0);
      return TRUE;
    case 'y':
    case 'q':
    case 'u':
    case 't':
      if (!ntpac_variant_view_get_uint (view, &u))
        return FALSE;
      ntpac_json_uint (json, u);
      return TRUE;
    case 'n':
    case 'i':
    case 'x':
    case 'h':
      if (!ntpac_variant_view_get_int (view, &i))
        return FALSE;
      ntpac_json_int (json, i);
      return TRUE;
    case 'd':
      {
        gdouble d;

        if (view->size != sizeof d)
          return FALSE;
        memcpy (&d, view->data, sizeof d);
        ntpac_json_double (json, d);
        return TRUE;
      }
    case 's':
    case 'o':
    case 'g':
      if (view->size == 0 || view->data[view->size - 1] != '\0')
        return FALSE;
      ntpac_json_string (json, (const gchar *) view->data);
      return TRUE;
    case 'v':
    case 'm':
      {
        NtpacVariantView child;

        if (!ntpac_variant_view_n_children (view, &n))
          return FALSE;
        if (n == 0)
          {
            ntpac_json_null (json);
            return TRUE;
          }
        return ntpac_variant_view_child (view, 0, &child) && ntpac_json_variant_view (json, &child);
      }
    case 'a':
      if (view->type_len == 5 && memcmp (view->type, "a{sv}", 5) == 0)
        {
          gsize position = 0;
          const gchar *key;
          NtpacVariantView value;

          if (!ntpac_variant_view_n_children (view, &n))
            return FALSE;
          ntpac_json_begin_object (json);
          while (position < n)
            {
              if (!ntpac_variant_view_next_entry (view, &position, &key, &value))
                return FALSE;
              ntpac_json_key (json, key);
              if (!ntpac_json_variant_view (json, &value))
                return FALSE;
            }
          ntpac_json_end_object (json);
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    case '(':
    case '{':
      if (!ntpac_variant_view_n_children (view, &n))
        return FALSE;
      ntpac_json_begin_array (json);
      for (gsize k = 0; k < n; k++)
        {
          NtpacVariantView child;

          if (!ntpac_variant_view_child (view, k, &child) || !ntpac_json_variant_view (json, &child))
            return FALSE;
        }
      ntpac_json_end_array (json);
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * ntpac_variant_view_json:
 * @view: (nullable): a value; %NULL is null
 *
 * Returns: (transfer full): the value as JSON text, read in place, or
 *   through GLib when the view cannot be read
 */
gchar *
ntpac_variant_view_json (const NtpacVariantView *view)
{
  GString *out = g_string_new (NULL);
  NtpacJson json;

  ntpac_json_init (&json, out);
  if (view == NULL)
    ntpac_json_null (&json);
  else if (!ntpac_json_variant_view (&json, view))
    {
      g_autoptr(GVariant) v = ntpac_variant_view_to_variant (view);

      g_string_truncate (out, 0);
      ntpac_json_init (&json, out);
      ntpac_json_variant (&json, v);
    }
  return g_string_free (out, FALSE);
}
