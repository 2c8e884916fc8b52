/* ntpac-query.c: reading results back, filtered, from one or more
 * databases
 *
 * A query reads one kind of record (a column family) from each database
 * and merges them in key order, which is time order. Filters use the
 * indexes where they can (an address: index.ip; a time range: the keys
 * themselves) and check every record they return. Each record becomes a
 * row of JSON values: the fields common to every kind, then the kind's
 * own, as the export contract names them. Values of one filter are ORed,
 * filters ANDed; --where conditions are checked on the rows.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ntpac-anomaly.h"
#include "ntpac-json-private.h"
#include "ntpac-linktype.h"
#include "ntpac-query.h"
#include "ntpac-record.h"
#include "ntpac-store-sink-private.h"
#include "ntpac-time.h"
#include "ntpac-variant-json-private.h"

G_DEFINE_QUARK (ntpac-query-error-quark, ntpac_query_error)

/* A cell of a row: a field name and its value as JSON. */
typedef struct
{
  gchar *name;
  gchar *json;
} Cell;

static void
cell_free (gpointer data)
{
  Cell *cell = data;

  g_free (cell->name);
  g_free (cell->json);
  g_free (cell);
}

#define COMMON_COLUMNS "conversation", "ts", "transport", "src", "sport", "dst", "dport", "input", "frames"

static const gchar * const conversation_columns[] = {
  COMMON_COLUMNS, "first_ts", "last_ts", "protocol", "packets", "bytes_up", "bytes_down",
  "missing_bytes", "anomalies", NULL
};
static const gchar * const http_columns[] = {
  COMMON_COLUMNS, "method", "uri", "host", "version", "user_agent", "request_headers",
  "request_body_len", "status", "reason", "response_headers", "content_type",
  "response_body_len", "response_body_sha256", "body_complete", "missing_bytes", NULL
};
static const gchar * const dns_columns[] = {
  COMMON_COLUMNS, "id", "is_response", "opcode", "rcode", "qname", "qtype", "answers",
  "authority", "additional", NULL
};
static const gchar * const tls_columns[] = {
  COMMON_COLUMNS, "version", "sni", "alpn", "ja3", "ja4", "certificates", NULL
};
static const gchar * const object_columns[] = {
  COMMON_COLUMNS, "sha256", "size", "content_type", "source", "complete", "missing_bytes", NULL
};
static const gchar * const plugin_output_columns[] = {
  COMMON_COLUMNS, NULL
};
static const gchar * const anomaly_columns[] = {
  COMMON_COLUMNS, "kind", "severity", "description", "offset", NULL
};
static const gchar * const input_columns[] = {
  COMMON_COLUMNS, "path", "size", "sha256", "format", "first_ts", "last_ts", "link_types",
  "frame_count", "damage", "damage_offset", "error", NULL
};

typedef enum
{
  KIND_CONVERSATIONS,
  KIND_RECORDS,       /* dissector records and objects: a{sv} with the common fields */
  KIND_ANOMALIES,
  KIND_INPUTS,
} KindType;

typedef struct
{
  const gchar         *name;
  const gchar         *cf;
  KindType             type;
  const gchar * const *columns;
  const gchar         *host_field;   /* what --host matches in the record */
} KindInfo;

static const KindInfo kinds[] = {
  { "conversations", NTPAC_STORE_CF_CONVERSATIONS, KIND_CONVERSATIONS, conversation_columns, NULL },
  { "http", "http", KIND_RECORDS, http_columns, "host" },
  { "dns", "dns", KIND_RECORDS, dns_columns, "qname" },
  { "tls", "tls", KIND_RECORDS, tls_columns, "sni" },
  { "objects", NTPAC_STORE_CF_OBJECTS, KIND_RECORDS, object_columns, NULL },
  { "anomalies", NTPAC_STORE_CF_ANOMALIES, KIND_ANOMALIES, anomaly_columns, NULL },
  { "inputs", NTPAC_STORE_CF_INPUTS, KIND_INPUTS, input_columns, NULL },
};

/* ---- JSON values ------------------------------------------------------ */

static void
add_cell (GPtrArray   *row,
          const gchar *name,
          gchar       *json)
{
  Cell *cell = g_new0 (Cell, 1);

  cell->name = g_strdup (name);
  cell->json = json;
  g_ptr_array_add (row, cell);
}

static void
add_null (GPtrArray   *row,
          const gchar *name)
{
  add_cell (row, name, g_strdup ("null"));
}

static void
add_string (GPtrArray   *row,
            const gchar *name,
            const gchar *value)
{
  GString *out = g_string_new (NULL);

  if (value == NULL)
    g_string_append (out, "null");
  else
    ntpac_json_escape_append (out, value, strlen (value));
  add_cell (row, name, g_string_free (out, FALSE));
}

static void
add_uint (GPtrArray   *row,
          const gchar *name,
          guint64      value)
{
  add_cell (row, name, g_strdup_printf ("%" G_GUINT64_FORMAT, value));
}

static void
add_time (GPtrArray   *row,
          const gchar *name,
          gint64       ts_ns)
{
  g_autofree gchar *text = ntpac_time_format_rfc3339 (ts_ns);

  add_string (row, name, text);
}

/* A record's fields, read once and in place: looking each column up in
 * the record (g_variant_lookup_value()) read the record again for every
 * column, and made a GVariant of every member it passed. */
typedef struct
{
  const gchar      *key;      /* points into the record */
  NtpacVariantView  value;
  GVariant         *owner;    /* holds the value's bytes when read through GLib */
} Field;

typedef struct
{
  GArray *fields;             /* Field, in the record's order */
} RecordFields;

static void
record_fields_init (RecordFields *f,
                    GVariant     *r)
{
  NtpacVariantView record;
  gsize n = 0, position = 0;
  Field field = { NULL, { NULL, 0, NULL, 0 }, NULL };
  gboolean in_place;

  f->fields = g_array_sized_new (FALSE, FALSE, sizeof (Field), 32);
  in_place = ntpac_variant_view_init (&record, r) && ntpac_variant_view_n_children (&record, &n);
  while (in_place && position < n)
    {
      in_place = ntpac_variant_view_next_entry (&record, &position, &field.key, &field.value);
      if (in_place)
        g_array_append_val (f->fields, field);
    }
  if (in_place)
    return;
  /* Bytes the view could not follow: GLib's reading of them. */
  {
    GVariantIter it;

    g_array_set_size (f->fields, 0);
    g_variant_iter_init (&it, r);
    while (g_variant_iter_next (&it, "{&sv}", &field.key, &field.owner))
      {
        ntpac_variant_view_init (&field.value, field.owner);
        g_array_append_val (f->fields, field);
      }
  }
}

