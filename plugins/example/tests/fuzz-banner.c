/* fuzz-banner.c: arbitrary bytes through the banner dissector
 *
 * The first byte chooses where the input is cut into two PDUs, the second
 * whether a gap falls between them; what is left is the client's bytes
 * then the server's.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <stdint.h>

#include "../ntpac-banner-dissector.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(NtpacDissector) d = NULL;
  g_autoptr(NtpacHarness) h = NULL;
  size_t cut;

  if (size < 2)
    return 0;
  d = g_object_new (NTPAC_TYPE_BANNER_DISSECTOR, "max-length", 16 + data[1], NULL);
  h = ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 40000, 25);
  cut = data[0] % (size - 1);
  if (data[1] & 1)
    ntpac_harness_push_gap (h, NTPAC_DIRECTION_UP, data + 2, cut, 10, NULL, 0);
  else
    ntpac_harness_push (h, NTPAC_DIRECTION_UP, data + 2, cut);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, data + 2 + cut, size - 2 - cut);
  ntpac_harness_end (h);
  return 0;
}
