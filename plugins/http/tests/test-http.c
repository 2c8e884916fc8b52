/* test-http.c: the http dissector and its parser on crafted bytes
 *
 * Every test drives the dissector through NtpacHarness (the engine's own
 * dissection code) and checks the `http` and `objects` records, the
 * anomalies, and the content of the objects.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <zlib.h>

#include "../ntpac-http-dissector.h"
#include "../ntpac-http-parser.h"

#define UP   NTPAC_DIRECTION_UP
#define DOWN NTPAC_DIRECTION_DOWN

/* ---- helpers ------------------------------------------------------------------ */

static NtpacHarness *
harness_with (NtpacDissector *d,
              guint16         server_port)
{
  return ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 50000, server_port);
}

static NtpacHarness *
http_harness (guint16 server_port)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, NULL);

  return harness_with (d, server_port);
}

static void
push (NtpacHarness   *h,
      NtpacDirection  direction,
      const gchar    *text)
{
  ntpac_harness_push (h, direction, text, strlen (text));
}

static void
push_bytes (NtpacHarness   *h,
            NtpacDirection  direction,
            GBytes         *bytes)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (bytes, &len);

  ntpac_harness_push (h, direction, data, len);
}

static const gchar *
str_field (GVariant    *record,
           const gchar *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (record, key, "&s", &value))
    return NULL;
  return value;
}

static guint64
u64_field (GVariant    *record,
           const gchar *key)
{
  guint64 value = G_MAXUINT64;

  g_assert_true (g_variant_lookup (record, key, "t", &value));
  return value;
}

static guint
status_of (GVariant *record)
{
  guint16 status = 0;

  g_assert_true (g_variant_lookup (record, "status", "q", &status));
  return status;
}

static gboolean
bool_field (GVariant    *record,
            const gchar *key)
{
  gboolean value = FALSE;

  g_assert_true (g_variant_lookup (record, key, "b", &value));
  return value;
}

static gboolean
has_field (GVariant    *record,
           const gchar *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (record, key, NULL);

  return v != NULL;
}

static guint
n_anomalies (NtpacHarness *h,
             const gchar  *id)
{
  GPtrArray *anomalies = ntpac_harness_get_anomalies (h);
  guint n = 0;

  for (guint i = 0; i < anomalies->len; i++)
    if (g_str_equal (anomalies->pdata[i], id))
      n++;
  return n;
}

static GPtrArray *
http_records (NtpacHarness *h)
{
  return ntpac_harness_get_records (h, "http");
}

/* The value of header @i of a record's @key array. */
static void
header_at (GVariant     *record,
           const gchar  *key,
           guint         i,
           const gchar **name,
           const gchar **value)
{
  g_autoptr(GVariant) headers = g_variant_lookup_value (record, key, G_VARIANT_TYPE ("a(ss)"));

  g_assert_nonnull (headers);
  g_assert_cmpuint (i, <, g_variant_n_children (headers));
  g_variant_get_child (headers, i, "(&s&s)", name, value);
}

static guint
n_headers (GVariant    *record,
           const gchar *key)
{
  g_autoptr(GVariant) headers = g_variant_lookup_value (record, key, G_VARIANT_TYPE ("a(ss)"));

  g_assert_nonnull (headers);
  return (guint) g_variant_n_children (headers);
}

/* The record's body hash is the SHA-256 of @body, and the harness holds
 * an object with exactly that content. */
static void
assert_body (NtpacHarness *h,
             GVariant     *record,
             const gchar  *key,
             const void   *body,
             gsize         len)
{
  g_autofree gchar *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, body, len);
  const gchar *sha = str_field (record, key);
  g_autoptr(GBytes) content = NULL;

  g_assert_cmpstr (sha, ==, expected);
  content = ntpac_harness_get_object (h, sha);
  g_assert_nonnull (content);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), body, len);
}

static GBytes *
compress_bytes (const void *data,
                gsize       len,
                int         window_bits)
{
  z_stream z;
  guint8 *out;
  gsize cap;

  memset (&z, 0, sizeof z);
  g_assert_cmpint (deflateInit2 (&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  cap = deflateBound (&z, len);
  out = g_malloc (cap);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = out;
  z.avail_out = (uInt) cap;
  g_assert_cmpint (deflate (&z, Z_FINISH), ==, Z_STREAM_END);
  cap = z.total_out;
  deflateEnd (&z);
  return g_bytes_new_take (out, cap);
}

/* A text of @lines lines. */
static GString *
make_text (guint lines)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < lines; i++)
    g_string_append_printf (s, "line %u of a body that compresses well, %u\n", i, i * 7919 % 1000);
  return s;
}

/* A response head + body, in one buffer. */
static GBytes *
response_with_body (const gchar *head,
                    const void  *body,
                    gsize        len)
{
  GByteArray *a = g_byte_array_new ();

  g_byte_array_append (a, (const guint8 *) head, strlen (head));
  g_byte_array_append (a, body, len);
  return g_byte_array_free_to_bytes (a);
}

/* ---- basic transactions ----------------------------------------------------------- */

