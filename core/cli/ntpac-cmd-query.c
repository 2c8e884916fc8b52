/* ntpac-cmd-query.c: `ntpac-engine query`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"
#include "ntpac-wire-private.h"

/* Rows and bytes an agent gathers before it sends them. */
#define ROWS_PER_BATCH  512
#define BYTES_PER_BATCH (64 * 1024)
/* How long one wait for an agent lasts before signals are looked at. */

typedef struct
{
  gchar    **databases;
  gchar     *format;
  gchar    **ip;
  gchar    **port;
  gchar    **host;
  gchar     *since;
  gchar     *until;
  gchar    **conversation;
  gchar    **where;
  gchar     *limit;
  gboolean   count;
  gboolean   partial;
  NtpacCliClusterOptions remote;
  gchar    **plugin_paths;
  gchar    **rest;
  /* parsed */
  GArray    *networks;
  GArray    *ports;
  GArray    *conversations;
} QueryOptions;

static void
query_options_clear (QueryOptions *o)
{
  g_strfreev (o->databases);
  g_free (o->format);
  g_strfreev (o->ip);
  g_strfreev (o->port);
  g_strfreev (o->host);
  g_free (o->since);
  g_free (o->until);
  g_strfreev (o->conversation);
  g_strfreev (o->where);
  g_free (o->limit);
  g_free (o->remote.curve_secret);
  g_strfreev (o->remote.curve_server);
  g_strfreev (o->plugin_paths);
  g_strfreev (o->rest);
  g_clear_pointer (&o->networks, g_array_unref);
  g_clear_pointer (&o->ports, g_array_unref);
  g_clear_pointer (&o->conversations, g_array_unref);
}

/* Opens every -d database read-only; a query never changes evidence. */
GPtrArray *
ntpac_cli_open_databases (gchar       **paths,
                          const gchar  *command)
{
  GPtrArray *stores = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_cli_close_database);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (paths == NULL || paths[0] == NULL)
    {
      ntpac_cli_usage_error (command, _("No database given: use -d DB (several times to read several as one)"));
      g_ptr_array_unref (stores);
      return NULL;
    }
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *real = realpath (paths[i], NULL);
      NtpacStore *store;

      /* The same database named twice (or through a link) is read once. */
      if (real != NULL && !g_hash_table_add (seen, g_steal_pointer (&real)))
        continue;
      store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, &error);

      if (store == NULL)
        {
          ntpac_cli_error ("%s", error->message);
          g_ptr_array_unref (stores);
          return NULL;
        }
      g_ptr_array_add (stores, store);
    }
  return stores;
}

void
ntpac_cli_close_database (NtpacStore *store)
{
  ntpac_store_close (store, NULL);
}

/* A date without a time ("2024-03-01"): as --until, the end of that day. */
static gboolean
is_date_only (const gchar *text)
{
  return strlen (text) == 10 && text[4] == '-' && text[7] == '-';
}

#define NS_PER_DAY G_GINT64_CONSTANT (86400000000000)

/* Fills the filter; FALSE (and a one-line message naming the value)
 * for a value that is not one. Repeated options are kept, all of them:
 * the query ORs them. */
static gboolean
parse_filter (QueryOptions      *o,
              NtpacQueryFilter  *filter,
              GError           **error)
{
  memset (filter, 0, sizeof *filter);
  filter->port = -1;
  o->networks = g_array_new (FALSE, FALSE, sizeof (NtpacQueryNetwork));
  o->ports = g_array_new (FALSE, FALSE, sizeof (gint));
  o->conversations = g_array_new (FALSE, FALSE, sizeof (NtpacConversationId));
  for (guint i = 0; o->ip != NULL && o->ip[i] != NULL; i++)
    {
      NtpacQueryNetwork network;

      if (!ntpac_query_network_parse (o->ip[i], &network))
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER, _("“%s” is not an IP address or network (--ip): use 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32"),
                           o->ip[i]);
          return FALSE;
        }
      g_array_append_val (o->networks, network);
    }
  for (guint i = 0; o->port != NULL && o->port[i] != NULL; i++)
    {
      guint64 port;
      gint value;

      if (!g_ascii_string_to_unsigned (o->port[i], 10, 0, 65535, &port, NULL))
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER, _("“%s” is not a port (--port): use a number from 0 to 65535"), o->port[i]);
          return FALSE;
        }
      value = (gint) port;
      g_array_append_val (o->ports, value);
    }
  if (o->since != NULL && !(filter->has_since = ntpac_time_parse (o->since, &filter->since_ns)))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER, _("“%s” is not a time (--since): use 2024-03-01T10:00:00Z, a date, or seconds since 1970"), o->since);
      return FALSE;
    }
  if (o->until != NULL && !(filter->has_until = ntpac_time_parse (o->until, &filter->until_ns)))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER, _("“%s” is not a time (--until): use 2024-03-01T10:00:00Z, a date, or seconds since 1970"), o->until);
      return FALSE;
    }
  /* "--since D --until D" is the whole day D */
  if (o->until != NULL && is_date_only (o->until))
    filter->until_ns += NS_PER_DAY - 1;
  for (guint i = 0; o->conversation != NULL && o->conversation[i] != NULL; i++)
    {
      NtpacConversationId id;

      if (!ntpac_conversation_id_from_hex (o->conversation[i], &id))
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER, _("“%s” is not a conversation id (32 hex digits)"), o->conversation[i]);
          return FALSE;
        }
      g_array_append_val (o->conversations, id);
    }
  filter->networks = (const NtpacQueryNetwork *) o->networks->data;
  filter->n_networks = o->networks->len;
  filter->ports = (const gint *) o->ports->data;
  filter->n_ports = o->ports->len;
  filter->conversations = (const NtpacConversationId *) o->conversations->data;
  filter->n_conversations = o->conversations->len;
  filter->hosts = (const gchar * const *) o->host;
  filter->where = (const gchar * const *) o->where;
  return TRUE;
}

