/* ntpac-dns-dissector.c: the `dns` dissector
 *
 * The Domain Name System (RFC 1035, with the later RFCs listed at the top
 * of ntpac-dns-message.c) over UDP, one message per datagram, and over TCP,
 * messages framed by a 2-byte length (RFC 1035 §4.2.2, RFC 7766 §8), any
 * number of them per stream and split anywhere. Each message becomes one
 * `dns` record, built by ntpac_dns_message_parse(); what is wrong with a
 * message becomes an anomaly, and what could be read of it is emitted all
 * the same. Bytes lost in a TCP direction end the reading of that
 * direction: nothing in a DNS stream tells where the next message starts.
 *
 * NetBIOS name service (RFC 1002, port 137), mDNS (RFC 6762, port 5353,
 * 224.0.0.251 and ff02::fb) and LLMNR (RFC 4795, port 5355, 224.0.0.252
 * and ff02::1:3) use the same messages: their conversations are named
 * `nbns`, `mdns` and `llmnr`, and their records, of the same `dns` kind,
 * say which protocol they belong to.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-dns-dissector.h"
#include "ntpac-dns-message.h"

/* Dissector anomalies of TCP framing (the parser's are in its header). */
#define DNS_ANOMALY_GAP               "dns.gap"
#define DNS_ANOMALY_BAD_LENGTH_PREFIX "dns.bad-length-prefix"

/* Header flags (RFC 1035 §4.1.1) the TCP start check reads. */
#define DNS_FLAG_QR       0x8000
#define DNS_FLAG_Z        0x0040
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)  ((flags) & 0xf)

struct _NtpacDnsDissector
{
  NtpacDissector parent_instance;
};

#define PORT_DNS   53
#define PORT_NBNS  137
#define PORT_MDNS  5353
#define PORT_LLMNR 5355

/* One conversation. */
typedef struct
{
  NtpacDnsFlavour flavour;
  gboolean       stopped[2];   /* [direction]: no longer read (TCP) */
  gboolean       under_way[2]; /* [direction]: a message is partly held */
  NtpacFrameSet *frames;       /* frames of the message being emitted */
  GPtrArray     *anomalies;    /* scratch: ids from the parser */
} DnsState;

G_DEFINE_FINAL_TYPE (NtpacDnsDissector, ntpac_dns_dissector, NTPAC_TYPE_DISSECTOR)

static const struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} dns_anomalies[] = {
  { NTPAC_DNS_ANOMALY_TRUNCATED, NTPAC_SEVERITY_WARNING,
    "A DNS message ends inside its header, a question or a record" },
  { NTPAC_DNS_ANOMALY_MALFORMED, NTPAC_SEVERITY_WARNING,
    "DNS record data disagrees with its type or its length: shown in hex" },
  { NTPAC_DNS_ANOMALY_COUNTS, NTPAC_SEVERITY_WARNING,
    "A DNS header counts more entries than the message holds" },
  { NTPAC_DNS_ANOMALY_LABEL_LOOP, NTPAC_SEVERITY_WARNING,
    "DNS name compression pointers form a loop" },
  { NTPAC_DNS_ANOMALY_BAD_POINTER, NTPAC_SEVERITY_WARNING,
    "A DNS compression pointer points forward, past the message or at no name" },
  { NTPAC_DNS_ANOMALY_TOO_MANY_POINTERS, NTPAC_SEVERITY_WARNING,
    "A DNS name follows more compression pointers than allowed" },
  { NTPAC_DNS_ANOMALY_DECOMPRESSION_CAP, NTPAC_SEVERITY_WARNING,
    "The names of a DNS message take too many compression steps: the rest are not decoded" },
  { NTPAC_DNS_ANOMALY_NAME_TOO_LONG, NTPAC_SEVERITY_WARNING,
    "A DNS name is longer than 255 bytes" },
  { NTPAC_DNS_ANOMALY_BAD_LABEL, NTPAC_SEVERITY_WARNING,
    "A DNS label of a reserved or obsolete type" },
  { NTPAC_DNS_ANOMALY_BAD_OPT, NTPAC_SEVERITY_WARNING,
    "A misplaced, repeated or broken EDNS OPT record" },
  { NTPAC_DNS_ANOMALY_TRAILING_DATA, NTPAC_SEVERITY_INFO,
    "Bytes follow the last entry a DNS message counts" },
  { DNS_ANOMALY_GAP, NTPAC_SEVERITY_ERROR,
    "Bytes of a DNS over TCP stream were lost: the rest of that direction is not read" },
  { DNS_ANOMALY_BAD_LENGTH_PREFIX, NTPAC_SEVERITY_ERROR,
    "A DNS over TCP length prefix of zero: the rest of that direction is not read" },
};