static void
test_get (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  GVariant *r;
  const gchar *name, *value;

  push (h, UP, "GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\n"
               "User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                 "Content-Length: 11\r\n\r\nhello world");
  ntpac_harness_end (h);

  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "http");
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpstr (str_field (r, "method"), ==, "GET");
  g_assert_cmpstr (str_field (r, "uri"), ==, "/index.html?q=1");
  g_assert_cmpstr (str_field (r, "host"), ==, "www.example.com");
  g_assert_cmpstr (str_field (r, "name"), ==, "www.example.com");
  g_assert_cmpstr (str_field (r, "version"), ==, "HTTP/1.1");
  g_assert_cmpstr (str_field (r, "user_agent"), ==, "curl/8.5.0");
  g_assert_cmpuint (n_headers (r, "request_headers"), ==, 3);
  header_at (r, "request_headers", 2, &name, &value);
  g_assert_cmpstr (name, ==, "Accept");
  g_assert_cmpstr (value, ==, "*/*");
  g_assert_cmpuint (u64_field (r, "request_body_len"), ==, 0);
  g_assert_false (has_field (r, "request_body_sha256"));
  g_assert_cmpuint (status_of (r), ==, 200);
  g_assert_cmpstr (str_field (r, "reason"), ==, "OK");
  g_assert_cmpstr (str_field (r, "content_type"), ==, "text/html; charset=utf-8");
  g_assert_cmpuint (u64_field (r, "response_body_len"), ==, 11);
  g_assert_cmpuint (u64_field (r, "response_body_wire_len"), ==, 11);
  assert_body (h, r, "response_body_sha256", "hello world", 11);
  g_assert_true (bool_field (r, "body_complete"));
  g_assert_cmpuint (u64_field (r, "missing_bytes"), ==, 0);
  g_assert_false (has_field (r, "informational"));
  g_assert_false (has_field (r, "content_encoding"));
  {
    g_autoptr(GVariant) frames = g_variant_lookup_value (r, "frames", G_VARIANT_TYPE ("at"));

    g_assert_cmpuint (g_variant_n_children (frames), ==, 2);
  }
  objects = ntpac_harness_get_records (h, "objects");
  g_assert_cmpuint (objects->len, ==, 1);
  g_assert_cmpstr (str_field (objects->pdata[0], "sha256"), ==, str_field (r, "response_body_sha256"));
  g_assert_cmpstr (str_field (objects->pdata[0], "content_type"), ==, "text/html; charset=utf-8");
  g_assert_cmpstr (str_field (objects->pdata[0], "source"), ==, "http");
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_post (void)
{
  g_autoptr(NtpacHarness) h = http_harness (8080);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  const gchar *form = "name=alice&password=secret&remember=1";
  g_autofree gchar *req = g_strdup_printf ("POST /login HTTP/1.1\r\nHost: app.example\r\n"
                                           "Content-Type: application/x-www-form-urlencoded\r\n"
                                           "Content-Length: %zu\r\n\r\n%s", strlen (form), form);
  GVariant *r;

  /* the request in three segments, the body split */
  ntpac_harness_push (h, UP, req, 40);
  ntpac_harness_push (h, UP, req + 40, strlen (req) - 40 - 10);
  ntpac_harness_push (h, UP, req + strlen (req) - 10, 10);
  push (h, DOWN, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nLocation: /home\r\n\r\n");
  ntpac_harness_end (h);

  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpstr (str_field (r, "method"), ==, "POST");
  g_assert_cmpuint (u64_field (r, "request_body_len"), ==, strlen (form));
  assert_body (h, r, "request_body_sha256", form, strlen (form));
  g_assert_cmpuint (status_of (r), ==, 201);
  g_assert_cmpuint (u64_field (r, "response_body_len"), ==, 0);
  g_assert_false (has_field (r, "response_body_sha256"));
  g_assert_true (bool_field (r, "body_complete"));
  /* the empty response body is no object */
  objects = ntpac_harness_get_records (h, "objects");
  g_assert_cmpuint (objects->len, ==, 1);
  g_assert_cmpstr (str_field (objects->pdata[0], "content_type"), ==, "application/x-www-form-urlencoded");
}

static void
test_chunked (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  GVariant *r;
  const gchar *name, *value;

  push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                 "5;name=value;flag\r\nhello\r\n"
                 "6 ; ext=\"quoted\"\r\n world\r\n"
                 "0\r\nX-Checksum: abc123\r\nX-Other: 1\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "A\r\n0123456789\r\n0\r\n\r\n");
  ntpac_harness_end (h);

  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  r = records->pdata[0];
  g_assert_cmpstr (str_field (r, "uri"), ==, "/a");
  g_assert_cmpstr (str_field (r, "transfer_encoding"), ==, "chunked");
  g_assert_cmpuint (u64_field (r, "response_body_len"), ==, 11);
  g_assert_cmpuint (u64_field (r, "response_body_wire_len"), ==, 11);
  assert_body (h, r, "response_body_sha256", "hello world", 11);
  g_assert_true (bool_field (r, "body_complete"));
  g_assert_cmpuint (n_headers (r, "response_trailers"), ==, 2);
  header_at (r, "response_trailers", 0, &name, &value);
  g_assert_cmpstr (name, ==, "X-Checksum");
  g_assert_cmpstr (value, ==, "abc123");
  r = records->pdata[1];
  g_assert_cmpstr (str_field (r, "uri"), ==, "/b");
  assert_body (h, r, "response_body_sha256", "0123456789", 10);
  g_assert_false (has_field (r, "response_trailers"));
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_chunked_request (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  push (h, UP, "PUT /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 204 No Content\r\n\r\n");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (u64_field (records->pdata[0], "request_body_len"), ==, 23);
  assert_body (h, records->pdata[0], "request_body_sha256", "Wikipedia in\r\n\r\nchunks.", 23);
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 204);
  g_assert_false (has_field (records->pdata[0], "response_body_sha256"));
}

/* ---- content codings ------------------------------------------------------------- */

static void
test_gzip (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) text = make_text (3000);
  g_autoptr(GBytes) gz = compress_bytes (text->str, text->len, 15 + 16);
  g_autofree gchar *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                            "Content-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
                                            g_bytes_get_size (gz));
  g_autoptr(GBytes) resp = response_with_body (head, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  gsize len;
  const guint8 *data = g_bytes_get_data (resp, &len);
  GString *chunked = g_string_new ("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
  g_autoptr(GBytes) chunked_bytes = NULL;
  GVariant *r;

  push (h, UP, "GET /big.txt HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n"
               "GET /big2.txt HTTP/1.1\r\nHost: h\r\n\r\n");
  /* segments of 1460 bytes, as on the wire */
  for (gsize off = 0; off < len; off += 1460)
    ntpac_harness_push (h, DOWN, data + off, MIN (1460, len - off));
  /* the same, gzip in chunks of 1000 bytes */
  for (gsize off = 0; off < g_bytes_get_size (gz); off += 1000)
    {
      gsize n = MIN (1000, g_bytes_get_size (gz) - off);

      g_string_append_printf (chunked, "%zx\r\n", n);
      g_string_append_len (chunked, (const gchar *) g_bytes_get_data (gz, NULL) + off, n);
      g_string_append (chunked, "\r\n");
    }
  g_string_append (chunked, "0\r\n\r\n");
  chunked_bytes = g_string_free_to_bytes (chunked);
  push_bytes (h, DOWN, chunked_bytes);
  ntpac_harness_end (h);

  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      r = records->pdata[i];
      g_assert_cmpstr (str_field (r, "content_encoding"), ==, "gzip");
      g_assert_cmpuint (u64_field (r, "response_body_len"), ==, text->len);
      g_assert_cmpuint (u64_field (r, "response_body_wire_len"), ==, g_bytes_get_size (gz));
      assert_body (h, r, "response_body_sha256", text->str, text->len);
      g_assert_true (bool_field (r, "body_complete"));
    }
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_deflate (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) text = make_text (500);
  int bits[] = { 15, -15 };   /* zlib-wrapped, raw */

  push (h, UP, "GET /z HTTP/1.1\r\nHost: h\r\n\r\nGET /raw HTTP/1.1\r\nHost: h\r\n\r\n");
  for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
    {
      g_autoptr(GBytes) z = compress_bytes (text->str, text->len, bits[i]);
      g_autofree gchar *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
                                                "Content-Length: %zu\r\n\r\n", g_bytes_get_size (z));
      g_autoptr(GBytes) resp = response_with_body (head, g_bytes_get_data (z, NULL), g_bytes_get_size (z));
      gsize len;
      const guint8 *data = g_bytes_get_data (resp, &len);

      /* the first compressed byte alone in its segment */
      ntpac_harness_push (h, DOWN, data, strlen (head) + 1);
      ntpac_harness_push (h, DOWN, data + strlen (head) + 1, len - strlen (head) - 1);
    }
  ntpac_harness_end (h);

  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (u64_field (records->pdata[i], "response_body_len"), ==, text->len);
      assert_body (h, records->pdata[i], "response_body_sha256", text->str, text->len);
      g_assert_true (bool_field (records->pdata[i], "body_complete"));
    }
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_gzip_bomb (void)
{
  gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (size);
  g_autoptr(GBytes) gz = compress_bytes (zeros, size, 15 + 16);
  g_autofree gchar *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                                            "Content-Length: %zu\r\n\r\n", g_bytes_get_size (gz));
  g_autoptr(GBytes) resp = response_with_body (head, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  const gchar *next = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  g_test_summary ("A gzip body of zeros stops decoding at max-decoded-size, or at max-ratio; "
                  "the body is marked incomplete and the next response is still read.");
  /* the size cap */
  {
    g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, "max-decoded-size", (guint64) 1024 * 1024,
                                                "max-ratio", 0, NULL);
    g_autoptr(NtpacHarness) h = harness_with (d, 80);
    g_autoptr(GPtrArray) records = NULL;
    g_autofree guint8 *expected = g_malloc0 (1024 * 1024);

    push (h, UP, "GET /bomb HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
    push_bytes (h, DOWN, resp);
    push (h, DOWN, next);
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 2);
    g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, 1024 * 1024);
    g_assert_false (bool_field (records->pdata[0], "body_complete"));
    assert_body (h, records->pdata[0], "response_body_sha256", expected, 1024 * 1024);
    g_assert_cmpuint (n_anomalies (h, "http.decoded-size-cap"), ==, 1);
    assert_body (h, records->pdata[1], "response_body_sha256", "ok", 2);
    g_assert_true (bool_field (records->pdata[1], "body_complete"));
  }
  /* the ratio cap */
  {
    g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, "max-ratio", 100, NULL);
    g_autoptr(NtpacHarness) h = harness_with (d, 80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /bomb HTTP/1.1\r\nHost: h\r\n\r\n");
    push_bytes (h, DOWN, resp);
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), <, size / 10);
    g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), >=, 100 * 1024);
    g_assert_false (bool_field (records->pdata[0], "body_complete"));
    g_assert_cmpuint (n_anomalies (h, "http.ratio-cap"), ==, 1);
  }
}

