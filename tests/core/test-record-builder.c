/* test-record-builder.c: records written field by field are the bytes
 * GLib gives for the same a{sv}
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <ntpac/ntpac.h>

/* The bytes GLib serialises @value to. */
static GBytes *
glib_bytes (GVariant *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);

  return g_bytes_new (g_variant_get_data (owned), g_variant_get_size (owned));
}

/* Ends @b after a @prefix-byte prefix, and checks the bytes after the
 * prefix are @expected, and normal form. */
static void
assert_record (NtpacRecordBuilder *b,
               GVariant           *expected,
               guint               prefix)
{
  g_autoptr(GBytes) want = glib_bytes (expected);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GVariant) read = NULL;
  gpointer copy;
  gsize n;

  for (guint i = 0; i < prefix; i++)
    g_byte_array_append (out, (const guint8 *) "\x7f", 1);
  n = ntpac_record_builder_end_into (b, out);
  g_assert_cmpuint (n, ==, out->len - prefix);
  g_assert_cmpmem (out->data + prefix, n, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
  copy = g_memdup2 (out->data + prefix, n);
  read = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE_VARDICT, copy, n, FALSE, g_free, copy));
  g_assert_true (g_variant_is_normal_form (read));
  g_assert_cmpuint (ntpac_record_builder_get_n_fields (b), ==, 0);   /* emptied for the next one */
}

/* Every kind of field a dissector adds, against GVariantBuilder. */
static void
test_every_field (void)
{
  static const guint64 frames[] = { 531, 1270, 1272 };
  static const guint16 informational[] = { 100, 103 };
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();

  for (guint prefix = 0; prefix < 9; prefix++)
    {
      GVariantBuilder g, pairs;

      ntpac_record_builder_add_int64 (b, "ts", -1709251200003465000);
      ntpac_record_builder_add_string (b, "transport", "tcp", -1);
      ntpac_record_builder_add_uint16 (b, "sport", 55665);
      ntpac_record_builder_add_uint32 (b, "input", 7);
      ntpac_record_builder_add_uint64 (b, "size", G_MAXUINT64);
      ntpac_record_builder_add_boolean (b, "complete", TRUE);
      ntpac_record_builder_add_fixed_array (b, "frames", "t", frames, G_N_ELEMENTS (frames), sizeof frames[0]);
      ntpac_record_builder_add_fixed_array (b, "informational", "q", informational, G_N_ELEMENTS (informational),
                                            sizeof informational[0]);
      ntpac_record_builder_add_fixed_array (b, "empty", "t", NULL, 0, sizeof (guint64));
      ntpac_record_builder_open_pairs (b, "request_headers");
      ntpac_record_builder_add_pair (b, "Host", -1, "www.example.com", -1);
      ntpac_record_builder_add_pair (b, "Accept-Encodingxx", 15, "gzip, deflatexx", 13);
      ntpac_record_builder_add_pair (b, "", 0, "", 0);
      ntpac_record_builder_close_pairs (b);
      ntpac_record_builder_open_pairs (b, "no_headers");
      ntpac_record_builder_close_pairs (b);
      ntpac_record_builder_add_value (b, "nested", g_variant_new_parsed ("{'a': <[byte 1, 2]>, 'b': <('x', @au [])>}"));
      ntpac_record_builder_add_string (b, "empty_string", "", 0);

      g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&g, "{sv}", "ts", g_variant_new_int64 (-1709251200003465000));
      g_variant_builder_add (&g, "{sv}", "transport", g_variant_new_string ("tcp"));
      g_variant_builder_add (&g, "{sv}", "sport", g_variant_new_uint16 (55665));
      g_variant_builder_add (&g, "{sv}", "input", g_variant_new_uint32 (7));
      g_variant_builder_add (&g, "{sv}", "size", g_variant_new_uint64 (G_MAXUINT64));
      g_variant_builder_add (&g, "{sv}", "complete", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&g, "{sv}", "frames",
                             g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, frames, G_N_ELEMENTS (frames),
                                                        sizeof frames[0]));
      g_variant_builder_add (&g, "{sv}", "informational",
                             g_variant_new_fixed_array (G_VARIANT_TYPE_UINT16, informational,
                                                        G_N_ELEMENTS (informational), sizeof informational[0]));
      g_variant_builder_add (&g, "{sv}", "empty", g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, NULL, 0, 8));
      g_variant_builder_init (&pairs, G_VARIANT_TYPE ("a(ss)"));
      g_variant_builder_add (&pairs, "(ss)", "Host", "www.example.com");
      g_variant_builder_add (&pairs, "(ss)", "Accept-Encoding", "gzip, deflate");
      g_variant_builder_add (&pairs, "(ss)", "", "");
      g_variant_builder_add (&g, "{sv}", "request_headers", g_variant_builder_end (&pairs));
      g_variant_builder_add (&g, "{sv}", "no_headers", g_variant_new_array (G_VARIANT_TYPE ("(ss)"), NULL, 0));
      g_variant_builder_add (&g, "{sv}", "nested",
                             g_variant_new_parsed ("{'a': <[byte 1, 2]>, 'b': <('x', @au [])>}"));
      g_variant_builder_add (&g, "{sv}", "empty_string", g_variant_new_string (""));

      assert_record (b, g_variant_builder_end (&g), prefix);
    }
}

