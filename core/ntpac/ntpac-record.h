/* ntpac-record.h: records as stored: a schema version byte and a GVariant
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-capture.h"
#include "ntpac-conversation.h"
#include "ntpac-record-builder.h"

G_BEGIN_DECLS

GBytes   *ntpac_record_encode              (GVariant                *value);
gsize     ntpac_record_encode_value_into   (GByteArray              *out,
                                            GVariant                *value);
gsize     ntpac_record_encode_into         (GByteArray              *out,
                                            GVariant                *value);
GVariant *ntpac_record_decode              (const guint8            *data,
                                            gsize                    len,
                                            const GVariantType      *type,
                                            GError                 **error);

void      ntpac_record_add_address         (NtpacRecordBuilder      *b,
                                            const gchar             *key,
                                            const NtpacAddress      *address);
void      ntpac_record_add_conversation    (NtpacRecordBuilder      *b,
                                            const NtpacConversation *conversation);
GVariant *ntpac_record_from_conversation   (const NtpacConversation *conversation);
GVariant *ntpac_record_from_input          (const NtpacInput        *input);
GVariant *ntpac_record_from_anomaly        (const NtpacAnomaly      *anomaly);

/* Reading a{sv} records */
const gchar *ntpac_record_get_string (GVariant    *dict,
                                      const gchar *key);
guint64      ntpac_record_get_uint   (GVariant    *dict,
                                      const gchar *key);
gint64       ntpac_record_get_int    (GVariant    *dict,
                                      const gchar *key);
gboolean     ntpac_record_get_bool   (GVariant    *dict,
                                      const gchar *key);

G_END_DECLS
