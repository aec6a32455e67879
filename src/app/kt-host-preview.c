/* kt-host-preview.c: the Host view's dialogs (see kt-host-preview.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-format.h"
#include "kt-host-preview.h"

static void
toast (AdwToastOverlay *toasts,
       const char      *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *t;

  if (toasts == NULL)
    return;
  t = adw_toast_new (escaped);
  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (toasts, t);
}

static void
show_failure (GtkWindow  *parent,
              const char *heading,
              const char *message)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading,
                                                                         message));

  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Preview, Apply, Revert ------------------------------------------------- */

typedef struct
{
  GtkWindow       *parent;      /* weak */
  AdwToastOverlay *toasts;      /* weak */
  KtSession       *session;
  KtHostProfile   *profile;     /* NULL: the pending changes alone */
  gboolean         revert;
  GtkSwitch       *persistent;  /* the dialog's */
  guint            n_changes;
} Preview;

static void
preview_free (Preview *p)
{
  g_clear_weak_pointer (&p->parent);
  g_clear_weak_pointer (&p->toasts);
  g_clear_object (&p->session);
  g_clear_pointer (&p->profile, kt_host_profile_free);
  g_free (p);
}

static void
apply_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Preview *p = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = p->revert ? kt_session_revert_host_finish (KT_SESSION (source), result, &error)
                          : kt_session_apply_host_finish (KT_SESSION (source), result, &error);

  if (!ok)
    show_failure (p->parent, p->revert ? _("Cannot Revert the Host") : _("Cannot Apply to the Host"),
                  error->message);
  else if (p->revert)
    toast (p->toasts, _("The host’s values are back"));
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u host change applied",
                                                            "%u host changes applied",
                                                            p->n_changes), p->n_changes);

      toast (p->toasts, text);
    }
  preview_free (p);
}

static void
on_preview_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          data)
{
  Preview *p = data;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "apply"))
    {
      preview_free (p);
      return;
    }
  if (p->revert)
    {
      kt_session_revert_host_async (p->session, NULL, apply_done, p);
      return;
    }
  /* Planned again: "Keep after reboot" as it is now */
  plan = kt_session_plan_host (p->session, p->profile,
                               gtk_switch_get_active (p->persistent), &error);
  if (plan == NULL)
    {
      show_failure (p->parent, _("Cannot Apply to the Host"), error->message);
      preview_free (p);
      return;
    }
  p->n_changes = plan->changes->len;
  kt_session_apply_host_async (p->session, plan, NULL, apply_done, p);
}

static GtkWidget *
change_row (const KtHostChange *c)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  int node;
  guint64 size;

  if (g_str_has_prefix (c->key, "hugepages.")
      && kt_host_tuning_parse_key (c->key, &node, &size, NULL))
    {
      g_autofree char *size_text = kt_format_page_size (size);

      /* Translators: a hugepage pool's change in the host preview:
       * "Node 1, 1 GiB pages: 20 → 16" */
      title = g_strdup_printf (_("Node %d, %s pages: %s → %s"), node, size_text,
                               c->old_value != NULL ? c->old_value : _("unknown"), c->new_value);
    }
  else
    /* Translators: a change in the host preview: "KSM: 1 → 0" */
    title = g_strdup_printf (_("%s: %s → %s"), kt_host_tuning_key_label (c->key),
                             c->old_value != NULL ? c->old_value : _("unknown"), c->new_value);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  subtitle = g_strdup_printf ("%s · %s", c->key, c->mechanism_text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_tooltip_text (row, c->explanation);
  return row;
}

