/* fuzz-record.c: libFuzzer target for reading stored records
 *
 * A database is read back from disk, where bytes can be damaged. The
 * input is a stored value (a version byte, then a record's bytes): it is
 * decoded as `query` decodes it, read in place with the variant reader
 * and written as JSON. The same bytes are also read in place as one of
 * several types without the normal-form check, to exercise the reader on
 * bytes GLib would refuse.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-record.h"
#include "ntpac-variant-json-private.h"
#include "ntpac-variant-reader-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const gchar *const types[] = {
  "a{sv}", "(utuu)", "a(utt)", "as", "ay", "(sv)", "v", "ms", "a{sa{sv}}", "(yxtsa{sv})",
};

/* Reads every member the view has, as deep as it goes. */
static void
walk (const NtpacVariantView *view,
      guint                   depth)
{
  gsize n;

  if (depth > 32 || !ntpac_variant_view_n_children (view, &n))
    return;
  for (gsize i = 0; i < MIN (n, 256); i++)
    {
      NtpacVariantView child;

      if (ntpac_variant_view_child (view, i, &child))
        walk (&child, depth + 1);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GVariant) record = ntpac_record_decode (data, size, G_VARIANT_TYPE_VARDICT, NULL);

  if (record != NULL)
    {
      NtpacVariantView view;
      g_autofree gchar *json = NULL;

      g_assert_true (ntpac_variant_view_init (&view, record));
      walk (&view, 0);
      json = ntpac_variant_view_json (&view);
      g_assert_nonnull (json);
    }
  if (size > 1)
    {
      /* An exact-size copy: a read past it is caught by the sanitizer. */
      g_autofree guint8 *bytes = g_memdup2 (data + 1, size - 1);
      const gchar *type = types[data[0] % G_N_ELEMENTS (types)];
      NtpacVariantView view = { type, strlen (type), bytes, size - 1 };
      g_autofree gchar *json = NULL;

      walk (&view, 0);
      json = ntpac_variant_view_json (&view);
    }
  return 0;
}
