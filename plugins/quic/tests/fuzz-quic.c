/* fuzz-quic.c: libFuzzer target for the QUIC Initial reader
 *
 * The input (fuzz-quic.h) is a conversation of datagrams, raw or sealed
 * here into Initial packets, given to the connection and to the probe;
 * the conversation is then ended. Nothing may crash or log a critical,
 * and every anomaly must be a quic one.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#include "fuzz-quic.h"
#include "ntpac-quic-initial.h"
#include "quic-test-seal.h"

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
  g_autoptr(NtpacQuicConnection) conn = ntpac_quic_connection_new ();
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new ();
  g_autoptr(GVariant) record = NULL;
  NtpacCursor c;
  guint16 pn = 0;

  ntpac_cursor_init (&c, data, size, size);
  while (ntpac_cursor_remaining (&c) > 0)
    {
      guint8 flags;
      guint16 len;
      const guint8 *bytes;
      gboolean from_client;

      if (!ntpac_cursor_get_u8 (&c, &flags) || !ntpac_cursor_get_u16_be (&c, &len))
        break;
      len = MIN (len, ntpac_cursor_remaining (&c));
      if (!ntpac_cursor_get_bytes (&c, len, &bytes))
        break;
      from_client = (flags & FUZZ_QUIC_FROM_CLIENT) != 0;
      if ((flags & FUZZ_QUIC_SEAL) != 0 && len < 8192)
        {
          g_autoptr(GByteArray) packet =
            qt_seal_initial ((flags & FUZZ_QUIC_V2) != 0 ? NTPAC_QUIC_VERSION_2 : NTPAC_QUIC_VERSION_1,
                             fuzz_quic_dcid, sizeof fuzz_quic_dcid, !from_client, pn++,
                             bytes, len, 0);

          (void) ntpac_quic_probe (packet->data, packet->len);
          ntpac_quic_connection_feed (conn, from_client, packet->data, packet->len, anomalies);
        }
      else
        {
          (void) ntpac_quic_probe (bytes, len);
          ntpac_quic_connection_feed (conn, from_client, bytes, len, anomalies);
        }
    }
  record = ntpac_quic_connection_finish (conn, anomalies);
  if (record != NULL)
    {
      g_autofree gchar *text = g_variant_print (g_variant_ref_sink (record), FALSE);

      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
  for (guint i = 0; i < anomalies->len; i++)
    g_assert_true (g_str_has_prefix (anomalies->pdata[i], "quic."));
  return 0;
}
