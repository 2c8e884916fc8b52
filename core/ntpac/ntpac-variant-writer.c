/* ntpac-variant-writer.c: streaming writer of GVariant normal-form
 * serialisations
 *
 * Building records with GVariantBuilder allocates a tree per record and
 * then serialises it; this writes the same bytes straight into the output
 * as the caller walks the value. Sizes of variable-size members are only
 * known once written, so each container's body goes out as it comes and
 * its framing offsets, collected meanwhile, are appended when it closes:
 * that is where GVariant puts them, after the body.
 *
 * The rules are those of GLib's gvariant-serialiser.c: every member is
 * padded to its alignment from its container's start; fixed-size tuples
 * are padded to their fixed size ("()" is one zero byte); a tuple records
 * the end of every variable-size member but the last, the table written
 * in reverse at its end; an array of variable-size elements records the
 * end of each, in order; offsets are as wide as the smallest of 1, 2, 4
 * and 8 bytes that lets the container (body and offsets) be addressed.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-variant-writer-private.h"

typedef enum
{
  FRAME_ROOT,      /* the value begun: one member of the type given */
  FRAME_TUPLE,     /* tuple or dict entry */
  FRAME_ARRAY,
  FRAME_VARIANT,   /* one member, of the type given at open */
} FrameKind;

/* An open container. Type strings live in w->types and are referred to by
 * index, since appending a variant's child type may move them. */
typedef struct
{
  FrameKind kind;
  gsize     start;         /* position in out of the container's first byte */
  gsize     type_from;     /* w->types index: the container's type (variant, root: the content's) */
  gsize     next;          /* w->types index: the next member's type (arrays: the element's) */
  gsize     end;           /* w->types index: tuples: the closing bracket; root, variant: past the
                            * content's type; next == end when no member is expected */
  guint     offsets_from;  /* this container's framing offsets start there in w->offsets */
  gsize     fixed_size;    /* tuples: 0 if variable-size */
  /* arrays: the element type, looked up once */
  gsize     elem_len;
  guint     elem_align;
  gsize     elem_fixed;
  /* the member being written, set when it starts, used when it ends */
  gsize     cur_len;
  guint     cur_align;
  gsize     cur_fixed;
} Frame;

struct _NtpacVariantWriter
{
  GByteArray *out;         /* NULL between values */
  gsize       base;        /* out->len at begin */
  gboolean    failed;      /* misuse reported: ignore the rest of the value */
  GString    *types;       /* the value's type, then each open variant's child type */
  GArray     *offsets;     /* gsize: end offsets of open containers' members, relative to each */
  Frame      *frames;
  guint       depth;
  guint       n_frames_allocated;
};

/**
 * ntpac_variant_type_info:
 * @type: the start of a GVariant type string
 * @max_len: how many bytes of @type may be read
 * @align: (out): the type's alignment, as a mask (0, 1, 3 or 7)
 * @fixed: (out): its fixed size, 0 for variable-size types
 *
 * Returns: the length of the definite type at @type, or 0 when there is
 *   none within @max_len bytes
 */
gsize
ntpac_variant_type_info (const gchar *type,
                         gsize        max_len,
                         guint       *align,
                         gsize       *fixed)
{
  if (max_len == 0)
    return 0;
  switch (type[0])
    {
    case 'b':
    case 'y':
      *align = 0;
      *fixed = 1;
      return 1;
    case 'n':
    case 'q':
      *align = 1;
      *fixed = 2;
      return 1;
    case 'i':
    case 'u':
    case 'h':
      *align = 3;
      *fixed = 4;
      return 1;
    case 'x':
    case 't':
    case 'd':
      *align = 7;
      *fixed = 8;
      return 1;
    case 's':
    case 'o':
    case 'g':
      *align = 0;
      *fixed = 0;
      return 1;
    case 'v':
      *align = 7;
      *fixed = 0;
      return 1;
    case 'a':
    case 'm':
      {
        gsize len = ntpac_variant_type_info (type + 1, max_len - 1, align, fixed);

        *fixed = 0;
        return len == 0 ? 0 : len + 1;
      }
    case '(':
    case '{':
      {
        gchar close = type[0] == '(' ? ')' : '}';
        gsize len = 1;
        gsize offset = 0;
        guint tuple_align = 0;
        gboolean variable = FALSE;

        while (len < max_len && type[len] != close)
          {
            guint member_align;
            gsize member_fixed;
            gsize member_len = ntpac_variant_type_info (type + len, max_len - len,
                                                        &member_align, &member_fixed);

            if (member_len == 0)
              return 0;
            len += member_len;
            tuple_align |= member_align;
            if (member_fixed == 0)
              variable = TRUE;
            else
              offset = ((offset + member_align) & ~(gsize) member_align) + member_fixed;
          }
        if (len >= max_len)
          return 0;
        *align = tuple_align;
        if (variable)
          *fixed = 0;
        else if (offset == 0)
          *fixed = 1;              /* "()" is a single zero byte */
        else
          *fixed = (offset + tuple_align) & ~(gsize) tuple_align;
        return len + 1;
      }
    default:
      return 0;
    }
}

