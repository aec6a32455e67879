/* kt-host.c: the host topology model, read from libvirt capabilities XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <numa.h>
#include <string.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-host.h"
#include "kt-xml.h"

struct _KtHost
{
  GObject   parent_instance;

  char     *arch;
  char     *cpu_model;
  GArray   *nodes;          /* KtHostNode */
  GArray   *cpus;           /* KtHostCpu, by ascending id */
  GArray   *cores;          /* KtHostCore */
  GArray   *l3;             /* KtHostCache */
  GArray   *page_sizes;     /* guint64 KiB, ascending */
  GArray   *cpu_by_id;      /* int index into cpus, -1 */
  GArray   *node_by_id;     /* int index into nodes, -1 */
  KtCpuset *all_cpus;
  KtCpuset *online_cpus;
  KtCpuset *node_ids;
  guint     n_sockets;
  GDateTime *free_time;     /* when the free figures were read, if not live */
};

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

/* Parsing ---------------------------------------------------------------- */

/* CPU and node ids go into cpusets and so are bounded by KT_CPUSET_LIMIT;
 * socket, die and core ids can be large (physical package ids). */
static gboolean
parse_any_id (xmlNode     *node,
              const char  *attr,
              gboolean     required,
              guint64      max,
              int         *out,
              GError     **error)
{
  guint64 u;

  if (!required && !xmlHasProp (node, (const xmlChar *) attr))
    {
      *out = -1;
      return TRUE;
    }
  if (!kt_xml_prop_bounded (node, attr, max, &u, error))
    return FALSE;
  *out = (int) u;
  return TRUE;
}

static gboolean
parse_id (xmlNode     *node,
          const char  *attr,
          gboolean     required,
          int         *out,
          GError     **error)
{
  return parse_any_id (node, attr, required, KT_CPUSET_LIMIT - 1, out, error);
}

static void
add_page_size (KtHost  *self,
               guint64  size_kib)
{
  guint i;

  for (i = 0; i < self->page_sizes->len; i++)
    {
      guint64 s = g_array_index (self->page_sizes, guint64, i);

      if (s == size_kib)
        return;
      if (s > size_kib)
        break;
    }
  g_array_insert_val (self->page_sizes, i, size_kib);
}

static gint
compare_pages (gconstpointer a,
               gconstpointer b)
{
  const KtHostPages *pa = a, *pb = b;

  return pa->size_kib < pb->size_kib ? -1 : pa->size_kib > pb->size_kib;
}

static gboolean
parse_pages (xmlNode     *pages,
             guint64     *size_kib,
             GError     **error)
{
  g_autofree char *unit = kt_xml_prop (pages, "unit");
  guint64 size;

  if (!kt_xml_prop_uint64 (pages, "size", &size, error))
    return FALSE;
  return kt_xml_unit_to_kib (unit, size, size_kib, error);
}

static gboolean
parse_cell (KtHost   *self,
            xmlNode  *cell,
            GError  **error)
{
  KtHostNode node = { 0, };
  xmlNode *child;

  node.free_kib = -1;
  node.pages = g_array_new (FALSE, TRUE, sizeof (KtHostPages));
  node.distances = g_array_new (FALSE, TRUE, sizeof (KtHostDistance));
  node.cpus = kt_cpuset_new ();
  node.online_cpus = kt_cpuset_new ();
  /* From here on the array owns the node's memory */
  g_array_append_val (self->nodes, node);
#define NODE (&g_array_index (self->nodes, KtHostNode, self->nodes->len - 1))

  if (!parse_id (cell, "id", TRUE, &NODE->id, error))
    return FALSE;
  if (kt_cpuset_contains (self->node_ids, NODE->id))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("NUMA cell %d is listed twice"), NODE->id);
      return FALSE;
    }
  kt_cpuset_add (self->node_ids, NODE->id);

  if ((child = kt_xml_child (cell, "memory")) != NULL)
    {
      if (!kt_xml_scaled_kib (child, "unit", &NODE->memory_kib, error))
        return FALSE;
      NODE->has_memory = TRUE;
    }

  for (child = kt_xml_child (cell, "pages"); child; child = kt_xml_next_named (child->next, "pages"))
    {
      KtHostPages p = { 0, 0, -1 };
      g_autofree char *count = kt_xml_text (child);

      if (!parse_pages (child, &p.size_kib, error))
        return FALSE;
      if (!kt_xml_parse_uint64 (count, G_MAXUINT64, &p.total, "<pages>", error))
        return FALSE;
      g_array_append_val (NODE->pages, p);
      add_page_size (self, p.size_kib);
    }
  g_array_sort (NODE->pages, compare_pages);

  for (child = kt_xml_child (kt_xml_child (cell, "distances"), "sibling");
       child; child = kt_xml_next_named (child->next, "sibling"))
    {
      KtHostDistance d;
      int value;

      if (!parse_id (child, "id", TRUE, &d.node, error)
          || !kt_xml_prop_int (child, "value", &value, error))
        return FALSE;
      d.value = (guint) value;
      g_array_append_val (NODE->distances, d);
    }

  for (child = kt_xml_child (kt_xml_child (cell, "cpus"), "cpu");
       child; child = kt_xml_next_named (child->next, "cpu"))
    {
      KtHostCpu cpu = { 0, };
      g_autofree char *siblings = kt_xml_prop (child, "siblings");

      if (!parse_id (child, "id", TRUE, &cpu.id, error)
          || !parse_any_id (child, "socket_id", FALSE, G_MAXINT, &cpu.socket, error)
          || !parse_any_id (child, "die_id", FALSE, G_MAXINT, &cpu.die, error)
          || !parse_any_id (child, "cluster_id", FALSE, G_MAXINT, &cpu.cluster, error)
          || !parse_any_id (child, "core_id", FALSE, G_MAXINT, &cpu.core, error))
        return FALSE;
      if (kt_cpuset_contains (self->all_cpus, cpu.id))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                       _("CPU %d is listed twice"), cpu.id);
          return FALSE;
        }
      cpu.node = NODE->id;
      cpu.l3 = -1;
      if (siblings != NULL && *siblings != '\0')
        {
          g_autoptr(GError) local = NULL;

          cpu.siblings = kt_cpuset_parse (siblings, &local);
          if (cpu.siblings == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("CPU %d: bad siblings: %s"), cpu.id, local->message);
              return FALSE;
            }
          kt_cpuset_add (cpu.siblings, cpu.id);
          cpu.online = TRUE;
        }
      kt_cpuset_add (self->all_cpus, cpu.id);
      kt_cpuset_add (NODE->cpus, cpu.id);
      g_array_append_val (self->cpus, cpu);
    }
