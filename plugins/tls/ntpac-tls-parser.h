/* ntpac-tls-parser.h: TLS handshake parsing for one TCP conversation
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Anomaly ids (stable: they are stored and queried). The parser appends
 * them, as static strings, to the @anomalies array of the call that found
 * them. */

/* A record header with a content type outside 20-24, a version outside
 * 0x0300-0x0304 or a length above NTPAC_TLS_MAX_RECORD_LENGTH (or a
 * broken SSLv2-compatible ClientHello): the direction is no longer parsed. */
#define NTPAC_TLS_ANOMALY_MALFORMED_RECORD "tls.malformed-record"
/* A handshake message whose body does not match its structure: the
 * fields it would have given are left out. */
#define NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE "tls.malformed-handshake"
/* A handshake message longer than NTPAC_TLS_MAX_HANDSHAKE_SIZE: skipped
 * without being buffered. */
#define NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE "tls.handshake-too-large"
/* A certificate OpenSSL cannot parse: its entry holds only its SHA-256. */
#define NTPAC_TLS_ANOMALY_BAD_CERTIFICATE "tls.bad-certificate"
/* Bytes lost in a direction cost handshake data: a message was dropped,
 * or the direction could not be resynchronised and is no longer parsed. */
#define NTPAC_TLS_ANOMALY_GAP "tls.gap"
/* A handshake message sent by the wrong side (a ClientHello from the
 * server, a ServerHello from the client) or a second ServerHello or
 * server Certificate in one handshake: ignored. */
#define NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE "tls.unexpected-message"
/* More than NTPAC_TLS_MAX_HANDSHAKES handshakes on one connection: later
 * ones are not parsed. */
#define NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES "tls.too-many-handshakes"
/* A Certificate message with more than NTPAC_TLS_MAX_CERTIFICATES
 * entries: the extra ones are left out of the record. */
#define NTPAC_TLS_ANOMALY_TOO_MANY_CERTIFICATES "tls.too-many-certificates"

/* Largest record payload accepted: 2^14 plus the 2048 bytes of expansion
 * RFC 5246 §6.2.3 allows a TLSCiphertext. */
#define NTPAC_TLS_MAX_RECORD_LENGTH (16384 + 2048)
/* Largest handshake message (header included) buffered per direction.
 * Certificate messages of several hundred KiB are met (one certificate
 * with thousands of names); TLS allows 2^24 bytes. */
#define NTPAC_TLS_MAX_HANDSHAKE_SIZE (1024 * 1024)
/* Handshakes parsed per connection; bounds the records held until taken. */
#define NTPAC_TLS_MAX_HANDSHAKES 32
/* Certificates kept per chain. */
#define NTPAC_TLS_MAX_CERTIFICATES 16

/**
 * NtpacTlsStatus:
 * @NTPAC_TLS_STATUS_OK: every byte given was consumed
 * @NTPAC_TLS_STATUS_INCOMPLETE: the bytes after those consumed are the start
 *   of a record; call again once @needed of them are held
 * @NTPAC_TLS_STATUS_MALFORMED: the bytes are not a TLS record stream; the
 *   direction is no longer parsed
 *
 * Result of ntpac_tls_parser_feed().
 */
typedef enum
{
  NTPAC_TLS_STATUS_OK,
  NTPAC_TLS_STATUS_INCOMPLETE,
  NTPAC_TLS_STATUS_MALFORMED,
} NtpacTlsStatus;

/**
 * NtpacTlsTransport:
 * @NTPAC_TLS_TRANSPORT_TCP: TLS records on a TCP stream
 * @NTPAC_TLS_TRANSPORT_DTLS: DTLS (RFC 6347, RFC 9147) over datagrams
 * @NTPAC_TLS_TRANSPORT_QUIC: QUIC CRYPTO frames (RFC 9001)
 *
 * What carries a handshake; each value is the protocol character that
 * starts its JA4 fingerprint.
 */
typedef enum
{
  NTPAC_TLS_TRANSPORT_TCP = 't',
  NTPAC_TLS_TRANSPORT_DTLS = 'd',
  NTPAC_TLS_TRANSPORT_QUIC = 'q',
} NtpacTlsTransport;

/**
 * NtpacTlsParser:
 *
 * TLS parsing state of one TCP conversation, both directions: record
 * framing, handshake message reassembly, and the handshakes found. Not
 * thread-safe; like all conversation state it is used by one worker.
 */
typedef struct _NtpacTlsParser NtpacTlsParser;

NtpacTlsParser *ntpac_tls_parser_new         (void);
NtpacTlsParser *ntpac_tls_parser_new_for     (NtpacTlsTransport  transport);
void            ntpac_tls_parser_feed_handshake (NtpacTlsParser *self,
                                                 gboolean        from_client,
                                                 const guint8   *data,
                                                 gsize           len,
                                                 GPtrArray      *anomalies);
void            ntpac_tls_parser_feed_record (NtpacTlsParser  *self,
                                              gboolean         from_client,
                                              guint8           content_type,
                                              const guint8    *payload,
                                              gsize            len,
                                              GPtrArray       *anomalies);
void            ntpac_tls_parser_lost        (NtpacTlsParser  *self,
                                              gboolean         from_client,
                                              GPtrArray       *anomalies);
void            ntpac_tls_parser_free        (NtpacTlsParser  *self);
NtpacTlsStatus  ntpac_tls_parser_feed        (NtpacTlsParser  *self,
                                              gboolean         from_client,
                                              const guint8    *data,
                                              gsize            len,
                                              gsize           *consumed,
                                              gsize           *needed,
                                              GPtrArray       *anomalies);
void            ntpac_tls_parser_gap         (NtpacTlsParser  *self,
                                              gboolean         from_client,
                                              gsize            missing,
                                              GPtrArray       *anomalies);
void            ntpac_tls_parser_finish      (NtpacTlsParser  *self);
GVariant       *ntpac_tls_parser_take_record (NtpacTlsParser  *self);
gboolean        ntpac_tls_parser_is_done     (NtpacTlsParser  *self,
                                              gboolean         from_client);

GVariant       *ntpac_tls_certificate_describe (const guint8  *der,
                                                gsize          len,
                                                gboolean      *parsed);
gboolean        ntpac_tls_probe                (const guint8  *data,
                                                gsize          len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacTlsParser, ntpac_tls_parser_free)

G_END_DECLS
