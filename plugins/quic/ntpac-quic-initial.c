/* ntpac-quic-initial.c: QUIC Initial packets seen from the wire
 *
 * QUIC version 1 (RFC 9000, RFC 9001) and version 2 (RFC 9369). Initial
 * packets are protected with keys anyone can derive from the
 * Destination Connection ID of the client's first Initial (RFC 9001
 * §5.2): HKDF-Extract with the version's salt, then HKDF-Expand-Label
 * ("client in", "server in", and the version's "quic key", "quic iv",
 * "quic hp" labels). Header protection is removed with an AES-128-ECB
 * mask over a sample of the ciphertext (§5.4), the payload decrypted
 * with AEAD_AES_128_GCM (§5.3), and its frames read (RFC 9000 §19):
 * PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE; any other frame ends the
 * packet. CRYPTO data is reassembled by offset, per direction, across
 * packets and the packets coalesced in one datagram, out of order within
 * a bounded window; the TLS messages in it (the ClientHello, and the
 * ServerHello of the server's Initial) go to the TLS parser's
 * handshake-message entry point, which gives SNI, ALPN, JA3 and JA4 (with
 * the `q` protocol character).
 *
 * Nothing past Initial packets is decrypted: Handshake, 0-RTT and 1-RTT
 * packets are only counted. A Retry (§17.2.5) changes the connection id
 * the keys come from to the one it chose.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-quic-initial.h"
#include "ntpac-tls-parser.h"

#include <string.h>

#include <ntpac/ntpac.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

#define QUIC_LONG_HEADER 0x80
#define QUIC_FIXED_BIT 0x40

#define QUIC_PACKET_INITIAL 0
#define QUIC_PACKET_ZERO_RTT 1
#define QUIC_PACKET_HANDSHAKE 2
#define QUIC_PACKET_RETRY 3

#define QUIC_FRAME_PADDING 0x00
#define QUIC_FRAME_PING 0x01
#define QUIC_FRAME_ACK 0x02
#define QUIC_FRAME_ACK_ECN 0x03
#define QUIC_FRAME_CRYPTO 0x06
#define QUIC_FRAME_CONNECTION_CLOSE 0x1c
#define QUIC_FRAME_CONNECTION_CLOSE_APP 0x1d

#define QUIC_SAMPLE_LEN 16
#define QUIC_TAG_LEN 16
#define QUIC_MAX_PN_LEN 4
#define QUIC_MAX_VARINT ((G_GUINT64_CONSTANT (1) << 62) - 1)
#define QUIC_MAX_REASON 1024

/* RFC 9001 §5.2 and RFC 9369 §3.3.1. */
static const guint8 salt_v1[20] = {
  0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
  0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
static const guint8 salt_v2[20] = {
  0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
  0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};

/* Bytes of CRYPTO data held until what comes before them arrives. */
typedef struct
{
  guint64 offset;
  GBytes *bytes;
} CryptoSegment;

/* One side of the connection. */
typedef struct
{
  gboolean have_keys;
  NtpacQuicKeys keys;
  gint64 largest_pn;       /* of its Initial packets, -1 before the first */
  guint64 delivered;       /* CRYPTO bytes given to the TLS parser */
  GPtrArray *segments;     /* CryptoSegment *, by offset */
  gsize held;              /* bytes in segments */
  guint initial_packets;   /* decrypted */
  gboolean have_scid;
  guint8 scid[NTPAC_QUIC_MAX_CID_LEN];
  gsize scid_len;
} QuicSide;

struct _NtpacQuicConnection
{
  NtpacTlsParser *tls;
  GPtrArray *scratch;      /* anomaly ids from the TLS parser */
  gboolean seen;           /* a long header of a known version */
  guint32 version;
  gboolean have_dcid;
  guint8 dcid[NTPAC_QUIC_MAX_CID_LEN];  /* the keys come from it */
  gsize dcid_len;
  gboolean retry;
  QuicSide side[2];        /* [from_client] */
  guint handshake_packets;
  guint zero_rtt_packets;
  guint one_rtt_packets;
  guint undecrypted_packets;
  gboolean have_close;
  guint64 close_code;
  gchar *close_reason;
};

static void
add_anomaly (GPtrArray   *anomalies,
             const gchar *id)
{
  if (anomalies != NULL)
    g_ptr_array_add (anomalies, (gpointer) id);
}

/**
 * ntpac_quic_anomaly_id:
 * @id: an anomaly id of the TLS parser (`tls.gap`)
 *
 * Returns: (transfer none): the id the QUIC dissector reports it as
 */
const gchar *
ntpac_quic_anomaly_id (const gchar *id)
{
  if (g_strcmp0 (id, NTPAC_TLS_ANOMALY_GAP) == 0)
    return NTPAC_QUIC_ANOMALY_CRYPTO_GAP;
  if (g_strcmp0 (id, NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE) == 0)
    return NTPAC_QUIC_ANOMALY_HANDSHAKE_TOO_LARGE;
  if (g_strcmp0 (id, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE) == 0 ||
      g_strcmp0 (id, NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES) == 0)
    return NTPAC_QUIC_ANOMALY_UNEXPECTED_MESSAGE;
  return NTPAC_QUIC_ANOMALY_MALFORMED_HANDSHAKE;
}

static void
take_tls_anomalies (NtpacQuicConnection *self,
                    GPtrArray           *anomalies)
{
  for (guint i = 0; i < self->scratch->len; i++)
    add_anomaly (anomalies, ntpac_quic_anomaly_id (self->scratch->pdata[i]));
  g_ptr_array_set_size (self->scratch, 0);
}

/* ---- keys ----------------------------------------------------------------- */

static gboolean
known_version (guint32 version)
{
  return version == NTPAC_QUIC_VERSION_1 || version == NTPAC_QUIC_VERSION_2;
}

/* The long header packet type, as version 1 numbers it (RFC 9369 §3.2
 * renumbers them). */
static guint
packet_type (guint32 version,
             guint8  first)
{
  guint bits = (first >> 4) & 0x03;

  if (version == NTPAC_QUIC_VERSION_2)
    return (bits + 3) & 0x03;
  return bits;
}

/* HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, @len ≤ 32. */
static gboolean
expand_label (const guint8 secret[32],
              const gchar *label,
              guint8      *out,
              gsize        len)
{
  guint8 info[2 + 1 + 255 + 1 + 1];
  guint8 t[EVP_MAX_MD_SIZE];
  gsize label_len = strlen ("tls13 ") + strlen (label), n = 0;
  unsigned int t_len = 0;

  g_assert (len <= 32 && label_len <= 255);
  info[n++] = (len >> 8) & 0xff;
  info[n++] = len & 0xff;
  info[n++] = label_len;
  memcpy (info + n, "tls13 ", 6);
  n += 6;
  memcpy (info + n, label, strlen (label));
  n += strlen (label);
  info[n++] = 0;        /* context */
  info[n++] = 0x01;     /* T(1) = HMAC (PRK, info || 0x01) */
  if (HMAC (EVP_sha256 (), secret, 32, info, n, t, &t_len) == NULL || t_len < len)
    return FALSE;
  memcpy (out, t, len);
  return TRUE;
}

/**
 * ntpac_quic_initial_secrets:
 * @version: %NTPAC_QUIC_VERSION_1 or %NTPAC_QUIC_VERSION_2
 * @dcid: (array length=dcid_len): the Destination Connection ID of the
 *   client's first Initial
 * @dcid_len: its length
 * @client_secret: (out caller-allocates): client_initial_secret
 * @server_secret: (out caller-allocates): server_initial_secret
 *
 * HKDF-Extract (salt, DCID), then the "client in" and "server in"
 * secrets (RFC 9001 §5.2).
 *
 * Returns: %FALSE for an unknown version or a failure of libcrypto
 */
gboolean
ntpac_quic_initial_secrets (guint32       version,
                            const guint8 *dcid,
                            gsize         dcid_len,
                            guint8        client_secret[32],
                            guint8        server_secret[32])
{
  guint8 initial[EVP_MAX_MD_SIZE];
  unsigned int initial_len = 0;
  const guint8 *salt;

  if (!known_version (version))
    return FALSE;
  salt = version == NTPAC_QUIC_VERSION_2 ? salt_v2 : salt_v1;
  if (HMAC (EVP_sha256 (), salt, sizeof salt_v1, dcid, dcid_len, initial,
            &initial_len) == NULL || initial_len != 32)
    return FALSE;
  return expand_label (initial, "client in", client_secret, 32) &&
         expand_label (initial, "server in", server_secret, 32);
}

/**
 * ntpac_quic_derive_keys:
 * @version: %NTPAC_QUIC_VERSION_1 or %NTPAC_QUIC_VERSION_2
 * @secret: a side's initial secret
 * @keys: (out caller-allocates): its packet protection keys
 *
 * Returns: %FALSE for an unknown version or a failure of libcrypto
 */
gboolean
ntpac_quic_derive_keys (guint32        version,
                        const guint8   secret[32],
                        NtpacQuicKeys *keys)
{
  gboolean v2 = version == NTPAC_QUIC_VERSION_2;

  if (!known_version (version))
    return FALSE;
  return expand_label (secret, v2 ? "quicv2 key" : "quic key", keys->key, sizeof keys->key) &&
         expand_label (secret, v2 ? "quicv2 iv" : "quic iv", keys->iv, sizeof keys->iv) &&
         expand_label (secret, v2 ? "quicv2 hp" : "quic hp", keys->hp, sizeof keys->hp);
}

/**
 * ntpac_quic_header_mask:
 * @keys: a side's keys
 * @sample: 16 bytes of ciphertext
 * @mask: (out caller-allocates): the first 5 bytes of AES-ECB (hp, sample)
 *
 * Returns: %FALSE on a failure of libcrypto
 */
gboolean
ntpac_quic_header_mask (const NtpacQuicKeys *keys,
                        const guint8         sample[16],
                        guint8               mask[5])
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  guint8 out[32];
  int out_len = 0;

  if (ctx == NULL ||
      EVP_EncryptInit_ex (ctx, EVP_aes_128_ecb (), NULL, keys->hp, NULL) != 1 ||
      EVP_CIPHER_CTX_set_padding (ctx, 0) != 1 ||
      EVP_EncryptUpdate (ctx, out, &out_len, sample, QUIC_SAMPLE_LEN) != 1 ||
      out_len != QUIC_SAMPLE_LEN)
    return FALSE;
  memcpy (mask, out, 5);
  return TRUE;
}

