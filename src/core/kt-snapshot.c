/* kt-snapshot.c: a host and its VMs, as one offline document
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
#include <libxml/xmlsave.h>
#include <string.h>
#include <sys/stat.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-snapshot.h"
#include "kt-xml.h"

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
};

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

static KtDomain *
domain_from_wrapper (xmlNode     *wrapper,
                     const char  *vm_name,
                     GError     **error)
{
  xmlNode *domain = kt_xml_child (wrapper, "domain");
  g_autofree char *xml = NULL;
  KtDomain *ret;

  if (wrapper == NULL)
    return NULL;
  if (domain == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("VM “%s”: <%s> holds no <domain>"), vm_name, (const char *) wrapper->name);
      return NULL;
    }
  xml = kt_xml_node_to_string (domain);
  ret = kt_domain_new_from_xml (xml, -1, error);
  if (ret == NULL)
    g_prefix_error (error, _("VM “%s”: "), vm_name);
  return ret;
}

static KtVm *
parse_vm (xmlNode  *node,
          GError  **error)
{
  g_autofree char *name = kt_xml_prop (node, "name");
  g_autofree char *state_text = kt_xml_prop (node, "state");
  g_autofree char *persistent = kt_xml_prop (node, "persistent");
  g_autofree char *id_text = kt_xml_prop (node, "id");
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) inactive = NULL;
  xmlNode *live_node = kt_xml_child (node, "live");
  xmlNode *inactive_node = kt_xml_child (node, "inactive");
  KtVmState state = KT_VM_STATE_SHUTOFF;
  int id = -1;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, _("A <vm> has no name"));
      return NULL;
    }
  if (state_text != NULL && !kt_vm_state_from_string (state_text, &state))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("VM “%s” has an unknown state “%s”"), name, state_text);
      return NULL;
    }
  if (id_text != NULL)
    {
      guint64 v;

      if (!kt_xml_parse_uint64 (id_text, G_MAXINT, &v, "<vm id=>", error))
        return NULL;
      id = (int) v;
    }
  if (live_node != NULL && (live = domain_from_wrapper (live_node, name, error)) == NULL)
    return NULL;
  if (inactive_node != NULL
      && (inactive = domain_from_wrapper (inactive_node, name, error)) == NULL)
    return NULL;
  if (live == NULL && inactive == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("VM “%s” has neither a <live> nor an <inactive> definition"), name);
      return NULL;
    }
  if (live != NULL && !kt_vm_state_is_active (state))
    {
      /* A live definition of a VM that does not run is stale */
      g_clear_object (&live);
      if (inactive == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                       _("VM “%s” is %s but has no <inactive> definition"), name, state_text);
          return NULL;
        }
    }
  if (live == NULL && kt_vm_state_is_active (state))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("VM “%s” is %s but has no <live> definition"), name, state_text);
      return NULL;
    }

  return kt_vm_new (name, state, id,
                    persistent ? g_strcmp0 (persistent, "no") != 0 : inactive != NULL,
                    live, inactive);
}

/* <freeMemory>: free memory and free huge pages per node, as they were
 * when the snapshot was captured; the host keeps when that was */
static gboolean
parse_free_memory (KtSnapshot  *self,
                   xmlNode     *free_node,
                   GError     **error)
{
  g_autofree char *captured = kt_xml_prop (free_node, "captured");
  g_autoptr(GDateTime) when = NULL;
  const char *time_text = captured != NULL ? captured : self->captured;

  if (time_text != NULL)
    when = g_date_time_new_from_iso8601 (time_text, NULL);
  if (when == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<freeMemory captured=> “%s” is not an ISO 8601 date and time"),
                   time_text ? time_text : "");
      return FALSE;
    }

  for (xmlNode *n = kt_xml_child (free_node, "node"); n; n = kt_xml_next_named (n->next, "node"))
    {
      int id;
      guint64 v;

      if (!kt_xml_prop_int (n, "id", &id, error))
        return FALSE;
      if (xmlHasProp (n, (const xmlChar *) "free_kib"))
        {
          if (!kt_xml_prop_bounded (n, "free_kib", G_MAXINT64, &v, error))
            return FALSE;
          kt_host_set_free_memory (self->host, id, (gint64) v);
        }
      for (xmlNode *p = kt_xml_child (n, "pages"); p; p = kt_xml_next_named (p->next, "pages"))
        {
          guint64 size;

          if (!kt_xml_prop_uint64 (p, "size_kib", &size, error)
              || !kt_xml_prop_bounded (p, "free", G_MAXINT64, &v, error))
            return FALSE;
          kt_host_set_free_pages (self->host, id, size, (gint64) v);
        }
    }
  kt_host_set_free_time (self->host, when);
  return TRUE;
}

