/* kt-tuning-panel-cpu.c: the tuning panel's CPU Model and Guest Topology
 *
 * The CPU mode, and for a custom CPU its model: picked from the models of
 * the domain capabilities (those the host cannot run greyed out, with what
 * blocks them), or typed when the host listed none.  The guest topology is
 * kept consistent with the vCPU count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kt-cpu-models.h"
#include "kt-tuning-panel-private.h"

/* The model typed in, when the host listed none -------------------------- */

/* The custom model in @t; "" for none */
static const char *
custom_model (const KtTuning *t)
{
  return g_strcmp0 (t->cpu_mode, "custom") == 0 && t->cpu_model ? t->cpu_model : "";
}

static void
on_model_text_edited (KtFieldRow    *row,
                      KtTuningPanel *self)
{
  if (self->updating || self->building || self->preview_t == NULL)
    return;
  kt_field_row_set_error (row, *kt_field_row_get_text (row) == '\0'
                               ? _("A custom CPU needs a model name") : NULL);
}

static void
on_model_text_commit (KtFieldRow    *row,
                      KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = NULL;
  KtEdits *e;

  if (!_kt_tuning_panel_takes_input (self))
    return;
  model = g_strstrip (g_strdup (kt_field_row_get_text (row)));
  if (g_str_equal (model, custom_model (self->preview_t)))
    return;
  if (*model == '\0')
    {
      kt_field_row_set_error (row, _("A custom CPU needs a model name"));
      return;
    }
  e = _kt_tuning_panel_begin_edits (self);
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  e->cpu_mode = g_strdup ("custom");
  e->cpu_model = g_steal_pointer (&model);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static void
update_model_text_row (KtTuningPanel *self)
{
  KtFieldRow *row = self->cpu_model_text_row;
  const char *text = custom_model (self->preview_t);

  kt_field_row_set_hint (row, _("The host listed no CPU models (read-only connections get "
                                "none): type one"));
  kt_field_row_set_warns (row, FALSE);
  kt_field_row_set_pending (row, g_strcmp0 (self->preview_t->cpu_model,
                                            self->base_t->cpu_model) != 0);
  /* Refused text stays, with why, until it is edited */
  if (kt_field_row_get_error (row) != NULL)
    return;
  kt_field_row_set_text (row, text);
  kt_field_row_set_error (row, NULL);
}

/* The CPU mode and the listed models ------------------------------------- */

static const char *
cpu_mode_label (const char *mode)
{
  if (mode == NULL)
    return _("Not Set");
  if (g_str_equal (mode, "host-passthrough"))
    return _("Host Passthrough");
  if (g_str_equal (mode, "host-model"))
    return _("Host Model");
  if (g_str_equal (mode, "maximum"))
    return _("Maximum");
  if (g_str_equal (mode, "custom"))
    return _("Custom Model");
  return mode;
}

static void
build_cpu_modes (KtTuningPanel *self)
{
  static const char * const modes[] = { "host-passthrough", "host-model", "maximum", "custom" };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->cpu_modes, 0);
  if (self->base_t->cpu_mode == NULL)
    g_ptr_array_add (self->cpu_modes, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    g_ptr_array_add (self->cpu_modes, g_strdup (modes[i]));
  for (guint i = 0; i < self->cpu_modes->len; i++)
    gtk_string_list_append (list, cpu_mode_label (g_ptr_array_index (self->cpu_modes, i)));
  adw_combo_row_set_model (self->cpu_mode_row, G_LIST_MODEL (list));
}

static CpuModel *
lookup_cpu_model (KtTuningPanel *self,
                  const char    *name,
                  guint         *index)
{
  for (guint i = 0; name != NULL && i < self->cpu_models->len; i++)
    {
      CpuModel *m = g_ptr_array_index (self->cpu_models, i);

      if (g_str_equal (m->name, name))
        {
          if (index != NULL)
            *index = i;
          return m;
        }
    }
  return NULL;
}

static void
build_cpu_models (KtTuningPanel *self)
{
  KtSnapshot *snapshot = kt_session_get_snapshot (self->session);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  const char *extra[] = { self->base_t->cpu_model };

  g_clear_pointer (&self->cpu_models, g_ptr_array_unref);
  self->cpu_models = kt_cpu_models_parse (kt_snapshot_get_domcaps_xml (snapshot));
  g_free (self->cpu_host_model);
  self->cpu_host_model = kt_cpu_models_host_model (kt_snapshot_get_domcaps_xml (snapshot));
  self->cpu_models_of = snapshot;
  /* The VM's own model, even when the host does not list it */
  if (self->cpu_models->len > 0)
    for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
      if (extra[i] != NULL && lookup_cpu_model (self, extra[i], NULL) == NULL)
        {
          CpuModel *m = g_new0 (CpuModel, 1);

          m->name = g_strdup (extra[i]);
          m->usable = TRUE;
          g_ptr_array_add (self->cpu_models, m);
        }
  for (guint i = 0; i < self->cpu_models->len; i++)
    gtk_string_list_append (list, ((CpuModel *) g_ptr_array_index (self->cpu_models, i))->name);
  adw_combo_row_set_model (self->cpu_model_row, G_LIST_MODEL (list));
}

static void
setup_model_item (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

/* Models the host cannot run are greyed out, with what blocks them */
static void
bind_model_item (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  KtTuningPanel *self = KT_TUNING_PANEL (user_data);
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkStringObject *name = GTK_STRING_OBJECT (gtk_list_item_get_item (item));
  /* By the item, not its position: the row's own display of the selected
   * model has no position in the list */
  const CpuModel *m = self->cpu_models != NULL && name != NULL
                      ? lookup_cpu_model (self, gtk_string_object_get_string (name), NULL)
                      : NULL;

  gtk_label_set_label (GTK_LABEL (label), m != NULL ? m->name : "");
  set_row_class (label, "dim-label", m != NULL && !m->usable);
  if (m != NULL && !m->usable)
    {
      g_autofree char *tip = m->blockers
        ? g_strdup_printf (_("Not usable on this host; missing: %s"), m->blockers)
        : g_strdup (_("Not usable on this host"));

      gtk_widget_set_tooltip_text (label, tip);
    }
  else
    gtk_widget_set_tooltip_text (label, NULL);
}

static void
update_cpu (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  guint pos = index_of_mode (self->cpu_modes, t->cpu_mode);
  gboolean custom = g_strcmp0 (t->cpu_mode, "custom") == 0;
  gboolean listed = self->cpu_models->len > 0;
  CpuModel *model = NULL;
  guint model_pos = 0;
  g_autofree char *warning = NULL;
  const char *warning_title = _("Migration");
  gboolean warning_is_error = FALSE;

  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->cpu_mode_row, pos);
  set_row_class (self->cpu_mode_row, "kt-pending", g_strcmp0 (t->cpu_mode, b->cpu_mode) != 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->cpu_mode_row),
                               t->cpu_mode == NULL ? _("The hypervisor’s default CPU") : "");

  gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_row), custom && listed);
  gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_text_row), custom && !listed);
  if (custom && listed)
    {
      model = lookup_cpu_model (self, t->cpu_model, &model_pos);
      if (model != NULL)
        adw_combo_row_set_selected (self->cpu_model_row, model_pos);
      set_row_class (self->cpu_model_row, "kt-pending",
                     g_strcmp0 (t->cpu_model, b->cpu_model) != 0);
    }

  if (self->cpu_error != NULL)
    {
      warning = g_strdup (self->cpu_error);
      warning_is_error = TRUE;
    }
  else if (model != NULL && !model->usable)
    {
      warning_title = _("Not Usable Here");
      warning = model->blockers
        ? g_strdup_printf (_("%s cannot run on this host; it lacks: %s"), model->name,
                           model->blockers)
        : g_strdup_printf (_("%s cannot run on this host"), model->name);
    }
  else if (g_strcmp0 (t->cpu_mode, "host-passthrough") == 0)
    warning = g_strdup (_("The guest sees this host’s exact CPU: live migration only works to "
                          "hosts with the same CPU and microcode"));
  else if (g_strcmp0 (t->cpu_mode, "maximum") == 0)
    warning = g_strdup (_("Every feature the hypervisor can offer: not migratable"));

  gtk_widget_set_visible (GTK_WIDGET (self->cpu_warning_row), warning != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->cpu_warning_row),
                                 warning_is_error ? _("Refused") : warning_title);
  if (warning != NULL)
    show_row_state (self->cpu_warning_row, warning_is_error ? warning : NULL, warning, TRUE);
}

