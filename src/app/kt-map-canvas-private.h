/* kt-map-canvas-private.h: the host map widget's state, shared by its files
 *
 *   kt-map-canvas.c           the object: properties, signals, the plan, rebuilds
 *   kt-map-canvas-view.c      coordinates, zoom, scrolling, size
 *   kt-map-canvas-selection.c the selected and focused chips, by key
 *   kt-map-canvas-input.c     pointer, drag, moves, tooltips
 *   kt-map-canvas-keyboard.c  the map.* actions and their key bindings
 *   kt-map-canvas-draw.c      style, cached topology tiles, the snapshot
 *   kt-map-canvas-test.c      the KVMTUNE_TEST_GEOMETRY writer
 *   kt-map-canvas-highlight.c what an advisor finding concerns
 *
 * What a drop means, where the keyboard goes and what the map says are
 * in src/map (kt-map-drop.h, kt-map-nav.h, kt-map-describe.h).
 *
 * Coordinates: "map units" are the layout's (1 unit = 1 px at 100 %);
 * "content" is the zoomed map, as scrolled by the adjustments; "widget"
 * is the allocation.  widget = origin + map × zoom.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-map-canvas.h"
#include "kt-map-drop.h"
#include "kt-map-layout.h"
#include "kt-map-overlay.h"
#include "kt-map-painter.h"

G_BEGIN_DECLS

#define ZOOM_MIN        0.05
#define ZOOM_MAX        8.0
#define MARGIN          16.0     /* px around the map */
#define TILE_SIZE       1024.0   /* px of zoomed map per cached node */
#define TILE_ORIGIN     (-8.0)   /* tiles start a little above/left of the map: outer strokes */
#define DRAG_THRESHOLD  4.0      /* px before a press becomes a drag */
#define EDGE_SCROLL     24.0     /* px from the edge where a drag scrolls */

typedef struct _KtMapHighlight KtMapHighlight;

/* A chip's identity, which outlives the overlay's KtMapChip structs */
typedef struct
{
  KtVm         *vm;     /* owned */
  KtThreadKind  kind;
  guint         index;
} ChipKey;

typedef enum
{
  DRAG_NONE,
  DRAG_PENDING,   /* pressed, not moved far enough yet */
  DRAG_IGNORED,   /* pressed on something that does not drag */
  DRAG_PIN,       /* moving vCPU chips */
  DRAG_BAND,      /* rubber band selection */
} DragMode;

struct _KtMapCanvas
{
  GtkWidget       parent_instance;

  KtSession      *session;         /* every drop goes to it */
  KtPlan         *plan;            /* the session's, for what is shown */
  KtSnapshot     *snapshot;
  KtHost         *host;
  KtMapLayout    *layout;
  KtMapOverlay   *overlay;         /* points into layout: freed first */
  GHashTable     *observed;        /* VM name → KtObservedVcpu array; nullable */
  /* The node headers' pools: the session's host tuning and its pending
   * "hugepages.N.SIZE" targets; the signature tells when they changed */
  GArray         *current_pools;   /* KtHugePool; nullable */
  GHashTable     *pending_pools;
  char           *pools_signature;
  KtVm           *selected_vm;

  /* Selection */
  GArray         *selection;       /* ChipKey */
  GPtrArray      *selected_chips;  /* const KtMapChip *, of the overlay */

  /* Look */
  KtMapStyle      style;
  gboolean        style_valid;
  guint           style_serial;

  /* The topology, cached */
  GHashTable     *tiles;           /* (col << 16 | row) → GskRenderNode */
  double          tiles_zoom;
  int             tiles_scale;
  guint           tiles_style;

