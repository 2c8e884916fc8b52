/* test-capture.c: reading pcap and pcapng evidence, with provenance
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-packet.h"
#include "ntpac-test-pcap.h"

#define T0 G_GINT64_CONSTANT (1709251200000000000)  /* 2024-03-01T00:00:00Z */

typedef struct
{
  NtpacFrame  frame;
  GBytes     *data;
} ReadFrame;

static void
read_frame_clear (gpointer p)
{
  g_bytes_unref (((ReadFrame *) p)->data);
}

/* Reads every frame of @paths, copying each one's bytes. */
static GArray *
read_all (NtpacCapture *capture)
{
  GArray *frames = g_array_new (FALSE, TRUE, sizeof (ReadFrame));
  NtpacFrame frame;

  g_array_set_clear_func (frames, read_frame_clear);
  while (ntpac_capture_next (capture, &frame))
    {
      ReadFrame r = { frame, g_bytes_new (frame.data, frame.caplen) };

      r.frame.data = NULL;
      g_array_append_val (frames, r);
    }
  ntpac_capture_wait_hashes (capture);
  return frames;
}

static NtpacCapture *
open_one (const gchar *path)
{
  const gchar *paths[] = { path, NULL };

  return ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
}

/* Frame @i of a test capture: a UDP datagram whose payload says which it
 * is, padded to @size bytes so records of different sizes are easy. */
static NtpacTestPacket *
make_packet (guint i,
             gsize size)
{
  g_autofree gchar *text = g_strdup_printf ("frame %u", i);
  NtpacTestPacket *p = ntpac_test_packet_new_with_payload (text, strlen (text));

  while (ntpac_test_packet_get_length (p) + 42 < size)
    ntpac_test_packet_append (p, "x", 1);
  ntpac_test_packet_udp (p, 1024 + i, 53);
  ntpac_test_packet_ipv4 (p, "10.0.0.1", "10.0.0.2");
  return p;
}

typedef struct
{
  gchar   *path;
  GArray  *offsets;   /* goffset of each record, as written */
  GPtrArray *packets; /* GBytes of each frame */
} Written;

/* Removes a file made by temp_path() and its folder. */
static void
remove_temp (const gchar *path)
{
  g_autofree gchar *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static void
written_free (Written *w)
{
  remove_temp (w->path);
  g_free (w->path);
  g_array_unref (w->offsets);
  g_ptr_array_unref (w->packets);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Written, written_free)

static gchar *
temp_path (const gchar *name)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-capture-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* Writes @n Ethernet frames of growing sizes, 1 ms apart from @t0, for
 * an interface of snapshot length @snaplen. */
static Written *
write_capture_snaplen (NtpacTestPcapFormat format,
                       NtpacTestByteOrder  order,
                       guint               n,
                       gint64              t0,
                       gsize               size,
                       guint32             snaplen)
{
  Written *w = g_new0 (Written, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer = NULL;
  guint iface;

  w->path = temp_path ("capture");
  w->offsets = g_array_new (FALSE, FALSE, sizeof (goffset));
  w->packets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  writer = ntpac_test_pcap_writer_new_file (w->path, format, order, &error);
  g_assert_no_error (error);
  iface = ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_ETHERNET, snaplen);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NtpacTestPacket) p = make_packet (i, size + i);
      gsize len;
      const guint8 *data;
      goffset offset;

      ntpac_test_packet_ethernet (p, NULL, NULL);
      data = ntpac_test_packet_get_data (p, &len);
      offset = ntpac_test_pcap_writer_write (writer, iface, t0 + i * G_GINT64_CONSTANT (1000000),
                                             data, len, len);
      g_array_append_val (w->offsets, offset);
      g_ptr_array_add (w->packets, g_bytes_new (data, len));
    }
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));
  g_assert_no_error (error);
  return w;
}

static Written *
write_capture (NtpacTestPcapFormat format,
               NtpacTestByteOrder  order,
               guint               n,
               gint64              t0,
               gsize               size)
{
  return write_capture_snaplen (format, order, n, t0, size, 65535);
}