/* AEAD_AES_128_GCM open (RFC 9001 §5.3): @out gets @len - 16 bytes. */
static gboolean
aead_open (const NtpacQuicKeys *keys,
           guint64              pn,
           const guint8        *aad,
           gsize                aad_len,
           const guint8        *ciphertext,
           gsize                len,
           guint8              *out)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  guint8 nonce[12];
  guint8 tag[QUIC_TAG_LEN];
  int n = 0;

  if (ctx == NULL || len < QUIC_TAG_LEN || len - QUIC_TAG_LEN > G_MAXINT ||
      aad_len > G_MAXINT)
    return FALSE;
  memcpy (nonce, keys->iv, sizeof nonce);
  for (guint i = 0; i < 8; i++)
    nonce[sizeof nonce - 1 - i] ^= (pn >> (8 * i)) & 0xff;
  memcpy (tag, ciphertext + len - QUIC_TAG_LEN, QUIC_TAG_LEN);
  return EVP_DecryptInit_ex (ctx, EVP_aes_128_gcm (), NULL, keys->key, nonce) == 1 &&
         EVP_DecryptUpdate (ctx, NULL, &n, aad, (int) aad_len) == 1 &&
         EVP_DecryptUpdate (ctx, out, &n, ciphertext, (int) (len - QUIC_TAG_LEN)) == 1 &&
         EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, tag) == 1 &&
         EVP_DecryptFinal_ex (ctx, out + n, &n) == 1;
}

