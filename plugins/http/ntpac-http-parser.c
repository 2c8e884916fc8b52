/* ntpac-http-parser.c: HTTP/1.x messages out of one direction of a stream
 *
 * HTTP/1.0 (RFC 1945) and HTTP/1.1 (RFC 9110, RFC 9112): start lines
 * (also the broken ones servers act on, and HTTP/0.9 simple requests and
 * responses, RFC 1945 §4.1),
 * header fields as sent, bodies framed by Content-Length, by chunks
 * (with extensions and trailer fields) or by the end of the connection,
 * the responses without a body (1xx, 204, 304, and what the user says:
 * HEAD), tunnels (CONNECT, 101 Switching Protocols), and content codings
 * gzip and deflate (RFC 1950, 1951, 1952) decoded as the bytes come, with
 * caps on the decoded size and the compression ratio.
 *
 * The parser is fed one direction's bytes through an NtpacCursor: it
 * consumes all it can use (bodies as they come, never buffered) and asks
 * for more only while a header block or a chunk-size line is not whole.
 * Broken framing and lost bytes make it resynchronise at the next line
 * that starts a request, or at the next status line wherever it is;
 * everything odd is reported as an anomaly.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE   /* memmem */
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "ntpac-http-parser.h"

/* Decoded bytes made per inflate() call: the caps are checked this often. */
#define INFLATE_CHUNK 16384
/* Decoded bytes always allowed before the ratio cap applies, per the ratio. */
#define RATIO_FLOOR_INPUT 1024
/* Bytes needed to tell whether a line starts a message. */
#define START_MATCH_LEN 18

typedef enum
{
  STATE_START,        /* a start line is next (blank lines allowed) */
  STATE_BODY_LENGTH,  /* remaining bytes of a Content-Length body */
  STATE_BODY_CLOSE,   /* the body runs to the end of the stream */
  STATE_CHUNK_SIZE,   /* a chunk-size line is next */
  STATE_CHUNK_DATA,   /* remaining bytes of a chunk */
  STATE_CHUNK_END,    /* the CRLF after a chunk's data */
  STATE_TRAILERS,     /* trailer fields, up to an empty line */
  STATE_RESYNC,       /* looking for a line that starts a message */
  STATE_TUNNEL,       /* not HTTP any more: bytes are skipped */
} State;

struct _NtpacHttpParser
{
  NtpacHttpKind               kind;
  NtpacHttpLimits             limits;
  const NtpacHttpParserFuncs *funcs;
  gpointer                    user_data;

  State                       state;
  gsize                       scanned;       /* of a header block, without its end */
  gsize                       waiting;       /* bytes held back at the last return */
  guint64                     remaining;     /* of a Content-Length body or a chunk */
  gboolean                    in_message;
  gsize                       span_start;    /* where the message's bytes start in this call */
  gboolean                    tunnel_after;  /* what follows the message is not HTTP */
  gboolean                    maybe_tunnel;  /* after CONNECT or Upgrade: HTTP only if a request follows */
  gboolean                    line_start;    /* resync: the next byte starts a line */
  NtpacHttpBodyInfo           body;

  NtpacHttpCoding             coding;
  gboolean                    inflating;     /* z is set up */
  gboolean                    inflate_ended; /* the compressed stream ended */
  gboolean                    decode_stopped;/* an error, a cap or a gap stopped decoding */
  z_stream                    z;
};

typedef enum
{
  STEP_CONTINUE,
  STEP_DONE,     /* every byte given was used */
  STEP_WAIT,     /* the rest is kept until more bytes come */
} Step;

typedef enum
{
  MATCH_NO,
  MATCH_YES,
  MATCH_MAYBE,   /* too few bytes to tell */
} Match;

typedef enum
{
  START_LINE_OK,
  START_LINE_BAD,
  START_LINE_STOP,   /* an HTTP version this parser does not read */
} StartLineResult;

/* Offsets of the parts of a start line. */
typedef struct
{
  gsize a_off, a_len;   /* method, or version of a status line */
  gsize b_off, b_len;   /* request target, or status code */
  gsize c_off, c_len;   /* version of a request line, or reason phrase */
  gboolean has_reason;
  guint    status;
  guint    minor;
  const gchar *anomaly;   /* what was wrong with a line read anyway, or NULL */
  const gchar *version;   /* the version, when it is not at c_off (a request) */
  gboolean simple;        /* a request line without version: no header block follows */
} StartLine;

/* ---- message ---------------------------------------------------------------- */

void
ntpac_http_message_free (NtpacHttpMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->block);
  if (message->headers != NULL)
    g_array_unref (message->headers);
  g_free (message);
}

void
ntpac_http_limits_init (NtpacHttpLimits *limits)
{
  limits->max_header_size = NTPAC_HTTP_DEFAULT_MAX_HEADER_SIZE;
  limits->max_headers = NTPAC_HTTP_DEFAULT_MAX_HEADERS;
  limits->max_line_length = NTPAC_HTTP_DEFAULT_MAX_LINE_LENGTH;
  limits->max_decoded_size = NTPAC_HTTP_DEFAULT_MAX_DECODED_SIZE;
  limits->max_ratio = NTPAC_HTTP_DEFAULT_MAX_RATIO;
}

/* The last @c in the @n bytes at @p (memrchr is a GNU extension). */
static const guint8 *
find_last (const guint8 *p,
           guint8        c,
           gsize         n)
{
  while (n > 0)
    {
      if (p[--n] == c)
        return p + n;
    }
  return NULL;
}

/* ---- character classes and methods ------------------------------------------ */

/* tchar of RFC 9110 §5.6.2: "!#$%&'*+-.^_`|~", digits and letters */
static const guint8 tchar_table[256] = {
  ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
  ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
  ['8'] = 1, ['9'] = 1,
  ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
  ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
  ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
  ['Y'] = 1, ['Z'] = 1,
  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
  ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
  ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
  ['y'] = 1, ['z'] = 1,
};

static inline gboolean
is_tchar (guint8 c)
{
  return tchar_table[c] != 0;
}

static const struct
{
  const gchar *name;
  guint        len;
} known_methods[] = {
#define M(s) { s, sizeof (s) - 1 }
  M ("GET"), M ("POST"), M ("HEAD"), M ("PUT"), M ("DELETE"), M ("CONNECT"),
  M ("OPTIONS"), M ("TRACE"), M ("PATCH"), M ("PROPFIND"), M ("PROPPATCH"),
  M ("MKCOL"), M ("COPY"), M ("MOVE"), M ("LOCK"), M ("UNLOCK"), M ("SEARCH"),
  M ("REPORT"), M ("MKCALENDAR"), M ("MKACTIVITY"), M ("CHECKOUT"), M ("MERGE"),
  M ("ACL"), M ("BIND"), M ("UNBIND"), M ("REBIND"), M ("PURGE"), M ("LINK"),
  M ("UNLINK"), M ("SUBSCRIBE"), M ("UNSUBSCRIBE"), M ("NOTIFY"), M ("POLL"),
  M ("BMOVE"), M ("BDELETE"), M ("BPROPFIND"), M ("BPROPPATCH"), M ("RPC_IN_DATA"),
  M ("RPC_OUT_DATA"), M ("VERSION-CONTROL"), M ("UPDATE"), M ("LABEL"),
  M ("BASELINE-CONTROL"), M ("MKWORKSPACE"), M ("ORDERPATCH"), M ("QUERY"),
#undef M
};

/* The longest known method, and the space after it. */
#define LONGEST_METHOD 17

gboolean
ntpac_http_is_known_method (const gchar *method,
                            gsize        len)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_methods); i++)
    if (known_methods[i].len == len && memcmp (known_methods[i].name, method, len) == 0)
      return TRUE;
  return FALSE;
}

/* Does @p start with a known method and a space? */
static Match
match_request_start (const guint8 *p,
                     gsize         n)
{
  gsize i = 0;

  while (i < n && i <= LONGEST_METHOD && p[i] != ' ')
    {
      if (p[i] < 'A' || p[i] > 'Z')
        {
          if (p[i] != '-' && p[i] != '_')
            return MATCH_NO;
        }
      i++;
    }
  if (i > LONGEST_METHOD || i == 0)
    return MATCH_NO;
  if (i == n)
    {
      /* a prefix of a known method? */
      for (guint m = 0; m < G_N_ELEMENTS (known_methods); m++)
        if (known_methods[m].len >= n && memcmp (known_methods[m].name, p, n) == 0)
          return MATCH_MAYBE;
      return MATCH_NO;
    }
  return ntpac_http_is_known_method ((const gchar *) p, i) ? MATCH_YES : MATCH_NO;
}