/* Text from the capture as a terminal may show it: a value can hold
 * escape sequences that clear the screen, set the window's title or make
 * links (ESC, OSC, BEL). Tabs and newlines become \t and \n, every other
 * C0 control, DEL and the C1 controls (U+0080-U+009F) \xNN, as does each
 * byte of invalid UTF-8. Takes @text. */
static gchar *
terminal_safe (gchar *text)
{
  GString *out;
  const gchar *p = text;

  /* Nothing to do, mostly: plain printable text. */
  for (; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      break;
  if (*p == '\0')
    return text;
  out = g_string_sized_new (strlen (text) + 16);
  g_string_append_len (out, text, p - text);
  while (*p != '\0')
    {
      guchar b = (guchar) *p;
      const gchar *end = p + strlen (p);
      gunichar ch;

      if (b == '\t' || b == '\n')
        {
          g_string_append (out, b == '\t' ? "\\t" : "\\n");
          p++;
          continue;
        }
      if (b < 0x20 || b == 0x7f)
        {
          g_string_append_printf (out, "\\x%02x", b);
          p++;
          continue;
        }
      if (b < 0x80)
        {
          g_string_append_c (out, *p++);
          continue;
        }
      ch = g_utf8_get_char_validated (p, end - p);
      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", b);
          p++;
          continue;
        }
      if (ch >= 0x80 && ch <= 0x9f)
        g_string_append_printf (out, "\\x%02x", (guint) ch);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  g_free (text);
  return g_string_free (out, FALSE);
}

static gchar *
cell_text (GPtrArray   *row,
           const gchar *column)
{
  return terminal_safe (ntpac_query_value_to_text (ntpac_query_row_get (row, column)));
}

/* TSV: a value's tabs and newlines are escaped (\t, \n), and so is
 * whatever a terminal would act on (terminal_safe()). */
static void
print_tsv_line (GPtrArray           *row,
                const gchar * const *columns)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; columns[i] != NULL; i++)
    {
      g_autofree gchar *text = row != NULL ? cell_text (row, columns[i]) : terminal_safe (g_strdup (columns[i]));

      if (i > 0)
        g_string_append_c (line, '\t');
      g_string_append (line, text);
    }
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);
  g_string_free (line, TRUE);
}

#define TABLE_MAX_WIDTH 40
/* The rows that set the columns' widths. Rows after them are cut to those
 * widths, so that a large result is printed as it comes, in bounded
 * memory. */
#define TABLE_SAMPLE_ROWS 1000

/* Aligned columns for people: wide values are cut with "…". */
typedef struct
{
  const gchar * const *columns;
  guint                n;
  guint               *width;
  GPtrArray           *held;       /* gchar **: cells of the rows not printed yet */
  gboolean             streaming;  /* widths set, header printed */
} TablePrinter;

static void
table_init (TablePrinter        *t,
            const gchar * const *columns)
{
  t->columns = columns;
  t->n = g_strv_length ((gchar **) columns);
  t->width = g_new0 (guint, t->n);
  for (guint c = 0; c < t->n; c++)
    t->width[c] = g_utf8_strlen (columns[c], -1);
  t->held = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  t->streaming = FALSE;
}

/* @text, cut to @max characters with "…" when longer. */
static gchar *
cut_text (gchar *text,
          guint  max)
{
  gchar *cut;
  gchar *result;

  if ((guint) g_utf8_strlen (text, -1) <= max)
    return text;
  cut = g_utf8_substring (text, 0, max > 0 ? max - 1 : 0);
  result = g_strconcat (cut, "…", NULL);
  g_free (cut);
  g_free (text);
  return result;
}

