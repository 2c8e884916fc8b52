/* ntpac-pipeline.c: pipelines described in YAML
 *
 * The file is read with libyaml's event parser into a small tree (with the
 * line and column of every node), bounded in size and depth, then walked
 * key by key: a key the pipeline does not know, a value of the wrong type
 * or out of range is an error that names FILE:LINE:COLUMN. Dissector and
 * transport settings are the features' GObject properties, converted
 * through their GParamSpec when the features are created.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <glib/gi18n-lib.h>

#include "ntpac-dissector.h"
#include "ntpac-pipeline.h"

/* A pipeline is a page of YAML: these bound what a hostile file costs. */
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_DEPTH     16
#define MAX_NODES     20000

G_DEFINE_QUARK (ntpac-pipeline-error-quark, ntpac_pipeline_error)

typedef enum
{
  NODE_SCALAR,
  NODE_SEQUENCE,
  NODE_MAPPING,
} NodeType;

typedef struct _Node Node;
struct _Node
{
  NodeType   type;
  gchar     *value;      /* scalars */
  GPtrArray *children;   /* sequences: items; mappings: key, value, key, value... */
  guint      line;
  guint      column;
};

typedef struct
{
  const gchar *file;
  GError     **error;
} Walk;

static void
node_free (gpointer data)
{
  Node *node = data;

  if (node == NULL)
    return;
  g_free (node->value);
  if (node->children != NULL)
    g_ptr_array_unref (node->children);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, node_free)

static void set_error (GError **error, gint code, const gchar *file, guint line, guint column,
                       const gchar *format, ...) G_GNUC_PRINTF (6, 7);

static void
set_error (GError      **error,
           gint          code,
           const gchar  *file,
           guint         line,
           guint         column,
           const gchar  *format,
           ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, NTPAC_PIPELINE_ERROR, code, "%s:%u:%u: %s", file, line, column, message);
}

/* ---- YAML to a tree --------------------------------------------------------- */

typedef struct
{
  yaml_parser_t parser;
  const gchar  *file;
  guint         nodes;
} Reader;

/* Reads the node that starts with @event (consumed by the caller). */
static Node *
read_node (Reader        *r,
           yaml_event_t  *event,
           guint          depth,
           GError       **error)
{
  Node *node = g_new0 (Node, 1);

  node->line = event->start_mark.line + 1;
  node->column = event->start_mark.column + 1;
  if (++r->nodes > MAX_NODES || depth > MAX_DEPTH)
    {
      set_error (error, NTPAC_PIPELINE_ERROR_TOO_LARGE, r->file, node->line, node->column,
                 r->nodes > MAX_NODES ? _("too many values (at most %d)") : _("nested too deeply (at most %d levels)"),
                 r->nodes > MAX_NODES ? MAX_NODES : MAX_DEPTH);
      node_free (node);
      return NULL;
    }
  switch (event->type)
    {
    case YAML_SCALAR_EVENT:
      node->type = NODE_SCALAR;
      node->value = g_strndup ((const gchar *) event->data.scalar.value, event->data.scalar.length);
      return node;
    case YAML_ALIAS_EVENT:
      set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, r->file, node->line, node->column,
                 _("aliases (*name) are not allowed in a pipeline"));
      node_free (node);
      return NULL;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      {
        yaml_event_type_t end = event->type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_END_EVENT
                                                                          : YAML_MAPPING_END_EVENT;

        node->type = event->type == YAML_SEQUENCE_START_EVENT ? NODE_SEQUENCE : NODE_MAPPING;
        node->children = g_ptr_array_new_with_free_func (node_free);
        for (;;)
          {
            yaml_event_t child;
            Node *item;

            if (!yaml_parser_parse (&r->parser, &child))
              {
                set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, r->file,
                           r->parser.problem_mark.line + 1, r->parser.problem_mark.column + 1,
                           "%s", r->parser.problem != NULL ? r->parser.problem : _("invalid YAML"));
                node_free (node);
                return NULL;
              }
            if (child.type == end)
              {
                yaml_event_delete (&child);
                break;
              }
            item = read_node (r, &child, depth + 1, error);
            yaml_event_delete (&child);
            if (item == NULL)
              {
                node_free (node);
                return NULL;
              }
            g_ptr_array_add (node->children, item);
          }
        return node;
      }
    default:
      set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, r->file, node->line, node->column,
                 _("unexpected YAML event"));
      node_free (node);
      return NULL;
    }
}

