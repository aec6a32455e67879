/* kt-tuning-panel.h: the selected VM's tuning, beside the map
 *
 * Shows a VM of a session (KtSession) with what is pending on it, and
 * forwards every change to the session: vCPU pins (kt_session_pin (), like
 * drags on the map) and the VM's other edits (emulator and IOThread pins,
 * memory mode and nodes, memnodes, huge pages, memory flags, hard limit,
 * CPU model and topology; kt_session_set_edits ()), each one step of the
 * session's undo history.  Apply opens the apply dialog and runs
 * kt_session_apply_async (); the toast's Undo kt_session_undo_apply_async
 * (), the dialog's Reload kt_session_reload_async (), Discard
 * kt_session_discard_edits ().  What an apply replaced, the session says
 * ("vm-changed").
 *
 * Properties: "session", "vm"; both G_PARAM_EXPLICIT_NOTIFY.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-session.h"

G_BEGIN_DECLS

#define KT_TYPE_TUNING_PANEL (kt_tuning_panel_get_type ())

G_DECLARE_FINAL_TYPE (KtTuningPanel, kt_tuning_panel, KT, TUNING_PANEL, GtkWidget)

GtkWidget    *kt_tuning_panel_new            (void);
/* NULL: nothing to show (the panel hides) */
void          kt_tuning_panel_set_session    (KtTuningPanel *self,
                                              KtSession     *session);
KtSession    *kt_tuning_panel_get_session    (KtTuningPanel *self);
/* NULL hides the panel */
void          kt_tuning_panel_set_vm         (KtTuningPanel *self,
                                              KtVm          *vm);
KtVm         *kt_tuning_panel_get_vm         (KtTuningPanel *self);
/* The VM's definitions were replaced elsewhere (live updates) */
void          kt_tuning_panel_refresh        (KtTuningPanel *self);
/* Opens the apply dialog for the VM shown; says why not in a toast */
void          kt_tuning_panel_apply          (KtTuningPanel *self);

G_END_DECLS
