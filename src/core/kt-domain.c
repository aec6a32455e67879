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

#include "kt-domain.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-pin-index.h"
#include "kt-xml.h"

struct _KtDomain
{
  GObject     parent_instance;

  char       *original;     /* the text it was parsed from */
  gsize       original_len;
  xmlDoc     *doc;
  GArray     *spans;        /* KtXmlSpan of <domain> and its children */
  GHashTable *dirty;        /* direct children of <domain> that were edited */
  gboolean    crlf;         /* its lines end in CR LF */
  gboolean    modified;
  KtTuning   *tuning;       /* cache, dropped on every edit */
  guint       n_vcpus;      /* <vcpu>, which no setter changes */

  /* <vcpupin> by vCPU, so that pinning thousands of vCPUs is linear;
   * built on the first pin, NULL until then or when unusable */
  KtPinIndex *pins;
  gboolean    pins_unusable; /* a <vcpupin> the index cannot stand for */
};

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
static const char * const cputune_order[] = {
  "shares", "period", "quota", "global_period", "global_quota", "emulator_period",
  "emulator_quota", "iothread_period", "iothread_quota", "vcpupin", "emulatorpin",
  "iothreadpin", "vcpusched", "iothreadsched", "emulatorsched", "cachetune", "memorytune",
  NULL
};
static const char * const numatune_order[] = { "memory", "memnode", NULL };
static const char * const memory_backing_order[] = {
  "hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard", NULL
};
static const char * const memtune_order[] = {
  "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee", NULL
};
static const char * const cpu_order[] = {
  "model", "vendor", "microcode", "topology", "cache", "maxphysaddr", "feature", "numa", NULL
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

static void
mark_dirty (KtDomain *self,
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
static void
insert_element (KtDomain *self,
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
  mark_dirty (self, elem);
}

static void
remove_element (KtDomain *self,
                xmlNode  *elem)
{
  xmlNode *parent = elem->parent;
  xmlNode *prev = elem->prev;

  if (self->pins != NULL && !kt_pin_index_forget (self->pins, elem))
    g_clear_pointer (&self->pins, kt_pin_index_free);
  mark_dirty (self, elem);
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
static xmlNode *
insertion_point (xmlNode            *parent,
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

static xmlNode *
ensure_child (KtDomain           *self,
              xmlNode            *parent,
              const char         *name,
              const char * const *order)
{
  xmlNode *child = kt_xml_child (parent, name);

  if (child == NULL)
    {
      child = xmlNewDocNode (self->doc, NULL, (const xmlChar *) name, NULL);
      insert_element (self, parent, child, insertion_point (parent, name, order));
    }
  return child;
}

static xmlNode *
ensure_top (KtDomain   *self,
            const char *name)
{
  return ensure_child (self, kt_domain_get_root (self), name, domain_order);
}

static void
set_prop (KtDomain   *self,
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
  mark_dirty (self, node);
}

static void
set_prop_cpuset (KtDomain       *self,
                 xmlNode        *node,
                 const char     *name,
                 const KtCpuset *set)
{
  g_autofree char *text = kt_cpuset_format (set);

  set_prop (self, node, name, text);
}

/* Drops @node when it has neither children nor attributes left */
static void
remove_if_empty (KtDomain *self,
                 xmlNode  *node)
{
  for (xmlNode *c = node->children; c; c = c->next)
    if (!is_blank_text (c))
      return;
  if (node->properties != NULL)
    return;
  remove_element (self, node);
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

static xmlNode *
find_by_uint_attr (xmlNode    *parent,
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
static xmlNode *
sorted_insertion_point (xmlNode            *parent,
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
  return insertion_point (parent, name, order);
}

/* The <vcpupin> index (kt-pin-index.c) ------------------------------------ */

/* Builds the index, once; FALSE when the pins are such that it cannot
 * stand for them (then the setters search the document) */
static gboolean
pins_ensure (KtDomain *self)
{
  if (self->pins == NULL && !self->pins_unusable)
    {
      self->pins = kt_pin_index_new (kt_xml_child (kt_domain_get_root (self), "cputune"),
                                     self->n_vcpus);
      self->pins_unusable = self->pins == NULL;
    }
  return self->pins != NULL;
}

static gboolean
set_vcpu_pin (KtDomain       *self,
              guint           vcpu,
              const KtCpuset *cpuset)
{
  xmlNode *cputune, *pin;

  pin = kt_pin_index_lookup (self->pins, vcpu);
  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          cputune = pin->parent;
          remove_element (self, pin);
          remove_if_empty (self, cputune);
        }
      return TRUE;
    }
  if (pin == NULL)
    {
      xmlNode *before;
      char num[16];

      cputune = ensure_top (self, "cputune");
      pin = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "vcpupin", NULL);
      g_snprintf (num, sizeof num, "%u", vcpu);
      xmlSetProp (pin, (const xmlChar *) "vcpu", (const xmlChar *) num);
      if (!kt_pin_index_insertion_point (self->pins, vcpu, &before))
        before = insertion_point (cputune, "vcpupin", cputune_order);
      insert_element (self, cputune, pin, before);
      kt_pin_index_add (self->pins, vcpu, pin);
    }
  set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

static gboolean
set_pin (KtDomain       *self,
         const char     *element,
         const char     *attr,
         guint           id,
         const KtCpuset *cpuset)
{
  xmlNode *cputune = kt_xml_child (kt_domain_get_root (self), "cputune");
  xmlNode *pin = find_by_uint_attr (cputune, element, attr, id);

  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          remove_element (self, pin);
          remove_if_empty (self, cputune);
        }
      return TRUE;
    }

  if (pin == NULL)
    {
      char num[16];

      cputune = ensure_top (self, "cputune");
      pin = xmlNewDocNode (self->doc, NULL, (const xmlChar *) element, NULL);
      g_snprintf (num, sizeof num, "%u", id);
      xmlSetProp (pin, (const xmlChar *) attr, (const xmlChar *) num);
      insert_element (self, cputune, pin,
                      sorted_insertion_point (cputune, element, attr, id, cputune_order));
    }
  set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

static gboolean
check_cpuset (const KtCpuset  *set,
              GError         **error)
{
  if (set != NULL && kt_cpuset_is_empty (set))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("The cpuset is empty"));
      return FALSE;
    }
  return TRUE;
}

/* Setters ---------------------------------------------------------------- */

/**
 * kt_domain_set_vcpupin:
 * @cpuset: (nullable): the pCPUs, or %NULL to unpin
 */
gboolean
kt_domain_set_vcpupin (KtDomain        *self,
                       guint            vcpu,
                       const KtCpuset  *cpuset,
                       GError         **error)
{
  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  /* No kt_domain_get_tuning () here: after an edit it parses the whole
   * domain again, and pinning every vCPU would be quadratic */
  if (vcpu >= self->n_vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no vCPU %u (it has %u)"), kt_domain_get_name (self),
                   vcpu, self->n_vcpus);
      return FALSE;
    }
  if (!check_cpuset (cpuset, error))
    return FALSE;
  if (pins_ensure (self))
    return set_vcpu_pin (self, vcpu, cpuset);
  return set_pin (self, "vcpupin", "vcpu", vcpu, cpuset);
}

