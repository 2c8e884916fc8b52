/* make-dns-corpus.c: seed inputs for fuzz-dns
 *
 * make-dns-corpus DIR  writes a few valid DNS messages (a query with EDNS
 * options, a compressed response in every section, every record type the
 * parser shows as text, an UPDATE, an mDNS announcement, a response cut
 * short with TC) and a DNS over TCP stream of two messages.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "../tests/dns-test-writer.h"

/* Where the labels of "example.org" start in a message whose first
 * question is "www.example.org". */
#define OFF_WWW     12
#define OFF_EXAMPLE 16

static void
put_rr (GByteArray *m,
        guint16     type,
        guint32     ttl,
        const void *rdata,
        gsize       len)
{
  gsize start = dns_rr_begin (m, type, 1, ttl);

  dns_put_bytes (m, rdata, len);
  dns_rr_end (m, start);
}

static void
put_opt (GByteArray *m)
{
  static const guint8 options[] = {
    0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,        /* COOKIE */
    0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2,         /* CLIENT-SUBNET */
    0, 15, 0, 4, 0, 18, 'n', 'o',               /* EDE */
  };
  gsize start;

  dns_put_u8 (m, 0);
  start = dns_rr_begin (m, 41, 1232, 0x8000);
  dns_put_bytes (m, options, sizeof options);
  dns_rr_end (m, start);
}

static void
save (const gchar *dir,
      const gchar *name,
      GByteArray  *m)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const gchar *) m->data, m->len, &error))
    g_error ("%s", error->message);
}

static GByteArray *
make_query (void)
{
  GByteArray *m = dns_message_new (0x1234, 0x0120, 1, 0, 0, 1);

  dns_put_name_to (m, "www.example.org", 0);
  dns_put_u16 (m, 1);
  dns_put_u16 (m, 1);
  put_opt (m);
  return m;
}

