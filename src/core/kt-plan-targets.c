/* kt-plan-targets.c: where a plan's pins put a VM's vCPUs
 *
 * The pCPUs a drop on the map gives each vCPU (kt_plan_drop_targets ()):
 * the pCPU dropped on, then the free ones of its core, its L3 group and
 * its NUMA node, a guest core's threads kept on one host core; and how
 * kt_plan_pin () spreads several vCPUs over a target, one pCPU each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-placement.h"
#include "kt-plan-private.h"

/* The target's pCPUs, grouped by host core, in map order */
static GPtrArray *
target_cores (KtHost         *host,
              const KtCpuset *target)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (host, target);

  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      g_autoptr(GArray) cores = kt_host_node_cores (host, n);

      for (guint i = 0; i < cores->len; i++)
        {
          const KtHostCore *core = kt_host_get_core (host, g_array_index (cores, guint, i));
          KtCpuset *in = kt_cpuset_intersection (core->cpus, target);

          if (kt_cpuset_is_empty (in))
            kt_cpuset_free (in);
          else
            g_ptr_array_add (groups, in);
        }
    }
  return groups;
}

/* One pCPU per vCPU, in order; a guest core's threads go onto one host
 * core's threads when the target has whole cores to offer */
GPtrArray *
kt_plan_priv_spread (KtHost         *host,
                     const KtTuning *t,
                     guint           n_vcpus,
                     const KtCpuset *target)
{
  g_autoptr(GPtrArray) cores = target_cores (host, target);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(GArray) pus = g_array_new (FALSE, FALSE, sizeof (int));
  guint threads = t->has_topology && t->threads > 1 ? t->threads : 1;
  gboolean whole_cores = threads > 1;

  for (guint i = 0; i < cores->len; i++)
    {
      const KtCpuset *core = g_ptr_array_index (cores, i);

      if (kt_cpuset_count (core) < threads)
        whole_cores = FALSE;
      for (int c = kt_cpuset_first (core); c >= 0; c = kt_cpuset_next (core, c))
        g_array_append_val (pus, c);
    }

  if (whole_cores)
    {
      /* Guest core g (vCPUs g*threads …) onto host core g */
      for (guint v = 0; v < n_vcpus; v++)
        {
          const KtCpuset *core = g_ptr_array_index (cores, (v / threads) % cores->len);
          int pu = kt_cpuset_first (core);
          KtCpuset *set = kt_cpuset_new ();

          for (guint k = 0; k < v % threads; k++)
            pu = kt_cpuset_next (core, pu);
          kt_cpuset_add (set, pu);
          g_ptr_array_add (out, set);
        }
      return out;
    }

  for (guint v = 0; v < n_vcpus; v++)
    {
      KtCpuset *set = kt_cpuset_new ();

      kt_cpuset_add (set, g_array_index (pus, int, v % pus->len));
      g_ptr_array_add (out, set);
    }
  return out;
}

/* The pCPUs that another thread is pinned to: every pinned placement
 * (vCPU, emulator, I/O thread, of any VM) but @vm's @moving vCPUs */
static KtCpuset *
busy_cpus (KtSnapshot  *snapshot,
           KtVm        *vm,
           const guint *moving,
           guint        n_moving)
{
  g_autoptr(GPtrArray) placements = kt_placement_list (snapshot);
  KtCpuset *busy = kt_cpuset_new ();

  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      gboolean moves = FALSE;

      if (!p->pinned)
        continue;
      for (guint m = 0; p->vm == vm && p->kind == KT_THREAD_VCPU && m < n_moving; m++)
        moves |= moving[m] == p->index;
      if (!moves)
        kt_cpuset_union_in (busy, p->allowed);
    }
  return busy;
}

/* @cpu's node's cores, in the order a drop on @cpu fills them: its own
 * core, the rest of its L3 group, the rest of the node; each from the
 * dropped core on, wrapping around */
static GArray *
drop_core_order (KtHost *host,
                 int     cpu)
{
  const KtHostCpu *c = kt_host_lookup_cpu (host, cpu);
  g_autoptr(GArray) cores = kt_host_node_cores (host, c->node);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  guint start = 0;

  for (guint i = 0; i < cores->len; i++)
    if (g_array_index (cores, guint, i) == c->core_index)
      start = i;
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < cores->len; k++)
      {
        guint index = g_array_index (cores, guint, (start + k) % cores->len);
        const KtHostCore *core = kt_host_get_core (host, index);
        int l3 = kt_host_lookup_cpu (host, kt_cpuset_first (core->cpus))->l3;
        gboolean same_l3 = l3 == c->l3;

        if ((pass == 0) == same_l3)
          g_array_append_val (order, index);
      }
  return order;
}

