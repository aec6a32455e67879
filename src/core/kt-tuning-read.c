/* kt-tuning-read.c: a domain's tuning read from its XML
 *
 * Builds a KtTuning from a <domain> element (kt_tuning_new_from_node ()):
 * its name and ids, <memory> and friends, <vcpu>, <vcpus> and the
 * iothreads, <cputune> (pins sorted by id, duplicates refused),
 * <numatune>, <cpu> (model, topology, features, guest NUMA cells),
 * <memoryBacking> and <memtune>.  An error names the domain, the element
 * and, for a file, the line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-tuning-private.h"
#include "kt-xml.h"

static void
clear_pin (gpointer data)
{
  g_clear_pointer (&((KtPin *) data)->cpuset, kt_cpuset_free);
}

static void
clear_sched (gpointer data)
{
  KtVcpuSched *s = data;

  g_clear_pointer (&s->vcpus, kt_cpuset_free);
  g_clear_pointer (&s->scheduler, g_free);
}

static void
clear_memnode (gpointer data)
{
  KtMemnode *m = data;

  g_clear_pointer (&m->mode, g_free);
  g_clear_pointer (&m->nodeset, kt_cpuset_free);
}

static void
clear_feature (gpointer data)
{
  KtCpuFeature *f = data;

  g_clear_pointer (&f->policy, g_free);
  g_clear_pointer (&f->name, g_free);
}

static void
clear_cell (gpointer data)
{
  KtGuestCell *c = data;

  g_clear_pointer (&c->cpus, kt_cpuset_free);
  g_clear_pointer (&c->mem_access, g_free);
  g_clear_pointer (&c->distances, g_array_unref);
}

static void
clear_hugepage (gpointer data)
{
  g_clear_pointer (&((KtHugepage *) data)->nodeset, kt_cpuset_free);
}

static GArray *
new_array (gsize          size,
           GDestroyNotify clear)
{
  GArray *a = g_array_new (FALSE, TRUE, size);

  if (clear)
    g_array_set_clear_func (a, clear);
  return a;
}

static int
compare_pins (gconstpointer a,
              gconstpointer b)
{
  guint x = ((const KtPin *) a)->id, y = ((const KtPin *) b)->id;

  return x < y ? -1 : x > y;
}

static gboolean
parse_cputune (KtTuning  *t,
               xmlNode   *cputune,
               GError   **error)
{
  g_autoptr(GHashTable) seen_vcpu = NULL;
  g_autoptr(GHashTable) seen_iothread = NULL;

  if (cputune == NULL)
    return TRUE;
  if (!kt_tuning_priv_opt_text_int64 (cputune, "shares", &t->shares, error)
      || !kt_tuning_priv_opt_text_int64 (cputune, "period", &t->period, error)
      || !kt_tuning_priv_opt_text_int64 (cputune, "quota", &t->quota, error))
    return FALSE;

  seen_vcpu = g_hash_table_new (NULL, NULL);
  seen_iothread = g_hash_table_new (NULL, NULL);
  for (xmlNode *n = cputune->children; n; n = n->next)
    {
      if (n->type != XML_ELEMENT_NODE || n->ns != NULL)
        continue;
      if (g_str_equal (n->name, "vcpupin") || g_str_equal (n->name, "iothreadpin"))
        {
          gboolean vcpu = g_str_equal (n->name, "vcpupin");
          GHashTable *seen = vcpu ? seen_vcpu : seen_iothread;
          KtPin pin = { 0, };

          if (!kt_tuning_priv_prop_uint (n, vcpu ? "vcpu" : "iothread", &pin.id, error))
            return FALSE;
          /* libvirt refuses these at parse time too (virDomainDefParseXML) */
          if (!g_hash_table_add (seen, GUINT_TO_POINTER (pin.id)))
            {
              if (vcpu)
                g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                             _("Duplicate <vcpupin> for vCPU %u (line %u)"), pin.id,
                             (guint) xmlGetLineNo (n));
              else
                g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                             _("Duplicate <iothreadpin> for IOThread %u (line %u)"), pin.id,
                             (guint) xmlGetLineNo (n));
              return FALSE;
            }
          if (!kt_tuning_priv_prop_cpuset (n, "cpuset", &pin.cpuset, error))
            return FALSE;
          if (pin.cpuset == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("<%s> has no cpuset"), (const char *) n->name);
              return kt_tuning_priv_fail_at (n, error);
            }
          g_array_append_val (vcpu ? t->vcpupin : t->iothreadpin, pin);
        }
      else if (g_str_equal (n->name, "emulatorpin"))
        {
          g_clear_pointer (&t->emulatorpin, kt_cpuset_free);
          if (!kt_tuning_priv_prop_cpuset (n, "cpuset", &t->emulatorpin, error))
            return FALSE;
        }
      else if (g_str_equal (n->name, "vcpusched"))
        {
          KtVcpuSched s = { 0, };
          guint prio;

          if (!kt_tuning_priv_prop_cpuset (n, "vcpus", &s.vcpus, error)
              || !kt_tuning_priv_opt_prop_uint (n, "priority", &prio, G_MAXUINT, error))
            {
              kt_cpuset_free (s.vcpus);
              return FALSE;
            }
          s.priority = prio == G_MAXUINT ? -1 : (int) MIN (prio, G_MAXINT);
          s.scheduler = kt_xml_prop (n, "scheduler");
          g_array_append_val (t->vcpusched, s);
        }
    }
  /* By id, whatever the document's order (lookups rely on it) */
  g_array_sort (t->vcpupin, compare_pins);
  g_array_sort (t->iothreadpin, compare_pins);
  return TRUE;
}

