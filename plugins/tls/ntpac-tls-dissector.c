/* ntpac-tls-dissector.c: the `tls` dissector
 *
 * Transport Layer Security handshakes, TLS 1.0 to 1.3 (RFC 2246, RFC 4346,
 * RFC 5246, RFC 8446), and SSLv2-compatible ClientHellos: the server name
 * (RFC 6066), ALPN (RFC 7301), the negotiated version, the JA3 and JA4
 * fingerprints of the client and the server's certificate chain (RFC
 * 5280), as ntpac-tls-parser.c reads them. Both directions of a
 * conversation feed one parser; each handshake it finishes becomes a
 * `tls` record, with the frames that carried its bytes. Once a direction
 * is encrypted its bytes are consumed unread: application data costs
 * nothing but the copy into the stream.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-tls-dissector.h"
#include "ntpac-tls-parser.h"

#define TLS_CONTENT_HANDSHAKE        22
#define TLS_HANDSHAKE_CLIENT_HELLO   1
#define TLS_HANDSHAKE_SERVER_HELLO   2
#define TLS_MAX_PLAINTEXT            16384
/* Bytes ntpac_tls_probe() needs to say yes to a TLS ClientHello, and to
 * an SSLv2-compatible one. */
#define TLS_PROBE_MIN                11
#define SSLV2_PROBE_MIN              15

struct _NtpacTlsDissector
{
  NtpacDissector parent_instance;
};

/* One conversation. */
typedef struct
{
  NtpacTlsParser *parser;     /* both directions */
  NtpacFrameSet  *frames;     /* of the handshake bytes since the last record */
  GPtrArray      *anomalies;  /* scratch: ids from the parser */
  gsize           held[2];    /* [direction]: bytes offered, not consumed */
} TlsState;

G_DEFINE_FINAL_TYPE (NtpacTlsDissector, ntpac_tls_dissector, NTPAC_TYPE_DISSECTOR)

