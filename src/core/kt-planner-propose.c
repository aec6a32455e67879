/* kt-planner-propose.c: the planner's proposals from pins: memory and emulator
 * placement, scoring, and the evaluation of each candidate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-planner-private.h"

/* Proposals from pins -------------------------------------------------- */

static guint
node_of_cpu (Search *s,
             int     id)
{
  return kt_planner_lookup_cpu (s->self, id)->node;
}

guint
kt_planner_distance (Search *s,
                     guint   from,
                     guint   to)
{
  guint d;

  if (from == to)
    return 0;
  d = kt_host_get_distance (s->self->host,
                            g_array_index (s->self->nodes, KtPlanNode, from).id,
                            g_array_index (s->self->nodes, KtPlanNode, to).id);
  return d == 0 ? 1000 : d;
}

static void
add_memory (GArray  *memory,
            int      node,
            guint64  kib)
{
  for (guint i = 0; i < memory->len; i++)
    if (g_array_index (memory, KtPlannerNodeMemory, i).node == node)
      {
        g_array_index (memory, KtPlannerNodeMemory, i).kib += kib;
        return;
      }
  {
    KtPlannerNodeMemory m = { node, kib };

    g_array_append_val (memory, m);
  }
}

/* Memory for each guest cell (one per vCPU node), from its own node first,
 * then from the nearest with room */
static gboolean
place_memory (Search     *s,
              KtProposal *p,
              GArray     *vnodes,     /* node index of each cell */
              guint      *counts)     /* vCPUs of each cell */
{
  guint N = s->self->nodes->len;
  g_autofree guint64 *left = g_new (guint64, N);
  guint64 g = s->huge ? s->huge : 1024, given = 0;
  guint k = vnodes->len;

  g_autofree guint64 *shares = g_new (guint64, k);
  guint64 deficit = 0;

  for (guint i = 0; i < N; i++)
    left[i] = kt_planner_node_memory_cap (s, i);
  /* Shares in proportion to the vCPUs; what a cell's own node cannot
   * hold goes to the other cells whose nodes can, before any spills */
  for (guint c = 0; c < k; c++)
    {
      guint64 cap = left[g_array_index (vnodes, guint, c)] / g * g;

      shares[c] = c + 1 == k ? s->mem - given : s->mem * counts[c] / s->n / g * g;
      given += shares[c];
      if (shares[c] > cap && k > 1 && cap > 0)
        {
          deficit += shares[c] - cap;
          shares[c] = cap;
        }
    }
  for (guint c = 0; c < k && deficit > 0; c++)
    {
      guint64 cap = left[g_array_index (vnodes, guint, c)] / g * g;
      guint64 more = cap > shares[c] ? MIN (cap - shares[c], deficit) : 0;

      shares[c] += more;
      deficit -= more;
    }
  shares[0] += deficit;   /* spills below */
  given = 0;
  for (guint c = 0; c < k; c++)
    {
      guint own = g_array_index (vnodes, guint, c);
      guint64 share = shares[c];
      guint64 need = share;
      g_autoptr(KtCpuset) nodeset = kt_cpuset_new ();
      g_autofree guint *by = g_new (guint, N);

      given += share;
      for (guint i = 0; i < N; i++)
        by[i] = i;
      /* The own node, then the others by distance from it */
      for (guint i = 1; i < N; i++)
        {
          guint x = by[i];
          int j = (int) i - 1;

          while (j >= 0 && kt_planner_distance (s, own, by[j]) > kt_planner_distance (s, own, x))
            {
              by[j + 1] = by[j];
              j--;
            }
          by[j + 1] = x;
        }
      for (guint i = 0; i < N && need > 0; i++)
        {
          guint node = by[i];
          guint64 piece = MIN (need, left[node]);
          guint64 used;

          if (piece < need)
            piece = piece / g * g;
          if (piece == 0)
            continue;
          used = s->huge ? (piece + s->huge - 1) / s->huge * s->huge : piece;
          if (used > left[node])
            continue;
          left[node] -= used;
          need -= piece;
          kt_cpuset_add (nodeset, (guint) g_array_index (s->self->nodes, KtPlanNode, node).id);
          add_memory (p->memory, g_array_index (s->self->nodes, KtPlanNode, node).id, piece);
        }
      if (need > 0)
        {
          kt_planner_fail (s, g_strdup_printf (_("Not enough free memory for %s near its vCPUs"),
                                               p->domain));
          return FALSE;
        }
      if (k > 1)
        {
          KtPlannerCell cell = { c, kt_cpuset_new (), share, g_steal_pointer (&nodeset) };

          g_array_append_val (p->cells, cell);
        }
    }
  return TRUE;
}

/* A pCPU of its own for the emulator, on the VM's first node (then its
 * others): a free sibling of one of its cores, a free thread, then any */