static void
record_fields_clear (RecordFields *f)
{
  for (guint i = 0; i < f->fields->len; i++)
    g_clear_pointer (&g_array_index (f->fields, Field, i).owner, g_variant_unref);
  g_array_unref (f->fields);
}

/* The first field named @key, as g_variant_lookup_value() finds it. */
static const NtpacVariantView *
record_fields_get (const RecordFields *f,
                   const gchar        *key)
{
  for (guint i = 0; i < f->fields->len; i++)
    if (g_str_equal (g_array_index (f->fields, Field, i).key, key))
      return &g_array_index (f->fields, Field, i).value;
  return NULL;
}

/* A signed 64-bit field; 0 when absent or of another type. */
static gint64
record_fields_get_int (const RecordFields *f,
                       const gchar        *key)
{
  const NtpacVariantView *v = record_fields_get (f, key);
  gint64 value;

  if (v == NULL || v->type_len != 1 || v->type[0] != 'x' || !ntpac_variant_view_get_int (v, &value))
    return 0;
  return value;
}

/* An unsigned field of any width; 0 when absent or of another type. */
static guint64
record_fields_get_uint (const RecordFields *f,
                        const gchar        *key)
{
  const NtpacVariantView *v = record_fields_get (f, key);
  guint64 value;

  if (v == NULL || !ntpac_variant_view_get_uint (v, &value))
    return 0;
  return value;
}

/* A string field; NULL when absent or of another type. */
static const gchar *
record_fields_get_string (const RecordFields *f,
                          const gchar        *key)
{
  const NtpacVariantView *v = record_fields_get (f, key);

  if (v == NULL || v->type_len != 1 || v->type[0] != 's' || v->size == 0 || v->data[v->size - 1] != '\0')
    return NULL;
  return (const gchar *) v->data;
}

static void
add_field (GPtrArray          *row,
           const gchar        *name,
           const RecordFields *f,
           const gchar        *key)
{
  add_cell (row, name, ntpac_variant_view_json (record_fields_get (f, key)));
}

/* The columns of a record's conversation: transport, endpoints, input. */
static void
add_endpoints (GPtrArray          *row,
               const RecordFields *f)
{
  static const gchar * const columns[] = { "transport", "src", "sport", "dst", "dport", "input" };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    add_field (row, columns[i], f, columns[i]);
}

/* ---- rows -------------------------------------------------------------- */

typedef struct
{
  GString  *first;
  GString  *others;
  guint32   first_input;
  gint64    open_input;
} FrameLists;

static gboolean
collect_frame (guint32  input,
               guint64  number,
               gpointer user_data)
{
  FrameLists *f = user_data;

  if (input == f->first_input)
    {
      g_string_append_printf (f->first, "%s%" G_GUINT64_FORMAT, f->first->len > 1 ? "," : "", number);
      return TRUE;
    }
  if (f->open_input != input)
    {
      g_string_append_printf (f->others, "%s{\"input\":%u,\"frames\":[", f->open_input >= 0 ? "]}," : "", input);
      f->open_input = input;
      g_string_append_printf (f->others, "%" G_GUINT64_FORMAT, number);
    }
  else
    g_string_append_printf (f->others, ",%" G_GUINT64_FORMAT, number);
  return TRUE;
}

static GPtrArray *
conversation_row (const NtpacConversationId *id,
                  const RecordFields        *f)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (cell_free);
  g_autofree gchar *hex = ntpac_conversation_id_to_hex (id);
  const NtpacVariantView *list;
  FrameLists frames = { g_string_new ("["), g_string_new ("["), 0, -1 };

  frames.first_input = (guint32) record_fields_get_uint (f, "input");
  list = record_fields_get (f, "frame_list");
  if (list != NULL && list->type_len == 2 && memcmp (list->type, "ay", 2) == 0)
    ntpac_frame_list_foreach (list->data, list->size, collect_frame, &frames);
  g_string_append_c (frames.first, ']');
  add_string (row, "conversation", hex);
  add_time (row, "ts", record_fields_get_int (f, "first_ts"));
  add_endpoints (row, f);
  add_cell (row, "frames", g_string_free (frames.first, FALSE));
  add_time (row, "first_ts", record_fields_get_int (f, "first_ts"));
  add_time (row, "last_ts", record_fields_get_int (f, "last_ts"));
  add_field (row, "protocol", f, "protocol");
  add_field (row, "packets", f, "packets");
  add_field (row, "bytes_up", f, "bytes_up");
  add_field (row, "bytes_down", f, "bytes_down");
  add_uint (row, "missing_bytes", record_fields_get_uint (f, "missing_up") + record_fields_get_uint (f, "missing_down"));
  add_field (row, "anomalies", f, "anomalies");
  /* A conversation that went on in the next capture file. */
  if (frames.open_input >= 0)
    {
      g_string_append (frames.others, "]}]");
      add_cell (row, "frames_in_other_inputs", g_string_free (frames.others, FALSE));
    }
  else
    g_string_free (frames.others, TRUE);
  return row;
}

/**
 * ntpac_query_conversation_row:
 * @id: the conversation's id
 * @record: its stored record (`a{sv}`)
 *
 * Returns: (transfer full): the row of the `conversations` export
 * Since: 0.1
 */
GPtrArray *
ntpac_query_conversation_row (const NtpacConversationId *id,
                              GVariant                  *r)
{
  RecordFields f;
  GPtrArray *row;

  record_fields_init (&f, r);
  row = conversation_row (id, &f);
  record_fields_clear (&f);
  return row;
}

const gchar * const *
ntpac_query_conversation_columns (void)
{
  return conversation_columns;
}

