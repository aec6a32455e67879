/* kt-planner-inputs.c: what the planner starts from: the request, the
 * policy, and the host's CPUs, memory and pages left by the other VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-placement.h"
#include "kt-planner-private.h"

/* Requests --------------------------------------------------------------- */

KtPlannerRequest *
kt_planner_request_new (const char *name,
                        guint       vcpus,
                        guint64     memory_kib)
{
  KtPlannerRequest *r = g_new0 (KtPlannerRequest, 1);

  r->name = g_strdup (name);
  r->vcpus = vcpus;
  r->threads_per_core = 1;
  r->memory_kib = memory_kib;
  r->iothread_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  return r;
}

/* The host's smallest huge page size: what <hugepages/> without a size gets */
static guint64
default_huge_size (KtHost *host)
{
  const GArray *sizes = kt_host_get_page_sizes (host);

  for (guint i = 0; i < sizes->len; i++)
    if (g_array_index (sizes, guint64, i) > 4)
      return g_array_index (sizes, guint64, i);
  return 2048;
}

/**
 * kt_planner_request_new_for_vm:
 *
 * Returns: (transfer full): what @vm needs, from its effective definition
 */
KtPlannerRequest *
kt_planner_request_new_for_vm (KtVm *vm)
{
  g_autoptr(KtTuning) t = NULL;
  KtPlannerRequest *r;

  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  r = kt_planner_request_new (kt_vm_get_name (vm), t->vcpus, t->memory_kib);
  if (t->has_topology && t->threads > 1)
    r->threads_per_core = t->threads;
  if (t->has_hugepages)
    r->hugepage_kib = t->hugepages->len > 0
                      ? g_array_index (t->hugepages, KtHugepage, 0).size_kib : 0;
  if (t->has_hugepages && r->hugepage_kib == 0)
    r->hugepage_kib = 1;   /* the host's default size: resolved by the planner */
  g_array_append_vals (r->iothread_ids, t->iothread_ids->data, t->iothread_ids->len);
  r->n_cells = t->cells->len;
  return r;
}

void
kt_planner_request_free (KtPlannerRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->name);
  g_clear_pointer (&r->iothread_ids, g_array_unref);
  g_free (r);
}

/* Policies --------------------------------------------------------------- */

static gboolean
pick (const char  *what,
      const char  *value,
      const char **names,
      int         *out,
      GError     **error)
{
  if (value == NULL)
    return TRUE;
  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (value, names[i]))
      {
        *out = i;
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) names);

    g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                 _("Unknown %s policy “%s” (use %s)"), what, value, list);
  }
  return FALSE;
}

/**
 * kt_planner_policy_parse:
 * @cpu: (nullable): "dedicated" (default) or "shared"
 * @threads: (nullable): "prefer" (default), "isolate" or "require"
 * @emulator: (nullable): "share" (default) or "isolate"
 * @reserve: (nullable): housekeeping CPUs, checked against @host
 */
gboolean
kt_planner_policy_parse (KtPlannerPolicy  *policy,
                         const char       *cpu,
                         const char       *threads,
                         const char       *emulator,
                         const char       *reserve,
                         KtHost           *host,
                         GError          **error)
{
  static const char *cpus[] = { "dedicated", "shared", NULL };
  static const char *thread_names[] = { "prefer", "isolate", "require", NULL };
  static const char *emulators[] = { "share", "isolate", NULL };
  int c = 0, t = 0, e = 0;

  g_return_val_if_fail (policy != NULL, FALSE);

  memset (policy, 0, sizeof *policy);
  if (!pick (_("CPU"), cpu, cpus, &c, error)
      || !pick (_("thread"), threads, thread_names, &t, error)
      || !pick (_("emulator"), emulator, emulators, &e, error))
    return FALSE;
  policy->cpu = c;
  policy->threads = t;
  policy->emulator = e;
  if (reserve != NULL && *reserve != '\0')
    {
      g_autoptr(KtCpuset) set = kt_cpuset_parse (reserve, error);

      if (set == NULL)
        {
          g_prefix_error (error, _("--reserve: "));
          return FALSE;
        }
      if (host != NULL && !kt_host_check_cpuset (host, set, error))
        {
          g_prefix_error (error, _("--reserve: "));
          return FALSE;
        }
      policy->reserved = g_steal_pointer (&set);
    }
  return TRUE;
}