static gchar *
file_sha256 (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
assert_frames_match (GArray  *frames,
                     Written *w,
                     gint64   t0)
{
  g_assert_cmpuint (frames->len, ==, w->packets->len);
  for (guint i = 0; i < frames->len; i++)
    {
      ReadFrame *r = &g_array_index (frames, ReadFrame, i);

      g_assert_cmpuint (r->frame.ref.number, ==, i + 1);
      g_assert_cmpuint (r->frame.ref.offset, ==, g_array_index (w->offsets, goffset, i));
      g_assert_cmpint (r->frame.ts_ns, ==, t0 + i * G_GINT64_CONSTANT (1000000));
      g_assert_cmpuint (r->frame.linktype, ==, NTPAC_LINKTYPE_ETHERNET);
      g_assert_cmpuint (r->frame.caplen, ==, r->frame.origlen);
      g_assert_true (g_bytes_equal (r->data, w->packets->pdata[i]));
    }
}

static void
check_format (NtpacTestPcapFormat format,
              NtpacTestByteOrder  order,
              NtpacCaptureFormat  expected_format)
{
  g_autoptr(Written) w = write_capture (format, order, 5, T0 + 123000, 100);
  g_autoptr(NtpacCapture) capture = open_one (w->path);
  g_autoptr(GArray) frames = read_all (capture);
  const NtpacInput *input = ntpac_capture_get_input (capture, 0);
  g_autofree gchar *sha = file_sha256 (w->path);

  assert_frames_match (frames, w, T0 + 123000);
  g_assert_cmpint (input->format, ==, expected_format);
  g_assert_cmpint (input->big_endian, ==, order == NTPAC_TEST_BYTE_ORDER_BIG);
  g_assert_cmpuint (input->frames, ==, 5);
  g_assert_cmpint (input->first_ts_ns, ==, T0 + 123000);
  g_assert_cmpint (input->last_ts_ns, ==, T0 + 123000 + 4000000);
  g_assert_cmpuint (input->n_link_types, ==, 1);
  g_assert_cmpstr (input->sha256, ==, sha);
  g_assert_null (input->damage);
  g_assert_null (input->error);
  g_assert_false (ntpac_capture_has_errors (capture));
  g_assert_false (ntpac_capture_has_damage (capture));
}

static void
test_pcap_microseconds_little_endian (void)
{
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, NTPAC_CAPTURE_FORMAT_PCAP);
}

static void
test_pcap_microseconds_big_endian (void)
{
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_BIG, NTPAC_CAPTURE_FORMAT_PCAP);
}

static void
test_pcap_nanoseconds_both_orders (void)
{
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_LITTLE, NTPAC_CAPTURE_FORMAT_PCAP_NS);
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_BIG, NTPAC_CAPTURE_FORMAT_PCAP_NS);
}

static void
test_pcapng_both_orders (void)
{
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, NTPAC_CAPTURE_FORMAT_PCAPNG);
  check_format (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_BIG, NTPAC_CAPTURE_FORMAT_PCAPNG);
}

