/* kt-apply-dialog.h: preview and apply one VM's edited definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-apply.h"

G_BEGIN_DECLS

#define KT_TYPE_APPLY_DIALOG (kt_apply_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KtApplyDialog, kt_apply_dialog, KT, APPLY_DIALOG, AdwWindow)

/* @connection NULL: the source is a snapshot, and Apply only reports what
 * was chosen ("applied"); the caller writes the snapshot */
GtkWidget    *kt_apply_dialog_new           (GtkWindow     *parent,
                                             KtConnection  *connection,
                                             KtVm          *base,
                                             KtDomain      *live_target,
                                             KtDomain      *config_target);
KtApplyFlags  kt_apply_dialog_get_flags     (KtApplyDialog *self);
void          kt_apply_dialog_set_flags     (KtApplyDialog *self,
                                             KtApplyFlags   flags);
/* After "applied" on a connection: the VM as libvirt has it now, or NULL
 * when it could not be read back */
KtVm         *kt_apply_dialog_get_reloaded  (KtApplyDialog *self);

/* Signals:
 *   "applied":          the change was made (on a connection) or chosen
 *                       (on a snapshot); the dialog closes itself after
 *   "reload-requested": the VM changed elsewhere; the dialog closes itself
 *
 * Keys: Return on the focused Apply button, or Ctrl+Return anywhere in
 * the dialog, applies; Escape cancels. */

/* kt_apply_run() in a thread, then the VM read back from the connection
 * (kt_connection_read_vm()) */
void          kt_apply_run_async            (KtApply             *apply,
                                             KtConnection        *connection,
                                             const char          *name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns: whether it was applied; @reloaded: (out) (transfer full)
 * (nullable): the VM read back, NULL when that failed or it is gone */
gboolean      kt_apply_run_finish           (GAsyncResult        *result,
                                             KtVm               **reloaded,
                                             GError             **error);
/* Reads one VM back, in a thread; NULL without error: it is gone */
void          kt_reload_vm_async            (KtConnection        *connection,
                                             const char          *name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
KtVm         *kt_reload_vm_finish           (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
