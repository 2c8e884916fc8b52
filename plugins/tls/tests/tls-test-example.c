/* tls-test-example.c: the handshake the TLS tests share: the JA4
 * specification's example ClientHello and a three-certificate chain
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "tls-test-example.h"
#include "tls-test-builder.h"

static const guint16 spec_ciphers[] = {
  GREASE_A, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
  0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
};
static const guint16 spec_groups[] = { GREASE_E, 0x001d, 0x0017, 0x0018 };
const guint16 tb_spec_signature_algorithms[8] = {
  0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};
const guint16 tb_spec_versions[3] = { GREASE_D, 0x0304, 0x0303 };
const guint8 tb_uncompressed[1] = { 0 };
const gchar *const tb_h2_http11[3] = { "h2", "http/1.1", NULL };

/* key_share: GREASE's one-byte key, then X25519's. */
void
tb_ext_key_share (GByteArray *exts)
{
  gsize ext, list;

  tb_put_u16 (exts, 0x0033);
  ext = tb_begin (exts, 2);
  list = tb_begin (exts, 2);
  tb_put_u16 (exts, GREASE_B);
  tb_put_u16 (exts, 1);
  tb_put_u8 (exts, 0);
  tb_put_u16 (exts, 0x001d);
  tb_put_u16 (exts, 32);
  for (guint i = 0; i < 32; i++)
    tb_put_u8 (exts, i * 3);
  tb_end (exts, list, 2);
  tb_end (exts, ext, 2);
}

/* The ClientHello of the JA4 specification's example (technical_details/
 * JA4.md): its ciphers and extensions in their original order ("JA4_ro"),
 * GREASE added first and last as browsers do. @signature_algorithms FALSE
 * sends signature_algorithms with an empty list. @extra adds an extension
 * (type 0x002c, cookie) before the last GREASE one. */
GByteArray *
tb_spec_client_hello (gboolean signature_algorithms,
                      gboolean extra)
{
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  static const guint8 zeros[10] = { 0 };

  tb_ext_raw (exts, GREASE_C, NULL, 0);
  tb_ext_raw (exts, 0x001b, "\x02\x00\x02", 3);        /* compress_certificate */
  tb_ext_server_name (exts, "example.org");
  tb_ext_key_share (exts);
  tb_ext_alpn (exts, tb_h2_http11);
  tb_ext_raw (exts, 0x4469, "\x00\x03\x02h2", 6);      /* ALPS */
  tb_ext_raw (exts, 0x0017, NULL, 0);                  /* extended_master_secret */
  tb_ext_raw (exts, 0x002d, "\x01\x01", 2);            /* psk_key_exchange_modes */
  tb_ext_u16_list (exts, 0x000d, 2, tb_spec_signature_algorithms,
                   signature_algorithms ? G_N_ELEMENTS (tb_spec_signature_algorithms) : 0);
  tb_ext_raw (exts, 0x0005, "\x01\x00\x00\x00\x00", 5); /* status_request */
  tb_ext_raw (exts, 0x0023, NULL, 0);                  /* session_ticket */
  tb_ext_raw (exts, 0x0012, NULL, 0);                  /* signed_certificate_timestamp */
  tb_ext_u16_list (exts, 0x002b, 1, tb_spec_versions, G_N_ELEMENTS (tb_spec_versions));
  tb_ext_raw (exts, 0xff01, "\x00", 1);                /* renegotiation_info */
  tb_ext_point_formats (exts, tb_uncompressed, 1);
  tb_ext_u16_list (exts, 0x000a, 2, spec_groups, G_N_ELEMENTS (spec_groups));
  tb_ext_raw (exts, 0x0015, zeros, sizeof zeros);      /* padding */
  if (extra)
    tb_ext_raw (exts, 0x002c, "\x00\x02\xaa\xbb", 4);
  tb_ext_raw (exts, GREASE_A, "\x00", 1);
  return tb_client_hello (0x0303, spec_ciphers, G_N_ELEMENTS (spec_ciphers), exts);
}

static const gchar *const leaf_san[] = {
  "www.example.com", "*.example.com", "192.0.2.7", "2001:db8::7", NULL,
};
static const gchar *const no_san[] = { NULL };

const TbExpectedCert tb_leaf_expected = {
  "CN=B\xc3\xbc" "cher.example.com,O=Example Org",
  "CN=Example Intermediate CA,O=Example\\, Inc.,C=CZ",
  "1f2e3d4c5b6a79881234",
  "2024-03-01T00:00:00Z",
  "2025-03-01T12:34:56Z",
  leaf_san,
};
const TbExpectedCert tb_intermediate_expected = {
  "CN=Example Intermediate CA,O=Example\\, Inc.,C=CZ",
  "CN=Example Root CA",
  "0a1b2c3d4e5f",
  "2024-01-01T00:00:00Z",
  "2051-06-15T08:00:00Z",
  no_san,
};

/* The example chain, DER; the leaf's subjectAltName as tb_leaf_expected
 * says, then @extra_leaf_san (X509V3 syntax, ",DNS:a,DNS:b") if given. */
void
tb_example_chain (const gchar  *extra_leaf_san,
                  GBytes      **leaf,
                  GBytes      **intermediate)
{
  static const gchar *const root_subject[] = { "CN", "Example Root CA", NULL };
  static const gchar *const intermediate_subject[] = {
    "C", "CZ", "O", "Example, Inc.", "CN", "Example Intermediate CA", NULL,
  };
  static const gchar *const leaf_subject[] = {
    "O", "Example Org", "CN", "B\xc3\xbc" "cher.example.com", NULL,
  };
  const TbCertSpec root_spec = {
    root_subject, "01", T_2023_01_01, T_2060_01_01, NULL,
  };
  const TbCertSpec intermediate_spec = {
    intermediate_subject, "0A1B2C3D4E5F", T_2024_01_01, T_2051_06_15_08, NULL,
  };
  g_autofree gchar *san = g_strconcat ("DNS:www.example.com,DNS:*.example.com,IP:192.0.2.7,IP:2001:db8::7",
                                       extra_leaf_san, NULL);
  const TbCertSpec leaf_spec = {
    leaf_subject, "1F2E3D4C5B6A79881234", T_2024_03_01, T_2025_03_01_123456, san,
  };
  g_autoptr(EVP_PKEY) root_key = tb_key (1);
  g_autoptr(EVP_PKEY) intermediate_key = tb_key (2);
  g_autoptr(EVP_PKEY) leaf_key = tb_key (3);
  g_autoptr(X509) root = tb_make_certificate (&root_spec, root_key, NULL, root_key);
  g_autoptr(X509) intermediate_cert = tb_make_certificate (&intermediate_spec, intermediate_key,
                                                           root, root_key);
  g_autoptr(X509) leaf_cert = tb_make_certificate (&leaf_spec, leaf_key, intermediate_cert,
                                                   intermediate_key);

  *leaf = tb_certificate_der (leaf_cert);
  *intermediate = tb_certificate_der (intermediate_cert);
}