gboolean
kt_domain_set_emulatorpin (KtDomain        *self,
                           const KtCpuset  *cpuset,
                           GError         **error)
{
  xmlNode *cputune, *pin;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_cpuset (cpuset, error))
    return FALSE;
  cputune = kt_xml_child (kt_domain_get_root (self), "cputune");
  pin = kt_xml_child (cputune, "emulatorpin");
  if (cpuset == NULL)
    {
      if (pin != NULL)
        {
          remove_element (self, pin);
          remove_if_empty (self, cputune);
        }
      return TRUE;
    }
  cputune = ensure_top (self, "cputune");
  pin = ensure_child (self, cputune, "emulatorpin", cputune_order);
  set_prop_cpuset (self, pin, "cpuset", cpuset);
  return TRUE;
}

gboolean
kt_domain_set_iothreadpin (KtDomain        *self,
                           guint            iothread,
                           const KtCpuset  *cpuset,
                           GError         **error)
{
  g_autoptr(KtTuning) t = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  if (!kt_tuning_has_iothread (t, iothread))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no IOThread %u (it has %u)"),
                   t->name, iothread, t->iothreads);
      return FALSE;
    }
  if (!check_cpuset (cpuset, error))
    return FALSE;
  return set_pin (self, "iothreadpin", "iothread", iothread, cpuset);
}