static void
test_pcapng_interfaces_of_different_link_types (void)
{
  g_autofree gchar *path = temp_path ("multi.pcapng");
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_BIG, &error);
  g_autoptr(NtpacTestPacket) eth = make_packet (0, 80);
  g_autoptr(NtpacTestPacket) raw = make_packet (1, 80);
  g_autoptr(NtpacTestPacket) sll = make_packet (2, 80);
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;
  guint i_eth, i_raw, i_sll;
  const guint8 *data;
  gsize len;
  goffset offsets[4];
  const NtpacInput *input;

  g_test_summary ("A big-endian pcapng with Ethernet (µs), raw IP (ns) and Linux cooked "
                  "(2^-10 s) interfaces: each frame keeps its own link type, interface and "
                  "timestamp resolution.");
  g_assert_no_error (error);
  i_eth = ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
  i_raw = ntpac_test_pcap_writer_add_interface_full (writer, NTPAC_TEST_LINKTYPE_RAW, 65535,
                                                     NTPAC_TEST_TSRESOL_NSEC, "raw0");
  i_sll = ntpac_test_pcap_writer_add_interface_full (writer, NTPAC_TEST_LINKTYPE_LINUX_SLL, 65535,
                                                     0x80 | 10, NULL);
  ntpac_test_packet_ethernet (eth, NULL, NULL);
  ntpac_test_packet_linux_sll (sll, 0);
  data = ntpac_test_packet_get_data (eth, &len);
  offsets[0] = ntpac_test_pcap_writer_write (writer, i_eth, T0 + 1000, data, len, len);
  data = ntpac_test_packet_get_data (raw, &len);
  offsets[1] = ntpac_test_pcap_writer_write (writer, i_raw, T0 + 1001, data, len, len);
  data = ntpac_test_packet_get_data (sll, &len);
  offsets[2] = ntpac_test_pcap_writer_write (writer, i_sll, T0 + 1024 * G_GINT64_CONSTANT (1000000000) / 1024, data, len, len);
  data = ntpac_test_packet_get_data (raw, &len);
  offsets[3] = ntpac_test_pcap_writer_write_simple (writer, data, len, len);
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));

  capture = open_one (path);
  frames = read_all (capture);
  input = ntpac_capture_get_input (capture, 0);
  g_assert_cmpuint (frames->len, ==, 4);
  g_assert_true (input->big_endian);
  g_assert_cmpuint (input->n_link_types, ==, 3);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 0).frame.linktype, ==, NTPAC_LINKTYPE_ETHERNET);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 0).frame.interface, ==, i_eth);
  g_assert_cmpint (g_array_index (frames, ReadFrame, 0).frame.ts_ns, ==, T0 + 1000);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 1).frame.linktype, ==, NTPAC_LINKTYPE_RAW);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 1).frame.interface, ==, i_raw);
  g_assert_cmpint (g_array_index (frames, ReadFrame, 1).frame.ts_ns, ==, T0 + 1001);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 2).frame.linktype, ==, NTPAC_LINKTYPE_LINUX_SLL);
  g_assert_cmpint (g_array_index (frames, ReadFrame, 2).frame.ts_ns, ==, T0 + G_GINT64_CONSTANT (1000000000));
  /* A simple packet block belongs to interface 0 and has no timestamp. */
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 3).frame.interface, ==, 0);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 3).frame.linktype, ==, NTPAC_LINKTYPE_ETHERNET);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (g_array_index (frames, ReadFrame, i).frame.ref.offset, ==, offsets[i]);
      g_assert_cmpuint (g_array_index (frames, ReadFrame, i).frame.ref.number, ==, i + 1);
    }
  remove_temp (path);
}

/* Inserts @bytes into the file at @offset. */
static void
splice_file (const gchar  *path,
             goffset       offset,
             const guint8 *bytes,
             gsize         len)
{
  g_autofree gchar *contents = NULL;
  gsize size;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_byte_array_append (out, (guint8 *) contents, offset);
  g_byte_array_append (out, bytes, len);
  g_byte_array_append (out, (guint8 *) contents + offset, size - offset);
  g_file_set_contents (path, (gchar *) out->data, out->len, &error);
  g_assert_no_error (error);
}

static void
test_pcapng_custom_block_numbered_like_wireshark (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, 3, T0, 90);
  /* Custom block (0xbad): length 20, PEN 32473, 4 data bytes. */
  static const guint8 custom[] = { 0xad, 0x0b, 0, 0, 20, 0, 0, 0, 0xd9, 0x7e, 0, 0,
                                   'd', 'a', 't', 'a', 20, 0, 0, 0 };
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;

  g_test_summary ("Wireshark numbers pcapng custom blocks as frames; the frame numbers of "
                  "packets after one must agree with Wireshark's.");
  splice_file (w->path, g_array_index (w->offsets, goffset, 1), custom, sizeof custom);
  capture = open_one (w->path);
  frames = read_all (capture);
  g_assert_cmpuint (frames->len, ==, 3);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 0).frame.ref.number, ==, 1);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 1).frame.ref.number, ==, 3);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 1).frame.ref.offset, ==,
                    g_array_index (w->offsets, goffset, 1) + sizeof custom);
  g_assert_cmpuint (g_array_index (frames, ReadFrame, 2).frame.ref.number, ==, 4);
  g_assert_true (g_bytes_equal (g_array_index (frames, ReadFrame, 2).data, w->packets->pdata[2]));
}

static void
truncate_file (const gchar *path,
               goffset      size)
{
  g_assert_cmpint (truncate (path, size), ==, 0);
}

