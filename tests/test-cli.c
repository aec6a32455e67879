/* test-cli.c: kvmtune-cli, run as a program, against the fixtures
 *
 * Every expectation is read from the fixture itself with libxml2 XPath
 * here, independently of the core library; the CLI's JSON is parsed with
 * json-glib.  The CLI binary comes from $KT_CLI (set by meson).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kt-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define REAL_HOST "hosts/real-64amd64-4s2n4ca2co.xml"

/* Running the CLI ------------------------------------------------------------ */

/* Exit 0, nothing on stderr; returns stdout */
static void
assert_success (const KtTestRun *r)
{
  if (r->status != 0)
    g_test_message ("stderr: %s", r->err);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
}

/* One line on stderr: "kvmtune-cli: ...", which contains every needle */
static void
assert_one_line_error (const char *err)
{
  const char *nl;

  g_assert_true (g_str_has_prefix (err, "kvmtune-cli: "));
  nl = strchr (err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpint (nl[1], ==, '\0');
  g_assert_cmpuint (strlen (err), >, strlen ("kvmtune-cli: ") + 1);
}

#define assert_failure(r, code, ...) \
  assert_failure_impl ((r), (code), (const char * const[]) { __VA_ARGS__, NULL })

static void
assert_failure_impl (const KtTestRun    *r,
                     int                 code,
                     const char * const *needles)
{
  g_test_message ("exit %d, stderr: %s", r->status, r->err);
  g_assert_cmpint (r->status, ==, code);
  g_assert_cmpstr (r->out, ==, "");
  assert_one_line_error (r->err);
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (r->err, needles[i]) == NULL)
      g_error ("stderr “%s” does not mention “%s”", r->err, needles[i]);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("The CLI printed invalid JSON (%s): %.400s", error->message, text);
  return json_node_ref (json_parser_get_root (parser));
}

/* Independent helpers -------------------------------------------------------- */

static gint
cmp_int (gconstpointer a,
         gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return x < y ? -1 : x > y;
}

/* A libvirt cpuset ("0-3,^2,8") as a sorted array of ids */
static GArray *
independent_set (const char *text)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));
  GList *keys;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *p = g_strstrip (parts[i]);
      gboolean exclude = FALSE;
      guint64 a, b;
      g_auto(GStrv) range = NULL;

      if (*p == '\0')
        continue;
      if (*p == '^')
        {
          exclude = TRUE;
          p++;
        }
      range = g_strsplit (p, "-", 2);
      g_assert_true (g_ascii_string_to_unsigned (range[0], 10, 0, 65535, &a, NULL));
      b = a;
      if (range[1] != NULL)
        g_assert_true (g_ascii_string_to_unsigned (range[1], 10, a, 65535, &b, NULL));
      for (guint64 v = a; v <= b; v++)
        {
          if (exclude)
            g_hash_table_remove (ids, GINT_TO_POINTER ((int) v + 1));
          else
            g_hash_table_add (ids, GINT_TO_POINTER ((int) v + 1));
        }
    }
  keys = g_hash_table_get_keys (ids);
  for (GList *l = keys; l; l = l->next)
    {
      int v = GPOINTER_TO_INT (l->data) - 1;
      g_array_append_val (out, v);
    }
  g_list_free (keys);
  return out;
}

static GArray *
sorted_set (const char *text)
{
  GArray *a = independent_set (text);

  g_array_sort (a, cmp_int);
  return a;
}

static char *
format_ints (GArray *a)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < a->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", g_array_index (a, int, i));
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
assert_ints_equal (GArray     *expected,
                   GArray     *got,
                   const char *what)
{
  g_autofree char *e = format_ints (expected);
  g_autofree char *g = format_ints (got);

  if (!g_str_equal (e, g))
    g_error ("%s: expected %s, got %s", what, e, g);
}

/* A JSON array of ints, sorted */
static GArray *
json_ints (JsonNode *node)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));
  JsonArray *arr;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);
      int v;

      g_assert_true (JSON_NODE_HOLDS_VALUE (el));
      g_assert_cmpint (json_node_get_value_type (el), ==, G_TYPE_INT64);
      v = (int) json_node_get_int (el);
      g_array_append_val (out, v);
    }
  return out;
}

/* A JSON cpuset string ("0-3,8") against a libvirt cpuset from XML */
static void
assert_same_set (const char *xml_text,
                 JsonNode   *json,
                 const char *what)
{
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;

  if (xml_text == NULL)
    {
      if (!JSON_NODE_HOLDS_NULL (json))
        g_error ("%s: expected null", what);
      return;
    }
  g_assert_true (JSON_NODE_HOLDS_VALUE (json));
  expected = sorted_set (xml_text);
  got = sorted_set (json_node_get_string (json));
  assert_ints_equal (expected, got, what);
}

static JsonNode *
member (JsonObject *obj,
        const char *name)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL)
    g_error ("JSON object has no “%s” member", name);
  return n;
}

static gint64
member_int (JsonObject *obj,
            const char *name)
{
  JsonNode *n = member (obj, name);

  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    g_error ("JSON member “%s” is not an integer", name);
  return json_node_get_int (n);
}

static const char *
member_str (JsonObject *obj,
            const char *name)
{
  JsonNode *n = member (obj, name);

  if (JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    g_error ("JSON member “%s” is not a string", name);
  return json_node_get_string (n);
}

/* An optional integer: -1 for null */
static gint64
member_opt_int (JsonObject *obj,
                const char *name)
{
  JsonNode *n = member (obj, name);

  if (JSON_NODE_HOLDS_NULL (n))
    return -1;
  return member_int (obj, name);
}

/* XPath ------------------------------------------------------------------------ */

static xmlNode *
xpath_node (xmlDoc     *doc,
            xmlNode    *context,
            const char *expr)
{
  g_autoptr(xmlXPathObject) obj = kt_test_xpath (doc, context, expr);

  return kt_test_n_nodes (obj) ? kt_test_nth_node (obj, 0) : NULL;
}

static char *
text_of (xmlNode *node)
{
  xmlChar *v = xmlNodeGetContent (node);
  char *ret = g_strstrip (g_strdup ((const char *) v));

  xmlFree (v);
  return ret;
}

/* -1 when absent */
static gint64
attr_int (xmlNode    *node,
          const char *name)
{
  g_autofree char *v = kt_test_attr (node, name);

  return v ? (gint64) kt_test_to_u64 (v) : -1;
}

/* libvirt's scaled integers; the unit defaults to KiB */
static guint64
scale_to_kib (guint64     value,
              const char *unit)
{
  static const struct { const char *unit; guint64 num, den; } units[] = {
    { "b", 1, 1024 }, { "bytes", 1, 1024 },
    { "KB", 1000, 1024 }, { "k", 1, 1 }, { "K", 1, 1 }, { "KiB", 1, 1 },
    { "MB", 1000000, 1024 }, { "M", 1024, 1 }, { "MiB", 1024, 1 },
    { "GB", G_GUINT64_CONSTANT (1000000000), 1024 }, { "G", 1024 * 1024, 1 },
    { "GiB", 1024 * 1024, 1 },
    { "TB", G_GUINT64_CONSTANT (1000000000000), 1024 },
    { "T", G_GUINT64_CONSTANT (1073741824), 1 }, { "TiB", G_GUINT64_CONSTANT (1073741824), 1 },
  };

  if (unit == NULL)
    return value;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (unit, units[i].unit))
      return value * units[i].num / units[i].den;
  g_error ("Unknown unit “%s”", unit);
}

static guint64
node_kib (xmlNode    *node,
          const char *value_attr)   /* NULL: the element's text */
{
  g_autofree char *unit = kt_test_attr (node, "unit");
  g_autofree char *v = value_attr ? kt_test_attr (node, value_attr) : text_of (node);

  return scale_to_kib (kt_test_to_u64 (v), unit);
}