gboolean
kt_numa_mode_is_valid (const char *mode)
{
  return g_strcmp0 (mode, "strict") == 0 || g_strcmp0 (mode, "interleave") == 0
         || g_strcmp0 (mode, "preferred") == 0 || g_strcmp0 (mode, "restrictive") == 0;
}

/* mode= of <memory> and <memnode>: strict when left out, which stays so */
static void
set_numa_mode (KtDomain   *self,
               xmlNode    *node,
               const char *mode)
{
  if (g_str_equal (mode, "strict") && !xmlHasProp (node, (const xmlChar *) "mode"))
    return;
  set_prop (self, node, "mode", mode);
}

static gboolean
check_numa_mode (const char  *mode,
                 GError     **error)
{
  if (mode != NULL && !kt_numa_mode_is_valid (mode))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown memory mode “%s” (use strict, interleave, preferred or restrictive)"),
                   mode);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_domain_set_numatune:
 * @mode: (nullable): the memory mode, or %NULL to keep it
 * @nodeset: (nullable): host nodes, or %NULL to keep them
 */
gboolean
kt_domain_set_numatune (KtDomain        *self,
                        const char      *mode,
                        const KtCpuset  *nodeset,
                        GError         **error)
{
  xmlNode *numatune, *memory;
  g_autofree char *placement = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_numa_mode (mode, error) || !check_cpuset (nodeset, error))
    return FALSE;
  if (mode == NULL && nodeset == NULL)
    return TRUE;

  memory = kt_xml_child (kt_xml_child (kt_domain_get_root (self), "numatune"), "memory");
  placement = kt_xml_prop (memory, "placement");
  if (nodeset == NULL && !xmlHasProp (memory, (const xmlChar *) "nodeset")
      && g_strcmp0 (placement, "auto") != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Setting the memory mode needs a nodeset: the domain has none"));
      return FALSE;
    }

  numatune = ensure_top (self, "numatune");
  memory = ensure_child (self, numatune, "memory", numatune_order);
  if (mode != NULL)
    set_numa_mode (self, memory, mode);
  if (nodeset != NULL)
    {
      /* A nodeset is static placement */
      if (g_strcmp0 (placement, "auto") == 0)
        set_prop (self, memory, "placement", NULL);
      set_prop_cpuset (self, memory, "nodeset", nodeset);
    }
  return TRUE;
}

gboolean
kt_domain_set_memnode (KtDomain        *self,
                       guint            cellid,
                       const char      *mode,
                       const KtCpuset  *nodeset,
                       GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *numatune, *memnode;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!check_numa_mode (mode, error) || !check_cpuset (nodeset, error))
    return FALSE;
  t = kt_domain_get_tuning (self);
  if (kt_tuning_lookup_cell (t, cellid) == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Domain “%s” has no guest NUMA cell %u"), t->name, cellid);
      return FALSE;
    }

  numatune = kt_xml_child (kt_domain_get_root (self), "numatune");
  memnode = find_by_uint_attr (numatune, "memnode", "cellid", cellid);
  if (nodeset == NULL)
    {
      if (memnode != NULL)
        {
          remove_element (self, memnode);
          remove_if_empty (self, numatune);
        }
      return TRUE;
    }
  if (memnode == NULL)
    {
      char num[16];

      numatune = ensure_top (self, "numatune");
      memnode = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "memnode", NULL);
      g_snprintf (num, sizeof num, "%u", cellid);
      xmlSetProp (memnode, (const xmlChar *) "cellid", (const xmlChar *) num);
      /* libvirt writes the mode of a memnode */
      xmlSetProp (memnode, (const xmlChar *) "mode", (const xmlChar *) (mode ? mode : "strict"));
      insert_element (self, numatune, memnode,
                      sorted_insertion_point (numatune, "memnode", "cellid", cellid,
                                              numatune_order));
    }
  set_numa_mode (self, memnode, mode ? mode : "strict");
  set_prop_cpuset (self, memnode, "nodeset", nodeset);
  return TRUE;
}