/* ---- framing without a body ------------------------------------------------------ */

static void
test_body_to_close (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  const gchar *body = "<html>no length, read to the end</html>\n";

  push (h, UP, "GET / HTTP/1.0\r\n\r\n");
  push (h, DOWN, "HTTP/1.0 200 OK\r\nServer: old\r\n\r\n<html>no length, ");
  push (h, DOWN, "read to the end</html>\n");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (str_field (records->pdata[0], "version"), ==, "HTTP/1.0");
  g_assert_false (has_field (records->pdata[0], "host"));
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, strlen (body));
  assert_body (h, records->pdata[0], "response_body_sha256", body, strlen (body));
  g_assert_true (bool_field (records->pdata[0], "body_complete"));
}

static void
test_head_204_304 (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  push (h, UP, "HEAD /file HTTP/1.1\r\nHost: h\r\n\r\n"
               "GET /file HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n"
               "DELETE /file HTTP/1.1\r\nHost: h\r\n\r\n"
               "GET /other HTTP/1.1\r\nHost: h\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n"
                 "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"x\"\r\n\r\n"
                 "HTTP/1.1 204 No Content\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 4);
  g_assert_cmpstr (str_field (records->pdata[0], "method"), ==, "HEAD");
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 200);
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, 0);
  g_assert_false (has_field (records->pdata[0], "response_body_sha256"));
  g_assert_true (bool_field (records->pdata[0], "body_complete"));
  g_assert_cmpuint (status_of (records->pdata[1]), ==, 304);
  g_assert_cmpuint (u64_field (records->pdata[1], "response_body_len"), ==, 0);
  g_assert_cmpuint (status_of (records->pdata[2]), ==, 204);
  g_assert_cmpstr (str_field (records->pdata[3], "uri"), ==, "/other");
  assert_body (h, records->pdata[3], "response_body_sha256", "abc", 3);
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_continue (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) informational = NULL;
  const guint16 *codes;
  gsize n;

  push (h, UP, "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 100 Continue\r\n\r\n");
  push (h, UP, "0123456789");
  push (h, DOWN, "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  assert_body (h, records->pdata[0], "request_body_sha256", "0123456789", 10);
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 200);
  assert_body (h, records->pdata[0], "response_body_sha256", "done", 4);
  informational = g_variant_lookup_value (records->pdata[0], "informational", G_VARIANT_TYPE ("aq"));
  g_assert_nonnull (informational);
  codes = g_variant_get_fixed_array (informational, &n, sizeof (guint16));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (codes[0], ==, 100);
  g_assert_cmpuint (codes[1], ==, 102);
  g_assert_cmpuint (codes[2], ==, 103);
  {
    g_autoptr(GVariant) frames = g_variant_lookup_value (records->pdata[0], "frames", G_VARIANT_TYPE ("at"));

    g_assert_cmpuint (g_variant_n_children (frames), ==, 5);
  }
}

/* ---- several transactions ------------------------------------------------------------ */

static void
test_pipelining (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  push (h, UP, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
               "POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                 "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\ntwo");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthree\r\n0\r\n\r\n");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpstr (str_field (records->pdata[0], "uri"), ==, "/1");
  assert_body (h, records->pdata[0], "response_body_sha256", "one", 3);
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/2");
  g_assert_cmpuint (status_of (records->pdata[1]), ==, 404);
  assert_body (h, records->pdata[1], "response_body_sha256", "two", 3);
  g_assert_cmpstr (str_field (records->pdata[2], "uri"), ==, "/3");
  assert_body (h, records->pdata[2], "request_body_sha256", "xyz", 3);
  assert_body (h, records->pdata[2], "response_body_sha256", "three", 5);
}

static void
test_keep_alive (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *req = g_strdup_printf ("GET /page%u HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", i);
      g_autofree gchar *resp = g_strdup_printf ("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
                                                "Content-Length: 6\r\n\r\npage %u", i);

      push (h, UP, req);
      push (h, DOWN, resp);
    }
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *uri = g_strdup_printf ("/page%u", i);
      g_autofree gchar *body = g_strdup_printf ("page %u", i);
      g_autoptr(GVariant) frames = g_variant_lookup_value (records->pdata[i], "frames", G_VARIANT_TYPE ("at"));
      const guint64 *f;
      gsize n;

      g_assert_cmpstr (str_field (records->pdata[i], "uri"), ==, uri);
      assert_body (h, records->pdata[i], "response_body_sha256", body, 6);
      f = g_variant_get_fixed_array (frames, &n, sizeof (guint64));
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpuint (f[0], ==, 2 * i + 1);
      g_assert_cmpuint (f[1], ==, 2 * i + 2);
    }
}

static void
test_connect (void)
{
  static const guint8 client_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00 };
  static const guint8 server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 };

  for (guint early = 0; early < 2; early++)
    {
      g_autoptr(NtpacHarness) h = http_harness (3128);
      g_autoptr(GPtrArray) records = NULL;

      push (h, UP, "CONNECT example.com:443 HTTP/1.1\r\nProxy-Connection: keep-alive\r\n\r\n");
      if (early)   /* the client does not wait for the proxy's answer */
        ntpac_harness_push (h, UP, client_hello, sizeof client_hello);
      push (h, DOWN, "HTTP/1.1 200 Connection established\r\n\r\n");
      if (!early)
        ntpac_harness_push (h, UP, client_hello, sizeof client_hello);
      ntpac_harness_push (h, DOWN, server_hello, sizeof server_hello);
      /* inside the tunnel: left to the core to identify anew (TLS here,
       * which this harness does not have: nothing more is read) */
      ntpac_harness_push (h, UP, (const guint8 *) "\x17\x03\x03\x00\x02" "ab", 7);
      ntpac_harness_end (h);
      records = http_records (h);
      g_assert_cmpuint (records->len, ==, 1);
      g_assert_cmpstr (str_field (records->pdata[0], "method"), ==, "CONNECT");
      g_assert_cmpstr (str_field (records->pdata[0], "uri"), ==, "example.com:443");
      g_assert_cmpstr (str_field (records->pdata[0], "host"), ==, "example.com:443");
      g_assert_cmpuint (status_of (records->pdata[0]), ==, 200);
      g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, 0);
      g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
    }
}

