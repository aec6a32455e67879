/* kt-host-view.h: the host's tuning, its profiles, Apply and Revert
 *
 * The window's "Host" view: every setting KvmTune reads on the host
 * (tuned, KSM, transparent hugepages, numa_balancing, hugepage pools)
 * with its value now, what the chosen profile (and the session's pending
 * host changes) would set, and the guide's one-sentence advice.  What the
 * host does not let KvmTune change shows read-only, with the reason.
 * Apply and Revert preview every change first (kt-host-preview.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-session.h"

G_BEGIN_DECLS

#define KT_TYPE_HOST_VIEW (kt_host_view_get_type ())

G_DECLARE_FINAL_TYPE (KtHostView, kt_host_view, KT, HOST_VIEW, GtkWidget)

/* @session (nullable): reads its host (in a worker thread on a connection) */
void        kt_host_view_set_session   (KtHostView *self,
                                        KtSession  *session);
/* Reads the host again */
void        kt_host_view_reload        (KtHostView *self);

G_END_DECLS
