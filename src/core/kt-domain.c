/* kt-domain.c: a libvirt domain definition, edited in place
 *
 * The domain is kept as a libxml2 DOM.  Setters change only the elements
 * they are about.  kt_domain_to_xml() writes every direct child of <domain>
 * that no setter touched as the very bytes it was read from, so comments,
 * foreign namespaces, attribute quoting and element order all survive, and
 * an unedited domain comes back byte-identical.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "kt-domain-private.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-xml.h"

G_DEFINE_FINAL_TYPE (KtDomain, kt_domain, G_TYPE_OBJECT)

/* The order libvirt writes the children of these elements in; new
 * elements go where libvirt would put them. */
static const char * const domain_order[] = {
  "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
  "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
  "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "sysinfo",
  "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff",
  "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap",
  "launchSecurity", NULL
};

static void
kt_domain_finalize (GObject *object)
{
  KtDomain *self = KT_DOMAIN (object);

  g_clear_pointer (&self->original, g_free);
  g_clear_pointer (&self->doc, xmlFreeDoc);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->tuning, kt_tuning_unref);
  g_clear_pointer (&self->pins, kt_pin_index_free);

  G_OBJECT_CLASS (kt_domain_parent_class)->finalize (object);
}

static void
kt_domain_class_init (KtDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_domain_finalize;
}

static void
kt_domain_init (KtDomain *self)
{
  self->dirty = g_hash_table_new (NULL, NULL);
}

/* @path: the file @xml was read from, or NULL; with it, the tuning's
 * errors say the line */
static KtDomain *
domain_new (const char  *xml,
            gssize       len,
            const char  *path,
            GError     **error)
{
  g_autoptr(KtDomain) self = NULL;
  g_autoptr(KtTuning) tuning = NULL;

  g_return_val_if_fail (xml != NULL, NULL);

  if (len < 0)
    len = strlen (xml);

  self = g_object_new (KT_TYPE_DOMAIN, NULL);
  self->doc = kt_xml_parse (xml, len, _("domain XML"), &self->spans, error);
  if (self->doc == NULL)
    return NULL;
  if (path != NULL)
    self->doc->URL = xmlStrdup ((const xmlChar *) path);
  self->original = g_strndup (xml, len);
  self->original_len = len;
  /* libxml2 reads CR LF as LF; written elements get the file's line ends
   * back (those of its first line) */
  {
    const char *nl = memchr (xml, '\n', len);

    self->crlf = nl != NULL && nl > xml && nl[-1] == '\r';
  }

  /* Refuse what is not a domain, or has unreadable tuning, up front */
  tuning = kt_tuning_new_from_node (xmlDocGetRootElement (self->doc), error);
  if (tuning == NULL)
    return NULL;
  self->n_vcpus = tuning->vcpus;
  self->tuning = g_steal_pointer (&tuning);

  return g_steal_pointer (&self);
}

KtDomain *
kt_domain_new_from_xml (const char  *xml,
                        gssize       len,
                        GError     **error)
{
  return domain_new (xml, len, NULL, error);
}

/**
 * kt_domain_new_from_file_data:
 * @data: the contents of file @path
 *
 * Like kt_domain_new_from_file() on contents already read.  The error
 * gives the line in @path where it can, but does not name @path.
 */
KtDomain *
kt_domain_new_from_file_data (const char  *data,
                              gsize        len,
                              const char  *path,
                              GError     **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return domain_new (data, (gssize) len, path, error);
}

/**
 * kt_domain_new_from_file:
 *
 * Returns: (transfer full): the domain, or %NULL with @error set, naming
 *   @path and where it can the line
 */
KtDomain *
kt_domain_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize len;
  KtDomain *domain;

  g_return_val_if_fail (path != NULL, NULL);

  if (!kt_file_read (path, KT_FILE_MAX_SIZE, &data, &len, NULL, error))
    return NULL;
  domain = kt_domain_new_from_file_data (data, len, path, error);
  if (domain == NULL)
    g_prefix_error (error, "%s: ", path);
  return domain;
}

/**
 * kt_domain_copy:
 *
 * Returns: (transfer full): an independent domain with the same XML; its
 * "original" is the current text of @self
 */
