/* test-tls-parser.c: TLS records, hellos, certificates, JA3 and JA4
 *
 * Handshakes are built byte by byte (tls-test-builder.c, certificates
 * made and signed with OpenSSL) or with the traffic generator's TLS
 * encoders (bench/gen-protocols.c), and fed the way a TCP consumer feeds
 * them: bytes not consumed are held and given again with the next ones.
 * Expected fingerprints come from the JA4 specification's example, from
 * a browser's values as browserleaks.com computed them, or from strings
 * written out by hand and hashed with md5sum/sha256sum.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "gen-content.h"
#include "gen-protocols.h"
#include "ntpac-tls-parser.h"
#include "tls-test-builder.h"
#include "tls-test-example.h"


/* ---- a TCP consumer ------------------------------------------------------ */

typedef struct
{
  NtpacTlsParser *parser;
  GByteArray *held[2];     /* [from_client] */
  GPtrArray *anomalies;
  guint malformed[2];
} Conn;

static Conn *
conn_new (void)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->parser = ntpac_tls_parser_new ();
  conn->held[0] = g_byte_array_new ();
  conn->held[1] = g_byte_array_new ();
  conn->anomalies = g_ptr_array_new ();
  return conn;
}

static void
conn_free (Conn *conn)
{
  ntpac_tls_parser_free (conn->parser);
  g_byte_array_unref (conn->held[0]);
  g_byte_array_unref (conn->held[1]);
  g_ptr_array_unref (conn->anomalies);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Conn, conn_free)

/* Feeds @data in pieces of @chunk bytes, checking what the parser
 * reports about what it consumed and needs. */
static void
conn_feed_chunked (Conn         *conn,
                   gboolean      from_client,
                   const guint8 *data,
                   gsize         len,
                   gsize         chunk)
{
  GByteArray *held = conn->held[from_client ? 1 : 0];

  for (gsize offset = 0; offset < len; offset += chunk)
    {
      gsize consumed = G_MAXSIZE, needed = G_MAXSIZE;
      NtpacTlsStatus status;

      g_byte_array_append (held, data + offset, MIN (chunk, len - offset));
      status = ntpac_tls_parser_feed (conn->parser, from_client, held->data,
                                      held->len, &consumed, &needed,
                                      conn->anomalies);
      g_assert_cmpuint (consumed, <=, held->len);
      if (status == NTPAC_TLS_STATUS_INCOMPLETE)
        {
          g_assert_cmpuint (needed, >, held->len - consumed);
          g_assert_cmpuint (needed, <=, 5 + NTPAC_TLS_MAX_RECORD_LENGTH);
        }
      else
        {
          g_assert_cmpuint (consumed, ==, held->len);
          g_assert_cmpuint (needed, ==, 0);
        }
      if (status == NTPAC_TLS_STATUS_MALFORMED)
        conn->malformed[from_client ? 1 : 0]++;
      g_byte_array_remove_range (held, 0, consumed);
    }
}

static void
conn_feed (Conn         *conn,
           gboolean      from_client,
           const guint8 *data,
           gsize         len)
{
  conn_feed_chunked (conn, from_client, data, len, MAX (len, 1));
}

static void
conn_feed_array (Conn       *conn,
                 gboolean    from_client,
                 GByteArray *bytes)
{
  conn_feed (conn, from_client, bytes->data, bytes->len);
}

/* @lost more bytes were lost after those held, which are dropped. */
static void
conn_gap (Conn     *conn,
          gboolean  from_client,
          gsize     lost)
{
  GByteArray *held = conn->held[from_client ? 1 : 0];

  ntpac_tls_parser_gap (conn->parser, from_client, held->len + lost,
                        conn->anomalies);
  g_byte_array_set_size (held, 0);
}

/* The records ready now, sunk. */
static GPtrArray *
conn_take (Conn *conn)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariant *record;

  while ((record = ntpac_tls_parser_take_record (conn->parser)) != NULL)
    {
      g_assert_true (g_variant_is_floating (record));
      g_assert_true (g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT));
      g_ptr_array_add (records, g_variant_ref_sink (record));
    }
  return records;
}

static GPtrArray *
conn_finish (Conn *conn)
{
  ntpac_tls_parser_finish (conn->parser);
  return conn_take (conn);
}

static guint
count_anomalies (Conn        *conn,
                 const gchar *id)
{
  guint n = 0;

  for (guint i = 0; i < conn->anomalies->len; i++)
    if (g_str_equal (conn->anomalies->pdata[i], id))
      n++;
  return n;
}

static guint
count_ptr (GPtrArray   *anomalies,
           const gchar *id)
{
  guint n = 0;

  for (guint i = 0; i < anomalies->len; i++)
    if (g_str_equal (anomalies->pdata[i], id))
      n++;
  return n;
}

/* ---- record checks -------------------------------------------------------- */

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
lookup_complete (GVariant *record)
{
  gboolean complete;

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

static void
assert_alpn (GVariant           *record,
             const gchar *const *expected)
{
  g_autoptr(GVariant) alpn = g_variant_lookup_value (record, "alpn",
                                                     G_VARIANT_TYPE_STRING_ARRAY);

  assert_strv (alpn, expected);
}

static GVariant *
certificates (GVariant *record)
{
  GVariant *list = g_variant_lookup_value (record, "certificates",
                                           G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (list);
  return list;
}

static gchar *
sha256_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
assert_certificate (GVariant           *entry,
                    const TbExpectedCert *expected,
                    GBytes             *der)
{
  g_autofree gchar *sha256 = sha256_hex (der);
  g_autoptr(GVariant) san = g_variant_lookup_value (entry, "san",
                                                    G_VARIANT_TYPE_STRING_ARRAY);

  g_assert_cmpuint (g_variant_n_children (entry), ==, 7);
  g_assert_cmpstr (lookup_string (entry, "subject"), ==, expected->subject);
  g_assert_cmpstr (lookup_string (entry, "issuer"), ==, expected->issuer);
  g_assert_cmpstr (lookup_string (entry, "serial"), ==, expected->serial);
  g_assert_cmpstr (lookup_string (entry, "not_before"), ==, expected->not_before);
  g_assert_cmpstr (lookup_string (entry, "not_after"), ==, expected->not_after);
  assert_strv (san, expected->san);
  g_assert_cmpstr (lookup_string (entry, "sha256"), ==, sha256);
}

/* An entry for bytes OpenSSL could not parse: their SHA-256 only. */
static void
assert_bad_certificate (GVariant     *entry,
                        const guint8 *data,
                        gsize         len)
{
  g_autofree gchar *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                          data, len);

  g_assert_cmpuint (g_variant_n_children (entry), ==, 1);
  g_assert_cmpstr (lookup_string (entry, "sha256"), ==, sha256);
}

/* ---- handshakes ----------------------------------------------------------- */

/* JA4 of tb_spec_client_hello (FALSE, FALSE), from the JA4 specification. */
#define SPEC_JA4_NO_SIGNATURE_ALGORITHMS "t13d1516h2_8daaf6152771_6d807ffa2a79"

/* A record of one message per handshake record, in @out. */
static void
append_message_record (GByteArray *out,
                       GByteArray *message)
{
  tb_records (out, TB_CONTENT_HANDSHAKE, message->data, message->len, 16384);
}

static GByteArray *
server_hello_done (void)
{
  return tb_message (TB_HANDSHAKE_SERVER_HELLO_DONE, NULL, 0);
}

static void
append_change_cipher_spec (GByteArray *out)
{
  tb_record (out, TB_CONTENT_CHANGE_CIPHER_SPEC, (const guint8 *) "\x01", 1);
}

/* A TLS 1.2 server flight without certificates: ServerHello (cipher
 * 0xc02f) and ServerHelloDone. */
static GByteArray *
plain_server_flight (void)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) done = server_hello_done ();

  append_message_record (out, hello);
  append_message_record (out, done);
  return out;
}

static GByteArray *
hello_record (GByteArray *message)
{
  GByteArray *out = g_byte_array_new ();

  append_message_record (out, message);
  return out;
}

static GByteArray *named_client_hello (const gchar *name);

/* ---- certificates --------------------------------------------------------- */

typedef struct
{
  GBytes *leaf;
  GBytes *intermediate;
} Chain;

static Chain
make_chain (void)
{
  Chain chain = { NULL, NULL };

  tb_example_chain (NULL, &chain.leaf, &chain.intermediate);
  return chain;
}

