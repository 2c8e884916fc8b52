/* test-tls-dissector.c: the tls dissector through NtpacHarness
 *
 * A TLS 1.2 handshake is built with tls-test-builder.c and the example of
 * tls-test-example.c: the ClientHello of the JA4 specification's example
 * (so JA3 and JA4 have known values, the same test-tls-parser.c checks), a
 * server flight with the example two-certificate chain (its leaf with many
 * more names), the client's key exchange and both
 * sides' ChangeCipherSpec and encrypted Finished, then application data.
 * It is pushed as the engine would hand it on, in pieces of a full-size
 * segment and of one byte, on ports that hint at TLS and on one that
 * does not.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../ntpac-tls-dissector.h"
#include "tls-test-builder.h"
#include "tls-test-example.h"

#define TB_HANDSHAKE_CLIENT_KEY_EXCHANGE 16

/* An Ethernet MSS: the usual segment size. */
#define MSS 1448

/* ---- the handshake ---------------------------------------------------------- */

/* The leaf of the example chain gets LEAF_HOSTS more names,
 * host-NN.example.com, in its subjectAltName: a certificate that takes two
 * full-size segments. */
#define LEAF_HOSTS 80

/* The bytes of one handshake, per flight, and where the Certificate
 * record is in the server's first flight. */
typedef struct
{
  GBytes     *ders[2];       /* leaf, intermediate */
  GStrv       leaf_san;      /* the leaf's subjectAltName, as shown */
  GByteArray *client_hello;  /* client: ClientHello */
  GByteArray *server_flight; /* server: ServerHello, Certificate, ServerHelloDone */
  GByteArray *client_finish; /* client: ClientKeyExchange, CCS, Finished */
  GByteArray *server_finish; /* server: CCS, Finished */
  gsize       cert_start;    /* of the Certificate record in server_flight */
  gsize       cert_end;
} Handshake;

static void
append_message_record (GByteArray *out,
                       GByteArray *message)
{
  tb_records (out, TB_CONTENT_HANDSHAKE, message->data, message->len, 16384);
}

/* ChangeCipherSpec and a Finished that is already encrypted: 40 bytes
 * that parse as nothing. */
static void
append_change_cipher_spec_and_finished (GByteArray *out)
{
  guint8 finished[40];

  for (guint i = 0; i < sizeof finished; i++)
    finished[i] = (guint8) (0xe0 ^ (i * 37));
  tb_record (out, TB_CONTENT_CHANGE_CIPHER_SPEC, (const guint8 *) "\x01", 1);
  tb_record (out, TB_CONTENT_HANDSHAKE, finished, sizeof finished);
}

static void
handshake_init (Handshake *hs)
{
  g_autoptr(GString) san = g_string_new (NULL);
  g_autoptr(GStrvBuilder) san_names = g_strv_builder_new ();
  g_autoptr(GByteArray) client_hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) certificate = NULL;
  g_autoptr(GByteArray) done = tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0);
  g_autoptr(GByteArray) key_exchange = NULL;
  guint8 public_key[33];

  g_strv_builder_addv (san_names, (const gchar **) tb_leaf_expected.san);
  for (guint i = 0; i < LEAF_HOSTS; i++)
    {
      g_autofree gchar *host = g_strdup_printf ("host-%02u.example.com", i);

      g_string_append_printf (san, ",DNS:%s", host);
      g_strv_builder_add (san_names, host);
    }
  hs->leaf_san = g_strv_builder_end (san_names);
  tb_example_chain (san->str, &hs->ders[0], &hs->ders[1]);
  certificate = tb_certificate (hs->ders, 2);

  hs->client_hello = g_byte_array_new ();
  append_message_record (hs->client_hello, client_hello);

  hs->server_flight = g_byte_array_new ();
  append_message_record (hs->server_flight, server_hello);
  hs->cert_start = hs->server_flight->len;
  append_message_record (hs->server_flight, certificate);
  hs->cert_end = hs->server_flight->len;
  append_message_record (hs->server_flight, done);

  public_key[0] = 32;
  for (guint i = 1; i < sizeof public_key; i++)
    public_key[i] = (guint8) (i * 11);
  key_exchange = tb_message (TB_HANDSHAKE_CLIENT_KEY_EXCHANGE, public_key, sizeof public_key);
  hs->client_finish = g_byte_array_new ();
  append_message_record (hs->client_finish, key_exchange);
  append_change_cipher_spec_and_finished (hs->client_finish);

  hs->server_finish = g_byte_array_new ();
  append_change_cipher_spec_and_finished (hs->server_finish);
}

