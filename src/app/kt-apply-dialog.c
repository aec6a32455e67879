/* kt-apply-dialog.c: preview and apply one VM's edited definitions
 *
 * Live, config or both (kt_apply_default_flags () first); the preview is
 * the session's KtApply for the chosen flags (kt_session_prepare_apply
 * ()): its list of live calls and its unified diff of the config.  Apply
 * only asks ("apply-requested"): the caller runs kt_session_apply_async ()
 * with kt_apply_dialog_get_flags () and tells the dialog how it went
 * (kt_apply_dialog_finish ()); a failure is shown in the dialog, with what
 * to do about it: "Apply to Config Only" when the running VM refuses,
 * "Reload" when someone else changed it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-apply-dialog.h"
#include "kt-error.h"

struct _KtApplyDialog
{
  AdwWindow        parent_instance;

  /* Template */
  AdwWindowTitle  *window_title;
  GtkWidget       *apply_button;
  GtkWidget       *cancel_button;
  GtkSpinner      *spinner;
  AdwPreferencesGroup *flags_group;
  GtkWidget       *live_row;
  GtkWidget       *config_row;
  GtkWidget       *both_row;
  GtkCheckButton  *live_check;
  GtkCheckButton  *config_check;
  GtkCheckButton  *both_check;
  GtkWidget       *message_box;
  GtkImage        *message_icon;
  GtkLabel        *message_title;
  GtkLabel        *message_label;
  GtkWidget       *config_only_button;
  GtkWidget       *reload_button;
  GtkWidget       *calls_box;
  GtkLabel        *calls_title;
  GtkListBox      *calls_list;
  GtkLabel        *diff_title;
  GtkTextView     *diff_view;

  KtSession       *session;
  char            *name;
  gboolean         has_live;     /* the VM runs: a live target */
  gboolean         has_config;   /* the VM is persistent: a config target */
  KtApply         *apply;        /* for the chosen flags; NULL when refused */
  gboolean         disposed;
  KtApplyFlags     flags;
  gboolean         busy;
  gboolean         syncing;
};

G_DEFINE_FINAL_TYPE (KtApplyDialog, kt_apply_dialog, ADW_TYPE_WINDOW)

enum {
  APPLY_REQUESTED,
  RELOAD_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The preview ------------------------------------------------------------ */

static gboolean
can_live (KtApplyDialog *self)
{
  return self->has_live;
}

static gboolean
can_config (KtApplyDialog *self)
{
  return self->has_config;
}

static void
hide_message (KtApplyDialog *self)
{
  gtk_widget_set_visible (self->message_box, FALSE);
  gtk_widget_set_visible (self->config_only_button, FALSE);
  gtk_widget_set_visible (self->reload_button, FALSE);
}

typedef enum
{
  MESSAGE_INFO,
  MESSAGE_WARNING,
  MESSAGE_ERROR,
} MessageKind;

static void
show_message (KtApplyDialog *self,
              MessageKind    kind,
              const char    *title,
              const char    *text)
{
  static const char * const classes[] = { "kt-info", "kt-warning", "kt-error" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->message_box, classes[i]);
  gtk_widget_add_css_class (self->message_box, classes[kind]);
  gtk_image_set_from_icon_name (self->message_icon,
                                kind == MESSAGE_INFO ? "dialog-information-symbolic"
                                : kind == MESSAGE_WARNING ? "dialog-warning-symbolic"
                                : "dialog-error-symbolic");
  gtk_label_set_label (self->message_title, title);
  gtk_label_set_label (self->message_label, text);
  gtk_widget_set_visible (self->message_box, TRUE);
}

static void
set_diff_text (KtApplyDialog *self,
               const char    *diff)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->diff_view);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  g_auto(GStrv) lines = NULL;
  GtkTextIter end;

  if (gtk_text_tag_table_lookup (table, "added") == NULL)
    {
      /* Translucent, so that they read on light and dark alike */
      gtk_text_buffer_create_tag (buffer, "added", "paragraph-background", "rgba(46,194,126,0.18)",
                                  NULL);
      gtk_text_buffer_create_tag (buffer, "removed", "paragraph-background",
                                  "rgba(224,27,36,0.18)", NULL);
      gtk_text_buffer_create_tag (buffer, "hunk", "foreground", "#3584e4", NULL);
      gtk_text_buffer_create_tag (buffer, "file", "weight", PANGO_WEIGHT_BOLD, NULL);
      gtk_text_buffer_create_tag (buffer, "none", "style", PANGO_STYLE_ITALIC, NULL);
    }

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (diff == NULL || *diff == '\0')
    {
      gtk_text_buffer_insert_with_tags_by_name (buffer, &end, _("The config does not change."),
                                                -1, "none", NULL);
      return;
    }

  lines = g_strsplit (diff, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *tag = NULL;

      if (lines[i + 1] == NULL && *line == '\0')
        break;   /* the final newline */
      if (g_str_has_prefix (line, "+++") || g_str_has_prefix (line, "---"))
        tag = "file";
      else if (line[0] == '+')
        tag = "added";
      else if (line[0] == '-')
        tag = "removed";
      else if (g_str_has_prefix (line, "@@"))
        tag = "hunk";
      if (tag != NULL)
        gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, tag, NULL);
      else
        gtk_text_buffer_insert (buffer, &end, line, -1);
      gtk_text_buffer_insert (buffer, &end, "\n", 1);
    }
}

