/* test-variant-reader.c: reading serialised GVariants in place, against
 * GLib
 *
 * Every member a view finds must be the one GLib finds (same type, same
 * bytes), and the JSON written from a view must be the JSON written from
 * the GVariant, on fixed cases (offset widths, empty containers, maybes,
 * records) and on thousands of random values. Damaged bytes must make
 * the reader fail or agree with GLib, never read outside them (run under
 * AddressSanitizer to see that).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-variant-json-private.h"
#include "ntpac-variant-reader-private.h"
#include "random-variant.h"

static gchar *
glib_json (GVariant *value)
{
  GString *out = g_string_new (NULL);
  NtpacJson json;

  ntpac_json_init (&json, out);
  ntpac_json_variant (&json, value);
  return g_string_free (out, FALSE);
}

/* The view of @value finds what GLib finds, member by member. */
static void
assert_same_tree (const NtpacVariantView *view,
                  GVariant               *value)
{
  const gchar *type = g_variant_get_type_string (value);
  gsize n;

  g_assert_cmpmem (view->type, view->type_len, type, strlen (type));
  g_assert_cmpmem (view->size > 0 ? view->data : NULL, view->size,
                   g_variant_get_size (value) > 0 ? g_variant_get_data (value) : NULL,
                   g_variant_get_size (value));
  if (!g_variant_is_container (value))
    {
      g_assert_false (ntpac_variant_view_n_children (view, &n));
      return;
    }
  g_assert_true (ntpac_variant_view_n_children (view, &n));
  g_assert_cmpuint (n, ==, g_variant_n_children (value));
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
      NtpacVariantView child_view;

      g_assert_true (ntpac_variant_view_child (view, i, &child_view));
      assert_same_tree (&child_view, child);
    }
  g_assert_false (ntpac_variant_view_child (view, n, &(NtpacVariantView) { 0 }));
}

/* The view reads @value as GLib does, and writes the same JSON. */
static void
check_value (GVariant *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autofree gchar *expected = glib_json (owned);
  g_autofree gchar *through_view = NULL;
  NtpacVariantView view;

  g_assert_true (ntpac_variant_view_init (&view, owned));
  assert_same_tree (&view, owned);
  through_view = ntpac_variant_view_json (&view);
  g_assert_cmpstr (through_view, ==, expected);
  /* Read in place, not through GLib's fallback. */
  {
    GString *out = g_string_new (NULL);
    NtpacJson json;

    ntpac_json_init (&json, out);
    g_assert_true (ntpac_json_variant_view (&json, &view));
    g_assert_cmpstr (out->str, ==, expected);
    g_string_free (out, TRUE);
  }
}

static void
test_basic (void)
{
  check_value (g_variant_new_boolean (TRUE));
  check_value (g_variant_new_byte (200));
  check_value (g_variant_new_int16 (-3));
  check_value (g_variant_new_uint16 (65535));
  check_value (g_variant_new_int32 (G_MININT32));
  check_value (g_variant_new_uint32 (G_MAXUINT32));
  check_value (g_variant_new_int64 (G_MININT64));
  check_value (g_variant_new_uint64 (G_MAXUINT64));
  check_value (g_variant_new_double (-1.5));
  check_value (g_variant_new_string (""));
  check_value (g_variant_new_string ("h\303\251llo \"q\" \\ \n"));
  check_value (g_variant_new_object_path ("/a/b"));
  check_value (g_variant_new_signature ("a{sv}"));
  check_value (g_variant_new_handle (7));
}

/* A record as the store holds them. */
static const gchar record[] =
  "{'ts': <int64 -5>, 'name': <'x.example'>, 'answers': <[{'type': <uint16 1>, 'data': <'1.2.3.4'>}]>,"
  " 'list': <@ay [1, 2, 3]>, 'flag': <true>, 'none': <@ms nothing>}";

