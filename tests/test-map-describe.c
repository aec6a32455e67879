/* test-map-describe.c: what the map says in words (kt-map-describe.h):
 * tooltips and what the screen reader hears, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-host-tuning.h"
#include "kt-map-describe.h"
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

#define assert_has(text, part)                                                  \
  G_STMT_START {                                                                \
    if (strstr ((text), (part)) == NULL)                                        \
      g_error ("%s:%d: «%s» lacks «%s»", __FILE__, __LINE__, (text), (part));   \
  } G_STMT_END

#define assert_lacks(text, part)                                                \
  G_STMT_START {                                                                \
    if (strstr ((text), (part)) != NULL)                                        \
      g_error ("%s:%d: «%s» has «%s»", __FILE__, __LINE__, (text), (part));     \
  } G_STMT_END

static const KtMapChip *
find_chip (const KtMapOverlay *overlay,
           const char         *vm,
           KtThreadKind        kind,
           guint               index,
           int                 cpu)
{
  const GPtrArray *chips = kt_map_overlay_get_chips (overlay);

  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);

      if (g_str_equal (kt_vm_get_name (chip->vm), vm) && chip->kind == kind
          && (kind == KT_THREAD_EMULATOR || chip->index == index) && (cpu < 0 || chip->cpu == cpu))
        return chip;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_chip (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, plan, layout);
  g_autoptr(KtCpuset) target = kt_test_parse_set ("13");
  g_autoptr(GError) error = NULL;
  g_autofree char *web1 = kt_map_describe_chip (overlay, plan,
                                                find_chip (overlay, "web1", KT_THREAD_VCPU, 0, 0));
  g_autofree char *emulator = kt_map_describe_chip (overlay, plan,
                                                    find_chip (overlay, "web1", KT_THREAD_EMULATOR,
                                                               0, 2));
  g_autofree char *pending = NULL;
  g_autofree char *focus = NULL;
  guint vcpu = 0;

  assert_has (web1, "web1 · vCPU 0\nPinned to CPU 0");
  /* web2's vCPU 0 shares CPU 0 */
  assert_has (web1, "\n⚠ ");
  assert_has (web1, "web2");
  assert_lacks (web1, "Pending");
  assert_lacks (web1, "Only vCPUs");

  assert_has (emulator, "web1 · emulator\nPinned to CPUs 2,34");
  /* A running VM's state goes unsaid */
  assert_lacks (web1, "Running");
  assert_has (emulator, "Only vCPUs can be moved on the map for now");

  g_assert_true (kt_plan_pin (plan, kt_snapshot_lookup_vm (s, "web1"), &vcpu, 1, target, &error));
  g_assert_no_error (error);
  g_clear_pointer (&overlay, kt_map_overlay_free);
  overlay = kt_map_overlay_new (s, plan, layout);
  pending = kt_map_describe_chip (overlay, plan, find_chip (overlay, "web1", KT_THREAD_VCPU, 0, 13));
  assert_has (pending, "Pinned to CPU 13\nPending: not applied yet (was 0)");

  focus = kt_map_describe_focus (find_chip (overlay, "web1", KT_THREAD_VCPU, 0, 13));
  g_assert_cmpstr (focus, ==, "web1 vCPU 0 on CPU 13 (pinned 13)");
  g_clear_pointer (&focus, g_free);
  focus = kt_map_describe_focus (find_chip (overlay, "web1", KT_THREAD_EMULATOR, 0, 34));
  g_assert_cmpstr (focus, ==, "web1 emulator on CPU 34 (pinned 2,34)");
}

/* A shut-off VM's chips are drawn muted, and their words say it is off */
static void
test_shut_off (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, plan, layout);
  KtVm *vm = kt_snapshot_lookup_vm (s, "build-runner");
  const KtMapChip *chip;
  g_autofree char *tip = NULL;
  g_autofree char *pu = NULL;

  g_assert_nonnull (vm);
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_SHUTOFF);
  chip = find_chip (overlay, "build-runner", KT_THREAD_VCPU, 8, -1);
  tip = kt_map_describe_chip (overlay, plan, chip);
  assert_has (tip, "build-runner · vCPU 8 · Shut off\n");
  pu = kt_map_describe_pu (overlay, chip->cpu);
  assert_has (pu, "build-runner vCPU 8 (pinned ");
  assert_has (pu, " · Shut off");
}

