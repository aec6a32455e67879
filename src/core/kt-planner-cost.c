/* kt-planner-cost.c: a proposal's cost from its pins, its explanation, its
 * JSON and its edits of a domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-planner-private.h"

KtProposal *
kt_proposal_new (const KtPlannerRequest *req)
{
  KtProposal *p = g_new0 (KtProposal, 1);

  p->domain = g_strdup (req->name);
  p->vcpupin = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  p->iothreadpin = g_array_new (FALSE, FALSE, sizeof (KtPin));
  p->cells = g_array_new (FALSE, FALSE, sizeof (KtPlannerCell));
  p->memory = g_array_new (FALSE, FALSE, sizeof (KtPlannerNodeMemory));
  p->hugepages = g_array_new (FALSE, FALSE, sizeof (KtPlannerPages));
  p->explanation = g_ptr_array_new_with_free_func (g_free);
  p->threads_per_core = MAX (req->threads_per_core, 1);
  return p;
}

void
kt_proposal_free (KtProposal *p)
{
  if (p == NULL)
    return;
  g_free (p->domain);
  g_free (p->reason);
  g_ptr_array_unref (p->vcpupin);
  g_clear_pointer (&p->emulatorpin, kt_cpuset_free);
  for (guint i = 0; i < p->iothreadpin->len; i++)
    kt_cpuset_free (g_array_index (p->iothreadpin, KtPin, i).cpuset);
  g_array_unref (p->iothreadpin);
  g_free (p->numa_mode);
  g_clear_pointer (&p->nodeset, kt_cpuset_free);
  for (guint i = 0; i < p->cells->len; i++)
    {
      KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

      g_clear_pointer (&c->vcpus, kt_cpuset_free);
      g_clear_pointer (&c->nodeset, kt_cpuset_free);
    }
  g_array_unref (p->cells);
  g_array_unref (p->memory);
  g_array_unref (p->hugepages);
  g_ptr_array_unref (p->explanation);
  g_free (p);
}

/* Cost ------------------------------------------------------------------- */

static KtCpuset *
union_of_pins (const KtProposal *p)
{
  KtCpuset *all = kt_cpuset_new ();

  for (guint v = 0; v < p->vcpupin->len; v++)
    kt_cpuset_union_in (all, g_ptr_array_index (p->vcpupin, v));
  return all;
}

/* The host core holding all of @set, or -1 */
static int
core_of_set (KtPlanner      *self,
             const KtCpuset *set)
{
  int first = kt_cpuset_first (set);
  const KtPlanCpu *cpu = first >= 0 ? kt_planner_lookup_cpu (self, first) : NULL;

  if (cpu == NULL)
    return -1;
  for (int c = first; c >= 0; c = kt_cpuset_next (set, c))
    {
      const KtPlanCpu *o = kt_planner_lookup_cpu (self, c);

      if (o == NULL || o->core != cpu->core)
        return -1;
    }
  return (int) cpu->core;
}

static guint
count_keys (KtPlanner      *self,
            const KtCpuset *set,
            gboolean        socket)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
    {
      const KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);
      int key = cpu == NULL ? -1 : socket ? cpu->socket : cpu->l3;

      if (key >= 0)
        g_hash_table_add (seen, GINT_TO_POINTER (key + 1));
    }
  return g_hash_table_size (seen);
}

/**
 * kt_planner_cost:
 * @parts: (out) (optional): the terms
 *
 * The cost of @proposal from its pins, memory and cells, against the
 * host's occupancy as the planner sees it now.
 */
