/* test-dtls.c: the DTLS parser and the dtls dissector
 *
 * DTLS 1.2 and 1.3 handshakes are built byte by byte with
 * tls-test-builder.c (records, handshake fragments, the example
 * certificate chain) and given as UDP datagrams: fragments out of order
 * and retransmitted, a HelloVerifyRequest exchange, a server flight with
 * certificates, and a WebRTC flow where STUN and TURN ChannelData share
 * the 5-tuple. Expected fingerprints are strings written out by hand
 * from the JA3 and JA4 definitions and hashed with md5sum/sha256sum.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../ntpac-dtls-dissector.h"
#include "../ntpac-dtls-parser.h"
#include "tls-test-builder.h"
#include "tls-test-example.h"

#define DTLS_1_2 0xfefd
#define DTLS_1_0 0xfeff
#define TB_HANDSHAKE_HELLO_VERIFY_REQUEST 3

/* The ClientHello's JA3 string: DTLS 1.2 (65277), three ciphers, eight
 * extensions, two groups, one point format. */
#define HELLO_JA3_STRING "65277,49195-49199-52393,0-16-10-11-13-14-23-65281,29-23,0"
#define HELLO_JA3 "da524f173b58db6a214e5657a3c74509"
/* d (DTLS), d2 (no supported_versions: the legacy 0xfefd), d (SNI), 3
 * ciphers, 8 extensions, ALPN "webrtc"; sha256 ("c02b,c02f,cca9") and
 * sha256 ("000a,000b,000d,000e,0017,ff01_0403,0804"), 12 digits each. */
#define HELLO_JA4 "dd2d0308wc_b882b318b5cc_a6903346eab4"

static const guint8 cookie[16] = {
  0xc0, 0x0c, 0x1e, 0x5e, 0xed, 0x01, 0x02, 0x03,
  0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
};

/* A browser-like DTLS 1.2 ClientHello (TLS header), with @cookie_len
 * bytes of cookie; @dtls13 offers DTLS 1.3 too. */
static GByteArray *
client_hello (guint8   cookie_len,
              gboolean dtls13)
{
  static const guint16 ciphers[] = { 0xc02b, 0xc02f, 0xcca9 };
  static const guint16 groups[] = { 0x001d, 0x0017 };
  static const guint16 sigalgs[] = { 0x0403, 0x0804 };
  static const guint16 versions[] = { 0xfefc, 0xfefd };
  static const guint8 formats[] = { 0 };
  static const gchar *const alpn[] = { "webrtc", "c-webrtc", NULL };
  g_autoptr(GByteArray) exts = g_byte_array_new ();

  tb_ext_server_name (exts, "dtls.example");
  tb_ext_alpn (exts, alpn);
  tb_ext_u16_list (exts, 0x000a, 2, groups, G_N_ELEMENTS (groups));
  tb_ext_point_formats (exts, formats, G_N_ELEMENTS (formats));
  tb_ext_u16_list (exts, 0x000d, 2, sigalgs, G_N_ELEMENTS (sigalgs));
  tb_ext_raw (exts, 0x000e, "\x00\x02\x00\x01\x00", 5);   /* use_srtp */
  tb_ext_raw (exts, 0x0017, NULL, 0);
  tb_ext_raw (exts, 0xff01, "\x00", 1);
  if (dtls13)
    tb_ext_u16_list (exts, 0x002b, 1, versions, G_N_ELEMENTS (versions));
  return tb_dtls_client_hello (DTLS_1_2, cookie, cookie_len, ciphers,
                               G_N_ELEMENTS (ciphers), exts);
}

/* Appends, as one record, the fragment [@offset, @offset + @length) of
 * @message with @message_seq. */
static void
append_fragment (GByteArray       *datagram,
                 const GByteArray *message,
                 guint16           message_seq,
                 gsize             offset,
                 gsize             length,
                 guint64           record_seq)
{
  g_autoptr(GByteArray) fragment = tb_dtls_fragment (message, message_seq, offset, length);

  tb_dtls_record (datagram, TB_CONTENT_HANDSHAKE, DTLS_1_2, 0, record_seq,
                  fragment->data, fragment->len);
}

