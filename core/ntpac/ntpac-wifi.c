/* ntpac-wifi.c: 802.11 frames, bare or behind radiotap or PPI, down to
 * the LLC/SNAP payload of their data frames
 *
 * Wi-Fi captures hold management and control frames beside the data
 * frames; only data frames carry IP. Encrypted (protected) frames are
 * recognised and left alone: their payload cannot be read without the
 * keys. Radiotap and PPI headers matter only for one thing here: whether
 * a frame check sequence ends the frame.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-cursor.h"
#include "ntpac-linktype.h"
#include "ntpac-wifi-private.h"

#define RADIOTAP_PRESENT_TSFT  (1u << 0)
#define RADIOTAP_PRESENT_FLAGS (1u << 1)
#define RADIOTAP_PRESENT_EXT   (1u << 31)
#define RADIOTAP_FLAG_FCS      0x10
/* Presence words past the first, as many as radiotap namespaces need. */
#define RADIOTAP_MAX_PRESENT   8

#define PPI_FIELD_80211_COMMON 2
#define PPI_COMMON_FLAG_FCS    0x0001

#define WIFI_TYPE_DATA         2
#define WIFI_FLAG_TO_DS        0x01
#define WIFI_FLAG_FROM_DS      0x02
#define WIFI_FLAG_PROTECTED    0x40
#define WIFI_FLAG_ORDER        0x80
#define WIFI_SUBTYPE_NULL      0x4   /* null data: no body */
#define WIFI_SUBTYPE_QOS       0x8
#define WIFI_QOS_AMSDU         0x80

/* Radiotap: the header's length, and whether its Flags field says a
 * frame check sequence ends the frame. Fields follow the presence words,
 * each aligned to its own size from the header's start. */
static NtpacWifiResult
parse_radiotap (const guint8 *data,
                gsize         len,
                guint32      *header_len,
                gboolean     *fcs)
{
  NtpacCursor c;
  guint8 version, pad;
  guint16 it_len;
  guint32 present, word;
  guint n_words = 1;

  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u8 (&c, &version) || !ntpac_cursor_get_u8 (&c, &pad) ||
      !ntpac_cursor_get_u16_le (&c, &it_len) || !ntpac_cursor_get_u32_le (&c, &present))
    return NTPAC_WIFI_TRUNCATED;
  if (version != 0 || it_len < 8)
    return NTPAC_WIFI_MALFORMED;
  if (it_len > len)
    return NTPAC_WIFI_TRUNCATED;
  word = present;
  while (word & RADIOTAP_PRESENT_EXT)
    {
      if (n_words++ > RADIOTAP_MAX_PRESENT || !ntpac_cursor_get_u32_le (&c, &word))
        return NTPAC_WIFI_MALFORMED;
    }
  *header_len = it_len;
  *fcs = FALSE;
  if (present & RADIOTAP_PRESENT_FLAGS)
    {
      gsize at = ntpac_cursor_tell (&c);

      if (present & RADIOTAP_PRESENT_TSFT)
        at = ((at + 7) & ~(gsize) 7) + 8;
      if (at >= it_len)
        return NTPAC_WIFI_MALFORMED;
      *fcs = (data[at] & RADIOTAP_FLAG_FCS) != 0;
    }
  return NTPAC_WIFI_DATA;
}

/* PPI: the header's length, the link type it wraps, and whether its
 * 802.11-Common field says a frame check sequence ends the frame. */
