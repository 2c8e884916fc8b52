/* test-dns-message.c: the DNS message parser, TCP framing and probe
 *
 * Every message is built byte by byte with the small writer below (which
 * knows nothing of the parser) and checked field by field: the header, the
 * first question, each record's name, type, TTL and data as text, the EDNS
 * description, whether the message was complete and the exact list of
 * anomalies.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "dns-test-writer.h"
#include "ntpac-dns-message.h"
#include "ntpac-record-builder.h"

#define T_A      1
#define T_NS     2
#define T_CNAME  5
#define T_SOA    6
#define T_NULL   10
#define T_PTR    12
#define T_MX     15
#define T_TXT    16
#define T_AAAA   28
#define T_SRV    33
#define T_DNAME  39
#define T_OPT    41
#define T_SVCB   64
#define T_HTTPS  65
#define T_CAA    257
#define T_ANY    255

#define C_IN     1
#define C_CH     3
#define C_NONE   254
#define C_ANY    255

/* Header flags: a response with AA, RD, RA; a query with RD. */
#define F_RESPONSE 0x8580
#define F_QUERY    0x0100

/* Where the labels of "www.example.org", the first question of every
 * message built by response_new(), start. */
#define OFF_WWW     12
#define OFF_EXAMPLE 16

/* ---- a message writer --------------------------------------------------- */

static void
put_rr (GByteArray *m,
        guint16     type,
        guint16     klass,
        guint32     ttl,
        const void *rdata,
        gsize       len)
{
  gsize start = dns_rr_begin (m, type, klass, ttl);

  dns_put_bytes (m, rdata, len);
  dns_rr_end (m, start);
}

/* A character string (length byte and bytes). */
static void
put_string (GByteArray *m,
            const void *bytes,
            gsize       len)
{
  dns_put_u8 (m, (guint8) len);
  dns_put_bytes (m, bytes, len);
}

/* A response to "www.example.org" of @qtype. */
static GByteArray *
response_new (guint16 flags,
              guint16 an,
              guint16 ns,
              guint16 ar,
              guint16 qtype)
{
  GByteArray *m = dns_message_new (0xbeef, flags, 1, an, ns, ar);

  dns_put_question (m, "www.example.org", qtype, C_IN);
  return m;
}

/* ---- parsing and checking ----------------------------------------------- */

typedef struct
{
  GVariant  *record;
  GPtrArray *anomalies;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->record, g_variant_unref);
  g_clear_pointer (&p->anomalies, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

static void
parse (Parsed       *p,
       const guint8 *data,
       gsize         len)
{
  parsed_clear (p);
  p->anomalies = g_ptr_array_new ();
  p->record = ntpac_dns_message_parse (data, len, p->anomalies);
  if (p->record != NULL)
    {
      g_assert_true (g_variant_is_floating (p->record));
      g_variant_ref_sink (p->record);
      g_assert_cmpstr (g_variant_get_type_string (p->record), ==, "a{sv}");
    }
}

static void
parse_msg (Parsed     *p,
           GByteArray *m)
{
  parse (p, m->data, m->len);
  g_assert_nonnull (p->record);
}

/* The anomalies, in order: a NULL-terminated list of ids. */
static void
assert_anomalies (const Parsed *p,
                  ...)
{
  va_list ap;
  const gchar *id;
  guint i = 0;

  va_start (ap, p);
  while ((id = va_arg (ap, const gchar *)) != NULL)
    {
      g_assert_cmpuint (i, <, p->anomalies->len);
      g_assert_cmpstr (p->anomalies->pdata[i], ==, id);
      i++;
    }
  va_end (ap);
  g_assert_cmpuint (p->anomalies->len, ==, i);
}

static void
assert_str (GVariant    *dict,
            const gchar *key,
            const gchar *expected)
{
  const gchar *value = NULL;

  g_assert_true (g_variant_lookup (dict, key, "&s", &value));
  g_assert_cmpstr (value, ==, expected);
}

static void
assert_bool (GVariant    *dict,
             const gchar *key,
             gboolean     expected)
{
  gboolean value;

  g_assert_true (g_variant_lookup (dict, key, "b", &value));
  g_assert_cmpint (value, ==, expected);
}

static void
assert_u16 (GVariant    *dict,
            const gchar *key,
            guint16      expected)
{
  guint16 value;

  g_assert_true (g_variant_lookup (dict, key, "q", &value));
  g_assert_cmpuint (value, ==, expected);
}

static void
assert_complete (const Parsed *p,
                 gboolean      expected)
{
  assert_bool (p->record, "complete", expected);
}

static guint
n_entries (GVariant    *record,
           const gchar *section)
{
  g_autoptr(GVariant) array = g_variant_lookup_value (record, section,
                                                      G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (array);
  return (guint) g_variant_n_children (array);
}

static void
assert_sizes (const Parsed *p,
              guint         qd,
              guint         an,
              guint         ns,
              guint         ar)
{
  g_assert_cmpuint (n_entries (p->record, "questions"), ==, qd);
  g_assert_cmpuint (n_entries (p->record, "answers"), ==, an);
  g_assert_cmpuint (n_entries (p->record, "authority"), ==, ns);
  g_assert_cmpuint (n_entries (p->record, "additional"), ==, ar);
}

static GVariant *
get_entry (GVariant    *record,
           const gchar *section,
           guint        index)
{
  g_autoptr(GVariant) array = g_variant_lookup_value (record, section,
                                                      G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (array);
  g_assert_cmpuint (index, <, g_variant_n_children (array));
  return g_variant_get_child_value (array, index);
}

/* Record @index of @section is exactly {name, type, ttl, data}. */
static void
assert_rr (const Parsed *p,
           const gchar  *section,
           guint         index,
           const gchar  *name,
           const gchar  *type,
           guint32       ttl,
           const gchar  *data)
{
  g_autoptr(GVariant) rr = get_entry (p->record, section, index);
  guint32 value;

  g_assert_cmpuint (g_variant_n_children (rr), ==, 4);
  assert_str (rr, "name", name);
  assert_str (rr, "type", type);
  g_assert_true (g_variant_lookup (rr, "ttl", "u", &value));
  g_assert_cmpuint (value, ==, ttl);
  assert_str (rr, "data", data);
}

static void
assert_data (const Parsed *p,
             const gchar  *section,
             guint         index,
             const gchar  *data)
{
  g_autoptr(GVariant) rr = get_entry (p->record, section, index);

  assert_str (rr, "data", data);
}

static void
assert_question (const Parsed *p,
                 guint         index,
                 const gchar  *name,
                 const gchar  *type,
                 const gchar  *klass)
{
  g_autoptr(GVariant) q = get_entry (p->record, "questions", index);

  g_assert_cmpuint (g_variant_n_children (q), ==, 3);
  assert_str (q, "name", name);
  assert_str (q, "type", type);
  assert_str (q, "class", klass);
}

/* The flags set, in order: a NULL-terminated list. */
static void
assert_flags (const Parsed *p,
              ...)
{
  g_autofree const gchar **flags = NULL;
  va_list ap;
  const gchar *flag;
  gsize n, i = 0;

  g_assert_true (g_variant_lookup (p->record, "flags", "^a&s", &flags));
  n = g_strv_length ((gchar **) flags);
  va_start (ap, p);
  while ((flag = va_arg (ap, const gchar *)) != NULL)
    {
      g_assert_cmpuint (i, <, n);
      g_assert_cmpstr (flags[i], ==, flag);
      i++;
    }
  va_end (ap);
  g_assert_cmpuint (n, ==, i);
}

static GVariant *
get_edns (const Parsed *p)
{
  return g_variant_lookup_value (p->record, "edns", G_VARIANT_TYPE_VARDICT);
}

/* ---- header and questions ----------------------------------------------- */

static void
test_query (void)
{
  g_autoptr(GByteArray) m = dns_message_new (0x1234, F_QUERY, 1, 0, 0, 0);
  g_autoptr(GVariant) edns = NULL;
  g_auto(Parsed) p = { 0 };

  dns_put_question (m, "www.example.org", T_A, C_IN);
  parse_msg (&p, m);
  assert_u16 (p.record, "id", 0x1234);
  assert_bool (p.record, "is_response", FALSE);
  assert_str (p.record, "opcode", "QUERY");
  assert_str (p.record, "rcode", "NOERROR");
  assert_str (p.record, "qname", "www.example.org");
  assert_str (p.record, "qtype", "A");
  assert_flags (&p, "rd", NULL);
  assert_sizes (&p, 1, 0, 0, 0);
  assert_question (&p, 0, "www.example.org", "A", "IN");
  edns = get_edns (&p);
  g_assert_null (edns);
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_whole_record (void)
{
  static const guint8 address[] = { 192, 0, 2, 1 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 1, 0, 0, T_A);
  g_autofree gchar *text = NULL;
  g_auto(Parsed) p = { 0 };

  g_test_summary ("The whole record of a simple response, keys, order and "
                  "GVariant types included");
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 300, address, sizeof address);
  parse_msg (&p, m);
  text = g_variant_print (p.record, TRUE);
  g_assert_cmpstr (text, ==,
                   "{'id': <uint16 48879>, 'is_response': <true>, "
                   "'opcode': <'QUERY'>, 'rcode': <'NOERROR'>, "
                   "'flags': <['aa', 'rd', 'ra']>, "
                   "'qname': <'www.example.org'>, 'qtype': <'A'>, "
                   "'questions': <[{'name': <'www.example.org'>, "
                   "'type': <'A'>, 'class': <'IN'>}]>, "
                   "'answers': <[{'name': <'www.example.org'>, 'type': <'A'>, "
                   "'ttl': <uint32 300>, 'data': <'192.0.2.1'>}]>, "
                   "'authority': <@aa{sv} []>, 'additional': <@aa{sv} []>, "
                   "'complete': <true>}");
  assert_anomalies (&p, NULL);
}

static void
test_all_flags (void)
{
  g_autoptr(GByteArray) m = dns_message_new (1, 0x87f0, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };

  g_test_summary ("Every header flag, the reserved Z bit included");
  dns_put_question (m, ".", T_NS, C_IN);
  parse_msg (&p, m);
  assert_flags (&p, "aa", "tc", "rd", "ra", "z", "ad", "cd", NULL);
  assert_bool (p.record, "is_response", TRUE);
  assert_str (p.record, "qname", ".");
  assert_str (p.record, "qtype", "NS");
}

static void
test_opcodes_rcodes (void)
{
  static const struct { guint opcode; const gchar *name; } opcodes[] = {
    { 0, "QUERY" }, { 1, "IQUERY" }, { 2, "STATUS" }, { 3, "3" },
    { 4, "NOTIFY" }, { 5, "UPDATE" }, { 6, "DSO" }, { 7, "7" }, { 15, "15" },
  };
  static const gchar *const rcodes[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
    "12", "13", "14", "15",
  };

  for (guint i = 0; i < G_N_ELEMENTS (opcodes); i++)
    {
      g_autoptr(GByteArray) m = dns_message_new (1, (guint16) (opcodes[i].opcode << 11), 0, 0, 0, 0);
      g_auto(Parsed) p = { 0 };

      parse_msg (&p, m);
      assert_str (p.record, "opcode", opcodes[i].name);
      assert_str (p.record, "qname", "");
      assert_str (p.record, "qtype", "");
      assert_complete (&p, TRUE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rcodes); i++)
    {
      g_autoptr(GByteArray) m = dns_message_new (1, (guint16) (0x8000 | i), 0, 0, 0, 0);
      g_auto(Parsed) p = { 0 };

      parse_msg (&p, m);
      assert_str (p.record, "rcode", rcodes[i]);
    }
}

static void
test_types_classes (void)
{
  static const guint8 blob[] = { 0xde, 0xad, 0xbe, 0xef };
  g_autoptr(GByteArray) m = dns_message_new (7, F_RESPONSE, 4, 2, 0, 0);
  g_auto(Parsed) p = { 0 };

  g_test_summary ("Unknown types and classes as RFC 3597 names; data of "
                  "types without a text form in hex");
  dns_put_question (m, "example.org", 65280, C_IN);
  dns_put_question (m, "version.bind", T_TXT, C_CH);
  dns_put_question (m, "example.org", 255, C_ANY);
  dns_put_question (m, "example.org", 52, 42);
  dns_put_name (m, "example.org");
  put_rr (m, 65280, C_IN, 1, blob, sizeof blob);
  dns_put_name (m, "example.org");
  put_rr (m, T_NULL, C_IN, 2, blob, 2);
  parse_msg (&p, m);
  assert_str (p.record, "qname", "example.org");
  assert_str (p.record, "qtype", "TYPE65280");
  assert_question (&p, 0, "example.org", "TYPE65280", "IN");
  assert_question (&p, 1, "version.bind", "TXT", "CH");
  assert_question (&p, 2, "example.org", "ANY", "ANY");
  assert_question (&p, 3, "example.org", "TLSA", "CLASS42");
  assert_rr (&p, "answers", 0, "example.org", "TYPE65280", 1, "deadbeef");
  assert_rr (&p, "answers", 1, "example.org", "NULL", 2, "dead");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

/* ---- record data -------------------------------------------------------- */

static void
test_rdata_addresses (void)
{
  static const guint8 a[] = { 93, 184, 216, 34 };
  static const guint8 aaaa[] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
  };
  static const guint8 mapped[] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1,
  };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 3, 0, 0, T_A);
  g_auto(Parsed) p = { 0 };

  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 300, a, sizeof a);
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_AAAA, C_IN, 301, aaaa, sizeof aaaa);
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_AAAA, C_IN, 0xffffffff, mapped, sizeof mapped);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 3, 0, 0);
  assert_rr (&p, "answers", 0, "www.example.org", "A", 300, "93.184.216.34");
  assert_rr (&p, "answers", 1, "www.example.org", "AAAA", 301, "2001:db8::1");
  assert_rr (&p, "answers", 2, "www.example.org", "AAAA", 0xffffffff, "::ffff:192.0.2.1");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_rdata_names (void)
{
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 4, 0, 0, T_CNAME);
  g_auto(Parsed) p = { 0 };
  gsize start;

  g_test_summary ("CNAME, NS, PTR and DNAME data are names, compressed or "
                  "not");
  dns_put_ptr (m, OFF_WWW);
  start = dns_rr_begin (m, T_CNAME, C_IN, 60);
  dns_put_label (m, "cdn");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_NS, C_IN, 61);
  dns_put_label (m, "ns1");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name (m, "1.2.0.192.in-addr.arpa");
  start = dns_rr_begin (m, T_PTR, C_IN, 62);
  dns_put_ptr (m, OFF_WWW);
  dns_rr_end (m, start);
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_DNAME, C_IN, 63);
  dns_put_name (m, "example.net");
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "www.example.org", "CNAME", 60, "cdn.example.org");
  assert_rr (&p, "answers", 1, "example.org", "NS", 61, "ns1.example.org");
  assert_rr (&p, "answers", 2, "1.2.0.192.in-addr.arpa", "PTR", 62, "www.example.org");
  assert_rr (&p, "answers", 3, "example.org", "DNAME", 63, "example.net");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_rdata_mx_srv (void)
{
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_MX);
  g_auto(Parsed) p = { 0 };
  gsize start;

  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_MX, C_IN, 3600);
  dns_put_u16 (m, 10);
  dns_put_label (m, "mail");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_rr_end (m, start);
  dns_put_name (m, "_sip._tcp.example.org");
  start = dns_rr_begin (m, T_SRV, C_IN, 86400);
  dns_put_u16 (m, 10);
  dns_put_u16 (m, 60);
  dns_put_u16 (m, 5060);
  dns_put_name (m, "sip.example.org");
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "example.org", "MX", 3600, "10 mail.example.org");
  assert_rr (&p, "answers", 1, "_sip._tcp.example.org", "SRV", 86400,
             "10 60 5060 sip.example.org");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_rdata_txt (void)
{
  static const guint8 binary[] = { 0x00, 0x7f, 0xc3, 0xa9 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_TXT);
  g_auto(Parsed) p = { 0 };
  gsize start;

  g_test_summary ("TXT strings quoted and separated by spaces as dig shows "
                  "them: quotes and backslashes escaped, bytes outside "
                  "printable ASCII as \\DDD, empty strings kept");
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_TXT, C_IN, 300);
  put_string (m, "v=spf1 -all", 11);
  put_string (m, "a \"quoted\" \\ back", 17);
  put_string (m, binary, sizeof binary);
  put_string (m, "", 0);
  dns_rr_end (m, start);
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, 99, C_IN, 300);
  put_string (m, "spf", 3);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "example.org", "TXT", 300,
             "\"v=spf1 -all\" \"a \\\"quoted\\\" \\\\ back\" "
             "\"\\000\\127\\195\\169\" \"\"");
  assert_rr (&p, "answers", 1, "example.org", "SPF", 300, "\"spf\"");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_rdata_soa (void)
{
  g_autoptr(GByteArray) m = response_new (0x8183, 0, 1, 0, T_A);
  g_auto(Parsed) p = { 0 };
  gsize start;

  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_SOA, C_IN, 900);
  dns_put_label (m, "ns1");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_put_label (m, "hostmaster");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_put_u32 (m, 2024010101);
  dns_put_u32 (m, 7200);
  dns_put_u32 (m, 3600);
  dns_put_u32 (m, 1209600);
  dns_put_u32 (m, 300);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_str (p.record, "rcode", "NXDOMAIN");
  assert_sizes (&p, 1, 0, 1, 0);
  assert_rr (&p, "authority", 0, "example.org", "SOA", 900,
             "ns1.example.org hostmaster.example.org 2024010101 7200 3600 "
             "1209600 300");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_rdata_caa (void)
{
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_CAA);
  g_auto(Parsed) p = { 0 };
  gsize start;

  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_CAA, C_IN, 300);
  dns_put_u8 (m, 0);
  put_string (m, "issue", 5);
  dns_put_bytes (m, "letsencrypt.org", 15);
  dns_rr_end (m, start);
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_CAA, C_IN, 300);
  dns_put_u8 (m, 128);
  put_string (m, "iodef", 5);
  dns_put_bytes (m, "mailto:\"sec\"@example.org", 24);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "example.org", "CAA", 300, "0 issue \"letsencrypt.org\"");
  assert_rr (&p, "answers", 1, "example.org", "CAA", 300,
             "128 iodef \"mailto:\\\"sec\\\"@example.org\"");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
