/* ntpac-registry.c: loading plugins and keeping the features they provide
 *
 * Modules are searched for in the --plugin-path folders, then the
 * NTPAC_PLUGIN_PATH ones, then the system folder (NTPAC_PLUGIN_SYSTEM_PATH
 * or the installed one); the environment is ignored when the process runs
 * with more privileges than its user (setuid, capabilities), as
 * Wireshark's plugin loader does. Each module exports one descriptor whose
 * ABI version is checked before anything else is read; its init only
 * registers features, which the core wires once every plugin is loaded.
 * A module that cannot be used is kept in the list with the reason, and
 * never stops the engine.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ntpac-dissector.h"
#include "ntpac-privileges-private.h"
#include "ntpac-registry.h"
#include "ntpac-transport.h"

#define MODULE_PREFIX "libntpac-"

G_DEFINE_QUARK (ntpac-plugin-error-quark, ntpac_plugin_error)

struct _NtpacRegistry
{
  GPtrArray  *plugins;        /* NtpacPluginInfo, loaded and refused, in search order */
  GHashTable *loaded;         /* plugin name -> NtpacPluginInfo */
  GHashTable *features[2];    /* per kind: name -> NtpacFeature */
  gchar     **search_path;
};

/* What a plugin's init sees. */
struct _NtpacPlugin
{
  NtpacRegistry   *registry;
  NtpacPluginInfo *info;
};

static void
feature_free (gpointer data)
{
  NtpacFeature *feature = data;

  g_free (feature->name);
  g_free (feature);
}

static void
plugin_info_free (gpointer data)
{
  NtpacPluginInfo *info = data;

  g_free (info->path);
  g_free (info->name);
  g_free (info->version);
  g_free (info->description);
  g_free (info->license);
  g_free (info->origin);
  g_ptr_array_unref (info->features);
  g_clear_error (&info->error);
  g_free (info);
}

NtpacRegistry *
ntpac_registry_new (void)
{
  NtpacRegistry *self = g_new0 (NtpacRegistry, 1);

  self->plugins = g_ptr_array_new_with_free_func (plugin_info_free);
  self->loaded = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < G_N_ELEMENTS (self->features); k++)
    self->features[k] = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
ntpac_registry_free (NtpacRegistry *self)
{
  if (self == NULL)
    return;
  for (guint k = 0; k < G_N_ELEMENTS (self->features); k++)
    g_hash_table_unref (self->features[k]);
  g_hash_table_unref (self->loaded);
  g_ptr_array_unref (self->plugins);
  g_strfreev (self->search_path);
  g_free (self);
}

const gchar *
ntpac_feature_kind_to_string (NtpacFeatureKind kind)
{
  return kind == NTPAC_FEATURE_DISSECTOR ? "dissector" : "transport";
}

/* ---- what init may call -------------------------------------------------- */

static gboolean
add_feature (NtpacPlugin       *plugin,
             NtpacFeatureKind   kind,
             GType              base,
             const gchar       *name,
             guint              rank,
             GType              type,
             GError           **error)
{
  NtpacFeature *feature;

  g_return_val_if_fail (plugin != NULL, FALSE);
  if (name == NULL || *name == '\0' || !g_type_is_a (type, base) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_INVALID_DESC,
                   _("Plugin “%s” registers the %s “%s” with a type that is not a concrete %s"),
                   plugin->info->name, ntpac_feature_kind_to_string (kind), name != NULL ? name : "",
                   g_type_name (base));
      return FALSE;
    }
  if (g_hash_table_contains (plugin->registry->features[kind], name))
    {
      const NtpacFeature *other = g_hash_table_lookup (plugin->registry->features[kind], name);

      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_DUPLICATE,
                   _("The %s “%s” is already provided by the plugin “%s”"),
                   ntpac_feature_kind_to_string (kind), name, other->plugin->name);
      return FALSE;
    }
  for (guint i = 0; i < plugin->info->features->len; i++)
    {
      NtpacFeature *mine = plugin->info->features->pdata[i];

      if (mine->kind == kind && g_str_equal (mine->name, name))
        {
          g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_DUPLICATE,
                       _("Plugin “%s” registers the %s “%s” twice"),
                       plugin->info->name, ntpac_feature_kind_to_string (kind), name);
          return FALSE;
        }
    }
  feature = g_new0 (NtpacFeature, 1);
  feature->name = g_strdup (name);
  feature->kind = kind;
  feature->rank = rank;
  feature->type = type;
  feature->plugin = plugin->info;
  g_ptr_array_add (plugin->info->features, feature);
  return TRUE;
}