static void
check_damage (Written     *w,
              guint        expected_frames,
              goffset      expected_offset,
              const gchar *expected_words)
{
  g_autoptr(NtpacCapture) capture = open_one (w->path);
  g_autoptr(GArray) frames = read_all (capture);
  const NtpacInput *input = ntpac_capture_get_input (capture, 0);
  g_autofree gchar *sha = file_sha256 (w->path);

  g_assert_cmpuint (frames->len, ==, expected_frames);
  for (guint i = 0; i < frames->len; i++)
    g_assert_true (g_bytes_equal (g_array_index (frames, ReadFrame, i).data, w->packets->pdata[i]));
  g_assert_nonnull (input->damage);
  g_assert_nonnull (strstr (input->damage, expected_words));
  g_assert_cmpuint (input->damage_offset, ==, expected_offset);
  g_assert_null (input->error);
  g_assert_true (ntpac_capture_has_damage (capture));
  /* The whole file is hashed, damage included. */
  g_assert_cmpstr (input->sha256, ==, sha);
}

static void
test_truncated_inside_record (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 4, T0, 120);
  goffset last = g_array_index (w->offsets, goffset, 3);

  truncate_file (w->path, last + 16 + 10);
  check_damage (w, 3, last, "inside a record");
}

static void
test_truncated_inside_record_header (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_BIG, 4, T0, 120);
  goffset last = g_array_index (w->offsets, goffset, 3);

  truncate_file (w->path, last + 7);
  check_damage (w, 3, last, "inside a record header");
}

static void
test_truncated_pcapng_block (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, 4, T0, 120);
  goffset last = g_array_index (w->offsets, goffset, 3);

  truncate_file (w->path, last + 40);
  check_damage (w, 3, last, "inside a pcapng block");
}

/* Overwrites four bytes of the file. */
static void
poke_u32 (const gchar *path,
          goffset      offset,
          guint32      value)
{
  int fd = g_open (path, O_WRONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, &value, 4, offset), ==, 4);
  close (fd);
}

static void
test_corrupt_record_length (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 4, T0, 120);
  goffset second = g_array_index (w->offsets, goffset, 1);

  g_test_summary ("A record claiming more bytes than a record can hold is corrupt: reading "
                  "stops there, what came before is kept.");
  poke_u32 (w->path, second + 8, GUINT32_TO_LE (0x7fffffff));
  check_damage (w, 1, second, "more than");
}

static void
test_record_over_snaplen (void)
{
  g_autoptr(Written) w = write_capture_snaplen (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE,
                                                6, T0, 120, 200);
  goffset third = g_array_index (w->offsets, goffset, 2);

  g_test_summary ("A record longer than the file's snapshot length is damage, even when "
                  "the file holds that many bytes: reading stops at its header.");
  poke_u32 (w->path, third + 8, GUINT32_TO_LE (250));
  poke_u32 (w->path, third + 12, GUINT32_TO_LE (250));
  check_damage (w, 2, third, "snapshot length (200)");
}

static void
test_record_over_original_length (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_BIG, 6, T0, 120);
  goffset fourth = g_array_index (w->offsets, goffset, 3);
  gsize len = g_bytes_get_size (w->packets->pdata[3]);

  g_test_summary ("A record capturing more bytes than its frame had is damage.");
  poke_u32 (w->path, fourth + 8, GUINT32_TO_BE (len + 20));
  check_damage (w, 3, fourth, "captured bytes of a");
}

static void
test_record_fraction_out_of_range (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 6, T0, 120);
  g_autoptr(Written) ns = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_LITTLE, 6, T0, 120);
  goffset third = g_array_index (w->offsets, goffset, 2);

  g_test_summary ("Microseconds of a million or more in a microsecond file are damage; "
                  "in a nanosecond file they are not.");
  poke_u32 (w->path, third + 4, GUINT32_TO_LE (1000000));
  check_damage (w, 2, third, "fraction of a second");
  poke_u32 (ns->path, g_array_index (ns->offsets, goffset, 2) + 4, GUINT32_TO_LE (1000000));
  {
    g_autoptr(NtpacCapture) capture = open_one (ns->path);
    g_autoptr(GArray) frames = read_all (capture);

    g_assert_cmpuint (frames->len, ==, 6);
    g_assert_false (ntpac_capture_has_damage (capture));
  }
}

