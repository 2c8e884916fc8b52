/* ntpac-store.c: the evidence store, RocksDB column families on disk
 *
 * The only file that speaks to RocksDB (its C API). A database is a
 * directory; column families are created on demand and numbered in `meta`
 * (the numbers appear in index keys). Offline runs write without the
 * write-ahead log and with atomic flushes, so that what reaches disk is
 * always a prefix of what was written, in every column family at once;
 * live runs keep the log. Readers open read-only, which works while a run
 * still writes (they see what was flushed).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <rocksdb/c.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ntpac-store.h"
#include "ntpac-dissector.h"
#include "ntpac-payload-log-private.h"
#include "ntpac-record.h"

#define PAYLOAD_DIR        "payload"
#define MAX_CFS            250
/* Records held in memory before they are written to disk, in total over
 * every column family, unless the caller says otherwise. */
#define WRITE_BUFFER_DEFAULT (64u * 1024 * 1024)
#define WRITE_BUFFER_MIN     (256u * 1024)
#define BLOCK_CACHE        (16u * 1024 * 1024)

G_DEFINE_QUARK (ntpac-store-error-quark, ntpac_store_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (rocksdb_options_t, rocksdb_options_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rocksdb_writebatch_t, rocksdb_writebatch_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rocksdb_readoptions_t, rocksdb_readoptions_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (rocksdb_flushoptions_t, rocksdb_flushoptions_destroy)

static const gchar * const core_cfs[] = {
  NTPAC_STORE_CF_META,
  NTPAC_STORE_CF_INPUTS,
  NTPAC_STORE_CF_CONVERSATIONS,
  NTPAC_STORE_CF_PDUS,
  NTPAC_STORE_CF_FRAMES,
  NTPAC_STORE_CF_ANOMALIES,
  NTPAC_STORE_CF_OBJECTS,
  NTPAC_STORE_CF_OBJECTS_DATA,
  NTPAC_STORE_CF_INDEX_IP,
  NTPAC_STORE_CF_INDEX_NAME,
  NTPAC_STORE_CF_INDEX_TIME,
};

typedef struct
{
  gchar                          *name;
  rocksdb_column_family_handle_t *handle;
} ColumnFamily;

struct _NtpacStore
{
  gchar                  *path;
  NtpacStoreMode          mode;
  NtpacStoreDurability    durability;
  gsize                   write_buffer;
  rocksdb_t              *db;
  rocksdb_options_t      *options;
  rocksdb_block_based_table_options_t *table;
  rocksdb_cache_t        *cache;
  rocksdb_filterpolicy_t *filter;
  rocksdb_writeoptions_t *write;
  rocksdb_readoptions_t  *read;
  GPtrArray              *cfs;       /* ColumnFamily, by id; NULL holes */
  GHashTable             *cf_ids;    /* name -> id + 1 */
  GMutex                  lock;      /* column family creation */
};

struct _NtpacStoreBatch
{
  NtpacStore           *store;
  rocksdb_writebatch_t *batch;
};

struct _NtpacStoreIter
{
  rocksdb_iterator_t    *iter;
  rocksdb_readoptions_t *read;
  gchar                 *upper;
  gboolean               started;
};

typedef enum
{
  DB_CREATING_FAMILY,
  DB_WRITING,
  DB_FLUSHING,
  DB_READING,
} DbAction;

/* A RocksDB error string becomes a GError (and is freed). */
static gboolean
check (char         *err,
       GError      **error,
       NtpacStore   *self,
       DbAction      action)
{
  if (err == NULL)
    return TRUE;
  switch (action)
    {
    case DB_CREATING_FAMILY:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot add a column family to the database “%s”: %s"), self->path, err);
      break;
    case DB_WRITING:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot write to the database “%s”: %s"), self->path, err);
      break;
    case DB_FLUSHING:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot write the database “%s” to disk: %s"), self->path, err);
      break;
    case DB_READING:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot read the database “%s”: %s"), self->path, err);
      break;
    }
  rocksdb_free (err);
  return FALSE;
}

static void
column_family_free (gpointer data)
{
  ColumnFamily *cf = data;

  if (cf == NULL)
    return;
  if (cf->handle != NULL)
    rocksdb_column_family_handle_destroy (cf->handle);
  g_free (cf->name);
  g_free (cf);
}

/* Files in the first level of a column family before a run merges them. */
#define L0_FILES 32

/* Options shared by every column family: LZ4 for fresh data, ZSTD where
 * it settles, a bloom filter for point lookups. */
static rocksdb_options_t *
make_options (NtpacStore *self)
{
  rocksdb_options_t *o = rocksdb_options_create ();

  rocksdb_options_set_create_if_missing (o, self->mode != NTPAC_STORE_READ);
  rocksdb_options_set_create_missing_column_families (o, self->mode != NTPAC_STORE_READ);
  rocksdb_options_set_max_background_jobs (o, 2);
  /* Two flushes at once: the column families written at the end of a run
   * are flushed side by side (a flush waits on the disk more than it
   * computes). */
  rocksdb_options_set_max_background_flushes (o, 2);
  rocksdb_options_set_db_write_buffer_size (o, self->write_buffer);
  rocksdb_options_set_write_buffer_size (o, self->write_buffer / 4);
  rocksdb_options_set_max_open_files (o, 512);
  rocksdb_options_set_keep_log_file_num (o, 2);
  rocksdb_options_set_compression (o, rocksdb_lz4_compression);
  rocksdb_options_set_bottommost_compression (o, rocksdb_zstd_compression);
  rocksdb_options_set_block_based_table_factory (o, self->table);
  if (self->durability != NTPAC_STORE_WAL)
    rocksdb_options_set_atomic_flush (o, 1);
  if (self->durability == NTPAC_STORE_INGEST)
    {
      rocksdb_options_set_allow_concurrent_memtable_write (o, 0);  /* vector memtables */
      /* A run writes each column family's files once, in key order per
       * file but not between files: compacting them as they come (four
       * files at a time, by default) rewrites the growing first level
       * again and again, which took a third of a record-heavy run's
       * time. Files are left to pile up to L0_FILES before they are merged:
       * reads over that many files are barely slower. */
      rocksdb_options_set_level0_file_num_compaction_trigger (o, L0_FILES);
      rocksdb_options_set_level0_slowdown_writes_trigger (o, L0_FILES + 16);
      rocksdb_options_set_level0_stop_writes_trigger (o, L0_FILES + 32);
    }
  return o;
}

/* The options of the column family @name. A run that only writes keeps
 * its records in memory as a list, sorted when written to disk: appending
 * costs a fraction of inserting in order, which matters at millions of
 * small records (DNS). Reading such a list before it is written sorts it,
 * so the column families read during a run (meta, the objects' content)
 * keep the sorted kind. */
static rocksdb_options_t *
make_cf_options (NtpacStore  *self,
                 const gchar *name)
{
  rocksdb_options_t *o = make_options (self);

  if (self->durability == NTPAC_STORE_INGEST && self->mode != NTPAC_STORE_READ &&
      !g_str_equal (name, NTPAC_STORE_CF_META) && !g_str_equal (name, NTPAC_STORE_CF_OBJECTS_DATA) &&
      !g_str_equal (name, "default"))
    rocksdb_options_set_memtable_vector_rep (o);
  return o;
}

static gboolean
is_database_dir (const gchar *path)
{
  g_autofree gchar *current = g_build_filename (path, "CURRENT", NULL);

  return g_file_test (current, G_FILE_TEST_IS_REGULAR);
}

/* Whether another process writes the database @dir: holds RocksDB's lock,
 * a POSIX lock on its LOCK file. Read from /proc/locks, because opening
 * LOCK to ask would drop a lock this process holds on it. */
static gboolean
is_written_by_another (const gchar *dir)
{
  g_autofree gchar *lock = g_build_filename (dir, "LOCK", NULL);
  g_autofree gchar *locks = NULL;
  g_auto(GStrv) lines = NULL;
  GStatBuf st;

  if (g_stat (lock, &st) != 0 || !g_file_get_contents ("/proc/locks", &locks, NULL, NULL))
    return FALSE;
  lines = g_strsplit (locks, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned int dev_major, dev_minor;
      unsigned long long ino;
      long pid;

      /* "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 0 EOF"; lines with
       * "->" are processes waiting for a lock, not holding one. */
      if (strstr (lines[i], "->") != NULL ||
          sscanf (lines[i], "%*d: %*s %*s %*s %ld %x:%x:%llu", &pid, &dev_major, &dev_minor, &ino) != 4)
        continue;
      if (ino == (unsigned long long) st.st_ino && dev_major == major (st.st_dev) &&
          dev_minor == minor (st.st_dev) && pid != (long) getpid ())
        return TRUE;
    }
  return FALSE;
}

static void
set_busy_error (GError      **error,
                const gchar  *path)
{
  g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
               _("Another run is writing the database “%s”; wait for it to end, or choose another output"),
               path);
}

static gboolean
dir_is_empty (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

/* Reads the numbers of the column families from meta ("cf.NAME" -> id). */
static void
load_cf_ids (NtpacStore                     *self,
             rocksdb_column_family_handle_t *meta)
{
  rocksdb_iterator_t *it = rocksdb_create_iterator_cf (self->db, self->read, meta);

  for (rocksdb_iter_seek (it, "cf.", 3); rocksdb_iter_valid (it); rocksdb_iter_next (it))
    {
      size_t klen, vlen;
      const char *k = rocksdb_iter_key (it, &klen);
      const char *v = rocksdb_iter_value (it, &vlen);
      g_autofree gchar *value = NULL;
      guint64 id;

      if (klen < 3 || memcmp (k, "cf.", 3) != 0)
        break;
      value = g_strndup (v, vlen);
      if (g_ascii_string_to_unsigned (value, 10, 0, MAX_CFS - 1, &id, NULL))
        g_hash_table_insert (self->cf_ids, g_strndup (k + 3, klen - 3), GUINT_TO_POINTER ((guint) id + 1));
    }
  rocksdb_iter_destroy (it);
}

/* Puts the opened column families at their numbers; the ones without a
 * number ("default") are let go. */
static void
place_cfs (NtpacStore                      *self,
           char                           **names,
           rocksdb_column_family_handle_t **handles,
           gsize                            n)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (names[i], NTPAC_STORE_CF_META))
      load_cf_ids (self, handles[i]);
  for (gsize i = 0; i < n; i++)
    {
      guint id = GPOINTER_TO_UINT (g_hash_table_lookup (self->cf_ids, names[i]));
      ColumnFamily *cf;

      if (id == 0)
        {
          rocksdb_column_family_handle_destroy (handles[i]);
          continue;
        }
      if (self->cfs->len < id)
        g_ptr_array_set_size (self->cfs, id);
      cf = g_new0 (ColumnFamily, 1);
      cf->name = g_strdup (names[i]);
      cf->handle = handles[i];
      self->cfs->pdata[id - 1] = cf;
    }
}

