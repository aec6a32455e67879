/* kt-tuning-panel-apply.c: the tuning panel's glue to its session
 *
 * Nothing pending is kept in the panel: the sections read the VM's edits
 * from the session and give them back changed (kt_session_set_edits (),
 * one undo step each).  Apply checks with kt_session_prepare_apply (),
 * shows the apply dialog and runs kt_session_apply_async () with the flags
 * chosen there; the toast's Undo runs kt_session_undo_apply_async (), the
 * dialog's Reload kt_session_reload_async (), Discard
 * kt_session_discard_edits ().  The session says what it replaced
 * ("vm-changed"), and the panel shows it again (kt-tuning-panel.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-apply-dialog.h"
#include "kt-error.h"
#include "kt-tuning-panel-private.h"

/* The VM's edits --------------------------------------------------------- */

const KtEdits *
_kt_tuning_panel_get_edits (KtTuningPanel *self)
{
  if (self->vm == NULL || self->session == NULL)
    return NULL;
  return kt_session_get_edits (self->session, kt_vm_get_name (self->vm));
}

KtEdits *
_kt_tuning_panel_begin_edits (KtTuningPanel *self)
{
  if (self->vm == NULL || self->session == NULL)
    return kt_edits_new ();
  return kt_session_dup_edits (self->session, kt_vm_get_name (self->vm));
}

gboolean
_kt_tuning_panel_commit_edits (KtTuningPanel  *self,
                               KtEdits        *candidate,
                               GError        **error)
{
  g_autoptr(KtEdits) edits = candidate;
  guint64 revision;

  if (self->vm == NULL || self->session == NULL)
    return FALSE;
  revision = kt_session_get_revision (self->session);
  if (!kt_session_set_edits (self->session, kt_vm_get_name (self->vm), edits, error))
    return FALSE;
  /* The same edits again are no step: the rows show them once more */
  if (kt_session_get_revision (self->session) == revision)
    _kt_tuning_panel_refresh (self);
  return TRUE;
}

/* Applying --------------------------------------------------------------- */

typedef struct
{
  KtTuningPanel *panel;
  KtSession     *session;
  KtApplyDialog *dialog;
  char          *name;
} Op;

static Op *
op_new (KtTuningPanel *self,
        KtApplyDialog *dialog,
        const char    *name)
{
  Op *op = g_new0 (Op, 1);

  op->panel = g_object_ref (self);
  op->session = g_object_ref (self->session);
  op->dialog = dialog != NULL ? g_object_ref (dialog) : NULL;
  op->name = g_strdup (name);
  return op;
}

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->panel);
  g_clear_object (&op->session);
  g_clear_object (&op->dialog);
  g_free (op->name);
  g_free (op);
}

static void
undo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (kt_session_undo_apply_finish (op->session, result, &error))
    message = g_strdup_printf (_("Reverted %s"), op->name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      op_free (op);
      return;
    }
  else if (g_error_matches (error, KT_ERROR, KT_ERROR_NOT_FOUND))
    message = g_strdup (error->message);
  else
    message = g_strdup_printf (_("Cannot undo the changes to %s: %s"), op->name,
                               error->message);
  _kt_tuning_panel_show_message (op->panel, message);
  op_free (op);
}

/* Toast "Undo": the session applies the definitions from before */
static void
undo_clicked (AdwToast *toast,
              Op       *op)
{
  KtTuningPanel *self = op->panel;

  kt_session_undo_apply_async (op->session, op->name, self->cancellable, undo_done,
                               op_new (self, NULL, op->name));
}

static void
show_applied_toast (KtTuningPanel *self,
                    const char    *name)
{
  g_autofree char *title = NULL;
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  AdwToast *toast;

  /* Translators: %s is a VM name */
  title = g_strdup_printf (_("Applied to %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_clicked),
                         op_new (self, NULL, name),
                         (GClosureNotify) (void (*) (void)) op_free, 0);
  _kt_tuning_panel_show_toast (self, toast);
}

static void
apply_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_session_apply_finish (op->session, result, &error))
    kt_apply_dialog_finish (op->dialog, error);
  else
    {
      kt_apply_dialog_finish (op->dialog, NULL);
      show_applied_toast (op->panel, op->name);
    }
  op_free (op);
}

static void
on_apply_requested (KtApplyDialog *dialog,
                    Op            *op)
{
  kt_session_apply_async (op->session, op->name, kt_apply_dialog_get_flags (dialog),
                          op->panel->cancellable, apply_done,
                          op_new (op->panel, dialog, op->name));
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (kt_session_reload_finish (op->session, result, &error))
    message = g_strdup_printf (_("Reloaded %s; the pending changes are kept"), op->name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      op_free (op);
      return;
    }
  else if (g_error_matches (error, KT_ERROR, KT_ERROR_NOT_FOUND))
    message = g_strdup (error->message);
  else
    message = g_strdup_printf (_("Cannot reload %s: %s"), op->name, error->message);
  _kt_tuning_panel_show_message (op->panel, message);
  op_free (op);
}

static void
on_reload_requested (KtApplyDialog *dialog,
                     Op            *op)
{
  kt_session_reload_async (op->session, op->name, op->panel->cancellable, reload_done,
                           op_new (op->panel, NULL, op->name));
}

void
kt_tuning_panel_apply (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  const char *name;
  GtkWidget *dialog;
  GtkRoot *root;
  Op *op;

  g_return_if_fail (KT_IS_TUNING_PANEL (self));

  if (self->vm == NULL || self->session == NULL)
    {
      _kt_tuning_panel_show_message (self, _("Select a VM to apply its changes"));
      return;
    }
  name = kt_vm_get_name (self->vm);
  if (!kt_session_has_changes (self->session, name))
    {
      g_autofree char *message = g_strdup_printf (_("Nothing to apply to %s"), name);

      _kt_tuning_panel_show_message (self, message);
      return;
    }
  if (kt_session_is_read_only (self->session))
    {
      _kt_tuning_panel_show_message (self, _("The connection is read-only: connect again "
                                             "without “Read-Only” to apply"));
      return;
    }
  /* The dialog shows kt_session_prepare_apply () for the flags chosen
   * (a running VM that cannot take a change live still has its config):
   * here only whether the edits still fit the VM's definitions */
  if (!kt_session_prepare_targets (self->session, name, NULL, NULL, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot apply to %s: %s"), name,
                                                  error->message);

      _kt_tuning_panel_show_message (self, message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = kt_apply_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session,
                                name);
  op = op_new (self, NULL, name);
  g_signal_connect_data (dialog, "apply-requested", G_CALLBACK (on_apply_requested), op,
                         (GClosureNotify) (void (*) (void)) op_free, 0);
  g_signal_connect (dialog, "reload-requested", G_CALLBACK (on_reload_requested), op);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  kt_tuning_panel_apply (KT_TUNING_PANEL (widget));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KtTuningPanel *self = KT_TUNING_PANEL (widget);

  if (self->vm == NULL || self->session == NULL)
    return;
  _kt_tuning_panel_clear_errors (self);
  /* One undo step; the session's "changed" shows it */
  if (!kt_session_discard_edits (self->session, kt_vm_get_name (self->vm)))
    _kt_tuning_panel_refresh (self);
}

void
_kt_tuning_panel_apply_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "panel.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "panel.discard", NULL, discard_action);
}

void
_kt_tuning_panel_apply_init (KtTuningPanel *self)
{
  self->cancellable = g_cancellable_new ();
}

void
_kt_tuning_panel_apply_dispose (KtTuningPanel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}