static void
table_print_line (TablePrinter        *t,
                  const gchar * const *cells)
{
  GString *line = g_string_new (NULL);

  for (guint c = 0; c < t->n; c++)
    {
      g_string_append (line, cells[c]);
      if (c + 1 < t->n)
        {
          guint len = (guint) g_utf8_strlen (cells[c], -1);
          guint pad = len < t->width[c] ? t->width[c] - len : 0;

          for (guint i = 0; i < pad + 2; i++)
            g_string_append_c (line, ' ');
        }
    }
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);
  g_string_free (line, TRUE);
}

/* The widths are set: the header and the rows held go out. */
static void
table_start_streaming (TablePrinter *t)
{
  table_print_line (t, t->columns);
  for (guint r = 0; r < t->held->len; r++)
    table_print_line (t, t->held->pdata[r]);
  g_ptr_array_set_size (t->held, 0);
  t->streaming = TRUE;
}

static void
table_add_row (TablePrinter *t,
               GPtrArray    *row)
{
  gchar **cells = g_new0 (gchar *, t->n + 1);

  for (guint c = 0; c < t->n; c++)
    {
      cells[c] = cut_text (cell_text (row, t->columns[c]), t->streaming ? t->width[c] : TABLE_MAX_WIDTH);
      if (!t->streaming)
        t->width[c] = MAX (t->width[c], (guint) g_utf8_strlen (cells[c], -1));
    }
  if (t->streaming)
    {
      table_print_line (t, (const gchar * const *) cells);
      g_strfreev (cells);
      return;
    }
  g_ptr_array_add (t->held, cells);
  if (t->held->len == TABLE_SAMPLE_ROWS)
    table_start_streaming (t);
}

static void
table_finish (TablePrinter *t)
{
  if (!t->streaming)
    table_start_streaming (t);
  g_ptr_array_unref (t->held);
  g_free (t->width);
}

/* ---- through query agents (`serve`) ---------------------------------- */

/* The filters travel as they were given: the kind, then pairs of an
 * option's name and its value; the agent parses them as `query` does. */
static const gchar * const request_lists[] = { "ip", "port", "host", "conversation", "where" };

static gchar ***
option_list (QueryOptions *o,
             const gchar  *name)
{
  if (g_str_equal (name, "ip"))
    return &o->ip;
  if (g_str_equal (name, "port"))
    return &o->port;
  if (g_str_equal (name, "host"))
    return &o->host;
  if (g_str_equal (name, "conversation"))
    return &o->conversation;
  if (g_str_equal (name, "where"))
    return &o->where;
  return NULL;
}

static gchar **
option_single (QueryOptions *o,
               const gchar  *name)
{
  if (g_str_equal (name, "since"))
    return &o->since;
  if (g_str_equal (name, "until"))
    return &o->until;
  if (g_str_equal (name, "limit"))
    return &o->limit;
  return NULL;
}

static GBytes *
query_request (QueryOptions *o)
{
  static const gchar * const singles[] = { "since", "until", "limit" };
  NtpacWireWriter w;
  guint32 n = 1;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_QUERY, 0, 1, 0, 0);
  ntpac_wire_writer_add_string (&w, o->rest[0]);
  for (guint i = 0; i < G_N_ELEMENTS (request_lists); i++)
    {
      gchar **values = *option_list (o, request_lists[i]);

      for (guint k = 0; values != NULL && values[k] != NULL; k++, n += 2)
        {
          ntpac_wire_writer_add_string (&w, request_lists[i]);
          ntpac_wire_writer_add_string (&w, values[k]);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (singles); i++)
    if (*option_single (o, singles[i]) != NULL)
      {
        ntpac_wire_writer_add_string (&w, singles[i]);
        ntpac_wire_writer_add_string (&w, *option_single (o, singles[i]));
        n += 2;
      }
  ntpac_wire_writer_set_count (&w, n);
  return ntpac_wire_writer_finish (&w);
}

static gboolean
query_options_from_request (const NtpacWireMessage  *m,
                            QueryOptions            *o,
                            GError                 **error)
{
  NtpacWireReader r;
  g_autofree gchar *kind = NULL;

  ntpac_wire_reader_init (&r, m);
  if (m->count < 1 || m->count % 2 != 1 || !ntpac_wire_reader_string (&r, &kind, error) || kind == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("A query without a kind"));
      return FALSE;
    }
  o->rest = g_new0 (gchar *, 2);
  o->rest[0] = g_steal_pointer (&kind);
  for (guint32 i = 1; i < m->count; i += 2)
    {
      g_autofree gchar *name = NULL, *value = NULL;
      gchar ***list;
      gchar **single;

      if (!ntpac_wire_reader_string (&r, &name, error) || !ntpac_wire_reader_string (&r, &value, error))
        return FALSE;
      if (name == NULL || value == NULL)
        continue;
      if ((list = option_list (o, name)) != NULL)
        {
          guint n = *list != NULL ? g_strv_length (*list) : 0;

          *list = g_renew (gchar *, *list, n + 2);
          (*list)[n] = g_steal_pointer (&value);
          (*list)[n + 1] = NULL;
        }
      else if ((single = option_single (o, name)) != NULL)
        {
          g_free (*single);
          *single = g_steal_pointer (&value);
        }
      else
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                       _("This agent does not know the filter “%s”"), name);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
send_or_fail (NtpacTransport  *transport,
              guint            peer,
              NtpacWireWriter *w,
              guint32          count,
              gboolean         counted,
              GError         **error)
{
  g_autoptr(GBytes) message = NULL;

  ntpac_wire_writer_set_count (w, count);
  message = ntpac_wire_writer_finish (w);
  return ntpac_transport_send_message (transport, peer, message, counted, error);
}

