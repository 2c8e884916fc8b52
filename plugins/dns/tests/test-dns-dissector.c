/* test-dns-dissector.c: the dns dissector through NtpacHarness
 *
 * Messages are written byte by byte with the small writer below and
 * pushed as the engine would hand them on: datagrams over UDP, pieces of
 * a stream over TCP. The records are checked field by field, as
 * `query dns` shows them.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../ntpac-dns-dissector.h"
#include "dns-test-writer.h"

#define T_A     1
#define T_CNAME 5
#define T_AAAA  28
#define T_OPT   41
#define C_IN    1

#define F_QUERY    0x0100  /* RD */
#define F_RESPONSE 0x8180  /* QR RD RA */
#define F_NXDOMAIN 0x8183  /* QR RD RA, rcode 3 */

/* ---- a message writer ---------------------------------------------------- */

/* A record whose owner is a pointer to the first question's name. */
static void
put_record (GByteArray   *m,
            guint16       type,
            guint32       ttl,
            const guint8 *rdata,
            guint16       rdlength)
{
  dns_put_u16 (m, 0xc000 | 12);
  dns_put_u16 (m, type);
  dns_put_u16 (m, C_IN);
  dns_put_u32 (m, ttl);
  dns_put_u16 (m, rdlength);
  g_byte_array_append (m, rdata, rdlength);
}

static GByteArray *
query (guint16      id,
       const gchar *name,
       guint16      type)
{
  GByteArray *m = dns_message_new (id, F_QUERY, 1, 0, 0, 1);

  dns_put_question (m, name, type, C_IN);
  /* EDNS: OPT owned by the root, 1232-byte UDP size, DO set. */
  dns_put_u8 (m, 0);
  dns_put_u16 (m, T_OPT);
  dns_put_u16 (m, 1232);
  dns_put_u32 (m, 0x00008000);
  dns_put_u16 (m, 0);
  return m;
}

static const guint8 addr6[16] = {
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
};
static const guint8 addr4[4] = { 192, 0, 2, 53 };

/* www.example.org AAAA: 2001:db8::53, TTL 300. */
static GByteArray *
aaaa_response (guint16 id)
{
  GByteArray *m = dns_message_new (id, F_RESPONSE, 1, 1, 0, 0);

  dns_put_question (m, "www.example.org", T_AAAA, C_IN);
  put_record (m, T_AAAA, 300, addr6, sizeof addr6);
  return m;
}

/* A over TCP: a CNAME then an A. */
static GByteArray *
cname_response (guint16 id)
{
  GByteArray *m = dns_message_new (id, F_RESPONSE, 1, 2, 0, 0);
  g_autoptr(GByteArray) target = g_byte_array_new ();

  dns_put_question (m, "alias.example.net", T_A, C_IN);
  dns_put_name (target, "host.example.net");
  put_record (m, T_CNAME, 60, target->data, target->len);
  /* The A record is owned by the CNAME's target, at its data. */
  dns_put_u16 (m, 0xc000 | (m->len - target->len));
  dns_put_u16 (m, T_A);
  dns_put_u16 (m, C_IN);
  dns_put_u32 (m, 120);
  dns_put_u16 (m, sizeof addr4);
  g_byte_array_append (m, addr4, sizeof addr4);
  return m;
}

/* A message with the 2-byte prefix of DNS over TCP, appended to @stream. */
static void
append_framed (GByteArray *stream,
               GByteArray *message)
{
  dns_put_u16 (stream, (guint16) message->len);
  g_byte_array_append (stream, message->data, message->len);
}

/* ---- checking records ------------------------------------------------------ */

static NtpacHarness *
dns_harness (NtpacDissectInput input,
             guint16           client_port,
             guint16           server_port)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_DNS_DISSECTOR, NULL);

  return ntpac_harness_new (d, input, client_port, server_port);
}

