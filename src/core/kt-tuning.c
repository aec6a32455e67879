/* kt-tuning.c: a read-only view of a domain's tuning, derived from its XML
 *
 * The KtTuning type (reference counted) and what is asked of it: a vCPU's
 * or IOThread's pin, where libvirt lets a vCPU, IOThread or the emulator
 * run and why (its own pin, numad, <vcpu cpuset> or anywhere), which
 * vCPUs are online, a guest cell.  Reading one from domain XML is in
 * kt-tuning-read.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-tuning.h"

G_DEFINE_BOXED_TYPE (KtTuning, kt_tuning, kt_tuning_ref, kt_tuning_unref)

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
