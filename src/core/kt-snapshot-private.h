/* kt-snapshot-private.h: what the kt-snapshot*.c files share: the
 * snapshot object's fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-snapshot.h"

G_BEGIN_DECLS

struct _KtSnapshot
{
  GObject     parent_instance;

  KtHost     *host;
  char       *caps_xml;
  char       *domcaps_xml;
  char       *uri;
  char       *hostname;
  char       *captured;
  GListStore *vms;
  GHashTable *stamps;   /* file path → KtFileStamp: what was loaded or saved */
  KtHostTuning *host_tuning;   /* NULL: not captured */
  GPtrArray  *node_devices;    /* char *: <device> XML, as libvirt gave it */
  GArray     *pci;             /* KtPciDevice, parsed from node_devices */
};

G_END_DECLS
