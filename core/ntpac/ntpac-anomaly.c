/* ntpac-anomaly.c: what was wrong with the evidence
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ntpac-anomaly.h"

typedef struct
{
  const gchar   *id;
  NtpacSeverity  severity;
  const gchar   *description;
} AnomalyInfo;

static const AnomalyInfo anomaly_info[NTPAC_ANOMALY_N_CORE_KINDS] = {
  [NTPAC_ANOMALY_LINK_UNSUPPORTED] = { "link.unsupported", NTPAC_SEVERITY_ERROR,
    N_("Frame of a link type the engine cannot decode") },
  [NTPAC_ANOMALY_LINK_TRUNCATED] = { "link.truncated", NTPAC_SEVERITY_ERROR,
    N_("Link-layer header cut short") },
  [NTPAC_ANOMALY_VLAN_TRUNCATED] = { "vlan.truncated", NTPAC_SEVERITY_ERROR,
    N_("802.1Q tag cut short") },
  [NTPAC_ANOMALY_MPLS_TRUNCATED] = { "mpls.truncated", NTPAC_SEVERITY_ERROR,
    N_("MPLS label stack cut short or without a bottom label") },
  [NTPAC_ANOMALY_PPPOE_TRUNCATED] = { "pppoe.truncated", NTPAC_SEVERITY_ERROR,
    N_("PPPoE or PPP header cut short") },
  [NTPAC_ANOMALY_PPPOE_BAD_LENGTH] = { "pppoe.bad-length", NTPAC_SEVERITY_WARNING,
    N_("PPPoE payload length larger than the frame") },
  [NTPAC_ANOMALY_GRE_TRUNCATED] = { "gre.truncated", NTPAC_SEVERITY_ERROR,
    N_("GRE header cut short") },
  [NTPAC_ANOMALY_GRE_UNSUPPORTED] = { "gre.unsupported", NTPAC_SEVERITY_WARNING,
    N_("GRE version or source routing the engine does not decode") },
  [NTPAC_ANOMALY_ERSPAN_TRUNCATED] = { "erspan.truncated", NTPAC_SEVERITY_ERROR,
    N_("ERSPAN header cut short") },
  [NTPAC_ANOMALY_TUNNEL_TRUNCATED] = { "tunnel.truncated", NTPAC_SEVERITY_ERROR,
    N_("VXLAN, Geneve, GTP-U or Teredo header cut short") },
  [NTPAC_ANOMALY_IPV4_TRUNCATED] = { "ipv4.truncated", NTPAC_SEVERITY_ERROR,
    N_("IPv4 header cut short by the capture") },
  [NTPAC_ANOMALY_IPV4_BAD_VERSION] = { "ipv4.bad-version", NTPAC_SEVERITY_ERROR,
    N_("IPv4 header with a version other than 4") },
  [NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH] = { "ipv4.bad-header-length", NTPAC_SEVERITY_ERROR,
    N_("IPv4 header length below 20 bytes or beyond the packet") },
  [NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH] = { "ipv4.bad-total-length", NTPAC_SEVERITY_WARNING,
    N_("IPv4 total length smaller than its header or larger than the frame") },
  [NTPAC_ANOMALY_IPV6_TRUNCATED] = { "ipv6.truncated", NTPAC_SEVERITY_ERROR,
    N_("IPv6 header or extension header cut short by the capture") },
  [NTPAC_ANOMALY_IPV6_BAD_VERSION] = { "ipv6.bad-version", NTPAC_SEVERITY_ERROR,
    N_("IPv6 header with a version other than 6") },
  [NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH] = { "ipv6.bad-payload-length", NTPAC_SEVERITY_WARNING,
    N_("IPv6 payload length larger than the frame") },
  [NTPAC_ANOMALY_IPV6_BAD_EXTENSION] = { "ipv6.bad-extension", NTPAC_SEVERITY_ERROR,
    N_("IPv6 extension header beyond the payload, or too many of them") },
  [NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT] = { "ip.frag-overlap-conflict", NTPAC_SEVERITY_WARNING,
    N_("Overlapping IP fragments carry different bytes (the first received was kept)") },
  [NTPAC_ANOMALY_FRAG_TOO_LARGE] = { "ip.frag-too-large", NTPAC_SEVERITY_ERROR,
    N_("IP fragments reach beyond 65535 bytes") },
  [NTPAC_ANOMALY_FRAG_BAD_LENGTH] = { "ip.frag-bad-length", NTPAC_SEVERITY_WARNING,
    N_("IP fragment that is not the last one has a length that is not a multiple of 8") },
  [NTPAC_ANOMALY_FRAG_TOO_MANY] = { "ip.frag-too-many", NTPAC_SEVERITY_ERROR,
    N_("Too many fragments for one IP datagram; the datagram was dropped") },
  [NTPAC_ANOMALY_FRAG_TIMEOUT] = { "ip.frag-timeout", NTPAC_SEVERITY_WARNING,
    N_("IP datagram incomplete when its reassembly timed out; its fragments were dropped") },
  [NTPAC_ANOMALY_FRAG_MEMORY_CAP] = { "ip.frag-memory-cap", NTPAC_SEVERITY_WARNING,
    N_("IP fragments dropped to stay within the reassembly memory cap") },
  [NTPAC_ANOMALY_FRAG_INCOMPLETE] = { "ip.frag-incomplete", NTPAC_SEVERITY_WARNING,
    N_("IP datagram still incomplete at the end of the capture") },
  [NTPAC_ANOMALY_TCP_TRUNCATED] = { "tcp.truncated", NTPAC_SEVERITY_ERROR,
    N_("TCP header cut short") },
  [NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET] = { "tcp.bad-data-offset", NTPAC_SEVERITY_ERROR,
    N_("TCP data offset below 20 bytes or beyond the segment") },
  [NTPAC_ANOMALY_TCP_BAD_OPTION] = { "tcp.bad-option", NTPAC_SEVERITY_WARNING,
    N_("TCP option with an invalid length") },
  [NTPAC_ANOMALY_UDP_TRUNCATED] = { "udp.truncated", NTPAC_SEVERITY_ERROR,
    N_("UDP header cut short") },
  [NTPAC_ANOMALY_UDP_BAD_LENGTH] = { "udp.bad-length", NTPAC_SEVERITY_WARNING,
    N_("UDP length smaller than its header or larger than the IP payload") },
  [NTPAC_ANOMALY_ICMP_TRUNCATED] = { "icmp.truncated", NTPAC_SEVERITY_WARNING,
    N_("ICMP header cut short") },
  [NTPAC_ANOMALY_TOO_DEEP] = { "decode.too-deep", NTPAC_SEVERITY_ERROR,
    N_("Too many nested encapsulations; decoding stopped") },
  [NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT] = { "tcp.overlap-conflict", NTPAC_SEVERITY_WARNING,
    N_("Overlapping TCP segments carry different bytes (the overlap policy chose)") },
  [NTPAC_ANOMALY_TCP_MISSING_BYTES] = { "tcp.missing-bytes", NTPAC_SEVERITY_WARNING,
    N_("TCP bytes were never captured; the conversation records a gap") },
  [NTPAC_ANOMALY_TCP_BUFFER_CAP] = { "tcp.buffer-cap", NTPAC_SEVERITY_WARNING,
    N_("Out-of-order TCP bytes reached the per-conversation cap; the hole became a gap") },
  [NTPAC_ANOMALY_MEMORY_CAP] = { "memory.cap", NTPAC_SEVERITY_WARNING,
    N_("Buffered bytes reached the worker's memory cap; conversations were flushed early") },
  [NTPAC_ANOMALY_ACTOR_FAILED] = { "actor.failed", NTPAC_SEVERITY_ERROR,
    N_("A conversation actor failed and was closed; processing went on") },
  [NTPAC_ANOMALY_UDP_DUPLICATE] = { "udp.duplicate", NTPAC_SEVERITY_INFO,
    N_("A UDP datagram captured twice (same bytes within 10 ms); both kept, the copy marked") },
  [NTPAC_ANOMALY_WIFI_TRUNCATED] = { "wifi.truncated", NTPAC_SEVERITY_ERROR,
    N_("Radiotap, PPI, 802.11 or LLC header cut short") },
  [NTPAC_ANOMALY_WIFI_MALFORMED] = { "wifi.malformed", NTPAC_SEVERITY_ERROR,
    N_("Radiotap, PPI or 802.11 header with an impossible version or length") },
  [NTPAC_ANOMALY_WIFI_PROTECTED] = { "wifi.protected", NTPAC_SEVERITY_INFO,
    N_("Encrypted 802.11 data frame; its payload was not decoded") },
  [NTPAC_ANOMALY_WIFI_AMSDU_SUBFRAMES] = { "wifi.amsdu-subframes", NTPAC_SEVERITY_WARNING,
    N_("802.11 A-MSDU with several subframes; only the first was decoded") },
};

/**
 * ntpac_anomaly_kind_to_id:
 * @kind: an anomaly kind
 *
 * Returns: the stable id, such as "ipv4.truncated"
 * Since: 0.1
 */
