/* test-map-nav.c: where the keyboard goes on the map (kt-map-nav.h),
 * without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-nav.h"
#include "kt-test-util.h"

static KtSnapshot *
load_demo (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_load_file (path, &error);

  g_assert_no_error (error);
  return s;
}

static double
cy (const KtMapBox *box)
{
  return box->rect.y + box->rect.height / 2;
}

static double
cx (const KtMapBox *box)
{
  return box->rect.x + box->rect.width / 2;
}

static int
node_of (const KtMapBox *pu)
{
  return kt_map_box_ancestor (pu, KT_MAP_BOX_NODE)->id;
}

/* Left and Right walk the PUs in tree order, NULL past the ends */
static void
check_left_right (const KtMapLayout *layout)
{
  const GPtrArray *pus = kt_map_layout_get_pus (layout);
  const KtMapBox *first = g_ptr_array_index (pus, 0);
  const KtMapBox *last = g_ptr_array_index (pus, pus->len - 1);

  g_assert_null (kt_map_layout_step (layout, first, KT_MAP_STEP_LEFT));
  g_assert_null (kt_map_layout_step (layout, last, KT_MAP_STEP_RIGHT));
  for (guint i = 0; i + 1 < pus->len; i++)
    {
      const KtMapBox *a = g_ptr_array_index (pus, i);
      const KtMapBox *b = g_ptr_array_index (pus, i + 1);

      g_assert_true (kt_map_layout_step (layout, a, KT_MAP_STEP_RIGHT) == b);
      g_assert_true (kt_map_layout_step (layout, b, KT_MAP_STEP_LEFT) == a);
    }
}

/* Up and Down reach the nearest row above / below, the nearest PU in x
 * there; past the top or bottom of a node, the other node's first PU */
static void
check_up_down (const KtMapLayout *layout)
{
  const GPtrArray *pus = kt_map_layout_get_pus (layout);

  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *from = g_ptr_array_index (pus, i);

      for (int dir = -1; dir <= 1; dir += 2)
        {
          const KtMapBox *to = kt_map_layout_step (layout, from, dir < 0 ? KT_MAP_STEP_UP
                                                                         : KT_MAP_STEP_DOWN);
          gboolean row_exists = FALSE;

          for (guint j = 0; j < pus->len; j++)
            if ((cy (g_ptr_array_index (pus, j)) - cy (from)) * dir > 1)
              row_exists = TRUE;
          if (!row_exists)
            {
              /* No row that way: another node's first PU, or the edge */
              const KtMapBox *other = kt_map_layout_step (layout, from, dir < 0
                                                          ? KT_MAP_STEP_PREV_NODE
                                                          : KT_MAP_STEP_NEXT_NODE);

              g_assert_true (to == other);
              continue;
            }
          g_assert_nonnull (to);
          g_assert_cmpfloat ((cy (to) - cy (from)) * dir, >, 1);
          for (guint j = 0; j < pus->len; j++)
            {
              const KtMapBox *pu = g_ptr_array_index (pus, j);
              double d = (cy (pu) - cy (from)) * dir;

              /* No row between, none nearer in x in that row */
              g_assert_false (d > 1 && d < (cy (to) - cy (from)) * dir - 1);
              if (G_APPROX_VALUE (cy (pu), cy (to), 1.0))
                g_assert_cmpfloat (fabs (cx (pu) - cx (from)), >=, fabs (cx (to) - cx (from)));
            }
        }
    }
}

static void
check_nodes (const KtMapLayout *layout,
             KtHost            *host)
{
  const GPtrArray *pus = kt_map_layout_get_pus (layout);
  const KtMapBox *first = g_ptr_array_index (pus, 0);
  const KtMapBox *last = g_ptr_array_index (pus, pus->len - 1);
  const KtMapBox *prev = first;
  const KtMapBox *pu;
  guint n = 1;

  g_assert_null (kt_map_layout_step (layout, first, KT_MAP_STEP_PREV_NODE));
  g_assert_null (kt_map_layout_step (layout, last, KT_MAP_STEP_NEXT_NODE));
  /* Page Down visits each node with CPUs once, at its first PU; Page Up
   * goes back the same way */
  while ((pu = kt_map_layout_step (layout, prev, KT_MAP_STEP_NEXT_NODE)) != NULL)
    {
      const KtMapBox *before = kt_map_layout_step (layout, pu, KT_MAP_STEP_LEFT);

      g_assert_nonnull (before);
      g_assert_cmpint (node_of (before), !=, node_of (pu));
      g_assert_cmpint (node_of (prev), ==, node_of (before));
      g_assert_true (kt_map_layout_step (layout, pu, KT_MAP_STEP_PREV_NODE) == prev);
      g_assert_true (kt_map_layout_step (layout, before, KT_MAP_STEP_NEXT_NODE) == pu);
      prev = pu;
      n++;
    }
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    if (kt_cpuset_is_empty (kt_host_get_node (host, i)->cpus))
      n++;
  g_assert_cmpuint (n, ==, kt_host_get_n_nodes (host));
}

