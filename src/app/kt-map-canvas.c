/* kt-map-canvas.c: the host map widget
 *
 * The topology is recorded once per (host, zoom, style, scale factor) into
 * cairo render nodes, one per TILE_SIZE square of the zoomed map, made
 * when they first come into view and re-appended on later frames; only
 * the overlay (chips, selection, hover, drag feedback) is painted on
 * every frame.  Tiles keep each node far below the GL renderer's texture
 * limits at 800 % zoom on large hosts.
 *
 * Coordinates: "map units" are the layout's (1 unit = 1 px at 100 %);
 * "content" is the zoomed map, as scrolled by the adjustments; "widget"
 * is the allocation.  widget = origin + map × zoom.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "kt-describe.h"
#include "kt-error.h"
#include "kt-map-canvas.h"
#include "kt-map-layout.h"
#include "kt-map-overlay.h"
#include "kt-map-painter.h"

#define ZOOM_MIN        0.05
#define ZOOM_MAX        8.0
#define MARGIN          16.0     /* px around the map */
#define TILE_SIZE       1024.0   /* px of zoomed map per cached node */
#define TILE_ORIGIN     (-8.0)   /* tiles start a little above/left of the map: outer strokes */
#define DRAG_THRESHOLD  4.0      /* px before a press becomes a drag */
#define EDGE_SCROLL     24.0     /* px from the edge where a drag scrolls */

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

  KtPlan         *plan;
  KtSnapshot     *snapshot;
  KtHost         *host;
  KtMapLayout    *layout;
  KtMapOverlay   *overlay;         /* points into layout: freed first */
  GHashTable     *observed;        /* VM name → KtObservedVcpu array; nullable */
  GPtrArray      *pus;             /* const KtMapBox *, in layout order */
  KtVm           *selected_vm;

  /* Selection */
  GArray         *selection;       /* ChipKey */
  GPtrArray      *selected_chips;  /* const KtMapChip *, of the overlay */
  guint           n_selected;      /* as last notified */

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
  gboolean        drop_allowed;
  char           *drop_message;
  GPtrArray      *drop_sets;       /* KtCpuset per moving vCPU: a spread onto a PU */
  KtCpuset       *drop_cpus;       /* their union, highlighted */

  /* Keyboard */
  int             focus_chip;      /* into the overlay's chips; -1: none */
  ChipKey         focus_key;
  gboolean        kbd_moving;
  gboolean        kbd_nav;         /* the focus moved by keyboard: show the ring */
  const KtMapBox *kbd_pu;          /* the PU the target grew from */

  /* Tests: KVMTUNE_TEST_GEOMETRY; benchmarks: KVMTUNE_BENCH_QUIT_AFTER_MAP */
  char           *geometry_path;
  char           *geometry_last;
  gboolean        quit_after_map;
  gboolean        quit_scheduled;
};

static void kt_map_canvas_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtMapCanvas, kt_map_canvas, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE,
                                                      kt_map_canvas_scrollable_init))

enum {
  PROP_0,
  PROP_PLAN,
  PROP_SELECTED_VM,
  PROP_ZOOM,
  PROP_N_SELECTED,
  N_PROPS,

  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  VM_ACTIVATED,
  PIN_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void set_adjustment       (KtMapCanvas    *self,
                                  GtkOrientation  orientation,
                                  GtkAdjustment  *adj);
static void rebuild              (KtMapCanvas    *self,
                                  gboolean        repaint_topology);
static void cancel_move          (KtMapCanvas    *self);

/* g_set_str () is GLib 2.76 */
static void
replace_str (char       **slot,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

/* Chip keys -------------------------------------------------------------- */

static void
chip_key_clear (gpointer data)
{
  ChipKey *key = data;

  g_clear_object (&key->vm);
}

static void
chip_key_set (ChipKey         *key,
              const KtMapChip *chip)
{
  KtVm *vm = chip != NULL ? chip->vm : NULL;

  g_set_object (&key->vm, vm);
  key->kind = chip != NULL ? chip->kind : KT_THREAD_VCPU;
  key->index = chip != NULL ? chip->index : 0;
}

static gboolean
chip_key_matches (const ChipKey   *key,
                  const KtMapChip *chip)
{
  return key->vm != NULL && key->vm == chip->vm && key->kind == chip->kind
         && key->index == chip->index;
}

static gboolean
chip_key_equal (const ChipKey *a,
                const ChipKey *b)
{
  return a->vm == b->vm && a->kind == b->kind && a->index == b->index;
}

static GArray *
chip_keys_new (void)
{
  GArray *keys = g_array_new (FALSE, TRUE, sizeof (ChipKey));

  g_array_set_clear_func (keys, chip_key_clear);
  return keys;
}

static int
chip_keys_find (GArray        *keys,
                const ChipKey *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (chip_key_equal (&g_array_index (keys, ChipKey, i), key))
      return (int) i;
  return -1;
}

static void
chip_keys_add (GArray        *keys,
               const ChipKey *key)
{
  ChipKey copy = { NULL, key->kind, key->index };

  if (key->vm == NULL || chip_keys_find (keys, key) >= 0)
    return;
  copy.vm = g_object_ref (key->vm);
  g_array_append_val (keys, copy);
}

static ChipKey
chip_key_of (const KtMapChip *chip)
{
  return (ChipKey) { chip->vm, chip->kind, chip->index };
}

/* Geometry --------------------------------------------------------------- */

static void
map_size (KtMapCanvas *self,
          double      *w,
          double      *h)
{
  const KtMapBox *root;

  if (self->layout == NULL)
    {
      *w = *h = 0;
      return;
    }
  root = kt_map_layout_get_root (self->layout);
  *w = root->rect.width * self->zoom;
  *h = root->rect.height * self->zoom;
}

/* Where map (0, 0) is in the widget: centred when the map fits, else
 * scrolled; whole pixels, so that the cached tiles stay crisp */
static void
get_origin (KtMapCanvas *self,
            double      *ox,
            double      *oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double mw, mh;

  map_size (self, &mw, &mh);
  if (mw + 2 * MARGIN <= w)
    *ox = round ((w - mw) / 2);
  else
    *ox = MARGIN - round (gtk_adjustment_get_value (self->hadj));
  if (mh + 2 * MARGIN <= h)
    *oy = round ((h - mh) / 2);
  else
    *oy = MARGIN - round (gtk_adjustment_get_value (self->vadj));
}

static void
widget_to_map (KtMapCanvas *self,
               double       wx,
               double       wy,
               double      *mx,
               double      *my)
{
  double ox, oy;

  get_origin (self, &ox, &oy);
  *mx = (wx - ox) / self->zoom;
  *my = (wy - oy) / self->zoom;
}

static graphene_rect_t
map_rect_to_widget (KtMapCanvas     *self,
                    const KtMapRect *r)
{
  double ox, oy;

  get_origin (self, &ox, &oy);
  return GRAPHENE_RECT_INIT (ox + r->x * self->zoom, oy + r->y * self->zoom,
                             r->width * self->zoom, r->height * self->zoom);
}

static void
map_rect_to_tip_area (KtMapCanvas     *self,
                      const KtMapRect *r,
                      GdkRectangle    *area)
{
  graphene_rect_t g = map_rect_to_widget (self, r);

  area->x = (int) floor (g.origin.x);
  area->y = (int) floor (g.origin.y);
  area->width = MAX (1, (int) ceil (g.origin.x + g.size.width) - area->x);
  area->height = MAX (1, (int) ceil (g.origin.y + g.size.height) - area->y);
}

static double
fit_zoom (KtMapCanvas *self,
          double       w,
          double       h)
{
  const KtMapBox *root = kt_map_layout_get_root (self->layout);
  double zx = (w - 2 * MARGIN) / MAX (root->rect.width, 1);
  double zy = (h - 2 * MARGIN) / MAX (root->rect.height, 1);

  return CLAMP (MIN (zx, zy), ZOOM_MIN, ZOOM_MAX);
}

/* Scrolls the least needed to show @r (map units) */
static void
scroll_to_rect (KtMapCanvas     *self,
                const KtMapRect *r)
{
  graphene_rect_t g = map_rect_to_widget (self, r);
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double pad = 8;

  if (g.origin.x < pad)
    gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) + g.origin.x - pad);
  else if (g.origin.x + g.size.width > w - pad)
    gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj)
                                          + MIN (g.origin.x + g.size.width - (w - pad), g.origin.x - pad));
  if (g.origin.y < pad)
    gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + g.origin.y - pad);
  else if (g.origin.y + g.size.height > h - pad)
    gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj)
                                          + MIN (g.origin.y + g.size.height - (h - pad), g.origin.y - pad));
}

static void
collect_pus (const KtMapBox *box,
             GPtrArray      *out)
{
  if (box->kind == KT_MAP_BOX_PU)
    {
      g_ptr_array_add (out, (gpointer) box);
      return;
    }
  for (guint i = 0; i < box->children->len; i++)
    collect_pus (g_ptr_array_index (box->children, i), out);
}

/* Style ------------------------------------------------------------------ */

static void
color_from_rgba (KtMapColor    *color,
                 const GdkRGBA *rgba)
{
  color->red = rgba->red;
  color->green = rgba->green;
  color->blue = rgba->blue;
  color->alpha = rgba->alpha;
}

static GdkRGBA
rgba_from_color (KtMapColor color,
                 double     alpha)
{
  return (GdkRGBA) { color.red, color.green, color.blue, color.alpha * alpha };
}

static void
clear_tiles (KtMapCanvas *self)
{
  g_hash_table_remove_all (self->tiles);
}

