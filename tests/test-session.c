/* test-session.c: KtSession: dirty state and one undo history across pins
 * and edits, prepare/apply/undo-apply into a snapshot and through real
 * libvirt (qemu:///embed), reload, and opening with the read-only fallback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* unshare () */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <grp.h>

#include <glib/gstdio.h>

#include "kt-error.h"
#include "kt-session.h"
#include "kt-source.h"
#include "kt-test-embed.h"
#include "kt-test-util.h"

#define GUEST_S "kt-session-S"

static gboolean setup_guest (KtTestEmbed *embed);

static KtTestEmbedEnv env = KT_TEST_EMBED_INIT ("test-session", "kt-session-", "kt-session-XXXXXX",
                                                FALSE, setup_guest);

#define require kt_test_embed_require

/* Helpers ---------------------------------------------------------------- */

static KtSnapshot *
load_demo (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_load_file (path, &error);

  g_assert_no_error (error);
  return s;
}

static char *
pin_of (KtDomain *d,
        guint     vcpu)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

  return pin ? kt_cpuset_format (pin) : NULL;
}

static char *
emulatorpin_of (KtDomain *d)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);

  return t->emulatorpin ? kt_cpuset_format (t->emulatorpin) : NULL;
}

static gboolean
pin (KtSession  *session,
     const char *name,
     guint       vcpu,
     const char *cpus)
{
  g_autoptr(KtCpuset) target = kt_test_parse_set (cpus);
  g_autoptr(GError) error = NULL;
  KtVm *vm = kt_snapshot_lookup_vm (kt_session_get_snapshot (session), name);
  gboolean ok = kt_session_pin (session, vm, &vcpu, 1, target, &error);

  g_assert_no_error (error);
  return ok;
}

/* The VM's edits with the emulator pinned to @cpus */
static gboolean
edit_emulator (KtSession  *session,
               const char *name,
               const char *cpus)
{
  g_autoptr(KtEdits) e = kt_edits_copy (kt_session_get_edits (session, name));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  e->has_emulatorpin = TRUE;
  kt_cpuset_free (e->emulatorpin);
  e->emulatorpin = kt_test_parse_set (cpus);
  ok = kt_session_set_edits (session, name, e, &error);
  g_assert_no_error (error);
  return ok;
}

static void
count_signal (gpointer  instance,
              guint    *count)
{
  (*count)++;
}

static void
count_vm_changed (guint      *count,
                  const char *name,
                  gboolean    snapshot_edited)
{
  (*count)++;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
run_apply (KtSession    *session,
           const char   *name,
           KtApplyFlags  flags,
           GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_session_apply_async (session, name, flags, NULL, store_result, &result);
  return kt_session_apply_finish (session, wait_for (&result), error);
}

static gboolean
run_undo_apply (KtSession  *session,
                const char *name,
                GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_session_undo_apply_async (session, name, NULL, store_result, &result);
  return kt_session_undo_apply_finish (session, wait_for (&result), error);
}

static gboolean
run_reload (KtSession  *session,
            const char *name,
            GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_session_reload_async (session, name, NULL, store_result, &result);
  return kt_session_reload_finish (session, wait_for (&result), error);
}

/* Dirty state ------------------------------------------------------------ */

static void
test_dirty (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, "demo.kvmtune");
  g_autoptr(KtEdits) bad = kt_edits_new ();
  g_autoptr(GError) error = NULL;
  guint changed = 0, dirty_notes = 0;
  guint64 rev_pin, rev_edit;

  g_signal_connect (session, "changed", G_CALLBACK (count_signal), &changed);
  g_signal_connect (session, "notify::dirty", G_CALLBACK (count_notify), &dirty_notes);

  g_assert_false (kt_session_is_dirty (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_cmpuint (kt_session_get_revision (session), ==, kt_session_get_saved_revision (session));

  /* A pin makes it dirty... */
  g_assert_true (pin (session, "web1", 0, "17"));
  rev_pin = kt_session_get_revision (session);
  g_assert_true (kt_session_is_dirty (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (dirty_notes, ==, 1);

  /* ... and so does an edit that is no pin (memory, emulator...) */
  g_assert_true (edit_emulator (session, "web1", "20"));
  rev_edit = kt_session_get_revision (session);
  g_assert_cmpuint (rev_edit, !=, rev_pin);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web1"), ==, 2);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web2"), ==, 0);
  g_assert_cmpuint (changed, ==, 2);

  /* The same edits again are no change */
  g_assert_true (edit_emulator (session, "web1", "20"));
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev_edit);
  g_assert_cmpuint (changed, ==, 2);

  /* Edits that do not fit the VM are refused, and nothing moves */
  g_hash_table_insert (bad->iothreadpins, GUINT_TO_POINTER (99), kt_test_parse_set ("3"));
  g_assert_false (kt_session_set_edits (session, "web1", bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev_edit);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);

  /* Saved: clean; undoing the edit makes it dirty again, redoing clean */
  kt_session_mark_saved (session);
  g_assert_false (kt_session_is_dirty (session));
  g_assert_cmpuint (kt_session_get_saved_revision (session), ==, rev_edit);
  g_assert_true (kt_session_undo (session));
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev_pin);
  g_assert_true (kt_session_is_dirty (session));
  g_assert_true (kt_session_redo (session));
  g_assert_false (kt_session_is_dirty (session));

  /* Back to nothing pending: dirty, as that was never saved */
  g_assert_true (kt_session_undo (session));
  g_assert_true (kt_session_undo (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_true (kt_session_is_dirty (session));

  /* A new step after undo drops the redo history, and is a new revision */
  g_assert_true (edit_emulator (session, "web2", "21"));
  g_assert_false (kt_session_can_redo (session));
  g_assert_cmpuint (kt_session_get_revision (session), !=, rev_edit);
  g_assert_cmpuint (kt_session_get_revision (session), !=, rev_pin);
  g_assert_true (kt_session_is_dirty (session));

  /* Discarding the edits is a step too */
  g_assert_true (kt_session_discard_edits (session, "web2"));
  g_assert_null (kt_session_get_edits (session, "web2"));
  g_assert_true (kt_session_undo (session));
  g_assert_nonnull (kt_session_get_edits (session, "web2"));
}

/* One history across pins and edits ---------------------------------------- */

static void
test_undo_mixed (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  KtVm *web2 = kt_snapshot_lookup_vm (s, "web2");
  g_autofree char *pin0 = pin_of (kt_vm_get_live (web1), 0);
  g_autofree char *pin1 = pin_of (kt_vm_get_live (web1), 1);
  g_autofree char *web2_pin0 = pin_of (kt_vm_get_live (web2), 0);
  char *now;

  g_assert_true (pin (session, "web1", 0, "17"));          /* A */
  g_assert_true (edit_emulator (session, "web1", "20"));   /* E1 */
  g_assert_true (pin (session, "web1", 1, "18"));          /* B */
  g_assert_true (edit_emulator (session, "web2", "21"));   /* E2 */
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 4);
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Tuning of web2");

  /* E2 goes first, B's pin stays */
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_edits (session, "web2"));
  now = pin_of (kt_vm_get_live (web1), 1);
  g_assert_cmpstr (now, ==, "18");
  g_free (now);
  g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Pin of web1");
  g_assert_cmpstr (kt_session_get_redo_label (session), ==, "Tuning of web2");

  /* Then B, and E1 stays */
  g_assert_true (kt_session_undo (session));
  now = pin_of (kt_vm_get_live (web1), 1);
  g_assert_cmpstr (now, ==, pin1);
  g_free (now);
  g_assert_nonnull (kt_session_get_edits (session, "web1"));

  /* Then E1, and A stays */
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_edits (session, "web1"));
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);

  /* Then A */
  g_assert_true (kt_session_undo (session));
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, pin0);
  g_free (now);
  g_assert_false (kt_session_can_undo (session));
  g_assert_false (kt_session_undo (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);

  /* Redo it all, in order */
  g_assert_true (kt_session_redo (session));
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_true (kt_session_redo (session));
  g_assert_nonnull (kt_session_get_edits (session, "web1"));
  g_assert_true (kt_session_redo (session));
  now = pin_of (kt_vm_get_live (web1), 1);
  g_assert_cmpstr (now, ==, "18");
  g_free (now);
  g_assert_true (kt_session_redo (session));
  g_assert_nonnull (kt_session_get_edits (session, "web2"));
  g_assert_false (kt_session_can_redo (session));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 4);

  /* The plan forgets web1 by itself (live refresh saw a conflict): its pin
   * steps leave the history, the next undo is web2's pin */
  g_assert_true (pin (session, "web2", 0, "19"));
  kt_plan_forget_vm (kt_session_get_plan (session), "web1");
  g_assert_true (kt_session_undo (session));      /* web2's pin */
  now = pin_of (kt_vm_get_live (web2), 0);
  g_assert_cmpstr (now, ==, web2_pin0);
  g_free (now);
  g_assert_true (kt_session_undo (session));      /* E2 */
  g_assert_true (kt_session_undo (session));      /* E1: A and B are gone */
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_false (kt_session_can_undo (session));
  /* web1 keeps the pins it has, no longer pending */
  now = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);

  /* A pin made straight into the plan (the map's drop) is a step too */
  {
    guint vcpu = 2;
    g_autoptr(KtCpuset) target = kt_test_parse_set ("22");
    g_autofree char *pin2 = pin_of (kt_vm_get_live (web1), 2);

    g_assert_true (edit_emulator (session, "web1", "20"));
    g_assert_true (kt_plan_pin (kt_session_get_plan (session), web1, &vcpu, 1, target, NULL));
    g_assert_cmpstr (kt_session_get_undo_label (session), ==, "Pin of web1");
    g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);
    g_assert_true (kt_session_undo (session));
    now = pin_of (kt_vm_get_live (web1), 2);
    g_assert_cmpstr (now, ==, pin2);
    g_free (now);
    g_assert_nonnull (kt_session_get_edits (session, "web1"));
    g_assert_true (kt_session_redo (session));

    /* Forgetting the VM drops its pins, edits and steps */
    kt_session_forget_vm (session, "web1");
    g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
    g_assert_null (kt_session_get_edits (session, "web1"));
    g_assert_false (kt_session_can_undo (session));
    g_assert_false (kt_session_can_redo (session));
  }
}

