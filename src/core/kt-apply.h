/* kt-apply.h: carry a VM's edited definition over to libvirt
 *
 * An apply compares what was loaded (the base) with what was edited (the
 * target), and turns the difference into live calls (virDomainPinVcpuFlags,
 * virDomainPinEmulator, virDomainPinIOThread, virDomainSetNumaParameters)
 * and/or one virDomainDefineXMLFlags of the edited inactive XML.  It is all
 * or nothing: if a step fails, the live steps already made are put back
 * and nothing is defined.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"
#include "kt-diff.h"
#include "kt-journal.h"

G_BEGIN_DECLS

typedef enum
{
  KT_APPLY_LIVE   = 1 << 0,
  KT_APPLY_CONFIG = 1 << 1,
} KtApplyFlags;

typedef enum
{
  KT_RECOVER_FINISH,     /* make the steps that did not land */
  KT_RECOVER_ROLLBACK,   /* put back the values from before the apply */
} KtRecoverAction;

/* Test-only: called by kt_apply_run () at @point, "before-define-check"
 * (after the live steps, before the last look at the config) or
 * "after-define" (before the defined config is read back) */
typedef void (*KtApplyTestHook) (const char *point,
                                 gpointer    data);

#define KT_TYPE_APPLY (kt_apply_get_type ())

G_DECLARE_FINAL_TYPE (KtApply, kt_apply, KT, APPLY, GObject)

KtApply     *kt_apply_new            (KtVm          *base,
                                      KtDomain      *live_target,
                                      KtDomain      *config_target,
                                      KtApplyFlags   flags,
                                      GError       **error);
KtApplyFlags kt_apply_default_flags  (KtVm          *vm);
/* Human-readable live calls, in order ("pin vCPU 0 of web1 to 17 (live)") */
GPtrArray   *kt_apply_get_calls      (KtApply       *self);
/* Unified diff of the inactive XML to be defined; "" when none */
const char  *kt_apply_get_diff       (KtApply       *self);
gboolean     kt_apply_is_empty       (KtApply       *self);
gboolean     kt_apply_run            (KtApply       *self,
                                      KtConnection  *connection,
                                      GError       **error);
void         kt_apply_set_test_hook  (KtApply       *self,
                                      KtApplyTestHook hook,
                                      gpointer       data);

/* Recovery of an interrupted apply (kt-apply-recover.c) */
KtApply     *kt_apply_new_recovery   (KtJournal     *journal,
                                      KtConnection  *connection,
                                      KtRecoverAction action,
                                      GError       **error);
/* Which steps of @journal landed, which did not, as libvirt has it now */
char        *kt_apply_journal_status (KtJournal     *journal,
                                      KtConnection  *connection,
                                      GError       **error);

/* kt_apply_run () in a worker thread, then the VM @name read back */
void         kt_apply_execute_async  (KtApply             *self,
                                      KtConnection        *connection,
                                      const char          *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* @reloaded: (out) (transfer full) (nullable): NULL when it cannot be read */
gboolean     kt_apply_execute_finish (KtApply             *self,
                                      GAsyncResult        *result,
                                      KtVm               **reloaded,
                                      GError             **error);

G_END_DECLS
