/* ntpac-carve.c: a conversation's original frames, back as a capture
 *
 * The frames are copied from the evidence files at the offsets recorded
 * when they were read: the records are byte-identical to the input's. A
 * pcap input gives a pcap with the input's own file header; a pcapng
 * input gives a pcapng with the section and interface blocks its frames
 * refer to, copied too. Every read of the evidence is checked: a file
 * that changed since the run is reported, not trusted.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ntpac-carve.h"
#include "ntpac-record.h"

#define PCAP_HEADER       24
#define PCAP_RECORD       16
#define MAX_RECORD        (16u * 1024 * 1024 + 64)
#define PCAPNG_SHB        0x0a0d0d0au
#define PCAPNG_IDB        0x00000001u

typedef struct
{
  guint32  id;
  gchar   *path;
  gchar   *format;
  guint64  size;
  gint     fd;
  gboolean big_endian;
  guint8   pcap_header[PCAP_HEADER];
  gint64   section;     /* offset of the pcapng section last copied, or -1 */
} Evidence;

static void
evidence_free (gpointer data)
{
  Evidence *e = data;

  if (e->fd >= 0)
    close (e->fd);
  g_free (e->path);
  g_free (e->format);
  g_free (e);
}

static gboolean
read_exactly (Evidence  *e,
              guint64    offset,
              gpointer   buffer,
              gsize      len,
              GError   **error)
{
  gssize n = pread (e->fd, buffer, len, (off_t) offset);

  if (n != (gssize) len)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("“%s” has no record at byte %" PRIu64 " any more: the file changed since it was read"),
                   e->path, offset);
      return FALSE;
    }
  return TRUE;
}

static guint32
rd32 (const Evidence *e,
      const guint8   *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return e->big_endian ? GUINT32_FROM_BE (v) : GUINT32_FROM_LE (v);
}

static Evidence *
open_evidence (NtpacStore  *store,
               guint32      id,
               GError     **error)
{
  guint8 key[4];
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GVariant) r = NULL;
  Evidence *e;
  struct stat st;

  ntpac_store_put_u32 (key, id);
  value = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_INPUTS), key, 4, error);
  if (value == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                     _("The database does not describe input %u"), id);
      return NULL;
    }
  r = ntpac_record_decode (g_bytes_get_data (value, NULL), g_bytes_get_size (value),
                           G_VARIANT_TYPE_VARDICT, error);
  if (r == NULL)
    return NULL;
  e = g_new0 (Evidence, 1);
  e->id = id;
  {
    g_autoptr(GVariant) raw = g_variant_lookup_value (r, "path_bytes", G_VARIANT_TYPE_BYTESTRING);

    e->path = g_strdup (raw != NULL ? g_variant_get_bytestring (raw) : ntpac_record_get_string (r, "path"));
  }
  e->format = g_strdup (ntpac_record_get_string (r, "format"));
  e->size = ntpac_record_get_uint (r, "size");
  e->big_endian = ntpac_record_get_bool (r, "big_endian");
  e->section = -1;
  e->fd = -1;
  if (e->path == NULL || g_str_equal (e->path, "-"))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Input %u was read from standard input: its frames cannot be read again"), id);
      evidence_free (e);
      return NULL;
    }
  e->fd = g_open (e->path, O_RDONLY | O_CLOEXEC, 0);
  if (e->fd < 0 || fstat (e->fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot open the evidence “%s”: %s"), e->path, g_strerror (saved_errno));
      evidence_free (e);
      return NULL;
    }
  if ((guint64) st.st_size != e->size)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("The evidence “%s” has %" PRIu64 " bytes, but had %" PRIu64 " when it was read"),
                   e->path, (guint64) st.st_size, e->size);
      evidence_free (e);
      return NULL;
    }
  if (!g_str_equal (e->format, "pcapng") && !read_exactly (e, 0, e->pcap_header, PCAP_HEADER, error))
    {
      evidence_free (e);
      return NULL;
    }
  return e;
}

