/* ntpac-dtls-dissector.c: the `dtls` dissector
 *
 * Datagram Transport Layer Security handshakes, DTLS 1.0 to 1.3 (RFC
 * 6347, RFC 9147), on any UDP port, as ntpac-dtls-parser.c reads them:
 * the server name, ALPN, JA3 and JA4 of the client, the version and
 * cipher the server chose, its certificate chain. Each UDP datagram is a
 * PDU of its own. STUN, TURN channels and SRTP that share the 5-tuple
 * (WebRTC, RFC 7983) are told apart by their first byte, so a flow that
 * starts with ICE connectivity checks still gives its DTLS handshake;
 * such a flow's protocol is `stun` until a DTLS record is seen, then
 * `dtls`.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-dtls-dissector.h"
#include "ntpac-dtls-parser.h"

struct _NtpacDtlsDissector
{
  NtpacDissector parent_instance;
};

typedef struct
{
  NtpacDtlsParser *parser;
  NtpacFrameSet   *frames;     /* of the datagrams since the last record */
  GPtrArray       *anomalies;  /* scratch */
  gboolean         dtls;       /* the protocol was set to dtls */
} DtlsState;

G_DEFINE_FINAL_TYPE (NtpacDtlsDissector, ntpac_dtls_dissector, NTPAC_TYPE_DISSECTOR)

static const struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} dtls_anomalies[] = {
  { NTPAC_DTLS_ANOMALY_MALFORMED_RECORD, NTPAC_SEVERITY_ERROR,
    "Bytes that are not a DTLS record: the rest of the datagram is not read" },
  { NTPAC_DTLS_ANOMALY_MALFORMED_FRAGMENT, NTPAC_SEVERITY_WARNING,
    "A DTLS handshake fragment that does not fit its record or its message: ignored" },
  { NTPAC_DTLS_ANOMALY_FRAGMENT_MISMATCH, NTPAC_SEVERITY_WARNING,
    "DTLS handshake fragments of one message disagree: the first bytes are kept" },
  { NTPAC_DTLS_ANOMALY_REASSEMBLY_LIMIT, NTPAC_SEVERITY_WARNING,
    "Too many DTLS handshake messages or bytes awaiting reassembly: a fragment was dropped" },
  { "dtls.malformed-handshake", NTPAC_SEVERITY_WARNING,
    "A DTLS handshake message does not match its structure: its fields are left out" },
  { "dtls.handshake-too-large", NTPAC_SEVERITY_WARNING,
    "A DTLS handshake message larger than 1 MiB: skipped" },
  { "dtls.bad-certificate", NTPAC_SEVERITY_WARNING,
    "A certificate that cannot be parsed: only its SHA-256 is recorded" },
  { "dtls.gap", NTPAC_SEVERITY_ERROR,
    "DTLS handshake messages were never seen whole: the handshake is incomplete" },
  { "dtls.unexpected-message", NTPAC_SEVERITY_WARNING,
    "A DTLS handshake message from the wrong side, or repeated: ignored" },
  { "dtls.too-many-handshakes", NTPAC_SEVERITY_INFO,
    "More than 32 DTLS handshakes on one conversation: later ones are not read" },
  { "dtls.too-many-certificates", NTPAC_SEVERITY_INFO,
    "A certificate chain longer than 16: the extra certificates are left out" },
};

static gboolean
ntpac_dtls_dissector_probe (NtpacDissector    *dissector,
                            NtpacDissectInput  input,
                            NtpacDirection     direction,
                            const guint8      *data,
                            gsize              len,
                            gboolean           port_hint)
{
  /* STUN is taken too: WebRTC runs its ICE checks before the DTLS
   * handshake on the same 5-tuple, and only a few datagrams are probed. */
  return ntpac_dtls_probe (data, len) || ntpac_dtls_probe_stun (data, len);
}

static gpointer
ntpac_dtls_dissector_conversation_start (NtpacDissector      *dissector,
                                         NtpacDissectContext *ctx)
{
  DtlsState *state = g_new0 (DtlsState, 1);

  state->parser = ntpac_dtls_parser_new ();
  state->frames = ntpac_frame_set_new ();
  state->anomalies = g_ptr_array_new ();
  return state;
}