/* Bytes from the wire that are not UTF-8 are stored made valid. */
static void
test_invalid_text (void)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();
  static const gchar bad[] = "caf\xe9 \xff\xfe ok";
  g_autofree gchar *valid = g_utf8_make_valid (bad, sizeof bad - 1);
  GVariantBuilder g;

  ntpac_record_builder_add_string (b, "uri", bad, sizeof bad - 1);
  ntpac_record_builder_open_pairs (b, "headers");
  ntpac_record_builder_add_pair (b, bad, sizeof bad - 1, "x", 1);
  ntpac_record_builder_close_pairs (b);

  g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&g, "{sv}", "uri", g_variant_new_string (valid));
  g_variant_builder_add (&g, "{sv}", "headers", g_variant_new_parsed ("[(%s, 'x')]", valid));
  assert_record (b, g_variant_builder_end (&g), 1);
}

/* add_fields() copies an a{sv}; append() puts one record's fields after
 * another's, as the core puts the common fields before a dissector's. */
static void
test_fields_and_append (void)
{
  g_autoptr(NtpacRecordBuilder) common = ntpac_record_builder_new ();
  g_autoptr(NtpacRecordBuilder) fields = ntpac_record_builder_new ();
  g_autoptr(GVariant) given = g_variant_ref_sink (g_variant_new_parsed (
    "{'qname': <'example.com'>, 'answers': <[{'type': <'A'>, 'ttl': <uint32 300>}]>, 'rcode': <uint16 3>}"));
  GVariantBuilder g;
  GVariantIter it;
  GVariant *entry;

  ntpac_record_builder_add_string (common, "src", "192.0.2.1", -1);
  ntpac_record_builder_add_fields (fields, g_variant_ref (given));
  ntpac_record_builder_append (common, fields);
  ntpac_record_builder_add_string (common, "dissector", "dns", -1);

  g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&g, "{sv}", "src", g_variant_new_string ("192.0.2.1"));
  g_variant_iter_init (&it, given);
  while ((entry = g_variant_iter_next_value (&it)) != NULL)
    g_variant_builder_add_value (&g, entry), g_variant_unref (entry);
  g_variant_builder_add (&g, "{sv}", "dissector", g_variant_new_string ("dns"));
  assert_record (common, g_variant_builder_end (&g), 1);

  /* an empty record is the empty array */
  assert_record (common, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0), 0);
}

/* Records past 255 and 65535 bytes take wider framing offsets. */
static void
test_large_records (void)
{
  static const gsize sizes[] = { 200, 240, 250, 300, 65000, 65500, 70000 };
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (guint fields = 1; fields < 4; fields++)
      {
        g_autofree gchar *text = g_strnfill (sizes[i], 'a');
        GVariantBuilder g;

        g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
        for (guint f = 0; f < fields; f++)
          {
            g_autofree gchar *key = g_strdup_printf ("k%u", f);

            ntpac_record_builder_add_string (b, key, text, -1);
            g_variant_builder_add (&g, "{sv}", key, g_variant_new_string (text));
          }
        assert_record (b, g_variant_builder_end (&g), 1);
      }
}

/* Records inside records: lists of them, one as a field, lists of
 * strings, at any depth, as a DNS message's sections and EDNS are. */
