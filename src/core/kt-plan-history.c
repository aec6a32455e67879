/* kt-plan-history.c: a plan's pins, with undo and redo
 *
 * kt_plan_pin () and kt_plan_pin_each () check the VM, its vCPUs and the
 * target pCPUs, then make one undo step: each vCPU's pin before and
 * after, set in the VM's definitions, with the pin it had before the plan
 * first moved it kept as its original.  Undo and redo play a step's
 * edits back or forth; a new pin clears the redo history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-plan-private.h"

static void
edit_free (gpointer data)
{
  Edit *e = data;

  g_free (e->vm);
  kt_cpuset_free (e->before);
  kt_cpuset_free (e->after);
  g_free (e);
}

static GPtrArray *
step_new (void)
{
  return g_ptr_array_new_with_free_func (edit_free);
}

static void
apply_edit (KtPlan     *self,
            const Edit *e,
            gboolean    forward)
{
  KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, e->vm);

  if (vm != NULL)
    kt_plan_priv_set_pin (vm, e->vcpu, forward ? e->after : e->before);
}

/* Checks that @vm is the snapshot's and has @vcpus */
static gboolean
check_vcpus (KtPlan       *self,
             KtVm         *vm,
             const guint  *vcpus,
             guint         n_vcpus,
             GError      **error)
{
  g_autoptr(KtTuning) t = NULL;

  if (kt_snapshot_lookup_vm (self->snapshot, kt_vm_get_name (vm)) != vm)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("VM “%s” is no longer there"), kt_vm_get_name (vm));
      return FALSE;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint i = 0; i < n_vcpus; i++)
    if (vcpus[i] >= t->vcpus)
      {
        g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                     _("VM “%s” has no vCPU %u (it has %u)"), kt_vm_get_name (vm), vcpus[i],
                     t->vcpus);
        return FALSE;
      }
  return TRUE;
}

/* One undo step: @vcpus[i] onto @sets[i].  Where each vCPU was before
 * the step comes from @t, read once: asking the edited domain again after
 * every pin would parse it again every time (quadratic in the vCPUs) */
static void
pin_step (KtPlan          *self,
          KtVm            *vm,
          KtTuning        *t,
          const guint     *vcpus,
          guint            n_vcpus,
          GPtrArray       *sets)
{
  g_autoptr(GPtrArray) step = step_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n_vcpus; i++)
    {
      Edit *e = g_new0 (Edit, 1);
      g_autofree char *key = kt_plan_priv_key_for (kt_vm_get_name (vm), vcpus[i]);
      Edit *earlier = g_hash_table_lookup (seen, GUINT_TO_POINTER (vcpus[i]));
      const KtCpuset *before = earlier ? earlier->after : kt_tuning_get_vcpupin (t, vcpus[i]);

      e->vm = g_strdup (kt_vm_get_name (vm));
      e->vcpu = vcpus[i];
      e->before = before ? kt_cpuset_copy (before) : NULL;
      g_hash_table_insert (seen, GUINT_TO_POINTER (vcpus[i]), e);
      e->after = kt_cpuset_copy (g_ptr_array_index (sets, i));
      if (!g_hash_table_contains (self->originals, key))
        g_hash_table_insert (self->originals, g_steal_pointer (&key),
                             e->before ? kt_cpuset_copy (e->before)
                                       : kt_plan_priv_unpinned_sentinel);
      apply_edit (self, e, TRUE);
      g_ptr_array_add (step, e);
    }

  g_ptr_array_add (self->undo, g_steal_pointer (&step));
  g_ptr_array_set_size (self->redo, 0);
  g_signal_emit (self, kt_plan_priv_signals[STEP_ADDED], 0, kt_vm_get_name (vm));
  kt_plan_priv_notify_all (self);
}

/**
 * kt_plan_pin:
 * @vcpus: (array length=n_vcpus): the vCPUs to move
 * @target: the pCPUs to put them on
 *
 * One vCPU gets the whole @target.  Several are spread one per pCPU of
 * @target in order, keeping each guest core's threads on one host core
 * where @target has whole cores.  One undo step either way.
 */
gboolean
kt_plan_pin (KtPlan          *self,
             KtVm            *vm,
             const guint     *vcpus,
             guint            n_vcpus,
             const KtCpuset  *target,
             GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  KtHost *host;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  host = kt_snapshot_get_host (self->snapshot);
  if (!check_vcpus (self, vm, NULL, 0, error))
    return FALSE;
  if (n_vcpus == 0)
    return TRUE;
  if (kt_cpuset_is_empty (target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU to pin to"));
      return FALSE;
    }
  if (!kt_host_check_cpuset (host, target, error))
    return FALSE;
  if (!check_vcpus (self, vm, vcpus, n_vcpus, error))
    return FALSE;

  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  if (n_vcpus == 1)
    {
      sets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
      g_ptr_array_add (sets, kt_cpuset_copy (target));
    }
  else
    sets = kt_plan_priv_spread (host, t, n_vcpus, target);

  pin_step (self, vm, t, vcpus, n_vcpus, sets);
  return TRUE;
}

/**
 * kt_plan_pin_each:
 * @vcpus: (array length=n_vcpus): the vCPUs to move
 * @targets: (element-type KtCpuset): one pin set per vCPU, as
 *   kt_plan_drop_targets() gives
 *
 * Pins @vcpus[i] to @targets[i], in one undo step.
 */
gboolean
kt_plan_pin_each (KtPlan          *self,
                  KtVm            *vm,
                  const guint     *vcpus,
                  guint            n_vcpus,
                  GPtrArray       *targets,
                  GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  KtHost *host;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, FALSE);
  g_return_val_if_fail (targets != NULL && targets->len == n_vcpus, FALSE);

  host = kt_snapshot_get_host (self->snapshot);
  if (!check_vcpus (self, vm, vcpus, n_vcpus, error))
    return FALSE;
  if (n_vcpus == 0)
    return TRUE;
  for (guint i = 0; i < n_vcpus; i++)
    {
      const KtCpuset *set = g_ptr_array_index (targets, i);

      if (kt_cpuset_is_empty (set))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU to pin to"));
          return FALSE;
        }
      if (!kt_host_check_cpuset (host, set, error))
        return FALSE;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  pin_step (self, vm, t, vcpus, n_vcpus, targets);
  return TRUE;
}

gboolean
kt_plan_can_undo (KtPlan *self)
{
  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  return self->undo->len > 0;
}

gboolean
kt_plan_can_redo (KtPlan *self)
{
  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  return self->redo->len > 0;
}

gboolean
kt_plan_undo (KtPlan *self)
{
  GPtrArray *step;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);

  if (self->undo->len == 0)
    return FALSE;
  step = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  for (guint i = step->len; i > 0; i--)
    apply_edit (self, g_ptr_array_index (step, i - 1), FALSE);
  g_ptr_array_add (self->redo, step);
  kt_plan_priv_notify_all (self);
  return TRUE;
}

gboolean
kt_plan_redo (KtPlan *self)
{
  GPtrArray *step;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);

  if (self->redo->len == 0)
    return FALSE;
  step = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  for (guint i = 0; i < step->len; i++)
    apply_edit (self, g_ptr_array_index (step, i), TRUE);
  g_ptr_array_add (self->undo, step);
  kt_plan_priv_notify_all (self);
  return TRUE;
}
