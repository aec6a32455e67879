/* kt-map-overlay.c: the VMs drawn over the host map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-overlay.h"

#define CHIP_PAD 2.0
#define OBSERVED_DOT 5.0    /* map units */
#define OBSERVED_GAP 1.5

struct _KtMapOverlay
{
  KtSnapshot        *snapshot;
  const KtMapLayout *layout;
  GPtrArray         *placements;  /* KtPlacement; keeps the chips' VMs and sets alive */
  GPtrArray         *chips;       /* KtMapChip, by CPU then VM order */
  GPtrArray         *by_cpu;      /* GPtrArray of KtMapChip * (borrowed), by CPU id */
  GPtrArray         *spans;       /* KtMapSpan */
  GPtrArray         *issues;      /* KtIssue */
  KtCpuset          *shared;
  guint              n_vms;
  GPtrArray         *observed;    /* KtMapObserved, by CPU then VM order */
};

static void
chip_free (gpointer data)
{
  g_free (data);
}

static void
list_free (gpointer data)
{
  if (data != NULL)
    g_ptr_array_unref (data);
}

static void
span_free (gpointer data)
{
  g_free (data);
}

static GPtrArray *
chips_at (KtMapOverlay *self,
          int           cpu)
{
  if ((guint) cpu >= self->by_cpu->len)
    g_ptr_array_set_size (self->by_cpu, cpu + 1);
  if (g_ptr_array_index (self->by_cpu, cpu) == NULL)
    g_ptr_array_index (self->by_cpu, cpu) = g_ptr_array_new ();
  return g_ptr_array_index (self->by_cpu, cpu);
}

/* Chips share their pCPU's box in a grid, in the order they were added */
static void
place_chips (KtMapOverlay *self)
{
  for (guint cpu = 0; cpu < self->by_cpu->len; cpu++)
    {
      GPtrArray *list = g_ptr_array_index (self->by_cpu, cpu);
      const KtMapBox *pu = kt_map_layout_get_pu (self->layout, (int) cpu);
      guint n, cols, rows;
      double w, h;

      if (list == NULL || list->len == 0 || pu == NULL)
        continue;
      n = list->len;
      /* Boxes are wider than tall: more columns than rows */
      cols = (guint) ceil (sqrt (n * pu->rect.width / pu->rect.height));
      cols = CLAMP (cols, 1, n);
      rows = (n + cols - 1) / cols;
      w = (pu->rect.width - CHIP_PAD * (cols + 1)) / cols;
      h = (pu->rect.height * 0.6 - CHIP_PAD * (rows + 1)) / rows;
      for (guint i = 0; i < n; i++)
        {
          KtMapChip *chip = g_ptr_array_index (list, i);

          chip->rect.x = pu->rect.x + CHIP_PAD + (i % cols) * (w + CHIP_PAD);
          /* The top 40 % of the box keeps the PU number */
          chip->rect.y = pu->rect.y + pu->rect.height * 0.4 + CHIP_PAD + (i / cols) * (h + CHIP_PAD);
          chip->rect.width = MAX (w, 0.5);
          chip->rect.height = MAX (h, 0.5);
        }
    }
}

/**
 * kt_map_overlay_new:
 * @plan: (nullable): marks pending pins
 * @layout: the layout the chips are placed in; must outlive the overlay
 */