static void
test_containers (void)
{
  static const gchar *values[] = {
    "@as []", "@ay []", "@a{sv} {}", "@a(ut) []", "()", "[(), ()]",
    "['', 'a', '']", "[byte 1, 2, 3]", "[(byte 1, uint64 2), (3, 4)]",
    "(@ay [], @ay [], 's', @ay [])", "(@as [], byte 1, @as [])",
    "{'k', (byte 1, 'v', uint64 2)}", "(<<<int16 5>>>, 'x')",
    "[<1>, <'s'>, <(byte 1, 'x')>, <<@at []>>]",
    "[{'a': <1>}, @a{sv} {}, {'b': <'x'>, 'c': <[byte 1]>}]",
    "@ms nothing", "@ms 'x'", "@mu nothing", "@mu 5", "[@mi nothing, just 2]",
    "[@ms nothing, just '', just 'abc']", "(@my nothing, @mas just ['a'], 'z')",
    record,
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    check_value (g_variant_new_parsed (values[i]));
}

static gchar *
make_string (gsize len)
{
  gchar *s = g_malloc (len + 1);

  memset (s, 'x', len);
  s[len] = '\0';
  return s;
}

/* Sizes where framing offsets grow from 1 to 2, 2 to 4 bytes. */
static void
test_offset_widths (void)
{
  static const gsize around[] = { 245, 65525 };

  for (guint a = 0; a < G_N_ELEMENTS (around); a++)
    for (gsize len = around[a]; len < around[a] + 20; len++)
      {
        g_autofree gchar *s = make_string (len);

        check_value (g_variant_new ("(ss)", s, "y"));
        check_value (g_variant_new ("(ssy)", "t", s, 1));
        check_value (g_variant_new_parsed ("[%s, 'b']", s));
        check_value (g_variant_new_parsed ("{'k': <%s>, 'l': <uint32 1>}", s));
      }
}

/* An `a{sv}` read entry by entry, as g_variant_iter_next() reads it. */
static void
test_entries (void)
{
  g_autoptr(GVariant) record = g_variant_ref_sink (g_variant_new_parsed (
    "{'a': <1>, 'b': <'two'>, 'a': <int64 3>, 'c': <@a{sv} {'d': <byte 4>}>}"));
  NtpacVariantView view, value;
  GVariantIter iter;
  const gchar *key, *expected_key;
  GVariant *expected;
  gsize position = 0;
  gint64 i;
  guint64 u;

  g_assert_true (ntpac_variant_view_init (&view, record));
  g_variant_iter_init (&iter, record);
  while (g_variant_iter_next (&iter, "{&sv}", &expected_key, &expected))
    {
      g_assert_true (ntpac_variant_view_next_entry (&view, &position, &key, &value));
      g_assert_cmpstr (key, ==, expected_key);
      assert_same_tree (&value, expected);
      g_variant_unref (expected);
    }
  g_assert_false (ntpac_variant_view_next_entry (&view, &position, &key, &value));
  g_assert_cmpuint (position, ==, 4);

  /* Numbers of their own type only, as the query's getters want them. */
  position = 0;
  g_assert_true (ntpac_variant_view_next_entry (&view, &position, &key, &value));
  g_assert_true (ntpac_variant_view_get_int (&value, &i));
  g_assert_cmpint (i, ==, 1);
  g_assert_false (ntpac_variant_view_get_uint (&value, &u));
  g_assert_true (ntpac_variant_view_next_entry (&view, &position, &key, &value));
  g_assert_false (ntpac_variant_view_get_int (&value, &i));
}

static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (20261127);
  g_autoptr(GString) type = g_string_new (NULL);

  for (guint iteration = 0; iteration < 4000; iteration++)
    {
      g_string_truncate (type, 0);
      random_variant_type (rand, 0, type);
      check_value (random_variant_value (rand, G_VARIANT_TYPE (type->str), 0));
    }
  g_rand_free (rand);
}

/* Reads everything a view has; the result does not matter, only that
 * nothing outside the bytes is read. */
static void
walk (const NtpacVariantView *view,
      guint                   depth)
{
  gsize n;

  if (depth > 64 || !ntpac_variant_view_n_children (view, &n))
    return;
  for (gsize i = 0; i < MIN (n, 64); i++)
    {
      NtpacVariantView child;

      if (ntpac_variant_view_child (view, i, &child))
        walk (&child, depth + 1);
    }
}

/* Random values with bytes changed or cut: the reader fails, or, where
 * GLib still takes the bytes for normal form, reads what GLib reads. Each
 * damaged copy is a heap block of its exact size, for AddressSanitizer. */
static void
test_damaged (void)
{
  GRand *rand = g_rand_new_with_seed (4242);
  g_autoptr(GString) type = g_string_new (NULL);

  for (guint iteration = 0; iteration < 3000; iteration++)
    {
      g_autoptr(GVariant) value = NULL;
      gsize size;
      guint8 *bytes;

      g_string_truncate (type, 0);
      random_variant_type (rand, 0, type);
      value = g_variant_ref_sink (random_variant_value (rand, G_VARIANT_TYPE (type->str), 0));
      size = g_variant_get_size (value);
      if (size == 0)
        continue;
      if (g_rand_boolean (rand))
        size = g_rand_int_range (rand, 0, (gint32) size);
      bytes = g_memdup2 (g_variant_get_data (value), MAX (size, 1));
      for (gint k = g_rand_int_range (rand, 0, 4); k > 0 && size > 0; k--)
        bytes[g_rand_int_range (rand, 0, (gint32) size)] = (guint8) g_rand_int (rand);
      {
        NtpacVariantView view = { type->str, type->len, bytes, size };
        g_autoptr(GVariant) damaged = g_variant_ref_sink (
          g_variant_new_from_data (G_VARIANT_TYPE (type->str), bytes, size, FALSE, NULL, NULL));
        g_autofree gchar *json = NULL;

        walk (&view, 0);
        json = ntpac_variant_view_json (&view);
        if (g_variant_is_normal_form (damaged))
          {
            g_autofree gchar *expected = glib_json (damaged);

            g_assert_cmpstr (json, ==, expected);
          }
      }
      g_free (bytes);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/variant-reader/basic", test_basic);
  g_test_add_func ("/variant-reader/containers", test_containers);
  g_test_add_func ("/variant-reader/offset-widths", test_offset_widths);
  g_test_add_func ("/variant-reader/entries", test_entries);
  g_test_add_func ("/variant-reader/random", test_random);
  g_test_add_func ("/variant-reader/damaged", test_damaged);
  return g_test_run ();
}
