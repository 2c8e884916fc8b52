/* ntpac-capture.c: reading pcap and pcapng evidence, with provenance
 *
 * Files are read with read() into large recycled chunks and their records
 * parsed in place: libpcap's per-record copy halves the read speed, it
 * gives no file offsets, and it refuses pcapng files whose interfaces have
 * different link types. Formats: pcap (tcpdump.org "PCAP Capture File
 * Format", draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng).
 * libpcap is used for link-type names only.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ntpac-capture-private.h"
#include "ntpac-error.h"
#include "ntpac-hasher-private.h"
#include "ntpac-linktype.h"

#define CHUNK_SIZE           (4 * 1024 * 1024)
#define MAX_CHUNKS           4
#define PEEK_READ_SIZE       (64 * 1024)
#define PCAP_MAX_CAPLEN      262144u             /* libpcap's MAXIMUM_SNAPLEN */
#define PCAPNG_MAX_BLOCK     (16u * 1024 * 1024) /* as Wireshark */
#define PCAPNG_MAX_INTERFACES 65536
/* Merged captures legitimately skip years (almost 6 in public ones); a
 * record header read from the wrong place lands anywhere in 136. */
#define PCAP_MAX_TS_JUMP_S   (G_GINT64_CONSTANT (10) * 366 * 24 * 3600)

#define PCAP_MAGIC_US        0xa1b2c3d4u
#define PCAP_MAGIC_NS        0xa1b23c4du
#define PCAP_MAGIC_MODIFIED  0xa1b2cd34u
#define PCAPNG_SHB           0x0a0d0d0au
#define PCAPNG_BYTE_ORDER    0x1a2b3c4du
#define PCAPNG_IDB           0x00000001u
#define PCAPNG_OPB           0x00000002u
#define PCAPNG_SPB           0x00000003u
#define PCAPNG_EPB           0x00000006u
#define PCAPNG_OPT_IF_TSRESOL  9
#define PCAPNG_OPT_IF_TSOFFSET 14

typedef struct
{
  guint32  linktype;
  guint32  snaplen;
  guint64  ts_mul;     /* ns = units * ts_mul / ts_div, or ... */
  guint64  ts_div;
  guint    ts_shift;   /* ... ns = units * 1e9 >> ts_shift when non-zero */
  gint64   ts_offset_ns;
} Interface;

struct _NtpacCapture
{
  GPtrArray         *inputs;      /* NtpacInput, in reading order */
  NtpacCaptureFlags  flags;
  NtpacChunkPool    *pool;
  NtpacHasher       *hasher;
  guint64            total_size;
  guint64            bytes_done;  /* of inputs already closed */

  /* The input being read */
  guint              current;
  gboolean           open;
  gboolean           peeking;
  NtpacInput        *input;
  gint               fd;
  gboolean           is_stream;   /* a pipe: read what is there */
  gboolean           eof;
  gboolean           read_failed;
  NtpacChunk        *chunk;
  gsize              pos;
  guint64            read_offset; /* bytes read from the file so far */
  gboolean           big_endian;
  guint              record_header_len;
  guint32            pcap_limit;
  guint32            pcap_snaplen;   /* 0 when the header's is not usable */
  guint32            pcap_frac_limit;
  gboolean           pcap_have_sec;
  guint32            pcap_last_sec;
  GArray            *interfaces;  /* Interface */
  guint64            frame_number;

  NtpacCaptureChunkFunc chunk_func;
  gpointer           chunk_func_data;

  NtpacChunk        *stdin_chunk; /* what peeking read from standard input */
  gboolean           stdin_eof;
};

/* Byte order of the section being read. */
static inline guint16
rd16 (const NtpacCapture *self,
      const guint8       *p)
{
  guint16 v;

  memcpy (&v, p, 2);
  return self->big_endian ? GUINT16_FROM_BE (v) : GUINT16_FROM_LE (v);
}

static inline guint32
rd32 (const NtpacCapture *self,
      const guint8       *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return self->big_endian ? GUINT32_FROM_BE (v) : GUINT32_FROM_LE (v);
}

static void
input_free (gpointer data)
{
  NtpacInput *input = data;

  g_free (input->path);
  g_free (input->sha256);
  g_clear_error (&input->error);
  g_free (input->warning);
  g_free (input->damage);
  g_free (input);
}

static void
input_add_link_type (NtpacInput *input,
                     guint32     linktype)
{
  for (guint i = 0; i < input->n_link_types; i++)
    if (input->link_types[i] == linktype)
      return;
  if (input->n_link_types < NTPAC_MAX_LINK_TYPES_PER_INPUT)
    input->link_types[input->n_link_types++] = linktype;
}

static void
input_add_warning (NtpacInput  *input,
                   const gchar *warning)
{
  if (input->warning == NULL)
    input->warning = g_strdup (warning);
}

/* Stops parsing the input: what came before is kept. */
static gboolean
mark_damage (NtpacCapture *self,
             guint64       offset,
             const gchar  *format,
             ...) G_GNUC_PRINTF (3, 4);

