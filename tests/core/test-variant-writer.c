/* test-variant-writer.c: the streaming GVariant writer against GLib
 *
 * Every value is also built with GLib; the writer's bytes must equal
 * g_variant_get_data() of it byte for byte, parse back as normal form, and
 * be the same whatever the bytes before the value. Values are written with
 * the writer's calls by hand, or by walking the GLib value (fixed arrays
 * element by element or in one call, subtrees with add_value, as chosen),
 * including random types and values.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-variant-writer-private.h"
#include "random-variant.h"

#define PREFIX_BYTE 0xa5

/* Checks @out holds @prefix junk bytes then exactly @expected, whose size
 * the writer returned as @size. */
static void
assert_written (GVariant   *expected,
                GByteArray *out,
                gsize       prefix,
                gsize       size)
{
  gsize expected_size = g_variant_get_size (expected);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) parsed = NULL;

  g_assert_cmpuint (out->len, ==, prefix + size);
  for (gsize i = 0; i < prefix; i++)
    g_assert_cmphex (out->data[i], ==, PREFIX_BYTE);
  g_assert_cmpuint (size, ==, expected_size);
  if (size > 0)
    g_assert_cmpmem (out->data + prefix, size,
                     g_variant_get_data (expected), expected_size);

  /* a copy: GLib wants the data aligned */
  bytes = g_bytes_new (size > 0 ? out->data + prefix : NULL, size);
  parsed = g_variant_new_from_bytes (g_variant_get_type (expected), bytes,
                                     FALSE);
  g_assert_true (g_variant_is_normal_form (parsed));
  g_assert_true (g_variant_equal (parsed, expected));
}

static void
add_prefix (GByteArray *out,
            gsize       prefix)
{
  for (gsize i = 0; i < prefix; i++)
    {
      guint8 b = PREFIX_BYTE;

      g_byte_array_append (out, &b, 1);
    }
}

/* Writing by walking a GLib value */

typedef enum
{
  WALK_ELEMENTS,       /* every array element by element, no add_value */
  WALK_FIXED_ARRAYS,   /* add_fixed_array for every fixed-size array */
  WALK_RANDOM,         /* either, or add_value, as @rand decides */
} WalkMode;

typedef struct
{
  WalkMode  mode;
  GRand    *rand;
} Walk;

/* Fixed-size types are those without arrays, strings and variants. */
static gboolean
type_is_fixed_size (const GVariantType *type)
{
  const gchar *s = g_variant_type_peek_string (type);
  gsize len = g_variant_type_get_string_length (type);

  for (gsize i = 0; i < len; i++)
    if (strchr ("asogvm", s[i]) != NULL)
      return FALSE;
  return TRUE;
}

/* The fixed size of @type: that of a zero value of it. */
static gsize
fixed_size_of (const GVariantType *type)
{
  g_autoptr(GVariant) zero = NULL;

  zero = g_variant_ref_sink (g_variant_new_from_data (type, NULL, 0, TRUE,
                                                      NULL, NULL));
  return g_variant_get_size (zero);
}

static gboolean
walk_chance (const Walk *walk,
             gint        one_in)
{
  return walk->mode == WALK_RANDOM
         && g_rand_int_range (walk->rand, 0, one_in) == 0;
}

