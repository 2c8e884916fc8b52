/* ntpac-tls-parser.c: TLS handshakes seen from the wire
 *
 * TLS 1.0-1.2 (RFC 2246, RFC 4346, RFC 5246) and TLS 1.3 (RFC 8446)
 * record framing and plaintext handshake messages: ClientHello with its
 * server_name (RFC 6066), ALPN (RFC 7301), supported_groups and
 * ec_point_formats (RFC 8422), signature_algorithms and supported_versions
 * extensions; ServerHello, HelloRetryRequest (RFC 8446 §4.1.3); the TLS
 * 1.2 Certificate message, whose X.509 certificates (RFC 5280) OpenSSL
 * decodes. GREASE values (RFC 8701) are left out of both fingerprints:
 * JA3 (Salesforce, github.com/salesforce/ja3) and JA4 (FoxIO,
 * github.com/FoxIO-LLC/ja4, technical_details/JA4.md).
 *
 * Each direction is a sequence of records; only whole records are
 * consumed, so the caller buffers at most one record (18 KiB) per
 * direction. Handshake messages are reassembled across records in a
 * buffer of at most NTPAC_TLS_MAX_HANDSHAKE_SIZE per direction. Once a
 * direction sends ChangeCipherSpec or application data (or, for the
 * server, a TLS 1.3 ServerHello) its records are skipped: what follows is
 * encrypted. TLS 1.2 renegotiation therefore cannot be seen; several
 * records come from several plaintext handshakes, a ClientHello after
 * another handshake.
 *
 * A handshake becomes a record (ntpac_tls_parser_take_record()) when the
 * first of these happens:
 * - the server's records turn encrypted (ChangeCipherSpec or application
 *   data, or a TLS 1.3 ServerHello);
 * - the client's records turn encrypted, or can no longer be parsed, once
 *   the server's plaintext flight is over (ServerHelloDone) or its
 *   records cannot be parsed any more;
 * - a fatal alert is sent in plaintext;
 * - a new ClientHello starts another handshake (except the second
 *   ClientHello after a HelloRetryRequest, which belongs to the first);
 * - ntpac_tls_parser_finish().
 * A handshake starts with a ClientHello; when the first ClientHello of a
 * connection was not seen, the first ServerHello or Certificate starts it.
 *
 * DTLS and QUIC carry the same messages without TLS records: their
 * readers (ntpac-dtls-parser.c, plugins/quic) give the parser bare
 * messages (ntpac_tls_parser_feed_handshake()) and, for DTLS, the records
 * that are not handshake ones (ntpac_tls_parser_feed_record()). The
 * transport chosen at creation sets JA4's first character and the DTLS
 * ClientHello's cookie field.
 *
 * Gaps (ntpac_tls_parser_gap()) resynchronise only where the record and
 * message boundaries after the lost bytes are known for certain, else
 * the direction (or its handshake parsing) stops; see the function.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "ntpac-tls-parser.h"

#include <arpa/inet.h>
#include <string.h>

#include <ntpac/ntpac.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

#define TLS_CONTENT_CHANGE_CIPHER_SPEC 20
#define TLS_CONTENT_ALERT 21
#define TLS_CONTENT_HANDSHAKE 22
#define TLS_CONTENT_APPLICATION_DATA 23
#define TLS_CONTENT_HEARTBEAT 24

#define TLS_ALERT_FATAL 2

#define TLS_HANDSHAKE_CLIENT_HELLO 1
#define TLS_HANDSHAKE_SERVER_HELLO 2
#define DTLS_HANDSHAKE_HELLO_VERIFY_REQUEST 3
#define TLS_HANDSHAKE_CERTIFICATE 11
#define TLS_HANDSHAKE_SERVER_HELLO_DONE 14

#define TLS_EXT_SERVER_NAME 0x0000
#define TLS_EXT_SUPPORTED_GROUPS 0x000a
#define TLS_EXT_EC_POINT_FORMATS 0x000b
#define TLS_EXT_SIGNATURE_ALGORITHMS 0x000d
#define TLS_EXT_ALPN 0x0010
#define TLS_EXT_SUPPORTED_VERSIONS 0x002b

#define TLS_SERVER_NAME_HOST_NAME 0

#define TLS_RECORD_HEADER_LEN 5
#define TLS_HANDSHAKE_HEADER_LEN 4
#define TLS_RANDOM_LEN 32
#define TLS_MAX_SESSION_ID_LEN 32
#define TLS_MAX_PLAINTEXT 16384
/* ALPN protocol names kept per ClientHello; JA4 needs only the first. */
#define TLS_MAX_ALPN_KEPT 32
/* Smallest ClientHello body: version, random, three empty vectors. */
#define TLS_MIN_CLIENT_HELLO 38

#define SSLV2_MSG_CLIENT_HELLO 1
#define SSLV2_CLIENT_HELLO_FIXED 9

#define JA4_EMPTY_HASH "000000000000"
#define JA4_HASH_LEN 12

/* ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest"). */
static const guint8 hello_retry_random[TLS_RANDOM_LEN] = {
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
  0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
  0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* What one handshake has shown so far. */
typedef struct
{
  gboolean have_client_hello;
  guint16 client_version;     /* ClientHello.legacy_version */
  guint16 client_max_version; /* highest version offered */
  gchar *sni;
  GPtrArray *alpn;            /* gchar *, as offered */
  gchar *ja3_string;
  gchar *ja3;
  gchar *ja4;

  gboolean hello_retry;       /* a HelloRetryRequest came, not yet the ServerHello */
  gboolean hello_verify;      /* a DTLS HelloVerifyRequest came */
  gboolean second_client_hello;
  gboolean have_server_hello;
  guint16 server_version;     /* negotiated */
  guint16 cipher;
  gboolean tls13;

  gboolean have_certificate;
  GPtrArray *certificates;    /* GVariant a{sv}, leaf first */
  gboolean have_client_certificate;
  GPtrArray *client_certificates;   /* client authentication, leaf first */
  gboolean server_flight_done;  /* ServerHelloDone */
  gboolean server_encrypted;    /* the server turned encrypted during it */

  gboolean lost;              /* bytes of it were lost or could not be parsed */
} TlsHandshake;

/* One direction of the connection. */
typedef struct
{
  gboolean stopped;        /* nothing more is parsed */
  gboolean encrypted;      /* records are skipped */
  gboolean handshake_off;  /* handshake messages are no longer parsed */
  guint64 records;
  gsize skip;              /* bytes of a damaged record still to skip */

  /* The record the last INCOMPLETE result waited for, and the first
   * handshake message header in it: what ntpac_tls_parser_gap() needs to
   * find the boundaries after lost bytes. */
  gboolean pending_known;
  guint8 pending_type;
  gsize pending_length;
  gboolean pending_message_known;
  gsize pending_message_length;  /* header included */

  GByteArray *message;     /* partial handshake message, header included */
  gsize drop;              /* bytes of a dropped message still to skip */
} TlsDirection;

struct _NtpacTlsParser
{
  NtpacTlsTransport transport;
  TlsDirection server;
  TlsDirection client;
  TlsHandshake *current;
  GQueue ready;            /* TlsHandshake *, oldest first */
  guint n_handshakes;
  gboolean handshakes_off; /* NTPAC_TLS_MAX_HANDSHAKES reached */
  gboolean loss_pending;   /* handshake bytes lost while none was open */
};

/* ---- small helpers ------------------------------------------------------ */

static void
add_anomaly (GPtrArray   *anomalies,
             const gchar *id)
{
  if (anomalies != NULL)
    g_ptr_array_add (anomalies, (gpointer) id);
}

static inline TlsDirection *
direction (NtpacTlsParser *self,
           gboolean        from_client)
{
  return from_client ? &self->client : &self->server;
}

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
static inline gboolean
is_grease (guint16 value)
{
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

static inline gboolean
is_tls13 (guint16 version)
{
  /* 0x7fXX: the drafts of RFC 8446; 0xfefc: DTLS 1.3 (RFC 9147). */
  return version == 0x0304 || (version >> 8) == 0x7f || version == 0xfefc;
}

/* Versions in protocol order: DTLS counts down from 0xfeff (DTLS 1.0,
 * as TLS 1.1) to 0xfefc (DTLS 1.3, as TLS 1.3). */
static inline guint
version_rank (guint16 version)
{
  if ((version >> 8) == 0xfe)
    return 0x0301 + (0xff - (version & 0xff));
  return version;
}

/* Wire bytes as UTF-8 text: NULs and invalid sequences become U+FFFD. */
static gchar *
wire_string (const guint8 *data,
             gsize         len)
{
  g_autoptr(GString) text = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == 0)
        g_string_append (text, "\xef\xbf\xbd");
      else
        g_string_append_c (text, (gchar) data[i]);
    }
  return g_utf8_make_valid (text->str, text->len);
}

static gchar *
version_name (guint16 version)
{
  switch (version)
    {
    case 0x0002:
      return g_strdup ("SSL 2.0");
    case 0x0300:
      return g_strdup ("SSL 3.0");
    case 0x0301:
      return g_strdup ("TLS 1.0");
    case 0x0302:
      return g_strdup ("TLS 1.1");
    case 0x0303:
      return g_strdup ("TLS 1.2");
    case 0x0304:
      return g_strdup ("TLS 1.3");
    case 0xfeff:
      return g_strdup ("DTLS 1.0");
    case 0xfefd:
      return g_strdup ("DTLS 1.2");
    case 0xfefc:
      return g_strdup ("DTLS 1.3");
    default:
      if ((version >> 8) == 0x7f)
        return g_strdup_printf ("TLS 1.3 (draft %u)", version & 0xffu);
      return g_strdup_printf ("0x%04x", version);
    }
}

/* ---- handshakes ---------------------------------------------------------- */

