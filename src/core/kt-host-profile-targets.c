/* kt-host-profile-targets.c: what a host profile sets on one host
 *
 * Resolves a profile's settings for a host (kt_host_profile_targets ()):
 * "when": "numa" settings are left out on a host of one node, and
 * "hugepages": "vms" becomes one target per pool, sized to what the
 * hugepage-backed VMs of the snapshot need on each node
 * (kt_host_profile_vm_pools ()).  Also the kernel command line that
 * reserves hugepages at boot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-host-profile.h"

void
kt_host_target_free (KtHostTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->key);
  g_free (target->value);
  g_free (target);
}

/**
 * kt_host_target_new:
 *
 * Returns: (transfer full): a target of copies of @key and @value
 */
KtHostTarget *
kt_host_target_new (const char *key,
                    const char *value)
{
  KtHostTarget *t = g_new0 (KtHostTarget, 1);

  t->key = g_strdup (key);
  t->value = g_strdup (value);
  return t;
}

static guint64
page_size_of (const KtTuning     *tuning,
              guint               cell,
              guint64             default_kib,
              gboolean           *backed)
{
  const KtHugepage *fallback = NULL;

  *backed = TRUE;
  if (tuning->hugepages->len == 0)
    return default_kib;
  for (guint i = 0; i < tuning->hugepages->len; i++)
    {
      const KtHugepage *h = &g_array_index (tuning->hugepages, KtHugepage, i);

      if (h->nodeset == NULL)
        fallback = h;
      else if (kt_cpuset_contains (h->nodeset, cell))
        return h->size_kib ? h->size_kib : default_kib;
    }
  if (fallback != NULL)
    return fallback->size_kib ? fallback->size_kib : default_kib;
  *backed = FALSE;
  return 0;
}

static const KtCpuset *
host_nodes_of (const KtTuning *tuning,
               guint           cell)
{
  for (guint i = 0; tuning->memnodes && i < tuning->memnodes->len; i++)
    {
      const KtMemnode *m = &g_array_index (tuning->memnodes, KtMemnode, i);

      if (m->cellid == cell && m->nodeset != NULL)
        return m->nodeset;
    }
  return tuning->numa_nodeset;
}

static void
add_pages (GHashTable         *pools,
           const KtHostTuning *current,
           const KtCpuset     *nodes,
           guint64             size_kib,
           guint64             memory_kib)
{
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, sizeof (int));
  guint64 pages = (memory_kib + size_kib - 1) / size_kib;
  guint64 per_node;

  for (guint i = 0; i < current->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (current->hugepages, KtHugePool, i);

      if (p->size_kib == size_kib && (nodes == NULL || kt_cpuset_contains (nodes, p->node)))
        g_array_append_val (targets, p->node);
    }
  if (targets->len == 0)
    return;
  /* Unbound memory (or a nodeset of several nodes) may come from any of
   * them: each gets its share, rounded up */
  per_node = (pages + targets->len - 1) / targets->len;
  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT,
                                              g_array_index (targets, int, i), size_kib);
      guint64 sum = GPOINTER_TO_SIZE (g_hash_table_lookup (pools, key)) + per_node;

      g_hash_table_replace (pools, g_steal_pointer (&key), GSIZE_TO_POINTER (sum));
    }
}

/**
 * kt_host_profile_vm_pools:
 * @current: the host's pools (which nodes have which page sizes)
 *
 * What the hugepage-backed VMs of @snapshot need, running or not: each
 * guest cell's memory in pages of its <page> size on the host nodes of its
 * numatune (memnode, else nodeset, else every node with such a pool,
 * evenly).  Every pool of a page size some VM uses is listed, with 0 when
 * no VM needs pages there.
 *
 * Returns: (transfer full): "hugepages.NODE.SIZE_KIB" → number of pages
 * (GSIZE_TO_POINTER)
 */
GHashTable *
kt_host_profile_vm_pools (KtSnapshot         *snapshot,
                          const KtHostTuning *current)
{
  GHashTable *pools = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) sizes = g_hash_table_new (NULL, NULL);
  GListModel *vms = kt_snapshot_get_vms (snapshot);
  guint64 default_kib = current->default_hugepage_kib ? current->default_hugepage_kib : 2048;

  for (guint v = 0; v < g_list_model_get_n_items (vms); v++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, v);
      KtDomain *domain = kt_vm_get_effective (vm);
      g_autoptr(KtTuning) tuning = domain ? kt_domain_get_tuning (domain) : NULL;

      if (tuning == NULL || !tuning->has_hugepages)
        continue;
      if (tuning->cells->len == 0)
        {
          gboolean backed;
          guint64 size = page_size_of (tuning, 0, default_kib, &backed);

          if (!backed)
            continue;
          g_hash_table_add (sizes, GSIZE_TO_POINTER (size));
          add_pages (pools, current, host_nodes_of (tuning, 0), size, tuning->memory_kib);
          continue;
        }
      for (guint c = 0; c < tuning->cells->len; c++)
        {
          const KtGuestCell *cell = &g_array_index (tuning->cells, KtGuestCell, c);
          gboolean backed;
          guint64 size = page_size_of (tuning, cell->id, default_kib, &backed);

          if (!backed)
            continue;
          g_hash_table_add (sizes, GSIZE_TO_POINTER (size));
          add_pages (pools, current, host_nodes_of (tuning, cell->id), size, cell->memory_kib);
        }
    }
  for (guint i = 0; i < current->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (current->hugepages, KtHugePool, i);
      g_autofree char *key = NULL;

      if (!g_hash_table_contains (sizes, GSIZE_TO_POINTER (p->size_kib)))
        continue;
      key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, p->node, p->size_kib);
      if (!g_hash_table_contains (pools, key))
        g_hash_table_insert (pools, g_steal_pointer (&key), GSIZE_TO_POINTER (0));
    }
  return pools;
}