put_svc_param (GByteArray *m,
               guint16     key,
               const void *value,
               gsize       len)
{
  dns_put_u16 (m, key);
  dns_put_u16 (m, (guint16) len);
  dns_put_bytes (m, value, len);
}

static void
test_rdata_svcb (void)
{
  static const guint8 mandatory[] = { 0, 1, 0, 4 };
  static const guint8 alpn[] = { 2, 'h', '2', 2, 'h', '3', 3, 'a', ',', 'b' };
  static const guint8 port[] = { 0x20, 0xfb };
  static const guint8 ipv4[] = { 192, 0, 2, 1, 192, 0, 2, 2 };
  static const guint8 ech[] = { 0x00, 0x01, 0x02 };
  static const guint8 ipv6[] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
  };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_HTTPS);
  g_auto(Parsed) p = { 0 };
  gsize start;

  g_test_summary ("HTTPS in service mode with every registered key and an "
                  "unknown one; SVCB in alias mode");
  dns_put_ptr (m, OFF_WWW);
  start = dns_rr_begin (m, T_HTTPS, C_IN, 300);
  dns_put_u16 (m, 1);
  dns_put_name (m, ".");
  put_svc_param (m, 0, mandatory, sizeof mandatory);
  put_svc_param (m, 1, alpn, sizeof alpn);
  put_svc_param (m, 2, NULL, 0);
  put_svc_param (m, 3, port, sizeof port);
  put_svc_param (m, 4, ipv4, sizeof ipv4);
  put_svc_param (m, 5, ech, sizeof ech);
  put_svc_param (m, 6, ipv6, sizeof ipv6);
  put_svc_param (m, 7, "/q{?dns}", 8);
  put_svc_param (m, 8, NULL, 0);
  put_svc_param (m, 65000, "x", 1);
  put_svc_param (m, 65001, NULL, 0);
  dns_rr_end (m, start);
  dns_put_name (m, "_dns.example.org");
  start = dns_rr_begin (m, T_SVCB, C_IN, 300);
  dns_put_u16 (m, 0);
  dns_put_label (m, "svc");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "www.example.org", "HTTPS", 300,
             "1 . mandatory=alpn,ipv4hint alpn=\"h2,h3,a\\,b\" no-default-alpn "
             "port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AAEC "
             "ipv6hint=2001:db8::1 dohpath=\"/q{?dns}\" ohttp key65000=\"x\" "
             "key65001");
  assert_rr (&p, "answers", 1, "_dns.example.org", "SVCB", 300, "0 svc.example.org");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

/* One record of @type with @rdata, after a first valid A record, then
 * another valid A record: the broken one must not stop the parse. */
static void
check_bad_rdata (guint16       type,
                 const guint8 *rdata,
                 gsize         len,
                 const gchar  *hex)
{
  static const guint8 a[] = { 192, 0, 2, 9 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 3, 0, 0, T_A);
  g_auto(Parsed) p = { 0 };

  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 1, a, sizeof a);
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, type, C_IN, 2, rdata, len);
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 3, a, sizeof a);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 3, 0, 0);
  assert_rr (&p, "answers", 0, "www.example.org", "A", 1, "192.0.2.9");
  assert_data (&p, "answers", 1, hex);
  assert_rr (&p, "answers", 2, "www.example.org", "A", 3, "192.0.2.9");
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_MALFORMED, NULL);
}

