/* ntpac-dissect-stage-private.h: running dissectors over conversations
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-dissector.h"

G_BEGIN_DECLS

typedef struct _NtpacDissectStage NtpacDissectStage;


/* What the stage counted, summed over threads. */
typedef struct
{
  guint64 identified;   /* conversations a dissector took */
  guint64 records;
  guint64 anomalies;
  guint64 rejected;
} NtpacDissectStats;

NtpacDissectStage *ntpac_dissect_stage_new       (GPtrArray                    *dissectors,
                                                  const NtpacDissectSinkFuncs  *sink,
                                                  gpointer                      sink_data);
void               ntpac_dissect_stage_free      (NtpacDissectStage            *self);
void               ntpac_dissect_stage_pdu       (NtpacDissectStage            *self,
                                                  const NtpacConversation      *conversation,
                                                  const NtpacPdu               *pdu);
void               ntpac_dissect_stage_end       (NtpacDissectStage            *self,
                                                  const NtpacConversation      *conversation);
void               ntpac_dissect_stage_get_stats (NtpacDissectStage            *self,
                                                  NtpacDissectStats            *stats);
GPtrArray         *ntpac_dissect_stage_get_dissectors (NtpacDissectStage       *self);

/* The conversation's dissection state (lives until its end), and where
 * bytes a dissector holds are in their direction's stream: TRUE when
 * @data lies in the bytes being read (for objects) */
gpointer ntpac_dissect_context_get_state (NtpacDissectContext *ctx);
gboolean ntpac_dissect_state_locate      (gpointer             state,
                                          gconstpointer        data,
                                          gsize                len,
                                          guint8              *direction,
                                          guint64             *stream_offset);

/* Where the context's records go (for objects) */
const NtpacDissectSinkFuncs *ntpac_dissect_context_get_sink (NtpacDissectContext *ctx,
                                                             gpointer            *sink_data);

G_END_DECLS