/* topology --json against a capabilities file --------------------------------- */

static JsonObject *
find_by_id (JsonArray *arr,
            gint64     id)
{
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);

      if (member_int (o, "id") == id)
        return o;
    }
  return NULL;
}

static void
check_topology (const char *path,
                JsonNode   *root)
{
  g_autoptr(xmlDoc) doc = kt_test_read_doc (path);
  g_autoptr(xmlXPathObject) cells = kt_test_xpath (doc, NULL, "/capabilities/host/topology/cells/cell");
  g_autoptr(xmlXPathObject) cpus = kt_test_xpath (doc, NULL, "/capabilities/host/topology/cells/cell/cpus/cpu");
  g_autoptr(xmlXPathObject) banks = kt_test_xpath (doc, NULL, "/capabilities/host/cache/bank[@level='3']");
  g_autoptr(xmlXPathObject) all_pages = kt_test_xpath (doc, NULL, "/capabilities/host//pages");
  g_autoptr(GHashTable) l3_of_bank = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) in_bank = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) got_sizes = NULL;
  JsonObject *top;
  JsonArray *jnodes, *jcpus, *jl3;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  top = json_node_get_object (root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (member (top, "nodes")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (member (top, "cpus")));
  jnodes = json_object_get_array_member (top, "nodes");
  jcpus = json_object_get_array_member (top, "cpus");
  jl3 = json_object_get_array_member (top, "l3");

  /* Nodes */
  g_assert_cmpuint (json_array_get_length (jnodes), ==, kt_test_n_nodes (cells));
  for (guint i = 0; i < kt_test_n_nodes (cells); i++)
    {
      xmlNode *cell = kt_test_nth_node (cells, i);
      gint64 id = attr_int (cell, "id");
      g_autofree char *expr = g_strdup_printf ("//cells/cell[@id=%" G_GINT64_FORMAT "]/cpus/cpu/@id", id);
      g_autoptr(xmlXPathObject) ids = kt_test_xpath (doc, NULL, expr);
      g_autoptr(xmlXPathObject) pages = kt_test_xpath (doc, cell, "pages");
      g_autoptr(xmlXPathObject) sibs = kt_test_xpath (doc, cell, "distances/sibling");
      g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (int));
      g_autoptr(GArray) got = NULL;
      xmlNode *memory = xpath_node (doc, cell, "memory");
      JsonObject *jn = find_by_id (jnodes, id);
      JsonArray *jpages;
      JsonObject *jdist;

      if (jn == NULL)
        g_error ("%s: no JSON node %" G_GINT64_FORMAT, path, id);

      for (guint c = 0; c < kt_test_n_nodes (ids); c++)
        {
          g_autofree char *v = text_of (kt_test_nth_node (ids, c));
          int cpu = (int) kt_test_to_u64 (v);

          g_array_append_val (expected, cpu);
        }
      g_array_sort (expected, cmp_int);
      got = json_ints (member (jn, "cpus"));
      assert_ints_equal (expected, got, "node cpus");

      if (memory != NULL)
        g_assert_cmpint (member_int (jn, "memory_kib"), ==, (gint64) node_kib (memory, NULL));
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (member (jn, "memory_kib")));

      jpages = json_object_get_array_member (jn, "pages");
      g_assert_nonnull (jpages);
      g_assert_cmpuint (json_array_get_length (jpages), ==, kt_test_n_nodes (pages));
      for (guint p = 0; p < kt_test_n_nodes (pages); p++)
        {
          xmlNode *pg = kt_test_nth_node (pages, p);
          guint64 size = node_kib (pg, "size");
          g_autofree char *count = text_of (pg);
          gboolean found = FALSE;

          for (guint j = 0; j < json_array_get_length (jpages); j++)
            {
              JsonObject *jp = json_array_get_object_element (jpages, j);

              if ((guint64) member_int (jp, "size_kib") == size)
                {
                  g_assert_false (found);
                  g_assert_cmpint (member_int (jp, "total"), ==, (gint64) kt_test_to_u64 (count));
                  found = TRUE;
                }
            }
          if (!found)
            g_error ("%s node %" G_GINT64_FORMAT ": no %" G_GUINT64_FORMAT " KiB pages in JSON",
                     path, id, size);
        }

      g_assert_true (JSON_NODE_HOLDS_OBJECT (member (jn, "distances")));
      jdist = json_object_get_object_member (jn, "distances");
      g_assert_cmpuint (json_object_get_size (jdist), ==, kt_test_n_nodes (sibs));
      for (guint s = 0; s < kt_test_n_nodes (sibs); s++)
        {
          g_autofree char *to = kt_test_attr (kt_test_nth_node (sibs, s), "id");
          g_autofree char *value = kt_test_attr (kt_test_nth_node (sibs, s), "value");

          g_assert_cmpint (member_int (jdist, to), ==, (gint64) kt_test_to_u64 (value));
        }
    }

  /* CPUs */
  g_assert_cmpuint (json_array_get_length (jcpus), ==, kt_test_n_nodes (cpus));
  for (guint i = 0; i < kt_test_n_nodes (cpus); i++)
    {
      xmlNode *cpu = kt_test_nth_node (cpus, i);
      gint64 id = attr_int (cpu, "id");
      gint64 node = attr_int (cpu->parent->parent, "id");
      g_autofree char *siblings = kt_test_attr (cpu, "siblings");
      g_autoptr(GArray) expected = NULL;
      g_autoptr(GArray) got = NULL;
      JsonObject *jc = find_by_id (jcpus, id);

      if (jc == NULL)
        g_error ("%s: no JSON cpu %" G_GINT64_FORMAT, path, id);
      g_assert_cmpint (member_int (jc, "node"), ==, node);
      g_assert_cmpint (member_opt_int (jc, "socket"), ==, attr_int (cpu, "socket_id"));
      g_assert_cmpint (member_opt_int (jc, "die"), ==, attr_int (cpu, "die_id"));
      g_assert_cmpint (member_opt_int (jc, "core"), ==, attr_int (cpu, "core_id"));
      if (siblings != NULL && *siblings != '\0')
        expected = sorted_set (siblings);
      else
        {
          /* No topology (offline, or the test driver): itself alone */
          int self = (int) id;

          expected = g_array_new (FALSE, FALSE, sizeof (int));
          g_array_append_val (expected, self);
        }
      got = json_ints (member (jc, "siblings"));
      assert_ints_equal (expected, got, "cpu siblings");
      member (jc, "l3");
    }

  /* L3: CPUs of one bank share one l3 index, other banks have others, and
   * CPUs in no bank have none */
  for (guint b = 0; b < kt_test_n_nodes (banks); b++)
    {
      g_autofree char *set_text = kt_test_attr (kt_test_nth_node (banks, b), "cpus");
      g_autoptr(GArray) set = NULL;
      gint64 value = -2;

      if (set_text == NULL || *g_strstrip (set_text) == '\0')
        continue;
      set = sorted_set (set_text);
      for (guint c = 0; c < set->len; c++)
        {
          int id = g_array_index (set, int, c);
          JsonObject *jc = find_by_id (jcpus, id);
          gint64 l3;

          if (jc == NULL)
            continue;   /* a bank may name CPUs the cells don't list */
          g_hash_table_add (in_bank, GINT_TO_POINTER (id + 1));
          l3 = member_opt_int (jc, "l3");
          g_assert_cmpint (l3, >=, 0);
          if (value == -2)
            value = l3;
          else
            g_assert_cmpint (l3, ==, value);
        }
      if (value >= 0)
        {
          gpointer other = g_hash_table_lookup (l3_of_bank, GINT_TO_POINTER (value + 1));
          JsonObject *jcache;
          g_autoptr(GArray) cache_cpus = NULL;

          if (other != NULL)
            {
              /* Only the code and data banks of one cache (CDP) share it */
              g_autofree char *other_text = kt_test_attr (other, "cpus");
              g_autoptr(GArray) other_set = sorted_set (other_text);

              assert_ints_equal (other_set, set, "CPUs of two banks with one l3 index");
            }
          g_hash_table_insert (l3_of_bank, GINT_TO_POINTER (value + 1), kt_test_nth_node (banks, b));

          g_assert_nonnull (jl3);
          g_assert_cmpint (value, <, json_array_get_length (jl3));
          jcache = json_array_get_object_element (jl3, (guint) value);
          g_assert_cmpint (member_int (jcache, "index"), ==, value);
          cache_cpus = json_ints (member (jcache, "cpus"));
          assert_ints_equal (set, cache_cpus, "l3 cpus");
        }
    }
  for (guint i = 0; i < json_array_get_length (jcpus); i++)
    {
      JsonObject *jc = json_array_get_object_element (jcpus, i);

      if (!g_hash_table_contains (in_bank, GINT_TO_POINTER (member_int (jc, "id") + 1)))
        g_assert_true (JSON_NODE_HOLDS_NULL (member (jc, "l3")));
    }

  /* Page sizes: the union of every <pages> of the host */
  for (guint p = 0; p < kt_test_n_nodes (all_pages); p++)
    {
      int size = (int) node_kib (kt_test_nth_node (all_pages, p), "size");
      gboolean seen = FALSE;

      for (guint j = 0; j < sizes->len; j++)
        seen |= g_array_index (sizes, int, j) == size;
      if (!seen)
        g_array_append_val (sizes, size);
    }
  g_array_sort (sizes, cmp_int);
  got_sizes = json_ints (member (top, "page_sizes_kib"));
  /* Listed ascending by the CLI, not only as a set */
  {
    g_autoptr(GArray) unsorted = json_ints (member (top, "page_sizes_kib"));

    g_array_sort (got_sizes, cmp_int);
    assert_ints_equal (got_sizes, unsorted, "page_sizes_kib order");
  }
  assert_ints_equal (sizes, got_sizes, "page_sizes_kib");
}

