/* fuzz-http.c: arbitrary bytes through the http dissector
 *
 * The first byte holds flags: bit 0 an HTTP port (a port hint), bit 1 two
 * directions (the client's bytes up to the split point, the server's after
 * it) rather than one, bit 2 a gap of a few bytes at the split point of
 * the client's bytes, bits 3-4 small limits (header size, decoded size,
 * ratio), bits 5-7 the segment size. The next two bytes are the split
 * point. Besides memory errors (the build has ASan and UBSan) it checks
 * that every record is an a{sv} of a declared output, that every anomaly
 * is the dissector's or the core's, and that GLib criticals abort.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../ntpac-http-dissector.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Pushes @len bytes in segments of @segment bytes. */
static void
push_segments (NtpacHarness   *h,
               NtpacDirection  direction,
               const guint8   *data,
               gsize           len,
               gsize           segment)
{
  for (gsize off = 0; off < len; off += segment)
    ntpac_harness_push (h, direction, data + off, MIN (segment, len - off));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const gsize segments[] = { 1, 3, 7, 64, 536, 1460, 4096, G_MAXSIZE };
  g_autoptr(NtpacDissector) d = NULL;
  g_autoptr(NtpacHarness) h = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *anomalies;
  guint8 flags;
  gsize cut, len, segment;
  const guint8 *bytes;

  if (size < 3)
    return 0;
  flags = data[0];
  bytes = data + 3;
  len = size - 3;
  cut = ((gsize) data[1] << 8 | data[2]) % (len + 1);
  segment = segments[flags >> 5];
  switch ((flags >> 3) & 3)
    {
    case 1:
      d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, "max-header-size", 1024, "max-headers", 4,
                        "max-line-length", 256, NULL);
      break;
    case 2:
      d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, "max-decoded-size", (guint64) 4096, "max-ratio", 4, NULL);
      break;
    default:
      d = g_object_new (NTPAC_TYPE_HTTP_DISSECTOR, NULL);
      break;
    }
  h = ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 40000, (flags & 1) ? 80 : 40001);

  if (flags & 2)
    {
      push_segments (h, NTPAC_DIRECTION_UP, bytes, cut, segment);
      push_segments (h, NTPAC_DIRECTION_DOWN, bytes + cut, len - cut, segment);
    }
  else if (flags & 4)
    {
      gsize after = MIN (len - cut, 64);

      ntpac_harness_push_gap (h, NTPAC_DIRECTION_UP, bytes, cut, 1 + data[2] % 32, bytes + cut, after);
      push_segments (h, NTPAC_DIRECTION_UP, bytes + cut + after, len - cut - after, segment);
    }
  else
    push_segments (h, NTPAC_DIRECTION_UP, bytes, len, segment);
  ntpac_harness_end (h);

  records = ntpac_harness_get_records (h, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      GVariant *r = records->pdata[i];
      const gchar *output = NULL;

      if (!g_variant_is_of_type (r, G_VARIANT_TYPE_VARDICT) || !g_variant_lookup (r, "output", "&s", &output) ||
          (strcmp (output, "http") != 0 && strcmp (output, "objects") != 0))
        g_error ("record %u is not an http or objects record", i);
    }
  anomalies = ntpac_harness_get_anomalies (h);
  for (guint i = 0; i < anomalies->len; i++)
    {
      const gchar *id = anomalies->pdata[i];

      if (!g_str_has_prefix (id, "http.") && !g_str_has_prefix (id, "dissector."))
        g_error ("unexpected anomaly %s", id);
    }
  return 0;
}
