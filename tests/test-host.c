/* test-host.c: the host topology model against every capabilities fixture
 *
 * The model is checked against counts taken from the same file with
 * libxml2 XPath here, independently of kt-host.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "kt-error.h"
#include "kt-host.h"
#include "kt-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* Independent reading of the file ------------------------------------------ */

static int
attr_int (xmlNode    *node,
          const char *name,
          int         dflt)
{
  g_autofree char *v = kt_test_attr (node, name);

  return v ? (int) kt_test_to_u64 (v) : dflt;
}

static guint64
text_u64 (xmlNode *node)
{
  xmlChar *v = xmlNodeGetContent (node);
  g_autofree char *s = g_strstrip (g_strdup ((const char *) v));

  xmlFree (v);
  return kt_test_to_u64 (s);
}

/* Just the units the fixtures use; anything else fails loudly */
static guint64
kib_of (guint64     value,
        const char *unit)
{
  if (unit == NULL || g_str_equal (unit, "KiB") || g_str_equal (unit, "k") || g_str_equal (unit, "K"))
    return value;
  if (g_str_equal (unit, "MiB") || g_str_equal (unit, "M"))
    return value * 1024;
  if (g_str_equal (unit, "GiB") || g_str_equal (unit, "G"))
    return value * 1024 * 1024;
  g_error ("unit “%s” not handled by the test", unit);
  return 0;
}

static guint64
pages_size_kib (xmlNode *pages)
{
  g_autofree char *size = kt_test_attr (pages, "size");
  g_autofree char *unit = kt_test_attr (pages, "unit");

  return kib_of (kt_test_to_u64 (size), unit);
}

static void
assert_set_eq (const KtCpuset *got,
               const KtCpuset *expected)
{
  if (!kt_cpuset_equal (got, expected))
    {
      g_autofree char *a = kt_cpuset_format (got);
      g_autofree char *b = kt_cpuset_format (expected);

      g_assert_cmpstr (a, ==, b);
    }
}

static void
assert_set_str (const KtCpuset *got,
                const char     *expected)
{
  g_autofree char *a = kt_cpuset_format (got);

  g_assert_cmpstr (a, ==, expected);
}

static KtHost *
load_host (const char *rel)
{
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  KtHost *host = kt_host_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (host);
  return host;
}

/* The full comparison of a model with its file ------------------------- */

static void
check_nodes (KtHost *host,
             xmlDoc *doc)
{
  g_autoptr(xmlXPathObject) cells = kt_test_xpath (doc, NULL, "//cells/cell");
  g_autoptr(KtCpuset) ids = kt_cpuset_new ();

  g_assert_cmpuint (kt_host_get_n_nodes (host), ==, kt_test_n_nodes (cells));

  for (guint i = 0; i < kt_test_n_nodes (cells); i++)
    {
      xmlNode *cell = kt_test_nth_node (cells, i);
      int id = attr_int (cell, "id", -1);
      const KtHostNode *node = kt_host_lookup_node (host, id);
      g_autoptr(xmlXPathObject) cpus = kt_test_xpath (doc, cell, "cpus/cpu");
      g_autoptr(xmlXPathObject) memory = kt_test_xpath (doc, cell, "memory");
      g_autoptr(xmlXPathObject) pages = kt_test_xpath (doc, cell, "pages");
      g_autoptr(xmlXPathObject) dist = kt_test_xpath (doc, cell, "distances/sibling");
      g_autoptr(KtCpuset) cell_cpus = kt_cpuset_new ();
      guint64 file_pages_total = 0, model_pages_total = 0;

      g_assert_cmpint (id, >=, 0);
      kt_cpuset_add (ids, id);
      g_assert_nonnull (node);
      g_assert_cmpint (node->id, ==, id);

      for (guint c = 0; c < kt_test_n_nodes (cpus); c++)
        kt_cpuset_add (cell_cpus, attr_int (kt_test_nth_node (cpus, c), "id", -1));
      assert_set_eq (node->cpus, cell_cpus);
      g_assert_true (kt_cpuset_is_subset (node->online_cpus, node->cpus));

      /* Memory */
      g_assert_cmpuint (kt_test_n_nodes (memory), <=, 1);
      if (kt_test_n_nodes (memory) == 1)
        {
          g_autofree char *unit = kt_test_attr (kt_test_nth_node (memory, 0), "unit");

          g_assert_true (node->has_memory);
          g_assert_cmpuint (node->memory_kib, ==, kib_of (text_u64 (kt_test_nth_node (memory, 0)), unit));
        }
      else
        g_assert_false (node->has_memory);

      /* Huge page pools, by ascending size */
      g_assert_cmpuint (node->pages->len, ==, kt_test_n_nodes (pages));
      for (guint p = 0; p < kt_test_n_nodes (pages); p++)
        {
          guint64 size = pages_size_kib (kt_test_nth_node (pages, p));
          guint64 count = text_u64 (kt_test_nth_node (pages, p));
          gboolean found = FALSE;

          file_pages_total += count;
          for (guint q = 0; q < node->pages->len; q++)
            {
              const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, q);

              if (hp->size_kib == size)
                {
                  g_assert_false (found);
                  g_assert_cmpuint (hp->total, ==, count);
                  found = TRUE;
                }
            }
          g_assert_true (found);
        }
      for (guint q = 0; q < node->pages->len; q++)
        {
          const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, q);

          model_pages_total += hp->total;
          if (q > 0)
            g_assert_cmpuint (hp->size_kib, >, g_array_index (node->pages, KtHostPages, q - 1).size_kib);
        }
      g_assert_cmpuint (model_pages_total, ==, file_pages_total);

      /* Distances */
      g_assert_cmpuint (node->distances->len, ==, kt_test_n_nodes (dist));
      for (guint d = 0; d < kt_test_n_nodes (dist); d++)
        {
          int to = attr_int (kt_test_nth_node (dist, d), "id", -1);
          int value = attr_int (kt_test_nth_node (dist, d), "value", -1);

          g_assert_cmpuint (kt_host_get_distance (host, id, to), ==, (guint) value);
        }
    }

  assert_set_eq (kt_host_get_node_ids (host), ids);

  /* kt_host_get_node() covers the same nodes */
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      g_assert_true (kt_cpuset_contains (ids, node->id));
      g_assert_true (kt_host_lookup_node (host, node->id) == node);
    }
}

