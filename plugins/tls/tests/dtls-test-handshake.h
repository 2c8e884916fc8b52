/* dtls-test-handshake.h: a DTLS 1.2 handshake run by OpenSSL in the
 * process, written to a capture file
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DTLS_TEST_HANDSHAKE_ERROR (dtls_test_handshake_error_quark ())

/* What the two ends are given. */
#define DTLS_TEST_SERVER_NAME "dtls.test"
#define DTLS_TEST_ALT_NAME "alt.dtls.test"
#define DTLS_TEST_ALPN "webrtc"
#define DTLS_TEST_SERIAL_HEX "4e74706163d7150c0a7e5a11c2b3a4958677f801"
#define DTLS_TEST_CLIENT_ADDRESS "127.0.0.1"
#define DTLS_TEST_CLIENT_PORT 40000
#define DTLS_TEST_SERVER_ADDRESS "127.0.0.1"
#define DTLS_TEST_SERVER_PORT 14433
#define DTLS_TEST_CLIENT_DATA "hello from the client\n"
#define DTLS_TEST_SERVER_DATA "hello from the server\n"

/**
 * DtlsTestOptions:
 * @link_mtu: the link MTU both ends use (IPv4 and UDP headers included);
 *   0 for 400
 * @stun: a STUN binding request and success response before the
 *   handshake and another pair before the application data, on the
 *   same 5-tuple (as WebRTC's ICE checks and consent freshness)
 *
 * How dtls_test_handshake_write() runs the handshake.
 */
typedef struct
{
  guint link_mtu;
  gboolean stun;
} DtlsTestOptions;

/**
 * DtlsTestHandshake:
 * @version: the protocol version OpenSSL negotiated (0xfefd)
 * @cipher: the negotiated cipher suite, as on the wire
 * @alpn: (nullable): the protocol the server selected
 * @subject: the certificate's subject, as "CN=…"
 * @serial_hex: the certificate's serial number, lower-case hex
 * @certificate_sha256: SHA-256 of the certificate's DER, lower-case hex
 * @hello_verify: whether the server sent a HelloVerifyRequest
 * @n_frames: frames written
 * @n_stun_frames: of which STUN messages
 * @n_client_hellos: ClientHello messages the client sent
 * @n_certificate_fragments: handshake fragments carrying the Certificate
 * @n_certificate_datagrams: datagrams carrying those fragments
 * @n_application_records: application data records, both ways
 *
 * What happened in the handshake a test generated.
 */
typedef struct
{
  guint16 version;
  guint16 cipher;
  gchar *alpn;
  gchar *subject;
  gchar *serial_hex;
  gchar *certificate_sha256;
  gboolean hello_verify;
  guint n_frames;
  guint n_stun_frames;
  guint n_client_hellos;
  guint n_certificate_fragments;
  guint n_certificate_datagrams;
  guint n_application_records;
} DtlsTestHandshake;

GQuark   dtls_test_handshake_error_quark (void);

void     dtls_test_handshake_clear (DtlsTestHandshake     *self);
gboolean dtls_test_handshake_write (const DtlsTestOptions *options,
                                    const gchar           *path,
                                    DtlsTestHandshake     *out,
                                    GError               **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DtlsTestHandshake, dtls_test_handshake_clear)

G_END_DECLS
