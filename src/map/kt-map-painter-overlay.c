/* kt-map-painter-overlay.c: paints the VMs over the host map
 *
 * Chips, floating spans, conflict marks, pending pins, where vCPUs ran
 * last, and the selection and drag feedback, on every frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "kt-map-painter-private.h"

/* Overlay ---------------------------------------------------------------- */

/* The rectangles of the PUs of @cpus that are visible, into p->rects */
static void
rects_of_pus (Painter           *p,
              const KtMapLayout *layout,
              const KtCpuset    *cpus)
{
  g_array_set_size (p->rects, 0);
  for (int c = kt_cpuset_first (cpus); c >= 0; c = kt_cpuset_next (cpus, c))
    {
      const KtMapBox *pu = kt_map_layout_get_pu (layout, c);

      if (pu != NULL && kt_map_painter_visible (p, &pu->rect))
        g_array_append_val (p->rects, pu->rect);
    }
}

static void
fill_scratch (Painter *p,
              double   radius,
              int      ring)
{
  if (p->rects->len > 0)
    kt_map_painter_fill_rects (p, (const KtMapRect *) p->rects->data, p->rects->len, radius, ring);
}

/* A VM's colour; muted, half-way to the background, while it does not
 * run (shut off, crashed): its pins are only what it will boot with */
static KtMapColor
vm_color (const Painter *p,
          KtVm          *vm,
          guint          vm_index)
{
  return kt_map_style_vm_color_muted (p->style, vm_index,
                                      vm != NULL && !kt_vm_state_is_active (kt_vm_get_state (vm)));
}

static gboolean
vm_dimmed (const KtMapPaintState *state,
           KtVm                  *vm)
{
  return state != NULL && state->selected_vm != NULL && state->selected_vm != vm;
}

/* Floating threads: each VM's union of sets hatched once in its colour,
 * and tinted when vCPUs float (a floating emulator alone is common and
 * less telling) */
typedef struct
{
  const KtMapSpan *first;
  KtCpuset        *cpus;
  gboolean         vcpus;
} VmSpans;

static void
vm_spans_clear (gpointer data)
{
  VmSpans *v = data;

  kt_cpuset_free (v->cpus);
}

static void
paint_spans (Painter               *p,
             const KtMapLayout     *layout,
             const KtMapOverlay    *overlay,
             const KtMapPaintState *state)
{
  const GPtrArray *spans = kt_map_overlay_get_spans (overlay);
  g_autoptr(GArray) vms = NULL;

  if (spans->len == 0)
    return;
  vms = g_array_new (FALSE, FALSE, sizeof (VmSpans));
  g_array_set_clear_func (vms, vm_spans_clear);
  for (guint i = 0; i < spans->len; i++)
    {
      const KtMapSpan *span = g_ptr_array_index (spans, i);
      VmSpans *v = NULL;

      for (guint j = 0; j < vms->len && v == NULL; j++)
        if (g_array_index (vms, VmSpans, j).first->vm == span->vm)
          v = &g_array_index (vms, VmSpans, j);
      if (v == NULL)
        {
          VmSpans add = { span, kt_cpuset_copy (span->allowed), FALSE };

          g_array_append_val (vms, add);
          v = &g_array_index (vms, VmSpans, vms->len - 1);
        }
      else
        kt_cpuset_union_in (v->cpus, span->allowed);
      if (span->kind == KT_THREAD_VCPU)
        v->vcpus = TRUE;
    }

  for (guint i = 0; i < vms->len; i++)
    {
      const VmSpans *v = &g_array_index (vms, VmSpans, i);
      KtMapColor color = vm_color (p, v->first->vm, v->first->vm_index);
      double alpha = vm_dimmed (state, v->first->vm) ? DIM_ALPHA : 1.0;
      cairo_pattern_t *hatch;

      rects_of_pus (p, layout, v->cpus);
      if (v->vcpus)
        {
          set_color (p->cr, with_alpha (color, 0.08 * alpha));
          fill_scratch (p, 3, 0);
        }
      /* Shifted per VM so that the stripes of four VMs interleave */
      hatch = kt_map_painter_hatch_pattern (p, with_alpha (color, (v->vcpus ? 0.7 : 0.4) * alpha),
                                            (v->first->vm_index * 2) % HATCH_PX);
      cairo_set_source (p->cr, hatch);
      fill_scratch (p, 3, 0);
      cairo_pattern_destroy (hatch);
    }
}

