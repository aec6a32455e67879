/* kt-planner-cores.c: the planner's choice of cores in a region: a greedy
 * by marginal cost, whole cores first, whole guest cores on whole host cores
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-planner-private.h"

/* Regions ---------------------------------------------------------------- */

/* The region's cores, by node, L3 group, core */
GArray *
kt_planner_region_cores (Search       *s,
                         const Region *r)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < r->k; i++)
    {
      const KtPlanNode *node = &g_array_index (s->self->nodes, KtPlanNode, r->nodes[i]);
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (guint));
      int max_l3 = -1;

      for (guint c = 0; c < node->cores->len; c++)
        {
          guint ci = g_array_index (node->cores, guint, c);
          int l3 = g_array_index (s->self->cores, KtPlanCore, ci).l3;

          max_l3 = MAX (max_l3, l3);
          if (r->l3_ok != NULL && (l3 < 0 || !r->l3_ok[l3]))
            continue;
          g_array_append_val (mine, ci);
        }
      /* Stable by L3 group: cores without one last */
      for (int l3 = 0; l3 <= max_l3 + 1; l3++)
        for (guint c = 0; c < mine->len; c++)
          {
            guint ci = g_array_index (mine, guint, c);
            int cl3 = g_array_index (s->self->cores, KtPlanCore, ci).l3;

            if (cl3 == l3 || (l3 == max_l3 + 1 && cl3 < 0))
              g_array_append_val (order, ci);
          }
    }
  return order;
}

/* Core choice: each returns the CPU index of each vCPU (dedicated), or
 * NULL with s->why set */

int
kt_planner_marginal (const CoreInfo *ci,
                     guint           j)
{
  int half_new = j + 1 < ci->o;
  int half_old = j > 0 && j < ci->o;

  return 20 * ci->dirty + 10 * (int) j + half_new - half_old;
}

/* Adds @count single vCPUs by marginal cost over @order's cores, @taken
 * counting what each already has; appends (core position, thread) pairs */
gboolean
kt_planner_greedy_singles (Search     *s,
                           GArray     *order,
                           guint      *taken,
                           guint       count,
                           GArray     *picks,
                           int        *sum)
{
  for (guint v = 0; v < count; v++)
    {
      int best = -1, best_cost = G_MAXINT;

      for (guint i = 0; i < order->len; i++)
        {
          const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];
          int m;

          if (taken[i] >= ci->n_usable)
            continue;
          m = kt_planner_marginal (ci, taken[i]);
          if (m < best_cost)
            {
              best = (int) i;
              best_cost = m;
            }
        }
      if (best < 0)
        return FALSE;
      if (sum != NULL)
        *sum += best_cost;
      {
        guint pk = (guint) best << 8 | taken[best]++;

        g_array_append_val (picks, pk);
      }
    }
  return TRUE;
}

/* The picks (core position << 8 | thread) as CPU indices, in core order:
 * vCPUs of one core next to each other, nodes in region order */
static GArray *
picks_to_cpus (Search  *s,
               GArray  *order,
               GArray  *groups)   /* GArray of GArray of picks, one per guest core */
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint g = 0; g < groups->len; g++)
    {
      GArray *grp = g_array_index (groups, GArray *, g);

      for (guint i = 0; i < grp->len; i++)
        {
          guint pk = g_array_index (grp, guint, i);
          const CoreInfo *ci = &s->info[g_array_index (order, guint, pk >> 8)];

          g_array_append_val (cpus, ci->usable[pk & 0xff]);
        }
    }
  return cpus;
}

static int
cmp_group (gconstpointer a,
           gconstpointer b)
{
  GArray *x = *(GArray * const *) a, *y = *(GArray * const *) b;
  guint kx = g_array_index (x, guint, 0), ky = g_array_index (y, guint, 0);

  return kx < ky ? -1 : kx > ky;
}

static void
free_groups (GArray *groups)
{
  for (guint i = 0; i < groups->len; i++)
    g_array_unref (g_array_index (groups, GArray *, i));
  g_array_unref (groups);
}

