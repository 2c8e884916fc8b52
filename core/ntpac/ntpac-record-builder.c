/* ntpac-record-builder.c: a record's fields written straight into their
 * stored form
 *
 * A record is an `a{sv}`. Its entries are serialised one by one, each
 * starting at a multiple of 8 (the alignment of `{sv}`), into one buffer;
 * ending the record appends the array's framing offsets (the end of each
 * entry). Entries are self-contained, so the entries of two builders can
 * be concatenated: that is how the core puts the common fields in front
 * of a dissector's.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-record-builder.h"
#include "ntpac-variant-writer-private.h"

/* What is open inside the field being written. */
typedef enum
{
  OPEN_LIST,      /* aa{sv}: items come next */
  OPEN_ITEM,      /* a{sv} in a list: fields come next */
  OPEN_FIELDS,    /* a{sv}: fields come next */
  OPEN_PAIRS,     /* a(ss): pairs come next */
  OPEN_STRINGS,   /* as: strings come next */
} Open;

#define MAX_DEPTH 16

struct _NtpacRecordBuilder
{
  GByteArray         *entries;
  GArray             *ends;      /* gsize: where each entry ends in @entries */
  NtpacVariantWriter *writer;
  Open                open[MAX_DEPTH];
  guint               depth;     /* 0: between top-level fields */
};

/**
 * ntpac_record_builder_new:
 *
 * Returns: (transfer full): an empty record
 * Since: 0.1
 */
NtpacRecordBuilder *
ntpac_record_builder_new (void)
{
  NtpacRecordBuilder *self = g_new0 (NtpacRecordBuilder, 1);

  self->entries = g_byte_array_new ();
  self->ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->writer = ntpac_variant_writer_new ();
  return self;
}

void
ntpac_record_builder_free (NtpacRecordBuilder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->entries);
  g_array_unref (self->ends);
  ntpac_variant_writer_free (self->writer);
  g_free (self);
}

/* Each thread keeps a few builders given back, for its next records:
 * their memory has grown to the size records take. */
#define MAX_SPARE 16

static GPrivate spare_builders = G_PRIVATE_INIT ((GDestroyNotify) g_ptr_array_unref);

/**
 * ntpac_record_builder_take:
 *
 * Gives an empty record, one the calling thread gave back earlier when
 * there is one: a worker writing many records allocates once.
 *
 * Returns: (transfer full): an empty record; give it back with
 *   ntpac_record_builder_give_back() (or free it)
 * Since: 0.1
 */
NtpacRecordBuilder *
ntpac_record_builder_take (void)
{
  GPtrArray *spare = g_private_get (&spare_builders);

  if (spare != NULL && spare->len > 0)
    return g_ptr_array_steal_index_fast (spare, spare->len - 1);
  return ntpac_record_builder_new ();
}

/**
 * ntpac_record_builder_give_back:
 * @self: (transfer full): a record from ntpac_record_builder_take()
 *
 * Empties @self and keeps it for the calling thread's next
 * ntpac_record_builder_take().
 * Since: 0.1
 */
void
ntpac_record_builder_give_back (NtpacRecordBuilder *self)
{
  GPtrArray *spare = g_private_get (&spare_builders);

  if (spare == NULL)
    {
      spare = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_record_builder_free);
      g_private_set (&spare_builders, spare);
    }
  if (spare->len >= MAX_SPARE)
    {
      ntpac_record_builder_free (self);
      return;
    }
  ntpac_record_builder_reset (self);
  g_ptr_array_add (spare, self);
}

/**
 * ntpac_record_builder_reset:
 * @self: a record
 *
 * Drops every field, keeping the memory for the next record.
 * Since: 0.1
 */
void
ntpac_record_builder_reset (NtpacRecordBuilder *self)
{
  g_byte_array_set_size (self->entries, 0);
  g_array_set_size (self->ends, 0);
  self->depth = 0;
}

guint
ntpac_record_builder_get_n_fields (const NtpacRecordBuilder *self)
{
  return self->ends->len;
}

/* Zero bytes up to the next multiple of 8: where an entry may start. */
static void
pad_entries (NtpacRecordBuilder *self)
{
  static const guint8 zeros[8] = { 0 };
  gsize pad = (8 - (self->entries->len & 7)) & 7;

  if (pad > 0)
    g_byte_array_append (self->entries, zeros, (guint) pad);
}

/* Whether a field may be added here: between top-level fields, or
 * inside a record (an item of a list, or fields). */
