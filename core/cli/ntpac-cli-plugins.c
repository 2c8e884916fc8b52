/* ntpac-cli-plugins.c: finding plugins and pipelines for the commands
 *
 * Installed, ntpac-engine loads the plugins of its plugin folder and the
 * pipelines of its data folder. Run from the build tree, it uses the
 * plugins just built and the source tree's config/ instead, so that it
 * works before it is installed.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include <stdlib.h>

#include "ntpac-cli.h"
#include "ntpac-privileges-private.h"

/* Whether this program is the one in the build tree. */
static gboolean
running_uninstalled (void)
{
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;

  return dir != NULL && g_str_equal (dir, NTPAC_BUILD_CLI_DIR);
}

/**
 * ntpac_cli_load_registry:
 * @plugin_paths: (nullable): --plugin-path folders
 *
 * Exits with status 1 when @plugin_paths names folders and the process
 * is privileged.
 *
 * Returns: (transfer full): the plugins found
 */
NtpacRegistry *
ntpac_cli_load_registry (gchar **plugin_paths)
{
  NtpacRegistry *registry;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  /* main() refuses --plugin-path first; this keeps any other caller
   * from loading the user's code with rights the user does not have. */
  if (plugin_paths != NULL && plugin_paths[0] != NULL && ntpac_running_privileged ())
    {
      ntpac_cli_error (_("--plugin-path is refused: ntpac-engine runs with more privileges than its user "
                         "(setuid or capabilities), and would run the plugins with them"));
      exit (NTPAC_EXIT_ERROR);
    }
  registry = ntpac_registry_new ();
  for (guint i = 0; plugin_paths != NULL && plugin_paths[i] != NULL; i++)
    g_ptr_array_add (paths, g_strdup (plugin_paths[i]));
  if (running_uninstalled ())
    {
      /* plugins/NAME/libntpac-NAME.so, one folder per plugin, and the
       * example in plugins/ itself */
      g_autoptr(GDir) dir = g_dir_open (NTPAC_BUILD_PLUGINS_DIR, 0, NULL);
      const gchar *name;

      g_ptr_array_add (paths, g_strdup (NTPAC_BUILD_PLUGINS_DIR));
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *sub = g_build_filename (NTPAC_BUILD_PLUGINS_DIR, name, NULL);

          if (g_file_test (sub, G_FILE_TEST_IS_DIR) && !g_str_has_suffix (name, ".p"))
            g_ptr_array_add (paths, g_steal_pointer (&sub));
        }
    }
  g_ptr_array_add (paths, NULL);
  ntpac_registry_load (registry, (const gchar * const *) paths->pdata);
  return registry;
}

/* The pipeline `run` uses when none is named. */
static gchar *
default_pipeline_path (void)
{
  if (running_uninstalled ())
    return g_build_filename (NTPAC_SOURCE_CONFIG_DIR, "offline-forensics.yaml", NULL);
  return g_build_filename (NTPAC_DATADIR, "pipelines", "offline-forensics.yaml", NULL);
}

/**
 * ntpac_cli_load_pipeline:
 * @path: (nullable): -c PIPELINE.yaml, or %NULL for the default
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the pipeline
 */
NtpacPipeline *
ntpac_cli_load_pipeline (const gchar  *path,
                         GError      **error)
{
  g_autofree gchar *fallback = path == NULL ? default_pipeline_path () : NULL;

  return ntpac_pipeline_load_file (path != NULL ? path : fallback, error);
}
