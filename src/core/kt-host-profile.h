/* kt-host-profile.h: named sets of host tuning targets
 *
 * Shipped in PKGDATADIR/host-profiles/ID.json (data/host-profiles/ when
 * uninstalled); the user's own in g_get_user_config_dir ()/kvmtune/
 * host-profiles/ID.json:
 *
 *   { "id": "low-latency", "name": "Pinned / low latency",
 *     "description": "…",
 *     "settings": [ { "key": "ksm.run", "value": "0" },
 *                   { "key": "ksm.merge_across_nodes", "value": "0", "when": "numa" },
 *                   { "key": "hugepages", "value": "vms" } ] }
 *
 * "when": "numa" applies a setting only on a host of more than one node.
 * "hugepages": "vms" sizes every pool of a page size some VM is backed by
 * to what the hugepage-backed VMs need on each node (their memory, page
 * size and numatune).  Any other key is one of kt_host_tuning_keys().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host-tuning.h"
#include "kt-snapshot.h"

G_BEGIN_DECLS

typedef struct
{
  char *key;
  char *value;
  char *when;              /* NULL: always; "numa" */
} KtHostProfileSetting;

typedef struct
{
  char      *id;
  char      *name;         /* translated for shipped profiles */
  char      *description;
  char      *path;         /* the file it came from, NULL when not saved */
  gboolean   user;         /* from the user's directory */
  GPtrArray *settings;     /* KtHostProfileSetting */
} KtHostProfile;

/* A concrete target: what a profile sets on one host */
typedef struct
{
  char *key;
  char *value;
} KtHostTarget;

#define KT_TYPE_HOST_PROFILE (kt_host_profile_get_type ())

GType          kt_host_profile_get_type      (void) G_GNUC_CONST;
KtHostProfile *kt_host_profile_copy          (const KtHostProfile *self);
void           kt_host_profile_free          (KtHostProfile       *self);
KtHostTarget  *kt_host_target_new            (const char          *key,
                                              const char          *value);
void           kt_host_target_free           (KtHostTarget        *target);

char          *kt_host_profile_user_dir      (void);
const char    *kt_host_profile_shipped_dir   (void);
KtHostProfile *kt_host_profile_load_file     (const char          *path,
                                              gboolean             user,
                                              GError             **error);
GPtrArray     *kt_host_profile_load_all      (GPtrArray          **bad_files,
                                              GError             **error);
KtHostProfile *kt_host_profile_find          (GPtrArray           *profiles,
                                              const char          *id);
KtHostProfile *kt_host_profile_new_from_state (const KtHostTuning *state,
                                               const char         *id,
                                               const char         *name);
gboolean       kt_host_profile_save          (KtHostProfile       *self,
                                              GError             **error);

GPtrArray     *kt_host_profile_targets       (const KtHostProfile *self,
                                              const KtHostTuning  *current,
                                              KtSnapshot          *snapshot,
                                              GPtrArray          **notes,
                                              GError             **error);
GHashTable    *kt_host_profile_vm_pools      (KtSnapshot          *snapshot,
                                              const KtHostTuning  *current);

const char    *kt_host_explain               (const char          *key,
                                              const char          *value);
char          *kt_host_boot_cmdline          (guint64              size_kib,
                                              guint64              pages);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtHostProfile, kt_host_profile_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtHostTarget, kt_host_target_free)

G_END_DECLS
