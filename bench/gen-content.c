/* gen-content.c: content precomputed once per run and shared by all flows
 *
 * Bodies are text in the shape of their type (so that gzip finds what it
 * finds in real pages), compressed once with zlib. Certificates are real
 * X.509v3 (RFC 5280) Ed25519 chains (RFC 8410) whose keys and serials are
 * derived from the seed; Ed25519 signatures are deterministic, so the DER is
 * the same for the same seed.
 */

#include "gen-content.h"

#include <math.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "ntpac-traffic-gen.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)

#define N_BODIES 48
#define MIN_BODY_SIZE 200
#define MAX_BODY_SIZE (256 * 1024)
#define RANDOM_POOL_SIZE (8 * 1024 * 1024)

#define ORGANIZATION "Example Org"

/* Leaf validity as the truth prints it; the CA validities are wider. */
#define LEAF_NOT_BEFORE G_GINT64_CONSTANT (1704067200)        /* 2024-01-01 */
#define LEAF_NOT_AFTER G_GINT64_CONSTANT (1767225600)         /* 2026-01-01 */
#define INTERMEDIATE_NOT_BEFORE G_GINT64_CONSTANT (1672531200) /* 2023-01-01 */
#define INTERMEDIATE_NOT_AFTER G_GINT64_CONSTANT (1988150400)  /* 2033-01-01 */
#define ROOT_NOT_BEFORE G_GINT64_CONSTANT (1577836800)        /* 2020-01-01 */
#define ROOT_NOT_AFTER G_GINT64_CONSTANT (2208988800)         /* 2040-01-01 */

static const gchar *const words[] = {
  "network", "packet", "stream", "server", "client", "capture", "engine",
  "protocol", "ticket", "request", "response", "header", "payload",
  "segment", "window", "archive", "report", "account", "profile", "search",
  "update", "release", "market", "weather", "travel", "garden", "library",
  "history", "science", "music", "video", "photo", "camera", "mobile",
  "design", "system", "storage", "cluster", "metric", "signal", "channel",
  "orange", "silver", "rapid", "quiet", "bright", "simple", "modern",
  "global", "local", "secure", "public", "private", "daily", "weekly",
  "the", "and", "with", "from", "into", "over", "under", "about", "after",
};

const gchar *
gen_pool_random_word (GRand *rand)
{
  return words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
}

static void
append_sentence (GString *out,
                 GRand   *rand)
{
  guint n_words = g_rand_int_range (rand, 5, 16);

  for (guint i = 0; i < n_words; i++)
    {
      const gchar *word = gen_pool_random_word (rand);

      if (i == 0)
        {
          g_string_append_c (out, g_ascii_toupper (word[0]));
          g_string_append (out, word + 1);
        }
      else
        {
          g_string_append_c (out, ' ');
          g_string_append (out, word);
        }
    }
  g_string_append_c (out, '.');
}

static void
write_html (GString *out,
            GRand   *rand,
            gsize    target)
{
  g_string_append_printf (out,
                          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                          "<meta charset=\"utf-8\">\n<title>%s %s</title>\n"
                          "<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
                          "</head>\n<body>\n",
                          gen_pool_random_word (rand),
                          gen_pool_random_word (rand));
  while (out->len < target)
    {
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          g_string_append_printf (out, "<h2>%s %s</h2>\n",
                                  gen_pool_random_word (rand),
                                  gen_pool_random_word (rand));
          break;
        case 1:
          g_string_append_printf (out,
                                  "<li><a href=\"/%s/%s.html\">%s</a></li>\n",
                                  gen_pool_random_word (rand),
                                  gen_pool_random_word (rand),
                                  gen_pool_random_word (rand));
          break;
        default:
          g_string_append (out, "<p>");
          append_sentence (out, rand);
          g_string_append_c (out, ' ');
          append_sentence (out, rand);
          g_string_append (out, "</p>\n");
          break;
        }
    }
  g_string_append (out, "</body>\n</html>\n");
}