static const struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} tls_anomalies[] = {
  { NTPAC_TLS_ANOMALY_MALFORMED_RECORD, NTPAC_SEVERITY_ERROR,
    "Bytes that are not a TLS record: the rest of that direction is not read" },
  { NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message does not match its structure: its fields are left out" },
  { NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message larger than 1 MiB: skipped" },
  { NTPAC_TLS_ANOMALY_BAD_CERTIFICATE, NTPAC_SEVERITY_WARNING,
    "A certificate that cannot be parsed: only its SHA-256 is recorded" },
  { NTPAC_TLS_ANOMALY_GAP, NTPAC_SEVERITY_ERROR,
    "Bytes lost in a TLS stream cost handshake data" },
  { NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message from the wrong side, or repeated: ignored" },
  { NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES, NTPAC_SEVERITY_INFO,
    "More than 32 TLS handshakes on one connection: later ones are not read" },
  { NTPAC_TLS_ANOMALY_TOO_MANY_CERTIFICATES, NTPAC_SEVERITY_INFO,
    "A certificate chain longer than 16: the extra certificates are left out" },
};

/* A handshake record header, as far as @len bytes go: content type,
 * version 3.x, a plausible length and, if there, the handshake type. */
static gboolean
handshake_record_start (const guint8 *data,
                        gsize         len,
                        guint8        handshake_type)
{
  NtpacCursor c;
  guint8 type, major, minor, message;
  guint16 length;

  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u8 (&c, &type) || type != TLS_CONTENT_HANDSHAKE)
    return FALSE;
  if (!ntpac_cursor_get_u8 (&c, &major))
    return TRUE;
  if (major != 3)
    return FALSE;
  if (!ntpac_cursor_get_u8 (&c, &minor))
    return TRUE;
  if (minor > 4)
    return FALSE;
  if (!ntpac_cursor_get_u16_be (&c, &length))
    return TRUE;
  if (length < 4 || length > TLS_MAX_PLAINTEXT)
    return FALSE;
  if (!ntpac_cursor_get_u8 (&c, &message))
    return TRUE;
  return message == handshake_type;
}

/* With a port hint, a first client segment shorter than the probe needs
 * is accepted if it is the start of a ClientHello record, or of an
 * SSLv2-compatible ClientHello (a 2-byte header with the top bit set,
 * then CLIENT-HELLO). */
static gboolean
client_start_plausible (const guint8 *data,
                        gsize         len)
{
  if (len == 0)
    return FALSE;
  if ((data[0] & 0x80) != 0)
    return len < SSLV2_PROBE_MIN && (len < 3 || data[2] == 1);
  return len < TLS_PROBE_MIN &&
         handshake_record_start (data, len, TLS_HANDSHAKE_CLIENT_HELLO);
}

static gboolean
ntpac_tls_dissector_probe (NtpacDissector    *dissector,
                           NtpacDissectInput  input,
                           NtpacDirection     direction,
                           const guint8      *data,
                           gsize              len,
                           gboolean           port_hint)
{
  if (direction == NTPAC_DIRECTION_UP)
    return ntpac_tls_probe (data, len) ||
           (port_hint && client_start_plausible (data, len));
  /* The client's first bytes were not seen: with a port hint, a server
   * that starts with a ServerHello record is taken. */
  return port_hint && handshake_record_start (data, len, TLS_HANDSHAKE_SERVER_HELLO);
}

static gpointer
ntpac_tls_dissector_conversation_start (NtpacDissector      *dissector,
                                        NtpacDissectContext *ctx)
{
  TlsState *state = g_new0 (TlsState, 1);

  state->parser = ntpac_tls_parser_new ();
  state->frames = ntpac_frame_set_new ();
  state->anomalies = g_ptr_array_new ();
  return state;
}

/* Reports the anomalies the parser found at @offset of the current call's
 * data, and emits the handshakes it finished. */
static void
flush (NtpacDissectContext *ctx,
       TlsState            *state,
       gsize                offset)
{
  GVariant *record;
  gboolean emitted = FALSE;

  for (guint i = 0; i < state->anomalies->len; i++)
    ntpac_dissect_context_anomaly (ctx, state->anomalies->pdata[i], offset);
  g_ptr_array_set_size (state->anomalies, 0);

  while ((record = ntpac_tls_parser_take_record (state->parser)) != NULL)
    {
      const gchar *sni = NULL;

      g_variant_ref_sink (record);
      if (!g_variant_lookup (record, "sni", "&s", &sni) || sni[0] == '\0')
        sni = NULL;
      ntpac_dissect_context_emit (ctx, "tls", record, state->frames, sni);
      g_variant_unref (record);
      emitted = TRUE;
    }
  if (emitted)
    ntpac_frame_set_clear (state->frames);
}

static NtpacDissectResult
ntpac_tls_dissector_dissect (NtpacDissector      *dissector,
                             NtpacDissectContext *ctx,
                             gpointer             data,
                             NtpacDirection       direction,
                             NtpacCursor         *cursor)
{
  TlsState *state = data;
  gboolean from_client = direction == NTPAC_DIRECTION_UP;
  gsize len = ntpac_cursor_remaining (cursor);
  gsize consumed = 0, needed = 0;
  NtpacTlsStatus status;
  const guint8 *bytes;

  /* Encrypted, or no longer parsed: nothing more to learn here. */
  state->held[direction] = 0;
  if (ntpac_tls_parser_is_done (state->parser, from_client))
    return NTPAC_DISSECT_OK (len);

  if (!ntpac_cursor_get_bytes (cursor, len, &bytes))
    return ntpac_cursor_result (cursor);
  status = ntpac_tls_parser_feed (state->parser, from_client, bytes, len, &consumed, &needed,
                                  state->anomalies);
  if (consumed > 0)
    ntpac_dissect_context_add_frames (ctx, state->frames, 0, consumed);
  flush (ctx, state, consumed > 0 ? consumed - 1 : 0);

  if (status != NTPAC_TLS_STATUS_INCOMPLETE)
    return NTPAC_DISSECT_OK (len);  /* all of it, MALFORMED included */
  /* The parser holds nothing of a partial record: it is offered again
   * whole. Asking for it after every new byte rather than once @needed
   * are there keeps held[] exact, which ntpac_tls_parser_gap() needs:
   * bytes the stage held back unseen would be dropped uncounted. */
  state->held[direction] = len - consumed;
  return NTPAC_DISSECT_INCOMPLETE (consumed, len + 1);
}

static void
ntpac_tls_dissector_gap (NtpacDissector      *dissector,
                         NtpacDissectContext *ctx,
                         gpointer             data,
                         NtpacDirection       direction,
                         guint64              missing)
{
  TlsState *state = data;
  gboolean from_client = direction == NTPAC_DIRECTION_UP;
  gsize held = state->held[direction];

  state->held[direction] = 0;
  if (ntpac_tls_parser_is_done (state->parser, from_client))
    return;
  /* The parser counts the lost bytes from the end of those it consumed:
   * the ones it left, now dropped, are lost too. */
  ntpac_tls_parser_gap (state->parser, from_client,
                        (gsize) MIN (missing, (guint64) (G_MAXSIZE - held)) + held,
                        state->anomalies);
  flush (ctx, state, 0);
}

static void
ntpac_tls_dissector_conversation_end (NtpacDissector      *dissector,
                                      NtpacDissectContext *ctx,
                                      gpointer             data)
{
  TlsState *state = data;

  if (state == NULL)
    return;
  ntpac_tls_parser_finish (state->parser);
  flush (ctx, state, 0);
  ntpac_tls_parser_free (state->parser);
  ntpac_frame_set_free (state->frames);
  g_ptr_array_unref (state->anomalies);
  g_free (state);
}

static void
ntpac_tls_dissector_class_init (NtpacTlsDissectorClass *klass)
{
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  ntpac_dissector_class_set_metadata (dc, "tls", "Transport Layer Security handshakes");
  /* HTTPS, its alternative port, SMTPS, IMAPS, POP3S, LDAPS, FTPS data
   * and control, telnets, IRCS, SIP over TLS, DNS over TLS. */
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_TCP_STREAM,
                                   "443,8443,465,993,995,636,989,990,992,994,5061,853");
  ntpac_dissector_class_add_output (dc, "tls", "TLS handshakes, one record each");
  for (guint i = 0; i < G_N_ELEMENTS (tls_anomalies); i++)
    ntpac_dissector_class_add_anomaly (dc, tls_anomalies[i].id, tls_anomalies[i].severity,
                                       tls_anomalies[i].description);
  dc->probe = ntpac_tls_dissector_probe;
  dc->conversation_start = ntpac_tls_dissector_conversation_start;
  dc->dissect = ntpac_tls_dissector_dissect;
  dc->gap = ntpac_tls_dissector_gap;
  dc->conversation_end = ntpac_tls_dissector_conversation_end;
}

static void
ntpac_tls_dissector_init (NtpacTlsDissector *self)
{
}