static gboolean
check_schema (NtpacStore  *self,
              GError     **error)
{
  g_autofree gchar *schema = ntpac_store_get_meta (self, "schema");
  guint64 version;

  if (schema == NULL || !g_ascii_string_to_unsigned (schema, 10, 1, G_MAXUINT32, &version, NULL))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is not an ntpac database"), self->path);
      return FALSE;
    }
  if (version > NTPAC_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_SCHEMA,
                   _("“%s” has schema version %" PRIu64 ", newer than the %d this "
                     "ntpac-engine reads; use a newer ntpac-engine"),
                   self->path, version, NTPAC_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static void
free_cf_options (const rocksdb_options_t **cf_options,
                 gsize                     n)
{
  for (gsize i = 0; i < n; i++)
    rocksdb_options_destroy ((rocksdb_options_t *) cf_options[i]);
}

static gboolean
open_existing (NtpacStore  *self,
               GError     **error)
{
  g_autoptr(rocksdb_options_t) options = make_options (self);
  char *err = NULL;
  size_t n = 0;
  char **names = rocksdb_list_column_families (options, self->path, &n, &err);
  g_autofree rocksdb_column_family_handle_t **handles = NULL;
  g_autofree const rocksdb_options_t **cf_options = NULL;
  gboolean has_meta = FALSE;

  if (err != NULL)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is not an ntpac database (%s)"), self->path, err);
      rocksdb_free (err);
      return FALSE;
    }
  for (size_t i = 0; i < n; i++)
    has_meta |= g_str_equal (names[i], NTPAC_STORE_CF_META);
  if (!has_meta)
    {
      rocksdb_list_column_families_destroy (names, n);
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is a RocksDB database, but not an ntpac database"), self->path);
      return FALSE;
    }
  handles = g_new0 (rocksdb_column_family_handle_t *, n);
  cf_options = g_new0 (const rocksdb_options_t *, n);
  for (size_t i = 0; i < n; i++)
    cf_options[i] = make_cf_options (self, names[i]);
  if (self->mode == NTPAC_STORE_READ)
    self->db = rocksdb_open_for_read_only_column_families (options, self->path, n,
                                                          (const char * const *) names,
                                                          cf_options, handles, 0, &err);
  else
    self->db = rocksdb_open_column_families (options, self->path, n,
                                             (const char * const *) names,
                                             cf_options, handles, &err);
  if (err != NULL)
    {
      /* Locked since we looked */
      if (self->mode != NTPAC_STORE_READ && is_written_by_another (self->path))
        set_busy_error (error, self->path);
      else
        g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
                     _("Cannot open the database “%s”: %s"), self->path, err);
      rocksdb_free (err);
      free_cf_options (cf_options, n);
      rocksdb_list_column_families_destroy (names, n);
      return FALSE;
    }
  free_cf_options (cf_options, n);
  place_cfs (self, names, handles, n);
  rocksdb_list_column_families_destroy (names, n);
  return check_schema (self, error);
}

