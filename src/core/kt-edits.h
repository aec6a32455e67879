/* kt-edits.h: a VM's pending tuning edits other than vCPU pins
 *
 * KtPlan holds the vCPU pins; everything else a VM's tuning can be given
 * (emulator and IOThread pins, NUMA and memory nodes, huge pages, memory
 * backing, the hard limit, the CPU mode and model, the guest topology) is
 * kept, per VM, as a KtEdits: what to set, not the definitions it was set
 * in.  kt_edits_replay () makes the edits in a domain, in a fixed order:
 * onto copies of the VM's definitions to check or preview them, onto the
 * targets of an apply to carry them out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-domain.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean    has_emulatorpin;
  KtCpuset   *emulatorpin;      /* NULL: unpin */
  GHashTable *iothreadpins;     /* id → KtCpuset (empty: unpin) */
  char       *numa_mode;        /* NULL: unchanged */
  KtCpuset   *numa_nodeset;     /* NULL: unchanged */
  GHashTable *memnodes;         /* cellid → KtCpuset (empty: remove) */
  GHashTable *memnode_modes;    /* cellid → mode (char *) of its memnodes entry;
                                 * none: the memnode's own, strict for a new one */
  gboolean    has_hugepages;
  guint64     page_kib;         /* 0: no huge pages */
  KtCpuset   *page_cells;       /* NULL: every cell */
  int         nosharepages;     /* -1: unchanged */
  int         locked;           /* -1: unchanged */
  gboolean    has_hard_limit;
  gint64      hard_limit_kib;
  char       *cpu_mode;         /* NULL: unchanged */
  char       *cpu_model;
  gboolean    has_topology;
  guint       topology[4];      /* sockets, dies, cores, threads */
} KtEdits;

#define KT_TYPE_EDITS (kt_edits_get_type ())

GType       kt_edits_get_type  (void) G_GNUC_CONST;
KtEdits    *kt_edits_new       (void);
/* @edits NULL: an empty KtEdits */
KtEdits    *kt_edits_copy      (const KtEdits  *edits);
void        kt_edits_free      (KtEdits        *edits);
/* How many settings it changes; 0 for NULL */
guint       kt_edits_count     (const KtEdits  *edits);
gboolean    kt_edits_equal     (const KtEdits  *a,
                                const KtEdits  *b);
/* Makes the edits in @domain, in a fixed order; NULL makes none */
gboolean    kt_edits_replay    (const KtEdits  *edits,
                                KtDomain       *domain,
                                GError        **error);
/* One translated line per setting changed ("Huge pages: 2 MiB") */
GPtrArray  *kt_edits_describe  (const KtEdits  *edits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtEdits, kt_edits_free)

G_END_DECLS
