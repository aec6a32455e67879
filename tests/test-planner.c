/* test-planner.c: the placement planner on every host fixture
 *
 * For each host in $KT_FIXTURES/hosts (and hosts/edge), empty and with two
 * other VMs on it, and for a set of requests and policies:
 *  - the plan honours every hard constraint, checked here from its pins;
 *  - its cost equals the test's own recomputation from the pins;
 *  - it is never above a greedy packer in the style of Kubernetes' CPU
 *    manager (whole nodes, whole cores, then threads, first fit), written
 *    here;
 *  - its lower bound is at most its cost, and infeasible requests say so.
 * Plus: a new dedicated VM sits at the lower bound on ordinary 1- and
 * 2-socket hosts; plan_all is deterministic, keeps the VMs apart and is
 * never above placing them one by one; the JSON keys; kvmtune-cli plan,
 * and plan --apply through the session (the planned pins and memnodes
 * written, all VMs or none).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "kt-planner.h"
#include "kt-test-planner.h"
#include "kt-test-util.h"

static void
check_constraints (World            *w,
                   const Case       *c,
                   const KtCpuset   *reserved,
                   const KtProposal *p)
{
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autoptr(KtCpuset) vnodes = kt_cpuset_new ();
  g_autoptr(KtCpuset) cell_vcpus = kt_cpuset_new ();
  guint64 total = 0, cells_total = 0;
  gboolean dedicated = c->cpu == KT_PLANNER_DEDICATED;

  g_assert_cmpuint (p->vcpupin->len, ==, c->vcpus);
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

      g_assert_false (kt_cpuset_is_empty (set));
      for (int cpu = kt_cpuset_first (set); cpu >= 0; cpu = kt_cpuset_next (set, cpu))
        {
          /* never reserved, offline, or another VM's dedicated pCPU; a
           * dedicated vCPU on nothing any other thread uses */
          g_assert_true (tp_usable (w, reserved, cpu, dedicated));
          kt_cpuset_add (vnodes, (guint) kt_host_lookup_cpu (w->host, cpu)->node);
        }
      if (dedicated)
        {
          g_assert_cmpuint (kt_cpuset_count (set), ==, 1);
          g_assert_false (kt_cpuset_intersects (set, all));   /* one pCPU per vCPU */
        }
      kt_cpuset_union_in (all, set);
    }
  if (dedicated && c->threads == KT_PLANNER_THREADS_ISOLATE)
    for (int cpu = kt_cpuset_first (all); cpu >= 0; cpu = kt_cpuset_next (all, cpu))
      {
        const KtHostCpu *hc = kt_host_lookup_cpu (w->host, cpu);
        g_autoptr(KtCpuset) mine = kt_cpuset_intersection (hc->siblings, all);

        g_assert_cmpuint (kt_cpuset_count (mine), ==, 1);
        g_assert_false (tp_core_runs_other (w, hc));
      }
  if (dedicated && c->threads == KT_PLANNER_THREADS_REQUIRE)
    for (int cpu = kt_cpuset_first (all); cpu >= 0; cpu = kt_cpuset_next (all, cpu))
      {
        const KtHostCore *core = tp_core_of (w, cpu);

        for (int s = kt_cpuset_first (core->cpus); s >= 0; s = kt_cpuset_next (core->cpus, s))
          g_assert_true (!kt_host_lookup_cpu (w->host, s)->online
                         || kt_cpuset_contains (all, (guint) s));
      }
  g_assert_nonnull (p->emulatorpin);
  if (c->emulator == KT_PLANNER_EMULATOR_ISOLATE)
    {
      g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (w->host, p->emulatorpin);

      g_assert_false (kt_cpuset_intersects (p->emulatorpin, all));
      g_assert_true (kt_cpuset_is_subset (nodes, vnodes));
      for (int e = kt_cpuset_first (p->emulatorpin); e >= 0; e = kt_cpuset_next (p->emulatorpin, e))
        g_assert_true (tp_usable (w, reserved, e, FALSE));
    }
  /* Memory: all of it, within each node's room (or page pool), on the
   * numatune nodes */
  g_assert_cmpstr (p->numa_mode, ==, "strict");
  for (guint i = 0; i < p->memory->len; i++)
    {
      const KtPlannerNodeMemory *m = &g_array_index (p->memory, KtPlannerNodeMemory, i);
      guint64 room = tp_node_room (w, m->node, c->huge);

      total += m->kib;
      g_assert_true (kt_cpuset_contains (p->nodeset, (guint) m->node));
      if (c->huge > 0)
        g_assert_cmpuint ((m->kib + c->huge - 1) / c->huge * c->huge, <=, room);
      else
        g_assert_cmpuint (m->kib, <=, room);
    }
  g_assert_cmpuint (total, ==, c->memory_kib);
  if (c->huge > 0)
    {
      guint64 pages = 0;

      for (guint i = 0; i < p->hugepages->len; i++)
        pages += g_array_index (p->hugepages, KtPlannerPages, i).pages;
      g_assert_cmpuint (pages * c->huge, >=, c->memory_kib);
    }
  /* Cells cover every vCPU once and all the memory */
  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *cell = &g_array_index (p->cells, KtPlannerCell, i);

      g_assert_false (kt_cpuset_intersects (cell_vcpus, cell->vcpus));
      kt_cpuset_union_in (cell_vcpus, cell->vcpus);
      g_assert_true (kt_cpuset_is_subset (cell->nodeset, p->nodeset));
      cells_total += cell->memory_kib;
    }
  if (p->cells->len > 0)
    {
      g_assert_cmpuint (kt_cpuset_count (cell_vcpus), ==, c->vcpus);
      g_assert_cmpuint (cells_total, ==, c->memory_kib);
    }
  else
    g_assert_cmpuint (kt_cpuset_count (vnodes), ==, 1);
}