static KtCpuset *
place_emulator (Search     *s,
                KtProposal *p,
                GArray     *vnodes,
                KtCpuset   *vcpu_cpus)
{
  g_autoptr(KtCpuset) used_cores = kt_cpuset_new ();

  for (int c = kt_cpuset_first (vcpu_cpus); c >= 0; c = kt_cpuset_next (vcpu_cpus, c))
    kt_cpuset_add (used_cores, kt_planner_lookup_cpu (s->self, c)->core);
  for (guint vn = 0; vn < vnodes->len; vn++)
    {
      const KtPlanNode *node = &g_array_index (s->self->nodes, KtPlanNode,
                                               g_array_index (vnodes, guint, vn));

      for (int pass = 0; pass < 3; pass++)
        for (guint i = 0; i < node->cores->len; i++)
          {
            guint ci = g_array_index (node->cores, guint, i);
            const KtPlanCore *core = &g_array_index (s->self->cores, KtPlanCore, ci);
            gboolean mine = kt_cpuset_contains (used_cores, ci);

            if (pass == 0 && !mine)
              continue;
            if (mine && s->dedicated && s->threads == KT_PLANNER_THREADS_ISOLATE)
              continue;   /* its siblings stay idle */
            for (guint t = 0; t < core->cpus->len; t++)
              {
                const KtPlanCpu *cpu = &g_array_index (s->self->cpus, KtPlanCpu,
                                                       g_array_index (core->cpus, guint, t));

                if (!kt_planner_cpu_usable (s->self, cpu, pass < 2)
                    || kt_cpuset_contains (vcpu_cpus, (guint) cpu->id))
                  continue;
                {
                  KtCpuset *set = kt_cpuset_new ();

                  kt_cpuset_add (set, (guint) cpu->id);
                  return set;
                }
              }
          }
    }
  kt_planner_fail (s, g_strdup_printf (_("No pCPU is left on the VM's nodes for the isolated "
                                         "emulator")));
  return NULL;
}

/* Scores the pins of each vCPU (@pins, owned) and keeps the proposal if it
 * is the best so far */
void
kt_planner_consider (Search    *s,
                     GPtrArray *pins)
{
  g_autoptr(KtProposal) p = kt_proposal_new (s->req);
  g_autoptr(GArray) vnodes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autofree guint *counts = g_new0 (guint, s->self->nodes->len + 1);
  g_autofree int *cell_of = g_new (int, s->self->nodes->len + 1);

  for (guint i = 0; i < s->self->nodes->len; i++)
    cell_of[i] = -1;
  g_ptr_array_extend_and_steal (p->vcpupin, pins);
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);
      guint node = node_of_cpu (s, kt_cpuset_first (set));

      kt_cpuset_union_in (all, set);
      if (cell_of[node] < 0)
        {
          cell_of[node] = (int) vnodes->len;
          g_array_append_val (vnodes, node);
        }
      counts[cell_of[node]]++;
    }
  if (!place_memory (s, p, vnodes, counts))
    return;
  for (guint v = 0; v < p->vcpupin->len && p->cells->len > 0; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);
      int c = cell_of[node_of_cpu (s, kt_cpuset_first (set))];

      kt_cpuset_add (g_array_index (p->cells, KtPlannerCell, c).vcpus, v);
    }
  if (s->emulator_cpu >= 0 && cell_of[node_of_cpu (s, s->emulator_cpu)] < 0)
    {
      kt_planner_fail (s, g_strdup (_("No pCPU is left on the VM's nodes for the isolated "
                                      "emulator")));
      return;
    }
  if (s->emulator_cpu >= 0)
    {
      p->emulatorpin = kt_cpuset_new ();
      kt_cpuset_add (p->emulatorpin, (guint) s->emulator_cpu);
    }
  else if (s->self->policy.emulator == KT_PLANNER_EMULATOR_ISOLATE)
    {
      if ((p->emulatorpin = place_emulator (s, p, vnodes, all)) == NULL)
        return;
    }
  else
    p->emulatorpin = kt_cpuset_copy (all);
  for (guint i = 0; i < s->req->iothread_ids->len; i++)
    {
      KtPin pin = { g_array_index (s->req->iothread_ids, guint, i),
                    kt_cpuset_copy (p->emulatorpin) };

      g_array_append_val (p->iothreadpin, pin);
    }
  p->numa_mode = g_strdup ("strict");
  p->nodeset = kt_cpuset_new ();
  for (guint i = 0; i < p->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (p->memory, KtPlannerNodeMemory, i);

      kt_cpuset_add (p->nodeset, (guint) m->node);
      if (s->huge > 0)
        {
          KtPlannerPages pg = { m->node, s->huge, (m->kib + s->huge - 1) / s->huge };

          g_array_append_val (p->hugepages, pg);
        }
    }
  p->feasible = TRUE;
  p->hugepage_kib = s->huge;
  p->fewest_nodes = s->fewest_nodes;
  p->fewest_l3 = s->fewest_l3;
  p->fewest_sockets = s->fewest_sockets;
  p->cost = kt_planner_cost (s->self, p, &p->parts);
  if (s->best == NULL || p->cost < s->best->cost - 1e-9)
    {
      g_clear_pointer (&s->best, kt_proposal_free);
      s->best = g_steal_pointer (&p);
    }
}