/* The document's root node, or NULL with @error set. */
static Node *
read_document (const gchar  *data,
               gsize         len,
               const gchar  *file,
               GError      **error)
{
  Reader r = { .file = file };
  Node *root = NULL;
  gboolean done = FALSE;

  if (len > MAX_FILE_SIZE)
    {
      set_error (error, NTPAC_PIPELINE_ERROR_TOO_LARGE, file, 1, 1,
                 _("the file is larger than %d bytes"), MAX_FILE_SIZE);
      return NULL;
    }
  yaml_parser_initialize (&r.parser);
  yaml_parser_set_input_string (&r.parser, (const guchar *) data, len);
  while (!done)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&r.parser, &event))
        {
          set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, file,
                     r.parser.problem_mark.line + 1, r.parser.problem_mark.column + 1,
                     "%s", r.parser.problem != NULL ? r.parser.problem : _("invalid YAML"));
          g_clear_pointer (&root, node_free);
          break;
        }
      switch (event.type)
        {
        case YAML_STREAM_END_EVENT:
          done = TRUE;
          break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_ALIAS_EVENT:
          if (root != NULL)
            {
              set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, file, event.start_mark.line + 1,
                         event.start_mark.column + 1, _("a pipeline file holds one document"));
              g_clear_pointer (&root, node_free);
              done = TRUE;
              break;
            }
          root = read_node (&r, &event, 1, error);
          if (root == NULL)
            done = TRUE;
          break;
        default:
          break;
        }
      yaml_event_delete (&event);
    }
  yaml_parser_delete (&r.parser);
  if (root != NULL && root->type != NODE_MAPPING)
    {
      set_error (error, NTPAC_PIPELINE_ERROR_TYPE, file, root->line, root->column,
                 _("a pipeline is a mapping of keys (pipeline:, source:, dissectors:, ...)"));
      g_clear_pointer (&root, node_free);
    }
  else if (root == NULL && error != NULL && *error == NULL)
    set_error (error, NTPAC_PIPELINE_ERROR_SYNTAX, file, 1, 1, _("the file is empty"));
  return root;
}

/* ---- values ----------------------------------------------------------------- */

static gboolean
expect (Walk        *w,
        const Node  *node,
        NodeType     type,
        const gchar *key)
{
  static const gchar * const names[] = { N_("a single value"), N_("a list"), N_("a mapping of keys") };

  if (node->type == type)
    return TRUE;
  set_error (w->error, NTPAC_PIPELINE_ERROR_TYPE, w->file, node->line, node->column,
             _("“%s” must be %s"), key, _(names[type]));
  return FALSE;
}

static gboolean
get_string (Walk         *w,
            const Node   *node,
            const gchar  *key,
            gchar       **out)
{
  if (!expect (w, node, NODE_SCALAR, key))
    return FALSE;
  g_free (*out);
  *out = g_strdup (node->value);
  return TRUE;
}

static gboolean
get_uint (Walk        *w,
          const Node  *node,
          const gchar *key,
          guint64      max,
          guint       *out)
{
  guint64 v;

  if (!expect (w, node, NODE_SCALAR, key))
    return FALSE;
  if (!g_ascii_string_to_unsigned (node->value, 10, 0, max, &v, NULL))
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, node->line, node->column,
                 _("“%s” must be a whole number from 0 to %" PRIu64 ", not “%s”"), key, (guint64) max, node->value);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
