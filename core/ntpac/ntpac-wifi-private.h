/* ntpac-wifi-private.h: 802.11 frames, bare or behind radiotap or PPI,
 * down to the LLC/SNAP payload of their data frames
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NtpacWifiResult:
 * @NTPAC_WIFI_DATA: a data frame whose payload carries an Ethernet type
 * @NTPAC_WIFI_NOT_DATA: management, control or null data frame: no payload
 * @NTPAC_WIFI_PROTECTED: a data frame with the Protected bit set: its
 *   payload is encrypted
 * @NTPAC_WIFI_NOT_LLC: a data frame whose payload is not LLC/SNAP
 * @NTPAC_WIFI_TRUNCATED: a header (radiotap, PPI, 802.11, LLC) cut short
 * @NTPAC_WIFI_MALFORMED: a header whose lengths or version are impossible
 */
typedef enum
{
  NTPAC_WIFI_DATA,
  NTPAC_WIFI_NOT_DATA,
  NTPAC_WIFI_PROTECTED,
  NTPAC_WIFI_NOT_LLC,
  NTPAC_WIFI_TRUNCATED,
  NTPAC_WIFI_MALFORMED,
} NtpacWifiResult;

/**
 * NtpacWifiFrame:
 * @header_offset: where the 802.11 header starts in the frame
 * @payload_offset: where the bytes after the LLC/SNAP header start
 * @payload_len: bytes from @payload_offset up to the frame check sequence
 *   (excluded when a radiotap or PPI header says it is there)
 * @ethertype: the Ethernet type of the payload
 * @amsdu_subframes: subframes of an A-MSDU (0 for a plain MSDU); only the
 *   first is decoded
 */
typedef struct
{
  guint32 header_offset;
  guint32 payload_offset;
  guint32 payload_len;
  guint16 ethertype;
  guint16 amsdu_subframes;
} NtpacWifiFrame;

NtpacWifiResult ntpac_wifi_parse (guint32         linktype,
                                  const guint8   *data,
                                  gsize           len,
                                  gsize           wire_len,
                                  NtpacWifiFrame *out);

G_END_DECLS