static void
ensure_style (KtMapCanvas *self)
{
  static const struct
  {
    const char *name;
    gsize       offset;
  } names[] = {
    { "window_bg_color", G_STRUCT_OFFSET (KtMapStyle, window_bg) },
    { "view_bg_color", G_STRUCT_OFFSET (KtMapStyle, view_bg) },
    { "card_bg_color", G_STRUCT_OFFSET (KtMapStyle, card_bg) },
    { "window_fg_color", G_STRUCT_OFFSET (KtMapStyle, fg) },
    { "accent_bg_color", G_STRUCT_OFFSET (KtMapStyle, accent) },
    { "warning_color", G_STRUCT_OFFSET (KtMapStyle, warning) },
    { "error_color", G_STRUCT_OFFSET (KtMapStyle, error) },
    { "success_color", G_STRUCT_OFFSET (KtMapStyle, success) },
  };
  GtkStyleContext *context;
  PangoContext *pango;
  const PangoFontDescription *font;
  gboolean dark = FALSE;
  GdkRGBA rgba;

  if (self->style_valid)
    return;

  if (adw_is_initialized ())
    dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  kt_map_style_clear (&self->style);
  kt_map_style_init_default (&self->style, dark);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (gtk_style_context_lookup_color (context, names[i].name, &rgba))
      color_from_rgba (G_STRUCT_MEMBER_P (&self->style, names[i].offset), &rgba);
  if (!gtk_style_context_lookup_color (context, "window_fg_color", &rgba))
    {
      gtk_style_context_get_color (context, &rgba);
      color_from_rgba (&self->style.fg, &rgba);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  self->style.dim_fg = self->style.fg;
  self->style.dim_fg.alpha *= 0.55;

  pango = gtk_widget_get_pango_context (GTK_WIDGET (self));
  font = pango_context_get_font_description (pango);
  if (font != NULL && pango_font_description_get_family (font) != NULL)
    self->style.font_family = g_strdup (pango_font_description_get_family (font));

  self->style_valid = TRUE;
  self->style_serial++;
}

static void
invalidate_style (KtMapCanvas *self)
{
  self->style_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
kt_map_canvas_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (kt_map_canvas_parent_class)->css_changed (widget, change);
  invalidate_style (KT_MAP_CANVAS (widget));
}

static void
kt_map_canvas_system_setting_changed (GtkWidget        *widget,
                                      GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (kt_map_canvas_parent_class)->system_setting_changed (widget, setting);
  /* Font name and hinting changes */
  invalidate_style (KT_MAP_CANVAS (widget));
}

/* Selection -------------------------------------------------------------- */

static const KtMapChip *
get_focus_chip (KtMapCanvas *self)
{
  const GPtrArray *chips;

  if (self->overlay == NULL || self->focus_chip < 0)
    return NULL;
  chips = kt_map_overlay_get_chips (self->overlay);
  if ((guint) self->focus_chip >= chips->len)
    return NULL;
  return g_ptr_array_index (chips, self->focus_chip);
}

/* Looks the selection's keys up in the overlay; drops those that are gone */
static void
resolve_selection (KtMapCanvas *self)
{
  const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

  g_ptr_array_set_size (self->selected_chips, 0);
  for (guint i = self->selection->len; i > 0; i--)
    {
      const ChipKey *key = &g_array_index (self->selection, ChipKey, i - 1);
      gboolean found = FALSE;

      for (guint c = 0; chips != NULL && c < chips->len; c++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, c);

          if (chip_key_matches (key, chip))
            {
              g_ptr_array_add (self->selected_chips, (gpointer) chip);
              found = TRUE;
            }
        }
      if (!found)
        g_array_remove_index (self->selection, i - 1);
    }
  if (self->n_selected != self->selection->len)
    {
      self->n_selected = self->selection->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
resolve_focus (KtMapCanvas *self)
{
  const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

  if (chips == NULL || chips->len == 0)
    {
      self->focus_chip = -1;
      return;
    }
  for (guint c = 0; c < chips->len; c++)
    if (chip_key_matches (&self->focus_key, g_ptr_array_index (chips, c)))
      {
        self->focus_chip = (int) c;
        return;
      }
  if (self->focus_chip >= (int) chips->len)
    self->focus_chip = (int) chips->len - 1;
  chip_key_set (&self->focus_key, get_focus_chip (self));
}

static void
selection_clear (KtMapCanvas *self)
{
  g_array_set_size (self->selection, 0);
  resolve_selection (self);
}

static void
selection_set_one (KtMapCanvas     *self,
                   const KtMapChip *chip)
{
  ChipKey key = chip_key_of (chip);

  g_array_set_size (self->selection, 0);
  chip_keys_add (self->selection, &key);
  resolve_selection (self);
}

/* Returns: whether @chip is selected afterwards */
static gboolean
selection_toggle (KtMapCanvas     *self,
                  const KtMapChip *chip)
{
  ChipKey key = chip_key_of (chip);
  int pos = chip_keys_find (self->selection, &key);

  if (pos >= 0)
    g_array_remove_index (self->selection, pos);
  else
    chip_keys_add (self->selection, &key);
  resolve_selection (self);
  return pos < 0;
}

static void
set_focus_chip (KtMapCanvas *self,
                int          index)
{
  const KtMapChip *chip;

  self->focus_chip = index;
  chip = get_focus_chip (self);
  chip_key_set (&self->focus_key, chip);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (chip == NULL)
    return;
  scroll_to_rect (self, &chip->rect);
  {
    g_autofree char *set = kt_cpuset_format (chip->allowed);
    g_autofree char *text = NULL;

    if (chip->kind == KT_THREAD_VCPU)
      /* Translators: what the keyboard focus is on: VM name, vCPU number, CPU */
      text = g_strdup_printf (_("%s vCPU %u on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                              chip->index, chip->cpu, set);
    else if (chip->kind == KT_THREAD_EMULATOR)
      text = g_strdup_printf (_("%s emulator on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                              chip->cpu, set);
    else
      text = g_strdup_printf (_("%s iothread %u on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                              chip->index, chip->cpu, set);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  }
}

static void
set_selected_vm_internal (KtMapCanvas *self,
                          KtVm        *vm)
{
  if (g_set_object (&self->selected_vm, vm))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_VM]);
    }
}

/* Drop targets ----------------------------------------------------------- */

static void
add_pus_under (const KtMapBox *box,
               KtCpuset       *set)
{
  if (box->kind == KT_MAP_BOX_PU)
    {
      kt_cpuset_add (set, (guint) box->id);
      return;
    }
  for (guint i = 0; i < box->children->len; i++)
    add_pus_under (g_ptr_array_index (box->children, i), set);
}

/* The pCPUs a drop on @box pins to, or NULL and why not */
static KtCpuset *
box_cpuset (KtMapCanvas     *self,
            const KtMapBox  *box,
            GError         **error)
{
  g_autoptr(KtCpuset) set = NULL;

  switch (box->kind)
    {
    case KT_MAP_BOX_PU:
      set = kt_cpuset_new ();
      kt_cpuset_add (set, (guint) box->id);
      break;

    case KT_MAP_BOX_CORE:
      if (box->id >= 0 && (guint) box->id < kt_host_get_n_cores (self->host))
        set = kt_cpuset_copy (kt_host_get_core (self->host, (guint) box->id)->cpus);
      break;

    case KT_MAP_BOX_L3:
      if (box->id >= 0 && (guint) box->id < kt_host_get_n_l3 (self->host))
        set = kt_cpuset_copy (kt_host_get_l3 (self->host, (guint) box->id)->cpus);
      break;

    case KT_MAP_BOX_NODE:
      {
        const KtHostNode *node = kt_host_lookup_node (self->host, box->id);

        if (node == NULL || kt_cpuset_is_empty (node->cpus))
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                         _("NUMA node %d has no CPUs"), box->id);
            return NULL;
          }
        if (kt_cpuset_is_empty (node->online_cpus))
          {
            /* Says which are offline */
            kt_host_check_cpuset (self->host, node->cpus, error);
            return NULL;
          }
        return kt_cpuset_copy (node->online_cpus);
      }

    case KT_MAP_BOX_SOCKET:
    case KT_MAP_BOX_DIE:
    case KT_MAP_BOX_HOST:
    default:
      break;
    }

  if (set == NULL)
    {
      if (box->kind == KT_MAP_BOX_HOST)
        {
          g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                               _("Drop onto a CPU, a core, a cache or a NUMA node"));
          return NULL;
        }
      set = kt_cpuset_new ();
      add_pus_under (box, set);
    }

  /* A group with some CPUs offline pins to the others; a single offline
   * CPU, or a group with none online, is refused */
  if (box->kind != KT_MAP_BOX_PU)
    {
      g_autoptr(KtCpuset) online = kt_cpuset_intersection (set, kt_host_get_online_cpus (self->host));

      if (!kt_cpuset_is_empty (online))
        {
          kt_cpuset_free (set);
          set = g_steal_pointer (&online);
        }
    }
  if (kt_cpuset_is_empty (set))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU here"));
      return NULL;
    }
  if (!kt_host_check_cpuset (self->host, set, error))
    return NULL;
  return g_steal_pointer (&set);
}

/* The moving vCPUs (all of one VM) and their VM */
static GArray *
moving_vcpus (KtMapCanvas  *self,
              KtVm        **vm)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));

  *vm = NULL;
  for (guint i = 0; i < self->moving->len; i++)
    {
      const ChipKey *key = &g_array_index (self->moving, ChipKey, i);

      if (key->kind != KT_THREAD_VCPU || key->vm == NULL)
        continue;
      *vm = key->vm;
      g_array_append_val (list, key->index);
    }
  return list;
}

/* Several vCPUs dropped on one pCPU: where each goes (kt_plan_drop_targets);
 * NULL and why not, or NULL and no error when this is no such drop.  On a
 * group too small for them: NULL and why not. */
static GPtrArray *
spread_targets (KtMapCanvas     *self,
                const KtMapBox  *box,
                GError         **error)
{
  g_autoptr(GArray) vcpus = NULL;
  KtVm *vm;

  if (box == NULL || self->plan == NULL)
    return NULL;
  vcpus = moving_vcpus (self, &vm);
  if (vcpus->len < 2)
    return NULL;
  if (box->kind != KT_MAP_BOX_PU)
    {
      g_autoptr(KtCpuset) set = box_cpuset (self, box, NULL);

      /* Spread one per pCPU (kt_plan_pin): more vCPUs than pCPUs would
       * double up */
      if (set != NULL && kt_cpuset_count (set) < vcpus->len)
        g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                     ngettext ("%u vCPUs do not fit on %u CPU", "%u vCPUs do not fit on %u CPUs",
                               kt_cpuset_count (set)),
                     vcpus->len, kt_cpuset_count (set));
      return NULL;
    }
  return kt_plan_drop_targets (self->plan, vm, (const guint *) vcpus->data, vcpus->len, box->id,
                               error);
}

static void
clear_drop_sets (KtMapCanvas *self)
{
  g_clear_pointer (&self->drop_sets, g_ptr_array_unref);
  g_clear_pointer (&self->drop_cpus, kt_cpuset_free);
}

