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
 *     steps merged into the VM's pending KtEdits, one undo step per VM;
 *     the host steps as the session's pending host targets, which the Host
 *     view previews and applies; they are no undo steps);
 *   - kt_advice_effective_host_tuning (): the host's tuning as the session
 *     last read it with the pending host targets made, which the advisor
 *     runs on, so that a finding whose host fix is pending is gone too;
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

/* Puts the steps of @fix into @session as pending changes: domain steps
 * as pins and edits, host steps as pending host targets
 * (kt_session_set_host_target ()).  Every VM's steps are checked first;
 * when a host target or a domain step is refused, nothing of the fix is
 * pending (the targets set are put back, the steps undone) and @error
 * names the key or domain and the reason.  The host's tuning is read
 * first when the session has none and no connection; with a connection
 * it must have been read (kt_session_read_host_async ()).  @host_put
 * (nullable, out, element-type KtHostTarget): the host targets the fix
 * made pending.  A manual fix (no step) is refused.  Nothing is applied. */
gboolean    kt_advice_put_fix            (KtSession        *session,
                                          const KtFix      *fix,
                                          GPtrArray       **host_put,
                                          GError          **error);
/* The session's host tuning (nullable: none read) with the pending host
 * targets made, a copy */
KtHostTuning *kt_advice_effective_host_tuning (KtSession   *session);
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