static const gchar *
field (GVariant    *record,
       const gchar *key)
{
  const gchar *value = NULL;

  g_assert_true (g_variant_lookup (record, key, "&s", &value));
  return value;
}

static gboolean
field_bool (GVariant    *record,
            const gchar *key)
{
  gboolean value = FALSE;

  g_assert_true (g_variant_lookup (record, key, "b", &value));
  return value;
}

static guint16
field_id (GVariant *record)
{
  guint16 id = 0;

  g_assert_true (g_variant_lookup (record, "id", "q", &id));
  return id;
}

/* Checks entry @i of the aa{sv} @section of @record. */
static void
assert_entry (GVariant    *record,
              const gchar *section,
              guint        i,
              const gchar *name,
              const gchar *type,
              guint32      ttl,
              const gchar *data)
{
  g_autoptr(GVariant) list = g_variant_lookup_value (record, section, G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) entry = NULL;
  guint32 entry_ttl = 0;

  g_assert_nonnull (list);
  g_assert_cmpuint (g_variant_n_children (list), >, i);
  entry = g_variant_get_child_value (list, i);
  g_assert_cmpstr (field (entry, "name"), ==, name);
  g_assert_cmpstr (field (entry, "type"), ==, type);
  g_assert_true (g_variant_lookup (entry, "ttl", "u", &entry_ttl));
  g_assert_cmpuint (entry_ttl, ==, ttl);
  g_assert_cmpstr (field (entry, "data"), ==, data);
}

static gsize
section_len (GVariant    *record,
             const gchar *section)
{
  g_autoptr(GVariant) list = g_variant_lookup_value (record, section, G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (list);
  return g_variant_n_children (list);
}

/* The frame numbers of @record. */
static GVariant *
frames (GVariant *record)
{
  GVariant *list = g_variant_lookup_value (record, "frames", G_VARIANT_TYPE ("at"));

  g_assert_nonnull (list);
  return list;
}

static void
assert_frames (GVariant *record,
               guint64   first,
               guint64   last)
{
  g_autoptr(GVariant) list = frames (record);
  gsize n;
  const guint64 *numbers = g_variant_get_fixed_array (list, &n, sizeof (guint64));

  g_assert_cmpuint (n, ==, last - first + 1);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint (numbers[i], ==, first + i);
}

/* @a and @b hold the same fields, the frames and time aside. */
static void
assert_same_record (GVariant *a,
                    GVariant *b)
{
  GVariantIter it;
  const gchar *key;
  GVariant *value;

  g_assert_cmpuint (g_variant_n_children (a), ==, g_variant_n_children (b));
  g_variant_iter_init (&it, a);
  while (g_variant_iter_loop (&it, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) other = NULL;

      if (g_str_equal (key, "frames") || g_str_equal (key, "ts"))
        continue;
      other = g_variant_lookup_value (b, key, NULL);
      g_assert_nonnull (other);
      g_assert_true (g_variant_equal (value, other));
    }
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

/* ---- UDP ------------------------------------------------------------------- */

/* A query and its answer on one UDP conversation from @client_port to
 * @server_port. */
static void
check_udp_exchange (guint16 client_port,
                    guint16 server_port)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, client_port, server_port);
  g_autoptr(GByteArray) q = query (0x1234, "www.example.org", T_AAAA);
  g_autoptr(GByteArray) r = aaaa_response (0x1234);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) flags = NULL;
  g_autoptr(GVariant) edns = NULL;
  guint16 udp_size = 0;
  gboolean dnssec_ok = FALSE;
  GVariant *rec;

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, q->data, q->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_end (h);

  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "dns");
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);

  rec = records->pdata[0];
  g_assert_cmpuint (field_id (rec), ==, 0x1234);
  g_assert_false (field_bool (rec, "is_response"));
  g_assert_cmpstr (field (rec, "opcode"), ==, "QUERY");
  g_assert_cmpstr (field (rec, "rcode"), ==, "NOERROR");
  g_assert_cmpstr (field (rec, "qname"), ==, "www.example.org");
  g_assert_cmpstr (field (rec, "qtype"), ==, "AAAA");
  g_assert_cmpuint (section_len (rec, "answers"), ==, 0);
  g_assert_cmpuint (section_len (rec, "authority"), ==, 0);
  g_assert_cmpuint (section_len (rec, "additional"), ==, 1);
  assert_entry (rec, "additional", 0, ".", "OPT", 0x8000,
                "udp_size=1232 version=0 do=1 ext_rcode=0");
  edns = g_variant_lookup_value (rec, "edns", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (edns);
  g_assert_true (g_variant_lookup (edns, "udp_size", "q", &udp_size));
  g_assert_cmpuint (udp_size, ==, 1232);
  g_assert_true (g_variant_lookup (edns, "do", "b", &dnssec_ok));
  g_assert_true (dnssec_ok);
  g_assert_true (field_bool (rec, "complete"));
  /* what `query --host` finds it by, and the common fields */
  g_assert_cmpstr (field (rec, "name"), ==, "www.example.org");
  g_assert_cmpstr (field (rec, "transport"), ==, "udp");
  g_assert_cmpstr (field (rec, "src"), ==, "192.0.2.1");
  assert_frames (rec, 1, 1);

  rec = records->pdata[1];
  g_assert_cmpuint (field_id (rec), ==, 0x1234);
  g_assert_true (field_bool (rec, "is_response"));
  g_assert_cmpstr (field (rec, "rcode"), ==, "NOERROR");
  g_assert_cmpstr (field (rec, "qname"), ==, "www.example.org");
  g_assert_cmpstr (field (rec, "qtype"), ==, "AAAA");
  g_assert_cmpuint (section_len (rec, "answers"), ==, 1);
  assert_entry (rec, "answers", 0, "www.example.org", "AAAA", 300, "2001:db8::53");
  g_assert_cmpuint (section_len (rec, "questions"), ==, 1);
  flags = g_variant_lookup_value (rec, "flags", G_VARIANT_TYPE_STRING_ARRAY);
  g_assert_nonnull (flags);
  g_assert_cmpuint (g_variant_n_children (flags), ==, 2);  /* rd, ra */
  g_assert_true (field_bool (rec, "complete"));
  assert_frames (rec, 2, 2);

  assert_anomalies (h, no_anomalies);
}

