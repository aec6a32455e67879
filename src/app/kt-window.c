/* kt-window.c: the main window: the VMs, the host map and the plan
 *
 * Loads a source in a thread, shows its VMs in the sidebar and its host
 * on the map, keeps the plan's undo/redo and pending count in the header,
 * and saves the snapshot with the planned pins in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-connection-dialog.h"
#include "kt-error.h"
#include "kt-live.h"
#include "kt-load-errors.h"
#include "kt-map-canvas.h"
#include "kt-tuning-panel.h"
#include "kt-vm-row.h"
#include "kt-window.h"

#define DEFAULT_URI "qemu:///system"
#define ZOOM_STEP 1.25

typedef void (*KtWindowContinuation) (KtWindow *self);

struct _KtWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *window_title;
  GtkListView          *vm_list;
  GtkWidget            *vm_scroller;
  AdwStatusPage        *empty_page;
  KtLoadErrors         *load_errors;
  GtkStack             *stack;
  AdwStatusPage        *error_page;
  KtMapCanvas          *canvas;
  GtkRevealer          *pending_revealer;
  GtkLabel             *pending_label;
  GtkWidget            *pending_save_button;
  KtTuningPanel        *tuning_panel;
  GtkRevealer          *lost_revealer;
  GtkLabel             *lost_label;

  /* The source */
  GCancellable         *load_cancellable;
  KtSnapshot           *snapshot;
  KtConnection         *connection;
  KtSession            *session;    /* what the map and the panel show */
  KtPlan               *plan;       /* the session's */
  KtLive               *live;       /* follows the connection; NULL for files */
  char                 *path;       /* the file Save writes; NULL: Save asks */
  char                 *title;      /* the header's subtitle */

  /* The sidebar: "All VMs", then the snapshot's VMs */
  GListStore           *all_store;
  KtVmRow              *all_row;    /* weak: its VM count follows live updates */
  GtkSingleSelection   *selection;

  guint                 change_count;
  guint                 saved_count;
  KtWindowContinuation  after_save;
  guint                 syncing_selection : 1;
  guint                 close_confirmed : 1;
  guint                 applied_unsaved : 1;   /* an apply wrote into the snapshot */
};

G_DEFINE_FINAL_TYPE (KtWindow, kt_window, ADW_TYPE_APPLICATION_WINDOW)

static void save_as (KtWindow *self);

/* Helpers ---------------------------------------------------------------- */

static KtApplication *
get_app (KtWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return KT_IS_APPLICATION (app) ? KT_APPLICATION (app) : NULL;
}

static GSettings *
get_settings (KtWindow *self)
{
  KtApplication *app = get_app (self);

  return app != NULL ? kt_application_get_settings (app) : NULL;
}

static void
show_toast (KtWindow   *self,
            const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Unsaved: changes since the last save, or pending ones never saved */
static gboolean
is_dirty (KtWindow *self)
{
  if (self->plan == NULL)
    return FALSE;
  if (self->applied_unsaved)
    return TRUE;
  if (self->saved_count == 0)
    return kt_session_get_n_pending (self->session) > 0;
  return self->change_count != self->saved_count;
}

static void
update_actions (KtWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean loaded = self->snapshot != NULL;
  gboolean dirty = is_dirty (self);
  guint n = self->session != NULL ? kt_session_get_n_pending (self->session) : 0;

  gtk_widget_action_set_enabled (widget, "win.undo",
                                 self->session != NULL && kt_session_can_undo (self->session));
  gtk_widget_action_set_enabled (widget, "win.redo",
                                 self->session != NULL && kt_session_can_redo (self->session));
  gtk_widget_action_set_enabled (widget, "win.save", loaded);
  gtk_widget_action_set_enabled (widget, "win.save-as", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-in", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-out", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-fit", loaded);
  gtk_widget_action_set_enabled (widget, "win.apply", loaded);

  if (n > 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending change",
                                           "%u pending changes", n), n);
      gtk_label_set_label (self->pending_label, text);
    }
  else
    gtk_label_set_label (self->pending_label, _("Unsaved changes"));
  gtk_widget_set_visible (self->pending_save_button, dirty);
  gtk_revealer_set_reveal_child (self->pending_revealer, n > 0 || dirty);
}