void
kt_host_preview_run (GtkWindow           *parent,
                     AdwToastOverlay     *toasts,
                     KtSession           *session,
                     const KtHostProfile *profile,
                     gboolean             revert)
{
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *heading;
  AdwMessageDialog *dialog;
  GtkWidget *box, *list, *scroller;
  Preview *p;

  g_return_if_fail (KT_IS_SESSION (session));

  plan = revert ? kt_session_plan_host_revert (session, &error)
                : kt_session_plan_host (session, profile, FALSE, &error);
  if (plan == NULL)
    {
      show_failure (parent, revert ? _("Cannot Revert the Host") : _("Cannot Apply to the Host"),
                    error->message);
      return;
    }

  heading = revert ? _("Revert Host Tuning?") : _("Apply Host Tuning?");
  if (plan->changes->len == 0)
    body = g_strdup (_("Nothing to change: the host has these values already."));
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u change to “%s”, made in this order; if one fails, "
                                         "the ones before it are put back.",
                                         "%u changes to “%s”, made in this order; if one fails, "
                                         "the ones before it are put back.",
                                         plan->changes->len),
                            plan->changes->len, kt_session_get_title (session));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, -1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Changes"), -1);
  for (guint i = 0; i < plan->changes->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (list), change_row (g_ptr_array_index (plan->changes, i)));
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  if (plan->changes->len > 0)
    gtk_box_append (GTK_BOX (box), scroller);

  for (guint i = 0; i < plan->notes->len; i++)
    {
      GtkWidget *note = gtk_label_new (g_ptr_array_index (plan->notes, i));

      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_selectable (GTK_LABEL (note), TRUE);
      gtk_widget_add_css_class (note, "dim-label");
      gtk_box_append (GTK_BOX (box), note);
    }

  p = g_new0 (Preview, 1);
  g_set_weak_pointer (&p->parent, parent);
  g_set_weak_pointer (&p->toasts, toasts);
  p->session = g_object_ref (session);
  p->profile = profile != NULL ? kt_host_profile_copy (profile) : NULL;
  p->revert = revert;
  if (!revert)
    {
      GtkWidget *switch_list = gtk_list_box_new ();
      GtkWidget *row = adw_action_row_new ();
      gboolean offline = kt_host_control_is_offline (kt_session_get_host_control (session));

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (switch_list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (switch_list, "boxed-list");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Keep after reboot"));
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   offline ? _("A snapshot keeps its values when saved")
                                   : _("Writes a sysctl.d and a tmpfiles.d drop-in; tuned "
                                       "keeps its own profile. Revert removes them."));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      p->persistent = GTK_SWITCH (gtk_switch_new ());
      gtk_widget_set_valign (GTK_WIDGET (p->persistent), GTK_ALIGN_CENTER);
      gtk_switch_set_active (p->persistent, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (p->persistent), !offline);
      gtk_widget_set_sensitive (row, !offline);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (p->persistent));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (p->persistent));
      gtk_list_box_append (GTK_LIST_BOX (switch_list), row);
      gtk_box_append (GTK_BOX (box), switch_list);
    }
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  if (plan->changes->len > 0)
    {
      adw_message_dialog_add_response (dialog, "apply", revert ? _("_Revert") : _("_Apply"));
      adw_message_dialog_set_response_appearance (dialog, "apply",
                                                  revert ? ADW_RESPONSE_DESTRUCTIVE
                                                         : ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "apply");
    }
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_preview_response), p);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A node's hugepage pool ------------------------------------------------- */

typedef struct
{
  GtkWindow       *parent;     /* weak */
  AdwToastOverlay *toasts;     /* weak */
  KtSession       *session;
  int              node;
  GArray          *sizes;      /* guint64: the node's page sizes, the drop-down's order */
  GtkDropDown     *size;
  GtkSpinButton   *count;
  GtkLabel        *now;
} PoolDialog;

static void
pool_dialog_free (PoolDialog *d)
{
  g_clear_weak_pointer (&d->parent);
  g_clear_weak_pointer (&d->toasts);
  g_clear_object (&d->session);
  g_array_unref (d->sizes);
  g_free (d);
}

static guint64
pool_size (PoolDialog *d)
{
  guint i = gtk_drop_down_get_selected (d->size);

  return i < d->sizes->len ? g_array_index (d->sizes, guint64, i) : 0;
}