/* Both sides' keys from the connection id @dcid. */
static gboolean
set_keys (NtpacQuicConnection *self,
          guint32              version,
          const guint8        *dcid,
          gsize                dcid_len)
{
  guint8 client_secret[32], server_secret[32];

  if (dcid_len > NTPAC_QUIC_MAX_CID_LEN ||
      !ntpac_quic_initial_secrets (version, dcid, dcid_len, client_secret, server_secret) ||
      !ntpac_quic_derive_keys (version, client_secret, &self->side[1].keys) ||
      !ntpac_quic_derive_keys (version, server_secret, &self->side[0].keys))
    return FALSE;
  self->side[0].have_keys = self->side[1].have_keys = TRUE;
  self->version = version;
  self->have_dcid = TRUE;
  memcpy (self->dcid, dcid, dcid_len);
  self->dcid_len = dcid_len;
  return TRUE;
}

/* ---- varints and packet numbers ------------------------------------------- */

/* RFC 9000 §16. */
static gboolean
get_varint (NtpacCursor *c,
            guint64     *value)
{
  guint8 first, b;
  guint len;

  if (!ntpac_cursor_get_u8 (c, &first))
    return FALSE;
  len = 1u << (first >> 6);
  *value = first & 0x3f;
  for (guint i = 1; i < len; i++)
    {
      if (!ntpac_cursor_get_u8 (c, &b))
        return FALSE;
      *value = (*value << 8) | b;
    }
  return TRUE;
}