static void
handshake_clear (Handshake *hs)
{
  g_clear_pointer (&hs->ders[0], g_bytes_unref);
  g_clear_pointer (&hs->ders[1], g_bytes_unref);
  g_clear_pointer (&hs->leaf_san, g_strfreev);
  g_clear_pointer (&hs->client_hello, g_byte_array_unref);
  g_clear_pointer (&hs->server_flight, g_byte_array_unref);
  g_clear_pointer (&hs->client_finish, g_byte_array_unref);
  g_clear_pointer (&hs->server_finish, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Handshake, handshake_clear)

/* ---- pushing and checking ----------------------------------------------------- */

static NtpacHarness *
tls_harness (guint16 server_port)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_TLS_DISSECTOR, NULL);

  return ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 51515, server_port);
}

/* Pushes @data as segments: the first of @first bytes, then of @piece.
 * Returns how many segments (frames) that took. */
static guint
push_pieces (NtpacHarness   *h,
             NtpacDirection  direction,
             const guint8   *data,
             gsize           len,
             gsize           first,
             gsize           piece)
{
  guint frames = 0;

  for (gsize offset = 0; offset < len; frames++)
    {
      gsize n = MIN (offset == 0 ? first : piece, len - offset);

      ntpac_harness_push (h, direction, data + offset, n);
      offset += n;
    }
  return frames;
}

/* How many segments push_pieces() makes of the first @n bytes. */
static guint64
segments_through (gsize n,
                  gsize first,
                  gsize piece)
{
  if (n <= first)
    return 1;
  return 1 + (n - first + piece - 1) / piece;
}

static const gchar *
lookup_string (GVariant    *dict,
               const gchar *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return value;
}

static gboolean
lookup_complete (GVariant *record)
{
  gboolean complete = FALSE;

  g_assert_true (g_variant_lookup (record, "complete", "b", &complete));
  return complete;
}

static void
assert_strv (GVariant           *value,
             const gchar *const *expected)
{
  g_autofree const gchar **strv = NULL;
  gsize n;

  g_assert_nonnull (value);
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY));
  strv = g_variant_get_strv (value, &n);
  g_assert_cmpuint (n, ==, g_strv_length ((gchar **) expected));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpstr (strv[i], ==, expected[i]);
}

static GVariant *
certificates (GVariant *record)
{
  GVariant *list = g_variant_lookup_value (record, "certificates", G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (list);
  return list;
}

static void
assert_certificate (GVariant           *entry,
                    const TbExpectedCert *expected,
                    const gchar *const *expected_san,
                    GBytes             *der)
{
  g_autofree gchar *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
  g_autoptr(GVariant) san = g_variant_lookup_value (entry, "san", G_VARIANT_TYPE_STRING_ARRAY);

  g_assert_cmpuint (g_variant_n_children (entry), ==, 7);
  g_assert_cmpstr (lookup_string (entry, "subject"), ==, expected->subject);
  g_assert_cmpstr (lookup_string (entry, "issuer"), ==, expected->issuer);
  g_assert_cmpstr (lookup_string (entry, "serial"), ==, expected->serial);
  g_assert_cmpstr (lookup_string (entry, "not_before"), ==, expected->not_before);
  g_assert_cmpstr (lookup_string (entry, "not_after"), ==, expected->not_after);
  assert_strv (san, expected_san != NULL ? expected_san : expected->san);
  g_assert_cmpstr (lookup_string (entry, "sha256"), ==, sha256);
}

/* The client's fields: from the ClientHello alone. */
static void
assert_client_fields (GVariant *record)
{
  g_autoptr(GVariant) alpn = g_variant_lookup_value (record, "alpn", G_VARIANT_TYPE_STRING_ARRAY);

  g_assert_cmpstr (lookup_string (record, "sni"), ==, "example.org");
  g_assert_cmpstr (lookup_string (record, "name"), ==, "example.org");
  assert_strv (alpn, tb_h2_http11);
  g_assert_cmpstr (lookup_string (record, "ja3"), ==, SPEC_JA3);
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==, SPEC_JA3_STRING);
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, SPEC_JA4);
}

