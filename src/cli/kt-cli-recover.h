/* kt-cli-recover.h: kvmtune-cli's word on interrupted applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"
#include "kt-source.h"

G_BEGIN_DECLS

/* On stderr, a line for each apply on @connection's URI that the loss of
 * the connection interrupted, with the recover command that ends it */
void kt_cli_note_journals (KtConnection        *connection);
/* recover [--finish|--rollback|--discard] [DOMAIN] */
int  kt_cli_recover       (const KtSourceSpec  *spec,
                           int                  argc,
                           char               **argv,
                           GError             **error);

G_END_DECLS
