/* ntpac-record.c: records as stored: a schema version byte and a GVariant
 *
 * GVariant gives typed, versionable values and checks what it reads: a
 * damaged value never makes the reader crash (it is read in normal form).
 * Values are kept little-endian on disk whatever the host.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ntpac-anomaly.h"
#include "ntpac-linktype.h"
#include "ntpac-record.h"
#include "ntpac-store.h"

/**
 * ntpac_record_encode_value_into:
 * @out: where to append
 * @value: (transfer floating): the record
 *
 * Appends @value in normal form, little-endian, to @out, without the
 * schema version byte.
 *
 * Returns: the number of bytes appended
 * Since: 0.1
 */
gsize
ntpac_record_encode_value_into (GByteArray *out,
                                GVariant   *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autoptr(GVariant) little = NULL;
  gsize size;

  /* Records are built here, from values, in normal form already (fixed
   * arrays with their padding zeroed): no need to check it again. */
  little = G_BYTE_ORDER == G_LITTLE_ENDIAN ? g_variant_ref (owned) : g_variant_byteswap (owned);
  size = g_variant_get_size (little);
  /* g_variant_store() wants aligned memory: copy the serialised form. */
  if (size > 0)
    g_byte_array_append (out, g_variant_get_data (little), size);
  return size;
}

/**
 * ntpac_record_encode_into:
 * @out: where to append
 * @value: (transfer floating): the record
 *
 * Appends the schema version byte followed by @value in normal form,
 * little-endian, to @out.
 *
 * Returns: the number of bytes appended
 * Since: 0.1
 */
gsize
ntpac_record_encode_into (GByteArray *out,
                          GVariant   *value)
{
  const guint8 version = NTPAC_STORE_SCHEMA_VERSION;

  g_byte_array_append (out, &version, 1);
  return 1 + ntpac_record_encode_value_into (out, value);
}

/**
 * ntpac_record_encode:
 * @value: (transfer floating): the record
 *
 * Returns: (transfer full): the schema version byte followed by @value
 *   in normal form, little-endian
 * Since: 0.1
 */
GBytes *
ntpac_record_encode (GVariant *value)
{
  GByteArray *out = g_byte_array_new ();

  ntpac_record_encode_into (out, value);
  return g_byte_array_free_to_bytes (out);
}

/**
 * ntpac_record_decode:
 * @data: (array length=len): a stored value
 * @len: its length
 * @type: the record's type
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the record, or %NULL if its version
 *   is newer than this engine's or it is not of @type
 * Since: 0.1
 */
GVariant *
ntpac_record_decode (const guint8        *data,
                     gsize                len,
                     const GVariantType  *type,
                     GError             **error)
{
  g_autoptr(GVariant) value = NULL;
  gpointer copy;

  if (len < 1 || data[0] == 0 || data[0] > NTPAC_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_SCHEMA,
                   _("A stored record has an unknown schema version (%u)"), len > 0 ? data[0] : 0);
      return NULL;
    }
  copy = g_memdup2 (data + 1, len - 1);
  value = g_variant_ref_sink (g_variant_new_from_data (type, copy, len - 1, FALSE, g_free, copy));
  if (!g_variant_is_normal_form (value))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("A stored record is damaged"));
      return NULL;
    }
  /* Checked whole once: marked trusted, its fields are then read without
   * GLib checking them again at every access. */
  {
    GBytes *bytes = g_variant_get_data_as_bytes (value);

    g_variant_unref (value);
    value = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, TRUE));
    g_bytes_unref (bytes);
  }
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    return g_variant_byteswap (value);
  return g_steal_pointer (&value);
}

static void
add (GVariantBuilder *b,
     const gchar     *key,
     GVariant        *value)
{
  g_variant_builder_add (b, "{sv}", key, value);
}

/* Text from the evidence or the system (file names, messages naming
 * them) need not be UTF-8: such text is stored with its bad bytes
 * replaced, never refused. */
static void
add_text (GVariantBuilder *b,
          const gchar     *key,
          const gchar     *text)
{
  if (g_utf8_validate (text, -1, NULL))
    add (b, key, g_variant_new_string (text));
  else
    add (b, key, g_variant_new_take_string (g_utf8_make_valid (text, -1)));
}

/**
 * ntpac_record_add_address:
 * @b: a record
 * @key: the field's name
 * @address: an IPv4 or IPv6 address
 *
 * Adds an address field, as text (`192.0.2.1`, `2001:db8::1`).
 * Since: 0.1
 */
void
ntpac_record_add_address (NtpacRecordBuilder *b,
                          const gchar        *key,
                          const NtpacAddress *address)
{
  g_autofree gchar *text = ntpac_address_to_string (address);

  ntpac_record_builder_add_string (b, key, text, -1);
}

/**
 * ntpac_record_add_conversation:
 * @b: a record
 * @c: a conversation
 *
 * Adds the fields of a `conversations` record.
 * Since: 0.1
 */
