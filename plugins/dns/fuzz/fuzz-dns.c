/* fuzz-dns.c: libFuzzer target for the DNS message parser
 *
 * The input is parsed as one message (a UDP payload), then as a DNS over
 * TCP stream cut into messages by ntpac_dns_tcp_next(), and probed both
 * ways. Besides memory errors (the build has ASan and UBSan) it checks what
 * the API promises: a record whenever there is a header, of type a{sv} and
 * in normal form; each anomaly once, all "dns.*"; no more records than the
 * bytes can hold; a complete message only with harmless anomalies; framing
 * that always consumes; GLib criticals (invalid UTF-8 given to
 * g_variant_new_string(), say) abort.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-dns-message.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static guint
n_records (GVariant    *record,
           const gchar *section)
{
  g_autoptr(GVariant) array = g_variant_lookup_value (record, section,
                                                      G_VARIANT_TYPE ("aa{sv}"));

  if (array == NULL)
    g_error ("no %s", section);
  return (guint) g_variant_n_children (array);
}

/* Parses one message and checks the result. */
static void
parse_one (const guint8 *data,
           gsize         len)
{
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = ntpac_dns_message_parse (data, len, anomalies);
  gboolean complete, harmless = TRUE, update;
  const gchar *opcode = NULL;
  guint entries;

  if (record == NULL)
    {
      if (len >= 12 || anomalies->len != 1)
        g_error ("no record for %" G_GSIZE_FORMAT " bytes", len);
      return;
    }
  g_variant_ref_sink (record);
  if (!g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT) ||
      !g_variant_is_normal_form (record))
    g_error ("bad record type");

  for (guint i = 0; i < anomalies->len; i++)
    {
      const gchar *id = anomalies->pdata[i];

      if (!g_str_has_prefix (id, "dns."))
        g_error ("anomaly %s", id);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (id, anomalies->pdata[j]))
          g_error ("anomaly %s twice", id);
      if (!g_str_equal (id, NTPAC_DNS_ANOMALY_BAD_OPT) &&
          !g_str_equal (id, NTPAC_DNS_ANOMALY_TRAILING_DATA))
        harmless = FALSE;
    }
  if (!g_variant_lookup (record, "complete", "b", &complete))
    g_error ("no complete");
  if (complete && !harmless)
    g_error ("complete with anomalies");

  /* A question takes 5 bytes at least, a record 11. */
  entries = n_records (record, "questions");
  if (entries > (len - 12) / 5)
    g_error ("%u questions in %" G_GSIZE_FORMAT " bytes", entries, len);
  /* an UPDATE names its sections after RFC 2136 */
  if (!g_variant_lookup (record, "opcode", "&s", &opcode))
    g_error ("no opcode");
  update = g_str_equal (opcode, "UPDATE");
  if (update != g_variant_lookup (record, "zone", "&s", NULL))
    g_error ("zone and opcode %s disagree", opcode);
  entries = n_records (record, update ? "prerequisites" : "answers") +
            n_records (record, update ? "updates" : "authority") +
            n_records (record, "additional");
  if (entries > (len - 12) / 11)
    g_error ("%u records in %" G_GSIZE_FORMAT " bytes", entries, len);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  gsize offset = 0;

  parse_one (data, size);
  if (ntpac_dns_probe (data, size, FALSE) && size < 12)
    g_error ("probe accepted %" G_GSIZE_FORMAT " bytes", size);
  (void) ntpac_dns_probe (data, size, TRUE);

  for (;;)
    {
      gsize msg_offset, msg_len, needed;
      NtpacDnsTcpStatus status;

      status = ntpac_dns_tcp_next (data + offset, size - offset, &msg_offset,
                                   &msg_len, &needed);
      if (status == NTPAC_DNS_TCP_INCOMPLETE && needed <= size - offset)
        g_error ("incomplete but %" G_GSIZE_FORMAT " <= %" G_GSIZE_FORMAT,
                 needed, size - offset);
      if (status != NTPAC_DNS_TCP_OK)
        break;
      if (msg_len == 0 || msg_offset + msg_len > size - offset)
        g_error ("bad framing");
      parse_one (data + offset + msg_offset, msg_len);
      offset += msg_offset + msg_len;
    }
  return 0;
}
