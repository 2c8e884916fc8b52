/* ntpac-http-parser.h: HTTP/1.x messages out of one direction of a stream
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

G_BEGIN_DECLS

/**
 * NtpacHttpKind:
 * @NTPAC_HTTP_REQUEST: the client's direction: requests
 * @NTPAC_HTTP_RESPONSE: the server's direction: responses
 * @NTPAC_HTTP_TRAILERS: the trailer fields of a chunked body
 */
typedef enum
{
  NTPAC_HTTP_REQUEST,
  NTPAC_HTTP_RESPONSE,
  NTPAC_HTTP_TRAILERS,
} NtpacHttpKind;

/**
 * NtpacHttpCoding:
 * @NTPAC_HTTP_CODING_IDENTITY: the body is sent as it is
 * @NTPAC_HTTP_CODING_GZIP: gzip (or x-gzip)
 * @NTPAC_HTTP_CODING_DEFLATE: deflate, zlib-wrapped or raw
 * @NTPAC_HTTP_CODING_OTHER: a coding the parser does not decode (br,
 *   zstd, several codings): the body is kept as sent
 */
typedef enum
{
  NTPAC_HTTP_CODING_IDENTITY,
  NTPAC_HTTP_CODING_GZIP,
  NTPAC_HTTP_CODING_DEFLATE,
  NTPAC_HTTP_CODING_OTHER,
} NtpacHttpCoding;

/**
 * NtpacHttpHeader:
 * @name: the field name as sent, NUL-terminated
 * @value: the field value without surrounding whitespace, NUL-terminated
 *   (it may hold other NUL bytes: use @value_len)
 *
 * One header field, pointing into its message's copy of the header block.
 */
typedef struct
{
  const gchar *name;
  const gchar *value;
  guint32      name_len;
  guint32      value_len;
} NtpacHttpHeader;

/**
 * NtpacHttpMessage:
 * @kind: request, response or trailers
 * @headers: (element-type NtpacHttpHeader): the fields in the order and
 *   case they were sent (at most max-headers of them)
 * @method: (nullable): the request method
 * @uri: (nullable): the request target
 * @version: (nullable): the version as sent ("HTTP/1.1"; "HTTP/0.9" for
 *   a simple request or response: a GET line without version, or a
 *   response without status line); %NULL for a request line of another
 *   method without version
 * @reason: (nullable): the reason phrase, %NULL if the status line had none
 * @status: the status code of a response
 * @minor: the minor version (0 or 1)
 * @host: (nullable): the first Host field
 * @user_agent: (nullable): the first User-Agent field
 * @content_type: (nullable): the first Content-Type field
 * @content_encoding: (nullable): the Content-Encoding field
 * @transfer_encoding: (nullable): the Transfer-Encoding field
 * @content_length: the Content-Length, or -1
 * @coding: how the body is decoded
 * @chunked: the body is sent in chunks
 * @headers_truncated: the header block was larger than allowed: the
 *   fields after the limit are missing
 * @simple: a request line without version, or a response without status
 *   line (HTTP/0.9): no header block, a response runs to the close
 * @bad_framing: the body's length cannot be known (Content-Length
 *   unreadable or in conflict, a Transfer-Encoding not ending in chunked)
 *
 * One message's start line and header fields. Every string is
 * NUL-terminated and has its length beside it (`*_len`); none is
 * guaranteed to be UTF-8.
 */
typedef struct
{
  NtpacHttpKind  kind;
  gchar         *block;
  gsize          block_len;
  GArray        *headers;
  const gchar   *method;
  const gchar   *uri;
  const gchar   *version;
  const gchar   *reason;
  const gchar   *host;
  const gchar   *user_agent;
  const gchar   *content_type;
  const gchar   *content_encoding;
  const gchar   *transfer_encoding;
  guint32        method_len, uri_len, version_len, reason_len;
  guint32        host_len, user_agent_len, content_type_len;
  guint32        content_encoding_len, transfer_encoding_len;
  guint          status;
  guint          minor;
  gint64         content_length;
  NtpacHttpCoding coding;
  gboolean       chunked;
  gboolean       upgrade;
  gboolean       headers_truncated;
  gboolean       simple;
  gboolean       bad_framing;
} NtpacHttpMessage;

void ntpac_http_message_free (NtpacHttpMessage *message);

