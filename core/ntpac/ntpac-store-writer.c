/* ntpac-store-writer.c: the store actor: the one thread that writes to
 * the database
 *
 * Workers hand it bundles of records from their threads (already
 * serialised, their payloads already written to the payload files): one
 * hand-over per few hundred records, not one per record, so that workers
 * and the store thread rarely wake each other. It gathers them in a
 * WriteBatch and commits it every few megabytes, and at least every
 * fiftieth of a second, so that a database read (or left by a killed
 * run) while the run goes on is never far behind it. Records are applied
 * in the order each thread handed them over, which keeps a conversation's
 * PDUs and frames before the conversation itself. A bounded queue makes
 * workers wait when the disk is slower than they are.
 *
 * After a failure (a full disk) the run is told to stop at once; the
 * records handed over before the failure are still written, later ones
 * are dropped: a conversation whose payload could not be written never
 * becomes visible, and the ones finished before it are kept.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-record.h"
#include "ntpac-store-writer-private.h"

#define COMMIT_BYTES (8u * 1024 * 1024)
#define COMMIT_US    (20 * 1000)
#define QUEUE_BYTES  (64u * 1024 * 1024)

/* In a bundle, each record is this header, its key, then its value. */
typedef struct
{
  guint32 cf;
  guint32 key_len;
  guint32 value_len;
} RecordHeader;

struct _NtpacStoreBundle
{
  GByteArray *data;
  guint       n_records;
  guint       open_at;  /* the header of the record being written */
  gboolean    failed;   /* a marker: records after it are dropped */
  gboolean    quit;     /* a marker: the last bundle */
};

struct _NtpacStoreWriter
{
  NtpacStore      *store;
  NtpacStoreBatch *batch;
  GThread         *thread;
  GAsyncQueue     *queue;
  GMutex           lock;
  GCond            room;
  gsize            queued;     /* guarded by lock */
  gint             failed;     /* atomic: the run should stop */
  gboolean         dropping;   /* store thread only: past the failure */
  GError          *error;      /* first failure, guarded by lock */
};

NtpacStoreBundle *
ntpac_store_bundle_new (void)
{
  NtpacStoreBundle *self = g_new0 (NtpacStoreBundle, 1);

  self->data = g_byte_array_new ();
  return self;
}

void
ntpac_store_bundle_free (NtpacStoreBundle *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->data);
  g_free (self);
}

/* Appends a record; @value is copied as is. */
void
ntpac_store_bundle_put (NtpacStoreBundle *self,
                        gint              cf,
                        gconstpointer     key,
                        gsize             key_len,
                        gconstpointer     value,
                        gsize             value_len)
{
  RecordHeader h = { (guint32) cf, (guint32) key_len, (guint32) value_len };

  g_byte_array_append (self->data, (const guint8 *) &h, sizeof h);
  g_byte_array_append (self->data, key, key_len);
  g_byte_array_append (self->data, value, value_len);
  self->n_records++;
}

/* Starts a record whose value is written by the caller: returns the
 * bundle's bytes, to append the value to (after the schema version byte,
 * already there), then call ntpac_store_bundle_end(). */
GByteArray *
ntpac_store_bundle_begin (NtpacStoreBundle *self,
                          gint              cf,
                          gconstpointer     key,
                          gsize             key_len)
{
  RecordHeader h = { (guint32) cf, (guint32) key_len, 0 };
  const guint8 version = NTPAC_STORE_SCHEMA_VERSION;

  self->open_at = self->data->len;
  g_byte_array_append (self->data, (const guint8 *) &h, sizeof h);
  g_byte_array_append (self->data, key, key_len);
  g_byte_array_append (self->data, &version, 1);
  return self->data;
}

/* Ends the record ntpac_store_bundle_begin() started. */
void
ntpac_store_bundle_end (NtpacStoreBundle *self)
{
  RecordHeader h;

  memcpy (&h, self->data->data + self->open_at, sizeof h);
  h.value_len = (guint32) (self->data->len - self->open_at - sizeof h - h.key_len);
  memcpy (self->data->data + self->open_at, &h, sizeof h);
  self->n_records++;
}

/* Appends a record whose value is @record (floating references are
 * sunk) as stored: serialised straight into the bundle. */
void
ntpac_store_bundle_put_record (NtpacStoreBundle *self,
                               gint              cf,
                               gconstpointer     key,
                               gsize             key_len,
                               GVariant         *record)
{
  ntpac_record_encode_value_into (ntpac_store_bundle_begin (self, cf, key, key_len), record);
  ntpac_store_bundle_end (self);
}

/* Appends a record from a builder (which is emptied). */
void
ntpac_store_bundle_put_built (NtpacStoreBundle   *self,
                              gint                cf,
                              gconstpointer       key,
                              gsize               key_len,
                              NtpacRecordBuilder *record)
{
  ntpac_record_builder_end_into (record, ntpac_store_bundle_begin (self, cf, key, key_len));
  ntpac_store_bundle_end (self);
}

gsize
ntpac_store_bundle_get_size (NtpacStoreBundle *self)
{
  return self->data->len;
}

guint
ntpac_store_bundle_get_n_records (NtpacStoreBundle *self)
{
  return self->n_records;
}

