/* test-dissect-stage.c: what the core promises every dissector
 *
 * A dissector made here ("tlv": a 4-byte magic "TLV1" opens the stream,
 * then messages of a 2-byte big-endian length and that many bytes)
 * reports what it is offered, so the tests can check the stage's side of
 * the contract: probes see all the first bytes a direction sent, bytes are
 * offered in order from the start of the stream, a gap says how many bytes
 * the dissector never saw, and objects are hashed and kept.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <ntpac/ntpac.h>

#define TEST_TYPE_TLV_DISSECTOR (test_tlv_dissector_get_type ())
G_DECLARE_FINAL_TYPE (TestTlvDissector, test_tlv_dissector, TEST, TLV_DISSECTOR, NtpacDissector)

struct _TestTlvDissector
{
  NtpacDissector parent_instance;
};

typedef struct
{
  gboolean     magic_seen[2];
  GString     *log;            /* "m:LEN" per message, "g:N" per gap */
  NtpacObject *object;         /* message bodies of the client, as one object */
} TlvState;

G_DEFINE_FINAL_TYPE (TestTlvDissector, test_tlv_dissector, NTPAC_TYPE_DISSECTOR)

static gboolean
tlv_probe (NtpacDissector    *self,
           NtpacDissectInput  input,
           NtpacDirection     direction,
           const guint8      *data,
           gsize              len,
           gboolean           port_hint)
{
  return len >= 4 && memcmp (data, "TLV1", 4) == 0;
}

static gpointer
tlv_start (NtpacDissector      *self,
           NtpacDissectContext *ctx)
{
  TlvState *state = g_new0 (TlvState, 1);

  state->log = g_string_new (NULL);
  state->object = ntpac_dissect_context_object_new (ctx, "tlv");
  return state;
}

static NtpacDissectResult
tlv_dissect (NtpacDissector      *self,
             NtpacDissectContext *ctx,
             gpointer             data,
             NtpacDirection       direction,
             NtpacCursor         *cursor)
{
  TlvState *state = data;
  guint16 len;
  const guint8 *body;

  if (!state->magic_seen[direction])
    {
      if (!ntpac_cursor_skip (cursor, 4))
        return ntpac_cursor_result (cursor);
      state->magic_seen[direction] = TRUE;
      return NTPAC_DISSECT_OK (4);
    }
  if (!ntpac_cursor_get_u16_be (cursor, &len) || !ntpac_cursor_get_bytes (cursor, len, &body))
    return ntpac_cursor_result (cursor);
  /* an empty message hands the rest of the stream over */
  if (len == 0)
    ntpac_dissect_context_release (ctx);
  g_string_append_printf (state->log, "%c%u ", direction == NTPAC_DIRECTION_UP ? 'u' : 'd', len);
  if (direction == NTPAC_DIRECTION_UP)
    ntpac_object_write (state->object, body, len);
  return NTPAC_DISSECT_OK (cursor->pos);
}

static void
tlv_gap (NtpacDissector      *self,
         NtpacDissectContext *ctx,
         gpointer             data,
         NtpacDirection       direction,
         guint64              missing)
{
  TlvState *state = data;

  g_string_append_printf (state->log, "g%" G_GUINT64_FORMAT " ", missing);
  if (direction == NTPAC_DIRECTION_UP)
    ntpac_object_add_missing (state->object, missing);
}

static void
tlv_end (NtpacDissector      *self,
         NtpacDissectContext *ctx,
         gpointer             data)
{
  TlvState *state = data;
  GVariantBuilder b;
  g_autofree gchar *sha256 = NULL;

  sha256 = ntpac_dissect_context_object_finish (ctx, state->object, "application/x-tlv", TRUE, NULL);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "log", g_variant_new_string (state->log->str));
  g_variant_builder_add (&b, "{sv}", "sha256", g_variant_new_string (sha256));
  ntpac_dissect_context_emit (ctx, "tlv", g_variant_builder_end (&b), NULL, NULL);
  g_string_free (state->log, TRUE);
  g_free (state);
}

static void
test_tlv_dissector_class_init (TestTlvDissectorClass *klass)
{
  NtpacDissectorClass *dc = NTPAC_DISSECTOR_CLASS (klass);

  ntpac_dissector_class_set_metadata (dc, "tlv", "Length-prefixed test messages");
  ntpac_dissector_class_add_input (dc, NTPAC_DISSECT_INPUT_TCP_STREAM, "7000");
  ntpac_dissector_class_add_output (dc, "tlv", "What the dissector was offered");
  ntpac_dissector_class_add_output (dc, "objects", "Client message bodies");
  dc->probe = tlv_probe;
  dc->conversation_start = tlv_start;
  dc->dissect = tlv_dissect;
  dc->gap = tlv_gap;
  dc->conversation_end = tlv_end;
}

