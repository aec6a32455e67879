/* kt-xml.c: hardened libxml2 parsing and small DOM helpers
 *
 * Every document KvmTune reads comes through kt_xml_parse().  It refuses
 * DOCTYPE declarations outright (libvirt never writes one), so there are no
 * entities to expand and no external resources to load, and it never
 * touches the network.  It reads UTF-8 only, as libvirt writes: a document
 * in another encoding, or with a NUL byte, is refused before libxml2 sees
 * it, so an edit can never write UTF-8 into a file declared as something
 * else.  libxml2's own messages become the GError, never raw stderr lines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <string.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-xml.h"

/* Larger than any real capabilities or snapshot document; smaller than
 * anything that would hurt. */
#define MAX_DOCUMENT_SIZE (256 * 1024 * 1024)

typedef struct
{
  const char *data;
  gsize       len;
  GArray     *spans;
  int         depth;
  gboolean    saw_doctype;
  char       *first_error;
  int         first_error_line;
} ParseState;

static void
on_start_element (void           *ctx,
                  const xmlChar  *localname,
                  const xmlChar  *prefix,
                  const xmlChar  *uri,
                  int             nb_namespaces,
                  const xmlChar **namespaces,
                  int             nb_attributes,
                  int             nb_defaulted,
                  const xmlChar **attributes)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *st = ctxt->_private;

  xmlSAX2StartElementNs (ctx, localname, prefix, uri, nb_namespaces, namespaces,
                         nb_attributes, nb_defaulted, attributes);

  if (st->spans != NULL && st->depth <= 1 && ctxt->node != NULL)
    {
      KtXmlSpan span = { 0, };
      long consumed = xmlByteConsumed (ctxt);

      if (consumed > 0 && (gsize) consumed <= st->len)
        {
          gsize p = (gsize) consumed;

          /* libxml2 reports the start tag before stepping over its end */
          if (p + 1 < st->len && st->data[p] == '/' && st->data[p + 1] == '>')
            span.stag_end = p + 2;
          else if (p < st->len && st->data[p] == '>')
            span.stag_end = p + 1;
          else
            span.stag_end = p;
          /* '<' cannot occur inside a start tag, so the nearest one
           * before its end is where it begins. */
          while (p > 0 && st->data[p - 1] != '<')
            p--;
          span.start = p > 0 ? p - 1 : 0;
          g_array_append_val (st->spans, span);
          ctxt->node->_private = GUINT_TO_POINTER (st->spans->len);
        }
    }
  st->depth++;
}

static void
on_end_element (void          *ctx,
                const xmlChar *localname,
                const xmlChar *prefix,
                const xmlChar *uri)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *st = ctxt->_private;

  st->depth--;
  if (st->spans != NULL && st->depth <= 1 && ctxt->node != NULL && ctxt->node->_private)
    {
      guint idx = GPOINTER_TO_UINT (ctxt->node->_private) - 1;
      long consumed = xmlByteConsumed (ctxt);

      if (idx < st->spans->len && consumed > 0 && (gsize) consumed <= st->len)
        g_array_index (st->spans, KtXmlSpan, idx).end = (gsize) consumed;
    }
  xmlSAX2EndElementNs (ctx, localname, prefix, uri);
}

static void
on_internal_subset (void          *ctx,
                    const xmlChar *name,
                    const xmlChar *external_id,
                    const xmlChar *system_id)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *st = ctxt->_private;

  st->saw_doctype = TRUE;
  xmlStopParser (ctxt);
}

static void
on_entity_decl (void          *ctx,
                const xmlChar *name,
                int            type,
                const xmlChar *public_id,
                const xmlChar *system_id,
                xmlChar       *content)
{
  on_internal_subset (ctx, NULL, NULL, NULL);
}

static void
on_structured_error (void        *ctx,
                     xmlError    *err)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *st;

  if (ctxt == NULL || err == NULL || err->level < XML_ERR_ERROR)
    return;
  st = ctxt->_private;
  if (st->first_error == NULL && err->message != NULL)
    {
      st->first_error = g_strstrip (g_strdup (err->message));
      st->first_error_line = err->line;
    }
}

