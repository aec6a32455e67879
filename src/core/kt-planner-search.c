/* kt-planner-search.c: the planner's search
 *
 * Branch and bound over regions: every set of nodes with CPUs, smallest
 * first (all of them while there are at most MAX_SUBSETS of a size, else
 * each node with its nearest ones), stopping once the 100 per extra node
 * alone costs more than the best plan found; in each region, the L3
 * groups (all of them, and the fewest that can hold the VM); in each of
 * those, the cores: for a guest without SMT a greedy by marginal cost,
 * which is exact there because each core's cost is convex in the vCPUs
 * it takes, and a whole-cores-first packing; for a guest with SMT, whole
 * guest cores on whole host cores.  Every candidate is scored from its
 * pins alone by kt_planner_cost (); the cheapest wins, the first of equal
 * ones, so the answer is deterministic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "kt-planner-private.h"

#define MAX_SUBSETS 512
#define MAX_L3_SUBSETS 64

G_DEFINE_FINAL_TYPE (KtPlanner, kt_planner, G_TYPE_OBJECT)

static void
kt_planner_finalize (GObject *object)
{
  KtPlanner *self = KT_PLANNER (object);

  for (guint i = 0; i < self->cores->len; i++)
    g_array_unref (g_array_index (self->cores, KtPlanCore, i).cpus);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      g_array_unref (g_array_index (self->nodes, KtPlanNode, i).pages);
      g_array_unref (g_array_index (self->nodes, KtPlanNode, i).cores);
    }
  g_clear_pointer (&self->cpus, g_array_unref);
  g_clear_pointer (&self->cores, g_array_unref);
  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->cpu_index, g_hash_table_unref);
  g_clear_pointer (&self->excluded, g_hash_table_unref);
  kt_planner_policy_clear (&self->policy);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->host);
  G_OBJECT_CLASS (kt_planner_parent_class)->finalize (object);
}

static void
kt_planner_class_init (KtPlannerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kt_planner_finalize;
}

static void
kt_planner_init (KtPlanner *self)
{
  self->cpus = g_array_new (FALSE, FALSE, sizeof (KtPlanCpu));
  self->cores = g_array_new (FALSE, FALSE, sizeof (KtPlanCore));
  self->nodes = g_array_new (FALSE, FALSE, sizeof (KtPlanNode));
  self->cpu_index = g_hash_table_new (NULL, NULL);
  self->excluded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * kt_planner_new:
 * @policy: copied
 *
 * Returns: (transfer full): a planner for @snapshot's host
 */
