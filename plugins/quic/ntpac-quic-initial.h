/* ntpac-quic-initial.h: QUIC Initial packets of one UDP conversation
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NTPAC_QUIC_VERSION_1 0x00000001u
#define NTPAC_QUIC_VERSION_2 0x6b3343cfu

/* Anomaly ids (stable: they are stored and queried). */

/* A long header that does not fit its datagram (connection ids over 20
 * bytes, a token or length past the end, a packet too short to sample):
 * the rest of the datagram is skipped. */
#define NTPAC_QUIC_ANOMALY_MALFORMED_PACKET "quic.malformed-packet"
/* An Initial packet that does not decrypt with the keys of the client's
 * first Destination Connection ID (nor with those of its own): skipped. */
#define NTPAC_QUIC_ANOMALY_DECRYPT_FAILED "quic.decrypt-failed"
/* A frame of a decrypted Initial that does not match its structure: the
 * rest of the packet is skipped. */
#define NTPAC_QUIC_ANOMALY_MALFORMED_FRAME "quic.malformed-frame"
/* A frame type an Initial packet may not carry (RFC 9000 §12.4): the
 * rest of the packet is skipped. */
#define NTPAC_QUIC_ANOMALY_UNEXPECTED_FRAME "quic.unexpected-frame"
/* CRYPTO data further than NTPAC_QUIC_CRYPTO_WINDOW past what was
 * reassembled, or over NTPAC_QUIC_MAX_SEGMENTS pieces or
 * NTPAC_QUIC_CRYPTO_WINDOW bytes held: dropped. */
#define NTPAC_QUIC_ANOMALY_CRYPTO_LIMIT "quic.crypto-limit"
/* CRYPTO data was missing when the conversation ended: what followed the
 * hole was never read. */
#define NTPAC_QUIC_ANOMALY_CRYPTO_GAP "quic.crypto-gap"
/* The TLS messages in the CRYPTO stream (renamed from the TLS parser's
 * ids, see ntpac_quic_anomaly_id()). */
#define NTPAC_QUIC_ANOMALY_MALFORMED_HANDSHAKE "quic.malformed-handshake"
#define NTPAC_QUIC_ANOMALY_HANDSHAKE_TOO_LARGE "quic.handshake-too-large"
#define NTPAC_QUIC_ANOMALY_UNEXPECTED_MESSAGE "quic.unexpected-message"

/* How far past the reassembled CRYPTO offset data is kept, and in how
 * many pieces, per direction. */
#define NTPAC_QUIC_CRYPTO_WINDOW (64 * 1024)
#define NTPAC_QUIC_MAX_SEGMENTS 64
#define NTPAC_QUIC_MAX_CID_LEN 20

/**
 * NtpacQuicKeys:
 * @key: AEAD_AES_128_GCM key
 * @iv: its IV
 * @hp: header protection key (AES-128)
 *
 * The keys of one side's Initial packets (RFC 9001 §5.2).
 */
typedef struct
{
  guint8 key[16];
  guint8 iv[12];
  guint8 hp[16];
} NtpacQuicKeys;

gboolean ntpac_quic_initial_secrets (guint32        version,
                                     const guint8  *dcid,
                                     gsize          dcid_len,
                                     guint8         client_secret[32],
                                     guint8         server_secret[32]);
gboolean ntpac_quic_derive_keys     (guint32        version,
                                     const guint8   secret[32],
                                     NtpacQuicKeys *keys);
gboolean ntpac_quic_header_mask     (const NtpacQuicKeys *keys,
                                     const guint8  sample[16],
                                     guint8         mask[5]);

/**
 * NtpacQuicConnection:
 *
 * The Initial packets of one UDP conversation: their keys, the CRYPTO
 * stream of each side reassembled, the TLS hellos read from it, and
 * counts of the packets of other kinds. Not thread-safe.
 */
typedef struct _NtpacQuicConnection NtpacQuicConnection;

NtpacQuicConnection *ntpac_quic_connection_new    (void);
void                 ntpac_quic_connection_free   (NtpacQuicConnection *self);
gboolean             ntpac_quic_connection_feed   (NtpacQuicConnection *self,
                                                   gboolean             from_client,
                                                   const guint8        *data,
                                                   gsize                len,
                                                   GPtrArray           *anomalies);
GVariant            *ntpac_quic_connection_finish (NtpacQuicConnection *self,
                                                   GPtrArray           *anomalies);

gboolean             ntpac_quic_probe             (const guint8        *data,
                                                   gsize                len);
const gchar         *ntpac_quic_anomaly_id        (const gchar         *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacQuicConnection, ntpac_quic_connection_free)

G_END_DECLS