/* libxml2 reports some errors (encoding conversion, I/O) without a
 * parser context, to the thread's global handler: collect them too */
static void
on_global_error (void     *ctx,
                 xmlError *err)
{
  ParseState *st = ctx;

  if (st == NULL || err == NULL || err->level < XML_ERR_ERROR)
    return;
  if (st->first_error == NULL && err->message != NULL)
    {
      st->first_error = g_strstrip (g_strdup (err->message));
      st->first_error_line = err->line;
    }
}

static void
ignore_message (void       *ctx,
                const char *msg,
                ...)
{
}

/* Encoding checks -------------------------------------------------------- */

static guint
line_of (const char *data,
         gsize       offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++)
    if (data[i] == '\n')
      line++;
  return line;
}

static gboolean
is_ascii (const char *data,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) data[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* Encodings that read plain ASCII as ASCII: a document declared in one of
 * them that holds nothing but ASCII reads the same as UTF-8 */
static gboolean
is_ascii_superset (const char *encoding)
{
  static const char * const prefixes[] = {
    "us-ascii", "ascii", "iso-8859-", "iso8859-", "iso_8859-", "latin", "windows-125", "cp125",
  };
  g_autofree char *lower = g_ascii_strdown (encoding, -1);

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (lower, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* The encoding="" of an XML declaration, or NULL */
static char *
declared_encoding (const char *data,
                   gsize       len)
{
  gsize end, i;
  const char *p;

  if (len < 5 || memcmp (data, "<?xml", 5) != 0)
    return NULL;
  for (end = 5; end + 1 < len && end < 1024; end++)
    if (data[end] == '?' && data[end + 1] == '>')
      break;
  p = g_strstr_len (data, end, "encoding");
  if (p == NULL)
    return NULL;
  i = (gsize) (p - data) + strlen ("encoding");
  while (i < end && g_ascii_isspace (data[i]))
    i++;
  if (i >= end || data[i] != '=')
    return NULL;
  i++;
  while (i < end && g_ascii_isspace (data[i]))
    i++;
  if (i < end && (data[i] == '"' || data[i] == '\''))
    {
      char quote = data[i];
      gsize start = ++i;

      while (i < end && data[i] != quote)
        i++;
      if (i < end)
        return g_strndup (data + start, i - start);
    }
  return NULL;
}

/**
 * kt_xml_check_text:
 * @what: what the document is, for error messages ("capabilities XML")
 *
 * Checks that @data is a UTF-8 document KvmTune can read and write back
 * as it is: no UTF-16/UTF-32/EBCDIC, no declared encoding other than UTF-8
 * (unless the text is plain ASCII in an ASCII-compatible encoding), no NUL
 * byte, no invalid UTF-8.
 */
gboolean
kt_xml_check_text (const char  *data,
                   gsize        len,
                   const char  *what,
                   GError     **error)
{
  const guchar *u = (const guchar *) data;
  g_autofree char *encoding = NULL;
  const char *nul, *end;
  gsize skip = 0;

  if ((len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
      || (len >= 2 && (u[0] == 0 || u[1] == 0)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s is encoded in UTF-16 or UTF-32; KvmTune edits only UTF-8 "
                     "documents, as libvirt writes them (convert it with iconv -t UTF-8 first)"),
                   what);
      return FALSE;
    }
  if (len >= 4 && u[0] == 0x4C && u[1] == 0x6F && u[2] == 0xA7 && u[3] == 0x94)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s is encoded in EBCDIC; KvmTune edits only UTF-8 "
                     "documents, as libvirt writes them (convert it with iconv -t UTF-8 first)"),
                   what);
      return FALSE;
    }
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
    skip = 3;

  encoding = declared_encoding (data + skip, len - skip);
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "UTF-8") != 0
      && g_ascii_strcasecmp (encoding, "UTF8") != 0
      && !(is_ascii_superset (encoding) && is_ascii (data, len)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s declares the encoding “%s”; KvmTune edits only UTF-8 documents, "
                     "as libvirt writes them (convert it with iconv -f %s -t UTF-8 and "
                     "change the declaration)"), what, encoding, encoding);
      return FALSE;
    }

  nul = memchr (data, 0, len);
  if (nul != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s contains a NUL byte (line %u)"), what,
                   line_of (data, (gsize) (nul - data)));
      return FALSE;
    }
  if (!g_utf8_validate_len (data, len, &end))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s is not valid UTF-8 (line %u, byte 0x%02X); KvmTune edits only "
                     "UTF-8 documents, as libvirt writes them"), what,
                   line_of (data, (gsize) (end - data)), (guint) (guchar) *end);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_xml_parse:
 * @data: the document
 * @len: its length, or -1 if nul-terminated
 * @what: what the document is, for error messages ("capabilities XML")
 * @spans: (out) (optional): receives the element spans; see KtXmlSpan
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 */
xmlDoc *
kt_xml_parse (const char  *data,
              gssize       len,
              const char  *what,
              GArray     **spans,
              GError     **error)
{
  xmlSAXHandler sax;
  xmlParserCtxt *ctxt;
  ParseState st = { 0, };
  xmlDoc *doc = NULL;
  xmlStructuredErrorFunc old_serror;
  void *old_serror_ctx;
  xmlGenericErrorFunc old_generic;
  void *old_generic_ctx;
  int rc;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (what != NULL, NULL);

  if (len < 0)
    len = strlen (data);
  if (len == 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, _("The %s is empty"), what);
      return NULL;
    }
  if ((gsize) len > MAX_DOCUMENT_SIZE)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("The %s is too large (%lld bytes)"), what, (long long) len);
      return NULL;
    }
  if (!kt_xml_check_text (data, (gsize) len, what, error))
    return NULL;

  memset (&sax, 0, sizeof sax);
  xmlSAXVersion (&sax, 2);
  sax.startElementNs = on_start_element;
  sax.endElementNs = on_end_element;
  sax.internalSubset = on_internal_subset;
  sax.externalSubset = on_internal_subset;
  sax.entityDecl = on_entity_decl;
  sax.serror = on_structured_error;
  sax.error = ignore_message;
  sax.warning = ignore_message;

  st.data = data;
  st.len = (gsize) len;
  if (spans != NULL)
    st.spans = g_array_new (FALSE, TRUE, sizeof (KtXmlSpan));

  ctxt = xmlCreatePushParserCtxt (&sax, NULL, NULL, 0, NULL);
  if (ctxt == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("Out of memory reading the %s"), what);
      if (st.spans)
        g_array_unref (st.spans);
      return NULL;
    }
  ctxt->_private = &st;
  /* The text is checked to be UTF-8 above: never let a declaration
   * switch libxml2 to another decoder */
  xmlCtxtUseOptions (ctxt, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR
                           | XML_PARSE_IGNORE_ENC);

  old_serror = xmlStructuredError;
  old_serror_ctx = xmlStructuredErrorContext;
  old_generic = xmlGenericError;
  old_generic_ctx = xmlGenericErrorContext;
  xmlSetStructuredErrorFunc (&st, on_global_error);
  xmlSetGenericErrorFunc (NULL, ignore_message);
  rc = xmlParseChunk (ctxt, data, (int) len, 1);
  xmlSetGenericErrorFunc (old_generic_ctx, old_generic);
  xmlSetStructuredErrorFunc (old_serror_ctx, old_serror);

  if (st.saw_doctype)
    g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                 _("The %s has a DOCTYPE or entity declaration, which KvmTune does not accept"),
                 what);
  else if (rc != 0 || !ctxt->wellFormed || ctxt->myDoc == NULL)
    g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                 _("The %s is not well-formed XML (line %d: %s)"), what,
                 st.first_error_line,
                 st.first_error ? st.first_error : _("unknown error"));
  else if (xmlDocGetRootElement (ctxt->myDoc) == NULL)
    g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, _("The %s has no root element"), what);
  else
    doc = g_steal_pointer (&ctxt->myDoc);

  if (ctxt->myDoc != NULL)
    xmlFreeDoc (ctxt->myDoc);
  ctxt->myDoc = NULL;
  xmlFreeParserCtxt (ctxt);
  g_free (st.first_error);

  if (doc == NULL)
    {
      if (st.spans)
        g_array_unref (st.spans);
      return NULL;
    }

  if (spans != NULL)
    *spans = st.spans;
  return doc;
}