KtPlanner *
kt_planner_new (KtSnapshot            *snapshot,
                const KtPlannerPolicy *policy)
{
  KtPlanner *self;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (policy != NULL, NULL);

  self = g_object_new (KT_TYPE_PLANNER, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->host = g_object_ref (kt_snapshot_get_host (snapshot));
  self->policy = *policy;
  self->policy.reserved = policy->reserved ? kt_cpuset_copy (policy->reserved) : NULL;
  return self;   /* the state is built by each plan */
}

/* The search ------------------------------------------------------------- */

void
kt_planner_fail (Search     *s,
                 char       *why)
{
  g_free (s->why);
  s->why = why;
}

void
kt_planner_prepare_cores (Search *s)
{
  KtPlanner *self = s->self;

  s->info = g_new0 (CoreInfo, self->cores->len);
  for (guint i = 0; i < self->cores->len; i++)
    {
      const KtPlanCore *core = &g_array_index (self->cores, KtPlanCore, i);
      CoreInfo *ci = &s->info[i];

      ci->o = core->n_online;
      ci->dirty = kt_planner_core_dirty (self, core);
      for (guint t = 0; t < core->cpus->len && ci->n_usable < MAX_THREADS; t++)
        {
          guint idx = g_array_index (core->cpus, guint, t);

          if (kt_planner_cpu_usable (self, &g_array_index (self->cpus, KtPlanCpu, idx),
                                     s->dedicated))
            ci->usable[ci->n_usable++] = idx;
        }
      ci->whole = ci->n_usable > 0 && ci->n_usable == ci->o;
    }
}

/* How many vCPUs a core can take under the policy */
guint
kt_planner_core_capacity (Search   *s,
                          guint     core)
{
  const CoreInfo *ci = &s->info[core];

  if (!s->dedicated)
    return ci->n_usable;
  switch (s->threads)
    {
    case KT_PLANNER_THREADS_ISOLATE:
      return !ci->dirty && ci->n_usable > 0 ? 1 : 0;
    case KT_PLANNER_THREADS_REQUIRE:
      return !ci->dirty && ci->whole ? ci->n_usable : 0;
    case KT_PLANNER_THREADS_PREFER:
    default:
      return ci->n_usable;
    }
}

static int
cmp_guint_desc (gconstpointer a,
                gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The fewest groups (by the key of each CPU's core) whose capacity holds n */
guint
kt_planner_fewest_groups (Search  *s,
                          gboolean by_socket)
{
  g_autoptr(GHashTable) caps = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer value;
  guint sum = 0, k = 0;

  for (guint i = 0; i < s->self->cores->len; i++)
    {
      const KtPlanCore *core = &g_array_index (s->self->cores, KtPlanCore, i);
      int key = by_socket ? core->socket : core->l3;
      guint cap = kt_planner_core_capacity (s, i);

      if (key < 0 || cap == 0)
        continue;
      cap += GPOINTER_TO_UINT (g_hash_table_lookup (caps, GINT_TO_POINTER (key + 1)));
      g_hash_table_insert (caps, GINT_TO_POINTER (key + 1), GUINT_TO_POINTER (cap));
    }
  g_hash_table_iter_init (&iter, caps);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      guint v = GPOINTER_TO_UINT (value);

      g_array_append_val (list, v);
    }
  g_array_sort (list, cmp_guint_desc);
  while (k < list->len && sum < s->n)
    sum += g_array_index (list, guint, k++);
  return k;
}

guint64
kt_planner_node_memory_cap (Search *s,
                            guint   node)
{
  return kt_planner_node_capacity (s->self, node, s->huge);
}

/* The fewest nodes that can hold the VM: exactly by subsets on hosts of up
 * to 16 nodes, else a bound from the CPU and memory capacities alone */
guint
kt_planner_fewest_nodes (Search *s)
{
  guint N = s->self->nodes->len;
  guint best = 0;
  guint need = s->n + (s->self->policy.emulator == KT_PLANNER_EMULATOR_ISOLATE);

  if (N <= 16)
    {
      for (guint mask = 1; mask < (1u << N); mask++)
        {
          guint k = (guint) __builtin_popcount (mask);
          guint64 cpus = 0, mem = 0;

          if (best != 0 && k >= best)
            continue;
          for (guint i = 0; i < N; i++)
            if (mask & (1u << i))
              {
                cpus += s->node_cap[i];
                mem += kt_planner_node_memory_cap (s, i);
              }
          if (cpus >= need && mem >= s->mem)
            best = k;
        }
      return best;
    }
  {
    g_autoptr(GArray) c = g_array_new (FALSE, FALSE, sizeof (guint));
    g_autoptr(GArray) m = g_array_new (FALSE, FALSE, sizeof (guint));
    guint64 sum = 0;
    guint kc = 0, km = 0;

    for (guint i = 0; i < N; i++)
      {
        guint gb = (guint) MIN (kt_planner_node_memory_cap (s, i) / 1024, G_MAXUINT);

        g_array_append_val (c, s->node_cap[i]);
        g_array_append_val (m, gb);
      }
    g_array_sort (c, cmp_guint_desc);
    g_array_sort (m, cmp_guint_desc);
    while (kc < N && sum < need)
      sum += g_array_index (c, guint, kc++);
    sum = 0;
    while (km < N && sum * 1024 < s->mem)
      sum += g_array_index (m, guint, km++);
    return MAX (MAX (kc, km), 1);
  }
}

/* Regions and L3 groups ------------------------------------------------- */

static gboolean
next_combination (guint *idx,
                  guint  k,
                  guint  n)
{
  int i = (int) k - 1;

  while (i >= 0 && idx[i] == n - k + (guint) i)
    i--;
  if (i < 0)
    return FALSE;
  idx[i]++;
  for (guint j = (guint) i + 1; j < k; j++)
    idx[j] = idx[j - 1] + 1;
  return TRUE;
}

static double
binomial (guint n,
          guint k)
{
  double r = 1;

  for (guint i = 1; i <= k; i++)
    r = r * (n - k + i) / i;
  return r;
}

/* The region as it is, then restricted to the fewest L3 groups that hold
 * the VM (and one more) */
static void
evaluate_l3 (Search *s,
             Region *r)
{
  guint n_l3 = kt_host_get_n_l3 (s->self->host);
  g_autofree guint *cap = g_new0 (guint, n_l3 + 1);
  g_autofree gboolean *seen = g_new0 (gboolean, n_l3 + 1);
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) by_cap = NULL;
  guint smin = 0, sum = 0;

  r->l3_ok = NULL;
  kt_planner_evaluate (s, r);
  for (guint i = 0; i < r->k; i++)
    {
      const KtPlanNode *node = &g_array_index (s->self->nodes, KtPlanNode, r->nodes[i]);

      for (guint c = 0; c < node->cores->len; c++)
        {
          guint ci = g_array_index (node->cores, guint, c);
          int l3 = g_array_index (s->self->cores, KtPlanCore, ci).l3;

          if (l3 < 0 || (guint) l3 >= n_l3)
            continue;
          if (!seen[l3])
            {
              guint g = (guint) l3;

              seen[l3] = TRUE;
              g_array_append_val (groups, g);
            }
          cap[l3] += kt_planner_core_capacity (s, ci);
        }
    }
  if (groups->len <= 1 || r->k > 2)
    return;   /* restricting L3 groups pays in one or two nodes; more would be slow */
  by_cap = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < groups->len; i++)
    g_array_append_val (by_cap, cap[g_array_index (groups, guint, i)]);
  g_array_sort (by_cap, cmp_guint_desc);
  while (smin < by_cap->len && sum < s->n)
    sum += g_array_index (by_cap, guint, smin++);
  if (sum < s->n)
    return;

  r->l3_ok = g_new0 (gboolean, n_l3 + 1);
  for (guint size = smin; size <= smin + 1 && size < groups->len; size++)
    {
      g_autofree guint *idx = g_new (guint, size);
      gboolean all = binomial (groups->len, size) <= (r->k == 1 ? MAX_L3_SUBSETS : 16);

      for (guint i = 0; i < size; i++)
        idx[i] = i;
      /* Every subset of that size, or else runs of neighbouring groups */
      for (guint w = 0; all || w < groups->len; w++)
        {
          guint have = 0;

          memset (r->l3_ok, 0, sizeof (gboolean) * (n_l3 + 1));
          for (guint i = 0; i < size; i++)
            {
              guint l3 = g_array_index (groups, guint, (idx[i] + w) % groups->len);

              r->l3_ok[l3] = TRUE;
              have += cap[l3];
            }
          if (have >= s->n)
            kt_planner_evaluate (s, r);
          if (all && !next_combination (idx, size, groups->len))
            break;
          if (all)
            w = (guint) -1;   /* no offset for subsets */
        }
    }
  g_clear_pointer (&r->l3_ok, g_free);
}

