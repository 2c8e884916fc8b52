/* ntpac-record-builder.h: a record's fields written straight into their
 * stored form
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
 * NtpacRecordBuilder:
 *
 * The fields of one record (an `a{sv}`), each serialised as it is added,
 * in GVariant normal form. It gives the same bytes as building the
 * record with #GVariantBuilder and storing it, at a fraction of the cost:
 * no tree of values is built, no type is looked up in GLib's global
 * cache. Fields keep the order they were added in.
 *
 * A dissector gets one from ntpac_dissect_context_begin_record() and
 * hands it to ntpac_dissect_context_emit_record().
 */
typedef struct _NtpacRecordBuilder NtpacRecordBuilder;

NtpacRecordBuilder *ntpac_record_builder_new          (void);
void                ntpac_record_builder_free         (NtpacRecordBuilder *self);
NtpacRecordBuilder *ntpac_record_builder_take         (void);
void                ntpac_record_builder_give_back    (NtpacRecordBuilder *self);
void                ntpac_record_builder_reset        (NtpacRecordBuilder *self);
guint               ntpac_record_builder_get_n_fields (const NtpacRecordBuilder *self);

void ntpac_record_builder_add_string  (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       const gchar        *text,
                                       gssize              len);
void ntpac_record_builder_add_boolean (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       gboolean            value);
void ntpac_record_builder_add_byte    (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       guint8              value);
void ntpac_record_builder_add_uint16  (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       guint16             value);
void ntpac_record_builder_add_uint32  (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       guint32             value);
void ntpac_record_builder_add_uint64  (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       guint64             value);
void ntpac_record_builder_add_int64   (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       gint64              value);
void ntpac_record_builder_add_fixed_array (NtpacRecordBuilder *self,
                                           const gchar        *key,
                                           const gchar        *element_type,
                                           gconstpointer       elements,
                                           gsize               n_elements,
                                           gsize               element_size);
void ntpac_record_builder_add_value   (NtpacRecordBuilder *self,
                                       const gchar        *key,
                                       GVariant           *value);
void ntpac_record_builder_add_fields  (NtpacRecordBuilder *self,
                                       GVariant           *fields);

void ntpac_record_builder_open_pairs  (NtpacRecordBuilder *self,
                                       const gchar        *key);
void ntpac_record_builder_add_pair    (NtpacRecordBuilder *self,
                                       const gchar        *name,
                                       gssize              name_len,
                                       const gchar        *value,
                                       gssize              value_len);
void ntpac_record_builder_close_pairs (NtpacRecordBuilder *self);

void ntpac_record_builder_open_strings    (NtpacRecordBuilder *self,
                                           const gchar        *key);
void ntpac_record_builder_add_item_string (NtpacRecordBuilder *self,
                                           const gchar        *text,
                                           gssize              len);
void ntpac_record_builder_close_strings   (NtpacRecordBuilder *self);

void ntpac_record_builder_open_list   (NtpacRecordBuilder *self,
                                       const gchar        *key);
void ntpac_record_builder_open_item   (NtpacRecordBuilder *self);
void ntpac_record_builder_close_item  (NtpacRecordBuilder *self);
void ntpac_record_builder_close_list  (NtpacRecordBuilder *self);
void ntpac_record_builder_open_fields (NtpacRecordBuilder *self,
                                       const gchar        *key);
void ntpac_record_builder_close_fields (NtpacRecordBuilder *self);

void      ntpac_record_builder_append    (NtpacRecordBuilder       *self,
                                          const NtpacRecordBuilder *other);
gsize     ntpac_record_builder_end_into  (NtpacRecordBuilder *self,
                                          GByteArray         *out);
GVariant *ntpac_record_builder_end       (NtpacRecordBuilder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacRecordBuilder, ntpac_record_builder_free)

G_END_DECLS