static void
update_title (KtWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (self->title != NULL && is_dirty (self))
    /* Translators: the source in the header when it has unsaved changes */
    subtitle = g_strdup_printf (_("%s (unsaved)"), self->title);
  else
    subtitle = g_strdup (self->title);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

/* Sidebar ---------------------------------------------------------------- */

static guint
vm_position (KtWindow *self,
             KtVm     *vm)
{
  GListModel *vms;

  if (vm == NULL || self->snapshot == NULL)
    return 0;
  vms = kt_snapshot_get_vms (self->snapshot);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) item = g_list_model_get_item (vms, i);

      if (item == vm)
        return i + 1;
    }
  return 0;
}

/* Selects @vm (NULL: all) both in the sidebar and on the map */
static void
select_vm (KtWindow *self,
           KtVm     *vm)
{
  guint position;

  if (self->syncing_selection)
    return;

  position = vm_position (self, vm);
  if (position == 0)
    vm = NULL;

  self->syncing_selection = TRUE;
  if (gtk_single_selection_get_selected (self->selection) != position)
    gtk_single_selection_set_selected (self->selection, position);
  if (kt_map_canvas_get_selected_vm (self->canvas) != vm)
    kt_map_canvas_set_selected_vm (self->canvas, vm);
  kt_tuning_panel_set_vm (self->tuning_panel, vm);
  self->syncing_selection = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self->vm_list), "list.scroll-to-item", "u", position);
}

static void
on_selection_changed (KtWindow *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);
  KtVm *vm = KT_IS_VM (item) ? KT_VM (item) : NULL;

  if (self->syncing_selection)
    return;
  select_vm (self, vm);
  if (vm != NULL && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, kt_vm_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  KtWindow *self = KT_WINDOW (user_data);
  KtVmRow *row = KT_VM_ROW (gtk_list_item_get_child (item));
  gpointer object = gtk_list_item_get_item (item);

  if (KT_IS_VM (object))
    {
      /* The "All VMs" row comes first: the VM's own index is one less */
      kt_vm_row_set_vm (row, KT_VM (object));
      kt_vm_row_set_vm_index (row, gtk_list_item_get_position (item) - 1);
    }
  else
    {
      kt_vm_row_set_vm (row, NULL);
      g_set_weak_pointer (&self->all_row, row);
      kt_vm_row_set_n_vms (row, self->snapshot != NULL
                                ? g_list_model_get_n_items (kt_snapshot_get_vms (self->snapshot))
                                : 0);
    }
}

/* A host without VMs: the sidebar says what to do instead of listing none */
static void
update_empty_state (KtWindow *self)
{
  gboolean empty = self->snapshot != NULL
                   && g_list_model_get_n_items (kt_snapshot_get_vms (self->snapshot)) == 0;

  if (empty && self->connection != NULL)
    adw_status_page_set_description (self->empty_page,
                                     _("This host has no VMs yet. Create one with virt-manager "
                                       "or “virsh define”, and it shows up here."));
  else if (empty && kt_load_errors_get_n_errors (self->load_errors) > 0)
    adw_status_page_set_description (self->empty_page,
                                     _("None of the domain files could be read. Fix them and "
                                       "start KvmTune again, or connect to a host."));
  else if (empty)
    adw_status_page_set_description (self->empty_page,
                                     _("There are no VMs here. Create them on the host with "
                                       "virt-manager or “virsh define”, then connect to it, or "
                                       "open another snapshot."));
  gtk_widget_set_visible (self->vm_scroller, !empty);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), empty);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  kt_vm_row_set_vm (KT_VM_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
set_sidebar_model (KtWindow *self)
{
  g_autoptr(GListStore) models = NULL;
  g_autoptr(GtkFlattenListModel) flat = NULL;

  if (self->snapshot == NULL)
    {
      gtk_single_selection_set_model (self->selection, NULL);
      return;
    }

  models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (models, self->all_store);
  g_list_store_append (models, kt_snapshot_get_vms (self->snapshot));
  flat = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&models)));

  self->syncing_selection = TRUE;
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (flat));
  gtk_single_selection_set_selected (self->selection, 0);
  self->syncing_selection = FALSE;
}

