/* ntpac-traffic-gen.c: seeded, deterministic traffic generator
 *
 * Each conversation ("flow") is a small state machine that yields one frame
 * at a time with its capture time. Flows wait in a min-heap ordered by the
 * time of their next frame, so the capture comes out time-ordered however
 * many flows are interleaved, and memory depends on the number of flows
 * under way, not on the capture size. All content is precomputed
 * (gen-content.c) and referenced, not copied, until the frame is built.
 */

#include "ntpac-traffic-gen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gen-content.h"
#include "gen-protocols.h"
#include "gen-util.h"
#include "ntpac-test-flow.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

G_DEFINE_QUARK (ntpac-traffic-gen-error-quark, ntpac_traffic_gen_error)

#define NS_PER_US G_GINT64_CONSTANT (1000)
#define NS_PER_MS G_GINT64_CONSTANT (1000000)
#define NS_PER_S G_GINT64_CONSTANT (1000000000)
#define EPOCH_NS (G_GINT64_CONSTANT (1709251200) * NS_PER_S)  /* 2024-03-01T00:00:00Z */

#define UP NTPAC_TEST_CLIENT_TO_SERVER
#define DOWN NTPAC_TEST_SERVER_TO_CLIENT

#define MAX_CHUNKED_BODY (256 * 1024)
#define TRUTH_BUFFER_SIZE (1024 * 1024)
#define MAX_DNS_DATAGRAMS 4
#define MAX_TLS_FLIGHTS 4

typedef enum
{
  FLOW_HTTP,
  FLOW_DNS,
  FLOW_TLS,
  FLOW_BULK,
  N_FLOW_KINDS,
} FlowKind;

typedef struct
{
  const gchar *name;
  const gchar *ipv4;
  const gchar *ipv6;
  const gchar *software;
} Server;

static const Server servers[] = {
  { "www.example.com", "192.0.2.10", "2001:db8:2::10", "nginx/1.24.0" },
  { "api.example.net", "192.0.2.20", "2001:db8:2::20", "nginx/1.22.1" },
  { "cdn.example.org", "198.51.100.30", "2001:db8:2::30", "Apache/2.4.57 (Debian)" },
  { "static.example.com", "198.51.100.40", "2001:db8:2::40", "nginx/1.24.0" },
  { "shop.example.net", "192.0.2.50", "2001:db8:2::50", "Apache/2.4.57 (Debian)" },
  { "login.example.org", "198.51.100.60", "2001:db8:2::60", "nginx/1.25.3" },
  { "news.example.com", "192.0.2.70", "2001:db8:2::70", "lighttpd/1.4.69" },
  { "media.example.net", "198.51.100.80", "2001:db8:2::80", "nginx/1.24.0" },
};

static const Server resolvers[] = {
  { "resolver", "192.0.2.53", "2001:db8:2::53", NULL },
  { "resolver", "198.51.100.53", "2001:db8:2::35", NULL },
};

static const gchar *const user_agents[] = {
  "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
  "Chrome/122.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
  "Version/17.3 Safari/605.1.15",
  "curl/8.5.0",
  "python-requests/2.31.0",
};

static const gchar *const alpn_h2[] = { "h2", "http/1.1", NULL };
static const gchar *const alpn_http1[] = { "http/1.1", NULL };

/* The truth of the HTTP transaction under way. */
typedef struct
{
  const gchar *method;
  gchar uri[256];
  gsize request_body_len;
  guint status;
  const gchar *reason;
  const gchar *content_type;
  gboolean chunked;
  gboolean gzip;
  gsize response_body_len;
  gchar response_body_sha256[GEN_SHA256_HEX_LEN + 1];
  guint64 response_start;  /* offsets of the response in the down stream */
  guint64 response_end;
  gboolean response_lost;
} HttpTransaction;

typedef struct
{
  NtpacTestDirection direction;
  gsize offset;
  gsize len;
} Datagram;

typedef struct
{
  guint64 index;
  FlowKind kind;
  gint64 next_ts;
  gint64 rtt;
  const Server *server;

  /* TCP flows: the conversation and the step to write at next_ts. */
  NtpacTestTcpConversation *conversation;
  NtpacTestTcpStep step;
  guint exchanges_left;    /* HTTP transactions or TLS application rounds */
  guint exchanges_done;
  gboolean after_idle;     /* next data segment follows an idle period */
  gint64 idle_gap;
  gboolean handshake_queued;
  gboolean alert_queued;

  /* Addressing (a TCP conversation works on its own copy) and, for UDP
   * flows, the datagrams to write. */
  NtpacTestEndpoints endpoints;
  Datagram datagrams[MAX_DNS_DATAGRAMS];
  guint n_datagrams;
  guint next_datagram;

  /* Content under way, referenced by the conversation until sent. */
  GString *request;
  GString *response;
  GByteArray *wire;
  gchar host[64];
  const gchar *user_agent;
  gboolean accept_gzip;
  const gchar *const *alpn;
  HttpTransaction http;
  gboolean in_transaction;

  /* A data segment held back to be written after the next frame. */
  GByteArray *held;

  /* Truth */
  gchar src[INET6_ADDRSTRLEN];
  gchar dst[INET6_ADDRSTRLEN];
  gint64 first_ts;
  gint64 last_ts;
  guint64 packets;
  guint64 bytes[2];
  guint64 missing[2];
  EVP_MD_CTX *sha256[2];
} Flow;

typedef struct
{
  const NtpacTrafficGenOptions *options;
  GRand *rand;
  GenPool *pool;
  NtpacTestPcapWriter *writer;
  NtpacTestPacket *packet;   /* every frame is built here */
  FILE *truth;
  gchar *truth_path;
  GString *line;
  GenDnsMessage *dns_query;
  GenDnsMessage *dns_response;

  GPtrArray *heap;           /* of Flow, by next_ts then index */
  guint64 n_flows;
  gboolean stopping;
  guint64 max_bulk_size;
} Generator;

/* Time */

/* A value in [min, max], uniformly. */
static gint64
rand_between (Generator *gen,
              gint64     min,
              gint64     max)
{
  return gen_rand_range64 (gen->rand, min, max + 1);
}

/* A value in [min, max] spread on a log scale, as round-trip times and
 * object sizes are. */
static gint64
rand_log_between (Generator *gen,
                  gint64     min,
                  gint64     max)
{
  return exp (g_rand_double_range (gen->rand, log (min), log (max)));
}

static void
flow_advance (Generator *gen,
              Flow      *flow,
              gint64     gap)
{
  /* Whole microseconds when the capture cannot hold more, so that the
   * times in the truth are the times in the capture. */
  if (!gen->options->nanosecond)
    gap = (gap + NS_PER_US - 1) / NS_PER_US * NS_PER_US;
  flow->next_ts += gap;
}

/* Truth output */

static void
truth_write_line (Generator *gen)
{
  g_string_append_c (gen->line, '\n');
  fwrite (gen->line->str, 1, gen->line->len, gen->truth);
  g_string_truncate (gen->line, 0);
}