typedef struct
{
  int   id;
  int   cell;
  char *socket;
  char *die;
  char *cluster;
  char *core;
  char *siblings;
} FileCpu;

static void
file_cpu_clear (gpointer data)
{
  FileCpu *c = data;

  g_free (c->socket);
  g_free (c->die);
  g_free (c->cluster);
  g_free (c->core);
  g_free (c->siblings);
}

static int
opt_int (const char *s)
{
  return s ? (int) kt_test_to_u64 (s) : -1;
}

static void
check_cpus (KtHost *host,
            xmlDoc *doc)
{
  g_autoptr(xmlXPathObject) cpus = kt_test_xpath (doc, NULL, "//cells/cell/cpus/cpu");
  g_autoptr(GArray) file = g_array_new (FALSE, TRUE, sizeof (FileCpu));
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autoptr(KtCpuset) online = kt_cpuset_new ();
  g_autoptr(GHashTable) core_groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             (GDestroyNotify) kt_cpuset_free);
  g_autoptr(GHashTable) sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(KtCpuset) union_of_cores = kt_cpuset_new ();
  GHashTableIter iter;
  gpointer key, value;
  gboolean any_topology = FALSE;
  guint core_total = 0;
  int prev_id = -1;

  g_array_set_clear_func (file, file_cpu_clear);
  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, kt_test_n_nodes (cpus));

  for (guint i = 0; i < kt_test_n_nodes (cpus); i++)
    {
      xmlNode *n = kt_test_nth_node (cpus, i);
      FileCpu c = { 0, };

      c.id = attr_int (n, "id", -1);
      /* cpu -> cpus -> cell */
      c.cell = attr_int (n->parent->parent, "id", -1);
      c.socket = kt_test_attr (n, "socket_id");
      c.die = kt_test_attr (n, "die_id");
      c.cluster = kt_test_attr (n, "cluster_id");
      c.core = kt_test_attr (n, "core_id");
      c.siblings = kt_test_attr (n, "siblings");
      if (c.siblings && *g_strstrip (c.siblings) == '\0')
        g_clear_pointer (&c.siblings, g_free);
      if (c.siblings)
        any_topology = TRUE;
      g_assert_false (kt_cpuset_contains (all, c.id));
      kt_cpuset_add (all, c.id);
      if (c.socket)
        g_hash_table_add (sockets, g_strdup (c.socket));
      g_array_append_val (file, c);
    }
  assert_set_eq (kt_host_get_all_cpus (host), all);
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, g_hash_table_size (sockets));

  for (guint i = 0; i < file->len; i++)
    {
      FileCpu *c = &g_array_index (file, FileCpu, i);
      const KtHostCpu *cpu = kt_host_lookup_cpu (host, c->id);
      gboolean expect_online = c->siblings != NULL || !any_topology;
      g_autofree char *core_key = NULL;
      KtCpuset *group;

      g_assert_nonnull (cpu);
      g_assert_cmpint (cpu->id, ==, c->id);
      g_assert_cmpint (cpu->node, ==, c->cell);
      g_assert_cmpint (cpu->socket, ==, opt_int (c->socket));
      g_assert_cmpint (cpu->die, ==, opt_int (c->die));
      g_assert_cmpint (cpu->cluster, ==, opt_int (c->cluster));
      g_assert_cmpint (cpu->core, ==, opt_int (c->core));
      g_assert_cmpint (cpu->online, ==, expect_online);
      g_assert_true (kt_cpuset_contains (kt_host_lookup_node (host, c->cell)->cpus, c->id));
      if (expect_online)
        kt_cpuset_add (online, c->id);

      g_assert_nonnull (cpu->siblings);
      g_assert_true (kt_cpuset_contains (cpu->siblings, c->id));
      if (c->siblings)
        {
          g_autoptr(KtCpuset) sib = kt_test_parse_set (c->siblings);

          assert_set_eq (cpu->siblings, sib);
        }
      else
        {
          /* Offline, or no topology: the CPU alone */
          g_assert_cmpuint (kt_cpuset_count (cpu->siblings), ==, 1);
        }

      /* Cores: the (cell, socket, die, cluster, core) tuple; a CPU without
       * socket_id is a core of its own */
      if (c->socket != NULL)
        core_key = g_strdup_printf ("%d/%s/%s/%s/%s", c->cell, c->socket,
                                    c->die ? c->die : "-", c->cluster ? c->cluster : "-",
                                    c->core ? c->core : "-");
      else
        core_key = g_strdup_printf ("cpu%d", c->id);
      group = g_hash_table_lookup (core_groups, core_key);
      if (group == NULL)
        {
          group = kt_cpuset_new ();
          g_hash_table_insert (core_groups, g_steal_pointer (&core_key), group);
        }
      kt_cpuset_add (group, c->id);
    }
  assert_set_eq (kt_host_get_online_cpus (host), online);
  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    {
      const KtHostNode *node = kt_host_get_node (host, n);
      g_autoptr(KtCpuset) expect = kt_cpuset_intersection (node->cpus, online);

      assert_set_eq (node->online_cpus, expect);
    }

  /* kt_host_get_cpu() lists them by ascending id */
  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);

      g_assert_cmpint (cpu->id, >, prev_id);
      prev_id = cpu->id;
      g_assert_true (kt_host_lookup_cpu (host, cpu->id) == cpu);
    }

  /* Cores */
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, g_hash_table_size (core_groups));
  g_hash_table_iter_init (&iter, core_groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const KtCpuset *group = value;
      int first = kt_cpuset_first (group);
      const KtHostCpu *fc = kt_host_lookup_cpu (host, first);
      const KtHostCore *core = kt_host_get_core (host, fc->core_index);

      assert_set_eq (core->cpus, group);
      for (int c = first; c >= 0; c = kt_cpuset_next (group, c))
        g_assert_cmpuint (kt_host_lookup_cpu (host, c)->core_index, ==, fc->core_index);
    }
  for (guint i = 0; i < kt_host_get_n_cores (host); i++)
    {
      const KtHostCore *core = kt_host_get_core (host, i);

      g_assert_cmpuint (core->index, ==, i);
      g_assert_false (kt_cpuset_is_empty (core->cpus));
      /* Disjoint, and together every CPU */
      g_assert_false (kt_cpuset_intersects (union_of_cores, core->cpus));
      kt_cpuset_union_in (union_of_cores, core->cpus);
      core_total += kt_cpuset_count (core->cpus);
      for (int c = kt_cpuset_first (core->cpus); c >= 0; c = kt_cpuset_next (core->cpus, c))
        {
          const KtHostCpu *cpu = kt_host_lookup_cpu (host, c);

          g_assert_cmpuint (cpu->core_index, ==, i);
          g_assert_cmpint (cpu->node, ==, core->node);
          g_assert_cmpint (cpu->socket, ==, core->socket);
          g_assert_cmpint (cpu->die, ==, core->die);
          g_assert_cmpint (cpu->cluster, ==, core->cluster);
          g_assert_cmpint (cpu->core, ==, core->core);
        }
    }
  g_assert_cmpuint (core_total, ==, kt_host_get_n_cpus (host));
  assert_set_eq (union_of_cores, all);
}