static void
test_describe (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *title = NULL;

  g_assert_null (kt_session_dup_pending_title (session, "web1"));
  g_assert_null (kt_session_get_title (session));
  kt_session_set_path (session, "/tmp/some/host.kvmtune");
  g_assert_cmpstr (kt_session_get_title (session), ==, "host.kvmtune");
  kt_session_set_title (session, "Demo host");
  g_assert_cmpstr (kt_session_get_title (session), ==, "Demo host");
  g_assert_true (pin (session, "web1", 0, "17"));
  g_assert_true (edit_emulator (session, "web1", "20"));
  title = kt_session_dup_pending_title (session, "web1");
  g_assert_cmpstr (title, ==, "web1: 2 pending changes");
  lines = kt_session_describe_pending (session, "web1");
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), "vCPU 0: 17, was "));
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "Emulator pin: 20");
}

/* Prepare and apply into a snapshot ---------------------------------------- */

static void
test_prepare_apply (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  gboolean vcpu = FALSE, emulator = FALSE;

  g_assert_true (pin (session, "web1", 0, "17"));
  g_assert_true (edit_emulator (session, "web1", "20"));
  apply = kt_session_prepare_apply (session, "web1", 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (apply);
  calls = kt_apply_get_calls (apply);
  for (guint i = 0; i < calls->len; i++)
    {
      const char *call = g_ptr_array_index (calls, i);

      vcpu |= strstr (call, "virDomainPinVcpuFlags: web1 vCPU 0 → 17") != NULL;
      emulator |= strstr (call, "virDomainPinEmulator: web1 emulator → 20") != NULL;
    }
  g_assert_true (vcpu);
  g_assert_true (emulator);
  /* Running and persistent: the config too */
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "<emulatorpin cpuset=\"20\""));
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "vcpu=\"0\" cpuset=\"17\""));

  /* Nothing pending on another VM: an empty apply */
  {
    g_autoptr(KtApply) none = kt_session_prepare_apply (session, "web2", 0, &error);

    g_assert_no_error (error);
    g_assert_true (kt_apply_is_empty (none));
  }
  g_assert_null (kt_session_prepare_apply (session, "no-such-vm", 0, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Applying nothing is refused; the blocking apply (the CLI's) goes into
   * the snapshot like the asynchronous one */
  g_assert_false (kt_session_apply (session, "web2", 0, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_true (kt_session_apply (session, "web1", KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  {
    KtVm *web1 = kt_snapshot_lookup_vm (kt_session_get_snapshot (session), "web1");
    g_autofree char *emu = emulatorpin_of (kt_vm_get_inactive (web1));

    g_assert_cmpstr (emu, ==, "20");
  }
  g_assert_true (kt_session_can_undo_apply (session, "web1"));
}

static void
test_apply_snapshot (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kt-session-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "saved.kvmtune", NULL);
  g_autofree char *emu_before = NULL;
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  guint vm_changed = 0;
  char *now;

  g_signal_connect_swapped (session, "vm-changed", G_CALLBACK (count_vm_changed), &vm_changed);
  emu_before = emulatorpin_of (kt_vm_get_inactive (web1));
  g_assert_true (pin (session, "web1", 0, "17"));
  g_assert_true (edit_emulator (session, "web1", "20"));

  /* Saving writes the edits into the file, and keeps them pending */
  g_assert_true (kt_session_save (session, path, &error));
  g_assert_no_error (error);
  g_assert_false (kt_session_is_dirty (session));
  g_assert_cmpstr (kt_session_get_path (session), ==, path);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);
  {
    g_autoptr(KtSnapshot) back = kt_snapshot_load_file (path, &error);
    KtVm *vm;

    g_assert_no_error (error);
    vm = kt_snapshot_lookup_vm (back, "web1");
    now = emulatorpin_of (kt_vm_get_inactive (vm));
    g_assert_cmpstr (now, ==, "20");
    g_free (now);
    now = pin_of (kt_vm_get_live (vm), 0);
    g_assert_cmpstr (now, ==, "17");
    g_free (now);
  }
  /* ... but not into the session's snapshot */
  now = emulatorpin_of (kt_vm_get_inactive (web1));
  g_assert_cmpstr (now, ==, emu_before);
  g_free (now);

  /* Applied into the snapshot: nothing pending, nothing to undo, and the
   * snapshot itself is to be saved */
  g_assert_true (run_apply (session, "web1", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vm_changed, ==, 1);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_can_undo (session));
  g_assert_true (kt_session_is_dirty (session));
  now = emulatorpin_of (kt_vm_get_inactive (web1));
  g_assert_cmpstr (now, ==, "20");
  g_free (now);
  now = emulatorpin_of (kt_vm_get_live (web1));
  g_assert_cmpstr (now, ==, "20");
  g_free (now);
  g_assert_true (kt_session_can_undo_apply (session, "web1"));

  /* And undone */
  g_assert_true (run_undo_apply (session, "web1", &error));
  g_assert_no_error (error);
  now = emulatorpin_of (kt_vm_get_inactive (web1));
  g_assert_cmpstr (now, ==, emu_before);
  g_free (now);
  g_assert_false (kt_session_can_undo_apply (session, "web1"));
  g_assert_true (kt_session_is_dirty (session));

  /* No connection: nothing to reload from */
  g_assert_false (run_reload (session, "web1", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED);

  g_unlink (path);
  g_rmdir (dir);
}

/* Opening ---------------------------------------------------------------- */

static void
test_open_fallback_fails (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;

  /* Both tries fail: the first (read-write) error is the one told */
  kt_connection_open_async ("kt-no-such-driver:///", KT_CONNECTION_OPEN_FALLBACK_READ_ONLY,
                            NULL, store_result, &result);
  conn = kt_connection_open_finish (wait_for (&result), &snapshot, &error);
  g_assert_null (conn);
  g_assert_null (snapshot);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "kt-no-such-driver:///"));
}

static void
test_open_test_driver (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) closed = NULL;

  /* The test driver opens read-write: no fallback needed */
  kt_connection_open_async ("test:///default", KT_CONNECTION_OPEN_FALLBACK_READ_ONLY, NULL,
                            store_result, &result);
  conn = kt_connection_open_finish (wait_for (&result), &snapshot, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_nonnull (snapshot);
  g_assert_false (kt_connection_is_read_only (conn));
  g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, "test"));

  /* Closed in a thread: the object stays, without its handle */
  kt_connection_close_async (conn, store_result, &closed);
  g_assert_true (kt_connection_close_finish (conn, wait_for (&closed), &error));
  g_assert_no_error (error);
  g_assert_true (kt_connection_is_closed (conn));
  g_assert_null (kt_connection_get_handle (conn));
  g_clear_object (&conn);
  g_clear_object (&snapshot);
  g_clear_object (&result);

  /* Asked read-only, it is */
  kt_connection_open_async ("test:///default", KT_CONNECTION_OPEN_READ_ONLY, NULL,
                            store_result, &result);
  conn = kt_connection_open_finish (wait_for (&result), &snapshot, &error);
  g_assert_no_error (error);
  g_assert_true (conn != NULL && kt_connection_is_read_only (conn));
  {
    g_autoptr(KtSession) session = kt_session_new (snapshot, conn, NULL);

    g_assert_true (kt_session_is_read_only (session));
    g_assert_cmpstr (kt_session_get_title (session), ==, "test:///default (read-only)");
  }
}

/* A user who may only read (libvirt's read-only socket is open to all,
 * the read-write one to root): a private system libvirtd whose sockets
 * are bind-mounted on /run/libvirt for a child running as nobody */

static char *self_path;
static char *fallback_run_dir;

static void
fallback_child_setup (gpointer data)
{
  /* Between fork and exec: system calls only */
  if (unshare (CLONE_NEWNS) != 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
      || mount (fallback_run_dir, "/run/libvirt", NULL, MS_BIND, NULL) != 0
      || setgroups (0, NULL) != 0 || setgid (65534) != 0 || setuid (65534) != 0)
    _exit (99);
}

/* In the child: open @uri, say what came of it */
static int
fallback_child_main (const char *uri,
                     const char *fallback)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  KtConnectionOpenFlags flags = g_str_equal (fallback, "yes") ? KT_CONNECTION_OPEN_FALLBACK_READ_ONLY
                                                              : KT_CONNECTION_OPEN_DEFAULT;

  kt_connection_open_async (uri, flags, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  conn = kt_connection_open_finish (result, &snapshot, &error);
  if (conn == NULL)
    {
      g_print ("error: %s\n", error->message);
      return 1;
    }
  g_print ("read-only=%d captured=%d\n", kt_connection_is_read_only (conn), snapshot != NULL);
  return 0;
}

static char *
run_fallback_child_uri (const char *home,
                        const char *uri,
                        const char *fallback,
                        int        *status)
{
  g_autofree char *home_env = g_strconcat ("HOME=", home, NULL);
  g_autofree char *xdg_env = g_strconcat ("XDG_RUNTIME_DIR=", home, NULL);
  const char *argv[] = { self_path, "--open-child", uri, fallback, NULL };
  const char *envp[] = { home_env, xdg_env, "LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_STDERR_TO_DEV_NULL,
                     fallback_child_setup, NULL, &out, NULL, status, &error))
    {
      g_test_fail_printf ("Cannot run %s as nobody: %s", self_path, error->message);
      return g_strdup ("");
    }
  return out;
}

