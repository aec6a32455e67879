/* kt-connection-dialog.h: asks for a libvirt URI and connects to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-connection.h"

G_BEGIN_DECLS

#define KT_TYPE_CONNECTION_DIALOG (kt_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KtConnectionDialog, kt_connection_dialog, KT, CONNECTION_DIALOG, AdwWindow)

GtkWidget  *kt_connection_dialog_new      (GtkWindow           *parent,
                                           const char * const  *recent_uris);
const char *kt_connection_dialog_get_uri  (KtConnectionDialog  *self);
void        kt_connection_dialog_set_uri  (KtConnectionDialog  *self,
                                           const char          *uri);

/* Signals:
 *   "connected" (KtSnapshot *snapshot, KtConnection *connection): the
 *   connection opened (read-write, else read-only) and the host was
 *   captured; the dialog then closes.  Errors stay in the dialog. */

G_END_DECLS
