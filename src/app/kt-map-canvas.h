/* kt-map-canvas.h: the host map widget
 *
 * Paints with KtMapPainter (the topology cached, the overlay repainted on
 * hover and drag), hit-tests with KtMapLayout / KtMapOverlay, zooms and
 * pans, and turns drags of vCPU chips into kt_plan_pin() calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kt-plan.h"

G_BEGIN_DECLS

#define KT_TYPE_MAP_CANVAS (kt_map_canvas_get_type ())

G_DECLARE_FINAL_TYPE (KtMapCanvas, kt_map_canvas, KT, MAP_CANVAS, GtkWidget)

GtkWidget  *kt_map_canvas_new              (void);
/* The plan carries the snapshot; set NULL to clear the map */
void        kt_map_canvas_set_plan         (KtMapCanvas *self,
                                            KtPlan      *plan);
KtPlan     *kt_map_canvas_get_plan         (KtMapCanvas *self);
/* Highlights @vm's placement and dims the others; NULL for none */
void        kt_map_canvas_set_selected_vm  (KtMapCanvas *self,
                                            KtVm        *vm);
KtVm       *kt_map_canvas_get_selected_vm  (KtMapCanvas *self);
double      kt_map_canvas_get_zoom         (KtMapCanvas *self);
void        kt_map_canvas_set_zoom         (KtMapCanvas *self,
                                            double       zoom);
void        kt_map_canvas_zoom_to_fit      (KtMapCanvas *self);
/* Re-reads the plan's snapshot after it changed outside the canvas */
void        kt_map_canvas_refresh          (KtMapCanvas *self);

/* Signals:
 *   "vm-activated" (KtVm *vm): a chip was clicked; the window selects the VM
 *   "pin-failed"   (const char *message): a drop was refused; the window
 *                  shows a toast
 * Properties: "plan", "selected-vm", "zoom" (all G_PARAM_EXPLICIT_NOTIFY) */

G_END_DECLS