static void
set_drop_target (KtMapCanvas    *self,
                 const KtMapBox *box)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;

  if (box != NULL && box->kind == KT_MAP_BOX_HOST)
    box = NULL;
  if (box == self->drop_target)
    return;

  self->drop_target = box;
  g_clear_pointer (&self->drop_message, g_free);
  clear_drop_sets (self);
  self->drop_allowed = FALSE;
  if (box != NULL)
    {
      set = box_cpuset (self, box, &error);
      if (set != NULL)
        {
          self->drop_sets = spread_targets (self, box, &error);
          if (self->drop_sets != NULL)
            {
              self->drop_cpus = kt_cpuset_new ();
              for (guint i = 0; i < self->drop_sets->len; i++)
                kt_cpuset_union_in (self->drop_cpus, g_ptr_array_index (self->drop_sets, i));
            }
        }
      self->drop_allowed = set != NULL && error == NULL;
      if (error != NULL)
        self->drop_message = g_strdup (error->message);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Groups @keys' vCPUs by VM, then pins each VM's at once: the plan
 * spreads them over @target */
static gboolean
pin_keys (KtMapCanvas     *self,
          GArray          *keys,
          const KtCpuset  *target,
          GError         **error)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) vcpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  /* Copied out first: each pin rebuilds the overlay and the selection */
  for (guint i = 0; i < keys->len; i++)
    {
      const ChipKey *key = &g_array_index (keys, ChipKey, i);
      guint pos;

      if (key->kind != KT_THREAD_VCPU || key->vm == NULL)
        continue;
      if (!g_ptr_array_find (vms, key->vm, &pos))
        {
          pos = vms->len;
          g_ptr_array_add (vms, g_object_ref (key->vm));
          g_ptr_array_add (vcpus, g_array_new (FALSE, FALSE, sizeof (guint)));
        }
      g_array_append_val (g_ptr_array_index (vcpus, pos), key->index);
    }
  if (vms->len == 0)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           _("Select one or more vCPUs first"));
      return FALSE;
    }
  for (guint i = 0; i < vms->len; i++)
    {
      GArray *list = g_ptr_array_index (vcpus, i);

      if (!kt_plan_pin (self->plan, g_ptr_array_index (vms, i), (const guint *) list->data,
                        list->len, target, error))
        return FALSE;
    }
  return TRUE;
}

/* Starts moving @chip, with the other selected vCPUs of its VM */
static void
begin_move (KtMapCanvas     *self,
            const KtMapChip *chip)
{
  ChipKey key = chip_key_of (chip);

  g_array_set_size (self->moving, 0);
  if (chip_keys_find (self->selection, &key) < 0)
    selection_set_one (self, chip);
  for (guint i = 0; i < self->selection->len; i++)
    {
      const ChipKey *k = &g_array_index (self->selection, ChipKey, i);

      if (k->kind == KT_THREAD_VCPU && k->vm == chip->vm)
        chip_keys_add (self->moving, k);
    }
  self->drop_target = NULL;
  self->hover = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
finish_move (KtMapCanvas *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) target = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) spread = NULL;
  g_autoptr(GArray) vcpus = NULL;
  const KtMapBox *box = self->drop_target;
  KtVm *vm = NULL;

  /* Looked up again: the plan may have changed since the target was set */
  spread = spread_targets (self, box, &error);
  if (spread != NULL)
    vcpus = moving_vcpus (self, &vm);
  keys = g_steal_pointer (&self->moving);
  self->moving = chip_keys_new ();
  clear_drop_sets (self);
  self->drop_target = NULL;
  self->kbd_moving = FALSE;
  self->kbd_pu = NULL;
  g_clear_pointer (&self->drop_message, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (box == NULL || keys->len == 0 || self->plan == NULL)
    return;
  if (error == NULL)
    target = box_cpuset (self, box, &error);
  if (target != NULL && spread != NULL)
    {
      g_autoptr(KtVm) keep = g_object_ref (vm);

      if (!kt_plan_pin_each (self->plan, keep, (const guint *) vcpus->data, vcpus->len, spread,
                             &error))
        g_clear_pointer (&target, kt_cpuset_free);
    }
  else if (target != NULL && !pin_keys (self, keys, target, &error))
    g_clear_pointer (&target, kt_cpuset_free);
  if (target == NULL)
    {
      g_debug ("Drop refused: %s", error->message);
      g_signal_emit (self, signals[PIN_FAILED], 0, error->message);
    }
}

static void
cancel_move (KtMapCanvas *self)
{
  g_array_set_size (self->moving, 0);
  self->drop_target = NULL;
  self->drop_allowed = FALSE;
  self->kbd_moving = FALSE;
  self->kbd_pu = NULL;
  g_clear_pointer (&self->drop_message, g_free);
  clear_drop_sets (self);
  if (self->drag_mode == DRAG_PIN)
    self->drag_mode = DRAG_IGNORED;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Model ------------------------------------------------------------------ */

static void
rebuild (KtMapCanvas *self,
         gboolean     repaint_topology)
{
  KtSnapshot *snapshot = self->plan ? kt_plan_get_snapshot (self->plan) : NULL;
  KtHost *host = snapshot ? kt_snapshot_get_host (snapshot) : NULL;

  g_clear_pointer (&self->overlay, kt_map_overlay_free);
  g_ptr_array_set_size (self->selected_chips, 0);

  if (host != self->host)
    {
      /* Everything that points into the old layout */
      cancel_move (self);
      self->hover = NULL;
      self->drag_mode = DRAG_NONE;
      g_ptr_array_set_size (self->pus, 0);
      g_clear_pointer (&self->layout, kt_map_layout_free);
      g_set_object (&self->host, host);
      if (host != NULL)
        {
          self->layout = kt_map_layout_new (host);
          collect_pus (kt_map_layout_get_root (self->layout), self->pus);
          self->fit_pending = TRUE;
          self->fitted_w = self->fitted_h = -1;
        }
      repaint_topology = TRUE;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  if (repaint_topology)
    clear_tiles (self);

  g_set_object (&self->snapshot, snapshot);
  if (snapshot != NULL)
    {
      self->overlay = kt_map_overlay_new (snapshot, self->plan, self->layout);
      kt_map_overlay_set_observed (self->overlay, self->observed);
    }

  if (self->selected_vm != NULL
      && (snapshot == NULL
          || kt_snapshot_lookup_vm (snapshot, kt_vm_get_name (self->selected_vm)) != self->selected_vm))
    set_selected_vm_internal (self, NULL);

  resolve_selection (self);
  resolve_focus (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Arranges the layout for a @width × @height canvas (kt_map_layout_fit):
 * the same boxes, moved, so the chips are placed again */
static void
refit_layout (KtMapCanvas *self,
              int          width,
              int          height)
{
  if (self->layout == NULL || (width == self->fitted_w && height == self->fitted_h))
    return;
  self->fitted_w = width;
  self->fitted_h = height;
  kt_map_layout_fit (self->layout, width - 2 * MARGIN, height - 2 * MARGIN);
  clear_tiles (self);
  if (self->overlay != NULL)
    {
      g_clear_pointer (&self->overlay, kt_map_overlay_free);
      g_ptr_array_set_size (self->selected_chips, 0);
      self->overlay = kt_map_overlay_new (self->snapshot, self->plan, self->layout);
      kt_map_overlay_set_observed (self->overlay, self->observed);
      resolve_selection (self);
      resolve_focus (self);
    }
}

static void
on_plan_changed (KtMapCanvas *self,
                 KtPlan      *plan)
{
  rebuild (self, FALSE);
}

/* Zoom ------------------------------------------------------------------- */

/* Zooms keeping the map point under (@wx, @wy) there; the widget's centre
 * without @anchored */
static void
set_zoom_full (KtMapCanvas *self,
               double       zoom,
               gboolean     anchored,
               double       wx,
               double       wy)
{
  GtkWidget *widget = GTK_WIDGET (self);

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (G_APPROX_VALUE (zoom, self->zoom, 1e-9))
    return;

  if (self->layout != NULL && gtk_widget_get_width (widget) > 0)
    {
      if (!anchored)
        {
          wx = gtk_widget_get_width (widget) / 2.0;
          wy = gtk_widget_get_height (widget) / 2.0;
        }
      if (self->anchor_pending)
        {
          /* Zoomed again before the last zoom was laid out: the adjustments
           * are stale, the pending anchor is not */
          self->anchor_mx += (wx - self->anchor_wx) / self->zoom;
          self->anchor_my += (wy - self->anchor_wy) / self->zoom;
        }
      else
        widget_to_map (self, wx, wy, &self->anchor_mx, &self->anchor_my);
      self->anchor_wx = wx;
      self->anchor_wy = wy;
      self->anchor_pending = TRUE;
    }
  self->zoom = zoom;
  self->fit_pending = FALSE;
  self->fit_mode = FALSE;
  gtk_widget_queue_resize (widget);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static gboolean
on_scroll (KtMapCanvas              *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  double factor;

  if (self->layout == NULL)
    return FALSE;
  if (!(state & GDK_CONTROL_MASK))
    {
      double step = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_WHEEL ? 48 : 1;

      /* A scrolled window around the canvas scrolls it; else the canvas does */
      if (GTK_IS_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (self))))
        return FALSE;
      if ((state & GDK_SHIFT_MASK) && dx == 0)
        {
          dx = dy;
          dy = 0;
        }
      gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) + dx * step);
      gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + dy * step);
      return TRUE;
    }
  if (gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_WHEEL)
    factor = pow (1.2, -dy);
  else
    factor = exp (-dy / 200.0);
  set_zoom_full (self, self->zoom * factor, self->pointer_inside,
                 self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
on_zoom_begin (KtMapCanvas *self,
               GdkEventSequence *sequence,
               GtkGesture  *gesture)
{
  self->pinch_zoom = self->zoom;
}

static void
on_zoom_scale_changed (KtMapCanvas    *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  set_zoom_full (self, self->pinch_zoom * scale, TRUE, x, y);
}

/* Pointer ---------------------------------------------------------------- */

static const KtMapChip *
chip_at (KtMapCanvas *self,
         double       wx,
         double       wy)
{
  double mx, my;

  if (self->overlay == NULL)
    return NULL;
  widget_to_map (self, wx, wy, &mx, &my);
  return kt_map_overlay_hit_chip (self->overlay, mx, my);
}

static const KtMapBox *
box_at (KtMapCanvas *self,
        double       wx,
        double       wy)
{
  double mx, my;

  if (self->layout == NULL)
    return NULL;
  widget_to_map (self, wx, wy, &mx, &my);
  return kt_map_layout_hit_test (self->layout, mx, my);
}

static void
update_hover (KtMapCanvas *self)
{
  const KtMapBox *box = NULL;

  if (self->pointer_inside && self->moving->len == 0 && self->drag_mode != DRAG_BAND)
    box = box_at (self, self->pointer_x, self->pointer_y);
  if (box != NULL && box->kind == KT_MAP_BOX_HOST)
    box = NULL;
  if (box != self->hover)
    {
      self->hover = box;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_motion (KtMapCanvas              *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  update_hover (self);
}

static void
on_leave (KtMapCanvas              *self,
          GtkEventControllerMotion *motion)
{
  self->pointer_inside = FALSE;
  update_hover (self);
}

static void
click (KtMapCanvas     *self,
       double           x,
       double           y,
       GdkModifierType  state)
{
  const KtMapChip *chip = chip_at (self, x, y);
  gboolean toggle = (state & GDK_CONTROL_MASK) != 0;

  if (chip == NULL)
    {
      if (!toggle)
        {
          selection_clear (self);
          set_selected_vm_internal (self, NULL);
        }
      return;
    }

  for (guint c = 0; c < kt_map_overlay_get_chips (self->overlay)->len; c++)
    if (g_ptr_array_index (kt_map_overlay_get_chips (self->overlay), c) == chip)
      {
        self->focus_chip = (int) c;
        chip_key_set (&self->focus_key, chip);
        break;
      }

  if (toggle)
    {
      if (!selection_toggle (self, chip))
        return;
    }
  else
    selection_set_one (self, chip);

  {
    g_autoptr(KtVm) vm = g_object_ref (chip->vm);

    set_selected_vm_internal (self, vm);
    g_signal_emit (self, signals[VM_ACTIVATED], 0, vm);
  }
}

static void
band_rect (KtMapCanvas     *self,
           graphene_rect_t *r)
{
  double x0 = self->drag_x, y0 = self->drag_y;
  double x1 = x0 + self->drag_dx, y1 = y0 + self->drag_dy;

  *r = GRAPHENE_RECT_INIT (MIN (x0, x1), MIN (y0, y1), fabs (x1 - x0), fabs (y1 - y0));
}

static void
select_band (KtMapCanvas *self)
{
  const GPtrArray *chips;
  graphene_rect_t band;
  KtMapRect mband;
  double mx, my;

  if (self->overlay == NULL)
    return;
  band_rect (self, &band);
  widget_to_map (self, band.origin.x, band.origin.y, &mx, &my);
  mband = (KtMapRect) { mx, my, band.size.width / self->zoom, band.size.height / self->zoom };

  if (!(self->drag_state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK)))
    g_array_set_size (self->selection, 0);
  chips = kt_map_overlay_get_chips (self->overlay);
  for (guint c = 0; c < chips->len; c++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, c);
      ChipKey key = chip_key_of (chip);

      /* With a VM selected, the band picks only its chips */
      if (self->selected_vm != NULL && chip->vm != self->selected_vm)
        continue;
      if (kt_map_rect_overlaps (&mband, &chip->rect))
        chip_keys_add (self->selection, &key);
    }
  resolve_selection (self);
}

static void
edge_scroll (KtMapCanvas *self,
             double       x,
             double       y)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  if (x < EDGE_SCROLL)
    gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) - (EDGE_SCROLL - x));
  else if (x > w - EDGE_SCROLL)
    gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) + x - (w - EDGE_SCROLL));
  if (y < EDGE_SCROLL)
    gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) - (EDGE_SCROLL - y));
  else if (y > h - EDGE_SCROLL)
    gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + y - (h - EDGE_SCROLL));
}

