/* kt-tuning.h: a read-only view of a domain's tuning, derived from its XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <libxml/tree.h>

#include "kt-cpuset.h"

G_BEGIN_DECLS

typedef struct
{
  guint     id;            /* vcpu number or iothread id */
  KtCpuset *cpuset;
} KtPin;

typedef struct
{
  KtCpuset *vcpus;
  char     *scheduler;
  int       priority;      /* -1 when not given */
} KtVcpuSched;

typedef struct
{
  guint     cellid;
  char     *mode;
  KtCpuset *nodeset;
} KtMemnode;

typedef struct
{
  char *policy;
  char *name;
} KtCpuFeature;

typedef struct
{
  guint id;
  guint value;
} KtCellDistance;

typedef struct
{
  guint     id;
  KtCpuset *cpus;          /* NULL for a memory-only guest cell */
  guint64   memory_kib;
  char     *mem_access;
  GArray   *distances;     /* KtCellDistance */
} KtGuestCell;

typedef struct
{
  guint64   size_kib;      /* 0: the host's default huge page size */
  KtCpuset *nodeset;       /* guest cells; NULL means all */
} KtHugepage;

typedef struct
{
  guint    id;
  gboolean enabled;
  gboolean hotpluggable;
  int      order;          /* -1 when not given */
} KtVcpuInfo;

typedef struct
{
  char      *name;
  char      *uuid;
  char      *type;
  int        id;                   /* live domain id, -1 */

  guint64    memory_kib;
  guint64    current_memory_kib;
  guint64    max_memory_kib;       /* <maxMemory>, 0 */

  guint      vcpus;                /* <vcpu> */
  guint      current_vcpus;
  char      *vcpu_placement;
  KtCpuset  *vcpu_cpuset;
  GArray    *vcpu_info;            /* KtVcpuInfo, from <vcpus> */

  GArray    *vcpupin;              /* KtPin, sorted by id, unique */
  KtCpuset  *emulatorpin;
  GArray    *iothreadpin;          /* KtPin, sorted by id, unique */
  gint64     shares;               /* -1 when unset; likewise below */
  gint64     period;
  gint64     quota;
  GArray    *vcpusched;            /* KtVcpuSched */

  guint      iothreads;
  GArray    *iothread_ids;         /* guint */

  char      *numa_mode;
  KtCpuset  *numa_nodeset;
  char      *numa_placement;
  GArray    *memnodes;             /* KtMemnode */

  char      *cpu_mode;
  char      *cpu_match;
  char      *cpu_check;
  char      *cpu_model;
  char      *cpu_fallback;
  char      *cpu_vendor;
  GArray    *cpu_features;         /* KtCpuFeature */
  gboolean   has_topology;
  guint      sockets;
  guint      dies;
  guint      clusters;
  guint      cores;
  guint      threads;
  GArray    *cells;                /* KtGuestCell */

  gboolean   has_memory_backing;
  gboolean   has_hugepages;
  GArray    *hugepages;            /* KtHugepage */
  gboolean   nosharepages;
  gboolean   locked;
  char      *memory_source;
  char      *memory_access;

  gint64     hard_limit_kib;
  gint64     soft_limit_kib;
  gint64     swap_hard_limit_kib;
  gint64     min_guarantee_kib;
} KtTuning;

/* Where a vCPU or the emulator may run, and why */
typedef enum
{
  KT_PIN_SOURCE_OWN,       /* its own <vcpupin> or <emulatorpin> */
  KT_PIN_SOURCE_DEFAULT,   /* <vcpu cpuset>: the default pin set */
  KT_PIN_SOURCE_NUMAD,     /* <vcpu placement='auto'>: where numad advises */
  KT_PIN_SOURCE_NONE,      /* anywhere on the host */
} KtPinSource;

#define KT_TYPE_TUNING (kt_tuning_get_type ())

GType             kt_tuning_get_type        (void) G_GNUC_CONST;
KtTuning         *kt_tuning_new_from_node   (xmlNode         *domain,
                                             GError         **error);
KtTuning         *kt_tuning_ref             (KtTuning        *self);
void              kt_tuning_unref           (KtTuning        *self);
const KtCpuset   *kt_tuning_get_vcpupin     (const KtTuning  *self,
                                             guint            vcpu);
const KtCpuset   *kt_tuning_get_iothreadpin (const KtTuning  *self,
                                             guint            id);
gboolean          kt_tuning_has_iothread    (const KtTuning  *self,
                                             guint            id);
KtCpuset         *kt_tuning_vcpu_allowed    (const KtTuning  *self,
                                             guint            vcpu,
                                             const KtCpuset  *host_cpus);
KtCpuset         *kt_tuning_emulator_allowed (const KtTuning *self,
                                             const KtCpuset  *host_cpus);
const KtGuestCell *kt_tuning_lookup_cell    (const KtTuning  *self,
                                             guint            id);
gboolean          kt_tuning_vcpu_is_online  (const KtTuning  *self,
                                             guint            vcpu);
guint             kt_tuning_count_online    (const KtTuning  *self);
gboolean          kt_tuning_is_numad        (const KtTuning  *self);
gboolean          kt_tuning_memory_is_numad (const KtTuning  *self);
KtPinSource       kt_tuning_vcpu_pin_source (const KtTuning  *self,
                                             guint            vcpu);
KtPinSource       kt_tuning_emulator_pin_source (const KtTuning *self);
KtPinSource       kt_tuning_iothread_pin_source (const KtTuning *self,
                                             guint            id);
KtCpuset         *kt_tuning_iothread_allowed (const KtTuning *self,
                                             guint            id,
                                             const KtCpuset  *host_cpus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtTuning, kt_tuning_unref)

G_END_DECLS
