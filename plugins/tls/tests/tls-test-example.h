/* tls-test-example.h: the handshake the TLS tests share: the JA4
 * specification's example ClientHello and a three-certificate chain
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GREASE values (RFC 8701), as browsers scatter them. */
#define GREASE_A 0x0a0a
#define GREASE_B 0x1a1a
#define GREASE_C 0x2a2a
#define GREASE_D 0x3a3a
#define GREASE_E 0x4a4a

/* Fingerprints of tb_spec_client_hello (TRUE, FALSE): JA4 from the JA4
 * specification; the JA3 string written out by hand, its MD5 by md5sum. */
#define SPEC_JA4 "t13d1516h2_8daaf6152771_e5627efa2ab1"
#define SPEC_JA3_STRING \
  "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," \
  "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
#define SPEC_JA3 "c000e2caf3a25423f9de6c8a4b12a975"

/* Unix times of the example certificates' validity. */
#define T_2023_01_01 G_GINT64_CONSTANT (1672531200)
#define T_2024_01_01 G_GINT64_CONSTANT (1704067200)
#define T_2024_03_01 G_GINT64_CONSTANT (1709251200)
#define T_2025_03_01_123456 G_GINT64_CONSTANT (1740832496)
#define T_2051_06_15_08 G_GINT64_CONSTANT (2570428800)
#define T_2060_01_01 G_GINT64_CONSTANT (2840140800)

/* Parts of the example ClientHello, for tests that build variants. */
extern const guint16 tb_spec_signature_algorithms[8];
extern const guint16 tb_spec_versions[3];
extern const guint8 tb_uncompressed[1];
extern const gchar *const tb_h2_http11[3];

void        tb_ext_key_share     (GByteArray  *exts);
GByteArray *tb_spec_client_hello (gboolean     signature_algorithms,
                                  gboolean     extra);

/**
 * TbExpectedCert:
 *
 * What the parser must say of one certificate of the example chain.
 */
typedef struct
{
  const gchar *subject;
  const gchar *issuer;
  const gchar *serial;
  const gchar *not_before;
  const gchar *not_after;
  const gchar *const *san;
} TbExpectedCert;

/* The leaf (UTF-8 in its CN, DNS and IP SANs) signed by an intermediate
 * (an escaped comma in its O, GeneralizedTime after 2049) signed by a
 * root that is not sent. */
extern const TbExpectedCert tb_leaf_expected;
extern const TbExpectedCert tb_intermediate_expected;

void        tb_example_chain     (const gchar  *extra_leaf_san,
                                  GBytes      **leaf,
                                  GBytes      **intermediate);

G_END_DECLS
