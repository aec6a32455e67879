/* kt-cli-recover.h: kvmtune-cli's word on interrupted applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"

G_BEGIN_DECLS

/* On stderr, a line for each apply on @connection's URI that the loss of
 * the connection interrupted, with the recover command that ends it */
void kt_cli_note_journals (KtConnection *connection);

G_END_DECLS
