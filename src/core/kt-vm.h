/* kt-vm.h: one virtual machine: its state and its live and inactive XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "kt-domain.h"

G_BEGIN_DECLS

typedef enum
{
  KT_VM_STATE_NOSTATE,
  KT_VM_STATE_RUNNING,
  KT_VM_STATE_BLOCKED,
  KT_VM_STATE_PAUSED,
  KT_VM_STATE_SHUTDOWN,
  KT_VM_STATE_SHUTOFF,
  KT_VM_STATE_CRASHED,
  KT_VM_STATE_PMSUSPENDED,
} KtVmState;

#define KT_TYPE_VM (kt_vm_get_type ())

G_DECLARE_FINAL_TYPE (KtVm, kt_vm, KT, VM, GObject)

KtVm       *kt_vm_new                  (const char  *name,
                                        KtVmState    state,
                                        int          id,
                                        gboolean     persistent,
                                        KtDomain    *live,
                                        KtDomain    *inactive);
const char *kt_vm_get_name             (KtVm        *self);
KtVmState   kt_vm_get_state            (KtVm        *self);
void        kt_vm_set_state            (KtVm        *self,
                                        KtVmState    state);
int         kt_vm_get_id               (KtVm        *self);
gboolean    kt_vm_get_persistent       (KtVm        *self);
gboolean    kt_vm_is_active            (KtVm        *self);
KtDomain   *kt_vm_get_live             (KtVm        *self);
KtDomain   *kt_vm_get_inactive         (KtVm        *self);
KtDomain   *kt_vm_get_effective        (KtVm        *self);
void        kt_vm_set_definitions      (KtVm        *self,
                                        KtDomain    *live,
                                        KtDomain    *inactive);
void        kt_vm_update_from          (KtVm        *self,
                                        KtVm        *fresh);

const char *kt_vm_state_to_string      (KtVmState    state);
gboolean    kt_vm_state_from_string    (const char  *text,
                                        KtVmState   *state);
gboolean    kt_vm_state_is_active      (KtVmState    state);

G_END_DECLS