/* RFC 9000 Appendix A.3. */
static guint64
decode_packet_number (gint64  largest,
                      guint64 truncated,
                      guint   bits)
{
  guint64 expected = (guint64) (largest + 1);
  guint64 win = G_GUINT64_CONSTANT (1) << bits;
  guint64 hwin = win / 2;
  guint64 candidate = (expected & ~(win - 1)) | truncated;

  if (expected >= hwin && candidate <= expected - hwin &&
      candidate < (G_GUINT64_CONSTANT (1) << 62) - win)
    return candidate + win;
  if (candidate > expected + hwin && candidate >= win)
    return candidate - win;
  return candidate;
}

/* ---- CRYPTO reassembly ---------------------------------------------------- */

static void
segment_free (CryptoSegment *s)
{
  g_bytes_unref (s->bytes);
  g_free (s);
}

static void
crypto_deliver (NtpacQuicConnection *self,
                gboolean             from_client,
                const guint8        *data,
                gsize                len,
                GPtrArray           *anomalies)
{
  ntpac_tls_parser_feed_handshake (self->tls, from_client, data, len, self->scratch);
  take_tls_anomalies (self, anomalies);
}

/* Gives the held segments that now follow what was given. */
static void
crypto_drain (NtpacQuicConnection *self,
              gboolean             from_client,
              GPtrArray           *anomalies)
{
  QuicSide *s = &self->side[from_client ? 1 : 0];

  while (s->segments->len > 0)
    {
      CryptoSegment *seg = s->segments->pdata[0];
      gsize len;
      const guint8 *data = g_bytes_get_data (seg->bytes, &len);
      guint64 end = seg->offset + len;

      if (seg->offset > s->delivered)
        break;
      if (end > s->delivered)
        {
          gsize skip = (gsize) (s->delivered - seg->offset);

          crypto_deliver (self, from_client, data + skip, len - skip, anomalies);
          s->delivered = end;
        }
      s->held -= len;
      g_ptr_array_remove_index (s->segments, 0);
    }
}

static void
crypto_insert (NtpacQuicConnection *self,
               gboolean             from_client,
               guint64              offset,
               const guint8        *data,
               gsize                len,
               GPtrArray           *anomalies)
{
  QuicSide *s = &self->side[from_client ? 1 : 0];
  guint64 end = offset + len;
  CryptoSegment *seg;
  guint at;

  if (end <= s->delivered)
    return;  /* retransmitted */
  if (offset < s->delivered)
    {
      data += s->delivered - offset;
      len -= s->delivered - offset;
      offset = s->delivered;
    }
  if (end > s->delivered + NTPAC_QUIC_CRYPTO_WINDOW)
    {
      add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_CRYPTO_LIMIT);
      return;
    }
  if (offset == s->delivered)
    {
      crypto_deliver (self, from_client, data, len, anomalies);
      s->delivered = end;
      crypto_drain (self, from_client, anomalies);
      return;
    }
  if (s->segments->len >= NTPAC_QUIC_MAX_SEGMENTS ||
      s->held + len > NTPAC_QUIC_CRYPTO_WINDOW)
    {
      add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_CRYPTO_LIMIT);
      return;
    }
  seg = g_new0 (CryptoSegment, 1);
  seg->offset = offset;
  seg->bytes = g_bytes_new (data, len);
  s->held += len;
  for (at = 0; at < s->segments->len; at++)
    if (((CryptoSegment *) s->segments->pdata[at])->offset > offset)
      break;
  g_ptr_array_insert (s->segments, at, seg);
}

/* ---- frames ---------------------------------------------------------------- */

