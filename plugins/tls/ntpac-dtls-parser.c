/* ntpac-dtls-parser.c: DTLS handshakes seen from the wire
 *
 * DTLS 1.0 and 1.2 (RFC 4347, RFC 6347) and DTLS 1.3 (RFC 9147) over
 * UDP. Each datagram is sorted by its first byte as RFC 7983 (updated by
 * RFC 9443) says, since WebRTC puts STUN, DTLS, TURN channels and SRTP on
 * one 5-tuple: 0-3 STUN, 20-63 DTLS, 64-79 TURN ChannelData (whose
 * payload is sorted again, once), 128-191 RTP/RTCP.
 *
 * DTLS records have a 13-byte header (content type, version, epoch,
 * 48-bit sequence number, length); several may share a datagram. Only
 * epoch 0 is plaintext: a record of a later epoch, or a DTLS 1.3 record
 * with the unified header (first byte 001CSLEE), turns its direction
 * encrypted. Handshake messages are cut into fragments, each with a
 * 12-byte header (type, message length, message_seq, fragment_offset,
 * fragment_length), that can arrive out of order, twice, or overlapping:
 * they are reassembled per message_seq with a bitmap of the bytes held,
 * and whole messages are given, in message_seq order and with a TLS
 * header, to the TLS parser (ntpac-tls-parser.c), which does the rest:
 * hellos, certificates, JA3, JA4 (with its `d` protocol character).
 * Retransmitted fragments of messages already given are ignored.
 *
 * The side that sends the first ClientHello is the DTLS client, whoever
 * sent the conversation's first datagram (in WebRTC either peer may).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-dtls-parser.h"
#include "ntpac-tls-parser.h"

#include <string.h>

#include <ntpac/ntpac.h>

#define DTLS_CONTENT_CHANGE_CIPHER_SPEC 20
#define DTLS_CONTENT_HANDSHAKE 22
#define DTLS_CONTENT_APPLICATION_DATA 23
#define DTLS_CONTENT_TLS12_CID 25
#define DTLS_CONTENT_ACK 26

#define DTLS_RECORD_HEADER_LEN 13
#define DTLS_HANDSHAKE_HEADER_LEN 12
#define TLS_HANDSHAKE_HEADER_LEN 4
#define DTLS_MAX_RECORD_LENGTH (16384 + 2048)

#define DTLS_HANDSHAKE_CLIENT_HELLO 1
#define DTLS_HANDSHAKE_SERVER_HELLO 2
#define DTLS_HANDSHAKE_HELLO_VERIFY_REQUEST 3

#define DTLS_VERSION_1_0 0xfeff
#define DTLS_VERSION_1_2 0xfefd

#define STUN_HEADER_LEN 20
#define STUN_MAGIC_COOKIE 0x2112a442u
#define TURN_CHANNEL_HEADER_LEN 4

/* A handshake message being reassembled. */
typedef struct
{
  guint16 seq;
  guint8 type;
  gsize length;            /* body length */
  guint8 *data;            /* a TLS header, then the body */
  guint8 *body;            /* data + 4 */
  guint8 *have;            /* bitmap: body bytes held */
  gsize held;
  gboolean mismatch;       /* reported once */
} DtlsMessage;

/* One direction of the conversation (of the wire, not of DTLS roles). */
typedef struct
{
  gboolean delivered;      /* a message was given to the TLS parser */
  guint32 next_seq;        /* next message_seq to give */
  GPtrArray *pending;      /* DtlsMessage *, at most NTPAC_DTLS_MAX_PENDING */
  gsize buffered;          /* body bytes held by pending */
  gint32 too_large_seq;    /* message_seq last reported too large, or -1 */
} DtlsSide;

struct _NtpacDtlsParser
{
  NtpacTlsParser *tls;
  DtlsSide side[2];        /* [from_initiator] */
  gint client_side;        /* index of the DTLS client, -1 until known */
  gboolean seen_dtls;
  GPtrArray *scratch;      /* ids from the TLS parser */
};

