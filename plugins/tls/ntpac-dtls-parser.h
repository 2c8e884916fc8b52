/* ntpac-dtls-parser.h: DTLS handshakes of one UDP conversation
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Anomaly ids (stable). Those of the TLS parser are reported with the
 * `dtls.` prefix instead of `tls.` (ntpac_dtls_anomaly_id()). */

/* Bytes where a DTLS record was due (first byte 20-63) that are not one:
 * a version other than DTLS 1.0/1.2, a length past the datagram, a
 * content type outside 20-26. The rest of the datagram is skipped. */
#define NTPAC_DTLS_ANOMALY_MALFORMED_RECORD "dtls.malformed-record"
/* A handshake fragment whose header does not fit its record or its
 * message (offset + length past the message length): ignored. */
#define NTPAC_DTLS_ANOMALY_MALFORMED_FRAGMENT "dtls.malformed-fragment"
/* A fragment that disagrees with earlier ones of the same message_seq
 * (another type or length, other bytes where they overlap): the first
 * bytes are kept. */
#define NTPAC_DTLS_ANOMALY_FRAGMENT_MISMATCH "dtls.fragment-mismatch"
/* More messages awaiting their fragments than NTPAC_DTLS_MAX_PENDING, or
 * more bytes than NTPAC_DTLS_MAX_BUFFERED, or a message_seq too far
 * ahead: the fragment is dropped. */
#define NTPAC_DTLS_ANOMALY_REASSEMBLY_LIMIT "dtls.reassembly-limit"

/* Messages of a direction reassembled at once, and their bytes. */
#define NTPAC_DTLS_MAX_PENDING 16
#define NTPAC_DTLS_MAX_BUFFERED (1024 * 1024)
/* How far past the next expected message_seq a fragment may be. */
#define NTPAC_DTLS_SEQ_WINDOW 32

/**
 * NtpacDtlsParser:
 *
 * DTLS state of one UDP conversation, both directions: record framing,
 * handshake reassembly by message_seq and fragment offset, and the TLS
 * parser the whole messages go to. Not thread-safe.
 */
typedef struct _NtpacDtlsParser NtpacDtlsParser;

/**
 * NtpacDtlsDatagram:
 * @NTPAC_DTLS_DATAGRAM_DTLS: DTLS records (first byte 20-63)
 * @NTPAC_DTLS_DATAGRAM_STUN: STUN (first byte 0-3)
 * @NTPAC_DTLS_DATAGRAM_TURN_CHANNEL: TURN ChannelData (64-79); DTLS
 *   inside it was read
 * @NTPAC_DTLS_DATAGRAM_RTP: RTP or RTCP (128-191)
 * @NTPAC_DTLS_DATAGRAM_OTHER: anything else (ZRTP, unassigned)
 *
 * What a datagram was, by RFC 7983's first-byte rules.
 */
typedef enum
{
  NTPAC_DTLS_DATAGRAM_DTLS,
  NTPAC_DTLS_DATAGRAM_STUN,
  NTPAC_DTLS_DATAGRAM_TURN_CHANNEL,
  NTPAC_DTLS_DATAGRAM_RTP,
  NTPAC_DTLS_DATAGRAM_OTHER,
} NtpacDtlsDatagram;

NtpacDtlsParser  *ntpac_dtls_parser_new          (void);
void              ntpac_dtls_parser_free         (NtpacDtlsParser *self);
NtpacDtlsDatagram ntpac_dtls_parser_feed         (NtpacDtlsParser *self,
                                                  gboolean         from_initiator,
                                                  const guint8    *data,
                                                  gsize            len,
                                                  GPtrArray       *anomalies);
void              ntpac_dtls_parser_finish       (NtpacDtlsParser *self,
                                                  GPtrArray       *anomalies);
GVariant         *ntpac_dtls_parser_take_record  (NtpacDtlsParser *self);
gboolean          ntpac_dtls_parser_seen_dtls    (NtpacDtlsParser *self);

gboolean          ntpac_dtls_probe               (const guint8    *data,
                                                  gsize            len);
gboolean          ntpac_dtls_probe_stun          (const guint8    *data,
                                                  gsize            len);
const gchar      *ntpac_dtls_anomaly_id          (const gchar     *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacDtlsParser, ntpac_dtls_parser_free)

G_END_DECLS
