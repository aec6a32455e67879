/* kt-map-canvas.h: the host map widget
 *
 * Paints with KtMapPainter (the topology cached, the overlay repainted on
 * hover and drag), hit-tests with KtMapLayout / KtMapOverlay, zooms and
 * pans, and hands drops of vCPU chips to the session (kt_session_pin ())
 * as src/map's KtMapDrop says they mean (kt-map-drop.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kt-session.h"

G_BEGIN_DECLS

#define KT_TYPE_MAP_CANVAS (kt_map_canvas_get_type ())

G_DECLARE_FINAL_TYPE (KtMapCanvas, kt_map_canvas, KT, MAP_CANVAS, GtkWidget)

GtkWidget  *kt_map_canvas_new              (void);
/* Shows the session's plan (it carries the snapshot) and gives it every
 * drop; NULL clears the map */
void        kt_map_canvas_set_session      (KtMapCanvas *self,
                                            KtSession   *session);
KtSession  *kt_map_canvas_get_session      (KtMapCanvas *self);
/* Highlights @vm's placement and dims the others; NULL for none */
void        kt_map_canvas_set_selected_vm  (KtMapCanvas *self,
                                            KtVm        *vm);
KtVm       *kt_map_canvas_get_selected_vm  (KtMapCanvas *self);
double      kt_map_canvas_get_zoom         (KtMapCanvas *self);
void        kt_map_canvas_set_zoom         (KtMapCanvas *self,
                                            double       zoom);
void        kt_map_canvas_zoom_to_fit      (KtMapCanvas *self);
/* Re-reads the session's snapshot after it changed outside the canvas */
void        kt_map_canvas_refresh          (KtMapCanvas *self);
/* Where running vCPUs ran last (name → KtObservedVcpu array); NULL clears */
void        kt_map_canvas_set_observed     (KtMapCanvas *self,
                                            GHashTable  *observed);

/* Marks what an advisor finding concerns (kt-map-canvas-highlight.c):
 * @pcpus, @vm's chips of @vcpus (NULL: all), @nodes; each nullable, all
 * NULL clears */
void        kt_map_canvas_set_highlight    (KtMapCanvas    *self,
                                            const KtCpuset *pcpus,
                                            KtVm           *vm,
                                            const KtCpuset *vcpus,
                                            const KtCpuset *nodes);

/* Signals:
 *   "vm-activated" (KtVm *vm): a chip was clicked (or picked with Enter);
 *                  the canvas also sets "selected-vm" to it (clicking empty
 *                  space clears both)
 *   "pin-failed"   (const char *message): a drop was refused; the window
 *                  shows a toast
 * Properties: "session", "selected-vm", "zoom", all G_PARAM_EXPLICIT_NOTIFY.
 *
 * The canvas scrolls itself (wheel, Shift+wheel, middle-button drag; Ctrl+
 * wheel and pinch zoom).  It is also a GtkScrollable: inside a
 * GtkScrolledWindow (directly, no GtkViewport) it gets scrollbars.  Its
 * keys are map.* actions (kt-map-canvas-keyboard.c).  Test hook: with
 * KVMTUNE_TEST_GEOMETRY=FILE in the environment it writes the
 * window-relative centre of every vCPU chip ("chip VM VCPU X Y"), PU
 * ("pu CPU X Y") and node header ("node N X Y") there after each frame
 * that moved them (kt-map-canvas-test.c). */

G_END_DECLS
