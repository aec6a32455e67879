/* kt-analysis.h: what is wrong with the placement of the VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-placement.h"

G_BEGIN_DECLS

typedef enum
{
  KT_ISSUE_SHARED_PCPU,       /* a pCPU that pinned threads of two VMs share */
  KT_ISSUE_SPANS_NODES,       /* a VM's vCPUs pinned on more than one node */
  KT_ISSUE_REMOTE_MEMORY,     /* vCPUs on a node outside the memory nodeset */
  KT_ISSUE_SMT_SPLIT,         /* a guest core's threads on different host cores */
  KT_ISSUE_EMULATOR_ON_VCPU,  /* emulator pinned onto the VM's own vCPU pCPUs */
} KtIssueKind;

typedef struct
{
  KtIssueKind  kind;
  KtVm        *vm;        /* owned reference */
  KtVm        *other;     /* the other VM, for shared pCPUs; owned, nullable */
  KtCpuset    *cpus;      /* the pCPUs concerned */
  int          vcpu;      /* the vCPU concerned, or -1 */
  char        *message;   /* one translated sentence */
} KtIssue;

GPtrArray *kt_analyze            (KtSnapshot  *snapshot);
KtCpuset  *kt_analysis_shared_cpus (GPtrArray *issues);

G_END_DECLS
