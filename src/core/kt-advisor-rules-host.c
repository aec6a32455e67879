/* kt-advisor-rules-host.c: the advisor's rules about the host's settings:
 * KSM, transparent hugepages, automatic NUMA balancing and tuned
 *
 * The values come from the snapshot's host tuning (kt-host-tuning.h); a
 * value it lacks (-1 or NULL) gives an info finding that says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"

/* Equivalents of virtual-host for this check */
static const char * const virt_profiles[] = {
  "virtual-host", "realtime-virtual-host", "cpu-partitioning", "cpu-partitioning-powersave",
  NULL
};

static gboolean
numa_placed (KtAdvisorContext *ctx,
             const KtAdvVm    *v)
{
  if (kt_adv_vm_mem_nodes (v) != NULL
      && !kt_cpuset_equal (kt_adv_vm_mem_nodes (v), kt_host_get_node_ids (ctx->host)))
    return TRUE;
  return !kt_cpuset_is_empty (v->vcpu_nodes)
         && !kt_cpuset_equal (v->vcpu_nodes, kt_host_get_node_ids (ctx->host));
}

/* A warning about host setting @key that concerns @vms, fixed by setting
 * @key to @value (@summary) */
static void
add_host_finding (KtAdvisorContext *ctx,
                  const char       *rule,
                  const char       *key,
                  GPtrArray        *vms,
                  char             *title,
                  char             *explanation,
                  const char       *summary,
                  const char       *value)
{
  KtFinding *f = kt_advisor_add (ctx, rule, KT_SEVERITY_WARNING, NULL, title, explanation);

  kt_finding_add_key (f, key);
  for (guint i = 0; vms != NULL && i < vms->len; i++)
    kt_finding_add_vm (f, g_ptr_array_index (vms, i));
  f->fix = kt_fix_new (summary);
  kt_fix_add_host (f->fix, key, value);
}

/* The VMs of @ctx for which @pick says yes */
static GPtrArray *
vms_where (KtAdvisorContext *ctx,
           gboolean        (*pick) (KtAdvisorContext *ctx,
                                    const KtAdvVm    *v))
{
  GPtrArray *vms = g_ptr_array_new ();

  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);

      if (pick (ctx, v))
        g_ptr_array_add (vms, (gpointer) v->name);
    }
  return vms;
}

/* KSM does not merge huge pages */
static gboolean
ksm_shares_numa_placed (KtAdvisorContext *ctx,
                        const KtAdvVm    *v)
{
  return numa_placed (ctx, v) && !v->t->nosharepages && !v->t->has_hugepages;
}

static gboolean
pinned (KtAdvisorContext *ctx,
        const KtAdvVm    *v)
{
  return v->n_pinned > 0;
}

static gboolean
hugepage_backed (KtAdvisorContext *ctx,
                 const KtAdvVm    *v)
{
  return v->t->has_hugepages;
}

static void
ksm_across_nodes (KtAdvisorContext *ctx)
{
  const KtHostTuning *ht = ctx->ht;
  g_autoptr(GPtrArray) vms = NULL;
  KtFinding *f;

  if (kt_host_get_n_nodes (ctx->host) < 2)
    return;
  vms = vms_where (ctx, ksm_shares_numa_placed);
  if (vms->len == 0)
    return;
  if (ht == NULL || ht->ksm_run < 0 || ht->ksm_merge_across_nodes < 0)
    {
      f = kt_advisor_unknown (ctx, "ksm-across-nodes", "ksm.merge_across_nodes",
                              _("NUMA-placed VMs share pages through KSM unless it merges "
                                "within nodes only."));
      kt_finding_add_key (f, "ksm.run");
      return;
    }
  if (ht->ksm_run != 1 || ht->ksm_merge_across_nodes != 1)
    return;
  add_host_finding (ctx, "ksm-across-nodes", "ksm.merge_across_nodes", vms,
                    g_strdup (_("KSM merges pages across NUMA nodes")),
                    g_strdup (_("With ksm.merge_across_nodes=1 KSM merges identical pages of "
                                "VMs bound to different nodes into one copy on one node, so "
                                "the others read it remotely (NUMA misses cost 10 % or more) "
                                "and their binding no longer holds. Merging within nodes "
                                "keeps the binding; nosharepages on a VM keeps it out of "
                                "KSM.")),
                    _("Merge within nodes only (KSM unmerges first, then merges again)"), "0");
}