void
ntpac_record_add_conversation (NtpacRecordBuilder      *b,
                               const NtpacConversation *c)
{
  ntpac_record_builder_add_string (b, "transport", c->transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp", -1);
  ntpac_record_add_address (b, "src", &c->tuple.src);
  ntpac_record_builder_add_uint16 (b, "sport", c->tuple.sport);
  ntpac_record_add_address (b, "dst", &c->tuple.dst);
  ntpac_record_builder_add_uint16 (b, "dport", c->tuple.dport);
  ntpac_record_builder_add_int64 (b, "first_ts", c->first_ts_ns);
  ntpac_record_builder_add_int64 (b, "last_ts", c->last_ts_ns);
  ntpac_record_builder_add_uint32 (b, "input", c->first_frame.input);
  ntpac_record_builder_add_uint64 (b, "first_frame", c->first_frame.number);
  ntpac_record_builder_add_fixed_array (b, "frame_list", "y", c->frame_numbers->data, c->frame_numbers->len, 1);
  ntpac_record_builder_add_uint64 (b, "frames", ntpac_conversation_get_n_frames (c));
  ntpac_record_builder_add_uint64 (b, "packets", c->packets);
  ntpac_record_builder_add_uint64 (b, "bytes_up", c->bytes[NTPAC_DIRECTION_UP]);
  ntpac_record_builder_add_uint64 (b, "bytes_down", c->bytes[NTPAC_DIRECTION_DOWN]);
  ntpac_record_builder_add_uint64 (b, "missing_up", c->missing_bytes[NTPAC_DIRECTION_UP]);
  ntpac_record_builder_add_uint64 (b, "missing_down", c->missing_bytes[NTPAC_DIRECTION_DOWN]);
  ntpac_record_builder_add_uint32 (b, "pdus", c->n_pdus);
  ntpac_record_builder_add_uint32 (b, "anomalies", c->anomalies);
  ntpac_record_builder_add_string (b, "end", ntpac_conversation_end_to_string (c->end), -1);
  ntpac_record_builder_add_boolean (b, "initiator_known", c->initiator_known);
  if (c->protocol != NULL)
    ntpac_record_builder_add_string (b, "protocol", c->protocol, -1);
}

GVariant *
ntpac_record_from_conversation (const NtpacConversation *c)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();

  ntpac_record_add_conversation (b, c);
  return ntpac_record_builder_end (b);
}

GVariant *
ntpac_record_from_input (const NtpacInput *in)
{
  GVariantBuilder b, types;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (g_str_equal (in->path, "-"))
    add (&b, "path", g_variant_new_string ("-"));
  else
    {
      /* Absolute, so the evidence can be found again from anywhere; the
       * exact bytes as well when the name is not UTF-8. */
      g_autofree gchar *absolute = g_canonicalize_filename (in->path, NULL);

      add_text (&b, "path", absolute);
      if (!g_utf8_validate (absolute, -1, NULL))
        add (&b, "path_bytes", g_variant_new_bytestring (absolute));
    }
  add (&b, "size", g_variant_new_uint64 (in->size));
  if (in->sha256 != NULL)
    add (&b, "sha256", g_variant_new_string (in->sha256));
  add (&b, "format", g_variant_new_string (ntpac_capture_format_to_string (in->format)));
  add (&b, "big_endian", g_variant_new_boolean (in->big_endian));
  add (&b, "frames", g_variant_new_uint64 (in->frames));
  if (in->frames > 0)
    {
      add (&b, "first_ts", g_variant_new_int64 (in->first_ts_ns));
      add (&b, "last_ts", g_variant_new_int64 (in->last_ts_ns));
    }
  g_variant_builder_init (&types, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < in->n_link_types; i++)
    g_variant_builder_add (&types, "u", in->link_types[i]);
  add (&b, "link_types", g_variant_builder_end (&types));
  if (in->damage != NULL)
    {
      add_text (&b, "damage", in->damage);
      add (&b, "damage_offset", g_variant_new_uint64 (in->damage_offset));
    }
  if (in->error != NULL)
    add_text (&b, "error", in->error->message);
  if (in->warning != NULL)
    add_text (&b, "warning", in->warning);
  return g_variant_builder_end (&b);
}

GVariant *
ntpac_record_from_anomaly (const NtpacAnomaly *a)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  add (&b, "kind", g_variant_new_string (ntpac_anomaly_kind_to_id (a->kind)));
  add (&b, "severity", g_variant_new_string (ntpac_severity_to_string (ntpac_anomaly_kind_severity (a->kind))));
  add (&b, "input", g_variant_new_uint32 (a->frame.input));
  add (&b, "frame", g_variant_new_uint64 (a->frame.number));
  add (&b, "offset", g_variant_new_uint64 (a->frame.offset));
  add (&b, "ts", g_variant_new_int64 (a->ts_ns));
  return g_variant_builder_end (&b);
}

const gchar *
ntpac_record_get_string (GVariant    *dict,
                         const gchar *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return value;
}

/* Unsigned numbers of any width; 0 when absent. */
guint64
ntpac_record_get_uint (GVariant    *dict,
                       const gchar *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, NULL);

  if (v == NULL)
    return 0;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    return g_variant_get_uint64 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    return g_variant_get_uint16 (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTE))
    return g_variant_get_byte (v);
  return 0;
}

gint64
ntpac_record_get_int (GVariant    *dict,
                      const gchar *key)
{
  gint64 value = 0;

  if (!g_variant_lookup (dict, key, "x", &value))
    return 0;
  return value;
}

gboolean
ntpac_record_get_bool (GVariant    *dict,
                       const gchar *key)
{
  gboolean value = FALSE;

  if (!g_variant_lookup (dict, key, "b", &value))
    return FALSE;
  return value;
}
