/* kt-map-overlay.h: the VMs drawn over the host map
 *
 * Pure (no GTK, no drawing): which VM threads sit on which pCPU, which
 * float over a set, what is pending and what conflicts, and where each
 * chip goes inside its pCPU's box.  Rebuilt when the snapshot or the plan
 * changes; the painter only reads it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-analysis.h"
#include "kt-map-layout.h"
#include "kt-observed.h"
#include "kt-plan.h"

G_BEGIN_DECLS

typedef struct
{
  KtVm         *vm;         /* borrowed from the snapshot */
  guint         vm_index;   /* position in the snapshot's VM list: picks the colour */
  KtThreadKind  kind;
  guint         index;      /* vCPU number or iothread id */
  int           cpu;        /* the pCPU this chip is drawn on */
  KtCpuset     *allowed;    /* the thread's whole pin set */
  gboolean      pending;    /* changed in the plan, not yet applied */
  KtMapRect     rect;       /* inside the pCPU's box, in map units */
} KtMapChip;

typedef struct
{
  KtVm         *vm;
  guint         vm_index;
  KtThreadKind  kind;
  guint         index;
  KtCpuset     *allowed;    /* floats over this set (a <vcpu cpuset> or the host) */
} KtMapSpan;   /* only vCPUs: unpinned emulator and I/O threads are not drawn */

/* Where a running VM's vCPU ran last (kt_observed_query()): a dot in the
 * bottom right corner of that pCPU's box */
typedef struct
{
  KtVm         *vm;         /* borrowed from the snapshot */
  guint         vm_index;
  guint         vcpu;
  int           cpu;
  KtMapRect     rect;       /* the dot's bounds, in map units */
} KtMapObserved;

/* The huge page pools the node headers show, over the topology's own
 * counts (which are those of its capture) */
typedef struct
{
  const GArray *current;   /* KtHugePool (kt-host-tuning.h): read since; nullable */
  GHashTable   *pending;   /* host target keys "hugepages.NODE.SIZE_KIB" → pages; nullable */
} KtMapPools;

typedef struct _KtMapOverlay KtMapOverlay;

KtMapOverlay     *kt_map_overlay_new            (KtSnapshot          *snapshot,
                                                 KtPlan              *plan,
                                                 const KtMapLayout   *layout);
void              kt_map_overlay_free           (KtMapOverlay        *self);
KtSnapshot       *kt_map_overlay_get_snapshot   (const KtMapOverlay  *self);
/* Every chip, grouped by pCPU in CPU order */
const GPtrArray  *kt_map_overlay_get_chips      (const KtMapOverlay  *self);
/* The chips on @cpu (KtMapChip *, borrowed); empty when none */
GPtrArray        *kt_map_overlay_chips_on       (const KtMapOverlay  *self,
                                                 int                  cpu);
const GPtrArray  *kt_map_overlay_get_spans      (const KtMapOverlay  *self);
const GPtrArray  *kt_map_overlay_get_issues     (const KtMapOverlay  *self);
gboolean          kt_map_overlay_cpu_is_shared  (const KtMapOverlay  *self,
                                                 int                  cpu);
/* Issues of @vm (KtIssue *, borrowed) */
GPtrArray        *kt_map_overlay_issues_of      (const KtMapOverlay  *self,
                                                 KtVm                *vm);
const KtMapChip  *kt_map_overlay_hit_chip       (const KtMapOverlay  *self,
                                                 double               x,
                                                 double               y);
guint             kt_map_overlay_get_n_vms      (const KtMapOverlay  *self);
guint             kt_map_overlay_vm_index       (const KtMapOverlay  *self,
                                                 KtVm                *vm);
/* @observed: VM name → GArray of KtObservedVcpu (kt_observed_query_all());
 * NULL clears.  Only running VMs of the snapshot get dots. */
void              kt_map_overlay_set_observed   (KtMapOverlay        *self,
                                                 GHashTable          *observed);
const GPtrArray  *kt_map_overlay_get_observed   (const KtMapOverlay  *self);
/* The observed vCPUs on @cpu (KtMapObserved *, borrowed) */
GPtrArray        *kt_map_overlay_observed_on    (const KtMapOverlay  *self,
                                                 int                  cpu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtMapOverlay, kt_map_overlay_free)

G_END_DECLS