static void
chain_clear (Chain *chain)
{
  g_clear_pointer (&chain->leaf, g_bytes_unref);
  g_clear_pointer (&chain->intermediate, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Chain, chain_clear)

/* ---- probe ---------------------------------------------------------------- */

static void
test_probe (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) stream = hello_record (hello);
  g_autoptr(GByteArray) sslv2 = tb_sslv2_client_hello (0x0301);
  g_autoptr(GByteArray) generated = g_byte_array_new ();
  g_autoptr(GByteArray) server = plain_server_flight ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  static const guint8 zeros[32] = { 0 };
  static const gchar http[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
  /* DNS over TCP: length, id, flags, counts, example.org A IN. */
  static const guint8 dns[] = {
    0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g',
    0x00, 0x00, 0x01, 0x00, 0x01,
  };

  g_test_summary ("The probe accepts TLS and SSLv2-compatible ClientHellos "
                  "from their first 11 bytes, and rejects other protocols, "
                  "server streams and random bytes.");

  gen_tls_append_client_hello (generated, zeros, zeros, "www.example.com", tb_h2_http11);
  g_assert_true (ntpac_tls_probe (stream->data, stream->len));
  g_assert_true (ntpac_tls_probe (stream->data, 11));
  g_assert_false (ntpac_tls_probe (stream->data, 10));
  g_assert_true (ntpac_tls_probe (generated->data, generated->len));
  g_assert_true (ntpac_tls_probe (sslv2->data, sslv2->len));
  g_assert_false (ntpac_tls_probe (sslv2->data, 10));

  g_assert_false (ntpac_tls_probe ((const guint8 *) http, sizeof http - 1));
  g_assert_false (ntpac_tls_probe (dns, sizeof dns));
  g_assert_false (ntpac_tls_probe (server->data, server->len));
  g_assert_false (ntpac_tls_probe (NULL, 0));
  g_assert_false (ntpac_tls_probe (zeros, sizeof zeros));

  /* A session id longer than 32 bytes is not a ClientHello. */
  stream->data[5 + 4 + 2 + 32] = 33;
  g_assert_false (ntpac_tls_probe (stream->data, stream->len));

  for (guint i = 0; i < 10000; i++)
    {
      guint8 bytes[64];

      for (guint j = 0; j < sizeof bytes; j++)
        bytes[j] = g_rand_int_range (rand, 0, 256);
      g_assert_false (ntpac_tls_probe (bytes, sizeof bytes));
    }
}

/* ---- ClientHello and fingerprints ---------------------------------------- */

static void
test_client_hello_spec_example (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) stream = hello_record (hello);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  GVariant *record;

  g_test_summary ("JA4 of the ClientHello of the JA4 specification's example "
                  "(with GREASE added) is the specification's value; JA3 "
                  "leaves GREASE out; SNI and ALPN are extracted.");

  conn_feed_array (conn, TRUE, stream);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);  /* the handshake goes on */
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);
  record = records->pdata[0];

  g_assert_cmpstr (lookup_string (record, "ja4"), ==, SPEC_JA4);
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==, SPEC_JA3_STRING);
  g_assert_cmpstr (lookup_string (record, "ja3"), ==, SPEC_JA3);
  g_assert_cmpstr (lookup_string (record, "sni"), ==, "example.org");
  assert_alpn (record, tb_h2_http11);
  /* No ServerHello: the highest version the client offered. */
  g_assert_cmpstr (lookup_string (record, "version"), ==, "TLS 1.3");
  g_assert_null (lookup_string (record, "cipher"));
  certs = certificates (record);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 0);
  g_assert_false (lookup_complete (record));
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
}

static void
test_client_hello_no_signature_algorithms (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (FALSE, FALSE);
  g_autoptr(GByteArray) stream = hello_record (hello);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("Without signature algorithms, JA4_c hashes the sorted "
                  "extensions alone, without the underscore (the "
                  "specification's 6d807ffa2a79).");

  conn_feed_array (conn, TRUE, stream);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja4"), ==,
                   SPEC_JA4_NO_SIGNATURE_ALGORITHMS);
}

static void
test_client_hello_browser (void)
{
  static const guint16 ciphers[] = {
    GREASE_C, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
    0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
  };
  static const guint16 groups[] = { GREASE_C, 0x11ec, 0x001d, 0x0017, 0x0018 };
  static const guint8 ech[] = { 0x00, 0x00, 0x01, 0x00, 0x01, 0x5c, 0x00, 0x20 };
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(GByteArray) stream = NULL;
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("JA3 and JA4 of a Chrome 143 ClientHello (extension order "
                  "from its JA4_ro) equal the values browserleaks.com "
                  "computed for it, an implementation other than this one.");

  tb_ext_raw (exts, GREASE_A, NULL, 0);
  tb_ext_raw (exts, 0x002d, "\x01\x01", 2);
  tb_ext_key_share (exts);
  tb_ext_alpn (exts, tb_h2_http11);
  tb_ext_raw (exts, 0xfe0d, ech, sizeof ech);          /* encrypted_client_hello */
  tb_ext_raw (exts, 0x0017, NULL, 0);
  tb_ext_raw (exts, 0x44cd, "\x00\x03\x02h2", 6);      /* ALPS, new code point */
  tb_ext_server_name (exts, "tls.browserleaks.com");
  tb_ext_point_formats (exts, tb_uncompressed, 1);
  tb_ext_u16_list (exts, 0x000a, 2, groups, G_N_ELEMENTS (groups));
  tb_ext_u16_list (exts, 0x002b, 1, tb_spec_versions, G_N_ELEMENTS (tb_spec_versions));
  tb_ext_raw (exts, 0xff01, "\x00", 1);
  tb_ext_raw (exts, 0x0023, NULL, 0);
  tb_ext_raw (exts, 0x0012, NULL, 0);
  tb_ext_raw (exts, 0x0005, "\x01\x00\x00\x00\x00", 5);
  tb_ext_u16_list (exts, 0x000d, 2, tb_spec_signature_algorithms,
                   G_N_ELEMENTS (tb_spec_signature_algorithms));
  tb_ext_raw (exts, 0x001b, "\x02\x00\x02", 3);
  tb_ext_raw (exts, GREASE_E, "\x00", 1);
  hello = tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers), exts);
  stream = hello_record (hello);

  conn_feed_array (conn, TRUE, stream);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja3_string"), ==,
                   "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-"
                   "49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-"
                   "10-43-65281-35-18-5-13-27,4588-29-23-24,0");
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja3"), ==,
                   "98487aa16281980e7d1120d399efb6a4");
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja4"), ==,
                   "t13d1516h2_8daaf6152771_d8a2da3f94cd");
}

typedef struct
{
  const gchar *name;
  const guint8 *alpn;     /* first ALPN value; NULL: no ALPN extension */
  gsize alpn_len;
  const gchar *expected;  /* JA4_a */
} AlpnCase;

static const AlpnCase alpn_cases[] = {
  { "none", NULL, 0, "t12i020000" },
  { "empty", (const guint8 *) "", 0, "t12i020100" },
  { "one-char", (const guint8 *) "h", 1, "t12i0201hh" },
  { "http11", (const guint8 *) "http/1.1", 8, "t12i0201h1" },
  { "hex-ab", (const guint8 *) "\xab", 1, "t12i0201ab" },
  { "hex-abcd", (const guint8 *) "\xab\xcd", 2, "t12i0201ad" },
  { "hex-30ab", (const guint8 *) "\x30\xab", 2, "t12i02013b" },
  { "hex-3031abcd", (const guint8 *) "\x30\x31\xab\xcd", 4, "t12i02013d" },
  { "alnum-30abcd31", (const guint8 *) "\x30\xab\xcd\x31", 4, "t12i020101" },
};

static void
test_ja4_alpn (gconstpointer data)
{
  const AlpnCase *c = data;
  static const guint16 ciphers[] = { 0x0035, 0x002f };
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(GByteArray) stream = NULL;
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree gchar *expected = NULL;
  gsize ext, list;

  if (c->alpn != NULL)
    {
      tb_put_u16 (exts, 0x0010);
      ext = tb_begin (exts, 2);
      list = tb_begin (exts, 2);
      tb_put_u8 (exts, c->alpn_len);
      tb_put_bytes (exts, c->alpn, c->alpn_len);
      tb_put_u8 (exts, 2);
      tb_put_bytes (exts, "zz", 2);
      tb_end (exts, list, 2);
      tb_end (exts, ext, 2);
    }
  hello = tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers),
                           c->alpn != NULL ? exts : NULL);
  stream = hello_record (hello);
  conn_feed_array (conn, TRUE, stream);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);

  /* sha256 ("002f,0035"); no extensions but ALPN: JA4_c is the
   * placeholder. */
  expected = g_strconcat (c->expected, "_f54dd463d39b_000000000000", NULL);
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja4"), ==, expected);
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.2");
  g_assert_null (lookup_string (records->pdata[0], "sni"));
}

