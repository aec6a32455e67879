/* kt-tuning-panel.c: the selected VM's tuning, beside the map
 *
 * The panel shows a session (KtSession) and forwards input to it.  What
 * is shown is a preview: a copy of the VM's effective definition (which
 * already carries the plan's pins) with the VM's pending edits in the
 * session replayed onto it.  vCPU pins typed here go through
 * kt_session_pin (), everything else the plan cannot hold through
 * kt_session_set_edits (): each is one step of the session's undo
 * history, so Ctrl+Z takes back a CPU-model or memory edit as it does a
 * drop.  The session applies, undoes and reloads (kt-tuning-panel-apply.c
 * is the glue to the apply dialog and the toasts).
 *
 * Rows that depend on the VM's shape (its vCPUs, IOThreads and guest
 * cells) are built when the shape changes; the rest only update, so that
 * an entry keeps the focus while it is being edited.  Each section of the
 * panel has its own file (kt-tuning-panel-private.h); this one has the
 * class, the header with Apply and Discard, and what drives the sections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-cpu-models.h"
#include "kt-describe.h"
#include "kt-error.h"
#include "kt-tuning-panel-private.h"

G_DEFINE_FINAL_TYPE (KtTuningPanel, kt_tuning_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers ---------------------------------------------------------------- */

KtHost *
_kt_tuning_panel_get_host (KtTuningPanel *self)
{
  return self->session != NULL ? kt_snapshot_get_host (kt_session_get_snapshot (self->session))
                               : NULL;
}

void
_kt_tuning_panel_show_toast (KtTuningPanel *self,
                             AdwToast      *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

void
_kt_tuning_panel_show_message (KtTuningPanel *self,
                               const char    *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 6);
  _kt_tuning_panel_show_toast (self, toast);
}

gboolean
_kt_tuning_panel_takes_input (KtTuningPanel *self)
{
  return !self->updating && !self->building && self->vm != NULL && self->preview_t != NULL;
}

/* "node 0", "nodes 0-1" */
char *
format_nodes (const KtCpuset *nodes)
{
  g_autofree char *text = kt_cpuset_format (nodes);

  if (kt_cpuset_count (nodes) == 1)
    return g_strdup_printf (_("node %s"), text);
  return g_strdup_printf (_("nodes %s"), text);
}

gboolean
_kt_tuning_panel_parse_set (const char  *text,
                            KtCpuset   **out,
                            GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(KtCpuset) set = NULL;

  *out = NULL;
  if (*stripped == '\0')
    return TRUE;
  set = kt_cpuset_parse (stripped, error);
  if (set == NULL)
    return FALSE;
  if (kt_cpuset_is_empty (set))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, _("The set is empty"));
      return FALSE;
    }
  *out = g_steal_pointer (&set);
  return TRUE;
}

/* Shows @now in @row, unless the row shows why its text is refused (kept
 * until the text is edited), or is being typed in with text that means
 * the same */
void
_kt_tuning_panel_show_set (KtFieldRow     *row,
                           const KtCpuset *now)
{
  g_autofree char *text = now != NULL ? kt_cpuset_format (now) : g_strdup ("");
  const char *shown = kt_field_row_get_text (row);

  if (kt_field_row_get_error (row) != NULL)
    return;
  if (!g_str_equal (shown, text))
    {
      gboolean same = FALSE;

      if (kt_field_row_is_editing (row))
        {
          g_autoptr(KtCpuset) typed = kt_cpuset_parse (shown, NULL);

          same = typed != NULL && kt_cpuset_same (kt_cpuset_is_empty (typed) ? NULL : typed, now);
        }
      if (!same)
        kt_field_row_set_text (row, text);
    }
  kt_field_row_set_error (row, NULL);
}

/* The rows built for the VM's shape ------------------------------------- */

