/* test-events.c: live updates from real libvirt: domain events, one VM
 * re-read, the plan carried over, and where vCPUs actually run
 *
 * The real-QEMU cases use libvirt's embedded QEMU driver in this process
 * (qemu:///embed?root=DIR), set up as in test-libvirt.c (the root, its
 * reaper and teardown come from kt-test-embed.c): a fresh root, tiny TCG
 * guests, and
 *
 *   kt-test-EB  persistent, running (started by the set-up)
 *   kt-test-EC  defined and undefined by /events/define-undefine
 *
 * Unlike test-libvirt.c, no thread runs the default main context
 * (kt_connection_init_events (FALSE)), as in the GUI: the cases run a
 * GMainLoop while they wait for events, so the signals arrive in this
 * thread.  The test:///default cases need neither root nor QEMU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "kt-connection.h"
#include "kt-observed.h"
#include "kt-plan.h"
#include "kt-snapshot.h"
#include "kt-test-embed.h"
#include "kt-test-util.h"

#define GUEST_B          "kt-test-EB"
#define GUEST_C          "kt-test-EC"
#define EVENT_TIMEOUT_MS 2000

static gboolean setup_guest (KtTestEmbed *embed);

/* No thread runs the default main context: events_thread is FALSE */
static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("test-events", "kt-test-", "kt-events-XXXXXX", FALSE, setup_guest);

/* Fails the current case and leaves it, for what later lines depend on */
#define require kt_test_embed_require

/* Events ------------------------------------------------------------------- */

/* Every "domain-changed" seen, as "NAME KIND", and the one a case waits for */
static struct
{
  GPtrArray  *seen;
  char       *want;
  GMainLoop  *loop;
} rec;

static void
on_domain_changed (KtConnection *conn,
                   const char   *name,
                   int           kind,
                   gpointer      user_data)
{
  char *what = g_strdup_printf ("%s %s", name, kt_domain_change_to_string (kind));

  /* The signal comes in the thread that runs the loop: this one */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_ptr_array_add (rec.seen, what);
  if (rec.want != NULL && g_str_equal (what, rec.want) && rec.loop != NULL)
    g_main_loop_quit (rec.loop);
}

static gboolean
seen (const char *what)
{
  for (guint i = 0; i < rec.seen->len; i++)
    if (g_str_equal (g_ptr_array_index (rec.seen, i), what))
      return TRUE;
  return FALSE;
}

static gboolean
on_timeout (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
forget_events (void)
{
  g_ptr_array_set_size (rec.seen, 0);
}

/* Runs a main loop until @name's @kind event came (maybe already), at most
 * @timeout_ms; how long that took in ms, or -1 */
static double
wait_event (const char     *name,
            KtDomainChange  kind,
            guint           timeout_ms)
{
  gint64 t0 = g_get_monotonic_time ();

  g_free (rec.want);
  rec.want = g_strdup_printf ("%s %s", name, kt_domain_change_to_string (kind));
  if (!seen (rec.want))
    {
      GSource *timeout = g_timeout_source_new (timeout_ms);

      rec.loop = g_main_loop_new (NULL, FALSE);
      g_source_set_callback (timeout, on_timeout, rec.loop, NULL);
      g_source_attach (timeout, NULL);
      g_main_loop_run (rec.loop);
      g_source_destroy (timeout);
      g_source_unref (timeout);
      g_clear_pointer (&rec.loop, g_main_loop_unref);
    }
  if (!seen (rec.want))
    {
      g_autoptr(GString) all = g_string_new (NULL);

      for (guint i = 0; i < rec.seen->len; i++)
        g_string_append_printf (all, "%s[%s]", i ? ", " : "",
                                (char *) g_ptr_array_index (rec.seen, i));
      g_test_message ("no “%s” within %u ms; seen: %s", rec.want, timeout_ms,
                      all->len ? all->str : "nothing");
      return -1;
    }
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* Lets events already queued arrive, for @ms */
static void
drain (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, on_timeout, loop);
  g_main_loop_run (loop);
}

/* Helpers ------------------------------------------------------------------ */

static char *
domain_xml (const char *name)
{
  return kt_test_embed_domain_xml (name, 2, 0);
}

static void
teardown (void)
{
  if (!env.torn_down && env.conn != NULL)
    g_signal_handlers_disconnect_by_func (env.conn, on_domain_changed, NULL);
  kt_test_embed_finish (&env);
}

/* Listens to the connection; kt-test-EB, persistent and running */
static gboolean
setup_guest (KtTestEmbed *embed)
{
  g_autofree char *xml = domain_xml (GUEST_B);
  virDomainPtr dom;

  g_signal_connect (embed->conn, "domain-changed", G_CALLBACK (on_domain_changed), NULL);
  dom = virDomainDefineXML (kt_connection_get_handle (embed->conn), xml);
  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot define %s: %s", GUEST_B, err);
      return FALSE;
    }
  if (!kt_test_embed_start (embed, dom))
    {
      virDomainFree (dom);
      return FALSE;
    }
  virDomainFree (dom);
  drain (100);
  return TRUE;
}

