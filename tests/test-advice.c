/* test-advice.c: the advisor and the planner on a session (kt-advice.h)
 *
 * What the window's Advice list does without the window: findings grouped
 * by VM, fixes put into the session as pending changes (pins through the
 * plan, other steps as the VM's edits, host steps as pending host
 * targets, all or nothing), the finding
 * gone on the effective snapshot once its fix is pending and back after
 * undo, and a planner proposal put in as pending steps, then discarded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-advice.h"
#include "kt-error.h"
#include "kt-test-util.h"

static KtSession *
demo_session (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = kt_snapshot_load_file (demo, &error);

  g_assert_no_error (error);
  return kt_session_new (snapshot, NULL, demo);
}

static GPtrArray *
run (KtSession *session)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *findings = kt_advice_run (session, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (findings);
  return findings;
}

static void
test_group (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(GPtrArray) findings = run (session);
  g_autoptr(GPtrArray) groups = NULL;
  GListModel *vms = kt_snapshot_get_vms (kt_session_get_snapshot (session));
  guint counts[3], total = 0, last_vm = 0;
  g_autofree char *text = NULL;
  KtAdviceGroup *host;

  groups = kt_advice_group (findings, counts);
  g_assert_cmpuint (counts[0] + counts[1] + counts[2], ==, findings->len);
  g_assert_cmpuint (counts[KT_SEVERITY_ERROR], >, 0);
  g_assert_cmpuint (groups->len, >=, 2);

  /* The host's last, the VMs' in the snapshot's order, each VM once */
  host = g_ptr_array_index (groups, groups->len - 1);
  g_assert_null (host->vm);
  for (guint i = 0; i < groups->len; i++)
    {
      KtAdviceGroup *g = g_ptr_array_index (groups, i);
      guint sum = 0;

      total += g->findings->len;
      for (guint s = 0; s < 3; s++)
        sum += g->counts[s];
      g_assert_cmpuint (sum, ==, g->findings->len);
      for (guint j = 0; j < g->findings->len; j++)
        g_assert_cmpstr (((const KtFinding *) g_ptr_array_index (g->findings, j))->vm, ==, g->vm);
      if (g->vm == NULL)
        {
          g_assert_cmpuint (i, ==, groups->len - 1);
          continue;
        }
      for (guint v = 0; v < g_list_model_get_n_items (vms); v++)
        {
          g_autoptr(KtVm) vm = g_list_model_get_item (vms, v);

          if (g_str_equal (kt_vm_get_name (vm), g->vm))
            {
              g_assert_cmpuint (v + 1, >, last_vm);
              last_vm = v + 1;
            }
        }
    }
  g_assert_cmpuint (total, ==, findings->len);

  text = kt_advice_describe_counts (counts);
  g_assert_nonnull (strstr (text, "error"));
  g_clear_pointer (&text, g_free);
  text = kt_advice_describe_counts ((const guint[]) { 0, 0, 0 });
  g_assert_cmpstr (text, ==, "No problems found");
}

/* A pin-only fix: pending pins; the finding goes, and comes back on undo */
static void
test_fix_pins (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(GPtrArray) findings = run (session);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(GError) error = NULL;
  const KtFinding *f = kt_advisor_lookup (findings, "needless-node-span", "analytics");
  guint64 rev = kt_session_get_revision (session);

  g_assert_nonnull (f);
  g_assert_nonnull (f->fix);
  g_assert_false (kt_fix_has_host_steps (f->fix));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);

  g_assert_true (kt_advice_put_fix (session, f->fix, &host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (host->len, ==, 0);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "analytics"), >, 0);
  g_assert_null (kt_session_get_edits (session, "analytics"));
  g_assert_true (kt_session_can_undo (session));

  after = run (session);
  g_assert_null (kt_advisor_lookup (after, "needless-node-span", "analytics"));
  g_clear_pointer (&after, g_ptr_array_unref);

  /* Saved: a snapshot can hold pending pins */
  g_assert_true (kt_advice_undo_to (session, rev));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  after = run (session);
  g_assert_nonnull (kt_advisor_lookup (after, "needless-node-span", "analytics"));
}