/* The fewest nodes, L3 groups and sockets, for the simple policies */
static void
check_fewest (World            *w,
              const Case       *c,
              const KtCpuset   *reserved,
              const KtProposal *p)
{
  guint N = kt_host_get_n_nodes (w->host);
  guint best = 0;
  gboolean dedicated = c->cpu == KT_PLANNER_DEDICATED;

  if (N > 16 || (dedicated && c->threads != KT_PLANNER_THREADS_PREFER)
      || c->emulator != KT_PLANNER_EMULATOR_SHARE)
    return;
  for (guint mask = 1; mask < (1u << N); mask++)
    {
      guint64 cpus = 0, mem = 0;
      guint k = (guint) __builtin_popcount (mask);

      for (guint i = 0; i < N; i++)
        if (mask & (1u << i))
          {
            const KtHostNode *node = kt_host_get_node (w->host, i);
            guint64 room = tp_node_room (w, node->id, c->huge);

            for (int cpu = kt_cpuset_first (node->cpus); cpu >= 0;
                 cpu = kt_cpuset_next (node->cpus, cpu))
              cpus += tp_usable (w, reserved, cpu, dedicated);
            mem = room == G_MAXUINT64 || mem == G_MAXUINT64 ? G_MAXUINT64 : mem + room;
          }
      if (cpus >= c->vcpus && mem >= c->memory_kib && (best == 0 || k < best))
        best = k;
    }
  g_assert_cmpuint (p->fewest_nodes, ==, best);
}

/* One host ------------------------------------------------------------------ */

typedef struct
{
  double planner;
  double greedy;
  guint  compared;
  guint  feasible;
  guint  infeasible;
} Tally;