/* Every field of the whole handshake. */
static void
assert_full_record (GVariant        *record,
                    const Handshake *hs)
{
  g_autoptr(GVariant) certs = certificates (record);
  g_autoptr(GVariant) leaf = NULL;
  g_autoptr(GVariant) intermediate = NULL;

  assert_client_fields (record);
  g_assert_cmpstr (lookup_string (record, "version"), ==, "TLS 1.2");
  g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0xc02f");
  g_assert_cmpstr (lookup_string (record, "transport"), ==, "tcp");
  g_assert_true (lookup_complete (record));
  g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
  leaf = g_variant_get_child_value (certs, 0);
  intermediate = g_variant_get_child_value (certs, 1);
  assert_certificate (leaf, &tb_leaf_expected, (const gchar *const *) hs->leaf_san, hs->ders[0]);
  assert_certificate (intermediate, &tb_intermediate_expected, NULL, hs->ders[1]);
}

static void
assert_frames (GVariant *record,
               guint64   first,
               guint64   last)
{
  g_autoptr(GVariant) list = g_variant_lookup_value (record, "frames", G_VARIANT_TYPE ("at"));
  const guint64 *numbers;
  gsize n;

  g_assert_nonnull (list);
  numbers = g_variant_get_fixed_array (list, &n, sizeof (guint64));
  g_assert_cmpuint (n, ==, last - first + 1);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint (numbers[i], ==, first + i);
}

static void
assert_anomalies (NtpacHarness        *h,
                  const gchar * const *expected)
{
  GPtrArray *anomalies = ntpac_harness_get_anomalies (h);

  g_assert_cmpuint (anomalies->len, ==, g_strv_length ((gchar **) expected));
  for (guint i = 0; i < anomalies->len; i++)
    g_assert_cmpstr (anomalies->pdata[i], ==, expected[i]);
}

static const gchar *const no_anomalies[] = { NULL };

/* ---- the handshake in pieces ---------------------------------------------------- */

typedef struct
{
  guint16 port;
  gsize   first;   /* bytes of the first segment of each flight */
  gsize   piece;   /* of the others */
} PieceCase;

static const PieceCase piece_cases[] = {
  { 443, MSS, MSS },
  { 443, 1, 1 },
  { 8443, MSS, MSS },
  { 8443, 1, 1 },
  { 40123, MSS, MSS },
  /* Without a port hint the probe needs the first 11 bytes of the
   * ClientHello in the conversation's first segment. */
  { 40123, 16, 1 },
};

static void
test_handshake_pieces (gconstpointer data)
{
  const PieceCase *c = data;
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (c->port);
  g_autoptr(GPtrArray) records = NULL;
  guint frames = 0;
  gsize encrypted_finished = 5 + 40;

  g_test_summary ("A TLS 1.2 handshake with a certificate chain gives one record "
                  "with every field, from the frames of its handshake bytes, "
                  "whatever the port and the segment size.");
  handshake_init (&hs);
  g_assert_cmpuint (hs.cert_end - hs.cert_start, >, MSS);
  frames += push_pieces (h, NTPAC_DIRECTION_UP, hs.client_hello->data, hs.client_hello->len,
                         c->first, c->piece);
  frames += push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, hs.server_flight->len,
                         c->first, c->piece);
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 0);  /* the handshake goes on */
  g_clear_pointer (&records, g_ptr_array_unref);

  /* The record is made when the client's ChangeCipherSpec is read: its
   * frames end there. */
  frames += segments_through (hs.client_finish->len - encrypted_finished, c->first, c->piece);
  push_pieces (h, NTPAC_DIRECTION_UP, hs.client_finish->data, hs.client_finish->len,
               c->first, c->piece);
  /* The client turned encrypted after the server's flight: done. */
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  g_clear_pointer (&records, g_ptr_array_unref);

  push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_finish->data, hs.server_finish->len,
               c->first, c->piece);
  ntpac_harness_end (h);

  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tls");
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_full_record (records->pdata[0], &hs);
  assert_frames (records->pdata[0], 1, frames);
  assert_anomalies (h, no_anomalies);
}

