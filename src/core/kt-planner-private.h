/* kt-planner-private.h: the planner's view of the host's occupancy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-planner.h"

G_BEGIN_DECLS

#define KT_PLANNER_UNLIMITED (G_MAXUINT64 / 4)

/* One host CPU, as the planner sees it */
typedef struct
{
  int      id;
  guint    core;           /* into KtPlanner.cores */
  guint    node;           /* into KtPlanner.nodes */
  int      l3;             /* -1: none */
  int      socket;         /* -1: unknown */
  gboolean online;
  gboolean reserved;       /* housekeeping */
  gboolean dedicated;      /* pinned 1:1 to one vCPU of another VM */
  guint    users;          /* other VMs' threads pinned here */
} KtPlanCpu;

typedef struct
{
  guint  node;
  int    l3;
  int    socket;
  guint  n_online;
  GArray *cpus;            /* guint, into KtPlanner.cpus */
} KtPlanCore;

typedef struct
{
  int      id;
  guint64  memory_kib;     /* what it can still take; KT_PLANNER_UNLIMITED: unknown */
  gboolean memory_known;
  GArray  *pages;          /* KtPlannerPages (node unused): free pages by size */
  GArray  *cores;          /* guint, into KtPlanner.cores */
  guint    n_cpus;         /* online CPUs */
} KtPlanNode;

struct _KtPlanner
{
  GObject          parent_instance;

  KtSnapshot      *snapshot;
  KtHost          *host;
  KtPlannerPolicy  policy;
  GArray          *cpus;       /* KtPlanCpu */
  GArray          *cores;      /* KtPlanCore */
  GArray          *nodes;      /* KtPlanNode */
  GHashTable      *cpu_index;  /* cpu id → index + 1 */
  GHashTable      *excluded;   /* VM names whose pins are not counted */
};

/* kt-planner-inputs.c */
void        kt_planner_build_state    (KtPlanner              *self);
gboolean    kt_planner_cpu_usable     (KtPlanner              *self,
                                       const KtPlanCpu        *cpu,
                                       gboolean                dedicated);
gboolean    kt_planner_core_dirty     (KtPlanner              *self,
                                       const KtPlanCore       *core);
guint64     kt_planner_node_capacity  (KtPlanner              *self,
                                       guint                   node,
                                       guint64                 hugepage_kib);
int         kt_planner_node_index     (KtPlanner              *self,
                                       int                     id);
KtPlanCpu  *kt_planner_lookup_cpu     (KtPlanner              *self,
                                       int                     id);
void        kt_planner_commit         (KtPlanner              *self,
                                       const KtProposal       *proposal);

/* kt-planner-cost.c */
void        kt_planner_explain        (KtPlanner              *self,
                                       const KtPlannerRequest *request,
                                       KtProposal             *proposal);
KtProposal *kt_proposal_new           (const KtPlannerRequest *request);

G_END_DECLS