static void
test_rdata_malformed (void)
{
  static const guint8 a5[] = { 1, 2, 3, 4, 5 };
  static const guint8 aaaa4[] = { 1, 2, 3, 4 };
  static const guint8 mx_trailing[] = { 0, 10, 1, 'm', 0, 0xaa };
  static const guint8 mx_short[] = { 0 };
  static const guint8 txt_overrun[] = { 5, 'a', 'b' };
  static const guint8 txt_empty[] = { 0 };
  static const guint8 cname_past_rdlength[] = { 5, 'a', 'b', 'c' };
  static const guint8 soa_short[] = { 0, 0, 0, 0, 0, 1 };
  static const guint8 srv_short[] = { 0, 1, 0, 2 };
  static const guint8 caa_no_tag[] = { 0, 0, 'x' };
  static const guint8 svcb_order[] = { 0, 1, 0, 0, 3, 0, 2, 0, 1, 0, 1, 0, 1, 'x' };
  static const guint8 svcb_port3[] = { 0, 1, 0, 0, 3, 0, 3, 1, 2, 3 };
  static const guint8 svcb_overrun[] = { 0, 1, 0, 0, 3, 0, 9, 1 };
  static const guint8 svcb_ipv4[] = { 0, 1, 0, 0, 4, 0, 3, 1, 2, 3 };
  static const guint8 svcb_alpn_empty_id[] = { 0, 1, 0, 0, 1, 0, 1, 0 };
  static const guint8 svcb_no_default_value[] = { 0, 1, 0, 0, 2, 0, 1, 0 };

  g_test_summary ("Data that does not fit its type is shown in hex, "
                  "reported once as malformed, and the next record is read");
  check_bad_rdata (T_A, a5, sizeof a5, "0102030405");
  check_bad_rdata (T_A, NULL, 0, "");
  check_bad_rdata (T_AAAA, aaaa4, sizeof aaaa4, "01020304");
  check_bad_rdata (T_MX, mx_trailing, sizeof mx_trailing, "000a016d00aa");
  check_bad_rdata (T_MX, mx_short, sizeof mx_short, "00");
  check_bad_rdata (T_TXT, txt_overrun, sizeof txt_overrun, "056162");
  check_bad_rdata (T_TXT, NULL, 0, "");
  check_bad_rdata (T_TXT, txt_empty, 0, "");
  check_bad_rdata (T_CNAME, cname_past_rdlength, sizeof cname_past_rdlength, "05616263");
  check_bad_rdata (T_SOA, soa_short, sizeof soa_short, "000000000001");
  check_bad_rdata (T_SRV, srv_short, sizeof srv_short, "00010002");
  check_bad_rdata (T_CAA, caa_no_tag, sizeof caa_no_tag, "000078");
  check_bad_rdata (T_SVCB, svcb_order, sizeof svcb_order, "0001000003000200010001000178");
  check_bad_rdata (T_HTTPS, svcb_port3, sizeof svcb_port3, "00010000030003010203");
  check_bad_rdata (T_HTTPS, svcb_overrun, sizeof svcb_overrun, "0001000003000901");
  check_bad_rdata (T_HTTPS, svcb_ipv4, sizeof svcb_ipv4, "00010000040003010203");
  check_bad_rdata (T_HTTPS, svcb_alpn_empty_id, sizeof svcb_alpn_empty_id, "0001000001000100");
  check_bad_rdata (T_HTTPS, svcb_no_default_value, sizeof svcb_no_default_value,
                   "0001000002000100");
}

/* Entry @index of an UPDATE's @section is exactly {name, type, class,
 * ttl, data}. */
static void
assert_update_rr (const Parsed *p,
                  const gchar  *section,
                  guint         index,
                  const gchar  *name,
                  const gchar  *type,
                  const gchar  *klass,
                  guint32       ttl,
                  const gchar  *data)
{
  g_autoptr(GVariant) rr = get_entry (p->record, section, index);
  guint32 value;

  g_assert_cmpuint (g_variant_n_children (rr), ==, 5);
  assert_str (rr, "name", name);
  assert_str (rr, "type", type);
  assert_str (rr, "class", klass);
  g_assert_true (g_variant_lookup (rr, "ttl", "u", &value));
  g_assert_cmpuint (value, ==, ttl);
  assert_str (rr, "data", data);
}

static void
test_update (void)
{
  static const guint8 a[] = { 192, 0, 2, 7 };
  static const guint8 a2[] = { 192, 0, 2, 8 };
  g_autoptr(GByteArray) m = dns_message_new (0x4242, 0x2800, 1, 2, 3, 0);
  g_autoptr(GByteArray) r = dns_message_new (0x4242, 0xa800, 1, 0, 0, 0);
  g_autoptr(GByteArray) q = dns_message_new (0x4243, F_QUERY, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };
  g_auto(Parsed) pr = { 0 };
  g_auto(Parsed) pq = { 0 };
  g_autoptr(GVariant) answers = NULL;
  g_autoptr(GVariant) authority = NULL;

  g_test_summary ("UPDATE (RFC 2136): the zone is `zone` (and `qname`), the "
                  "prerequisite and update sections are `prerequisites` and "
                  "`updates`; a deletion or a prerequisite has class ANY or "
                  "NONE and no data, which is not malformed");
  dns_put_question (m, "example.org", T_SOA, C_IN);
  /* prerequisites: www has an A RRset (§2.4.1), new is not in use (§2.4.5) */
  dns_put_labels (m, "www");
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_ANY, 0, NULL, 0);
  dns_put_labels (m, "new");
  dns_put_ptr (m, 12);
  put_rr (m, T_ANY, C_NONE, 0, NULL, 0);
  /* updates: delete www's A RRset, add two A records (§2.5) */
  dns_put_labels (m, "www");
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_ANY, 0, NULL, 0);
  dns_put_labels (m, "www");
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_IN, 300, a, sizeof a);
  dns_put_labels (m, "new");
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_IN, 300, a2, sizeof a2);
  parse_msg (&p, m);
  assert_str (p.record, "opcode", "UPDATE");
  assert_str (p.record, "zone", "example.org");
  assert_str (p.record, "qname", "example.org");
  assert_str (p.record, "qtype", "SOA");
  assert_question (&p, 0, "example.org", "SOA", "IN");
  g_assert_cmpuint (n_entries (p.record, "questions"), ==, 1);
  g_assert_cmpuint (n_entries (p.record, "prerequisites"), ==, 2);
  g_assert_cmpuint (n_entries (p.record, "updates"), ==, 3);
  g_assert_cmpuint (n_entries (p.record, "additional"), ==, 0);
  answers = g_variant_lookup_value (p.record, "answers", NULL);
  authority = g_variant_lookup_value (p.record, "authority", NULL);
  g_assert_null (answers);
  g_assert_null (authority);
  assert_update_rr (&p, "prerequisites", 0, "www.example.org", "A", "ANY", 0, "");
  assert_update_rr (&p, "prerequisites", 1, "new.example.org", "ANY", "NONE", 0, "");
  assert_update_rr (&p, "updates", 0, "www.example.org", "A", "ANY", 0, "");
  assert_update_rr (&p, "updates", 1, "www.example.org", "A", "IN", 300, "192.0.2.7");
  assert_update_rr (&p, "updates", 2, "new.example.org", "A", "IN", 300, "192.0.2.8");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);

  /* the server's answer repeats the zone */
  dns_put_question (r, "example.org", T_SOA, C_IN);
  parse_msg (&pr, r);
  assert_bool (pr.record, "is_response", TRUE);
  assert_str (pr.record, "zone", "example.org");
  g_assert_cmpuint (n_entries (pr.record, "prerequisites"), ==, 0);
  g_assert_cmpuint (n_entries (pr.record, "updates"), ==, 0);
  assert_anomalies (&pr, NULL);

  /* other opcodes have no zone */
  dns_put_question (q, "example.org", T_SOA, C_IN);
  parse_msg (&pq, q);
  g_assert_false (g_variant_lookup (pq.record, "zone", "&s", NULL));
  assert_sizes (&pq, 1, 0, 0, 0);
}

/* ---- names -------------------------------------------------------------- */

static void
test_name_escapes (void)
{
  static const guint8 name[] = {
    3, 'a', '.', 'b', 6, 's', 'p', ' ', 'a', 'c', 'e', 1, 0xff,
    10, 'b', 'a', 'c', 'k', '\\', 's', 'l', 'a', 's', 'h',
    8, '@', '$', '(', ')', ';', '"', 0x7f, '~', 0,
  };
  g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };

  g_test_summary ("Names as dig shows them: master-file specials "
                  "backslash-escaped, other bytes outside printable ASCII "
                  "as \\DDD");
  dns_put_bytes (m, name, sizeof name);
  dns_put_u16 (m, T_A);
  dns_put_u16 (m, C_IN);
  parse_msg (&p, m);
  assert_str (p.record, "qname",
              "a\\.b.sp\\032ace.\\255.back\\\\slash.\\@\\$\\(\\)\\;\\\"\\127~");
  assert_anomalies (&p, NULL);
}

static void
test_compression_chain (void)
{
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_MX);
  g_auto(Parsed) p = { 0 };
  gsize mail;
  gsize start;

  g_test_summary ("A pointer to a name that itself ends in a pointer");
  mail = m->len;
  dns_put_label (m, "mail");
  dns_put_ptr (m, OFF_EXAMPLE);
  put_rr (m, T_NULL, C_IN, 0, NULL, 0);
  dns_put_label (m, "smtp");
  dns_put_ptr (m, mail);
  start = dns_rr_begin (m, T_CNAME, C_IN, 5);
  dns_put_label (m, "x");
  dns_put_ptr (m, mail);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "answers", 0, "mail.example.org", "NULL", 0, "");
  assert_rr (&p, "answers", 1, "smtp.mail.example.org", "CNAME", 5, "x.mail.example.org");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

/* A response whose first answer is owned by @owner (bytes at offset 33),
 * followed by an A record that must still be read. */
static void
check_bad_owner (const guint8 *owner,
                 gsize         len,
                 const gchar  *name,
                 const gchar  *anomaly)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_A);
  g_auto(Parsed) p = { 0 };

  g_assert_cmpuint (m->len, ==, 33);
  dns_put_bytes (m, owner, len);
  put_rr (m, T_A, C_IN, 7, a, sizeof a);
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 8, a, sizeof a);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 2, 0, 0);
  assert_rr (&p, "answers", 0, name, "A", 7, "192.0.2.1");
  assert_rr (&p, "answers", 1, "www.example.org", "A", 8, "192.0.2.1");
  assert_complete (&p, FALSE);
  assert_anomalies (&p, anomaly, NULL);
}

