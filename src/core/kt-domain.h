/* kt-domain.h: a libvirt domain definition, edited in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <libxml/tree.h>

#include "kt-cpuset.h"
#include "kt-tuning.h"

G_BEGIN_DECLS

#define KT_TYPE_DOMAIN (kt_domain_get_type ())

G_DECLARE_FINAL_TYPE (KtDomain, kt_domain, KT, DOMAIN, GObject)

KtDomain   *kt_domain_new_from_xml        (const char      *xml,
                                           gssize           len,
                                           GError         **error);
KtDomain   *kt_domain_new_from_file       (const char      *path,
                                           GError         **error);
KtDomain   *kt_domain_new_from_file_data  (const char      *data,
                                           gsize            len,
                                           const char      *path,
                                           GError         **error);
KtDomain   *kt_domain_copy                (KtDomain        *self);
char       *kt_domain_to_xml              (KtDomain        *self);
const char *kt_domain_get_original_xml    (KtDomain        *self);
gboolean    kt_domain_is_modified         (KtDomain        *self);
xmlNode    *kt_domain_get_root            (KtDomain        *self);
const char *kt_domain_get_name            (KtDomain        *self);
guint       kt_domain_get_n_vcpus         (KtDomain        *self);
KtTuning   *kt_domain_get_tuning          (KtDomain        *self);

gboolean    kt_domain_set_vcpupin         (KtDomain        *self,
                                           guint            vcpu,
                                           const KtCpuset  *cpuset,
                                           GError         **error);
gboolean    kt_domain_set_emulatorpin     (KtDomain        *self,
                                           const KtCpuset  *cpuset,
                                           GError         **error);
gboolean    kt_domain_set_iothreadpin     (KtDomain        *self,
                                           guint            iothread,
                                           const KtCpuset  *cpuset,
                                           GError         **error);
gboolean    kt_domain_set_numatune        (KtDomain        *self,
                                           const char      *mode,
                                           const KtCpuset  *nodeset,
                                           GError         **error);
gboolean    kt_domain_set_memnode         (KtDomain        *self,
                                           guint            cellid,
                                           const char      *mode,
                                           const KtCpuset  *nodeset,
                                           GError         **error);
gboolean    kt_domain_set_hugepages       (KtDomain        *self,
                                           guint64          size_kib,
                                           const KtCpuset  *nodeset,
                                           GError         **error);
void        kt_domain_set_nosharepages    (KtDomain        *self,
                                           gboolean         enabled);
void        kt_domain_set_locked          (KtDomain        *self,
                                           gboolean         enabled);
gboolean    kt_domain_set_memtune_hard_limit (KtDomain     *self,
                                           gint64           kib,
                                           GError         **error);
gboolean    kt_domain_set_cpu_mode        (KtDomain        *self,
                                           const char      *mode,
                                           const char      *model,
                                           GError         **error);

gboolean    kt_domain_set_cpu_topology    (KtDomain        *self,
                                           guint            sockets,
                                           guint            dies,
                                           guint            cores,
                                           guint            threads,
                                           GError         **error);

gboolean    kt_numa_mode_is_valid         (const char      *mode);
gboolean    kt_cpu_mode_is_valid          (const char      *mode);

G_END_DECLS