KtDomain *
kt_domain_copy (KtDomain *self)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  KtDomain *copy;

  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);

  xml = kt_domain_to_xml (self);
  copy = kt_domain_new_from_xml (xml, -1, &error);
  /* We wrote it ourselves; failing to read it back is a bug */
  if (copy == NULL)
    g_error ("Could not copy domain: %s", error->message);
  return copy;
}

const char *
kt_domain_get_original_xml (KtDomain *self)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);
  return self->original;
}

gboolean
kt_domain_is_modified (KtDomain *self)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);
  return self->modified;
}

xmlNode *
kt_domain_get_root (KtDomain *self)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);
  return xmlDocGetRootElement (self->doc);
}

/**
 * kt_domain_get_tuning:
 *
 * Returns: (transfer full): the tuning as the XML now stands
 */
KtTuning *
kt_domain_get_tuning (KtDomain *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);

  if (self->tuning == NULL)
    {
      self->tuning = kt_tuning_new_from_node (kt_domain_get_root (self), &error);
      /* Setters only write what the parser reads */
      if (self->tuning == NULL)
        g_error ("Edited domain no longer parses: %s", error->message);
    }
  return kt_tuning_ref (self->tuning);
}

/**
 * kt_domain_get_n_vcpus:
 *
 * Returns: the number of vCPUs (<vcpu>), without parsing the tuning again
 */
guint
kt_domain_get_n_vcpus (KtDomain *self)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), 0);
  return self->n_vcpus;
}

const char *
kt_domain_get_name (KtDomain *self)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);

  if (self->tuning == NULL)
    kt_tuning_unref (kt_domain_get_tuning (self));
  return self->tuning->name;
}

/* Writing ---------------------------------------------------------------- */

static void
dump_node (KtDomain *self,
           GString  *out,
           xmlNode  *node)
{
  xmlBuffer *buf = xmlBufferCreate ();
  xmlSaveCtxt *save = xmlSaveToBuffer (buf, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_AS_XML);
  const char *text;
  int len;

  xmlSaveTree (save, node);
  xmlSaveClose (save);
  text = (const char *) xmlBufferContent (buf);
  len = xmlBufferLength (buf);
  if (!self->crlf)
    g_string_append_len (out, text, len);
  else
    {
      /* Every LF libxml2 writes outside markup was a line end (it escapes
       * a CR of the content as &#13; and LFs in attributes as &#10;) */
      for (int i = 0; i < len; i++)
        {
          if (text[i] == '\n')
            g_string_append_c (out, '\r');
          g_string_append_c (out, text[i]);
        }
    }
  xmlBufferFree (buf);
}

/**
 * kt_domain_to_xml:
 *
 * Returns: (transfer full): the domain XML, with every untouched direct
 * child of <domain> exactly as it was read
 */
char *
kt_domain_to_xml (KtDomain *self)
{
  xmlNode *root;
  const KtXmlSpan *rspan;
  GString *out;
  gsize etag;

  g_return_val_if_fail (KT_IS_DOMAIN (self), NULL);

  if (!self->modified)
    return g_strndup (self->original, self->original_len);

  root = kt_domain_get_root (self);
  rspan = kt_xml_node_span (self->spans, root);
  out = g_string_sized_new (self->original_len + 256);

  if (rspan == NULL || rspan->end == 0 || rspan->stag_end == rspan->end)
    {
      /* No usable record of the original (e.g. <domain/>): write it all */
      if (rspan != NULL)
        g_string_append_len (out, self->original, rspan->start);
      dump_node (self, out, root);
      if (rspan != NULL && rspan->end > 0)
        g_string_append_len (out, self->original + rspan->end, self->original_len - rspan->end);
      return g_string_free (out, FALSE);
    }

  /* Prolog and the <domain ...> start tag */
  g_string_append_len (out, self->original, rspan->stag_end);

  for (xmlNode *child = root->children; child; child = child->next)
    {
      const KtXmlSpan *span = kt_xml_node_span (self->spans, child);

      if (child->type == XML_ELEMENT_NODE && span != NULL && span->end > span->start
          && !g_hash_table_contains (self->dirty, child))
        g_string_append_len (out, self->original + span->start, span->end - span->start);
      else
        dump_node (self, out, child);
    }

  /* </domain> and whatever follows it */
  etag = rspan->end;
  while (etag > rspan->stag_end && self->original[etag - 1] != '<')
    etag--;
  etag = etag > rspan->stag_end ? etag - 1 : rspan->end;
  g_string_append_len (out, self->original + etag, self->original_len - etag);

  return g_string_free (out, FALSE);
}