/**
 * kt_host_boot_cmdline:
 *
 * Returns: (transfer full): the kernel command line that reserves @pages
 * pages of @size_kib at boot ("default_hugepagesz=1G hugepagesz=1G
 * hugepages=16")
 */
char *
kt_host_boot_cmdline (guint64 size_kib,
                      guint64 pages)
{
  g_autofree char *size = NULL;

  if (size_kib % (1024 * 1024) == 0)
    size = g_strdup_printf ("%" G_GUINT64_FORMAT "G", size_kib / (1024 * 1024));
  else if (size_kib % 1024 == 0)
    size = g_strdup_printf ("%" G_GUINT64_FORMAT "M", size_kib / 1024);
  else
    size = g_strdup_printf ("%" G_GUINT64_FORMAT "K", size_kib);
  return g_strdup_printf ("default_hugepagesz=%s hugepagesz=%s hugepages=%" G_GUINT64_FORMAT,
                          size, size, pages);
}

static gint
compare_targets (gconstpointer a,
                 gconstpointer b)
{
  const KtHostTarget *ta = *(KtHostTarget **) a;
  const KtHostTarget *tb = *(KtHostTarget **) b;
  int na, nb;
  guint64 sa, sb;

  kt_host_tuning_parse_key (ta->key, &na, &sa, NULL);
  kt_host_tuning_parse_key (tb->key, &nb, &sb, NULL);
  if (na != nb)
    return na < nb ? -1 : 1;
  return sa < sb ? -1 : sa > sb;
}

/**
 * kt_host_profile_targets:
 * @current: the host's values now
 * @snapshot: (nullable): its VMs, for "hugepages": "vms"
 * @notes: (out) (optional) (transfer full): translated sentences about
 *   what the profile leaves alone here and why
 *
 * Resolves @self for one host: "when": "numa" settings on a host of one
 * node are left out, "hugepages": "vms" becomes one target per pool.
 *
 * Returns: (transfer full) (element-type KtHostTarget): the targets, in
 * the profile's order
 */
GPtrArray *
kt_host_profile_targets (const KtHostProfile *self,
                         const KtHostTuning  *current,
                         KtSnapshot          *snapshot,
                         GPtrArray          **notes,
                         GError             **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autoptr(GPtrArray) out_notes = g_ptr_array_new_with_free_func (g_free);
  guint n_nodes = kt_host_tuning_n_nodes (current);

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (current != NULL, NULL);

  if (snapshot != NULL && n_nodes == 0)
    n_nodes = kt_host_get_n_nodes (kt_snapshot_get_host (snapshot));
  for (guint i = 0; i < self->settings->len; i++)
    {
      const KtHostProfileSetting *s = g_ptr_array_index (self->settings, i);

      if (g_strcmp0 (s->when, "numa") == 0 && n_nodes <= 1)
        {
          g_ptr_array_add (out_notes,
                           g_strdup_printf (_("%s is left alone: the host has one NUMA node"),
                                            s->key));
          continue;
        }
      if (g_str_equal (s->key, "hugepages"))
        {
          g_autoptr(GHashTable) pools = NULL;
          g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
          GHashTableIter iter;
          gpointer key, value;

          if (snapshot == NULL)
            {
              g_ptr_array_add (out_notes, g_strdup (_("The hugepage pools are left alone: "
                                                      "the VMs are not known")));
              continue;
            }
          pools = kt_host_profile_vm_pools (snapshot, current);
          if (g_hash_table_size (pools) == 0)
            g_ptr_array_add (out_notes, g_strdup (_("The hugepage pools are left alone: "
                                                    "no VM is backed by hugepages")));
          g_hash_table_iter_init (&iter, pools);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_autofree char *count = g_strdup_printf ("%" G_GSIZE_FORMAT, GPOINTER_TO_SIZE (value));

              g_ptr_array_add (sorted, kt_host_target_new (key, count));
            }
          g_ptr_array_sort (sorted, compare_targets);
          for (guint t = 0; t < sorted->len; t++)
            g_ptr_array_add (targets, g_steal_pointer (&g_ptr_array_index (sorted, t)));
          continue;
        }
      g_ptr_array_add (targets, kt_host_target_new (s->key, s->value));
    }
  if (notes)
    *notes = g_steal_pointer (&out_notes);
  return g_steal_pointer (&targets);
}
