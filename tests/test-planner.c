/* test-planner.c: the placement planner on every host fixture
 *
 * For each host in $KT_FIXTURES/hosts (and hosts/edge), empty and with two
 * other VMs on it, and for a set of requests and policies:
 *  - the plan honours every hard constraint, checked here from its pins;
 *  - its cost equals the test's own recomputation from the pins;
 *  - it is never above a greedy packer in the style of Kubernetes' CPU
 *    manager (whole nodes, whole cores, then threads, first fit), written
 *    here;
 *  - its lower bound is at most its cost, and infeasible requests say so.
 * Plus: a new dedicated VM sits at the lower bound on ordinary 1- and
 * 2-socket hosts; plan_all is deterministic, keeps the VMs apart and is
 * never above placing them one by one; the JSON keys; kvmtune-cli plan.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "kt-planner.h"
#include "kt-test-util.h"

/* The host as the test sees it ------------------------------------------- */

typedef struct
{
  KtSnapshot *snapshot;
  KtHost     *host;
  GHashTable *used;        /* cpu id + 1 → other VMs' pinned threads there */
  GHashTable *dedicated;   /* cpu id + 1: pinned 1:1 to another VM's vCPU */
} World;

static void
world_clear (World *w)
{
  g_clear_object (&w->snapshot);
  g_clear_pointer (&w->used, g_hash_table_unref);
  g_clear_pointer (&w->dedicated, g_hash_table_unref);
}

static void
mark (World    *w,
      int       cpu,
      gboolean  one)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (w->used, GINT_TO_POINTER (cpu + 1)));

  g_hash_table_insert (w->used, GINT_TO_POINTER (cpu + 1), GUINT_TO_POINTER (k + 1));
  if (one)
    g_hash_table_add (w->dedicated, GINT_TO_POINTER (cpu + 1));
}

static KtVm *
make_vm (const char *name,
         const char *cputune,
         const char *vcpu_attrs,
         guint       vcpus)
{
  g_autofree char *xml = g_strdup_printf (
    "<domain type='kvm'><name>%s</name><memory unit='KiB'>262144</memory>"
    "<vcpu placement='static'%s>%u</vcpu><cputune>%s</cputune>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
    name, vcpu_attrs, vcpus, cputune);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);

  g_assert_no_error (error);
  return kt_vm_new (name, KT_VM_STATE_SHUTOFF, -1, TRUE, NULL, d);
}

/* @busy: one VM pinned 1:1 to the first quarter of the online CPUs, and
 * one floating over the next two (its <vcpu cpuset>) */
static void
world_init (World      *w,
            const char *caps_path,
            gboolean    busy)
{
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  g_autoptr(GError) error = NULL;

  w->snapshot = kt_snapshot_new (caps, NULL, &error);
  g_assert_no_error (error);
  w->host = kt_snapshot_get_host (w->snapshot);
  w->used = g_hash_table_new (NULL, NULL);
  w->dedicated = g_hash_table_new (NULL, NULL);
  if (busy)
    {
      g_autoptr(GArray) online = kt_cpuset_to_array (kt_host_get_online_cpus (w->host));
      guint q = MAX (online->len / 4, 1);
      g_autoptr(GString) pins = g_string_new (NULL);
      g_autoptr(KtVm) a = NULL;
      g_autoptr(KtVm) b = NULL;

      for (guint i = 0; i < q && i < online->len; i++)
        {
          int cpu = g_array_index (online, int, i);

          g_string_append_printf (pins, "<vcpupin vcpu='%u' cpuset='%d'/>", i, cpu);
          mark (w, cpu, TRUE);
        }
      a = make_vm ("other-pinned", pins->str, "", q);
      g_assert_true (kt_snapshot_add_vm (w->snapshot, a, NULL));
      if (q + 2 <= online->len)
        {
          int c1 = g_array_index (online, int, q), c2 = g_array_index (online, int, q + 1);
          g_autofree char *attrs = g_strdup_printf (" cpuset='%d,%d'", c1, c2);

          b = make_vm ("other-floating", "", attrs, 2);
          g_assert_true (kt_snapshot_add_vm (w->snapshot, b, NULL));
          /* two vCPUs and the emulator float there */
          for (int k = 0; k < 3; k++)
            {
              mark (w, c1, FALSE);
              mark (w, c2, FALSE);
            }
        }
    }
}

static gboolean
is_used (World *w,
         int    cpu)
{
  return g_hash_table_contains (w->used, GINT_TO_POINTER (cpu + 1));
}

static gboolean
core_runs_other (World          *w,
                 const KtHostCpu *cpu)
{
  for (int s = kt_cpuset_first (cpu->siblings); s >= 0; s = kt_cpuset_next (cpu->siblings, s))
    if (is_used (w, s))
      return TRUE;
  return FALSE;
}