/* Over TCP with a port hint, the first segment may end before the first
 * question does (a client writing the length prefix on its own, a small
 * MSS), which the probe needs: what is there must announce a message at
 * least as long as a header, and the header, as far as it goes, must
 * hold a known opcode, the Z bit clear and no rcode in a query. */
static gboolean
tcp_start_plausible (const guint8 *data,
                     gsize         len)
{
  NtpacCursor c;
  guint16 prefix, flags;
  guint opcode;

  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u16_be (&c, &prefix))
    return TRUE;
  if (prefix < NTPAC_DNS_HEADER_LEN || len >= 2 + (gsize) prefix)
    return FALSE;
  if (!ntpac_cursor_skip (&c, 2) || !ntpac_cursor_get_u16_be (&c, &flags))
    return TRUE;
  opcode = DNS_OPCODE (flags);
  if (opcode == 3 || opcode > 6)
    return FALSE;
  if ((flags & DNS_FLAG_Z) != 0)
    return FALSE;
  return (flags & DNS_FLAG_QR) != 0 || DNS_RCODE (flags) == 0;
}

static gboolean
ntpac_dns_dissector_probe (NtpacDissector    *dissector,
                           NtpacDissectInput  input,
                           NtpacDirection     direction,
                           const guint8      *data,
                           gsize              len,
                           gboolean           port_hint)
{
  gboolean tcp = input == NTPAC_DISSECT_INPUT_TCP_STREAM;

  if (ntpac_dns_probe (data, len, tcp))
    return TRUE;
  /* On port 53, a datagram that fails the content checks (corrupt
   * counts, odd flags) is still read as DNS: what is wrong with it is
   * reported as anomalies, and a tunnel or an attack hiding there is
   * evidence too. */
  if (!tcp && port_hint)
    return len >= NTPAC_DNS_HEADER_LEN;
  return tcp && port_hint && tcp_start_plausible (data, len);
}

static gboolean
address_is (const NtpacAddress *a,
            guint8              family,
            const guint8       *bytes)
{
  return a->family == family && memcmp (a->bytes, bytes, family == 4 ? 4 : 16) == 0;
}

static gboolean
has_port (const NtpacConversation *c,
          guint16                  port)
{
  return c->tuple.sport == port || c->tuple.dport == port;
}

/* Which protocol of the family a conversation speaks: DNS's port first
 * (a resolver queried from port 5353 is DNS), then the multicast groups,
 * then the other ports. */
static NtpacDnsFlavour
flavour_of (const NtpacConversation *c)
{
  static const guint8 mdns4[4] = { 224, 0, 0, 251 };
  static const guint8 llmnr4[4] = { 224, 0, 0, 252 };
  static const guint8 mdns6[16] = { 0xff, 0x02, [15] = 0xfb };
  static const guint8 llmnr6[16] = { 0xff, 0x02, [13] = 0x01, [15] = 0x03 };
  const NtpacAddress *dst = &c->tuple.dst;

  if (has_port (c, PORT_DNS))
    return NTPAC_DNS_FLAVOUR_DNS;
  if (address_is (dst, 4, mdns4) || address_is (dst, 6, mdns6))
    return NTPAC_DNS_FLAVOUR_MDNS;
  if (address_is (dst, 4, llmnr4) || address_is (dst, 6, llmnr6))
    return NTPAC_DNS_FLAVOUR_LLMNR;
  if (has_port (c, PORT_NBNS))
    return NTPAC_DNS_FLAVOUR_NBNS;
  if (has_port (c, PORT_MDNS))
    return NTPAC_DNS_FLAVOUR_MDNS;
  if (has_port (c, PORT_LLMNR))
    return NTPAC_DNS_FLAVOUR_LLMNR;
  return NTPAC_DNS_FLAVOUR_DNS;
}