static void
on_drag_begin (KtMapCanvas    *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  const KtMapChip *chip;

  if (self->kbd_moving)
    cancel_move (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->kbd_nav = FALSE;
  self->drag_mode = DRAG_PENDING;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drag_state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  chip = chip_at (self, x, y);
  self->press_on_chip = chip != NULL;
  chip_key_set (&self->press_key, chip);
}

static void
on_drag_update (KtMapCanvas    *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  double x = self->drag_x + dx, y = self->drag_y + dy;

  self->drag_dx = dx;
  self->drag_dy = dy;
  self->pointer_x = x;
  self->pointer_y = y;

  if (self->drag_mode == DRAG_PENDING && hypot (dx, dy) > DRAG_THRESHOLD)
    {
      const KtMapChip *chip = NULL;
      const GPtrArray *chips = self->overlay ? kt_map_overlay_get_chips (self->overlay) : NULL;

      /* The chip pressed, found again by key: the overlay may have changed */
      for (guint c = 0; self->press_on_chip && chips != NULL && c < chips->len && chip == NULL; c++)
        if (chip_key_matches (&self->press_key, g_ptr_array_index (chips, c)))
          chip = g_ptr_array_index (chips, c);

      if (self->press_on_chip && (chip == NULL || chip->kind != KT_THREAD_VCPU || self->plan == NULL))
        self->drag_mode = DRAG_IGNORED;   /* emulator and iothread chips do not move yet */
      else if (chip != NULL)
        {
          self->drag_mode = DRAG_PIN;
          begin_move (self, chip);
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
        }
      else if (self->layout != NULL)
        {
          self->drag_mode = DRAG_BAND;
          self->hover = NULL;
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
        }
      else
        self->drag_mode = DRAG_IGNORED;
    }

  switch (self->drag_mode)
    {
    case DRAG_PIN:
      edge_scroll (self, x, y);
      set_drop_target (self, box_at (self, x, y));
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_BAND:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_NONE:
    case DRAG_PENDING:
    case DRAG_IGNORED:
    default:
      break;
    }
}

static void
on_drag_end (KtMapCanvas    *self,
             double          dx,
             double          dy,
             GtkGestureDrag *gesture)
{
  DragMode mode = self->drag_mode;

  self->drag_mode = DRAG_NONE;
  switch (mode)
    {
    case DRAG_PENDING:
      click (self, self->drag_x, self->drag_y, self->drag_state);
      break;

    case DRAG_PIN:
      set_drop_target (self, box_at (self, self->drag_x + dx, self->drag_y + dy));
      finish_move (self);
      break;

    case DRAG_BAND:
      self->drag_dx = dx;
      self->drag_dy = dy;
      select_band (self);
      break;

    case DRAG_NONE:
    case DRAG_IGNORED:
    default:
      break;
    }
  chip_key_set (&self->press_key, NULL);
  update_hover (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_cancel (KtMapCanvas      *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  if (self->drag_mode == DRAG_PIN)
    cancel_move (self);
  self->drag_mode = DRAG_NONE;
  chip_key_set (&self->press_key, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pan_begin (KtMapCanvas    *self,
              double          x,
              double          y,
              GtkGestureDrag *gesture)
{
  self->pan_h = gtk_adjustment_get_value (self->hadj);
  self->pan_v = gtk_adjustment_get_value (self->vadj);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_pan_update (KtMapCanvas    *self,
               double          dx,
               double          dy,
               GtkGestureDrag *gesture)
{
  gtk_adjustment_set_value (self->hadj, self->pan_h - dx);
  gtk_adjustment_set_value (self->vadj, self->pan_v - dy);
}

/* Keyboard --------------------------------------------------------------- */

static int
pu_position (KtMapCanvas    *self,
             const KtMapBox *pu)
{
  guint pos;

  if (pu != NULL && g_ptr_array_find (self->pus, pu, &pos))
    return (int) pos;
  return -1;
}

/* The PU in the row above (@dir < 0) or below, nearest in x; across
 * nodes too.  NULL at the edge. */
static const KtMapBox *
pu_vertical (KtMapCanvas    *self,
             const KtMapBox *from,
             int             dir)
{
  double fx = from->rect.x + from->rect.width / 2;
  double fy = from->rect.y + from->rect.height / 2;
  double best_dy = G_MAXDOUBLE;
  const KtMapBox *best = NULL;

  /* The nearest row in that direction... */
  for (guint i = 0; i < self->pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (self->pus, i);
      double dy = (pu->rect.y + pu->rect.height / 2 - fy) * dir;

      if (dy > 1 && dy < best_dy)
        best_dy = dy;
    }
  if (best_dy == G_MAXDOUBLE)
    return NULL;
  /* ... and in it, the nearest in x */
  for (guint i = 0; i < self->pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (self->pus, i);
      double dy = (pu->rect.y + pu->rect.height / 2 - fy) * dir;
      double dx = fabs (pu->rect.x + pu->rect.width / 2 - fx);

      if (fabs (dy - best_dy) <= 1
          && (best == NULL || dx < fabs (best->rect.x + best->rect.width / 2 - fx)))
        best = pu;
    }
  return best;
}

/* The first PU of the next (@dir > 0) or previous node */
static const KtMapBox *
pu_other_node (KtMapCanvas    *self,
               const KtMapBox *from,
               int             dir)
{
  const KtMapBox *node = kt_map_box_ancestor (from, KT_MAP_BOX_NODE);
  int pos = pu_position (self, from);

  for (int i = pos + dir; i >= 0 && i < (int) self->pus->len; i += dir)
    {
      const KtMapBox *pu = g_ptr_array_index (self->pus, i);
      const KtMapBox *n = kt_map_box_ancestor (pu, KT_MAP_BOX_NODE);

      if (n != node)
        {
          /* The first PU of that node */
          while (i - 1 >= 0
                 && kt_map_box_ancestor (g_ptr_array_index (self->pus, i - 1), KT_MAP_BOX_NODE) == n)
            i--;
          return g_ptr_array_index (self->pus, i);
        }
    }
  return NULL;
}

static void
announce_target (KtMapCanvas *self)
{
  g_autofree char *text = NULL;
  const KtMapBox *box = self->drop_target;

  if (box == NULL)
    return;
  switch (box->kind)
    {
    case KT_MAP_BOX_PU:
      text = g_strdup_printf (_("Move to CPU %d"), box->id);
      break;
    case KT_MAP_BOX_CORE:
      text = g_strdup_printf (_("Move to the core of CPU %d"), self->kbd_pu ? self->kbd_pu->id : -1);
      break;
    case KT_MAP_BOX_L3:
      text = g_strdup_printf (_("Move to L3 cache group %d"), box->id);
      break;
    case KT_MAP_BOX_DIE:
      text = g_strdup_printf (_("Move to die %d"), box->id);
      break;
    case KT_MAP_BOX_SOCKET:
      text = g_strdup_printf (_("Move to socket %d"), box->id);
      break;
    case KT_MAP_BOX_NODE:
      text = g_strdup_printf (_("Move to NUMA node %d"), box->id);
      break;
    case KT_MAP_BOX_HOST:
    default:
      return;
    }
  if (!self->drop_allowed && self->drop_message != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s: %s", text, self->drop_message);

      replace_str (&text, both);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
set_keyboard_target (KtMapCanvas    *self,
                     const KtMapBox *box)
{
  if (box == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  if (box->kind == KT_MAP_BOX_PU)
    self->kbd_pu = box;
  set_drop_target (self, box);
  scroll_to_rect (self, &box->rect);
  announce_target (self);
}

static void
begin_keyboard_move (KtMapCanvas *self)
{
  const KtMapChip *chip = get_focus_chip (self);

  if (chip == NULL || self->plan == NULL)
    return;
  if (chip->kind != KT_THREAD_VCPU)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  begin_move (self, chip);
  self->kbd_moving = TRUE;
  self->drop_target = NULL;
  set_keyboard_target (self, kt_map_layout_get_pu (self->layout, chip->cpu));
}

static gboolean
key_while_moving (KtMapCanvas     *self,
                  guint            keyval,
                  GdkModifierType  state)
{
  const KtMapBox *pu = self->kbd_pu;
  const KtMapBox *target = self->drop_target;
  int pos = pu_position (self, pu);

  switch (keyval)
    {
    case GDK_KEY_Escape:
      cancel_move (self);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("Move cancelled"), -1);
      return TRUE;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      finish_move (self);
      return TRUE;

    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      if (pos > 0)
        set_keyboard_target (self, g_ptr_array_index (self->pus, pos - 1));
      else
        gtk_widget_error_bell (GTK_WIDGET (self));
      return TRUE;

    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      if (pos >= 0 && pos + 1 < (int) self->pus->len)
        set_keyboard_target (self, g_ptr_array_index (self->pus, pos + 1));
      else
        gtk_widget_error_bell (GTK_WIDGET (self));
      return TRUE;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (state & GDK_SHIFT_MASK)
        {
          /* The target grows: PU › core › L3 › die › socket › node */
          if (target != NULL && target->parent != NULL && target->parent->kind != KT_MAP_BOX_HOST)
            set_keyboard_target (self, target->parent);
          else
            gtk_widget_error_bell (GTK_WIDGET (self));
        }
      else if (pu != NULL)
        {
          const KtMapBox *up = pu_vertical (self, pu, -1);

          set_keyboard_target (self, up ? up : pu_other_node (self, pu, -1));
        }
      return TRUE;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      if (state & GDK_SHIFT_MASK)
        set_keyboard_target (self, pu);
      else if (pu != NULL)
        {
          const KtMapBox *down = pu_vertical (self, pu, 1);

          set_keyboard_target (self, down ? down : pu_other_node (self, pu, 1));
        }
      return TRUE;

    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      if (pu != NULL)
        set_keyboard_target (self, pu_other_node (self, pu, -1));
      return TRUE;

    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      if (pu != NULL)
        set_keyboard_target (self, pu_other_node (self, pu, 1));
      return TRUE;

    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_KP_Tab:
      return TRUE;   /* stay while moving */

    default:
      return FALSE;
    }
}

static gboolean
handle_key (KtMapCanvas     *self,
            guint            keyval,
            GdkModifierType  state)
{
  const GPtrArray *chips;
  int n, step = 0;

  if (self->kbd_moving)
    return key_while_moving (self, keyval, state);
  if (self->drag_mode == DRAG_PIN)
    {
      if (keyval == GDK_KEY_Escape)
        {
          cancel_move (self);
          return TRUE;
        }
      return FALSE;
    }

  chips = kt_map_overlay_get_chips (self->overlay);
  n = (int) chips->len;

  switch (keyval)
    {
    /* One Tab stop for the whole map (a roving focus): the arrows move
     * between chips, Tab leaves */
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
    case GDK_KEY_ISO_Left_Tab:
      return FALSE;

    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      step = 1;
      break;

    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      step = -1;
      break;

    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      if (n > 0)
        set_focus_chip (self, 0);
      return TRUE;

    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      if (n > 0)
        set_focus_chip (self, n - 1);
      return TRUE;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      {
        const KtMapChip *chip = get_focus_chip (self);

        if (chip == NULL)
          return FALSE;
        if (state & GDK_CONTROL_MASK)
          {
            /* Ctrl+Space: add to or take from the selection */
            selection_toggle (self, chip);
            return TRUE;
          }
        {
          g_autoptr(KtVm) vm = g_object_ref (chip->vm);

          set_selected_vm_internal (self, vm);
          g_signal_emit (self, signals[VM_ACTIVATED], 0, vm);
        }
        begin_keyboard_move (self);
        return TRUE;
      }

    case GDK_KEY_Escape:
      if (self->selection->len == 0)
        return FALSE;
      selection_clear (self);
      return TRUE;

    default:
      return FALSE;
    }

  if (n == 0)
    return FALSE;
  if (self->focus_chip < 0)
    set_focus_chip (self, step > 0 ? 0 : n - 1);
  else
    set_focus_chip (self, CLAMP (self->focus_chip + step, 0, n - 1));
  return TRUE;
}

static gboolean
on_key_pressed (KtMapCanvas           *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  if (self->overlay == NULL || !handle_key (self, keyval, state))
    return FALSE;
  /* A key the map used: show where the focus is */
  self->kbd_nav = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
on_focus_enter (KtMapCanvas             *self,
                GtkEventControllerFocus *focus)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Tabbed in: show the ring.  A click grabs the focus too, then hides it
   * (on_drag_begin). */
  self->kbd_nav = root != NULL && GTK_IS_WINDOW (root) && gtk_window_get_focus_visible (GTK_WINDOW (root));
  if (self->focus_chip < 0 && self->overlay != NULL
      && kt_map_overlay_get_chips (self->overlay)->len > 0)
    set_focus_chip (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_focus_leave (KtMapCanvas             *self,
                GtkEventControllerFocus *focus)
{
  if (self->kbd_moving)
    cancel_move (self);
  self->kbd_nav = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Tooltips --------------------------------------------------------------- */

static char *
thread_name (KtThreadKind kind,
             guint        index)
{
  switch (kind)
    {
    case KT_THREAD_VCPU:
      return g_strdup_printf (_("vCPU %u"), index);
    case KT_THREAD_EMULATOR:
      return g_strdup (_("emulator"));
    case KT_THREAD_IOTHREAD:
    default:
      return g_strdup_printf (_("iothread %u"), index);
    }
}

static void
append_issues (GString         *s,
               const GPtrArray *issues,
               KtVm            *vm,
               int              vcpu,
               int              cpu)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (vm != NULL && issue->vm != vm && issue->other != vm)
        continue;
      if (cpu >= 0 && (issue->cpus == NULL || !kt_cpuset_contains (issue->cpus, (guint) cpu)))
        continue;
      if (vcpu >= 0 && issue->vcpu >= 0 && issue->vcpu != vcpu)
        continue;
      g_string_append_printf (s, "\n⚠ %s", issue->message);
    }
}

static char *
chip_tooltip (KtMapCanvas     *self,
              const KtMapChip *chip)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *thread = thread_name (chip->kind, chip->index);
  g_autofree char *set = kt_cpuset_format (chip->allowed);

  g_string_append_printf (s, "%s · %s", kt_vm_get_name (chip->vm), thread);
  g_string_append_c (s, '\n');
  if (kt_cpuset_count (chip->allowed) == 1)
    g_string_append_printf (s, _("Pinned to CPU %s"), set);
  else
    g_string_append_printf (s, _("Pinned to CPUs %s"), set);
  if (chip->pending && self->plan != NULL)
    {
      const KtCpuset *original = kt_plan_get_original (self->plan, chip->vm, chip->index);
      g_autofree char *was = original ? kt_cpuset_format (original) : NULL;

      g_string_append_c (s, '\n');
      if (was != NULL)
        g_string_append_printf (s, _("Pending: not applied yet (was %s)"), was);
      else
        {
          g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (chip->vm));
          g_autofree char *dflt = t->vcpu_cpuset ? kt_cpuset_format (t->vcpu_cpuset) : NULL;

          if (kt_tuning_is_numad (t))
            g_string_append (s, _("Pending: not applied yet (was placed by numad)"));
          else if (dflt != NULL)
            /* Translators: %s is the default pin set, <vcpu cpuset> */
            g_string_append_printf (s, _("Pending: not applied yet (was the default %s)"), dflt);
          else
            g_string_append (s, _("Pending: not applied yet (was not pinned)"));
        }
    }
  if (chip->kind != KT_THREAD_VCPU)
    {
      g_string_append_c (s, '\n');
      g_string_append (s, _("Only vCPUs can be moved on the map for now"));
    }
  append_issues (s, kt_map_overlay_get_issues (self->overlay), chip->vm,
                 chip->kind == KT_THREAD_VCPU ? (int) chip->index : -1, chip->cpu);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
pu_tooltip (KtMapCanvas *self,
            int          id)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const KtHostCpu *cpu = kt_host_lookup_cpu (self->host, id);
  g_autoptr(GPtrArray) chips = kt_map_overlay_chips_on (self->overlay, id);
  const GPtrArray *spans = kt_map_overlay_get_spans (self->overlay);
  g_autoptr(GHashTable) floating = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) floating_vms = g_ptr_array_new ();

  g_string_append_printf (s, _("CPU %d"), id);
  if (cpu != NULL)
    {
      if (cpu->core >= 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, _("core %d"), cpu->core);
        }
      if (cpu->socket >= 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, _("socket %d"), cpu->socket);
        }
      g_string_append (s, " · ");
      g_string_append_printf (s, _("node %d"), cpu->node);
      if (cpu->l3 >= 0 && (guint) cpu->l3 < kt_host_get_n_l3 (self->host))
        {
          const KtHostCache *l3 = kt_host_get_l3 (self->host, (guint) cpu->l3);

          g_string_append (s, " · ");
          g_string_append_printf (s, _("L3 #%d"), l3->id >= 0 ? l3->id : cpu->l3);
        }
      if (!cpu->online)
        {
          g_string_append (s, " · ");
          g_string_append (s, _("offline"));
        }
    }

  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);
      g_autofree char *thread = thread_name (chip->kind, chip->index);
      g_autofree char *set = kt_cpuset_format (chip->allowed);

      g_string_append_c (s, '\n');
      /* Translators: a thread on a CPU: VM name, thread ("vCPU 3"), its pin set */
      g_string_append_printf (s, _("%s %s (pinned %s)"), kt_vm_get_name (chip->vm), thread, set);
      if (chip->pending)
        g_string_append_printf (s, " · %s", _("pending"));
    }

  /* Threads that may run here without a pin of their own, by VM */
  for (guint i = 0; spans != NULL && i < spans->len; i++)
    {
      const KtMapSpan *span = g_ptr_array_index (spans, i);
      guint n;

      if (span->allowed == NULL || !kt_cpuset_contains (span->allowed, (guint) id))
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (floating, span->vm));
      if (n == 0)
        g_ptr_array_add (floating_vms, span->vm);
      g_hash_table_insert (floating, span->vm, GUINT_TO_POINTER (n + 1));
    }
  for (guint i = 0; i < floating_vms->len; i++)
    {
      KtVm *vm = g_ptr_array_index (floating_vms, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (floating, vm));

      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
      g_autofree char *line = kt_describe_floating (kt_vm_get_name (vm), t, n);

      /* The default <vcpu cpuset>, numad, or anywhere */
      g_string_append_c (s, '\n');
      g_string_append (s, line);
    }

  /* What libvirt saw running here last */
  {
    g_autoptr(GPtrArray) seen = kt_map_overlay_observed_on (self->overlay, id);

    for (guint i = 0; i < seen->len; i++)
      {
        const KtMapObserved *o = g_ptr_array_index (seen, i);

        g_string_append_c (s, '\n');
        /* Translators: where a vCPU thread last ran: VM name, vCPU number */
        g_string_append_printf (s, _("%s vCPU %u last ran here"), kt_vm_get_name (o->vm), o->vcpu);
      }
  }

  append_issues (s, kt_map_overlay_get_issues (self->overlay), NULL, -1, id);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
node_tooltip (KtMapCanvas *self,
              int          id)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const KtHostNode *node = kt_host_lookup_node (self->host, id);

  g_string_append_printf (s, _("NUMA node %d"), id);
  if (node == NULL)
    return g_string_free (g_steal_pointer (&s), FALSE);

  g_string_append_c (s, '\n');
  if (node->has_memory)
    {
      g_autofree char *total = g_format_size_full (node->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);

      if (node->free_kib >= 0)
        {
          g_autofree char *free_mem = g_format_size_full ((guint64) node->free_kib * 1024,
                                                          G_FORMAT_SIZE_IEC_UNITS);

          g_string_append_printf (s, _("Memory: %s (%s free)"), total, free_mem);
        }
      else
        g_string_append_printf (s, _("Memory: %s"), total);
    }
  else
    g_string_append (s, _("Memory: unknown"));

  for (guint i = 0; node->pages != NULL && i < node->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, i);
      g_autofree char *size = NULL;
      g_autofree char *total = NULL;

      if (pg->size_kib <= 4 || (i == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      size = g_format_size_full (pg->size_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
      g_string_append_c (s, '\n');
      total = g_strdup_printf ("%" G_GUINT64_FORMAT, pg->total);
      if (pg->free >= 0)
        {
          g_autofree char *free_pages = g_strdup_printf ("%" G_GINT64_FORMAT, pg->free);

          /* Translators: a huge page pool: page size, total pages, free pages */
          g_string_append_printf (s, _("Huge pages %s: %s (%s free)"), size, total, free_pages);
        }
      else
        /* Translators: a huge page pool: page size, total pages */
        g_string_append_printf (s, _("Huge pages %s: %s"), size, total);
    }

  g_string_append_c (s, '\n');
  if (kt_cpuset_is_empty (node->cpus))
    g_string_append (s, _("No CPUs (memory only)"));
  else
    {
      g_autofree char *cpus = kt_cpuset_format (node->cpus);

      g_string_append_printf (s, _("CPUs %s"), cpus);
    }

  if (node->distances != NULL && node->distances->len > 0)
    {
      g_autoptr(GString) d = g_string_new (NULL);

      for (guint i = 0; i < node->distances->len; i++)
        {
          const KtHostDistance *dist = &g_array_index (node->distances, KtHostDistance, i);

          if (d->len > 0)
            g_string_append (d, ", ");
          g_string_append_printf (d, "%d: %u", dist->node, dist->value);
        }
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("Distances to nodes %s"), d->str);
    }
  {
    /* A snapshot's free figures are those of its capture */
    g_autofree char *as_of = kt_describe_free_as_of (self->host);

    if (as_of != NULL)
      g_string_append_printf (s, "\n%s", as_of);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
group_tooltip (KtMapCanvas    *self,
               const KtMapBox *box)
{
  g_autoptr(KtCpuset) set = kt_cpuset_new ();
  g_autofree char *cpus = NULL;

  add_pus_under (box, set);
  cpus = kt_cpuset_format (set);
  switch (box->kind)
    {
    case KT_MAP_BOX_CORE:
      {
        const KtHostCore *core = kt_host_get_core (self->host, (guint) box->id);

        return g_strdup_printf (_("Core %d · threads %s"), core->core, cpus);
      }
    case KT_MAP_BOX_L3:
      if (box->id >= 0)
        {
          const KtHostCache *l3 = kt_host_get_l3 (self->host, (guint) box->id);
          g_autofree char *size = g_format_size_full (l3->size_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);

          return g_strdup_printf (_("L3 #%d · %s · CPUs %s"), l3->id >= 0 ? l3->id : box->id,
                                  size, cpus);
        }
      return g_strdup_printf (_("No shared L3 cache · CPUs %s"), cpus);
    case KT_MAP_BOX_DIE:
      return g_strdup_printf (_("Die %d · CPUs %s"), box->id, cpus);
    case KT_MAP_BOX_SOCKET:
      return g_strdup_printf (_("Socket %d · CPUs %s"), box->id, cpus);
    case KT_MAP_BOX_HOST:
    case KT_MAP_BOX_NODE:
    case KT_MAP_BOX_PU:
    default:
      return NULL;
    }
}

static gboolean
kt_map_canvas_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  g_autofree char *text = NULL;
  const KtMapChip *chip = NULL;
  const KtMapBox *box = NULL;
  GdkRectangle area;
  double mx, my;

  if (self->overlay == NULL || self->moving->len > 0 || self->drag_mode == DRAG_BAND)
    return FALSE;

  if (keyboard_mode)
    chip = get_focus_chip (self);
  else
    {
      chip = chip_at (self, x, y);
      if (chip == NULL)
        box = box_at (self, x, y);
    }

  if (chip != NULL)
    {
      text = chip_tooltip (self, chip);
      map_rect_to_tip_area (self, &chip->rect, &area);
    }
  else if (box != NULL)
    {
      widget_to_map (self, x, y, &mx, &my);
      switch (box->kind)
        {
        case KT_MAP_BOX_PU:
          text = pu_tooltip (self, box->id);
          map_rect_to_tip_area (self, &box->rect, &area);
          break;

        case KT_MAP_BOX_NODE:
          {
            KtMapRect header = box->rect;

            /* The header band, or an empty node's body */
            if (box->children->len > 0)
              header.height = box->header;
            if (my < header.y + header.height)
              {
                text = node_tooltip (self, box->id);
                map_rect_to_tip_area (self, &header, &area);
              }
          }
          break;

        case KT_MAP_BOX_CORE:
        case KT_MAP_BOX_L3:
        case KT_MAP_BOX_DIE:
        case KT_MAP_BOX_SOCKET:
          {
            KtMapRect header = box->rect;

            /* Only on the label band: the gaps between boxes say nothing */
            if (box->header > 0)
              header.height = box->header;
            if (my < header.y + header.height)
              {
                text = group_tooltip (self, box);
                map_rect_to_tip_area (self, &header, &area);
              }
          }
          break;

        case KT_MAP_BOX_HOST:
        default:
          break;
        }
    }

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  gtk_tooltip_set_tip_area (tooltip, &area);
  return TRUE;
}

/* Drawing ---------------------------------------------------------------- */

static GskRenderNode *
get_tile (KtMapCanvas *self,
          int          col,
          int          row)
{
  gpointer key = GUINT_TO_POINTER (((guint) col << 16) | (guint) row);
  GskRenderNode *node = g_hash_table_lookup (self->tiles, key);
  cairo_t *cr;

  if (node != NULL)
    return node;

  node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (TILE_ORIGIN + col * TILE_SIZE,
                                                  TILE_ORIGIN + row * TILE_SIZE,
                                                  TILE_SIZE, TILE_SIZE));
  cr = gsk_cairo_node_get_draw_context (node);
  cairo_rectangle (cr, TILE_ORIGIN + col * TILE_SIZE, TILE_ORIGIN + row * TILE_SIZE,
                   TILE_SIZE, TILE_SIZE);
  cairo_clip (cr);
  cairo_scale (cr, self->zoom, self->zoom);
  kt_map_paint_topology (cr, self->host, self->layout, &self->style);
  cairo_destroy (cr);
  g_hash_table_insert (self->tiles, key, node);
  return node;
}

static void
snapshot_topology (KtMapCanvas *self,
                   GtkSnapshot *snapshot,
                   double       ox,
                   double       oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double mw, mh;
  int c0, c1, r0, r1;

  if (self->tiles_zoom != self->zoom || self->tiles_scale != scale
      || self->tiles_style != self->style_serial)
    {
      clear_tiles (self);
      self->tiles_zoom = self->zoom;
      self->tiles_scale = scale;
      self->tiles_style = self->style_serial;
    }

  map_size (self, &mw, &mh);
  /* The tiles in view, within the map */
  c0 = MAX (0, (int) floor ((-ox - TILE_ORIGIN) / TILE_SIZE));
  r0 = MAX (0, (int) floor ((-oy - TILE_ORIGIN) / TILE_SIZE));
  c1 = MIN ((int) floor ((-ox + w - TILE_ORIGIN) / TILE_SIZE),
            (int) floor ((mw - 2 * TILE_ORIGIN) / TILE_SIZE));
  r1 = MIN ((int) floor ((-oy + h - TILE_ORIGIN) / TILE_SIZE),
            (int) floor ((mh - 2 * TILE_ORIGIN) / TILE_SIZE));
  for (int r = r0; r <= r1; r++)
    for (int c = c0; c <= c1; c++)
      gtk_snapshot_append_node (snapshot, get_tile (self, c, r));
}

static void
snapshot_overlay (KtMapCanvas *self,
                  GtkSnapshot *snapshot,
                  double       ox,
                  double       oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  KtMapPaintState state = { 0 };
  graphene_rect_t view, map, visible;
  double mw, mh;
  cairo_t *cr;

  map_size (self, &mw, &mh);
  view = GRAPHENE_RECT_INIT (-ox, -oy, w, h);
  map = GRAPHENE_RECT_INIT (TILE_ORIGIN, TILE_ORIGIN, mw - 2 * TILE_ORIGIN, mh - 2 * TILE_ORIGIN);
  if (!graphene_rect_intersection (&view, &map, &visible))
    return;

  state.selected_vm = self->selected_vm;
  state.selected_chips = self->selected_chips->len > 0 ? self->selected_chips : NULL;
  state.hover = self->moving->len == 0 ? self->hover : NULL;
  state.drop_target = self->moving->len > 0 ? self->drop_target : NULL;
  state.drop_allowed = self->drop_allowed;
  state.drop_cpus = self->moving->len > 0 ? self->drop_cpus : NULL;

  cr = gtk_snapshot_append_cairo (snapshot, &visible);
  cairo_scale (cr, self->zoom, self->zoom);
  kt_map_paint_overlay (cr, self->layout, self->overlay, &self->style, &state);
  cairo_destroy (cr);
}

static void
append_frame (GtkSnapshot           *snapshot,
              const graphene_rect_t *r,
              double                 radius,
              double                 width,
              const GdkRGBA         *color)
{
  GskRoundedRect rr;
  float widths[4] = { width, width, width, width };
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rr, r, radius);
  gtk_snapshot_append_border (snapshot, &rr, widths, colors);
}

static gboolean
focus_visible (KtMapCanvas *self)
{
  /* Only after a key: a click on the map after some keyboard use
   * elsewhere leaves no ring behind */
  return gtk_widget_has_focus (GTK_WIDGET (self)) && self->kbd_nav;
}

/* The chips being dragged, next to the pointer, and why not here */
static void
snapshot_ghost (KtMapCanvas *self,
                GtkSnapshot *snapshot)
{
  const ChipKey *first = &g_array_index (self->moving, ChipKey, 0);
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  KtMapColor color = kt_map_style_vm_color (&self->style,
                                            kt_map_overlay_vm_index (self->overlay, first->vm));
  gboolean light = 0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue > 0.55;
  GdkRGBA fill = rgba_from_color (color, 0.95);
  GdkRGBA ink = light ? (GdkRGBA) { 0, 0, 0, 0.85 } : (GdkRGBA) { 1, 1, 1, 1 };
  GskRoundedRect rr;
  int tw, th;
  double x, y;

  if (self->moving->len == 1)
    text = g_strdup_printf (_("%s vCPU %u"), kt_vm_get_name (first->vm), first->index);
  else
    text = g_strdup_printf (ngettext ("%s: %u vCPU", "%s: %u vCPUs", self->moving->len),
                            kt_vm_get_name (first->vm), self->moving->len);
  if (self->drop_target != NULL && !self->drop_allowed && self->drop_message != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", text, self->drop_message);

      replace_str (&text, both);
      fill = rgba_from_color (self->style.error, 0.95);
      ink = (GdkRGBA) { 1, 1, 1, 1 };
    }

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_size (layout, &tw, &th);
  x = round (self->pointer_x + 14);
  y = round (self->pointer_y + 14);

  gsk_rounded_rect_init_from_rect (&rr, &GRAPHENE_RECT_INIT (x, y, tw + 12, th + 6), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, &fill, &rr.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 6, y + 3));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_decorations (KtMapCanvas *self,
                      GtkSnapshot *snapshot)
{
  GdkRGBA accent = rgba_from_color (self->style.accent, 1.0);

  if (self->drag_mode == DRAG_BAND)
    {
      graphene_rect_t band;
      GdkRGBA fill = rgba_from_color (self->style.accent, 0.15);

      band_rect (self, &band);
      gtk_snapshot_append_color (snapshot, &fill, &band);
      append_frame (snapshot, &band, 0, 1, &accent);
    }

  if (focus_visible (self) && !self->kbd_moving && self->moving->len == 0)
    {
      const KtMapChip *chip = get_focus_chip (self);

      if (chip != NULL)
        {
          graphene_rect_t r = map_rect_to_widget (self, &chip->rect);

          graphene_rect_inset (&r, -3, -3);
          append_frame (snapshot, &r, 4, 2, &accent);
        }
    }

  if (self->kbd_moving && self->drop_target != NULL)
    {
      /* The painter marks the target; a ring makes it findable when small */
      graphene_rect_t r = map_rect_to_widget (self, &self->drop_target->rect);
      GdkRGBA ring = rgba_from_color (self->drop_allowed ? self->style.accent : self->style.error, 1.0);

      graphene_rect_inset (&r, -3, -3);
      append_frame (snapshot, &r, 5, 2, &ring);
    }

  if (self->drag_mode == DRAG_PIN && self->moving->len > 0)
    snapshot_ghost (self, snapshot);
}

/* KVMTUNE_TEST_GEOMETRY: where the vCPU chips, PUs and node headers are,
 * in window coordinates (the X window's, with CSD shadows), for xdotool */
static void
write_geometry (KtMapCanvas *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  double sx = 0, sy = 0;
  const GPtrArray *chips;
  graphene_point_t p;

  if (native == NULL || self->layout == NULL || self->overlay == NULL)
    return;
  gtk_native_get_surface_transform (native, &sx, &sy);

#define TO_WINDOW(rect, out)                                                         \
  G_STMT_START {                                                                     \
    graphene_rect_t _r = map_rect_to_widget (self, (rect));                          \
    graphene_point_t _c = GRAPHENE_POINT_INIT (_r.origin.x + _r.size.width / 2,     \
                                               _r.origin.y + _r.size.height / 2);    \
    if (!gtk_widget_compute_point (GTK_WIDGET (self), GTK_WIDGET (native), &_c, (out))) \
      return;                                                                        \
    (out)->x += sx;                                                                  \
    (out)->y += sy;                                                                  \
  } G_STMT_END

  g_string_append_printf (s, "zoom %.4f\n", self->zoom);
  {
    double mw, mh;

    map_size (self, &mw, &mh);
    /* The canvas's size and the map's, in pixels */
    g_string_append_printf (s, "canvas %d %d\n", gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)));
    g_string_append_printf (s, "map %.0f %.0f\n", mw, mh);
  }
  chips = kt_map_overlay_get_chips (self->overlay);
  for (guint c = 0; c < chips->len; c++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, c);
      g_autofree char *id = NULL;

      if (chip->kind != KT_THREAD_VCPU)
        continue;
      id = g_strdup_printf ("%s %u", kt_vm_get_name (chip->vm), chip->index);
      if (g_hash_table_contains (seen, id))
        continue;
      TO_WINDOW (&chip->rect, &p);
      g_string_append_printf (s, "chip %s %.0f %.0f\n", id, p.x, p.y);
      g_hash_table_add (seen, g_steal_pointer (&id));
    }
  for (guint i = 0; i < self->pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (self->pus, i);

      TO_WINDOW (&pu->rect, &p);
      g_string_append_printf (s, "pu %d %.0f %.0f\n", pu->id, p.x, p.y);
    }
  for (int n = 0; n < (int) kt_host_get_n_nodes (self->host); n++)
    {
      const KtMapBox *node = kt_map_layout_get_node (self->layout, kt_host_get_node (self->host, n)->id);
      KtMapRect header;

      if (node == NULL)
        continue;
      header = node->rect;
      header.height = node->header;
      TO_WINDOW (&header, &p);
      g_string_append_printf (s, "node %d %.0f %.0f\n", node->id, p.x, p.y);
    }
