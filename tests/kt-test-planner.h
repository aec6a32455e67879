/* kt-test-planner.h: the planner's tests' own view of a host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-planner.h"

G_BEGIN_DECLS

typedef struct
{
  KtSnapshot *snapshot;
  KtHost     *host;
  GHashTable *used;        /* cpu id + 1 → other VMs' pinned threads there */
  GHashTable *dedicated;   /* cpu id + 1: pinned 1:1 to another VM's vCPU */
} World;

typedef struct
{
  GPtrArray *pins;       /* KtCpuset per vCPU (borrowed) */
  GArray    *memory;     /* KtPlannerNodeMemory */
  GArray    *cells;      /* KtPlannerCell */
  guint      T;
  guint      fewest_nodes, fewest_l3, fewest_sockets;
} Layout;

typedef struct
{
  const char       *label;
  guint             vcpus;
  guint             T;
  guint64           memory_kib;
  guint64           huge;
  KtPlannerCpuPolicy cpu;
  KtPlannerThreads  threads;
  KtPlannerEmulator emulator;
  gboolean          reserve_two;
} Case;

/* @busy: one other VM pinned 1:1 to the first quarter of the online CPUs,
 * one floating over the next two */
void              tp_world_init      (World            *w,
                                      const char       *caps_path,
                                      gboolean          busy);
void              tp_world_clear     (World            *w);
KtVm             *tp_make_vm         (const char       *name,
                                      const char       *cputune,
                                      const char       *vcpu_attrs,
                                      guint             vcpus);
gboolean          tp_is_used         (World            *w,
                                      int               cpu);
gboolean          tp_core_runs_other (World            *w,
                                      const KtHostCpu  *cpu);
const KtHostCore *tp_core_of         (World            *w,
                                      int               cpu);
guint64           tp_node_room       (World            *w,
                                      int               node,
                                      guint64           huge);
gboolean          tp_usable          (World            *w,
                                      const KtCpuset   *reserved,
                                      int               cpu,
                                      gboolean          dedicated);
double            tp_recompute       (World            *w,
                                      const Layout     *l,
                                      KtPlannerCostParts *t);
gboolean          tp_greedy_pack     (World            *w,
                                      const Case       *c,
                                      const KtCpuset   *reserved,
                                      GPtrArray        *pins,
                                      GArray           *memory,
                                      GArray           *cells);
void              tp_free_cells      (GArray           *cells);
guint64           tp_pool_size       (KtHost           *host);

G_END_DECLS