static void
test_topology_fixture (gconstpointer data)
{
  g_autofree char *path = kt_test_fixture_path (data);
  g_auto(KtTestRun) r = { 0, };
  g_autoptr(JsonNode) root = NULL;

  kt_test_run_cli (&r, "--caps", path, "topology", "--json");
  assert_success (&r);
  root = parse_json (r.out);
  check_topology (path, root);
}

/* Odd files: a clean answer either way, never a crash (checked by kt_test_run_cli) */
static void
test_topology_edge (gconstpointer data)
{
  g_autofree char *path = kt_test_fixture_path (data);
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--caps", path, "topology", "--json");
  if (r.status == 0)
    {
      g_autoptr(JsonNode) root = parse_json (r.out);

      g_assert_cmpstr (r.err, ==, "");
      /* When it reads the file, it reads it right */
      check_topology (path, root);
    }
  else
    {
      g_assert_cmpstr (r.out, ==, "");
      assert_one_line_error (r.err);
    }
}

/* domains / show --json against domain XML ---------------------------------- */

static void
check_domains_entry (JsonObject *jd,
                     xmlDoc     *doc,
                     xmlNode    *domain,
                     const char *state)
{
  g_autofree char *name = text_of (xpath_node (doc, domain, "name"));
  xmlNode *vcpu = xpath_node (doc, domain, "vcpu");
  g_autofree char *vcpus_text = text_of (vcpu);
  g_autofree char *current = kt_test_attr (vcpu, "current");

  g_assert_cmpstr (member_str (jd, "name"), ==, name);
  g_assert_cmpstr (member_str (jd, "state"), ==, state);
  g_assert_cmpint (member_int (jd, "vcpus"), ==, (gint64) kt_test_to_u64 (vcpus_text));
  g_assert_cmpint (member_int (jd, "current_vcpus"), ==,
                   (gint64) kt_test_to_u64 (current ? current : vcpus_text));
  g_assert_cmpint (member_int (jd, "memory_kib"), ==,
                   (gint64) node_kib (xpath_node (doc, domain, "memory"), NULL));
}

/* A {"id": "cpuset"} member against <@elem @id_attr= cpuset=> */
static void
check_pins (JsonObject *show,
            const char *member_name,
            xmlDoc     *doc,
            xmlNode    *domain,
            const char *expr,
            const char *id_attr)
{
  g_autoptr(xmlXPathObject) pins = kt_test_xpath (doc, domain, expr);
  JsonObject *jp;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (member (show, member_name)));
  jp = json_object_get_object_member (show, member_name);
  g_assert_cmpuint (json_object_get_size (jp), ==, kt_test_n_nodes (pins));
  for (guint i = 0; i < kt_test_n_nodes (pins); i++)
    {
      g_autofree char *id = kt_test_attr (kt_test_nth_node (pins, i), id_attr);
      g_autofree char *set = kt_test_attr (kt_test_nth_node (pins, i), "cpuset");

      assert_same_set (set, member (jp, id), member_name);
    }
}