static gboolean
parse_numatune (KtTuning  *t,
                xmlNode   *numatune,
                GError   **error)
{
  xmlNode *memory = kt_xml_child (numatune, "memory");

  if (memory != NULL)
    {
      t->numa_mode = kt_xml_prop (memory, "mode");
      t->numa_placement = kt_xml_prop (memory, "placement");
      if (!kt_tuning_priv_prop_cpuset (memory, "nodeset", &t->numa_nodeset, error))
        return FALSE;
      if (t->numa_mode == NULL)
        t->numa_mode = g_strdup ("strict");
      if (t->numa_placement == NULL)
        t->numa_placement = g_strdup (t->numa_nodeset ? "static" : "auto");
    }
  for (xmlNode *n = kt_xml_child (numatune, "memnode"); n; n = kt_xml_next_named (n->next, "memnode"))
    {
      KtMemnode m = { 0, };

      if (!kt_tuning_priv_prop_uint (n, "cellid", &m.cellid, error)
          || !kt_tuning_priv_prop_cpuset (n, "nodeset", &m.nodeset, error))
        return FALSE;
      m.mode = kt_xml_prop (n, "mode");
      if (m.mode == NULL)
        m.mode = g_strdup ("strict");
      g_array_append_val (t->memnodes, m);
    }
  return TRUE;
}

static gboolean
parse_cpu (KtTuning  *t,
           xmlNode   *cpu,
           GError   **error)
{
  xmlNode *model, *topology;

  if (cpu == NULL)
    return TRUE;
  t->cpu_mode = kt_xml_prop (cpu, "mode");
  if (t->cpu_mode == NULL)
    t->cpu_mode = g_strdup ("custom");
  t->cpu_match = kt_xml_prop (cpu, "match");
  t->cpu_check = kt_xml_prop (cpu, "check");
  if ((model = kt_xml_child (cpu, "model")) != NULL)
    {
      t->cpu_model = kt_xml_text (model);
      if (t->cpu_model != NULL && *t->cpu_model == '\0')
        g_clear_pointer (&t->cpu_model, g_free);
      t->cpu_fallback = kt_xml_prop (model, "fallback");
    }
  t->cpu_vendor = kt_xml_text (kt_xml_child (cpu, "vendor"));

  if ((topology = kt_xml_child (cpu, "topology")) != NULL)
    {
      t->has_topology = TRUE;
      if (!kt_tuning_priv_prop_uint (topology, "sockets", &t->sockets, error)
          || !kt_tuning_priv_opt_prop_uint (topology, "dies", &t->dies, 1, error)
          || !kt_tuning_priv_opt_prop_uint (topology, "clusters", &t->clusters, 1, error)
          || !kt_tuning_priv_prop_uint (topology, "cores", &t->cores, error)
          || !kt_tuning_priv_prop_uint (topology, "threads", &t->threads, error))
        return FALSE;
    }

  for (xmlNode *n = kt_xml_child (cpu, "feature"); n; n = kt_xml_next_named (n->next, "feature"))
    {
      KtCpuFeature f = { kt_xml_prop (n, "policy"), kt_xml_prop (n, "name") };

      g_array_append_val (t->cpu_features, f);
    }

  for (xmlNode *n = kt_xml_child (kt_xml_child (cpu, "numa"), "cell"); n;
       n = kt_xml_next_named (n->next, "cell"))
    {
      KtGuestCell c = { 0, };
      g_autofree char *unit = kt_xml_prop (n, "unit");
      guint64 mem;

      c.distances = new_array (sizeof (KtCellDistance), NULL);
      c.mem_access = kt_xml_prop (n, "memAccess");
      g_array_append_val (t->cells, c);
#define CELL (&g_array_index (t->cells, KtGuestCell, t->cells->len - 1))
      /* libvirt numbers cells in order when id is left out */
      if (!kt_tuning_priv_opt_prop_uint (n, "id", &CELL->id, t->cells->len - 1, error)
          || !kt_tuning_priv_prop_cpuset (n, "cpus", &CELL->cpus, error))
        return FALSE;
      if (!kt_xml_prop_uint64 (n, "memory", &mem, error)
          || !kt_xml_unit_to_kib (unit, mem, &CELL->memory_kib, error))
        return kt_tuning_priv_fail_at (n, error);
      for (xmlNode *s = kt_xml_child (kt_xml_child (n, "distances"), "sibling"); s;
           s = kt_xml_next_named (s->next, "sibling"))
        {
          KtCellDistance d;

          if (!kt_tuning_priv_prop_uint (s, "id", &d.id, error)
              || !kt_tuning_priv_prop_uint (s, "value", &d.value, error))
            return FALSE;
          g_array_append_val (CELL->distances, d);
        }
#undef CELL
    }
  return TRUE;
}