/* Canvas ----------------------------------------------------------------- */

static void
on_canvas_vm_activated (KtWindow    *self,
                        KtVm        *vm,
                        KtMapCanvas *canvas)
{
  select_vm (self, vm);
}

static void
on_canvas_selected_vm (KtWindow *self)
{
  select_vm (self, kt_map_canvas_get_selected_vm (self->canvas));
}

static void
on_canvas_pin_failed (KtWindow    *self,
                      const char  *message,
                      KtMapCanvas *canvas)
{
  show_toast (self, message);
}

/* The session: an apply, its undo or a reload replaced a VM's
 * definitions; written into a snapshot, they want saving */
static void
on_session_vm_changed (KtWindow   *self,
                       const char *name,
                       gboolean    snapshot_edited)
{
  kt_map_canvas_refresh (self->canvas);
  if (snapshot_edited)
    {
      self->applied_unsaved = TRUE;
      self->change_count++;
    }
  update_actions (self);
  update_title (self);
}

/* The source ------------------------------------------------------------- */

static void
on_plan_changed (KtWindow *self)
{
  self->change_count++;
  update_actions (self);
  update_title (self);
}

/* Live updates: the connection's events re-read VMs; a lost connection
 * shows the banner and comes back on its own */

static void
on_live_changed (KtWindow *self)
{
  kt_map_canvas_refresh (self->canvas);
  kt_tuning_panel_refresh (self->tuning_panel);
  if (self->all_row != NULL)
    kt_vm_row_set_n_vms (self->all_row,
                         g_list_model_get_n_items (kt_snapshot_get_vms (self->snapshot)));
  update_empty_state (self);
  update_actions (self);
  update_title (self);
}

static void
on_live_edits_dropped (KtWindow   *self,
                       const char *name)
{
  g_autofree char *message = NULL;

  /* Translators: a VM's pins changed outside KvmTune while some were planned */
  message = g_strdup_printf (_("“%s” changed outside KvmTune: its pending changes were dropped"),
                             name);
  show_toast (self, message);
}

static void
on_live_connected (KtWindow *self)
{
  g_autofree char *text = NULL;

  if (!kt_live_get_connected (self->live))
    {
      /* Translators: a banner over the map; %s is a libvirt URI */
      text = g_strdup_printf (_("Connection to %s lost — reconnecting…"), kt_live_get_uri (self->live));
      gtk_label_set_label (self->lost_label, text);
      gtk_revealer_set_reveal_child (self->lost_revealer, TRUE);
      kt_map_canvas_set_observed (self->canvas, NULL);
      return;
    }
  gtk_revealer_set_reveal_child (self->lost_revealer, FALSE);
  g_set_object (&self->connection, kt_live_get_connection (self->live));
  kt_session_set_connection (self->session, self->connection);
  text = g_strdup_printf (_("Reconnected to %s"), kt_live_get_uri (self->live));
  show_toast (self, text);
}

static void
on_live_observed (KtWindow *self)
{
  kt_map_canvas_set_observed (self->canvas, kt_live_get_observed (self->live));
}

static void
clear_live (KtWindow *self)
{
  if (self->live == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->live, self);
  kt_live_stop (self->live);
  g_clear_object (&self->live);
  gtk_revealer_set_reveal_child (self->lost_revealer, FALSE);
  kt_map_canvas_set_observed (self->canvas, NULL);
}