#undef TO_WINDOW

  /* The selection: "sel VM VCPU" (vCPUs only, each once) */
  for (guint i = 0; i < self->selection->len; i++)
    {
      const ChipKey *key = &g_array_index (self->selection, ChipKey, i);

      if (key->kind == KT_THREAD_VCPU && key->vm != NULL)
        g_string_append_printf (s, "sel %s %u\n", kt_vm_get_name (key->vm), key->index);
    }

  /* The keyboard focus ring: "ring VM VCPU" */
  if (focus_visible (self) && !self->kbd_moving && self->moving->len == 0
      && get_focus_chip (self) != NULL)
    {
      const KtMapChip *chip = get_focus_chip (self);

      g_string_append_printf (s, "ring %s %u\n", kt_vm_get_name (chip->vm), chip->index);
    }

  /* What a drop here would do: "drop allowed|refused CPUS" */
  if (self->moving->len > 0 && self->drop_target != NULL)
    {
      g_autofree char *cpus = NULL;

      if (self->drop_cpus != NULL)
        cpus = kt_cpuset_format (self->drop_cpus);
      g_string_append_printf (s, "drop %s %s\n", self->drop_allowed ? "allowed" : "refused",
                              cpus ? cpus : "-");
    }

  if (g_strcmp0 (s->str, self->geometry_last) == 0)
    return;
  if (!g_file_set_contents (self->geometry_path, s->str, s->len, &error))
    g_warning ("KVMTUNE_TEST_GEOMETRY: %s", error->message);
  replace_str (&self->geometry_last, s->str);
}

