/* test-banner.c: the banner dissector on crafted bytes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../ntpac-banner-dissector.h"

static NtpacHarness *
banner_harness (guint max_length,
                guint16 server_port)
{
  g_autoptr(NtpacDissector) d = g_object_new (NTPAC_TYPE_BANNER_DISSECTOR, "max-length", max_length, NULL);

  return ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 50000, server_port);
}

static const gchar *
field (GVariant    *record,
       const gchar *key)
{
  const gchar *value = NULL;

  g_assert_true (g_variant_lookup (record, key, "&s", &value));
  return value;
}

static void
test_ssh_both_sides (void)
{
  g_autoptr(NtpacHarness) h = banner_harness (256, 22);
  g_autoptr(GPtrArray) records = NULL;
  gboolean complete = FALSE;

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 32);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "SSH-2.0-PuTTY_Release_0.78\r\n\x00\x00\x01", 31);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "\x14\x0a binary key exchange", 22);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "banner");
  records = ntpac_harness_get_records (h, "banner");
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstr (field (records->pdata[0], "side"), ==, "server");
  g_assert_cmpstr (field (records->pdata[0], "text"), ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2");
  g_assert_cmpstr (field (records->pdata[1], "side"), ==, "client");
  g_assert_cmpstr (field (records->pdata[1], "text"), ==, "SSH-2.0-PuTTY_Release_0.78");
  g_assert_true (g_variant_lookup (records->pdata[1], "complete", "b", &complete));
  g_assert_true (complete);
  /* the common fields come from the core */
  g_assert_cmpstr (field (records->pdata[0], "src"), ==, "192.0.2.1");
  g_assert_cmpstr (field (records->pdata[0], "transport"), ==, "tcp");
}

static void
test_line_split_across_segments (void)
{
  g_autoptr(NtpacHarness) h = banner_harness (256, 25);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GVariant) frames = NULL;

  g_test_summary ("A first line that arrives in three segments is recorded once, whole, "
                  "with the three frames it came in.");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "220 mail.exa", 12);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "mple.org ESMTP Pos", 18);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "tfix\r\n250 more", 14);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "banner");
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (field (records->pdata[0], "text"), ==, "220 mail.example.org ESMTP Postfix");
  frames = g_variant_lookup_value (records->pdata[0], "frames", G_VARIANT_TYPE ("at"));
  g_assert_nonnull (frames);
  g_assert_cmpuint (g_variant_n_children (frames), ==, 3);
}

static void
test_too_long (void)
{
  g_autoptr(NtpacHarness) h = banner_harness (16, 21);
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *anomalies;
  gboolean complete = TRUE;

  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "220 a very long welcome message without end", 43);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "banner");
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (field (records->pdata[0], "text"), ==, "220 a very long ");
  g_assert_true (g_variant_lookup (records->pdata[0], "complete", "b", &complete));
  g_assert_false (complete);
  anomalies = ntpac_harness_get_anomalies (h);
  g_assert_cmpuint (anomalies->len, ==, 1);
  g_assert_cmpstr (anomalies->pdata[0], ==, "banner.too-long");
}

static void
test_gap_before_end_of_line (void)
{
  g_autoptr(NtpacHarness) h = banner_harness (256, 110);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("Bytes lost in the middle of the first line: nothing is glued over "
                  "the hole, no record is made from half a line.");
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_DOWN, "+OK POP3 ser", 12, 100, "ver ready\r\n", 11);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "banner");
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_binary_refused (void)
{
  g_autoptr(NtpacHarness) h = banner_harness (256, 443);
  g_autoptr(GPtrArray) records = NULL;

  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  ntpac_harness_end (h);
  g_assert_null (ntpac_harness_get_protocol (h));
  records = ntpac_harness_get_records (h, NULL);
  g_assert_cmpuint (records->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/banner/ssh-both-sides", test_ssh_both_sides);
  g_test_add_func ("/banner/split-line", test_line_split_across_segments);
  g_test_add_func ("/banner/too-long", test_too_long);
  g_test_add_func ("/banner/gap", test_gap_before_end_of_line);
  g_test_add_func ("/banner/binary-refused", test_binary_refused);
  return g_test_run ();
}