/* Follows the connection, if the source is one */
static void
set_live (KtWindow *self)
{
  clear_live (self);
  if (self->connection == NULL)
    return;
  self->live = kt_live_new (self->connection, self->snapshot, self->plan);
  g_signal_connect_object (self->live, "changed", G_CALLBACK (on_live_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->live, "edits-dropped", G_CALLBACK (on_live_edits_dropped),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->live, "notify::connected", G_CALLBACK (on_live_connected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->live, "observed-changed", G_CALLBACK (on_live_observed),
                           self, G_CONNECT_SWAPPED);
  /* Polls where vCPUs run while the map shows */
  kt_live_set_observer (self->live, GTK_WIDGET (self->canvas));
}

static void
set_source (KtWindow     *self,
            KtSnapshot   *snapshot,
            KtConnection *connection,
            const char   *path,
            const char   *title)
{
  g_autoptr(KtSession) old_session = g_steal_pointer (&self->session);
  KtApplication *app = get_app (self);

  g_assert (KT_IS_SNAPSHOT (snapshot));

  if (old_session != NULL)
    g_signal_handlers_disconnect_by_data (old_session, self);
  g_clear_object (&self->plan);

  g_set_object (&self->snapshot, snapshot);
  g_set_object (&self->connection, connection);
  g_free (self->path);
  self->path = g_strdup (path);
  g_free (self->title);
  self->title = g_strdup (title);
  self->change_count = 0;
  self->saved_count = 0;
  self->applied_unsaved = FALSE;

  self->session = kt_session_new (snapshot, connection, path);
  self->plan = g_object_ref (kt_session_get_plan (self->session));
  g_signal_connect_object (self->session, "changed", G_CALLBACK (on_plan_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "vm-changed", G_CALLBACK (on_session_vm_changed), self,
                           G_CONNECT_SWAPPED);
  set_live (self);

  self->syncing_selection = TRUE;
  kt_map_canvas_set_session (self->canvas, self->session);
  kt_map_canvas_set_selected_vm (self->canvas, NULL);
  kt_tuning_panel_set_session (self->tuning_panel, self->session);
  self->syncing_selection = FALSE;
  set_sidebar_model (self);
  kt_load_errors_set_errors (self->load_errors, NULL);
  update_empty_state (self);

  gtk_stack_set_visible_child_name (self->stack, "map");
  kt_map_canvas_zoom_to_fit (self->canvas);

  if (connection != NULL && app != NULL)
    kt_application_add_recent_uri (app, kt_connection_get_uri (connection));

  update_actions (self);
  update_title (self);
}

static void
show_error (KtWindow   *self,
            const char *message)
{
  if (self->snapshot != NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "map");
      show_toast (self, message);
      return;
    }

  {
    g_autofree char *escaped = g_markup_escape_text (message, -1);

    adw_status_page_set_description (self->error_page, escaped);
    gtk_stack_set_visible_child_name (self->stack, "error");
  }
}

/* Loading, in a thread */

typedef struct
{
  KtSourceSpec  spec;
  gboolean      is_default;
  char         *demo_path;
} LoadRequest;

typedef struct
{
  KtSnapshot   *snapshot;
  KtConnection *connection;
  char         *path;       /* the snapshot file read */
  char         *title;
  char         *notice;     /* why the demo host is shown */
  GPtrArray    *file_errors; /* KtSourceFileError: domain files left out */
} LoadResult;

static void
load_request_free (gpointer data)
{
  LoadRequest *req = data;

  kt_source_spec_clear (&req->spec);
  g_free (req->demo_path);
  g_free (req);
}

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_object (&result->snapshot);
  g_clear_object (&result->connection);
  g_free (result->path);
  g_free (result->title);
  g_free (result->notice);
  g_clear_pointer (&result->file_errors, g_ptr_array_unref);
  g_free (result);
}

static char *
connection_title (KtConnection *connection)
{
  if (kt_connection_is_read_only (connection))
    /* Translators: a libvirt URI opened read-only */
    return g_strdup_printf (_("%s (read-only)"), kt_connection_get_uri (connection));
  return g_strdup (kt_connection_get_uri (connection));
}

static LoadResult *
load_default (LoadRequest  *req,
              GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  LoadResult *result;

  for (gboolean read_only = req->spec.read_only; read_only <= TRUE; read_only++)
    {
      g_autoptr(KtConnection) conn = NULL;
      KtSnapshot *snapshot = NULL;

      g_clear_error (&local_error);
      conn = kt_connection_open (DEFAULT_URI, read_only, &local_error);
      if (conn != NULL)
        snapshot = kt_connection_capture (conn, &local_error);
      if (snapshot != NULL)
        {
          result = g_new0 (LoadResult, 1);
          result->snapshot = snapshot;
          result->title = connection_title (conn);
          result->connection = g_steal_pointer (&conn);
          return result;
        }
    }
  g_debug ("%s: %s", DEFAULT_URI, local_error->message);

  if (req->demo_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s cannot be opened (%s), and the demo host is not installed"),
                   DEFAULT_URI, local_error->message);
      return NULL;
    }

  result = g_new0 (LoadResult, 1);
  result->snapshot = kt_snapshot_load_file (req->demo_path, error);
  if (result->snapshot == NULL)
    {
      load_result_free (result);
      return NULL;
    }
  result->path = g_strdup (req->demo_path);
  result->title = g_strdup (_("Demo host"));
  result->notice = g_strdup_printf (_("%s is not reachable: showing the demo host"), DEFAULT_URI);
  return result;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *req = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GPtrArray) file_errors = NULL;
  KtSnapshot *snapshot;
  LoadResult *result;

  if (req->is_default)
    {
      result = load_default (req, &error);
      if (result == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, result, load_result_free);
      return;
    }

  /* One bad domain file leaves out its VM, not the host */
  snapshot = kt_source_load_full (&req->spec, KT_SOURCE_LOAD_KEEP_GOING, &conn, &file_errors,
                                  &error);
  if (snapshot == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (LoadResult, 1);
  result->snapshot = snapshot;
  if (conn != NULL)
    result->title = connection_title (conn);
  else if (req->spec.snapshot != NULL)
    {
      result->path = g_strdup (req->spec.snapshot);
      result->title = g_path_get_basename (req->spec.snapshot);
    }
  else
    result->title = g_path_get_basename (req->spec.caps);
  result->connection = g_steal_pointer (&conn);
  result->file_errors = g_steal_pointer (&file_errors);
  g_task_return_pointer (task, result, load_result_free);
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
  update_empty_state (self);
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
  show_toast (self, message);
}

