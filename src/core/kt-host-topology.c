/* kt-host-topology.c: what a KtHost derives from the parsed capabilities
 * (online CPUs, cores, sockets, L3 groups, id lookup tables) and the
 * queries over it: a node's cores in map order, the CPUs of nodes and the
 * nodes of CPUs, checks of CPU and node sets against the host, distances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-host-private.h"

static gint
compare_cpu (gconstpointer a,
             gconstpointer b)
{
  return ((const KtHostCpu *) a)->id - ((const KtHostCpu *) b)->id;
}

/* Online state, cores, sockets, L3 groups and lookup tables */
void
kt_host_priv_derive (KtHost *self)
{
  g_autoptr(GHashTable) sockets = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) core_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean any_topology = FALSE;

  g_array_sort (self->cpus, compare_cpu);

  for (guint i = 0; i < self->cpus->len; i++)
    if (g_array_index (self->cpus, KtHostCpu, i).siblings != NULL)
      any_topology = TRUE;

  /* libvirt lists an offline CPU with its id alone.  A host where no CPU
   * has topology (the test driver) is taken as all online, one thread per
   * core. */
  for (guint i = 0; i < self->cpus->len; i++)
    {
      KtHostCpu *cpu = &g_array_index (self->cpus, KtHostCpu, i);

      if (cpu->siblings == NULL)
        {
          cpu->online = !any_topology;
          cpu->siblings = kt_cpuset_new ();
          kt_cpuset_add (cpu->siblings, cpu->id);
        }
      if (cpu->online)
        kt_cpuset_add (self->online_cpus, cpu->id);
      if (cpu->socket >= 0)
        g_hash_table_add (sockets, GINT_TO_POINTER (cpu->socket + 1));
    }
  self->n_sockets = g_hash_table_size (sockets);

  for (guint n = 0; n < self->nodes->len; n++)
    {
      KtHostNode *node = &g_array_index (self->nodes, KtHostNode, n);

      g_clear_pointer (&node->online_cpus, kt_cpuset_free);
      node->online_cpus = kt_cpuset_intersection (node->cpus, self->online_cpus);
    }

  /* Cores: CPUs sharing node, socket, die, cluster and core id.  The node
   * is part of the key: some AMD packages repeat core ids in each node. */
  for (guint i = 0; i < self->cpus->len; i++)
    {
      KtHostCpu *cpu = &g_array_index (self->cpus, KtHostCpu, i);
      g_autofree char *key = NULL;
      gpointer found;

      if (cpu->socket >= 0 && cpu->core >= 0)
        key = g_strdup_printf ("%d/%d/%d/%d/%d", cpu->node, cpu->socket, cpu->die,
                               cpu->cluster, cpu->core);
      else
        key = g_strdup_printf ("cpu%d", cpu->id);

      if (g_hash_table_lookup_extended (core_keys, key, NULL, &found))
        {
          cpu->core_index = GPOINTER_TO_UINT (found);
          kt_cpuset_add (g_array_index (self->cores, KtHostCore, cpu->core_index).cpus, cpu->id);
        }
      else
        {
          KtHostCore core = {
            .index = self->cores->len, .node = cpu->node, .socket = cpu->socket,
            .die = cpu->die, .cluster = cpu->cluster, .core = cpu->core,
            .cpus = kt_cpuset_new (),
          };

          kt_cpuset_add (core.cpus, cpu->id);
          cpu->core_index = core.index;
          g_array_append_val (self->cores, core);
          g_hash_table_insert (core_keys, g_steal_pointer (&key), GUINT_TO_POINTER (core.index));
        }
    }

  /* Lookup tables */
  for (guint i = 0; i < self->cpus->len; i++)
    {
      int id = g_array_index (self->cpus, KtHostCpu, i).id;
      int idx = (int) i;

      while (self->cpu_by_id->len <= (guint) id)
        {
          int none = -1;
          g_array_append_val (self->cpu_by_id, none);
        }
      g_array_index (self->cpu_by_id, int, id) = idx;
    }
  for (guint i = 0; i < self->nodes->len; i++)
    {
      int id = g_array_index (self->nodes, KtHostNode, i).id;
      int idx = (int) i;

      while (self->node_by_id->len <= (guint) id)
        {
          int none = -1;
          g_array_append_val (self->node_by_id, none);
        }
      g_array_index (self->node_by_id, int, id) = idx;
    }

  /* L3 groups: each CPU belongs to the first bank listing it */
  for (guint g = 0; g < self->l3->len; g++)
    {
      KtHostCache *cache = &g_array_index (self->l3, KtHostCache, g);

      for (int c = kt_cpuset_first (cache->cpus); c >= 0; c = kt_cpuset_next (cache->cpus, c))
        {
          KtHostCpu *cpu = (KtHostCpu *) kt_host_lookup_cpu (self, c);

          if (cpu != NULL && cpu->l3 < 0)
            cpu->l3 = (int) g;
        }
    }
}