static GPtrArray *
anomaly_row (const RecordFields *f)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (cell_free);
  const gchar *kind = record_fields_get_string (f, "kind");
  const gchar *description = record_fields_get_string (f, "description");

  for (guint k = 0; kind != NULL && description == NULL && k < NTPAC_ANOMALY_N_CORE_KINDS; k++)
    if (g_str_equal (ntpac_anomaly_kind_to_id (k), kind))
      description = ntpac_anomaly_kind_describe (k);
  add_field (row, "conversation", f, "conversation");
  add_time (row, "ts", record_fields_get_int (f, "ts"));
  /* endpoints: those of the conversation for a dissector's anomaly,
   * null for the packet anomalies of the decoder */
  add_endpoints (row, f);
  add_cell (row, "frames", g_strdup_printf ("[%" G_GUINT64_FORMAT "]", record_fields_get_uint (f, "frame")));
  add_string (row, "kind", kind);
  add_field (row, "severity", f, "severity");
  add_string (row, "description", description);
  add_field (row, "offset", f, "offset");
  return row;
}

static GPtrArray *
input_row (guint32             id,
           GVariant           *r,
           const RecordFields *f)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (cell_free);
  g_autoptr(GVariant) types = g_variant_lookup_value (r, "link_types", G_VARIANT_TYPE ("au"));
  GString *names = g_string_new ("[");
  gint64 first_ts = 0, last_ts = 0;
  gboolean has_ts = g_variant_lookup (r, "first_ts", "x", &first_ts) &&
                    g_variant_lookup (r, "last_ts", "x", &last_ts);

  for (gsize i = 0; types != NULL && i < g_variant_n_children (types); i++)
    {
      guint32 t;
      const gchar *name;

      g_variant_get_child (types, i, "u", &t);
      name = ntpac_link_type_to_string (t);
      if (i > 0)
        g_string_append_c (names, ',');
      if (name != NULL)
        ntpac_json_escape_append (names, name, strlen (name));
      else
        g_string_append_printf (names, "%u", t);
    }
  g_string_append_c (names, ']');
  add_null (row, "conversation");
  if (has_ts)
    add_time (row, "ts", first_ts);
  else
    add_null (row, "ts");
  add_null (row, "transport");
  add_null (row, "src");
  add_null (row, "sport");
  add_null (row, "dst");
  add_null (row, "dport");
  add_uint (row, "input", id);
  add_cell (row, "frames", g_strdup ("[]"));
  add_field (row, "path", f, "path");
  add_field (row, "size", f, "size");
  add_field (row, "sha256", f, "sha256");
  add_field (row, "format", f, "format");
  if (has_ts)
    {
      add_time (row, "first_ts", first_ts);
      add_time (row, "last_ts", last_ts);
    }
  else
    {
      add_null (row, "first_ts");
      add_null (row, "last_ts");
    }
  add_cell (row, "link_types", g_string_free (names, FALSE));
  add_field (row, "frame_count", f, "frames");
  add_field (row, "damage", f, "damage");
  add_field (row, "damage_offset", f, "damage_offset");
  add_field (row, "error", f, "error");
  return row;
}

/* Dissector records and objects carry the common fields themselves;
 * times are stored in ns and shown as RFC 3339. */
static GPtrArray *
record_row (const KindInfo            *kind,
            const NtpacConversationId *id,
            const RecordFields        *f)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (cell_free);
  g_autofree gchar *hex = ntpac_conversation_id_to_hex (id);

  for (guint i = 0; kind->columns[i] != NULL; i++)
    {
      const gchar *column = kind->columns[i];

      if (g_str_equal (column, "conversation"))
        add_string (row, column, hex);
      else if (g_str_equal (column, "ts"))
        add_time (row, column, record_fields_get_int (f, "ts"));
      else
        add_field (row, column, f, column);
    }
  /* Fields beyond the kind's, in the order the dissector wrote them. */
  for (guint i = 0; i < f->fields->len; i++)
    {
      const Field *field = &g_array_index (f->fields, Field, i);

      if (!g_strv_contains ((const gchar * const *) kind->columns, field->key))
        add_cell (row, field->key, ntpac_variant_view_json (&field->value));
    }
  return row;
}

/* ---- rows as text ------------------------------------------------------ */

/**
 * ntpac_query_row_get:
 * @row: a row
 * @name: a column
 *
 * Returns: (nullable): the column's value as JSON, or %NULL
 * Since: 0.1
 */
const gchar *
ntpac_query_row_get (GPtrArray   *row,
                     const gchar *name)
{
  for (guint i = 0; i < row->len; i++)
    if (g_str_equal (((Cell *) row->pdata[i])->name, name))
      return ((Cell *) row->pdata[i])->json;
  return NULL;
}

/**
 * ntpac_query_row_to_json:
 * @columns: the kind's columns
 * @row: a row
 *
 * Returns: (transfer full): the row as one JSON object (without newline):
 *   the columns in order, then any extra field the row has
 * Since: 0.1
 */
gchar *
ntpac_query_row_to_json (const gchar * const *columns,
                         GPtrArray           *row)
{
  GString *out = g_string_new ("{");
  gboolean first = TRUE;

  for (guint i = 0; i < row->len; i++)
    {
      Cell *cell = row->pdata[i];

      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      ntpac_json_escape_append (out, cell->name, strlen (cell->name));
      g_string_append_c (out, ':');
      g_string_append (out, cell->json);
    }
  g_string_append_c (out, '}');
  (void) columns;
  return g_string_free (out, FALSE);
}

/* A JSON value as a person reads it in a column: strings without quotes,
 * null empty, arrays and objects as JSON. */
