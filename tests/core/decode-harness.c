/* decode-harness.c: one decoder, its anomalies and the last packet, for the
 * decoder and reassembly tests
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "decode-harness.h"

static void
record_anomaly (const NtpacAnomaly *anomaly,
                gpointer            user_data)
{
  DecodeHarness *h = user_data;

  g_assert_cmpint (anomaly->kind, >=, 0);
  g_assert_cmpint (anomaly->kind, <, NTPAC_ANOMALY_N_CORE_KINDS);
  g_array_append_val (h->anomalies, *anomaly);
}

void
decode_harness_init (DecodeHarness            *h,
                     const NtpacDecoderConfig *config)
{
  memset (h, 0, sizeof *h);
  h->decoder = ntpac_decoder_new (config);
  h->anomalies = g_array_new (FALSE, FALSE, sizeof (NtpacAnomaly));
  h->next_number = 1;
  ntpac_decoder_set_anomaly_func (h->decoder, record_anomaly, h);
}

static void
release_packet (DecodeHarness *h)
{
  if (h->have_packet)
    ntpac_packet_clear (&h->packet);
  h->have_packet = FALSE;
  g_clear_pointer (&h->data, g_free);
}

void
decode_harness_clear (DecodeHarness *h)
{
  release_packet (h);
  g_clear_pointer (&h->decoder, ntpac_decoder_free);
  g_clear_pointer (&h->anomalies, g_array_unref);
}

static void
set_mark (DecodeHarness *h)
{
  const NtpacDecodeStats *stats = ntpac_decoder_get_stats (h->decoder);

  h->mark = h->anomalies->len;
  memcpy (h->stats_mark, stats->anomalies, sizeof h->stats_mark);
}

/* Decodes @caplen bytes of @data as a frame of @origlen bytes on the wire.
 * Returns what ntpac_decoder_decode() returned. */
gboolean
decode_harness_decode (DecodeHarness *h,
                       const guint8  *data,
                       gsize          caplen,
                       gsize          origlen,
                       guint32        linktype,
                       gint64         ts_ns)
{
  gboolean usable;

  release_packet (h);
  set_mark (h);

  /* An exact copy: nothing readable lies past the captured bytes. */
  h->data = g_malloc (MAX (caplen, 1));
  if (caplen > 0)
    memcpy (h->data, data, caplen);

  memset (&h->frame, 0, sizeof h->frame);
  h->frame.ref.number = h->next_number++;
  h->frame.ref.offset = 24 + 16 * h->frame.ref.number;
  h->frame.ts_ns = ts_ns;
  h->frame.caplen = caplen;
  h->frame.origlen = origlen;
  h->frame.linktype = linktype;
  h->frame.data = h->data;

  memset (&h->packet, 0xa5, sizeof h->packet);  /* every field must be set */
  usable = ntpac_decoder_decode (h->decoder, &h->frame, &h->packet);
  h->have_packet = TRUE;

  g_assert_true (h->packet.frame == &h->frame);
  g_assert_cmpuint (h->packet.n_layers, <=, NTPAC_MAX_LAYERS);
  g_assert_cmpuint (h->packet.net, <, NTPAC_NET_N_KINDS);
  g_assert_cmpuint (h->packet.transport, <, NTPAC_TRANSPORT_N_KINDS);
  g_assert_cmpuint (h->packet.payload_len, <=, h->packet.payload_reported);
  if (h->packet.payload_len > 0)
    {
      /* The payload lies in the frame or in the reassembled datagram. */
      const guint8 *start = h->data;
      gsize len = caplen;

      if (h->packet.reassembled != NULL)
        start = ntpac_buffer_get_data (h->packet.reassembled, &len);
      g_assert_true (h->packet.payload >= start);
      g_assert_cmpuint (h->packet.payload - start + h->packet.payload_len, <=,
                        len);
    }
  return usable;
}

/* Decodes the whole of @frame, with a timestamp of one microsecond per
 * frame number. */
gboolean
decode_harness_decode_packet (DecodeHarness         *h,
                              const NtpacTestPacket *frame,
                              guint32                linktype)
{
  gsize len;
  const guint8 *data = ntpac_test_packet_get_data (frame, &len);

  return decode_harness_decode (h, data, len, len, linktype,
                                (gint64) h->next_number * 1000);
}

void
decode_harness_finish (DecodeHarness *h)
{
  set_mark (h);
  ntpac_decoder_finish (h->decoder);
}

/* How many anomalies of @kind the decoder counted since it was made. */
guint64
decode_harness_count (DecodeHarness    *h,
                      NtpacAnomalyKind  kind)
{
  return ntpac_decoder_get_stats (h->decoder)->anomalies[kind];
}

static gchar *
format_counts (const guint64 *counts)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    for (guint64 i = 0; i < counts[k]; i++)
      g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "",
                              ntpac_anomaly_kind_to_id ((NtpacAnomalyKind) k));
  return g_string_free (s, FALSE);
}

