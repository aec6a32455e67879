/* kt-advice.h: the advisor and the planner on a session's pending state
 *
 * What the window's Advice list and "Suggest Placement…" need, GTK-free:
 *
 *   - kt_advice_effective_snapshot (): the session's snapshot as it would
 *     be with everything pending (the plan's pins are in it already; the
 *     VMs' pending edits are replayed onto copies), so that a finding whose
 *     fix is pending is gone;
 *   - kt_advice_group (): findings by VM in the snapshot's order, the host
 *     last, with counts by severity;
 *   - kt_advice_put_fix (): a fix into the session as pending changes (the
 *     vCPU pins through the plan, one undo step per VM; the other domain
 *     steps merged into the VM's pending KtEdits, one undo step per VM).
 *     Host steps are not put anywhere: the session has no pending host
 *     state, so they are handed back as "KEY=VALUE" for the Host view;
 *   - kt_advice_fix_from_proposal (): a planner proposal as a fix, so that
 *     it is pending like any other; kt_advice_undo_to () takes the steps
 *     back (Discard).
 *
 * Nothing here applies anything: apply goes through the session as usual.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-advisor.h"
#include "kt-planner.h"
#include "kt-session.h"

G_BEGIN_DECLS

typedef struct
{
  char      *vm;          /* NULL: the host's findings */
  GPtrArray *findings;    /* const KtFinding *, borrowed from the run */
  guint      counts[3];   /* by KtSeverity */
  guint      n_fixable;   /* findings with an automatic fix */
} KtAdviceGroup;

/* The session's snapshot with every VM's pending edits made (a copy), or
 * the session's own (a new reference) when no VM has edits pending */
KtSnapshot *kt_advice_effective_snapshot (KtSession        *session,
                                          GError          **error);
/* kt_advisor_run () on kt_advice_effective_snapshot (); @reserved
 * nullable */
GPtrArray  *kt_advice_run                (KtSession        *session,
                                          const KtCpuset   *reserved,
                                          GError          **error);
/* (element-type KtAdviceGroup): the VMs with findings in @findings'
 * order (which is the snapshot's), the host's last; @counts (nullable,
 * 3 entries): the totals by severity */
GPtrArray  *kt_advice_group              (GPtrArray        *findings,
                                          guint            *counts);
void        kt_advice_group_free         (KtAdviceGroup    *group);
/* "2 errors, 12 warnings, 7 notes" (translated), "No problems found" */
char       *kt_advice_describe_counts    (const guint      *counts);

/* Puts the domain steps of @fix into @session as pending changes; checks
 * every VM's steps first, and on error nothing has changed.  @host_left
 * (nullable, out, element-type utf8): the host steps, "KEY=VALUE", left
 * out.  A fix with no domain step (host only, or manual) is refused. */
gboolean    kt_advice_put_fix            (KtSession        *session,
                                          const KtFix      *fix,
                                          GPtrArray       **host_left,
                                          GError          **error);
/* The steps of a feasible proposal for its domain, as a fix: a vcpupin
 * per vCPU, the emulatorpin (an emulator pinned today and shared by the
 * policy follows the vCPUs' pCPUs), the iothreadpins of the VM's iothreads,
 * numatune and a memnode per guest cell, and the huge page size when
 * the VM has none yet.  The pages it needs on each node are the
 * proposal's (->hugepages), for the caller to show: a pool is the host's.
 * Fails for an infeasible proposal, or one that needs guest cells the VM
 * lacks (the error says what to add). */
KtFix      *kt_advice_fix_from_proposal  (const KtProposal *proposal,
                                          KtVm             *vm,
                                          GError          **error);
/* Undoes session steps until its revision is @revision again (Discard);
 * FALSE when it could not get back there */
gboolean    kt_advice_undo_to            (KtSession        *session,
                                          guint64           revision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtAdviceGroup, kt_advice_group_free)

G_END_DECLS