/**
 * NtpacHttpBodyAction:
 * @NTPAC_HTTP_BODY_DEFAULT: the body is framed as the message says
 * @NTPAC_HTTP_BODY_SKIP: the message has no body (a response to HEAD)
 * @NTPAC_HTTP_BODY_TUNNEL: the message has no body and what follows it is
 *   not HTTP (a 2xx response to CONNECT)
 *
 * What the headers callback says of the body that follows.
 */
typedef enum
{
  NTPAC_HTTP_BODY_DEFAULT,
  NTPAC_HTTP_BODY_SKIP,
  NTPAC_HTTP_BODY_TUNNEL,
} NtpacHttpBodyAction;

/**
 * NtpacHttpBodyInfo:
 * @wire_len: body bytes as sent, without the chunked framing, before
 *   content decoding
 * @decoded_len: bytes given to the body callback
 * @missing: bytes of the body that were lost (gaps, or the stream ended)
 * @complete: the whole body was seen and decoded
 * @capped: decoding stopped at the decoded-size or ratio cap
 *
 * How a message's body ended.
 */
typedef struct
{
  guint64  wire_len;
  guint64  decoded_len;
  guint64  missing;
  gboolean complete;
  gboolean capped;
} NtpacHttpBodyInfo;

/**
 * NtpacHttpParserFuncs:
 * @headers: a message's header block was read; takes @message (transfer
 *   full); @offset is where the message started in this call's data
 * @body: decoded body bytes (pointing into the stream's bytes when the
 *   body is not encoded)
 * @trailers: the trailer fields of a chunked body (transfer full)
 * @body_gap: @missing bytes of the body were lost here (between the body
 *   bytes given before and after)
 * @span: bytes [@offset, @offset + @len) of this call's data belong to the
 *   current message (called before the message ends and before a call
 *   returns)
 * @message_end: the current message is over
 * @anomaly: something was wrong at @offset of this call's data (0 outside
 *   a call)
 * @simple_response: (of a response parser) is the next response due to an
 *   HTTP/0.9 request? Then bytes that are no status line are its body,
 *   up to the close.
 *
 * What the parser tells its user. @trailers, @body_gap, @span, @anomaly
 * and @simple_response may be %NULL.
 */
typedef struct
{
  NtpacHttpBodyAction (*headers)     (gpointer                 user_data,
                                      NtpacHttpMessage        *message,
                                      gsize                    offset);
  void                (*body)        (gpointer                 user_data,
                                      const guint8            *data,
                                      gsize                    len);
  void                (*trailers)    (gpointer                 user_data,
                                      NtpacHttpMessage        *trailers);
  void                (*body_gap)    (gpointer                 user_data,
                                      guint64                  missing);
  void                (*span)        (gpointer                 user_data,
                                      gsize                    offset,
                                      gsize                    len);
  void                (*message_end) (gpointer                 user_data,
                                      const NtpacHttpBodyInfo *info);
  void                (*anomaly)     (gpointer                 user_data,
                                      const gchar             *id,
                                      gsize                    offset);
  gboolean            (*simple_response) (gpointer             user_data);
} NtpacHttpParserFuncs;

/**
 * NtpacHttpLimits:
 * @max_header_size: bytes of a header block (start line and fields)
 * @max_headers: fields kept per message
 * @max_line_length: bytes of one line
 * @max_decoded_size: decoded bytes of one body
 * @max_ratio: decoded bytes per encoded byte of one body (0: no cap)
 */
typedef struct
{
  gsize   max_header_size;
  guint   max_headers;
  gsize   max_line_length;
  guint64 max_decoded_size;
  guint   max_ratio;
} NtpacHttpLimits;

#define NTPAC_HTTP_DEFAULT_MAX_HEADER_SIZE  (64 * 1024)
#define NTPAC_HTTP_DEFAULT_MAX_HEADERS      256
#define NTPAC_HTTP_DEFAULT_MAX_LINE_LENGTH  (16 * 1024)
#define NTPAC_HTTP_DEFAULT_MAX_DECODED_SIZE (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define NTPAC_HTTP_DEFAULT_MAX_RATIO        1000

void ntpac_http_limits_init (NtpacHttpLimits *limits);

/**
 * NtpacHttpParser:
 *
 * Reads the messages of one direction of an HTTP/1.x conversation, fed
 * as its bytes arrive, and tells its user what it finds.
 */
typedef struct _NtpacHttpParser NtpacHttpParser;

