/* test-wire.c: the messages between a cluster's balancer and reassemblers
 *
 * Frames and inputs written by the balancer's writer come back the same
 * from the reassembler's reader; every cut, every damaged length and
 * every field out of range is refused with an error, never read past.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ntpac-wire-private.h"

static const guint8 frame_a[] = { 0x45, 0x00, 0x00, 0x1c, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
static const guint8 frame_b[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08 };

static GBytes *
frames_message (void)
{
  NtpacFrame a = { { 2, 0, 41, 123456789 }, G_GINT64_CONSTANT (1709251200123456789), sizeof frame_a, 1514, 1, 3,
                   frame_a };
  NtpacFrame b = { { 0, 0, 1, 24 }, -5, sizeof frame_b, sizeof frame_b, 229, 0, frame_b };
  NtpacWireWriter w;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_FRAMES, 2, 3, 17, 0);
  ntpac_wire_writer_add_frame (&w, &a);
  ntpac_wire_writer_add_frame (&w, &b);
  return ntpac_wire_writer_finish (&w);
}

static void
test_frames_roundtrip (void)
{
  g_autoptr(GBytes) message = frames_message ();
  g_autoptr(GError) error = NULL;
  NtpacWireMessage m;
  NtpacWireReader r;
  NtpacFrame f;

  g_assert_true (ntpac_wire_parse (g_bytes_get_data (message, NULL), g_bytes_get_size (message), &m, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m.type, ==, NTPAC_WIRE_FRAMES);
  g_assert_cmpuint (m.shard, ==, 2);
  g_assert_cmpuint (m.n_shards, ==, 3);
  g_assert_cmpuint (m.seq, ==, 17);
  g_assert_cmpuint (m.count, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (message), ==,
                    NTPAC_WIRE_HEADER_SIZE + 2 * NTPAC_WIRE_FRAME_HEADER_SIZE + sizeof frame_a + sizeof frame_b);
  ntpac_wire_reader_init (&r, &m);

  g_assert_true (ntpac_wire_reader_next_frame (&r, &f, &error));
  g_assert_cmpuint (f.ref.input, ==, 2);
  g_assert_cmpuint (f.ref.number, ==, 41);
  g_assert_cmpuint (f.ref.offset, ==, 123456789);
  g_assert_cmpint (f.ts_ns, ==, G_GINT64_CONSTANT (1709251200123456789));
  g_assert_cmpuint (f.caplen, ==, sizeof frame_a);
  g_assert_cmpuint (f.origlen, ==, 1514);
  g_assert_cmpuint (f.linktype, ==, 1);
  g_assert_cmpuint (f.interface, ==, 3);
  g_assert_cmpmem (f.data, f.caplen, frame_a, sizeof frame_a);

  g_assert_true (ntpac_wire_reader_next_frame (&r, &f, &error));
  g_assert_cmpint (f.ts_ns, ==, -5);
  g_assert_cmpuint (f.linktype, ==, 229);
  g_assert_cmpmem (f.data, f.caplen, frame_b, sizeof frame_b);

  g_assert_false (ntpac_wire_reader_next_frame (&r, &f, &error));
  g_assert_no_error (error);
  g_assert_true (ntpac_wire_reader_is_done (&r));
}

static void
test_inputs_roundtrip (void)
{
  NtpacInput in = { 0 }, out;
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  NtpacWireMessage m;
  NtpacWireReader r;

  in.id = 0;
  in.path = (gchar *) "/cases/7/day1.pcapng";
  in.size = 5000000000;
  in.sha256 = (gchar *) "9a80a977f4d4ae7105c6ec9c1b911601ecaaf3b1770a4c5c4ee8fa09610faa19";
  in.format = NTPAC_CAPTURE_FORMAT_PCAPNG;
  in.first_ts_ns = 1;
  in.last_ts_ns = 2;
  in.frames = 77;
  in.n_link_types = 2;
  in.link_types[0] = 1;
  in.link_types[1] = 127;
  in.damage = (gchar *) "record longer than the file";
  in.damage_offset = 4242;
  in.error = g_error_new_literal (NTPAC_WIRE_ERROR, 1, "cannot open");
  ntpac_wire_writer_init (&w, NTPAC_WIRE_END, 0, 1, 0, NTPAC_WIRE_FLAG_INTERRUPTED);
  ntpac_wire_writer_add_input (&w, &in);
  message = ntpac_wire_writer_finish (&w);
  g_clear_error (&in.error);

  g_assert_true (ntpac_wire_parse (g_bytes_get_data (message, NULL), g_bytes_get_size (message), &m, &error));
  g_assert_cmpuint (m.flags, ==, NTPAC_WIRE_FLAG_INTERRUPTED);
  ntpac_wire_reader_init (&r, &m);
  g_assert_true (ntpac_wire_reader_next_input (&r, &out, &error));
  g_assert_cmpstr (out.path, ==, in.path);
  g_assert_cmpstr (out.sha256, ==, in.sha256);
  g_assert_cmpuint (out.size, ==, in.size);
  g_assert_cmpuint (out.format, ==, NTPAC_CAPTURE_FORMAT_PCAPNG);
  g_assert_cmpuint (out.frames, ==, 77);
  g_assert_cmpuint (out.n_link_types, ==, 2);
  g_assert_cmpuint (out.link_types[1], ==, 127);
  g_assert_cmpstr (out.damage, ==, in.damage);
  g_assert_cmpuint (out.damage_offset, ==, 4242);
  g_assert_null (out.warning);
  g_assert_nonnull (out.error);
  g_assert_cmpstr (out.error->message, ==, "cannot open");
  ntpac_wire_input_clear (&out);
  g_assert_false (ntpac_wire_reader_next_input (&r, &out, &error));
  g_assert_no_error (error);
}

/* Reads what a reassembler would of @data; returns whether all of it was
 * accepted. */
