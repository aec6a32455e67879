/* kt-domain-edit.c: the tuning setters of KtDomain (pins, numatune, memnode,
 * hugepages, memory backing flags, memtune)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-domain-private.h"
#include "kt-error.h"
#include "kt-xml.h"

static const char * const cputune_order[] = {
  "shares", "period", "quota", "global_period", "global_quota", "emulator_period",
  "emulator_quota", "iothread_period", "iothread_quota", "vcpupin", "emulatorpin",
  "iothreadpin", "vcpusched", "iothreadsched", "emulatorsched", "cachetune", "memorytune",
  NULL
};
static const char * const numatune_order[] = { "memory", "memnode", NULL };
static const char * const memory_backing_order[] = {
  "hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard", NULL
};
static const char * const memtune_order[] = {
  "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee", NULL
};

/* The <vcpupin> index (kt-pin-index.c) ------------------------------------ */

/* Builds the index, once; FALSE when the pins are such that it cannot
 * stand for them (then the setters search the document) */
static gboolean
pins_ensure (KtDomain *self)
{
  if (self->pins == NULL && !self->pins_unusable)
    {
      self->pins = kt_pin_index_new (kt_xml_child (kt_domain_get_root (self), "cputune"),
                                     self->n_vcpus);
      self->pins_unusable = self->pins == NULL;
    }
  return self->pins != NULL;
}

static gboolean
set_vcpu_pin (KtDomain       *self,
              guint           vcpu,
              const KtCpuset *cpuset)
{
  xmlNode *cputune, *pin;

  pin = kt_pin_index_lookup (self->pins, vcpu);
  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          cputune = pin->parent;
          _kt_domain_remove_element (self, pin);
          _kt_domain_remove_if_empty (self, cputune);
        }
      return TRUE;
    }
  if (pin == NULL)
    {
      xmlNode *before;
      char num[16];

      cputune = _kt_domain_ensure_top (self, "cputune");
      pin = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "vcpupin", NULL);
      g_snprintf (num, sizeof num, "%u", vcpu);
      xmlSetProp (pin, (const xmlChar *) "vcpu", (const xmlChar *) num);
      if (!kt_pin_index_insertion_point (self->pins, vcpu, &before))
        before = _kt_domain_insertion_point (cputune, "vcpupin", cputune_order);
      _kt_domain_insert_element (self, cputune, pin, before);
      kt_pin_index_add (self->pins, vcpu, pin);
    }
  _kt_domain_set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

static gboolean
set_pin (KtDomain       *self,
         const char     *element,
         const char     *attr,
         guint           id,
         const KtCpuset *cpuset)
{
  xmlNode *cputune = kt_xml_child (kt_domain_get_root (self), "cputune");
  xmlNode *pin = _kt_domain_find_by_uint_attr (cputune, element, attr, id);

  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          _kt_domain_remove_element (self, pin);
          _kt_domain_remove_if_empty (self, cputune);
        }
      return TRUE;
    }

  if (pin == NULL)
    {
      char num[16];

      cputune = _kt_domain_ensure_top (self, "cputune");
      pin = xmlNewDocNode (self->doc, NULL, (const xmlChar *) element, NULL);
      g_snprintf (num, sizeof num, "%u", id);
      xmlSetProp (pin, (const xmlChar *) attr, (const xmlChar *) num);
      _kt_domain_insert_element (self, cputune, pin,
                                 _kt_domain_sorted_insertion_point (cputune, element, attr, id,
                                                                    cputune_order));
    }
  _kt_domain_set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

static gboolean
check_cpuset (const KtCpuset  *set,
              GError         **error)
{
  if (set != NULL && kt_cpuset_is_empty (set))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("The cpuset is empty"));
      return FALSE;
    }
  return TRUE;
}

/* Setters ---------------------------------------------------------------- */

/**
 * kt_domain_set_vcpupin:
 * @cpuset: (nullable): the pCPUs, or %NULL to unpin
 */
gboolean
kt_domain_set_vcpupin (KtDomain        *self,
                       guint            vcpu,
                       const KtCpuset  *cpuset,
                       GError         **error)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  /* No kt_domain_get_tuning () here: after an edit it parses the whole
   * domain again, and pinning every vCPU would be quadratic */
  if (vcpu >= self->n_vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no vCPU %u (it has %u)"), kt_domain_get_name (self),
                   vcpu, self->n_vcpus);
      return FALSE;
    }
  if (!check_cpuset (cpuset, error))
    return FALSE;
  if (pins_ensure (self))
    return set_vcpu_pin (self, vcpu, cpuset);
  return set_pin (self, "vcpupin", "vcpu", vcpu, cpuset);
}

gboolean
kt_domain_set_emulatorpin (KtDomain        *self,
                           const KtCpuset  *cpuset,
                           GError         **error)
{
  xmlNode *cputune, *pin;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_cpuset (cpuset, error))
    return FALSE;
  cputune = kt_xml_child (kt_domain_get_root (self), "cputune");
  pin = kt_xml_child (cputune, "emulatorpin");
  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          _kt_domain_remove_element (self, pin);
          _kt_domain_remove_if_empty (self, cputune);
        }
      return TRUE;
    }
  cputune = _kt_domain_ensure_top (self, "cputune");
  pin = _kt_domain_ensure_child (self, cputune, "emulatorpin", cputune_order);
  _kt_domain_set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

