/* kt-xml.h: hardened libxml2 parsing and small DOM helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* Byte range of an element in the text it was parsed from.  Recorded for
 * the root element and its direct children, so that an edited document can
 * be written back with every untouched element kept byte for byte. */
typedef struct
{
  gsize start;      /* offset of '<' */
  gsize stag_end;   /* offset just past the start tag's '>' */
  gsize end;        /* offset just past the element's last '>' */
} KtXmlSpan;

xmlDoc     *kt_xml_parse            (const char   *data,
                                     gssize        len,
                                     const char   *what,
                                     GArray      **spans,
                                     GError      **error);
gboolean    kt_xml_check_text       (const char   *data,
                                     gsize         len,
                                     const char   *what,
                                     GError      **error);
xmlDoc     *kt_xml_parse_file       (const char   *path,
                                     GError      **error);
const KtXmlSpan *kt_xml_node_span   (GArray       *spans,
                                     xmlNode      *node);

xmlNode    *kt_xml_child            (xmlNode      *parent,
                                     const char   *name);
xmlNode    *kt_xml_next_named       (xmlNode      *node,
                                     const char   *name);
guint       kt_xml_count_children   (xmlNode      *parent,
                                     const char   *name);
char       *kt_xml_prop             (xmlNode      *node,
                                     const char   *name);
char       *kt_xml_text             (xmlNode      *node);
gboolean    kt_xml_prop_uint64      (xmlNode      *node,
                                     const char   *name,
                                     guint64      *value,
                                     GError      **error);
gboolean    kt_xml_prop_bounded     (xmlNode      *node,
                                     const char   *name,
                                     guint64       max,
                                     guint64      *value,
                                     GError      **error);
gboolean    kt_xml_prop_int         (xmlNode      *node,
                                     const char   *name,
                                     int          *value,
                                     GError      **error);
gboolean    kt_xml_parse_uint64     (const char   *text,
                                     guint64       max,
                                     guint64      *value,
                                     const char   *what,
                                     GError      **error);
gboolean    kt_xml_scaled_kib       (xmlNode      *node,
                                     const char   *unit_attr,
                                     guint64      *kib,
                                     GError      **error);
gboolean    kt_xml_unit_to_kib      (const char   *unit,
                                     guint64       value,
                                     guint64      *kib,
                                     GError      **error);
char       *kt_xml_node_to_string   (xmlNode      *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

G_END_DECLS
