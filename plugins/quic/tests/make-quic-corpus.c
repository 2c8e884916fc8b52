/* make-quic-corpus.c: seed inputs for fuzz-quic
 *
 * make-quic-corpus DIR   writes a few conversations in fuzz-quic's input
 *                        format (fuzz-quic.h): ClientHellos (built with
 *                        the TLS tests' builder) in CRYPTO frames out of
 *                        order with PING, ACK and PADDING, for QUIC v1
 *                        and v2, a server Initial with a ServerHello, a
 *                        CONNECTION_CLOSE, and a sealed packet given raw
 *                        with a coalesced Handshake packet.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz-quic.h"
#include "quic-test-seal.h"
#include "tls-test-builder.h"
#include "ntpac-quic-initial.h"

static const guint16 ciphers[] = { 0x1301, 0x1302, 0x1303 };
static const guint16 versions[] = { 0x0304 };
static const guint16 groups[] = { 0x001d, 0x0017 };
static const guint16 sigalgs[] = { 0x0403, 0x0804, 0x0401 };
static const gchar *const alpn[] = { "h3", NULL };

static void
add_datagram (GByteArray   *input,
              guint8        flags,
              const guint8 *data,
              gsize         len)
{
  tb_put_u8 (input, flags);
  tb_put_u16 (input, len);
  tb_put_bytes (input, data, len);
}

/* A CRYPTO frame of [@offset, @offset + @len) of @stream (offsets and
 * lengths below 16384). */
static void
put_crypto (GByteArray       *out,
            const GByteArray *stream,
            gsize             offset,
            gsize             len)
{
  tb_put_u8 (out, 0x06);
  tb_put_u16 (out, 0x4000 | offset);
  tb_put_u16 (out, 0x4000 | len);
  tb_put_bytes (out, stream->data + offset, len);
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
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0x1301, 0x0304, FALSE);
  static const guint8 ping_ack[] = { 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x01, 0x02 };
  static const guint8 close_frame[] = { 0x1c, 0x0a, 0x06, 0x04, 'o', 'o', 'p', 's' };
  static const guint8 handshake[] = { 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0xaa, 0xbb };
  static const guint8 quic_params[] = { 0x01, 0x02, 0x67, 0x10 };

  if (argc != 2)
    g_error ("usage: make-quic-corpus DIR");
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    g_error ("cannot create %s", argv[1]);

  tb_ext_server_name (exts, "fuzz.example.com");
  tb_ext_alpn (exts, alpn);
  tb_ext_u16_list (exts, 0x000a, 2, groups, G_N_ELEMENTS (groups));
  tb_ext_u16_list (exts, 0x000d, 2, sigalgs, G_N_ELEMENTS (sigalgs));
  tb_ext_u16_list (exts, 0x002b, 1, versions, G_N_ELEMENTS (versions));
  tb_ext_raw (exts, 0x0039, quic_params, sizeof quic_params);
  hello = tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers), exts);

  for (guint v2 = 0; v2 < 2; v2++)
    {
      g_autoptr(GByteArray) input = g_byte_array_new ();
      g_autoptr(GByteArray) p1 = g_byte_array_new ();
      g_autoptr(GByteArray) p2 = g_byte_array_new ();
      g_autoptr(GByteArray) s1 = g_byte_array_new ();
      guint8 flags = FUZZ_QUIC_SEAL | (v2 ? FUZZ_QUIC_V2 : 0);
      gsize half = hello->len / 2;

      put_crypto (p1, hello, half, hello->len - half);
      tb_put_bytes (p1, ping_ack, sizeof ping_ack);
      put_crypto (p2, hello, 0, half);
      put_crypto (s1, server_hello, 0, server_hello->len);
      add_datagram (input, flags | FUZZ_QUIC_FROM_CLIENT, p1->data, p1->len);
      add_datagram (input, flags | FUZZ_QUIC_FROM_CLIENT, p2->data, p2->len);
      add_datagram (input, flags, s1->data, s1->len);
      add_datagram (input, flags | FUZZ_QUIC_FROM_CLIENT, close_frame, sizeof close_frame);
      write_input (argv[1], v2 ? "sealed-v2" : "sealed-v1", input);
    }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    g_autoptr(GByteArray) frames = g_byte_array_new ();
    g_autoptr(GByteArray) packet = NULL;

    put_crypto (frames, hello, 0, hello->len);
    packet = qt_seal_initial (NTPAC_QUIC_VERSION_1, fuzz_quic_dcid, sizeof fuzz_quic_dcid,
                              FALSE, 0, frames->data, frames->len, 1162);
    tb_put_bytes (packet, handshake, sizeof handshake);
    add_datagram (input, FUZZ_QUIC_FROM_CLIENT, packet->data, packet->len);
    write_input (argv[1], "raw-coalesced", input);
  }
  return 0;
}