/* The anomalies counted since the last decode (or finish) are exactly
 * @kinds, each once per occurrence, the list ended by ANOMALIES_END; the
 * anomaly callback saw the same ones. */
void
decode_harness_assert_anomalyv (DecodeHarness *h,
                                const gint    *kinds)
{
  const NtpacDecodeStats *stats = ntpac_decoder_get_stats (h->decoder);
  guint64 expected[NTPAC_ANOMALY_N_CORE_KINDS] = { 0 };
  guint64 counted[NTPAC_ANOMALY_N_CORE_KINDS] = { 0 };
  guint64 reported[NTPAC_ANOMALY_N_CORE_KINDS] = { 0 };
  g_autofree gchar *expected_text = NULL;
  g_autofree gchar *counted_text = NULL;
  g_autofree gchar *reported_text = NULL;

  for (const gint *k = kinds; *k != ANOMALIES_END; k++)
    {
      g_assert_cmpint (*k, >=, 0);
      g_assert_cmpint (*k, <, NTPAC_ANOMALY_N_CORE_KINDS);
      expected[*k]++;
    }
  for (guint k = 0; k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    counted[k] = stats->anomalies[k] - h->stats_mark[k];
  for (guint i = h->mark; i < h->anomalies->len; i++)
    reported[g_array_index (h->anomalies, NtpacAnomaly, i).kind]++;

  expected_text = format_counts (expected);
  counted_text = format_counts (counted);
  reported_text = format_counts (reported);
  g_assert_cmpstr (counted_text, ==, expected_text);
  g_assert_cmpstr (reported_text, ==, expected_text);
}

/* As decode_harness_assert_anomalyv(), the kinds given as arguments. */
void
decode_harness_assert_anomalies (DecodeHarness *h,
                                 ...)
{
  gint kinds[NTPAC_ANOMALY_N_CORE_KINDS * 4 + 1];
  guint n = 0;
  va_list ap;
  gint kind;

  va_start (ap, h);
  while ((kind = va_arg (ap, gint)) != ANOMALIES_END)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (kinds) - 1);
      kinds[n++] = kind;
    }
  va_end (ap);
  kinds[n] = ANOMALIES_END;
  decode_harness_assert_anomalyv (h, kinds);
}

/* The packet's payload is @len bytes equal to @bytes, at @frame_offset in
 * the frame, and was captured whole. */
void
decode_harness_assert_payload (DecodeHarness *h,
                               gsize          frame_offset,
                               const void    *bytes,
                               gsize          len)
{
  const NtpacPacket *p = &h->packet;

  g_assert_cmpuint (frame_offset + len, <=, h->frame.caplen);
  g_assert_true (p->payload == h->data + frame_offset);
  g_assert_cmpuint (p->payload_len, ==, len);
  g_assert_cmpuint (p->payload_reported, ==, len);
  g_assert_cmpmem (p->payload, p->payload_len, bytes, len);
  g_assert_cmpuint (p->flags & NTPAC_PACKET_PAYLOAD_TRUNCATED, ==, 0);
}

static gchar *
format_layers_of_packet (const NtpacPacket *p)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < p->n_layers; i++)
    g_string_append_printf (s, "%s%s(%u)@%s%u", i > 0 ? " " : "",
                            ntpac_layer_kind_to_string (p->layers[i].kind),
                            p->layers[i].value,
                            p->layers[i].in_reassembled ? "r" : "",
                            p->layers[i].offset);
  return g_string_free (s, FALSE);
}

static gchar *
format_expected_layers (const ExpectedLayer *layers,
                        guint                n_layers)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n_layers; i++)
    g_string_append_printf (s, "%s%s(%u)@%s%u", i > 0 ? " " : "",
                            ntpac_layer_kind_to_string (layers[i].kind),
                            layers[i].value,
                            layers[i].in_reassembled ? "r" : "",
                            layers[i].offset);
  return g_string_free (s, FALSE);
}

void
assert_layers (const NtpacPacket   *packet,
               const ExpectedLayer *layers,
               guint                n_layers)
{
  g_autofree gchar *found = format_layers_of_packet (packet);
  g_autofree gchar *expected = format_expected_layers (layers, n_layers);

  g_assert_cmpstr (found, ==, expected);
  for (guint i = 0; i < packet->n_layers; i++)
    g_assert_cmpuint (packet->layers[i].reserved, ==, 0);
}

void
assert_tuple (const NtpacPacket *packet,
              const gchar       *src,
              const gchar       *dst,
              guint16            sport,
              guint16            dport,
              guint8             proto)
{
  g_autofree gchar *found_src = ntpac_address_to_string (&packet->tuple.src);
  g_autofree gchar *found_dst = ntpac_address_to_string (&packet->tuple.dst);

  g_assert_cmpstr (found_src, ==, src);
  g_assert_cmpstr (found_dst, ==, dst);
  g_assert_cmpuint (packet->tuple.sport, ==, sport);
  g_assert_cmpuint (packet->tuple.dport, ==, dport);
  g_assert_cmpuint (packet->tuple.proto, ==, proto);
}