static const KtHostCore *
core_of (World *w,
         int    cpu)
{
  return kt_host_get_core (w->host, kt_host_lookup_cpu (w->host, cpu)->core_index);
}

/* What the test thinks a node can take, in KiB: its memory less its huge
 * page pools, or its pool of @huge; G_MAXUINT64 when unknown */
static guint64
node_room (World  *w,
           int     node,
           guint64 huge)
{
  const KtHostNode *n = kt_host_lookup_node (w->host, node);
  guint64 pooled = 0;

  for (guint i = 0; i < n->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (n->pages, KtHostPages, i);

      if (huge > 0 && pg->size_kib == huge)
        return pg->total * huge;
      if (pg->size_kib > 4 && !(i == 0 && pg->size_kib < 1024))
        pooled += pg->total * pg->size_kib;
    }
  if (huge > 0)
    return 0;
  if (!n->has_memory)
    return G_MAXUINT64;
  return n->memory_kib > pooled ? n->memory_kib - pooled : 0;
}

static gboolean
usable (World           *w,
        const KtCpuset  *reserved,
        int              cpu,
        gboolean         dedicated)
{
  const KtHostCpu *c = kt_host_lookup_cpu (w->host, cpu);

  if (c == NULL || !c->online || (reserved && kt_cpuset_contains (reserved, (guint) cpu)))
    return FALSE;
  if (g_hash_table_contains (w->dedicated, GINT_TO_POINTER (cpu + 1)))
    return FALSE;
  return !dedicated || !is_used (w, cpu);
}

/* Independent cost --------------------------------------------------------- */

typedef struct
{
  GPtrArray *pins;       /* KtCpuset per vCPU (borrowed) */
  GArray    *memory;     /* KtPlannerNodeMemory */
  GArray    *cells;      /* KtPlannerCell */
  guint      T;
  guint      fewest_nodes, fewest_l3, fewest_sockets;
} Layout;

static guint
count_of (World          *w,
          const KtCpuset *set,
          int             what)   /* 0: nodes, 1: L3, 2: sockets */
{
  g_autoptr(GHashTable) keys = g_hash_table_new (NULL, NULL);

  for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
    {
      const KtHostCpu *cpu = kt_host_lookup_cpu (w->host, c);
      int k = what == 0 ? cpu->node : what == 1 ? cpu->l3 : cpu->socket;

      if (k >= 0)
        g_hash_table_add (keys, GINT_TO_POINTER (k + 1));
    }
  return g_hash_table_size (keys);
}

static double
recompute (World              *w,
           const Layout       *l,
           KtPlannerCostParts *t)
{
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autoptr(KtCpuset) vnodes = kt_cpuset_new ();
  g_autoptr(KtCpuset) span = NULL;
  g_autoptr(KtCpuset) cores = kt_cpuset_new ();
  guint64 total = 0, remote = 0;
  guint n = l->pins->len;

  memset (t, 0, sizeof *t);
  for (guint v = 0; v < n; v++)
    kt_cpuset_union_in (all, g_ptr_array_index (l->pins, v));
  for (int c = kt_cpuset_first (all); c >= 0; c = kt_cpuset_next (all, c))
    {
      kt_cpuset_add (vnodes, (guint) kt_host_lookup_cpu (w->host, c)->node);
      kt_cpuset_add (cores, kt_host_lookup_cpu (w->host, c)->core_index);
    }
  span = kt_cpuset_copy (vnodes);
  for (guint i = 0; i < l->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (l->memory, KtPlannerNodeMemory, i);

      if (m->kib == 0)
        continue;
      total += m->kib;
      kt_cpuset_add (span, (guint) m->node);
      if (!kt_cpuset_contains (vnodes, (guint) m->node))
        remote += m->kib;
    }
  t->nodes = 100.0 * MAX (0, (int) kt_cpuset_count (span) - (int) l->fewest_nodes);
  t->remote_memory = total ? 50.0 * remote / total : 0;
  for (guint v = 0; v < n; v++)
    {
      const KtCpuset *set = g_ptr_array_index (l->pins, v);

      for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
        if (core_runs_other (w, kt_host_lookup_cpu (w->host, c)))
          {
            t->shared_cores += 20;
            break;
          }
    }
  /* SMT: a guest core on one host core's threads; or, without guest SMT,
   * every pair of vCPUs each pinned within the same host core */
  if (l->T > 1)
    for (guint g = 0; g * l->T < n; g++)
      {
        g_autoptr(KtCpuset) set = kt_cpuset_new ();

        for (guint v = g * l->T; v < MIN (n, (g + 1) * l->T); v++)
          kt_cpuset_union_in (set, g_ptr_array_index (l->pins, v));
        if (!kt_cpuset_is_subset (set, core_of (w, kt_cpuset_first (set))->cpus))
          t->smt += 10;
      }
  else
    for (guint a = 0; a < n; a++)
      for (guint b = a + 1; b < n; b++)
        {
          const KtCpuset *pa = g_ptr_array_index (l->pins, a);
          const KtCpuset *pb = g_ptr_array_index (l->pins, b);
          const KtHostCore *ca = core_of (w, kt_cpuset_first (pa));

          if (kt_cpuset_is_subset (pa, ca->cpus) && kt_cpuset_is_subset (pb, ca->cpus))
            t->smt += 10;
        }
  t->l3 = 5.0 * MAX (0, (int) count_of (w, all, 1) - (int) l->fewest_l3);
  t->sockets = 2.0 * MAX (0, (int) count_of (w, all, 2) - (int) l->fewest_sockets);
  for (guint i = 0; l->cells && i < l->cells->len; i++)
    {
      const KtPlannerCell *cell = &g_array_index (l->cells, KtPlannerCell, i);
      g_autoptr(KtCpuset) cpus = kt_cpuset_new ();
      g_autoptr(KtCpuset) nodes = kt_cpuset_new ();

      for (int v = cell->vcpus ? kt_cpuset_first (cell->vcpus) : -1; v >= 0;
           v = kt_cpuset_next (cell->vcpus, v))
        kt_cpuset_union_in (cpus, g_ptr_array_index (l->pins, v));
      for (int c = kt_cpuset_first (cpus); c >= 0; c = kt_cpuset_next (cpus, c))
        kt_cpuset_add (nodes, (guint) kt_host_lookup_cpu (w->host, c)->node);
      kt_cpuset_union_in (nodes, cell->nodeset);
      if (kt_cpuset_count (nodes) > 1)
        t->cells += 5;
    }
  for (int c = kt_cpuset_first (cores); c >= 0; c = kt_cpuset_next (cores, c))
    {
      const KtHostCore *core = kt_host_get_core (w->host, (guint) c);

      for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
        if (kt_host_lookup_cpu (w->host, s)->online && !kt_cpuset_contains (all, (guint) s))
          {
            t->half_cores += 1;
            break;
          }
    }
  return t->nodes + t->remote_memory + t->shared_cores + t->smt + t->l3 + t->cells + t->sockets
         + t->half_cores;
}

