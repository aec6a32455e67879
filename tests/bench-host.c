/* bench-host.c: how long reading and changing a host's tuning takes
 *
 *   - the whole host state, local (tuned D-Bus, sysfs, procfs);
 *   - the same through libvirt (qemu:///embed: virNodeGetMemoryParameters,
 *     virNodeGetFreePages and sysfs), and a remote-style read of only what
 *     libvirt tells (capabilities and free pages);
 *   - applying and reverting a plan of five changes (THP, numa_balancing,
 *     KSM pages_to_scan through libvirt, a 2 MiB pool through
 *     virNodeAllocPages), as root; every value is put back (kt-test-knob-guard).
 *
 * Prints figures; asserts nothing about time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "kt-host-apply.h"
#include "kt-host-probe.h"
#include "kt-test-embed.h"
#include "kt-test-knob-guard.h"

#define N_READS   20
#define N_APPLIES 5

static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("bench-host", "kt-bench-host-", "kt-bench-host-XXXXXX", FALSE, NULL);

static const char * const guarded[] = {
  "/sys/kernel/mm/transparent_hugepage/enabled",
  "/proc/sys/kernel/numa_balancing",
  "/sys/kernel/mm/ksm/pages_to_scan",
  "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages",
  NULL
};

static void
report (const char *what,
        GArray     *ms)
{
  double sum = 0, min = G_MAXDOUBLE, max = 0;

  for (guint i = 0; i < ms->len; i++)
    {
      double v = g_array_index (ms, double, i);

      sum += v;
      min = MIN (min, v);
      max = MAX (max, v);
    }
  g_print ("%-52s %8.2f ms mean  %8.2f min  %8.2f max  (n=%u)\n", what, sum / ms->len, min, max,
           ms->len);
}

static void
teardown (void)
{
  kt_test_embed_finish (&env);
  kt_test_knob_guard_restore ();
}

static KtHostTarget *
target (const char *key,
        const char *value)
{
  KtHostTarget *t = g_new0 (KtHostTarget, 1);

  t->key = g_strdup (key);
  t->value = g_strdup (value);
  return t;
}

static void
bench_apply (void)
{
  g_autoptr(GArray) apply_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) revert_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(KtHostControl) control = kt_host_control_new (env.conn, NULL);

  for (guint i = 0; i < N_APPLIES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtHostTuning) current = kt_host_control_read (control, &error);
      g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
      g_autoptr(KtHostPlan) plan = NULL;
      g_autofree char *scan = NULL;
      g_autofree char *pages = NULL;
      double t0, t1, t2;

      if (current == NULL)
        g_error ("read: %s", error->message);
      scan = g_strdup_printf ("%" G_GINT64_FORMAT, current->ksm_pages_to_scan + 11);
      pages = g_strdup_printf ("%" G_GINT64_FORMAT,
                               kt_host_tuning_lookup_pool (current, 0, 2048)->total + 16);
      g_ptr_array_add (targets, target ("thp.enabled",
                                        g_strcmp0 (current->thp_enabled, "never") ? "never" : "madvise"));
      g_ptr_array_add (targets, target ("thp.defrag",
                                        g_strcmp0 (current->thp_defrag, "never") ? "never" : "madvise"));
      g_ptr_array_add (targets, target ("numa_balancing", current->numa_balancing == 0 ? "1" : "0"));
      g_ptr_array_add (targets, target ("ksm.pages_to_scan", scan));
      g_ptr_array_add (targets, target ("hugepages.0.2048", pages));
      plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
      if (plan == NULL)
        g_error ("plan: %s", error->message);
      t0 = kt_test_embed_now ();
      if (!kt_host_control_apply (control, plan, &error))
        g_error ("apply: %s", error->message);
      t1 = kt_test_embed_now ();
      if (!kt_host_control_revert (control, &error))
        g_error ("revert: %s", error->message);
      t2 = kt_test_embed_now ();
      g_array_append_vals (apply_ms, (double[]) { (t1 - t0) * 1000 }, 1);
      g_array_append_vals (revert_ms, (double[]) { (t2 - t1) * 1000 }, 1);
    }
  report ("apply 5 changes (with the revert file)", apply_ms);
  report ("revert them (read, plan, apply, forget)", revert_ms);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GArray) local_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) libvirt_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *state = NULL;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  state = g_dir_make_tmp ("kt-bench-host-state-XXXXXX", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);

  for (guint i = 0; i < N_READS; i++)
    {
      double t0 = kt_test_embed_now ();
      g_autoptr(KtHostTuning) t = kt_host_probe_local ();

      g_array_append_vals (local_ms, (double[]) { (kt_test_embed_now () - t0) * 1000 }, 1);
    }
  report ("read the host, local (tuned, sysfs, procfs)", local_ms);

  env.skip_reason = kt_test_embed_missing ();
  if (env.skip_reason != NULL)
    {
      g_print ("libvirt figures skipped: %s\n", env.skip_reason);
      return 0;
    }
  for (guint i = 0; guarded[i]; i++)
    kt_test_knob_guard_save (guarded[i]);
  atexit (teardown);
  g_test_set_nonfatal_assertions ();
  if (!kt_test_embed_ensure (&env))
    g_error ("no embed root");

  for (guint i = 0; i < N_READS; i++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = kt_test_embed_now ();
      g_autoptr(KtHostTuning) t = kt_host_probe (env.conn, &error);

      if (t == NULL)
        g_error ("%s", error->message);
      g_array_append_vals (libvirt_ms, (double[]) { (kt_test_embed_now () - t0) * 1000 }, 1);
    }
  report ("read the host through libvirt (qemu:///embed)", libvirt_ms);

  bench_apply ();
  teardown ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", state);
  }
  return 0;
}