static void
append_direction_json (GString    *out,
                       const gchar *name,
                       Flow       *flow,
                       guint       direction)
{
  gchar digest[GEN_SHA256_HEX_LEN + 1];

  gen_sha256_ctx_hex (flow->sha256[direction], digest);
  g_string_append_printf (out,
                          ",\"%s\":{\"bytes\":%" G_GUINT64_FORMAT ",\"missing_bytes\":%"
                          G_GUINT64_FORMAT ",\"sha256\":\"%s\"}",
                          name, flow->bytes[direction],
                          flow->missing[direction], digest);
}

static const gchar *
flow_protocol_name (const Flow *flow)
{
  switch (flow->kind)
    {
    case FLOW_DNS:
      return "dns";
    case FLOW_TLS:
      return "tls";
    case FLOW_HTTP:
    case FLOW_BULK:
    default:
      return "http";
    }
}

static NtpacTestEndpoints *
flow_endpoints (Flow *flow)
{
  return flow->conversation != NULL ?
    ntpac_test_tcp_conversation_get_endpoints (flow->conversation) : &flow->endpoints;
}

static void
write_flow_truth (Generator *gen,
                  Flow      *flow)
{
  NtpacTestEndpoints *ep = flow_endpoints (flow);
  GString *out = gen->line;

  g_string_append_printf (out,
                          "{\"type\":\"flow\",\"flow\":%" G_GUINT64_FORMAT ",\"transport\":\"%s\","
                          "\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
                          "\"first_ts_ns\":%" G_GINT64_FORMAT ",\"last_ts_ns\":%" G_GINT64_FORMAT ","
                          "\"protocol\":\"%s\",\"vlan\":[",
                          flow->index,
                          flow->conversation != NULL ? "tcp" : "udp",
                          flow->src, ep->client_port, flow->dst,
                          ep->server_port,
                          flow->first_ts, flow->last_ts,
                          flow_protocol_name (flow));
  for (guint i = 0; i < ep->n_vlans; i++)
    g_string_append_printf (out, i > 0 ? ",%u" : "%u", ep->vlan_ids[i]);
  g_string_append_c (out, ']');
  append_direction_json (out, "up", flow, UP);
  append_direction_json (out, "down", flow, DOWN);
  g_string_append_printf (out, ",\"packets\":%" G_GUINT64_FORMAT "}",
                          flow->packets);
  truth_write_line (gen);
}

static void
write_http_truth (Generator *gen,
                  Flow      *flow)
{
  const HttpTransaction *t = &flow->http;
  GString *out = gen->line;

  g_string_append_printf (out,
                          "{\"type\":\"http\",\"flow\":%" G_GUINT64_FORMAT ",\"method\":\"%s\",\"uri\":",
                          flow->index, t->method);
  gen_json_append_string (out, t->uri);
  g_string_append (out, ",\"host\":");
  gen_json_append_string (out, flow->host);
  g_string_append (out, ",\"user_agent\":");
  gen_json_append_string (out, flow->user_agent);
  g_string_append_printf (out,
                          ",\"request_body_len\":%" G_GSIZE_FORMAT ",\"status\":%u,\"reason\":",
                          t->request_body_len, t->status);
  gen_json_append_string (out, t->reason);
  g_string_append (out, ",\"content_type\":");
  if (t->content_type != NULL)
    gen_json_append_string (out, t->content_type);
  else
    g_string_append (out, "null");
  g_string_append_printf (out,
                          ",\"chunked\":%s,\"gzip\":%s,\"response_body_len\":%" G_GSIZE_FORMAT ","
                          "\"response_body_sha256\":\"%s\",\"complete\":%s}",
                          t->chunked ? "true" : "false",
                          t->gzip ? "true" : "false",
                          t->response_body_len, t->response_body_sha256,
                          t->response_lost ? "false" : "true");
  truth_write_line (gen);
}