/* The end of an answer: how many rows, and the error if there was one. */
static void
send_query_end (NtpacTransport *transport,
                guint           peer,
                guint64         n_rows,
                const GError   *failure)
{
  g_autoptr(GError) error = NULL;

  if (!ntpac_cli_send_answer_end (transport, peer, 0, n_rows, failure, &error))
    g_warning ("%s", error->message);
}

/* One query being answered: the agent sends its batches in turn with
 * the other clients', one batch a time, so that a client that does not
 * read (it waits for another agent, which waits for another client)
 * never holds the agent. */
struct _NtpacCliQueryAnswer
{
  NtpacTransport   *transport;
  guint             peer;
  QueryOptions      o;
  NtpacQueryFilter  filter;
  GPtrArray        *stores;
  GPtrArray        *names;
  NtpacQuery       *query;
  guint64           limit;
  guint64           n_rows;
};

/**
 * ntpac_cli_query_answer_free:
 * @a: (transfer full): an answer
 */
void
ntpac_cli_query_answer_free (NtpacCliQueryAnswer *a)
{
  g_clear_pointer (&a->query, ntpac_query_free);
  g_ptr_array_unref (a->stores);
  g_ptr_array_unref (a->names);
  query_options_clear (&a->o);
  g_free (a);
}

/**
 * ntpac_cli_query_answer_start:
 * @transport: a listening transport
 * @peer: the client that asked
 * @paths: (array zero-terminated=1): the databases the agent serves
 * @request: the client's QUERY message
 * @error: why the query could not be answered (the client was told)
 *
 * Runs the query over @paths, opened anew (a database still being written
 * shows what it holds now), and sends the columns. Its rows follow with
 * ntpac_cli_query_answer_step(): batches of rows, each with its sort key
 * and database, in the order of their keys, so that the client merges
 * them with other databases'.
 *
 * Returns: (transfer full) (nullable): the answer under way
 */
NtpacCliQueryAnswer *
ntpac_cli_query_answer_start (NtpacTransport  *transport,
                              guint            peer,
                              gchar          **paths,
                              GBytes          *request,
                              GError         **error)
{
  NtpacCliQueryAnswer *a = g_new0 (NtpacCliQueryAnswer, 1);
  const gchar * const *columns;
  NtpacWireMessage m;
  NtpacWireWriter w;

  a->transport = transport;
  a->peer = peer;
  a->limit = G_MAXUINT64;
  a->stores = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_cli_close_database);
  a->names = g_ptr_array_new_with_free_func (g_free);
  if (!ntpac_wire_parse (g_bytes_get_data (request, NULL), g_bytes_get_size (request), &m, error))
    goto refused;
  if (m.type != NTPAC_WIRE_QUERY)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("The client sent no query"));
      goto refused;
    }
  if (!query_options_from_request (&m, &a->o, error) || !parse_filter (&a->o, &a->filter, error))
    goto refused;
  if (a->o.limit != NULL && !g_ascii_string_to_unsigned (a->o.limit, 10, 0, G_MAXUINT64, &a->limit, NULL))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FILTER,
                   _("“%s” is not a number of records (--limit)"), a->o.limit);
      goto refused;
    }
  for (guint i = 0; paths[i] != NULL; i++)
    {
      NtpacStore *store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, error);
      gchar *real;

      if (store == NULL)
        goto refused;
      g_ptr_array_add (a->stores, store);
      real = realpath (paths[i], NULL);
      g_ptr_array_add (a->names, real != NULL ? real : g_strdup (paths[i]));
    }
  a->query = ntpac_query_new ((NtpacStore **) a->stores->pdata, a->stores->len, a->o.rest[0], &a->filter, error);
  if (a->query == NULL)
    goto refused;

  columns = ntpac_query_get_columns (a->query);
  ntpac_wire_writer_init (&w, NTPAC_WIRE_ROWS, 0, 1, 0, 1);   /* flag 1: the columns */
  for (guint i = 0; columns[i] != NULL; i++)
    ntpac_wire_writer_add_string (&w, columns[i]);
  if (!send_or_fail (transport, peer, &w, g_strv_length ((gchar **) columns), FALSE, error))
    {
      ntpac_cli_query_answer_free (a);
      return NULL;
    }
  return a;

