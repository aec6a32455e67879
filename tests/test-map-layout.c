/* test-map-layout.c: the map layout on every fixture host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>

#include "kt-map-layout.h"
#include "kt-snapshot.h"

/* The boxes nest, the PUs are where the hit test finds them, nothing
 * overlaps */
static void
check_layout (KtHost      *host,
              KtMapLayout *layout)
{
  g_autoptr(GPtrArray) pus = g_ptr_array_new ();
  const KtMapBox *root;

  root = kt_map_layout_get_root (layout);
  g_assert_cmpfloat (root->rect.width, >, 0);
  g_assert_cmpfloat (root->rect.height, >, 0);

  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);
      const KtMapBox *pu = kt_map_layout_get_pu (layout, cpu->id);
      const KtMapBox *core, *l3, *node, *hit;
      double cx, cy;

      g_assert_nonnull (pu);
      g_assert_cmpint (pu->kind, ==, KT_MAP_BOX_PU);
      g_assert_cmpint (pu->id, ==, cpu->id);

      /* Inside its core, L3 and node boxes, and those are the right ones */
      core = kt_map_box_ancestor (pu, KT_MAP_BOX_CORE);
      l3 = kt_map_box_ancestor (pu, KT_MAP_BOX_L3);
      node = kt_map_box_ancestor (pu, KT_MAP_BOX_NODE);
      g_assert_nonnull (core);
      g_assert_nonnull (l3);
      g_assert_nonnull (node);
      g_assert_cmpint (core->id, ==, (int) cpu->core_index);
      g_assert_cmpint (l3->id, ==, cpu->l3);
      g_assert_cmpint (node->id, ==, cpu->node);
      g_assert_true (node == kt_map_layout_get_node (layout, cpu->node));
      g_assert_true (kt_map_rect_contains (&core->rect, &pu->rect));
      g_assert_true (kt_map_rect_contains (&l3->rect, &core->rect));
      g_assert_true (kt_map_rect_contains (&node->rect, &l3->rect));
      g_assert_true (kt_map_rect_contains (&root->rect, &node->rect));

      /* A hit at the centre finds this PU */
      cx = pu->rect.x + pu->rect.width / 2;
      cy = pu->rect.y + pu->rect.height / 2;
      hit = kt_map_layout_hit_test (layout, cx, cy);
      g_assert_true (hit == pu);

      g_ptr_array_add (pus, (gpointer) pu);
    }

  /* No two PUs overlap */
  for (guint i = 0; i < pus->len; i++)
    for (guint j = i + 1; j < pus->len; j++)
      {
        const KtMapBox *a = g_ptr_array_index (pus, i);
        const KtMapBox *b = g_ptr_array_index (pus, j);

        if (kt_map_rect_overlaps (&a->rect, &b->rect))
          g_error ("PU %d and PU %d overlap", a->id, b->id);
      }

  /* Every node, memory-only ones too, has a box; none overlap */
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtMapBox *a = kt_map_layout_get_node (layout, kt_host_get_node (host, i)->id);

      g_assert_nonnull (a);
      for (guint j = i + 1; j < kt_host_get_n_nodes (host); j++)
        {
          const KtMapBox *b = kt_map_layout_get_node (layout, kt_host_get_node (host, j)->id);

          g_assert_false (kt_map_rect_overlaps (&a->rect, &b->rect));
        }
    }

  /* Outside the map there is nothing */
  g_assert_null (kt_map_layout_hit_test (layout, -1, -1));
  g_assert_null (kt_map_layout_hit_test (layout, root->rect.width + 1, 0));
}

static double
zoom_of (const KtMapLayout *layout,
         double             w,
         double             h)
{
  const KtMapBox *root = kt_map_layout_get_root (layout);

  return MIN (w / root->rect.width, h / root->rect.height);
}

/* How much of a @w × @h viewport the map covers at the zoom that fits it */
static double
fill_of (const KtMapLayout *layout,
         double             w,
         double             h)
{
  const KtMapBox *root = kt_map_layout_get_root (layout);
  double zoom = MIN (w / root->rect.width, h / root->rect.height);

  return (root->rect.width * zoom) * (root->rect.height * zoom) / (w * h);
}