static void
check_show (JsonObject *show,
            xmlDoc     *doc,
            xmlNode    *domain)
{
  xmlNode *memory = xpath_node (doc, domain, "numatune/memory");
  xmlNode *emulatorpin = xpath_node (doc, domain, "cputune/emulatorpin");
  xmlNode *hugepages = xpath_node (doc, domain, "memoryBacking/hugepages");
  xmlNode *cpu = xpath_node (doc, domain, "cpu");
  g_autofree char *emulator_set = kt_test_attr (emulatorpin, "cpuset");
  g_autoptr(xmlXPathObject) memnodes = kt_test_xpath (doc, domain, "numatune/memnode");
  g_autoptr(xmlXPathObject) cells = kt_test_xpath (doc, domain, "cpu/numa/cell");
  JsonObject *numatune, *jcpu;
  JsonArray *jmemnodes, *jcells;

  check_domains_entry (show, doc, domain, member_str (show, "state"));

  check_pins (show, "vcpupin", doc, domain, "cputune/vcpupin", "vcpu");
  check_pins (show, "iothreadpin", doc, domain, "cputune/iothreadpin", "iothread");
  assert_same_set (emulator_set, member (show, "emulatorpin"), "emulatorpin");

  g_assert_true (JSON_NODE_HOLDS_OBJECT (member (show, "numatune")));
  numatune = json_object_get_object_member (show, "numatune");
  if (memory != NULL)
    {
      g_autofree char *mode = kt_test_attr (memory, "mode");
      g_autofree char *nodeset = kt_test_attr (memory, "nodeset");
      g_autofree char *placement = kt_test_attr (memory, "placement");

      g_assert_cmpstr (member_str (numatune, "mode"), ==, mode ? mode : "strict");
      assert_same_set (nodeset, member (numatune, "nodeset"), "numatune nodeset");
      g_assert_cmpstr (member_str (numatune, "placement"), ==,
                       placement ? placement : nodeset ? "static" : "auto");
    }
  else
    {
      g_assert_null (member_str (numatune, "mode"));
      g_assert_true (JSON_NODE_HOLDS_NULL (member (numatune, "nodeset")));
    }
  jmemnodes = json_object_get_array_member (numatune, "memnodes");
  g_assert_nonnull (jmemnodes);
  g_assert_cmpuint (json_array_get_length (jmemnodes), ==, kt_test_n_nodes (memnodes));
  for (guint i = 0; i < kt_test_n_nodes (memnodes); i++)
    {
      xmlNode *m = kt_test_nth_node (memnodes, i);
      JsonObject *jm = json_array_get_object_element (jmemnodes, i);
      g_autofree char *mode = kt_test_attr (m, "mode");
      g_autofree char *nodeset = kt_test_attr (m, "nodeset");

      g_assert_cmpint (member_int (jm, "cellid"), ==, attr_int (m, "cellid"));
      g_assert_cmpstr (member_str (jm, "mode"), ==, mode ? mode : "strict");
      assert_same_set (nodeset, member (jm, "nodeset"), "memnode nodeset");
    }

  if (hugepages == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (member (show, "hugepages")));
  else
    {
      g_autoptr(xmlXPathObject) pages = kt_test_xpath (doc, hugepages, "page");
      JsonArray *jh;

      g_assert_true (JSON_NODE_HOLDS_ARRAY (member (show, "hugepages")));
      jh = json_object_get_array_member (show, "hugepages");
      g_assert_cmpuint (json_array_get_length (jh), ==, kt_test_n_nodes (pages));
      for (guint i = 0; i < kt_test_n_nodes (pages); i++)
        {
          JsonObject *jp = json_array_get_object_element (jh, i);
          g_autofree char *nodeset = kt_test_attr (kt_test_nth_node (pages, i), "nodeset");

          g_assert_cmpint (member_int (jp, "size_kib"), ==,
                           (gint64) node_kib (kt_test_nth_node (pages, i), "size"));
          assert_same_set (nodeset, member (jp, "nodeset"), "hugepages nodeset");
        }
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (member (show, "cpu")));
  jcpu = json_object_get_object_member (show, "cpu");
  if (cpu != NULL)
    {
      g_autofree char *mode = kt_test_attr (cpu, "mode");
      xmlNode *model = xpath_node (doc, cpu, "model");
      xmlNode *topo = xpath_node (doc, cpu, "topology");
      g_autofree char *model_text = model ? text_of (model) : NULL;

      g_assert_cmpstr (member_str (jcpu, "mode"), ==, mode ? mode : "custom");
      g_assert_cmpstr (member_str (jcpu, "model"), ==,
                       model_text && *model_text ? model_text : NULL);
      if (topo == NULL)
        g_assert_true (JSON_NODE_HOLDS_NULL (member (jcpu, "topology")));
      else
        {
          JsonObject *jt = json_object_get_object_member (jcpu, "topology");
          gint64 dies = attr_int (topo, "dies");

          g_assert_nonnull (jt);
          g_assert_cmpint (member_int (jt, "sockets"), ==, attr_int (topo, "sockets"));
          g_assert_cmpint (member_int (jt, "dies"), ==, dies < 0 ? 1 : dies);
          g_assert_cmpint (member_int (jt, "cores"), ==, attr_int (topo, "cores"));
          g_assert_cmpint (member_int (jt, "threads"), ==, attr_int (topo, "threads"));
        }
    }
  else
    g_assert_true (JSON_NODE_HOLDS_NULL (member (jcpu, "topology")));

  jcells = json_object_get_array_member (jcpu, "cells");
  g_assert_nonnull (jcells);
  g_assert_cmpuint (json_array_get_length (jcells), ==, kt_test_n_nodes (cells));
  for (guint i = 0; i < kt_test_n_nodes (cells); i++)
    {
      xmlNode *c = kt_test_nth_node (cells, i);
      JsonObject *jc = json_array_get_object_element (jcells, i);
      g_autofree char *cpus = kt_test_attr (c, "cpus");
      gint64 id = attr_int (c, "id");

      /* libvirt numbers cells without an id in order */
      g_assert_cmpint (member_int (jc, "id"), ==, id < 0 ? (gint64) i : id);
      assert_same_set (cpus, member (jc, "cpus"), "guest cell cpus");
      g_assert_cmpint (member_int (jc, "memory_kib"), ==, (gint64) node_kib (c, "memory"));
    }
}

static JsonObject *
show_json (KtTestRun  *r,
           JsonNode  **keep,
           const char *name,
           const char *source_opt,
           const char *source,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  const char *a;

  g_ptr_array_add (args, (gpointer) source_opt);
  g_ptr_array_add (args, (gpointer) source);
  va_start (ap, source);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, (gpointer) "show");
  g_ptr_array_add (args, (gpointer) name);
  g_ptr_array_add (args, (gpointer) "--json");
  g_ptr_array_add (args, NULL);

  kt_test_run_cli_full (r, NULL, (const char * const *) args->pdata);
  assert_success (r);
  *keep = parse_json (r->out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*keep));
  return json_node_get_object (*keep);
}

static void
test_caps_domains (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *d2 = kt_test_fixture_path ("domains/numatune-memnode.xml");
  g_autoptr(xmlDoc) doc1 = kt_test_read_doc (d1);
  g_autoptr(xmlDoc) doc2 = kt_test_read_doc (d2);
  g_autoptr(JsonNode) root = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonArray *arr;

  kt_test_run_cli (&r, "--caps", caps, "--domain", d1, "--domain", d2, "domains", "--json");
  assert_success (&r);
  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  arr = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (arr), ==, 2);
  check_domains_entry (json_array_get_object_element (arr, 0), doc1,
                       xmlDocGetRootElement (doc1), "shutoff");
  check_domains_entry (json_array_get_object_element (arr, 1), doc2,
                       xmlDocGetRootElement (doc2), "shutoff");
}

static void
test_caps_show_cputune (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *d2 = kt_test_fixture_path ("domains/numatune-memnode.xml");
  g_autoptr(xmlDoc) doc = kt_test_read_doc (d1);
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonObject *show, *pins, *cputune;

  show = show_json (&r, &keep, "QEMUGuest1", "--caps", caps, "--domain", d1, "--domain", d2, NULL);
  check_show (show, doc, xmlDocGetRootElement (doc));

  /* The values of cputune.xml, spelled out */
  g_assert_cmpstr (member_str (show, "name"), ==, "QEMUGuest1");
  g_assert_cmpint (member_int (show, "vcpus"), ==, 2);
  g_assert_cmpint (member_int (show, "memory_kib"), ==, 219136);
  pins = json_object_get_object_member (show, "vcpupin");
  g_assert_cmpuint (json_object_get_size (pins), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (pins, "0"), ==, "0");
  g_assert_cmpstr (json_object_get_string_member (pins, "1"), ==, "1");
  g_assert_cmpstr (member_str (show, "emulatorpin"), ==, "1");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (show, "iothreadpin")), ==, 0);
  cputune = json_object_get_object_member (show, "cputune");
  g_assert_cmpint (member_int (cputune, "shares"), ==, 2048);
  g_assert_cmpint (member_int (cputune, "period"), ==, 1000000);
  g_assert_true (JSON_NODE_HOLDS_NULL (member (cputune, "quota")));
  g_assert_null (member_str (json_object_get_object_member (show, "numatune"), "mode"));
  g_assert_true (JSON_NODE_HOLDS_NULL (member (show, "hugepages")));
}