refused:
  send_query_end (transport, peer, 0, error != NULL ? *error : NULL);
  ntpac_cli_query_answer_free (a);
  return NULL;
}

/**
 * ntpac_cli_query_answer_step:
 * @a: an answer under way
 * @n_rows: (out): rows sent so far
 * @error: why the answer stopped (the client was told, if it is there)
 *
 * Sends the next batch of rows (one counted message at most: call it when
 * ntpac_transport_can_send() says the client has a credit), or the end.
 *
 * Returns: %TRUE while rows remain; %FALSE at the end, with @error set
 *   when the answer failed
 */
gboolean
ntpac_cli_query_answer_step (NtpacCliQueryAnswer  *a,
                             guint64              *n_rows,
                             GError              **error)
{
  g_autoptr(GError) failure = NULL;
  NtpacWireWriter w;
  guint32 in_batch = 0;
  gboolean exhausted = FALSE;

  ntpac_wire_writer_init (&w, NTPAC_WIRE_ROWS, 0, 1, 0, 0);
  while (in_batch < ROWS_PER_BATCH && ntpac_wire_writer_get_size (&w) < BYTES_PER_BATCH && a->n_rows < a->limit)
    {
      GPtrArray *row = ntpac_query_next (a->query, &failure);
      GBytes *key;
      gsize key_len;

      if (row == NULL)
        {
          exhausted = TRUE;
          break;
        }
      key = ntpac_query_get_last_key (a->query);
      key_len = key != NULL ? g_bytes_get_size (key) : 0;
      ntpac_wire_writer_add_bytes (&w, key != NULL ? g_bytes_get_data (key, NULL) : "", key_len);
      ntpac_wire_writer_add_string (&w, a->names->pdata[ntpac_query_get_last_store (a->query)]);
      ntpac_wire_writer_add_u32 (&w, row->len);
      for (guint i = 0; i < row->len; i++)
        {
          const gchar *name, *json;

          ntpac_query_row_get_nth (row, i, &name, &json);
          ntpac_wire_writer_add_string (&w, name);
          ntpac_wire_writer_add_bytes (&w, json, strlen (json));
        }
      g_ptr_array_unref (row);
      a->n_rows++;
      in_batch++;
    }
  *n_rows = a->n_rows;
  if (in_batch > 0 && failure == NULL)
    {
      if (!send_or_fail (a->transport, a->peer, &w, in_batch, TRUE, error))
        return FALSE;   /* the client is gone */
    }
  else
    ntpac_wire_writer_clear (&w);
  if (failure == NULL && !exhausted && a->n_rows < a->limit)
    return TRUE;        /* perhaps more: the next step says */
  send_query_end (a->transport, a->peer, a->n_rows, failure);
  if (failure != NULL)
    g_propagate_error (error, g_steal_pointer (&failure));
  return FALSE;
}

/* One source of rows in the merge: the local databases' query, or an
 * agent's stream; its head is the next row, with its key and database. */
typedef struct
{
  NtpacQuery      *query;       /* local, or NULL */
  GPtrArray       *stores;
  const gchar     *endpoint;    /* an agent */
  NtpacTransport  *transport;   /* its own: one agent's failure is its alone */
  GBytes          *current;
  NtpacWireMessage message;
  NtpacWireReader  reader;
  gchar          **columns;     /* the agent's */
  gboolean         ended;
  GBytes          *key;
  GPtrArray       *row;
  gchar           *db;
} RowSource;

static void
row_source_clear_head (RowSource *s)
{
  g_clear_pointer (&s->key, g_bytes_unref);
  g_clear_pointer (&s->row, g_ptr_array_unref);
  g_clear_pointer (&s->db, g_free);
}

static void
row_source_free (gpointer data)
{
  RowSource *s = data;

  row_source_clear_head (s);
  g_clear_pointer (&s->query, ntpac_query_free);
  g_clear_pointer (&s->current, g_bytes_unref);   /* released before its transport closes */
  if (s->transport != NULL)
    ntpac_transport_close (s->transport);
  g_clear_object (&s->transport);
  g_strfreev (s->columns);
  g_free (s);
}

/* Reads the next message of an agent into @s; FALSE (and @error) when
 * it failed, or said the query failed. */
static gboolean
agent_next_message (RowSource  *s,
                    GError    **error)
{
  g_autoptr(GError) local = NULL;

  g_clear_pointer (&s->current, g_bytes_unref);   /* its credit goes back */
  s->current = ntpac_cli_agent_receive (s->transport, &local);
  if (s->current == NULL)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, "%s: %s", s->endpoint, local->message);
      return FALSE;
    }
  if (!ntpac_wire_parse (g_bytes_get_data (s->current, NULL), g_bytes_get_size (s->current), &s->message, &local))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, "%s: %s", s->endpoint, local->message);
      return FALSE;
    }
  ntpac_wire_reader_init (&s->reader, &s->message);
  if (s->message.type == NTPAC_WIRE_QUERY_END)
    {
      g_autofree gchar *failure = NULL;
      guint64 rows;

      s->ended = TRUE;
      if (ntpac_wire_reader_u64 (&s->reader, &rows, NULL) && ntpac_wire_reader_string (&s->reader, &failure, NULL) &&
          failure != NULL)
        {
          g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, "%s: %s", s->endpoint, failure);
          return FALSE;
        }
      return TRUE;
    }
  if (s->message.type != NTPAC_WIRE_ROWS)
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED,
                   _("%s: the agent answered with a message of another kind"), s->endpoint);
      return FALSE;
    }
  return TRUE;
}

