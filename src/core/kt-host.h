/* kt-host.h: the host topology model, read from libvirt capabilities XML
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
  guint64 size_kib;
  guint64 total;           /* pages in the pool */
  gint64  free;            /* -1 when unknown */
} KtHostPages;

typedef struct
{
  int   node;
  guint value;
} KtHostDistance;

typedef struct
{
  int       id;
  gboolean  has_memory;    /* <memory> was given */
  guint64   memory_kib;
  gint64    free_kib;      /* -1 when unknown */
  GArray   *pages;         /* KtHostPages, by ascending size */
  GArray   *distances;     /* KtHostDistance, as listed */
  KtCpuset *cpus;          /* every CPU listed in the cell, online or not */
  KtCpuset *online_cpus;
} KtHostNode;

typedef struct
{
  int       id;
  int       node;          /* NUMA node id */
  int       socket;        /* -1 when unknown; likewise below */
  int       die;
  int       cluster;
  int       core;
  gboolean  online;
  KtCpuset *siblings;      /* SMT threads of its core, itself included */
  guint     core_index;    /* into kt_host_get_core () */
  int       l3;            /* into kt_host_get_l3 (), -1 when not in any */
} KtHostCpu;

typedef struct
{
  int       id;            /* bank id, -1 when not given */
  guint     level;
  guint64   size_kib;
  KtCpuset *cpus;
} KtHostCache;

typedef struct
{
  guint     index;
  int       node;
  int       socket;
  int       die;
  int       cluster;
  int       core;
  KtCpuset *cpus;          /* the core's threads */
} KtHostCore;

#define KT_TYPE_HOST (kt_host_get_type ())

G_DECLARE_FINAL_TYPE (KtHost, kt_host, KT, HOST, GObject)

KtHost            *kt_host_new_from_xml        (const char   *xml,
                                                gssize        len,
                                                GError      **error);
KtHost            *kt_host_new_from_file       (const char   *path,
                                                GError      **error);
KtHost            *kt_host_new_from_node       (xmlNode      *capabilities,
                                                GError      **error);
const char        *kt_host_get_arch            (KtHost       *self);
const char        *kt_host_get_cpu_model       (KtHost       *self);
guint              kt_host_get_n_nodes         (KtHost       *self);
const KtHostNode  *kt_host_get_node            (KtHost       *self,
                                                guint         index);
const KtHostNode  *kt_host_lookup_node         (KtHost       *self,
                                                int           id);
guint              kt_host_get_n_cpus          (KtHost       *self);
const KtHostCpu   *kt_host_get_cpu             (KtHost       *self,
                                                guint         index);
const KtHostCpu   *kt_host_lookup_cpu          (KtHost       *self,
                                                int           id);
guint              kt_host_get_n_cores         (KtHost       *self);
const KtHostCore  *kt_host_get_core            (KtHost       *self,
                                                guint         index);
GArray            *kt_host_node_cores          (KtHost       *self,
                                                int           node);
guint              kt_host_get_n_l3            (KtHost       *self);
const KtHostCache *kt_host_get_l3              (KtHost       *self,
                                                guint         index);
guint              kt_host_get_n_sockets       (KtHost       *self);
const KtCpuset    *kt_host_get_all_cpus        (KtHost       *self);
const KtCpuset    *kt_host_get_online_cpus     (KtHost       *self);
const KtCpuset    *kt_host_get_node_ids        (KtHost       *self);
const GArray      *kt_host_get_page_sizes      (KtHost       *self);
KtCpuset          *kt_host_cpus_of_nodes       (KtHost       *self,
                                                const KtCpuset *nodes);
KtCpuset          *kt_host_nodes_of_cpus       (KtHost       *self,
                                                const KtCpuset *cpus);
gboolean           kt_host_check_cpuset        (KtHost       *self,
                                                const KtCpuset *cpus,
                                                GError      **error);
gboolean           kt_host_check_nodeset       (KtHost       *self,
                                                const KtCpuset *nodes,
                                                GError      **error);
guint              kt_host_get_distance        (KtHost       *self,
                                                int           from,
                                                int           to);
gboolean           kt_host_update_free_memory  (KtHost       *self);
void               kt_host_set_free_pages      (KtHost       *self,
                                                int           node,
                                                guint64       size_kib,
                                                gint64        free);
void               kt_host_set_free_memory     (KtHost       *self,
                                                int           node,
                                                gint64        free_kib);
void               kt_host_set_free_time       (KtHost       *self,
                                                GDateTime    *time);
GDateTime         *kt_host_get_free_time       (KtHost       *self);

G_END_DECLS
