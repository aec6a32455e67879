/* kt-host-setting-dialog.c: one host setting's value, as a pending change
 *
 * The Host view's edit button on a setting opens this: a drop-down of the
 * values the kernel (or tuned) takes for it, or a number, which becomes a
 * pending host change of the session (kt_session_set_host_target ()),
 * applied with the profile from the Host view.  "Keep Current" drops the
 * pending change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-host-preview.h"

/**
 * kt_host_format_value:
 *
 * Returns: (transfer full): @value of @key as the Host view shows it: what
 * the kernel writes, with a word
 */
char *
kt_host_format_value (const char *key,
                      const char *value)
{
  if (value == NULL)
    return g_strdup (_("unknown"));
  if (g_str_equal (key, "ksm.run"))
    {
      if (g_str_equal (value, "0"))
        return g_strdup (_("0 (off)"));
      if (g_str_equal (value, "1"))
        return g_strdup (_("1 (merging)"));
      if (g_str_equal (value, "2"))
        return g_strdup (_("2 (unmerge)"));
    }
  if (g_str_equal (key, "numa_balancing") || g_str_equal (key, "ksm.merge_across_nodes"))
    {
      if (g_str_equal (value, "0"))
        return g_strdup (_("0 (off)"));
      if (g_str_equal (value, "1"))
        return g_strdup (_("1 (on)"));
    }
  if (g_str_equal (key, "ksm.sleep_millisecs"))
    /* Translators: milliseconds */
    return g_strdup_printf (_("%s ms"), value);
  return g_strdup (value);
}

typedef struct
{
  GtkWindow   *parent;     /* weak */
  KtSession   *session;
  char        *key;
  GPtrArray   *values;     /* char *: the drop-down's, or NULL for a number */
  GtkDropDown *choice;
  GtkSpinButton *number;
} SettingDialog;

static void
setting_dialog_free (SettingDialog *d)
{
  g_clear_weak_pointer (&d->parent);
  g_clear_object (&d->session);
  g_free (d->key);
  g_clear_pointer (&d->values, g_ptr_array_unref);
  g_free (d);
}

static void
on_setting_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          data)
{
  SettingDialog *d = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (g_str_equal (response, "keep"))
    kt_session_set_host_target (d->session, d->key, NULL, NULL);
  else if (g_str_equal (response, "set"))
    {
      if (d->values != NULL)
        {
          guint i = gtk_drop_down_get_selected (d->choice);

          if (i < d->values->len)
            value = g_strdup (g_ptr_array_index (d->values, i));
        }
      else
        value = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (d->number));
      if (value != NULL && !kt_session_set_host_target (d->session, d->key, value, &error))
        {
          AdwMessageDialog *failure;

          failure = ADW_MESSAGE_DIALOG (adw_message_dialog_new (d->parent,
                                                                _("Cannot Change the Setting"),
                                                                error->message));
          gtk_window_set_title (GTK_WINDOW (failure), _("Cannot Change the Setting"));
          adw_message_dialog_add_response (failure, "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (failure));
        }
    }
  setting_dialog_free (d);
}

static GPtrArray *
values_of (const KtHostTuning *current,
           const char         *key)
{
  static const char * const thp_enabled[] = { "always", "madvise", "never", NULL };
  static const char * const thp_defrag[] = { "always", "defer", "defer+madvise", "madvise", "never", NULL };
  static const char * const run[] = { "0", "1", "2", NULL };
  static const char * const flag[] = { "0", "1", NULL };
  const char * const *list = NULL;
  GPtrArray *values;

  if (g_str_equal (key, "tuned.profile"))
    {
      values = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; current->tuned_profiles != NULL && i < current->tuned_profiles->len; i++)
        g_ptr_array_add (values, g_strdup (((KtTunedProfile *)
                                            g_ptr_array_index (current->tuned_profiles, i))->name));
      return values;
    }
  if (g_str_equal (key, "thp.enabled"))
    list = thp_enabled;
  else if (g_str_equal (key, "thp.defrag"))
    list = thp_defrag;
  else if (g_str_equal (key, "ksm.run"))
    list = run;
  else if (g_str_equal (key, "ksm.merge_across_nodes") || g_str_equal (key, "numa_balancing"))
    list = flag;
  if (list == NULL)
    return NULL;
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; list[i] != NULL; i++)
    g_ptr_array_add (values, g_strdup (list[i]));
  return values;
}

void
kt_host_setting_dialog_run (GtkWindow  *parent,
                            KtSession  *session,
                            const char *key)
{
  const KtHostTuning *current;
  g_autofree char *now = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *body = NULL;
  const char *pending;
  const char *shown;
  AdwMessageDialog *dialog;
  GtkWidget *list, *row;
  SettingDialog *d;

  g_return_if_fail (KT_IS_SESSION (session));
  g_return_if_fail (key != NULL);

  if ((current = kt_session_get_host_tuning (session)) == NULL)
    return;
  now = kt_host_tuning_get_value (current, key);
  now_text = kt_host_format_value (key, now);
  pending = kt_session_get_host_target (session, key);
  shown = pending != NULL ? pending : now;

  d = g_new0 (SettingDialog, 1);
  g_set_weak_pointer (&d->parent, parent);
  d->session = g_object_ref (session);
  d->key = g_strdup (key);
  d->values = values_of (current, key);

  /* Translators: %s is a host setting's value now */
  body = g_strdup_printf (_("Now %s. The value becomes a pending host change, applied from "
                            "the Host view."), now_text);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, kt_host_tuning_key_label (key),
                                                       body));
  gtk_window_set_title (GTK_WINDOW (dialog), kt_host_tuning_key_label (key));

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Value"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), key);
  if (d->values != NULL)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      guint selected = 0;

      for (guint i = 0; i < d->values->len; i++)
        {
          const char *v = g_ptr_array_index (d->values, i);
          g_autofree char *text = kt_host_format_value (key, v);

          gtk_string_list_append (names, text);
          if (g_strcmp0 (v, shown) == 0)
            selected = i;
        }
      d->choice = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
      gtk_drop_down_set_selected (d->choice, selected);
      gtk_widget_set_valign (GTK_WIDGET (d->choice), GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (d->choice));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (d->choice));
    }
  else
    {
      d->number = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 1000000, 1));
      gtk_spin_button_set_value (d->number, shown != NULL ? g_ascii_strtod (shown, NULL) : 100);
      gtk_widget_set_valign (GTK_WIDGET (d->number), GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (d->number));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (d->number));
    }
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_message_dialog_set_extra_child (dialog, list);

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  if (pending != NULL)
    adw_message_dialog_add_response (dialog, "keep", _("_Keep Current"));
  adw_message_dialog_add_response (dialog, "set", _("_Set"));
  adw_message_dialog_set_response_appearance (dialog, "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "set");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_setting_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}
