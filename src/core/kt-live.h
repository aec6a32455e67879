/* kt-live.h: keeps a snapshot of a libvirt connection up to date
 *
 * Follows the connection's events: re-reads the VMs they name into the
 * snapshot (bursts coalesced, the reads in a worker thread) and carries
 * the plan over (kt_plan_rebase_vm ()); when libvirt closes the
 * connection, opens it again every 2 s until it works and re-reads every
 * VM; and while observing is on, polls every 2 s where the running VMs'
 * vCPUs ran last (kt_observed_query_all (), in a worker thread).  GTK-free:
 * the session (kt-session.h) owns it, the window says when it shows.
 *
 * Signals:
 *   "changed"          (): VMs of the snapshot were re-read, added or
 *                      removed: the map and the sidebar redraw
 *   "edits-dropped"    (const char *name): the VM changed underneath
 *                      pending plan edits, which were dropped
 *   "observed-changed" (): kt_live_get_observed () has news
 * Properties: "connection" (the one in use: a reconnection replaces it),
 * "connected", both read-only and G_PARAM_EXPLICIT_NOTIFY.
 *
 * On each reconnection ("connected" back to TRUE), whoever shows it asks
 * about applies the loss of the connection interrupted (the window:
 * kt-recover-prompt.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"
#include "kt-plan.h"

G_BEGIN_DECLS

#define KT_TYPE_LIVE (kt_live_get_type ())

G_DECLARE_FINAL_TYPE (KtLive, kt_live, KT, LIVE, GObject)

KtLive       *kt_live_new             (KtConnection *connection,
                                       KtSnapshot   *snapshot,
                                       KtPlan       *plan);
KtConnection *kt_live_get_connection  (KtLive       *self);
gboolean      kt_live_get_connected   (KtLive       *self);
const char   *kt_live_get_uri         (KtLive       *self);
/* Polls where vCPUs run (every 2 s) while @observing and connected */
void          kt_live_set_observing   (KtLive       *self,
                                       gboolean      observing);
gboolean      kt_live_get_observing   (KtLive       *self);
/* VM name → GArray of KtObservedVcpu; NULL before the first answer */
GHashTable   *kt_live_get_observed    (KtLive       *self);
/* Stops everything for good: timers, threads' results, reconnection */
void          kt_live_stop            (KtLive       *self);

G_END_DECLS