static gboolean
write_all (gint           fd,
           gconstpointer  data,
           gsize          len,
           const gchar   *path,
           GError       **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                       _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

/* Copies @len bytes of the evidence at @offset to @out. */
static gboolean
copy_bytes (Evidence     *e,
            guint64       offset,
            gsize         len,
            gint          out,
            const gchar  *out_path,
            GError      **error)
{
  g_autofree guint8 *buffer = g_malloc (MAX (len, 1u));

  return read_exactly (e, offset, buffer, len, error) &&
         write_all (out, buffer, len, out_path, error);
}

/* The length of the record (pcap) or block (pcapng) at @offset. */
static gboolean
record_length (Evidence  *e,
               guint64    offset,
               gsize     *len,
               GError   **error)
{
  guint8 head[PCAP_RECORD];

  if (g_str_equal (e->format, "pcapng"))
    {
      if (!read_exactly (e, offset, head, 8, error))
        return FALSE;
      *len = rd32 (e, head + 4);
    }
  else
    {
      gsize header = g_str_equal (e->format, "pcap-modified") ? 24 : PCAP_RECORD;

      if (!read_exactly (e, offset, head, PCAP_RECORD, error))
        return FALSE;
      *len = header + rd32 (e, head + 8);
    }
  if (*len < 12 || *len > MAX_RECORD || offset + *len > e->size)
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("“%s” has no valid record at byte %" PRIu64 ": the file changed since it was read"),
                   e->path, offset);
      return FALSE;
    }
  return TRUE;
}

/* Before a pcapng frame: the section header and interface blocks of its
 * section, found by walking the blocks from the start of the file, copied
 * once per section. */