static gboolean
mark_damage (NtpacCapture *self,
             guint64       offset,
             const gchar  *format,
             ...)
{
  va_list args;

  if (self->input->damage == NULL)
    {
      va_start (args, format);
      self->input->damage = g_strdup_vprintf (format, args);
      va_end (args);
      self->input->damage_offset = offset;
    }
  return FALSE;
}

/* ---- reading ---------------------------------------------------------- */

static guint64
chunk_offset (const NtpacCapture *self)
{
  return self->chunk->file_offset + self->pos;
}

/* Hands a chunk the reader is done with to the hashing thread. */
static void
release_chunk (NtpacCapture *self,
               NtpacChunk   *chunk)
{
  if (self->hasher != NULL && !self->peeking)
    ntpac_hasher_feed (self->hasher, chunk);
  ntpac_chunk_unref (chunk);
}

/* Reads into the chunk until it holds @want bytes from the read position
 * (or, for files, until it is full). Returns FALSE on a read error. */
static gboolean
fill_chunk (NtpacCapture *self,
            gsize         want)
{
  NtpacChunk *c = self->chunk;

  while (!self->eof && c->len < c->capacity)
    {
      gsize room = c->capacity - c->len;
      gssize n;

      if (self->peeking || self->is_stream)
        {
          if (c->len - self->pos >= want)
            break;
          if (self->peeking)
            room = MIN (room, MAX (PEEK_READ_SIZE, want - (c->len - self->pos)));
        }
      n = read (self->fd, c->data + c->len, room);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          mark_damage (self, self->read_offset, _("read error: %s"),
                       g_strerror (saved_errno));
          self->eof = TRUE;
          self->read_failed = TRUE;
          return FALSE;
        }
      if (n == 0)
        self->eof = TRUE;
      c->len += n;
      self->read_offset += n;
    }
  return TRUE;
}

/* Makes @n bytes from the read position available in one piece. */
static gboolean
ensure (NtpacCapture *self,
        gsize         n)
{
  NtpacChunk *old = self->chunk;

  if (old != NULL && old->len - self->pos >= n)
    return TRUE;
  if (self->eof)
    return FALSE;

  if (old != NULL && old->capacity - self->pos >= n &&
      (self->is_stream || self->peeking) && old->len < old->capacity)
    {
      /* Room left in this chunk: top it up in place. */
      fill_chunk (self, n);
      return self->chunk->len - self->pos >= n;
    }

  if (old != NULL && self->peeking && self->is_stream)
    return FALSE;  /* peeking standard input never drops bytes it read */

  if (self->chunk_func != NULL)
    self->chunk_func (self->chunk_func_data);
  {
    gsize carry = old != NULL ? old->len - self->pos : 0;
    NtpacChunk *c = ntpac_chunk_pool_acquire (self->pool, MAX (n, carry));

    if (old != NULL)
      {
        memcpy (c->data, old->data + self->pos, carry);
        c->file_offset = old->file_offset + self->pos;
        release_chunk (self, old);
      }
    c->len = carry;
    c->hash_from = carry;
    self->chunk = c;
    self->pos = 0;
  }
  fill_chunk (self, n);
  return self->chunk->len - self->pos >= n;
}

static const guint8 *
here (const NtpacCapture *self)
{
  return self->chunk->data + self->pos;
}

static gsize
available (const NtpacCapture *self)
{
  return self->chunk != NULL ? self->chunk->len - self->pos : 0;
}

/* Whoever points into the reader's buffers (the engine's batches) hears
 * before it moves to a new one. */
void
ntpac_capture_set_chunk_func (NtpacCapture          *self,
                              NtpacCaptureChunkFunc  func,
                              gpointer               user_data)
{
  self->chunk_func = func;
  self->chunk_func_data = user_data;
}

/* The buffer the frame ntpac_capture_next() gave last lies in; borrowed. */
NtpacChunk *
ntpac_capture_get_chunk (NtpacCapture *self)
{
  return self->chunk;
}

/* ---- timestamps --------------------------------------------------------- */

static void
interface_set_resolution (Interface *ifc,
                          guint8     tsresol)
{
  guint exponent = tsresol & 0x7f;

  ifc->ts_mul = 1;
  ifc->ts_div = 1;
  ifc->ts_shift = 0;
  if (tsresol & 0x80)
    {
      /* 2^-exponent seconds per unit */
      ifc->ts_shift = MIN (exponent, 63u);
      if (ifc->ts_shift == 0)
        ifc->ts_mul = G_GUINT64_CONSTANT (1000000000);
      return;
    }
  if (exponent <= 9)
    for (guint i = exponent; i < 9; i++)
      ifc->ts_mul *= 10;
  else
    for (guint i = 9; i < MIN (exponent, 28u); i++)
      ifc->ts_div = ifc->ts_div > G_MAXUINT64 / 10 ? G_MAXUINT64 : ifc->ts_div * 10;
}

static gint64
interface_ts_ns (const Interface *ifc,
                 guint64          units)
{
  unsigned __int128 ns;

  if (ifc->ts_shift != 0)
    ns = ((unsigned __int128) units * 1000000000u) >> ifc->ts_shift;
  else
    ns = (unsigned __int128) units * ifc->ts_mul / ifc->ts_div;
  if (ns > G_MAXINT64)
    ns = G_MAXINT64;
  return (gint64) ns + ifc->ts_offset_ns;
}

