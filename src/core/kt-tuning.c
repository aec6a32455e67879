/* kt-tuning.c: a read-only view of a domain's tuning, derived from its XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-tuning.h"
#include "kt-xml.h"

G_DEFINE_BOXED_TYPE (KtTuning, kt_tuning, kt_tuning_ref, kt_tuning_unref)

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

static void
kt_tuning_clear (gpointer data)
{
  KtTuning *t = data;

  g_free (t->name);
  g_free (t->uuid);
  g_free (t->type);
  g_free (t->vcpu_placement);
  g_clear_pointer (&t->vcpu_cpuset, kt_cpuset_free);
  g_clear_pointer (&t->vcpu_info, g_array_unref);
  g_clear_pointer (&t->vcpupin, g_array_unref);
  g_clear_pointer (&t->emulatorpin, kt_cpuset_free);
  g_clear_pointer (&t->iothreadpin, g_array_unref);
  g_clear_pointer (&t->vcpusched, g_array_unref);
  g_clear_pointer (&t->iothread_ids, g_array_unref);
  g_free (t->numa_mode);
  g_clear_pointer (&t->numa_nodeset, kt_cpuset_free);
  g_free (t->numa_placement);
  g_clear_pointer (&t->memnodes, g_array_unref);
  g_free (t->cpu_mode);
  g_free (t->cpu_match);
  g_free (t->cpu_check);
  g_free (t->cpu_model);
  g_free (t->cpu_fallback);
  g_free (t->cpu_vendor);
  g_clear_pointer (&t->cpu_features, g_array_unref);
  g_clear_pointer (&t->cells, g_array_unref);
  g_clear_pointer (&t->hugepages, g_array_unref);
  g_free (t->memory_source);
  g_free (t->memory_access);
}

KtTuning *
kt_tuning_ref (KtTuning *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
kt_tuning_unref (KtTuning *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, kt_tuning_clear);
}

/* Parsing helpers -------------------------------------------------------- */

/* Says where @node is, for a domain read from a file (its document has
 * the file as URL): the lines of XML built from a string (a snapshot's
 * part, libvirt's) would point nowhere.  Always returns FALSE. */
static gboolean
fail_at (xmlNode  *node,
         GError  **error)
{
  long line;

  if (node == NULL || node->doc == NULL || node->doc->URL == NULL)
    return FALSE;
  line = xmlGetLineNo (node);
  if (line > 0)
    g_prefix_error (error, _("line %ld: "), line);
  return FALSE;
}

static gboolean
prop_cpuset (xmlNode     *node,
             const char  *attr,
             KtCpuset   **out,
             GError     **error)
{
  g_autofree char *v = kt_xml_prop (node, attr);
  g_autoptr(GError) local = NULL;

  *out = NULL;
  if (v == NULL)
    return TRUE;
  *out = kt_cpuset_parse (v, &local);
  if (*out == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, "<%s %s='%s'>: %s",
                   (const char *) node->name, attr, v, local->message);
      return fail_at (node, error);
    }
  return TRUE;
}

static gboolean
prop_uint (xmlNode     *node,
           const char  *attr,
           guint       *out,
           GError     **error)
{
  guint64 v;

  if (!kt_xml_prop_uint64 (node, attr, &v, error))
    return fail_at (node, error);
  if (v > G_MAXUINT)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<%s %s=> is too large"), (const char *) node->name, attr);
      return fail_at (node, error);
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
opt_prop_uint (xmlNode     *node,
               const char  *attr,
               guint       *out,
               guint        dflt,
               GError     **error)
{
  if (node == NULL || !xmlHasProp (node, (const xmlChar *) attr))
    {
      *out = dflt;
      return TRUE;
    }
  return prop_uint (node, attr, out, error);
}

static gboolean
text_uint (xmlNode     *node,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  g_autofree char *text = kt_xml_text (node);
  g_autofree char *what = g_strdup_printf ("<%s>", (const char *) node->name);

  return kt_xml_parse_uint64 (text, max, out, what, error) || fail_at (node, error);
}

static gboolean
opt_text_int64 (xmlNode     *parent,
                const char  *name,
                gint64      *out,
                GError     **error)
{
  xmlNode *node = kt_xml_child (parent, name);
  g_autofree char *text = NULL;
  gint64 v;

  *out = -1;
  if (node == NULL)
    return TRUE;
  text = kt_xml_text (node);
  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, NULL))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<%s> “%s” is not a number"), name, text);
      return fail_at (node, error);
    }
  *out = v;
  return TRUE;
}