static void
load_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  KtWindow *self = KT_WINDOW (object);
  KtApplication *app = get_app (self);
  g_autoptr(GError) error = NULL;
  LoadResult *result;
  const char *path;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* another load replaced this one, or the window closed */

  g_clear_object (&self->load_cancellable);
  if (result == NULL)
    {
      show_error (self, error->message);
      return;
    }

  /* The bundled demo host is never saved over: Save asks where */
  path = result->path;
  if (path != NULL && app != NULL && kt_application_is_demo_path (app, path))
    path = NULL;

  set_source (self, result->snapshot, result->connection, path, result->title);
  show_file_errors (self, result->file_errors);
  if (result->notice != NULL)
    show_toast (self, result->notice);
  load_result_free (result);
}

/* Actions ---------------------------------------------------------------- */

static gboolean
save_to (KtWindow   *self,
         const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *message = NULL;

  if (!kt_snapshot_save (self->snapshot, path, &error))
    {
      if (g_error_matches (error, KT_ERROR, KT_ERROR_CONFLICT))
        {
          /* Another tool rewrote the file: never overwrite its change */
          g_autofree char *escaped = NULL;
          AdwToast *toast;

          message = g_strdup_printf (_("“%s” changed since it was loaded: not saved, to keep "
                                       "the other change"), name);
          escaped = g_markup_escape_text (message, -1);
          toast = adw_toast_new (escaped);
          adw_toast_set_timeout (toast, 0);
          adw_toast_set_button_label (toast, _("Save As…"));
          adw_toast_set_action_name (toast, "win.save-as");
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
          return FALSE;
        }
      message = g_strdup_printf (_("Cannot save “%s”: %s"), name, error->message);
      show_toast (self, message);
      return FALSE;
    }

  self->saved_count = self->change_count;
  self->applied_unsaved = FALSE;
  /* Even with no change (yet), saving marks the start of the history */
  if (self->saved_count == 0)
    self->saved_count = self->change_count = 1;
  message = g_strdup_printf (_("Saved “%s”"), name);
  show_toast (self, message);
  update_actions (self);
  update_title (self);
  return TRUE;
}