static char *
compute_shape (KtTuningPanel *self)
{
  GString *s = g_string_new (NULL);
  const KtTuning *t = self->preview_t;

  if (t == NULL)
    return g_string_free (s, FALSE);
  g_string_append_printf (s, "%p %p %u|", (gpointer) self->vm,
                          (gpointer) kt_session_get_snapshot (self->session), t->vcpus);
  for (guint i = 0; i < t->iothread_ids->len; i++)
    g_string_append_printf (s, "%u,", g_array_index (t->iothread_ids, guint, i));
  g_string_append_c (s, '|');
  for (guint i = 0; i < t->cells->len; i++)
    g_string_append_printf (s, "%u,", g_array_index (t->cells, KtGuestCell, i).id);
  /* Nothing the panel's own edits change: rebuilding the combo rows'
   * models from their own "notify::selected" would pull the rug */
  g_string_append_printf (s, "|%d%d|%s|%d", self->base_t->numa_mode == NULL,
                          self->base_t->cpu_mode == NULL,
                          self->base_t->cpu_model != NULL ? self->base_t->cpu_model : "",
                          self->base_t->has_hugepages && self->base_t->hugepages->len > 0
                          && g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib == 0);
  return g_string_free (s, FALSE);
}

static void
remove_built_rows (KtTuningPanel *self)
{
  for (guint i = 0; i < self->built_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->built_rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->built_rows, 0);
  g_ptr_array_set_size (self->vcpu_rows, 0);
  g_ptr_array_set_size (self->iothread_rows, 0);
  g_ptr_array_set_size (self->memnode_rows, 0);
  self->emulator_row = NULL;
}

void
_kt_tuning_panel_add_row (KtTuningPanel       *self,
                          AdwPreferencesGroup *group,
                          KtFieldRow          *row)
{
  adw_preferences_group_add (group, GTK_WIDGET (row));
  g_ptr_array_add (self->built_rows, row);
}