static char *
run_fallback_child (const char *home,
                    const char *fallback,
                    int        *status)
{
  return run_fallback_child_uri (home, "qemu:///system", fallback, status);
}

static void
test_open_fallback_read_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *home = NULL;
  g_autofree char *ro_sock = NULL;
  g_autofree char *out = NULL;
  GPid daemon = 0;
  int status = 0;
  gint64 deadline;

  if (getuid () != 0 || !g_file_test ("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE)
      || self_path == NULL)
    {
      g_test_skip ("needs root, /usr/sbin/libvirtd and /proc/self/exe");
      return;
    }
  dir = g_dir_make_tmp ("kt-session-ro-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (dir, 0755);
  fallback_run_dir = g_build_filename (dir, "run", NULL);
  home = g_build_filename (dir, "home", NULL);
  conf = g_build_filename (dir, "libvirtd.conf", NULL);
  ro_sock = g_build_filename (fallback_run_dir, "libvirt-sock-ro", NULL);
  g_mkdir (fallback_run_dir, 0755);
  g_mkdir (home, 0700);
  g_assert_cmpint (chown (home, 65534, 65534), ==, 0);
  conf_text = g_strdup_printf ("unix_sock_dir = \"%s\"\nunix_sock_ro_perms = \"0777\"\n"
                               "unix_sock_rw_perms = \"0700\"\nauth_unix_ro = \"none\"\n"
                               "auth_unix_rw = \"none\"\n", fallback_run_dir);
  g_assert_true (g_file_set_contents (conf, conf_text, -1, &error));
  {
    g_autofree char *pid_file = g_build_filename (dir, "libvirtd.pid", NULL);
    const char *argv[] = { "/usr/sbin/libvirtd", "-f", conf, "-p", pid_file, NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                  | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &daemon, &error));
    g_assert_no_error (error);
  }
  /* A first start probes QEMU, which can take minutes on a busy machine */
  deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  while (!g_file_test (ro_sock, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (100000);
  if (!g_file_test (ro_sock, G_FILE_TEST_EXISTS))
    g_test_fail_printf ("libvirtd made no %s in 240 s", ro_sock);
  else
    {
      /* Without the fallback, the read-write open is refused... */
      out = run_fallback_child (home, "no", &status);
      g_test_message ("no fallback: %s", out);
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_str_has_prefix (out, "error: "));
      g_assert_nonnull (strstr (out, "Permission denied"));
      g_clear_pointer (&out, g_free);
      /* ... with it, the user gets the host read-only */
      out = run_fallback_child (home, "yes", &status);
      g_test_message ("fallback: %s", out);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpstr (out, ==, "read-only=1 captured=1\n");
      g_clear_pointer (&out, g_free);
      /* A read-write open over the read-only socket is taken, and then
       * libvirt holds it read-only: so does the connection */
      out = run_fallback_child_uri (home, "qemu:///system?socket=/run/libvirt/libvirt-sock-ro",
                                    "no", &status);
      g_test_message ("read-write over the read-only socket: %s", out);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpstr (out, ==, "read-only=1 captured=1\n");
    }

  kill (daemon, SIGTERM);
  waitpid (daemon, NULL, 0);
  g_spawn_close_pid (daemon);
  {
    const char *subs[] = { fallback_run_dir, home, NULL };

    for (guint i = 0; subs[i] != NULL; i++)
      {
        g_autoptr(GDir) d = g_dir_open (subs[i], 0, NULL);
        const char *name;

        while (d != NULL && (name = g_dir_read_name (d)) != NULL)
          {
            g_autofree char *path = g_build_filename (subs[i], name, NULL);

            g_unlink (path);
          }
      }
    g_rmdir (fallback_run_dir);
    g_rmdir (home);
    g_unlink (conf);
    {
      g_autofree char *pid_file = g_build_filename (dir, "libvirtd.pid", NULL);

      g_unlink (pid_file);
    }
    if (g_rmdir (dir) != 0)
      g_printerr ("# test-session: %s is left behind\n", dir);
  }
  g_clear_pointer (&fallback_run_dir, g_free);
}

/* Through real libvirt ---------------------------------------------------- */

static gboolean
setup_guest (KtTestEmbed *embed)
{
  g_autofree char *xml = kt_test_embed_domain_xml (GUEST_S, 2, 0);
  virDomainPtr dom = virDomainDefineXML (kt_connection_get_handle (embed->conn), xml);
  gboolean ok;

  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot define %s: %s", GUEST_S, err);
      return FALSE;
    }
  ok = kt_test_embed_start (embed, dom);
  virDomainFree (dom);
  return ok;
}