static void
test_connect_refused (void)
{
  g_autoptr(NtpacHarness) h = http_harness (3128);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A CONNECT answered 407 is followed by more HTTP on the same connection.");
  push (h, UP, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny");
  push (h, UP, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic eDp5\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\n\r\n");
  push (h, UP, "\x16\x03\x01 tls");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 407);
  g_assert_cmpuint (status_of (records->pdata[1]), ==, 200);
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_upgrade (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  push (h, UP, "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello");
  push (h, UP, "\x81\x85\x01\x02\x03\x04 masked");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 101);
  g_assert_false (has_field (records->pdata[0], "informational"));
  g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
}

static void
test_header_order_case (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *expected[][2] = {
    { "hOsT", "MixedCase.example" },
    { "X-Dup", "first" },
    { "accept-language", "en" },
    { "X-Dup", "second" },
    { "X-Empty", "" },
    { "X-Spaces", "inner  spaces kept" },
    { "Set-Cookie", "a=1" },
  };
  GVariant *r;

  push (h, UP, "GET / HTTP/1.1\r\nhOsT: MixedCase.example\r\nX-Dup: first\r\naccept-language:en\r\n"
               "X-Dup: second\r\nX-Empty:\r\nX-Spaces: \t inner  spaces kept \t\r\nSet-Cookie: a=1\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\ncontent-length: 0\r\n\r\n");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpstr (str_field (r, "host"), ==, "MixedCase.example");
  g_assert_cmpuint (n_headers (r, "request_headers"), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const gchar *name, *value;

      header_at (r, "request_headers", i, &name, &value);
      g_assert_cmpstr (name, ==, expected[i][0]);
      g_assert_cmpstr (value, ==, expected[i][1]);
    }
  g_assert_cmpuint (n_headers (r, "response_headers"), ==, 3);
  {
    const gchar *name, *value;

    header_at (r, "response_headers", 1, &name, &value);
    g_assert_cmpstr (name, ==, "SET-COOKIE");
    g_assert_cmpstr (value, ==, "c=3");
  }
}

/* ---- every way of cutting the bytes --------------------------------------------------- */

/* A record's fields without those that depend on how the bytes were cut
 * (frames, time). */
static gchar *
record_text (GVariant *record)
{
  GVariantDict dict;
  g_autoptr(GVariant) v = NULL;

  g_variant_dict_init (&dict, record);
  g_variant_dict_remove (&dict, "frames");
  g_variant_dict_remove (&dict, "ts");
  v = g_variant_ref_sink (g_variant_dict_end (&dict));
  return g_variant_print (v, FALSE);
}

static gchar *
run_text (NtpacHarness *h)
{
  g_autoptr(GPtrArray) records = ntpac_harness_get_records (h, NULL);
  GPtrArray *anomalies = ntpac_harness_get_anomalies (h);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      g_autofree gchar *t = record_text (records->pdata[i]);

      g_string_append_printf (s, "%s\n", t);
    }
  for (guint i = 0; i < anomalies->len; i++)
    g_string_append_printf (s, "anomaly %s\n", (const gchar *) anomalies->pdata[i]);
  return g_string_free (s, FALSE);
}

static void
test_split_points (void)
{
  g_autoptr(GString) text = make_text (40);
  g_autoptr(GBytes) gz = compress_bytes (text->str, text->len, 15 + 16);
  GString *up = g_string_new ("POST /form HTTP/1.1\r\nHost: split.example\r\nContent-Length: 7\r\n\r\na=b&c=d"
                              "PUT /chunks HTTP/1.1\r\nHost: split.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
                              "GET /gz HTTP/1.1\r\nHost: split.example\r\n\r\n");
  GString *down = g_string_new ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nsecd\r\n0\r\n\r\n");
  g_autoptr(GBytes) up_bytes = NULL;
  g_autoptr(GBytes) down_bytes = NULL;
  g_autofree gchar *reference = NULL;
  const guint8 *u, *dn;
  gsize ulen, dlen;

  g_test_summary ("Each direction cut at every byte into two segments, and fed one byte at a time, "
                  "gives the same records and anomalies as whole segments.");
  g_string_append_printf (down, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
                          g_bytes_get_size (gz));
  g_string_append_len (down, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  g_string_append (down, "\r\n0\r\n\r\n");
  up_bytes = g_string_free_to_bytes (up);
  down_bytes = g_string_free_to_bytes (down);
  u = g_bytes_get_data (up_bytes, &ulen);
  dn = g_bytes_get_data (down_bytes, &dlen);

  {
    g_autoptr(NtpacHarness) h = http_harness (80);

    ntpac_harness_push (h, UP, u, ulen);
    ntpac_harness_push (h, DOWN, dn, dlen);
    ntpac_harness_end (h);
    reference = run_text (h);
    g_assert_nonnull (strstr (reference, "'/gz'"));
    g_assert_null (strstr (reference, "anomaly"));
  }
  for (gsize cut = 1; cut < MAX (ulen, dlen); cut++)
    {
      g_autoptr(NtpacHarness) h = http_harness (80);
      g_autofree gchar *t = NULL;
      gsize uc = MIN (cut, ulen - 1), dc = MIN (cut, dlen - 1);

      /* the requests go first: a response never comes before its request */
      ntpac_harness_push (h, UP, u, uc);
      ntpac_harness_push (h, UP, u + uc, ulen - uc);
      ntpac_harness_push (h, DOWN, dn, dc);
      ntpac_harness_push (h, DOWN, dn + dc, dlen - dc);
      ntpac_harness_end (h);
      t = run_text (h);
      g_assert_cmpstr (t, ==, reference);
    }
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autofree gchar *t = NULL;

    /* the probe needs a method and its space: "POST " comes whole (the
     * engine probes at most four segments) */
    ntpac_harness_push (h, UP, u, 5);
    for (gsize i = 5; i < ulen; i++)
      ntpac_harness_push (h, UP, u + i, 1);
    for (gsize i = 0; i < dlen; i++)
      ntpac_harness_push (h, DOWN, dn + i, 1);
    ntpac_harness_end (h);
    t = run_text (h);
    g_assert_cmpstr (t, ==, reference);
  }
}

/* ---- gaps ------------------------------------------------------------------------- */

static void
test_gap_content_length (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_autofree gchar *body = g_strnfill (1000, 'x');
  g_autofree gchar *first = NULL;
  const gchar *head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  g_autofree gchar *after = NULL;
  g_autofree gchar *seen = NULL;

  g_test_summary ("200 bytes lost in a 1000-byte body: the body is incomplete with 200 bytes "
                  "missing, 800 bytes are kept, and the next response is still found.");
  push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  memset (body, 'a', 300);
  memset (body + 500, 'c', 500);
  first = g_strconcat (head, NULL);
  after = g_strdup_printf ("%.*sHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", 500, body + 500);
  {
    g_autofree gchar *before = g_strdup_printf ("%s%.*s", head, 300, body);

    ntpac_harness_push_gap (h, DOWN, before, strlen (before), 200, after, strlen (after));
  }
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_false (bool_field (records->pdata[0], "body_complete"));
  g_assert_cmpuint (u64_field (records->pdata[0], "missing_bytes"), ==, 200);
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, 800);
  seen = g_strdup_printf ("%.*s%.*s", 300, body, 500, body + 500);
  assert_body (h, records->pdata[0], "response_body_sha256", seen, 800);
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/b");
  g_assert_true (bool_field (records->pdata[1], "body_complete"));
  assert_body (h, records->pdata[1], "response_body_sha256", "next", 4);
  g_assert_cmpuint (n_anomalies (h, "http.body-gap"), ==, 1);
  objects = ntpac_harness_get_records (h, "objects");
  g_assert_cmpuint (objects->len, ==, 2);
  g_assert_false (bool_field (objects->pdata[0], "complete"));
  g_assert_cmpuint (u64_field (objects->pdata[0], "missing_bytes"), ==, 200);
}

