/* kt-cli-tune.h: kvmtune-cli's verbs that change VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-source.h"

G_BEGIN_DECLS

gboolean kt_cli_is_tune_verb (const char          *verb);
int      kt_cli_tune         (const KtSourceSpec  *spec,
                              int                  argc,
                              char               **argv,
                              GError             **error);

G_END_DECLS
