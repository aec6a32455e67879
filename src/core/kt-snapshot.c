/* kt-snapshot.c: a host and its VMs, as one offline document
 * (KtSnapshot): the object, adding, removing and updating its VMs, its
 * accessors and the PCI node devices it keeps.  Reading the document is in
 * kt-snapshot-read.c, writing and saving it in kt-snapshot-write.c.
 *
 *   <kvmtune-snapshot version="1">
 *     <source uri="qemu:///system" hostname="..." captured="ISO 8601"/>
 *     <capabilities>...</capabilities>
 *     <domainCapabilities>...</domainCapabilities>      (optional)
 *     <freeMemory captured="ISO 8601">                  (optional: live facts)
 *       <node id="0" free_kib="...">                    (free_kib optional)
 *         <pages size_kib="2048" free="..."/>
 *       </node>
 *     </freeMemory>
 *     <nodeDevices>                                      (optional: kt-pci.h)
 *       <device>...</device>      (libvirt's node device XML of assigned PCI devices)
 *     </nodeDevices>
 *     <vm name="web1" state="running" id="1" persistent="yes">
 *       <live><domain>...</domain></live>               (active VMs)
 *       <inactive><domain>...</domain></inactive>       (persistent VMs)
 *     </vm>
 *     <host-tuning>...</host-tuning>                     (optional: kt-host-tuning.h)
 *   </kvmtune-snapshot>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-pci.h"
#include "kt-snapshot-private.h"
#include "kt-xml.h"

G_DEFINE_FINAL_TYPE (KtSnapshot, kt_snapshot, G_TYPE_OBJECT)

static void
kt_snapshot_dispose (GObject *object)
{
  KtSnapshot *self = KT_SNAPSHOT (object);

  g_clear_object (&self->host);
  g_clear_object (&self->vms);

  G_OBJECT_CLASS (kt_snapshot_parent_class)->dispose (object);
}

static void
kt_snapshot_finalize (GObject *object)
{
  KtSnapshot *self = KT_SNAPSHOT (object);

  g_clear_pointer (&self->caps_xml, g_free);
  g_clear_pointer (&self->domcaps_xml, g_free);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->hostname, g_free);
  g_clear_pointer (&self->captured, g_free);
  g_clear_pointer (&self->stamps, g_hash_table_unref);
  g_clear_pointer (&self->host_tuning, kt_host_tuning_free);
  g_clear_pointer (&self->node_devices, g_ptr_array_unref);
  g_clear_pointer (&self->pci, g_array_unref);

  G_OBJECT_CLASS (kt_snapshot_parent_class)->finalize (object);
}

static void
kt_snapshot_class_init (KtSnapshotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_snapshot_dispose;
  object_class->finalize = kt_snapshot_finalize;
}

static void
kt_snapshot_init (KtSnapshot *self)
{
  self->vms = g_list_store_new (KT_TYPE_VM);
  self->stamps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) kt_file_stamp_free);
}

/**
 * kt_snapshot_new:
 * @caps_xml: the host's capabilities XML
 * @domcaps_xml: (nullable): its domain capabilities XML
 *
 * Returns: (transfer full): a snapshot with no VM yet
 */
KtSnapshot *
kt_snapshot_new (const char  *caps_xml,
                 const char  *domcaps_xml,
                 GError     **error)
{
  g_autoptr(KtSnapshot) self = NULL;

  g_return_val_if_fail (caps_xml != NULL, NULL);

  self = g_object_new (KT_TYPE_SNAPSHOT, NULL);
  self->host = kt_host_new_from_xml (caps_xml, -1, error);
  if (self->host == NULL)
    return NULL;
  if (domcaps_xml != NULL)
    {
      /* Only kept and written back, but it must at least be XML */
      g_autoptr(xmlDoc) doc = kt_xml_parse (domcaps_xml, -1, _("domain capabilities XML"),
                                            NULL, error);
      if (doc == NULL)
        return NULL;
    }
  self->caps_xml = g_strdup (caps_xml);
  self->domcaps_xml = g_strdup (domcaps_xml);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    self->captured = g_date_time_format_iso8601 (now);
  }
  return g_steal_pointer (&self);
}

gboolean
kt_snapshot_add_vm (KtSnapshot  *self,
                    KtVm        *vm,
                    GError     **error)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);

  if (kt_snapshot_lookup_vm (self, kt_vm_get_name (vm)) != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("There are two VMs called “%s”"), kt_vm_get_name (vm));
      return FALSE;
    }
  g_list_store_append (self->vms, vm);
  return TRUE;
}

/**
 * kt_snapshot_remove_vm:
 *
 * Returns: whether there was a VM called @name
 */
gboolean
kt_snapshot_remove_vm (KtSnapshot *self,
                       const char *name)
{
  KtVm *vm;
  guint position;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  vm = kt_snapshot_lookup_vm (self, name);
  if (vm == NULL || !g_list_store_find (self->vms, vm, &position))
    return FALSE;
  g_list_store_remove (self->vms, position);
  return TRUE;
}

