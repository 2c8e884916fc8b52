/* ntpac-analyze.h: dissectors over the conversations already stored
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-dissector.h"
#include "ntpac-store.h"

G_BEGIN_DECLS

/**
 * NtpacAnalyzeStats:
 * @conversations: conversations read
 * @identified: conversations a dissector took
 * @reidentified: conversations whose protocol changed
 * @records: records written
 * @anomalies: anomalies the dissectors found
 * @deleted: earlier records, index entries and anomalies deleted
 *
 * What ntpac_analyze() did.
 */
typedef struct
{
  guint64 conversations;
  guint64 identified;
  guint64 reidentified;
  guint64 records;
  guint64 anomalies;
  guint64 deleted;
} NtpacAnalyzeStats;

gboolean ntpac_analyze (NtpacStore         *store,
                        GPtrArray          *dissectors,
                        gboolean            compress,
                        NtpacAnalyzeStats  *stats,
                        GError            **error);

G_END_DECLS
