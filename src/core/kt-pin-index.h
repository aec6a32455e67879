/* kt-pin-index.h: a domain's <vcpupin> elements by vCPU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

typedef struct _KtPinIndex KtPinIndex;

KtPinIndex *kt_pin_index_new              (xmlNode     *cputune,
                                           guint        n_vcpus);
void        kt_pin_index_free             (KtPinIndex  *self);
xmlNode    *kt_pin_index_lookup           (KtPinIndex  *self,
                                           guint        vcpu);
gboolean    kt_pin_index_insertion_point  (KtPinIndex  *self,
                                           guint        vcpu,
                                           xmlNode    **before);
void        kt_pin_index_add              (KtPinIndex  *self,
                                           guint        vcpu,
                                           xmlNode     *pin);
gboolean    kt_pin_index_forget           (KtPinIndex  *self,
                                           xmlNode     *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtPinIndex, kt_pin_index_free)

G_END_DECLS