/**
 * ntpac_plugin_add_dissector:
 * @plugin: the plugin being loaded
 * @name: the feature's name, as pipelines name it
 * @rank: #NtpacRank
 * @type: a concrete subclass of #NtpacDissector
 * @error: return location for a #GError
 *
 * Registers a dissector. Call it from the plugin's init only.
 *
 * Returns: %FALSE if @type is not a dissector or @name is taken
 * Since: 0.1
 */
gboolean
ntpac_plugin_add_dissector (NtpacPlugin  *plugin,
                            const gchar  *name,
                            guint         rank,
                            GType         type,
                            GError      **error)
{
  return add_feature (plugin, NTPAC_FEATURE_DISSECTOR, NTPAC_TYPE_DISSECTOR, name, rank, type, error);
}

/**
 * ntpac_plugin_add_transport:
 * @plugin: the plugin being loaded
 * @name: the feature's name, as pipelines name it
 * @rank: #NtpacRank
 * @type: a concrete subclass of #NtpacTransport
 * @error: return location for a #GError
 *
 * Registers a transport. Call it from the plugin's init only.
 *
 * Returns: %FALSE if @type is not a transport or @name is taken
 * Since: 0.1
 */
gboolean
ntpac_plugin_add_transport (NtpacPlugin  *plugin,
                            const gchar  *name,
                            guint         rank,
                            GType         type,
                            GError      **error)
{
  return add_feature (plugin, NTPAC_FEATURE_TRANSPORT, NTPAC_TYPE_TRANSPORT, name, rank, type, error);
}

const gchar *
ntpac_plugin_get_name (NtpacPlugin *plugin)
{
  return plugin->info->name;
}

/* ---- loading --------------------------------------------------------------- */

/* "libntpac-foo-bar.so" -> "foo-bar"; NULL for files that are not plugins. */
static gchar *
module_name (const gchar *path)
{
  g_autofree gchar *base = g_path_get_basename (path);
  const gchar *suffix = "." G_MODULE_SUFFIX;

  if (!g_str_has_prefix (base, MODULE_PREFIX) || !g_str_has_suffix (base, suffix) ||
      strlen (base) <= strlen (MODULE_PREFIX) + strlen (suffix))
    return NULL;
  return g_strndup (base + strlen (MODULE_PREFIX), strlen (base) - strlen (MODULE_PREFIX) - strlen (suffix));
}