static void
handshake_free (TlsHandshake *hs)
{
  if (hs == NULL)
    return;
  g_free (hs->sni);
  g_ptr_array_unref (hs->alpn);
  g_free (hs->ja3_string);
  g_free (hs->ja3);
  g_free (hs->ja4);
  g_ptr_array_unref (hs->certificates);
  g_ptr_array_unref (hs->client_certificates);
  g_free (hs);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsHandshake, handshake_free)

/* Marks the open handshake, or else the next one, as missing bytes. */
static void
mark_lost (NtpacTlsParser *self)
{
  if (self->current != NULL)
    self->current->lost = TRUE;
  else
    self->loss_pending = TRUE;
}

static TlsHandshake *
open_handshake (NtpacTlsParser *self,
                GPtrArray      *anomalies)
{
  TlsHandshake *hs;

  g_assert (self->current == NULL);
  if (self->handshakes_off)
    return NULL;
  if (self->n_handshakes >= NTPAC_TLS_MAX_HANDSHAKES)
    {
      add_anomaly (anomalies, NTPAC_TLS_ANOMALY_TOO_MANY_HANDSHAKES);
      self->handshakes_off = TRUE;
      return NULL;
    }
  self->n_handshakes++;
  hs = g_new0 (TlsHandshake, 1);
  hs->alpn = g_ptr_array_new_with_free_func (g_free);
  hs->certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  hs->client_certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  hs->lost = self->loss_pending;
  self->loss_pending = FALSE;
  self->current = hs;
  return hs;
}

/* The open handshake, or a new one if none was ever opened (the first
 * ClientHello was missed). */
static TlsHandshake *
current_or_first (NtpacTlsParser *self,
                  GPtrArray      *anomalies)
{
  if (self->current != NULL)
    return self->current;
  if (self->n_handshakes > 0)
    return NULL;
  return open_handshake (self, anomalies);
}

static void
close_handshake (NtpacTlsParser *self)
{
  if (self->current == NULL)
    return;
  g_queue_push_tail (&self->ready, g_steal_pointer (&self->current));
}

static void
release_message (TlsDirection *d)
{
  g_clear_pointer (&d->message, g_byte_array_unref);
  d->drop = 0;
}

/* Turns a direction encrypted: its records are skipped from now on. */
static void
set_encrypted (NtpacTlsParser *self,
               gboolean        from_client)
{
  TlsDirection *d = direction (self, from_client);

  if (d->encrypted)
    return;
  d->encrypted = TRUE;
  /* A message cut by the change of keys is lost. */
  if (d->message != NULL || d->drop > 0)
    mark_lost (self);
  release_message (d);
  if (!from_client && self->current != NULL)
    self->current->server_encrypted = TRUE;
}

/* Stops parsing a direction for good. */
static void
stop_direction (NtpacTlsParser *self,
                gboolean        from_client)
{
  TlsDirection *d = direction (self, from_client);

  if (!d->encrypted && !d->handshake_off)
    mark_lost (self);
  d->stopped = TRUE;
  d->skip = 0;
  d->pending_known = FALSE;
  release_message (d);
}

/* Closes the open handshake once nothing more of it can be seen in
 * plaintext (see the top of the file). */
static void
check_ready (NtpacTlsParser *self)
{
  TlsHandshake *hs = self->current;
  gboolean server_over, client_over;

  if (hs == NULL)
    return;
  server_over = self->server.encrypted || self->server.stopped ||
                self->server.handshake_off || hs->server_flight_done;
  client_over = self->client.encrypted || self->client.stopped ||
                self->client.handshake_off;
  if (self->server.encrypted || (client_over && server_over))
    close_handshake (self);
}

/* ---- fingerprints -------------------------------------------------------- */

/* ClientHello fields the fingerprints need, GREASE included. */
typedef struct
{
  guint16 version;
  GArray *ciphers;              /* guint16 */
  GArray *extensions;           /* guint16, in wire order */
  GArray *groups;               /* guint16 */
  GArray *point_formats;        /* guint8 */
  GArray *signature_algorithms; /* guint16 */
  GArray *versions;             /* guint16, supported_versions */
  gboolean has_server_name;
  gboolean has_alpn;
  const guint8 *alpn_first;     /* into the message */
  gsize alpn_first_len;
  gboolean has_groups;
  gboolean has_point_formats;
  gboolean has_signature_algorithms;
  gboolean has_supported_versions;
  gchar *sni;
  GPtrArray *alpn;              /* gchar * */
} ClientHello;

static void
client_hello_init (ClientHello *hello)
{
  memset (hello, 0, sizeof *hello);
  hello->ciphers = g_array_new (FALSE, FALSE, sizeof (guint16));
  hello->extensions = g_array_new (FALSE, FALSE, sizeof (guint16));
  hello->groups = g_array_new (FALSE, FALSE, sizeof (guint16));
  hello->point_formats = g_array_new (FALSE, FALSE, sizeof (guint8));
  hello->signature_algorithms = g_array_new (FALSE, FALSE, sizeof (guint16));
  hello->versions = g_array_new (FALSE, FALSE, sizeof (guint16));
  hello->alpn = g_ptr_array_new_with_free_func (g_free);
}

static void
client_hello_clear (ClientHello *hello)
{
  g_clear_pointer (&hello->ciphers, g_array_unref);
  g_clear_pointer (&hello->extensions, g_array_unref);
  g_clear_pointer (&hello->groups, g_array_unref);
  g_clear_pointer (&hello->point_formats, g_array_unref);
  g_clear_pointer (&hello->signature_algorithms, g_array_unref);
  g_clear_pointer (&hello->versions, g_array_unref);
  g_clear_pointer (&hello->sni, g_free);
  g_clear_pointer (&hello->alpn, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClientHello, client_hello_clear)

/* Appends the non-GREASE values of @values, in decimal, joined by '-'. */
static void
ja3_append_list (GString *out,
                 GArray  *values)
{
  gboolean first = TRUE;

  for (guint i = 0; i < values->len; i++)
    {
      guint16 v = g_array_index (values, guint16, i);

      if (is_grease (v))
        continue;
      if (!first)
        g_string_append_c (out, '-');
      g_string_append_printf (out, "%u", v);
      first = FALSE;
    }
}

static gchar *
ja3_string (const ClientHello *hello)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%u,", hello->version);
  ja3_append_list (out, hello->ciphers);
  g_string_append_c (out, ',');
  ja3_append_list (out, hello->extensions);
  g_string_append_c (out, ',');
  ja3_append_list (out, hello->groups);
  g_string_append_c (out, ',');
  /* Point formats are single bytes: GREASE does not apply. */
  for (guint i = 0; i < hello->point_formats->len; i++)
    g_string_append_printf (out, i > 0 ? "-%u" : "%u",
                            g_array_index (hello->point_formats, guint8, i));
  return g_string_free (out, FALSE);
}

static gint
compare_u16 (gconstpointer a,
             gconstpointer b)
{
  guint16 x = *(const guint16 *) a, y = *(const guint16 *) b;

  return (x > y) - (x < y);
}

static const gchar *
ja4_version (guint16 version)
{
  switch (version)
    {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
    }
}

/* Highest non-GREASE value of supported_versions, else the legacy one. */
static guint16
highest_version (const ClientHello *hello)
{
  guint16 best = 0;

  for (guint i = 0; i < hello->versions->len; i++)
    {
      guint16 v = g_array_index (hello->versions, guint16, i);

      if (!is_grease (v) && (best == 0 || version_rank (v) > version_rank (best)))
        best = v;
    }
  return best != 0 ? best : hello->version;
}

static guint
count_non_grease (GArray *values)
{
  guint n = 0;

  for (guint i = 0; i < values->len; i++)
    if (!is_grease (g_array_index (values, guint16, i)))
      n++;
  return n;
}

/* Appends the first and last characters of the first ALPN value, or of
 * its hex form when either byte is not alphanumeric (JA4 §ALPN). */
static void
ja4_append_alpn (GString           *out,
                 const ClientHello *hello)
{
  static const gchar hex[] = "0123456789abcdef";
  const guint8 *v = hello->alpn_first;
  gsize len = hello->alpn_first_len;

  if (!hello->has_alpn || v == NULL || len == 0)
    {
      g_string_append (out, "00");
      return;
    }
  if (g_ascii_isalnum (v[0]) && g_ascii_isalnum (v[len - 1]))
    {
      g_string_append_c (out, (gchar) v[0]);
      g_string_append_c (out, (gchar) v[len - 1]);
    }
  else
    {
      g_string_append_c (out, hex[v[0] >> 4]);
      g_string_append_c (out, hex[v[len - 1] & 0x0f]);
    }
}

/* Appends the first 12 hex digits of the SHA-256 of @text, or the JA4
 * placeholder for an empty list. */
static void
ja4_append_hash (GString     *out,
                 const GString *text,
                 gboolean     empty)
{
  g_autofree gchar *digest = NULL;

  if (empty)
    {
      g_string_append (out, JA4_EMPTY_HASH);
      return;
    }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, text->len);
  g_string_append_len (out, digest, JA4_HASH_LEN);
}

/* Appends @values (sorted or not) in 4-digit hex, comma-separated,
 * without GREASE and without @skip_a and @skip_b; returns how many. */
static guint
ja4_append_hex_list (GString *out,
                     GArray  *values,
                     gboolean sorted,
                     gint     skip_a,
                     gint     skip_b)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint16));

  for (guint i = 0; i < values->len; i++)
    {
      guint16 v = g_array_index (values, guint16, i);

      if (!is_grease (v) && v != skip_a && v != skip_b)
        g_array_append_val (list, v);
    }
  if (sorted)
    g_array_sort (list, compare_u16);
  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (out, i > 0 ? ",%04x" : "%04x",
                            g_array_index (list, guint16, i));
  return list->len;
}

