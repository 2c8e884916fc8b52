/* ntpac-cursor.h: bounds-checked reading of untrusted bytes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>
#include <string.h>

#include "ntpac-buffer.h"

G_BEGIN_DECLS

/**
 * NtpacCursorFlags:
 * @NTPAC_CURSOR_PAST_CAPTURED: a read needed bytes that existed on the wire
 *   but are not held (the capture was cut, or a stream has not delivered
 *   them yet)
 * @NTPAC_CURSOR_PAST_REPORTED: a read went past the end of the data that
 *   existed: the structure is malformed
 *
 * What went wrong with a cursor; failed reads never move it.
 */
typedef enum
{
  NTPAC_CURSOR_PAST_CAPTURED = 1 << 0,
  NTPAC_CURSOR_PAST_REPORTED = 1 << 1,
} NtpacCursorFlags;

/**
 * NTPAC_CURSOR_OPEN_END:
 *
 * A reported length for bytes of a stream whose end is not known yet:
 * running out of them means "incomplete", never "malformed".
 */
#define NTPAC_CURSOR_OPEN_END G_MAXSIZE

/**
 * NtpacCursor:
 * @data: the bytes
 * @captured: how many bytes of @data can be read
 * @reported: how many bytes existed (at least @captured)
 * @pos: the read position, never past @captured
 * @flags: #NtpacCursorFlags of failed reads
 * @needed: position a failed read needed to reach (for "incomplete")
 *
 * A read position over untrusted bytes. Every getter checks its bounds and
 * returns %FALSE instead of reading past them (GStreamer's GstByteReader,
 * with Wireshark's captured/reported distinction).
 */
typedef struct
{
  const guint8 *data;
  gsize         captured;
  gsize         reported;
  gsize         pos;
  guint         flags;
  gsize         needed;
} NtpacCursor;

/**
 * NtpacDissectStatus:
 * @NTPAC_DISSECT_STATUS_OK: the bytes were understood
 * @NTPAC_DISSECT_STATUS_REJECT: the bytes are not this protocol
 * @NTPAC_DISSECT_STATUS_MALFORMED: the bytes are this protocol, but broken
 * @NTPAC_DISSECT_STATUS_INCOMPLETE: more bytes are needed
 */
typedef enum
{
  NTPAC_DISSECT_STATUS_OK,
  NTPAC_DISSECT_STATUS_REJECT,
  NTPAC_DISSECT_STATUS_MALFORMED,
  NTPAC_DISSECT_STATUS_INCOMPLETE,
} NtpacDissectStatus;

/**
 * NtpacDissectResult:
 * @status: what happened
 * @consumed: bytes consumed from the start of the input
 * @needed: for %NTPAC_DISSECT_STATUS_INCOMPLETE, the total number of bytes
 *   (from the start of the input) wanted before trying again, or 0 if unknown
 */
typedef struct
{
  NtpacDissectStatus status;
  gsize              consumed;
  gsize              needed;
} NtpacDissectResult;

#define NTPAC_DISSECT_OK(consumed_) \
  ((NtpacDissectResult) { NTPAC_DISSECT_STATUS_OK, (consumed_), 0 })
#define NTPAC_DISSECT_REJECT \
  ((NtpacDissectResult) { NTPAC_DISSECT_STATUS_REJECT, 0, 0 })
#define NTPAC_DISSECT_MALFORMED(consumed_) \
  ((NtpacDissectResult) { NTPAC_DISSECT_STATUS_MALFORMED, (consumed_), 0 })
#define NTPAC_DISSECT_INCOMPLETE(consumed_, needed_) \
  ((NtpacDissectResult) { NTPAC_DISSECT_STATUS_INCOMPLETE, (consumed_), (needed_) })

static inline void
ntpac_cursor_init (NtpacCursor   *c,
                   gconstpointer  data,
                   gsize          captured,
                   gsize          reported)
{
  c->data = data;
  c->captured = captured;
  c->reported = MAX (reported, captured);
  c->pos = 0;
  c->flags = 0;
  c->needed = 0;
}

