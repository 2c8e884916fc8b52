/* ntpac-store.h: the evidence store, RocksDB column families on disk
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>
#include <stdio.h>

#include "ntpac-store-keys.h"

G_BEGIN_DECLS

/**
 * NtpacStoreError:
 * @NTPAC_STORE_ERROR_FAILED: a read or write failed (full disk, I/O error)
 * @NTPAC_STORE_ERROR_EXISTS: a database is already there
 * @NTPAC_STORE_ERROR_NOT_A_DATABASE: the path is not an ntpac database
 * @NTPAC_STORE_ERROR_SCHEMA: the database has a newer schema
 * @NTPAC_STORE_ERROR_OPEN: the database cannot be opened or created
 */
typedef enum
{
  NTPAC_STORE_ERROR_FAILED,
  NTPAC_STORE_ERROR_EXISTS,
  NTPAC_STORE_ERROR_NOT_A_DATABASE,
  NTPAC_STORE_ERROR_SCHEMA,
  NTPAC_STORE_ERROR_OPEN,
} NtpacStoreError;

#define NTPAC_STORE_ERROR (ntpac_store_error_quark ())
GQuark ntpac_store_error_quark (void);

/**
 * NtpacStoreMode:
 * @NTPAC_STORE_CREATE: a new database; an existing one is refused
 * @NTPAC_STORE_APPEND: an existing database (or a new one), for writing
 * @NTPAC_STORE_READ: read-only; works while a run is still writing
 */
typedef enum
{
  NTPAC_STORE_CREATE,
  NTPAC_STORE_APPEND,
  NTPAC_STORE_READ,
} NtpacStoreMode;

/**
 * NtpacStoreDurability:
 * @NTPAC_STORE_BULK: offline runs: no write-ahead log, atomic flushes of
 *   every column family, compaction at the end
 * @NTPAC_STORE_WAL: live runs: every write goes through the write-ahead log
 * @NTPAC_STORE_INGEST: as %NTPAC_STORE_BULK, for a writer that does not
 *   read back what it wrote (`run`): records are kept in memory in the
 *   order they come and sorted when written to disk, which fills faster
 *   than keeping them sorted
 */
typedef enum
{
  NTPAC_STORE_BULK,
  NTPAC_STORE_WAL,
  NTPAC_STORE_INGEST,
} NtpacStoreDurability;

typedef struct _NtpacStore NtpacStore;
typedef struct _NtpacStoreBatch NtpacStoreBatch;
typedef struct _NtpacStoreIter NtpacStoreIter;

NtpacStore      *ntpac_store_open            (const gchar          *path,
                                              NtpacStoreMode        mode,
                                              NtpacStoreDurability  durability,
                                              GError              **error);
NtpacStore      *ntpac_store_open_full       (const gchar          *path,
                                              NtpacStoreMode        mode,
                                              NtpacStoreDurability  durability,
                                              gsize                 write_buffer,
                                              GError              **error);
gboolean         ntpac_store_close           (NtpacStore           *self,
                                              GError              **error);
const gchar     *ntpac_store_get_path        (NtpacStore           *self);
gboolean         ntpac_store_is_read_only    (NtpacStore           *self);

gboolean         ntpac_store_ensure_cf       (NtpacStore           *self,
                                              const gchar          *name,
                                              GError              **error);
gint             ntpac_store_cf_id           (NtpacStore           *self,
                                              const gchar          *name);
const gchar     *ntpac_store_cf_name         (NtpacStore           *self,
                                              gint                  id);
gchar          **ntpac_store_list_cfs        (NtpacStore           *self);

NtpacStoreBatch *ntpac_store_batch_new       (NtpacStore           *self);
void             ntpac_store_batch_free      (NtpacStoreBatch      *batch);
void             ntpac_store_batch_put       (NtpacStoreBatch      *batch,
                                              gint                  cf,
                                              gconstpointer         key,
                                              gsize                 key_len,
                                              gconstpointer         value,
                                              gsize                 value_len);
void             ntpac_store_batch_delete    (NtpacStoreBatch      *batch,
                                              gint                  cf,
                                              gconstpointer         key,
                                              gsize                 key_len);
gsize            ntpac_store_batch_get_size  (NtpacStoreBatch      *batch);
gboolean         ntpac_store_batch_commit    (NtpacStoreBatch      *batch,
                                              GError              **error);
void             ntpac_store_start_flush     (NtpacStore           *self);
gboolean         ntpac_store_flush           (NtpacStore           *self,
                                              GError              **error);

gboolean         ntpac_store_put_meta        (NtpacStore           *self,
                                              const gchar          *name,
                                              const gchar          *value,
                                              GError              **error);
gchar           *ntpac_store_get_meta        (NtpacStore           *self,
                                              const gchar          *name);
GBytes          *ntpac_store_get             (NtpacStore           *self,
                                              gint                  cf,
                                              gconstpointer         key,
                                              gsize                 key_len,
                                              GError              **error);

NtpacStoreIter  *ntpac_store_iter_new        (NtpacStore           *self,
                                              gint                  cf,
                                              gconstpointer         lower,
                                              gsize                 lower_len,
                                              gconstpointer         upper,
                                              gsize                 upper_len);
NtpacStoreIter  *ntpac_store_iter_new_prefix (NtpacStore           *self,
                                              gint                  cf,
                                              gconstpointer         prefix,
                                              gsize                 prefix_len);
gboolean         ntpac_store_iter_next       (NtpacStoreIter       *iter,
                                              const guint8        **key,
                                              gsize                *key_len,
                                              const guint8        **value,
                                              gsize                *value_len);
gboolean         ntpac_store_iter_get_error  (NtpacStoreIter       *iter,
                                              GError              **error);
void             ntpac_store_iter_free       (NtpacStoreIter       *iter);

guint64          ntpac_store_get_disk_size   (NtpacStore           *self);
gchar           *ntpac_store_get_payload_dir (NtpacStore           *self);
GBytes          *ntpac_store_read_payload    (NtpacStore           *self,
                                              GVariant             *pdu,
                                              GError              **error);
gboolean         ntpac_store_has_object      (NtpacStore           *self,
                                              const guint8         *sha256);
gboolean         ntpac_store_copy_object     (NtpacStore           *self,
                                              const guint8         *sha256,
                                              FILE                 *out,
                                              guint64              *size,
                                              GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacStoreIter, ntpac_store_iter_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacStoreBatch, ntpac_store_batch_free)

G_END_DECLS
