/* kt-tuning-parse.c: reading attributes and texts of domain XML
 *
 * The helpers the kt-tuning*.c files read <domain> with: a cpuset or
 * unsigned attribute (optional ones with a default), an element's number
 * or scaled size in KiB, each failing with an error that names the
 * element and attribute, and its line when the domain was read from a
 * file (kt_tuning_priv_fail_at ()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-tuning-private.h"
#include "kt-xml.h"

/* Says where @node is, for a domain read from a file (its document has
 * the file as URL): the lines of XML built from a string (a snapshot's
 * part, libvirt's) would point nowhere.  Always returns FALSE. */
gboolean
kt_tuning_priv_fail_at (xmlNode  *node,
                        GError  **error)
{
  long line;

  if (node == NULL || node->doc == NULL || node->doc->URL == NULL)
    return FALSE;
  line = xmlGetLineNo (node);
  if (line > 0)
    g_prefix_error (error, _("line %ld: "), line);
  return FALSE;
}

gboolean
kt_tuning_priv_prop_cpuset (xmlNode     *node,
                            const char  *attr,
                            KtCpuset   **out,
                            GError     **error)
{
  g_autofree char *v = kt_xml_prop (node, attr);
  g_autoptr(GError) local = NULL;

  *out = NULL;
  if (v == NULL)
    return TRUE;
  *out = kt_cpuset_parse (v, &local);
  if (*out == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML, "<%s %s='%s'>: %s",
                   (const char *) node->name, attr, v, local->message);
      return kt_tuning_priv_fail_at (node, error);
    }
  return TRUE;
}

gboolean
kt_tuning_priv_prop_uint (xmlNode     *node,
                          const char  *attr,
                          guint       *out,
                          GError     **error)
{
  guint64 v;

  if (!kt_xml_prop_uint64 (node, attr, &v, error))
    return kt_tuning_priv_fail_at (node, error);
  if (v > G_MAXUINT)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<%s %s=> is too large"), (const char *) node->name, attr);
      return kt_tuning_priv_fail_at (node, error);
    }
  *out = (guint) v;
  return TRUE;
}

gboolean
kt_tuning_priv_opt_prop_uint (xmlNode     *node,
                              const char  *attr,
                              guint       *out,
                              guint        dflt,
                              GError     **error)
{
  if (node == NULL || !xmlHasProp (node, (const xmlChar *) attr))
    {
      *out = dflt;
      return TRUE;
    }
  return kt_tuning_priv_prop_uint (node, attr, out, error);
}

gboolean
kt_tuning_priv_text_uint (xmlNode     *node,
                          guint64      max,
                          guint64     *out,
                          GError     **error)
{
  g_autofree char *text = kt_xml_text (node);
  g_autofree char *what = g_strdup_printf ("<%s>", (const char *) node->name);

  return kt_xml_parse_uint64 (text, max, out, what, error) || kt_tuning_priv_fail_at (node, error);
}

gboolean
kt_tuning_priv_opt_text_int64 (xmlNode     *parent,
                               const char  *name,
                               gint64      *out,
                               GError     **error)
{
  xmlNode *node = kt_xml_child (parent, name);
  g_autofree char *text = NULL;
  gint64 v;

  *out = -1;
  if (node == NULL)
    return TRUE;
  text = kt_xml_text (node);
  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, NULL))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<%s> “%s” is not a number"), name, text);
      return kt_tuning_priv_fail_at (node, error);
    }
  *out = v;
  return TRUE;
}

gboolean
kt_tuning_priv_opt_scaled (xmlNode     *parent,
                           const char  *name,
                           gint64      *out,
                           GError     **error)
{
  xmlNode *node = kt_xml_child (parent, name);
  guint64 kib;

  *out = -1;
  if (node == NULL)
    return TRUE;
  if (!kt_xml_scaled_kib (node, "unit", &kib, error))
    return kt_tuning_priv_fail_at (node, error);
  *out = (gint64) MIN (kib, (guint64) G_MAXINT64);
  return TRUE;
}