/* ---- pcap --------------------------------------------------------------- */

static gboolean
open_pcap (NtpacCapture *self,
           guint32       magic_host)
{
  const guint8 *h;
  guint16 major, minor;
  guint32 snaplen, network;
  Interface ifc = { 0 };

  if (!ensure (self, 24))
    return mark_damage (self, 0, _("file ends inside the pcap file header"));
  h = here (self);
  major = rd16 (self, h + 4);
  minor = rd16 (self, h + 6);
  snaplen = rd32 (self, h + 16);
  network = rd32 (self, h + 20);

  if (major != 2)
    return mark_damage (self, 4, _("unsupported pcap version %u.%u"), major, minor);
  if (((network >> 16) & 0x3ff) != 0)
    return mark_damage (self, 20,
                        _("the link-type field has reserved bits set (0x%08x)"),
                        network & 0x03ff0000);

  ifc.linktype = network & 0xffff;
  ifc.snaplen = snaplen;
  interface_set_resolution (&ifc, magic_host == PCAP_MAGIC_NS ? 9 : 6);
  g_array_append_val (self->interfaces, ifc);
  input_add_link_type (self->input, ifc.linktype);

  if (!ntpac_link_type_is_supported (ifc.linktype))
    {
      g_autofree gchar *name = ntpac_link_type_describe (ifc.linktype);

      g_set_error (&self->input->error, NTPAC_CAPTURE_ERROR,
                   NTPAC_CAPTURE_ERROR_LINK_TYPE,
                   _("Cannot read “%s”: link type %s is not supported"),
                   self->input->path, name);
      return FALSE;
    }

  self->input->format = magic_host == PCAP_MAGIC_NS ? NTPAC_CAPTURE_FORMAT_PCAP_NS :
                        magic_host == PCAP_MAGIC_MODIFIED ? NTPAC_CAPTURE_FORMAT_PCAP_MODIFIED :
                        NTPAC_CAPTURE_FORMAT_PCAP;
  self->record_header_len = magic_host == PCAP_MAGIC_MODIFIED ? 24 : 16;
  self->pcap_limit = CLAMP (snaplen, PCAP_MAX_CAPLEN, PCAPNG_MAX_BLOCK);
  self->pcap_snaplen = snaplen <= PCAP_MAX_CAPLEN ? snaplen : 0;
  self->pcap_frac_limit = magic_host == PCAP_MAGIC_NS ? 1000000000u : 1000000u;
  self->pcap_have_sec = FALSE;
  self->pos += 24;
  return TRUE;
}

static gboolean
next_pcap (NtpacCapture *self,
           NtpacFrame   *frame)
{
  const Interface *ifc = &g_array_index (self->interfaces, Interface, 0);
  guint hl = self->record_header_len;
  const guint8 *h;
  guint64 offset;
  guint32 sec, frac, caplen, origlen;

  if (!ensure (self, hl))
    {
      if (available (self) == 0)
        return FALSE;  /* clean end of file */
      return mark_damage (self, chunk_offset (self),
                          _("file ends inside a record header (%zu of %u bytes)"),
                          available (self), hl);
    }
  offset = chunk_offset (self);
  h = here (self);
  sec = rd32 (self, h);
  frac = rd32 (self, h + 4);
  caplen = rd32 (self, h + 8);
  origlen = rd32 (self, h + 12);
  /* A header that cannot be trusted puts every later one in the wrong
   * place: stop there rather than read frames out of other bytes. */
  if (caplen > self->pcap_limit)
    return mark_damage (self, offset,
                        _("record claims %u captured bytes, more than the %u a record can hold"),
                        caplen, self->pcap_limit);
  if (self->pcap_snaplen != 0 && caplen > self->pcap_snaplen)
    return mark_damage (self, offset,
                        _("record claims %u captured bytes, more than the file’s snapshot length (%u)"),
                        caplen, self->pcap_snaplen);
  if (caplen > origlen)
    return mark_damage (self, offset,
                        _("record claims %u captured bytes of a %u-byte frame"),
                        caplen, origlen);
  if (frac >= self->pcap_frac_limit)
    return mark_damage (self, offset,
                        _("record timestamp has %u for a fraction of a second counted to %u"),
                        frac, self->pcap_frac_limit);
  if (self->pcap_have_sec && ABS ((gint64) sec - (gint64) self->pcap_last_sec) > PCAP_MAX_TS_JUMP_S)
    return mark_damage (self, offset,
                        _("record timestamp is %lld days away from the previous record’s"),
                        (long long) (ABS ((gint64) sec - (gint64) self->pcap_last_sec) / (24 * 3600)));
  if (!ensure (self, hl + caplen))
    return mark_damage (self, offset,
                        _("file ends inside a record (%zu of %u bytes)"),
                        available (self), hl + caplen);

  frame->ref.input = self->input->id;
  frame->ref.reserved = 0;
  frame->ref.number = ++self->frame_number;
  frame->ref.offset = offset;
  frame->ts_ns = (gint64) sec * G_GINT64_CONSTANT (1000000000) +
                 (gint64) frac * (gint64) ifc->ts_mul;
  frame->caplen = caplen;
  frame->origlen = MAX (origlen, caplen);
  frame->linktype = ifc->linktype;
  frame->interface = 0;
  frame->data = here (self) + hl;
  self->pos += hl + caplen;
  self->pcap_have_sec = TRUE;
  self->pcap_last_sec = sec;
  return TRUE;
}