static void
test_split_records (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) whole = hello_record (hello);
  g_autoptr(GVariant) reference = NULL;
  static const struct
  {
    gsize fragment;
    gsize chunk;
  } cases[] = {
    { 16384, 1 }, { 7, 1 }, { 1, 3 }, { 1, 1 }, { 100, 17 }, { 3, 1000 },
  };

  g_test_summary ("The same ClientHello split into records of 1 to 100 "
                  "bytes, fed 1 to 1000 bytes at a time, gives the same "
                  "record as one record fed at once.");

  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, TRUE, whole);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 1);
    reference = g_variant_ref (records->pdata[0]);
    g_assert_cmpstr (lookup_string (reference, "ja4"), ==, SPEC_JA4);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;

      tb_records (stream, TB_CONTENT_HANDSHAKE, hello->data, hello->len,
                  cases[i].fragment);
      conn_feed_chunked (conn, TRUE, stream->data, stream->len, cases[i].chunk);
      g_assert_cmpuint (conn->held[1]->len, ==, 0);
      records = conn_finish (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_true (g_variant_equal (records->pdata[0], reference));
      g_assert_cmpuint (conn->anomalies->len, ==, 0);
    }
}

static void
test_client_hello_malformed (void)
{
  static const guint16 ciphers[] = { 0x002f };
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(GByteArray) stream = NULL;

  g_test_summary ("A ClientHello whose extension block does not fill it is "
                  "left out; one with a broken server_name list keeps the "
                  "sound fields but no fingerprints.");

  /* The extensions length says one byte more than there is. */
  tb_ext_alpn (exts, tb_h2_http11);
  hello = tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers), exts);
  hello->data[hello->len - exts->len - 1]++;
  stream = hello_record (hello);
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, TRUE, stream);
    g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE), ==, 1);
    g_assert_cmpuint (conn->malformed[1], ==, 0);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_null (lookup_string (records->pdata[0], "ja3"));
    g_assert_null (lookup_string (records->pdata[0], "ja4"));
    g_assert_null (lookup_string (records->pdata[0], "version"));
    g_assert_false (lookup_complete (records->pdata[0]));
  }

  /* server_name whose list length is one short. */
  g_byte_array_set_size (exts, 0);
  tb_ext_server_name (exts, "example.org");
  exts->data[5]--;
  tb_ext_alpn (exts, tb_h2_http11);
  g_clear_pointer (&hello, g_byte_array_unref);
  g_clear_pointer (&stream, g_byte_array_unref);
  hello = tb_client_hello (0x0303, ciphers, G_N_ELEMENTS (ciphers), exts);
  stream = hello_record (hello);
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, TRUE, stream);
    g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE), ==, 1);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_null (lookup_string (records->pdata[0], "sni"));
    g_assert_null (lookup_string (records->pdata[0], "ja3"));
    g_assert_null (lookup_string (records->pdata[0], "ja4"));
    assert_alpn (records->pdata[0], tb_h2_http11);
    g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.2");
  }
}

/* ---- whole handshakes ----------------------------------------------------- */

static void
test_tls12_generator (void)
{
  g_auto(Chain) chain = make_chain ();
  GBytes *ders[2];
  static const guint8 opaque[2048] = { 0x5a };
  g_autoptr(GByteArray) client_hello = g_byte_array_new ();
  g_autoptr(GByteArray) server_flight = g_byte_array_new ();
  g_autoptr(GByteArray) client_finish = g_byte_array_new ();
  g_autoptr(GByteArray) server_finish = g_byte_array_new ();
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  g_autoptr(GVariant) leaf = NULL;
  g_autoptr(GVariant) intermediate = NULL;
  GVariant *record;

  g_test_summary ("A TLS 1.2 handshake as the traffic generator writes it, "
                  "with a two-certificate chain made here: one record, once "
                  "the client changes cipher spec, with every field checked.");

  ders[0] = chain.leaf;
  ders[1] = chain.intermediate;
  gen_tls_append_client_hello (client_hello, opaque, opaque + 32,
                               "www.example.com", tb_h2_http11);
  gen_tls_append_server_flight (server_flight, opaque, opaque + 32, "h2", ders, 2,
                                opaque, opaque);
  gen_tls_append_client_finish (client_finish, opaque, opaque);
  gen_tls_append_server_finish (server_finish, opaque);
  gen_tls_append_application_data (data, opaque, sizeof opaque);

  conn_feed_array (conn, TRUE, client_hello);
  conn_feed_array (conn, FALSE, server_flight);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_false (ntpac_tls_parser_is_done (conn->parser, TRUE));
  g_assert_false (ntpac_tls_parser_is_done (conn->parser, FALSE));

  conn_feed_array (conn, TRUE, client_finish);
  g_assert_true (ntpac_tls_parser_is_done (conn->parser, TRUE));
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  record = records->pdata[0];

  g_assert_cmpstr (lookup_string (record, "version"), ==, "TLS 1.2");
  g_assert_cmpstr (lookup_string (record, "sni"), ==, "www.example.com");
  assert_alpn (record, tb_h2_http11);
  g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0xc02b");
  g_assert_true (lookup_complete (record));
  /* The generator's lists, written out by hand. */
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==,
                   "771,49195-49199-52393-52392-49196-49200-49162-49161-49171-"
                   "49172-156-157-47-53,0-23-65281-11-10-35-16-5-13,29-23-24-25,0");
  g_assert_cmpstr (lookup_string (record, "ja3"), ==, "32f293fcb037302afdcfd782484a65d5");
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, "t12d1409h2_c866b44c5a26_46edf9b8d274");

  certs = certificates (record);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
  leaf = g_variant_get_child_value (certs, 0);
  intermediate = g_variant_get_child_value (certs, 1);
  assert_certificate (leaf, &tb_leaf_expected, chain.leaf);
  assert_certificate (intermediate, &tb_intermediate_expected, chain.intermediate);

  /* The rest is encrypted: no other record, no anomaly. */
  conn_feed_array (conn, FALSE, server_finish);
  conn_feed_array (conn, TRUE, data);
  conn_feed_array (conn, FALSE, data);
  g_assert_true (ntpac_tls_parser_is_done (conn->parser, FALSE));
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
}

static void
test_split_server_flight (void)
{
  g_auto(Chain) chain = make_chain ();
  GBytes *ders[2] = { chain.leaf, chain.intermediate };
  g_autoptr(GByteArray) hello = named_client_hello ("www.example.com");
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) messages = tb_server_hello (0x0303, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = tb_certificate (ders, 2);
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  static const gsize fragments[] = { 16384, 100, 13, 1 };
  static const gsize chunks[] = { 1448, 1 };

  g_test_summary ("ServerHello, Certificate and ServerHelloDone as one "
                  "handshake stream cut into records of 1 to 16384 bytes, "
                  "messages sharing records: the chain is whole every time.");

  g_byte_array_append (messages, certificate->data, certificate->len);
  g_byte_array_append (messages, done->data, done->len);
  append_change_cipher_spec (finish);
  for (guint i = 0; i < G_N_ELEMENTS (fragments); i++)
    for (guint j = 0; j < G_N_ELEMENTS (chunks); j++)
      {
        g_autoptr(GByteArray) server = g_byte_array_new ();
        g_autoptr(Conn) conn = conn_new ();
        g_autoptr(GPtrArray) records = NULL;
        g_autoptr(GVariant) certs = NULL;
        g_autoptr(GVariant) leaf = NULL;
        g_autoptr(GVariant) intermediate = NULL;

        tb_records (server, TB_CONTENT_HANDSHAKE, messages->data, messages->len,
                    fragments[i]);
        conn_feed_array (conn, TRUE, client);
        conn_feed_chunked (conn, FALSE, server->data, server->len, chunks[j]);
        conn_feed_array (conn, TRUE, finish);
        records = conn_take (conn);
        g_assert_cmpuint (records->len, ==, 1);
        g_assert_true (lookup_complete (records->pdata[0]));
        g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02b");
        certs = certificates (records->pdata[0]);
        g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
        leaf = g_variant_get_child_value (certs, 0);
        intermediate = g_variant_get_child_value (certs, 1);
        assert_certificate (leaf, &tb_leaf_expected, chain.leaf);
        assert_certificate (intermediate, &tb_intermediate_expected, chain.intermediate);
        g_assert_cmpuint (conn->anomalies->len, ==, 0);
      }
}

/* A leaf with @n_names more DNS names than the example's, in @extra. */
static gchar *
many_names (guint n_names)
{
  GString *extra = g_string_new (NULL);

  for (guint i = 0; i < n_names; i++)
    g_string_append_printf (extra, ",DNS:name%05u.alt.example.com", i);
  return g_string_free (extra, FALSE);
}