/**
 * kt_plan_drop_targets:
 * @vcpus: (array length=n_vcpus): the vCPUs of @vm being dropped
 * @cpu: the pCPU they are dropped on
 *
 * Where a drop of @vcpus on the pCPU @cpu puts each of them: @cpu
 * itself, then the free pCPUs (no other thread pinned there) of its
 * core, of its L3 group, then of its NUMA node.  The threads of one
 * guest core (its <topology threads>) stay together on one host core.
 *
 * Returns: (transfer full) (element-type KtCpuset) (nullable): one
 * single-pCPU set per vCPU, in the order of @vcpus; NULL with @error when
 * the node has not enough free pCPUs or cores
 */
GPtrArray *
kt_plan_drop_targets (KtPlan       *self,
                      KtVm         *vm,
                      const guint  *vcpus,
                      guint         n_vcpus,
                      int           cpu,
                      GError      **error)
{
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) busy = NULL;
  g_autoptr(GArray) order = NULL;
  g_autoptr(GPtrArray) free_of = NULL;   /* per entry of order: GArray of int */
  g_autoptr(GPtrArray) out = NULL;
  const KtHostCpu *c;
  KtHost *host;
  guint threads, n_free = 0;

  g_return_val_if_fail (KT_IS_PLAN (self), NULL);
  g_return_val_if_fail (KT_IS_VM (vm), NULL);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, NULL);

  host = kt_snapshot_get_host (self->snapshot);
  c = kt_host_lookup_cpu (host, cpu);
  if (c == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("The host has no CPU %d"), cpu);
      return NULL;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  threads = t->has_topology && t->threads > 1 ? t->threads : 1;
  busy = busy_cpus (self->snapshot, vm, vcpus, n_vcpus);
  order = drop_core_order (host, cpu);
  free_of = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < order->len; i++)
    {
      const KtHostCore *core = kt_host_get_core (host, g_array_index (order, guint, i));
      GArray *list = g_array_new (FALSE, FALSE, sizeof (int));

      /* The pCPU aimed at comes first, free or not */
      if (i == 0)
        g_array_append_val (list, cpu);
      for (int p = kt_cpuset_first (core->cpus); p >= 0; p = kt_cpuset_next (core->cpus, p))
        if (p != cpu && !kt_cpuset_contains (busy, (guint) p)
            && kt_cpuset_contains (kt_host_get_online_cpus (host), (guint) p))
          g_array_append_val (list, p);
      n_free += list->len;
      g_ptr_array_add (free_of, list);
    }
  if (n_free < n_vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   ngettext ("NUMA node %d has %u free CPU for %u vCPUs",
                             "NUMA node %d has %u free CPUs for %u vCPUs", n_free),
                   c->node, n_free, n_vcpus);
      return NULL;
    }
  /* A host with fewer threads per core cannot keep them together */
  if (kt_cpuset_count (kt_host_get_core (host, c->core_index)->cpus) < threads)
    threads = 1;

  out = g_ptr_array_new_full (n_vcpus, (GDestroyNotify) kt_cpuset_free);
  g_ptr_array_set_size (out, n_vcpus);
  for (guint i = 0; i < n_vcpus; i++)
    {
      guint group[64];
      guint k = 0;
      gboolean placed = FALSE;

      if (g_ptr_array_index (out, i) != NULL)
        continue;
      /* The moving vCPUs of this one's guest core, this one first */
      for (guint j = i; j < n_vcpus && k < G_N_ELEMENTS (group); j++)
        if (g_ptr_array_index (out, j) == NULL && vcpus[j] / threads == vcpus[i] / threads)
          group[k++] = j;
      for (guint e = 0; e < free_of->len && !placed; e++)
        {
          GArray *list = g_ptr_array_index (free_of, e);

          if (list->len < k)
            continue;
          for (guint m = 0; m < k; m++)
            {
              KtCpuset *set = kt_cpuset_new ();

              kt_cpuset_add (set, (guint) g_array_index (list, int, 0));
              g_array_remove_index (list, 0);
              g_ptr_array_index (out, group[m]) = set;
            }
          placed = TRUE;
        }
      if (!placed)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("NUMA node %d has not enough free cores to keep the threads of "
                         "each of “%s”’s guest cores together"),
                       c->node, kt_vm_get_name (vm));
          return NULL;
        }
    }
  return g_steal_pointer (&out);
}