/* Hard constraints ------------------------------------------------------- */

typedef struct
{
  const char       *label;
  guint             vcpus;
  guint             T;
  guint64           memory_kib;
  guint64           huge;
  KtPlannerCpuPolicy cpu;
  KtPlannerThreads  threads;
  KtPlannerEmulator emulator;
  gboolean          reserve_two;
} Case;

static void
check_constraints (World            *w,
                   const Case       *c,
                   const KtCpuset   *reserved,
                   const KtProposal *p)
{
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autoptr(KtCpuset) vnodes = kt_cpuset_new ();
  g_autoptr(KtCpuset) cell_vcpus = kt_cpuset_new ();
  guint64 total = 0, cells_total = 0;
  gboolean dedicated = c->cpu == KT_PLANNER_DEDICATED;

  g_assert_cmpuint (p->vcpupin->len, ==, c->vcpus);
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

      g_assert_false (kt_cpuset_is_empty (set));
      for (int cpu = kt_cpuset_first (set); cpu >= 0; cpu = kt_cpuset_next (set, cpu))
        {
          /* never reserved, offline, or another VM's dedicated pCPU; a
           * dedicated vCPU on nothing any other thread uses */
          g_assert_true (usable (w, reserved, cpu, dedicated));
          kt_cpuset_add (vnodes, (guint) kt_host_lookup_cpu (w->host, cpu)->node);
        }
      if (dedicated)
        {
          g_assert_cmpuint (kt_cpuset_count (set), ==, 1);
          g_assert_false (kt_cpuset_intersects (set, all));   /* one pCPU per vCPU */
        }
      kt_cpuset_union_in (all, set);
    }
  if (dedicated && c->threads == KT_PLANNER_THREADS_ISOLATE)
    for (int cpu = kt_cpuset_first (all); cpu >= 0; cpu = kt_cpuset_next (all, cpu))
      {
        const KtHostCpu *hc = kt_host_lookup_cpu (w->host, cpu);
        g_autoptr(KtCpuset) mine = kt_cpuset_intersection (hc->siblings, all);

        g_assert_cmpuint (kt_cpuset_count (mine), ==, 1);
        g_assert_false (core_runs_other (w, hc));
      }
  if (dedicated && c->threads == KT_PLANNER_THREADS_REQUIRE)
    for (int cpu = kt_cpuset_first (all); cpu >= 0; cpu = kt_cpuset_next (all, cpu))
      {
        const KtHostCore *core = core_of (w, cpu);

        for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
          g_assert_true (!kt_host_lookup_cpu (w->host, s)->online
                         || kt_cpuset_contains (all, (guint) s));
      }
  g_assert_nonnull (p->emulatorpin);
  if (c->emulator == KT_PLANNER_EMULATOR_ISOLATE)
    {
      g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (w->host, p->emulatorpin);

      g_assert_false (kt_cpuset_intersects (p->emulatorpin, all));
      g_assert_true (kt_cpuset_is_subset (nodes, vnodes));
      for (int e = kt_cpuset_first (p->emulatorpin); e >= 0; e = kt_cpuset_next (p->emulatorpin, e))
        g_assert_true (usable (w, reserved, e, FALSE));
    }
  /* Memory: all of it, within each node's room (or page pool), on the
   * numatune nodes */
  g_assert_cmpstr (p->numa_mode, ==, "strict");
  for (guint i = 0; i < p->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (p->memory, KtPlannerNodeMemory, i);
      guint64 room = node_room (w, m->node, c->huge);

      total += m->kib;
      g_assert_true (kt_cpuset_contains (p->nodeset, (guint) m->node));
      if (c->huge > 0)
        g_assert_cmpuint ((m->kib + c->huge - 1) / c->huge * c->huge, <=, room);
      else
        g_assert_cmpuint (m->kib, <=, room);
    }
  g_assert_cmpuint (total, ==, c->memory_kib);
  if (c->huge > 0)
    {
      guint64 pages = 0;

      for (guint i = 0; i < p->hugepages->len; i++)
        pages += g_array_index (p->hugepages, KtPlannerPages, i).pages;
      g_assert_cmpuint (pages * c->huge, >=, c->memory_kib);
    }
  /* Cells cover every vCPU once and all the memory */
  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *cell = &g_array_index (p->cells, KtPlannerCell, i);

      g_assert_false (kt_cpuset_intersects (cell_vcpus, cell->vcpus));
      kt_cpuset_union_in (cell_vcpus, cell->vcpus);
      g_assert_true (kt_cpuset_is_subset (cell->nodeset, p->nodeset));
      cells_total += cell->memory_kib;
    }
  if (p->cells->len > 0)
    {
      g_assert_cmpuint (kt_cpuset_count (cell_vcpus), ==, c->vcpus);
      g_assert_cmpuint (cells_total, ==, c->memory_kib);
    }
  else
    g_assert_cmpuint (kt_cpuset_count (vnodes), ==, 1);
}

