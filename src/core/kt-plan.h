/* kt-plan.h: pending pin changes, with undo and redo
 *
 * A drop on the map changes the plan, not the VM.  The plan edits the
 * VMs' domain definitions held by the snapshot (live and inactive alike)
 * and remembers every step, so it can be undone, redone, shown as
 * pending, and later applied through libvirt or saved into a snapshot.
 *
 * Signals: "changed" after every pin, undo and redo; "step-added"
 * (name) after a pin's step, "vm-forgotten" (name) when
 * kt_plan_forget_vm () took a VM's steps out.  Properties:
 * "snapshot", "can-undo", "can-redo", "n-pending".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-snapshot.h"

G_BEGIN_DECLS

#define KT_TYPE_PLAN (kt_plan_get_type ())

G_DECLARE_FINAL_TYPE (KtPlan, kt_plan, KT, PLAN, GObject)

KtPlan     *kt_plan_new            (KtSnapshot      *snapshot);
KtSnapshot *kt_plan_get_snapshot   (KtPlan          *self);
gboolean    kt_plan_pin            (KtPlan          *self,
                                    KtVm            *vm,
                                    const guint     *vcpus,
                                    guint            n_vcpus,
                                    const KtCpuset  *target,
                                    GError         **error);
gboolean    kt_plan_pin_each       (KtPlan          *self,
                                    KtVm            *vm,
                                    const guint     *vcpus,
                                    guint            n_vcpus,
                                    GPtrArray       *targets,
                                    GError         **error);
/* Where a drop of @vcpus on the pCPU @cpu puts each (see kt-plan-targets.c) */
GPtrArray  *kt_plan_drop_targets   (KtPlan          *self,
                                    KtVm            *vm,
                                    const guint     *vcpus,
                                    guint            n_vcpus,
                                    int              cpu,
                                    GError         **error);
gboolean    kt_plan_can_undo       (KtPlan          *self);
gboolean    kt_plan_can_redo       (KtPlan          *self);
gboolean    kt_plan_undo           (KtPlan          *self);
gboolean    kt_plan_redo           (KtPlan          *self);
guint       kt_plan_get_n_pending  (KtPlan          *self);
gboolean    kt_plan_is_pending     (KtPlan          *self,
                                    KtVm            *vm,
                                    guint            vcpu);
const KtCpuset *kt_plan_get_original (KtPlan        *self,
                                    KtVm            *vm,
                                    guint            vcpu);
gboolean    kt_plan_rebase_vm      (KtPlan          *self,
                                    const char      *name);
/* After the VM's pins were applied (or reloaded): drops its pending state
 * and its steps from the undo and redo history; the definitions stay */
void        kt_plan_forget_vm      (KtPlan          *self,
                                    const char      *name);

G_END_DECLS
