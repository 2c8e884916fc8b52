/* tls-test-builder.c: TLS handshake bytes and X.509 certificates for the
 * TLS parser's tests and fuzz corpus
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "tls-test-builder.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

void
tb_put_u8 (GByteArray *out,
           guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

void
tb_put_u16 (GByteArray *out,
            guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (out, bytes, 2);
}

void
tb_put_u24 (GByteArray *out,
            guint32     value)
{
  guint8 bytes[3] = { (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, bytes, 3);
}

void
tb_put_bytes (GByteArray    *out,
              gconstpointer  data,
              gsize          len)
{
  g_byte_array_append (out, data, len);
}

gsize
tb_begin (GByteArray *out,
          guint       width)
{
  static const guint8 zeros[4] = { 0 };
  gsize mark = out->len;

  g_assert_cmpuint (width, <=, 4);
  g_byte_array_append (out, zeros, width);
  return mark;
}

void
tb_end (GByteArray *out,
        gsize       mark,
        guint       width)
{
  gsize len = out->len - mark - width;

  g_assert_cmpuint (len >> (8 * width), ==, 0);
  for (guint i = 0; i < width; i++)
    out->data[mark + i] = (len >> (8 * (width - 1 - i))) & 0xff;
}

void
tb_ext_raw (GByteArray    *exts,
            guint16        type,
            gconstpointer  data,
            gsize          len)
{
  tb_put_u16 (exts, type);
  tb_put_u16 (exts, len);
  tb_put_bytes (exts, data, len);
}

void
tb_ext_server_name (GByteArray  *exts,
                    const gchar *name)
{
  gsize ext, list;

  tb_put_u16 (exts, 0x0000);
  ext = tb_begin (exts, 2);
  list = tb_begin (exts, 2);
  tb_put_u8 (exts, 0);  /* host_name */
  tb_put_u16 (exts, strlen (name));
  tb_put_bytes (exts, name, strlen (name));
  tb_end (exts, list, 2);
  tb_end (exts, ext, 2);
}

void
tb_ext_alpn (GByteArray         *exts,
             const gchar *const *protocols)
{
  gsize ext, list;

  tb_put_u16 (exts, 0x0010);
  ext = tb_begin (exts, 2);
  list = tb_begin (exts, 2);
  for (guint i = 0; protocols[i] != NULL; i++)
    {
      tb_put_u8 (exts, strlen (protocols[i]));
      tb_put_bytes (exts, protocols[i], strlen (protocols[i]));
    }
  tb_end (exts, list, 2);
  tb_end (exts, ext, 2);
}

void
tb_ext_u16_list (GByteArray    *exts,
                 guint16        type,
                 guint          length_width,
                 const guint16 *values,
                 guint          n_values)
{
  gsize ext, list;

  tb_put_u16 (exts, type);
  ext = tb_begin (exts, 2);
  list = tb_begin (exts, length_width);
  for (guint i = 0; i < n_values; i++)
    tb_put_u16 (exts, values[i]);
  tb_end (exts, list, length_width);
  tb_end (exts, ext, 2);
}

void
tb_ext_point_formats (GByteArray   *exts,
                      const guint8 *formats,
                      guint         n_formats)
{
  gsize ext = 0;

  tb_put_u16 (exts, 0x000b);
  ext = tb_begin (exts, 2);
  tb_put_u8 (exts, n_formats);
  tb_put_bytes (exts, formats, n_formats);
  tb_end (exts, ext, 2);
}

GByteArray *
tb_message (guint8        type,
            const guint8 *body,
            gsize         len)
{
  GByteArray *out = g_byte_array_new ();

  tb_put_u8 (out, type);
  tb_put_u24 (out, len);
  tb_put_bytes (out, body, len);
  return out;
}

/* Random and session id bytes: fixed, so that files are reproducible. */
static void
put_random_and_session (GByteArray   *out,
                        const guint8 *random)
{
  guint8 session_id[32];

  if (random != NULL)
    tb_put_bytes (out, random, 32);
  else
    for (guint i = 0; i < 32; i++)
      tb_put_u8 (out, 0x40 + i);
  for (guint i = 0; i < sizeof session_id; i++)
    session_id[i] = 0x80 + i;
  tb_put_u8 (out, sizeof session_id);
  tb_put_bytes (out, session_id, sizeof session_id);
}