/* The type at @type, checked by type_supported(). */
static gsize
type_info (const gchar *type,
           guint       *align,
           gsize       *fixed)
{
  return ntpac_variant_type_info (type, G_MAXSIZE, align, fixed);
}

/* A definite type string, without maybe types. */
static gboolean
type_supported (const gchar *type)
{
  const gchar *end;

  if (type == NULL)
    return FALSE;
  /* most values: one basic type, or a record's entry */
  if (type[0] != '\0' && type[1] == '\0' && strchr ("bynqiuxthdsogv", type[0]) != NULL)
    return TRUE;
  if (strcmp (type, "{sv}") == 0)
    return TRUE;
  if (!g_variant_type_string_scan (type, NULL, &end) || *end != '\0')
    return FALSE;
  return strpbrk (type, "m*?r") == NULL;
}

NtpacVariantWriter *
ntpac_variant_writer_new (void)
{
  NtpacVariantWriter *w = g_new0 (NtpacVariantWriter, 1);

  w->types = g_string_sized_new (64);
  w->offsets = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 64);
  w->n_frames_allocated = 8;
  w->frames = g_new (Frame, w->n_frames_allocated);
  return w;
}

void
ntpac_variant_writer_free (NtpacVariantWriter *w)
{
  if (w == NULL)
    return;
  g_string_free (w->types, TRUE);
  g_array_unref (w->offsets);
  g_free (w->frames);
  g_free (w);
}

static void
reset (NtpacVariantWriter *w)
{
  w->out = NULL;
  w->failed = FALSE;
  w->depth = 0;
  g_string_truncate (w->types, 0);
  g_array_set_size (w->offsets, 0);
}

static void G_GNUC_PRINTF (2, 3)
fail (NtpacVariantWriter *w,
      const gchar        *format,
      ...)
{
  va_list args;
  g_autofree gchar *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_critical ("NtpacVariantWriter: %s", message);
  w->failed = TRUE;
}

static Frame *
push_frame (NtpacVariantWriter *w)
{
  Frame *f;

  if (w->depth == w->n_frames_allocated)
    {
      w->n_frames_allocated *= 2;
      w->frames = g_renew (Frame, w->frames, w->n_frames_allocated);
    }
  f = &w->frames[w->depth++];
  memset (f, 0, sizeof *f);
  f->start = w->out->len;
  f->offsets_from = w->offsets->len;
  return f;
}

/* Room for @n more bytes at the end of out; NULL (reported) if out would
 * outgrow a GByteArray. */
static guint8 *
grow (NtpacVariantWriter *w,
      gsize               n)
{
  GByteArray *out = w->out;

  if (G_UNLIKELY (n > G_MAXUINT - out->len))
    {
      fail (w, "value too large for a GByteArray");
      return NULL;
    }
  g_byte_array_set_size (out, out->len + (guint) n);
  return out->data + out->len - n;
}

static void
pad_to (NtpacVariantWriter *w,
        gsize               start,
        guint               align)
{
  gsize n = (start - w->out->len) & align;   /* -(len - start) mod alignment */
  guint8 *p;

  if (n == 0)
    return;
  p = grow (w, n);
  if (p != NULL)
    memset (p, 0, n);
}