#undef NODE
  return TRUE;
}

static gint
compare_cpu (gconstpointer a,
             gconstpointer b)
{
  return ((const KtHostCpu *) a)->id - ((const KtHostCpu *) b)->id;
}

/* Online state, cores, sockets, L3 groups and lookup tables */
static void
derive (KtHost *self)
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

static gboolean
parse_caches (KtHost   *self,
              xmlNode  *cache,
              GError  **error)
{
  for (xmlNode *bank = kt_xml_child (cache, "bank"); bank; bank = kt_xml_next_named (bank->next, "bank"))
    {
      g_autofree char *cpus = kt_xml_prop (bank, "cpus");
      g_autofree char *unit = kt_xml_prop (bank, "unit");
      g_autoptr(KtCpuset) set = NULL;
      g_autoptr(GError) local = NULL;
      KtHostCache c = { 0, };
      int level;
      guint64 size = 0;
      gboolean merged = FALSE;

      if (!parse_id (bank, "level", TRUE, &level, error))
        return FALSE;
      if (level != 3)
        continue;
      /* A bank whose CPUs are all outside our cgroup lists none: skip it */
      if (cpus == NULL || *g_strstrip (cpus) == '\0')
        continue;
      set = kt_cpuset_parse (cpus, &local);
      if (set == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                       _("Cache bank: %s"), local->message);
          return FALSE;
        }
      if (!parse_id (bank, "id", FALSE, &c.id, error))
        return FALSE;
      if (xmlHasProp (bank, (const xmlChar *) "size")
          && (!kt_xml_prop_uint64 (bank, "size", &size, error)
              || !kt_xml_unit_to_kib (unit, size, &c.size_kib, error)))
        return FALSE;

      /* Code and data banks (CDP) of one cache list the same CPUs */
      for (guint g = 0; g < self->l3->len; g++)
        if (kt_cpuset_equal (g_array_index (self->l3, KtHostCache, g).cpus, set))
          merged = TRUE;
      if (merged)
        continue;

      c.level = (guint) level;
      c.cpus = g_steal_pointer (&set);
      g_array_append_val (self->l3, c);
    }
  return TRUE;
}

KtHost *
kt_host_new_from_node (xmlNode  *caps,
                       GError  **error)
{
  g_autoptr(KtHost) self = NULL;
  xmlNode *host, *cpu, *cells;

  g_return_val_if_fail (caps != NULL, NULL);

  if (caps->type != XML_ELEMENT_NODE || strcmp ((const char *) caps->name, "capabilities") != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("Not libvirt capabilities XML: the root element is <%s>, not <capabilities>"),
                   (const char *) caps->name);
      return NULL;
    }
  host = kt_xml_child (caps, "host");
  if (host == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The capabilities XML has no <host> element"));
      return NULL;
    }

  self = g_object_new (KT_TYPE_HOST, NULL);

  cpu = kt_xml_child (host, "cpu");
  self->arch = kt_xml_text (kt_xml_child (cpu, "arch"));
  self->cpu_model = kt_xml_text (kt_xml_child (cpu, "model"));
  for (xmlNode *p = kt_xml_child (cpu, "pages"); p; p = kt_xml_next_named (p->next, "pages"))
    {
      guint64 size_kib;

      if (!parse_pages (p, &size_kib, error))
        return NULL;
      add_page_size (self, size_kib);
    }

  cells = kt_xml_child (kt_xml_child (host, "topology"), "cells");
  for (xmlNode *cell = kt_xml_child (cells, "cell"); cell; cell = kt_xml_next_named (cell->next, "cell"))
    if (!parse_cell (self, cell, error))
      {
        g_prefix_error (error, _("Capabilities XML, NUMA cell %u: "), self->nodes->len - 1);
        return NULL;
      }
  if (self->nodes->len == 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The capabilities XML describes no NUMA cell (<host><topology><cells>)"));
      return NULL;
    }

  if (!parse_caches (self, kt_xml_child (host, "cache"), error))
    return NULL;

  derive (self);
  return g_steal_pointer (&self);
}

KtHost *
kt_host_new_from_xml (const char  *xml,
                      gssize       len,
                      GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = kt_xml_parse (xml, len, _("capabilities XML"), NULL, error);
  if (doc == NULL)
    return NULL;
  return kt_host_new_from_node (xmlDocGetRootElement (doc), error);
}

KtHost *
kt_host_new_from_file (const char  *path,
                       GError     **error)
{
  g_autofree char *data = NULL;
  gsize len;
  KtHost *host;

  g_return_val_if_fail (path != NULL, NULL);

  if (!kt_file_read (path, KT_FILE_MAX_SIZE, &data, &len, NULL, error))
    return NULL;
  host = kt_host_new_from_xml (data, len, error);
  if (host == NULL)
    g_prefix_error (error, "%s: ", path);
  return host;
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