static void
test_record_timestamp_jump (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 6, T0, 120);
  g_autoptr(Written) merged = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 6, T0, 120);
  goffset fourth = g_array_index (w->offsets, goffset, 3);
  guint32 sec = (guint32) (T0 / G_GINT64_CONSTANT (1000000000));

  g_test_summary ("A record 30 years away from the one before is damage; the 6 years "
                  "a merged capture may skip are not.");
  poke_u32 (w->path, fourth, GUINT32_TO_LE (sec - 30u * 365 * 24 * 3600));
  check_damage (w, 3, fourth, "days away");
  for (guint i = 3; i < 6; i++)
    poke_u32 (merged->path, g_array_index (merged->offsets, goffset, i),
              GUINT32_TO_LE (sec + 6u * 366 * 24 * 3600));
  {
    g_autoptr(NtpacCapture) capture = open_one (merged->path);
    g_autoptr(GArray) frames = read_all (capture);

    g_assert_cmpuint (frames->len, ==, 6);
    g_assert_false (ntpac_capture_has_damage (capture));
  }
}

static void
test_corrupt_pcapng_trailing_length (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, 4, T0, 120);
  goffset third = g_array_index (w->offsets, goffset, 2);
  goffset fourth = g_array_index (w->offsets, goffset, 3);

  poke_u32 (w->path, fourth - 4, GUINT32_TO_LE (12345));
  check_damage (w, 2, third, "differ");
}

static void
test_pcap_bad_version (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 2, T0, 120);

  poke_u32 (w->path, 4, GUINT32_TO_LE (0x00040001));  /* version 1.4 */
  check_damage (w, 0, 4, "version 1.4");
}

static void
test_unsupported_link_type (void)
{
  g_autofree gchar *path = temp_path ("ppp.pcap");
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;
  const NtpacInput *input;
  static const guint8 junk[32] = { 0 };

  ntpac_test_pcap_writer_add_interface (writer, (NtpacTestLinkType) 9, 65535);
  ntpac_test_pcap_writer_write (writer, 0, T0, junk, sizeof junk, sizeof junk);
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));

  capture = open_one (path);
  frames = read_all (capture);
  input = ntpac_capture_get_input (capture, 0);
  g_assert_cmpuint (frames->len, ==, 0);
  g_assert_error (input->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_LINK_TYPE);
  g_assert_nonnull (strstr (input->error->message, "9 (PPP)"));
  g_assert_nonnull (strstr (input->error->message, path));
  g_assert_true (ntpac_capture_has_errors (capture));
  remove_temp (path);
}

static void
test_unreadable_input_does_not_stop_others (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 3, T0, 100);
  g_autofree gchar *text = temp_path ("notes.txt");
  const gchar *paths[] = { "/nonexistent/evidence.pcap", text, w->path, NULL };
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;
  const NtpacInput *missing = NULL, *not_capture = NULL, *good = NULL;

  g_assert_true (g_file_set_contents (text, "these are not packets\n", -1, NULL));
  capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
  frames = read_all (capture);
  g_assert_cmpuint (ntpac_capture_get_n_inputs (capture), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const NtpacInput *in = ntpac_capture_get_input (capture, i);

      g_assert_cmpuint (in->id, ==, i);
      if (g_str_equal (in->path, paths[0]))
        missing = in;
      else if (g_str_equal (in->path, text))
        not_capture = in;
      else
        good = in;
    }
  g_assert_error (missing->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_OPEN);
  g_assert_nonnull (strstr (missing->error->message, "/nonexistent/evidence.pcap"));
  g_assert_nonnull (strstr (missing->error->message, g_strerror (ENOENT)));
  g_assert_error (not_capture->error, NTPAC_CAPTURE_ERROR, NTPAC_CAPTURE_ERROR_FORMAT);
  g_assert_null (good->error);
  g_assert_cmpuint (good->frames, ==, 3);
  g_assert_cmpuint (frames->len, ==, 3);
  for (guint i = 0; i < frames->len; i++)
    g_assert_cmpuint (g_array_index (frames, ReadFrame, i).frame.ref.input, ==, good->id);
  remove_temp (text);
}