static inline NtpacCursor
ntpac_cursor_from_buffer (NtpacBuffer *buf)
{
  NtpacCursor c;
  gsize captured;
  const guint8 *data = ntpac_buffer_get_data (buf, &captured);

  ntpac_cursor_init (&c, data, captured, ntpac_buffer_get_reported (buf));
  return c;
}

/**
 * NTPAC_CURSOR_INIT:
 * @buf: an #NtpacBuffer
 *
 * Initialiser of a cursor at the start of @buf.
 */
#define NTPAC_CURSOR_INIT(buf) ntpac_cursor_from_buffer (buf)

/* Records why @n more bytes cannot be read; the caller returns FALSE. */
static inline gboolean
ntpac_cursor_fail (NtpacCursor *c,
                   gsize        n)
{
  if (c->reported - c->pos >= n)
    c->flags |= NTPAC_CURSOR_PAST_CAPTURED;
  else
    c->flags |= NTPAC_CURSOR_PAST_REPORTED;
  c->needed = (G_MAXSIZE - c->pos >= n) ? c->pos + n : G_MAXSIZE;
  return FALSE;
}

static inline gboolean
ntpac_cursor_has (NtpacCursor *c,
                  gsize        n)
{
  return c->captured - c->pos >= n;
}

#define NTPAC_CURSOR_NEED(c, n) \
  G_STMT_START { if (G_UNLIKELY (!ntpac_cursor_has ((c), (n)))) return ntpac_cursor_fail ((c), (n)); } G_STMT_END

static inline gsize
ntpac_cursor_remaining (const NtpacCursor *c)
{
  return c->captured - c->pos;
}

static inline gsize
ntpac_cursor_reported_remaining (const NtpacCursor *c)
{
  return c->reported - c->pos;
}

static inline gsize
ntpac_cursor_tell (const NtpacCursor *c)
{
  return c->pos;
}

static inline const guint8 *
ntpac_cursor_here (const NtpacCursor *c)
{
  return c->data + c->pos;
}

static inline gboolean
ntpac_cursor_is_truncated (const NtpacCursor *c)
{
  return (c->flags & NTPAC_CURSOR_PAST_CAPTURED) != 0 &&
         (c->flags & NTPAC_CURSOR_PAST_REPORTED) == 0;
}