static const struct
{
  const gchar *tls;
  const gchar *dtls;
} renamed_anomalies[] = {
  { NTPAC_TLS_ANOMALY_MALFORMED_RECORD, NTPAC_DTLS_ANOMALY_MALFORMED_RECORD },
  { NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE, "dtls.malformed-handshake" },
  { NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE, "dtls.handshake-too-large" },
  { NTPAC_TLS_ANOMALY_BAD_CERTIFICATE, "dtls.bad-certificate" },
  { NTPAC_TLS_ANOMALY_GAP, "dtls.gap" },
  { NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE, "dtls.unexpected-message" },
  { NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES, "dtls.too-many-handshakes" },
  { NTPAC_TLS_ANOMALY_TOO_MANY_CERTIFICATES, "dtls.too-many-certificates" },
};

/**
 * ntpac_dtls_anomaly_id:
 * @id: an anomaly id of the TLS parser (`tls.gap`)
 *
 * Returns: (transfer none): the id the DTLS parser reports it as
 *   (`dtls.gap`); @id itself when it is not a TLS parser id
 */
const gchar *
ntpac_dtls_anomaly_id (const gchar *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (renamed_anomalies); i++)
    if (g_strcmp0 (id, renamed_anomalies[i].tls) == 0)
      return renamed_anomalies[i].dtls;
  return id;
}

static void
add_anomaly (GPtrArray   *anomalies,
             const gchar *id)
{
  if (anomalies != NULL)
    g_ptr_array_add (anomalies, (gpointer) id);
}

/* Moves the TLS parser's anomalies to @anomalies, renamed. */
static void
take_tls_anomalies (NtpacDtlsParser *self,
                    GPtrArray       *anomalies)
{
  for (guint i = 0; i < self->scratch->len; i++)
    add_anomaly (anomalies, ntpac_dtls_anomaly_id (self->scratch->pdata[i]));
  g_ptr_array_set_size (self->scratch, 0);
}

static void
message_free (DtlsMessage *m)
{
  g_free (m->data);
  g_free (m->have);
  g_free (m);
}

static gboolean
message_whole (const DtlsMessage *m)
{
  return m->held == m->length;
}

/* The TLS direction of wire side @side: the DTLS client is the side that
 * sent the first ClientHello; until one is seen, the initiator. */
static gboolean
side_is_client (NtpacDtlsParser *self,
                guint            side)
{
  if (self->client_side < 0)
    return side == 1;
  return (guint) self->client_side == side;
}

/* Gives a whole message to the TLS parser, with a TLS header. */
static void
deliver (NtpacDtlsParser *self,
         guint            side,
         DtlsMessage     *m,
         GPtrArray       *anomalies)
{
  if (self->client_side < 0)
    self->client_side = m->type == DTLS_HANDSHAKE_CLIENT_HELLO ? (gint) side : (gint) !side;
  m->data[0] = m->type;
  m->data[1] = (m->length >> 16) & 0xff;
  m->data[2] = (m->length >> 8) & 0xff;
  m->data[3] = m->length & 0xff;
  ntpac_tls_parser_feed_handshake (self->tls, side_is_client (self, side), m->data,
                                   TLS_HANDSHAKE_HEADER_LEN + m->length, self->scratch);
  take_tls_anomalies (self, anomalies);
}

static void
remove_pending (DtlsSide *s,
                guint     index)
{
  DtlsMessage *m = s->pending->pdata[index];

  s->buffered -= m->length;
  g_ptr_array_remove_index (s->pending, index);
}

/* Gives the messages that are whole, in order, from next_seq on. Each
 * side's first message has message_seq 0, or 1 after a
 * HelloVerifyRequest (RFC 6347 §4.2.2); when it was not captured, a
 * whole hello later on starts the side instead. */
static void
deliver_ready (NtpacDtlsParser *self,
               guint            side,
               GPtrArray       *anomalies)
{
  DtlsSide *s = &self->side[side];
  gboolean again = TRUE;

  if (!s->delivered)
    {
      gboolean found = FALSE;
      guint32 first = 0;

      for (guint i = 0; i < s->pending->len; i++)
        {
          DtlsMessage *m = s->pending->pdata[i];

          if (m->seq == s->next_seq)
            {
              found = FALSE;
              break;
            }
          if (message_whole (m) && m->type >= DTLS_HANDSHAKE_CLIENT_HELLO &&
              m->type <= DTLS_HANDSHAKE_HELLO_VERIFY_REQUEST && (!found || m->seq < first))
            {
              found = TRUE;
              first = m->seq;
            }
        }
      if (found)
        s->next_seq = first;
    }
  while (again)
    {
      again = FALSE;
      for (guint i = 0; i < s->pending->len; i++)
        {
          DtlsMessage *m = s->pending->pdata[i];

          if (m->seq == s->next_seq && message_whole (m))
            {
              deliver (self, side, m, anomalies);
              remove_pending (s, i);
              s->next_seq++;
              s->delivered = TRUE;
              again = TRUE;
              break;
            }
        }
    }
}

