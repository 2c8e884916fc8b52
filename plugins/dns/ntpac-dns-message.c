/* ntpac-dns-message.c: DNS messages as records
 *
 * The message format of RFC 1035 §4 (with RFC 2181's clarifications): the
 * header, questions and resource records with name compression; EDNS(0)
 * (RFC 6891) and its options (client subnet RFC 7871, cookies RFC 7873,
 * TCP keepalive RFC 7828, padding RFC 7830, extended errors RFC 8914);
 * record data of A, AAAA, NS, CNAME, PTR, DNAME (RFC 6672), MX, TXT, SOA,
 * SRV (RFC 2782), CAA (RFC 8659), SVCB and HTTPS (RFC 9460), anything else
 * in hex (RFC 3597); DNS over TCP framing (RFC 7766); UPDATE (RFC 2136),
 * NOTIFY (RFC 1996) and DSO (RFC 8490) opcodes. Three protocols share the
 * format, each read with its own conventions (NtpacDnsFlavour): NetBIOS
 * name service (RFC 1002 §4.2: first-level encoded names, its opcodes, NB
 * and NBSTAT records, the B flag), mDNS (RFC 6762 §18: the unicast-response
 * bit of a question's class, the cache-flush bit of a record's) and LLMNR
 * (RFC 4795 §2.1.1: the C and T flags).
 *
 * Text follows dig's presentation format: names dotted with special
 * characters escaped (\. \\ \DDD), character strings quoted. Every byte is
 * read through an NtpacCursor; a message that is cut short or broken yields
 * whatever could be read, with anomaly ids saying what went wrong. Work is
 * linear in the message size: each entry consumes bytes, each name follows
 * at most NTPAC_DNS_MAX_POINTERS pointers and produces at most 255 bytes of
 * labels, and the label and pointer steps of all the names of a message
 * are capped by NTPAC_DNS_MAX_NAME_STEPS (many names each through a long
 * chain would otherwise cost 64 steps per 2 bytes).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <string.h>

#include "ntpac-cursor.h"
#include "ntpac-record-builder.h"
#include "ntpac-dns-message.h"

/* Header flags (RFC 1035 §4.1.1, RFC 2535 §6.1 for AD and CD). */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_Z  0x0040
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010

#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)  ((flags) & 0xf)

#define DNS_OPCODE_UPDATE 5

/* NetBIOS name service (RFC 1002 §4.2.1.1): B where DNS has CD; its
 * record types NB and NBSTAT (33 is SRV in DNS). */
#define NBNS_FLAG_B       0x0010
#define NBNS_TYPE_NB      32
#define NBNS_TYPE_NBSTAT  33
/* A first-level encoded NetBIOS name: 16 bytes as 32 letters A-P. */
#define NBNS_ENCODED_LEN  32
/* LLMNR (RFC 4795 §2.1.1): C and T where DNS has AA and RD. */
#define LLMNR_FLAG_C      0x0400
#define LLMNR_FLAG_T      0x0100
/* mDNS (RFC 6762 §18.12, §18.13): the top bit of the class. */
#define MDNS_CLASS_FLAG   0x8000

#define DNS_TYPE_A      1
#define DNS_TYPE_NS     2
#define DNS_TYPE_CNAME  5
#define DNS_TYPE_SOA    6
#define DNS_TYPE_PTR    12
#define DNS_TYPE_MX     15
#define DNS_TYPE_TXT    16
#define DNS_TYPE_AAAA   28
#define DNS_TYPE_SRV    33
#define DNS_TYPE_DNAME  39
#define DNS_TYPE_OPT    41
#define DNS_TYPE_SVCB   64
#define DNS_TYPE_HTTPS  65
#define DNS_TYPE_SPF    99
#define DNS_TYPE_CAA    257

#define DNS_CLASS_NONE  254
#define DNS_CLASS_ANY   255

/* EDNS flags in the OPT TTL (RFC 6891 §6.1.4, RFC 3225 for DO). */
#define EDNS_FLAG_DO    0x8000

#define EDNS_OPTION_ECS        8
#define EDNS_OPTION_KEEPALIVE  11
#define EDNS_OPTION_PADDING    12
#define EDNS_OPTION_EDE        15

/* SvcParamKeys (RFC 9460 §14.3.2). */
#define SVC_KEY_MANDATORY       0
#define SVC_KEY_ALPN            1
#define SVC_KEY_NO_DEFAULT_ALPN 2
#define SVC_KEY_PORT            3
#define SVC_KEY_IPV4HINT        4
#define SVC_KEY_ECH             5
#define SVC_KEY_IPV6HINT        6
#define SVC_KEY_DOHPATH         7
#define SVC_KEY_OHTTP           8

/* The smallest question (root name, type, class) and record (root name,
 * type, class, TTL, RDLENGTH). */
#define DNS_MIN_QUESTION_LEN 5
#define DNS_MIN_RECORD_LEN   11

typedef struct
{
  guint16      value;
  const gchar *name;
} NtpacDnsName;

