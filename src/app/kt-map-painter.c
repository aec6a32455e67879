/* kt-map-painter.c: paints the host map with cairo and Pango
 *
 * Fast enough to repaint a 448-PU host at 1920×1080 within a couple of
 * milliseconds, which sets how it draws:
 *
 *  - boxes are drawn level by level (every node, then every socket, ...
 *    then every PU), each level in a few fills rather than one per box;
 *  - edges are moved onto device pixels, and small rounded corners drawn
 *    as steps of whole pixels, so that boxes are pixel-aligned rectangles;
 *    on an image surface pixman fills them straight into its pixels,
 *    elsewhere (SVG, recordings) cairo fills them as paths;
 *  - labels of Latin text (PU numbers, chips, headers) are laid out here,
 *    with a per-paint table of glyphs and advances, and drawn as glyph
 *    runs of the Pango font's cairo scaled font, batched by colour; any
 *    other text goes through one PangoLayout per paint.
 *
 * Text never shrinks below MIN_TEXT_PX on screen: zoomed out, labels that
 * no longer fit their box are left out and the boxes become plain cells.
 * Zoomed in, text grows more slowly than the boxes, so longer labels find
 * room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pixman.h>
#include <string.h>
#include <wchar.h>

#include "kt-map-painter.h"

#define MIN_TEXT_PX   6.0    /* smaller text is left out */
#define MAX_TEXT_ZOOM 1.5    /* text grows with the zoom up to 150 % */
#define MIN_DETAIL_PX 4.0    /* boxes smaller than this on screen get no border */
#define MIN_ROUND_PX  2.0    /* smaller corners are left square */
#define MAX_STAIR_PX  10     /* larger corners are antialiased */
#define TEXT_PAD      3.0    /* map units between a label and its box's edge */
#define BADGE         10.0   /* room for a PU's badge, map units */
#define HATCH_PX      8      /* period of the hatching, device pixels */
#define DIM_ALPHA     0.25   /* other VMs when one is selected */
#define MUTED_MIX     0.55   /* VMs that do not run: this much of the background */

typedef enum
{
  FONT_TITLE,   /* node names */
  FONT_LABEL,   /* headers, memory, pages */
  FONT_SMALL,   /* PU numbers */
  FONT_CHIP,    /* chips */
  FONT_TINY,    /* core names */
  N_FONTS
} FontKind;

static const struct
{
  double   size;     /* map units at 100 % */
  gboolean bold;
} font_specs[N_FONTS] = {
  [FONT_TITLE] = { 13.0, TRUE },
  [FONT_LABEL] = { 10.0, FALSE },
  [FONT_SMALL] = { 8.5, FALSE },
  [FONT_CHIP] = { 8.0, TRUE },
  [FONT_TINY] = { 7.0, FALSE },
};

#define FIRST_CHAR ' '
#define LAST_CHAR  '~'
#define N_CHARS    (LAST_CHAR - FIRST_CHAR + 1)

/* A font at one size and zoom, kept from paint to paint: loading one and
 * reading its glyphs costs more than painting a whole map */
typedef struct
{
  PangoFontDescription *desc;
  PangoFont            *font;
  cairo_scaled_font_t  *scaled;   /* borrowed from font; NULL: Pango only */
  double                ascent;   /* map units */
  double                height;
  gboolean              ascii;    /* glyphs and advances are known */
  unsigned long         glyphs[N_CHARS];
  double                advances[N_CHARS];
} Font;

#define FONT_CACHE_MAX 64

#define MAX_CLIPS 16

typedef struct
{
  cairo_t          *cr;
  const KtMapStyle *style;
  cairo_matrix_t    matrix;   /* map units to device pixels */
  gboolean          aligned;  /* the matrix only scales and moves */
  double            scale;    /* device pixels per map unit */
  double            px;       /* one device pixel in map units */
  /* Where pixel-aligned rectangles go */
  GArray           *boxes;    /* pixman_box32_t, device pixels */
  cairo_surface_t  *image;    /* the image surface drawn on, when pixman can */
  pixman_image_t   *pixman;   /* its pixels */
  pixman_box32_t    clips[MAX_CLIPS];
  guint             n_clips;
  KtMapRect         clip;     /* what is visible, map units */
  PangoLayout      *layout;   /* created on first use */
  FontKind          layout_font;
  Font             *fonts[N_FONTS];   /* borrowed from the cache */
  GArray           *rects;    /* KtMapRect scratch */
} Painter;

/* A run of glyphs in one font and one colour, shown at once */
typedef struct
{
  FontKind    font;
  KtMapColor  color;
  GArray     *glyphs;   /* cairo_glyph_t */
} GlyphBatch;

/* Colours ---------------------------------------------------------------- */

static KtMapColor
rgb (guint32 hex)
{
  return (KtMapColor) { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                        (hex & 0xff) / 255.0, 1.0 };
}

static KtMapColor
rgba (guint32 hex,
      double  alpha)
{
  KtMapColor c = rgb (hex);

  c.alpha = alpha;
  return c;
}

/* @a with @t of @b mixed in; the alpha is mixed too */
static KtMapColor
mix (KtMapColor a,
     KtMapColor b,
     double     t)
{
  return (KtMapColor) { a.red + (b.red - a.red) * t, a.green + (b.green - a.green) * t,
                        a.blue + (b.blue - a.blue) * t, a.alpha + (b.alpha - a.alpha) * t };
}

/* @c composited over the opaque @bg */
static KtMapColor
flatten (KtMapColor c,
         KtMapColor bg)
{
  KtMapColor out = mix (bg, c, c.alpha);

  out.alpha = 1.0;
  return out;
}

static KtMapColor
with_alpha (KtMapColor c,
            double     alpha)
{
  c.alpha *= alpha;
  return c;
}

static double
luminance (KtMapColor c)
{
  return 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue;
}

static void
set_color (cairo_t    *cr,
           KtMapColor  c)
{
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, c.alpha);
}

/**
 * kt_map_style_init_default:
 *
 * Fills @style with libadwaita's stock colours, for when there is no GTK
 * style to read them from (`kvmtune-cli render`, tests).
 */
void
kt_map_style_init_default (KtMapStyle *style,
                           gboolean    dark)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  style->dark = dark;
  if (dark)
    {
      style->window_bg = rgb (0x242424);
      style->view_bg = rgb (0x1e1e1e);
      style->card_bg = rgba (0xffffff, 0.08);
      style->fg = rgb (0xffffff);
      style->dim_fg = rgba (0xffffff, 0.55);
      style->accent = rgb (0x78aeed);
      style->warning = rgb (0xf8e45c);
      style->error = rgb (0xff7b63);
      style->success = rgb (0x8ff0a4);
    }
  else
    {
      style->window_bg = rgb (0xfafafa);
      style->view_bg = rgb (0xffffff);
      style->card_bg = rgb (0xffffff);
      style->fg = rgba (0x000000, 0.8);
      style->dim_fg = rgba (0x000000, 0.55);
      style->accent = rgb (0x1c71d8);
      style->warning = rgb (0xe5a50a);
      style->error = rgb (0xc01c28);
      style->success = rgb (0x2ec27e);
    }
  style->font_family = NULL;
}

void
kt_map_style_clear (KtMapStyle *style)
{
  g_return_if_fail (style != NULL);
  g_clear_pointer (&style->font_family, g_free);
}

