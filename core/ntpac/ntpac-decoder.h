/* ntpac-decoder.h: link, network and transport decoding
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-frame.h"
#include "ntpac-packet.h"

G_BEGIN_DECLS

#define NTPAC_DEFAULT_FRAG_TIMEOUT_NS  (G_GINT64_CONSTANT (30) * 1000000000)
#define NTPAC_DEFAULT_FRAG_MEMORY_CAP  (32u * 1024 * 1024)
#define NTPAC_MAX_LINK_TYPE_STATS      16

/**
 * NtpacDecoderConfig:
 * @frag_timeout_ns: how long, in capture time, an incomplete IP datagram
 *   waits for its fragments
 * @frag_memory_cap: bytes of fragments held at most
 */
typedef struct
{
  gint64 frag_timeout_ns;
  gsize  frag_memory_cap;
} NtpacDecoderConfig;

/**
 * NtpacDecodeStats:
 *
 * Counters of one decoder. Network and transport counts are of the
 * innermost headers; a reassembled datagram counts once, in the frame
 * that completed it.
 */
typedef struct
{
  guint64 frames;
  guint64 bytes_captured;
  guint64 bytes_wire;
  guint64 frames_cut;           /* captured less than on the wire */
  guint   n_link_types;
  guint32 link_type[NTPAC_MAX_LINK_TYPE_STATS];
  guint64 link_type_frames[NTPAC_MAX_LINK_TYPE_STATS];
  guint64 net[NTPAC_NET_N_KINDS];
  guint64 transport[NTPAC_TRANSPORT_N_KINDS];
  guint64 tunnelled;
  guint64 fragments;            /* fragment frames seen */
  guint64 datagrams_reassembled;
  guint64 anomalies[NTPAC_ANOMALY_N_CORE_KINDS];
  NtpacFrameRef anomaly_first[NTPAC_ANOMALY_N_CORE_KINDS];
} NtpacDecodeStats;

typedef struct _NtpacDecoder NtpacDecoder;

void          ntpac_decoder_config_init        (NtpacDecoderConfig *config);
NtpacDecoder *ntpac_decoder_new                (const NtpacDecoderConfig *config);
void          ntpac_decoder_free               (NtpacDecoder       *self);
void          ntpac_decoder_set_anomaly_func   (NtpacDecoder       *self,
                                                NtpacAnomalyFunc    func,
                                                gpointer            user_data);
gboolean      ntpac_decoder_decode             (NtpacDecoder       *self,
                                                const NtpacFrame   *frame,
                                                NtpacPacket        *packet);
void          ntpac_decoder_finish             (NtpacDecoder       *self);
const NtpacDecodeStats *ntpac_decoder_get_stats (NtpacDecoder      *self);
void          ntpac_decode_stats_add           (NtpacDecodeStats       *total,
                                                const NtpacDecodeStats *part);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacDecoder, ntpac_decoder_free)

G_END_DECLS
