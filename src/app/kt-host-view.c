/* kt-host-view.c: the host's tuning, its profiles, Apply and Revert
 *
 * One AdwPreferencesPage: the profile (shipped and the user's own) with
 * Apply and Revert, then a group per part of the host.  The rows are made
 * again whenever the session changes (a read, a pending host change, an
 * apply): what a row says comes from the session's host values, the plan
 * of the chosen profile with the pending changes on top
 * (kt_session_plan_host ()) and kt_host_control_can_change ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-format.h"
#include "kt-host-preview.h"
#include "kt-host-view.h"

struct _KtHostView
{
  GtkWidget             parent_instance;

  /* Template */
  AdwPreferencesPage   *page;
  AdwPreferencesGroup  *profile_group;
  AdwComboRow          *profile_row;
  AdwActionRow         *pending_row;
  GtkWidget            *apply_button;
  GtkWidget            *revert_button;
  AdwPreferencesGroup  *tuned_group;
  AdwPreferencesGroup  *ksm_group;
  AdwPreferencesGroup  *thp_group;
  AdwPreferencesGroup  *numa_group;
  AdwPreferencesGroup  *pools_group;

  KtSession            *session;
  GCancellable         *cancellable;
  GPtrArray            *profiles;     /* KtHostProfile; the combo's items after "None" */
  GPtrArray            *rows;         /* (group, row) pairs made by refresh () */
  gboolean              reading;
  gboolean              stale;        /* changed while not shown: refresh on map */
};

G_DEFINE_FINAL_TYPE (KtHostView, kt_host_view, GTK_TYPE_WIDGET)

static void refresh (KtHostView *self);

/* The chosen profile, or NULL ("None": only the pending changes) */
static const KtHostProfile *
chosen_profile (KtHostView *self)
{
  guint i = adw_combo_row_get_selected (self->profile_row);

  if (self->profiles == NULL || i == GTK_INVALID_LIST_POSITION || i == 0
      || i > self->profiles->len)
    return NULL;
  return g_ptr_array_index (self->profiles, i - 1);
}

static AdwToastOverlay *
toasts_of (KtHostView *self)
{
  return ADW_TOAST_OVERLAY (gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY));
}

static GtkWindow *
window_of (KtHostView *self)
{
  return GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
}

/* Profiles --------------------------------------------------------------- */

static void
load_profiles (KtHostView *self,
               const char *select_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const KtHostProfile *was = chosen_profile (self);
  g_autofree char *keep = g_strdup (select_id != NULL ? select_id : was ? was->id : NULL);
  guint selected = 0;

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  self->profiles = kt_host_profile_load_all (NULL, &error);
  if (self->profiles == NULL)
    {
      g_warning ("Host profiles: %s", error->message);
      self->profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_profile_free);
    }
  /* Translators: no host profile chosen: only the pending host changes */
  gtk_string_list_append (names, _("None"));
  for (guint i = 0; i < self->profiles->len; i++)
    {
      const KtHostProfile *p = g_ptr_array_index (self->profiles, i);
      g_autofree char *name = NULL;

      /* Translators: a host profile of the user's own */
      name = p->user ? g_strdup_printf (_("%s (yours)"), p->name) : g_strdup (p->name);
      gtk_string_list_append (names, name);
      if (g_strcmp0 (p->id, keep) == 0)
        selected = i + 1;
    }
  adw_combo_row_set_model (self->profile_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->profile_row, selected);
}

static void
on_profile_selected (KtHostView *self)
{
  const KtHostProfile *p = chosen_profile (self);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->profile_row),
                               p != NULL && p->description != NULL ? p->description
                               : _("Only the pending host changes"));
  refresh (self);
}

static void
profile_saved (gpointer    data,
               const char *id)
{
  KtHostView *self = data;

  load_profiles (self, id);
}