/* ---- after the handshake ---------------------------------------------------------- */

static void
test_application_data (void)
{
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (443);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree guint8 *noise = g_malloc (64 * 1024);
  guint32 x = 0x12345678;

  g_test_summary ("Once both sides are encrypted their bytes are consumed unread: "
                  "bytes that are not even TLS records, more than the 4 MiB a "
                  "dissector may hold, give no anomaly and no record.");
  handshake_init (&hs);
  for (gsize i = 0; i < 64 * 1024; i++)
    {
      x = x * 1103515245 + 12345;
      noise[i] = (guint8) (x >> 24);
    }
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, hs.client_hello->data, hs.client_hello->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, hs.server_flight->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, hs.client_finish->data, hs.client_finish->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, hs.server_finish->data, hs.server_finish->len);
  for (guint i = 0; i < 80; i++)  /* 5 MiB each way */
    {
      ntpac_harness_push (h, NTPAC_DIRECTION_UP, noise, 64 * 1024);
      ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, noise, 64 * 1024);
    }
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_full_record (records->pdata[0], &hs);
  assert_frames (records->pdata[0], 1, 3);
  assert_anomalies (h, no_anomalies);
}

/* ---- damage ---------------------------------------------------------------------- */

static void
test_gap_in_certificate (void)
{
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (443);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  static const gchar *const expected[] = { "tls.gap", NULL };
  gsize lost_from, lost_to;

  g_test_summary ("100 bytes lost in the middle of the Certificate record: an "
                  "anomaly, the chain left out, the rest of the handshake read "
                  "after the record, and the record marked incomplete.");
  handshake_init (&hs);
  lost_from = hs.cert_start + 200;
  lost_to = lost_from + 100;
  g_assert_cmpuint (lost_to, <, hs.cert_end);

  push_pieces (h, NTPAC_DIRECTION_UP, hs.client_hello->data, hs.client_hello->len, MSS, MSS);
  /* The segments before the lost one, in full-size pieces. */
  push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, hs.cert_start + 50, MSS, MSS);
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_DOWN,
                          hs.server_flight->data + hs.cert_start + 50, lost_from - hs.cert_start - 50,
                          lost_to - lost_from,
                          hs.server_flight->data + lost_to, hs.server_flight->len - lost_to);
  push_pieces (h, NTPAC_DIRECTION_UP, hs.client_finish->data, hs.client_finish->len, MSS, MSS);
  /* The ServerHelloDone after the damaged record was read: the handshake
   * is over once the client turns encrypted, before the end. */
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  g_clear_pointer (&records, g_ptr_array_unref);
  push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_finish->data, hs.server_finish->len, MSS, MSS);
  ntpac_harness_end (h);

  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_client_fields (records->pdata[0]);
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.2");
  g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02f");
  certs = certificates (records->pdata[0]);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 0);
  g_assert_false (lookup_complete (records->pdata[0]));
  assert_anomalies (h, expected);
}