/* Removes a folder this store made, with what is in it. */
static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Closes the database and its column families; the store stays. */
static void
close_db (NtpacStore *self)
{
  g_ptr_array_set_size (self->cfs, 0);  /* handles before the database */
  g_hash_table_remove_all (self->cf_ids);
  if (self->db != NULL)
    rocksdb_close (self->db);
  self->db = NULL;
}

/* Lays out a new database in the folder @dir: column families, their
 * numbers in meta, the payload folder, and last the schema version. */
static gboolean
build_new (NtpacStore   *self,
           const gchar  *dir,
           GError      **error)
{
  g_autoptr(rocksdb_options_t) options = make_options (self);
  const gchar *names[G_N_ELEMENTS (core_cfs) + 1];
  const rocksdb_options_t *cf_options[G_N_ELEMENTS (core_cfs) + 1];
  rocksdb_column_family_handle_t *handles[G_N_ELEMENTS (core_cfs) + 1];
  g_autofree gchar *payload = g_build_filename (dir, PAYLOAD_DIR, NULL);
  char *err = NULL;

  names[0] = "default";
  for (gsize i = 0; i < G_N_ELEMENTS (core_cfs); i++)
    names[i + 1] = core_cfs[i];
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    cf_options[i] = make_cf_options (self, names[i]);
  self->db = rocksdb_open_column_families (options, dir, G_N_ELEMENTS (names), names,
                                           cf_options, handles, &err);
  free_cf_options (cf_options, G_N_ELEMENTS (names));
  if (err != NULL)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
                   _("Cannot create the database “%s”: %s"), self->path, err);
      rocksdb_free (err);
      return FALSE;
    }
  /* Numbered in the order of core_cfs; "default" is not used. */
  rocksdb_column_family_handle_destroy (handles[0]);
  for (gsize i = 0; i < G_N_ELEMENTS (core_cfs); i++)
    {
      ColumnFamily *cf = g_new0 (ColumnFamily, 1);

      cf->name = g_strdup (core_cfs[i]);
      cf->handle = handles[i + 1];
      g_ptr_array_add (self->cfs, cf);
      g_hash_table_insert (self->cf_ids, g_strdup (cf->name), GUINT_TO_POINTER (i + 1));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (core_cfs); i++)
    {
      g_autofree gchar *key = g_strdup_printf ("cf.%s", core_cfs[i]);
      g_autofree gchar *value = g_strdup_printf ("%" G_GSIZE_FORMAT, i);

      if (!ntpac_store_put_meta (self, key, value, error))
        return FALSE;
    }
  if (g_mkdir_with_parents (payload, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
                   _("Cannot create “%s”: %s"), payload, g_strerror (saved_errno));
      return FALSE;
    }
  {
    g_autofree gchar *schema = g_strdup_printf ("%d", NTPAC_STORE_SCHEMA_VERSION);

    if (!ntpac_store_put_meta (self, "schema", schema, error))
      return FALSE;
  }
  return ntpac_store_flush (self, error);
}