/* The size chosen: its count (pending, or what the pool has) and what it has */
static void
on_pool_size (PoolDialog *d)
{
  const KtHostTuning *current = kt_session_get_host_tuning (d->session);
  guint64 size = pool_size (d);
  g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, d->node, size);
  const char *pending = kt_session_get_host_target (d->session, key);
  KtHugePool *pool = current != NULL ? kt_host_tuning_lookup_pool (current, d->node, size) : NULL;
  g_autofree char *text = NULL;
  g_autofree char *total = NULL;
  g_autofree char *free_pages = NULL;

  if (pool == NULL)
    return;
  total = pool->total >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, pool->total) : g_strdup (_("unknown"));
  free_pages = pool->free >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, pool->free) : g_strdup (_("unknown"));
  /* Translators: a hugepage pool now: its total and free pages */
  text = g_strdup_printf (_("Now %s pages, %s free"), total, free_pages);
  gtk_label_set_label (d->now, text);
  gtk_spin_button_set_value (d->count, pending != NULL ? g_ascii_strtod (pending, NULL)
                                       : pool->total >= 0 ? (double) pool->total : 0);
}

static void
on_pool_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          data)
{
  PoolDialog *d = data;
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "set"))
    {
      g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, d->node,
                                              pool_size (d));
      g_autofree char *value = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (d->count));

      if (!kt_session_set_host_target (d->session, key, value, &error))
        show_failure (d->parent, _("Cannot Change the Pool"), error->message);
      else if (kt_session_get_host_target (d->session, key) != NULL)
        {
          g_autofree char *size = kt_format_page_size (pool_size (d));
          g_autofree char *text = NULL;

          /* Translators: a pending host change; %s: a page size, then a count */
          text = g_strdup_printf (_("Node %d: %s × %s pages pending"), d->node, value, size);
          if (d->toasts != NULL)
            {
              g_autofree char *escaped = g_markup_escape_text (text, -1);
              AdwToast *t = adw_toast_new (escaped);

              adw_toast_set_timeout (t, 5);
              adw_toast_set_button_label (t, _("_Review"));
              adw_toast_set_action_name (t, "view.show");
              adw_toast_set_action_target_value (t, g_variant_new_string ("host"));
              adw_toast_overlay_add_toast (d->toasts, t);
            }
        }
    }
  pool_dialog_free (d);
}

void
kt_host_pool_dialog_run (GtkWindow       *parent,
                         AdwToastOverlay *toasts,
                         KtSession       *session,
                         int              node)
{
  const KtHostTuning *current;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *probe_key = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list, *row;
  PoolDialog *d;

  g_return_if_fail (KT_IS_SESSION (session));

  current = kt_session_get_host_tuning (session);
  if (current == NULL)
    {
      show_failure (parent, _("Cannot Change the Pool"),
                    kt_session_get_host_error (session) != NULL
                    ? kt_session_get_host_error (session)->message
                    : _("The host’s tuning is not read yet"));
      return;
    }

  d = g_new0 (PoolDialog, 1);
  d->sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (guint i = 0; current->hugepages != NULL && i < current->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (current->hugepages, KtHugePool, i);
      g_autofree char *size = NULL;

      if (p->node != node)
        continue;
      size = kt_format_page_size (p->size_kib);
      g_array_append_val (d->sizes, p->size_kib);
      gtk_string_list_append (names, size);
    }
  if (d->sizes->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The host reported no hugepage pool on "
                                                    "node %d"), node);

      show_failure (parent, _("Cannot Change the Pool"), message);
      g_array_unref (d->sizes);
      g_free (d);
      return;
    }
  probe_key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, node,
                               g_array_index (d->sizes, guint64, 0));
  if (!kt_host_control_can_change (kt_session_get_host_control (session), current, probe_key,
                                   &reason))
    {
      show_failure (parent, _("Cannot Change the Pool"), reason);
      g_array_unref (d->sizes);
      g_free (d);
      return;
    }

  g_set_weak_pointer (&d->parent, parent);
  g_set_weak_pointer (&d->toasts, toasts);
  d->session = g_object_ref (session);
  d->node = node;

  /* Translators: %d is a NUMA node */
  heading = g_strdup_printf (_("Huge Pages on Node %d"), node);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading,
                                                       _("The pool’s size becomes a pending host "
                                                         "change, applied from the Host view")));
  gtk_window_set_title (GTK_WINDOW (dialog), heading);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Page _size"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  d->size = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
  gtk_widget_set_valign (GTK_WIDGET (d->size), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (d->size));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (d->size));
  gtk_list_box_append (GTK_LIST_BOX (list), row);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Pages"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  d->count = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 1 << 24, 1));
  gtk_widget_set_valign (GTK_WIDGET (d->count), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (d->count));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (d->count));
  d->now = GTK_LABEL (gtk_label_new (NULL));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

    gtk_box_append (GTK_BOX (box), list);
    gtk_label_set_xalign (d->now, 0);
    gtk_widget_add_css_class (GTK_WIDGET (d->now), "dim-label");
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->now));
    adw_message_dialog_set_extra_child (dialog, box);
  }
  g_signal_connect_swapped (d->size, "notify::selected", G_CALLBACK (on_pool_size), d);
  on_pool_size (d);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "set", _("_Set"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "set");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_pool_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Save Current as Profile ------------------------------------------------ */

