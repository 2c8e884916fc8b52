/* dns-test-writer.h: DNS messages written byte by byte, for the tests and
 * the fuzz corpus
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void dns_put_u8     (GByteArray  *m,
                     guint8       v);
void dns_put_u16    (GByteArray  *m,
                     guint16      v);
void dns_put_u32    (GByteArray  *m,
                     guint32      v);
void dns_put_bytes  (GByteArray  *m,
                     const void  *bytes,
                     gsize        len);
void dns_put_label  (GByteArray  *m,
                     const gchar *label);
void dns_put_labels (GByteArray  *m,
                     const gchar *dotted);
void dns_put_ptr    (GByteArray  *m,
                     gsize        offset);
void dns_put_name   (GByteArray  *m,
                     const gchar *dotted);
void dns_put_name_to (GByteArray  *m,
                      const gchar *dotted,
                      guint16      ptr);

void dns_put_netbios_name (GByteArray  *m,
                           const gchar *name,
                           guint8       suffix,
                           const gchar *scope);

GByteArray *dns_message_new  (guint16      id,
                              guint16      flags,
                              guint16      qd,
                              guint16      an,
                              guint16      ns,
                              guint16      ar);
void        dns_put_question (GByteArray  *m,
                              const gchar *name,
                              guint16      type,
                              guint16      klass);
gsize       dns_rr_begin     (GByteArray  *m,
                              guint16      type,
                              guint16      klass,
                              guint32      ttl);
void        dns_rr_end       (GByteArray  *m,
                              gsize        start);

G_END_DECLS
