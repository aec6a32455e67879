/* kt-tuning-panel.h: the selected VM's tuning, beside the map
 *
 * Shows the VM's effective definition with what is pending on it: vCPU
 * pins (through the plan, like drags on the map), and the panel's own
 * pending edits (emulator and IOThread pins, memory mode and nodes,
 * memnodes, huge pages, memory flags, hard limit, CPU model), which are
 * replayed onto copies of the VM's definitions when applying.
 *
 * Signals:
 *   "vm-changed" (KtVm *vm, gboolean snapshot_edited): the VM's definitions
 *                were replaced (applied, undone or reloaded); with
 *                snapshot_edited they were written into the snapshot, which
 *                now has unsaved changes
 * Properties: "plan", "connection" (read-only), "vm"; all
 * G_PARAM_EXPLICIT_NOTIFY.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-connection.h"
#include "kt-plan.h"

G_BEGIN_DECLS

#define KT_TYPE_TUNING_PANEL (kt_tuning_panel_get_type ())

G_DECLARE_FINAL_TYPE (KtTuningPanel, kt_tuning_panel, KT, TUNING_PANEL, GtkWidget)

GtkWidget    *kt_tuning_panel_new            (void);
/* A new source: forgets every pending panel edit.  @connection NULL: the
 * source is a snapshot, and Apply writes into it */
void          kt_tuning_panel_set_source     (KtTuningPanel *self,
                                              KtPlan        *plan,
                                              KtConnection  *connection);
/* The same source through a new connection: the pending edits stay */
void          kt_tuning_panel_set_connection (KtTuningPanel *self,
                                              KtConnection  *connection);
KtPlan       *kt_tuning_panel_get_plan       (KtTuningPanel *self);
KtConnection *kt_tuning_panel_get_connection (KtTuningPanel *self);
/* NULL hides the panel */
void          kt_tuning_panel_set_vm         (KtTuningPanel *self,
                                              KtVm          *vm);
KtVm         *kt_tuning_panel_get_vm         (KtTuningPanel *self);
/* The VM's definitions were replaced elsewhere (live updates) */
void          kt_tuning_panel_refresh        (KtTuningPanel *self);
/* Whether @vm has pending pins or panel edits */
gboolean      kt_tuning_panel_has_changes    (KtTuningPanel *self,
                                              KtVm          *vm);
/* Opens the apply dialog for the VM shown; says why not in a toast */
void          kt_tuning_panel_apply          (KtTuningPanel *self);

G_END_DECLS
