/* kt-advisor-rules-cpu.c: the advisor's rules about vCPUs, pCPUs and the
 * CPU model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"

static char *
fmt (const KtCpuset *set)
{
  return kt_cpuset_format (set);
}

/* vcpus-exceed-host ------------------------------------------------------ */

static void
vcpus_exceed_host (KtAdvisorContext *ctx,
                   KtAdvVm          *v)
{
  guint n_host = kt_cpuset_count (kt_host_get_online_cpus (ctx->host));
  KtFinding *f;
  g_autofree char *n_text = NULL;

  if (v->t->vcpus <= n_host || n_host == 0)
    return;
  n_text = g_strdup_printf ("%u", n_host);
  f = kt_advisor_add (ctx, "vcpus-exceed-host", KT_SEVERITY_ERROR, v->name,
                      g_strdup_printf (_("%s has more vCPUs than the host has pCPUs"), v->name),
                      g_strdup_printf (_("%s has %u vCPUs and the host %s online pCPUs: its vCPUs "
                                         "preempt each other, and a guest spinning on a lock "
                                         "waits for a vCPU that is not running (lock-holder "
                                         "preemption)."),
                                       v->name, v->t->vcpus, n_text));
  f->vcpus = kt_cpuset_new_range (n_host, v->t->vcpus - 1);
  f->fix = kt_fix_new (NULL);
  g_free (f->fix->summary);
  f->fix->summary = g_strdup_printf (_("By hand: lower the vCPU count to at most %s "
                                       "(virsh setvcpus %s %s --maximum --config)"),
                                     n_text, v->name, n_text);
}

/* housekeeping-cpu-used --------------------------------------------------- */

static void
housekeeping_cpu_used (KtAdvisorContext *ctx,
                       KtAdvVm          *v)
{
  g_autoptr(KtCpuset) vcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) pcpus = kt_cpuset_new ();
  g_autoptr(KtFix) fix = NULL;
  g_autoptr(KtCpuset) taken = kt_cpuset_new ();
  g_autofree char *rs = NULL;
  g_autofree char *ps = NULL;
  gboolean manual = FALSE;
  KtFinding *f;

  if (kt_cpuset_is_empty (ctx->reserved))
    return;
  fix = kt_fix_new (_("Move the vCPUs off the host’s reserved CPUs"));
  for (guint i = 0; i < v->threads->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (v->threads, i);
      g_autoptr(KtCpuset) both = NULL;
      g_autoptr(KtCpuset) rest = NULL;

      if (p->kind != KT_THREAD_VCPU || p->source == KT_PIN_SOURCE_NUMAD
          || !kt_cpuset_intersects (p->allowed, ctx->reserved))
        continue;
      both = kt_cpuset_intersection (p->allowed, ctx->reserved);
      kt_cpuset_add (vcpus, p->index);
      kt_cpuset_union_in (pcpus, both);
      rest = kt_cpuset_difference (p->allowed, ctx->reserved);
      if (kt_cpuset_is_empty (rest) || (p->pinned && kt_cpuset_count (p->allowed) == 1))
        {
          /* A vCPU of its own pCPU: a free one of the same node */
          g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (ctx->host, p->allowed);
          g_autoptr(KtCpuset) node_cpus = kt_host_cpus_of_nodes (ctx->host, nodes);
          g_autoptr(KtCpuset) free_all = kt_advisor_free_cpus (ctx, node_cpus);
          g_autoptr(KtCpuset) free_cpus = kt_cpuset_difference (free_all, taken);
          g_autoptr(KtCpuset) one = kt_advisor_pick_cpus (ctx, free_cpus, 1);

          if (one == NULL)
            {
              manual = TRUE;
              continue;
            }
          g_clear_pointer (&rest, kt_cpuset_free);
          rest = g_steal_pointer (&one);
          kt_cpuset_union_in (taken, rest);
        }
      kt_fix_add_pin (fix, KT_FIX_VCPUPIN, v->name, p->index, rest);
    }
  if (kt_cpuset_is_empty (vcpus))
    return;
  rs = fmt (ctx->reserved);
  ps = fmt (pcpus);
  f = kt_advisor_add (ctx, "housekeeping-cpu-used", KT_SEVERITY_ERROR, v->name,
                      g_strdup_printf (_("%s runs vCPUs on the host’s reserved CPUs %s"),
                                       v->name, ps),
                      g_strdup_printf (_("CPUs %s are kept for the host (housekeeping: "
                                         "interrupts, kernel threads, QEMU’s own threads). A "
                                         "vCPU there competes with them, and both lose: "
                                         "latency spikes for the guest, a sluggish host."), rs));
  f->vcpus = g_steal_pointer (&vcpus);
  f->pcpus = g_steal_pointer (&pcpus);
  if (manual)
    {
      g_ptr_array_set_size (fix->steps, 0);
      g_free (fix->summary);
      fix->summary = g_strdup (_("By hand: there is no free pCPU on the vCPUs’ nodes; "
                                 "free one, or place the VM elsewhere (kvmtune-cli plan)"));
    }
  f->fix = g_steal_pointer (&fix);
}