static void
clear_calls (KtApplyDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->calls_list))) != NULL)
    gtk_list_box_remove (self->calls_list, child);
}

static void
add_call (KtApplyDialog *self,
          const char    *text,
          gboolean       dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, dim ? "dim-label" : "monospace");
  gtk_list_box_append (self->calls_list, label);
}

static void
update_apply_enabled (KtApplyDialog *self)
{
  gboolean ok = !self->busy && self->apply != NULL && !kt_apply_is_empty (self->apply);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.apply", ok);
  gtk_widget_set_sensitive (self->cancel_button, !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->flags_group), !self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

/* Works out the apply for the chosen flags and shows it */
static void
update_preview (KtApplyDialog *self)
{
  g_autoptr(GError) error = NULL;
  const char *name = self->name;

  g_clear_object (&self->apply);
  hide_message (self);
  clear_calls (self);

  self->apply = kt_session_prepare_apply (self->session, name, self->flags, &error);
  if (self->apply == NULL)
    {
      gboolean live_refused = (self->flags & KT_APPLY_LIVE) != 0
                              && g_error_matches (error, KT_ERROR, KT_ERROR_UNSUPPORTED);

      show_message (self, MESSAGE_ERROR,
                    live_refused ? _("The Running VM Cannot Take This Change")
                                 : _("Cannot Apply This Way"),
                    error->message);
      add_call (self, _("No calls: the change cannot be made as chosen."), TRUE);
      set_diff_text (self, NULL);
      if (live_refused && can_config (self))
        {
          /* What "Apply to Config Only" would define */
          g_autoptr(KtApply) config_only = kt_session_prepare_apply (self->session, name,
                                                                     KT_APPLY_CONFIG, NULL);

          if (config_only != NULL && !kt_apply_is_empty (config_only))
            {
              set_diff_text (self, kt_apply_get_diff (config_only));
              gtk_widget_set_visible (self->config_only_button, TRUE);
            }
        }
      update_apply_enabled (self);
      if (gtk_widget_get_visible (self->config_only_button))
        gtk_widget_grab_focus (self->config_only_button);
      return;
    }

  if (kt_session_get_connection (self->session) == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s is a VM name */
      text = g_strdup_printf (_("The source is a snapshot: applying writes the new definitions "
                                "of “%s” into it, and nothing is sent to libvirt. Save the "
                                "snapshot afterwards (Ctrl+S)."), name);
      show_message (self, MESSAGE_INFO, _("Snapshot"), text);
      gtk_widget_set_visible (self->calls_box, FALSE);
    }
  else
    {
      g_autoptr(GPtrArray) calls = kt_apply_get_calls (self->apply);

      for (guint i = 0; i < calls->len; i++)
        add_call (self, g_ptr_array_index (calls, i), FALSE);
      if (calls->len == 0)
        add_call (self, _("None"), TRUE);
    }

  if (kt_apply_is_empty (self->apply))
    show_message (self, MESSAGE_INFO, _("Nothing to Apply"),
                  self->flags & KT_APPLY_LIVE && !(self->flags & KT_APPLY_CONFIG)
                    ? _("The running VM already has these settings.")
                    : _("The definitions are the same as what was loaded."));

  set_diff_text (self, self->flags & KT_APPLY_CONFIG ? kt_apply_get_diff (self->apply) : NULL);
  if (!(self->flags & KT_APPLY_CONFIG))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->diff_view);
      GtkTextIter end;

      gtk_text_buffer_set_text (buffer, "", 0);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert_with_tags_by_name (buffer, &end,
                                                _("The config is left alone: only the running "
                                                  "VM changes."), -1, "none", NULL);
    }
  update_apply_enabled (self);
}