static char *
vcpu_allowed (guint vcpu)
{
  g_autofree char *comm = g_strdup_printf ("CPU %u/TCG", vcpu);
  pid_t pid = kt_test_embed_qemu_pid (env.root, GUEST_S);

  return pid > 0 ? kt_test_embed_thread_allowed (pid, comm) : NULL;
}

static void
test_open_embed (KtTestEmbed   *embed,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;

  if (!embed->ready)
    return;
  conn = kt_connection_open_capture (embed->uri, KT_CONNECTION_OPEN_FALLBACK_READ_ONLY, NULL,
                                     &snapshot, &error);
  g_assert_no_error (error);
  require (conn != NULL, "cannot open %s", embed->uri);
  g_assert_false (kt_connection_is_read_only (conn));
  g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, GUEST_S));
}

static void
test_apply_libvirt (KtTestEmbed   *embed,
                   gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed0_before = NULL;
  char *now;
  KtVm *vm;

  if (!embed->ready)
    return;
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_S) : NULL;
  require (vm != NULL && kt_vm_is_active (vm), "no running %s", GUEST_S);
  session = kt_session_new (snapshot, embed->conn, NULL);
  allowed0_before = vcpu_allowed (0);
  allowed1_before = vcpu_allowed (1);
  require (allowed1_before != NULL, "no QEMU thread for vCPU 1");

  /* A pin and an edit, applied live and to the config */
  g_assert_true (pin (session, GUEST_S, 1, "0"));
  g_assert_true (edit_emulator (session, GUEST_S, "1"));
  g_assert_true (kt_session_is_dirty (session));
  g_assert_true (run_apply (session, GUEST_S, KT_APPLY_LIVE | KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);

  now = vcpu_allowed (1);
  g_assert_cmpstr (now, ==, "\t0");
  g_free (now);
  now = vcpu_allowed (0);
  g_assert_cmpstr (now, ==, allowed0_before);
  g_free (now);
  /* The session's VM is what libvirt has now, with nothing pending: a
   * connection's session is clean again */
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_S);
  now = emulatorpin_of (kt_vm_get_live (vm));
  g_assert_cmpstr (now, ==, "1");
  g_free (now);
  now = emulatorpin_of (kt_vm_get_inactive (vm));
  g_assert_cmpstr (now, ==, "1");
  g_free (now);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  g_assert_false (kt_session_is_dirty (session));
  g_assert_false (kt_session_can_undo (session));
  g_assert_true (kt_session_can_undo_apply (session, GUEST_S));

  /* Undo-apply puts the pins back, in QEMU and in the config */
  g_assert_true (run_undo_apply (session, GUEST_S, &error));
  g_assert_no_error (error);
  now = vcpu_allowed (1);
  g_assert_cmpstr (now, ==, allowed1_before);
  g_free (now);
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_S);
  now = emulatorpin_of (kt_vm_get_inactive (vm));
  g_assert_null (now);
  now = pin_of (kt_vm_get_inactive (vm), 1);
  g_assert_null (now);
  g_assert_false (kt_session_can_undo_apply (session, GUEST_S));
}

