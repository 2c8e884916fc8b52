/* make-dtls-corpus.c: seed inputs for fuzz-dtls
 *
 * make-dtls-corpus DIR   writes a few conversations in fuzz-dtls's input
 *                        format (fuzz-dtls.h): a DTLS 1.2 handshake with a
 *                        HelloVerifyRequest and a certificate chain in
 *                        fragments out of order, DTLS 1.3 with unified
 *                        headers, and a WebRTC flow (STUN, TURN
 *                        ChannelData, SRTP).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz-dtls.h"
#include "tls-test-builder.h"
#include "tls-test-example.h"

static const guint16 ciphers[] = { 0xc02b, 0xc02f, 0xcca9, 0x1301 };
static const guint16 groups[] = { 0x001d, 0x0017 };
static const guint16 versions[] = { 0xfefc, 0xfefd };
static const guint8 cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const gchar *const alpn[] = { "webrtc", NULL };

static GByteArray *
client_hello (gboolean dtls13,
              guint8   cookie_len)
{
  g_autoptr(GByteArray) exts = g_byte_array_new ();

  tb_ext_server_name (exts, "fuzz.example.com");
  tb_ext_alpn (exts, alpn);
  tb_ext_u16_list (exts, 0x000a, 2, groups, G_N_ELEMENTS (groups));
  tb_ext_raw (exts, 0x000e, "\x00\x02\x00\x01\x00", 5);
  if (dtls13)
    tb_ext_u16_list (exts, 0x002b, 1, versions, G_N_ELEMENTS (versions));
  return tb_dtls_client_hello (0xfefd, cookie, cookie_len, ciphers,
                               G_N_ELEMENTS (ciphers), exts);
}

static void
add_datagram (GByteArray       *input,
              gboolean          from_initiator,
              const GByteArray *datagram)
{
  tb_put_u8 (input, from_initiator ? FUZZ_DTLS_FROM_INITIATOR : 0);
  tb_put_u16 (input, datagram->len);
  tb_put_bytes (input, datagram->data, datagram->len);
}

/* A datagram of one record holding one fragment of @message. */
static void
add_fragment (GByteArray       *input,
              gboolean          from_initiator,
              const GByteArray *message,
              guint16           seq,
              gsize             offset,
              gsize             length)
{
  g_autoptr(GByteArray) fragment = tb_dtls_fragment (message, seq, offset, length);
  g_autoptr(GByteArray) datagram = g_byte_array_new ();

  tb_dtls_record (datagram, TB_CONTENT_HANDSHAKE, 0xfefd, 0, seq, fragment->data,
                  fragment->len);
  add_datagram (input, from_initiator, datagram);
}

static void
add_message (GByteArray       *input,
             gboolean          from_initiator,
             const GByteArray *message,
             guint16           seq)
{
  add_fragment (input, from_initiator, message, seq, 0, message->len - 4);
}

static void
write_input (const gchar *dir,
             const gchar *name,
             GByteArray  *input)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const gchar *) input->data, input->len, &error))
    g_error ("%s", error->message);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GByteArray) hello1 = client_hello (FALSE, 0);
  g_autoptr(GByteArray) hello2 = client_hello (FALSE, sizeof cookie);
  g_autoptr(GByteArray) hello13 = client_hello (TRUE, 0);
  g_autoptr(GByteArray) verify = NULL;
  g_autoptr(GByteArray) server_hello = tb_server_hello (0xfefd, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) server_hello13 = tb_server_hello (0xfefd, 0x1301, 0xfefc, FALSE);
  g_autoptr(GByteArray) done = tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0);
  g_autoptr(GByteArray) certificate = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) leaf = NULL;
  g_autoptr(GBytes) intermediate = NULL;
  GBytes *ders[2];

  if (argc != 2)
    g_error ("usage: make-dtls-corpus DIR");
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    g_error ("cannot create %s", argv[1]);

  tb_put_u16 (body, 0xfeff);
  tb_put_u8 (body, sizeof cookie);
  tb_put_bytes (body, cookie, sizeof cookie);
  verify = tb_message (3, body->data, body->len);
  tb_example_chain (NULL, &leaf, &intermediate);
  ders[0] = leaf;
  ders[1] = intermediate;
  certificate = tb_certificate (ders, 2);

  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    gsize cert_body = certificate->len - 4;
    g_autoptr(GByteArray) ccs = g_byte_array_new ();

    add_message (input, TRUE, hello1, 0);
    add_message (input, FALSE, verify, 0);
    add_fragment (input, TRUE, hello2, 1, 60, hello2->len - 4 - 60);
    add_fragment (input, TRUE, hello2, 1, 0, 60);
    add_message (input, FALSE, server_hello, 1);
    add_fragment (input, FALSE, certificate, 2, cert_body / 2, cert_body - cert_body / 2);
    add_fragment (input, FALSE, certificate, 2, 0, cert_body / 2);
    add_message (input, FALSE, done, 3);
    tb_dtls_record (ccs, TB_CONTENT_CHANGE_CIPHER_SPEC, 0xfefd, 0, 9,
                    (const guint8 *) "\x01", 1);
    tb_dtls_record (ccs, TB_CONTENT_HANDSHAKE, 0xfefd, 1, 0, cookie, sizeof cookie);
    add_datagram (input, TRUE, ccs);
    write_input (argv[1], "dtls12-hello-verify", input);
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    static const guint8 unified_bytes[] = { 0x2c, 0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb };
    g_autoptr(GByteArray) unified = g_byte_array_new ();

    g_byte_array_append (unified, unified_bytes, sizeof unified_bytes);
    add_message (input, TRUE, hello13, 0);
    add_message (input, FALSE, server_hello13, 0);
    add_datagram (input, FALSE, unified);
    add_datagram (input, TRUE, unified);
    write_input (argv[1], "dtls13", input);
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    g_autoptr(GByteArray) stun = g_byte_array_new ();
    g_autoptr(GByteArray) record = g_byte_array_new ();
    g_autoptr(GByteArray) fragment = tb_dtls_fragment (hello1, 0, 0, hello1->len - 4);
    g_autoptr(GByteArray) channel = g_byte_array_new ();
    static const guint8 srtp_bytes[12] = { 0x80, 0x60, 0x00, 0x01 };
    g_autoptr(GByteArray) srtp = g_byte_array_new ();

    tb_put_u16 (stun, 0x0001);
    tb_put_u16 (stun, 0);
    tb_put_u16 (stun, 0x2112);
    tb_put_u16 (stun, 0xa442);
    for (guint i = 0; i < 12; i++)
      tb_put_u8 (stun, i);
    tb_dtls_record (record, TB_CONTENT_HANDSHAKE, 0xfefd, 0, 0, fragment->data,
                    fragment->len);
    tb_put_u16 (channel, 0x4000);
    tb_put_u16 (channel, record->len);
    tb_put_bytes (channel, record->data, record->len);
    g_byte_array_append (srtp, srtp_bytes, sizeof srtp_bytes);
    add_datagram (input, TRUE, stun);
    add_datagram (input, FALSE, stun);
    add_datagram (input, FALSE, channel);
    add_message (input, TRUE, server_hello, 0);
    add_datagram (input, TRUE, srtp);
    write_input (argv[1], "webrtc", input);
  }
  return 0;
}