/* A fix of other settings: the VM's pending edits, not its definitions */
static void
test_fix_edits (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(GPtrArray) findings = run (session);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) raw = NULL;
  g_autoptr(GError) error = NULL;
  const KtFinding *f = kt_advisor_lookup (findings, "pin-without-numatune", "cache");
  const KtEdits *edits;
  g_autofree char *nodes = NULL;

  g_assert_nonnull (f);
  g_assert_true (kt_advice_put_fix (session, f->fix, NULL, &error));
  g_assert_no_error (error);
  edits = kt_session_get_edits (session, "cache");
  g_assert_nonnull (edits);
  g_assert_nonnull (edits->numa_nodeset);
  nodes = kt_cpuset_format (edits->numa_nodeset);
  g_assert_cmpstr (nodes, ==, "2");

  /* Gone with the edits made, still there in the snapshot itself */
  after = run (session);
  g_assert_null (kt_advisor_lookup (after, "pin-without-numatune", "cache"));
  raw = kt_advisor_run (kt_session_get_snapshot (session), NULL);
  g_assert_nonnull (kt_advisor_lookup (raw, "pin-without-numatune", "cache"));

  /* No new error from it */
  for (guint i = 0; i < after->len; i++)
    {
      const KtFinding *a = g_ptr_array_index (after, i);

      if (a->severity == KT_SEVERITY_ERROR)
        g_assert_nonnull (kt_advisor_lookup (findings, a->rule, a->vm));
    }
}

/* Host steps become pending host targets, also for a host-only fix; a
 * manual fix is refused; a step that does not fit changes nothing */