/* The fewest nodes, L3 groups and sockets, for the simple policies */
static void
check_fewest (World            *w,
              const Case       *c,
              const KtCpuset   *reserved,
              const KtProposal *p)
{
  guint N = kt_host_get_n_nodes (w->host);
  guint best = 0;
  gboolean dedicated = c->cpu == KT_PLANNER_DEDICATED;

  if (N > 16 || (dedicated && c->threads != KT_PLANNER_THREADS_PREFER)
      || c->emulator != KT_PLANNER_EMULATOR_SHARE)
    return;
  for (guint mask = 1; mask < (1u << N); mask++)
    {
      guint64 cpus = 0, mem = 0;
      guint k = (guint) __builtin_popcount (mask);

      for (guint i = 0; i < N; i++)
        if (mask & (1u << i))
          {
            const KtHostNode *node = kt_host_get_node (w->host, i);
            guint64 room = node_room (w, node->id, c->huge);

            for (int cpu = kt_cpuset_first (node->cpus); cpu >= 0;
                 cpu = kt_cpuset_next (node->cpus, cpu))
              cpus += usable (w, reserved, cpu, dedicated);
            mem = room == G_MAXUINT64 || mem == G_MAXUINT64 ? G_MAXUINT64 : mem + room;
          }
      if (cpus >= c->vcpus && mem >= c->memory_kib && (best == 0 || k < best))
        best = k;
    }
  g_assert_cmpuint (p->fewest_nodes, ==, best);
}

/* The greedy packer ---------------------------------------------------------
 * Kubernetes' CPU manager, static policy: whole free nodes while the rest
 * needs at least a node, then whole free cores while it needs at least a
 * core, then single threads; first fit in the host's order.  Memory on
 * the nodes of its CPUs, in proportion; the emulator with the vCPUs. */