static void
walk_value (NtpacVariantWriter *w,
            GVariant           *v,
            const Walk         *walk)
{
  if (walk_chance (walk, 6))
    {
      ntpac_variant_writer_add_value (w, v);
      return;
    }

  switch (g_variant_classify (v))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      ntpac_variant_writer_add_boolean (w, g_variant_get_boolean (v));
      break;
    case G_VARIANT_CLASS_BYTE:
      ntpac_variant_writer_add_byte (w, g_variant_get_byte (v));
      break;
    case G_VARIANT_CLASS_INT16:
      ntpac_variant_writer_add_int16 (w, g_variant_get_int16 (v));
      break;
    case G_VARIANT_CLASS_UINT16:
      ntpac_variant_writer_add_uint16 (w, g_variant_get_uint16 (v));
      break;
    case G_VARIANT_CLASS_INT32:
      ntpac_variant_writer_add_int32 (w, g_variant_get_int32 (v));
      break;
    case G_VARIANT_CLASS_UINT32:
      ntpac_variant_writer_add_uint32 (w, g_variant_get_uint32 (v));
      break;
    case G_VARIANT_CLASS_INT64:
      ntpac_variant_writer_add_int64 (w, g_variant_get_int64 (v));
      break;
    case G_VARIANT_CLASS_UINT64:
      ntpac_variant_writer_add_uint64 (w, g_variant_get_uint64 (v));
      break;
    case G_VARIANT_CLASS_HANDLE:
      ntpac_variant_writer_add_handle (w, g_variant_get_handle (v));
      break;
    case G_VARIANT_CLASS_DOUBLE:
      ntpac_variant_writer_add_double (w, g_variant_get_double (v));
      break;
    case G_VARIANT_CLASS_STRING:
      {
        gsize len;
        const gchar *s = g_variant_get_string (v, &len);

        ntpac_variant_writer_add_string (w, s, walk_chance (walk, 2) ? -1 : (gssize) len);
      }
      break;
    case G_VARIANT_CLASS_OBJECT_PATH:
      ntpac_variant_writer_add_object_path (w, g_variant_get_string (v, NULL));
      break;
    case G_VARIANT_CLASS_SIGNATURE:
      ntpac_variant_writer_add_signature (w, g_variant_get_string (v, NULL));
      break;
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) child = g_variant_get_variant (v);

        ntpac_variant_writer_open_variant (w, g_variant_get_type_string (child));
        walk_value (w, child, walk);
        ntpac_variant_writer_close (w);
      }
      break;
    case G_VARIANT_CLASS_ARRAY:
      {
        const GVariantType *element = g_variant_type_element (g_variant_get_type (v));

        if (type_is_fixed_size (element)
            && (walk->mode == WALK_FIXED_ARRAYS || walk_chance (walk, 2)))
          {
            gsize size = fixed_size_of (element);

            g_assert_cmpuint (g_variant_get_size (v) % size, ==, 0);
            ntpac_variant_writer_add_fixed_array (w, g_variant_get_data (v),
                                                  g_variant_get_size (v) / size,
                                                  size);
            break;
          }
      }
      G_GNUC_FALLTHROUGH;
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
      ntpac_variant_writer_open (w);
      for (gsize i = 0; i < g_variant_n_children (v); i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (v, i);

          walk_value (w, child, walk);
        }
      ntpac_variant_writer_close (w);
      break;
    case G_VARIANT_CLASS_MAYBE:
      g_assert_not_reached ();
    }
}

/* Writes @value with @walk after @prefix junk bytes and checks it. */
static void
check_walk_one (NtpacVariantWriter *w,
                GVariant           *value,
                const Walk         *walk,
                gsize               prefix)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize size;

  add_prefix (out, prefix);
  ntpac_variant_writer_begin (w, out, g_variant_get_type_string (value));
  walk_value (w, value, walk);
  size = ntpac_variant_writer_end (w);
  assert_written (value, out, prefix, size);
}

/* Writes @value (sunk, released) in every walk mode, with several
 * prefixes. */
static void
check_walk (GVariant *value)
{
  static const gsize prefixes[] = { 0, 1, 3, 7 };
  NtpacVariantWriter *w = ntpac_variant_writer_new ();
  GRand *rand = g_rand_new_with_seed (42);

  g_variant_ref_sink (value);
  for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
    {
      Walk elements = { WALK_ELEMENTS, NULL };
      Walk fixed = { WALK_FIXED_ARRAYS, NULL };
      Walk random = { WALK_RANDOM, rand };

      check_walk_one (w, value, &elements, prefixes[p]);
      check_walk_one (w, value, &fixed, prefixes[p]);
      for (guint i = 0; i < 3; i++)
        check_walk_one (w, value, &random, prefixes[p]);
    }
  g_rand_free (rand);
  ntpac_variant_writer_free (w);
  g_variant_unref (value);
}

/* Writing with the writer's calls by hand */

typedef void (*WriteFunc) (NtpacVariantWriter *w,
                           gconstpointer       data);

/* Writes with @write after no prefix and after some, and checks against
 * @expected (sunk, released). */
static void
check_write (GVariant      *expected,
             WriteFunc      write,
             gconstpointer  data)
{
  NtpacVariantWriter *w = ntpac_variant_writer_new ();

  g_variant_ref_sink (expected);
  for (gsize prefix = 0; prefix < 9; prefix++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gsize size;

      add_prefix (out, prefix);
      ntpac_variant_writer_begin (w, out, g_variant_get_type_string (expected));
      write (w, data);
      size = ntpac_variant_writer_end (w);
      assert_written (expected, out, prefix, size);
    }
  ntpac_variant_writer_free (w);
  g_variant_unref (expected);
}

static void
write_basics (NtpacVariantWriter *w,
              gconstpointer       data)
{
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_boolean (w, TRUE);
  ntpac_variant_writer_add_byte (w, 0xfe);
  ntpac_variant_writer_add_int16 (w, -2);
  ntpac_variant_writer_add_uint16 (w, 0xfffe);
  ntpac_variant_writer_add_int32 (w, G_MININT32);
  ntpac_variant_writer_add_uint32 (w, 0xdeadbeef);
  ntpac_variant_writer_add_int64 (w, G_MININT64);
  ntpac_variant_writer_add_uint64 (w, G_GUINT64_CONSTANT (0x0123456789abcdef));
  ntpac_variant_writer_add_handle (w, 7);
  ntpac_variant_writer_add_double (w, -1.5e300);
  ntpac_variant_writer_add_string (w, "text", -1);
  ntpac_variant_writer_add_object_path (w, "/org/ntpac/x");
  ntpac_variant_writer_add_signature (w, "a{sv}");
  ntpac_variant_writer_add_boolean (w, FALSE);
  ntpac_variant_writer_close (w);
}

