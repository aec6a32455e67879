/* kt-map-painter-text.c: the map's labels
 *
 * Labels of Latin text (PU numbers, chips, headers) are laid out here,
 * with a per-paint table of glyphs and advances, and drawn as glyph runs
 * of the Pango font's cairo scaled font, batched by colour; any other text
 * goes through one PangoLayout per paint.  Fonts are cached from paint to
 * paint: loading one and reading its glyphs costs more than painting a
 * whole map.  Text never shrinks below MIN_TEXT_PX on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-map-painter-private.h"

/* Sizes of the kinds of text */
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


/* The font cache lives as long as some painter does: kt_map_painter_text_begin ()
 * when a paint starts, kt_map_painter_text_end () when it ends */
void
kt_map_painter_text_begin (Painter *p)
{
  G_LOCK (font_cache);
  if (font_cache == NULL)
    font_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, font_free);
  else if (n_painters == 0 && g_hash_table_size (font_cache) > FONT_CACHE_MAX)
    g_hash_table_remove_all (font_cache);   /* zoomed through many sizes */
  n_painters++;
  G_UNLOCK (font_cache);
}

void
kt_map_painter_text_end (Painter *p)
{
  g_clear_object (&p->layout);
  G_LOCK (font_cache);
  n_painters--;
  G_UNLOCK (font_cache);
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
gboolean
kt_map_painter_text_fits (Painter  *p,
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
gboolean
kt_map_painter_draw_text (Painter         *p,
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

  if (area->width <= 0 || !kt_map_painter_text_fits (p, font, area->height))
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
gboolean
kt_map_painter_draw_text_choice (Painter            *p,
                                 FontKind            font,
                                 const char * const *texts,
                                 const KtMapRect    *area,
                                 double              halign,
                                 KtMapColor          color,
                                 double             *width_out)
{
  for (guint i = 0; texts[i] != NULL; i++)
    if (texts[i][0] != '\0'
        && kt_map_painter_draw_text (p, font, texts[i], area, halign, color, NULL, width_out))
      return TRUE;
  return FALSE;
}

void
kt_map_painter_batch_init (GlyphBatch *b,
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
void
kt_map_painter_batch_flush (Painter    *p,
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