static void
write_json (GString *out,
            GRand   *rand,
            gsize    target)
{
  guint id = g_rand_int_range (rand, 1, 100000);

  g_string_append (out, "{\"items\":[");
  while (out->len < target)
    {
      g_string_append_printf (out,
                              "{\"id\":%u,\"name\":\"%s %s\",\"active\":%s,"
                              "\"score\":%u.%02u,\"tags\":[\"%s\",\"%s\"]},",
                              id++, gen_pool_random_word (rand),
                              gen_pool_random_word (rand),
                              g_rand_boolean (rand) ? "true" : "false",
                              g_rand_int_range (rand, 0, 1000),
                              g_rand_int_range (rand, 0, 100),
                              gen_pool_random_word (rand),
                              gen_pool_random_word (rand));
    }
  g_string_truncate (out, out->len - 1);
  g_string_append_printf (out, "],\"count\":%u}\n", id);
}

static void
write_css (GString *out,
           GRand   *rand,
           gsize    target)
{
  while (out->len < target)
    g_string_append_printf (out,
                            ".%s-%s {\n  color: #%06x;\n  margin: %upx %upx;\n"
                            "  font-size: %u%%;\n}\n",
                            gen_pool_random_word (rand),
                            gen_pool_random_word (rand),
                            g_rand_int_range (rand, 0, 0x1000000),
                            g_rand_int_range (rand, 0, 40),
                            g_rand_int_range (rand, 0, 40),
                            g_rand_int_range (rand, 60, 200));
}

static void
write_javascript (GString *out,
                  GRand   *rand,
                  gsize    target)
{
  g_string_append (out, "\"use strict\";\n");
  while (out->len < target)
    g_string_append_printf (out,
                            "function %s_%s(a, b) {\n  const %s = a * %u + b;\n"
                            "  return %s > %u ? \"%s\" : \"%s\";\n}\n",
                            gen_pool_random_word (rand),
                            gen_pool_random_word (rand),
                            "value", g_rand_int_range (rand, 1, 100), "value",
                            g_rand_int_range (rand, 1, 1000),
                            gen_pool_random_word (rand),
                            gen_pool_random_word (rand));
}

static void
write_plain (GString *out,
             GRand   *rand,
             gsize    target)
{
  while (out->len < target)
    {
      append_sentence (out, rand);
      g_string_append_c (out, '\n');
    }
}

static void
append_png_chunk (GString      *out,
                  const gchar  *type,
                  const guint8 *data,
                  gsize         len)
{
  guint8 header[8] = { len >> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff };
  gulong crc;
  guint8 trailer[4];

  memcpy (header + 4, type, 4);
  crc = crc32 (crc32 (0, header + 4, 4), data, len);
  trailer[0] = crc >> 24;
  trailer[1] = (crc >> 16) & 0xff;
  trailer[2] = (crc >> 8) & 0xff;
  trailer[3] = crc & 0xff;
  g_string_append_len (out, (const gchar *) header, sizeof header);
  g_string_append_len (out, (const gchar *) data, len);
  g_string_append_len (out, (const gchar *) trailer, sizeof trailer);
}

/* A PNG of noise: well-formed chunks (so that decoders accept the file)
 * around incompressible image data. */
static void
write_png (GString *out,
           GRand   *rand,
           gsize    target)
{
  static const gchar signature[8] = "\x89PNG\r\n\x1a\n";
  /* 256 × 256, 8-bit RGB, deflate, no interlace */
  static const guint8 ihdr[13] = { 0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0 };
  guint8 idat[8192];

  g_string_append_len (out, signature, sizeof signature);
  append_png_chunk (out, "IHDR", ihdr, sizeof ihdr);
  while (out->len < target)
    {
      gsize len = MIN (sizeof idat, target - out->len);

      for (gsize i = 0; i < len; i++)
        idat[i] = g_rand_int (rand);
      append_png_chunk (out, "IDAT", idat, len);
    }
  append_png_chunk (out, "IEND", NULL, 0);
}

