/* kt-apply-check.c: an apply's comparisons and checks against libvirt
 *
 * Whether two tunings have the same huge pages, memnodes and pins, and
 * whether a config libvirt gives back is the one that was defined
 * (kt_apply_config_matches ()).  Before anything is applied, a config or
 * running pins someone else changed since they were loaded are refused;
 * the config is looked at again just before the define, and what was
 * defined is read back and compared with what was asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-apply-private.h"
#include "kt-error.h"

gboolean
kt_apply_priv_same_hugepages (const KtTuning *a,
                              const KtTuning *b)
{
  if (a->has_hugepages != b->has_hugepages || a->hugepages->len != b->hugepages->len)
    return FALSE;
  for (guint i = 0; i < a->hugepages->len; i++)
    {
      const KtHugepage *x = &g_array_index (a->hugepages, KtHugepage, i);
      const KtHugepage *y = &g_array_index (b->hugepages, KtHugepage, i);

      if (x->size_kib != y->size_kib || !kt_cpuset_same (x->nodeset, y->nodeset))
        return FALSE;
    }
  return a->nosharepages == b->nosharepages && a->locked == b->locked;
}

gboolean
kt_apply_priv_same_memnodes (const KtTuning *a,
                             const KtTuning *b)
{
  if (a->memnodes->len != b->memnodes->len)
    return FALSE;
  for (guint i = 0; i < a->memnodes->len; i++)
    {
      const KtMemnode *x = &g_array_index (a->memnodes, KtMemnode, i);
      const KtMemnode *y = &g_array_index (b->memnodes, KtMemnode, i);

      if (x->cellid != y->cellid || g_strcmp0 (x->mode, y->mode) != 0
          || !kt_cpuset_same (x->nodeset, y->nodeset))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pins_equal (const KtTuning *a,
            const KtTuning *b)
{
  if (a->vcpupin->len != b->vcpupin->len || a->iothreadpin->len != b->iothreadpin->len
      || !kt_cpuset_same (a->emulatorpin, b->emulatorpin)
      || !kt_cpuset_same (a->numa_nodeset, b->numa_nodeset)
      || g_strcmp0 (a->numa_mode, b->numa_mode) != 0)
    return FALSE;
  for (guint i = 0; i < a->vcpupin->len; i++)
    {
      const KtPin *p = &g_array_index (a->vcpupin, KtPin, i);

      if (!kt_cpuset_same (p->cpuset, kt_tuning_get_vcpupin (b, p->id)))
        return FALSE;
    }
  for (guint i = 0; i < a->iothreadpin->len; i++)
    {
      const KtPin *p = &g_array_index (a->iothreadpin, KtPin, i);

      if (!kt_cpuset_same (p->cpuset, kt_tuning_get_iothreadpin (b, p->id)))
        return FALSE;
    }
  return TRUE;
}

/* Whether the inactive XML @now libvirt gives is the config @expected
 * that was defined.  libvirt writes back what it was given in its own
 * layout, so the same text is the usual answer; what may differ is the
 * layout of what KvmTune added (indentation, where an element went), so
 * the second look compares the XML with the blanks between elements
 * dropped and the tuning KvmTune edits. */
gboolean
kt_apply_config_matches (const char *now,
                         const char *expected)
{
  g_autoptr(KtDomain) a = NULL;
  g_autoptr(KtDomain) b = NULL;
  g_autoptr(KtTuning) ta = NULL;
  g_autoptr(KtTuning) tb = NULL;

  if (g_str_equal (now, expected))
    return TRUE;
  a = kt_domain_new_from_xml (now, -1, NULL);
  b = kt_domain_new_from_xml (expected, -1, NULL);
  if (a == NULL || b == NULL)
    return FALSE;
  ta = kt_domain_get_tuning (a);
  tb = kt_domain_get_tuning (b);
  return pins_equal (ta, tb) && kt_apply_priv_same_hugepages (ta, tb)
         && kt_apply_priv_same_memnodes (ta, tb)
         && g_strcmp0 (ta->cpu_mode, tb->cpu_mode) == 0
         && g_strcmp0 (ta->cpu_model, tb->cpu_model) == 0
         && ta->has_topology == tb->has_topology && ta->sockets == tb->sockets
         && ta->dies == tb->dies && ta->cores == tb->cores && ta->threads == tb->threads
         && ta->vcpus == tb->vcpus && ta->memory_kib == tb->memory_kib
         && g_strcmp0 (ta->uuid, tb->uuid) == 0 && g_strcmp0 (ta->name, tb->name) == 0;
}

/* Refuses to overwrite a config someone else changed since we loaded it;
 * @during: the live steps were made already */
gboolean
kt_apply_priv_check_config_unchanged (KtApply  *self,
                                      Ctx      *ctx,
                                      gboolean  during,
                                      GError  **error)
{
  const char *name = kt_vm_get_name (self->vm);
  char *now = virDomainGetXMLDesc (ctx->dom, VIR_DOMAIN_XML_INACTIVE);
  gboolean same;

  if (now == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot read the config of “%s”"), name);
      return FALSE;
    }
  same = g_str_equal (now, self->base_inactive_xml);
  free (now);
  if (!same)
    {
      if (during)
        g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                     _("The config of “%s” was changed while the live steps were made (by "
                       "virsh or another tool). Nothing was applied: the live steps were "
                       "undone; reload it and try again."), name);
      else
        g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                     _("The config of “%s” was changed since it was loaded (by virsh or "
                       "another tool). Nothing was applied: reload it and try again."), name);
      return FALSE;
    }
  return TRUE;
}

/* Refuses to overwrite what someone else changed since we loaded it */
gboolean
kt_apply_priv_check_unchanged (KtApply  *self,
                               Ctx      *ctx,
                               GError  **error)
{
  const char *name = kt_vm_get_name (self->vm);

  if (self->define_xml != NULL && !kt_apply_priv_check_config_unchanged (self, ctx, FALSE, error))
    return FALSE;
  if (self->steps->len > 0)
    {
      char *now = virDomainGetXMLDesc (ctx->dom, 0);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtTuning) t = NULL;

      if (now == NULL)
        {
          kt_set_libvirt_error (error, _("Cannot read the running definition of “%s”"), name);
          return FALSE;
        }
      live = kt_domain_new_from_xml (now, -1, error);
      free (now);
      if (live == NULL)
        return FALSE;
      t = kt_domain_get_tuning (live);
      if (!pins_equal (t, self->base_live))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("The running pins of “%s” were changed since they were loaded (by "
                         "virsh or another tool). Nothing was applied: reload and try again."),
                       name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads back what was defined and compares it with what was asked for */
gboolean
kt_apply_priv_check_defined (KtApply      *self,
                             virDomainPtr  defined,
                             GError      **error)
{
  const char *name = kt_vm_get_name (self->vm);
  char *now = virDomainGetXMLDesc (defined, VIR_DOMAIN_XML_INACTIVE);
  gboolean same;

  if (now == NULL)
    {
      kt_set_libvirt_error (error, _("The config of “%s” was defined, but it cannot be read "
                                     "back"), name);
      return FALSE;
    }
  same = kt_apply_config_matches (now, self->define_xml);
  free (now);
  if (!same)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   _("The config of “%s” was changed by virsh or another tool at the moment "
                     "KvmTune defined it: libvirt now has a config that is not the one "
                     "KvmTune defined. The live steps were made; check the config (virsh "
                     "dumpxml --inactive %s), reload and apply again."), name, name);
      return FALSE;
    }
  return TRUE;
}