static void
on_save_profile_activated (KtHostView *self)
{
  if (self->session != NULL && kt_session_get_host_tuning (self->session) != NULL)
    kt_host_save_profile_run (window_of (self), toasts_of (self), self->session, profile_saved,
                              self);
}

static void
on_apply_clicked (KtHostView *self)
{
  if (self->session != NULL)
    kt_host_preview_run (window_of (self), toasts_of (self), self->session,
                         chosen_profile (self), FALSE);
}

static void
on_revert_clicked (KtHostView *self)
{
  if (self->session != NULL)
    kt_host_preview_run (window_of (self), toasts_of (self), self->session, NULL, TRUE);
}

static void
on_reload_clicked (KtHostView *self)
{
  kt_host_view_reload (self);
}

static void
on_discard_clicked (KtHostView *self)
{
  if (self->session != NULL)
    kt_session_discard_host_targets (self->session);
}

/* Rows ------------------------------------------------------------------- */

static void
clear_rows (KtHostView *self)
{
  for (guint i = 0; i + 1 < self->rows->len; i += 2)
    adw_preferences_group_remove (g_ptr_array_index (self->rows, i),
                                  g_ptr_array_index (self->rows, i + 1));
  g_ptr_array_set_size (self->rows, 0);
}

static GtkWidget *
add_row (KtHostView          *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, group);
  g_ptr_array_add (self->rows, row);
  return row;
}