static void
test_compression_loop (void)
{
  static const guint8 self[] = { 0xc0, 33 };
  static const guint8 label_then_start[] = { 1, 'a', 0xc0, 33 };
  static const guint8 into_pointer[] = { 1, 'a', 0xc0, 36 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 2, 0, 0, T_A);
  g_autofree gchar *hex = NULL;
  g_auto(Parsed) p = { 0 };
  gsize q, r;

  g_test_summary ("Pointers back into the name being read: to itself, to "
                  "the name's start, into its own pointer, and two names "
                  "pointing at each other");
  check_bad_owner (self, sizeof self, "", NTPAC_DNS_ANOMALY_LABEL_LOOP);
  check_bad_owner (label_then_start, sizeof label_then_start, "a",
                   NTPAC_DNS_ANOMALY_LABEL_LOOP);
  check_bad_owner (into_pointer, sizeof into_pointer, "a",
                   NTPAC_DNS_ANOMALY_LABEL_LOOP);

  /* Q (a record's data) points at R, and R (the next owner) at Q: reading
   * R, Q's pointer leads back into R. */
  dns_put_name (m, ".");
  q = dns_rr_begin (m, T_NULL, C_IN, 0);
  r = q + 2;
  dns_put_ptr (m, r);
  dns_rr_end (m, q);
  g_assert_cmpuint (m->len, ==, r);
  dns_put_ptr (m, q);
  put_rr (m, T_A, C_IN, 1, "\x01\x02\x03\x04", 4);
  parse_msg (&p, m);
  hex = g_strdup_printf ("c0%02x", (guint) r);
  assert_sizes (&p, 1, 2, 0, 0);
  assert_rr (&p, "answers", 0, ".", "NULL", 0, hex);
  assert_rr (&p, "answers", 1, "", "A", 1, "1.2.3.4");
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_LABEL_LOOP, NULL);
}

static void
test_compression_bad_pointer (void)
{
  static const guint8 forward[] = { 0xc0, 60 };
  static const guint8 label_then_forward[] = { 1, 'a', 0xc0, 60 };
  static const guint8 past_end[] = { 0xc0, 0xff };
  static const guint8 far_past_end[] = { 0xff, 0xff };
  static const guint8 into_header[] = { 0xc0, 4 };
  static const guint8 truncated_target[] = { 0xc0, 3 };

  g_test_summary ("Pointers forwards, past the end of the message or into "
                  "the header: the name is lost, the record is kept");
  check_bad_owner (forward, sizeof forward, "", NTPAC_DNS_ANOMALY_BAD_POINTER);
  check_bad_owner (label_then_forward, sizeof label_then_forward, "a",
                   NTPAC_DNS_ANOMALY_BAD_POINTER);
  check_bad_owner (past_end, sizeof past_end, "", NTPAC_DNS_ANOMALY_BAD_POINTER);
  check_bad_owner (far_past_end, sizeof far_past_end, "", NTPAC_DNS_ANOMALY_BAD_POINTER);
  check_bad_owner (into_header, sizeof into_header, "", NTPAC_DNS_ANOMALY_BAD_POINTER);
  check_bad_owner (truncated_target, sizeof truncated_target, "",
                   NTPAC_DNS_ANOMALY_BAD_POINTER);
}

static void
test_compression_target_runs_out (void)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  static const guint8 label63[] = { 63 };
  g_autoptr(GByteArray) m = dns_message_new (1, F_RESPONSE, 0, 2, 0, 0);
  g_auto(Parsed) p = { 0 };
  gsize target;

  g_test_summary ("A pointer backwards to bytes that start a label running "
                  "past the end of the message");
  dns_put_name (m, ".");
  target = dns_rr_begin (m, T_NULL, C_IN, 0);
  dns_put_bytes (m, label63, 1);
  dns_rr_end (m, target);
  dns_put_ptr (m, target);
  put_rr (m, T_A, C_IN, 9, a, sizeof a);
  g_assert_cmpuint (m->len, <, target + 64);
  parse_msg (&p, m);
  assert_sizes (&p, 0, 2, 0, 0);
  assert_rr (&p, "answers", 0, ".", "NULL", 0, "3f");
  assert_rr (&p, "answers", 1, "", "A", 9, "192.0.2.1");
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_POINTER, NULL);
}

/* A name reached through @n_pointers pointers: an owner pointer into a
 * chain of pointers, each to the one before, the first to "x". */
static void
check_pointer_chain (guint n_pointers)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  g_autoptr(GByteArray) m = dns_message_new (1, F_RESPONSE, 0, 2, 0, 0);
  g_autoptr(GVariant) rr = NULL;
  g_auto(Parsed) p = { 0 };
  gsize previous = 12;
  gsize start;

  dns_put_name (m, "x");
  start = dns_rr_begin (m, T_NULL, C_IN, 0);
  for (guint i = 0; i < n_pointers - 1; i++)
    {
      gsize here = m->len;

      dns_put_ptr (m, previous);
      previous = here;
    }
  dns_rr_end (m, start);
  dns_put_ptr (m, previous);
  put_rr (m, T_A, C_IN, 1, a, sizeof a);
  parse_msg (&p, m);
  assert_sizes (&p, 0, 2, 0, 0);
  rr = get_entry (p.record, "answers", 0);
  assert_str (rr, "name", "x");
  if (n_pointers <= NTPAC_DNS_MAX_POINTERS)
    {
      assert_rr (&p, "answers", 1, "x", "A", 1, "192.0.2.1");
      assert_complete (&p, TRUE);
      assert_anomalies (&p, NULL);
    }
  else
    {
      assert_rr (&p, "answers", 1, "", "A", 1, "192.0.2.1");
      assert_complete (&p, FALSE);
      assert_anomalies (&p, NTPAC_DNS_ANOMALY_TOO_MANY_POINTERS, NULL);
    }
}

/* A question "x", then an answer whose data is a chain of @depth - 1
 * pointers ending at it, then @n answers owned by the chain's last
 * pointer: each of their names takes @depth pointers. */
static GByteArray *
chained_names_new (guint depth,
                   guint n)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  GByteArray *m = dns_message_new (1, F_RESPONSE, 1, 1 + n, 0, 0);
  gsize previous = 12;
  gsize start;

  dns_put_question (m, "x", T_A, C_IN);
  dns_put_ptr (m, 12);
  start = dns_rr_begin (m, T_NULL, C_IN, 0);
  for (guint i = 0; i < depth - 1; i++)
    {
      gsize here = m->len;

      dns_put_ptr (m, previous);
      previous = here;
    }
  dns_rr_end (m, start);
  for (guint i = 0; i < n; i++)
    {
      dns_put_ptr (m, previous);
      put_rr (m, T_A, C_IN, 1, a, sizeof a);
    }
  return m;
}

static void
test_decompression_cap (void)
{
  g_autoptr(GByteArray) honest = chained_names_new (2, 2000);
  g_autoptr(GByteArray) m = chained_names_new (NTPAC_DNS_MAX_POINTERS, 2000);
  g_auto(Parsed) p = { 0 };
  guint steps;

  g_test_summary ("Many names each through 64 pointers: the names of the message take "
                  "no more than 4096 steps plus one a byte, dns.decompression-cap says so, "
                  "and the records after it keep everything but their names");
  parse_msg (&p, honest);
  assert_anomalies (&p, NULL);
  assert_rr (&p, "answers", 2000, "x", "A", 1, "192.0.2.1");
  g_assert_cmpuint (ntpac_dns_message_count_name_steps (honest->data, honest->len), <=,
                    4 * 2001 + 2);

  parse_msg (&p, m);
  steps = ntpac_dns_message_count_name_steps (m->data, m->len);
  /* uncapped, 2000 names of 66 steps each */
  g_assert_cmpuint (steps, <=, NTPAC_DNS_MAX_NAME_STEPS (m->len) + 1);
  g_assert_cmpuint (NTPAC_DNS_MAX_NAME_STEPS (m->len), <, 2000 * 66 / 2);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_DECOMPRESSION_CAP, NULL);
  assert_complete (&p, FALSE);
  assert_sizes (&p, 1, 2001, 0, 0);
  assert_rr (&p, "answers", 1, "x", "A", 1, "192.0.2.1");
  assert_rr (&p, "answers", 2000, "", "A", 1, "192.0.2.1");
}

static void
test_compression_depth (void)
{
  g_test_summary ("64 pointers in one name are followed, 65 are not, even "
                  "though each points further back");
  check_pointer_chain (1);
  check_pointer_chain (NTPAC_DNS_MAX_POINTERS);
  check_pointer_chain (NTPAC_DNS_MAX_POINTERS + 1);
  check_pointer_chain (200);
}

/* A query for a name of labels of the given lengths (0-terminated), each
 * label filled with its own letter. */
static GByteArray *
query_with_labels (const guint *lengths,
                   GString     *text)
{
  GByteArray *m = dns_message_new (1, F_QUERY, 1, 0, 0, 0);

  for (guint i = 0; lengths[i] != 0; i++)
    {
      dns_put_u8 (m, (guint8) lengths[i]);
      if (i > 0)
        g_string_append_c (text, '.');
      for (guint j = 0; j < lengths[i]; j++)
        {
          dns_put_u8 (m, (guint8) ('a' + i));
          g_string_append_c (text, (gchar) ('a' + i));
        }
    }
  dns_put_u8 (m, 0);
  dns_put_u16 (m, T_A);
  dns_put_u16 (m, C_IN);
  return m;
}

static void
test_label_length (void)
{
  static const guint l63[] = { 63, 3, 0 };
  static const guint l64[] = { 64, 3, 0 };
  static const guint l128[] = { 2, 128, 0 };

  g_test_summary ("A 63-byte label is read; a 64-byte one (or any length "
                  "byte 0x40-0xbf) is not, and where the name ends is lost");
  {
    g_autoptr(GString) text = g_string_new (NULL);
    g_autoptr(GByteArray) m = query_with_labels (l63, text);
    g_auto(Parsed) p = { 0 };

    parse_msg (&p, m);
    g_assert_cmpuint (text->len, ==, 67);
    assert_str (p.record, "qname", text->str);
    assert_complete (&p, TRUE);
    assert_anomalies (&p, NULL);
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GByteArray) m = query_with_labels (i == 0 ? l64 : l128, text);
      g_auto(Parsed) p = { 0 };

      parse_msg (&p, m);
      assert_str (p.record, "qname", "");
      assert_str (p.record, "qtype", "");
      assert_sizes (&p, 0, 0, 0, 0);
      assert_complete (&p, FALSE);
      assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_LABEL, NULL);
    }
}