gchar *
ntpac_query_value_to_text (const gchar *json)
{
  GString *out;

  if (json == NULL || g_str_equal (json, "null"))
    return g_strdup ("");
  if (json[0] != '"')
    return g_strdup (json);
  out = g_string_new (NULL);
  for (const gchar *p = json + 1; *p != '\0' && *p != '"'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          switch (*p)
            {
            case 'n':
              g_string_append (out, "\\n");
              break;
            case 't':
              g_string_append (out, "\\t");
              break;
            case 'r':
              g_string_append (out, "\\r");
              break;
            case 'u':
              {
                gchar hex[5] = { 0 };

                strncpy (hex, p + 1, 4);
                g_string_append_unichar (out, (gunichar) g_ascii_strtoull (hex, NULL, 16));
                p += strlen (hex);
              }
              break;
            default:
              g_string_append_c (out, *p);
              break;
            }
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ---- sources: one database ------------------------------------------- */

typedef struct
{
  NtpacStore     *store;
  gint            cf;
  NtpacStoreIter *iter;
  GPtrArray      *keys;         /* explicit keys to read, or NULL to scan */
  guint           next_key;
  GHashTable     *host_conversations;  /* ids whose names match --host */
  GBytes         *head_key;     /* lookahead, for the merge */
  GPtrArray      *head_row;
  gboolean        done;
  guint           index;        /* of its store, as given */
} Source;

struct _NtpacQuery
{
  const KindInfo   *kind;
  KindInfo          plugin_kind;   /* a plugin's output: its own column family */
  gchar            *plugin_kind_name;
  NtpacQueryFilter  filter;       /* times; the lists below for the rest */
  GArray           *networks;     /* NtpacQueryNetwork, ORed */
  GArray           *ports;        /* gint, ORed */
  GArray           *conversations;  /* NtpacConversationId, ORed */
  GPtrArray        *hosts;        /* GPatternSpec, ORed, on lower-case names */
  GPtrArray        *where;        /* Condition, ANDed */
  GPtrArray        *sources;
  guint             last_store;   /* of the row ntpac_query_next() gave */
  GBytes           *last_key;     /* and its key, the order of the merge */
};

static void
source_free (gpointer data)
{
  Source *s = data;

  ntpac_store_iter_free (s->iter);
  g_clear_pointer (&s->keys, g_ptr_array_unref);
  g_clear_pointer (&s->host_conversations, g_hash_table_unref);
  g_clear_pointer (&s->head_key, g_bytes_unref);
  g_clear_pointer (&s->head_row, g_ptr_array_unref);
  g_free (s);
}

static gint
compare_bytes (gconstpointer a,
               gconstpointer b)
{
  return g_bytes_compare (*(GBytes * const *) a, *(GBytes * const *) b);
}

/* ---- filters ----------------------------------------------------------- */

/**
 * ntpac_query_network_parse:
 * @text: an address ("10.0.0.5", "2001:db8::1") or a network in CIDR
 *   notation ("10.0.0.0/8", "2001:db8::/32")
 * @network: (out): the network; an address is a network of one
 *
 * Bits of the address beyond the prefix are cleared: "10.1.2.3/8" is
 * 10.0.0.0/8, as the prefix says which bits count.
 *
 * Returns: %TRUE if @text was understood
 * Since: 0.2
 */
gboolean
ntpac_query_network_parse (const gchar       *text,
                           NtpacQueryNetwork *network)
{
  g_autofree gchar *address = g_strdup (text);
  gchar *slash = strchr (address, '/');
  guint bits, full;
  guint64 prefix;

  g_return_val_if_fail (text != NULL, FALSE);

  if (slash != NULL)
    *slash = '\0';
  if (!ntpac_address_parse (address, &network->address) ||
      (network->address.family != 4 && network->address.family != 6))
    return FALSE;
  bits = network->address.family == 4 ? 32 : 128;
  network->prefix = bits;
  if (slash == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (slash + 1, 10, 0, bits, &prefix, NULL))
    return FALSE;
  network->prefix = (guint) prefix;
  full = network->prefix / 8;
  if (network->prefix % 8 != 0)
    network->address.bytes[full++] &= (guint8) (0xff << (8 - network->prefix % 8));
  memset (network->address.bytes + full, 0, 16 - full);
  return TRUE;
}

static gboolean
network_contains (const NtpacQueryNetwork *n,
                  const NtpacAddress      *a)
{
  guint full = n->prefix / 8, rest = n->prefix % 8;

  if (a->family != n->address.family || memcmp (a->bytes, n->address.bytes, full) != 0)
    return FALSE;
  return rest == 0 || ((a->bytes[full] ^ n->address.bytes[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* A name without its port: "localhost:8080" and "[::1]:80" as
 * "localhost" and "[::1]"; NULL when it has none. */
static gchar *
strip_port (const gchar *name)
{
  const gchar *colon = strrchr (name, ':');

  if (colon == NULL || colon[1] == '\0' || strspn (colon + 1, "0123456789") != strlen (colon + 1))
    return NULL;
  /* an IPv6 address has colons of its own: only after "]" is it a port */
  if (strchr (name, ':') != colon && (colon == name || colon[-1] != ']'))
    return NULL;
  return g_strndup (name, colon - name);
}

/* Whether a name matches one of --host, with or without its port. */
static gboolean
host_matches (NtpacQuery  *self,
              const gchar *name)
{
  g_autofree gchar *lower = g_ascii_strdown (name, -1);
  g_autofree gchar *bare = strip_port (lower);

  for (guint i = 0; i < self->hosts->len; i++)
    if (g_pattern_spec_match_string (self->hosts->pdata[i], lower) ||
        (bare != NULL && g_pattern_spec_match_string (self->hosts->pdata[i], bare)))
      return TRUE;
  return FALSE;
}

typedef enum
{
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_GT,
  OP_GLOB,
} Op;

/* One --where: FIELD OP VALUE. */
typedef struct
{
  gchar        *field;
  Op            op;
  gchar        *value;
  gboolean      is_number;
  gdouble       number;
  GPatternSpec *glob;
} Condition;

static void
condition_free (gpointer data)
{
  Condition *c = data;

  g_free (c->field);
  g_free (c->value);
  g_clear_pointer (&c->glob, g_pattern_spec_free);
  g_free (c);
}

static gboolean
parse_number (const gchar *text,
              gdouble     *number)
{
  gchar *end = NULL;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  *number = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0';
}

/* Fields whose values are numbers, in the kinds of the core. */
static gboolean
is_numeric_column (const gchar *name)
{
  static const gchar * const numeric[] = {
    "sport", "dport", "input", "packets", "bytes_up", "bytes_down", "missing_bytes", "anomalies",
    "request_body_len", "status", "response_body_len", "id", "size", "offset", "frame_count",
    "damage_offset", NULL
  };

  return g_strv_contains (numeric, name);
}

/* Whether a record of the kind, among the first ones stored, has a field
 * of this name beyond the kind's columns (a plugin's, say). */
static gboolean
stored_records_have_field (NtpacStore  **stores,
                           guint         n_stores,
                           const gchar  *cf_name,
                           const gchar  *field,
                           gboolean     *numeric)
{
  for (guint i = 0; i < n_stores; i++)
    {
      gint cf = ntpac_store_cf_id (stores[i], cf_name);
      g_autoptr(NtpacStoreIter) iter = NULL;
      const guint8 *key, *value;
      gsize key_len, value_len;

      if (cf < 0)
        continue;
      iter = ntpac_store_iter_new (stores[i], cf, NULL, 0, NULL, 0);
      for (guint n = 0; n < 100 && ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len); n++)
        {
          g_autoptr(GVariant) r = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, NULL);
          g_autoptr(GVariant) v = r != NULL ? g_variant_lookup_value (r, field, NULL) : NULL;

          if (v == NULL)
            continue;
          *numeric = g_variant_type_is_basic (g_variant_get_type (v)) &&
                     !g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) &&
                     !g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN);
          return TRUE;
        }
    }
  return FALSE;
}

/* Parses "FIELD OP VALUE", spaces around OP allowed, and checks FIELD
 * against the kind's fields. */
static Condition *
condition_parse (const KindInfo  *kind,
                 NtpacStore     **stores,
                 guint            n_stores,
                 const gchar     *text,
                 GError         **error)
{
  g_autoptr(GString) field = g_string_new (NULL);
  const gchar *p = text;
  Condition *c;
  gboolean numeric = FALSE;
  gboolean known;

  while (g_ascii_isspace (*p))
    p++;
  while (g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '.')
    g_string_append_c (field, *p++);
  while (g_ascii_isspace (*p))
    p++;
  c = g_new0 (Condition, 1);
  if (g_str_has_prefix (p, "!="))
    c->op = OP_NE, p += 2;
  else if (*p == '=')
    c->op = OP_EQ, p++;
  else if (*p == '<')
    c->op = OP_LT, p++;
  else if (*p == '>')
    c->op = OP_GT, p++;
  else if (*p == '~')
    c->op = OP_GLOB, p++;
  else
    p = NULL;
  if (field->len == 0 || p == NULL)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                   _("“%s” is not a condition (--where): use FIELD OP VALUE, OP one of =, !=, <, >, ~"),
                   text);
      condition_free (c);
      return NULL;
    }
  while (g_ascii_isspace (*p))
    p++;
  c->field = g_strdup (field->str);
  c->value = g_strchomp (g_strdup (p));
  known = g_strv_contains (kind->columns, c->field) ||
          (kind->type == KIND_CONVERSATIONS && g_str_equal (c->field, "frames_in_other_inputs"));
  numeric = known && is_numeric_column (c->field);
  if (!known && kind->type == KIND_RECORDS)
    known = stored_records_have_field (stores, n_stores, kind->cf, c->field, &numeric);
  if (!known)
    {
      g_autofree gchar *columns = g_strjoinv (", ", (gchar **) kind->columns);

      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                   _("Unknown field “%s” for %s (--where): use one of %s"), c->field, kind->name, columns);
      condition_free (c);
      return NULL;
    }
  c->is_number = parse_number (c->value, &c->number);
  if (numeric && !c->is_number && (c->op == OP_LT || c->op == OP_GT))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                   _("“%s” is not a number, and %s is compared as one (--where %s)"), c->value, c->field, text);
      condition_free (c);
      return NULL;
    }
  if (c->op == OP_GLOB)
    c->glob = g_pattern_spec_new (c->value);
  return c;
}