/* Each basic type alone, and all in one tuple, out of alignment. */
static void
test_basic (void)
{
  GVariant *values[] = {
    g_variant_new_boolean (TRUE),
    g_variant_new_boolean (FALSE),
    g_variant_new_byte (0),
    g_variant_new_byte (255),
    g_variant_new_int16 (G_MININT16),
    g_variant_new_uint16 (G_MAXUINT16),
    g_variant_new_int32 (-123456),
    g_variant_new_uint32 (G_MAXUINT32),
    g_variant_new_int64 (G_MAXINT64),
    g_variant_new_uint64 (G_MAXUINT64),
    g_variant_new_handle (-1),
    g_variant_new_double (3.25),
    g_variant_new_double (-0.0),
    g_variant_new_string (""),
    g_variant_new_string ("x"),
    g_variant_new_string ("h\303\251llo \342\202\254 \360\235\204\236"),
    g_variant_new_object_path ("/"),
    g_variant_new_object_path ("/a/b_1/C"),
    g_variant_new_signature (""),
    g_variant_new_signature ("((yxxta(ut)a(utuu))(utuuy))"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_variant_ref_sink (values[i]);
      check_walk (g_variant_ref (values[i]));
      check_walk (g_variant_new_variant (values[i]));
      check_walk (g_variant_new ("(y@*)", 1, values[i]));
      check_walk (g_variant_new ("(@*y)", values[i], 1));
      g_variant_unref (values[i]);
    }

  check_write (g_variant_new ("(bynqiuxthdsogb)", TRUE, 0xfe, -2, 0xfffe,
                              G_MININT32, 0xdeadbeef, G_MININT64,
                              G_GUINT64_CONSTANT (0x0123456789abcdef), 7,
                              -1.5e300, "text", "/org/ntpac/x", "a{sv}",
                              FALSE),
               write_basics, NULL);
}

typedef struct
{
  const gchar *bytes;
  gssize       len;        /* -1: NUL-terminated */
  const gchar *expected;   /* the string written */
} StringCase;

static void
write_string_case (NtpacVariantWriter *w,
                   gconstpointer       data)
{
  const StringCase *c = data;

  ntpac_variant_writer_add_string (w, c->bytes, c->len);
}

static void
write_string_in_tuple (NtpacVariantWriter *w,
                       gconstpointer       data)
{
  const StringCase *c = data;

  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_string (w, c->bytes, c->len);
  ntpac_variant_writer_add_string (w, c->bytes, c->len);
  ntpac_variant_writer_add_byte (w, 9);
  ntpac_variant_writer_close (w);
}

/* Valid strings go as they are; bytes that are not UTF-8, and NULs, become
 * U+FFFD as with g_utf8_make_valid(). */
static void
test_strings (void)
{
#define FFFD "\357\277\275"
  static const StringCase cases[] = {
    { "", -1, "" },
    { "", 0, "" },
    { "abc", -1, "abc" },
    { "abcdef", 3, "abc" },               /* not NUL-terminated at @len */
    { "\303\251t\303\251", -1, "\303\251t\303\251" },
    { "\377", -1, FFFD },
    { "a\377b", -1, "a" FFFD "b" },
    { "abc\0def", 7, "abc" FFFD "def" },
    { "\0", 1, FFFD },
    { "\0\0", 2, FFFD FFFD },
    { "x\0", 2, "x" FFFD },
    { "\342\202", 2, FFFD FFFD },         /* truncated sequence */
    { "\303\050", 2, FFFD "(" },
    { "\300\257", 2, FFFD FFFD },         /* overlong */
    { "\355\240\200", 3, FFFD FFFD FFFD },  /* surrogate */
    { "ok\360\220\200", 5, "ok" FFFD FFFD FFFD },
    { "\364\220\200\200", 4, FFFD FFFD FFFD FFFD },  /* beyond U+10FFFF */
  };
#undef FFFD

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const StringCase *c = &cases[i];
      gsize len = c->len < 0 ? strlen (c->bytes) : (gsize) c->len;
      g_autofree gchar *made_valid = g_utf8_make_valid (c->bytes, len);

      /* the expectation is g_utf8_make_valid()'s */
      g_assert_cmpstr (made_valid, ==, c->expected);
      check_write (g_variant_new_string (c->expected), write_string_case, c);
      check_write (g_variant_new ("(ssy)", c->expected, c->expected, 9),
                   write_string_in_tuple, c);
    }
}

static void
write_unit (NtpacVariantWriter *w,
            gconstpointer       data)
{
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_close (w);
}