static GtkWidget *
value_label (const char *text,
             const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
on_edit_setting_clicked (KtHostView *self,
                         GtkWidget  *button)
{
  if (self->session != NULL)
    kt_host_setting_dialog_run (window_of (self), self->session,
                                g_object_get_data (G_OBJECT (button), "kt-key"));
}

static void
on_edit_pool_clicked (KtHostView *self,
                      GtkWidget  *button)
{
  int node = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kt-node"));

  if (self->session != NULL)
    kt_host_pool_dialog_run (window_of (self), toasts_of (self), self->session, node);
}

/* A setting's row: its value now, → what would be set, the advice; or
 * read-only with the reason */
static void
add_setting (KtHostView          *self,
             AdwPreferencesGroup *group,
             const KtHostTuning  *current,
             GHashTable          *changes,
             const char          *key,
             const char          *title,
             const char          *extra)
{
  KtHostControl *control = kt_session_get_host_control (self->session);
  g_autofree char *now = kt_host_tuning_get_value (current, key);
  g_autofree char *now_text = kt_host_format_value (key, now);
  g_autofree char *reason = NULL;
  g_autofree char *subtitle = NULL;
  const KtHostChange *change = g_hash_table_lookup (changes, key);
  const char *pending = kt_session_get_host_target (self->session, key);
  gboolean can = kt_host_control_can_change (control, current, key, &reason);
  const char *advice;
  GtkWidget *row;

  advice = kt_host_explain (key, change != NULL ? change->new_value : now);
  /* The same sentence on every pool: only where something would change */
  if (g_str_has_prefix (key, "hugepages.") && change == NULL)
    advice = NULL;
  if (!can)
    /* Translators: a host setting KvmTune cannot change; %s says why */
    subtitle = g_strdup_printf (now == NULL ? _("Unknown and read-only here — %s")
                                            : _("Read-only here — %s"), reason);
  else if (extra != NULL && advice != NULL && *advice != '\0')
    subtitle = g_strdup_printf ("%s\n%s", extra, advice);
  else
    subtitle = g_strdup (extra != NULL ? extra : advice);

  row = add_row (self, group, title != NULL ? title : kt_host_tuning_key_label (key), subtitle);
  gtk_widget_set_tooltip_text (row, key);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             value_label (now_text, now == NULL ? "dim-label" : NULL));
  if (change != NULL)
    {
      g_autofree char *new_text = kt_host_format_value (key, change->new_value);
      GtkWidget *target = value_label (new_text, "accent");

      gtk_widget_add_css_class (target, "heading");
      gtk_widget_set_tooltip_text (target, change->mechanism_text);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value_label ("→", "dim-label"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), target);
      if (pending != NULL)
        /* Translators: a tag after a host value: changed here, not applied */
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), value_label (_("pending"), "caption"));
    }
  if (can && !g_str_has_prefix (key, "hugepages."))
    {
      GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");

      gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (edit, "flat");
      gtk_widget_set_tooltip_text (edit, _("Change the value"));
      g_object_set_data_full (G_OBJECT (edit), "kt-key", g_strdup (key), g_free);
      g_signal_connect_swapped (edit, "clicked", G_CALLBACK (on_edit_setting_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
    }
  if (can && g_str_has_prefix (key, "hugepages."))
    {
      GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
      int node;

      kt_host_tuning_parse_key (key, &node, NULL, NULL);
      gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (edit, "flat");
      gtk_widget_set_tooltip_text (edit, _("Change the node’s pool"));
      g_object_set_data (G_OBJECT (edit), "kt-node", GINT_TO_POINTER (node));
      g_signal_connect_swapped (edit, "clicked", G_CALLBACK (on_edit_pool_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
    }
  if (!can)
    {
      GtkWidget *lock = gtk_image_new_from_icon_name ("changes-prevent-symbolic");

      gtk_widget_set_tooltip_text (lock, reason);
      gtk_widget_add_css_class (lock, "dim-label");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), lock);
    }
}

static char *
count_text (gint64 v)
{
  return v < 0 ? g_strdup (_("unknown")) : g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static void
add_tuned (KtHostView         *self,
           const KtHostTuning *current,
           GHashTable         *changes)
{
  g_autofree char *recommended = NULL;
  const char *state;
  GtkWidget *row;

  switch (current->tuned_state)
    {
    case KT_TUNED_RUNNING:
      state = _("Running");
      break;
    case KT_TUNED_STOPPED:
      state = _("Not running");
      break;
    case KT_TUNED_MISSING:
      state = _("Not running (not installed or not on the system bus)");
      break;
    case KT_TUNED_UNKNOWN:
    default:
      state = _("Unknown: tuned has no remote API");
      break;
    }
  row = add_row (self, self->tuned_group, _("State"), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             value_label (state, current->tuned_state == KT_TUNED_RUNNING
                                                 ? NULL : "dim-label"));

  if (current->tuned_recommended != NULL)
    /* Translators: %s is a tuned profile's name */
    recommended = g_strdup_printf (_("tuned recommends “%s”"), current->tuned_recommended);
  add_setting (self, self->tuned_group, current, changes, "tuned.profile", _("Profile"),
               recommended);

  if (current->tuned_profiles != NULL && current->tuned_profiles->len > 0)
    {
      GtkWidget *expander = adw_expander_row_new ();
      g_autofree char *n = g_strdup_printf ("%u", current->tuned_profiles->len);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _("Profiles tuned offers"));
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), n);
      for (guint i = 0; i < current->tuned_profiles->len; i++)
        {
          const KtTunedProfile *p = g_ptr_array_index (current->tuned_profiles, i);
          GtkWidget *r = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r), p->name);
          if (p->summary != NULL)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (r), p->summary);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), r);
        }
      adw_preferences_group_add (self->tuned_group, expander);
      g_ptr_array_add (self->rows, self->tuned_group);
      g_ptr_array_add (self->rows, expander);
    }
}