static gboolean
parse_memory_backing (KtTuning  *t,
                      xmlNode   *mb,
                      GError   **error)
{
  xmlNode *hp;

  if (mb == NULL)
    return TRUE;
  t->has_memory_backing = TRUE;
  if ((hp = kt_xml_child (mb, "hugepages")) != NULL)
    {
      t->has_hugepages = TRUE;
      for (xmlNode *p = kt_xml_child (hp, "page"); p; p = kt_xml_next_named (p->next, "page"))
        {
          KtHugepage h = { 0, };
          g_autofree char *unit = kt_xml_prop (p, "unit");
          guint64 size;

          if (!kt_xml_prop_uint64 (p, "size", &size, error)
              || !kt_xml_unit_to_kib (unit, size, &h.size_kib, error))
            return kt_tuning_priv_fail_at (p, error);
          if (!kt_tuning_priv_prop_cpuset (p, "nodeset", &h.nodeset, error))
            return FALSE;
          g_array_append_val (t->hugepages, h);
        }
    }
  t->nosharepages = kt_xml_child (mb, "nosharepages") != NULL;
  t->locked = kt_xml_child (mb, "locked") != NULL;
  t->memory_source = kt_xml_prop (kt_xml_child (mb, "source"), "type");
  t->memory_access = kt_xml_prop (kt_xml_child (mb, "access"), "mode");
  return TRUE;
}

static gboolean
parse_memory (KtTuning  *t,
              xmlNode   *root,
              GError   **error)
{
  xmlNode *n;

  if ((n = kt_xml_child (root, "memory")) != NULL
      && !kt_xml_scaled_kib (n, "unit", &t->memory_kib, error))
    return kt_tuning_priv_fail_at (n, error);
  t->current_memory_kib = t->memory_kib;
  if ((n = kt_xml_child (root, "currentMemory")) != NULL
      && !kt_xml_scaled_kib (n, "unit", &t->current_memory_kib, error))
    return kt_tuning_priv_fail_at (n, error);
  if ((n = kt_xml_child (root, "maxMemory")) != NULL
      && !kt_xml_scaled_kib (n, "unit", &t->max_memory_kib, error))
    return kt_tuning_priv_fail_at (n, error);
  return TRUE;
}