/* The frames of one decrypted Initial payload (RFC 9000 §19). */
static void
read_frames (NtpacQuicConnection *self,
             gboolean             from_client,
             const guint8        *payload,
             gsize                len,
             GPtrArray           *anomalies)
{
  NtpacCursor c;

  ntpac_cursor_init (&c, payload, len, len);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint64 type, a, b, n;
      const guint8 *bytes;

      if (!get_varint (&c, &type))
        {
          add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
          return;
        }
      switch (type)
        {
        case QUIC_FRAME_PADDING:
        case QUIC_FRAME_PING:
          break;

        case QUIC_FRAME_ACK:
        case QUIC_FRAME_ACK_ECN:
          /* Largest Acknowledged, ACK Delay, ACK Range Count, First ACK
           * Range; then Gap and Range per count; ECN counts. Each range
           * takes two bytes at least: the loop ends with the packet. */
          if (!get_varint (&c, &a) || !get_varint (&c, &b) ||
              !get_varint (&c, &n) || !get_varint (&c, &a))
            {
              add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
              return;
            }
          for (guint64 i = 0; i < n; i++)
            if (!get_varint (&c, &a) || !get_varint (&c, &b))
              {
                add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
                return;
              }
          if (type == QUIC_FRAME_ACK_ECN &&
              (!get_varint (&c, &a) || !get_varint (&c, &a) || !get_varint (&c, &a)))
            {
              add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
              return;
            }
          break;

        case QUIC_FRAME_CRYPTO:
          if (!get_varint (&c, &a) || !get_varint (&c, &n) ||
              n > ntpac_cursor_remaining (&c) || a > QUIC_MAX_VARINT - n ||
              !ntpac_cursor_get_bytes (&c, (gsize) n, &bytes))
            {
              add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
              return;
            }
          crypto_insert (self, from_client, a, bytes, (gsize) n, anomalies);
          break;

        case QUIC_FRAME_CONNECTION_CLOSE:
        case QUIC_FRAME_CONNECTION_CLOSE_APP:
          if (!get_varint (&c, &a) ||
              (type == QUIC_FRAME_CONNECTION_CLOSE && !get_varint (&c, &b)) ||
              !get_varint (&c, &n) || n > ntpac_cursor_remaining (&c) ||
              !ntpac_cursor_get_bytes (&c, (gsize) n, &bytes))
            {
              add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_FRAME);
              return;
            }
          if (!self->have_close)
            {
              g_autofree gchar *reason = g_strndup ((const gchar *) bytes,
                                                    MIN ((gsize) n, QUIC_MAX_REASON));

              self->have_close = TRUE;
              self->close_code = a;
              self->close_reason = g_utf8_make_valid (reason, -1);
            }
          break;

        default:
          /* Not allowed in an Initial (RFC 9000 §12.4, Table 3), or
           * unknown: its length is not known either. */
          add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_UNEXPECTED_FRAME);
          return;
        }
    }
}

/* ---- packets -------------------------------------------------------------- */

/* Removes the protection of the Initial packet @packet (@len bytes, its
 * packet number at @pn_offset) with @keys and reads its frames. FALSE
 * when it does not decrypt. */
static gboolean
open_initial (NtpacQuicConnection *self,
              gboolean             from_client,
              const NtpacQuicKeys *keys,
              const guint8        *packet,
              gsize                pn_offset,
              gsize                len,
              GPtrArray           *anomalies)
{
  QuicSide *s = &self->side[from_client ? 1 : 0];
  g_autofree guint8 *header = NULL;
  g_autofree guint8 *plain = NULL;
  guint8 mask[5];
  gsize pn_len, payload_len;
  guint64 truncated = 0, pn;

  if (!ntpac_quic_header_mask (keys, packet + pn_offset + QUIC_MAX_PN_LEN, mask))
    return FALSE;
  header = g_memdup2 (packet, pn_offset + QUIC_MAX_PN_LEN);
  header[0] ^= mask[0] & 0x0f;
  pn_len = (header[0] & 0x03) + 1;
  for (gsize i = 0; i < pn_len; i++)
    {
      header[pn_offset + i] ^= mask[1 + i];
      truncated = (truncated << 8) | header[pn_offset + i];
    }
  pn = decode_packet_number (s->largest_pn, truncated, 8 * pn_len);
  payload_len = len - pn_offset - pn_len;
  if (payload_len < QUIC_TAG_LEN)
    return FALSE;
  plain = g_malloc (payload_len);
  if (!aead_open (keys, pn, header, pn_offset + pn_len, packet + pn_offset + pn_len,
                  payload_len, plain))
    return FALSE;
  if ((gint64) pn > s->largest_pn)
    s->largest_pn = (gint64) MIN (pn, (guint64) G_MAXINT64);
  s->initial_packets++;
  read_frames (self, from_client, plain, payload_len - QUIC_TAG_LEN, anomalies);
  return TRUE;
}