/**
 * kt_snapshot_update_vm:
 * @fresh: (nullable): @name as just read from its source; %NULL when it is
 *   gone
 *
 * Brings one VM up to date without touching the others: the snapshot's
 * own #KtVm takes @fresh's state and definitions (kt_vm_update_from()), a
 * new VM is added, and one that is gone is removed.
 *
 * Returns: (transfer none) (nullable): the snapshot's VM called @name, or
 * %NULL when there is none any more
 */
KtVm *
kt_snapshot_update_vm (KtSnapshot *self,
                       const char *name,
                       KtVm       *fresh)
{
  KtVm *vm;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (fresh == NULL || g_str_equal (kt_vm_get_name (fresh), name), NULL);

  vm = kt_snapshot_lookup_vm (self, name);
  if (fresh == NULL)
    {
      if (vm != NULL)
        kt_snapshot_remove_vm (self, name);
      return NULL;
    }
  if (vm != NULL)
    {
      kt_vm_update_from (vm, fresh);
      return vm;
    }
  g_list_store_append (self->vms, fresh);
  return fresh;
}

/* Accessors -------------------------------------------------------------- */

KtHost *
kt_snapshot_get_host (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->host;
}

const char *
kt_snapshot_get_caps_xml (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->caps_xml;
}

const char *
kt_snapshot_get_domcaps_xml (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->domcaps_xml;
}

const char *
kt_snapshot_get_uri (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->uri;
}

void
kt_snapshot_set_uri (KtSnapshot *self,
                     const char *uri)
{
  g_return_if_fail (KT_IS_SNAPSHOT (self));
  g_free (self->uri);
  self->uri = g_strdup (uri);
}

const char *
kt_snapshot_get_hostname (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->hostname;
}

void
kt_snapshot_set_hostname (KtSnapshot *self,
                          const char *hostname)
{
  g_return_if_fail (KT_IS_SNAPSHOT (self));
  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
}

/**
 * kt_snapshot_get_vms:
 *
 * Returns: (transfer none): a list model of #KtVm
 */
GListModel *
kt_snapshot_get_vms (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return G_LIST_MODEL (self->vms);
}

KtVm *
kt_snapshot_lookup_vm (KtSnapshot *self,
                       const char *name)
{
  guint n;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (guint i = 0; i < n; i++)
    {
      KtVm *vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);

      g_object_unref (vm);   /* the store keeps it alive */
      if (g_str_equal (kt_vm_get_name (vm), name))
        return vm;
    }
  return NULL;
}

/**
 * kt_snapshot_get_host_tuning:
 *
 * Returns: (transfer none) (nullable): the host's tuning as captured;
 * %NULL when the snapshot holds none (an older snapshot)
 */
KtHostTuning *
kt_snapshot_get_host_tuning (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  return self->host_tuning;
}

/**
 * kt_snapshot_set_host_tuning:
 * @tuning: (transfer full) (nullable): the host's tuning
 */
void
kt_snapshot_set_host_tuning (KtSnapshot   *self,
                             KtHostTuning *tuning)
{
  g_return_if_fail (KT_IS_SNAPSHOT (self));
  g_clear_pointer (&self->host_tuning, kt_host_tuning_free);
  self->host_tuning = tuning;
}

/**
 * kt_snapshot_add_node_device:
 * @xml: libvirt's XML of a PCI node device (virNodeDeviceGetXMLDesc)
 *
 * Keeps the device, for the NUMA node of the PCI devices assigned to VMs
 * (kt_snapshot_get_pci_devices()); written back as it was given.
 */
gboolean
kt_snapshot_add_node_device (KtSnapshot  *self,
                             const char  *xml,
                             GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  KtPciDevice dev;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), FALSE);
  g_return_val_if_fail (xml != NULL, FALSE);

  doc = kt_xml_parse (xml, -1, _("node device"), NULL, error);
  if (doc == NULL)
    return FALSE;
  if (!g_str_equal (xmlDocGetRootElement (doc)->name, "device"))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("A node device must be a <device>, not <%s>"),
                   (const char *) xmlDocGetRootElement (doc)->name);
      return FALSE;
    }
  if (!kt_pci_device_parse (xmlDocGetRootElement (doc), &dev, error))
    return FALSE;
  if (self->node_devices == NULL)
    {
      self->node_devices = g_ptr_array_new_with_free_func (g_free);
      self->pci = g_array_new (FALSE, FALSE, sizeof (KtPciDevice));
    }
  g_ptr_array_add (self->node_devices, g_strdup (xml));
  g_array_append_val (self->pci, dev);
  return TRUE;
}

/**
 * kt_snapshot_get_pci_devices:
 *
 * Returns: (transfer none) (element-type KtPciDevice) (nullable): the PCI
 * node devices the snapshot holds, %NULL when it holds none
 */
const GArray *
kt_snapshot_get_pci_devices (KtSnapshot *self)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);

  return self->pci;
}