/* needless-node-span ------------------------------------------------------- */

static gboolean
node_fits (KtAdvisorContext *ctx,
           const KtAdvVm    *v,
           int               node)
{
  const KtHostNode *n = kt_host_lookup_node (ctx->host, node);

  if (n == NULL || kt_cpuset_count (n->online_cpus) < v->n_vcpus)
    return FALSE;
  return !n->has_memory || n->memory_kib >= v->t->memory_kib;
}

static void
needless_node_span (KtAdvisorContext *ctx,
                    KtAdvVm          *v)
{
  int best = -1;
  guint best_count = 0;
  g_autoptr(KtCpuset) target_cpus = NULL;
  g_autoptr(KtCpuset) moving = kt_cpuset_new ();
  g_autoptr(KtCpuset) away = NULL;
  g_autoptr(KtFix) fix = NULL;
  g_autoptr(KtCpuset) target = NULL;
  g_autofree char *ns = NULL;
  g_autofree char *node_text = NULL;
  gboolean manual = FALSE;
  KtFinding *f;

  if (kt_cpuset_count (v->vcpu_nodes) < 2 || v->t->cells->len > 1 || v->n_pinned < v->n_vcpus)
    return;
  /* The node holding most of its vCPUs that can hold them all */
  for (int n = kt_cpuset_first (v->vcpu_nodes); n >= 0; n = kt_cpuset_next (v->vcpu_nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (ctx->host, n);
      g_autoptr(KtCpuset) on = NULL;

      if (!node_fits (ctx, v, n))
        continue;
      on = kt_cpuset_intersection (v->vcpu_pinned, node->cpus);
      if (best < 0 || kt_cpuset_count (on) > best_count)
        {
          best = n;
          best_count = kt_cpuset_count (on);
        }
    }
  if (best < 0)
    return;

  ns = fmt (v->vcpu_nodes);
  node_text = g_strdup_printf ("%d", best);
  target = kt_cpuset_new_range (best, best);
  target_cpus = kt_host_cpus_of_nodes (ctx->host, target);
  away = kt_cpuset_difference (v->vcpu_pinned, target_cpus);
  fix = kt_fix_new (NULL);
  fix->summary = g_strdup_printf (_("Move the vCPUs on other nodes to free pCPUs of node %s, "
                                    "and bind the memory there"), node_text);
  {
    g_autoptr(GArray) single = g_array_new (FALSE, FALSE, sizeof (guint));
    g_autoptr(KtCpuset) free_cpus = kt_advisor_free_cpus (ctx, target_cpus);
    g_autoptr(KtCpuset) picked = NULL;
    int next = -1;

    for (guint i = 0; i < v->threads->len; i++)
      {
        const KtPlacement *p = g_ptr_array_index (v->threads, i);

        if (p->kind != KT_THREAD_VCPU || kt_cpuset_is_subset (p->allowed, target_cpus))
          continue;
        kt_cpuset_add (moving, p->index);
        if (kt_cpuset_count (p->allowed) == 1)
          g_array_append_val (single, p->index);
        else
          {
            g_autoptr(KtCpuset) in = kt_cpuset_intersection (p->allowed, target_cpus);

            /* A pin set stays a set: one pCPU would be a 1:1 pin, on a
             * pCPU others may use */
            if (kt_cpuset_count (in) < 2)
              {
                g_autoptr(KtCpuset) own = kt_cpuset_intersection (v->vcpu_pinned, target_cpus);

                kt_cpuset_union_in (in, own);
              }
            if (kt_cpuset_count (in) < 2)
              {
                g_autoptr(KtCpuset) more = kt_cpuset_difference (free_cpus, in);

                if (!kt_cpuset_is_empty (more))
                  kt_cpuset_add (in, kt_cpuset_first (more));
              }
            if (kt_cpuset_count (in) < 2)
              manual = TRUE;
            else
              kt_fix_add_pin (fix, KT_FIX_VCPUPIN, v->name, p->index, in);
          }
      }
    if (single->len > 0)
      {
        picked = kt_advisor_pick_cpus (ctx, free_cpus, single->len);
        if (picked == NULL)
          manual = TRUE;
        for (guint i = 0; picked != NULL && i < single->len; i++)
          {
            g_autoptr(KtCpuset) one = NULL;

            next = kt_cpuset_next (picked, next);
            one = kt_cpuset_new_range (next, next);
            kt_fix_add_pin (fix, KT_FIX_VCPUPIN, v->name, g_array_index (single, guint, i), one);
          }
      }
  }
  if (!manual && (kt_adv_vm_mem_nodes (v) == NULL
                  || !kt_cpuset_equal (kt_adv_vm_mem_nodes (v), target)))
    kt_fix_add_numatune (fix, v->name,
                         v->t->numa_nodeset && g_strcmp0 (v->t->numa_mode, "interleave") != 0
                         ? v->t->numa_mode : kt_adv_numa_mode_for (ctx, v, target), target);

  f = kt_advisor_add (ctx, "needless-node-span", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s spans NUMA nodes %s although it fits in node %s"),
                                       v->name, ns, node_text),
                      g_strdup_printf (_("Its %u vCPUs and its memory fit in one node, yet its "
                                         "vCPUs are pinned over nodes %s. Every access to memory "
                                         "or cache on the other node crosses the interconnect: "
                                         "NUMA misses cost 10 %% or more."),
                                       v->n_vcpus, ns));
  f->vcpus = g_steal_pointer (&moving);
  f->pcpus = g_steal_pointer (&away);
  f->nodes = kt_cpuset_copy (v->vcpu_nodes);
  if (manual)
    {
      g_ptr_array_set_size (fix->steps, 0);
      g_free (fix->summary);
      fix->summary = g_strdup_printf (_("By hand: node %s has too few free pCPUs for the vCPUs "
                                        "on other nodes; free some, or let kvmtune-cli plan %s "
                                        "place the VM"), node_text, v->name);
    }
  f->fix = g_steal_pointer (&fix);
}

