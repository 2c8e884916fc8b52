/* fuzz-x509.c: libFuzzer target for the X.509 wrapper
 *
 * The input is given to ntpac_tls_certificate_describe() as one DER
 * certificate. Whatever OpenSSL makes of it, the description must be an
 * a{sv} of valid strings (a critical, such as invalid UTF-8 reaching a
 * GVariant, is fatal) with the SHA-256 of the input, and nothing but that
 * for bytes that are not exactly one certificate.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "ntpac-tls-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GVariant) description = NULL;
  g_autofree gchar *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  const gchar *described = NULL;
  gboolean parsed = TRUE;
  GVariantIter it;
  const gchar *key;
  GVariant *value;

  description = g_variant_ref_sink (ntpac_tls_certificate_describe (size > 0 ? data : NULL,
                                                                     size, &parsed));
  g_assert_true (g_variant_is_of_type (description, G_VARIANT_TYPE_VARDICT));
  g_assert_true (g_variant_lookup (description, "sha256", "&s", &described));
  g_assert_cmpstr (described, ==, sha256);
  if (!parsed)
    g_assert_cmpuint (g_variant_n_children (description), ==, 1);

  g_variant_iter_init (&it, description);
  while (g_variant_iter_loop (&it, "{&sv}", &key, &value))
    {
      if (g_str_equal (key, "san"))
        g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY));
      else
        g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING));
    }
  return 0;
}