static void
test_udp_port_53 (void)
{
  check_udp_exchange (49152, 53);
}

static void
test_udp_other_port (void)
{
  g_test_summary ("DNS on a port no dissector hints at is recognised by content.");
  check_udp_exchange (40001, 5300);
}

static void
test_udp_nxdomain (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 49152, 53);
  g_autoptr(GByteArray) r = dns_message_new (0xbeef, F_NXDOMAIN, 1, 0, 1, 0);
  g_autoptr(GByteArray) soa = g_byte_array_new ();
  g_autoptr(GPtrArray) records = NULL;

  dns_put_question (r, "nope.example.org", T_A, C_IN);
  dns_put_name (soa, "ns.example.org");
  dns_put_name (soa, "hostmaster.example.org");
  for (guint i = 0; i < 5; i++)
    dns_put_u32 (soa, 100 + i);
  /* authority: example.org SOA (owner a pointer into the question) */
  dns_put_u16 (r, 0xc000 | 17);
  dns_put_u16 (r, 6);
  dns_put_u16 (r, C_IN);
  dns_put_u32 (r, 900);
  dns_put_u16 (r, soa->len);
  g_byte_array_append (r, soa->data, soa->len);

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (field (records->pdata[0], "rcode"), ==, "NXDOMAIN");
  g_assert_cmpuint (section_len (records->pdata[0], "answers"), ==, 0);
  assert_entry (records->pdata[0], "authority", 0, "example.org", "SOA", 900,
                "ns.example.org hostmaster.example.org 100 101 102 103 104");
  assert_anomalies (h, no_anomalies);
}