static void
run_case (World      *w,
          const Case *c,
          Tally      *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) reserved = NULL;
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("planned", c->vcpus, c->memory_kib);
  g_autoptr(KtProposal) p = NULL;
  g_autoptr(GPtrArray) gpins = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(GArray) gmem = g_array_new (FALSE, FALSE, sizeof (KtPlannerNodeMemory));
  GArray *gcells = g_array_new (FALSE, FALSE, sizeof (KtPlannerCell));
  KtPlannerPolicy policy = { c->cpu, c->threads, c->emulator, NULL };
  KtPlannerCostParts mine;
  gboolean greedy_ok = FALSE;
  guint usable_n = 0;
  guint64 room = 0;

  if (c->reserve_two)
    {
      g_autoptr(GArray) online = kt_cpuset_to_array (kt_host_get_online_cpus (w->host));

      reserved = kt_cpuset_new ();
      for (guint i = 0; i < 2 && i < online->len; i++)
        kt_cpuset_add (reserved, (guint) g_array_index (online, int, online->len - 1 - i));
      policy.reserved = reserved;
    }
  req->threads_per_core = c->T;
  req->hugepage_kib = c->huge;
  planner = kt_planner_new (w->snapshot, &policy);
  p = kt_planner_plan (planner, req);

  for (int cpu = kt_cpuset_first (kt_host_get_all_cpus (w->host)); cpu >= 0;
       cpu = kt_cpuset_next (kt_host_get_all_cpus (w->host), cpu))
    usable_n += tp_usable (w, reserved, cpu, c->cpu == KT_PLANNER_DEDICATED);
  for (guint i = 0; i < kt_host_get_n_nodes (w->host); i++)
    {
      guint64 r = tp_node_room (w, kt_host_get_node (w->host, i)->id, c->huge);

      room = r == G_MAXUINT64 || room == G_MAXUINT64 ? G_MAXUINT64 : room + r;
    }
  if (c->cpu == KT_PLANNER_DEDICATED && c->threads == KT_PLANNER_THREADS_PREFER
      && c->emulator == KT_PLANNER_EMULATOR_SHARE && c->T == 1)
    greedy_ok = tp_greedy_pack (w, c, reserved, gpins, gmem, gcells);

  if (!p->feasible)
    {
      g_assert_nonnull (p->reason);
      g_assert_cmpstr (p->reason, !=, "");
      /* Only when the test too finds no room, or a policy it does not model */
      g_assert_false (greedy_ok);
      if (c->threads == KT_PLANNER_THREADS_PREFER && c->emulator == KT_PLANNER_EMULATOR_SHARE
          && c->T == 1)
        g_assert_true (usable_n < c->vcpus || room < c->memory_kib);
      tally->infeasible++;
      tp_free_cells (gcells);
      return;
    }
  tally->feasible++;
  check_constraints (w, c, reserved, p);
  check_fewest (w, c, reserved, p);
  {
    Layout l = { p->vcpupin, p->memory, p->cells, c->T, p->fewest_nodes, p->fewest_l3,
                 p->fewest_sockets };
    double cost = tp_recompute (w, &l, &mine);

    g_assert_cmpfloat_with_epsilon (cost, p->cost, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.half_cores, p->parts.half_cores, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.smt, p->parts.smt, 1e-6);
    g_assert_cmpfloat_with_epsilon (mine.shared_cores, p->parts.shared_cores, 1e-6);
    g_assert_cmpfloat (p->lower_bound, <=, p->cost + 1e-9);
    g_assert_cmpuint (p->explanation->len, >, 2);
  }
  if (greedy_ok)
    {
      Layout g = { gpins, gmem, gcells, c->T, p->fewest_nodes, p->fewest_l3, p->fewest_sockets };
      KtPlannerCostParts parts;
      double gc = tp_recompute (w, &g, &parts);

      if (p->cost > gc + 1e-6)
        g_test_message ("%s: planner %g > greedy %g", c->label, p->cost, gc);
      g_assert_cmpfloat (p->cost, <=, gc + 1e-6);
      tally->planner += p->cost;
      tally->greedy += gc;
      tally->compared++;
    }
  tp_free_cells (gcells);
}