static void
evaluate_region (Search      *s,
                 const guint *nodes,
                 guint        k)
{
  if (s->best != NULL && s->best->cost <= s->bound + 1e-9)
    return;   /* nothing can do better */
  {
  guint N = s->self->nodes->len;
  g_autofree int *pos = g_new (int, N);
  guint cap = 0;
  Region r = { (guint *) nodes, k, pos, NULL };

  for (guint i = 0; i < N; i++)
    pos[i] = -1;
  for (guint i = 0; i < k; i++)
    {
      pos[nodes[i]] = (int) i;
      cap += s->node_cap[nodes[i]];
    }
  if (cap < s->n)
    return;
  evaluate_l3 (s, &r);
  }
}

void
kt_planner_search_regions (Search *s)
{
  g_autoptr(GArray) cpu_nodes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint M;

  for (guint i = 0; i < s->self->nodes->len; i++)
    if (s->node_cap[i] > 0)
      g_array_append_val (cpu_nodes, i);
  M = cpu_nodes->len;
  for (guint k = 1; k <= M; k++)
    {
      g_autofree guint *idx = g_new (guint, k);
      g_autofree guint *nodes = g_new (guint, k);

      if (s->best != NULL && (100.0 * ((double) k - s->fewest_nodes) >= s->best->cost
                              || s->best->cost <= s->bound + 1e-9))
        break;
      if (binomial (M, k) <= MAX_SUBSETS)
        {
          for (guint i = 0; i < k; i++)
            idx[i] = i;
          do
            {
              for (guint i = 0; i < k; i++)
                nodes[i] = g_array_index (cpu_nodes, guint, idx[i]);
              evaluate_region (s, nodes, k);
            }
          while (next_combination (idx, k, M));
          continue;
        }
      /* Too many subsets: each node with its k - 1 nearest */
      for (guint seed = 0; seed < M; seed++)
        {
          g_autofree guint *by = g_new (guint, M);
          guint a = g_array_index (cpu_nodes, guint, seed);

          for (guint i = 0; i < M; i++)
            by[i] = g_array_index (cpu_nodes, guint, i);
          for (guint i = 1; i < M; i++)
            {
              guint x = by[i];
              int j = (int) i - 1;

              while (j >= 0 && kt_planner_distance (s, a, by[j]) > kt_planner_distance (s, a, x))
                {
                  by[j + 1] = by[j];
                  j--;
                }
              by[j + 1] = x;
            }
          evaluate_region (s, by, k);
        }
    }
}

