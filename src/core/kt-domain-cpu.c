/* kt-domain-cpu.c: the CPU model and topology setters of KtDomain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-domain-private.h"
#include "kt-error.h"
#include "kt-xml.h"

static const char * const cpu_order[] = {
  "model", "vendor", "microcode", "topology", "cache", "maxphysaddr", "feature", "numa", NULL
};

gboolean
kt_cpu_mode_is_valid (const char *mode)
{
  return g_strcmp0 (mode, "host-passthrough") == 0 || g_strcmp0 (mode, "host-model") == 0
         || g_strcmp0 (mode, "maximum") == 0 || g_strcmp0 (mode, "custom") == 0;
}

/* host-passthrough and maximum give the guest what the host (or QEMU) has;
 * host-model and custom give it a named model.  libvirt takes migratable=
 * and <cache mode='passthrough'> only in the first family, match=, a model
 * name and <vendor> only for custom. */
static gboolean
cpu_mode_is_host_cpu (const char *mode)
{
  return g_strcmp0 (mode, "host-passthrough") == 0 || g_strcmp0 (mode, "maximum") == 0;
}

static void
remove_cpu_children (KtDomain   *self,
                     xmlNode    *cpu,
                     const char *name)
{
  xmlNode *c;

  while ((c = kt_xml_child (cpu, name)) != NULL)
    _kt_domain_remove_element (self, c);
}

/**
 * kt_domain_set_cpu_mode:
 * @mode: host-passthrough, host-model, maximum or custom
 * @model: (nullable): the model name; required for custom
 *
 * Makes the <cpu> what libvirt accepts for @mode, not just what its schema
 * does: leaving host-passthrough or maximum drops migratable= (libvirt
 * refuses it elsewhere); moving between those two and host-model/custom
 * drops check= (it means nothing with the host's own CPU, and libvirt fills
 * in the new mode's default); only custom keeps match=, a model name and
 * <vendor> (host-model keeps the attributes of <model>, e.g. fallback=).
 * <feature>, <topology>, <cache>, <maxphysaddr> and <numa> stay in every
 * mode.  <cache mode='passthrough'> works only with host-passthrough and
 * maximum: leaving them with it is refused, naming it.
 */
gboolean
kt_domain_set_cpu_mode (KtDomain    *self,
                        const char  *mode,
                        const char  *model,
                        GError     **error)
{
  xmlNode *cpu, *model_node;
  g_autofree char *old_mode = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!kt_cpu_mode_is_valid (mode))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown CPU mode “%s” (use host-passthrough, host-model, maximum or custom)"),
                   mode ? mode : "");
      return FALSE;
    }
  if (g_str_equal (mode, "custom") && (model == NULL || *model == '\0'))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("A custom CPU mode needs a model name"));
      return FALSE;
    }
  if (!g_str_equal (mode, "custom") && model != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Only the custom CPU mode takes a model name"));
      return FALSE;
    }

  cpu = kt_xml_child (kt_domain_get_root (self), "cpu");
  if (cpu != NULL)
    {
      /* libvirt reads a <cpu> without mode= as custom */
      old_mode = kt_xml_prop (cpu, "mode");
      if (old_mode == NULL)
        old_mode = g_strdup ("custom");
    }
  /* Unchanged: nothing else is touched, not even what libvirt would not take */
  if (g_strcmp0 (old_mode, mode) == 0 && !g_str_equal (mode, "custom"))
    return TRUE;

  if (cpu != NULL && !cpu_mode_is_host_cpu (mode))
    for (xmlNode *c = kt_xml_child (cpu, "cache"); c; c = kt_xml_next_named (c->next, "cache"))
      {
        g_autofree char *cache_mode = kt_xml_prop (c, "mode");

        if (g_strcmp0 (cache_mode, "passthrough") == 0)
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                         _("“%s” has <cache mode='passthrough'>, which libvirt only takes with "
                           "the host-passthrough and maximum CPU modes; change the cache mode "
                           "(e.g. to emulate with level='3') before choosing %s"),
                         kt_domain_get_name (self), mode);
            return FALSE;
          }
      }

  cpu = _kt_domain_ensure_top (self, "cpu");
  _kt_domain_set_prop (self, cpu, "mode", mode);
  if (old_mode != NULL && cpu_mode_is_host_cpu (old_mode) != cpu_mode_is_host_cpu (mode))
    _kt_domain_set_prop (self, cpu, "check", NULL);
  if (!cpu_mode_is_host_cpu (mode))
    _kt_domain_set_prop (self, cpu, "migratable", NULL);

  model_node = kt_xml_child (cpu, "model");
  if (g_str_equal (mode, "custom"))
    {
      g_autofree char *old = kt_xml_text (model_node);

      if (!xmlHasProp (cpu, (const xmlChar *) "match"))
        _kt_domain_set_prop (self, cpu, "match", "exact");
      model_node = _kt_domain_ensure_child (self, cpu, "model", cpu_order);
      if (g_strcmp0 (old, model) != 0)
        {
          /* AddContent takes text, not markup: a hostile name stays text */
          xmlNodeSetContent (model_node, NULL);
          xmlNodeAddContent (model_node, (const xmlChar *) model);
          _kt_domain_mark_dirty (self, model_node);
        }
      return TRUE;
    }

  /* match= only means something for custom models, <vendor> only with a
   * model name (libvirt refuses it without one) */
  _kt_domain_set_prop (self, cpu, "match", NULL);
  remove_cpu_children (self, cpu, "vendor");
  if (model_node != NULL && g_str_equal (mode, "host-model") && model_node->properties != NULL)
    {
      /* host-model takes fallback= and vendor_id=, but its model is the host's */
      if (model_node->children != NULL)
        {
          xmlNodeSetContent (model_node, NULL);
          _kt_domain_mark_dirty (self, model_node);
        }
    }
  else
    remove_cpu_children (self, cpu, "model");
  return TRUE;
}

/**
 * kt_domain_set_cpu_topology:
 *
 * Sets <cpu><topology>.  libvirt wants sockets × dies × clusters × cores ×
 * threads to be the vCPU count; a topology that is not is refused.
 */
gboolean
kt_domain_set_cpu_topology (KtDomain  *self,
                            guint      sockets,
                            guint      dies,
                            guint      cores,
                            guint      threads,
                            GError   **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *cpu, *topology;
  guint clusters;
  guint64 product;
  char num[16];
  const struct { const char *name; guint value; } attrs[] = {
    { "sockets", sockets }, { "dies", dies }, { "cores", cores }, { "threads", threads },
  };

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  clusters = t->has_topology ? MAX (t->clusters, 1) : 1;
  product = (guint64) sockets * dies * clusters * cores * threads;
  if (sockets == 0 || dies == 0 || cores == 0 || threads == 0 || product != t->vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("A topology of %u sockets × %u dies × %u cores × %u threads makes %llu "
                     "vCPUs, but “%s” has %u"),
                   sockets, dies, cores, threads, (unsigned long long) product, t->name, t->vcpus);
      return FALSE;
    }

  cpu = _kt_domain_ensure_top (self, "cpu");
  topology = _kt_domain_ensure_child (self, cpu, "topology", cpu_order);
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      /* dies='1' is libvirt's default: only written when already there */
      if (g_str_equal (attrs[i].name, "dies") && attrs[i].value == 1
          && !xmlHasProp (topology, (const xmlChar *) "dies"))
        continue;
      g_snprintf (num, sizeof num, "%u", attrs[i].value);
      _kt_domain_set_prop (self, topology, attrs[i].name, num);
    }
  return TRUE;
}