static gchar *
ja4_fingerprint (const ClientHello *hello,
                 gchar              protocol)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n;

  g_string_append_c (out, protocol);
  g_string_append (out, ja4_version (highest_version (hello)));
  g_string_append_c (out, hello->has_server_name ? 'd' : 'i');
  g_string_append_printf (out, "%02u%02u",
                          MIN (count_non_grease (hello->ciphers), 99u),
                          MIN (count_non_grease (hello->extensions), 99u));
  ja4_append_alpn (out, hello);

  g_string_append_c (out, '_');
  n = ja4_append_hex_list (text, hello->ciphers, TRUE, -1, -1);
  ja4_append_hash (out, text, n == 0);

  g_string_append_c (out, '_');
  g_string_truncate (text, 0);
  n = ja4_append_hex_list (text, hello->extensions, TRUE,
                           TLS_EXT_SERVER_NAME, TLS_EXT_ALPN);
  if (count_non_grease (hello->signature_algorithms) > 0)
    {
      g_string_append_c (text, '_');
      ja4_append_hex_list (text, hello->signature_algorithms, FALSE, -1, -1);
    }
  ja4_append_hash (out, text, n == 0);
  return g_string_free (out, FALSE);
}

/* ---- ClientHello --------------------------------------------------------- */

/* Reads a list of 16-bit values behind a 1- or 2-byte length that fills
 * the rest of @c exactly. */
static gboolean
read_u16_list (NtpacCursor *c,
               guint        length_width,
               GArray      *out)
{
  NtpacCursor list;
  gsize n;

  if (length_width == 1)
    {
      guint8 n8;

      if (!ntpac_cursor_get_u8 (c, &n8))
        return FALSE;
      n = n8;
    }
  else
    {
      guint16 n16;

      if (!ntpac_cursor_get_u16_be (c, &n16))
        return FALSE;
      n = n16;
    }
  if (n % 2 != 0 || n != ntpac_cursor_remaining (c) ||
      !ntpac_cursor_get_sub (c, n, &list))
    return FALSE;
  while (ntpac_cursor_remaining (&list) > 0)
    {
      guint16 v;

      if (!ntpac_cursor_get_u16_be (&list, &v))
        return FALSE;
      g_array_append_val (out, v);
    }
  return TRUE;
}

static gboolean
read_point_formats (NtpacCursor *c,
                    GArray      *out)
{
  guint8 n;
  const guint8 *formats;

  if (!ntpac_cursor_get_u8 (c, &n) || n != ntpac_cursor_remaining (c) ||
      !ntpac_cursor_get_bytes (c, n, &formats))
    return FALSE;
  g_array_append_vals (out, formats, n);
  return TRUE;
}

/* server_name (RFC 6066 §3): the first host_name. Empty extension data
 * (as a ServerHello sends it) is accepted. */
static gboolean
read_server_name (NtpacCursor *c,
                  ClientHello *hello)
{
  guint16 list_len;
  NtpacCursor list;
  g_autofree gchar *sni = NULL;

  if (ntpac_cursor_remaining (c) == 0)
    return TRUE;
  if (!ntpac_cursor_get_u16_be (c, &list_len) ||
      list_len != ntpac_cursor_remaining (c) ||
      !ntpac_cursor_get_sub (c, list_len, &list))
    return FALSE;
  while (ntpac_cursor_remaining (&list) > 0)
    {
      guint8 type;
      guint16 len;
      const guint8 *name;

      if (!ntpac_cursor_get_u8 (&list, &type) ||
          !ntpac_cursor_get_u16_be (&list, &len) ||
          !ntpac_cursor_get_bytes (&list, len, &name))
        return FALSE;
      if (type == TLS_SERVER_NAME_HOST_NAME && sni == NULL && len > 0)
        sni = wire_string (name, len);
    }
  g_free (hello->sni);
  hello->sni = g_steal_pointer (&sni);
  return TRUE;
}

/* ALPN (RFC 7301 §3.1). Empty lists and names, which RFC 7301 forbids,
 * are accepted: JA4 defines them. */
static gboolean
read_alpn (NtpacCursor *c,
           ClientHello *hello)
{
  guint16 list_len;
  NtpacCursor list;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const guint8 *first = NULL;
  gsize first_len = 0;

  if (!ntpac_cursor_get_u16_be (c, &list_len) ||
      list_len != ntpac_cursor_remaining (c) ||
      !ntpac_cursor_get_sub (c, list_len, &list))
    return FALSE;
  while (ntpac_cursor_remaining (&list) > 0)
    {
      guint8 len;
      const guint8 *name;

      if (!ntpac_cursor_get_u8 (&list, &len) ||
          !ntpac_cursor_get_bytes (&list, len, &name))
        return FALSE;
      if (names->len == 0)
        {
          first = name;
          first_len = len;
        }
      if (names->len < TLS_MAX_ALPN_KEPT)
        g_ptr_array_add (names, wire_string (name, len));
    }
  g_ptr_array_unref (hello->alpn);
  hello->alpn = g_steal_pointer (&names);
  hello->alpn_first = first;
  hello->alpn_first_len = first_len;
  return TRUE;
}

/* Reads the extensions the record and the fingerprints use; only the
 * first of duplicated extensions counts. */
static gboolean
read_client_extension (guint16      type,
                       NtpacCursor *data,
                       ClientHello *hello)
{
  switch (type)
    {
    case TLS_EXT_SERVER_NAME:
      if (hello->has_server_name)
        return TRUE;
      hello->has_server_name = TRUE;
      return read_server_name (data, hello);
    case TLS_EXT_ALPN:
      if (hello->has_alpn)
        return TRUE;
      hello->has_alpn = TRUE;
      return read_alpn (data, hello);
    case TLS_EXT_SUPPORTED_GROUPS:
      if (hello->has_groups)
        return TRUE;
      hello->has_groups = TRUE;
      return read_u16_list (data, 2, hello->groups);
    case TLS_EXT_EC_POINT_FORMATS:
      if (hello->has_point_formats)
        return TRUE;
      hello->has_point_formats = TRUE;
      return read_point_formats (data, hello->point_formats);
    case TLS_EXT_SIGNATURE_ALGORITHMS:
      if (hello->has_signature_algorithms)
        return TRUE;
      hello->has_signature_algorithms = TRUE;
      return read_u16_list (data, 2, hello->signature_algorithms);
    case TLS_EXT_SUPPORTED_VERSIONS:
      if (hello->has_supported_versions)
        return TRUE;
      hello->has_supported_versions = TRUE;
      return read_u16_list (data, 1, hello->versions);
    default:
      return TRUE;
    }
}

/* Reads a ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2); FALSE when
 * its frame is broken. @extensions_ok is FALSE when a list inside an
 * extension the record or the fingerprints use is. */
static gboolean
read_client_hello (ClientHello  *hello,
                   const guint8 *body,
                   gsize         len,
                   gboolean      dtls,
                   gboolean     *extensions_ok)
{
  NtpacCursor c, ciphers, extensions;
  guint16 n16;
  guint8 n8;

  *extensions_ok = TRUE;
  ntpac_cursor_init (&c, body, len, len);
  if (!ntpac_cursor_get_u16_be (&c, &hello->version) ||
      !ntpac_cursor_skip (&c, TLS_RANDOM_LEN) ||
      !ntpac_cursor_get_u8 (&c, &n8) || n8 > TLS_MAX_SESSION_ID_LEN ||
      !ntpac_cursor_skip (&c, n8))
    return FALSE;
  /* DTLS adds the cookie of a HelloVerifyRequest (RFC 6347 §4.2.1). */
  if (dtls && (!ntpac_cursor_get_u8 (&c, &n8) || !ntpac_cursor_skip (&c, n8)))
    return FALSE;
  if (!ntpac_cursor_get_u16_be (&c, &n16) || n16 % 2 != 0 ||
      !ntpac_cursor_get_sub (&c, n16, &ciphers) ||
      !ntpac_cursor_get_u8 (&c, &n8) || n8 == 0 ||
      !ntpac_cursor_skip (&c, n8))
    return FALSE;
  while (ntpac_cursor_remaining (&ciphers) > 0)
    {
      guint16 cipher;

      if (!ntpac_cursor_get_u16_be (&ciphers, &cipher))
        return FALSE;
      g_array_append_val (hello->ciphers, cipher);
    }

  /* Extensions are optional before TLS 1.3, and then fill the rest. */
  if (ntpac_cursor_remaining (&c) == 0)
    return TRUE;
  if (!ntpac_cursor_get_u16_be (&c, &n16) ||
      n16 != ntpac_cursor_remaining (&c) ||
      !ntpac_cursor_get_sub (&c, n16, &extensions))
    return FALSE;
  while (ntpac_cursor_remaining (&extensions) > 0)
    {
      guint16 type, ext_len;
      NtpacCursor data;

      if (!ntpac_cursor_get_u16_be (&extensions, &type) ||
          !ntpac_cursor_get_u16_be (&extensions, &ext_len) ||
          !ntpac_cursor_get_sub (&extensions, ext_len, &data))
        return FALSE;
      g_array_append_val (hello->extensions, type);
      if (!read_client_extension (type, &data, hello))
        *extensions_ok = FALSE;
    }
  return TRUE;
}

/* Fills @hs from a ClientHello. A broken frame leaves @hs without it; a
 * broken list inside an extension leaves out the fingerprints, which
 * would describe something the client did not send. */
static void
parse_client_hello (NtpacTlsParser *self,
                    TlsHandshake   *hs,
                    const guint8   *body,
                    gsize           len,
                    GPtrArray      *anomalies)
{
  g_auto(ClientHello) hello;
  gboolean extensions_ok;

  client_hello_init (&hello);
  if (!read_client_hello (&hello, body, len,
                          self->transport == NTPAC_TLS_TRANSPORT_DTLS,
                          &extensions_ok))
    {
      add_anomaly (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE);
      hs->lost = TRUE;
      return;
    }

  hs->have_client_hello = TRUE;
  hs->client_version = hello.version;
  hs->client_max_version = highest_version (&hello);
  hs->sni = g_steal_pointer (&hello.sni);
  g_ptr_array_unref (hs->alpn);
  hs->alpn = g_steal_pointer (&hello.alpn);
  if (!extensions_ok)
    {
      add_anomaly (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE);
      return;
    }
  hs->ja3_string = ja3_string (&hello);
  hs->ja3 = g_compute_checksum_for_string (G_CHECKSUM_MD5, hs->ja3_string, -1);
  hs->ja4 = ja4_fingerprint (&hello, (gchar) self->transport);
}