static void
test_large_certificate (void)
{
  const guint n_names = 12000;
  g_autofree gchar *extra = many_names (n_names);
  g_auto(Chain) chain = { NULL, NULL };
  g_autoptr(GByteArray) hello = named_client_hello ("www.example.com");
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) messages = tb_server_hello (0x0303, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = NULL;
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  static const gsize fragments[] = { 16384, 1000 };
  GBytes *ders[2];

  g_test_summary ("A Certificate message of more than 256 KiB (one "
                  "certificate naming 12000 hosts, as servers send) cut "
                  "into records and TCP segments: the chain is whole and "
                  "every name is listed.");

  tb_example_chain (extra, &chain.leaf, &chain.intermediate);
  g_assert_cmpuint (g_bytes_get_size (chain.leaf), >, 256 * 1024);
  ders[0] = chain.leaf;
  ders[1] = chain.intermediate;
  certificate = tb_certificate (ders, 2);
  g_byte_array_append (messages, certificate->data, certificate->len);
  g_byte_array_append (messages, done->data, done->len);
  append_change_cipher_spec (finish);
  for (guint i = 0; i < G_N_ELEMENTS (fragments); i++)
    {
      g_autoptr(GByteArray) server = g_byte_array_new ();
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GVariant) certs = NULL;
      g_autoptr(GVariant) leaf = NULL;
      g_autoptr(GVariant) intermediate = NULL;
      g_autoptr(GVariant) san = NULL;
      g_autofree gchar *sha256 = sha256_hex (chain.leaf);
      const gchar *name = NULL;

      tb_records (server, TB_CONTENT_HANDSHAKE, messages->data, messages->len,
                  fragments[i]);
      conn_feed_array (conn, TRUE, client);
      conn_feed_chunked (conn, FALSE, server->data, server->len, 1448);
      conn_feed_array (conn, TRUE, finish);
      g_assert_cmpuint (conn->anomalies->len, ==, 0);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_true (lookup_complete (records->pdata[0]));
      g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "www.example.com");
      certs = certificates (records->pdata[0]);
      g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
      leaf = g_variant_get_child_value (certs, 0);
      intermediate = g_variant_get_child_value (certs, 1);
      g_assert_cmpstr (lookup_string (leaf, "sha256"), ==, sha256);
      g_assert_cmpstr (lookup_string (leaf, "subject"), ==, tb_leaf_expected.subject);
      san = g_variant_lookup_value (leaf, "san", G_VARIANT_TYPE_STRING_ARRAY);
      g_assert_nonnull (san);
      g_assert_cmpuint (g_variant_n_children (san), ==, 4 + n_names);
      g_variant_get_child (san, 4 + n_names - 1, "&s", &name);
      g_assert_cmpstr (name, ==, "name11999.alt.example.com");
      assert_certificate (intermediate, &tb_intermediate_expected, chain.intermediate);
    }
}

static void
test_certificate_tiny_records (void)
{
  g_auto(Chain) chain = make_chain ();
  GBytes *ders[2] = { chain.leaf, chain.intermediate };
  g_autoptr(GByteArray) hello = named_client_hello ("www.example.com");
  g_autoptr(GByteArray) client = g_byte_array_new ();
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = tb_certificate (ders, 2);
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  static const gsize fragments[] = { 1, 3, 7 };
  static const gsize chunks[] = { 2, 5, 11, 1448 };

  g_test_summary ("The ServerHello alone, then a Certificate in records of "
                  "1 to 7 bytes, the last sharing its record with "
                  "ServerHelloDone, the records cut into segments that "
                  "end inside record headers; the ClientHello in 5-byte "
                  "records: every field is found.");

  tb_records (client, TB_CONTENT_HANDSHAKE, hello->data, hello->len, 5);
  append_change_cipher_spec (finish);
  for (guint i = 0; i < G_N_ELEMENTS (fragments); i++)
    for (guint j = 0; j < G_N_ELEMENTS (chunks); j++)
      {
        g_autoptr(GByteArray) server = hello_record (server_hello);
        g_autoptr(GByteArray) rest = g_byte_array_new ();
        g_autoptr(Conn) conn = conn_new ();
        g_autoptr(GPtrArray) records = NULL;
        g_autoptr(GVariant) certs = NULL;
        g_autoptr(GVariant) leaf = NULL;
        g_autoptr(GVariant) intermediate = NULL;

        g_byte_array_append (rest, certificate->data, certificate->len);
        g_byte_array_append (rest, done->data, done->len);
        tb_records (server, TB_CONTENT_HANDSHAKE, rest->data, rest->len,
                    fragments[i]);
        conn_feed_chunked (conn, TRUE, client->data, client->len, chunks[j]);
        conn_feed_chunked (conn, FALSE, server->data, server->len, chunks[j]);
        conn_feed_array (conn, TRUE, finish);
        g_assert_cmpuint (conn->anomalies->len, ==, 0);
        records = conn_take (conn);
        g_assert_cmpuint (records->len, ==, 1);
        g_assert_true (lookup_complete (records->pdata[0]));
        g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "www.example.com");
        g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02b");
        certs = certificates (records->pdata[0]);
        g_assert_cmpuint (g_variant_n_children (certs), ==, 2);
        leaf = g_variant_get_child_value (certs, 0);
        intermediate = g_variant_get_child_value (certs, 1);
        assert_certificate (leaf, &tb_leaf_expected, chain.leaf);
        assert_certificate (intermediate, &tb_intermediate_expected, chain.intermediate);
      }
}

/* Feeds @data to ntpac_tls_parser_feed_handshake() @chunk bytes at a
 * time. */
static void
feed_messages (NtpacTlsParser *parser,
               gboolean        from_client,
               const guint8   *data,
               gsize           len,
               gsize           chunk,
               GPtrArray      *anomalies)
{
  for (gsize offset = 0; offset < len; offset += chunk)
    ntpac_tls_parser_feed_handshake (parser, from_client, data + offset,
                                     MIN (chunk, len - offset), anomalies);
}

static void
test_handshake_stream_quic (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0x1301, 0x0304, FALSE);
  static const gsize chunks[] = { 1, 7, 100000 };

  g_test_summary ("The JA4 specification's ClientHello and a TLS 1.3 "
                  "ServerHello given as bare handshake messages, as QUIC "
                  "CRYPTO frames carry them, in pieces of 1 to all bytes: "
                  "JA4 starts with q, the rest is the TLS values.");

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autoptr(NtpacTlsParser) parser = ntpac_tls_parser_new_for (NTPAC_TLS_TRANSPORT_QUIC);
      g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
      g_autoptr(GVariant) record = NULL;

      feed_messages (parser, TRUE, hello->data, hello->len, chunks[i], anomalies);
      g_assert_null (ntpac_tls_parser_take_record (parser));
      feed_messages (parser, FALSE, server_hello->data, server_hello->len, chunks[i],
                     anomalies);
      record = g_variant_ref_sink (ntpac_tls_parser_take_record (parser));
      g_assert_nonnull (record);
      g_assert_cmpuint (anomalies->len, ==, 0);
      /* SPEC_JA4 with the QUIC protocol character. */
      g_assert_cmpstr (lookup_string (record, "ja4"), ==, "q13d1516h2_8daaf6152771_e5627efa2ab1");
      g_assert_cmpstr (lookup_string (record, "ja3"), ==, SPEC_JA3);
      g_assert_cmpstr (lookup_string (record, "sni"), ==, "example.org");
      g_assert_cmpstr (lookup_string (record, "version"), ==, "TLS 1.3");
      g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0x1301");
      g_assert_true (lookup_complete (record));
      assert_alpn (record, tb_h2_http11);
    }
}

static void
test_handshake_stream_dtls (void)
{
  static const guint16 ciphers[] = { 0xc02b, 0xc02f, 0x00ff };
  static const guint16 versions[] = { 0xfefc, 0xfefd };
  static const guint8 cookie[20] = { 0xc0, 0x0c, 0x1e };
  g_autoptr(GByteArray) exts = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(NtpacTlsParser) parser = ntpac_tls_parser_new_for (NTPAC_TLS_TRANSPORT_DTLS);
  g_autoptr(NtpacTlsParser) tcp = ntpac_tls_parser_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) tcp_record = NULL;

  g_test_summary ("A DTLS ClientHello (cookie after the session id) "
                  "offering DTLS 1.3 and 1.2: JA4 starts dd3 (DTLS "
                  "versions count down), the version is DTLS 1.3; the "
                  "same bytes read as TLS are not a ClientHello.");

  tb_ext_server_name (exts, "webrtc.example");
  tb_ext_u16_list (exts, 0x002b, 1, versions, G_N_ELEMENTS (versions));
  hello = tb_dtls_client_hello (0xfefd, cookie, sizeof cookie, ciphers,
                                G_N_ELEMENTS (ciphers), exts);
  ntpac_tls_parser_feed_handshake (parser, TRUE, hello->data, hello->len, anomalies);
  ntpac_tls_parser_finish (parser);
  record = g_variant_ref_sink (ntpac_tls_parser_take_record (parser));
  g_assert_cmpuint (anomalies->len, ==, 0);
  g_assert_cmpstr (lookup_string (record, "sni"), ==, "webrtc.example");
  g_assert_cmpstr (lookup_string (record, "version"), ==, "DTLS 1.3");
  /* JA4 writes DTLS 1.3 "d3"; 3 ciphers, 2 extensions, no ALPN. The
   * hashes are those of TLS, tested above: the prefix is what differs. */
  g_assert_true (g_str_has_prefix (lookup_string (record, "ja4"), "dd3d030200_"));
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==,
                   "65277,49195-49199-255,0-43,,");

  ntpac_tls_parser_feed_handshake (tcp, TRUE, hello->data, hello->len, anomalies);
  ntpac_tls_parser_finish (tcp);
  tcp_record = g_variant_ref_sink (ntpac_tls_parser_take_record (tcp));
  g_assert_null (lookup_string (tcp_record, "ja4"));
  g_assert_cmpuint (count_ptr (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE), ==, 1);
}

