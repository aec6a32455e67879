/* kt-analysis.c: what is wrong with the placement of the VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-analysis.h"

static void
issue_free (gpointer data)
{
  KtIssue *issue = data;

  g_clear_object (&issue->vm);
  g_clear_object (&issue->other);
  g_clear_pointer (&issue->cpus, kt_cpuset_free);
  g_free (issue->message);
  g_free (issue);
}

static void
add_issue (GPtrArray   *issues,
           KtIssueKind  kind,
           KtVm        *vm,
           KtVm        *other,
           KtCpuset    *cpus,
           int          vcpu,
           char        *message)
{
  KtIssue *issue = g_new0 (KtIssue, 1);

  issue->kind = kind;
  issue->vm = g_object_ref (vm);
  issue->other = other ? g_object_ref (other) : NULL;
  issue->cpus = cpus;
  issue->vcpu = vcpu;
  issue->message = message;
  g_ptr_array_add (issues, issue);
}

/* pCPUs that explicitly pinned threads of two VMs share, per pair of VMs */
static void
find_shared (GPtrArray *issues,
             GPtrArray *placements,
             GListModel *vms)
{
  guint n = g_list_model_get_n_items (vms);
  g_autoptr(GPtrArray) pinned = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);

  /* Everything each VM pins, by VM position */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (pinned, kt_cpuset_new ());
  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      guint pos;

      if (!p->pinned || !g_list_store_find (G_LIST_STORE (vms), p->vm, &pos))
        continue;
      kt_cpuset_union_in (g_ptr_array_index (pinned, pos), p->allowed);
    }

  for (guint a = 0; a < n; a++)
    for (guint b = a + 1; b < n; b++)
      {
        g_autoptr(KtCpuset) both = kt_cpuset_intersection (g_ptr_array_index (pinned, a),
                                                            g_ptr_array_index (pinned, b));
        g_autoptr(KtVm) va = NULL;
        g_autoptr(KtVm) vb = NULL;
        g_autofree char *set = NULL;

        if (kt_cpuset_is_empty (both))
          continue;
        va = g_list_model_get_item (vms, a);
        vb = g_list_model_get_item (vms, b);
        set = kt_cpuset_format (both);
        add_issue (issues, KT_ISSUE_SHARED_PCPU, va, vb, g_steal_pointer (&both), -1,
                   g_strdup_printf (_("%s and %s share CPUs %s"),
                                    kt_vm_get_name (va), kt_vm_get_name (vb), set));
      }
}

static void
analyze_vm (GPtrArray  *issues,
            KtHost     *host,
            GPtrArray  *placements,
            KtVm       *vm)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  g_autoptr(KtCpuset) vcpu_cpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) nodes = NULL;
  const char *name = kt_vm_get_name (vm);

  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);

      if (p->vm == vm && p->kind == KT_THREAD_VCPU && p->pinned)
        kt_cpuset_union_in (vcpu_cpus, p->allowed);
    }
  if (kt_cpuset_is_empty (vcpu_cpus))
    return;

  /* Split over NUMA nodes */
  nodes = kt_host_nodes_of_cpus (host, vcpu_cpus);
  if (kt_cpuset_count (nodes) > 1)
    {
      g_autofree char *ns = kt_cpuset_format (nodes);

      add_issue (issues, KT_ISSUE_SPANS_NODES, vm, NULL, kt_cpuset_copy (vcpu_cpus), -1,
                 g_strdup_printf (_("%s has vCPUs on NUMA nodes %s"), name, ns));
    }

  /* vCPUs away from their memory */
  if (t->numa_nodeset != NULL && g_strcmp0 (t->numa_mode, "interleave") != 0)
    {
      g_autoptr(KtCpuset) local = kt_host_cpus_of_nodes (host, t->numa_nodeset);
      g_autoptr(KtCpuset) remote = kt_cpuset_difference (vcpu_cpus, local);

      if (!kt_cpuset_is_empty (remote))
        {
          g_autofree char *rs = kt_cpuset_format (remote);
          g_autofree char *ms = kt_cpuset_format (t->numa_nodeset);

          add_issue (issues, KT_ISSUE_REMOTE_MEMORY, vm, NULL, g_steal_pointer (&remote), -1,
                     g_strdup_printf (_("%s runs vCPUs on CPUs %s, outside its memory nodes %s"),
                                      name, rs, ms));
        }
    }

  /* Emulator threads on the vCPUs' pCPUs */
  if (t->emulatorpin != NULL && kt_cpuset_intersects (t->emulatorpin, vcpu_cpus))
    {
      g_autoptr(KtCpuset) both = kt_cpuset_intersection (t->emulatorpin, vcpu_cpus);
      g_autofree char *bs = kt_cpuset_format (both);

      add_issue (issues, KT_ISSUE_EMULATOR_ON_VCPU, vm, NULL, g_steal_pointer (&both), -1,
                 g_strdup_printf (_("%s runs its emulator threads on its own vCPUs’ CPUs %s"),
                                  name, bs));
    }

  /* A guest core's threads split over host cores */
  if (t->has_topology && t->threads > 1)
    for (guint first = 0; first + t->threads <= t->vcpus; first += t->threads)
      {
        g_autoptr(KtCpuset) used = kt_cpuset_new ();
        g_autoptr(GHashTable) cores = g_hash_table_new (NULL, NULL);
        gboolean all_pinned = TRUE;

        for (guint v = first; v < first + t->threads; v++)
          {
            const KtCpuset *pin = kt_tuning_get_vcpupin (t, v);

            if (pin == NULL)
              {
                all_pinned = FALSE;
                break;
              }
            kt_cpuset_union_in (used, pin);
            for (int c = kt_cpuset_first (pin); c >= 0; c = kt_cpuset_next (pin, c))
              {
                const KtHostCpu *cpu = kt_host_lookup_cpu (host, c);

                if (cpu != NULL)
                  g_hash_table_add (cores, GUINT_TO_POINTER (cpu->core_index + 1));
              }
          }
        if (all_pinned && g_hash_table_size (cores) > 1)
          add_issue (issues, KT_ISSUE_SMT_SPLIT, vm, NULL, g_steal_pointer (&used), (int) first,
                     g_strdup_printf (_("%s: the threads of guest core %u (vCPUs %u–%u) are on "
                                        "different host cores"),
                                      name, first / t->threads, first, first + t->threads - 1));
      }
}

/**
 * kt_analyze:
 *
 * Returns: (transfer full) (element-type KtIssue): the placement problems
 * of @snapshot's VMs
 */
GPtrArray *
kt_analyze (KtSnapshot *snapshot)
{
  GPtrArray *issues = g_ptr_array_new_with_free_func (issue_free);
  g_autoptr(GPtrArray) placements = NULL;
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), issues);

  placements = kt_placement_list (snapshot);
  vms = kt_snapshot_get_vms (snapshot);
  find_shared (issues, placements, vms);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      analyze_vm (issues, kt_snapshot_get_host (snapshot), placements, vm);
    }
  return issues;
}

/**
 * kt_analysis_shared_cpus:
 *
 * Returns: (transfer full): every pCPU that two VMs share
 */
KtCpuset *
kt_analysis_shared_cpus (GPtrArray *issues)
{
  KtCpuset *shared = kt_cpuset_new ();

  g_return_val_if_fail (issues != NULL, shared);

  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (issue->kind == KT_ISSUE_SHARED_PCPU)
        kt_cpuset_union_in (shared, issue->cpus);
    }
  return shared;
}
