/* gen-content.h: content precomputed once per run and shared by all flows:
 * HTTP bodies (raw and gzip), bulk download bodies, opaque random bytes,
 * and real X.509 certificate chains for the TLS servers. */

#pragma once

#include <glib.h>

#include "gen-util.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *content_type;
  const guint8 *raw;
  gsize raw_len;
  guint8 *gzip;         /* NULL for types not worth compressing */
  gsize gzip_len;
  gchar sha256[GEN_SHA256_HEX_LEN + 1];  /* of raw, the decoded body */
  gchar *file_name;     /* last URI segment, matching the type */
} GenBody;

typedef struct
{
  gchar *server_name;
  GBytes *leaf_der;
  GBytes *intermediate_der;
  gchar *certificates_json;  /* the truth "certificates" array */
} GenCertChain;

typedef struct
{
  GPtrArray *bodies;       /* of GenBody, web objects */
  GPtrArray *bulk_bodies;  /* of GenBody, multi-megabyte downloads */
  guint8 *random;          /* opaque bytes; bulk bodies are prefixes of it */
  gsize random_len;
  GPtrArray *chains;       /* of GenCertChain, one per server name */
} GenPool;

GenPool      *gen_pool_new          (GRand               *rand,
                                     guint64              seed,
                                     const gchar *const  *server_names,
                                     guint                n_server_names,
                                     GError             **error);
void          gen_pool_free         (GenPool             *pool);
const guint8 *gen_pool_random_bytes (GenPool             *pool,
                                     GRand               *rand,
                                     gsize                len);
const GenBody *gen_pool_pick_bulk   (GenPool             *pool,
                                     GRand               *rand,
                                     guint64              max_size);
const gchar  *gen_pool_random_word  (GRand               *rand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GenPool, gen_pool_free)

G_END_DECLS