static void
test_tls12_generator_truth (void)
{
  static const gchar *const names[] = { "shop.example.net" };
  static const guint8 opaque[64] = { 0x11 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  g_autoptr(GenPool) pool = gen_pool_new (rand, 42, names, 1, &error);
  g_autoptr(JsonParser) json = json_parser_new ();
  g_autoptr(GByteArray) client = g_byte_array_new ();
  g_autoptr(GByteArray) server = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  const GenCertChain *chain;
  GBytes *ders[2];
  JsonArray *truth;

  g_test_summary ("Certificates the traffic generator makes are described "
                  "exactly as its ground truth lists them, which the "
                  "engine's TLS export is compared with.");

  g_assert_no_error (error);
  chain = pool->chains->pdata[0];
  ders[0] = chain->leaf_der;
  ders[1] = chain->intermediate_der;
  gen_tls_append_client_hello (client, opaque, opaque, chain->server_name, tb_h2_http11);
  gen_tls_append_server_flight (server, opaque, opaque, "h2", ders, 2, opaque, opaque);
  gen_tls_append_server_finish (server, opaque);
  conn_feed_array (conn, TRUE, client);
  conn_feed_array (conn, FALSE, server);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  certs = certificates (records->pdata[0]);

  json_parser_load_from_data (json, chain->certificates_json, -1, &error);
  g_assert_no_error (error);
  truth = json_node_get_array (json_parser_get_root (json));
  g_assert_cmpuint (json_array_get_length (truth), ==, g_variant_n_children (certs));
  for (guint i = 0; i < json_array_get_length (truth); i++)
    {
      JsonObject *expected = json_array_get_object_element (truth, i);
      JsonArray *san = json_object_get_array_member (expected, "san");
      g_autoptr(GVariant) entry = g_variant_get_child_value (certs, i);
      g_autoptr(GVariant) sans = g_variant_lookup_value (entry, "san",
                                                         G_VARIANT_TYPE_STRING_ARRAY);
      static const gchar *const keys[] = {
        "subject", "issuer", "serial", "not_before", "not_after", "sha256",
      };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        g_assert_cmpstr (lookup_string (entry, keys[k]), ==,
                         json_object_get_string_member (expected, keys[k]));
      g_assert_cmpuint (g_variant_n_children (sans), ==, json_array_get_length (san));
      for (guint k = 0; k < json_array_get_length (san); k++)
        {
          const gchar *name;

          g_variant_get_child (sans, k, "&s", &name);
          g_assert_cmpstr (name, ==, json_array_get_string_element (san, k));
        }
    }
}

static void
test_tls13 (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0x1301, 0x0304, FALSE);
  g_autoptr(GByteArray) server = hello_record (server_hello);
  g_auto(Chain) chain = make_chain ();
  g_autoptr(GByteArray) certificate = tb_certificate (&chain.leaf, 1);
  g_autoptr(GByteArray) encrypted = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  GVariant *record;

  g_test_summary ("A ServerHello choosing TLS 1.3 in supported_versions "
                  "ends what can be seen: the record comes at once, and "
                  "later server records, even a plaintext-looking "
                  "Certificate, are skipped.");

  conn_feed_array (conn, TRUE, client);
  conn_feed_array (conn, FALSE, server);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_true (ntpac_tls_parser_is_done (conn->parser, FALSE));
  record = records->pdata[0];
  g_assert_cmpstr (lookup_string (record, "version"), ==, "TLS 1.3");
  g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0x1301");
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, SPEC_JA4);
  g_assert_true (lookup_complete (record));
  certs = certificates (record);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 0);

  append_change_cipher_spec (encrypted);
  tb_record (encrypted, TB_CONTENT_APPLICATION_DATA, (const guint8 *) "opaque", 6);
  append_message_record (encrypted, certificate);
  conn_feed_array (conn, FALSE, encrypted);
  conn_feed_array (conn, TRUE, encrypted);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
}

static void
test_hello_retry (void)
{
  g_test_summary ("After a HelloRetryRequest (with or without the middlebox-"
                  "compatibility ChangeCipherSpecs), the second ClientHello "
                  "belongs to the same handshake: one record, fingerprinted "
                  "from the first.");

  for (guint compat = 0; compat < 2; compat++)
    {
      g_autoptr(GByteArray) hello1 = tb_spec_client_hello (TRUE, FALSE);
      g_autoptr(GByteArray) hello2 = tb_spec_client_hello (TRUE, TRUE);
      g_autoptr(GByteArray) retry = tb_server_hello (0x0303, 0x1301, 0x0304, TRUE);
      g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0x1302, 0x0304,
                                                            FALSE);
      g_autoptr(GByteArray) client1 = hello_record (hello1);
      g_autoptr(GByteArray) server1 = hello_record (retry);
      g_autoptr(GByteArray) client2 = g_byte_array_new ();
      g_autoptr(GByteArray) server2 = hello_record (server_hello);
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;

      if (compat)
        {
          append_change_cipher_spec (server1);
          append_change_cipher_spec (client2);
        }
      append_message_record (client2, hello2);

      conn_feed_array (conn, TRUE, client1);
      conn_feed_array (conn, FALSE, server1);
      conn_feed_array (conn, TRUE, client2);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 0);
      conn_feed_array (conn, FALSE, server2);
      g_clear_pointer (&records, g_ptr_array_unref);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_cmpstr (lookup_string (records->pdata[0], "ja4"), ==, SPEC_JA4);
      g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0x1302");
      g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.3");
      g_assert_true (lookup_complete (records->pdata[0]));
      {
        gboolean retried = FALSE;

        g_assert_true (g_variant_lookup (records->pdata[0], "hello_retry", "b", &retried));
        g_assert_true (retried);
      }
      g_clear_pointer (&records, g_ptr_array_unref);
      records = conn_finish (conn);
      g_assert_cmpuint (records->len, ==, 0);
      g_assert_cmpuint (conn->anomalies->len, ==, 0);
    }
}

static void
test_bad_certificate (void)
{
  g_auto(Chain) chain = make_chain ();
  static const guint8 garbage[] = "not a certificate at all";
  gsize leaf_len;
  const guint8 *leaf = g_bytes_get_data (chain.leaf, &leaf_len);
  g_autoptr(GBytes) truncated = g_bytes_new (leaf, 100);
  g_autoptr(GBytes) trailing = NULL;
  g_autoptr(GBytes) junk = g_bytes_new (garbage, sizeof garbage - 1);
  g_autoptr(GByteArray) with_byte = g_byte_array_new ();
  g_autoptr(GByteArray) certificate = NULL;
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) server = plain_server_flight ();
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GVariant) first = NULL;
  GBytes *ders[4];

  g_test_summary ("Certificates OpenSSL cannot parse (cut, garbage, or with "
                  "a byte after the DER) give entries with their SHA-256 only "
                  "and a tls.bad-certificate anomaly each; good ones around "
                  "them are described. Seen a second time (described from the "
                  "thread's cache), they give the same entries and anomalies.");

  tb_put_bytes (with_byte, leaf, leaf_len);
  tb_put_u8 (with_byte, 0);
  trailing = g_byte_array_free_to_bytes (g_steal_pointer (&with_byte));
  ders[0] = chain.leaf;
  ders[1] = truncated;
  ders[2] = junk;
  ders[3] = trailing;
  certificate = tb_certificate (ders, 4);
  g_byte_array_set_size (server, 0);
  append_message_record (server, server_hello);
  append_message_record (server, certificate);
  append_message_record (server, done);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GVariant) certs = NULL;

      conn_feed_array (conn, TRUE, client);
      conn_feed_array (conn, FALSE, server);
      records = conn_finish (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_BAD_CERTIFICATE), ==, 3);
      g_assert_cmpuint (conn->anomalies->len, ==, 3);
      certs = certificates (records->pdata[0]);
      g_assert_cmpuint (g_variant_n_children (certs), ==, 4);
      for (guint i = 0; i < 4; i++)
        {
          g_autoptr(GVariant) entry = g_variant_get_child_value (certs, i);
          gsize len;
          const guint8 *der = g_bytes_get_data (ders[i], &len);

          if (i == 0)
            assert_certificate (entry, &tb_leaf_expected, chain.leaf);
          else
            assert_bad_certificate (entry, der, len);
        }
      /* The handshake itself was whole. */
      g_assert_true (lookup_complete (records->pdata[0]));
      if (pass == 0)
        first = g_steal_pointer (&certs);
      else
        g_assert_true (g_variant_equal (first, certs));
    }
}