static int
cmp_guint (gconstpointer a,
           gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* @picks grouped T at a time (one guest core each), the groups sorted by
 * where they start */
static GArray *
group_picks (Search *s,
             GArray *order,
             GArray *picks,
             guint   T)
{
  GArray *groups = g_array_new (FALSE, FALSE, sizeof (GArray *));
  GArray *result;

  for (guint i = 0; i < picks->len; i += T)
    {
      GArray *grp = g_array_new (FALSE, FALSE, sizeof (guint));

      g_array_append_vals (grp, &g_array_index (picks, guint, i), MIN (T, picks->len - i));
      g_array_append_val (groups, grp);
    }
  g_array_sort (groups, cmp_group);
  result = picks_to_cpus (s, order, groups);
  free_groups (groups);
  return result;
}

/* The first @n_lead picks are whole guest cores in order; the rest
 * (singles, sorted) follow, and a short last guest core stays last */
static GArray *
finish_picks (Search *s,
              GArray *order,
              GArray *picks,
              guint   n_lead,
              GArray *tail,
              GArray *last)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) head = NULL;
  GArray *cpus;

  g_array_sort (tail, cmp_guint);
  g_array_append_vals (all, picks->data, n_lead);
  g_array_append_vals (all, tail->data, tail->len);
  head = group_picks (s, order, all, s->T);
  cpus = g_array_copy (head);
  for (guint i = 0; last != NULL && i < last->len; i++)
    {
      guint pk = g_array_index (last, guint, i);
      const CoreInfo *ci = &s->info[g_array_index (order, guint, pk >> 8)];

      g_array_append_val (cpus, ci->usable[pk & 0xff]);
    }
  return cpus;
}

static int
waste (Search         *s,
       const CoreInfo *ci)
{
  guint units = ci->n_usable / s->T;

  return units == 0 ? G_MAXINT / 2 : (int) (ci->o - units * s->T);
}