/* ---- ServerHello and Certificate ---------------------------------------- */

/* Reads a ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3); @selected is
 * the supported_versions choice, 0 without one. */
static gboolean
read_server_hello (const guint8  *body,
                   gsize          len,
                   guint16       *version,
                   const guint8 **random,
                   guint16       *cipher,
                   guint16       *selected)
{
  NtpacCursor c, extensions;
  guint16 n16;
  guint8 n8;

  *selected = 0;
  ntpac_cursor_init (&c, body, len, len);
  if (!ntpac_cursor_get_u16_be (&c, version) ||
      !ntpac_cursor_get_bytes (&c, TLS_RANDOM_LEN, random) ||
      !ntpac_cursor_get_u8 (&c, &n8) || n8 > TLS_MAX_SESSION_ID_LEN ||
      !ntpac_cursor_skip (&c, n8) ||
      !ntpac_cursor_get_u16_be (&c, cipher) ||
      !ntpac_cursor_get_u8 (&c, &n8))
    return FALSE;
  if (ntpac_cursor_remaining (&c) == 0)
    return TRUE;
  if (!ntpac_cursor_get_u16_be (&c, &n16) ||
      n16 != ntpac_cursor_remaining (&c) ||
      !ntpac_cursor_get_sub (&c, n16, &extensions))
    return FALSE;
  while (ntpac_cursor_remaining (&extensions) > 0)
    {
      guint16 type, ext_len;
      NtpacCursor data;

      if (!ntpac_cursor_get_u16_be (&extensions, &type) ||
          !ntpac_cursor_get_u16_be (&extensions, &ext_len) ||
          !ntpac_cursor_get_sub (&extensions, ext_len, &data))
        return FALSE;
      /* The server names one version (RFC 8446 §4.2.1). */
      if (type == TLS_EXT_SUPPORTED_VERSIONS &&
          (ext_len != 2 || !ntpac_cursor_get_u16_be (&data, selected)))
        return FALSE;
    }
  return TRUE;
}

static void
parse_server_hello (NtpacTlsParser *self,
                    TlsHandshake   *hs,
                    const guint8   *body,
                    gsize           len,
                    GPtrArray      *anomalies)
{
  guint16 version, cipher, selected;
  const guint8 *random;

  if (!read_server_hello (body, len, &version, &random, &cipher, &selected))
    {
      add_anomaly (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE);
      hs->lost = TRUE;
      return;
    }
  if (memcmp (random, hello_retry_random, TLS_RANDOM_LEN) == 0)
    {
      /* The client sends a second ClientHello; the ServerHello follows. */
      hs->hello_retry = TRUE;
      return;
    }
  hs->have_server_hello = TRUE;
  hs->server_version = selected != 0 ? selected : version;
  hs->cipher = cipher;
  if (is_tls13 (hs->server_version))
    {
      /* Everything after the ServerHello is encrypted (RFC 8446 §2). */
      hs->tls13 = TRUE;
      hs->server_flight_done = TRUE;
      set_encrypted (self, FALSE);
    }
}

/* Checks the frame of a TLS 1.2 Certificate message (RFC 5246 §7.4.2)
 * and gives the certificate list. */
static gboolean
read_certificate_list (const guint8 *body,
                       gsize         len,
                       NtpacCursor  *list)
{
  NtpacCursor c, scan;
  guint32 list_len;

  ntpac_cursor_init (&c, body, len, len);
  if (!ntpac_cursor_get_u24_be (&c, &list_len) ||
      list_len != ntpac_cursor_remaining (&c) ||
      !ntpac_cursor_get_sub (&c, list_len, list))
    return FALSE;
  scan = *list;
  while (ntpac_cursor_remaining (&scan) > 0)
    {
      guint32 der_len;

      if (!ntpac_cursor_get_u24_be (&scan, &der_len) ||
          !ntpac_cursor_skip (&scan, der_len))
        return FALSE;
    }
  return TRUE;
}

/* The whole frame is checked before any certificate is decoded. */

/* Servers send the same certificates over and over: each worker thread
 * keeps the descriptions of the last ones it parsed, by their DER bytes.
 * Bounded: the cache starts over when it is full. */
#define CERT_CACHE_MAX 512

typedef struct
{
  GVariant *entry;
  gboolean  parsed;
} CachedCertificate;

static void
cached_certificate_free (gpointer data)
{
  CachedCertificate *c = data;

  g_variant_unref (c->entry);
  g_free (c);
}

static GPrivate certificate_cache = G_PRIVATE_INIT ((GDestroyNotify) g_hash_table_unref);

/* ntpac_tls_certificate_describe(), remembered; returns a full reference. */
static GVariant *
describe_cached (const guint8 *der,
                 gsize         len,
                 gboolean     *parsed)
{
  GHashTable *cache = g_private_get (&certificate_cache);
  g_autoptr(GBytes) key = g_bytes_new_static (der, len);
  CachedCertificate *c;

  if (cache == NULL)
    {
      cache = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                     cached_certificate_free);
      g_private_set (&certificate_cache, cache);
    }
  c = g_hash_table_lookup (cache, key);
  if (c == NULL)
    {
      if (g_hash_table_size (cache) >= CERT_CACHE_MAX)
        g_hash_table_remove_all (cache);
      c = g_new0 (CachedCertificate, 1);
      c->entry = g_variant_ref_sink (ntpac_tls_certificate_describe (der, len, &c->parsed));
      g_hash_table_insert (cache, g_bytes_new (der, len), c);
    }
  *parsed = c->parsed;
  return g_variant_ref (c->entry);
}

static void
parse_certificate (TlsHandshake *hs,
                   GPtrArray    *chain,
                   const guint8 *body,
                   gsize         len,
                   GPtrArray    *anomalies)
{
  NtpacCursor list;

  if (!read_certificate_list (body, len, &list))
    {
      add_anomaly (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_HANDSHAKE);
      hs->lost = TRUE;
      return;
    }
  while (ntpac_cursor_remaining (&list) > 0)
    {
      guint32 der_len;
      const guint8 *der;
      gboolean parsed;
      GVariant *entry;

      if (!ntpac_cursor_get_u24_be (&list, &der_len) ||
          !ntpac_cursor_get_bytes (&list, der_len, &der))
        g_assert_not_reached ();  /* checked above */
      if (chain->len == NTPAC_TLS_MAX_CERTIFICATES)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_TOO_MANY_CERTIFICATES);
          break;
        }
      entry = describe_cached (der, der_len, &parsed);
      if (!parsed)
        add_anomaly (anomalies, NTPAC_TLS_ANOMALY_BAD_CERTIFICATE);
      g_ptr_array_add (chain, entry);
    }
}

/* One whole handshake message. */
static void
handle_message (NtpacTlsParser *self,
                gboolean        from_client,
                guint8          type,
                const guint8   *body,
                gsize           len,
                GPtrArray      *anomalies)
{
  TlsHandshake *hs;

  switch (type)
    {
    case TLS_HANDSHAKE_CLIENT_HELLO:
      if (!from_client)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE);
          return;
        }
      hs = self->current;
      if (hs != NULL && (hs->hello_retry || hs->hello_verify) &&
          !hs->have_server_hello && !hs->second_client_hello)
        {
          /* The answer to a HelloRetryRequest: the first ClientHello is
           * the one that identifies the client. */
          hs->second_client_hello = TRUE;
          return;
        }
      close_handshake (self);
      hs = open_handshake (self, anomalies);
      if (hs != NULL)
        parse_client_hello (self, hs, body, len, anomalies);
      return;

    case TLS_HANDSHAKE_SERVER_HELLO:
      if (from_client)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE);
          return;
        }
      hs = current_or_first (self, anomalies);
      if (hs == NULL)
        return;
      if (hs->have_server_hello)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE);
          return;
        }
      parse_server_hello (self, hs, body, len, anomalies);
      return;

    case TLS_HANDSHAKE_CERTIFICATE:
      /* A client's certificate (client authentication) names the user:
       * it is kept apart from the server's chain. */
      hs = current_or_first (self, anomalies);
      if (hs == NULL)
        return;
      if (from_client ? hs->have_client_certificate : hs->have_certificate)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE);
          return;
        }
      if (from_client)
        {
          hs->have_client_certificate = TRUE;
          parse_certificate (hs, hs->client_certificates, body, len, anomalies);
        }
      else
        {
          hs->have_certificate = TRUE;
          parse_certificate (hs, hs->certificates, body, len, anomalies);
        }
      return;

    case TLS_HANDSHAKE_SERVER_HELLO_DONE:
      if (!from_client && self->current != NULL)
        self->current->server_flight_done = TRUE;
      return;

    case DTLS_HANDSHAKE_HELLO_VERIFY_REQUEST:
      /* RFC 6347 §4.2.1: the client says hello again with the cookie; the
       * first ClientHello stays the one that identifies it. */
      if (self->transport != NTPAC_TLS_TRANSPORT_DTLS || from_client ||
          self->current == NULL || self->current->have_server_hello)
        {
          add_anomaly (anomalies, NTPAC_TLS_ANOMALY_UNEXPECTED_MESSAGE);
          return;
        }
      self->current->hello_verify = TRUE;
      return;

    default:
      return;
    }
}

static gsize
message_body_length (const GByteArray *message)
{
  NtpacCursor c;
  guint8 type;
  guint32 len;

  ntpac_cursor_init (&c, message->data, message->len, message->len);
  if (!ntpac_cursor_get_u8 (&c, &type) || !ntpac_cursor_get_u24_be (&c, &len))
    g_assert_not_reached ();  /* called once the header is held */
  return len;
}

