/* kt-host-profile-explain.c: what a host setting helps and what it costs
 *
 * One translated sentence per host tuning key (and value, where the
 * values differ in effect), shown next to a profile's or the user's
 * targets (kt_host_explain ()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-host-profile.h"

typedef struct
{
  const char *key;
  const char *value;      /* NULL: any value */
  const char *text;
} Explanation;

static const Explanation explanations[] = {
  { "tuned.profile", "virtual-host",
    N_("tuned's virtual-host profile tunes the kernel's scheduler and writeback for a host running VMs; it leaves KSM and transparent hugepages as they are.") },
  { "tuned.profile", NULL,
    N_("tuned applies the whole profile (CPU governor, sysctls, disks); values set below override what it sets for the same settings.") },
  { "ksm.run", "0",
    N_("Without KSM no CPU time goes to scanning and writes never wait for a shared page to be copied; identical pages are no longer shared, so the VMs need more memory.") },
  { "ksm.run", "1",
    N_("KSM merges identical memory pages of the VMs so more of them fit; it costs CPU time for scanning and a copy when a VM writes to a shared page.") },
  { "ksm.run", "2",
    N_("Unmerges every shared page and stops KSM; memory use grows by what was shared.") },
  { "ksm.merge_across_nodes", "0",
    N_("KSM merges only pages of the same NUMA node, so a VM's memory stays local; it shares somewhat less memory.") },
  { "ksm.merge_across_nodes", "1",
    N_("KSM merges identical pages wherever they are, saving the most memory; a VM may then read a shared page from a remote node.") },
  { "ksm.pages_to_scan", NULL,
    N_("More pages per scan find duplicates sooner; it costs more CPU time for KSM's thread.") },
  { "ksm.sleep_millisecs", NULL,
    N_("A shorter pause between scans merges sooner; it wakes KSM's thread more often.") },
  { "thp.enabled", "always",
    N_("All anonymous memory gets 2 MiB pages where possible, cutting TLB misses in the VMs; it can waste memory and stall while the kernel compacts memory.") },
  { "thp.enabled", "madvise",
    N_("Only memory that asks for them (QEMU's guest RAM does) gets transparent hugepages, avoiding compaction stalls elsewhere; other programs get none.") },
  { "thp.enabled", "never",
    N_("No transparent hugepages and no compaction stalls, for even latency; guest RAM not on a hugepage pool then uses 4 KiB pages and more TLB misses.") },
  { "thp.defrag", "always",
    N_("Allocations wait for compaction to get a hugepage, so more memory is huge; those waits are latency spikes.") },
  { "thp.defrag", "never",
    N_("Allocations never wait for compaction, for even latency; fewer pages end up huge.") },
  { "thp.defrag", NULL,
    N_("Compaction happens in the background or only for memory that asks for hugepages, a middle way between hugepage coverage and latency.") },
  { "numa_balancing", "0",
    N_("The kernel stops moving memory and tasks between nodes, which pinned VMs don't need; unpinned VMs may then keep running with remote memory.") },
  { "numa_balancing", NULL,
    N_("The kernel moves memory towards the CPUs that use it, which helps unpinned VMs; it costs page faults and can work against pinning.") },
  { "hugepages", NULL,
    N_("Reserves hugepages on this node for the VMs backed by them, so they can start and their memory stays local; reserved pages are unavailable to everything else.") },
};

/**
 * kt_host_explain:
 *
 * Returns: one translated sentence on what @value of @key helps and what
 * it costs
 */
const char *
kt_host_explain (const char *key,
                 const char *value)
{
  const char *family = g_str_has_prefix (key, "hugepages.") ? "hugepages" : key;

  for (guint i = 0; i < G_N_ELEMENTS (explanations); i++)
    if (g_str_equal (explanations[i].key, family)
        && (explanations[i].value == NULL || g_strcmp0 (explanations[i].value, value) == 0))
      return _(explanations[i].text);
  return "";
}
