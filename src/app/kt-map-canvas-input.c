/* kt-map-canvas-input.c: the pointer, drags and moves on the map
 *
 * A press on a vCPU chip that moves past DRAG_THRESHOLD picks up the
 * selected vCPUs of its VM; elsewhere it draws a rubber band.  What a
 * drop means is kt-map-drop.h's; the canvas only tracks the target and
 * hands the drop to the session (kt_session_pin ()), which makes it one
 * undo step; its apply carries it to libvirt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "kt-error.h"
#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"

/* Moves ------------------------------------------------------------------ */

/* The vCPUs of @keys (all of one VM) and their VM */
static GArray *
moving_vcpus_of (GArray  *keys,
                 KtVm   **vm)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));

  *vm = NULL;
  for (guint i = 0; i < keys->len; i++)
    {
      const ChipKey *key = &g_array_index (keys, ChipKey, i);

      if (key->kind != KT_THREAD_VCPU || key->vm == NULL)
        continue;
      *vm = key->vm;
      g_array_append_val (list, key->index);
    }
  return list;
}

static KtMapDrop *
drop_on (KtMapCanvas    *self,
         const KtMapBox *box)
{
  g_autoptr(GArray) vcpus = NULL;
  KtVm *vm;

  if (box == NULL || self->plan == NULL)
    return NULL;
  vcpus = moving_vcpus_of (self->moving, &vm);
  return kt_map_drop_new (self->plan, vm, (const guint *) vcpus->data, vcpus->len, box);
}

static void
clear_drop (KtMapCanvas *self)
{
  self->drop_target = NULL;
  g_clear_pointer (&self->drop, kt_map_drop_free);
}

gboolean
kt_map_canvas_drop_allowed (KtMapCanvas *self)
{
  return self->drop != NULL && kt_map_drop_is_allowed (self->drop);
}

void
kt_map_canvas_set_drop_target (KtMapCanvas    *self,
                               const KtMapBox *box)
{
  if (box != NULL && box->kind == KT_MAP_BOX_HOST)
    box = NULL;
  if (box == self->drop_target)
    return;

  clear_drop (self);
  self->drop_target = box;
  self->drop = drop_on (self, box);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Starts moving @chip, with the other selected vCPUs of its VM */
void
kt_map_canvas_begin_move (KtMapCanvas     *self,
                          const KtMapChip *chip)
{
  ChipKey key = kt_chip_key_of (chip);

  g_array_set_size (self->moving, 0);
  if (kt_chip_keys_find (self->selection, &key) < 0)
    kt_map_canvas_selection_set_one (self, chip);
  for (guint i = 0; i < self->selection->len; i++)
    {
      const ChipKey *k = &g_array_index (self->selection, ChipKey, i);

      if (k->kind == KT_THREAD_VCPU && k->vm == chip->vm)
        kt_chip_keys_add (self->moving, k);
    }
  clear_drop (self);
  self->hover = NULL;
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Gives @drop to the session: the vCPUs spread one per pCPU after a drop
 * on a PU (kt_map_drop_get_spread ()), else all to the box's pCPUs */
static gboolean
pin_drop (KtMapCanvas  *self,
          KtMapDrop    *drop,
          GArray       *keys,
          GError      **error)
{
  g_autoptr(GArray) vcpus = NULL;
  GPtrArray *spread;
  KtVm *vm = NULL;

  if (!kt_map_drop_is_allowed (drop))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           kt_map_drop_get_message (drop));
      return FALSE;
    }
  vcpus = moving_vcpus_of (keys, &vm);
  if (vcpus->len == 0 || vm == NULL)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           _("Select one or more vCPUs first"));
      return FALSE;
    }
  spread = kt_map_drop_get_spread (drop);
  if (spread != NULL)
    return kt_session_pin_each (self->session, vm, (const guint *) vcpus->data, vcpus->len,
                                spread, error);
  return kt_session_pin (self->session, vm, (const guint *) vcpus->data, vcpus->len,
                         kt_map_drop_get_cpus (drop), error);
}