NtpacHttpParser   *ntpac_http_parser_new        (NtpacHttpKind                kind,
                                                 const NtpacHttpLimits       *limits,
                                                 const NtpacHttpParserFuncs  *funcs,
                                                 gpointer                     user_data);
void               ntpac_http_parser_free       (NtpacHttpParser             *self);
NtpacDissectResult ntpac_http_parser_feed       (NtpacHttpParser             *self,
                                                 NtpacCursor                 *cursor);
void               ntpac_http_parser_gap        (NtpacHttpParser             *self,
                                                 guint64                      missing);
void               ntpac_http_parser_finish     (NtpacHttpParser             *self);
void               ntpac_http_parser_set_tunnel (NtpacHttpParser             *self);
gboolean           ntpac_http_parser_in_message (NtpacHttpParser             *self);
gboolean           ntpac_http_parser_is_tunnel  (NtpacHttpParser             *self);

gboolean           ntpac_http_probe             (const guint8                *data,
                                                 gsize                        len,
                                                 gboolean                     port_hint);
gboolean           ntpac_http_is_known_method   (const gchar                 *method,
                                                 gsize                        len);

/* The anomaly ids the parser reports. */
#define NTPAC_HTTP_ANOMALY_BAD_REQUEST_LINE   "http.bad-request-line"
#define NTPAC_HTTP_ANOMALY_BAD_STATUS_LINE    "http.bad-status-line"
#define NTPAC_HTTP_ANOMALY_BAD_VERSION        "http.bad-version"
#define NTPAC_HTTP_ANOMALY_REQUEST_NO_SPACE   "http.request-line-no-space"
#define NTPAC_HTTP_ANOMALY_REQUEST_BAD_VERSION "http.request-line-bad-version"
#define NTPAC_HTTP_ANOMALY_REQUEST_NO_VERSION "http.request-line-no-version"
#define NTPAC_HTTP_ANOMALY_REQUEST_NO_URI     "http.request-line-no-uri"
#define NTPAC_HTTP_ANOMALY_HTTP09_REQUEST     "http.0.9-request"
#define NTPAC_HTTP_ANOMALY_STATUS_BAD_VERSION "http.status-line-bad-version"
#define NTPAC_HTTP_ANOMALY_BAD_HEADER         "http.bad-header"
#define NTPAC_HTTP_ANOMALY_OBS_FOLD           "http.obs-fold"
#define NTPAC_HTTP_ANOMALY_LINE_TOO_LONG      "http.line-too-long"
#define NTPAC_HTTP_ANOMALY_TOO_MANY_HEADERS   "http.too-many-headers"
#define NTPAC_HTTP_ANOMALY_HEADER_TOO_LARGE   "http.header-too-large"
#define NTPAC_HTTP_ANOMALY_BAD_CONTENT_LENGTH "http.bad-content-length"
#define NTPAC_HTTP_ANOMALY_CL_CONFLICT        "http.content-length-conflict"
#define NTPAC_HTTP_ANOMALY_TE_AND_CL          "http.te-and-cl"
#define NTPAC_HTTP_ANOMALY_SMUGGLING          "http.possible-smuggling"
#define NTPAC_HTTP_ANOMALY_BAD_TE             "http.bad-transfer-encoding"
#define NTPAC_HTTP_ANOMALY_BAD_CHUNK          "http.bad-chunk"
#define NTPAC_HTTP_ANOMALY_UNSUPPORTED_CODING "http.unsupported-encoding"
#define NTPAC_HTTP_ANOMALY_DECODE_ERROR       "http.decode-error"
#define NTPAC_HTTP_ANOMALY_DECODED_SIZE_CAP   "http.decoded-size-cap"
#define NTPAC_HTTP_ANOMALY_RATIO_CAP          "http.ratio-cap"
#define NTPAC_HTTP_ANOMALY_TRAILING_DATA      "http.trailing-data"
#define NTPAC_HTTP_ANOMALY_BODY_GAP           "http.body-gap"
#define NTPAC_HTTP_ANOMALY_GAP_RESYNC         "http.gap-resync"
#define NTPAC_HTTP_ANOMALY_TRUNCATED_BODY     "http.truncated-body"
#define NTPAC_HTTP_ANOMALY_TRUNCATED_HEADERS  "http.truncated-headers"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacHttpMessage, ntpac_http_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacHttpParser, ntpac_http_parser_free)

G_END_DECLS
