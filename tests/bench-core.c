/* bench-core.c: timings of the core's parsers, for `meson test --benchmark`
 *
 * Prints one plain line per measurement; asserts nothing about time.
 * Each figure is the median of several timed runs after a warm-up run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "kt-domain.h"
#include "kt-host.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define RUNS        7      /* timed runs; the median is printed */
#define HOST_ITERS  200    /* host parses per run */
#define N_DOMAINS   200

typedef void (*BenchFunc) (gpointer data);

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median over RUNS runs (after one warm-up run) of the time of @iters
 * calls of @func, in seconds per call */
static double
measure (BenchFunc func,
         gpointer  data,
         guint     iters)
{
  double times[RUNS];

  for (guint i = 0; i < iters; i++)
    func (data);
  for (guint r = 0; r < RUNS; r++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < iters; i++)
        func (data);
      times[r] = (double) (g_get_monotonic_time () - start) / 1e6 / iters;
    }
  qsort (times, RUNS, sizeof times[0], cmp_double);
  return times[RUNS / 2];
}

/* Fixtures ----------------------------------------------------------------- */

typedef struct
{
  char  *name;
  char  *xml;
  gsize  len;
} Input;

static char *
largest_host (goffset *size)
{
  g_autofree char *dir_path = kt_test_fixture_path ("hosts");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  char *best = NULL;
  const char *name;

  if (dir == NULL)
    g_error ("Cannot list %s", dir_path);
  *size = -1;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      GStatBuf st;

      if (!g_str_has_suffix (name, ".xml") || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (st.st_size > *size)
        {
          *size = st.st_size;
          g_free (best);
          best = g_strdup (name);
        }
    }
  if (best == NULL)
    g_error ("No host fixture in %s", dir_path);
  return best;
}

/* The root element alone, without the XML declaration */
static char *
dump_root (xmlDoc *doc)
{
  xmlBuffer *buf = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buf, doc, xmlDocGetRootElement (doc), 0, 0);
  ret = g_strndup ((const char *) xmlBufferContent (buf), xmlBufferLength (buf));
  xmlBufferFree (buf);
  return ret;
}

static xmlNode *
child_named (xmlNode    *parent,
             const char *name)
{
  for (xmlNode *n = parent->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && g_str_equal ((const char *) n->name, name))
      return n;
  return NULL;
}

/* N_DOMAINS distinct domain documents: the fixture domains the core reads,
 * in turn, each with a new <name> and <uuid> */
static GPtrArray *
make_domains (guint *n_sources)
{
  g_autoptr(GPtrArray) names = kt_test_list_fixtures ("domains", ".xml");
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) xmlFreeDoc);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *rel = g_strdup_printf ("domains/%s", (char *) g_ptr_array_index (names, i));
      g_autofree char *path = kt_test_fixture_path (rel);
      g_autofree char *data = NULL;
      g_autoptr(KtDomain) check = NULL;
      gsize len;
      xmlDoc *doc;

      data = kt_test_read_file (path, &len);
      check = kt_domain_new_from_xml (data, len, NULL);
      if (check == NULL)
        continue;   /* only what the core accepts is worth timing */
      doc = xmlReadMemory (data, (int) len, path, NULL, XML_PARSE_NONET);
      if (doc != NULL && child_named (xmlDocGetRootElement (doc), "name") != NULL)
        g_ptr_array_add (sources, doc);
      else if (doc != NULL)
        xmlFreeDoc (doc);
    }
  if (sources->len == 0)
    g_error ("No usable domain fixture");
  *n_sources = sources->len;

  for (guint i = 0; i < N_DOMAINS; i++)
    {
      xmlDoc *doc = xmlCopyDoc (g_ptr_array_index (sources, i % sources->len), 1);
      xmlNode *root = xmlDocGetRootElement (doc);
      xmlNode *name = child_named (root, "name");
      xmlNode *uuid = child_named (root, "uuid");
      g_autofree char *new_name = NULL;
      xmlChar *old = xmlNodeGetContent (name);

      new_name = g_strdup_printf ("%s-bench-%03u", (const char *) old, i);
      xmlFree (old);
      xmlNodeSetContent (name, (const xmlChar *) new_name);
      if (uuid != NULL)
        {
          g_autofree char *u = g_uuid_string_random ();

          xmlNodeSetContent (uuid, (const xmlChar *) u);
        }
      g_ptr_array_add (out, dump_root (doc));
      xmlFreeDoc (doc);
    }
  return out;
}

