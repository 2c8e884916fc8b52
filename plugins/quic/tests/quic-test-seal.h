/* quic-test-seal.h: QUIC Initial packets protected for the tests, the
 * fuzz target and its corpus
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GByteArray *qt_seal_initial (guint32       version,
                             const guint8 *dcid,
                             gsize         dcid_len,
                             gboolean      server,
                             guint16       pn,
                             const guint8 *payload,
                             gsize         len,
                             gsize         pad_to);

G_END_DECLS
