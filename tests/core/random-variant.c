/* random-variant.c: random GVariant types and values for the tests of
 * the variant writer and reader
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "random-variant.h"

static const gchar basic_types[] = "bynqiuxthdsog";

void
random_variant_type (GRand   *rand,
                     guint    depth,
                     GString *type)
{
  gint choice = depth >= 4 ? 0 : g_rand_int_range (rand, 0, 10);

  switch (choice)
    {
    case 0: case 1: case 2: case 3:
      g_string_append_c (type, basic_types[g_rand_int_range (rand, 0, sizeof basic_types - 1)]);
      break;
    case 4:
      g_string_append_c (type, 'v');
      break;
    case 5: case 6:
      g_string_append_c (type, 'a');
      random_variant_type (rand, depth + 1, type);
      break;
    case 7:
      g_string_append_c (type, '{');
      g_string_append_c (type, basic_types[g_rand_int_range (rand, 0, sizeof basic_types - 1)]);
      random_variant_type (rand, depth + 1, type);
      g_string_append_c (type, '}');
      break;
    default:
      {
        gint n = g_rand_int_range (rand, 0, 5);

        g_string_append_c (type, '(');
        for (gint i = 0; i < n; i++)
          random_variant_type (rand, depth + 1, type);
        g_string_append_c (type, ')');
      }
      break;
    }
}

static gchar *
random_string (GRand *rand)
{
  static const gchar *pieces[] = { "a", "b", "Z", " ", "\303\251", "\342\202\254",
                                   "\360\235\204\236", "/", "0" };
  GString *s = g_string_new (NULL);
  gint len = g_rand_int_range (rand, 0, 12);

  /* now and then long enough for 2-byte offsets */
  if (g_rand_int_range (rand, 0, 40) == 0)
    len = g_rand_int_range (rand, 60, 140);
  for (gint i = 0; i < len; i++)
    g_string_append (s, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  return g_string_free (s, FALSE);
}

GVariant *
random_variant_value (GRand              *rand,
                      const GVariantType *type,
                      guint               depth)
{
  const gchar *s = g_variant_type_peek_string (type);

  switch (s[0])
    {
    case 'b':
      return g_variant_new_boolean (g_rand_boolean (rand));
    case 'y':
      return g_variant_new_byte ((guint8) g_rand_int (rand));
    case 'n':
      return g_variant_new_int16 ((gint16) g_rand_int (rand));
    case 'q':
      return g_variant_new_uint16 ((guint16) g_rand_int (rand));
    case 'i':
      return g_variant_new_int32 ((gint32) g_rand_int (rand));
    case 'u':
      return g_variant_new_uint32 (g_rand_int (rand));
    case 'h':
      return g_variant_new_handle ((gint32) g_rand_int (rand));
    case 'x':
      return g_variant_new_int64 ((gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)));
    case 't':
      return g_variant_new_uint64 (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand));
    case 'd':
      return g_variant_new_double (g_rand_double_range (rand, -1e6, 1e6));
    case 's':
      {
        g_autofree gchar *str = random_string (rand);

        return g_variant_new_string (str);
      }
    case 'o':
      return g_variant_new_object_path (g_rand_boolean (rand) ? "/" : "/org/ntpac/o1");
    case 'g':
      {
        static const gchar *sigs[] = { "", "s", "a{sv}", "(ii)as" };

        return g_variant_new_signature (sigs[g_rand_int_range (rand, 0, G_N_ELEMENTS (sigs))]);
      }
    case 'v':
      {
        g_autoptr(GString) child = g_string_new (NULL);

        random_variant_type (rand, depth + 1, child);
        return g_variant_new_variant (random_variant_value (rand, G_VARIANT_TYPE (child->str),
                                                    depth + 1));
      }
    case 'a':
      {
        const GVariantType *element = g_variant_type_element (type);
        gint n = g_rand_int_range (rand, 0, 6);
        GVariantBuilder b;

        if (n == 0)
          return g_variant_new_array (element, NULL, 0);
        g_variant_builder_init (&b, type);
        for (gint i = 0; i < n; i++)
          g_variant_builder_add_value (&b, random_variant_value (rand, element, depth + 1));
        return g_variant_builder_end (&b);
      }
    case '{':
      return g_variant_new_dict_entry (random_variant_value (rand, g_variant_type_key (type), depth + 1),
                                       random_variant_value (rand, g_variant_type_value (type), depth + 1));
    case '(':
      {
        GVariant *children[8];
        gsize n = 0;

        for (const GVariantType *m = g_variant_type_first (type); m != NULL;
             m = g_variant_type_next (m))
          children[n++] = random_variant_value (rand, m, depth + 1);
        return g_variant_new_tuple (children, n);
      }
    }
  g_assert_not_reached ();
}
