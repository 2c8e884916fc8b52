/* gen-protocols.h: wire encoders for the application protocols of the
 * traffic generator: HTTP/1.1 messages, DNS messages, TLS 1.2 records. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* HTTP/1.1 (RFC 9110, RFC 9112) */

typedef struct
{
  const gchar *method;
  const gchar *uri;
  const gchar *host;
  const gchar *user_agent;
  const gchar *accept;
  gboolean accept_gzip;
  const gchar *content_type;  /* of the request body, POST only */
  gsize body_len;
} GenHttpRequest;

typedef struct
{
  guint status;
  const gchar *reason;
  gint64 date;                /* Unix seconds */
  const gchar *server;
  const gchar *content_type;  /* NULL: no body */
  gsize content_length;       /* ignored when chunked */
  gboolean chunked;
  gboolean gzip;
  gboolean trailer;           /* announce the X-Checksum trailer */
  const gchar *location;      /* NULL: no Location header */
} GenHttpResponse;

void gen_http_append_request_head  (GString               *out,
                                    const GenHttpRequest  *request);
void gen_http_append_response_head (GString               *out,
                                    const GenHttpResponse *response);
void gen_http_append_chunked       (GByteArray            *out,
                                    GRand                 *rand,
                                    const guint8          *body,
                                    gsize                  len,
                                    gboolean               trailer);

/* DNS (RFC 1035, RFC 6891) */

#define GEN_DNS_TYPE_A 1
#define GEN_DNS_TYPE_CNAME 5
#define GEN_DNS_TYPE_SOA 6
#define GEN_DNS_TYPE_MX 15
#define GEN_DNS_TYPE_TXT 16
#define GEN_DNS_TYPE_AAAA 28

#define GEN_DNS_RCODE_NOERROR 0
#define GEN_DNS_RCODE_NXDOMAIN 3

#define GEN_DNS_MAX_RECORDS 8

typedef struct
{
  gchar name[256];
  guint16 type;
  guint32 ttl;
  gchar data[256];     /* address, target name, TXT text or SOA primary server */
  guint16 preference;  /* MX */
  gchar mailbox[256];  /* SOA responsible mailbox */
  guint32 serial;      /* SOA */
} GenDnsRecord;

typedef struct
{
  guint16 id;
  gboolean is_response;
  guint rcode;
  gchar qname[256];
  guint16 qtype;
  GenDnsRecord answers[GEN_DNS_MAX_RECORDS];
  guint n_answers;
  GenDnsRecord authority[1];
  guint n_authority;
} GenDnsMessage;

void gen_dns_encode       (GByteArray          *out,
                           const GenDnsMessage *message);
void gen_dns_append_truth (GString             *out,
                           guint64              flow,
                           const GenDnsMessage *message);

/* TLS 1.2 (RFC 5246, RFC 8422, RFC 7301, RFC 6066) */

#define GEN_TLS_RANDOM_LEN 32
#define GEN_TLS_SESSION_ID_LEN 32
#define GEN_TLS_KEY_SHARE_LEN 32
#define GEN_TLS_SIGNATURE_LEN 64
#define GEN_TLS_FINISHED_LEN 40   /* explicit nonce, verify_data, GCM tag */
#define GEN_TLS_ALERT_LEN 26

void gen_tls_append_client_hello   (GByteArray         *out,
                                    const guint8       *random,
                                    const guint8       *session_id,
                                    const gchar        *server_name,
                                    const gchar *const *alpn);
void gen_tls_append_server_flight  (GByteArray         *out,
                                    const guint8       *random,
                                    const guint8       *session_id,
                                    const gchar        *alpn,
                                    GBytes *const      *certificates,
                                    guint               n_certificates,
                                    const guint8       *key_share,
                                    const guint8       *signature);
void gen_tls_append_client_finish  (GByteArray         *out,
                                    const guint8       *key_share,
                                    const guint8       *finished);
void gen_tls_append_server_finish  (GByteArray         *out,
                                    const guint8       *finished);
void gen_tls_append_application_data (GByteArray       *out,
                                      const guint8     *opaque,
                                      gsize             len);
void gen_tls_append_alert          (GByteArray         *out,
                                    const guint8       *opaque);

G_END_DECLS