double
kt_planner_cost (KtPlanner          *self,
                 const KtProposal   *p,
                 KtPlannerCostParts *parts)
{
  KtPlannerCostParts t = { 0, };
  g_autoptr(KtCpuset) all = NULL;
  g_autoptr(KtCpuset) vnodes = NULL;
  g_autoptr(KtCpuset) span = NULL;
  g_autoptr(GHashTable) cores = g_hash_table_new (NULL, NULL);
  guint64 total = 0, remote = 0;
  guint n, T;

  g_return_val_if_fail (KT_IS_PLANNER (self), 0);
  g_return_val_if_fail (p != NULL, 0);

  if (!p->feasible)
    {
      if (parts != NULL)
        *parts = t;
      return 0;
    }
  if (self->cpus->len == 0)
    kt_planner_build_state (self);
  n = p->vcpupin->len;
  T = MAX (p->threads_per_core, 1);
  all = union_of_pins (p);
  vnodes = kt_host_nodes_of_cpus (self->host, all);
  span = kt_cpuset_copy (vnodes);
  for (guint i = 0; i < p->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (p->memory, KtPlannerNodeMemory, i);

      if (m->kib == 0)
        continue;
      kt_cpuset_add (span, (guint) m->node);
      total += m->kib;
      if (!kt_cpuset_contains (vnodes, (guint) m->node))
        remote += m->kib;
    }
  if (kt_cpuset_count (span) > p->fewest_nodes)
    t.nodes = 100.0 * (kt_cpuset_count (span) - p->fewest_nodes);
  if (total > 0)
    t.remote_memory = 50.0 * (double) remote / (double) total;

  for (guint v = 0; v < n; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

      for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
        {
          const KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);

          if (cpu != NULL && kt_planner_core_dirty (self, &g_array_index (self->cores, KtPlanCore,
                                                                          cpu->core)))
            {
              t.shared_cores += 20;
              break;
            }
        }
    }

  if (T > 1)
    for (guint g = 0; g * T < n; g++)
      {
        g_autoptr(KtCpuset) set = kt_cpuset_new ();

        for (guint v = g * T; v < MIN (n, (g + 1) * T); v++)
          kt_cpuset_union_in (set, g_ptr_array_index (p->vcpupin, v));
        if (core_of_set (self, set) < 0)
          t.smt += 10;
      }
  else
    {
      g_autoptr(GHashTable) on = g_hash_table_new (NULL, NULL);
      GHashTableIter iter;
      gpointer value;

      for (guint v = 0; v < n; v++)
        {
          int core = core_of_set (self, g_ptr_array_index (p->vcpupin, v));

          if (core >= 0)
            {
              guint k = GPOINTER_TO_UINT (g_hash_table_lookup (on, GINT_TO_POINTER (core + 1)));

              g_hash_table_insert (on, GINT_TO_POINTER (core + 1), GUINT_TO_POINTER (k + 1));
            }
        }
      g_hash_table_iter_init (&iter, on);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          guint k = GPOINTER_TO_UINT (value);

          t.smt += 10.0 * (k * (k - 1) / 2);
        }
    }

  if (count_keys (self, all, FALSE) > p->fewest_l3)
    t.l3 = 5.0 * (count_keys (self, all, FALSE) - p->fewest_l3);
  if (count_keys (self, all, TRUE) > p->fewest_sockets)
    t.sockets = 2.0 * (count_keys (self, all, TRUE) - p->fewest_sockets);

  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *cell = &g_array_index (p->cells, KtPlannerCell, i);
      g_autoptr(KtCpuset) cpus = kt_cpuset_new ();
      g_autoptr(KtCpuset) nodes = NULL;

      for (int v = cell->vcpus ? kt_cpuset_first (cell->vcpus) : -1; v >= 0;
           v = kt_cpuset_next (cell->vcpus, v))
        if ((guint) v < n)
          kt_cpuset_union_in (cpus, g_ptr_array_index (p->vcpupin, v));
      nodes = kt_host_nodes_of_cpus (self->host, cpus);
      if (cell->nodeset != NULL)
        kt_cpuset_union_in (nodes, cell->nodeset);
      if (kt_cpuset_count (nodes) > 1)
        t.cells += 5;
    }

  for (int c = kt_cpuset_first (all); c >= 0; c = kt_cpuset_next (all, c))
    {
      const KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);

      if (cpu != NULL)
        g_hash_table_add (cores, GUINT_TO_POINTER (cpu->core + 1));
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, cores);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        const KtPlanCore *core = &g_array_index (self->cores, KtPlanCore,
                                                 GPOINTER_TO_UINT (key) - 1);

        for (guint i = 0; i < core->cpus->len; i++)
          {
            const KtPlanCpu *cpu = &g_array_index (self->cpus, KtPlanCpu,
                                                   g_array_index (core->cpus, guint, i));

            if (cpu->online && !kt_cpuset_contains (all, (guint) cpu->id))
              {
                t.half_cores += 1;
                break;
              }
          }
      }
  }

  if (parts != NULL)
    *parts = t;
  return t.nodes + t.remote_memory + t.shared_cores + t.smt + t.l3 + t.cells + t.sockets
         + t.half_cores;
}
