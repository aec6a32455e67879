/* kt-map-painter-fill.c: the painter's state and its fills
 *
 * Edges are moved onto device pixels, and small rounded corners drawn as
 * steps of whole pixels, so that boxes are pixel-aligned rectangles; on an
 * image surface pixman fills them straight into its pixels, elsewhere
 * (SVG, recordings) cairo fills them as paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <wchar.h>

#include "kt-map-painter-private.h"

/* Painter ---------------------------------------------------------------- */

/* Whether pixman may fill rectangles straight into @target: an image
 * surface, drawn on with OVER, clipped to whole-pixel rectangles */
static void
painter_init_image (Painter         *p,
                    cairo_surface_t *target)
{
  cairo_rectangle_list_t *clips;
  pixman_format_code_t format;
  int width, height;

  if (!p->aligned || cairo_surface_get_type (target) != CAIRO_SURFACE_TYPE_IMAGE
      || cairo_get_operator (p->cr) != CAIRO_OPERATOR_OVER)
    return;
  switch (cairo_image_surface_get_format (target))
    {
    case CAIRO_FORMAT_ARGB32:
      format = PIXMAN_a8r8g8b8;
      break;
    case CAIRO_FORMAT_RGB24:
      format = PIXMAN_x8r8g8b8;
      break;
    default:
      return;
    }
  width = cairo_image_surface_get_width (target);
  height = cairo_image_surface_get_height (target);

  clips = cairo_copy_clip_rectangle_list (p->cr);
  if (clips->status == CAIRO_STATUS_SUCCESS && clips->num_rectangles <= MAX_CLIPS)
    for (int i = 0; i < clips->num_rectangles; i++)
      {
        const cairo_rectangle_t *c = &clips->rectangles[i];
        double x1 = c->x * p->matrix.xx + p->matrix.x0, y1 = c->y * p->matrix.yy + p->matrix.y0;
        double x2 = (c->x + c->width) * p->matrix.xx + p->matrix.x0;
        double y2 = (c->y + c->height) * p->matrix.yy + p->matrix.y0;
        pixman_box32_t *b = &p->clips[p->n_clips++];

        /* Clips on whole pixels only: anything else would need blending */
        if (fabs (x1 - round (x1)) > 1e-3 || fabs (y1 - round (y1)) > 1e-3
            || fabs (x2 - round (x2)) > 1e-3 || fabs (y2 - round (y2)) > 1e-3)
          {
            p->n_clips = 0;
            cairo_rectangle_list_destroy (clips);
            return;
          }
        b->x1 = MAX ((int) round (x1), 0);
        b->y1 = MAX ((int) round (y1), 0);
        b->x2 = MIN ((int) round (x2), width);
        b->y2 = MIN ((int) round (y2), height);
      }
  cairo_rectangle_list_destroy (clips);
  if (p->n_clips == 0)
    return;

  cairo_surface_flush (target);
  p->image = target;
  p->pixman = pixman_image_create_bits (format, width, height,
                                        (uint32_t *) cairo_image_surface_get_data (target),
                                        cairo_image_surface_get_stride (target));
  if (p->pixman == NULL)
    p->image = NULL;
}

void
kt_map_painter_init (Painter          *p,
                     cairo_t          *cr,
                     const KtMapStyle *style)
{
  double dx = 1, dy = 0, x1, y1, x2, y2;

  cairo_surface_t *target = cairo_get_group_target (cr);
  cairo_matrix_t device;

  memset (p, 0, sizeof *p);
  p->cr = cr;
  p->style = style;
  /* User space to the surface's pixels, device scale and offset included */
  cairo_get_matrix (cr, &p->matrix);
  cairo_surface_get_device_scale (target, &device.xx, &device.yy);
  cairo_surface_get_device_offset (target, &device.x0, &device.y0);
  device.xy = device.yx = 0;
  cairo_matrix_multiply (&p->matrix, &p->matrix, &device);
  p->aligned = p->matrix.xy == 0 && p->matrix.yx == 0 && p->matrix.xx > 0 && p->matrix.yy > 0;
  dx = p->matrix.xx;
  dy = p->matrix.yx;
  p->scale = hypot (dx, dy);
  if (!(p->scale > 1e-6))
    p->scale = 1e-6;
  p->px = 1.0 / p->scale;
  p->boxes = g_array_new (FALSE, FALSE, sizeof (pixman_box32_t));
  painter_init_image (p, target);
  cairo_clip_extents (cr, &x1, &y1, &x2, &y2);
  p->clip = (KtMapRect) { x1, y1, x2 - x1, y2 - y1 };
  p->layout_font = N_FONTS;
  p->rects = g_array_new (FALSE, FALSE, sizeof (KtMapRect));

  kt_map_painter_text_begin (p);
}