/* Numbers compare as numbers, everything else as its text in a column
 * (strings without quotes, null empty). */
static gboolean
condition_matches (const Condition *c,
                   GPtrArray       *row)
{
  const gchar *json = ntpac_query_row_get (row, c->field);
  g_autofree gchar *text = ntpac_query_value_to_text (json);
  gdouble number;
  gboolean cell_number = json != NULL && json[0] != '"' && parse_number (json, &number);
  gint order;

  if (c->op == OP_GLOB)
    return g_pattern_spec_match_string (c->glob, text);
  if (c->is_number && cell_number)
    order = number < c->number ? -1 : number > c->number ? 1 : 0;
  else if (c->is_number && (c->op == OP_LT || c->op == OP_GT))
    return FALSE;   /* null, or not a number: neither less nor more */
  else
    order = strcmp (text, c->value);
  switch (c->op)
    {
    case OP_EQ:
      return order == 0;
    case OP_NE:
      return order != 0;
    case OP_LT:
      return order < 0;
    case OP_GT:
    default:
      return order > 0;
    }
}

/* Conversations with --ip: their ids from index.ip. A network is a range
 * of its keys (family, then the address: the network's first to its last
 * address), so an address and a CIDR are both read from the index. */
static GPtrArray *
conversations_by_ip (NtpacStore             *store,
                     gint                    cf,
                     GArray                 *networks,
                     const NtpacQueryFilter *filter)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  gint index_cf = ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_IP);

  for (guint n = 0; n < networks->len && index_cf >= 0; n++)
    {
      const NtpacQueryNetwork *net = &g_array_index (networks, NtpacQueryNetwork, n);
      guint8 lower[25], upper[25];
      guint bits = net->address.family == 4 ? 32 : 128;
      g_autoptr(NtpacStoreIter) iter = NULL;
      const guint8 *key;
      gsize key_len;

      lower[0] = net->address.family;
      memcpy (lower + 1, net->address.bytes, 16);
      memcpy (upper, lower, 17);
      /* the network's last address: every host bit set */
      for (guint bit = net->prefix; bit < bits; bit++)
        upper[1 + bit / 8] |= (guint8) (0x80 >> (bit % 8));
      ntpac_store_put_u64 (lower + 17, 0);
      ntpac_store_put_u64 (upper + 17, G_MAXUINT64);
      iter = ntpac_store_iter_new (store, index_cf, lower, sizeof lower, upper, sizeof upper);
      while (ntpac_store_iter_next (iter, &key, &key_len, NULL, NULL))
        {
          GBytes *id;

          if (key_len != 25 + 1 + 16 || key[25] != cf)
            continue;
          if (filter->has_until && ntpac_store_get_u64 (key + 17) > ntpac_store_ts_key (filter->until_ns))
            continue;
          id = g_bytes_new (key + 26, 16);
          if (!g_hash_table_add (seen, id))
            {
              g_bytes_unref (id);
              continue;
            }
          g_ptr_array_add (keys, id);
        }
    }
  g_ptr_array_sort (keys, compare_bytes);
  return keys;
}