static void
test_certificate_describe (void)
{
  g_auto(Chain) chain = make_chain ();
  gsize len;
  const guint8 *der = g_bytes_get_data (chain.intermediate, &len);
  g_autoptr(GVariant) good = NULL;
  g_autoptr(GVariant) empty = NULL;
  g_autoptr(GVariant) cut = NULL;
  gboolean parsed = FALSE;

  g_test_summary ("The X.509 wrapper on its own: a certificate, no bytes, "
                  "and every cut of a certificate.");

  good = g_variant_ref_sink (ntpac_tls_certificate_describe (der, len, &parsed));
  g_assert_true (parsed);
  assert_certificate (good, &tb_intermediate_expected, chain.intermediate);

  empty = g_variant_ref_sink (ntpac_tls_certificate_describe (NULL, 0, &parsed));
  g_assert_false (parsed);
  assert_bad_certificate (empty, NULL, 0);

  for (gsize cut_len = 0; cut_len < len; cut_len++)
    {
      g_autoptr(GVariant) entry =
        g_variant_ref_sink (ntpac_tls_certificate_describe (der, cut_len, &parsed));

      g_assert_false (parsed);
      assert_bad_certificate (entry, der, cut_len);
    }
}

static gchar *
serial_of (const gchar *serial_hex)
{
  static const gchar *const subject[] = { "CN", "serial.example", NULL };
  const TbCertSpec spec = { subject, serial_hex, T_2024_01_01, T_2051_06_15_08, NULL };
  g_autoptr(EVP_PKEY) key = tb_key (9);
  g_autoptr(X509) cert = tb_make_certificate (&spec, key, NULL, key);
  g_autoptr(GBytes) der = tb_certificate_der (cert);
  g_autoptr(GVariant) entry = NULL;
  gboolean parsed = FALSE;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (der, &len);

  entry = g_variant_ref_sink (ntpac_tls_certificate_describe (bytes, len, &parsed));
  g_assert_true (parsed);
  return g_strdup (lookup_string (entry, "serial"));
}

static void
test_certificate_serial (void)
{
  g_autofree gchar *padded = serial_of ("80FF01");
  g_autofree gchar *zero = serial_of ("00");
  g_autofree gchar *plain = serial_of ("7F");

  g_test_summary ("Serials are the DER INTEGER's content bytes in hex, as the "
                  "certificate holds them: the 00 DER puts before a high first "
                  "byte is kept, and zero is 00.");
  g_assert_cmpstr (padded, ==, "0080ff01");
  g_assert_cmpstr (zero, ==, "00");
  g_assert_cmpstr (plain, ==, "7f");
}

static void
test_client_certificate (void)
{
  static const gchar *const client_subject[] = { "CN", "jane.doe@example.org", NULL };
  const TbCertSpec client_spec = { client_subject, "C11E", T_2024_01_01, T_2051_06_15_08, NULL };
  g_autoptr(EVP_PKEY) client_key = tb_key (7);
  g_autoptr(X509) client_cert = tb_make_certificate (&client_spec, client_key, NULL, client_key);
  g_autoptr(GBytes) client_der = tb_certificate_der (client_cert);
  g_auto(Chain) chain = make_chain ();
  GBytes *server_ders[2] = { chain.leaf, chain.intermediate };
  GBytes *client_ders[1] = { client_der };
  g_autoptr(GByteArray) hello = named_client_hello ("mail.example.org");
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) messages = tb_server_hello (0x0303, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = tb_certificate (server_ders, 2);
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) client_certificate = tb_certificate (client_ders, 1);
  g_autoptr(GByteArray) server = g_byte_array_new ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) client_chain = NULL;
  g_autoptr(GVariant) entry = NULL;

  g_test_summary ("A client that authenticates with a certificate: its chain is "
                  "kept as client_certificates, apart from the server's.");
  g_byte_array_append (messages, certificate->data, certificate->len);
  g_byte_array_append (messages, done->data, done->len);
  tb_records (server, TB_CONTENT_HANDSHAKE, messages->data, messages->len, 16384);
  tb_records (finish, TB_CONTENT_HANDSHAKE, client_certificate->data, client_certificate->len, 16384);
  append_change_cipher_spec (finish);
  conn_feed_array (conn, TRUE, client);
  conn_feed_array (conn, FALSE, server);
  conn_feed_array (conn, TRUE, finish);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (g_variant_n_children (certificates (records->pdata[0])), ==, 2);
  client_chain = g_variant_lookup_value (records->pdata[0], "client_certificates", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (client_chain);
  g_assert_cmpuint (g_variant_n_children (client_chain), ==, 1);
  entry = g_variant_get_child_value (client_chain, 0);
  g_assert_cmpstr (lookup_string (entry, "subject"), ==, "CN=jane.doe@example.org");
  g_assert_cmpstr (lookup_string (entry, "serial"), ==, "00c11e");
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
}

/* ---- record layer ----------------------------------------------------------- */

static void
test_needed (void)
{
  g_autoptr(NtpacTlsParser) parser = ntpac_tls_parser_new ();
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  static const guint8 opaque[300] = { 0 };
  gsize consumed, needed;

  g_test_summary ("INCOMPLETE says how many bytes from the first one not "
                  "consumed make the next record; whole records before it "
                  "are consumed.");

  tb_record (stream, TB_CONTENT_APPLICATION_DATA, opaque, 100);
  tb_record (stream, TB_CONTENT_APPLICATION_DATA, opaque, 7);
  tb_record (stream, TB_CONTENT_APPLICATION_DATA, opaque, 300);

  g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data, 3,
                                          &consumed, &needed, NULL), ==,
                   NTPAC_TLS_STATUS_INCOMPLETE);
  g_assert_cmpuint (consumed, ==, 0);
  g_assert_cmpuint (needed, ==, 5);
  g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data, 5,
                                          &consumed, &needed, NULL), ==,
                   NTPAC_TLS_STATUS_INCOMPLETE);
  g_assert_cmpuint (consumed, ==, 0);
  g_assert_cmpuint (needed, ==, 105);
  g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data, 105 + 12 + 7,
                                          &consumed, &needed, NULL), ==,
                   NTPAC_TLS_STATUS_INCOMPLETE);
  g_assert_cmpuint (consumed, ==, 105 + 12);
  g_assert_cmpuint (needed, ==, 305);
  g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data + 117, 305,
                                          &consumed, &needed, NULL), ==,
                   NTPAC_TLS_STATUS_OK);
  g_assert_cmpuint (consumed, ==, 305);
  g_assert_cmpuint (needed, ==, 0);
}

typedef struct
{
  const gchar *name;
  guint8 header[5];
  gsize checked;       /* bytes enough to see it is wrong */
} BadHeaderCase;

static const BadHeaderCase bad_header_cases[] = {
  { "type-19", { 19, 3, 3, 0, 1 }, 1 },
  { "type-25", { 25, 3, 3, 0, 1 }, 1 },
  { "type-0", { 0, 3, 3, 0, 1 }, 1 },
  { "http", { 'G', 'E', 'T', ' ', '/' }, 1 },
  { "version-2", { 22, 2, 0, 0, 1 }, 2 },
  { "version-3.5", { 22, 3, 5, 0, 1 }, 3 },
  { "length-18433", { 23, 3, 3, 0x48, 0x01 }, 5 },
  { "length-65535", { 23, 3, 3, 0xff, 0xff }, 5 },
};

static void
test_bad_record_header (gconstpointer data)
{
  const BadHeaderCase *c = data;
  g_autoptr(GByteArray) stream = plain_server_flight ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(NtpacTlsParser) parser = ntpac_tls_parser_new ();
  gsize consumed, needed, good = stream->len;

  tb_put_bytes (stream, c->header, sizeof c->header);
  tb_put_bytes (stream, "more bytes", 10);

  /* Fewer bytes than needed to tell: waiting for the header. */
  if (c->checked > 1)
    {
      g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data,
                                              good + c->checked - 1, &consumed,
                                              &needed, anomalies), ==,
                       NTPAC_TLS_STATUS_INCOMPLETE);
      g_assert_cmpuint (consumed, ==, good);
      g_assert_cmpuint (needed, ==, 5);
      g_assert_cmpuint (anomalies->len, ==, 0);
      g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data + good,
                                              c->checked, &consumed, &needed,
                                              anomalies), ==,
                       NTPAC_TLS_STATUS_MALFORMED);
    }
  else
    {
      g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data,
                                              good + 1, &consumed, &needed,
                                              anomalies), ==,
                       NTPAC_TLS_STATUS_MALFORMED);
      g_assert_cmpuint (consumed, ==, good + 1);
    }
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_TLS_ANOMALY_MALFORMED_RECORD);
  g_assert_true (ntpac_tls_parser_is_done (parser, FALSE));

  /* Then the direction is ignored, quietly. */
  g_assert_cmpint (ntpac_tls_parser_feed (parser, FALSE, stream->data,
                                          stream->len, &consumed, &needed,
                                          anomalies), ==, NTPAC_TLS_STATUS_OK);
  g_assert_cmpuint (consumed, ==, stream->len);
  g_assert_cmpuint (anomalies->len, ==, 1);
  /* The client direction is not affected. */
  g_assert_false (ntpac_tls_parser_is_done (parser, TRUE));
}