static void
test_caps_show_memnode (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *d2 = kt_test_fixture_path ("domains/numatune-memnode.xml");
  g_autoptr(xmlDoc) doc = kt_test_read_doc (d2);
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonObject *show, *numatune, *m;
  JsonArray *memnodes, *cells;

  show = show_json (&r, &keep, "QEMUGuest", "--caps", caps, "--domain", d1, "--domain", d2, NULL);
  check_show (show, doc, xmlDocGetRootElement (doc));

  /* numatune-memnode.xml, spelled out */
  numatune = json_object_get_object_member (show, "numatune");
  g_assert_cmpstr (member_str (numatune, "mode"), ==, "strict");
  g_assert_cmpstr (member_str (numatune, "nodeset"), ==, "0-7");
  g_assert_cmpstr (member_str (numatune, "placement"), ==, "static");
  memnodes = json_object_get_array_member (numatune, "memnodes");
  g_assert_cmpuint (json_array_get_length (memnodes), ==, 2);
  m = json_array_get_object_element (memnodes, 0);
  g_assert_cmpint (member_int (m, "cellid"), ==, 0);
  g_assert_cmpstr (member_str (m, "mode"), ==, "preferred");
  g_assert_cmpstr (member_str (m, "nodeset"), ==, "3");
  m = json_array_get_object_element (memnodes, 1);
  g_assert_cmpint (member_int (m, "cellid"), ==, 2);
  g_assert_cmpstr (member_str (m, "mode"), ==, "strict");
  g_assert_cmpstr (member_str (m, "nodeset"), ==, "1-2,5,7");     /* "1-2,5-7,^6" */
  cells = json_object_get_array_member (json_object_get_object_member (show, "cpu"), "cells");
  g_assert_cmpuint (json_array_get_length (cells), ==, 3);
  g_assert_cmpstr (member_str (json_array_get_object_element (cells, 1), "cpus"), ==, "1-27,29");
  g_assert_cmpint (member_int (json_array_get_object_element (cells, 2), "memory_kib"), ==, 24002400);
  g_assert_cmpint (member_int (show, "vcpus"), ==, 32);
}

static void
test_caps_show_hugepages (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d = kt_test_fixture_path ("domains/hugepages-numa-nodeset.xml");
  g_autoptr(xmlDoc) doc = kt_test_read_doc (d);
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonObject *show, *h;
  JsonArray *pages;

  show = show_json (&r, &keep, "QEMUGuest1", "--caps", caps, "--domain", d, NULL);
  check_show (show, doc, xmlDocGetRootElement (doc));

  pages = json_object_get_array_member (show, "hugepages");
  g_assert_cmpuint (json_array_get_length (pages), ==, 2);
  h = json_array_get_object_element (pages, 0);
  g_assert_cmpint (member_int (h, "size_kib"), ==, 2048);
  g_assert_cmpstr (member_str (h, "nodeset"), ==, "1");
  h = json_array_get_object_element (pages, 1);
  g_assert_cmpint (member_int (h, "size_kib"), ==, 1048576);
  g_assert_cmpstr (member_str (h, "nodeset"), ==, "0,2-3");
}

/* Other domain fixtures, one VM each: show agrees with the XML */
static void
test_caps_show_fixture (gconstpointer data)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d = kt_test_fixture_path (data);
  g_autoptr(xmlDoc) doc = kt_test_read_doc (d);
  g_autofree char *name = text_of (xpath_node (doc, NULL, "/domain/name"));
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonObject *show;

  show = show_json (&r, &keep, name, "--caps", caps, "--domain", d, NULL);
  check_show (show, doc, xmlDocGetRootElement (doc));
}

/* The demo snapshot ------------------------------------------------------------ */

static void
test_demo_domains (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(xmlDoc) doc = kt_test_read_doc (demo);
  g_autoptr(xmlXPathObject) vms = kt_test_xpath (doc, NULL, "/kvmtune-snapshot/vm");
  g_autoptr(GHashTable) states = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) root = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonArray *arr;

  kt_test_run_cli (&r, "--snapshot", demo, "domains", "--json");
  assert_success (&r);
  root = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  arr = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (arr), ==, 8);
  g_assert_cmpuint (kt_test_n_nodes (vms), ==, 8);

  for (guint i = 0; i < kt_test_n_nodes (vms); i++)
    {
      xmlNode *vm = kt_test_nth_node (vms, i);
      g_autofree char *name = kt_test_attr (vm, "name");
      g_autofree char *state = kt_test_attr (vm, "state");
      gboolean running = g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "paused") == 0;
      xmlNode *domain = xpath_node (doc, vm, running ? "live/domain" : "inactive/domain");
      JsonObject *jd = json_array_get_object_element (arr, i);

      g_assert_nonnull (domain);
      g_assert_cmpstr (member_str (jd, "name"), ==, name);
      check_domains_entry (jd, doc, domain, state);
      if (running)
        g_assert_cmpint (member_int (jd, "id"), ==, attr_int (vm, "id"));
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (member (jd, "id")));
      g_hash_table_add (states, (gpointer) member_str (jd, "state"));
    }
  /* Mixed states */
  g_assert_true (g_hash_table_contains (states, "running"));
  g_assert_true (g_hash_table_contains (states, "paused"));
  g_assert_true (g_hash_table_contains (states, "shutoff"));
}

static void
test_demo_show (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(xmlDoc) doc = kt_test_read_doc (demo);
  xmlNode *domain = xpath_node (doc, NULL, "/kvmtune-snapshot/vm[@name='db-primary']/live/domain");
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  JsonObject *show;

  g_assert_nonnull (domain);
  show = show_json (&r, &keep, "db-primary", "--snapshot", demo, NULL);
  g_assert_cmpstr (member_str (show, "state"), ==, "running");
  check_show (show, doc, domain);
  /* Some pinning to check at all */
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (show, "vcpupin")), >, 0);
  g_assert_nonnull (member_str (show, "emulatorpin"));
}

static void
test_demo_show_all (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(xmlDoc) doc = kt_test_read_doc (demo);
  g_autoptr(xmlXPathObject) vms = kt_test_xpath (doc, NULL, "/kvmtune-snapshot/vm");

  for (guint i = 0; i < kt_test_n_nodes (vms); i++)
    {
      xmlNode *vm = kt_test_nth_node (vms, i);
      g_autofree char *name = kt_test_attr (vm, "name");
      g_autofree char *state = kt_test_attr (vm, "state");
      gboolean running = g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "paused") == 0;
      xmlNode *domain = xpath_node (doc, vm, running ? "live/domain" : "inactive/domain");
      g_autoptr(JsonNode) keep = NULL;
      g_auto(KtTestRun) r = { 0, };
      JsonObject *show;

      g_test_message ("VM %s", name);
      show = show_json (&r, &keep, name, "--snapshot", demo, NULL);
      g_assert_cmpstr (member_str (show, "state"), ==, state);
      check_show (show, doc, domain);
    }
}

static void
test_demo_topology_text (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GRegex) pu0 = g_regex_new ("(^|\\s)PU 0\\s", G_REGEX_MULTILINE, 0, NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(KtTestRun) r = { 0, };
  guint pu0_lines = 0;

  kt_test_run_cli (&r, "--snapshot", demo, "topology");
  assert_success (&r);
  for (int n = 0; n < 4; n++)
    {
      g_autofree char *header = g_strdup_printf ("\nNUMA node %d ", n);

      if (strstr (r.out, header) == NULL)
        g_error ("No “NUMA node %d” in:\n%s", n, r.out);
    }
  g_assert_null (strstr (r.out, "NUMA node 4"));

  lines = g_strsplit (r.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_regex_match (pu0, lines[i], 0, NULL))
      {
        pu0_lines++;
        if (strstr (lines[i], "web1/vcpu0") == NULL)
          g_error ("PU 0 does not list web1/vcpu0: “%s”", lines[i]);
      }
  g_assert_cmpuint (pu0_lines, ==, 1);
  g_assert_nonnull (strstr (r.out, "db-primary/vcpu0"));
}

/* snapshot -o ---------------------------------------------------------------------- */

static char *
cli_stdout (const char * const *args)
{
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli_full (&r, NULL, args);
  assert_success (&r);
  return g_steal_pointer (&r.out);
}

/* @source: the source options; writes a snapshot and compares domains,
 * topology and every show --json of the copy with the source's */