/* Conversation ids whose names (indexed by dissectors) match --host. */
static GHashTable *
conversations_by_host (NtpacQuery *self,
                       NtpacStore *store)
{
  GHashTable *ids = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  gint cf = ntpac_store_cf_id (store, NTPAC_STORE_CF_INDEX_NAME);
  g_autoptr(NtpacStoreIter) iter = NULL;
  const guint8 *key, *value;
  gsize key_len, value_len;

  if (cf < 0)
    return ids;
  iter = ntpac_store_iter_new (store, cf, NULL, 0, NULL, 0);
  while (ntpac_store_iter_next (iter, &key, &key_len, &value, &value_len))
    {
      g_autoptr(GVariant) name = NULL;

      if (key_len < 17 + 16)
        continue;
      name = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_STRING, NULL);
      if (name != NULL && host_matches (self, g_variant_get_string (name, NULL)))
        g_hash_table_add (ids, g_bytes_new (key + 17, 16));
    }
  return ids;
}

static Source *
source_new (NtpacQuery *self,
            NtpacStore *store)
{
  Source *s = g_new0 (Source, 1);
  const NtpacQueryFilter *f = &self->filter;
  KindType type = self->kind->type;
  guint8 lower[16] = { 0 }, upper[16];

  s->store = store;
  s->cf = ntpac_store_cf_id (store, self->kind->cf);
  if (s->cf < 0)
    {
      s->done = TRUE;  /* nothing of this kind was stored */
      return s;
    }
  if (type != KIND_INPUTS && self->kind->host_field == NULL && self->hosts->len > 0)
    s->host_conversations = conversations_by_host (self, store);
  if (type == KIND_CONVERSATIONS && self->conversations->len > 0)
    {
      s->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      for (guint i = 0; i < self->conversations->len; i++)
        g_ptr_array_add (s->keys, g_bytes_new (g_array_index (self->conversations, NtpacConversationId, i).bytes, 16));
      g_ptr_array_sort (s->keys, compare_bytes);
      return s;
    }
  if (type == KIND_CONVERSATIONS && self->networks->len > 0)
    {
      s->keys = conversations_by_ip (store, s->cf, self->networks, f);
      return s;
    }
  memset (upper, 0xff, sizeof upper);
  if (self->conversations->len == 1 && type == KIND_RECORDS)
    {
      /* every record of one conversation: keys that start with its id */
      s->iter = ntpac_store_iter_new_prefix (store, s->cf,
                                             g_array_index (self->conversations, NtpacConversationId, 0).bytes, 16);
      return s;
    }
  if (type == KIND_ANOMALIES && (f->has_since || f->has_until))
    {
      /* anomalies are keyed by time */
      ntpac_store_put_u64 (lower, f->has_since ? ntpac_store_ts_key (f->since_ns) : 0);
      ntpac_store_put_u64 (upper, f->has_until ? ntpac_store_ts_key (f->until_ns) + 1 : G_MAXUINT64);
      s->iter = ntpac_store_iter_new (store, s->cf, lower, 8, upper, 8);
      return s;
    }
  if (type != KIND_INPUTS && type != KIND_ANOMALIES && f->has_until)
    {
      /* conversation ids start with their first timestamp */
      ntpac_store_put_u64 (upper, (guint64) f->until_ns + 1);
      s->iter = ntpac_store_iter_new (store, s->cf, NULL, 0, upper, 8);
      return s;
    }
  /* Records and anomalies with --ip or several --conversation: a scan,
   * each record checked. */
  s->iter = ntpac_store_iter_new (store, s->cf, NULL, 0, NULL, 0);
  return s;
}

static gboolean
address_matches (NtpacQuery         *self,
                 const RecordFields *fields)
{
  static const gchar * const ends[] = { "src", "dst" };

  for (guint e = 0; e < G_N_ELEMENTS (ends); e++)
    {
      const gchar *text = record_fields_get_string (fields, ends[e]);
      NtpacAddress a;

      if (text == NULL || !ntpac_address_parse (text, &a))
        continue;
      for (guint i = 0; i < self->networks->len; i++)
        if (network_contains (&g_array_index (self->networks, NtpacQueryNetwork, i), &a))
          return TRUE;
    }
  return FALSE;
}

static gboolean
port_matches (NtpacQuery         *self,
              const RecordFields *fields)
{
  guint64 sport = record_fields_get_uint (fields, "sport");
  guint64 dport = record_fields_get_uint (fields, "dport");

  if (record_fields_get_string (fields, "transport") == NULL)
    return FALSE;
  for (guint i = 0; i < self->ports->len; i++)
    {
      guint64 port = (guint64) g_array_index (self->ports, gint, i);

      if (sport == port || dport == port)
        return TRUE;
    }
  return FALSE;
}

/* Whether a record, read as @fields, passes the filters the key order did
 * not apply. */
static gboolean
fields_match (NtpacQuery         *self,
              Source             *s,
              const guint8       *key,
              gsize               key_len,
              const RecordFields *fields)
{
  const NtpacQueryFilter *f = &self->filter;
  KindType type = self->kind->type;
  NtpacConversationId id = { { 0 } };
  gboolean has_id = FALSE;

  if (f->has_since || f->has_until)
    {
      gint64 first, last;

      if (type == KIND_CONVERSATIONS || type == KIND_INPUTS)
        {
          /* an input without packets has no time */
          if (record_fields_get (fields, "first_ts") == NULL)
            return FALSE;
          first = record_fields_get_int (fields, "first_ts");
          last = record_fields_get_int (fields, "last_ts");
        }
      else
        first = last = record_fields_get_int (fields, "ts");
      /* a conversation matches a time range it overlaps */
      if (f->has_since && last < f->since_ns)
        return FALSE;
      if (f->has_until && first > f->until_ns)
        return FALSE;
    }
  if (type == KIND_INPUTS)
    return TRUE;   /* the other filters were refused for inputs */
  if (type == KIND_ANOMALIES)
    {
      const gchar *hex = record_fields_get_string (fields, "conversation");

      has_id = hex != NULL && ntpac_conversation_id_from_hex (hex, &id);
    }
  else if (key_len >= 16)
    {
      memcpy (id.bytes, key, 16);
      has_id = TRUE;
    }
  if (self->conversations->len > 0)
    {
      gboolean found = FALSE;

      for (guint i = 0; has_id && !found && i < self->conversations->len; i++)
        found = memcmp (g_array_index (self->conversations, NtpacConversationId, i).bytes, id.bytes, 16) == 0;
      if (!found)
        return FALSE;
    }
  if (self->networks->len > 0 && !address_matches (self, fields))
    return FALSE;
  if (self->ports->len > 0 && !port_matches (self, fields))
    return FALSE;
  if (self->hosts->len > 0)
    {
      if (self->kind->host_field != NULL)
        {
          const gchar *name = record_fields_get_string (fields, self->kind->host_field);

          if (name == NULL || !host_matches (self, name))
            return FALSE;
        }
      else
        {
          /* the names of the record's conversation */
          g_autoptr(GBytes) bytes = g_bytes_new (id.bytes, 16);

          if (!has_id || !g_hash_table_contains (s->host_conversations, bytes))
            return FALSE;
        }
    }
  return TRUE;
}

