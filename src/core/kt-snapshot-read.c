/* kt-snapshot-read.c: reading a snapshot document (kt-snapshot.c shows
 * its format) from a string or a file, with its VMs, free memory, node
 * devices and host tuning, or making one from a capabilities file and
 * domain XML files; bad input is refused with an error naming the VM,
 * element or file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-snapshot-private.h"
#include "kt-xml.h"

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

  for (xmlNode *n = kt_xml_child (kt_xml_child (root, "nodeDevices"), "device"); n;
       n = kt_xml_next_named (n->next, "device"))
    {
      g_autofree char *dev = kt_xml_node_to_string (n);

      if (!kt_snapshot_add_node_device (self, dev, error))
        return NULL;
    }

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
