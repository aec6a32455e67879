/* test-map-drop.c: what a drop on a box of the map means (kt-map-drop.h),
 * without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-error.h"
#include "kt-map-drop.h"
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

static void
assert_set (const KtCpuset *set,
            const char     *want)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (set);
  text = kt_cpuset_format (set);
  g_assert_cmpstr (text, ==, want);
}

static char *
vcpu_pin (KtVm  *vm,
          guint  vcpu)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

  return pin != NULL ? kt_cpuset_format (pin) : NULL;
}

/* The pCPUs of each kind of box on the demo host */
static void
test_target_cpus (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHost *host = kt_snapshot_get_host (s);
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (host);
  const KtMapBox *pu = kt_map_layout_get_pu (layout, 13);
  g_autoptr(KtCpuset) on_pu = kt_map_box_get_target_cpus (pu, host, NULL);
  g_autoptr(KtCpuset) on_core = NULL;
  g_autoptr(KtCpuset) on_l3 = NULL;
  g_autoptr(KtCpuset) on_socket = NULL;
  g_autoptr(KtCpuset) on_node = NULL;
  g_autoptr(KtCpuset) on_host = NULL;
  g_autoptr(GError) error = NULL;

  assert_set (on_pu, "13");
  on_core = kt_map_box_get_target_cpus (kt_map_box_ancestor (pu, KT_MAP_BOX_CORE), host, NULL);
  assert_set (on_core, "13,45");
  on_l3 = kt_map_box_get_target_cpus (kt_map_box_ancestor (pu, KT_MAP_BOX_L3), host, NULL);
  assert_set (on_l3, "12-15,44-47");
  on_node = kt_map_box_get_target_cpus (kt_map_layout_get_node (layout, 1), host, NULL);
  assert_set (on_node, "8-15,40-47");
  /* A socket: the PUs under its box (node 1's part of socket 0) */
  on_socket = kt_map_box_get_target_cpus (kt_map_box_ancestor (pu, KT_MAP_BOX_SOCKET), host, NULL);
  assert_set (on_socket, "8-15,40-47");

  on_host = kt_map_box_get_target_cpus (kt_map_layout_get_root (layout), host, &error);
  g_assert_null (on_host);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "Drop onto a CPU");
}

/* CPUs 3 and 6-7 offline (listed with their id alone): a group pins to
 * its online CPUs, an offline CPU or an all-offline node is refused */
static const char offline_caps[] =
  "<capabilities><host><cpu><arch>x86_64</arch></cpu><topology><cells num='2'>"
  "<cell id='0'><memory unit='KiB'>1048576</memory><cpus num='4'>"
  "<cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>"
  "<cpu id='1' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>"
  "<cpu id='2' socket_id='0' die_id='0' core_id='1' siblings='2'/>"
  "<cpu id='3'/>"
  "</cpus></cell>"
  "<cell id='1'><memory unit='KiB'>1048576</memory><cpus num='2'>"
  "<cpu id='6'/><cpu id='7'/>"
  "</cpus></cell>"
  "</cells></topology></host></capabilities>";

static void
test_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (offline_caps, -1, &error);
  g_autoptr(KtMapLayout) layout = NULL;
  g_autoptr(KtCpuset) set = NULL;
  const KtMapBox *node0, *node1, *pu3;

  g_assert_no_error (error);
  layout = kt_map_layout_new (host);
  node0 = kt_map_layout_get_node (layout, 0);
  node1 = kt_map_layout_get_node (layout, 1);
  pu3 = kt_map_layout_get_pu (layout, 3);
  g_assert_nonnull (node0);
  g_assert_nonnull (node1);
  g_assert_nonnull (pu3);

  set = kt_map_box_get_target_cpus (node0, host, &error);
  g_assert_no_error (error);
  assert_set (set, "0-2");
  g_clear_pointer (&set, kt_cpuset_free);

  /* The socket box of node 0 holds CPU 3 too: pins to the others */
  set = kt_map_box_get_target_cpus (kt_map_box_ancestor (kt_map_layout_get_pu (layout, 0),
                                                         KT_MAP_BOX_SOCKET), host, &error);
  g_assert_no_error (error);
  assert_set (set, "0-2");
  g_clear_pointer (&set, kt_cpuset_free);

  set = kt_map_box_get_target_cpus (pu3, host, &error);
  g_assert_null (set);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "3");
  g_clear_error (&error);

  set = kt_map_box_get_target_cpus (node1, host, &error);
  g_assert_null (set);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "6-7"));
}

/* Four vCPUs of web1 onto CPU 13: one per pCPU nearby, guest SMT pairs on
 * host siblings; one undo step */