static void
run_after_save (KtWindow *self)
{
  KtWindowContinuation after = self->after_save;

  self->after_save = NULL;
  if (after != NULL)
    after (self);
}

static void
save_as_response (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  KtWindow *self = KT_WINDOW (user_data);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (path == NULL || self->snapshot == NULL || !save_to (self, path))
    {
      self->after_save = NULL;
      return;
    }

  /* An offline source becomes the file saved; a connection stays live */
  if (self->connection == NULL)
    {
      g_free (self->path);
      self->path = g_strdup (path);
      g_free (self->title);
      self->title = g_path_get_basename (path);
      update_title (self);
    }
  run_after_save (self);
}

static void
add_snapshot_filters (GtkFileChooser *chooser)
{
  GtkFileFilter *filter;

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("KvmTune Snapshots"));
  gtk_file_filter_add_pattern (filter, "*.kvmtune");
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

static void
save_as (KtWindow *self)
{
  GtkFileChooserNative *chooser;
  const char *hostname;
  g_autofree char *name = NULL;

  if (self->snapshot == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Snapshot"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  add_snapshot_filters (GTK_FILE_CHOOSER (chooser));

  if (self->path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->path);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL);
    }
  else
    {
      hostname = kt_snapshot_get_hostname (self->snapshot);
      name = g_strdup_printf ("%s.kvmtune", hostname && *hostname ? hostname : "host");
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }

  g_signal_connect (chooser, "response", G_CALLBACK (save_as_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Saves to the snapshot's own file when there is one, else asks; then runs
 * self->after_save */
static void
save (KtWindow *self)
{
  if (self->path == NULL)
    {
      save_as (self);
      return;
    }
  if (save_to (self, self->path))
    run_after_save (self);
  else
    self->after_save = NULL;
}

typedef struct
{
  KtWindow *self;
  char     *response;
} ConfirmResponse;

static void
confirm_response_free (gpointer data)
{
  ConfirmResponse *r = data;

  g_object_unref (r->self);
  g_free (r->response);
  g_free (r);
}

static gboolean
confirm_response_idle (gpointer data)
{
  ConfirmResponse *r = data;

  if (g_str_equal (r->response, "save"))
    save (r->self);
  else if (g_str_equal (r->response, "discard"))
    run_after_save (r->self);
  else
    r->self->after_save = NULL;
  return G_SOURCE_REMOVE;
}

/* Acts once the dialog is gone: closing the window from within the
 * dialog's response would leave the dialog with a dead transient parent */
static void
confirm_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  ConfirmResponse *r = g_new0 (ConfirmResponse, 1);

  r->self = g_object_ref (KT_WINDOW (user_data));
  r->response = g_strdup (response);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, confirm_response_idle, r, confirm_response_free);
}