static void
write_tls_truth (Generator          *gen,
                 Flow               *flow,
                 const GenCertChain *chain)
{
  GString *out = gen->line;

  g_string_append_printf (out,
                          "{\"type\":\"tls\",\"flow\":%" G_GUINT64_FORMAT ",\"sni\":", flow->index);
  gen_json_append_string (out, chain->server_name);
  g_string_append (out, ",\"version\":\"TLS 1.2\",\"alpn\":[");
  for (guint i = 0; flow->alpn[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      gen_json_append_string (out, flow->alpn[i]);
    }
  g_string_append_printf (out, "],\"certificates\":%s}",
                          chain->certificates_json);
  truth_write_line (gen);
}

/* Frames */

static void
write_once (Generator    *gen,
            Flow         *flow,
            const guint8 *data,
            gsize         len)
{
  ntpac_test_pcap_writer_write (gen->writer, 0, flow->next_ts, data, len, len);
  if (flow->packets == 0)
    flow->first_ts = flow->next_ts;
  flow->last_ts = flow->next_ts;
  flow->packets++;
}

/* Writes the frame just built, maybe twice, then any held-back segment. */
static void
write_built_frame (Generator *gen,
                   Flow      *flow)
{
  gsize len;
  const guint8 *data = ntpac_test_packet_get_data (gen->packet, &len);

  write_once (gen, flow, data, len);
  if (gen_rand_chance (gen->rand, gen->options->duplicate_rate))
    write_once (gen, flow, data, len);
  if (flow->held != NULL)
    {
      write_once (gen, flow, flow->held->data, flow->held->len);
      g_clear_pointer (&flow->held, g_byte_array_unref);
    }
}

/* Counts and hashes bytes sent, whether or not they reach the capture. */
static void
flow_account (Flow               *flow,
              NtpacTestDirection  direction,
              const guint8       *data,
              gsize               len)
{
  EVP_DigestUpdate (flow->sha256[direction], data, len);
  flow->bytes[direction] += len;
}

/* Queues bytes on a TCP flow; they must stay valid until sent. */
static void
flow_queue (Flow               *flow,
            NtpacTestDirection  direction,
            const void         *data,
            gsize               len)
{
  flow_account (flow, direction, data, len);
  ntpac_test_tcp_conversation_send_static (flow->conversation, direction, data,
                                           len);
}

/* Queues segments of @flow->wire, alternating directions from the client. */
static void
flow_queue_wire (Flow        *flow,
                 const gsize *ends,
                 guint        n_ends)
{
  gsize start = 0;

  for (guint i = 0; i < n_ends; i++)
    {
      flow_queue (flow, i % 2 == 0 ? UP : DOWN, flow->wire->data + start,
                  ends[i] - start);
      start = ends[i];
    }
}

static void
record_loss (Flow                   *flow,
             const NtpacTestTcpStep *step)
{
  guint64 begin = step->stream_offset;
  guint64 end = begin + step->payload_len;

  flow->missing[step->direction] += step->payload_len;
  if (flow->in_transaction && step->direction == DOWN &&
      begin < flow->http.response_end && end > flow->http.response_start)
    flow->http.response_lost = TRUE;
}

static void
write_tcp_step (Generator *gen,
                Flow      *flow)
{
  const NtpacTestTcpStep *step = &flow->step;
  /* Only segments carrying data may be lost or reordered, so that the
   * missing bytes are exactly known. */
  gboolean data = step->payload_len > 0 &&
                  !(step->flags & (NTPAC_TEST_TCP_SYN | NTPAC_TEST_TCP_FIN | NTPAC_TEST_TCP_RST));

  ntpac_test_tcp_conversation_build_frame (flow->conversation, step,
                                           flow->next_ts, gen->packet);
  if (data && gen_rand_chance (gen->rand, gen->options->loss_rate))
    {
      record_loss (flow, step);
      return;
    }
  if (data && flow->held == NULL &&
      gen_rand_chance (gen->rand, gen->options->reorder_rate))
    {
      gsize len;
      const guint8 *frame = ntpac_test_packet_get_data (gen->packet, &len);

      flow->held = g_byte_array_sized_new (len);
      g_byte_array_append (flow->held, frame, len);
      return;
    }
  write_built_frame (gen, flow);
}

/* HTTP */

static const gchar *
accept_for (const gchar *content_type)
{
  if (g_str_equal (content_type, "text/html"))
    return "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  if (g_str_has_prefix (content_type, "image/"))
    return "image/avif,image/webp,*/*;q=0.8";
  return "*/*";
}

/* The short page nginx sends with error and redirect statuses. */
static void
append_status_page (GString     *out,
                    guint        status,
                    const gchar *reason)
{
  g_string_append_printf (out,
                          "<html>\r\n<head><title>%u %s</title></head>\r\n<body>\r\n"
                          "<center><h1>%u %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                          "</body>\r\n</html>\r\n",
                          status, reason, status, reason);
}

static void
build_post_body (Generator   *gen,
                 GString     *out,
                 const gchar **content_type)
{
  if (g_rand_boolean (gen->rand))
    {
      *content_type = "application/json";
      g_string_append_printf (out,
                              "{\"query\":\"%s %s\",\"page\":%u,\"token\":\"%08x\"}",
                              gen_pool_random_word (gen->rand),
                              gen_pool_random_word (gen->rand),
                              g_rand_int_range (gen->rand, 1, 50),
                              g_rand_int (gen->rand));
    }
  else
    {
      *content_type = "application/x-www-form-urlencoded";
      g_string_append_printf (out,
                              "user=%s&token=%08x%08x&page=%u&comment=%s+%s",
                              gen_pool_random_word (gen->rand),
                              g_rand_int (gen->rand),
                              g_rand_int (gen->rand),
                              g_rand_int_range (gen->rand, 1, 50),
                              gen_pool_random_word (gen->rand),
                              gen_pool_random_word (gen->rand));
    }
}

/* Picks the status of a response to a request with a body available. */
static guint
pick_status (Generator   *gen,
             Flow        *flow,
             gboolean     post,
             const gchar **reason)
{
  guint roll = g_rand_int_range (gen->rand, 0, 100);

  if (flow->kind == FLOW_BULK || roll < 85)
    {
      *reason = "OK";
      return 200;
    }
  if (roll < 91)
    {
      *reason = "Not Found";
      return 404;
    }
  if (roll < 95 || post)
    {
      *reason = "Moved Permanently";
      return 301;
    }
  *reason = "Not Modified";
  return 304;
}

static void
http_queue_transaction (Generator *gen,
                        Flow      *flow)
{
  HttpTransaction *t = &flow->http;
  gboolean bulk = flow->kind == FLOW_BULK;
  const GenBody *body = bulk ?
    gen_pool_pick_bulk (gen->pool, gen->rand, gen->max_bulk_size) :
    gen->pool->bodies->pdata[g_rand_int_range (gen->rand, 0,
                                               gen->pool->bodies->len)];
  GenHttpRequest request = { 0 };
  GenHttpResponse response = { 0 };
  g_autoptr(GString) post_body = g_string_new (NULL);
  g_autoptr(GString) page = g_string_new (NULL);
  g_autofree gchar *location = NULL;
  const guint8 *wire_body = NULL;
  gsize wire_body_len = 0;

  memset (t, 0, sizeof *t);
  g_string_truncate (flow->request, 0);
  g_string_truncate (flow->response, 0);
  g_byte_array_set_size (flow->wire, 0);

  /* Request */
  t->method = !bulk && gen_rand_chance (gen->rand, 0.15) ? "POST" : "GET";
  if (bulk)
    g_snprintf (t->uri, sizeof t->uri, "/downloads/%s", body->file_name);
  else if (g_str_equal (t->method, "POST"))
    g_snprintf (t->uri, sizeof t->uri, "/api/%s/%s",
                gen_pool_random_word (gen->rand),
                gen_pool_random_word (gen->rand));
  else if (gen_rand_chance (gen->rand, 0.2))
    g_snprintf (t->uri, sizeof t->uri, "/%s/%s?id=%u&ref=%s",
                gen_pool_random_word (gen->rand),
                body->file_name, g_rand_int_range (gen->rand, 1, 100000),
                gen_pool_random_word (gen->rand));
  else
    g_snprintf (t->uri, sizeof t->uri, "/%s/%s",
                gen_pool_random_word (gen->rand), body->file_name);

  request.method = t->method;
  request.uri = t->uri;
  request.host = flow->host;
  request.user_agent = flow->user_agent;
  request.accept = accept_for (body->content_type);
  request.accept_gzip = flow->accept_gzip;
  if (g_str_equal (t->method, "POST"))
    {
      build_post_body (gen, post_body, &request.content_type);
      request.body_len = post_body->len;
    }
  gen_http_append_request_head (flow->request, &request);
  g_string_append_len (flow->request, post_body->str, post_body->len);
  t->request_body_len = post_body->len;

  /* Response */
  t->status = pick_status (gen, flow, request.content_type != NULL, &t->reason);
  response.status = t->status;
  response.reason = t->reason;
  response.date = flow->next_ts / NS_PER_S;
  response.server = flow->server->software;
  switch (t->status)
    {
    case 200:
      t->content_type = body->content_type;
      t->gzip = body->gzip != NULL && flow->accept_gzip && gen_rand_chance (gen->rand, 0.6);
      wire_body = t->gzip ? body->gzip : body->raw;
      wire_body_len = t->gzip ? body->gzip_len : body->raw_len;
      t->chunked = !bulk && wire_body_len <= MAX_CHUNKED_BODY && gen_rand_chance (gen->rand, 0.3);
      t->response_body_len = body->raw_len;
      memcpy (t->response_body_sha256, body->sha256,
              sizeof t->response_body_sha256);
      break;
    case 304:
      memcpy (t->response_body_sha256, GEN_SHA256_EMPTY,
              sizeof t->response_body_sha256);
      break;
    default:
      t->content_type = "text/html";
      append_status_page (page, t->status, t->reason);
      wire_body = (const guint8 *) page->str;
      wire_body_len = page->len;
      t->response_body_len = page->len;
      gen_sha256_hex (page->str, page->len, t->response_body_sha256);
      if (t->status == 301)
        location = g_strdup_printf ("http://%s%s/", flow->host, t->uri);
      break;
    }
  response.content_type = t->content_type;
  response.content_length = wire_body_len;
  response.gzip = t->gzip;
  response.chunked = t->chunked;
  response.trailer = t->chunked && gen_rand_chance (gen->rand, 0.3);
  response.location = location;
  gen_http_append_response_head (flow->response, &response);

  if (t->chunked)
    {
      gen_http_append_chunked (flow->wire, gen->rand, wire_body, wire_body_len,
                               response.trailer);
      wire_body = flow->wire->data;
      wire_body_len = flow->wire->len;
    }
  else if (wire_body == (const guint8 *) page->str)
    {
      /* The page dies with this function: send it from the response. */
      g_string_append_len (flow->response, page->str, page->len);
      wire_body = NULL;
      wire_body_len = 0;
    }

  flow_queue (flow, UP, flow->request->str, flow->request->len);
  t->response_start = flow->bytes[DOWN];
  flow_queue (flow, DOWN, flow->response->str, flow->response->len);
  if (wire_body_len > 0)
    flow_queue (flow, DOWN, wire_body, wire_body_len);
  t->response_end = flow->bytes[DOWN];
  flow->in_transaction = TRUE;
}

/* TLS */

static const GenCertChain *
flow_chain (Generator *gen,
            Flow      *flow)
{
  return gen->pool->chains->pdata[flow->server - servers];
}

static const guint8 *
random_bytes (Generator *gen,
              gsize      len)
{
  return gen_pool_random_bytes (gen->pool, gen->rand, len);
}

static void
tls_queue_handshake (Generator *gen,
                     Flow      *flow)
{
  const GenCertChain *chain = flow_chain (gen, flow);
  GBytes *certificates[2] = { chain->leaf_der, chain->intermediate_der };
  gsize ends[MAX_TLS_FLIGHTS];

  g_byte_array_set_size (flow->wire, 0);
  gen_tls_append_client_hello (flow->wire,
                               random_bytes (gen, GEN_TLS_RANDOM_LEN),
                               random_bytes (gen, GEN_TLS_SESSION_ID_LEN),
                               chain->server_name, flow->alpn);
  ends[0] = flow->wire->len;
  gen_tls_append_server_flight (flow->wire,
                                random_bytes (gen, GEN_TLS_RANDOM_LEN),
                                random_bytes (gen, GEN_TLS_SESSION_ID_LEN),
                                flow->alpn[0],
                                certificates, G_N_ELEMENTS (certificates),
                                random_bytes (gen, GEN_TLS_KEY_SHARE_LEN),
                                random_bytes (gen, GEN_TLS_SIGNATURE_LEN));
  ends[1] = flow->wire->len;
  gen_tls_append_client_finish (flow->wire,
                                random_bytes (gen, GEN_TLS_KEY_SHARE_LEN),
                                random_bytes (gen, GEN_TLS_FINISHED_LEN));
  ends[2] = flow->wire->len;
  gen_tls_append_server_finish (flow->wire,
                                random_bytes (gen, GEN_TLS_FINISHED_LEN));
  ends[3] = flow->wire->len;
  flow_queue_wire (flow, ends, G_N_ELEMENTS (ends));
}

static void
tls_queue_round (Generator *gen,
                 Flow      *flow)
{
  gsize request_len = rand_between (gen, 200, 1500);
  /* Mostly small responses, now and then a larger download. */
  gsize response_len = gen_rand_chance (gen->rand, 0.05) ?
    (gsize) rand_between (gen, 100000, 256000) :
    (gsize) rand_log_between (gen, 500, 64000);
  gsize ends[2];

  g_byte_array_set_size (flow->wire, 0);
  gen_tls_append_application_data (flow->wire, random_bytes (gen, request_len),
                                   request_len);
  ends[0] = flow->wire->len;
  gen_tls_append_application_data (flow->wire, random_bytes (gen, response_len),
                                   response_len);
  ends[1] = flow->wire->len;
  flow_queue_wire (flow, ends, G_N_ELEMENTS (ends));
}

static void
tls_queue_alert (Generator *gen,
                 Flow      *flow)
{
  gsize ends[1];

  g_byte_array_set_size (flow->wire, 0);
  gen_tls_append_alert (flow->wire, random_bytes (gen, GEN_TLS_ALERT_LEN));
  ends[0] = flow->wire->len;
  flow_queue_wire (flow, ends, G_N_ELEMENTS (ends));
}

/* TCP flows */

/* Called when everything queued is sent and acknowledged: queue the next
 * exchange or close. Every connection carries at least one exchange. */
static void
tcp_flow_refill (Generator *gen,
                 Flow      *flow)
{
  gboolean more = flow->exchanges_left > 0 && (flow->exchanges_done == 0 || !gen->stopping);

  if (flow->in_transaction)
    {
      write_http_truth (gen, flow);
      flow->in_transaction = FALSE;
    }

  /* The first request follows the handshake closely; later ones wait for
   * the user or the page. */
  flow->idle_gap = flow->exchanges_done == 0 ?
    rand_between (gen, 20 * NS_PER_US, 300 * NS_PER_US) :
    rand_log_between (gen, 500 * NS_PER_US, 40 * NS_PER_MS);
  flow->after_idle = TRUE;

  if (flow->kind == FLOW_TLS && !flow->handshake_queued)
    {
      tls_queue_handshake (gen, flow);
      flow->handshake_queued = TRUE;
      return;
    }
  if (more)
    {
      if (flow->kind == FLOW_TLS)
        tls_queue_round (gen, flow);
      else
        http_queue_transaction (gen, flow);
      flow->exchanges_left--;
      flow->exchanges_done++;
      return;
    }
  if (flow->kind == FLOW_TLS && !flow->alert_queued)
    {
      tls_queue_alert (gen, flow);
      flow->alert_queued = TRUE;
      return;
    }
  flow->after_idle = FALSE;
  ntpac_test_tcp_conversation_close (flow->conversation);
}

static gint64
tcp_step_gap (Generator              *gen,
              Flow                   *flow,
              const NtpacTestTcpStep *step)
{
  if (step->flags & NTPAC_TEST_TCP_SYN)
    return (step->flags & NTPAC_TEST_TCP_ACK) ? flow->rtt : 0;
  if (step->flags & NTPAC_TEST_TCP_FIN)
    return step->direction == UP ?
      rand_between (gen, 100 * NS_PER_US, 5 * NS_PER_MS) : flow->rtt;
  if (step->payload_len == 0)
    return rand_between (gen, 5 * NS_PER_US, 80 * NS_PER_US);
  if (flow->after_idle)
    {
      flow->after_idle = FALSE;
      return flow->idle_gap;
    }
  if (step->starts_burst)
    return step->direction == DOWN ?
      flow->rtt + rand_between (gen, 20 * NS_PER_US, 2 * NS_PER_MS) :
      rand_between (gen, 30 * NS_PER_US, NS_PER_MS);
  /* Back-to-back segments at about 1 Gbit/s. */
  return NS_PER_US + (gint64) step->payload_len * 8 +
         rand_between (gen, 0, 10 * NS_PER_US);
}

/* Prepares the next step; FALSE when the conversation is over. */
static gboolean
tcp_flow_prepare (Generator *gen,
                  Flow      *flow)
{
  while (!ntpac_test_tcp_conversation_next (flow->conversation, &flow->step))
    {
      if (ntpac_test_tcp_conversation_is_finished (flow->conversation))
        return FALSE;
      tcp_flow_refill (gen, flow);
    }
  flow_advance (gen, flow, tcp_step_gap (gen, flow, &flow->step));
  return TRUE;
}

/* DNS flows */

typedef enum
{
  DNS_A,
  DNS_AAAA,
  DNS_CNAME,
  DNS_MX,
  DNS_TXT,
  DNS_NXDOMAIN,
  N_DNS_SCENARIOS,
} DnsScenario;

static const guint dns_scenario_weights[N_DNS_SCENARIOS] = { 35, 20, 15, 8, 7, 15 };

static void
dns_add_record (GenDnsRecord *records,
                guint        *n_records,
                const gchar  *name,
                guint16       type,
                guint32       ttl,
                const gchar  *data)
{
  GenDnsRecord *record = &records[(*n_records)++];

  g_assert (*n_records <= GEN_DNS_MAX_RECORDS);
  memset (record, 0, sizeof *record);
  g_strlcpy (record->name, name, sizeof record->name);
  record->type = type;
  record->ttl = ttl;
  g_strlcpy (record->data, data, sizeof record->data);
}

static guint32
dns_pick_ttl (Generator *gen)
{
  static const guint32 ttls[] = { 60, 300, 600, 3600, 86400 };

  return ttls[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (ttls))];
}