static void
test_gap_chunked (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  const gchar *before = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789";
  const gchar *after = "\r\n20\r\n0123456789012345678901234567890\r\n0\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

  g_test_summary ("Bytes lost over a chunk boundary: the body is incomplete and the next "
                  "response is found again.");
  push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  ntpac_harness_push_gap (h, DOWN, before, strlen (before), 40, after, strlen (after));
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_false (bool_field (records->pdata[0], "body_complete"));
  g_assert_cmpuint (u64_field (records->pdata[0], "missing_bytes"), >=, 6);
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), ==, 10);
  assert_body (h, records->pdata[0], "response_body_sha256", "0123456789", 10);
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/b");
  assert_body (h, records->pdata[1], "response_body_sha256", "next", 4);
  g_assert_true (bool_field (records->pdata[1], "body_complete"));
  g_assert_cmpuint (n_anomalies (h, "http.gap-resync"), ==, 1);
}

static void
test_gap_inside_chunk (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  const gchar *before = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234";
  const gchar *after = "56789\r\n3\r\nend\r\n0\r\n\r\n";

  push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  ntpac_harness_push_gap (h, DOWN, before, strlen (before), 10, after, strlen (after));
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_false (bool_field (records->pdata[0], "body_complete"));
  g_assert_cmpuint (u64_field (records->pdata[0], "missing_bytes"), ==, 10);
  assert_body (h, records->pdata[0], "response_body_sha256", "0123456789end", 13);
  g_assert_cmpuint (n_anomalies (h, "http.gap-resync"), ==, 0);
}

static void
test_gap_gzip (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) text = make_text (2000);
  g_autoptr(GBytes) gz = compress_bytes (text->str, text->len, 15 + 16);
  gsize gz_len;
  const guint8 *z = g_bytes_get_data (gz, &gz_len);
  g_autofree gchar *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                                            "Content-Length: %zu\r\n\r\n", gz_len);
  GByteArray *before = g_byte_array_new ();
  GByteArray *after = g_byte_array_new ();
  const gchar *next = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

  push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  g_byte_array_append (before, (const guint8 *) head, strlen (head));
  g_byte_array_append (before, z, gz_len / 2);
  g_byte_array_append (after, z + gz_len / 2 + 100, gz_len - gz_len / 2 - 100);
  g_byte_array_append (after, (const guint8 *) next, strlen (next));
  ntpac_harness_push_gap (h, DOWN, before->data, before->len, 100, after->data, after->len);
  g_byte_array_unref (before);
  g_byte_array_unref (after);
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_false (bool_field (records->pdata[0], "body_complete"));
  g_assert_cmpuint (u64_field (records->pdata[0], "missing_bytes"), ==, 100);
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_len"), <, text->len);
  g_assert_cmpuint (u64_field (records->pdata[0], "response_body_wire_len"), ==, gz_len - 100);
  assert_body (h, records->pdata[1], "response_body_sha256", "next", 4);
}

/* ---- ends ------------------------------------------------------------------------- */

static void
test_unanswered_and_orphan (void)
{
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /lost HTTP/1.1\r\nHost: h\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_cmpstr (str_field (records->pdata[0], "uri"), ==, "/lost");
    g_assert_false (has_field (records->pdata[0], "status"));
    g_assert_false (has_field (records->pdata[0], "response_headers"));
    g_assert_false (has_field (records->pdata[0], "response_body_len"));
    /* no response body was seen whole */
    g_assert_false (bool_field (records->pdata[0], "body_complete"));
  }
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    ntpac_harness_end (h);
    g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "http");
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_false (has_field (records->pdata[0], "method"));
    g_assert_false (has_field (records->pdata[0], "uri"));
    g_assert_cmpstr (str_field (records->pdata[0], "version"), ==, "HTTP/1.1");
    g_assert_cmpuint (status_of (records->pdata[0]), ==, 200);
    assert_body (h, records->pdata[0], "response_body_sha256", "hi", 2);
    g_assert_cmpuint (n_anomalies (h, "http.response-without-request"), ==, 1);
  }
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    /* the conversation ends 6 bytes short of the body */
    push (h, UP, "GET /short HTTP/1.1\r\nHost: h\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfour");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_false (bool_field (records->pdata[0], "body_complete"));
    g_assert_cmpuint (u64_field (records->pdata[0], "missing_bytes"), ==, 6);
    assert_body (h, records->pdata[0], "response_body_sha256", "four", 4);
    g_assert_cmpuint (n_anomalies (h, "http.truncated-body"), ==, 1);
  }
}

/* ---- malformed input -------------------------------------------------------------- */

static void
test_malformed (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  push (h, UP, "GET /ok HTTP/1.1\r\nHost: h\r\n\r\n");
  push (h, UP, "\x01\x02garbage that is not HTTP\r\nmore garbage\r\n");
  push (h, UP, "GET /ok2 HTTP/1.1\r\nHost: h\r\nno colon here\r\nBad Name: x\r\n"
               "Folded: a\r\n  b\r\n\r\n");
  push (h, UP, "GET /cl HTTP/1.1\r\nHost: h\r\nContent-Length: 12abc\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
  push (h, DOWN, "HTTP/1.1 20x OK\r\n\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                 "zz\r\n");
  push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpstr (str_field (records->pdata[0], "uri"), ==, "/ok");
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/ok2");
  g_assert_cmpstr (str_field (records->pdata[2], "uri"), ==, "/cl");
  {
    const gchar *name, *value;

    header_at (records->pdata[1], "request_headers", 2, &name, &value);
    g_assert_cmpstr (name, ==, "Folded");
    g_assert_cmpstr (value, ==, "a    b");   /* CR LF and the indent become spaces */
  }
  g_assert_cmpuint (n_anomalies (h, "http.bad-request-line"), ==, 1);
  g_assert_cmpuint (n_anomalies (h, "http.bad-header"), ==, 2);
  g_assert_cmpuint (n_anomalies (h, "http.obs-fold"), ==, 1);
  g_assert_cmpuint (n_anomalies (h, "http.bad-content-length"), ==, 1);
  g_assert_cmpuint (n_anomalies (h, "http.bad-status-line"), ==, 1);
  g_assert_cmpuint (n_anomalies (h, "http.te-and-cl"), ==, 1);
  g_assert_cmpuint (n_anomalies (h, "http.bad-chunk"), ==, 1);
  /* the response with a broken chunk is incomplete; the last one was found
   * again and answers /cl */
  g_assert_false (bool_field (records->pdata[1], "body_complete"));
  assert_body (h, records->pdata[2], "response_body_sha256", "ok", 2);
}

static void
test_limits (void)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, "max-header-size", 8192,
                                              "max-headers", 10, "max-line-length", 1024, NULL);
  g_autoptr(NtpacHarness) h = harness_with (d, 80);
  g_autoptr(GPtrArray) records = NULL;
  GString *many = g_string_new ("GET /many HTTP/1.1\r\nHost: h\r\n");
  GString *huge = g_string_new ("GET /huge HTTP/1.1\r\nHost: h\r\nCookie: ");
  g_autofree gchar *l2000 = g_strnfill (2000, 'L');
  g_autofree gchar *long_line = g_strdup_printf ("GET /long HTTP/1.1\r\nHost: h\r\nX-Long: %s\r\n\r\n", l2000);
  g_autofree gchar *many_s = NULL, *huge_s = NULL;
  const gchar *name, *value;

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (many, "X-H%u: %u\r\n", i, i);
  g_string_append (many, "\r\n");
  for (guint i = 0; i < 20000; i++)
    g_string_append_c (huge, 'a' + i % 26);
  g_string_append (huge, "\r\n\r\n");
  many_s = g_string_free (many, FALSE);
  huge_s = g_string_free (huge, FALSE);

  push (h, UP, many_s);
  /* the huge block comes in 1000-byte segments */
  for (gsize off = 0; off < strlen (huge_s); off += 1000)
    ntpac_harness_push (h, UP, huge_s + off, MIN (1000, strlen (huge_s) - off));
  push (h, UP, long_line);
  push (h, UP, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 4);
  g_assert_cmpuint (n_headers (records->pdata[0], "request_headers"), ==, 10);
  g_assert_cmpuint (n_anomalies (h, "http.too-many-headers"), ==, 1);
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/huge");
  g_assert_cmpuint (n_anomalies (h, "http.header-too-large"), ==, 1);
  g_assert_cmpstr (str_field (records->pdata[2], "uri"), ==, "/long");
  header_at (records->pdata[2], "request_headers", 1, &name, &value);
  g_assert_cmpuint (strlen (value), ==, 1024);
  g_assert_cmpuint (n_anomalies (h, "http.line-too-long"), >=, 1);
  g_assert_cmpstr (str_field (records->pdata[3], "uri"), ==, "/after");
}