/* Tuples of fixed size are padded to it; "()" is one zero byte. */
static void
test_fixed_tuples (void)
{
  check_write (g_variant_new ("()"), write_unit, NULL);
  check_walk (g_variant_new ("()"));
  check_walk (g_variant_new ("(())"));
  check_walk (g_variant_new ("(()y())"));
  check_walk (g_variant_new ("(y())"));
  check_walk (g_variant_new ("(yt)", 1, G_GUINT64_CONSTANT (2)));
  check_walk (g_variant_new ("(ty)", G_GUINT64_CONSTANT (2), 1));
  check_walk (g_variant_new ("(yq)", 1, 2));
  check_walk (g_variant_new ("(qy)", 1, 2));
  check_walk (g_variant_new ("(utt)", 1, G_GUINT64_CONSTANT (2),
                             G_GUINT64_CONSTANT (3)));
  check_walk (g_variant_new ("(utuuy)", 1, G_GUINT64_CONSTANT (2), 3, 4, 5));
  check_walk (g_variant_new ("(y(yt)y)", 1, 2, G_GUINT64_CONSTANT (3), 4));
  check_walk (g_variant_new ("{yt}", 1, G_GUINT64_CONSTANT (2)));
  check_walk (g_variant_new ("(bd)", TRUE, 0.5));
  check_walk (g_variant_new ("(yh)", 1, 2));
  check_walk (g_variant_new ("(v)", g_variant_new ("(yt)", 1, G_GUINT64_CONSTANT (2))));
}

/* Laid out as GVariant lays out "(ut)" and "(utuu)". */
typedef struct
{
  guint32 u;
  guint32 pad;
  guint64 t;
} UT;

typedef struct
{
  guint32 u1;
  guint64 t;
  guint32 u2;
  guint32 u3;
} UTUU;

G_STATIC_ASSERT (sizeof (UT) == 16);
G_STATIC_ASSERT (sizeof (UTUU) == 24);

static UT ut_elements[3];
static UTUU utuu_elements[2];

static void
init_elements (void)
{
  /* padding must be zero */
  memset (ut_elements, 0, sizeof ut_elements);
  memset (utuu_elements, 0, sizeof utuu_elements);
  for (guint i = 0; i < G_N_ELEMENTS (ut_elements); i++)
    {
      ut_elements[i].u = 10 + i;
      ut_elements[i].t = G_GUINT64_CONSTANT (0x1000000000) + i;
    }
  for (guint i = 0; i < G_N_ELEMENTS (utuu_elements); i++)
    {
      utuu_elements[i].u1 = 20 + i;
      utuu_elements[i].t = G_GUINT64_CONSTANT (0x2000000000) + i;
      utuu_elements[i].u2 = 30 + i;
      utuu_elements[i].u3 = 40 + i;
    }
}

#define PDU_TYPE "((yxxta(ut)a(utuu))(utuuy))"

static GVariant *
pdu_glib (void)
{
  GVariant *ut = g_variant_new_fixed_array (G_VARIANT_TYPE ("(ut)"), ut_elements,
                                            G_N_ELEMENTS (ut_elements), sizeof (UT));
  GVariant *utuu = g_variant_new_fixed_array (G_VARIANT_TYPE ("(utuu)"),
                                              utuu_elements,
                                              G_N_ELEMENTS (utuu_elements),
                                              sizeof (UTUU));

  return g_variant_new ("((yxxt@a(ut)@a(utuu))(utuuy))", 6, G_GINT64_CONSTANT (-5),
                        G_GINT64_CONSTANT (1700000000000000000),
                        G_GUINT64_CONSTANT (77), ut, utuu,
                        1, G_GUINT64_CONSTANT (2), 3, 4, 5);
}

/* The a(ut) in one call, the a(utuu) element by element. */
static void
write_pdu (NtpacVariantWriter *w,
           gconstpointer       data)
{
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 6);
  ntpac_variant_writer_add_int64 (w, -5);
  ntpac_variant_writer_add_int64 (w, G_GINT64_CONSTANT (1700000000000000000));
  ntpac_variant_writer_add_uint64 (w, 77);
  ntpac_variant_writer_add_fixed_array (w, ut_elements,
                                        G_N_ELEMENTS (ut_elements), sizeof (UT));
  ntpac_variant_writer_open (w);
  for (guint i = 0; i < G_N_ELEMENTS (utuu_elements); i++)
    {
      ntpac_variant_writer_open (w);
      ntpac_variant_writer_add_uint32 (w, utuu_elements[i].u1);
      ntpac_variant_writer_add_uint64 (w, utuu_elements[i].t);
      ntpac_variant_writer_add_uint32 (w, utuu_elements[i].u2);
      ntpac_variant_writer_add_uint32 (w, utuu_elements[i].u3);
      ntpac_variant_writer_close (w);
    }
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_uint32 (w, 1);
  ntpac_variant_writer_add_uint64 (w, 2);
  ntpac_variant_writer_add_uint32 (w, 3);
  ntpac_variant_writer_add_uint32 (w, 4);
  ntpac_variant_writer_add_byte (w, 5);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_close (w);
}

