/* kt-window-load.c: the window opens a source
 *
 * A libvirt URI (or, with an empty spec, qemu:///system with the
 * read-only fallback, else the demo host) through
 * kt_connection_open_async (); files (a snapshot, capabilities and domain
 * XML) through kt_source_load_full () in a worker thread.  Either becomes
 * the window's session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-window-private.h"

#define DEFAULT_URI "qemu:///system"

typedef struct
{
  KtWindow     *self;
  KtSourceSpec  spec;
  gboolean      is_default;
  char         *demo_path;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->self);
  kt_source_spec_clear (&load->spec);
  g_free (load->demo_path);
  g_free (load);
}

/* The files left out: listed under the sidebar, told in a toast (the
 * sidebar may be folded away) and on stderr for whoever started us */
static void
show_file_errors (KtWindow  *self,
                  GPtrArray *file_errors)
{
  g_autofree char *message = NULL;

  if (file_errors == NULL || file_errors->len == 0)
    return;
  kt_load_errors_set_errors (self->load_errors, file_errors);
  kt_window_priv_update_empty (self);
  for (guint i = 0; i < file_errors->len; i++)
    {
      const KtSourceFileError *e = g_ptr_array_index (file_errors, i);

      g_message ("%s: not loaded: %s", e->path, e->error->message);
    }
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u domain file could not be read",
                                          "%u domain files could not be read",
                                          file_errors->len),
                             file_errors->len);
  kt_window_priv_toast (self, message);
}

/* Whether this load is still the window's: another replaced it, or the
 * window closed */
static gboolean
still_wanted (Load   *load,
              GError *error)
{
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A connection ----------------------------------------------------------- */

static void
connected (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Load *load = user_data;
  KtWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) connection = NULL;
  g_autoptr(KtSession) session = NULL;

  connection = kt_connection_open_finish (result, &snapshot, &error);
  if (!still_wanted (load, error))
    {
      load_free (load);
      return;
    }
  g_clear_object (&self->load_cancellable);

  if (connection == NULL && load->is_default)
    {
      /* No libvirt here: the demo host, never saved over (Save asks where) */
      g_debug ("%s: %s", DEFAULT_URI, error->message);
      if (load->demo_path == NULL)
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf (_("%s cannot be opened (%s), and the demo host is not "
                                       "installed"), DEFAULT_URI, error->message);
          kt_window_priv_show_error (self, message);
          load_free (load);
          return;
        }
      g_clear_error (&error);
      snapshot = kt_snapshot_load_file (load->demo_path, &error);
      if (snapshot == NULL)
        {
          kt_window_priv_show_error (self, error->message);
          load_free (load);
          return;
        }
      session = kt_session_new (snapshot, NULL, NULL);
      kt_session_set_title (session, _("Demo host"));
      kt_window_priv_set_session (self, session);
      {
        g_autofree char *notice = NULL;

        notice = g_strdup_printf (_("%s is not reachable: showing the demo host"), DEFAULT_URI);
        kt_window_priv_toast (self, notice);
      }
      load_free (load);
      return;
    }
  if (connection == NULL)
    {
      kt_window_priv_show_error (self, error->message);
      load_free (load);
      return;
    }

  session = kt_session_new (snapshot, connection, NULL);
  kt_window_priv_set_session (self, session);
  load_free (load);
}

/* Files, in a thread ----------------------------------------------------- */

typedef struct
{
  KtSnapshot *snapshot;
  GPtrArray  *file_errors;   /* KtSourceFileError: domain files left out */
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_object (&loaded->snapshot);
  g_clear_pointer (&loaded->file_errors, g_ptr_array_unref);
  g_free (loaded);
}

static void
load_files_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  /* One bad domain file leaves out its VM, not the host */
  loaded->snapshot = kt_source_load_full (&load->spec, KT_SOURCE_LOAD_KEEP_GOING, NULL,
                                          &loaded->file_errors, &error);
  if (loaded->snapshot == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, loaded, loaded_free);
}

static void
files_loaded (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  KtWindow *self = KT_WINDOW (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  KtApplication *app = kt_window_priv_app (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autofree char *title = NULL;
  Loaded *loaded;
  const char *path;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (!still_wanted (load, error))
    return;
  g_clear_object (&self->load_cancellable);
  if (loaded == NULL)
    {
      kt_window_priv_show_error (self, error->message);
      return;
    }

  /* The bundled demo host is never saved over: Save asks where */
  path = load->spec.snapshot;
  if (path != NULL && app != NULL && kt_application_is_demo_path (app, path))
    {
      title = g_path_get_basename (path);
      path = NULL;
    }
  else if (path == NULL)
    title = g_path_get_basename (load->spec.caps);

  session = kt_session_new (loaded->snapshot, NULL, path);
  if (title != NULL)
    kt_session_set_title (session, title);
  kt_window_priv_set_session (self, session);
  show_file_errors (self, loaded->file_errors);
  loaded_free (loaded);
}

/* Public ----------------------------------------------------------------- */

void
kt_window_load (KtWindow           *self,
                const KtSourceSpec *spec)
{
  KtApplication *app;
  Load *load;

  g_return_if_fail (KT_IS_WINDOW (self));

  app = kt_window_priv_app (self);
  load = g_new0 (Load, 1);
  if (spec != NULL)
    {
      load->spec.connect = g_strdup (spec->connect);
      load->spec.snapshot = g_strdup (spec->snapshot);
      load->spec.caps = g_strdup (spec->caps);
      load->spec.domains = g_strdupv (spec->domains);
      load->spec.read_only = spec->read_only;
    }
  load->is_default = kt_source_spec_is_empty (&load->spec);
  load->demo_path = app != NULL ? g_strdup (kt_application_get_demo_path (app)) : NULL;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  if (self->session == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  if (load->is_default || load->spec.connect != NULL)
    {
      KtConnectionOpenFlags flags;

      if (load->spec.read_only)
        flags = KT_CONNECTION_OPEN_READ_ONLY;
      else if (load->is_default)
        flags = KT_CONNECTION_OPEN_FALLBACK_READ_ONLY;
      else
        flags = KT_CONNECTION_OPEN_DEFAULT;
      load->self = g_object_ref (self);
      kt_connection_open_async (load->is_default ? DEFAULT_URI : load->spec.connect, flags,
                                self->load_cancellable, connected, load);
    }
  else
    {
      g_autoptr(GTask) task = g_task_new (self, self->load_cancellable, files_loaded, NULL);

      g_task_set_source_tag (task, kt_window_load);
      g_task_set_task_data (task, load, load_free);
      g_task_run_in_thread (task, load_files_thread);
    }
}
