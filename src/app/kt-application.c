/* kt-application.c: the KvmTune application
 *
 * Parses the same source options as kvmtune-cli, opens a window per
 * command line, keeps the settings (which may be missing when running
 * uninstalled without a compiled schema) and the recent URIs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kt-application.h"
#include "kt-connection.h"
#include "kt-source.h"
#include "kt-window.h"

#define MAX_RECENT_URIS 10
#define DEMO_HOST_NAME "demo-host.kvmtune"

struct _KtApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *demo_path;
};

G_DEFINE_FINAL_TYPE (KtApplication, kt_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING, NULL,
    N_("Read from libvirt at URI"), N_("URI") },
  { "snapshot", 's', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Read an offline snapshot"), N_("FILE") },
  { "caps", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Read host capabilities XML"), N_("FILE") },
  { "domain", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
    N_("Read domain XML (with --caps; repeatable)"), N_("FILE") },
  { "readonly", 'r', 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the libvirt connection read-only"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
    NULL, N_("[FILE|URI]") },
  { NULL }
};

/* Running from the build tree ------------------------------------------- */

static char *
canonical_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *ret;

  if (resolved == NULL)
    return NULL;
  ret = g_strdup (resolved);
  free (resolved);
  return ret;
}

static gboolean
is_uninstalled (void)
{
#ifdef KT_BUILD_ROOT
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = canonical_path (KT_BUILD_ROOT);

  return exe != NULL && root != NULL &&
         g_str_has_prefix (exe, root) && exe[strlen (root)] == G_DIR_SEPARATOR;
#else
  return FALSE;
#endif
}

/* The schema installed, or when running uninstalled the one compiled into
 * the build tree; NULL when neither exists (the window uses defaults). */
static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

#ifdef KT_BUILD_DATADIR
  if (is_uninstalled ())
    {
      g_autoptr(GSettingsSchemaSource) local = NULL;

      local = g_settings_schema_source_new_from_directory (KT_BUILD_DATADIR, installed,
                                                           FALSE, NULL);
      if (local != NULL)
        schema = g_settings_schema_source_lookup (local, APP_ID, FALSE);
    }
#endif
  if (schema == NULL && installed != NULL)
    schema = g_settings_schema_source_lookup (installed, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("No GSettings schema %s: window size and recent URIs are not kept", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static char *
find_demo_host (void)
{
  const char *installed = PKGDATADIR G_DIR_SEPARATOR_S DEMO_HOST_NAME;
  const char *source = KT_SOURCE_DATADIR G_DIR_SEPARATOR_S DEMO_HOST_NAME;
  const char *first = installed;
  const char *second = source;

  if (is_uninstalled ())
    {
      first = source;
      second = installed;
    }
  if (g_file_test (first, G_FILE_TEST_IS_REGULAR))
    return g_strdup (first);
  if (g_file_test (second, G_FILE_TEST_IS_REGULAR))
    return g_strdup (second);
  return NULL;
}

/* Command line ----------------------------------------------------------- */

static char *
path_for_arg (GApplicationCommandLine *cmdline,
              const char              *arg)
{
  g_autoptr(GFile) file = NULL;

  if (arg == NULL)
    return NULL;
  file = g_application_command_line_create_file_for_arg (cmdline, arg);
  return g_file_get_path (file);
}

/* A bare argument: a libvirt URI ("qemu+ssh://…") or a snapshot file */
static gboolean
spec_take_positional (KtSourceSpec             *spec,
                      GApplicationCommandLine  *cmdline,
                      const char              **remaining,
                      GError                  **error)
{
  const char *arg;
  g_autofree char *scheme = NULL;

  if (remaining == NULL || remaining[0] == NULL)
    return TRUE;
  if (remaining[1] != NULL || !kt_source_spec_is_empty (spec))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Give only one source: a snapshot file or a libvirt URI"));
      return FALSE;
    }

  arg = remaining[0];
  scheme = g_uri_parse_scheme (arg);
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") != 0)
    spec->connect = g_strdup (arg);
  else
    spec->snapshot = path_for_arg (cmdline, arg);
  return TRUE;
}

static int
kt_application_command_line (GApplication            *app,
                             GApplicationCommandLine *cmdline)
{
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree const char **domains = NULL;
  g_autofree const char **remaining = NULL;
  g_autoptr(GError) error = NULL;
  const char *connect = NULL;
  const char *snapshot = NULL;
  const char *caps = NULL;
  KtSourceSpec spec = { 0, };
  GtkWindow *window;

  g_variant_dict_lookup (options, "connect", "&s", &connect);
  g_variant_dict_lookup (options, "snapshot", "^&ay", &snapshot);
  g_variant_dict_lookup (options, "caps", "^&ay", &caps);
  g_variant_dict_lookup (options, "domain", "^a&ay", &domains);
  g_variant_dict_lookup (options, "readonly", "b", &spec.read_only);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &remaining);

  spec.connect = g_strdup (connect);
  spec.snapshot = path_for_arg (cmdline, snapshot);
  spec.caps = path_for_arg (cmdline, caps);
  if (domains != NULL)
    {
      guint n = g_strv_length ((char **) domains);

      spec.domains = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        spec.domains[i] = path_for_arg (cmdline, domains[i]);
    }

  if (!spec_take_positional (&spec, cmdline, remaining, &error) ||
      !kt_source_spec_check (&spec, &error))
    {
      g_application_command_line_printerr (cmdline, "kvmtune: %s\n", error->message);
      kt_source_spec_clear (&spec);
      return 2;
    }

  /* A second plain `kvmtune` raises the window already open */
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window != NULL && kt_source_spec_is_empty (&spec))
    {
      gtk_window_present (window);
      kt_source_spec_clear (&spec);
      return 0;
    }

  window = GTK_WINDOW (kt_window_new (KT_APPLICATION (app)));
  gtk_window_present (window);
  kt_window_load (KT_WINDOW (window), &spec);
  kt_source_spec_clear (&spec);
  return 0;
}

