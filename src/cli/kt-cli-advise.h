/* kt-cli-advise.h: kvmtune-cli's advise verb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-source.h"

G_BEGIN_DECLS

int kt_cli_advise (const KtSourceSpec  *spec,
                   int                  argc,
                   char               **argv,
                   GError             **error);

G_END_DECLS