xmlDoc *
kt_xml_parse_file (const char  *path,
                   GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *what = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (!kt_file_read (path, KT_FILE_MAX_SIZE, &data, &len, NULL, error))
    return NULL;
  what = g_strdup_printf (_("file “%s”"), path);
  return kt_xml_parse (data, len, what, NULL, error);
}

const KtXmlSpan *
kt_xml_node_span (GArray  *spans,
                  xmlNode *node)
{
  guint idx;

  if (spans == NULL || node == NULL || node->_private == NULL)
    return NULL;
  idx = GPOINTER_TO_UINT (node->_private) - 1;
  if (idx >= spans->len)
    return NULL;
  return &g_array_index (spans, KtXmlSpan, idx);
}

/* DOM helpers ------------------------------------------------------------ */

xmlNode *
kt_xml_next_named (xmlNode    *node,
                   const char *name)
{
  for (; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && node->ns == NULL
        && strcmp ((const char *) node->name, name) == 0)
      return node;
  return NULL;
}

xmlNode *
kt_xml_child (xmlNode    *parent,
              const char *name)
{
  if (parent == NULL)
    return NULL;
  return kt_xml_next_named (parent->children, name);
}

guint
kt_xml_count_children (xmlNode    *parent,
                       const char *name)
{
  guint n = 0;

  for (xmlNode *c = kt_xml_child (parent, name); c; c = kt_xml_next_named (c->next, name))
    n++;
  return n;
}

