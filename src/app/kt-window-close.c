/* kt-window-close.c: saving, and the pending changes when the window
 * closes or opens another source
 *
 * Whatever is pending (the session's pins and edits, the tuning panel's
 * among them) is never dropped without asking: Apply (through the
 * apply dialog, VM by VM; on a snapshot file then saved), Save (a
 * snapshot file, or a read-only connection's pins), Discard or Cancel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-apply-dialog.h"
#include "kt-error.h"
#include "kt-host-preview.h"
#include "kt-window-private.h"

static void apply_next (KtWindow *self);

/* Saving ----------------------------------------------------------------- */

static gboolean
save_to (KtWindow   *self,
         const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *message = NULL;
  gboolean offline = kt_session_get_connection (self->session) == NULL;

  if (!kt_session_save (self->session, path, &error))
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
      kt_window_priv_toast (self, message);
      return FALSE;
    }

  /* An offline source becomes the file saved (its name in the header); a
   * connection stays live */
  if (offline)
    kt_session_set_title (self->session, NULL);
  message = g_strdup_printf (_("Saved “%s”"), name);
  kt_window_priv_toast (self, message);
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

  if (path == NULL || self->session == NULL || !save_to (self, path))
    {
      self->after_save = NULL;
      return;
    }
  run_after_save (self);
}

void
kt_window_priv_add_filters (GtkFileChooser *chooser)
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

/* Asks where to save, then runs self->after_save */
void
kt_window_priv_save_as (KtWindow *self)
{
  GtkFileChooserNative *chooser;
  const char *hostname;
  const char *path;
  g_autofree char *name = NULL;

  if (self->session == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Snapshot"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  kt_window_priv_add_filters (GTK_FILE_CHOOSER (chooser));

  path = kt_session_get_path (self->session);
  if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL);
    }
  else
    {
      hostname = kt_snapshot_get_hostname (kt_session_get_snapshot (self->session));
      name = g_strdup_printf ("%s.kvmtune", hostname && *hostname ? hostname : "host");
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }

  g_signal_connect (chooser, "response", G_CALLBACK (save_as_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Saves to the snapshot's own file when there is one, else asks; then runs
 * self->after_save */
void
kt_window_priv_save (KtWindow *self)
{
  const char *path;

  if (self->session == NULL)
    return;
  path = kt_session_get_path (self->session);
  if (path == NULL || kt_session_get_connection (self->session) != NULL)
    {
      kt_window_priv_save_as (self);
      return;
    }
  if (save_to (self, path))
    run_after_save (self);
  else
    self->after_save = NULL;
}

/* Applying before closing ------------------------------------------------ */

static void
stop_applying (KtWindow *self)
{
  if (self->apply_dialog != NULL)
    g_signal_handlers_disconnect_by_data (self->apply_dialog, self);
  g_clear_weak_pointer (&self->apply_dialog);
  g_clear_pointer (&self->applying, g_free);
}

/* Once the apply dialog is gone: applied (nothing pending on the VM any
 * more), the next; else (cancelled, failed, reload asked) the window stays */
static gboolean
apply_dialog_gone_idle (gpointer data)
{
  KtWindow *self = KT_WINDOW (data);
  g_autofree char *name = g_steal_pointer (&self->applying);
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);
  KtVm *vm = snapshot != NULL && name != NULL ? kt_snapshot_lookup_vm (snapshot, name) : NULL;

  if (vm != NULL && kt_session_has_changes (self->session, name))
    {
      self->after_save = NULL;
      return G_SOURCE_REMOVE;
    }
  apply_next (self);
  return G_SOURCE_REMOVE;
}

static void
on_apply_dialog_destroy (KtWindow *self)
{
  g_clear_weak_pointer (&self->apply_dialog);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, apply_dialog_gone_idle, g_object_ref (self),
                   g_object_unref);
}

/* The apply dialog the panel opened for us: the newest one on this window */
static GtkWidget *
find_apply_dialog (KtWindow *self)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  GtkWidget *found = NULL;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (KT_IS_APPLY_DIALOG (l->data)
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self)
        && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

/* Applies the next VM with pending changes (the apply dialog, as Apply
 * does); when none is left, saves a snapshot file, then goes on */
static void
apply_next (KtWindow *self)
{
  KtVm *vm = kt_window_priv_first_pending (self);
  GtkWidget *dialog;

  stop_applying (self);
  if (vm == NULL && kt_session_get_n_pending_host (self->session) > 0)
    {
      /* The host changes: their preview in the Host view; closing waits
       * until the user closes again */
      self->after_save = NULL;
      gtk_stack_set_visible_child_name (self->view_stack, "host");
      kt_host_preview_run (GTK_WINDOW (self), self->toast_overlay, self->session, NULL, FALSE);
      return;
    }
  if (vm == NULL)
    {
      if (kt_session_is_dirty (self->session) && kt_session_get_connection (self->session) == NULL)
        kt_window_priv_save (self);   /* applied into the snapshot: now the file */
      else
        run_after_save (self);
      return;
    }

  kt_window_priv_select_vm (self, vm);
  kt_tuning_panel_apply (self->tuning_panel);
  dialog = find_apply_dialog (self);
  if (dialog == NULL)
    {
      /* The panel said why not, in a toast */
      self->after_save = NULL;
      return;
    }
  self->applying = g_strdup (kt_vm_get_name (vm));
  g_set_weak_pointer (&self->apply_dialog, dialog);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_apply_dialog_destroy), self,
                           G_CONNECT_SWAPPED);
}