static gboolean
takes_fields (const NtpacRecordBuilder *self)
{
  if (self->depth == 0)
    return TRUE;
  return self->open[self->depth - 1] == OPEN_ITEM || self->open[self->depth - 1] == OPEN_FIELDS;
}

/* Starts an entry of the record: a top-level one starts a value of its
 * own, at a multiple of 8; a nested one is written where the writer is. */
static gboolean
begin_entry (NtpacRecordBuilder *self)
{
  g_return_val_if_fail (takes_fields (self), FALSE);
  if (self->depth == 0)
    {
      pad_entries (self);
      ntpac_variant_writer_begin (self->writer, self->entries, "{sv}");
    }
  return TRUE;
}

/* Ends an entry: a top-level one is kept, unless the writer refused it (a
 * wrong type given by the caller, already reported) and took it back:
 * the record goes on without it. */
static void
end_entry (NtpacRecordBuilder *self)
{
  gsize end;

  if (self->depth > 0 || ntpac_variant_writer_end (self->writer) == 0)
    return;
  end = self->entries->len;
  g_array_append_val (self->ends, end);
}

/* Opens the field @key, whose value has @type; the value comes next. */
static gboolean
begin_field (NtpacRecordBuilder *self,
             const gchar        *key,
             const gchar        *type)
{
  if (!begin_entry (self))
    return FALSE;
  ntpac_variant_writer_open (self->writer);
  ntpac_variant_writer_add_string (self->writer, key, -1);
  ntpac_variant_writer_open_variant (self->writer, type);
  return TRUE;
}

static void
end_field (NtpacRecordBuilder *self)
{
  ntpac_variant_writer_close (self->writer);  /* the variant */
  ntpac_variant_writer_close (self->writer);  /* the entry */
  end_entry (self);
}

/* Opens the container the field (or item) just begun holds. */
static void
push (NtpacRecordBuilder *self,
      Open                what)
{
  g_return_if_fail (self->depth < MAX_DEPTH);
  ntpac_variant_writer_open (self->writer);
  self->open[self->depth++] = what;
}

/* Closes the innermost container, which must be @what. */
static gboolean
pop (NtpacRecordBuilder *self,
     Open                what)
{
  g_return_val_if_fail (self->depth > 0 && self->open[self->depth - 1] == what, FALSE);
  ntpac_variant_writer_close (self->writer);
  self->depth--;
  return TRUE;
}

/* A field whose value is one basic value is written whole by the writer:
 * the common case, at a fraction of the cost of member by member. */
static void
add_fixed_field (NtpacRecordBuilder *self,
                 const gchar        *key,
                 gchar               letter,
                 gconstpointer       value,
                 gsize               size)
{
  if (!begin_entry (self))
    return;
  ntpac_variant_writer_add_entry (self->writer, key, letter, value, size);
  end_entry (self);
}

/**
 * ntpac_record_builder_add_string:
 * @self: a record
 * @key: the field's name
 * @text: (array length=len): its value
 * @len: bytes of @text, or -1 if NUL-terminated
 *
 * Adds a string field. Bytes that are not UTF-8 (or NUL bytes) are
 * replaced by U+FFFD, as every stored string must be valid.
 * Since: 0.1
 */
void
ntpac_record_builder_add_string (NtpacRecordBuilder *self,
                                 const gchar        *key,
                                 const gchar        *text,
                                 gssize              len)
{
  if (!begin_entry (self))
    return;
  ntpac_variant_writer_add_string_entry (self->writer, key, text, len);
  end_entry (self);
}

void
ntpac_record_builder_add_boolean (NtpacRecordBuilder *self,
                                  const gchar        *key,
                                  gboolean            value)
{
  guint8 b = value ? 1 : 0;

  add_fixed_field (self, key, 'b', &b, 1);
}

void
ntpac_record_builder_add_byte (NtpacRecordBuilder *self,
                               const gchar        *key,
                               guint8              value)
{
  add_fixed_field (self, key, 'y', &value, sizeof value);
}

void
ntpac_record_builder_add_uint16 (NtpacRecordBuilder *self,
                                 const gchar        *key,
                                 guint16             value)
{
  add_fixed_field (self, key, 'q', &value, sizeof value);
}

void
ntpac_record_builder_add_uint32 (NtpacRecordBuilder *self,
                                 const gchar        *key,
                                 guint32             value)
{
  add_fixed_field (self, key, 'u', &value, sizeof value);
}

void
ntpac_record_builder_add_uint64 (NtpacRecordBuilder *self,
                                 const gchar        *key,
                                 guint64             value)
{
  add_fixed_field (self, key, 't', &value, sizeof value);
}