/* ---- pcapng ------------------------------------------------------------- */

/* Walks the options of a block body; FALSE (and damage) if one overruns.
 * Interface options are applied to @ifc when given. */
static gboolean
walk_options (NtpacCapture *self,
              const guint8 *p,
              gsize         len,
              guint64       offset,
              Interface    *ifc)
{
  gsize i = 0;

  while (len - i >= 4)
    {
      guint16 code = rd16 (self, p + i);
      guint16 olen = rd16 (self, p + i + 2);
      gsize padded = ((gsize) olen + 3) & ~(gsize) 3;

      if (code == 0)  /* opt_endofopt */
        return TRUE;
      if (padded > len - i - 4)
        return mark_damage (self, offset + i,
                            _("pcapng option %u claims %u bytes, more than its block holds"),
                            code, olen);
      if (ifc != NULL && code == PCAPNG_OPT_IF_TSRESOL && olen >= 1)
        interface_set_resolution (ifc, p[i + 4]);
      else if (ifc != NULL && code == PCAPNG_OPT_IF_TSOFFSET && olen == 8)
        {
          guint64 hi = rd32 (self, p + i + 4), lo = rd32 (self, p + i + 8);
          gint64 secs = self->big_endian ? (gint64) ((hi << 32) | lo) : (gint64) ((lo << 32) | hi);

          ifc->ts_offset_ns = CLAMP (secs, -G_GINT64_CONSTANT (9000000000),
                                     G_GINT64_CONSTANT (9000000000)) * 1000000000;
        }
      i += 4 + padded;
    }
  return TRUE;
}

/* Reads a section header block at the read position. */
static gboolean
read_shb (NtpacCapture *self)
{
  guint64 offset = chunk_offset (self);
  const guint8 *b;
  guint32 magic, total;
  guint16 major, minor;

  if (!ensure (self, 16))
    return mark_damage (self, offset, _("file ends inside a pcapng section header"));
  b = here (self);
  memcpy (&magic, b + 8, 4);
  if (magic == GUINT32_TO_BE (PCAPNG_BYTE_ORDER))
    self->big_endian = TRUE;
  else if (magic == GUINT32_TO_LE (PCAPNG_BYTE_ORDER))
    self->big_endian = FALSE;
  else
    return mark_damage (self, offset + 8, _("pcapng section header has no valid byte-order magic"));
  if (self->input->frames == 0 && offset == 0)
    self->input->big_endian = self->big_endian;

  total = rd32 (self, b + 4);
  major = rd16 (self, b + 12);
  minor = rd16 (self, b + 14);
  if (total < 28 || total % 4 != 0 || total > PCAPNG_MAX_BLOCK)
    return mark_damage (self, offset, _("pcapng section header has an invalid length (%u)"), total);
  if (major != 1 || (minor != 0 && minor != 2))
    return mark_damage (self, offset + 12, _("unsupported pcapng version %u.%u"), major, minor);
  if (!ensure (self, total))
    return mark_damage (self, offset, _("file ends inside a pcapng section header"));
  b = here (self);
  if (rd32 (self, b + total - 4) != total)
    return mark_damage (self, offset, _("pcapng block lengths at start and end differ"));
  if (!walk_options (self, b + 24, total - 28, offset + 24, NULL))
    return FALSE;
  g_array_set_size (self->interfaces, 0);
  self->pos += total;
  return TRUE;
}

static gboolean
read_idb (NtpacCapture *self,
          const guint8 *b,
          guint32       total,
          guint64       offset)
{
  Interface ifc = { 0 };

  if (total < 20)
    return mark_damage (self, offset, _("pcapng interface block is too short (%u bytes)"), total);
  if (self->interfaces->len >= PCAPNG_MAX_INTERFACES)
    return mark_damage (self, offset, _("too many pcapng interfaces"));
  ifc.linktype = rd16 (self, b + 8);
  ifc.snaplen = rd32 (self, b + 12);
  interface_set_resolution (&ifc, 6);
  if (!walk_options (self, b + 16, total - 20, offset + 16, &ifc))
    return FALSE;
  g_array_append_val (self->interfaces, ifc);
  input_add_link_type (self->input, ifc.linktype);
  if (!ntpac_link_type_is_supported (ifc.linktype))
    {
      g_autofree gchar *name = ntpac_link_type_describe (ifc.linktype);
      g_autofree gchar *warning =
        g_strdup_printf (_("interface %u has link type %s, which is not supported; its frames are counted but not decoded"),
                         self->interfaces->len - 1, name);
      input_add_warning (self->input, warning);
    }
  return TRUE;
}