static void
test_reload_libvirt (KtTestEmbed   *embed,
                    gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;
  unsigned char map = 0x2;   /* CPU 1 */
  virDomainPtr dom;
  char *now;
  KtVm *vm;

  if (!embed->ready)
    return;
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_S) : NULL;
  require (vm != NULL && kt_vm_is_active (vm), "no running %s", GUEST_S);
  session = kt_session_new (snapshot, embed->conn, NULL);

  g_assert_true (pin (session, GUEST_S, 1, "0"));
  g_assert_true (edit_emulator (session, GUEST_S, "1"));

  /* Someone else pins vCPU 0 live, the way virsh would */
  dom = kt_test_embed_lookup (embed, GUEST_S);
  require (dom != NULL, "no %s", GUEST_S);
  g_assert_cmpint (virDomainPinVcpuFlags (dom, 0, &map, 1, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
  virDomainFree (dom);

  g_assert_true (run_reload (session, GUEST_S, &error));
  g_assert_no_error (error);
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_S);
  /* What libvirt has now, with the pending pin and edits on top */
  now = pin_of (kt_vm_get_live (vm), 0);
  g_assert_cmpstr (now, ==, "1");
  g_free (now);
  now = pin_of (kt_vm_get_live (vm), 1);
  g_assert_cmpstr (now, ==, "0");
  g_free (now);
  g_assert_true (kt_plan_is_pending (kt_session_get_plan (session), vm, 1));
  g_assert_nonnull (kt_session_get_edits (session, GUEST_S));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);
  g_assert_true (kt_session_can_undo (session));

  /* Undo still works on the pin put back */
  g_assert_true (kt_session_undo (session));
  g_assert_false (kt_plan_is_pending (kt_session_get_plan (session), vm, 1));
}

#define GUEST_T "kt-session-T"

/* kt_session_apply_all () through libvirt: the second VM's apply fails
 * (it is gone by then), so the first, applied already, is put back */
static void
test_apply_all_libvirt (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = kt_test_embed_domain_xml (GUEST_T, 2, 0);
  g_autofree char *allowed1_before = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  const char *names[] = { GUEST_S, GUEST_T, NULL };
  KtApplyFlags flags[] = { KT_APPLY_LIVE | KT_APPLY_CONFIG, KT_APPLY_LIVE };
  virDomainPtr dom_s, dom_t;
  char *now;
  KtVm *vm;

  if (!embed->ready)
    return;
  dom_t = kt_test_embed_create (embed, GUEST_T, xml);
  require (dom_t != NULL, "cannot start %s", GUEST_T);
  dom_s = kt_test_embed_lookup (embed, GUEST_S);
  require (dom_s != NULL, "no %s", GUEST_S);
  inactive_before = virDomainGetXMLDesc (dom_s, VIR_DOMAIN_XML_INACTIVE);
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_S) : NULL;
  require (vm != NULL && kt_vm_is_active (vm), "no running %s", GUEST_S);
  require (kt_snapshot_lookup_vm (snapshot, GUEST_T) != NULL, "no %s", GUEST_T);
  session = kt_session_new (snapshot, embed->conn, NULL);
  allowed1_before = vcpu_allowed (1);
  require (allowed1_before != NULL, "no QEMU thread for vCPU 1");
  g_assert_cmpstr (allowed1_before, !=, "\t0");

  g_assert_true (pin (session, GUEST_S, 1, "0"));
  g_assert_true (edit_emulator (session, GUEST_S, "1"));
  g_assert_true (pin (session, GUEST_T, 1, "0"));

  /* T goes away after the check, before its turn */
  g_assert_cmpint (virDomainDestroy (dom_t), ==, 0);
  virDomainFree (dom_t);

  g_assert_false (kt_session_apply_all (session, names, flags, &error));
  g_assert_nonnull (error);
  if (error != NULL)
    {
      g_test_message ("failed as expected: %s", error->message);
      g_assert_nonnull (strstr (error->message, GUEST_T));
      g_assert_nonnull (strstr (error->message, "put back"));
    }

  /* S is as it was: in QEMU and in its config */
  now = vcpu_allowed (1);
  g_assert_cmpstr (now, ==, allowed1_before);
  g_free (now);
  inactive_after = virDomainGetXMLDesc (dom_s, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom_s);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
  g_assert_false (kt_session_can_undo_apply (session, GUEST_S));
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_S);
  now = emulatorpin_of (kt_vm_get_inactive (vm));
  g_assert_null (now);
}

static void
test_read_only_libvirt (KtTestEmbed   *embed,
                       gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) ro = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (!embed->ready)
    return;
  ro = kt_connection_open_capture (embed->uri, KT_CONNECTION_OPEN_READ_ONLY, NULL, &snapshot,
                                   &error);
  g_assert_no_error (error);
  require (ro != NULL, "cannot open %s read-only", embed->uri);
  session = kt_session_new (snapshot, ro, NULL);
  g_assert_true (kt_session_is_read_only (session));
  g_assert_true (pin (session, GUEST_S, 1, "0"));
  g_assert_false (run_apply (session, GUEST_S, 0, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_READ_ONLY);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
}

/* main ------------------------------------------------------------------- */