/* Every descriptor field must be set, and the name must be the file's. */
static gboolean
check_desc (const NtpacPluginDesc  *desc,
            const gchar            *path,
            const gchar            *symbol_name,
            GError                **error)
{
  const gchar *missing = NULL;

  if (desc->name == NULL)
    missing = "name";
  else if (desc->version == NULL)
    missing = "version";
  else if (desc->description == NULL)
    missing = "description";
  else if (desc->license == NULL)
    missing = "license";
  else if (desc->origin == NULL)
    missing = "origin";
  else if (desc->init == NULL)
    missing = "init";
  if (missing != NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_INVALID_DESC,
                   _("“%s”: the plugin descriptor has no %s"), path, missing);
      return FALSE;
    }
  if (!g_str_equal (desc->name, symbol_name))
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_INVALID_DESC,
                   _("“%s”: the plugin descriptor is named “%s”, not “%s” as its file"),
                   path, desc->name, symbol_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_module (NtpacRegistry    *self,
             NtpacPluginInfo  *info,
             GError          **error)
{
  g_autofree gchar *name = module_name (info->path);
  g_autofree gchar *symbol_name = NULL;
  g_autofree gchar *symbol = NULL;
  g_autoptr(GError) local = NULL;
  const NtpacPluginDesc *(*get_desc) (void) = NULL;
  const NtpacPluginDesc *desc;
  NtpacPlugin plugin = { self, info };
  GModule *module;

  if (name == NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE,
                   _("“%s” is not named libntpac-NAME.%s"), info->path, G_MODULE_SUFFIX);
      return FALSE;
    }
  symbol_name = g_strdelimit (g_strdup (name), "-", '_');
  module = g_module_open_full (info->path, G_MODULE_BIND_LOCAL, &local);
  if (module == NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE,
                   _("“%s” cannot be loaded: %s"), info->path, local->message);
      return FALSE;
    }
  symbol = g_strdup_printf ("ntpac_plugin_%s_get_desc", symbol_name);
  if (!g_module_symbol (module, symbol, (gpointer *) &get_desc) || get_desc == NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE,
                   _("“%s” has no function %s(): it is not an ntpac plugin"), info->path, symbol);
      g_module_close (module);
      return FALSE;
    }
  desc = get_desc ();
  if (desc == NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_INVALID_DESC,
                   _("“%s”: %s() returned no descriptor"), info->path, symbol);
      g_module_close (module);
      return FALSE;
    }
  /* The ABI version first: nothing else of the descriptor can be trusted
   * before it. */
  if (desc->abi_version != NTPAC_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_ABI_MISMATCH,
                   _("“%s” was built for plugin ABI %u, this ntpac-engine has ABI %u: rebuild it"),
                   info->path, desc->abi_version, NTPAC_PLUGIN_ABI_VERSION);
      g_module_close (module);
      return FALSE;
    }
  if (!check_desc (desc, info->path, symbol_name, error))
    {
      g_module_close (module);
      return FALSE;
    }
  info->name = g_strdup (desc->name);
  info->version = g_strdup (desc->version);
  info->description = g_strdup (desc->description);
  info->license = g_strdup (desc->license);
  info->origin = g_strdup (desc->origin);
  if (g_hash_table_contains (self->loaded, info->name))
    {
      const NtpacPluginInfo *first = g_hash_table_lookup (self->loaded, info->name);

      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_DUPLICATE,
                   _("“%s”: a plugin named “%s” was already loaded from “%s”"),
                   info->path, info->name, first->path);
      if (g_strcmp0 (first->path, info->path) != 0)
        g_module_close (module);
      return FALSE;
    }
  /* Types registered by init live as long as the process. */
  g_module_make_resident (module);
  if (!desc->init (&plugin, &local))
    {
      /* A feature refused by the registry keeps its own reason. */
      gint code = local != NULL && local->domain == NTPAC_PLUGIN_ERROR ? local->code
                                                                       : NTPAC_PLUGIN_ERROR_INIT_FAILED;

      g_set_error (error, NTPAC_PLUGIN_ERROR, code, _("“%s”: the plugin failed to start: %s"), info->path,
                   local != NULL ? local->message : _("no reason given"));
      g_ptr_array_set_size (info->features, 0);
      return FALSE;
    }
  return TRUE;
}

/**
 * ntpac_registry_load_file:
 * @self: a registry
 * @path: a module file
 * @error: return location for a #GError
 *
 * Loads one plugin. It is listed by ntpac_registry_get_plugins() either
 * way, with the reason when it was refused.
 *
 * Returns: %TRUE if it was loaded
 * Since: 0.1
 */
gboolean
ntpac_registry_load_file (NtpacRegistry  *self,
                          const gchar    *path,
                          GError        **error)
{
  NtpacPluginInfo *info = g_new0 (NtpacPluginInfo, 1);

  info->path = g_canonicalize_filename (path, NULL);
  info->features = g_ptr_array_new_with_free_func (feature_free);
  g_ptr_array_add (self->plugins, info);
  if (!load_module (self, info, &info->error))
    {
      g_debug ("plugin refused: %s", info->error->message);
      if (error != NULL)
        *error = g_error_copy (info->error);
      return FALSE;
    }
  g_hash_table_insert (self->loaded, info->name, info);
  for (guint i = 0; i < info->features->len; i++)
    {
      NtpacFeature *feature = info->features->pdata[i];

      g_hash_table_insert (self->features[feature->kind], feature->name, feature);
    }
  return TRUE;
}

