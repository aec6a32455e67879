/* kt-advisor.h: what is wrong with a host's tuning, why, and the fix
 *
 * kt_advisor_run() checks a snapshot (its host, VMs and, when captured,
 * its host tuning: kt-host-tuning.h) against the rules below and returns
 * findings.  Each has a stable rule id, a severity, a one-line title, a
 * short explanation (with the guide's figure where there is one), the
 * objects it concerns and a fix (kt-fix.h): data, never applied here.
 * A rule that needs a host value the snapshot does not have says so in a
 * finding of severity info ("... could not be read"), never a guess.
 *
 * Rule ids: see kt_advisor_rule_ids().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-fix.h"
#include "kt-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  KT_SEVERITY_INFO,
  KT_SEVERITY_WARNING,
  KT_SEVERITY_ERROR,
} KtSeverity;

typedef struct
{
  const char *rule;        /* static: one of kt_advisor_rule_ids () */
  KtSeverity  severity;
  char       *vm;          /* NULL for a host finding */
  char       *title;       /* one line, translated */
  char       *explanation; /* a few sentences, translated */
  /* The objects it concerns; each may be NULL */
  KtCpuset   *vcpus;       /* of @vm */
  KtCpuset   *pcpus;
  KtCpuset   *nodes;       /* host NUMA nodes */
  GPtrArray  *vms;         /* (element-type utf8): the other VMs concerned */
  GPtrArray  *host_keys;   /* (element-type utf8): host-tuning keys */
  KtFix      *fix;         /* NULL when there is nothing to do (an unknown value) */
} KtFinding;

typedef struct
{
  const KtCpuset     *reserved;     /* housekeeping CPUs; NULL: none */
  const KtHostTuning *host_tuning;  /* NULL: the snapshot's, if any */
} KtAdvisorOptions;

const char * const *kt_advisor_rule_ids    (void);
gboolean    kt_advisor_is_rule             (const char             *rule);
const char *kt_severity_to_string          (KtSeverity              severity);

/* (element-type KtFinding): by VM in the snapshot's order, host findings
 * last; within a VM by rule */
GPtrArray  *kt_advisor_run                 (KtSnapshot             *snapshot,
                                            const KtAdvisorOptions *options);
void        kt_finding_free                (KtFinding              *finding);
/* The first finding of @rule for @vm (NULL: a host finding) */
const KtFinding *kt_advisor_lookup         (GPtrArray              *findings,
                                            const char             *rule,
                                            const char             *vm);

/* Puts @finding's fix into the pending state (kt_fix_apply_to_plan()) */
gboolean    kt_advisor_fix_apply_to_plan   (const KtFinding        *finding,
                                            KtPlan                 *plan,
                                            KtHostTuning           *host_pending,
                                            GError                **error);

/* [{"rule","severity","vm","title","explanation","objects":{...},"fix":{...}|null}] */
JsonNode   *kt_advisor_to_json             (GPtrArray              *findings);
JsonNode   *kt_finding_to_json             (const KtFinding        *finding);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtFinding, kt_finding_free)

G_END_DECLS
