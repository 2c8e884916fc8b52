/* ntpac-variant-reader-private.h: reading GVariant serialisations in
 * place, without making a GVariant of each member
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A value: its type (a definite type string, not NUL-terminated where it
 * ends) and its bytes, both borrowed from what holds them. Views are for
 * data in normal form (checked with g_variant_is_normal_form()); every
 * read is still bounds-checked, and a call that finds the bytes do not
 * fit the type returns FALSE. Values are in native byte order. */
typedef struct
{
  const gchar  *type;
  gsize         type_len;
  const guint8 *data;
  gsize         size;
} NtpacVariantView;

/* The view of @value, which must stay alive while the view is used. */
gboolean ntpac_variant_view_init     (NtpacVariantView       *view,
                                      GVariant               *value);

/* Members of an array, tuple or dict entry; 1 for a variant or a maybe
 * that holds a value, 0 for an empty maybe. */
gboolean ntpac_variant_view_n_children (const NtpacVariantView *view,
                                        gsize                  *n);
gboolean ntpac_variant_view_child    (const NtpacVariantView *view,
                                      gsize                   index,
                                      NtpacVariantView       *child);

/* The next entry of an `a{sv}`: call with *@position 0 first; FALSE at
 * the end or on bytes that do not fit. @key points into the view's data. */
gboolean ntpac_variant_view_next_entry (const NtpacVariantView *view,
                                        gsize                  *position,
                                        const gchar           **key,
                                        NtpacVariantView       *value);

/* Basic values. A string's bytes end with its NUL. */
gboolean ntpac_variant_view_get_uint   (const NtpacVariantView *view,
                                        guint64                *value);
gboolean ntpac_variant_view_get_int    (const NtpacVariantView *view,
                                        gint64                 *value);

/* A GVariant of the view's type and bytes (which it borrows). */
GVariant *ntpac_variant_view_to_variant (const NtpacVariantView *view);

G_END_DECLS
