/* kt-fix.h: a proposed tuning change, as data
 *
 * A fix is what the advisor (kt-advisor.h) proposes for a finding: a list
 * of steps in the project's own terms, each either an edit of a domain
 * definition (the setters of kt-domain.h; vCPU pins through the plan,
 * kt-plan.h) or a host setting (a key of kt-host-tuning.h with its value,
 * e.g. "ksm.merge_across_nodes" = "0").  Nothing is changed until the
 * caller asks: kt_fix_apply_to_plan() puts the steps into the pending
 * state, kt_fix_edit_domain() makes the domain steps on one definition
 * (as kvmtune-cli's tuning verbs do, before their apply).
 *
 * A fix without steps is a manual one: its summary says what to do by
 * hand, because no automatic change is safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kt-host-tuning.h"
#include "kt-plan.h"

G_BEGIN_DECLS

typedef enum
{
  KT_FIX_VCPUPIN,        /* index: vCPU; cpuset: pCPUs */
  KT_FIX_EMULATORPIN,    /* cpuset */
  KT_FIX_IOTHREADPIN,    /* index: iothread id; cpuset */
  KT_FIX_NUMATUNE,       /* mode (nullable: kept); cpuset: host nodes */
  KT_FIX_MEMNODE,        /* index: guest cell; mode; cpuset: host nodes */
  KT_FIX_HUGEPAGES,      /* number: page size in KiB; cpuset: guest cells or NULL */
  KT_FIX_NOSHAREPAGES,   /* number: 1 on, 0 off */
  KT_FIX_HARD_LIMIT,     /* number: KiB */
  KT_FIX_CPU_MODE,       /* mode; model (nullable) */
  KT_FIX_CPU_TOPOLOGY,   /* topology[4]: sockets, dies, cores, threads */
  KT_FIX_HOST,           /* key, value: a host-tuning setting */
} KtFixKind;

typedef struct
{
  KtFixKind  kind;
  char      *vm;         /* the domain edited; NULL for KT_FIX_HOST */
  guint      index;
  KtCpuset  *cpuset;
  char      *mode;
  char      *model;
  gint64     number;
  guint      topology[4];
  char      *key;
  char      *value;
} KtFixStep;

typedef struct
{
  char      *summary;    /* one sentence: what the fix does, or what to do by hand */
  GPtrArray *steps;      /* KtFixStep; empty for a manual fix */
} KtFix;

KtFix     *kt_fix_new               (const char        *summary);
void       kt_fix_free              (KtFix             *fix);
KtFix     *kt_fix_copy              (const KtFix       *fix);
gboolean   kt_fix_is_automatic      (const KtFix       *fix);
gboolean   kt_fix_has_host_steps    (const KtFix       *fix);
gboolean   kt_fix_has_domain_steps  (const KtFix       *fix);

/* Builders; @cpuset is copied */
KtFixStep *kt_fix_add_pin           (KtFix             *fix,
                                     KtFixKind          kind,
                                     const char        *vm,
                                     guint              index,
                                     const KtCpuset    *cpuset);
KtFixStep *kt_fix_add_numatune      (KtFix             *fix,
                                     const char        *vm,
                                     const char        *mode,
                                     const KtCpuset    *nodeset);
KtFixStep *kt_fix_add_memnode       (KtFix             *fix,
                                     const char        *vm,
                                     guint              cellid,
                                     const char        *mode,
                                     const KtCpuset    *nodeset);
KtFixStep *kt_fix_add_number        (KtFix             *fix,
                                     KtFixKind          kind,
                                     const char        *vm,
                                     gint64             number,
                                     const KtCpuset    *cpuset);
KtFixStep *kt_fix_add_cpu_mode      (KtFix             *fix,
                                     const char        *vm,
                                     const char        *mode,
                                     const char        *model);
KtFixStep *kt_fix_add_topology      (KtFix             *fix,
                                     const char        *vm,
                                     guint              sockets,
                                     guint              dies,
                                     guint              cores,
                                     guint              threads);
KtFixStep *kt_fix_add_host          (KtFix             *fix,
                                     const char        *key,
                                     const char        *value);

/* "numatune strict 0", "vcpupin 3 → 5", "ksm.merge_across_nodes=0" */
char      *kt_fix_step_describe     (const KtFixStep   *step);

/* Makes the steps for domain @vm_name on @domain (one definition) */
gboolean   kt_fix_edit_domain       (const KtFix       *fix,
                                     const char        *vm_name,
                                     KtDomain          *domain,
                                     GError           **error);

/* Puts @fix into the pending state: vCPU pins through kt_plan_pin_each()
 * (one undo step per VM), the other domain steps onto the VMs' definitions
 * in the plan's snapshot (live and inactive, as the plan does; these are
 * not undo steps of the plan, which emits "changed" for them), the host
 * steps into @host_pending (kt_host_tuning_set_value(); may be NULL only
 * for a fix without host steps).  Checks every step first: on error
 * nothing has changed. */
gboolean   kt_fix_apply_to_plan     (const KtFix       *fix,
                                     KtPlan            *plan,
                                     KtHostTuning      *host_pending,
                                     GError           **error);

/* {"automatic","summary","domain":[{"edit",...}],"host":{"key":"value"}} */
JsonNode  *kt_fix_to_json           (const KtFix       *fix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtFix, kt_fix_free)

G_END_DECLS
