/* kt-window.c: the main window: the VMs, the host map and the session
 *
 * Shows its session's (kt-session.h) VMs in the sidebar and its host on
 * the map, what is pending and whether it is saved in the header, and
 * forwards undo and redo to it; follows its live refresh (lost
 * connection, reconnection, where vCPUs run).  Opening a source is in
 * kt-window-load.c, saving and the close prompt in kt-window-close.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-connection-dialog.h"
#include "kt-error.h"
#include "kt-window-private.h"

#define ZOOM_STEP 1.25

G_DEFINE_FINAL_TYPE (KtWindow, kt_window, ADW_TYPE_APPLICATION_WINDOW)

/* Helpers ---------------------------------------------------------------- */

KtApplication *
kt_window_priv_app (KtWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return KT_IS_APPLICATION (app) ? KT_APPLICATION (app) : NULL;
}

static GSettings *
get_settings (KtWindow *self)
{
  KtApplication *app = kt_window_priv_app (self);

  return app != NULL ? kt_application_get_settings (app) : NULL;
}

KtSnapshot *
kt_window_priv_snapshot (KtWindow *self)
{
  return self->session != NULL ? kt_session_get_snapshot (self->session) : NULL;
}

static KtConnection *
get_connection (KtWindow *self)
{
  return self->session != NULL ? kt_session_get_connection (self->session) : NULL;
}

void
kt_window_priv_toast (KtWindow   *self,
                      const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
kt_window_priv_show_error (KtWindow   *self,
                           const char *message)
{
  g_autofree char *escaped = NULL;

  if (self->session != NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "map");
      kt_window_priv_toast (self, message);
      return;
    }
  escaped = g_markup_escape_text (message, -1);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

KtVm *
kt_window_priv_first_pending (KtWindow *self)
{
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);
  GListModel *vms;

  if (snapshot == NULL)
    return NULL;
  vms = kt_snapshot_get_vms (snapshot);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      if (kt_session_has_changes (self->session, kt_vm_get_name (vm)))
        return vm;   /* the snapshot holds it */
    }
  return NULL;
}

/* The header: what is pending, saved or not ------------------------------ */

/* "web1: 3 pending changes" when they are all on one VM, else how many */
static char *
pending_text (KtWindow *self,
              guint     n)
{
  GListModel *vms = kt_snapshot_get_vms (kt_session_get_snapshot (self->session));
  const char *only = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      if (kt_session_get_n_pending_vm (self->session, kt_vm_get_name (vm)) == 0)
        continue;
      if (only != NULL)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending change",
                                             "%u pending changes", n), n);
      only = kt_vm_get_name (vm);
    }
  /* Host changes pending too: not all on one VM */
  if (only != NULL && kt_session_get_n_pending_host (self->session) == 0)
    return kt_session_dup_pending_title (self->session, only);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending change",
                                       "%u pending changes", n), n);
}

/* "Undo: Pin of web1" */
static void
set_step_tooltip (GtkWidget  *button,
                  const char *action,
                  const char *label)
{
  g_autofree char *text = NULL;

  if (label != NULL)
    /* Translators: a tooltip, "Undo: Pin of web1" */
    text = g_strdup_printf (_("%s: %s"), action, label);
  gtk_widget_set_tooltip_text (button, text != NULL ? text : action);
}

