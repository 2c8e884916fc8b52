/* ntpac-tcp-stream-private.h: one direction of a TCP connection, put back
 * in order
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-frame.h"

G_BEGIN_DECLS

/**
 * NtpacOverlapPolicy:
 * @NTPAC_OVERLAP_FIRST: bytes received first win (BSD, Linux)
 * @NTPAC_OVERLAP_LAST: bytes received last win (some Windows stacks);
 *   applies to bytes not yet handed on
 */
typedef enum
{
  NTPAC_OVERLAP_FIRST,
  NTPAC_OVERLAP_LAST,
} NtpacOverlapPolicy;

typedef struct
{
  gsize               ooo_cap;          /* bytes held out of order, per direction */
  guint               reorder_window;   /* packets a hole may wait once acknowledged past */
  guint64             max_jump;         /* a sequence jump beyond this starts a new conversation */
  NtpacOverlapPolicy  overlap;
} NtpacTcpStreamConfig;

typedef struct _NtpacTcpStream NtpacTcpStream;

/* How the stream talks to its owner (the L4 actor). Offsets are positions
 * in the stream: 0 is the first byte after the SYN (or the first byte
 * seen). */
typedef struct
{
  /* In-order bytes, handed on at once. */
  void          (*data)     (gpointer             owner,
                             NtpacTcpStream      *stream,
                             const guint8        *bytes,
                             gsize                len,
                             const NtpacFrameRef *frame,
                             gint64               ts_ns);
  /* @len bytes that will never come. */
  void          (*gap)      (gpointer             owner,
                             NtpacTcpStream      *stream,
                             guint64              len,
                             gint64               ts_ns);
  /* Bytes already handed on, if the owner still holds them (to compare a
   * retransmission with); NULL if not. */
  const guint8 *(*retained) (gpointer             owner,
                             NtpacTcpStream      *stream,
                             guint64              offset,
                             gsize                len);
  void          (*anomaly)  (gpointer             owner,
                             NtpacAnomalyKind     kind,
                             const NtpacFrameRef *frame,
                             gint64               ts_ns);
} NtpacTcpStreamCallbacks;

/* What a segment meant. */
typedef enum
{
  NTPAC_TCP_SEGMENT_OK,
  NTPAC_TCP_SEGMENT_DUPLICATE,     /* nothing new (retransmission, keep-alive) */
  NTPAC_TCP_SEGMENT_NEW_SYN,       /* a SYN with another ISN: a new connection,
                                    * or the same one trying again */
  NTPAC_TCP_SEGMENT_NEW_STREAM,    /* belongs to a new conversation: data after
                                    * FIN, a large sequence jump */
} NtpacTcpSegmentResult;

typedef struct
{
  guint32              seq;
  guint8               flags;
  const guint8        *payload;
  gsize                len;
  const NtpacFrameRef *frame;
  gint64               ts_ns;
} NtpacTcpSegment;

NtpacTcpStream        *ntpac_tcp_stream_new        (const NtpacTcpStreamConfig    *config,
                                                    const NtpacTcpStreamCallbacks *callbacks,
                                                    gpointer                       owner);
void                   ntpac_tcp_stream_free       (NtpacTcpStream                *self);
NtpacTcpSegmentResult  ntpac_tcp_stream_classify   (NtpacTcpStream                *self,
                                                    const NtpacTcpSegment         *segment);
NtpacTcpSegmentResult  ntpac_tcp_stream_segment    (NtpacTcpStream                *self,
                                                    const NtpacTcpSegment         *segment);
void                   ntpac_tcp_stream_ack        (NtpacTcpStream                *self,
                                                    guint32                        ack,
                                                    gint64                         ts_ns);
void                   ntpac_tcp_stream_tick       (NtpacTcpStream                *self,
                                                    gint64                         ts_ns);
void                   ntpac_tcp_stream_flush      (NtpacTcpStream                *self,
                                                    gint64                         ts_ns);
void                   ntpac_tcp_stream_finish     (NtpacTcpStream                *self,
                                                    gint64                         ts_ns);
gboolean               ntpac_tcp_stream_is_started (NtpacTcpStream                *self);
gboolean               ntpac_tcp_stream_fin_seen   (NtpacTcpStream                *self);
gboolean               ntpac_tcp_stream_syn_seen   (NtpacTcpStream                *self);
guint32                ntpac_tcp_stream_isn        (NtpacTcpStream                *self);
guint64                ntpac_tcp_stream_delivered  (NtpacTcpStream                *self);
gsize                  ntpac_tcp_stream_buffered   (NtpacTcpStream                *self);

G_END_DECLS