/* Forgets every refusal shown */
void
_kt_tuning_panel_clear_errors (KtTuningPanel *self)
{
  KtFieldRow *fixed[] = { self->numa_nodeset_row, self->page_cells_row,
                          self->cpu_model_text_row };

  for (guint i = 0; i < self->built_rows->len; i++)
    kt_field_row_set_error (g_ptr_array_index (self->built_rows, i), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    kt_field_row_set_error (fixed[i], NULL);
  g_clear_pointer (&self->numa_mode_error, g_free);
  g_clear_pointer (&self->page_size_error, g_free);
  g_clear_pointer (&self->cpu_error, g_free);
  g_clear_pointer (&self->switch_error, g_free);
}

static void
rebuild (KtTuningPanel *self)
{
  self->building = TRUE;
  remove_built_rows (self);
  _kt_tuning_panel_pins_build (self);
  _kt_tuning_panel_memory_build (self);
  _kt_tuning_panel_hugepages_build (self);
  _kt_tuning_panel_cpu_build (self);
  _kt_tuning_panel_clear_errors (self);
  self->building = FALSE;
}

/* The header ------------------------------------------------------------- */

static gboolean
preview_differs (KtTuningPanel *self)
{
  g_autofree char *xml = NULL;
  KtDomain *eff;

  if (self->vm == NULL || self->preview == NULL)
    return FALSE;
  eff = kt_vm_get_effective (self->vm);
  xml = kt_domain_to_xml (self->preview);
  return !g_str_equal (xml, kt_domain_get_original_xml (eff));
}

/* Whether the VM boots with other tuning than it runs with: what was
 * applied to the config only */
static gboolean
config_differs (KtVm *vm)
{
  g_autoptr(KtTuning) l = NULL;
  g_autoptr(KtTuning) c = NULL;

  if (!kt_vm_is_active (vm) || kt_vm_get_inactive (vm) == NULL)
    return FALSE;
  l = kt_domain_get_tuning (kt_vm_get_live (vm));
  c = kt_domain_get_tuning (kt_vm_get_inactive (vm));
  if (g_strcmp0 (l->numa_mode, c->numa_mode) != 0 || !kt_cpuset_same (l->numa_nodeset, c->numa_nodeset)
      || l->has_hugepages != c->has_hugepages || l->nosharepages != c->nosharepages
      || l->locked != c->locked || l->hard_limit_kib != c->hard_limit_kib
      || g_strcmp0 (l->cpu_mode, c->cpu_mode) != 0 || g_strcmp0 (l->cpu_model, c->cpu_model) != 0
      || !kt_cpuset_same (l->emulatorpin, c->emulatorpin))
    return TRUE;
  for (guint v = 0; v < MIN (l->vcpus, c->vcpus); v++)
    if (!kt_cpuset_same (kt_tuning_get_vcpupin (l, v), kt_tuning_get_vcpupin (c, v)))
      return TRUE;
  return FALSE;
}

static void
update_header (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  g_autofree char *memory = kt_format_kib (t->memory_kib);
  g_autofree char *detail = NULL;
  const char *name = kt_vm_get_name (self->vm);
  guint n_pending = kt_session_get_n_pending_vm (self->session, name);
  guint n_edits = kt_edits_count (kt_session_get_edits (self->session, name));
  gboolean read_only = kt_session_is_read_only (self->session);
  gboolean changes = n_pending > 0 && preview_differs (self);

  gtk_label_set_label (self->title_label, kt_vm_get_name (self->vm));
  {
    /* "4 of 8 vCPUs" when some are offline (hot-pluggable) */
    g_autofree char *vcpus = kt_describe_vcpu_count (t);

    /* Translators: a VM's state, vCPU count and memory: "Running · 4 vCPUs · 4.0 GiB" */
    detail = g_strdup_printf (_("%s · %s · %s"),
                              kt_vm_is_active (self->vm) ? _("Running") : _("Shut off"),
                              vcpus, memory);
  }
  if (n_pending > 0)
    {
      g_autofree char *with = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s · %u pending",
                                                            "%s · %u pending",
                                                            n_pending),
                                               detail, n_pending);

      g_free (detail);
      detail = g_steal_pointer (&with);
    }
  if (config_differs (self->vm))
    {
      /* Translators: the VM's config has tuning it does not run with yet */
      g_autofree char *with = g_strdup_printf (_("%s · next boot differs"), detail);

      g_free (detail);
      detail = g_steal_pointer (&with);
    }
  if (self->preview_error != NULL)
    {
      g_free (detail);
      detail = g_strdup (self->preview_error);
    }
  gtk_label_set_label (self->detail_label, detail);
  /* The whole line, for when it is cut short */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), detail);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.apply", changes && !read_only);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.discard", n_edits > 0);
  if (read_only)
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("The connection is read-only: connect again without "
                                   "“Read-Only” to apply"));
  else if (!changes)
    gtk_widget_set_tooltip_text (self->apply_button, _("Nothing to apply yet"));
  else if (kt_session_get_connection (self->session) == NULL)
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("Write the changes into the snapshot (Ctrl+Return)"));
  else
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("Preview the libvirt calls and apply them (Ctrl+Return)"));
}

static void
compute_preview (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) base = NULL;
  KtDomain *eff;

  g_clear_object (&self->preview);
  g_clear_pointer (&self->preview_t, kt_tuning_unref);
  g_clear_pointer (&self->base_t, kt_tuning_unref);
  g_clear_pointer (&self->preview_error, g_free);
  if (self->vm == NULL || self->session == NULL)
    return;

  eff = kt_vm_get_effective (self->vm);
  self->preview = kt_domain_copy (eff);
  if (!kt_edits_replay (_kt_tuning_panel_get_edits (self), self->preview, &error))
    {
      /* Checked when made; the definitions changed under them since */
      self->preview_error = g_strdup_printf (_("Pending changes no longer fit: %s"),
                                             error->message);
      g_clear_object (&self->preview);
      self->preview = kt_domain_copy (eff);
    }
  self->preview_t = kt_domain_get_tuning (self->preview);
  base = kt_domain_new_from_xml (kt_domain_get_original_xml (eff), -1, NULL);
  self->base_t = base != NULL ? kt_domain_get_tuning (base) : kt_tuning_ref (self->preview_t);
}

