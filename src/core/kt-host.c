/* kt-host.c: the host topology model (KtHost), read from libvirt
 * capabilities XML: the object, its accessors, and the free memory and
 * free huge pages per node, live from libnuma or set from a snapshot.
 * Parsing is in kt-host-parse.c, the derived topology (cores, L3 groups,
 * lookups and checks of CPU and node sets) in kt-host-topology.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <numa.h>

#include "kt-host-private.h"

G_DEFINE_FINAL_TYPE (KtHost, kt_host, G_TYPE_OBJECT)

static void
clear_node (gpointer data)
{
  KtHostNode *node = data;

  g_clear_pointer (&node->pages, g_array_unref);
  g_clear_pointer (&node->distances, g_array_unref);
  g_clear_pointer (&node->cpus, kt_cpuset_free);
  g_clear_pointer (&node->online_cpus, kt_cpuset_free);
}

static void
clear_cpu (gpointer data)
{
  KtHostCpu *cpu = data;

  g_clear_pointer (&cpu->siblings, kt_cpuset_free);
}

static void
clear_core (gpointer data)
{
  KtHostCore *core = data;

  g_clear_pointer (&core->cpus, kt_cpuset_free);
}

static void
clear_cache (gpointer data)
{
  KtHostCache *cache = data;

  g_clear_pointer (&cache->cpus, kt_cpuset_free);
}

static void
kt_host_finalize (GObject *object)
{
  KtHost *self = KT_HOST (object);

  g_clear_pointer (&self->arch, g_free);
  g_clear_pointer (&self->cpu_model, g_free);
  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->cpus, g_array_unref);
  g_clear_pointer (&self->cores, g_array_unref);
  g_clear_pointer (&self->l3, g_array_unref);
  g_clear_pointer (&self->page_sizes, g_array_unref);
  g_clear_pointer (&self->cpu_by_id, g_array_unref);
  g_clear_pointer (&self->node_by_id, g_array_unref);
  g_clear_pointer (&self->all_cpus, kt_cpuset_free);
  g_clear_pointer (&self->online_cpus, kt_cpuset_free);
  g_clear_pointer (&self->node_ids, kt_cpuset_free);
  g_clear_pointer (&self->free_time, g_date_time_unref);

  G_OBJECT_CLASS (kt_host_parent_class)->finalize (object);
}

static void
kt_host_class_init (KtHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_host_finalize;
}

static void
kt_host_init (KtHost *self)
{
  self->nodes = g_array_new (FALSE, TRUE, sizeof (KtHostNode));
  g_array_set_clear_func (self->nodes, clear_node);
  self->cpus = g_array_new (FALSE, TRUE, sizeof (KtHostCpu));
  g_array_set_clear_func (self->cpus, clear_cpu);
  self->cores = g_array_new (FALSE, TRUE, sizeof (KtHostCore));
  g_array_set_clear_func (self->cores, clear_core);
  self->l3 = g_array_new (FALSE, TRUE, sizeof (KtHostCache));
  g_array_set_clear_func (self->l3, clear_cache);
  self->page_sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->cpu_by_id = g_array_new (FALSE, FALSE, sizeof (int));
  self->node_by_id = g_array_new (FALSE, FALSE, sizeof (int));
  self->all_cpus = kt_cpuset_new ();
  self->online_cpus = kt_cpuset_new ();
  self->node_ids = kt_cpuset_new ();
}

/* Accessors -------------------------------------------------------------- */

const char *
kt_host_get_arch (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->arch;
}

const char *
kt_host_get_cpu_model (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->cpu_model;
}

guint
kt_host_get_n_nodes (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), 0);
  return self->nodes->len;
}

const KtHostNode *
kt_host_get_node (KtHost *self,
                  guint   index)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return &g_array_index (self->nodes, KtHostNode, index);
}

const KtHostNode *
kt_host_lookup_node (KtHost *self,
                     int     id)
{
  int idx;

  g_return_val_if_fail (KT_IS_HOST (self), NULL);

  if (id < 0 || (guint) id >= self->node_by_id->len)
    return NULL;
  idx = g_array_index (self->node_by_id, int, id);
  return idx < 0 ? NULL : &g_array_index (self->nodes, KtHostNode, idx);
}

guint
kt_host_get_n_cpus (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), 0);
  return self->cpus->len;
}

const KtHostCpu *
kt_host_get_cpu (KtHost *self,
                 guint   index)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  g_return_val_if_fail (index < self->cpus->len, NULL);
  return &g_array_index (self->cpus, KtHostCpu, index);
}

