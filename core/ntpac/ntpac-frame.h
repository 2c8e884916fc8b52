/* ntpac-frame.h: one captured frame and where it lies in the evidence
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
 * NtpacFrameRef:
 * @input: index of the input file in the capture (0-based)
 * @number: frame number within that input, 1-based, as Wireshark numbers
 *   frames
 * @offset: byte offset of the frame's record (its record header or pcapng
 *   block) in the input file
 *
 * Where a frame comes from: enough to find its bytes again in the evidence.
 */
typedef struct
{
  guint32 input;
  guint32 reserved;
  guint64 number;
  guint64 offset;
} NtpacFrameRef;

/**
 * NtpacFrame:
 * @ref: where the frame lies in the evidence
 * @ts_ns: capture timestamp, nanoseconds since the Unix epoch
 * @caplen: bytes captured (held in @data)
 * @origlen: bytes the frame had on the wire
 * @linktype: LINKTYPE_ value of its interface
 * @interface: pcapng interface index (0 for pcap)
 * @data: (array length=caplen): the frame's bytes
 *
 * A frame as read from a capture.
 */
typedef struct
{
  NtpacFrameRef  ref;
  gint64         ts_ns;
  guint32        caplen;
  guint32        origlen;
  guint32        linktype;
  guint32        interface;
  const guint8  *data;
} NtpacFrame;

G_END_DECLS