static void
dns_answer_address (Generator     *gen,
                    GenDnsMessage *response,
                    const gchar   *name,
                    const Server  *server,
                    guint16        qtype)
{
  guint32 ttl = dns_pick_ttl (gen);
  gchar extra[INET6_ADDRSTRLEN];

  if (qtype == GEN_DNS_TYPE_AAAA)
    {
      dns_add_record (response->answers, &response->n_answers, name, qtype, ttl,
                      server->ipv6);
      return;
    }
  dns_add_record (response->answers, &response->n_answers, name, qtype, ttl,
                  server->ipv4);
  if (gen_rand_chance (gen->rand, 0.3))
    {
      g_snprintf (extra, sizeof extra, "203.0.113.%u",
                  g_rand_int_range (gen->rand, 1, 255));
      dns_add_record (response->answers, &response->n_answers, name, qtype, ttl,
                      extra);
    }
}

/* Fills a query and its response for one scenario. */
static void
dns_fill_exchange (Generator     *gen,
                   DnsScenario    scenario,
                   const Server  *server,
                   GenDnsMessage *query,
                   GenDnsMessage *response)
{
  const gchar *domain = strchr (server->name, '.') + 1;
  gchar name[256];

  memset (query, 0, sizeof *query);
  query->id = g_rand_int_range (gen->rand, 0, 0x10000);
  query->qtype = GEN_DNS_TYPE_A;
  switch (scenario)
    {
    case DNS_A:
    case DNS_AAAA:
      g_strlcpy (query->qname, server->name, sizeof query->qname);
      query->qtype = scenario == DNS_AAAA ? GEN_DNS_TYPE_AAAA : GEN_DNS_TYPE_A;
      break;
    case DNS_CNAME:
      g_snprintf (query->qname, sizeof query->qname, "%s.%s",
                  gen_pool_random_word (gen->rand), domain);
      break;
    case DNS_MX:
    case DNS_TXT:
      g_strlcpy (query->qname, domain, sizeof query->qname);
      query->qtype = scenario == DNS_MX ? GEN_DNS_TYPE_MX : GEN_DNS_TYPE_TXT;
      break;
    case DNS_NXDOMAIN:
    default:
      g_snprintf (query->qname, sizeof query->qname, "%s%u.%s",
                  gen_pool_random_word (gen->rand),
                  g_rand_int_range (gen->rand, 1, 1000), domain);
      break;
    }

  *response = *query;
  response->is_response = TRUE;
  switch (scenario)
    {
    case DNS_A:
    case DNS_AAAA:
      dns_answer_address (gen, response, query->qname, server, query->qtype);
      break;
    case DNS_CNAME:
      dns_add_record (response->answers, &response->n_answers, query->qname,
                      GEN_DNS_TYPE_CNAME, dns_pick_ttl (gen), server->name);
      dns_answer_address (gen, response, server->name, server, GEN_DNS_TYPE_A);
      break;
    case DNS_MX:
      {
        guint n_exchangers = g_rand_int_range (gen->rand, 1, 3);

        for (guint i = 0; i < n_exchangers; i++)
          {
            if (i == 0)
              g_snprintf (name, sizeof name, "mail.%s", domain);
            else
              g_snprintf (name, sizeof name, "mail%u.%s", i + 1, domain);
            dns_add_record (response->answers, &response->n_answers,
                            query->qname,
                            GEN_DNS_TYPE_MX, 3600, name);
            response->answers[i].preference = 10 * (i + 1);
          }
      }
      break;
    case DNS_TXT:
      g_snprintf (name, sizeof name, "v=spf1 include:_spf.%s ~all", domain);
      dns_add_record (response->answers, &response->n_answers, query->qname,
                      GEN_DNS_TYPE_TXT, 3600, name);
      if (g_rand_boolean (gen->rand))
        {
          g_snprintf (name, sizeof name, "site-verification=%08x%08x",
                      g_rand_int (gen->rand), g_rand_int (gen->rand));
          dns_add_record (response->answers, &response->n_answers, query->qname,
                          GEN_DNS_TYPE_TXT, 3600, name);
        }
      break;
    case DNS_NXDOMAIN:
    default:
      {
        GenDnsRecord *soa;

        response->rcode = GEN_DNS_RCODE_NXDOMAIN;
        g_snprintf (name, sizeof name, "ns1.%s", domain);
        dns_add_record (response->authority, &response->n_authority, domain,
                        GEN_DNS_TYPE_SOA, 300, name);
        soa = &response->authority[0];
        g_snprintf (soa->mailbox, sizeof soa->mailbox, "hostmaster.%s", domain);
        soa->serial = 2024030101;
      }
      break;
    }
}

