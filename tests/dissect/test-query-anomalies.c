/* test-query-anomalies.c: a dissector's anomalies carry their
 * conversation's endpoints, and the query filters apply to them
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-test-files.h"
#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"
#include "ntpac-test-run.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)

/* A DNS query to port 53 whose header counts 207 additional records it
 * does not hold, from @client_port. */
static void
write_bad_query (NtpacTestPcapWriter *w,
                 guint16              client_port,
                 gint64               ts)
{
  static const guint8 query[] = {
    0xb2, 0xd0, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcf,
    3, 's', 'i', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'd', 'k', 0,
    0x00, 0x01, 0x00, 0x01,
  };
  g_autoptr(NtpacTestPacket) p = ntpac_test_packet_new_with_payload (query, sizeof query);
  const guint8 *data;
  gsize len;

  ntpac_test_packet_udp (p, client_port, 53);
  ntpac_test_packet_ipv4 (p, "10.0.0.7", "192.0.2.53");
  ntpac_test_packet_ethernet (p, NULL, NULL);
  data = ntpac_test_packet_get_data (p, &len);
  ntpac_test_pcap_writer_write (w, 0, ts, data, len, len);
}

static void
test_anomaly_filters (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-query-anomalies-XXXXXX", NULL);
  g_autofree gchar *capture = g_build_filename (dir, "bad-dns.pcap", NULL);
  g_autofree gchar *db = g_build_filename (dir, "bad-dns.db", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(NtpacTestRun) r = { 0 };
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) one = NULL;
  g_autoptr(GPtrArray) by_ip = NULL;
  g_autoptr(GPtrArray) by_port = NULL;
  const gchar *conversation;

  g_test_summary ("Anomalies a dissector reports name their conversation's endpoints; "
                  "--conversation, --ip and --port select them.");
  {
    g_autoptr(NtpacTestPcapWriter) w =
      ntpac_test_pcap_writer_new_file (capture, NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);

    g_assert_no_error (error);
    ntpac_test_pcap_writer_add_interface (w, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
    write_bad_query (w, 40001, T0);
    write_bad_query (w, 40002, T0 + 1000);
    g_assert_true (ntpac_test_pcap_writer_close (w, &error));
  }
  ntpac_test_run_engine (&r, "run", "-o", db, capture, NULL);
  g_assert_cmpint (r.status, ==, 0);
  ntpac_test_run_clear (&r);

  ntpac_test_run_engine (&r, "query", "-d", db, "anomalies", NULL);
  g_assert_cmpint (r.status, ==, 0);
  all = ntpac_test_parse_lines (r.out);
  ntpac_test_run_clear (&r);
  g_assert_cmpuint (all->len, ==, 2);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *o = all->pdata[i];

      g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "dns.counts-exceed-message");
      g_assert_cmpstr (json_object_get_string_member (o, "src"), ==, "10.0.0.7");
      g_assert_cmpstr (json_object_get_string_member (o, "dst"), ==, "192.0.2.53");
      g_assert_cmpint (json_object_get_int_member (o, "dport"), ==, 53);
      g_assert_cmpstr (json_object_get_string_member (o, "transport"), ==, "udp");
    }

  conversation = json_object_get_string_member (all->pdata[1], "conversation");
  ntpac_test_run_engine (&r, "query", "-d", db, "anomalies", "--conversation", conversation, NULL);
  g_assert_cmpint (r.status, ==, 0);
  one = ntpac_test_parse_lines (r.out);
  ntpac_test_run_clear (&r);
  g_assert_cmpuint (one->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (one->pdata[0], "conversation"), ==, conversation);

  ntpac_test_run_engine (&r, "query", "-d", db, "anomalies", "--port", "40002", NULL);
  g_assert_cmpint (r.status, ==, 0);
  by_port = ntpac_test_parse_lines (r.out);
  ntpac_test_run_clear (&r);
  g_assert_cmpuint (by_port->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (by_port->pdata[0], "sport"), ==, 40002);

  ntpac_test_run_engine (&r, "query", "-d", db, "anomalies", "--ip", "198.51.100.1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  by_ip = ntpac_test_parse_lines (r.out);
  g_assert_cmpuint (by_ip->len, ==, 0);
  ntpac_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/query/anomaly-filters", test_anomaly_filters);
  return g_test_run ();
}