/* A new database is built beside its name and renamed into place once
 * whole: a run killed while creating it leaves no half-made database. */
static gboolean
create_new (NtpacStore  *self,
            GError     **error)
{
  g_autofree gchar *parent = g_path_get_dirname (self->path);
  g_autofree gchar *building = g_strconcat (self->path, ".creating-XXXXXX", NULL);
  gboolean ok;

  if (g_mkdir_with_parents (parent, 0755) != 0 || g_mkdtemp (building) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
                   _("Cannot create the database “%s”: %s"), self->path, g_strerror (saved_errno));
      return FALSE;
    }
  ok = build_new (self, building, error);
  close_db (self);
  if (ok && g_rename (building, self->path) != 0)
    {
      int saved_errno = errno;

      /* The name was free when we began: another run made it since. */
      if (saved_errno == ENOTEMPTY || saved_errno == EEXIST)
        set_busy_error (error, self->path);
      else
        g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_OPEN,
                     _("Cannot create the database “%s”: %s"), self->path, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    {
      remove_tree (building);
      return FALSE;
    }
  return open_existing (self, error);
}

/**
 * ntpac_store_open:
 * @path: the database directory
 * @mode: create, append or read
 * @durability: how writes reach disk (ignored for reading)
 * @error: return location for a #GError
 *
 * Opens a database with the default write buffer; see
 * ntpac_store_open_full().
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 * Since: 0.1
 */
NtpacStore *
ntpac_store_open (const gchar           *path,
                  NtpacStoreMode         mode,
                  NtpacStoreDurability   durability,
                  GError               **error)
{
  return ntpac_store_open_full (path, mode, durability, 0, error);
}

/**
 * ntpac_store_open_full:
 * @path: the database directory
 * @mode: create, append or read
 * @durability: how writes reach disk (ignored for reading)
 * @write_buffer: bytes of records held in memory before they are written
 *   to disk (at least 256 KiB), 0 for the default 64 MiB. In bulk mode
 *   it is also what a killed run can lose.
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 *   (%NTPAC_STORE_ERROR_EXISTS, %NTPAC_STORE_ERROR_NOT_A_DATABASE,
 *   %NTPAC_STORE_ERROR_SCHEMA, %NTPAC_STORE_ERROR_OPEN)
 * Since: 0.1
 */
NtpacStore *
ntpac_store_open_full (const gchar           *path,
                       NtpacStoreMode         mode,
                       NtpacStoreDurability   durability,
                       gsize                  write_buffer,
                       GError               **error)
{
  NtpacStore *self = g_new0 (NtpacStore, 1);
  gboolean exists = g_file_test (path, G_FILE_TEST_EXISTS);
  gboolean ok;

  self->path = g_strdup (path);
  self->mode = mode;
  self->durability = durability;
  self->write_buffer = write_buffer == 0 ? WRITE_BUFFER_DEFAULT : MAX (write_buffer, WRITE_BUFFER_MIN);
  self->cfs = g_ptr_array_new_with_free_func (column_family_free);
  self->cf_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->lock);
  self->cache = rocksdb_cache_create_lru (BLOCK_CACHE);
  self->filter = rocksdb_filterpolicy_create_bloom (10);
  self->table = rocksdb_block_based_options_create ();
  rocksdb_block_based_options_set_block_cache (self->table, self->cache);
  rocksdb_block_based_options_set_filter_policy (self->table, self->filter);
  self->filter = NULL;  /* owned by the table options now */
  self->write = rocksdb_writeoptions_create ();
  rocksdb_writeoptions_disable_WAL (self->write, durability != NTPAC_STORE_WAL);
  self->read = rocksdb_readoptions_create ();

  if (exists && !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is a file, not an ntpac database"), path);
      ok = FALSE;
    }
  else if (mode == NTPAC_STORE_READ)
    {
      if (!exists || !is_database_dir (path))
        {
          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                       exists ? _("“%s” is not an ntpac database") : _("“%s” does not exist"), path);
          ok = FALSE;
        }
      else
        ok = open_existing (self, error);
    }
  else if (exists && is_database_dir (path))
    {
      /* Rather than RocksDB's lock error, or "already exists" for a
       * database that is still being made. */
      if (is_written_by_another (path))
        {
          set_busy_error (error, path);
          ok = FALSE;
        }
      else if (mode == NTPAC_STORE_CREATE)
        {
          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_EXISTS,
                       _("The database “%s” already exists; add to it with --append, or choose another output"),
                       path);
          ok = FALSE;
        }
      else
        ok = open_existing (self, error);
    }
  else if (exists && !dir_is_empty (path))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is a folder that is neither empty nor an ntpac database"), path);
      ok = FALSE;
    }
  else
    ok = create_new (self, error);

  if (!ok)
    {
      ntpac_store_close (self, NULL);
      return NULL;
    }
  return self;
}

/**
 * ntpac_store_close:
 * @self: (transfer full): a store
 * @error: return location for a #GError
 *
 * Flushes what was written and closes the database.
 *
 * Returns: %FALSE if the final flush failed (the store is closed anyway)
 * Since: 0.1
 */
