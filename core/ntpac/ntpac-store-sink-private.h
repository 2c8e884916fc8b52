/* ntpac-store-sink-private.h: conversations, anomalies and inputs into
 * the store
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-capture.h"
#include "ntpac-conversation.h"
#include "ntpac-dissect-stage-private.h"
#include "ntpac-store.h"

G_BEGIN_DECLS

typedef struct _NtpacStoreSink NtpacStoreSink;

/* What was handed to the store. */
typedef struct
{
  guint64 conversations;
  guint64 pdus;
  guint64 frames;
  guint64 anomalies;
  guint64 payload_bytes;
  guint64 stored_payload_bytes;
  guint64 records;          /* from dissectors */
} NtpacStoreSinkStats;

NtpacStoreSink                   *ntpac_store_sink_new        (NtpacStore           *store,
                                                               gboolean              compress,
                                                               GError              **error);
const NtpacConversationSinkFuncs *ntpac_store_sink_funcs      (void);
const NtpacDissectSinkFuncs      *ntpac_store_sink_dissect_funcs (void);
gboolean                          ntpac_store_sink_add_outputs (NtpacStoreSink       *self,
                                                               const gchar * const  *outputs,
                                                               GError              **error);
void                              ntpac_store_sink_anomaly    (const NtpacAnomaly   *anomaly,
                                                               gpointer              sink);
gboolean                          ntpac_store_sink_put_input  (NtpacStoreSink       *self,
                                                               const NtpacInput     *input,
                                                               GError              **error);
gboolean                          ntpac_store_sink_has_failed (NtpacStoreSink       *self);
void                              ntpac_store_sink_get_stats  (NtpacStoreSink       *self,
                                                               NtpacStoreSinkStats  *stats);
gboolean                          ntpac_store_sink_finish     (NtpacStoreSink       *self,
                                                               GError              **error);

void ntpac_store_index_ip   (NtpacStore          *store,
                             GByteArray          *key,
                             const NtpacAddress  *address,
                             gint64               ts_ns,
                             gint                 cf,
                             gconstpointer        record_key,
                             gsize                record_key_len);
void ntpac_store_index_time (GByteArray          *key,
                             gint64               ts_ns,
                             gint                 cf,
                             gconstpointer        record_key,
                             gsize                record_key_len);
void ntpac_store_index_name (GByteArray          *key,
                             const gchar         *name,
                             gint64               ts_ns,
                             gint                 cf,
                             gconstpointer        record_key,
                             gsize                record_key_len);
guint64 ntpac_store_name_hash (const gchar       *name);

G_END_DECLS