static gboolean
fill_frame_from_block (NtpacCapture *self,
                       NtpacFrame   *frame,
                       guint64       offset,
                       guint32       interface,
                       guint64       units,
                       guint32       caplen,
                       guint32       origlen,
                       const guint8 *data)
{
  const Interface *ifc;

  if (interface >= self->interfaces->len)
    return mark_damage (self, offset,
                        _("packet block names interface %u, but the section has %u"),
                        interface, self->interfaces->len);
  ifc = &g_array_index (self->interfaces, Interface, interface);
  frame->ref.input = self->input->id;
  frame->ref.reserved = 0;
  frame->ref.number = ++self->frame_number;
  frame->ref.offset = offset;
  frame->ts_ns = interface_ts_ns (ifc, units);
  frame->caplen = caplen;
  frame->origlen = MAX (origlen, caplen);
  frame->linktype = ifc->linktype;
  frame->interface = interface;
  frame->data = data;
  return TRUE;
}

static gboolean
block_is_numbered_record (guint32 type)
{
  switch (type)
    {
    case 0x00000009:  /* systemd journal export */
    case 0x00000bad:  /* custom block, may be copied */
    case 0x40000bad:  /* custom block, must not be copied */
    case 0x00000204:  /* sysdig events */
    case 0x00000208:
    case 0x00000216:
    case 0x00000217:
    case 0x00000221:
    case 0x00000222:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
next_pcapng (NtpacCapture *self,
             NtpacFrame   *frame)
{
  for (;;)
    {
      guint64 offset;
      const guint8 *b;
      guint32 type, total;

      if (!ensure (self, 8))
        {
          if (available (self) == 0)
            return FALSE;
          return mark_damage (self, chunk_offset (self),
                              _("file ends inside a pcapng block header"));
        }
      offset = chunk_offset (self);
      b = here (self);
      memcpy (&type, b, 4);
      if (type == PCAPNG_SHB)  /* same in both byte orders */
        {
          if (!read_shb (self))
            return FALSE;
          continue;
        }
      type = rd32 (self, b);
      total = rd32 (self, b + 4);
      if (total < 12 || total % 4 != 0 || total > PCAPNG_MAX_BLOCK)
        return mark_damage (self, offset, _("pcapng block has an invalid length (%u)"), total);
      if (!ensure (self, total))
        return mark_damage (self, offset,
                            _("file ends inside a pcapng block (%zu of %u bytes)"),
                            available (self), total);
      b = here (self);
      if (rd32 (self, b + total - 4) != total)
        return mark_damage (self, offset, _("pcapng block lengths at start and end differ"));

      switch (type)
        {
        case PCAPNG_IDB:
          if (!read_idb (self, b, total, offset))
            return FALSE;
          break;

        case PCAPNG_EPB:
        case PCAPNG_OPB:
          {
            guint32 interface, caplen, origlen;
            guint64 units;
            gsize padded;

            if (total < 32)
              return mark_damage (self, offset, _("pcapng packet block is too short (%u bytes)"), total);
            interface = type == PCAPNG_EPB ? rd32 (self, b + 8) : rd16 (self, b + 8);
            units = ((guint64) rd32 (self, b + 12) << 32) | rd32 (self, b + 16);
            caplen = rd32 (self, b + 20);
            origlen = rd32 (self, b + 24);
            padded = ((gsize) caplen + 3) & ~(gsize) 3;
            if (caplen > total - 32 || padded > total - 32)
              return mark_damage (self, offset,
                                  _("pcapng packet block claims %u captured bytes, more than it holds"),
                                  caplen);
            if (!walk_options (self, b + 28 + padded, total - 32 - padded, offset + 28 + padded, NULL))
              return FALSE;
            if (!fill_frame_from_block (self, frame, offset, interface, units,
                                        caplen, origlen, b + 28))
              return FALSE;
            self->pos += total;
            return TRUE;
          }

        case PCAPNG_SPB:
          {
            guint32 origlen, caplen;
            const Interface *ifc;

            if (total < 16)
              return mark_damage (self, offset, _("pcapng simple packet block is too short"));
            if (self->interfaces->len == 0)
              return mark_damage (self, offset, _("simple packet block before any interface"));
            ifc = &g_array_index (self->interfaces, Interface, 0);
            origlen = rd32 (self, b + 8);
            caplen = MIN (origlen, total - 16);
            if (ifc->snaplen != 0)
              caplen = MIN (caplen, ifc->snaplen);
            /* Simple packet blocks carry no timestamp. */
            if (!fill_frame_from_block (self, frame, offset, 0, 0, caplen, origlen, b + 12))
              return FALSE;
            frame->ts_ns = self->input->last_ts_ns;
            self->pos += total;
            return TRUE;
          }

        default:
          /* Wireshark numbers custom blocks, systemd journal entries and
           * sysdig events as frames: count them too, so frame numbers
           * agree with what an investigator sees there. */
          if (block_is_numbered_record (type))
            self->frame_number++;
          break;
        }
      self->pos += total;
    }
}

/* ---- inputs ------------------------------------------------------------- */

static gboolean
magic_is_capture (const guint8 *b,
                  guint32      *magic_host,
                  gboolean     *big_endian)
{
  guint32 le, be;

  memcpy (&le, b, 4);
  be = GUINT32_FROM_BE (le);
  le = GUINT32_FROM_LE (le);
  if (be == PCAPNG_SHB)
    {
      *magic_host = PCAPNG_SHB;
      *big_endian = FALSE;  /* decided by the section header */
      return TRUE;
    }
  if (be == PCAP_MAGIC_US || be == PCAP_MAGIC_NS || be == PCAP_MAGIC_MODIFIED)
    {
      *magic_host = be;
      *big_endian = TRUE;
      return TRUE;
    }
  if (le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS || le == PCAP_MAGIC_MODIFIED)
    {
      *magic_host = le;
      *big_endian = FALSE;
      return TRUE;
    }
  return FALSE;
}

static gboolean
open_fd (NtpacCapture *self)
{
  NtpacInput *input = self->input;

  if (g_strcmp0 (input->path, "-") == 0)
    {
      self->fd = STDIN_FILENO;
      self->is_stream = TRUE;
      return TRUE;
    }

  self->fd = g_open (input->path, O_RDONLY | O_CLOEXEC, 0);
  if (self->fd < 0)
    {
      int saved_errno = errno;

      g_clear_error (&input->error);
      g_set_error (&input->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_OPEN,
                   _("Cannot open “%s”: %s"), input->path, g_strerror (saved_errno));
      return FALSE;
    }
  {
    struct stat st;

    if (fstat (self->fd, &st) == 0)
      {
        if (S_ISDIR (st.st_mode))
          {
            g_set_error (&input->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_OPEN,
                         _("Cannot read “%s”: it is a folder with no capture files"),
                         input->path);
            close (self->fd);
            self->fd = -1;
            return FALSE;
          }
        self->is_stream = !S_ISREG (st.st_mode);
        if (S_ISREG (st.st_mode))
          input->size = st.st_size;
      }
  }
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (self->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return TRUE;
}

/* Opens input @self->input and parses its file header. FALSE if it
 * cannot be read at all (input->error) or its header is damaged. */
static gboolean
begin_input (NtpacCapture *self)
{
  NtpacInput *input = self->input;
  guint32 magic_host;
  gboolean big_endian;

  self->eof = FALSE;
  self->read_failed = FALSE;
  self->pos = 0;
  self->read_offset = 0;
  self->frame_number = 0;
  self->chunk = NULL;
  g_array_set_size (self->interfaces, 0);

  if (g_strcmp0 (input->path, "-") == 0 && self->stdin_chunk != NULL && !self->peeking)
    {
      /* Standard input was peeked at: start from the bytes kept. */
      self->fd = STDIN_FILENO;
      self->is_stream = TRUE;
      self->chunk = g_steal_pointer (&self->stdin_chunk);
      self->eof = self->stdin_eof;
      self->read_offset = self->chunk->len;
    }
  else if (!open_fd (self))
    return FALSE;
  self->open = TRUE;

  if (!ensure (self, 4))
    {
      if (input->damage != NULL)
        return FALSE;
      g_set_error (&input->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_FORMAT,
                   available (self) == 0 ? _("Cannot read “%s”: the file is empty")
                                         : _("Cannot read “%s”: it is not a pcap or pcapng capture"),
                   input->path);
      return FALSE;
    }
  if (!magic_is_capture (here (self), &magic_host, &big_endian))
    {
      g_set_error (&input->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_FORMAT,
                   _("Cannot read “%s”: it is not a pcap or pcapng capture"), input->path);
      return FALSE;
    }
  if (magic_host == PCAPNG_SHB)
    {
      input->format = NTPAC_CAPTURE_FORMAT_PCAPNG;
      return read_shb (self);
    }
  self->big_endian = big_endian;
  input->big_endian = big_endian;
  return open_pcap (self, magic_host);
}

/* Closes the current input. With @drain, a file whose records could not
 * all be parsed is still read to its end, so that its hash covers every
 * byte; without, it gets no hash (an interrupted run). */
static void
end_input (NtpacCapture *self,
           gboolean      drain)
{
  NtpacInput *input = self->input;
  gboolean hashing = self->hasher != NULL && !self->peeking;

  drain = drain && input->error == NULL;
  if (hashing && drain)
    while (!self->eof)
      {
        if (self->chunk != NULL)
          self->pos = self->chunk->len;
        ensure (self, 1);
      }
  if (self->chunk != NULL)
    {
      if (self->peeking && self->is_stream)
        {
          self->stdin_chunk = g_steal_pointer (&self->chunk);
          self->stdin_eof = self->eof;
        }
      else
        release_chunk (self, g_steal_pointer (&self->chunk));
    }
  if (hashing)
    {
      if (drain && self->eof && !self->read_failed)
        ntpac_hasher_end_input (self->hasher, &input->sha256);
      else
        ntpac_hasher_abandon_input (self->hasher);
    }
  if (self->fd >= 0 && self->fd != STDIN_FILENO)
    close (self->fd);
  self->fd = -1;
  if (!self->peeking)
    {
      if (self->is_stream)
        input->size = self->read_offset;
      self->bytes_done += self->read_offset;
    }
  self->open = FALSE;
}

static gboolean
next_frame (NtpacCapture *self,
            NtpacFrame   *frame)
{
  if (self->input->damage != NULL || self->input->error != NULL)
    return FALSE;
  if (self->input->format == NTPAC_CAPTURE_FORMAT_PCAPNG)
    return next_pcapng (self, frame);
  return next_pcap (self, frame);
}

/* Reads the first frame's timestamp, to order the inputs. */
static void
peek_input (NtpacCapture *self,
            NtpacInput   *input)
{
  NtpacFrame frame;

  self->peeking = TRUE;
  self->input = input;
  if (begin_input (self) && next_frame (self, &frame))
    input->first_ts_ns = frame.ts_ns;
  if (self->open)
    end_input (self, FALSE);
  /* Errors are found again, and reported, when the input is read. */
  g_clear_error (&input->error);
  g_clear_pointer (&input->damage, g_free);
  g_clear_pointer (&input->warning, g_free);
  input->n_link_types = 0;
  input->format = NTPAC_CAPTURE_FORMAT_UNKNOWN;
  self->peeking = FALSE;
}

static NtpacInput *
input_new (const gchar *path)
{
  NtpacInput *input = g_new0 (NtpacInput, 1);

  input->path = g_strdup (path);
  return input;
}

static gboolean
file_looks_like_capture (const gchar *path)
{
  guint8 magic[4];
  guint32 magic_host;
  gboolean big_endian;
  gssize n;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;
  n = read (fd, magic, sizeof magic);
  close (fd);
  return n == sizeof magic && magic_is_capture (magic, &magic_host, &big_endian);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Capture files under @folder, recognised by their first bytes. */
static void
add_folder (GPtrArray   *inputs,
            const gchar *folder,
            guint        depth)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (dir == NULL || depth > 16)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (folder, name, NULL));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const gchar *path = names->pdata[i];

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        add_folder (inputs, path, depth + 1);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && file_looks_like_capture (path))
        g_ptr_array_add (inputs, input_new (path));
    }
}

