/* kt-host-parse.c: building a KtHost from libvirt capabilities XML (a
 * document, a file or an element): the host CPU's architecture, model and
 * page sizes, each NUMA cell with its memory, huge pages, distances and
 * CPUs, and the L3 cache banks; bad input is refused with an error naming
 * the cell, CPU or bank
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-host-private.h"
#include "kt-xml.h"

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

  kt_host_priv_derive (self);
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
