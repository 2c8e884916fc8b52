/* make-tls-corpus.c: seed inputs for fuzz-tls
 *
 * make-tls-corpus DIR   writes a few connections in fuzz-tls's input
 *                       format (fuzz-tls.h): a TLS 1.2 handshake with a
 *                       certificate chain, TLS 1.3 with a HelloRetryRequest,
 *                       a ClientHello split into small records, an
 *                       SSLv2-compatible ClientHello, a gap, and a lone
 *                       certificate for the X.509 wrapper.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz-tls.h"
#include "tls-test-builder.h"

static const guint16 ciphers[] = {
  0x3a3a, 0x1301, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0x009c, 0x002f,
};
static const guint16 signature_algorithms[] = { 0x0807, 0x0403, 0x0804, 0x0401 };
static const guint16 versions[] = { 0x2a2a, 0x0304, 0x0303 };
static const guint16 groups[] = { 0x1a1a, 0x001d, 0x0017 };
static const guint8 point_formats[] = { 0 };
static const gchar *const alpn[] = { "h2", "http/1.1", NULL };

static GByteArray *
client_hello (gboolean tls13)
{
  g_autoptr(GByteArray) exts = g_byte_array_new ();

  tb_ext_raw (exts, 0x0a0a, NULL, 0);
  tb_ext_server_name (exts, "fuzz.example.com");
  tb_ext_alpn (exts, alpn);
  tb_ext_u16_list (exts, 0x000a, 2, groups, G_N_ELEMENTS (groups));
  tb_ext_point_formats (exts, point_formats, G_N_ELEMENTS (point_formats));
  tb_ext_u16_list (exts, 0x000d, 2, signature_algorithms,
                   G_N_ELEMENTS (signature_algorithms));
  if (tls13)
    tb_ext_u16_list (exts, 0x002b, 1, versions, G_N_ELEMENTS (versions));
  return tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers), exts);
}

static void
add_message (GByteArray *out,
             GByteArray *message)
{
  tb_records (out, TB_CONTENT_HANDSHAKE, message->data, message->len, 16384);
  g_byte_array_unref (message);
}

static void
add_change_cipher_spec_and_data (GByteArray *out)
{
  tb_record (out, TB_CONTENT_CHANGE_CIPHER_SPEC, (const guint8 *) "\x01", 1);
  tb_record (out, TB_CONTENT_APPLICATION_DATA, (const guint8 *) "encrypted", 9);
}

/* A leaf and the intermediate that signed it, DER. */
static void
make_chain (GBytes **leaf_der,
            GBytes **intermediate_der)
{
  static const gchar *const intermediate_subject[] = {
    "O", "Fuzz, Inc.", "CN", "Fuzz Intermediate", NULL,
  };
  static const gchar *const leaf_subject[] = { "CN", "fuzz.example.com", NULL };
  const TbCertSpec intermediate_spec = {
    intermediate_subject, "0102", 1700000000, 2600000000, NULL,
  };
  const TbCertSpec leaf_spec = {
    leaf_subject, "7f00ff", 1700000000, 1800000000,
    "DNS:fuzz.example.com,IP:198.51.100.9,IP:2001:db8::9",
  };
  g_autoptr(EVP_PKEY) intermediate_key = tb_key (10);
  g_autoptr(EVP_PKEY) leaf_key = tb_key (11);
  g_autoptr(X509) intermediate = tb_make_certificate (&intermediate_spec,
                                                      intermediate_key, NULL,
                                                      intermediate_key);
  g_autoptr(X509) leaf = tb_make_certificate (&leaf_spec, leaf_key, intermediate,
                                              intermediate_key);

  *leaf_der = tb_certificate_der (leaf);
  *intermediate_der = tb_certificate_der (intermediate);
}