static void
test_tlv_dissector_init (TestTlvDissector *self)
{
}

static NtpacHarness *
tlv_harness (guint16 port)
{
  g_autoptr(NtpacDissector) d = g_object_new (TEST_TYPE_TLV_DISSECTOR, NULL);

  return ntpac_harness_new (d, NTPAC_DISSECT_INPUT_TCP_STREAM, 40000, port);
}

static const gchar *
only_log (NtpacHarness *h)
{
  g_autoptr(GPtrArray) records = ntpac_harness_get_records (h, "tlv");
  const gchar *log = NULL;

  g_assert_cmpuint (records->len, ==, 1);
  g_assert_true (g_variant_lookup (records->pdata[0], "log", "&s", &log));
  return log;   /* owned by the harness's copy of the record */
}

static void
test_probe_sees_first_bytes (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);

  g_test_summary ("A direction whose first segments are too short for the probe "
                  "(here 1 and 2 bytes of the magic) is still identified on an "
                  "unhinted port, and the dissector reads from the stream's start.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "T", 1);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "LV", 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "1\x00\x03" "abc", 6);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tlv");
  g_assert_cmpstr (only_log (h), ==, "u3 ");
}

static void
test_large_first_segment (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);
  g_autoptr(GByteArray) pdu = g_byte_array_new ();
  guint8 message[2 + 30000] = { 30000 >> 8, 30000 & 0xff };

  g_test_summary ("A first PDU far larger than a probe needs (a big POST) is "
                  "identified from its start and read whole.");
  g_byte_array_append (pdu, (const guint8 *) "TLV1", 4);
  g_byte_array_append (pdu, message, sizeof message);
  g_byte_array_append (pdu, message, sizeof message);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, pdu->data, pdu->len);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tlv");
  g_assert_cmpstr (only_log (h), ==, "u30000 u30000 ");
}

static void
test_starts_after_gap (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);

  g_test_summary ("A conversation whose first PDU starts with lost bytes (caught "
                  "mid-stream) is identified from the bytes after the gap.");
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_UP, NULL, 0, 244, "TLV1\x00\x01" "a", 7);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tlv");
  g_assert_cmpstr (only_log (h), ==, "u1 ");
}

static void
test_both_sides_before_identified (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);

  g_test_summary ("Bytes the other side sent before the conversation was identified "
                  "are read too, the side that spoke first first.");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "TL", 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TL", 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "V1\x00\x01z", 5);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "V1\x00\x02xy", 6);
  ntpac_harness_end (h);
  g_assert_cmpstr (only_log (h), ==, "d1 u2 ");
}

static void
test_protocol_starts_later (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);

  g_test_summary ("A stream that talks plain text before it upgrades (as SMTP does "
                  "before STARTTLS) is identified where the protocol starts; the "
                  "text of both sides before it is not given to the dissector.");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "220 mail.example.org ESMTP ready to serve you today\r\n", 53);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "EHLO client.example.org\r\n", 25);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "250 STARTTLS\r\n", 14);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "STARTTLS\r\n", 10);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "220 go ahead\r\n", 14);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TLV1\x00\x02hi", 8);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "TLV1\x00\x03" "abc", 9);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tlv");
  g_assert_cmpstr (only_log (h), ==, "u2 d3 ");
}

static void
test_upgrade_after_header_block (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (40001);
  static const gchar upgrade[] = "GNUTELLA/0.6 200 OK\r\nUpgrade: TLV\r\n\r\nTLV1\x00\x01" "a";

  g_test_summary ("A text header block that upgrades the stream, with the new "
                  "protocol's first bytes after its blank line in the same "
                  "segment: the protocol is found there.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, upgrade, sizeof upgrade - 1);
  ntpac_harness_end (h);
  g_assert_cmpstr (ntpac_harness_get_protocol (h), ==, "tlv");
  g_assert_cmpstr (only_log (h), ==, "u1 ");
}

static void
test_release (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (7000);
  g_autoptr(GPtrArray) records = NULL;
  const gchar *log = NULL;

  g_test_summary ("A dissector that gives the rest of the stream up (HTTP after "
                  "CONNECT) is ended there, and the bytes it did not consume are "
                  "identified again, in the same segment and after.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TLV1\x00\x01" "a\x00\x00" "TLV1\x00\x02" "bc", 17);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "\x00\x01" "d", 3);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "tlv");
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_true (g_variant_lookup (records->pdata[0], "log", "&s", &log));
  g_assert_cmpstr (log, ==, "u1 u0 ");
  g_assert_true (g_variant_lookup (records->pdata[1], "log", "&s", &log));
  g_assert_cmpstr (log, ==, "u2 u1 ");
}

