/* kt-host-apply.h: previewing, applying and reverting host tuning
 *
 * A #KtHostControl changes one host: the machine KvmTune runs on (with or
 * without a libvirt connection), a remote libvirt host (what libvirt can
 * change: KSM's shm_* values and the hugepage pools), or an offline
 * snapshot (its <host-tuning> values).
 *
 * kt_host_control_plan() turns targets (a profile's, or KEY=VALUE pairs)
 * into a #KtHostPlan: every change old → new with its mechanism, in the
 * order they are made:
 *   tuned.profile                    tuned D-Bus switch_profile
 *   thp.*, numa_balancing, ksm.run   sysfs (as root) or the kvmtune helper
 *   ksm.pages_to_scan, sleep_millisecs, merge_across_nodes
 *                                    virNodeSetMemoryParameters; a change
 *                                    of merge_across_nodes unmerges first
 *                                    (ksm.run=2) and restores run after
 *   hugepages.NODE.SIZE_KIB          virNodeAllocPages, one node at a
 *                                    time, each pool read back
 *
 * kt_host_control_apply() makes them all or none: when a step fails the
 * earlier ones (and what the failed one did) are put back, and the error
 * says what failed (and anything that could not be put back).  Before the
 * first change the previous values are saved in
 * g_get_user_state_dir ()/kvmtune/host-revert/HOST-HASH.json, keyed by
 * the host name and URI; kt_host_control_revert() restores them, also
 * from a later process, removes the persistence drop-ins (or puts back
 * the ones there were) and forgets the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"
#include "kt-host-profile.h"
#include "kt-host-tuning.h"

G_BEGIN_DECLS

typedef enum
{
  KT_HOST_MECHANISM_TUNED,       /* tuned D-Bus switch_profile */
  KT_HOST_MECHANISM_MEMORY,      /* virNodeSetMemoryParameters */
  KT_HOST_MECHANISM_PAGES,       /* virNodeAllocPages node N */
  KT_HOST_MECHANISM_KNOB,        /* kt-host-knobs: sysfs as root, else the helper */
  KT_HOST_MECHANISM_SNAPSHOT,    /* the snapshot's values */
} KtHostMechanism;

typedef struct
{
  char           *key;
  char           *old_value;     /* NULL when unknown */
  char           *new_value;
  KtHostMechanism mechanism;
  char           *mechanism_text; /* "virNodeAllocPages node 0" */
  const char     *explanation;    /* kt_host_explain () */
} KtHostChange;

typedef struct
{
  GPtrArray *changes;            /* KtHostChange, in the order they are made */
  GPtrArray *notes;              /* char *: what is left alone and why, boot lines */
  gboolean   persistent;         /* also write the drop-ins ("Keep after reboot") */
  gboolean   revert;             /* a revert (preview): saves no revert file; kt_host_control_revert () makes it */
} KtHostPlan;

#define KT_TYPE_HOST_PLAN (kt_host_plan_get_type ())
GType       kt_host_plan_get_type (void) G_GNUC_CONST;
KtHostPlan *kt_host_plan_copy     (const KtHostPlan *plan);
void        kt_host_plan_free     (KtHostPlan       *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtHostPlan, kt_host_plan_free)

#define KT_TYPE_HOST_CONTROL (kt_host_control_get_type ())

G_DECLARE_FINAL_TYPE (KtHostControl, kt_host_control, KT, HOST_CONTROL, GObject)

KtHostControl *kt_host_control_new            (KtConnection   *connection,
                                               KtSnapshot     *snapshot);
gboolean       kt_host_control_is_offline     (KtHostControl  *self);
KtHostTuning  *kt_host_control_read           (KtHostControl  *self,
                                               GError        **error);
gboolean       kt_host_control_can_change     (KtHostControl  *self,
                                               const KtHostTuning *current,
                                               const char     *key,
                                               char          **reason);
KtHostPlan    *kt_host_control_plan           (KtHostControl  *self,
                                               const KtHostTuning *current,
                                               GPtrArray      *targets,
                                               gboolean        strict,
                                               gboolean        persistent,
                                               GError        **error);
KtHostPlan    *kt_host_control_plan_profile   (KtHostControl  *self,
                                               const KtHostTuning *current,
                                               const KtHostProfile *profile,
                                               gboolean        persistent,
                                               GError        **error);
gboolean       kt_host_control_apply          (KtHostControl  *self,
                                               const KtHostPlan *plan,
                                               GError        **error);
char          *kt_host_control_revert_path    (KtHostControl  *self);
gboolean       kt_host_control_has_revert     (KtHostControl  *self);
KtHostPlan    *kt_host_control_revert_plan    (KtHostControl  *self,
                                               const KtHostTuning *current,
                                               GError        **error);
gboolean       kt_host_control_revert         (KtHostControl  *self,
                                               GError        **error);
void           kt_host_control_apply_async    (KtHostControl  *self,
                                               const KtHostPlan *plan,
                                               GCancellable   *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer        user_data);
gboolean       kt_host_control_apply_finish   (KtHostControl  *self,
                                               GAsyncResult   *result,
                                               GError        **error);

G_END_DECLS
