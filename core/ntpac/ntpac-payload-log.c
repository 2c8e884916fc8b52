/* ntpac-payload-log.c: PDU payloads in append-only files beside the
 * database
 *
 * Payload bytes are most of what a run stores. Kept as RocksDB values
 * they would be copied into the memtable and again into blob files at
 * each flush (about 600 MB/s here); appended to plain files they cost one
 * copy. Each worker writes its own file, in parallel; a file grows to
 * 1 GiB, then the next is started; a run never rewrites a file, so a
 * payload's (file, offset) is stable. Payloads are LZ4-compressed by the
 * worker when that saves an eighth or more.
 *
 * Bytes are handed to the kernel before the record that points at them is
 * even queued, so a killed process never leaves a record pointing at
 * bytes that were not written.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ntpac-payload-log-private.h"
#include "ntpac-store.h"

#define FILE_LIMIT   (G_GUINT64_CONSTANT (1) << 30)
#define SAMPLE       4096
#define LZ4_ACCELERATION 4   /* faster, and payloads shrink almost as much */

/* The payload folder of a database: hands out file numbers. */
struct _NtpacPayloadFiles
{
  gchar   *dir;
  GMutex   lock;
  guint32  next;
};

/* One writer's file (a worker's: workers write in parallel). */
struct _NtpacPayloadLog
{
  NtpacPayloadFiles *files;
  gint               fd;
  guint32            file;
  guint64            size;
};

static gchar *
file_path (const gchar *dir,
           guint32      file)
{
  g_autofree gchar *name = g_strdup_printf ("%08u.payload", file);

  return g_build_filename (dir, name, NULL);
}

typedef enum
{
  IO_CREATE,
  IO_OPEN,
  IO_WRITE,
} IoAction;

/* Sets @error from errno, naming the file and what was being done. */
static gboolean
io_error (GError      **error,
          IoAction      action,
          const gchar  *path)
{
  const gchar *reason = g_strerror (errno);

  switch (action)
    {
    case IO_CREATE:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot create “%s”: %s"), path, reason);
      break;
    case IO_OPEN:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot open “%s”: %s"), path, reason);
      break;
    case IO_WRITE:
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot write “%s”: %s"), path, reason);
      break;
    }
  return FALSE;
}

/* Numbers continue after the files already there: an appended run never
 * writes into an earlier run's file. */
NtpacPayloadFiles *
ntpac_payload_files_new (const gchar  *dir,
                         GError      **error)
{
  NtpacPayloadFiles *files;
  g_autoptr(GDir) d = NULL;
  const gchar *name;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      io_error (error, IO_CREATE, dir);
      return NULL;
    }
  files = g_new0 (NtpacPayloadFiles, 1);
  files->dir = g_strdup (dir);
  g_mutex_init (&files->lock);
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      guint64 n;
      g_autofree gchar *stem = g_strndup (name, strcspn (name, "."));

      if (g_str_has_suffix (name, ".payload") &&
          g_ascii_string_to_unsigned (stem, 10, 0, G_MAXUINT32 - 1, &n, NULL))
        files->next = MAX (files->next, (guint32) n + 1);
    }
  return files;
}

void
ntpac_payload_files_free (NtpacPayloadFiles *files)
{
  if (files == NULL)
    return;
  g_mutex_clear (&files->lock);
  g_free (files->dir);
  g_free (files);
}

/* Starts the log on a new file. */
static gboolean
start_file (NtpacPayloadLog  *self,
            GError          **error)
{
  NtpacPayloadFiles *files = self->files;
  g_autofree gchar *path = NULL;

  g_mutex_lock (&files->lock);
  self->file = files->next++;
  g_mutex_unlock (&files->lock);
  path = file_path (files->dir, self->file);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (self->fd < 0)
    return io_error (error, IO_CREATE, path);
  self->size = 0;
  return TRUE;
}

NtpacPayloadLog *
ntpac_payload_log_open (NtpacPayloadFiles  *files,
                        GError            **error)
{
  NtpacPayloadLog *self = g_new0 (NtpacPayloadLog, 1);

  self->files = files;
  self->fd = -1;
  if (!start_file (self, error))
    {
      ntpac_payload_log_close (self);
      return NULL;
    }
  return self;
}

