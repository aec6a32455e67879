/* kt-apply-dialog.h: preview one VM's pending changes and choose how to
 * apply them
 *
 * Shows the session's KtApply (kt_session_prepare_apply ()) for the flags
 * chosen (live, config or both).  The dialog applies nothing itself: Apply
 * emits "apply-requested", the caller runs kt_session_apply_async () with
 * kt_apply_dialog_get_flags () and hands the outcome to
 * kt_apply_dialog_finish ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-session.h"

G_BEGIN_DECLS

#define KT_TYPE_APPLY_DIALOG (kt_apply_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KtApplyDialog, kt_apply_dialog, KT, APPLY_DIALOG, AdwWindow)

/* The pending changes of the VM @name of @session; a session without
 * connection applies into its snapshot, which the dialog says */
GtkWidget    *kt_apply_dialog_new           (GtkWindow     *parent,
                                             KtSession     *session,
                                             const char    *name);
KtApplyFlags  kt_apply_dialog_get_flags     (KtApplyDialog *self);
void          kt_apply_dialog_set_flags     (KtApplyDialog *self,
                                             KtApplyFlags   flags);
/* After "apply-requested": @error NULL closes the dialog, else it shows
 * why, with "Apply to Config Only" or "Reload" when they help */
void          kt_apply_dialog_finish        (KtApplyDialog *self,
                                             const GError  *error);

/* Signals:
 *   "apply-requested":  Apply was chosen; the dialog is busy (it cannot
 *                       be closed) until kt_apply_dialog_finish ()
 *   "reload-requested": the VM changed elsewhere; the dialog closes itself
 *
 * Keys: Return on the focused Apply button, or Ctrl+Return anywhere in
 * the dialog, applies; Escape cancels. */

G_END_DECLS