static void
test_demo (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHost *host = kt_snapshot_get_host (s);
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (host);
  const GPtrArray *pus = kt_map_layout_get_pus (layout);
  const KtMapBox *pu13 = kt_map_layout_get_pu (layout, 13);
  const KtMapBox *node1_first = NULL;
  const KtMapBox *box;
  guint pos;

  g_assert_cmpuint (pus->len, ==, 64);
  /* Tree order: core 12's threads side by side, then core 13's */
  g_assert_true (g_ptr_array_find ((GPtrArray *) pus, pu13, &pos));
  g_assert_cmpint (((const KtMapBox *) g_ptr_array_index (pus, pos - 1))->id, ==, 44);
  g_assert_cmpint (((const KtMapBox *) g_ptr_array_index (pus, pos + 1))->id, ==, 45);
  g_assert_true (kt_map_layout_step (layout, pu13, KT_MAP_STEP_RIGHT)
                 == kt_map_layout_get_pu (layout, 45));

  /* Page Down from node 0 goes to node 1's first PU: CPU 8 */
  node1_first = kt_map_layout_step (layout, kt_map_layout_get_pu (layout, 5), KT_MAP_STEP_NEXT_NODE);
  g_assert_nonnull (node1_first);
  g_assert_cmpint (node1_first->id, ==, 8);
  g_assert_true (kt_map_layout_step (layout, pu13, KT_MAP_STEP_PREV_NODE)
                 == kt_map_layout_get_pu (layout, 0));

  check_left_right (layout);
  check_up_down (layout);
  check_nodes (layout, host);

  /* Not a PU of this layout: nowhere */
  g_assert_null (kt_map_layout_step (layout, kt_map_layout_get_root (layout), KT_MAP_STEP_RIGHT));

  /* The same order and steps once fitted to a wide window */
  kt_map_layout_fit (layout, 1800, 600);
  g_assert_true (kt_map_layout_get_pus (layout) == pus);
  g_assert_true (kt_map_layout_step (layout, pu13, KT_MAP_STEP_RIGHT)
                 == kt_map_layout_get_pu (layout, 45));
  check_left_right (layout);
  check_up_down (layout);

  /* Shift+Up: PU › core › L3 › socket › node, then no further */
  box = kt_map_box_grow (pu13);
  g_assert_cmpint (box->kind, ==, KT_MAP_BOX_CORE);
  box = kt_map_box_grow (box);
  g_assert_cmpint (box->kind, ==, KT_MAP_BOX_L3);
  while (box->kind != KT_MAP_BOX_NODE)
    {
      const KtMapBox *up = kt_map_box_grow (box);

      g_assert_nonnull (up);
      g_assert_cmpint (up->kind, <, box->kind);
      box = up;
    }
  g_assert_cmpint (box->id, ==, 1);
  g_assert_null (kt_map_box_grow (box));
  g_assert_null (kt_map_box_grow (kt_map_layout_get_root (layout)));
}

static void
test_fixture_hosts (void)
{
  g_autoptr(GPtrArray) hosts = kt_test_list_fixtures ("hosts", ".xml");

  for (guint i = 0; i < hosts->len; i++)
    {
      g_autofree char *rel = g_build_filename ("hosts", g_ptr_array_index (hosts, i), NULL);
      g_autofree char *path = kt_test_fixture_path (rel);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtHost) host = kt_host_new_from_file (path, &error);
      g_autoptr(KtMapLayout) layout = NULL;

      g_assert_no_error (error);
      layout = kt_map_layout_new (host);
      g_assert_cmpuint (kt_map_layout_get_pus (layout)->len, ==, kt_host_get_n_cpus (host));
      check_left_right (layout);
      check_up_down (layout);
      check_nodes (layout, host);
    }
}

/* The chips: on and back, clamped; Home and End; none on an empty host */
static void
test_chips (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, NULL, layout);
  int n = (int) kt_map_overlay_get_chips (overlay)->len;
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-16amd64-8n2c.xml");
  const char *no_domains[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) empty = kt_snapshot_new_from_files (caps, no_domains, &error);
  g_autoptr(KtMapLayout) empty_layout = NULL;
  g_autoptr(KtMapOverlay) empty_overlay = NULL;

  g_assert_cmpint (n, >, 2);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, -1, KT_MAP_STEP_RIGHT), ==, 0);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, -1, KT_MAP_STEP_DOWN), ==, 0);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, -1, KT_MAP_STEP_LEFT), ==, n - 1);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, -1, KT_MAP_STEP_UP), ==, n - 1);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, 1, KT_MAP_STEP_RIGHT), ==, 2);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, 1, KT_MAP_STEP_UP), ==, 0);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, 0, KT_MAP_STEP_LEFT), ==, 0);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, n - 1, KT_MAP_STEP_RIGHT), ==, n - 1);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, 3, KT_MAP_STEP_FIRST), ==, 0);
  g_assert_cmpint (kt_map_overlay_step_chip (overlay, 3, KT_MAP_STEP_LAST), ==, n - 1);

  g_assert_no_error (error);
  empty_layout = kt_map_layout_new (kt_snapshot_get_host (empty));
  empty_overlay = kt_map_overlay_new (empty, NULL, empty_layout);
  g_assert_cmpint (kt_map_overlay_step_chip (empty_overlay, -1, KT_MAP_STEP_RIGHT), ==, -1);
  g_assert_cmpint (kt_map_overlay_step_chip (empty_overlay, -1, KT_MAP_STEP_FIRST), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/map-nav/demo", test_demo);
  g_test_add_func ("/map-nav/fixture-hosts", test_fixture_hosts);
  g_test_add_func ("/map-nav/chips", test_chips);
  return g_test_run ();
}