static char *
make_snapshot (const char *caps_xml,
               gsize       caps_len,
               GPtrArray  *domains)
{
  g_autoptr(xmlDoc) caps = xmlReadMemory (caps_xml, (int) caps_len, "caps.xml", NULL, XML_PARSE_NONET);
  g_autofree char *caps_root = NULL;
  GString *s = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<kvmtune-snapshot version=\"1\">\n"
                             "  <source uri=\"test:///bench\" hostname=\"bench\" "
                             "captured=\"2026-01-01T00:00:00Z\"/>\n");

  g_assert_nonnull (caps);
  caps_root = dump_root (caps);
  g_string_append_printf (s, "  %s\n", caps_root);
  for (guint i = 0; i < domains->len; i++)
    {
      const char *xml = g_ptr_array_index (domains, i);
      g_autoptr(xmlDoc) doc = xmlReadMemory (xml, (int) strlen (xml), "d.xml", NULL, XML_PARSE_NONET);
      xmlChar *name = xmlNodeGetContent (child_named (xmlDocGetRootElement (doc), "name"));

      g_string_append_printf (s, "  <vm name=\"%s\" state=\"shutoff\" persistent=\"yes\">\n"
                                 "    <inactive>\n%s\n    </inactive>\n  </vm>\n",
                              (const char *) name, xml);
      xmlFree (name);
    }
  g_string_append (s, "</kvmtune-snapshot>\n");
  return g_string_free (s, FALSE);
}

/* Timed bodies ----------------------------------------------------------------- */

static void
bench_parse_host (gpointer data)
{
  Input *in = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (in->xml, in->len, &error);

  if (host == NULL)
    g_error ("%s: %s", in->name, error->message);
}

static void
bench_load_domains (gpointer data)
{
  GPtrArray *domains = data;

  for (guint i = 0; i < domains->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (g_ptr_array_index (domains, i), -1, &error);
      g_autoptr(KtTuning) t = NULL;

      if (d == NULL)
        g_error ("Generated domain %u: %s", i, error->message);
      t = kt_domain_get_tuning (d);
      g_assert_nonnull (t);
    }
}

static void
bench_load_snapshot (gpointer data)
{
  Input *in = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = kt_snapshot_load_xml (in->xml, in->len, &error);

  if (s == NULL)
    g_error ("Generated snapshot: %s", error->message);
}

static void
bench_snapshot_to_xml (gpointer data)
{
  g_autofree char *xml = kt_snapshot_to_xml (data);

  g_assert_nonnull (xml);
}

int
main (int    argc,
      char **argv)
{
  goffset host_size;
  g_autofree char *host_name = largest_host (&host_size);
  g_autofree char *host_rel = g_strdup_printf ("hosts/%s", host_name);
  g_autofree char *host_path = kt_test_fixture_path (host_rel);
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *snap_xml = NULL;
  g_autofree char *out_xml = NULL;
  Input host = { host_name, NULL, 0 };
  Input snap = { (char *) "snapshot", NULL, 0 };
  guint n_sources;
  double t;

  host.xml = kt_test_read_file (host_path, &host.len);
  t = measure (bench_parse_host, &host, HOST_ITERS);
  g_print ("parse largest host (%s, %" G_GOFFSET_FORMAT " KB): %.3f ms/iter over %u iters, "
           "median of %u runs\n",
           host_name, (host_size + 512) / 1024, t * 1e3, HOST_ITERS, RUNS);

  domains = make_domains (&n_sources);
  t = measure (bench_load_domains, domains, 1);
  g_print ("load %u domains (kt_domain_new_from_xml + kt_domain_get_tuning, from %u fixtures): "
           "%.2f ms (%.1f us/domain), median of %u runs\n",
           domains->len, n_sources, t * 1e3, t * 1e6 / domains->len, RUNS);

  snap_xml = make_snapshot (host.xml, host.len, domains);
  snap.xml = snap_xml;
  snap.len = strlen (snap_xml);
  snapshot = kt_snapshot_load_xml (snap.xml, snap.len, &error);
  if (snapshot == NULL)
    g_error ("Generated snapshot: %s", error->message);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, N_DOMAINS);
  t = measure (bench_load_snapshot, &snap, 1);
  g_print ("load snapshot (%u VMs on %s, %zu KB): %.2f ms, median of %u runs\n",
           N_DOMAINS, host_name, (snap.len + 512) / 1024, t * 1e3, RUNS);

  out_xml = kt_snapshot_to_xml (snapshot);
  t = measure (bench_snapshot_to_xml, snapshot, 1);
  g_print ("kt_snapshot_to_xml (%u VMs, %zu KB out): %.2f ms, median of %u runs\n",
           N_DOMAINS, (strlen (out_xml) + 512) / 1024, t * 1e3, RUNS);

  g_free (host.xml);
  return 0;
}