static int
compare_chip_vm (gconstpointer a,
                 gconstpointer b)
{
  const KtMapChip *x = *(const KtMapChip * const *) a;
  const KtMapChip *y = *(const KtMapChip * const *) b;

  if (x->vm_index != y->vm_index)
    return x->vm_index < y->vm_index ? -1 : 1;
  return x->cpu - y->cpu;
}

static void
chip_labels (const KtMapChip *chip,
             char            *full,
             char            *brief,
             gsize            size)
{
  switch (chip->kind)
    {
    case KT_THREAD_VCPU:
      /* Translators: a vCPU on the map, in a chip a few letters wide */
      g_snprintf (full, size, C_("map chip", "v%u"), chip->index);
      g_snprintf (brief, size, "%u", chip->index);
      break;
    case KT_THREAD_EMULATOR:
      /* Translators: the emulator thread on the map, in a chip a few letters wide */
      g_strlcpy (full, C_("map chip", "emu"), size);
      /* Translators: the emulator thread on the map, in a chip one letter wide */
      g_strlcpy (brief, C_("map chip", "e"), size);
      break;
    case KT_THREAD_IOTHREAD:
    default:
      /* Translators: an iothread on the map, in a chip a few letters wide */
      g_snprintf (full, size, C_("map chip", "io%u"), chip->index);
      g_snprintf (brief, size, "%u", chip->index);
      break;
    }
}

static void
paint_chips (Painter               *p,
             const KtMapOverlay    *overlay,
             const KtMapPaintState *state)
{
  const GPtrArray *all = kt_map_overlay_get_chips (overlay);
  g_autoptr(GPtrArray) chips = g_ptr_array_sized_new (all->len);
  GlyphBatch texts[2][2];   /* [dark text][dimmed] */
  gboolean any_pending = FALSE;
  double radius;

  for (guint i = 0; i < all->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (all, i);

      if (kt_map_painter_visible (p, &chip->rect))
        g_ptr_array_add (chips, (gpointer) chip);
    }
  if (chips->len == 0)
    return;
  g_ptr_array_sort (chips, compare_chip_vm);
  radius = MIN (3.0, ((const KtMapChip *) g_ptr_array_index (chips, 0))->rect.height / 3);

  /* One fill per VM, and another for its pending chips, lighter */
  for (guint start = 0, end; start < chips->len; start = end)
    {
      const KtMapChip *first = g_ptr_array_index (chips, start);
      KtMapColor color = vm_color (p, first->vm, first->vm_index);
      double alpha = vm_dimmed (state, first->vm) ? DIM_ALPHA : 1.0;

      for (guint pending = 0; pending < 2; pending++)
        {
          g_array_set_size (p->rects, 0);
          for (end = start; end < chips->len; end++)
            {
              const KtMapChip *chip = g_ptr_array_index (chips, end);

              if (chip->vm_index != first->vm_index)
                break;
              if (!chip->pending == !pending)
                g_array_append_val (p->rects, chip->rect);
            }
          if (pending)
            {
              set_color (p->cr, with_alpha (mix (color, flatten (p->style->accent, color), 0.35),
                                            0.55 * alpha));
              any_pending |= p->rects->len > 0;
            }
          else
            set_color (p->cr, with_alpha (color, alpha));
          fill_scratch (p, radius, 0);
        }
    }

  /* Pending: a dashed outline in the accent colour */
  if (any_pending)
    {
      double dash[] = { 3 * p->px, 2 * p->px };

      cairo_save (p->cr);
      cairo_new_path (p->cr);
      for (guint i = 0; i < chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, i);
          KtMapRect s;

          if (!chip->pending)
            continue;
          s = kt_map_painter_snap (p, &chip->rect);
          cairo_rectangle (p->cr, s.x + 0.75 * p->px, s.y + 0.75 * p->px,
                           s.width - 1.5 * p->px, s.height - 1.5 * p->px);
        }
      cairo_set_dash (p->cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_set_line_width (p->cr, 1.5 * p->px);
      set_color (p->cr, p->style->accent);
      cairo_stroke (p->cr);
      cairo_restore (p->cr);
    }

  /* Their labels, in four runs at most */
  if (!kt_map_painter_text_fits (p, FONT_CHIP,
                                 ((const KtMapChip *) g_ptr_array_index (chips, 0))->rect.height))
    return;
  for (guint d = 0; d < 2; d++)
    for (guint m = 0; m < 2; m++)
      kt_map_painter_batch_init (&texts[d][m], FONT_CHIP,
                                 with_alpha (d ? rgba (0x000000, 0.85) : rgb (0xffffff), m ? DIM_ALPHA : 1.0));
  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);
      KtMapColor color = vm_color (p, chip->vm, chip->vm_index);
      GlyphBatch *batch = &texts[luminance (text_on (color)) < 0.5][vm_dimmed (state, chip->vm)];
      KtMapRect area = { chip->rect.x + 1, chip->rect.y, chip->rect.width - 2, chip->rect.height };
      char full[32], brief[32];

      chip_labels (chip, full, brief, sizeof full);
      if (!kt_map_painter_draw_text (p, FONT_CHIP, full, &area, 0.5, batch->color, batch, NULL))
        kt_map_painter_draw_text (p, FONT_CHIP, brief, &area, 0.5, batch->color, batch, NULL);
    }
  for (guint d = 0; d < 2; d++)
    for (guint m = 0; m < 2; m++)
      kt_map_painter_batch_flush (p, &texts[d][m]);
}