/* Appends @message whole, as one record. */
static void
append_message (GByteArray       *datagram,
                const GByteArray *message,
                guint16           message_seq,
                guint64           record_seq)
{
  append_fragment (datagram, message, message_seq, 0, message->len - 4, record_seq);
}

static void
append_change_cipher_spec (GByteArray *datagram,
                           guint64     record_seq)
{
  static const guint8 finished[24] = { 0x5a, 0xa5 };

  tb_dtls_record (datagram, TB_CONTENT_CHANGE_CIPHER_SPEC, DTLS_1_2, 0, record_seq,
                  (const guint8 *) "\x01", 1);
  /* Finished is sent in epoch 1: encrypted. */
  tb_dtls_record (datagram, TB_CONTENT_HANDSHAKE, DTLS_1_2, 1, 0, finished,
                  sizeof finished);
}

static GByteArray *
hello_verify_request (void)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  tb_put_u16 (body, DTLS_1_0);
  tb_put_u8 (body, sizeof cookie);
  tb_put_bytes (body, cookie, sizeof cookie);
  return tb_message (TB_HANDSHAKE_HELLO_VERIFY_REQUEST, body->data, body->len);
}

/* ---- the parser --------------------------------------------------------------- */

typedef struct
{
  NtpacDtlsParser *parser;
  GPtrArray *anomalies;
} Conn;

static Conn *
conn_new (void)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->parser = ntpac_dtls_parser_new ();
  conn->anomalies = g_ptr_array_new ();
  return conn;
}

static void
conn_free (Conn *conn)
{
  ntpac_dtls_parser_free (conn->parser);
  g_ptr_array_unref (conn->anomalies);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Conn, conn_free)

static NtpacDtlsDatagram
conn_feed (Conn       *conn,
           gboolean    from_initiator,
           GByteArray *datagram)
{
  return ntpac_dtls_parser_feed (conn->parser, from_initiator, datagram->data,
                                 datagram->len, conn->anomalies);
}

static GPtrArray *
conn_take (Conn *conn)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariant *record;

  while ((record = ntpac_dtls_parser_take_record (conn->parser)) != NULL)
    g_ptr_array_add (records, g_variant_ref_sink (record));
  return records;
}

static guint
count_anomalies (GPtrArray   *anomalies,
                 const gchar *id)
{
  guint n = 0;

  for (guint i = 0; i < anomalies->len; i++)
    if (g_str_equal (anomalies->pdata[i], id))
      n++;
  return n;
}

static const gchar *
lookup_string (GVariant    *record,
               const gchar *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (record, key, "&s", &value))
    return NULL;
  return value;
}

static gboolean
lookup_bool (GVariant    *record,
             const gchar *key)
{
  gboolean value = FALSE;

  g_assert_true (g_variant_lookup (record, key, "b", &value));
  return value;
}

static void
assert_client_fields (GVariant *record)
{
  g_autoptr(GVariant) alpn = g_variant_lookup_value (record, "alpn",
                                                     G_VARIANT_TYPE_STRING_ARRAY);
  const gchar *first = NULL, *second = NULL;

  g_assert_cmpstr (lookup_string (record, "sni"), ==, "dtls.example");
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==, HELLO_JA3_STRING);
  g_assert_cmpstr (lookup_string (record, "ja3"), ==, HELLO_JA3);
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, HELLO_JA4);
  g_assert_nonnull (alpn);
  g_assert_cmpuint (g_variant_n_children (alpn), ==, 2);
  g_variant_get_child (alpn, 0, "&s", &first);
  g_variant_get_child (alpn, 1, "&s", &second);
  g_assert_cmpstr (first, ==, "webrtc");
  g_assert_cmpstr (second, ==, "c-webrtc");
}