typedef void (*BodyWriter) (GString *out,
                            GRand   *rand,
                            gsize    target);

static const struct
{
  const gchar *content_type;
  const gchar *extension;
  gboolean compressible;
  BodyWriter write;
} body_kinds[] = {
  { "text/html", "html", TRUE, write_html },
  { "application/json", "json", TRUE, write_json },
  { "text/css", "css", TRUE, write_css },
  { "application/javascript", "js", TRUE, write_javascript },
  { "text/plain", "txt", TRUE, write_plain },
  { "image/png", "png", FALSE, write_png },
};

static const struct
{
  const gchar *content_type;
  const gchar *stem;
  const gchar *extension;
} bulk_kinds[] = {
  { "application/octet-stream", "image", "iso" },
  { "application/zip", "archive", "zip" },
  { "video/mp4", "movie", "mp4" },
};

static guint8 *
gzip_compress (const guint8 *data,
               gsize         len,
               gsize        *out_len)
{
  z_stream zs = { 0 };
  guint8 *out;
  gsize bound;

  /* windowBits 15 + 16: gzip wrapper, with mtime 0 so output is stable. */
  if (deflateInit2 (&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    g_error ("deflateInit2 failed");
  bound = deflateBound (&zs, len);
  out = g_malloc (bound);
  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  zs.next_out = out;
  zs.avail_out = bound;
  if (deflate (&zs, Z_FINISH) != Z_STREAM_END)
    g_error ("deflate did not finish");
  *out_len = zs.total_out;
  deflateEnd (&zs);
  return g_realloc (out, *out_len);
}

static void
body_free (gpointer data)
{
  GenBody *body = data;

  g_free ((guint8 *) body->raw);
  g_free (body->gzip);
  g_free (body->file_name);
  g_free (body);
}

/* Bulk bodies point into the random pool, which they do not own. */
static void
bulk_body_free (gpointer data)
{
  GenBody *body = data;

  g_free (body->file_name);
  g_free (body);
}

static GenBody *
make_body (GRand *rand,
           guint  index)
{
  guint kind = index % G_N_ELEMENTS (body_kinds);
  /* Sizes spread evenly on a log scale, as web objects are. */
  gsize target = exp (g_rand_double_range (rand, log (MIN_BODY_SIZE),
                                           log (MAX_BODY_SIZE)));
  g_autoptr(GString) text = g_string_sized_new (target + 256);
  GenBody *body = g_new0 (GenBody, 1);

  body_kinds[kind].write (text, rand, target);
  body->content_type = body_kinds[kind].content_type;
  body->raw_len = text->len;
  body->raw = (const guint8 *) g_string_free (g_steal_pointer (&text), FALSE);
  gen_sha256_hex (body->raw, body->raw_len, body->sha256);
  if (body_kinds[kind].compressible)
    body->gzip = gzip_compress (body->raw, body->raw_len, &body->gzip_len);
  body->file_name = g_strdup_printf ("%s-%u.%s", gen_pool_random_word (rand),
                                     index,
                                     body_kinds[kind].extension);
  return body;
}

static void
fill_random (guint8 *out,
             gsize   len,
             GRand  *rand)
{
  for (gsize i = 0; i + 4 <= len; i += 4)
    {
      guint32 word = g_rand_int (rand);

      memcpy (out + i, &word, 4);
    }
  for (gsize i = len / 4 * 4; i < len; i++)
    out[i] = g_rand_int (rand);
}

static gint
compare_body_size (gconstpointer a,
                   gconstpointer b)
{
  const GenBody *x = *(const GenBody *const *) a;
  const GenBody *y = *(const GenBody *const *) b;

  return (x->raw_len > y->raw_len) - (x->raw_len < y->raw_len);
}

/* Bulk bodies are prefixes of the random pool: one pass of SHA-256 over the
 * pool yields every digest, by copying the context at each body's end. */
static void
make_bulk_bodies (GenPool *pool,
                  GRand   *rand)
{
  static const gsize sizes_kib[] = { 256, 512, 1024, 2048, 3072, 4096, 6144, 8192 };
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  gsize hashed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sizes_kib); i++)
    {
      GenBody *body = g_new0 (GenBody, 1);
      guint kind = i % G_N_ELEMENTS (bulk_kinds);

      body->content_type = bulk_kinds[kind].content_type;
      body->raw = pool->random;
      body->raw_len = sizes_kib[i] * 1024 - g_rand_int_range (rand, 0, 4096);
      body->file_name = g_strdup_printf ("%s-%u.%s", bulk_kinds[kind].stem, i,
                                         bulk_kinds[kind].extension);
      g_ptr_array_add (pool->bulk_bodies, body);
    }
  g_ptr_array_sort (pool->bulk_bodies, compare_body_size);

  EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
  for (guint i = 0; i < pool->bulk_bodies->len; i++)
    {
      GenBody *body = pool->bulk_bodies->pdata[i];
      g_autoptr(EVP_MD_CTX) copy = EVP_MD_CTX_new ();

      EVP_DigestUpdate (ctx, pool->random + hashed, body->raw_len - hashed);
      hashed = body->raw_len;
      EVP_MD_CTX_copy_ex (copy, ctx);
      gen_sha256_ctx_hex (copy, body->sha256);
    }
}