/* Keeps the first error and tells the run to stop. */
static void
fail (NtpacStoreWriter *self,
      GError           *error)
{
  g_mutex_lock (&self->lock);
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_atomic_int_set (&self->failed, 1);
  g_cond_broadcast (&self->room);
  g_mutex_unlock (&self->lock);
}

static void
commit (NtpacStoreWriter *self)
{
  GError *error = NULL;

  if (self->dropping)
    return;
  if (!ntpac_store_batch_commit (self->batch, &error))
    {
      fail (self, error);
      self->dropping = TRUE;
    }
}

static void
apply (NtpacStoreWriter *self,
       NtpacStoreBundle *bundle)
{
  const guint8 *p = bundle->data->data;
  const guint8 *end = p + bundle->data->len;

  while (p < end)
    {
      RecordHeader h;

      memcpy (&h, p, sizeof h);
      p += sizeof h;
      ntpac_store_batch_put (self->batch, (gint) h.cf, p, h.key_len, p + h.key_len, h.value_len);
      p += h.key_len + h.value_len;
    }
}

static gpointer
writer_thread (gpointer data)
{
  NtpacStoreWriter *self = data;
  gint64 last_commit = g_get_monotonic_time ();

  for (;;)
    {
      NtpacStoreBundle *bundle = g_async_queue_timeout_pop (self->queue, COMMIT_US);
      gboolean quit;

      if (bundle == NULL || g_get_monotonic_time () - last_commit >= COMMIT_US)
        {
          if (ntpac_store_batch_get_size (self->batch) > 0)
            commit (self);
          last_commit = g_get_monotonic_time ();
        }
      if (bundle == NULL)
        continue;
      quit = bundle->quit;
      if (bundle->failed)
        {
          commit (self);
          self->dropping = TRUE;
        }
      else if (!self->dropping)
        {
          apply (self, bundle);
          if (ntpac_store_batch_get_size (self->batch) >= COMMIT_BYTES)
            {
              commit (self);
              last_commit = g_get_monotonic_time ();
            }
        }
      g_mutex_lock (&self->lock);
      self->queued -= bundle->data->len;
      g_cond_broadcast (&self->room);
      g_mutex_unlock (&self->lock);
      ntpac_store_bundle_free (bundle);
      if (quit)
        break;
    }
  commit (self);
  return NULL;
}

NtpacStoreWriter *
ntpac_store_writer_new (NtpacStore *store)
{
  NtpacStoreWriter *self = g_new0 (NtpacStoreWriter, 1);

  self->store = store;
  self->batch = ntpac_store_batch_new (store);
  self->queue = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->room);
  self->thread = g_thread_new ("ntpac-store", writer_thread, self);
  return self;
}

/**
 * ntpac_store_writer_submit:
 * @self: a writer
 * @bundle: (transfer full): records, written in their order
 *
 * Hands the records over to the store thread; waits while it is behind
 * by more than the queue allows. From any thread.
 */
void
ntpac_store_writer_submit (NtpacStoreWriter *self,
                           NtpacStoreBundle *bundle)
{
  g_mutex_lock (&self->lock);
  while (self->queued > QUEUE_BYTES && !g_atomic_int_get (&self->failed) && !bundle->failed)
    g_cond_wait (&self->room, &self->lock);
  self->queued += bundle->data->len;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, bundle);
}

/* One record on its own, for the rare ones (anomalies). */
void
ntpac_store_writer_put (NtpacStoreWriter *self,
                        gint              cf,
                        gconstpointer     key,
                        gsize             key_len,
                        GVariant         *record)
{
  NtpacStoreBundle *bundle = ntpac_store_bundle_new ();

  ntpac_store_bundle_put_record (bundle, cf, key, key_len, record);
  ntpac_store_writer_submit (self, bundle);
}

/* A failure outside the store thread (a payload write): the run stops,
 * and what was handed over before it is still written. Thread-safe. */
void
ntpac_store_writer_fail (NtpacStoreWriter *self,
                         GError           *error)
{
  NtpacStoreBundle *marker = ntpac_store_bundle_new ();

  fail (self, error);
  marker->failed = TRUE;
  ntpac_store_writer_submit (self, marker);
}

gboolean
ntpac_store_writer_has_failed (NtpacStoreWriter *self)
{
  return g_atomic_int_get (&self->failed);
}

NtpacStore *
ntpac_store_writer_get_store (NtpacStoreWriter *self)
{
  return self->store;
}

/**
 * ntpac_store_writer_finish:
 * @self: (transfer full): a writer
 * @error: return location for a #GError
 *
 * Writes everything handed over and stops the store thread.
 *
 * Returns: %FALSE if anything could not be written (the first failure)
 */
gboolean
ntpac_store_writer_finish (NtpacStoreWriter  *self,
                           GError           **error)
{
  NtpacStoreBundle *quit = ntpac_store_bundle_new ();
  gboolean ok;

  quit->quit = TRUE;
  g_async_queue_push (self->queue, quit);
  g_thread_join (self->thread);
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&self->error));
  ntpac_store_batch_free (self->batch);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->room);
  g_free (self);
  return ok;
}