static void
check_l3 (KtHost *host,
          xmlDoc *doc)
{
  g_autoptr(xmlXPathObject) banks = kt_test_xpath (doc, NULL, "//cache/bank[@level='3']");
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(KtCpuset) in_any = kt_cpuset_new ();

  for (guint i = 0; i < kt_test_n_nodes (banks); i++)
    {
      g_autofree char *cpus = kt_test_attr (kt_test_nth_node (banks, i), "cpus");
      g_autoptr(KtCpuset) set = NULL;
      gboolean dup = FALSE;

      if (cpus == NULL || *g_strstrip (cpus) == '\0')
        continue;
      set = kt_test_parse_set (cpus);
      kt_cpuset_union_in (in_any, set);
      for (guint g = 0; g < groups->len; g++)
        if (kt_cpuset_equal (g_ptr_array_index (groups, g), set))
          dup = TRUE;
      if (!dup)
        g_ptr_array_add (groups, g_steal_pointer (&set));
    }

  g_assert_cmpuint (kt_host_get_n_l3 (host), ==, groups->len);
  for (guint i = 0; i < kt_host_get_n_l3 (host); i++)
    {
      const KtHostCache *l3 = kt_host_get_l3 (host, i);
      gboolean found = FALSE;

      g_assert_cmpuint (l3->level, ==, 3);
      for (guint g = 0; g < groups->len; g++)
        if (kt_cpuset_equal (g_ptr_array_index (groups, g), l3->cpus))
          found = TRUE;
      g_assert_true (found);
    }

  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);

      if (kt_cpuset_contains (in_any, cpu->id))
        {
          g_assert_cmpint (cpu->l3, >=, 0);
          g_assert_cmpint (cpu->l3, <, (int) kt_host_get_n_l3 (host));
          g_assert_true (kt_cpuset_contains (kt_host_get_l3 (host, cpu->l3)->cpus, cpu->id));
        }
      else
        g_assert_cmpint (cpu->l3, ==, -1);
    }
}

