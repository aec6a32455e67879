/* kt-host-private.h: what the kt-host*.c files that build the host
 * topology model share: the object's fields, and the step deriving cores,
 * L3 groups and lookup tables once the capabilities are parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host.h"

G_BEGIN_DECLS

struct _KtHost
{
  GObject   parent_instance;

  char     *arch;
  char     *cpu_model;
  GArray   *nodes;          /* KtHostNode */
  GArray   *cpus;           /* KtHostCpu, by ascending id */
  GArray   *cores;          /* KtHostCore */
  GArray   *l3;             /* KtHostCache */
  GArray   *page_sizes;     /* guint64 KiB, ascending */
  GArray   *cpu_by_id;      /* int index into cpus, -1 */
  GArray   *node_by_id;     /* int index into nodes, -1 */
  KtCpuset *all_cpus;
  KtCpuset *online_cpus;
  KtCpuset *node_ids;
  guint     n_sockets;
  GDateTime *free_time;     /* when the free figures were read, if not live */
};

/* kt-host-topology.c */
void kt_host_priv_derive (KtHost *self);

G_END_DECLS
