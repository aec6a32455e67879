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
#define MAX_THREADS 16

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

typedef struct
{
  guint    o;                    /* online threads */
  guint    n_usable;
  guint    usable[MAX_THREADS];  /* CPU indices */
  gboolean dirty;
  gboolean whole;                /* every online thread usable */
} CoreInfo;

typedef struct
{
  KtPlanner              *self;
  const KtPlannerRequest *req;
  guint                   n;
  guint                   T;
  guint64                 mem;
  guint64                 huge;
  gboolean                dedicated;
  KtPlannerThreads        threads;
  CoreInfo               *info;          /* by core */
  guint                  *node_cap;      /* CPU capacity by node */
  guint                   fewest_nodes;
  guint                   fewest_l3;
  guint                   fewest_sockets;
  KtProposal             *best;
  double                  bound;         /* the lower bound: no need to look further */
  char                   *why;           /* the last candidate's failure */
  int                     emulator_cpu;  /* set by the caller of consider (); -1 */
} Search;

static void
fail (Search     *s,
      char       *why)
{
  g_free (s->why);
  s->why = why;
}

static void
prepare_cores (Search *s)
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
static guint
core_capacity (Search   *s,
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
static guint
fewest_groups (Search  *s,
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
      guint cap = core_capacity (s, i);

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

static guint64
node_memory_cap (Search *s,
                 guint   node)
{
  return kt_planner_node_capacity (s->self, node, s->huge);
}

/* The fewest nodes that can hold the VM: exactly by subsets on hosts of up
 * to 16 nodes, else a bound from the CPU and memory capacities alone */
static guint
fewest_nodes (Search *s)
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
                mem += node_memory_cap (s, i);
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
        guint gb = (guint) MIN (node_memory_cap (s, i) / 1024, G_MAXUINT);

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

/* Regions ---------------------------------------------------------------- */

typedef struct
{
  guint  *nodes;      /* node indices, in region order */
  guint   k;
  int    *pos;        /* by node: its place in the region, -1 */
  gboolean *l3_ok;    /* by L3 group; NULL: all */
} Region;

/* The region's cores, by node, L3 group, core */
static GArray *
region_cores (Search       *s,
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

static int
marginal (const CoreInfo *ci,
          guint           j)
{
  int half_new = j + 1 < ci->o;
  int half_old = j > 0 && j < ci->o;

  return 20 * ci->dirty + 10 * (int) j + half_new - half_old;
}

/* Adds @count single vCPUs by marginal cost over @order's cores, @taken
 * counting what each already has; appends (core position, thread) pairs */
static gboolean
greedy_singles (Search     *s,
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
          m = marginal (ci, taken[i]);
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
static GArray *
choose_dedicated (Search   *s,
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

            if (core_capacity (s, c) == 0 || (pass == 0) != (s->info[c].o <= 1))
              continue;
            g_array_append_val (tail, pk);
          }
      if (tail->len < n)
        {
          fail (s, g_strdup_printf (_("Only %u free whole cores here for %u isolated vCPUs"),
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
          guint cap = core_capacity (s, c);

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
          fail (s, g_strdup_printf (_("%u vCPUs do not fill whole free cores here"), n));
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
        greedy_singles (s, order, taken, n, tail, NULL);
      if (tail->len < n)
        {
          fail (s, g_strdup_printf (_("Only %u free pCPUs here for %u vCPUs"), tail->len, n));
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
    if (!greedy_singles (s, order, taken, left, tail, NULL))
      {
        fail (s, g_strdup_printf (_("Only %u free pCPUs here for %u vCPUs"),
                                  picks->len + tail->len + last->len, n));
        return NULL;
      }
    return finish_picks (s, order, picks, picks->len, tail, last);
  }
}

/* The floating set of a shared VM: whole cores no other VM uses, else
 * every usable CPU of the region */
static KtCpuset *
choose_shared (Search *s,
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
  fail (s, g_strdup_printf (_("Only %u usable pCPUs here for %u vCPUs"), n_all, s->n));
  return NULL;
}

/* Proposals from pins -------------------------------------------------- */

static guint
node_of_cpu (Search *s,
             int     id)
{
  return kt_planner_lookup_cpu (s->self, id)->node;
}

static guint
distance (Search *s,
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
    left[i] = node_memory_cap (s, i);
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

          while (j >= 0 && distance (s, own, by[j]) > distance (s, own, x))
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
          fail (s, g_strdup_printf (_("Not enough free memory for %s near its vCPUs"),
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
  fail (s, g_strdup_printf (_("No pCPU is left on the VM's nodes for the isolated emulator")));
  return NULL;
}

/* Scores the pins of each vCPU (@pins, owned) and keeps the proposal if it
 * is the best so far */
static void
consider (Search    *s,
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
      fail (s, g_strdup (_("No pCPU is left on the VM's nodes for the isolated emulator")));
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
  cpus = choose_dedicated (s, order, FALSE);
  s->n--;
  if (cpus == NULL)
    return;
  for (int end = 0; end < 2; end++)
    {
      guint drop = end ? cpus->len - 1 : 0;

      s->emulator_cpu = g_array_index (s->self->cpus, KtPlanCpu,
                                       g_array_index (cpus, guint, drop)).id;
      consider (s, single_pins (s, cpus, (int) drop));   /* takes the pins */
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
    consider (s, pins);   /* takes pins */
  else
    g_ptr_array_unref (pins);
}

static void
evaluate (Search       *s,
          const Region *r)
{
  g_autoptr(GArray) order = region_cores (s, r);

  if (s->dedicated && s->self->policy.emulator == KT_PLANNER_EMULATOR_ISOLATE)
    evaluate_with_emulator (s, order);

  if (s->dedicated)
    for (int packed = 0; packed < 2; packed++)
      {
        g_autoptr(GArray) cpus = NULL;
        GPtrArray *pins;

        if (packed && (s->threads != KT_PLANNER_THREADS_PREFER || s->T != 1))
          break;
        if ((cpus = choose_dedicated (s, order, packed)) == NULL)
          continue;
        pins = single_pins (s, cpus, -1);
        consider (s, pins);   /* takes pins */
      }
  else
    {
      g_autoptr(KtCpuset) set = choose_shared (s, order);
      g_autofree guint *taken = g_new0 (guint, order->len + 1);
      g_autoptr(GArray) picks = g_array_new (FALSE, FALSE, sizeof (guint));

      if (set != NULL)
        consider_shared (s, r, set);
      /* A small guest: one thread on each of as many cores */
      if (s->T == 1 && greedy_singles (s, order, taken, s->n, picks, NULL))
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
  evaluate (s, r);
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
          cap[l3] += core_capacity (s, ci);
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
            evaluate (s, r);
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

static void
search_regions (Search *s)
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

              while (j >= 0 && distance (s, a, by[j]) > distance (s, a, x))
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
static double
lower_bound (Search *s)
{
  KtPlanner *self = s->self;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  guint64 local = 0;
  guint clean = 0, n_cores = 0, max_o = 1, min_o = G_MAXUINT, whole_units = 0;
  double lb = 0;

  for (guint i = 0; i < self->nodes->len; i++)
    if (s->node_cap[i] > 0)
      local += MIN (node_memory_cap (s, i), s->mem);
  if (local < s->mem)
    lb += 50.0 * (double) (s->mem - local) / (double) s->mem;

  for (guint c = 0; c < self->cores->len; c++)
    {
      const CoreInfo *ci = &s->info[c];
      guint cap = core_capacity (s, c);

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

          greedy_singles (s, all, taken, s->n, picks, &sum);
          return lb + sum;
        }
      if (clean < s->n)
        lb += 20.0 * (s->n - clean);
      if (whole_units < s->n / s->T)
        lb += 10.0 * (s->n / s->T - whole_units);
      return lb;
    }
}

/* One VM --------------------------------------------------------------- */

static KtProposal *
infeasible (const KtPlannerRequest *req,
            char                   *reason)
{
  KtProposal *p = kt_proposal_new (req);

  p->feasible = FALSE;
  p->reason = reason;
  return p;
}

static gboolean
host_has_pages (KtPlanner *self,
                guint64    size_kib)
{
  const GArray *sizes = kt_host_get_page_sizes (self->host);

  for (guint i = 0; i < sizes->len; i++)
    if (g_array_index (sizes, guint64, i) == size_kib)
      return TRUE;
  return FALSE;
}

static KtProposal *
search_one (KtPlanner              *self,
            const KtPlannerRequest *req)
{
  Search s = { 0, };
  KtProposal *result;
  guint cap = 0;
  guint64 mem_cap = 0;

  s.self = self;
  s.req = req;
  s.n = req->vcpus;
  s.T = MAX (req->threads_per_core, 1);
  s.mem = req->memory_kib;
  s.huge = req->hugepage_kib;
  s.dedicated = self->policy.cpu == KT_PLANNER_DEDICATED;
  s.threads = self->policy.threads;
  s.emulator_cpu = -1;

  if (s.n == 0)
    return infeasible (req, g_strdup_printf (_("%s has no vCPUs"), req->name));
  if (s.mem == 0)
    return infeasible (req, g_strdup_printf (_("%s has no memory"), req->name));
  if (s.huge == 1)
    {
      const GArray *sizes = kt_host_get_page_sizes (self->host);

      s.huge = 0;
      for (guint i = 0; i < sizes->len && s.huge == 0; i++)
        if (g_array_index (sizes, guint64, i) >= 1024)
          s.huge = g_array_index (sizes, guint64, i);
      if (s.huge == 0)
        return infeasible (req, g_strdup (_("The VM wants huge pages; the host has none")));
    }
  if (s.huge > 0 && !host_has_pages (self, s.huge))
    return infeasible (req, g_strdup_printf (_("The host has no %llu KiB pages"),
                                             (unsigned long long) s.huge));

  prepare_cores (&s);
  s.node_cap = g_new0 (guint, self->nodes->len + 1);
  for (guint c = 0; c < self->cores->len; c++)
    s.node_cap[g_array_index (self->cores, KtPlanCore, c).node] += core_capacity (&s, c);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      cap += s.node_cap[i];
      mem_cap += node_memory_cap (&s, i);
    }

  if (cap < s.n)
    {
      const char *what = !s.dedicated ? _("usable pCPUs")
                         : s.threads == KT_PLANNER_THREADS_ISOLATE ? _("free whole cores")
                         : s.threads == KT_PLANNER_THREADS_REQUIRE ? _("pCPUs on free whole cores")
                         : _("free pCPUs");

      /* Translators: "8 vCPUs need 8 free pCPUs; the host has 6 (…)" */
      result = infeasible (req, g_strdup_printf (ngettext ("%u vCPU needs %u %s; the host has %u "
                                                           "(not reserved, not used by another VM)",
                                                           "%u vCPUs need %u %s; the host has %u "
                                                           "(not reserved, not used by another VM)",
                                                           s.n),
                                                 s.n, s.n, what, cap));
    }
  else if (mem_cap < s.mem)
    {
      g_autofree char *need = g_format_size_full (s.mem * 1024, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *have = g_format_size_full (mem_cap * 1024, G_FORMAT_SIZE_IEC_UNITS);

      result = infeasible (req, s.huge > 0
                           ? g_strdup_printf (_("%s of huge pages needed; the host's pools have "
                                                "%s free"), need, have)
                           : g_strdup_printf (_("%s of memory needed; the host's nodes have %s "
                                                "free"), need, have));
    }
  else
    {
      s.fewest_nodes = fewest_nodes (&s);
      s.fewest_l3 = fewest_groups (&s, FALSE);
      s.fewest_sockets = fewest_groups (&s, TRUE);
      s.bound = lower_bound (&s);
      search_regions (&s);
      if (s.best != NULL)
        {
          result = g_steal_pointer (&s.best);
          result->lower_bound = s.bound;
          kt_planner_explain (self, req, result);
        }
      else
        result = infeasible (req, s.why ? g_steal_pointer (&s.why)
                                        : g_strdup (_("No placement meets the constraints")));
    }
  g_free (s.why);
  g_free (s.info);
  g_free (s.node_cap);
  g_clear_pointer (&s.best, kt_proposal_free);
  return result;
}

/**
 * kt_planner_plan:
 *
 * Returns: (transfer full): where @request's VM should go; the VM's own
 * current pins do not count against it
 */
KtProposal *
kt_planner_plan (KtPlanner              *self,
                 const KtPlannerRequest *request)
{
  g_return_val_if_fail (KT_IS_PLANNER (self), NULL);
  g_return_val_if_fail (request != NULL && request->name != NULL, NULL);

  g_hash_table_remove_all (self->excluded);
  g_hash_table_add (self->excluded, g_strdup (request->name));
  kt_planner_build_state (self);
  return search_one (self, request);
}

/* Places @requests in @order, each after the ones before */
static GPtrArray *
place_in_order (KtPlanner  *self,
                GPtrArray  *requests,
                const guint *order,
                double     *total,
                guint      *n_feasible)
{
  GPtrArray *out = g_ptr_array_new_full (requests->len, (GDestroyNotify) kt_proposal_free);

  kt_planner_build_state (self);
  *total = 0;
  *n_feasible = 0;
  g_ptr_array_set_size (out, requests->len);
  for (guint i = 0; i < requests->len; i++)
    {
      KtProposal *p = search_one (self, g_ptr_array_index (requests, order[i]));

      kt_planner_commit (self, p);
      if (p->feasible)
        {
          *total += p->cost;
          (*n_feasible)++;
        }
      g_ptr_array_index (out, order[i]) = p;
    }
  return out;
}

static int
cmp_by_size (gconstpointer a,
             gconstpointer b,
             gpointer      data)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  const KtPlannerRequest *rx = g_ptr_array_index ((GPtrArray *) data, x);
  const KtPlannerRequest *ry = g_ptr_array_index ((GPtrArray *) data, y);

  if (rx->vcpus != ry->vcpus)
    return rx->vcpus > ry->vcpus ? -1 : 1;
  if (rx->memory_kib != ry->memory_kib)
    return rx->memory_kib > ry->memory_kib ? -1 : 1;
  return x < y ? -1 : x > y;
}

/**
 * kt_planner_plan_all:
 * @requests: (element-type KtPlannerRequest)
 * @total_cost: (out) (optional): the sum of the feasible proposals' costs
 *
 * Places every request together: none of their VMs' current pins count.
 * Tries them in the given order (one by one) and largest first, and keeps
 * the order that places more VMs, then costs less.
 *
 * Returns: (transfer full) (element-type KtProposal): one proposal per
 * request, in the same order
 */
GPtrArray *
kt_planner_plan_all (KtPlanner *self,
                     GPtrArray *requests,
                     double    *total_cost)
{
  g_autofree guint *given = NULL;
  g_autofree guint *largest = NULL;
  GPtrArray *best, *other;
  double best_total, other_total;
  guint best_n, other_n;

  g_return_val_if_fail (KT_IS_PLANNER (self), NULL);
  g_return_val_if_fail (requests != NULL, NULL);

  g_hash_table_remove_all (self->excluded);
  given = g_new (guint, requests->len + 1);
  largest = g_new (guint, requests->len + 1);
  for (guint i = 0; i < requests->len; i++)
    {
      const KtPlannerRequest *r = g_ptr_array_index (requests, i);

      g_hash_table_add (self->excluded, g_strdup (r->name));
      given[i] = largest[i] = i;
    }
  g_qsort_with_data (largest, (gint) requests->len, sizeof (guint), cmp_by_size, requests);

  best = place_in_order (self, requests, given, &best_total, &best_n);
  other = place_in_order (self, requests, largest, &other_total, &other_n);
  if (other_n > best_n || (other_n == best_n && other_total < best_total - 1e-9))
    {
      g_ptr_array_unref (best);
      best = other;
      best_total = other_total;
    }
  else
    g_ptr_array_unref (other);
  if (total_cost != NULL)
    *total_cost = best_total;
  return best;
}
