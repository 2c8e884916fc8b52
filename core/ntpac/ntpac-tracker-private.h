/* ntpac-tracker-private.h: what the conversation actors of one worker
 * share, and how they build L7 conversations
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-batch.h"
#include "ntpac-conversation.h"
#include "ntpac-tracking.h"

G_BEGIN_DECLS

/* Counters of one worker. */
typedef struct
{
  guint64 packets;
  guint64 conversations[2];   /* TCP, UDP */
  guint64 payload_bytes;
  guint64 missing_bytes;
  guint64 actors_failed;
  guint64 memory_flushes;
  gsize   peak_memory;
  guint64 anomalies[NTPAC_ANOMALY_N_CORE_KINDS];
  NtpacFrameRef anomaly_first[NTPAC_ANOMALY_N_CORE_KINDS];
} NtpacTrackerStats;

typedef struct
{
  NtpacTrackingConfig               config;
  guint16                           node;
  guint16                           worker;
  guint32                           next_sequence;
  gsize                             memory;       /* bytes held in PDUs and out-of-order segments */
  const NtpacConversationSinkFuncs *sink;
  gpointer                          sink_data;
  NtpacAnomalyFunc                  anomaly;
  gpointer                          anomaly_data;
  NtpacTrackerStats                 stats;
} NtpacTracker;

void ntpac_tracker_report (NtpacTracker        *tracker,
                           NtpacAnomalyKind     kind,
                           const NtpacFrameRef *frame,
                           gint64               ts_ns);
void ntpac_tracker_add_memory (NtpacTracker    *tracker,
                               gssize           delta);

/* Sides of a conversation: 0 is the key's lower endpoint sending, 1 the
 * higher. Which is the initiator is decided separately. */
typedef struct _NtpacConversationBuilder NtpacConversationBuilder;

NtpacConversationBuilder *ntpac_conversation_builder_new (NtpacTracker          *tracker,
                                                          const NtpacPacketDesc *first,
                                                          gboolean               initiator_is_lo,
                                                          gboolean               initiator_known);
void          ntpac_conversation_builder_set_initiator (NtpacConversationBuilder *self,
                                                        gboolean                  initiator_is_lo,
                                                        gboolean                  initiator_known);
gboolean      ntpac_conversation_builder_has_output  (NtpacConversationBuilder *self);
void          ntpac_conversation_builder_add_packet  (NtpacConversationBuilder *self,
                                                      const NtpacBatch         *batch,
                                                      const NtpacPacketDesc    *packet);
void          ntpac_conversation_builder_data        (NtpacConversationBuilder *self,
                                                      guint                     side,
                                                      const guint8             *bytes,
                                                      gsize                     len,
                                                      const NtpacFrameRef      *frame,
                                                      gint64                    ts_ns,
                                                      guint64                   stream_offset);
void          ntpac_conversation_builder_gap         (NtpacConversationBuilder *self,
                                                      guint                     side,
                                                      guint64                   len,
                                                      gint64                    ts_ns);
void          ntpac_conversation_builder_datagram    (NtpacConversationBuilder *self,
                                                      guint                     side,
                                                      const guint8             *bytes,
                                                      gsize                     len,
                                                      guint32                   missing,
                                                      const NtpacFrameRef      *frame,
                                                      gint64                    ts_ns);
const guint8 *ntpac_conversation_builder_retained    (NtpacConversationBuilder *self,
                                                      guint                     side,
                                                      guint64                   stream_offset,
                                                      gsize                     len);
void          ntpac_conversation_builder_anomaly     (NtpacConversationBuilder *self);
void          ntpac_conversation_builder_flush       (NtpacConversationBuilder *self);
void          ntpac_conversation_builder_compact     (NtpacConversationBuilder *self);
void          ntpac_conversation_builder_finish      (NtpacConversationBuilder *self,
                                                      NtpacConversationEnd      end);
gint64        ntpac_conversation_builder_last_ts     (NtpacConversationBuilder *self);
guint         ntpac_conversation_builder_side_of_initiator (NtpacConversationBuilder *self);

G_END_DECLS
