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

G_BEGIN_DECLS

typedef enum
{
  KT_APPLY_LIVE   = 1 << 0,
  KT_APPLY_CONFIG = 1 << 1,
} KtApplyFlags;

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
char        *kt_diff_lines           (const char    *before,
                                      const char    *after,
                                      const char    *before_name,
                                      const char    *after_name);

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