/* emulator-placement and iothreads-floating --------------------------------- */

static const KtPlacement *
find_thread (const KtAdvVm *v,
             KtThreadKind   kind,
             guint          index)
{
  for (guint i = 0; i < v->threads->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (v->threads, i);

      if (p->kind == kind && p->index == index)
        return p;
    }
  return NULL;
}

static void
emulator_placement (KtAdvisorContext *ctx,
                    KtAdvVm          *v)
{
  const KtPlacement *e = find_thread (v, KT_THREAD_EMULATOR, 0);
  g_autoptr(KtCpuset) vm_nodes = NULL;
  g_autoptr(KtCpuset) e_nodes = NULL;
  g_autoptr(KtCpuset) target = NULL;
  g_autofree char *es = NULL;
  g_autofree char *ns = NULL;
  char *title = NULL;
  char *why = NULL;
  KtFinding *f;

  if (e == NULL || v->n_pinned == 0 || e->source == KT_PIN_SOURCE_NUMAD)
    return;
  vm_nodes = kt_cpuset_copy (v->vcpu_nodes);
  if (kt_adv_vm_mem_nodes (v) != NULL)
    kt_cpuset_union_in (vm_nodes, kt_adv_vm_mem_nodes (v));
  e_nodes = kt_host_nodes_of_cpus (ctx->host, e->allowed);
  es = fmt (e->allowed);
  ns = fmt (vm_nodes);

  if (e->pinned && kt_cpuset_intersects (e->allowed, v->vcpu_pinned))
    {
      title = g_strdup_printf (_("%s runs its emulator threads on its own vCPUs’ pCPUs"), v->name);
      why = g_strdup_printf (_("The emulator threads (pinned to %s) handle I/O and timers; on the "
                               "vCPUs’ pCPUs they steal time from the guest exactly when it "
                               "waits for them, which shows as latency spikes."), es);
    }
  else if (e->pinned && !kt_cpuset_is_subset (e_nodes, vm_nodes))
    {
      g_autofree char *ens = fmt (e_nodes);

      title = g_strdup_printf (_("%s runs its emulator threads on node %s, away from the VM"),
                               v->name, ens);
      why = g_strdup_printf (_("The emulator threads (pinned to %s) touch the guest’s memory on "
                               "every I/O; from another node than the VM’s (%s) each access is "
                               "remote: NUMA misses cost 10 %% or more."), es, ns);
    }
  else if (!e->pinned && v->n_pinned == v->n_vcpus && kt_cpuset_intersects (e->allowed, v->vcpu_pinned))
    {
      title = g_strdup_printf (_("%s’s emulator threads float over its vCPUs’ pCPUs"), v->name);
      why = g_strdup_printf (_("Its vCPUs are pinned, but its emulator threads may run anywhere "
                               "in %s, its vCPUs’ pCPUs included, where they steal time from "
                               "the guest."), es);
    }
  else
    return;

  f = kt_advisor_add (ctx, "emulator-placement", KT_SEVERITY_WARNING, v->name, title, why);
  f->pcpus = kt_cpuset_copy (e->allowed);
  f->nodes = g_steal_pointer (&vm_nodes);
  target = kt_adv_helper_target (ctx, v);
  if (target != NULL)
    {
      g_autofree char *ts = fmt (target);

      f->fix = kt_fix_new (NULL);
      f->fix->summary = g_strdup_printf (_("Pin the emulator threads to %s, on the VM’s node "
                                           "but off its vCPUs"), ts);
      kt_fix_add_pin (f->fix, KT_FIX_EMULATORPIN, v->name, 0, target);
    }
  else
    {
      f->fix = kt_fix_new (NULL);
      g_free (f->fix->summary);
      f->fix->summary = g_strdup (_("By hand: the VM’s node has no pCPU left outside its vCPUs "
                                    "and other VMs’ dedicated ones; reserve one for the "
                                    "emulator (kvmtune-cli plan --emulator isolate)"));
    }
}