static void
sync_checks (KtApplyDialog *self)
{
  self->syncing = TRUE;
  if (self->flags == (KT_APPLY_LIVE | KT_APPLY_CONFIG))
    gtk_check_button_set_active (self->both_check, TRUE);
  else if (self->flags == KT_APPLY_LIVE)
    gtk_check_button_set_active (self->live_check, TRUE);
  else
    gtk_check_button_set_active (self->config_check, TRUE);
  self->syncing = FALSE;
}

static void
on_flags_toggled (KtApplyDialog  *self,
                  GtkCheckButton *check)
{
  if (self->syncing || !gtk_check_button_get_active (check))
    return;
  if (check == self->both_check)
    self->flags = KT_APPLY_LIVE | KT_APPLY_CONFIG;
  else if (check == self->live_check)
    self->flags = KT_APPLY_LIVE;
  else
    self->flags = KT_APPLY_CONFIG;
  update_preview (self);
}

/* Applying --------------------------------------------------------------- */

/**
 * kt_apply_dialog_finish:
 * @error: (nullable): why the apply failed; %NULL: it was made
 *
 * How the apply asked for by "apply-requested" went: made, the dialog
 * closes; failed, it says why and what can be done.
 */
void
kt_apply_dialog_finish (KtApplyDialog *self,
                        const GError  *error)
{
  gboolean live_failed;

  g_return_if_fail (KT_IS_APPLY_DIALOG (self));

  /* Destroyed meanwhile (the window went): nobody to tell */
  if (self->disposed)
    return;
  self->busy = FALSE;
  if (error == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  update_apply_enabled (self);
  if (g_error_matches (error, KT_ERROR, KT_ERROR_CONFLICT))
    {
      show_message (self, MESSAGE_ERROR, _("Changed Elsewhere"), error->message);
      gtk_widget_set_visible (self->reload_button, TRUE);
      gtk_widget_grab_focus (self->reload_button);
      return;
    }
  /* kt_apply_run () says what failed and that it put things back */
  live_failed = (self->flags & KT_APPLY_LIVE) && can_config (self)
                && !g_error_matches (error, KT_ERROR, KT_ERROR_READ_ONLY)
                && !g_error_matches (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  show_message (self, MESSAGE_ERROR, _("Not Applied: Nothing Was Changed"), error->message);
  gtk_widget_set_visible (self->config_only_button, live_failed);
  if (live_failed)
    gtk_widget_grab_focus (self->config_only_button);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  KtApplyDialog *self = KT_APPLY_DIALOG (widget);

  if (self->busy || self->apply == NULL || kt_apply_is_empty (self->apply))
    return;

  hide_message (self);
  self->busy = TRUE;
  update_apply_enabled (self);
  g_signal_emit (self, signals[APPLY_REQUESTED], 0);
}

static void
on_config_only_clicked (KtApplyDialog *self)
{
  kt_apply_dialog_set_flags (self, KT_APPLY_CONFIG);
  if (self->apply != NULL && !kt_apply_is_empty (self->apply))
    gtk_widget_activate_action (GTK_WIDGET (self), "dialog.apply", NULL);
}

static void
on_reload_clicked (KtApplyDialog *self)
{
  g_signal_emit (self, signals[RELOAD_REQUESTED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* GObject ---------------------------------------------------------------- */

static gboolean
kt_apply_dialog_close_request (GtkWindow *window)
{
  KtApplyDialog *self = KT_APPLY_DIALOG (window);

  /* Half an apply cannot be walked away from: it finishes or rolls back */
  if (self->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (kt_apply_dialog_parent_class)->close_request (window);
}

static void
kt_apply_dialog_dispose (GObject *object)
{
  KtApplyDialog *self = KT_APPLY_DIALOG (object);

  self->disposed = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_APPLY_DIALOG);
  g_clear_object (&self->apply);
  g_clear_object (&self->session);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (kt_apply_dialog_parent_class)->dispose (object);
}

static void
kt_apply_dialog_class_init (KtApplyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kt_apply_dialog_dispose;
  window_class->close_request = kt_apply_dialog_close_request;

  /**
   * KtApplyDialog::apply-requested:
   *
   * Apply was chosen: apply with kt_apply_dialog_get_flags (), then call
   * kt_apply_dialog_finish ().  The dialog is busy until then.
   */
  signals[APPLY_REQUESTED] = g_signal_new ("apply-requested", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /**
   * KtApplyDialog::reload-requested:
   *
   * The VM changed since it was loaded; read it again.
   */
  signals[RELOAD_REQUESTED] = g_signal_new ("reload-requested", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-apply-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, flags_group);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, live_row);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, config_row);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, both_row);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, live_check);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, config_check);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, both_check);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, message_box);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, message_icon);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, message_title);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, config_only_button);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, reload_button);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, calls_box);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, calls_title);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, calls_list);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, diff_title);
  gtk_widget_class_bind_template_child (widget_class, KtApplyDialog, diff_view);
  gtk_widget_class_bind_template_callback (widget_class, on_flags_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_config_only_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reload_clicked);

  gtk_widget_class_install_action (widget_class, "dialog.apply", NULL, apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "dialog.apply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "dialog.apply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kt_apply_dialog_init (KtApplyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public ----------------------------------------------------------------- */

/**
 * kt_apply_dialog_new:
 * @session: where the VM's changes are pending
 * @name: the VM
 */
GtkWidget *
kt_apply_dialog_new (GtkWindow  *parent,
                     KtSession  *session,
                     const char *name)
{
  KtApplyDialog *self;
  KtConnection *connection;
  KtVm *vm;
  g_autofree char *title = NULL;

  g_return_val_if_fail (KT_IS_SESSION (session), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  vm = kt_snapshot_lookup_vm (kt_session_get_snapshot (session), name);
  g_return_val_if_fail (vm != NULL, NULL);

  self = g_object_new (KT_TYPE_APPLY_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->name = g_strdup (name);
  /* What kt_session_prepare_targets () makes targets of */
  self->has_live = kt_vm_is_active (vm) && kt_vm_get_live (vm) != NULL;
  self->has_config = kt_vm_get_inactive (vm) != NULL;
  connection = kt_session_get_connection (session);

  /* Translators: the apply dialog's title; %s is a VM name */
  title = g_strdup_printf (_("Apply to %s"), name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  if (connection != NULL)
    adw_window_title_set_subtitle (self->window_title, kt_connection_get_uri (connection));
  else
    adw_window_title_set_subtitle (self->window_title, _("Snapshot"));

  gtk_widget_set_sensitive (self->live_row, can_live (self));
  gtk_widget_set_sensitive (self->config_row, can_config (self));
  gtk_widget_set_sensitive (self->both_row, can_live (self) && can_config (self));
  if (!kt_vm_is_active (vm))
    gtk_widget_set_tooltip_text (self->live_row, _("The VM is not running"));
  if (kt_vm_get_inactive (vm) == NULL)
    gtk_widget_set_tooltip_text (self->config_row, _("The VM is transient: it has no config"));

  self->flags = kt_apply_default_flags (vm);
  if ((self->flags & KT_APPLY_LIVE) && !can_live (self))
    self->flags &= ~KT_APPLY_LIVE;
  if ((self->flags & KT_APPLY_CONFIG) && !can_config (self))
    self->flags &= ~KT_APPLY_CONFIG;
  if (self->flags == 0)
    self->flags = can_live (self) ? KT_APPLY_LIVE : KT_APPLY_CONFIG;
  sync_checks (self);
  update_preview (self);

  /* Return applies: the Apply button starts with the focus */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->apply_button);
  gtk_window_set_focus (GTK_WINDOW (self), self->apply_button);
  return GTK_WIDGET (self);
}

KtApplyFlags
kt_apply_dialog_get_flags (KtApplyDialog *self)
{
  g_return_val_if_fail (KT_IS_APPLY_DIALOG (self), 0);
  return self->flags;
}

void
kt_apply_dialog_set_flags (KtApplyDialog *self,
                           KtApplyFlags   flags)
{
  g_return_if_fail (KT_IS_APPLY_DIALOG (self));

  if (self->busy)
    return;
  self->flags = flags;
  sync_checks (self);
  update_preview (self);
}