static gboolean
opt_scaled (xmlNode     *parent,
            const char  *name,
            gint64      *out,
            GError     **error)
{
  xmlNode *node = kt_xml_child (parent, name);
  guint64 kib;

  *out = -1;
  if (node == NULL)
    return TRUE;
  if (!kt_xml_scaled_kib (node, "unit", &kib, error))
    return fail_at (node, error);
  *out = (gint64) MIN (kib, (guint64) G_MAXINT64);
  return TRUE;
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
  if (!opt_text_int64 (cputune, "shares", &t->shares, error)
      || !opt_text_int64 (cputune, "period", &t->period, error)
      || !opt_text_int64 (cputune, "quota", &t->quota, error))
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

          if (!prop_uint (n, vcpu ? "vcpu" : "iothread", &pin.id, error))
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
          if (!prop_cpuset (n, "cpuset", &pin.cpuset, error))
            return FALSE;
          if (pin.cpuset == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("<%s> has no cpuset"), (const char *) n->name);
              return fail_at (n, error);
            }
          g_array_append_val (vcpu ? t->vcpupin : t->iothreadpin, pin);
        }
      else if (g_str_equal (n->name, "emulatorpin"))
        {
          g_clear_pointer (&t->emulatorpin, kt_cpuset_free);
          if (!prop_cpuset (n, "cpuset", &t->emulatorpin, error))
            return FALSE;
        }
      else if (g_str_equal (n->name, "vcpusched"))
        {
          KtVcpuSched s = { 0, };
          guint prio;

          if (!prop_cpuset (n, "vcpus", &s.vcpus, error)
              || !opt_prop_uint (n, "priority", &prio, G_MAXUINT, error))
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
      if (!prop_cpuset (memory, "nodeset", &t->numa_nodeset, error))
        return FALSE;
      if (t->numa_mode == NULL)
        t->numa_mode = g_strdup ("strict");
      if (t->numa_placement == NULL)
        t->numa_placement = g_strdup (t->numa_nodeset ? "static" : "auto");
    }
  for (xmlNode *n = kt_xml_child (numatune, "memnode"); n; n = kt_xml_next_named (n->next, "memnode"))
    {
      KtMemnode m = { 0, };

      if (!prop_uint (n, "cellid", &m.cellid, error)
          || !prop_cpuset (n, "nodeset", &m.nodeset, error))
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
      if (!prop_uint (topology, "sockets", &t->sockets, error)
          || !opt_prop_uint (topology, "dies", &t->dies, 1, error)
          || !opt_prop_uint (topology, "clusters", &t->clusters, 1, error)
          || !prop_uint (topology, "cores", &t->cores, error)
          || !prop_uint (topology, "threads", &t->threads, error))
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
      if (!opt_prop_uint (n, "id", &CELL->id, t->cells->len - 1, error)
          || !prop_cpuset (n, "cpus", &CELL->cpus, error))
        return FALSE;
      if (!kt_xml_prop_uint64 (n, "memory", &mem, error)
          || !kt_xml_unit_to_kib (unit, mem, &CELL->memory_kib, error))
        return fail_at (n, error);
      for (xmlNode *s = kt_xml_child (kt_xml_child (n, "distances"), "sibling"); s;
           s = kt_xml_next_named (s->next, "sibling"))
        {
          KtCellDistance d;

          if (!prop_uint (s, "id", &d.id, error) || !prop_uint (s, "value", &d.value, error))
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
            return fail_at (p, error);
          if (!prop_cpuset (p, "nodeset", &h.nodeset, error))
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
    return fail_at (n, error);
  t->current_memory_kib = t->memory_kib;
  if ((n = kt_xml_child (root, "currentMemory")) != NULL
      && !kt_xml_scaled_kib (n, "unit", &t->current_memory_kib, error))
    return fail_at (n, error);
  if ((n = kt_xml_child (root, "maxMemory")) != NULL
      && !kt_xml_scaled_kib (n, "unit", &t->max_memory_kib, error))
    return fail_at (n, error);
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
      if (!text_uint (vcpu, 16384, &v, error))
        return FALSE;
      t->vcpus = (guint) v;
      if (!opt_prop_uint (vcpu, "current", &t->current_vcpus, t->vcpus, error)
          || !prop_cpuset (vcpu, "cpuset", &t->vcpu_cpuset, error))
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

      if (!prop_uint (n, "id", &info.id, error)
          || !opt_prop_uint (n, "order", &order, G_MAXUINT, error))
        return FALSE;
      info.enabled = g_strcmp0 (enabled, "no") != 0;
      info.hotpluggable = g_strcmp0 (hot, "yes") == 0;
      info.order = order == G_MAXUINT ? -1 : (int) MIN (order, G_MAXINT);
      g_array_append_val (t->vcpu_info, info);
    }

  if ((iothreads = kt_xml_child (root, "iothreads")) != NULL)
    {
      if (!text_uint (iothreads, G_MAXUINT, &v, error))
        return FALSE;
      t->iothreads = (guint) v;
    }
  for (xmlNode *n = kt_xml_child (kt_xml_child (root, "iothreadids"), "iothread"); n;
       n = kt_xml_next_named (n->next, "iothread"))
    {
      guint id;

      if (!prop_uint (n, "id", &id, error))
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
      || !opt_scaled (memtune, "hard_limit", &t->hard_limit_kib, error)
      || !opt_scaled (memtune, "soft_limit", &t->soft_limit_kib, error)
      || !opt_scaled (memtune, "swap_hard_limit", &t->swap_hard_limit_kib, error)
      || !opt_scaled (memtune, "min_guarantee", &t->min_guarantee_kib, error))
    {
      g_prefix_error (error, _("Domain “%s”: "), t->name);
      return NULL;
    }

  return g_steal_pointer (&t);
}