static void
write_pdu_empty (NtpacVariantWriter *w,
                 gconstpointer       data)
{
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 6);
  ntpac_variant_writer_add_int64 (w, 1);
  ntpac_variant_writer_add_int64 (w, 2);
  ntpac_variant_writer_add_uint64 (w, 3);
  ntpac_variant_writer_add_fixed_array (w, NULL, 0, sizeof (UT));
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_add_value (w, g_variant_new ("(utuuy)", 1,
                                                    G_GUINT64_CONSTANT (2),
                                                    3, 4, 5));
  ntpac_variant_writer_close (w);
}

static void
test_pdu (void)
{
  init_elements ();
  check_write (pdu_glib (), write_pdu, NULL);
  check_walk (pdu_glib ());
  check_write (g_variant_new (PDU_TYPE, 6, G_GINT64_CONSTANT (1),
                              G_GINT64_CONSTANT (2), G_GUINT64_CONSTANT (3),
                              NULL, NULL, 1, G_GUINT64_CONSTANT (2), 3, 4, 5),
               write_pdu_empty, NULL);
}

/* Fixed-size arrays, in one call and element by element. */
static void
test_fixed_arrays (void)
{
  static const guint64 ts[] = { 1, G_MAXUINT64, 3 };
  static const guint8 ys[] = { 1, 2, 3, 4, 5 };
  static const gint16 ns[] = { -1, 2, -3 };
  static const gdouble ds[] = { 0.5, -2.0 };
  GVariantBuilder b;

  check_walk (g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, ts, 3, 8));
  check_walk (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, ys, 5, 1));
  check_walk (g_variant_new_fixed_array (G_VARIANT_TYPE_INT16, ns, 3, 2));
  check_walk (g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, ds, 2, 8));
  check_walk (g_variant_new_parsed ("[true, false, true]"));
  check_walk (g_variant_new_parsed ("[(), (), ()]"));
  check_walk (g_variant_new_parsed ("[(byte 1, uint64 2), (3, 4)]"));
  check_walk (g_variant_new_parsed ("[(uint64 2, byte 1), (4, 3)]"));
  check_walk (g_variant_new_parsed ("[(uint32 1, uint64 2, uint64 3), (4, 5, 6)]"));
  check_walk (g_variant_new_parsed ("[{byte 1, int16 2}, {3, 4}]"));
  check_walk (g_variant_new_parsed ("(byte 1, [uint64 1, 2])"));

  init_elements ();
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ut)"));
  for (guint i = 0; i < G_N_ELEMENTS (ut_elements); i++)
    g_variant_builder_add (&b, "(ut)", ut_elements[i].u, ut_elements[i].t);
  check_walk (g_variant_builder_end (&b));
}

typedef struct
{
  const gchar *element;
  gsize        fixed_size;   /* 0: variable */
} EmptyCase;

static void
write_empty_open (NtpacVariantWriter *w,
                  gconstpointer       data)
{
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_close (w);
}

static void
write_empty_fixed (NtpacVariantWriter *w,
                   gconstpointer       data)
{
  const EmptyCase *c = data;

  ntpac_variant_writer_add_fixed_array (w, NULL, 0, c->fixed_size);
}

/* As root and as a member before a variable-size one, so that it has an
 * offset. */
static void
write_empty_in_tuple (NtpacVariantWriter *w,
                      gconstpointer       data)
{
  const EmptyCase *c = data;

  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 1);
  if (c->fixed_size > 0)
    {
      ntpac_variant_writer_add_fixed_array (w, NULL, 0, c->fixed_size);
    }
  else
    {
      ntpac_variant_writer_open (w);
      ntpac_variant_writer_close (w);
    }
  ntpac_variant_writer_add_string (w, "z", -1);
  ntpac_variant_writer_close (w);
}