typedef struct
{
  NtpacInput *input;
  guint       order;
} SortEntry;

static gint
compare_first_ts (gconstpointer a,
                  gconstpointer b)
{
  const SortEntry *x = a, *y = b;

  if (x->input->first_ts_ns != y->input->first_ts_ns)
    return x->input->first_ts_ns < y->input->first_ts_ns ? -1 : 1;
  return x->order < y->order ? -1 : (x->order > y->order);
}

/**
 * ntpac_capture_new:
 * @paths: (array zero-terminated=1): files, folders, or "-" for standard
 *   input, read together as one capture
 * @flags: #NtpacCaptureFlags
 *
 * Finds the inputs (a folder contributes the capture files under it,
 * recognised by content) and orders them by their first timestamp. An
 * input that cannot be read is kept, with its error, so it can be
 * reported; the others are still read.
 *
 * Returns: (transfer full): the capture
 * Since: 0.1
 */
NtpacCapture *
ntpac_capture_new (const gchar * const *paths,
                   NtpacCaptureFlags    flags)
{
  NtpacCapture *self = g_new0 (NtpacCapture, 1);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (SortEntry));
  GPtrArray *found = g_ptr_array_new ();
  gboolean stdin_seen = FALSE;

  self->flags = flags;
  self->fd = -1;
  self->interfaces = g_array_new (FALSE, TRUE, sizeof (Interface));
  self->pool = ntpac_chunk_pool_new (CHUNK_SIZE, MAX_CHUNKS);
  self->inputs = g_ptr_array_new_with_free_func (input_free);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      const gchar *path = paths[i];

      if (g_strcmp0 (path, "-") == 0)
        {
          if (!stdin_seen)
            g_ptr_array_add (found, input_new (path));
          stdin_seen = TRUE;
        }
      else if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          guint before = found->len;

          add_folder (found, path, 0);
          if (found->len == before)
            g_ptr_array_add (found, input_new (path));  /* reported when read */
        }
      else
        g_ptr_array_add (found, input_new (path));
    }

  if (found->len > 1)
    for (guint i = 0; i < found->len; i++)
      {
        SortEntry e = { found->pdata[i], i };

        peek_input (self, e.input);
        g_array_append_val (order, e);
      }
  else if (found->len == 1)
    {
      SortEntry e = { found->pdata[0], 0 };
      g_array_append_val (order, e);
    }
  g_array_sort (order, compare_first_ts);

  for (guint i = 0; i < order->len; i++)
    {
      NtpacInput *input = g_array_index (order, SortEntry, i).input;

      input->id = i;
      input->first_ts_ns = 0;
      if (g_strcmp0 (input->path, "-") != 0)
        {
          struct stat st;

          if (g_stat (input->path, &st) == 0 && S_ISREG (st.st_mode))
            input->size = st.st_size;
        }
      self->total_size += input->size;
      g_ptr_array_add (self->inputs, input);
    }
  g_ptr_array_unref (found);

  if (!(flags & NTPAC_CAPTURE_FLAGS_NO_HASH))
    self->hasher = ntpac_hasher_new ();
  return self;
}

