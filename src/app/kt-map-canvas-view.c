/* kt-map-canvas-view.c: the map's coordinates, zoom, scrolling and size
 *
 * widget = origin + map × zoom; the origin centres a map that fits and
 * follows the adjustments (GtkScrollable) when it does not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-canvas-private.h"

/* Geometry --------------------------------------------------------------- */

void
kt_map_canvas_map_size (KtMapCanvas *self,
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
void
kt_map_canvas_get_origin (KtMapCanvas *self,
                          double      *ox,
                          double      *oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double mw, mh;

  kt_map_canvas_map_size (self, &mw, &mh);
  if (mw + 2 * MARGIN <= w)
    *ox = round ((w - mw) / 2);
  else
    *ox = MARGIN - round (gtk_adjustment_get_value (self->hadj));
  if (mh + 2 * MARGIN <= h)
    *oy = round ((h - mh) / 2);
  else
    *oy = MARGIN - round (gtk_adjustment_get_value (self->vadj));
}

void
kt_map_canvas_widget_to_map (KtMapCanvas *self,
                             double       wx,
                             double       wy,
                             double      *mx,
                             double      *my)
{
  double ox, oy;

  kt_map_canvas_get_origin (self, &ox, &oy);
  *mx = (wx - ox) / self->zoom;
  *my = (wy - oy) / self->zoom;
}

graphene_rect_t
kt_map_canvas_map_rect_to_widget (KtMapCanvas     *self,
                                  const KtMapRect *r)
{
  double ox, oy;

  kt_map_canvas_get_origin (self, &ox, &oy);
  return GRAPHENE_RECT_INIT (ox + r->x * self->zoom, oy + r->y * self->zoom,
                             r->width * self->zoom, r->height * self->zoom);
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
void
kt_map_canvas_scroll_to_rect (KtMapCanvas     *self,
                              const KtMapRect *r)
{
  graphene_rect_t g = kt_map_canvas_map_rect_to_widget (self, r);
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

/* A drag near the edge scrolls that way */
void
kt_map_canvas_edge_scroll (KtMapCanvas *self,
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
  kt_map_canvas_clear_tiles (self);
  if (self->overlay != NULL)
    kt_map_canvas_replace_overlay (self);
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
        kt_map_canvas_widget_to_map (self, wx, wy, &self->anchor_mx, &self->anchor_my);
      self->anchor_wx = wx;
      self->anchor_wy = wy;
      self->anchor_pending = TRUE;
    }
  self->zoom = zoom;
  self->fit_pending = FALSE;
  self->fit_mode = FALSE;
  gtk_widget_queue_resize (widget);
  kt_map_canvas_notify_zoom (self);
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
on_zoom_begin (KtMapCanvas      *self,
               GdkEventSequence *sequence,
               GtkGesture       *gesture)
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

/* Middle button: pan */
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

/* Size and scrolling ----------------------------------------------------- */

void
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

  kt_map_canvas_map_size (self, &mw, &mh);
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

void
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
          kt_map_canvas_notify_zoom (self);
          /* The scrolled window measured the old size */
          gtk_widget_queue_resize (widget);
        }
    }

  kt_map_canvas_map_size (self, &mw, &mh);
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
  kt_map_canvas_update_hover (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
kt_map_canvas_set_adjustment (KtMapCanvas    *self,
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

void
kt_map_canvas_view_dispose (KtMapCanvas *self)
{
  if (self->hadj != NULL)
    g_signal_handlers_disconnect_by_func (self->hadj, on_adjustment_value_changed, self);
  if (self->vadj != NULL)
    g_signal_handlers_disconnect_by_func (self->vadj, on_adjustment_value_changed, self);
  g_clear_object (&self->hadj);
  g_clear_object (&self->vadj);
}

void
kt_map_canvas_view_init (KtMapCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;

  self->zoom = 1.0;
  self->fitted_w = self->fitted_h = -1;
  self->hscroll_policy = GTK_SCROLL_NATURAL;
  self->vscroll_policy = GTK_SCROLL_NATURAL;
  kt_map_canvas_set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, NULL);
  kt_map_canvas_set_adjustment (self, GTK_ORIENTATION_VERTICAL, NULL);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_swapped (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect_swapped (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  /* Middle button: pan (the primary button's drag is input's) */
  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_MIDDLE);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (on_pan_begin), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (on_pan_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));
}

/* Public ----------------------------------------------------------------- */

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