get_bool (Walk        *w,
          const Node  *node,
          const gchar *key,
          gboolean    *out)
{
  if (!expect (w, node, NODE_SCALAR, key))
    return FALSE;
  if (g_strv_contains ((const gchar * const[]) { "true", "yes", "on", NULL }, node->value))
    *out = TRUE;
  else if (g_strv_contains ((const gchar * const[]) { "false", "no", "off", NULL }, node->value))
    *out = FALSE;
  else
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_TYPE, w->file, node->line, node->column,
                 _("“%s” must be true or false, not “%s”"), key, node->value);
      return FALSE;
    }
  return TRUE;
}

/* Seconds: a number, 0 to ten million. */
static gboolean
get_seconds (Walk        *w,
             const Node  *node,
             const gchar *key,
             gdouble     *out)
{
  gchar *end = NULL;
  gdouble v;

  if (!expect (w, node, NODE_SCALAR, key))
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (node->value, &end);
  if (errno != 0 || end == node->value || *end != '\0' || !(v >= 0 && v <= 1e7))
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, node->line, node->column,
                 _("“%s” must be seconds from 0 to 10000000, not “%s”"), key, node->value);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* Sizes: bytes, with an optional K, M or G (powers of 1024). */
static gboolean
get_size (Walk        *w,
          const Node  *node,
          const gchar *key,
          guint64      max,
          guint64     *out)
{
  g_autofree gchar *digits = NULL;
  guint64 v, unit = 1;
  gsize n;

  if (!expect (w, node, NODE_SCALAR, key))
    return FALSE;
  digits = g_strdup (node->value);
  n = strlen (digits);
  if (n > 0 && strchr ("KkMmGg", digits[n - 1]) != NULL)
    {
      unit = g_ascii_tolower (digits[n - 1]) == 'k' ? 1024 : g_ascii_tolower (digits[n - 1]) == 'm' ? 1024 * 1024
                                                                                                  : 1024 * 1024 * 1024;
      digits[n - 1] = '\0';
    }
  if (!g_ascii_string_to_unsigned (digits, 10, 0, max / unit, &v, NULL))
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, node->line, node->column,
                 _("“%s” must be a size in bytes (with K, M or G) up to %" PRIu64 " MiB, not “%s”"),
                 key, (guint64) (max / (1024 * 1024)), node->value);
      return FALSE;
    }
  *out = v * unit;
  return TRUE;
}

/* A string or a list of strings. */
static gboolean
get_strings (Walk         *w,
             const Node   *node,
             const gchar  *key,
             gchar      ***out)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  if (node->type == NODE_SCALAR)
    g_ptr_array_add (list, g_strdup (node->value));
  else if (node->type == NODE_SEQUENCE)
    for (guint i = 0; i < node->children->len; i++)
      {
        const Node *item = node->children->pdata[i];

        if (!expect (w, item, NODE_SCALAR, key))
          return FALSE;
        g_ptr_array_add (list, g_strdup (item->value));
      }
  else
    return expect (w, node, NODE_SEQUENCE, key);
  g_ptr_array_add (list, NULL);
  g_strfreev (*out);
  *out = (gchar **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
  return TRUE;
}

static gboolean
unknown_key (Walk        *w,
             const Node  *key,
             const gchar *section,
             const gchar *known)
{
  set_error (w->error, NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, w->file, key->line, key->column,
             _("unknown key “%s” in %s (known: %s)"), key->value, section, known);
  return FALSE;
}

/* Checks that @node is a mapping whose keys are scalars, none twice. */
static gboolean
check_mapping (Walk        *w,
               const Node  *node,
               const gchar *section)
{
  if (!expect (w, node, NODE_MAPPING, section))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];

      if (key->type != NODE_SCALAR)
        {
          set_error (w->error, NTPAC_PIPELINE_ERROR_TYPE, w->file, key->line, key->column,
                     _("keys in %s must be names"), section);
          return FALSE;
        }
      for (guint j = 0; j < i; j += 2)
        if (g_str_equal (((const Node *) node->children->pdata[j])->value, key->value))
          {
            set_error (w->error, NTPAC_PIPELINE_ERROR_UNKNOWN_KEY, w->file, key->line, key->column,
                       _("“%s” is given twice in %s"), key->value, section);
            return FALSE;
          }
    }
  return TRUE;
}

