/* gen-protocols.c: wire encoders for the traffic generator
 *
 * HTTP/1.1 RFC 9112 (chunked coding §7.1), DNS RFC 1035 (name compression
 * §4.1.4) with an EDNS(0) OPT record (RFC 6891), TLS 1.2 RFC 5246 with the
 * extensions of RFC 6066, RFC 7301, RFC 7627, RFC 8422 and RFC 5746.
 */

#include "gen-protocols.h"

#include <arpa/inet.h>
#include <string.h>

#include <zlib.h>

#include "gen-util.h"

static void
put_u8 (GByteArray *out,
        guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

static void
put_u16 (GByteArray *out,
         guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 bytes[4] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static void
put_bytes (GByteArray *out,
           const void *data,
           gsize       len)
{
  g_byte_array_append (out, data, len);
}

/* Reserves a big-endian length field of @size bytes; end_block() fills it
 * with the number of bytes appended after it. */
static gsize
begin_block (GByteArray *out,
             guint       size)
{
  static const guint8 zeros[4] = { 0 };
  gsize offset = out->len;

  g_byte_array_append (out, zeros, size);
  return offset;
}

static void
end_block (GByteArray *out,
           gsize       offset,
           guint       size)
{
  gsize len = out->len - offset - size;

  g_assert (size == 4 || len < (G_GUINT64_CONSTANT (1) << (8 * size)));
  for (guint i = 0; i < size; i++)
    out->data[offset + i] = (len >> (8 * (size - 1 - i))) & 0xff;
}

/* HTTP */

/**
 * gen_http_append_request_head:
 * @out: where to append
 * @request: request line and header values
 *
 * Appends an HTTP/1.1 request line and header section, as a browser sends
 * them on a keep-alive connection.
 */
void
gen_http_append_request_head (GString              *out,
                              const GenHttpRequest *request)
{
  g_string_append_printf (out,
                          "%s %s HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "User-Agent: %s\r\n"
                          "Accept: %s\r\n"
                          "Accept-Language: en-US,en;q=0.9\r\n",
                          request->method, request->uri, request->host,
                          request->user_agent, request->accept);
  if (request->accept_gzip)
    g_string_append (out, "Accept-Encoding: gzip, deflate\r\n");
  if (request->content_type != NULL)
    g_string_append_printf (out,
                            "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n",
                            request->content_type, request->body_len);
  g_string_append (out, "Connection: keep-alive\r\n\r\n");
}

/**
 * gen_http_append_response_head:
 * @out: where to append
 * @response: status and header values
 *
 * Appends an HTTP/1.1 status line and header section. A response with a
 * content type has a body, framed by Content-Length or chunked coding.
 */
void
gen_http_append_response_head (GString               *out,
                               const GenHttpResponse *response)
{
  gchar date[32];

  gen_format_http_date (response->date, date);
  g_string_append_printf (out,
                          "HTTP/1.1 %u %s\r\n"
                          "Server: %s\r\n"
                          "Date: %s\r\n",
                          response->status, response->reason, response->server,
                          date);
  if (response->content_type != NULL)
    {
      g_string_append_printf (out, "Content-Type: %s\r\n",
                              response->content_type);
      if (response->chunked)
        g_string_append (out, "Transfer-Encoding: chunked\r\n");
      else
        g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n",
                                response->content_length);
    }
  if (response->gzip)
    g_string_append (out,
                     "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
  if (response->trailer)
    g_string_append (out, "Trailer: X-Checksum\r\n");
  if (response->location != NULL)
    g_string_append_printf (out, "Location: %s\r\n", response->location);
  if (response->status == 200)
    g_string_append (out, "Cache-Control: max-age=3600\r\n");
  g_string_append (out, "Connection: keep-alive\r\n\r\n");
}

/**
 * gen_http_append_chunked:
 * @out: where to append
 * @rand: random source for chunk sizes and extensions
 * @body: (array length=len): payload body (after any content coding)
 * @len: length of @body
 * @trailer: whether to end with an X-Checksum trailer field
 *
 * Appends @body in chunked transfer coding: chunks of 256 B to 16 KiB with
 * lowercase hex sizes, some with a chunk extension, then the last chunk
 * and the trailer section.
 */
void
gen_http_append_chunked (GByteArray   *out,
                         GRand        *rand,
                         const guint8 *body,
                         gsize         len,
                         gboolean      trailer)
{
  gsize offset = 0;
  gchar line[64];

  while (offset < len)
    {
      gsize wanted = g_rand_int_range (rand, 256, 16385);
      gsize chunk = MIN (len - offset, wanted);
      gint line_len;

      if (gen_rand_chance (rand, 0.1))
        line_len = g_snprintf (line, sizeof line,
                               "%" G_GSIZE_MODIFIER "x;sig=%08x\r\n",
                               chunk, g_rand_int (rand));
      else
        line_len =
          g_snprintf (line, sizeof line, "%" G_GSIZE_MODIFIER "x\r\n", chunk);
      put_bytes (out, line, line_len);
      put_bytes (out, body + offset, chunk);
      put_bytes (out, "\r\n", 2);
      offset += chunk;
    }
  put_bytes (out, "0\r\n", 3);
  if (trailer)
    {
      gint line_len = g_snprintf (line, sizeof line, "X-Checksum: %08lx\r\n",
                                  crc32 (0, body, len));

      put_bytes (out, line, line_len);
    }
  put_bytes (out, "\r\n", 2);
}

/* DNS */

#define DNS_CLASS_IN 1
#define DNS_TYPE_OPT 41
#define DNS_EDNS_UDP_SIZE 1232
#define DNS_MAX_COMPRESSION_ENTRIES 64

typedef struct
{
  GByteArray *out;
  gsize message_start;
  /* Names already written, by suffix, for compression pointers. */
  const gchar *suffixes[DNS_MAX_COMPRESSION_ENTRIES];
  guint16 offsets[DNS_MAX_COMPRESSION_ENTRIES];
  guint n_entries;
} DnsWriter;

static void
dns_put_name (DnsWriter   *writer,
              const gchar *name)
{
  const gchar *p = name;

  while (*p != '\0')
    {
      gsize offset = writer->out->len - writer->message_start;
      gsize label_len;

      for (guint i = 0; i < writer->n_entries; i++)
        {
          if (g_ascii_strcasecmp (writer->suffixes[i], p) == 0)
            {
              put_u16 (writer->out, 0xc000 | writer->offsets[i]);
              return;
            }
        }
      if (offset < 0x4000 && writer->n_entries < DNS_MAX_COMPRESSION_ENTRIES)
        {
          writer->suffixes[writer->n_entries] = p;
          writer->offsets[writer->n_entries] = offset;
          writer->n_entries++;
        }

      label_len = strcspn (p, ".");
      g_assert (label_len > 0 && label_len < 64);
      put_u8 (writer->out, label_len);
      put_bytes (writer->out, p, label_len);
      p += label_len;
      if (*p == '.')
        p++;
    }
  put_u8 (writer->out, 0);
}

static void
dns_put_address (DnsWriter   *writer,
                 int          family,
                 const gchar *text)
{
  guint8 address[16];

  if (inet_pton (family, text, address) != 1)
    g_error ("Invalid address “%s” in a DNS record", text);
  put_bytes (writer->out, address, family == AF_INET ? 4 : 16);
}

static void
dns_put_record (DnsWriter          *writer,
                const GenDnsRecord *record)
{
  gsize rdlength;

  dns_put_name (writer, record->name);
  put_u16 (writer->out, record->type);
  put_u16 (writer->out, DNS_CLASS_IN);
  put_u32 (writer->out, record->ttl);
  rdlength = begin_block (writer->out, 2);
  switch (record->type)
    {
    case GEN_DNS_TYPE_A:
      dns_put_address (writer, AF_INET, record->data);
      break;
    case GEN_DNS_TYPE_AAAA:
      dns_put_address (writer, AF_INET6, record->data);
      break;
    case GEN_DNS_TYPE_CNAME:
      dns_put_name (writer, record->data);
      break;
    case GEN_DNS_TYPE_MX:
      put_u16 (writer->out, record->preference);
      dns_put_name (writer, record->data);
      break;
    case GEN_DNS_TYPE_TXT:
      g_assert (strlen (record->data) < 256);
      put_u8 (writer->out, strlen (record->data));
      put_bytes (writer->out, record->data, strlen (record->data));
      break;
    case GEN_DNS_TYPE_SOA:
      dns_put_name (writer, record->data);
      dns_put_name (writer, record->mailbox);
      put_u32 (writer->out, record->serial);
      put_u32 (writer->out, 7200);     /* refresh */
      put_u32 (writer->out, 3600);     /* retry */
      put_u32 (writer->out, 1209600);  /* expire */
      put_u32 (writer->out, 300);      /* minimum */
      break;
    default:
      g_assert_not_reached ();
    }
  end_block (writer->out, rdlength, 2);
}

/**
 * gen_dns_encode:
 * @out: where to append
 * @message: the message
 *
 * Appends a DNS message with one question, its answer and authority
 * records (names compressed) and an EDNS(0) OPT record.
 */
void
gen_dns_encode (GByteArray          *out,
                const GenDnsMessage *message)
{
  DnsWriter writer = { out, out->len, { NULL }, { 0 }, 0 };
  /* Query: RD. Response: QR, RD, RA and the rcode. */
  guint16 flags = message->is_response ? 0x8180 | message->rcode : 0x0100;

  put_u16 (out, message->id);
  put_u16 (out, flags);
  put_u16 (out, 1);
  put_u16 (out, message->n_answers);
  put_u16 (out, message->n_authority);
  put_u16 (out, 1);

  dns_put_name (&writer, message->qname);
  put_u16 (out, message->qtype);
  put_u16 (out, DNS_CLASS_IN);
  for (guint i = 0; i < message->n_answers; i++)
    dns_put_record (&writer, &message->answers[i]);
  for (guint i = 0; i < message->n_authority; i++)
    dns_put_record (&writer, &message->authority[i]);

  put_u8 (out, 0);  /* root name */
  put_u16 (out, DNS_TYPE_OPT);
  put_u16 (out, DNS_EDNS_UDP_SIZE);
  put_u32 (out, 0);
  put_u16 (out, 0);
}

static const gchar *
dns_type_name (guint16 type)
{
  switch (type)
    {
    case GEN_DNS_TYPE_A:
      return "A";
    case GEN_DNS_TYPE_AAAA:
      return "AAAA";
    case GEN_DNS_TYPE_CNAME:
      return "CNAME";
    case GEN_DNS_TYPE_MX:
      return "MX";
    case GEN_DNS_TYPE_TXT:
      return "TXT";
    case GEN_DNS_TYPE_SOA:
      return "SOA";
    default:
      g_assert_not_reached ();
    }
}

/**
 * gen_dns_append_truth:
 * @out: where to append
 * @flow: flow index
 * @message: the message
 *
 * Appends the ground-truth line of a DNS message, without the newline.
 */
void
gen_dns_append_truth (GString             *out,
                      guint64              flow,
                      const GenDnsMessage *message)
{
  g_string_append_printf (out,
                          "{\"type\":\"dns\",\"flow\":%" G_GUINT64_FORMAT ",\"id\":%u,"
                          "\"is_response\":%s,\"opcode\":\"QUERY\",\"rcode\":\"%s\",\"qname\":",
                          flow, message->id,
                          message->is_response ? "true" : "false",
                          message->rcode == GEN_DNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "NOERROR");
  gen_json_append_string (out, message->qname);
  g_string_append_printf (out, ",\"qtype\":\"%s\",\"answers\":[",
                          dns_type_name (message->qtype));
  for (guint i = 0; i < message->n_answers; i++)
    {
      const GenDnsRecord *record = &message->answers[i];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"name\":");
      gen_json_append_string (out, record->name);
      g_string_append_printf (out, ",\"type\":\"%s\",\"ttl\":%u,\"data\":",
                              dns_type_name (record->type), record->ttl);
      if (record->type == GEN_DNS_TYPE_MX)
        {
          g_autofree gchar *text =
            g_strdup_printf ("%u %s", record->preference, record->data);

          gen_json_append_string (out, text);
        }
      else if (record->type == GEN_DNS_TYPE_TXT)
        {
          /* presentation format, as in a zone file: one quoted string
           * (the generated texts hold no quote or backslash) */
          g_autofree gchar *text = g_strdup_printf ("\"%s\"", record->data);

          gen_json_append_string (out, text);
        }
      else
        {
          gen_json_append_string (out, record->data);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

/* TLS */

#define TLS_CONTENT_CHANGE_CIPHER_SPEC 20
#define TLS_CONTENT_ALERT 21
#define TLS_CONTENT_HANDSHAKE 22
#define TLS_CONTENT_APPLICATION_DATA 23
#define TLS_VERSION_1_0 0x0301
#define TLS_VERSION_1_2 0x0303
#define TLS_MAX_CIPHERTEXT 16408   /* 2^14 + explicit nonce + GCM tag */

#define TLS_HANDSHAKE_CLIENT_HELLO 1
#define TLS_HANDSHAKE_SERVER_HELLO 2
#define TLS_HANDSHAKE_CERTIFICATE 11
#define TLS_HANDSHAKE_SERVER_KEY_EXCHANGE 12
#define TLS_HANDSHAKE_SERVER_HELLO_DONE 14
#define TLS_HANDSHAKE_CLIENT_KEY_EXCHANGE 16

#define TLS_EXT_SERVER_NAME 0x0000
#define TLS_EXT_STATUS_REQUEST 0x0005
#define TLS_EXT_SUPPORTED_GROUPS 0x000a
#define TLS_EXT_EC_POINT_FORMATS 0x000b
#define TLS_EXT_SIGNATURE_ALGORITHMS 0x000d
#define TLS_EXT_ALPN 0x0010
#define TLS_EXT_EXTENDED_MASTER_SECRET 0x0017
#define TLS_EXT_SESSION_TICKET 0x0023
#define TLS_EXT_RENEGOTIATION_INFO 0xff01

#define TLS_GROUP_X25519 0x001d
#define TLS_SIGNATURE_ED25519 0x0807
#define TLS_CIPHER_ECDHE_ECDSA_AES_128_GCM_SHA256 0xc02b

static const guint16 client_cipher_suites[] = {
  0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009,
  0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
};
static const guint16 supported_groups[] = { TLS_GROUP_X25519, 0x0017, 0x0018, 0x0019 };
static const guint16 signature_algorithms[] = {
  TLS_SIGNATURE_ED25519, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
  0x0601,
};

static gsize
begin_record (GByteArray *out,
              guint8      content_type,
              guint16     version)
{
  put_u8 (out, content_type);
  put_u16 (out, version);
  return begin_block (out, 2);
}

static gsize
begin_handshake (GByteArray *out,
                 guint8      type)
{
  put_u8 (out, type);
  return begin_block (out, 3);
}

static gsize
begin_extension (GByteArray *out,
                 guint16     type)
{
  put_u16 (out, type);
  return begin_block (out, 2);
}

static void
put_u16_list (GByteArray    *out,
              const guint16 *values,
              guint          n_values)
{
  gsize list = begin_block (out, 2);

  for (guint i = 0; i < n_values; i++)
    put_u16 (out, values[i]);
  end_block (out, list, 2);
}

static void
put_alpn_extension (GByteArray         *out,
                    const gchar *const *protocols)
{
  gsize ext = begin_extension (out, TLS_EXT_ALPN);
  gsize list = begin_block (out, 2);

  for (guint i = 0; protocols[i] != NULL; i++)
    {
      put_u8 (out, strlen (protocols[i]));
      put_bytes (out, protocols[i], strlen (protocols[i]));
    }
  end_block (out, list, 2);
  end_block (out, ext, 2);
}

static void
put_empty_extension (GByteArray *out,
                     guint16     type)
{
  put_u16 (out, type);
  put_u16 (out, 0);
}

static void
put_shared_hello_extensions (GByteArray *out)
{
  gsize ext;

  put_empty_extension (out, TLS_EXT_EXTENDED_MASTER_SECRET);
  ext = begin_extension (out, TLS_EXT_RENEGOTIATION_INFO);
  put_u8 (out, 0);
  end_block (out, ext, 2);
  ext = begin_extension (out, TLS_EXT_EC_POINT_FORMATS);
  put_u8 (out, 1);
  put_u8 (out, 0);  /* uncompressed */
  end_block (out, ext, 2);
}

/**
 * gen_tls_append_client_hello:
 * @out: where to append
 * @random: 32 bytes of client random
 * @session_id: 32 bytes of session id
 * @server_name: SNI host name
 * @alpn: (array zero-terminated=1): protocols offered by ALPN
 *
 * Appends a handshake record with a browser-like TLS 1.2 ClientHello.
 */
void
gen_tls_append_client_hello (GByteArray         *out,
                             const guint8       *random,
                             const guint8       *session_id,
                             const gchar        *server_name,
                             const gchar *const *alpn)
{
  gsize record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_0);
  gsize hello = begin_handshake (out, TLS_HANDSHAKE_CLIENT_HELLO);
  gsize extensions, ext, list;

  put_u16 (out, TLS_VERSION_1_2);
  put_bytes (out, random, GEN_TLS_RANDOM_LEN);
  put_u8 (out, GEN_TLS_SESSION_ID_LEN);
  put_bytes (out, session_id, GEN_TLS_SESSION_ID_LEN);
  put_u16_list (out, client_cipher_suites, G_N_ELEMENTS (client_cipher_suites));
  put_u8 (out, 1);  /* compression methods: null */
  put_u8 (out, 0);

  extensions = begin_block (out, 2);
  ext = begin_extension (out, TLS_EXT_SERVER_NAME);
  list = begin_block (out, 2);
  put_u8 (out, 0);  /* host_name */
  put_u16 (out, strlen (server_name));
  put_bytes (out, server_name, strlen (server_name));
  end_block (out, list, 2);
  end_block (out, ext, 2);
  put_shared_hello_extensions (out);
  ext = begin_extension (out, TLS_EXT_SUPPORTED_GROUPS);
  put_u16_list (out, supported_groups, G_N_ELEMENTS (supported_groups));
  end_block (out, ext, 2);
  put_empty_extension (out, TLS_EXT_SESSION_TICKET);
  put_alpn_extension (out, alpn);
  ext = begin_extension (out, TLS_EXT_STATUS_REQUEST);
  put_u8 (out, 1);  /* OCSP */
  put_u16 (out, 0);
  put_u16 (out, 0);
  end_block (out, ext, 2);
  ext = begin_extension (out, TLS_EXT_SIGNATURE_ALGORITHMS);
  put_u16_list (out, signature_algorithms, G_N_ELEMENTS (signature_algorithms));
  end_block (out, ext, 2);
  end_block (out, extensions, 2);

  end_block (out, hello, 3);
  end_block (out, record, 2);
}

/**
 * gen_tls_append_server_flight:
 * @out: where to append
 * @random: 32 bytes of server random
 * @session_id: 32 bytes of session id
 * @alpn: protocol selected by ALPN
 * @certificates: (array length=n_certificates): DER certificates, leaf first
 * @n_certificates: number of certificates
 * @key_share: 32 bytes of X25519 public key
 * @signature: 64 bytes of Ed25519 signature
 *
 * Appends ServerHello, Certificate, ServerKeyExchange (ECDHE over X25519,
 * signed with Ed25519) and ServerHelloDone, one record each.
 */
void
gen_tls_append_server_flight (GByteArray         *out,
                              const guint8       *random,
                              const guint8       *session_id,
                              const gchar        *alpn,
                              GBytes *const      *certificates,
                              guint               n_certificates,
                              const guint8       *key_share,
                              const guint8       *signature)
{
  const gchar *const selected[] = { alpn, NULL };
  gsize record, message, extensions, list;

  record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_2);
  message = begin_handshake (out, TLS_HANDSHAKE_SERVER_HELLO);
  put_u16 (out, TLS_VERSION_1_2);
  put_bytes (out, random, GEN_TLS_RANDOM_LEN);
  put_u8 (out, GEN_TLS_SESSION_ID_LEN);
  put_bytes (out, session_id, GEN_TLS_SESSION_ID_LEN);
  put_u16 (out, TLS_CIPHER_ECDHE_ECDSA_AES_128_GCM_SHA256);
  put_u8 (out, 0);
  extensions = begin_block (out, 2);
  put_shared_hello_extensions (out);
  put_alpn_extension (out, selected);
  end_block (out, extensions, 2);
  end_block (out, message, 3);
  end_block (out, record, 2);

  record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_2);
  message = begin_handshake (out, TLS_HANDSHAKE_CERTIFICATE);
  list = begin_block (out, 3);
  for (guint i = 0; i < n_certificates; i++)
    {
      gsize der_len;
      const guint8 *der = g_bytes_get_data (certificates[i], &der_len);
      gsize entry = begin_block (out, 3);

      put_bytes (out, der, der_len);
      end_block (out, entry, 3);
    }
  end_block (out, list, 3);
  end_block (out, message, 3);
  end_block (out, record, 2);

  record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_2);
  message = begin_handshake (out, TLS_HANDSHAKE_SERVER_KEY_EXCHANGE);
  put_u8 (out, 3);  /* named_curve */
  put_u16 (out, TLS_GROUP_X25519);
  put_u8 (out, GEN_TLS_KEY_SHARE_LEN);
  put_bytes (out, key_share, GEN_TLS_KEY_SHARE_LEN);
  put_u16 (out, TLS_SIGNATURE_ED25519);
  put_u16 (out, GEN_TLS_SIGNATURE_LEN);
  put_bytes (out, signature, GEN_TLS_SIGNATURE_LEN);
  end_block (out, message, 3);
  end_block (out, record, 2);

  record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_2);
  message = begin_handshake (out, TLS_HANDSHAKE_SERVER_HELLO_DONE);
  end_block (out, message, 3);
  end_block (out, record, 2);
}