static void
test_name_length (void)
{
  static const guint l255[] = { 63, 63, 63, 61, 0 };
  static const guint l256[] = { 63, 63, 63, 62, 0 };

  g_test_summary ("A name of 255 bytes in wire form is read; one of 256 is "
                  "reported and kept without the label that does not fit, and "
                  "the message is read on");
  {
    g_autoptr(GString) text = g_string_new (NULL);
    g_autoptr(GByteArray) m = query_with_labels (l255, text);
    g_auto(Parsed) p = { 0 };

    parse_msg (&p, m);
    g_assert_cmpuint (text->len, ==, 253);
    assert_str (p.record, "qname", text->str);
    assert_question (&p, 0, text->str, "A", "IN");
    assert_complete (&p, TRUE);
    assert_anomalies (&p, NULL);
  }
  {
    g_autoptr(GString) text = g_string_new (NULL);
    g_autoptr(GByteArray) m = query_with_labels (l256, text);
    g_auto(Parsed) p = { 0 };

    g_autofree gchar *fits = NULL;

    parse_msg (&p, m);
    /* the first three labels fit (191 bytes), the fourth does not */
    fits = g_strndup (text->str, 63 * 3 + 2);
    assert_str (p.record, "qname", fits);
    assert_question (&p, 0, fits, "A", "IN");
    assert_complete (&p, FALSE);
    assert_anomalies (&p, NTPAC_DNS_ANOMALY_NAME_TOO_LONG, NULL);
  }
}

static void
test_name_length_compressed (void)
{
  static const guint q[] = { 63, 63, 61, 0 };
  static const guint8 a[] = { 192, 0, 2, 1 };
  g_autoptr(GString) qtext = g_string_new (NULL);
  g_autoptr(GByteArray) m = query_with_labels (q, qtext);
  g_autofree gchar *b63 = g_strnfill (63, 'b');
  g_autofree gchar *name255 = NULL;
  g_autofree gchar *partial = NULL;
  g_auto(Parsed) p = { 0 };

  g_test_summary ("Labels in place and labels reached through a pointer "
                  "count together towards 255 bytes; a name too long after "
                  "a pointer keeps its record");
  /* The query becomes a response with two answers. */
  m->data[2] = 0x85;
  m->data[7] = 2;
  dns_put_label (m, b63);
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_IN, 1, a, sizeof a);
  dns_put_label (m, b63);
  dns_put_label (m, "c");
  dns_put_ptr (m, 12);
  put_rr (m, T_A, C_IN, 2, a, sizeof a);
  parse_msg (&p, m);
  name255 = g_strdup_printf ("%s.%s", b63, qtext->str);
  g_assert_cmpuint (strlen (name255), ==, 253);
  /* Everything but the last label fits. */
  partial = g_strdup_printf ("%s.c.%.127s", b63, qtext->str);
  assert_rr (&p, "answers", 0, name255, "A", 1, "192.0.2.1");
  assert_rr (&p, "answers", 1, partial, "A", 2, "192.0.2.1");
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_NAME_TOO_LONG, NULL);
}

/* ---- truncation and counts ---------------------------------------------- */

/* A response with two answers, one authority record and two additional
 * records, all compressed; @ends gets where each of the 6 entries ends and
 * @sections which section it is in. */
static GByteArray *
full_response (guint16 flags,
               gsize   ends[6],
               guint   sections[6])
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  static const guint8 aaaa[] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
  };
  GByteArray *m = response_new (flags, 2, 1, 2, T_A);
  gsize start;
  guint n = 0;

  sections[n] = 0;
  ends[n++] = m->len;
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 300, a, sizeof a);
  sections[n] = 1;
  ends[n++] = m->len;
  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_AAAA, C_IN, 300, aaaa, sizeof aaaa);
  sections[n] = 1;
  ends[n++] = m->len;
  dns_put_ptr (m, OFF_EXAMPLE);
  start = dns_rr_begin (m, T_NS, C_IN, 3600);
  dns_put_label (m, "ns1");
  dns_put_ptr (m, OFF_EXAMPLE);
  dns_rr_end (m, start);
  sections[n] = 2;
  ends[n++] = m->len;
  dns_put_label (m, "ns1");
  dns_put_ptr (m, OFF_EXAMPLE);
  put_rr (m, T_A, C_IN, 3600, a, sizeof a);
  sections[n] = 3;
  ends[n++] = m->len;
  dns_put_label (m, "ns1");
  dns_put_ptr (m, OFF_EXAMPLE);
  put_rr (m, T_AAAA, C_IN, 3600, aaaa, sizeof aaaa);
  sections[n] = 3;
  ends[n++] = m->len;
  return m;
}

static void
check_every_cut (gboolean tc)
{
  g_autoptr(GByteArray) m = NULL;
  gsize ends[6];
  guint sections[6];

  m = full_response (tc ? F_RESPONSE | 0x0200 : F_RESPONSE, ends, sections);
  g_assert_cmpuint (ends[5], ==, m->len);
  for (gsize cut = 0; cut < m->len; cut++)
    {
      g_auto(Parsed) p = { 0 };
      guint expected[4] = { 0 };
      gboolean at_boundary = cut == NTPAC_DNS_HEADER_LEN;

      parse (&p, m->data, cut);
      if (cut < NTPAC_DNS_HEADER_LEN)
        {
          g_assert_null (p.record);
          assert_anomalies (&p, NTPAC_DNS_ANOMALY_TRUNCATED, NULL);
          continue;
        }
      g_assert_nonnull (p.record);
      for (guint i = 0; i < 6; i++)
        {
          if (ends[i] <= cut)
            expected[sections[i]]++;
          if (ends[i] == cut)
            at_boundary = TRUE;
        }
      assert_sizes (&p, expected[0], expected[1], expected[2], expected[3]);
      /* The first question's name and type are kept as soon as read. */
      assert_str (p.record, "qname", cut >= 29 ? "www.example.org" : "");
      assert_str (p.record, "qtype", cut >= 31 ? "A" : "");
      assert_complete (&p, FALSE);
      if (tc)
        assert_anomalies (&p, NULL);
      else if (at_boundary)
        assert_anomalies (&p, NTPAC_DNS_ANOMALY_COUNTS, NULL);
      else
        assert_anomalies (&p, NTPAC_DNS_ANOMALY_TRUNCATED, NULL);
    }
  {
    g_auto(Parsed) p = { 0 };

    parse_msg (&p, m);
    assert_sizes (&p, 1, 2, 1, 2);
    assert_rr (&p, "answers", 1, "www.example.org", "AAAA", 300, "2001:db8::53");
    assert_rr (&p, "authority", 0, "example.org", "NS", 3600, "ns1.example.org");
    assert_rr (&p, "additional", 0, "ns1.example.org", "A", 3600, "192.0.2.1");
    assert_rr (&p, "additional", 1, "ns1.example.org", "AAAA", 3600, "2001:db8::53");
    assert_complete (&p, TRUE);
    assert_anomalies (&p, NULL);
  }
}

static void
test_truncated_everywhere (void)
{
  g_test_summary ("A response cut after each of its bytes, in the header, "
                  "the question and every record of every section: whole "
                  "entries before the cut are kept; cut inside an entry is "
                  "'truncated', cut between entries 'counts exceed "
                  "message'");
  check_every_cut (FALSE);
}

static void
test_truncated_tc (void)
{
  g_test_summary ("With the TC bit, a message cut short is expected: "
                  "incomplete, but no anomaly");
  check_every_cut (TRUE);
}

static void
test_truncated_header (void)
{
  static const guint8 header[11] = { 0x12, 0x34, 0x01, 0x00, 0, 1 };
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();

  g_assert_null (ntpac_dns_message_parse (NULL, 0, anomalies));
  g_assert_null (ntpac_dns_message_parse (header, sizeof header, anomalies));
  g_assert_null (ntpac_dns_message_parse (header, 1, NULL));
  g_assert_cmpuint (anomalies->len, ==, 2);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_DNS_ANOMALY_TRUNCATED);
  g_assert_cmpstr (anomalies->pdata[1], ==, NTPAC_DNS_ANOMALY_TRUNCATED);
}

static void
test_counts (void)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 5, 0, 0, T_A);
  g_autoptr(GByteArray) header = dns_message_new (1, F_RESPONSE, 0xffff, 0xffff, 0xffff, 0xffff);
  g_auto(Parsed) p = { 0 };

  dns_put_ptr (m, OFF_WWW);
  put_rr (m, T_A, C_IN, 300, a, sizeof a);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 1, 0, 0);
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_COUNTS, NULL);

  parse_msg (&p, header);
  assert_sizes (&p, 0, 0, 0, 0);
  assert_complete (&p, FALSE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_COUNTS, NULL);
}

static void
test_counts_bounded (void)
{
  g_autoptr(GByteArray) m = dns_message_new (1, F_RESPONSE, 0, 0xffff, 0xffff, 0xffff);
  g_auto(Parsed) p = { 0 };
  guint n = 0;

  g_test_summary ("Counts of 65535 over 4 KiB of the smallest records: "
                  "as many records as the bytes hold, no more");
  while (m->len + 11 <= 4096)
    {
      dns_put_name (m, ".");
      put_rr (m, T_NULL, C_IN, n, NULL, 0);
      n++;
    }
  g_assert_cmpuint (n, ==, 371);
  parse_msg (&p, m);
  assert_sizes (&p, 0, 371, 0, 0);
  assert_rr (&p, "answers", 370, ".", "NULL", 370, "");
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_COUNTS, NULL);
}

static void
test_trailing_data (void)
{
  g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };

  dns_put_question (m, "example.org", T_A, C_IN);
  dns_put_bytes (m, "\x01\x02\x03", 3);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 0, 0, 0);
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NTPAC_DNS_ANOMALY_TRAILING_DATA, NULL);
}

static void
test_anomalies_once (void)
{
  static const guint8 a[] = { 192, 0, 2, 1 };
  g_autoptr(GByteArray) m = response_new (F_RESPONSE, 3, 0, 0, T_A);
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GVariant) quiet = NULL;

  g_test_summary ("An anomaly is appended once per message, after what the "
                  "array already holds; the array may be NULL");
  for (guint i = 0; i < 3; i++)
    {
      dns_put_ptr (m, 0x3fff);
      put_rr (m, T_A, C_IN, i, a, sizeof a);
    }
  g_ptr_array_add (anomalies, (gpointer) "other");
  first = g_variant_ref_sink (ntpac_dns_message_parse (m->data, m->len, anomalies));
  second = g_variant_ref_sink (ntpac_dns_message_parse (m->data, m->len, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 3);
  g_assert_cmpstr (anomalies->pdata[0], ==, "other");
  g_assert_cmpstr (anomalies->pdata[1], ==, NTPAC_DNS_ANOMALY_BAD_POINTER);
  g_assert_cmpstr (anomalies->pdata[2], ==, NTPAC_DNS_ANOMALY_BAD_POINTER);
  g_assert_cmpuint (n_entries (first, "answers"), ==, 3);
  g_assert_true (g_variant_equal (first, second));

  quiet = g_variant_ref_sink (ntpac_dns_message_parse (m->data, m->len, NULL));
  g_assert_true (g_variant_equal (first, quiet));
}

/* ---- EDNS --------------------------------------------------------------- */

static void
put_option (GByteArray *m,
            guint16     code,
            const void *value,
            gsize       len)
{
  dns_put_u16 (m, code);
  dns_put_u16 (m, (guint16) len);
  dns_put_bytes (m, value, len);
}