static void
update_actions (KtWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean loaded = self->session != NULL;
  gboolean dirty = loaded && kt_session_is_dirty (self->session);
  guint n = loaded ? kt_session_get_n_pending (self->session) : 0;

  gtk_widget_action_set_enabled (widget, "win.undo", loaded && kt_session_can_undo (self->session));
  gtk_widget_action_set_enabled (widget, "win.redo", loaded && kt_session_can_redo (self->session));
  gtk_widget_action_set_enabled (widget, "win.save", loaded);
  gtk_widget_action_set_enabled (widget, "win.save-as", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-in", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-out", loaded);
  gtk_widget_action_set_enabled (widget, "win.zoom-fit", loaded);
  gtk_widget_action_set_enabled (widget, "win.apply", loaded);

  set_step_tooltip (self->undo_button, _("Undo"),
                    loaded ? kt_session_get_undo_label (self->session) : NULL);
  set_step_tooltip (self->redo_button, _("Redo"),
                    loaded ? kt_session_get_redo_label (self->session) : NULL);

  if (n > 0)
    {
      g_autofree char *text = pending_text (self, n);

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
  const char *title = self->session != NULL ? kt_session_get_title (self->session) : NULL;
  g_autofree char *subtitle = NULL;

  if (title != NULL && kt_session_is_dirty (self->session))
    /* Translators: the source in the header when it has unsaved changes */
    subtitle = g_strdup_printf (_("%s (unsaved)"), title);
  else
    subtitle = g_strdup (title);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

static void
update_row_pending (KtWindow *self,
                    KtVmRow  *row)
{
  KtVm *vm = kt_vm_row_get_vm (row);
  g_autofree char *pending = NULL;

  if (vm != NULL && self->session != NULL)
    pending = kt_session_dup_pending_title (self->session, kt_vm_get_name (vm));
  kt_vm_row_set_pending (row, pending);
}

void
kt_window_priv_update (KtWindow *self)
{
  GHashTableIter iter;
  gpointer row;

  update_actions (self);
  update_title (self);
  if (self->vm_rows == NULL)
    return;   /* disposed */
  g_hash_table_iter_init (&iter, self->vm_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    update_row_pending (self, row);
}

/* Sidebar ---------------------------------------------------------------- */

static guint
vm_position (KtWindow *self,
             KtVm     *vm)
{
  GListModel *vms;

  if (vm == NULL || kt_window_priv_snapshot (self) == NULL)
    return 0;
  vms = kt_snapshot_get_vms (kt_window_priv_snapshot (self));
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) item = g_list_model_get_item (vms, i);

      if (item == vm)
        return i + 1;
    }
  return 0;
}

/* Selects @vm (NULL: all) both in the sidebar and on the map */
void
kt_window_priv_select_vm (KtWindow *self,
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
  kt_window_priv_select_vm (self, vm);
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
      if (self->vm_rows != NULL)
        g_hash_table_add (self->vm_rows, row);
      update_row_pending (self, row);
    }
  else
    {
      kt_vm_row_set_vm (row, NULL);
      g_set_weak_pointer (&self->all_row, row);
      KtSnapshot *snapshot = kt_window_priv_snapshot (self);

      kt_vm_row_set_n_vms (row, snapshot != NULL
                                ? g_list_model_get_n_items (kt_snapshot_get_vms (snapshot))
                                : 0);
    }
}

/* A host without VMs: the sidebar says what to do instead of listing none */
void
kt_window_priv_update_empty (KtWindow *self)
{
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);
  gboolean empty = snapshot != NULL
                   && g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)) == 0;

  if (empty && get_connection (self) != NULL)
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
  KtWindow *self = KT_WINDOW (user_data);
  KtVmRow *row = KT_VM_ROW (gtk_list_item_get_child (item));

  if (self->vm_rows != NULL)
    g_hash_table_remove (self->vm_rows, row);
  kt_vm_row_set_vm (row, NULL);
  kt_vm_row_set_pending (row, NULL);
}

void
kt_window_priv_set_sidebar_model (KtWindow *self)
{
  g_autoptr(GListStore) models = NULL;
  g_autoptr(GtkFlattenListModel) flat = NULL;

  if (self->session == NULL)
    {
      gtk_single_selection_set_model (self->selection, NULL);
      return;
    }

  models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (models, self->all_store);
  g_list_store_append (models, kt_snapshot_get_vms (kt_session_get_snapshot (self->session)));
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
  kt_window_priv_select_vm (self, vm);
}

static void
on_canvas_selected_vm (KtWindow *self)
{
  kt_window_priv_select_vm (self, kt_map_canvas_get_selected_vm (self->canvas));
}

static void
on_canvas_pin_failed (KtWindow    *self,
                      const char  *message,
                      KtMapCanvas *canvas)
{
  kt_window_priv_toast (self, message);
}

