/* fuzz-host.c: libvirt capabilities XML, read into the host topology
 *
 * Any input: an error with a message, or a host whose nodes, CPUs, cores
 * and L3 banks are consistent with one another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"
#include "kt-host.h"

static void
check_host (KtHost *host)
{
  const KtCpuset *all = kt_host_get_all_cpus (host);
  const KtCpuset *online = kt_host_get_online_cpus (host);
  const KtCpuset *node_ids = kt_host_get_node_ids (host);
  guint n_cpus = kt_host_get_n_cpus (host);
  guint n_cores = kt_host_get_n_cores (host);
  guint n_l3 = kt_host_get_n_l3 (host);

  FUZZ_CHECK (kt_cpuset_is_subset (online, all), "online CPUs outside all CPUs");
  FUZZ_CHECK (kt_cpuset_count (all) == n_cpus, "%u CPUs, %u in the set", n_cpus, kt_cpuset_count (all));
  (void) kt_host_get_arch (host);
  (void) kt_host_get_cpu_model (host);
  (void) kt_host_get_n_sockets (host);
  (void) kt_host_get_page_sizes (host);

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      FUZZ_CHECK (kt_host_lookup_node (host, node->id) == node, "node %d not found by id", node->id);
      FUZZ_CHECK (kt_cpuset_contains (node_ids, node->id), "node %d not in the node ids", node->id);
      FUZZ_CHECK (kt_cpuset_is_subset (node->online_cpus, node->cpus), "node %d", node->id);
      for (guint j = 0; j < kt_host_get_n_nodes (host); j++)
        (void) kt_host_get_distance (host, node->id, kt_host_get_node (host, j)->id);
      g_array_unref (kt_host_node_cores (host, node->id));
    }

  for (guint i = 0; i < n_cpus; i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);

      FUZZ_CHECK (kt_host_lookup_cpu (host, cpu->id) == cpu, "CPU %d not found by id", cpu->id);
      FUZZ_CHECK (kt_cpuset_contains (all, cpu->id), "CPU %d", cpu->id);
      FUZZ_CHECK (cpu->online == kt_cpuset_contains (online, cpu->id), "CPU %d online?", cpu->id);
      FUZZ_CHECK (cpu->core_index < n_cores, "CPU %d in core %u of %u", cpu->id, cpu->core_index, n_cores);
      FUZZ_CHECK (cpu->l3 < (int) n_l3, "CPU %d in L3 %d of %u", cpu->id, cpu->l3, n_l3);
      FUZZ_CHECK (kt_cpuset_contains (kt_host_get_core (host, cpu->core_index)->cpus, cpu->id),
                  "CPU %d not in its core", cpu->id);
    }

  for (guint i = 0; i < n_cores; i++)
    FUZZ_CHECK (kt_host_get_core (host, i)->index == i, "core %u", i);
  for (guint i = 0; i < n_l3; i++)
    (void) kt_host_get_l3 (host, i);

  {
    g_autoptr(KtCpuset) cpus = kt_host_cpus_of_nodes (host, node_ids);
    g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (host, all);

    FUZZ_CHECK (kt_cpuset_is_subset (nodes, node_ids), "nodes of all CPUs");
    (void) kt_host_check_cpuset (host, all, NULL);
    (void) kt_host_check_cpuset (host, cpus, NULL);
    (void) kt_host_check_nodeset (host, node_ids, NULL);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = NULL;

  fuzz_init ();

  host = kt_host_new_from_xml ((const char *) data, size, &error);
  if (host == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0', "refused without a message");
      return 0;
    }
  check_host (host);
  return 0;
}