static void
dns_add_datagram (Generator          *gen,
                  Flow               *flow,
                  NtpacTestDirection  direction,
                  const GenDnsMessage *message)
{
  Datagram *datagram = &flow->datagrams[flow->n_datagrams++];

  g_assert (flow->n_datagrams <= MAX_DNS_DATAGRAMS);
  datagram->direction = direction;
  datagram->offset = flow->wire->len;
  gen_dns_encode (flow->wire, message);
  datagram->len = flow->wire->len - datagram->offset;
  gen_dns_append_truth (gen->line, flow->index, message);
  truth_write_line (gen);
}

/* One or two exchanges; two are an A then AAAA lookup from the same
 * socket, as stub resolvers do. */
static void
dns_flow_setup (Generator *gen,
                Flow      *flow)
{
  DnsScenario scenario = gen_rand_weighted (gen->rand, dns_scenario_weights,
                                            N_DNS_SCENARIOS);
  gboolean pair = scenario == DNS_A && gen_rand_chance (gen->rand, 0.3);
  guint n_exchanges = pair ? 2 : 1;

  for (guint i = 0; i < n_exchanges; i++)
    {
      dns_fill_exchange (gen, i == 0 ? scenario : DNS_AAAA, flow->server,
                         gen->dns_query,
                         gen->dns_response);
      dns_add_datagram (gen, flow, UP, gen->dns_query);
      dns_add_datagram (gen, flow, DOWN, gen->dns_response);
    }
  for (guint i = 0; i < flow->n_datagrams; i++)
    flow_account (flow, flow->datagrams[i].direction,
                  flow->wire->data + flow->datagrams[i].offset,
                  flow->datagrams[i].len);
}