void
ntpac_record_builder_add_int64 (NtpacRecordBuilder *self,
                                const gchar        *key,
                                gint64              value)
{
  add_fixed_field (self, key, 'x', &value, sizeof value);
}

/**
 * ntpac_record_builder_add_fixed_array:
 * @self: a record
 * @key: the field's name
 * @element_type: a fixed-size GVariant type, such as "t" or "(ut)"
 * @elements: the elements, laid out as GVariant lays them out
 * @n_elements: how many
 * @element_size: the size of one
 *
 * Adds an array of fixed-size values, such as frame numbers.
 * Since: 0.1
 */
void
ntpac_record_builder_add_fixed_array (NtpacRecordBuilder *self,
                                      const gchar        *key,
                                      const gchar        *element_type,
                                      gconstpointer       elements,
                                      gsize               n_elements,
                                      gsize               element_size)
{
  g_autofree gchar *type = g_strconcat ("a", element_type, NULL);

  if (!begin_field (self, key, type))
    return;
  ntpac_variant_writer_add_fixed_array (self->writer, elements, n_elements, element_size);
  end_field (self);
}

/**
 * ntpac_record_builder_add_value:
 * @self: a record
 * @key: the field's name
 * @value: (transfer floating): any value
 *
 * Adds a field of any type. Slower than the typed functions: @value is
 * a tree GLib has to serialise.
 * Since: 0.1
 */
void
ntpac_record_builder_add_value (NtpacRecordBuilder *self,
                                const gchar        *key,
                                GVariant           *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);

  if (!begin_field (self, key, g_variant_get_type_string (owned)))
    return;
  ntpac_variant_writer_add_value (self->writer, owned);
  end_field (self);
}

/**
 * ntpac_record_builder_add_fields:
 * @self: a record
 * @fields: (transfer floating): an `a{sv}`
 *
 * Adds every field of @fields, in order.
 * Since: 0.1
 */
void
ntpac_record_builder_add_fields (NtpacRecordBuilder *self,
                                 GVariant           *fields)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (fields);
  gsize n;

  g_return_if_fail (takes_fields (self));
  g_return_if_fail (g_variant_is_of_type (owned, G_VARIANT_TYPE_VARDICT));
  n = g_variant_n_children (owned);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (owned, i);

      if (!begin_entry (self))
        return;
      ntpac_variant_writer_add_value (self->writer, entry);
      end_entry (self);
    }
}

/**
 * ntpac_record_builder_open_pairs:
 * @self: a record
 * @key: the field's name
 *
 * Starts a field of type `a(ss)` (headers, in the order they were sent):
 * add its pairs with ntpac_record_builder_add_pair(), then call
 * ntpac_record_builder_close_pairs().
 * Since: 0.1
 */
void
ntpac_record_builder_open_pairs (NtpacRecordBuilder *self,
                                 const gchar        *key)
{
  if (!begin_field (self, key, "a(ss)"))
    return;
  push (self, OPEN_PAIRS);
}

void
ntpac_record_builder_add_pair (NtpacRecordBuilder *self,
                               const gchar        *name,
                               gssize              name_len,
                               const gchar        *value,
                               gssize              value_len)
{
  g_return_if_fail (self->depth > 0 && self->open[self->depth - 1] == OPEN_PAIRS);
  ntpac_variant_writer_open (self->writer);
  ntpac_variant_writer_add_string (self->writer, name, name_len);
  ntpac_variant_writer_add_string (self->writer, value, value_len);
  ntpac_variant_writer_close (self->writer);
}

void
ntpac_record_builder_close_pairs (NtpacRecordBuilder *self)
{
  if (pop (self, OPEN_PAIRS))
    end_field (self);
}

/**
 * ntpac_record_builder_open_strings:
 * @self: a record
 * @key: the field's name
 *
 * Starts a field of type `as`: add its strings with
 * ntpac_record_builder_add_item_string(), then call
 * ntpac_record_builder_close_strings().
 * Since: 0.1
 */
void
ntpac_record_builder_open_strings (NtpacRecordBuilder *self,
                                   const gchar        *key)
{
  if (!begin_field (self, key, "as"))
    return;
  push (self, OPEN_STRINGS);
}

void
ntpac_record_builder_add_item_string (NtpacRecordBuilder *self,
                                      const gchar        *text,
                                      gssize              len)
{
  g_return_if_fail (self->depth > 0 && self->open[self->depth - 1] == OPEN_STRINGS);
  ntpac_variant_writer_add_string (self->writer, text, len);
}

