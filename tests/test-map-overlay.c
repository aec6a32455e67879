/* test-map-overlay.c: chips, spans and conflicts over the map layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-map-overlay.h"
#include "kt-test-util.h"

static void
check_chips (const KtMapLayout  *layout,
             const KtMapOverlay *overlay)
{
  const GPtrArray *chips = kt_map_overlay_get_chips (overlay);

  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);
      const KtMapBox *pu = kt_map_layout_get_pu (layout, chip->cpu);
      const KtMapChip *hit;

      g_assert_nonnull (pu);
      g_assert_true (kt_map_rect_contains (&pu->rect, &chip->rect));
      g_assert_true (kt_cpuset_contains (chip->allowed, chip->cpu));
      hit = kt_map_overlay_hit_chip (overlay, chip->rect.x + chip->rect.width / 2,
                                     chip->rect.y + chip->rect.height / 2);
      g_assert_true (hit == chip);
      for (guint j = i + 1; j < chips->len; j++)
        {
          const KtMapChip *other = g_ptr_array_index (chips, j);

          if (other->cpu == chip->cpu)
            g_assert_false (kt_map_rect_overlaps (&chip->rect, &other->rect));
        }
    }
}

static void
test_demo (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, NULL, layout);
  g_autoptr(GPtrArray) on0 = kt_map_overlay_chips_on (overlay, 0);
  g_autoptr(GPtrArray) on7 = kt_map_overlay_chips_on (overlay, 7);
  KtVm *dev = kt_snapshot_lookup_vm (s, "dev-sandbox");
  gboolean dev_floats = FALSE;
  const GPtrArray *spans = kt_map_overlay_get_spans (overlay);

  check_chips (layout, overlay);

  /* PU 0: web1 vCPU 0 and web2 vCPU 0, a conflict */
  g_assert_cmpuint (on0->len, ==, 2);
  g_assert_true (kt_map_overlay_cpu_is_shared (overlay, 0));
  g_assert_false (kt_map_overlay_cpu_is_shared (overlay, 8));
  g_assert_cmpuint (on7->len, ==, 0);

  /* dev-sandbox floats over 0-31 */
  for (guint i = 0; i < spans->len; i++)
    {
      const KtMapSpan *span = g_ptr_array_index (spans, i);

      if (span->vm == dev && span->kind == KT_THREAD_VCPU)
        {
          g_autofree char *set = kt_cpuset_format (span->allowed);

          g_assert_cmpstr (set, ==, "0-31");
          dev_floats = TRUE;
        }
    }
  g_assert_true (dev_floats);
  g_assert_cmpuint (kt_map_overlay_get_n_vms (overlay), ==, 8);
  g_assert_cmpuint (kt_map_overlay_vm_index (overlay, dev), ==, 7);
}

static void
test_pending (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(KtMapOverlay) overlay = NULL;
  g_autoptr(GPtrArray) on17 = NULL;
  g_autoptr(KtCpuset) target = kt_test_parse_set ("17");
  g_autoptr(GError) error = NULL;
  guint vcpu = 0;
  gboolean found = FALSE;

  g_assert_true (kt_plan_pin (plan, kt_snapshot_lookup_vm (s, "web1"), &vcpu, 1, target, &error));
  overlay = kt_map_overlay_new (s, plan, layout);
  check_chips (layout, overlay);
  on17 = kt_map_overlay_chips_on (overlay, 17);
  for (guint i = 0; i < on17->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (on17, i);

      if (g_str_equal (kt_vm_get_name (chip->vm), "web1"))
        {
          g_assert_true (chip->pending);
          found = TRUE;
        }
      else
        g_assert_false (chip->pending);
    }
  g_assert_true (found);
  /* cache's vCPU 2 is on 17 too: now shared */
  g_assert_true (kt_map_overlay_cpu_is_shared (overlay, 17));
}

