/* decode-harness.h: one decoder, its anomalies and the last packet, for the
 * decoder and reassembly tests
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <ntpac/ntpac.h>

#include "ntpac-test-packet.h"

G_BEGIN_DECLS

/* Ends the list of anomaly kinds given to decode_harness_assert_anomalies(). */
#define ANOMALIES_END (-1)

/**
 * DecodeHarness:
 * @decoder: the decoder
 * @anomalies: (element-type NtpacAnomaly): every anomaly reported, in order
 * @mark: length of @anomalies before the last decode or finish
 * @stats_mark: the anomaly counters before the last decode or finish
 * @next_number: frame number given to the next frame
 * @frame: the last frame decoded
 * @packet: what the decoder made of @frame
 * @data: a copy of @frame's bytes, exactly @frame.caplen long, so that
 *   a read past the captured bytes is a heap overflow under AddressSanitizer
 *
 * Frames are numbered from 1 in the order they are decoded.
 */
typedef struct
{
  NtpacDecoder *decoder;
  GArray       *anomalies;
  guint         mark;
  guint64       stats_mark[NTPAC_ANOMALY_N_CORE_KINDS];
  guint64       next_number;
  NtpacFrame    frame;
  NtpacPacket   packet;
  guint8       *data;
  gboolean      have_packet;
} DecodeHarness;

/**
 * ExpectedLayer:
 * @kind: an #NtpacLayerKind
 * @value: the layer's value
 * @offset: where the header starts (in the frame, or in the reassembled
 *   datagram when @in_reassembled)
 * @in_reassembled: whether the header lies in the reassembled datagram
 */
typedef struct
{
  NtpacLayerKind kind;
  guint32        value;
  guint32        offset;
  gboolean       in_reassembled;
} ExpectedLayer;

void     decode_harness_init             (DecodeHarness            *h,
                                          const NtpacDecoderConfig *config);
void     decode_harness_clear            (DecodeHarness            *h);
gboolean decode_harness_decode           (DecodeHarness            *h,
                                          const guint8             *data,
                                          gsize                     caplen,
                                          gsize                     origlen,
                                          guint32                   linktype,
                                          gint64                    ts_ns);
gboolean decode_harness_decode_packet    (DecodeHarness            *h,
                                          const NtpacTestPacket    *frame,
                                          guint32                   linktype);
void     decode_harness_finish           (DecodeHarness            *h);
guint64  decode_harness_count            (DecodeHarness            *h,
                                          NtpacAnomalyKind          kind);
void     decode_harness_assert_anomalyv  (DecodeHarness            *h,
                                          const gint               *kinds);
void     decode_harness_assert_anomalies (DecodeHarness            *h,
                                          ...);
void decode_harness_assert_payload (DecodeHarness *h,
                                    gsize frame_offset,
                                    const void *bytes,
                                    gsize len);

void     assert_layers                   (const NtpacPacket        *packet,
                                          const ExpectedLayer      *layers,
                                          guint                     n_layers);
void     assert_tuple                    (const NtpacPacket        *packet,
                                          const gchar              *src,
                                          const gchar              *dst,
                                          guint16                   sport,
                                          guint16                   dport,
                                          guint8                    proto);

/* ASSERT_LAYERS (packet, { kind, value, offset }, …): the packet's layers
 * are exactly these, outermost first. */
#define ASSERT_LAYERS(packet, ...) \
  assert_layers ((packet), (const ExpectedLayer[]) { __VA_ARGS__ }, \
                 G_N_ELEMENTS (((const ExpectedLayer[]) { __VA_ARGS__ })))

G_END_DECLS