static KtMapColor
hsl (double h,
     double s,
     double l)
{
  double c = (1 - fabs (2 * l - 1)) * s;
  double hp = fmod (h, 360.0) / 60.0;
  double x = c * (1 - fabs (fmod (hp, 2.0) - 1));
  double m = l - c / 2;
  double r = 0, g = 0, b = 0;

  if (hp < 1)
    r = c, g = x;
  else if (hp < 2)
    r = x, g = c;
  else if (hp < 3)
    g = c, b = x;
  else if (hp < 4)
    g = x, b = c;
  else if (hp < 5)
    r = x, b = c;
  else
    r = c, b = x;
  return (KtMapColor) { r + m, g + m, b + m, 1.0 };
}

/**
 * kt_map_style_vm_color:
 *
 * Returns: a colour of its own for the VM at @vm_index: hues a golden
 * angle apart, lighter in dark mode
 */
KtMapColor
kt_map_style_vm_color (const KtMapStyle *style,
                       guint             vm_index)
{
  /* Hues from 20° to 340°: reds are for errors */
  double hue = 20.0 + fmod (vm_index * 137.50776405003785, 360.0) * (320.0 / 360.0);
  /* Every other lap round the wheel a little lighter or darker */
  double shade = (vm_index / 3) % 2 ? -0.07 : 0.0;

  g_return_val_if_fail (style != NULL, rgb (0x808080));

  if (style->dark)
    return hsl (hue, 0.65, 0.66 + shade);
  return hsl (hue, 0.62, 0.52 + shade);
}

/**
 * kt_map_style_vm_color_muted:
 * @muted: whether the VM does not run (shut off, crashed)
 *
 * Returns: the VM's colour; when @muted, greyed and half-way to the
 * background
 */
KtMapColor
kt_map_style_vm_color_muted (const KtMapStyle *style,
                             guint             vm_index,
                             gboolean          muted)
{
  KtMapColor color = kt_map_style_vm_color (style, vm_index);
  KtMapColor grey = { 0.5, 0.5, 0.5, 1.0 };

  if (!muted)
    return color;
  return mix (mix (color, grey, 0.5),
              flatten (style->window_bg, rgb (style->dark ? 0x000000 : 0xffffff)), MUTED_MIX);
}

/* Text on @c: black or white, whichever reads better */
static KtMapColor
text_on (KtMapColor c)
{
  return luminance (c) > 0.55 ? rgba (0x000000, 0.85) : rgb (0xffffff);
}

/* Painter ---------------------------------------------------------------- */

static GHashTable *font_cache;   /* char * → Font * */
static guint       n_painters;    /* the cache is only emptied with none */
G_LOCK_DEFINE_STATIC (font_cache);

static void
font_free (gpointer data)
{
  Font *f = data;

  g_clear_pointer (&f->desc, pango_font_description_free);
  g_clear_object (&f->font);
  g_free (f);
}

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

static void
painter_init (Painter          *p,
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

  G_LOCK (font_cache);
  if (font_cache == NULL)
    font_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, font_free);
  else if (n_painters == 0 && g_hash_table_size (font_cache) > FONT_CACHE_MAX)
    g_hash_table_remove_all (font_cache);   /* zoomed through many sizes */
  n_painters++;
  G_UNLOCK (font_cache);
}

static void
painter_finish (Painter *p)
{
  g_clear_object (&p->layout);
  g_array_unref (p->rects);
  g_array_unref (p->boxes);
  g_clear_pointer (&p->pixman, pixman_image_unref);
  G_LOCK (font_cache);
  n_painters--;
  G_UNLOCK (font_cache);
}

static gboolean
visible (const Painter   *p,
         const KtMapRect *r)
{
  return kt_map_rect_overlaps (&p->clip, r);
}

static PangoLayout *
painter_layout (Painter *p)
{
  if (p->layout == NULL)
    {
      cairo_font_options_t *options = cairo_font_options_create ();
      PangoContext *context;

      p->layout = pango_cairo_create_layout (p->cr);
      context = pango_layout_get_context (p->layout);
      /* Sizes that scale with the zoom, so that what fits keeps fitting */
      cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
      pango_cairo_context_set_font_options (context, options);
      cairo_font_options_destroy (options);
      pango_context_set_round_glyph_positions (context, FALSE);
      pango_layout_context_changed (p->layout);
    }
  return p->layout;
}

/* Glyphs and advances of the printable ASCII characters, when the font
 * maps each to one glyph */
static void
font_load_ascii (Font *f)
{
  char chars[N_CHARS + 1];
  cairo_glyph_t *glyphs = NULL;
  int n = 0;
  cairo_text_extents_t last;

  for (int c = FIRST_CHAR; c <= LAST_CHAR; c++)
    chars[c - FIRST_CHAR] = (char) c;
  chars[N_CHARS] = '\0';
  if (cairo_scaled_font_text_to_glyphs (f->scaled, 0, 0, chars, N_CHARS, &glyphs, &n,
                                        NULL, NULL, NULL) != CAIRO_STATUS_SUCCESS)
    return;
  if (n == N_CHARS)
    {
      for (int i = 0; i < N_CHARS; i++)
        {
          f->glyphs[i] = glyphs[i].index;
          if (i + 1 < N_CHARS)
            f->advances[i] = glyphs[i + 1].x - glyphs[i].x;
        }
      cairo_scaled_font_glyph_extents (f->scaled, &glyphs[N_CHARS - 1], 1, &last);
      f->advances[N_CHARS - 1] = last.x_advance;
      f->ascii = TRUE;
    }
  cairo_glyph_free (glyphs);
}

static Font *
font_load (Painter  *p,
           FontKind  kind,
           double    size)
{
  Font *f = g_new0 (Font, 1);

  f->desc = pango_font_description_from_string (p->style->font_family
                                                ? p->style->font_family : "Sans");
  pango_font_description_set_absolute_size (f->desc, size * PANGO_SCALE);
  pango_font_description_set_weight (f->desc, font_specs[kind].bold ? PANGO_WEIGHT_BOLD
                                                                    : PANGO_WEIGHT_NORMAL);
  f->ascent = size * 0.93;
  f->height = size * 1.17;
  f->font = pango_context_load_font (pango_layout_get_context (painter_layout (p)), f->desc);
  if (f->font != NULL && PANGO_IS_CAIRO_FONT (f->font))
    {
      cairo_scaled_font_t *scaled = pango_cairo_font_get_scaled_font (PANGO_CAIRO_FONT (f->font));

      if (scaled != NULL && cairo_scaled_font_status (scaled) == CAIRO_STATUS_SUCCESS)
        {
          cairo_font_extents_t fe;

          f->scaled = scaled;
          cairo_scaled_font_extents (scaled, &fe);
          f->ascent = fe.ascent;
          f->height = fe.ascent + fe.descent;
          font_load_ascii (f);
        }
    }
  return f;
}

