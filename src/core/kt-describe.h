/* kt-describe.h: how a VM's placement and a host's free memory are said
 *
 * GTK-free wording shared by the tuning panel, the sidebar, the map's
 * tooltips and kvmtune-cli, so that they say the same and can be tested
 * without a screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host.h"
#include "kt-placement.h"
#include "kt-tuning.h"
#include "kt-vm.h"

G_BEGIN_DECLS

const char *kt_describe_vm_state (KtVmState state);
char *kt_describe_vcpu_count      (const KtTuning *tuning);
char *kt_describe_unpinned        (const KtTuning *tuning,
                                   KtThreadKind    kind,
                                   guint           index);
char *kt_describe_unpinned_short  (const KtTuning *tuning,
                                   KtThreadKind    kind,
                                   guint           index);
char *kt_describe_placeholder     (const KtTuning *tuning,
                                   KtThreadKind    kind,
                                   guint           index);
char *kt_describe_vcpu_hint       (const KtTuning *tuning,
                                   guint           vcpu,
                                   const char     *where);
char *kt_describe_memory_unset    (const KtTuning *tuning);
char *kt_describe_numa_mode_unset (const KtTuning *tuning);
char *kt_describe_floating        (const char     *vm_name,
                                   const KtTuning *tuning,
                                   guint           n_vcpus);
char *kt_describe_time            (GDateTime      *time);
char *kt_describe_free_as_of      (KtHost         *host);

G_END_DECLS