/* Asking ----------------------------------------------------------------- */

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

  if (g_str_equal (r->response, "apply"))
    apply_next (r->self);
  else if (g_str_equal (r->response, "save"))
    kt_window_priv_save (r->self);
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

typedef enum
{
  ASK_NONE,
  ASK_APPLY,
  ASK_SAVE,
} Ask;

/* Whether there is anything to lose, and what would keep it:
 *   - on a connection that takes changes, whatever is pending: Apply;
 *   - on a snapshot file, edits (a snapshot file keeps pins, not them):
 *     Apply, into the snapshot, then Save;
 *   - what is not saved (pins, an apply into the snapshot; on a read-only
 *     connection the pins): Save.
 * @n_vms: (out): the VMs with something pending, @first: (out) the first */
static Ask
what_to_ask (KtWindow    *self,
             guint       *n_vms,
             const char **first)
{
  GListModel *vms = kt_snapshot_get_vms (kt_session_get_snapshot (self->session));
  gboolean offline = kt_session_get_connection (self->session) == NULL;
  guint with_edits = 0;

  *n_vms = 0;
  *first = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      const char *name = kt_vm_get_name (vm);

      if (!kt_session_has_changes (self->session, name))
        continue;
      if ((*n_vms)++ == 0)
        *first = name;
      if (kt_session_get_edits (self->session, name) != NULL)
        with_edits++;
    }

  if (*n_vms > 0 && !offline && !kt_session_is_read_only (self->session))
    return ASK_APPLY;
  /* Host changes pending (kt-session-host.c): a snapshot file keeps them
   * only once applied into it */
  if (*n_vms == 0 && kt_session_get_n_pending_host (self->session) > 0)
    return ASK_APPLY;
  if (offline && with_edits > 0)
    return ASK_APPLY;
  if (kt_session_is_dirty (self->session))
    return ASK_SAVE;
  return ASK_NONE;
}

gboolean
kt_window_priv_has_unsaved (KtWindow *self)
{
  const char *first;
  guint n;

  return self->session != NULL && what_to_ask (self, &n, &first) != ASK_NONE;
}

void
kt_window_priv_confirm_discard (KtWindow             *self,
                                KtWindowContinuation  then)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  const char *first;
  gboolean offline, apply;
  Ask ask;
  guint n;

  if (self->session == NULL
      || (ask = what_to_ask (self, &n, &first)) == ASK_NONE)
    {
      then (self);
      return;
    }
  offline = kt_session_get_connection (self->session) == NULL;
  apply = ask == ASK_APPLY;

  if (n == 0 && apply)
    body = g_strdup (_("The host changes are not applied. Changes which are not applied "
                       "will be permanently lost."));
  else if (n == 0)
    body = g_strdup (_("Changes applied to the snapshot are not saved in its file. Changes "
                       "which are not saved will be permanently lost."));
  else if (n == 1 && apply && !offline)
    /* Translators: %s is a VM name */
    body = g_strdup_printf (_("The changes to %s are not applied to the host. Changes which "
                              "are not applied will be permanently lost."), first);
  else if (n == 1 && apply)
    body = g_strdup_printf (_("The changes to %s are not applied to the snapshot and saved "
                              "in its file. Changes which are not saved will be permanently "
                              "lost."), first);
  else if (n == 1)
    body = g_strdup_printf (_("The changes to %s are not saved. Changes which are not "
                              "saved will be permanently lost."), first);
  else if (apply && !offline)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The changes to %u VM are not applied to the host. "
                                         "Changes which are not applied will be permanently "
                                         "lost.",
                                         "The changes to %u VMs are not applied to the host. "
                                         "Changes which are not applied will be permanently "
                                         "lost.", n), n);
  else if (apply)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The changes to %u VM are not applied to the snapshot "
                                         "and saved in its file. Changes which are not saved "
                                         "will be permanently lost.",
                                         "The changes to %u VMs are not applied to the snapshot "
                                         "and saved in its file. Changes which are not saved "
                                         "will be permanently lost.", n), n);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The changes to %u VM are not saved. Changes which "
                                         "are not saved will be permanently lost.",
                                         "The changes to %u VMs are not saved. Changes which "
                                         "are not saved will be permanently lost.", n), n);

  self->after_save = then;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       apply ? _("Apply Changes?")
                                                             : _("Save Changes?"),
                                                       body));
  /* Its window's title too: what a window list (and a test) shows */
  gtk_window_set_title (GTK_WINDOW (dialog), apply ? _("Apply Changes?") : _("Save Changes?"));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  if (apply)
    adw_message_dialog_add_response (dialog, "apply", _("_Apply…"));
  else
    adw_message_dialog_add_response (dialog, "save", _("_Save"));
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, apply ? "apply" : "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, apply ? "apply" : "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