static void
put_record (GByteArray   *out,
            guint8        content_type,
            const guint8 *data,
            gsize         len)
{
  gsize record = begin_record (out, content_type, TLS_VERSION_1_2);

  put_bytes (out, data, len);
  end_block (out, record, 2);
}

static void
put_change_cipher_spec_and_finished (GByteArray   *out,
                                     const guint8 *finished)
{
  const guint8 change_cipher_spec = 1;

  put_record (out, TLS_CONTENT_CHANGE_CIPHER_SPEC, &change_cipher_spec, 1);
  /* Encrypted: looks like any AEAD handshake record. */
  put_record (out, TLS_CONTENT_HANDSHAKE, finished, GEN_TLS_FINISHED_LEN);
}

/**
 * gen_tls_append_client_finish:
 * @out: where to append
 * @key_share: 32 bytes of X25519 public key
 * @finished: 40 opaque bytes for the encrypted Finished
 *
 * Appends ClientKeyExchange, ChangeCipherSpec and an encrypted Finished.
 */
void
gen_tls_append_client_finish (GByteArray   *out,
                              const guint8 *key_share,
                              const guint8 *finished)
{
  gsize record = begin_record (out, TLS_CONTENT_HANDSHAKE, TLS_VERSION_1_2);
  gsize message = begin_handshake (out, TLS_HANDSHAKE_CLIENT_KEY_EXCHANGE);

  put_u8 (out, GEN_TLS_KEY_SHARE_LEN);
  put_bytes (out, key_share, GEN_TLS_KEY_SHARE_LEN);
  end_block (out, message, 3);
  end_block (out, record, 2);
  put_change_cipher_spec_and_finished (out, finished);
}