/* Lower bound ------------------------------------------------------------ */

/* What no placement can go below, given the host as it is: each term
 * relaxed on its own (regions, L3 groups and sockets ignored) */
double
kt_planner_lower_bound (Search *s)
{
  KtPlanner *self = s->self;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  guint64 local = 0;
  guint clean = 0, n_cores = 0, max_o = 1, min_o = G_MAXUINT, whole_units = 0;
  double lb = 0;

  for (guint i = 0; i < self->nodes->len; i++)
    if (s->node_cap[i] > 0)
      local += MIN (kt_planner_node_memory_cap (s, i), s->mem);
  if (local < s->mem)
    lb += 50.0 * (double) (s->mem - local) / (double) s->mem;

  for (guint c = 0; c < self->cores->len; c++)
    {
      const CoreInfo *ci = &s->info[c];
      guint cap = kt_planner_core_capacity (s, c);

      if (cap == 0)
        continue;
      g_array_append_val (all, c);
      n_cores++;
      if (!ci->dirty)
        clean += cap;
      max_o = MAX (max_o, ci->o);
      min_o = MIN (min_o, ci->o);
      if (cap >= s->T)
        whole_units += cap / s->T;
    }

  if (!s->dedicated)
    {
      /* Shared vCPUs may all float over one clean CPU */
      if (clean == 0)
        lb += 20.0 * s->n;
      return lb;
    }
  switch (s->threads)
    {
    case KT_PLANNER_THREADS_ISOLATE:
      {
        /* One vCPU per clean core; single-thread cores leave nothing idle */
        guint singles = 0;

        for (guint i = 0; i < all->len; i++)
          singles += s->info[g_array_index (all, guint, i)].o <= 1;
        lb += s->n > singles ? s->n - singles : 0;
        if (s->T > 1)
          lb += 10.0 * (s->n / s->T);
        return lb;
      }
    case KT_PLANNER_THREADS_REQUIRE:
      if (s->T == 1 && min_o > 1)
        lb += 10.0 * (s->n - s->n / min_o);
      return lb;
    case KT_PLANNER_THREADS_PREFER:
    default:
      if (s->T == 1)
        {
          /* Exact over the whole host: each core's cost is convex */
          g_autofree guint *taken = g_new0 (guint, all->len + 1);
          g_autoptr(GArray) picks = g_array_new (FALSE, FALSE, sizeof (guint));
          int sum = 0;

          kt_planner_greedy_singles (s, all, taken, s->n, picks, &sum);
          return lb + sum;
        }
      if (clean < s->n)
        lb += 20.0 * (s->n - clean);
      if (whole_units < s->n / s->T)
        lb += 10.0 * (s->n / s->T - whole_units);
      return lb;
    }
}