KtMapOverlay *
kt_map_overlay_new (KtSnapshot        *snapshot,
                    KtPlan            *plan,
                    const KtMapLayout *layout)
{
  KtMapOverlay *self;
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (plan == NULL || KT_IS_PLAN (plan), NULL);
  g_return_val_if_fail (layout != NULL, NULL);

  self = g_new0 (KtMapOverlay, 1);
  self->snapshot = g_object_ref (snapshot);
  self->layout = layout;
  self->placements = kt_placement_list (snapshot);
  self->chips = g_ptr_array_new_with_free_func (chip_free);
  self->by_cpu = g_ptr_array_new_with_free_func (list_free);
  self->spans = g_ptr_array_new_with_free_func (span_free);
  self->issues = kt_analyze (snapshot);
  self->observed = g_ptr_array_new_with_free_func (g_free);
  self->shared = kt_analysis_shared_cpus (self->issues);

  vms = kt_snapshot_get_vms (snapshot);
  self->n_vms = g_list_model_get_n_items (vms);

  for (guint i = 0; i < self->placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (self->placements, i);
      guint vm_index = 0;

      g_list_store_find (G_LIST_STORE (vms), p->vm, &vm_index);
      if (!p->pinned)
        {
          KtMapSpan *span;

          /* Unpinned emulator and I/O threads float almost everywhere;
           * drawing them would hatch the whole map.  Floating vCPUs are
           * what an admin needs to see. */
          if (p->kind != KT_THREAD_VCPU)
            continue;
          span = g_new0 (KtMapSpan, 1);

          span->vm = p->vm;
          span->vm_index = vm_index;
          span->kind = p->kind;
          span->index = p->index;
          span->allowed = p->allowed;
          g_ptr_array_add (self->spans, span);
          continue;
        }
      for (int c = kt_cpuset_first (p->allowed); c >= 0; c = kt_cpuset_next (p->allowed, c))
        {
          KtMapChip *chip;

          if (kt_map_layout_get_pu (layout, c) == NULL)
            continue;   /* pinned to a CPU the host does not have */
          chip = g_new0 (KtMapChip, 1);
          chip->vm = p->vm;
          chip->vm_index = vm_index;
          chip->kind = p->kind;
          chip->index = p->index;
          chip->cpu = c;
          chip->allowed = p->allowed;
          chip->pending = plan != NULL && p->kind == KT_THREAD_VCPU
                          && kt_plan_is_pending (plan, p->vm, p->index);
          g_ptr_array_add (chips_at (self, c), chip);
        }
    }

  /* Flatten in CPU order, owning the chips in one array */
  for (guint cpu = 0; cpu < self->by_cpu->len; cpu++)
    {
      GPtrArray *list = g_ptr_array_index (self->by_cpu, cpu);

      for (guint i = 0; list != NULL && i < list->len; i++)
        g_ptr_array_add (self->chips, g_ptr_array_index (list, i));
    }
  place_chips (self);
  return self;
}

void
kt_map_overlay_free (KtMapOverlay *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->by_cpu);
  g_ptr_array_unref (self->chips);
  g_ptr_array_unref (self->spans);
  g_ptr_array_unref (self->issues);
  g_ptr_array_unref (self->placements);
  g_ptr_array_unref (self->observed);
  kt_cpuset_free (self->shared);
  g_object_unref (self->snapshot);
  g_free (self);
}

KtSnapshot *
kt_map_overlay_get_snapshot (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->snapshot;
}

const GPtrArray *
kt_map_overlay_get_chips (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->chips;
}

/**
 * kt_map_overlay_chips_on:
 *
 * Returns: (transfer container) (element-type KtMapChip): the chips on @cpu
 */
GPtrArray *
kt_map_overlay_chips_on (const KtMapOverlay *self,
                         int                 cpu)
{
  GPtrArray *list;

  g_return_val_if_fail (self != NULL, NULL);

  if (cpu < 0 || (guint) cpu >= self->by_cpu->len
      || (list = g_ptr_array_index (self->by_cpu, cpu)) == NULL)
    return g_ptr_array_new ();
  return g_ptr_array_copy (list, NULL, NULL);
}

const GPtrArray *
kt_map_overlay_get_spans (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->spans;
}

const GPtrArray *
kt_map_overlay_get_issues (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->issues;
}

gboolean
kt_map_overlay_cpu_is_shared (const KtMapOverlay *self,
                              int                 cpu)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return cpu >= 0 && kt_cpuset_contains (self->shared, (guint) cpu);
}

/**
 * kt_map_overlay_issues_of:
 *
 * Returns: (transfer container) (element-type KtIssue): @vm's issues,
 * including pCPUs it shares with another VM
 */
GPtrArray *
kt_map_overlay_issues_of (const KtMapOverlay *self,
                          KtVm               *vm)
{
  GPtrArray *list = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, list);

  for (guint i = 0; i < self->issues->len; i++)
    {
      KtIssue *issue = g_ptr_array_index (self->issues, i);

      if (issue->vm == vm || issue->other == vm)
        g_ptr_array_add (list, issue);
    }
  return list;
}

/**
 * kt_map_overlay_hit_chip:
 *
 * Returns: (nullable): the chip at (@x, @y) in map units
 */
const KtMapChip *
kt_map_overlay_hit_chip (const KtMapOverlay *self,
                         double              x,
                         double              y)
{
  const KtMapBox *box;
  GPtrArray *list;

  g_return_val_if_fail (self != NULL, NULL);

  box = kt_map_layout_hit_test (self->layout, x, y);
  if (box == NULL || box->kind != KT_MAP_BOX_PU || (guint) box->id >= self->by_cpu->len)
    return NULL;
  list = g_ptr_array_index (self->by_cpu, box->id);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (list, i);

      if (x >= chip->rect.x && x < chip->rect.x + chip->rect.width
          && y >= chip->rect.y && y < chip->rect.y + chip->rect.height)
        return chip;
    }
  return NULL;
}

