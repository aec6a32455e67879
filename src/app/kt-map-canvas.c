/* kt-map-canvas.c: the host map widget
 *
 * The object itself: its properties and signals, the session it shows
 * (its plan, which carries the snapshot) and the rebuilds when that
 * changes.  The rest is split by concern (see
 * kt-map-canvas-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-map-canvas-private.h"

static void kt_map_canvas_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtMapCanvas, kt_map_canvas, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE,
                                                      kt_map_canvas_scrollable_init))

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SELECTED_VM,
  PROP_ZOOM,
  N_PROPS,

  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  VM_ACTIVATED,
  PIN_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* g_set_str () is GLib 2.76 */
void
kt_map_canvas_replace_str (char       **slot,
                           const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

void
kt_map_canvas_notify_zoom (KtMapCanvas *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
kt_map_canvas_set_selected_vm_internal (KtMapCanvas *self,
                                        KtVm        *vm)
{
  if (g_set_object (&self->selected_vm, vm))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_VM]);
    }
}

/* A chip of @vm was clicked or picked: it becomes the selected VM */
void
kt_map_canvas_emit_vm_activated (KtMapCanvas *self,
                                 KtVm        *vm)
{
  g_autoptr(KtVm) keep = g_object_ref (vm);

  kt_map_canvas_set_selected_vm_internal (self, keep);
  g_signal_emit (self, signals[VM_ACTIVATED], 0, keep);
}

void
kt_map_canvas_emit_pin_failed (KtMapCanvas *self,
                               const char  *message)
{
  g_signal_emit (self, signals[PIN_FAILED], 0, message);
}

/* Model ------------------------------------------------------------------ */

/* A new overlay over the same layout: the selection and focus follow
 * their keys */
void
kt_map_canvas_replace_overlay (KtMapCanvas *self)
{
  g_clear_pointer (&self->overlay, kt_map_overlay_free);
  g_ptr_array_set_size (self->selected_chips, 0);
  if (self->snapshot != NULL)
    {
      self->overlay = kt_map_overlay_new (self->snapshot, self->plan, self->layout);
      kt_map_overlay_set_observed (self->overlay, self->observed);
    }
  kt_map_canvas_resolve_selection (self);
  kt_map_canvas_resolve_focus (self);
}

