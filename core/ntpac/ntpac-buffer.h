/* ntpac-buffer.h: refcounted, immutable packet bytes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * NtpacBuffer:
 *
 * Immutable bytes with two lengths: the *captured* length (bytes held in
 * memory) and the *reported* length (bytes that existed on the wire, which
 * is larger when the capture was cut by a snap length). A buffer is
 * refcounted and can be shared between threads once built; sub-buffers
 * share the memory of their parent.
 */
typedef struct _NtpacBuffer NtpacBuffer;

NtpacBuffer  *ntpac_buffer_new_copy      (gconstpointer  data,
                                          gsize          captured,
                                          gsize          reported);
NtpacBuffer  *ntpac_buffer_new_take      (gpointer       data,
                                          gsize          captured,
                                          gsize          reported);
NtpacBuffer  *ntpac_buffer_new_static    (gconstpointer  data,
                                          gsize          captured,
                                          gsize          reported);
NtpacBuffer  *ntpac_buffer_new_from_bytes (GBytes       *bytes);
NtpacBuffer  *ntpac_buffer_sub           (NtpacBuffer   *parent,
                                          gsize          offset,
                                          gsize          length);
NtpacBuffer  *ntpac_buffer_ref           (NtpacBuffer   *self);
void          ntpac_buffer_unref         (NtpacBuffer   *self);

const guint8 *ntpac_buffer_get_data      (NtpacBuffer   *self,
                                          gsize         *captured);
gsize         ntpac_buffer_get_captured  (NtpacBuffer   *self);
gsize         ntpac_buffer_get_reported  (NtpacBuffer   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacBuffer, ntpac_buffer_unref)

G_END_DECLS