static void
assert_option (GVariant    *edns,
               guint        index,
               guint16      code,
               const gchar *name,
               const gchar *data)
{
  g_autoptr(GVariant) options = g_variant_lookup_value (edns, "options",
                                                        G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) option = NULL;

  g_assert_nonnull (options);
  g_assert_cmpuint (index, <, g_variant_n_children (options));
  option = g_variant_get_child_value (options, index);
  g_assert_cmpuint (g_variant_n_children (option), ==, 3);
  assert_u16 (option, "code", code);
  assert_str (option, "name", name);
  assert_str (option, "data", data);
}

static void
assert_n_options (GVariant *edns,
                  guint     n)
{
  g_autoptr(GVariant) options = g_variant_lookup_value (edns, "options",
                                                        G_VARIANT_TYPE ("aa{sv}"));

  g_assert_nonnull (options);
  g_assert_cmpuint (g_variant_n_children (options), ==, n);
}

static void
test_edns_options (void)
{
  static const guint8 cookie[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  static const guint8 ecs[] = { 0, 1, 24, 0, 192, 0, 2 };
  static const guint8 padding[4] = { 0 };
  static const guint8 ede[] = { 0, 18, 'b', 'l', 'o', 'c', 'k', 'e', 'd' };
  static const guint8 keepalive[] = { 0, 100 };
  g_autoptr(GByteArray) m = dns_message_new (0x0a0b, F_QUERY, 1, 0, 0, 1);
  g_autoptr(GVariant) edns = NULL;
  g_auto(Parsed) p = { 0 };
  guint8 version;
  gsize start;

  dns_put_question (m, "www.example.org", T_A, C_IN);
  dns_put_name (m, ".");
  start = dns_rr_begin (m, T_OPT, 1232, 0x00008000);
  put_option (m, 10, cookie, sizeof cookie);
  put_option (m, 8, ecs, sizeof ecs);
  put_option (m, 12, padding, sizeof padding);
  put_option (m, 3, NULL, 0);
  put_option (m, 15, ede, sizeof ede);
  put_option (m, 65001, "ab", 2);
  put_option (m, 11, keepalive, sizeof keepalive);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_sizes (&p, 1, 0, 0, 1);
  assert_rr (&p, "additional", 0, ".", "OPT", 0x8000,
             "udp_size=1232 version=0 do=1 ext_rcode=0 "
             "COOKIE=0102030405060708 CLIENT-SUBNET=192.0.2.0/24/0 PADDING=4 "
             "NSID EDE=18 \"blocked\" OPT65001=6162 TCP-KEEPALIVE=100");
  edns = get_edns (&p);
  g_assert_nonnull (edns);
  assert_u16 (edns, "udp_size", 1232);
  g_assert_true (g_variant_lookup (edns, "version", "y", &version));
  g_assert_cmpuint (version, ==, 0);
  assert_bool (edns, "do", TRUE);
  assert_n_options (edns, 7);
  assert_option (edns, 0, 10, "COOKIE", "0102030405060708");
  assert_option (edns, 1, 8, "CLIENT-SUBNET", "192.0.2.0/24/0");
  assert_option (edns, 2, 12, "PADDING", "4");
  assert_option (edns, 3, 3, "NSID", "");
  assert_option (edns, 4, 15, "EDE", "18 \"blocked\"");
  assert_option (edns, 5, 65001, "OPT65001", "6162");
  assert_option (edns, 6, 11, "TCP-KEEPALIVE", "100");
  assert_str (p.record, "rcode", "NOERROR");
  assert_complete (&p, TRUE);
  assert_anomalies (&p, NULL);
}

static void
test_edns_version_ecs6 (void)
{
  static const guint8 ecs[] = { 0, 2, 56, 48, 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56 };
  g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 1);
  g_autoptr(GVariant) edns = NULL;
  g_auto(Parsed) p = { 0 };
  guint8 version;
  gsize start;

  dns_put_question (m, "example.org", T_AAAA, C_IN);
  dns_put_name (m, ".");
  start = dns_rr_begin (m, T_OPT, 512, 0x00010000);
  put_option (m, 8, ecs, sizeof ecs);
  dns_rr_end (m, start);
  parse_msg (&p, m);
  assert_rr (&p, "additional", 0, ".", "OPT", 0x10000,
             "udp_size=512 version=1 do=0 ext_rcode=0 "
             "CLIENT-SUBNET=2001:db8:1234:5600::/56/48");
  edns = get_edns (&p);
  g_assert_nonnull (edns);
  assert_bool (edns, "do", FALSE);
  g_assert_true (g_variant_lookup (edns, "version", "y", &version));
  g_assert_cmpuint (version, ==, 1);
  assert_anomalies (&p, NULL);
}

/* A response with header rcode @rcode and an OPT record with @ext_rcode in
 * @section (1 answer, 3 additional). */
static void
check_extended_rcode (guint16      rcode,
                      guint8       ext_rcode,
                      guint        section,
                      const gchar *expected)
{
  g_autoptr(GByteArray) m = response_new ((guint16) (0x8180 | rcode),
                                          section == 1, 0, section == 3, T_A);
  g_autoptr(GVariant) edns = NULL;
  g_auto(Parsed) p = { 0 };

  dns_put_name (m, ".");
  put_rr (m, T_OPT, 1232, (guint32) ext_rcode << 24, NULL, 0);
  parse_msg (&p, m);
  assert_str (p.record, "rcode", expected);
  edns = get_edns (&p);
  if (section == 3)
    {
      guint8 value;

      g_assert_nonnull (edns);
      g_assert_true (g_variant_lookup (edns, "ext_rcode", "y", &value));
      g_assert_cmpuint (value, ==, ext_rcode);
      assert_anomalies (&p, NULL);
    }
  else
    {
      g_assert_null (edns);
      assert_rr (&p, "answers", 0, ".", "OPT", (guint32) ext_rcode << 24,
                 "udp_size=1232 version=0 do=0 ext_rcode=1");
      assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_OPT, NULL);
    }
  assert_complete (&p, TRUE);
}

static void
test_edns_extended_rcode (void)
{
  g_test_summary ("The OPT record's upper rcode bits extend the header's; "
                  "an OPT record outside the additional section does not");
  check_extended_rcode (0, 0, 3, "NOERROR");
  check_extended_rcode (0, 1, 3, "BADVERS");
  check_extended_rcode (7, 1, 3, "BADCOOKIE");
  check_extended_rcode (3, 0, 3, "NXDOMAIN");
  check_extended_rcode (0, 2, 3, "32");
  check_extended_rcode (0, 1, 1, "NOERROR");
}

static void
test_edns_bad_opt (void)
{
  static const guint8 bad_ecs[] = { 0, 3, 24, 0, 192, 0, 2 };
  static const guint8 short_cookie[] = { 1, 2, 3 };

  g_test_summary ("Two OPT records, an OPT record not owned by the root, "
                  "an option running past the data and a malformed option");
  {
    g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 2);
    g_autoptr(GVariant) edns = NULL;
    g_auto(Parsed) p = { 0 };

    dns_put_question (m, "example.org", T_A, C_IN);
    dns_put_name (m, ".");
    put_rr (m, T_OPT, 1232, 0, NULL, 0);
    dns_put_name (m, ".");
    put_rr (m, T_OPT, 4096, 0, NULL, 0);
    parse_msg (&p, m);
    assert_sizes (&p, 1, 0, 0, 2);
    edns = get_edns (&p);
    assert_u16 (edns, "udp_size", 1232);
    assert_data (&p, "additional", 1, "udp_size=4096 version=0 do=0 ext_rcode=0");
    assert_complete (&p, TRUE);
    assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_OPT, NULL);
  }
  {
    g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 1);
    g_autoptr(GVariant) edns = NULL;
    g_auto(Parsed) p = { 0 };

    dns_put_question (m, "example.org", T_A, C_IN);
    dns_put_ptr (m, 12);
    put_rr (m, T_OPT, 1400, 0, NULL, 0);
    parse_msg (&p, m);
    edns = get_edns (&p);
    assert_u16 (edns, "udp_size", 1400);
    assert_rr (&p, "additional", 0, "example.org", "OPT", 0,
               "udp_size=1400 version=0 do=0 ext_rcode=0");
    assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_OPT, NULL);
  }
  {
    g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 1);
    g_autoptr(GVariant) edns = NULL;
    g_auto(Parsed) p = { 0 };
    gsize start;

    dns_put_question (m, "example.org", T_A, C_IN);
    dns_put_name (m, ".");
    start = dns_rr_begin (m, T_OPT, 1232, 0);
    put_option (m, 3, NULL, 0);
    dns_put_u16 (m, 10);
    dns_put_u16 (m, 8);
    dns_put_bytes (m, short_cookie, sizeof short_cookie);
    dns_rr_end (m, start);
    parse_msg (&p, m);
    edns = get_edns (&p);
    assert_n_options (edns, 1);
    assert_option (edns, 0, 3, "NSID", "");
    assert_data (&p, "additional", 0, "udp_size=1232 version=0 do=0 ext_rcode=0 NSID");
    assert_complete (&p, FALSE);
    assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_OPT, NULL);
  }
  {
    g_autoptr(GByteArray) m = dns_message_new (1, F_QUERY, 1, 0, 0, 1);
    g_autoptr(GVariant) edns = NULL;
    g_auto(Parsed) p = { 0 };
    gsize start;

    dns_put_question (m, "example.org", T_A, C_IN);
    dns_put_name (m, ".");
    start = dns_rr_begin (m, T_OPT, 1232, 0);
    put_option (m, 8, bad_ecs, sizeof bad_ecs);
    put_option (m, 15, "\x00", 1);
    dns_rr_end (m, start);
    parse_msg (&p, m);
    edns = get_edns (&p);
    assert_n_options (edns, 2);
    assert_option (edns, 0, 8, "CLIENT-SUBNET", "00031800c00002");
    assert_option (edns, 1, 15, "EDE", "00");
    assert_complete (&p, FALSE);
    assert_anomalies (&p, NTPAC_DNS_ANOMALY_BAD_OPT, NULL);
  }
}

/* ---- TCP ---------------------------------------------------------------- */

static void
put_framed (GByteArray *stream,
            GByteArray *m)
{
  dns_put_u16 (stream, (guint16) m->len);
  dns_put_bytes (stream, m->data, m->len);
}