static void
test_pu (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, NULL, layout);
  g_autofree char *pu0 = kt_map_describe_pu (overlay, 0);
  g_autofree char *pu7 = kt_map_describe_pu (overlay, 7);

  g_assert_true (g_str_has_prefix (pu0, "CPU 0 · core 0 · socket 0 · node 0 · L3 #0\n"));
  assert_has (pu0, "\nweb1 vCPU 0 (pinned 0)");
  assert_has (pu0, "\nweb2 vCPU 0 (pinned 0)");
  assert_has (pu0, "\n⚠ ");
  /* dev-sandbox floats over 0-31 */
  g_assert_true (g_str_has_prefix (pu7, "CPU 7 · core 7 · socket 0 · node 0 · L3 #1"));
  assert_has (pu7, "dev-sandbox");
  assert_lacks (pu7, "web1");
}

static void
test_node_and_groups (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHost *host = kt_snapshot_get_host (s);
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (host);
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, NULL, layout);
  const KtMapBox *pu13 = kt_map_layout_get_pu (layout, 13);
  const KtMapBox *node0 = kt_map_layout_get_node (layout, 0);
  g_autofree char *node = kt_map_describe_node (host, 0);
  g_autofree char *core = kt_map_describe_group (host, kt_map_box_ancestor (pu13, KT_MAP_BOX_CORE));
  g_autofree char *l3 = kt_map_describe_group (host, kt_map_box_ancestor (pu13, KT_MAP_BOX_L3));
  g_autofree char *socket = kt_map_describe_group (host, kt_map_box_ancestor (pu13, KT_MAP_BOX_SOCKET));
  g_autofree char *header = NULL;
  g_autofree char *body = NULL;
  g_autofree char *on_pu = NULL;
  KtMapRect area = { 0 };

  g_assert_true (g_str_has_prefix (node, "NUMA node 0\nMemory: 62.5\u00a0GiB"));
  assert_has (node, "\nHuge pages 2.0\u00a0MiB: 2048");
  assert_has (node, "\nHuge pages 1.0\u00a0GiB: 4");
  assert_has (node, "\nCPUs 0-7,32-39");
  assert_has (node, "\nDistances to nodes 0: 10, 1: 12, 2: 32, 3: 32");
  assert_has (node, "\nDouble-click or right-click to change its huge page pools");

  g_assert_cmpstr (core, ==, "Core 13 · threads 13,45");
  g_assert_cmpstr (l3, ==, "L3 #3 · 32.0\u00a0MiB · CPUs 12-15,44-47");
  g_assert_cmpstr (socket, ==, "Socket 0 · CPUs 8-15,40-47");
  g_assert_null (kt_map_describe_group (host, node0));

  /* A node says it on its header band only */
  header = kt_map_describe_box (overlay, node0, node0->rect.y + 1, &area);
  g_assert_cmpstr (header, ==, node);
  g_assert_cmpfloat (area.height, ==, node0->header);
  g_assert_cmpfloat (area.y, ==, node0->rect.y);
  body = kt_map_describe_box (overlay, node0, node0->rect.y + node0->header + 1, &area);
  g_assert_null (body);
  on_pu = kt_map_describe_box (overlay, pu13, pu13->rect.y + pu13->rect.height - 1, &area);
  g_assert_true (g_str_has_prefix (on_pu, "CPU 13 · "));
  g_assert_cmpfloat (area.width, ==, pu13->rect.width);
  g_assert_null (kt_map_describe_box (overlay, kt_map_layout_get_root (layout), 1, &area));
}