/**
 * gen_tls_append_server_finish:
 * @out: where to append
 * @finished: 40 opaque bytes for the encrypted Finished
 *
 * Appends ChangeCipherSpec and an encrypted Finished.
 */
void
gen_tls_append_server_finish (GByteArray   *out,
                              const guint8 *finished)
{
  put_change_cipher_spec_and_finished (out, finished);
}

/**
 * gen_tls_append_application_data:
 * @out: where to append
 * @opaque: (array length=len): ciphertext
 * @len: length of @opaque
 *
 * Appends @opaque as application data records of at most 16408 bytes.
 */
void
gen_tls_append_application_data (GByteArray   *out,
                                 const guint8 *opaque,
                                 gsize         len)
{
  for (gsize offset = 0; offset < len; offset += TLS_MAX_CIPHERTEXT)
    put_record (out, TLS_CONTENT_APPLICATION_DATA, opaque + offset,
                MIN (len - offset, TLS_MAX_CIPHERTEXT));
}

/**
 * gen_tls_append_alert:
 * @out: where to append
 * @opaque: 26 opaque bytes
 *
 * Appends an encrypted alert record, as a close_notify looks on the wire.
 */
void
gen_tls_append_alert (GByteArray   *out,
                      const guint8 *opaque)
{
  put_record (out, TLS_CONTENT_ALERT, opaque, GEN_TLS_ALERT_LEN);
}
