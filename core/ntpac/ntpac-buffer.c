/* ntpac-buffer.c: refcounted, immutable packet bytes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-buffer.h"

struct _NtpacBuffer
{
  gatomicrefcount  ref_count;
  const guint8    *data;
  gsize            captured;
  gsize            reported;
  gpointer         owned;       /* freed with g_free(), or NULL */
  NtpacBuffer     *parent;      /* kept alive by a sub-buffer, or NULL */
  GBytes          *bytes;       /* kept alive when wrapping a GBytes */
};

static NtpacBuffer *
buffer_alloc (const guint8 *data,
              gsize         captured,
              gsize         reported)
{
  NtpacBuffer *self = g_new0 (NtpacBuffer, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->data = data;
  self->captured = captured;
  self->reported = MAX (reported, captured);
  return self;
}

/**
 * ntpac_buffer_new_copy:
 * @data: (array length=captured): the bytes
 * @captured: number of bytes held
 * @reported: number of bytes on the wire (at least @captured)
 *
 * Returns: (transfer full): a buffer holding a copy of @data
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_new_copy (gconstpointer data,
                       gsize         captured,
                       gsize         reported)
{
  g_return_val_if_fail (data != NULL || captured == 0, NULL);
  return ntpac_buffer_new_take (g_memdup2 (data, captured), captured, reported);
}

/**
 * ntpac_buffer_new_take:
 * @data: (transfer full): memory allocated with g_malloc()
 * @captured: number of bytes held
 * @reported: number of bytes on the wire (at least @captured)
 *
 * Returns: (transfer full): a buffer that owns @data
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_new_take (gpointer data,
                       gsize    captured,
                       gsize    reported)
{
  NtpacBuffer *self = buffer_alloc (data, captured, reported);

  self->owned = data;
  return self;
}

/**
 * ntpac_buffer_new_static:
 * @data: bytes that outlive the buffer
 * @captured: number of bytes held
 * @reported: number of bytes on the wire (at least @captured)
 *
 * Returns: (transfer full): a buffer over @data, which is not copied
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_new_static (gconstpointer data,
                         gsize         captured,
                         gsize         reported)
{
  g_return_val_if_fail (data != NULL || captured == 0, NULL);
  return buffer_alloc (data, captured, reported);
}

/**
 * ntpac_buffer_new_from_bytes:
 * @bytes: the bytes, captured and reported length alike
 *
 * Returns: (transfer full): a buffer sharing the memory of @bytes
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_new_from_bytes (GBytes *bytes)
{
  gsize size;
  const guint8 *data;
  NtpacBuffer *self;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &size);
  self = buffer_alloc (data, size, size);
  self->bytes = g_bytes_ref (bytes);
  return self;
}

/**
 * ntpac_buffer_sub:
 * @parent: a buffer
 * @offset: start of the sub-buffer, within the reported length of @parent
 * @length: reported length of the sub-buffer
 *
 * Makes a buffer that shares the memory of @parent. Its captured length is
 * what @parent holds of the range, so a sub-buffer of a truncated packet is
 * itself truncated.
 *
 * Returns: (transfer full): the sub-buffer
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_sub (NtpacBuffer *parent,
                  gsize        offset,
                  gsize        length)
{
  NtpacBuffer *self;
  gsize captured;

  g_return_val_if_fail (parent != NULL, NULL);
  g_return_val_if_fail (offset <= parent->reported, NULL);
  g_return_val_if_fail (length <= parent->reported - offset, NULL);

  captured = offset < parent->captured ? MIN (length, parent->captured - offset) : 0;
  self = buffer_alloc (parent->data + MIN (offset, parent->captured), captured, length);
  self->parent = ntpac_buffer_ref (parent);
  return self;
}

/**
 * ntpac_buffer_ref:
 * @self: a buffer
 *
 * Returns: (transfer full): @self
 * Since: 0.1
 */
NtpacBuffer *
ntpac_buffer_ref (NtpacBuffer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * ntpac_buffer_unref:
 * @self: (transfer full): a buffer
 *
 * Drops a reference; the last one frees the buffer.
 * Since: 0.1
 */
void
ntpac_buffer_unref (NtpacBuffer *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->owned);
  g_clear_pointer (&self->parent, ntpac_buffer_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self);
}

/**
 * ntpac_buffer_get_data:
 * @self: a buffer
 * @captured: (out) (optional): number of bytes held
 *
 * Returns: (transfer none) (array length=captured): the bytes held
 * Since: 0.1
 */
const guint8 *
ntpac_buffer_get_data (NtpacBuffer *self,
                       gsize       *captured)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (captured != NULL)
    *captured = self->captured;
  return self->data;
}

/**
 * ntpac_buffer_get_captured:
 * @self: a buffer
 *
 * Returns: the number of bytes held
 * Since: 0.1
 */
gsize
ntpac_buffer_get_captured (NtpacBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->captured;
}

/**
 * ntpac_buffer_get_reported:
 * @self: a buffer
 *
 * Returns: the number of bytes that existed on the wire
 * Since: 0.1
 */
gsize
ntpac_buffer_get_reported (NtpacBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->reported;
}
