/* kt-map-canvas-keyboard.c: the map's keys, as map.* actions
 *
 * One Tab stop for the whole map (a roving focus): the arrows move the
 * focus between chips, Home and End go to the ends, Tab leaves.  Enter or
 * Space picks the focused vCPU up (Ctrl+Space adds it to the selection or
 * takes it out); then the arrows move the target PU, Page Up and Page Down
 * go to another node, Shift+Up grows the target to its core, L3 group,
 * die, socket and node, Shift+Down goes back to the PU, Enter pins and
 * Escape cancels.  Where each step goes is kt-map-nav.h's.
 *
 * Each action is enabled only where it applies, so that a key the map
 * does not use now (Escape with nothing selected, Home while moving, Tab
 * outside a move) goes on to the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"
#include "kt-map-nav.h"

/* A key the map used: show where the focus is */
static void
keyboard_used (KtMapCanvas *self)
{
  self->kbd_nav = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
announce (KtMapCanvas *self,
          const char  *text)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
set_keyboard_target (KtMapCanvas    *self,
                     const KtMapBox *box)
{
  g_autofree char *text = NULL;

  if (box == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  if (box->kind == KT_MAP_BOX_PU)
    self->kbd_pu = box;
  kt_map_canvas_set_drop_target (self, box);
  kt_map_canvas_scroll_to_rect (self, &box->rect);
  if (self->drop_target == NULL)
    return;
  text = kt_map_describe_target (self->drop_target, self->kbd_pu,
                                 kt_map_canvas_drop_allowed (self) || self->drop == NULL
                                 ? NULL : kt_map_drop_get_message (self->drop));
  if (text != NULL)
    announce (self, text);
}

/* Outside a move ---------------------------------------------------------- */

static void
focus_step (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);

  kt_map_canvas_set_focus_chip (self, kt_map_overlay_step_chip (self->overlay, self->focus_chip,
                                                                g_variant_get_int32 (parameter)));
  keyboard_used (self);
}

static void
pick_up (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  const KtMapChip *chip = kt_map_canvas_get_focus_chip (self);
  g_autoptr(KtVm) vm = NULL;

  if (chip == NULL)
    return;
  vm = g_object_ref (chip->vm);
  kt_map_canvas_emit_vm_activated (self, vm);

  /* Picked again: the signal's handlers may have changed the overlay */
  chip = kt_map_canvas_get_focus_chip (self);
  if (chip != NULL && self->plan != NULL)
    {
      if (chip->kind != KT_THREAD_VCPU)
        gtk_widget_error_bell (widget);
      else
        {
          kt_map_canvas_begin_move (self, chip);
          self->kbd_moving = TRUE;
          self->drop_target = NULL;
          set_keyboard_target (self, kt_map_layout_get_pu (self->layout, chip->cpu));
          kt_map_canvas_update_actions (self);
        }
    }
  keyboard_used (self);
}

/* Ctrl+Space: add to or take from the selection */
static void
toggle_selected (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  const KtMapChip *chip = kt_map_canvas_get_focus_chip (self);

  if (chip != NULL)
    kt_map_canvas_selection_toggle (self, chip);
  keyboard_used (self);
}

static void
unselect_all (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);

  kt_map_canvas_selection_clear (self);
  keyboard_used (self);
}

/* During a move ----------------------------------------------------------- */

static void
target_step (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  KtMapStep step = g_variant_get_int32 (parameter);

  if (self->kbd_pu != NULL || step == KT_MAP_STEP_LEFT || step == KT_MAP_STEP_RIGHT)
    set_keyboard_target (self, self->kbd_pu != NULL
                               ? kt_map_layout_step (self->layout, self->kbd_pu, step) : NULL);
  keyboard_used (self);
}

/* Shift+Up: PU › core › L3 › die › socket › node */
static void
grow_target (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  const KtMapBox *target = self->drop_target;

  set_keyboard_target (self, target != NULL ? kt_map_box_grow (target) : NULL);
  keyboard_used (self);
}

/* Shift+Down: back to the PU */
static void
shrink_target (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);

  set_keyboard_target (self, self->kbd_pu);
  keyboard_used (self);
}

static void
drop (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);

  kt_map_canvas_finish_move (self);
  keyboard_used (self);
}