static void
test_files_ordered_by_first_timestamp (void)
{
  g_autoptr(Written) late = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 2, T0 + 5000000000, 100);
  g_autoptr(Written) early = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_BIG, 3, T0, 100);
  const gchar *paths[] = { late->path, early->path, NULL };
  g_autoptr(NtpacCapture) capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
  g_autoptr(GArray) frames = read_all (capture);

  g_assert_cmpstr (ntpac_capture_get_input (capture, 0)->path, ==, early->path);
  g_assert_cmpstr (ntpac_capture_get_input (capture, 1)->path, ==, late->path);
  g_assert_cmpuint (frames->len, ==, 5);
  for (guint i = 0; i < frames->len; i++)
    {
      const NtpacFrame *f = &g_array_index (frames, ReadFrame, i).frame;

      g_assert_cmpuint (f->ref.input, ==, i < 3 ? 0 : 1);
      g_assert_cmpuint (f->ref.number, ==, i < 3 ? i + 1 : i - 2);
      if (i > 0)
        g_assert_cmpint (f->ts_ns, >, g_array_index (frames, ReadFrame, i - 1).frame.ts_ns);
    }
  g_assert_nonnull (ntpac_capture_get_input (capture, 0)->sha256);
  g_assert_nonnull (ntpac_capture_get_input (capture, 1)->sha256);
}

static void
test_folder_found_by_content (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("ntpac-folder-XXXXXX", NULL);
  g_autofree gchar *sub = g_build_filename (dir, "day2", NULL);
  g_autoptr(Written) a = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 2, T0 + 2000000000, 100);
  g_autoptr(Written) b = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, 2, T0, 100);
  g_autoptr(Written) c = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP_NSEC, NTPAC_TEST_BYTE_ORDER_BIG, 2, T0 + 1000000000, 100);
  g_autofree gchar *a_path = g_build_filename (dir, "trace.cap", NULL);
  g_autofree gchar *b_path = g_build_filename (dir, "evidence-no-extension", NULL);
  g_autofree gchar *c_path = g_build_filename (sub, "c.pcapng.bak", NULL);
  g_autofree gchar *readme = g_build_filename (dir, "README.pcap", NULL);
  const gchar *paths[] = { dir, NULL };
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;

  g_test_summary ("A folder contributes the capture files under it, recognised by their "
                  "content whatever their names, ordered by first timestamp.");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (g_rename (a->path, a_path), ==, 0);
  g_assert_cmpint (g_rename (b->path, b_path), ==, 0);
  g_assert_cmpint (g_rename (c->path, c_path), ==, 0);
  g_assert_true (g_file_set_contents (readme, "not a capture despite the name", -1, NULL));

  capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
  frames = read_all (capture);
  g_assert_cmpuint (ntpac_capture_get_n_inputs (capture), ==, 3);
  g_assert_cmpstr (ntpac_capture_get_input (capture, 0)->path, ==, b_path);
  g_assert_cmpstr (ntpac_capture_get_input (capture, 1)->path, ==, c_path);
  g_assert_cmpstr (ntpac_capture_get_input (capture, 2)->path, ==, a_path);
  g_assert_cmpuint (frames->len, ==, 6);
  g_assert_false (ntpac_capture_has_errors (capture));

  /* Renamed back so the fixtures' cleanup finds them. */
  g_rename (a_path, a->path);
  g_rename (b_path, b->path);
  g_rename (c_path, c->path);
  g_unlink (readme);
  g_rmdir (sub);
  g_rmdir (dir);
}

typedef struct
{
  int     fd;
  GBytes *bytes;
} PipeFeed;

/* Writes to the pipe in small pieces, as a capture tool would. */
static gpointer
feed_pipe (gpointer data)
{
  PipeFeed *feed = data;
  gsize size;
  const guint8 *p = g_bytes_get_data (feed->bytes, &size);

  for (gsize done = 0; done < size;)
    {
      gssize n = write (feed->fd, p + done, MIN (size - done, 1000));

      g_assert_cmpint (n, >, 0);
      done += n;
    }
  close (feed->fd);
  return NULL;
}

