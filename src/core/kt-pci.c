/* kt-pci.c: host PCI devices and the NUMA node they hang off
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-pci.h"
#include "kt-xml.h"

/* A PCI address part: decimal, or hexadecimal with 0x as libvirt writes
 * it in domain XML */
static gboolean
parse_part (const char *text,
            guint       max,
            guint      *out)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  guint64 v;

  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0' || *copy == '-' || *copy == '+')
    return FALSE;
  v = g_ascii_strtoull (copy, &end, 0);
  if (end == copy || *end != '\0' || v > max)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static const guint part_max[] = { 0xffff, 0xff, 0x1f, 0x7 };
static const char * const part_names[] = { "domain", "bus", "slot", "function" };

/**
 * kt_pci_device_parse:
 *
 * Reads a node device's PCI address and NUMA node.  A device without a
 * pci capability is an error too (%KT_ERROR_UNSUPPORTED).
 */
gboolean
kt_pci_device_parse (xmlNode      *device,
                     KtPciDevice  *out,
                     GError      **error)
{
  xmlNode *cap = NULL;
  guint parts[4];
  xmlNode *numa;

  g_return_val_if_fail (device != NULL && out != NULL, FALSE);

  for (xmlNode *c = kt_xml_child (device, "capability"); c;
       c = kt_xml_next_named (c->next, "capability"))
    {
      g_autofree char *type = kt_xml_prop (c, "type");

      if (g_strcmp0 (type, "pci") == 0)
        cap = c;
    }
  if (cap == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Node device (line %d) is not a PCI device"), (int) xmlGetLineNo (device));
      return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = kt_xml_text (kt_xml_child (cap, part_names[i]));

      if (!parse_part (text, part_max[i], &parts[i]))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                       _("PCI node device (line %d): <%s> “%s” is not a valid address part"),
                       (int) xmlGetLineNo (cap), part_names[i], text ? text : "");
          return FALSE;
        }
    }
  out->domain = parts[0];
  out->bus = parts[1];
  out->slot = parts[2];
  out->function = parts[3];
  out->node = -1;
  if ((numa = kt_xml_child (cap, "numa")) != NULL)
    {
      int node;

      if (!kt_xml_prop_int (numa, "node", &node, error))
        return FALSE;
      /* The kernel's "no node" */
      out->node = node >= 0 ? node : -1;
    }
  return TRUE;
}

char *
kt_pci_device_name (const KtPciDevice *dev)
{
  g_return_val_if_fail (dev != NULL, NULL);

  return g_strdup_printf ("pci_%04x_%02x_%02x_%x", dev->domain, dev->bus, dev->slot,
                          dev->function);
}

/**
 * kt_pci_domain_hostdevs:
 *
 * Returns: (transfer full) (element-type KtPciDevice): the host PCI
 * devices assigned to @domain (<hostdev type='pci'>, and <interface
 * type='hostdev'>), node -1; an address that does not read is left out
 */
GArray *
kt_pci_domain_hostdevs (KtDomain *domain)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (KtPciDevice));
  xmlNode *devices;

  g_return_val_if_fail (KT_IS_DOMAIN (domain), list);

  devices = kt_xml_child (kt_domain_get_root (domain), "devices");
  for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next)
    {
      g_autofree char *type = NULL;
      xmlNode *address;
      KtPciDevice dev = { 0, 0, 0, 0, -1 };
      gboolean ok = TRUE;

      if (n->type != XML_ELEMENT_NODE
          || (!g_str_equal (n->name, "hostdev") && !g_str_equal (n->name, "interface")))
        continue;
      type = kt_xml_prop (n, "type");
      if (g_str_equal (n->name, "hostdev") ? g_strcmp0 (type, "pci") != 0
                                           : g_strcmp0 (type, "hostdev") != 0)
        continue;
      address = kt_xml_child (kt_xml_child (n, "source"), "address");
      if (address == NULL)
        continue;
      for (guint i = 0; i < 4 && ok; i++)
        {
          g_autofree char *text = kt_xml_prop (address, part_names[i]);
          guint *part[] = { &dev.domain, &dev.bus, &dev.slot, &dev.function };

          /* libvirt's default domain is 0 */
          if (text == NULL && i == 0)
            continue;
          ok = parse_part (text, part_max[i], part[i]);
        }
      if (ok)
        g_array_append_val (list, dev);
    }
  return list;
}

const KtPciDevice *
kt_pci_lookup (const GArray      *devices,
               const KtPciDevice *dev)
{
  g_return_val_if_fail (devices != NULL && dev != NULL, NULL);

  for (guint i = 0; i < devices->len; i++)
    {
      const KtPciDevice *d = &g_array_index (devices, KtPciDevice, i);

      if (d->domain == dev->domain && d->bus == dev->bus && d->slot == dev->slot
          && d->function == dev->function)
        return d;
    }
  return NULL;
}