static void
cancel_move (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  gboolean by_keyboard = self->kbd_moving;

  kt_map_canvas_cancel_move (self);
  if (by_keyboard)
    announce (self, _("Move cancelled"));
  keyboard_used (self);
}

/* Tab and Shift+Tab stay on the map while moving */
static void
stay (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  keyboard_used (KT_MAP_CANVAS (widget));
}

/* ------------------------------------------------------------------------ */

void
kt_map_canvas_update_actions (KtMapCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean mouse_moving = self->drag_mode == DRAG_PIN;
  gboolean idle = self->overlay != NULL && !self->kbd_moving && !mouse_moving;
  gboolean has_chips = idle && kt_map_overlay_get_chips (self->overlay)->len > 0;
  gboolean on_chip = idle && kt_map_canvas_get_focus_chip (self) != NULL;

  gtk_widget_action_set_enabled (widget, "map.focus-step", has_chips);
  gtk_widget_action_set_enabled (widget, "map.pick-up", on_chip);
  gtk_widget_action_set_enabled (widget, "map.toggle-selected", on_chip);
  gtk_widget_action_set_enabled (widget, "map.unselect-all", idle && self->selection->len > 0);
  gtk_widget_action_set_enabled (widget, "map.target-step", self->kbd_moving);
  gtk_widget_action_set_enabled (widget, "map.grow-target", self->kbd_moving);
  gtk_widget_action_set_enabled (widget, "map.shrink-target", self->kbd_moving);
  gtk_widget_action_set_enabled (widget, "map.drop", self->kbd_moving);
  gtk_widget_action_set_enabled (widget, "map.stay", self->kbd_moving);
  gtk_widget_action_set_enabled (widget, "map.cancel-move", self->kbd_moving || mouse_moving);
}

