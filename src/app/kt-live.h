/* kt-live.h: keeps a snapshot of a libvirt connection up to date
 *
 * Follows the connection's events: re-reads the VMs they name into the
 * snapshot (bursts coalesced, the reads in a worker thread) and carries
 * the plan over (kt_plan_rebase_vm ()); when libvirt closes the
 * connection, opens it again every 2 s until it works and re-reads every
 * VM; and while a widget shows, polls every 2 s where the running VMs'
 * vCPUs ran last (kt_observed_query_all (), in a worker thread).
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
 * On the first connection (once an observer is set) and on each
 * reconnection, the observer's window asks about applies the loss of an
 * earlier connection interrupted (kt-recover-prompt.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

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
/* Polls where vCPUs run while @widget is mapped and its window is not
 * minimized; NULL stops */
void          kt_live_set_observer    (KtLive       *self,
                                       GtkWidget    *widget);
/* VM name → GArray of KtObservedVcpu; NULL before the first answer */
GHashTable   *kt_live_get_observed    (KtLive       *self);
/* Stops everything for good: timers, threads' results, reconnection */
void          kt_live_stop            (KtLive       *self);

G_END_DECLS
