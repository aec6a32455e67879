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

/* Edits one definition of the VM (plan --apply) */
typedef gboolean (*KtCliEditFunc) (gconstpointer   data,
                                   KtDomain       *domain,
                                   GError        **error);

/* The tuning verbs' apply path for other verbs: locks the offline source
 * files (before the load), then previews and applies an edit of @vm */
GPtrArray *kt_cli_tune_lock       (const KtSourceSpec  *spec,
                                   GError             **error);
int        kt_cli_tune_apply_edit (const KtSourceSpec  *spec,
                                   KtSnapshot          *snapshot,
                                   KtConnection        *conn,
                                   KtVm                *vm,
                                   gboolean             opt_live,
                                   gboolean             opt_config,
                                   gboolean             dry_run,
                                   KtCliEditFunc        edit_func,
                                   gconstpointer        data,
                                   GError             **error);

G_END_DECLS