void
kt_map_canvas_finish_move (KtMapCanvas *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtMapDrop) drop = NULL;
  g_autoptr(GArray) keys = NULL;
  const KtMapBox *box = self->drop_target;

  /* Asked again: the plan may have changed since the target was set */
  drop = drop_on (self, box);
  keys = g_steal_pointer (&self->moving);
  self->moving = kt_chip_keys_new ();
  clear_drop (self);
  self->kbd_moving = FALSE;
  self->kbd_pu = NULL;
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (drop == NULL || keys->len == 0)
    return;
  /* What the drop means (src/map), made by the session: one undo step.
   * Each pin rebuilds the overlay and the selection; the drop holds its VM */
  if (!pin_drop (self, drop, keys, &error))
    {
      g_debug ("Drop refused: %s", error->message);
      kt_map_canvas_emit_pin_failed (self, error->message);
    }
}

void
kt_map_canvas_cancel_move (KtMapCanvas *self)
{
  g_array_set_size (self->moving, 0);
  clear_drop (self);
  self->kbd_moving = FALSE;
  self->kbd_pu = NULL;
  if (self->drag_mode == DRAG_PIN)
    self->drag_mode = DRAG_IGNORED;
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Pointer ---------------------------------------------------------------- */

static const KtMapChip *
chip_at (KtMapCanvas *self,
         double       wx,
         double       wy)
{
  double mx, my;

  if (self->overlay == NULL)
    return NULL;
  kt_map_canvas_widget_to_map (self, wx, wy, &mx, &my);
  return kt_map_overlay_hit_chip (self->overlay, mx, my);
}

static const KtMapBox *
box_at (KtMapCanvas *self,
        double       wx,
        double       wy)
{
  double mx, my;

  if (self->layout == NULL)
    return NULL;
  kt_map_canvas_widget_to_map (self, wx, wy, &mx, &my);
  return kt_map_layout_hit_test (self->layout, mx, my);
}

void
kt_map_canvas_update_hover (KtMapCanvas *self)
{
  const KtMapBox *box = NULL;

  if (self->pointer_inside && self->moving->len == 0 && self->drag_mode != DRAG_BAND)
    box = box_at (self, self->pointer_x, self->pointer_y);
  if (box != NULL && box->kind == KT_MAP_BOX_HOST)
    box = NULL;
  if (box != self->hover)
    {
      self->hover = box;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_motion (KtMapCanvas              *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  kt_map_canvas_update_hover (self);
}

static void
on_leave (KtMapCanvas              *self,
          GtkEventControllerMotion *motion)
{
  self->pointer_inside = FALSE;
  kt_map_canvas_update_hover (self);
}

static void
click (KtMapCanvas     *self,
       double           x,
       double           y,
       GdkModifierType  state)
{
  const KtMapChip *chip = chip_at (self, x, y);
  gboolean toggle = (state & GDK_CONTROL_MASK) != 0;

  if (chip == NULL)
    {
      if (!toggle)
        {
          kt_map_canvas_selection_clear (self);
          kt_map_canvas_set_selected_vm_internal (self, NULL);
        }
      return;
    }

  for (guint c = 0; c < kt_map_overlay_get_chips (self->overlay)->len; c++)
    if (g_ptr_array_index (kt_map_overlay_get_chips (self->overlay), c) == chip)
      {
        self->focus_chip = (int) c;
        kt_chip_key_set (&self->focus_key, chip);
        break;
      }

  if (toggle)
    {
      if (!kt_map_canvas_selection_toggle (self, chip))
        return;
    }
  else
    kt_map_canvas_selection_set_one (self, chip);

  kt_map_canvas_emit_vm_activated (self, chip->vm);
}

void
kt_map_canvas_band_rect (KtMapCanvas     *self,
                         graphene_rect_t *r)
{
  double x0 = self->drag_x, y0 = self->drag_y;
  double x1 = x0 + self->drag_dx, y1 = y0 + self->drag_dy;

  *r = GRAPHENE_RECT_INIT (MIN (x0, x1), MIN (y0, y1), fabs (x1 - x0), fabs (y1 - y0));
}

static void
select_band (KtMapCanvas *self)
{
  const GPtrArray *chips;
  graphene_rect_t band;
  KtMapRect mband;
  double mx, my;

  if (self->overlay == NULL)
    return;
  kt_map_canvas_band_rect (self, &band);
  kt_map_canvas_widget_to_map (self, band.origin.x, band.origin.y, &mx, &my);
  mband = (KtMapRect) { mx, my, band.size.width / self->zoom, band.size.height / self->zoom };

  if (!(self->drag_state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK)))
    g_array_set_size (self->selection, 0);
  chips = kt_map_overlay_get_chips (self->overlay);
  for (guint c = 0; c < chips->len; c++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, c);
      ChipKey key = kt_chip_key_of (chip);

      /* With a VM selected, the band picks only its chips */
      if (self->selected_vm != NULL && chip->vm != self->selected_vm)
        continue;
      if (kt_map_rect_overlaps (&mband, &chip->rect))
        kt_chip_keys_add (self->selection, &key);
    }
  kt_map_canvas_resolve_selection (self);
}

static void
on_drag_begin (KtMapCanvas    *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  const KtMapChip *chip;

  if (self->kbd_moving)
    kt_map_canvas_cancel_move (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->kbd_nav = FALSE;
  self->drag_mode = DRAG_PENDING;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drag_state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  chip = chip_at (self, x, y);
  self->press_on_chip = chip != NULL;
  kt_chip_key_set (&self->press_key, chip);
}

/* A press moved far enough: picks chips up, draws a band, or nothing */
static void
start_drag (KtMapCanvas    *self,
            GtkGestureDrag *gesture)
{
  const KtMapChip *chip = NULL;
  const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

  /* The chip pressed, found again by key: the overlay may have changed */
  for (guint c = 0; self->press_on_chip && chips != NULL && c < chips->len && chip == NULL; c++)
    if (kt_chip_key_matches (&self->press_key, g_ptr_array_index (chips, c)))
      chip = g_ptr_array_index (chips, c);

  if (self->press_on_chip && (chip == NULL || chip->kind != KT_THREAD_VCPU || self->plan == NULL))
    self->drag_mode = DRAG_IGNORED;   /* emulator and iothread chips do not move yet */
  else if (chip != NULL)
    {
      self->drag_mode = DRAG_PIN;
      kt_map_canvas_begin_move (self, chip);
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    }
  else if (self->layout != NULL)
    {
      self->drag_mode = DRAG_BAND;
      self->hover = NULL;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    }
  else
    self->drag_mode = DRAG_IGNORED;
}

static void
on_drag_update (KtMapCanvas    *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  double x = self->drag_x + dx, y = self->drag_y + dy;

  self->drag_dx = dx;
  self->drag_dy = dy;
  self->pointer_x = x;
  self->pointer_y = y;

  if (self->drag_mode == DRAG_PENDING && hypot (dx, dy) > DRAG_THRESHOLD)
    start_drag (self, gesture);

  switch (self->drag_mode)
    {
    case DRAG_PIN:
      kt_map_canvas_edge_scroll (self, x, y);
      kt_map_canvas_set_drop_target (self, box_at (self, x, y));
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_BAND:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_NONE:
    case DRAG_PENDING:
    case DRAG_IGNORED:
    default:
      break;
    }
}

static void
on_drag_end (KtMapCanvas    *self,
             double          dx,
             double          dy,
             GtkGestureDrag *gesture)
{
  DragMode mode = self->drag_mode;

  self->drag_mode = DRAG_NONE;
  switch (mode)
    {
    case DRAG_PENDING:
      click (self, self->drag_x, self->drag_y, self->drag_state);
      break;

    case DRAG_PIN:
      kt_map_canvas_set_drop_target (self, box_at (self, self->drag_x + dx, self->drag_y + dy));
      kt_map_canvas_finish_move (self);
      break;

    case DRAG_BAND:
      self->drag_dx = dx;
      self->drag_dy = dy;
      select_band (self);
      break;

    case DRAG_NONE:
    case DRAG_IGNORED:
    default:
      break;
    }
  kt_chip_key_set (&self->press_key, NULL);
  kt_map_canvas_update_hover (self);
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_cancel (KtMapCanvas      *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  if (self->drag_mode == DRAG_PIN)
    kt_map_canvas_cancel_move (self);
  self->drag_mode = DRAG_NONE;
  kt_chip_key_set (&self->press_key, NULL);
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Node headers ----------------------------------------------------------- */

static guint node_activated_signal;

/* A double click, or the context click, on a node's label band: the
 * window opens that node's hugepage pools */
static void
on_header_pressed (KtMapCanvas *self,
                   int          n_press,
                   double       x,
                   double       y,
                   GtkGesture  *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  const KtMapBox *node;
  double mx, my;

  if (!((button == GDK_BUTTON_PRIMARY && n_press == 2)
        || (button == GDK_BUTTON_SECONDARY && n_press == 1))
      || chip_at (self, x, y) != NULL)
    return;
  node = kt_map_box_ancestor (box_at (self, x, y), KT_MAP_BOX_NODE);
  kt_map_canvas_widget_to_map (self, x, y, &mx, &my);
  if (node == NULL || my > node->rect.y + node->header)
    return;
  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, node_activated_signal, 0, node->id);
}

void
kt_map_canvas_class_init_input (GtkWidgetClass *widget_class)
{
  /**
   * KtMapCanvas::node-activated:
   * @node: the NUMA node
   *
   * A node's header was double-clicked or context-clicked
   */
  node_activated_signal =
    g_signal_new ("node-activated", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

/* Tooltips --------------------------------------------------------------- */

static void
map_rect_to_tip_area (KtMapCanvas     *self,
                      const KtMapRect *r,
                      GdkRectangle    *area)
{
  graphene_rect_t g = kt_map_canvas_map_rect_to_widget (self, r);

  area->x = (int) floor (g.origin.x);
  area->y = (int) floor (g.origin.y);
  area->width = MAX (1, (int) ceil (g.origin.x + g.size.width) - area->x);
  area->height = MAX (1, (int) ceil (g.origin.y + g.size.height) - area->y);
}

gboolean
kt_map_canvas_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  g_autofree char *text = NULL;
  const KtMapChip *chip = NULL;
  const KtMapBox *box = NULL;
  KtMapRect rect;
  GdkRectangle area;
  double mx, my;

  if (self->overlay == NULL || self->moving->len > 0 || self->drag_mode == DRAG_BAND)
    return FALSE;

  if (keyboard_mode)
    chip = kt_map_canvas_get_focus_chip (self);
  else
    {
      chip = chip_at (self, x, y);
      if (chip == NULL)
        box = box_at (self, x, y);
    }

  if (chip != NULL)
    {
      text = kt_map_describe_chip (self->overlay, self->plan, chip);
      rect = chip->rect;
    }
  else if (box != NULL)
    {
      kt_map_canvas_widget_to_map (self, x, y, &mx, &my);
      text = kt_map_describe_box (self->overlay, box, my, &rect);
    }

  if (text == NULL)
    return FALSE;
  map_rect_to_tip_area (self, &rect, &area);
  gtk_tooltip_set_text (tooltip, text);
  gtk_tooltip_set_tip_area (tooltip, &area);
  return TRUE;
}

void
kt_map_canvas_input_init (KtMapCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;

  self->focus_chip = -1;
  self->selection = kt_chip_keys_new ();
  self->moving = kt_chip_keys_new ();
  self->selected_chips = g_ptr_array_new ();

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect_swapped (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect_swapped (gesture, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_swapped (gesture, "pressed", G_CALLBACK (on_header_pressed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));
}
