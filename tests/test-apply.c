/* test-apply.c: what an apply would do, worked out without libvirt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-apply.h"
#include "kt-error.h"
#include "kt-test-util.h"

static void
test_diff (void)
{
  g_autofree char *same = kt_diff_lines ("a\nb\n", "a\nb\n", "x", "y");
  g_autofree char *d = kt_diff_lines ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
                                      "1\n2\n3\n4\nfour\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
                                      "old", "new");

  g_assert_cmpstr (same, ==, "");
  g_assert_cmpstr (d, ==,
                   "--- old\n+++ new\n"
                   "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+four\n 6\n 7\n 8\n"
                   "@@ -13,4 +13,5 @@\n 13\n 14\n 15\n+16\n \n");
}

static void
test_live_and_config (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  g_autoptr(KtDomain) live = kt_domain_copy (kt_vm_get_live (web1));
  g_autoptr(KtDomain) config = kt_domain_copy (kt_vm_get_inactive (web1));
  g_autoptr(KtCpuset) target = kt_test_parse_set ("17");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  const char *diff;

  g_assert_cmpint (kt_apply_default_flags (web1), ==, KT_APPLY_LIVE | KT_APPLY_CONFIG);
  g_assert_cmpint (kt_apply_default_flags (kt_snapshot_lookup_vm (s, "build-runner")), ==,
                   KT_APPLY_CONFIG);

  g_assert_true (kt_domain_set_vcpupin (live, 0, target, &error));
  g_assert_true (kt_domain_set_vcpupin (config, 0, target, &error));
  apply = kt_apply_new (web1, live, config, KT_APPLY_LIVE | KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  g_assert_false (kt_apply_is_empty (apply));

  calls = kt_apply_get_calls (apply);
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainPinVcpuFlags"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "vCPU 0 → 17"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "virDomainDefineXMLFlags"));

  /* The diff is only the pin line */
  diff = kt_apply_get_diff (apply);
  {
    guint changed = 0;
    gboolean old_pin = FALSE, new_pin = FALSE;
    g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);

    for (guint i = 2; lines[i]; i++)
      if (lines[i][0] == '+' || lines[i][0] == '-')
        {
          changed++;
          old_pin |= lines[i][0] == '-' && strstr (lines[i], "<vcpupin vcpu=\"0\" cpuset=\"0\"/>");
          new_pin |= lines[i][0] == '+' && strstr (lines[i], "<vcpupin vcpu=\"0\" cpuset=\"17\"/>");
        }
    g_assert_cmpuint (changed, ==, 2);
    g_assert_true (old_pin);
    g_assert_true (new_pin);
  }
}

static void
test_refusals (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  KtVm *runner = kt_snapshot_lookup_vm (s, "build-runner");
  g_autoptr(KtDomain) live = kt_domain_copy (kt_vm_get_live (web1));
  g_autoptr(KtDomain) runner_live = kt_domain_copy (kt_vm_get_inactive (runner));
  g_autoptr(KtCpuset) node0 = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;

  /* The memory mode of a running VM cannot change live */
  g_assert_true (kt_domain_set_numatune (live, "interleave", node0, &error));
  apply = kt_apply_new (web1, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_null (apply);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "memory mode", "web1",
                                 "config");
  g_clear_error (&error);

  /* Live needs a running VM */
  apply = kt_apply_new (runner, runner_live, NULL, KT_APPLY_LIVE, &error);
  g_assert_null (apply);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "not running");
  g_clear_error (&error);

  /* Nothing changed, nothing to do */
  apply = kt_apply_new (runner, NULL, kt_vm_get_inactive (runner), KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  g_assert_true (kt_apply_is_empty (apply));
  g_assert_cmpstr (kt_apply_get_diff (apply), ==, "");
}

static void
test_topology (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  KtVm *db = kt_snapshot_lookup_vm (s, "db-primary");
  g_autoptr(KtDomain) live = kt_domain_copy (kt_vm_get_live (db));
  g_autoptr(KtDomain) config = kt_domain_copy (kt_vm_get_inactive (db));
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *message = NULL;

  /* 8 vCPUs: 3 × 1 × 2 × 2 is not 8 */
  g_assert_false (kt_domain_set_cpu_topology (config, 3, 1, 2, 2, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "makes 12", "has 8");
  g_clear_error (&error);

  g_assert_true (kt_domain_set_cpu_topology (config, 2, 1, 2, 2, &error));
  g_assert_no_error (error);
  t = kt_domain_get_tuning (config);
  g_assert_cmpuint (t->sockets, ==, 2);
  g_assert_cmpuint (t->cores, ==, 2);
  g_assert_cmpuint (t->threads, ==, 2);
  xml = kt_domain_to_xml (config);
  g_assert_true (kt_test_validate_xml (xml, -1, "domain.rng", &message));

  apply = kt_apply_new (db, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "sockets=\"2\""));
  g_clear_object (&apply);

  /* Not live */
  g_assert_true (kt_domain_set_cpu_topology (live, 2, 1, 2, 2, &error));
  apply = kt_apply_new (db, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_null (apply);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "topology", "config");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/apply/diff", test_diff);
  g_test_add_func ("/apply/live-and-config", test_live_and_config);
  g_test_add_func ("/apply/refusals", test_refusals);
  g_test_add_func ("/apply/topology", test_topology);
  return g_test_run ();
}