static GPtrArray *
single_pins (Search *s,
             GArray *cpus,
             int     skip)
{
  GPtrArray *pins = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);

  for (guint v = 0; v < cpus->len; v++)
    if ((int) v != skip)
      {
        KtCpuset *set = kt_cpuset_new ();

        kt_cpuset_add (set, (guint) g_array_index (s->self->cpus, KtPlanCpu,
                                                   g_array_index (cpus, guint, v)).id);
        g_ptr_array_add (pins, set);
      }
  return pins;
}

/* An isolated emulator that finds no room beside the vCPUs: place one
 * vCPU more, and give the emulator the first or the last of them */
static void
evaluate_with_emulator (Search *s,
                        GArray *order)
{
  g_autoptr(GArray) cpus = NULL;

  s->n++;
  cpus = kt_planner_choose_dedicated (s, order, FALSE);
  s->n--;
  if (cpus == NULL)
    return;
  for (int end = 0; end < 2; end++)
    {
      guint drop = end ? cpus->len - 1 : 0;

      s->emulator_cpu = g_array_index (s->self->cpus, KtPlanCpu,
                                       g_array_index (cpus, guint, drop)).id;
      kt_planner_consider (s, single_pins (s, cpus, (int) drop));   /* takes the pins */
    }
  s->emulator_cpu = -1;
}

/* The vCPUs of a shared VM over @set, by node, in proportion to the
 * set's CPUs there */
static void
consider_shared (Search       *s,
                 const Region *r,
                 KtCpuset     *set)
{
  g_autoptr(GArray) per_node = g_array_new (FALSE, FALSE, sizeof (KtCpuset *));
  GPtrArray *pins;
  guint total = kt_cpuset_count (set), given = 0;

  for (guint i = 0; i < r->k; i++)
    {
      const KtPlanNode *node = &g_array_index (s->self->nodes, KtPlanNode, r->nodes[i]);
      g_autoptr(KtCpuset) ids = kt_cpuset_new ();
      g_autoptr(KtCpuset) cpus = NULL;
      KtCpuset *here;

      kt_cpuset_add (ids, (guint) node->id);
      cpus = kt_host_cpus_of_nodes (s->self->host, ids);
      here = kt_cpuset_intersection (set, cpus);
      if (kt_cpuset_is_empty (here))
        kt_cpuset_free (here);
      else
        g_array_append_val (per_node, here);
    }
  pins = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  for (guint i = 0; i < per_node->len; i++)
    {
      KtCpuset *here = g_array_index (per_node, KtCpuset *, i);
      guint want = i + 1 == per_node->len
                   ? s->n - given
                   : (guint) ((guint64) s->n * kt_cpuset_count (here) / total);

      want = MIN (want, s->n - given);
      for (guint v = 0; v < want; v++)
        g_ptr_array_add (pins, kt_cpuset_copy (here));
      given += want;
    }
  for (guint i = 0; i < per_node->len; i++)
    kt_cpuset_free (g_array_index (per_node, KtCpuset *, i));
  if (pins->len == s->n)
    kt_planner_consider (s, pins);   /* takes pins */
  else
    g_ptr_array_unref (pins);
}

void
kt_planner_evaluate (Search       *s,
                     const Region *r)
{
  g_autoptr(GArray) order = kt_planner_region_cores (s, r);

  if (s->dedicated && s->self->policy.emulator == KT_PLANNER_EMULATOR_ISOLATE)
    evaluate_with_emulator (s, order);

  if (s->dedicated)
    for (int packed = 0; packed < 2; packed++)
      {
        g_autoptr(GArray) cpus = NULL;
        GPtrArray *pins;

        if (packed && (s->threads != KT_PLANNER_THREADS_PREFER || s->T != 1))
          break;
        if ((cpus = kt_planner_choose_dedicated (s, order, packed)) == NULL)
          continue;
        pins = single_pins (s, cpus, -1);
        kt_planner_consider (s, pins);   /* takes pins */
      }
  else
    {
      g_autoptr(KtCpuset) set = kt_planner_choose_shared (s, order);
      g_autofree guint *taken = g_new0 (guint, order->len + 1);
      g_autoptr(GArray) picks = g_array_new (FALSE, FALSE, sizeof (guint));

      if (set != NULL)
        consider_shared (s, r, set);
      /* A small guest: one thread on each of as many cores */
      if (s->T == 1 && kt_planner_greedy_singles (s, order, taken, s->n, picks, NULL))
        {
          g_autoptr(KtCpuset) spread = kt_cpuset_new ();

          for (guint i = 0; i < picks->len; i++)
            {
              guint pk = g_array_index (picks, guint, i);
              const CoreInfo *ci = &s->info[g_array_index (order, guint, pk >> 8)];

              kt_cpuset_add (spread, (guint) g_array_index (s->self->cpus, KtPlanCpu,
                                                            ci->usable[pk & 0xff]).id);
            }
          if (set == NULL || !kt_cpuset_equal (spread, set))
            consider_shared (s, r, spread);
        }
    }
}
