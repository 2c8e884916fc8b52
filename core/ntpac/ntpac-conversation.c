/* ntpac-conversation.c: L7 conversations, their PDUs and provenance
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-conversation.h"

void
ntpac_conversation_id_make (NtpacConversationId *id,
                            gint64               first_ts_ns,
                            guint16              node,
                            guint16              worker,
                            guint32              sequence)
{
  guint64 ts = GUINT64_TO_BE ((guint64) first_ts_ns);
  guint16 n = GUINT16_TO_BE (node), w = GUINT16_TO_BE (worker);
  guint32 s = GUINT32_TO_BE (sequence);

  memcpy (id->bytes, &ts, 8);
  memcpy (id->bytes + 8, &n, 2);
  memcpy (id->bytes + 10, &w, 2);
  memcpy (id->bytes + 12, &s, 4);
}

/**
 * ntpac_conversation_id_to_hex:
 * @id: an id
 *
 * Returns: (transfer full): 32 lower-case hex digits
 * Since: 0.1
 */
gchar *
ntpac_conversation_id_to_hex (const NtpacConversationId *id)
{
  static const gchar digits[] = "0123456789abcdef";
  gchar *hex = g_malloc (33);

  for (guint i = 0; i < 16; i++)
    {
      hex[2 * i] = digits[id->bytes[i] >> 4];
      hex[2 * i + 1] = digits[id->bytes[i] & 0xf];
    }
  hex[32] = '\0';
  return hex;
}

gboolean
ntpac_conversation_id_from_hex (const gchar         *hex,
                                NtpacConversationId *id)
{
  if (hex == NULL || strlen (hex) != 32)
    return FALSE;
  for (guint i = 0; i < 16; i++)
    {
      gint hi = g_ascii_xdigit_value (hex[2 * i]);
      gint lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      id->bytes[i] = (guint8) ((hi << 4) | lo);
    }
  return TRUE;
}

NtpacConversation *
ntpac_conversation_new (guint8 transport)
{
  NtpacConversation *self = g_new0 (NtpacConversation, 1);

  self->transport = transport;
  self->frame_numbers = g_byte_array_new ();
  return self;
}

void
ntpac_conversation_free (NtpacConversation *self)
{
  if (self == NULL)
    return;
  g_free (self->protocol);
  g_byte_array_unref (self->frame_numbers);
  g_free (self);
}

static void
put_varint (GByteArray *out,
            guint64     value)
{
  guint8 buf[10];
  guint n = 0;

  do
    {
      buf[n] = value & 0x7f;
      value >>= 7;
      if (value != 0)
        buf[n] |= 0x80;
      n++;
    }
  while (value != 0);
  g_byte_array_append (out, buf, n);
}

static gboolean
get_varint (const guint8 *data,
            gsize         len,
            gsize        *pos,
            guint64      *value)
{
  guint64 v = 0;

  for (guint shift = 0; shift < 64 && *pos < len; shift += 7)
    {
      guint8 b = data[(*pos)++];

      v |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          *value = v;
          return TRUE;
        }
    }
  return FALSE;
}

/* Frames are kept as varints: the gap to the previous frame number in the
 * same input, times two; an odd value switches input first (then the
 * input id and the frame number follow). About 1.2 bytes a frame. */
void
ntpac_conversation_add_frame (NtpacConversation   *self,
                              const NtpacFrameRef *frame)
{
  if (self->n_frames == 0 || frame->input != self->last_input || frame->number < self->last_number)
    {
      put_varint (self->frame_numbers, 1);
      put_varint (self->frame_numbers, frame->input);
      put_varint (self->frame_numbers, frame->number);
    }
  else
    put_varint (self->frame_numbers, (frame->number - self->last_number) * 2);
  self->last_input = frame->input;
  self->last_number = frame->number;
  self->n_frames++;
}

/**
 * ntpac_conversation_foreach_frame:
 * @self: a conversation
 * @func: called with each frame's input and number, in order; returning
 *   %FALSE stops
 * @user_data: passed to @func
 *
 * Since: 0.1
 */
void
ntpac_conversation_foreach_frame (const NtpacConversation *self,
                                  NtpacFrameNumberFunc     func,
                                  gpointer                 user_data)
{
  ntpac_frame_list_foreach (self->frame_numbers->data, self->frame_numbers->len, func, user_data);
}

/**
 * ntpac_frame_list_foreach:
 * @data: (array length=len): a compact frame list (as stored)
 * @len: its length
 * @func: called with each frame's input and number; %FALSE stops
 * @user_data: passed to @func
 *
 * Since: 0.1
 */
void
ntpac_frame_list_foreach (const guint8         *data,
                          gsize                 len,
                          NtpacFrameNumberFunc  func,
                          gpointer              user_data)
{
  gsize pos = 0;
  guint64 input = 0, number = 0, v;

  while (pos < len && get_varint (data, len, &pos, &v))
    {
      if (v & 1)
        {
          if (!get_varint (data, len, &pos, &input) || !get_varint (data, len, &pos, &number))
            return;
        }
      else
        number += v / 2;
      if (!func ((guint32) input, number, user_data))
        return;
    }
}

guint64
ntpac_conversation_get_n_frames (const NtpacConversation *self)
{
  return self->n_frames;
}

const gchar *
ntpac_conversation_end_to_string (NtpacConversationEnd end)
{
  switch (end)
    {
    case NTPAC_CONVERSATION_END_OPEN:
      return "open";
    case NTPAC_CONVERSATION_END_FIN:
      return "fin";
    case NTPAC_CONVERSATION_END_RST:
      return "rst";
    case NTPAC_CONVERSATION_END_IDLE:
      return "idle";
    case NTPAC_CONVERSATION_END_CAPTURE:
      return "capture-end";
    case NTPAC_CONVERSATION_END_REUSED:
      return "reused";
    case NTPAC_CONVERSATION_END_EVICTED:
      return "evicted";
    case NTPAC_CONVERSATION_END_FAILED:
    default:
      return "failed";
    }
}

NtpacPdu *
ntpac_pdu_new (NtpacDirection direction)
{
  NtpacPdu *pdu = g_new0 (NtpacPdu, 1);

  pdu->direction = direction;
  pdu->segments = g_array_new (FALSE, FALSE, sizeof (NtpacPduSegment));
  pdu->gaps = g_array_new (FALSE, FALSE, sizeof (NtpacPduGap));
  return pdu;
}

void
ntpac_pdu_free (NtpacPdu *pdu)
{
  if (pdu == NULL)
    return;
  g_clear_pointer (&pdu->payload, ntpac_buffer_unref);
  g_array_unref (pdu->segments);
  g_array_unref (pdu->gaps);
  g_free (pdu);
}