/**
 * kt_domain_set_hugepages:
 * @size_kib: the page size, or 0 to stop using huge pages
 * @nodeset: (nullable): guest NUMA cells the size applies to
 */
gboolean
kt_domain_set_hugepages (KtDomain        *self,
                         guint64          size_kib,
                         const KtCpuset  *nodeset,
                         GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *mb, *hugepages, *page;
  char num[32];

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  mb = kt_xml_child (kt_domain_get_root (self), "memoryBacking");
  hugepages = kt_xml_child (mb, "hugepages");

  if (size_kib == 0)
    {
      if (hugepages != NULL)
        {
          remove_element (self, hugepages);
          remove_if_empty (self, mb);
        }
      return TRUE;
    }

  if (t->memory_kib % size_kib != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Huge pages of %llu KiB do not divide the memory of “%s” (%llu KiB)"),
                   (unsigned long long) size_kib, t->name,
                   (unsigned long long) t->memory_kib);
      return FALSE;
    }
  if (nodeset != NULL)
    {
      if (!check_cpuset (nodeset, error))
        return FALSE;
      for (int c = kt_cpuset_first (nodeset); c >= 0; c = kt_cpuset_next (nodeset, c))
        if (kt_tuning_lookup_cell (t, (guint) c) == NULL)
          {
            g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                         _("Domain “%s” has no guest NUMA cell %d for huge pages"), t->name, c);
            return FALSE;
          }
    }

  /* Already so (whatever unit it is written in): nothing to write */
  if (t->has_hugepages && t->hugepages->len == 1)
    {
      const KtHugepage *h = &g_array_index (t->hugepages, KtHugepage, 0);

      if (h->size_kib == size_kib && kt_cpuset_same (h->nodeset, nodeset))
        return TRUE;
    }

  mb = ensure_top (self, "memoryBacking");
  hugepages = ensure_child (self, mb, "hugepages", memory_backing_order);
  /* One page size for the chosen cells replaces what was there */
  while ((page = kt_xml_child (hugepages, "page")) != NULL)
    remove_element (self, page);
  page = xmlNewDocNode (self->doc, NULL, (const xmlChar *) "page", NULL);
  g_snprintf (num, sizeof num, "%" G_GUINT64_FORMAT, size_kib);
  xmlSetProp (page, (const xmlChar *) "size", (const xmlChar *) num);
  xmlSetProp (page, (const xmlChar *) "unit", (const xmlChar *) "KiB");
  if (nodeset != NULL)
    {
      g_autofree char *ns = kt_cpuset_format (nodeset);

      xmlSetProp (page, (const xmlChar *) "nodeset", (const xmlChar *) ns);
    }
  insert_element (self, hugepages, page, NULL);
  return TRUE;
}

static void
set_flag_element (KtDomain   *self,
                  const char *name,
                  gboolean    enabled)
{
  xmlNode *mb = kt_xml_child (kt_domain_get_root (self), "memoryBacking");
  xmlNode *flag = kt_xml_child (mb, name);

  if (enabled && flag == NULL)
    {
      mb = ensure_top (self, "memoryBacking");
      ensure_child (self, mb, name, memory_backing_order);
    }
  else if (!enabled && flag != NULL)
    {
      remove_element (self, flag);
      remove_if_empty (self, mb);
    }
}

void
kt_domain_set_nosharepages (KtDomain *self,
                            gboolean  enabled)
{
  g_return_if_fail (KT_IS_DOMAIN (self));
  set_flag_element (self, "nosharepages", enabled);
}

void
kt_domain_set_locked (KtDomain *self,
                      gboolean  enabled)
{
  g_return_if_fail (KT_IS_DOMAIN (self));
  set_flag_element (self, "locked", enabled);
}

/**
 * kt_domain_set_memtune_hard_limit:
 * @kib: the limit, or -1 to remove it
 */