/* Editing helpers -------------------------------------------------------- */

void
_kt_domain_mark_dirty (KtDomain *self,
                       xmlNode  *node)
{
  xmlNode *root = kt_domain_get_root (self);

  while (node != NULL && node->parent != root)
    node = node->parent;
  if (node != NULL)
    g_hash_table_add (self->dirty, node);
  self->modified = TRUE;
  g_clear_pointer (&self->tuning, kt_tuning_unref);
}

static int
node_depth (xmlNode *node)
{
  int depth = 0;

  while (node->parent != NULL && node->parent->type == XML_ELEMENT_NODE)
    {
      depth++;
      node = node->parent;
    }
  return depth;
}

static gboolean
is_blank_text (xmlNode *node)
{
  return node != NULL && node->type == XML_TEXT_NODE && xmlIsBlankNode (node);
}

/* What follows the last newline of a blank text node: its indentation */
static const char *
indent_of (xmlNode *blank)
{
  const char *text, *nl;

  if (!is_blank_text (blank))
    return NULL;
  text = (const char *) blank->content;
  nl = strrchr (text, '\n');
  return nl != NULL ? nl + 1 : NULL;
}

/* The document's indentation: that of </domain> (the base, non-empty when
 * the domain sits inside a snapshot) and the step to its children */
static void
indentation (KtDomain  *self,
             char     **base,
             char     **unit)
{
  xmlNode *root = kt_domain_get_root (self);
  const char *child = indent_of (root->children);
  const char *closing = indent_of (root->last);

  *base = g_strdup (closing ? closing : "");
  if (child != NULL && g_str_has_prefix (child, *base) && strlen (child) > strlen (*base))
    *unit = g_strdup (child + strlen (*base));
  else
    *unit = g_strdup ("  ");
}

static xmlNode *
new_indent (KtDomain *self,
            int       depth)
{
  g_autofree char *base = NULL;
  g_autofree char *unit = NULL;
  g_autoptr(GString) s = g_string_new ("\n");

  indentation (self, &base, &unit);
  g_string_append (s, base);
  for (int i = 0; i < depth; i++)
    g_string_append (s, unit);
  return xmlNewDocText (self->doc, (const xmlChar *) s->str);
}

static int
order_index (const char * const *order,
             const char         *name)
{
  for (int i = 0; order[i]; i++)
    if (g_str_equal (order[i], name))
      return i;
  return -1;
}

/* Put @elem into @parent in front of @before (or last), indented */
void
_kt_domain_insert_element (KtDomain *self,
                           xmlNode  *parent,
                           xmlNode  *elem,
                           xmlNode  *before)
{
  int depth = node_depth (parent);
  xmlNode *last = parent->last;

  if (before != NULL)
    {
      xmlAddPrevSibling (before, elem);
      xmlAddNextSibling (elem, new_indent (self, depth + 1));
    }
  else if (last == NULL || (last == parent->children && is_blank_text (last)))
    {
      /* Empty parent: <x/> or <x>  </x> */
      if (last != NULL)
        {
          xmlUnlinkNode (last);
          xmlFreeNode (last);
        }
      xmlAddChild (parent, new_indent (self, depth + 1));
      xmlAddChild (parent, elem);
      xmlAddChild (parent, new_indent (self, depth));
    }
  else if (is_blank_text (last))
    {
      /* The element first: libxml2 merges a text node added next to
       * another text node into it, which would put the indent after elem */
      xmlAddPrevSibling (last, elem);
      xmlAddPrevSibling (elem, new_indent (self, depth + 1));
    }
  else
    {
      xmlAddChild (parent, new_indent (self, depth + 1));
      xmlAddChild (parent, elem);
      xmlAddChild (parent, new_indent (self, depth));
    }
  _kt_domain_mark_dirty (self, elem);
}

