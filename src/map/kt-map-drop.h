/* kt-map-drop.h: what a drop on a box of the map means
 *
 * A drop of vCPU chips on a PU, a core, an L3 group, a die, a socket or a
 * NUMA node pins them to that box's online pCPUs (the plan spreads them);
 * several vCPUs dropped on one PU go one per free pCPU nearby
 * (kt_plan_drop_targets ()).  Pure: the canvas asks while the pointer
 * moves and again on release; tests ask without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-map-layout.h"
#include "kt-plan.h"

G_BEGIN_DECLS

/* The pCPUs a drop on @box pins to, or NULL and why not */
KtCpuset        *kt_map_box_get_target_cpus  (const KtMapBox  *box,
                                              KtHost          *host,
                                              GError         **error);

typedef struct _KtMapDrop KtMapDrop;

/* @vcpus of @vm dropped on @box of the map of @plan's host */
KtMapDrop       *kt_map_drop_new             (KtPlan          *plan,
                                              KtVm            *vm,
                                              const guint     *vcpus,
                                              guint            n_vcpus,
                                              const KtMapBox  *box);
void             kt_map_drop_free            (KtMapDrop       *self);
gboolean         kt_map_drop_is_allowed      (const KtMapDrop *self);
/* Why not, one translated sentence; NULL when allowed */
const char      *kt_map_drop_get_message     (const KtMapDrop *self);
/* The box's pCPUs; NULL when refused */
const KtCpuset  *kt_map_drop_get_cpus        (const KtMapDrop *self);
/* Where each vCPU goes (KtCpuset, one per vCPU) when several are dropped
 * on one PU, and their union; else NULL */
GPtrArray       *kt_map_drop_get_spread      (const KtMapDrop *self);
const KtCpuset  *kt_map_drop_get_spread_cpus (const KtMapDrop *self);
/* Makes the drop: one kt_plan_pin_each () or kt_plan_pin () step */
gboolean         kt_map_drop_pin             (KtMapDrop       *self,
                                              GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtMapDrop, kt_map_drop_free)

G_END_DECLS