static GPtrArray *
make_row (NtpacQuery         *self,
          const guint8       *key,
          gsize               key_len,
          GVariant           *r,
          const RecordFields *fields)
{
  NtpacConversationId id = { { 0 } };

  memcpy (id.bytes, key, MIN (key_len, 16u));
  switch (self->kind->type)
    {
    case KIND_CONVERSATIONS:
      return conversation_row (&id, fields);
    case KIND_ANOMALIES:
      return anomaly_row (fields);
    case KIND_INPUTS:
      return input_row (key_len >= 4 ? ntpac_store_get_u32 (key) : 0, r, fields);
    case KIND_RECORDS:
    default:
      return record_row (self->kind, &id, fields);
    }
}

/* Reads @s's next matching record into its lookahead. */
static gboolean
source_advance (NtpacQuery  *self,
                Source      *s,
                GError     **error)
{
  g_clear_pointer (&s->head_key, g_bytes_unref);
  g_clear_pointer (&s->head_row, g_ptr_array_unref);
  while (!s->done)
    {
      g_autoptr(GBytes) owned = NULL;
      const guint8 *key, *value;
      gsize key_len, value_len;
      g_autoptr(GVariant) r = NULL;
      g_autoptr(GError) local = NULL;
      RecordFields fields;

      if (s->keys != NULL)
        {
          GBytes *k;

          if (s->next_key >= s->keys->len)
            {
              s->done = TRUE;
              break;
            }
          k = s->keys->pdata[s->next_key++];
          owned = ntpac_store_get (s->store, s->cf, g_bytes_get_data (k, NULL), g_bytes_get_size (k), error);
          if (owned == NULL)
            {
              if (error != NULL && *error != NULL)
                return FALSE;
              continue;
            }
          key = g_bytes_get_data (k, &key_len);
          value = g_bytes_get_data (owned, &value_len);
        }
      else if (!ntpac_store_iter_next (s->iter, &key, &key_len, &value, &value_len))
        {
          s->done = TRUE;
          if (!ntpac_store_iter_get_error (s->iter, error))
            return FALSE;
          break;
        }
      r = ntpac_record_decode (value, value_len, G_VARIANT_TYPE_VARDICT, &local);
      if (r == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), _("Database “%s”: "),
                                      ntpac_store_get_path (s->store));
          return FALSE;
        }
      /* The record's fields are read once, for the filters and the row. */
      record_fields_init (&fields, r);
      if (fields_match (self, s, key, key_len, &fields))
        {
          s->head_row = make_row (self, key, key_len, r, &fields);
          /* --where is on the row: its fields as they are shown */
          for (guint i = 0; i < self->where->len && s->head_row != NULL; i++)
            if (!condition_matches (self->where->pdata[i], s->head_row))
              g_clear_pointer (&s->head_row, g_ptr_array_unref);
          if (s->head_row != NULL)
            s->head_key = g_bytes_new (key, key_len);
        }
      record_fields_clear (&fields);
      if (s->head_row != NULL)
        return TRUE;
    }
  return TRUE;
}

