/* kt-planner.h: proposes where a VM's vCPUs, emulator and memory should go
 *
 * The planner reads the host topology, the pins of the VMs it does not
 * place, the CPUs reserved for the host and a policy, and proposes a
 * vcpupin per vCPU, an emulatorpin and iothreadpins, numatune (with a
 * memnode per guest cell), guest NUMA cells when the VM must span nodes
 * and the huge pages it needs on each node.
 *
 * Hard constraints are never broken (a dedicated pCPU shared, a vCPU on a
 * reserved CPU, a node's memory or page pool overcommitted, an isolated
 * emulator on a vCPU's pCPU); when one cannot be met, the proposal is
 * infeasible and says why.  Among the rest it minimises
 *
 *   100 × (nodes spanned − fewest nodes that can hold the VM)
 *  + 50 × the fraction of its memory off its vCPUs' nodes
 *  + 20 × vCPUs whose host core also runs another VM
 *  + 10 × SMT mismatches
 *  +  5 × (L3 groups spanned − fewest possible)
 *  +  5 × guest cells spanning host nodes
 *  +  2 × (sockets spanned − fewest possible)
 *  +  1 × host cores left half used by it
 *
 * kt_planner_cost () recomputes that sum from a proposal's pins alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kt-edits.h"
#include "kt-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  KT_PLANNER_DEDICATED,    /* one pCPU per vCPU, never shared */
  KT_PLANNER_SHARED,       /* all vCPUs float over one set */
} KtPlannerCpuPolicy;

typedef enum
{
  KT_PLANNER_THREADS_PREFER,   /* siblings as the cost decides */
  KT_PLANNER_THREADS_ISOLATE,  /* one vCPU per host core, its siblings left idle */
  KT_PLANNER_THREADS_REQUIRE,  /* whole host cores only, every thread used */
} KtPlannerThreads;

typedef enum
{
  KT_PLANNER_EMULATOR_SHARE,   /* on the vCPUs' pCPUs */
  KT_PLANNER_EMULATOR_ISOLATE, /* on a pCPU of its own, on the VM's node */
} KtPlannerEmulator;

typedef struct
{
  KtPlannerCpuPolicy cpu;
  KtPlannerThreads   threads;
  KtPlannerEmulator  emulator;
  KtCpuset          *reserved;   /* housekeeping CPUs; NULL: none */
} KtPlannerPolicy;

/* What the VM needs */
typedef struct
{
  char    *name;
  guint    vcpus;
  guint    threads_per_core;     /* guest SMT; 1: none */
  guint64  memory_kib;
  guint64  hugepage_kib;         /* 0: ordinary memory; 1: the host's default huge size */
  GArray  *iothread_ids;         /* guint */
  guint    n_cells;              /* guest cells it has now; 0: none */
} KtPlannerRequest;

typedef struct
{
  double nodes;          /* 100 × extra nodes */
  double remote_memory;  /* 50 × fraction */
  double shared_cores;   /* 20 × vCPUs */
  double smt;            /* 10 × mismatches */
  double l3;             /* 5 × extra L3 groups */
  double cells;          /* 5 × guest cells spanning host nodes */
  double sockets;        /* 2 × extra sockets */
  double half_cores;     /* 1 × half-used cores */
} KtPlannerCostParts;

typedef struct
{
  guint     id;
  KtCpuset *vcpus;       /* NULL for a memory-only cell */
  guint64   memory_kib;
  KtCpuset *nodeset;     /* host nodes of its memnode */
} KtPlannerCell;

typedef struct
{
  int     node;
  guint64 size_kib;
  guint64 pages;
} KtPlannerPages;

typedef struct
{
  int     node;
  guint64 kib;
} KtPlannerNodeMemory;

typedef struct
{
  char              *domain;
  gboolean           feasible;
  char              *reason;         /* why not, when infeasible */
  GPtrArray         *vcpupin;        /* KtCpuset, one per vCPU */
  KtCpuset          *emulatorpin;
  GArray            *iothreadpin;    /* KtPin */
  char              *numa_mode;
  KtCpuset          *nodeset;
  GArray            *cells;          /* KtPlannerCell; empty: no guest NUMA */
  GArray            *memory;         /* KtPlannerNodeMemory: where the memory lands */
  GArray            *hugepages;      /* KtPlannerPages */
  guint              threads_per_core;
  guint64            hugepage_kib;
  /* The baselines of the relative terms, as the planner found them */
  guint              fewest_nodes;
  guint              fewest_l3;
  guint              fewest_sockets;
  double             cost;
  KtPlannerCostParts parts;
  double             lower_bound;
  GPtrArray         *explanation;    /* char *, plain sentences */
} KtProposal;

#define KT_TYPE_PLANNER (kt_planner_get_type ())

G_DECLARE_FINAL_TYPE (KtPlanner, kt_planner, KT, PLANNER, GObject)

/* Requests and policies (kt-planner-inputs.c) */
KtPlannerRequest *kt_planner_request_new        (const char          *name,
                                                 guint                vcpus,
                                                 guint64              memory_kib);
KtPlannerRequest *kt_planner_request_new_for_vm (KtVm                *vm);
void              kt_planner_request_free       (KtPlannerRequest    *request);
gboolean          kt_planner_policy_parse       (KtPlannerPolicy     *policy,
                                                 const char          *cpu,
                                                 const char          *threads,
                                                 const char          *emulator,
                                                 const char          *reserve,
                                                 KtHost              *host,
                                                 GError             **error);
void              kt_planner_policy_clear       (KtPlannerPolicy     *policy);

/* The planner: @snapshot's VMs other than the ones being placed keep
 * their pins and take their CPUs, memory and pages */
KtPlanner        *kt_planner_new                (KtSnapshot          *snapshot,
                                                 const KtPlannerPolicy *policy);
KtProposal       *kt_planner_plan               (KtPlanner           *self,
                                                 const KtPlannerRequest *request);
/* Places every request together, as if none of them had pins yet;
 * deterministic, never costlier than placing them one by one in order */
GPtrArray        *kt_planner_plan_all           (KtPlanner           *self,
                                                 GPtrArray           *requests,
                                                 double              *total_cost);

/* Costs and output (kt-planner-cost.c) */
double            kt_planner_cost               (KtPlanner           *self,
                                                 const KtProposal    *proposal,
                                                 KtPlannerCostParts  *parts);
void              kt_proposal_free              (KtProposal          *proposal);
JsonNode         *kt_proposal_to_json           (const KtProposal    *proposal);
/* Writes the proposal into @domain's definition (pins, numatune,
 * memnodes, huge pages); fails when it needs guest cells @domain lacks */
gboolean          kt_proposal_edit_domain       (const KtProposal    *proposal,
                                                 KtDomain            *domain,
                                                 GError             **error);
/* The same as session input: everything but the vCPU pins (which are
 * proposal->vcpupin) as KtEdits, memnodes with the planner's mode, made
 * for @domain (a definition of the VM); NULL with what
 * kt_proposal_edit_domain () refuses */
KtEdits          *kt_proposal_to_edits          (const KtProposal    *proposal,
                                                 KtDomain            *domain,
                                                 GError             **error);

/* Whether the proposal's huge pages are to be written into a definition
 * of tuning @t (not when it has that size already) */
gboolean          kt_proposal_needs_hugepages   (const KtProposal    *proposal,
                                                 const KtTuning      *t);

/* The mode of every memnode the planner writes */
#define KT_PLANNER_MEMNODE_MODE "strict"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtPlannerRequest, kt_planner_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtProposal, kt_proposal_free)

G_END_DECLS