static void
write_dns_datagram (Generator *gen,
                    Flow      *flow)
{
  const Datagram *datagram = &flow->datagrams[flow->next_datagram++];

  ntpac_test_endpoints_build_udp (&flow->endpoints, datagram->direction,
                                  flow->wire->data + datagram->offset,
                                  datagram->len, gen->packet);
  write_built_frame (gen, flow);
}

static gboolean
dns_flow_prepare (Generator *gen,
                  Flow      *flow)
{
  if (flow->next_datagram == flow->n_datagrams)
    return FALSE;
  if (flow->datagrams[flow->next_datagram].direction == DOWN)
    flow_advance (gen, flow, flow->rtt);
  else
    flow_advance (gen, flow,
                  rand_between (gen, 20 * NS_PER_US, 500 * NS_PER_US));
  return TRUE;
}

/* Flows */

static guint32
pick_isn (Generator *gen)
{
  /* Some start just below 2^32 so that their sequence numbers wrap. */
  if (gen_rand_chance (gen->rand, 0.05))
    return G_MAXUINT32 - g_rand_int_range (gen->rand, 0, 200000);
  return g_rand_int (gen->rand);
}

static void
pick_client_address (Generator *gen,
                     gboolean   ipv6,
                     gchar     *out)
{
  guint8 address[16] = { 0 };

  if (ipv6)
    {
      const guint8 prefix[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };

      memcpy (address, prefix, sizeof prefix);
      address[12] = g_rand_int_range (gen->rand, 0, 256);
      address[13] = g_rand_int_range (gen->rand, 0, 256);
      address[14] = g_rand_int_range (gen->rand, 0, 256);
      address[15] = g_rand_int_range (gen->rand, 1, 256);
    }
  else
    {
      address[0] = 10;
      address[1] = g_rand_int_range (gen->rand, 0, 4);
      address[2] = g_rand_int_range (gen->rand, 0, 256);
      address[3] = g_rand_int_range (gen->rand, 1, 255);
    }
  inet_ntop (ipv6 ? AF_INET6 : AF_INET, address, out, INET6_ADDRSTRLEN);
}

static void
setup_endpoints (Generator          *gen,
                 Flow               *flow,
                 NtpacTestEndpoints *ep,
                 guint16             server_port)
{
  /* Spread over the ephemeral range, distinct for 28000 consecutive flows. */
  guint16 client_port = 32768 + (flow->index * 7919) % 28000;

  ntpac_test_endpoints_init (ep, flow->src, client_port, flow->dst,
                             server_port);
  ep->n_vlans = gen->options->n_vlans;
  if (ep->n_vlans == 2)
    {
      ep->vlan_ids[0] = 10 + g_rand_int_range (gen->rand, 0, 2);
      ep->vlan_ids[1] = 100 + g_rand_int_range (gen->rand, 0, 4);
    }
  else if (ep->n_vlans == 1)
    {
      ep->vlan_ids[0] = 100 + g_rand_int_range (gen->rand, 0, 4);
    }
  ep->ip_id[UP] = g_rand_int_range (gen->rand, 0, 0x10000);
  ep->ip_id[DOWN] = g_rand_int_range (gen->rand, 0, 0x10000);
  ep->flow_label[UP] = g_rand_int_range (gen->rand, 0, 0x100000);
  ep->flow_label[DOWN] = g_rand_int_range (gen->rand, 0, 0x100000);
}

static guint16
pick_server_port (Generator *gen,
                  FlowKind   kind)
{
  switch (kind)
    {
    case FLOW_DNS:
      return 53;
    case FLOW_TLS:
      return 443;
    case FLOW_HTTP:
      return gen_rand_chance (gen->rand, 0.15) ? 8080 : 80;
    case FLOW_BULK:
    default:
      return 80;
    }
}

static Flow *
flow_new (Generator *gen,
          gint64     start_ts)
{
  const NtpacTrafficGenOptions *options = gen->options;
  const guint weights[N_FLOW_KINDS] = {
    options->weight_http, options->weight_dns, options->weight_tls,
    options->weight_bulk,
  };
  Flow *flow = g_new0 (Flow, 1);
  gboolean ipv6;
  guint16 server_port;
  const Server *address_owner;

  flow->index = gen->n_flows++;
  flow->kind = gen_rand_weighted (gen->rand, weights, N_FLOW_KINDS);
  flow->next_ts = start_ts;
  flow->rtt = rand_log_between (gen, 200 * NS_PER_US, 80 * NS_PER_MS);
  flow->server = &servers[g_rand_int_range (gen->rand, 0,
                                            G_N_ELEMENTS (servers))];
  flow->request = g_string_new (NULL);
  flow->response = g_string_new (NULL);
  flow->wire = g_byte_array_new ();
  for (guint i = 0; i < 2; i++)
    {
      flow->sha256[i] = EVP_MD_CTX_new ();
      EVP_DigestInit_ex (flow->sha256[i], EVP_sha256 (), NULL);
    }

  ipv6 = gen_rand_chance (gen->rand, options->ipv6_ratio);
  address_owner = flow->kind == FLOW_DNS ?
    &resolvers[g_rand_int_range (gen->rand, 0,
                                 G_N_ELEMENTS (resolvers))] : flow->server;
  pick_client_address (gen, ipv6, flow->src);
  g_strlcpy (flow->dst, ipv6 ? address_owner->ipv6 : address_owner->ipv4,
             sizeof flow->dst);
  server_port = pick_server_port (gen, flow->kind);
  setup_endpoints (gen, flow, &flow->endpoints, server_port);

  if (flow->kind == FLOW_DNS)
    {
      dns_flow_setup (gen, flow);
      return flow;
    }

  flow->conversation = ntpac_test_tcp_conversation_new (&flow->endpoints,
                                                        pick_isn (gen),
                                                        pick_isn (gen));
  flow->user_agent = user_agents[g_rand_int_range (gen->rand, 0,
                                                   G_N_ELEMENTS (user_agents))];
  flow->accept_gzip = gen_rand_chance (gen->rand, 0.85);
  if (server_port == 80)
    g_strlcpy (flow->host, flow->server->name, sizeof flow->host);
  else
    g_snprintf (flow->host, sizeof flow->host, "%s:%u", flow->server->name,
                server_port);
  switch (flow->kind)
    {
    case FLOW_TLS:
      flow->alpn = gen_rand_chance (gen->rand, 0.8) ? alpn_h2 : alpn_http1;
      flow->exchanges_left = g_rand_int_range (gen->rand, 1, 5);
      write_tls_truth (gen, flow, flow_chain (gen, flow));
      break;
    case FLOW_BULK:
      flow->exchanges_left = 1;
      break;
    case FLOW_HTTP:
    default:
      flow->exchanges_left = g_rand_int_range (gen->rand, 1, 9);
      break;
    }

  /* The SYN goes at the start time. */
  ntpac_test_tcp_conversation_next (flow->conversation, &flow->step);
  return flow;
}

