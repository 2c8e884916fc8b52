/* make-http-corpus.c: seed inputs for fuzz-http
 *
 * make-http-corpus DIR  writes conversations in the fuzz target's format
 * (a flags byte, a two-byte split point, then the client's bytes and the
 * server's): GET and POST with Content-Length, chunked bodies with
 * extensions and trailers, gzip and deflate bodies (zlib-wrapped and raw),
 * a body read to the close, HEAD, 304, 100-continue, pipelining, CONNECT,
 * an upgrade, request and status lines servers read although they are
 * broken (no space before the version, a version cut or in lower case, no
 * target, HTTP/0.9 and its response to the close), Content-Length with
 * leading zeros, lists and conflicts, and a few broken messages.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

static GBytes *
compress_text (const gchar *text,
               int          window_bits)
{
  z_stream z;
  gsize cap;
  guint8 *out;

  memset (&z, 0, sizeof z);
  if (deflateInit2 (&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    g_error ("deflateInit2 failed");
  cap = deflateBound (&z, strlen (text));
  out = g_malloc (cap);
  z.next_in = (Bytef *) text;
  z.avail_in = (uInt) strlen (text);
  z.next_out = out;
  z.avail_out = (uInt) cap;
  if (deflate (&z, Z_FINISH) != Z_STREAM_END)
    g_error ("deflate failed");
  cap = z.total_out;
  deflateEnd (&z);
  return g_bytes_new_take (out, cap);
}

/* Writes one seed: @flags, the client's bytes and the server's. */
static void
write_seed (const gchar  *dir,
            const gchar  *name,
            guint8        flags,
            const void   *up,
            gsize         up_len,
            const void   *down,
            gsize         down_len)
{
  g_autoptr(GByteArray) seed = g_byte_array_new ();
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  guint8 head[3] = { flags, (guint8) (up_len >> 8), (guint8) up_len };

  g_byte_array_append (seed, head, 3);
  g_byte_array_append (seed, up, (guint) up_len);
  g_byte_array_append (seed, down, (guint) down_len);
  if (!g_file_set_contents (path, (const gchar *) seed->data, seed->len, &error))
    g_error ("%s", error->message);
}

static void
seed_text (const gchar *dir,
           const gchar *name,
           guint8       flags,
           const gchar *up,
           const gchar *down)
{
  write_seed (dir, name, flags, up, strlen (up), down, strlen (down));
}

/* A response whose body is @body coded with @coding (window bits). */
static void
seed_coded (const gchar *dir,
            const gchar *name,
            const gchar *coding,
            int          window_bits,
            gboolean     chunked)
{
  const gchar *text = "<html><body>A body that is compressed, compressed, compressed.</body></html>\n";
  g_autoptr(GBytes) z = compress_text (text, window_bits);
  g_autoptr(GByteArray) down = g_byte_array_new ();
  g_autofree gchar *head = NULL;
  const gchar *up = "GET /coded HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip, deflate\r\n\r\n";
  gsize zlen;
  const guint8 *zd = g_bytes_get_data (z, &zlen);

  if (chunked)
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nTransfer-Encoding: chunked\r\n\r\n", coding);
  else
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n", coding, zlen);
  g_byte_array_append (down, (const guint8 *) head, (guint) strlen (head));
  if (chunked)
    {
      gsize half = zlen / 2;
      g_autofree gchar *c1 = g_strdup_printf ("%zx;ext=1\r\n", half);
      g_autofree gchar *c2 = g_strdup_printf ("\r\n%zx\r\n", zlen - half);

      g_byte_array_append (down, (const guint8 *) c1, (guint) strlen (c1));
      g_byte_array_append (down, zd, (guint) half);
      g_byte_array_append (down, (const guint8 *) c2, (guint) strlen (c2));
      g_byte_array_append (down, zd + half, (guint) (zlen - half));
      g_byte_array_append (down, (const guint8 *) "\r\n0\r\nX-T: 1\r\n\r\n", 15);
    }
  else
    g_byte_array_append (down, zd, (guint) zlen);
  write_seed (dir, name, 0x03 | 0xe0, up, strlen (up), down->data, down->len);
}