/* CPU indices, one per vCPU; NULL with s->why set */
GArray *
kt_planner_choose_dedicated (Search   *s,
                             GArray   *order,
                             gboolean  packed)
{
  g_autofree guint *taken = g_new0 (guint, order->len + 1);
  g_autoptr(GArray) picks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) tail = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) last = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = s->n, T = s->T;

  if (s->threads == KT_PLANNER_THREADS_ISOLATE)
    {
      /* Single-thread cores first: they leave no sibling idle */
      for (int pass = 0; pass < 2; pass++)
        for (guint i = 0; i < order->len && tail->len < n; i++)
          {
            guint c = g_array_index (order, guint, i);
            guint pk = i << 8;

            if (kt_planner_core_capacity (s, c) == 0 || (pass == 0) != (s->info[c].o <= 1))
              continue;
            g_array_append_val (tail, pk);
          }
      if (tail->len < n)
        {
          kt_planner_fail (s, g_strdup_printf (_("Only %u free whole cores here for %u "
                                                 "isolated vCPUs"),
                                               tail->len, n));
          return NULL;
        }
      return finish_picks (s, order, picks, 0, tail, NULL);
    }
  if (s->threads == KT_PLANNER_THREADS_REQUIRE)
    {
      guint left = n;

      for (guint i = 0; i < order->len && left > 0; i++)
        {
          guint c = g_array_index (order, guint, i);
          guint cap = kt_planner_core_capacity (s, c);

          if (cap == 0 || cap > left)
            continue;
          for (guint t = 0; t < cap; t++)
            {
              guint pk = i << 8 | t;

              g_array_append_val (picks, pk);
            }
          left -= cap;
        }
      if (left > 0)
        {
          kt_planner_fail (s, g_strdup_printf (_("%u vCPUs do not fill whole free cores here"), n));
          return NULL;
        }
      return finish_picks (s, order, picks, picks->len, tail, NULL);
    }

  if (T == 1)
    {
      if (packed)
        {
          /* Whole free cores, then threads, first fit */
          for (guint i = 0; i < order->len && tail->len < n; i++)
            {
              const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];

              if (!ci->whole || ci->dirty)
                continue;
              while (taken[i] < ci->n_usable && tail->len < n)
                {
                  guint pk = i << 8 | taken[i]++;

                  g_array_append_val (tail, pk);
                }
            }
          for (guint i = 0; i < order->len && tail->len < n; i++)
            {
              const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];

              while (taken[i] < ci->n_usable && tail->len < n)
                {
                  guint pk = i << 8 | taken[i]++;

                  g_array_append_val (tail, pk);
                }
            }
        }
      else
        kt_planner_greedy_singles (s, order, taken, n, tail, NULL);
      if (tail->len < n)
        {
          kt_planner_fail (s, g_strdup_printf (_("Only %u free pCPUs here for %u vCPUs"),
                                               tail->len, n));
          return NULL;
        }
      return finish_picks (s, order, picks, 0, tail, NULL);
    }

  /* A guest with SMT: its cores on whole host cores, cleanest and least
   * wasteful first; what is left, thread by thread */
  {
    g_autofree guint *sorted = g_new (guint, order->len + 1);
    guint units = n / T, rem = n % T, left;
    gboolean rem_placed = rem == 0;

    for (guint i = 0; i < order->len; i++)
      sorted[i] = i;
    for (guint i = 1; i < order->len; i++)   /* stable insertion sort */
      {
        guint x = sorted[i];
        const CoreInfo *cx = &s->info[g_array_index (order, guint, x)];
        int j = (int) i - 1;

        while (j >= 0)
          {
            const CoreInfo *cj = &s->info[g_array_index (order, guint, sorted[j])];

            if (cj->dirty > cx->dirty || (cj->dirty == cx->dirty && waste (s, cj) > waste (s, cx)))
              {
                sorted[j + 1] = sorted[j];
                j--;
              }
            else
              break;
          }
        sorted[j + 1] = x;
      }
    for (guint k = 0; k < order->len && units > 0; k++)
      {
        guint i = sorted[k];
        const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];

        while (units > 0 && taken[i] + T <= ci->n_usable)
          {
            for (guint t = 0; t < T; t++)
              {
                guint pk = i << 8 | taken[i]++;

                g_array_append_val (picks, pk);
              }
            units--;
          }
      }
    for (guint k = 0; k < order->len && !rem_placed; k++)
      {
        guint i = sorted[k];
        const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];

        if (taken[i] + rem > ci->n_usable)
          continue;
        for (guint t = 0; t < rem; t++)
          {
            guint pk = i << 8 | taken[i]++;

            g_array_append_val (last, pk);
          }
        rem_placed = TRUE;
      }
    left = units * T + (rem_placed ? 0 : rem);
    if (!kt_planner_greedy_singles (s, order, taken, left, tail, NULL))
      {
        kt_planner_fail (s, g_strdup_printf (_("Only %u free pCPUs here for %u vCPUs"),
                                             picks->len + tail->len + last->len, n));
        return NULL;
      }
    return finish_picks (s, order, picks, picks->len, tail, last);
  }
}

/* The floating set of a shared VM: whole cores no other VM uses, else
 * every usable CPU of the region */
KtCpuset *
kt_planner_choose_shared (Search *s,
                          GArray *order)
{
  g_autoptr(KtCpuset) clean = kt_cpuset_new ();
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  guint n_clean = 0, n_all = 0;

  for (guint i = 0; i < order->len; i++)
    {
      const CoreInfo *ci = &s->info[g_array_index (order, guint, i)];

      for (guint t = 0; t < ci->n_usable; t++)
        {
          int id = g_array_index (s->self->cpus, KtPlanCpu, ci->usable[t]).id;

          kt_cpuset_add (all, (guint) id);
          n_all++;
          if (!ci->dirty && n_clean < s->n)
            kt_cpuset_add (clean, (guint) id);
        }
      if (!ci->dirty && n_clean < s->n)
        n_clean += ci->n_usable;
    }
  if (n_clean >= s->n)
    return g_steal_pointer (&clean);
  if (n_all >= s->n)
    return g_steal_pointer (&all);
  kt_planner_fail (s, g_strdup_printf (_("Only %u usable pCPUs here for %u vCPUs"), n_all, s->n));
  return NULL;
}