static void
test_tcp_framing (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GByteArray) last = NULL;
  gsize offset = 0, msg_offset, msg_len, needed;
  gsize full_len;

  g_test_summary ("Two whole messages and part of a third in one stream");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GByteArray) m = dns_message_new ((guint16) i, F_QUERY, 1, 0, 0, 0);
      g_autofree gchar *name = g_strdup_printf ("m%u.example.org", i);

      dns_put_question (m, name, T_A, C_IN);
      if (i < 2)
        put_framed (stream, m);
      else
        last = g_byte_array_ref (m);
    }
  full_len = stream->len;
  dns_put_u16 (stream, (guint16) last->len);
  dns_put_bytes (stream, last->data, 5);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("m%u.example.org", i);
      g_auto(Parsed) p = { 0 };

      g_assert_cmpint (ntpac_dns_tcp_next (stream->data + offset,
                                           stream->len - offset, &msg_offset,
                                           &msg_len, &needed),
                       ==, NTPAC_DNS_TCP_OK);
      g_assert_cmpuint (msg_offset, ==, 2);
      g_assert_cmpuint (msg_len, ==, 32);
      g_assert_cmpuint (needed, ==, 0);
      parse (&p, stream->data + offset + msg_offset, msg_len);
      g_assert_nonnull (p.record);
      assert_u16 (p.record, "id", (guint16) i);
      assert_str (p.record, "qname", name);
      assert_complete (&p, TRUE);
      offset += msg_offset + msg_len;
    }
  g_assert_cmpuint (offset, ==, full_len);
  g_assert_cmpint (ntpac_dns_tcp_next (stream->data + offset,
                                       stream->len - offset, &msg_offset,
                                       &msg_len, &needed),
                   ==, NTPAC_DNS_TCP_INCOMPLETE);
  g_assert_cmpuint (needed, ==, 2 + last->len);
  g_assert_cmpuint (msg_offset, ==, 0);
  g_assert_cmpuint (msg_len, ==, 0);

  /* Half a length prefix, or none. */
  g_assert_cmpint (ntpac_dns_tcp_next (stream->data, 1, &msg_offset, &msg_len, &needed),
                   ==, NTPAC_DNS_TCP_INCOMPLETE);
  g_assert_cmpuint (needed, ==, 2);
  g_assert_cmpint (ntpac_dns_tcp_next (NULL, 0, &msg_offset, &msg_len, &needed),
                   ==, NTPAC_DNS_TCP_INCOMPLETE);
  g_assert_cmpuint (needed, ==, 2);
  /* Outputs are optional. */
  g_assert_cmpint (ntpac_dns_tcp_next (stream->data, stream->len, NULL, NULL, NULL),
                   ==, NTPAC_DNS_TCP_OK);
}

static void
test_tcp_malformed (void)
{
  static const guint8 zero[] = { 0, 0, 0x12, 0x34 };
  static const guint8 tiny[] = { 0, 5, 1, 2, 3, 4, 5, 0, 1 };
  gsize msg_offset = 99, msg_len = 99, needed = 99;
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();

  g_test_summary ("A zero length prefix is malformed; a message shorter "
                  "than a header is framed, then fails to parse");
  g_assert_cmpint (ntpac_dns_tcp_next (zero, sizeof zero, &msg_offset, &msg_len, &needed),
                   ==, NTPAC_DNS_TCP_MALFORMED);
  g_assert_cmpuint (msg_offset, ==, 0);
  g_assert_cmpuint (msg_len, ==, 0);
  g_assert_cmpuint (needed, ==, 0);
  g_assert_cmpint (ntpac_dns_tcp_next (tiny, sizeof tiny, &msg_offset, &msg_len, &needed),
                   ==, NTPAC_DNS_TCP_OK);
  g_assert_cmpuint (msg_len, ==, 5);
  g_assert_null (ntpac_dns_message_parse (tiny + msg_offset, msg_len, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_DNS_ANOMALY_TRUNCATED);
}

/* ---- probe -------------------------------------------------------------- */

static void
assert_probe (GByteArray *m,
              gboolean    expected)
{
  g_autoptr(GByteArray) framed = g_byte_array_new ();

  g_assert_cmpint (ntpac_dns_probe (m->data, m->len, FALSE), ==, expected);
  put_framed (framed, m);
  g_assert_cmpint (ntpac_dns_probe (framed->data, framed->len, TRUE), ==, expected);
}

static void
test_probe_accepts (void)
{
  gsize ends[6];
  guint sections[6];
  g_autoptr(GByteArray) query = dns_message_new (0x1234, F_QUERY, 1, 0, 0, 0);
  g_autoptr(GByteArray) response = full_response (F_RESPONSE, ends, sections);
  g_autoptr(GByteArray) edns = dns_message_new (0x5678, 0x0120, 1, 0, 0, 1);
  g_autoptr(GByteArray) mdns_query = dns_message_new (0, 0, 1, 0, 0, 0);
  g_autoptr(GByteArray) mdns_announce = dns_message_new (0, 0x8400, 0, 1, 0, 0);
  g_autoptr(GByteArray) nxdomain = dns_message_new (9, 0x8183, 1, 0, 0, 0);
  g_autoptr(GByteArray) stream = g_byte_array_new ();

  g_test_summary ("Queries and responses, with EDNS, mDNS (QU bit, no "
                  "question), over UDP and with a TCP length prefix");
  dns_put_question (query, "www.example.org", T_A, C_IN);
  assert_probe (query, TRUE);
  assert_probe (response, TRUE);
  dns_put_question (edns, "example.org", T_HTTPS, C_IN);
  dns_put_name (edns, ".");
  put_rr (edns, T_OPT, 1232, 0x8000, NULL, 0);
  assert_probe (edns, TRUE);
  dns_put_question (mdns_query, "_ipp._tcp.local", T_PTR, 0x8001);
  assert_probe (mdns_query, TRUE);
  dns_put_name (mdns_announce, "printer.local");
  put_rr (mdns_announce, T_A, 0x8001, 120, "\xc0\xa8\x01\x02", 4);
  assert_probe (mdns_announce, TRUE);
  dns_put_question (nxdomain, "nope.example", T_A, C_IN);
  assert_probe (nxdomain, TRUE);

  /* Two messages in a stream: only the first is looked at. */
  put_framed (stream, query);
  put_framed (stream, response);
  g_assert_true (ntpac_dns_probe (stream->data, stream->len, TRUE));
}

static void
test_probe_rejects_dns_like (void)
{
  g_autoptr(GByteArray) query = dns_message_new (0x1234, F_QUERY, 1, 0, 0, 0);
  g_autoptr(GByteArray) m = NULL;
  g_autoptr(GByteArray) stream = g_byte_array_new ();

  g_test_summary ("Headers that no DNS message has, short inputs, and TCP "
                  "streams holding only the length prefix");
  dns_put_question (query, "www.example.org", T_A, C_IN);

#define PROBE_VARIANT(offset, value)                                    \
  G_STMT_START {                                                        \
    g_clear_pointer (&m, g_byte_array_unref);                           \
    m = g_byte_array_new ();                                            \
    dns_put_bytes (m, query->data, query->len);                             \
    m->data[offset] = (value);                                          \
    assert_probe (m, FALSE);                                            \
  } G_STMT_END

  PROBE_VARIANT (2, 0x18);         /* opcode 3 */
  PROBE_VARIANT (2, 0x38);         /* opcode 7 */
  PROBE_VARIANT (3, 0x40);         /* Z bit */
  PROBE_VARIANT (3, 0x03);         /* a query with an rcode */
  PROBE_VARIANT (3, 0x8c);         /* a response with rcode 12 */
  PROBE_VARIANT (5, 0);            /* no entries at all */
  PROBE_VARIANT (5, 7);            /* 7 questions do not fit in 33 bytes */
  PROBE_VARIANT (7, 2);            /* nor do 2 answers */
  PROBE_VARIANT (12, 0xc0);        /* a pointer in the first name */
  PROBE_VARIANT (12, 64);          /* a 64-byte label */
  PROBE_VARIANT (30, 0);           /* type 0 */
  PROBE_VARIANT (32, 2);           /* class 2 (CSNET) */
  PROBE_VARIANT (16, 60);          /* a label running past the end */
#undef PROBE_VARIANT

  g_assert_false (ntpac_dns_probe (query->data, 11, FALSE));
  g_assert_false (ntpac_dns_probe (query->data, 20, FALSE));
  g_assert_false (ntpac_dns_probe (NULL, 0, FALSE));
  dns_put_u16 (stream, (guint16) query->len);
  g_assert_false (ntpac_dns_probe (stream->data, stream->len, TRUE));
  dns_put_bytes (stream, query->data, 20);
  g_assert_false (ntpac_dns_probe (stream->data, stream->len, TRUE));
  dns_put_bytes (stream, query->data + 20, query->len - 20);
  g_assert_true (ntpac_dns_probe (stream->data, stream->len, TRUE));
  /* A prefix shorter than the message: its first name is cut. */
  stream->data[1] = 20;
  g_assert_false (ntpac_dns_probe (stream->data, stream->len, TRUE));
}

static void
test_probe_rejects_http_tls (void)
{
  static const gchar *const texts[] = {
    "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    "POST /dns-query HTTP/1.1\r\nHost: example.com\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "SSH-2.0-OpenSSH_9.6\r\n",
  };
  /* TLS records: a ClientHello of 0xc4 and of 0x200 bytes, a
   * ServerHello, and an alert. */
  static const guint8 record_headers[][11] = {
    { 0x16, 0x03, 0x01, 0x00, 0xc4, 0x01, 0x00, 0x00, 0xc0, 0x03, 0x03 },
    { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 },
    { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03 },
    { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 },
  };

  g_test_summary ("HTTP, SSH and TLS records are not DNS, whether or not "
                  "read as length-prefixed");
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_assert_false (ntpac_dns_probe ((const guint8 *) texts[i], strlen (texts[i]), FALSE));
      g_assert_false (ntpac_dns_probe ((const guint8 *) texts[i], strlen (texts[i]), TRUE));
    }
  for (guint i = 0; i < G_N_ELEMENTS (record_headers); i++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (i);
      g_autoptr(GByteArray) record = g_byte_array_new ();
      gsize len = 5 + (((gsize) record_headers[i][3] << 8) | record_headers[i][4]);

      dns_put_bytes (record, record_headers[i], sizeof record_headers[i]);
      /* The rest of the record: random and session ids, mostly. */
      while (record->len < len)
        dns_put_u8 (record, (guint8) g_rand_int_range (rand, 0, 256));
      g_byte_array_set_size (record, (guint) len);
      g_assert_false (ntpac_dns_probe (record->data, record->len, FALSE));
      g_assert_false (ntpac_dns_probe (record->data, record->len, TRUE));
    }
}

static void
test_probe_rejects_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  guint8 bytes[512];
  guint accepted_udp = 0, accepted_tcp = 0;

  g_test_summary ("Random payloads of 12 to 512 bytes: none of 200000 is "
                  "taken for DNS");
  for (guint i = 0; i < 200000; i++)
    {
      gsize len = (gsize) g_rand_int_range (rand, 12, sizeof bytes + 1);

      for (gsize j = 0; j < len; j++)
        bytes[j] = (guint8) g_rand_int_range (rand, 0, 256);
      accepted_udp += ntpac_dns_probe (bytes, len, FALSE);
      accepted_tcp += ntpac_dns_probe (bytes, len, TRUE);
    }
  g_assert_cmpuint (accepted_udp, ==, 0);
  g_assert_cmpuint (accepted_tcp, ==, 0);
}

