/* ntpac-banner-dissector.c: the `banner` dissector, an example to copy
 *
 * Records the first line each side of a TCP conversation sends: the
 * greeting of SSH, SMTP, FTP, POP3, IMAP and many other line-based
 * protocols, which names the software and often its version. It shows
 * every part of a dissector: class metadata (inputs, outputs, anomalies),
 * a setting, a probe, per-conversation state, reading with a cursor,
 * asking for more bytes, gaps, and emitting records with their frames.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-banner-dissector.h"

struct _NtpacBannerDissector
{
  NtpacDissector parent_instance;
  guint          max_length;      /* the `max-length` setting */
};

/* What the dissector remembers of one conversation. */
typedef struct
{
  gboolean       done[2];         /* this side's line was recorded */
  NtpacFrameSet *frames[2];       /* frames of the line so far */
} BannerState;

enum
{
  PROP_0,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (NtpacBannerDissector, ntpac_banner_dissector, NTPAC_TYPE_DISSECTOR)

/* A banner is printable text: the probe accepts what starts with a few
 * printable bytes (letters, digits, punctuation) and has no control byte
 * other than CR, LF and TAB before its first line ends. */
static gboolean
looks_like_text (const guint8 *data,
                 gsize         len)
{
  gsize n = MIN (len, 64);

  if (len < 3)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (data[i] == '\n')
        return i >= 3;
      if (data[i] != '\r' && data[i] != '\t' && (data[i] < 0x20 || data[i] > 0x7e))
        return FALSE;
    }
  return TRUE;
}

static gboolean
ntpac_banner_dissector_probe (NtpacDissector    *dissector,
                              NtpacDissectInput  input,
                              NtpacDirection     direction,
                              const guint8      *data,
                              gsize              len,
                              gboolean           port_hint)
{
  /* Without a port that hints at a banner, ask for a whole first line, so
   * that text protocols with dissectors of their own (HTTP) are not taken:
   * those rank higher and are tried first anyway. */
  if (!looks_like_text (data, len))
    return FALSE;
  return port_hint || memchr (data, '\n', MIN (len, 64)) != NULL;
}

static gpointer
ntpac_banner_dissector_conversation_start (NtpacDissector      *dissector,
                                           NtpacDissectContext *ctx)
{
  BannerState *state = g_new0 (BannerState, 1);

  state->frames[0] = ntpac_frame_set_new ();
  state->frames[1] = ntpac_frame_set_new ();
  return state;
}

static void
emit (NtpacBannerDissector *self,
      NtpacDissectContext  *ctx,
      BannerState          *state,
      NtpacDirection        direction,
      const gchar          *text,
      gsize                 len,
      gboolean              complete)
{
  g_autofree gchar *line = g_utf8_make_valid (text, len);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "side",
                         g_variant_new_string (direction == NTPAC_DIRECTION_UP ? "client" : "server"));
  g_variant_builder_add (&b, "{sv}", "text", g_variant_new_string (line));
  g_variant_builder_add (&b, "{sv}", "complete", g_variant_new_boolean (complete));
  ntpac_dissect_context_emit (ctx, "banner", g_variant_builder_end (&b), state->frames[direction], NULL);
  state->done[direction] = TRUE;
}

static NtpacDissectResult
ntpac_banner_dissector_dissect (NtpacDissector      *dissector,
                                NtpacDissectContext *ctx,
                                gpointer             data,
                                NtpacDirection       direction,
                                NtpacCursor         *cursor)
{
  NtpacBannerDissector *self = NTPAC_BANNER_DISSECTOR (dissector);
  BannerState *state = data;
  gsize available = ntpac_cursor_remaining (cursor);
  const guint8 *bytes;
  const guint8 *end;
  gsize line_len;

  /* After the first line, the rest of the side's bytes are not ours. */
  if (state->done[direction])
    return NTPAC_DISSECT_OK (available);

  if (!ntpac_cursor_get_bytes (cursor, MIN (available, self->max_length), &bytes))
    return ntpac_cursor_result (cursor);
  /* The line is offered from its start each time: gather its frames anew. */
  ntpac_frame_set_clear (state->frames[direction]);
  ntpac_dissect_context_add_frames (ctx, state->frames[direction], 0, MIN (available, self->max_length));
  end = memchr (bytes, '\n', MIN (available, self->max_length));
  if (end == NULL)
    {
      if (available < self->max_length)
        return NTPAC_DISSECT_INCOMPLETE (0, available + 1);  /* the line goes on */
      ntpac_dissect_context_anomaly (ctx, "banner.too-long", 0);
      emit (self, ctx, state, direction, (const gchar *) bytes, self->max_length, FALSE);
      return NTPAC_DISSECT_OK (available);
    }
  line_len = end - bytes;
  if (line_len > 0 && bytes[line_len - 1] == '\r')
    line_len--;
  emit (self, ctx, state, direction, (const gchar *) bytes, line_len, TRUE);
  return NTPAC_DISSECT_OK (available);
}

/* Bytes were lost: a line that was under way cannot be completed. */
static void
ntpac_banner_dissector_gap (NtpacDissector      *dissector,
                            NtpacDissectContext *ctx,
                            gpointer             data,
                            NtpacDirection       direction,
                            guint64              missing)
{
  BannerState *state = data;

  state->done[direction] = TRUE;
}

static void
ntpac_banner_dissector_conversation_end (NtpacDissector      *dissector,
                                         NtpacDissectContext *ctx,
                                         gpointer             data)
{
  BannerState *state = data;

  if (state == NULL)
    return;
  ntpac_frame_set_free (state->frames[0]);
  ntpac_frame_set_free (state->frames[1]);
  g_free (state);
}

static void
ntpac_banner_dissector_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  NtpacBannerDissector *self = NTPAC_BANNER_DISSECTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_LENGTH:
      self->max_length = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ntpac_banner_dissector_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  NtpacBannerDissector *self = NTPAC_BANNER_DISSECTOR (object);

  switch (prop_id)
    {
    case PROP_MAX_LENGTH:
      g_value_set_uint (value, self->max_length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ntpac_banner_dissector_class_init (NtpacBannerDissectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  object_class->set_property = ntpac_banner_dissector_set_property;
  object_class->get_property = ntpac_banner_dissector_get_property;
  /* Settings are GObject properties: a pipeline sets them by name. */
  properties[PROP_MAX_LENGTH] =
    g_param_spec_uint ("max-length", "Maximum length", "bytes of a banner kept, 16 to 4096",
                       16, 4096, 256, G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ntpac_dissector_class_set_metadata (dc, "banner", "First line of each side of text protocols");
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_TCP_STREAM, "21,22,25,110,143,587");
  ntpac_dissector_class_add_output (dc, "banner", "The first line each side sent");
  ntpac_dissector_class_add_anomaly (dc, "banner.too-long", NTPAC_SEVERITY_INFO,
                                     "A first line longer than max-length: it was cut");
  dc->probe = ntpac_banner_dissector_probe;
  dc->conversation_start = ntpac_banner_dissector_conversation_start;
  dc->dissect = ntpac_banner_dissector_dissect;
  dc->gap = ntpac_banner_dissector_gap;
  dc->conversation_end = ntpac_banner_dissector_conversation_end;
}

static void
ntpac_banner_dissector_init (NtpacBannerDissector *self)
{
}
