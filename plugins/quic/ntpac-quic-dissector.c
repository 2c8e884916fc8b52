/* ntpac-quic-dissector.c: the `quic` dissector
 *
 * QUIC v1 (RFC 9000, RFC 9001) and v2 (RFC 9369) connections on any UDP
 * port, recognised by their Initial packets: the version, the connection
 * ids, and the TLS ClientHello and ServerHello their CRYPTO frames carry
 * (server name, ALPN, JA3, JA4), as ntpac-quic-initial.c reads them. Each
 * UDP datagram is a PDU of its own; one `quic` record per conversation is
 * written when it ends, with the frames of the datagrams that held
 * Initial packets.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-quic-dissector.h"
#include "ntpac-quic-initial.h"

struct _NtpacQuicDissector
{
  NtpacDissector parent_instance;
};

typedef struct
{
  NtpacQuicConnection *connection;
  NtpacFrameSet       *frames;
  GPtrArray           *anomalies;
} QuicState;

G_DEFINE_FINAL_TYPE (NtpacQuicDissector, ntpac_quic_dissector, NTPAC_TYPE_DISSECTOR)

static const struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} quic_anomalies[] = {
  { NTPAC_QUIC_ANOMALY_MALFORMED_PACKET, NTPAC_SEVERITY_ERROR,
    "A QUIC long header that does not fit its datagram: the rest of the datagram is not read" },
  { NTPAC_QUIC_ANOMALY_DECRYPT_FAILED, NTPAC_SEVERITY_WARNING,
    "A QUIC Initial packet that does not decrypt with the connection's Initial keys: skipped" },
  { NTPAC_QUIC_ANOMALY_MALFORMED_FRAME, NTPAC_SEVERITY_WARNING,
    "A frame of a QUIC Initial packet that does not match its structure: the rest of the packet is not read" },
  { NTPAC_QUIC_ANOMALY_UNEXPECTED_FRAME, NTPAC_SEVERITY_WARNING,
    "A frame type a QUIC Initial packet may not carry: the rest of the packet is not read" },
  { NTPAC_QUIC_ANOMALY_CRYPTO_LIMIT, NTPAC_SEVERITY_WARNING,
    "QUIC CRYPTO data too far ahead of what was reassembled: dropped" },
  { NTPAC_QUIC_ANOMALY_CRYPTO_GAP, NTPAC_SEVERITY_ERROR,
    "QUIC CRYPTO data was missing: the handshake messages after the hole were not read" },
  { NTPAC_QUIC_ANOMALY_MALFORMED_HANDSHAKE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message in QUIC CRYPTO frames does not match its structure" },
  { NTPAC_QUIC_ANOMALY_HANDSHAKE_TOO_LARGE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message in QUIC CRYPTO frames larger than 1 MiB: skipped" },
  { NTPAC_QUIC_ANOMALY_UNEXPECTED_MESSAGE, NTPAC_SEVERITY_WARNING,
    "A TLS handshake message in QUIC CRYPTO frames from the wrong side, or repeated" },
};

static gboolean
ntpac_quic_dissector_probe (NtpacDissector    *dissector,
                            NtpacDissectInput  input,
                            NtpacDirection     direction,
                            const guint8      *data,
                            gsize              len,
                            gboolean           port_hint)
{
  return ntpac_quic_probe (data, len);
}

static gpointer
ntpac_quic_dissector_conversation_start (NtpacDissector      *dissector,
                                         NtpacDissectContext *ctx)
{
  QuicState *state = g_new0 (QuicState, 1);

  state->connection = ntpac_quic_connection_new ();
  state->frames = ntpac_frame_set_new ();
  state->anomalies = g_ptr_array_new ();
  return state;
}

static void
report (NtpacDissectContext *ctx,
        QuicState           *state)
{
  for (guint i = 0; i < state->anomalies->len; i++)
    ntpac_dissect_context_anomaly (ctx, state->anomalies->pdata[i], 0);
  g_ptr_array_set_size (state->anomalies, 0);
}

static NtpacDissectResult
ntpac_quic_dissector_dissect (NtpacDissector      *dissector,
                              NtpacDissectContext *ctx,
                              gpointer             data,
                              NtpacDirection       direction,
                              NtpacCursor         *cursor)
{
  QuicState *state = data;
  gsize len = ntpac_cursor_remaining (cursor);
  const guint8 *bytes;

  if (!ntpac_cursor_get_bytes (cursor, len, &bytes))
    return ntpac_cursor_result (cursor);
  if (ntpac_quic_connection_feed (state->connection, direction == NTPAC_DIRECTION_UP,
                                  bytes, len, state->anomalies))
    ntpac_dissect_context_add_frames (ctx, state->frames, 0, len);
  report (ctx, state);
  return NTPAC_DISSECT_OK (len);
}

static void
ntpac_quic_dissector_conversation_end (NtpacDissector      *dissector,
                                       NtpacDissectContext *ctx,
                                       gpointer             data)
{
  QuicState *state = data;
  GVariant *record;

  if (state == NULL)
    return;
  record = ntpac_quic_connection_finish (state->connection, state->anomalies);
  report (ctx, state);
  if (record != NULL)
    {
      const gchar *sni = NULL;

      g_variant_ref_sink (record);
      if (!g_variant_lookup (record, "sni", "&s", &sni) || sni[0] == '\0')
        sni = NULL;
      ntpac_dissect_context_emit (ctx, "quic", record, state->frames, sni);
      g_variant_unref (record);
    }
  ntpac_quic_connection_free (state->connection);
  ntpac_frame_set_free (state->frames);
  g_ptr_array_unref (state->anomalies);
  g_free (state);
}

static void
ntpac_quic_dissector_class_init (NtpacQuicDissectorClass *klass)
{
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  ntpac_dissector_class_set_metadata (dc, "quic", "QUIC connections, from their Initial packets");
  /* HTTP/3, its alternative port, DNS over QUIC (RFC 9250). */
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_UDP_DATAGRAM, "443,8443,853");
  ntpac_dissector_class_add_output (dc, "quic", "QUIC connections, one record each");
  for (guint i = 0; i < G_N_ELEMENTS (quic_anomalies); i++)
    ntpac_dissector_class_add_anomaly (dc, quic_anomalies[i].id, quic_anomalies[i].severity,
                                       quic_anomalies[i].description);
  dc->probe = ntpac_quic_dissector_probe;
  dc->conversation_start = ntpac_quic_dissector_conversation_start;
  dc->dissect = ntpac_quic_dissector_dissect;
  dc->conversation_end = ntpac_quic_dissector_conversation_end;
}

static void
ntpac_quic_dissector_init (NtpacQuicDissector *self)
{
}