/* Appends @data to the file now (no buffering: the record that points at
 * it is committed later) and says where it went. */
gboolean
ntpac_payload_log_write (NtpacPayloadLog  *self,
                         gconstpointer     data,
                         gsize             len,
                         guint32          *file,
                         guint64          *offset,
                         GError          **error)
{
  const guint8 *p = data;
  gsize left = len;

  if (self->size > 0 && self->size + len > FILE_LIMIT && !start_file (self, error))
    return FALSE;
  *file = self->file;
  *offset = self->size;
  while (left > 0)
    {
      gssize n = write (self->fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_autofree gchar *path = file_path (self->files->dir, self->file);

          return io_error (error, IO_WRITE, path);
        }
      p += n;
      left -= n;
    }
  self->size += len;
  return TRUE;
}

void
ntpac_payload_log_close (NtpacPayloadLog *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  g_free (self);
}

/**
 * ntpac_payload_compress:
 * @data: (array length=len): a payload
 * @len: its length
 * @out: where the compressed bytes go (its memory is reused from call
 *   to call: a buffer allocated per payload costs more than LZ4 itself)
 * @codec: (out): %NTPAC_STORE_CODEC_LZ4 or %NTPAC_STORE_CODEC_NONE
 *
 * Returns: the size of the compressed bytes in @out, or 0 when
 *   compressing saves less than an eighth (store @data as it is)
 */
gsize
ntpac_payload_compress (gconstpointer  data,
                        gsize          len,
                        GByteArray    *out,
                        guint8        *codec)
{
  gint bound, n;

  *codec = NTPAC_STORE_CODEC_NONE;
  if (len < 64 || len > LZ4_MAX_INPUT_SIZE)
    return 0;
  if (len > 2 * SAMPLE)
    {
      /* Encrypted or already compressed bytes (TLS, gzip bodies) do not
       * shrink: a sample tells before the whole payload is tried. It is
       * taken from the middle, past headers that would always shrink. */
      gchar sample_out[LZ4_COMPRESSBOUND (SAMPLE)];
      const gchar *middle = (const gchar *) data + (len - SAMPLE) / 2;

      n = LZ4_compress_fast (middle, sample_out, SAMPLE, sizeof sample_out, LZ4_ACCELERATION);
      if (n <= 0 || n > SAMPLE - SAMPLE / 8)
        return 0;
    }
  bound = LZ4_compressBound ((gint) len);
  g_byte_array_set_size (out, (guint) bound);
  n = LZ4_compress_fast (data, (gchar *) out->data, (gint) len, bound, LZ4_ACCELERATION);
  if (n <= 0 || (gsize) n > len - len / 8)
    return 0;
  *codec = NTPAC_STORE_CODEC_LZ4;
  return (gsize) n;
}

/**
 * ntpac_payload_read:
 * @dir: the database's payload folder
 * @file: payload file number
 * @offset: where the payload starts
 * @stored_len: its stored length
 * @len: its length once decompressed
 * @codec: how it is stored
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the payload
 */
GBytes *
ntpac_payload_read (const gchar  *dir,
                    guint32       file,
                    guint64       offset,
                    guint32       stored_len,
                    guint32       len,
                    guint8        codec,
                    GError      **error)
{
  g_autofree gchar *path = file_path (dir, file);
  g_autofree guint8 *stored = g_malloc (MAX (stored_len, 1u));
  gint fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    {
      io_error (error, IO_OPEN, path);
      return NULL;
    }
  n = pread (fd, stored, stored_len, (off_t) offset);
  close (fd);
  if (n != (gssize) stored_len)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("“%s” is shorter than the database says: a payload is missing"), path);
      return NULL;
    }
  if (codec == NTPAC_STORE_CODEC_NONE && stored_len == len)
    return g_bytes_new_take (g_steal_pointer (&stored), len);
  if (codec == NTPAC_STORE_CODEC_LZ4)
    {
      guint8 *out = g_malloc (MAX (len, 1u));

      if (LZ4_decompress_safe ((const char *) stored, (char *) out, (gint) stored_len, (gint) len) == (gint) len)
        return g_bytes_new_take (out, len);
      g_free (out);
    }
  g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
               _("A payload in “%s” is damaged"), path);
  return NULL;
}