const gchar * const *
ntpac_query_kinds (void)
{
  static const gchar *names[G_N_ELEMENTS (kinds) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    names[i] = kinds[i].name;
  names[G_N_ELEMENTS (kinds)] = NULL;
  return names;
}

/* Column families of the core: not something to list as a plugin's. */
static gboolean
is_core_family (const gchar *name)
{
  static const gchar * const core[] = {
    NTPAC_STORE_CF_META, NTPAC_STORE_CF_INPUTS, NTPAC_STORE_CF_PDUS, NTPAC_STORE_CF_FRAMES,
    NTPAC_STORE_CF_OBJECTS_DATA, NTPAC_STORE_CF_INDEX_IP, NTPAC_STORE_CF_INDEX_NAME,
    NTPAC_STORE_CF_INDEX_TIME, "default", NULL
  };

  return g_strv_contains (core, name);
}

/* Names are matched in lower case, as index.name holds them. */
static void
add_host_pattern (NtpacQuery  *self,
                  const gchar *glob)
{
  g_autofree gchar *lower = g_ascii_strdown (glob, -1);

  g_ptr_array_add (self->hosts, g_pattern_spec_new (lower));
}

/**
 * ntpac_query_new:
 * @stores: (array length=n_stores): databases, read as one
 * @n_stores: how many
 * @kind: conversations, http, dns, tls, objects, anomalies or inputs
 * @filter: filters
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the query, or %NULL for an unknown
 *   kind (%NTPAC_QUERY_ERROR_KIND), or a filter the kind cannot honour, an
 *   unknown field or a bad condition of @filter's where
 *   (%NTPAC_QUERY_ERROR_FILTER)
 * Since: 0.1
 */
NtpacQuery *
ntpac_query_new (NtpacStore             **stores,
                 guint                    n_stores,
                 const gchar             *kind,
                 const NtpacQueryFilter  *filter,
                 GError                 **error)
{
  NtpacQuery *self;
  const KindInfo *info = NULL;

  self = g_new0 (NtpacQuery, 1);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].name, kind) == 0)
      info = &kinds[i];
  /* A plugin's output that one of the databases holds. */
  for (guint i = 0; info == NULL && kind != NULL && i < n_stores; i++)
    if (ntpac_store_cf_id (stores[i], kind) >= 0 && !is_core_family (kind))
      {
        self->plugin_kind_name = g_strdup (kind);
        self->plugin_kind = (KindInfo) { self->plugin_kind_name, self->plugin_kind_name, KIND_RECORDS,
                                         plugin_output_columns, NULL };
        info = &self->plugin_kind;
      }
  if (info == NULL)
    {
      g_autofree gchar *known = g_strjoinv (", ", (gchar **) ntpac_query_kinds ());

      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_KIND,
                   _("Unknown kind “%s”: use one of %s, or a plugin's output the database holds"),
                   kind, known);
      g_free (self);
      return NULL;
    }
  self->kind = info;
  /* the times; the lists are copied below, the caller's not kept */
  self->filter = *filter;
  self->filter.host = NULL;
  self->filter.networks = NULL;
  self->filter.ports = NULL;
  self->filter.hosts = NULL;
  self->filter.conversations = NULL;
  self->filter.where = NULL;
  self->networks = g_array_new (FALSE, FALSE, sizeof (NtpacQueryNetwork));
  self->ports = g_array_new (FALSE, FALSE, sizeof (gint));
  self->conversations = g_array_new (FALSE, FALSE, sizeof (NtpacConversationId));
  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  self->where = g_ptr_array_new_with_free_func (condition_free);
  self->sources = g_ptr_array_new_with_free_func (source_free);
  if (filter->has_ip)
    {
      NtpacQueryNetwork one = { filter->ip, filter->ip.family == 4 ? 32 : 128 };

      g_array_append_val (self->networks, one);
    }
  if (filter->networks != NULL)
    g_array_append_vals (self->networks, filter->networks, filter->n_networks);
  if (filter->port >= 0)
    g_array_append_val (self->ports, filter->port);
  if (filter->ports != NULL)
    g_array_append_vals (self->ports, filter->ports, filter->n_ports);
  if (filter->has_conversation)
    g_array_append_val (self->conversations, filter->conversation);
  if (filter->conversations != NULL)
    g_array_append_vals (self->conversations, filter->conversations, filter->n_conversations);
  if (filter->host != NULL)
    add_host_pattern (self, filter->host);
  for (guint i = 0; filter->hosts != NULL && filter->hosts[i] != NULL; i++)
    add_host_pattern (self, filter->hosts[i]);
  if (info->type == KIND_INPUTS)
    {
      /* inputs have no endpoints, names or conversation: only times and
       * their own fields */
      const gchar *refused = self->networks->len > 0 ? "--ip" :
                             self->ports->len > 0 ? "--port" :
                             self->hosts->len > 0 ? "--host" :
                             self->conversations->len > 0 ? "--conversation" : NULL;

      if (refused != NULL)
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                       _("The filter %s does not apply to %s: use --since, --until or --where"),
                       refused, info->name);
          ntpac_query_free (self);
          return NULL;
        }
    }
  for (guint i = 0; filter->where != NULL && filter->where[i] != NULL; i++)
    {
      Condition *c = condition_parse (info, stores, n_stores, filter->where[i], error);

      if (c == NULL)
        {
          ntpac_query_free (self);
          return NULL;
        }
      g_ptr_array_add (self->where, c);
    }
  for (guint i = 0; i < n_stores; i++)
    {
      Source *s = source_new (self, stores[i]);

      s->index = i;
      g_ptr_array_add (self->sources, s);
      if (!source_advance (self, s, error))
        {
          ntpac_query_free (self);
          return NULL;
        }
    }
  return self;
}

void
ntpac_query_free (NtpacQuery *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->sources);
  g_array_unref (self->networks);
  g_array_unref (self->ports);
  g_array_unref (self->conversations);
  g_ptr_array_unref (self->hosts);
  g_ptr_array_unref (self->where);
  g_clear_pointer (&self->last_key, g_bytes_unref);
  g_free (self->plugin_kind_name);
  g_free (self);
}

const gchar * const *
ntpac_query_get_columns (NtpacQuery *self)
{
  return self->kind->columns;
}

/**
 * ntpac_query_next:
 * @self: a query
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the next row in key order across
 *   the databases, or %NULL at the end (or on error)
 * Since: 0.1
 */
GPtrArray *
ntpac_query_next (NtpacQuery  *self,
                  GError     **error)
{
  Source *best = NULL;
  GPtrArray *row;

  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *s = self->sources->pdata[i];

      if (s->head_row != NULL && (best == NULL || g_bytes_compare (s->head_key, best->head_key) < 0))
        best = s;
    }
  if (best == NULL)
    return NULL;
  row = g_steal_pointer (&best->head_row);
  self->last_store = best->index;
  g_clear_pointer (&self->last_key, g_bytes_unref);
  self->last_key = best->head_key != NULL ? g_bytes_ref (best->head_key) : NULL;
  if (!source_advance (self, best, error))
    {
      g_ptr_array_unref (row);
      return NULL;
    }
  return row;
}

/**
 * ntpac_query_get_last_store:
 * @self: a query
 *
 * Returns: the index, in the stores given to ntpac_query_new(), of the
 *   database the last row of ntpac_query_next() came from
 */
guint
ntpac_query_get_last_store (NtpacQuery *self)
{
  return self->last_store;
}

/**
 * ntpac_query_row_add_string:
 * @row: a row
 * @name: the field's name
 * @value: (nullable): its value
 *
 * Adds a field after the row's others (the database a merged row came
 * from, say).
 */
void
ntpac_query_row_add_string (GPtrArray   *row,
                            const gchar *name,
                            const gchar *value)
{
  add_string (row, name, value);
}

/**
 * ntpac_query_get_last_key:
 * @self: a query
 *
 * Returns: (transfer none) (nullable): the key the last row of
 *   ntpac_query_next() was merged by: rows come in the order of their
 *   keys (bytewise), so that results of several queries merge the same way
 */
GBytes *
ntpac_query_get_last_key (NtpacQuery *self)
{
  return self->last_key;
}

/**
 * ntpac_query_row_new:
 *
 * Returns: (transfer full): an empty row, for fields that came from
 *   elsewhere (a query agent)
 */
GPtrArray *
ntpac_query_row_new (void)
{
  return g_ptr_array_new_with_free_func (cell_free);
}

/**
 * ntpac_query_row_add_json:
 * @row: a row
 * @name: the field's name
 * @json: its value, as JSON
 */
void
ntpac_query_row_add_json (GPtrArray   *row,
                          const gchar *name,
                          const gchar *json)
{
  add_cell (row, name, g_strdup (json));
}

/**
 * ntpac_query_row_get_nth:
 * @row: a row
 * @index: a field's place, below the row's length
 * @name: (out): its name
 * @json: (out): its value, as JSON
 */
void
ntpac_query_row_get_nth (GPtrArray    *row,
                         guint         index,
                         const gchar **name,
                         const gchar **json)
{
  const Cell *cell = row->pdata[index];

  *name = cell->name;
  *json = cell->json;
}
