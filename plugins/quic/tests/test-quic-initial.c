/* test-quic-initial.c: QUIC Initial packets
 *
 * The test vectors of RFC 9001 Appendix A (QUIC v1: the keys from the
 * client's Destination Connection ID 0x8394c8f03e515708, the header
 * protection samples and masks, the client's protected Initial carrying
 * a ClientHello and the server's carrying a ServerHello) and of RFC 9369
 * Appendix A (QUIC v2: the same, with its salt and labels), then packets
 * protected by quic-test-seal.c (with the keys the vectors check) to cut
 * the CRYPTO stream out of order across packets and coalesced packets,
 * and to break it. Expected JA4 values are strings written out from the
 * ClientHello by the JA4 definition and hashed with sha256sum.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-quic-initial.h"
#include "quic-test-seal.h"

/* RFC 9001 A.2, A.3 and RFC 9369 A.2: the protected packets. */
static const gchar rfc9001_client_initial[] =
  "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
  "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
  "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
  "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
  "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
  "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
  "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
  "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
  "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
  "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
  "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
  "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
  "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
  "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
  "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
  "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
  "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
  "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
  "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
  "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
  "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
  "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
  "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
  "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
  "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
  "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
  "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
  "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
  "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
  "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
  "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
  "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
  "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
  "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
  "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
  "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
  "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
  "e221af44860018ab0856972e194cd934";

static const gchar rfc9001_server_initial[] =
  "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
  "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
  "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
  "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
  "2158407dd074ee";

static const gchar rfc9369_client_initial[] =
  "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
  "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
  "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
  "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
  "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
  "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
  "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
  "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
  "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
  "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
  "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
  "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
  "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
  "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
  "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
  "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
  "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
  "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
  "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
  "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
  "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
  "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
  "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
  "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
  "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
  "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
  "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
  "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
  "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
  "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
  "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
  "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
  "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
  "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
  "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
  "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
  "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
  "a18b2faa745b6fe189cf772a9f84cbfc";

/* RFC 9001 A.2: the client's CRYPTO frame (a ClientHello for
 * example.com, ALPN "alpn"), unprotected. */
static const gchar rfc9001_client_crypto[] =
  "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
  "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
  "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
  "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
  "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
  "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
  "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
  "75300901100f088394c8f03e51570806048000ffff";

static const guint8 rfc_dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

/* JA4 of that ClientHello: q (QUIC), 13 (supported_versions), d (SNI),
 * 02 ciphers, 11 extensions, ALPN "alpn"; sha256 ("1301,1302") and
 * sha256 ("0005,000a,000d,001c,002b,002d,0033,0039,ff01_0403,0503,0603,
 * 0203,0804,0805,0806"), 12 digits each. */
#define RFC_JA4 "q13d0211an_62ed6f6ca7ad_4d634acda6c0"
#define RFC_JA3_STRING "771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,"

