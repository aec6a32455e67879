/* kt-host-tuning.h: a host's kernel and tuned settings for virtualization
 *
 * What KvmTune reads and changes on a host besides its VMs: tuned, KSM,
 * transparent hugepages, kernel.numa_balancing and the hugepage pools.
 * Every value can be unknown (a remote host's THP, no permission, an old
 * snapshot): numbers are then -1, strings %NULL.  Nothing is guessed.
 *
 * Each setting KvmTune can change has a key (kt_host_tuning_keys()):
 *   tuned.profile  ksm.run  ksm.merge_across_nodes  ksm.pages_to_scan
 *   ksm.sleep_millisecs  thp.enabled  thp.defrag  numa_balancing
 *   hugepages.NODE.SIZE_KIB
 * with its value as text (kt_host_tuning_get_value()).
 *
 * In a snapshot (see kt-snapshot.c):
 *   <host-tuning>
 *     <tuned state="running|stopped|missing" active=".." recommended="..">
 *       <profile name=".." summary=".."/>
 *     </tuned>
 *     <ksm run="1" merge_across_nodes="1" pages_to_scan="100" .../>
 *     <thp enabled="always" defrag="madvise"/>
 *     <numa-balancing value="1"/>
 *     <hugepages default_size_kib="2048">
 *       <pool node="0" size_kib="2048" total="512" free="100" mounted="yes"/>
 *     </hugepages>
 *   </host-tuning>
 * An attribute left out is unknown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

typedef enum
{
  KT_TUNED_UNKNOWN,      /* not readable from here (a remote host) */
  KT_TUNED_MISSING,      /* nobody owns com.redhat.tuned (or no system bus) */
  KT_TUNED_STOPPED,      /* the daemon answers, is_running () is false */
  KT_TUNED_RUNNING,
} KtTunedState;

typedef struct
{
  char *name;
  char *summary;           /* NULL when unknown */
} KtTunedProfile;

typedef struct
{
  int      node;
  guint64  size_kib;
  gint64   total;          /* -1 when unknown */
  gint64   free;           /* -1 when unknown */
  int      mounted;        /* a hugetlbfs of this size is mounted: 1, 0, -1 unknown */
} KtHugePool;

typedef struct
{
  KtTunedState tuned_state;
  char        *tuned_active;
  char        *tuned_recommended;
  GPtrArray   *tuned_profiles;      /* KtTunedProfile */

  gint64       ksm_run;
  gint64       ksm_merge_across_nodes;
  gint64       ksm_pages_to_scan;
  gint64       ksm_sleep_millisecs;
  gint64       ksm_pages_shared;
  gint64       ksm_pages_sharing;
  gint64       ksm_pages_unshared;
  gint64       ksm_pages_volatile;
  gint64       ksm_full_scans;

  char        *thp_enabled;         /* the selected choice: always, madvise, never */
  char        *thp_defrag;
  gint64       numa_balancing;

  guint64      default_hugepage_kib; /* 0 when unknown */
  GArray      *hugepages;           /* KtHugePool, by node then size */
} KtHostTuning;

#define KT_TYPE_HOST_TUNING (kt_host_tuning_get_type ())

GType         kt_host_tuning_get_type      (void) G_GNUC_CONST;
KtHostTuning *kt_host_tuning_new           (void);
KtHostTuning *kt_host_tuning_copy          (const KtHostTuning *self);
void          kt_host_tuning_free          (KtHostTuning       *self);

const char   *kt_tuned_state_to_string     (KtTunedState        state);

void          kt_host_tuning_add_tuned_profile (KtHostTuning   *self,
                                                const char     *name,
                                                const char     *summary);
KtHugePool   *kt_host_tuning_lookup_pool   (const KtHostTuning *self,
                                            int                 node,
                                            guint64             size_kib);
KtHugePool   *kt_host_tuning_add_pool      (KtHostTuning       *self,
                                            int                 node,
                                            guint64             size_kib);
guint         kt_host_tuning_n_nodes       (const KtHostTuning *self);

/* Keys and values */
const char * const *kt_host_tuning_keys    (void);
gboolean      kt_host_tuning_parse_key     (const char         *key,
                                            int                *node,
                                            guint64            *size_kib,
                                            GError            **error);
gboolean      kt_host_tuning_check_value   (const KtHostTuning *self,
                                            const char         *key,
                                            const char         *value,
                                            GError            **error);
char         *kt_host_tuning_get_value     (const KtHostTuning *self,
                                            const char         *key);
gboolean      kt_host_tuning_set_value     (KtHostTuning       *self,
                                            const char         *key,
                                            const char         *value,
                                            GError            **error);
const char   *kt_host_tuning_key_label     (const char         *key);

/* Snapshot element and JSON */
KtHostTuning *kt_host_tuning_new_from_node (xmlNode            *node,
                                            GError            **error);
xmlNode      *kt_host_tuning_to_node       (const KtHostTuning *self,
                                            xmlDoc             *doc);
JsonNode     *kt_host_tuning_to_json       (const KtHostTuning *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtHostTuning, kt_host_tuning_free)

G_END_DECLS
