/* test-plan.c: pending pins, undo/redo, spreading, and the placement
 * analysis, on the demo host and fixture hosts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-analysis.h"
#include "kt-error.h"
#include "kt-plan.h"
#include "kt-test-util.h"

static char *
pin_of (KtDomain *d,
        guint     vcpu)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

  return pin ? kt_cpuset_format (pin) : NULL;
}

static void
test_pin_undo_redo (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) target = kt_test_parse_set ("17");
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  guint vcpu = 0;
  g_autofree char *before = pin_of (kt_vm_get_live (web1), 0);
  char *now;

  g_assert_nonnull (before);
  g_assert_false (kt_plan_can_undo (plan));
  g_assert_true (kt_plan_pin (plan, web1, &vcpu, 1, target, &error));
  g_assert_no_error (error);

  /* Both definitions move, and the change is pending */
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  now = pin_of (kt_vm_get_inactive (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  g_assert_true (kt_plan_is_pending (plan, web1, 0));
  g_assert_false (kt_plan_is_pending (plan, web1, 1));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 1);
  g_assert_true (kt_plan_can_undo (plan));

  g_assert_true (kt_plan_undo (plan));
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, before);
  g_free (now);
  g_assert_false (kt_plan_is_pending (plan, web1, 0));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
  g_assert_true (kt_plan_can_redo (plan));

  g_assert_true (kt_plan_redo (plan));
  now = pin_of (kt_vm_get_inactive (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  g_assert_false (kt_plan_can_redo (plan));

  /* Saved snapshots carry the pending pin */
  {
    g_autofree char *xml = kt_snapshot_to_xml (s);
    g_autoptr(KtSnapshot) again = kt_snapshot_load_xml (xml, -1, &error);

    g_assert_no_error (error);
    now = pin_of (kt_vm_get_inactive (kt_snapshot_lookup_vm (again, "web1")), 0);
    g_assert_cmpstr (now, ==, "17");
    g_free (now);
  }
}

static void
count_call (guint *count)
{
  (*count)++;
}

/* After an apply, the VM's pins are what it has: nothing pending, and
 * undo leaves it alone while still undoing the other VMs */
static void
test_forget_vm (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) target = kt_test_parse_set ("17");
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  KtVm *db = kt_snapshot_lookup_vm (s, "db-primary");
  g_autofree char *db_before = pin_of (kt_vm_get_live (db), 0);
  guint vcpu = 0;
  guint changed = 0;
  char *now;

  g_signal_connect_swapped (plan, "changed", G_CALLBACK (count_call), &changed);
  g_assert_true (kt_plan_pin (plan, web1, &vcpu, 1, target, &error));
  g_assert_true (kt_plan_pin (plan, db, &vcpu, 1, target, &error));
  vcpu = 1;
  g_assert_true (kt_plan_pin (plan, web1, &vcpu, 1, target, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 3);
  changed = 0;

  kt_plan_forget_vm (plan, "web1");
  g_assert_cmpuint (changed, ==, 1);
  g_assert_false (kt_plan_is_pending (plan, web1, 0));
  g_assert_false (kt_plan_is_pending (plan, web1, 1));
  g_assert_true (kt_plan_is_pending (plan, db, 0));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 1);
  now = pin_of (kt_vm_get_inactive (web1), 1);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);

  /* One step is left, db-primary's */
  g_assert_true (kt_plan_undo (plan));
  g_assert_false (kt_plan_can_undo (plan));
  now = pin_of (kt_vm_get_live (db), 0);
  g_assert_cmpstr (now, ==, db_before);
  g_free (now);
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);

  /* Nothing to forget: no signal */
  changed = 0;
  kt_plan_forget_vm (plan, "web1");
  g_assert_cmpuint (changed, ==, 0);
}

