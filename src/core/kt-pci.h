/* kt-pci.h: host PCI devices and the NUMA node they hang off
 *
 * libvirt's node device XML (virsh nodedev-dumpxml pci_0000_3b_00_0):
 *   <device><name>pci_0000_3b_00_0</name>
 *     <capability type='pci'><domain>0</domain><bus>59</bus><slot>0</slot>
 *       <function>0</function><numa node='1'/>...</capability></device>
 * and a domain's assigned devices:
 *   <hostdev mode='subsystem' type='pci'><source>
 *     <address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/></source></hostdev>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "kt-domain.h"

G_BEGIN_DECLS

typedef struct
{
  guint domain;
  guint bus;
  guint slot;
  guint function;
  int   node;          /* -1 when libvirt gives none */
} KtPciDevice;

/* A <device> of capability pci; FALSE with an error naming the problem */
gboolean  kt_pci_device_parse   (xmlNode            *device,
                                 KtPciDevice        *out,
                                 GError            **error);
/* libvirt's node device name of an address: "pci_0000_3b_00_0" */
char     *kt_pci_device_name    (const KtPciDevice  *dev);
/* (element-type KtPciDevice): the PCI devices @domain is assigned (node -1) */
GArray   *kt_pci_domain_hostdevs (KtDomain          *domain);
/* The device of @devices at @dev's address, or NULL */
const KtPciDevice *kt_pci_lookup (const GArray      *devices,
                                  const KtPciDevice *dev);

G_END_DECLS