static void
iothreads_floating (KtAdvisorContext *ctx,
                    KtAdvVm          *v)
{
  const KtPlacement *e = find_thread (v, KT_THREAD_EMULATOR, 0);
  g_autoptr(KtCpuset) ids = kt_cpuset_new ();
  g_autoptr(KtCpuset) target = NULL;
  g_autofree char *is = NULL;
  KtFinding *f;

  if (v->n_pinned == 0)
    return;
  for (guint i = 0; i < v->threads->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (v->threads, i);

      if (p->kind == KT_THREAD_IOTHREAD && !p->pinned && p->source != KT_PIN_SOURCE_NUMAD)
        kt_cpuset_add (ids, p->index);
    }
  if (kt_cpuset_is_empty (ids))
    return;
  is = fmt (ids);
  f = kt_advisor_add (ctx, "iothreads-floating", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s IOThreads %s float while its vCPUs are pinned"),
                                       v->name, is),
                      g_strdup (_("An IOThread without a pin runs anywhere on the host: on "
                                  "other VMs’ dedicated pCPUs, on this VM’s own vCPUs’, or on "
                                  "another node than the memory it moves.")));
  f->nodes = kt_cpuset_copy (v->vcpu_nodes);
  /* With the emulator when it is well placed, else where it should go */
  if (e != NULL && e->pinned && !kt_cpuset_intersects (e->allowed, v->vcpu_pinned))
    target = kt_cpuset_copy (e->allowed);
  else
    target = kt_adv_helper_target (ctx, v);
  f->fix = kt_fix_new (NULL);
  if (target == NULL)
    {
      g_free (f->fix->summary);
      f->fix->summary = g_strdup (_("By hand: the VM’s node has no pCPU left outside its vCPUs "
                                    "and other VMs’ dedicated ones for its IOThreads"));
      return;
    }
  {
    g_autofree char *ts = fmt (target);

    f->fix->summary = g_strdup_printf (_("Pin the IOThreads to %s, on the VM’s node but off its "
                                         "vCPUs"), ts);
  }
  for (int id = kt_cpuset_first (ids); id >= 0; id = kt_cpuset_next (ids, id))
    kt_fix_add_pin (f->fix, KT_FIX_IOTHREADPIN, v->name, id, target);
}