/* IANA "Resource Record (RR) TYPEs", those in use or seen in the wild. */
static const NtpacDnsName dns_types[] = {
  { 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" },
  { 6, "SOA" }, { 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" },
  { 11, "WKS" }, { 12, "PTR" }, { 13, "HINFO" }, { 14, "MINFO" },
  { 15, "MX" }, { 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" }, { 19, "X25" },
  { 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" }, { 23, "NSAP-PTR" },
  { 24, "SIG" }, { 25, "KEY" }, { 26, "PX" }, { 27, "GPOS" }, { 28, "AAAA" },
  { 29, "LOC" }, { 30, "NXT" }, { 33, "SRV" }, { 35, "NAPTR" }, { 36, "KX" },
  { 37, "CERT" }, { 38, "A6" }, { 39, "DNAME" }, { 41, "OPT" }, { 42, "APL" },
  { 43, "DS" }, { 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" },
  { 47, "NSEC" }, { 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" },
  { 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 53, "SMIMEA" }, { 55, "HIP" },
  { 59, "CDS" }, { 60, "CDNSKEY" }, { 61, "OPENPGPKEY" }, { 62, "CSYNC" },
  { 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" },
  { 104, "NID" }, { 105, "L32" }, { 106, "L64" }, { 107, "LP" },
  { 108, "EUI48" }, { 109, "EUI64" }, { 249, "TKEY" }, { 250, "TSIG" },
  { 251, "IXFR" }, { 252, "AXFR" }, { 253, "MAILB" }, { 254, "MAILA" },
  { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" }, { 260, "AMTRELAY" },
  { 32768, "TA" }, { 32769, "DLV" },
};

static const NtpacDnsName dns_classes[] = {
  { 1, "IN" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

/* NetBIOS name service opcodes (RFC 1002 §4.2.1.1; 9 is the refresh of
 * RFC 1002's errata, 15 Microsoft's multi-homed registration). */
static const gchar *const nbns_opcodes[16] = {
  [0] = "QUERY", [5] = "REGISTRATION", [6] = "RELEASE", [7] = "WACK",
  [8] = "REFRESH", [9] = "REFRESH", [15] = "MULTIHOMED-REGISTRATION",
};

/* Indexed by opcode; NULL: unassigned. */
static const gchar *const dns_opcodes[16] = {
  "QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE", "DSO",
};

/* Indexed by the (extended) rcode; NULL: unassigned. 16 is BADVERS with
 * EDNS and BADSIG in TSIG, which has its own field. */
static const gchar *const dns_rcodes[24] = {
  "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
  "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
  NULL, NULL, NULL, NULL,
  "BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
  "BADTRUNC", "BADCOOKIE",
};

/* IANA "DNS EDNS0 Option Codes (OPT)". */
static const NtpacDnsName edns_options[] = {
  { 1, "LLQ" }, { 2, "UL" }, { 3, "NSID" }, { 5, "DAU" }, { 6, "DHU" },
  { 7, "N3U" }, { 8, "CLIENT-SUBNET" }, { 9, "EXPIRE" }, { 10, "COOKIE" },
  { 11, "TCP-KEEPALIVE" }, { 12, "PADDING" }, { 13, "CHAIN" },
  { 14, "KEY-TAG" }, { 15, "EDE" }, { 16, "CLIENT-TAG" },
  { 17, "SERVER-TAG" }, { 18, "REPORT-CHANNEL" }, { 19, "ZONEVERSION" },
};

static const gchar *const svc_keys[] = {
  "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
  "ipv6hint", "dohpath", "ohttp",
};

typedef enum
{
  SECTION_QUESTION,
  SECTION_ANSWER,
  SECTION_AUTHORITY,
  SECTION_ADDITIONAL,
  N_SECTIONS
} NtpacDnsSection;

static const gchar *const section_keys[N_SECTIONS] = {
  "questions", "answers", "authority", "additional",
};

/* UPDATE (RFC 2136 §2): zone, prerequisite, update and additional data
 * sections; the zone stays under `questions`, as the other opcodes. */
static const gchar *const update_section_keys[N_SECTIONS] = {
  "questions", "prerequisites", "updates", "additional",
};

/* How much of a name could be read. */
typedef enum
{
  NAME_OK,
  NAME_DAMAGED,  /* its text is partial, but its bytes in place were read */
  NAME_LOST,     /* its bytes in place could not be read: where it ends is
                  * unknown */
} NtpacDnsNameStatus;

/* State of one ntpac_dns_message_parse() call. */
typedef struct
{
  const guint8 *msg;
  gsize         len;
  GPtrArray    *anomalies;      /* nullable */
  guint         first_anomaly;  /* this message's anomalies start here */
  guint         reports;        /* anomalies reported, repeats included */
  NtpacDnsFlavour flavour;
  guint         opcode;
  gboolean      update;         /* a DNS UPDATE: its sections differ */
  gboolean      tc;
  gboolean      damaged;        /* something counted was not read in full */
  guint         name_steps;     /* labels and pointers read in names */
  gboolean      names_capped;   /* past NTPAC_DNS_MAX_NAME_STEPS: names are
                                 * skipped, no longer decoded */
  gboolean      seen_opt;
  NtpacRecordBuilder *edns;     /* the `edns` field, from the first OPT in
                                 * additional; NULL if there is none */
  NtpacRecordBuilder *edns_scratch;
  guint8        ext_rcode;
  gchar        *qname;
  gchar        *qtype;
  GString      *name;           /* scratch: the name being read */
  GString      *data;           /* scratch: the record data being shown */
} NtpacDnsParser;

/* ---- names of numbers --------------------------------------------------- */

static const gchar *
lookup_name (const NtpacDnsName *table,
             gsize               n,
             guint16             value)
{
  for (gsize i = 0; i < n; i++)
    if (table[i].value == value)
      return table[i].name;
  return NULL;
}

/* The mnemonic of @type, else RFC 3597's "TYPE123" in @buf. */
static const gchar *
type_to_string (guint16 type,
                gchar   buf[16])
{
  const gchar *name = lookup_name (dns_types, G_N_ELEMENTS (dns_types), type);

  if (name != NULL)
    return name;
  g_snprintf (buf, 16, "TYPE%u", type);
  return buf;
}

/* The type's name in @p's protocol. */
static const gchar *
entry_type_to_string (const NtpacDnsParser *p,
                      guint16               type,
                      gchar                 buf[16])
{
  if (p->flavour == NTPAC_DNS_FLAVOUR_NBNS && type == NBNS_TYPE_NB)
    return "NB";
  if (p->flavour == NTPAC_DNS_FLAVOUR_NBNS && type == NBNS_TYPE_NBSTAT)
    return "NBSTAT";
  return type_to_string (type, buf);
}

static const gchar *
class_to_string (guint16 klass,
                 gchar   buf[16])
{
  const gchar *name = lookup_name (dns_classes, G_N_ELEMENTS (dns_classes), klass);

  if (name != NULL)
    return name;
  g_snprintf (buf, 16, "CLASS%u", klass);
  return buf;
}

/* ---- text --------------------------------------------------------------- */

static void
append_hex (GString      *out,
            const guint8 *bytes,
            gsize         len)
{
  static const gchar digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (out, digits[bytes[i] >> 4]);
      g_string_append_c (out, digits[bytes[i] & 0xf]);
    }
}

/* One label as dig shows it: characters special in master files
 * backslash-escaped, the rest of what is not printable ASCII as \DDD. The
 * text is ASCII whatever the bytes, so it is always valid UTF-8. */
static void
append_label (GString      *out,
              const guint8 *label,
              gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = label[i];

      switch (b)
        {
        case '"': case '(': case ')': case '.': case ';': case '\\':
        case '@': case '$':
          g_string_append_c (out, '\\');
          g_string_append_c (out, (gchar) b);
          break;
        default:
          if (b <= 0x20 || b >= 0x7f)
            g_string_append_printf (out, "\\%03u", b);
          else
            g_string_append_c (out, (gchar) b);
        }
    }
}

/* A character string without the quotes: '"' and '\' escaped (and ',' if
 * @escape_comma, for SVCB value lists), bytes that are not printable ASCII
 * as \DDD. */
static void
append_string_body (GString      *out,
                    const guint8 *bytes,
                    gsize         len,
                    gboolean      escape_comma)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = bytes[i];

      if (b < 0x20 || b >= 0x7f)
        g_string_append_printf (out, "\\%03u", b);
      else
        {
          if (b == '"' || b == '\\' || (escape_comma && b == ','))
            g_string_append_c (out, '\\');
          g_string_append_c (out, (gchar) b);
        }
    }
}

static void
append_quoted (GString      *out,
               const guint8 *bytes,
               gsize         len)
{
  g_string_append_c (out, '"');
  append_string_body (out, bytes, len, FALSE);
  g_string_append_c (out, '"');
}

/* An IPv4 (@size 4) or IPv6 (@size 16) address. */
static void
append_address (GString      *out,
                const guint8 *bytes,
                gsize         size)
{
  gchar text[INET6_ADDRSTRLEN];

  if (inet_ntop (size == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text) != NULL)
    g_string_append (out, text);
}

/* ---- anomalies ---------------------------------------------------------- */

/* Appends @anomaly unless this message already reported it. */
static void
report (NtpacDnsParser *p,
        const gchar    *anomaly)
{
  p->reports++;
  if (p->anomalies == NULL)
    return;
  for (guint i = p->first_anomaly; i < p->anomalies->len; i++)
    if (g_str_equal (p->anomalies->pdata[i], anomaly))
      return;
  g_ptr_array_add (p->anomalies, (gpointer) anomaly);
}

/* The message ended before what its header counts: expected when the
 * sender set TC, so only reported without it. */
static void
report_short (NtpacDnsParser *p,
              const gchar    *anomaly)
{
  p->damaged = TRUE;
  if (!p->tc)
    report (p, anomaly);
}

/* ---- names -------------------------------------------------------------- */

static inline gsize
msg_offset (const NtpacDnsParser *p,
            const NtpacCursor    *c)
{
  return (gsize) (ntpac_cursor_here (c) - p->msg);
}

/* A read in a name ran out of bytes. In place that is the end of the
 * message (truncated) or of the record data (malformed), and where the
 * name ends is lost; after a pointer, the pointer led to bytes that are no
 * name. */
static NtpacDnsNameStatus
name_ran_out (NtpacDnsParser    *p,
              const NtpacCursor *c,
              gboolean           in_place)
{
  p->damaged = TRUE;
  if (!in_place)
    {
      report (p, NTPAC_DNS_ANOMALY_BAD_POINTER);
      return NAME_DAMAGED;
    }
  if (ntpac_cursor_is_malformed (c))
    report (p, NTPAC_DNS_ANOMALY_MALFORMED);
  else
    report_short (p, NTPAC_DNS_ANOMALY_TRUNCATED);
  return NAME_LOST;
}

/* A name is broken: if that happened in place, where it ends is lost. */
static NtpacDnsNameStatus
name_broken (NtpacDnsParser *p,
             gboolean        in_place,
             const gchar    *anomaly)
{
  p->damaged = TRUE;
  report (p, anomaly);
  return in_place ? NAME_LOST : NAME_DAMAGED;
}

/* A first-level encoded NetBIOS name (RFC 1001 §14.1): each half-byte
 * of the 16-byte name as a letter from 'A'. Appends the 15-character name
 * without its padding, then its suffix byte: "WORKGROUP<1d>". FALSE,
 * with nothing appended, if @label is not such a name. */
static gboolean
append_netbios_name (GString      *out,
                     const guint8 *label,
                     gsize         len)
{
  guint8 name[NBNS_ENCODED_LEN / 2];
  gsize n = sizeof name - 1;

  if (len != NBNS_ENCODED_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (label[i] < 'A' || label[i] > 'P')
      return FALSE;
  for (gsize i = 0; i < sizeof name; i++)
    name[i] = (guint8) (((label[2 * i] - 'A') << 4) | (label[2 * i + 1] - 'A'));
  /* Padded with spaces (with NULs after the "*" of a status query). */
  while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\0'))
    n--;
  append_label (out, name, n);
  g_string_append_printf (out, "<%02x>", name[sizeof name - 1]);
  return TRUE;
}

/* Reads the name at @c into @out (dotted, dig's escapes, "." for the root)
 * and moves @c past its bytes in place. Pointers may point anywhere before
 * the labels being read, but never back into bytes this name has already
 * used (a loop), forward, into the header or past the end; there are at
 * most NTPAC_DNS_MAX_POINTERS of them. Once the message's names have taken
 * NTPAC_DNS_MAX_NAME_STEPS steps, names are only skipped in place (their
 * text empty, NAME_DAMAGED). Anomalies are reported here; on failure
 * @out holds the labels read so far. */
static NtpacDnsNameStatus
read_name (NtpacDnsParser *p,
           NtpacCursor    *c,
           GString        *out)
{
  /* The runs of labels read: [start, end) in message offsets; segment i+1
   * starts where segment i's pointer leads. */
  gsize seg_start[NTPAC_DNS_MAX_POINTERS + 1];
  gsize seg_end[NTPAC_DNS_MAX_POINTERS + 1];
  guint n_segments = 1;
  NtpacCursor jump;
  NtpacCursor *cur = c;
  gsize wire_len = 0;   /* length bytes and labels so far */
  gboolean too_long = FALSE;

  g_string_truncate (out, 0);
  seg_start[0] = msg_offset (p, c);
  if (p->names_capped)
    p->damaged = TRUE;
  for (;;)
    {
      gsize here = msg_offset (p, cur);
      guint8 len;

      if (!p->names_capped && ++p->name_steps > NTPAC_DNS_MAX_NAME_STEPS (p->len))
        {
          p->names_capped = TRUE;
          p->damaged = TRUE;
          report (p, NTPAC_DNS_ANOMALY_DECOMPRESSION_CAP);
          g_string_truncate (out, 0);
          /* Past a pointer, @c is already past the name. */
          if (cur != c)
            return NAME_DAMAGED;
        }
      if (!ntpac_cursor_get_u8 (cur, &len))
        return name_ran_out (p, c, cur == c);

      if (len == 0)
        {
          if (p->names_capped)
            return NAME_DAMAGED;
          if (out->len == 0)
            g_string_append_c (out, '.');
          return too_long ? NAME_DAMAGED : NAME_OK;
        }
      else if (len <= NTPAC_DNS_MAX_LABEL_LEN)
        {
          const guint8 *label;

          /* This label and the root after it must fit; a name that does
           * not is reported, and read to its end without its extra labels
           * (the message's structure goes on, as tshark reads it). */
          if (!too_long && wire_len + 1 + len + 1 > NTPAC_DNS_MAX_NAME_LEN)
            {
              name_broken (p, FALSE, NTPAC_DNS_ANOMALY_NAME_TOO_LONG);
              too_long = TRUE;
            }
          if (!ntpac_cursor_get_bytes (cur, len, &label))
            return name_ran_out (p, c, cur == c);
          wire_len += 1 + len;
          if (too_long || p->names_capped)
            continue;
          /* NetBIOS: the first label is the encoded name, the rest its
           * scope. */
          if (out->len == 0 && p->flavour == NTPAC_DNS_FLAVOUR_NBNS &&
              append_netbios_name (out, label, len))
            continue;
          if (out->len > 0)
            g_string_append_c (out, '.');
          append_label (out, label, len);
        }
      else if ((len & 0xc0) == 0xc0)
        {
          guint8 low;
          gsize target;

          if (!ntpac_cursor_get_u8 (cur, &low))
            return name_ran_out (p, c, cur == c);
          target = ((gsize) (len & 0x3f) << 8) | low;
          seg_end[n_segments - 1] = here + 2;
          /* From here on @c is past the name whatever happens. */
          if (p->names_capped)
            return NAME_DAMAGED;
          if (target >= p->len || target < NTPAC_DNS_HEADER_LEN)
            return name_broken (p, FALSE, NTPAC_DNS_ANOMALY_BAD_POINTER);
          for (guint i = 0; i < n_segments; i++)
            if (target >= seg_start[i] && target < seg_end[i])
              return name_broken (p, FALSE, NTPAC_DNS_ANOMALY_LABEL_LOOP);
          /* Not into the current run and not backwards: forwards. So
           * the runs start ever earlier, and the walk ends. */
          if (target > here)
            return name_broken (p, FALSE, NTPAC_DNS_ANOMALY_BAD_POINTER);
          if (n_segments > NTPAC_DNS_MAX_POINTERS)
            return name_broken (p, FALSE, NTPAC_DNS_ANOMALY_TOO_MANY_POINTERS);
          ntpac_cursor_init (&jump, p->msg, p->len, p->len);
          if (!ntpac_cursor_seek (&jump, target))
            return name_broken (p, FALSE, NTPAC_DNS_ANOMALY_BAD_POINTER);
          cur = &jump;
          seg_start[n_segments++] = target;
        }
      else
        {
          /* 0x40-0xbf: a 64-191 byte label, or RFC 6891's deprecated
           * extended label types; either way the rest is unreadable. */
          return name_broken (p, cur == c, NTPAC_DNS_ANOMALY_BAD_LABEL);
        }
    }
}

/* ---- record data -------------------------------------------------------- */

/* Appends the name at @rd; FALSE if it could not be read in full. */
static gboolean
append_rdata_name (NtpacDnsParser *p,
                   NtpacCursor    *rd,
                   GString        *out)
{
  if (read_name (p, rd, p->name) != NAME_OK)
    return FALSE;
  g_string_append_len (out, p->name->str, p->name->len);
  return TRUE;
}

/* Exactly one address of @size bytes. */
static gboolean
format_address (NtpacCursor *rd,
                gsize        size,
                GString     *out)
{
  const guint8 *bytes;

  if (ntpac_cursor_remaining (rd) != size ||
      !ntpac_cursor_get_bytes (rd, size, &bytes))
    return FALSE;
  append_address (out, bytes, size);
  return TRUE;
}

/* One or more character strings, quoted, separated by spaces. */
static gboolean
format_txt (NtpacCursor *rd,
            GString     *out)
{
  if (ntpac_cursor_remaining (rd) == 0)
    return FALSE;
  while (ntpac_cursor_remaining (rd) > 0)
    {
      const guint8 *bytes;
      guint8 len;

      if (!ntpac_cursor_get_u8 (rd, &len) ||
          !ntpac_cursor_get_bytes (rd, len, &bytes))
        return FALSE;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      append_quoted (out, bytes, len);
    }
  return TRUE;
}

/* "pref exchange" */
static gboolean
format_mx (NtpacDnsParser *p,
           NtpacCursor    *rd,
           GString        *out)
{
  guint16 pref;

  if (!ntpac_cursor_get_u16_be (rd, &pref))
    return FALSE;
  g_string_append_printf (out, "%u ", pref);
  return append_rdata_name (p, rd, out);
}

/* "mname rname serial refresh retry expire minimum" */
static gboolean
format_soa (NtpacDnsParser *p,
            NtpacCursor    *rd,
            GString        *out)
{
  if (!append_rdata_name (p, rd, out))
    return FALSE;
  g_string_append_c (out, ' ');
  if (!append_rdata_name (p, rd, out))
    return FALSE;
  for (guint i = 0; i < 5; i++)
    {
      guint32 value;

      if (!ntpac_cursor_get_u32_be (rd, &value))
        return FALSE;
      g_string_append_printf (out, " %u", value);
    }
  return TRUE;
}

/* "priority weight port target" */
static gboolean
format_srv (NtpacDnsParser *p,
            NtpacCursor    *rd,
            GString        *out)
{
  guint16 priority, weight, port;

  if (!ntpac_cursor_get_u16_be (rd, &priority) ||
      !ntpac_cursor_get_u16_be (rd, &weight) ||
      !ntpac_cursor_get_u16_be (rd, &port))
    return FALSE;
  g_string_append_printf (out, "%u %u %u ", priority, weight, port);
  return append_rdata_name (p, rd, out);
}

/* "flags tag \"value\"" (RFC 8659 §4.1: the tag is never empty). */
static gboolean
format_caa (NtpacCursor *rd,
            GString     *out)
{
  const guint8 *tag, *value;
  guint8 flags, tag_len;
  gsize value_len;

  if (!ntpac_cursor_get_u8 (rd, &flags) ||
      !ntpac_cursor_get_u8 (rd, &tag_len) ||
      tag_len == 0 ||
      !ntpac_cursor_get_bytes (rd, tag_len, &tag))
    return FALSE;
  value_len = ntpac_cursor_remaining (rd);
  if (!ntpac_cursor_get_bytes (rd, value_len, &value))
    return FALSE;
  g_string_append_printf (out, "%u ", flags);
  append_string_body (out, tag, tag_len, FALSE);
  g_string_append_c (out, ' ');
  append_quoted (out, value, value_len);
  return TRUE;
}

static void
append_svc_key (GString *out,
                guint16  key)
{
  if (key < G_N_ELEMENTS (svc_keys))
    g_string_append (out, svc_keys[key]);
  else
    g_string_append_printf (out, "key%u", key);
}

/* A comma-separated list of addresses of @size bytes, at least one. */
static gboolean
format_address_list (NtpacCursor *value,
                     gsize        size,
                     GString     *out)
{
  gsize len = ntpac_cursor_remaining (value);

  if (len == 0 || len % size != 0)
    return FALSE;
  for (gsize i = 0; i < len / size; i++)
    {
      const guint8 *bytes;

      if (!ntpac_cursor_get_bytes (value, size, &bytes))
        return FALSE;
      if (i > 0)
        g_string_append_c (out, ',');
      append_address (out, bytes, size);
    }
  return TRUE;
}

/* One SvcParam as "key=value" (RFC 9460 §7 presentation formats, as dig
 * shows them: alpn and text values quoted, lists comma-separated). */
static gboolean
format_svc_param (guint16      key,
                  NtpacCursor *value,
                  GString     *out)
{
  gsize len = ntpac_cursor_remaining (value);
  const guint8 *bytes;

  append_svc_key (out, key);
  switch (key)
    {
    case SVC_KEY_MANDATORY:
      if (len == 0 || len % 2 != 0)
        return FALSE;
      g_string_append_c (out, '=');
      for (gsize i = 0; i < len / 2; i++)
        {
          guint16 k;

          if (!ntpac_cursor_get_u16_be (value, &k))
            return FALSE;
          if (i > 0)
            g_string_append_c (out, ',');
          append_svc_key (out, k);
        }
      return TRUE;

    case SVC_KEY_ALPN:
      if (len == 0)
        return FALSE;
      g_string_append (out, "=\"");
      for (guint i = 0; ntpac_cursor_remaining (value) > 0; i++)
        {
          guint8 id_len;

          if (!ntpac_cursor_get_u8 (value, &id_len) || id_len == 0 ||
              !ntpac_cursor_get_bytes (value, id_len, &bytes))
            return FALSE;
          if (i > 0)
            g_string_append_c (out, ',');
          append_string_body (out, bytes, id_len, TRUE);
        }
      g_string_append_c (out, '"');
      return TRUE;

    case SVC_KEY_NO_DEFAULT_ALPN:
    case SVC_KEY_OHTTP:
      return len == 0;

    case SVC_KEY_PORT:
      {
        guint16 port;

        if (len != 2 || !ntpac_cursor_get_u16_be (value, &port))
          return FALSE;
        g_string_append_printf (out, "=%u", port);
        return TRUE;
      }

    case SVC_KEY_IPV4HINT:
    case SVC_KEY_IPV6HINT:
      g_string_append_c (out, '=');
      return format_address_list (value, key == SVC_KEY_IPV4HINT ? 4 : 16, out);

    case SVC_KEY_ECH:
      {
        g_autofree gchar *base64 = NULL;

        if (len == 0 || !ntpac_cursor_get_bytes (value, len, &bytes))
          return FALSE;
        base64 = g_base64_encode (bytes, len);
        g_string_append_printf (out, "=%s", base64);
        return TRUE;
      }

    default:
      /* dohpath and unknown keys: a quoted string, or the key alone. */
      if (len == 0)
        return key != SVC_KEY_DOHPATH;
      if (!ntpac_cursor_get_bytes (value, len, &bytes))
        return FALSE;
      g_string_append_c (out, '=');
      append_quoted (out, bytes, len);
      return TRUE;
    }
}

/* "priority target key=value..." with the keys in strictly increasing
 * order, as RFC 9460 §2.2 requires of the wire form. */
static gboolean
format_svcb (NtpacDnsParser *p,
             NtpacCursor    *rd,
             GString        *out)
{
  guint16 priority;
  gint32 last_key = -1;

  if (!ntpac_cursor_get_u16_be (rd, &priority))
    return FALSE;
  g_string_append_printf (out, "%u ", priority);
  if (!append_rdata_name (p, rd, out))
    return FALSE;
  while (ntpac_cursor_remaining (rd) > 0)
    {
      guint16 key, len;
      NtpacCursor value;

      if (!ntpac_cursor_get_u16_be (rd, &key) ||
          !ntpac_cursor_get_u16_be (rd, &len) ||
          !ntpac_cursor_get_sub (rd, len, &value) ||
          (gint32) key <= last_key)
        return FALSE;
      last_key = key;
      g_string_append_c (out, ' ');
      if (!format_svc_param (key, &value, out))
        return FALSE;
    }
  return TRUE;
}

/* Shows @rd, the data of a record of @type, in @out; FALSE if it does not
 * hold what @type says (the caller shows it in hex instead). Name anomalies
 * are reported by read_name(); the caller reports the others. */
/* NB (RFC 1002 §4.2.2): entries of NB_FLAGS and an IPv4 address, shown
 * as "0x6000 192.0.2.7", space-separated. */
static gboolean
format_nb (NtpacCursor *rd,
           GString     *out)
{
  if (ntpac_cursor_remaining (rd) == 0)
    return FALSE;
  while (ntpac_cursor_remaining (rd) > 0)
    {
      const guint8 *address;
      guint16 flags;

      if (!ntpac_cursor_get_u16_be (rd, &flags) ||
          !ntpac_cursor_get_bytes (rd, 4, &address))
        return FALSE;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "0x%04x ", flags);
      append_address (out, address, 4);
    }
  return TRUE;
}

static gboolean
format_rdata (NtpacDnsParser *p,
              guint16         type,
              NtpacCursor    *rd,
              GString        *out)
{
  const guint8 *bytes;
  gsize len;

  if (p->flavour == NTPAC_DNS_FLAVOUR_NBNS)
    {
      if (type == NBNS_TYPE_NB)
        return format_nb (rd, out);
      /* NBSTAT's node status, and whatever else: not DNS's types. */
      len = ntpac_cursor_remaining (rd);
      if (!ntpac_cursor_get_bytes (rd, len, &bytes))
        return FALSE;
      append_hex (out, bytes, len);
      return TRUE;
    }
  switch (type)
    {
    case DNS_TYPE_A:
      return format_address (rd, 4, out);
    case DNS_TYPE_AAAA:
      return format_address (rd, 16, out);
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_DNAME:
      return append_rdata_name (p, rd, out);
    case DNS_TYPE_MX:
      return format_mx (p, rd, out);
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF:
      return format_txt (rd, out);
    case DNS_TYPE_SOA:
      return format_soa (p, rd, out);
    case DNS_TYPE_SRV:
      return format_srv (p, rd, out);
    case DNS_TYPE_CAA:
      return format_caa (rd, out);
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS:
      return format_svcb (p, rd, out);
    default:
      len = ntpac_cursor_remaining (rd);
      if (!ntpac_cursor_get_bytes (rd, len, &bytes))
        return FALSE;
      append_hex (out, bytes, len);
      return TRUE;
    }
}

/* ---- EDNS --------------------------------------------------------------- */

/* "address/source/scope" (RFC 7871 §6: exactly the bytes the source
 * prefix needs, families 1 and 2). */
static gboolean
format_client_subnet (NtpacCursor *value,
                      GString     *out)
{
  guint8 address[16] = { 0 };
  guint16 family;
  guint8 source, scope;
  gsize size;

  if (!ntpac_cursor_get_u16_be (value, &family) ||
      !ntpac_cursor_get_u8 (value, &source) ||
      !ntpac_cursor_get_u8 (value, &scope))
    return FALSE;
  if (family == 1)
    size = 4;
  else if (family == 2)
    size = 16;
  else
    return FALSE;
  if (source > size * 8 ||
      ntpac_cursor_remaining (value) != (source + 7u) / 8 ||
      !ntpac_cursor_copy_bytes (value, ntpac_cursor_remaining (value), address))
    return FALSE;
  append_address (out, address, size);
  g_string_append_printf (out, "/%u/%u", source, scope);
  return TRUE;
}

/* Shows one EDNS option's value; FALSE if it is malformed. */
static gboolean
format_edns_option (guint16      code,
                    NtpacCursor *value,
                    GString     *out)
{
  gsize len = ntpac_cursor_remaining (value);
  const guint8 *bytes;
  guint16 number;

  switch (code)
    {
    case EDNS_OPTION_ECS:
      return format_client_subnet (value, out);
    case EDNS_OPTION_KEEPALIVE:
      /* Absent in queries; in responses, the timeout in 100 ms units. */
      if (len == 0)
        return TRUE;
      if (len != 2 || !ntpac_cursor_get_u16_be (value, &number))
        return FALSE;
      g_string_append_printf (out, "%u", number);
      return TRUE;
    case EDNS_OPTION_PADDING:
      g_string_append_printf (out, "%" G_GSIZE_FORMAT, len);
      return TRUE;
    case EDNS_OPTION_EDE:
      /* "info-code" or "info-code \"extra text\"" */
      if (!ntpac_cursor_get_u16_be (value, &number) ||
          !ntpac_cursor_get_bytes (value, len - 2, &bytes))
        return FALSE;
      g_string_append_printf (out, "%u", number);
      if (len > 2)
        {
          g_string_append_c (out, ' ');
          append_quoted (out, bytes, len - 2);
        }
      return TRUE;
    default:
      if (!ntpac_cursor_get_bytes (value, len, &bytes))
        return FALSE;
      append_hex (out, bytes, len);
      return TRUE;
    }
}

/* Reads an OPT pseudo-record: @out gets its description ("udp_size=1232
 * version=0 do=1 ext_rcode=0 COOKIE=..."), and the first one in the
 * additional section becomes the message's EDNS. Broken options are shown
 * in hex; reading stops at the first one that overruns the data. */
static void
parse_opt (NtpacDnsParser  *p,
           NtpacDnsSection  section,
           gboolean         root_owner,
           guint16          udp_size,
           guint32          ttl,
           NtpacCursor     *rd,
           GString         *out)
{
  guint8 ext_rcode = (guint8) (ttl >> 24);
  guint8 version = (guint8) (ttl >> 16);
  gboolean do_bit = (ttl & EDNS_FLAG_DO) != 0;
  gboolean use = section == SECTION_ADDITIONAL && !p->seen_opt;
  NtpacRecordBuilder *edns = NULL;

  if (!use || !root_owner)
    report (p, NTPAC_DNS_ANOMALY_BAD_OPT);
  if (section == SECTION_ADDITIONAL)
    p->seen_opt = TRUE;

  g_string_append_printf (out, "udp_size=%u version=%u do=%d ext_rcode=%u",
                          udp_size, version, do_bit, ext_rcode);
  if (use)
    {
      edns = p->edns_scratch;
      ntpac_record_builder_open_fields (edns, "edns");
      ntpac_record_builder_add_uint16 (edns, "udp_size", udp_size);
      ntpac_record_builder_add_byte (edns, "version", version);
      ntpac_record_builder_add_boolean (edns, "do", do_bit);
      ntpac_record_builder_add_byte (edns, "ext_rcode", ext_rcode);
      ntpac_record_builder_open_list (edns, "options");
    }
  while (ntpac_cursor_remaining (rd) > 0)
    {
      g_autoptr(GString) value_text = g_string_new (NULL);
      const gchar *name;
      gchar name_buf[16];
      guint16 code, len;
      NtpacCursor value;
      const guint8 *value_bytes;

      if (!ntpac_cursor_get_u16_be (rd, &code) ||
          !ntpac_cursor_get_u16_be (rd, &len) ||
          !ntpac_cursor_get_sub (rd, len, &value))
        {
          report (p, NTPAC_DNS_ANOMALY_BAD_OPT);
          p->damaged = TRUE;
          break;
        }
      value_bytes = ntpac_cursor_here (&value);
      if (!format_edns_option (code, &value, value_text))
        {
          report (p, NTPAC_DNS_ANOMALY_BAD_OPT);
          p->damaged = TRUE;
          g_string_truncate (value_text, 0);
          append_hex (value_text, value_bytes, len);
        }
      name = lookup_name (edns_options, G_N_ELEMENTS (edns_options), code);
      if (name == NULL)
        {
          g_snprintf (name_buf, sizeof name_buf, "OPT%u", code);
          name = name_buf;
        }
      g_string_append_printf (out, " %s", name);
      if (value_text->len > 0)
        g_string_append_printf (out, "=%s", value_text->str);
      if (edns != NULL)
        {
          ntpac_record_builder_open_item (edns);
          ntpac_record_builder_add_uint16 (edns, "code", code);
          ntpac_record_builder_add_string (edns, "name", name, -1);
          ntpac_record_builder_add_string (edns, "data", value_text->str, (gssize) value_text->len);
          ntpac_record_builder_close_item (edns);
        }
    }

  if (edns != NULL)
    {
      ntpac_record_builder_close_list (edns);
      ntpac_record_builder_close_fields (edns);
      p->edns = edns;
      p->ext_rcode = ext_rcode;
    }
}

/* ---- sections ----------------------------------------------------------- */

/* Reads one question into @out; FALSE if reading must stop. The first
 * question's name and type are kept as soon as each is read. */
static gboolean
parse_question (NtpacDnsParser     *p,
                NtpacCursor        *c,
                NtpacRecordBuilder *out)
{
  gboolean first = p->qname == NULL;
  gchar type_buf[16], class_buf[16];
  const gchar *type_name;
  guint16 type, klass;

  if (read_name (p, c, p->name) == NAME_LOST)
    return FALSE;
  if (first)
    p->qname = g_strdup (p->name->str);
  if (!ntpac_cursor_get_u16_be (c, &type))
    {
      report_short (p, NTPAC_DNS_ANOMALY_TRUNCATED);
      return FALSE;
    }
  type_name = entry_type_to_string (p, type, type_buf);
  if (first)
    p->qtype = g_strdup (type_name);
  if (!ntpac_cursor_get_u16_be (c, &klass))
    {
      report_short (p, NTPAC_DNS_ANOMALY_TRUNCATED);
      return FALSE;
    }
  ntpac_record_builder_open_item (out);
  ntpac_record_builder_add_string (out, "name", p->name->str, (gssize) p->name->len);
  ntpac_record_builder_add_string (out, "type", type_name, -1);
  if (p->flavour == NTPAC_DNS_FLAVOUR_MDNS)
    {
      /* The top bit asks for a unicast response (RFC 6762 §5.4). */
      ntpac_record_builder_add_string (out, "class", class_to_string (klass & ~MDNS_CLASS_FLAG, class_buf), -1);
      if (klass & MDNS_CLASS_FLAG)
        ntpac_record_builder_add_boolean (out, "unicast_response", TRUE);
    }
  else
    ntpac_record_builder_add_string (out, "class", class_to_string (klass, class_buf), -1);
  ntpac_record_builder_close_item (out);
  return TRUE;
}

/* Reads one resource record into @out; FALSE if reading must stop. A
 * record cut short is left out: only whole records are shown. */
static gboolean
parse_record (NtpacDnsParser     *p,
              NtpacCursor        *c,
              NtpacDnsSection     section,
              NtpacRecordBuilder *out)
{
  g_autofree gchar *name = NULL;
  gchar type_buf[16], class_buf[16];
  guint16 type, klass, rdlength;
  guint32 ttl;
  NtpacCursor rd;

  if (read_name (p, c, p->name) == NAME_LOST)
    return FALSE;
  name = g_strdup (p->name->str);
  if (!ntpac_cursor_get_u16_be (c, &type) ||
      !ntpac_cursor_get_u16_be (c, &klass) ||
      !ntpac_cursor_get_u32_be (c, &ttl) ||
      !ntpac_cursor_get_u16_be (c, &rdlength) ||
      !ntpac_cursor_get_sub (c, rdlength, &rd))
    {
      report_short (p, NTPAC_DNS_ANOMALY_TRUNCATED);
      return FALSE;
    }

  g_string_truncate (p->data, 0);
  if (type == DNS_TYPE_OPT)
    parse_opt (p, section, g_str_equal (name, "."), klass, ttl, &rd, p->data);
  else if (rdlength == 0 &&
           (p->update || klass == DNS_CLASS_ANY ||
            klass == DNS_CLASS_NONE))
    {
      /* RFC 2136 §2.5: deletions and prerequisites carry no data. */
    }
  else
    {
      const guint8 *rdata = ntpac_cursor_here (&rd);
      guint reports = p->reports;

      if (!format_rdata (p, type, &rd, p->data) || ntpac_cursor_remaining (&rd) > 0)
        {
          /* Name anomalies are already there; the rest is "malformed". */
          if (p->reports == reports)
            report (p, NTPAC_DNS_ANOMALY_MALFORMED);
          p->damaged = TRUE;
          g_string_truncate (p->data, 0);
          append_hex (p->data, rdata, rdlength);
        }
    }

  ntpac_record_builder_open_item (out);
  ntpac_record_builder_add_string (out, "name", name, -1);
  ntpac_record_builder_add_string (out, "type", entry_type_to_string (p, type, type_buf), -1);
  ntpac_record_builder_add_uint32 (out, "ttl", ttl);
  ntpac_record_builder_add_string (out, "data", p->data->str, (gssize) p->data->len);
  /* In an UPDATE the class says what is asked (RFC 2136 §2.4, §2.5): ANY
   * and NONE delete or require absence, the zone's class adds. */
  if (p->update && (section == SECTION_ANSWER || section == SECTION_AUTHORITY))
    ntpac_record_builder_add_string (out, "class", class_to_string (klass, class_buf), -1);
  /* The top bit of an mDNS record's class: other records of its name and
   * type are outdated (RFC 6762 §10.2); an OPT's class is its UDP size. */
  if (p->flavour == NTPAC_DNS_FLAVOUR_MDNS && type != DNS_TYPE_OPT && (klass & MDNS_CLASS_FLAG))
    ntpac_record_builder_add_boolean (out, "cache_flush", TRUE);
  ntpac_record_builder_close_item (out);
  return TRUE;
}

/* Reads the @count entries of @section; FALSE if reading must stop. Every
 * entry consumes bytes, so a count larger than the message ends the loop
 * at the message's end. */
static gboolean
parse_section (NtpacDnsParser     *p,
               NtpacCursor        *c,
               NtpacDnsSection     section,
               guint16             count,
               NtpacRecordBuilder *out)
{
  for (guint i = 0; i < count; i++)
    {
      gboolean go_on;

      if (ntpac_cursor_remaining (c) == 0)
        {
          report_short (p, NTPAC_DNS_ANOMALY_COUNTS);
          return FALSE;
        }
      if (section == SECTION_QUESTION)
        go_on = parse_question (p, c, out);
      else
        go_on = parse_record (p, c, section, out);
      if (!go_on)
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint16      bit;
  const gchar *name;
} NtpacDnsFlagName;

/* The header's flags under the names the protocol gives them. */
static void
add_flags (NtpacRecordBuilder *b,
           NtpacDnsFlavour     flavour,
           guint16             flags)
{
  static const NtpacDnsFlagName dns[] = {
    { DNS_FLAG_AA, "aa" }, { DNS_FLAG_TC, "tc" }, { DNS_FLAG_RD, "rd" },
    { DNS_FLAG_RA, "ra" }, { DNS_FLAG_Z, "z" }, { DNS_FLAG_AD, "ad" },
    { DNS_FLAG_CD, "cd" },
  };
  static const NtpacDnsFlagName nbns[] = {
    { DNS_FLAG_AA, "aa" }, { DNS_FLAG_TC, "tc" }, { DNS_FLAG_RD, "rd" },
    { DNS_FLAG_RA, "ra" }, { NBNS_FLAG_B, "b" },
  };
  static const NtpacDnsFlagName llmnr[] = {
    { LLMNR_FLAG_C, "c" }, { DNS_FLAG_TC, "tc" }, { LLMNR_FLAG_T, "t" },
  };
  const NtpacDnsFlagName *names = dns;
  gsize n = G_N_ELEMENTS (dns);

  if (flavour == NTPAC_DNS_FLAVOUR_NBNS)
    names = nbns, n = G_N_ELEMENTS (nbns);
  else if (flavour == NTPAC_DNS_FLAVOUR_LLMNR)
    names = llmnr, n = G_N_ELEMENTS (llmnr);
  ntpac_record_builder_open_strings (b, "flags");
  for (gsize i = 0; i < n; i++)
    if (flags & names[i].bit)
      ntpac_record_builder_add_item_string (b, names[i].name, -1);
  ntpac_record_builder_close_strings (b);
}

/* A name from @table indexed by @value, else the number. */
static void
add_code (NtpacRecordBuilder *b,
          const gchar        *key,
          const gchar *const *table,
          guint               n,
          guint               value)
{
  gchar number[16];

  if (value < n && table[value] != NULL)
    {
      ntpac_record_builder_add_string (b, key, table[value], -1);
      return;
    }
  g_snprintf (number, sizeof number, "%u", value);
  ntpac_record_builder_add_string (b, key, number, -1);
}

/* ntpac_dns_message_write_flavour(), which also says how many steps the
 * names took. */
static gboolean
write_message (NtpacRecordBuilder  *record,
               const guint8        *data,
               gsize                len,
               NtpacDnsFlavour      flavour,
               GPtrArray           *anomalies,
               gchar              **qname,
               guint               *name_steps)
{
  NtpacRecordBuilder *sections[N_SECTIONS];
  NtpacDnsParser p = { 0 };
  NtpacCursor c;
  guint16 id, flags;
  guint16 counts[N_SECTIONS];
  gboolean go_on = TRUE;
  guint rcode;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  p.msg = data;
  p.len = len;
  p.anomalies = anomalies;
  p.first_anomaly = anomalies != NULL ? anomalies->len : 0;
  /* The end of @data is where the message was cut, not where a length
   * field said it ends: reading past it means "truncated". */
  ntpac_cursor_init (&c, data, len, NTPAC_CURSOR_OPEN_END);
  if (!ntpac_cursor_get_u16_be (&c, &id) ||
      !ntpac_cursor_get_u16_be (&c, &flags) ||
      !ntpac_cursor_get_u16_be (&c, &counts[SECTION_QUESTION]) ||
      !ntpac_cursor_get_u16_be (&c, &counts[SECTION_ANSWER]) ||
      !ntpac_cursor_get_u16_be (&c, &counts[SECTION_AUTHORITY]) ||
      !ntpac_cursor_get_u16_be (&c, &counts[SECTION_ADDITIONAL]))
    {
      report (&p, NTPAC_DNS_ANOMALY_TRUNCATED);
      return FALSE;
    }
  p.flavour = flavour;
  p.opcode = DNS_OPCODE (flags);
  /* NetBIOS's opcode 5 is a name registration, not a DNS UPDATE. */
  p.update = p.opcode == DNS_OPCODE_UPDATE && flavour != NTPAC_DNS_FLAVOUR_NBNS;
  p.tc = (flags & DNS_FLAG_TC) != 0;
  p.name = g_string_sized_new (64);
  p.data = g_string_sized_new (64);

  /* The sections come first in the message, but after the header's
   * fields in the record (whose rcode EDNS extends): each is written
   * aside, then appended. */
  p.edns_scratch = ntpac_record_builder_take ();
  for (guint s = 0; s < N_SECTIONS; s++)
    {
      sections[s] = ntpac_record_builder_take ();
      ntpac_record_builder_open_list (sections[s], p.update ? update_section_keys[s]
                                                                                 : section_keys[s]);
      if (go_on)
        go_on = parse_section (&p, &c, s, counts[s], sections[s]);
      ntpac_record_builder_close_list (sections[s]);
    }
  if (go_on && ntpac_cursor_remaining (&c) > 0)
    report (&p, NTPAC_DNS_ANOMALY_TRAILING_DATA);

  rcode = DNS_RCODE (flags) | ((guint) p.ext_rcode << 4);
  ntpac_record_builder_add_uint16 (record, "id", id);
  ntpac_record_builder_add_boolean (record, "is_response", (flags & DNS_FLAG_QR) != 0);
  if (flavour == NTPAC_DNS_FLAVOUR_NBNS)
    add_code (record, "opcode", nbns_opcodes, G_N_ELEMENTS (nbns_opcodes), p.opcode);
  else
    add_code (record, "opcode", dns_opcodes, G_N_ELEMENTS (dns_opcodes), p.opcode);
  add_code (record, "rcode", dns_rcodes, G_N_ELEMENTS (dns_rcodes), rcode);
  add_flags (record, flavour, flags);
  ntpac_record_builder_add_string (record, "qname", p.qname != NULL ? p.qname : "", -1);
  ntpac_record_builder_add_string (record, "qtype", p.qtype != NULL ? p.qtype : "", -1);
  if (p.update)
    ntpac_record_builder_add_string (record, "zone", p.qname != NULL ? p.qname : "", -1);
  for (guint s = 0; s < N_SECTIONS; s++)
    {
      ntpac_record_builder_append (record, sections[s]);
      ntpac_record_builder_give_back (sections[s]);
    }
  if (p.edns != NULL)
    ntpac_record_builder_append (record, p.edns);
  ntpac_record_builder_give_back (p.edns_scratch);
  ntpac_record_builder_add_boolean (record, "complete", !p.damaged);

  if (qname != NULL)
    *qname = p.qname != NULL && p.qname[0] != '\0' ? g_steal_pointer (&p.qname) : NULL;
  g_free (p.qname);
  g_free (p.qtype);
  g_string_free (p.name, TRUE);
  g_string_free (p.data, TRUE);
  if (name_steps != NULL)
    *name_steps = p.name_steps;
  return TRUE;
}

/**
 * ntpac_dns_message_write:
 * @record: where the message's fields go (added to those already there)
 * @data: (array length=len): one DNS message: a UDP payload, or a message
 *   taken out of a TCP stream by ntpac_dns_tcp_next()
 * @len: its size in bytes
 * @anomalies: (nullable) (element-type utf8): where to append the ids of
 *   what is wrong with the message (the `NTPAC_DNS_ANOMALY_*` static
 *   strings; the array must not free its elements); each id at most once
 * @qname: (out) (optional) (transfer full): the name of the first
 *   question, %NULL if none was read
 *
 * Parses a DNS message into an `a{sv}` record: `id` (q), `is_response`
 * (b), `opcode` (s), `rcode` (s, extended by EDNS), `flags` (as: "aa",
 * "tc", "rd", "ra", "z", "ad", "cd" when set), `qname` and `qtype` (s, of
 * the first question, "" if none was read), `questions` (aa{sv}: name,
 * type, class), `answers`, `authority`, `additional` (aa{sv}: name, type,
 * ttl (u), data), `edns` (a{sv}: udp_size (q), version (y), do (b),
 * ext_rcode (y), options (aa{sv}: code (q), name, data)) when the
 * additional section has an OPT record, and `complete` (b).
 *
 * A broken message never fails: what could be read is in the record,
 * `complete` is %FALSE if anything the header counts could not be read in
 * full, and @anomalies says why. Records cut short are left out. An
 * UPDATE message (RFC 2136) has `zone` (s, the zone section's name, also
 * `qname`), its zone section in `questions`, and `prerequisites`,
 * `updates` and `additional` instead of the answer, authority and
 * additional sections; entries of the first two also have `class` (s),
 * which says whether they add, delete or require.
 *
 * In another @flavour than %NTPAC_DNS_FLAVOUR_DNS, the protocol's own
 * conventions apply: NetBIOS names are decoded ("WORKGROUP<1d>", the
 * scope after it), its opcodes, flags ("b": broadcast) and NB and NBSTAT
 * records named, and its opcode 5 is a registration, not an UPDATE;
 * an mDNS question's class loses its top bit, which becomes
 * `unicast_response` (b), and a record's becomes `cache_flush` (b);
 * LLMNR's flags are "c", "tc" and "t".
 *
 * Returns: %FALSE, with nothing added, if @len is less than the 12-byte
 *   header (with %NTPAC_DNS_ANOMALY_TRUNCATED)
 */
gboolean
ntpac_dns_message_write_flavour (NtpacRecordBuilder  *record,
                                 const guint8        *data,
                                 gsize                len,
                                 NtpacDnsFlavour      flavour,
                                 GPtrArray           *anomalies,
                                 gchar              **qname)
{
  return write_message (record, data, len, flavour, anomalies, qname, NULL);
}

/**
 * ntpac_dns_message_count_name_steps:
 * @data: (array length=len): one DNS message
 * @len: its size in bytes
 *
 * The work its names take to read, which tests check without a clock.
 *
 * Returns: the label and pointer steps its names took
 */
guint
ntpac_dns_message_count_name_steps (const guint8 *data,
                                    gsize         len)
{
  g_autoptr(NtpacRecordBuilder) record = ntpac_record_builder_new ();
  guint steps = 0;

  if (write_message (record, data, len, NTPAC_DNS_FLAVOUR_DNS, NULL, NULL, &steps))
    g_variant_unref (g_variant_ref_sink (ntpac_record_builder_end (record)));
  return steps;
}

/**
 * ntpac_dns_message_write:
 * @record: where the message's fields go
 * @data: (array length=len): one DNS message
 * @len: its size in bytes
 * @anomalies: (nullable) (element-type utf8): where to append anomaly ids
 * @qname: (out) (optional) (transfer full): the first question's name
 *
 * ntpac_dns_message_write_flavour() for plain DNS.
 *
 * Returns: %FALSE if @len is less than the 12-byte header
 */
gboolean
ntpac_dns_message_write (NtpacRecordBuilder  *record,
                         const guint8        *data,
                         gsize                len,
                         GPtrArray           *anomalies,
                         gchar              **qname)
{
  return ntpac_dns_message_write_flavour (record, data, len, NTPAC_DNS_FLAVOUR_DNS, anomalies, qname);
}

/**
 * ntpac_dns_flavour_to_string:
 * @flavour: a protocol of the DNS family
 *
 * Returns: its name as records and conversations carry it: "dns",
 *   "nbns", "mdns" or "llmnr"
 */
const gchar *
ntpac_dns_flavour_to_string (NtpacDnsFlavour flavour)
{
  switch (flavour)
    {
    case NTPAC_DNS_FLAVOUR_NBNS:
      return "nbns";
    case NTPAC_DNS_FLAVOUR_MDNS:
      return "mdns";
    case NTPAC_DNS_FLAVOUR_LLMNR:
      return "llmnr";
    case NTPAC_DNS_FLAVOUR_DNS:
    default:
      return "dns";
    }
}

/**
 * ntpac_dns_message_parse:
 * @data: (array length=len): one DNS message
 * @len: its size in bytes
 * @anomalies: (nullable) (element-type utf8): where to append the ids of
 *   the anomalies found
 *
 * ntpac_dns_message_write(), as a value.
 *
 * Returns: (transfer floating) (nullable): the record, or %NULL if @len is
 *   less than the 12-byte header
 */
GVariant *
ntpac_dns_message_parse (const guint8 *data,
                         gsize         len,
                         GPtrArray    *anomalies)
{
  g_autoptr(NtpacRecordBuilder) record = ntpac_record_builder_new ();

  if (!ntpac_dns_message_write (record, data, len, anomalies, NULL))
    return NULL;
  return ntpac_record_builder_end (record);
}

/**
 * ntpac_dns_tcp_next:
 * @data: (array length=len): the bytes of a DNS over TCP stream, starting
 *   at a message's 2-byte length prefix (RFC 7766 §8)
 * @len: how many bytes are there
 * @msg_offset: (out) (optional): where the message starts (after its
 *   prefix)
 * @msg_len: (out) (optional): the message's size
 * @needed: (out) (optional): for %NTPAC_DNS_TCP_INCOMPLETE, how many bytes
 *   from the start of @data are needed to try again
 *
 * Finds the first message of a stream. On %NTPAC_DNS_TCP_OK the caller
 * consumes @msg_offset + @msg_len bytes and calls again for the next one.
 * Outputs not set by a status are 0.
 *
 * Returns: %NTPAC_DNS_TCP_OK, %NTPAC_DNS_TCP_INCOMPLETE, or
 *   %NTPAC_DNS_TCP_MALFORMED for a zero length prefix
 */
NtpacDnsTcpStatus
ntpac_dns_tcp_next (const guint8 *data,
                    gsize         len,
                    gsize        *msg_offset,
                    gsize        *msg_len,
                    gsize        *needed)
{
  NtpacCursor c;
  guint16 prefix;
  gsize offset = 0, size = 0, want = 0;
  NtpacDnsTcpStatus status;

  g_return_val_if_fail (data != NULL || len == 0, NTPAC_DNS_TCP_MALFORMED);

  /* A stream has no known end: running out means "incomplete". */
  ntpac_cursor_init (&c, data, len, NTPAC_CURSOR_OPEN_END);
  if (!ntpac_cursor_get_u16_be (&c, &prefix))
    {
      status = NTPAC_DNS_TCP_INCOMPLETE;
      want = c.needed;
    }
  else if (prefix == 0)
    status = NTPAC_DNS_TCP_MALFORMED;
  else if (!ntpac_cursor_skip (&c, prefix))
    {
      status = NTPAC_DNS_TCP_INCOMPLETE;
      want = c.needed;
    }
  else
    {
      status = NTPAC_DNS_TCP_OK;
      offset = 2;
      size = prefix;
    }

  if (msg_offset != NULL)
    *msg_offset = offset;
  if (msg_len != NULL)
    *msg_len = size;
  if (needed != NULL)
    *needed = want;
  return status;
}

/**
 * ntpac_dns_probe:
 * @data: (array length=len): the first bytes of a UDP payload or of a TCP
 *   stream
 * @len: how many bytes are there
 * @tcp: whether @data starts with RFC 7766's 2-byte length prefix
 *
 * Guesses, without allocating, whether @data is a DNS message whatever
 * the port. It checks the header (a known opcode, the Z bit clear, no
 * rcode in a query and no unassigned one, at least one entry, and counts
 * that fit in the message: 5 bytes at least per question and 11 per
 * record, against the length prefix over TCP) and the first entry (a name
 * of plain labels ending within 255 bytes, a type other than 0 and a known
 * class, ignoring mDNS's top class bit).
 *
 * False positives: mDNS, LLMNR and NetBIOS name service messages have
 * this format and are accepted by design. Text fails the opcode, Z bit
 * or count checks (ASCII in the count fields makes them thousands); a TLS
 * record fails the rcode or count checks; uniformly random bytes pass
 * with a probability around 2^-40. What remains is binary data that
 * happens to start with small 16-bit fields followed by a short
 * length-prefixed string and the values 1-4, 254 or 255: a payload of
 * zeros with a 0x0001 at offset 4, 10 or 16 passes. Callers pin the
 * dissector by port first and probe only unclaimed traffic.
 * False negatives: over TCP the first name must be in @data, so a stream
 * whose first segment holds only the length prefix is not recognised until
 * more of it is there; a message with no entries (DSO keepalives) is
 * never recognised.
 *
 * Returns: %TRUE if @data looks like DNS
 */
gboolean
ntpac_dns_probe (const guint8 *data,
                 gsize         len,
                 gboolean      tcp)
{
  NtpacCursor c;
  gsize msg_len = len;
  guint16 flags, qd, an, ns, ar, type, klass;
  guint64 min_len;
  gsize name_len = 0;
  guint opcode;

  if (data == NULL)
    return FALSE;
  ntpac_cursor_init (&c, data, len, len);
  if (tcp)
    {
      guint16 prefix;

      if (!ntpac_cursor_get_u16_be (&c, &prefix))
        return FALSE;
      /* Only the first message counts. */
      msg_len = prefix;
      ntpac_cursor_init (&c, ntpac_cursor_here (&c),
                         MIN (ntpac_cursor_remaining (&c), msg_len), msg_len);
    }
  if (!ntpac_cursor_skip (&c, 2) ||
      !ntpac_cursor_get_u16_be (&c, &flags) ||
      !ntpac_cursor_get_u16_be (&c, &qd) ||
      !ntpac_cursor_get_u16_be (&c, &an) ||
      !ntpac_cursor_get_u16_be (&c, &ns) ||
      !ntpac_cursor_get_u16_be (&c, &ar))
    return FALSE;

  opcode = DNS_OPCODE (flags);
  if (opcode >= G_N_ELEMENTS (dns_opcodes) || dns_opcodes[opcode] == NULL)
    return FALSE;
  if ((flags & DNS_FLAG_Z) != 0)
    return FALSE;
  if ((flags & DNS_FLAG_QR) == 0 && DNS_RCODE (flags) != 0)
    return FALSE;
  /* 12-15 are unassigned, and no extended rcode has those low bits. */
  if (DNS_RCODE (flags) > 11)
    return FALSE;
  if ((guint) qd + an + ns + ar == 0)
    return FALSE;
  min_len = NTPAC_DNS_HEADER_LEN + (guint64) qd * DNS_MIN_QUESTION_LEN +
            ((guint64) an + ns + ar) * DNS_MIN_RECORD_LEN;
  if (min_len > msg_len)
    return FALSE;

  /* The first name cannot be compressed: nothing before it is a name. */
  for (;;)
    {
      guint8 label_len;

      if (!ntpac_cursor_get_u8 (&c, &label_len))
        return FALSE;
      if (label_len == 0)
        break;
      if (label_len > NTPAC_DNS_MAX_LABEL_LEN)
        return FALSE;
      name_len += 1 + label_len;
      if (name_len + 1 > NTPAC_DNS_MAX_NAME_LEN ||
          !ntpac_cursor_skip (&c, label_len))
        return FALSE;
    }
  if (!ntpac_cursor_get_u16_be (&c, &type) ||
      !ntpac_cursor_get_u16_be (&c, &klass))
    return FALSE;
  if (type == 0)
    return FALSE;
  /* An OPT record's class is its UDP size. */
  if (qd == 0 && type == DNS_TYPE_OPT)
    return TRUE;
  return lookup_name (dns_classes, G_N_ELEMENTS (dns_classes), klass & 0x7fff) != NULL;
}