void
kt_planner_policy_clear (KtPlannerPolicy *policy)
{
  g_clear_pointer (&policy->reserved, kt_cpuset_free);
}

/* Occupancy -------------------------------------------------------------- */

int
kt_planner_node_index (KtPlanner *self,
                       int        id)
{
  for (guint i = 0; i < self->nodes->len; i++)
    if (g_array_index (self->nodes, KtPlanNode, i).id == id)
      return (int) i;
  return -1;
}

KtPlanCpu *
kt_planner_lookup_cpu (KtPlanner *self,
                       int        id)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (self->cpu_index, GINT_TO_POINTER (id)));

  return i == 0 ? NULL : &g_array_index (self->cpus, KtPlanCpu, i - 1);
}

/* May a vCPU of the VM being placed run on @cpu at all? */
gboolean
kt_planner_cpu_usable (KtPlanner       *self,
                       const KtPlanCpu *cpu,
                       gboolean         dedicated)
{
  if (!cpu->online || cpu->reserved || cpu->dedicated)
    return FALSE;
  return !dedicated || cpu->users == 0;
}

/* Does another VM run on a thread of @core? */
gboolean
kt_planner_core_dirty (KtPlanner        *self,
                       const KtPlanCore *core)
{
  for (guint i = 0; i < core->cpus->len; i++)
    {
      const KtPlanCpu *c = &g_array_index (self->cpus, KtPlanCpu,
                                           g_array_index (core->cpus, guint, i));

      if (c->users > 0 || c->dedicated)
        return TRUE;
    }
  return FALSE;
}

static KtPlannerPages *
node_pages (KtPlanNode *node,
            guint64     size_kib)
{
  for (guint i = 0; i < node->pages->len; i++)
    if (g_array_index (node->pages, KtPlannerPages, i).size_kib == size_kib)
      return &g_array_index (node->pages, KtPlannerPages, i);
  return NULL;
}

/* What @node can still take of the VM's memory, in KiB */
guint64
kt_planner_node_capacity (KtPlanner *self,
                          guint      node,
                          guint64    hugepage_kib)
{
  KtPlanNode *n = &g_array_index (self->nodes, KtPlanNode, node);
  KtPlannerPages *pg;

  if (hugepage_kib == 0)
    return n->memory_kib;
  pg = node_pages (n, hugepage_kib);
  return pg == NULL ? 0 : pg->pages * hugepage_kib;
}

static void
take_memory (KtPlanner *self,
             guint      node,
             guint64    kib,
             guint64    hugepage_kib)
{
  KtPlanNode *n = &g_array_index (self->nodes, KtPlanNode, node);

  if (hugepage_kib > 0)
    {
      KtPlannerPages *pg = node_pages (n, hugepage_kib);
      guint64 pages = (kib + hugepage_kib - 1) / hugepage_kib;

      if (pg != NULL)
        pg->pages -= MIN (pg->pages, pages);
      return;
    }
  if (n->memory_kib != KT_PLANNER_UNLIMITED)
    n->memory_kib -= MIN (n->memory_kib, kib);
}

/* Another VM's memory, when the host does not say what is free: spread
 * over its memnodes, or over its nodeset */