static gboolean
greedy_pack (World          *w,
             const Case     *c,
             const KtCpuset *reserved,
             GPtrArray      *pins,
             GArray         *memory,
             GArray         *cells)
{
  g_autoptr(KtCpuset) taken = kt_cpuset_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  guint n = c->vcpus;

#define TAKE(cpu) G_STMT_START { int _c = (cpu); kt_cpuset_add (taken, (guint) _c); \
                                 g_array_append_val (order, _c); } G_STMT_END

  for (guint i = 0; i < kt_host_get_n_nodes (w->host) && order->len < n; i++)
    {
      const KtHostNode *node = kt_host_get_node (w->host, i);
      guint k = kt_cpuset_count (node->online_cpus), free_here = 0;
      g_autoptr(GArray) cores = kt_host_node_cores (w->host, node->id);

      for (int cpu = kt_cpuset_first (node->online_cpus); cpu >= 0;
           cpu = kt_cpuset_next (node->online_cpus, cpu))
        free_here += usable (w, reserved, cpu, TRUE);
      if (k == 0 || free_here < k || n - order->len < k)
        continue;
      for (guint j = 0; j < cores->len; j++)
        {
          const KtHostCore *core = kt_host_get_core (w->host, g_array_index (cores, guint, j));

          for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
            if (kt_host_lookup_cpu (w->host, s)->online)
              TAKE (s);
        }
    }
  for (guint j = 0; j < kt_host_get_n_cores (w->host) && order->len < n; j++)
    {
      const KtHostCore *core = kt_host_get_core (w->host, j);
      guint k = 0, ok = 0;

      for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
        if (kt_host_lookup_cpu (w->host, s)->online)
          {
            k++;
            ok += usable (w, reserved, s, TRUE) && !kt_cpuset_contains (taken, (guint) s);
          }
      if (k == 0 || ok < k || n - order->len < k)
        continue;
      for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
        if (kt_host_lookup_cpu (w->host, s)->online)
          TAKE (s);
    }
  for (guint j = 0; j < kt_host_get_n_cores (w->host) && order->len < n; j++)
    {
      const KtHostCore *core = kt_host_get_core (w->host, j);

      for (int s = kt_cpuset_first (core->cpus); s >= 0 && order->len < n;
           s = kt_cpuset_next (core->cpus, s))
        if (usable (w, reserved, s, TRUE) && !kt_cpuset_contains (taken, (guint) s))
          TAKE (s);
    }
#undef TAKE
  if (order->len < n)
    return FALSE;

  /* vCPUs by node (stable), so that guest cells are contiguous */
  {
    g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (w->host, taken);
    guint64 given = 0;
    guint v = 0, left = kt_cpuset_count (nodes);

    for (int node = kt_cpuset_first (nodes); node >= 0; node = kt_cpuset_next (nodes, node))
      {
        KtPlannerCell cell = { cells->len, kt_cpuset_new (), 0, kt_cpuset_new () };
        guint here = 0;
        KtPlannerNodeMemory m = { node, 0 };

        for (guint i = 0; i < order->len; i++)
          {
            int cpu = g_array_index (order, int, i);

            if (kt_host_lookup_cpu (w->host, cpu)->node != node)
              continue;
            {
              KtCpuset *set = kt_cpuset_new ();

              kt_cpuset_add (set, (guint) cpu);
              g_ptr_array_add (pins, set);
              kt_cpuset_add (cell.vcpus, v++);
              here++;
            }
          }
        m.kib = --left == 0 ? c->memory_kib - given : c->memory_kib * here / n / 1024 * 1024;
        given += m.kib;
        if (m.kib > node_room (w, node, c->huge))
          {
            kt_cpuset_free (cell.vcpus);
            kt_cpuset_free (cell.nodeset);
            return FALSE;   /* the packer overcommits: not a valid plan */
          }
        kt_cpuset_add (cell.nodeset, (guint) node);
        cell.memory_kib = m.kib;
        g_array_append_val (memory, m);
        g_array_append_val (cells, cell);
      }
  }
  return TRUE;
}

static void
free_cells (GArray *cells)
{
  for (guint i = 0; i < cells->len; i++)
    {
      kt_cpuset_free (g_array_index (cells, KtPlannerCell, i).vcpus);
      kt_cpuset_free (g_array_index (cells, KtPlannerCell, i).nodeset);
    }
  g_array_unref (cells);
}

/* One host ------------------------------------------------------------------ */

typedef struct
{
  double planner;
  double greedy;
  guint  compared;
  guint  feasible;
  guint  infeasible;
} Tally;

static guint64
pool_size (KtHost *host)
{
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *n = kt_host_get_node (host, i);

      for (guint p = 0; p < n->pages->len; p++)
        {
          const KtHostPages *pg = &g_array_index (n->pages, KtHostPages, p);

          if (pg->size_kib >= 1024 && pg->total > 0)
            return pg->size_kib;
        }
    }
  return 0;
}

