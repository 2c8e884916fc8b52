/* fuzz-dtls.c: libFuzzer target for the DTLS parser
 *
 * The input (fuzz-dtls.h) is a conversation of datagrams, each given to
 * the parser (and to both probes) as the dtls dissector gives it; the
 * conversation is then ended and its records taken. The parser must
 * neither crash nor log a critical, whatever the bytes.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#include "fuzz-dtls.h"
#include "ntpac-dtls-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(NtpacDtlsParser) parser = ntpac_dtls_parser_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  NtpacCursor c;
  GVariant *record;

  ntpac_cursor_init (&c, data, size, size);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint8 flags;
      guint16 len;
      const guint8 *datagram;

      if (!ntpac_cursor_get_u8 (&c, &flags) || !ntpac_cursor_get_u16_be (&c, &len))
        break;
      len = MIN (len, ntpac_cursor_remaining (&c));
      if (!ntpac_cursor_get_bytes (&c, len, &datagram))
        break;
      (void) ntpac_dtls_probe (datagram, len);
      (void) ntpac_dtls_probe_stun (datagram, len);
      ntpac_dtls_parser_feed (parser, (flags & FUZZ_DTLS_FROM_INITIATOR) != 0,
                              datagram, len, anomalies);
      while ((record = ntpac_dtls_parser_take_record (parser)) != NULL)
        g_variant_unref (g_variant_ref_sink (record));
    }
  ntpac_dtls_parser_finish (parser, anomalies);
  while ((record = ntpac_dtls_parser_take_record (parser)) != NULL)
    {
      g_autofree gchar *text = g_variant_print (g_variant_ref_sink (record), FALSE);

      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_variant_unref (record);
    }
  for (guint i = 0; i < anomalies->len; i++)
    g_assert_true (g_str_has_prefix (anomalies->pdata[i], "dtls."));
  return 0;
}