static void
count_vm_memory (KtPlanner *self,
                 KtTuning  *t)
{
  guint64 huge = 0;

  if (t->numa_nodeset == NULL || kt_cpuset_is_empty (t->numa_nodeset))
    return;
  if (t->has_hugepages)
    huge = t->hugepages->len > 0 && g_array_index (t->hugepages, KtHugepage, 0).size_kib > 0
           ? g_array_index (t->hugepages, KtHugepage, 0).size_kib
           : default_huge_size (self->host);
  {
    guint k = kt_cpuset_count (t->numa_nodeset);

    for (int id = kt_cpuset_first (t->numa_nodeset); id >= 0;
         id = kt_cpuset_next (t->numa_nodeset, id))
      {
        int ni = kt_planner_node_index (self, id);
        const KtHostNode *hn = kt_host_lookup_node (self->host, id);

        if (ni < 0 || hn == NULL)
          continue;
        /* Free figures already count what running VMs hold */
        if (huge == 0 && hn->free_kib >= 0)
          continue;
        take_memory (self, (guint) ni, t->memory_kib / k, huge);
      }
  }
}

static void
build_nodes (KtPlanner *self)
{
  for (guint i = 0; i < kt_host_get_n_nodes (self->host); i++)
    {
      const KtHostNode *hn = kt_host_get_node (self->host, i);
      KtPlanNode n = { 0, };
      guint64 pooled = 0;

      n.id = hn->id;
      n.pages = g_array_new (FALSE, FALSE, sizeof (KtPlannerPages));
      n.cores = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint p = 0; p < hn->pages->len; p++)
        {
          const KtHostPages *hp = &g_array_index (hn->pages, KtHostPages, p);
          KtPlannerPages pg = { hn->id, hp->size_kib, hp->free >= 0 ? (guint64) hp->free : hp->total };

          if (hp->size_kib <= 4 || (p == 0 && hp->size_kib < 1024))
            continue;   /* base pages */
          pooled += hp->total * hp->size_kib;
          g_array_append_val (n.pages, pg);
        }
      n.memory_known = hn->has_memory || hn->free_kib >= 0;
      if (hn->free_kib >= 0)
        n.memory_kib = (guint64) hn->free_kib;
      else if (hn->has_memory)
        n.memory_kib = hn->memory_kib > pooled ? hn->memory_kib - pooled : 0;
      else
        n.memory_kib = KT_PLANNER_UNLIMITED;
      g_array_append_val (self->nodes, n);
    }
}

static void
build_cpus (KtPlanner *self)
{
  for (guint i = 0; i < kt_host_get_n_cores (self->host); i++)
    {
      const KtHostCore *hc = kt_host_get_core (self->host, i);
      KtPlanCore core = { 0, };

      core.node = (guint) MAX (kt_planner_node_index (self, hc->node), 0);
      core.socket = hc->socket;
      core.l3 = -1;
      core.cpus = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (self->cores, core);
    }
  for (guint i = 0; i < kt_host_get_n_cpus (self->host); i++)
    {
      const KtHostCpu *hc = kt_host_get_cpu (self->host, i);
      KtPlanCpu cpu = { 0, };
      KtPlanCore *core;
      int ni = kt_planner_node_index (self, hc->node);

      if (ni < 0 || hc->core_index >= self->cores->len)
        continue;   /* not in any cell */
      cpu.id = hc->id;
      cpu.core = hc->core_index;
      cpu.node = (guint) ni;
      cpu.l3 = hc->l3;
      cpu.socket = hc->socket;
      cpu.online = hc->online;
      cpu.reserved = self->policy.reserved != NULL
                     && kt_cpuset_contains (self->policy.reserved, (guint) hc->id);
      g_array_append_val (self->cpus, cpu);
      g_hash_table_insert (self->cpu_index, GINT_TO_POINTER (hc->id),
                           GUINT_TO_POINTER (self->cpus->len));
      core = &g_array_index (self->cores, KtPlanCore, hc->core_index);
      core->node = (guint) ni;
      if (core->l3 < 0)
        core->l3 = hc->l3;
      if (hc->online)
        core->n_online++;
      {
        guint idx = self->cpus->len - 1;

        g_array_append_val (core->cpus, idx);
      }
    }
  for (guint i = 0; i < self->cores->len; i++)
    {
      KtPlanCore *core = &g_array_index (self->cores, KtPlanCore, i);
      KtPlanNode *node = &g_array_index (self->nodes, KtPlanNode, core->node);

      if (core->cpus->len == 0)
        continue;
      g_array_append_val (node->cores, i);
      node->n_cpus += core->n_online;
    }
}

