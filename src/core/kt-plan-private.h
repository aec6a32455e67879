/* kt-plan-private.h: what the kt-plan*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-plan.h"

G_BEGIN_DECLS

typedef struct
{
  char     *vm;
  guint     vcpu;
  KtCpuset *before;   /* NULL: was not pinned */
  KtCpuset *after;
} Edit;

struct _KtPlan
{
  GObject     parent_instance;

  KtSnapshot *snapshot;
  GPtrArray  *undo;       /* GPtrArray of Edit, one per step */
  GPtrArray  *redo;
  GHashTable *originals;  /* "vm\nvcpu" → KtCpuset * (or the sentinel) */
};

enum {
  CHANGED,
  VM_FORGOTTEN,
  STEP_ADDED,
  N_SIGNALS
};

extern guint kt_plan_priv_signals[N_SIGNALS];

/* Stands for "not pinned" in originals, which cannot hold NULL values
 * apart from absent keys */
extern KtCpuset *kt_plan_priv_unpinned_sentinel;

/* The key of @vm's @vcpu in originals (kt-plan.c) */
char      *kt_plan_priv_key_for      (const char     *vm,
                                      guint           vcpu);
/* A copy of @vcpu's pin in @vm's effective definition; NULL: unpinned */
KtCpuset  *kt_plan_priv_current_pin  (KtVm           *vm,
                                      guint           vcpu);
/* Sets the pin in every definition the VM has: what runs and what boots */
void       kt_plan_priv_set_pin      (KtVm           *vm,
                                      guint           vcpu,
                                      const KtCpuset *cpuset);
/* Notifies can-undo, can-redo and n-pending, then emits "changed" */
void       kt_plan_priv_notify_all   (KtPlan         *self);

/* One pCPU per vCPU of @target, in order (kt-plan-targets.c) */
GPtrArray *kt_plan_priv_spread       (KtHost         *host,
                                      const KtTuning *t,
                                      guint           n_vcpus,
                                      const KtCpuset *target);

G_END_DECLS