static void
test_standard_input_pipe (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, 200, T0, 700);
  g_autoptr(Written) other = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 2, T0 - 1000000000, 100);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *sha = file_sha256 (w->path);
  const gchar *paths[] = { "-", other->path, NULL };
  PipeFeed feed;
  int fds[2], saved_stdin;
  GThread *writer;
  gsize size;

  g_test_summary ("“-” reads standard input (a pipe, filled slowly), hashed and ordered "
                  "by its first timestamp among the other inputs.");
  g_assert_true (g_file_get_contents (w->path, &contents, &size, NULL));
  g_assert_cmpint (pipe (fds), ==, 0);
  saved_stdin = dup (STDIN_FILENO);
  g_assert_cmpint (dup2 (fds[0], STDIN_FILENO), ==, STDIN_FILENO);
  close (fds[0]);
  feed.fd = fds[1];
  feed.bytes = g_bytes_new (contents, size);
  writer = g_thread_new ("feed", feed_pipe, &feed);
  {
    g_autoptr(NtpacCapture) capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NONE);
    g_autoptr(GArray) frames = read_all (capture);
    const NtpacInput *in = ntpac_capture_get_input (capture, 1);

    g_assert_cmpstr (ntpac_capture_get_input (capture, 0)->path, ==, other->path);
    g_assert_cmpstr (in->path, ==, "-");
    g_assert_cmpuint (in->frames, ==, 200);
    g_assert_cmpuint (in->size, ==, size);
    g_assert_cmpstr (in->sha256, ==, sha);
    g_assert_cmpuint (frames->len, ==, 202);
    for (guint i = 0; i < 200; i++)
      {
        ReadFrame *r = &g_array_index (frames, ReadFrame, i + 2);

        g_assert_cmpuint (r->frame.ref.offset, ==, g_array_index (w->offsets, goffset, i));
        g_assert_true (g_bytes_equal (r->data, w->packets->pdata[i]));
      }
  }
  g_thread_join (writer);
  g_bytes_unref (feed.bytes);
  dup2 (saved_stdin, STDIN_FILENO);
  close (saved_stdin);
}

static void
test_records_across_read_chunks (void)
{
  /* 40000 records of 300 to 1800 bytes: about 40 MB, so records straddle
   * the reader's 4 MiB chunks many times. */
  g_autofree gchar *path = temp_path ("big.pcap");
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(NtpacCapture) capture = NULL;
  g_autofree gchar *sha = NULL;
  guint8 *frame_data = g_malloc (2000);
  NtpacFrame frame;
  guint n = 0;

  ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_ETHERNET, 65535);
  for (guint i = 0; i < 40000; i++)
    {
      guint len = 300 + (i * 7919) % 1500;
      goffset offset;

      memset (frame_data, i & 0xff, len);
      memcpy (frame_data, &i, sizeof i);
      offset = ntpac_test_pcap_writer_write (writer, 0, T0 + i, frame_data, len, len);
      g_array_append_val (offsets, offset);
    }
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));
  sha = file_sha256 (path);

  capture = open_one (path);
  while (ntpac_capture_next (capture, &frame))
    {
      guint id;

      memcpy (&id, frame.data, sizeof id);
      g_assert_cmpuint (id, ==, n);
      g_assert_cmpuint (frame.caplen, ==, 300 + (n * 7919) % 1500);
      g_assert_cmpuint (frame.data[frame.caplen - 1], ==, n & 0xff);
      g_assert_cmpuint (frame.ref.offset, ==, g_array_index (offsets, goffset, n));
      n++;
    }
  ntpac_capture_wait_hashes (capture);
  g_assert_cmpuint (n, ==, 40000);
  g_assert_cmpstr (ntpac_capture_get_input (capture, 0)->sha256, ==, sha);
  g_free (frame_data);
  remove_temp (path);
}