static void
run_case (World      *w,
          const Case *c,
          Tally      *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) reserved = NULL;
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("planned", c->vcpus, c->memory_kib);
  g_autoptr(KtProposal) p = NULL;
  g_autoptr(GPtrArray) gpins = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(GArray) gmem = g_array_new (FALSE, FALSE, sizeof (KtPlannerNodeMemory));
  GArray *gcells = g_array_new (FALSE, FALSE, sizeof (KtPlannerCell));
  KtPlannerPolicy policy = { c->cpu, c->threads, c->emulator, NULL };
  KtPlannerCostParts mine;
  gboolean greedy_ok = FALSE;
  guint usable_n = 0;
  guint64 room = 0;

  if (c->reserve_two)
    {
      g_autoptr(GArray) online = kt_cpuset_to_array (kt_host_get_online_cpus (w->host));

      reserved = kt_cpuset_new ();
      for (guint i = 0; i < 2 && i < online->len; i++)
        kt_cpuset_add (reserved, (guint) g_array_index (online, int, online->len - 1 - i));
      policy.reserved = reserved;
    }
  req->threads_per_core = c->T;
  req->hugepage_kib = c->huge;
  planner = kt_planner_new (w->snapshot, &policy);
  p = kt_planner_plan (planner, req);

  for (int cpu = kt_cpuset_first (kt_host_get_all_cpus (w->host)); cpu >= 0;
       cpu = kt_cpuset_next (kt_host_get_all_cpus (w->host), cpu))
    usable_n += usable (w, reserved, cpu, c->cpu == KT_PLANNER_DEDICATED);
  for (guint i = 0; i < kt_host_get_n_nodes (w->host); i++)
    {
      guint64 r = node_room (w, kt_host_get_node (w->host, i)->id, c->huge);

      room = r == G_MAXUINT64 || room == G_MAXUINT64 ? G_MAXUINT64 : room + r;
    }
  if (c->cpu == KT_PLANNER_DEDICATED && c->threads == KT_PLANNER_THREADS_PREFER
      && c->emulator == KT_PLANNER_EMULATOR_SHARE && c->T == 1)
    greedy_ok = greedy_pack (w, c, reserved, gpins, gmem, gcells);

  if (!p->feasible)
    {
      g_assert_nonnull (p->reason);
      g_assert_cmpstr (p->reason, !=, "");
      /* Only when the test too finds no room, or a policy it does not model */
      g_assert_false (greedy_ok);
      if (c->threads == KT_PLANNER_THREADS_PREFER && c->emulator == KT_PLANNER_EMULATOR_SHARE
          && c->T == 1)
        g_assert_true (usable_n < c->vcpus || room < c->memory_kib);
      tally->infeasible++;
      free_cells (gcells);
      return;
    }
  tally->feasible++;
  check_constraints (w, c, reserved, p);
  check_fewest (w, c, reserved, p);
  {
    Layout l = { p->vcpupin, p->memory, p->cells, c->T, p->fewest_nodes, p->fewest_l3,
                 p->fewest_sockets };
    double cost = recompute (w, &l, &mine);

    g_assert_cmpfloat_with_epsilon (cost, p->cost, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.half_cores, p->parts.half_cores, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.smt, p->parts.smt, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.shared_cores, p->parts.shared_cores, 1e-6);
    g_assert_cmpfloat (p->lower_bound, <=, p->cost + 1e-9);
    g_assert_cmpuint (p->explanation->len, >, 2);
  }
  if (greedy_ok)
    {
      Layout g = { gpins, gmem, gcells, c->T, p->fewest_nodes, p->fewest_l3, p->fewest_sockets };
      KtPlannerCostParts parts;
      double gc = recompute (w, &g, &parts);

      if (p->cost > gc + 1e-6)
        g_test_message ("%s: planner %g > greedy %g", c->label, p->cost, gc);
      g_assert_cmpfloat (p->cost, <=, gc + 1e-6);
      tally->planner += p->cost;
      tally->greedy += gc;
      tally->compared++;
    }
  free_cells (gcells);
}

static void
test_host (gconstpointer data)
{
  const char *path = data;
  Tally tally = { 0, };

  for (int busy = 0; busy < 2; busy++)
    {
      World w = { 0, };
      guint n_online;
      guint64 huge;

      world_init (&w, path, busy);
      n_online = kt_cpuset_count (kt_host_get_online_cpus (w.host));
      huge = pool_size (w.host);
      {
        const Case cases[] = {
          { "2 vCPUs", 2, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "half the host", MAX (n_online / 2, 1), 1, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0,
            FALSE },
          { "the whole host", n_online, 1, 256 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "too many vCPUs", n_online + 1, 1, 256 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "too much memory", 1, 1, G_GUINT64_CONSTANT (1) << 40, 0, KT_PLANNER_DEDICATED, 0, 0,
            FALSE },
          { "guest SMT", 4, 2, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "shared", 3, 1, 512 * 1024, 0, KT_PLANNER_SHARED, 0, 0, FALSE },
          { "shared SMT", 4, 2, 512 * 1024, 0, KT_PLANNER_SHARED, 0, 0, FALSE },
          { "isolate", 2, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, KT_PLANNER_THREADS_ISOLATE,
            KT_PLANNER_EMULATOR_ISOLATE, FALSE },
          { "require", 4, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, KT_PLANNER_THREADS_REQUIRE, 0,
            FALSE },
          { "emulator isolate", 3, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0,
            KT_PLANNER_EMULATOR_ISOLATE, FALSE },
          { "reserved", 3, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, TRUE },
          { "huge pages", 2, 1, 2 * huge, huge, KT_PLANNER_DEDICATED, 0, 0, FALSE },
        };

        for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
          {
            if (cases[i].huge == 0 && g_str_equal (cases[i].label, "huge pages"))
              continue;
            g_test_message ("%s, %s: %s", path, busy ? "busy" : "empty", cases[i].label);
            run_case (&w, &cases[i], &tally);
          }
      }
      world_clear (&w);
    }
  g_test_message ("planner %g vs greedy %g over %u requests (%u feasible, %u infeasible)",
                  tally.planner, tally.greedy, tally.compared, tally.feasible, tally.infeasible);
  g_assert_cmpuint (tally.infeasible, >, 0);   /* "too many vCPUs" at least */
}