gboolean
ntpac_store_close (NtpacStore  *self,
                   GError     **error)
{
  gboolean ok = TRUE;

  if (self == NULL)
    return TRUE;
  /* No compaction at the end: a bulk-loaded database is a few files per
   * column family, which read fast enough, and RocksDB compacts them in
   * the background of a later run that appends. */
  if (self->db != NULL && self->mode != NTPAC_STORE_READ)
    ok = ntpac_store_flush (self, error);
  g_ptr_array_unref (self->cfs);  /* handles before the database */
  if (self->db != NULL)
    rocksdb_close (self->db);
  g_hash_table_unref (self->cf_ids);
  rocksdb_writeoptions_destroy (self->write);
  rocksdb_readoptions_destroy (self->read);
  rocksdb_block_based_options_destroy (self->table);
  rocksdb_cache_destroy (self->cache);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self);
  return ok;
}

const gchar *
ntpac_store_get_path (NtpacStore *self)
{
  return self->path;
}

gboolean
ntpac_store_is_read_only (NtpacStore *self)
{
  return self->mode == NTPAC_STORE_READ;
}

static ColumnFamily *
cf_at (NtpacStore *self,
       gint        id)
{
  if (id < 0 || (guint) id >= self->cfs->len)
    return NULL;
  return self->cfs->pdata[id];
}

/**
 * ntpac_store_ensure_cf:
 * @self: a store open for writing
 * @name: a column family (a dissector's output, say "dns")
 * @error: return location for a #GError
 *
 * Creates the column family if the database does not have it yet, and
 * numbers it. Thread-safe.
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_store_ensure_cf (NtpacStore   *self,
                       const gchar  *name,
                       GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(rocksdb_options_t) options = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *value = NULL;
  ColumnFamily *cf;
  char *err = NULL;
  guint id;

  if (g_hash_table_contains (self->cf_ids, name))
    return TRUE;
  g_return_val_if_fail (self->mode != NTPAC_STORE_READ, FALSE);
  if (self->cfs->len >= MAX_CFS)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Database “%s” has too many column families"), self->path);
      return FALSE;
    }
  options = make_cf_options (self, name);
  cf = g_new0 (ColumnFamily, 1);
  cf->name = g_strdup (name);
  cf->handle = rocksdb_create_column_family (self->db, options, name, &err);
  if (!check (err, error, self, DB_CREATING_FAMILY))
    {
      g_free (cf->name);
      g_free (cf);
      return FALSE;
    }
  id = self->cfs->len;
  g_ptr_array_add (self->cfs, cf);
  g_hash_table_insert (self->cf_ids, g_strdup (name), GUINT_TO_POINTER (id + 1));
  key = g_strdup_printf ("cf.%s", name);
  value = g_strdup_printf ("%u", id);
  g_clear_pointer (&locker, g_mutex_locker_free);
  return ntpac_store_put_meta (self, key, value, error);
}

/* The number of a column family, or -1 if the database has none of that
 * name. */
gint
ntpac_store_cf_id (NtpacStore  *self,
                   const gchar *name)
{
  gpointer id;
  gint result = -1;

  g_mutex_lock (&self->lock);
  id = g_hash_table_lookup (self->cf_ids, name);
  if (id != NULL && cf_at (self, GPOINTER_TO_INT (id) - 1) != NULL)
    result = GPOINTER_TO_INT (id) - 1;
  g_mutex_unlock (&self->lock);
  return result;
}

const gchar *
ntpac_store_cf_name (NtpacStore *self,
                     gint        id)
{
  ColumnFamily *cf = cf_at (self, id);

  return cf != NULL ? cf->name : NULL;
}

/**
 * ntpac_store_list_cfs:
 * @self: a store
 *
 * Returns: (transfer full): the names of the numbered column families
 * Since: 0.1
 */
gchar **
ntpac_store_list_cfs (NtpacStore *self)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < self->cfs->len; i++)
    if (self->cfs->pdata[i] != NULL)
      g_ptr_array_add (names, g_strdup (((ColumnFamily *) self->cfs->pdata[i])->name));
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

NtpacStoreBatch *
ntpac_store_batch_new (NtpacStore *self)
{
  NtpacStoreBatch *batch = g_new0 (NtpacStoreBatch, 1);

  batch->store = self;
  batch->batch = rocksdb_writebatch_create ();
  return batch;
}

void
ntpac_store_batch_free (NtpacStoreBatch *batch)
{
  if (batch == NULL)
    return;
  rocksdb_writebatch_destroy (batch->batch);
  g_free (batch);
}

void
ntpac_store_batch_put (NtpacStoreBatch *batch,
                       gint             cf,
                       gconstpointer    key,
                       gsize            key_len,
                       gconstpointer    value,
                       gsize            value_len)
{
  ColumnFamily *family = cf_at (batch->store, cf);

  g_return_if_fail (family != NULL);
  rocksdb_writebatch_put_cf (batch->batch, family->handle, key, key_len, value, value_len);
}

void
ntpac_store_batch_delete (NtpacStoreBatch *batch,
                          gint             cf,
                          gconstpointer    key,
                          gsize            key_len)
{
  ColumnFamily *family = cf_at (batch->store, cf);

  g_return_if_fail (family != NULL);
  rocksdb_writebatch_delete_cf (batch->batch, family->handle, key, key_len);
}

/* Bytes of the records in the batch so far; 0 when it is empty. */
gsize
ntpac_store_batch_get_size (NtpacStoreBatch *batch)
{
  size_t size = 0;

  if (rocksdb_writebatch_count (batch->batch) == 0)
    return 0;
  rocksdb_writebatch_data (batch->batch, &size);
  return size;
}