static void
check_page_sizes (KtHost *host,
                  xmlDoc *doc)
{
  g_autoptr(xmlXPathObject) pages = kt_test_xpath (doc, NULL, "//host/cpu/pages | //cells/cell/pages");
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  const GArray *got = kt_host_get_page_sizes (host);

  for (guint i = 0; i < kt_test_n_nodes (pages); i++)
    {
      guint64 s = pages_size_kib (kt_test_nth_node (pages, i));
      gboolean dup = FALSE;

      for (guint j = 0; j < sizes->len; j++)
        dup |= g_array_index (sizes, guint64, j) == s;
      if (!dup)
        g_array_append_val (sizes, s);
    }

  g_assert_cmpuint (got->len, ==, sizes->len);
  for (guint i = 0; i < got->len; i++)
    {
      guint64 s = g_array_index (got, guint64, i);
      gboolean found = FALSE;

      if (i > 0)
        g_assert_cmpuint (s, >, g_array_index (got, guint64, i - 1));
      for (guint j = 0; j < sizes->len; j++)
        found |= g_array_index (sizes, guint64, j) == s;
      g_assert_true (found);
    }
}

static void
check_derived_sets (KtHost *host)
{
  const KtCpuset *all = kt_host_get_all_cpus (host);
  g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (host, all);
  g_autoptr(KtCpuset) cpus = kt_host_cpus_of_nodes (host, kt_host_get_node_ids (host));
  g_autoptr(KtCpuset) nodes_with_cpus = kt_cpuset_new ();
  g_autoptr(GError) error = NULL;

  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    {
      const KtHostNode *node = kt_host_get_node (host, n);
      g_autoptr(KtCpuset) one = kt_cpuset_new ();
      g_autoptr(KtCpuset) of_one = NULL;

      kt_cpuset_add (one, node->id);
      of_one = kt_host_cpus_of_nodes (host, one);
      assert_set_eq (of_one, node->cpus);
      if (!kt_cpuset_is_empty (node->cpus))
        kt_cpuset_add (nodes_with_cpus, node->id);
    }
  assert_set_eq (nodes, nodes_with_cpus);
  assert_set_eq (cpus, all);

  g_assert_true (kt_host_check_nodeset (host, kt_host_get_node_ids (host), &error));
  g_assert_no_error (error);
  g_assert_true (kt_host_check_cpuset (host, kt_host_get_online_cpus (host), &error));
  g_assert_no_error (error);
}

static void
check_host_against_file (KtHost     *host,
                         const char *path)
{
  g_autoptr(xmlDoc) doc = kt_test_read_doc (path);

  check_nodes (host, doc);
  check_cpus (host, doc);
  check_l3 (host, doc);
  check_page_sizes (host, doc);
  check_derived_sets (host);
}

static void
test_fixture (gconstpointer data)
{
  const char *rel = data;
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_file (path, &error);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(KtHost) from_node = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (host);
  g_assert_cmpuint (kt_host_get_n_cpus (host), >, 0);
  check_host_against_file (host, path);

  /* The same model from an already parsed document */
  doc = kt_test_read_doc (path);
  from_node = kt_host_new_from_node (xmlDocGetRootElement (doc), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kt_host_get_n_cpus (from_node), ==, kt_host_get_n_cpus (host));
  g_assert_cmpuint (kt_host_get_n_cores (from_node), ==, kt_host_get_n_cores (host));
  g_assert_cmpuint (kt_host_get_n_l3 (from_node), ==, kt_host_get_n_l3 (host));
  assert_set_eq (kt_host_get_online_cpus (from_node), kt_host_get_online_cpus (host));
}

