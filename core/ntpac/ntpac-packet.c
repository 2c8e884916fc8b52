/* ntpac-packet.c: a decoded packet
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ntpac-packet.h"

/**
 * ntpac_packet_clear:
 * @packet: a packet filled by ntpac_decoder_decode()
 *
 * Releases what the packet owns (a reassembled datagram and its list of
 * fragments).
 * Since: 0.1
 */
void
ntpac_packet_clear (NtpacPacket *packet)
{
  g_clear_pointer (&packet->reassembled, ntpac_buffer_unref);
  g_clear_pointer (&packet->fragments, g_free);
  packet->n_fragments = 0;
}

const gchar *
ntpac_layer_kind_to_string (NtpacLayerKind kind)
{
  static const gchar * const names[NTPAC_LAYER_N_KINDS] = {
    [NTPAC_LAYER_ETHERNET] = "eth",
    [NTPAC_LAYER_LINUX_SLL] = "sll",
    [NTPAC_LAYER_LINUX_SLL2] = "sll2",
    [NTPAC_LAYER_NULL] = "null",
    [NTPAC_LAYER_VLAN] = "vlan",
    [NTPAC_LAYER_MPLS] = "mpls",
    [NTPAC_LAYER_PPPOE] = "pppoe",
    [NTPAC_LAYER_PPP] = "ppp",
    [NTPAC_LAYER_IPV4] = "ipv4",
    [NTPAC_LAYER_IPV6] = "ipv6",
    [NTPAC_LAYER_GRE] = "gre",
    [NTPAC_LAYER_ERSPAN] = "erspan",
    [NTPAC_LAYER_VXLAN] = "vxlan",
    [NTPAC_LAYER_GENEVE] = "geneve",
    [NTPAC_LAYER_GTPU] = "gtpu",
    [NTPAC_LAYER_TEREDO] = "teredo",
    [NTPAC_LAYER_UDP] = "udp",
    [NTPAC_LAYER_TCP] = "tcp",
    [NTPAC_LAYER_ICMP] = "icmp",
    [NTPAC_LAYER_ICMPV6] = "icmpv6",
    [NTPAC_LAYER_WIFI] = "wifi",
  };

  g_return_val_if_fail ((guint) kind < NTPAC_LAYER_N_KINDS, "unknown");
  return names[kind];
}

const gchar *
ntpac_net_proto_to_string (NtpacNetProto net)
{
  static const gchar * const names[NTPAC_NET_N_KINDS] = {
    [NTPAC_NET_NONE] = "none",
    [NTPAC_NET_IPV4] = "ipv4",
    [NTPAC_NET_IPV6] = "ipv6",
    [NTPAC_NET_ARP] = "arp",
    [NTPAC_NET_OTHER] = "other",
  };

  g_return_val_if_fail ((guint) net < NTPAC_NET_N_KINDS, "unknown");
  return names[net];
}

const gchar *
ntpac_transport_proto_to_string (NtpacTransportProto transport)
{
  static const gchar * const names[NTPAC_TRANSPORT_N_KINDS] = {
    [NTPAC_TRANSPORT_NONE] = "none",
    [NTPAC_TRANSPORT_TCP] = "tcp",
    [NTPAC_TRANSPORT_UDP] = "udp",
    [NTPAC_TRANSPORT_ICMP] = "icmp",
    [NTPAC_TRANSPORT_ICMPV6] = "icmpv6",
    [NTPAC_TRANSPORT_OTHER] = "other",
  };

  g_return_val_if_fail ((guint) transport < NTPAC_TRANSPORT_N_KINDS, "unknown");
  return names[transport];
}

/**
 * ntpac_address_to_string:
 * @address: an address
 *
 * Returns: (transfer full): the address in its usual text form
 * Since: 0.1
 */
gchar *
ntpac_address_to_string (const NtpacAddress *address)
{
  char text[INET6_ADDRSTRLEN];

  if (address->family == 4)
    inet_ntop (AF_INET, address->bytes, text, sizeof text);
  else if (address->family == 6)
    inet_ntop (AF_INET6, address->bytes, text, sizeof text);
  else
    return g_strdup ("");
  return g_strdup (text);
}

/**
 * ntpac_address_parse:
 * @text: an IPv4 or IPv6 address
 * @address: (out caller-allocates): the address
 *
 * Returns: %TRUE if @text is an address
 * Since: 0.1
 */
gboolean
ntpac_address_parse (const gchar  *text,
                     NtpacAddress *address)
{
  memset (address, 0, sizeof *address);
  if (inet_pton (AF_INET, text, address->bytes) == 1)
    {
      address->family = 4;
      return TRUE;
    }
  if (inet_pton (AF_INET6, text, address->bytes) == 1)
    {
      address->family = 6;
      return TRUE;
    }
  return FALSE;
}

gint
ntpac_address_compare (const NtpacAddress *a,
                       const NtpacAddress *b)
{
  if (a->family != b->family)
    return a->family < b->family ? -1 : 1;
  return memcmp (a->bytes, b->bytes, sizeof a->bytes);
}