void
ntpac_record_builder_close_strings (NtpacRecordBuilder *self)
{
  if (pop (self, OPEN_STRINGS))
    end_field (self);
}

/**
 * ntpac_record_builder_open_list:
 * @self: a record
 * @key: the field's name
 *
 * Starts a field of type `aa{sv}`, a list of records (the answers of a
 * DNS message, say). Each item is opened with
 * ntpac_record_builder_open_item(), given its fields with the same
 * functions as the record, and closed with
 * ntpac_record_builder_close_item(); the list ends with
 * ntpac_record_builder_close_list().
 * Since: 0.1
 */
void
ntpac_record_builder_open_list (NtpacRecordBuilder *self,
                                const gchar        *key)
{
  if (!begin_field (self, key, "aa{sv}"))
    return;
  push (self, OPEN_LIST);
}

void
ntpac_record_builder_open_item (NtpacRecordBuilder *self)
{
  g_return_if_fail (self->depth > 0 && self->open[self->depth - 1] == OPEN_LIST);
  push (self, OPEN_ITEM);
}

void
ntpac_record_builder_close_item (NtpacRecordBuilder *self)
{
  pop (self, OPEN_ITEM);
}

void
ntpac_record_builder_close_list (NtpacRecordBuilder *self)
{
  if (pop (self, OPEN_LIST))
    end_field (self);
}

/**
 * ntpac_record_builder_open_fields:
 * @self: a record
 * @key: the field's name
 *
 * Starts a field of type `a{sv}`, a record inside the record: give it
 * fields, then call ntpac_record_builder_close_fields().
 * Since: 0.1
 */
void
ntpac_record_builder_open_fields (NtpacRecordBuilder *self,
                                  const gchar        *key)
{
  if (!begin_field (self, key, "a{sv}"))
    return;
  push (self, OPEN_FIELDS);
}

void
ntpac_record_builder_close_fields (NtpacRecordBuilder *self)
{
  if (pop (self, OPEN_FIELDS))
    end_field (self);
}

/**
 * ntpac_record_builder_append:
 * @self: a record
 * @other: another record
 *
 * Adds the fields of @other after those of @self.
 * Since: 0.1
 */
void
ntpac_record_builder_append (NtpacRecordBuilder       *self,
                             const NtpacRecordBuilder *other)
{
  gsize base;

  g_return_if_fail (self->depth == 0 && other->depth == 0);
  if (other->ends->len == 0)
    return;
  pad_entries (self);
  base = self->entries->len;
  g_byte_array_append (self->entries, other->entries->data, other->entries->len);
  for (guint i = 0; i < other->ends->len; i++)
    {
      gsize end = base + g_array_index (other->ends, gsize, i);

      g_array_append_val (self->ends, end);
    }
}

/**
 * ntpac_record_builder_end_into:
 * @self: a record
 * @out: where to append it
 *
 * Appends the record, an `a{sv}` in normal form (little-endian), to @out,
 * and empties @self for the next one. Alignment is counted from where
 * the record starts in @out.
 *
 * Returns: the number of bytes appended
 * Since: 0.1
 */
gsize
ntpac_record_builder_end_into (NtpacRecordBuilder *self,
                               GByteArray         *out)
{
  gsize body = self->entries->len;
  gsize n = self->ends->len;
  gsize size;

  g_return_val_if_fail (self->depth == 0, 0);
  if (n == 0)
    return 0;
  size = ntpac_variant_offset_size (body, n);
  g_byte_array_append (out, self->entries->data, (guint) body);
  for (gsize i = 0; i < n; i++)
    {
      guint64 end = GUINT64_TO_LE ((guint64) g_array_index (self->ends, gsize, i));

      /* little-endian: the low bytes come first */
      g_byte_array_append (out, (const guint8 *) &end, (guint) size);
    }
  ntpac_record_builder_reset (self);
  return body + n * size;
}

/**
 * ntpac_record_builder_end:
 * @self: a record
 *
 * Returns the record as a value, and empties @self for the next one.
 *
 * Returns: (transfer floating): the `a{sv}`
 * Since: 0.1
 */
GVariant *
ntpac_record_builder_end (NtpacRecordBuilder *self)
{
  GByteArray *out = g_byte_array_new ();
  GBytes *bytes;
  GVariant *value;

  ntpac_record_builder_end_into (self, out);
  bytes = g_byte_array_free_to_bytes (out);
  value = g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, TRUE);
  g_bytes_unref (bytes);
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    {
      GVariant *native = g_variant_byteswap (value);

      g_variant_unref (g_variant_ref_sink (value));
      return native;
    }
  return value;
}