static gboolean
copy_pcapng_section (Evidence     *e,
                     guint64       frame_offset,
                     gint          out,
                     const gchar  *out_path,
                     GError      **error)
{
  guint64 offset = 0, section = 0;
  g_autoptr(GArray) interfaces = g_array_new (FALSE, FALSE, sizeof (guint64));

  while (offset < frame_offset)
    {
      guint8 head[12];
      guint32 type, magic, len;

      if (!read_exactly (e, offset, head, 12, error))
        return FALSE;
      memcpy (&type, head, 4);
      if (type == PCAPNG_SHB)
        {
          memcpy (&magic, head + 8, 4);
          e->big_endian = magic == GUINT32_TO_BE (0x1a2b3c4d);
          section = offset;
          g_array_set_size (interfaces, 0);
        }
      else if (rd32 (e, head) == PCAPNG_IDB)
        g_array_append_val (interfaces, offset);
      len = rd32 (e, head + 4);
      if (len < 12 || len % 4 != 0 || len > MAX_RECORD)
        {
          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                       _("“%s” has an invalid block at byte %" PRIu64), e->path, offset);
          return FALSE;
        }
      offset += len;
    }
  if ((gint64) section == e->section)
    return TRUE;
  e->section = section;
  {
    gsize len;

    if (!record_length (e, section, &len, error) || !copy_bytes (e, section, len, out, out_path, error))
      return FALSE;
  }
  for (guint i = 0; i < interfaces->len; i++)
    {
      guint64 at = g_array_index (interfaces, guint64, i);
      gsize len;

      if (!record_length (e, at, &len, error) || !copy_bytes (e, at, len, out, out_path, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  NtpacStore  *store;
  GHashTable  *evidence;     /* input id -> Evidence */
  const gchar *out_path;
  gint         out;
  gchar       *format;       /* of the first input: pcap-family or pcapng */
  guint8       pcap_header[PCAP_HEADER];
  guint64      frames;
} Carver;

static gboolean
carve_frame (Carver               *c,
             guint32               input,
             guint64               offset,
             GError              **error)
{
  Evidence *e = g_hash_table_lookup (c->evidence, GUINT_TO_POINTER (input));
  gsize len;

  if (e == NULL)
    {
      e = open_evidence (c->store, input, error);
      if (e == NULL)
        return FALSE;
      g_hash_table_insert (c->evidence, GUINT_TO_POINTER (input), e);
    }
  if (c->format == NULL)
    {
      c->format = g_strdup (e->format);
      memcpy (c->pcap_header, e->pcap_header, PCAP_HEADER);
      if (!g_str_equal (e->format, "pcapng") &&
          !write_all (c->out, e->pcap_header, PCAP_HEADER, c->out_path, error))
        return FALSE;
    }
  if (g_str_equal (c->format, "pcapng") != g_str_equal (e->format, "pcapng") ||
      (!g_str_equal (e->format, "pcapng") && memcmp (c->pcap_header, e->pcap_header, PCAP_HEADER) != 0))
    {
      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("The conversation's frames come from captures of different formats (“%s”); "
                     "their records cannot be copied into one file as they are"), e->path);
      return FALSE;
    }
  if (g_str_equal (e->format, "pcapng") && !copy_pcapng_section (e, offset, c->out, c->out_path, error))
    return FALSE;
  if (!record_length (e, offset, &len, error) || !copy_bytes (e, offset, len, c->out, c->out_path, error))
    return FALSE;
  c->frames++;
  return TRUE;
}

/**
 * ntpac_carve_conversation:
 * @store: a database
 * @id: a conversation
 * @out_path: the file to write
 * @n_frames: (out) (optional): frames written
 * @error: return location for a #GError
 *
 * Writes every frame of the conversation, in capture order, copied from
 * the evidence: a pcap (with the input's file header) or a pcapng (with
 * its section and interface blocks), as the input was.
 *
 * Returns: %TRUE on success
 * Since: 0.1
 */
gboolean
ntpac_carve_conversation (NtpacStore                *store,
                          const NtpacConversationId *id,
                          const gchar               *out_path,
                          guint64                   *n_frames,
                          GError                   **error)
{
  g_autoptr(GBytes) conversation = NULL;
  g_autoptr(NtpacStoreIter) iter = NULL;
  Carver c = { store, NULL, out_path, -1, NULL, { 0 }, 0 };
  g_autofree gchar *partial = NULL;
  const guint8 *key, *value;
  gsize key_len, value_len;
  gboolean ok = TRUE;

  conversation = ntpac_store_get (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS),
                                  id->bytes, 16, error);
  if (conversation == NULL)
    {
      if (error != NULL && *error == NULL)
        {
          g_autofree gchar *hex = ntpac_conversation_id_to_hex (id);

          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                       _("No conversation %s in “%s”"), hex, ntpac_store_get_path (store));
        }
      return FALSE;
    }
  /* The carved file appears whole or not at all: it is written beside
   * its name and renamed at the end. "-" writes to standard output. */
  if (g_str_equal (out_path, "-"))
    c.out = STDOUT_FILENO;
  else
    {
      partial = g_strconcat (out_path, ".partial-XXXXXX", NULL);
      c.out = g_mkstemp_full (partial, O_WRONLY | O_CLOEXEC, 0644);
    }
  if (c.out < 0)
    {
      int saved_errno = errno;

      g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                   _("Cannot create “%s”: %s"), out_path, g_strerror (saved_errno));
      return FALSE;
    }
  c.evidence = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, evidence_free);
  iter = ntpac_store_iter_new_prefix (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_FRAMES), id->bytes, 16);
  while (ok && ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) frames = ntpac_record_decode (value, value_len,
                                                        G_VARIANT_TYPE (NTPAC_STORE_FRAMES_TYPE), error);
      GVariantIter it;
      guint32 input;
      guint64 number, offset;

      if (frames == NULL)
        {
          ok = FALSE;
          break;
        }
      g_variant_iter_init (&it, frames);
      while (ok && g_variant_iter_next (&it, "(utt)", &input, &number, &offset))
        ok = carve_frame (&c, input, offset, error);
    }
  if (ok)
    ok = ntpac_store_iter_get_error (iter, error);
  if (partial != NULL)
    {
      if (close (c.out) != 0 && ok)
        {
          int saved_errno = errno;

          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                       _("Cannot write “%s”: %s"), out_path, g_strerror (saved_errno));
          ok = FALSE;
        }
      if (ok && g_rename (partial, out_path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, NTPAC_STORE_ERROR, NTPAC_STORE_ERROR_FAILED,
                       _("Cannot create “%s”: %s"), out_path, g_strerror (saved_errno));
          ok = FALSE;
        }
      if (!ok)
        g_unlink (partial);
    }
  g_hash_table_unref (c.evidence);
  g_free (c.format);
  if (n_frames != NULL)
    *n_frames = c.frames;
  return ok;
}