static void
test_host (gconstpointer data)
{
  const char *path = data;
  Tally tally = { 0, };

  for (int busy = 0; busy < 2; busy++)
    {
      World w = { 0, };
      guint n_online;
      guint64 huge;

      tp_world_init (&w, path, busy);
      n_online = kt_cpuset_count (kt_host_get_online_cpus (w.host));
      huge = tp_pool_size (w.host);
      {
        const Case cases[] = {
          { "2 vCPUs", 2, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "half the host", MAX (n_online / 2, 1), 1, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0,
            FALSE },
          { "the whole host", n_online, 1, 256 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "too many vCPUs", n_online + 1, 1, 256 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "too much memory", 1, 1, G_GUINT64_CONSTANT (1) << 40, 0, KT_PLANNER_DEDICATED, 0, 0,
            FALSE },
          { "guest SMT", 4, 2, 1024 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, FALSE },
          { "shared", 3, 1, 512 * 1024, 0, KT_PLANNER_SHARED, 0, 0, FALSE },
          { "shared SMT", 4, 2, 512 * 1024, 0, KT_PLANNER_SHARED, 0, 0, FALSE },
          { "isolate", 2, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, KT_PLANNER_THREADS_ISOLATE,
            KT_PLANNER_EMULATOR_ISOLATE, FALSE },
          { "require", 4, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, KT_PLANNER_THREADS_REQUIRE, 0,
            FALSE },
          { "emulator isolate", 3, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0,
            KT_PLANNER_EMULATOR_ISOLATE, FALSE },
          { "reserved", 3, 1, 512 * 1024, 0, KT_PLANNER_DEDICATED, 0, 0, TRUE },
          { "huge pages", 2, 1, 2 * huge, huge, KT_PLANNER_DEDICATED, 0, 0, FALSE },
        };

        for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
          {
            if (cases[i].huge == 0 && g_str_equal (cases[i].label, "huge pages"))
              continue;
            g_test_message ("%s, %s: %s", path, busy ? "busy" : "empty", cases[i].label);
            run_case (&w, &cases[i], &tally);
          }
      }
      tp_world_clear (&w);
    }
  g_test_message ("planner %g vs greedy %g over %u requests (%u feasible, %u infeasible)",
                  tally.planner, tally.greedy, tally.compared, tally.feasible, tally.infeasible);
  g_assert_cmpuint (tally.infeasible, >, 0);   /* "too many vCPUs" at least */
}

/* Ordinary hosts: a new dedicated VM at the lower bound ---------------------- */

static void
test_lower_bound (void)
{
  const char *hosts[] = {
    "hosts/real-32intel64-2p8co2t+8ve.xml",      /* 2 sockets, SMT */
    "hosts/real-memorysidecaches.xml",           /* 2 sockets, 4 nodes, SMT */
    "hosts/real-20em64t-hybrid-1p6c2t+2ca4co1t.xml", /* 1 socket, hybrid */
    "hosts/real-offline-cpu0-node0.xml",         /* 2 sockets */
    "hosts/libvirt-caps-test3.xml",              /* 2 nodes */
    "hosts/real-40intel64-4n10c+pci-conflicts.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    for (guint n = 1; n <= 8; n++)
      {
        g_autofree char *path = kt_test_fixture_path (hosts[i]);
        World w = { 0, };
        KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
        g_autoptr(KtPlanner) planner = NULL;
        g_autoptr(KtPlannerRequest) req = kt_planner_request_new ("new", n, 1024 * 1024);
        g_autoptr(KtProposal) p = NULL;

        tp_world_init (&w, path, FALSE);
        planner = kt_planner_new (w.snapshot, &policy);
        p = kt_planner_plan (planner, req);
        g_assert_true (p->feasible);
        g_test_message ("%s, %u vCPUs: cost %g, bound %g", hosts[i], n, p->cost, p->lower_bound);
        g_assert_cmpfloat_with_epsilon (p->cost, p->lower_bound, 1e-9);
        /* one node, one L3 group where one holds it */
        g_assert_cmpfloat (p->parts.nodes + p->parts.l3 + p->parts.sockets, ==, 0);
        tp_world_clear (&w);
      }
}

/* plan_all ---------------------------------------------------------------------- */

static KtSnapshot *
snapshot_with_vms (const char *caps_path,
                   guint       n_vms)
{
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  KtSnapshot *s = kt_snapshot_new (caps, NULL, NULL);

  for (guint i = 0; i < n_vms; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);
      g_autoptr(KtVm) vm = tp_make_vm (name, "", "", 2 + (i * 3) % 5);

      g_assert_true (kt_snapshot_add_vm (s, vm, NULL));
    }
  return s;
}

