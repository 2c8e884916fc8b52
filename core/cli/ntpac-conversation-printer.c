/* ntpac-conversation-printer.c: conversations as JSON lines
 *
 * One object per line, with the fields of the `conversations` export:
 * conversation, ts, transport, src, sport, dst, dport, input, frames,
 * first_ts, last_ts, protocol, packets, bytes_up, bytes_down,
 * missing_bytes, anomalies. Workers call from their threads, so a line is
 * built first and written under a lock.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-conversation-printer.h"
#include "ntpac-json-private.h"

struct _NtpacConversationPrinter
{
  FILE   *out;
  GMutex  lock;
};

NtpacConversationPrinter *
ntpac_conversation_printer_new (FILE *out)
{
  NtpacConversationPrinter *self = g_new0 (NtpacConversationPrinter, 1);

  self->out = out;
  g_mutex_init (&self->lock);
  return self;
}

void
ntpac_conversation_printer_free (NtpacConversationPrinter *self)
{
  if (self == NULL)
    return;
  g_mutex_clear (&self->lock);
  g_free (self);
}

typedef struct
{
  NtpacJson *json;
  guint32    first_input;
  gboolean   other_inputs;
} FrameWriter;

static gboolean
write_first_input_frame (guint32  input,
                         guint64  number,
                         gpointer user_data)
{
  FrameWriter *w = user_data;

  if (input == w->first_input)
    ntpac_json_uint (w->json, number);
  else
    w->other_inputs = TRUE;
  return TRUE;
}

typedef struct
{
  NtpacJson *json;
  guint32    first_input;
  gint64     open_input;
} OtherWriter;

/* Frames in inputs after the first, as {"input": N, "frames": [...]}. */
static gboolean
write_other_input_frame (guint32  input,
                         guint64  number,
                         gpointer user_data)
{
  OtherWriter *w = user_data;

  if (input == w->first_input)
    return TRUE;
  if (w->open_input != input)
    {
      if (w->open_input >= 0)
        {
          ntpac_json_end_array (w->json);
          ntpac_json_end_object (w->json);
        }
      ntpac_json_begin_object (w->json);
      ntpac_json_key (w->json, "input");
      ntpac_json_uint (w->json, input);
      ntpac_json_key (w->json, "frames");
      ntpac_json_begin_array (w->json);
      w->open_input = input;
    }
  ntpac_json_uint (w->json, number);
  return TRUE;
}

static void
json_address (NtpacJson          *json,
              const NtpacAddress *address)
{
  g_autofree gchar *text = ntpac_address_to_string (address);

  ntpac_json_string (json, text);
}

static void
json_time (NtpacJson *json,
           gint64     ts_ns)
{
  g_autofree gchar *text = ntpac_time_format_rfc3339 (ts_ns);

  ntpac_json_string (json, text);
}

/* The `conversations` export of one conversation, without a newline. */
gchar *
ntpac_conversation_to_json (const NtpacConversation *c)
{
  GString *out = g_string_sized_new (256);
  g_autofree gchar *id = ntpac_conversation_id_to_hex (&c->id);
  NtpacJson json;
  FrameWriter frames;

  ntpac_json_init (&json, out);
  ntpac_json_begin_object (&json);
  ntpac_json_key (&json, "conversation");
  ntpac_json_string (&json, id);
  ntpac_json_key (&json, "ts");
  json_time (&json, c->first_ts_ns);
  ntpac_json_key (&json, "transport");
  ntpac_json_string (&json, c->transport == NTPAC_TRANSPORT_TCP ? "tcp" : "udp");
  ntpac_json_key (&json, "src");
  json_address (&json, &c->tuple.src);
  ntpac_json_key (&json, "sport");
  ntpac_json_uint (&json, c->tuple.sport);
  ntpac_json_key (&json, "dst");
  json_address (&json, &c->tuple.dst);
  ntpac_json_key (&json, "dport");
  ntpac_json_uint (&json, c->tuple.dport);
  ntpac_json_key (&json, "input");
  ntpac_json_uint (&json, c->first_frame.input);
  ntpac_json_key (&json, "frames");
  ntpac_json_begin_array (&json);
  frames = (FrameWriter) { &json, c->first_frame.input, FALSE };
  ntpac_conversation_foreach_frame (c, write_first_input_frame, &frames);
  ntpac_json_end_array (&json);
  if (frames.other_inputs)
    {
      OtherWriter other = { &json, c->first_frame.input, -1 };

      /* A conversation that goes on in the next capture file. */
      ntpac_json_key (&json, "frames_in_other_inputs");
      ntpac_json_begin_array (&json);
      ntpac_conversation_foreach_frame (c, write_other_input_frame, &other);
      if (other.open_input >= 0)
        {
          ntpac_json_end_array (&json);
          ntpac_json_end_object (&json);
        }
      ntpac_json_end_array (&json);
    }
  ntpac_json_key (&json, "first_ts");
  json_time (&json, c->first_ts_ns);
  ntpac_json_key (&json, "last_ts");
  json_time (&json, c->last_ts_ns);
  ntpac_json_key (&json, "protocol");
  ntpac_json_string (&json, c->protocol);
  ntpac_json_key (&json, "packets");
  ntpac_json_uint (&json, c->packets);
  ntpac_json_key (&json, "bytes_up");
  ntpac_json_uint (&json, c->bytes[NTPAC_DIRECTION_UP]);
  ntpac_json_key (&json, "bytes_down");
  ntpac_json_uint (&json, c->bytes[NTPAC_DIRECTION_DOWN]);
  ntpac_json_key (&json, "missing_bytes");
  ntpac_json_uint (&json, c->missing_bytes[NTPAC_DIRECTION_UP] + c->missing_bytes[NTPAC_DIRECTION_DOWN]);
  ntpac_json_key (&json, "anomalies");
  ntpac_json_uint (&json, c->anomalies);
  ntpac_json_end_object (&json);
  return g_string_free (out, FALSE);
}

static void
printer_end (gpointer                 sink,
             const NtpacConversation *conversation)
{
  NtpacConversationPrinter *self = sink;
  g_autofree gchar *line = ntpac_conversation_to_json (conversation);

  g_mutex_lock (&self->lock);
  fputs (line, self->out);
  fputc ('\n', self->out);
  g_mutex_unlock (&self->lock);
}

static const NtpacConversationSinkFuncs printer_funcs = {
  .end = printer_end,
};

const NtpacConversationSinkFuncs *
ntpac_conversation_printer_funcs (void)
{
  return &printer_funcs;
}
