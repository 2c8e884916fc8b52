/* stored-conversations.c: every conversation of a database read back
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-test-truth.h"
#include "stored-conversations.h"

static void
stored_conversation_free (StoredConversation *c)
{
  g_variant_unref (c->record);
  g_byte_array_unref (c->payload[0]);
  g_byte_array_unref (c->payload[1]);
  g_free (c);
}

static gchar *
describe_record (GVariant *r)
{
  return g_strdup_printf ("%s %s:%" G_GUINT64_FORMAT " -> %s:%" G_GUINT64_FORMAT " @%" G_GINT64_FORMAT,
                          ntpac_record_get_string (r, "transport"),
                          ntpac_record_get_string (r, "src"), ntpac_record_get_uint (r, "sport"),
                          ntpac_record_get_string (r, "dst"), ntpac_record_get_uint (r, "dport"),
                          ntpac_record_get_int (r, "first_ts"));
}

/* Reads the PDUs and frames stored under the conversation id @id. */
static void
read_conversation_parts (NtpacStore         *store,
                         const guint8       *id,
                         StoredConversation *c)
{
  guint8 upper[16];
  const guint8 *key, *value;
  gsize key_len, value_len;
  g_autoptr(NtpacStoreIter) pdus = NULL;
  g_autoptr(NtpacStoreIter) frames = NULL;
  g_autoptr(GError) error = NULL;

  /* the next id: every key that starts with @id sorts below it */
  memcpy (upper, id, 16);
  for (gint i = 15; i >= 0 && ++upper[i] == 0; i--)
    ;

  pdus = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_PDUS), id, 16, upper, 16);
  while (ntpac_store_iter_next (pdus, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) pdu = ntpac_record_decode (value, value_len, G_VARIANT_TYPE (NTPAC_STORE_PDU_TYPE), &error);
      g_autoptr(GBytes) payload = NULL;
      guint8 direction;
      guint64 missing;

      g_assert_no_error (error);
      g_assert_cmpuint (key_len, ==, 20);
      g_assert_cmpuint (ntpac_store_get_u32 (key + 16), ==, c->n_pdus);
      g_variant_get_child (pdu, 0, "(yxxt@a(ut)@a(utuu))", &direction, NULL, NULL, &missing, NULL, NULL);
      payload = ntpac_store_read_payload (store, pdu, &error);
      g_assert_no_error (error);
      /* A datagram captured twice is stored twice, the copy marked: the
       * conversation's bytes, like what was sent, count it once. */
      if (direction & NTPAC_STORE_PDU_DUPLICATE)
        {
          c->n_duplicates++;
          c->n_pdus++;
          continue;
        }
      g_assert_cmpuint (direction, <, 2);
      g_byte_array_append (c->payload[direction], g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      c->missing[direction] += missing;
      c->n_pdus++;
    }
  g_assert_true (ntpac_store_iter_get_error (pdus, &error));

  frames = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_FRAMES), id, 16, upper, 16);
  while (ntpac_store_iter_next (frames, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) chunk = ntpac_record_decode (value, value_len, G_VARIANT_TYPE (NTPAC_STORE_FRAMES_TYPE), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (ntpac_store_get_u32 (key + 16), ==, c->n_frames);
      c->n_frames += g_variant_n_children (chunk);
    }
  g_assert_true (ntpac_store_iter_get_error (frames, &error));
}

/* Every conversation of the database at @path, keyed by its description. */
/**
 * stored_conversations_read:
 * @db: a database
 *
 * Reads every conversation of @db with its PDUs, their payloads and its
 * frames, checking on the way that PDU and frame keys are in sequence.
 *
 * Returns: (transfer full): #StoredConversation by description
 *   ("tcp SRC:PORT -> DST:PORT @FIRST_TS_NS")
 */