static void
numa_balancing_with_pinning (KtAdvisorContext *ctx)
{
  const KtHostTuning *ht = ctx->ht;
  g_autoptr(GPtrArray) vms = NULL;

  if (kt_host_get_n_nodes (ctx->host) < 2)
    return;
  vms = vms_where (ctx, pinned);
  if (vms->len == 0)
    return;
  if (ht == NULL || ht->numa_balancing < 0)
    {
      kt_advisor_unknown (ctx, "numa-balancing-with-pinning", "numa_balancing",
                          _("Automatic NUMA balancing works against VMs pinned by hand."));
      return;
    }
  if (ht->numa_balancing == 0)
    return;
  add_host_finding (ctx, "numa-balancing-with-pinning", "numa_balancing", vms,
                    g_strdup (_("Automatic NUMA balancing is on while VMs are pinned by hand")),
                    g_strdup (_("kernel.numa_balancing unmaps guest memory periodically to "
                                "see where it is used and moves it; for VMs already pinned "
                                "and bound, that is page faults and migrations for nothing, "
                                "and it fights the binding.")),
                    _("Turn automatic NUMA balancing off"), "0");
}

static void
thp_with_static_hugepages (KtAdvisorContext *ctx)
{
  const KtHostTuning *ht = ctx->ht;
  g_autoptr(GPtrArray) vms = vms_where (ctx, hugepage_backed);

  if (vms->len == 0)
    return;
  if (ht == NULL || ht->thp_enabled == NULL)
    {
      kt_advisor_unknown (ctx, "thp-with-static-hugepages", "thp.enabled",
                          _("Transparent hugepages set to always compete with static ones."));
      return;
    }
  if (!g_str_equal (ht->thp_enabled, "always"))
    return;
  add_host_finding (ctx, "thp-with-static-hugepages", "thp.enabled", vms,
                    g_strdup (_("Transparent hugepages are always on while VMs use static "
                                "huge pages")),
                    g_strdup (_("With thp.enabled=always the kernel compacts memory for "
                                "every process (khugepaged, stalls on allocation), while the "
                                "hugepage-backed VMs gain nothing from it. madvise keeps THP "
                                "for the processes that ask, QEMU’s other VMs included.")),
                    _("Set transparent hugepages to madvise"), "madvise");
}

static gboolean
is_virt_profile (const char *active)
{
  g_auto(GStrv) names = g_strsplit_set (active, " \t", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_strv_contains (virt_profiles, names[i]))
      return TRUE;
  return FALSE;
}

static void
tuned_profile (KtAdvisorContext *ctx)
{
  const KtHostTuning *ht = ctx->ht;
  KtFinding *f;

  if (ctx->vms->len == 0)
    return;
  if (ht == NULL || ht->tuned_state == KT_TUNED_UNKNOWN
      || (ht->tuned_state == KT_TUNED_RUNNING && ht->tuned_active == NULL))
    {
      kt_advisor_unknown (ctx, "tuned-profile", "tuned.profile",
                          _("A virtualization host should run tuned’s virtual-host profile."));
      return;
    }
  if (ht->tuned_state == KT_TUNED_RUNNING && is_virt_profile (ht->tuned_active))
    return;
  if (ht->tuned_state == KT_TUNED_RUNNING)
    {
      add_host_finding (ctx, "tuned-profile", "tuned.profile", NULL,
                        g_strdup_printf (_("tuned runs profile %s, not virtual-host"),
                                         ht->tuned_active),
                        g_strdup (_("virtual-host (from throughput-performance) keeps CPUs "
                                    "out of deep idle states, sets the governor to "
                                    "performance and lowers dirty-page and scheduler "
                                    "migration costs for hosts whose load is VMs; other "
                                    "profiles trade that for power or latency elsewhere.")),
                        _("Switch tuned to the virtual-host profile"), "virtual-host");
      return;
    }
  f = kt_advisor_add (ctx, "tuned-profile", KT_SEVERITY_WARNING, NULL,
                      ht->tuned_state == KT_TUNED_MISSING
                      ? g_strdup (_("tuned is not installed or not reachable"))
                      : g_strdup (_("tuned is not running")),
                      g_strdup (_("Without tuned’s virtual-host profile the host keeps its "
                                  "default power management and scheduler settings, which "
                                  "cost VMs latency and throughput.")));
  kt_finding_add_key (f, "tuned.profile");
  f->fix = kt_fix_new (NULL);
  g_free (f->fix->summary);
  f->fix->summary = g_strdup (ht->tuned_state == KT_TUNED_MISSING
                              ? _("By hand: install tuned and run “tuned-adm profile "
                                  "virtual-host”")
                              : _("By hand: start tuned (systemctl enable --now tuned) and run "
                                  "“tuned-adm profile virtual-host”"));
}

/**
 * kt_advisor_rules_host:
 *
 * The rules about the host's settings, once per snapshot.
 */
void
kt_advisor_rules_host (KtAdvisorContext *ctx)
{
  ksm_across_nodes (ctx);
  numa_balancing_with_pinning (ctx);
  thp_with_static_hugepages (ctx);
  tuned_profile (ctx);
}