/* The other VMs' pinned threads take their CPUs */
static void
count_vms (KtPlanner *self)
{
  GListModel *vms;

  if (self->snapshot == NULL)
    return;
  vms = kt_snapshot_get_vms (self->snapshot);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      g_autoptr(GPtrArray) threads = NULL;
      g_autoptr(KtTuning) t = NULL;

      if (g_hash_table_contains (self->excluded, kt_vm_get_name (vm)))
        continue;
      threads = kt_placement_list_vm (self->snapshot, vm);
      for (guint j = 0; j < threads->len; j++)
        {
          const KtPlacement *p = g_ptr_array_index (threads, j);
          gboolean one = p->kind == KT_THREAD_VCPU && kt_cpuset_count (p->allowed) == 1;

          if (p->source != KT_PIN_SOURCE_OWN && p->source != KT_PIN_SOURCE_DEFAULT)
            continue;   /* floating over the host, or numad's: no CPU of its own */
          for (int c = kt_cpuset_first (p->allowed); c >= 0; c = kt_cpuset_next (p->allowed, c))
            {
              KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);

              if (cpu == NULL)
                continue;
              cpu->users++;
              cpu->dedicated |= one;
            }
        }
      t = kt_domain_get_tuning (kt_vm_get_effective (vm));
      count_vm_memory (self, t);
    }
}

void
kt_planner_build_state (KtPlanner *self)
{
  g_array_set_size (self->cpus, 0);
  for (guint i = 0; i < self->cores->len; i++)
    g_array_unref (g_array_index (self->cores, KtPlanCore, i).cpus);
  g_array_set_size (self->cores, 0);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      g_array_unref (g_array_index (self->nodes, KtPlanNode, i).pages);
      g_array_unref (g_array_index (self->nodes, KtPlanNode, i).cores);
    }
  g_array_set_size (self->nodes, 0);
  g_hash_table_remove_all (self->cpu_index);

  build_nodes (self);
  build_cpus (self);
  count_vms (self);
}

/* After a proposal is taken (kt_planner_plan_all): its CPUs, memory and
 * pages are no longer free for the next VM */
void
kt_planner_commit (KtPlanner        *self,
                   const KtProposal *p)
{
  gboolean dedicated = self->policy.cpu == KT_PLANNER_DEDICATED;

  if (!p->feasible)
    return;
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

      for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
        {
          KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);

          cpu->users++;
          cpu->dedicated |= dedicated;
          if (dedicated && self->policy.threads == KT_PLANNER_THREADS_ISOLATE)
            {
              const KtPlanCore *core = &g_array_index (self->cores, KtPlanCore, cpu->core);

              /* Its siblings stay idle */
              for (guint s = 0; s < core->cpus->len; s++)
                g_array_index (self->cpus, KtPlanCpu,
                               g_array_index (core->cpus, guint, s)).dedicated = TRUE;
            }
        }
    }
  if (p->emulatorpin != NULL)
    for (int c = kt_cpuset_first (p->emulatorpin); c >= 0; c = kt_cpuset_next (p->emulatorpin, c))
      {
        KtPlanCpu *cpu = kt_planner_lookup_cpu (self, c);

        if (cpu != NULL)
          cpu->users++;
      }
  for (guint i = 0; i < p->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (p->memory, KtPlannerNodeMemory, i);
      int ni = kt_planner_node_index (self, m->node);

      if (ni >= 0)
        take_memory (self, (guint) ni, m->kib, p->hugepage_kib);
    }
}
