/* kt-placement.h: where each VM thread may run on the host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  KT_THREAD_VCPU,
  KT_THREAD_EMULATOR,
  KT_THREAD_IOTHREAD,
} KtThreadKind;

typedef struct
{
  KtVm         *vm;        /* owned reference */
  KtThreadKind  kind;
  guint         index;     /* vCPU number or iothread id; 0 for the emulator */
  KtCpuset     *allowed;   /* the pCPUs it may run on */
  gboolean      pinned;    /* its own pin; otherwise it floats over <vcpu cpuset> or the host */
  KtPinSource   source;    /* why it runs there */
} KtPlacement;

GPtrArray *kt_placement_list        (KtSnapshot         *snapshot);
GPtrArray *kt_placement_list_vm     (KtSnapshot         *snapshot,
                                     KtVm               *vm);
char      *kt_placement_describe    (const KtPlacement  *placement);

G_END_DECLS