static NtpacWifiResult
parse_ppi (const guint8 *data,
           gsize         len,
           guint32      *header_len,
           guint32      *dlt,
           gboolean     *fcs)
{
  NtpacCursor c, fields;
  guint8 version, flags;
  guint16 ppi_len;

  ntpac_cursor_init (&c, data, len, len);
  if (!ntpac_cursor_get_u8 (&c, &version) || !ntpac_cursor_get_u8 (&c, &flags) ||
      !ntpac_cursor_get_u16_le (&c, &ppi_len) || !ntpac_cursor_get_u32_le (&c, dlt))
    return NTPAC_WIFI_TRUNCATED;
  if (version != 0 || ppi_len < 8)
    return NTPAC_WIFI_MALFORMED;
  if (ppi_len > len)
    return NTPAC_WIFI_TRUNCATED;
  *header_len = ppi_len;
  *fcs = FALSE;
  ntpac_cursor_init (&fields, data + 8, ppi_len - 8u, ppi_len - 8u);
  while (ntpac_cursor_remaining (&fields) >= 4)
    {
      guint16 type, field_len;
      NtpacCursor field;

      if (!ntpac_cursor_get_u16_le (&fields, &type) || !ntpac_cursor_get_u16_le (&fields, &field_len) ||
          !ntpac_cursor_get_sub (&fields, field_len, &field))
        return NTPAC_WIFI_MALFORMED;
      if (type == PPI_FIELD_80211_COMMON)
        {
          guint16 common_flags;

          if (ntpac_cursor_skip (&field, 8) && ntpac_cursor_get_u16_le (&field, &common_flags))
            *fcs = (common_flags & PPI_COMMON_FLAG_FCS) != 0;
        }
      /* Flag 1: fields are padded to 32 bits. */
      if ((flags & 1) && (field_len & 3) != 0 && !ntpac_cursor_skip (&fields, 4u - (field_len & 3)))
        break;
    }
  return NTPAC_WIFI_DATA;
}

/* LLC/SNAP (RFC 1042 or 802.1H bridge tunnel): the Ethernet type. */
static NtpacWifiResult
parse_llc (NtpacCursor *c,
           guint16     *ethertype)
{
  const guint8 *llc;

  if (!ntpac_cursor_get_bytes (c, 8, &llc))
    return NTPAC_WIFI_TRUNCATED;
  if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] != 0x00 || llc[4] != 0x00 ||
      (llc[5] != 0x00 && llc[5] != 0xf8))
    return NTPAC_WIFI_NOT_LLC;
  *ethertype = (guint16) ((llc[6] << 8) | llc[7]);
  return NTPAC_WIFI_DATA;
}

/* An A-MSDU body: subframes of DA, SA and a big-endian length, each but
 * the last padded to 4 bytes. Counts them, and leaves @c on the first
 * one's MSDU. */
static NtpacWifiResult
parse_amsdu (NtpacCursor *c,
             guint16     *n_subframes)
{
  NtpacCursor walk = *c;
  guint16 first_len = 0;

  *n_subframes = 0;
  while (ntpac_cursor_remaining (&walk) > 0 && *n_subframes < G_MAXUINT16)
    {
      guint16 msdu_len;
      gsize padded;

      if (!ntpac_cursor_skip (&walk, 12) || !ntpac_cursor_get_u16_be (&walk, &msdu_len))
        return *n_subframes > 0 ? NTPAC_WIFI_DATA : NTPAC_WIFI_TRUNCATED;
      if (*n_subframes == 0)
        first_len = msdu_len;
      (*n_subframes)++;
      padded = (14u + msdu_len + 3u) & ~(gsize) 3;
      if (ntpac_cursor_remaining (&walk) <= padded - 14u)
        break;
      if (!ntpac_cursor_skip (&walk, padded - 14u))
        break;
    }
  if (!ntpac_cursor_skip (c, 14))
    return NTPAC_WIFI_TRUNCATED;
  if (ntpac_cursor_remaining (c) > first_len)
    ntpac_cursor_init (c, ntpac_cursor_here (c), first_len, first_len);
  return NTPAC_WIFI_DATA;
}

