/* kt-plan-rebase.c: a plan's edits of one VM, forgotten or carried over
 *
 * kt_plan_forget_vm () takes a VM out of the plan (its originals, and its
 * edits from every undo and redo step) once what it has is what was
 * planned.  kt_plan_rebase_vm () carries the plan over to a VM's fresh
 * definitions: the planned pins go back in when nobody else changed the
 * vCPUs the plan moved, and the VM is forgotten when someone did.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-plan-private.h"

/* Takes @name's edits out of every step of @steps; steps left empty go */
static void
forget_in_steps (GPtrArray  *steps,
                 const char *name)
{
  for (guint i = steps->len; i > 0; i--)
    {
      GPtrArray *step = g_ptr_array_index (steps, i - 1);

      for (guint j = step->len; j > 0; j--)
        {
          const Edit *e = g_ptr_array_index (step, j - 1);

          if (g_str_equal (e->vm, name))
            g_ptr_array_remove_index (step, j - 1);
        }
      if (step->len == 0)
        g_ptr_array_remove_index (steps, i - 1);
    }
}

/**
 * kt_plan_forget_vm:
 * @name: the VM's name
 *
 * What is planned for @name now is what it has: its pins stop being
 * pending, and undo and redo no longer touch it.  The definitions in the
 * snapshot are left as they are.  Emits "changed" when something was
 * forgotten.
 */
void
kt_plan_forget_vm (KtPlan     *self,
                   const char *name)
{
  g_autofree char *prefix = NULL;
  GHashTableIter iter;
  gpointer key;
  guint before;

  g_return_if_fail (KT_IS_PLAN (self));
  g_return_if_fail (name != NULL);

  before = g_hash_table_size (self->originals) + self->undo->len + self->redo->len;
  prefix = g_strconcat (name, "\n", NULL);
  g_hash_table_iter_init (&iter, self->originals);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
  forget_in_steps (self->undo, name);
  forget_in_steps (self->redo, name);

  if (g_hash_table_size (self->originals) + self->undo->len + self->redo->len != before)
    {
      g_signal_emit (self, kt_plan_priv_signals[VM_FORGOTTEN], 0, name);
      kt_plan_priv_notify_all (self);
    }
}

/* Rebasing on a VM read again -------------------------------------------- */

static gboolean
cpuset_same (const KtCpuset *a,
             const KtCpuset *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return kt_cpuset_equal (a, b);
}

/**
 * kt_plan_rebase_vm:
 * @name: a VM whose definitions were just replaced by fresh ones read from
 *   its source (kt_connection_refresh_vm()), or that is gone
 *
 * Carries the plan over to the fresh definitions.  When every vCPU the
 * plan moved still has, in them, the pin the plan started from (or the one
 * it plans), the planned pins go back in and stay pending.  When one was
 * changed by someone else, or the VM is gone, the plan forgets that VM
 * (kt_plan_forget_vm()): the fresh definitions stay as they are.  Other
 * VMs' edits are kept either way.
 *
 * Emits #KtPlan::changed only when edits were forgotten.
 *
 * Returns: whether pending edits were dropped
 */
gboolean
kt_plan_rebase_vm (KtPlan     *self,
                   const char *name)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GHashTable) planned = NULL;   /* vcpu → KtCpuset * (borrowed; NULL: unpinned) */
  g_autoptr(GArray) vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer key, value;
  gboolean had_pending = FALSE, conflict = FALSE;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  prefix = g_strconcat (name, "\n", NULL);
  planned = g_hash_table_new (NULL, NULL);

  /* The vCPUs the plan moved, with what it started from... */
  g_hash_table_iter_init (&iter, self->originals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix))
      {
        guint vcpu = (guint) g_ascii_strtoull ((const char *) key + strlen (prefix), NULL, 10);

        g_array_append_val (vcpus, vcpu);
        g_hash_table_insert (planned, GUINT_TO_POINTER (vcpu),
                             value == kt_plan_priv_unpinned_sentinel ? NULL : value);
      }
  if (vcpus->len == 0)
    return FALSE;

  /* ... and where the steps done so far put them */
  for (guint s = 0; s < self->undo->len; s++)
    {
      GPtrArray *step = g_ptr_array_index (self->undo, s);

      for (guint i = 0; i < step->len; i++)
        {
          const Edit *e = g_ptr_array_index (step, i);

          if (g_str_equal (e->vm, name))
            g_hash_table_insert (planned, GUINT_TO_POINTER (e->vcpu), e->after);
        }
    }

  vm = kt_snapshot_lookup_vm (self->snapshot, name);
  for (guint i = 0; i < vcpus->len; i++)
    {
      guint vcpu = g_array_index (vcpus, guint, i);
      g_autofree char *k = kt_plan_priv_key_for (name, vcpu);
      KtCpuset *orig = g_hash_table_lookup (self->originals, k);
      const KtCpuset *want = g_hash_table_lookup (planned, GUINT_TO_POINTER (vcpu));
      g_autoptr(KtCpuset) now = vm != NULL ? kt_plan_priv_current_pin (vm, vcpu) : NULL;

      if (orig == kt_plan_priv_unpinned_sentinel)
        orig = NULL;
      if (!cpuset_same (want, orig))
        had_pending = TRUE;
      if (vm == NULL || (!cpuset_same (now, orig) && !cpuset_same (now, want)))
        conflict = TRUE;
    }

  if (!conflict)
    {
      /* Read once: the vCPUs are distinct, and each kt_plan_priv_set_pin ()
       * would make the next read parse the edited domain again */
      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

      for (guint i = 0; i < vcpus->len; i++)
        {
          guint vcpu = g_array_index (vcpus, guint, i);
          const KtCpuset *want = g_hash_table_lookup (planned, GUINT_TO_POINTER (vcpu));

          if (!cpuset_same (kt_tuning_get_vcpupin (t, vcpu), want))
            kt_plan_priv_set_pin (vm, vcpu, want);
        }
      return FALSE;
    }

  kt_plan_forget_vm (self, name);
  return had_pending;
}