static void
test_fragments_out_of_order (void)
{
  g_autoptr(GByteArray) hello = client_hello (0, FALSE);
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  gsize body = hello->len - 4, half = body / 2;

  g_test_summary ("A DTLS 1.2 ClientHello in two fragments that arrive in "
                  "the wrong order, the first one then retransmitted: one "
                  "handshake with the ClientHello's SNI, ALPN, JA3 and JA4 "
                  "(protocol character d), no anomaly.");

  append_fragment (second, hello, 0, half, body - half, 1);
  append_fragment (first, hello, 0, 0, half, 0);
  g_assert_cmpint (conn_feed (conn, TRUE, second), ==, NTPAC_DTLS_DATAGRAM_DTLS);
  g_assert_cmpint (conn_feed (conn, TRUE, first), ==, NTPAC_DTLS_DATAGRAM_DTLS);
  g_assert_cmpint (conn_feed (conn, TRUE, first), ==, NTPAC_DTLS_DATAGRAM_DTLS);
  g_assert_cmpint (conn_feed (conn, TRUE, second), ==, NTPAC_DTLS_DATAGRAM_DTLS);
  ntpac_dtls_parser_finish (conn->parser, conn->anomalies);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
  assert_client_fields (records->pdata[0]);
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "DTLS 1.2");
  g_assert_false (lookup_bool (records->pdata[0], "complete"));
}

/* The server's flight: ServerHello, Certificate in three fragments (the
 * last one sharing a datagram with ServerHelloDone), as datagrams. */
static GPtrArray *
server_flight (guint16 first_seq,
               gboolean reversed)
{
  g_autoptr(GBytes) leaf = NULL;
  g_autoptr(GBytes) intermediate = NULL;
  GBytes *ders[2];
  g_autoptr(GByteArray) server_hello = tb_server_hello (DTLS_1_2, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = NULL;
  g_autoptr(GByteArray) done = tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0);
  GPtrArray *datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  GByteArray *d;
  gsize body, third;

  tb_example_chain (NULL, &leaf, &intermediate);
  ders[0] = leaf;
  ders[1] = intermediate;
  certificate = tb_certificate (ders, 2);
  body = certificate->len - 4;
  third = body / 3;

  d = g_byte_array_new ();
  append_message (d, server_hello, first_seq, 0);
  g_ptr_array_add (datagrams, d);
  for (guint i = 0; i < 3; i++)
    {
      gsize offset = i * third, length = i < 2 ? third : body - 2 * third;

      d = g_byte_array_new ();
      append_fragment (d, certificate, first_seq + 1, offset, length, 1 + i);
      if (i == 2)
        append_message (d, done, first_seq + 2, 4);
      g_ptr_array_add (datagrams, d);
    }
  if (reversed)
    for (guint i = 0; i < datagrams->len / 2; i++)
      {
        gpointer t = datagrams->pdata[i];

        datagrams->pdata[i] = datagrams->pdata[datagrams->len - 1 - i];
        datagrams->pdata[datagrams->len - 1 - i] = t;
      }
  return datagrams;
}

static void
assert_certificates (GVariant *record)
{
  g_autoptr(GVariant) certs = g_variant_lookup_value (record, "certificates",
                                                      G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) leaf = NULL;
  g_autoptr(GVariant) intermediate = NULL;

  g_assert_nonnull (certs);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
  leaf = g_variant_get_child_value (certs, 0);
  intermediate = g_variant_get_child_value (certs, 1);
  g_assert_cmpstr (lookup_string (leaf, "subject"), ==, tb_leaf_expected.subject);
  g_assert_cmpstr (lookup_string (leaf, "serial"), ==, tb_leaf_expected.serial);
  g_assert_cmpstr (lookup_string (intermediate, "subject"), ==,
                   tb_intermediate_expected.subject);
}

static void
test_certificate_flight (void)
{
  for (guint reversed = 0; reversed < 2; reversed++)
    {
      g_autoptr(GByteArray) hello = client_hello (0, FALSE);
      g_autoptr(GByteArray) client = g_byte_array_new ();
      g_autoptr(GByteArray) finish = g_byte_array_new ();
      g_autoptr(GPtrArray) flight = server_flight (0, reversed);
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;

      g_test_summary ("A DTLS 1.2 server flight with a certificate chain in "
                      "three fragments over three datagrams (in order, then "
                      "all reversed), ServerHelloDone sharing the last: the "
                      "record has the version, cipher and both certificates "
                      "once the client's ChangeCipherSpec comes.");

      append_message (client, hello, 0, 0);
      append_change_cipher_spec (finish, 1);
      conn_feed (conn, TRUE, client);
      for (guint i = 0; i < flight->len; i++)
        conn_feed (conn, FALSE, flight->pdata[i]);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 0);
      g_clear_pointer (&records, g_ptr_array_unref);
      conn_feed (conn, TRUE, finish);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_cmpuint (conn->anomalies->len, ==, 0);
      assert_client_fields (records->pdata[0]);
      g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "DTLS 1.2");
      g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02b");
      g_assert_true (lookup_bool (records->pdata[0], "complete"));
      assert_certificates (records->pdata[0]);
    }
}

