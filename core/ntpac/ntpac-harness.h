/* ntpac-harness.h: one dissector, bytes in, records and anomalies out
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib-object.h>

#include "ntpac-dissector.h"

G_BEGIN_DECLS

/**
 * NtpacHarness:
 *
 * Drives one dissector over one made-up conversation through the same
 * code the engine runs (probing, buffering, gaps), for tests (as
 * GStreamer's GstHarness). Records come out as the store would get them.
 */
typedef struct _NtpacHarness NtpacHarness;

NtpacHarness *ntpac_harness_new           (NtpacDissector    *dissector,
                                           NtpacDissectInput  input,
                                           guint16            client_port,
                                           guint16            server_port);
void          ntpac_harness_free          (NtpacHarness      *self);
void          ntpac_harness_push          (NtpacHarness      *self,
                                           NtpacDirection     direction,
                                           gconstpointer      data,
                                           gsize              len);
void          ntpac_harness_push_gap      (NtpacHarness      *self,
                                           NtpacDirection     direction,
                                           gconstpointer      before,
                                           gsize              before_len,
                                           guint64            missing,
                                           gconstpointer      after,
                                           gsize              after_len);
void          ntpac_harness_end           (NtpacHarness      *self);
const gchar  *ntpac_harness_get_protocol  (NtpacHarness      *self);
GPtrArray    *ntpac_harness_get_records   (NtpacHarness      *self,
                                           const gchar       *output);
GPtrArray    *ntpac_harness_get_anomalies (NtpacHarness      *self);
GBytes       *ntpac_harness_get_object    (NtpacHarness      *self,
                                           const gchar       *sha256);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacHarness, ntpac_harness_free)

G_END_DECLS