static void
test_http2_preface (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);

  push (h, UP, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  ntpac_harness_end (h);
  g_assert_null (ntpac_harness_get_protocol (h));
}

/* ---- probe ----------------------------------------------------------------------------- */

static void
test_probe (void)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, NULL);
  NtpacDissectorClass *klass = NTPAC_DISSECTOR_GET_CLASS (d);
  static const struct
  {
    const gchar *bytes;
    gboolean     hint;
    gboolean     expected;
  } cases[] = {
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", FALSE, TRUE },
    { "POST /api HTTP/1.0\n", FALSE, TRUE },
    { "OPTIONS * HTTP/1.1\r\n", FALSE, TRUE },
    { "GET /partial/first/li", FALSE, TRUE },
    { "PROPFIND ", FALSE, TRUE },
    { "HTTP/1.1 200 OK\r\n", FALSE, TRUE },
    { "HTTP/1.0 404", FALSE, TRUE },
    { "HTTP/1.1 2", FALSE, FALSE },
    { "HTTP/2 200\r\n", FALSE, FALSE },
    { "GET / HTTP/2.0\r\n", FALSE, FALSE },
    { "GET /\r\n", FALSE, FALSE },
    { "GET /\r\n", TRUE, TRUE },
    { "FOO /\r\n", TRUE, FALSE },
    { "GET /HTTP/1.1\r\n", FALSE, TRUE },
    { "OPTIONS HTTP/1.1\r\n", FALSE, TRUE },
    { "GET", FALSE, FALSE },
    { "get / HTTP/1.1\r\n", FALSE, FALSE },
    { "FOO / HTTP/1.1\r\n", FALSE, FALSE },
    { "FOO / HTTP/1.1\r\n", TRUE, TRUE },
    { "SSH-2.0-OpenSSH_9.2\r\n", TRUE, FALSE },
    { "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", TRUE, FALSE },
    { "220 mail.example.org ESMTP\r\n", TRUE, FALSE },
    { "INVITE sip:bob@example.com SIP/2.0\r\n", TRUE, FALSE },
    { "DESCRIBE rtsp://x/y RTSP/1.0\r\n", TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean got = klass->probe (d, NTPAC_DISSECT_INPUT_TCP_STREAM, UP, (const guint8 *) cases[i].bytes,
                                   strlen (cases[i].bytes), cases[i].hint);

      if (got != cases[i].expected)
        g_error ("probe of case %u (%s): %d", i, cases[i].bytes, got);
    }
  g_assert_false (klass->probe (d, NTPAC_DISSECT_INPUT_UDP_DATAGRAM, UP, (const guint8 *) "GET / HTTP/1.1\r\n",
                                16, FALSE));

  /* through the engine: content decides on any port */
  {
    guint16 ports[] = { 8080, 3128, 40123 };

    for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
      {
        g_autoptr(NtpacHarness) h = http_harness (ports[i]);
        g_autoptr(GPtrArray) records = NULL;

        push (h, UP, "GET http://proxied.example/x HTTP/1.1\r\nUser-Agent: t\r\n\r\n");
        push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        ntpac_harness_end (h);
        g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "http");
        records = http_records (h);
        g_assert_cmpuint (records->len, ==, 1);
        /* no Host field: the host of the absolute URI */
        g_assert_cmpstr (str_field (records->pdata[0], "host"), ==, "proxied.example");
      }
  }
  {
    g_autoptr(NtpacHarness) h = http_harness (80);

    push (h, DOWN, "SSH-2.0-OpenSSH_9.2\r\n");
    push (h, UP, "SSH-2.0-PuTTY\r\n");
    ntpac_harness_end (h);
    g_assert_null (ntpac_harness_get_protocol (h));
    g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
  }
}

static void
test_settings (void)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, NULL);
  guint header_size = 0, ratio = 0;
  guint64 decoded = 0;

  g_object_get (d, "max-header-size", &header_size, "max-decoded-size", &decoded, "max-ratio", &ratio, NULL);
  g_assert_cmpuint (header_size, ==, 64 * 1024);
  g_assert_cmpuint (decoded, ==, G_GUINT64_CONSTANT (256) * 1024 * 1024);
  g_assert_cmpuint (ratio, ==, 1000);
  g_assert_cmpstr (ntpac_dissector_get_protocol (d), ==, "http");
  g_assert_true (ntpac_dissector_port_hint (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 11371));
  g_assert_false (ntpac_dissector_port_hint (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 443));
}

static void
test_resync_after_binary_body (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;
  static const guint8 jpeg_tail[] = { 0x13, 0x37, 0x00, 0xff, 0x80, 0xff, 0xd9 };
  g_autoptr(GByteArray) after = g_byte_array_new ();
  const gchar *second = "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n\r\nabc";

  g_test_summary ("The capture lost the start of a response: the parser finds the "
                  "next status line although the binary body before it ends "
                  "without a line break.");
  push (h, UP, "GET /a.jpg HTTP/1.1\r\nHost: x\r\n\r\n");
  push (h, UP, "GET /b.jpg HTTP/1.1\r\nHost: x\r\n\r\n");
  g_byte_array_append (after, jpeg_tail, sizeof jpeg_tail);
  g_byte_array_append (after, (const guint8 *) second, strlen (second));
  ntpac_harness_push_gap (h, DOWN, NULL, 0, 1725, after->data, after->len);
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/b.jpg");
  g_assert_cmpuint (status_of (records->pdata[1]), ==, 200);
  g_assert_cmpstr (str_field (records->pdata[1], "content_type"), ==, "image/jpeg");
}

