/* ntpac-variant-reader.c: reading GVariant serialisations in place
 *
 * The mirror of ntpac-variant-writer.c. GLib makes a GVariant of every
 * member it is asked for (an allocation, a type lookup, reference counts,
 * checks), which made reading records for `query` slower than writing
 * them. A view is only a type and a range of bytes: members are found
 * from the framing offsets, by the rules written down at the top of
 * ntpac-variant-writer.c, and nothing is allocated.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-variant-reader-private.h"
#include "ntpac-variant-writer-private.h"

gboolean
ntpac_variant_view_init (NtpacVariantView *view,
                         GVariant         *value)
{
  const gchar *type = g_variant_get_type_string (value);

  view->type = type;
  view->type_len = strlen (type);
  view->data = g_variant_get_data (value);
  view->size = g_variant_get_size (value);
  return view->size == 0 || view->data != NULL;
}

/* Width of the framing offsets of a container of @size bytes. */
static gsize
offset_size (gsize size)
{
  if (size > G_MAXUINT32)
    return 8;
  if (size > G_MAXUINT16)
    return 4;
  if (size > G_MAXUINT8)
    return 2;
  return size > 0 ? 1 : 0;
}

/* A little-endian framing offset of @width bytes. */
static gsize
read_offset (const guint8 *p,
             gsize         width)
{
  guint64 value = 0;

  for (gsize i = 0; i < width; i++)
    value |= (guint64) p[i] << (8 * i);
  return (gsize) value;
}

static gsize
align_up (gsize offset,
          guint align)
{
  return (offset + align) & ~(gsize) align;
}

/* The layout of an array of variable-size elements: where its offsets
 * start (the end of the last element) and how many there are. */
static gboolean
array_offsets (const NtpacVariantView *view,
               gsize                  *offsets_at,
               gsize                  *width,
               gsize                  *n)
{
  *width = offset_size (view->size);
  if (view->size == 0)
    {
      *offsets_at = 0;
      *n = 0;
      return TRUE;
    }
  *offsets_at = read_offset (view->data + view->size - *width, *width);
  if (*offsets_at > view->size || (view->size - *offsets_at) % *width != 0)
    return FALSE;
  *n = (view->size - *offsets_at) / *width;
  return TRUE;
}

static gboolean
array_child (const NtpacVariantView *view,
             gsize                   index,
             NtpacVariantView       *child)
{
  const gchar *element = view->type + 1;
  guint align;
  gsize fixed, offsets_at, width, n, start, end;
  gsize len = ntpac_variant_type_info (element, view->type_len - 1, &align, &fixed);

  if (len == 0)
    return FALSE;
  child->type = element;
  child->type_len = len;
  if (fixed > 0)
    {
      if (view->size % fixed != 0 || index >= view->size / fixed)
        return FALSE;
      child->data = view->data + index * fixed;
      child->size = fixed;
      return TRUE;
    }
  if (!array_offsets (view, &offsets_at, &width, &n) || index >= n)
    return FALSE;
  start = index == 0 ? 0 : align_up (read_offset (view->data + offsets_at + (index - 1) * width, width), align);
  end = read_offset (view->data + offsets_at + index * width, width);
  if (start > end || end > offsets_at)
    return FALSE;
  child->data = view->data + start;
  child->size = end - start;
  return TRUE;
}

/* How many members a tuple or dict entry has, and how many of them have
 * their end in the table at its end: every variable-size one but the
 * last. */
static gboolean
tuple_members (const NtpacVariantView *view,
               gsize                  *n_members,
               gsize                  *n_framed)
{
  const gchar *close = view->type + view->type_len - 1;

  *n_members = 0;
  *n_framed = 0;
  for (const gchar *t = view->type + 1; t < close; (*n_members)++)
    {
      guint align;
      gsize fixed;
      gsize len = ntpac_variant_type_info (t, (gsize) (close - t), &align, &fixed);

      if (len == 0)
        return FALSE;
      t += len;
      if (fixed == 0 && t < close)
        (*n_framed)++;
    }
  return TRUE;
}

/* Member @index of a tuple or dict entry. The table of member ends is
 * written in reverse. */
static gboolean
tuple_child (const NtpacVariantView *view,
             gsize                   index,
             NtpacVariantView       *child)
{
  const gchar *close = view->type + view->type_len - 1;
  gsize width = offset_size (view->size);
  gsize n_members, n_framed;
  gsize pos = 0;
  gsize member = 0;
  gsize framed = 0;

  if (!tuple_members (view, &n_members, &n_framed) || index >= n_members)
    return FALSE;
  if (n_framed * width > view->size)
    return FALSE;
  for (const gchar *t = view->type + 1; t < close; member++)
    {
      guint align;
      gsize fixed, end;
      gsize len = ntpac_variant_type_info (t, (gsize) (close - t), &align, &fixed);
      gboolean last = t + len == close;

      pos = align_up (pos, align);
      if (fixed > 0)
        end = pos + fixed;
      else if (last)
        end = view->size - n_framed * width;
      else
        end = read_offset (view->data + view->size - (++framed) * width, width);
      if (pos > end || end > view->size - n_framed * width)
        return FALSE;
      if (member == index)
        {
          child->type = t;
          child->type_len = len;
          child->data = view->data + pos;
          child->size = end - pos;
          return TRUE;
        }
      pos = end;
      t += len;
    }
  return FALSE;
}

