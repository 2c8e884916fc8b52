/* fuzz-tls.c: libFuzzer target for the TLS parser
 *
 * The input (fuzz-tls.h) is split into a client and a server stream, fed
 * alternately in deliveries of a fuzzer-chosen size by a consumer that
 * holds what was not consumed, as the TCP actors will; bytes of the
 * client stream may be lost half way. The parser's answers are checked
 * on every call. The whole input is also given to the X.509 wrapper and
 * the client stream to the probe.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#include "fuzz-tls.h"
#include "ntpac-tls-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize offset;       /* delivered so far */
  GByteArray *held;   /* delivered, not consumed */
} Stream;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical (say, invalid UTF-8 reaching a GVariant) is a bug. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Delivers up to @chunk more bytes of @stream and checks the answer. */
static void
deliver (NtpacTlsParser *parser,
         gboolean        from_client,
         Stream         *stream,
         gsize           chunk,
         GPtrArray      *anomalies)
{
  gsize n = MIN (chunk, stream->len - stream->offset);
  gsize consumed = G_MAXSIZE, needed = G_MAXSIZE;
  NtpacTlsStatus status;

  if (n == 0)
    return;
  g_byte_array_append (stream->held, stream->data + stream->offset, n);
  stream->offset += n;
  status = ntpac_tls_parser_feed (parser, from_client, stream->held->data,
                                  stream->held->len, &consumed, &needed,
                                  anomalies);
  g_assert_true (consumed <= stream->held->len);
  if (status == NTPAC_TLS_STATUS_INCOMPLETE)
    g_assert_true (needed > stream->held->len - consumed &&
              needed <= 5 + NTPAC_TLS_MAX_RECORD_LENGTH);
  else
    g_assert_true (consumed == stream->held->len && needed == 0);
  g_byte_array_remove_range (stream->held, 0, consumed);
}

static void
check_record (GVariant *record)
{
  g_autofree gchar *text = NULL;
  gboolean complete;

  g_assert_true (g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT));
  g_assert_true (g_variant_is_normal_form (record));
  g_assert_true (g_variant_lookup (record, "complete", "b", &complete));
  text = g_variant_print (record, FALSE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(NtpacTlsParser) parser = NULL;
  g_autoptr(GPtrArray) anomalies = NULL;
  g_autoptr(GByteArray) client_held = NULL;
  g_autoptr(GByteArray) server_held = NULL;
  GVariant *record;
  Stream client, server;
  guint8 flags;
  gsize split, chunk, gap_at, gap_len;
  gboolean gap_done = FALSE;

  g_variant_unref (g_variant_ref_sink (ntpac_tls_certificate_describe (data, size,
                                                                       NULL)));
  if (size < FUZZ_TLS_HEADER_LEN)
    return 0;

  flags = data[0];
  split = MIN (((gsize) data[1] << 8) | data[2], size - FUZZ_TLS_HEADER_LEN);
  chunk = fuzz_tls_chunks[flags & FUZZ_TLS_CHUNK_MASK];
  client_held = g_byte_array_new ();
  server_held = g_byte_array_new ();
  client = (Stream) { data + FUZZ_TLS_HEADER_LEN, split, 0, client_held };
  server = (Stream) { data + FUZZ_TLS_HEADER_LEN + split,
                      size - FUZZ_TLS_HEADER_LEN - split, 0, server_held };
  gap_at = client.len / 2;
  gap_len = ((gsize) (flags >> FUZZ_TLS_GAP_SHIFT) << 4) + 1;
  (void) ntpac_tls_probe (client.data, client.len);

  parser = ntpac_tls_parser_new ();
  anomalies = g_ptr_array_new ();
  while (client.offset < client.len || server.offset < server.len)
    {
      if ((flags & FUZZ_TLS_GAP) != 0 && !gap_done && client.offset >= gap_at)
        {
          /* The consumer drops what it held and skips the lost bytes. */
          gsize lost = MIN (gap_len, client.len - client.offset);

          ntpac_tls_parser_gap (parser, TRUE, client.held->len + lost, anomalies);
          g_byte_array_set_size (client.held, 0);
          client.offset += lost;
          gap_done = TRUE;
        }
      if ((flags & FUZZ_TLS_SERVER_FIRST) != 0)
        deliver (parser, FALSE, &server, chunk, anomalies);
      deliver (parser, TRUE, &client, chunk, anomalies);
      if ((flags & FUZZ_TLS_SERVER_FIRST) == 0)
        deliver (parser, FALSE, &server, chunk, anomalies);
      while ((record = ntpac_tls_parser_take_record (parser)) != NULL)
        {
          g_variant_ref_sink (record);
          check_record (record);
          g_variant_unref (record);
        }
      (void) ntpac_tls_parser_is_done (parser, TRUE);
    }
  ntpac_tls_parser_finish (parser);
  while ((record = ntpac_tls_parser_take_record (parser)) != NULL)
    {
      g_variant_ref_sink (record);
      check_record (record);
      g_variant_unref (record);
    }
  for (guint i = 0; i < anomalies->len; i++)
    g_assert_true (g_str_has_prefix (anomalies->pdata[i], "tls."));
  return 0;
}