/* Pins @vcpu of @name to @cpu alone, live, as someone else would */
static gboolean
pin_live (virConnectPtr  c,
          const char    *name,
          guint          vcpu,
          guint          cpu)
{
  unsigned char map[8] = { 0, };
  virDomainPtr dom = virDomainLookupByName (c, name);
  int r;

  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot look up %s: %s", name, err);
      return FALSE;
    }
  map[cpu / 8] |= 1 << (cpu % 8);
  r = virDomainPinVcpuFlags (dom, vcpu, map, sizeof map, VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree (dom);
  if (r < 0)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot pin vCPU %u of %s: %s", vcpu, name, err);
      return FALSE;
    }
  return TRUE;
}

static char *
pin_of (KtDomain *d,
        guint     vcpu)
{
  g_autoptr(KtTuning) t = NULL;
  const KtCpuset *pin;

  if (d == NULL)
    return g_strdup ("(no definition)");
  t = kt_domain_get_tuning (d);
  pin = kt_tuning_get_vcpupin (t, vcpu);
  return pin ? kt_cpuset_format (pin) : g_strdup ("(unpinned)");
}

static guint
host_cpus (KtConnection *conn)
{
  virNodeInfo info;

  if (virNodeGetInfo (kt_connection_get_handle (conn), &info) < 0)
    {
      virResetLastError ();
      return g_get_num_processors ();
    }
  return info.cpus;
}

static void
refresh (KtTestEmbed *embed,
         KtSnapshot  *snapshot,
         const char  *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kt_connection_refresh_vm (embed->conn, snapshot, name, &error));
  g_assert_no_error (error);
}

/* Cases -------------------------------------------------------------------- */

/* A live pin of a running guest: a tunable event, in this thread */
static void
test_tunable (KtTestEmbed   *embed,
              gconstpointer  data)
{
  double ms;

  if (!embed->ready)
    return;
  forget_events ();
  require (pin_live (kt_connection_get_handle (embed->conn), GUEST_B, 1, 0), "pin");
  ms = wait_event (GUEST_B, KT_DOMAIN_CHANGE_TUNABLE, EVENT_TIMEOUT_MS);
  g_assert_cmpfloat (ms, >=, 0);
  g_test_message ("tunable event %.1f ms after the pin", ms);
}

