/* kt-session-edits.c: what the window's widgets change through a session
 * besides kt_session_pin () and kt_session_set_edits ()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-session-private.h"

/**
 * kt_session_pin_each:
 * @targets: (element-type KtCpuset): one set per vCPU of @vcpus
 *
 * kt_plan_pin_each () (a drop of several vCPUs on one PU, spread one per
 * pCPU), as one undo step of the session.
 */
gboolean
kt_session_pin_each (KtSession       *self,
                     KtVm            *vm,
                     const guint     *vcpus,
                     guint            n_vcpus,
                     GPtrArray       *targets,
                     GError         **error)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);
  g_return_val_if_fail (targets != NULL, FALSE);

  /* The step comes in through "step-added", as for kt_session_pin () */
  return kt_plan_pin_each (self->plan, vm, vcpus, n_vcpus, targets, error);
}

/**
 * kt_session_dup_edits:
 *
 * Returns: (transfer full): a copy of the VM's pending edits (empty when
 * none), to change and give back with kt_session_set_edits ()
 */
KtEdits *
kt_session_dup_edits (KtSession  *self,
                      const char *name)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return kt_edits_copy (g_hash_table_lookup (self->edits, name));
}