static int
l3_of_core (KtHost           *self,
            const KtHostCore *core)
{
  return kt_host_lookup_cpu (self, kt_cpuset_first (core->cpus))->l3;
}

static gint
compare_cores (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  KtHost *self = user_data;
  const KtHostCore *ca = kt_host_get_core (self, *(const guint *) a);
  const KtHostCore *cb = kt_host_get_core (self, *(const guint *) b);

  if (ca->socket != cb->socket)
    return ca->socket < cb->socket ? -1 : 1;
  if (ca->die != cb->die)
    return ca->die < cb->die ? -1 : 1;
  if (l3_of_core (self, ca) != l3_of_core (self, cb))
    return l3_of_core (self, ca) < l3_of_core (self, cb) ? -1 : 1;
  return kt_cpuset_first (ca->cpus) - kt_cpuset_first (cb->cpus);
}

/**
 * kt_host_node_cores:
 *
 * Returns: (transfer full) (element-type guint): the indices of the cores
 * of @node, ordered by socket, die, L3 group and first thread
 */
GArray *
kt_host_node_cores (KtHost *self,
                    int     node)
{
  GArray *cores = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_val_if_fail (KT_IS_HOST (self), cores);

  for (guint c = 0; c < self->cores->len; c++)
    if (g_array_index (self->cores, KtHostCore, c).node == node)
      g_array_append_val (cores, c);
  g_array_sort_with_data (cores, compare_cores, self);
  return cores;
}

KtCpuset *
kt_host_cpus_of_nodes (KtHost         *self,
                       const KtCpuset *nodes)
{
  KtCpuset *cpus = kt_cpuset_new ();

  g_return_val_if_fail (KT_IS_HOST (self), cpus);
  g_return_val_if_fail (nodes != NULL, cpus);

  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (self, n);

      if (node != NULL)
        kt_cpuset_union_in (cpus, node->cpus);
    }
  return cpus;
}

KtCpuset *
kt_host_nodes_of_cpus (KtHost         *self,
                       const KtCpuset *cpus)
{
  KtCpuset *nodes = kt_cpuset_new ();

  g_return_val_if_fail (KT_IS_HOST (self), nodes);
  g_return_val_if_fail (cpus != NULL, nodes);

  for (int c = kt_cpuset_first (cpus); c >= 0; c = kt_cpuset_next (cpus, c))
    {
      const KtHostCpu *cpu = kt_host_lookup_cpu (self, c);

      if (cpu != NULL)
        kt_cpuset_add (nodes, cpu->node);
    }
  return nodes;
}

gboolean
kt_host_check_cpuset (KtHost          *self,
                      const KtCpuset  *cpus,
                      GError         **error)
{
  g_autoptr(KtCpuset) missing = NULL;
  g_autoptr(KtCpuset) offline = NULL;

  g_return_val_if_fail (KT_IS_HOST (self), FALSE);
  g_return_val_if_fail (cpus != NULL, FALSE);

  missing = kt_cpuset_difference (cpus, self->all_cpus);
  if (!kt_cpuset_is_empty (missing))
    {
      g_autofree char *m = kt_cpuset_format (missing);
      g_autofree char *all = kt_cpuset_format (self->all_cpus);

      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("CPU %s does not exist on this host (it has CPUs %s)"), m, all);
      return FALSE;
    }
  offline = kt_cpuset_difference (cpus, self->online_cpus);
  if (!kt_cpuset_is_empty (offline))
    {
      g_autofree char *o = kt_cpuset_format (offline);

      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("CPU %s is offline on this host"), o);
      return FALSE;
    }
  return TRUE;
}

gboolean
kt_host_check_nodeset (KtHost          *self,
                       const KtCpuset  *nodes,
                       GError         **error)
{
  g_autoptr(KtCpuset) missing = NULL;

  g_return_val_if_fail (KT_IS_HOST (self), FALSE);
  g_return_val_if_fail (nodes != NULL, FALSE);

  missing = kt_cpuset_difference (nodes, self->node_ids);
  if (!kt_cpuset_is_empty (missing))
    {
      g_autofree char *m = kt_cpuset_format (missing);
      g_autofree char *all = kt_cpuset_format (self->node_ids);

      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("NUMA node %s does not exist on this host (it has nodes %s)"), m, all);
      return FALSE;
    }
  return TRUE;
}

guint
kt_host_get_distance (KtHost *self,
                      int     from,
                      int     to)
{
  const KtHostNode *node;

  g_return_val_if_fail (KT_IS_HOST (self), 0);

  node = kt_host_lookup_node (self, from);
  if (node == NULL)
    return 0;
  for (guint i = 0; i < node->distances->len; i++)
    {
      const KtHostDistance *d = &g_array_index (node->distances, KtHostDistance, i);

      if (d->node == to)
        return d->value;
    }
  return from == to ? 10 : 0;
}