/* ---- sections --------------------------------------------------------------- */

static void
feature_free (gpointer data)
{
  NtpacPipelineFeature *f = data;

  if (f == NULL)
    return;
  g_free (f->name);
  g_ptr_array_unref (f->settings);
  g_free (f);
}

static void
setting_free (gpointer data)
{
  NtpacPipelineSetting *s = data;

  g_free (s->key);
  g_free (s->value);
  g_free (s);
}

static NtpacPipelineFeature *
feature_new (const gchar *name,
             guint        line,
             guint        column)
{
  NtpacPipelineFeature *f = g_new0 (NtpacPipelineFeature, 1);

  f->name = g_strdup (name);
  f->settings = g_ptr_array_new_with_free_func (setting_free);
  f->line = line;
  f->column = column;
  return f;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacPipelineFeature, feature_free)

static gboolean
read_settings (Walk                 *w,
               const Node           *node,
               NtpacPipelineFeature *f)
{
  if (!check_mapping (w, node, "settings"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      NtpacPipelineSetting *s;

      if (!expect (w, value, NODE_SCALAR, key->value))
        return FALSE;
      s = g_new0 (NtpacPipelineSetting, 1);
      s->key = g_strdup (key->value);
      s->value = g_strdup (value->value);
      s->line = value->line;
      s->column = value->column;
      g_ptr_array_add (f->settings, s);
    }
  return TRUE;
}

/* { feature: NAME, settings: { ... } } */
static NtpacPipelineFeature *
read_feature (Walk        *w,
              const Node  *node,
              const gchar *section)
{
  g_autoptr(NtpacPipelineFeature) f = NULL;
  const Node *settings = NULL;

  if (node->type == NODE_SCALAR)
    return feature_new (node->value, node->line, node->column);
  if (!check_mapping (w, node, section))
    return NULL;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];

      if (g_str_equal (key->value, "feature"))
        {
          if (!expect (w, value, NODE_SCALAR, "feature"))
            return NULL;
          f = feature_new (value->value, value->line, value->column);
        }
      else if (g_str_equal (key->value, "settings"))
        settings = value;
      else
        {
          unknown_key (w, key, section, "feature, settings");
          return NULL;
        }
    }
  if (f == NULL)
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_TYPE, w->file, node->line, node->column,
                 _("%s needs a “feature:”"), section);
      return NULL;
    }
  if (settings != NULL && !read_settings (w, settings, f))
    return NULL;
  return g_steal_pointer (&f);
}