static void
add_ksm (KtHostView         *self,
         const KtHostTuning *current,
         GHashTable         *changes)
{
  g_autofree char *shared = count_text (current->ksm_pages_shared);
  g_autofree char *sharing = count_text (current->ksm_pages_sharing);
  g_autofree char *unshared = count_text (current->ksm_pages_unshared);
  g_autofree char *scans = count_text (current->ksm_full_scans);
  g_autofree char *counters = NULL;

  add_setting (self, self->ksm_group, current, changes, "ksm.run", _("KSM"), NULL);
  add_setting (self, self->ksm_group, current, changes, "ksm.merge_across_nodes", NULL, NULL);
  add_setting (self, self->ksm_group, current, changes, "ksm.pages_to_scan", NULL, NULL);
  add_setting (self, self->ksm_group, current, changes, "ksm.sleep_millisecs", NULL, NULL);
  /* Translators: KSM's counters, as the kernel names them */
  counters = g_strdup_printf (_("pages_shared %s · pages_sharing %s · pages_unshared %s · "
                                "full_scans %s"), shared, sharing, unshared, scans);
  add_row (self, self->ksm_group, _("Counters"), counters);
}

static void
add_pools (KtHostView         *self,
           const KtHostTuning *current,
           GHashTable         *changes)
{
  if (current->hugepages == NULL || current->hugepages->len == 0)
    {
      add_row (self, self->pools_group, _("No hugepage pools known"),
               _("The host reported none, or they cannot be read from here"));
      return;
    }
  for (guint i = 0; i < current->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (current->hugepages, KtHugePool, i);
      g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT,
                                              p->node, p->size_kib);
      g_autofree char *size = kt_format_page_size (p->size_kib);
      g_autofree char *title = NULL;
      g_autofree char *free_text = count_text (p->free);
      g_autofree char *total_text = count_text (p->total);
      g_autofree char *extra = NULL;

      /* Translators: a hugepage pool: "Node 0 · 2 MiB pages" */
      title = g_strdup_printf (_("Node %d · %s pages"), p->node, size);
      /* Translators: a pool's free and total pages, then whether hugetlbfs is mounted */
      extra = g_strdup_printf (_("%s free of %s · %s"), free_text, total_text,
                               p->mounted == 1 ? _("hugetlbfs mounted")
                               : p->mounted == 0 ? _("no hugetlbfs of this size mounted")
                               : _("hugetlbfs mount unknown"));
      add_setting (self, self->pools_group, current, changes, key, title, extra);
    }
}

static void
refresh (KtHostView *self)
{
  g_autoptr(GHashTable) changes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const KtHostTuning *current;
  const GError *read_error;
  guint n_pending;
  gboolean busy;

  /* The session changes with every pin: planning waits until shown */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  self->stale = FALSE;
  clear_rows (self);
  if (self->session == NULL)
    {
      gtk_widget_set_sensitive (self->apply_button, FALSE);
      gtk_widget_set_sensitive (self->revert_button, FALSE);
      return;
    }
  current = kt_session_get_host_tuning (self->session);
  read_error = kt_session_get_host_error (self->session);
  busy = kt_session_is_busy (self->session);
  gtk_widget_set_sensitive (self->revert_button,
                            !busy && current != NULL && kt_session_can_revert_host (self->session));

  n_pending = kt_session_get_n_pending_host (self->session);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_row), n_pending > 0);
  if (n_pending > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u pending host change",
                                                            "%u pending host changes",
                                                            n_pending), n_pending);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pending_row), text);
      adw_action_row_set_subtitle (self->pending_row,
                                   _("Applied with the profile, or alone with “None”"));
    }

  if (current == NULL)
    {
      gtk_widget_set_sensitive (self->apply_button, FALSE);
      add_row (self, self->tuned_group,
               read_error != NULL ? _("Cannot read the host’s tuning") : _("Reading the host…"),
               read_error != NULL ? read_error->message : NULL);
      return;
    }

  plan = kt_session_plan_host (self->session, chosen_profile (self), FALSE, &error);
  if (plan != NULL)
    for (guint i = 0; i < plan->changes->len; i++)
      {
        KtHostChange *c = g_ptr_array_index (plan->changes, i);

        g_hash_table_insert (changes, c->key, c);
      }
  gtk_widget_set_sensitive (self->apply_button, !busy && plan != NULL && plan->changes->len > 0);
  if (plan == NULL)
    add_row (self, self->profile_group, _("The profile does not fit this host"), error->message);
  else if (plan->changes->len == 0)
    add_row (self, self->profile_group, _("Nothing to change"),
             chosen_profile (self) != NULL ? _("The host has the profile’s values already")
                                           : _("Choose a profile, or change a hugepage pool"));

  add_tuned (self, current, changes);
  add_ksm (self, current, changes);
  add_setting (self, self->thp_group, current, changes, "thp.enabled", _("Enabled"), NULL);
  add_setting (self, self->thp_group, current, changes, "thp.defrag", _("Defragmentation"), NULL);
  add_setting (self, self->numa_group, current, changes, "numa_balancing", NULL, NULL);
  add_pools (self, current, changes);
}