/* Pins are sorted by id (and unique): a lookup is a binary search, so
 * that going over thousands of vCPUs stays linear */
static const KtCpuset *
find_pin (const GArray *pins,
          guint         id)
{
  guint lo = 0, hi = pins->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const KtPin *p = &g_array_index (pins, KtPin, mid);

      if (p->id == id)
        return p->cpuset;
      if (p->id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

const KtCpuset *
kt_tuning_get_vcpupin (const KtTuning *self,
                       guint           vcpu)
{
  g_return_val_if_fail (self != NULL, NULL);
  return find_pin (self->vcpupin, vcpu);
}

const KtCpuset *
kt_tuning_get_iothreadpin (const KtTuning *self,
                           guint           id)
{
  g_return_val_if_fail (self != NULL, NULL);
  return find_pin (self->iothreadpin, id);
}

gboolean
kt_tuning_has_iothread (const KtTuning *self,
                        guint           id)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->iothread_ids->len; i++)
    if (g_array_index (self->iothread_ids, guint, i) == id)
      return TRUE;
  return FALSE;
}

/**
 * kt_tuning_is_numad:
 *
 * Whether libvirt asks numad where to put the domain (<vcpu
 * placement='auto'>, or <numatune> placement='auto', which it follows).
 */
gboolean
kt_tuning_is_numad (const KtTuning *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_strcmp0 (self->vcpu_placement, "auto") == 0;
}

/**
 * kt_tuning_memory_is_numad:
 *
 * Whether the memory nodes come from numad: <numatune><memory
 * placement='auto'>, or no <numatune> under <vcpu placement='auto'>
 * (libvirt adds one).
 */
gboolean
kt_tuning_memory_is_numad (const KtTuning *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->numa_mode != NULL)
    return g_strcmp0 (self->numa_placement, "auto") == 0;
  return kt_tuning_is_numad (self);
}

/* The rule libvirt follows for a thread, given its own pin (or NULL):
 * that pin, else numad under placement='auto' (which ignores <vcpu
 * cpuset>), else the <vcpu cpuset>, else anywhere */
static KtPinSource
pin_source (const KtTuning *self,
            const KtCpuset *own)
{
  if (own != NULL)
    return KT_PIN_SOURCE_OWN;
  if (kt_tuning_is_numad (self))
    return KT_PIN_SOURCE_NUMAD;
  if (self->vcpu_cpuset != NULL)
    return KT_PIN_SOURCE_DEFAULT;
  return KT_PIN_SOURCE_NONE;
}