/* A message too large to buffer: skipped as its bytes come. */
static void
drop_message (NtpacTlsParser *self,
              TlsDirection   *d,
              gsize           body_len,
              GPtrArray      *anomalies)
{
  add_anomaly (anomalies, NTPAC_TLS_ANOMALY_HANDSHAKE_TOO_LARGE);
  mark_lost (self);
  g_clear_pointer (&d->message, g_byte_array_unref);
  d->drop = body_len;
}

/* Handshake bytes of one plaintext record: whole messages are handled in
 * place, split ones are reassembled in d->message. */
static void
feed_handshake (NtpacTlsParser *self,
                gboolean        from_client,
                const guint8   *payload,
                gsize           length,
                GPtrArray      *anomalies)
{
  TlsDirection *d = direction (self, from_client);
  NtpacCursor c;

  ntpac_cursor_init (&c, payload, length, length);
  while (ntpac_cursor_remaining (&c) > 0 && !d->encrypted &&
         !d->handshake_off && !self->handshakes_off)
    {
      const guint8 *bytes;
      gsize body_len, k;

      if (d->drop > 0)
        {
          k = MIN (d->drop, ntpac_cursor_remaining (&c));
          if (!ntpac_cursor_skip (&c, k))
            g_assert_not_reached ();
          d->drop -= k;
          continue;
        }

      if (d->message == NULL)
        {
          NtpacCursor m = ntpac_cursor_rest (&c);
          guint8 type;
          guint32 len;
          const guint8 *body;

          if (ntpac_cursor_get_u8 (&m, &type) && ntpac_cursor_get_u24_be (&m, &len))
            {
              if (len > NTPAC_TLS_MAX_HANDSHAKE_SIZE - TLS_HANDSHAKE_HEADER_LEN)
                {
                  if (!ntpac_cursor_skip (&c, TLS_HANDSHAKE_HEADER_LEN))
                    g_assert_not_reached ();
                  drop_message (self, d, len, anomalies);
                  continue;
                }
              if (ntpac_cursor_get_bytes (&m, len, &body))
                {
                  if (!ntpac_cursor_skip (&c, TLS_HANDSHAKE_HEADER_LEN + len))
                    g_assert_not_reached ();
                  handle_message (self, from_client, type, body, len, anomalies);
                  continue;
                }
            }
          d->message = g_byte_array_new ();
        }

      if (d->message->len < TLS_HANDSHAKE_HEADER_LEN)
        {
          k = MIN (TLS_HANDSHAKE_HEADER_LEN - d->message->len,
                   ntpac_cursor_remaining (&c));
          if (!ntpac_cursor_get_bytes (&c, k, &bytes))
            g_assert_not_reached ();
          g_byte_array_append (d->message, bytes, k);
          if (d->message->len < TLS_HANDSHAKE_HEADER_LEN)
            continue;
          body_len = message_body_length (d->message);
          if (body_len > NTPAC_TLS_MAX_HANDSHAKE_SIZE - TLS_HANDSHAKE_HEADER_LEN)
            {
              drop_message (self, d, body_len, anomalies);
              continue;
            }
        }

      body_len = message_body_length (d->message);
      k = MIN (TLS_HANDSHAKE_HEADER_LEN + body_len - d->message->len,
               ntpac_cursor_remaining (&c));
      if (!ntpac_cursor_get_bytes (&c, k, &bytes))
        g_assert_not_reached ();
      g_byte_array_append (d->message, bytes, k);
      if (d->message->len == TLS_HANDSHAKE_HEADER_LEN + body_len)
        {
          g_autoptr(GByteArray) message = g_steal_pointer (&d->message);

          handle_message (self, from_client, message->data[0],
                          message->data + TLS_HANDSHAKE_HEADER_LEN, body_len,
                          anomalies);
        }
    }
}

/* ---- records ------------------------------------------------------------- */

static void
change_cipher_spec (NtpacTlsParser *self,
                    gboolean        from_client)
{
  TlsHandshake *hs = self->current;

  /* TLS 1.3 servers in middlebox compatibility mode send one after a
   * HelloRetryRequest; the ServerHello still follows in plaintext. */
  if (!from_client && hs != NULL && hs->hello_retry && !hs->have_server_hello)
    return;
  set_encrypted (self, from_client);
}

static void
process_record (NtpacTlsParser *self,
                gboolean        from_client,
                guint8          type,
                const guint8   *payload,
                gsize           length,
                GPtrArray      *anomalies)
{
  TlsDirection *d = direction (self, from_client);

  switch (type)
    {
    case TLS_CONTENT_CHANGE_CIPHER_SPEC:
      change_cipher_spec (self, from_client);
      break;

    case TLS_CONTENT_ALERT:
      {
        NtpacCursor c;
        guint8 level;

        /* A plaintext fatal alert ends the handshake; encrypted ones
         * cannot be read. */
        ntpac_cursor_init (&c, payload, length, length);
        if (!d->encrypted && length == 2 && ntpac_cursor_get_u8 (&c, &level) &&
            level == TLS_ALERT_FATAL)
          close_handshake (self);
        break;
      }

    case TLS_CONTENT_HANDSHAKE:
      if (!d->encrypted && !d->handshake_off)
        feed_handshake (self, from_client, payload, length, anomalies);
      break;

    case TLS_CONTENT_APPLICATION_DATA:
      set_encrypted (self, from_client);
      break;

    default:
      /* Heartbeat (RFC 6520): nothing to learn. */
      break;
    }
}

typedef enum
{
  HEADER_OK,
  HEADER_SHORT,
  HEADER_BAD,
} HeaderResult;

/* Checks the record header at @c without moving it; with fewer than five
 * bytes, checks those there are. */
static HeaderResult
read_record_header (const NtpacCursor *c,
                    guint8            *type,
                    gsize             *length)
{
  NtpacCursor h = ntpac_cursor_rest (c);
  guint8 t, major, minor;
  guint16 len;

  if (!ntpac_cursor_get_u8 (&h, &t))
    return HEADER_SHORT;
  if (t < TLS_CONTENT_CHANGE_CIPHER_SPEC || t > TLS_CONTENT_HEARTBEAT)
    return HEADER_BAD;
  if (!ntpac_cursor_get_u8 (&h, &major))
    return HEADER_SHORT;
  if (major != 3)
    return HEADER_BAD;
  if (!ntpac_cursor_get_u8 (&h, &minor))
    return HEADER_SHORT;
  if (minor > 4)
    return HEADER_BAD;
  if (!ntpac_cursor_get_u16_be (&h, &len))
    return HEADER_SHORT;
  if (len > NTPAC_TLS_MAX_RECORD_LENGTH)
    return HEADER_BAD;
  *type = t;
  *length = len;
  return HEADER_OK;
}

/* Notes the record an INCOMPLETE result waits for, and the handshake
 * message header at its start when it begins one. */
static void
remember_pending (TlsDirection      *d,
                  const NtpacCursor *c,
                  guint8             type,
                  gsize              length)
{
  NtpacCursor h = ntpac_cursor_rest (c);
  guint8 message_type;
  guint32 message_len;

  d->pending_known = TRUE;
  d->pending_type = type;
  d->pending_length = length;
  d->pending_message_known =
    type == TLS_CONTENT_HANDSHAKE && !d->encrypted && !d->handshake_off &&
    d->message == NULL && d->drop == 0 && length >= TLS_HANDSHAKE_HEADER_LEN &&
    ntpac_cursor_skip (&h, TLS_RECORD_HEADER_LEN) &&
    ntpac_cursor_get_u8 (&h, &message_type) &&
    ntpac_cursor_get_u24_be (&h, &message_len);
  if (d->pending_message_known)
    d->pending_message_length = TLS_HANDSHAKE_HEADER_LEN + (gsize) message_len;
}

/* An SSLv2-compatible ClientHello (RFC 5246 Appendix E.2), only as the
 * first bytes of the client direction. It gives the client's version;
 * JA3 and JA4 are defined over TLS ClientHellos only, and are left out. */
static NtpacTlsStatus
read_sslv2_client_hello (NtpacTlsParser *self,
                         NtpacCursor    *c,
                         gsize          *needed,
                         GPtrArray      *anomalies)
{
  NtpacCursor h = ntpac_cursor_rest (c), body;
  guint8 b0, b1, type;
  guint16 version, cipher_specs_len, session_id_len, challenge_len;
  gsize length;
  TlsHandshake *hs;

  if (!ntpac_cursor_get_u8 (&h, &b0) || !ntpac_cursor_get_u8 (&h, &b1))
    {
      *needed = 2;
      return NTPAC_TLS_STATUS_INCOMPLETE;
    }
  length = ((gsize) (b0 & 0x7f) << 8) | b1;
  if (length < SSLV2_CLIENT_HELLO_FIXED || length > NTPAC_TLS_MAX_RECORD_LENGTH)
    return NTPAC_TLS_STATUS_MALFORMED;
  if (!ntpac_cursor_get_sub (&h, length, &body))
    {
      *needed = 2 + length;
      return NTPAC_TLS_STATUS_INCOMPLETE;
    }
  if (!ntpac_cursor_get_u8 (&body, &type) || type != SSLV2_MSG_CLIENT_HELLO ||
      !ntpac_cursor_get_u16_be (&body, &version) ||
      (version != 0x0002 && (version >> 8) != 3) ||
      !ntpac_cursor_get_u16_be (&body, &cipher_specs_len) ||
      !ntpac_cursor_get_u16_be (&body, &session_id_len) ||
      !ntpac_cursor_get_u16_be (&body, &challenge_len) ||
      cipher_specs_len == 0 || cipher_specs_len % 3 != 0 ||
      (session_id_len != 0 && session_id_len != 16) ||
      challenge_len < 16 || challenge_len > 32 ||
      (gsize) cipher_specs_len + session_id_len + challenge_len !=
        ntpac_cursor_remaining (&body))
    return NTPAC_TLS_STATUS_MALFORMED;

  if (!ntpac_cursor_skip (c, 2 + length))
    g_assert_not_reached ();
  self->client.records++;
  /* The server may have spoken first (its flight seen before this hello):
   * a ClientHello always starts a handshake of its own. */
  close_handshake (self);
  hs = open_handshake (self, anomalies);
  if (hs != NULL)
    {
      hs->have_client_hello = TRUE;
      hs->client_version = version;
      hs->client_max_version = version;
    }
  return NTPAC_TLS_STATUS_OK;
}