static gpointer
ntpac_dns_dissector_conversation_start (NtpacDissector      *dissector,
                                        NtpacDissectContext *ctx)
{
  DnsState *state = g_new0 (DnsState, 1);

  state->flavour = flavour_of (ntpac_dissect_context_get_conversation (ctx));
  if (state->flavour != NTPAC_DNS_FLAVOUR_DNS)
    ntpac_dissect_context_set_protocol (ctx, ntpac_dns_flavour_to_string (state->flavour));

  state->frames = ntpac_frame_set_new ();
  state->anomalies = g_ptr_array_new ();
  return state;
}

/* Parses one message (@offset: where it starts in the current call's
 * data) and emits its record and anomalies. */
static void
emit_message (NtpacDissectContext *ctx,
              DnsState            *state,
              const guint8        *message,
              gsize                len,
              gsize                offset,
              const NtpacFrameSet *frames,
              gboolean             duplicate)
{
  NtpacRecordBuilder *record = ntpac_dissect_context_begin_record (ctx);
  g_autofree gchar *qname = NULL;
  gboolean parsed;

  g_ptr_array_set_size (state->anomalies, 0);
  ntpac_record_builder_add_string (record, "protocol", ntpac_dns_flavour_to_string (state->flavour), -1);
  parsed = ntpac_dns_message_write_flavour (record, message, len, state->flavour, state->anomalies, &qname);
  for (guint i = 0; i < state->anomalies->len; i++)
    ntpac_dissect_context_anomaly (ctx, state->anomalies->pdata[i], offset);
  if (!parsed)
    {
      ntpac_dissect_context_discard_record (ctx, record);
      return;
    }
  if (duplicate)
    ntpac_record_builder_add_boolean (record, "duplicate", TRUE);
  ntpac_dissect_context_emit_record (ctx, "dns", record, frames, qname);
}

/* A datagram is one message, whatever its content. */
static NtpacDissectResult
dissect_datagram (NtpacDissectContext *ctx,
                  DnsState            *state,
                  NtpacCursor         *cursor)
{
  const NtpacConversation *conversation = ntpac_dissect_context_get_conversation (ctx);
  gsize len = ntpac_cursor_remaining (cursor);
  const guint8 *message;
  /* A copy of the datagram before it (udp.duplicate) is recorded too,
   * marked, as tshark lists both. */
  gboolean duplicate = conversation->pdu != NULL && conversation->pdu->duplicate;

  if (!ntpac_cursor_get_bytes (cursor, len, &message))
    return ntpac_cursor_result (cursor);
  emit_message (ctx, state, message, len, 0, NULL, duplicate);
  return NTPAC_DISSECT_OK (len);
}