GByteArray *
tb_client_hello (guint16        version,
                 const guint16 *ciphers,
                 guint          n_ciphers,
                 GByteArray    *exts)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize list;

  tb_put_u16 (body, version);
  put_random_and_session (body, NULL);
  list = tb_begin (body, 2);
  for (guint i = 0; i < n_ciphers; i++)
    tb_put_u16 (body, ciphers[i]);
  tb_end (body, list, 2);
  tb_put_u8 (body, 1);  /* compression methods: null */
  tb_put_u8 (body, 0);
  if (exts != NULL)
    {
      tb_put_u16 (body, exts->len);
      tb_put_bytes (body, exts->data, exts->len);
    }
  return tb_message (TB_HANDSHAKE_CLIENT_HELLO, body->data, body->len);
}

/* A DTLS ClientHello (RFC 6347 §4.2.1), with a TLS handshake header. */
GByteArray *
tb_dtls_client_hello (guint16        version,
                      const guint8  *cookie,
                      guint8         cookie_len,
                      const guint16 *ciphers,
                      guint          n_ciphers,
                      GByteArray    *exts)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize list;

  tb_put_u16 (body, version);
  put_random_and_session (body, NULL);
  tb_put_u8 (body, cookie_len);
  tb_put_bytes (body, cookie, cookie_len);
  list = tb_begin (body, 2);
  for (guint i = 0; i < n_ciphers; i++)
    tb_put_u16 (body, ciphers[i]);
  tb_end (body, list, 2);
  tb_put_u8 (body, 1);
  tb_put_u8 (body, 0);
  if (exts != NULL)
    {
      tb_put_u16 (body, exts->len);
      tb_put_bytes (body, exts->data, exts->len);
    }
  return tb_message (TB_HANDSHAKE_CLIENT_HELLO, body->data, body->len);
}

/* One DTLS handshake fragment (RFC 6347 §4.2.2) of @message (a message
 * with its 4-byte TLS header): bytes @offset to @offset + @length of its
 * body, under the 12-byte DTLS header with @message_seq. */
GByteArray *
tb_dtls_fragment (const GByteArray *message,
                  guint16           message_seq,
                  gsize             offset,
                  gsize             length)
{
  GByteArray *out = g_byte_array_new ();
  gsize body_len = message->len - 4;

  g_assert (offset + length <= body_len);
  tb_put_u8 (out, message->data[0]);
  tb_put_u24 (out, body_len);
  tb_put_u16 (out, message_seq);
  tb_put_u24 (out, offset);
  tb_put_u24 (out, length);
  tb_put_bytes (out, message->data + 4 + offset, length);
  return out;
}

/* A DTLS record (RFC 6347 §4.1): 13-byte header, then @data. */
void
tb_dtls_record (GByteArray   *out,
                guint8        type,
                guint16       version,
                guint16       epoch,
                guint64       sequence,
                const guint8 *data,
                gsize         len)
{
  tb_put_u8 (out, type);
  tb_put_u16 (out, version);
  tb_put_u16 (out, epoch);
  tb_put_u16 (out, (sequence >> 32) & 0xffff);
  tb_put_u16 (out, (sequence >> 16) & 0xffff);
  tb_put_u16 (out, sequence & 0xffff);
  tb_put_u16 (out, len);
  tb_put_bytes (out, data, len);
}

GByteArray *
tb_server_hello (guint16  version,
                 guint16  cipher,
                 guint16  selected_version,
                 gboolean hello_retry)
{
  /* SHA-256 ("HelloRetryRequest"), RFC 8446 §4.1.3 */
  static const guint8 retry_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
    0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
    0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
  };
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize exts;

  tb_put_u16 (body, version);
  put_random_and_session (body, hello_retry ? retry_random : NULL);
  tb_put_u16 (body, cipher);
  tb_put_u8 (body, 0);
  exts = tb_begin (body, 2);
  tb_put_u16 (body, 0xff01);  /* renegotiation_info, empty */
  tb_put_u16 (body, 1);
  tb_put_u8 (body, 0);
  if (selected_version != 0)
    {
      tb_put_u16 (body, 0x002b);
      tb_put_u16 (body, 2);
      tb_put_u16 (body, selected_version);
    }
  tb_end (body, exts, 2);
  return tb_message (TB_HANDSHAKE_SERVER_HELLO, body->data, body->len);
}