/* Ordinary hosts: a new dedicated VM at the lower bound ---------------------- */

static void
test_lower_bound (void)
{
  const char *hosts[] = {
    "hosts/real-32intel64-2p8co2t+8ve.xml",      /* 2 sockets, SMT */
    "hosts/real-memorysidecaches.xml",           /* 2 sockets, 4 nodes, SMT */
    "hosts/real-20em64t-hybrid-1p6c2t+2ca4co1t.xml", /* 1 socket, hybrid */
    "hosts/real-offline-cpu0-node0.xml",         /* 2 sockets */
    "hosts/libvirt-caps-test3.xml",              /* 2 nodes */
    "hosts/real-40intel64-4n10c+pci-conflicts.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    for (guint n = 1; n <= 8; n++)
      {
        g_autofree char *path = kt_test_fixture_path (hosts[i]);
        World w = { 0, };
        KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
        g_autoptr(KtPlanner) planner = NULL;
        g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("new", n, 1024 * 1024);
        g_autoptr(KtProposal) p = NULL;

        world_init (&w, path, FALSE);
        planner = kt_planner_new (w.snapshot, &policy);
        p = kt_planner_plan (planner, req);
        g_assert_true (p->feasible);
        g_test_message ("%s, %u vCPUs: cost %g, bound %g", hosts[i], n, p->cost, p->lower_bound);
        g_assert_cmpfloat_with_epsilon (p->cost, p->lower_bound, 1e-9);
        /* one node, one L3 group where one holds it */
        g_assert_cmpfloat (p->parts.nodes + p->parts.l3 + p->parts.sockets, ==, 0);
        world_clear (&w);
      }
}

/* plan_all ---------------------------------------------------------------------- */

static KtSnapshot *
snapshot_with_vms (const char *caps_path,
                   guint       n_vms)
{
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  KtSnapshot *s = kt_snapshot_new (caps, NULL, NULL);

  for (guint i = 0; i < n_vms; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);
      g_autoptr(KtVm) vm = make_vm (name, "", "", 2 + (i * 3) % 5);

      g_assert_true (kt_snapshot_add_vm (s, vm, NULL));
    }
  return s;
}

static GPtrArray *
requests_of (KtSnapshot *s)
{
  GPtrArray *reqs = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_planner_request_free);
  GListModel *vms = kt_snapshot_get_vms (s);

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      g_ptr_array_add (reqs, kt_planner_request_new_for_vm (vm));
    }
  return reqs;
}

