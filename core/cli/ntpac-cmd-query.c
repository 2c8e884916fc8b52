/* ntpac-cmd-query.c: `ntpac-engine query`
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <ntpac/ntpac.h>

#include "ntpac-cli.h"

typedef struct
{
  gchar    **databases;
  gchar     *format;
  gchar     *ip;
  gchar     *port;
  gchar     *host;
  gchar     *since;
  gchar     *until;
  gchar     *conversation;
  gchar    **rest;
} QueryOptions;

static void
query_options_clear (QueryOptions *o)
{
  g_strfreev (o->databases);
  g_free (o->format);
  g_free (o->ip);
  g_free (o->port);
  g_free (o->host);
  g_free (o->since);
  g_free (o->until);
  g_free (o->conversation);
  g_strfreev (o->rest);
}

/* Opens every -d database read-only; a query never changes evidence. */
GPtrArray *
ntpac_cli_open_databases (gchar       **paths,
                          const gchar  *command)
{
  GPtrArray *stores = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_cli_close_database);

  if (paths == NULL || paths[0] == NULL)
    {
      ntpac_cli_usage_error (command, _("No database given: use -d DB (several times to read several as one)"));
      g_ptr_array_unref (stores);
      return NULL;
    }
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      NtpacStore *store = ntpac_store_open (paths[i], NTPAC_STORE_READ, NTPAC_STORE_BULK, &error);

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

/* Fills the filter; FALSE (and a one-line message naming the value)
 * for a value that is not one. */
static gboolean
parse_filter (QueryOptions     *o,
              NtpacQueryFilter *filter)
{
  memset (filter, 0, sizeof *filter);
  filter->port = -1;
  if (o->ip != NULL)
    {
      if (!ntpac_address_parse (o->ip, &filter->ip))
        {
          ntpac_cli_error (_("“%s” is not an IP address (--ip)"), o->ip);
          return FALSE;
        }
      filter->has_ip = TRUE;
    }
  if (o->port != NULL)
    {
      guint64 port;

      if (!g_ascii_string_to_unsigned (o->port, 10, 0, 65535, &port, NULL))
        {
          ntpac_cli_error (_("“%s” is not a port (--port): use a number from 0 to 65535"), o->port);
          return FALSE;
        }
      filter->port = (gint) port;
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
  if (o->conversation != NULL)
    {
      if (!ntpac_conversation_id_from_hex (o->conversation, &filter->conversation))
        {
          ntpac_cli_error (_("“%s” is not a conversation id (32 hex digits)"), o->conversation);
          return FALSE;
        }
      filter->has_conversation = TRUE;
    }
  filter->host = o->host;
  return TRUE;
}

static gchar *
cell_text (GPtrArray   *row,
           const gchar *column)
{
  return ntpac_query_value_to_text (ntpac_query_row_get (row, column));
}

/* TSV: tabs, newlines and backslashes in values are escaped. */
static void
print_tsv_line (GPtrArray           *row,
                const gchar * const *columns)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; columns[i] != NULL; i++)
    {
      g_autofree gchar *text = row != NULL ? cell_text (row, columns[i]) : g_strdup (columns[i]);

      if (i > 0)
        g_string_append_c (line, '\t');
      for (const gchar *p = text; *p != '\0'; p++)
        {
          if (*p == '\t')
            g_string_append (line, "\\t");
          else if (*p == '\n')
            g_string_append (line, "\\n");
          else
            g_string_append_c (line, *p);
        }
    }
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);
  g_string_free (line, TRUE);
}

#define TABLE_MAX_WIDTH 40

/* Aligned columns for people: wide values are cut with "…". */
static void
print_table (GPtrArray           *rows,
             const gchar * const *columns)
{
  guint n = g_strv_length ((gchar **) columns);
  g_autofree guint *width = g_new0 (guint, n);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint c = 0; c < n; c++)
    width[c] = g_utf8_strlen (columns[c], -1);
  for (guint r = 0; r < rows->len; r++)
    {
      gchar **cells = g_new0 (gchar *, n + 1);

      for (guint c = 0; c < n; c++)
        {
          gchar *text = cell_text (rows->pdata[r], columns[c]);

          if (g_utf8_strlen (text, -1) > TABLE_MAX_WIDTH)
            {
              gchar *cut = g_utf8_substring (text, 0, TABLE_MAX_WIDTH - 1);

              g_free (text);
              text = g_strconcat (cut, "…", NULL);
              g_free (cut);
            }
          width[c] = MAX (width[c], (guint) g_utf8_strlen (text, -1));
          cells[c] = text;
        }
      g_ptr_array_add (texts, cells);
    }
  for (gint r = -1; r < (gint) texts->len; r++)
    {
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < n; c++)
        {
          const gchar *text = r < 0 ? columns[c] : ((gchar **) texts->pdata[r])[c];
          guint pad = width[c] - g_utf8_strlen (text, -1);

          g_string_append (line, text);
          if (c + 1 < n)
            {
              for (guint i = 0; i < pad + 2; i++)
                g_string_append_c (line, ' ');
            }
        }
      g_string_append_c (line, '\n');
      fputs (line->str, stdout);
      g_string_free (line, TRUE);
    }
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
    { "ip", 0, 0, G_OPTION_ARG_STRING, &o.ip,
      N_("Only records from or to this address"), N_("IP") },
    { "port", 0, 0, G_OPTION_ARG_STRING, &o.port,
      N_("Only records from or to this port"), N_("PORT") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &o.host,
      N_("Only records whose host, DNS name or TLS server name matches GLOB"), N_("GLOB") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &o.since,
      N_("Only records at or after TIME"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &o.until,
      N_("Only records at or before TIME"), N_("TIME") },
    { "conversation", 0, 0, G_OPTION_ARG_STRING, &o.conversation,
      N_("Only records of the conversation ID"), N_("ID") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.rest, NULL, N_("KIND") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("KIND — list stored records"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stores = NULL;
  g_autoptr(NtpacQuery) query = NULL;
  g_autoptr(GPtrArray) table_rows = NULL;
  g_autofree gchar *kinds = g_strjoinv (", ", (gchar **) ntpac_query_kinds ());
  g_autofree gchar *summary = g_strdup_printf (_("KIND is one of %s.\n"
                                                 "Times are RFC 3339 (2024-03-01T10:00:00Z), dates, or seconds since 1970.\n"
                                                 "The databases are opened read-only, also while a run writes them."),
                                               kinds);
  const gchar * const *columns;
  const gchar *format;
  NtpacQueryFilter filter;
  GPtrArray *row;
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
  if (g_str_equal (format, "tsv"))
    print_tsv_line (NULL, columns);
  if (g_str_equal (format, "table"))
    table_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  while ((row = ntpac_query_next (query, &error)) != NULL)
    {
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
        g_ptr_array_add (table_rows, row);
    }
  if (table_rows != NULL)
    print_table (table_rows, columns);
  if (error != NULL)
    {
      ntpac_cli_error ("%s", error->message);
      status = NTPAC_EXIT_ERROR;
    }
  query_options_clear (&o);
  return status;
}