static void
teardown (void)
{
  kt_test_embed_finish (&env);
}

/* The session owns the live refresh of its connection, and closes the
 * connection (in a worker thread) only once nothing else uses it */
static void
test_close_when_unused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(KtSession) offline = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GAsyncResult) offline_closed = NULL;
  GWeakRef weak;
  KtConnection *user;
  gint64 until;

  kt_connection_open_async ("test:///default", KT_CONNECTION_OPEN_DEFAULT, NULL,
                            store_result, &result);
  conn = kt_connection_open_finish (wait_for (&result), &snapshot, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);

  session = kt_session_new (snapshot, conn, NULL);
  g_assert_nonnull (kt_session_get_live (session));
  g_assert_true (kt_live_get_connection (kt_session_get_live (session)) == conn);
  kt_live_set_observing (kt_session_get_live (session), FALSE);
  g_assert_false (kt_live_get_observing (kt_session_get_live (session)));

  /* Someone else (a worker thread, a widget) still holds it */
  user = g_steal_pointer (&conn);
  g_weak_ref_init (&weak, user);
  kt_session_close_async (session, store_result, &closed);
  g_clear_object (&session);
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (closed);
  g_assert_false (kt_connection_is_closed (user));
  g_assert_nonnull (kt_connection_get_handle (user));

  /* It lets go: closed, then gone */
  g_object_unref (user);
  g_assert_true (kt_session_close_finish (wait_for (&closed), &error));
  g_assert_no_error (error);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_autoptr(GObject) still = g_weak_ref_get (&weak);

      if (still == NULL)
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  {
    g_autoptr(GObject) still = g_weak_ref_get (&weak);

    g_assert_null (still);
  }
  g_weak_ref_clear (&weak);

  /* Without connection: no live refresh, and done at once */
  offline = kt_session_new (snapshot, NULL, NULL);
  g_assert_null (kt_session_get_live (offline));
  kt_session_close_async (offline, store_result, &offline_closed);
  g_assert_true (kt_session_close_finish (wait_for (&offline_closed), &error));
  g_assert_no_error (error);
}

/* The command line's way ------------------------------------------------ */

/* An apply of one definition leaves the other as it was loaded, even where
 * the plan pinned both in place */