void
kt_map_painter_finish (Painter *p)
{
  g_array_unref (p->rects);
  g_array_unref (p->boxes);
  g_clear_pointer (&p->pixman, pixman_image_unref);
  kt_map_painter_text_end (p);
}

gboolean
kt_map_painter_visible (const Painter   *p,
                        const KtMapRect *r)
{
  return kt_map_rect_overlaps (&p->clip, r);
}


/* Filling ---------------------------------------------------------------- */

/* @r with its edges moved to the nearest device pixel */
KtMapRect
kt_map_painter_snap (const Painter   *p,
                     const KtMapRect *r)
{
  const cairo_matrix_t *m = &p->matrix;
  double x1, y1, x2, y2;

  if (!p->aligned)
    return *r;
  x1 = round (r->x * m->xx + m->x0);
  y1 = round (r->y * m->yy + m->y0);
  x2 = round ((r->x + r->width) * m->xx + m->x0);
  y2 = round ((r->y + r->height) * m->yy + m->y0);
  return (KtMapRect) { (x1 - m->x0) / m->xx, (y1 - m->y0) / m->yy,
                       (x2 - x1) / m->xx, (y2 - y1) / m->yy };
}

static void
path_round_rect (cairo_t *cr,
                 double   x,
                 double   y,
                 double   w,
                 double   h,
                 double   r)
{
  if (w <= 0 || h <= 0)
    return;
  r = MIN (r, MIN (w, h) / 2);
  if (r <= 0)
    {
      cairo_rectangle (cr, x, y, w, h);
      return;
    }
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* A rectangle in device pixels, for fill_boxes() */
void
kt_map_painter_rect_px (const Painter *p,
                        double         x,
                        double         y,
                        double         w,
                        double         h)
{
  pixman_box32_t b = { (int32_t) x, (int32_t) y, (int32_t) (x + w), (int32_t) (y + h) };

  if (w > 0 && h > 0)
    g_array_append_val (p->boxes, b);
}

/* Opaque boxes as rows of 32-bit pixels: glibc's wmemset() is vectorized,
 * and pixman takes longer to pick how to fill a box than to fill one the
 * size of a PU */
G_STATIC_ASSERT (sizeof (wchar_t) == sizeof (guint32));

static void
fill_opaque (Painter              *p,
             const pixman_color_t *color,
             const pixman_box32_t *boxes,
             guint                 n)
{
  guint32 *data = (guint32 *) cairo_image_surface_get_data (p->image);
  gsize stride = cairo_image_surface_get_stride (p->image) / sizeof (guint32);
  guint32 pixel = 0xff000000u | (guint32) (color->red >> 8) << 16
                  | (guint32) (color->green >> 8) << 8 | (guint32) (color->blue >> 8);

  for (guint i = 0; i < n; i++)
    for (int y = boxes[i].y1; y < boxes[i].y2; y++)
      wmemset ((wchar_t *) (data + y * stride + boxes[i].x1), (wchar_t) pixel,
               boxes[i].x2 - boxes[i].x1);
}

/* Fills the rectangles queued by rect_px() with the current source */
void
kt_map_painter_fill_boxes (Painter *p)
{
  cairo_pattern_t *source = cairo_get_source (p->cr);
  const pixman_box32_t *boxes = (const pixman_box32_t *) p->boxes->data;
  double r, g, b, a;

  if (p->boxes->len == 0)
    return;
  if (p->pixman != NULL && cairo_pattern_get_type (source) == CAIRO_PATTERN_TYPE_SOLID
      && cairo_pattern_get_rgba (source, &r, &g, &b, &a) == CAIRO_STATUS_SUCCESS)
    {
      /* Premultiplied, as pixman wants it */
      pixman_color_t color = { r * a * 0xffff + 0.5, g * a * 0xffff + 0.5,
                               b * a * 0xffff + 0.5, a * 0xffff + 0.5 };
      pixman_box32_t extents = { G_MAXINT32, G_MAXINT32, G_MININT32, G_MININT32 };
      GArray *clipped = g_array_sized_new (FALSE, FALSE, sizeof (pixman_box32_t),
                                           p->boxes->len);

      for (guint i = 0; i < p->boxes->len; i++)
        for (guint c = 0; c < p->n_clips; c++)
          {
            pixman_box32_t x = {
              MAX (boxes[i].x1, p->clips[c].x1), MAX (boxes[i].y1, p->clips[c].y1),
              MIN (boxes[i].x2, p->clips[c].x2), MIN (boxes[i].y2, p->clips[c].y2),
            };

            if (x.x1 >= x.x2 || x.y1 >= x.y2)
              continue;
            g_array_append_val (clipped, x);
            extents.x1 = MIN (extents.x1, x.x1);
            extents.y1 = MIN (extents.y1, x.y1);
            extents.x2 = MAX (extents.x2, x.x2);
            extents.y2 = MAX (extents.y2, x.y2);
          }
      if (clipped->len > 0)
        {
          cairo_surface_flush (p->image);
          if (color.alpha == 0xffff)
            fill_opaque (p, &color, (const pixman_box32_t *) clipped->data, clipped->len);
          else
            pixman_image_fill_boxes (PIXMAN_OP_OVER, p->pixman, &color, clipped->len,
                                     (const pixman_box32_t *) clipped->data);
          cairo_surface_mark_dirty_rectangle (p->image, extents.x1, extents.y1,
                                              extents.x2 - extents.x1, extents.y2 - extents.y1);
        }
      g_array_unref (clipped);
    }
  else
    {
      const cairo_matrix_t *m = &p->matrix;

      cairo_new_path (p->cr);
      for (guint i = 0; i < p->boxes->len; i++)
        cairo_rectangle (p->cr, (boxes[i].x1 - m->x0) / m->xx, (boxes[i].y1 - m->y0) / m->yy,
                         (boxes[i].x2 - boxes[i].x1) / m->xx, (boxes[i].y2 - boxes[i].y1) / m->yy);
      cairo_fill (p->cr);
    }
  g_array_set_size (p->boxes, 0);
}

/* How far in from the side a corner of radius @r pixels is on row @i
 * (0 at the top), to the nearest pixel */
static int
corner_inset (int r,
              int i)
{
  double dy = r - i - 0.5;

  return (int) round (r - sqrt (MAX (r * r - dy * dy, 0)));
}

/* Small rounded corners as steps of whole pixels: the box is all
 * pixel-aligned rectangles */
static void
stairs_px (const Painter *p,
           double         x,
           double         y,
           double         w,
           double         h,
           int            r,
           int            t)
{
  int row = 0;

  if (t == 0)
    {
      /* Rows of the same inset go together; the rest is the middle */
      while (row < r)
        {
          int inset = corner_inset (r, row), end = row + 1;

          if (inset == 0)
            break;
          while (end < r && corner_inset (r, end) == inset)
            end++;
          kt_map_painter_rect_px (p, x + inset, y + row, w - 2 * inset, end - row);
          kt_map_painter_rect_px (p, x + inset, y + h - end, w - 2 * inset, end - row);
          row = end;
        }
      kt_map_painter_rect_px (p, x, y + row, w, h - 2 * row);
      return;
    }

  /* A border @t wide: the top and bottom rows whole, then the sides of the
   * corners between the outer and the inner curve, then straight sides */
  for (row = 0; row < r; row++)
    {
      int outer = corner_inset (r, row);

      if (row < t)
        {
          kt_map_painter_rect_px (p, x + outer, y + row, w - 2 * outer, 1);
          kt_map_painter_rect_px (p, x + outer, y + h - 1 - row, w - 2 * outer, 1);
        }
      else
        {
          int inner = MAX (t + corner_inset (r - t, row - t), outer + 1);

          kt_map_painter_rect_px (p, x + outer, y + row, inner - outer, 1);
          kt_map_painter_rect_px (p, x + w - inner, y + row, inner - outer, 1);
          kt_map_painter_rect_px (p, x + outer, y + h - 1 - row, inner - outer, 1);
          kt_map_painter_rect_px (p, x + w - inner, y + h - 1 - row, inner - outer, 1);
        }
    }
  kt_map_painter_rect_px (p, x, y + r, t, h - 2 * r);
  kt_map_painter_rect_px (p, x + w - t, y + r, t, h - 2 * r);
}

/* A larger corner, antialiased, centred on (@cx, @cy) device pixels, from
 * angle @a0: filled on its own, since cairo rasterizes every fill across
 * its whole extents */
static void
fill_corner_px (const Painter *p,
                double         cx,
                double         cy,
                double         r,
                double         t,
                double         a0)
{
  cairo_t *cr = p->cr;
  double ux = (cx - p->matrix.x0) / p->matrix.xx, uy = (cy - p->matrix.y0) / p->matrix.yy;
  double ur = r * p->px, ut = t * p->px;

  cairo_new_path (cr);
  cairo_arc (cr, ux, uy, ur, a0, a0 + G_PI / 2);
  if (t > 0)
    cairo_arc_negative (cr, ux, uy, ur - ut, a0 + G_PI / 2, a0);
  else
    cairo_line_to (cr, ux, uy);
  cairo_close_path (cr);
  cairo_fill (cr);
}

/* @rect in device pixels, and its corner radius in pixels for @radius map
 * units (none under MIN_ROUND_PX, at most half its width or height) */
static gboolean
to_px (const Painter   *p,
       const KtMapRect *rect,
       double           radius,
       double          *px)
{
  const cairo_matrix_t *m = &p->matrix;
  double r_px = radius * p->scale < MIN_ROUND_PX ? 0 : round (radius * p->scale);

  px[0] = round (rect->x * m->xx + m->x0);
  px[1] = round (rect->y * m->yy + m->y0);
  px[2] = round ((rect->x + rect->width) * m->xx + m->x0) - px[0];
  px[3] = round ((rect->y + rect->height) * m->yy + m->y0) - px[1];
  px[4] = MIN (r_px, floor (MIN (px[2], px[3]) / 2));
  return px[2] > 0 && px[3] > 0;
}

/* Queues a box of device pixels @px (x, y, width, height, corner radius)
 * for fill_boxes(), whole or only a border @ring pixels wide; corners
 * larger than MAX_STAIR_PX go to @corners, for fill_corners() */
static void
emit_box (Painter      *p,
          const double *px,
          int           ring,
          GArray      **corners)
{
  double x = px[0], y = px[1], w = px[2], h = px[3];
  int r = (int) px[4];
  int t = ring;

  if (t > 0 && 2 * t >= MIN (w, h))
    t = 0;   /* nothing but border */
  if (t > 0 && r <= t)
    r = 0;   /* a thick border round a small corner: square */

  if (r <= MAX_STAIR_PX)
    {
      stairs_px (p, x, y, w, h, r, t);
      return;
    }

  /* Straight parts here, corners later */
  if (t == 0)
    {
      kt_map_painter_rect_px (p, x + r, y, w - 2 * r, h);
      kt_map_painter_rect_px (p, x, y + r, r, h - 2 * r);
      kt_map_painter_rect_px (p, x + w - r, y + r, r, h - 2 * r);
    }
  else
    {
      kt_map_painter_rect_px (p, x + r, y, w - 2 * r, t);
      kt_map_painter_rect_px (p, x + r, y + h - t, w - 2 * r, t);
      kt_map_painter_rect_px (p, x, y + r, t, h - 2 * r);
      kt_map_painter_rect_px (p, x + w - t, y + r, t, h - 2 * r);
    }
  if (*corners == NULL)
    *corners = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_vals (*corners, (double[]) { x, y, w, h, r, t }, 6);
}

static void
fill_corners (Painter *p,
              GArray  *corners)
{
  for (guint i = 0; corners != NULL && i < corners->len; i += 6)
    {
      const double *c = &g_array_index (corners, double, i);
      double x = c[0], y = c[1], w = c[2], h = c[3], r = c[4], t = c[5];

      fill_corner_px (p, x + r, y + r, r, t, G_PI);
      fill_corner_px (p, x + w - r, y + r, r, t, -G_PI / 2);
      fill_corner_px (p, x + w - r, y + h - r, r, t, 0);
      fill_corner_px (p, x + r, y + h - r, r, t, G_PI / 2);
    }
}

/* Rotated or skewed: plain paths, slower */
static void
fill_rects_unaligned (Painter         *p,
                      const KtMapRect *rects,
                      guint            n,
                      double           radius,
                      int              ring)
{
  cairo_t *cr = p->cr;
  double r_px = radius * p->scale < MIN_ROUND_PX ? 0 : round (radius * p->scale);

  cairo_new_path (cr);
  for (guint i = 0; i < n; i++)
    {
      const KtMapRect *r = &rects[i];
      double t = ring * p->px, rr = MIN (r_px * p->px, MIN (r->width, r->height) / 2);

      path_round_rect (cr, r->x, r->y, r->width, r->height, rr);
      if (ring > 0)
        path_round_rect (cr, r->x + t, r->y + t, r->width - 2 * t, r->height - 2 * t,
                         MAX (rr - t, 0));
    }
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_fill (cr);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
}

/* Fills @rects with the current source: whole, or with @ring > 0 only a
 * border that many device pixels wide, with corners of @radius map units
 * (none under MIN_ROUND_PX).  Edges go onto device pixels, and everything
 * but corners larger than MAX_STAIR_PX is one batch of pixel-aligned
 * rectangles. */
void
kt_map_painter_fill_rects (Painter         *p,
                           const KtMapRect *rects,
                           guint            n,
                           double           radius,
                           int              ring)
{
  g_autoptr(GArray) corners = NULL;

  if (!p->aligned)
    {
      fill_rects_unaligned (p, rects, n, radius, ring);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      double px[5];

      if (to_px (p, &rects[i], radius, px))
        emit_box (p, px, ring, &corners);
    }
  kt_map_painter_fill_boxes (p);
  fill_corners (p, corners);
}

void
kt_map_painter_fill_rect (Painter         *p,
                          const KtMapRect *rect,
                          double           radius,
                          int              ring)
{
  kt_map_painter_fill_rects (p, rect, 1, radius, ring);
}

/* @r grown by @d map units on every side */
KtMapRect
kt_map_painter_grow (const KtMapRect *r,
                     double           d)
{
  return (KtMapRect) { r->x - d, r->y - d, r->width + 2 * d, r->height + 2 * d };
}

/* Diagonal stripes of @color, HATCH_PX device pixels apart, shifted by
 * @phase pixels */
cairo_pattern_t *
kt_map_painter_hatch_pattern (const Painter *p,
                              KtMapColor     color,
                              int            phase)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, HATCH_PX, HATCH_PX);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *pattern;
  cairo_matrix_t m;

  set_color (cr, color);
  cairo_set_line_width (cr, 1.25);
  cairo_move_to (cr, -1, HATCH_PX + 1);
  cairo_line_to (cr, HATCH_PX + 1, -1);
  cairo_move_to (cr, -1, 1);
  cairo_line_to (cr, 1, -1);
  cairo_move_to (cr, HATCH_PX - 1, HATCH_PX + 1);
  cairo_line_to (cr, HATCH_PX + 1, HATCH_PX - 1);
  cairo_stroke (cr);
  cairo_destroy (cr);

  pattern = cairo_pattern_create_for_surface (surface);
  cairo_surface_destroy (surface);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_REPEAT);
  /* One pattern pixel per device pixel, whatever the zoom */
  cairo_matrix_init_scale (&m, p->scale, p->scale);
  m.x0 = phase;
  cairo_pattern_set_matrix (pattern, &m);
  return pattern;
}