/* The type the next value must have, its details cached in the innermost
 * frame (*frame); NULL if no value can be written now. */
static const gchar *
next_type (NtpacVariantWriter  *w,
           Frame              **frame)
{
  Frame *f;
  const gchar *type;

  if (G_UNLIKELY (w->out == NULL))
    {
      g_critical ("NtpacVariantWriter: no value begun");
      return NULL;
    }
  if (G_UNLIKELY (w->failed))
    return NULL;
  f = &w->frames[w->depth - 1];
  if (G_UNLIKELY (f->next == f->end))
    {
      if (f->kind == FRAME_TUPLE)
        fail (w, "no more members in '%.*s'",
              (int) (f->end + 1 - f->type_from), w->types->str + f->type_from);
      else
        fail (w, "'%.*s' value already written",
              (int) (f->end - f->type_from), w->types->str + f->type_from);
      return NULL;
    }
  type = w->types->str + f->next;
  if (f->kind == FRAME_ARRAY)
    {
      f->cur_len = f->elem_len;
      f->cur_align = f->elem_align;
      f->cur_fixed = f->elem_fixed;
    }
  else
    {
      f->cur_len = type_info (type, &f->cur_align, &f->cur_fixed);
    }
  *frame = f;
  return type;
}

static void
mismatch (NtpacVariantWriter *w,
          const gchar        *expected,
          gsize               expected_len,
          const gchar        *given)
{
  fail (w, "expected a value of type '%.*s', got '%s'",
        (int) expected_len, expected, given);
}

/* The next value, of type @given, may start: it is padded to its
 * alignment. */
static gboolean
member_start (NtpacVariantWriter *w,
              const gchar        *given)
{
  Frame *f = NULL;
  const gchar *type = next_type (w, &f);

  if (type == NULL)
    return FALSE;
  if (G_UNLIKELY (type[0] != given[0]))
    {
      mismatch (w, type, f->cur_len, given);
      return FALSE;
    }
  pad_to (w, f->start, f->cur_align);
  return !w->failed;
}

static void
push_offset (NtpacVariantWriter *w,
             const Frame        *f)
{
  gsize offset = w->out->len - f->start;

  g_array_append_val (w->offsets, offset);
}

/* The member begun with next_type() is written: record its end if its
 * container needs it, and move on to the next member's type. */
static void
member_end (NtpacVariantWriter *w)
{
  Frame *f = &w->frames[w->depth - 1];

  if (w->failed)
    return;
  switch (f->kind)
    {
    case FRAME_ARRAY:
      if (f->elem_fixed == 0)
        push_offset (w, f);
      break;
    case FRAME_TUPLE:
      f->next += f->cur_len;
      if (f->cur_fixed == 0 && f->next != f->end)
        push_offset (w, f);
      break;
    case FRAME_ROOT:
    case FRAME_VARIANT:
      f->next = f->end;
      break;
    }
}

/* Appends the container's framing offsets, @reverse for tuples. */
static void
write_offsets (NtpacVariantWriter *w,
               const Frame        *f,
               gboolean            reverse)
{
  guint n = w->offsets->len - f->offsets_from;
  gsize body = w->out->len - f->start;
  const gsize *offsets;
  gsize size;
  guint8 *p;

  if (n == 0)
    return;
  size = ntpac_variant_offset_size (body, n);
  p = grow (w, size * n);
  if (p == NULL)
    return;
  offsets = &g_array_index (w->offsets, gsize, f->offsets_from);
  for (guint i = 0; i < n; i++)
    {
      guint64 offset = offsets[reverse ? n - 1 - i : i];

      /* framing offsets are little-endian whatever the host */
      for (gsize b = 0; b < size; b++)
        *p++ = (guint8) (offset >> (8 * b));
    }
}

/* The width of each of the @n framing offsets of a container whose body
 * takes @body bytes: the narrowest whose offsets can address the
 * container including them (GLib's gvs_calculate_total_size()). */
gsize
ntpac_variant_offset_size (gsize body,
                           gsize n)
{
  if (body + n <= G_MAXUINT8)
    return 1;
  if (body + 2 * n <= G_MAXUINT16)
    return 2;
  if (body + 4 * n <= G_MAXUINT32)
    return 4;
  return 8;
}