static void
test_hello_verify (void)
{
  g_autoptr(GByteArray) hello1 = client_hello (0, FALSE);
  g_autoptr(GByteArray) hello2 = client_hello (sizeof cookie, FALSE);
  g_autoptr(GByteArray) verify = hello_verify_request ();
  g_autoptr(GByteArray) c1 = g_byte_array_new ();
  g_autoptr(GByteArray) s1 = g_byte_array_new ();
  g_autoptr(GByteArray) c2 = g_byte_array_new ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  g_autoptr(GPtrArray) flight = server_flight (1, FALSE);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  gboolean verified = FALSE;

  g_test_summary ("ClientHello, HelloVerifyRequest, ClientHello with the "
                  "cookie (message_seq 1), then the server's flight from "
                  "message_seq 1: one handshake, hello_verify set, the "
                  "fingerprints those of the ClientHello.");

  append_message (c1, hello1, 0, 0);
  append_message (s1, verify, 0, 0);
  append_message (c2, hello2, 1, 1);
  append_change_cipher_spec (finish, 2);
  conn_feed (conn, TRUE, c1);
  conn_feed (conn, FALSE, s1);
  conn_feed (conn, TRUE, c2);
  for (guint i = 0; i < flight->len; i++)
    conn_feed (conn, FALSE, flight->pdata[i]);
  conn_feed (conn, TRUE, finish);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
  assert_client_fields (records->pdata[0]);
  g_assert_true (g_variant_lookup (records->pdata[0], "hello_verify", "b", &verified));
  g_assert_true (verified);
  g_assert_true (lookup_bool (records->pdata[0], "complete"));
  assert_certificates (records->pdata[0]);
}

static void
test_dtls13 (void)
{
  g_autoptr(GByteArray) hello = client_hello (0, TRUE);
  g_autoptr(GByteArray) server_hello = tb_server_hello (DTLS_1_2, 0x1301, 0xfefc, FALSE);
  g_autoptr(GByteArray) client = g_byte_array_new ();
  g_autoptr(GByteArray) server = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  /* Unified header 0x2c: no CID, 16-bit sequence, length present. */
  static const guint8 unified[] = { 0x2c, 0x00, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc };

  g_test_summary ("DTLS 1.3: the ServerHello choosing 0xfefc ends what can "
                  "be read; the server's records with the unified header "
                  "that follow, in the same datagram, are skipped quietly.");

  append_message (client, hello, 0, 0);
  append_message (server, server_hello, 0, 0);
  g_byte_array_append (server, unified, sizeof unified);
  g_byte_array_append (server, unified, sizeof unified);
  conn_feed (conn, TRUE, client);
  conn_feed (conn, FALSE, server);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "DTLS 1.3");
  g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0x1301");
  g_assert_true (g_str_has_prefix (lookup_string (records->pdata[0], "ja4"), "dd3d0309wc_"));
  g_assert_true (lookup_bool (records->pdata[0], "complete"));
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static void
set_u16 (guint8  *p,
         guint16  value)
{
  p[0] = value >> 8;
  p[1] = value & 0xff;
}