static void
flow_free (Flow *flow)
{
  g_clear_pointer (&flow->conversation, ntpac_test_tcp_conversation_free);
  g_string_free (flow->request, TRUE);
  g_string_free (flow->response, TRUE);
  g_byte_array_unref (flow->wire);
  g_clear_pointer (&flow->held, g_byte_array_unref);
  for (guint i = 0; i < 2; i++)
    EVP_MD_CTX_free (flow->sha256[i]);
  g_free (flow);
}

static void
flow_finish (Generator *gen,
             Flow      *flow)
{
  /* A segment held back with nothing after it goes out last. */
  if (flow->held != NULL)
    {
      write_once (gen, flow, flow->held->data, flow->held->len);
      g_clear_pointer (&flow->held, g_byte_array_unref);
    }
  write_flow_truth (gen, flow);
  flow_free (flow);
}

/* Writes the frame due at flow->next_ts and prepares the next one. */
static gboolean
flow_step (Generator *gen,
           Flow      *flow)
{
  if (flow->conversation != NULL)
    {
      write_tcp_step (gen, flow);
      return tcp_flow_prepare (gen, flow);
    }
  write_dns_datagram (gen, flow);
  return dns_flow_prepare (gen, flow);
}

/* Min-heap of flows by (next_ts, index): the order is total, so the output
 * does not depend on how the heap breaks ties. */

static gboolean
flow_before (const Flow *a,
             const Flow *b)
{
  return a->next_ts < b->next_ts || (a->next_ts == b->next_ts && a->index < b->index);
}

static void
heap_swap (GPtrArray *heap,
           guint      i,
           guint      j)
{
  gpointer tmp = heap->pdata[i];

  heap->pdata[i] = heap->pdata[j];
  heap->pdata[j] = tmp;
}

static void
heap_push (GPtrArray *heap,
           Flow      *flow)
{
  guint i = heap->len;

  g_ptr_array_add (heap, flow);
  while (i > 0 && flow_before (heap->pdata[i], heap->pdata[(i - 1) / 2]))
    {
      heap_swap (heap, i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
}

static Flow *
heap_pop (GPtrArray *heap)
{
  Flow *top = heap->pdata[0];
  guint i = 0;

  heap->pdata[0] = heap->pdata[heap->len - 1];
  g_ptr_array_set_size (heap, heap->len - 1);
  for (;;)
    {
      guint smallest = i;
      guint left = 2 * i + 1;
      guint right = left + 1;

      if (left < heap->len && flow_before (heap->pdata[left],
                                           heap->pdata[smallest]))
        smallest = left;
      if (right < heap->len && flow_before (heap->pdata[right],
                                            heap->pdata[smallest]))
        smallest = right;
      if (smallest == i)
        break;
      heap_swap (heap, i, smallest);
      i = smallest;
    }
  return top;
}

/* Run */

/**
 * ntpac_traffic_gen_options_init:
 * @options: (out caller-allocates): options to fill
 *
 * Fills @options with the defaults: seed 1, 100 MiB of classic pcap with
 * microsecond timestamps, 20 % IPv6, no VLAN, no impairment, mix
 * http=50,dns=25,tls=20,bulk=5, 128 concurrent conversations.
 */
void
ntpac_traffic_gen_options_init (NtpacTrafficGenOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->seed = 1;
  options->target_size = 100 * 1024 * 1024;
  options->format = NTPAC_TRAFFIC_GEN_FORMAT_PCAP;
  options->ipv6_ratio = 0.2;
  options->weight_http = 50;
  options->weight_dns = 25;
  options->weight_tls = 20;
  options->weight_bulk = 5;
  options->concurrency = 128;
}

/**
 * ntpac_traffic_gen_parse_size:
 * @text: a number of bytes with an optional K, M or G suffix (powers of 1024)
 * @size: (out): the size in bytes
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a valid size
 */
gboolean
ntpac_traffic_gen_parse_size (const gchar  *text,
                              guint64      *size,
                              GError      **error)
{
  guint64 value;
  guint64 multiplier = 1;
  gchar *end = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (size != NULL, FALSE);

  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (end == text || errno != 0)
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                   "Invalid size “%s”", text);
      return FALSE;
    }
  switch (g_ascii_toupper (*end))
    {
    case 'G':
      multiplier *= 1024;
      G_GNUC_FALLTHROUGH;
    case 'M':
      multiplier *= 1024;
      G_GNUC_FALLTHROUGH;
    case 'K':
      multiplier *= 1024;
      end++;
      break;
    default:
      break;
    }
  if (*end != '\0' || value > G_MAXUINT64 / multiplier)
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                   "Invalid size “%s”", text);
      return FALSE;
    }
  *size = value * multiplier;
  return TRUE;
}

/**
 * ntpac_traffic_gen_parse_mix:
 * @text: comma-separated NAME=WEIGHT pairs, NAME one of http, dns, tls, bulk
 * @options: options whose weights to set; names not given get weight 0
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is valid and at least one weight is not zero
 */
gboolean
ntpac_traffic_gen_parse_mix (const gchar             *text,
                             NtpacTrafficGenOptions  *options,
                             GError                 **error)
{
  g_auto(GStrv) items = NULL;
  guint weights[N_FLOW_KINDS] = { 0 };
  static const gchar *const names[N_FLOW_KINDS] = { "http", "dns", "tls", "bulk" };
  guint total = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const gchar *equals = strchr (items[i], '=');
      guint64 weight = 0;
      guint kind = N_FLOW_KINDS;

      for (guint k = 0; equals != NULL && k < N_FLOW_KINDS; k++)
        if (strncmp (items[i], names[k], equals - items[i]) == 0 &&
            strlen (names[k]) == (gsize) (equals - items[i]))
          kind = k;
      if (kind == N_FLOW_KINDS ||
          !g_ascii_string_to_unsigned (equals + 1, 10, 0, 1000000, &weight,
                                       NULL))
        {
          g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                       NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                       "Invalid mix item “%s” (expected http|dns|tls|bulk=WEIGHT)", items[i]);
          return FALSE;
        }
      weights[kind] = weight;
      total += weight;
    }
  if (total == 0)
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                   "The mix “%s” has no non-zero weight", text);
      return FALSE;
    }
  options->weight_http = weights[FLOW_HTTP];
  options->weight_dns = weights[FLOW_DNS];
  options->weight_tls = weights[FLOW_TLS];
  options->weight_bulk = weights[FLOW_BULK];
  return TRUE;
}

/**
 * ntpac_traffic_gen_truth_path:
 * @capture_path: (type filename): capture file name
 *
 * Returns: (transfer full) (type filename): where the ground truth of
 *   @capture_path goes: the same name followed by ".truth.jsonl"
 */
gchar *
ntpac_traffic_gen_truth_path (const gchar *capture_path)
{
  return g_strconcat (capture_path, ".truth.jsonl", NULL);
}