/* Copies a fragment's bytes into @m; overlapping bytes that differ keep
 * the first copy. */
static void
message_fill (DtlsMessage  *m,
              gsize         offset,
              const guint8 *bytes,
              gsize         len,
              GPtrArray    *anomalies)
{
  gboolean differ = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      gsize at = offset + i;
      guint8 bit = 1u << (at % 8);

      if ((m->have[at / 8] & bit) == 0)
        {
          m->have[at / 8] |= bit;
          m->body[at] = bytes[i];
          m->held++;
        }
      else if (m->body[at] != bytes[i])
        differ = TRUE;
    }
  if (differ && !m->mismatch)
    {
      m->mismatch = TRUE;
      add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_FRAGMENT_MISMATCH);
    }
}

static void
handle_fragment (NtpacDtlsParser *self,
                 guint            side,
                 guint8           type,
                 gsize            length,
                 guint16          seq,
                 gsize            offset,
                 const guint8    *fragment,
                 gsize            fragment_len,
                 GPtrArray       *anomalies)
{
  DtlsSide *s = &self->side[side];
  DtlsMessage *m = NULL;

  if (offset > length || fragment_len > length - offset)
    {
      add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_FRAGMENT);
      return;
    }
  if (seq < s->next_seq)
    return;  /* a retransmission of a message already given */
  if (seq >= s->next_seq + NTPAC_DTLS_SEQ_WINDOW)
    {
      add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_REASSEMBLY_LIMIT);
      return;
    }
  if (length > NTPAC_TLS_MAX_HANDSHAKE_SIZE - TLS_HANDSHAKE_HEADER_LEN)
    {
      if (s->too_large_seq != seq)
        {
          s->too_large_seq = seq;
          add_anomaly (anomalies, "dtls.handshake-too-large");
          ntpac_tls_parser_lost (self->tls, side_is_client (self, side), NULL);
          if (seq == s->next_seq)
            {
              s->next_seq++;
              deliver_ready (self, side, anomalies);
            }
        }
      return;
    }

  for (guint i = 0; i < s->pending->len && m == NULL; i++)
    if (((DtlsMessage *) s->pending->pdata[i])->seq == seq)
      m = s->pending->pdata[i];
  if (m == NULL)
    {
      if (s->pending->len >= NTPAC_DTLS_MAX_PENDING ||
          s->buffered + length > NTPAC_DTLS_MAX_BUFFERED)
        {
          add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_REASSEMBLY_LIMIT);
          return;
        }
      m = g_new0 (DtlsMessage, 1);
      m->seq = seq;
      m->type = type;
      m->length = length;
      m->data = g_malloc (TLS_HANDSHAKE_HEADER_LEN + length);
      m->body = m->data + TLS_HANDSHAKE_HEADER_LEN;
      m->have = g_malloc0 (length / 8 + 1);
      g_ptr_array_add (s->pending, m);
      s->buffered += length;
    }
  else if (m->type != type || m->length != length)
    {
      if (!m->mismatch)
        {
          m->mismatch = TRUE;
          add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_FRAGMENT_MISMATCH);
        }
      return;
    }
  message_fill (m, offset, fragment, fragment_len, anomalies);
  deliver_ready (self, side, anomalies);
}