static void
test_malformed (void)
{
  g_autoptr(GByteArray) hello = client_hello (0, FALSE);
  g_autoptr(GByteArray) good = g_byte_array_new ();
  g_autoptr(GByteArray) cut = g_byte_array_new ();
  g_autoptr(GByteArray) past = g_byte_array_new ();
  g_autoptr(GByteArray) differ = g_byte_array_new ();
  g_autoptr(GByteArray) far = g_byte_array_new ();
  g_autoptr(GByteArray) fragment = NULL;
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  gsize body = hello->len - 4;

  g_test_summary ("A record cut short, a fragment past its message's end, "
                  "a retransmission with other bytes, a message_seq far "
                  "ahead: each an anomaly, and the ClientHello around them "
                  "is still read.");

  append_fragment (good, hello, 0, 0, 40, 0);
  /* The rest of the message, but its record claims 10 bytes more. */
  append_fragment (cut, hello, 0, 40, body - 40, 1);
  set_u16 (cut->data + 11, get_u16 (cut->data + 11) + 10);
  /* fragment_offset + fragment_length past the message length. */
  fragment = tb_dtls_fragment (hello, 0, 0, 8);
  fragment->data[7] = (body >> 8) & 0xff;
  fragment->data[8] = body & 0xff;
  tb_dtls_record (past, TB_CONTENT_HANDSHAKE, DTLS_1_2, 0, 2, fragment->data, fragment->len);
  g_clear_pointer (&fragment, g_byte_array_unref);
  /* The first 40 bytes again, one changed. */
  append_fragment (differ, hello, 0, 0, 40, 3);
  differ->data[13 + 12 + 5] ^= 0x01;
  append_fragment (far, hello, 100, 0, 10, 4);

  conn_feed (conn, TRUE, good);
  conn_feed (conn, TRUE, cut);
  conn_feed (conn, TRUE, past);
  conn_feed (conn, TRUE, differ);
  conn_feed (conn, TRUE, far);
  g_assert_cmpuint (count_anomalies (conn->anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_RECORD), ==, 1);
  g_assert_cmpuint (count_anomalies (conn->anomalies, NTPAC_DTLS_ANOMALY_MALFORMED_FRAGMENT), ==, 1);
  g_assert_cmpuint (count_anomalies (conn->anomalies, NTPAC_DTLS_ANOMALY_FRAGMENT_MISMATCH), ==, 1);
  g_assert_cmpuint (count_anomalies (conn->anomalies, NTPAC_DTLS_ANOMALY_REASSEMBLY_LIMIT), ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 4);

  /* The rest, well framed this time. */
  set_u16 (cut->data + 11, get_u16 (cut->data + 11) - 10);
  conn_feed (conn, TRUE, cut);
  ntpac_dtls_parser_finish (conn->parser, conn->anomalies);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  assert_client_fields (records->pdata[0]);
  g_assert_cmpuint (conn->anomalies->len, ==, 4);
}

static void
test_lost_fragment (void)
{
  g_autoptr(GByteArray) hello = client_hello (0, FALSE);
  g_autoptr(GByteArray) part = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A ClientHello whose second fragment never comes: at the "
                  "end a dtls.gap, and no record: nothing of the handshake "
                  "was seen whole.");

  append_fragment (part, hello, 0, 0, 50, 0);
  conn_feed (conn, TRUE, part);
  ntpac_dtls_parser_finish (conn->parser, conn->anomalies);
  g_assert_cmpuint (count_anomalies (conn->anomalies, "dtls.gap"), ==, 1);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_probe (void)
{
  g_autoptr(GByteArray) hello = client_hello (0, FALSE);
  g_autoptr(GByteArray) record = g_byte_array_new ();
  static const guint8 stun[20] = {
    0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  };
  static const guint8 dns[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 'w', 'w', 'w', 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };

  g_test_summary ("The probe takes a DTLS ClientHello record (also only its "
                  "first bytes as a first fragment) and a STUN message, "
                  "and refuses a TLS record, DNS and a STUN header whose "
                  "length does not fill the datagram.");

  append_fragment (record, hello, 0, 0, 60, 0);
  g_assert_true (ntpac_dtls_probe (record->data, record->len));
  record->data[1] = 0x03;   /* TLS 1.x version */
  record->data[2] = 0x03;
  g_assert_false (ntpac_dtls_probe (record->data, record->len));
  g_assert_false (ntpac_dtls_probe (dns, sizeof dns));
  g_assert_false (ntpac_dtls_probe_stun (dns, sizeof dns));
  g_assert_true (ntpac_dtls_probe_stun (stun, sizeof stun));
  g_assert_false (ntpac_dtls_probe_stun (stun, sizeof stun - 1));
  g_assert_false (ntpac_dtls_probe (stun, sizeof stun));
}