/* smt-mismatch -------------------------------------------------------------- */

/* The host core of vCPU @vcpu's 1:1 pin, or -1 */
static int
core_of_vcpu (KtAdvisorContext *ctx,
              const KtTuning   *t,
              guint             vcpu,
              int              *cpu_out)
{
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);
  const KtHostCpu *cpu;

  if (pin == NULL || kt_cpuset_count (pin) != 1)
    return -1;
  cpu = kt_host_lookup_cpu (ctx->host, kt_cpuset_first (pin));
  if (cpu == NULL)
    return -1;
  if (cpu_out)
    *cpu_out = cpu->id;
  return (int) cpu->core_index;
}

/* Pairs of the VM's 1:1 vCPUs on one host core, for a guest without SMT */
static gboolean
siblings_shared (KtAdvisorContext *ctx,
                 const KtTuning   *t,
                 KtCpuset         *vcpus_out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean any = FALSE;

  for (guint vcpu = 0; vcpu < t->vcpus; vcpu++)
    {
      int core = core_of_vcpu (ctx, t, vcpu, NULL);
      gpointer first;

      if (core < 0)
        continue;
      if (g_hash_table_lookup_extended (seen, GINT_TO_POINTER (core), NULL, &first))
        {
          if (vcpus_out)
            {
              kt_cpuset_add (vcpus_out, GPOINTER_TO_UINT (first));
              kt_cpuset_add (vcpus_out, vcpu);
            }
          any = TRUE;
        }
      else
        g_hash_table_insert (seen, GINT_TO_POINTER (core), GUINT_TO_POINTER (vcpu));
    }
  return any;
}