static void
test_udp_duplicate_response (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 49152, 53);
  g_autoptr(GByteArray) r = aaaa_response (0x0d0d);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A response datagram given twice, byte for byte, is two "
                  "messages: a server answering twice is evidence");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);
  {
    guint64 frame[2];

    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(GVariant) frames = g_variant_lookup_value (records->pdata[i], "frames", G_VARIANT_TYPE ("at"));

        g_assert_cmpuint (field_id (records->pdata[i]), ==, 0x0d0d);
        assert_entry (records->pdata[i], "answers", 0, "www.example.org", "AAAA", 300, "2001:db8::53");
        g_assert_cmpuint (g_variant_n_children (frames), ==, 1);
        g_variant_get_child (frames, 0, "t", &frame[i]);
      }
    /* each its own frame */
    g_assert_cmpuint (frame[0], !=, frame[1]);
  }
  assert_anomalies (h, no_anomalies);
}

static void
test_udp_not_dns (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 40001, 40002);
  static const gchar text[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n";
  static const guint8 zeros[32] = { 0 };
  g_autoptr(GPtrArray) records = NULL;

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, text, sizeof text - 1);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, zeros, sizeof zeros);
  ntpac_harness_end (h);
  g_assert_null (ntpac_harness_get_protocol (h));
  records = ntpac_harness_get_records (h, NULL);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_udp_malformed (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 49152, 53);
  g_autoptr(GByteArray) r = dns_message_new (7, F_RESPONSE, 1, 3, 0, 0);
  g_autoptr(GPtrArray) records = NULL;
  static const guint8 five[5] = { 192, 0, 2, 1, 9 };
  static const gchar *const expected[] = { "dns.malformed", "dns.counts-exceed-message", NULL };
  GVariant *rec;

  g_test_summary ("A response with an A record of 5 bytes and a header that counts "
                  "one answer more than it holds: both anomalies, and a record with "
                  "what could be read, marked incomplete.");
  dns_put_question (r, "www.example.org", T_A, C_IN);
  put_record (r, T_A, 60, addr4, sizeof addr4);
  put_record (r, T_A, 60, five, sizeof five);

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 1);
  rec = records->pdata[0];
  g_assert_cmpuint (field_id (rec), ==, 7);
  g_assert_cmpstr (field (rec, "qname"), ==, "www.example.org");
  g_assert_cmpuint (section_len (rec, "answers"), ==, 2);
  assert_entry (rec, "answers", 0, "www.example.org", "A", 60, "192.0.2.53");
  assert_entry (rec, "answers", 1, "www.example.org", "A", 60, "c000020109");
  g_assert_false (field_bool (rec, "complete"));
  assert_anomalies (h, expected);
}

static void
test_udp_label_loop (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 49152, 53);
  g_autoptr(GByteArray) r = dns_message_new (8, F_RESPONSE, 1, 1, 0, 0);
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.label-loop", NULL };

  dns_put_question (r, "loop.example", T_A, C_IN);
  /* An answer whose owner name points at itself. */
  dns_put_u16 (r, 0xc000 | r->len);
  dns_put_u16 (r, T_A);
  dns_put_u16 (r, C_IN);
  dns_put_u32 (r, 5);
  dns_put_u16 (r, sizeof addr4);
  g_byte_array_append (r, addr4, sizeof addr4);

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, r->data, r->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (field (records->pdata[0], "qname"), ==, "loop.example");
  g_assert_cmpuint (section_len (records->pdata[0], "answers"), ==, 1);
  g_assert_false (field_bool (records->pdata[0], "complete"));
  assert_anomalies (h, expected);
}