/* The handshake fragments of one plaintext record. */
static void
feed_fragments (NtpacDtlsParser *self,
                guint            side,
                const guint8    *payload,
                gsize            len,
                GPtrArray       *anomalies)
{
  NtpacCursor c;

  ntpac_cursor_init (&c, payload, len, len);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint8 type;
      guint32 length, offset, fragment_len;
      guint16 seq;
      const guint8 *fragment;

      if (!ntpac_cursor_get_u8 (&c, &type) ||
          !ntpac_cursor_get_u24_be (&c, &length) ||
          !ntpac_cursor_get_u16_be (&c, &seq) ||
          !ntpac_cursor_get_u24_be (&c, &offset) ||
          !ntpac_cursor_get_u24_be (&c, &fragment_len) ||
          !ntpac_cursor_get_bytes (&c, fragment_len, &fragment))
        {
          add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_FRAGMENT);
          return;
        }
      handle_fragment (self, side, type, length, seq, offset, fragment,
                       fragment_len, anomalies);
    }
}

/* A record the side could only send once its keys changed. */
static void
side_encrypted (NtpacDtlsParser *self,
                guint            side)
{
  ntpac_tls_parser_feed_record (self->tls, side_is_client (self, side),
                                DTLS_CONTENT_APPLICATION_DATA, NULL, 0, NULL);
}

/* The DTLS records of one datagram. */
static void
feed_records (NtpacDtlsParser *self,
              guint            side,
              const guint8    *data,
              gsize            len,
              GPtrArray       *anomalies)
{
  NtpacCursor c;

  ntpac_cursor_init (&c, data, len, len);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint8 first, type;
      guint16 version, epoch, length;
      const guint8 *payload;

      if (!ntpac_cursor_peek_u8 (&c, &first))
        g_assert_not_reached ();
      if ((first & 0xe0) == 0x20)
        {
          /* DTLS 1.3 unified header (RFC 9147 §4): encrypted. With a
           * connection id (C) its length is unknown, and without a
           * length (L) the record fills the datagram. */
          gsize seq_len = (first & 0x08) != 0 ? 2 : 1;

          self->seen_dtls = TRUE;
          side_encrypted (self, side);
          if ((first & 0x10) != 0 || (first & 0x04) == 0)
            return;
          if (!ntpac_cursor_skip (&c, 1 + seq_len) ||
              !ntpac_cursor_get_u16_be (&c, &length) ||
              !ntpac_cursor_skip (&c, length))
            {
              add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_RECORD);
              return;
            }
          continue;
        }
      if (!ntpac_cursor_get_u8 (&c, &type) ||
          type < DTLS_CONTENT_CHANGE_CIPHER_SPEC || type > DTLS_CONTENT_ACK ||
          !ntpac_cursor_get_u16_be (&c, &version) ||
          (version != DTLS_VERSION_1_0 && version != DTLS_VERSION_1_2) ||
          !ntpac_cursor_get_u16_be (&c, &epoch) ||
          !ntpac_cursor_skip (&c, 6) ||
          !ntpac_cursor_get_u16_be (&c, &length) ||
          length > DTLS_MAX_RECORD_LENGTH ||
          !ntpac_cursor_get_bytes (&c, length, &payload))
        {
          add_anomaly (anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_RECORD);
          return;
        }
      self->seen_dtls = TRUE;
      if (epoch != 0)
        {
          side_encrypted (self, side);
          continue;
        }
      switch (type)
        {
        case DTLS_CONTENT_HANDSHAKE:
          feed_fragments (self, side, payload, length, anomalies);
          break;
        case DTLS_CONTENT_TLS12_CID:
        case DTLS_CONTENT_ACK:
          break;
        default:
          /* ChangeCipherSpec, alert, application data, heartbeat. */
          ntpac_tls_parser_feed_record (self->tls, side_is_client (self, side), type,
                                        payload, length, self->scratch);
          take_tls_anomalies (self, anomalies);
          break;
        }
    }
}

/* ---- public API ---------------------------------------------------------- */

/**
 * ntpac_dtls_parser_new:
 *
 * Creates the DTLS state of one UDP conversation.
 *
 * Returns: (transfer full): a parser, freed with ntpac_dtls_parser_free()
 */
NtpacDtlsParser *
ntpac_dtls_parser_new (void)
{
  NtpacDtlsParser *self = g_new0 (NtpacDtlsParser, 1);

  self->tls = ntpac_tls_parser_new_for (NTPAC_TLS_TRANSPORT_DTLS);
  for (guint i = 0; i < 2; i++)
    {
      self->side[i].pending = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
      self->side[i].too_large_seq = -1;
    }
  self->client_side = -1;
  self->scratch = g_ptr_array_new ();
  return self;
}