static void
test_fixture_hosts (void)
{
  g_autoptr(GPtrArray) hosts = kt_test_list_fixtures ("hosts", ".xml");
  g_autofree char *dom = kt_test_fixture_path ("domains/cputune.xml");

  for (guint i = 0; i < hosts->len; i++)
    {
      g_autofree char *rel = g_build_filename ("hosts", g_ptr_array_index (hosts, i), NULL);
      g_autofree char *caps = kt_test_fixture_path (rel);
      const char *domains[] = { dom, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(KtSnapshot) s = kt_snapshot_new_from_files (caps, domains, &error);
      g_autoptr(KtMapLayout) layout = NULL;
      g_autoptr(KtMapOverlay) overlay = NULL;

      g_assert_no_error (error);
      layout = kt_map_layout_new (kt_snapshot_get_host (s));
      overlay = kt_map_overlay_new (s, NULL, layout);
      /* cputune.xml pins to CPUs 0 and 1, which some hosts lack or have offline */
      check_chips (layout, overlay);
    }
}

static GArray *
observed_vcpus (int first_cpu,
                ...)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (KtObservedVcpu));
  va_list args;

  va_start (args, first_cpu);
  for (int cpu = first_cpu, i = 0; cpu != G_MININT; cpu = va_arg (args, int), i++)
    {
      KtObservedVcpu v = { i, cpu, cpu < 0 ? KT_OBSERVED_OFFLINE : KT_OBSERVED_RUNNING };

      g_array_append_val (a, v);
    }
  va_end (args);
  return a;
}

/* Observed placement: dots for running VMs, inside their pCPU's box, one
 * per vCPU, apart; nothing for VMs that do not run or are unknown */
static void
test_observed (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (kt_snapshot_get_host (s));
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (s, NULL, layout);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) on3 = NULL;
  g_autoptr(GPtrArray) on9 = NULL;
  const GPtrArray *dots;
  KtVm *web1 = kt_snapshot_lookup_vm (s, "web1");

  g_assert_cmpuint (kt_map_overlay_get_observed (overlay)->len, ==, 0);
  g_hash_table_insert (seen, "web1", observed_vcpus (3, 3, 9, -1, G_MININT));
  g_hash_table_insert (seen, "build-runner", observed_vcpus (3, G_MININT));   /* shut off */
  g_hash_table_insert (seen, "no-such-vm", observed_vcpus (3, G_MININT));
  kt_map_overlay_set_observed (overlay, seen);

  dots = kt_map_overlay_get_observed (overlay);
  g_assert_cmpuint (dots->len, ==, 3);
  for (guint i = 0; i < dots->len; i++)
    {
      const KtMapObserved *o = g_ptr_array_index (dots, i);
      const KtMapBox *pu = kt_map_layout_get_pu (layout, o->cpu);

      g_assert_true (o->vm == web1);
      g_assert_cmpuint (o->vm_index, ==, kt_map_overlay_vm_index (overlay, web1));
      g_assert_true (kt_map_rect_contains (&pu->rect, &o->rect));
      g_assert_cmpfloat (o->rect.width, >, 0);
      for (guint j = i + 1; j < dots->len; j++)
        {
          const KtMapObserved *other = g_ptr_array_index (dots, j);

          if (other->cpu == o->cpu)
            g_assert_false (kt_map_rect_overlaps (&o->rect, &other->rect));
        }
    }
  on3 = kt_map_overlay_observed_on (overlay, 3);
  on9 = kt_map_overlay_observed_on (overlay, 9);
  g_assert_cmpuint (on3->len, ==, 2);
  g_assert_cmpuint (on9->len, ==, 1);

  kt_map_overlay_set_observed (overlay, NULL);
  g_assert_cmpuint (kt_map_overlay_get_observed (overlay)->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/map-overlay/demo", test_demo);
  g_test_add_func ("/map-overlay/pending", test_pending);
  g_test_add_func ("/map-overlay/fixture-hosts", test_fixture_hosts);
  g_test_add_func ("/map-overlay/observed", test_observed);
  return g_test_run ();
}
