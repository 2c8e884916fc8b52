/* ntpac-capture-private.h: what the engine needs of the reader's buffers
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include "ntpac-capture.h"
#include "ntpac-chunk-private.h"

G_BEGIN_DECLS

/* Called before the reader moves on to a new buffer, which may wait until
 * one is free: whoever holds the current one must not keep it waiting. */
typedef void (*NtpacCaptureChunkFunc) (gpointer user_data);

void        ntpac_capture_set_chunk_func (NtpacCapture          *self,
                                          NtpacCaptureChunkFunc  func,
                                          gpointer               user_data);
NtpacChunk *ntpac_capture_get_chunk      (NtpacCapture          *self);

G_END_DECLS