/* Guest topology: kept consistent with the vCPU count; a whole topology
 * becomes an edit (config only: it cannot change live).  Before, what is
 * typed here is checked against the vCPU count but never applied. */

static void
set_topology_spins (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;

  self->topology_syncing = TRUE;
  gtk_spin_button_set_value (self->sockets_spin, t->has_topology ? t->sockets : MAX (t->vcpus, 1));
  gtk_spin_button_set_value (self->dies_spin, t->has_topology ? MAX (t->dies, 1) : 1);
  gtk_spin_button_set_value (self->cores_spin, t->has_topology ? t->cores : 1);
  gtk_spin_button_set_value (self->threads_spin, t->has_topology ? t->threads : 1);
  self->topology_syncing = FALSE;
}

static void
update_topology_check (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  guint s = gtk_spin_button_get_value_as_int (self->sockets_spin);
  guint d = gtk_spin_button_get_value_as_int (self->dies_spin);
  guint c = gtk_spin_button_get_value_as_int (self->cores_spin);
  guint th = gtk_spin_button_get_value_as_int (self->threads_spin);
  guint clusters = t->has_topology && t->clusters > 1 ? t->clusters : 1;
  guint64 product = (guint64) s * d * clusters * c * th;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  gboolean same_as_defined;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vCPU", "%u vCPUs", t->vcpus),
                           t->vcpus);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->topology_check_row), title);
  same_as_defined = t->has_topology ? s == t->sockets && d == MAX (t->dies, 1) && c == t->cores
                                      && th == t->threads
                                    : s == t->vcpus && d == 1 && c == 1 && th == 1;
  if (product != t->vcpus)
    {
      /* Translators: sockets × dies × cores × threads = product, and the
       * VM's vCPU count it must equal */
      g_autofree char *n_product = num (product);

      text = g_strdup_printf (_("%u × %u × %u × %u = %s, but the VM has %u "
                                "vCPUs: libvirt needs the product of sockets, dies, clusters, "
                                "cores and threads to equal the vCPU count"),
                              s, d, c, th, n_product, t->vcpus);
      show_row_state (self->topology_check_row, text, NULL, FALSE);
      return;
    }
  if (same_as_defined)
    text = g_strdup_printf (t->has_topology ? _("%u × %u × %u × %u, as defined")
                                            : _("%u × %u × %u × %u: no <topology>, libvirt’s "
                                                "default"), s, d, c, th);
  else
    text = g_strdup_printf (_("%u × %u × %u × %u adds up; not applied (edit the domain XML to "
                              "change the topology)"), s, d, c, th);
  show_row_state (self->topology_check_row, NULL, text, !same_as_defined);
}