static void
kt_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (kt_window_new (KT_APPLICATION (app)));
      kt_window_load (KT_WINDOW (window), NULL);
    }
  gtk_window_present (window);
}

/* Actions ---------------------------------------------------------------- */

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Closing, not destroying: each window asks about unsaved changes */
  windows = g_list_copy (gtk_application_get_windows (app));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The KvmTune developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("KvmTune"),
                        "application-icon", APP_ID,
                        "developer-name", _("The KvmTune developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("See a KVM host’s NUMA and core map, and pin "
                                      "virtual machines onto it"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
};

static void
set_accels (GtkApplication *app)
{
  static const struct {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.connect", { "<Control>l", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", "<Control>KP_Add", NULL } },
    { "win.zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
    { "win.zoom-fit", { "<Control>0", "<Control>KP_0", NULL } },
    { "win.apply", { "<Control>Return", "<Control>KP_Enter", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

/* KVMTUNE_COLOR_SCHEME=dark|light forces a scheme, for tests and screenshots */
static void
apply_color_scheme_override (void)
{
  const char *scheme = g_getenv ("KVMTUNE_COLOR_SCHEME");
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (scheme == NULL)
    return;
  if (g_ascii_strcasecmp (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_ascii_strcasecmp (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
kt_application_startup (GApplication *app)
{
  KtApplication *self = KT_APPLICATION (app);

  G_APPLICATION_CLASS (kt_application_parent_class)->startup (app);

  /* A libvirt daemon that goes away mid-call must be an error, not the
   * end of the process (as libvirt advises its clients) */
  signal (SIGPIPE, SIG_IGN);

  /* libvirt's events run on the default main context, which GTK runs */
  kt_connection_init_events (FALSE);

  self->settings = create_settings ();
  self->demo_path = find_demo_host ();

  apply_color_scheme_override ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  set_accels (GTK_APPLICATION (app));
}

static void
kt_application_dispose (GObject *object)
{
  KtApplication *self = KT_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->demo_path, g_free);

  G_OBJECT_CLASS (kt_application_parent_class)->dispose (object);
}

static void
kt_application_class_init (KtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = kt_application_dispose;

  app_class->startup = kt_application_startup;
  app_class->activate = kt_application_activate;
  app_class->command_line = kt_application_command_line;
}

static void
kt_application_init (KtApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Show a KVM host’s NUMA and core map and pin "
                                              "its virtual machines.\n"
                                              "Without a source, qemu:///system is opened "
                                              "when reachable, else the demo host."));
}

/* Public ----------------------------------------------------------------- */

KtApplication *
kt_application_new (void)
{
  return g_object_new (KT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/org/example/KvmTune",
                       NULL);
}

/**
 * kt_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings, or %NULL when the
 *   schema is not installed (then everything uses its default)
 */
GSettings *
kt_application_get_settings (KtApplication *self)
{
  g_return_val_if_fail (KT_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * kt_application_get_demo_path:
 *
 * Returns: (nullable): the bundled demo host: the installed copy, or the
 *   source tree's when running uninstalled
 */
const char *
kt_application_get_demo_path (KtApplication *self)
{
  g_return_val_if_fail (KT_IS_APPLICATION (self), NULL);
  return self->demo_path;
}

/* Whether @path is (a copy of) the bundled demo host, which is not saved over */
gboolean
kt_application_is_demo_path (KtApplication *self,
                             const char    *path)
{
  const char *candidates[] = {
    PKGDATADIR G_DIR_SEPARATOR_S DEMO_HOST_NAME,
    KT_SOURCE_DATADIR G_DIR_SEPARATOR_S DEMO_HOST_NAME,
  };
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (KT_IS_APPLICATION (self), FALSE);

  if (path == NULL || (canonical = canonical_path (path)) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *demo = canonical_path (candidates[i]);

      if (demo != NULL && g_str_equal (demo, canonical))
        return TRUE;
    }
  return FALSE;
}

/**
 * kt_application_dup_recent_uris:
 *
 * Returns: (transfer full): the libvirt URIs connected to lately, most
 *   recent first; empty without settings
 */
char **
kt_application_dup_recent_uris (KtApplication *self)
{
  g_return_val_if_fail (KT_IS_APPLICATION (self), NULL);

  if (self->settings == NULL)
    return g_new0 (char *, 1);
  return g_settings_get_strv (self->settings, "recent-uris");
}

void
kt_application_add_recent_uri (KtApplication *self,
                               const char    *uri)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) uris = NULL;
  guint n = 1;

  g_return_if_fail (KT_IS_APPLICATION (self));
  g_return_if_fail (uri != NULL);

  if (self->settings == NULL)
    return;

  old = g_settings_get_strv (self->settings, "recent-uris");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, uri);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_URIS; i++)
    if (!g_str_equal (old[i], uri))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  uris = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-uris", (const char * const *) uris);
}
