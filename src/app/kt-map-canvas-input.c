/* kt-map-canvas-input.c: selection, pointer, drag and moves on the map
 *
 * A press on a vCPU chip that moves past DRAG_THRESHOLD picks up the
 * selected vCPUs of its VM; elsewhere it draws a rubber band.  What a
 * drop means is kt-map-drop.h's; the canvas only tracks the target and
 * hands the drop to the plan.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"

/* Chip keys -------------------------------------------------------------- */

void
chip_key_clear (gpointer data)
{
  ChipKey *key = data;

  g_clear_object (&key->vm);
}

void
chip_key_set (ChipKey         *key,
              const KtMapChip *chip)
{
  KtVm *vm = chip != NULL ? chip->vm : NULL;

  g_set_object (&key->vm, vm);
  key->kind = chip != NULL ? chip->kind : KT_THREAD_VCPU;
  key->index = chip != NULL ? chip->index : 0;
}

static gboolean
chip_key_matches (const ChipKey   *key,
                  const KtMapChip *chip)
{
  return key->vm != NULL && key->vm == chip->vm && key->kind == chip->kind
         && key->index == chip->index;
}

static gboolean
chip_key_equal (const ChipKey *a,
                const ChipKey *b)
{
  return a->vm == b->vm && a->kind == b->kind && a->index == b->index;
}

GArray *
chip_keys_new (void)
{
  GArray *keys = g_array_new (FALSE, TRUE, sizeof (ChipKey));

  g_array_set_clear_func (keys, chip_key_clear);
  return keys;
}

static int
chip_keys_find (GArray        *keys,
                const ChipKey *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (chip_key_equal (&g_array_index (keys, ChipKey, i), key))
      return (int) i;
  return -1;
}

static void
chip_keys_add (GArray        *keys,
               const ChipKey *key)
{
  ChipKey copy = { NULL, key->kind, key->index };

  if (key->vm == NULL || chip_keys_find (keys, key) >= 0)
    return;
  copy.vm = g_object_ref (key->vm);
  g_array_append_val (keys, copy);
}

static ChipKey
chip_key_of (const KtMapChip *chip)
{
  return (ChipKey) { chip->vm, chip->kind, chip->index };
}

/* Selection -------------------------------------------------------------- */

const KtMapChip *
kt_map_canvas_get_focus_chip (KtMapCanvas *self)
{
  const GPtrArray *chips;

  if (self->overlay == NULL || self->focus_chip < 0)
    return NULL;
  chips = kt_map_overlay_get_chips (self->overlay);
  if ((guint) self->focus_chip >= chips->len)
    return NULL;
  return g_ptr_array_index (chips, self->focus_chip);
}

/* Looks the selection's keys up in the overlay; drops those that are gone */
void
kt_map_canvas_resolve_selection (KtMapCanvas *self)
{
  const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

  g_ptr_array_set_size (self->selected_chips, 0);
  for (guint i = self->selection->len; i > 0; i--)
    {
      const ChipKey *key = &g_array_index (self->selection, ChipKey, i - 1);
      gboolean found = FALSE;

      for (guint c = 0; chips != NULL && c < chips->len; c++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, c);

          if (chip_key_matches (key, chip))
            {
              g_ptr_array_add (self->selected_chips, (gpointer) chip);
              found = TRUE;
            }
        }
      if (!found)
        g_array_remove_index (self->selection, i - 1);
    }
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
kt_map_canvas_resolve_focus (KtMapCanvas *self)
{
  const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

  if (chips == NULL || chips->len == 0)
    self->focus_chip = -1;
  else
    {
      for (guint c = 0; c < chips->len; c++)
        if (chip_key_matches (&self->focus_key, g_ptr_array_index (chips, c)))
          {
            self->focus_chip = (int) c;
            kt_map_canvas_update_actions (self);
            return;
          }
      if (self->focus_chip >= (int) chips->len)
        self->focus_chip = (int) chips->len - 1;
      chip_key_set (&self->focus_key, kt_map_canvas_get_focus_chip (self));
    }
  kt_map_canvas_update_actions (self);
}

void
kt_map_canvas_selection_clear (KtMapCanvas *self)
{
  g_array_set_size (self->selection, 0);
  kt_map_canvas_resolve_selection (self);
}

static void
selection_set_one (KtMapCanvas     *self,
                   const KtMapChip *chip)
{
  ChipKey key = chip_key_of (chip);

  g_array_set_size (self->selection, 0);
  chip_keys_add (self->selection, &key);
  kt_map_canvas_resolve_selection (self);
}

/* Returns: whether @chip is selected afterwards */
gboolean
kt_map_canvas_selection_toggle (KtMapCanvas     *self,
                                const KtMapChip *chip)
{
  ChipKey key = chip_key_of (chip);
  int pos = chip_keys_find (self->selection, &key);

  if (pos >= 0)
    g_array_remove_index (self->selection, pos);
  else
    chip_keys_add (self->selection, &key);
  kt_map_canvas_resolve_selection (self);
  return pos < 0;
}

void
kt_map_canvas_set_focus_chip (KtMapCanvas *self,
                              int          index)
{
  const KtMapChip *chip;
  g_autofree char *text = NULL;

  self->focus_chip = index;
  chip = kt_map_canvas_get_focus_chip (self);
  chip_key_set (&self->focus_key, chip);
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (chip == NULL)
    return;
  kt_map_canvas_scroll_to_rect (self, &chip->rect);
  text = kt_map_describe_focus (chip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

/* Moves ------------------------------------------------------------------ */

/* The moving vCPUs (all of one VM) and their VM */
static GArray *
moving_vcpus (KtMapCanvas  *self,
              KtVm        **vm)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));

  *vm = NULL;
  for (guint i = 0; i < self->moving->len; i++)
    {
      const ChipKey *key = &g_array_index (self->moving, ChipKey, i);

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
  vcpus = moving_vcpus (self, &vm);
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
  ChipKey key = chip_key_of (chip);

  g_array_set_size (self->moving, 0);
  if (chip_keys_find (self->selection, &key) < 0)
    selection_set_one (self, chip);
  for (guint i = 0; i < self->selection->len; i++)
    {
      const ChipKey *k = &g_array_index (self->selection, ChipKey, i);

      if (k->kind == KT_THREAD_VCPU && k->vm == chip->vm)
        chip_keys_add (self->moving, k);
    }
  clear_drop (self);
  self->hover = NULL;
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
  self->moving = chip_keys_new ();
  clear_drop (self);
  self->kbd_moving = FALSE;
  self->kbd_pu = NULL;
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (drop == NULL || keys->len == 0)
    return;
  /* Each pin rebuilds the overlay and the selection; the drop holds its VM */
  if (!kt_map_drop_pin (drop, &error))
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
        chip_key_set (&self->focus_key, chip);
        break;
      }

  if (toggle)
    {
      if (!kt_map_canvas_selection_toggle (self, chip))
        return;
    }
  else
    selection_set_one (self, chip);

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
      ChipKey key = chip_key_of (chip);

      /* With a VM selected, the band picks only its chips */
      if (self->selected_vm != NULL && chip->vm != self->selected_vm)
        continue;
      if (kt_map_rect_overlaps (&mband, &chip->rect))
        chip_keys_add (self->selection, &key);
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
  chip_key_set (&self->press_key, chip);
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
    if (chip_key_matches (&self->press_key, g_ptr_array_index (chips, c)))
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
  chip_key_set (&self->press_key, NULL);
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
  chip_key_set (&self->press_key, NULL);
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
  self->selection = chip_keys_new ();
  self->moving = chip_keys_new ();
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
}