static GPtrArray *
requests_of (KtSnapshot *s)
{
  GPtrArray *reqs = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_planner_request_free);
  GListModel *vms = kt_snapshot_get_vms (s);

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      g_ptr_array_add (reqs, kt_planner_request_new_for_vm (vm));
    }
  return reqs;
}

static char *
all_as_json (GPtrArray *proposals)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < proposals->len; i++)
    {
      g_autoptr(JsonNode) node = kt_proposal_to_json (g_ptr_array_index (proposals, i));
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append (s, text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_plan_all (void)
{
  g_autofree char *path = kt_test_fixture_path ("hosts/real-32intel64-2p8co2t+8ve.xml");
  g_autoptr(KtSnapshot) s = snapshot_with_vms (path, 7);
  g_autoptr(GPtrArray) reqs = requests_of (s);
  KtPlannerPolicy policy = { KT_PLANNER_DEDICATED, 0, 0, NULL };
  g_autoptr(KtPlanner) planner = kt_planner_new (s, &policy);
  double total = 0, again = 0, one_by_one = 0;
  g_autoptr(GPtrArray) first = kt_planner_plan_all (planner, reqs, &total);
  g_autoptr(GPtrArray) second = kt_planner_plan_all (planner, reqs, &again);
  g_autofree char *a = all_as_json (first);
  g_autofree char *b = all_as_json (second);
  g_autoptr(KtCpuset) taken = kt_cpuset_new ();

  g_assert_cmpstr (a, ==, b);   /* deterministic */
  g_assert_cmpfloat (total, ==, again);
  for (guint i = 0; i < first->len; i++)
    {
      const KtProposal *p = g_ptr_array_index (first, i);

      g_assert_true (p->feasible);
      for (guint v = 0; v < p->vcpupin->len; v++)
        {
          const KtCpuset *set = g_ptr_array_index (p->vcpupin, v);

          g_assert_false (kt_cpuset_intersects (taken, set));   /* never shared */
          kt_cpuset_union_in (taken, set);
        }
    }

  /* One by one, by hand: each VM planned after the earlier ones took
   * their plans; the later ones have no pins yet */
  for (guint i = 0; i < reqs->len; i++)
    {
      const KtPlannerRequest *r = g_ptr_array_index (reqs, i);
      g_autoptr(KtPlanner) one = kt_planner_new (s, &policy);
      g_autoptr(KtProposal) p = kt_planner_plan (one, r);
      KtVm *vm = kt_snapshot_lookup_vm (s, r->name);
      g_autoptr(KtDomain) d = kt_domain_copy (kt_vm_get_inactive (vm));
      g_autoptr(GError) error = NULL;

      g_assert_true (p->feasible);
      one_by_one += p->cost;
      g_assert_true (kt_proposal_edit_domain (p, d, &error));
      g_assert_no_error (error);
      kt_vm_set_definitions (vm, NULL, d);
    }
  g_test_message ("plan_all %g, one by one %g", total, one_by_one);
  g_assert_cmpfloat (total, <=, one_by_one + 1e-9);
}

/* JSON and the CLI ------------------------------------------------------------- */

static void
assert_keys (JsonObject *o)
{
  const char *keys[] = { "domain", "feasible", "reason", "vcpupin", "emulatorpin", "iothreadpin",
                         "numatune", "memnodes", "cells", "hugepages", "cost", "cost_parts",
                         "lower_bound", "explanation" };

  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (o, keys[i]));
}

static int
run_cli (char **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  int status;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("KT_CLI"));
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  if (err && *err)
    g_test_message ("stderr: %s", err);
  g_assert_null (strstr (err, "CRITICAL"));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-32intel64-2p8co2t+8ve.xml");
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "web", "--vcpus", "4",
                            "--memory", "2048", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  assert_keys (o);
  g_assert_true (json_object_get_boolean_member (o, "feasible"));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (o, "vcpupin")), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "numatune"),
                                                  "mode"), ==, "strict");
  g_clear_pointer (&out, g_free);

  /* Infeasible: exit status 1, the reason in the JSON */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "big", "--vcpus", "40",
                            "--memory", "1024", "--json", NULL), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  assert_keys (o);
  g_assert_false (json_object_get_boolean_member (o, "feasible"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "reason"), "40"));
  g_clear_pointer (&out, g_free);

  /* --all on the demo host: {"plans": [...], "cost"} */
  {
    g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
    JsonArray *plans;

    g_assert_cmpint (run_cli (&out, "--snapshot", demo, "plan", "--all", "--json", NULL), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpuint (json_object_get_size (o), ==, 2);
    plans = json_object_get_array_member (o, "plans");
    g_assert_cmpuint (json_array_get_length (plans), ==, 8);
    for (guint i = 0; i < json_array_get_length (plans); i++)
      assert_keys (json_array_get_object_element (plans, i));
    g_assert_true (json_object_has_member (o, "cost"));
    g_clear_pointer (&out, g_free);
  }

  /* Bad input names the problem */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "x", "--vcpus", "2",
                            "--memory", "64", "--policy", "greedy", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "x", "--vcpus", "2",
                            "--memory", "64", "--reserve", "4096", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "x", "--memory", "64", NULL),
                   ==, 2);
  g_clear_pointer (&out, g_free);

  /* Every CPU reserved: infeasible, and why */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "plan", "--new", "x", "--vcpus", "1",
                            "--memory", "64", "--reserve", "0-31", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "infeasible"));
  g_clear_pointer (&out, g_free);
}