void
_kt_tuning_panel_refresh (KtTuningPanel *self)
{
  g_autofree char *shape = NULL;

  /* Building, or disposed (an apply's thread may answer late) */
  if (self->building || self->built_rows == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self), self->vm != NULL && self->session != NULL);
  compute_preview (self);
  if (self->preview_t == NULL)
    {
      self->building = TRUE;
      remove_built_rows (self);
      self->building = FALSE;
      g_clear_pointer (&self->shape, g_free);
      return;
    }

  shape = compute_shape (self);
  if (g_strcmp0 (shape, self->shape) != 0)
    {
      rebuild (self);
      g_free (self->shape);
      self->shape = g_steal_pointer (&shape);
    }

  self->updating = TRUE;
  _kt_tuning_panel_pins_update (self);
  _kt_tuning_panel_memory_update (self);
  _kt_tuning_panel_hugepages_update (self);
  _kt_tuning_panel_cpu_update (self);
  update_header (self);
  self->updating = FALSE;
}

/* GObject ---------------------------------------------------------------- */

static void
on_session_changed (KtTuningPanel *self)
{
  _kt_tuning_panel_refresh (self);
}

/* Applied, undone or reloaded: the rows are built anew */
static void
on_session_vm_changed (KtTuningPanel *self,
                       const char    *name,
                       gboolean       snapshot_edited)
{
  if (self->vm == NULL || !g_str_equal (name, kt_vm_get_name (self->vm)))
    return;
  g_clear_pointer (&self->shape, g_free);
  _kt_tuning_panel_refresh (self);
}

static void
kt_tuning_panel_dispose (GObject *object)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);
  GtkWidget *child;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  self->building = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_TUNING_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->built_rows, g_ptr_array_unref);
  g_clear_pointer (&self->vcpu_rows, g_ptr_array_unref);
  g_clear_pointer (&self->iothread_rows, g_ptr_array_unref);
  g_clear_pointer (&self->memnode_rows, g_ptr_array_unref);
  self->emulator_row = NULL;
  g_clear_object (&self->session);
  g_clear_object (&self->vm);
  g_clear_object (&self->preview);
  g_clear_pointer (&self->preview_t, kt_tuning_unref);
  g_clear_pointer (&self->base_t, kt_tuning_unref);
  _kt_tuning_panel_apply_dispose (self);

  G_OBJECT_CLASS (kt_tuning_panel_parent_class)->dispose (object);
}

static void
kt_tuning_panel_finalize (GObject *object)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  g_clear_pointer (&self->preview_error, g_free);
  g_clear_pointer (&self->shape, g_free);
  g_clear_pointer (&self->numa_modes, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_modes, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_models, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_host_model, g_free);
  g_clear_pointer (&self->page_sizes, g_array_unref);
  g_clear_pointer (&self->numa_mode_error, g_free);
  g_clear_pointer (&self->page_size_error, g_free);
  g_clear_pointer (&self->cpu_error, g_free);
  g_clear_pointer (&self->switch_error, g_free);

  G_OBJECT_CLASS (kt_tuning_panel_parent_class)->finalize (object);
}

static void
kt_tuning_panel_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_tuning_panel_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      kt_tuning_panel_set_session (self, g_value_get_object (value));
      break;
    case PROP_VM:
      kt_tuning_panel_set_vm (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_tuning_panel_class_init (KtTuningPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_tuning_panel_dispose;
  object_class->finalize = kt_tuning_panel_finalize;
  object_class->get_property = kt_tuning_panel_get_property;
  object_class->set_property = kt_tuning_panel_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, KT_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, KT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KT_TYPE_FIELD_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-tuning-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, detail_label);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, apply_button);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, discard_button);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, pinning_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, numa_mode_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, numa_nodeset_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, memory_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cells_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_size_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_cells_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_free_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, nosharepages_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, nosharepages_switch);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, locked_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, locked_switch);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, hard_limit_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, hard_limit_fix_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_mode_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_model_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_model_text_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, topology_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, sockets_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, dies_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cores_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, topology_check_row);
  _kt_tuning_panel_memory_class_init (widget_class);
  _kt_tuning_panel_hugepages_class_init (widget_class);
  _kt_tuning_panel_cpu_class_init (widget_class);
  _kt_tuning_panel_apply_class_init (widget_class);

  gtk_widget_class_set_css_name (widget_class, "kttuningpanel");
}