/* Writes the batch (atomically) and empties it. */
gboolean
ntpac_store_batch_commit (NtpacStoreBatch  *batch,
                          GError          **error)
{
  char *err = NULL;

  rocksdb_write (batch->store->db, batch->store->write, batch->batch, &err);
  rocksdb_writebatch_clear (batch->batch);
  return check (err, error, batch->store, DB_WRITING);
}

/* Whether column family @id is flushed before the conversations: all but
 * the conversations themselves and meta. */
static gboolean
flushed_first (NtpacStore *self,
               gint        id)
{
  return id != ntpac_store_cf_id (self, NTPAC_STORE_CF_CONVERSATIONS) &&
         id != ntpac_store_cf_id (self, NTPAC_STORE_CF_META);
}

/* Flushes column family @id, waiting for it when @wait. */
static gboolean
flush_cf (NtpacStore  *self,
          gint         id,
          gboolean     wait,
          GError     **error)
{
  g_autoptr(rocksdb_flushoptions_t) flush = rocksdb_flushoptions_create ();
  ColumnFamily *cf = cf_at (self, id);
  char *err = NULL;

  if (cf == NULL)
    return TRUE;
  rocksdb_flushoptions_set_wait (flush, wait);
  rocksdb_flush_cf (self->db, flush, cf->handle, &err);
  return check (err, error, self, DB_FLUSHING);
}

/* Flushes every column family. Records land before the conversations
 * that point at them, and meta last, so a process killed in between
 * still leaves only whole conversations. The records' column families
 * are flushed side by side: all are started, then waited for (a wait
 * covers a flush already under way). */
gboolean
ntpac_store_flush (NtpacStore  *self,
                   GError     **error)
{
  ntpac_store_start_flush (self);
  for (guint i = 0; i < self->cfs->len; i++)
    if (flushed_first (self, (gint) i) && !flush_cf (self, (gint) i, TRUE, error))
      return FALSE;
  return flush_cf (self, ntpac_store_cf_id (self, NTPAC_STORE_CF_CONVERSATIONS), TRUE, error) &&
         flush_cf (self, ntpac_store_cf_id (self, NTPAC_STORE_CF_META), TRUE, error);
}

/**
 * ntpac_store_start_flush:
 * @self: a store open for writing
 *
 * Starts writing to disk what the column families hold, except the
 * conversations (and meta), without waiting: a run calls it once every
 * packet is read, so that most of the final flush happens while the
 * workers finish. A conversation is what makes its PDUs, frames and
 * records visible, and it is written last, by ntpac_store_flush(): what
 * a killed run leaves stays whole. Errors are reported by the flush that
 * follows.
 * Since: 0.1
 */
void
ntpac_store_start_flush (NtpacStore *self)
{
  g_return_if_fail (self->mode != NTPAC_STORE_READ);
  for (guint i = 0; i < self->cfs->len; i++)
    if (flushed_first (self, (gint) i))
      flush_cf (self, (gint) i, FALSE, NULL);
}

gboolean
ntpac_store_put_meta (NtpacStore   *self,
                      const gchar  *name,
                      const gchar  *value,
                      GError      **error)
{
  g_autoptr(NtpacStoreBatch) batch = ntpac_store_batch_new (self);
  gint meta = ntpac_store_cf_id (self, NTPAC_STORE_CF_META);

  g_return_val_if_fail (meta >= 0, FALSE);
  ntpac_store_batch_put (batch, meta, name, strlen (name), value, strlen (value));
  return ntpac_store_batch_commit (batch, error);
}

/**
 * ntpac_store_get_meta:
 * @self: a store
 * @name: an entry of `meta`
 *
 * Returns: (transfer full) (nullable): its value
 * Since: 0.1
 */
gchar *
ntpac_store_get_meta (NtpacStore  *self,
                      const gchar *name)
{
  g_autoptr(GBytes) value = ntpac_store_get (self, ntpac_store_cf_id (self, NTPAC_STORE_CF_META),
                                             name, strlen (name), NULL);
  gsize len;
  const gchar *data;

  if (value == NULL)
    return NULL;
  data = g_bytes_get_data (value, &len);
  return g_strndup (data, len);
}

/**
 * ntpac_store_get:
 * @self: a store
 * @cf: a column family number
 * @key: (array length=key_len): the key
 * @key_len: its length
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if there is
 *   none (without an error) or on a read error
 * Since: 0.1
 */
GBytes *
ntpac_store_get (NtpacStore     *self,
                 gint            cf,
                 gconstpointer   key,
                 gsize           key_len,
                 GError        **error)
{
  ColumnFamily *family = cf_at (self, cf);
  char *err = NULL;
  size_t len = 0;
  char *value;

  if (family == NULL)
    return NULL;
  value = rocksdb_get_cf (self->db, self->read, family->handle, key, key_len, &len, &err);
  if (!check (err, error, self, DB_READING))
    return NULL;
  if (value == NULL)
    return NULL;
  return g_bytes_new_with_free_func (value, len, rocksdb_free, value);
}

/**
 * ntpac_store_iter_new:
 * @self: a store
 * @cf: a column family number
 * @lower: (nullable) (array length=lower_len): first key, inclusive
 * @lower_len: its length
 * @upper: (nullable) (array length=upper_len): end key, exclusive
 * @upper_len: its length
 *
 * Returns: (transfer full): an iterator over the keys in [@lower, @upper)
 * Since: 0.1
 */
