/* bench-planner.c: the planner's speed and quality, for `meson test --benchmark`
 *
 * (a) `plan` of one 16-vCPU VM, and `plan --all` of 40 VMs, on a generated
 *     448-PU host (8 nodes, 2 per socket, 28 cores of 2 threads each, 2 L3
 *     groups per node); median wall time (targets: 10 ms and 1 s).
 * (b) The planner's total cost against the greedy packer of the tests
 *     (tests/kt-test-planner.c) on each fixture host, empty and with two
 *     other VMs, as a table.
 *
 * Prints figures; asserts nothing about time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kt-planner.h"
#include "kt-test-planner.h"
#include "kt-test-util.h"

#define ONE_RUNS 50
#define ALL_RUNS 5

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof v[0], cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 8 nodes × 28 cores × 2 threads; threads numbered like Linux (all first
 * threads, then all second ones) */
static char *
make_caps (void)
{
  const guint nodes = 8, cores = 28, per_l3 = 14, total = nodes * cores;
  GString *s = g_string_new ("<capabilities><host><cpu><arch>x86_64</arch></cpu><topology>");
  g_autoptr(GString) banks = g_string_new (NULL);

  g_string_append_printf (s, "<cells num='%u'>", nodes);
  for (guint n = 0; n < nodes; n++)
    {
      g_string_append_printf (s, "<cell id='%u'><memory unit='KiB'>%u</memory>"
                                 "<pages unit='KiB' size='4'>%u</pages>"
                                 "<pages unit='KiB' size='2048'>4096</pages><distances>",
                              n, 64u << 20, 8u << 20);
      for (guint m = 0; m < nodes; m++)
        g_string_append_printf (s, "<sibling id='%u' value='%u'/>", m,
                                m == n ? 10 : m / 2 == n / 2 ? 12 : 32);
      g_string_append_printf (s, "</distances><cpus num='%u'>", cores * 2);
      for (guint c = 0; c < cores; c++)
        {
          guint a = n * cores + c, b = a + total;

          for (guint t = 0; t < 2; t++)
            g_string_append_printf (s, "<cpu id='%u' socket_id='%u' die_id='0' core_id='%u' "
                                       "siblings='%u,%u'/>", t ? b : a, n / 2,
                                    (n % 2) * cores + c, a, b);
        }
      g_string_append (s, "</cpus></cell>");
      for (guint l = 0; l < cores / per_l3; l++)
        {
          guint first = n * cores + l * per_l3, last = first + per_l3 - 1;

          g_string_append_printf (banks, "<bank id='%u' level='3' type='both' size='32768' "
                                         "unit='KiB' cpus='%u-%u,%u-%u'/>",
                                  n * 2 + l, first, last, first + total, last + total);
        }
    }
  g_string_append_printf (s, "</cells></topology><cache>%s</cache></host></capabilities>",
                          banks->str);
  return g_string_free (s, FALSE);
}

/* 40 VMs without pins: the first has 16 vCPUs, the others 4 to 12 */
static KtSnapshot *
make_snapshot (const char *caps)
{
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_new (caps, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%02u", i);
      g_autoptr(KtVm) vm = tp_make_vm (name, "", "", i == 0 ? 16 : 4 + (i * 5) % 9);

      g_assert_true (kt_snapshot_add_vm (s, vm, NULL));
    }
  return s;
}

static GPtrArray *
requests_of (KtSnapshot *s,
             guint       from)
{
  GPtrArray *reqs = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_planner_request_free);
  GListModel *vms = kt_snapshot_get_vms (s);

  for (guint i = from; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      KtPlannerRequest *r = kt_planner_request_new_for_vm (vm);

      r->memory_kib = 8u << 20;
      g_ptr_array_add (reqs, r);
    }
  return reqs;
}

static double
time_one (KtSnapshot *s,
          guint       vcpus,
          const char *label)
{
  KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
  g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("vm00", vcpus, 8u << 20);
  double t[ONE_RUNS];
  double cost = 0, bound = 0;

  for (guint r = 0; r < ONE_RUNS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(KtPlanner) planner = kt_planner_new (s, &policy);
      g_autoptr(KtProposal) p = kt_planner_plan (planner, req);

      t[r] = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_true (p->feasible);
      cost = p->cost;
      bound = p->lower_bound;
    }
  g_print ("plan, %u vCPUs, %s: %.2f ms median of %d (target <= 10 ms for 16); cost %g, "
           "lower bound %g\n", vcpus, label, median (t, ONE_RUNS), ONE_RUNS, cost, bound);
  return cost;
}

