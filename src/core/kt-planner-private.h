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

/* The search (kt-planner-search.c and the files it is split into) */

#define MAX_THREADS 16

typedef struct
{
  guint    o;                    /* online threads */
  guint    n_usable;
  guint    usable[MAX_THREADS];  /* CPU indices */
  gboolean dirty;
  gboolean whole;                /* every online thread usable */
} CoreInfo;

typedef struct
{
  KtPlanner              *self;
  const KtPlannerRequest *req;
  guint                   n;
  guint                   T;
  guint64                 mem;
  guint64                 huge;
  gboolean                dedicated;
  KtPlannerThreads        threads;
  CoreInfo               *info;          /* by core */
  guint                  *node_cap;      /* CPU capacity by node */
  guint                   fewest_nodes;
  guint                   fewest_l3;
  guint                   fewest_sockets;
  KtProposal             *best;
  double                  bound;         /* the lower bound: no need to look further */
  char                   *why;           /* the last candidate's failure */
  int                     emulator_cpu;  /* set by the caller of consider (); -1 */
} Search;

typedef struct
{
  guint  *nodes;      /* node indices, in region order */
  guint   k;
  int    *pos;        /* by node: its place in the region, -1 */
  gboolean *l3_ok;    /* by L3 group; NULL: all */
} Region;

/* kt-planner-search.c */
void      kt_planner_fail             (Search         *s,
                                       char           *why);
void      kt_planner_prepare_cores    (Search         *s);
guint     kt_planner_core_capacity    (Search         *s,
                                       guint           core);
guint     kt_planner_fewest_groups    (Search         *s,
                                       gboolean        by_socket);
guint64   kt_planner_node_memory_cap  (Search         *s,
                                       guint           node);
guint     kt_planner_fewest_nodes     (Search         *s);
void      kt_planner_search_regions   (Search         *s);
double    kt_planner_lower_bound      (Search         *s);

/* kt-planner-cores.c */
GArray   *kt_planner_region_cores     (Search         *s,
                                       const Region   *r);
int       kt_planner_marginal         (const CoreInfo *ci,
                                       guint           j);
gboolean  kt_planner_greedy_singles   (Search         *s,
                                       GArray         *order,
                                       guint          *taken,
                                       guint           count,
                                       GArray         *picks,
                                       int            *sum);
GArray   *kt_planner_choose_dedicated (Search         *s,
                                       GArray         *order,
                                       gboolean        packed);
KtCpuset *kt_planner_choose_shared    (Search         *s,
                                       GArray         *order);

/* kt-planner-propose.c */
guint     kt_planner_distance         (Search         *s,
                                       guint           from,
                                       guint           to);
void      kt_planner_consider         (Search         *s,
                                       GPtrArray      *pins);
void      kt_planner_evaluate         (Search         *s,
                                       const Region   *r);

G_END_DECLS