/**
 * ntpac_dtls_parser_free:
 * @self: (transfer full) (nullable): a parser
 */
void
ntpac_dtls_parser_free (NtpacDtlsParser *self)
{
  if (self == NULL)
    return;
  ntpac_tls_parser_free (self->tls);
  for (guint i = 0; i < 2; i++)
    g_ptr_array_unref (self->side[i].pending);
  g_ptr_array_unref (self->scratch);
  g_free (self);
}

/**
 * ntpac_dtls_parser_feed:
 * @self: a parser
 * @from_initiator: whether the datagram comes from the conversation's
 *   initiator (which need not be the DTLS client)
 * @data: (array length=len): one UDP datagram's payload
 * @len: its length
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Reads one datagram: its DTLS records (directly, or inside a TURN
 * ChannelData message); STUN, RTP and the rest are only sorted.
 *
 * Returns: what the datagram was, by its first byte
 */
NtpacDtlsDatagram
ntpac_dtls_parser_feed (NtpacDtlsParser *self,
                        gboolean         from_initiator,
                        const guint8    *data,
                        gsize            len,
                        GPtrArray       *anomalies)
{
  guint side = from_initiator ? 1 : 0;
  NtpacCursor c;
  guint8 first;

  g_return_val_if_fail (self != NULL, NTPAC_DTLS_DATAGRAM_OTHER);
  g_return_val_if_fail (data != NULL || len == 0, NTPAC_DTLS_DATAGRAM_OTHER);

  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_peek_u8 (&c, &first))
    return NTPAC_DTLS_DATAGRAM_OTHER;
  if (first <= 3)
    return NTPAC_DTLS_DATAGRAM_STUN;
  if (first >= 20 && first <= 63)
    {
      feed_records (self, side, data, len, anomalies);
      return NTPAC_DTLS_DATAGRAM_DTLS;
    }
  if (first >= 64 && first <= 79)
    {
      guint16 channel, length;
      const guint8 *inner;

      /* RFC 8656 §12.4: the channel's data may be DTLS (sorted again by
       * its own first byte; padding to 4 bytes is allowed after it). */
      if (ntpac_cursor_get_u16_be (&c, &channel) &&
          ntpac_cursor_get_u16_be (&c, &length) &&
          ntpac_cursor_get_bytes (&c, length, &inner) &&
          length > 0 && inner[0] >= 20 && inner[0] <= 63)
        feed_records (self, side, inner, length, anomalies);
      return NTPAC_DTLS_DATAGRAM_TURN_CHANNEL;
    }
  if (first >= 128 && first <= 191)
    return NTPAC_DTLS_DATAGRAM_RTP;
  return NTPAC_DTLS_DATAGRAM_OTHER;
}

/**
 * ntpac_dtls_parser_finish:
 * @self: a parser
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Ends the conversation: whole messages still waiting behind a missing
 * one are given (the handshake is then incomplete, with a `dtls.gap`),
 * and the open handshake becomes a record.
 */
void
ntpac_dtls_parser_finish (NtpacDtlsParser *self,
                          GPtrArray       *anomalies)
{
  g_return_if_fail (self != NULL);

  for (guint side = 0; side < 2; side++)
    {
      DtlsSide *s = &self->side[side];

      while (s->pending->len > 0)
        {
          guint lowest = 0;
          DtlsMessage *m;

          for (guint i = 1; i < s->pending->len; i++)
            if (((DtlsMessage *) s->pending->pdata[i])->seq <
                ((DtlsMessage *) s->pending->pdata[lowest])->seq)
              lowest = i;
          m = s->pending->pdata[lowest];
          if (m->seq != s->next_seq || !message_whole (m))
            {
              ntpac_tls_parser_lost (self->tls, side_is_client (self, side), self->scratch);
              take_tls_anomalies (self, anomalies);
            }
          if (message_whole (m))
            deliver (self, side, m, anomalies);
          s->next_seq = m->seq + 1u;
          remove_pending (s, lowest);
        }
    }
  ntpac_tls_parser_finish (self->tls);
}