static void
test_largest_record (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GByteArray) opaque = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();

  g_test_summary ("A record of 2^14 + 2048 bytes, the largest allowed, is "
                  "accepted, also fed a byte at a time.");

  g_byte_array_set_size (opaque, NTPAC_TLS_MAX_RECORD_LENGTH);
  memset (opaque->data, 0x17, opaque->len);
  tb_record (stream, TB_CONTENT_APPLICATION_DATA, opaque->data, opaque->len);
  conn_feed_chunked (conn, TRUE, stream->data, stream->len, 1);
  g_assert_cmpuint (conn->malformed[1], ==, 0);
  g_assert_cmpuint (conn->held[1]->len, ==, 0);
  g_assert_cmpuint (conn->anomalies->len, ==, 0);
}

static void
test_handshake_too_large (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) server = hello_record (server_hello);
  g_autoptr(GByteArray) huge = g_byte_array_new ();
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;
  const gsize body_len = NTPAC_TLS_MAX_HANDSHAKE_SIZE;

  g_test_summary ("A Certificate message longer than the reassembly limit "
                  "is skipped with a tls.handshake-too-large anomaly; the "
                  "message after it is found where it starts.");

  tb_put_u8 (huge, TB_HANDSHAKE_CERTIFICATE);
  tb_put_u24 (huge, body_len);
  g_byte_array_set_size (huge, 4 + body_len);
  memset (huge->data + 4, 0x16, body_len);
  /* ServerHelloDone shares the huge message's last record. */
  g_byte_array_append (huge, done->data, done->len);
  tb_records (server, TB_CONTENT_HANDSHAKE, huge->data, huge->len, 16384);
  append_change_cipher_spec (finish);

  conn_feed_array (conn, TRUE, client);
  conn_feed_chunked (conn, FALSE, server->data, server->len, 1448);
  g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE), ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 1);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);
  /* The ServerHelloDone was seen: the client's ChangeCipherSpec ends the
   * handshake. */
  conn_feed_array (conn, TRUE, finish);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02f");
  g_assert_false (lookup_complete (records->pdata[0]));
  certs = certificates (records->pdata[0]);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 0);
}

/* ---- gaps ------------------------------------------------------------------- */

/* A TLS 1.2 server flight, one message per record, and where the
 * Certificate record starts and ends. */
static GByteArray *
certificate_flight (const Chain *chain,
                    gsize       *certificate_start,
                    gsize       *certificate_end)
{
  GBytes *ders[2] = { chain->leaf, chain->intermediate };
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02b, 0, FALSE);
  g_autoptr(GByteArray) certificate = tb_certificate (ders, 2);
  g_autoptr(GByteArray) done = server_hello_done ();

  append_message_record (out, server_hello);
  *certificate_start = out->len;
  append_message_record (out, certificate);
  *certificate_end = out->len;
  append_message_record (out, done);
  return out;
}

static void
test_gap_inside_record (void)
{
  g_auto(Chain) chain = make_chain ();
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) finish = g_byte_array_new ();
  gsize start, end;
  g_autoptr(GByteArray) server = certificate_flight (&chain, &start, &end);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) certs = NULL;

  g_test_summary ("Bytes lost inside a record whose header was seen: the "
                  "rest of it is skipped, its message is dropped, and the "
                  "next record (ServerHelloDone) is parsed.");

  append_change_cipher_spec (finish);
  conn_feed_array (conn, TRUE, client);
  conn_feed (conn, FALSE, server->data, start + 100);
  g_assert_cmpuint (conn->held[0]->len, ==, 100);
  conn_gap (conn, FALSE, 50);
  g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_GAP), ==, 1);
  conn_feed_chunked (conn, FALSE, server->data + start + 150,
                     server->len - start - 150, 10);
  g_assert_cmpuint (conn->malformed[0], ==, 0);
  g_assert_false (ntpac_tls_parser_is_done (conn->parser, FALSE));
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);

  /* ServerHelloDone was seen, so the client's ChangeCipherSpec ends it. */
  conn_feed_array (conn, TRUE, finish);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02b");
  g_assert_cmpstr (lookup_string (records->pdata[0], "ja4"), ==, SPEC_JA4);
  certs = certificates (records->pdata[0]);
  g_assert_cmpuint (g_variant_n_children (certs), ==, 0);
  g_assert_false (lookup_complete (records->pdata[0]));
  g_assert_cmpuint (conn->anomalies->len, ==, 1);
}

static void
test_gap_inside_message (void)
{
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) next_hello = named_client_hello ("after.example");
  g_autoptr(GByteArray) client = g_byte_array_new ();
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) server = hello_record (server_hello);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;
  const gsize fragment = 50, record = 5 + fragment;

  g_test_summary ("Bytes lost inside a ClientHello split over records: the "
                  "rest of the message is skipped exactly, so the next "
                  "ClientHello, which shares its last record, is parsed, "
                  "and the ChangeCipherSpec after it is seen.");

  g_byte_array_append (hello, next_hello->data, next_hello->len);
  tb_records (client, TB_CONTENT_HANDSHAKE, hello->data, hello->len, fragment);
  g_assert_cmpuint (hello->len, >, 6 * fragment);
  g_assert_cmpuint (next_hello->len % fragment, !=, 0);
  append_change_cipher_spec (client);

  /* Three records and 10 bytes of the fourth; 20 more are lost. */
  conn_feed (conn, TRUE, client->data, 3 * record + 10);
  conn_gap (conn, TRUE, 20);
  conn_feed_chunked (conn, TRUE, client->data + 3 * record + 30,
                     client->len - 3 * record - 30, 7);
  g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_GAP), ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 1);
  g_assert_true (ntpac_tls_parser_is_done (conn->parser, TRUE));

  conn_feed_array (conn, FALSE, server);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "after.example");
  g_assert_nonnull (lookup_string (records->pdata[0], "ja4"));
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.2");
  /* Bytes were lost before it was opened: not known to be whole. */
  g_assert_false (lookup_complete (records->pdata[0]));
}

static void
test_gap_unknown_boundary (void)
{
  g_auto(Chain) chain = make_chain ();
  g_autoptr(GByteArray) hello = tb_spec_client_hello (TRUE, FALSE);
  g_autoptr(GByteArray) client = hello_record (hello);
  gsize start, end;
  g_autoptr(GByteArray) server = certificate_flight (&chain, &start, &end);

  g_test_summary ("Bytes lost where no record header was seen, or more "
                  "than the rest of the record: the direction stops and "
                  "ignores what follows, never parsing it.");

  /* At a record boundary. */
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, TRUE, client);
    conn_feed (conn, FALSE, server->data, start);
    conn_gap (conn, FALSE, 10);
    g_assert_true (ntpac_tls_parser_is_done (conn->parser, FALSE));
    conn_feed (conn, FALSE, server->data + start + 10, server->len - start - 10);
    g_assert_cmpuint (conn->malformed[0], ==, 0);
    g_assert_cmpuint (conn->anomalies->len, ==, 1);
    g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_GAP), ==, 1);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_cmpstr (lookup_string (records->pdata[0], "cipher"), ==, "0xc02b");
    g_assert_false (lookup_complete (records->pdata[0]));
  }

  /* Past the end of the record the header announced. */
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, TRUE, client);
    conn_feed (conn, FALSE, server->data, start + 20);
    conn_gap (conn, FALSE, end - start);
    g_assert_true (ntpac_tls_parser_is_done (conn->parser, FALSE));
    g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_GAP), ==, 1);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_false (lookup_complete (records->pdata[0]));
  }

  /* In an encrypted direction: nothing to lose, no anomaly. */
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GByteArray) finish = g_byte_array_new ();

    append_change_cipher_spec (finish);
    conn_feed_array (conn, TRUE, client);
    conn_feed_array (conn, TRUE, finish);
    conn_gap (conn, TRUE, 1000);
    g_assert_cmpuint (conn->anomalies->len, ==, 0);
  }
}

/* ---- several handshakes, limits, odd streams -------------------------------- */

static GByteArray *
named_client_hello (const gchar *name)
{
  static const guint16 ciphers[] = { 0xc02f };
  g_autoptr(GByteArray) exts = g_byte_array_new ();

  tb_ext_server_name (exts, name);
  return tb_client_hello (0x0303, ciphers, 1, exts);
}

static void
test_several_handshakes (void)
{
  g_autoptr(GByteArray) hello1 = named_client_hello ("one.example");
  g_autoptr(GByteArray) hello2 = named_client_hello ("two.example");
  g_autoptr(GByteArray) client1 = hello_record (hello1);
  g_autoptr(GByteArray) client2 = hello_record (hello2);
  g_autoptr(GByteArray) server = plain_server_flight ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("Two plaintext handshakes on one connection give two "
                  "records, in order; the second ClientHello ends the first.");

  conn_feed_array (conn, TRUE, client1);
  conn_feed_array (conn, FALSE, server);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);
  conn_feed_array (conn, TRUE, client2);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "one.example");
  g_assert_true (lookup_complete (records->pdata[0]));
  conn_feed_array (conn, FALSE, server);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "two.example");
  g_assert_true (lookup_complete (records->pdata[0]));
}