static void
kt_tuning_panel_init (KtTuningPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->vcpu_rows = g_ptr_array_new ();
  self->iothread_rows = g_ptr_array_new ();
  self->memnode_rows = g_ptr_array_new ();
  self->built_rows = g_ptr_array_new ();
  self->numa_modes = g_ptr_array_new_with_free_func (g_free);
  self->cpu_modes = g_ptr_array_new_with_free_func (g_free);
  self->cpu_models = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpu_model_free);
  self->page_sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  _kt_tuning_panel_apply_init (self);
  _kt_tuning_panel_memory_init (self);
  _kt_tuning_panel_hugepages_init (self);
  _kt_tuning_panel_cpu_init (self);

  {
    /* Subtitles carry host and libvirt text ("<topology>"): no markup */
    gpointer rows[] = {
      self->numa_mode_row, self->numa_nodeset_row, self->memory_warning_row,
      self->page_size_row, self->page_cells_row, self->page_free_row, self->page_warning_row,
      self->nosharepages_row, self->locked_row, self->hard_limit_row, self->cpu_mode_row,
      self->cpu_model_row, self->cpu_model_text_row, self->cpu_warning_row,
      self->topology_check_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (rows[i]), FALSE);
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.apply", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.discard", FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* Public ----------------------------------------------------------------- */

GtkWidget *
kt_tuning_panel_new (void)
{
  return g_object_new (KT_TYPE_TUNING_PANEL, NULL);
}

/**
 * kt_tuning_panel_set_session:
 * @session: (nullable): what to show; %NULL hides the panel
 *
 * The panel shows @session's VMs and what is pending on them, and gives
 * every change to it.  A new session shows no VM.
 */
void
kt_tuning_panel_set_session (KtTuningPanel *self,
                             KtSession     *session)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));
  g_return_if_fail (session == NULL || KT_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "changed", G_CALLBACK (on_session_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::connection", G_CALLBACK (on_session_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "vm-changed", G_CALLBACK (on_session_vm_changed), self,
                               G_CONNECT_SWAPPED);
    }
  g_clear_object (&self->vm);
  g_clear_pointer (&self->shape, g_free);
  _kt_tuning_panel_clear_errors (self);
  _kt_tuning_panel_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

KtSession *
kt_tuning_panel_get_session (KtTuningPanel *self)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), NULL);
  return self->session;
}

void
kt_tuning_panel_set_vm (KtTuningPanel *self,
                        KtVm          *vm)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  if (self->vm == vm)
    return;
  g_set_object (&self->vm, vm);
  g_clear_pointer (&self->shape, g_free);
  _kt_tuning_panel_refresh (self);
  /* Another VM starts at the top */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

KtVm *
kt_tuning_panel_get_vm (KtTuningPanel *self)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), NULL);
  return self->vm;
}

/**
 * kt_tuning_panel_refresh:
 *
 * Shows the VM again after its definitions were replaced elsewhere (by
 * live updates from the connection).
 */
void
kt_tuning_panel_refresh (KtTuningPanel *self)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));

  /* A VM that went away is not shown */
  if (self->vm != NULL && self->session != NULL
      && kt_snapshot_lookup_vm (kt_session_get_snapshot (self->session),
                                kt_vm_get_name (self->vm)) != self->vm)
    g_clear_object (&self->vm);
  _kt_tuning_panel_refresh (self);
}

