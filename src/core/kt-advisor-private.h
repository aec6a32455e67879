/* kt-advisor-private.h: what the advisor's rules share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-advisor.h"
#include "kt-placement.h"

G_BEGIN_DECLS

/* One VM, read once */
typedef struct
{
  KtVm       *vm;
  const char *name;
  guint       pos;
  KtTuning   *t;
  gboolean    active;
  GPtrArray  *threads;        /* KtPlacement, borrowed from the context's list */
  KtCpuset   *vcpu_pinned;    /* the pCPUs its own vcpupins name */
  KtCpuset   *vcpu_allowed;   /* where its vCPUs may run, pinned or not */
  KtCpuset   *dedicated;      /* pCPUs one of its vCPUs is pinned to alone */
  KtCpuset   *pinned;         /* everything its own pins name (vCPUs, emulator, iothreads) */
  KtCpuset   *vcpu_nodes;     /* host nodes of vcpu_pinned */
  guint       n_pinned;       /* vCPUs with a pin of their own */
  guint       n_vcpus;        /* vCPUs with a thread (placements) */
} KtAdvVm;

typedef struct
{
  KtSnapshot         *snapshot;
  KtHost             *host;
  const KtHostTuning *ht;      /* NULL: not captured */
  KtCpuset           *reserved;
  GPtrArray          *placements;
  GPtrArray          *vms;     /* KtAdvVm */
  KtCpuset           *all_pinned;     /* every pCPU some thread's own pin names */
  KtCpuset           *all_dedicated;  /* every pCPU some vCPU is pinned to alone */
  GPtrArray          *findings;
} KtAdvisorContext;

KtFinding *kt_advisor_add        (KtAdvisorContext *ctx,
                                  const char       *rule,
                                  KtSeverity        severity,
                                  const char       *vm,
                                  char             *title,
                                  char             *explanation);
void       kt_finding_add_vm     (KtFinding        *finding,
                                  const char       *vm);
void       kt_finding_add_key    (KtFinding        *finding,
                                  const char       *key);
/* An info finding: @what (a host value) could not be read */
KtFinding *kt_advisor_unknown    (KtAdvisorContext *ctx,
                                  const char       *rule,
                                  const char       *key,
                                  const char       *why);

/* Online pCPUs of @within no thread pins, outside the reserved set */
KtCpuset  *kt_advisor_free_cpus  (KtAdvisorContext *ctx,
                                  const KtCpuset   *within);
/* @n pCPUs of @from, whole cores first, in core order; NULL when too few */
KtCpuset  *kt_advisor_pick_cpus  (KtAdvisorContext *ctx,
                                  const KtCpuset   *from,
                                  guint             n);
/* The VM's memory in KiB, as the guest sees it at most */
guint64    kt_adv_vm_memory      (const KtAdvVm    *v);
/* Its memory nodes: the numatune nodeset, or NULL */
const KtCpuset *kt_adv_vm_mem_nodes (const KtAdvVm *v);
/* A VM that reserves what it runs on: hugepages, locked, or 1:1 vCPUs */
gboolean   kt_adv_vm_is_dedicated (const KtAdvVm   *v);
char      *kt_adv_format_kib     (guint64           kib);
/* The memory mode to bind @v to @nodes with: strict, unless the VM is
 * off and @nodes (one node) has less free memory than it needs */
const char *kt_adv_numa_mode_for (KtAdvisorContext *ctx,
                                  const KtAdvVm    *v,
                                  const KtCpuset   *nodes);
/* The sum of the nodes' free memory; -1 when one is unknown */
gint64     kt_adv_free_kib       (KtAdvisorContext *ctx,
                                  const KtCpuset   *nodes);
/* Where a VM's helper threads (emulator, iothreads) should go: the
 * reserved CPUs of its nodes, else a free core there, else the node's
 * pCPUs nobody has to themselves; NULL when there is none */
KtCpuset  *kt_adv_helper_target  (KtAdvisorContext *ctx,
                                  const KtAdvVm    *v);
KtAdvVm   *kt_adv_lookup_vm      (KtAdvisorContext *ctx,
                                  const char       *name);

void kt_advisor_rules_cpu    (KtAdvisorContext *ctx,
                              KtAdvVm          *v);
void kt_advisor_rules_device (KtAdvisorContext *ctx,
                              KtAdvVm          *v);
void kt_advisor_rules_shared (KtAdvisorContext *ctx);
void kt_advisor_rules_memory (KtAdvisorContext *ctx,
                              KtAdvVm          *v);
void kt_advisor_rules_node   (KtAdvisorContext *ctx);
void kt_advisor_rules_host   (KtAdvisorContext *ctx);

G_END_DECLS