static Font *
painter_font (Painter  *p,
              FontKind  kind)
{
  g_autofree char *key = NULL;
  double size;
  Font *f;

  if (p->fonts[kind] != NULL)
    return p->fonts[kind];

  /* Zoomed out, text keeps a legible size and stops fitting its box;
   * zoomed in, it grows less than the boxes, which makes room */
  size = MAX (MIN (font_specs[kind].size, font_specs[kind].size * MAX_TEXT_ZOOM * p->px),
              MIN_TEXT_PX * p->px);
  key = g_strdup_printf ("%s|%d|%.4g|%.6g", p->style->font_family ? p->style->font_family : "",
                         kind, size, p->scale);
  G_LOCK (font_cache);
  f = g_hash_table_lookup (font_cache, key);
  G_UNLOCK (font_cache);
  if (f == NULL)
    {
      f = font_load (p, kind, size);
      G_LOCK (font_cache);
      g_hash_table_insert (font_cache, g_steal_pointer (&key), f);
      G_UNLOCK (font_cache);
    }
  p->fonts[kind] = f;
  return f;
}

/* Whether a line of @font fits @h map units at all */
static gboolean
text_height_fits (Painter  *p,
                  FontKind  font,
                  double    h)
{
  return painter_font (p, font)->height <= h + 0.01;
}

/* @text as glyphs from (0, 0), if it is printable ASCII (no-break spaces
 * taken as spaces) and no longer than @max glyphs */
static gboolean
layout_ascii (const Font    *f,
              const char    *text,
              cairo_glyph_t *glyphs,
              int            max,
              int           *n_out,
              double        *width)
{
  double x = 0;
  int n = 0;

  if (!f->ascii)
    return FALSE;
  for (const guchar *c = (const guchar *) text; *c != '\0'; c++)
    {
      guchar ch = *c;

      if (ch == 0xc2 && c[1] == 0xa0)
        ch = ' ', c++;
      if (ch < FIRST_CHAR || ch > LAST_CHAR || n == max)
        return FALSE;
      glyphs[n].index = f->glyphs[ch - FIRST_CHAR];
      glyphs[n].x = x;
      glyphs[n].y = 0;
      x += f->advances[ch - FIRST_CHAR];
      n++;
    }
  *n_out = n;
  *width = x;
  return TRUE;
}

/* Draws @text in @area (map units), aligned by @halign (0 left, 0.5
 * centre, 1 right) and centred vertically.  Left out, returning FALSE,
 * when it does not fit.  With @batch, text laid out here is queued there
 * instead of drawn (in @batch's colour). */
static gboolean
draw_text (Painter         *p,
           FontKind         font,
           const char      *text,
           const KtMapRect *area,
           double           halign,
           KtMapColor       color,
           GlyphBatch      *batch,
           double          *width_out)
{
  cairo_glyph_t glyphs[64];
  Font *f;
  double width, x, baseline;
  int n;

  if (area->width <= 0 || !text_height_fits (p, font, area->height))
    return FALSE;
  f = p->fonts[font];
  baseline = area->y + (area->height - f->height) / 2 + f->ascent;

  if (layout_ascii (f, text, glyphs, G_N_ELEMENTS (glyphs), &n, &width))
    {
      if (width > area->width + 0.01)
        return FALSE;
      x = area->x + (area->width - width) * halign;
      for (int i = 0; i < n; i++)
        {
          glyphs[i].x += x;
          glyphs[i].y = baseline;
        }
      if (batch != NULL)
        g_array_append_vals (batch->glyphs, glyphs, n);
      else
        {
          set_color (p->cr, color);
          cairo_set_scaled_font (p->cr, f->scaled);
          cairo_show_glyphs (p->cr, glyphs, n);
        }
    }
  else
    {
      PangoLayout *layout = painter_layout (p);
      int w;

      if (p->layout_font != font)
        {
          pango_layout_set_font_description (layout, f->desc);
          p->layout_font = font;
        }
      pango_layout_set_text (layout, text, -1);
      pango_layout_get_size (layout, &w, NULL);
      width = (double) w / PANGO_SCALE;
      if (width > area->width + 0.01)
        return FALSE;
      x = area->x + (area->width - width) * halign;
      set_color (p->cr, color);
      cairo_move_to (p->cr, x, baseline - (double) pango_layout_get_baseline (layout) / PANGO_SCALE);
      pango_cairo_show_layout (p->cr, layout);
    }
  if (width_out != NULL)
    *width_out = width;
  return TRUE;
}

/* The first of the NULL-terminated @texts that fits */
static gboolean
draw_text_choice (Painter            *p,
                  FontKind            font,
                  const char * const *texts,
                  const KtMapRect    *area,
                  double              halign,
                  KtMapColor          color,
                  double             *width_out)
{
  for (guint i = 0; texts[i] != NULL; i++)
    if (texts[i][0] != '\0' && draw_text (p, font, texts[i], area, halign, color, NULL, width_out))
      return TRUE;
  return FALSE;
}

static void
batch_init (GlyphBatch *b,
            FontKind    font,
            KtMapColor  color)
{
  b->font = font;
  b->color = color;
  b->glyphs = g_array_new (FALSE, FALSE, sizeof (cairo_glyph_t));
}

static int
compare_glyph_pos (gconstpointer a,
                   gconstpointer b)
{
  const cairo_glyph_t *x = a, *y = b;

  if (x->y != y->y)
    return x->y < y->y ? -1 : 1;
  return (x->x > y->x) - (x->x < y->x);
}

/* Shows the queued glyphs line by line: cairo composites glyphs whose ink
 * touches through a mask as large as the whole run, so one run across the
 * map would cost a full-screen mask */
static void
batch_flush (Painter    *p,
             GlyphBatch *b)
{
  cairo_glyph_t *glyphs = (cairo_glyph_t *) b->glyphs->data;
  double gap = 64 * p->px;
  guint start = 0;

  if (b->glyphs->len > 0)
    {
      set_color (p->cr, b->color);
      cairo_set_scaled_font (p->cr, p->fonts[b->font]->scaled);
      g_array_sort (b->glyphs, compare_glyph_pos);
      for (guint i = 1; i <= b->glyphs->len; i++)
        if (i == b->glyphs->len || glyphs[i].y != glyphs[start].y
            || glyphs[i].x - glyphs[i - 1].x > gap)
          {
            cairo_show_glyphs (p->cr, glyphs + start, i - start);
            start = i;
          }
    }
  g_array_unref (b->glyphs);
  b->glyphs = NULL;
}

/* Filling ---------------------------------------------------------------- */