static void
quit_after_paint (GdkFrameClock *clock,
                  gpointer       data)
{
  g_signal_handlers_disconnect_by_func (clock, quit_after_paint, data);
  g_application_quit (g_application_get_default ());
}

static void
kt_map_canvas_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  GdkRGBA bg;
  double ox, oy;

  ensure_style (self);
  bg = rgba_from_color (self->style.window_bg, 1.0);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->layout == NULL || self->overlay == NULL)
    return;

  get_origin (self, &ox, &oy);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  snapshot_topology (self, snapshot, ox, oy);
  snapshot_overlay (self, snapshot, ox, oy);
  gtk_snapshot_restore (snapshot);

  snapshot_decorations (self, snapshot);
  gtk_snapshot_pop (snapshot);

  if (self->geometry_path != NULL)
    write_geometry (self);
  if (self->quit_after_map && !self->quit_scheduled)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

      /* Start-up benchmark: the map is up once this frame is painted */
      self->quit_scheduled = TRUE;
      if (clock != NULL)
        g_signal_connect (clock, "after-paint", G_CALLBACK (quit_after_paint), NULL);
    }
}

/* Size and scrolling ----------------------------------------------------- */

static void
kt_map_canvas_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  double mw, mh;

  map_size (self, &mw, &mh);
  *minimum = 64;
  *natural = MAX (64, (int) ceil ((orientation == GTK_ORIENTATION_HORIZONTAL ? mw : mh) + 2 * MARGIN));
}