/* Whole length-prefixed messages, as many as are there. */
static NtpacDissectResult
dissect_stream (NtpacDissectContext *ctx,
                DnsState            *state,
                NtpacDirection       direction,
                NtpacCursor         *cursor)
{
  gsize total = ntpac_cursor_remaining (cursor);

  state->under_way[direction] = FALSE;
  while (ntpac_cursor_remaining (cursor) > 0)
    {
      gsize start = ntpac_cursor_tell (cursor);
      gsize msg_offset, msg_len, needed;
      const guint8 *framed;

      switch (ntpac_dns_tcp_next (ntpac_cursor_here (cursor), ntpac_cursor_remaining (cursor),
                                  &msg_offset, &msg_len, &needed))
        {
        case NTPAC_DNS_TCP_INCOMPLETE:
          state->under_way[direction] = TRUE;
          return NTPAC_DISSECT_INCOMPLETE (start, start + needed);
        case NTPAC_DNS_TCP_MALFORMED:
          ntpac_dissect_context_anomaly (ctx, DNS_ANOMALY_BAD_LENGTH_PREFIX, start);
          state->stopped[direction] = TRUE;
          return NTPAC_DISSECT_OK (total);
        case NTPAC_DNS_TCP_OK:
        default:
          break;
        }
      if (!ntpac_cursor_get_bytes (cursor, msg_offset + msg_len, &framed))
        return ntpac_cursor_result (cursor);
      ntpac_frame_set_clear (state->frames);
      ntpac_dissect_context_add_frames (ctx, state->frames, start, msg_offset + msg_len);
      emit_message (ctx, state, framed + msg_offset, msg_len, start, state->frames, FALSE);
    }
  return NTPAC_DISSECT_OK (total);
}

static NtpacDissectResult
ntpac_dns_dissector_dissect (NtpacDissector      *dissector,
                             NtpacDissectContext *ctx,
                             gpointer             data,
                             NtpacDirection       direction,
                             NtpacCursor         *cursor)
{
  DnsState *state = data;
  const NtpacConversation *conversation = ntpac_dissect_context_get_conversation (ctx);

  if (conversation->transport != NTPAC_TRANSPORT_TCP)
    return dissect_datagram (ctx, state, cursor);
  if (state->stopped[direction])
    return NTPAC_DISSECT_OK (ntpac_cursor_remaining (cursor));
  return dissect_stream (ctx, state, direction, cursor);
}

/* Nothing tells where a message starts after lost bytes: the direction
 * is read no further. */
static void
ntpac_dns_dissector_gap (NtpacDissector      *dissector,
                         NtpacDissectContext *ctx,
                         gpointer             data,
                         NtpacDirection       direction,
                         guint64              missing)
{
  DnsState *state = data;

  if (state->stopped[direction])
    return;
  ntpac_dissect_context_anomaly (ctx, DNS_ANOMALY_GAP, 0);
  state->stopped[direction] = TRUE;
  state->under_way[direction] = FALSE;
}

static void
ntpac_dns_dissector_conversation_end (NtpacDissector      *dissector,
                                      NtpacDissectContext *ctx,
                                      gpointer             data)
{
  DnsState *state = data;

  if (state == NULL)
    return;
  /* A stream that ended inside a message. */
  for (guint d = 0; d < 2; d++)
    if (state->under_way[d] && !state->stopped[d])
      ntpac_dissect_context_anomaly (ctx, NTPAC_DNS_ANOMALY_TRUNCATED, 0);
  ntpac_frame_set_free (state->frames);
  g_ptr_array_unref (state->anomalies);
  g_free (state);
}

static void
ntpac_dns_dissector_class_init (NtpacDnsDissectorClass *klass)
{
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  ntpac_dissector_class_set_metadata (dc, "dns", "Domain Name System");
  /* DNS and the protocols that share its messages (NetBIOS name service
   * over UDP and TCP, mDNS over UDP, LLMNR over both). */
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_UDP_DATAGRAM, "53,137,5353,5355");
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_TCP_STREAM, "53,137,5355");
  ntpac_dissector_class_add_output (dc, "dns", "DNS messages, one record each");
  for (guint i = 0; i < G_N_ELEMENTS (dns_anomalies); i++)
    ntpac_dissector_class_add_anomaly (dc, dns_anomalies[i].id, dns_anomalies[i].severity,
                                       dns_anomalies[i].description);
  dc->probe = ntpac_dns_dissector_probe;
  dc->conversation_start = ntpac_dns_dissector_conversation_start;
  dc->dissect = ntpac_dns_dissector_dissect;
  dc->gap = ntpac_dns_dissector_gap;
  dc->conversation_end = ntpac_dns_dissector_conversation_end;
}

static void
ntpac_dns_dissector_init (NtpacDnsDissector *self)
{
}