/* The session ------------------------------------------------------------ */

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(KtHostView) self = data;
  g_autoptr(GError) error = NULL;

  self->reading = FALSE;
  if (!kt_session_read_host_finish (KT_SESSION (source), result, &error))
    g_debug ("Reading the host's tuning: %s", error->message);
  if (self->session == KT_SESSION (source))
    refresh (self);
}

void
kt_host_view_reload (KtHostView *self)
{
  g_return_if_fail (KT_IS_HOST_VIEW (self));

  if (self->session == NULL || self->reading)
    return;
  self->reading = TRUE;
  kt_session_read_host_async (self->session, self->cancellable, read_done, g_object_ref (self));
}

void
kt_host_view_set_session (KtHostView *self,
                          KtSession  *session)
{
  g_return_if_fail (KT_IS_HOST_VIEW (self));
  g_return_if_fail (session == NULL || KT_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->reading = FALSE;
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      self->cancellable = g_cancellable_new ();
      g_signal_connect_object (session, "changed", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::busy", G_CALLBACK (refresh), self,
                               G_CONNECT_SWAPPED);
      /* Read once shown: tuned, libvirt and the sysfs are not asked at
       * startup for a view nobody looks at */
      if (kt_session_get_host_tuning (session) == NULL
          && gtk_widget_get_mapped (GTK_WIDGET (self)))
        kt_host_view_reload (self);
    }
  refresh (self);
}

/* GObject ---------------------------------------------------------------- */

static void
kt_host_view_dispose (GObject *object)
{
  KtHostView *self = KT_HOST_VIEW (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  if (self->rows != NULL)
    clear_rows (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_HOST_VIEW);
  G_OBJECT_CLASS (kt_host_view_parent_class)->dispose (object);
}

static void
kt_host_view_finalize (GObject *object)
{
  KtHostView *self = KT_HOST_VIEW (object);

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (kt_host_view_parent_class)->finalize (object);
}

static void
kt_host_view_map (GtkWidget *widget)
{
  KtHostView *self = KT_HOST_VIEW (widget);

  GTK_WIDGET_CLASS (kt_host_view_parent_class)->map (widget);
  if (self->session != NULL && kt_session_get_host_tuning (self->session) == NULL
      && kt_session_get_host_error (self->session) == NULL)
    kt_host_view_reload (self);
  if (self->stale)
    refresh (self);
}

static void
kt_host_view_class_init (KtHostViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_host_view_dispose;
  object_class->finalize = kt_host_view_finalize;
  widget_class->map = kt_host_view_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-host-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KtHostView, page);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, profile_group);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, profile_row);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, pending_row);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, revert_button);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, tuned_group);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, ksm_group);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, thp_group);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, numa_group);
  gtk_widget_class_bind_template_child (widget_class, KtHostView, pools_group);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_revert_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_discard_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reload_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_profile_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kt-host-view");
}

static void
kt_host_view_init (KtHostView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  load_profiles (self, NULL);
  g_signal_connect_object (self->profile_row, "notify::selected",
                           G_CALLBACK (on_profile_selected), self, G_CONNECT_SWAPPED);
  on_profile_selected (self);
}