static void
configure_adjustment (GtkAdjustment *adj,
                      double         content,
                      double         viewport,
                      double         value)
{
  double upper = MAX (content, viewport);

  value = CLAMP (value, 0, MAX (upper - viewport, 0));
  gtk_adjustment_configure (adj, value, 0, upper, viewport * 0.1, viewport * 0.9, viewport);
}

static void
kt_map_canvas_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  KtMapCanvas *self = KT_MAP_CANVAS (widget);
  double hval = gtk_adjustment_get_value (self->hadj);
  double vval = gtk_adjustment_get_value (self->vadj);
  double mw, mh;

  if ((self->fit_pending || self->fit_mode) && self->layout != NULL && width > 0 && height > 0)
    {
      double zoom;

      refit_layout (self, width, height);
      zoom = fit_zoom (self, width, height);

      self->fit_pending = FALSE;
      self->fit_mode = TRUE;
      self->anchor_pending = FALSE;
      if (!G_APPROX_VALUE (zoom, self->zoom, 1e-9))
        {
          self->zoom = zoom;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
          /* The scrolled window measured the old size */
          gtk_widget_queue_resize (widget);
        }
    }

  map_size (self, &mw, &mh);
  if (self->anchor_pending)
    {
      hval = MARGIN + self->anchor_mx * self->zoom - self->anchor_wx;
      vval = MARGIN + self->anchor_my * self->zoom - self->anchor_wy;
      self->anchor_pending = FALSE;
    }
  g_object_freeze_notify (G_OBJECT (self->hadj));
  g_object_freeze_notify (G_OBJECT (self->vadj));
  configure_adjustment (self->hadj, mw + 2 * MARGIN, width, hval);
  configure_adjustment (self->vadj, mh + 2 * MARGIN, height, vval);
  g_object_thaw_notify (G_OBJECT (self->hadj));
  g_object_thaw_notify (G_OBJECT (self->vadj));
}

static void
on_adjustment_value_changed (KtMapCanvas   *self,
                             GtkAdjustment *adj)
{
  update_hover (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (KtMapCanvas    *self,
                GtkOrientation  orientation,
                GtkAdjustment  *adj)
{
  GtkAdjustment **slot = orientation == GTK_ORIENTATION_HORIZONTAL ? &self->hadj : &self->vadj;

  if (adj != NULL && adj == *slot)
    return;
  if (adj == NULL)
    adj = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, on_adjustment_value_changed, self);
      g_object_unref (*slot);
    }
  *slot = g_object_ref_sink (adj);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_adjustment_value_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify (G_OBJECT (self), orientation == GTK_ORIENTATION_HORIZONTAL ? "hadjustment"
                                                                               : "vadjustment");
}

