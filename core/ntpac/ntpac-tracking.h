/* ntpac-tracking.h: settings of conversation tracking
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
 * NtpacTrackingConfig:
 * @tcp_idle_timeout_ns: a TCP conversation idle this long (capture time)
 *   ends; later packets start a new one (default 10 min)
 * @udp_idle_timeout_ns: the same for UDP (default 2 min)
 * @closed_linger_ns: how long a closed (FIN or RST) conversation still
 *   takes stray packets before it is handed on (default 4 min, TCP's
 *   TIME-WAIT)
 * @pdu_max_bytes: a PDU is cut at this size (default 1 MiB)
 * @ooo_max_bytes: out-of-order bytes held per TCP direction before the
 *   hole becomes a gap (default 4 MiB)
 * @memory_max_bytes: bytes held by one worker's conversations before the
 *   oldest are flushed (default 64 MiB)
 * @reorder_window: packets a hole may wait once the receiver acknowledged
 *   past it (default 16)
 * @max_sequence_jump: a TCP sequence jump larger than this starts a new
 *   conversation (default 256 MiB)
 * @overlap_last_wins: bytes received last win overlaps (default: first)
 *
 * Every cap is a promise of bounded memory: hitting one flushes data with
 * a recorded gap or an early PDU, never grows.
 */
typedef struct
{
  gint64   tcp_idle_timeout_ns;
  gint64   udp_idle_timeout_ns;
  gint64   closed_linger_ns;
  gsize    pdu_max_bytes;
  gsize    ooo_max_bytes;
  gsize    memory_max_bytes;
  guint    reorder_window;
  guint64  max_sequence_jump;
  gboolean overlap_last_wins;
} NtpacTrackingConfig;

void ntpac_tracking_config_init (NtpacTrackingConfig *config);

G_END_DECLS