GByteArray *
tb_certificate (GBytes *const *ders,
                guint          n_ders)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize list = tb_begin (body, 3);

  for (guint i = 0; i < n_ders; i++)
    {
      gsize len;
      const guint8 *der = g_bytes_get_data (ders[i], &len);

      tb_put_u24 (body, len);
      tb_put_bytes (body, der, len);
    }
  tb_end (body, list, 3);
  return tb_message (TB_HANDSHAKE_CERTIFICATE, body->data, body->len);
}

/* RFC 5246 Appendix E.2, with three cipher specs and a 16-byte
 * challenge. */
GByteArray *
tb_sslv2_client_hello (guint16 version)
{
  static const guint8 specs[9] = {
    0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80,
  };
  GByteArray *out = g_byte_array_new ();
  gsize len = 9 + sizeof specs + 16;

  tb_put_u8 (out, 0x80 | (len >> 8));
  tb_put_u8 (out, len & 0xff);
  tb_put_u8 (out, 1);
  tb_put_u16 (out, version);
  tb_put_u16 (out, sizeof specs);
  tb_put_u16 (out, 0);
  tb_put_u16 (out, 16);
  tb_put_bytes (out, specs, sizeof specs);
  for (guint i = 0; i < 16; i++)
    tb_put_u8 (out, 0xc0 + i);
  return out;
}

void
tb_record (GByteArray   *out,
           guint8        type,
           const guint8 *data,
           gsize         len)
{
  g_assert_cmpuint (len, <=, G_MAXUINT16);
  tb_put_u8 (out, type);
  tb_put_u16 (out, 0x0303);
  tb_put_u16 (out, len);
  tb_put_bytes (out, data, len);
}

void
tb_records (GByteArray   *out,
            guint8        type,
            const guint8 *data,
            gsize         len,
            gsize         max_fragment)
{
  g_assert_cmpuint (max_fragment, >, 0);
  for (gsize offset = 0; offset < len; offset += max_fragment)
    tb_record (out, type, data + offset, MIN (max_fragment, len - offset));
}

/* An Ed25519 key from a fixed seed: signatures, hence certificates, are
 * the same on every run. */
EVP_PKEY *
tb_key (guint8 seed)
{
  guint8 secret[32];
  EVP_PKEY *key;

  for (guint i = 0; i < sizeof secret; i++)
    secret[i] = seed + i * 7;
  key = EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, secret, sizeof secret);
  g_assert_nonnull (key);
  return key;
}

X509 *
tb_make_certificate (const TbCertSpec *spec,
                     EVP_PKEY         *key,
                     X509             *issuer,
                     EVP_PKEY         *issuer_key)
{
  X509 *cert = X509_new ();
  BIGNUM *serial = NULL;
  X509_NAME *subject = X509_get_subject_name (cert);
  X509V3_CTX ctx;

  g_assert_cmpint (BN_hex2bn (&serial, spec->serial_hex), >, 0);
  g_assert_cmpint (X509_set_version (cert, 2), ==, 1);
  g_assert_nonnull (BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)));
  BN_free (serial);
  for (guint i = 0; spec->subject[i] != NULL; i += 2)
    g_assert_cmpint (X509_NAME_add_entry_by_txt (subject, spec->subject[i], MBSTRING_UTF8,
                                                 (const guchar *) spec->subject[i + 1],
                                                 -1, -1, 0), ==, 1);
  g_assert_cmpint (X509_set_issuer_name (cert, issuer != NULL ?
                                         X509_get_subject_name (issuer) : subject), ==, 1);
  g_assert_nonnull (ASN1_TIME_set (X509_getm_notBefore (cert), spec->not_before));
  g_assert_nonnull (ASN1_TIME_set (X509_getm_notAfter (cert), spec->not_after));
  g_assert_cmpint (X509_set_pubkey (cert, key), ==, 1);
  if (spec->subject_alt_name != NULL)
    {
      X509_EXTENSION *ext;

      X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
      ext = X509V3_EXT_conf_nid (NULL, &ctx, NID_subject_alt_name,
                                 spec->subject_alt_name);
      g_assert_nonnull (ext);
      g_assert_cmpint (X509_add_ext (cert, ext, -1), ==, 1);
      X509_EXTENSION_free (ext);
    }
  /* Ed25519 takes no separate digest. */
  g_assert_cmpint (X509_sign (cert, issuer_key, NULL), >, 0);
  return cert;
}

GBytes *
tb_certificate_der (X509 *cert)
{
  guint8 *der = NULL;
  int len = i2d_X509 (cert, &der);
  GBytes *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}