/* Does @p start with "HTTP/1.x NNN"? */
static Match
match_response_start (const guint8 *p,
                      gsize         n)
{
  static const gchar prefix[] = "HTTP/1.";
  gsize i;

  for (i = 0; i < n && i < 12; i++)
    {
      guint8 c = p[i];
      gboolean ok;

      if (i < 7)
        ok = c == (guint8) prefix[i];
      else if (i == 7)
        ok = c == '0' || c == '1';
      else if (i == 8)
        ok = c == ' ';
      else
        ok = g_ascii_isdigit (c);
      if (!ok)
        return MATCH_NO;
    }
  return i == 12 ? MATCH_YES : MATCH_MAYBE;
}

static Match
match_start (NtpacHttpKind  kind,
             const guint8  *p,
             gsize          n)
{
  return kind == NTPAC_HTTP_REQUEST ? match_request_start (p, n) : match_response_start (p, n);
}

/* The bytes left in @c, through the cursor, without moving it. */
static const guint8 *
peek_all (const NtpacCursor *c,
          gsize             *avail)
{
  NtpacCursor rest = ntpac_cursor_rest (c);
  const guint8 *p = NULL;

  *avail = ntpac_cursor_remaining (&rest);
  if (!ntpac_cursor_get_bytes (&rest, *avail, &p))
    g_assert_not_reached ();
  return p;
}

/* ---- start lines --------------------------------------------------------------- */

static gboolean
parse_version (const guint8 *v,
               gsize         n,
               guint        *major,
               guint        *minor)
{
  if (n != 8 || memcmp (v, "HTTP/", 5) != 0 || !g_ascii_isdigit (v[5]) || v[6] != '.' ||
      !g_ascii_isdigit (v[7]))
    return FALSE;
  *major = v[5] - '0';
  *minor = v[7] - '0';
  return TRUE;
}

