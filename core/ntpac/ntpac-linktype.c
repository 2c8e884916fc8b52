/* ntpac-linktype.c: the link types the engine decodes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ntpac-linktype.h"

/**
 * ntpac_link_type_to_string:
 * @linktype: a LINKTYPE_ value
 *
 * Returns: (nullable): the engine's name for a supported link type, as used
 *   in summaries and JSON ("ethernet", "linux-sll", ...), or %NULL
 * Since: 0.1
 */
const gchar *
ntpac_link_type_to_string (guint32 linktype)
{
  switch (linktype)
    {
    case NTPAC_LINKTYPE_NULL:
      return "null";
    case NTPAC_LINKTYPE_ETHERNET:
      return "ethernet";
    case NTPAC_LINKTYPE_RAW:
    case NTPAC_LINKTYPE_RAW_OPENBSD:
    case NTPAC_LINKTYPE_RAW_BSDOS:
      return "raw";
    case NTPAC_LINKTYPE_LOOP:
      return "loop";
    case NTPAC_LINKTYPE_LINUX_SLL:
      return "linux-sll";
    case NTPAC_LINKTYPE_LINUX_SLL2:
      return "linux-sll2";
    case NTPAC_LINKTYPE_IPV4:
      return "ipv4";
    case NTPAC_LINKTYPE_IPV6:
      return "ipv6";
    case NTPAC_LINKTYPE_IEEE802_11:
      return "ieee802-11";
    case NTPAC_LINKTYPE_IEEE802_11_RADIOTAP:
      return "ieee802-11-radiotap";
    case NTPAC_LINKTYPE_PPI:
      return "ppi";
    default:
      return NULL;
    }
}

gboolean
ntpac_link_type_is_supported (guint32 linktype)
{
  return ntpac_link_type_to_string (linktype) != NULL;
}