/* Shared pCPUs: an error outline and badge; other issues: a warning
 * corner */
static void
paint_issues (Painter            *p,
              const KtMapLayout  *layout,
              const KtMapOverlay *overlay)
{
  const GPtrArray *issues = kt_map_overlay_get_issues (overlay);
  g_autoptr(KtCpuset) shared = kt_cpuset_new ();
  g_autoptr(KtCpuset) warned = kt_cpuset_new ();

  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (issue->cpus == NULL)
        continue;
      for (int c = kt_cpuset_first (issue->cpus); c >= 0; c = kt_cpuset_next (issue->cpus, c))
        {
          if (kt_map_overlay_cpu_is_shared (overlay, c))
            kt_cpuset_add (shared, c);
          else if (issue->kind != KT_ISSUE_SHARED_PCPU)
            kt_cpuset_add (warned, c);
        }
    }

  /* A triangle in the top right corner, in steps of whole pixels */
  if (!kt_cpuset_is_empty (warned))
    {
      rects_of_pus (p, layout, warned);
      for (guint i = 0; i < p->rects->len; i++)
        {
          KtMapRect s = kt_map_painter_snap (p, &g_array_index (p->rects, KtMapRect, i));
          double right = round ((s.x + s.width) * p->matrix.xx + p->matrix.x0);
          double top = round (s.y * p->matrix.yy + p->matrix.y0);
          int size = (int) MIN (MAX (MIN (9.0 * p->scale, 14), 5), s.height * p->scale * 0.4);

          for (int row = 0; row < size; row++)
            kt_map_painter_rect_px (p, right - (size - row), top + row, size - row, 1);
        }
      set_color (p->cr, p->style->warning);
      kt_map_painter_fill_boxes (p);
    }

  /* An outline and a round badge in the same corner */
  if (!kt_cpuset_is_empty (shared))
    {
      rects_of_pus (p, layout, shared);
      set_color (p->cr, p->style->error);
      fill_scratch (p, 3, 2);
      for (guint i = 0; i < p->rects->len; i++)
        {
          KtMapRect *s = &g_array_index (p->rects, KtMapRect, i);
          double r = MIN (MAX (MIN (3.5, 5 * p->px), 2.5 * p->px), s->height * 0.18);

          *s = (KtMapRect) { s->x + s->width - 2 * r - 3 * p->px, s->y + 3 * p->px, 2 * r, 2 * r };
        }
      fill_scratch (p, 3.5, 0);
    }
}

/* Observed placement ------------------------------------------------------ */

