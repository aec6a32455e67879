/* kt-map-canvas-test.c: what the GUI tests and benchmarks read
 *
 * KVMTUNE_TEST_GEOMETRY=FILE: after each frame that moved anything, the
 * window-relative centre of every vCPU chip ("chip VM VCPU X Y"), PU
 * ("pu CPU X Y") and node header ("node N X Y"), the selection ("sel VM
 * VCPU"), the focus ring ("ring VM VCPU") and what a drop would do ("drop
 * allowed|refused CPUS"), the pending vCPUs ("pending VM VCPU"), what
 * is highlighted ("highlight VM|- PCPUS|- NODES|-") and what each node
 * header says of its huge page pools ("pools N TEXT"), for xdotool.
 * KVMTUNE_BENCH_QUIT_AFTER_MAP: quits once the map's first frame is up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"

/* The centre of @rect (map units) in window coordinates (the X window's,
 * with CSD shadows) */
static gboolean
to_window (KtMapCanvas      *self,
           GtkNative        *native,
           double            sx,
           double            sy,
           const KtMapRect  *rect,
           graphene_point_t *out)
{
  graphene_rect_t r = kt_map_canvas_map_rect_to_widget (self, rect);
  graphene_point_t c = GRAPHENE_POINT_INIT (r.origin.x + r.size.width / 2,
                                            r.origin.y + r.size.height / 2);

  if (!gtk_widget_compute_point (GTK_WIDGET (self), GTK_WIDGET (native), &c, out))
    return FALSE;
  out->x += sx;
  out->y += sy;
  return TRUE;
}

static void
write_geometry (KtMapCanvas *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  const GPtrArray *pus;
  double sx = 0, sy = 0;
  const GPtrArray *chips;
  graphene_point_t p;

  if (native == NULL || self->layout == NULL || self->overlay == NULL)
    return;
  gtk_native_get_surface_transform (native, &sx, &sy);

  g_string_append_printf (s, "zoom %.4f\n", self->zoom);
  {
    double mw, mh;

    kt_map_canvas_map_size (self, &mw, &mh);
    /* The canvas's size and the map's, in pixels */
    g_string_append_printf (s, "canvas %d %d\n", gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)));
    g_string_append_printf (s, "map %.0f %.0f\n", mw, mh);
  }
  chips = kt_map_overlay_get_chips (self->overlay);
  for (guint c = 0; c < chips->len; c++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, c);
      g_autofree char *id = NULL;

      if (chip->kind != KT_THREAD_VCPU)
        continue;
      id = g_strdup_printf ("%s %u", kt_vm_get_name (chip->vm), chip->index);
      if (g_hash_table_contains (seen, id))
        continue;
      if (!to_window (self, native, sx, sy, &chip->rect, &p))
        return;
      g_string_append_printf (s, "chip %s %.0f %.0f\n", id, p.x, p.y);
      g_hash_table_add (seen, g_steal_pointer (&id));
    }
  pus = kt_map_layout_get_pus (self->layout);
  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (pus, i);

      if (!to_window (self, native, sx, sy, &pu->rect, &p))
        return;
      g_string_append_printf (s, "pu %d %.0f %.0f\n", pu->id, p.x, p.y);
    }
  for (int n = 0; n < (int) kt_host_get_n_nodes (self->host); n++)
    {
      const KtMapBox *node = kt_map_layout_get_node (self->layout, kt_host_get_node (self->host, n)->id);
      KtMapRect header;

      if (node == NULL)
        continue;
      header = node->rect;
      header.height = node->header;
      if (!to_window (self, native, sx, sy, &header, &p))
        return;
      g_string_append_printf (s, "node %d %.0f %.0f\n", node->id, p.x, p.y);
    }
  /* What the node headers say of their huge page pools: "pools NODE TEXT" */
  for (int n = 0; n < (int) kt_host_get_n_nodes (self->host); n++)
    {
      const KtHostNode *node = kt_host_get_node (self->host, n);
      g_autofree char *pools = kt_map_format_pools (node,
                                                    &(KtMapPools) { self->current_pools,
                                                                    self->pending_pools },
                                                    FALSE, NULL);

      g_string_append_printf (s, "pools %d %s\n", node->id, pools);
    }

  /* Pending vCPU pins: "pending VM VCPU" */
  for (guint c = 0; c < chips->len; c++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, c);

      if (chip->kind == KT_THREAD_VCPU && chip->pending
          && (c == 0 || ((const KtMapChip *) g_ptr_array_index (chips, c - 1))->vm != chip->vm
              || ((const KtMapChip *) g_ptr_array_index (chips, c - 1))->index != chip->index))
        g_string_append_printf (s, "pending %s %u\n", kt_vm_get_name (chip->vm), chip->index);
    }
  kt_map_canvas_highlight_geometry (self, s);

  /* The selection: "sel VM VCPU" (vCPUs only, each once) */
  for (guint i = 0; i < self->selection->len; i++)
    {
      const ChipKey *key = &g_array_index (self->selection, ChipKey, i);

      if (key->kind == KT_THREAD_VCPU && key->vm != NULL)
        g_string_append_printf (s, "sel %s %u\n", kt_vm_get_name (key->vm), key->index);
    }

  /* The keyboard focus ring: "ring VM VCPU" */
  if (kt_map_canvas_focus_visible (self) && !self->kbd_moving && self->moving->len == 0
      && kt_map_canvas_get_focus_chip (self) != NULL)
    {
      const KtMapChip *chip = kt_map_canvas_get_focus_chip (self);

      g_string_append_printf (s, "ring %s %u\n", kt_vm_get_name (chip->vm), chip->index);
    }

  /* What a drop here would do: "drop allowed|refused CPUS" */
  if (self->moving->len > 0 && self->drop_target != NULL)
    {
      const KtCpuset *spread = self->drop ? kt_map_drop_get_spread_cpus (self->drop) : NULL;
      g_autofree char *cpus = spread != NULL ? kt_cpuset_format (spread) : NULL;

      g_string_append_printf (s, "drop %s %s\n",
                              kt_map_canvas_drop_allowed (self) ? "allowed" : "refused",
                              cpus ? cpus : "-");
    }

  if (g_strcmp0 (s->str, self->geometry_last) == 0)
    return;
  if (!g_file_set_contents (self->geometry_path, s->str, s->len, &error))
    g_warning ("KVMTUNE_TEST_GEOMETRY: %s", error->message);
  kt_map_canvas_replace_str (&self->geometry_last, s->str);
}

static void
quit_after_paint (GdkFrameClock *clock,
                  gpointer       data)
{
  g_signal_handlers_disconnect_by_func (clock, quit_after_paint, data);
  g_application_quit (g_application_get_default ());
}

/* After each snapshot of the map */
void
kt_map_canvas_test_after_snapshot (KtMapCanvas *self)
{
  if (self->geometry_path != NULL)
    write_geometry (self);
  if (self->quit_after_map && !self->quit_scheduled)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

      /* Start-up benchmark: the map is up once this frame is painted */
      self->quit_scheduled = TRUE;
      if (clock != NULL)
        g_signal_connect (clock, "after-paint", G_CALLBACK (quit_after_paint), NULL);
    }
}

void
kt_map_canvas_test_init (KtMapCanvas *self)
{
  const char *geometry = g_getenv ("KVMTUNE_TEST_GEOMETRY");

  self->quit_after_map = g_getenv ("KVMTUNE_BENCH_QUIT_AFTER_MAP") != NULL;
  if (geometry != NULL && geometry[0] != '\0')
    self->geometry_path = g_strdup (geometry);
}
