/* kt-advice-view.h: the advisor's findings, grouped by VM and host
 *
 * One AdwPreferencesGroup per VM (then the host), each finding an
 * AdwExpanderRow: its severity's icon, title and rule id; expanded, the
 * explanation and the fix (or what to do by hand).  Expanding a finding
 * selects it (one at a time).  A fix with domain steps has a Fix button;
 * a VM with several, Fix All; host-setting steps are shown as "Set in the
 * Host view: KEY=VALUE".  The view does nothing itself: it signals.
 *
 * Signals:
 *   "finding-selected" (gpointer finding): a const KtFinding * of the
 *                      findings set, or NULL when none is selected
 *   "fix"              (gpointer finding): Fix pressed
 *   "fix-all"          (const char *vm): Fix All pressed
 *   "suggest"          (const char *vm): Suggest Placement…; NULL: for all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-advisor.h"

G_BEGIN_DECLS

#define KT_TYPE_ADVICE_VIEW (kt_advice_view_get_type ())

G_DECLARE_FINAL_TYPE (KtAdviceView, kt_advice_view, KT, ADVICE_VIEW, GtkWidget)

GtkWidget       *kt_advice_view_new             (void);
/* @findings (transfer full, nullable): a kt_advisor_run () result; the
 * finding selected before stays selected when it is still there */
void             kt_advice_view_set_findings    (KtAdviceView *self,
                                                 GPtrArray    *findings);
GPtrArray       *kt_advice_view_get_findings    (KtAdviceView *self);
const KtFinding *kt_advice_view_get_selected    (KtAdviceView *self);
/* By severity (KtSeverity), of the findings set */
const guint     *kt_advice_view_get_counts      (KtAdviceView *self);
/* GUI tests: "finding RULE VM|- X Y", "fix RULE VM|- X Y", "fix-all VM X Y",
 * "suggest VM X Y", "suggest-all X Y" (window coordinates) */
void             kt_advice_view_write_geometry  (KtAdviceView *self,
                                                 GString      *out);

G_END_DECLS