NtpacStoreIter *
ntpac_store_iter_new (NtpacStore    *self,
                      gint           cf,
                      gconstpointer  lower,
                      gsize          lower_len,
                      gconstpointer  upper,
                      gsize          upper_len)
{
  NtpacStoreIter *iter = g_new0 (NtpacStoreIter, 1);
  ColumnFamily *family = cf_at (self, cf);

  iter->read = rocksdb_readoptions_create ();
  if (upper != NULL)
    {
      iter->upper = g_memdup2 (upper, upper_len);
      rocksdb_readoptions_set_iterate_upper_bound (iter->read, iter->upper, upper_len);
    }
  if (family == NULL)
    return iter;
  iter->iter = rocksdb_create_iterator_cf (self->db, iter->read, family->handle);
  if (lower != NULL)
    rocksdb_iter_seek (iter->iter, lower, lower_len);
  else
    rocksdb_iter_seek_to_first (iter->iter);
  return iter;
}

/**
 * ntpac_store_iter_new_prefix:
 * @self: a database
 * @cf: a column family
 * @prefix: (array length=prefix_len): the keys' first bytes (a
 *   conversation id, say)
 * @prefix_len: at most 64
 *
 * Returns: (transfer full): an iterator over the keys of @cf that start
 *   with @prefix
 * Since: 0.1
 */
NtpacStoreIter *
ntpac_store_iter_new_prefix (NtpacStore    *self,
                             gint           cf,
                             gconstpointer  prefix,
                             gsize          prefix_len)
{
  guint8 upper[64];
  gboolean carry = TRUE;

  g_return_val_if_fail (prefix_len <= sizeof upper, NULL);
  /* The first key after them all: the prefix plus one, as a number. */
  memcpy (upper, prefix, prefix_len);
  for (gsize i = prefix_len; carry && i > 0; i--)
    carry = ++upper[i - 1] == 0;
  return ntpac_store_iter_new (self, cf, prefix, prefix_len, carry ? NULL : upper, prefix_len);
}

/* The next entry; pointers stay valid until the next call. */
gboolean
ntpac_store_iter_next (NtpacStoreIter  *iter,
                       const guint8   **key,
                       gsize           *key_len,
                       const guint8   **value,
                       gsize           *value_len)
{
  size_t klen, vlen;

  if (iter->iter == NULL)
    return FALSE;
  if (iter->started)
    rocksdb_iter_next (iter->iter);
  iter->started = TRUE;
  if (!rocksdb_iter_valid (iter->iter))
    return FALSE;
  *key = (const guint8 *) rocksdb_iter_key (iter->iter, &klen);
  *key_len = klen;
  if (value != NULL)
    {
      *value = (const guint8 *) rocksdb_iter_value (iter->iter, &vlen);
      *value_len = vlen;
    }
  return TRUE;
}

gboolean
ntpac_store_iter_get_error (NtpacStoreIter  *iter,
                            GError         **error)
{
  char *err = NULL;

  if (iter->iter == NULL)
    return TRUE;
  rocksdb_iter_get_error (iter->iter, &err);
  if (err == NULL)
    return TRUE;
  g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED, _("Reading failed: %s"), err);
  rocksdb_free (err);
  return FALSE;
}

void
ntpac_store_iter_free (NtpacStoreIter *iter)
{
  if (iter == NULL)
    return;
  if (iter->iter != NULL)
    rocksdb_iter_destroy (iter->iter);
  rocksdb_readoptions_destroy (iter->read);
  g_free (iter->upper);
  g_free (iter);
}

static guint64
dir_size (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;
  guint64 total = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += dir_size (child);
      else if (S_ISREG (st.st_mode))
        total += st.st_size;
    }
  return total;
}

/* Bytes the database takes on disk, payload included. */
guint64
ntpac_store_get_disk_size (NtpacStore *self)
{
  return dir_size (self->path);
}

/**
 * ntpac_store_get_payload_dir:
 * @self: a store
 *
 * Returns: (transfer full): where the payload files of the database are
 * Since: 0.1
 */
gchar *
ntpac_store_get_payload_dir (NtpacStore *self)
{
  return g_build_filename (self->path, PAYLOAD_DIR, NULL);
}

/**
 * ntpac_store_read_payload:
 * @self: a store
 * @pdu: a record of the `pdus` column family, of type %NTPAC_STORE_PDU_TYPE
 * @error: return location for a #GError
 *
 * Reads the payload of @pdu back from the payload files, decompressed.
 *
 * Returns: (transfer full) (nullable): the payload bytes, or %NULL if a
 *   payload file is missing or damaged
 * Since: 0.1
 */
GBytes *
ntpac_store_read_payload (NtpacStore  *self,
                          GVariant    *pdu,
                          GError     **error)
{
  g_autofree gchar *dir = ntpac_store_get_payload_dir (self);
  guint32 file, stored_len, len;
  guint64 offset;
  guint8 codec;

  g_return_val_if_fail (g_variant_is_of_type (pdu, G_VARIANT_TYPE (NTPAC_STORE_PDU_TYPE)), NULL);
  g_variant_get_child (pdu, 1, NTPAC_STORE_PDU_BLOB_TYPE, &file, &offset, &stored_len, &len, &codec);
  return ntpac_payload_read (dir, file, offset, stored_len, len, codec, error);
}