static NtpacWifiResult
parse_80211 (const guint8   *data,
             gsize           len,
             guint32         header_offset,
             NtpacWifiFrame *out)
{
  NtpacCursor c;
  guint16 fc;
  guint8 type, subtype, flags;
  gsize header_len = 24;
  gboolean amsdu = FALSE;
  NtpacWifiResult result;

  ntpac_cursor_init (&c, data + header_offset, len - header_offset, len - header_offset);
  if (!ntpac_cursor_get_u16_le (&c, &fc))
    return NTPAC_WIFI_TRUNCATED;
  if ((fc & 0x3) != 0)
    return NTPAC_WIFI_MALFORMED;  /* protocol version 0 is the only one */
  type = (fc >> 2) & 0x3;
  subtype = (fc >> 4) & 0xf;
  flags = (guint8) (fc >> 8);
  if (type != WIFI_TYPE_DATA || (subtype & WIFI_SUBTYPE_NULL))
    return NTPAC_WIFI_NOT_DATA;
  if ((flags & (WIFI_FLAG_TO_DS | WIFI_FLAG_FROM_DS)) == (WIFI_FLAG_TO_DS | WIFI_FLAG_FROM_DS))
    header_len += 6;  /* a fourth address, in a mesh or a bridge */
  if (subtype & WIFI_SUBTYPE_QOS)
    {
      guint8 qos;

      if (len - header_offset < header_len + 2)
        return NTPAC_WIFI_TRUNCATED;
      qos = data[header_offset + header_len];
      amsdu = (qos & WIFI_QOS_AMSDU) != 0;
      header_len += 2;
      if (flags & WIFI_FLAG_ORDER)
        header_len += 4;  /* HT control */
    }
  if (!ntpac_cursor_skip (&c, header_len - 2))
    return NTPAC_WIFI_TRUNCATED;
  if (flags & WIFI_FLAG_PROTECTED)
    return NTPAC_WIFI_PROTECTED;
  if (amsdu && (result = parse_amsdu (&c, &out->amsdu_subframes)) != NTPAC_WIFI_DATA)
    return result;
  if ((result = parse_llc (&c, &out->ethertype)) != NTPAC_WIFI_DATA)
    return result;
  out->header_offset = header_offset;
  out->payload_offset = (guint32) (ntpac_cursor_here (&c) - data);
  out->payload_len = (guint32) ntpac_cursor_remaining (&c);
  return NTPAC_WIFI_DATA;
}

/**
 * ntpac_wifi_parse:
 * @linktype: %NTPAC_LINKTYPE_IEEE802_11, %NTPAC_LINKTYPE_IEEE802_11_RADIOTAP
 *   or %NTPAC_LINKTYPE_PPI
 * @data: (array length=len): the frame's captured bytes
 * @len: how many
 * @wire_len: the frame's length on the wire: a frame check sequence is
 *   only cut off a frame captured whole
 * @out: (out caller-allocates): where the payload is, for %NTPAC_WIFI_DATA
 *
 * Returns: what the frame is
 */
NtpacWifiResult
ntpac_wifi_parse (guint32         linktype,
                  const guint8   *data,
                  gsize           len,
                  gsize           wire_len,
                  NtpacWifiFrame *out)
{
  NtpacWifiResult result;
  guint32 header_len = 0, dlt = NTPAC_LINKTYPE_IEEE802_11;
  gboolean fcs = FALSE;

  memset (out, 0, sizeof *out);
  if (len > G_MAXUINT32)
    return NTPAC_WIFI_MALFORMED;
  switch (linktype)
    {
    case NTPAC_LINKTYPE_IEEE802_11:
      break;
    case NTPAC_LINKTYPE_IEEE802_11_RADIOTAP:
      if ((result = parse_radiotap (data, len, &header_len, &fcs)) != NTPAC_WIFI_DATA)
        return result;
      break;
    case NTPAC_LINKTYPE_PPI:
      if ((result = parse_ppi (data, len, &header_len, &dlt, &fcs)) != NTPAC_WIFI_DATA)
        return result;
      if (dlt != NTPAC_LINKTYPE_IEEE802_11)
        return NTPAC_WIFI_MALFORMED;  /* PPI around anything else is not Wi-Fi */
      break;
    default:
      return NTPAC_WIFI_MALFORMED;
    }
  if (fcs && wire_len == len)
    {
      if (len - header_len < 4)
        return NTPAC_WIFI_TRUNCATED;
      len -= 4;
    }
  return parse_80211 (data, len, header_len, out);
}