/**
 * ntpac_dtls_parser_take_record:
 * @self: a parser
 *
 * Takes the oldest finished handshake, with the fields of
 * ntpac_tls_parser_take_record().
 *
 * Returns: (transfer floating) (nullable): the record, or %NULL
 */
GVariant *
ntpac_dtls_parser_take_record (NtpacDtlsParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ntpac_tls_parser_take_record (self->tls);
}

/**
 * ntpac_dtls_parser_seen_dtls:
 * @self: a parser
 *
 * Returns: whether a DTLS record was read on the conversation
 */
gboolean
ntpac_dtls_parser_seen_dtls (NtpacDtlsParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->seen_dtls;
}

/**
 * ntpac_dtls_probe:
 * @data: (array length=len) (nullable): a UDP datagram's payload
 * @len: its length
 *
 * Does the datagram start with a plaintext DTLS handshake record holding
 * the start of a ClientHello, HelloVerifyRequest or ServerHello, all
 * within the datagram?
 *
 * Returns: %TRUE when it does
 */
gboolean
ntpac_dtls_probe (const guint8 *data,
                  gsize         len)
{
  NtpacCursor c;
  guint8 type, message_type;
  guint16 version, epoch, length, message_seq, hello_version;
  guint32 message_len, offset, fragment_len;

  if (data == NULL || len < DTLS_RECORD_HEADER_LEN + DTLS_HANDSHAKE_HEADER_LEN + 2)
    return FALSE;
  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u8 (&c, &type) || type != DTLS_CONTENT_HANDSHAKE ||
      !ntpac_cursor_get_u16_be (&c, &version) ||
      (version != DTLS_VERSION_1_0 && version != DTLS_VERSION_1_2) ||
      !ntpac_cursor_get_u16_be (&c, &epoch) || epoch != 0 ||
      !ntpac_cursor_skip (&c, 6) ||
      !ntpac_cursor_get_u16_be (&c, &length) ||
      length < DTLS_HANDSHAKE_HEADER_LEN || length > ntpac_cursor_remaining (&c) ||
      !ntpac_cursor_get_u8 (&c, &message_type) ||
      (message_type != DTLS_HANDSHAKE_CLIENT_HELLO &&
       message_type != DTLS_HANDSHAKE_SERVER_HELLO &&
       message_type != DTLS_HANDSHAKE_HELLO_VERIFY_REQUEST) ||
      !ntpac_cursor_get_u24_be (&c, &message_len) ||
      !ntpac_cursor_get_u16_be (&c, &message_seq) ||
      !ntpac_cursor_get_u24_be (&c, &offset) ||
      !ntpac_cursor_get_u24_be (&c, &fragment_len) ||
      offset > message_len || fragment_len > message_len - offset ||
      fragment_len > (guint32) length - DTLS_HANDSHAKE_HEADER_LEN)
    return FALSE;
  /* A first fragment starts with the hello's version. */
  if (offset == 0 && fragment_len >= 2)
    return ntpac_cursor_get_u16_be (&c, &hello_version) &&
           (hello_version == DTLS_VERSION_1_0 || hello_version == DTLS_VERSION_1_2);
  return TRUE;
}

/**
 * ntpac_dtls_probe_stun:
 * @data: (array length=len) (nullable): a UDP datagram's payload
 * @len: its length
 *
 * Is the datagram one STUN message (RFC 8489 §5): the two top bits
 * clear, the magic cookie, and a length (a multiple of 4) that fills the
 * datagram exactly?
 *
 * Returns: %TRUE when it is
 */
gboolean
ntpac_dtls_probe_stun (const guint8 *data,
                       gsize         len)
{
  NtpacCursor c;
  guint16 type, length;
  guint32 cookie;

  if (data == NULL || len < STUN_HEADER_LEN)
    return FALSE;
  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u16_be (&c, &type) || (type & 0xc000) != 0 ||
      !ntpac_cursor_get_u16_be (&c, &length) ||
      !ntpac_cursor_get_u32_be (&c, &cookie))
    return FALSE;
  return cookie == STUN_MAGIC_COOKIE && length % 4 == 0 &&
         (gsize) length + STUN_HEADER_LEN == len;
}