static void
read_initial (NtpacQuicConnection *self,
              gboolean             from_client,
              guint32              version,
              const guint8        *dcid,
              gsize                dcid_len,
              const guint8        *packet,
              gsize                pn_offset,
              gsize                len,
              GPtrArray           *anomalies)
{
  QuicSide *s = &self->side[from_client ? 1 : 0];
  NtpacQuicKeys keys;
  guint8 client_secret[32], server_secret[32];

  /* The client's first Initial names the connection id its keys and the
   * server's come from. */
  if (from_client && !self->have_dcid)
    set_keys (self, version, dcid, dcid_len);
  if (!s->have_keys || version != self->version)
    {
      self->undecrypted_packets++;
      return;
    }
  if (len < pn_offset + QUIC_MAX_PN_LEN + QUIC_SAMPLE_LEN)
    {
      add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_PACKET);
      return;
    }
  if (open_initial (self, from_client, &s->keys, packet, pn_offset, len, anomalies))
    return;
  /* A client whose first Initial (or a Retry) was not captured: its own
   * Destination Connection ID may be the one. */
  if (from_client && (dcid_len != self->dcid_len || memcmp (dcid, self->dcid, dcid_len) != 0) &&
      ntpac_quic_initial_secrets (version, dcid, dcid_len, client_secret, server_secret) &&
      ntpac_quic_derive_keys (version, client_secret, &keys) &&
      open_initial (self, from_client, &keys, packet, pn_offset, len, anomalies))
    {
      set_keys (self, version, dcid, dcid_len);
      return;
    }
  add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_DECRYPT_FAILED);
  self->undecrypted_packets++;
}

/**
 * ntpac_quic_connection_new:
 *
 * Returns: (transfer full): the QUIC state of one UDP conversation
 */
NtpacQuicConnection *
ntpac_quic_connection_new (void)
{
  NtpacQuicConnection *self = g_new0 (NtpacQuicConnection, 1);

  self->tls = ntpac_tls_parser_new_for (NTPAC_TLS_TRANSPORT_QUIC);
  self->scratch = g_ptr_array_new ();
  for (guint i = 0; i < 2; i++)
    {
      self->side[i].largest_pn = -1;
      self->side[i].segments = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
    }
  return self;
}

/**
 * ntpac_quic_connection_free:
 * @self: (transfer full) (nullable): a connection
 */
void
ntpac_quic_connection_free (NtpacQuicConnection *self)
{
  if (self == NULL)
    return;
  ntpac_tls_parser_free (self->tls);
  g_ptr_array_unref (self->scratch);
  for (guint i = 0; i < 2; i++)
    g_ptr_array_unref (self->side[i].segments);
  g_free (self->close_reason);
  g_free (self);
}

/**
 * ntpac_quic_connection_feed:
 * @self: a connection
 * @from_client: whether the datagram comes from the client
 * @data: (array length=len): one UDP datagram's payload
 * @len: its length
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Reads the QUIC packets coalesced in one datagram: Initial packets are
 * decrypted and their frames read, the others counted.
 *
 * Returns: %TRUE when the datagram held an Initial (or Retry) packet of
 *   QUIC v1 or v2
 */