/**
 * ntpac_capture_next:
 * @self: a capture
 * @frame: (out caller-allocates): the next frame
 *
 * Reads the next frame of the capture, moving on to the next input at the
 * end of one. The frame's bytes stay valid until the next call.
 *
 * Returns: %FALSE when every input has been read
 * Since: 0.1
 */
gboolean
ntpac_capture_next (NtpacCapture *self,
                    NtpacFrame   *frame)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  for (;;)
    {
      if (!self->open)
        {
          if (self->current >= self->inputs->len)
            return FALSE;
          self->input = self->inputs->pdata[self->current++];
          if (!begin_input (self))
            {
              if (self->open)
                end_input (self, self->input->error == NULL);
              continue;
            }
        }
      if (next_frame (self, frame))
        {
          NtpacInput *input = self->input;

          if (input->frames++ == 0)
            input->first_ts_ns = frame->ts_ns;
          input->last_ts_ns = frame->ts_ns;
          return TRUE;
        }
      end_input (self, TRUE);
    }
}

/**
 * ntpac_capture_wait_hashes:
 * @self: a capture
 *
 * Waits until the SHA-256 of every input read to its end is known.
 * Since: 0.1
 */
void
ntpac_capture_wait_hashes (NtpacCapture *self)
{
  g_return_if_fail (self != NULL);
  if (self->open)
    end_input (self, FALSE);
  g_clear_pointer (&self->hasher, ntpac_hasher_free);
}

