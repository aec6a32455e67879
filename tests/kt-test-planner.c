/* kt-test-planner.c: the planner's tests' own view of a host: occupancy,
 * an independent cost, and a greedy packer in the style of Kubernetes'
 * CPU manager (shared by test-planner.c and bench-planner.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-test-planner.h"
#include "kt-test-util.h"

/* The host as the test sees it ------------------------------------------- */


void
tp_world_clear (World *w)
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

KtVm *
tp_make_vm (const char *name,
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
void
tp_world_init (World      *w,
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
      a = tp_make_vm ("other-pinned", pins->str, "", q);
      g_assert_true (kt_snapshot_add_vm (w->snapshot, a, NULL));
      if (q + 2 <= online->len)
        {
          int c1 = g_array_index (online, int, q), c2 = g_array_index (online, int, q + 1);
          g_autofree char *attrs = g_strdup_printf (" cpuset='%d,%d'", c1, c2);

          b = tp_make_vm ("other-floating", "", attrs, 2);
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

gboolean
tp_is_used (World *w,
         int    cpu)
{
  return g_hash_table_contains (w->used, GINT_TO_POINTER (cpu + 1));
}

gboolean
tp_core_runs_other (World          *w,
                 const KtHostCpu *cpu)
{
  for (int s = kt_cpuset_first (cpu->siblings); s >= 0; s = kt_cpuset_next (cpu->siblings, s))
    if (tp_is_used (w, s))
      return TRUE;
  return FALSE;
}

const KtHostCore *
tp_core_of (World *w,
         int    cpu)
{
  return kt_host_get_core (w->host, kt_host_lookup_cpu (w->host, cpu)->core_index);
}

/* What the test thinks a node can take, in KiB: its memory less its huge
 * page pools, or its pool of @huge; G_MAXUINT64 when unknown */
guint64
tp_node_room (World  *w,
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

gboolean
tp_usable (World           *w,
        const KtCpuset  *reserved,
        int              cpu,
        gboolean         dedicated)
{
  const KtHostCpu *c = kt_host_lookup_cpu (w->host, cpu);

  if (c == NULL || !c->online || (reserved && kt_cpuset_contains (reserved, (guint) cpu)))
    return FALSE;
  if (g_hash_table_contains (w->dedicated, GINT_TO_POINTER (cpu + 1)))
    return FALSE;
  return !dedicated || !tp_is_used (w, cpu);
}

/* Independent cost --------------------------------------------------------- */


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

double
tp_recompute (World              *w,
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
        if (tp_core_runs_other (w, kt_host_lookup_cpu (w->host, c)))
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
        if (!kt_cpuset_is_subset (set, tp_core_of (w, kt_cpuset_first (set))->cpus))
          t->smt += 10;
      }
  else
    for (guint a = 0; a < n; a++)
      for (guint b = a + 1; b < n; b++)
        {
          const KtCpuset *pa = g_ptr_array_index (l->pins, a);
          const KtCpuset *pb = g_ptr_array_index (l->pins, b);
          const KtHostCore *ca = tp_core_of (w, kt_cpuset_first (pa));

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


/* The greedy packer ---------------------------------------------------------
 * Kubernetes' CPU manager, static policy: whole free nodes while the rest
 * needs at least a node, then whole free cores while it needs at least a
 * core, then single threads; first fit in the host's order.  Memory on
 * the nodes of its CPUs, in proportion; the emulator with the vCPUs. */

gboolean
tp_greedy_pack (World          *w,
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
        free_here += tp_usable (w, reserved, cpu, TRUE);
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
            ok += tp_usable (w, reserved, s, TRUE) && !kt_cpuset_contains (taken, (guint) s);
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
        if (tp_usable (w, reserved, s, TRUE) && !kt_cpuset_contains (taken, (guint) s))
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
        if (m.kib > tp_node_room (w, node, c->huge))
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

void
tp_free_cells (GArray *cells)
{
  for (guint i = 0; i < cells->len; i++)
    {
      kt_cpuset_free (g_array_index (cells, KtPlannerCell, i).vcpus);
      kt_cpuset_free (g_array_index (cells, KtPlannerCell, i).nodeset);
    }
  g_array_unref (cells);
}

guint64
tp_pool_size (KtHost *host)
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