static inline gboolean
ntpac_cursor_is_malformed (const NtpacCursor *c)
{
  return (c->flags & NTPAC_CURSOR_PAST_REPORTED) != 0;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_skip (NtpacCursor *c,
                   gsize        n)
{
  NTPAC_CURSOR_NEED (c, n);
  c->pos += n;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_peek_u8 (NtpacCursor *c,
                      guint8      *out)
{
  NTPAC_CURSOR_NEED (c, 1);
  *out = c->data[c->pos];
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_peek_u16_be (NtpacCursor *c,
                          guint16     *out)
{
  NTPAC_CURSOR_NEED (c, 2);
  *out = (guint16) (((guint) c->data[c->pos] << 8) | c->data[c->pos + 1]);
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u8 (NtpacCursor *c,
                     guint8      *out)
{
  NTPAC_CURSOR_NEED (c, 1);
  *out = c->data[c->pos++];
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u16_be (NtpacCursor *c,
                         guint16     *out)
{
  NTPAC_CURSOR_NEED (c, 2);
  *out = (guint16) (((guint) c->data[c->pos] << 8) | c->data[c->pos + 1]);
  c->pos += 2;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u16_le (NtpacCursor *c,
                         guint16     *out)
{
  NTPAC_CURSOR_NEED (c, 2);
  *out = (guint16) (((guint) c->data[c->pos + 1] << 8) | c->data[c->pos]);
  c->pos += 2;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u24_be (NtpacCursor *c,
                         guint32     *out)
{
  NTPAC_CURSOR_NEED (c, 3);
  *out = ((guint32) c->data[c->pos] << 16) | ((guint32) c->data[c->pos + 1] << 8) |
         c->data[c->pos + 2];
  c->pos += 3;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u32_be (NtpacCursor *c,
                         guint32     *out)
{
  guint32 v;

  NTPAC_CURSOR_NEED (c, 4);
  memcpy (&v, c->data + c->pos, 4);
  *out = GUINT32_FROM_BE (v);
  c->pos += 4;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u32_le (NtpacCursor *c,
                         guint32     *out)
{
  guint32 v;

  NTPAC_CURSOR_NEED (c, 4);
  memcpy (&v, c->data + c->pos, 4);
  *out = GUINT32_FROM_LE (v);
  c->pos += 4;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u64_be (NtpacCursor *c,
                         guint64     *out)
{
  guint64 v;

  NTPAC_CURSOR_NEED (c, 8);
  memcpy (&v, c->data + c->pos, 8);
  *out = GUINT64_FROM_BE (v);
  c->pos += 8;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_u64_le (NtpacCursor *c,
                         guint64     *out)
{
  guint64 v;

  NTPAC_CURSOR_NEED (c, 8);
  memcpy (&v, c->data + c->pos, 8);
  *out = GUINT64_FROM_LE (v);
  c->pos += 8;
  return TRUE;
}

/* Points @out at the next @n bytes (no copy) and moves past them. */
G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_bytes (NtpacCursor   *c,
                        gsize          n,
                        const guint8 **out)
{
  NTPAC_CURSOR_NEED (c, n);
  *out = c->data + c->pos;
  c->pos += n;
  return TRUE;
}

G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_copy_bytes (NtpacCursor *c,
                         gsize        n,
                         gpointer     out)
{
  NTPAC_CURSOR_NEED (c, n);
  memcpy (out, c->data + c->pos, n);
  c->pos += n;
  return TRUE;
}

/* A cursor over the next @n bytes (a length-prefixed structure); the
 * parent moves past them. */
G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_get_sub (NtpacCursor *c,
                      gsize        n,
                      NtpacCursor *sub)
{
  NTPAC_CURSOR_NEED (c, n);
  ntpac_cursor_init (sub, c->data + c->pos, n, n);
  c->pos += n;
  return TRUE;
}

/* A cursor over what is left, keeping the reported length, so reads in
 * it fail the same way reads in @c would. @c does not move. */
static inline NtpacCursor
ntpac_cursor_rest (const NtpacCursor *c)
{
  NtpacCursor rest;

  ntpac_cursor_init (&rest, c->data + c->pos, c->captured - c->pos,
                     c->reported - c->pos);
  return rest;
}

/* Moves the read position to @offset from the start (for compressed
 * names and offsets that point backwards). */
G_GNUC_WARN_UNUSED_RESULT static inline gboolean
ntpac_cursor_seek (NtpacCursor *c,
                   gsize        offset)
{
  if (offset > c->captured)
    {
      c->pos = MIN (c->pos, c->captured);
      if (offset > c->reported)
        c->flags |= NTPAC_CURSOR_PAST_REPORTED;
      else
        c->flags |= NTPAC_CURSOR_PAST_CAPTURED;
      c->needed = offset;
      return FALSE;
    }
  c->pos = offset;
  return TRUE;
}

/**
 * ntpac_cursor_result:
 * @c: a cursor after a failed read
 *
 * Returns: %NTPAC_DISSECT_STATUS_INCOMPLETE with the position the failed
 *   read needed if the bytes were only not held (yet), else
 *   %NTPAC_DISSECT_STATUS_MALFORMED
 */
static inline NtpacDissectResult
ntpac_cursor_result (const NtpacCursor *c)
{
  if (ntpac_cursor_is_malformed (c))
    return NTPAC_DISSECT_MALFORMED (0);
  return NTPAC_DISSECT_INCOMPLETE (0, c->needed);
}

G_END_DECLS
