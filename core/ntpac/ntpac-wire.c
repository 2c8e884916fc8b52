/* ntpac-wire.c: the messages between a cluster's balancer and its
 * reassemblers (see ntpac-wire-private.h; the byte layout is documented
 * in plugins/tcp-remote/README.md)
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ntpac-wire-private.h"

G_DEFINE_QUARK (ntpac-wire-error-quark, ntpac_wire_error)

/* ---- writing ---------------------------------------------------------- */

static void
put_u16 (GByteArray *b,
         guint16     v)
{
  guint8 le[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (b, le, 2);
}

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *b,
         guint64     v)
{
  guint64 le = GUINT64_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 8);
}

static void
put_string (GByteArray  *b,
            const gchar *text)
{
  gsize len = text != NULL ? MIN (strlen (text), NTPAC_WIRE_MAX_STRING) : 0;

  /* G_MAXUINT32 says "no value", which is not the empty string. */
  put_u32 (b, text != NULL ? (guint32) len : G_MAXUINT32);
  g_byte_array_append (b, (const guint8 *) text, (guint) len);
}

void
ntpac_wire_writer_init (NtpacWireWriter *w,
                        NtpacWireType    type,
                        guint32          shard,
                        guint32          n_shards,
                        guint64          seq,
                        guint32          flags)
{
  /* A batch of frames is sent once past 256 KiB: room for that and one
   * more frame, so that it is never copied to grow. */
  w->bytes = g_byte_array_sized_new (type == NTPAC_WIRE_FRAMES ? 256 * 1024 + 65536 + 2 * NTPAC_WIRE_FRAME_HEADER_SIZE
                                                               : 256);
  w->count = 0;
  put_u32 (w->bytes, NTPAC_WIRE_MAGIC);
  put_u16 (w->bytes, NTPAC_WIRE_VERSION);
  put_u16 (w->bytes, (guint16) type);
  put_u32 (w->bytes, shard);
  put_u32 (w->bytes, n_shards);
  put_u64 (w->bytes, seq);
  put_u32 (w->bytes, 0);          /* count, set when finished */
  put_u32 (w->bytes, flags);
}