static void
on_topology_changed (KtTuningPanel *self,
                     GtkSpinButton *spin)
{
  const KtTuning *t = self->preview_t;
  guint s, d, c, th, clusters, rest;

  if (self->topology_syncing || t == NULL)
    return;

  /* Keep the product on the vCPU count: the sockets give way to the
   * others, the cores to the sockets, where the numbers divide */
  s = gtk_spin_button_get_value_as_int (self->sockets_spin);
  d = gtk_spin_button_get_value_as_int (self->dies_spin);
  c = gtk_spin_button_get_value_as_int (self->cores_spin);
  th = gtk_spin_button_get_value_as_int (self->threads_spin);
  clusters = t->has_topology && t->clusters > 1 ? t->clusters : 1;
  self->topology_syncing = TRUE;
  if (spin != self->sockets_spin)
    {
      rest = d * clusters * c * th;
      if (rest > 0 && t->vcpus % rest == 0 && t->vcpus / rest >= 1)
        gtk_spin_button_set_value (self->sockets_spin, t->vcpus / rest);
    }
  else
    {
      rest = s * d * clusters * th;
      if (rest > 0 && t->vcpus % rest == 0 && t->vcpus / rest >= 1)
        gtk_spin_button_set_value (self->cores_spin, t->vcpus / rest);
    }
  self->topology_syncing = FALSE;
  update_topology_check (self);

  /* A whole topology becomes an edit, applied to the config */
  {
    guint v[4] = {
      gtk_spin_button_get_value_as_int (self->sockets_spin),
      gtk_spin_button_get_value_as_int (self->dies_spin),
      gtk_spin_button_get_value_as_int (self->cores_spin),
      gtk_spin_button_get_value_as_int (self->threads_spin),
    };
    gboolean same = t->has_topology && v[0] == t->sockets && v[1] == MAX (t->dies, 1)
                    && v[2] == t->cores && v[3] == t->threads;
    g_autoptr(GError) error = NULL;
    KtEdits *e;

    if (same || (guint64) v[0] * v[1] * clusters * v[2] * v[3] != t->vcpus || self->vm == NULL)
      return;
    e = _kt_tuning_panel_begin_edits (self);
    e->has_topology = TRUE;
    memcpy (e->topology, v, sizeof v);
    if (!_kt_tuning_panel_commit_edits (self, e, &error))
      show_row_state (self->topology_check_row, error->message, NULL, FALSE);
  }
}