int
main (int    argc,
      char **argv)
{
  const gchar *dir;

  if (argc != 2)
    {
      g_printerr ("usage: %s DIR\n", argv[0]);
      return 1;
    }
  dir = argv[1];
  if (g_mkdir_with_parents (dir, 0755) != 0)
    g_error ("cannot make %s", dir);

  seed_text (dir, "get", 0x03 | 0xe0,
             "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\nhello world");
  seed_text (dir, "post", 0x03 | 0xa0,
             "POST /login HTTP/1.1\r\nHost: app\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: 13\r\n\r\nuser=a&pass=b",
             "HTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: 0\r\n\r\n");
  seed_text (dir, "chunked", 0x03 | 0x60,
             "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\n\r\n",
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n");
  seed_text (dir, "close", 0x03 | 0xe0,
             "GET / HTTP/1.0\r\n\r\n",
             "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nread until the connection closes\n");
  seed_text (dir, "head-304", 0x03 | 0xe0,
             "HEAD /f HTTP/1.1\r\nHost: h\r\n\r\nGET /f HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
  seed_text (dir, "continue", 0x03 | 0xe0,
             "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
             "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
             "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  seed_text (dir, "pipelined", 0x03 | 0xe0,
             "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\n2"
             "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3");
  seed_text (dir, "connect", 0x03 | 0xe0,
             "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01\x00\x05hello",
             "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03\x00\x02hi");
  seed_text (dir, "upgrade", 0x03 | 0xe0,
             "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi");
  seed_text (dir, "malformed", 0x03 | 0xe0,
             "GET /a HTTP/1.1\r\nHost: h\r\nno colon\r\nFold: a\r\n b\r\nContent-Length: 1x\r\n\r\n"
             "\x01garbage\r\nGET /b HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
             "HTTP/1.1 2x0 OK\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n"
             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  seed_text (dir, "gap-body", 0x04 | 0xe0,
             "POST /g HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789"
             "GET /next HTTP/1.1\r\nHost: h\r\n\r\n", "");
  seed_text (dir, "small-limits", 0x03 | 0x08 | 0xe0,
             "GET /limits HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  seed_text (dir, "request-line-forms", 0x03 | 0xe0,
             "GET /HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.\r\nHost: h\r\n\r\n"
             "OPTIONS HTTP/1.1\r\n\r\nGET  HTTP/1.1\r\n\r\nGET /x http/1.1\r\n\r\n"
             "DELETE /item\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1http/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"
             "HTTP/1.\xc5 204 No Content\r\n\r\nHttp/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"
             "HTTP/1.1 400 Bad Request\r\n\r\n");
  seed_text (dir, "http09", 0x01 | 0x02 | 0xe0,
             "GET /\r\n\r\n",
             "<html><body>an HTTP/0.9 page, read to the close</body></html>\n");
  seed_text (dir, "content-length-forms", 0x03 | 0xe0,
             "POST /z HTTP/1.1\r\nContent-Length: 00000000000000000000000000000050\r\n\r\n"
             "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
             "POST /l HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello"
             "POST /c HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhelloXGET /s HTTP/1.1\r\n"
             "POST /t HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
             "GET /next HTTP/1.1\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 002\r\n\r\nok"
             "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nabc");
  seed_coded (dir, "gzip", "gzip", 15 + 16, FALSE);
  seed_coded (dir, "gzip-chunked", "gzip", 15 + 16, TRUE);
  seed_coded (dir, "deflate-zlib", "deflate", 15, FALSE);
  seed_coded (dir, "deflate-raw", "deflate", -15, TRUE);
  return 0;
}