gboolean
kt_domain_set_iothreadpin (KtDomain        *self,
                           guint            iothread,
                           const KtCpuset  *cpuset,
                           GError         **error)
{
  g_autoptr(KtTuning) t = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  if (!kt_tuning_has_iothread (t, iothread))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no IOThread %u (it has %u)"),
                   t->name, iothread, t->iothreads);
      return FALSE;
    }
  if (!check_cpuset (cpuset, error))
    return FALSE;
  return set_pin (self, "iothreadpin", "iothread", iothread, cpuset);
}

gboolean
kt_numa_mode_is_valid (const char *mode)
{
  return g_strcmp0 (mode, "strict") == 0 || g_strcmp0 (mode, "interleave") == 0
         || g_strcmp0 (mode, "preferred") == 0 || g_strcmp0 (mode, "restrictive") == 0;
}

/* mode= of <memory> and <memnode>: strict when left out, which stays so */
static void
set_numa_mode (KtDomain   *self,
               xmlNode    *node,
               const char *mode)
{
  if (g_str_equal (mode, "strict") && !xmlHasProp (node, (const xmlChar *) "mode"))
    return;
  _kt_domain_set_prop (self, node, "mode", mode);
}

static gboolean
check_numa_mode (const char  *mode,
                 GError     **error)
{
  if (mode != NULL && !kt_numa_mode_is_valid (mode))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown memory mode “%s” (use strict, interleave, preferred or restrictive)"),
                   mode);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_domain_set_numatune:
 * @mode: (nullable): the memory mode, or %NULL to keep it
 * @nodeset: (nullable): host nodes, or %NULL to keep them
 */
gboolean
kt_domain_set_numatune (KtDomain        *self,
                        const char      *mode,
                        const KtCpuset  *nodeset,
                        GError         **error)
{
  xmlNode *numatune, *memory;
  g_autofree char *placement = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_numa_mode (mode, error) || !check_cpuset (nodeset, error))
    return FALSE;
  if (mode == NULL && nodeset == NULL)
    return TRUE;

  memory = kt_xml_child (kt_xml_child (kt_domain_get_root (self), "numatune"), "memory");
  placement = kt_xml_prop (memory, "placement");
  if (nodeset == NULL && !xmlHasProp (memory, (const xmlChar *) "nodeset")
      && g_strcmp0 (placement, "auto") != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Setting the memory mode needs a nodeset: the domain has none"));
      return FALSE;
    }

  numatune = _kt_domain_ensure_top (self, "numatune");
  memory = _kt_domain_ensure_child (self, numatune, "memory", numatune_order);
  if (mode != NULL)
    set_numa_mode (self, memory, mode);
  if (nodeset != NULL)
    {
      /* A nodeset is static placement */
      if (g_strcmp0 (placement, "auto") == 0)
        _kt_domain_set_prop (self, memory, "placement", NULL);
      _kt_domain_set_prop_cpuset (self, memory, "nodeset", nodeset);
    }
  return TRUE;
}

gboolean
kt_domain_set_memnode (KtDomain        *self,
                       guint            cellid,
                       const char      *mode,
                       const KtCpuset  *nodeset,
                       GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *numatune, *memnode;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_numa_mode (mode, error) || !check_cpuset (nodeset, error))
    return FALSE;
  t = kt_domain_get_tuning (self);
  if (kt_tuning_lookup_cell (t, cellid) == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no guest NUMA cell %u"), t->name, cellid);
      return FALSE;
    }

  numatune = kt_xml_child (kt_domain_get_root (self), "numatune");
  memnode = _kt_domain_find_by_uint_attr (numatune, "memnode", "cellid", cellid);
  if (nodeset == NULL)
    {
      if (memnode != NULL)
        {
          _kt_domain_remove_element (self, memnode);
          _kt_domain_remove_if_empty (self, numatune);
        }
      return TRUE;
    }
  if (memnode == NULL)
    {
      char num[16];

      numatune = _kt_domain_ensure_top (self, "numatune");
      memnode = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "memnode", NULL);
      g_snprintf (num, sizeof num, "%u", cellid);
      xmlSetProp (memnode, (const xmlChar *) "cellid", (const xmlChar *) num);
      /* libvirt writes the mode of a memnode */
      xmlSetProp (memnode, (const xmlChar *) "mode", (const xmlChar *) (mode ? mode : "strict"));
      _kt_domain_insert_element (self, numatune, memnode,
                                 _kt_domain_sorted_insertion_point (numatune, "memnode", "cellid",
                                                                    cellid, numatune_order));
    }
  set_numa_mode (self, memnode, mode ? mode : "strict");
  _kt_domain_set_prop_cpuset (self, memnode, "nodeset", nodeset);
  return TRUE;
}

