/* ntpac-anomaly.h: what was wrong with the evidence
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
 * NtpacSeverity:
 * @NTPAC_SEVERITY_INFO: unusual but harmless
 * @NTPAC_SEVERITY_WARNING: data may be missing or ambiguous
 * @NTPAC_SEVERITY_ERROR: data was lost or could not be decoded
 */
typedef enum
{
  NTPAC_SEVERITY_INFO,
  NTPAC_SEVERITY_WARNING,
  NTPAC_SEVERITY_ERROR,
} NtpacSeverity;

/**
 * NtpacAnomalyKind:
 *
 * The anomalies the core finds. Their ids ("ipv4.truncated") are stable:
 * they are stored and queried.
 */
typedef enum
{
  NTPAC_ANOMALY_LINK_UNSUPPORTED,
  NTPAC_ANOMALY_LINK_TRUNCATED,
  NTPAC_ANOMALY_VLAN_TRUNCATED,
  NTPAC_ANOMALY_MPLS_TRUNCATED,
  NTPAC_ANOMALY_PPPOE_TRUNCATED,
  NTPAC_ANOMALY_PPPOE_BAD_LENGTH,
  NTPAC_ANOMALY_GRE_TRUNCATED,
  NTPAC_ANOMALY_GRE_UNSUPPORTED,
  NTPAC_ANOMALY_ERSPAN_TRUNCATED,
  NTPAC_ANOMALY_TUNNEL_TRUNCATED,
  NTPAC_ANOMALY_IPV4_TRUNCATED,
  NTPAC_ANOMALY_IPV4_BAD_VERSION,
  NTPAC_ANOMALY_IPV4_BAD_HEADER_LENGTH,
  NTPAC_ANOMALY_IPV4_BAD_TOTAL_LENGTH,
  NTPAC_ANOMALY_IPV6_TRUNCATED,
  NTPAC_ANOMALY_IPV6_BAD_VERSION,
  NTPAC_ANOMALY_IPV6_BAD_PAYLOAD_LENGTH,
  NTPAC_ANOMALY_IPV6_BAD_EXTENSION,
  NTPAC_ANOMALY_FRAG_OVERLAP_CONFLICT,
  NTPAC_ANOMALY_FRAG_TOO_LARGE,
  NTPAC_ANOMALY_FRAG_BAD_LENGTH,
  NTPAC_ANOMALY_FRAG_TOO_MANY,
  NTPAC_ANOMALY_FRAG_TIMEOUT,
  NTPAC_ANOMALY_FRAG_MEMORY_CAP,
  NTPAC_ANOMALY_FRAG_INCOMPLETE,
  NTPAC_ANOMALY_TCP_TRUNCATED,
  NTPAC_ANOMALY_TCP_BAD_DATA_OFFSET,
  NTPAC_ANOMALY_TCP_BAD_OPTION,
  NTPAC_ANOMALY_UDP_TRUNCATED,
  NTPAC_ANOMALY_UDP_BAD_LENGTH,
  NTPAC_ANOMALY_ICMP_TRUNCATED,
  NTPAC_ANOMALY_TOO_DEEP,
  NTPAC_ANOMALY_TCP_OVERLAP_CONFLICT,
  NTPAC_ANOMALY_TCP_MISSING_BYTES,
  NTPAC_ANOMALY_TCP_BUFFER_CAP,
  NTPAC_ANOMALY_MEMORY_CAP,
  NTPAC_ANOMALY_ACTOR_FAILED,
  NTPAC_ANOMALY_UDP_DUPLICATE,
  NTPAC_ANOMALY_WIFI_TRUNCATED,
  NTPAC_ANOMALY_WIFI_MALFORMED,
  NTPAC_ANOMALY_WIFI_PROTECTED,
  NTPAC_ANOMALY_WIFI_AMSDU_SUBFRAMES,
  NTPAC_ANOMALY_N_CORE_KINDS
} NtpacAnomalyKind;

/**
 * NtpacAnomaly:
 * @kind: what was found
 * @frame: the frame it was found in
 * @ts_ns: that frame's timestamp
 *
 * One anomaly, as reported while decoding.
 */
typedef struct
{
  NtpacAnomalyKind kind;
  NtpacFrameRef    frame;
  gint64           ts_ns;
} NtpacAnomaly;

typedef void (*NtpacAnomalyFunc) (const NtpacAnomaly *anomaly,
                                  gpointer            user_data);

const gchar   *ntpac_anomaly_kind_to_id    (NtpacAnomalyKind kind);
const gchar   *ntpac_anomaly_kind_describe (NtpacAnomalyKind kind);
NtpacSeverity  ntpac_anomaly_kind_severity (NtpacAnomalyKind kind);
const gchar   *ntpac_severity_to_string    (NtpacSeverity    severity);

G_END_DECLS