char *
kt_xml_prop (xmlNode    *node,
             const char *name)
{
  xmlChar *v;
  char *ret;

  if (node == NULL)
    return NULL;
  v = xmlGetNoNsProp (node, (const xmlChar *) name);
  if (v == NULL)
    return NULL;
  ret = g_strdup ((const char *) v);
  xmlFree (v);
  return ret;
}

char *
kt_xml_text (xmlNode *node)
{
  xmlChar *v;
  char *ret;

  if (node == NULL)
    return NULL;
  v = xmlNodeGetContent (node);
  if (v == NULL)
    return NULL;
  ret = g_strstrip (g_strdup ((const char *) v));
  xmlFree (v);
  return ret;
}

gboolean
kt_xml_parse_uint64 (const char  *text,
                     guint64      max,
                     guint64     *value,
                     const char  *what,
                     GError     **error)
{
  g_autofree char *copy = NULL;
  g_autoptr(GError) local = NULL;

  if (text == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("%s is missing"), what);
      return FALSE;
    }
  copy = g_strstrip (g_strdup (text));
  if (!g_ascii_string_to_unsigned (copy, 10, 0, max, value, &local))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s “%s” is not a number between 0 and %llu"),
                   what, copy, (unsigned long long) max);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_xml_prop_bounded:
 *
 * Reads attribute @name of @node as a number no larger than @max.  The
 * error message is only built when it is needed: hosts with many nodes
 * have thousands of these attributes.
 */