static GBytes *
from_hex (const gchar *text)
{
  gsize len = strlen (text);
  guint8 *out = g_malloc (len / 2);

  g_assert_cmpuint (len % 2, ==, 0);
  for (gsize i = 0; i < len / 2; i++)
    {
      gint hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      out[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (out, len / 2);
}

static void
assert_hex (const guint8 *data,
            gsize         len,
            const gchar  *expected)
{
  g_autoptr(GBytes) bytes = from_hex (expected);

  g_assert_cmpmem (data, len, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* ---- keys ------------------------------------------------------------------ */

typedef struct
{
  guint32 version;
  const gchar *client_secret, *client_key, *client_iv, *client_hp;
  const gchar *server_secret, *server_key, *server_iv, *server_hp;
  const gchar *client_sample, *client_mask;
} KeyVector;

/* RFC 9001 A.1, A.2. */
static const KeyVector v1_keys = {
  NTPAC_QUIC_VERSION_1,
  "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
  "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
  "9f50449e04a0e810283a1e9933adedd2",
  "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
  "cf3a5331653c364c88f0f379b6067e37", "0ac1493ca1905853b0bba03e",
  "c206b8d9b9f0f37644430b490eeaa314",
  "d1b1c98dd7689fb8ec11d242b123dc9b", "437b9aec36",
};

/* RFC 9369 A.1, A.2. */
static const KeyVector v2_keys = {
  NTPAC_QUIC_VERSION_2,
  "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
  "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
  "45b95e15235d6f45a6b19cbcb0294ba9",
  "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
  "82db637861d55e1d011f19ea71d5d2a7", "dd13c276499c0249d3310652",
  "edf6d05c83121201b436e16877593c3a",
  "ffe67b6abcdb4298b485dd04de806071", "94a0c95e80",
};

static void
test_keys (gconstpointer data)
{
  const KeyVector *v = data;
  guint8 client_secret[32], server_secret[32], mask[5];
  NtpacQuicKeys client, server;
  g_autoptr(GBytes) sample = from_hex (v->client_sample);

  g_test_summary ("The Initial secrets, keys, IVs and header protection keys "
                  "derived from the RFC's connection id, and the mask of "
                  "the client packet's sample, are the RFC's.");

  g_assert_true (ntpac_quic_initial_secrets (v->version, rfc_dcid, sizeof rfc_dcid,
                                             client_secret, server_secret));
  assert_hex (client_secret, 32, v->client_secret);
  assert_hex (server_secret, 32, v->server_secret);
  g_assert_true (ntpac_quic_derive_keys (v->version, client_secret, &client));
  g_assert_true (ntpac_quic_derive_keys (v->version, server_secret, &server));
  assert_hex (client.key, sizeof client.key, v->client_key);
  assert_hex (client.iv, sizeof client.iv, v->client_iv);
  assert_hex (client.hp, sizeof client.hp, v->client_hp);
  assert_hex (server.key, sizeof server.key, v->server_key);
  assert_hex (server.iv, sizeof server.iv, v->server_iv);
  assert_hex (server.hp, sizeof server.hp, v->server_hp);
  g_assert_true (ntpac_quic_header_mask (&client, g_bytes_get_data (sample, NULL), mask));
  assert_hex (mask, sizeof mask, v->client_mask);

  /* Another version has other keys. */
  g_assert_false (ntpac_quic_initial_secrets (0xff00001d, rfc_dcid, sizeof rfc_dcid,
                                              client_secret, server_secret));
}

static void
test_server_mask (void)
{
  guint8 client_secret[32], server_secret[32], mask[5];
  NtpacQuicKeys server;
  g_autoptr(GBytes) sample = from_hex ("2cd0991cd25b0aac406a5816b6394100");

  g_test_summary ("RFC 9001 A.3: the server packet's sample gives its mask.");

  g_assert_true (ntpac_quic_initial_secrets (NTPAC_QUIC_VERSION_1, rfc_dcid, sizeof rfc_dcid,
                                             client_secret, server_secret));
  g_assert_true (ntpac_quic_derive_keys (NTPAC_QUIC_VERSION_1, server_secret, &server));
  g_assert_true (ntpac_quic_header_mask (&server, g_bytes_get_data (sample, NULL), mask));
  assert_hex (mask, sizeof mask, "2ec0d8356a");
}

/* ---- the RFC packets ----------------------------------------------------- */

static const gchar *
lookup_string (GVariant    *record,
               const gchar *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (record, key, "&s", &value))
    return NULL;
  return value;
}

static guint32
lookup_u32 (GVariant    *record,
            const gchar *key)
{
  guint32 value = G_MAXUINT32;

  g_assert_true (g_variant_lookup (record, key, "u", &value));
  return value;
}

static gboolean
lookup_bool (GVariant    *record,
             const gchar *key)
{
  gboolean value = FALSE;

  g_assert_true (g_variant_lookup (record, key, "b", &value));
  return value;
}

static gboolean
feed_hex (NtpacQuicConnection *conn,
          gboolean             from_client,
          const gchar         *text,
          GPtrArray           *anomalies)
{
  g_autoptr(GBytes) datagram = from_hex (text);
  gsize len;
  const guint8 *data = g_bytes_get_data (datagram, &len);

  return ntpac_quic_connection_feed (conn, from_client, data, len, anomalies);
}

static void
assert_rfc_client (GVariant *record)
{
  g_autoptr(GVariant) alpn = g_variant_lookup_value (record, "alpn", G_VARIANT_TYPE_STRING_ARRAY);
  const gchar *first = NULL;

  g_assert_cmpstr (lookup_string (record, "dcid"), ==, "8394c8f03e515708");
  g_assert_cmpstr (lookup_string (record, "scid"), ==, "");
  g_assert_cmpstr (lookup_string (record, "sni"), ==, "example.com");
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, RFC_JA4);
  g_assert_cmpstr (lookup_string (record, "ja3_string"), ==, RFC_JA3_STRING);
  g_assert_nonnull (alpn);
  g_assert_cmpuint (g_variant_n_children (alpn), ==, 1);
  g_variant_get_child (alpn, 0, "&s", &first);
  g_assert_cmpstr (first, ==, "alpn");
}

static void
test_rfc9001_client (void)
{
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;

  g_test_summary ("RFC 9001 A.2: the client's 1200-byte protected Initial "
                  "decrypts (its tag checks every byte) and its ClientHello "
                  "gives SNI, ALPN, JA3 and a q JA4; the connection ids are "
                  "those of its header.");

  g_assert_true (feed_hex (conn, TRUE, rfc9001_client_initial, anomalies));
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 0);
  g_assert_cmpstr (lookup_string (record, "version"), ==, "QUIC v1");
  assert_rfc_client (record);
  g_assert_cmpuint (lookup_u32 (record, "initial_packets"), ==, 1);
  g_assert_cmpuint (lookup_u32 (record, "undecrypted_packets"), ==, 0);
  g_assert_null (lookup_string (record, "server_scid"));
  g_assert_null (lookup_string (record, "cipher"));
  g_assert_false (lookup_bool (record, "complete"));
}

static void
test_rfc9001_server (void)
{
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;

  g_test_summary ("RFC 9001 A.3: the server's Initial, with keys from the "
                  "client's first connection id, gives its ServerHello: "
                  "TLS 1.3, TLS_AES_128_GCM_SHA256, its connection id.");

  g_assert_true (feed_hex (conn, TRUE, rfc9001_client_initial, anomalies));
  g_assert_true (feed_hex (conn, FALSE, rfc9001_server_initial, anomalies));
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 0);
  assert_rfc_client (record);
  g_assert_cmpstr (lookup_string (record, "server_scid"), ==, "f067a5502a4262b5");
  g_assert_cmpstr (lookup_string (record, "tls_version"), ==, "TLS 1.3");
  g_assert_cmpstr (lookup_string (record, "cipher"), ==, "0x1301");
  g_assert_cmpuint (lookup_u32 (record, "initial_packets"), ==, 2);
  g_assert_true (lookup_bool (record, "complete"));
}