/* The next row of an agent into @s's head; FALSE with @error unset at
 * its end. */
static gboolean
agent_next_row (RowSource  *s,
                GError    **error)
{
  const guint8 *key, *json;
  gsize key_len, json_len;
  guint32 n_cells;

  row_source_clear_head (s);
  while (!s->ended && (s->current == NULL || s->reader.records_left == 0))
    if (!agent_next_message (s, error))
      return FALSE;
  if (s->ended)
    return FALSE;
  if (!ntpac_wire_reader_bytes (&s->reader, &key, &key_len, error) ||
      !ntpac_wire_reader_string (&s->reader, &s->db, error) ||
      !ntpac_wire_reader_u32 (&s->reader, &n_cells, error))
    goto malformed;
  s->key = g_bytes_new (key, key_len);
  s->row = ntpac_query_row_new ();
  for (guint32 i = 0; i < n_cells; i++)
    {
      g_autofree gchar *name = NULL;
      g_autofree gchar *value = NULL;

      if (!ntpac_wire_reader_string (&s->reader, &name, error) || name == NULL ||
          !ntpac_wire_reader_bytes (&s->reader, &json, &json_len, error))
        goto malformed;
      value = g_strndup ((const gchar *) json, json_len);
      ntpac_query_row_add_json (s->row, name, value);
    }
  s->reader.records_left--;
  return TRUE;

malformed:
  row_source_clear_head (s);
  if (error != NULL && *error != NULL)
    g_prefix_error (error, "%s: ", s->endpoint);
  else
    g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("%s: a malformed row"), s->endpoint);
  return FALSE;
}

static gboolean
local_next_row (RowSource  *s,
                GError    **error)
{
  row_source_clear_head (s);
  s->row = ntpac_query_next (s->query, error);
  if (s->row == NULL)
    return FALSE;
  s->key = ntpac_query_get_last_key (s->query) != NULL ? g_bytes_ref (ntpac_query_get_last_key (s->query))
                                                        : g_bytes_new (NULL, 0);
  s->db = g_strdup (ntpac_store_get_path (s->stores->pdata[ntpac_query_get_last_store (s->query)]));
  return TRUE;
}

/* The columns an agent's answer starts with. */
static gboolean
agent_columns (RowSource  *s,
               GError    **error)
{
  guint32 n;

  if (!agent_next_message (s, error))
    return FALSE;
  if (s->ended || !(s->message.flags & 1))
    {
      g_set_error (error, NTPAC_QUERY_ERROR, NTPAC_QUERY_ERROR_FAILED, _("%s: the answer has no columns"), s->endpoint);
      return FALSE;
    }
  n = s->message.count;
  s->columns = g_new0 (gchar *, n + 1);
  for (guint32 i = 0; i < n; i++)
    if (!ntpac_wire_reader_string (&s->reader, &s->columns[i], error) || s->columns[i] == NULL)
      return FALSE;
  s->reader.records_left = 0;
  return TRUE;
}

/* An agent failed: said at once, and with --partial the others go on.
 * FALSE when the query must stop. */
static gboolean
drop_source (GPtrArray   *sources,
             guint        index,
             GError      *failure,
             gboolean     partial,
             guint       *failures)
{
  RowSource *s = sources->pdata[index];

  if (s->query != NULL)
    {
      ntpac_cli_error ("%s", failure->message);
      return FALSE;
    }
  (*failures)++;
  if (!partial)
    {
      ntpac_cli_error (_("%s; the results so far were printed (--partial goes on without it)"), failure->message);
      return FALSE;
    }
  ntpac_cli_warning (_("%s did not answer: %s; the results lack its records"), s->endpoint, failure->message);
  g_ptr_array_remove_index (sources, index);
  return TRUE;
}