static GByteArray *
make_response (void)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  static const guint8 aaaa[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  GByteArray *m = dns_message_new (0x1234, 0x8180, 1, 3, 1, 2);
  gsize start;

  dns_put_name_to (m, "www.example.org", 0);
  dns_put_u16 (m, 1);
  dns_put_u16 (m, 1);
  dns_put_name_to (m, "", OFF_WWW);
  start = dns_rr_begin (m, 5, 1, 300);
  dns_put_name_to (m, "cdn", OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name_to (m, "cdn", OFF_EXAMPLE);
  put_rr (m, 1, 60, a, sizeof a);
  dns_put_name_to (m, "cdn", OFF_EXAMPLE);
  put_rr (m, 28, 60, aaaa, sizeof aaaa);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  start = dns_rr_begin (m, 2, 1, 3600);
  dns_put_name_to (m, "ns1", OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name_to (m, "ns1", OFF_EXAMPLE);
  put_rr (m, 1, 3600, a, sizeof a);
  put_opt (m);
  return m;
}

static GByteArray *
make_records (void)
{
  static const guint8 txt[] = { 5, 'h', 'e', 'l', 'l', 'o', 3, 'a', '"', 'b' };
  static const guint8 caa[] = { 0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'o', 'r', 'g' };
  static const guint8 svc_params[] = {
    0, 1, 0, 6, 2, 'h', '2', 2, 'h', '3',       /* alpn */
    0, 3, 0, 2, 0x01, 0xbb,                     /* port */
    0, 4, 0, 4, 192, 0, 2, 1,                   /* ipv4hint */
  };
  static const guint8 unknown[] = { 0xde, 0xad };
  GByteArray *m = dns_message_new (0x1234, 0x8400, 1, 8, 0, 0);
  gsize start;

  dns_put_name_to (m, "www.example.org", 0);
  dns_put_u16 (m, 255);
  dns_put_u16 (m, 1);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  start = dns_rr_begin (m, 15, 1, 1);
  dns_put_u16 (m, 10);
  dns_put_name_to (m, "mail", OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  put_rr (m, 16, 2, txt, sizeof txt);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  start = dns_rr_begin (m, 6, 1, 3);
  dns_put_name_to (m, "ns1", OFF_EXAMPLE);
  dns_put_name_to (m, "hostmaster", OFF_EXAMPLE);
  for (guint i = 0; i < 5; i++)
    dns_put_u32 (m, 1000 + i);
  dns_rr_end (m, start);
  dns_put_name_to (m, "_sip._tcp", OFF_EXAMPLE);
  start = dns_rr_begin (m, 33, 1, 4);
  dns_put_u16 (m, 1);
  dns_put_u16 (m, 2);
  dns_put_u16 (m, 5060);
  dns_put_name_to (m, "sip", OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  put_rr (m, 257, 5, caa, sizeof caa);
  dns_put_name_to (m, "", OFF_WWW);
  start = dns_rr_begin (m, 65, 1, 6);
  dns_put_u16 (m, 1);
  dns_put_u8 (m, 0);
  dns_put_bytes (m, svc_params, sizeof svc_params);
  dns_rr_end (m, start);
  dns_put_name_to (m, "1.2.0.192.in-addr.arpa", 0);
  start = dns_rr_begin (m, 12, 1, 7);
  dns_put_name_to (m, "", OFF_WWW);
  dns_rr_end (m, start);
  dns_put_name_to (m, "", OFF_EXAMPLE);
  put_rr (m, 65280, 8, unknown, sizeof unknown);
  return m;
}

static GByteArray *
make_update (void)
{
  static const guint8 a[] = { 192, 0, 2, 7 };
  GByteArray *m = dns_message_new (0x1234, 0x2800, 1, 0, 2, 0);

  dns_put_name_to (m, "example.org", 0);
  dns_put_u16 (m, 6);
  dns_put_u16 (m, 1);
  dns_put_name_to (m, "www", 12);
  dns_put_u16 (m, 1);
  dns_put_u16 (m, 255);
  dns_put_u32 (m, 0);
  dns_put_u16 (m, 0);
  dns_put_name_to (m, "www", 12);
  put_rr (m, 1, 300, a, sizeof a);
  return m;
}

static GByteArray *
make_mdns (void)
{
  static const guint8 a[] = { 192, 168, 1, 2 };
  GByteArray *m = dns_message_new (0x1234, 0x8400, 0, 1, 0, 0);
  gsize start;

  dns_put_name_to (m, "printer.local", 0);
  start = dns_rr_begin (m, 1, 0x8001, 120);
  dns_put_bytes (m, a, sizeof a);
  dns_rr_end (m, start);
  return m;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GByteArray) query = NULL;
  g_autoptr(GByteArray) response = NULL;
  g_autoptr(GByteArray) records = NULL;
  g_autoptr(GByteArray) update = NULL;
  g_autoptr(GByteArray) mdns = NULL;
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GByteArray) cut = g_byte_array_new ();

  if (argc != 2)
    {
      g_printerr ("usage: make-dns-corpus DIR\n");
      return 1;
    }
  g_mkdir_with_parents (argv[1], 0755);
  query = make_query ();
  response = make_response ();
  records = make_records ();
  update = make_update ();
  mdns = make_mdns ();
  save (argv[1], "query-edns", query);
  save (argv[1], "response", response);
  save (argv[1], "records", records);
  save (argv[1], "update", update);
  save (argv[1], "mdns", mdns);

  dns_put_u16 (stream, (guint16) query->len);
  dns_put_bytes (stream, query->data, query->len);
  dns_put_u16 (stream, (guint16) response->len);
  dns_put_bytes (stream, response->data, response->len);
  save (argv[1], "tcp-stream", stream);

  /* The response cut in its third answer, with TC set. */
  dns_put_bytes (cut, response->data, 80);
  cut->data[2] |= 0x02;
  save (argv[1], "truncated-tc", cut);
  return 0;
}