gboolean
kt_xml_prop_bounded (xmlNode     *node,
                     const char  *name,
                     guint64      max,
                     guint64     *value,
                     GError     **error)
{
  xmlAttr *attr = node ? xmlHasProp (node, (const xmlChar *) name) : NULL;
  g_autofree char *v = NULL;
  g_autofree char *what = NULL;

  if (attr != NULL && attr->children != NULL && attr->children->next == NULL
      && attr->children->type == XML_TEXT_NODE
      && g_ascii_string_to_unsigned ((const char *) attr->children->content, 10, 0, max,
                                     value, NULL))
    return TRUE;

  v = kt_xml_prop (node, name);
  what = g_strdup_printf ("<%s %s=>", node ? (const char *) node->name : "?", name);
  return kt_xml_parse_uint64 (v, max, value, what, error);
}

gboolean
kt_xml_prop_uint64 (xmlNode     *node,
                    const char  *name,
                    guint64     *value,
                    GError     **error)
{
  return kt_xml_prop_bounded (node, name, G_MAXUINT64, value, error);
}

gboolean
kt_xml_prop_int (xmlNode     *node,
                 const char  *name,
                 int         *value,
                 GError     **error)
{
  guint64 u;

  if (!kt_xml_prop_bounded (node, name, G_MAXINT, &u, error))
    return FALSE;
  *value = (int) u;
  return TRUE;
}

/* libvirt's scaled integers (virScaleInteger): b/byte/bytes, then k, M,
 * G, T, P, E with an optional "iB" (powers of 1024) or "B" (powers of
 * 1000), all compared case-insensitively as libvirt does. */
gboolean
kt_xml_unit_to_kib (const char  *unit,
                    guint64      value,
                    guint64     *kib,
                    GError     **error)
{
  static const char prefixes[] = "kmgtpe";
  const char *pos;
  guint power;
  guint64 base, mult = 1;

  if (unit == NULL || *unit == '\0')
    unit = "KiB";

  if (g_ascii_strcasecmp (unit, "b") == 0 || g_ascii_strcasecmp (unit, "byte") == 0
      || g_ascii_strcasecmp (unit, "bytes") == 0)
    {
      *kib = value / 1024;
      return TRUE;
    }

  pos = strchr (prefixes, g_ascii_tolower (unit[0]));
  if (unit[0] == '\0' || pos == NULL
      || !(unit[1] == '\0' || g_ascii_strcasecmp (unit + 1, "iB") == 0
           || g_ascii_strcasecmp (unit + 1, "B") == 0))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Unknown size unit “%s”"), unit);
      return FALSE;
    }
  power = (guint) (pos - prefixes) + 1;
  base = g_ascii_strcasecmp (unit + 1, "B") == 0 ? 1000 : 1024;

  /* value * base^power / 1024, without overflowing on the way */
  for (guint i = 0; i < power; i++)
    {
      if (mult > G_MAXUINT64 / base)
        goto too_large;
      mult *= base;
    }
  if (base == 1024)
    {
      mult /= 1024;
      if (mult != 0 && value > G_MAXUINT64 / mult)
        goto too_large;
      *kib = value * mult;
    }
  else
    {
      if (mult != 0 && value > G_MAXUINT64 / mult)
        goto too_large;
      *kib = value * mult / 1024;
    }
  return TRUE;

too_large:
  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
               _("Size %llu %s is too large"), (unsigned long long) value, unit);
  return FALSE;
}

gboolean
kt_xml_scaled_kib (xmlNode     *node,
                   const char  *unit_attr,
                   guint64     *kib,
                   GError     **error)
{
  g_autofree char *text = kt_xml_text (node);
  g_autofree char *unit = kt_xml_prop (node, unit_attr);
  g_autofree char *what = g_strdup_printf ("<%s>", (const char *) node->name);
  guint64 v;

  if (!kt_xml_parse_uint64 (text, G_MAXUINT64, &v, what, error))
    return FALSE;
  return kt_xml_unit_to_kib (unit, v, kib, error);
}

char *
kt_xml_node_to_string (xmlNode *node)
{
  xmlBuffer *buf = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buf, node->doc, node, 0, 0);
  ret = g_strndup ((const char *) xmlBufferContent (buf), xmlBufferLength (buf));
  xmlBufferFree (buf);
  return ret;
}