/* @r with its edges moved to the nearest device pixel */
static KtMapRect
snap (const Painter   *p,
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
static void
rect_px (const Painter *p,
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
static void
fill_boxes (Painter *p)
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
          rect_px (p, x + inset, y + row, w - 2 * inset, end - row);
          rect_px (p, x + inset, y + h - end, w - 2 * inset, end - row);
          row = end;
        }
      rect_px (p, x, y + row, w, h - 2 * row);
      return;
    }

  /* A border @t wide: the top and bottom rows whole, then the sides of the
   * corners between the outer and the inner curve, then straight sides */
  for (row = 0; row < r; row++)
    {
      int outer = corner_inset (r, row);

      if (row < t)
        {
          rect_px (p, x + outer, y + row, w - 2 * outer, 1);
          rect_px (p, x + outer, y + h - 1 - row, w - 2 * outer, 1);
        }
      else
        {
          int inner = MAX (t + corner_inset (r - t, row - t), outer + 1);

          rect_px (p, x + outer, y + row, inner - outer, 1);
          rect_px (p, x + w - inner, y + row, inner - outer, 1);
          rect_px (p, x + outer, y + h - 1 - row, inner - outer, 1);
          rect_px (p, x + w - inner, y + h - 1 - row, inner - outer, 1);
        }
    }
  rect_px (p, x, y + r, t, h - 2 * r);
  rect_px (p, x + w - t, y + r, t, h - 2 * r);
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
      rect_px (p, x + r, y, w - 2 * r, h);
      rect_px (p, x, y + r, r, h - 2 * r);
      rect_px (p, x + w - r, y + r, r, h - 2 * r);
    }
  else
    {
      rect_px (p, x + r, y, w - 2 * r, t);
      rect_px (p, x + r, y + h - t, w - 2 * r, t);
      rect_px (p, x, y + r, t, h - 2 * r);
      rect_px (p, x + w - t, y + r, t, h - 2 * r);
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
static void
fill_rects (Painter         *p,
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
  fill_boxes (p);
  fill_corners (p, corners);
}

static void
fill_rect (Painter         *p,
           const KtMapRect *rect,
           double           radius,
           int              ring)
{
  fill_rects (p, rect, 1, radius, ring);
}

/* @r grown by @d map units on every side */
static KtMapRect
grow (const KtMapRect *r,
      double           d)
{
  return (KtMapRect) { r->x - d, r->y - d, r->width + 2 * d, r->height + 2 * d };
}

/* Diagonal stripes of @color, HATCH_PX device pixels apart, shifted by
 * @phase pixels */
static cairo_pattern_t *
hatch_pattern (const Painter *p,
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

/* Topology --------------------------------------------------------------- */

typedef struct
{
  KtMapColor fill;
  KtMapColor border;
  gboolean   filled;    /* FALSE: the same colour as the box round it */
  gboolean   bordered;  /* cores and PUs stand out by their fill alone */
  double     radius;
} LevelStyle;

static gboolean
color_equal (KtMapColor a,
             KtMapColor b)
{
  return fabs (a.red - b.red) < 1e-3 && fabs (a.green - b.green) < 1e-3
         && fabs (a.blue - b.blue) < 1e-3 && fabs (a.alpha - b.alpha) < 1e-3;
}

static void
level_styles (const Painter *p,
              LevelStyle     levels[])
{
  const KtMapStyle *s = p->style;
  KtMapColor bg = flatten (s->window_bg, rgb (s->dark ? 0x000000 : 0xffffff));
  KtMapColor view = flatten (s->view_bg, bg);
  KtMapColor card = flatten (s->card_bg, view);
  KtMapColor fg = flatten (s->fg, view);

  levels[KT_MAP_BOX_HOST] = (LevelStyle) { bg, bg, FALSE, FALSE, 0 };
  levels[KT_MAP_BOX_NODE] = (LevelStyle) { view, mix (view, fg, 0.22), TRUE, TRUE, 8 };
  levels[KT_MAP_BOX_SOCKET] = (LevelStyle) { card, mix (card, fg, 0.18),
                                             !color_equal (card, view), TRUE, 6 };
  levels[KT_MAP_BOX_DIE] = (LevelStyle) { card, mix (card, fg, 0.14), FALSE, TRUE, 5 };
  levels[KT_MAP_BOX_L3] = (LevelStyle) { mix (card, fg, 0.035), mix (card, fg, 0.14),
                                         TRUE, TRUE, 5 };
  levels[KT_MAP_BOX_CORE] = (LevelStyle) { mix (card, fg, 0.1), mix (card, fg, 0.16),
                                           TRUE, FALSE, 4 };
  levels[KT_MAP_BOX_PU] = (LevelStyle) { view, mix (view, fg, 0.28), TRUE, FALSE, 3 };
}

/* The visible boxes of the tree, by kind */
static void
collect (const Painter  *p,
         const KtMapBox *box,
         GPtrArray      *by_kind[])
{
  if (!visible (p, &box->rect))
    return;
  g_ptr_array_add (by_kind[box->kind], (gpointer) box);
  for (guint i = 0; i < box->children->len; i++)
    collect (p, g_ptr_array_index (box->children, i), by_kind);
}

/* Whether @box gets a border: not a socket's only die, nor an L3 box
 * standing for no cache */
static gboolean
has_border (const KtMapBox   *box,
            const LevelStyle *ls)
{
  if (!ls->bordered)
    return FALSE;
  if (box->kind == KT_MAP_BOX_DIE)
    return box->parent != NULL && box->parent->children->len > 1;
  if (box->kind == KT_MAP_BOX_L3)
    return box->id >= 0;
  return TRUE;
}

/* Fills the boxes of one level, then draws their borders */
static void
paint_level (Painter          *p,
             GPtrArray        *boxes,
             const LevelStyle *ls)
{
  if (boxes->len == 0)
    return;

  g_array_set_size (p->rects, 0);
  for (guint i = 0; i < boxes->len; i++)
    g_array_append_val (p->rects, ((const KtMapBox *) g_ptr_array_index (boxes, i))->rect);
  if (ls->filled)
    {
      set_color (p->cr, ls->fill);
      fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, ls->radius, 0);
    }

  /* None on cells a few pixels wide, where the border would be all there is */
  if (((const KtMapBox *) g_ptr_array_index (boxes, 0))->rect.width * p->scale < MIN_DETAIL_PX)
    return;
  g_array_set_size (p->rects, 0);
  for (guint i = 0; i < boxes->len; i++)
    {
      const KtMapBox *box = g_ptr_array_index (boxes, i);

      if (has_border (box, ls))
        g_array_append_val (p->rects, box->rect);
    }
  if (p->rects->len > 0)
    {
      set_color (p->cr, ls->border);
      fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, ls->radius, 1);
    }
}

/* "32 MiB" rather than "32.0 MiB" */
static char *
format_size (guint64 kib)
{
  char *s = g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);

  for (char *c = s + 1; c[0] != '\0' && c[1] != '\0'; c++)
    if ((c[0] == '.' || c[0] == ',') && g_ascii_isdigit (c[-1]) && c[1] == '0'
        && !g_ascii_isdigit (c[2]))
      {
        memmove (c, c + 2, strlen (c + 2) + 1);
        break;
      }
  return s;
}