static void
test_too_many_handshakes (void)
{
  g_autoptr(GByteArray) hello = named_client_hello ("many.example");
  g_autoptr(GByteArray) messages = g_byte_array_new ();
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("Forty ClientHellos in one record: the first "
                  "NTPAC_TLS_MAX_HANDSHAKES give records, then one "
                  "tls.too-many-handshakes anomaly.");

  for (guint i = 0; i < 40; i++)
    g_byte_array_append (messages, hello->data, hello->len);
  tb_records (stream, TB_CONTENT_HANDSHAKE, messages->data, messages->len, 16384);
  conn_feed_array (conn, TRUE, stream);
  conn_feed_array (conn, TRUE, stream);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, NTPAC_TLS_MAX_HANDSHAKES);
  g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES), ==, 1);
  g_assert_cmpuint (conn->anomalies->len, ==, 1);
}

static void
test_fatal_alert (void)
{
  g_autoptr(GByteArray) hello = named_client_hello ("alert.example");
  g_autoptr(GByteArray) client = hello_record (hello);
  g_autoptr(GByteArray) alert = g_byte_array_new ();
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A plaintext fatal alert (handshake_failure) ends the "
                  "handshake at once; a warning alert does not.");

  tb_record (alert, TB_CONTENT_ALERT, (const guint8 *) "\x01\x70", 2);
  conn_feed_array (conn, TRUE, client);
  conn_feed_array (conn, FALSE, alert);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 0);
  g_byte_array_set_size (alert, 0);
  tb_record (alert, TB_CONTENT_ALERT, (const guint8 *) "\x02\x28", 2);
  conn_feed_array (conn, FALSE, alert);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = conn_take (conn);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lookup_string (records->pdata[0], "sni"), ==, "alert.example");
  g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.2");
  g_assert_false (lookup_complete (records->pdata[0]));
}

static void
test_unexpected_direction (void)
{
  g_autoptr(GByteArray) hello = named_client_hello ("wrong.example");
  g_autoptr(GByteArray) stream = hello_record (hello);
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0303, 0xc02f, 0, FALSE);
  g_autoptr(GByteArray) reply = hello_record (server_hello);
  g_autoptr(Conn) conn = conn_new ();
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A ClientHello from the server and a ServerHello from the "
                  "client are reported and ignored.");

  conn_feed_array (conn, FALSE, stream);
  conn_feed_array (conn, TRUE, reply);
  g_assert_cmpuint (count_anomalies (conn, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE), ==, 2);
  records = conn_finish (conn);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_sslv2_client_hello (void)
{
  g_auto(Chain) chain = make_chain ();
  g_autoptr(GByteArray) hello = tb_sslv2_client_hello (0x0301);
  g_autoptr(GByteArray) server = g_byte_array_new ();
  g_autoptr(GByteArray) server_hello = tb_server_hello (0x0301, 0x002f, 0, FALSE);
  g_autoptr(GByteArray) certificate = tb_certificate (&chain.leaf, 1);
  g_autoptr(GByteArray) done = server_hello_done ();
  g_autoptr(GByteArray) finish = g_byte_array_new ();

  g_test_summary ("An SSLv2-compatible ClientHello opening the client "
                  "stream is understood (no JA3/JA4: they are defined for "
                  "TLS ClientHellos); the TLS server flight follows.");

  append_message_record (server, server_hello);
  append_message_record (server, certificate);
  append_message_record (server, done);
  append_change_cipher_spec (finish);

  for (gsize chunk = 1; chunk <= hello->len; chunk += hello->len - 1)
    {
      g_autoptr(Conn) conn = conn_new ();
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GVariant) certs = NULL;

      conn_feed_chunked (conn, TRUE, hello->data, hello->len, chunk);
      conn_feed_array (conn, FALSE, server);
      conn_feed_array (conn, TRUE, finish);
      g_assert_cmpuint (conn->malformed[1], ==, 0);
      records = conn_take (conn);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_cmpstr (lookup_string (records->pdata[0], "version"), ==, "TLS 1.0");
      g_assert_null (lookup_string (records->pdata[0], "ja3"));
      g_assert_null (lookup_string (records->pdata[0], "ja4"));
      certs = certificates (records->pdata[0]);
      g_assert_cmpuint (g_variant_n_children (certs), ==, 1);
      g_assert_true (lookup_complete (records->pdata[0]));
      g_assert_cmpuint (conn->anomalies->len, ==, 0);
    }

  /* The server's flight read before the client's first bytes: the
   * SSLv2 hello starts a handshake of its own (this crashed the parser,
   * found by fuzz-tls). */
  {
    g_autoptr(Conn) conn = conn_new ();
    g_autoptr(GPtrArray) records = NULL;

    conn_feed_array (conn, FALSE, server);
    conn_feed_array (conn, TRUE, hello);
    records = conn_finish (conn);
    g_assert_cmpuint (records->len, ==, 2);
    g_assert_null (lookup_string (records->pdata[0], "ja3"));
    g_assert_cmpstr (lookup_string (records->pdata[1], "version"), ==, "TLS 1.0");
  }

  /* Only as the first bytes: later, the top bit is a bad content type. */
  {
    g_autoptr(GByteArray) hello_tls = named_client_hello ("late.example");
    g_autoptr(GByteArray) stream = hello_record (hello_tls);
    g_autoptr(Conn) conn = conn_new ();

    g_byte_array_append (stream, hello->data, hello->len);
    conn_feed_array (conn, TRUE, stream);
    g_assert_cmpuint (conn->malformed[1], ==, 1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tls/probe", test_probe);
  g_test_add_func ("/tls/client-hello/spec-example", test_client_hello_spec_example);
  g_test_add_func ("/tls/client-hello/no-signature-algorithms",
                   test_client_hello_no_signature_algorithms);
  g_test_add_func ("/tls/client-hello/browser", test_client_hello_browser);
  for (guint i = 0; i < G_N_ELEMENTS (alpn_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/tls/client-hello/ja4-alpn/%s",
                                                alpn_cases[i].name);

      g_test_add_data_func (path, &alpn_cases[i], test_ja4_alpn);
    }
  g_test_add_func ("/tls/client-hello/split-records", test_split_records);
  g_test_add_func ("/tls/client-hello/malformed", test_client_hello_malformed);
  g_test_add_func ("/tls/handshake/tls12-generator", test_tls12_generator);
  g_test_add_func ("/tls/handshake/tls12-generator-truth", test_tls12_generator_truth);
  g_test_add_func ("/tls/handshake/split-server-flight", test_split_server_flight);
  g_test_add_func ("/tls/handshake/large-certificate", test_large_certificate);
  g_test_add_func ("/tls/handshake-stream/quic", test_handshake_stream_quic);
  g_test_add_func ("/tls/handshake-stream/dtls", test_handshake_stream_dtls);
  g_test_add_func ("/tls/handshake/certificate-tiny-records", test_certificate_tiny_records);
  g_test_add_func ("/tls/handshake/tls13", test_tls13);
  g_test_add_func ("/tls/handshake/hello-retry", test_hello_retry);
  g_test_add_func ("/tls/handshake/several", test_several_handshakes);
  g_test_add_func ("/tls/handshake/too-many", test_too_many_handshakes);
  g_test_add_func ("/tls/handshake/fatal-alert", test_fatal_alert);
  g_test_add_func ("/tls/handshake/unexpected-direction", test_unexpected_direction);
  g_test_add_func ("/tls/handshake/sslv2-client-hello", test_sslv2_client_hello);
  g_test_add_func ("/tls/certificate/bad", test_bad_certificate);
  g_test_add_func ("/tls/certificate/describe", test_certificate_describe);
  g_test_add_func ("/tls/certificate/serial", test_certificate_serial);
  g_test_add_func ("/tls/certificate/client", test_client_certificate);
  g_test_add_func ("/tls/record/needed", test_needed);
  for (guint i = 0; i < G_N_ELEMENTS (bad_header_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/tls/record/bad-header/%s",
                                                bad_header_cases[i].name);

      g_test_add_data_func (path, &bad_header_cases[i], test_bad_record_header);
    }
  g_test_add_func ("/tls/record/largest", test_largest_record);
  g_test_add_func ("/tls/record/handshake-too-large", test_handshake_too_large);
  g_test_add_func ("/tls/gap/inside-record", test_gap_inside_record);
  g_test_add_func ("/tls/gap/inside-message", test_gap_inside_message);
  g_test_add_func ("/tls/gap/unknown-boundary", test_gap_unknown_boundary);

  return g_test_run ();
}
