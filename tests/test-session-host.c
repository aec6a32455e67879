/* test-session-host.c: the session's host tuning and pending host changes
 * (kt-session-host.c) on the demo snapshot and on a remote connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kt-error.h"
#include "kt-session.h"
#include "kt-test-util.h"

static KtHostProfile *
load_profile (const char *id)
{
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  KtHostProfile *found;

  profiles = kt_host_profile_load_all (NULL, &error);
  g_assert_no_error (error);
  found = kt_host_profile_find (profiles, id);
  g_assert_nonnull (found);
  return kt_host_profile_copy (found);
}

static const KtHostChange *
find_change (const KtHostPlan *plan,
             const char       *key)
{
  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      if (g_str_equal (c->key, key))
        return c;
    }
  return NULL;
}

static void
assert_value (KtHostTuning *t,
              const char   *key,
              const char   *expected)
{
  g_autofree char *value = kt_host_tuning_get_value (t, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_targets (void)
{
  g_autoptr(KtSnapshot) snapshot = kt_test_load_demo ();
  g_autoptr(KtSession) session = kt_session_new (snapshot, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  guint changed = 0;

  g_signal_connect_swapped (session, "changed", G_CALLBACK (g_atomic_int_inc), &changed);

  /* Not read yet: no value can be checked */
  g_assert_null (kt_session_get_host_tuning (session));
  g_assert_false (kt_session_set_host_target (session, "numa_balancing", "0", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (kt_session_read_host (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kt_session_get_host_tuning (session)->numa_balancing, ==, 1);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_is_dirty (session));

  /* A pending change counts and makes the session dirty */
  changed = 0;
  g_assert_true (kt_session_set_host_target (session, "numa_balancing", "0", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 1);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
  g_assert_true (kt_session_is_dirty (session));
  g_assert_cmpstr (kt_session_get_host_target (session, "numa_balancing"), ==, "0");

  g_assert_true (kt_session_set_host_target (session, "hugepages.1.2048", "1536", &error));
  g_assert_no_error (error);
  targets = kt_session_dup_host_targets (session);
  g_assert_cmpuint (targets->len, ==, 2);
  g_assert_cmpstr (((KtHostTarget *) targets->pdata[1])->key, ==, "hugepages.1.2048");
  g_assert_cmpstr (((KtHostTarget *) targets->pdata[1])->value, ==, "1536");

  /* Bad values and keys: an error naming them, nothing changes */
  changed = 0;
  g_assert_false (kt_session_set_host_target (session, "thp.enabled", "sometimes", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "thp.enabled",
                                 "sometimes");
  g_clear_error (&error);
  g_assert_false (kt_session_set_host_target (session, "ksm/../run", "1", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 2);

  /* What the host has already is no change; NULL drops the target */
  g_assert_true (kt_session_set_host_target (session, "numa_balancing", "1", &error));
  g_assert_null (kt_session_get_host_target (session, "numa_balancing"));
  g_assert_true (kt_session_set_host_target (session, "hugepages.1.2048", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_is_dirty (session));

  g_assert_true (kt_session_set_host_target (session, "ksm.run", "0", &error));
  g_assert_true (kt_session_is_dirty (session));
  kt_session_discard_host_targets (session);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_is_dirty (session));
}

static void
test_plan_apply_save_revert (void)
{
  g_autoptr(KtSnapshot) snapshot = kt_test_load_demo ();
  g_autoptr(KtSession) session = kt_session_new (snapshot, NULL, NULL);
  g_autoptr(KtHostProfile) profile = load_profile ("low-latency");
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(KtHostPlan) revert = NULL;
  g_autoptr(KtSnapshot) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kt-session-host-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "saved.kvmtune", NULL);
  const KtHostChange *c;

  g_assert_no_error (error);
  g_assert_true (kt_session_read_host (session, &error));
  g_assert_false (kt_session_can_revert_host (session));

  /* The profile, and a pending target on top of it */
  g_assert_true (kt_session_set_host_target (session, "ksm.pages_to_scan", "200", &error));
  g_assert_no_error (error);
  plan = kt_session_plan_host (session, profile, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  c = find_change (plan, "ksm.run");
  g_assert_nonnull (c);
  g_assert_cmpstr (c->old_value, ==, "1");
  g_assert_cmpstr (c->new_value, ==, "0");
  g_assert_cmpint (c->mechanism, ==, KT_HOST_MECHANISM_SNAPSHOT);
  g_assert_cmpstr (find_change (plan, "thp.enabled")->new_value, ==, "madvise");
  g_assert_cmpstr (find_change (plan, "numa_balancing")->new_value, ==, "0");
  g_assert_cmpstr (find_change (plan, "ksm.pages_to_scan")->new_value, ==, "200");
  g_assert_nonnull (find_change (plan, "numa_balancing")->explanation);

  /* Planning changes nothing */
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_run, ==, 1);
  g_assert_false (kt_session_get_revision (session) != kt_session_get_saved_revision (session));

  g_assert_true (kt_session_apply_host (session, plan, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_run, ==, 0);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->numa_balancing, ==, 0);
  g_assert_cmpint (kt_session_get_host_tuning (session)->ksm_pages_to_scan, ==, 200);
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  /* The snapshot was edited: to be saved */
  g_assert_true (kt_session_is_dirty (session));
  g_assert_true (kt_session_can_revert_host (session));

  g_assert_true (kt_session_save (session, path, &error));
  g_assert_no_error (error);
  g_assert_false (kt_session_is_dirty (session));
  saved = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  assert_value (kt_snapshot_get_host_tuning (saved), "ksm.run", "0");
  assert_value (kt_snapshot_get_host_tuning (saved), "thp.enabled", "madvise");
  assert_value (kt_snapshot_get_host_tuning (saved), "numa_balancing", "0");

  /* Revert: what it would change, then the snapshot's values as loaded */
  revert = kt_session_plan_host_revert (session, &error);
  g_assert_no_error (error);
  c = find_change (revert, "ksm.run");
  g_assert_nonnull (c);
  g_assert_cmpstr (c->old_value, ==, "0");
  g_assert_cmpstr (c->new_value, ==, "1");
  g_assert_true (kt_session_revert_host (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_run, ==, 1);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_pages_to_scan, ==, 100);
  assert_value (kt_snapshot_get_host_tuning (snapshot), "thp.enabled", "always");
  g_assert_cmpint (kt_session_get_host_tuning (session)->numa_balancing, ==, 1);
  g_assert_false (kt_session_can_revert_host (session));
  g_assert_true (kt_session_is_dirty (session));
  g_assert_false (kt_session_revert_host (session, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);

  g_unlink (path);
  g_rmdir (dir);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async (void)
{
  g_autoptr(KtSnapshot) snapshot = kt_test_load_demo ();
  g_autoptr(KtSession) session = kt_session_new (snapshot, NULL, NULL);
  g_autoptr(KtHostProfile) profile = load_profile ("virtual-host");
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GAsyncResult) applied = NULL;
  g_autoptr(GAsyncResult) reverted = NULL;
  g_autoptr(GError) error = NULL;

  kt_session_read_host_async (session, NULL, on_done, &read);
  g_assert_true (kt_session_read_host_finish (session, wait_for (&read), &error));
  g_assert_no_error (error);
  plan = kt_session_plan_host (session, profile, TRUE, &error);
  g_assert_no_error (error);
  /* Offline, "Keep after reboot" writes nothing */
  g_assert_false (plan->persistent);
  g_assert_cmpstr (find_change (plan, "ksm.merge_across_nodes")->new_value, ==, "0");
  g_assert_cmpstr (find_change (plan, "tuned.profile")->new_value, ==, "virtual-host");
  kt_session_apply_host_async (session, plan, NULL, on_done, &applied);
  g_assert_true (kt_session_apply_host_finish (session, wait_for (&applied), &error));
  g_assert_no_error (error);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_merge_across_nodes, ==, 0);
  g_assert_cmpstr (kt_snapshot_get_host_tuning (snapshot)->tuned_active, ==, "virtual-host");
  g_assert_true (kt_session_can_revert_host (session));
  kt_session_revert_host_async (session, NULL, on_done, &reverted);
  g_assert_true (kt_session_revert_host_finish (session, wait_for (&reverted), &error));
  g_assert_no_error (error);
  g_assert_cmpint (kt_snapshot_get_host_tuning (snapshot)->ksm_merge_across_nodes, ==, 1);
  g_assert_cmpstr (kt_snapshot_get_host_tuning (snapshot)->tuned_active, ==, "balanced");
  g_assert_false (kt_session_can_revert_host (session));
}

/* A remote host: what libvirt cannot change is refused with the reason */
static void
test_remote (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autofree char *reason = NULL;

  conn = kt_connection_open_capture ("test:///default", KT_CONNECTION_OPEN_DEFAULT, NULL,
                                     &snapshot, &error);
  g_assert_no_error (error);
  session = kt_session_new (snapshot, conn, NULL);
  kt_session_read_host_async (session, NULL, on_done, &read);
  g_assert_true (kt_session_read_host_finish (session, wait_for (&read), &error));
  g_assert_no_error (error);
  /* Unknown on a remote host, never guessed */
  g_assert_null (kt_session_get_host_tuning (session)->thp_enabled);
  g_assert_false (kt_host_control_can_change (kt_session_get_host_control (session),
                                              kt_session_get_host_tuning (session),
                                              "thp.enabled", &reason));
  g_assert_nonnull (reason);
  g_assert_false (kt_session_set_host_target (session, "thp.enabled", "never", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "thp.enabled",
                                 "only on the machine it runs on");
  g_clear_error (&error);
  g_assert_false (kt_session_set_host_target (session, "tuned.profile", "virtual-host", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "tuned has no remote API");
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_can_revert_host (session));
}

/* Pending host changes are steps of the session's history: undone and
 * redone with the pins, several at once as one step, gone from the
 * history once applied or discarded; they never make a new revision */
static void
test_undo (void)
{
  g_autoptr(KtSnapshot) snapshot = kt_test_load_demo ();
  g_autoptr(KtSession) session = kt_session_new (snapshot, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  g_autoptr(KtCpuset) target = kt_test_parse_set ("20");
  KtHostTarget ksm = { "ksm.run", "0" }, thp = { "thp.enabled", "never" };
  KtHostTarget bad = { "thp.defrag", "sometimes" };
  KtVm *web1 = kt_snapshot_lookup_vm (snapshot, "web1");
  guint vcpu = 0;
  guint64 rev;

  g_assert_true (kt_session_read_host (session, &error));
  g_assert_no_error (error);

  /* A pin, then a pool: undo takes the pool back first */
  g_assert_true (kt_session_pin (session, web1, &vcpu, 1, target, &error));
  g_assert_no_error (error);
  rev = kt_session_get_revision (session);
  g_assert_true (kt_session_set_host_target (session, "hugepages.1.2048", "1536", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  g_assert_true (kt_session_can_undo (session));
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Change of hugepages.1.2048");
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_host_target (session, "hugepages.1.2048"));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);   /* the pin */
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  g_assert_true (kt_session_redo (session));
  g_assert_cmpstr (kt_session_get_host_target (session, "hugepages.1.2048"), ==, "1536");
  g_assert_true (kt_session_undo (session));
  g_assert_true (kt_session_undo (session));   /* the pin */
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_is_dirty (session));
  g_assert_true (kt_session_redo (session));
  g_assert_true (kt_session_redo (session));
  g_assert_cmpstr (kt_session_get_host_target (session, "hugepages.1.2048"), ==, "1536");

  /* Several at once: all or none, one step */
  g_ptr_array_add (batch, &ksm);
  g_ptr_array_add (batch, &thp);
  g_ptr_array_add (batch, &bad);
  g_assert_false (kt_session_set_host_targets (session, batch, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "thp.defrag",
                                 "sometimes");
  g_clear_error (&error);
  g_assert_null (kt_session_get_host_target (session, "ksm.run"));
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Change of hugepages.1.2048");
  g_ptr_array_set_size (batch, 2);
  g_assert_true (kt_session_set_host_targets (session, batch, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kt_session_get_host_target (session, "ksm.run"), ==, "0");
  g_assert_cmpstr (kt_session_get_host_target (session, "thp.enabled"), ==, "never");
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Host change");
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_host_target (session, "ksm.run"));
  g_assert_null (kt_session_get_host_target (session, "thp.enabled"));
  g_assert_cmpstr (kt_session_get_host_target (session, "hugepages.1.2048"), ==, "1536");
  g_assert_true (kt_session_redo (session));
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 3);

  /* Discarded: no host step left, the pin's still there, and a saved
   * revision still holds */
  kt_session_mark_saved (session);
  rev = kt_session_get_revision (session);
  kt_session_discard_host_targets (session);
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Pin of web1");
  g_assert_false (kt_session_can_redo (session));
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev);
  g_assert_false (kt_session_is_dirty (session));

  /* An undo brings back no target the host has by now */
  g_assert_true (kt_session_set_host_target (session, "thp.enabled", "madvise", &error));
  g_assert_true (kt_session_set_host_target (session, "thp.enabled", "never", &error));
  g_assert_no_error (error);
  {
    g_autoptr(KtHostTuning) changed = kt_host_tuning_copy (kt_snapshot_get_host_tuning (snapshot));

    g_free (changed->thp_enabled);
    changed->thp_enabled = g_strdup ("madvise");
    kt_snapshot_set_host_tuning (snapshot, g_steal_pointer (&changed));
  }
  g_assert_true (kt_session_read_host (session, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kt_session_get_host_target (session, "thp.enabled"), ==, "never");
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_host_target (session, "thp.enabled"));
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  kt_session_discard_host_targets (session);

  /* Applied (into the snapshot): the same */
  g_assert_true (kt_session_set_host_target (session, "numa_balancing", "0", &error));
  g_assert_no_error (error);
  {
    g_autoptr(KtHostPlan) plan = kt_session_plan_host (session, NULL, FALSE, &error);

    g_assert_no_error (error);
    g_assert_true (kt_session_apply_host (session, plan, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (kt_session_get_n_pending_host (session), ==, 0);
  g_assert_cmpint (kt_session_get_host_tuning (session)->numa_balancing, ==, 0);
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Pin of web1");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config = g_dir_make_tmp ("kt-session-host-config-XXXXXX", NULL);

  /* No profile of the user's own gets in the way */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-host/targets", test_targets);
  g_test_add_func ("/session-host/plan-apply-save-revert", test_plan_apply_save_revert);
  g_test_add_func ("/session-host/async", test_async);
  g_test_add_func ("/session-host/remote", test_remote);
  g_test_add_func ("/session-host/undo", test_undo);
  return g_test_run ();
}