/* Do the @n bytes at @p start with @prefix, in any case? */
static gboolean
has_prefix_ci (const guint8 *p,
               gsize         n,
               const gchar  *prefix)
{
  gsize len = strlen (prefix);

  if (n < len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (g_ascii_tolower (p[i]) != g_ascii_tolower (prefix[i]))
      return FALSE;
  return TRUE;
}

/* Could the @n bytes at @p be the start of something that starts with
 * @prefix, in any case? */
static gboolean
could_start_ci (const guint8 *p,
                gsize         n,
                const gchar  *prefix)
{
  gsize len = MIN (n, strlen (prefix));

  for (gsize i = 0; i < len; i++)
    if (g_ascii_tolower (p[i]) != g_ascii_tolower (prefix[i]))
      return FALSE;
  return TRUE;
}

/* A version token that is not "HTTP/x.y" as RFC 9112 writes it, but that a
 * server may still read ("http/1.1", "HTTP/1.", a corrupt digit): FALSE if
 * it is well formed for another major version, which is not HTTP/1.x. */
static gboolean
loose_version (const guint8 *v,
               gsize         n,
               guint        *minor)
{
  if (n == 8 && g_ascii_isdigit (v[5]) && v[6] == '.' && g_ascii_isdigit (v[7]) && v[5] != '1')
    return FALSE;
  *minor = n == 8 && g_ascii_isdigit (v[7]) ? (guint) (v[7] - '0') : 1;
  return TRUE;
}

/* "HTTP/1.0" to "HTTP/1.9", for a version that cannot be pointed at in
 * place (glued to the target). */
static const gchar *const http1_versions[10] = {
  "HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/1.3", "HTTP/1.4",
  "HTTP/1.5", "HTTP/1.6", "HTTP/1.7", "HTTP/1.8", "HTTP/1.9",
};

/* A request target, as far as a line without a version can tell: origin
 * form, asterisk, or an absolute URI. */
static gboolean
looks_like_target (const guint8 *t,
                   gsize         n)
{
  if (n == 0)
    return FALSE;
  if (t[0] == '/' || (n == 1 && t[0] == '*'))
    return TRUE;
  for (gsize i = 0; i + 3 <= n; i++)
    if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/')
      return i > 0;
  return FALSE;
}

/* A request line: method, target, version. What servers act on although
 * it is not as RFC 9112 writes it is read, with an anomaly naming what was
 * wrong: no space before the version, a version cut or corrupt, no version
 * at all (HTTP/0.9), no target. */
static StartLineResult
parse_request_line (const guint8 *line,
                    gsize         n,
                    StartLine    *out)
{
  const guint8 *sp1 = memchr (line, ' ', n);
  const guint8 *sp2;
  gsize method_len, rest_off, rest_len;
  guint major = 0, minor = 0;

  if (sp1 == NULL)
    return START_LINE_BAD;
  method_len = sp1 - line;
  if (method_len == 0)
    return START_LINE_BAD;
  for (gsize i = 0; i < method_len; i++)
    if (!is_tchar (line[i]))
      return START_LINE_BAD;
  out->a_off = 0;
  out->a_len = method_len;
  rest_off = method_len + 1;
  rest_len = n - rest_off;
  sp2 = find_last (line, ' ', n);

  if (sp2 != sp1)
    {
      gsize v_off = sp2 + 1 - line;
      const guint8 *v = line + v_off;
      gsize v_len = n - v_off;

      if (parse_version (v, v_len, &major, &minor))
        {
          if (major != 1)
            return START_LINE_STOP;
        }
      else if (has_prefix_ci (v, v_len, "HTTP/"))
        {
          if (!loose_version (v, v_len, &minor))
            return START_LINE_STOP;
          out->anomaly = NTPAC_HTTP_ANOMALY_REQUEST_BAD_VERSION;
        }
      else
        return START_LINE_BAD;   /* a target with spaces and no version */
      out->b_off = rest_off;
      out->b_len = (sp2 - line) - out->b_off;
      /* several spaces between the parts */
      while (out->b_len > 0 && line[out->b_off] == ' ')
        out->b_off++, out->b_len--;
      while (out->b_len > 0 && line[out->b_off + out->b_len - 1] == ' ')
        out->b_len--;
      if (out->b_len == 0)
        {
          /* "GET  HTTP/1.1": the target is empty */
          out->b_off = method_len;
          if (out->anomaly == NULL)
            out->anomaly = NTPAC_HTTP_ANOMALY_REQUEST_NO_URI;
        }
      out->c_off = v_off;
      out->c_len = v_len;
      out->minor = minor;
      return START_LINE_OK;
    }

  /* one space: a version with no target, a version glued to the target,
   * or no version */
  if (has_prefix_ci (line + rest_off, rest_len, "HTTP/"))
    {
      if (parse_version (line + rest_off, rest_len, &major, &minor))
        {
          if (major != 1)
            return START_LINE_STOP;
        }
      else if (!loose_version (line + rest_off, rest_len, &minor))
        return START_LINE_STOP;
      out->anomaly = NTPAC_HTTP_ANOMALY_REQUEST_NO_URI;
      out->b_off = method_len;   /* the space, which ends the method too */
      out->b_len = 0;
      out->c_off = rest_off;
      out->c_len = rest_len;
      out->minor = minor;
      return START_LINE_OK;
    }
  if (rest_len > 8 && parse_version (line + n - 8, 8, &major, &minor))
    {
      /* "GET /HTTP/1.1" */
      if (major != 1)
        return START_LINE_STOP;
      out->anomaly = NTPAC_HTTP_ANOMALY_REQUEST_NO_SPACE;
      out->b_off = rest_off;
      out->b_len = rest_len - 8;
      out->c_off = n;
      out->c_len = 0;
      out->version = http1_versions[minor];
      out->minor = minor;
      return START_LINE_OK;
    }
  /* no version: a simple request, HTTP/0.9 (RFC 1945 §4.1) for GET, which
   * servers answer with the body alone; any other method is read the same
   * way. Only a known method and something like a target make it one. */
  if (!ntpac_http_is_known_method ((const gchar *) line, method_len) ||
      !looks_like_target (line + rest_off, rest_len))
    return START_LINE_BAD;
  out->simple = TRUE;
  out->b_off = rest_off;
  out->b_len = rest_len;
  out->c_off = n;
  out->c_len = 0;
  if (method_len == 3 && memcmp (line, "GET", 3) == 0)
    {
      out->anomaly = NTPAC_HTTP_ANOMALY_HTTP09_REQUEST;
      out->version = "HTTP/0.9";
    }
  else
    out->anomaly = NTPAC_HTTP_ANOMALY_REQUEST_NO_VERSION;
  out->minor = 9;
  return START_LINE_OK;
}

/* A status line: version, code, reason. A version written in lower case
 * or corrupt ("HTTP/1.\xc5") is read, with an anomaly. */
static StartLineResult
parse_status_line (const guint8 *line,
                   gsize         n,
                   StartLine    *out)
{
  guint major = 0, minor = 0;

  if (n < 12 || line[8] != ' ' || !has_prefix_ci (line, n, "HTTP/"))
    {
      if (n >= 8 && parse_version (line, 8, &major, &minor) && major != 1)
        return START_LINE_STOP;
      return START_LINE_BAD;
    }
  if (parse_version (line, 8, &major, &minor))
    {
      if (major != 1)
        return START_LINE_STOP;
    }
  else if (!loose_version (line, 8, &minor))
    return START_LINE_STOP;
  else
    out->anomaly = NTPAC_HTTP_ANOMALY_STATUS_BAD_VERSION;
  for (guint i = 9; i < 12; i++)
    if (!g_ascii_isdigit (line[i]))
      return START_LINE_BAD;
  out->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (out->status < 100)
    return START_LINE_BAD;
  if (n > 12 && line[12] != ' ')
    return START_LINE_BAD;
  out->a_off = 0;
  out->a_len = 8;
  out->b_off = 9;
  out->b_len = 3;
  out->has_reason = n > 12;
  out->c_off = n > 12 ? 13 : n;
  out->c_len = n > 12 ? n - 13 : 0;
  out->minor = minor;
  return START_LINE_OK;
}

/* @line is a start line without its CRLF. */
static StartLineResult
parse_start_line (NtpacHttpKind  kind,
                  const guint8  *line,
                  gsize          n,
                  StartLine     *out)
{
  memset (out, 0, sizeof *out);
  if (kind == NTPAC_HTTP_REQUEST)
    return parse_request_line (line, n, out);
  return parse_status_line (line, n, out);
}

/* ---- header blocks ------------------------------------------------------------ */

/* Where the header block at @p ends (just after its empty line), or 0 if
 * it does not end in @n bytes; *scanned says where to go on next time. */
static gsize
find_block_end (const guint8 *p,
                gsize         n,
                gsize        *scanned)
{
  gsize pos = *scanned;

  while (pos < n)
    {
      const guint8 *nl = memchr (p + pos, '\n', n - pos);
      gsize line_len;

      if (nl == NULL)
        break;
      line_len = nl - (p + pos);
      if (line_len == 0 || (line_len == 1 && p[pos] == '\r'))
        {
          *scanned = 0;
          return nl - p + 1;
        }
      pos = nl - p + 1;
    }
  *scanned = pos;
  return 0;
}

static void
report (NtpacHttpParser *self,
        const gchar     *id,
        gsize            offset)
{
  if (self->funcs->anomaly != NULL)
    self->funcs->anomaly (self->user_data, id, offset);
}

static inline gboolean
name_is (const guint8 *name,
         gsize         len,
         const gchar  *lower,
         gsize         lower_len)
{
  return len == lower_len && g_ascii_strncasecmp ((const gchar *) name, lower, len) == 0;
}

static void
trim (const guint8 **p,
      gsize         *n)
{
  while (*n > 0 && ((*p)[0] == ' ' || (*p)[0] == '\t'))
    (*p)++, (*n)--;
  while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
    (*n)--;
}

/* Content-Length (RFC 9110 §8.6): digits, any number of them leading
 * zeros, or a list of the same value ("10, 10", empty elements ignored,
 * §5.6.1.2); -1 if invalid or over 18 significant digits, -2 for a list
 * of different values. */
static gint64
parse_content_length (const guint8 *v,
                      gsize         n)
{
  gint64 value = -1;
  gboolean conflict = FALSE;
  gsize i = 0;

  while (i <= n)
    {
      const guint8 *item = v + i;
      const guint8 *comma = memchr (item, ',', n - i);
      gsize item_len = comma != NULL ? (gsize) (comma - item) : n - i;
      gint64 x = 0;
      guint significant = 0;

      i += item_len + 1;
      trim (&item, &item_len);
      if (item_len == 0)
        continue;
      for (gsize k = 0; k < item_len; k++)
        {
          if (!g_ascii_isdigit (item[k]))
            return -1;
          if (significant == 0 && item[k] == '0')
            continue;
          if (++significant > 18)
            return -1;
          x = x * 10 + (item[k] - '0');
        }
      if (value >= 0 && x != value)
        conflict = TRUE;
      value = x;
    }
  return conflict && value >= 0 ? -2 : value;
}

static NtpacHttpCoding
coding_of (const guint8 *token,
           gsize         len)
{
  if (len == 0 || name_is (token, len, "identity", 8))
    return NTPAC_HTTP_CODING_IDENTITY;
  if (name_is (token, len, "gzip", 4) || name_is (token, len, "x-gzip", 6))
    return NTPAC_HTTP_CODING_GZIP;
  if (name_is (token, len, "deflate", 7))
    return NTPAC_HTTP_CODING_DEFLATE;
  return NTPAC_HTTP_CODING_OTHER;
}

/* The coding of a Content-Encoding value: one coding is decoded, several
 * are not. */
static NtpacHttpCoding
parse_content_coding (const guint8 *v,
                      gsize         n)
{
  NtpacHttpCoding result = NTPAC_HTTP_CODING_IDENTITY;
  guint count = 0;
  gsize i = 0;

  while (i <= n)
    {
      const guint8 *item = v + i;
      const guint8 *comma = memchr (item, ',', n - i);
      gsize item_len = comma != NULL ? (gsize) (comma - item) : n - i;
      NtpacHttpCoding c;

      i += item_len + 1;
      trim (&item, &item_len);
      c = coding_of (item, item_len);
      if (c == NTPAC_HTTP_CODING_IDENTITY)
        continue;
      result = c;
      count++;
    }
  return count > 1 ? NTPAC_HTTP_CODING_OTHER : result;
}

/* Transfer-Encoding: chunked if it is the last coding; a single gzip or
 * deflate before it is a coding to decode (*coding). FALSE if a coding
 * cannot be read. */
static gboolean
parse_transfer_coding (const guint8    *v,
                       gsize            n,
                       gboolean        *chunked,
                       NtpacHttpCoding *coding)
{
  gboolean ok = TRUE, last_chunked = FALSE;
  guint others = 0;
  gsize i = 0;

  *chunked = FALSE;
  *coding = NTPAC_HTTP_CODING_IDENTITY;
  while (i <= n)
    {
      const guint8 *item = v + i;
      const guint8 *comma = memchr (item, ',', n - i);
      gsize item_len = comma != NULL ? (gsize) (comma - item) : n - i;
      const guint8 *semi;

      i += item_len + 1;
      semi = memchr (item, ';', item_len);
      if (semi != NULL)
        item_len = semi - item;
      trim (&item, &item_len);
      if (item_len == 0)
        continue;
      if (last_chunked)
        ok = FALSE;   /* something after chunked */
      last_chunked = name_is (item, item_len, "chunked", 7);
      if (last_chunked)
        continue;
      others++;
      *coding = coding_of (item, item_len);
      if (*coding == NTPAC_HTTP_CODING_OTHER)
        ok = FALSE;
    }
  if (others > 1)
    {
      *coding = NTPAC_HTTP_CODING_OTHER;
      ok = FALSE;
    }
  *chunked = last_chunked;
  return ok && last_chunked;
}

/* Copies the header block [@src, @src + @len) (ending with its empty line,
 * unless @truncated) and reads it; NULL (after an anomaly) if its start
 * line is bad. @base is where the block starts in this call's data. */
static NtpacHttpMessage *
parse_block (NtpacHttpParser *self,
             const guint8    *src,
             gsize            len,
             NtpacHttpKind    kind,
             gboolean         truncated,
             gsize            base,
             StartLineResult *start_result)
{
  g_autoptr(NtpacHttpMessage) m = g_new0 (NtpacHttpMessage, 1);
  typedef struct { gsize name_off, name_len, value_off, value_len; } Offsets;
  Offsets fields_stack[32];
  g_autoptr(GArray) fields_heap = NULL;
  Offsets *fields = fields_stack;
  guint n_fields = 0;
  guint8 *b;
  gsize pos = 0;
  gboolean first = kind != NTPAC_HTTP_TRAILERS;
  gboolean too_long = FALSE, too_many = FALSE;
  gboolean have_cl = FALSE, cl_bad = FALSE, have_te = FALSE, smuggling = FALSE;
  guint n_ce = 0;
  StartLine sl = { 0 };

  *start_result = START_LINE_OK;
  m->kind = kind;
  m->block = g_malloc (len + 1);
  memcpy (m->block, src, len);
  m->block[len] = '\0';
  m->block_len = len;
  m->content_length = -1;
  b = (guint8 *) m->block;

  while (pos < len)
    {
      guint8 *nl = memchr (b + pos, '\n', len - pos);
      gsize line_end = nl != NULL ? (gsize) (nl - b) : len;
      gsize content_end = line_end;
      gsize line_len;

      if (content_end > pos && b[content_end - 1] == '\r')
        content_end--;
      line_len = content_end - pos;
      if (line_len == 0)
        break;   /* the empty line that ends the block */
      if (line_len > self->limits.max_line_length)
        {
          if (!too_long)
            report (self, NTPAC_HTTP_ANOMALY_LINE_TOO_LONG, base + pos);
          too_long = TRUE;
        }

      if (first)
        {
          first = FALSE;
          *start_result = parse_start_line (kind, b + pos, line_len, &sl);
          if (*start_result != START_LINE_OK)
            return NULL;
          if (sl.anomaly != NULL)
            report (self, sl.anomaly, base + pos);
          if (kind == NTPAC_HTTP_REQUEST && sl.b_len + sl.b_off > self->limits.max_line_length)
            sl.b_len = self->limits.max_line_length > sl.b_off ? self->limits.max_line_length - sl.b_off : 1;
          if (kind == NTPAC_HTTP_RESPONSE && sl.c_len + sl.c_off > self->limits.max_line_length)
            sl.c_len = self->limits.max_line_length > sl.c_off ? self->limits.max_line_length - sl.c_off : 0;
          /* make the offsets absolute in the block */
          sl.a_off += pos;
          sl.b_off += pos;
          sl.c_off += pos;
        }
      else if (b[pos] == ' ' || b[pos] == '\t')
        {
          /* obs-fold: the line continues the previous field's value */
          report (self, NTPAC_HTTP_ANOMALY_OBS_FOLD, base + pos);
          if (n_fields == 0)
            report (self, NTPAC_HTTP_ANOMALY_BAD_HEADER, base + pos);
          else
            {
              Offsets *f = &fields[n_fields - 1];
              gsize end = content_end;

              while (end > pos && (b[end - 1] == ' ' || b[end - 1] == '\t'))
                end--;
              for (gsize k = f->value_off + f->value_len; k < end; k++)
                if (b[k] == '\r' || b[k] == '\n' || b[k] == '\t')
                  b[k] = ' ';
              if (f->value_len == 0)
                {
                  /* the value starts on the continuation line */
                  f->value_off = pos;
                  while (f->value_off < end && b[f->value_off] == ' ')
                    f->value_off++;
                }
              f->value_len = MIN (end - f->value_off, self->limits.max_line_length);
            }
        }
      else
        {
          guint8 *colon = memchr (b + pos, ':', line_len);
          const guint8 *name = b + pos, *value;
          gsize name_len, value_len;

          if (colon == NULL || colon == b + pos)
            {
              report (self, NTPAC_HTTP_ANOMALY_BAD_HEADER, base + pos);
              pos = line_end + 1;
              continue;
            }
          name_len = colon - name;
          value = colon + 1;
          value_len = content_end - (value - b);
          trim (&value, &value_len);
          for (gsize k = 0; k < name_len; k++)
            if (!is_tchar (name[k]))
              {
                report (self, NTPAC_HTTP_ANOMALY_BAD_HEADER, base + pos);
                while (name_len > 0 && (name[name_len - 1] == ' ' || name[name_len - 1] == '\t'))
                  name_len--;
                break;
              }

          /* fields that frame the body or are recorded */
          if (name_is (name, name_len, "content-length", 14))
            {
              gint64 cl = parse_content_length (value, value_len);

              if (cl == -1)
                {
                  report (self, NTPAC_HTTP_ANOMALY_BAD_CONTENT_LENGTH, base + pos);
                  cl_bad = TRUE;
                }
              else if (cl == -2 || (have_cl && cl != m->content_length))
                {
                  report (self, NTPAC_HTTP_ANOMALY_CL_CONFLICT, base + pos);
                  smuggling = TRUE;
                  cl_bad = TRUE;
                }
              have_cl = TRUE;
              m->content_length = cl;
            }
          else if (name_is (name, name_len, "transfer-encoding", 17))
            {
              have_te = TRUE;
              m->transfer_encoding = (const gchar *) value;
              m->transfer_encoding_len = value_len;
            }
          else if (name_is (name, name_len, "content-encoding", 16))
            {
              n_ce++;
              m->content_encoding = (const gchar *) value;
              m->content_encoding_len = value_len;
            }
          else if (m->host == NULL && name_is (name, name_len, "host", 4))
            {
              m->host = (const gchar *) value;
              m->host_len = value_len;
            }
          else if (m->user_agent == NULL && name_is (name, name_len, "user-agent", 10))
            {
              m->user_agent = (const gchar *) value;
              m->user_agent_len = value_len;
            }
          else if (m->content_type == NULL && name_is (name, name_len, "content-type", 12))
            {
              m->content_type = (const gchar *) value;
              m->content_type_len = value_len;
            }
          else if (name_is (name, name_len, "upgrade", 7))
            m->upgrade = TRUE;

          if (n_fields >= self->limits.max_headers)
            {
              if (!too_many)
                report (self, NTPAC_HTTP_ANOMALY_TOO_MANY_HEADERS, base + pos);
              too_many = TRUE;
            }
          else
            {
              Offsets f = { name - b, name_len, value - b, MIN (value_len, self->limits.max_line_length) };

              if (n_fields == G_N_ELEMENTS (fields_stack))
                {
                  fields_heap = g_array_sized_new (FALSE, FALSE, sizeof (Offsets), 64);
                  g_array_append_vals (fields_heap, fields_stack, n_fields);
                }
              if (fields_heap != NULL)
                {
                  g_array_append_val (fields_heap, f);
                  fields = (Offsets *) fields_heap->data;
                }
              else
                fields[n_fields] = f;
              n_fields++;
            }
        }
      pos = line_end + 1;
    }

  if (first)
    {
      *start_result = START_LINE_BAD;
      return NULL;
    }

  /* The strings end where they end: every one is followed by a delimiter
   * of the block (space, colon, CR or LF), which becomes a NUL. */
  m->headers = g_array_sized_new (FALSE, FALSE, sizeof (NtpacHttpHeader), n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      NtpacHttpHeader h;

      b[fields[i].name_off + fields[i].name_len] = '\0';
      b[fields[i].value_off + fields[i].value_len] = '\0';
      h.name = (const gchar *) b + fields[i].name_off;
      h.name_len = (guint32) fields[i].name_len;
      h.value = (const gchar *) b + fields[i].value_off;
      h.value_len = (guint32) fields[i].value_len;
      g_array_append_val (m->headers, h);
    }
  /* values recorded beyond the kept fields are cut at the line limit too */
#define CUT(field)                                                                 \
  G_STMT_START {                                                                   \
    if (m->field != NULL)                                                          \
      {                                                                            \
        m->field##_len = MIN (m->field##_len, (guint32) self->limits.max_line_length); \
        b[(const guint8 *) m->field - b + m->field##_len] = '\0';                  \
      }                                                                            \
  } G_STMT_END
  CUT (host);
  CUT (user_agent);
  CUT (content_type);
  CUT (content_encoding);
  CUT (transfer_encoding);
#undef CUT

  if (kind != NTPAC_HTTP_TRAILERS)
    {
      b[sl.a_off + sl.a_len] = '\0';
      b[sl.b_off + sl.b_len] = '\0';
      b[sl.c_off + sl.c_len] = '\0';
      m->minor = sl.minor;
      if (kind == NTPAC_HTTP_REQUEST)
        {
          m->method = (const gchar *) b + sl.a_off;
          m->method_len = (guint32) sl.a_len;
          m->uri = (const gchar *) b + sl.b_off;
          m->uri_len = (guint32) sl.b_len;
          if (sl.version != NULL)
            {
              m->version = sl.version;
              m->version_len = (guint32) strlen (sl.version);
            }
          else if (!sl.simple)
            {
              m->version = (const gchar *) b + sl.c_off;
              m->version_len = (guint32) sl.c_len;
            }
          m->simple = sl.simple;
        }
      else
        {
          m->version = (const gchar *) b + sl.a_off;
          m->version_len = (guint32) sl.a_len;
          m->status = sl.status;
          if (sl.has_reason)
            {
              m->reason = (const gchar *) b + sl.c_off;
              m->reason_len = (guint32) sl.c_len;
            }
        }
    }

  /* framing */
  if (cl_bad)
    m->content_length = -1;
  if (n_ce > 1)
    m->coding = NTPAC_HTTP_CODING_OTHER;
  else if (m->content_encoding != NULL)
    m->coding = parse_content_coding ((const guint8 *) m->content_encoding, m->content_encoding_len);
  if (have_te)
    {
      NtpacHttpCoding te_coding;

      if (!parse_transfer_coding ((const guint8 *) m->transfer_encoding, m->transfer_encoding_len,
                                  &m->chunked, &te_coding))
        report (self, NTPAC_HTTP_ANOMALY_BAD_TE, base);
      if (te_coding != NTPAC_HTTP_CODING_IDENTITY)
        m->coding = m->coding == NTPAC_HTTP_CODING_IDENTITY ? te_coding : NTPAC_HTTP_CODING_OTHER;
      if (have_cl)
        {
          report (self, NTPAC_HTTP_ANOMALY_TE_AND_CL, base);
          smuggling = TRUE;
        }
    }
  /* Two lengths, or a length beside chunked: a front end and the server
   * behind it may disagree on where the body ends (RFC 9112 §6.3, §11.2).
   * Chunked wins over Content-Length, as servers do; conflicting lengths
   * leave the length unknown. */
  if (smuggling)
    report (self, NTPAC_HTTP_ANOMALY_SMUGGLING, base);
  m->bad_framing = !m->chunked && (cl_bad || have_te);
  if (m->coding == NTPAC_HTTP_CODING_OTHER)
    report (self, NTPAC_HTTP_ANOMALY_UNSUPPORTED_CODING, base);
  m->headers_truncated = truncated;
  return g_steal_pointer (&m);
}

/* ---- the parser ----------------------------------------------------------------- */

NtpacHttpParser *
ntpac_http_parser_new (NtpacHttpKind               kind,
                       const NtpacHttpLimits      *limits,
                       const NtpacHttpParserFuncs *funcs,
                       gpointer                    user_data)
{
  NtpacHttpParser *self = g_new0 (NtpacHttpParser, 1);

  g_return_val_if_fail (kind == NTPAC_HTTP_REQUEST || kind == NTPAC_HTTP_RESPONSE, NULL);
  self->kind = kind;
  if (limits != NULL)
    self->limits = *limits;
  else
    ntpac_http_limits_init (&self->limits);
  self->limits.max_header_size = MAX (self->limits.max_header_size, 64u);
  self->limits.max_line_length = MAX (self->limits.max_line_length, 64u);
  self->funcs = funcs;
  self->user_data = user_data;
  self->state = STATE_START;
  return self;
}

static void
stop_inflate (NtpacHttpParser *self)
{
  if (self->inflating)
    inflateEnd (&self->z);
  self->inflating = FALSE;
}

void
ntpac_http_parser_free (NtpacHttpParser *self)
{
  if (self == NULL)
    return;
  stop_inflate (self);
  g_free (self);
}

static void
flush_span (NtpacHttpParser *self,
            gsize            at)
{
  if (self->in_message && at > self->span_start && self->funcs->span != NULL)
    self->funcs->span (self->user_data, self->span_start, at - self->span_start);
  self->span_start = at;
}

/* Ends the current message; @at is where in this call's data (G_MAXSIZE
 * outside a call). */
static void
end_message (NtpacHttpParser *self,
             gboolean         complete,
             gsize            at)
{
  NtpacHttpBodyInfo info;

  if (!self->in_message)
    return;
  if (self->coding == NTPAC_HTTP_CODING_GZIP || self->coding == NTPAC_HTTP_CODING_DEFLATE)
    {
      if (self->body.wire_len > 0 && !self->inflate_ended && !self->decode_stopped)
        {
          /* the compressed stream stopped short */
          if (complete)
            report (self, NTPAC_HTTP_ANOMALY_DECODE_ERROR, at != G_MAXSIZE ? at : 0);
          complete = FALSE;
        }
      if (self->decode_stopped)
        complete = FALSE;
    }
  stop_inflate (self);
  if (at != G_MAXSIZE)
    flush_span (self, at);
  info = self->body;
  info.complete = complete && info.missing == 0 && !info.capped;
  self->in_message = FALSE;
  self->remaining = 0;
  memset (&self->body, 0, sizeof self->body);
  self->coding = NTPAC_HTTP_CODING_IDENTITY;
  self->inflate_ended = FALSE;
  self->decode_stopped = FALSE;
  self->state = self->tunnel_after ? STATE_TUNNEL : STATE_START;
  self->tunnel_after = FALSE;
  if (self->funcs->message_end != NULL)
    self->funcs->message_end (self->user_data, &info);
}

static void
resync (NtpacHttpParser *self,
        gboolean         at_line_start)
{
  self->state = STATE_RESYNC;
  self->line_start = at_line_start;
  self->scanned = 0;
}

/* Gives decoded bytes to the user, up to the caps; FALSE once a cap stops
 * decoding. */
static gboolean
deliver_decoded (NtpacHttpParser *self,
                 const guint8    *data,
                 gsize            len,
                 guint64          input,
                 gsize            at)
{
  guint64 room = self->limits.max_decoded_size - MIN (self->body.decoded_len, self->limits.max_decoded_size);
  gboolean capped = FALSE;

  if (len > room)
    {
      len = (gsize) room;
      report (self, NTPAC_HTTP_ANOMALY_DECODED_SIZE_CAP, at);
      capped = TRUE;
    }
  if (len > 0)
    {
      self->body.decoded_len += len;
      self->funcs->body (self->user_data, data, len);
    }
  if (!capped && self->limits.max_ratio > 0 &&
      self->body.decoded_len > (guint64) self->limits.max_ratio * MAX (input, RATIO_FLOOR_INPUT))
    {
      report (self, NTPAC_HTTP_ANOMALY_RATIO_CAP, at);
      capped = TRUE;
    }
  if (capped)
    {
      self->body.capped = TRUE;
      self->decode_stopped = TRUE;
      stop_inflate (self);
      return FALSE;
    }
  return TRUE;
}

static void
decode (NtpacHttpParser *self,
        const guint8    *data,
        gsize            len,
        gsize            at)
{
  guint8 out[INFLATE_CHUNK];
  guint64 input_before = self->body.wire_len - len;   /* compressed bytes before these */

  if (self->decode_stopped)
    return;
  if (self->inflate_ended)
    {
      report (self, NTPAC_HTTP_ANOMALY_TRAILING_DATA, at);
      self->decode_stopped = TRUE;
      return;
    }
  if (!self->inflating)
    {
      int window_bits;

      if (self->coding == NTPAC_HTTP_CODING_GZIP)
        window_bits = 15 + 32;   /* gzip, or zlib as some servers send */
      else
        {
          /* deflate is zlib-wrapped (RFC 9110), but often raw (RFC 1951) */
          gboolean zlib = (data[0] & 0x0f) == 8 && (data[0] >> 4) <= 7 &&
                          (len < 2 || ((guint) data[0] << 8 | data[1]) % 31 == 0);

          window_bits = zlib ? 15 : -15;
        }
      memset (&self->z, 0, sizeof self->z);
      if (inflateInit2 (&self->z, window_bits) != Z_OK)
        {
          report (self, NTPAC_HTTP_ANOMALY_DECODE_ERROR, at);
          self->decode_stopped = TRUE;
          return;
        }
      self->inflating = TRUE;
    }

  self->z.next_in = data;
  self->z.avail_in = (uInt) len;
  do
    {
      int ret;
      gsize produced;

      self->z.next_out = out;
      self->z.avail_out = sizeof out;
      ret = inflate (&self->z, Z_NO_FLUSH);
      produced = sizeof out - self->z.avail_out;
      if (produced > 0 && !deliver_decoded (self, out, produced, input_before + (len - self->z.avail_in), at))
        return;
      if (ret == Z_STREAM_END)
        {
          if (self->z.avail_in >= 2 && self->coding == NTPAC_HTTP_CODING_GZIP &&
              self->z.next_in[0] == 0x1f && self->z.next_in[1] == 0x8b)
            {
              /* another gzip member */
              inflateReset (&self->z);
              continue;
            }
          self->inflate_ended = TRUE;
          stop_inflate (self);
          if (self->z.avail_in > 0)
            {
              report (self, NTPAC_HTTP_ANOMALY_TRAILING_DATA, at);
              self->decode_stopped = TRUE;
            }
          return;
        }
      if (ret == Z_BUF_ERROR)
        break;   /* no progress: needs more input */
      if (ret != Z_OK)
        {
          report (self, NTPAC_HTTP_ANOMALY_DECODE_ERROR, at);
          self->decode_stopped = TRUE;
          stop_inflate (self);
          return;
        }
    }
  while (self->z.avail_in > 0 || self->z.avail_out == 0);
}

/* Body bytes as they come off the wire (de-chunked). */
static void
body_bytes (NtpacHttpParser *self,
            const guint8    *data,
            gsize            len,
            gsize            at)
{
  if (len == 0)
    return;
  self->body.wire_len += len;
  if (self->coding == NTPAC_HTTP_CODING_GZIP || self->coding == NTPAC_HTTP_CODING_DEFLATE)
    decode (self, data, len, at);
  else
    {
      self->body.decoded_len += len;
      self->funcs->body (self->user_data, data, len);
    }
}

/* A header block was read: tell the user and set up the body. */
static void
begin_message (NtpacHttpParser  *self,
               NtpacHttpMessage *m,
               gsize             at,
               gsize             block_len)
{
  NtpacHttpBodyAction action;
  gboolean chunked = m->chunked;
  gint64 content_length = m->content_length;
  gboolean truncated = m->headers_truncated;
  gboolean te = m->transfer_encoding != NULL;
  gboolean bad_framing = m->bad_framing;
  gboolean simple = m->simple;
  guint status = m->status;
  gboolean tunnel_request = m->kind == NTPAC_HTTP_REQUEST &&
                            (m->upgrade || (m->method_len == 7 && memcmp (m->method, "CONNECT", 7) == 0));

  self->in_message = TRUE;
  self->span_start = at;
  memset (&self->body, 0, sizeof self->body);
  self->coding = m->coding;
  self->inflate_ended = FALSE;
  self->decode_stopped = FALSE;
  self->tunnel_after = FALSE;
  action = self->funcs->headers (self->user_data, m, at);   /* m is the user's now */

  if (truncated)
    {
      /* where the body starts is unknown */
      end_message (self, FALSE, at + block_len);
      resync (self, TRUE);
      return;
    }
  if (self->kind == NTPAC_HTTP_REQUEST)
    {
      self->maybe_tunnel = tunnel_request;
      if (chunked)
        self->state = STATE_CHUNK_SIZE;
      else if (bad_framing)
        {
          /* where the body ends is unknown (a server answers 400 and
           * closes): the next request is the next line that starts one */
          end_message (self, FALSE, at + block_len);
          resync (self, TRUE);
        }
      else if (!te && content_length > 0)
        {
          self->state = STATE_BODY_LENGTH;
          self->remaining = (guint64) content_length;
        }
      else
        end_message (self, TRUE, at + block_len);
      return;
    }
  if (simple)
    {
      /* HTTP/0.9: the body is all the server sends */
      self->state = STATE_BODY_CLOSE;
      return;
    }

  if (status == 101 || action == NTPAC_HTTP_BODY_TUNNEL)
    {
      self->tunnel_after = TRUE;
      end_message (self, TRUE, at + block_len);
    }
  else if ((status >= 100 && status < 200) || status == 204 || status == 304 ||
           action == NTPAC_HTTP_BODY_SKIP)
    end_message (self, TRUE, at + block_len);
  else if (chunked)
    self->state = STATE_CHUNK_SIZE;
  else if (!te && content_length == 0)
    end_message (self, TRUE, at + block_len);
  else if (!te && content_length > 0)
    {
      self->state = STATE_BODY_LENGTH;
      self->remaining = (guint64) content_length;
    }
  else
    self->state = STATE_BODY_CLOSE;
}

/* A header block that outgrew the limit: its whole lines are the message
 * (marked truncated), the rest is skipped. */
static void
header_too_large (NtpacHttpParser *self,
                  NtpacCursor     *c,
                  const guint8    *p)
{
  gsize at = ntpac_cursor_tell (c);
  const guint8 *last = find_last (p, '\n', self->limits.max_header_size);
  StartLineResult sr;
  NtpacHttpMessage *m;

  report (self, NTPAC_HTTP_ANOMALY_HEADER_TOO_LARGE, at);
  self->scanned = 0;
  if (last == NULL)
    {
      resync (self, FALSE);
      return;
    }
  m = parse_block (self, p, last - p + 1, self->kind, TRUE, at, &sr);
  if (!ntpac_cursor_skip (c, last - p + 1))
    g_assert_not_reached ();
  if (m == NULL)
    {
      if (sr == START_LINE_STOP)
        {
          report (self, NTPAC_HTTP_ANOMALY_BAD_VERSION, at);
          self->state = STATE_TUNNEL;
        }
      else
        {
          report (self, self->kind == NTPAC_HTTP_REQUEST ? NTPAC_HTTP_ANOMALY_BAD_REQUEST_LINE
                                                         : NTPAC_HTTP_ANOMALY_BAD_STATUS_LINE, at);
          resync (self, TRUE);
        }
      return;
    }
  begin_message (self, m, at, last - p + 1);
}

/* Is the next response one to an HTTP/0.9 request? */
static gboolean
simple_response_due (NtpacHttpParser *self)
{
  return self->kind == NTPAC_HTTP_RESPONSE && self->funcs->simple_response != NULL &&
         self->funcs->simple_response (self->user_data);
}

/* A response without status line (HTTP/0.9): what the server sends up to
 * the close is its body. */
static void
begin_simple_response (NtpacHttpParser *self,
                       gsize            at)
{
  NtpacHttpMessage *m = g_new0 (NtpacHttpMessage, 1);

  m->kind = NTPAC_HTTP_RESPONSE;
  m->headers = g_array_new (FALSE, FALSE, sizeof (NtpacHttpHeader));
  m->version = "HTTP/0.9";
  m->version_len = 8;
  m->content_length = -1;
  m->simple = TRUE;
  begin_message (self, m, at, 0);
}

static Step
read_start (NtpacHttpParser *self,
            NtpacCursor     *c)
{
  gsize avail;
  const guint8 *p = peek_all (c, &avail);
  gsize at, blank = 0, end, first_nl;
  const guint8 *nl;
  const gchar *bad_line = self->kind == NTPAC_HTTP_REQUEST ? NTPAC_HTTP_ANOMALY_BAD_REQUEST_LINE
                                                           : NTPAC_HTTP_ANOMALY_BAD_STATUS_LINE;
  StartLine sl;
  StartLineResult sr;
  NtpacHttpMessage *m;

  /* blank lines between messages are allowed (RFC 9112 §2.2) */
  while (blank < avail && (p[blank] == '\r' || p[blank] == '\n'))
    blank++;
  if (blank > 0)
    {
      if (!ntpac_cursor_skip (c, blank))
        g_assert_not_reached ();
      p += blank;
      avail -= blank;
      self->scanned = 0;
    }
  if (avail == 0)
    return STEP_DONE;
  at = ntpac_cursor_tell (c);

  if (self->maybe_tunnel)
    {
      /* after CONNECT or an Upgrade request, HTTP goes on only if a
       * request follows */
      switch (match_request_start (p, MIN (avail, START_MATCH_LEN)))
        {
        case MATCH_NO:
          self->maybe_tunnel = FALSE;
          self->state = STATE_TUNNEL;
          return STEP_CONTINUE;
        case MATCH_MAYBE:
          return STEP_WAIT;
        case MATCH_YES:
        default:
          self->maybe_tunnel = FALSE;
          break;
        }
    }

  /* Not a start line at all: no need to wait for a whole block. */
  if ((self->kind == NTPAC_HTTP_REQUEST && !is_tchar (p[0])) ||
      (self->kind == NTPAC_HTTP_RESPONSE && !could_start_ci (p, avail, "HTTP/")))
    {
      if (simple_response_due (self))
        {
          begin_simple_response (self, at);
          return STEP_CONTINUE;
        }
      report (self, bad_line, at);
      resync (self, FALSE);
      return STEP_CONTINUE;
    }
  /* nor when the first line is whole and wrong */
  nl = memchr (p, '\n', MIN (avail, self->limits.max_header_size));
  if (nl != NULL)
    {
      first_nl = nl - p;
      sr = parse_start_line (self->kind, p, first_nl > 0 && p[first_nl - 1] == '\r' ? first_nl - 1 : first_nl, &sl);
      if (sr == START_LINE_STOP)
        {
          report (self, NTPAC_HTTP_ANOMALY_BAD_VERSION, at);
          self->state = STATE_TUNNEL;
          return STEP_CONTINUE;
        }
      if (sr == START_LINE_BAD)
        {
          if (simple_response_due (self))
            {
              begin_simple_response (self, at);
              return STEP_CONTINUE;
            }
          report (self, bad_line, at);
          resync (self, FALSE);
          return STEP_CONTINUE;
        }
      if (sl.simple)
        {
          /* HTTP/0.9: the request is its line alone */
          m = parse_block (self, p, first_nl + 1, self->kind, FALSE, at, &sr);
          if (!ntpac_cursor_skip (c, first_nl + 1))
            g_assert_not_reached ();
          g_assert (m != NULL);
          begin_message (self, m, at, first_nl + 1);
          return STEP_CONTINUE;
        }
    }

  end = find_block_end (p, avail, &self->scanned);
  if (end == 0)
    {
      if (avail > self->limits.max_header_size)
        {
          header_too_large (self, c, p);
          return STEP_CONTINUE;
        }
      return STEP_WAIT;
    }
  if (end > self->limits.max_header_size)
    {
      header_too_large (self, c, p);
      return STEP_CONTINUE;
    }
  m = parse_block (self, p, end, self->kind, FALSE, at, &sr);
  if (!ntpac_cursor_skip (c, end))
    g_assert_not_reached ();
  if (m == NULL)
    {
      report (self, bad_line, at);
      resync (self, TRUE);
      return STEP_CONTINUE;
    }
  begin_message (self, m, at, end);
  return STEP_CONTINUE;
}

static Step
read_body (NtpacHttpParser *self,
           NtpacCursor     *c)
{
  gsize avail = ntpac_cursor_remaining (c);
  gsize at = ntpac_cursor_tell (c);
  const guint8 *data;
  gsize n;

  if (avail == 0)
    return STEP_DONE;
  n = self->state == STATE_BODY_CLOSE ? avail : (gsize) MIN ((guint64) avail, self->remaining);
  if (!ntpac_cursor_get_bytes (c, n, &data))
    g_assert_not_reached ();
  body_bytes (self, data, n, at);
  if (self->state == STATE_BODY_CLOSE)
    return STEP_CONTINUE;
  self->remaining -= n;
  if (self->remaining == 0)
    {
      if (self->state == STATE_CHUNK_DATA)
        self->state = STATE_CHUNK_END;
      else
        end_message (self, TRUE, ntpac_cursor_tell (c));
    }
  return STEP_CONTINUE;
}

static Step
read_chunk_size (NtpacHttpParser *self,
                 NtpacCursor     *c)
{
  gsize avail;
  const guint8 *p = peek_all (c, &avail);
  gsize at = ntpac_cursor_tell (c);
  const guint8 *nl;
  gsize len, i = 0;
  guint64 size = 0;
  guint digits = 0;

  if (avail == 0)
    return STEP_DONE;
  nl = memchr (p, '\n', MIN (avail, self->limits.max_line_length));
  if (nl == NULL)
    {
      if (avail < self->limits.max_line_length)
        return STEP_WAIT;
      report (self, NTPAC_HTTP_ANOMALY_BAD_CHUNK, at);
      end_message (self, FALSE, at);
      resync (self, FALSE);
      return STEP_CONTINUE;
    }
  len = nl - p;
  while (i < len && (p[i] == ' ' || p[i] == '\t'))
    i++;
  for (; i < len && g_ascii_isxdigit (p[i]); i++, digits++)
    size = (size << 4) | (guint64) g_ascii_xdigit_value (p[i]);
  if (digits == 0 || digits > 15)
    {
      report (self, NTPAC_HTTP_ANOMALY_BAD_CHUNK, at);
      end_message (self, FALSE, at);
      resync (self, FALSE);
      return STEP_CONTINUE;
    }
  while (i < len && (p[i] == ' ' || p[i] == '\t'))
    i++;
  /* chunk extensions (";name=value") are allowed and ignored */
  if (i < len && p[i] != ';' && !(p[i] == '\r' && i == len - 1))
    report (self, NTPAC_HTTP_ANOMALY_BAD_CHUNK, at);
  if (!ntpac_cursor_skip (c, len + 1))
    g_assert_not_reached ();
  if (size == 0)
    {
      self->state = STATE_TRAILERS;
      self->scanned = 0;
    }
  else
    {
      self->state = STATE_CHUNK_DATA;
      self->remaining = size;
    }
  return STEP_CONTINUE;
}

static Step
read_chunk_end (NtpacHttpParser *self,
                NtpacCursor     *c)
{
  guint8 b0, b1;
  guint16 pair;

  if (!ntpac_cursor_peek_u8 (c, &b0))
    return STEP_DONE;
  self->state = STATE_CHUNK_SIZE;
  if (b0 == '\n')
    {
      if (!ntpac_cursor_skip (c, 1))
        g_assert_not_reached ();
      return STEP_CONTINUE;
    }
  if (b0 == '\r')
    {
      if (!ntpac_cursor_peek_u16_be (c, &pair))
        {
          self->state = STATE_CHUNK_END;
          return STEP_WAIT;
        }
      b1 = (guint8) pair;
      if (!ntpac_cursor_skip (c, b1 == '\n' ? 2 : 1))
        g_assert_not_reached ();
      if (b1 != '\n')
        report (self, NTPAC_HTTP_ANOMALY_BAD_CHUNK, ntpac_cursor_tell (c));
      return STEP_CONTINUE;
    }
  /* the chunk's data is not followed by CRLF: read on as a size line */
  report (self, NTPAC_HTTP_ANOMALY_BAD_CHUNK, ntpac_cursor_tell (c));
  return STEP_CONTINUE;
}

static Step
read_trailers (NtpacHttpParser *self,
               NtpacCursor     *c)
{
  gsize avail;
  const guint8 *p = peek_all (c, &avail);
  gsize at = ntpac_cursor_tell (c);
  gsize end;
  StartLineResult sr;

  if (avail == 0)
    return STEP_DONE;
  end = find_block_end (p, avail, &self->scanned);
  if (end == 0 || end > self->limits.max_header_size)
    {
      if (end == 0 && avail <= self->limits.max_header_size)
        return STEP_WAIT;
      /* the body is whole, its trailer fields are too many: skipped */
      report (self, NTPAC_HTTP_ANOMALY_HEADER_TOO_LARGE, at);
      self->scanned = 0;
      end_message (self, TRUE, at);
      resync (self, FALSE);
      return STEP_CONTINUE;
    }
  if (end > 2 || p[0] != (end == 1 ? '\n' : '\r'))
    {
      NtpacHttpMessage *t = parse_block (self, p, end, NTPAC_HTTP_TRAILERS, FALSE, at, &sr);

      if (t != NULL && self->funcs->trailers != NULL)
        self->funcs->trailers (self->user_data, t);
      else
        ntpac_http_message_free (t);
    }
  if (!ntpac_cursor_skip (c, end))
    g_assert_not_reached ();
  end_message (self, TRUE, ntpac_cursor_tell (c));
  return STEP_CONTINUE;
}

static Step
read_resync (NtpacHttpParser *self,
             NtpacCursor     *c)
{
  gsize avail;
  const guint8 *p = peek_all (c, &avail);
  gsize pos = 0;

  if (avail == 0)
    return STEP_DONE;
  /* A status line is distinctive enough to be looked for anywhere: the
   * next response often follows a binary body that ends without a line
   * break. */
  if (self->kind == NTPAC_HTTP_RESPONSE)
    {
      static const gchar marker[] = "HTTP/1.";
      const gsize marker_len = sizeof marker - 1;

      /* not at a line start: the bytes here are the message just
       * refused, never to be matched again */
      if (!self->line_start)
        pos = 1;
      while (pos < avail)
        {
          const guint8 *at = memmem (p + pos, avail - pos, marker, marker_len);

          if (at == NULL)
            {
              /* the end may hold the start of a marker: kept for later */
              pos = avail > marker_len ? MAX (pos, avail - marker_len) : pos;
              break;
            }
          pos = at - p;
          switch (match_start (self->kind, at, MIN (avail - pos, START_MATCH_LEN)))
            {
            case MATCH_YES:
              if (!ntpac_cursor_skip (c, pos))
                g_assert_not_reached ();
              self->state = STATE_START;
              self->scanned = 0;
              return STEP_CONTINUE;
            case MATCH_MAYBE:
              if (!ntpac_cursor_skip (c, pos))
                g_assert_not_reached ();
              return STEP_WAIT;
            case MATCH_NO:
            default:
              pos++;
              break;
            }
        }
      pos = MIN (pos, avail);
      if (!ntpac_cursor_skip (c, pos))
        g_assert_not_reached ();
      if (pos > 0)
        self->line_start = TRUE;   /* past the refused bytes: any byte may start */
      return STEP_DONE;
    }
  for (;;)
    {
      const guint8 *nl;

      if (self->line_start)
        {
          if (pos == avail)
            break;
          switch (match_start (self->kind, p + pos, MIN (avail - pos, START_MATCH_LEN)))
            {
            case MATCH_YES:
              if (!ntpac_cursor_skip (c, pos))
                g_assert_not_reached ();
              self->state = STATE_START;
              self->scanned = 0;
              return STEP_CONTINUE;
            case MATCH_MAYBE:
              if (!ntpac_cursor_skip (c, pos))
                g_assert_not_reached ();
              return STEP_WAIT;
            case MATCH_NO:
            default:
              break;
            }
        }
      nl = memchr (p + pos, '\n', avail - pos);
      if (nl == NULL)
        {
          self->line_start = FALSE;
          pos = avail;
          break;
        }
      pos = nl - p + 1;
      self->line_start = TRUE;
    }
  if (!ntpac_cursor_skip (c, pos))
    g_assert_not_reached ();
  return STEP_DONE;
}

/**
 * ntpac_http_parser_feed:
 * @self: a parser
 * @cursor: the bytes of the direction that were not consumed yet
 *
 * Reads what it can.
 *
 * Returns: %NTPAC_DISSECT_STATUS_OK with every byte consumed, or
 *   %NTPAC_DISSECT_STATUS_INCOMPLETE when a header block or a chunk-size
 *   line is not whole yet
 */
NtpacDissectResult
ntpac_http_parser_feed (NtpacHttpParser *self,
                        NtpacCursor     *cursor)
{
  Step step = STEP_CONTINUE;

  self->span_start = ntpac_cursor_tell (cursor);
  self->waiting = 0;
  while (step == STEP_CONTINUE)
    {
      switch (self->state)
        {
        case STATE_START:
          step = read_start (self, cursor);
          break;
        case STATE_BODY_LENGTH:
        case STATE_BODY_CLOSE:
        case STATE_CHUNK_DATA:
          step = read_body (self, cursor);
          break;
        case STATE_CHUNK_SIZE:
          step = read_chunk_size (self, cursor);
          break;
        case STATE_CHUNK_END:
          step = read_chunk_end (self, cursor);
          break;
        case STATE_TRAILERS:
          step = read_trailers (self, cursor);
          break;
        case STATE_RESYNC:
          step = read_resync (self, cursor);
          break;
        case STATE_TUNNEL:
        default:
          /* not HTTP any more: the bytes are left for whoever reads the
           * tunnel (see ntpac_http_parser_is_tunnel()) */
          step = STEP_DONE;
          break;
        }
    }
  flush_span (self, ntpac_cursor_tell (cursor));
  if (step == STEP_WAIT)
    {
      gsize at = ntpac_cursor_tell (cursor);

      self->waiting = ntpac_cursor_remaining (cursor);
      return NTPAC_DISSECT_INCOMPLETE (at, at + self->waiting + 1);
    }
  return NTPAC_DISSECT_OK (ntpac_cursor_tell (cursor));
}

static void
add_missing (NtpacHttpParser *self,
             guint64          missing)
{
  if (missing == 0)
    return;
  self->body.missing += missing;
  if (self->funcs->body_gap != NULL)
    self->funcs->body_gap (self->user_data, missing);
}

/* Decoding cannot go on over lost bytes. */
static void
stop_decoding (NtpacHttpParser *self)
{
  if (self->coding == NTPAC_HTTP_CODING_GZIP || self->coding == NTPAC_HTTP_CODING_DEFLATE)
    {
      self->decode_stopped = TRUE;
      stop_inflate (self);
    }
}

/**
 * ntpac_http_parser_gap:
 * @self: a parser
 * @missing: bytes lost just after those fed (those not consumed were
 *   dropped)
 *
 * A body with a known length goes on after the hole; otherwise the message
 * is over, incomplete, and the parser looks for the next one.
 */
void
ntpac_http_parser_gap (NtpacHttpParser *self,
                       guint64          missing)
{
  gsize held = self->waiting;

  self->waiting = 0;
  self->scanned = 0;
  switch (self->state)
    {
    case STATE_START:
      if (held > 0)
        report (self, NTPAC_HTTP_ANOMALY_GAP_RESYNC, 0);
      resync (self, TRUE);
      break;
    case STATE_BODY_LENGTH:
    case STATE_CHUNK_DATA:
      if (missing <= self->remaining)
        {
          report (self, NTPAC_HTTP_ANOMALY_BODY_GAP, 0);
          self->remaining -= missing;
          add_missing (self, missing);
          stop_decoding (self);
          if (self->remaining == 0)
            {
              if (self->state == STATE_CHUNK_DATA)
                self->state = STATE_CHUNK_END;
              else
                end_message (self, FALSE, G_MAXSIZE);
            }
          break;
        }
      report (self, NTPAC_HTTP_ANOMALY_GAP_RESYNC, 0);
      add_missing (self, self->remaining);
      end_message (self, FALSE, G_MAXSIZE);
      resync (self, TRUE);
      break;
    case STATE_BODY_CLOSE:
      report (self, NTPAC_HTTP_ANOMALY_BODY_GAP, 0);
      add_missing (self, missing);
      stop_decoding (self);
      break;
    case STATE_CHUNK_SIZE:
    case STATE_CHUNK_END:
    case STATE_TRAILERS:
      report (self, NTPAC_HTTP_ANOMALY_GAP_RESYNC, 0);
      add_missing (self, missing);
      end_message (self, FALSE, G_MAXSIZE);
      resync (self, TRUE);
      break;
    case STATE_RESYNC:
      self->line_start = TRUE;
      break;
    case STATE_TUNNEL:
    default:
      break;
    }
}

/**
 * ntpac_http_parser_finish:
 * @self: a parser
 *
 * The stream ended: a body that runs to the end of the connection is
 * complete, any other message under way is not. Nothing more is read.
 */
void
ntpac_http_parser_finish (NtpacHttpParser *self)
{
  switch (self->state)
    {
    case STATE_START:
      if (self->waiting > 0 && !self->maybe_tunnel)
        report (self, NTPAC_HTTP_ANOMALY_TRUNCATED_HEADERS, 0);
      break;
    case STATE_BODY_LENGTH:
    case STATE_CHUNK_DATA:
      add_missing (self, self->remaining);
      G_GNUC_FALLTHROUGH;
    case STATE_CHUNK_SIZE:
    case STATE_CHUNK_END:
      report (self, NTPAC_HTTP_ANOMALY_TRUNCATED_BODY, 0);
      end_message (self, FALSE, G_MAXSIZE);
      break;
    case STATE_TRAILERS:
      if (self->waiting > 0)
        report (self, NTPAC_HTTP_ANOMALY_TRUNCATED_HEADERS, 0);
      end_message (self, TRUE, G_MAXSIZE);
      break;
    case STATE_BODY_CLOSE:
      end_message (self, TRUE, G_MAXSIZE);
      break;
    case STATE_RESYNC:
    case STATE_TUNNEL:
    default:
      break;
    }
  self->waiting = 0;
  self->state = STATE_TUNNEL;
}

/**
 * ntpac_http_parser_set_tunnel:
 * @self: a parser
 *
 * What follows in this direction is not HTTP (the other side accepted
 * CONNECT or an upgrade): once the message under way is over, bytes are
 * skipped.
 */
void
ntpac_http_parser_set_tunnel (NtpacHttpParser *self)
{
  self->maybe_tunnel = FALSE;
  if (self->in_message)
    self->tunnel_after = TRUE;
  else
    self->state = STATE_TUNNEL;
}

gboolean
ntpac_http_parser_in_message (NtpacHttpParser *self)
{
  return self->in_message;
}

gboolean
ntpac_http_parser_is_tunnel (NtpacHttpParser *self)
{
  return self->state == STATE_TUNNEL;
}

/**
 * ntpac_http_probe:
 * @data: (array length=len): the first bytes of a direction
 * @len: their length
 * @port_hint: a port of the conversation is an HTTP port
 *
 * A request line (a known method, and " HTTP/1.x" at the end of the first
 * line; a first line not whole yet needs only the method and a space) or
 * a status line ("HTTP/1.0 " or "HTTP/1.1 " and three digits). On an
 * HTTP port, any method token will do on a whole request line.
 *
 * Returns: whether the bytes look like HTTP/1.x
 */
gboolean
ntpac_http_probe (const guint8 *data,
                  gsize         len,
                  gboolean      port_hint)
{
  const guint8 *nl;
  gsize line_len;
  Match start;
  StartLine sl;

  if (len < 4)
    return FALSE;
  if (data[0] == 'H' && match_response_start (data, len) == MATCH_YES)
    return TRUE;
  start = match_request_start (data, MIN (len, START_MATCH_LEN));
  nl = memchr (data, '\n', MIN (len, NTPAC_HTTP_DEFAULT_MAX_LINE_LENGTH));
  if (nl == NULL)
    return start == MATCH_YES && len < NTPAC_HTTP_DEFAULT_MAX_LINE_LENGTH;
  if (start != MATCH_YES && !port_hint)
    return FALSE;
  line_len = nl - data;
  if (line_len > 0 && data[line_len - 1] == '\r')
    line_len--;
  if (parse_start_line (NTPAC_HTTP_REQUEST, data, line_len, &sl) != START_LINE_OK)
    return FALSE;
  /* a line without version is HTTP/0.9 only on an HTTP port */
  return !sl.simple || (port_hint && start == MATCH_YES);
}