static void
test_observed (KtTestEmbed   *embed,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) vcpus = NULL;
  guint ncpus;

  if (!embed->ready)
    return;
  ncpus = host_cpus (embed->conn);
  vcpus = kt_observed_query (embed->conn, GUEST_B, &error);
  g_assert_no_error (error);
  require (vcpus != NULL, "no answer");
  g_assert_cmpuint (vcpus->len, ==, 2);
  for (guint i = 0; i < vcpus->len; i++)
    {
      const KtObservedVcpu *v = &g_array_index (vcpus, KtObservedVcpu, i);

      g_test_message ("vCPU %u on CPU %d (state %d) of %u", v->vcpu, v->cpu, v->state, ncpus);
      g_assert_cmpuint (v->vcpu, ==, i);
      g_assert_cmpint (v->cpu, >=, 0);
      g_assert_cmpint (v->cpu, <, (int) ncpus);
      g_assert_cmpint (v->state, !=, KT_OBSERVED_OFFLINE);
    }

  /* All at once; a domain that does not run is left out */
  {
    const char *names[] = { GUEST_B, "kt-test-no-such-domain", NULL };
    g_autoptr(GHashTable) all = kt_observed_query_all (embed->conn, names);

    g_assert_cmpuint (g_hash_table_size (all), ==, 1);
    g_assert_nonnull (g_hash_table_lookup (all, GUEST_B));
  }

  /* Not a running domain: an error */
  g_clear_pointer (&vcpus, g_array_unref);
  vcpus = kt_observed_query (embed->conn, "kt-test-no-such-domain", &error);
  g_assert_null (vcpus);
  g_assert_nonnull (error);
}

/* Destroyed: a lifecycle event, and the one VM re-read: shut off, no live
 * definition, the same object; started again: running, live again */
static void
test_lifecycle_refresh (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  virDomainPtr dom;
  KtVm *vm;
  guint n_vms;

  if (!embed->ready)
    return;
  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "capture");
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_B);
  require (vm != NULL, "no %s", GUEST_B);
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_RUNNING);
  g_assert_nonnull (kt_vm_get_live (vm));
  n_vms = g_list_model_get_n_items (kt_snapshot_get_vms (snapshot));

  forget_events ();
  dom = kt_test_embed_lookup (embed, GUEST_B);
  require (dom != NULL, "lookup");
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  g_assert_cmpfloat (wait_event (GUEST_B, KT_DOMAIN_CHANGE_STOPPED, EVENT_TIMEOUT_MS), >=, 0);

  refresh (embed, snapshot, GUEST_B);
  g_assert_true (kt_snapshot_lookup_vm (snapshot, GUEST_B) == vm);
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_SHUTOFF);
  g_assert_null (kt_vm_get_live (vm));
  g_assert_nonnull (kt_vm_get_inactive (vm));
  g_assert_true (kt_vm_get_effective (vm) == kt_vm_get_inactive (vm));
  g_assert_false (kt_vm_is_active (vm));
  g_assert_cmpint (kt_vm_get_id (vm), ==, -1);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, n_vms);

  /* And back: the later cases want it running */
  forget_events ();
  if (kt_test_embed_start (embed, dom))
    {
      g_assert_cmpfloat (wait_event (GUEST_B, KT_DOMAIN_CHANGE_STARTED, EVENT_TIMEOUT_MS), >=, 0);
      refresh (embed, snapshot, GUEST_B);
      g_assert_true (kt_snapshot_lookup_vm (snapshot, GUEST_B) == vm);
      g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_RUNNING);
      g_assert_nonnull (kt_vm_get_live (vm));
      g_assert_cmpint (kt_vm_get_id (vm), >, 0);
    }
  virDomainFree (dom);
}

/* Defined: the refresh adds the VM; undefined: it removes it */
static void
test_define_undefine (KtTestEmbed   *embed,
                      gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autofree char *xml = domain_xml (GUEST_C);
  virDomainPtr dom;
  guint n_vms;

  if (!embed->ready)
    return;
  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "capture");
  n_vms = g_list_model_get_n_items (kt_snapshot_get_vms (snapshot));
  g_assert_null (kt_snapshot_lookup_vm (snapshot, GUEST_C));

  forget_events ();
  dom = virDomainDefineXML (kt_connection_get_handle (embed->conn), xml);
  require (dom != NULL, "define");
  g_assert_cmpfloat (wait_event (GUEST_C, KT_DOMAIN_CHANGE_DEFINED, EVENT_TIMEOUT_MS), >=, 0);
  refresh (embed, snapshot, GUEST_C);
  g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, GUEST_C));
  if (kt_snapshot_lookup_vm (snapshot, GUEST_C) != NULL)
    g_assert_cmpint (kt_vm_get_state (kt_snapshot_lookup_vm (snapshot, GUEST_C)), ==,
                     KT_VM_STATE_SHUTOFF);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, n_vms + 1);

  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
  g_assert_cmpfloat (wait_event (GUEST_C, KT_DOMAIN_CHANGE_UNDEFINED, EVENT_TIMEOUT_MS), >=, 0);
  refresh (embed, snapshot, GUEST_C);
  g_assert_null (kt_snapshot_lookup_vm (snapshot, GUEST_C));
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, n_vms);

  /* A name that never was: nothing to do, no error */
  refresh (embed, snapshot, "kt-test-no-such-domain");
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, n_vms);
}