static gboolean
parse_vcpu (KtTuning  *t,
            xmlNode   *root,
            GError   **error)
{
  xmlNode *vcpu = kt_xml_child (root, "vcpu");
  xmlNode *iothreads;
  guint64 v;

  if (vcpu != NULL)
    {
      if (!kt_tuning_priv_text_uint (vcpu, 16384, &v, error))
        return FALSE;
      t->vcpus = (guint) v;
      if (!kt_tuning_priv_opt_prop_uint (vcpu, "current", &t->current_vcpus, t->vcpus, error)
          || !kt_tuning_priv_prop_cpuset (vcpu, "cpuset", &t->vcpu_cpuset, error))
        return FALSE;
      t->vcpu_placement = kt_xml_prop (vcpu, "placement");
    }
  else
    {
      t->vcpus = t->current_vcpus = 1;
    }
  if (t->vcpu_placement == NULL)
    t->vcpu_placement = g_strdup ("static");

  for (xmlNode *n = kt_xml_child (kt_xml_child (root, "vcpus"), "vcpu"); n;
       n = kt_xml_next_named (n->next, "vcpu"))
    {
      KtVcpuInfo info = { 0, };
      g_autofree char *enabled = kt_xml_prop (n, "enabled");
      g_autofree char *hot = kt_xml_prop (n, "hotpluggable");
      guint order;

      if (!kt_tuning_priv_prop_uint (n, "id", &info.id, error)
          || !kt_tuning_priv_opt_prop_uint (n, "order", &order, G_MAXUINT, error))
        return FALSE;
      info.enabled = g_strcmp0 (enabled, "no") != 0;
      info.hotpluggable = g_strcmp0 (hot, "yes") == 0;
      info.order = order == G_MAXUINT ? -1 : (int) MIN (order, G_MAXINT);
      g_array_append_val (t->vcpu_info, info);
    }

  if ((iothreads = kt_xml_child (root, "iothreads")) != NULL)
    {
      if (!kt_tuning_priv_text_uint (iothreads, G_MAXUINT, &v, error))
        return FALSE;
      t->iothreads = (guint) v;
    }
  for (xmlNode *n = kt_xml_child (kt_xml_child (root, "iothreadids"), "iothread"); n;
       n = kt_xml_next_named (n->next, "iothread"))
    {
      guint id;

      if (!kt_tuning_priv_prop_uint (n, "id", &id, error))
        return FALSE;
      g_array_append_val (t->iothread_ids, id);
    }
  /* Without <iothreadids>, libvirt numbers the iothreads 1..N */
  if (t->iothread_ids->len == 0)
    for (guint id = 1; id <= t->iothreads; id++)
      g_array_append_val (t->iothread_ids, id);
  t->iothreads = MAX (t->iothreads, t->iothread_ids->len);
  return TRUE;
}

/**
 * kt_tuning_new_from_node:
 * @domain: a <domain> element
 *
 * Returns: (transfer full): the tuning, or %NULL with @error set
 */
KtTuning *
kt_tuning_new_from_node (xmlNode  *domain,
                         GError  **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *memtune;
  g_autofree char *id = NULL;

  g_return_val_if_fail (domain != NULL, NULL);

  if (domain->type != XML_ELEMENT_NODE || !g_str_equal (domain->name, "domain"))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("Not libvirt domain XML: the root element is <%s>, not <domain>"),
                   (const char *) domain->name);
      return NULL;
    }

  t = g_atomic_rc_box_new0 (KtTuning);
  t->vcpu_info = new_array (sizeof (KtVcpuInfo), NULL);
  t->vcpupin = new_array (sizeof (KtPin), clear_pin);
  t->iothreadpin = new_array (sizeof (KtPin), clear_pin);
  t->vcpusched = new_array (sizeof (KtVcpuSched), clear_sched);
  t->iothread_ids = new_array (sizeof (guint), NULL);
  t->memnodes = new_array (sizeof (KtMemnode), clear_memnode);
  t->cpu_features = new_array (sizeof (KtCpuFeature), clear_feature);
  t->cells = new_array (sizeof (KtGuestCell), clear_cell);
  t->hugepages = new_array (sizeof (KtHugepage), clear_hugepage);
  t->shares = t->period = t->quota = -1;
  t->id = -1;

  t->name = kt_xml_text (kt_xml_child (domain, "name"));
  if (t->name == NULL || *t->name == '\0')
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, _("The domain has no <name>"));
      return NULL;
    }
  t->uuid = kt_xml_text (kt_xml_child (domain, "uuid"));
  t->type = kt_xml_prop (domain, "type");
  id = kt_xml_prop (domain, "id");
  if (id != NULL)
    {
      guint64 v;

      if (g_ascii_string_to_unsigned (id, 10, 0, G_MAXINT, &v, NULL))
        t->id = (int) v;
    }

  memtune = kt_xml_child (domain, "memtune");
  if (!parse_memory (t, domain, error)
      || !parse_vcpu (t, domain, error)
      || !parse_cputune (t, kt_xml_child (domain, "cputune"), error)
      || !parse_numatune (t, kt_xml_child (domain, "numatune"), error)
      || !parse_cpu (t, kt_xml_child (domain, "cpu"), error)
      || !parse_memory_backing (t, kt_xml_child (domain, "memoryBacking"), error)
      || !kt_tuning_priv_opt_scaled (memtune, "hard_limit", &t->hard_limit_kib, error)
      || !kt_tuning_priv_opt_scaled (memtune, "soft_limit", &t->soft_limit_kib, error)
      || !kt_tuning_priv_opt_scaled (memtune, "swap_hard_limit", &t->swap_hard_limit_kib, error)
      || !kt_tuning_priv_opt_scaled (memtune, "min_guarantee", &t->min_guarantee_kib, error))
    {
      g_prefix_error (error, _("Domain “%s”: "), t->name);
      return NULL;
    }

  return g_steal_pointer (&t);
}
