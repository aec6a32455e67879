/* kt-snapshot.h: a host and its VMs, as one offline document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kt-file.h"
#include "kt-host.h"
#include "kt-host-tuning.h"
#include "kt-vm.h"

G_BEGIN_DECLS

#define KT_TYPE_SNAPSHOT (kt_snapshot_get_type ())

G_DECLARE_FINAL_TYPE (KtSnapshot, kt_snapshot, KT, SNAPSHOT, GObject)

KtSnapshot *kt_snapshot_new                (const char   *caps_xml,
                                            const char   *domcaps_xml,
                                            GError      **error);
KtSnapshot *kt_snapshot_load_file          (const char   *path,
                                            GError      **error);
KtSnapshot *kt_snapshot_load_xml           (const char   *xml,
                                            gssize        len,
                                            GError      **error);
KtSnapshot *kt_snapshot_new_from_files     (const char   *caps_path,
                                            const char * const *domain_paths,
                                            GError      **error);
char       *kt_snapshot_to_xml             (KtSnapshot   *self);
gboolean    kt_snapshot_save               (KtSnapshot   *self,
                                            const char   *path,
                                            GError      **error);
const KtFileStamp *kt_snapshot_get_file_stamp (KtSnapshot *self,
                                              const char *path);
void        kt_snapshot_set_file_stamp     (KtSnapshot   *self,
                                            const char   *path,
                                            KtFileStamp  *stamp);
KtHost     *kt_snapshot_get_host           (KtSnapshot   *self);
const char *kt_snapshot_get_caps_xml       (KtSnapshot   *self);
const char *kt_snapshot_get_domcaps_xml    (KtSnapshot   *self);
const char *kt_snapshot_get_uri            (KtSnapshot   *self);
void        kt_snapshot_set_uri            (KtSnapshot   *self,
                                            const char   *uri);
const char *kt_snapshot_get_hostname       (KtSnapshot   *self);
void        kt_snapshot_set_hostname       (KtSnapshot   *self,
                                            const char   *hostname);
GListModel *kt_snapshot_get_vms            (KtSnapshot   *self);
KtVm       *kt_snapshot_lookup_vm          (KtSnapshot   *self,
                                            const char   *name);
gboolean    kt_snapshot_add_vm             (KtSnapshot   *self,
                                            KtVm         *vm,
                                            GError      **error);
gboolean    kt_snapshot_remove_vm          (KtSnapshot   *self,
                                            const char   *name);
KtVm       *kt_snapshot_update_vm          (KtSnapshot   *self,
                                            const char   *name,
                                            KtVm         *fresh);
KtHostTuning *kt_snapshot_get_host_tuning  (KtSnapshot   *self);
void        kt_snapshot_set_host_tuning    (KtSnapshot   *self,
                                            KtHostTuning *tuning);
/* Assigned PCI devices' node device XML (kt-pci.h) */
gboolean    kt_snapshot_add_node_device    (KtSnapshot   *self,
                                            const char   *xml,
                                            GError      **error);
const GArray *kt_snapshot_get_pci_devices  (KtSnapshot   *self);

G_END_DECLS