gboolean
kt_domain_set_memtune_hard_limit (KtDomain  *self,
                                  gint64     kib,
                                  GError   **error)
{
  xmlNode *memtune, *limit;
  char num[32];

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  memtune = kt_xml_child (kt_domain_get_root (self), "memtune");
  limit = kt_xml_child (memtune, "hard_limit");
  if (kib < 0)
    {
      if (limit != NULL)
        {
          remove_element (self, limit);
          remove_if_empty (self, memtune);
        }
      return TRUE;
    }
  if (limit != NULL)
    {
      g_autoptr(KtTuning) t = kt_domain_get_tuning (self);

      if (t->hard_limit_kib == kib)
        return TRUE;
    }
  memtune = ensure_top (self, "memtune");
  limit = ensure_child (self, memtune, "hard_limit", memtune_order);
  g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, kib);
  xmlNodeSetContent (limit, (const xmlChar *) num);
  set_prop (self, limit, "unit", "KiB");
  mark_dirty (self, limit);
  return TRUE;
}

gboolean
kt_cpu_mode_is_valid (const char *mode)
{
  return g_strcmp0 (mode, "host-passthrough") == 0 || g_strcmp0 (mode, "host-model") == 0
         || g_strcmp0 (mode, "maximum") == 0 || g_strcmp0 (mode, "custom") == 0;
}

/* host-passthrough and maximum give the guest what the host (or QEMU) has;
 * host-model and custom give it a named model.  libvirt takes migratable=
 * and <cache mode='passthrough'> only in the first family, match=, a model
 * name and <vendor> only for custom. */
static gboolean
cpu_mode_is_host_cpu (const char *mode)
{
  return g_strcmp0 (mode, "host-passthrough") == 0 || g_strcmp0 (mode, "maximum") == 0;
}

static void
remove_cpu_children (KtDomain   *self,
                     xmlNode    *cpu,
                     const char *name)
{
  xmlNode *c;

  while ((c = kt_xml_child (cpu, name)) != NULL)
    remove_element (self, c);
}

/**
 * kt_domain_set_cpu_mode:
 * @mode: host-passthrough, host-model, maximum or custom
 * @model: (nullable): the model name; required for custom
 *
 * Makes the <cpu> what libvirt accepts for @mode, not just what its schema
 * does: leaving host-passthrough or maximum drops migratable= (libvirt
 * refuses it elsewhere); moving between those two and host-model/custom
 * drops check= (it means nothing with the host's own CPU, and libvirt fills
 * in the new mode's default); only custom keeps match=, a model name and
 * <vendor> (host-model keeps the attributes of <model>, e.g. fallback=).
 * <feature>, <topology>, <cache>, <maxphysaddr> and <numa> stay in every
 * mode.  <cache mode='passthrough'> works only with host-passthrough and
 * maximum: leaving them with it is refused, naming it.
 */
