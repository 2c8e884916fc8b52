/* dtls-test-handshake.c: a DTLS 1.2 handshake run by OpenSSL in the
 * process, written to a capture file
 *
 * A client and a server SSL object talk through a BIO of our own that
 * keeps each write as one datagram (RFC 6347 §4.1.1: records never cross
 * datagrams) and hands datagrams to the other end one per read. The
 * server has a self-signed RSA certificate made in memory and asks for a
 * cookie (HelloVerifyRequest, RFC 6347 §4.2.1); the client sends SNI and
 * ALPN; a small MTU cuts the server's Certificate into fragments over
 * several datagrams (RFC 6347 §4.2.3). After the handshake each side
 * sends one application data record. Every datagram, in the order the
 * two ends wrote them, becomes a UDP frame between two loopback
 * addresses in a classic pcap; nothing goes over a network.
 *
 * With the stun option, STUN binding requests and success responses
 * (RFC 5389) written byte by byte come before the handshake and before
 * the application data on the same 5-tuple, as WebRTC's ICE checks and
 * consent freshness do (RFC 7983 multiplexing).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "dtls-test-handshake.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ntpac-test-flow.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

#define DEFAULT_LINK_MTU 400
/* IPv4 and UDP headers, what BIO_dgram_get_mtu_overhead() says for a
 * UDP socket over IPv4. */
#define MTU_OVERHEAD 28
#define MAX_STEPS 64
#define START_NS G_GINT64_CONSTANT (1700000000000000000)
#define GAP_NS 250000

#define STUN_MAGIC_COOKIE 0x2112a442u

typedef struct
{
  NtpacTestDirection direction;
  GBytes *bytes;
  gboolean stun;
} Datagram;

typedef struct _Link Link;

typedef struct
{
  Link *link;
  NtpacTestDirection direction;  /* of what this end writes */
  GQueue inbox;                  /* GBytes, oldest first */
} End;

struct _Link
{
  End ends[2];                   /* by NtpacTestDirection */
  GPtrArray *datagrams;          /* Datagram, in the order written */
};

G_DEFINE_QUARK (dtls-test-handshake-error-quark, dtls_test_handshake_error)

static const guint8 cookie[16] = {
  0x63, 0x6f, 0x6f, 0x6b, 0x69, 0x65, 0x2d, 0x64,
  0x74, 0x6c, 0x73, 0x2d, 0x74, 0x65, 0x73, 0x74,
};

static void
datagram_free (gpointer data)
{
  Datagram *d = data;

  g_bytes_unref (d->bytes);
  g_free (d);
}

static void
link_add (Link               *link,
          NtpacTestDirection  direction,
          GBytes             *bytes,
          gboolean            stun)
{
  Datagram *d = g_new0 (Datagram, 1);

  d->direction = direction;
  d->bytes = bytes;
  d->stun = stun;
  g_ptr_array_add (link->datagrams, d);
}

/* The datagram BIO */

static int
end_bio_write (BIO        *bio,
               const char *data,
               int         len)
{
  End *end = BIO_get_data (bio);
  End *peer = &end->link->ends[1 - end->direction];
  GBytes *bytes;

  BIO_clear_retry_flags (bio);
  if (len <= 0)
    return 0;
  bytes = g_bytes_new (data, len);
  g_queue_push_tail (&peer->inbox, g_bytes_ref (bytes));
  link_add (end->link, end->direction, bytes, FALSE);
  return len;
}

static int
end_bio_read (BIO  *bio,
              char *buf,
              int   size)
{
  End *end = BIO_get_data (bio);
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const guint8 *data;

  BIO_clear_retry_flags (bio);
  bytes = g_queue_pop_head (&end->inbox);
  if (bytes == NULL)
    {
      BIO_set_retry_read (bio);
      return -1;
    }
  /* As recv() on a datagram socket: what does not fit is lost. */
  data = g_bytes_get_data (bytes, &len);
  len = MIN (len, (gsize) MAX (size, 0));
  memcpy (buf, data, len);
  return len;
}

static long
end_bio_ctrl (BIO  *bio,
              int   cmd,
              long  num,
              void *ptr)
{
  End *end = BIO_get_data (bio);

  (void) num;
  (void) ptr;
  switch (cmd)
    {
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
      return 1;
    case BIO_CTRL_PENDING:
      {
        GBytes *next = g_queue_peek_head (&end->inbox);

        return next != NULL ? (long) g_bytes_get_size (next) : 0;
      }
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return MTU_OVERHEAD;
    default:
      return 0;
    }
}