static void
test_udp_short (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 49152, 53);
  g_autoptr(GByteArray) q = query (9, "www.example.org", T_A);
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.truncated", NULL };

  g_test_summary ("After a query, a datagram shorter than a header gives an anomaly "
                  "and no record.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, q->data, q->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "\x00\x09\x81\x80\x00", 5);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 1);
  assert_anomalies (h, expected);
}

/* ---- TCP ------------------------------------------------------------------- */

/* Three messages, framed: a query, a CNAME chain, an AAAA answer. */
static GByteArray *
three_messages (gsize ends[3])
{
  GByteArray *stream = g_byte_array_new ();
  g_autoptr(GByteArray) m1 = query (0x0a01, "alias.example.net", T_A);
  g_autoptr(GByteArray) m2 = cname_response (0x0a01);
  g_autoptr(GByteArray) m3 = aaaa_response (0x0a02);

  append_framed (stream, m1);
  ends[0] = stream->len;
  append_framed (stream, m2);
  ends[1] = stream->len;
  append_framed (stream, m3);
  ends[2] = stream->len;
  return stream;
}

static void
check_three (GPtrArray *records)
{
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpuint (field_id (records->pdata[0]), ==, 0x0a01);
  g_assert_false (field_bool (records->pdata[0], "is_response"));
  g_assert_cmpstr (field (records->pdata[0], "qname"), ==, "alias.example.net");
  g_assert_cmpstr (field (records->pdata[0], "qtype"), ==, "A");
  g_assert_cmpstr (field (records->pdata[0], "transport"), ==, "tcp");

  g_assert_cmpuint (field_id (records->pdata[1]), ==, 0x0a01);
  g_assert_true (field_bool (records->pdata[1], "is_response"));
  g_assert_cmpuint (section_len (records->pdata[1], "answers"), ==, 2);
  assert_entry (records->pdata[1], "answers", 0, "alias.example.net", "CNAME", 60,
                "host.example.net");
  assert_entry (records->pdata[1], "answers", 1, "host.example.net", "A", 120, "192.0.2.53");
  g_assert_cmpstr (field (records->pdata[1], "name"), ==, "alias.example.net");

  g_assert_cmpuint (field_id (records->pdata[2]), ==, 0x0a02);
  assert_entry (records->pdata[2], "answers", 0, "www.example.org", "AAAA", 300, "2001:db8::53");
  for (guint i = 0; i < 3; i++)
    g_assert_true (field_bool (records->pdata[i], "complete"));
}

static void
test_tcp_one_push (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);
  g_autoptr(GPtrArray) records = NULL;

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, stream->len);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "dns");
  records = ntpac_harness_get_records (h, "dns");
  check_three (records);
  for (guint i = 0; i < 3; i++)
    assert_frames (records->pdata[i], 1, 1);
  assert_anomalies (h, no_anomalies);
}

static void
test_tcp_byte_by_byte (void)
{
  g_autoptr(NtpacHarness) whole = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);
  g_autoptr(GPtrArray) reference = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("The same three messages one byte per segment give the same "
                  "records, each with the frames of its own bytes.");
  ntpac_harness_push (whole, NTPAC_DIRECTION_DOWN, stream->data, stream->len);
  ntpac_harness_end (whole);
  for (gsize i = 0; i < stream->len; i++)
    ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data + i, 1);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "dns");
  reference = ntpac_harness_get_records (whole, "dns");
  records = ntpac_harness_get_records (h, "dns");
  check_three (records);
  for (guint i = 0; i < 3; i++)
    assert_same_record (records->pdata[i], reference->pdata[i]);
  /* frame n carries byte n - 1 */
  assert_frames (records->pdata[0], 1, ends[0]);
  assert_frames (records->pdata[1], ends[0] + 1, ends[1]);
  assert_frames (records->pdata[2], ends[1] + 1, ends[2]);
  assert_anomalies (h, no_anomalies);
}

