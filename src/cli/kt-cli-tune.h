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

/* The same locking and apply path, for other verbs that change a VM:
 * @edit_func makes the change on one definition (live, then config, as
 * --live/--config say; neither: like virsh's --current); the calls and
 * the diff are printed; unless @dry_run the change is made through
 * libvirt or written to the offline source.  Returns the exit status. */
typedef gboolean (*KtCliEditFunc) (KtDomain  *domain,
                                   gpointer   data,
                                   GError   **error);

GPtrArray *kt_cli_lock_offline (const KtSourceSpec  *spec,
                                GError             **error);
int        kt_cli_apply_edit   (const KtSourceSpec  *spec,
                                KtSnapshot          *snapshot,
                                KtConnection        *conn,
                                KtVm                *vm,
                                gboolean             opt_live,
                                gboolean             opt_config,
                                gboolean             dry_run,
                                KtCliEditFunc        edit_func,
                                gpointer             data,
                                GError             **error);

G_END_DECLS