/* Certificates */

static void
set_openssl_error (GError      **error,
                   const gchar  *what)
{
  gchar detail[256];

  ERR_error_string_n (ERR_get_error (), detail, sizeof detail);
  g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR, NTPAC_TRAFFIC_GEN_ERROR_FAILED,
               "%s failed: %s", what, detail);
}

static EVP_PKEY *
derive_key (guint64       seed,
            const gchar  *label,
            GError      **error)
{
  guint8 secret[32];
  EVP_PKEY *key;

  gen_derive_bytes (seed, "ed25519-key", label, secret);
  key = EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, secret,
                                      sizeof secret);
  if (key == NULL)
    set_openssl_error (error, "Ed25519 key derivation");
  return key;
}

static gboolean
add_extension (X509        *cert,
               X509V3_CTX  *ctx,
               int          nid,
               const gchar *value,
               GError     **error)
{
  X509_EXTENSION *ext = X509V3_EXT_conf_nid (NULL, ctx, nid, value);
  gboolean ok = ext != NULL && X509_add_ext (cert, ext, -1);

  X509_EXTENSION_free (ext);
  if (!ok)
    set_openssl_error (error, "Adding a certificate extension");
  return ok;
}

typedef struct
{
  const gchar *common_name;
  const gchar *label;        /* for the derived serial */
  gint64 not_before;
  gint64 not_after;
  const gchar *basic_constraints;
  const gchar *key_usage;
  const gchar *subject_alt_name;  /* NULL for CAs */
} CertSpec;

/* Makes a certificate for @key, signed by @issuer_key; @issuer NULL means
 * self-signed. */