static void
smt_guest_split (KtAdvisorContext *ctx,
                 KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  g_autoptr(KtCpuset) vcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) pcpus = kt_cpuset_new ();
  g_autoptr(KtFix) fix = kt_fix_new (NULL);
  gboolean repin = TRUE;
  KtFinding *f;

  for (guint first = 0; first + t->threads <= t->vcpus; first += t->threads)
    {
      int core0 = core_of_vcpu (ctx, t, first, NULL);
      gboolean split = FALSE;

      if (core0 < 0)
        continue;
      for (guint k = 1; k < t->threads; k++)
        {
          int c = core_of_vcpu (ctx, t, first + k, NULL);

          if (c < 0)
            break;
          split |= c != core0;
        }
      if (!split)
        continue;
      for (guint k = 0; k < t->threads; k++)
        {
          kt_cpuset_add (vcpus, first + k);
          if (kt_tuning_get_vcpupin (t, first + k))
            kt_cpuset_union_in (pcpus, kt_tuning_get_vcpupin (t, first + k));
        }
      /* Onto the threads of the first vCPU's host core, when they are free */
      if (repin)
        {
          const KtHostCore *core = kt_host_get_core (ctx->host, core0);
          g_autoptr(KtCpuset) others = kt_cpuset_copy (core->cpus);
          int cpu = -1;

          for (guint k = 0; k < t->threads; k++)
            if (kt_tuning_get_vcpupin (t, first + k))
              {
                g_autoptr(KtCpuset) o = kt_cpuset_difference (others,
                                                              kt_tuning_get_vcpupin (t, first + k));
                g_clear_pointer (&others, kt_cpuset_free);
                others = g_steal_pointer (&o);
              }
          {
            g_autoptr(KtCpuset) busy = kt_cpuset_intersection (others, ctx->all_pinned);
            g_autoptr(KtCpuset) off = kt_cpuset_intersection (others, ctx->reserved);

            if (kt_cpuset_count (core->cpus) < t->threads || !kt_cpuset_is_empty (busy)
                || !kt_cpuset_is_empty (off)
                || !kt_cpuset_is_subset (core->cpus, kt_host_get_online_cpus (ctx->host)))
              repin = FALSE;
          }
          for (guint k = 0; repin && k < t->threads; k++)
            {
              g_autoptr(KtCpuset) one = NULL;

              cpu = kt_cpuset_next (core->cpus, cpu);
              one = kt_cpuset_new_range (cpu, cpu);
              kt_fix_add_pin (fix, KT_FIX_VCPUPIN, v->name, first + k, one);
            }
        }
    }
  if (kt_cpuset_is_empty (vcpus))
    return;

  f = kt_advisor_add (ctx, "smt-mismatch", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s guest SMT siblings are not host SMT siblings"),
                                       v->name),
                      g_strdup_printf (_("The guest is told its vCPUs come in cores of %u threads "
                                         "and schedules as if they shared caches and execution "
                                         "units, but they run on different host cores. The "
                                         "guest scheduler’s choices then work against it."),
                                       t->threads));
  f->vcpus = g_steal_pointer (&vcpus);
  f->pcpus = g_steal_pointer (&pcpus);
  if (repin)
    {
      fix->summary = g_strdup (_("Pin each guest core’s threads to the threads of one host "
                                 "core"));
      f->fix = g_steal_pointer (&fix);
      return;
    }
  /* Else: tell the guest the truth, one thread per core */
  f->fix = kt_fix_new (NULL);
  {
    /* Only when no two of its vCPUs then share a host core */
    if (!siblings_shared (ctx, t, NULL))
      {
        g_free (f->fix->summary);
        f->fix->summary = g_strdup (_("Give the guest one thread per core (a config change: "
                                      "the guest sees it at its next boot)"));
        kt_fix_add_topology (f->fix, v->name, t->sockets, t->dies,
                             t->cores * t->threads, 1);
      }
    else
      {
        g_free (f->fix->summary);
        f->fix->summary = g_strdup (_("By hand: pin each guest core’s threads to the threads of "
                                      "one host core (the host cores’ siblings are taken)"));
      }
  }
}

static void
smt_host_siblings (KtAdvisorContext *ctx,
                   KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  g_autoptr(KtCpuset) vcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) pcpus = kt_cpuset_new ();
  gboolean pairs = t->vcpus % 2 == 0;
  KtFinding *f;

  if (!siblings_shared (ctx, t, vcpus))
    return;
  for (int vcpu = kt_cpuset_first (vcpus); vcpu >= 0; vcpu = kt_cpuset_next (vcpus, vcpu))
    kt_cpuset_union_in (pcpus, kt_tuning_get_vcpupin (t, vcpu));
  /* vCPUs 2k and 2k+1 on one host core, all through: a guest with 2 threads per core */
  for (guint k = 0; pairs && k + 1 < t->vcpus; k += 2)
    {
      int a = core_of_vcpu (ctx, t, k, NULL);
      int b = core_of_vcpu (ctx, t, k + 1, NULL);

      pairs = a >= 0 && a == b;
    }

  f = kt_advisor_add (ctx, "smt-mismatch", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s vCPUs share host cores, but its guest has no SMT"),
                                       v->name),
                      g_strdup (_("Two of its vCPUs run on the SMT siblings of one host core, "
                                  "yet the guest sees separate cores and spreads work over them "
                                  "as if they did not share execution units: each gets about "
                                  "60 % of a core when both are busy.")));
  f->vcpus = g_steal_pointer (&vcpus);
  f->pcpus = g_steal_pointer (&pcpus);
  f->fix = kt_fix_new (NULL);
  g_free (f->fix->summary);
  if (pairs && t->vcpus >= 2)
    {
      guint sockets = t->has_topology ? MAX (t->sockets, 1) : 1;
      guint dies = t->has_topology ? MAX (t->dies, 1) : 1;

      if ((t->vcpus / 2) % (sockets * dies) != 0)
        sockets = dies = 1;
      f->fix->summary = g_strdup (_("Tell the guest its vCPUs come in pairs of threads, as they "
                                    "run (a config change: the guest sees it at its next boot)"));
      kt_fix_add_topology (f->fix, v->name, sockets, dies, t->vcpus / 2 / (sockets * dies), 2);
    }
  else
    f->fix->summary = g_strdup (_("By hand: pin its vCPUs to different host cores, or give the "
                                  "guest a topology with 2 threads per core matching the pins"));
}