gboolean
kt_domain_set_cpu_mode (KtDomain    *self,
                        const char  *mode,
                        const char  *model,
                        GError     **error)
{
  xmlNode *cpu, *model_node;
  g_autofree char *old_mode = NULL;

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  if (!kt_cpu_mode_is_valid (mode))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown CPU mode “%s” (use host-passthrough, host-model, maximum or custom)"),
                   mode ? mode : "");
      return FALSE;
    }
  if (g_str_equal (mode, "custom") && (model == NULL || *model == '\0'))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("A custom CPU mode needs a model name"));
      return FALSE;
    }
  if (!g_str_equal (mode, "custom") && model != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Only the custom CPU mode takes a model name"));
      return FALSE;
    }

  cpu = kt_xml_child (kt_domain_get_root (self), "cpu");
  if (cpu != NULL)
    {
      /* libvirt reads a <cpu> without mode= as custom */
      old_mode = kt_xml_prop (cpu, "mode");
      if (old_mode == NULL)
        old_mode = g_strdup ("custom");
    }
  /* Unchanged: nothing else is touched, not even what libvirt would not take */
  if (g_strcmp0 (old_mode, mode) == 0 && !g_str_equal (mode, "custom"))
    return TRUE;

  if (cpu != NULL && !cpu_mode_is_host_cpu (mode))
    for (xmlNode *c = kt_xml_child (cpu, "cache"); c; c = kt_xml_next_named (c->next, "cache"))
      {
        g_autofree char *cache_mode = kt_xml_prop (c, "mode");

        if (g_strcmp0 (cache_mode, "passthrough") == 0)
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                         _("“%s” has <cache mode='passthrough'>, which libvirt only takes with "
                           "the host-passthrough and maximum CPU modes; change the cache mode "
                           "(e.g. to emulate with level='3') before choosing %s"),
                         kt_domain_get_name (self), mode);
            return FALSE;
          }
      }

  cpu = ensure_top (self, "cpu");
  set_prop (self, cpu, "mode", mode);
  if (old_mode != NULL && cpu_mode_is_host_cpu (old_mode) != cpu_mode_is_host_cpu (mode))
    set_prop (self, cpu, "check", NULL);
  if (!cpu_mode_is_host_cpu (mode))
    set_prop (self, cpu, "migratable", NULL);

  model_node = kt_xml_child (cpu, "model");
  if (g_str_equal (mode, "custom"))
    {
      g_autofree char *old = kt_xml_text (model_node);

      if (!xmlHasProp (cpu, (const xmlChar *) "match"))
        set_prop (self, cpu, "match", "exact");
      model_node = ensure_child (self, cpu, "model", cpu_order);
      if (g_strcmp0 (old, model) != 0)
        {
          /* AddContent takes text, not markup: a hostile name stays text */
          xmlNodeSetContent (model_node, NULL);
          xmlNodeAddContent (model_node, (const xmlChar *) model);
          mark_dirty (self, model_node);
        }
      return TRUE;
    }

  /* match= only means something for custom models, <vendor> only with a
   * model name (libvirt refuses it without one) */
  set_prop (self, cpu, "match", NULL);
  remove_cpu_children (self, cpu, "vendor");
  if (model_node != NULL && g_str_equal (mode, "host-model") && model_node->properties != NULL)
    {
      /* host-model takes fallback= and vendor_id=, but its model is the host's */
      if (model_node->children != NULL)
        {
          xmlNodeSetContent (model_node, NULL);
          mark_dirty (self, model_node);
        }
    }
  else
    remove_cpu_children (self, cpu, "model");
  return TRUE;
}

/**
 * kt_domain_set_cpu_topology:
 *
 * Sets <cpu><topology>.  libvirt wants sockets × dies × clusters × cores ×
 * threads to be the vCPU count; a topology that is not is refused.
 */
gboolean
kt_domain_set_cpu_topology (KtDomain  *self,
                            guint      sockets,
                            guint      dies,
                            guint      cores,
                            guint      threads,
                            GError   **error)
{
  g_autoptr(KtTuning) t = NULL;
  xmlNode *cpu, *topology;
  guint clusters;
  guint64 product;
  char num[16];
  const struct { const char *name; guint value; } attrs[] = {
    { "sockets", sockets }, { "dies", dies }, { "cores", cores }, { "threads", threads },
  };

  g_return_val_if_fail (KT_IS_DOMAIN (self), FALSE);

  t = kt_domain_get_tuning (self);
  clusters = t->has_topology ? MAX (t->clusters, 1) : 1;
  product = (guint64) sockets * dies * clusters * cores * threads;
  if (sockets == 0 || dies == 0 || cores == 0 || threads == 0 || product != t->vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("A topology of %u sockets × %u dies × %u cores × %u threads makes %llu "
                     "vCPUs, but “%s” has %u"),
                   sockets, dies, cores, threads, (unsigned long long) product, t->name, t->vcpus);
      return FALSE;
    }

  cpu = ensure_top (self, "cpu");
  topology = ensure_child (self, cpu, "topology", cpu_order);
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      /* dies='1' is libvirt's default: only written when already there */
      if (g_str_equal (attrs[i].name, "dies") && attrs[i].value == 1
          && !xmlHasProp (topology, (const xmlChar *) "dies"))
        continue;
      g_snprintf (num, sizeof num, "%u", attrs[i].value);
      set_prop (self, topology, attrs[i].name, num);
    }
  return TRUE;
}
