/* ntpac-variant-writer-private.h: streaming writer of GVariant normal-form
 * serialisations, without building GVariant trees
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes one value at a time, of a type given up front, into a GByteArray.
 * The bytes are exactly what g_variant_get_data() gives for the same value
 * built with GLib (normal form, native byte order for values, little-endian
 * framing offsets). Maybe types are not supported.
 *
 * The writer checks every call against the type: on misuse it emits a
 * g_critical(), ignores the rest of the value, and ntpac_variant_writer_end()
 * removes what was written of it and returns 0. One writer serves one value
 * at a time; it is reused from value to value without allocating. */
typedef struct _NtpacVariantWriter NtpacVariantWriter;

gsize ntpac_variant_type_info (const gchar *type,
                               gsize        max_len,
                               guint       *align,
                               gsize       *fixed);

NtpacVariantWriter *ntpac_variant_writer_new          (void);
void                ntpac_variant_writer_free         (NtpacVariantWriter *w);

/* Starts a value of @type (a definite GVariant type string) at out->len;
 * alignment is relative to that position. @out must not be modified by
 * anything else until ntpac_variant_writer_end(). */
void                ntpac_variant_writer_begin        (NtpacVariantWriter *w,
                                                       GByteArray         *out,
                                                       const gchar        *type);
/* Returns the size of the value written, 0 on misuse. */
gsize               ntpac_variant_writer_end          (NtpacVariantWriter *w);

/* The next value must be a tuple, dict entry or array. */
void                ntpac_variant_writer_open         (NtpacVariantWriter *w);
/* The next value must be a variant whose content has @child_type. */
void                ntpac_variant_writer_open_variant (NtpacVariantWriter *w,
                                                       const gchar        *child_type);
/* Closes the innermost open container; every member of a tuple or dict
 * entry, and the content of a variant, must have been written. */
void                ntpac_variant_writer_close        (NtpacVariantWriter *w);

void ntpac_variant_writer_add_boolean (NtpacVariantWriter *w, gboolean value);
void ntpac_variant_writer_add_byte    (NtpacVariantWriter *w, guint8   value);
void ntpac_variant_writer_add_int16   (NtpacVariantWriter *w, gint16   value);
void ntpac_variant_writer_add_uint16  (NtpacVariantWriter *w, guint16  value);
void ntpac_variant_writer_add_int32   (NtpacVariantWriter *w, gint32   value);
void ntpac_variant_writer_add_uint32  (NtpacVariantWriter *w, guint32  value);
void ntpac_variant_writer_add_int64   (NtpacVariantWriter *w, gint64   value);
void ntpac_variant_writer_add_uint64  (NtpacVariantWriter *w, guint64  value);
void ntpac_variant_writer_add_handle  (NtpacVariantWriter *w, gint32   value);
void ntpac_variant_writer_add_double  (NtpacVariantWriter *w, gdouble  value);

/* @len -1: NUL-terminated. Bytes that are not valid UTF-8, and NULs, are
 * each replaced by U+FFFD, as g_utf8_make_valid() does. */
void ntpac_variant_writer_add_string       (NtpacVariantWriter *w,
                                            const gchar        *text,
                                            gssize              len);
/* Must be valid (g_variant_is_object_path(), g_variant_is_signature()). */
void ntpac_variant_writer_add_object_path  (NtpacVariantWriter *w,
                                            const gchar        *path);
void ntpac_variant_writer_add_signature    (NtpacVariantWriter *w,
                                            const gchar        *signature);

/* The next value must be an array of a fixed-size type whose size is
 * @element_size; @elements are laid out as GVariant lays them out, padding
 * zeroed (e.g. g_variant_get_data() of such an array). */
void ntpac_variant_writer_add_fixed_array  (NtpacVariantWriter *w,
                                            gconstpointer       elements,
                                            gsize               n,
                                            gsize               element_size);

/* The next value must be a `{sv}` entry: writes all of it at once, for a
 * value of the fixed-size basic type @letter (@size bytes, host order), or
 * for a string (made valid as ntpac_variant_writer_add_string() does). */
void ntpac_variant_writer_add_entry        (NtpacVariantWriter *w,
                                            const gchar        *key,
                                            gchar               letter,
                                            gconstpointer       value,
                                            gsize               size);
void ntpac_variant_writer_add_string_entry (NtpacVariantWriter *w,
                                            const gchar        *key,
                                            const gchar        *text,
                                            gssize              len);

/* @value's type must be the next value's type; it is written in normal
 * form. A floating reference is sunk and released. */
void ntpac_variant_writer_add_value        (NtpacVariantWriter *w,
                                            GVariant           *value);

/* The width of each framing offset of a container of @n variable-size
 * members whose body takes @body bytes. */
gsize ntpac_variant_offset_size            (gsize               body,
                                            gsize               n);

G_END_DECLS