static BIO_METHOD *
end_bio_method_new (void)
{
  BIO_METHOD *method = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK,
                                     "ntpac test datagrams");

  g_assert_nonnull (method);
  g_assert_cmpint (BIO_meth_set_write (method, end_bio_write), ==, 1);
  g_assert_cmpint (BIO_meth_set_read (method, end_bio_read), ==, 1);
  g_assert_cmpint (BIO_meth_set_ctrl (method, end_bio_ctrl), ==, 1);
  return method;
}

/* The certificate */

static EVP_PKEY *
make_key (void)
{
  EVP_PKEY *key = EVP_RSA_gen (2048);

  g_assert_nonnull (key);
  return key;
}

static X509 *
make_certificate (EVP_PKEY *key)
{
  X509 *cert = X509_new ();
  X509_NAME *subject = X509_get_subject_name (cert);
  BIGNUM *serial = NULL;
  X509_EXTENSION *ext;
  X509V3_CTX ctx;

  g_assert_cmpint (BN_hex2bn (&serial, DTLS_TEST_SERIAL_HEX), >, 0);
  g_assert_cmpint (X509_set_version (cert, 2), ==, 1);
  g_assert_nonnull (BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)));
  BN_free (serial);
  g_assert_cmpint (X509_NAME_add_entry_by_txt (subject, "CN", MBSTRING_UTF8,
                                               (const guchar *) DTLS_TEST_SERVER_NAME,
                                               -1, -1, 0), ==, 1);
  g_assert_cmpint (X509_set_issuer_name (cert, subject), ==, 1);
  g_assert_nonnull (X509_gmtime_adj (X509_getm_notBefore (cert), -3600));
  g_assert_nonnull (X509_gmtime_adj (X509_getm_notAfter (cert), 30 * 86400));
  g_assert_cmpint (X509_set_pubkey (cert, key), ==, 1);
  X509V3_set_ctx (&ctx, cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, NID_subject_alt_name,
                             "DNS:" DTLS_TEST_SERVER_NAME ",DNS:" DTLS_TEST_ALT_NAME);
  g_assert_nonnull (ext);
  g_assert_cmpint (X509_add_ext (cert, ext, -1), ==, 1);
  X509_EXTENSION_free (ext);
  g_assert_cmpint (X509_sign (cert, key, EVP_sha256 ()), >, 0);
  return cert;
}

/* Callbacks of the two ends */

static int
generate_cookie (SSL           *ssl,
                 unsigned char *out,
                 unsigned int  *out_len)
{
  (void) ssl;
  memcpy (out, cookie, sizeof cookie);
  *out_len = sizeof cookie;
  return 1;
}

static int
verify_cookie (SSL                 *ssl,
               const unsigned char *in,
               unsigned int         in_len)
{
  (void) ssl;
  return in_len == sizeof cookie && memcmp (in, cookie, sizeof cookie) == 0;
}