static X509 *
make_certificate (const CertSpec  *spec,
                  guint64          seed,
                  EVP_PKEY        *key,
                  X509            *issuer,
                  EVP_PKEY        *issuer_key,
                  GError         **error)
{
  g_autoptr(X509) cert = X509_new ();
  g_autoptr(BIGNUM) serial = NULL;
  guint8 serial_bytes[32];
  X509_NAME *subject;
  X509V3_CTX ctx;

  /* 16 bytes, positive, with a non-zero first byte (RFC 5280 §4.1.2.2). */
  gen_derive_bytes (seed, "serial", spec->label, serial_bytes);
  serial_bytes[0] = (serial_bytes[0] & 0x7f) | 0x10;
  serial = BN_bin2bn (serial_bytes, 16, NULL);

  subject = X509_get_subject_name (cert);
  if (!X509_set_version (cert, 2) ||
      BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) == NULL ||
      !X509_NAME_add_entry_by_txt (subject, "O", MBSTRING_UTF8,
                                   (const guchar *) ORGANIZATION, -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt (subject, "CN", MBSTRING_UTF8,
                                   (const guchar *) spec->common_name, -1, -1,
                                   0) ||
      !X509_set_issuer_name (cert,
                             issuer != NULL ? X509_get_subject_name (issuer) : subject) ||
      ASN1_TIME_set (X509_getm_notBefore (cert), spec->not_before) == NULL ||
      ASN1_TIME_set (X509_getm_notAfter (cert), spec->not_after) == NULL ||
      !X509_set_pubkey (cert, key))
    {
      set_openssl_error (error, "Filling a certificate");
      return NULL;
    }

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
  if (!add_extension (cert, &ctx, NID_basic_constraints,
                      spec->basic_constraints, error) ||
      !add_extension (cert, &ctx, NID_key_usage, spec->key_usage, error) ||
      !add_extension (cert, &ctx, NID_subject_key_identifier, "hash", error))
    return NULL;
  if (issuer != NULL &&
      !add_extension (cert, &ctx, NID_authority_key_identifier, "keyid:always",
                      error))
    return NULL;
  if (spec->subject_alt_name != NULL &&
      (!add_extension (cert, &ctx, NID_ext_key_usage, "serverAuth,clientAuth",
                       error) ||
       !add_extension (cert, &ctx, NID_subject_alt_name, spec->subject_alt_name,
                       error)))
    return NULL;

  /* Ed25519 takes no separate digest. */
  if (X509_sign (cert, issuer_key, NULL) <= 0)
    {
      set_openssl_error (error, "Signing a certificate");
      return NULL;
    }
  return g_steal_pointer (&cert);
}

static GBytes *
certificate_der (X509 *cert)
{
  guint8 *der = NULL;
  int len = i2d_X509 (cert, &der);
  GBytes *bytes;

  g_assert (len > 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

static gchar *
name_rfc2253 (const X509_NAME *name)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  gchar *data;
  long len;

  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253);
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, len);
}

static gchar *
serial_hex (X509 *cert)
{
  g_autoptr(BIGNUM) serial =
    ASN1_INTEGER_to_BN (X509_get0_serialNumber (cert), NULL);
  char *hex = BN_bn2hex (serial);
  gchar *lower = g_ascii_strdown (hex, -1);

  OPENSSL_free (hex);
  return lower;
}