/**
 * ntpac_capture_free:
 * @self: (transfer full): a capture
 *
 * Since: 0.1
 */
void
ntpac_capture_free (NtpacCapture *self)
{
  if (self == NULL)
    return;
  ntpac_capture_wait_hashes (self);
  if (self->stdin_chunk != NULL)
    ntpac_chunk_unref (self->stdin_chunk);
  ntpac_chunk_pool_free (self->pool);
  g_array_unref (self->interfaces);
  g_ptr_array_unref (self->inputs);
  g_free (self);
}

guint
ntpac_capture_get_n_inputs (NtpacCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->inputs->len;
}

/**
 * ntpac_capture_set_first_input_id:
 * @self: a capture, not read from yet
 * @first: id of the first input
 *
 * Numbers the inputs from @first rather than 0, so that a run appended
 * to a database does not reuse the ids of the inputs already there.
 * Since: 0.1
 */
void
ntpac_capture_set_first_input_id (NtpacCapture *self,
                                  guint32       first)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->current == 0);
  for (guint i = 0; i < self->inputs->len; i++)
    ((NtpacInput *) self->inputs->pdata[i])->id = first + i;
}

/**
 * ntpac_capture_get_input:
 * @self: a capture
 * @index: input index, in reading order
 *
 * Returns: (transfer none): what is known of the input so far
 * Since: 0.1
 */
const NtpacInput *
ntpac_capture_get_input (NtpacCapture *self,
                         guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->inputs->len, NULL);
  return self->inputs->pdata[index];
}

/* Sum of the sizes of the regular files (standard input counts once read). */
guint64
ntpac_capture_get_total_size (NtpacCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->total_size;
}

/* Bytes consumed so far, for progress. Call from the reading thread. */
guint64
ntpac_capture_get_bytes_read (NtpacCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  if (!self->open)
    return self->bytes_done;
  return self->bytes_done + (self->chunk != NULL ? chunk_offset (self) : self->read_offset);
}

gboolean
ntpac_capture_has_errors (NtpacCapture *self)
{
  for (guint i = 0; i < self->inputs->len; i++)
    if (((NtpacInput *) self->inputs->pdata[i])->error != NULL)
      return TRUE;
  return FALSE;
}

gboolean
ntpac_capture_has_damage (NtpacCapture *self)
{
  for (guint i = 0; i < self->inputs->len; i++)
    if (((NtpacInput *) self->inputs->pdata[i])->damage != NULL)
      return TRUE;
  return FALSE;
}

const gchar *
ntpac_capture_format_to_string (NtpacCaptureFormat format)
{
  switch (format)
    {
    case NTPAC_CAPTURE_FORMAT_PCAP:
      return "pcap";
    case NTPAC_CAPTURE_FORMAT_PCAP_NS:
      return "pcap-ns";
    case NTPAC_CAPTURE_FORMAT_PCAP_MODIFIED:
      return "pcap-modified";
    case NTPAC_CAPTURE_FORMAT_PCAPNG:
      return "pcapng";
    case NTPAC_CAPTURE_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * ntpac_link_type_describe:
 * @linktype: a LINKTYPE_ value
 *
 * Returns: (transfer full): the number with libpcap's name for it, for
 *   messages, e.g. "105 (IEEE802_11)"
 * Since: 0.1
 */
gchar *
ntpac_link_type_describe (guint32 linktype)
{
  const gchar *name = pcap_datalink_val_to_name ((int) linktype);

  if (name == NULL)
    return g_strdup_printf ("%u", linktype);
  return g_strdup_printf ("%u (%s)", linktype, name);
}