void
ntpac_variant_writer_begin (NtpacVariantWriter *w,
                            GByteArray         *out,
                            const gchar        *type)
{
  Frame *f;

  g_return_if_fail (w != NULL);
  g_return_if_fail (out != NULL);

  if (w->out != NULL)
    {
      g_critical ("NtpacVariantWriter: value begun before the previous one "
                  "ended; discarding it");
      if (w->out->len > w->base)
        g_byte_array_set_size (w->out, (guint) w->base);
      reset (w);
    }
  w->out = out;
  w->base = out->len;
  g_string_assign (w->types, type != NULL ? type : "");
  f = push_frame (w);
  f->kind = FRAME_ROOT;
  f->end = w->types->len;
  if (!type_supported (type))
    fail (w, "unsupported type '%s'", type != NULL ? type : "(null)");
}

gsize
ntpac_variant_writer_end (NtpacVariantWriter *w)
{
  gsize size = 0;

  g_return_val_if_fail (w != NULL, 0);

  if (w->out == NULL)
    {
      g_critical ("NtpacVariantWriter: no value begun");
      return 0;
    }
  if (!w->failed && w->depth > 1)
    fail (w, "value of type '%.*s' ended with %u container(s) open",
          (int) w->frames[0].end, w->types->str, w->depth - 1);
  else if (!w->failed && w->frames[0].next != w->frames[0].end)
    fail (w, "value of type '%.*s' ended before it was written",
          (int) w->frames[0].end, w->types->str);
  if (w->failed)
    {
      /* leave out as it was before begin */
      if (w->out->len > w->base)
        g_byte_array_set_size (w->out, (guint) w->base);
    }
  else
    {
      size = w->out->len - w->base;
    }
  reset (w);
  return size;
}

void
ntpac_variant_writer_open (NtpacVariantWriter *w)
{
  Frame *parent = NULL;
  Frame *f;
  const gchar *type;
  gsize type_from;

  g_return_if_fail (w != NULL);

  type = next_type (w, &parent);
  if (type == NULL)
    return;
  if (type[0] != '(' && type[0] != '{' && type[0] != 'a')
    {
      mismatch (w, type, parent->cur_len, "a container");
      return;
    }
  pad_to (w, parent->start, parent->cur_align);
  if (w->failed)
    return;

  type_from = parent->next;
  f = push_frame (w);    /* parent may move: not used from here */
  f->type_from = type_from;
  f->next = type_from + 1;
  if (type[0] == 'a')
    {
      f->kind = FRAME_ARRAY;
      f->elem_len = type_info (type + 1, &f->elem_align, &f->elem_fixed);
      f->end = f->next + f->elem_len;
    }
  else
    {
      guint align;

      f->kind = FRAME_TUPLE;
      f->end = type_from + type_info (type, &align, &f->fixed_size) - 1;
    }
}

void
ntpac_variant_writer_open_variant (NtpacVariantWriter *w,
                                   const gchar        *child_type)
{
  Frame *f = NULL;
  const gchar *type;
  gsize child_from;

  g_return_if_fail (w != NULL);

  type = next_type (w, &f);
  if (type == NULL)
    return;
  if (type[0] != 'v')
    {
      mismatch (w, type, f->cur_len, "v");
      return;
    }
  if (!type_supported (child_type))
    {
      fail (w, "unsupported variant content type '%s'",
            child_type != NULL ? child_type : "(null)");
      return;
    }
  pad_to (w, f->start, f->cur_align);
  if (w->failed)
    return;

  child_from = w->types->len;
  g_string_append (w->types, child_type);   /* type is stale from here */
  f = push_frame (w);
  f->kind = FRAME_VARIANT;
  f->type_from = child_from;
  f->next = child_from;
  f->end = w->types->len;
}