static void
bench_speed (void)
{
  g_autofree char *caps = make_caps ();
  g_autoptr(KtSnapshot) s = make_snapshot (caps);
  g_autoptr(GPtrArray) all = requests_of (s, 0);
  KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
  double t[ALL_RUNS];
  double total = 0;
  guint feasible = 0, vcpus = 0;

  g_print ("# (a) generated host: %u PUs, %u nodes, %u cores; wall time\n",
           kt_host_get_n_cpus (kt_snapshot_get_host (s)),
           kt_host_get_n_nodes (kt_snapshot_get_host (s)),
           kt_host_get_n_cores (kt_snapshot_get_host (s)));
  time_one (s, 16, "empty host");
  time_one (s, 100, "empty host");

  for (guint r = 0; r < ALL_RUNS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(KtPlanner) planner = kt_planner_new (s, &policy);
      g_autoptr(GPtrArray) plans = kt_planner_plan_all (planner, all, &total);

      t[r] = (g_get_monotonic_time () - start) / 1000.0;
      feasible = vcpus = 0;
      for (guint i = 0; i < plans->len; i++)
        {
          const KtProposal *p = g_ptr_array_index (plans, i);

          feasible += p->feasible;
          vcpus += p->vcpupin->len;
        }
    }
  g_print ("plan --all, 40 VMs (%u vCPUs): %.1f ms median of %d (target <= 1000 ms); "
           "%u feasible, total cost %g\n", vcpus, median (t, ALL_RUNS), ALL_RUNS, feasible, total);

  /* The other 39 where plan --all put them; then the 16-vCPU VM */
  {
    g_autoptr(GPtrArray) rest = requests_of (s, 1);
    g_autoptr(KtPlanner) planner = kt_planner_new (s, &policy);
    g_autoptr(GPtrArray) plans = kt_planner_plan_all (planner, rest, NULL);

    for (guint i = 0; i < plans->len; i++)
      {
        const KtProposal *p = g_ptr_array_index (plans, i);
        KtVm *vm = kt_snapshot_lookup_vm (s, p->domain);
        g_autoptr(KtDomain) d = kt_domain_copy (kt_vm_get_inactive (vm));

        if (p->feasible && kt_proposal_edit_domain (p, d, NULL))
          kt_vm_set_definitions (vm, NULL, d);
      }
    time_one (s, 16, "39 VMs placed");
  }
}

/* (b) Planner against the greedy packer ---------------------------------- */

static void
bench_quality (void)
{
  g_autoptr(GPtrArray) names = kt_test_list_fixtures ("hosts", ".xml");
  g_autoptr(GPtrArray) edge = kt_test_list_fixtures ("hosts/edge", ".xml");
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  double sum_p = 0, sum_g = 0;

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/%s", (char *) g_ptr_array_index (names, i)));
  for (guint i = 0; i < edge->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/edge/%s", (char *) g_ptr_array_index (edge, i)));

  g_print ("\n# (b) dedicated VMs, empty host and with two other VMs: total cost where both "
           "place the VM\n");
  g_print ("%-50s %5s %9s %9s %8s %9s\n", "host", "reqs", "planner", "greedy", "at LB",
           "only-plan");
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *path = kt_test_fixture_path (g_ptr_array_index (paths, i));
      double tp = 0, tg = 0;
      guint n = 0, at_lb = 0, only = 0;

      for (int busy = 0; busy < 2; busy++)
        {
          World w = { 0, };
          guint online;

          tp_world_init (&w, path, busy);
          online = kt_cpuset_count (kt_host_get_online_cpus (w.host));
          {
            const Case cases[] = {
              { "1", 1, 1, 256 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "2", 2, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "4", 4, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "6/2", 6, 2, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "8", 8, 1, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "half", MAX (online / 2, 1), 1, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
              { "3/4", MAX (online * 3 / 4, 1), 1, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0,
                FALSE },
            };

            for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
              {
                KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
                g_autoptr(KtPlanner) planner = kt_planner_new (w.snapshot, &policy);
                g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("planned",
                                                                          cases[c].vcpus,
                                                                          cases[c].memory_kib);
                g_autoptr(KtProposal) p = NULL;
                g_autoptr(GPtrArray) pins = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                            kt_cpuset_free);
                g_autoptr(GArray) mem = g_array_new (FALSE, FALSE, sizeof (KtPlannerNodeMemory));
                GArray *cells = g_array_new (FALSE, FALSE, sizeof (KtPlannerCell));

                req->threads_per_core = cases[c].T;
                p = kt_planner_plan (planner, req);
                if (tp_greedy_pack (&w, &cases[c], NULL, pins, mem, cells) && p->feasible)
                  {
                    Layout l = { pins, mem, cells, cases[c].T, p->fewest_nodes, p->fewest_l3,
                                 p->fewest_sockets };
                    KtPlannerCostParts parts;

                    tg += tp_recompute (&w, &l, &parts);
                    tp += p->cost;
                    n++;
                    at_lb += p->cost <= p->lower_bound + 1e-9;
                  }
                else if (p->feasible)
                  only++;
                tp_free_cells (cells);
              }
          }
          tp_world_clear (&w);
        }
      g_print ("%-50s %5u %9.1f %9.1f %5u/%-2u %9u\n",
               (char *) g_ptr_array_index (paths, i) + strlen ("hosts/"), n, tp, tg, at_lb, n,
               only);
      sum_p += tp;
      sum_g += tg;
    }
  g_print ("%-50s %5s %9.1f %9.1f\n", "all", "", sum_p, sum_g);
}

int
main (int    argc,
      char **argv)
{
  bench_speed ();
  bench_quality ();
  return 0;
}
