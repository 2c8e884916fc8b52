/* ntpac-payload-log-private.h: PDU payloads in append-only files beside
 * the database
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NtpacPayloadFiles NtpacPayloadFiles;
typedef struct _NtpacPayloadLog NtpacPayloadLog;

NtpacPayloadFiles *ntpac_payload_files_new  (const gchar        *dir,
                                             GError            **error);
void               ntpac_payload_files_free (NtpacPayloadFiles  *files);
NtpacPayloadLog   *ntpac_payload_log_open   (NtpacPayloadFiles  *files,
                                             GError            **error);
gboolean           ntpac_payload_log_write  (NtpacPayloadLog    *self,
                                             gconstpointer       data,
                                             gsize               len,
                                             guint32            *file,
                                             guint64            *offset,
                                             GError            **error);
void               ntpac_payload_log_close  (NtpacPayloadLog    *self);

GBytes            *ntpac_payload_read       (const gchar        *dir,
                                             guint32             file,
                                             guint64             offset,
                                             guint32             stored_len,
                                             guint32             len,
                                             guint8              codec,
                                             GError            **error);
gsize              ntpac_payload_compress   (gconstpointer       data,
                                             gsize               len,
                                             GByteArray         *out,
                                             guint8             *codec);

G_END_DECLS