static gboolean
check_options (const NtpacTrafficGenOptions  *options,
               GError                       **error)
{
  const gdouble rates[] = {
    options->ipv6_ratio, options->loss_rate, options->duplicate_rate,
    options->reorder_rate,
  };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      if (!(rates[i] >= 0.0 && rates[i] <= 1.0))
        {
          g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                       NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                       "Ratios and rates must be between 0 and 1");
          return FALSE;
        }
    }
  if (options->concurrency == 0 || options->n_vlans > 2 ||
      options->weight_http + options->weight_dns + options->weight_tls + options->weight_bulk == 0)
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                   "Concurrency must be positive, VLAN tags at most 2, and one weight non-zero");
      return FALSE;
    }
  return TRUE;
}

static void
generator_clear (Generator *gen)
{
  if (gen->heap != NULL)
    {
      for (guint i = 0; i < gen->heap->len; i++)
        flow_free (gen->heap->pdata[i]);
      g_ptr_array_unref (gen->heap);
    }
  g_clear_pointer (&gen->rand, g_rand_free);
  g_clear_pointer (&gen->pool, gen_pool_free);
  g_clear_pointer (&gen->writer, ntpac_test_pcap_writer_free);
  g_clear_pointer (&gen->packet, ntpac_test_packet_free);
  g_clear_pointer (&gen->truth, fclose);
  g_clear_pointer (&gen->truth_path, g_free);
  if (gen->line != NULL)
    g_string_free (gen->line, TRUE);
  g_free (gen->dns_query);
  g_free (gen->dns_response);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Generator, generator_clear)

static gboolean
generator_open (Generator    *gen,
                const gchar  *capture_path,
                const gchar  *truth_path,
                GError      **error)
{
  const NtpacTrafficGenOptions *options = gen->options;
  const guint32 seed_words[2] = { options->seed & G_MAXUINT32, options->seed >> 32 };
  const gchar *server_names[G_N_ELEMENTS (servers)];
  NtpacTestPcapFormat format;

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    server_names[i] = servers[i].name;

  gen->rand = g_rand_new_with_seed_array (seed_words,
                                          G_N_ELEMENTS (seed_words));
  gen->pool = gen_pool_new (gen->rand, options->seed, server_names,
                            G_N_ELEMENTS (servers), error);
  if (gen->pool == NULL)
    return FALSE;

  if (options->format == NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG)
    format = NTPAC_TEST_PCAP_FORMAT_PCAPNG;
  else
    format = options->nanosecond ? NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC : NTPAC_TEST_PCAP_FORMAT_PCAP;
  gen->writer = ntpac_test_pcap_writer_new_file (capture_path, format,
                                                 NTPAC_TEST_BYTE_ORDER_LITTLE,
                                                 error);
  if (gen->writer == NULL)
    return FALSE;
  if (format == NTPAC_TEST_PCAP_FORMAT_PCAPNG && options->nanosecond)
    ntpac_test_pcap_writer_add_interface_full (gen->writer,
                                               NTPAC_TEST_LINKTYPE_ETHERNET,
                                               NTPAC_TEST_DEFAULT_SNAPLEN,
                                               NTPAC_TEST_TSRESOL_NSEC, "eth0");
  else
    ntpac_test_pcap_writer_add_interface (gen->writer,
                                          NTPAC_TEST_LINKTYPE_ETHERNET,
                                          NTPAC_TEST_DEFAULT_SNAPLEN);

  gen->truth_path = g_strdup (truth_path);
  gen->truth = g_fopen (truth_path, "w");
  if (gen->truth == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Cannot create “%s”: %s", truth_path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  setvbuf (gen->truth, NULL, _IOFBF, TRUTH_BUFFER_SIZE);

  gen->packet = ntpac_test_packet_new ();
  gen->line = g_string_sized_new (4096);
  gen->dns_query = g_new0 (GenDnsMessage, 1);
  gen->dns_response = g_new0 (GenDnsMessage, 1);
  gen->heap = g_ptr_array_sized_new (options->concurrency);
  /* Keep elephants well below the target, so small captures stay small. */
  gen->max_bulk_size = options->target_size / 8;
  return TRUE;
}

static void
generator_loop (Generator *gen)
{
  gint64 now = EPOCH_NS;

  for (;;)
    {
      Flow *flow;

      while (!gen->stopping && gen->heap->len < gen->options->concurrency)
        {
          gint64 gap = rand_between (gen, 0, NS_PER_MS);

          if (!gen->options->nanosecond)
            gap = gap / NS_PER_US * NS_PER_US;
          heap_push (gen->heap, flow_new (gen, now + gap));
        }
      if (gen->heap->len == 0)
        break;

      flow = heap_pop (gen->heap);
      now = flow->next_ts;
      if (flow_step (gen, flow))
        heap_push (gen->heap, flow);
      else
        flow_finish (gen, flow);

      if ((guint64) ntpac_test_pcap_writer_get_offset (gen->writer) >= gen->options->target_size)
        gen->stopping = TRUE;
    }
}

static gboolean
generator_close (Generator             *gen,
                 NtpacTrafficGenStats  *stats,
                 GError               **error)
{
  NtpacTrafficGenStats totals = {
    ntpac_test_pcap_writer_get_n_records (gen->writer),
    ntpac_test_pcap_writer_get_offset (gen->writer),
    gen->n_flows,
  };
  FILE *truth = g_steal_pointer (&gen->truth);
  gboolean truth_ok;

  if (!ntpac_test_pcap_writer_close (gen->writer, error))
    {
      fclose (truth);
      return FALSE;
    }

  g_string_append_printf (gen->line,
                          "{\"type\":\"summary\",\"packets\":%" G_GUINT64_FORMAT ",\"bytes\":%"
                          G_GUINT64_FORMAT ",\"flows\":%" G_GUINT64_FORMAT ",\"seed\":%"
                          G_GUINT64_FORMAT "}\n",
                          totals.packets, totals.bytes, totals.flows,
                          gen->options->seed);
  fwrite (gen->line->str, 1, gen->line->len, truth);
  truth_ok = !ferror (truth);
  truth_ok = fclose (truth) == 0 && truth_ok;
  if (!truth_ok)
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_FAILED,
                   "Cannot write “%s”", gen->truth_path);
      return FALSE;
    }

  if (stats != NULL)
    *stats = totals;
  return TRUE;
}

/**
 * ntpac_traffic_gen_run:
 * @options: what to generate
 * @capture_path: (type filename): capture file to write
 * @truth_path: (type filename) (nullable): ground truth file to write, or
 *   %NULL for ntpac_traffic_gen_truth_path() of @capture_path
 * @stats: (out caller-allocates) (optional): totals of the run
 * @error: return location for a #GError
 *
 * Generates a capture and its ground truth.
 *
 * Returns: %TRUE on success
 */
gboolean
ntpac_traffic_gen_run (const NtpacTrafficGenOptions  *options,
                       const gchar                   *capture_path,
                       const gchar                   *truth_path,
                       NtpacTrafficGenStats          *stats,
                       GError                       **error)
{
  g_auto(Generator) gen = { 0 };
  g_autofree gchar *default_truth_path = NULL;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (capture_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_options (options, error))
    return FALSE;
  if (truth_path == NULL)
    truth_path = default_truth_path = ntpac_traffic_gen_truth_path (capture_path);

  gen.options = options;
  if (!generator_open (&gen, capture_path, truth_path, error))
    return FALSE;
  generator_loop (&gen);
  return generator_close (&gen, stats, error);
}