static int
select_alpn (SSL                  *ssl,
             const unsigned char **out,
             unsigned char        *out_len,
             const unsigned char  *in,
             unsigned int          in_len,
             void                 *data)
{
  static const guint8 ours[] = "\x06" DTLS_TEST_ALPN;
  guint8 *selected = NULL;

  (void) ssl;
  (void) data;
  if (SSL_select_next_proto (&selected, out_len, ours, sizeof ours - 1,
                             in, in_len) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

/* Retransmission timers far in the future: the handshake runs in
 * microseconds and must not be retransmitted on a slow machine. */
static unsigned int
timer_cb (SSL          *ssl,
          unsigned int  timer_us)
{
  (void) ssl;
  (void) timer_us;
  return 60 * G_USEC_PER_SEC;
}

static SSL *
end_ssl_new (SSL_CTX    *ctx,
             BIO_METHOD *method,
             End        *end,
             guint       link_mtu)
{
  SSL *ssl = SSL_new (ctx);
  BIO *bio = BIO_new (method);

  g_assert_nonnull (ssl);
  g_assert_nonnull (bio);
  BIO_set_data (bio, end);
  BIO_set_init (bio, 1);
  SSL_set_bio (ssl, bio, bio);
  SSL_set_options (ssl, SSL_OP_NO_QUERY_MTU);
  g_assert_cmpint (DTLS_set_link_mtu (ssl, link_mtu), ==, 1);
  DTLS_set_timer_cb (ssl, timer_cb);
  return ssl;
}

/* One SSL_do_handshake() step; TRUE once the handshake is done. */
static gboolean
step (SSL         *ssl,
      const gchar *who,
      gboolean    *failed)
{
  int ret = SSL_do_handshake (ssl);
  int err;

  if (ret == 1)
    return TRUE;
  err = SSL_get_error (ssl, ret);
  if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
    {
      gchar text[256];

      ERR_error_string_n (ERR_get_error (), text, sizeof text);
      g_test_message ("%s: handshake failed (%d): %s", who, err, text);
      *failed = TRUE;
    }
  return FALSE;
}

/* Application data: @from writes @text, @to reads it back. */
static gboolean
send_data (SSL         *from,
           SSL         *to,
           const gchar *text)
{
  gsize len = strlen (text);
  gchar buf[256];
  int got;

  g_assert_cmpuint (len, <, sizeof buf);
  if (SSL_write (from, text, len) != (int) len)
    return FALSE;
  got = SSL_read (to, buf, sizeof buf);
  return got == (int) len && memcmp (buf, text, len) == 0;
}

/* STUN (RFC 5389 §6) */

static void
put_u16 (GByteArray *out,
         guint16     value)
{
  guint8 b[2] = { value >> 8, value & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 b[4] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, b, 4);
}

/* A Binding request (with SOFTWARE) or success response (with
 * XOR-MAPPED-ADDRESS of the client, RFC 5389 §15.2). */
static GBytes *
stun_binding (gboolean response,
              guint8   transaction)
{
  static const gchar software[] = "ntpac test";
  GByteArray *out = g_byte_array_new ();
  guint8 address[4];
  guint32 ip;

  put_u16 (out, response ? 0x0101 : 0x0001);
  put_u16 (out, 0);
  put_u32 (out, STUN_MAGIC_COOKIE);
  for (guint i = 0; i < 12; i++)
    g_byte_array_append (out, (guint8[]) { transaction + i * 17 }, 1);
  if (response)
    {
      ntpac_test_parse_ipv4 (DTLS_TEST_CLIENT_ADDRESS, address);
      ip = ((guint32) address[0] << 24) | (address[1] << 16) | (address[2] << 8) | address[3];
      put_u16 (out, 0x0020);
      put_u16 (out, 8);
      put_u16 (out, 0x0001);  /* reserved, IPv4 */
      put_u16 (out, DTLS_TEST_CLIENT_PORT ^ (STUN_MAGIC_COOKIE >> 16));
      put_u32 (out, ip ^ STUN_MAGIC_COOKIE);
    }
  else
    {
      gsize len = sizeof software - 1;

      put_u16 (out, 0x8022);
      put_u16 (out, len);
      g_byte_array_append (out, (const guint8 *) software, len);
      while (out->len % 4 != 0)
        g_byte_array_append (out, (guint8[]) { 0 }, 1);
    }
  out->data[2] = (out->len - 20) >> 8;
  out->data[3] = (out->len - 20) & 0xff;
  return g_byte_array_free_to_bytes (out);
}

static void
add_stun_exchange (Link   *link,
                   guint8  transaction)
{
  link_add (link, NTPAC_TEST_CLIENT_TO_SERVER, stun_binding (FALSE, transaction), TRUE);
  link_add (link, NTPAC_TEST_SERVER_TO_CLIENT, stun_binding (TRUE, transaction), TRUE);
}

/* What went over the wire: records and handshake fragments
 * (RFC 6347 §4.1, §4.2.2) of the plaintext epoch. */
static void
count_datagram (const Datagram    *d,
                DtlsTestHandshake *out)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (d->bytes, &len);
  gboolean certificate = FALSE;
  gsize at = 0;

  while (at + 13 <= len)
    {
      guint8 type = data[at];
      guint16 epoch = (data[at + 3] << 8) | data[at + 4];
      gsize record_len = (data[at + 11] << 8) | data[at + 12];
      gsize body = at + 13, end = body + record_len;

      g_assert_cmpuint (end, <=, len);
      if (type == 23)
        out->n_application_records++;
      while (type == 22 && epoch == 0 && body + 12 <= end)
        {
          guint8 msg_type = data[body];
          gsize fragment_len = (data[body + 9] << 16) | (data[body + 10] << 8) | data[body + 11];

          if (msg_type == 1 && d->direction == NTPAC_TEST_CLIENT_TO_SERVER &&
              data[body + 6] == 0 && data[body + 7] == 0 && data[body + 8] == 0)
            out->n_client_hellos++;
          if (msg_type == 3 && d->direction == NTPAC_TEST_SERVER_TO_CLIENT)
            out->hello_verify = TRUE;
          if (msg_type == 11 && d->direction == NTPAC_TEST_SERVER_TO_CLIENT)
            {
              out->n_certificate_fragments++;
              certificate = TRUE;
            }
          body += 12 + fragment_len;
        }
      at = end;
    }
  if (certificate)
    out->n_certificate_datagrams++;
}

static gboolean
write_capture (Link         *link,
               const gchar  *path,
               GError      **error)
{
  g_autoptr(NtpacTestPcapWriter) writer = NULL;
  g_autoptr(NtpacTestPacket) packet = ntpac_test_packet_new ();
  NtpacTestEndpoints ep;
  guint iface;

  ntpac_test_endpoints_init (&ep, DTLS_TEST_CLIENT_ADDRESS, DTLS_TEST_CLIENT_PORT,
                             DTLS_TEST_SERVER_ADDRESS, DTLS_TEST_SERVER_PORT);
  writer = ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAP,
                                            NTPAC_TEST_BYTE_ORDER_LITTLE, error);
  if (writer == NULL)
    return FALSE;
  iface = ntpac_test_pcap_writer_add_interface (writer, ep.link_type,
                                                NTPAC_TEST_DEFAULT_SNAPLEN);
  for (guint i = 0; i < link->datagrams->len; i++)
    {
      const Datagram *d = g_ptr_array_index (link->datagrams, i);
      gsize len, frame_len;
      const guint8 *data = g_bytes_get_data (d->bytes, &len);
      const guint8 *frame;

      ntpac_test_endpoints_build_udp (&ep, d->direction, data, len, packet);
      frame = ntpac_test_packet_get_data (packet, &frame_len);
      ntpac_test_pcap_writer_write (writer, iface, START_NS + (gint64) i * GAP_NS,
                                    frame, frame_len, frame_len);
    }
  return ntpac_test_pcap_writer_close (writer, error);
}