static void
test_tcp_split_anywhere (void)
{
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);

  g_test_summary ("Every split of the stream into two segments gives the same "
                  "three records.");
  for (gsize cut = 1; cut < stream->len; cut++)
    {
      g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
      g_autoptr(GPtrArray) records = NULL;

      ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, cut);
      ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data + cut, stream->len - cut);
      ntpac_harness_end (h);
      records = ntpac_harness_get_records (h, "dns");
      check_three (records);
      g_assert_cmpuint (ntpac_harness_get_anomalies (h)->len, ==, 0);
    }
}

static void
test_tcp_other_port (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 8053);
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);
  g_autoptr(GPtrArray) records = NULL;

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, stream->data, 100);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, stream->data + 100, stream->len - 100);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  check_three (records);
}

static void
test_tcp_both_directions (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  g_autoptr(GByteArray) up = g_byte_array_new ();
  g_autoptr(GByteArray) down = g_byte_array_new ();
  g_autoptr(GByteArray) q = query (0x5151, "www.example.org", T_AAAA);
  g_autoptr(GByteArray) r = aaaa_response (0x5151);
  g_autoptr(GPtrArray) records = NULL;

  append_framed (up, q);
  append_framed (down, r);
  /* The query's prefix alone first, as some clients write it. */
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, up->data, 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, up->data + 2, up->len - 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, down->data, down->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_false (field_bool (records->pdata[0], "is_response"));
  assert_frames (records->pdata[0], 1, 2);
  g_assert_true (field_bool (records->pdata[1], "is_response"));
  assert_frames (records->pdata[1], 3, 3);
}

static void
test_tcp_gap (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);
  g_autoptr(GByteArray) q = query (0x7777, "www.example.org", T_A);
  g_autoptr(GByteArray) up = g_byte_array_new ();
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.gap", NULL };

  g_test_summary ("Bytes lost inside the second message: the first is recorded, "
                  "the rest of that direction is not read, the other direction is.");
  append_framed (up, q);
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_DOWN, stream->data, ends[0] + 10, 20,
                          stream->data + ends[0] + 30, stream->len - ends[0] - 30);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, ends[0]);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, up->data, up->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpuint (field_id (records->pdata[0]), ==, 0x0a01);
  g_assert_false (field_bool (records->pdata[0], "is_response"));
  g_assert_cmpuint (field_id (records->pdata[1]), ==, 0x7777);
  assert_anomalies (h, expected);
}

static void
test_tcp_zero_length (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GByteArray) m = aaaa_response (0x0101);
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.bad-length-prefix", NULL };

  append_framed (stream, m);
  dns_put_u16 (stream, 0);
  append_framed (stream, m);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, stream->len);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, stream->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 1);
  assert_anomalies (h, expected);
}

static void
test_tcp_cut_at_end (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  gsize ends[3];
  g_autoptr(GByteArray) stream = three_messages (ends);
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.truncated", NULL };

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, ends[1] + 5);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);
  assert_anomalies (h, expected);
}

static void
test_tcp_malformed (void)
{
  g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_TCP_STREAM, 49152, 53);
  g_autoptr(GByteArray) bad = dns_message_new (0x0bad, F_RESPONSE, 1, 1, 0, 0);
  g_autoptr(GByteArray) good = aaaa_response (0x0600);
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GPtrArray) records = NULL;
  static const gchar *const expected[] = { "dns.truncated", NULL };

  g_test_summary ("A message whose prefix is shorter than what its header counts: "
                  "a partial record and an anomaly, and the next message is read.");
  dns_put_question (bad, "cut.example.org", T_A, C_IN);
  dns_put_u16 (bad, 0xc000 | 12);
  dns_put_u16 (bad, T_A);
  append_framed (stream, bad);
  append_framed (stream, good);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, stream->data, stream->len);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "dns");
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpuint (field_id (records->pdata[0]), ==, 0x0bad);
  g_assert_cmpstr (field (records->pdata[0], "qname"), ==, "cut.example.org");
  g_assert_cmpuint (section_len (records->pdata[0], "answers"), ==, 0);
  g_assert_false (field_bool (records->pdata[0], "complete"));
  g_assert_cmpuint (field_id (records->pdata[1]), ==, 0x0600);
  g_assert_true (field_bool (records->pdata[1], "complete"));
  assert_anomalies (h, expected);
}