  /* Zoom and scrolling */
  double          zoom;
  GtkAdjustment  *hadj;
  GtkAdjustment  *vadj;
  GtkScrollablePolicy hscroll_policy;
  GtkScrollablePolicy vscroll_policy;
  gboolean        fit_pending;
  gboolean        fit_mode;        /* refit on resize until zoomed by hand */
  int             fitted_w;        /* the size the layout was arranged for; -1: none */
  int             fitted_h;
  gboolean        anchor_pending;
  double          anchor_mx, anchor_my;   /* this map point ... */
  double          anchor_wx, anchor_wy;   /* ... stays under this widget point */
  double          pinch_zoom;
  double          pan_h, pan_v;

  /* Pointer */
  double          pointer_x, pointer_y;
  gboolean        pointer_inside;
  const KtMapBox *hover;
  DragMode        drag_mode;
  double          drag_x, drag_y;
  double          drag_dx, drag_dy;
  GdkModifierType drag_state;
  gboolean        press_on_chip;
  ChipKey         press_key;

  /* Moving chips, with the mouse or the keyboard */
  GArray         *moving;          /* ChipKey: vCPUs of one VM */
  const KtMapBox *drop_target;
  KtMapDrop      *drop;            /* what a drop on drop_target does; nullable */

  /* Keyboard */
  int             focus_chip;      /* into the overlay's chips; -1: none */
  ChipKey         focus_key;
  gboolean        kbd_moving;
  gboolean        kbd_nav;         /* the focus moved by keyboard: show the ring */
  const KtMapBox *kbd_pu;          /* the PU the target grew from */

  KtMapHighlight *highlight;       /* kt-map-canvas-highlight.c; nullable */

  /* Tests: KVMTUNE_TEST_GEOMETRY; benchmarks: KVMTUNE_BENCH_QUIT_AFTER_MAP */
  char           *geometry_path;
  char           *geometry_last;
  gboolean        quit_after_map;
  gboolean        quit_scheduled;
};

/* kt-map-canvas.c */
void             kt_map_canvas_notify_zoom         (KtMapCanvas     *self);
void             kt_map_canvas_set_selected_vm_internal (KtMapCanvas *self,
                                                    KtVm            *vm);
void             kt_map_canvas_emit_vm_activated   (KtMapCanvas     *self,
                                                    KtVm            *vm);
void             kt_map_canvas_emit_pin_failed     (KtMapCanvas     *self,
                                                    const char      *message);
void             kt_map_canvas_replace_overlay     (KtMapCanvas     *self);
void             kt_map_canvas_replace_str         (char           **slot,
                                                    const char      *value);

/* kt-map-canvas-input.c: the "node-activated" signal */
void             kt_map_canvas_class_init_input    (GtkWidgetClass  *widget_class);

/* kt-map-canvas-view.c */
void             kt_map_canvas_view_init           (KtMapCanvas     *self);
void             kt_map_canvas_view_dispose        (KtMapCanvas     *self);
void             kt_map_canvas_map_size            (KtMapCanvas     *self,
                                                    double          *w,
                                                    double          *h);
void             kt_map_canvas_get_origin          (KtMapCanvas     *self,
                                                    double          *ox,
                                                    double          *oy);
void             kt_map_canvas_widget_to_map       (KtMapCanvas     *self,
                                                    double           wx,
                                                    double           wy,
                                                    double          *mx,
                                                    double          *my);
graphene_rect_t  kt_map_canvas_map_rect_to_widget  (KtMapCanvas     *self,
                                                    const KtMapRect *r);
void             kt_map_canvas_scroll_to_rect      (KtMapCanvas     *self,
                                                    const KtMapRect *r);
void             kt_map_canvas_edge_scroll         (KtMapCanvas     *self,
                                                    double           x,
                                                    double           y);
void             kt_map_canvas_set_adjustment      (KtMapCanvas     *self,
                                                    GtkOrientation   orientation,
                                                    GtkAdjustment   *adj);
void             kt_map_canvas_measure             (GtkWidget       *widget,
                                                    GtkOrientation   orientation,
                                                    int              for_size,
                                                    int             *minimum,
                                                    int             *natural,
                                                    int             *minimum_baseline,
                                                    int             *natural_baseline);
