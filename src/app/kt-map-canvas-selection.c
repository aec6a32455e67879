/* kt-map-canvas-selection.c: which chips are selected and focused
 *
 * Chips are known by key (VM, kind, index), which outlives the overlay:
 * every rebuild looks the keys up again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"

/* Chip keys -------------------------------------------------------------- */

void
kt_chip_key_clear (gpointer data)
{
  ChipKey *key = data;

  g_clear_object (&key->vm);
}

void
kt_chip_key_set (ChipKey         *key,
                 const KtMapChip *chip)
{
  KtVm *vm = chip != NULL ? chip->vm : NULL;

  g_set_object (&key->vm, vm);
  key->kind = chip != NULL ? chip->kind : KT_THREAD_VCPU;
  key->index = chip != NULL ? chip->index : 0;
}

gboolean
kt_chip_key_matches (const ChipKey   *key,
                     const KtMapChip *chip)
{
  return key->vm != NULL && key->vm == chip->vm && key->kind == chip->kind
         && key->index == chip->index;
}

gboolean
kt_chip_key_equal (const ChipKey *a,
                   const ChipKey *b)
{
  return a->vm == b->vm && a->kind == b->kind && a->index == b->index;
}

GArray *
kt_chip_keys_new (void)
{
  GArray *keys = g_array_new (FALSE, TRUE, sizeof (ChipKey));

  g_array_set_clear_func (keys, kt_chip_key_clear);
  return keys;
}

int
kt_chip_keys_find (GArray        *keys,
                   const ChipKey *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (kt_chip_key_equal (&g_array_index (keys, ChipKey, i), key))
      return (int) i;
  return -1;
}

void
kt_chip_keys_add (GArray        *keys,
                  const ChipKey *key)
{
  ChipKey copy = { NULL, key->kind, key->index };

  if (key->vm == NULL || kt_chip_keys_find (keys, key) >= 0)
    return;
  copy.vm = g_object_ref (key->vm);
  g_array_append_val (keys, copy);
}

ChipKey
kt_chip_key_of (const KtMapChip *chip)
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

          if (kt_chip_key_matches (key, chip))
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
        if (kt_chip_key_matches (&self->focus_key, g_ptr_array_index (chips, c)))
          {
            self->focus_chip = (int) c;
            kt_map_canvas_update_actions (self);
            return;
          }
      if (self->focus_chip >= (int) chips->len)
        self->focus_chip = (int) chips->len - 1;
      kt_chip_key_set (&self->focus_key, kt_map_canvas_get_focus_chip (self));
    }
  kt_map_canvas_update_actions (self);
}

void
kt_map_canvas_selection_clear (KtMapCanvas *self)
{
  g_array_set_size (self->selection, 0);
  kt_map_canvas_resolve_selection (self);
}

void
kt_map_canvas_selection_set_one (KtMapCanvas     *self,
                                 const KtMapChip *chip)
{
  ChipKey key = kt_chip_key_of (chip);

  g_array_set_size (self->selection, 0);
  kt_chip_keys_add (self->selection, &key);
  kt_map_canvas_resolve_selection (self);
}

/* Returns: whether @chip is selected afterwards */
gboolean
kt_map_canvas_selection_toggle (KtMapCanvas     *self,
                                const KtMapChip *chip)
{
  ChipKey key = kt_chip_key_of (chip);
  int pos = kt_chip_keys_find (self->selection, &key);

  if (pos >= 0)
    g_array_remove_index (self->selection, pos);
  else
    kt_chip_keys_add (self->selection, &key);
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
  kt_chip_key_set (&self->focus_key, chip);
  kt_map_canvas_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (chip == NULL)
    return;
  kt_map_canvas_scroll_to_rect (self, &chip->rect);
  text = kt_map_describe_focus (chip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}
