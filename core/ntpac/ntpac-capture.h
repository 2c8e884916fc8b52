/* ntpac-capture.h: reading pcap and pcapng evidence, with provenance
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-frame.h"

G_BEGIN_DECLS

/**
 * NtpacCaptureFormat:
 * @NTPAC_CAPTURE_FORMAT_UNKNOWN: not recognised (yet)
 * @NTPAC_CAPTURE_FORMAT_PCAP: pcap, microsecond timestamps
 * @NTPAC_CAPTURE_FORMAT_PCAP_NS: pcap, nanosecond timestamps
 * @NTPAC_CAPTURE_FORMAT_PCAP_MODIFIED: pcap with the 24-byte record headers
 *   of the "modified" (Kuznetzov) format
 * @NTPAC_CAPTURE_FORMAT_PCAPNG: pcapng
 */
typedef enum
{
  NTPAC_CAPTURE_FORMAT_UNKNOWN,
  NTPAC_CAPTURE_FORMAT_PCAP,
  NTPAC_CAPTURE_FORMAT_PCAP_NS,
  NTPAC_CAPTURE_FORMAT_PCAP_MODIFIED,
  NTPAC_CAPTURE_FORMAT_PCAPNG,
} NtpacCaptureFormat;

#define NTPAC_MAX_LINK_TYPES_PER_INPUT 8

/**
 * NtpacInput:
 * @id: index of the input in the capture, in reading order
 * @path: the path as given (or found in a folder); "-" is standard input
 * @size: size in bytes (for standard input: bytes read so far)
 * @sha256: (nullable): lower-case hex SHA-256 of every byte of the input,
 *   set once the input has been read to its end and hashes were waited for
 * @format: the capture format
 * @big_endian: whether the capture (its first section) is big-endian
 * @first_ts_ns: timestamp of the first frame, or 0 without frames
 * @last_ts_ns: timestamp of the last frame read
 * @frames: frames read
 * @link_types: (array length=n_link_types): distinct link types seen
 * @n_link_types: number of distinct link types
 * @error: (nullable): why the input could not be read at all
 * @warning: (nullable): a problem that did not stop reading (for example a
 *   pcapng interface with a link type the engine cannot decode)
 * @damage: (nullable): what is truncated or corrupt; frames before it were
 *   read
 * @damage_offset: byte offset of the damage in the file
 *
 * What the engine knows about one input file.
 */
typedef struct
{
  guint32             id;
  gchar              *path;
  guint64             size;
  gchar              *sha256;
  NtpacCaptureFormat  format;
  gboolean            big_endian;
  gint64              first_ts_ns;
  gint64              last_ts_ns;
  guint64             frames;
  guint32             link_types[NTPAC_MAX_LINK_TYPES_PER_INPUT];
  guint               n_link_types;
  GError             *error;
  gchar              *warning;
  gchar              *damage;
  guint64             damage_offset;
} NtpacInput;

/**
 * NtpacCaptureFlags:
 * @NTPAC_CAPTURE_FLAGS_NONE: defaults
 * @NTPAC_CAPTURE_FLAGS_NO_HASH: do not compute SHA-256 of the inputs
 */
typedef enum
{
  NTPAC_CAPTURE_FLAGS_NONE = 0,
  NTPAC_CAPTURE_FLAGS_NO_HASH = 1 << 0,
} NtpacCaptureFlags;

typedef struct _NtpacCapture NtpacCapture;

NtpacCapture      *ntpac_capture_new             (const gchar * const *paths,
                                                  NtpacCaptureFlags    flags);
void               ntpac_capture_free            (NtpacCapture        *self);
guint              ntpac_capture_get_n_inputs    (NtpacCapture        *self);
void               ntpac_capture_set_first_input_id (NtpacCapture     *self,
                                                  guint32              first);
const NtpacInput  *ntpac_capture_get_input       (NtpacCapture        *self,
                                                  guint                index);
guint64            ntpac_capture_get_total_size  (NtpacCapture        *self);
guint64            ntpac_capture_get_bytes_read  (NtpacCapture        *self);
gboolean           ntpac_capture_next            (NtpacCapture        *self,
                                                  NtpacFrame          *frame);
void               ntpac_capture_wait_hashes     (NtpacCapture        *self);
gboolean           ntpac_capture_has_errors      (NtpacCapture        *self);
gboolean           ntpac_capture_has_damage      (NtpacCapture        *self);

const gchar       *ntpac_capture_format_to_string (NtpacCaptureFormat  format);
gchar             *ntpac_link_type_describe      (guint32              linktype);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacCapture, ntpac_capture_free)

G_END_DECLS