/* ---- the protocols sharing the format ----------------------------------- */

#define T_NB      32
#define T_NBSTAT  33

static void
parse_flavour (Parsed          *p,
               GByteArray      *m,
               NtpacDnsFlavour  flavour)
{
  g_autoptr(NtpacRecordBuilder) b = ntpac_record_builder_new ();

  parsed_clear (p);
  p->anomalies = g_ptr_array_new ();
  g_assert_true (ntpac_dns_message_write_flavour (b, m->data, m->len, flavour, p->anomalies, NULL));
  p->record = g_variant_ref_sink (ntpac_record_builder_end (b));
}

static void
test_nbns_names (void)
{
  static const guint8 nb[] = { 0x60, 0x00, 192, 0, 2, 7 };
  g_autoptr(GByteArray) query = dns_message_new (0x8001, 0x0110, 1, 0, 0, 0);   /* RD, B */
  g_autoptr(GByteArray) reg = dns_message_new (0x8002, 0x2910, 1, 0, 0, 1);     /* REGISTRATION, RD, B */
  g_autoptr(GByteArray) status = dns_message_new (0x8003, 0x0000, 1, 0, 0, 0);
  g_autoptr(GByteArray) odd = dns_message_new (0x8004, 0x0110, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };
  g_autofree gchar *encoded = NULL;

  g_test_summary ("NetBIOS name service: a first-level encoded name (32 letters A-P) reads "
                  "as the 15-character name and its suffix byte, WORKGROUP<1d>, with its "
                  "scope after it; the B flag, NB and NBSTAT types and the REGISTRATION "
                  "opcode are named, and opcode 5 is not a DNS UPDATE.");
  dns_put_netbios_name (query, "WORKGROUP", 0x1d, NULL);
  dns_put_u16 (query, T_NB);
  dns_put_u16 (query, C_IN);
  parse_flavour (&p, query, NTPAC_DNS_FLAVOUR_NBNS);
  assert_anomalies (&p, NULL);
  assert_str (p.record, "qname", "WORKGROUP<1d>");
  assert_str (p.record, "qtype", "NB");
  assert_str (p.record, "opcode", "QUERY");
  assert_flags (&p, "rd", "b", NULL);
  assert_question (&p, 0, "WORKGROUP<1d>", "NB", "IN");

  /* The same bytes as plain DNS: the label as it is, CD for B. */
  parse_flavour (&p, query, NTPAC_DNS_FLAVOUR_DNS);
  encoded = g_strndup ((const gchar *) query->data + 13, 32);
  assert_str (p.record, "qname", encoded);
  assert_flags (&p, "rd", "cd", NULL);

  dns_put_netbios_name (reg, "FILESRV", 0x20, "corp.example");
  dns_put_u16 (reg, T_NB);
  dns_put_u16 (reg, C_IN);
  dns_put_ptr (reg, 12);
  put_rr (reg, T_NB, C_IN, 300000, nb, sizeof nb);
  parse_flavour (&p, reg, NTPAC_DNS_FLAVOUR_NBNS);
  assert_anomalies (&p, NULL);
  assert_str (p.record, "opcode", "REGISTRATION");
  assert_str (p.record, "qname", "FILESRV<20>.corp.example");
  g_assert_false (g_variant_lookup (p.record, "zone", "&s", NULL));
  assert_sizes (&p, 1, 0, 0, 1);
  assert_rr (&p, "additional", 0, "FILESRV<20>.corp.example", "NB", 300000, "0x6000 192.0.2.7");
  assert_complete (&p, TRUE);

  /* A node status query: "*" padded with NULs; NBSTAT is not SRV. */
  dns_put_netbios_name (status, "*", 0x00, NULL);
  dns_put_u16 (status, T_NBSTAT);
  dns_put_u16 (status, C_IN);
  parse_flavour (&p, status, NTPAC_DNS_FLAVOUR_NBNS);
  assert_str (p.record, "qname", "*<00>");
  assert_str (p.record, "qtype", "NBSTAT");

  /* 32 bytes that are not the encoding stay a label. */
  dns_put_label (odd, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF");
  dns_put_u8 (odd, 0);
  dns_put_u16 (odd, T_NB);
  dns_put_u16 (odd, C_IN);
  parse_flavour (&p, odd, NTPAC_DNS_FLAVOUR_NBNS);
  assert_str (p.record, "qname", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF");
}

static void
test_nbns_name_escaped (void)
{
  g_autoptr(GByteArray) m = dns_message_new (1, 0x0000, 1, 0, 0, 0);
  g_auto(Parsed) p = { 0 };

  g_test_summary ("A decoded NetBIOS name with a dot, a control byte or a non-ASCII byte "
                  "is escaped as any DNS label is: the text stays ASCII.");
  dns_put_netbios_name (m, "A.B\x1b\xe9", 0x03, NULL);
  dns_put_u16 (m, T_NB);
  dns_put_u16 (m, C_IN);
  parse_flavour (&p, m, NTPAC_DNS_FLAVOUR_NBNS);
  assert_str (p.record, "qname", "A\\.B\\027\\233<03>");
}

static void
test_mdns_class_bits (void)
{
  static const guint8 addr[4] = { 192, 168, 1, 20 };
  g_autoptr(GByteArray) m = dns_message_new (0, 0x8400, 1, 1, 0, 0);
  g_auto(Parsed) p = { 0 };
  g_autoptr(GVariant) q = NULL;
  g_autoptr(GVariant) rr = NULL;

  g_test_summary ("mDNS: the top bit of a question's class asks for a unicast response, "
                  "that of a record's class flushes caches; both are fields, and the "
                  "class is IN. Plain DNS shows the class as a number.");
  dns_put_name (m, "printer.local");
  dns_put_u16 (m, T_A);
  dns_put_u16 (m, 0x8000 | C_IN);
  dns_put_ptr (m, 12);
  put_rr (m, T_A, 0x8000 | C_IN, 120, addr, sizeof addr);
  parse_flavour (&p, m, NTPAC_DNS_FLAVOUR_MDNS);
  assert_anomalies (&p, NULL);
  q = get_entry (p.record, "questions", 0);
  assert_str (q, "class", "IN");
  assert_bool (q, "unicast_response", TRUE);
  rr = get_entry (p.record, "answers", 0);
  assert_bool (rr, "cache_flush", TRUE);
  assert_str (rr, "data", "192.168.1.20");

  parse_flavour (&p, m, NTPAC_DNS_FLAVOUR_DNS);
  assert_question (&p, 0, "printer.local", "A", "CLASS32769");
  assert_rr (&p, "answers", 0, "printer.local", "A", 120, "192.168.1.20");
}

static void
test_llmnr_flags (void)
{
  g_autoptr(GByteArray) m = dns_message_new (7, 0x8500, 1, 0, 0, 0);  /* QR, C, T */
  g_auto(Parsed) p = { 0 };

  g_test_summary ("LLMNR's conflict and tentative flags are c and t, not DNS's aa and rd.");
  dns_put_name (m, "host1");
  dns_put_u16 (m, T_A);
  dns_put_u16 (m, C_IN);
  parse_flavour (&p, m, NTPAC_DNS_FLAVOUR_LLMNR);
  assert_flags (&p, "c", "t", NULL);
  parse_flavour (&p, m, NTPAC_DNS_FLAVOUR_DNS);
  assert_flags (&p, "aa", "rd", NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dns/message/query", test_query);
  g_test_add_func ("/dns/message/whole-record", test_whole_record);
  g_test_add_func ("/dns/message/all-flags", test_all_flags);
  g_test_add_func ("/dns/message/opcodes-rcodes", test_opcodes_rcodes);
  g_test_add_func ("/dns/message/types-classes", test_types_classes);
  g_test_add_func ("/dns/message/update", test_update);
  g_test_add_func ("/dns/rdata/addresses", test_rdata_addresses);
  g_test_add_func ("/dns/rdata/names", test_rdata_names);
  g_test_add_func ("/dns/rdata/mx-srv", test_rdata_mx_srv);
  g_test_add_func ("/dns/rdata/txt", test_rdata_txt);
  g_test_add_func ("/dns/rdata/soa", test_rdata_soa);
  g_test_add_func ("/dns/rdata/caa", test_rdata_caa);
  g_test_add_func ("/dns/rdata/svcb-https", test_rdata_svcb);
  g_test_add_func ("/dns/rdata/malformed", test_rdata_malformed);
  g_test_add_func ("/dns/name/escapes", test_name_escapes);
  g_test_add_func ("/dns/name/label-length", test_label_length);
  g_test_add_func ("/dns/name/name-length", test_name_length);
  g_test_add_func ("/dns/name/name-length-compressed", test_name_length_compressed);
  g_test_add_func ("/dns/compression/chain", test_compression_chain);
  g_test_add_func ("/dns/compression/loop", test_compression_loop);
  g_test_add_func ("/dns/compression/bad-pointer", test_compression_bad_pointer);
  g_test_add_func ("/dns/compression/target-runs-out", test_compression_target_runs_out);
  g_test_add_func ("/dns/compression/depth", test_compression_depth);
  g_test_add_func ("/dns/compression/cap", test_decompression_cap);
  g_test_add_func ("/dns/truncated/header", test_truncated_header);
  g_test_add_func ("/dns/truncated/everywhere", test_truncated_everywhere);
  g_test_add_func ("/dns/truncated/tc-bit", test_truncated_tc);
  g_test_add_func ("/dns/counts/exceed-message", test_counts);
  g_test_add_func ("/dns/counts/bounded", test_counts_bounded);
  g_test_add_func ("/dns/message/trailing-data", test_trailing_data);
  g_test_add_func ("/dns/message/anomalies-once", test_anomalies_once);
  g_test_add_func ("/dns/edns/options", test_edns_options);
  g_test_add_func ("/dns/edns/version-ecs6", test_edns_version_ecs6);
  g_test_add_func ("/dns/edns/extended-rcode", test_edns_extended_rcode);
  g_test_add_func ("/dns/edns/bad-opt", test_edns_bad_opt);
  g_test_add_func ("/dns/tcp/framing", test_tcp_framing);
  g_test_add_func ("/dns/tcp/malformed", test_tcp_malformed);
  g_test_add_func ("/dns/probe/accepts", test_probe_accepts);
  g_test_add_func ("/dns/probe/rejects-dns-like", test_probe_rejects_dns_like);
  g_test_add_func ("/dns/probe/rejects-http-tls", test_probe_rejects_http_tls);
  g_test_add_func ("/dns/probe/rejects-random", test_probe_rejects_random);
  g_test_add_func ("/dns/nbns/names", test_nbns_names);
  g_test_add_func ("/dns/nbns/name-escaped", test_nbns_name_escaped);
  g_test_add_func ("/dns/mdns/class-bits", test_mdns_class_bits);
  g_test_add_func ("/dns/llmnr/flags", test_llmnr_flags);

  return g_test_run ();
}