static void
test_spread (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  const guint vcpus[] = { 0, 1, 2, 3 };
  g_autoptr(KtMapDrop) drop = kt_map_drop_new (plan, web1, vcpus, 4,
                                               kt_map_layout_get_pu (layout, 13));
  g_autoptr(GError) error = NULL;
  g_autofree char *pin0 = NULL;
  g_autofree char *pin1 = NULL;

  g_assert_true (kt_map_drop_is_allowed (drop));
  g_assert_null (kt_map_drop_get_message (drop));
  assert_set (kt_map_drop_get_cpus (drop), "13");
  g_assert_nonnull (kt_map_drop_get_spread (drop));
  g_assert_cmpuint (kt_map_drop_get_spread (drop)->len, ==, 4);
  assert_set (kt_map_drop_get_spread_cpus (drop), "12-13,44-45");

  g_assert_true (kt_map_drop_pin (drop, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 4);
  pin0 = vcpu_pin (web1, 0);
  pin1 = vcpu_pin (web1, 1);
  g_assert_cmpstr (pin0, ==, "13");
  g_assert_cmpstr (pin1, ==, "45");   /* vCPU 0's guest sibling on 13's host sibling */
  g_assert_true (kt_plan_undo (plan));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
}

/* Refused before the release: nothing moves */
static void
test_refused (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  const guint vcpus[] = { 0, 1, 2, 3 };
  const KtMapBox *pu13 = kt_map_layout_get_pu (layout, 13);
  g_autoptr(KtMapDrop) on7 = kt_map_drop_new (plan, web1, vcpus, 4,
                                              kt_map_layout_get_pu (layout, 7));
  g_autoptr(KtMapDrop) on_core = kt_map_drop_new (plan, web1, vcpus, 4,
                                                  kt_map_box_ancestor (pu13, KT_MAP_BOX_CORE));
  g_autoptr(KtMapDrop) on_host = kt_map_drop_new (plan, web1, vcpus, 4,
                                                  kt_map_layout_get_root (layout));
  g_autoptr(GError) error = NULL;

  /* Node 0 has two free CPUs (7, 39) for four vCPUs */
  g_assert_false (kt_map_drop_is_allowed (on7));
  g_assert_nonnull (strstr (kt_map_drop_get_message (on7), "NUMA node 0 has 2 free CPUs for 4 vCPUs"));
  g_assert_null (kt_map_drop_get_cpus (on7));
  g_assert_null (kt_map_drop_get_spread (on7));
  g_assert_null (kt_map_drop_get_spread_cpus (on7));
  g_assert_false (kt_map_drop_pin (on7, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, "2 free CPUs");
  g_clear_error (&error);

  /* A core of two CPUs for four vCPUs */
  g_assert_false (kt_map_drop_is_allowed (on_core));
  g_assert_cmpstr (kt_map_drop_get_message (on_core), ==, "4 vCPUs do not fit on 2 CPUs");

  g_assert_false (kt_map_drop_is_allowed (on_host));
  g_assert_false (kt_map_drop_pin (on_host, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "Drop onto");

  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
}

/* One vCPU onto a group: it gets the group's whole set, no spread */
static void
test_one_on_group (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  const guint vcpu = 2;
  const KtMapBox *l3 = kt_map_box_ancestor (kt_map_layout_get_pu (layout, 13), KT_MAP_BOX_L3);
  g_autoptr(KtMapDrop) drop = kt_map_drop_new (plan, web1, &vcpu, 1, l3);
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;

  g_assert_true (kt_map_drop_is_allowed (drop));
  g_assert_null (kt_map_drop_get_spread (drop));
  g_assert_null (kt_map_drop_get_spread_cpus (drop));
  g_assert_true (kt_map_drop_pin (drop, &error));
  g_assert_no_error (error);
  pin = vcpu_pin (web1, 2);
  g_assert_cmpstr (pin, ==, "12-15,44-47");
  g_assert_true (kt_plan_is_pending (plan, web1, 2));
  g_assert_false (kt_plan_is_pending (plan, web1, 0));
}

/* No vCPU to move (an emulator chip): the box is fine, the pin is not */
static void
test_no_vcpus (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(KtMapDrop) drop = kt_map_drop_new (plan, NULL, NULL, 0,
                                               kt_map_layout_get_pu (layout, 7));
  g_autoptr(GError) error = NULL;

  g_assert_true (kt_map_drop_is_allowed (drop));
  g_assert_false (kt_map_drop_pin (drop, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "Select one or more vCPUs");
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/map-drop/target-cpus", test_target_cpus);
  g_test_add_func ("/map-drop/offline", test_offline);
  g_test_add_func ("/map-drop/spread", test_spread);
  g_test_add_func ("/map-drop/refused", test_refused);
  g_test_add_func ("/map-drop/one-on-group", test_one_on_group);
  g_test_add_func ("/map-drop/no-vcpus", test_no_vcpus);
  return g_test_run ();
}
