/* kt-cpu-models.h: the CPU models a hypervisor offers, from its domain
 * capabilities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *name;
  gboolean  usable;      /* usable='no' makes it FALSE; unknown is TRUE */
  char     *blockers;    /* "avx512f, pku", or NULL when none are named */
} KtCpuModel;

void              kt_cpu_model_free           (KtCpuModel  *model);

/* The models of <cpu><mode name='custom'>, in the capabilities' order;
 * an empty array when there are none (or no readable capabilities) */
GPtrArray        *kt_cpu_models_parse         (const char  *domcaps_xml);

/* The model host-model would give a guest (<mode name='host-model'>
 * <model>), or NULL */
char             *kt_cpu_models_host_model    (const char  *domcaps_xml);

const KtCpuModel *kt_cpu_models_lookup        (GPtrArray   *models,
                                               const char  *name);

/* The model to offer for a custom CPU: the host-model's model when it is
 * usable, else QEMU's generic default when usable, else the first usable
 * one; NULL when nothing is usable */
const char       *kt_cpu_models_suggest       (GPtrArray   *models,
                                               const char  *host_model);

/* FALSE, with an error naming what blocks it, when @models mark @name
 * usable='no', or name it not at all (a model this hypervisor does not
 * know); with no models listed, every name passes */
gboolean          kt_cpu_models_check_usable  (GPtrArray   *models,
                                               const char  *name,
                                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtCpuModel, kt_cpu_model_free)

G_END_DECLS