/* Adds the folders of @list, each once. */
static void
add_path_list (GPtrArray   *path,
               const gchar *list)
{
  g_auto(GStrv) dirs = NULL;

  if (list == NULL)
    return;
  dirs = g_strsplit (list, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree gchar *dir = dirs[i][0] != '\0' ? g_canonicalize_filename (dirs[i], NULL) : NULL;
      gboolean seen = FALSE;

      for (guint j = 0; dir != NULL && j < path->len; j++)
        seen |= g_str_equal (path->pdata[j], dir);
      if (dir != NULL && !seen)
        g_ptr_array_add (path, g_steal_pointer (&dir));
    }
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * ntpac_registry_load:
 * @self: a registry
 * @extra_paths: (nullable) (array zero-terminated=1): folders searched
 *   first (--plugin-path); each may list several, separated by `:`
 *
 * Loads every plugin of the search path, in order; the first plugin of a
 * name wins.
 * Since: 0.1
 */
void
ntpac_registry_load (NtpacRegistry       *self,
                     const gchar * const *extra_paths)
{
  g_autoptr(GPtrArray) path = g_ptr_array_new_with_free_func (g_free);
  /* The environment is the user's to set: it must not decide which code
   * runs with more rights than the user has. */
  gboolean privileged = ntpac_running_privileged ();
  const gchar *system = privileged ? NULL : g_getenv ("NTPAC_PLUGIN_SYSTEM_PATH");

  for (guint i = 0; extra_paths != NULL && extra_paths[i] != NULL; i++)
    add_path_list (path, extra_paths[i]);
  if (!privileged)
    add_path_list (path, g_getenv ("NTPAC_PLUGIN_PATH"));
  add_path_list (path, system != NULL ? system : NTPAC_PLUGINS_DIR);
  g_ptr_array_add (path, NULL);
  g_strfreev (self->search_path);
  self->search_path = g_strdupv ((gchar **) path->pdata);

  for (guint i = 0; self->search_path[i] != NULL; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (self->search_path[i], 0, NULL);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      const gchar *entry;

      if (dir == NULL)
        continue;
      while ((entry = g_dir_read_name (dir)) != NULL)
        if (g_str_has_prefix (entry, MODULE_PREFIX) && g_str_has_suffix (entry, "." G_MODULE_SUFFIX))
          g_ptr_array_add (files, g_build_filename (self->search_path[i], entry, NULL));
      /* A stable order, so that "the first of a name" means something. */
      g_ptr_array_sort (files, compare_strings);
      for (guint f = 0; f < files->len; f++)
        ntpac_registry_load_file (self, files->pdata[f], NULL);
    }
}

/**
 * ntpac_registry_get_search_path:
 * @self: a registry
 *
 * Returns: (transfer full): the folders searched by the last
 *   ntpac_registry_load(), in order
 * Since: 0.1
 */
gchar **
ntpac_registry_get_search_path (NtpacRegistry *self)
{
  return g_strdupv (self->search_path);
}

/**
 * ntpac_registry_get_plugins:
 * @self: a registry
 *
 * Returns: (transfer none) (element-type NtpacPluginInfo): every plugin
 *   file found, loaded or refused, in search order
 * Since: 0.1
 */
GPtrArray *
ntpac_registry_get_plugins (NtpacRegistry *self)
{
  return self->plugins;
}

static gint
compare_rank (gconstpointer a,
              gconstpointer b)
{
  const NtpacFeature *fa = *(const NtpacFeature * const *) a;
  const NtpacFeature *fb = *(const NtpacFeature * const *) b;

  if (fa->rank != fb->rank)
    return fa->rank > fb->rank ? -1 : 1;
  return strcmp (fa->name, fb->name);
}

/**
 * ntpac_registry_get_features:
 * @self: a registry
 * @kind: which kind
 *
 * Returns: (transfer container) (element-type NtpacFeature): the loaded
 *   features of @kind, highest rank first, then by name
 * Since: 0.1
 */
GPtrArray *
ntpac_registry_get_features (NtpacRegistry    *self,
                             NtpacFeatureKind  kind)
{
  GPtrArray *features = g_ptr_array_new ();
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, self->features[kind]);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (features, value);
  g_ptr_array_sort (features, compare_rank);
  return features;
}

const NtpacFeature *
ntpac_registry_find (NtpacRegistry    *self,
                     NtpacFeatureKind  kind,
                     const gchar      *name)
{
  return g_hash_table_lookup (self->features[kind], name);
}

/**
 * ntpac_registry_create:
 * @self: a registry
 * @kind: which kind
 * @name: the feature's name
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new instance of the feature, or
 *   %NULL if no loaded plugin provides it
 * Since: 0.1
 */
gpointer
ntpac_registry_create (NtpacRegistry     *self,
                       NtpacFeatureKind   kind,
                       const gchar       *name,
                       GError           **error)
{
  const NtpacFeature *feature = ntpac_registry_find (self, kind, name);

  if (feature == NULL)
    {
      g_set_error (error, NTPAC_PLUGIN_ERROR, NTPAC_PLUGIN_ERROR_MODULE,
                   _("No plugin provides the %s “%s” (see “ntpac-engine plugins”)"),
                   ntpac_feature_kind_to_string (kind), name);
      return NULL;
    }
  return g_object_new (feature->type, NULL);
}