/* One element of the truth "certificates" array. */
static void
append_certificate_json (GString            *out,
                         X509               *cert,
                         GBytes             *der,
                         const gchar *const *sans,
                         gint64              not_before,
                         gint64              not_after)
{
  g_autofree gchar *subject = name_rfc2253 (X509_get_subject_name (cert));
  g_autofree gchar *issuer = name_rfc2253 (X509_get_issuer_name (cert));
  g_autofree gchar *serial = serial_hex (cert);
  gchar digest[GEN_SHA256_HEX_LEN + 1];
  gchar time_text[32];
  gsize der_len;
  const guint8 *der_data = g_bytes_get_data (der, &der_len);

  gen_sha256_hex (der_data, der_len, digest);
  g_string_append (out, "{\"subject\":");
  gen_json_append_string (out, subject);
  g_string_append (out, ",\"issuer\":");
  gen_json_append_string (out, issuer);
  g_string_append_printf (out, ",\"serial\":\"%s\"", serial);
  gen_format_utc (not_before, "%Y-%m-%dT%H:%M:%SZ", time_text,
                  sizeof time_text);
  g_string_append_printf (out, ",\"not_before\":\"%s\"", time_text);
  gen_format_utc (not_after, "%Y-%m-%dT%H:%M:%SZ", time_text, sizeof time_text);
  g_string_append_printf (out, ",\"not_after\":\"%s\",\"san\":[", time_text);
  for (guint i = 0; sans != NULL && sans[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      gen_json_append_string (out, sans[i]);
    }
  g_string_append_printf (out, "],\"sha256\":\"%s\"}", digest);
}

static void
cert_chain_free (gpointer data)
{
  GenCertChain *chain = data;

  g_free (chain->server_name);
  g_bytes_unref (chain->leaf_der);
  g_bytes_unref (chain->intermediate_der);
  g_free (chain->certificates_json);
  g_free (chain);
}

static GenCertChain *
make_chain (const gchar  *server_name,
            guint64       seed,
            X509         *intermediate,
            EVP_PKEY     *intermediate_key,
            GBytes       *intermediate_der,
            GError      **error)
{
  /* SANs: the name and its parent domain. */
  const gchar *parent = strchr (server_name, '.');
  const gchar *const sans[] = { server_name, parent != NULL ? parent + 1 : NULL, NULL };
  g_autofree gchar *san_text = parent != NULL ?
    g_strdup_printf ("DNS:%s,DNS:%s", server_name, parent + 1) :
    g_strdup_printf ("DNS:%s", server_name);
  g_autofree gchar *label = g_strdup_printf ("leaf/%s", server_name);
  const CertSpec spec = {
    server_name, label, LEAF_NOT_BEFORE, LEAF_NOT_AFTER,
    "critical,CA:FALSE", "critical,digitalSignature", san_text,
  };
  g_autoptr(EVP_PKEY) key = derive_key (seed, label, error);
  g_autoptr(X509) leaf = NULL;
  g_autoptr(GString) json = g_string_new ("[");
  GenCertChain *chain;

  if (key == NULL)
    return NULL;
  leaf = make_certificate (&spec, seed, key, intermediate, intermediate_key,
                           error);
  if (leaf == NULL)
    return NULL;

  chain = g_new0 (GenCertChain, 1);
  chain->server_name = g_strdup (server_name);
  chain->leaf_der = certificate_der (leaf);
  chain->intermediate_der = g_bytes_ref (intermediate_der);
  append_certificate_json (json, leaf, chain->leaf_der, sans, LEAF_NOT_BEFORE,
                           LEAF_NOT_AFTER);
  g_string_append_c (json, ',');
  append_certificate_json (json, intermediate, intermediate_der, NULL,
                           INTERMEDIATE_NOT_BEFORE, INTERMEDIATE_NOT_AFTER);
  g_string_append_c (json, ']');
  chain->certificates_json = g_string_free (g_steal_pointer (&json), FALSE);
  return chain;
}

static gboolean
make_chains (GenPool             *pool,
             guint64              seed,
             const gchar *const  *server_names,
             guint                n_server_names,
             GError             **error)
{
  const CertSpec root_spec = {
    "Example Root CA", "root", ROOT_NOT_BEFORE, ROOT_NOT_AFTER,
    "critical,CA:TRUE", "critical,keyCertSign,cRLSign", NULL,
  };
  const CertSpec intermediate_spec = {
    "Example Intermediate CA", "intermediate", INTERMEDIATE_NOT_BEFORE,
    INTERMEDIATE_NOT_AFTER,
    "critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign", NULL,
  };
  g_autoptr(EVP_PKEY) root_key = derive_key (seed, "root", error);
  g_autoptr(EVP_PKEY) intermediate_key = NULL;
  g_autoptr(X509) root = NULL;
  g_autoptr(X509) intermediate = NULL;
  g_autoptr(GBytes) intermediate_der = NULL;

  if (root_key == NULL)
    return FALSE;
  intermediate_key = derive_key (seed, "intermediate", error);
  if (intermediate_key == NULL)
    return FALSE;
  root = make_certificate (&root_spec, seed, root_key, NULL, root_key, error);
  if (root == NULL)
    return FALSE;
  intermediate = make_certificate (&intermediate_spec, seed, intermediate_key,
                                   root, root_key, error);
  if (intermediate == NULL)
    return FALSE;
  intermediate_der = certificate_der (intermediate);

  for (guint i = 0; i < n_server_names; i++)
    {
      GenCertChain *chain = make_chain (server_names[i], seed, intermediate,
                                        intermediate_key,
                                        intermediate_der, error);

      if (chain == NULL)
        return FALSE;
      g_ptr_array_add (pool->chains, chain);
    }
  return TRUE;
}

/**
 * gen_pool_new:
 * @rand: random source, advanced deterministically
 * @seed: generator seed, for the certificate keys and serials
 * @server_names: (array length=n_server_names): TLS server names
 * @n_server_names: number of names
 * @error: return location for a #GError
 *
 * Builds every shared object of a run: about 3 MiB of bodies with their
 * gzip forms, 8 MiB of random bytes with bulk bodies as its prefixes, and
 * one certificate chain per server name.
 *
 * Returns: (transfer full) (nullable): the pool, or %NULL with @error set
 */
GenPool *
gen_pool_new (GRand               *rand,
              guint64              seed,
              const gchar *const  *server_names,
              guint                n_server_names,
              GError             **error)
{
  g_autoptr(GenPool) pool = g_new0 (GenPool, 1);

  pool->bodies = g_ptr_array_new_with_free_func (body_free);
  pool->bulk_bodies = g_ptr_array_new_with_free_func (bulk_body_free);
  pool->chains = g_ptr_array_new_with_free_func (cert_chain_free);

  for (guint i = 0; i < N_BODIES; i++)
    g_ptr_array_add (pool->bodies, make_body (rand, i));

  pool->random_len = RANDOM_POOL_SIZE;
  pool->random = g_malloc (pool->random_len);
  fill_random (pool->random, pool->random_len, rand);
  make_bulk_bodies (pool, rand);

  if (!make_chains (pool, seed, server_names, n_server_names, error))
    return NULL;
  return g_steal_pointer (&pool);
}

/**
 * gen_pool_free:
 * @pool: (transfer full) (nullable): a pool
 *
 * Frees the pool.
 */
void
gen_pool_free (GenPool *pool)
{
  if (pool == NULL)
    return;

  g_clear_pointer (&pool->bodies, g_ptr_array_unref);
  g_clear_pointer (&pool->bulk_bodies, g_ptr_array_unref);
  g_clear_pointer (&pool->chains, g_ptr_array_unref);
  g_free (pool->random);
  g_free (pool);
}

/**
 * gen_pool_random_bytes:
 * @pool: a pool
 * @rand: random source
 * @len: number of bytes, at most the pool size
 *
 * Returns: (transfer none): @len opaque bytes from a random place
 */
const guint8 *
gen_pool_random_bytes (GenPool *pool,
                       GRand   *rand,
                       gsize    len)
{
  g_assert (len <= pool->random_len);

  return pool->random + gen_rand_range64 (rand, 0, pool->random_len - len + 1);
}

/**
 * gen_pool_pick_bulk:
 * @pool: a pool
 * @rand: random source
 * @max_size: largest body wanted
 *
 * Picks a bulk body no larger than @max_size, and at least 1 MiB when
 * @max_size allows it; the smallest one when none fits.
 *
 * Returns: (transfer none): a bulk body
 */
const GenBody *
gen_pool_pick_bulk (GenPool *pool,
                    GRand   *rand,
                    guint64  max_size)
{
  const guint64 elephant = 1024 * 1024;
  guint first = 0;
  guint end = 0;

  /* Bodies are sorted by size. */
  for (guint i = 0; i < pool->bulk_bodies->len; i++)
    {
      const GenBody *body = pool->bulk_bodies->pdata[i];

      if (body->raw_len > max_size)
        break;
      if (max_size >= elephant && body->raw_len < elephant)
        first = i + 1;
      end = i + 1;
    }
  if (end <= first)
    return pool->bulk_bodies->pdata[0];
  return pool->bulk_bodies->pdata[g_rand_int_range (rand, first, end)];
}