/* Bytes that are not a record stream: the direction stops, and the
 * caller can drop all it holds. */
static NtpacTlsStatus
feed_malformed (NtpacTlsParser *self,
                gboolean        from_client,
                gsize           len,
                gsize          *consumed,
                GPtrArray      *anomalies)
{
  add_anomaly (anomalies, NTPAC_TLS_ANOMALY_MALFORMED_RECORD);
  stop_direction (self, from_client);
  check_ready (self);
  *consumed = len;
  return NTPAC_TLS_STATUS_MALFORMED;
}

/* ---- public API ---------------------------------------------------------- */

/**
 * ntpac_tls_parser_new:
 *
 * Creates the TLS state of one conversation.
 *
 * Returns: (transfer full): a parser, freed with ntpac_tls_parser_free()
 */
NtpacTlsParser *
ntpac_tls_parser_new (void)
{
  return ntpac_tls_parser_new_for (NTPAC_TLS_TRANSPORT_TCP);
}

/**
 * ntpac_tls_parser_new_for:
 * @transport: what carries the handshake: TLS records on TCP, DTLS, or
 *   QUIC CRYPTO frames
 *
 * Creates the TLS state of one conversation whose handshake messages are
 * carried by @transport. The transport sets the first character of JA4
 * (`t`, `d`, `q`) and, for DTLS, the ClientHello's cookie field. DTLS and
 * QUIC callers unframe the messages themselves and give them to
 * ntpac_tls_parser_feed_handshake().
 *
 * Returns: (transfer full): a parser, freed with ntpac_tls_parser_free()
 */
NtpacTlsParser *
ntpac_tls_parser_new_for (NtpacTlsTransport transport)
{
  NtpacTlsParser *self;

  g_return_val_if_fail (transport == NTPAC_TLS_TRANSPORT_TCP ||
                        transport == NTPAC_TLS_TRANSPORT_DTLS ||
                        transport == NTPAC_TLS_TRANSPORT_QUIC, NULL);

  self = g_new0 (NtpacTlsParser, 1);
  self->transport = transport;
  g_queue_init (&self->ready);
  return self;
}

/**
 * ntpac_tls_parser_feed_handshake:
 * @self: a parser
 * @from_client: which direction @data comes from
 * @data: (array length=len): handshake message bytes of that direction, in
 *   order, each message with its 4-byte TLS header (type, 24-bit length);
 *   a message may be cut anywhere between calls
 * @len: length of @data
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Parses a stream of handshake messages that came without the TLS record
 * layer: DTLS messages once reassembled (their header rewritten as TLS's),
 * the CRYPTO stream of QUIC Initial packets. Messages are reassembled as
 * those of TLS records are, with the same limits and anomalies. A
 * direction turned encrypted (ntpac_tls_parser_feed_record() with a
 * ChangeCipherSpec, or a TLS 1.3 ServerHello) ignores what follows.
 */
void
ntpac_tls_parser_feed_handshake (NtpacTlsParser *self,
                                 gboolean        from_client,
                                 const guint8   *data,
                                 gsize           len,
                                 GPtrArray      *anomalies)
{
  TlsDirection *d;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  d = direction (self, from_client);
  if (d->stopped || d->encrypted || d->handshake_off || len == 0)
    return;
  feed_handshake (self, from_client, data, len, anomalies);
  check_ready (self);
}

/**
 * ntpac_tls_parser_feed_record:
 * @self: a parser
 * @from_client: which direction the record comes from
 * @content_type: its TLS content type (20 ChangeCipherSpec, 21 alert,
 *   22 handshake, 23 application data)
 * @payload: (array length=len): the record's payload
 * @len: length of @payload
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Gives the parser one record whose framing the caller read (DTLS): a
 * ChangeCipherSpec or application data turns the direction encrypted, a
 * fatal alert ends the handshake, a handshake payload is read as
 * ntpac_tls_parser_feed_handshake() reads it.
 */
void
ntpac_tls_parser_feed_record (NtpacTlsParser *self,
                              gboolean        from_client,
                              guint8          content_type,
                              const guint8   *payload,
                              gsize           len,
                              GPtrArray      *anomalies)
{
  TlsDirection *d;

  g_return_if_fail (self != NULL);
  g_return_if_fail (payload != NULL || len == 0);

  d = direction (self, from_client);
  if (d->stopped)
    return;
  d->records++;
  process_record (self, from_client, content_type, payload, len, anomalies);
  check_ready (self);
}

/**
 * ntpac_tls_parser_lost:
 * @self: a parser
 * @from_client: which direction
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Says handshake bytes of a direction fed with
 * ntpac_tls_parser_feed_handshake() were lost and will not come: a
 * `tls.gap` anomaly, the handshake is incomplete, and a message held in
 * part is dropped. The caller goes on with whole messages.
 */
void
ntpac_tls_parser_lost (NtpacTlsParser *self,
                       gboolean        from_client,
                       GPtrArray      *anomalies)
{
  TlsDirection *d;

  g_return_if_fail (self != NULL);

  d = direction (self, from_client);
  if (d->stopped || d->encrypted || d->handshake_off)
    return;
  add_anomaly (anomalies, NTPAC_TLS_ANOMALY_GAP);
  mark_lost (self);
  release_message (d);
}

/**
 * ntpac_tls_parser_free:
 * @self: (transfer full) (nullable): a parser
 *
 * Frees the parser, with the records not taken.
 */
void
ntpac_tls_parser_free (NtpacTlsParser *self)
{
  if (self == NULL)
    return;
  release_message (&self->server);
  release_message (&self->client);
  handshake_free (self->current);
  g_queue_clear_full (&self->ready, (GDestroyNotify) handshake_free);
  g_free (self);
}

/**
 * ntpac_tls_parser_feed:
 * @self: a parser
 * @from_client: which direction @data comes from
 * @data: (array length=len): stream bytes of that direction, in order,
 *   starting where the previous call's @consumed ended
 * @len: length of @data
 * @consumed: (out): bytes of @data the parser is done with; the caller
 *   drops them and keeps the rest
 * @needed: (out): for %NTPAC_TLS_STATUS_INCOMPLETE, how many bytes from
 *   @data + @consumed make up the next record (5 while its header is not
 *   whole); else 0
 * @anomalies: (element-type utf8) (nullable): where to append the ids
 *   (static strings) of anomalies found
 *
 * Parses the whole records at the start of @data. A direction whose bytes
 * are not TLS records gives %NTPAC_TLS_STATUS_MALFORMED once, with a
 * `tls.malformed-record` anomaly; it is no longer parsed, and later calls
 * consume everything and return %NTPAC_TLS_STATUS_OK. The first bytes of
 * the client direction may also be an SSLv2-compatible ClientHello.
 *
 * Returns: %NTPAC_TLS_STATUS_OK when all of @data was consumed,
 *   %NTPAC_TLS_STATUS_INCOMPLETE when a partial record is left,
 *   %NTPAC_TLS_STATUS_MALFORMED as above
 */
NtpacTlsStatus
ntpac_tls_parser_feed (NtpacTlsParser *self,
                       gboolean        from_client,
                       const guint8   *data,
                       gsize           len,
                       gsize          *consumed,
                       gsize          *needed,
                       GPtrArray      *anomalies)
{
  TlsDirection *d;
  NtpacCursor c;

  g_return_val_if_fail (self != NULL, NTPAC_TLS_STATUS_MALFORMED);
  g_return_val_if_fail (data != NULL || len == 0, NTPAC_TLS_STATUS_MALFORMED);
  g_return_val_if_fail (consumed != NULL, NTPAC_TLS_STATUS_MALFORMED);
  g_return_val_if_fail (needed != NULL, NTPAC_TLS_STATUS_MALFORMED);

  d = direction (self, from_client);
  *consumed = 0;
  *needed = 0;
  d->pending_known = FALSE;
  if (d->stopped)
    {
      *consumed = len;
      return NTPAC_TLS_STATUS_OK;
    }

  ntpac_cursor_init (&c, data, len, NTPAC_CURSOR_OPEN_END);
  if (d->skip > 0)
    {
      gsize k = MIN (d->skip, len);

      if (!ntpac_cursor_skip (&c, k))
        g_assert_not_reached ();
      d->skip -= k;
    }

  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint8 type, first;
      gsize length;
      const guint8 *payload;

      if (from_client && d->records == 0 && ntpac_cursor_peek_u8 (&c, &first) &&
          (first & 0x80) != 0)
        {
          NtpacTlsStatus status = read_sslv2_client_hello (self, &c, needed,
                                                           anomalies);

          if (status == NTPAC_TLS_STATUS_MALFORMED)
            return feed_malformed (self, from_client, len, consumed, anomalies);
          if (status == NTPAC_TLS_STATUS_INCOMPLETE)
            {
              *consumed = ntpac_cursor_tell (&c);
              return status;
            }
          continue;
        }

      switch (read_record_header (&c, &type, &length))
        {
        case HEADER_BAD:
          return feed_malformed (self, from_client, len, consumed, anomalies);
        case HEADER_SHORT:
          *consumed = ntpac_cursor_tell (&c);
          *needed = TLS_RECORD_HEADER_LEN;
          return NTPAC_TLS_STATUS_INCOMPLETE;
        case HEADER_OK:
        default:
          break;
        }
      if (ntpac_cursor_remaining (&c) < TLS_RECORD_HEADER_LEN + length)
        {
          remember_pending (d, &c, type, length);
          *consumed = ntpac_cursor_tell (&c);
          *needed = TLS_RECORD_HEADER_LEN + length;
          return NTPAC_TLS_STATUS_INCOMPLETE;
        }
      if (!ntpac_cursor_skip (&c, TLS_RECORD_HEADER_LEN) ||
          !ntpac_cursor_get_bytes (&c, length, &payload))
        g_assert_not_reached ();
      d->records++;
      process_record (self, from_client, type, payload, length, anomalies);
      check_ready (self);
    }
  *consumed = len;
  return NTPAC_TLS_STATUS_OK;
}

