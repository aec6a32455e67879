/* kt-window.h: the main window: the VMs, the host map and the session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-application.h"
#include "kt-plan.h"
#include "kt-session.h"
#include "kt-source.h"

G_BEGIN_DECLS

#define KT_TYPE_WINDOW (kt_window_get_type ())

G_DECLARE_FINAL_TYPE (KtWindow, kt_window, KT, WINDOW, AdwApplicationWindow)

KtWindow   *kt_window_new           (KtApplication      *app);
/* Loads in a thread.  NULL or an empty spec: qemu:///system when it can
 * be opened (read-write, else read-only), otherwise the demo host. */
void        kt_window_load          (KtWindow           *self,
                                     const KtSourceSpec *spec);
KtSnapshot *kt_window_get_snapshot  (KtWindow           *self);
KtPlan     *kt_window_get_plan      (KtWindow           *self);
KtSession  *kt_window_get_session   (KtWindow           *self);

G_END_DECLS