static void
test_edge_fixture (gconstpointer data)
{
  const char *rel = data;
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_file (path, &error);

  if (host == NULL)
    {
      /* A clear refusal is fine */
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      g_assert_cmpuint (strlen (error->message), >, 0);
      g_test_message ("%s refused: %s", rel, error->message);
      return;
    }
  g_assert_no_error (error);
  /* A best-effort model must still be consistent with the file */
  check_host_against_file (host, path);
}

/* Known shapes --------------------------------------------------------- */

static guint
count_cores_of_size (KtHost *host,
                     guint   size)
{
  guint n = 0;

  for (guint i = 0; i < kt_host_get_n_cores (host); i++)
    if (kt_cpuset_count (kt_host_get_core (host, i)->cpus) == size)
      n++;
  return n;
}

static void
test_shape_offlines (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-16em64t-4s2c2t-offlines.xml");
  static const int absent[] = { 2, 5, 13, 14 };

  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 12);
  for (guint i = 0; i < G_N_ELEMENTS (absent); i++)
    {
      g_assert_null (kt_host_lookup_cpu (host, absent[i]));
      g_assert_false (kt_cpuset_contains (kt_host_get_all_cpus (host), absent[i]));
    }
  assert_set_str (kt_host_get_all_cpus (host), "0-1,3-4,6-12,15");
  assert_set_str (kt_host_get_online_cpus (host), "0-1,3-4,6-12,15");
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, 4);
  /* 5 two-thread cores and two cores whose sibling is missing */
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 7);
  g_assert_cmpuint (count_cores_of_size (host, 2), ==, 5);
  g_assert_cmpuint (count_cores_of_size (host, 1), ==, 2);
  assert_set_str (kt_host_lookup_cpu (host, 6)->siblings, "6");
  assert_set_str (kt_host_lookup_cpu (host, 7)->siblings, "7,15");
  g_assert_cmpuint (kt_host_get_n_l3 (host), ==, 4);
  assert_set_str (kt_host_get_l3 (host, kt_host_lookup_cpu (host, 10)->l3)->cpus, "6,10");
}

static void
test_shape_hybrid (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-20em64t-hybrid-1p6c2t+2ca4co1t.xml");

  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 20);
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 14);
  g_assert_cmpuint (count_cores_of_size (host, 2), ==, 6);
  g_assert_cmpuint (count_cores_of_size (host, 1), ==, 8);
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, 1);
  g_assert_cmpuint (kt_host_get_n_nodes (host), ==, 1);
  g_assert_cmpuint (kt_host_get_n_l3 (host), ==, 1);
  assert_set_str (kt_host_get_l3 (host, 0)->cpus, "0-19");
  /* P-core threads pair up, E-cores stand alone */
  assert_set_str (kt_host_lookup_cpu (host, 10)->siblings, "10-11");
  assert_set_str (kt_host_lookup_cpu (host, 12)->siblings, "12");
  g_assert_cmpuint (kt_host_lookup_cpu (host, 0)->core_index, ==, kt_host_lookup_cpu (host, 1)->core_index);
  g_assert_cmpuint (kt_host_lookup_cpu (host, 12)->core_index, !=, kt_host_lookup_cpu (host, 13)->core_index);
}

static void
test_shape_memory_only_nodes (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-fakeheteromemtiers.xml");
  static const struct { int id; guint64 kib; } memory_only[] = {
    { 4, 524288 }, { 6, 393216 }, { 8, 393216 }, { 9, 393216 },
  };
  g_autoptr(KtCpuset) mem_nodes = kt_test_parse_set ("4,6,8,9");
  g_autoptr(KtCpuset) cpus = kt_host_cpus_of_nodes (host, mem_nodes);

  g_assert_cmpuint (kt_host_get_n_nodes (host), ==, 7);
  assert_set_str (kt_host_get_node_ids (host), "0-2,4,6,8-9");
  g_assert_null (kt_host_lookup_node (host, 3));
  g_assert_null (kt_host_lookup_node (host, 5));
  g_assert_null (kt_host_lookup_node (host, 7));
  g_assert_null (kt_host_lookup_node (host, 10));
  for (guint i = 0; i < G_N_ELEMENTS (memory_only); i++)
    {
      const KtHostNode *node = kt_host_lookup_node (host, memory_only[i].id);

      g_assert_nonnull (node);
      g_assert_true (kt_cpuset_is_empty (node->cpus));
      g_assert_true (kt_cpuset_is_empty (node->online_cpus));
      g_assert_true (node->has_memory);
      g_assert_cmpuint (node->memory_kib, ==, memory_only[i].kib);
      g_assert_cmpuint (node->pages->len, ==, 2);
      g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 0).size_kib, ==, 4);
      g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 0).total, ==, memory_only[i].kib / 4);
      g_assert_cmpuint (kt_host_get_distance (host, memory_only[i].id, memory_only[i].id), ==, 10);
      g_assert_cmpuint (kt_host_get_distance (host, 0, memory_only[i].id), ==, 20);
    }
  g_assert_true (kt_cpuset_is_empty (cpus));
  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 6);
  g_assert_cmpuint (kt_host_lookup_cpu (host, 5)->node, ==, 2);
}