static void
test_apply_one_definition (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  g_autoptr(GError) error = NULL;
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  g_autofree char *live_before = pin_of (kt_vm_get_live (web1), 0);
  g_autofree char *live = NULL;
  g_autofree char *config = NULL;

  g_assert_cmpstr (live_before, !=, "17");
  g_assert_true (pin (session, "web1", 0, "17"));
  g_assert_true (kt_session_apply (session, "web1", KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);
  config = pin_of (kt_vm_get_inactive (web1), 0);
  live = pin_of (kt_vm_get_live (web1), 0);
  g_assert_cmpstr (config, ==, "17");
  g_assert_cmpstr (live, ==, live_before);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
}

/* An edit for the config only need not fit the running definition */
static void
test_edits_for_flags (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = NULL;
  g_autoptr(KtEdits) e = kt_edits_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GString) text = NULL;
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");

  /* An IOThread added to the config, not running yet */
  xml = kt_domain_to_xml (kt_vm_get_inactive (web1));
  text = g_string_new (xml);
  g_assert_cmpuint (g_string_replace (text, "</vcpu>", "</vcpu><iothreads>1</iothreads>", 1), ==, 1);
  config = kt_domain_new_from_xml (text->str, -1, &error);
  g_assert_no_error (error);
  kt_vm_set_definitions (web1, NULL, config);
  session = kt_session_new (s, NULL, NULL);

  g_hash_table_insert (e->iothreadpins, GUINT_TO_POINTER (1), kt_test_parse_set ("3"));
  g_assert_false (kt_session_set_edits (session, "web1", e, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kt_session_set_edits_full (session, "web1", e,
                                             KT_APPLY_LIVE | KT_APPLY_CONFIG, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);

  g_assert_true (kt_session_set_edits_full (session, "web1", e, KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
  apply = kt_session_prepare_apply (session, "web1", KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "<iothreadpin iothread=\"1\" cpuset=\"3\""));
  /* Both definitions: the running one has no IOThread 1 */
  g_assert_null (kt_session_prepare_apply (session, "web1", KT_APPLY_LIVE | KT_APPLY_CONFIG,
                                           &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (kt_session_apply (session, "web1", KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);
}

/* A memnode's mode in the edits: written over the one the domain has;
 * without one, the domain's stays (a new memnode is strict) */
static void
test_edits_memnode_mode (void)
{
  static const char xml[] =
    "<domain type='kvm'><name>m</name><memory unit='KiB'>2097152</memory>"
    "<vcpu placement='static'>2</vcpu>"
    "<numatune><memnode cellid='0' mode='interleave' nodeset='0-1'/></numatune>"
    "<os><type arch='x86_64'>hvm</type></os>"
    "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/>"
    "<cell id='1' cpus='1' memory='1048576' unit='KiB'/></numa></cpu></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtEdits) e = kt_edits_new ();
  g_autoptr(KtEdits) copy = NULL;
  g_autoptr(KtDomain) kept = NULL;
  g_autoptr(KtDomain) moded = NULL;
  g_autoptr(KtTuning) t = NULL;
  const KtMemnode *m;

  kept = kt_domain_new_from_xml (xml, -1, &error);
  g_assert_no_error (error);
  moded = kt_domain_copy (kept);
  g_hash_table_insert (e->memnodes, GUINT_TO_POINTER (0), kt_test_parse_set ("1"));
  g_hash_table_insert (e->memnodes, GUINT_TO_POINTER (1), kt_test_parse_set ("0"));

  /* No mode: cell 0 keeps interleave, the new cell 1 is strict */
  g_assert_true (kt_edits_replay (e, kept, &error));
  g_assert_no_error (error);
  t = kt_domain_get_tuning (kept);
  g_assert_cmpuint (t->memnodes->len, ==, 2);
  m = &g_array_index (t->memnodes, KtMemnode, 0);
  g_assert_cmpstr (m->mode, ==, "interleave");
  m = &g_array_index (t->memnodes, KtMemnode, 1);
  g_assert_cmpstr (m->mode, ==, "strict");
  g_clear_pointer (&t, kt_tuning_unref);

  /* A mode: written, and part of the edits (copied, compared) */
  copy = kt_edits_copy (e);
  g_hash_table_insert (e->memnode_modes, GUINT_TO_POINTER (0), g_strdup ("preferred"));
  g_assert_false (kt_edits_equal (e, copy));
  g_clear_pointer (&copy, kt_edits_free);
  copy = kt_edits_copy (e);
  g_assert_true (kt_edits_equal (e, copy));
  g_assert_cmpuint (kt_edits_count (e), ==, 2);
  g_assert_true (kt_edits_replay (copy, moded, &error));
  g_assert_no_error (error);
  t = kt_domain_get_tuning (moded);
  g_assert_cmpuint (t->memnodes->len, ==, 2);
  m = &g_array_index (t->memnodes, KtMemnode, 0);
  g_assert_cmpstr (m->mode, ==, "preferred");
  {
    g_autofree char *ns = kt_cpuset_format (m->nodeset);

    g_assert_cmpstr (ns, ==, "1");
  }
  m = &g_array_index (t->memnodes, KtMemnode, 1);
  g_assert_cmpstr (m->mode, ==, "strict");
}

/* kt_session_apply_all () into a snapshot: every VM's apply is checked
 * before the first is made, so one that cannot be applied stops them all */
static void
test_apply_all_snapshot (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, NULL);
  g_autoptr(GError) error = NULL;
  const char *names[] = { "web1", "build-runner", NULL };
  KtApplyFlags refused[] = { KT_APPLY_CONFIG, KT_APPLY_LIVE };
  KtApplyFlags fine[] = { KT_APPLY_CONFIG, KT_APPLY_CONFIG };
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");
  KtVm *runner = kt_snapshot_lookup_vm (s, "build-runner");
  g_autofree char *web1_before = pin_of (kt_vm_get_inactive (web1), 0);
  char *now;

  g_assert_false (kt_vm_is_active (runner));
  g_assert_cmpstr (web1_before, !=, "17");
  g_assert_true (pin (session, "web1", 0, "17"));
  g_assert_true (pin (session, "build-runner", 0, "18"));

  /* build-runner is shut off: nothing to change live; web1 stays pending */
  g_assert_false (kt_session_apply_all (session, names, refused, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "build-runner"));
  g_clear_error (&error);
  g_assert_false (kt_session_can_undo_apply (session, "web1"));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 2);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web1"), ==, 1);

  /* Both to the config: both applied */
  g_assert_true (kt_session_apply_all (session, names, fine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  now = pin_of (kt_vm_get_inactive (web1), 0);
  g_assert_cmpstr (now, ==, "17");
  g_free (now);
  now = pin_of (kt_vm_get_inactive (runner), 0);
  g_assert_cmpstr (now, ==, "18");
  g_free (now);
  g_assert_true (kt_session_can_undo_apply (session, "web1"));
  g_assert_true (kt_session_can_undo_apply (session, "build-runner"));

  /* The blocking undo-apply puts web1 back */
  g_assert_true (kt_session_undo_apply (session, "web1", &error));
  g_assert_no_error (error);
  now = pin_of (kt_vm_get_inactive (web1), 0);
  g_assert_cmpstr (now, ==, web1_before);
  g_free (now);
  g_assert_false (kt_session_can_undo_apply (session, "web1"));
}

/* Domain files: what changed is written back to its own file, stamped */
static void
test_domain_files (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-64amd64-4s2n4ca2co.xml");
  g_autofree char *src = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *dir = g_dir_make_tmp ("kt-session-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (dir, "a.xml", NULL);
  g_autofree char *b = g_build_filename (dir, "b.xml", NULL);
  g_autofree char *data = kt_test_read_file (src, NULL);
  g_autoptr(GString) other = g_string_new (data);
  char *domains[] = { a, b, NULL };
  KtSourceSpec spec = { .caps = caps, .domains = domains };
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a_text = NULL;
  g_autofree char *b_text = NULL;
  GStatBuf b_st, st;

  g_assert_cmpuint (g_string_replace (other, "<name>QEMUGuest1</name>", "<name>other</name>", 1),
                    ==, 1);
  g_assert_true (g_file_set_contents (a, data, -1, NULL));
  g_assert_true (g_file_set_contents (b, other->str, -1, NULL));
  g_assert_cmpint (g_stat (b, &b_st), ==, 0);
  s = kt_source_load (&spec, NULL, &error);
  g_assert_no_error (error);
  session = kt_session_new (s, NULL, NULL);
  kt_session_set_domain_files (session, (const char * const *) domains);
  g_assert_cmpstr (kt_session_get_domain_file (session, "other"), ==, b);
  g_assert_null (kt_session_get_domain_file (session, "nonesuch"));

  /* Applied into the snapshot, then written: only its own file */
  g_assert_true (pin (session, "QEMUGuest1", 0, "3"));
  g_assert_true (kt_session_apply (session, "QEMUGuest1", KT_APPLY_CONFIG, &error));
  g_assert_no_error (error);
  g_assert_true (kt_session_is_dirty (session));
  g_assert_true (kt_session_save_domain_files (session, &error));
  g_assert_no_error (error);
  g_assert_false (kt_session_is_dirty (session));
  a_text = kt_test_read_file (a, NULL);
  g_assert_nonnull (strstr (a_text, "<vcpupin vcpu=\"0\" cpuset=\"3\"/>"));
  b_text = kt_test_read_file (b, NULL);
  g_assert_cmpstr (b_text, ==, other->str);
  g_assert_cmpint (g_stat (b, &st), ==, 0);
  g_assert_cmpuint (st.st_ino, ==, b_st.st_ino);
  g_clear_pointer (&a_text, g_free);

  /* A pending change is written too, and stays pending; the stamp written
   * is the one checked next */
  g_assert_true (pin (session, "QEMUGuest1", 1, "4"));
  g_assert_true (kt_session_save_domain_files (session, &error));
  g_assert_no_error (error);
  a_text = kt_test_read_file (a, NULL);
  g_assert_nonnull (strstr (a_text, "<vcpupin vcpu=\"1\" cpuset=\"4\"/>"));
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 1);
  g_assert_false (kt_session_is_dirty (session));
  g_clear_pointer (&a_text, g_free);

  /* Someone else changed the file since: refused, and it keeps theirs */
  g_assert_true (g_file_set_contents (a, data, -1, NULL));
  g_assert_true (pin (session, "QEMUGuest1", 0, "5"));
  g_assert_false (kt_session_save_domain_files (session, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "changed since it was loaded"));
  g_assert_true (kt_session_is_dirty (session));
  a_text = kt_test_read_file (a, NULL);
  g_assert_cmpstr (a_text, ==, data);
  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
}

/* Saving with edits pending still refuses a file changed since it was read */
static void
test_save_stamp (void)
{
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autofree char *data = kt_test_read_file (demo, NULL);
  g_autofree char *dir = g_dir_make_tmp ("kt-session-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "host.kvmtune", NULL);
  g_autofree char *now = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, -1, NULL));
  s = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  session = kt_session_new (s, NULL, path);
  g_assert_true (edit_emulator (session, "web1", "20"));
  g_assert_true (kt_session_save (session, path, &error));
  g_assert_no_error (error);
  /* The stamp written is the one checked next */
  g_assert_true (edit_emulator (session, "web1", "21"));
  g_assert_true (kt_session_save (session, path, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (path, data, -1, NULL));
  g_assert_true (edit_emulator (session, "web1", "22"));
  g_assert_false (kt_session_save (session, path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "changed since it was loaded"));
  now = kt_test_read_file (path, NULL);
  g_assert_cmpstr (now, ==, data);
  g_unlink (path);
  g_rmdir (dir);
}

/* What the widgets change (kt-session-edits.c) ------------------------------ */

/* A drop of two vCPUs spread one per pCPU is one step: one undo takes both
 * back; edits copied with kt_session_dup_edits () come back as a step */
static void
test_pin_each (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtSession) session = kt_session_new (s, NULL, "demo.kvmtune");
  KtVm *vm = kt_snapshot_lookup_vm (s, "web1");
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(KtEdits) e = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *was0 = pin_of (kt_vm_get_effective (vm), 0);
  g_autofree char *was1 = pin_of (kt_vm_get_effective (vm), 1);
  guint vcpus[] = { 0, 1 };
  guint64 rev0 = kt_session_get_revision (session);

  g_ptr_array_add (targets, kt_test_parse_set ("16"));
  g_ptr_array_add (targets, kt_test_parse_set ("17"));
  g_assert_true (kt_session_pin_each (session, vm, vcpus, 2, targets, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_session_get_n_pending_vm (session, "web1"), ==, 2);
  {
    g_autofree char *p0 = pin_of (kt_vm_get_effective (vm), 0);
    g_autofree char *p1 = pin_of (kt_vm_get_effective (vm), 1);

    g_assert_cmpstr (p0, ==, "16");
    g_assert_cmpstr (p1, ==, "17");
  }
  g_assert_true (kt_session_can_undo (session));
  g_assert_true (kt_session_undo (session));
  g_assert_false (kt_session_can_undo (session));
  g_assert_cmpuint (kt_session_get_revision (session), ==, rev0);
  g_assert_cmpuint (kt_session_get_n_pending (session), ==, 0);
  {
    g_autofree char *p0 = pin_of (kt_vm_get_effective (vm), 0);
    g_autofree char *p1 = pin_of (kt_vm_get_effective (vm), 1);

    g_assert_cmpstr (p0, ==, was0);
    g_assert_cmpstr (p1, ==, was1);
  }

  /* A copy, empty when nothing is pending; the session keeps its own */
  e = kt_session_dup_edits (session, "web1");
  g_assert_nonnull (e);
  g_assert_cmpuint (kt_edits_count (e), ==, 0);
  g_free (e->cpu_mode);
  e->cpu_mode = g_strdup ("host-model");
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_true (kt_session_set_edits (session, "web1", e, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kt_session_get_edits (session, "web1")->cpu_mode, ==, "host-model");
  g_free (e->cpu_mode);
  e->cpu_mode = g_strdup ("maximum");
  g_assert_cmpstr (kt_session_get_edits (session, "web1")->cpu_mode, ==, "host-model");
  g_assert_true (kt_session_undo (session));
  g_assert_null (kt_session_get_edits (session, "web1"));
  g_assert_true (kt_session_redo (session));
  g_assert_cmpstr (kt_session_get_edits (session, "web1")->cpu_mode, ==, "host-model");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  if (argc == 4 && g_str_equal (argv[1], "--open-child"))
    return fallback_child_main (argv[2], argv[3]);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  kt_test_embed_use (&env);

  env.skip_reason = kt_test_embed_missing ();
  if (env.skip_reason == NULL && sysconf (_SC_NPROCESSORS_ONLN) < 2)
    env.skip_reason = g_strdup ("fewer than 2 online host CPUs: the pins need CPUs 0 and 1");
  if (env.skip_reason != NULL)
    g_printerr ("# test-session: SKIPPING the real-libvirt cases: %s\n", env.skip_reason);
  else
    atexit (teardown);

  g_test_add_func ("/session/dirty", test_dirty);
  g_test_add_func ("/session/undo-mixed", test_undo_mixed);
  g_test_add_func ("/session/describe", test_describe);
  g_test_add_func ("/session/prepare-apply", test_prepare_apply);
  g_test_add_func ("/session/apply-snapshot", test_apply_snapshot);
  g_test_add_func ("/session/apply-one-definition", test_apply_one_definition);
  g_test_add_func ("/session/edits-for-flags", test_edits_for_flags);
  g_test_add_func ("/session/edits-memnode-mode", test_edits_memnode_mode);
  g_test_add_func ("/session/apply-all-snapshot", test_apply_all_snapshot);
  g_test_add_func ("/session/domain-files", test_domain_files);
  g_test_add_func ("/session/save-stamp", test_save_stamp);
  g_test_add_func ("/session/pin-each", test_pin_each);
  g_test_add_func ("/session/open-fallback-fails", test_open_fallback_fails);
  g_test_add_func ("/session/open-test-driver", test_open_test_driver);
  g_test_add_func ("/session/close-when-unused", test_close_when_unused);
  g_test_add_func ("/session/open-fallback-read-only", test_open_fallback_read_only);
  g_test_add ("/session/open-embed", KtTestEmbed, NULL,
              kt_test_embed_setup, test_open_embed, kt_test_embed_teardown);
  g_test_add ("/session/apply-libvirt", KtTestEmbed, NULL,
              kt_test_embed_setup, test_apply_libvirt, kt_test_embed_teardown);
  g_test_add ("/session/reload-libvirt", KtTestEmbed, NULL,
              kt_test_embed_setup, test_reload_libvirt, kt_test_embed_teardown);
  g_test_add ("/session/read-only-libvirt", KtTestEmbed, NULL,
              kt_test_embed_setup, test_read_only_libvirt, kt_test_embed_teardown);
  g_test_add ("/session/apply-all-libvirt", KtTestEmbed, NULL,
              kt_test_embed_setup, test_apply_all_libvirt, kt_test_embed_teardown);

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  g_free (self_path);
  return ret;
}
