/* kt-host-probe.h: reading a host's tuning (KtHostTuning)
 *
 * Sources, for a connection (local or not):
 *   KSM shm_* values           virNodeGetMemoryParameters
 *   hugepage pools             capabilities (totals) and virNodeGetFreePages
 * and, only for the machine KvmTune runs on (no connection, or a local
 * one):
 *   tuned                      D-Bus (kt-tuned.h)
 *   KSM run and the rest       /sys/kernel/mm/ksm
 *   THP enabled and defrag     /sys/kernel/mm/transparent_hugepage
 *   numa_balancing             /proc/sys/kernel/numa_balancing
 *   pools, exact               /sys/devices/system/node/nodeN/hugepages
 *   hugetlbfs mounts           /proc/mounts, /proc/meminfo (default size)
 * What a remote host does not tell libvirt stays unknown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"
#include "kt-host-tuning.h"

G_BEGIN_DECLS

KtHostTuning *kt_host_probe_local     (void);
KtHostTuning *kt_host_probe           (KtConnection  *connection,
                                       GError       **error);
gboolean      kt_host_probe_pool      (KtConnection  *connection,
                                       int            node,
                                       guint64        size_kib,
                                       gint64        *total,
                                       gint64        *free_pages,
                                       GError       **error);
gboolean      kt_host_probe_ksm_libvirt (KtConnection *connection,
                                         KtHostTuning *tuning,
                                         GError      **error);

G_END_DECLS