static void
test_rfc9369_client (void)
{
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;

  g_test_summary ("RFC 9369 A.2: the QUIC v2 client Initial (its own packet "
                  "type bits, salt and labels) gives the same ClientHello.");

  g_assert_true (feed_hex (conn, TRUE, rfc9369_client_initial, anomalies));
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 0);
  g_assert_cmpstr (lookup_string (record, "version"), ==, "QUIC v2");
  assert_rfc_client (record);
  g_assert_cmpuint (lookup_u32 (record, "initial_packets"), ==, 1);
}

static void
test_rfc_damaged (void)
{
  g_autoptr(GBytes) original = from_hex (rfc9001_client_initial);
  gsize len = g_bytes_get_size (original);
  g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (original, NULL), len);
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;

  g_test_summary ("The RFC client Initial with one ciphertext bit flipped "
                  "does not decrypt: quic.decrypt-failed, no ClientHello; "
                  "cut inside its header: quic.malformed-packet.");

  data[600] ^= 0x01;
  g_assert_true (ntpac_quic_connection_feed (conn, TRUE, data, len, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_QUIC_ANOMALY_DECRYPT_FAILED);
  g_assert_false (ntpac_quic_connection_feed (conn, TRUE, data, 12, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 2);
  g_assert_cmpstr (anomalies->pdata[1], ==, NTPAC_QUIC_ANOMALY_MALFORMED_PACKET);
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_null (lookup_string (record, "sni"));
  g_assert_cmpuint (lookup_u32 (record, "undecrypted_packets"), ==, 1);
  g_assert_cmpuint (lookup_u32 (record, "initial_packets"), ==, 0);
}

static void
test_probe (void)
{
  g_autoptr(GBytes) v1 = from_hex (rfc9001_client_initial);
  g_autoptr(GBytes) v2 = from_hex (rfc9369_client_initial);
  g_autoptr(GBytes) server = from_hex (rfc9001_server_initial);
  gsize len;
  const guint8 *data = g_bytes_get_data (v1, &len);
  g_autofree guint8 *other = g_memdup2 (data, len);

  g_test_summary ("The probe takes v1 and v2 Initials (the server's too), "
                  "and refuses another version, a Handshake packet, a "
                  "short header and a cut header.");

  g_assert_true (ntpac_quic_probe (data, len));
  g_assert_true (ntpac_quic_probe (g_bytes_get_data (v2, NULL), g_bytes_get_size (v2)));
  g_assert_true (ntpac_quic_probe (g_bytes_get_data (server, NULL), g_bytes_get_size (server)));
  g_assert_false (ntpac_quic_probe (data, 30));
  other[4] = 0x02;   /* version 0x00000002 */
  g_assert_false (ntpac_quic_probe (other, len));
  other[4] = 0x01;
  other[0] = 0xe0;   /* v1 Handshake */
  g_assert_false (ntpac_quic_probe (other, len));
  other[0] = 0x40;   /* short header */
  g_assert_false (ntpac_quic_probe (other, len));
}

/* ---- packets made here -------------------------------------------------- */

/* A client Initial of QUIC v1 to @dcid, padded to 1162 bytes. */
static GByteArray *
protect_initial (const guint8     *dcid,
                 gsize             dcid_len,
                 gboolean          server,
                 guint16           pn,
                 const GByteArray *payload)
{
  return qt_seal_initial (NTPAC_QUIC_VERSION_1, dcid, dcid_len, server, pn,
                          payload->data, payload->len, 1162);
}

/* A CRYPTO frame of bytes [@offset, @offset + @len) of @stream. */
static void
append_crypto (GByteArray       *payload,
               const GByteArray *stream,
               gsize             offset,
               gsize             len)
{
  guint8 frame[] = { 0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (len >> 8), len & 0xff };

  g_byte_array_append (payload, frame, sizeof frame);
  g_byte_array_append (payload, stream->data + offset, len);
}

/* The RFC's ClientHello, without its CRYPTO frame header. */
static GByteArray *
rfc_client_hello (void)
{
  g_autoptr(GBytes) frame = from_hex (rfc9001_client_crypto);
  GByteArray *out = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  g_byte_array_append (out, data + 4, len - 4);
  return out;
}

static void
test_crypto_reassembly (void)
{
  static const guint8 dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  g_autoptr(GByteArray) hello = rfc_client_hello ();
  g_autoptr(GByteArray) p1 = g_byte_array_new ();
  g_autoptr(GByteArray) p2 = g_byte_array_new ();
  g_autoptr(GByteArray) first = NULL;
  g_autoptr(GByteArray) second = NULL;
  g_autoptr(GByteArray) datagram = g_byte_array_new ();
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;
  static const guint8 ping_ack[] = { 0x01, 0x02, 0x00, 0x00, 0x00, 0x00 };
  static const guint8 handshake[] = {
    0xe1, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
  };
  gsize third = hello->len / 3;

  g_test_summary ("The ClientHello in three CRYPTO frames: the last and the "
                  "first (between PING, ACK and PADDING) in one packet, the "
                  "middle one in a second packet, coalesced after it with a "
                  "Handshake packet in the same datagram; then the first "
                  "packet again. Every field comes out, the Handshake "
                  "packet is counted.");

  append_crypto (p1, hello, 2 * third, hello->len - 2 * third);
  g_byte_array_append (p1, ping_ack, sizeof ping_ack);
  append_crypto (p1, hello, 0, third);
  append_crypto (p2, hello, third, third);
  first = protect_initial (dcid, sizeof dcid, FALSE, 0, p1);
  second = protect_initial (dcid, sizeof dcid, FALSE, 1, p2);
  g_byte_array_append (datagram, first->data, first->len);
  g_byte_array_append (datagram, handshake, sizeof handshake);

  g_assert_true (ntpac_quic_connection_feed (conn, TRUE, datagram->data, datagram->len, anomalies));
  g_assert_true (ntpac_quic_connection_feed (conn, TRUE, second->data, second->len, anomalies));
  g_assert_true (ntpac_quic_connection_feed (conn, TRUE, first->data, first->len, anomalies));
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 0);
  g_assert_cmpstr (lookup_string (record, "dcid"), ==, "0102030405060708");
  g_assert_cmpstr (lookup_string (record, "sni"), ==, "example.com");
  g_assert_cmpstr (lookup_string (record, "ja4"), ==, RFC_JA4);
  g_assert_cmpuint (lookup_u32 (record, "initial_packets"), ==, 3);
  g_assert_cmpuint (lookup_u32 (record, "handshake_packets"), ==, 1);
}

