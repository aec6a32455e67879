/* kt-host-preview.h: the dialogs of the Host view
 *
 * kt_host_preview_run (): every change of an apply (a profile with the
 * session's pending host changes) or of a revert, old → new with the
 * mechanism that makes it, the notes (what is left alone and why), and
 * for an apply the "Keep after reboot" switch (off by default); Apply or
 * Revert then runs through the session, and says in a toast (or, when it
 * failed and was put back, in a dialog) how it went.
 *
 * kt_host_pool_dialog_run (): "Huge pages on node N": a page size and a
 * count, which becomes a pending host change of the session.
 *
 * kt_host_save_profile_run (): "Save Current as Profile…": a name, then
 * the host's values now saved as a profile of the user's own.
 *
 * kt_host_setting_dialog_run () (kt-host-setting-dialog.c): one setting's
 * value, from the values it takes, as a pending host change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-session.h"

G_BEGIN_DECLS

/* @toasts (nullable): where to say how it went */
void kt_host_preview_run       (GtkWindow           *parent,
                                AdwToastOverlay     *toasts,
                                KtSession           *session,
                                const KtHostProfile *profile,
                                gboolean             revert);
void kt_host_pool_dialog_run   (GtkWindow           *parent,
                                AdwToastOverlay     *toasts,
                                KtSession           *session,
                                int                  node);
/* @saved: called with the new profile's id once saved */
void kt_host_save_profile_run  (GtkWindow           *parent,
                                AdwToastOverlay     *toasts,
                                KtSession           *session,
                                void               (*saved) (gpointer    data,
                                                             const char *id),
                                gpointer             data);

void  kt_host_setting_dialog_run (GtkWindow  *parent,
                                  KtSession  *session,
                                  const char *key);
/* "0 (off)", "20 ms", "unknown": a value as the Host view shows it */
char *kt_host_format_value       (const char *key,
                                  const char *value);

G_END_DECLS
