/* fuzz-wire.c: libFuzzer target for the messages a reassembler receives
 *
 * A cluster's messages come from the network. The input is one message as
 * received: it is parsed, and its body read the way a reassembler reads
 * it (frames, inputs, or the strings of an answer), to the end or to the
 * first malformed record. Frames read are checked to lie inside the input.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-wire-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  NtpacWireMessage m;
  NtpacWireReader r;
  NtpacFrame frame;
  NtpacInput input;
  g_autoptr(GError) error = NULL;

  if (!ntpac_wire_parse (data, size, &m, &error))
    return 0;
  ntpac_wire_reader_init (&r, &m);
  switch (m.type)
    {
    case NTPAC_WIRE_FRAMES:
      while (ntpac_wire_reader_next_frame (&r, &frame, &error))
        {
          g_assert (frame.data >= data && frame.data + frame.caplen <= data + size);
          g_assert (frame.caplen <= frame.origlen);
        }
      break;
    case NTPAC_WIRE_INPUTS:
    case NTPAC_WIRE_END:
      while (ntpac_wire_reader_next_input (&r, &input, &error))
        {
          g_assert (input.path != NULL);
          g_assert (input.n_link_types <= NTPAC_MAX_LINK_TYPES_PER_INPUT);
          ntpac_wire_input_clear (&input);
        }
      break;
    default:
      {
        guint64 value;
        gchar *text = NULL;

        while (ntpac_wire_reader_u64 (&r, &value, NULL) || ntpac_wire_reader_string (&r, &text, NULL))
          g_clear_pointer (&text, g_free);
        g_free (text);
      }
      break;
    }
  return 0;
}