static void
on_cpu_mode_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->cpu_mode_row);
  const KtTuning *t = self->preview_t;
  const char *mode;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->cpu_modes->len)
    return;
  mode = g_ptr_array_index (self->cpu_modes, pos);
  if (g_strcmp0 (mode, t->cpu_mode) == 0)
    return;
  g_clear_pointer (&self->cpu_error, g_free);

  e = _kt_tuning_panel_begin_edits (self);
  g_clear_pointer (&e->cpu_mode, g_free);
  g_clear_pointer (&e->cpu_model, g_free);
  if (mode != NULL && g_str_equal (mode, "custom"))
    {
      const char *model = NULL;

      /* The model it had, else the host's closest usable one: host-model's
       * model (not the first listed, which is 486) */
      if (t->cpu_model != NULL)
        model = t->cpu_model;
      if (model == NULL)
        model = kt_cpu_models_suggest (self->cpu_models, self->cpu_host_model);
      if (model == NULL)
        {
          /* Nothing to offer: the model is typed in its own row */
          kt_edits_free (e);
          self->updating = TRUE;
          gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_text_row), TRUE);
          self->updating = FALSE;
          kt_field_row_grab_entry_focus (self->cpu_model_text_row);
          return;
        }
      e->cpu_mode = g_strdup (mode);
      e->cpu_model = g_strdup (model);
    }
  else if (mode != NULL)
    e->cpu_mode = g_strdup (mode);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    {
      self->cpu_error = g_strdup (error->message);
      _kt_tuning_panel_refresh (self);
    }
}

static void
on_cpu_model_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->cpu_model_row);
  CpuModel *m;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->cpu_models->len)
    return;
  m = g_ptr_array_index (self->cpu_models, pos);
  if (g_strcmp0 (m->name, self->preview_t->cpu_model) == 0)
    return;
  g_clear_pointer (&self->cpu_error, g_free);
  if (!m->usable)
    {
      /* Greyed out: refused, with what blocks it */
      self->cpu_error = m->blockers
        ? g_strdup_printf (_("%s cannot run on this host; it lacks: %s"), m->name, m->blockers)
        : g_strdup_printf (_("%s cannot run on this host (libvirt marks it unusable)"), m->name);
      _kt_tuning_panel_refresh (self);
      return;
    }
  e = _kt_tuning_panel_begin_edits (self);
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  e->cpu_mode = g_strdup ("custom");
  e->cpu_model = g_strdup (m->name);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    {
      self->cpu_error = g_strdup (error->message);
      _kt_tuning_panel_refresh (self);
    }
}

/* The section ------------------------------------------------------------ */

void
_kt_tuning_panel_cpu_build (KtTuningPanel *self)
{
  build_cpu_modes (self);
  build_cpu_models (self);
  set_topology_spins (self);
}

void
_kt_tuning_panel_cpu_update (KtTuningPanel *self)
{
  update_model_text_row (self);
  update_cpu (self);
  update_topology_check (self);
}

void
_kt_tuning_panel_cpu_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_cpu_mode_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_cpu_model_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_topology_changed);
}

void
_kt_tuning_panel_cpu_init (KtTuningPanel *self)
{
  GtkListItemFactory *factory;

  kt_field_row_set_width_chars (self->cpu_model_text_row, 14, 20);
  g_signal_connect (self->cpu_model_text_row, "edited", G_CALLBACK (on_model_text_edited), self);
  g_signal_connect (self->cpu_model_text_row, "commit", G_CALLBACK (on_model_text_commit), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_model_item), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_model_item), self);
  adw_combo_row_set_factory (self->cpu_model_row, factory);
  g_object_unref (factory);
}