/* Runs @then, after asking to save the unsaved pin changes if any */
static void
confirm_discard (KtWindow             *self,
                 KtWindowContinuation  then)
{
  GtkWidget *dialog;

  if (!is_dirty (self))
    {
      then (self);
      return;
    }

  self->after_save = then;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save Changes?"),
                                   _("The planned pins are not saved in a snapshot. "
                                     "Changes which are not saved will be permanently lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_response (GtkNativeDialog *chooser,
               int              response,
               gpointer         user_data)
{
  KtWindow *self = KT_WINDOW (user_data);
  g_autoptr(GFile) file = NULL;
  KtSourceSpec spec = { 0, };

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (file == NULL)
    return;
  spec.snapshot = g_file_get_path (file);
  if (spec.snapshot == NULL)
    {
      show_toast (self, _("Only local snapshot files can be opened"));
      return;
    }
  kt_window_load (self, &spec);
  kt_source_spec_clear (&spec);
}

static void
show_open_chooser (KtWindow *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Snapshot"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  add_snapshot_filters (GTK_FILE_CHOOSER (chooser));
  g_signal_connect (chooser, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_connected (KtWindow     *self,
              KtSnapshot   *snapshot,
              KtConnection *connection)
{
  g_autofree char *title = connection_title (connection);

  /* A load still running would replace this connection */
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  set_source (self, snapshot, connection, NULL, title);
}

static void
show_connection_dialog (KtWindow *self)
{
  KtApplication *app = get_app (self);
  g_auto(GStrv) recent = app != NULL ? kt_application_dup_recent_uris (app) : NULL;
  GtkWidget *dialog;

  dialog = kt_connection_dialog_new (GTK_WINDOW (self), (const char * const *) recent);
  g_signal_connect_object (dialog, "connected", G_CALLBACK (on_connected), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_demo (KtWindow *self)
{
  KtApplication *app = get_app (self);
  KtSourceSpec spec = { 0, };

  if (app == NULL || kt_application_get_demo_path (app) == NULL)
    {
      show_error (self, _("The demo host is not installed"));
      return;
    }
  spec.snapshot = g_strdup (kt_application_get_demo_path (app));
  kt_window_load (self, &spec);
  kt_source_spec_clear (&spec);
}

static void
close_confirmed (KtWindow *self)
{
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  if (self->session != NULL && kt_session_undo (self->session))
    kt_map_canvas_refresh (self->canvas);
  update_actions (self);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  if (self->session != NULL && kt_session_redo (self->session))
    kt_map_canvas_refresh (self->canvas);
  update_actions (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  self->after_save = NULL;
  save (self);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  self->after_save = NULL;
  save_as (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  confirm_discard (KT_WINDOW (widget), show_open_chooser);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  confirm_discard (KT_WINDOW (widget), show_connection_dialog);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  confirm_discard (KT_WINDOW (widget), open_demo);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);
  double zoom = kt_map_canvas_get_zoom (self->canvas);

  if (g_str_equal (action_name, "win.zoom-in"))
    kt_map_canvas_set_zoom (self->canvas, zoom * ZOOM_STEP);
  else if (g_str_equal (action_name, "win.zoom-out"))
    kt_map_canvas_set_zoom (self->canvas, zoom / ZOOM_STEP);
  else
    kt_map_canvas_zoom_to_fit (self->canvas);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Ctrl+Return: the selected VM's changes, else those of the first VM
 * that has some */
static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);
  KtVm *vm = kt_map_canvas_get_selected_vm (self->canvas);

  if (vm == NULL && self->snapshot != NULL)
    {
      GListModel *vms = kt_snapshot_get_vms (self->snapshot);

      for (guint i = 0; vm == NULL && i < g_list_model_get_n_items (vms); i++)
        {
          g_autoptr(KtVm) item = g_list_model_get_item (vms, i);

          if (kt_tuning_panel_has_changes (self->tuning_panel, item))
            vm = item;
        }
      if (vm != NULL)
        select_vm (self, vm);
    }
  kt_tuning_panel_apply (self->tuning_panel);
}

/* Window state ----------------------------------------------------------- */

static void
save_window_state (KtWindow *self)
{
  GSettings *settings = get_settings (self);
  int width, height;

  if (settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
restore_window_state (KtWindow *self)
{
  GSettings *settings = get_settings (self);

  if (settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               MAX (g_settings_get_int (settings, "window-width"), 360),
                               MAX (g_settings_get_int (settings, "window-height"), 360));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* GObject ---------------------------------------------------------------- */

static gboolean
kt_window_close_request (GtkWindow *window)
{
  KtWindow *self = KT_WINDOW (window);

  if (!self->close_confirmed && is_dirty (self))
    {
      confirm_discard (self, close_confirmed);
      return TRUE;
    }

  save_window_state (self);
  g_cancellable_cancel (self->load_cancellable);
  return GTK_WINDOW_CLASS (kt_window_parent_class)->close_request (window);
}

static void
kt_window_dispose (GObject *object)
{
  KtWindow *self = KT_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  /* The list and the canvas go first: they hold the snapshot's VMs */
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_WINDOW);

  if (self->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->live, self);
      kt_live_stop (self->live);
      g_clear_object (&self->live);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->plan);
  g_clear_object (&self->connection);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->selection);
  g_clear_object (&self->all_store);
  g_clear_weak_pointer (&self->all_row);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (kt_window_parent_class)->dispose (object);
}

static void
kt_window_class_init (KtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kt_window_dispose;
  window_class->close_request = kt_window_close_request;

  g_type_ensure (KT_TYPE_MAP_CANVAS);
  g_type_ensure (KT_TYPE_TUNING_PANEL);
  g_type_ensure (KT_TYPE_LOAD_ERRORS);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/KvmTune/ui/kt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, vm_list);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, vm_scroller);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, load_errors);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, pending_revealer);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, pending_label);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, pending_save_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, lost_revealer);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, lost_label);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, tuning_panel);
  gtk_widget_class_bind_template_callback (widget_class, on_canvas_vm_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_canvas_selected_vm);
  gtk_widget_class_bind_template_callback (widget_class, on_canvas_pin_failed);

  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.apply", NULL, apply_action);
}