static void
test_shape_smt4 (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-256ppc-8n8s4t.xml");

  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 256);
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 64);
  g_assert_cmpuint (count_cores_of_size (host, 4), ==, 64);
  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    g_assert_cmpuint (kt_cpuset_count (kt_host_get_cpu (host, i)->siblings), ==, 4);
  assert_set_str (kt_host_lookup_cpu (host, 5)->siblings, "4-7");
  g_assert_cmpuint (kt_host_get_n_nodes (host), ==, 8);
}

static void
test_shape_sparse_amd (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-48amd64-4pa2n6c-sparse.xml");
  const KtHostCpu *a = kt_host_lookup_cpu (host, 0);
  const KtHostCpu *b = kt_host_lookup_cpu (host, 6);

  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 48);
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 48);
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, 4);
  g_assert_cmpuint (kt_host_get_n_nodes (host), ==, 8);
  /* Same package and core id, different node: two cores */
  g_assert_cmpint (a->socket, ==, b->socket);
  g_assert_cmpint (a->core, ==, b->core);
  g_assert_cmpint (a->node, !=, b->node);
  g_assert_cmpuint (a->core_index, !=, b->core_index);
}

static void
test_shape_test_driver (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/libvirt-caps-test.xml");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 16);
  /* No topology at all: every CPU online, one per core */
  assert_set_str (kt_host_get_online_cpus (host), "0-15");
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 16);
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, 0);
  g_assert_cmpuint (kt_host_get_n_l3 (host), ==, 0);
  assert_set_str (kt_host_lookup_node (host, 1)->cpus, "1,3,5,7,9,11,13,15");
  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);

      g_assert_true (cpu->online);
      g_assert_cmpuint (kt_cpuset_count (cpu->siblings), ==, 1);
      g_assert_cmpint (cpu->socket, ==, -1);
      g_assert_cmpint (cpu->core, ==, -1);
      g_assert_cmpint (cpu->l3, ==, -1);
      g_assert_cmpint (cpu->node, ==, cpu->id % 2);
    }
  g_assert_cmpstr (kt_host_get_arch (host), ==, "i686");
  g_assert_cmpuint (kt_host_get_page_sizes (host)->len, ==, 0);
  /* No distances listed: only a node to itself is known */
  g_assert_cmpuint (kt_host_get_distance (host, 0, 0), ==, 10);
  g_assert_cmpuint (kt_host_get_distance (host, 0, 1), ==, 0);
  g_assert_true (kt_host_check_cpuset (host, kt_host_get_all_cpus (host), &error));
  g_assert_no_error (error);
}

static void
test_huge_page_count (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/edge/real-2i386-2t-hugepagesizecount.xml");
  const KtHostNode *node = kt_host_lookup_node (host, 0);
  const GArray *sizes = kt_host_get_page_sizes (host);

  g_assert_nonnull (node);
  g_assert_cmpuint (node->memory_kib, ==, G_GUINT64_CONSTANT (400016779264));
  g_assert_cmpuint (node->pages->len, ==, 3);
  g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 0).size_kib, ==, 4);
  /* Above 2^32: must not be truncated */
  g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 0).total, ==,
                    G_GUINT64_CONSTANT (100000000000));
  g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 2).size_kib, ==, 16777216);
  g_assert_cmpuint (g_array_index (node->pages, KtHostPages, 2).total, ==, 1);
  g_assert_cmpuint (sizes->len, ==, 3);
  g_assert_cmpuint (g_array_index (sizes, guint64, 0), ==, 4);
  g_assert_cmpuint (g_array_index (sizes, guint64, 1), ==, 2048);
  g_assert_cmpuint (g_array_index (sizes, guint64, 2), ==, 16777216);
}

