/* kt-recover-prompt.h: the window's word on interrupted applies
 *
 * On a connection (the first, or a reconnection), looks for the journals
 * (kt-journal.h) of applies to its URI that the loss of the connection cut
 * short and asks about each: Finish, Roll Back or Later.  Finish and Roll
 * Back run in a thread (kt_apply_new_recovery () and kt_apply_run ()); a
 * dialog says how it went.  Later leaves the journal for the next time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kt-connection.h"

G_BEGIN_DECLS

void kt_recover_prompt (GtkWindow    *parent,
                        KtConnection *connection);

G_END_DECLS