/* After a damaged handshake record of @lost payload bytes: skips the rest
 * of the message the bytes belonged to when its end is known, else
 * stops handshake parsing in the direction. */
static void
handshake_lost (TlsDirection *d,
                gsize         lost)
{
  if (d->drop > 0)
    {
      if (lost <= d->drop)
        {
          d->drop -= lost;
          return;
        }
    }
  else if (d->message != NULL && d->message->len >= TLS_HANDSHAKE_HEADER_LEN)
    {
      gsize rest = TLS_HANDSHAKE_HEADER_LEN + message_body_length (d->message) -
                   d->message->len;

      if (lost <= rest)
        {
          g_clear_pointer (&d->message, g_byte_array_unref);
          d->drop = rest - lost;
          return;
        }
    }
  else if (d->message == NULL && d->pending_message_known)
    {
      if (lost <= d->pending_message_length)
        {
          d->drop = d->pending_message_length - lost;
          return;
        }
    }
  d->handshake_off = TRUE;
  release_message (d);
}

/**
 * ntpac_tls_parser_gap:
 * @self: a parser
 * @from_client: which direction lost bytes
 * @missing: how many bytes are missing between the end of the bytes
 *   consumed so far and the next byte that will be fed; bytes the caller
 *   held without their being consumed count, and must be dropped
 * @anomalies: (element-type utf8) (nullable): where to append anomaly ids
 *
 * Tells the parser bytes of a direction were lost. It never guesses where
 * records or messages resume:
 * - when the lost bytes start inside the record the last
 *   %NTPAC_TLS_STATUS_INCOMPLETE result waited for and end inside it,
 *   the rest of that record is skipped and parsing resumes at the next
 *   one; else the direction is no longer parsed;
 * - when that record held handshake bytes, the message they belonged to
 *   is dropped and handshake parsing resumes after it if its length is
 *   known and the record ended inside it; else handshake messages of
 *   that direction are no longer parsed (records still are).
 * Lost handshake bytes, or a stop before the direction was encrypted,
 * give a `tls.gap` anomaly and make the handshake incomplete.
 */
void
ntpac_tls_parser_gap (NtpacTlsParser *self,
                      gboolean        from_client,
                      gsize           missing,
                      GPtrArray      *anomalies)
{
  TlsDirection *d;
  gboolean plaintext;

  g_return_if_fail (self != NULL);

  d = direction (self, from_client);
  if (d->stopped || missing == 0)
    return;
  plaintext = !d->encrypted && !d->handshake_off && !self->handshakes_off;

  if (d->skip > 0)
    {
      /* Inside a record already damaged, and accounted for. */
      if (missing <= d->skip)
        {
          d->skip -= missing;
          return;
        }
    }
  else if (d->pending_known &&
           missing <= TLS_RECORD_HEADER_LEN + d->pending_length)
    {
      d->skip = TLS_RECORD_HEADER_LEN + d->pending_length - missing;
      d->pending_known = FALSE;
      d->records++;
      switch (d->pending_type)
        {
        case TLS_CONTENT_CHANGE_CIPHER_SPEC:
          change_cipher_spec (self, from_client);
          break;
        case TLS_CONTENT_APPLICATION_DATA:
          set_encrypted (self, from_client);
          break;
        case TLS_CONTENT_HANDSHAKE:
          if (plaintext)
            {
              add_anomaly (anomalies, NTPAC_TLS_ANOMALY_GAP);
              mark_lost (self);
              handshake_lost (d, d->pending_length);
            }
          break;
        default:
          break;
        }
      check_ready (self);
      return;
    }

  if (plaintext)
    add_anomaly (anomalies, NTPAC_TLS_ANOMALY_GAP);
  stop_direction (self, from_client);
  check_ready (self);
}

/**
 * ntpac_tls_parser_finish:
 * @self: a parser
 *
 * Ends the conversation: the open handshake becomes a record (incomplete
 * if a message of it was cut) and nothing more is parsed.
 */
void
ntpac_tls_parser_finish (NtpacTlsParser *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < 2; i++)
    {
      TlsDirection *d = direction (self, i == 1);

      if (d->message != NULL || d->drop > 0)
        mark_lost (self);
      release_message (d);
      d->stopped = TRUE;
    }
  close_handshake (self);
}

static GVariant *
handshake_to_variant (const TlsHandshake *hs)
{
  GVariantBuilder b, list;
  guint16 version = 0;
  gboolean complete;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (hs->have_server_hello)
    version = hs->server_version;
  else if (hs->have_client_hello)
    version = hs->client_max_version;
  if (hs->have_server_hello || hs->have_client_hello)
    g_variant_builder_add (&b, "{sv}", "version",
                           g_variant_new_take_string (version_name (version)));
  if (hs->sni != NULL)
    g_variant_builder_add (&b, "{sv}", "sni", g_variant_new_string (hs->sni));

  g_variant_builder_init (&list, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < hs->alpn->len; i++)
    g_variant_builder_add (&list, "s", (const gchar *) hs->alpn->pdata[i]);
  g_variant_builder_add (&b, "{sv}", "alpn", g_variant_builder_end (&list));

  if (hs->ja3 != NULL)
    {
      g_variant_builder_add (&b, "{sv}", "ja3", g_variant_new_string (hs->ja3));
      g_variant_builder_add (&b, "{sv}", "ja3_string",
                             g_variant_new_string (hs->ja3_string));
      g_variant_builder_add (&b, "{sv}", "ja4", g_variant_new_string (hs->ja4));
    }

  g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < hs->certificates->len; i++)
    g_variant_builder_add_value (&list, hs->certificates->pdata[i]);
  g_variant_builder_add (&b, "{sv}", "certificates", g_variant_builder_end (&list));
  if (hs->client_certificates->len > 0)
    {
      g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < hs->client_certificates->len; i++)
        g_variant_builder_add_value (&list, hs->client_certificates->pdata[i]);
      g_variant_builder_add (&b, "{sv}", "client_certificates", g_variant_builder_end (&list));
    }

  /* a HelloRetryRequest made the client say hello twice */
  if (hs->hello_retry)
    g_variant_builder_add (&b, "{sv}", "hello_retry", g_variant_new_boolean (TRUE));
  if (hs->hello_verify)
    g_variant_builder_add (&b, "{sv}", "hello_verify", g_variant_new_boolean (TRUE));

  if (hs->have_server_hello)
    g_variant_builder_add (&b, "{sv}", "cipher",
                           g_variant_new_take_string (g_strdup_printf ("0x%04x",
                                                                       hs->cipher)));

  /* Both hellos, the server's certificates unless TLS 1.3 hides them or
   * the server went on without any, and nothing lost. */
  complete = hs->have_client_hello && hs->have_server_hello && !hs->lost &&
             (hs->tls13 || hs->have_certificate || hs->server_flight_done ||
              hs->server_encrypted);
  g_variant_builder_add (&b, "{sv}", "complete", g_variant_new_boolean (complete));
  return g_variant_builder_end (&b);
}

/**
 * ntpac_tls_parser_take_record:
 * @self: a parser
 *
 * Takes the oldest finished handshake (see the top of
 * ntpac-tls-parser.c for when a handshake is finished) as an `a{sv}`:
 * - `version` (s): negotiated version ("TLS 1.2"), else the highest the
 *   client offered; absent when neither hello was seen
 * - `sni` (s): first host name of server_name; absent without one
 * - `alpn` (as): protocols the client offered, in order (at most 32)
 * - `ja3` (s), `ja3_string` (s), `ja4` (s): client fingerprints; absent
 *   without a (well-formed) TLS ClientHello
 * - `certificates` (aa{sv}): server chain as sent, leaf first, each as
 *   ntpac_tls_certificate_describe() gives it
 * - `client_certificates` (aa{sv}): the client's chain, when the server
 *   asked for client authentication (TLS 1.2 and earlier); absent without
 * - `hello_retry` (b): TRUE when the server sent a HelloRetryRequest and
 *   the client a second ClientHello (the fingerprints are the first's);
 *   absent without
 * - `hello_verify` (b): TRUE when a DTLS server sent a HelloVerifyRequest
 *   (the fingerprints are those of the first ClientHello); absent without
 * - `cipher` (s): cipher suite the server chose, "0xc02b"; absent
 *   without a ServerHello
 * - `complete` (b): both hellos and, before TLS 1.3, the server's
 *   Certificate (or its end of flight without one) were seen, and no
 *   handshake byte was lost
 *
 * Returns: (transfer floating) (nullable): the record, or %NULL when no
 *   handshake is finished
 */
GVariant *
ntpac_tls_parser_take_record (NtpacTlsParser *self)
{
  g_autoptr(TlsHandshake) hs = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  hs = g_queue_pop_head (&self->ready);
  if (hs == NULL)
    return NULL;
  return handshake_to_variant (hs);
}

/**
 * ntpac_tls_parser_is_done:
 * @self: a parser
 * @from_client: which direction
 *
 * Whether nothing more can be learnt from a direction (it is encrypted or
 * no longer parsed): a caller may stop buffering it. Feeding it remains
 * valid.
 *
 * Returns: %TRUE when the direction's bytes no longer matter
 */
