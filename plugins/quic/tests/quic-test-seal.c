/* quic-test-seal.c: QUIC Initial packets protected as RFC 9001 §5 says
 *
 * With the keys ntpac-quic-initial.c derives (which the RFC vectors
 * check) and OpenSSL's AES-128-GCM: a long header with an empty source
 * connection id and token, a 2-byte packet number, @payload padded with
 * PADDING frames to @pad_to bytes.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "quic-test-seal.h"
#include "ntpac-quic-initial.h"

#include <string.h>

#include <openssl/evp.h>

GByteArray *
qt_seal_initial (guint32       version,
                 const guint8 *dcid,
                 gsize         dcid_len,
                 gboolean      server,
                 guint16       pn,
                 const guint8 *payload,
                 gsize         len,
                 gsize         pad_to)
{
  guint8 client_secret[32], server_secret[32], mask[5], nonce[12];
  NtpacQuicKeys keys;
  EVP_CIPHER_CTX *ctx;
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  guint8 byte;
  gsize pn_offset, length;
  int n = 0;
  gboolean ok;

  g_assert_true (dcid_len <= 20);
  g_byte_array_append (plain, payload, len);
  /* The sample needs 16 bytes after a 4-byte packet number. */
  while (plain->len < MAX (pad_to, 4))
    g_byte_array_append (plain, (const guint8 *) "", 1);
  g_assert_true (plain->len + 2 + 16 < 0x4000);
  g_assert_true (ntpac_quic_initial_secrets (version, dcid, dcid_len, client_secret, server_secret));
  g_assert_true (ntpac_quic_derive_keys (version, server ? server_secret : client_secret, &keys));

  length = 2 + plain->len + 16;
  byte = version == NTPAC_QUIC_VERSION_2 ? 0xd1 : 0xc1;
  g_byte_array_append (out, &byte, 1);
  for (guint i = 0; i < 4; i++)
    {
      byte = (version >> (24 - 8 * i)) & 0xff;
      g_byte_array_append (out, &byte, 1);
    }
  byte = dcid_len;
  g_byte_array_append (out, &byte, 1);
  g_byte_array_append (out, dcid, dcid_len);
  g_byte_array_append (out, (const guint8 *) "\x00\x00", 2);   /* SCID, token */
  byte = 0x40 | (length >> 8);
  g_byte_array_append (out, &byte, 1);
  byte = length & 0xff;
  g_byte_array_append (out, &byte, 1);
  pn_offset = out->len;
  byte = pn >> 8;
  g_byte_array_append (out, &byte, 1);
  byte = pn & 0xff;
  g_byte_array_append (out, &byte, 1);

  memcpy (nonce, keys.iv, sizeof nonce);
  nonce[10] ^= pn >> 8;
  nonce[11] ^= pn & 0xff;
  g_byte_array_set_size (out, pn_offset + 2 + plain->len + 16);
  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL &&
       EVP_EncryptInit_ex (ctx, EVP_aes_128_gcm (), NULL, keys.key, nonce) == 1 &&
       EVP_EncryptUpdate (ctx, NULL, &n, out->data, pn_offset + 2) == 1 &&
       EVP_EncryptUpdate (ctx, out->data + pn_offset + 2, &n, plain->data, plain->len) == 1 &&
       EVP_EncryptFinal_ex (ctx, out->data + pn_offset + 2 + n, &n) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, 16,
                            out->data + pn_offset + 2 + plain->len) == 1;
  EVP_CIPHER_CTX_free (ctx);
  g_assert_true (ok);
  g_assert_true (ntpac_quic_header_mask (&keys, out->data + pn_offset + 4, mask));
  out->data[0] ^= mask[0] & 0x0f;
  out->data[pn_offset] ^= mask[1];
  out->data[pn_offset + 1] ^= mask[2];
  return out;
}