static void
test_offline_cpu0 (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-offline-cpu0-node0.xml");
  const KtHostNode *node0 = kt_host_lookup_node (host, 0);

  g_assert_null (kt_host_lookup_cpu (host, 0));
  g_assert_cmpint (kt_cpuset_first (kt_host_get_all_cpus (host)), ==, 4);
  g_assert_true (node0->has_memory);
  g_assert_cmpuint (node0->memory_kib, ==, 0);
  g_assert_cmpuint (node0->pages->len, ==, 0);
  g_assert_cmpuint (kt_host_get_n_sockets (host), ==, 2);
}

static void
test_pages_sorted (void)
{
  static const char caps[] =
    "<capabilities><host><cpu><arch>x86_64</arch>"
    "<pages unit='KiB' size='2048'/><pages unit='KiB' size='4'/></cpu>"
    "<topology><cells num='1'><cell id='0'><memory unit='GiB'>4</memory>"
    "<pages unit='MiB' size='1024'>2</pages>"
    "<pages unit='KiB' size='4'>262144</pages>"
    "<pages unit='KiB' size='2048'>512</pages>"
    "<cpus num='1'><cpu id='0' socket_id='0' core_id='0' siblings='0'/></cpus>"
    "</cell></cells></topology></host></capabilities>";
  static const guint64 sizes[] = { 4, 2048, 1048576 };
  static const guint64 totals[] = { 262144, 512, 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (caps, -1, &error);
  const KtHostNode *node;
  const GArray *all;

  g_assert_no_error (error);
  node = kt_host_lookup_node (host, 0);
  all = kt_host_get_page_sizes (host);
  g_assert_cmpuint (node->memory_kib, ==, 4 * 1024 * 1024);
  g_assert_cmpuint (node->pages->len, ==, 3);
  g_assert_cmpuint (all->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (g_array_index (node->pages, KtHostPages, i).size_kib, ==, sizes[i]);
      g_assert_cmpuint (g_array_index (node->pages, KtHostPages, i).total, ==, totals[i]);
      g_assert_cmpuint (g_array_index (all, guint64, i), ==, sizes[i]);
    }
}

/* Checks and lookups ------------------------------------------------- */

static void
test_check_cpuset_names_missing (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-16em64t-4s2c2t-offlines.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) ok = kt_test_parse_set ("0-1,3,15");
  g_autoptr(KtCpuset) one = kt_test_parse_set ("13");
  g_autoptr(KtCpuset) several = kt_test_parse_set ("0-5");
  g_autoptr(KtCpuset) far = kt_test_parse_set ("1,9000");

  g_assert_true (kt_host_check_cpuset (host, ok, &error));
  g_assert_no_error (error);

  g_assert_false (kt_host_check_cpuset (host, one, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "CPU 13 ", "does not exist");
  g_clear_error (&error);

  g_assert_false (kt_host_check_cpuset (host, several, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "CPU 2,5 ");
  g_clear_error (&error);

  g_assert_false (kt_host_check_cpuset (host, far, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "9000");
}

static void
test_check_cpuset_offline (void)
{
  static const char caps[] =
    "<capabilities><host><topology><cells num='1'><cell id='0'><cpus num='3'>"
    "<cpu id='0' socket_id='0' core_id='0' siblings='0'/>"
    "<cpu id='1'/>"
    "<cpu id='2' socket_id='0' core_id='2' siblings='2'/>"
    "</cpus></cell></cells></topology></host></capabilities>";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (caps, -1, &error);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0-1");

  g_assert_no_error (error);
  /* libvirt lists an offline CPU with its id alone */
  assert_set_str (kt_host_get_all_cpus (host), "0-2");
  assert_set_str (kt_host_get_online_cpus (host), "0,2");
  g_assert_false (kt_host_lookup_cpu (host, 1)->online);
  g_assert_cmpuint (kt_host_get_n_cores (host), ==, 3);

  g_assert_false (kt_host_check_cpuset (host, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "CPU 1 ", "offline");
}

static void
test_check_nodeset_names_missing (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-fakeheteromemtiers.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) ok = kt_test_parse_set ("4,6,8-9");
  g_autoptr(KtCpuset) three = kt_test_parse_set ("3");
  g_autoptr(KtCpuset) range = kt_test_parse_set ("0-9");

  g_assert_true (kt_host_check_nodeset (host, ok, &error));
  g_assert_no_error (error);

  g_assert_false (kt_host_check_nodeset (host, three, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "node 3 ", "does not exist");
  g_clear_error (&error);

  g_assert_false (kt_host_check_nodeset (host, range, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "node 3,5,7 ");
}

static void
test_distances (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-fakeheteromemtiers.xml");
  g_autoptr(KtHost) amd = load_host ("hosts/real-16amd64-8n2c.xml");

  g_assert_cmpuint (kt_host_get_distance (host, 0, 0), ==, 10);
  g_assert_cmpuint (kt_host_get_distance (host, 0, 9), ==, 20);
  g_assert_cmpuint (kt_host_get_distance (host, 9, 0), ==, 20);
  /* Nonexistent nodes, in either place */
  g_assert_cmpuint (kt_host_get_distance (host, 3, 0), ==, 0);
  g_assert_cmpuint (kt_host_get_distance (host, 0, 3), ==, 0);
  g_assert_cmpuint (kt_host_get_distance (host, -1, 0), ==, 0);
  g_assert_cmpuint (kt_host_get_distance (host, 100000, 100000), ==, 0);

  /* A real matrix is symmetric, with 10 on the diagonal */
  for (guint i = 0; i < kt_host_get_n_nodes (amd); i++)
    for (guint j = 0; j < kt_host_get_n_nodes (amd); j++)
      {
        int a = kt_host_get_node (amd, i)->id, b = kt_host_get_node (amd, j)->id;
        guint d = kt_host_get_distance (amd, a, b);

        g_assert_cmpuint (d, ==, kt_host_get_distance (amd, b, a));
        if (a == b)
          g_assert_cmpuint (d, ==, 10);
        else
          g_assert_cmpuint (d, >, 10);
      }
}

static void
test_lookups_out_of_range (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-16amd64-8n2c.xml");

  g_assert_null (kt_host_lookup_cpu (host, -1));
  g_assert_null (kt_host_lookup_cpu (host, 16));
  g_assert_null (kt_host_lookup_cpu (host, G_MAXINT));
  g_assert_null (kt_host_lookup_node (host, -1));
  g_assert_null (kt_host_lookup_node (host, G_MAXINT));
}

static void
test_free_pages (void)
{
  g_autoptr(KtHost) host = load_host ("hosts/real-20em64t-hybrid-1p6c2t+2ca4co1t.xml");
  const KtHostNode *node = kt_host_lookup_node (host, 0);

  for (guint i = 0; i < node->pages->len; i++)
    g_assert_cmpint (g_array_index (node->pages, KtHostPages, i).free, ==, -1);
  kt_host_set_free_pages (host, 0, 2048, 7);
  kt_host_set_free_pages (host, 5, 2048, 9);          /* no such node: ignored */
  kt_host_set_free_pages (host, 0, 999, 9);           /* no such size: ignored */
  for (guint i = 0; i < node->pages->len; i++)
    {
      const KtHostPages *p = &g_array_index (node->pages, KtHostPages, i);

      g_assert_cmpint (p->free, ==, p->size_kib == 2048 ? 7 : -1);
    }
  g_assert_cmpint (node->free_kib, ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) edge = NULL;

  g_test_init (&argc, &argv, NULL);

  hosts = kt_test_list_fixtures ("hosts", ".xml");
  for (guint i = 0; i < hosts->len; i++)
    {
      const char *name = g_ptr_array_index (hosts, i);
      g_autofree char *path = g_strdup_printf ("/host/fixture/%s", name);

      g_test_add_data_func_full (path, g_strdup_printf ("hosts/%s", name), test_fixture, g_free);
    }
  edge = kt_test_list_fixtures ("hosts/edge", ".xml");
  for (guint i = 0; i < edge->len; i++)
    {
      const char *name = g_ptr_array_index (edge, i);
      g_autofree char *path = g_strdup_printf ("/host/edge/%s", name);

      g_test_add_data_func_full (path, g_strdup_printf ("hosts/edge/%s", name),
                                 test_edge_fixture, g_free);
    }

  g_test_add_func ("/host/shape/offlines", test_shape_offlines);
  g_test_add_func ("/host/shape/hybrid", test_shape_hybrid);
  g_test_add_func ("/host/shape/memory-only-nodes", test_shape_memory_only_nodes);
  g_test_add_func ("/host/shape/smt4", test_shape_smt4);
  g_test_add_func ("/host/shape/sparse-amd", test_shape_sparse_amd);
  g_test_add_func ("/host/shape/test-driver", test_shape_test_driver);
  g_test_add_func ("/host/shape/offline-cpu0", test_offline_cpu0);
  g_test_add_func ("/host/pages/count-above-2^32", test_huge_page_count);
  g_test_add_func ("/host/pages/sorted", test_pages_sorted);
  g_test_add_func ("/host/check/cpuset-names-missing", test_check_cpuset_names_missing);
  g_test_add_func ("/host/check/cpuset-offline", test_check_cpuset_offline);
  g_test_add_func ("/host/check/nodeset-names-missing", test_check_nodeset_names_missing);
  g_test_add_func ("/host/distances", test_distances);
  g_test_add_func ("/host/lookups-out-of-range", test_lookups_out_of_range);
  g_test_add_func ("/host/free-pages", test_free_pages);

  return g_test_run ();
}