static void
test_target_and_moving (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  const KtMapBox *pu13 = kt_map_layout_get_pu (layout, 13);
  g_autofree char *pu = kt_map_describe_target (pu13, pu13, NULL);
  g_autofree char *core = kt_map_describe_target (kt_map_box_ancestor (pu13, KT_MAP_BOX_CORE),
                                                  pu13, "4 vCPUs do not fit on 2 CPUs");
  g_autofree char *l3 = kt_map_describe_target (kt_map_box_ancestor (pu13, KT_MAP_BOX_L3),
                                                pu13, NULL);
  g_autofree char *node = kt_map_describe_target (kt_map_layout_get_node (layout, 1), pu13, NULL);
  g_autofree char *one = kt_map_describe_moving (kt_snapshot_lookup_vm (s, "web1"), 2, 1);
  g_autofree char *four = kt_map_describe_moving (kt_snapshot_lookup_vm (s, "web1"), 0, 4);

  g_assert_cmpstr (pu, ==, "Move to CPU 13");
  g_assert_cmpstr (core, ==, "Move to the core of CPU 13: 4 vCPUs do not fit on 2 CPUs");
  g_assert_cmpstr (l3, ==, "Move to L3 cache group 3");
  g_assert_cmpstr (node, ==, "Move to NUMA node 1");
  g_assert_null (kt_map_describe_target (kt_map_layout_get_root (layout), pu13, NULL));
  g_assert_cmpstr (one, ==, "web1 vCPU 2");
  g_assert_cmpstr (four, ==, "web1: 4 vCPUs");
}

/* A node header's pools, with and without pending counts */
static void
test_pools (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  const KtHostNode *node1 = kt_host_lookup_node (kt_snapshot_get_host (s), 1);
  g_autoptr(GHashTable) pending = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) current = g_array_new (FALSE, TRUE, sizeof (KtHugePool));
  KtMapPools pools = { NULL, pending };
  KtMapPools read = { current, NULL };
  g_autofree char *read_since = NULL;
  g_autofree char *now = kt_map_format_pools (node1, NULL, FALSE, NULL);
  g_autofree char *brief = kt_map_format_pools (node1, NULL, TRUE, NULL);
  g_autofree char *other = NULL;
  g_autofree char *with = NULL;
  g_autofree char *with_brief = NULL;
  gboolean has = TRUE;

  g_assert_nonnull (node1);
  g_assert_cmpstr (now, ==, "2M 1024  1G 20");
  g_assert_cmpstr (brief, ==, "2M 1024  1G 20");
  /* Another node's pending pool is not this one's */
  g_hash_table_insert (pending, "hugepages.0.2048", "4096");
  other = kt_map_format_pools (node1, &pools, FALSE, &has);
  g_assert_cmpstr (other, ==, now);
  g_assert_false (has);
  g_hash_table_insert (pending, "hugepages.1.2048", "1536");
  with = kt_map_format_pools (node1, &pools, FALSE, &has);
  with_brief = kt_map_format_pools (node1, &pools, TRUE, NULL);
  g_assert_cmpstr (with, ==, "2M 1024 → 1536  1G 20");
  g_assert_cmpstr (with_brief, ==, "2M 1024→1536  1G 20");
  g_assert_true (has);
  /* Counts read since the capture replace its; unknown ones do not */
  g_array_append_val (current, ((KtHugePool) { 1, 2048, 1536, 1500, 1 }));
  g_array_append_val (current, ((KtHugePool) { 1, 1048576, -1, -1, -1 }));
  g_array_append_val (current, ((KtHugePool) { 0, 1048576, 8, 8, 1 }));
  read_since = kt_map_format_pools (node1, &read, FALSE, NULL);
  g_assert_cmpstr (read_since, ==, "2M 1500/1536 free  1G 20");
  pools.current = current;
  g_free (with);
  with = kt_map_format_pools (node1, &pools, FALSE, NULL);
  g_assert_cmpstr (with, ==, "2M 1536 → 1536  1G 20");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/map-describe/chip", test_chip);
  g_test_add_func ("/map-describe/pu", test_pu);
  g_test_add_func ("/map-describe/shut-off", test_shut_off);
  g_test_add_func ("/map-describe/node-and-groups", test_node_and_groups);
  g_test_add_func ("/map-describe/target-and-moving", test_target_and_moving);
  g_test_add_func ("/map-describe/pools", test_pools);
  return g_test_run ();
}
