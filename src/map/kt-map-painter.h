/* kt-map-painter.h: paints the host map with cairo
 *
 * Shared by the window's canvas and `kvmtune-cli render`.  Needs cairo
 * and Pango, not GTK: the canvas passes in colours taken from the style
 * (kt-map-style.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>

#include "kt-map-overlay.h"
#include "kt-map-style.h"

G_BEGIN_DECLS

/* What the user is doing: selection, hover and drag feedback */
typedef struct
{
  KtVm            *selected_vm;     /* dims the others; nullable */
  GPtrArray       *selected_chips;  /* const KtMapChip *; nullable */
  const KtMapBox  *hover;           /* nullable */
  const KtMapBox  *drop_target;     /* nullable */
  gboolean         drop_allowed;
  const KtCpuset  *drop_cpus;       /* the pCPUs a drop spreads over; nullable */
  /* What an advisor finding concerns, marked in the warning colour; each
   * nullable: pCPUs tinted and ringed, @highlight_vm's chips of
   * @highlight_vcpus (NULL: all of them) ringed, nodes outlined */
  const KtCpuset  *highlight_pcpus;
  KtVm            *highlight_vm;
  const KtCpuset  *highlight_vcpus;
  const KtCpuset  *highlight_nodes;
} KtMapPaintState;

/* The topology alone: boxes, labels, memory bars, huge page pools
 * (@pools: nullable, see kt_map_format_pools ()).  Static until the host
 * or a pool changes: the canvas caches it. */
void       kt_map_paint_topology     (cairo_t              *cr,
                                      KtHost               *host,
                                      const KtMapPools     *pools,
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