static void
test_refusals (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) missing = kt_test_parse_set ("64");
  g_autoptr(KtCpuset) empty = kt_cpuset_new ();
  g_autoptr(KtCpuset) ok = kt_test_parse_set ("1");
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  guint bad_vcpu = 99, vcpu = 0;
  g_autofree char *before = kt_snapshot_to_xml (s);
  g_autofree char *after = NULL;

  g_assert_false (kt_plan_pin (plan, web1, &vcpu, 1, missing, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "CPU 64");
  g_clear_error (&error);
  g_assert_false (kt_plan_pin (plan, web1, &vcpu, 1, empty, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (kt_plan_pin (plan, web1, &bad_vcpu, 1, ok, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "vCPU 99");
  g_clear_error (&error);

  /* Nothing moved, nothing to undo */
  after = kt_snapshot_to_xml (s);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (kt_plan_can_undo (plan));
}

/* libvirt lists an offline CPU by its id alone */
static const char offline_caps[] =
  "<capabilities><host><cpu><arch>x86_64</arch></cpu><topology><cells num='2'>"
  "<cell id='0'><memory unit='KiB'>1048576</memory><cpus num='4'>"
  "<cpu id='0'/>"
  "<cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1'/>"
  "<cpu id='2' socket_id='0' die_id='0' core_id='2' siblings='2'/>"
  "<cpu id='3' socket_id='0' die_id='0' core_id='3' siblings='3'/>"
  "</cpus></cell>"
  "<cell id='1'><memory unit='KiB'>1048576</memory><cpus num='0'/></cell>"
  "</cells></topology></host></capabilities>";

static void
test_refuses_offline (void)
{
  g_autofree char *dom_path = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *dom_xml = kt_test_read_file (dom_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = kt_snapshot_new (offline_caps, NULL, &error);
  g_autoptr(KtDomain) domain = NULL;
  g_autoptr(KtVm) vm = NULL;
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(KtCpuset) cpu0 = kt_test_parse_set ("0");
  g_autoptr(KtCpuset) node1 = kt_test_parse_set ("1");
  g_autoptr(KtCpuset) node1_cpus = NULL;
  guint vcpu = 0;

  g_assert_no_error (error);
  domain = kt_domain_new_from_xml (dom_xml, -1, &error);
  g_assert_no_error (error);
  vm = kt_vm_new ("QEMUGuest1", KT_VM_STATE_SHUTOFF, -1, TRUE, NULL, domain);
  g_assert_true (kt_snapshot_add_vm (s, vm, &error));
  plan = kt_plan_new (s);

  g_assert_false (kt_host_lookup_cpu (kt_snapshot_get_host (s), 0)->online);
  g_assert_false (kt_plan_pin (plan, vm, &vcpu, 1, cpu0, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "CPU 0", "offline");
  g_clear_error (&error);

  /* A memory-only node has no CPU to pin to */
  node1_cpus = kt_host_cpus_of_nodes (kt_snapshot_get_host (s), node1);
  g_assert_true (kt_cpuset_is_empty (node1_cpus));
  g_assert_false (kt_plan_pin (plan, vm, &vcpu, 1, node1_cpus, &error));
  g_assert_nonnull (error);
  g_assert_false (kt_plan_can_undo (plan));
}

static void
test_spread_keeps_siblings (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  /* db-primary: 8 vCPUs as 4 cores × 2 threads; node 3 = 24-31,56-63 */
  KtVm *db = kt_snapshot_lookup_vm (s, "db-primary");
  KtHost *host = kt_snapshot_get_host (s);
  g_autoptr(KtCpuset) nodes = kt_test_parse_set ("3");
  g_autoptr(KtCpuset) target = kt_host_cpus_of_nodes (host, nodes);
  guint vcpus[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) used = kt_cpuset_new ();

  g_assert_true (kt_plan_pin (plan, db, vcpus, 8, target, &error));
  g_assert_no_error (error);
  t = kt_domain_get_tuning (kt_vm_get_live (db));
  for (guint v = 0; v < 8; v += 2)
    {
      const KtCpuset *a = kt_tuning_get_vcpupin (t, v);
      const KtCpuset *b = kt_tuning_get_vcpupin (t, v + 1);
      const KtHostCpu *ca, *cb;

      g_assert_cmpuint (kt_cpuset_count (a), ==, 1);
      g_assert_cmpuint (kt_cpuset_count (b), ==, 1);
      g_assert_true (kt_cpuset_is_subset (a, target));
      ca = kt_host_lookup_cpu (host, kt_cpuset_first (a));
      cb = kt_host_lookup_cpu (host, kt_cpuset_first (b));
      /* A guest core's two threads on one host core, different threads */
      g_assert_cmpuint (ca->core_index, ==, cb->core_index);
      g_assert_cmpint (ca->id, !=, cb->id);
      kt_cpuset_union_in (used, a);
      kt_cpuset_union_in (used, b);
    }
  /* One pCPU each */
  g_assert_cmpuint (kt_cpuset_count (used), ==, 8);

  /* One step: one undo puts all eight back */
  g_assert_true (kt_plan_undo (plan));
  g_assert_false (kt_plan_can_undo (plan));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
}

static gboolean
has_issue (GPtrArray   *issues,
           KtIssueKind  kind,
           const char  *vm)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (issue->kind == kind && g_str_equal (kt_vm_get_name (issue->vm), vm))
        return TRUE;
    }
  return FALSE;
}

static void
test_analysis_demo (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(GPtrArray) issues = kt_analyze (s);
  g_autoptr(KtCpuset) shared = kt_analysis_shared_cpus (issues);

  /* The badly tuned VMs of the demo, each for its reason */
  g_assert_true (has_issue (issues, KT_ISSUE_SHARED_PCPU, "web1"));
  g_assert_true (kt_cpuset_contains (shared, 0));
  g_assert_true (has_issue (issues, KT_ISSUE_SPANS_NODES, "analytics"));
  g_assert_true (has_issue (issues, KT_ISSUE_REMOTE_MEMORY, "cache"));
  g_assert_true (has_issue (issues, KT_ISSUE_EMULATOR_ON_VCPU, "legacy-app"));
  g_assert_true (has_issue (issues, KT_ISSUE_SMT_SPLIT, "legacy-app"));

  /* and the good ones have none */
  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);
      const char *name = kt_vm_get_name (issue->vm);

      g_assert_cmpstr (name, !=, "db-primary");
      g_assert_cmpstr (name, !=, "build-runner");
      g_assert_nonnull (issue->message);
      g_assert_false (kt_cpuset_is_empty (issue->cpus));
    }
}

static void
test_analysis_follows_plan (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  KtVm *web2 = kt_snapshot_lookup_vm (s, "web2");
  guint vcpus[4] = { 0, 1, 2, 3 };
  /* Node 0's second L3 group half that nobody uses: 7,39 and node 1's 12-13,44-45 */
  g_autoptr(KtCpuset) free_cpus = kt_test_parse_set ("12-13,44-45");
  g_autoptr(GPtrArray) before = kt_analyze (s);
  g_autoptr(GPtrArray) after = NULL;
  gboolean web_shared = FALSE;

  g_assert_true (kt_plan_pin (plan, web2, vcpus, 4, free_cpus, &error));
  g_assert_no_error (error);
  after = kt_analyze (s);
  for (guint i = 0; i < after->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (after, i);

      if (issue->kind == KT_ISSUE_SHARED_PCPU && issue->other != NULL
          && (g_str_equal (kt_vm_get_name (issue->vm), "web2")
              || g_str_equal (kt_vm_get_name (issue->other), "web2"))
          && kt_cpuset_intersects (issue->cpus, free_cpus))
        web_shared = TRUE;
    }
  g_assert_false (web_shared);
  /* web1 and web2 no longer share anything */
  g_assert_true (has_issue (before, KT_ISSUE_SHARED_PCPU, "web1"));
  g_assert_false (has_issue (after, KT_ISSUE_SHARED_PCPU, "web1"));
}


static char *
format_targets (GPtrArray *targets)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *one = kt_cpuset_format (g_ptr_array_index (targets, i));

      g_string_append_printf (s, "%s%s", i ? " " : "", one);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* A drop of several vCPUs on one pCPU spreads over the free pCPUs of
 * its core, its L3 group, its node, guest SMT pairs on host siblings */
static void
test_drop_targets_spread (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  /* web1: 4 vCPUs as 2 cores × 2 threads.  Node 1 (8-15, 40-47): free are
   * 12,44 and 13,45; db-primary has 8-11,40-43, its iothread 14,46 and its
   * emulator 15,47 */
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  KtVm *db = kt_snapshot_lookup_vm (s, "db-primary");
  guint vcpus[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *text = NULL;
  char *now;

  targets = kt_plan_drop_targets (plan, web1, vcpus, 4, 13, &error);
  g_assert_no_error (error);
  text = format_targets (targets);
  /* 13 first, its sibling 45, then the next free core of the L3 */
  g_assert_cmpstr (text, ==, "13 45 12 44");
  g_clear_pointer (&targets, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  /* The same VM's vCPUs that move do not count as busy: db-primary's
   * eight on CPU 9 fill its own old cores first, 9 and its sibling 41 */
  targets = kt_plan_drop_targets (plan, db, vcpus, 8, 9, &error);
  g_assert_no_error (error);
  text = format_targets (targets);
  g_assert_cmpstr (text, ==, "9 41 10 42 11 43 8 40");
  g_assert_true (kt_plan_pin_each (plan, db, vcpus, 8, targets, &error));
  g_assert_no_error (error);
  now = pin_of (kt_vm_get_inactive (db), 7);
  g_assert_cmpstr (now, ==, "40");
  g_free (now);
  /* One step */
  g_assert_true (kt_plan_undo (plan));
  g_assert_false (kt_plan_can_undo (plan));
  g_clear_pointer (&targets, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  /* Two of web1's, not a guest core's pair (1 and 2): one per pCPU still */
  vcpus[0] = 1;
  vcpus[1] = 2;
  targets = kt_plan_drop_targets (plan, web1, vcpus, 2, 12, &error);
  g_assert_no_error (error);
  text = format_targets (targets);
  g_assert_cmpstr (text, ==, "12 44");
}

/* Not enough free pCPUs in the node, or not enough whole cores for the
 * guest's SMT pairs: refused, saying why */
static void
test_drop_targets_refused (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  KtVm *db = kt_snapshot_lookup_vm (s, "db-primary");
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  guint vcpus[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  GPtrArray *targets;

  /* Node 0 has 7 and 39 free: not 8 */
  targets = kt_plan_drop_targets (plan, db, vcpus, 8, 7, &error);
  g_assert_null (targets);
  g_assert_error (error, KT_ERROR, KT_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "NUMA node 0"));
  g_clear_error (&error);

  /* Node 2: 19,51 is the only whole free core (20-23 are legacy-app's,
   * 18,50 analytics'): web1's two guest cores do not fit */
  targets = kt_plan_drop_targets (plan, web1, vcpus, 4, 19, &error);
  g_assert_null (targets);
  g_assert_error (error, KT_ERROR, KT_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Nothing changed */
  g_assert_false (kt_plan_can_undo (plan));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plan/pin-undo-redo", test_pin_undo_redo);
  g_test_add_func ("/plan/refusals", test_refusals);
  g_test_add_func ("/plan/forget-vm", test_forget_vm);
  g_test_add_func ("/plan/refuses-offline", test_refuses_offline);
  g_test_add_func ("/plan/spread-keeps-siblings", test_spread_keeps_siblings);
  g_test_add_func ("/plan/drop-targets-spread", test_drop_targets_spread);
  g_test_add_func ("/plan/drop-targets-refused", test_drop_targets_refused);
  g_test_add_func ("/analysis/demo", test_analysis_demo);
  g_test_add_func ("/analysis/follows-plan", test_analysis_follows_plan);
  return g_test_run ();
}