static void
rebuild (KtMapCanvas *self,
         gboolean     repaint_topology)
{
  KtSnapshot *snapshot = self->plan ? kt_plan_get_snapshot (self->plan) : NULL;
  KtHost *host = snapshot ? kt_snapshot_get_host (snapshot) : NULL;

  g_clear_pointer (&self->overlay, kt_map_overlay_free);
  g_ptr_array_set_size (self->selected_chips, 0);

  if (host != self->host)
    {
      /* Everything that points into the old layout */
      kt_map_canvas_cancel_move (self);
      self->hover = NULL;
      self->drag_mode = DRAG_NONE;
      g_clear_pointer (&self->layout, kt_map_layout_free);
      g_set_object (&self->host, host);
      if (host != NULL)
        {
          self->layout = kt_map_layout_new (host);
          self->fit_pending = TRUE;
          self->fitted_w = self->fitted_h = -1;
        }
      repaint_topology = TRUE;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  if (repaint_topology)
    kt_map_canvas_clear_tiles (self);

  g_set_object (&self->snapshot, snapshot);
  kt_map_canvas_replace_overlay (self);

  if (self->selected_vm != NULL
      && (snapshot == NULL
          || kt_snapshot_lookup_vm (snapshot, kt_vm_get_name (self->selected_vm)) != self->selected_vm))
    kt_map_canvas_set_selected_vm_internal (self, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_plan_changed (KtMapCanvas *self,
                 KtPlan      *plan)
{
  rebuild (self, FALSE);
}

/* The node headers show the session's pools as last read, and its
 * pending ones: the topology is painted again when they change */
static void
update_pending_pools (KtMapCanvas *self)
{
  g_autoptr(GHashTable) pending = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                         g_free, g_free);
  g_autoptr(GArray) current = NULL;
  g_autoptr(GString) signature = g_string_new (NULL);
  const KtHostTuning *tuning = self->session ? kt_session_get_host_tuning (self->session) : NULL;

  if (tuning != NULL && tuning->hugepages != NULL)
    {
      current = g_array_copy (tuning->hugepages);
      for (guint i = 0; i < current->len; i++)
        {
          const KtHugePool *p = &g_array_index (current, KtHugePool, i);

          g_string_append_printf (signature, "%d.%" G_GUINT64_FORMAT "=%" G_GINT64_FORMAT
                                  "/%" G_GINT64_FORMAT ";",
                                  p->node, p->size_kib, p->total, p->free);
        }
    }
  if (self->session != NULL)
    {
      g_autoptr(GPtrArray) targets = kt_session_dup_host_targets (self->session);

      for (guint i = 0; i < targets->len; i++)
        {
          const KtHostTarget *t = g_ptr_array_index (targets, i);

          if (!g_str_has_prefix (t->key, "hugepages."))
            continue;
          g_hash_table_insert (pending, g_strdup (t->key), g_strdup (t->value));
          g_string_append_printf (signature, "%s→%s;", t->key, t->value);
        }
    }
  if (g_strcmp0 (signature->str, self->pools_signature) == 0)
    return;
  g_free (self->pools_signature);
  self->pools_signature = g_string_free (g_steal_pointer (&signature), FALSE);
  g_clear_pointer (&self->current_pools, g_array_unref);
  g_clear_pointer (&self->pending_pools, g_hash_table_unref);
  self->current_pools = g_steal_pointer (&current);
  self->pending_pools = g_steal_pointer (&pending);
  kt_map_canvas_clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GObject ---------------------------------------------------------------- */

static void
kt_map_canvas_scrollable_init (GtkScrollableInterface *iface)
{
}

static void
kt_map_canvas_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (kt_map_canvas_parent_class)->css_changed (widget, change);
  kt_map_canvas_invalidate_style (KT_MAP_CANVAS (widget));
}

static void
kt_map_canvas_system_setting_changed (GtkWidget        *widget,
                                      GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (kt_map_canvas_parent_class)->system_setting_changed (widget, setting);
  /* Font name and hinting changes */
  kt_map_canvas_invalidate_style (KT_MAP_CANVAS (widget));
}

static void
kt_map_canvas_dispose (GObject *object)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_func (self->plan, on_plan_changed, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, update_pending_pools, self);
  g_clear_object (&self->plan);
  g_clear_object (&self->session);
  g_clear_pointer (&self->current_pools, g_array_unref);
  g_clear_pointer (&self->pending_pools, g_hash_table_unref);
  g_clear_pointer (&self->pools_signature, g_free);
  g_clear_pointer (&self->overlay, kt_map_overlay_free);
  g_clear_pointer (&self->observed, g_hash_table_unref);
  g_clear_pointer (&self->drop, kt_map_drop_free);
  g_clear_pointer (&self->layout, kt_map_layout_free);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->host);
  g_clear_object (&self->selected_vm);
  g_clear_pointer (&self->highlight, kt_map_highlight_free);
  if (self->selection != NULL)
    g_array_set_size (self->selection, 0);
  if (self->moving != NULL)
    g_array_set_size (self->moving, 0);
  if (self->selected_chips != NULL)
    g_ptr_array_set_size (self->selected_chips, 0);
  kt_chip_key_clear (&self->press_key);
  kt_chip_key_clear (&self->focus_key);
  self->hover = self->drop_target = self->kbd_pu = NULL;
  if (self->tiles != NULL)
    kt_map_canvas_clear_tiles (self);
  kt_map_canvas_view_dispose (self);

  G_OBJECT_CLASS (kt_map_canvas_parent_class)->dispose (object);
}

static void
kt_map_canvas_finalize (GObject *object)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  g_clear_pointer (&self->selection, g_array_unref);
  g_clear_pointer (&self->moving, g_array_unref);
  g_clear_pointer (&self->selected_chips, g_ptr_array_unref);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->geometry_path, g_free);
  g_clear_pointer (&self->geometry_last, g_free);
  kt_map_style_clear (&self->style);

  G_OBJECT_CLASS (kt_map_canvas_parent_class)->finalize (object);
}

