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

/* A header: the message's id, flags and the four section counts. */
GByteArray *
dns_message_new (guint16 id,
                 guint16 flags,
                 guint16 qd,
                 guint16 an,
                 guint16 ns,
                 guint16 ar)
{
  GByteArray *m = g_byte_array_new ();

  dns_put_u16 (m, id);
  dns_put_u16 (m, flags);
  dns_put_u16 (m, qd);
  dns_put_u16 (m, an);
  dns_put_u16 (m, ns);
  dns_put_u16 (m, ar);
  return m;
}

void
dns_put_question (GByteArray  *m,
                  const gchar *name,
                  guint16      type,
                  guint16      klass)
{
  dns_put_name (m, name);
  dns_put_u16 (m, type);
  dns_put_u16 (m, klass);
}

/* A record's fixed fields after its owner name, with an RDLENGTH that
 * dns_rr_end() fills in; returns where the data starts. */
gsize
dns_rr_begin (GByteArray *m,
              guint16     type,
              guint16     klass,
              guint32     ttl)
{
  dns_put_u16 (m, type);
  dns_put_u16 (m, klass);
  dns_put_u32 (m, ttl);
  dns_put_u16 (m, 0);
  return m->len;
}

void
dns_rr_end (GByteArray *m,
            gsize       start)
{
  gsize len = m->len - start;

  m->data[start - 2] = (guint8) (len >> 8);
  m->data[start - 1] = (guint8) len;
}

/* A NetBIOS name (RFC 1001 §14.1): @name padded with spaces to 15 bytes
 * (with NULs for "*"), @suffix, each half-byte as a letter from 'A', as
 * one 32-byte label; then the labels of @scope (nullable) and the root. */
void
dns_put_netbios_name (GByteArray  *m,
                      const gchar *name,
                      guint8       suffix,
                      const gchar *scope)
{
  guint8 raw[16];
  gchar encoded[33];
  gsize n = MIN (strlen (name), 15u);

  memset (raw, g_str_equal (name, "*") ? 0 : ' ', sizeof raw);
  memcpy (raw, name, n);
  raw[15] = suffix;
  for (guint i = 0; i < 16; i++)
    {
      encoded[2 * i] = (gchar) ('A' + (raw[i] >> 4));
      encoded[2 * i + 1] = (gchar) ('A' + (raw[i] & 0xf));
    }
  encoded[32] = '\0';
  dns_put_label (m, encoded);
  if (scope != NULL)
    dns_put_labels (m, scope);
  dns_put_u8 (m, 0);
}