static char *
format_page_size (guint64 kib)
{
  if (kib >= 1024 * 1024 && kib % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", kib / (1024 * 1024));
  if (kib >= 1024 && kib % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "M", kib / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "K", kib);
}

/* The huge page pools: "2M 2048  1G 4/4 free"; @brief leaves out "free" */
static char *
format_pages (const KtHostNode *node,
              gboolean          brief)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < node->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, i);
      g_autofree char *size = NULL;
      g_autofree char *total = NULL;
      g_autofree char *pool = NULL;

      if (pg->size_kib <= 4 || (i == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      size = format_page_size (pg->size_kib);
      total = g_strdup_printf ("%" G_GUINT64_FORMAT, pg->total);
      if (pg->free >= 0)
        {
          g_autofree char *free_pages = g_strdup_printf ("%" G_GINT64_FORMAT, pg->free);

          /* Translators: a huge page pool on the map: size, free and total pages, as "1G 4/8 free" */
          pool = brief ? g_strdup_printf ("%s %s/%s", size, free_pages, total)
                       : g_strdup_printf (_("%s %s/%s free"), size, free_pages, total);
        }
      else
        pool = g_strdup_printf ("%s %s", size, total);
      if (s->len > 0)
        g_string_append (s, "  ");
      g_string_append (s, pool);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
paint_node_header (Painter          *p,
                   KtHost           *host,
                   const KtMapBox   *box,
                   const LevelStyle *ls)
{
  const KtHostNode *node = kt_host_lookup_node (host, box->id);
  const KtMapStyle *s = p->style;
  KtMapColor fg = flatten (s->fg, ls->fill);
  KtMapColor dim = flatten (s->dim_fg, ls->fill);
  double h = box->header;
  KtMapRect row1 = { box->rect.x + 2 * TEXT_PAD, box->rect.y + h * 0.06,
                     box->rect.width - 4 * TEXT_PAD, h * 0.4 };
  KtMapRect bar = { row1.x, box->rect.y + h * 0.5, row1.width, h * 0.36 };
  g_autofree char *title = g_strdup_printf (_("Node %d"), box->id);
  g_autofree char *number = g_strdup_printf ("%d", box->id);
  g_autofree char *pages = NULL;
  g_autofree char *brief = NULL;
  KtMapRect area;
  double title_w = 0;

  if (!draw_text_choice (p, FONT_TITLE, (const char * const[]) { title, number, NULL },
                         &row1, 0, fg, &title_w))
    return;   /* too small for any text */
  if (node == NULL)
    return;

  /* Huge page pools, right of the name */
  pages = format_pages (node, FALSE);
  brief = format_pages (node, TRUE);
  area = row1;
  area.x += title_w + 2 * TEXT_PAD;
  area.width -= title_w + 2 * TEXT_PAD;
  draw_text_choice (p, FONT_LABEL, (const char * const[]) { pages, brief, NULL }, &area, 1, dim,
                    NULL);

  /* Memory: a bar, used against free when known */
  if (node->has_memory)
    {
      g_autofree char *total = format_size (node->memory_kib);
      g_autofree char *text = NULL;
      double radius = bar.height / 3;

      set_color (p->cr, mix (ls->fill, fg, 0.08));
      fill_rect (p, &bar, radius, 0);
      if (node->free_kib >= 0 && node->memory_kib > 0)
        {
          g_autofree char *free_mem = format_size ((guint64) node->free_kib);
          double used = 1.0 - CLAMP ((double) node->free_kib / node->memory_kib, 0.0, 1.0);

          if (used > 0)
            {
              cairo_save (p->cr);
              cairo_rectangle (p->cr, bar.x, bar.y, bar.width * used, bar.height);
              cairo_clip (p->cr);
              set_color (p->cr, mix (ls->fill, flatten (s->accent, ls->fill), 0.45));
              fill_rect (p, &bar, radius, 0);
              cairo_restore (p->cr);
            }
          /* Translators: memory of a NUMA node on the map, as "12 GiB free of 62.5 GiB" */
          text = g_strdup_printf (_("%s free of %s"), free_mem, total);
        }
      area = bar;
      area.x += TEXT_PAD;
      area.width -= 2 * TEXT_PAD;
      draw_text_choice (p, FONT_LABEL, (const char * const[]) { text ? text : total, total, NULL },
                        &area, 0.5, fg, NULL);
    }
  else
    draw_text (p, FONT_LABEL, _("no memory"), &bar, 0, dim, NULL, NULL);

  if (box->children->len == 0)
    {
      area = (KtMapRect) { box->rect.x + TEXT_PAD, box->rect.y + h,
                           box->rect.width - 2 * TEXT_PAD, box->rect.height - h };
      draw_text (p, FONT_LABEL, _("memory only"), &area, 0.5, dim, NULL, NULL);
    }
}

/* The label in the header band of a socket, die or L3 box */
static void
paint_group_header (Painter        *p,
                    KtHost         *host,
                    const KtMapBox *box,
                    GlyphBatch     *batch)
{
  KtMapRect area = { box->rect.x + TEXT_PAD + 1, box->rect.y + 1,
                     box->rect.width - 2 * TEXT_PAD - 1, box->header - 1 };
  g_autofree char *full = NULL;
  g_autofree char *brief = NULL;
  g_autofree char *size = NULL;

  switch (box->kind)
    {
    case KT_MAP_BOX_SOCKET:
      full = box->id >= 0 ? g_strdup_printf (_("Socket %d"), box->id) : g_strdup (_("Socket ?"));
      break;
    case KT_MAP_BOX_DIE:
      /* Only worth a name when the socket has more than one */
      if (box->parent == NULL || box->parent->children->len < 2 || box->id < 0)
        return;
      full = g_strdup_printf (_("Die %d"), box->id);
      break;
    case KT_MAP_BOX_L3:
      if (box->id < 0 || (guint) box->id >= kt_host_get_n_l3 (host))
        return;
      size = format_size (kt_host_get_l3 (host, box->id)->size_kib);
      /* Translators: an L3 cache on the map: its number and size, as "L3 #2 32 MiB" */
      full = g_strdup_printf (_("L3 #%d %s"), box->id, size);
      /* Translators: an L3 cache on the map, when there is no room for its number */
      brief = g_strdup_printf (_("L3 %s"), size);
      break;
    default:
      return;
    }
  if (!draw_text (p, FONT_LABEL, full, &area, 0, batch->color, batch, NULL) && brief != NULL)
    draw_text (p, FONT_LABEL, brief, &area, 0, batch->color, batch, NULL);
}

static void
paint_group_headers (Painter          *p,
                     KtHost           *host,
                     GPtrArray        *boxes,
                     const LevelStyle *ls)
{
  const KtMapBox *first;
  GlyphBatch batch;

  if (boxes->len == 0)
    return;
  first = g_ptr_array_index (boxes, 0);
  if (first->header <= 0 || !text_height_fits (p, FONT_LABEL, first->header - 1))
    return;
  batch_init (&batch, FONT_LABEL, flatten (first->kind == KT_MAP_BOX_SOCKET ? p->style->fg
                                                                            : p->style->dim_fg,
                                           ls->fill));
  for (guint i = 0; i < boxes->len; i++)
    paint_group_header (p, host, g_ptr_array_index (boxes, i), &batch);
  batch_flush (p, &batch);
}

/* PU numbers in the top band of the PU boxes (the overlay's chips take the
 * rest) and core names beside the first PU's number where there is room;
 * offline PUs hatched */
static void
paint_pus (Painter          *p,
           KtHost           *host,
           GPtrArray        *pus,
           const LevelStyle *ls)
{
  KtMapColor fg = flatten (p->style->fg, ls->fill);
  KtMapColor dim = flatten (p->style->dim_fg, ls->fill);
  GlyphBatch numbers, offline_numbers, cores;

  if (pus->len == 0)
    return;

  /* Offline PUs: greyed and hatched */
  g_array_set_size (p->rects, 0);
  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *box = g_ptr_array_index (pus, i);
      const KtHostCpu *cpu = kt_host_lookup_cpu (host, box->id);

      if (cpu != NULL && !cpu->online)
        g_array_append_val (p->rects, box->rect);
    }
  if (p->rects->len > 0)
    {
      cairo_pattern_t *hatch = hatch_pattern (p, with_alpha (dim, 0.5), 0);

      set_color (p->cr, mix (ls->fill, fg, 0.1));
      fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, ls->radius, 0);
      cairo_set_source (p->cr, hatch);
      fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, ls->radius, 0);
      cairo_pattern_destroy (hatch);
    }

  if (!text_height_fits (p, FONT_SMALL,
                         ((const KtMapBox *) g_ptr_array_index (pus, 0))->rect.height * 0.4 - 0.5))
    return;

  batch_init (&numbers, FONT_SMALL, fg);
  batch_init (&offline_numbers, FONT_SMALL, dim);
  batch_init (&cores, FONT_TINY, dim);
  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *box = g_ptr_array_index (pus, i);
      const KtHostCpu *cpu = kt_host_lookup_cpu (host, box->id);
      gboolean online = cpu == NULL || cpu->online;
      KtMapRect band = { box->rect.x + TEXT_PAD, box->rect.y + 0.5,
                         box->rect.width - 2 * TEXT_PAD, box->rect.height * 0.4 - 0.5 };
      char number[16];
      double width = 0;

      g_snprintf (number, sizeof number, "%d", box->id);
      if (!draw_text (p, FONT_SMALL, number, &band, 0, online ? fg : dim,
                      online ? &numbers : &offline_numbers, &width))
        continue;

      /* The core's name beside its first PU's number */
      if (box->parent != NULL && box->parent->kind == KT_MAP_BOX_CORE
          && g_ptr_array_index (box->parent->children, 0) == box)
        {
          const KtHostCore *core = kt_host_get_core (host, box->parent->id);
          char name[64];

          if (core == NULL || core->core < 0)
            continue;
          /* Clear of the number, and of the corner where badges go */
          band.x += width + TEXT_PAD;
          band.width -= width + TEXT_PAD + BADGE;
          if (band.width <= 0 || !text_height_fits (p, FONT_TINY, band.height))
            continue;
          g_snprintf (name, sizeof name, _("Core %d"), core->core);
          draw_text (p, FONT_TINY, name, &band, 0, dim, &cores, NULL);
        }
    }
  batch_flush (p, &numbers);
  batch_flush (p, &offline_numbers);
  batch_flush (p, &cores);
}