static void
on_focus_enter (KtMapCanvas             *self,
                GtkEventControllerFocus *focus)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Tabbed in: show the ring.  A click grabs the focus too, then hides it
   * (the drag's begin). */
  self->kbd_nav = root != NULL && GTK_IS_WINDOW (root) && gtk_window_get_focus_visible (GTK_WINDOW (root));
  if (self->focus_chip < 0 && self->overlay != NULL
      && kt_map_overlay_get_chips (self->overlay)->len > 0)
    kt_map_canvas_set_focus_chip (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_focus_leave (KtMapCanvas             *self,
                GtkEventControllerFocus *focus)
{
  if (self->kbd_moving)
    kt_map_canvas_cancel_move (self);
  self->kbd_nav = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Each key with its keypad twin */
static const struct
{
  guint keyval;
  guint keypad;
} enter_keys[] = {
  { GDK_KEY_Return, GDK_KEY_KP_Enter },
  { GDK_KEY_ISO_Enter, 0 },
  { GDK_KEY_space, GDK_KEY_KP_Space },
};

static void
bind (GtkWidgetClass  *widget_class,
      guint            keyval,
      guint            keypad,
      GdkModifierType  mods,
      const char      *action,
      int              step)
{
  for (guint k = 0; k < 2; k++)
    {
      guint key = k == 0 ? keyval : keypad;

      if (key == 0)
        continue;
      if (step >= 0)
        gtk_widget_class_add_binding_action (widget_class, key, mods, action, "i", step);
      else
        gtk_widget_class_add_binding_action (widget_class, key, mods, action, NULL);
    }
}

void
kt_map_canvas_class_init_keyboard (GtkWidgetClass *widget_class)
{
  static const struct
  {
    guint     keyval;
    guint     keypad;
    KtMapStep step;
  } arrows[] = {
    { GDK_KEY_Left, GDK_KEY_KP_Left, KT_MAP_STEP_LEFT },
    { GDK_KEY_Right, GDK_KEY_KP_Right, KT_MAP_STEP_RIGHT },
    { GDK_KEY_Up, GDK_KEY_KP_Up, KT_MAP_STEP_UP },
    { GDK_KEY_Down, GDK_KEY_KP_Down, KT_MAP_STEP_DOWN },
  };

  gtk_widget_class_install_action (widget_class, "map.focus-step", "i", focus_step);
  gtk_widget_class_install_action (widget_class, "map.pick-up", NULL, pick_up);
  gtk_widget_class_install_action (widget_class, "map.toggle-selected", NULL, toggle_selected);
  gtk_widget_class_install_action (widget_class, "map.unselect-all", NULL, unselect_all);
  gtk_widget_class_install_action (widget_class, "map.target-step", "i", target_step);
  gtk_widget_class_install_action (widget_class, "map.grow-target", NULL, grow_target);
  gtk_widget_class_install_action (widget_class, "map.shrink-target", NULL, shrink_target);
  gtk_widget_class_install_action (widget_class, "map.drop", NULL, drop);
  gtk_widget_class_install_action (widget_class, "map.cancel-move", NULL, cancel_move);
  gtk_widget_class_install_action (widget_class, "map.stay", NULL, stay);

  /* Shift+Up and Shift+Down resize a move's target; outside a move they
   * step like Up and Down (the first enabled action of a key wins) */
  bind (widget_class, GDK_KEY_Up, GDK_KEY_KP_Up, GDK_SHIFT_MASK, "map.grow-target", -1);
  bind (widget_class, GDK_KEY_Down, GDK_KEY_KP_Down, GDK_SHIFT_MASK, "map.shrink-target", -1);
  for (guint i = 0; i < G_N_ELEMENTS (arrows); i++)
    {
      bind (widget_class, arrows[i].keyval, arrows[i].keypad, 0, "map.target-step", arrows[i].step);
      bind (widget_class, arrows[i].keyval, arrows[i].keypad, 0, "map.focus-step", arrows[i].step);
      bind (widget_class, arrows[i].keyval, arrows[i].keypad, GDK_SHIFT_MASK, "map.focus-step",
            arrows[i].step);
      bind (widget_class, arrows[i].keyval, arrows[i].keypad, GDK_CONTROL_MASK, "map.focus-step",
            arrows[i].step);
      if (arrows[i].step == KT_MAP_STEP_LEFT || arrows[i].step == KT_MAP_STEP_RIGHT)
        bind (widget_class, arrows[i].keyval, arrows[i].keypad, GDK_SHIFT_MASK, "map.target-step",
              arrows[i].step);
    }
  bind (widget_class, GDK_KEY_Page_Up, GDK_KEY_KP_Page_Up, 0, "map.target-step",
        KT_MAP_STEP_PREV_NODE);
  bind (widget_class, GDK_KEY_Page_Down, GDK_KEY_KP_Page_Down, 0, "map.target-step",
        KT_MAP_STEP_NEXT_NODE);
  bind (widget_class, GDK_KEY_Home, GDK_KEY_KP_Home, 0, "map.focus-step", KT_MAP_STEP_FIRST);
  bind (widget_class, GDK_KEY_End, GDK_KEY_KP_End, 0, "map.focus-step", KT_MAP_STEP_LAST);

  for (guint i = 0; i < G_N_ELEMENTS (enter_keys); i++)
    {
      bind (widget_class, enter_keys[i].keyval, enter_keys[i].keypad, 0, "map.drop", -1);
      bind (widget_class, enter_keys[i].keyval, enter_keys[i].keypad, 0, "map.pick-up", -1);
      bind (widget_class, enter_keys[i].keyval, enter_keys[i].keypad, GDK_CONTROL_MASK,
            "map.drop", -1);
      bind (widget_class, enter_keys[i].keyval, enter_keys[i].keypad, GDK_CONTROL_MASK,
            "map.toggle-selected", -1);
    }

  bind (widget_class, GDK_KEY_Escape, 0, 0, "map.cancel-move", -1);
  bind (widget_class, GDK_KEY_Escape, 0, 0, "map.unselect-all", -1);

  bind (widget_class, GDK_KEY_Tab, GDK_KEY_KP_Tab, 0, "map.stay", -1);
  bind (widget_class, GDK_KEY_ISO_Left_Tab, 0, GDK_SHIFT_MASK, "map.stay", -1);
  bind (widget_class, GDK_KEY_Tab, GDK_KEY_KP_Tab, GDK_SHIFT_MASK, "map.stay", -1);
}

void
kt_map_canvas_keyboard_init (KtMapCanvas *self)
{
  GtkEventController *controller = gtk_event_controller_focus_new ();

  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_focus_enter), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  kt_map_canvas_update_actions (self);
}