/**
 * dtls_test_handshake_clear:
 * @self: a result
 *
 * Frees what @self holds.
 */
void
dtls_test_handshake_clear (DtlsTestHandshake *self)
{
  g_clear_pointer (&self->alpn, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->serial_hex, g_free);
  g_clear_pointer (&self->certificate_sha256, g_free);
}

/**
 * dtls_test_handshake_write:
 * @options: (nullable): how to run it, %NULL for the defaults
 * @path: the capture file to write
 * @out: (out caller-allocates): what the handshake negotiated and what
 *   went over the wire; clear with dtls_test_handshake_clear()
 * @error: return location for a #GError
 *
 * Runs a DTLS 1.2 handshake between an OpenSSL client and server in this
 * process and writes every datagram they sent to @path.
 *
 * Returns: %TRUE when the handshake completed and @path was written
 */
gboolean
dtls_test_handshake_write (const DtlsTestOptions  *options,
                           const gchar            *path,
                           DtlsTestHandshake      *out,
                           GError                **error)
{
  static const guint8 alpn[] = "\x06" DTLS_TEST_ALPN;
  DtlsTestOptions defaults = { 0, };
  guint link_mtu;
  Link link = { 0, };
  BIO_METHOD *method;
  EVP_PKEY *key;
  X509 *cert;
  SSL_CTX *server_ctx, *client_ctx;
  SSL *server, *client;
  gboolean client_done = FALSE, server_done = FALSE, failed = FALSE, ok = FALSE;
  const unsigned char *selected;
  unsigned int selected_len;
  guint8 *der = NULL;
  int der_len;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    options = &defaults;
  link_mtu = options->link_mtu != 0 ? options->link_mtu : DEFAULT_LINK_MTU;
  memset (out, 0, sizeof *out);
  link.datagrams = g_ptr_array_new_with_free_func (datagram_free);
  for (guint i = 0; i < 2; i++)
    {
      link.ends[i].link = &link;
      link.ends[i].direction = i;
      g_queue_init (&link.ends[i].inbox);
    }

  method = end_bio_method_new ();
  key = make_key ();
  cert = make_certificate (key);

  server_ctx = SSL_CTX_new (DTLS_server_method ());
  g_assert_nonnull (server_ctx);
  g_assert_cmpint (SSL_CTX_set_min_proto_version (server_ctx, DTLS1_2_VERSION), ==, 1);
  g_assert_cmpint (SSL_CTX_set_max_proto_version (server_ctx, DTLS1_2_VERSION), ==, 1);
  g_assert_cmpint (SSL_CTX_use_certificate (server_ctx, cert), ==, 1);
  g_assert_cmpint (SSL_CTX_use_PrivateKey (server_ctx, key), ==, 1);
  SSL_CTX_set_options (server_ctx, SSL_OP_COOKIE_EXCHANGE);
  SSL_CTX_set_cookie_generate_cb (server_ctx, generate_cookie);
  SSL_CTX_set_cookie_verify_cb (server_ctx, verify_cookie);
  SSL_CTX_set_alpn_select_cb (server_ctx, select_alpn, NULL);

  client_ctx = SSL_CTX_new (DTLS_client_method ());
  g_assert_nonnull (client_ctx);
  g_assert_cmpint (SSL_CTX_set_min_proto_version (client_ctx, DTLS1_2_VERSION), ==, 1);
  g_assert_cmpint (SSL_CTX_set_max_proto_version (client_ctx, DTLS1_2_VERSION), ==, 1);
  SSL_CTX_set_verify (client_ctx, SSL_VERIFY_NONE, NULL);
  /* 0 is success */
  g_assert_cmpint (SSL_CTX_set_alpn_protos (client_ctx, alpn, sizeof alpn - 1), ==, 0);

  server = end_ssl_new (server_ctx, method, &link.ends[NTPAC_TEST_SERVER_TO_CLIENT], link_mtu);
  client = end_ssl_new (client_ctx, method, &link.ends[NTPAC_TEST_CLIENT_TO_SERVER], link_mtu);
  SSL_set_accept_state (server);
  SSL_set_connect_state (client);
  g_assert_cmpint (SSL_set_tlsext_host_name (client, DTLS_TEST_SERVER_NAME), ==, 1);

  if (options->stun)
    add_stun_exchange (&link, 0x11);
  for (guint i = 0; i < MAX_STEPS && !failed && !(client_done && server_done); i++)
    {
      if (!client_done)
        client_done = step (client, "client", &failed);
      if (!server_done && !failed)
        server_done = step (server, "server", &failed);
    }

  if (!client_done || !server_done)
    g_set_error (error, DTLS_TEST_HANDSHAKE_ERROR, 0,
                 "The DTLS handshake did not complete");
  else
    {
      if (options->stun)
        add_stun_exchange (&link, 0x22);
      if (!send_data (client, server, DTLS_TEST_CLIENT_DATA) ||
          !send_data (server, client, DTLS_TEST_SERVER_DATA))
        g_set_error (error, DTLS_TEST_HANDSHAKE_ERROR, 0,
                     "Application data did not go through");
      else
        ok = TRUE;
    }

  if (ok)
    {
      out->version = SSL_version (client);
      out->cipher = SSL_CIPHER_get_protocol_id (SSL_get_current_cipher (client));
      SSL_get0_alpn_selected (client, &selected, &selected_len);
      if (selected_len > 0)
        out->alpn = g_strndup ((const gchar *) selected, selected_len);
      out->subject = g_strdup ("CN=" DTLS_TEST_SERVER_NAME);
      out->serial_hex = g_ascii_strdown (DTLS_TEST_SERIAL_HEX, -1);
      der_len = i2d_X509 (cert, &der);
      g_assert_cmpint (der_len, >, 0);
      out->certificate_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);
      OPENSSL_free (der);
      for (guint i = 0; i < link.datagrams->len; i++)
        {
          const Datagram *d = g_ptr_array_index (link.datagrams, i);

          if (d->stun)
            out->n_stun_frames++;
          else
            count_datagram (d, out);
        }
      out->n_frames = link.datagrams->len;
      ok = write_capture (&link, path, error);
    }

  SSL_free (client);
  SSL_free (server);
  SSL_CTX_free (client_ctx);
  SSL_CTX_free (server_ctx);
  X509_free (cert);
  EVP_PKEY_free (key);
  BIO_meth_free (method);
  for (guint i = 0; i < 2; i++)
    g_queue_clear_full (&link.ends[i].inbox, (GDestroyNotify) g_bytes_unref);
  g_ptr_array_unref (link.datagrams);
  if (!ok)
    dtls_test_handshake_clear (out);
  return ok;
}