static void
test_pcapng_block_larger_than_a_chunk (void)
{
  g_autofree gchar *path = temp_path ("jumbo.pcapng");
  g_autoptr(GError) error = NULL;
  g_autoptr(NtpacTestPcapWriter) writer =
    ntpac_test_pcap_writer_new_file (path, NTPAC_TEST_PCAP_FORMAT_PCAPNG, NTPAC_TEST_BYTE_ORDER_LITTLE, &error);
  g_autoptr(NtpacCapture) capture = NULL;
  g_autoptr(GArray) frames = NULL;
  gsize big = 6 * 1024 * 1024;
  g_autofree guint8 *data = g_malloc (big);

  for (gsize i = 0; i < big; i++)
    data[i] = (guint8) (i * 31);
  ntpac_test_pcap_writer_add_interface (writer, NTPAC_TEST_LINKTYPE_ETHERNET, 0);
  ntpac_test_pcap_writer_write (writer, 0, T0, data, 100, 100);
  ntpac_test_pcap_writer_write (writer, 0, T0 + 1, data, big, big);
  ntpac_test_pcap_writer_write (writer, 0, T0 + 2, data + 5, 100, 100);
  g_assert_true (ntpac_test_pcap_writer_close (writer, &error));

  capture = open_one (path);
  frames = read_all (capture);
  g_assert_cmpuint (frames->len, ==, 3);
  g_assert_cmpuint (g_bytes_get_size (g_array_index (frames, ReadFrame, 1).data), ==, big);
  g_assert_cmpmem (g_bytes_get_data (g_array_index (frames, ReadFrame, 1).data, NULL), big, data, big);
  g_assert_cmpmem (g_bytes_get_data (g_array_index (frames, ReadFrame, 2).data, NULL), 100, data + 5, 100);
  remove_temp (path);
}

static void
test_no_hash_flag (void)
{
  g_autoptr(Written) w = write_capture (NTPAC_TEST_PCAP_FORMAT_PCAP, NTPAC_TEST_BYTE_ORDER_LITTLE, 3, T0, 100);
  const gchar *paths[] = { w->path, NULL };
  g_autoptr(NtpacCapture) capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NO_HASH);
  g_autoptr(GArray) frames = read_all (capture);

  g_assert_cmpuint (frames->len, ==, 3);
  g_assert_null (ntpac_capture_get_input (capture, 0)->sha256);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/capture/pcap/microseconds-little-endian", test_pcap_microseconds_little_endian);
  g_test_add_func ("/capture/pcap/microseconds-big-endian", test_pcap_microseconds_big_endian);
  g_test_add_func ("/capture/pcap/nanoseconds", test_pcap_nanoseconds_both_orders);
  g_test_add_func ("/capture/pcapng/both-byte-orders", test_pcapng_both_orders);
  g_test_add_func ("/capture/pcapng/interfaces-of-different-link-types", test_pcapng_interfaces_of_different_link_types);
  g_test_add_func ("/capture/pcapng/custom-block-numbered", test_pcapng_custom_block_numbered_like_wireshark);
  g_test_add_func ("/capture/damage/truncated-record", test_truncated_inside_record);
  g_test_add_func ("/capture/damage/truncated-record-header", test_truncated_inside_record_header);
  g_test_add_func ("/capture/damage/truncated-pcapng-block", test_truncated_pcapng_block);
  g_test_add_func ("/capture/damage/record-length", test_corrupt_record_length);
  g_test_add_func ("/capture/damage/record-over-snaplen", test_record_over_snaplen);
  g_test_add_func ("/capture/damage/record-over-original-length", test_record_over_original_length);
  g_test_add_func ("/capture/damage/record-fraction", test_record_fraction_out_of_range);
  g_test_add_func ("/capture/damage/record-timestamp-jump", test_record_timestamp_jump);
  g_test_add_func ("/capture/damage/pcapng-trailing-length", test_corrupt_pcapng_trailing_length);
  g_test_add_func ("/capture/damage/pcap-version", test_pcap_bad_version);
  g_test_add_func ("/capture/errors/unsupported-link-type", test_unsupported_link_type);
  g_test_add_func ("/capture/errors/unreadable-input", test_unreadable_input_does_not_stop_others);
  g_test_add_func ("/capture/inputs/ordered-by-first-timestamp", test_files_ordered_by_first_timestamp);
  g_test_add_func ("/capture/inputs/folder", test_folder_found_by_content);
  g_test_add_func ("/capture/inputs/standard-input", test_standard_input_pipe);
  g_test_add_func ("/capture/chunks/records-across-chunks", test_records_across_read_chunks);
  g_test_add_func ("/capture/chunks/block-larger-than-chunk", test_pcapng_block_larger_than_a_chunk);
  g_test_add_func ("/capture/hash/disabled", test_no_hash_flag);
  return g_test_run ();
}