int
ntpac_cmd_query (int    argc,
                 char **argv)
{
  QueryOptions o = { 0 };
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.databases,
      N_("Read the database DB (repeat to read several as one)"), N_("DB") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o.format,
      N_("Output as jsonl (default), tsv or table"), N_("FORMAT") },
    { "ip", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.ip,
      N_("Only records from or to this address or network (CIDR)"), N_("IP") },
    { "port", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.port,
      N_("Only records from or to this port"), N_("PORT") },
    { "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.host,
      N_("Only records whose host, DNS name or TLS server name matches GLOB, with or without its port"),
      N_("GLOB") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &o.since,
      N_("Only records at or after TIME"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &o.until,
      N_("Only records at or before TIME (a date: the end of that day)"), N_("TIME") },
    { "conversation", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.conversation,
      N_("Only records of the conversation ID"), N_("ID") },
    { "where", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.where,
      N_("Only records whose FIELD compares to VALUE: OP is =, !=, <, > or ~ (glob)"), N_("FIELD OP VALUE") },
    { "limit", 0, 0, G_OPTION_ARG_STRING, &o.limit,
      N_("Stop after N records"), N_("N") },
    { "count", 0, 0, G_OPTION_ARG_NONE, &o.count,
      N_("Print only how many records match"), NULL },
    { "partial", 0, 0, G_OPTION_ARG_NONE, &o.partial,
      N_("When a query agent (-d tcp://…) fails, go on with the others and say which did not answer"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.rest, NULL, N_("KIND") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("KIND — list stored records"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;
  g_autoptr(GPtrArray) locals = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  guint n_agents = 0, failures = 0;
  TablePrinter table;
  gboolean as_table = FALSE;
  g_autofree gchar *kinds = g_strjoinv (", ", (gchar **) ntpac_query_kinds ());
  g_autofree gchar *summary = g_strdup_printf (_("KIND is one of %s.\n"
                                                 "Times are RFC 3339 (2024-03-01T10:00:00Z), dates, or seconds since 1970;\n"
                                                 "a date as --until is the end of that day, so --since D --until D is the day D.\n"
                                                 "A filter given several times matches any of its values; different filters\n"
                                                 "must all match. --where FIELD OP VALUE (e.g. status=404, 'response_body_len>1000',\n"
                                                 "qname~'*.example.com') compares numbers as numbers, other values as text.\n"
                                                 "The databases are opened read-only, also while a run writes them."),
                                               kinds);
  const gchar * const *columns;
  g_autofree const gchar **with_db = NULL;
  gboolean merged;
  const gchar *format;
  NtpacQueryFilter filter;
  GPtrArray *row;
  guint64 limit = G_MAXUINT64, n_rows = 0;
  int status = NTPAC_EXIT_OK;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ntpac_cli_add_agent_options (context, &o.remote, &o.plugin_paths);
  g_option_context_set_summary (context, summary);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      query_options_clear (&o);
      return ntpac_cli_usage_error ("query", error->message);
    }
  format = o.format != NULL ? o.format : "jsonl";
  if (!g_str_equal (format, "jsonl") && !g_str_equal (format, "tsv") && !g_str_equal (format, "table"))
    {
      g_autofree gchar *message = g_strdup_printf (_("Unknown format “%s”: use jsonl, tsv or table"), format);

      query_options_clear (&o);
      return ntpac_cli_usage_error ("query", message);
    }
  if (o.rest == NULL || g_strv_length (o.rest) != 1)
    {
      query_options_clear (&o);
      return ntpac_cli_usage_error ("query", _("Name one KIND of record to list"));
    }
  if (o.limit != NULL && !g_ascii_string_to_unsigned (o.limit, 10, 0, G_MAXUINT64, &limit, NULL))
    {
      ntpac_cli_error (_("“%s” is not a number of records (--limit)"), o.limit);
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;
    }
  if (!parse_filter (&o, &filter, &error))
    {
      ntpac_cli_error ("%s", error->message);
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;
    }
  /* Local folders and query agents (tcp://…), read as one. */
  locals = g_ptr_array_new_with_free_func (g_free);
  sources = g_ptr_array_new_with_free_func (row_source_free);
  for (guint i = 0; o.databases != NULL && o.databases[i] != NULL; i++)
    if (g_str_has_prefix (o.databases[i], "tcp://"))
      {
        RowSource *agent = g_new0 (RowSource, 1);

        agent->endpoint = o.databases[i];
        n_agents++;
        g_ptr_array_add (sources, agent);
      }
    else
      g_ptr_array_add (locals, g_strdup (o.databases[i]));
  g_ptr_array_add (locals, NULL);
  if (locals->len > 1 || n_agents == 0)
    {
      RowSource *local = g_new0 (RowSource, 1);

      stores = ntpac_cli_open_databases ((gchar **) locals->pdata, "query");
      if (stores == NULL)
        {
          g_free (local);
          query_options_clear (&o);
          return NTPAC_EXIT_ERROR;
        }
      local->stores = stores;
      local->query = ntpac_query_new ((NtpacStore **) stores->pdata, stores->len, o.rest[0], &filter, &error);
      if (local->query == NULL)
        {
          ntpac_cli_error ("%s", error->message);
          row_source_free (local);
          query_options_clear (&o);
          return NTPAC_EXIT_ERROR;
        }
      g_ptr_array_insert (sources, 0, local);
    }
  if (n_agents > 0)
    {
      g_autoptr(NtpacRegistry) registry = ntpac_cli_load_registry (o.plugin_paths);
      g_autoptr(GBytes) request = query_request (&o);
      guint agent = 0;

      /* Each agent asked, through a transport of its own; one that cannot
       * be reached is told as any other failure of its. */
      for (guint i = 0; i < sources->len;)
        {
          RowSource *src = sources->pdata[i];
          const gchar *endpoint[2] = { src->endpoint, NULL };
          g_autoptr(GError) local = NULL;

          if (src->query != NULL)
            {
              i++;
              continue;
            }
          src->transport = ntpac_cli_remote_transport (registry, &o.remote, (gint) agent++, &local);
          if (src->transport != NULL)
            g_object_set (src->transport, "query-client", TRUE, NULL);
          if (src->transport == NULL ||
              !ntpac_transport_connect_peers (src->transport, endpoint, &local) ||
              !ntpac_transport_send_message (src->transport, 0, request, FALSE, &local))
            {
              if (!drop_source (sources, i, local, o.partial, &failures))
                {
                  query_options_clear (&o);
                  return NTPAC_EXIT_ERROR;
                }
              continue;
            }
          i++;
        }
    }

  /* The first row of each, and the columns. */
  columns = NULL;
  for (guint i = 0; i < sources->len;)
    {
      RowSource *src = sources->pdata[i];
      g_autoptr(GError) local = NULL;
      gboolean ok;

      if (src->query != NULL)
        {
          columns = ntpac_query_get_columns (src->query);
          ok = local_next_row (src, &local) || local == NULL;
        }
      else
        ok = agent_columns (src, &local) && (agent_next_row (src, &local) || local == NULL);
      if (!ok && !drop_source (sources, i, local, o.partial, &failures))
        {
          query_options_clear (&o);
          return NTPAC_EXIT_ERROR;
        }
      if (ok)
        i++;
    }
  for (guint i = 0; columns == NULL && i < sources->len; i++)
    columns = (const gchar * const *) ((RowSource *) sources->pdata[i])->columns;
  if (columns == NULL)
    {
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;   /* every agent failed, each said so */
    }
  /* Several databases read as one: each row says where it came from. */
  merged = (stores != NULL && stores->len > 1) || n_agents > 0;
  if (merged)
    {
      guint n = g_strv_length ((gchar **) columns);

      with_db = g_new0 (const gchar *, n + 2);
      memcpy (with_db, columns, n * sizeof *with_db);
      with_db[n] = "db";
      columns = with_db;
    }
  if (g_str_equal (format, "tsv") && !o.count)
    print_tsv_line (NULL, columns);
  as_table = g_str_equal (format, "table") && !o.count;
  if (as_table)
    table_init (&table, columns);
  while (n_rows < limit)
    {
      RowSource *best = NULL;
      guint best_index = 0;
      g_autoptr(GError) local = NULL;
      gboolean more;

      for (guint i = 0; i < sources->len; i++)
        {
          RowSource *src = sources->pdata[i];

          if (src->row != NULL && (best == NULL || g_bytes_compare (src->key, best->key) < 0))
            {
              best = src;
              best_index = i;
            }
        }
      if (best == NULL)
        break;
      row = g_steal_pointer (&best->row);
      n_rows++;
      if (!o.count)
        {
          if (merged)
            {
              g_autofree gchar *db = best->query != NULL ? g_strdup (best->db)
                                     : g_strconcat (best->endpoint, best->db[0] == '/' ? "" : "/", best->db, NULL);

              ntpac_query_row_add_string (row, "db", db);
            }
          if (g_str_equal (format, "jsonl"))
            {
              g_autofree gchar *line = ntpac_query_row_to_json (columns, row);

              fputs (line, stdout);
              fputc ('\n', stdout);
            }
          else if (g_str_equal (format, "tsv"))
            print_tsv_line (row, columns);
          else
            table_add_row (&table, row);
        }
      g_clear_pointer (&row, g_ptr_array_unref);
      more = best->query != NULL ? local_next_row (best, &local) : agent_next_row (best, &local);
      if (!more && local != NULL)
        {
          if (best->query != NULL)
            {
              error = g_steal_pointer (&local);
              break;
            }
          if (!drop_source (sources, best_index, local, o.partial, &failures))
            {
              status = NTPAC_EXIT_ERROR;
              break;
            }
        }
    }
  if (as_table)
    table_finish (&table);
  if (o.count && error == NULL)
    printf ("%" G_GUINT64_FORMAT "\n", n_rows);
  if (error != NULL)
    {
      ntpac_cli_error ("%s", error->message);
      status = NTPAC_EXIT_ERROR;
    }
  if (failures > 0)
    status = NTPAC_EXIT_ERROR;   /* the results lack what those agents hold */
  g_clear_pointer (&sources, g_ptr_array_unref);
  query_options_clear (&o);
  return status;
}