void             kt_map_canvas_size_allocate       (GtkWidget       *widget,
                                                    int              width,
                                                    int              height,
                                                    int              baseline);

/* kt-map-canvas-selection.c */
void             kt_chip_key_clear                 (gpointer         data);
void             kt_chip_key_set                   (ChipKey         *key,
                                                    const KtMapChip *chip);
ChipKey          kt_chip_key_of                    (const KtMapChip *chip);
gboolean         kt_chip_key_matches               (const ChipKey   *key,
                                                    const KtMapChip *chip);
gboolean         kt_chip_key_equal                 (const ChipKey   *a,
                                                    const ChipKey   *b);
GArray          *kt_chip_keys_new                  (void);
int              kt_chip_keys_find                 (GArray          *keys,
                                                    const ChipKey   *key);
void             kt_chip_keys_add                  (GArray          *keys,
                                                    const ChipKey   *key);
const KtMapChip *kt_map_canvas_get_focus_chip      (KtMapCanvas     *self);
void             kt_map_canvas_set_focus_chip      (KtMapCanvas     *self,
                                                    int              index);
void             kt_map_canvas_resolve_selection   (KtMapCanvas     *self);
void             kt_map_canvas_resolve_focus       (KtMapCanvas     *self);
void             kt_map_canvas_selection_clear     (KtMapCanvas     *self);
gboolean         kt_map_canvas_selection_toggle    (KtMapCanvas     *self,
                                                    const KtMapChip *chip);
void             kt_map_canvas_selection_set_one   (KtMapCanvas     *self,
                                                    const KtMapChip *chip);

/* kt-map-canvas-input.c */
void             kt_map_canvas_input_init          (KtMapCanvas     *self);
void             kt_map_canvas_update_hover        (KtMapCanvas     *self);
void             kt_map_canvas_band_rect           (KtMapCanvas     *self,
                                                    graphene_rect_t *r);
void             kt_map_canvas_begin_move          (KtMapCanvas     *self,
                                                    const KtMapChip *chip);
void             kt_map_canvas_set_drop_target     (KtMapCanvas     *self,
                                                    const KtMapBox  *box);
void             kt_map_canvas_finish_move         (KtMapCanvas     *self);
void             kt_map_canvas_cancel_move         (KtMapCanvas     *self);
gboolean         kt_map_canvas_drop_allowed        (KtMapCanvas     *self);
gboolean         kt_map_canvas_query_tooltip       (GtkWidget       *widget,
                                                    int              x,
                                                    int              y,
                                                    gboolean         keyboard_mode,
                                                    GtkTooltip      *tooltip);

/* kt-map-canvas-keyboard.c */
void             kt_map_canvas_class_init_keyboard (GtkWidgetClass  *widget_class);
void             kt_map_canvas_keyboard_init       (KtMapCanvas     *self);
void             kt_map_canvas_update_actions      (KtMapCanvas     *self);

/* kt-map-canvas-draw.c */
void             kt_map_canvas_draw_init           (KtMapCanvas     *self);
void             kt_map_canvas_clear_tiles         (KtMapCanvas     *self);
gboolean         kt_map_canvas_focus_visible       (KtMapCanvas     *self);
void             kt_map_canvas_snapshot            (GtkWidget       *widget,
                                                    GtkSnapshot     *snapshot);
void             kt_map_canvas_invalidate_style    (KtMapCanvas     *self);

/* kt-map-canvas-test.c */
void             kt_map_canvas_test_init           (KtMapCanvas     *self);
void             kt_map_canvas_test_after_snapshot (KtMapCanvas     *self);

/* kt-map-canvas-highlight.c */
void             kt_map_highlight_free             (KtMapHighlight  *hl);
void             kt_map_canvas_highlight_state     (KtMapCanvas     *self,
                                                    KtMapPaintState *state);
void             kt_map_canvas_highlight_geometry  (KtMapCanvas     *self,
                                                    GString         *out);

G_END_DECLS