const KtHostCpu *
kt_host_lookup_cpu (KtHost *self,
                    int     id)
{
  int idx;

  g_return_val_if_fail (KT_IS_HOST (self), NULL);

  if (id < 0 || (guint) id >= self->cpu_by_id->len)
    return NULL;
  idx = g_array_index (self->cpu_by_id, int, id);
  return idx < 0 ? NULL : &g_array_index (self->cpus, KtHostCpu, idx);
}

guint
kt_host_get_n_cores (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), 0);
  return self->cores->len;
}

const KtHostCore *
kt_host_get_core (KtHost *self,
                  guint   index)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  g_return_val_if_fail (index < self->cores->len, NULL);
  return &g_array_index (self->cores, KtHostCore, index);
}

guint
kt_host_get_n_l3 (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), 0);
  return self->l3->len;
}

const KtHostCache *
kt_host_get_l3 (KtHost *self,
                guint   index)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  g_return_val_if_fail (index < self->l3->len, NULL);
  return &g_array_index (self->l3, KtHostCache, index);
}

guint
kt_host_get_n_sockets (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), 0);
  return self->n_sockets;
}

const KtCpuset *
kt_host_get_all_cpus (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->all_cpus;
}

const KtCpuset *
kt_host_get_online_cpus (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->online_cpus;
}

const KtCpuset *
kt_host_get_node_ids (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->node_ids;
}

/**
 * kt_host_get_page_sizes:
 *
 * Returns: (element-type guint64): the page sizes in KiB, ascending
 */
const GArray *
kt_host_get_page_sizes (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->page_sizes;
}

/**
 * kt_host_update_free_memory:
 *
 * Reads free memory per node from libnuma.  Only meaningful when the
 * capabilities describe the machine this process runs on.
 *
 * Returns: %TRUE if libnuma answered for at least one node
 */
gboolean
kt_host_update_free_memory (KtHost *self)
{
  gboolean any = FALSE;

  g_return_val_if_fail (KT_IS_HOST (self), FALSE);

  if (numa_available () < 0)
    return FALSE;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      KtHostNode *node = &g_array_index (self->nodes, KtHostNode, i);
      long long free_bytes = -1;

      if (node->id > numa_max_node ())
        continue;
      if (numa_node_size64 (node->id, &free_bytes) < 0 || free_bytes < 0)
        continue;
      node->free_kib = free_bytes / 1024;
      any = TRUE;
    }
  return any;
}

void
kt_host_set_free_pages (KtHost  *self,
                        int      node_id,
                        guint64  size_kib,
                        gint64   free)
{
  const KtHostNode *node;

  g_return_if_fail (KT_IS_HOST (self));

  node = kt_host_lookup_node (self, node_id);
  if (node == NULL)
    return;
  for (guint i = 0; i < node->pages->len; i++)
    {
      KtHostPages *p = &g_array_index (node->pages, KtHostPages, i);

      if (p->size_kib == size_kib)
        p->free = free;
    }
}

/**
 * kt_host_set_free_memory:
 * @free_kib: the free memory of node @node_id, -1 for unknown
 *
 * Nodes the host does not have are ignored.
 */
void
kt_host_set_free_memory (KtHost *self,
                         int     node_id,
                         gint64  free_kib)
{
  g_return_if_fail (KT_IS_HOST (self));

  if (kt_host_lookup_node (self, node_id) == NULL)
    return;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      KtHostNode *node = &g_array_index (self->nodes, KtHostNode, i);

      if (node->id == node_id)
        node->free_kib = free_kib < 0 ? -1 : free_kib;
    }
}

/**
 * kt_host_set_free_time:
 * @time: (nullable): when the free memory and free pages were read, for
 *   figures that are not live (a snapshot's); %NULL for live ones
 */
void
kt_host_set_free_time (KtHost    *self,
                       GDateTime *time)
{
  g_return_if_fail (KT_IS_HOST (self));

  g_clear_pointer (&self->free_time, g_date_time_unref);
  if (time != NULL)
    self->free_time = g_date_time_ref (time);
}

/**
 * kt_host_get_free_time:
 *
 * Returns: (transfer none) (nullable): see kt_host_set_free_time()
 */
GDateTime *
kt_host_get_free_time (KtHost *self)
{
  g_return_val_if_fail (KT_IS_HOST (self), NULL);
  return self->free_time;
}