static int
compare_observed_vm (gconstpointer a,
                     gconstpointer b)
{
  const KtMapObserved *x = *(const KtMapObserved * const *) a;
  const KtMapObserved *y = *(const KtMapObserved * const *) b;

  return x->vm_index < y->vm_index ? -1 : x->vm_index > y->vm_index;
}

/* Where running vCPUs ran last: a dot in the VM's colour, ringed in the
 * foreground colour, in the PU's header band (kt_map_overlay_set_observed) */
static void
paint_observed (Painter               *p,
                const KtMapOverlay    *overlay,
                const KtMapPaintState *state)
{
  const GPtrArray *all = kt_map_overlay_get_observed (overlay);
  g_autoptr(GPtrArray) dots = g_ptr_array_new ();
  double radius;   /* half a dot or more: kt_map_painter_fill_rects () makes it a disc */

  for (guint i = 0; i < all->len; i++)
    {
      const KtMapObserved *o = g_ptr_array_index (all, i);

      if (kt_map_painter_visible (p, &o->rect))
        g_ptr_array_add (dots, (gpointer) o);
    }
  /* Too small to tell apart from a speck */
  if (dots->len == 0
      || ((const KtMapObserved *) g_ptr_array_index (dots, 0))->rect.width * p->scale < 3)
    return;
  radius = ((const KtMapObserved *) g_ptr_array_index (dots, 0))->rect.width;
  g_ptr_array_sort (dots, compare_observed_vm);

  /* The rings, one fill for the bright ones and one for the dimmed */
  for (guint dim = 0; dim < 2; dim++)
    {
      g_array_set_size (p->rects, 0);
      for (guint i = 0; i < dots->len; i++)
        {
          const KtMapObserved *o = g_ptr_array_index (dots, i);
          KtMapRect r = kt_map_painter_grow (&o->rect, p->px);

          if (!vm_dimmed (state, o->vm) == !dim)
            g_array_append_val (p->rects, r);
        }
      set_color (p->cr, with_alpha (p->style->fg, dim ? DIM_ALPHA : 0.9));
      fill_scratch (p, radius, 0);
    }

  /* Each VM's dots in its colour */
  for (guint start = 0, end; start < dots->len; start = end)
    {
      const KtMapObserved *first = g_ptr_array_index (dots, start);
      KtMapColor color = vm_color (p, first->vm, first->vm_index);

      g_array_set_size (p->rects, 0);
      for (end = start; end < dots->len; end++)
        {
          const KtMapObserved *o = g_ptr_array_index (dots, end);

          if (o->vm_index != first->vm_index)
            break;
          g_array_append_val (p->rects, o->rect);
        }
      set_color (p->cr, with_alpha (color, vm_dimmed (state, first->vm) ? DIM_ALPHA : 1.0));
      fill_scratch (p, radius, 0);
    }
}

/* What a finding concerns: its nodes outlined, its pCPUs tinted and
 * ringed, its vCPU chips ringed, in the warning colour */
static void
paint_highlight (Painter               *p,
                 const KtMapLayout     *layout,
                 const KtMapOverlay    *overlay,
                 const KtMapPaintState *state)
{
  const KtMapColor color = p->style->warning;

  if (state->highlight_nodes != NULL)
    {
      const KtCpuset *nodes = state->highlight_nodes;

      g_array_set_size (p->rects, 0);
      for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
        {
          const KtMapBox *box = kt_map_layout_get_node (layout, n);

          if (box != NULL && kt_map_painter_visible (p, &box->rect))
            g_array_append_val (p->rects, box->rect);
        }
      set_color (p->cr, color);
      fill_scratch (p, 6, 3);
    }
  if (state->highlight_pcpus != NULL)
    {
      rects_of_pus (p, layout, state->highlight_pcpus);
      set_color (p->cr, with_alpha (color, 0.22));
      fill_scratch (p, 3, 0);
      set_color (p->cr, color);
      fill_scratch (p, 3, 2);
    }
  if (state->highlight_vm != NULL)
    {
      const GPtrArray *chips = kt_map_overlay_get_chips (overlay);

      g_array_set_size (p->rects, 0);
      for (guint i = 0; i < chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, i);
          KtMapRect r;

          if (chip->vm != state->highlight_vm || chip->kind != KT_THREAD_VCPU
              || (state->highlight_vcpus != NULL
                  && !kt_cpuset_contains (state->highlight_vcpus, chip->index)))
            continue;
          r = kt_map_painter_grow (&chip->rect, 2 * p->px);
          if (kt_map_painter_visible (p, &r))
            g_array_append_val (p->rects, r);
        }
      set_color (p->cr, color);
      fill_scratch (p, 3 + 2 * p->px, 2);
    }
}

