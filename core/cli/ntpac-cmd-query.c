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
parse_filter (QueryOptions     *o,
              NtpacQueryFilter *filter)
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
          ntpac_cli_error (_("“%s” is not an IP address or network (--ip): use 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32"),
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
          ntpac_cli_error (_("“%s” is not a port (--port): use a number from 0 to 65535"), o->port[i]);
          return FALSE;
        }
      value = (gint) port;
      g_array_append_val (o->ports, value);
    }
  if (o->since != NULL && !(filter->has_since = ntpac_time_parse (o->since, &filter->since_ns)))
    {
      ntpac_cli_error (_("“%s” is not a time (--since): use 2024-03-01T10:00:00Z, a date, or seconds since 1970"), o->since);
      return FALSE;
    }
  if (o->until != NULL && !(filter->has_until = ntpac_time_parse (o->until, &filter->until_ns)))
    {
      ntpac_cli_error (_("“%s” is not a time (--until): use 2024-03-01T10:00:00Z, a date, or seconds since 1970"), o->until);
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
          ntpac_cli_error (_("“%s” is not a conversation id (32 hex digits)"), o->conversation[i]);
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
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.rest, NULL, N_("KIND") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("KIND — list stored records"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;
  g_autoptr(NtpacQuery) query = NULL;
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
  if (!parse_filter (&o, &filter))
    {
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;
    }
  stores = ntpac_cli_open_databases (o.databases, "query");
  if (stores == NULL)
    {
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;
    }
  query = ntpac_query_new ((NtpacStore **) stores->pdata, stores->len, o.rest[0], &filter, &error);
  if (query == NULL)
    {
      ntpac_cli_error ("%s", error->message);
      query_options_clear (&o);
      return NTPAC_EXIT_ERROR;
    }
  columns = ntpac_query_get_columns (query);
  /* Several databases read as one: each row says where it came from. */
  merged = stores->len > 1;
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
  while (n_rows < limit && (row = ntpac_query_next (query, &error)) != NULL)
    {
      n_rows++;
      if (o.count)
        {
          g_ptr_array_unref (row);
          continue;
        }
      if (merged)
        ntpac_query_row_add_string (row, "db",
                                    ntpac_store_get_path (stores->pdata[ntpac_query_get_last_store (query)]));
      if (g_str_equal (format, "jsonl"))
        {
          g_autofree gchar *line = ntpac_query_row_to_json (columns, row);

          fputs (line, stdout);
          fputc ('\n', stdout);
          g_ptr_array_unref (row);
        }
      else if (g_str_equal (format, "tsv"))
        {
          print_tsv_line (row, columns);
          g_ptr_array_unref (row);
        }
      else
        {
          table_add_row (&table, row);
          g_ptr_array_unref (row);
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
  query_options_clear (&o);
  return status;
}