static void
save (const gchar *dir,
      const gchar *name,
      guint8       flags,
      GByteArray  *client,
      GByteArray  *server)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (client->len, <=, G_MAXUINT16);
  tb_put_u8 (input, flags);
  tb_put_u16 (input, client->len);
  tb_put_bytes (input, client->data, client->len);
  tb_put_bytes (input, server->data, server->len);
  g_assert_cmpuint (input->len, <=, 8192);  /* the fuzz test's -max_len */
  g_file_set_contents (path, (const gchar *) input->data, input->len, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GBytes) leaf = NULL;
  g_autoptr(GBytes) intermediate = NULL;
  GBytes *ders[2];

  if (argc != 2)
    {
      g_printerr ("Usage: %s DIR\n", argv[0]);
      return 2;
    }
  g_mkdir_with_parents (argv[1], 0755);
  make_chain (&leaf, &intermediate);
  ders[0] = leaf;
  ders[1] = intermediate;

  /* TLS 1.2, a chain of two, then encrypted. */
  {
    g_autoptr(GByteArray) client = g_byte_array_new ();
    g_autoptr(GByteArray) server = g_byte_array_new ();

    add_message (client, client_hello (FALSE));
    add_change_cipher_spec_and_data (client);
    add_message (server, tb_server_hello (0x0303, 0xc02b, 0, FALSE));
    add_message (server, tb_certificate (ders, 2));
    add_message (server, tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0));
    add_change_cipher_spec_and_data (server);
    save (argv[1], "tls12-chain", 2, client, server);
    save (argv[1], "tls12-chain-bytewise", FUZZ_TLS_SERVER_FIRST, client, server);
    save (argv[1], "tls12-chain-gap", 1 | FUZZ_TLS_GAP | (3 << FUZZ_TLS_GAP_SHIFT),
          client, server);
  }

  /* TLS 1.3 after a HelloRetryRequest. */
  {
    g_autoptr(GByteArray) client = g_byte_array_new ();
    g_autoptr(GByteArray) server = g_byte_array_new ();

    add_message (client, client_hello (TRUE));
    add_message (server, tb_server_hello (0x0303, 0x1301, 0x0304, TRUE));
    tb_record (server, TB_CONTENT_CHANGE_CIPHER_SPEC, (const guint8 *) "\x01", 1);
    tb_record (client, TB_CONTENT_CHANGE_CIPHER_SPEC, (const guint8 *) "\x01", 1);
    add_message (client, client_hello (TRUE));
    add_message (server, tb_server_hello (0x0303, 0x1301, 0x0304, FALSE));
    add_change_cipher_spec_and_data (server);
    tb_record (client, TB_CONTENT_APPLICATION_DATA, (const guint8 *) "finished", 8);
    save (argv[1], "tls13-hello-retry", 2, client, server);
  }

  /* A ClientHello in records of 9 bytes, then a fatal alert. */
  {
    g_autoptr(GByteArray) hello = client_hello (TRUE);
    g_autoptr(GByteArray) client = g_byte_array_new ();
    g_autoptr(GByteArray) server = g_byte_array_new ();

    tb_records (client, TB_CONTENT_HANDSHAKE, hello->data, hello->len, 9);
    tb_record (server, TB_CONTENT_ALERT, (const guint8 *) "\x02\x28", 2);
    save (argv[1], "split-records", 1, client, server);
  }

  /* SSLv2-compatible ClientHello, TLS 1.0 answer. */
  {
    g_autoptr(GByteArray) client = tb_sslv2_client_hello (0x0301);
    g_autoptr(GByteArray) server = g_byte_array_new ();

    add_message (server, tb_server_hello (0x0301, 0x002f, 0, FALSE));
    add_message (server, tb_certificate (ders, 1));
    add_message (server, tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0));
    save (argv[1], "sslv2", 3, client, server);
  }

  /* A certificate alone: the whole input goes to the X.509 wrapper. */
  {
    gsize len;
    const guint8 *der = g_bytes_get_data (leaf, &len);
    g_autofree gchar *path = g_build_filename (argv[1], "certificate", NULL);
    g_autoptr(GError) error = NULL;

    g_file_set_contents (path, (const gchar *) der, len, &error);
    g_assert_no_error (error);
  }
  return 0;
}
