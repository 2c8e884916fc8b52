/* dns-test-writer.c: DNS messages written byte by byte, for the tests and
 * the fuzz corpus
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "dns-test-writer.h"

void
dns_put_u8 (GByteArray *m,
            guint8      v)
{
  g_byte_array_append (m, &v, 1);
}

void
dns_put_u16 (GByteArray *m,
             guint16     v)
{
  guint8 b[2] = { (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (m, b, 2);
}

void
dns_put_u32 (GByteArray *m,
             guint32     v)
{
  dns_put_u16 (m, (guint16) (v >> 16));
  dns_put_u16 (m, (guint16) v);
}

void
dns_put_bytes (GByteArray *m,
               const void *bytes,
               gsize       len)
{
  g_byte_array_append (m, bytes, (guint) len);
}

/* One label: its length byte, then its bytes. */
void
dns_put_label (GByteArray  *m,
               const gchar *label)
{
  dns_put_u8 (m, (guint8) strlen (label));
  dns_put_bytes (m, label, strlen (label));
}

/* The labels of a dotted name, without the root (empty labels skipped). */
void
dns_put_labels (GByteArray  *m,
                const gchar *dotted)
{
  g_auto(GStrv) labels = g_strsplit (dotted, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    if (labels[i][0] != '\0')
      dns_put_label (m, labels[i]);
}

/* A compression pointer to @offset. */
void
dns_put_ptr (GByteArray *m,
             gsize       offset)
{
  dns_put_u16 (m, (guint16) (0xc000 | offset));
}

/* A whole name ("." or "" is the root). */
void
dns_put_name (GByteArray  *m,
              const gchar *dotted)
{
  dns_put_labels (m, dotted);
  dns_put_u8 (m, 0);
}

/* Labels, then a pointer to @ptr (the root when @ptr is 0). */
void
dns_put_name_to (GByteArray  *m,
                 const gchar *dotted,
                 guint16      ptr)
{
  dns_put_labels (m, dotted);
  if (ptr != 0)
    dns_put_ptr (m, ptr);
  else
    dns_put_u8 (m, 0);
}