/* A planned pin survives a change of another vCPU, and goes when its own
 * vCPU is pinned elsewhere underneath it */
static void
test_plan_rebase (KtTestEmbed   *embed,
                  gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) target = NULL;
  g_autofree char *pin0 = NULL;
  g_autofree char *pin1 = NULL;
  g_autofree char *want = NULL;
  virConnectPtr c;
  guint ncpus, vcpu0 = 0;
  KtVm *vm;

  if (!embed->ready)
    return;
  ncpus = host_cpus (embed->conn);
  c = kt_connection_get_handle (embed->conn);
  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "capture");
  vm = kt_snapshot_lookup_vm (snapshot, GUEST_B);
  require (vm != NULL && kt_vm_is_active (vm), "%s does not run", GUEST_B);
  plan = kt_plan_new (snapshot);

  /* The plan: vCPU 0 to the last CPU */
  target = kt_cpuset_new ();
  kt_cpuset_add (target, ncpus - 1);
  want = kt_cpuset_format (target);
  g_assert_true (kt_plan_pin (plan, vm, &vcpu0, 1, target, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 1);

  /* Someone pins vCPU 1: the plan's vCPU 0 is untouched, and kept */
  forget_events ();
  require (pin_live (c, GUEST_B, 1, 0), "pin");
  g_assert_cmpfloat (wait_event (GUEST_B, KT_DOMAIN_CHANGE_TUNABLE, EVENT_TIMEOUT_MS), >=, 0);
  refresh (embed, snapshot, GUEST_B);
  g_assert_false (kt_plan_rebase_vm (plan, GUEST_B));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 1);
  g_assert_true (kt_plan_is_pending (plan, vm, 0));
  pin0 = pin_of (kt_vm_get_live (vm), 0);
  pin1 = pin_of (kt_vm_get_live (vm), 1);
  g_assert_cmpstr (pin0, ==, want);   /* planned, put back */
  g_assert_cmpstr (pin1, ==, "0");    /* theirs, fresh */
  g_assert_true (kt_plan_can_undo (plan));

  /* Someone pins vCPU 0 elsewhere: the plan drops its edit of that VM */
  forget_events ();
  require (pin_live (c, GUEST_B, 0, 0), "pin");
  g_assert_cmpfloat (wait_event (GUEST_B, KT_DOMAIN_CHANGE_TUNABLE, EVENT_TIMEOUT_MS), >=, 0);
  refresh (embed, snapshot, GUEST_B);
  g_assert_true (kt_plan_rebase_vm (plan, GUEST_B));
  g_assert_cmpuint (kt_plan_get_n_pending (plan), ==, 0);
  g_assert_false (kt_plan_can_undo (plan));
  g_clear_pointer (&pin0, g_free);
  pin0 = pin_of (kt_vm_get_live (vm), 0);
  g_assert_cmpstr (pin0, ==, "0");

  /* Nothing planned any more: nothing to do */
  g_assert_false (kt_plan_rebase_vm (plan, GUEST_B));
}