typedef struct
{
  AdwToastOverlay *toasts;    /* weak */
  GtkWindow       *parent;    /* weak */
  KtSession       *session;
  GtkEditable     *name;
  void           (*saved) (gpointer, const char *);
  gpointer         data;
} SaveProfile;

static void
save_profile_free (SaveProfile *s)
{
  g_clear_weak_pointer (&s->toasts);
  g_clear_weak_pointer (&s->parent);
  g_clear_object (&s->session);
  g_free (s);
}

/* "My Host, 2" → "my-host-2" */
static char *
id_of (const char *name)
{
  g_autofree char *down = g_utf8_strdown (name, -1);
  GString *id = g_string_new (NULL);

  for (const char *c = down; *c != '\0'; c++)
    if (g_ascii_isalnum (*c))
      g_string_append_c (id, *c);
    else if (id->len > 0 && id->str[id->len - 1] != '-')
      g_string_append_c (id, '-');
  while (id->len > 0 && id->str[id->len - 1] == '-')
    g_string_truncate (id, id->len - 1);
  if (id->len == 0)
    g_string_append (id, "profile");
  return g_string_free (id, FALSE);
}

static void
on_save_profile_response (AdwMessageDialog *dialog,
                          const char       *response,
                          gpointer          data)
{
  SaveProfile *s = data;
  const KtHostTuning *current = kt_session_get_host_tuning (s->session);
  g_autoptr(KtHostProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;

  if (!g_str_equal (response, "save") || current == NULL)
    {
      save_profile_free (s);
      return;
    }
  name = g_strstrip (g_strdup (gtk_editable_get_text (s->name)));
  id = id_of (name);
  profile = kt_host_profile_new_from_state (current, id, *name != '\0' ? name : id);
  if (!kt_host_profile_save (profile, &error))
    show_failure (s->parent, _("Cannot Save the Profile"), error->message);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Saved profile “%s”"), profile->name);

      toast (s->toasts, text);
      if (s->saved != NULL)
        s->saved (s->data, profile->id);
    }
  save_profile_free (s);
}

void
kt_host_save_profile_run (GtkWindow       *parent,
                          AdwToastOverlay *toasts,
                          KtSession       *session,
                          void           (*saved) (gpointer, const char *),
                          gpointer         data)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  SaveProfile *s;

  g_return_if_fail (KT_IS_SESSION (session));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Save Current as Profile"),
                                                       _("The host’s values now become a "
                                                         "profile of your own, to apply here "
                                                         "again or on another host.")));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Save Current as Profile"));
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Profile name"));
  gtk_editable_set_text (GTK_EDITABLE (entry), kt_session_get_title (session));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");

  s = g_new0 (SaveProfile, 1);
  g_set_weak_pointer (&s->toasts, toasts);
  g_set_weak_pointer (&s->parent, parent);
  s->session = g_object_ref (session);
  s->name = GTK_EDITABLE (entry);
  s->saved = saved;
  s->data = data;
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_profile_response), s);
  gtk_window_present (GTK_WINDOW (dialog));
}