/* --apply --dry-run changes nothing; --apply lands in the snapshot file */
static void
test_cli_apply (void)
{
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autofree char *dir = g_dir_make_tmp ("kt-planner-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "demo.kvmtune", NULL);
  g_autofree char *before = kt_test_read_file (demo, NULL);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtTuning) t = NULL;

  g_assert_true (g_file_set_contents (copy, before, -1, NULL));
  /* A running VM: live calls and the config, as the tuning verbs make them */
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "web1", "--apply", "--live",
                            "--config", "--dry-run", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "virDomainPinVcpuFlags: web1 vCPU 0"));
  g_assert_nonnull (strstr (out, "virDomainSetNumaParameters: web1"));
  g_assert_nonnull (strstr (out, "virDomainDefineXMLFlags: web1"));
  g_clear_pointer (&out, g_free);

  /* Every VM; a running one backed by huge pages keeps them as written,
   * which live calls could not change */
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "--all", "--apply", "--dry-run",
                            NULL), ==, 0);
  {
    guint previews = 0;

    for (const char *at = out; (at = strstr (at, "Would call:")) != NULL; at++)
      previews++;
    g_assert_cmpuint (previews, ==, 8);
  }
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply",
                            "--dry-run", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Would call:"));
  after = kt_test_read_file (copy, NULL);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "Applied."));
  s = kt_snapshot_load_file (copy, &error);
  g_assert_no_error (error);
  t = kt_domain_get_tuning (kt_vm_get_inactive (kt_snapshot_lookup_vm (s, "dev-sandbox")));
  g_assert_cmpuint (t->vcpupin->len, ==, t->vcpus);
  g_assert_cmpstr (t->numa_mode, ==, "strict");
  g_assert_nonnull (t->numa_nodeset);
  g_clear_pointer (&out, g_free);

  /* Planned again: the VM is where the planner wants it, nothing to change */
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "dev-sandbox", "--apply", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "Nothing to change."));
  g_unlink (copy);
  g_rmdir (dir);
}

/* plan --all --apply --live --config: build-runner is shut off, so there
 * is nothing to change live; the VMs before it are not applied either,
 * and the snapshot file is as it was */
static void
test_cli_apply_all_or_none (void)
{
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autofree char *dir = g_dir_make_tmp ("kt-planner-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "demo.kvmtune", NULL);
  g_autofree char *before = kt_test_read_file (demo, NULL);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (copy, before, -1, NULL));
  g_assert_cmpint (run_cli (&out, "--snapshot", copy, "plan", "--all", "--apply", "--live",
                            "--config", NULL), ==, 1);
  g_assert_null (strstr (out, "Applied."));
  after = kt_test_read_file (copy, NULL);
  g_assert_cmpstr (after, ==, before);
  g_unlink (copy);
  g_rmdir (dir);
}

