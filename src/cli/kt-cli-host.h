/* kt-cli-host.h: kvmtune-cli's host tuning verb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-source.h"

G_BEGIN_DECLS

gboolean kt_cli_is_host_verb (const char          *verb);
int      kt_cli_host         (const KtSourceSpec  *spec,
                              int                  argc,
                              char               **argv,
                              GError             **error);
void     kt_cli_host_capture (KtConnection        *connection,
                              KtSnapshot          *snapshot);

G_END_DECLS