static void
test_fix_refused (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(KtFix) mixed = kt_fix_new ("mixed");
  g_autoptr(KtFix) host_only = kt_fix_new ("host");
  g_autoptr(KtFix) manual = kt_fix_new ("By hand: do it");
  g_autoptr(KtFix) bad = kt_fix_new ("bad");
  g_autoptr(KtCpuset) nodes = kt_cpuset_new_range (0, 0);
  g_autoptr(KtCpuset) cpu = kt_cpuset_new_range (3, 3);
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(GError) error = NULL;
  guint64 rev;

  kt_fix_add_host (mixed, "numa_balancing", "0");
  kt_fix_add_numatune (mixed, "web1", "strict", nodes);
  g_assert_true (kt_advice_put_fix (session, mixed, &host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (host->len, ==, 1);
  g_assert_cmpstr (((KtHostTarget *) g_ptr_array_index (host, 0))->key, ==, "numa_balancing");
  g_assert_cmpstr (((KtHostTarget *) g_ptr_array_index (host, 0))->value, ==, "0");
  g_assert_cmpstr (kt_session_get_host_target (session, "numa_balancing"), ==, "0");
  g_assert_nonnull (kt_session_get_edits (session, "web1"));

  /* Host-only: pending as well */
  kt_fix_add_host (host_only, "thp.enabled", "never");
  g_assert_true (kt_advice_put_fix (session, host_only, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kt_session_get_host_target (session, "thp.enabled"), ==, "never");
  g_assert_false (kt_advice_put_fix (session, manual, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* A pin that fits, then a guest topology that does not add up to its
   * vCPUs */
  rev = kt_session_get_revision (session);
  kt_fix_add_pin (bad, KT_FIX_VCPUPIN, "web2", 0, cpu);
  kt_fix_add_topology (bad, "web2", 1, 1, 3, 1);
  g_assert_false (kt_advice_put_fix (session, bad, NULL, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web2"), ==, 0);
}

static guint
count_rule (GPtrArray  *findings,
            const char *rule)
{
  guint n = 0;

  for (guint i = 0; i < findings->len; i++)
    n += g_str_equal (((const KtFinding *) g_ptr_array_index (findings, i))->rule, rule);
  return n;
}

/* A host-only fix: a pending host target of the session, the finding gone
 * while it is pending; applied on the snapshot, it stays gone */
static void
test_fix_host (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(GPtrArray) findings = run (session);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const KtFinding *f = kt_advisor_lookup (findings, "ksm-across-nodes", NULL);
  g_autofree char *merge = NULL;
  guint64 rev = kt_session_get_revision (session);

  g_assert_nonnull (f);
  g_assert_nonnull (f->fix);
  g_assert_true (kt_fix_has_host_steps (f->fix));
  g_assert_false (kt_fix_has_domain_steps (f->fix));
  g_assert_cmpuint (count_rule (findings, "ksm-across-nodes"), ==, 1);

  /* Never read: a snapshot's values are read on the way */
  g_assert_null (kt_session_get_host_tuning (session));
  g_assert_true (kt_advice_put_fix (session, f->fix, &host, &error));
  g_assert_no_error (error);
  g_assert_nonnull (kt_session_get_host_tuning (session));
  g_assert_cmpuint (host->len, ==, 1);
  g_assert_cmpstr (((KtHostTarget *) g_ptr_array_index (host, 0))->key, ==,
                   "ksm.merge_across_nodes");
  g_assert_cmpstr (kt_session_get_host_target (session, "ksm.merge_across_nodes"), ==, "0");
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 1);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
  /* No domain step, nothing applied */
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  merge = kt_host_tuning_get_value (kt_snapshot_get_host_tuning (kt_session_get_snapshot (session)),
                                    "ksm.merge_across_nodes");
  g_assert_cmpstr (merge, ==, "1");

  /* Pending: gone from the advice */
  after = run (session);
  g_assert_null (kt_advisor_lookup (after, "ksm-across-nodes", NULL));
  g_clear_pointer (&after, g_ptr_array_unref);

  /* One step to undo, and to redo */
  g_assert_true (kt_session_can_undo (session));
  g_assert_true (kt_session_undo (session));
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  g_assert_false (kt_session_can_undo (session));
  g_assert_true (kt_session_redo (session));
  g_assert_cmpstr (kt_session_get_host_target (session, "ksm.merge_across_nodes"), ==, "0");

  /* Applied on the snapshot (the Host view's path): still gone, and no
   * new error */
  plan = kt_session_plan_host (session, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->changes->len, ==, 1);
  g_assert_true (kt_session_apply_host (session, plan, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  g_clear_pointer (&merge, g_free);
  merge = kt_host_tuning_get_value (kt_snapshot_get_host_tuning (kt_session_get_snapshot (session)),
                                    "ksm.merge_across_nodes");
  g_assert_cmpstr (merge, ==, "0");
  after = run (session);
  g_assert_null (kt_advisor_lookup (after, "ksm-across-nodes", NULL));
  for (guint i = 0; i < after->len; i++)
    {
      const KtFinding *a = g_ptr_array_index (after, i);

      if (a->severity == KT_SEVERITY_ERROR)
        g_assert_nonnull (kt_advisor_lookup (findings, a->rule, a->vm));
    }
  /* The advisor on the snapshot alone agrees */
  g_clear_pointer (&after, g_ptr_array_unref);
  after = kt_advisor_run (kt_session_get_snapshot (session), NULL);
  g_assert_null (kt_advisor_lookup (after, "ksm-across-nodes", NULL));
}

/* A fix with a host step refused: nothing of it is pending, neither host
 * targets nor domain steps, and what was pending before stays */
static void
test_fix_host_refused (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(KtFix) fix = kt_fix_new ("refused");
  g_autoptr(KtFix) late = kt_fix_new ("refused late");
  g_autoptr(KtCpuset) nodes = kt_cpuset_new_range (0, 0);
  g_autoptr(KtCpuset) cpu = kt_cpuset_new_range (3, 3);
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(GError) error = NULL;
  guint64 rev;

  g_assert_true (kt_session_read_host (session, &error));
  g_assert_no_error (error);
  g_assert_true (kt_session_set_host_target (session, "thp.enabled", "never", &error));
  g_assert_no_error (error);
  rev = kt_session_get_revision (session);

  /* The second host step is no value KSM takes */
  kt_fix_add_numatune (fix, "web1", "strict", nodes);
  kt_fix_add_host (fix, "numa_balancing", "0");
  kt_fix_add_host (fix, "thp.enabled", "madvise");
  kt_fix_add_host (fix, "ksm.merge_across_nodes", "7");
  g_assert_false (kt_advice_put_fix (session, fix, &host, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ksm.merge_across_nodes"));
  g_assert_null (host);
  g_clear_error (&error);
  g_assert_null (kt_session_get_host_target (session, "numa_balancing"));
  g_assert_null (kt_session_get_host_target (session, "ksm.merge_across_nodes"));
  g_assert_cmpstr (kt_session_get_host_target (session, "thp.enabled"), ==, "never");
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 1);
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);

  /* A pool the host does not have */
  kt_fix_free (g_steal_pointer (&fix));
  fix = kt_fix_new ("no such pool");
  kt_fix_add_host (fix, "numa_balancing", "0");
  kt_fix_add_host (fix, "hugepages.9.2048", "16");
  g_assert_false (kt_advice_put_fix (session, fix, NULL, &error));
  g_assert_nonnull (strstr (error->message, "hugepages.9.2048"));
  g_clear_error (&error);
  g_assert_null (kt_session_get_host_target (session, "numa_balancing"));

  /* Host steps set, then a pin refused: the targets go back as well */
  kt_fix_add_host (late, "numa_balancing", "0");
  kt_fix_add_host (late, "thp.enabled", "madvise");
  kt_fix_add_numatune (late, "web1", "strict", nodes);
  kt_fix_add_pin (late, KT_FIX_VCPUPIN, "web2", 0, cpu);
  kt_fix_add_pin (late, KT_FIX_VCPUPIN, "web2", 99, cpu);
  g_assert_false (kt_advice_put_fix (session, late, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (kt_session_get_host_target (session, "numa_balancing"));
  g_assert_cmpstr (kt_session_get_host_target (session, "thp.enabled"), ==, "never");
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 1);
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web2"), ==, 0);
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
}

/* On a connection the host's tuning must have been read: the fix says so
 * rather than block; once read, what the remote host cannot change is
 * refused with the key and the reason, and nothing is pending */
static void
test_fix_host_remote (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(KtFix) fix = kt_fix_new ("tuned");

  conn = kt_connection_open_capture ("test:///default", KT_CONNECTION_OPEN_DEFAULT, NULL,
                                     &snapshot, &error);
  g_assert_no_error (error);
  session = kt_session_new (snapshot, conn, NULL);
  kt_fix_add_host (fix, "tuned.profile", "virtual-host");

  g_assert_false (kt_advice_put_fix (session, fix, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not read yet"));
  g_clear_error (&error);
  g_assert_null (kt_session_get_host_tuning (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);

  g_assert_true (kt_session_read_host (session, &error));
  g_assert_no_error (error);
  g_assert_false (kt_advice_put_fix (session, fix, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "tuned.profile"));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
}

/* A proposal: pending pins and edits, then discarded */
static void
test_proposal (void)
{
  g_autoptr(KtSession) session = demo_session ();
  KtSnapshot *snapshot = kt_session_get_snapshot (session);
  KtVm *vm = kt_snapshot_lookup_vm (snapshot, "dev-sandbox");
  KtPlannerPolicy policy = { 0, };
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(KtPlannerRequest) request = NULL;
  g_autoptr(KtProposal) proposal = NULL;
  g_autoptr(KtFix) fix = NULL;
  g_autoptr(GError) error = NULL;
  guint64 rev = kt_session_get_revision (session);
  guint n_pins = 0;

  g_assert_nonnull (vm);
  g_assert_true (kt_planner_policy_parse (&policy, "dedicated", "prefer", "share", NULL,
                                          kt_snapshot_get_host (snapshot), &error));
  planner = kt_planner_new (snapshot, &policy);
  request = kt_planner_request_new_for_vm (vm);
  proposal = kt_planner_plan (planner, request);
  g_assert_true (proposal->feasible);

  fix = kt_advice_fix_from_proposal (proposal, vm, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < fix->steps->len; i++)
    n_pins += ((const KtFixStep *) g_ptr_array_index (fix->steps, i))->kind == KT_FIX_VCPUPIN;
  g_assert_cmpuint (n_pins, ==, proposal->vcpupin->len);

  g_assert_true (kt_advice_put_fix (session, fix, NULL, &error));
  g_assert_no_error (error);
  for (guint v = 0; v < proposal->vcpupin->len; v++)
    g_assert_true (kt_plan_is_pending (kt_session_get_plan (session), vm, v)
                   || kt_cpuset_equal (kt_plan_get_original (kt_session_get_plan (session), vm, v),
                                       g_ptr_array_index (proposal->vcpupin, v)));
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "dev-sandbox"), >, 0);

  /* Discard */
  g_assert_true (kt_advice_undo_to (session, rev));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_null (kt_session_get_edits (session, "dev-sandbox"));
  kt_planner_policy_clear (&policy);
}

/* An infeasible proposal is no fix */
static void
test_proposal_infeasible (void)
{
  g_autoptr(KtSession) session = demo_session ();
  KtSnapshot *snapshot = kt_session_get_snapshot (session);
  KtVm *vm = kt_snapshot_lookup_vm (snapshot, "web1");
  KtPlannerPolicy policy = { 0, };
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(KtPlannerRequest) request = NULL;
  g_autoptr(KtProposal) proposal = NULL;
  g_autoptr(KtFix) fix = NULL;
  g_autoptr(GError) error = NULL;

  /* Every CPU reserved for the host */
  g_assert_true (kt_planner_policy_parse (&policy, "dedicated", NULL, NULL, "0-63",
                                          kt_snapshot_get_host (snapshot), &error));
  planner = kt_planner_new (snapshot, &policy);
  request = kt_planner_request_new_for_vm (vm);
  proposal = kt_planner_plan (planner, request);
  g_assert_false (proposal->feasible);
  fix = kt_advice_fix_from_proposal (proposal, vm, &error);
  g_assert_null (fix);
  g_assert_nonnull (error);
  kt_planner_policy_clear (&policy);
}

/* A fix's memnode with a mode: the pending edits carry it, and the
 * definition made from them has it */
static void
test_fix_memnode_mode (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(KtFix) fix = kt_fix_new ("Interleave cell 0 on node 1");
  g_autoptr(KtCpuset) node1 = kt_cpuset_parse ("1", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) copy = NULL;
  g_autofree char *xml = NULL;
  KtVm *vm = kt_snapshot_lookup_vm (kt_session_get_snapshot (session), "db-primary");
  const KtEdits *edits;

  g_assert_nonnull (vm);
  kt_fix_add_memnode (fix, "db-primary", 0, "interleave", node1);
  g_assert_true (kt_advice_put_fix (session, fix, NULL, &error));
  g_assert_no_error (error);
  edits = kt_session_get_edits (session, "db-primary");
  g_assert_nonnull (edits);
  g_assert_cmpstr (g_hash_table_lookup (edits->memnode_modes, GUINT_TO_POINTER (0)), ==,
                   "interleave");
  {
    g_autoptr(GPtrArray) lines = kt_edits_describe (edits);
    gboolean said = FALSE;

    for (guint i = 0; i < lines->len; i++)
      said |= g_str_equal (g_ptr_array_index (lines, i),
                           "Memory of guest cell 0: nodes 1, interleave");
    g_assert_true (said);
  }
  copy = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_edits_replay (edits, copy, &error));
  g_assert_no_error (error);
  xml = kt_domain_to_xml (copy);
  g_assert_nonnull (strstr (xml, "<memnode cellid=\"0\" mode=\"interleave\" nodeset=\"1\"/>"));
}

/* A fix with a domain step and a host step the host refuses: nothing
 * of it pending, nothing of it to redo; a host step the host has
 * already is not said to be pending */
static void
test_fix_mixed_refused (void)
{
  g_autoptr(KtSession) session = demo_session ();
  g_autoptr(KtFix) fix = kt_fix_new ("Interleave cell 0, and a bad THP value");
  g_autoptr(KtFix) stale = kt_fix_new ("numa_balancing as it is");
  g_autoptr(KtCpuset) node1 = kt_cpuset_parse ("1", NULL);
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(GError) error = NULL;

  kt_fix_add_memnode (fix, "db-primary", 0, "interleave", node1);
  kt_fix_add_host (fix, "thp.enabled", "sometimes");
  g_assert_false (kt_advice_put_fix (session, fix, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "thp.enabled",
                                 "sometimes");
  g_clear_error (&error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_can_undo (session));
  g_assert_false (kt_session_can_redo (session));

  kt_fix_add_host (stale, "numa_balancing", "1");   /* the demo host's */
  g_assert_true (kt_advice_put_fix (session, stale, &host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (host->len, ==, 0);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/advice/group", test_group);
  g_test_add_func ("/advice/fix-pins", test_fix_pins);
  g_test_add_func ("/advice/fix-edits", test_fix_edits);
  g_test_add_func ("/advice/fix-refused", test_fix_refused);
  g_test_add_func ("/advice/fix-host", test_fix_host);
  g_test_add_func ("/advice/fix-memnode-mode", test_fix_memnode_mode);
  g_test_add_func ("/advice/fix-mixed-refused", test_fix_mixed_refused);
  g_test_add_func ("/advice/fix-host-refused", test_fix_host_refused);
  g_test_add_func ("/advice/fix-host-remote", test_fix_host_remote);
  g_test_add_func ("/advice/proposal", test_proposal);
  g_test_add_func ("/advice/proposal-infeasible", test_proposal_infeasible);
  return g_test_run ();
}
