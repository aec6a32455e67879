/* kt-vm-row.c: one VM in the sidebar, or "All VMs"
 *
 * A colour swatch (the VM's colour on the map), the name, and the state
 * with the vCPU count and memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kt-describe.h"
#include "kt-map-painter.h"
#include "kt-vm-row.h"

struct _KtVmRow
{
  GtkWidget       parent_instance;

  GtkDrawingArea *swatch;
  GtkImage       *all_icon;
  GtkLabel       *name_label;
  GtkLabel       *detail_label;
  GtkImage       *pending_icon;

  KtVm           *vm;
  guint           vm_index;
  guint           n_vms;
};

G_DEFINE_FINAL_TYPE (KtVmRow, kt_vm_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VM,
  PROP_VM_INDEX,
  PROP_N_VMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  KtVmRow *self = KT_VM_ROW (user_data);
  AdwStyleManager *manager = adw_style_manager_get_default ();
  KtMapStyle style = { 0, };
  KtMapColor color;
  double size = MIN (width, height);
  double x = (width - size) / 2;
  double y = (height - size) / 2;
  double r = size / 4;

  if (self->vm == NULL)
    return;

  kt_map_style_init_default (&style, adw_style_manager_get_dark (manager));
  color = kt_map_style_vm_color (&style, self->vm_index);
  kt_map_style_clear (&style);

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + size - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + size - r, y + size - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + size - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha);
  cairo_fill (cr);
}

static void
update (KtVmRow *self)
{
  g_autoptr(KtTuning) tuning = NULL;
  g_autofree char *vcpus = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *detail = NULL;
  gboolean all = self->vm == NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->swatch), !all);
  gtk_widget_set_visible (GTK_WIDGET (self->all_icon), all);
  gtk_widget_queue_draw (GTK_WIDGET (self->swatch));

  if (all)
    {
      gtk_label_set_label (self->name_label, _("All VMs"));
      detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u virtual machine",
                                             "%u virtual machines", self->n_vms),
                                self->n_vms);
      gtk_label_set_label (self->detail_label, detail);
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_label), "dim-label");
      return;
    }

  tuning = kt_domain_get_tuning (kt_vm_get_effective (self->vm));
  if (tuning != NULL)
    {
      /* "4 of 8 vCPUs" when some are offline (hot-pluggable) */
      vcpus = kt_describe_vcpu_count (tuning);
      memory = g_format_size_full (tuning->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: a VM's state, vCPU count and memory: "Running · 4 vCPUs · 8.0 GiB" */
      detail = g_strdup_printf (_("%s · %s · %s"),
                                kt_describe_vm_state (kt_vm_get_state (self->vm)), vcpus, memory);
    }
  else
    detail = g_strdup (kt_describe_vm_state (kt_vm_get_state (self->vm)));

  gtk_label_set_label (self->name_label, kt_vm_get_name (self->vm));
  gtk_label_set_label (self->detail_label, detail);
  if (kt_vm_is_active (self->vm))
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "dim-label");
}

static void
kt_vm_row_dispose (GObject *object)
{
  KtVmRow *self = KT_VM_ROW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_VM_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->vm != NULL)
    g_signal_handlers_disconnect_by_func (self->vm, update, self);
  g_clear_object (&self->vm);

  G_OBJECT_CLASS (kt_vm_row_parent_class)->dispose (object);
}

static void
kt_vm_row_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KtVmRow *self = KT_VM_ROW (object);

  switch (prop_id)
    {
    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;
    case PROP_VM_INDEX:
      g_value_set_uint (value, self->vm_index);
      break;
    case PROP_N_VMS:
      g_value_set_uint (value, self->n_vms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_vm_row_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  KtVmRow *self = KT_VM_ROW (object);

  switch (prop_id)
    {
    case PROP_VM:
      kt_vm_row_set_vm (self, g_value_get_object (value));
      break;
    case PROP_VM_INDEX:
      kt_vm_row_set_vm_index (self, g_value_get_uint (value));
      break;
    case PROP_N_VMS:
      kt_vm_row_set_n_vms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_vm_row_class_init (KtVmRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_vm_row_dispose;
  object_class->get_property = kt_vm_row_get_property;
  object_class->set_property = kt_vm_row_set_property;

  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, KT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VM_INDEX] =
    g_param_spec_uint ("vm-index", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_VMS] =
    g_param_spec_uint ("n-vms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/KvmTune/ui/kt-vm-row.ui");
  gtk_widget_class_bind_template_child (widget_class, KtVmRow, swatch);
  gtk_widget_class_bind_template_child (widget_class, KtVmRow, all_icon);
  gtk_widget_class_bind_template_child (widget_class, KtVmRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, KtVmRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, KtVmRow, pending_icon);
  gtk_widget_class_set_css_name (widget_class, "ktvmrow");
}

static void
kt_vm_row_init (KtVmRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->swatch, draw_swatch, self, NULL);
  /* The map's palette differs between light and dark */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self->swatch,
                           G_CONNECT_SWAPPED);
  update (self);
}

GtkWidget *
kt_vm_row_new (void)
{
  return g_object_new (KT_TYPE_VM_ROW, NULL);
}

KtVm *
kt_vm_row_get_vm (KtVmRow *self)
{
  g_return_val_if_fail (KT_IS_VM_ROW (self), NULL);
  return self->vm;
}

void
kt_vm_row_set_vm (KtVmRow *self,
                  KtVm    *vm)
{
  g_return_if_fail (KT_IS_VM_ROW (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  if (self->vm != NULL)
    g_signal_handlers_disconnect_by_func (self->vm, update, self);
  if (g_set_object (&self->vm, vm))
    {
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
    }
  /* Live updates change the state (and with it, the definition in force) */
  if (self->vm != NULL)
    g_signal_connect_object (self->vm, "notify::state", G_CALLBACK (update), self,
                             G_CONNECT_SWAPPED);
}

guint
kt_vm_row_get_vm_index (KtVmRow *self)
{
  g_return_val_if_fail (KT_IS_VM_ROW (self), 0);
  return self->vm_index;
}

void
kt_vm_row_set_vm_index (KtVmRow *self,
                        guint    vm_index)
{
  g_return_if_fail (KT_IS_VM_ROW (self));

  if (self->vm_index == vm_index)
    return;
  self->vm_index = vm_index;
  gtk_widget_queue_draw (GTK_WIDGET (self->swatch));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM_INDEX]);
}

guint
kt_vm_row_get_n_vms (KtVmRow *self)
{
  g_return_val_if_fail (KT_IS_VM_ROW (self), 0);
  return self->n_vms;
}

void
kt_vm_row_set_n_vms (KtVmRow *self,
                     guint    n_vms)
{
  g_return_if_fail (KT_IS_VM_ROW (self));

  if (self->n_vms == n_vms)
    return;
  self->n_vms = n_vms;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VMS]);
}

/**
 * kt_vm_row_set_pending:
 * @pending: (nullable): what is pending on the VM ("web1: 2 pending
 *   changes", kt_session_dup_pending_title ()); %NULL: nothing
 *
 * Shows a mark with @pending as its tooltip and in the row's accessible
 * description.
 */
void
kt_vm_row_set_pending (KtVmRow    *self,
                       const char *pending)
{
  g_return_if_fail (KT_IS_VM_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->pending_icon), pending != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pending_icon), pending);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  pending != NULL ? pending : "", -1);
}