static void
smt_mismatch (KtAdvisorContext *ctx,
              KtAdvVm          *v)
{
  if (v->t->has_topology && v->t->threads > 1)
    smt_guest_split (ctx, v);
  else
    smt_host_siblings (ctx, v);
}

/* hotplug-vcpus-unpinned ------------------------------------------------------ */

static void
hotplug_vcpus_unpinned (KtAdvisorContext *ctx,
                        KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  g_autoptr(KtCpuset) unpinned = kt_cpuset_new ();
  g_autoptr(KtCpuset) online_pins = kt_cpuset_new ();
  gboolean all_single = TRUE;
  guint n_online_pinned = 0;
  g_autofree char *us = NULL;
  g_autoptr(KtCpuset) picked = NULL;
  KtFinding *f;

  for (guint vcpu = 0; vcpu < t->vcpus; vcpu++)
    {
      const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

      if (kt_tuning_vcpu_is_online (t, vcpu))
        {
          if (pin != NULL)
            {
              n_online_pinned++;
              kt_cpuset_union_in (online_pins, pin);
              all_single &= kt_cpuset_count (pin) == 1;
            }
        }
      else if (pin == NULL)
        kt_cpuset_add (unpinned, vcpu);
    }
  if (n_online_pinned == 0 || kt_cpuset_is_empty (unpinned))
    return;
  us = fmt (unpinned);
  f = kt_advisor_add (ctx, "hotplug-vcpus-unpinned", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s hot-pluggable vCPUs %s have no pin"), v->name, us),
                      g_strdup (_("Its online vCPUs are pinned, but the vCPUs above the current "
                                  "count are not: when they are hot-added they float over the "
                                  "whole host, other VMs’ dedicated pCPUs and other nodes "
                                  "included.")));
  f->vcpus = kt_cpuset_copy (unpinned);
  f->fix = kt_fix_new (NULL);
  if (all_single)
    {
      g_autoptr(KtCpuset) node_cpus = kt_host_cpus_of_nodes (ctx->host, v->vcpu_nodes);
      g_autoptr(KtCpuset) free_cpus = kt_advisor_free_cpus (ctx, node_cpus);

      picked = kt_advisor_pick_cpus (ctx, free_cpus, kt_cpuset_count (unpinned));
    }
  if (picked != NULL)
    {
      int cpu = -1;

      f->fix->summary = g_strdup (_("Pin each hot-pluggable vCPU to a free pCPU of the VM’s "
                                    "node"));
      for (int vcpu = kt_cpuset_first (unpinned); vcpu >= 0; vcpu = kt_cpuset_next (unpinned, vcpu))
        {
          g_autoptr(KtCpuset) one = NULL;

          cpu = kt_cpuset_next (picked, cpu);
          one = kt_cpuset_new_range (cpu, cpu);
          kt_fix_add_pin (f->fix, KT_FIX_VCPUPIN, v->name, vcpu, one);
        }
    }
  else
    {
      g_autofree char *ps = fmt (online_pins);

      f->fix->summary = g_strdup_printf (_("Pin the hot-pluggable vCPUs to the VM’s own pCPUs "
                                           "%s"), ps);
      for (int vcpu = kt_cpuset_first (unpinned); vcpu >= 0; vcpu = kt_cpuset_next (unpinned, vcpu))
        kt_fix_add_pin (f->fix, KT_FIX_VCPUPIN, v->name, vcpu, online_pins);
    }
}