const gchar *
ntpac_anomaly_kind_to_id (NtpacAnomalyKind kind)
{
  g_return_val_if_fail ((guint) kind < NTPAC_ANOMALY_N_CORE_KINDS, "unknown");
  return anomaly_info[kind].id;
}

/**
 * ntpac_anomaly_kind_describe:
 * @kind: an anomaly kind
 *
 * Returns: a translated sentence saying what the anomaly means
 * Since: 0.1
 */
const gchar *
ntpac_anomaly_kind_describe (NtpacAnomalyKind kind)
{
  g_return_val_if_fail ((guint) kind < NTPAC_ANOMALY_N_CORE_KINDS, "");
  return _(anomaly_info[kind].description);
}

NtpacSeverity
ntpac_anomaly_kind_severity (NtpacAnomalyKind kind)
{
  g_return_val_if_fail ((guint) kind < NTPAC_ANOMALY_N_CORE_KINDS, NTPAC_SEVERITY_ERROR);
  return anomaly_info[kind].severity;
}

const gchar *
ntpac_severity_to_string (NtpacSeverity severity)
{
  switch (severity)
    {
    case NTPAC_SEVERITY_INFO:
      return "info";
    case NTPAC_SEVERITY_WARNING:
      return "warning";
    case NTPAC_SEVERITY_ERROR:
    default:
      return "error";
    }
}