/**
 * kt_map_paint_topology:
 * @cr: set up by the caller: map units to device units (zoom and pan),
 *   clipped to what needs painting
 *
 * Paints the host's boxes with their labels, memory bars and huge page
 * pools, over whatever is there (the caller paints the background).
 */
void
kt_map_paint_topology (cairo_t           *cr,
                       KtHost            *host,
                       const KtMapLayout *layout,
                       const KtMapStyle  *style)
{
  GPtrArray *by_kind[KT_MAP_BOX_PU + 1];
  LevelStyle levels[KT_MAP_BOX_PU + 1];
  Painter p;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (KT_IS_HOST (host));
  g_return_if_fail (layout != NULL);
  g_return_if_fail (style != NULL);

  painter_init (&p, cr, style);
  level_styles (&p, levels);
  for (guint k = 0; k <= KT_MAP_BOX_PU; k++)
    by_kind[k] = g_ptr_array_new ();
  collect (&p, kt_map_layout_get_root (layout), by_kind);

  cairo_save (cr);
  for (guint k = KT_MAP_BOX_NODE; k <= KT_MAP_BOX_PU; k++)
    {
      paint_level (&p, by_kind[k], &levels[k]);
      switch (k)
        {
        case KT_MAP_BOX_NODE:
          for (guint i = 0; i < by_kind[k]->len; i++)
            paint_node_header (&p, host, g_ptr_array_index (by_kind[k], i), &levels[k]);
          break;
        case KT_MAP_BOX_SOCKET:
        case KT_MAP_BOX_DIE:
        case KT_MAP_BOX_L3:
          paint_group_headers (&p, host, by_kind[k], &levels[k]);
          break;
        case KT_MAP_BOX_PU:
          paint_pus (&p, host, by_kind[k], &levels[k]);
          break;
        default:
          break;
        }
    }
  cairo_restore (cr);

  for (guint k = 0; k <= KT_MAP_BOX_PU; k++)
    g_ptr_array_unref (by_kind[k]);
  painter_finish (&p);
}

/* Overlay ---------------------------------------------------------------- */

/* The rectangles of the PUs of @cpus that are visible, into p->rects */
static void
rects_of_pus (Painter           *p,
              const KtMapLayout *layout,
              const KtCpuset    *cpus)
{
  g_array_set_size (p->rects, 0);
  for (int c = kt_cpuset_first (cpus); c >= 0; c = kt_cpuset_next (cpus, c))
    {
      const KtMapBox *pu = kt_map_layout_get_pu (layout, c);

      if (pu != NULL && visible (p, &pu->rect))
        g_array_append_val (p->rects, pu->rect);
    }
}

static void
fill_scratch (Painter *p,
              double   radius,
              int      ring)
{
  if (p->rects->len > 0)
    fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, radius, ring);
}

/* A VM's colour; muted, half-way to the background, while it does not
 * run (shut off, crashed): its pins are only what it will boot with */
static KtMapColor
vm_color (const Painter *p,
          KtVm          *vm,
          guint          vm_index)
{
  return kt_map_style_vm_color_muted (p->style, vm_index,
                                      vm != NULL && !kt_vm_state_is_active (kt_vm_get_state (vm)));
}

static gboolean
vm_dimmed (const KtMapPaintState *state,
           KtVm                  *vm)
{
  return state != NULL && state->selected_vm != NULL && state->selected_vm != vm;
}

/* Floating threads: each VM's union of sets hatched once in its colour,
 * and tinted when vCPUs float (a floating emulator alone is common and
 * less telling) */
typedef struct
{
  const KtMapSpan *first;
  KtCpuset        *cpus;
  gboolean         vcpus;
} VmSpans;

static void
vm_spans_clear (gpointer data)
{
  VmSpans *v = data;

  kt_cpuset_free (v->cpus);
}

static void
paint_spans (Painter               *p,
             const KtMapLayout     *layout,
             const KtMapOverlay    *overlay,
             const KtMapPaintState *state)
{
  const GPtrArray *spans = kt_map_overlay_get_spans (overlay);
  g_autoptr(GArray) vms = NULL;

  if (spans->len == 0)
    return;
  vms = g_array_new (FALSE, FALSE, sizeof (VmSpans));
  g_array_set_clear_func (vms, vm_spans_clear);
  for (guint i = 0; i < spans->len; i++)
    {
      const KtMapSpan *span = g_ptr_array_index (spans, i);
      VmSpans *v = NULL;

      for (guint j = 0; j < vms->len && v == NULL; j++)
        if (g_array_index (vms, VmSpans, j).first->vm == span->vm)
          v = &g_array_index (vms, VmSpans, j);
      if (v == NULL)
        {
          VmSpans add = { span, kt_cpuset_copy (span->allowed), FALSE };

          g_array_append_val (vms, add);
          v = &g_array_index (vms, VmSpans, vms->len - 1);
        }
      else
        kt_cpuset_union_in (v->cpus, span->allowed);
      if (span->kind == KT_THREAD_VCPU)
        v->vcpus = TRUE;
    }

  for (guint i = 0; i < vms->len; i++)
    {
      const VmSpans *v = &g_array_index (vms, VmSpans, i);
      KtMapColor color = vm_color (p, v->first->vm, v->first->vm_index);
      double alpha = vm_dimmed (state, v->first->vm) ? DIM_ALPHA : 1.0;
      cairo_pattern_t *hatch;

      rects_of_pus (p, layout, v->cpus);
      if (v->vcpus)
        {
          set_color (p->cr, with_alpha (color, 0.08 * alpha));
          fill_scratch (p, 3, 0);
        }
      /* Shifted per VM so that the stripes of four VMs interleave */
      hatch = hatch_pattern (p, with_alpha (color, (v->vcpus ? 0.7 : 0.4) * alpha),
                             (v->first->vm_index * 2) % HATCH_PX);
      cairo_set_source (p->cr, hatch);
      fill_scratch (p, 3, 0);
      cairo_pattern_destroy (hatch);
    }
}