static void
test_crypto_hole (void)
{
  static const guint8 dcid[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
  g_autoptr(GByteArray) hello = rfc_client_hello ();
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) packet = NULL;
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;

  g_test_summary ("A ClientHello whose first CRYPTO bytes never come: at the "
                  "end quic.crypto-gap, no client fields; a frame type an "
                  "Initial may not carry ends the packet with "
                  "quic.unexpected-frame.");

  append_crypto (payload, hello, 10, hello->len - 10);
  g_byte_array_append (payload, (const guint8 *) "\x08\x00", 2);   /* STREAM */
  packet = protect_initial (dcid, sizeof dcid, FALSE, 0, payload);
  g_assert_true (ntpac_quic_connection_feed (conn, TRUE, packet->data, packet->len, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_QUIC_ANOMALY_UNEXPECTED_FRAME);
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 2);
  g_assert_cmpstr (anomalies->pdata[1], ==, NTPAC_QUIC_ANOMALY_CRYPTO_GAP);
  g_assert_null (lookup_string (record, "sni"));
  g_assert_false (lookup_bool (record, "complete"));
}

static void
test_crypto_limit (void)
{
  static const guint8 dcid[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) packet = NULL;
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;
  /* CRYPTO at offset 2^20, 4 bytes; then CONNECTION_CLOSE 0x0a, "bye". */
  static const guint8 frames[] = {
    0x06, 0x80, 0x10, 0x00, 0x00, 0x04, 'a', 'b', 'c', 'd',
    0x1c, 0x0a, 0x00, 0x03, 'b', 'y', 'e',
  };

  g_test_summary ("CRYPTO data 1 MiB ahead is dropped with "
                  "quic.crypto-limit; a CONNECTION_CLOSE gives its code and "
                  "reason.");

  g_byte_array_append (payload, frames, sizeof frames);
  packet = protect_initial (dcid, sizeof dcid, FALSE, 0, payload);
  ntpac_quic_connection_feed (conn, TRUE, packet->data, packet->len, anomalies);
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, NTPAC_QUIC_ANOMALY_CRYPTO_LIMIT);
  record = g_variant_ref_sink (ntpac_quic_connection_finish (conn, anomalies));
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (lookup_string (record, "close_reason"), ==, "bye");
  {
    guint64 code = 0;

    g_assert_true (g_variant_lookup (record, "close_code", "t", &code));
    g_assert_cmpuint (code, ==, 0x0a);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/quic/keys/rfc9001", &v1_keys, test_keys);
  g_test_add_data_func ("/quic/keys/rfc9369", &v2_keys, test_keys);
  g_test_add_func ("/quic/keys/rfc9001-server-mask", test_server_mask);
  g_test_add_func ("/quic/initial/rfc9001-client", test_rfc9001_client);
  g_test_add_func ("/quic/initial/rfc9001-server", test_rfc9001_server);
  g_test_add_func ("/quic/initial/rfc9369-client", test_rfc9369_client);
  g_test_add_func ("/quic/initial/damaged", test_rfc_damaged);
  g_test_add_func ("/quic/probe", test_probe);
  g_test_add_func ("/quic/crypto/reassembly", test_crypto_reassembly);
  g_test_add_func ("/quic/crypto/hole", test_crypto_hole);
  g_test_add_func ("/quic/crypto/limit", test_crypto_limit);
  return g_test_run ();
}
