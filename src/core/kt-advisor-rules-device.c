/* kt-advisor-rules-device.c: the advisor's rules about assigned devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"
#include "kt-pci.h"

/* pci-device-remote-node: a host PCI device assigned to a VM that runs on
 * other nodes than the one the device hangs off (node device XML) */
static void
pci_device_remote_node (KtAdvisorContext *ctx,
                        KtAdvVm          *v)
{
  g_autoptr(GArray) devs = kt_pci_domain_hostdevs (kt_vm_get_effective (v->vm));
  const GArray *known = kt_snapshot_get_pci_devices (ctx->snapshot);
  g_autoptr(KtCpuset) vm_nodes = NULL;
  g_autofree char *vn = NULL;

  if (devs->len == 0)
    return;
  vm_nodes = kt_cpuset_copy (v->vcpu_nodes);
  if (kt_adv_vm_mem_nodes (v) != NULL)
    kt_cpuset_union_in (vm_nodes, kt_adv_vm_mem_nodes (v));
  if (kt_cpuset_is_empty (vm_nodes)
      || kt_cpuset_equal (vm_nodes, kt_host_get_node_ids (ctx->host)))
    return;   /* not placed: nothing to be away from */
  vn = kt_cpuset_format (vm_nodes);

  for (guint i = 0; i < devs->len; i++)
    {
      const KtPciDevice *want = &g_array_index (devs, KtPciDevice, i);
      const KtPciDevice *dev = known ? kt_pci_lookup (known, want) : NULL;
      g_autofree char *name = kt_pci_device_name (want);
      g_autofree char *dn = NULL;
      KtFinding *f;

      if (dev == NULL)
        {
          f = kt_advisor_unknown (ctx, "pci-device-remote-node", "nodedev",
                                  _("An assigned PCI device should hang off the VM’s node."));
          f->vm = g_strdup (v->name);
          continue;
        }
      if (dev->node < 0 || kt_cpuset_contains (vm_nodes, dev->node))
        continue;
      dn = g_strdup_printf ("%d", dev->node);
      f = kt_advisor_add (ctx, "pci-device-remote-node", KT_SEVERITY_WARNING, v->name,
                          g_strdup_printf (_("%s’s PCI device %s is on node %s, the VM on node %s"),
                                           v->name, name, dn, vn),
                          g_strdup_printf (_("The device’s DMA into the guest’s memory and its "
                                             "interrupts cross the interconnect between node %s "
                                             "and node %s: throughput drops and latency grows "
                                             "(NUMA misses cost 10 %% or more)."), dn, vn));
      f->nodes = kt_cpuset_copy (vm_nodes);
      kt_cpuset_add (f->nodes, dev->node);
      f->pcpus = kt_cpuset_copy (v->vcpu_pinned);
      f->fix = kt_fix_new (NULL);
      g_free (f->fix->summary);
      f->fix->summary = g_strdup_printf (_("By hand: place the VM on node %s, where the device is "
                                           "(pins and numatune; kvmtune-cli plan %s), or assign "
                                           "it a device of node %s"), dn, v->name, vn);
    }
}

void
kt_advisor_rules_device (KtAdvisorContext *ctx,
                         KtAdvVm          *v)
{
  pci_device_remote_node (ctx, v);
}
