/* ntpac-http-dissector.c: the `http` dissector
 *
 * HTTP/1.0 (RFC 1945) and HTTP/1.1 (RFC 9110, RFC 9112) over TCP: each
 * request is paired with its response, in order (pipelining, keep-alive,
 * interim 1xx responses such as 100 Continue), and the pair is one `http`
 * record; each body, decoded (gzip, deflate), is an object whose SHA-256
 * the record gives. The parser (ntpac-http-parser.c) reads each direction;
 * this file pairs what it finds, makes the objects and the records.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-http-dissector.h"
#include "ntpac-http-parser.h"

/* Requests kept waiting for their responses, per conversation. */
#define MAX_PENDING 64
/* Interim (1xx) status codes kept per transaction. */
#define MAX_INFORMATIONAL 16

struct _NtpacHttpDissector
{
  NtpacDissector parent_instance;
  NtpacHttpLimits limits;   /* the settings */
};

enum
{
  PROP_0,
  PROP_MAX_HEADER_SIZE,
  PROP_MAX_HEADERS,
  PROP_MAX_LINE_LENGTH,
  PROP_MAX_DECODED_SIZE,
  PROP_MAX_RATIO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (NtpacHttpDissector, ntpac_http_dissector, NTPAC_TYPE_DISSECTOR)

/* One message of a transaction: a request or its final response. */
typedef struct
{
  NtpacHttpMessage  *message;    /* NULL until its header block is read */
  NtpacHttpMessage  *trailers;
  NtpacObject       *object;     /* its body, while it is written */
  guint64            early_missing; /* lost before the object was made */
  gchar             *sha256;     /* of its body, once finished */
  NtpacFrameSet     *frames;     /* of its bytes, for the object */
  NtpacHttpBodyInfo  info;
  gboolean           done;
} Part;

/* A request and its response. */
typedef struct
{
  Part           part[2];        /* [UP] the request, [DOWN] the response */
  GArray        *informational;  /* guint16 of the interim responses */
  NtpacFrameSet *frames;         /* of both */
} Transaction;

typedef struct _HttpState HttpState;

/* One direction. */
typedef struct
{
  HttpState        *state;
  NtpacDirection    direction;
  NtpacHttpParser  *parser;
  Transaction      *tx;          /* the message under way belongs to it */
  gboolean          lost;        /* bytes lost between messages since the last one */
} Side;

struct _HttpState
{
  NtpacHttpDissector  *self;
  NtpacDissectContext *ctx;      /* of the current call */
  Side                 side[2];
  GQueue               pending;  /* Transaction, oldest first */
};

/* ---- transactions ------------------------------------------------------------ */

static Transaction *
transaction_new (void)
{
  Transaction *tx = g_new0 (Transaction, 1);

  tx->frames = ntpac_frame_set_new ();
  return tx;
}

static void
part_clear (Part *part)
{
  ntpac_http_message_free (part->message);
  ntpac_http_message_free (part->trailers);
  if (part->object != NULL)
    ntpac_object_free (part->object);
  g_free (part->sha256);
  if (part->frames != NULL)
    ntpac_frame_set_free (part->frames);
}

static void
transaction_free (Transaction *tx)
{
  part_clear (&tx->part[0]);
  part_clear (&tx->part[1]);
  if (tx->informational != NULL)
    g_array_unref (tx->informational);
  ntpac_frame_set_free (tx->frames);
  g_free (tx);
}

/* A header block, in the order and case it was sent. */
static void
add_headers (NtpacRecordBuilder     *b,
             const gchar            *key,
             const NtpacHttpMessage *m)
{
  ntpac_record_builder_open_pairs (b, key);
  for (guint i = 0; m != NULL && i < m->headers->len; i++)
    {
      const NtpacHttpHeader *h = &g_array_index (m->headers, NtpacHttpHeader, i);

      ntpac_record_builder_add_pair (b, h->name, h->name_len, h->value, h->value_len);
    }
  ntpac_record_builder_close_pairs (b);
}

static const gchar *
content_type_of (const Part *part)
{
  return part->message != NULL ? part->message->content_type : NULL;
}

/* The host a request went to: its Host field, else the authority of an
 * absolute URI (proxies) or of a CONNECT target. */
static gchar *
host_of (const NtpacHttpMessage *req)
{
  const gchar *uri = req->uri, *start, *end, *at;

  if (req->host != NULL)
    return g_utf8_make_valid (req->host, req->host_len);
  if (req->method_len == 7 && memcmp (req->method, "CONNECT", 7) == 0)
    return g_utf8_make_valid (uri, req->uri_len);
  start = strstr (uri, "://");
  if (start == NULL || uri[0] == '/')
    return NULL;
  start += 3;
  end = start + strcspn (start, "/?#");
  at = memchr (start, '@', end - start);
  if (at != NULL)
    start = at + 1;
  if (end == start)
    return NULL;
  return g_utf8_make_valid (start, end - start);
}

/* Finishes the object of a part's body (if it has one). */
static void
part_finish_object (HttpState *state,
                    Part      *part,
                    gboolean   complete)
{
  const gchar *content_type = content_type_of (part);
  g_autofree gchar *type = content_type != NULL ? g_utf8_make_valid (content_type, -1) : NULL;

  if (part->object == NULL)
    return;
  part->sha256 = ntpac_dissect_context_object_finish (state->ctx, part->object, type, complete,
                                                      part->frames);
  part->object = NULL;
}

/* Stores the record of a transaction and forgets it. */
static void
transaction_emit (HttpState   *state,
                  Transaction *tx)
{
  Part *req = &tx->part[NTPAC_DIRECTION_UP];
  Part *resp = &tx->part[NTPAC_DIRECTION_DOWN];
  const NtpacHttpMessage *rq = req->message, *rs = resp->message;
  g_autofree gchar *host = NULL;
  NtpacRecordBuilder *b;
  gboolean complete = TRUE;
  guint64 missing = 0;

  /* bodies still under way end here, incomplete */
  for (guint d = 0; d < 2; d++)
    if (tx->part[d].message != NULL && !tx->part[d].done)
      {
        tx->part[d].info.complete = FALSE;
        part_finish_object (state, &tx->part[d], FALSE);
      }

  b = ntpac_dissect_context_begin_record (state->ctx);
  if (rq != NULL)
    {
      host = host_of (rq);
      ntpac_record_builder_add_string (b, "method", rq->method, rq->method_len);
      ntpac_record_builder_add_string (b, "uri", rq->uri, rq->uri_len);
      if (host != NULL)
        ntpac_record_builder_add_string (b, "host", host, -1);
      if (rq->version != NULL)
        ntpac_record_builder_add_string (b, "version", rq->version, rq->version_len);
      if (rq->user_agent != NULL)
        ntpac_record_builder_add_string (b, "user_agent", rq->user_agent, rq->user_agent_len);
      add_headers (b, "request_headers", rq);
      if (req->trailers != NULL)
        add_headers (b, "request_trailers", req->trailers);
      ntpac_record_builder_add_uint64 (b, "request_body_len", req->info.decoded_len);
      if (req->sha256 != NULL)
        ntpac_record_builder_add_string (b, "request_body_sha256", req->sha256, -1);
      complete = complete && req->info.complete;
      missing += req->info.missing;
    }
  if (rs != NULL)
    {
      if (rq == NULL)
        ntpac_record_builder_add_string (b, "version", rs->version, rs->version_len);
      if (!rs->simple)
        ntpac_record_builder_add_uint16 (b, "status", (guint16) rs->status);
      if (rs->reason != NULL)
        ntpac_record_builder_add_string (b, "reason", rs->reason, rs->reason_len);
      add_headers (b, "response_headers", rs);
      if (resp->trailers != NULL)
        add_headers (b, "response_trailers", resp->trailers);
      if (rs->content_type != NULL)
        ntpac_record_builder_add_string (b, "content_type", rs->content_type, rs->content_type_len);
      if (rs->transfer_encoding != NULL)
        ntpac_record_builder_add_string (b, "transfer_encoding", rs->transfer_encoding, rs->transfer_encoding_len);
      if (rs->content_encoding != NULL)
        ntpac_record_builder_add_string (b, "content_encoding", rs->content_encoding, rs->content_encoding_len);
      ntpac_record_builder_add_uint64 (b, "response_body_len", resp->info.decoded_len);
      ntpac_record_builder_add_uint64 (b, "response_body_wire_len", resp->info.wire_len);
      if (resp->sha256 != NULL)
        ntpac_record_builder_add_string (b, "response_body_sha256", resp->sha256, -1);
      complete = complete && resp->info.complete;
      missing += resp->info.missing;
    }
  else
    complete = FALSE;   /* the response body was never seen */
  if (tx->informational != NULL && tx->informational->len > 0)
    ntpac_record_builder_add_fixed_array (b, "informational", "q", tx->informational->data,
                                          tx->informational->len, sizeof (guint16));
  ntpac_record_builder_add_boolean (b, "body_complete", complete);
  ntpac_record_builder_add_uint64 (b, "missing_bytes", missing);
  ntpac_dissect_context_emit_record (state->ctx, "http", b, tx->frames, host);

  g_queue_remove (&state->pending, tx);
  for (guint d = 0; d < 2; d++)
    if (state->side[d].tx == tx)
      state->side[d].tx = NULL;
  transaction_free (tx);
}

/* Emits a transaction once both its messages are over. */
static void
transaction_check (HttpState   *state,
                   Transaction *tx)
{
  gboolean req_done = tx->part[NTPAC_DIRECTION_UP].message == NULL || tx->part[NTPAC_DIRECTION_UP].done;
  gboolean resp_done = tx->part[NTPAC_DIRECTION_DOWN].message != NULL && tx->part[NTPAC_DIRECTION_DOWN].done;

  if (req_done && resp_done)
    transaction_emit (state, tx);
}

/* ---- what the parsers find ----------------------------------------------------- */

static NtpacHttpBodyAction
on_headers (gpointer          user_data,
            NtpacHttpMessage *message,
            gsize             offset)
{
  Side *side = user_data;
  HttpState *state = side->state;
  Transaction *tx = NULL;
  const NtpacHttpMessage *req;

  if (side->direction == NTPAC_DIRECTION_UP)
    {
      if (g_queue_get_length (&state->pending) >= MAX_PENDING)
        {
          Transaction *oldest = g_queue_peek_head (&state->pending);

          if (oldest != state->side[0].tx && oldest != state->side[1].tx)
            {
              ntpac_dissect_context_anomaly (state->ctx, "http.too-many-pending", offset);
              transaction_emit (state, oldest);
            }
        }
      tx = transaction_new ();
      tx->part[NTPAC_DIRECTION_UP].message = message;
      g_queue_push_tail (&state->pending, tx);
      side->tx = tx;
      return NTPAC_HTTP_BODY_DEFAULT;
    }

  /* a response answers the oldest request without a final response; when
   * bytes were lost before it and more requests wait, the oldest's
   * response was in them */
  for (GList *l = state->pending.head; l != NULL; l = l->next)
    {
      Transaction *t = l->data;

      if (t->part[NTPAC_DIRECTION_DOWN].message != NULL)
        continue;
      if (tx == NULL)
        tx = t;
      else if (side->lost)
        {
          ntpac_dissect_context_anomaly (state->ctx, "http.response-lost", offset);
          if (tx->part[NTPAC_DIRECTION_UP].done)
            transaction_emit (state, tx);
          tx = t;
          break;
        }
      else
        break;
    }
  side->lost = FALSE;
  if (tx == NULL)
    {
      ntpac_dissect_context_anomaly (state->ctx, "http.response-without-request", offset);
      tx = transaction_new ();
      g_queue_push_tail (&state->pending, tx);
    }
  side->tx = tx;
  req = tx->part[NTPAC_DIRECTION_UP].message;

  if (message->status < 200 && message->status != 101 && !message->simple)
    {
      guint16 code = (guint16) message->status;

      /* interim: the final response is still to come */
      if (tx->informational == NULL)
        tx->informational = g_array_new (FALSE, FALSE, sizeof (guint16));
      if (tx->informational->len < MAX_INFORMATIONAL)
        g_array_append_val (tx->informational, code);
      ntpac_http_message_free (message);
      return NTPAC_HTTP_BODY_DEFAULT;
    }

  tx->part[NTPAC_DIRECTION_DOWN].message = message;
  if (req != NULL && req->method_len == 4 && memcmp (req->method, "HEAD", 4) == 0)
    return NTPAC_HTTP_BODY_SKIP;
  if (message->status == 101 ||
      (req != NULL && req->method_len == 7 && memcmp (req->method, "CONNECT", 7) == 0 &&
       message->status >= 200 && message->status < 300))
    {
      /* both directions are a tunnel from here */
      ntpac_http_parser_set_tunnel (state->side[NTPAC_DIRECTION_UP].parser);
      return NTPAC_HTTP_BODY_TUNNEL;
    }
  return NTPAC_HTTP_BODY_DEFAULT;
}

static Part *
current_part (Side *side)
{
  if (side->tx == NULL)
    return NULL;
  return &side->tx->part[side->direction];
}

static void
on_body (gpointer      user_data,
         const guint8 *data,
         gsize         len)
{
  Side *side = user_data;
  Part *part = current_part (side);

  if (part == NULL || part->message == NULL)
    return;
  if (part->object == NULL)
    {
      part->object = ntpac_dissect_context_object_new (side->state->ctx, "http");
      if (part->early_missing > 0)
        ntpac_object_add_missing (part->object, part->early_missing);
    }
  ntpac_object_write (part->object, data, len);
}

static void
on_body_gap (gpointer user_data,
             guint64  missing)
{
  Side *side = user_data;
  Part *part = current_part (side);

  if (part == NULL)
    return;
  if (part->object != NULL)
    ntpac_object_add_missing (part->object, missing);
  else
    part->early_missing += missing;
}

static void
on_trailers (gpointer          user_data,
             NtpacHttpMessage *trailers)
{
  Side *side = user_data;
  Part *part = current_part (side);

  if (part == NULL || part->message == NULL)
    {
      ntpac_http_message_free (trailers);
      return;
    }
  ntpac_http_message_free (part->trailers);
  part->trailers = trailers;
}

static void
on_span (gpointer user_data,
         gsize    offset,
         gsize    len)
{
  Side *side = user_data;
  Part *part = current_part (side);

  if (part == NULL)
    return;
  ntpac_dissect_context_add_frames (side->state->ctx, side->tx->frames, offset, len);
  if (part->message != NULL)
    {
      if (part->frames == NULL)
        part->frames = ntpac_frame_set_new ();
      ntpac_dissect_context_add_frames (side->state->ctx, part->frames, offset, len);
    }
}

static void
on_message_end (gpointer                 user_data,
                const NtpacHttpBodyInfo *info)
{
  Side *side = user_data;
  Transaction *tx = side->tx;
  Part *part = current_part (side);

  side->tx = NULL;
  if (part == NULL || part->message == NULL)
    return;   /* an interim response */
  part->info = *info;
  part->done = TRUE;
  part_finish_object (side->state, part, info->complete);
  transaction_check (side->state, tx);
}

static void
on_anomaly (gpointer     user_data,
            const gchar *id,
            gsize        offset)
{
  Side *side = user_data;

  ntpac_dissect_context_anomaly (side->state->ctx, id, offset);
}

/* The oldest request without a response was a line without version
 * (HTTP/0.9): its response has no status line. */
static gboolean
on_simple_response (gpointer user_data)
{
  Side *side = user_data;

  for (GList *l = side->state->pending.head; l != NULL; l = l->next)
    {
      Transaction *t = l->data;
      const NtpacHttpMessage *req = t->part[NTPAC_DIRECTION_UP].message;

      if (t->part[NTPAC_DIRECTION_DOWN].message != NULL)
        continue;
      return req != NULL && req->simple;
    }
  return FALSE;
}

static const NtpacHttpParserFuncs parser_funcs = {
  .headers = on_headers,
  .body = on_body,
  .trailers = on_trailers,
  .body_gap = on_body_gap,
  .span = on_span,
  .message_end = on_message_end,
  .anomaly = on_anomaly,
  .simple_response = on_simple_response,
};

/* ---- the dissector ------------------------------------------------------------- */

static gboolean
ntpac_http_dissector_probe (NtpacDissector    *dissector,
                            NtpacDissectInput  input,
                            NtpacDirection     direction,
                            const guint8      *data,
                            gsize              len,
                            gboolean           port_hint)
{
  if (input != NTPAC_DISSECT_INPUT_TCP_STREAM)
    return FALSE;
  return ntpac_http_probe (data, len, port_hint);
}

static gpointer
ntpac_http_dissector_conversation_start (NtpacDissector      *dissector,
                                         NtpacDissectContext *ctx)
{
  NtpacHttpDissector *self = NTPAC_HTTP_DISSECTOR (dissector);
  HttpState *state = g_new0 (HttpState, 1);

  state->self = self;
  g_queue_init (&state->pending);
  for (guint d = 0; d < 2; d++)
    {
      state->side[d].state = state;
      state->side[d].direction = d;
      state->side[d].parser = ntpac_http_parser_new (d == NTPAC_DIRECTION_UP ? NTPAC_HTTP_REQUEST
                                                                             : NTPAC_HTTP_RESPONSE,
                                                     &self->limits, &parser_funcs, &state->side[d]);
    }
  return state;
}

static NtpacDissectResult
ntpac_http_dissector_dissect (NtpacDissector      *dissector,
                              NtpacDissectContext *ctx,
                              gpointer             data,
                              NtpacDirection       direction,
                              NtpacCursor         *cursor)
{
  HttpState *state = data;
  NtpacDissectResult r;

  state->ctx = ctx;
  r = ntpac_http_parser_feed (state->side[direction].parser, cursor);
  state->ctx = NULL;
  /* A tunnel opened (CONNECT accepted, 101 Switching Protocols): what
   * follows is another protocol, TLS most often; the core identifies it
   * from the bytes not consumed. */
  if (ntpac_http_parser_is_tunnel (state->side[NTPAC_DIRECTION_UP].parser) ||
      ntpac_http_parser_is_tunnel (state->side[NTPAC_DIRECTION_DOWN].parser))
    ntpac_dissect_context_release (ctx);
  return r;
}

static void
ntpac_http_dissector_gap (NtpacDissector      *dissector,
                          NtpacDissectContext *ctx,
                          gpointer             data,
                          NtpacDirection       direction,
                          guint64              missing)
{
  HttpState *state = data;

  /* lost between messages: a whole response may have been in it */
  if (state->side[direction].tx == NULL)
    state->side[direction].lost = TRUE;
  state->ctx = ctx;
  ntpac_http_parser_gap (state->side[direction].parser, missing);
  state->ctx = NULL;
}

/* The end: bodies that run to the close are complete, other messages
 * under way are not; every transaction left is emitted, in order. */
static void
ntpac_http_dissector_conversation_end (NtpacDissector      *dissector,
                                       NtpacDissectContext *ctx,
                                       gpointer             data)
{
  HttpState *state = data;
  Transaction *tx;

  if (state == NULL)
    return;
  state->ctx = ctx;
  ntpac_http_parser_finish (state->side[NTPAC_DIRECTION_UP].parser);
  ntpac_http_parser_finish (state->side[NTPAC_DIRECTION_DOWN].parser);
  while ((tx = g_queue_peek_head (&state->pending)) != NULL)
    transaction_emit (state, tx);
  for (guint d = 0; d < 2; d++)
    ntpac_http_parser_free (state->side[d].parser);
  g_free (state);
}

/* ---- settings ------------------------------------------------------------------ */

static void
ntpac_http_dissector_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  NtpacHttpDissector *self = NTPAC_HTTP_DISSECTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_HEADER_SIZE:
      self->limits.max_header_size = g_value_get_uint (value);
      break;
    case PROP_MAX_HEADERS:
      self->limits.max_headers = g_value_get_uint (value);
      break;
    case PROP_MAX_LINE_LENGTH:
      self->limits.max_line_length = g_value_get_uint (value);
      break;
    case PROP_MAX_DECODED_SIZE:
      self->limits.max_decoded_size = g_value_get_uint64 (value);
      break;
    case PROP_MAX_RATIO:
      self->limits.max_ratio = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ntpac_http_dissector_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  NtpacHttpDissector *self = NTPAC_HTTP_DISSECTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_HEADER_SIZE:
      g_value_set_uint (value, (guint) self->limits.max_header_size);
      break;
    case PROP_MAX_HEADERS:
      g_value_set_uint (value, self->limits.max_headers);
      break;
    case PROP_MAX_LINE_LENGTH:
      g_value_set_uint (value, (guint) self->limits.max_line_length);
      break;
    case PROP_MAX_DECODED_SIZE:
      g_value_set_uint64 (value, self->limits.max_decoded_size);
      break;
    case PROP_MAX_RATIO:
      g_value_set_uint (value, self->limits.max_ratio);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} http_anomalies[] = {
  { NTPAC_HTTP_ANOMALY_BAD_REQUEST_LINE, NTPAC_SEVERITY_WARNING,
    "A request line that cannot be read (bytes skipped to the next request)" },
  { NTPAC_HTTP_ANOMALY_BAD_STATUS_LINE, NTPAC_SEVERITY_WARNING,
    "A status line that cannot be read (bytes skipped to the next response)" },
  { NTPAC_HTTP_ANOMALY_BAD_VERSION, NTPAC_SEVERITY_WARNING,
    "An HTTP version other than 1.x: the direction is not read further" },
  { NTPAC_HTTP_ANOMALY_REQUEST_NO_SPACE, NTPAC_SEVERITY_WARNING,
    "A request line without a space before the version (read as target and version)" },
  { NTPAC_HTTP_ANOMALY_REQUEST_BAD_VERSION, NTPAC_SEVERITY_WARNING,
    "A request line whose version is cut, in lower case or corrupt (read as HTTP/1.x)" },
  { NTPAC_HTTP_ANOMALY_REQUEST_NO_VERSION, NTPAC_SEVERITY_WARNING,
    "A request line without version for a method other than GET (read as HTTP/0.9)" },
  { NTPAC_HTTP_ANOMALY_REQUEST_NO_URI, NTPAC_SEVERITY_WARNING,
    "A request line without a target" },
  { NTPAC_HTTP_ANOMALY_HTTP09_REQUEST, NTPAC_SEVERITY_INFO,
    "An HTTP/0.9 request (GET without version): its response is read to the close" },
  { NTPAC_HTTP_ANOMALY_STATUS_BAD_VERSION, NTPAC_SEVERITY_WARNING,
    "A status line whose version is in lower case or corrupt (read as HTTP/1.x)" },
  { NTPAC_HTTP_ANOMALY_BAD_HEADER, NTPAC_SEVERITY_WARNING,
    "A header line without a colon, or a field name with invalid characters" },
  { NTPAC_HTTP_ANOMALY_OBS_FOLD, NTPAC_SEVERITY_INFO,
    "A field value folded over several lines (obsolete line folding)" },
  { NTPAC_HTTP_ANOMALY_LINE_TOO_LONG, NTPAC_SEVERITY_WARNING,
    "A line longer than max-line-length: its value was cut" },
  { NTPAC_HTTP_ANOMALY_TOO_MANY_HEADERS, NTPAC_SEVERITY_WARNING,
    "More header fields than max-headers: the others are not recorded" },
  { NTPAC_HTTP_ANOMALY_HEADER_TOO_LARGE, NTPAC_SEVERITY_WARNING,
    "A header block larger than max-header-size: the rest of the message was skipped" },
  { NTPAC_HTTP_ANOMALY_BAD_CONTENT_LENGTH, NTPAC_SEVERITY_WARNING,
    "A Content-Length that is not a number" },
  { NTPAC_HTTP_ANOMALY_CL_CONFLICT, NTPAC_SEVERITY_WARNING,
    "Several Content-Length fields that disagree" },
  { NTPAC_HTTP_ANOMALY_TE_AND_CL, NTPAC_SEVERITY_WARNING,
    "Both Transfer-Encoding and Content-Length (Transfer-Encoding wins; request smuggling?)" },
  { NTPAC_HTTP_ANOMALY_SMUGGLING, NTPAC_SEVERITY_WARNING,
    "Conflicting Content-Length values, or Content-Length with Transfer-Encoding: "
    "servers and proxies may disagree on where the body ends (request smuggling?)" },
  { NTPAC_HTTP_ANOMALY_BAD_TE, NTPAC_SEVERITY_WARNING,
    "A Transfer-Encoding that does not end with chunked, or that cannot be decoded" },
  { NTPAC_HTTP_ANOMALY_BAD_CHUNK, NTPAC_SEVERITY_WARNING,
    "A chunk-size line that cannot be read, or chunk data not followed by CRLF" },
  { NTPAC_HTTP_ANOMALY_UNSUPPORTED_CODING, NTPAC_SEVERITY_INFO,
    "A content coding that is not decoded (the body is kept as sent)" },
  { NTPAC_HTTP_ANOMALY_DECODE_ERROR, NTPAC_SEVERITY_WARNING,
    "A gzip or deflate body that could not be decoded to its end" },
  { NTPAC_HTTP_ANOMALY_DECODED_SIZE_CAP, NTPAC_SEVERITY_WARNING,
    "A decoded body reached max-decoded-size: it was cut" },
  { NTPAC_HTTP_ANOMALY_RATIO_CAP, NTPAC_SEVERITY_WARNING,
    "A body decoded to more than max-ratio times its size (a decompression bomb?): it was cut" },
  { NTPAC_HTTP_ANOMALY_TRAILING_DATA, NTPAC_SEVERITY_INFO,
    "Bytes after the end of a compressed body" },
  { NTPAC_HTTP_ANOMALY_BODY_GAP, NTPAC_SEVERITY_WARNING,
    "Bytes of a body were lost: it is incomplete" },
  { NTPAC_HTTP_ANOMALY_GAP_RESYNC, NTPAC_SEVERITY_WARNING,
    "Bytes lost where the framing of a message was needed: reading resumed at the next message" },
  { NTPAC_HTTP_ANOMALY_TRUNCATED_BODY, NTPAC_SEVERITY_WARNING,
    "The conversation ended before the end of a body" },
  { NTPAC_HTTP_ANOMALY_TRUNCATED_HEADERS, NTPAC_SEVERITY_WARNING,
    "The conversation ended in the middle of a header block" },
  { "http.response-without-request", NTPAC_SEVERITY_INFO,
    "A response with no request left to answer" },
  { "http.response-lost", NTPAC_SEVERITY_WARNING,
    "A response was lost with bytes the capture missed: its request is recorded without one" },
  { "http.too-many-pending", NTPAC_SEVERITY_WARNING,
    "Too many requests waiting for responses: the oldest was recorded without one" },
};