guint
kt_map_overlay_get_n_vms (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_vms;
}

guint
kt_map_overlay_vm_index (const KtMapOverlay *self,
                         KtVm               *vm)
{
  guint pos = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_list_store_find (G_LIST_STORE (kt_snapshot_get_vms (self->snapshot)), vm, &pos);
  return pos;
}

/* Observed placement ------------------------------------------------------ */

static int
compare_observed (gconstpointer a,
                  gconstpointer b)
{
  const KtMapObserved *x = *(const KtMapObserved * const *) a;
  const KtMapObserved *y = *(const KtMapObserved * const *) b;

  if (x->cpu != y->cpu)
    return x->cpu < y->cpu ? -1 : 1;
  if (x->vm_index != y->vm_index)
    return x->vm_index < y->vm_index ? -1 : 1;
  return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

/* Dots in a row from the bottom right corner of the PU's box, leftwards,
 * over the chips' corner (the header band has the PU number, the core's
 * name and the badges); as many as fit, smaller when the box is */
static void
place_observed (KtMapOverlay *self)
{
  for (guint start = 0, end; start < self->observed->len; start = end)
    {
      const KtMapObserved *first = g_ptr_array_index (self->observed, start);
      const KtMapBox *pu = kt_map_layout_get_pu (self->layout, first->cpu);
      double d = MIN (OBSERVED_DOT, pu->rect.height * 0.25);
      double right = pu->rect.x + pu->rect.width - OBSERVED_GAP;
      double left = pu->rect.x + OBSERVED_GAP;
      double y = pu->rect.y + pu->rect.height - OBSERVED_GAP - d;

      for (end = start; end < self->observed->len; end++)
        {
          KtMapObserved *o = g_ptr_array_index (self->observed, end);
          guint i = end - start;
          double x = right - (i + 1) * d - i * OBSERVED_GAP;

          if (o->cpu != first->cpu)
            break;
          if (x < left)
            x = left;   /* the rest overlap the last one: still "some here" */
          o->rect = (KtMapRect) { x, y, d, d };
        }
    }
}

/**
 * kt_map_overlay_set_observed:
 * @observed: (nullable) (element-type utf8 GArray): VM name → the
 *   #KtObservedVcpu array of kt_observed_query (); borrowed
 *
 * Replaces the observed dots; the chips and spans stay as they are.
 */
void
kt_map_overlay_set_observed (KtMapOverlay *self,
                             GHashTable   *observed)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->observed, 0);
  if (observed == NULL)
    return;

  g_hash_table_iter_init (&iter, observed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, key);
      GArray *vcpus = value;
      guint vm_index = 0;

      if (vm == NULL || !kt_vm_is_active (vm))
        continue;
      g_list_store_find (G_LIST_STORE (kt_snapshot_get_vms (self->snapshot)), vm, &vm_index);
      for (guint i = 0; i < vcpus->len; i++)
        {
          const KtObservedVcpu *v = &g_array_index (vcpus, KtObservedVcpu, i);
          KtMapObserved *o;

          if (v->cpu < 0 || v->state == KT_OBSERVED_OFFLINE
              || kt_map_layout_get_pu (self->layout, v->cpu) == NULL)
            continue;
          o = g_new0 (KtMapObserved, 1);
          o->vm = vm;
          o->vm_index = vm_index;
          o->vcpu = v->vcpu;
          o->cpu = v->cpu;
          g_ptr_array_add (self->observed, o);
        }
    }
  g_ptr_array_sort (self->observed, compare_observed);
  place_observed (self);
}

const GPtrArray *
kt_map_overlay_get_observed (const KtMapOverlay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->observed;
}

/**
 * kt_map_overlay_observed_on:
 *
 * Returns: (transfer container) (element-type KtMapObserved): the vCPUs
 * seen last on @cpu
 */
GPtrArray *
kt_map_overlay_observed_on (const KtMapOverlay *self,
                            int                 cpu)
{
  GPtrArray *list = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, list);

  for (guint i = 0; i < self->observed->len; i++)
    {
      KtMapObserved *o = g_ptr_array_index (self->observed, i);

      if (o->cpu == cpu)
        g_ptr_array_add (list, o);
    }
  return list;
}