/* ---- the dissector ------------------------------------------------------------ */

/* A STUN Binding request or success response (no attributes). */
static GByteArray *
stun_message (guint16 type)
{
  GByteArray *out = g_byte_array_new ();

  tb_put_u16 (out, type);
  tb_put_u16 (out, 0);
  tb_put_u16 (out, 0x2112);
  tb_put_u16 (out, 0xa442);
  for (guint i = 0; i < 12; i++)
    tb_put_u8 (out, 0x30 + i);
  return out;
}

/* @inner inside a TURN ChannelData message (RFC 8656 §12.4). */
static GByteArray *
channel_data (const GByteArray *inner)
{
  GByteArray *out = g_byte_array_new ();

  tb_put_u16 (out, 0x4001);
  tb_put_u16 (out, inner->len);
  tb_put_bytes (out, inner->data, inner->len);
  while (out->len % 4 != 0)
    tb_put_u8 (out, 0);
  return out;
}

static void
test_dissector_webrtc (void)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_DTLS_DISSECTOR, NULL);
  g_autoptr(NtpacHarness) h = ntpac_harness_new (d, NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 50000, 50001);
  g_autoptr(GByteArray) request = stun_message (0x0001);
  g_autoptr(GByteArray) response = stun_message (0x0101);
  g_autoptr(GByteArray) hello = client_hello (0, FALSE);
  g_autoptr(GByteArray) client = g_byte_array_new ();
  g_autoptr(GByteArray) wrapped = NULL;
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  g_autoptr(GPtrArray) flight = server_flight (0, FALSE);
  g_autoptr(GPtrArray) records = NULL;
  static const guint8 srtp[16] = { 0x80, 0x60, 0x00, 0x01 };
  GVariant *record;

  g_test_summary ("A WebRTC flow on unhinted ports: ICE checks (STUN) both "
                  "ways, then the responder is the DTLS client, its "
                  "ClientHello inside a TURN ChannelData message, the "
                  "server flight, STUN again between them, SRTP after: "
                  "one dtls record with the handshake, protocol dtls.");

  append_message (client, hello, 0, 0);
  wrapped = channel_data (client);
  append_change_cipher_spec (finish, 1);

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, request->data, request->len);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "stun");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, response->data, response->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, wrapped->data, wrapped->len);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "dtls");
  for (guint i = 0; i < flight->len; i++)
    {
      GByteArray *datagram = flight->pdata[i];

      ntpac_harness_push (h, NTPAC_DIRECTION_UP, datagram->data, datagram->len);
      ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, request->data, request->len);
    }
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, finish->data, finish->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, srtp, sizeof srtp);
  ntpac_harness_end (h);

  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "dtls");
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
  records = ntpac_harness_get_records (h, "dtls");
  g_assert_cmpuint (records->len, ==, 1);
  record = records->pdata[0];
  assert_client_fields (record);
  assert_certificates (record);
  g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0xc02b");
  g_assert_true (lookup_bool (record, "complete"));
}

static void
test_dissector_stun_only (void)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_DTLS_DISSECTOR, NULL);
  g_autoptr(NtpacHarness) h = ntpac_harness_new (d, NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 50000, 3478);
  g_autoptr(GByteArray) request = stun_message (0x0001);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("STUN alone: the conversation's protocol is stun, no record.");

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, request->data, request->len);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "stun");
  records = ntpac_harness_get_records (h, "dtls");
  g_assert_cmpuint (records->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dtls/probe", test_probe);
  g_test_add_func ("/dtls/fragments/out-of-order", test_fragments_out_of_order);
  g_test_add_func ("/dtls/fragments/lost", test_lost_fragment);
  g_test_add_func ("/dtls/fragments/malformed", test_malformed);
  g_test_add_func ("/dtls/handshake/certificate-flight", test_certificate_flight);
  g_test_add_func ("/dtls/handshake/hello-verify", test_hello_verify);
  g_test_add_func ("/dtls/handshake/dtls13", test_dtls13);
  g_test_add_func ("/dtls/dissector/webrtc", test_dissector_webrtc);
  g_test_add_func ("/dtls/dissector/stun-only", test_dissector_stun_only);
  return g_test_run ();
}