gboolean
ntpac_quic_connection_feed (NtpacQuicConnection *self,
                            gboolean             from_client,
                            const guint8        *data,
                            gsize                len,
                            GPtrArray           *anomalies)
{
  NtpacCursor c;
  gboolean quic = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  ntpac_cursor_init (&c, data, len, len);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      gsize start = ntpac_cursor_tell (&c), pn_offset;
      guint8 first, dcid_len, scid_len;
      guint32 version;
      const guint8 *dcid, *scid;
      guint64 token_len = 0, length;
      guint type;

      if (!ntpac_cursor_peek_u8 (&c, &first))
        g_assert_not_reached ();
      if ((first & QUIC_LONG_HEADER) == 0)
        {
          /* A short header packet fills the rest of the datagram; zero
           * bytes after coalesced packets are padding. */
          if ((first & QUIC_FIXED_BIT) != 0 && self->seen)
            self->one_rtt_packets++;
          break;
        }
      if (!ntpac_cursor_skip (&c, 1) || !ntpac_cursor_get_u32_be (&c, &version))
        {
          add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_PACKET);
          break;
        }
      if (!known_version (version))
        break;  /* Version Negotiation (version 0), or a version not read */
      if (!ntpac_cursor_get_u8 (&c, &dcid_len) || dcid_len > NTPAC_QUIC_MAX_CID_LEN ||
          !ntpac_cursor_get_bytes (&c, dcid_len, &dcid) ||
          !ntpac_cursor_get_u8 (&c, &scid_len) || scid_len > NTPAC_QUIC_MAX_CID_LEN ||
          !ntpac_cursor_get_bytes (&c, scid_len, &scid))
        {
          add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_PACKET);
          break;
        }
      self->seen = TRUE;
      type = packet_type (version, first);
      if (type == QUIC_PACKET_RETRY)
        {
          /* The client's next Initials go to the connection id the
           * server chose, and are protected with keys from it. */
          if (!from_client)
            {
              self->retry = quic = TRUE;
              set_keys (self, version, scid, scid_len);
            }
          break;
        }
      if ((type == QUIC_PACKET_INITIAL && !get_varint (&c, &token_len)) ||
          (type == QUIC_PACKET_INITIAL && token_len > ntpac_cursor_remaining (&c)) ||
          !ntpac_cursor_skip (&c, (gsize) token_len) ||
          !get_varint (&c, &length) || length > ntpac_cursor_remaining (&c))
        {
          add_anomaly (anomalies, NTPAC_QUIC_ANOMALY_MALFORMED_PACKET);
          break;
        }
      pn_offset = ntpac_cursor_tell (&c) - start;
      if (type == QUIC_PACKET_INITIAL)
        {
          QuicSide *s = &self->side[from_client ? 1 : 0];

          quic = TRUE;
          if (!s->have_scid)
            {
              s->have_scid = TRUE;
              memcpy (s->scid, scid, scid_len);
              s->scid_len = scid_len;
            }
          read_initial (self, from_client, version, dcid, dcid_len, data + start,
                        pn_offset, pn_offset + (gsize) length, anomalies);
        }
      else if (type == QUIC_PACKET_HANDSHAKE)
        self->handshake_packets++;
      else
        self->zero_rtt_packets++;
      if (!ntpac_cursor_skip (&c, (gsize) length))
        g_assert_not_reached ();
    }
  return quic;
}

static gchar *
hex (const guint8 *data,
     gsize         len)
{
  static const gchar digits[] = "0123456789abcdef";
  gchar *out = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[2 * len] = '\0';
  return out;
}

/* Copies @key of the TLS record into @b, as @name. */
static void
copy_field (GVariantBuilder *b,
            GVariant        *tls,
            const gchar     *key,
            const gchar     *name)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (tls, key, NULL);

  if (value != NULL)
    g_variant_builder_add (b, "{sv}", name, value);
}

/**
 * ntpac_quic_connection_finish:
 * @self: a connection
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Ends the conversation and describes it (see plugins/quic/README.md):
 * `version`, `dcid`, `scid`, `server_scid`, the TLS client fields
 * (`sni`, `alpn`, `ja3`, `ja3_string`, `ja4`), `tls_version` and
 * `cipher` from the ServerHello, packet counts, `close_code` and
 * `close_reason`, `retry`, `complete`.
 *
 * Returns: (transfer floating) (nullable): the record, or %NULL when no
 *   QUIC v1 or v2 long header was seen
 */