static void
test_empty_arrays (void)
{
  static const EmptyCase cases[] = {
    { "y", 1 }, { "b", 1 }, { "n", 2 }, { "q", 2 }, { "i", 4 }, { "u", 4 },
    { "h", 4 }, { "x", 8 }, { "t", 8 }, { "d", 8 }, { "()", 1 },
    { "(yt)", 16 }, { "(utt)", 24 }, { "(utuuy)", 32 }, { "{yq}", 4 },
    { "s", 0 }, { "o", 0 }, { "g", 0 }, { "v", 0 }, { "ay", 0 }, { "as", 0 },
    { "a{sv}", 0 }, { "{sv}", 0 }, { "(ss)", 0 }, { "(ys)", 0 }, { "(sy)", 0 },
    { "aay", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EmptyCase *c = &cases[i];
      g_autoptr(GVariantType) element = g_variant_type_new (c->element);
      GVariant *in_tuple[3];

      in_tuple[0] = g_variant_new_byte (1);
      in_tuple[1] = g_variant_new_array (element, NULL, 0);
      in_tuple[2] = g_variant_new_string ("z");

      check_write (g_variant_new_array (element, NULL, 0), write_empty_open, c);
      if (c->fixed_size > 0)
        {
          g_assert_cmpuint (fixed_size_of (element), ==, c->fixed_size);
          check_write (g_variant_new_array (element, NULL, 0),
                       write_empty_fixed, c);
        }
      check_write (g_variant_new_tuple (in_tuple, 3), write_empty_in_tuple, c);
      check_walk (g_variant_new_array (element, NULL, 0));
      check_walk (g_variant_new_variant (g_variant_new_array (element, NULL, 0)));
      check_walk (g_variant_new ("(@*@*)",
                                 g_variant_new_array (element, NULL, 0),
                                 g_variant_new_array (element, NULL, 0)));
    }
}

/* A record as the engine would write one: every basic type in a{sv}, a
 * nested a{sv} in a v. */
static void
write_record (NtpacVariantWriter *w,
              gconstpointer       data)
{
  ntpac_variant_writer_open (w);

#define ENTRY(key, type, call) \
  G_STMT_START { \
    ntpac_variant_writer_open (w); \
    ntpac_variant_writer_add_string (w, key, -1); \
    ntpac_variant_writer_open_variant (w, type); \
    call; \
    ntpac_variant_writer_close (w); \
    ntpac_variant_writer_close (w); \
  } G_STMT_END

  ENTRY ("b", "b", ntpac_variant_writer_add_boolean (w, TRUE));
  ENTRY ("y", "y", ntpac_variant_writer_add_byte (w, 200));
  ENTRY ("n", "n", ntpac_variant_writer_add_int16 (w, -300));
  ENTRY ("q", "q", ntpac_variant_writer_add_uint16 (w, 60000));
  ENTRY ("i", "i", ntpac_variant_writer_add_int32 (w, -70000));
  ENTRY ("u", "u", ntpac_variant_writer_add_uint32 (w, 4000000000u));
  ENTRY ("x", "x", ntpac_variant_writer_add_int64 (w, -(G_GINT64_CONSTANT (1) << 40)));
  ENTRY ("t", "t", ntpac_variant_writer_add_uint64 (w, G_GUINT64_CONSTANT (1) << 63));
  ENTRY ("h", "h", ntpac_variant_writer_add_handle (w, 3));
  ENTRY ("d", "d", ntpac_variant_writer_add_double (w, 2.75));
  ENTRY ("s", "s", ntpac_variant_writer_add_string (w, "value", -1));
  ENTRY ("o", "o", ntpac_variant_writer_add_object_path (w, "/x"));
  ENTRY ("g", "g", ntpac_variant_writer_add_signature (w, "as"));
  ENTRY ("nested", "a{sv}",
         ntpac_variant_writer_open (w);
         ENTRY ("inner", "t", ntpac_variant_writer_add_uint64 (w, 5));
         ENTRY ("list", "as",
                ntpac_variant_writer_open (w);
                ntpac_variant_writer_add_string (w, "p", -1);
                ntpac_variant_writer_add_string (w, "", -1);
                ntpac_variant_writer_close (w));
         ntpac_variant_writer_close (w));
  ENTRY ("value", "(sa{sv})",
         ntpac_variant_writer_add_value (w, g_variant_new_parsed ("('a', {'k': <int16 1>})")));
#undef ENTRY

  ntpac_variant_writer_close (w);
}

static GVariant *
record_glib (void)
{
  return g_variant_new_parsed (
    "{'b': <true>, 'y': <byte 200>, 'n': <int16 -300>, 'q': <uint16 60000>,"
    " 'i': <int32 -70000>, 'u': <uint32 4000000000>,"
    " 'x': <int64 -1099511627776>, 't': <uint64 9223372036854775808>,"
    " 'h': <handle 3>, 'd': <2.75>, 's': <'value'>, 'o': <objectpath '/x'>,"
    " 'g': <signature 'as'>,"
    " 'nested': <{'inner': <uint64 5>, 'list': <['p', '']>}>,"
    " 'value': <('a', {'k': <int16 1>})>}");
}

static void
test_dicts (void)
{
  check_write (record_glib (), write_record, NULL);
  check_walk (record_glib ());
  check_walk (g_variant_new_parsed ("[('a', 'b'), ('', 'cd'), ('efg', '')]"));
  check_walk (g_variant_new_parsed ("[{'a': <1>}, @a{sv} {}, {'b': <'x'>, 'c': <[byte 1]>}]"));
  check_walk (g_variant_new_parsed ("['one', '', 'three']"));
  check_walk (g_variant_new_parsed ("[<1>, <'s'>, <(byte 1, 'x')>, <<@at []>>]"));
  check_walk (g_variant_new_parsed ("[[byte 1], @ay [], [2, 3]]"));
  check_walk (g_variant_new_parsed ("(@ay [], @ay [], 's', @ay [])"));
  check_walk (g_variant_new_parsed ("(@as [], byte 1, @as [])"));
  check_walk (g_variant_new_parsed ("{'k', (byte 1, 'v', uint64 2)}"));
  check_walk (g_variant_new_parsed ("(<<<int16 5>>>, 'x')"));
}

/* Nested GLib values written whole. */
static void
write_with_values (NtpacVariantWriter *w,
                   gconstpointer       data)
{
  GVariant *kept = g_variant_ref_sink (g_variant_new_parsed ("[byte 1, 2, 3]"));

  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 1);
  ntpac_variant_writer_add_value (w, g_variant_new_parsed ("{'a': <1>}"));
  ntpac_variant_writer_add_value (w, kept);       /* not floating: still ours */
  ntpac_variant_writer_open_variant (w, "ay");
  ntpac_variant_writer_add_value (w, kept);
  ntpac_variant_writer_close (w);
  ntpac_variant_writer_add_value (w, g_variant_new_variant (g_variant_new_uint64 (9)));
  ntpac_variant_writer_close (w);
  g_assert_cmpuint (g_variant_n_children (kept), ==, 3);
  g_variant_unref (kept);
}

