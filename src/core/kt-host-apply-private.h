/* kt-host-apply-private.h: what the kt-host-apply*.c files share
 *
 * kt-host-apply.c         the control, applying a plan all or nothing, async
 * kt-host-apply-plan.c    plans: what can change, by which mechanism, in which order
 * kt-host-apply-steps.c   the steps, one per mechanism
 * kt-host-apply-revert.c  the saved revert file, reverting
 * kt-host-apply-persist.c the persistence drop-ins ("Keep after reboot")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kt-host-apply.h"

G_BEGIN_DECLS

struct _KtHostControl
{
  GObject       parent_instance;

  KtConnection *connection;   /* NULL: this machine without libvirt, or offline */
  KtSnapshot   *snapshot;     /* the VMs; offline: the values changed */
  gboolean      offline;
};

typedef struct
{
  char       *text;       /* the file as it was, NULL when there was none */
  JsonObject *values;     /* key → old value */
  JsonObject *persist;    /* the drop-ins' table before, NULL: not saved */
} RevertFile;

/* kt-host-apply.c */
gboolean    kt_host_apply_is_this_machine     (KtHostControl      *self);

/* kt-host-apply-steps.c */
gboolean    kt_host_apply_knob_available      (char              **reason);
gboolean    kt_host_apply_do_step             (KtHostControl      *self,
                                               const KtHostTuning *current,
                                               const KtHostChange *change,
                                               const char         *value,
                                               GError            **error);

/* kt-host-apply-revert.c */
void        kt_host_apply_revert_file_clear   (RevertFile         *rf);
gboolean    kt_host_apply_revert_file_load    (const char         *path,
                                               RevertFile         *rf,
                                               GError            **error);
gboolean    kt_host_apply_revert_file_save    (KtHostControl      *self,
                                               const char         *path,
                                               RevertFile         *rf,
                                               GError            **error);
void        kt_host_apply_revert_file_restore (const char         *path,
                                               RevertFile         *before);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RevertFile, kt_host_apply_revert_file_clear)

/* kt-host-apply-persist.c */
GHashTable *kt_host_apply_persist_read        (GError            **error);
GHashTable *kt_host_apply_table_of            (JsonObject         *obj);
JsonObject *kt_host_apply_object_of           (GHashTable         *table);
gboolean    kt_host_apply_persist_table       (GHashTable         *table,
                                               GError            **error);

G_END_DECLS