/* test:///default: the test driver's own events; no root or QEMU needed */
static void
test_test_driver (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtConnection) conn = kt_connection_open ("test:///default", FALSE, &error);
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GArray) vcpus = NULL;
  virDomainPtr dom;
  KtVm *vm;

  g_assert_no_error (error);
  require (conn != NULL, "open");
  g_signal_connect (conn, "domain-changed", G_CALLBACK (on_domain_changed), NULL);
  snapshot = kt_connection_capture (conn, &error);
  g_assert_no_error (error);
  require (snapshot != NULL, "capture");
  vm = kt_snapshot_lookup_vm (snapshot, "test");
  require (vm != NULL, "no “test” domain");
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_RUNNING);

  forget_events ();
  dom = virDomainLookupByName (kt_connection_get_handle (conn), "test");
  require (dom != NULL, "lookup");
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  g_assert_cmpfloat (wait_event ("test", KT_DOMAIN_CHANGE_SUSPENDED, EVENT_TIMEOUT_MS), >=, 0);
  g_assert_true (kt_connection_refresh_vm (conn, snapshot, "test", &error));
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_PAUSED);

  g_assert_cmpint (virDomainResume (dom), ==, 0);
  g_assert_cmpfloat (wait_event ("test", KT_DOMAIN_CHANGE_RESUMED, EVENT_TIMEOUT_MS), >=, 0);
  g_assert_true (kt_connection_refresh_vm (conn, snapshot, "test", &error));
  g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_RUNNING);
  virDomainFree (dom);

  /* Where its vCPUs "ran": the test driver makes it up, within the host */
  vcpus = kt_observed_query (conn, "test", &error);
  g_assert_no_error (error);
  if (vcpus != NULL)
    {
      guint ncpus = host_cpus (conn);

      g_assert_cmpuint (vcpus->len, >, 0);
      for (guint i = 0; i < vcpus->len; i++)
        {
          g_assert_cmpint (g_array_index (vcpus, KtObservedVcpu, i).cpu, >=, 0);
          g_assert_cmpint (g_array_index (vcpus, KtObservedVcpu, i).cpu, <, (int) ncpus);
        }
    }

  /* No close callback in the test driver, and no failure either */
  g_assert_false (kt_connection_is_closed (conn));
  g_signal_handlers_disconnect_by_func (conn, on_domain_changed, NULL);
}

/* A connection dropped with events queued: nothing reaches a dead object */
static void
test_dispose_with_events (void)
{
  g_autoptr(GError) error = NULL;
  KtConnection *conn = kt_connection_open ("test:///default", FALSE, &error);
  virDomainPtr dom;

  g_assert_no_error (error);
  require (conn != NULL, "open");
  g_signal_connect (conn, "domain-changed", G_CALLBACK (on_domain_changed), NULL);
  dom = virDomainLookupByName (kt_connection_get_handle (conn), "test");
  require (dom != NULL, "lookup");
  forget_events ();
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  g_assert_cmpint (virDomainResume (dom), ==, 0);
  virDomainFree (dom);
  g_object_unref (conn);
  drain (100);
  g_assert_cmpuint (rec.seen->len, ==, 0);
}

/* main --------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  kt_test_embed_use (&env);

  /* As in the GUI: the signals come from the loop the cases run */
  kt_connection_init_events (FALSE);
  rec.seen = g_ptr_array_new_with_free_func (g_free);

  env.skip_reason = kt_test_embed_missing ();
  if (env.skip_reason != NULL)
    g_printerr ("#\n# test-events: SKIPPING the real-QEMU cases: %s\n#\n", env.skip_reason);
  else
    atexit (teardown);

  g_test_add_func ("/events/test-driver", test_test_driver);
  g_test_add_func ("/events/dispose-with-events", test_dispose_with_events);
  g_test_add ("/events/tunable", KtTestEmbed, NULL,
              kt_test_embed_setup, test_tunable, kt_test_embed_teardown);
  g_test_add ("/events/observed", KtTestEmbed, NULL,
              kt_test_embed_setup, test_observed, kt_test_embed_teardown);
  g_test_add ("/events/lifecycle-refresh", KtTestEmbed, NULL,
              kt_test_embed_setup, test_lifecycle_refresh, kt_test_embed_teardown);
  g_test_add ("/events/define-undefine", KtTestEmbed, NULL,
              kt_test_embed_setup, test_define_undefine, kt_test_embed_teardown);
  g_test_add ("/events/plan-rebase", KtTestEmbed, NULL,
              kt_test_embed_setup, test_plan_rebase, kt_test_embed_teardown);

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  g_clear_pointer (&rec.seen, g_ptr_array_unref);
  g_clear_pointer (&rec.want, g_free);
  return ret;
}