/**
 * kt_domain_set_hugepages:
 * @size_kib: the page size, or 0 to stop using huge pages
 * @nodeset: (nullable): guest NUMA cells the size applies to
 */
gboolean
kt_domain_set_hugepages (KtDomain        *self,
                         guint64          size_kib,
                         const KtCpuset  *nodeset,
                         GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *mb, *hugepages, *page;
  char num[32];

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  mb = kt_xml_child (kt_domain_get_root (self), "memoryBacking");
  hugepages = kt_xml_child (mb, "hugepages");

  if (size_kib == 0)
    {
      if (hugepages != NULL)
        {
          _kt_domain_remove_element (self, hugepages);
          _kt_domain_remove_if_empty (self, mb);
        }
      return TRUE;
    }

  if (t->memory_kib % size_kib != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Huge pages of %llu KiB do not divide the memory of “%s” (%llu KiB)"),
                   (unsigned long long) size_kib, t->name,
                   (unsigned long long) t->memory_kib);
      return FALSE;
    }
  if (nodeset != NULL)
    {
      if (!check_cpuset (nodeset, error))
        return FALSE;
      for (int c = kt_cpuset_first (nodeset); c >= 0; c = kt_cpuset_next (nodeset, c))
        if (kt_tuning_lookup_cell (t, (guint) c) == NULL)
          {
            g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                         _("Domain “%s” has no guest NUMA cell %d for huge pages"), t->name, c);
            return FALSE;
          }
    }

  /* Already so (whatever unit it is written in): nothing to write */
  if (t->has_hugepages && t->hugepages->len == 1)
    {
      const KtHugepage *h = &g_array_index (t->hugepages, KtHugepage, 0);

      if (h->size_kib == size_kib && kt_cpuset_same (h->nodeset, nodeset))
        return TRUE;
    }

  mb = _kt_domain_ensure_top (self, "memoryBacking");
  hugepages = _kt_domain_ensure_child (self, mb, "hugepages", memory_backing_order);
  /* One page size for the chosen cells replaces what was there */
  while ((page = kt_xml_child (hugepages, "page")) != NULL)
    _kt_domain_remove_element (self, page);
  page = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "page", NULL);
  g_snprintf (num, sizeof num, "%" G_GUINT64_FORMAT, size_kib);
  xmlSetProp (page, (const xmlChar *) "size", (const xmlChar *) num);
  xmlSetProp (page, (const xmlChar *) "unit", (const xmlChar *) "KiB");
  if (nodeset != NULL)
    {
      g_autofree char *ns = kt_cpuset_format (nodeset);

      xmlSetProp (page, (const xmlChar *) "nodeset", (const xmlChar *) ns);
    }
  _kt_domain_insert_element (self, hugepages, page, NULL);
  return TRUE;
}

static void
set_flag_element (KtDomain   *self,
                  const char *name,
                  gboolean    enabled)
{
  xmlNode *mb = kt_xml_child (kt_domain_get_root (self), "memoryBacking");
  xmlNode *flag = kt_xml_child (mb, name);

  if (enabled && flag == NULL)
    {
      mb = _kt_domain_ensure_top (self, "memoryBacking");
      _kt_domain_ensure_child (self, mb, name, memory_backing_order);
    }
  else if (!enabled && flag != NULL)
    {
      _kt_domain_remove_element (self, flag);
      _kt_domain_remove_if_empty (self, mb);
    }
}

void
kt_domain_set_nosharepages (KtDomain *self,
                            gboolean  enabled)
{
  g_return_if_fail (KT_IS_DOMAIN (self));
  set_flag_element (self, "nosharepages", enabled);
}

void
kt_domain_set_locked (KtDomain *self,
                      gboolean  enabled)
{
  g_return_if_fail (KT_IS_DOMAIN (self));
  set_flag_element (self, "locked", enabled);
}

/**
 * kt_domain_set_memtune_hard_limit:
 * @kib: the limit, or -1 to remove it
 */
gboolean
kt_domain_set_memtune_hard_limit (KtDomain  *self,
                                  gint64     kib,
                                  GError   **error)
{
  xmlNode *memtune, *limit;
  char num[32];

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  memtune = kt_xml_child (kt_domain_get_root (self), "memtune");
  limit = kt_xml_child (memtune, "hard_limit");
  if (kib < 0)
    {
      if (limit != NULL)
        {
          _kt_domain_remove_element (self, limit);
          _kt_domain_remove_if_empty (self, memtune);
        }
      return TRUE;
    }
  if (limit != NULL)
    {
      g_autoptr(KtTuning) t = kt_domain_get_tuning (self);

      if (t->hard_limit_kib == kib)
        return TRUE;
    }
  memtune = _kt_domain_ensure_top (self, "memtune");
  limit = _kt_domain_ensure_child (self, memtune, "hard_limit", memtune_order);
  g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, kib);
  xmlNodeSetContent (limit, (const xmlChar *) num);
  _kt_domain_set_prop (self, limit, "unit", "KiB");
  _kt_domain_mark_dirty (self, limit);
  return TRUE;
}