/* Writes an object's bytes to @out. */
static gboolean
write_out (FILE          *out,
           gconstpointer  data,
           gsize          len,
           GError       **error)
{
  if (fwrite (data, 1, len, out) != len)
    {
      int saved_errno = errno;

      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED, "%s", g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Reads a conversation's stream, direction by direction, forwards: the
 * PDUs in order, each placed by the bytes delivered before it. */
typedef struct
{
  NtpacStore     *store;
  guint8          id[16];
  guint8          direction;
  NtpacStoreIter *iter;
  guint64         pdu_start;     /* stream position of the current PDU */
  GBytes         *pdu;           /* its payload */
} StreamReader;

static void
stream_reader_clear (StreamReader *r)
{
  g_clear_pointer (&r->iter, ntpac_store_iter_free);
  g_clear_pointer (&r->pdu, g_bytes_unref);
}

static gboolean
stream_reader_start (StreamReader  *r,
                     guint8         direction)
{
  stream_reader_clear (r);
  r->direction = direction;
  r->pdu_start = 0;
  r->iter = ntpac_store_iter_new_prefix (r->store, ntpac_store_cf_id (r->store, NTPAC_STORE_CF_PDUS), r->id, 16);
  return r->iter != NULL;
}

/* Moves to the next PDU of the reader's direction. */
static gboolean
stream_reader_next (StreamReader  *r,
                    GError       **error)
{
  const guint8 *key, *value;
  gsize key_len, value_len;

  if (r->pdu != NULL)
    r->pdu_start += g_bytes_get_size (r->pdu);
  g_clear_pointer (&r->pdu, g_bytes_unref);
  while (ntpac_store_iter_next (r->iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE (NTPAC_STORE_PDU_TYPE), error);
      guint8 direction;

      if (record == NULL)
        return FALSE;
      g_variant_get_child (record, 0, "(yxxt@a(ut)@a(utuu))", &direction, NULL, NULL, NULL, NULL, NULL);
      if (direction != r->direction)
        continue;
      r->pdu = ntpac_store_read_payload (r->store, record, error);
      return r->pdu != NULL;
    }
  if (ntpac_store_iter_get_error (r->iter, error))
    g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                 _("The conversation of an object ends before the object's bytes in “%s”"), r->store->path);
  return FALSE;
}

/* Writes stream bytes [offset, offset + len) of a direction. */
static gboolean
copy_stream (StreamReader  *r,
             guint8         direction,
             guint64        offset,
             guint64        len,
             FILE          *out,
             GError       **error)
{
  if (r->iter == NULL || direction != r->direction || offset < r->pdu_start)
    {
      if (!stream_reader_start (r, direction) || !stream_reader_next (r, error))
        return FALSE;
    }
  while (len > 0)
    {
      gsize pdu_len;
      const guint8 *pdu = g_bytes_get_data (r->pdu, &pdu_len);

      if (offset >= r->pdu_start + pdu_len)
        {
          if (!stream_reader_next (r, error))
            return FALSE;
          continue;
        }
      {
        gsize from = (gsize) (offset - r->pdu_start);
        gsize n = (gsize) MIN (len, pdu_len - from);

        if (!write_out (out, pdu + from, n, error))
          return FALSE;
        offset += n;
        len -= n;
      }
    }
  return TRUE;
}

/**
 * ntpac_store_copy_object:
 * @self: a database
 * @sha256: (array fixed-size=32): the object's SHA-256
 * @out: where to write its content
 * @size: (out) (optional): bytes written
 * @error: return location for a #GError
 *
 * Writes the content of an object, chunk by chunk: decoded bytes from the
 * payload files, bytes sent as they are from the stored stream of the
 * conversation that carried the object.
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_store_copy_object (NtpacStore    *self,
                         const guint8  *sha256,
                         FILE          *out,
                         guint64       *size,
                         GError       **error)
{
  g_autofree gchar *dir = ntpac_store_get_payload_dir (self);
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) id = NULL;
  g_autoptr(GVariantIter) chunks = NULL;
  StreamReader reader = { self, { 0 }, 0, NULL, 0, NULL };
  guint32 file, stored_len, len;
  guint64 offset, total, written = 0;
  guint8 kind, codec;
  gsize id_len = 0;
  const guint8 *id_bytes;
  gboolean ok = TRUE;

  value = ntpac_store_get (self, ntpac_store_cf_id (self, NTPAC_STORE_CF_OBJECTS_DATA), sha256, 32, error);
  if (value == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                     _("The content of an object is not in “%s”"), self->path);
      return FALSE;
    }
  record = ntpac_record_decode (g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                                G_VARIANT_TYPE ("(taya(yutuuy))"), error);
  if (record == NULL)
    return FALSE;
  g_variant_get (record, "(t@aya(yutuuy))", &total, &id, &chunks);
  id_bytes = g_variant_get_fixed_array (id, &id_len, 1);
  if (id_len == 16)
    memcpy (reader.id, id_bytes, 16);
  while (ok && g_variant_iter_next (chunks, "(yutuuy)", &kind, &file, &offset, &stored_len, &len, &codec))
    {
      if (kind == NTPAC_OBJECT_CHUNK_STREAM)
        ok = copy_stream (&reader, (guint8) file, offset, len, out, error);
      else
        {
          g_autoptr(GBytes) bytes = ntpac_payload_read (dir, file, offset, stored_len, len, codec, error);

          ok = bytes != NULL && write_out (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
        }
      if (ok)
        written += len;
    }
  stream_reader_clear (&reader);
  if (ok && size != NULL)
    *size = written;
  return ok;
}

/**
 * ntpac_store_has_object:
 * @self: a database
 * @sha256: (array fixed-size=32): an object's SHA-256
 *
 * Returns: whether the content of that object is in this database
 * Since: 0.1
 */
gboolean
ntpac_store_has_object (NtpacStore   *self,
                        const guint8 *sha256)
{
  g_autoptr(GBytes) value = ntpac_store_get (self, ntpac_store_cf_id (self, NTPAC_STORE_CF_OBJECTS_DATA),
                                             sha256, 32, NULL);

  return value != NULL;
}