/* A variant's value: its bytes, a zero byte, its type string. */
static gboolean
variant_child (const NtpacVariantView *view,
               NtpacVariantView       *child)
{
  gsize sep = view->size;
  guint align;
  gsize fixed;

  while (sep > 0 && view->data[sep - 1] != '\0')
    sep--;
  if (sep == 0)
    return FALSE;
  sep--;
  child->type = (const gchar *) view->data + sep + 1;
  child->type_len = view->size - sep - 1;
  if (child->type_len == 0 ||
      ntpac_variant_type_info (child->type, child->type_len, &align, &fixed) != child->type_len ||
      (fixed > 0 && fixed != sep))
    return FALSE;
  child->data = view->data;
  child->size = sep;
  return TRUE;
}

/* A maybe's value: its bytes, with a zero byte after a variable-size one. */
static gboolean
maybe_child (const NtpacVariantView *view,
             NtpacVariantView       *child)
{
  guint align;
  gsize fixed;
  gsize len = ntpac_variant_type_info (view->type + 1, view->type_len - 1, &align, &fixed);

  if (len == 0 || view->size == 0)
    return FALSE;
  child->type = view->type + 1;
  child->type_len = len;
  child->data = view->data;
  if (fixed > 0)
    {
      child->size = fixed;
      return view->size == fixed;
    }
  child->size = view->size - 1;
  return view->data[view->size - 1] == '\0';
}

gboolean
ntpac_variant_view_n_children (const NtpacVariantView *view,
                               gsize                  *n)
{
  if (view->type_len == 0)
    return FALSE;
  switch (view->type[0])
    {
    case 'a':
      {
        guint align;
        gsize fixed, offsets_at, width;

        if (ntpac_variant_type_info (view->type + 1, view->type_len - 1, &align, &fixed) == 0)
          return FALSE;
        if (fixed > 0)
          {
            *n = view->size / fixed;
            return view->size % fixed == 0;
          }
        return array_offsets (view, &offsets_at, &width, n);
      }
    case '(':
    case '{':
      {
        gsize n_framed;

        return tuple_members (view, n, &n_framed);
      }
    case 'v':
      *n = 1;
      return TRUE;
    case 'm':
      *n = view->size > 0 ? 1 : 0;
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
ntpac_variant_view_child (const NtpacVariantView *view,
                          gsize                   index,
                          NtpacVariantView       *child)
{
  if (view->type_len == 0)
    return FALSE;
  switch (view->type[0])
    {
    case 'a':
      return array_child (view, index, child);
    case '(':
    case '{':
      return tuple_child (view, index, child);
    case 'v':
      return index == 0 && variant_child (view, child);
    case 'm':
      return index == 0 && maybe_child (view, child);
    default:
      return FALSE;
    }
}

gboolean
ntpac_variant_view_next_entry (const NtpacVariantView *view,
                               gsize                  *position,
                               const gchar           **key,
                               NtpacVariantView       *value)
{
  NtpacVariantView entry, name, boxed;

  if (view->type_len != 5 || memcmp (view->type, "a{sv}", 5) != 0 ||
      !array_child (view, *position, &entry) ||
      !tuple_child (&entry, 0, &name) || !tuple_child (&entry, 1, &boxed) ||
      name.size == 0 || name.data[name.size - 1] != '\0' ||
      !variant_child (&boxed, value))
    return FALSE;
  *key = (const gchar *) name.data;
  (*position)++;
  return TRUE;
}

/* Width and signedness of the integer type @type. */
static gboolean
integer_layout (gchar     type,
                gsize    *width,
                gboolean *is_signed)
{
  *is_signed = type == 'n' || type == 'i' || type == 'h' || type == 'x';
  switch (type)
    {
    case 'y':
      *width = 1;
      return TRUE;
    case 'q':
    case 'n':
      *width = 2;
      return TRUE;
    case 'u':
    case 'i':
    case 'h':
      *width = 4;
      return TRUE;
    case 't':
    case 'x':
      *width = 8;
      return TRUE;
    default:
      return FALSE;
    }
}

/* The integer at @view, sign-extended when signed; FALSE unless it is
 * an integer of the signedness asked for. */
static gboolean
read_integer (const NtpacVariantView *view,
              gboolean                want_signed,
              guint64                *bits)
{
  gboolean is_signed;
  gsize width;

  if (view->type_len != 1 || !integer_layout (view->type[0], &width, &is_signed) ||
      is_signed != want_signed || view->size != width)
    return FALSE;
  switch (width)
    {
    case 1:
      *bits = view->data[0];
      return TRUE;
    case 2:
      {
        guint16 v;

        memcpy (&v, view->data, sizeof v);
        *bits = is_signed ? (guint64) (gint64) (gint16) v : v;
        return TRUE;
      }
    case 4:
      {
        guint32 v;

        memcpy (&v, view->data, sizeof v);
        *bits = is_signed ? (guint64) (gint64) (gint32) v : v;
        return TRUE;
      }
    default:
      memcpy (bits, view->data, sizeof *bits);
      return TRUE;
    }
}

/* Unsigned integers of any width (y, q, u, t). */
gboolean
ntpac_variant_view_get_uint (const NtpacVariantView *view,
                             guint64                *value)
{
  return read_integer (view, FALSE, value);
}

/* Signed integers of any width (n, i, h, x). */
gboolean
ntpac_variant_view_get_int (const NtpacVariantView *view,
                            gint64                 *value)
{
  guint64 bits;

  if (!read_integer (view, TRUE, &bits))
    return FALSE;
  *value = (gint64) bits;
  return TRUE;
}

GVariant *
ntpac_variant_view_to_variant (const NtpacVariantView *view)
{
  g_autofree gchar *type = g_strndup (view->type, view->type_len);

  if (!g_variant_type_string_is_valid (type))
    return NULL;
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (type), view->data, view->size,
                                                      FALSE, NULL, NULL));
}