GVariant *
ntpac_quic_connection_finish (NtpacQuicConnection *self,
                              GPtrArray           *anomalies)
{
  GVariantBuilder b;
  g_autoptr(GVariant) tls = NULL;
  gboolean complete = FALSE, gap = FALSE;
  GVariant *extra;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < 2; i++)
    if (self->side[i].segments->len > 0)
      {
        gap = TRUE;
        ntpac_tls_parser_lost (self->tls, i == 1, self->scratch);
        take_tls_anomalies (self, anomalies);
        g_ptr_array_set_size (self->side[i].segments, 0);
        self->side[i].held = 0;
      }
  ntpac_tls_parser_finish (self->tls);
  tls = ntpac_tls_parser_take_record (self->tls);
  if (tls != NULL)
    g_variant_ref_sink (tls);
  /* Only the first handshake describes the connection. */
  while ((extra = ntpac_tls_parser_take_record (self->tls)) != NULL)
    g_variant_unref (g_variant_ref_sink (extra));
  if (!self->seen)
    return NULL;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "version",
                         g_variant_new_string (self->version == NTPAC_QUIC_VERSION_2 ? "QUIC v2"
                                               : self->version == NTPAC_QUIC_VERSION_1 ? "QUIC v1"
                                               : "unknown"));
  if (self->have_dcid)
    g_variant_builder_add (&b, "{sv}", "dcid",
                           g_variant_new_take_string (hex (self->dcid, self->dcid_len)));
  if (self->side[1].have_scid)
    g_variant_builder_add (&b, "{sv}", "scid",
                           g_variant_new_take_string (hex (self->side[1].scid,
                                                           self->side[1].scid_len)));
  if (self->side[0].have_scid)
    g_variant_builder_add (&b, "{sv}", "server_scid",
                           g_variant_new_take_string (hex (self->side[0].scid,
                                                           self->side[0].scid_len)));
  if (tls != NULL)
    {
      copy_field (&b, tls, "sni", "sni");
      copy_field (&b, tls, "alpn", "alpn");
      copy_field (&b, tls, "ja3", "ja3");
      copy_field (&b, tls, "ja3_string", "ja3_string");
      copy_field (&b, tls, "ja4", "ja4");
      copy_field (&b, tls, "version", "tls_version");
      copy_field (&b, tls, "cipher", "cipher");
      copy_field (&b, tls, "hello_retry", "hello_retry");
      if (!g_variant_lookup (tls, "complete", "b", &complete))
        complete = FALSE;
    }
  if (self->retry)
    g_variant_builder_add (&b, "{sv}", "retry", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&b, "{sv}", "initial_packets",
                         g_variant_new_uint32 (self->side[0].initial_packets +
                                               self->side[1].initial_packets));
  g_variant_builder_add (&b, "{sv}", "handshake_packets",
                         g_variant_new_uint32 (self->handshake_packets));
  g_variant_builder_add (&b, "{sv}", "zero_rtt_packets",
                         g_variant_new_uint32 (self->zero_rtt_packets));
  g_variant_builder_add (&b, "{sv}", "one_rtt_packets",
                         g_variant_new_uint32 (self->one_rtt_packets));
  g_variant_builder_add (&b, "{sv}", "undecrypted_packets",
                         g_variant_new_uint32 (self->undecrypted_packets));
  if (self->have_close)
    {
      g_variant_builder_add (&b, "{sv}", "close_code", g_variant_new_uint64 (self->close_code));
      g_variant_builder_add (&b, "{sv}", "close_reason",
                             g_variant_new_string (self->close_reason));
    }
  g_variant_builder_add (&b, "{sv}", "complete", g_variant_new_boolean (complete && !gap));
  return g_variant_builder_end (&b);
}

/**
 * ntpac_quic_probe:
 * @data: (array length=len) (nullable): a UDP datagram's payload
 * @len: its length
 *
 * Does the datagram start with a QUIC v1 or v2 Initial packet whose long
 * header fits it?
 *
 * Returns: %TRUE when it does
 */
gboolean
ntpac_quic_probe (const guint8 *data,
                  gsize         len)
{
  NtpacCursor c;
  guint8 first, dcid_len, scid_len;
  guint32 version;
  guint64 token_len, length;

  if (data == NULL)
    return FALSE;
  ntpac_cursor_init (&c, data, len, len);
  return ntpac_cursor_get_u8 (&c, &first) &&
         (first & (QUIC_LONG_HEADER | QUIC_FIXED_BIT)) == (QUIC_LONG_HEADER | QUIC_FIXED_BIT) &&
         ntpac_cursor_get_u32_be (&c, &version) && known_version (version) &&
         packet_type (version, first) == QUIC_PACKET_INITIAL &&
         ntpac_cursor_get_u8 (&c, &dcid_len) && dcid_len <= NTPAC_QUIC_MAX_CID_LEN &&
         ntpac_cursor_skip (&c, dcid_len) &&
         ntpac_cursor_get_u8 (&c, &scid_len) && scid_len <= NTPAC_QUIC_MAX_CID_LEN &&
         ntpac_cursor_skip (&c, scid_len) &&
         get_varint (&c, &token_len) && token_len <= ntpac_cursor_remaining (&c) &&
         ntpac_cursor_skip (&c, (gsize) token_len) &&
         get_varint (&c, &length) &&
         length >= QUIC_MAX_PN_LEN + QUIC_SAMPLE_LEN &&
         length <= ntpac_cursor_remaining (&c);
}