static void
check_round_trip (const char * const *source)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "copy.kvmtune", NULL);
  const char * const copy[] = { "--snapshot", out, NULL };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *src_domains = NULL;
  g_autofree char *copy_domains = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_auto(KtTestRun) r = { 0, };

  g_assert_nonnull (dir);
  g_strv_builder_addv (b, (const char **) source);
  g_strv_builder_add_many (b, "snapshot", "-o", out, NULL);
  args = g_strv_builder_end (b);
  kt_test_run_cli_full (&r, NULL, (const char * const *) args);
  assert_success (&r);
  g_assert_nonnull (strstr (r.out, out));
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));

#define WITH(src, ...) ({ \
    g_autoptr(GStrvBuilder) wb = g_strv_builder_new (); \
    g_strv_builder_addv (wb, (const char **) (src)); \
    g_strv_builder_add_many (wb, __VA_ARGS__, NULL); \
    g_strv_builder_end (wb); })

  {
    g_auto(GStrv) a1 = WITH (source, "domains", "--json");
    g_auto(GStrv) a2 = WITH (copy, "domains", "--json");

    src_domains = cli_stdout ((const char * const *) a1);
    copy_domains = cli_stdout ((const char * const *) a2);
    g_assert_cmpstr (copy_domains, ==, src_domains);
  }
  {
    g_auto(GStrv) a1 = WITH (source, "topology", "--json");
    g_auto(GStrv) a2 = WITH (copy, "topology", "--json");
    g_autofree char *t1 = cli_stdout ((const char * const *) a1);
    g_autofree char *t2 = cli_stdout ((const char * const *) a2);

    g_assert_cmpstr (t2, ==, t1);
  }

  list = parse_json (src_domains);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      const char *name = member_str (json_array_get_object_element (json_node_get_array (list), i),
                                     "name");
      g_auto(GStrv) a1 = WITH (source, "show", name, "--json");
      g_auto(GStrv) a2 = WITH (copy, "show", name, "--json");
      g_autofree char *s1 = cli_stdout ((const char * const *) a1);
      g_autofree char *s2 = cli_stdout ((const char * const *) a2);

      g_assert_cmpstr (s2, ==, s1);
    }
#undef WITH

  g_assert_no_errno (g_unlink (out));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_snapshot_round_trip_caps (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *d2 = kt_test_fixture_path ("domains/numatune-memnode.xml");
  const char * const source[] = { "--caps", caps, "--domain", d1, "--domain", d2, NULL };

  check_round_trip (source);
}

static void
test_snapshot_round_trip_demo (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  const char * const source[] = { "--snapshot", demo, NULL };

  check_round_trip (source);
}

static void
test_snapshot_unwritable (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--caps", caps, "snapshot", "-o", "/nonexistent/dir/x");
  assert_failure (&r, 1, "/nonexistent/dir/x", "No such file or directory");
  g_assert_false (g_file_test ("/nonexistent/dir/x", G_FILE_TEST_EXISTS));
}

/* In the child: writes past 4 KiB fail with EFBIG rather than kill it */
static void
limit_file_size (gpointer data)
{
  struct rlimit rl = { 4096, 4096 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &rl);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_snapshot_replace (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "host.kvmtune", NULL);
  const char old_text[] = "old content, not a snapshot\n";
  g_autofree char *after = NULL;
  GStatBuf before_st, after_st;

  g_assert_nonnull (dir);

  /* Success: the file is replaced (renamed over: a new inode), and reads back */
  g_assert_true (g_file_set_contents (out, old_text, -1, NULL));
  g_assert_no_errno (g_stat (out, &before_st));
  {
    g_auto(KtTestRun) r = { 0, };
    g_autoptr(JsonNode) root = NULL;

    kt_test_run_cli (&r, "--caps", caps, "--domain", d1, "snapshot", "-o", out);
    assert_success (&r);
    g_assert_no_errno (g_stat (out, &after_st));
    g_assert_cmpuint (after_st.st_ino, !=, before_st.st_ino);
    kt_test_run_clear (&r);
    kt_test_run_cli (&r, "--snapshot", out, "domains", "--json");
    assert_success (&r);
    root = parse_json (r.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  }
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* Failure half-way through the write (the demo is far above 4 KiB): the
   * old file is left whole, and no temporary file is left behind */
  g_assert_true (g_file_set_contents (out, old_text, -1, NULL));
  {
    g_auto(KtTestRun) r = { 0, };
    const char * const args[] = { "--snapshot", demo, "snapshot", "-o", out, NULL };

    kt_test_run_cli_full (&r, limit_file_size, args);
    assert_failure (&r, 1, dir);
  }
  g_assert_true (g_file_get_contents (out, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, old_text);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  g_assert_no_errno (g_unlink (out));
  g_assert_no_errno (g_rmdir (dir));
}

/* Errors ------------------------------------------------------------------------ */

static void
test_error_unknown_verb (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "frobnicate");
  assert_failure (&r, 2, "frobnicate");
}

/* Every verb of kvmtune-cli, as a user reads them in the man page */
static const char * const all_verbs[] = {
  "topology", "domains", "show", "snapshot", "render", "pin", "emulatorpin", "iothreadpin",
  "numatune", "hugepages", "cpu-model", "host", "recover", "plan",
};

/* --help lists each verb with its usage, after "Verbs:"; each verb takes
 * --help of its own; an unknown verb's error names them all */
static void
test_verbs_listed (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };
  const char *verbs_at;

  kt_test_run_cli (&r, "--help");
  assert_success (&r);
  verbs_at = strstr (r.out, "\nVerbs:\n");
  g_assert_nonnull (verbs_at);
  for (guint i = 0; i < G_N_ELEMENTS (all_verbs); i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", all_verbs[i]);
      g_auto(KtTestRun) help = { 0, };

      if (verbs_at != NULL && strstr (verbs_at, line) == NULL)
        g_test_fail_printf ("--help does not list %s: %s", all_verbs[i], r.out);

      kt_test_run_cli (&help, "--snapshot", demo, all_verbs[i], "--help");
      assert_success (&help);
      g_assert_nonnull (strstr (help.out, all_verbs[i]));
    }

  kt_test_run_clear (&r);
  kt_test_run_cli (&r, "--snapshot", demo, "frobnicate");
  assert_failure (&r, 2, "frobnicate", "topology, domains, show", "cpu-model, host, recover or plan");
  for (guint i = 0; i < G_N_ELEMENTS (all_verbs); i++)
    g_assert_nonnull (strstr (r.err, all_verbs[i]));
}

static void
test_error_missing_domain (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "show", "--json");
  assert_failure (&r, 2, "show DOMAIN");
}

static void
test_error_no_such_vm (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "show", "no-such-vm", "--json");
  assert_failure (&r, 1, "No domain called", "no-such-vm");
}

static void
test_error_missing_caps (void)
{
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--caps", "/nonexistent", "topology", "--json");
  assert_failure (&r, 1, "/nonexistent", "No such file or directory");
}

static void
test_error_malformed_caps (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "broken.xml", NULL);
  g_auto(KtTestRun) r = { 0, };

  g_assert_true (g_file_set_contents (bad, "<capabilities><host><topology>\n", -1, NULL));
  kt_test_run_cli (&r, "--caps", bad, "topology", "--json");
  assert_failure (&r, 1, bad, "not well-formed");
  g_assert_no_errno (g_unlink (bad));
  g_assert_no_errno (g_rmdir (dir));
}

/* One bad domain file among good ones: the CLI still fails, and says
 * which file and which line */