GHashTable *
stored_conversations_read (const gchar *path)
{
  g_autoptr(GHashTable) result =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) stored_conversation_free);
  g_autoptr(GError) error = NULL;
  NtpacStore *store = ntpac_store_open (path, NTPAC_STORE_READ, NTPAC_STORE_BULK, &error);
  g_autoptr(NtpacStoreIter) it = NULL;
  const guint8 *key, *value;
  gsize key_len, value_len;

  g_assert_no_error (error);
  it = ntpac_store_iter_new (store, ntpac_store_cf_id (store, NTPAC_STORE_CF_CONVERSATIONS), NULL, 0, NULL, 0);
  while (ntpac_store_iter_next (it, &key, &key_len, &value, &value_len))
    {
      StoredConversation *c = g_new0 (StoredConversation, 1);

      g_assert_cmpuint (key_len, ==, 16);
      c->record = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, &error);
      g_assert_no_error (error);
      c->payload[0] = g_byte_array_new ();
      c->payload[1] = g_byte_array_new ();
      read_conversation_parts (store, key, c);
      g_assert_true (g_hash_table_insert (result, describe_record (c->record), c));
    }
  g_assert_true (ntpac_store_iter_get_error (it, &error));
  ntpac_store_iter_free (g_steal_pointer (&it));
  g_assert_true (ntpac_store_close (store, &error));
  return g_steal_pointer (&result);
}


/* What the conversation's record says matches what is stored for it. */
static void
check_consistent (StoredConversation *c)
{
  static const gchar * const byte_keys[] = { "bytes_up", "bytes_down" };
  static const gchar * const missing_keys[] = { "missing_up", "missing_down" };

  g_assert_cmpuint (c->n_pdus, ==, ntpac_record_get_uint (c->record, "pdus"));
  g_assert_cmpuint (c->n_frames, ==, ntpac_record_get_uint (c->record, "frames"));
  for (guint dir = 0; dir < 2; dir++)
    {
      g_assert_cmpuint (c->payload[dir]->len, ==, ntpac_record_get_uint (c->record, byte_keys[dir]));
      g_assert_cmpuint (c->missing[dir], ==, ntpac_record_get_uint (c->record, missing_keys[dir]));
    }
}

/* ...and what the generator sent. */
static void
check_direction (StoredConversation *c,
                 NtpacDirection      dir,
                 JsonObject         *truth,
                 guint              *identical)
{
  guint64 sent = json_object_get_int_member (truth, "bytes");
  guint64 missing = json_object_get_int_member (truth, "missing_bytes");

  g_assert_cmpuint (c->missing[dir], ==, missing);
  g_assert_cmpuint (c->payload[dir]->len, ==, sent - missing);
  if (missing == 0)
    {
      g_autofree gchar *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, c->payload[dir]->data,
                                                           c->payload[dir]->len);

      g_assert_cmpstr (sha, ==, json_object_get_string_member (truth, "sha256"));
      (*identical)++;
    }
}

/**
 * stored_conversations_check:
 * @stored: from stored_conversations_read()
 * @truth_path: the generator's truth file
 * @all_expected: whether every generated flow must be there (else only
 *   those stored are checked: a run that was cut short, whose
 *   conversations ended by the end of its input are checked for
 *   consistency only, as the rest of their bytes was never read)
 *
 * Checks each stored conversation against what the generator sent: every
 * PDU and frame is there, payloads are byte-identical where nothing was
 * lost, missing bytes are counted exactly; and no stored conversation is
 * unknown to the generator.
 *
 * Returns: how many directions were byte-identical
 */
guint
stored_conversations_check (GHashTable  *stored,
                            const gchar *truth_path,
                            gboolean     all_expected)
{
  g_autoptr(GPtrArray) flows = ntpac_test_truth_flows (truth_path);
  guint found = 0, identical = 0;

  for (guint i = 0; i < flows->len; i++)
    {
      JsonObject *o = flows->pdata[i];
      g_autofree gchar *key = ntpac_test_truth_flow_key (o);
      StoredConversation *c = g_hash_table_lookup (stored, key);

      if (c == NULL)
        {
          if (all_expected)
            g_error ("no stored conversation for %s", key);
          continue;
        }
      found++;
      check_consistent (c);
      if (!all_expected && g_str_equal (ntpac_record_get_string (c->record, "end"), "capture-end"))
        continue;
      g_assert_cmpuint (ntpac_record_get_uint (c->record, "packets"), ==, json_object_get_int_member (o, "packets"));
      check_direction (c, NTPAC_DIRECTION_UP, json_object_get_object_member (o, "up"), &identical);
      check_direction (c, NTPAC_DIRECTION_DOWN, json_object_get_object_member (o, "down"), &identical);
    }
  g_assert_cmpuint (found, ==, g_hash_table_size (stored));
  return identical;
}