static gboolean
read_source (Walk          *w,
             const Node    *node,
             NtpacPipeline *p)
{
  if (!check_mapping (w, node, "source"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "path"))
        ok = get_strings (w, value, "path", &p->inputs);
      else if (g_str_equal (key->value, "interface"))
        ok = get_string (w, value, "interface", &p->interface);
      else if (g_str_equal (key->value, "transport"))
        {
          NtpacPipelineFeature *f = read_feature (w, value, "transport");

          ok = f != NULL;
          if (ok)
            {
              feature_free (p->transport);
              p->transport = f;
            }
        }
      else
        ok = unknown_key (w, key, "source", "path, interface, transport");
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_store (Walk          *w,
            const Node    *node,
            NtpacPipeline *p)
{
  if (!check_mapping (w, node, "store"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "enabled"))
        ok = get_bool (w, value, "enabled", &p->store_enabled);
      else if (g_str_equal (key->value, "path"))
        ok = get_string (w, value, "path", &p->store_path);
      else if (g_str_equal (key->value, "compress"))
        ok = get_bool (w, value, "compress", &p->store_compress);
      else if (g_str_equal (key->value, "memory"))
        ok = get_size (w, value, "memory", G_GUINT64_CONSTANT (64) << 30, &p->store_memory);
      else if (g_str_equal (key->value, "durability"))
        {
          ok = expect (w, value, NODE_SCALAR, "durability");
          if (ok && (g_str_equal (value->value, "bulk") || g_str_equal (value->value, "wal")))
            p->store_wal = g_str_equal (value->value, "wal");
          else if (ok)
            {
              set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, value->line, value->column,
                         _("“durability” must be bulk (offline runs) or wal (live runs), not “%s”"),
                         value->value);
              ok = FALSE;
            }
        }
      else
        ok = unknown_key (w, key, "store", "enabled, path, compress, memory, durability");
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_timeouts (Walk          *w,
               const Node    *node,
               NtpacPipeline *p)
{
  if (!check_mapping (w, node, "timeouts"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "tcp-idle"))
        ok = get_seconds (w, value, key->value, &p->tcp_idle_s);
      else if (g_str_equal (key->value, "udp-idle"))
        ok = get_seconds (w, value, key->value, &p->udp_idle_s);
      else if (g_str_equal (key->value, "tcp-close-delay"))
        ok = get_seconds (w, value, key->value, &p->tcp_close_delay_s);
      else if (g_str_equal (key->value, "fragments"))
        ok = get_seconds (w, value, key->value, &p->fragment_s);
      else
        ok = unknown_key (w, key, "timeouts", "tcp-idle, udp-idle, tcp-close-delay, fragments");
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_memory (Walk          *w,
             const Node    *node,
             NtpacPipeline *p)
{
  if (!check_mapping (w, node, "memory"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "fragments"))
        ok = get_size (w, value, key->value, G_GUINT64_CONSTANT (64) << 30, &p->fragment_memory);
      else if (g_str_equal (key->value, "tracking"))
        ok = get_size (w, value, key->value, G_GUINT64_CONSTANT (1024) << 30, &p->tracking_memory);
      else
        ok = unknown_key (w, key, "memory", "fragments, tracking");
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_node_section (Walk          *w,
                   const Node    *node,
                   NtpacPipeline *p)
{
  if (!check_mapping (w, node, "node"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "id"))
        ok = get_uint (w, value, "id", G_MAXUINT16, &p->node_id);
      else if (g_str_equal (key->value, "count"))
        ok = get_uint (w, value, "count", G_MAXUINT16, &p->node_count);
      else
        ok = unknown_key (w, key, "node", "id, count");
      if (!ok)
        return FALSE;
    }
  if (p->node_count > 0 && p->node_id >= p->node_count)
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, node->line, node->column,
                 _("node id %u is not below the node count %u"), p->node_id, p->node_count);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_cluster (Walk          *w,
              const Node    *node,
              NtpacPipeline *p)
{
  if (!check_mapping (w, node, "cluster"))
    return FALSE;
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const Node *key = node->children->pdata[i];
      const Node *value = node->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "role"))
        {
          ok = get_string (w, value, "role", &p->role);
          if (ok && !g_str_equal (p->role, "balancer") && !g_str_equal (p->role, "reassembler"))
            {
              set_error (w->error, NTPAC_PIPELINE_ERROR_RANGE, w->file, value->line, value->column,
                         _("“role” must be balancer or reassembler, not “%s”"), p->role);
              ok = FALSE;
            }
        }
      else if (g_str_equal (key->value, "listen"))
        ok = get_string (w, value, "listen", &p->listen);
      else if (g_str_equal (key->value, "connect"))
        ok = get_strings (w, value, "connect", &p->peers);
      else
        ok = unknown_key (w, key, "cluster", "role, listen, connect");
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_pipeline (Walk          *w,
               const Node    *root,
               NtpacPipeline *p)
{
  if (!check_mapping (w, root, "the pipeline"))
    return FALSE;
  for (guint i = 0; i + 1 < root->children->len; i += 2)
    {
      const Node *key = root->children->pdata[i];
      const Node *value = root->children->pdata[i + 1];
      gboolean ok;

      if (g_str_equal (key->value, "pipeline"))
        ok = get_string (w, value, "pipeline", &p->name);
      else if (g_str_equal (key->value, "description"))
        ok = get_string (w, value, "description", &p->description);
      else if (g_str_equal (key->value, "source"))
        ok = read_source (w, value, p);
      else if (g_str_equal (key->value, "workers"))
        ok = get_uint (w, value, "workers", 1024, &p->workers);
      else if (g_str_equal (key->value, "node"))
        ok = read_node_section (w, value, p);
      else if (g_str_equal (key->value, "cluster"))
        ok = read_cluster (w, value, p);
      else if (g_str_equal (key->value, "dissectors"))
        {
          ok = expect (w, value, NODE_SEQUENCE, "dissectors");
          g_ptr_array_set_size (p->dissectors, 0);
          for (guint d = 0; ok && d < value->children->len; d++)
            {
              NtpacPipelineFeature *f = read_feature (w, value->children->pdata[d], "a dissector");

              ok = f != NULL;
              if (ok)
                g_ptr_array_add (p->dissectors, f);
            }
        }
      else if (g_str_equal (key->value, "store"))
        ok = read_store (w, value, p);
      else if (g_str_equal (key->value, "timeouts"))
        ok = read_timeouts (w, value, p);
      else if (g_str_equal (key->value, "memory"))
        ok = read_memory (w, value, p);
      else
        ok = unknown_key (w, key, "the pipeline",
                          "pipeline, description, source, workers, node, cluster, dissectors, store, timeouts, memory");
      if (!ok)
        return FALSE;
    }
  if (p->name == NULL)
    {
      set_error (w->error, NTPAC_PIPELINE_ERROR_TYPE, w->file, root->line, root->column,
                 _("the pipeline has no name (pipeline: NAME)"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ntpac_pipeline_load_data:
 * @data: YAML text
 * @len: its length
 * @file: the name errors give for it
 * @error: return location for a #GError (%NTPAC_PIPELINE_ERROR)
 *
 * Returns: (transfer full) (nullable): the pipeline
 * Since: 0.1
 */
NtpacPipeline *
ntpac_pipeline_load_data (const gchar  *data,
                          gsize         len,
                          const gchar  *file,
                          GError      **error)
{
  g_autoptr(Node) root = read_document (data, len, file, error);
  g_autoptr(NtpacPipeline) p = NULL;
  Walk w = { file, error };

  if (root == NULL)
    return NULL;
  p = g_new0 (NtpacPipeline, 1);
  p->file = g_strdup (file);
  p->dissectors = g_ptr_array_new_with_free_func (feature_free);
  p->store_enabled = TRUE;
  p->store_compress = TRUE;
  if (!read_pipeline (&w, root, p))
    return NULL;
  if (p->transport == NULL)
    p->transport = feature_new ("local", root->line, root->column);
  return g_steal_pointer (&p);
}

/**
 * ntpac_pipeline_load_file:
 * @path: a YAML file
 * @error: return location for a #GError (%NTPAC_PIPELINE_ERROR)
 *
 * Returns: (transfer full) (nullable): the pipeline
 * Since: 0.1
 */
NtpacPipeline *
ntpac_pipeline_load_file (const gchar  *path,
                          GError      **error)
{
  g_autofree gchar *data = NULL;
  g_autoptr(GError) local = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, NTPAC_PIPELINE_ERROR, NTPAC_PIPELINE_ERROR_IO,
                   _("Cannot read the pipeline “%s”: %s"), path, local->message);
      return NULL;
    }
  return ntpac_pipeline_load_data (data, len, path, error);
}

void
ntpac_pipeline_free (NtpacPipeline *self)
{
  if (self == NULL)
    return;
  g_free (self->file);
  g_free (self->name);
  g_free (self->description);
  g_strfreev (self->inputs);
  g_free (self->interface);
  feature_free (self->transport);
  g_free (self->role);
  g_free (self->listen);
  g_strfreev (self->peers);
  g_ptr_array_unref (self->dissectors);
  g_free (self->store_path);
  g_free (self);
}

/* ---- features ---------------------------------------------------------------- */

/* Converts a setting written as text to the property's type, checked
 * against the property's range. */
static gboolean
setting_to_value (const NtpacPipelineSetting  *s,
                  GParamSpec                  *pspec,
                  GValue                      *value,
                  const gchar                 *file,
                  GError                     **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  gboolean ok = TRUE;
  gchar *end = NULL;

  g_value_init (value, type);
  errno = 0;
  if (type == G_TYPE_STRING)
    g_value_set_string (value, s->value);
  else if (type == G_TYPE_BOOLEAN)
    {
      if (g_strv_contains ((const gchar * const[]) { "true", "yes", "on", NULL }, s->value))
        g_value_set_boolean (value, TRUE);
      else if (g_strv_contains ((const gchar * const[]) { "false", "no", "off", NULL }, s->value))
        g_value_set_boolean (value, FALSE);
      else
        ok = FALSE;
    }
  else if (type == G_TYPE_INT || type == G_TYPE_INT64 || type == G_TYPE_LONG)
    {
      gint64 v = g_ascii_strtoll (s->value, &end, 10);

      ok = errno == 0 && end != s->value && *end == '\0';
      if (type == G_TYPE_INT)
        {
          ok = ok && v >= G_MININT && v <= G_MAXINT;
          g_value_set_int (value, (gint) v);
        }
      else if (type == G_TYPE_LONG)
        g_value_set_long (value, (glong) v);
      else
        g_value_set_int64 (value, v);
    }
  else if (type == G_TYPE_UINT || type == G_TYPE_UINT64 || type == G_TYPE_ULONG)
    {
      guint64 v = 0;

      ok = g_ascii_string_to_unsigned (s->value, 10, 0, type == G_TYPE_UINT ? G_MAXUINT : G_MAXUINT64, &v, NULL);
      if (type == G_TYPE_UINT)
        g_value_set_uint (value, (guint) v);
      else if (type == G_TYPE_ULONG)
        g_value_set_ulong (value, (gulong) v);
      else
        g_value_set_uint64 (value, v);
    }
  else if (type == G_TYPE_DOUBLE)
    {
      gdouble v = g_ascii_strtod (s->value, &end);

      ok = errno == 0 && end != s->value && *end == '\0';
      g_value_set_double (value, v);
    }
  else if (G_TYPE_IS_ENUM (type))
    {
      GEnumClass *klass = g_type_class_ref (type);
      GEnumValue *e = g_enum_get_value_by_nick (klass, s->value);

      ok = e != NULL;
      if (ok)
        g_value_set_enum (value, e->value);
      g_type_class_unref (klass);
    }
  else
    {
      set_error (error, NTPAC_PIPELINE_ERROR_TYPE, file, s->line, s->column,
                 _("the setting “%s” has a type (%s) that pipelines cannot set"), s->key, g_type_name (type));
      return FALSE;
    }
  if (!ok)
    {
      set_error (error, NTPAC_PIPELINE_ERROR_TYPE, file, s->line, s->column,
                 _("“%s” is not a valid %s for the setting “%s”"), s->value, g_type_name (type), s->key);
      return FALSE;
    }
  /* g_param_value_validate() clamps, and says whether it had to. */
  if (g_param_value_validate (pspec, value))
    {
      set_error (error, NTPAC_PIPELINE_ERROR_RANGE, file, s->line, s->column,
                 _("%s is out of range for the setting “%s” (%s)"), s->value, s->key,
                 g_param_spec_get_blurb (pspec) != NULL ? g_param_spec_get_blurb (pspec) : "");
      return FALSE;
    }
  return TRUE;
}

/* Makes the feature and applies its settings. */
static GObject *
create_feature (NtpacPipeline         *self,
                NtpacRegistry         *registry,
                NtpacFeatureKind       kind,
                NtpacPipelineFeature  *f,
                GError               **error)
{
  const NtpacFeature *feature = ntpac_registry_find (registry, kind, f->name);
  g_autoptr(GObject) object = NULL;

  if (feature == NULL)
    {
      set_error (error, NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE, self->file, f->line, f->column,
                 _("no plugin provides the %s “%s” (see “ntpac-engine plugins”)"),
                 ntpac_feature_kind_to_string (kind), f->name);
      return NULL;
    }
  object = g_object_new (feature->type, NULL);
  for (guint i = 0; i < f->settings->len; i++)
    {
      const NtpacPipelineSetting *s = f->settings->pdata[i];
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), s->key);
      g_auto(GValue) value = G_VALUE_INIT;

      if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE))
        {
          set_error (error, NTPAC_PIPELINE_ERROR_UNKNOWN_FEATURE, self->file, s->line, s->column,
                     _("the %s “%s” has no setting “%s”"), ntpac_feature_kind_to_string (kind), f->name, s->key);
          return NULL;
        }
      if (!setting_to_value (s, pspec, &value, self->file, error))
        return NULL;
      g_object_set_property (object, s->key, &value);
    }
  return g_steal_pointer (&object);
}