static void
ntpac_http_dissector_class_init (NtpacHttpDissectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;

  object_class->set_property = ntpac_http_dissector_set_property;
  object_class->get_property = ntpac_http_dissector_get_property;
  properties[PROP_MAX_HEADER_SIZE] =
    g_param_spec_uint ("max-header-size", "Maximum header size",
                       "bytes of a header block (start line and fields), 1 KiB to 2 MiB",
                       1024, 2 * 1024 * 1024, NTPAC_HTTP_DEFAULT_MAX_HEADER_SIZE, flags);
  properties[PROP_MAX_HEADERS] =
    g_param_spec_uint ("max-headers", "Maximum header fields",
                       "header fields recorded per message, 1 to 65535",
                       1, 65535, NTPAC_HTTP_DEFAULT_MAX_HEADERS, flags);
  properties[PROP_MAX_LINE_LENGTH] =
    g_param_spec_uint ("max-line-length", "Maximum line length",
                       "bytes of one line of a header block or chunk size, 256 to 2 MiB",
                       256, 2 * 1024 * 1024, NTPAC_HTTP_DEFAULT_MAX_LINE_LENGTH, flags);
  properties[PROP_MAX_DECODED_SIZE] =
    g_param_spec_uint64 ("max-decoded-size", "Maximum decoded size",
                         "bytes a gzip or deflate body may decode to",
                         1024, G_MAXUINT64, NTPAC_HTTP_DEFAULT_MAX_DECODED_SIZE, flags);
  properties[PROP_MAX_RATIO] =
    g_param_spec_uint ("max-ratio", "Maximum decompression ratio",
                       "decoded bytes per compressed byte of a body (0: no cap)",
                       0, G_MAXUINT, NTPAC_HTTP_DEFAULT_MAX_RATIO, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ntpac_dissector_class_set_metadata (dc, "http", "Hypertext Transfer Protocol 1.0 and 1.1");
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_TCP_STREAM,
                                   "80,8080,8000,8008,8888,3128,3132,5985,8088,11371");
  ntpac_dissector_class_add_output (dc, "http", "One record per request and its response");
  ntpac_dissector_class_add_output (dc, "objects", "Request and response bodies, decoded");
  for (guint i = 0; i < G_N_ELEMENTS (http_anomalies); i++)
    ntpac_dissector_class_add_anomaly (dc, http_anomalies[i].id, http_anomalies[i].severity,
                                       http_anomalies[i].description);
  dc->probe = ntpac_http_dissector_probe;
  dc->conversation_start = ntpac_http_dissector_conversation_start;
  dc->dissect = ntpac_http_dissector_dissect;
  dc->gap = ntpac_http_dissector_gap;
  dc->conversation_end = ntpac_http_dissector_conversation_end;
}

static void
ntpac_http_dissector_init (NtpacHttpDissector *self)
{
  ntpac_http_limits_init (&self->limits);
}