void
ntpac_variant_writer_close (NtpacVariantWriter *w)
{
  Frame *f;
  guint8 *p;

  g_return_if_fail (w != NULL);

  if (w->out == NULL)
    {
      g_critical ("NtpacVariantWriter: no value begun");
      return;
    }
  if (w->failed)
    return;
  f = &w->frames[w->depth - 1];
  switch (f->kind)
    {
    case FRAME_ROOT:
      fail (w, "no container open");
      return;
    case FRAME_TUPLE:
      if (f->next != f->end)
        {
          fail (w, "'%.*s' closed before its member '%.*s'",
                (int) (f->end + 1 - f->type_from), w->types->str + f->type_from,
                (int) f->cur_len, w->types->str + f->next);
          return;
        }
      if (f->fixed_size != 0)
        {
          gsize n = f->start + f->fixed_size - w->out->len;

          if (n > 0 && (p = grow (w, n)) != NULL)
            memset (p, 0, n);
        }
      else
        {
          write_offsets (w, f, TRUE);
        }
      break;
    case FRAME_ARRAY:
      if (f->elem_fixed == 0)
        write_offsets (w, f, FALSE);
      break;
    case FRAME_VARIANT:
      {
        gsize type_len = f->end - f->type_from;

        if (f->next != f->end)
          {
            fail (w, "variant closed before its '%.*s' content",
                  (int) type_len, w->types->str + f->type_from);
            return;
          }
        /* the content, a zero byte, the content's type */
        p = grow (w, 1 + type_len);
        if (p == NULL)
          return;
        p[0] = '\0';
        memcpy (p + 1, w->types->str + f->type_from, type_len);
        g_string_truncate (w->types, f->type_from);
      }
      break;
    }
  if (w->failed)
    return;
  g_array_set_size (w->offsets, f->offsets_from);
  w->depth--;
  member_end (w);
}

/* Values are in host byte order, as GLib stores them. */
static void
add_fixed (NtpacVariantWriter *w,
           const gchar        *type,
           gconstpointer       value,
           gsize               size)
{
  guint8 *p;

  g_return_if_fail (w != NULL);

  if (!member_start (w, type))
    return;
  p = grow (w, size);
  if (p == NULL)
    return;
  memcpy (p, value, size);
  member_end (w);
}

void
ntpac_variant_writer_add_boolean (NtpacVariantWriter *w,
                                  gboolean            value)
{
  guint8 b = value ? 1 : 0;

  add_fixed (w, "b", &b, 1);
}

void
ntpac_variant_writer_add_byte (NtpacVariantWriter *w,
                               guint8              value)
{
  add_fixed (w, "y", &value, 1);
}

void
ntpac_variant_writer_add_int16 (NtpacVariantWriter *w,
                                gint16              value)
{
  add_fixed (w, "n", &value, 2);
}

void
ntpac_variant_writer_add_uint16 (NtpacVariantWriter *w,
                                 guint16             value)
{
  add_fixed (w, "q", &value, 2);
}

void
ntpac_variant_writer_add_int32 (NtpacVariantWriter *w,
                                gint32              value)
{
  add_fixed (w, "i", &value, 4);
}

void
ntpac_variant_writer_add_uint32 (NtpacVariantWriter *w,
                                 guint32             value)
{
  add_fixed (w, "u", &value, 4);
}

void
ntpac_variant_writer_add_int64 (NtpacVariantWriter *w,
                                gint64              value)
{
  add_fixed (w, "x", &value, 8);
}

void
ntpac_variant_writer_add_uint64 (NtpacVariantWriter *w,
                                 guint64             value)
{
  add_fixed (w, "t", &value, 8);
}

void
ntpac_variant_writer_add_handle (NtpacVariantWriter *w,
                                 gint32              value)
{
  add_fixed (w, "h", &value, 4);
}

void
ntpac_variant_writer_add_double (NtpacVariantWriter *w,
                                 gdouble             value)
{
  add_fixed (w, "d", &value, 8);
}

static void
append_bytes (NtpacVariantWriter *w,
              const gchar        *bytes,
              gsize               len)
{
  guint8 *p;

  if (len == 0)
    return;
  p = grow (w, len);
  if (p != NULL)
    memcpy (p, bytes, len);
}

/* Writes @len bytes and the terminating NUL of a string member. */
static void
add_string_bytes (NtpacVariantWriter *w,
                  const gchar        *type,
                  const gchar        *text,
                  gsize               len)
{
  guint8 *p;

  if (!member_start (w, type))
    return;
  p = grow (w, len + 1);
  if (p == NULL)
    return;
  if (len > 0)
    memcpy (p, text, len);
  p[len] = '\0';
  member_end (w);
}

