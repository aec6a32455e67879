/* kt-connection-dialog.c: asks for a libvirt URI and connects to it
 *
 * Connects and captures in a thread (kt_connection_open_async ()),
 * read-write first and read-only when that is refused (unless asked for
 * read-only), and shows errors inline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-connection-dialog.h"

struct _KtConnectionDialog
{
  AdwWindow      parent_instance;

  AdwEntryRow   *uri_row;
  GtkSwitch     *read_only_switch;
  GtkLabel      *error_label;
  GtkSpinner    *spinner;
  AdwPreferencesGroup *recent_group;
  GtkListBox    *recent_list;

  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (KtConnectionDialog, kt_connection_dialog, ADW_TYPE_WINDOW)

enum {
  CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (KtConnectionDialog *self,
          gboolean            busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->uri_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->read_only_switch), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recent_list), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect",
                                 !busy && *kt_connection_dialog_get_uri (self) != '\0');
}

static void
show_error (KtConnectionDialog *self,
            const char         *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->uri_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->uri_row), "error");
}

static void
connect_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(KtConnectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) connection = NULL;

  connection = kt_connection_open_finish (res, &snapshot, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* closed meanwhile */

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  if (connection == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->uri_row));
      return;
    }

  g_signal_emit (self, signals[CONNECTED], 0, snapshot, connection);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
start_connect (KtConnectionDialog *self)
{
  g_autofree char *uri = g_strstrip (g_strdup (kt_connection_dialog_get_uri (self)));

  if (self->cancellable != NULL)
    return;
  if (*uri == '\0')
    {
      show_error (self, _("Enter a connection URI"));
      return;
    }

  show_error (self, NULL);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  /* Read-write first, read-only when that is refused, unless asked */
  kt_connection_open_async (uri,
                            gtk_switch_get_active (self->read_only_switch)
                            ? KT_CONNECTION_OPEN_READ_ONLY
                            : KT_CONNECTION_OPEN_FALLBACK_READ_ONLY,
                            self->cancellable, connect_done, g_object_ref (self));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  start_connect (KT_CONNECTION_DIALOG (widget));
}

static void
on_uri_activated (KtConnectionDialog *self)
{
  start_connect (self);
}

static void
on_uri_changed (KtConnectionDialog *self)
{
  if (self->cancellable == NULL)
    set_busy (self, FALSE);
  show_error (self, NULL);
}

static void
on_recent_activated (KtConnectionDialog *self,
                     GtkListBoxRow      *row)
{
  const char *uri = g_object_get_data (G_OBJECT (row), "kt-uri");

  kt_connection_dialog_set_uri (self, uri);
  start_connect (self);
}

static void
add_recent_rows (KtConnectionDialog *self,
                 const char * const *uris)
{
  guint n = 0;

  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    {
      g_autofree char *title = g_markup_escape_text (uris[i], -1);
      GtkWidget *row;

      row = g_object_new (ADW_TYPE_ACTION_ROW,
                          "title", title,
                          "activatable", TRUE,
                          NULL);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("network-server-symbolic"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "kt-uri", g_strdup (uris[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
      n++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), n > 0);
}

static gboolean
kt_connection_dialog_close_request (GtkWindow *window)
{
  KtConnectionDialog *self = KT_CONNECTION_DIALOG (window);

  /* The thread finishes on its own; its result is dropped */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (kt_connection_dialog_parent_class)->close_request (window);
}

static void
kt_connection_dialog_dispose (GObject *object)
{
  KtConnectionDialog *self = KT_CONNECTION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (kt_connection_dialog_parent_class)->dispose (object);
}

static void
kt_connection_dialog_class_init (KtConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kt_connection_dialog_dispose;
  window_class->close_request = kt_connection_dialog_close_request;

  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, KT_TYPE_SNAPSHOT, KT_TYPE_CONNECTION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, read_only_switch);
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, KtConnectionDialog, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_uri_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_uri_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_recent_activated);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kt_connection_dialog_init (KtConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", FALSE);
}

GtkWidget *
kt_connection_dialog_new (GtkWindow          *parent,
                          const char * const *recent_uris)
{
  KtConnectionDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (KT_TYPE_CONNECTION_DIALOG,
                       "transient-for", parent,
                       NULL);
  add_recent_rows (self, recent_uris);
  if (recent_uris != NULL && recent_uris[0] != NULL)
    kt_connection_dialog_set_uri (self, recent_uris[0]);
  return GTK_WIDGET (self);
}

const char *
kt_connection_dialog_get_uri (KtConnectionDialog *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->uri_row));
}

void
kt_connection_dialog_set_uri (KtConnectionDialog *self,
                              const char         *uri)
{
  g_return_if_fail (KT_IS_CONNECTION_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri ? uri : "");
  gtk_editable_set_position (GTK_EDITABLE (self->uri_row), -1);
}
