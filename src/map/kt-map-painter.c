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

#include "kt-format.h"
#include "kt-map-describe.h"
#include "kt-map-painter-private.h"

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
  if (!kt_map_painter_visible (p, &box->rect))
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
      kt_map_painter_fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len,
                                 ls->radius, 0);
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
      kt_map_painter_fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len,
                                 ls->radius, 1);
    }
}

static void
paint_node_header (Painter          *p,
                   KtHost           *host,
                   const KtMapPools *pools,
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
  gboolean pending = FALSE;

  if (!kt_map_painter_draw_text_choice (p, FONT_TITLE, (const char * const[]) { title, number, NULL },
                                        &row1, 0, fg, &title_w))
    return;   /* too small for any text */
  if (node == NULL)
    return;

  /* Huge page pools, right of the name */
  /* Huge page pools, right of the name: a pending count in the accent
   * colour */
  pages = kt_map_format_pools (node, pools, FALSE, &pending);
  brief = kt_map_format_pools (node, pools, TRUE, NULL);
  area = row1;
  area.x += title_w + 2 * TEXT_PAD;
  area.width -= title_w + 2 * TEXT_PAD;
  kt_map_painter_draw_text_choice (p, FONT_LABEL, (const char * const[]) { pages, brief, NULL },
                                   &area, 1, pending ? flatten (s->accent, ls->fill) : dim,
                                   NULL);

  /* Memory: a bar, used against free when known */
  if (node->has_memory)
    {
      g_autofree char *total = kt_format_kib_short (node->memory_kib);
      g_autofree char *text = NULL;
      double radius = bar.height / 3;

      set_color (p->cr, mix (ls->fill, fg, 0.08));
      kt_map_painter_fill_rect (p, &bar, radius, 0);
      if (node->free_kib >= 0 && node->memory_kib > 0)
        {
          g_autofree char *free_mem = kt_format_kib_short ((guint64) node->free_kib);
          double used = 1.0 - CLAMP ((double) node->free_kib / node->memory_kib, 0.0, 1.0);

          if (used > 0)
            {
              cairo_save (p->cr);
              cairo_rectangle (p->cr, bar.x, bar.y, bar.width * used, bar.height);
              cairo_clip (p->cr);
              set_color (p->cr, mix (ls->fill, flatten (s->accent, ls->fill), 0.45));
              kt_map_painter_fill_rect (p, &bar, radius, 0);
              cairo_restore (p->cr);
            }
          /* Translators: memory of a NUMA node on the map, as "12 GiB free of 62.5 GiB" */
          text = g_strdup_printf (_("%s free of %s"), free_mem, total);
        }
      area = bar;
      area.x += TEXT_PAD;
      area.width -= 2 * TEXT_PAD;
      kt_map_painter_draw_text_choice (p, FONT_LABEL,
                                       (const char * const[]) { text ? text : total, total, NULL },
                                       &area, 0.5, fg, NULL);
    }
  else
    kt_map_painter_draw_text (p, FONT_LABEL, _("no memory"), &bar, 0, dim, NULL, NULL);

  if (box->children->len == 0)
    {
      area = (KtMapRect) { box->rect.x + TEXT_PAD, box->rect.y + h,
                           box->rect.width - 2 * TEXT_PAD, box->rect.height - h };
      kt_map_painter_draw_text (p, FONT_LABEL, _("memory only"), &area, 0.5, dim, NULL, NULL);
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
      size = kt_format_kib_short (kt_host_get_l3 (host, box->id)->size_kib);
      /* Translators: an L3 cache on the map: its number and size, as "L3 #2 32 MiB" */
      full = g_strdup_printf (_("L3 #%d %s"), box->id, size);
      /* Translators: an L3 cache on the map, when there is no room for its number */
      brief = g_strdup_printf (_("L3 %s"), size);
      break;
    default:
      return;
    }
  if (!kt_map_painter_draw_text (p, FONT_LABEL, full, &area, 0, batch->color, batch, NULL)
      && brief != NULL)
    kt_map_painter_draw_text (p, FONT_LABEL, brief, &area, 0, batch->color, batch, NULL);
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
  if (first->header <= 0 || !kt_map_painter_text_fits (p, FONT_LABEL, first->header - 1))
    return;
  kt_map_painter_batch_init (&batch, FONT_LABEL,
                             flatten (first->kind == KT_MAP_BOX_SOCKET ? p->style->fg
                                                                        : p->style->dim_fg,
                                      ls->fill));
  for (guint i = 0; i < boxes->len; i++)
    paint_group_header (p, host, g_ptr_array_index (boxes, i), &batch);
  kt_map_painter_batch_flush (p, &batch);
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
      cairo_pattern_t *hatch = kt_map_painter_hatch_pattern (p, with_alpha (dim, 0.5), 0);

      set_color (p->cr, mix (ls->fill, fg, 0.1));
      kt_map_painter_fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len,
                                 ls->radius, 0);
      cairo_set_source (p->cr, hatch);
      kt_map_painter_fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len,
                                 ls->radius, 0);
      cairo_pattern_destroy (hatch);
    }

  if (!kt_map_painter_text_fits (p, FONT_SMALL,
                                 ((const KtMapBox *) g_ptr_array_index (pus, 0))->rect.height * 0.4 - 0.5))
    return;

  kt_map_painter_batch_init (&numbers, FONT_SMALL, fg);
  kt_map_painter_batch_init (&offline_numbers, FONT_SMALL, dim);
  kt_map_painter_batch_init (&cores, FONT_TINY, dim);
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
      if (!kt_map_painter_draw_text (p, FONT_SMALL, number, &band, 0, online ? fg : dim,
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
          if (band.width <= 0 || !kt_map_painter_text_fits (p, FONT_TINY, band.height))
            continue;
          g_snprintf (name, sizeof name, _("Core %d"), core->core);
          kt_map_painter_draw_text (p, FONT_TINY, name, &band, 0, dim, &cores, NULL);
        }
    }
  kt_map_painter_batch_flush (p, &numbers);
  kt_map_painter_batch_flush (p, &offline_numbers);
  kt_map_painter_batch_flush (p, &cores);
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
                       const KtMapPools  *pools,
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

  kt_map_painter_init (&p, cr, style);
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
            paint_node_header (&p, host, pools, g_ptr_array_index (by_kind[k], i),
                               &levels[k]);
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
  kt_map_painter_finish (&p);
}