static void
kt_map_canvas_scrollable_init (GtkScrollableInterface *iface)
{
}

/* GObject ---------------------------------------------------------------- */

static void
on_scale_factor_changed (KtMapCanvas *self)
{
  clear_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
kt_map_canvas_dispose (GObject *object)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_func (self->plan, on_plan_changed, self);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->overlay, kt_map_overlay_free);
  g_clear_pointer (&self->observed, g_hash_table_unref);
  g_clear_pointer (&self->layout, kt_map_layout_free);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->host);
  g_clear_object (&self->selected_vm);
  if (self->selection != NULL)
    g_array_set_size (self->selection, 0);
  if (self->moving != NULL)
    g_array_set_size (self->moving, 0);
  if (self->selected_chips != NULL)
    g_ptr_array_set_size (self->selected_chips, 0);
  if (self->pus != NULL)
    g_ptr_array_set_size (self->pus, 0);
  chip_key_clear (&self->press_key);
  chip_key_clear (&self->focus_key);
  self->hover = self->drop_target = self->kbd_pu = NULL;
  clear_drop_sets (self);
  if (self->tiles != NULL)
    clear_tiles (self);
  if (self->hadj != NULL)
    g_signal_handlers_disconnect_by_func (self->hadj, on_adjustment_value_changed, self);
  if (self->vadj != NULL)
    g_signal_handlers_disconnect_by_func (self->vadj, on_adjustment_value_changed, self);
  g_clear_object (&self->hadj);
  g_clear_object (&self->vadj);

  G_OBJECT_CLASS (kt_map_canvas_parent_class)->dispose (object);
}

static void
kt_map_canvas_finalize (GObject *object)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  g_clear_pointer (&self->selection, g_array_unref);
  g_clear_pointer (&self->moving, g_array_unref);
  g_clear_pointer (&self->selected_chips, g_ptr_array_unref);
  g_clear_pointer (&self->pus, g_ptr_array_unref);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->drop_message, g_free);
  g_clear_pointer (&self->geometry_path, g_free);
  g_clear_pointer (&self->geometry_last, g_free);
  kt_map_style_clear (&self->style);

  G_OBJECT_CLASS (kt_map_canvas_parent_class)->finalize (object);
}

static void
kt_map_canvas_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_SELECTED_VM:
      g_value_set_object (value, self->selected_vm);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, self->selection->len);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadj);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadj);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_map_canvas_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KtMapCanvas *self = KT_MAP_CANVAS (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      kt_map_canvas_set_plan (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_VM:
      kt_map_canvas_set_selected_vm (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      kt_map_canvas_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_VERTICAL, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (GtkScrollablePolicy) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (GtkScrollablePolicy) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_map_canvas_class_init (KtMapCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_map_canvas_dispose;
  object_class->finalize = kt_map_canvas_finalize;
  object_class->get_property = kt_map_canvas_get_property;
  object_class->set_property = kt_map_canvas_set_property;

  widget_class->snapshot = kt_map_canvas_snapshot;
  widget_class->measure = kt_map_canvas_measure;
  widget_class->size_allocate = kt_map_canvas_size_allocate;
  widget_class->query_tooltip = kt_map_canvas_query_tooltip;
  widget_class->css_changed = kt_map_canvas_css_changed;
  widget_class->system_setting_changed = kt_map_canvas_system_setting_changed;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, KT_TYPE_PLAN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_VM] =
    g_param_spec_object ("selected-vm", NULL, NULL, KT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * KtMapCanvas:n-selected:
   *
   * How many threads (chips) are selected: "Pin to…" needs some
   */
  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * KtMapCanvas::vm-activated:
   * @vm: the chip's VM
   *
   * A chip was clicked (or picked with the keyboard)
   */
  signals[VM_ACTIVATED] =
    g_signal_new ("vm-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, KT_TYPE_VM);
  /**
   * KtMapCanvas::pin-failed:
   * @message: why, one translated sentence
   *
   * A drop (or a keyboard move) was refused
   */
  signals[PIN_FAILED] =
    g_signal_new ("pin-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_css_name (widget_class, "kt-map-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kt_map_canvas_init (KtMapCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;
  const char *geometry;

  self->zoom = 1.0;
  self->focus_chip = -1;
  self->fitted_w = self->fitted_h = -1;
  self->hscroll_policy = GTK_SCROLL_NATURAL;
  self->vscroll_policy = GTK_SCROLL_NATURAL;
  self->selection = chip_keys_new ();
  self->moving = chip_keys_new ();
  self->selected_chips = g_ptr_array_new ();
  self->pus = g_ptr_array_new ();
  self->tiles = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) gsk_render_node_unref);
  kt_map_style_init_default (&self->style, FALSE);

  set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, NULL);
  set_adjustment (self, GTK_ORIENTATION_VERTICAL, NULL);

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Host map"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Tab moves between VM threads; Enter picks one up, "
                                    "arrows choose where it goes, Enter pins it there"),
                                  -1);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_swapped (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect_swapped (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect_swapped (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect_swapped (gesture, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  /* Middle button: pan */
  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_MIDDLE);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (on_pan_begin), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (on_pan_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (on_focus_enter), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (widget, controller);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
  if (adw_is_initialized ())
    g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                             G_CALLBACK (invalidate_style), self, G_CONNECT_SWAPPED);

  self->quit_after_map = g_getenv ("KVMTUNE_BENCH_QUIT_AFTER_MAP") != NULL;
  geometry = g_getenv ("KVMTUNE_TEST_GEOMETRY");
  if (geometry != NULL && geometry[0] != '\0')
    self->geometry_path = g_strdup (geometry);
}

/* Public ----------------------------------------------------------------- */

GtkWidget *
kt_map_canvas_new (void)
{
  return g_object_new (KT_TYPE_MAP_CANVAS, NULL);
}

void
kt_map_canvas_set_plan (KtMapCanvas *self,
                        KtPlan      *plan)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (plan == NULL || KT_IS_PLAN (plan));

  if (plan == self->plan)
    return;

  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_func (self->plan, on_plan_changed, self);
  g_set_object (&self->plan, plan);
  if (plan != NULL)
    g_signal_connect_object (plan, "changed", G_CALLBACK (on_plan_changed), self,
                             G_CONNECT_SWAPPED);

  cancel_move (self);
  g_array_set_size (self->selection, 0);
  self->focus_chip = -1;
  chip_key_set (&self->focus_key, NULL);
  set_selected_vm_internal (self, NULL);
  rebuild (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
}

/**
 * kt_map_canvas_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan shown
 */
KtPlan *
kt_map_canvas_get_plan (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), NULL);
  return self->plan;
}

void
kt_map_canvas_set_selected_vm (KtMapCanvas *self,
                               KtVm        *vm)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  set_selected_vm_internal (self, vm);
}

/**
 * kt_map_canvas_get_selected_vm:
 *
 * Returns: (transfer none) (nullable): the highlighted VM
 */
KtVm *
kt_map_canvas_get_selected_vm (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), NULL);
  return self->selected_vm;
}

double
kt_map_canvas_get_zoom (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), 1.0);
  return self->zoom;
}

/**
 * kt_map_canvas_set_zoom:
 *
 * Zooms around the centre of the view, within 5 %–800 %
 */
void
kt_map_canvas_set_zoom (KtMapCanvas *self,
                        double       zoom)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (!isnan (zoom));

  set_zoom_full (self, zoom, FALSE, 0, 0);
}

void
kt_map_canvas_zoom_to_fit (KtMapCanvas *self)
{
  GtkWidget *widget;

  g_return_if_fail (KT_IS_MAP_CANVAS (self));

  widget = GTK_WIDGET (self);
  if (self->layout == NULL)
    return;
  if (gtk_widget_get_width (widget) <= 0 || gtk_widget_get_height (widget) <= 0)
    {
      /* Not allocated yet: on the first allocation */
      self->fit_pending = TRUE;
      gtk_widget_queue_resize (widget);
      return;
    }
  refit_layout (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  set_zoom_full (self, fit_zoom (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget)),
                 FALSE, 0, 0);
  /* Follows the window's size until zoomed by hand */
  self->fit_mode = TRUE;
}

void
kt_map_canvas_refresh (KtMapCanvas *self)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));

  rebuild (self, TRUE);
}

/**
 * kt_map_canvas_set_observed:
 * @observed: (nullable) (element-type utf8 GArray): VM name → the
 *   #KtObservedVcpu array of kt_observed_query_all (); %NULL clears
 *
 * Shows where running VMs' vCPUs ran last: a dot on each such pCPU.
 * Kept across refreshes until replaced.
 */
void
kt_map_canvas_set_observed (KtMapCanvas *self,
                            GHashTable  *observed)
{
  g_return_if_fail (KT_IS_MAP_CANVAS (self));

  if (observed == self->observed)
    return;
  g_clear_pointer (&self->observed, g_hash_table_unref);
  self->observed = observed != NULL ? g_hash_table_ref (observed) : NULL;
  if (self->overlay != NULL)
    {
      kt_map_overlay_set_observed (self->overlay, self->observed);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/**
 * kt_map_canvas_get_n_selected:
 *
 * Returns: how many threads are selected on the map
 */
guint
kt_map_canvas_get_n_selected (KtMapCanvas *self)
{
  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), 0);
  return self->selection->len;
}

/**
 * kt_map_canvas_pin_selected_to:
 * @cpuset: a libvirt cpuset, as "4-7,36-39"
 *
 * Pins the selected vCPUs (or the one with the keyboard focus) to
 * @cpuset through the plan, one kt_plan_pin() per VM: what "Pin to…" does.
 *
 * Returns: whether they were pinned
 */
gboolean
kt_map_canvas_pin_selected_to (KtMapCanvas  *self,
                               const char   *cpuset,
                               GError      **error)
{
  g_autoptr(KtCpuset) target = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autofree char *text = NULL;
  const KtMapChip *focus;

  g_return_val_if_fail (KT_IS_MAP_CANVAS (self), FALSE);
  g_return_val_if_fail (cpuset != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->plan == NULL || self->host == NULL)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no host to pin on"));
      return FALSE;
    }
  text = g_strstrip (g_strdup (cpuset));
  target = kt_cpuset_parse (text, error);
  if (target == NULL)
    return FALSE;
  if (kt_cpuset_is_empty (target))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, _("There is no CPU to pin to"));
      return FALSE;
    }
  if (!kt_host_check_cpuset (self->host, target, error))
    return FALSE;

  keys = chip_keys_new ();
  for (guint i = 0; i < self->selection->len; i++)
    chip_keys_add (keys, &g_array_index (self->selection, ChipKey, i));
  focus = get_focus_chip (self);
  if (keys->len == 0 && focus != NULL)
    {
      ChipKey key = chip_key_of (focus);

      chip_keys_add (keys, &key);
    }
  return pin_keys (self, keys, target, error);
}
