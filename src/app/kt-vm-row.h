/* kt-vm-row.h: one VM in the sidebar, or "All VMs"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kt-vm.h"

G_BEGIN_DECLS

#define KT_TYPE_VM_ROW (kt_vm_row_get_type ())

G_DECLARE_FINAL_TYPE (KtVmRow, kt_vm_row, KT, VM_ROW, GtkWidget)

GtkWidget  *kt_vm_row_new           (void);
/* NULL: the "All VMs" row */
KtVm       *kt_vm_row_get_vm        (KtVmRow *self);
void        kt_vm_row_set_vm        (KtVmRow *self,
                                     KtVm    *vm);
/* Position in the snapshot's VM list: picks the map's colour */
guint       kt_vm_row_get_vm_index  (KtVmRow *self);
void        kt_vm_row_set_vm_index  (KtVmRow *self,
                                     guint    vm_index);
/* Shown by the "All VMs" row */
guint       kt_vm_row_get_n_vms     (KtVmRow *self);
void        kt_vm_row_set_n_vms     (KtVmRow *self,
                                     guint    n_vms);

/* What is pending on the VM (a tooltip on a mark); NULL: nothing */
void        kt_vm_row_set_pending   (KtVmRow    *self,
                                     const char *pending);

G_END_DECLS