static gboolean
read_all (const guint8 *data,
          gsize         len,
          GError      **error)
{
  NtpacWireMessage m;
  NtpacWireReader r;
  NtpacFrame f;

  if (!ntpac_wire_parse (data, len, &m, error))
    return FALSE;
  ntpac_wire_reader_init (&r, &m);
  while (ntpac_wire_reader_next_frame (&r, &f, error))
    g_assert_true (f.data >= data && f.data + f.caplen <= data + len);
  return *error == NULL;
}

static void
test_damage_refused (void)
{
  g_autoptr(GBytes) message = frames_message ();
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);
  g_autofree guint8 *copy = NULL;

  g_test_summary ("Every cut of a batch, and every length or field made wrong, is an error; "
                  "a copy of exactly the bytes cut lets AddressSanitizer see any read past them");
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *part = g_memdup2 (data, cut);
      g_autoptr(GError) error = NULL;

      g_assert_false (read_all (part, cut, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "Malformed message"));
    }

  copy = g_memdup2 (data, len);
  {
    g_autoptr(GError) error = NULL;

    copy[4] = 9;   /* version 9 */
    g_assert_false (read_all (copy, len, &error));
    g_assert_nonnull (strstr (error->message, "version 9"));
    copy[4] = 1;
  }
  {
    g_autoptr(GError) error = NULL;

    copy[6] = 99;  /* an unknown type */
    g_assert_false (read_all (copy, len, &error));
    copy[6] = NTPAC_WIRE_FRAMES;
  }
  {
    g_autoptr(GError) error = NULL;

    copy[24] = 3;  /* one frame more than there are */
    g_assert_false (read_all (copy, len, &error));
    copy[24] = 2;
  }
  {
    g_autoptr(GError) error = NULL;
    gsize caplen_at = NTPAC_WIRE_HEADER_SIZE + 32;

    copy[caplen_at + 3] = 0x7f;  /* a frame longer than the message */
    g_assert_false (read_all (copy, len, &error));
    copy[caplen_at + 3] = 0;
  }
  {
    g_autoptr(GError) error = NULL;
    gsize origlen_at = NTPAC_WIRE_HEADER_SIZE + 36;

    memset (copy + origlen_at, 0, 4);  /* captured longer than on the wire */
    g_assert_false (read_all (copy, len, &error));
    g_assert_nonnull (strstr (error->message, "longer than it was on the wire"));
  }
  {
    g_autoptr(GByteArray) longer = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_byte_array_append (longer, data, len);
    g_byte_array_append (longer, (const guint8 *) "xx", 2);  /* bytes after the last frame */
    g_assert_false (read_all (longer->data, longer->len, &error));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *huge = g_memdup2 (data, len);

    huge[24] = 0xff;
    huge[25] = 0xff;  /* more frames than a batch may hold */
    g_assert_false (read_all (huge, len, &error));
    g_assert_nonnull (strstr (error->message, "too many frames"));
  }
}