/* A "(ss)" whose first offset is wrong: GLib reads it as non-normal. */
static const guint8 non_normal_ss[] = { 'a', 'b', '\0', 'c', '\0', 9 };

static void
write_non_normal (NtpacVariantWriter *w,
                  gconstpointer       data)
{
  GVariant *value = g_variant_new_from_data (G_VARIANT_TYPE ("(ss)"),
                                             non_normal_ss,
                                             sizeof non_normal_ss, FALSE,
                                             NULL, NULL);

  ntpac_variant_writer_add_value (w, value);
}

static void
test_add_value (void)
{
  g_autoptr(GVariant) non_normal = NULL;

  check_write (g_variant_new_parsed ("(byte 1, {'a': <1>}, [byte 1, 2, 3], <[byte 1, 2, 3]>, <uint64 9>)"),
               write_with_values, NULL);

  non_normal = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE ("(ss)"),
                                                            non_normal_ss,
                                                            sizeof non_normal_ss,
                                                            FALSE, NULL, NULL));
  g_assert_false (g_variant_is_normal_form (non_normal));
  check_write (g_variant_get_normal_form (non_normal), write_non_normal, NULL);
}

static gchar *
make_string (gsize len,
             gchar c)
{
  gchar *s = g_malloc (len + 1);

  memset (s, c, len);
  s[len] = '\0';
  return s;
}

/* Sizes around where framing offsets grow from 1 to 2 and 2 to 4 bytes. */
static void
test_offset_boundaries (void)
{
  static const gsize around[] = { 245, 65525 };

  for (guint a = 0; a < G_N_ELEMENTS (around); a++)
    for (gsize len = around[a]; len < around[a] + 20; len++)
      {
        g_autofree gchar *s = make_string (len, 'x');

        for (gsize other = 0; other < 3; other++)
          {
            g_autofree gchar *t = make_string (other, 'y');
            const gchar *strv[] = { s, t, t };

            check_walk (g_variant_new ("(ss)", s, t));
            check_walk (g_variant_new ("(ssy)", t, s, 1));
            check_walk (g_variant_new_strv (strv, 1 + other));
            check_walk (g_variant_new_parsed ("{%s: <%s>}", t, s));
            check_walk (g_variant_new_parsed ("[%s, %s]", t, s));
          }
      }
}

/* Containers with small offsets inside ones with 4-byte offsets. */
static void
test_large (void)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; i < 12000; i++)
    g_variant_builder_add (&b, "(ss)", "ab", i % 2 ? "cd" : "");
  check_walk (g_variant_builder_end (&b));

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree gchar *key = g_strdup_printf ("key%u", i);

      g_variant_builder_add (&b, "{sv}", key,
                             i % 3 ? g_variant_new_uint64 (i)
                                   : g_variant_new_parsed ("{'a': <[%s, 'b']>}", key));
    }
  check_walk (g_variant_builder_end (&b));

  {
    g_autofree gchar *s = make_string (70000, 'q');

    check_walk (g_variant_new_parsed ("[[%s], [%s, 'x'], @as []]", s, s));
  }
}

/* One writer, one output array: values follow each other at arbitrary
 * positions. */
static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (20240301);
  NtpacVariantWriter *w = ntpac_variant_writer_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GString) type = g_string_new (NULL);
  Walk walks[] = {
    { WALK_ELEMENTS, NULL },
    { WALK_FIXED_ARRAYS, NULL },
    { WALK_RANDOM, rand },
  };

  for (guint iteration = 0; iteration < 4000; iteration++)
    {
      g_autoptr(GVariant) value = NULL;
      gsize prefix = g_rand_int_range (rand, 0, 10);
      gsize start;
      gsize size;

      g_string_truncate (type, 0);
      random_variant_type (rand, 0, type);
      value = g_variant_ref_sink (random_variant_value (rand, G_VARIANT_TYPE (type->str), 0));

      if (out->len > 1 << 16)
        g_byte_array_set_size (out, 0);
      add_prefix (out, prefix);
      start = out->len;
      ntpac_variant_writer_begin (w, out, type->str);
      walk_value (w, value, &walks[iteration % G_N_ELEMENTS (walks)]);
      size = ntpac_variant_writer_end (w);

      g_assert_cmpuint (size, ==, out->len - start);
      g_assert_cmpmem (size > 0 ? out->data + start : NULL, size,
                       g_variant_get_data (value), g_variant_get_size (value));
      {
        g_autoptr(GBytes) bytes = g_bytes_new (size > 0 ? out->data + start : NULL, size);
        g_autoptr(GVariant) parsed = g_variant_new_from_bytes (G_VARIANT_TYPE (type->str),
                                                               bytes, FALSE);

        g_assert_true (g_variant_is_normal_form (parsed));
      }
    }
  ntpac_variant_writer_free (w);
  g_rand_free (rand);
}