/* Where that rule lets the thread run; numad decides at start-up, which is
 * not known here: anywhere */
static KtCpuset *
allowed (const KtTuning *self,
         const KtCpuset *own,
         const KtCpuset *host_cpus)
{
  switch (pin_source (self, own))
    {
    case KT_PIN_SOURCE_OWN:
      return kt_cpuset_copy (own);
    case KT_PIN_SOURCE_DEFAULT:
      return kt_cpuset_copy (self->vcpu_cpuset);
    case KT_PIN_SOURCE_NUMAD:
    case KT_PIN_SOURCE_NONE:
    default:
      return kt_cpuset_copy (host_cpus);
    }
}

/**
 * kt_tuning_vcpu_pin_source:
 *
 * Why vCPU @vcpu runs where it does: its <vcpupin>, else numad under
 * placement='auto' (which ignores <vcpu cpuset>), else the <vcpu cpuset>,
 * else anywhere.
 */
KtPinSource
kt_tuning_vcpu_pin_source (const KtTuning *self,
                           guint           vcpu)
{
  g_return_val_if_fail (self != NULL, KT_PIN_SOURCE_NONE);

  return pin_source (self, kt_tuning_get_vcpupin (self, vcpu));
}

KtPinSource
kt_tuning_emulator_pin_source (const KtTuning *self)
{
  g_return_val_if_fail (self != NULL, KT_PIN_SOURCE_NONE);

  return pin_source (self, self->emulatorpin);
}

/* An IOThread without <iothreadpin> is placed as a vCPU without a pin:
 * numad, else <vcpu cpuset>, else anywhere (not where the emulator is) */
KtPinSource
kt_tuning_iothread_pin_source (const KtTuning *self,
                               guint           id)
{
  g_return_val_if_fail (self != NULL, KT_PIN_SOURCE_NONE);

  return pin_source (self, kt_tuning_get_iothreadpin (self, id));
}

KtCpuset *
kt_tuning_iothread_allowed (const KtTuning *self,
                            guint           id,
                            const KtCpuset *host_cpus)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (host_cpus != NULL, NULL);

  return allowed (self, kt_tuning_get_iothreadpin (self, id), host_cpus);
}

/**
 * kt_tuning_vcpu_allowed:
 * @host_cpus: every CPU of the host
 *
 * Where vCPU @vcpu may run, as libvirt decides: its <vcpupin>, else the
 * <vcpu cpuset>, else anywhere on the host.  Under placement='auto' numad
 * decides at start-up, which is not known here: anywhere.
 *
 * Returns: (transfer full): the set
 */
KtCpuset *
kt_tuning_vcpu_allowed (const KtTuning *self,
                        guint           vcpu,
                        const KtCpuset *host_cpus)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (host_cpus != NULL, NULL);

  return allowed (self, kt_tuning_get_vcpupin (self, vcpu), host_cpus);
}

KtCpuset *
kt_tuning_emulator_allowed (const KtTuning *self,
                            const KtCpuset *host_cpus)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (host_cpus != NULL, NULL);

  return allowed (self, self->emulatorpin, host_cpus);
}

/**
 * kt_tuning_vcpu_is_online:
 *
 * Whether vCPU @vcpu is online (plugged in; at start-up for an inactive
 * definition): as <vcpus> says, else the first <vcpu current=> ones.
 */
gboolean
kt_tuning_vcpu_is_online (const KtTuning *self,
                          guint           vcpu)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (vcpu >= self->vcpus)
    return FALSE;
  for (guint i = 0; i < self->vcpu_info->len; i++)
    if (g_array_index (self->vcpu_info, KtVcpuInfo, i).id == vcpu)
      return g_array_index (self->vcpu_info, KtVcpuInfo, i).enabled;
  return vcpu < self->current_vcpus;
}

guint
kt_tuning_count_online (const KtTuning *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint v = 0; v < self->vcpus; v++)
    n += kt_tuning_vcpu_is_online (self, v);
  return n;
}

const KtGuestCell *
kt_tuning_lookup_cell (const KtTuning *self,
                       guint           id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->cells->len; i++)
    if (g_array_index (self->cells, KtGuestCell, i).id == id)
      return &g_array_index (self->cells, KtGuestCell, i);
  return NULL;
}
