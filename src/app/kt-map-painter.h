/* kt-map-painter.h: paints the host map with cairo
 *
 * Shared by the window's canvas and `kvmtune-cli render`.  Needs cairo
 * and Pango, not GTK: the canvas passes in colours taken from the style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>

#include "kt-map-overlay.h"

G_BEGIN_DECLS

typedef struct
{
  double red, green, blue, alpha;
} KtMapColor;

typedef struct
{
  gboolean   dark;
  KtMapColor window_bg;
  KtMapColor view_bg;       /* node boxes */
  KtMapColor card_bg;       /* socket/die/L3 boxes */
  KtMapColor fg;
  KtMapColor dim_fg;
  KtMapColor accent;
  KtMapColor warning;
  KtMapColor error;
  KtMapColor success;
  char      *font_family;   /* owned; "Sans" when NULL */
} KtMapStyle;

/* What the user is doing: selection, hover and drag feedback */
typedef struct
{
  KtVm            *selected_vm;     /* dims the others; nullable */
  GPtrArray       *selected_chips;  /* const KtMapChip *; nullable */
  const KtMapBox  *hover;           /* nullable */
  const KtMapBox  *drop_target;     /* nullable */
  gboolean         drop_allowed;
  const KtCpuset  *drop_cpus;       /* the pCPUs a drop spreads over; nullable */
} KtMapPaintState;

void       kt_map_style_init_default (KtMapStyle           *style,
                                      gboolean              dark);
void       kt_map_style_clear        (KtMapStyle           *style);
KtMapColor kt_map_style_vm_color     (const KtMapStyle     *style,
                                      guint                 vm_index);
KtMapColor kt_map_style_vm_color_muted (const KtMapStyle   *style,
                                      guint                 vm_index,
                                      gboolean              muted);

/* The topology alone: boxes, labels, memory bars, huge page pools.
 * Static until the host changes: the canvas caches it. */
void       kt_map_paint_topology     (cairo_t              *cr,
                                      KtHost               *host,
                                      const KtMapLayout    *layout,
                                      const KtMapStyle     *style);
/* The VMs over it: chips, floating spans, conflict marks, pending pins,
 * selection and drag feedback */
void       kt_map_paint_overlay      (cairo_t              *cr,
                                      const KtMapLayout    *layout,
                                      const KtMapOverlay   *overlay,
                                      const KtMapStyle     *style,
                                      const KtMapPaintState *state);

G_END_DECLS