static void
test_error_bad_domain_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *good = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *broken = g_build_filename (dir, "broken.xml", NULL);
  g_autofree char *bad_value = g_build_filename (dir, "bad-value.xml", NULL);

  /* <vcpu> left open: the mismatch shows on line 5 */
  g_assert_true (g_file_set_contents (broken,
                                      "<domain type='kvm'>\n"
                                      "  <name>broken</name>\n"
                                      "  <memory>1048576</memory>\n"
                                      "  <vcpu>2\n"
                                      "</domain>\n", -1, NULL));
  /* Well-formed, but <vcpu> on line 4 is no number */
  g_assert_true (g_file_set_contents (bad_value,
                                      "<domain type='kvm'>\n"
                                      "  <name>bad-value</name>\n"
                                      "  <memory>1048576</memory>\n"
                                      "  <vcpu placement='static'>banana</vcpu>\n"
                                      "</domain>\n", -1, NULL));
  {
    g_auto(KtTestRun) r = { 0, };

    kt_test_run_cli (&r, "--caps", caps, "--domain", good, "--domain", broken, "domains", "--json");
    assert_failure (&r, 1, broken, "line 5", "not well-formed");
  }
  {
    g_auto(KtTestRun) r = { 0, };

    kt_test_run_cli (&r, "--caps", caps, "--domain", bad_value, "--domain", good, "domains", "--json");
    assert_failure (&r, 1, bad_value, "line 4", "banana");
  }
  g_assert_no_errno (g_unlink (broken));
  g_assert_no_errno (g_unlink (bad_value));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_error_snapshot_wrong_root (void)
{
  g_autofree char *d = kt_test_fixture_path ("domains/cputune.xml");
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", d, "domains", "--json");
  assert_failure (&r, 1, d, "<domain>");
}

static void
test_error_two_sources (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--caps", caps, "--snapshot", demo, "domains", "--json");
  assert_failure (&r, 2, "--caps", "--snapshot");
}

static void
test_error_domain_without_caps (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *d = kt_test_fixture_path ("domains/cputune.xml");
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "--domain", d, "domains");
  assert_failure (&r, 2, "--domain");
}

static void
test_error_unknown_option (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "domains", "--frob");
  assert_failure (&r, 2, "--frob");
}

/* Placement: default pin sets, numad, warnings ---------------------------------- */

/* CPUs 0-7 are node 0 of REAL_HOST, 8-15 node 1; CPU 0 and 1 are not one
 * core's threads there (one thread per core) */
static const char warned_xml[] =
  "<domain type='kvm'><name>warned</name><memory unit='GiB'>1</memory>"
  "<vcpu placement='static'>2</vcpu>"
  "<cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='8'/>"
  "<emulatorpin cpuset='0'/></cputune>"
  "<numatune><memory mode='strict' nodeset='0'/></numatune>"
  "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
  "<cpu><topology sockets='1' cores='1' threads='2'/></cpu>"
  "</domain>";
static const char sharer_xml[] =
  "<domain type='kvm'><name>sharer</name><memory unit='GiB'>1</memory>"
  "<vcpu placement='static'>1</vcpu>"
  "<cputune><vcpupin vcpu='0' cpuset='0'/></cputune>"
  "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
  "</domain>";
static const char hot_xml[] =
  "<domain type='kvm'><name>hot</name><memory unit='GiB'>4</memory>"
  "<vcpu placement='static' cpuset='0-10,^5' current='4'>8</vcpu>"
  "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
  "</domain>";

static char *
write_temp (const char *dir,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
has_warning (JsonArray  *warnings,
             const char *kind,
             const char *other)
{
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      JsonObject *w = json_array_get_object_element (warnings, i);

      g_assert_nonnull (member_str (w, "message"));
      if (g_strcmp0 (member_str (w, "kind"), kind) == 0
          && (other == NULL || g_strcmp0 (member_str (w, "other"), other) == 0))
        return TRUE;
    }
  return FALSE;
}

static void
test_show_warnings (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *a = write_temp (dir, "warned.xml", warned_xml);
  g_autofree char *b = write_temp (dir, "sharer.xml", sharer_xml);
  g_autoptr(xmlDoc) doc = kt_test_read_doc (a);
  g_autoptr(JsonNode) keep = NULL;
  g_autoptr(JsonNode) keep_b = NULL;
  g_auto(KtTestRun) r = { 0, };
  g_auto(KtTestRun) rb = { 0, };
  g_auto(KtTestRun) text = { 0, };
  JsonObject *show;
  JsonArray *warnings;

  show = show_json (&r, &keep, "warned", "--caps", caps, "--domain", a, "--domain", b, NULL);
  check_show (show, doc, xmlDocGetRootElement (doc));   /* every old key is still there */
  g_assert_true (JSON_NODE_HOLDS_ARRAY (member (show, "warnings")));
  warnings = json_object_get_array_member (show, "warnings");
  g_assert_true (has_warning (warnings, "shared_pcpu", "sharer"));
  g_assert_true (has_warning (warnings, "spans_nodes", NULL));
  g_assert_true (has_warning (warnings, "remote_memory", NULL));
  g_assert_true (has_warning (warnings, "smt_split", NULL));
  g_assert_true (has_warning (warnings, "emulator_on_vcpu", NULL));
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      JsonObject *w = json_array_get_object_element (warnings, i);

      if (g_str_equal (member_str (w, "kind"), "remote_memory"))
        g_assert_cmpstr (member_str (w, "cpus"), ==, "8");
      if (g_str_equal (member_str (w, "kind"), "shared_pcpu"))
        g_assert_cmpstr (member_str (w, "cpus"), ==, "0");
    }

  /* The other VM sees the shared CPU, named after the first */
  show = show_json (&rb, &keep_b, "sharer", "--caps", caps, "--domain", a, "--domain", b, NULL);
  warnings = json_object_get_array_member (show, "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  g_assert_true (has_warning (warnings, "shared_pcpu", "warned"));

  kt_test_run_cli (&text, "--caps", caps, "--domain", a, "--domain", b, "show", "warned");
  assert_success (&text);
  g_assert_nonnull (strstr (text.out, "Warnings:"));
  g_assert_nonnull (strstr (text.out, "share CPUs 0"));

  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
}

static void
test_show_default_pins (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d = write_temp (dir, "hot.xml", hot_xml);
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  g_auto(KtTestRun) text = { 0, };
  g_auto(KtTestRun) topo = { 0, };
  JsonObject *show;
  JsonArray *threads;

  show = show_json (&r, &keep, "hot", "--caps", caps, "--domain", d, NULL);
  g_assert_cmpstr (member_str (show, "vcpu_cpuset"), ==, "0-4,6-10");
  g_assert_cmpstr (member_str (show, "online_vcpus"), ==, "0-3");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (show, "warnings")), ==, 0);
  threads = json_object_get_array_member (show, "threads");
  g_assert_cmpuint (json_array_get_length (threads), ==, 9);    /* 8 vCPUs, the emulator */
  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *th = json_array_get_object_element (threads, i);

      g_assert_cmpstr (member_str (th, "source"), ==, "default");
      g_assert_cmpstr (member_str (th, "cpus"), ==, "0-4,6-10");
    }

  kt_test_run_cli (&text, "--caps", caps, "--domain", d, "show", "hot");
  assert_success (&text);
  g_assert_nonnull (strstr (text.out, "8 (4 online)"));
  g_assert_nonnull (strstr (text.out, "0-4,6-10, for every thread without its own pin"));
  g_assert_nonnull (strstr (text.out, "(offline)"));
  kt_test_run_cli (&topo, "--caps", caps, "--domain", d, "topology");
  assert_success (&topo);
  g_assert_nonnull (strstr (topo.out, "hot/emulator                 on CPUs 0-4,6-10 (default"));

  g_unlink (d);
  g_rmdir (dir);
}

