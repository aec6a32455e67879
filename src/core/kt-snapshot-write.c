/* kt-snapshot-write.c: writing a snapshot document (kt-snapshot.c shows
 * its format) and saving it to a file, refusing to overwrite a file that
 * changed since it was loaded or saved (the file stamps kept per path)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libxml/xmlsave.h>
#include <string.h>
#include <sys/stat.h>

#include "kt-file.h"
#include "kt-snapshot-private.h"
#include "kt-xml.h"

static void
append_domain (xmlNode    *vm_node,
               const char *wrapper,
               KtDomain   *domain)
{
  xmlNode *w;

  if (domain == NULL)
    return;
  /* The DOM is what kt_domain_to_xml() writes: copy it, no re-parse */
  xmlAddChild (vm_node, xmlNewDocText (vm_node->doc, (const xmlChar *) "\n    "));
  w = xmlNewChild (vm_node, NULL, (const xmlChar *) wrapper, NULL);
  xmlAddChild (w, xmlNewDocText (vm_node->doc, (const xmlChar *) "\n    "));
  xmlAddChild (w, xmlDocCopyNode (kt_domain_get_root (domain), vm_node->doc, 1));
  xmlAddChild (w, xmlNewDocText (vm_node->doc, (const xmlChar *) "\n    "));
}

static void
append_top (xmlNode    *root,
            const char *xml)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;

  xmlAddChild (root, xmlNewDocText (root->doc, (const xmlChar *) "\n  "));
  doc = kt_xml_parse (xml, -1, "XML", NULL, &error);
  if (doc == NULL)
    g_error ("Snapshot part no longer parses: %s", error->message);
  xmlAddChild (root, xmlDocCopyNode (xmlDocGetRootElement (doc), root->doc, 1));
}

static void
set_int_prop (xmlNode    *node,
              const char *name,
              gint64      value)
{
  char num[32];

  g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, value);
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) num);
}

/* <freeMemory>, when any free figure is known */
static void
append_free_memory (KtSnapshot *self,
                    xmlNode    *root)
{
  KtHost *host = self->host;
  GDateTime *when = kt_host_get_free_time (host);
  g_autofree char *captured = when ? g_date_time_format_iso8601 (when) : NULL;
  xmlNode *free_node = NULL;

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);
      xmlNode *n = NULL;

      for (guint p = 0; p <= node->pages->len; p++)
        {
          const KtHostPages *pg = p > 0 ? &g_array_index (node->pages, KtHostPages, p - 1)
                                        : NULL;
          xmlNode *pages;

          if (p == 0 ? node->free_kib < 0 : pg->free < 0)
            continue;
          if (free_node == NULL)
            {
              xmlAddChild (root, xmlNewDocText (root->doc, (const xmlChar *) "\n  "));
              free_node = xmlNewChild (root, NULL, (const xmlChar *) "freeMemory", NULL);
              xmlSetProp (free_node, (const xmlChar *) "captured",
                          (const xmlChar *) (captured ? captured : self->captured));
            }
          if (n == NULL)
            {
              xmlAddChild (free_node, xmlNewDocText (root->doc, (const xmlChar *) "\n    "));
              n = xmlNewChild (free_node, NULL, (const xmlChar *) "node", NULL);
              set_int_prop (n, "id", node->id);
            }
          if (p == 0)
            {
              set_int_prop (n, "free_kib", node->free_kib);
              continue;
            }
          xmlAddChild (n, xmlNewDocText (root->doc, (const xmlChar *) "\n      "));
          pages = xmlNewChild (n, NULL, (const xmlChar *) "pages", NULL);
          set_int_prop (pages, "size_kib", (gint64) pg->size_kib);
          set_int_prop (pages, "free", pg->free);
        }
      if (n != NULL && n->children != NULL)
        xmlAddChild (n, xmlNewDocText (root->doc, (const xmlChar *) "\n    "));
    }
  if (free_node != NULL)
    xmlAddChild (free_node, xmlNewDocText (root->doc, (const xmlChar *) "\n  "));
}

/**
 * kt_snapshot_to_xml:
 *
 * Returns: (transfer full): the snapshot document
 */