void
_kt_domain_remove_element (KtDomain *self,
                           xmlNode  *elem)
{
  xmlNode *parent = elem->parent;
  xmlNode *prev = elem->prev;

  if (self->pins != NULL && !kt_pin_index_forget (self->pins, elem))
    g_clear_pointer (&self->pins, kt_pin_index_free);
  _kt_domain_mark_dirty (self, elem);
  if (parent == kt_domain_get_root (self))
    g_hash_table_remove (self->dirty, elem);
  if (is_blank_text (prev))
    {
      xmlUnlinkNode (prev);
      xmlFreeNode (prev);
    }
  xmlUnlinkNode (elem);
  xmlFreeNode (elem);
  /* Nothing but blanks left: make it <x/> again */
  if (parent != NULL && parent->children != NULL && parent->children == parent->last
      && is_blank_text (parent->children))
    {
      xmlNode *blank = parent->children;

      xmlUnlinkNode (blank);
      xmlFreeNode (blank);
    }
}

/* Where a new child called @name belongs in @parent: in front of the first
 * child that libvirt writes after it */
xmlNode *
_kt_domain_insertion_point (xmlNode            *parent,
                            const char         *name,
                            const char * const *order)
{
  int idx = order_index (order, name);

  for (xmlNode *c = parent->children; c; c = c->next)
    {
      int ci;

      if (c->type != XML_ELEMENT_NODE || c->ns != NULL)
        continue;
      ci = order_index (order, (const char *) c->name);
      if (ci > idx && idx >= 0)
        return c;
    }
  return NULL;
}

xmlNode *
_kt_domain_ensure_child (KtDomain           *self,
                         xmlNode            *parent,
                         const char         *name,
                         const char * const *order)
{
  xmlNode *child = kt_xml_child (parent, name);

  if (child == NULL)
    {
      child = xmlNewDocNode (self->doc, NULL, (const xmlChar *) name, NULL);
      _kt_domain_insert_element (self, parent, child,
                                 _kt_domain_insertion_point (parent, name, order));
    }
  return child;
}

xmlNode *
_kt_domain_ensure_top (KtDomain   *self,
                       const char *name)
{
  return _kt_domain_ensure_child (self, kt_domain_get_root (self), name, domain_order);
}

void
_kt_domain_set_prop (KtDomain   *self,
                     xmlNode    *node,
                     const char *name,
                     const char *value)
{
  g_autofree char *old = kt_xml_prop (node, name);

  if (g_strcmp0 (old, value) == 0)
    return;
  if (value == NULL)
    xmlUnsetProp (node, (const xmlChar *) name);
  else
    xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) value);
  _kt_domain_mark_dirty (self, node);
}

void
_kt_domain_set_prop_cpuset (KtDomain       *self,
                            xmlNode        *node,
                            const char     *name,
                            const KtCpuset *set)
{
  g_autofree char *text = kt_cpuset_format (set);

  _kt_domain_set_prop (self, node, name, text);
}

/* Drops @node when it has neither children nor attributes left */
void
_kt_domain_remove_if_empty (KtDomain *self,
                            xmlNode  *node)
{
  for (xmlNode *c = node->children; c; c = c->next)
    if (!is_blank_text (c))
      return;
  if (node->properties != NULL)
    return;
  _kt_domain_remove_element (self, node);
}

/* A number attribute read as KtTuning reads it (blanks around allowed),
 * so that a setter finds the very element the parser saw */
static gboolean
attr_uint (xmlNode    *node,
           const char *attr,
           guint64    *value)
{
  return kt_xml_prop_bounded (node, attr, G_MAXUINT, value, NULL);
}

xmlNode *
_kt_domain_find_by_uint_attr (xmlNode    *parent,
                              const char *name,
                              const char *attr,
                              guint       value)
{
  for (xmlNode *c = kt_xml_child (parent, name); c; c = kt_xml_next_named (c->next, name))
    {
      guint64 u;

      if (attr_uint (c, attr, &u) && u == value)
        return c;
    }
  return NULL;
}

/* Keeps <vcpupin>, <iothreadpin> and <memnode> sorted by their number */
xmlNode *
_kt_domain_sorted_insertion_point (xmlNode            *parent,
                                   const char         *name,
                                   const char         *attr,
                                   guint               value,
                                   const char * const *order)
{
  xmlNode *last_same = NULL;

  for (xmlNode *c = kt_xml_child (parent, name); c; c = kt_xml_next_named (c->next, name))
    {
      guint64 u;

      if (attr_uint (c, attr, &u) && u > value)
        return c;
      last_same = c;
    }
  if (last_same != NULL)
    {
      /* After the last one: in front of whatever follows it */
      for (xmlNode *n = last_same->next; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
          return n;
      return NULL;
    }
  return _kt_domain_insertion_point (parent, name, order);
}