/**
 * kt_snapshot_load_xml:
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
KtSnapshot *
kt_snapshot_load_xml (const char  *xml,
                      gssize       len,
                      GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(KtSnapshot) self = NULL;
  g_autofree char *version = NULL;
  g_autofree char *caps_xml = NULL;
  g_autofree char *domcaps_xml = NULL;
  xmlNode *root, *caps, *domcaps, *source, *free_node;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = kt_xml_parse (xml, len, _("snapshot"), NULL, error);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (!g_str_equal (root->name, "kvmtune-snapshot"))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("Not a KvmTune snapshot: the root element is <%s>"),
                   (const char *) root->name);
      return NULL;
    }
  version = kt_xml_prop (root, "version");
  if (g_strcmp0 (version, "1") != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Snapshot version “%s” is not supported (this KvmTune reads version 1)"),
                   version ? version : "");
      return NULL;
    }
  caps = kt_xml_child (root, "capabilities");
  if (caps == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The snapshot has no <capabilities>"));
      return NULL;
    }
  caps_xml = kt_xml_node_to_string (caps);
  if ((domcaps = kt_xml_child (root, "domainCapabilities")) != NULL)
    domcaps_xml = kt_xml_node_to_string (domcaps);

  self = kt_snapshot_new (caps_xml, domcaps_xml, error);
  if (self == NULL)
    return NULL;

  if ((source = kt_xml_child (root, "source")) != NULL)
    {
      g_autofree char *captured = kt_xml_prop (source, "captured");

      self->uri = kt_xml_prop (source, "uri");
      self->hostname = kt_xml_prop (source, "hostname");
      if (captured != NULL)
        {
          g_free (self->captured);
          self->captured = g_steal_pointer (&captured);
        }
    }

  if ((free_node = kt_xml_child (root, "freeMemory")) != NULL
      && !parse_free_memory (self, free_node, error))
    return NULL;

  for (xmlNode *n = kt_xml_child (root, "vm"); n; n = kt_xml_next_named (n->next, "vm"))
    {
      g_autoptr(KtVm) vm = parse_vm (n, error);

      if (vm == NULL || !kt_snapshot_add_vm (self, vm, error))
        return NULL;
    }

  {
    xmlNode *tuning = kt_xml_child (root, "host-tuning");

    if (tuning != NULL
        && (self->host_tuning = kt_host_tuning_new_from_node (tuning, error)) == NULL)
      return NULL;
  }

  return g_steal_pointer (&self);
}

KtSnapshot *
kt_snapshot_load_file (const char  *path,
                       GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(KtFileStamp) stamp = NULL;
  gsize len;
  KtSnapshot *self;

  g_return_val_if_fail (path != NULL, NULL);

  if (!kt_file_read (path, KT_FILE_MAX_SIZE, &data, &len, &stamp, error))
    return NULL;
  self = kt_snapshot_load_xml (data, len, error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);
  else
    kt_snapshot_set_file_stamp (self, path, g_steal_pointer (&stamp));
  return self;
}

/**
 * kt_snapshot_new_from_files:
 * @domain_paths: (nullable): domain XML files; each becomes a shut-off VM
 */
KtSnapshot *
kt_snapshot_new_from_files (const char         *caps_path,
                            const char * const *domain_paths,
                            GError            **error)
{
  g_autofree char *caps_xml = NULL;
  g_autoptr(KtSnapshot) self = NULL;
  gsize caps_len;

  g_return_val_if_fail (caps_path != NULL, NULL);

  if (!kt_file_read (caps_path, KT_FILE_MAX_SIZE, &caps_xml, &caps_len, NULL, error))
    return NULL;
  /* Checked with its length: a NUL byte must not hide what follows it */
  if (kt_xml_check_text (caps_xml, caps_len, _("capabilities XML"), error))
    self = kt_snapshot_new (caps_xml, NULL, error);
  if (self == NULL)
    {
      g_prefix_error (error, "%s: ", caps_path);
      return NULL;
    }
  self->uri = g_strdup (caps_path);

  for (guint i = 0; domain_paths && domain_paths[i]; i++)
    {
      g_autofree char *xml = NULL;
      g_autoptr(KtFileStamp) stamp = NULL;
      g_autoptr(KtDomain) domain = NULL;
      g_autoptr(KtVm) vm = NULL;
      gsize len;

      if (!kt_file_read (domain_paths[i], KT_FILE_MAX_SIZE, &xml, &len, &stamp, error))
        return NULL;
      domain = kt_domain_new_from_xml (xml, len, error);
      if (domain == NULL)
        {
          g_prefix_error (error, "%s: ", domain_paths[i]);
          return NULL;
        }
      kt_snapshot_set_file_stamp (self, domain_paths[i], g_steal_pointer (&stamp));
      vm = kt_vm_new (kt_domain_get_name (domain), KT_VM_STATE_SHUTOFF, -1, TRUE, NULL, domain);
      if (!kt_snapshot_add_vm (self, vm, error))
        {
          g_prefix_error (error, "%s: ", domain_paths[i]);
          return NULL;
        }
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

/* Writing ---------------------------------------------------------------- */

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