static void
test_nested (void)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();
  static const gchar *const flags[] = { "rd", "ra" };

  for (guint prefix = 0; prefix < 3; prefix++)
    {
      GVariantBuilder g, list, item, options;

      ntpac_record_builder_add_uint16 (b, "id", 4660);
      ntpac_record_builder_open_strings (b, "flags");
      for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
        ntpac_record_builder_add_item_string (b, flags[i], -1);
      ntpac_record_builder_close_strings (b);
      ntpac_record_builder_open_strings (b, "no_flags");
      ntpac_record_builder_close_strings (b);
      ntpac_record_builder_open_list (b, "answers");
      for (guint i = 0; i < 3; i++)
        {
          ntpac_record_builder_open_item (b);
          if (i < 2)
            {
              ntpac_record_builder_add_string (b, "name", "www.example.com", -1);
              ntpac_record_builder_add_uint32 (b, "ttl", 300 + i);
              ntpac_record_builder_add_value (b, "extra", g_variant_new_parsed ("[byte 1, 2]"));
            }
          if (i == 1)
            ntpac_record_builder_add_fields (b, g_variant_new_parsed ("{'data': <'192.0.2.1'>}"));
          ntpac_record_builder_close_item (b);
        }
      ntpac_record_builder_close_list (b);
      ntpac_record_builder_open_list (b, "empty");
      ntpac_record_builder_close_list (b);
      ntpac_record_builder_open_fields (b, "edns");
      ntpac_record_builder_add_byte (b, "version", 0);
      ntpac_record_builder_add_boolean (b, "do", TRUE);
      ntpac_record_builder_open_list (b, "options");
      ntpac_record_builder_open_item (b);
      ntpac_record_builder_add_uint16 (b, "code", 10);
      ntpac_record_builder_open_pairs (b, "pairs");
      ntpac_record_builder_add_pair (b, "a", -1, "b", -1);
      ntpac_record_builder_close_pairs (b);
      ntpac_record_builder_close_item (b);
      ntpac_record_builder_close_list (b);
      ntpac_record_builder_close_fields (b);
      ntpac_record_builder_add_boolean (b, "complete", TRUE);

      g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&g, "{sv}", "id", g_variant_new_uint16 (4660));
      g_variant_builder_add (&g, "{sv}", "flags", g_variant_new_strv (flags, G_N_ELEMENTS (flags)));
      g_variant_builder_add (&g, "{sv}", "no_flags", g_variant_new_strv (NULL, 0));
      g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < 3; i++)
        {
          g_variant_builder_init (&item, G_VARIANT_TYPE_VARDICT);
          if (i < 2)
            {
              g_variant_builder_add (&item, "{sv}", "name", g_variant_new_string ("www.example.com"));
              g_variant_builder_add (&item, "{sv}", "ttl", g_variant_new_uint32 (300 + i));
              g_variant_builder_add (&item, "{sv}", "extra", g_variant_new_parsed ("[byte 1, 2]"));
            }
          if (i == 1)
            g_variant_builder_add (&item, "{sv}", "data", g_variant_new_string ("192.0.2.1"));
          g_variant_builder_add_value (&list, g_variant_builder_end (&item));
        }
      g_variant_builder_add (&g, "{sv}", "answers", g_variant_builder_end (&list));
      g_variant_builder_add (&g, "{sv}", "empty", g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0));
      g_variant_builder_init (&item, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&item, "{sv}", "version", g_variant_new_byte (0));
      g_variant_builder_add (&item, "{sv}", "do", g_variant_new_boolean (TRUE));
      g_variant_builder_init (&options, G_VARIANT_TYPE ("aa{sv}"));
      g_variant_builder_add_parsed (&options, "{'code': <@q 10>, 'pairs': <[('a', 'b')]>}");
      g_variant_builder_add (&item, "{sv}", "options", g_variant_builder_end (&options));
      g_variant_builder_add (&g, "{sv}", "edns", g_variant_builder_end (&item));
      g_variant_builder_add (&g, "{sv}", "complete", g_variant_new_boolean (TRUE));

      assert_record (b, g_variant_builder_end (&g), prefix);
    }
}

/* A field given with a wrong type is reported and left out; the record
 * stays valid. */
static void
test_refused_field (void)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();
  static const guint64 numbers[] = { 1, 2 };
  GVariantBuilder g;

  ntpac_record_builder_add_string (b, "before", "kept", -1);
  g_test_expect_message ("ntpac", G_LOG_LEVEL_CRITICAL, "*");
  ntpac_record_builder_add_fixed_array (b, "bad", "z", numbers, 2, sizeof numbers[0]);
  g_test_assert_expected_messages ();
  ntpac_record_builder_add_uint64 (b, "after", 7);

  g_variant_builder_init (&g, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&g, "{sv}", "before", g_variant_new_string ("kept"));
  g_variant_builder_add (&g, "{sv}", "after", g_variant_new_uint64 (7));
  assert_record (b, g_variant_builder_end (&g), 1);
}

/* A record from the builder reads back as the same value. */
static void
test_end_variant (void)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();
  g_autoptr(GVariant) record = NULL;
  const gchar *method = NULL;
  guint16 status = 0;

  ntpac_record_builder_add_string (b, "method", "GET", -1);
  ntpac_record_builder_add_uint16 (b, "status", 200);
  record = g_variant_ref_sink (ntpac_record_builder_end (b));
  g_assert_true (g_variant_lookup (record, "method", "&s", &method));
  g_assert_cmpstr (method, ==, "GET");
  g_assert_true (g_variant_lookup (record, "status", "q", &status));
  g_assert_cmpuint (status, ==, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record-builder/every-field", test_every_field);
  g_test_add_func ("/record-builder/invalid-text", test_invalid_text);
  g_test_add_func ("/record-builder/fields-and-append", test_fields_and_append);
  g_test_add_func ("/record-builder/large", test_large_records);
  g_test_add_func ("/record-builder/nested", test_nested);
  g_test_add_func ("/record-builder/refused-field", test_refused_field);
  g_test_add_func ("/record-builder/end-variant", test_end_variant);
  return g_test_run ();
}