gboolean
ntpac_tls_parser_is_done (NtpacTlsParser *self,
                          gboolean        from_client)
{
  TlsDirection *d;

  g_return_val_if_fail (self != NULL, TRUE);

  d = direction (self, from_client);
  return d->stopped || d->encrypted;
}

/* ---- X.509 ---------------------------------------------------------------- */

/* RFC 2253 / RFC 4514 one-line form, most specific RDN first, non-ASCII
 * kept as UTF-8 rather than escaped. */
static gchar *
name_to_string (const X509_NAME *name)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;

  if (bio == NULL || name == NULL ||
      X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return NULL;
  len = BIO_get_mem_data (bio, &data);
  if (len < 0)
    return NULL;
  return wire_string ((const guint8 *) data, len);
}

/* The serial as the certificate holds it: the content bytes of its DER
 * INTEGER in hex, a leading 00 included when DER needs one (as tshark
 * shows it); a serial a library would read as negative keeps its bytes. */
static gchar *
serial_to_string (const ASN1_INTEGER *serial)
{
  unsigned char *der = NULL;
  int len = serial != NULL ? i2d_ASN1_INTEGER (serial, &der) : -1;
  NtpacCursor c;
  guint8 tag, first;
  gsize content_len = 0;
  const guint8 *content;
  gchar *text;

  if (len <= 0)
    return NULL;
  ntpac_cursor_init (&c, der, len, len);
  /* tag, then a short or long-form length */
  if (!ntpac_cursor_get_u8 (&c, &tag) || !ntpac_cursor_get_u8 (&c, &first))
    {
      OPENSSL_free (der);
      return NULL;
    }
  if (first < 0x80)
    content_len = first;
  else if ((first & 0x7fu) > 4)
    {
      OPENSSL_free (der);
      return NULL;
    }
  else
    for (guint i = 0; i < (first & 0x7fu); i++)
      {
        guint8 b;

        if (!ntpac_cursor_get_u8 (&c, &b))
          {
            OPENSSL_free (der);
            return NULL;
          }
        content_len = (content_len << 8) | b;
      }
  if (!ntpac_cursor_get_bytes (&c, content_len, &content))
    {
      OPENSSL_free (der);
      return NULL;
    }
  text = g_new (gchar, 2 * content_len + 1);
  for (gsize i = 0; i < content_len; i++)
    g_snprintf (text + 2 * i, 3, "%02x", content[i]);
  text[2 * content_len] = '\0';
  OPENSSL_free (der);
  return text;
}

/* RFC 3339 in UTC; ASN1_TIME_to_tm() applies any offset. */
static gchar *
time_to_string (const ASN1_TIME *time)
{
  struct tm tm;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec);
}

/* DNS names and IP addresses of the subjectAltName extension. */
static GVariant *
san_to_variant (X509 *cert)
{
  GENERAL_NAMES *names = X509_get_ext_d2i (cert, NID_subject_alt_name, NULL, NULL);
  GVariantBuilder list;

  g_variant_builder_init (&list, G_VARIANT_TYPE_STRING_ARRAY);
  for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num (names); i++)
    {
      const GENERAL_NAME *name = sk_GENERAL_NAME_value (names, i);
      const ASN1_STRING *value;
      int len;

      if (name->type == GEN_DNS)
        {
          value = name->d.dNSName;
          len = ASN1_STRING_length (value);
          if (len >= 0)
            g_variant_builder_add_value (&list,
              g_variant_new_take_string (wire_string (ASN1_STRING_get0_data (value),
                                                      len)));
        }
      else if (name->type == GEN_IPADD)
        {
          char text[INET6_ADDRSTRLEN];

          value = name->d.iPAddress;
          len = ASN1_STRING_length (value);
          if ((len == 4 || len == 16) &&
              inet_ntop (len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data (value),
                         text, sizeof text) != NULL)
            g_variant_builder_add (&list, "s", text);
        }
    }
  GENERAL_NAMES_free (names);
  return g_variant_builder_end (&list);
}

static void
add_string (GVariantBuilder *b,
            const gchar     *key,
            gchar           *value)
{
  if (value != NULL)
    g_variant_builder_add (b, "{sv}", key, g_variant_new_take_string (value));
}

/**
 * ntpac_tls_certificate_describe:
 * @der: (array length=len): bytes that should be one DER certificate
 * @len: length of @der
 * @parsed: (out) (optional): whether OpenSSL parsed them as exactly one
 *   certificate
 *
 * Describes a certificate as an `a{sv}`: `subject` and `issuer` (s,
 * RFC 4514 one-line form), `serial` (s, lower-case hex), `not_before` and
 * `not_after` (s, RFC 3339 UTC), `san` (as, DNS names and IP addresses)
 * and `sha256` (s, of @der, lower-case hex). Bytes OpenSSL cannot parse,
 * or followed by others, give `sha256` only; a field OpenSSL cannot
 * decode is left out.
 *
 * Returns: (transfer floating): the description
 */
GVariant *
ntpac_tls_certificate_describe (const guint8 *der,
                                gsize         len,
                                gboolean     *parsed)
{
  GVariantBuilder b;
  g_autoptr(X509) cert = NULL;
  const unsigned char *p = der;
  gchar *sha256;

  g_return_val_if_fail (der != NULL || len == 0, NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (len > 0 && len <= G_MAXLONG)
    cert = d2i_X509 (NULL, &p, (long) len);
  if (cert != NULL && p != der + len)
    g_clear_pointer (&cert, X509_free);
  if (cert != NULL)
    {
      add_string (&b, "subject", name_to_string (X509_get_subject_name (cert)));
      add_string (&b, "issuer", name_to_string (X509_get_issuer_name (cert)));
      add_string (&b, "serial", serial_to_string (X509_get0_serialNumber (cert)));
      add_string (&b, "not_before", time_to_string (X509_get0_notBefore (cert)));
      add_string (&b, "not_after", time_to_string (X509_get0_notAfter (cert)));
      g_variant_builder_add (&b, "{sv}", "san", san_to_variant (cert));
    }
  /* Failed decodes leave errors in this thread's queue. */
  ERR_clear_error ();

  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, len);
  add_string (&b, "sha256", sha256);
  if (parsed != NULL)
    *parsed = cert != NULL;
  return g_variant_builder_end (&b);
}

/* ---- probe --------------------------------------------------------------- */

/* An SSLv2-compatible ClientHello (RFC 5246 Appendix E.2): two-byte
 * header with the top bit set, CLIENT-HELLO, lengths that add up. */
static gboolean
probe_sslv2 (NtpacCursor *c)
{
  guint8 b0, b1, type;
  guint16 version, cipher_specs_len, session_id_len, challenge_len;

  if (!ntpac_cursor_get_u8 (c, &b0) || !ntpac_cursor_get_u8 (c, &b1) ||
      !ntpac_cursor_get_u8 (c, &type) || type != SSLV2_MSG_CLIENT_HELLO ||
      !ntpac_cursor_get_u16_be (c, &version) ||
      (version != 0x0002 && (version >> 8) != 3) ||
      !ntpac_cursor_get_u16_be (c, &cipher_specs_len) ||
      !ntpac_cursor_get_u16_be (c, &session_id_len) ||
      !ntpac_cursor_get_u16_be (c, &challenge_len))
    return FALSE;
  return cipher_specs_len > 0 && cipher_specs_len % 3 == 0 &&
         (session_id_len == 0 || session_id_len == 16) &&
         challenge_len >= 16 && challenge_len <= 32 &&
         (((gsize) (b0 & 0x7f) << 8) | b1) ==
           (gsize) SSLV2_CLIENT_HELLO_FIXED + cipher_specs_len + session_id_len +
           challenge_len;
}

/**
 * ntpac_tls_probe:
 * @data: (array length=len): the first bytes a client sent
 * @len: length of @data
 *
 * Cheap heuristic, without allocation: do @data start a TLS client
 * stream? Accepts a handshake record (SSL 3.0 to TLS 1.3 record versions)
 * whose first message is a ClientHello of plausible length and version,
 * and an SSLv2-compatible ClientHello. Needs the first 11 bytes (15 for
 * SSLv2), and uses the session id length if it was captured.
 *
 * Returns: %TRUE when @data look like the start of a TLS client stream
 */
gboolean
ntpac_tls_probe (const guint8 *data,
                 gsize         len)
{
  NtpacCursor c;
  guint8 type, major, minor, message_type, session_id_len;
  guint16 record_len;
  guint32 message_len;
  guint16 version;

  if (data == NULL)
    return FALSE;
  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_peek_u8 (&c, &type))
    return FALSE;
  if ((type & 0x80) != 0)
    return probe_sslv2 (&c);

  if (!ntpac_cursor_get_u8 (&c, &type) || type != TLS_CONTENT_HANDSHAKE ||
      !ntpac_cursor_get_u8 (&c, &major) || major != 3 ||
      !ntpac_cursor_get_u8 (&c, &minor) || minor > 4 ||
      !ntpac_cursor_get_u16_be (&c, &record_len) ||
      record_len < TLS_HANDSHAKE_HEADER_LEN || record_len > TLS_MAX_PLAINTEXT ||
      !ntpac_cursor_get_u8 (&c, &message_type) ||
      message_type != TLS_HANDSHAKE_CLIENT_HELLO ||
      !ntpac_cursor_get_u24_be (&c, &message_len) ||
      message_len < TLS_MIN_CLIENT_HELLO ||
      message_len > NTPAC_TLS_MAX_HANDSHAKE_SIZE - TLS_HANDSHAKE_HEADER_LEN ||
      !ntpac_cursor_get_u16_be (&c, &version) ||
      (version >> 8) != 3 || (version & 0xff) > 4)
    return FALSE;
  /* The session id length, when it was captured. */
  if (ntpac_cursor_skip (&c, TLS_RANDOM_LEN) &&
      ntpac_cursor_get_u8 (&c, &session_id_len) &&
      session_id_len > TLS_MAX_SESSION_ID_LEN)
    return FALSE;
  return TRUE;
}