void
ntpac_variant_writer_add_string (NtpacVariantWriter *w,
                                 const gchar        *text,
                                 gssize              len)
{
  gsize n;

  g_return_if_fail (w != NULL);
  g_return_if_fail (text != NULL || len == 0);

  n = len < 0 ? strlen (text) : (gsize) len;
  if (G_LIKELY (n == 0 || g_utf8_validate_len (text, n, NULL)))
    {
      add_string_bytes (w, "s", text, n);
      return;
    }

  /* g_utf8_make_valid() without its allocation: each byte that does not
   * start a valid character, NUL included, becomes U+FFFD */
  if (!member_start (w, "s"))
    return;
  while (n > 0)
    {
      const gchar *invalid;
      gsize valid;

      if (g_utf8_validate_len (text, n, &invalid))
        {
          append_bytes (w, text, n);
          break;
        }
      valid = (gsize) (invalid - text);
      append_bytes (w, text, valid);
      append_bytes (w, "\357\277\275", 3);
      n -= valid + 1;
      text = invalid + 1;
    }
  append_bytes (w, "", 1);
  member_end (w);
}

/* The next value must be a `{sv}` entry: writes its whole serialisation
 * in one go (the key, its NUL, the variant padded to 8: @size bytes of
 * @value, a NUL, the type @letter; then the key's end as the entry's one
 * framing offset). Records are mostly such entries. */
static void
add_entry_bytes (NtpacVariantWriter *w,
                 const gchar        *key,
                 gchar               letter,
                 gconstpointer       value,
                 gsize               size,
                 gboolean            nul)
{
  gsize key_len = strlen (key);
  gsize value_at = (key_len + 1 + 7) & ~(gsize) 7;
  gsize body = value_at + size + (nul ? 1 : 0) + 2;
  gsize offset_size = ntpac_variant_offset_size (body, 1);
  const Frame *f;
  guint8 *p;

  if (!member_start (w, "{"))
    return;
  f = &w->frames[w->depth - 1];
  if (f->cur_len != 4 || memcmp (w->types->str + f->next, "{sv}", 4) != 0)
    {
      mismatch (w, w->types->str + f->next, f->cur_len, "{sv}");
      return;
    }
  p = grow (w, body + offset_size);
  if (p == NULL)
    return;
  memset (p, 0, body + offset_size);
  memcpy (p, key, key_len);
  if (size > 0)
    memcpy (p + value_at, value, size);
  p[body - 1] = (guint8) letter;
  for (gsize b = 0; b < offset_size; b++)
    p[body + b] = (guint8) ((key_len + 1) >> (8 * b));   /* little-endian */
  member_end (w);
}

/**
 * ntpac_variant_writer_add_entry:
 * @w: a writer whose next value is a `{sv}` entry
 * @key: the entry's key, valid UTF-8
 * @letter: the value's type: one of b y n q i u x t h d
 * @value: the value, in host order
 * @size: its size (1, 2, 4 or 8)
 *
 * Writes a whole entry with a fixed-size basic value: what
 * open, add_string, open_variant, add_*, close and close would write.
 */
void
ntpac_variant_writer_add_entry (NtpacVariantWriter *w,
                                const gchar        *key,
                                gchar               letter,
                                gconstpointer       value,
                                gsize               size)
{
  guint align;
  gsize fixed;

  g_return_if_fail (w != NULL && key != NULL);
  g_return_if_fail (strchr ("bynqiuxthd", letter) != NULL && letter != '\0');
  type_info ((const gchar[]) { letter, '\0' }, &align, &fixed);
  g_return_if_fail (fixed == size);
  add_entry_bytes (w, key, letter, value, size, FALSE);
}

/**
 * ntpac_variant_writer_add_string_entry:
 * @w: a writer whose next value is a `{sv}` entry
 * @key: the entry's key, valid UTF-8
 * @text: the string value
 * @len: its length, or -1 if NUL-terminated
 *
 * Writes a whole entry with a string value, made valid as
 * ntpac_variant_writer_add_string() does.
 */