/**
 * kt_map_paint_overlay:
 * @state: (nullable): selection, hover and drag feedback
 *
 * Paints the VMs over kt_map_paint_topology()'s boxes, with the same
 * transformation.
 */
void
kt_map_paint_overlay (cairo_t               *cr,
                      const KtMapLayout     *layout,
                      const KtMapOverlay    *overlay,
                      const KtMapStyle      *style,
                      const KtMapPaintState *state)
{
  Painter p;
  KtMapColor drop;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (layout != NULL);
  g_return_if_fail (overlay != NULL);
  g_return_if_fail (style != NULL);

  kt_map_painter_init (&p, cr, style);
  cairo_save (cr);

  drop = state != NULL && state->drop_allowed ? style->accent : style->error;
  if (state != NULL && state->drop_target != NULL)
    {
      set_color (cr, with_alpha (drop, 0.3));
      kt_map_painter_fill_rect (&p, &state->drop_target->rect, 4, 0);
    }
  if (state != NULL && state->drop_cpus != NULL)
    {
      /* Every pCPU a multi-vCPU drop spreads over */
      rects_of_pus (&p, layout, state->drop_cpus);
      set_color (cr, with_alpha (drop, 0.3));
      fill_scratch (&p, 4, 0);
    }

  paint_spans (&p, layout, overlay, state);
  paint_chips (&p, overlay, state);
  paint_issues (&p, layout, overlay);
  paint_observed (&p, overlay, state);

  /* The selected VM's pCPUs */
  if (state != NULL && state->selected_vm != NULL)
    {
      const GPtrArray *chips = kt_map_overlay_get_chips (overlay);
      const GPtrArray *spans = kt_map_overlay_get_spans (overlay);
      g_autoptr(KtCpuset) cpus = kt_cpuset_new ();

      for (guint i = 0; i < chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (chips, i);

          if (chip->vm == state->selected_vm)
            kt_cpuset_add (cpus, chip->cpu);
        }
      for (guint i = 0; i < spans->len; i++)
        {
          const KtMapSpan *span = g_ptr_array_index (spans, i);

          if (span->vm == state->selected_vm)
            kt_cpuset_union_in (cpus, span->allowed);
        }
      rects_of_pus (&p, layout, cpus);
      set_color (cr, style->accent);
      fill_scratch (&p, 3, 2);
    }

  if (state != NULL)
    paint_highlight (&p, layout, overlay, state);

  /* Selected chips: a ring just outside them */
  if (state != NULL && state->selected_chips != NULL && state->selected_chips->len > 0)
    {
      g_array_set_size (p.rects, 0);
      for (guint i = 0; i < state->selected_chips->len; i++)
        {
          const KtMapChip *chip = g_ptr_array_index (state->selected_chips, i);
          KtMapRect r = kt_map_painter_grow (&chip->rect, 2 * p.px);

          g_array_append_val (p.rects, r);
        }
      set_color (cr, style->accent);
      fill_scratch (&p, 3 + 2 * p.px, 2);
    }

  if (state != NULL && state->hover != NULL)
    {
      set_color (cr, with_alpha (style->accent, 0.7));
      kt_map_painter_fill_rect (&p, &state->hover->rect, 4, 2);
    }
  if (state != NULL && state->drop_target != NULL)
    {
      set_color (cr, drop);
      kt_map_painter_fill_rect (&p, &state->drop_target->rect, 4, 2);
    }
  if (state != NULL && state->drop_cpus != NULL)
    {
      rects_of_pus (&p, layout, state->drop_cpus);
      set_color (cr, drop);
      fill_scratch (&p, 4, 2);
    }

  cairo_restore (cr);
  kt_map_painter_finish (&p);
}