/* nested-needs-passthrough and host-cpu-blocks-migration ---------------------- */

static void
nested_needs_passthrough (KtAdvisorContext *ctx,
                          KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  const char *feature = NULL;
  KtFinding *f;

  if (g_strcmp0 (t->cpu_mode, "host-passthrough") == 0 || g_strcmp0 (t->cpu_mode, "maximum") == 0)
    return;
  for (guint i = 0; i < t->cpu_features->len && feature == NULL; i++)
    {
      const KtCpuFeature *cf = &g_array_index (t->cpu_features, KtCpuFeature, i);

      if ((g_strcmp0 (cf->name, "vmx") == 0 || g_strcmp0 (cf->name, "svm") == 0)
          && (cf->policy == NULL || g_str_equal (cf->policy, "require")
              || g_str_equal (cf->policy, "force")))
        feature = cf->name;
    }
  if (feature == NULL)
    return;
  f = kt_advisor_add (ctx, "nested-needs-passthrough", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s requires %s (nested virtualization) without "
                                         "host-passthrough"), v->name, feature),
                      g_strdup_printf (_("Its CPU mode is %s. Nested guests need the host’s "
                                         "virtualization extensions as they are; a named model "
                                         "or host-model leaves out %s capabilities (VMCS "
                                         "shadowing, EPT/NPT details) the nested hypervisor "
                                         "relies on, and it runs slowly or not at all."),
                                       t->cpu_mode ? t->cpu_mode : "custom", feature));
  f->fix = kt_fix_new (_("Set the CPU mode to host-passthrough (a config change; the VM then "
                         "migrates only to hosts with the same CPU)"));
  kt_fix_add_cpu_mode (f->fix, v->name, "host-passthrough", NULL);
}

static void
host_cpu_blocks_migration (KtAdvisorContext *ctx,
                           KtAdvVm          *v)
{
  const char *mode = v->t->cpu_mode;
  const char *model = kt_host_get_cpu_model (ctx->host);
  KtFinding *f;

  if (g_strcmp0 (mode, "host-passthrough") != 0 && g_strcmp0 (mode, "host-model") != 0)
    return;
  f = kt_advisor_add (ctx, "host-cpu-blocks-migration", KT_SEVERITY_INFO, v->name,
                      g_strdup_printf (_("%s uses %s: it migrates only to hosts with the same "
                                         "CPU"), v->name, mode),
                      g_str_equal (mode, "host-passthrough")
                      ? g_strdup (_("host-passthrough gives the guest this host’s exact CPU; "
                                    "live migration to a host with another CPU model fails or "
                                    "crashes the guest. That is fine for a VM that stays here."))
                      : g_strdup (_("host-model gives the guest this host’s CPU model as "
                                    "libvirt names it; the VM migrates only to hosts that have "
                                    "all of its features. That is fine for a VM that stays "
                                    "here.")));
  f->fix = kt_fix_new (NULL);
  g_free (f->fix->summary);
  f->fix->summary = g_strdup_printf (_("By hand, if it must migrate: give it a named model every "
                                       "host of the cluster has (kvmtune-cli cpu-model %s custom "
                                       "MODEL; this host’s is %s)"),
                                     v->name, model ? model : "?");
}

/**
 * kt_advisor_rules_cpu:
 *
 * The per-VM rules about vCPUs, pCPUs and the CPU model.
 */
void
kt_advisor_rules_cpu (KtAdvisorContext *ctx,
                      KtAdvVm          *v)
{
  vcpus_exceed_host (ctx, v);
  housekeeping_cpu_used (ctx, v);
  needless_node_span (ctx, v);
  emulator_placement (ctx, v);
  iothreads_floating (ctx, v);
  smt_mismatch (ctx, v);
  hotplug_vcpus_unpinned (ctx, v);
  nested_needs_passthrough (ctx, v);
  host_cpu_blocks_migration (ctx, v);
}