/**
 * ntpac_pipeline_create_dissectors:
 * @self: a pipeline
 * @registry: the loaded plugins
 * @error: return location for a #GError (%NTPAC_PIPELINE_ERROR)
 *
 * Makes the pipeline's dissectors with their settings, and checks that
 * each reads TCP or UDP conversations and that no two write the same
 * output.
 *
 * Returns: (transfer container) (element-type NtpacDissector) (nullable):
 *   the dissectors, in order
 * Since: 0.1
 */
GPtrArray *
ntpac_pipeline_create_dissectors (NtpacPipeline  *self,
                                  NtpacRegistry  *registry,
                                  GError        **error)
{
  g_autoptr(GPtrArray) dissectors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) outputs = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->dissectors->len; i++)
    {
      NtpacPipelineFeature *f = self->dissectors->pdata[i];
      NtpacDissector *d = (NtpacDissector *) create_feature (self, registry, NTPAC_FEATURE_DISSECTOR, f, error);
      const gchar * const *names;

      if (d == NULL)
        return NULL;
      g_ptr_array_add (dissectors, d);
      if (!ntpac_dissector_accepts (d, NTPAC_DISSECT_INPUT_TCP_STREAM) &&
          !ntpac_dissector_accepts (d, NTPAC_DISSECT_INPUT_UDP_DATAGRAM))
        {
          set_error (error, NTPAC_PIPELINE_ERROR_LINK, self->file, f->line, f->column,
                     _("the dissector “%s” declares no input this pipeline provides (l4/tcp-stream, l4/udp-datagram)"),
                     f->name);
          return NULL;
        }
      names = ntpac_dissector_get_outputs (d);
      for (guint o = 0; names[o] != NULL; o++)
        {
          const gchar *other = g_hash_table_lookup (outputs, names[o]);

          if (other != NULL)
            {
              set_error (error, NTPAC_PIPELINE_ERROR_LINK, self->file, f->line, f->column,
                         _("the dissectors “%s” and “%s” both write the output “%s”"), other, f->name, names[o]);
              return NULL;
            }
          g_hash_table_insert (outputs, (gpointer) names[o], f->name);
        }
    }
  return g_steal_pointer (&dissectors);
}

/**
 * ntpac_pipeline_create_transport:
 * @self: a pipeline
 * @registry: the loaded plugins
 * @error: return location for a #GError (%NTPAC_PIPELINE_ERROR)
 *
 * Returns: (transfer full) (nullable): the pipeline's transport
 * Since: 0.1
 */
NtpacTransport *
ntpac_pipeline_create_transport (NtpacPipeline  *self,
                                 NtpacRegistry  *registry,
                                 GError        **error)
{
  return (NtpacTransport *) create_feature (self, registry, NTPAC_FEATURE_TRANSPORT, self->transport, error);
}
