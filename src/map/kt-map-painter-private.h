/* kt-map-painter-private.h: what the painter's files share
 *
 *   kt-map-painter.c          the topology: boxes level by level, headers, PUs
 *   kt-map-painter-overlay.c  the VMs over it: spans, chips, issues, observed
 *   kt-map-painter-fill.c     the painter's state; pixel-aligned fills
 *   kt-map-painter-text.c     fonts, glyph runs, labels
 *   kt-map-style.c         colours
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pango/pangocairo.h>
#include <pixman.h>

#include "kt-map-painter.h"

G_BEGIN_DECLS

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

static inline KtMapColor
rgb (guint32 hex)
{
  return (KtMapColor) { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                        (hex & 0xff) / 255.0, 1.0 };
}

static inline KtMapColor
rgba (guint32 hex,
      double  alpha)
{
  KtMapColor c = rgb (hex);

  c.alpha = alpha;
  return c;
}

/* @a with @t of @b mixed in; the alpha is mixed too */
static inline KtMapColor
mix (KtMapColor a,
     KtMapColor b,
     double     t)
{
  return (KtMapColor) { a.red + (b.red - a.red) * t, a.green + (b.green - a.green) * t,
                        a.blue + (b.blue - a.blue) * t, a.alpha + (b.alpha - a.alpha) * t };
}

/* @c composited over the opaque @bg */
static inline KtMapColor
flatten (KtMapColor c,
         KtMapColor bg)
{
  KtMapColor out = mix (bg, c, c.alpha);

  out.alpha = 1.0;
  return out;
}

static inline KtMapColor
with_alpha (KtMapColor c,
            double     alpha)
{
  c.alpha *= alpha;
  return c;
}

static inline double
luminance (KtMapColor c)
{
  return 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue;
}

static inline void
set_color (cairo_t    *cr,
           KtMapColor  c)
{
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, c.alpha);
}

/* Text on @c: black or white, whichever reads better */
static inline KtMapColor
text_on (KtMapColor c)
{
  return luminance (c) > 0.55 ? rgba (0x000000, 0.85) : rgb (0xffffff);
}


/* kt-map-painter-fill.c */
void             kt_map_painter_init           (Painter           *p,
                                                cairo_t           *cr,
                                                const KtMapStyle  *style);
void             kt_map_painter_finish         (Painter           *p);
gboolean         kt_map_painter_visible        (const Painter     *p,
                                                const KtMapRect   *r);
KtMapRect        kt_map_painter_snap           (const Painter     *p,
                                                const KtMapRect   *r);
void             kt_map_painter_rect_px        (const Painter     *p,
                                                double             x,
                                                double             y,
                                                double             w,
                                                double             h);
void             kt_map_painter_fill_boxes     (Painter           *p);
void             kt_map_painter_fill_rects     (Painter           *p,
                                                const KtMapRect   *rects,
                                                guint              n,
                                                double             radius,
                                                int                ring);
void             kt_map_painter_fill_rect      (Painter           *p,
                                                const KtMapRect   *rect,
                                                double             radius,
                                                int                ring);
KtMapRect        kt_map_painter_grow           (const KtMapRect   *r,
                                                double             d);
cairo_pattern_t *kt_map_painter_hatch_pattern  (const Painter     *p,
                                                KtMapColor         color,
                                                int                phase);

/* kt-map-painter-text.c */
void      kt_map_painter_text_begin       (Painter            *p);
void      kt_map_painter_text_end         (Painter            *p);
gboolean  kt_map_painter_text_fits        (Painter            *p,
                                           FontKind            font,
                                           double              h);
gboolean  kt_map_painter_draw_text        (Painter            *p,
                                           FontKind            font,
                                           const char         *text,
                                           const KtMapRect    *area,
                                           double              halign,
                                           KtMapColor          color,
                                           GlyphBatch         *batch,
                                           double             *width_out);
gboolean  kt_map_painter_draw_text_choice (Painter            *p,
                                           FontKind            font,
                                           const char * const *texts,
                                           const KtMapRect    *area,
                                           double              halign,
                                           KtMapColor          color,
                                           double             *width_out);
void      kt_map_painter_batch_init       (GlyphBatch         *b,
                                           FontKind            font,
                                           KtMapColor          color);
void      kt_map_painter_batch_flush      (Painter            *p,
                                           GlyphBatch         *b);

G_END_DECLS