static void
test_udp_corrupt_on_port_53 (void)
{
  /* a query whose header counts 207 additional records it does not hold */
  g_autoptr(GByteArray) m = dns_message_new (0xb2d0, F_QUERY, 1, 0, 0, 207);

  g_test_summary ("On port 53 a datagram that fails the content checks is read "
                  "as DNS anyway, its damage reported; on another port it is "
                  "not taken for DNS.");
  dns_put_question (m, "sip.example.dk", 1, C_IN);
  {
    g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 2712, 53);
    g_autoptr(GPtrArray) records = NULL;
    GPtrArray *anomalies;

    ntpac_harness_push (h, NTPAC_DIRECTION_UP, m->data, m->len);
    ntpac_harness_end (h);
    records = ntpac_harness_get_records (h, "dns");
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_cmpstr (field (records->pdata[0], "qname"), ==, "sip.example.dk");
    g_assert_cmpuint (field_id (records->pdata[0]), ==, 0xb2d0);
    anomalies = ntpac_harness_get_anomalies (h);
    g_assert_cmpuint (anomalies->len, ==, 1);
    g_assert_cmpstr (anomalies->pdata[0], ==, "dns.counts-exceed-message");
  }
  {
    g_autoptr(NtpacHarness) h = dns_harness (NTPAC_DISSECT_INPUT_UDP_DATAGRAM, 2712, 5300);
    g_autoptr(GPtrArray) records = NULL;

    ntpac_harness_push (h, NTPAC_DIRECTION_UP, m->data, m->len);
    ntpac_harness_end (h);
    g_assert_null (ntpac_harness_get_protocol (h));
    records = ntpac_harness_get_records (h, "dns");
    g_assert_cmpuint (records->len, ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns/dissector/udp/port-53", test_udp_port_53);
  g_test_add_func ("/dns/dissector/udp/other-port", test_udp_other_port);
  g_test_add_func ("/dns/dissector/udp/nxdomain", test_udp_nxdomain);
  g_test_add_func ("/dns/dissector/udp/duplicate-response", test_udp_duplicate_response);
  g_test_add_func ("/dns/dissector/udp/not-dns", test_udp_not_dns);
  g_test_add_func ("/dns/dissector/udp/malformed", test_udp_malformed);
  g_test_add_func ("/dns/dissector/udp/label-loop", test_udp_label_loop);
  g_test_add_func ("/dns/dissector/udp/short", test_udp_short);
  g_test_add_func ("/dns/dissector/tcp/one-push", test_tcp_one_push);
  g_test_add_func ("/dns/dissector/tcp/byte-by-byte", test_tcp_byte_by_byte);
  g_test_add_func ("/dns/dissector/tcp/split-anywhere", test_tcp_split_anywhere);
  g_test_add_func ("/dns/dissector/tcp/other-port", test_tcp_other_port);
  g_test_add_func ("/dns/dissector/tcp/both-directions", test_tcp_both_directions);
  g_test_add_func ("/dns/dissector/tcp/gap", test_tcp_gap);
  g_test_add_func ("/dns/dissector/tcp/zero-length", test_tcp_zero_length);
  g_test_add_func ("/dns/dissector/tcp/cut-at-end", test_tcp_cut_at_end);
  g_test_add_func ("/dns/dissector/tcp/malformed", test_tcp_malformed);
  g_test_add_func ("/dns/dissector/udp/corrupt-on-port-53", test_udp_corrupt_on_port_53);
  return g_test_run ();
}