static void
test_release_to_nothing (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (7000);
  g_autoptr(GPtrArray) records = NULL;

  g_test_summary ("A dissector releases the stream and no dissector takes what "
                  "follows, while the other side and later gaps still come: "
                  "nothing is read further, and nothing breaks (found by fuzzing).");
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "TL", 2);
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TLV1\x00\x00" "XYZW", 10);
  ntpac_harness_push (h, NTPAC_DIRECTION_DOWN, "V1\x00\x01" "z", 5);
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_UP, "more", 4, 10, "after", 5);
  ntpac_harness_end (h);
  records = ntpac_harness_get_records (h, "tlv");
  g_assert_cmpuint (records->len, ==, 1);
}

static void
test_gap_counts_unseen_bytes (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (7000);
  g_autoptr(GPtrArray) objects = NULL;

  g_test_summary ("A message waits for its bytes (10 announced, 3 held); a gap of 5 "
                  "then costs the dissector 5 bytes plus the ones it was never offered.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TLV1\x00\x0a" "a", 7);  /* offered: needs 12 */
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "bc", 2);                /* held, not offered */
  ntpac_harness_push_gap (h, NTPAC_DIRECTION_UP, NULL, 0, 5, "\x00\x01q", 3);
  ntpac_harness_end (h);
  /* offered and not consumed: the length and "a" (3 bytes, dropped per
   * contract); never offered: "bc" (2), added to the 5 lost */
  g_assert_cmpstr (only_log (h), ==, "g7 u1 ");
  objects = ntpac_harness_get_records (h, "objects");
  g_assert_cmpuint (objects->len, ==, 1);
}

static void
test_object_content (void)
{
  g_autoptr(NtpacHarness) h = tlv_harness (7000);
  g_autoptr(GPtrArray) objects = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree gchar *expected = NULL;
  const gchar *sha256 = NULL;
  guint64 size = 0;
  gboolean complete = FALSE;
  guint8 message[2 + 60000];

  g_test_summary ("An object written in pieces, larger than the chunk the core holds "
                  "(1 MiB), is kept whole and named by the SHA-256 of its bytes.");
  ntpac_harness_push (h, NTPAC_DIRECTION_UP, "TLV1", 4);
  for (guint i = 0; i < 40; i++)
    {
      message[0] = 60000 >> 8;
      message[1] = 60000 & 0xff;
      for (guint j = 0; j < 60000; j++)
        message[2 + j] = (guint8) (i * 7 + j * 13);
      g_byte_array_append (body, message + 2, 60000);
      ntpac_harness_push (h, NTPAC_DIRECTION_UP, message, sizeof message);
    }
  ntpac_harness_end (h);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, body->data, body->len);
  objects = ntpac_harness_get_records (h, "objects");
  g_assert_cmpuint (objects->len, ==, 1);
  g_assert_true (g_variant_lookup (objects->pdata[0], "sha256", "&s", &sha256));
  g_assert_cmpstr (sha256, ==, expected);
  g_assert_true (g_variant_lookup (objects->pdata[0], "size", "t", &size));
  g_assert_cmpuint (size, ==, body->len);
  g_assert_true (g_variant_lookup (objects->pdata[0], "complete", "b", &complete));
  g_assert_true (complete);
  content = ntpac_harness_get_object (h, expected);
  g_assert_nonnull (content);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), body->data, body->len);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dissect-stage/probe-sees-first-bytes", test_probe_sees_first_bytes);
  g_test_add_func ("/dissect-stage/large-first-segment", test_large_first_segment);
  g_test_add_func ("/dissect-stage/starts-after-gap", test_starts_after_gap);
  g_test_add_func ("/dissect-stage/both-sides-before-identified", test_both_sides_before_identified);
  g_test_add_func ("/dissect-stage/protocol-starts-later", test_protocol_starts_later);
  g_test_add_func ("/dissect-stage/upgrade-after-header-block", test_upgrade_after_header_block);
  g_test_add_func ("/dissect-stage/release", test_release);
  g_test_add_func ("/dissect-stage/release-to-nothing", test_release_to_nothing);
  g_test_add_func ("/dissect-stage/gap-counts-unseen-bytes", test_gap_counts_unseen_bytes);
  g_test_add_func ("/dissect-stage/object-content", test_object_content);
  return g_test_run ();
}
