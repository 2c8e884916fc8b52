/* ntpac-store-writer-private.h: the store actor: the one thread that
 * writes to the database
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-record-builder.h"
#include "ntpac-store.h"

G_BEGIN_DECLS

typedef struct _NtpacStoreWriter NtpacStoreWriter;
typedef struct _NtpacStoreBundle NtpacStoreBundle;

NtpacStoreBundle *ntpac_store_bundle_new        (void);
void              ntpac_store_bundle_free       (NtpacStoreBundle  *self);
void              ntpac_store_bundle_put        (NtpacStoreBundle  *self,
                                                 gint               cf,
                                                 gconstpointer      key,
                                                 gsize              key_len,
                                                 gconstpointer      value,
                                                 gsize              value_len);
GByteArray       *ntpac_store_bundle_begin      (NtpacStoreBundle  *self,
                                                 gint               cf,
                                                 gconstpointer      key,
                                                 gsize              key_len);
void              ntpac_store_bundle_end        (NtpacStoreBundle  *self);
void              ntpac_store_bundle_put_record (NtpacStoreBundle  *self,
                                                 gint               cf,
                                                 gconstpointer      key,
                                                 gsize              key_len,
                                                 GVariant          *record);
void              ntpac_store_bundle_put_built  (NtpacStoreBundle  *self,
                                                 gint               cf,
                                                 gconstpointer      key,
                                                 gsize              key_len,
                                                 NtpacRecordBuilder *record);
gsize             ntpac_store_bundle_get_size   (NtpacStoreBundle  *self);
guint             ntpac_store_bundle_get_n_records (NtpacStoreBundle *self);

NtpacStoreWriter *ntpac_store_writer_new        (NtpacStore        *store);
void              ntpac_store_writer_submit     (NtpacStoreWriter  *self,
                                                 NtpacStoreBundle  *bundle);
void              ntpac_store_writer_put        (NtpacStoreWriter  *self,
                                                 gint               cf,
                                                 gconstpointer      key,
                                                 gsize              key_len,
                                                 GVariant          *record);
gboolean          ntpac_store_writer_has_failed (NtpacStoreWriter  *self);
void              ntpac_store_writer_fail       (NtpacStoreWriter  *self,
                                                 GError            *error);
gboolean          ntpac_store_writer_finish     (NtpacStoreWriter  *self,
                                                 GError           **error);
NtpacStore       *ntpac_store_writer_get_store  (NtpacStoreWriter  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacStoreBundle, ntpac_store_bundle_free)

G_END_DECLS