static int
compare_chip_vm (gconstpointer a,
                 gconstpointer b)
{
  const KtMapChip *x = *(const KtMapChip * const *) a;
  const KtMapChip *y = *(const KtMapChip * const *) b;

  if (x->vm_index != y->vm_index)
    return x->vm_index < y->vm_index ? -1 : 1;
  return x->cpu - y->cpu;
}

static void
chip_labels (const KtMapChip *chip,
             char            *full,
             char            *brief,
             gsize            size)
{
  switch (chip->kind)
    {
    case KT_THREAD_VCPU:
      /* Translators: a vCPU on the map, in a chip a few letters wide */
      g_snprintf (full, size, C_("map chip", "v%u"), chip->index);
      g_snprintf (brief, size, "%u", chip->index);
      break;
    case KT_THREAD_EMULATOR:
      /* Translators: the emulator thread on the map, in a chip a few letters wide */
      g_strlcpy (full, C_("map chip", "emu"), size);
      /* Translators: the emulator thread on the map, in a chip one letter wide */
      g_strlcpy (brief, C_("map chip", "e"), size);
      break;
    case KT_THREAD_IOTHREAD:
    default:
      /* Translators: an iothread on the map, in a chip a few letters wide */
      g_snprintf (full, size, C_("map chip", "io%u"), chip->index);
      g_snprintf (brief, size, "%u", chip->index);
      break;
    }
}

static void
paint_chips (Painter               *p,
             const KtMapOverlay    *overlay,
             const KtMapPaintState *state)
{
  const GPtrArray *all = kt_map_overlay_get_chips (overlay);
  g_autoptr(GPtrArray) chips = g_ptr_array_sized_new (all->len);
  GlyphBatch texts[2][2];   /* [dark text][dimmed] */
  gboolean any_pending = FALSE;
  double radius;

  for (guint i = 0; i < all->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (all, i);

      if (visible (p, &chip->rect))
        g_ptr_array_add (chips, (gpointer) chip);
    }
  if (chips->len == 0)
    return;
  g_ptr_array_sort (chips, compare_chip_vm);
  radius = MIN (3.0, ((const KtMapChip *) g_ptr_array_index (chips, 0))->rect.height / 3);

  /* One fill per VM, and another for its pending chips, lighter */
  for (guint start = 0, end; start < chips->len; start = end)
    {
      const KtMapChip *first = g_ptr_array_index (chips, start);
      KtMapColor color = vm_color (p, first->vm, first->vm_index);
      double alpha = vm_dimmed (state, first->vm) ? DIM_ALPHA : 1.0;

      for (guint pending = 0; pending < 2; pending++)
        {
          g_array_set_size (p->rects, 0);
          for (end = start; end < chips->len; end++)
            {
              const KtMapChip *chip = g_ptr_array_index (chips, end);

              if (chip->vm_index != first->vm_index)
                break;
              if (!chip->pending == !pending)
                g_array_append_val (p->rects, chip->rect);
            }
          if (pending)
            {
              set_color (p->cr, with_alpha (mix (color, flatten (p->style->accent, color), 0.35),
                                            0.55 * alpha));
              any_pending |= p->rects->len > 0;
            }
          else
            set_color (p->cr, with_alpha (color, alpha));
          fill_scratch (p, radius, 0);
        }
    }

  /* Pending: a dashed outline in the accent colour */
  if (any_pending)
    {
      double dash[] = { 3 * p->px, 2 * p->px };

      cairo_save (p->cr);
      cairo_new_path (p->cr);
      for (guint i = 0; i < chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, i);
          KtMapRect s;

          if (!chip->pending)
            continue;
          s = snap (p, &chip->rect);
          cairo_rectangle (p->cr, s.x + 0.75 * p->px, s.y + 0.75 * p->px,
                           s.width - 1.5 * p->px, s.height - 1.5 * p->px);
        }
      cairo_set_dash (p->cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_set_line_width (p->cr, 1.5 * p->px);
      set_color (p->cr, p->style->accent);
      cairo_stroke (p->cr);
      cairo_restore (p->cr);
    }

  /* Their labels, in four runs at most */
  if (!text_height_fits (p, FONT_CHIP,
                         ((const KtMapChip *) g_ptr_array_index (chips, 0))->rect.height))
    return;
  for (guint d = 0; d < 2; d++)
    for (guint m = 0; m < 2; m++)
      batch_init (&texts[d][m], FONT_CHIP,
                  with_alpha (d ? rgba (0x000000, 0.85) : rgb (0xffffff), m ? DIM_ALPHA : 1.0));
  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);
      KtMapColor color = vm_color (p, chip->vm, chip->vm_index);
      GlyphBatch *batch = &texts[luminance (text_on (color)) < 0.5][vm_dimmed (state, chip->vm)];
      KtMapRect area = { chip->rect.x + 1, chip->rect.y, chip->rect.width - 2, chip->rect.height };
      char full[32], brief[32];

      chip_labels (chip, full, brief, sizeof full);
      if (!draw_text (p, FONT_CHIP, full, &area, 0.5, batch->color, batch, NULL))
        draw_text (p, FONT_CHIP, brief, &area, 0.5, batch->color, batch, NULL);
    }
  for (guint d = 0; d < 2; d++)
    for (guint m = 0; m < 2; m++)
      batch_flush (p, &texts[d][m]);
}

/* Shared pCPUs: an error outline and badge; other issues: a warning
 * corner */
static void
paint_issues (Painter            *p,
              const KtMapLayout  *layout,
              const KtMapOverlay *overlay)
{
  const GPtrArray *issues = kt_map_overlay_get_issues (overlay);
  g_autoptr(KtCpuset) shared = kt_cpuset_new ();
  g_autoptr(KtCpuset) warned = kt_cpuset_new ();

  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (issue->cpus == NULL)
        continue;
      for (int c = kt_cpuset_first (issue->cpus); c >= 0; c = kt_cpuset_next (issue->cpus, c))
        {
          if (kt_map_overlay_cpu_is_shared (overlay, c))
            kt_cpuset_add (shared, c);
          else if (issue->kind != KT_ISSUE_SHARED_PCPU)
            kt_cpuset_add (warned, c);
        }
    }

  /* A triangle in the top right corner, in steps of whole pixels */
  if (!kt_cpuset_is_empty (warned))
    {
      rects_of_pus (p, layout, warned);
      for (guint i = 0; i < p->rects->len; i++)
        {
          KtMapRect s = snap (p, &g_array_index (p->rects, KtMapRect, i));
          double right = round ((s.x + s.width) * p->matrix.xx + p->matrix.x0);
          double top = round (s.y * p->matrix.yy + p->matrix.y0);
          int size = (int) MIN (MAX (MIN (9.0 * p->scale, 14), 5), s.height * p->scale * 0.4);

          for (int row = 0; row < size; row++)
            rect_px (p, right - (size - row), top + row, size - row, 1);
        }
      set_color (p->cr, p->style->warning);
      fill_boxes (p);
    }

  /* An outline and a round badge in the same corner */
  if (!kt_cpuset_is_empty (shared))
    {
      rects_of_pus (p, layout, shared);
      set_color (p->cr, p->style->error);
      fill_scratch (p, 3, 2);
      for (guint i = 0; i < p->rects->len; i++)
        {
          KtMapRect *s = &g_array_index (p->rects, KtMapRect, i);
          double r = MIN (MAX (MIN (3.5, 5 * p->px), 2.5 * p->px), s->height * 0.18);

          *s = (KtMapRect) { s->x + s->width - 2 * r - 3 * p->px, s->y + 3 * p->px, 2 * r, 2 * r };
        }
      fill_scratch (p, 3.5, 0);
    }
}