/* Misuse is reported, and the value is left out. */
static void
test_misuse (void)
{
  NtpacVariantWriter *w = ntpac_variant_writer_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();

  add_prefix (out, 3);

  /* wrong basic type: later calls ignored */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL,
                         "*expected a value of type 'x', got 'u'*");
  ntpac_variant_writer_begin (w, out, "(yx)");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 1);
  ntpac_variant_writer_add_uint32 (w, 2);
  ntpac_variant_writer_add_int64 (w, 2);
  ntpac_variant_writer_close (w);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 3);

  /* unclosed container */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*container(s) open*");
  ntpac_variant_writer_begin (w, out, "as");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_string (w, "a", -1);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 3);

  /* tuple closed early */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*closed before its member 't'*");
  ntpac_variant_writer_begin (w, out, "(st)");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_string (w, "a", -1);
  ntpac_variant_writer_close (w);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();

  /* too many members */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*no more members in '(s)'*");
  ntpac_variant_writer_begin (w, out, "(s)");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_string (w, "a", -1);
  ntpac_variant_writer_add_string (w, "b", -1);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();

  /* nothing written, closing what is not open, maybe types */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*ended before it was written*");
  ntpac_variant_writer_begin (w, out, "s");
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*no container open*");
  ntpac_variant_writer_begin (w, out, "u");
  ntpac_variant_writer_add_uint32 (w, 1);
  ntpac_variant_writer_close (w);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*unsupported type 'mu'*");
  ntpac_variant_writer_begin (w, out, "mu");
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*unsupported variant content type 'a{'*");
  ntpac_variant_writer_begin (w, out, "v");
  ntpac_variant_writer_open_variant (w, "a{");
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();

  /* fixed arrays: wrong element size, variable-size elements */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*not an array of 8-byte elements*");
  ntpac_variant_writer_begin (w, out, "a(yt)");
  ntpac_variant_writer_add_fixed_array (w, NULL, 0, 8);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*'as' is not an array*");
  ntpac_variant_writer_begin (w, out, "as");
  ntpac_variant_writer_add_fixed_array (w, NULL, 0, 1);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();

  /* add_value of the wrong type still releases a floating value */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL,
                         "*expected a value of type 'a{sv}', got 'a{ss}'*");
  ntpac_variant_writer_begin (w, out, "(a{sv})");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_value (w, g_variant_new_parsed ("{'a': 'b'}"));
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 0);
  g_test_assert_expected_messages ();

  /* a new value before the last one ended */
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*before the previous one ended*");
  ntpac_variant_writer_begin (w, out, "(uu)");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_uint32 (w, 1);
  ntpac_variant_writer_begin (w, out, "u");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 3);
  ntpac_variant_writer_add_uint32 (w, 7);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 4);

  /* still usable */
  g_byte_array_set_size (out, 3);
  ntpac_variant_writer_begin (w, out, "(yu)");
  ntpac_variant_writer_open (w);
  ntpac_variant_writer_add_byte (w, 1);
  ntpac_variant_writer_add_uint32 (w, 2);
  ntpac_variant_writer_close (w);
  g_assert_cmpuint (ntpac_variant_writer_end (w), ==, 8);

  ntpac_variant_writer_free (w);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/variant-writer/basic", test_basic);
  g_test_add_func ("/variant-writer/strings", test_strings);
  g_test_add_func ("/variant-writer/fixed-tuples", test_fixed_tuples);
  g_test_add_func ("/variant-writer/pdu", test_pdu);
  g_test_add_func ("/variant-writer/fixed-arrays", test_fixed_arrays);
  g_test_add_func ("/variant-writer/empty-arrays", test_empty_arrays);
  g_test_add_func ("/variant-writer/dicts", test_dicts);
  g_test_add_func ("/variant-writer/add-value", test_add_value);
  g_test_add_func ("/variant-writer/offset-boundaries", test_offset_boundaries);
  g_test_add_func ("/variant-writer/large", test_large);
  g_test_add_func ("/variant-writer/random", test_random);
  g_test_add_func ("/variant-writer/misuse", test_misuse);
  return g_test_run ();
}