static void
kt_map_canvas_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SELECTED_VM:
      g_value_set_object (value, self->selected_vm);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadj);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadj);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_scroll_policy (KtMapCanvas         *self,
                   GtkScrollablePolicy *slot,
                   GtkScrollablePolicy  policy,
                   GParamSpec          *pspec)
{
  if (*slot == policy)
    return;
  *slot = policy;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
kt_map_canvas_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      kt_map_canvas_set_session (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_VM:
      kt_map_canvas_set_selected_vm (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      kt_map_canvas_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_HADJUSTMENT:
      kt_map_canvas_set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      kt_map_canvas_set_adjustment (self, GTK_ORIENTATION_VERTICAL, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      set_scroll_policy (self, &self->hscroll_policy, g_value_get_enum (value), pspec);
      break;
    case PROP_VSCROLL_POLICY:
      set_scroll_policy (self, &self->vscroll_policy, g_value_get_enum (value), pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_map_canvas_class_init (KtMapCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_map_canvas_dispose;
  object_class->finalize = kt_map_canvas_finalize;
  object_class->get_property = kt_map_canvas_get_property;
  object_class->set_property = kt_map_canvas_set_property;

  widget_class->snapshot = kt_map_canvas_snapshot;
  widget_class->measure = kt_map_canvas_measure;
  widget_class->size_allocate = kt_map_canvas_size_allocate;
  widget_class->query_tooltip = kt_map_canvas_query_tooltip;
  widget_class->css_changed = kt_map_canvas_css_changed;
  widget_class->system_setting_changed = kt_map_canvas_system_setting_changed;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, KT_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_VM] =
    g_param_spec_object ("selected-vm", NULL, NULL, KT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * KtMapCanvas::vm-activated:
   * @vm: the chip's VM
   *
   * A chip was clicked (or picked with the keyboard)
   */
  signals[VM_ACTIVATED] =
    g_signal_new ("vm-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, KT_TYPE_VM);
  /**
   * KtMapCanvas::pin-failed:
   * @message: why, one translated sentence
   *
   * A drop (or a keyboard move) was refused
   */
  signals[PIN_FAILED] =
    g_signal_new ("pin-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  kt_map_canvas_class_init_keyboard (widget_class);
  kt_map_canvas_class_init_input (widget_class);

  gtk_widget_class_set_css_name (widget_class, "kt-map-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kt_map_canvas_init (KtMapCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Host map"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Tab moves between VM threads; Enter picks one up, "
                                    "arrows choose where it goes, Enter pins it there"),
                                  -1);

  /* The pinch before the primary button's drag, as always */
  kt_map_canvas_view_init (self);
  kt_map_canvas_input_init (self);
  kt_map_canvas_keyboard_init (self);
  kt_map_canvas_draw_init (self);
  kt_map_canvas_test_init (self);
}

/* Public ----------------------------------------------------------------- */

GtkWidget *
kt_map_canvas_new (void)
{
  return g_object_new (KT_TYPE_MAP_CANVAS, NULL);
}

/**
 * kt_map_canvas_set_session:
 * @session: (nullable): what to show; %NULL clears the map
 *
 * The canvas shows @session's plan (its snapshot with the pending pins)
 * and gives every drop to the session (kt_session_pin ()).
 */
void
kt_map_canvas_set_session (KtMapCanvas *self,
                           KtSession   *session)
{
  KtPlan *plan;

  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (session == NULL || KT_IS_SESSION (session));

  if (session == self->session)
    return;

  plan = session != NULL ? kt_session_get_plan (session) : NULL;
  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_func (self->plan, on_plan_changed, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, update_pending_pools, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "changed", G_CALLBACK (update_pending_pools), self,
                             G_CONNECT_SWAPPED);
  update_pending_pools (self);
  /* The session's own plan, for what is shown */
  g_set_object (&self->plan, plan);
  if (plan != NULL)
    g_signal_connect_object (plan, "changed", G_CALLBACK (on_plan_changed), self,
                             G_CONNECT_SWAPPED);

  kt_map_canvas_cancel_move (self);
  g_array_set_size (self->selection, 0);
  self->focus_chip = -1;
  kt_chip_key_set (&self->focus_key, NULL);
  kt_map_canvas_set_selected_vm_internal (self, NULL);
  rebuild (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * kt_map_canvas_get_session:
 *
 * Returns: (transfer none) (nullable): the session shown
 */
KtSession *
kt_map_canvas_get_session (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), NULL);
  return self->session;
}

void
kt_map_canvas_set_selected_vm (KtMapCanvas *self,
                               KtVm        *vm)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  kt_map_canvas_set_selected_vm_internal (self, vm);
}

/**
 * kt_map_canvas_get_selected_vm:
 *
 * Returns: (transfer none) (nullable): the highlighted VM
 */
KtVm *
kt_map_canvas_get_selected_vm (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), NULL);
  return self->selected_vm;
}

void
kt_map_canvas_refresh (KtMapCanvas *self)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));

  rebuild (self, TRUE);
}

/**
 * kt_map_canvas_set_observed:
 * @observed: (nullable) (element-type utf8 GArray): VM name → the
 *   #KtObservedVcpu array of kt_observed_query_all (); %NULL clears
 *
 * Shows where running VMs' vCPUs ran last: a dot on each such pCPU.
 * Kept across refreshes until replaced.
 */
void
kt_map_canvas_set_observed (KtMapCanvas *self,
                            GHashTable  *observed)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));

  if (observed == self->observed)
    return;
  g_clear_pointer (&self->observed, g_hash_table_unref);
  self->observed = observed != NULL ? g_hash_table_ref (observed) : NULL;
  if (self->overlay != NULL)
    {
      kt_map_overlay_set_observed (self->overlay, self->observed);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}