/* Actions ---------------------------------------------------------------- */

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
      kt_window_priv_toast (self, _("Only local snapshot files can be opened"));
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
  kt_window_priv_add_filters (GTK_FILE_CHOOSER (chooser));
  g_signal_connect (chooser, "response", G_CALLBACK (open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_connected (KtWindow     *self,
              KtSnapshot   *snapshot,
              KtConnection *connection)
{
  g_autoptr(KtSession) session = kt_session_new (snapshot, connection, NULL);

  /* A load still running would replace this connection */
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  kt_window_priv_set_session (self, session);
}

static void
show_connection_dialog (KtWindow *self)
{
  KtApplication *app = kt_window_priv_app (self);
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
  KtApplication *app = kt_window_priv_app (self);
  KtSourceSpec spec = { 0, };

  if (app == NULL || kt_application_get_demo_path (app) == NULL)
    {
      kt_window_priv_show_error (self, _("The demo host is not installed"));
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

  /* The panel follows the session's changes itself */
  if (self->session != NULL && kt_session_undo (self->session))
    kt_map_canvas_refresh (self->canvas);
  kt_window_priv_update (self);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  /* The panel follows the session's changes itself */
  if (self->session != NULL && kt_session_redo (self->session))
    kt_map_canvas_refresh (self->canvas);
  kt_window_priv_update (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  self->after_save = NULL;
  kt_window_priv_save (self);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KtWindow *self = KT_WINDOW (widget);

  self->after_save = NULL;
  kt_window_priv_save_as (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  kt_window_priv_confirm_discard (KT_WINDOW (widget), show_open_chooser);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  kt_window_priv_confirm_discard (KT_WINDOW (widget), show_connection_dialog);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  kt_window_priv_confirm_discard (KT_WINDOW (widget), open_demo);
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

  if (vm == NULL)
    {
      vm = kt_window_priv_first_pending (self);
      if (vm != NULL)
        kt_window_priv_select_vm (self, vm);
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

  if (!self->close_confirmed && self->after_save != NULL)
    return TRUE;   /* still asking, or applying */
  if (!self->close_confirmed && kt_window_priv_has_unsaved (self))
    {
      kt_window_priv_confirm_discard (self, close_confirmed);
      return TRUE;
    }

  save_window_state (self);
  g_cancellable_cancel (self->load_cancellable);
  kt_window_priv_release_session (self);
  return GTK_WINDOW_CLASS (kt_window_parent_class)->close_request (window);
}

static void
kt_window_dispose (GObject *object)
{
  KtWindow *self = KT_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  kt_window_priv_advice_dispose (self);

  /* The list and the canvas go first: they hold the snapshot's VMs */
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_WINDOW);

  kt_window_priv_release_session (self);
  if (self->apply_dialog != NULL)
    g_signal_handlers_disconnect_by_data (self->apply_dialog, self);
  g_clear_weak_pointer (&self->apply_dialog);
  g_clear_pointer (&self->applying, g_free);
  g_clear_object (&self->selection);
  g_clear_object (&self->all_store);
  g_clear_pointer (&self->vm_rows, g_hash_table_unref);
  g_clear_weak_pointer (&self->all_row);

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
  g_type_ensure (KT_TYPE_HOST_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/KvmTune/ui/kt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, undo_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, redo_button);
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
  /* kt-window-advice.c finds it with gtk_widget_get_template_child () */
  gtk_widget_class_bind_template_child_full (widget_class, "advice_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, view_switcher);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, host_view);
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

  self->vm_rows = g_hash_table_new (NULL, NULL);
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

  g_signal_connect (self, "realize", G_CALLBACK (kt_window_priv_realized), NULL);
  g_signal_connect_object (self->canvas, "map", G_CALLBACK (kt_window_priv_update_observing), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "unmap", G_CALLBACK (kt_window_priv_update_observing), self,
                           G_CONNECT_SWAPPED);
  kt_window_priv_advice_init (self);
  kt_window_priv_init_host (self);
  kt_window_priv_update (self);
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

KtSnapshot *
kt_window_get_snapshot (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  return kt_window_priv_snapshot (self);
}

KtPlan *
kt_window_get_plan (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  return self->session != NULL ? kt_session_get_plan (self->session) : NULL;
}

/**
 * kt_window_get_session:
 *
 * Returns: (transfer none) (nullable): what the window shows, with what
 * is pending on it; %NULL until a source is loaded
 */
KtSession *
kt_window_get_session (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  return self->session;
}