static void
test_gap_one_byte_pieces (void)
{
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (443);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  g_autoptr(GVariant) leaf = NULL;
  static const gchar *const expected[] = { "tls.gap", NULL };
  const gsize lost_from = 40, lost = 20;

  g_test_summary ("The server flight one byte per segment, 20 bytes lost inside "
                  "the ServerHello record: the bytes of the record held before "
                  "the loss count as lost too, so reading resumes exactly at the "
                  "Certificate record, and the chain is there.");
  handshake_init (&hs);
  g_assert_cmpuint (lost_from + lost, <, hs.cert_start);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, hs.client_hello->data, hs.client_hello->len);
  push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, lost_from, 1, 1);
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_DOWN, NULL, 0, lost,
                          hs.server_flight->data + lost_from + lost, 1);
  push_pieces (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data + lost_from + lost + 1,
               hs.server_flight->len - lost_from - lost - 1, 1, 1);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, hs.client_finish->data, hs.client_finish->len);
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);  /* ServerHelloDone was read */
  g_clear_pointer (&records, g_ptr_array_unref);
  ntpac_harness_end (h);

  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_client_fields (records->pdata[0]);
  /* Without the ServerHello: the highest version the client offered. */
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.3");
  g_assert_null (lookup_string (records->pdata[0], "cipher"));
  certs = certificates (records->pdata[0]);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
  leaf = g_variant_get_child_value (certs, 0);
  assert_certificate (leaf, &tb_leaf_expected, (const gchar *const *) hs.leaf_san, hs.ders[0]);
  g_assert_false (lookup_complete (records->pdata[0]));
  assert_anomalies (h, expected);
}

static void
test_malformed_client (void)
{
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (443);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GByteArray) client = g_byte_array_new ();
  static const gchar *const expected[] = { "tls.malformed-record", NULL };
  static const gchar junk[] = "GET / HTTP/1.1\r\n\r\n";

  g_test_summary ("Bytes that are not TLS records after the ClientHello: an "
                  "anomaly, the client side is no longer read, and the handshake "
                  "is recorded with what was read.");
  handshake_init (&hs);
  g_byte_array_append (client, hs.client_hello->data, hs.client_hello->len);
  g_byte_array_append (client, (const guint8 *) junk, sizeof junk - 1);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, client->data, client->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, hs.server_flight->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, client->data, client->len);
  ntpac_harness_end (h);

  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_client_fields (records->pdata[0]);
  g_assert_false (lookup_complete (records->pdata[0]));
  assert_anomalies (h, expected);
}

static void
test_end_mid_handshake (void)
{
  g_auto(Handshake) hs = { 0 };
  g_autoptr(NtpacHarness) h = tls_harness (853);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;

  g_test_summary ("A conversation that ends after the server's first flight: the "
                  "handshake is recorded at the end, with its chain.");
  handshake_init (&hs);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, hs.client_hello->data, hs.client_hello->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, hs.server_flight->data, hs.server_flight->len - 3);
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 0);
  g_clear_pointer (&records, g_ptr_array_unref);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "tls");
  g_assert_cmpuint (records->len, ==, 1);
  assert_client_fields (records->pdata[0]);
  certs = certificates (records->pdata[0]);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
  assert_frames (records->pdata[0], 1, 2);
  assert_anomalies (h, no_anomalies);
}

static void
test_not_tls (void)
{
  static const gchar http[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
  static const guint16 ports[] = { 443, 40123 };

  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autoptr(NtpacHarness) h = tls_harness (ports[i]);
      g_autoptr(GPtrArray) records = NULL;

      ntpac_harness_push (h, NTPAC_DIRECTION_UP, http, sizeof http - 1);
      ntpac_harness_end (h);
      g_assert_null (ntpac_harness_get_protocol (h));
      records = ntpac_harness_get_records (h, NULL);
      g_assert_cmpuint (records->len, ==, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (piece_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/tls/dissector/handshake/port-%u/pieces-%zu",
                                                piece_cases[i].port, piece_cases[i].piece);

      g_test_add_data_func (path, &piece_cases[i], test_handshake_pieces);
    }
  g_test_add_func ("/tls/dissector/application-data", test_application_data);
  g_test_add_func ("/tls/dissector/gap-in-certificate", test_gap_in_certificate);
  g_test_add_func ("/tls/dissector/gap-one-byte-pieces", test_gap_one_byte_pieces);
  g_test_add_func ("/tls/dissector/malformed-client", test_malformed_client);
  g_test_add_func ("/tls/dissector/end-mid-handshake", test_end_mid_handshake);
  g_test_add_func ("/tls/dissector/not-tls", test_not_tls);
  return g_test_run ();
}