/* Observed placement ------------------------------------------------------ */

static int
compare_observed_vm (gconstpointer a,
                     gconstpointer b)
{
  const KtMapObserved *x = *(const KtMapObserved * const *) a;
  const KtMapObserved *y = *(const KtMapObserved * const *) b;

  return x->vm_index < y->vm_index ? -1 : x->vm_index > y->vm_index;
}

/* Where running vCPUs ran last: a dot in the VM's colour, ringed in the
 * foreground colour, in the PU's header band (kt_map_overlay_set_observed) */
static void
paint_observed (Painter               *p,
                const KtMapOverlay    *overlay,
                const KtMapPaintState *state)
{
  const GPtrArray *all = kt_map_overlay_get_observed (overlay);
  g_autoptr(GPtrArray) dots = g_ptr_array_new ();
  double radius;   /* half a dot or more: fill_rects () makes it a disc */

  for (guint i = 0; i < all->len; i++)
    {
      const KtMapObserved *o = g_ptr_array_index (all, i);

      if (visible (p, &o->rect))
        g_ptr_array_add (dots, (gpointer) o);
    }
  /* Too small to tell apart from a speck */
  if (dots->len == 0
      || ((const KtMapObserved *) g_ptr_array_index (dots, 0))->rect.width * p->scale < 3)
    return;
  radius = ((const KtMapObserved *) g_ptr_array_index (dots, 0))->rect.width;
  g_ptr_array_sort (dots, compare_observed_vm);

  /* The rings, one fill for the bright ones and one for the dimmed */
  for (guint dim = 0; dim < 2; dim++)
    {
      g_array_set_size (p->rects, 0);
      for (guint i = 0; i < dots->len; i++)
        {
          const KtMapObserved *o = g_ptr_array_index (dots, i);
          KtMapRect r = grow (&o->rect, p->px);

          if (!vm_dimmed (state, o->vm) == !dim)
            g_array_append_val (p->rects, r);
        }
      set_color (p->cr, with_alpha (p->style->fg, dim ? DIM_ALPHA : 0.9));
      fill_scratch (p, radius, 0);
    }

  /* Each VM's dots in its colour */
  for (guint start = 0, end; start < dots->len; start = end)
    {
      const KtMapObserved *first = g_ptr_array_index (dots, start);
      KtMapColor color = vm_color (p, first->vm, first->vm_index);

      g_array_set_size (p->rects, 0);
      for (end = start; end < dots->len; end++)
        {
          const KtMapObserved *o = g_ptr_array_index (dots, end);

          if (o->vm_index != first->vm_index)
            break;
          g_array_append_val (p->rects, o->rect);
        }
      set_color (p->cr, with_alpha (color, vm_dimmed (state, first->vm) ? DIM_ALPHA : 1.0));
      fill_scratch (p, radius, 0);
    }
}

/**
 * kt_map_paint_overlay:
 * @state: (nullable): selection, hover and drag feedback
 *
 * Paints the VMs over kt_map_paint_topology()'s boxes, with the same
 * transformation.
 */
void
kt_map_paint_overlay (cairo_t               *cr,
                      const KtMapLayout     *layout,
                      const KtMapOverlay    *overlay,
                      const KtMapStyle      *style,
                      const KtMapPaintState *state)
{
  Painter p;
  KtMapColor drop;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (layout != NULL);
  g_return_if_fail (overlay != NULL);
  g_return_if_fail (style != NULL);

  painter_init (&p, cr, style);
  cairo_save (cr);

  drop = state != NULL && state->drop_allowed ? style->accent : style->error;
  if (state != NULL && state->drop_target != NULL)
    {
      set_color (cr, with_alpha (drop, 0.3));
      fill_rect (&p, &state->drop_target->rect, 4, 0);
    }
  if (state != NULL && state->drop_cpus != NULL)
    {
      /* Every pCPU a multi-vCPU drop spreads over */
      rects_of_pus (&p, layout, state->drop_cpus);
      set_color (cr, with_alpha (drop, 0.3));
      fill_scratch (&p, 4, 0);
    }

  paint_spans (&p, layout, overlay, state);
  paint_chips (&p, overlay, state);
  paint_issues (&p, layout, overlay);
  paint_observed (&p, overlay, state);

  /* The selected VM's pCPUs */
  if (state != NULL && state->selected_vm != NULL)
    {
      const GPtrArray *chips = kt_map_overlay_get_chips (overlay);
      const GPtrArray *spans = kt_map_overlay_get_spans (overlay);
      g_autoptr(KtCpuset) cpus = kt_cpuset_new ();

      for (guint i = 0; i < chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, i);

          if (chip->vm == state->selected_vm)
            kt_cpuset_add (cpus, chip->cpu);
        }
      for (guint i = 0; i < spans->len; i++)
        {
          const KtMapSpan *span = g_ptr_array_index (spans, i);

          if (span->vm == state->selected_vm)
            kt_cpuset_union_in (cpus, span->allowed);
        }
      rects_of_pus (&p, layout, cpus);
      set_color (cr, style->accent);
      fill_scratch (&p, 3, 2);
    }

  /* Selected chips: a ring just outside them */
  if (state != NULL && state->selected_chips != NULL && state->selected_chips->len > 0)
    {
      g_array_set_size (p.rects, 0);
      for (guint i = 0; i < state->selected_chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (state->selected_chips, i);
          KtMapRect r = grow (&chip->rect, 2 * p.px);

          g_array_append_val (p.rects, r);
        }
      set_color (cr, style->accent);
      fill_scratch (&p, 3 + 2 * p.px, 2);
    }

  if (state != NULL && state->hover != NULL)
    {
      set_color (cr, with_alpha (style->accent, 0.7));
      fill_rect (&p, &state->hover->rect, 4, 2);
    }
  if (state != NULL && state->drop_target != NULL)
    {
      set_color (cr, drop);
      fill_rect (&p, &state->drop_target->rect, 4, 2);
    }
  if (state != NULL && state->drop_cpus != NULL)
    {
      rects_of_pus (&p, layout, state->drop_cpus);
      set_color (cr, drop);
      fill_scratch (&p, 4, 2);
    }

  cairo_restore (cr);
  painter_finish (&p);
}
