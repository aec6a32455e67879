/* kt-observed.h: where a running VM's vCPUs actually ran
 *
 * The pins say where a vCPU may run; the kernel says where its thread ran
 * last.  One libvirt call per VM (virDomainGetVcpus); blocking, safe from
 * any thread: the window polls it in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"

G_BEGIN_DECLS

typedef enum
{
  KT_OBSERVED_OFFLINE,   /* the vCPU is not plugged in */
  KT_OBSERVED_RUNNING,
  KT_OBSERVED_BLOCKED,   /* waiting (idle guest) */
} KtObservedState;

typedef struct
{
  guint            vcpu;
  int              cpu;     /* the pCPU it ran on last; -1: unknown */
  KtObservedState  state;
} KtObservedVcpu;

GArray     *kt_observed_query        (KtConnection     *conn,
                                      const char       *name,
                                      GError          **error);
GHashTable *kt_observed_query_all    (KtConnection     *conn,
                                      const char * const *names);

G_END_DECLS