static inline void
store_u16 (guint8  *p,
           guint16  v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static inline void
store_u32 (guint8  *p,
           guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static inline void
store_u64 (guint8  *p,
           guint64  v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

/* One frame: where it is in the evidence, when, how long, and its bytes.
 * This runs for every frame a balancer sends: the header is made on the
 * stack and appended whole. */
void
ntpac_wire_writer_add_frame (NtpacWireWriter  *w,
                             const NtpacFrame *frame)
{
  guint8 h[NTPAC_WIRE_FRAME_HEADER_SIZE];

  store_u32 (h, frame->ref.input);
  store_u16 (h + 4, (guint16) MIN (frame->linktype, G_MAXUINT16));
  store_u16 (h + 6, (guint16) MIN (frame->interface, G_MAXUINT16));
  store_u64 (h + 8, frame->ref.number);
  store_u64 (h + 16, frame->ref.offset);
  store_u64 (h + 24, (guint64) frame->ts_ns);
  store_u32 (h + 32, frame->caplen);
  store_u32 (h + 36, frame->origlen);
  g_byte_array_append (w->bytes, h, sizeof h);
  g_byte_array_append (w->bytes, frame->data, frame->caplen);
  w->count++;
}

void
ntpac_wire_writer_add_input (NtpacWireWriter  *w,
                             const NtpacInput *input)
{
  guint n = MIN (input->n_link_types, NTPAC_MAX_LINK_TYPES_PER_INPUT);

  put_u32 (w->bytes, input->id);
  put_u32 (w->bytes, (guint32) input->format);
  put_u32 (w->bytes, input->big_endian ? 1 : 0);
  put_u64 (w->bytes, input->size);
  put_u64 (w->bytes, input->frames);
  put_u64 (w->bytes, (guint64) input->first_ts_ns);
  put_u64 (w->bytes, (guint64) input->last_ts_ns);
  put_u64 (w->bytes, input->damage_offset);
  put_u32 (w->bytes, n);
  for (guint i = 0; i < n; i++)
    put_u32 (w->bytes, input->link_types[i]);
  put_string (w->bytes, input->path);
  put_string (w->bytes, input->sha256);
  put_string (w->bytes, input->damage);
  put_string (w->bytes, input->warning);
  put_string (w->bytes, input->error != NULL ? input->error->message : NULL);
  w->count++;
}

void
ntpac_wire_writer_add_u64 (NtpacWireWriter *w,
                           guint64          value)
{
  put_u64 (w->bytes, value);
}

void
ntpac_wire_writer_add_string (NtpacWireWriter *w,
                              const gchar     *text)
{
  put_string (w->bytes, text);
}

/* Bytes of any value (a sort key, a JSON text): a u32 length and them. */
void
ntpac_wire_writer_add_bytes (NtpacWireWriter *w,
                             const void      *data,
                             gsize            len)
{
  put_u32 (w->bytes, (guint32) MIN (len, NTPAC_WIRE_MAX_BYTES));
  g_byte_array_append (w->bytes, data, (guint) MIN (len, NTPAC_WIRE_MAX_BYTES));
}

void
ntpac_wire_writer_add_u32 (NtpacWireWriter *w,
                           guint32          value)
{
  put_u32 (w->bytes, value);
}

/* The count field of messages that carry a number there (HELLO's hash
 * version). */
void
ntpac_wire_writer_set_count (NtpacWireWriter *w,
                             guint32          count)
{
  w->count = count;
}

gsize
ntpac_wire_writer_get_size (const NtpacWireWriter *w)
{
  return w->bytes->len;
}

GBytes *
ntpac_wire_writer_finish (NtpacWireWriter *w)
{
  guint32 le = GUINT32_TO_LE (w->count);

  memcpy (w->bytes->data + 24, &le, 4);
  return g_byte_array_free_to_bytes (g_steal_pointer (&w->bytes));
}

void
ntpac_wire_writer_clear (NtpacWireWriter *w)
{
  g_clear_pointer (&w->bytes, g_byte_array_unref);
}

/* ---- reading ---------------------------------------------------------- */

static inline guint16
get_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static gboolean
malformed (GError     **error,
           const gchar *what)
{
  g_set_error (error, NTPAC_WIRE_ERROR, 0, _("Malformed message from the network: %s"), what);
  return FALSE;
}

/**
 * ntpac_wire_parse:
 * @data: (array length=len): a message as received
 * @len: its length
 * @message: (out caller-allocates): its header and body
 * @error: why it is not a message of this version
 *
 * Returns: whether @data is a message this engine understands
 */
gboolean
ntpac_wire_parse (const guint8      *data,
                  gsize              len,
                  NtpacWireMessage  *message,
                  GError           **error)
{
  guint16 version, type;

  if (len < NTPAC_WIRE_HEADER_SIZE)
    return malformed (error, _("shorter than its header"));
  if (get_u32 (data) != NTPAC_WIRE_MAGIC)
    return malformed (error, _("not an ntpac-engine message"));
  version = get_u16 (data + 4);
  if (version != NTPAC_WIRE_VERSION)
    {
      g_set_error (error, NTPAC_WIRE_ERROR, 0,
                   _("The peer speaks version %u of the cluster protocol, this engine version %u"),
                   version, NTPAC_WIRE_VERSION);
      return FALSE;
    }
  type = get_u16 (data + 6);
  if (type < NTPAC_WIRE_HELLO || type > NTPAC_WIRE_EXPORT)
    return malformed (error, _("unknown message type"));
  if (len > NTPAC_WIRE_MAX_BYTES + NTPAC_WIRE_HEADER_SIZE)
    return malformed (error, _("larger than any batch"));
  message->type = type;
  message->shard = get_u32 (data + 8);
  message->n_shards = get_u32 (data + 12);
  message->seq = get_u64 (data + 16);
  message->count = get_u32 (data + 24);
  message->flags = get_u32 (data + 28);
  message->body = data + NTPAC_WIRE_HEADER_SIZE;
  message->body_len = len - NTPAC_WIRE_HEADER_SIZE;
  if (message->type == NTPAC_WIRE_FRAMES && message->count > NTPAC_WIRE_MAX_FRAMES)
    return malformed (error, _("too many frames in one batch"));
  if ((message->type == NTPAC_WIRE_INPUTS || message->type == NTPAC_WIRE_END) &&
      message->count > NTPAC_WIRE_MAX_INPUTS)
    return malformed (error, _("too many inputs"));
  return TRUE;
}

void
ntpac_wire_reader_init (NtpacWireReader        *r,
                        const NtpacWireMessage *message)
{
  r->at = message->body;
  r->left = message->body_len;
  r->records_left = message->count;
}

static gboolean
take (NtpacWireReader  *r,
      gsize             n,
      const guint8    **p)
{
  if (r->left < n)
    return FALSE;
  *p = r->at;
  r->at += n;
  r->left -= n;
  return TRUE;
}

/**
 * ntpac_wire_reader_next_frame:
 * @r: a reader over a FRAMES message
 * @frame: (out caller-allocates): the next frame; its data points into the
 *   message, valid while the message is
 * @error: what was wrong with the message
 *
 * Returns: %TRUE with a frame, %FALSE at the end (@error unset) or on a
 *   malformed message (@error set)
 */
gboolean
ntpac_wire_reader_next_frame (NtpacWireReader  *r,
                              NtpacFrame       *frame,
                              GError          **error)
{
  const guint8 *h, *data;

  if (r->records_left == 0)
    {
      if (r->left != 0)
        return malformed (error, _("bytes after the last frame"));
      return FALSE;
    }
  if (!take (r, NTPAC_WIRE_FRAME_HEADER_SIZE, &h))
    return malformed (error, _("a frame header cut short"));
  memset (frame, 0, sizeof *frame);
  frame->ref.input = get_u32 (h);
  frame->linktype = get_u16 (h + 4);
  frame->interface = get_u16 (h + 6);
  frame->ref.number = get_u64 (h + 8);
  frame->ref.offset = get_u64 (h + 16);
  frame->ts_ns = (gint64) get_u64 (h + 24);
  frame->caplen = get_u32 (h + 32);
  frame->origlen = get_u32 (h + 36);
  if (frame->caplen > NTPAC_WIRE_MAX_BYTES || !take (r, frame->caplen, &data))
    return malformed (error, _("a frame longer than the bytes that follow"));
  if (frame->origlen < frame->caplen)
    return malformed (error, _("a frame captured longer than it was on the wire"));
  frame->data = data;
  r->records_left--;
  return TRUE;
}

gboolean
ntpac_wire_reader_u64 (NtpacWireReader  *r,
                       guint64          *value,
                       GError          **error)
{
  const guint8 *p;

  if (!take (r, 8, &p))
    return malformed (error, _("a number cut short"));
  *value = get_u64 (p);
  return TRUE;
}

gboolean
ntpac_wire_reader_u32 (NtpacWireReader  *r,
                       guint32          *value,
                       GError          **error)
{
  const guint8 *p;

  if (!take (r, 4, &p))
    return malformed (error, _("a number cut short"));
  *value = get_u32 (p);
  return TRUE;
}

/* Bytes that point into the message, valid while it is. */
gboolean
ntpac_wire_reader_bytes (NtpacWireReader  *r,
                         const guint8    **data,
                         gsize            *len,
                         GError          **error)
{
  const guint8 *p;
  guint32 n;

  if (!take (r, 4, &p))
    return malformed (error, _("a length cut short"));
  n = get_u32 (p);
  if (!take (r, n, data))
    return malformed (error, _("a value longer than the bytes that follow"));
  *len = n;
  return TRUE;
}

/* A string, or NULL; valid UTF-8 is not required of paths, but a string
 * with a NUL in it is refused. */
gboolean
ntpac_wire_reader_string (NtpacWireReader  *r,
                          gchar           **text,
                          GError          **error)
{
  const guint8 *p, *bytes;
  guint32 len;

  *text = NULL;
  if (!take (r, 4, &p))
    return malformed (error, _("a string length cut short"));
  len = get_u32 (p);
  if (len == G_MAXUINT32)
    return TRUE;
  if (len > NTPAC_WIRE_MAX_STRING || !take (r, len, &bytes))
    return malformed (error, _("a string longer than the bytes that follow"));
  if (memchr (bytes, '\0', len) != NULL)
    return malformed (error, _("a string with a NUL byte"));
  *text = g_strndup ((const gchar *) bytes, len);
  return TRUE;
}

/**
 * ntpac_wire_reader_next_input:
 * @r: a reader over an INPUTS or END message
 * @input: (out caller-allocates): the next input's record; clear it with
 *   ntpac_wire_input_clear()
 * @error: what was wrong with the message
 *
 * Returns: %TRUE with an input, %FALSE at the end (@error unset) or on a
 *   malformed message (@error set)
 */
gboolean
ntpac_wire_reader_next_input (NtpacWireReader  *r,
                              NtpacInput       *input,
                              GError          **error)
{
  const guint8 *h, *types;
  gchar *error_text = NULL;
  guint32 n;

  memset (input, 0, sizeof *input);
  if (r->records_left == 0)
    return FALSE;
  if (!take (r, 3 * 4 + 5 * 8 + 4, &h))
    return malformed (error, _("an input record cut short"));
  input->id = get_u32 (h);
  input->format = get_u32 (h + 4);
  if (input->format > NTPAC_CAPTURE_FORMAT_PCAPNG)
    input->format = NTPAC_CAPTURE_FORMAT_UNKNOWN;
  input->big_endian = get_u32 (h + 8) != 0;
  input->size = get_u64 (h + 12);
  input->frames = get_u64 (h + 20);
  input->first_ts_ns = (gint64) get_u64 (h + 28);
  input->last_ts_ns = (gint64) get_u64 (h + 36);
  input->damage_offset = get_u64 (h + 44);
  n = get_u32 (h + 52);
  if (n > NTPAC_MAX_LINK_TYPES_PER_INPUT || !take (r, (gsize) n * 4, &types))
    return malformed (error, _("an input with too many link types"));
  input->n_link_types = n;
  for (guint i = 0; i < n; i++)
    input->link_types[i] = get_u32 (types + 4 * i);
  if (!ntpac_wire_reader_string (r, &input->path, error) ||
      !ntpac_wire_reader_string (r, &input->sha256, error) ||
      !ntpac_wire_reader_string (r, &input->damage, error) ||
      !ntpac_wire_reader_string (r, &input->warning, error) ||
      !ntpac_wire_reader_string (r, &error_text, error))
    {
      ntpac_wire_input_clear (input);
      return FALSE;
    }
  if (input->path == NULL)
    {
      g_free (error_text);
      ntpac_wire_input_clear (input);
      return malformed (error, _("an input without a path"));
    }
  if (error_text != NULL)
    input->error = g_error_new_literal (NTPAC_WIRE_ERROR, 1, error_text);
  g_free (error_text);
  r->records_left--;
  return TRUE;
}

gboolean
ntpac_wire_reader_is_done (const NtpacWireReader *r)
{
  return r->records_left == 0 && r->left == 0;
}

void
ntpac_wire_input_clear (NtpacInput *input)
{
  g_clear_pointer (&input->path, g_free);
  g_clear_pointer (&input->sha256, g_free);
  g_clear_pointer (&input->damage, g_free);
  g_clear_pointer (&input->warning, g_free);
  g_clear_error (&input->error);
}
