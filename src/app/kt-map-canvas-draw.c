/* kt-map-canvas-draw.c: the map's look and its snapshot
 *
 * The topology is recorded once per (host, zoom, style, scale factor) into
 * cairo render nodes, one per TILE_SIZE square of the zoomed map, made
 * when they first come into view and re-appended on later frames; only
 * the overlay (chips, selection, hover, drag feedback) is painted on
 * every frame.  Tiles keep each node far below the GL renderer's texture
 * limits at 800 % zoom on large hosts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "kt-map-canvas-private.h"
#include "kt-map-describe.h"

/* Style ------------------------------------------------------------------ */

static void
color_from_rgba (KtMapColor    *color,
                 const GdkRGBA *rgba)
{
  color->red = rgba->red;
  color->green = rgba->green;
  color->blue = rgba->blue;
  color->alpha = rgba->alpha;
}

static GdkRGBA
rgba_from_color (KtMapColor color,
                 double     alpha)
{
  return (GdkRGBA) { color.red, color.green, color.blue, color.alpha * alpha };
}

void
kt_map_canvas_clear_tiles (KtMapCanvas *self)
{
  g_hash_table_remove_all (self->tiles);
}

static void
ensure_style (KtMapCanvas *self)
{
  static const struct
  {
    const char *name;
    gsize       offset;
  } names[] = {
    { "window_bg_color", G_STRUCT_OFFSET (KtMapStyle, window_bg) },
    { "view_bg_color", G_STRUCT_OFFSET (KtMapStyle, view_bg) },
    { "card_bg_color", G_STRUCT_OFFSET (KtMapStyle, card_bg) },
    { "window_fg_color", G_STRUCT_OFFSET (KtMapStyle, fg) },
    { "accent_bg_color", G_STRUCT_OFFSET (KtMapStyle, accent) },
    { "warning_color", G_STRUCT_OFFSET (KtMapStyle, warning) },
    { "error_color", G_STRUCT_OFFSET (KtMapStyle, error) },
    { "success_color", G_STRUCT_OFFSET (KtMapStyle, success) },
  };
  GtkStyleContext *context;
  PangoContext *pango;
  const PangoFontDescription *font;
  gboolean dark = FALSE;
  GdkRGBA rgba;

  if (self->style_valid)
    return;

  if (adw_is_initialized ())
    dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  kt_map_style_clear (&self->style);
  kt_map_style_init_default (&self->style, dark);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (gtk_style_context_lookup_color (context, names[i].name, &rgba))
      color_from_rgba (G_STRUCT_MEMBER_P (&self->style, names[i].offset), &rgba);
  if (!gtk_style_context_lookup_color (context, "window_fg_color", &rgba))
    {
      gtk_style_context_get_color (context, &rgba);
      color_from_rgba (&self->style.fg, &rgba);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  self->style.dim_fg = self->style.fg;
  self->style.dim_fg.alpha *= 0.55;

  pango = gtk_widget_get_pango_context (GTK_WIDGET (self));
  font = pango_context_get_font_description (pango);
  if (font != NULL && pango_font_description_get_family (font) != NULL)
    self->style.font_family = g_strdup (pango_font_description_get_family (font));

  self->style_valid = TRUE;
  self->style_serial++;
}

void
kt_map_canvas_invalidate_style (KtMapCanvas *self)
{
  self->style_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_scale_factor_changed (KtMapCanvas *self)
{
  kt_map_canvas_clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Drawing ---------------------------------------------------------------- */

static GskRenderNode *
get_tile (KtMapCanvas *self,
          int          col,
          int          row)
{
  gpointer key = GUINT_TO_POINTER (((guint) col << 16) | (guint) row);
  GskRenderNode *node = g_hash_table_lookup (self->tiles, key);
  cairo_t *cr;

  if (node != NULL)
    return node;

  node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (TILE_ORIGIN + col * TILE_SIZE,
                                                  TILE_ORIGIN + row * TILE_SIZE,
                                                  TILE_SIZE, TILE_SIZE));
  cr = gsk_cairo_node_get_draw_context (node);
  cairo_rectangle (cr, TILE_ORIGIN + col * TILE_SIZE, TILE_ORIGIN + row * TILE_SIZE,
                   TILE_SIZE, TILE_SIZE);
  cairo_clip (cr);
  cairo_scale (cr, self->zoom, self->zoom);
  kt_map_paint_topology (cr, self->host,
                         &(KtMapPools) { self->current_pools, self->pending_pools },
                         self->layout, &self->style);
  cairo_destroy (cr);
  g_hash_table_insert (self->tiles, key, node);
  return node;
}

static void
snapshot_topology (KtMapCanvas *self,
                   GtkSnapshot *snapshot,
                   double       ox,
                   double       oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double mw, mh;
  int c0, c1, r0, r1;

  if (self->tiles_zoom != self->zoom || self->tiles_scale != scale
      || self->tiles_style != self->style_serial)
    {
      kt_map_canvas_clear_tiles (self);
      self->tiles_zoom = self->zoom;
      self->tiles_scale = scale;
      self->tiles_style = self->style_serial;
    }

  kt_map_canvas_map_size (self, &mw, &mh);
  /* The tiles in view, within the map */
  c0 = MAX (0, (int) floor ((-ox - TILE_ORIGIN) / TILE_SIZE));
  r0 = MAX (0, (int) floor ((-oy - TILE_ORIGIN) / TILE_SIZE));
  c1 = MIN ((int) floor ((-ox + w - TILE_ORIGIN) / TILE_SIZE),
            (int) floor ((mw - 2 * TILE_ORIGIN) / TILE_SIZE));
  r1 = MIN ((int) floor ((-oy + h - TILE_ORIGIN) / TILE_SIZE),
            (int) floor ((mh - 2 * TILE_ORIGIN) / TILE_SIZE));
  for (int r = r0; r <= r1; r++)
    for (int c = c0; c <= c1; c++)
      gtk_snapshot_append_node (snapshot, get_tile (self, c, r));
}

static void
snapshot_overlay (KtMapCanvas *self,
                  GtkSnapshot *snapshot,
                  double       ox,
                  double       oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  KtMapPaintState state = { 0 };
  graphene_rect_t view, map, visible;
  double mw, mh;
  cairo_t *cr;

  kt_map_canvas_map_size (self, &mw, &mh);
  view = GRAPHENE_RECT_INIT (-ox, -oy, w, h);
  map = GRAPHENE_RECT_INIT (TILE_ORIGIN, TILE_ORIGIN, mw - 2 * TILE_ORIGIN, mh - 2 * TILE_ORIGIN);
  if (!graphene_rect_intersection (&view, &map, &visible))
    return;

  state.selected_vm = self->selected_vm;
  state.selected_chips = self->selected_chips->len > 0 ? self->selected_chips : NULL;
  state.hover = self->moving->len == 0 ? self->hover : NULL;
  state.drop_target = self->moving->len > 0 ? self->drop_target : NULL;
  state.drop_allowed = kt_map_canvas_drop_allowed (self);
  state.drop_cpus = self->moving->len > 0 && self->drop != NULL
                    ? kt_map_drop_get_spread_cpus (self->drop) : NULL;
  kt_map_canvas_highlight_state (self, &state);

  cr = gtk_snapshot_append_cairo (snapshot, &visible);
  cairo_scale (cr, self->zoom, self->zoom);
  kt_map_paint_overlay (cr, self->layout, self->overlay, &self->style, &state);
  cairo_destroy (cr);
}

static void
append_frame (GtkSnapshot           *snapshot,
              const graphene_rect_t *r,
              double                 radius,
              double                 width,
              const GdkRGBA         *color)
{
  GskRoundedRect rr;
  float widths[4] = { width, width, width, width };
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rr, r, radius);
  gtk_snapshot_append_border (snapshot, &rr, widths, colors);
}

gboolean
kt_map_canvas_focus_visible (KtMapCanvas *self)
{
  /* Only after a key: a click on the map after some keyboard use
   * elsewhere leaves no ring behind */
  return gtk_widget_has_focus (GTK_WIDGET (self)) && self->kbd_nav;
}

/* The chips being dragged, next to the pointer, and why not here */
static void
snapshot_ghost (KtMapCanvas *self,
                GtkSnapshot *snapshot)
{
  const ChipKey *first = &g_array_index (self->moving, ChipKey, 0);
  const char *refusal = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  KtMapColor color = kt_map_style_vm_color (&self->style,
                                            kt_map_overlay_vm_index (self->overlay, first->vm));
  gboolean light = 0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue > 0.55;
  GdkRGBA fill = rgba_from_color (color, 0.95);
  GdkRGBA ink = light ? (GdkRGBA) { 0, 0, 0, 0.85 } : (GdkRGBA) { 1, 1, 1, 1 };
  GskRoundedRect rr;
  int tw, th;
  double x, y;

  text = kt_map_describe_moving (first->vm, first->index, self->moving->len);
  if (self->drop_target != NULL && self->drop != NULL && !kt_map_drop_is_allowed (self->drop))
    refusal = kt_map_drop_get_message (self->drop);
  if (refusal != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", text, refusal);

      kt_map_canvas_replace_str (&text, both);
      fill = rgba_from_color (self->style.error, 0.95);
      ink = (GdkRGBA) { 1, 1, 1, 1 };
    }

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_size (layout, &tw, &th);
  x = round (self->pointer_x + 14);
  y = round (self->pointer_y + 14);

  gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT (x, y, tw + 12, th + 6), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, &fill, &rr.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 6, y + 3));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_decorations (KtMapCanvas *self,
                      GtkSnapshot *snapshot)
{
  GdkRGBA accent = rgba_from_color (self->style.accent, 1.0);

  if (self->drag_mode == DRAG_BAND)
    {
      graphene_rect_t band;
      GdkRGBA fill = rgba_from_color (self->style.accent, 0.15);

      kt_map_canvas_band_rect (self, &band);
      gtk_snapshot_append_color (snapshot, &fill, &band);
      append_frame (snapshot, &band, 0, 1, &accent);
    }

  if (kt_map_canvas_focus_visible (self) && !self->kbd_moving && self->moving->len == 0)
    {
      const KtMapChip *chip = kt_map_canvas_get_focus_chip (self);

      if (chip != NULL)
        {
          graphene_rect_t r = kt_map_canvas_map_rect_to_widget (self, &chip->rect);

          graphene_rect_inset (&r, -3, -3);
          append_frame (snapshot, &r, 4, 2, &accent);
        }
    }

  if (self->kbd_moving && self->drop_target != NULL)
    {
      /* The painter marks the target; a ring makes it findable when small */
      graphene_rect_t r = kt_map_canvas_map_rect_to_widget (self, &self->drop_target->rect);
      GdkRGBA ring = rgba_from_color (kt_map_canvas_drop_allowed (self) ? self->style.accent
                                                                        : self->style.error, 1.0);

      graphene_rect_inset (&r, -3, -3);
      append_frame (snapshot, &r, 5, 2, &ring);
    }

  if (self->drag_mode == DRAG_PIN && self->moving->len > 0)
    snapshot_ghost (self, snapshot);
}

void
kt_map_canvas_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  GdkRGBA bg;
  double ox, oy;

  ensure_style (self);
  bg = rgba_from_color (self->style.window_bg, 1.0);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->layout == NULL || self->overlay == NULL)
    return;

  kt_map_canvas_get_origin (self, &ox, &oy);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  snapshot_topology (self, snapshot, ox, oy);
  snapshot_overlay (self, snapshot, ox, oy);
  gtk_snapshot_restore (snapshot);

  snapshot_decorations (self, snapshot);
  gtk_snapshot_pop (snapshot);

  kt_map_canvas_test_after_snapshot (self);
}

void
kt_map_canvas_draw_init (KtMapCanvas *self)
{
  self->tiles = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) gsk_render_node_unref);
  kt_map_style_init_default (&self->style, FALSE);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
  if (adw_is_initialized ())
    g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                             G_CALLBACK (kt_map_canvas_invalidate_style), self, G_CONNECT_SWAPPED);
}
