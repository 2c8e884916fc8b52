/* tls-test-builder.h: TLS handshake bytes and X.509 certificates for the
 * TLS parser's tests and fuzz corpus
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

#define TB_CONTENT_CHANGE_CIPHER_SPEC 20
#define TB_CONTENT_ALERT 21
#define TB_CONTENT_HANDSHAKE 22
#define TB_CONTENT_APPLICATION_DATA 23

#define TB_HANDSHAKE_CLIENT_HELLO 1
#define TB_HANDSHAKE_SERVER_HELLO 2
#define TB_HANDSHAKE_CERTIFICATE 11
#define TB_HANDSHAKE_SERVER_HELLO_DONE 14

/* Big-endian writers; tb_begin() reserves a length of @width bytes that
 * tb_end() fills with what was written since. */
void        tb_put_u8            (GByteArray         *out,
                                  guint8              value);
void        tb_put_u16           (GByteArray         *out,
                                  guint16             value);
void        tb_put_u24           (GByteArray         *out,
                                  guint32             value);
void        tb_put_bytes         (GByteArray         *out,
                                  gconstpointer       data,
                                  gsize               len);
gsize       tb_begin             (GByteArray         *out,
                                  guint               width);
void        tb_end               (GByteArray         *out,
                                  gsize               mark,
                                  guint               width);

/* Hello extensions, appended to @exts in the order of the calls. */
void        tb_ext_raw           (GByteArray         *exts,
                                  guint16             type,
                                  gconstpointer       data,
                                  gsize               len);
void        tb_ext_server_name   (GByteArray         *exts,
                                  const gchar        *name);
void        tb_ext_alpn          (GByteArray         *exts,
                                  const gchar *const *protocols);
void        tb_ext_u16_list      (GByteArray         *exts,
                                  guint16             type,
                                  guint               length_width,
                                  const guint16      *values,
                                  guint               n_values);
void        tb_ext_point_formats (GByteArray         *exts,
                                  const guint8       *formats,
                                  guint               n_formats);

/* Handshake messages, header included. @exts NULL leaves out the
 * extensions block. */
GByteArray *tb_message           (guint8              type,
                                  const guint8       *body,
                                  gsize               len);
GByteArray *tb_client_hello      (guint16             version,
                                  const guint16      *ciphers,
                                  guint               n_ciphers,
                                  GByteArray         *exts);
GByteArray *tb_server_hello      (guint16             version,
                                  guint16             cipher,
                                  guint16             selected_version,
                                  gboolean            hello_retry);
GByteArray *tb_certificate       (GBytes *const      *ders,
                                  guint               n_ders);
GByteArray *tb_sslv2_client_hello (guint16            version);

/* DTLS: a ClientHello with a cookie (TLS header), a fragment of a
 * message under the DTLS handshake header, a record. */
GByteArray *tb_dtls_client_hello (guint16             version,
                                  const guint8       *cookie,
                                  guint8              cookie_len,
                                  const guint16      *ciphers,
                                  guint               n_ciphers,
                                  GByteArray         *exts);
GByteArray *tb_dtls_fragment     (const GByteArray   *message,
                                  guint16             message_seq,
                                  gsize               offset,
                                  gsize               length);
void        tb_dtls_record       (GByteArray         *out,
                                  guint8              type,
                                  guint16             version,
                                  guint16             epoch,
                                  guint64             sequence,
                                  const guint8       *data,
                                  gsize               len);

void        tb_records           (GByteArray         *out,
                                  guint8              type,
                                  const guint8       *data,
                                  gsize               len,
                                  gsize               max_fragment);
void        tb_record            (GByteArray         *out,
                                  guint8              type,
                                  const guint8       *data,
                                  gsize               len);

/**
 * TbCertSpec:
 * @subject: (array zero-terminated=1): field, value pairs, most general
 *   first ("O", "Example Org", "CN", "example.com", NULL)
 * @serial_hex: serial number in hex
 * @not_before: Unix seconds
 * @not_after: Unix seconds
 * @subject_alt_name: X509V3 configuration ("DNS:a.example,IP:192.0.2.1"),
 *   or %NULL for none
 *
 * A certificate the tests make.
 */
typedef struct
{
  const gchar *const *subject;
  const gchar *serial_hex;
  gint64 not_before;
  gint64 not_after;
  const gchar *subject_alt_name;
} TbCertSpec;

EVP_PKEY   *tb_key               (guint8              seed);
X509       *tb_make_certificate  (const TbCertSpec   *spec,
                                  EVP_PKEY           *key,
                                  X509               *issuer,
                                  EVP_PKEY           *issuer_key);
GBytes     *tb_certificate_der   (X509               *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

G_END_DECLS