void
ntpac_variant_writer_add_string_entry (NtpacVariantWriter *w,
                                       const gchar        *key,
                                       const gchar        *text,
                                       gssize              len)
{
  gsize n;

  g_return_if_fail (w != NULL && key != NULL);
  g_return_if_fail (text != NULL || len == 0);

  n = len < 0 ? strlen (text) : (gsize) len;
  if (G_LIKELY (n == 0 || g_utf8_validate_len (text, n, NULL)))
    {
      add_entry_bytes (w, key, 's', text, n, TRUE);
      return;
    }
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_string (w, key, -1);
  ntpac_variant_writer_open_variant (w, "s");
  ntpac_variant_writer_add_string (w, text, (gssize) n);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_close (w);
}

void
ntpac_variant_writer_add_object_path (NtpacVariantWriter *w,
                                      const gchar        *path)
{
  g_return_if_fail (w != NULL);
  g_return_if_fail (path != NULL);

  if (w->out != NULL && !w->failed && !g_variant_is_object_path (path))
    {
      fail (w, "'%s' is not a valid object path", path);
      return;
    }
  add_string_bytes (w, "o", path, strlen (path));
}

void
ntpac_variant_writer_add_signature (NtpacVariantWriter *w,
                                    const gchar        *signature)
{
  g_return_if_fail (w != NULL);
  g_return_if_fail (signature != NULL);

  if (w->out != NULL && !w->failed && !g_variant_is_signature (signature))
    {
      fail (w, "'%s' is not a valid signature", signature);
      return;
    }
  add_string_bytes (w, "g", signature, strlen (signature));
}

void
ntpac_variant_writer_add_fixed_array (NtpacVariantWriter *w,
                                      gconstpointer       elements,
                                      gsize               n,
                                      gsize               element_size)
{
  Frame *f = NULL;
  const gchar *type;
  guint elem_align;
  gsize elem_fixed;

  g_return_if_fail (w != NULL);
  g_return_if_fail (elements != NULL || n == 0);

  type = next_type (w, &f);
  if (type == NULL)
    return;
  if (type[0] != 'a')
    {
      mismatch (w, type, f->cur_len, "an array");
      return;
    }
  type_info (type + 1, &elem_align, &elem_fixed);
  if (elem_fixed == 0 || elem_fixed != element_size)
    {
      fail (w, "'%.*s' is not an array of %" G_GSIZE_FORMAT "-byte elements",
            (int) f->cur_len, type, element_size);
      return;
    }
  if (n > G_MAXSIZE / element_size)
    {
      fail (w, "array of %" G_GSIZE_FORMAT " elements too large", n);
      return;
    }
  /* elements are back to back: no padding, no offsets */
  pad_to (w, f->start, f->cur_align);
  append_bytes (w, elements, n * element_size);
  member_end (w);
}

void
ntpac_variant_writer_add_value (NtpacVariantWriter *w,
                                GVariant           *value)
{
  Frame *f = NULL;
  const gchar *type;
  const gchar *given;

  g_return_if_fail (w != NULL);
  g_return_if_fail (value != NULL);

  g_variant_ref_sink (value);
  type = next_type (w, &f);
  given = g_variant_get_type_string (value);
  if (type == NULL)
    ;
  else if (strncmp (type, given, f->cur_len) != 0 || given[f->cur_len] != '\0')
    {
      mismatch (w, type, f->cur_len, given);
    }
  else
    {
      /* a new reference to @value itself when it is trusted to be normal */
      GVariant *normal = g_variant_get_normal_form (value);
      gsize size = g_variant_get_size (normal);
      guint8 *p;

      pad_to (w, f->start, f->cur_align);
      if (size > 0 && !w->failed && (p = grow (w, size)) != NULL)
        {
          /* not g_variant_store(): serialising a tree in place asserts
           * that the destination is aligned in memory */
          gconstpointer data = g_variant_get_data (normal);

          if (data != NULL)
            memcpy (p, data, size);
          else
            memset (p, 0, size);   /* a fixed-size value read as zeros */
        }
      g_variant_unref (normal);
      member_end (w);
    }
  g_variant_unref (value);
}