char *
kt_snapshot_to_xml (KtSnapshot *self)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *root, *source;
  xmlChar *mem = NULL;
  int size = 0;
  char *ret;
  guint n;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);

  doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlNewDocNode (doc, NULL, (const xmlChar *) "kvmtune-snapshot", NULL);
  xmlDocSetRootElement (doc, root);
  xmlSetProp (root, (const xmlChar *) "version", (const xmlChar *) "1");

  xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n  "));
  source = xmlNewChild (root, NULL, (const xmlChar *) "source", NULL);
  if (self->uri)
    xmlSetProp (source, (const xmlChar *) "uri", (const xmlChar *) self->uri);
  if (self->hostname)
    xmlSetProp (source, (const xmlChar *) "hostname", (const xmlChar *) self->hostname);
  if (self->captured)
    xmlSetProp (source, (const xmlChar *) "captured", (const xmlChar *) self->captured);

  append_top (root, self->caps_xml);
  if (self->domcaps_xml != NULL)
    append_top (root, self->domcaps_xml);
  append_free_memory (self, root);
  if (self->node_devices != NULL && self->node_devices->len > 0)
    {
      xmlNode *devs;

      xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n  "));
      devs = xmlNewChild (root, NULL, (const xmlChar *) "nodeDevices", NULL);
      for (guint i = 0; i < self->node_devices->len; i++)
        append_top (devs, g_ptr_array_index (self->node_devices, i));
      xmlAddChild (devs, xmlNewDocText (doc, (const xmlChar *) "\n  "));
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);
      xmlNode *node;
      char num[16];

      xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n  "));
      node = xmlNewChild (root, NULL, (const xmlChar *) "vm", NULL);
      xmlSetProp (node, (const xmlChar *) "name", (const xmlChar *) kt_vm_get_name (vm));
      xmlSetProp (node, (const xmlChar *) "state",
                  (const xmlChar *) kt_vm_state_to_string (kt_vm_get_state (vm)));
      if (kt_vm_get_id (vm) >= 0)
        {
          g_snprintf (num, sizeof num, "%d", kt_vm_get_id (vm));
          xmlSetProp (node, (const xmlChar *) "id", (const xmlChar *) num);
        }
      xmlSetProp (node, (const xmlChar *) "persistent",
                  (const xmlChar *) (kt_vm_get_persistent (vm) ? "yes" : "no"));
      if (kt_vm_is_active (vm))
        append_domain (node, "live", kt_vm_get_live (vm));
      append_domain (node, "inactive", kt_vm_get_inactive (vm));
      xmlAddChild (node, xmlNewDocText (doc, (const xmlChar *) "\n  "));
    }
  if (self->host_tuning != NULL)
    {
      xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n  "));
      xmlAddChild (root, kt_host_tuning_to_node (self->host_tuning, doc));
    }
  xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n"));

  xmlDocDumpMemoryEnc (doc, &mem, &size, "UTF-8");
  ret = g_strndup ((const char *) mem, size);
  xmlFree (mem);
  return ret;
}

/**
 * kt_snapshot_get_file_stamp:
 *
 * Returns: (nullable): what @path held when this snapshot was loaded from
 * it or last saved to it; also found by the file's identity when @path is
 * another name of it.  %NULL for any other file.
 */
const KtFileStamp *
kt_snapshot_get_file_stamp (KtSnapshot *self,
                            const char *path)
{
  GHashTableIter iter;
  KtFileStamp *stamp;
  struct stat st;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  stamp = g_hash_table_lookup (self->stamps, path);
  if (stamp != NULL || stat (path, &st) < 0)
    return stamp;
  g_hash_table_iter_init (&iter, self->stamps);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &stamp))
    if (stamp->dev == st.st_dev && stamp->ino == st.st_ino)
      return stamp;
  return NULL;
}

/**
 * kt_snapshot_set_file_stamp:
 * @stamp: (transfer full) (nullable): what @path holds; %NULL forgets it
 */
void
kt_snapshot_set_file_stamp (KtSnapshot  *self,
                            const char  *path,
                            KtFileStamp *stamp)
{
  g_return_if_fail (KT_IS_SNAPSHOT (self));
  g_return_if_fail (path != NULL);

  if (stamp == NULL)
    g_hash_table_remove (self->stamps, path);
  else
    g_hash_table_replace (self->stamps, g_strdup (path), stamp);
}

/**
 * kt_snapshot_save:
 *
 * Writes the snapshot with kt_file_write(): a regular file is replaced
 * atomically (@path holds either the old or the new document, never a
 * part), keeping its mode and owner, or created 0600.  When the snapshot
 * was loaded from @path (or saved to it), the file must still hold what it
 * held then: otherwise the save is refused with %KT_ERROR_CONFLICT.
 */
gboolean
kt_snapshot_save (KtSnapshot  *self,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *xml = NULL;
  g_autoptr(KtFileStamp) stamp = NULL;

  g_return_val_if_fail (KT_IS_SNAPSHOT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  xml = kt_snapshot_to_xml (self);
  if (!kt_file_write (path, xml, strlen (xml), KT_FILE_WRITE_PRIVATE,
                      kt_snapshot_get_file_stamp (self, path), &stamp, error))
    return FALSE;
  if (stamp != NULL)
    kt_snapshot_set_file_stamp (self, path, g_steal_pointer (&stamp));
  return TRUE;
}