static void
test_strings_bounded (void)
{
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = NULL;
  NtpacWireMessage m;
  NtpacWireReader r;
  guint8 *bytes;
  gsize len;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_DONE, 0, 1, 0, 0);
  ntpac_wire_writer_add_string (&w, "stored");
  ntpac_wire_writer_add_string (&w, NULL);
  message = ntpac_wire_writer_finish (&w);
  len = g_bytes_get_size (message);
  bytes = g_memdup2 (g_bytes_get_data (message, NULL), len);
  g_assert_true (ntpac_wire_parse (bytes, len, &m, &error));
  ntpac_wire_reader_init (&r, &m);
  g_assert_true (ntpac_wire_reader_string (&r, &text, &error));
  g_assert_cmpstr (text, ==, "stored");
  g_clear_pointer (&text, g_free);
  g_assert_true (ntpac_wire_reader_string (&r, &text, &error));
  g_assert_null (text);   /* no value, not the empty string */

  /* a NUL inside a string, and a length beyond the message */
  bytes[NTPAC_WIRE_HEADER_SIZE + 4 + 2] = '\0';
  ntpac_wire_reader_init (&r, &m);
  g_assert_false (ntpac_wire_reader_string (&r, &text, &error));
  g_assert_nonnull (strstr (error->message, "NUL"));
  g_clear_error (&error);
  bytes[NTPAC_WIRE_HEADER_SIZE] = 200;
  ntpac_wire_reader_init (&r, &m);
  g_assert_false (ntpac_wire_reader_string (&r, &text, &error));
  g_assert_null (text);
  g_free (bytes);
}

static void
test_input_without_path (void)
{
  NtpacInput in = { 0 }, out;
  NtpacWireWriter w;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  NtpacWireMessage m;
  NtpacWireReader r;

  g_test_summary ("An input record without a path is refused, and what was read of it "
                  "is freed (LeakSanitizer checks it in the sanitizer build)");
  in.error = g_error_new_literal (NTPAC_WIRE_ERROR, 1, "");
  ntpac_wire_writer_init (&w, NTPAC_WIRE_INPUTS, 0, 1, 0, 0);
  ntpac_wire_writer_add_input (&w, &in);
  message = ntpac_wire_writer_finish (&w);
  g_clear_error (&in.error);
  g_assert_true (ntpac_wire_parse (g_bytes_get_data (message, NULL), g_bytes_get_size (message), &m, &error));
  ntpac_wire_reader_init (&r, &m);
  g_assert_false (ntpac_wire_reader_next_input (&r, &out, &error));
  g_assert_nonnull (strstr (error->message, "without a path"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/frames-roundtrip", test_frames_roundtrip);
  g_test_add_func ("/wire/inputs-roundtrip", test_inputs_roundtrip);
  g_test_add_func ("/wire/damage-refused", test_damage_refused);
  g_test_add_func ("/wire/strings-bounded", test_strings_bounded);
  g_test_add_func ("/wire/input-without-path", test_input_without_path);
  return g_test_run ();
}