static void
flush (NtpacDissectContext *ctx,
       DtlsState           *state)
{
  GVariant *record;
  gboolean emitted = FALSE;

  for (guint i = 0; i < state->anomalies->len; i++)
    ntpac_dissect_context_anomaly (ctx, state->anomalies->pdata[i], 0);
  g_ptr_array_set_size (state->anomalies, 0);

  while ((record = ntpac_dtls_parser_take_record (state->parser)) != NULL)
    {
      const gchar *sni = NULL;

      g_variant_ref_sink (record);
      if (!g_variant_lookup (record, "sni", "&s", &sni) || sni[0] == '\0')
        sni = NULL;
      ntpac_dissect_context_emit (ctx, "dtls", record, state->frames, sni);
      g_variant_unref (record);
      emitted = TRUE;
    }
  if (emitted)
    ntpac_frame_set_clear (state->frames);
}

static NtpacDissectResult
ntpac_dtls_dissector_dissect (NtpacDissector      *dissector,
                              NtpacDissectContext *ctx,
                              gpointer             data,
                              NtpacDirection       direction,
                              NtpacCursor         *cursor)
{
  DtlsState *state = data;
  gsize len = ntpac_cursor_remaining (cursor);
  const guint8 *bytes;
  NtpacDtlsDatagram kind;

  if (!ntpac_cursor_get_bytes (cursor, len, &bytes))
    return ntpac_cursor_result (cursor);
  kind = ntpac_dtls_parser_feed (state->parser, direction == NTPAC_DIRECTION_UP, bytes, len,
                                 state->anomalies);
  if (ntpac_dtls_parser_seen_dtls (state->parser))
    {
      if (!state->dtls)
        ntpac_dissect_context_set_protocol (ctx, "dtls");
      state->dtls = TRUE;
    }
  else if (kind == NTPAC_DTLS_DATAGRAM_STUN)
    ntpac_dissect_context_set_protocol (ctx, "stun");
  if (kind == NTPAC_DTLS_DATAGRAM_DTLS || kind == NTPAC_DTLS_DATAGRAM_TURN_CHANNEL)
    ntpac_dissect_context_add_frames (ctx, state->frames, 0, len);
  flush (ctx, state);
  return NTPAC_DISSECT_OK (len);
}

static void
ntpac_dtls_dissector_conversation_end (NtpacDissector      *dissector,
                                       NtpacDissectContext *ctx,
                                       gpointer             data)
{
  DtlsState *state = data;

  if (state == NULL)
    return;
  ntpac_dtls_parser_finish (state->parser, state->anomalies);
  flush (ctx, state);
  ntpac_dtls_parser_free (state->parser);
  ntpac_frame_set_free (state->frames);
  g_ptr_array_unref (state->anomalies);
  g_free (state);
}

static void
ntpac_dtls_dissector_class_init (NtpacDtlsDissectorClass *klass)
{
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  ntpac_dissector_class_set_metadata (dc, "dtls", "Datagram Transport Layer Security handshakes");
  /* DTLS VPNs, DNS over DTLS, the test port of OpenSSL, STUN/TURN
   * (WebRTC), TURNS, CoAPS, syslog over DTLS. */
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_UDP_DATAGRAM,
                                   "443,853,4433,3478,5349,5684,6514");
  ntpac_dissector_class_add_output (dc, "dtls", "DTLS handshakes, one record each");
  for (guint i = 0; i < G_N_ELEMENTS (dtls_anomalies); i++)
    ntpac_dissector_class_add_anomaly (dc, dtls_anomalies[i].id, dtls_anomalies[i].severity,
                                       dtls_anomalies[i].description);
  dc->probe = ntpac_dtls_dissector_probe;
  dc->conversation_start = ntpac_dtls_dissector_conversation_start;
  dc->dissect = ntpac_dtls_dissector_dissect;
  dc->conversation_end = ntpac_dtls_dissector_conversation_end;
}

static void
ntpac_dtls_dissector_init (NtpacDtlsDissector *self)
{
}