/* --live --config where the two definitions differ in what the plan
 * changes (their huge page sizes): refused with the way out, and the
 * file as it was */
static void
test_cli_apply_defs_differ (void)
{
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autofree char *dir = g_dir_make_tmp ("kt-planner-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "demo.kvmtune", NULL);
  g_autofree char *text = kt_test_read_file (demo, NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(KtTestRun) r = { 0, };
  char *inactive = strstr (strstr (text, "<vm name=\"db-primary\""), "<inactive>");
  char *page = strstr (inactive, "<page size='1048576'");
  g_autoptr(GString) edited = g_string_new (NULL);

  /* The persistent definition's pages are 2 MiB, the live one's 1 GiB */
  g_assert_nonnull (page);
  g_string_append_len (edited, text, page - text);
  g_string_append (edited, "<page size='2048'");
  g_string_append (edited, page + strlen ("<page size='1048576'"));
  g_assert_true (g_file_set_contents (copy, edited->str, -1, NULL));
  before = kt_test_read_file (copy, NULL);
  kt_test_run_cli (&r, "--snapshot", copy, "plan", "db-primary", "--apply", "--live",
                   "--config");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "live and persistent definitions differ"));
  g_assert_nonnull (strstr (r.err, "one at a time"));
  after = kt_test_read_file (copy, NULL);
  g_assert_cmpstr (after, ==, before);
  /* One at a time, each goes */
  kt_test_run_cli (&r, "--snapshot", copy, "plan", "db-primary", "--apply", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_unlink (copy);
  g_rmdir (dir);
}

/* Two guest cells on one host node, cell 0's memory interleaved */
static const char cells_a_xml[] =
  "<domain type='kvm'>\n"
  "  <name>cells-a</name>\n"
  "  <memory unit='KiB'>2097152</memory>\n"
  "  <vcpu placement='static'>4</vcpu>\n"
  "  <numatune>\n"
  "    <memnode cellid='0' mode='interleave' nodeset='0-1'/>\n"
  "  </numatune>\n"
  "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
  "  <cpu>\n"
  "    <numa>\n"
  "      <cell id='0' cpus='0-1' memory='1048576' unit='KiB'/>\n"
  "      <cell id='1' cpus='2-3' memory='1048576' unit='KiB'/>\n"
  "    </numa>\n"
  "  </cpu>\n"
  "  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
  "</domain>\n";

/* 12 vCPUs over two nodes with --threads isolate, but its cells hold
 * every other vCPU: the plan's cells (0-3, 4-11) are not its own, which
 * the planner's writer refuses */
static const char cells_b_xml[] =
  "<domain type='kvm'>\n"
  "  <name>cells-b</name>\n"
  "  <memory unit='KiB'>2097152</memory>\n"
  "  <vcpu placement='static'>12</vcpu>\n"
  "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
  "  <cpu>\n"
  "    <numa>\n"
  "      <cell id='0' cpus='0,2,4,6,8,10' memory='1048576' unit='KiB'/>\n"
  "      <cell id='1' cpus='1,3,5,7,9,11' memory='1048576' unit='KiB'/>\n"
  "    </numa>\n"
  "  </cpu>\n"
  "  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
  "</domain>\n";

static KtTuning *
tuning_of_file (const char *path)
{
  g_autofree char *xml = kt_test_read_file (path, NULL);
  g_autoptr(KtDomain) d = NULL;
  g_autoptr(GError) error = NULL;

  d = kt_domain_new_from_xml (xml, -1, &error);
  g_assert_no_error (error);
  return kt_domain_get_tuning (d);
}

/* plan --apply on domain files: the planned pins land in the file, and
 * every memnode with the planner's mode (the interleaved one too); with
 * --all, a VM the plan cannot be written into stops every VM */
static void
test_cli_apply_domain_files (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-32intel64-2p8co2t+8ve.xml");
  g_autofree char *dir = g_dir_make_tmp ("kt-planner-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (dir, "cells-a.xml", NULL);
  g_autofree char *b = g_build_filename (dir, "cells-b.xml", NULL);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtTuning) t = NULL;
  JsonObject *o, *pins;
  const char *nodeset;

  g_assert_true (g_file_set_contents (a, cells_a_xml, -1, NULL));
  g_assert_true (g_file_set_contents (b, cells_b_xml, -1, NULL));

  /* All or none: cells-b refuses its plan, so cells-a is not changed */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "--domain", a, "--domain", b, "plan", "--all",
                            "--threads", "isolate", "--apply", NULL), ==, 1);
  g_assert_null (strstr (out, "Applied."));
  text = kt_test_read_file (a, NULL);
  g_assert_cmpstr (text, ==, cells_a_xml);
  g_clear_pointer (&text, g_free);
  text = kt_test_read_file (b, NULL);
  g_assert_cmpstr (text, ==, cells_b_xml);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&out, g_free);

  /* The plan, then applied: the file has its pins and memnodes */
  g_assert_cmpint (run_cli (&out, "--caps", caps, "--domain", a, "plan", "cells-a", "--json",
                            NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  pins = json_object_get_object_member (o, "vcpupin");
  g_assert_cmpuint (json_object_get_size (pins), ==, 4);
  nodeset = json_object_get_string_member (json_object_get_object_member (o, "numatune"),
                                           "nodeset");
  g_assert_nonnull (nodeset);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "cells")), ==, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--caps", caps, "--domain", a, "plan", "cells-a", "--apply",
                            NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Applied."));
  t = tuning_of_file (a);
  g_assert_cmpuint (t->vcpus, ==, 4);
  for (guint v = 0; v < 4; v++)
    {
      g_autofree char *key = g_strdup_printf ("%u", v);
      const KtCpuset *pin = kt_tuning_get_vcpupin (t, v);
      g_autofree char *got = pin != NULL ? kt_cpuset_format (pin) : NULL;

      g_assert_cmpstr (got, ==, json_object_get_string_member (pins, key));
    }
  {
    g_autofree char *ns = t->numa_nodeset ? kt_cpuset_format (t->numa_nodeset) : NULL;

    g_assert_cmpstr (ns, ==, nodeset);
  }
  /* Both cells' memory on the plan's nodes, strict: the interleaved one
   * too (the session's edits carry the planner's mode) */
  g_assert_cmpuint (t->memnodes->len, ==, 2);
  for (guint i = 0; i < t->memnodes->len; i++)
    {
      const KtMemnode *m = &g_array_index (t->memnodes, KtMemnode, i);
      g_autofree char *ns = kt_cpuset_format (m->nodeset);

      g_assert_cmpuint (m->cellid, ==, i);
      g_assert_cmpstr (m->mode, ==, KT_PLANNER_MEMNODE_MODE);
      g_assert_cmpstr (ns, ==, nodeset);
    }
  g_clear_pointer (&out, g_free);

  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) edge = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  names = kt_test_list_fixtures ("hosts", ".xml");
  edge = kt_test_list_fixtures ("hosts/edge", ".xml");
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/%s", (char *) g_ptr_array_index (names, i)));
  for (guint i = 0; i < edge->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("hosts/edge/%s", (char *) g_ptr_array_index (edge, i)));
  for (guint i = 0; i < paths->len; i++)
    {
      const char *rel = g_ptr_array_index (paths, i);
      g_autofree char *test = g_strdup_printf ("/planner/host/%s", rel + strlen ("hosts/"));
      char *path = kt_test_fixture_path (rel);

      g_test_add_data_func_full (test, path, test_host, g_free);
    }
  g_test_add_func ("/planner/lower-bound", test_lower_bound);
  g_test_add_func ("/planner/plan-all", test_plan_all);
  g_test_add_func ("/planner/cli", test_cli);
  g_test_add_func ("/planner/cli-apply", test_cli_apply);
  g_test_add_func ("/planner/cli-apply-all-or-none", test_cli_apply_all_or_none);
  g_test_add_func ("/planner/cli-apply-domain-files", test_cli_apply_domain_files);
  g_test_add_func ("/planner/cli-apply-defs-differ", test_cli_apply_defs_differ);
  return g_test_run ();
}