static void
test_show_numad (void)
{
  g_autofree char *caps = kt_test_fixture_path (REAL_HOST);
  g_autofree char *d = kt_test_fixture_path ("domains/numad.xml");
  g_autoptr(JsonNode) keep = NULL;
  g_auto(KtTestRun) r = { 0, };
  g_auto(KtTestRun) text = { 0, };
  g_auto(KtTestRun) topo = { 0, };
  JsonObject *show;
  JsonArray *threads;

  show = show_json (&r, &keep, "QEMUGuest1", "--caps", caps, "--domain", d, NULL);
  g_assert_cmpstr (member_str (show, "vcpu_placement"), ==, "auto");
  threads = json_object_get_array_member (show, "threads");
  for (guint i = 0; i < json_array_get_length (threads); i++)
    g_assert_cmpstr (member_str (json_array_get_object_element (threads, i), "source"), ==,
                     "numad");

  kt_test_run_cli (&text, "--caps", caps, "--domain", d, "show", "QEMUGuest1");
  assert_success (&text);
  g_assert_nonnull (strstr (text.out, "numad decides (placement='auto')"));
  g_assert_nonnull (strstr (text.out, "interleave, placed by numad"));
  g_assert_null (strstr (text.out, "floats"));
  kt_test_run_cli (&topo, "--caps", caps, "--domain", d, "topology");
  assert_success (&topo);
  g_assert_nonnull (strstr (topo.out, "QEMUGuest1/vcpu0             placed by numad"));
}

/* A snapshot's free memory is shown, marked with when it was captured */
static void
test_free_memory_offline (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-XXXXXX", NULL);
  g_autofree char *caps_path = kt_test_fixture_path (REAL_HOST);
  g_autofree char *caps = NULL;
  g_autofree char *snap = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(KtTestRun) r = { 0, };
  g_auto(KtTestRun) text = { 0, };
  g_auto(KtTestRun) plain = { 0, };
  JsonObject *topo, *node0;
  JsonArray *pages;

  g_file_get_contents (caps_path, &caps, NULL, NULL);
  g_assert_nonnull (caps);
  snap = g_strdup_printf ("<kvmtune-snapshot version='1'>"
                          "<source uri='qemu+ssh://far/system' captured='2026-03-04T05:06:07Z'/>"
                          "%s"
                          "<freeMemory captured='2026-03-04T05:06:07Z'>"
                          "<node id='0' free_kib='1048576'><pages size_kib='2048' free='7'/></node>"
                          "</freeMemory></kvmtune-snapshot>",
                          strstr (caps, "<capabilities>"));
  path = write_temp (dir, "snap.kvmtune", snap);

  kt_test_run_cli (&r, "--snapshot", path, "topology", "--json");
  assert_success (&r);
  root = parse_json (r.out);
  topo = json_node_get_object (root);
  g_assert_cmpstr (member_str (topo, "free_as_of"), ==, "2026-03-04T05:06:07Z");
  node0 = json_array_get_object_element (json_object_get_array_member (topo, "nodes"), 0);
  g_assert_cmpint (member_int (node0, "free_kib"), ==, 1048576);
  pages = json_object_get_array_member (node0, "pages");
  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonObject *pg = json_array_get_object_element (pages, i);

      g_assert_cmpint (member_opt_int (pg, "free"), ==,
                       member_int (pg, "size_kib") == 2048 ? 7 : -1);
    }

  /* The time is shown in local time: UTC here */
  g_setenv ("TZ", "UTC", TRUE);
  kt_test_run_cli_full (&text, NULL, (const char * const[]) { "--snapshot", path, "topology", NULL });
  assert_success (&text);
  g_assert_nonnull (strstr (text.out, "as of 2026-03-04 05:06"));
  g_assert_nonnull (strstr (text.out, "(1.0\u00a0GiB free)"));
  g_assert_nonnull (strstr (text.out, "2M: 7/"));

  /* --caps alone: no free figures, no time */
  kt_test_run_cli (&plain, "--caps", caps_path, "topology");
  assert_success (&plain);
  g_assert_null (strstr (plain.out, "as of"));

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char **argv)
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) edge = NULL;
  static const char *show_fixtures[] = {
    "domains/cputune-iothreads.xml", "domains/cpu-numa1.xml", "domains/smp-dies.xml",
    "domains/cpu-host-model.xml", "domains/numatune-memnode-restrictive-mode.xml",
    "domains/hugepages-default.xml", "domains/numad.xml", "domains/cpu-hotplug-startup.xml",
  };

  g_test_init (&argc, &argv, NULL);

  hosts = kt_test_list_fixtures ("hosts", ".xml");
  for (guint i = 0; i < hosts->len; i++)
    {
      const char *name = g_ptr_array_index (hosts, i);
      g_autofree char *path = g_strdup_printf ("/cli/topology/%s", name);

      g_test_add_data_func_full (path, g_strdup_printf ("hosts/%s", name),
                                 test_topology_fixture, g_free);
    }
  edge = kt_test_list_fixtures ("hosts/edge", ".xml");
  for (guint i = 0; i < edge->len; i++)
    {
      const char *name = g_ptr_array_index (edge, i);
      g_autofree char *path = g_strdup_printf ("/cli/topology/edge/%s", name);

      g_test_add_data_func_full (path, g_strdup_printf ("hosts/edge/%s", name),
                                 test_topology_edge, g_free);
    }

  g_test_add_func ("/cli/caps/domains", test_caps_domains);
  g_test_add_func ("/cli/caps/show/cputune", test_caps_show_cputune);
  g_test_add_func ("/cli/caps/show/numatune-memnode", test_caps_show_memnode);
  g_test_add_func ("/cli/caps/show/hugepages-numa-nodeset", test_caps_show_hugepages);
  for (guint i = 0; i < G_N_ELEMENTS (show_fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/caps/show/other/%s",
                                               strchr (show_fixtures[i], '/') + 1);

      g_test_add_data_func (path, show_fixtures[i], test_caps_show_fixture);
    }

  g_test_add_func ("/cli/show/warnings", test_show_warnings);
  g_test_add_func ("/cli/show/default-pins", test_show_default_pins);
  g_test_add_func ("/cli/show/numad", test_show_numad);
  g_test_add_func ("/cli/topology/free-memory-offline", test_free_memory_offline);

  g_test_add_func ("/cli/demo/domains", test_demo_domains);
  g_test_add_func ("/cli/demo/show/db-primary", test_demo_show);
  g_test_add_func ("/cli/demo/show/all", test_demo_show_all);
  g_test_add_func ("/cli/demo/topology-text", test_demo_topology_text);

  g_test_add_func ("/cli/snapshot/round-trip/caps", test_snapshot_round_trip_caps);
  g_test_add_func ("/cli/snapshot/round-trip/demo", test_snapshot_round_trip_demo);
  g_test_add_func ("/cli/snapshot/unwritable", test_snapshot_unwritable);
  g_test_add_func ("/cli/snapshot/replace", test_snapshot_replace);

  g_test_add_func ("/cli/error/unknown-verb", test_error_unknown_verb);
  g_test_add_func ("/cli/error/missing-domain", test_error_missing_domain);
  g_test_add_func ("/cli/error/no-such-vm", test_error_no_such_vm);
  g_test_add_func ("/cli/error/missing-caps", test_error_missing_caps);
  g_test_add_func ("/cli/error/malformed-caps", test_error_malformed_caps);
  g_test_add_func ("/cli/error/bad-domain-file", test_error_bad_domain_file);
  g_test_add_func ("/cli/error/snapshot-wrong-root", test_error_snapshot_wrong_root);
  g_test_add_func ("/cli/error/two-sources", test_error_two_sources);
  g_test_add_func ("/cli/error/domain-without-caps", test_error_domain_without_caps);
  g_test_add_func ("/cli/error/unknown-option", test_error_unknown_option);
  g_test_add_func ("/cli/verbs-listed", test_verbs_listed);

  return g_test_run ();
}