static void
test_host_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_file (path, &error);
  g_autoptr(KtMapLayout) layout = NULL;
  /* Wide, tall, and the map's share of a 1200×800 window with the panel */
  static const double viewports[][2] = { { 1600, 400 }, { 400, 1600 }, { 560, 690 } };

  g_assert_no_error (error);
  layout = kt_map_layout_new (host);
  check_layout (host, layout);

  /* Fitted to a viewport: still sound, and never drawn smaller than in
   * the natural arrangement */
  for (guint v = 0; v < G_N_ELEMENTS (viewports); v++)
    {
      double w = viewports[v][0], h = viewports[v][1];
      g_autoptr(KtMapLayout) natural = kt_map_layout_new (host);
      const KtMapBox *pu0 = kt_map_layout_get_pu (layout, kt_host_get_cpu (host, 0)->id);

      kt_map_layout_fit (layout, w, h);
      check_layout (host, layout);
      /* The same boxes, moved */
      g_assert_true (pu0 == kt_map_layout_get_pu (layout, kt_host_get_cpu (host, 0)->id));
      g_assert_cmpfloat (zoom_of (layout, w, h), >=, zoom_of (natural, w, h) - 1e-9);
    }
}

static guint
count_distinct (GArray *values)
{
  guint n = 0;

  for (guint i = 0; i < values->len; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen |= G_APPROX_VALUE (g_array_index (values, double, i),
                                g_array_index (values, double, j), 0.5);
      n += !seen;
    }
  return n;
}

/* Rows and columns of the demo host's four nodes */
static void
node_grid (KtHost      *host,
           KtMapLayout *layout,
           guint       *cols,
           guint       *rows)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtMapBox *node = kt_map_layout_get_node (layout, kt_host_get_node (host, i)->id);

      g_array_append_val (xs, node->rect.x);
      g_array_append_val (ys, node->rect.y);
    }
  *cols = count_distinct (xs);
  *rows = count_distinct (ys);
}

/* The demo host (4 nodes × 16 cores): the layout follows the viewport's
 * shape and fills it */
static void
test_fit_demo (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = kt_snapshot_load_file (path, &error);
  KtHost *host;
  g_autoptr(KtMapLayout) layout = NULL;
  const KtMapBox *root;
  guint cols, rows;

  g_assert_no_error (error);
  host = kt_snapshot_get_host (snapshot);
  layout = kt_map_layout_new (host);

  /* Wide: the nodes side by side */
  kt_map_layout_fit (layout, 1800, 400);
  node_grid (host, layout, &cols, &rows);
  g_assert_cmpuint (cols, >, rows);
  g_assert_cmpfloat (fill_of (layout, 1800, 400), >=, 0.9);

  /* Tall: stacked */
  kt_map_layout_fit (layout, 400, 1800);
  node_grid (host, layout, &cols, &rows);
  g_assert_cmpuint (rows, >, cols);
  g_assert_cmpfloat (fill_of (layout, 400, 1800), >=, 0.9);

  /* The map's part of the default 1200×800 window with the tuning panel
   * open (about 560 × 690 px): filled, at a zoom where labels stay legible */
  kt_map_layout_fit (layout, 560, 690);
  root = kt_map_layout_get_root (layout);
  g_assert_cmpfloat (fill_of (layout, 560, 690), >=, 0.9);
  g_assert_cmpfloat (MIN (560 / root->rect.width, 690 / root->rect.height), >=, 1.0);
}

int
main (int    argc,
      char **argv)
{
  const char *fixtures = g_getenv ("KT_FIXTURES");
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (fixtures);
  dir = g_build_filename (fixtures, "hosts", NULL);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >, 10);
  g_test_add_func ("/map-layout/fit-demo", test_fit_demo);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *test = g_strdup_printf ("/map-layout/%s", name);

      g_test_add_data_func_full (test, g_build_filename (dir, name, NULL), test_host_file, g_free);
    }
  return g_test_run ();
}
