/* gen-util.h: hashing, randomness, JSON and time formatting shared by the
 * traffic generator's modules */

#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)

#define GEN_SHA256_HEX_LEN 64

/* The SHA-256 of zero bytes, for empty bodies. */
#define GEN_SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

void      gen_sha256           (const void   *data,
                                gsize         len,
                                guint8        digest[32]);
void      gen_hex              (const guint8 *data,
                                gsize         len,
                                gchar        *out);
void      gen_sha256_hex       (const void   *data,
                                gsize         len,
                                gchar         out[GEN_SHA256_HEX_LEN + 1]);
void      gen_sha256_ctx_hex   (EVP_MD_CTX   *ctx,
                                gchar         out[GEN_SHA256_HEX_LEN + 1]);
void      gen_derive_bytes     (guint64       seed,
                                const gchar  *purpose,
                                const gchar  *label,
                                guint8        out[32]);

gboolean  gen_rand_chance      (GRand        *rand,
                                gdouble       probability);
gint64    gen_rand_range64     (GRand        *rand,
                                gint64        begin,
                                gint64        end);
guint     gen_rand_weighted    (GRand        *rand,
                                const guint  *weights,
                                guint         n_weights);

void      gen_json_append_string (GString    *out,
                                  const gchar *value);
void      gen_format_utc         (gint64      unix_seconds,
                                  const gchar *format,
                                  gchar       *out,
                                  gsize        out_size);
void      gen_format_http_date   (gint64      unix_seconds,
                                  gchar       out[32]);

G_END_DECLS