static void
test_bad_status_line_then_good (void)
{
  g_autoptr(NtpacHarness) h = http_harness (80);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A status line that starts like one but is not (found by "
                  "fuzzing: it made the search for the next one find it again, "
                  "forever) is skipped, and the next response is read.");
  push (h, UP, "POST /login HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\n\r\nabc");
  push (h, DOWN, "HTTP/1.1 302nt-Type\nLocation: /home\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ntpac_harness_end (h);
  records = http_records (h);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (status_of (records->pdata[0]), ==, 200);
}

/* ---- request lines servers act on, HTTP/0.9, status lines, lengths ------------------ */

static void
test_request_line_forms (void)
{
  static const struct
  {
    const gchar *line;
    const gchar *method, *uri, *version;
    const gchar *anomaly;
  } cases[] = {
    { "GET /HTTP/1.1\r\nHost: h\r\n\r\n", "GET", "/", "HTTP/1.1", "http.request-line-no-space" },
    { "GET /a/b?c=HTTP/1.0\r\nHost: h\r\n\r\n", "GET", "/a/b?c=", "HTTP/1.0", "http.request-line-no-space" },
    { "GET / HTTP/1.\r\nHost: h\r\n\r\n", "GET", "/", "HTTP/1.", "http.request-line-bad-version" },
    { "GET /x http/1.1\r\nHost: h\r\n\r\n", "GET", "/x", "http/1.1", "http.request-line-bad-version" },
    { "POST /p HTTP/1.x\r\nHost: h\r\nContent-Length: 2\r\n\r\nab", "POST", "/p", "HTTP/1.x",
      "http.request-line-bad-version" },
    { "OPTIONS HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS", "", "HTTP/1.1", "http.request-line-no-uri" },
    { "GET  HTTP/1.1\r\nHost: h\r\n\r\n", "GET", "", "HTTP/1.1", "http.request-line-no-uri" },
    { "DELETE /item/7\r\n", "DELETE", "/item/7", NULL, "http.request-line-no-version" },
    { "GET /old\r\n", "GET", "/old", "HTTP/0.9", "http.0.9-request" },
  };

  g_test_summary ("Request lines that are not as RFC 9112 writes them but that a "
                  "server may act on are transactions, each with the anomaly that "
                  "names what was wrong; the next request is found after them.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NtpacHarness) h = http_harness (80);
      g_autoptr(GPtrArray) records = NULL;
      GVariant *r;

      push (h, UP, cases[i].line);
      push (h, UP, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
      push (h, DOWN, "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      ntpac_harness_end (h);

      g_test_message ("case %u: %s", i, cases[i].line);
      g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "http");
      records = http_records (h);
      g_assert_cmpuint (records->len, ==, 2);
      r = records->pdata[0];
      g_assert_cmpstr (str_field (r, "method"), ==, cases[i].method);
      g_assert_cmpstr (str_field (r, "uri"), ==, cases[i].uri);
      g_assert_cmpstr (str_field (r, "version"), ==, cases[i].version);
      g_assert_cmpuint (status_of (r), ==, 404);
      g_assert_cmpuint (u64_field (r, "response_body_len"), ==, 4);
      g_assert_cmpuint (n_anomalies (h, cases[i].anomaly), ==, 1);
      g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 1);
      r = records->pdata[1];
      g_assert_cmpstr (str_field (r, "method"), ==, "GET");
      g_assert_cmpstr (str_field (r, "uri"), ==, "/next");
      g_assert_cmpstr (str_field (r, "version"), ==, "HTTP/1.1");
      g_assert_cmpuint (status_of (r), ==, 200);
      g_assert_true (bool_field (r, "body_complete"));
    }
  /* the POST's body was read by its Content-Length */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, cases[4].line);
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    assert_body (h, records->pdata[0], "request_body_sha256", "ab", 2);
  }
  /* still not requests: no known method, a target with spaces and no
   * version */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /a HTTP/1.1\r\n\r\n");
    push (h, UP, "hello world\r\nGET /a b c\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 204 No Content\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_cmpuint (n_anomalies (h, "http.bad-request-line"), ==, 2);
    g_assert_cmpuint (n_anomalies (h, "http.request-line-no-version"), ==, 0);
    g_assert_cmpuint (n_anomalies (h, "http.0.9-request"), ==, 0);
  }
}

static void
test_http09 (void)
{
  const gchar *page = "<html><body>an HTTP/0.9 page\r\n\r\nHTTP/1.1 200 OK\r\n</body></html>\n";
  g_autoptr(GPtrArray) objects = NULL;

  g_test_summary ("An HTTP/0.9 request (GET and a path, no version) is a "
                  "transaction whose response is everything the server sends "
                  "up to the close, with no status line and no header fields.");
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;
    gsize len = strlen (page);
    GVariant *r;

    push (h, UP, "GET /\r\n\r\n");
    /* the body in pieces; one of them looks like a status line */
    ntpac_harness_push (h, DOWN, page, 1);
    ntpac_harness_push (h, DOWN, page + 1, 30);
    ntpac_harness_push (h, DOWN, page + 31, len - 31);
    ntpac_harness_end (h);

    g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "http");
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    r = records->pdata[0];
    g_assert_cmpstr (str_field (r, "method"), ==, "GET");
    g_assert_cmpstr (str_field (r, "uri"), ==, "/");
    g_assert_cmpstr (str_field (r, "version"), ==, "HTTP/0.9");
    g_assert_false (has_field (r, "status"));
    g_assert_false (has_field (r, "reason"));
    g_assert_cmpuint (n_headers (r, "request_headers"), ==, 0);
    g_assert_cmpuint (n_headers (r, "response_headers"), ==, 0);
    g_assert_cmpuint (u64_field (r, "response_body_len"), ==, len);
    assert_body (h, r, "response_body_sha256", page, len);
    g_assert_true (bool_field (r, "body_complete"));
    g_assert_cmpuint (n_anomalies (h, "http.0.9-request"), ==, 1);
    g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 1);
    {
      g_autoptr(GVariant) frames = g_variant_lookup_value (r, "frames", G_VARIANT_TYPE ("at"));

      g_assert_cmpuint (g_variant_n_children (frames), ==, 4);
    }
    objects = ntpac_harness_get_records (h, "objects");
    g_assert_cmpuint (objects->len, ==, 1);
  }
  /* a server that answers with a status line anyway */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;
    GVariant *r;

    push (h, UP, "GET /x\r\n");
    push (h, DOWN, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    r = records->pdata[0];
    g_assert_cmpstr (str_field (r, "version"), ==, "HTTP/0.9");
    g_assert_cmpuint (status_of (r), ==, 200);
    assert_body (h, r, "response_body_sha256", "ok", 2);
  }
  /* bytes without a status line answer no HTTP/1.x request */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /y HTTP/1.1\r\n\r\n");
    push (h, DOWN, "<html>no status line</html>\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_false (has_field (records->pdata[0], "status"));
    g_assert_cmpuint (n_anomalies (h, "http.bad-status-line"), ==, 1);
  }
  /* off an HTTP port a line without version is not enough to say HTTP */
  {
    g_autoptr(NtpacHarness) h = http_harness (40123);

    push (h, UP, "GET /\r\n\r\n");
    push (h, DOWN, "<html><body>a page</body></html>\n");
    ntpac_harness_end (h);
    g_assert_null (ntpac_harness_get_protocol (h));
  }
}

static void
test_status_line_forms (void)
{
  static const struct
  {
    const gchar *line;
    guint        status;
    const gchar *reason;
  } cases[] = {
    { "http/1.1 200 OK\r\n", 200, "OK" },
    { "Http/1.0 404 Not Found\r\n", 404, "Not Found" },
    { "HTTP/1.\xc5 200 OK\r\n", 200, "OK" },
    { "HTTP/1.x 302 Found\r\n", 302, "Found" },
  };

  g_test_summary ("Status lines are matched case-insensitively, and one with a "
                  "corrupt version is read: each with an anomaly.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NtpacHarness) h = http_harness (80);
      g_autoptr(GPtrArray) records = NULL;
      g_autofree gchar *resp = g_strdup_printf ("%sContent-Length: 5\r\n\r\nhello"
                                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                                                cases[i].line);
      GVariant *r;

      g_test_message ("case %u", i);
      push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
      push (h, DOWN, resp);
      ntpac_harness_end (h);
      records = http_records (h);
      g_assert_cmpuint (records->len, ==, 2);
      r = records->pdata[0];
      g_assert_cmpstr (str_field (r, "uri"), ==, "/a");
      g_assert_cmpuint (status_of (r), ==, cases[i].status);
      g_assert_cmpstr (str_field (r, "reason"), ==, cases[i].reason);
      assert_body (h, r, "response_body_sha256", "hello", 5);
      g_assert_cmpuint (status_of (records->pdata[1]), ==, 200);
      g_assert_cmpuint (n_anomalies (h, "http.status-line-bad-version"), ==, 1);
      g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 1);
    }
  /* another major version is still not read */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
    push (h, DOWN, "http/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_false (has_field (records->pdata[0], "status"));
    g_assert_cmpuint (n_anomalies (h, "http.bad-version"), ==, 1);
  }
}

