/* fuzz-decode.c: libFuzzer target for the L2-L4 decoder
 *
 * The input is a sequence of frames, each a link-type selector byte, a
 * 16-bit big-endian length and that many bytes, decoded by one decoder so
 * that fragment reassembly state carries from frame to frame.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <ntpac/ntpac.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(NtpacDecoder) decoder = NULL;
  NtpacDecoderConfig config;
  NtpacCursor c;
  guint64 number = 0;

  ntpac_decoder_config_init (&config);
  config.frag_memory_cap = 64 * 1024;  /* reach the cap quickly */
  decoder = ntpac_decoder_new (&config);
  ntpac_cursor_init (&c, data, size, size);
  for (;;)
    {
      guint8 selector;
      guint16 len;
      const guint8 *bytes;
      NtpacFrame frame = { 0 };
      NtpacPacket packet;

      if (!ntpac_cursor_get_u8 (&c, &selector) || !ntpac_cursor_get_u16_be (&c, &len))
        break;
      len = MIN (len, ntpac_cursor_remaining (&c));
      if (!ntpac_cursor_get_bytes (&c, len, &bytes))
        break;
      frame.ref.number = ++number;
      frame.ts_ns = (gint64) number * 1000000000;
      frame.data = bytes;
      frame.caplen = len;
      /* The top bit says the frame was cut by a snap length. */
      frame.origlen = (selector & 0x80) ? len + 100u : len;
      frame.linktype = fuzz_link_types[(selector & 0x7f) % G_N_ELEMENTS (fuzz_link_types)];
      ntpac_decoder_decode (decoder, &frame, &packet);
      ntpac_packet_clear (&packet);
    }
  ntpac_decoder_finish (decoder);
  return 0;
}