static char *
all_as_json (GPtrArray *proposals)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < proposals->len; i++)
    {
      g_autoptr(JsonNode) node = kt_proposal_to_json (g_ptr_array_index (proposals, i));
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append (s, text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_plan_all (void)
{
  g_autofree char *path = kt_test_fixture_path ("hosts/real-32intel64-2p8co2t+8ve.xml");
  g_autoptr(KtSnapshot) s = snapshot_with_vms (path, 7);
  g_autoptr(GPtrArray) reqs = requests_of (s);
  KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
  g_autoptr(KtPlanner) planner = kt_planner_new (s, &policy);
  double total = 0, again = 0, one_by_one = 0;
  g_autoptr(GPtrArray) first = kt_planner_plan_all (planner, reqs, &total);
  g_autoptr(GPtrArray) second = kt_planner_plan_all (planner, reqs, &again);
  g_autofree char *a = all_as_json (first);
  g_autofree char *b = all_as_json (second);
  g_autoptr(KtCpuset) taken = kt_cpuset_new ();

  g_assert_cmpstr (a, ==, b);   /* deterministic */
  g_assert_cmpfloat (total, ==, again);
  for (guint i = 0; i < first->len; i++)
    {
      const KtProposal *p = g_ptr_array_index (first, i);

      g_assert_true (p->feasible);
      for (guint v = 0; v < p->vcpupin->len; v++)
        {
          const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

          g_assert_false (kt_cpuset_intersects (taken, set));   /* never shared */
          kt_cpuset_union_in (taken, set);
        }
    }

  /* One by one, by hand: each VM planned after the earlier ones took
   * their plans; the later ones have no pins yet */
  for (guint i = 0; i < reqs->len; i++)
    {
      const KtPlannerRequest *r = g_ptr_array_index (reqs, i);
      g_autoptr(KtPlanner) one = kt_planner_new (s, &policy);
      g_autoptr(KtProposal) p = kt_planner_plan (one, r);
      KtVm *vm = kt_snapshot_lookup_vm (s, r->name);
      g_autoptr(KtDomain) d = kt_domain_copy (kt_vm_get_inactive (vm));
      g_autoptr(GError) error = NULL;

      g_assert_true (p->feasible);
      one_by_one += p->cost;
      g_assert_true (kt_proposal_edit_domain (p, d, &error));
      g_assert_no_error (error);
      kt_vm_set_definitions (vm, NULL, d);
    }
  g_test_message ("plan_all %g, one by one %g", total, one_by_one);
  g_assert_cmpfloat (total, <=, one_by_one + 1e-9);
}

/* JSON and the CLI ------------------------------------------------------------- */

static void
assert_keys (JsonObject *o)
{
  const char *keys[] = { "domain", "feasible", "reason", "vcpupin", "emulatorpin", "iothreadpin",
                         "numatune", "memnodes", "cells", "hugepages", "cost", "cost_parts",
                         "lower_bound", "explanation" };

  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (o, keys[i]));
}

static int
run_cli (char **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  int status;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("KT_CLI"));
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  if (err && *err)
    g_test_message ("stderr: %s", err);
  g_assert_null (strstr (err, "CRITICAL"));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-32intel64-2p8co2t+8ve.xml");
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "web", "--vcpus", "4",
                            "--memory", "2048", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  assert_keys (o);
  g_assert_true (json_object_get_boolean_member (o, "feasible"));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (o, "vcpupin")), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "numatune"),
                                                  "mode"), ==, "strict");
  g_clear_pointer (&out, g_free);

  /* Infeasible: exit status 1, the reason in the JSON */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "big", "--vcpus", "40",
                            "--memory", "1024", "--json", NULL), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  assert_keys (o);
  g_assert_false (json_object_get_boolean_member (o, "feasible"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "reason"), "40"));
  g_clear_pointer (&out, g_free);

  /* --all on the demo host: {"plans": [...], "cost"} */
  {
    g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
    JsonArray *plans;

    g_assert_cmpint (run_cli (&out, "--snapshot", demo, "plan", "--all", "--json", NULL), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpuint (json_object_get_size (o), ==, 2);
    plans = json_object_get_array_member (o, "plans");
    g_assert_cmpuint (json_array_get_length (plans), ==, 8);
    for (guint i = 0; i < json_array_get_length (plans); i++)
      assert_keys (json_array_get_object_element (plans, i));
    g_assert_true (json_object_has_member (o, "cost"));
    g_clear_pointer (&out, g_free);
  }

  /* Bad input names the problem */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "x", "--vcpus", "2",
                            "--memory", "64", "--policy", "greedy", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
}

/* --apply --dry-run changes nothing; --apply lands in the snapshot file */
static void
test_cli_apply (void)
{
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autofree char *dir = g_dir_make_tmp ("kt-planner-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "demo.kvmtune", NULL);
  g_autofree char *before = kt_test_read_file (demo, NULL);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtTuning) t = NULL;

  g_assert_true (g_file_set_contents (copy, before, -1, NULL));
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply",
                            "--dry-run", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Would call:"));
  after = kt_test_read_file (copy, NULL);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "Applied."));
  s = kt_snapshot_load_file (copy, &error);
  g_assert_no_error (error);
  t = kt_domain_get_tuning (kt_vm_get_inactive (kt_snapshot_lookup_vm (s, "dev-sandbox")));
  g_assert_cmpuint (t->vcpupin->len, ==, t->vcpus);
  g_assert_cmpstr (t->numa_mode, ==, "strict");
  g_assert_nonnull (t->numa_nodeset);
  g_clear_pointer (&out, g_free);

  /* Planned again: the VM is where the planner wants it, nothing to change */
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "Nothing to change."));
  g_unlink (copy);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) edge = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  names = kt_test_list_fixtures ("hosts", ".xml");
  edge = kt_test_list_fixtures ("hosts/edge", ".xml");
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/%s", (char *) g_ptr_array_index (names, i)));
  for (guint i = 0; i < edge->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/edge/%s", (char *) g_ptr_array_index (edge, i)));
  for (guint i = 0; i < paths->len; i++)
    {
      const char *rel = g_ptr_array_index (paths, i);
      g_autofree char *test = g_strdup_printf ("/planner/host/%s", rel + strlen ("hosts/"));
      char *path = kt_test_fixture_path (rel);

      g_test_add_data_func_full (test, path, test_host, g_free);
    }
  g_test_add_func ("/planner/lower-bound", test_lower_bound);
  g_test_add_func ("/planner/plan-all", test_plan_all);
  g_test_add_func ("/planner/cli", test_cli);
  g_test_add_func ("/planner/cli-apply", test_cli_apply);
  return g_test_run ();
}