/* Every request method of @records is @a or @b. */
static void
assert_methods (GPtrArray   *records,
                const gchar *a,
                const gchar *b)
{
  for (guint i = 0; i < records->len; i++)
    {
      const gchar *method = str_field (records->pdata[i], "method");

      if (g_strcmp0 (method, a) != 0 && g_strcmp0 (method, b) != 0)
        g_error ("record %u has method %s", i, method);
    }
}

static void
test_content_length_forms (void)
{
  g_autofree gchar *x50 = g_strnfill (50, 'X');

  g_test_summary ("Content-Length as RFC 9110 reads it (leading zeros, a list of "
                  "one value), and the framing servers choose when lengths "
                  "conflict or come with Transfer-Encoding; the next request is "
                  "found where it starts.");
  /* leading zeros: the 50 bytes are the body, not the start of a request */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;
    g_autofree gchar *req = g_strdup_printf ("POST /upload HTTP/1.1\r\nHost: h\r\n"
                                             "Content-Length: 00000000000000000000000000000050\r\n\r\n"
                                             "%sGET /next HTTP/1.1\r\nHost: h\r\n\r\n", x50);

    push (h, UP, req);
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 2);
    assert_methods (records, "POST", "GET");
    g_assert_cmpuint (u64_field (records->pdata[0], "request_body_len"), ==, 50);
    assert_body (h, records->pdata[0], "request_body_sha256", x50, 50);
    g_assert_true (bool_field (records->pdata[0], "body_complete"));
    g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/next");
    g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
  }
  /* the same value twice, as a list or in two fields; a response length
   * with leading zeros */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "POST /a HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello"
                 "POST /b HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc"
                 "GET /c HTTP/1.1\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 0002\r\n\r\nok"
                   "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 3);
    assert_body (h, records->pdata[0], "request_body_sha256", "hello", 5);
    assert_body (h, records->pdata[0], "response_body_sha256", "ok", 2);
    assert_body (h, records->pdata[1], "request_body_sha256", "abc", 3);
    g_assert_cmpstr (str_field (records->pdata[2], "uri"), ==, "/c");
    g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
  }
  /* different lengths, in two fields or one list: the body's end is
   * unknown; the next request is the next line that starts one */
  {
    static const gchar *const conflicts[] = {
      "Content-Length: 5\r\nContent-Length: 50\r\n",
      "Content-Length: 5, 50\r\n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (conflicts); i++)
      {
        g_autoptr(NtpacHarness) h = http_harness (80);
        g_autoptr(GPtrArray) records = NULL;
        g_autofree gchar *req = g_strdup_printf ("POST /a HTTP/1.1\r\nHost: h\r\n%s\r\n"
                                                 "helloXXXXGET /hidden HTTP/1.1\r\n"
                                                 "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", conflicts[i]);

        push (h, UP, req);
        push (h, DOWN, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        ntpac_harness_end (h);
        records = http_records (h);
        g_assert_cmpuint (records->len, ==, 2);
        assert_methods (records, "POST", "GET");
        g_assert_cmpstr (str_field (records->pdata[0], "uri"), ==, "/a");
        g_assert_cmpuint (u64_field (records->pdata[0], "request_body_len"), ==, 0);
        g_assert_false (bool_field (records->pdata[0], "body_complete"));
        g_assert_cmpuint (status_of (records->pdata[0]), ==, 400);
        g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/b");
        g_assert_cmpuint (status_of (records->pdata[1]), ==, 200);
        g_assert_cmpuint (n_anomalies (h, "http.content-length-conflict"), ==, 1);
        g_assert_cmpuint (n_anomalies (h, "http.possible-smuggling"), ==, 1);
        g_assert_cmpuint (n_anomalies (h, "http.bad-request-line"), ==, 0);
      }
  }
  /* chunked wins over Content-Length */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n0\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 2);
    assert_methods (records, "POST", "GET");
    assert_body (h, records->pdata[0], "request_body_sha256", "hello", 5);
    g_assert_true (bool_field (records->pdata[0], "body_complete"));
    g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/d");
    g_assert_cmpuint (n_anomalies (h, "http.te-and-cl"), ==, 1);
    g_assert_cmpuint (n_anomalies (h, "http.possible-smuggling"), ==, 1);
  }
  /* a response with conflicting lengths is read to the close */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "GET /e HTTP/1.1\r\nHost: h\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 4\r\n\r\nokok");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 1);
    assert_body (h, records->pdata[0], "response_body_sha256", "okok", 4);
    g_assert_cmpuint (n_anomalies (h, "http.possible-smuggling"), ==, 1);
  }
  /* too many significant digits is no length */
  {
    g_autoptr(NtpacHarness) h = http_harness (80);
    g_autoptr(GPtrArray) records = NULL;

    push (h, UP, "POST /f HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\nGET /g HTTP/1.1\r\n\r\n");
    push (h, DOWN, "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ntpac_harness_end (h);
    records = http_records (h);
    g_assert_cmpuint (records->len, ==, 2);
    g_assert_cmpstr (str_field (records->pdata[1], "uri"), ==, "/g");
    g_assert_cmpuint (n_anomalies (h, "http.bad-content-length"), ==, 1);
    g_assert_cmpuint (n_anomalies (h, "http.possible-smuggling"), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/get", test_get);
  g_test_add_func ("/http/post", test_post);
  g_test_add_func ("/http/chunked", test_chunked);
  g_test_add_func ("/http/chunked-request", test_chunked_request);
  g_test_add_func ("/http/gzip", test_gzip);
  g_test_add_func ("/http/deflate", test_deflate);
  g_test_add_func ("/http/gzip-bomb", test_gzip_bomb);
  g_test_add_func ("/http/body-to-close", test_body_to_close);
  g_test_add_func ("/http/head-204-304", test_head_204_304);
  g_test_add_func ("/http/100-continue", test_continue);
  g_test_add_func ("/http/pipelining", test_pipelining);
  g_test_add_func ("/http/keep-alive", test_keep_alive);
  g_test_add_func ("/http/connect", test_connect);
  g_test_add_func ("/http/connect-refused", test_connect_refused);
  g_test_add_func ("/http/upgrade", test_upgrade);
  g_test_add_func ("/http/header-order-case", test_header_order_case);
  g_test_add_func ("/http/split-points", test_split_points);
  g_test_add_func ("/http/gap/content-length", test_gap_content_length);
  g_test_add_func ("/http/gap/chunked", test_gap_chunked);
  g_test_add_func ("/http/gap/inside-chunk", test_gap_inside_chunk);
  g_test_add_func ("/http/gap/gzip", test_gap_gzip);
  g_test_add_func ("/http/unanswered-and-orphan", test_unanswered_and_orphan);
  g_test_add_func ("/http/malformed", test_malformed);
  g_test_add_func ("/http/limits", test_limits);
  g_test_add_func ("/http/http2-preface", test_http2_preface);
  g_test_add_func ("/http/probe", test_probe);
  g_test_add_func ("/http/resync-after-binary-body", test_resync_after_binary_body);
  g_test_add_func ("/http/bad-status-line-then-good", test_bad_status_line_then_good);
  g_test_add_func ("/http/settings", test_settings);
  g_test_add_func ("/http/request-line-forms", test_request_line_forms);
  g_test_add_func ("/http/http09", test_http09);
  g_test_add_func ("/http/status-line-forms", test_status_line_forms);
  g_test_add_func ("/http/content-length-forms", test_content_length_forms);
  return g_test_run ();
}