static void
kt_window_init (KtWindow *self)
{
  g_autoptr(GObject) all = g_object_new (G_TYPE_OBJECT, NULL);
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->all_store = g_list_store_new (G_TYPE_OBJECT);
  g_list_store_append (self->all_store, all);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->vm_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->vm_list, GTK_SELECTION_MODEL (self->selection));

  update_actions (self);
}

/* Public ----------------------------------------------------------------- */

KtWindow *
kt_window_new (KtApplication *app)
{
  KtWindow *self;

  g_return_val_if_fail (KT_IS_APPLICATION (app), NULL);

  self = g_object_new (KT_TYPE_WINDOW, "application", app, NULL);
  /* Not in constructed(): GtkWindow:application is set after it */
  restore_window_state (self);
  return self;
}

void
kt_window_load (KtWindow           *self,
                const KtSourceSpec *spec)
{
  KtApplication *app;
  g_autoptr(GTask) task = NULL;
  LoadRequest *req;

  g_return_if_fail (KT_IS_WINDOW (self));

  app = get_app (self);
  req = g_new0 (LoadRequest, 1);
  if (spec != NULL)
    {
      req->spec.connect = g_strdup (spec->connect);
      req->spec.snapshot = g_strdup (spec->snapshot);
      req->spec.caps = g_strdup (spec->caps);
      req->spec.domains = g_strdupv (spec->domains);
      req->spec.read_only = spec->read_only;
    }
  req->is_default = kt_source_spec_is_empty (&req->spec);
  req->demo_path = app != NULL ? g_strdup (kt_application_get_demo_path (app)) : NULL;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  if (self->snapshot == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->load_cancellable, load_done, NULL);
  g_task_set_source_tag (task, kt_window_load);
  g_task_set_task_data (task, req, load_request_free);
  g_task_run_in_thread (task, load_thread);
}

KtSnapshot *
kt_window_get_snapshot (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  return self->snapshot;
}

KtPlan *
kt_window_get_plan (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  return self->plan;
}
