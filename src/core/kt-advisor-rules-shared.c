/* kt-advisor-rules-shared.c: the advisor's rules between VMs:
 * dedicated-cpu-shared and dedicated-with-overcommit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"

/* dedicated-cpu-shared ------------------------------------------------------ */

/* For pCPU c: the VMs (positions) with a vCPU pinned to c alone */
typedef struct
{
  GArray **owners;     /* by CPU id: GArray of guint, or NULL */
  guint    n;
} Owners;

static void
owners_init (KtAdvisorContext *ctx,
             Owners           *o)
{
  int last = kt_cpuset_last (ctx->all_dedicated);

  o->n = last >= 0 ? (guint) last + 1 : 0;
  o->owners = g_new0 (GArray *, MAX (o->n, 1));
  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);

      for (int c = kt_cpuset_first (v->dedicated); c >= 0; c = kt_cpuset_next (v->dedicated, c))
        {
          if (o->owners[c] == NULL)
            o->owners[c] = g_array_new (FALSE, FALSE, sizeof (guint));
          g_array_append_val (o->owners[c], v->pos);
        }
    }
}

static void
owners_clear (Owners *o)
{
  for (guint i = 0; i < o->n; i++)
    if (o->owners[i])
      g_array_unref (o->owners[i]);
  g_free (o->owners);
}

/* The pCPUs other VMs have to themselves, as far as @v is concerned: a pCPU
 * @v too has to itself counts only against the VM listed before it, so
 * that two VMs on the same dedicated pCPUs give one finding, on the later */
static KtCpuset *
others_dedicated (KtAdvisorContext *ctx,
                  const Owners     *o,
                  const KtAdvVm    *v)
{
  KtCpuset *set = kt_cpuset_new ();

  for (guint c = 0; c < o->n; c++)
    {
      GArray *list = o->owners[c];
      gboolean own = FALSE, earlier = FALSE, other = FALSE;

      if (list == NULL)
        continue;
      for (guint k = 0; k < list->len; k++)
        {
          guint pos = g_array_index (list, guint, k);

          if (pos == v->pos)
            own = TRUE;
          else
            {
              other = TRUE;
              earlier |= pos < v->pos;
            }
        }
      if (!other || (own && !earlier))
        continue;
      kt_cpuset_add (set, c);
    }
  return set;
}

/* The VMs @v's use of @pcpus is against */
static void
owners_of (const Owners   *o,
           const KtAdvVm  *v,
           const KtCpuset *pcpus,
           KtCpuset       *owner_vms)
{
  for (int c = kt_cpuset_first (pcpus); c >= 0; c = kt_cpuset_next (pcpus, c))
    {
      GArray *list = (guint) c < o->n ? o->owners[c] : NULL;
      gboolean own = kt_cpuset_contains (v->dedicated, c);

      for (guint k = 0; list != NULL && k < list->len; k++)
        {
          guint pos = g_array_index (list, guint, k);

          if (pos != v->pos && (!own || pos < v->pos))
            kt_cpuset_add (owner_vms, pos);
        }
    }
}

/* Where @v's 1:1 vCPUs on @node go: free pCPUs of @node, else of the node
 * with the most free pCPUs that holds the VM's memory; the node chosen in
 * @node_out */
static KtCpuset *
relocate (KtAdvisorContext *ctx,
          const KtAdvVm    *v,
          const KtCpuset   *nodes,
          guint             n,
          int              *node_out)
{
  g_autoptr(KtCpuset) cpus = kt_host_cpus_of_nodes (ctx->host, nodes);
  g_autoptr(KtCpuset) free_cpus = kt_advisor_free_cpus (ctx, cpus);
  KtCpuset *picked = kt_advisor_pick_cpus (ctx, free_cpus, n);
  guint best_free = 0;
  int best = -1;

  *node_out = -1;
  if (picked != NULL)
    return picked;
  /* Only a VM on one node moves whole to another */
  if (kt_cpuset_count (v->vcpu_nodes) != 1 || n != v->n_vcpus)
    return NULL;
  for (guint i = 0; i < kt_host_get_n_nodes (ctx->host); i++)
    {
      const KtHostNode *node = kt_host_get_node (ctx->host, i);
      g_autoptr(KtCpuset) f = kt_advisor_free_cpus (ctx, node->cpus);

      if (kt_cpuset_contains (nodes, node->id) || kt_cpuset_count (f) < n
          || (node->has_memory && node->memory_kib < v->t->memory_kib))
        continue;
      if (kt_cpuset_count (f) > best_free)
        {
          best_free = kt_cpuset_count (f);
          best = node->id;
        }
    }
  if (best < 0)
    return NULL;
  {
    const KtHostNode *node = kt_host_lookup_node (ctx->host, best);
    g_autoptr(KtCpuset) f = kt_advisor_free_cpus (ctx, node->cpus);

    *node_out = best;
    return kt_advisor_pick_cpus (ctx, f, n);
  }
}

static void
dedicated_cpu_shared_vm (KtAdvisorContext *ctx,
                         const Owners     *o,
                         KtAdvVm          *v)
{
  g_autoptr(KtCpuset) owner_pos = kt_cpuset_new ();
  g_autoptr(KtCpuset) theirs = others_dedicated (ctx, o, v);
  g_autoptr(KtCpuset) vcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) pcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) all_theirs = NULL;
  g_autoptr(GArray) single = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(KtFix) fix = kt_fix_new (NULL);
  g_autoptr(GString) who = g_string_new (NULL);
  g_autofree char *ps = NULL;
  gboolean manual = FALSE;
  gboolean others_threads = FALSE;
  KtFinding *f;

  if (kt_cpuset_is_empty (theirs))
    return;
  /* Every pCPU another VM has to itself, for the new pins */
  all_theirs = kt_cpuset_difference (ctx->all_dedicated, v->dedicated);
  kt_cpuset_union_in (all_theirs, theirs);

  for (guint i = 0; i < v->threads->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (v->threads, i);
      gboolean floating_vcpu = p->kind == KT_THREAD_VCPU && !p->pinned
                               && p->source != KT_PIN_SOURCE_NUMAD;
      g_autoptr(KtCpuset) rest = NULL;

      if ((!p->pinned && !floating_vcpu) || !kt_cpuset_intersects (p->allowed, theirs))
        continue;
      {
        g_autoptr(KtCpuset) both = kt_cpuset_intersection (p->allowed, theirs);

        kt_cpuset_union_in (pcpus, both);
      }
      if (p->kind == KT_THREAD_VCPU)
        kt_cpuset_add (vcpus, p->index);
      else
        others_threads = TRUE;
      if (p->kind == KT_THREAD_VCPU && p->pinned && kt_cpuset_count (p->allowed) == 1)
        {
          g_array_append_val (single, p->index);
          continue;
        }
      rest = kt_cpuset_difference (p->allowed, all_theirs);
      if (p->kind == KT_THREAD_VCPU)
        {
          g_autoptr(KtCpuset) r = kt_cpuset_difference (rest, ctx->reserved);

          g_clear_pointer (&rest, kt_cpuset_free);
          rest = g_steal_pointer (&r);
        }
      if (kt_cpuset_is_empty (rest))
        {
          manual = TRUE;
          continue;
        }
      kt_fix_add_pin (fix, p->kind == KT_THREAD_VCPU ? KT_FIX_VCPUPIN
                           : p->kind == KT_THREAD_EMULATOR ? KT_FIX_EMULATORPIN
                           : KT_FIX_IOTHREADPIN,
                      v->name, p->index, rest);
    }
  if (kt_cpuset_is_empty (pcpus))
    return;

  if (single->len > 0 && !manual)
    {
      g_autoptr(KtCpuset) singles = kt_cpuset_new ();
      g_autoptr(KtCpuset) nodes = NULL;
      g_autoptr(KtCpuset) picked = NULL;
      int moved_to = -1;
      int cpu = -1;

      for (guint i = 0; i < single->len; i++)
        kt_cpuset_union_in (singles, kt_tuning_get_vcpupin (v->t, g_array_index (single, guint, i)));
      nodes = kt_host_nodes_of_cpus (ctx->host, singles);
      picked = relocate (ctx, v, nodes, single->len, &moved_to);
      if (picked == NULL)
        manual = TRUE;
      for (guint i = 0; picked != NULL && i < single->len; i++)
        {
          g_autoptr(KtCpuset) one = NULL;

          cpu = kt_cpuset_next (picked, cpu);
          one = kt_cpuset_new_range (cpu, cpu);
          kt_fix_add_pin (fix, KT_FIX_VCPUPIN, v->name, g_array_index (single, guint, i), one);
        }
      if (picked != NULL && moved_to >= 0)
        {
          g_autoptr(KtCpuset) target = kt_cpuset_new_range (moved_to, moved_to);

          kt_fix_add_numatune (fix, v->name,
                               v->t->numa_nodeset ? NULL : kt_adv_numa_mode_for (ctx, v, target),
                               target);
        }
    }

  owners_of (o, v, pcpus, owner_pos);
  for (int pos = kt_cpuset_first (owner_pos); pos >= 0; pos = kt_cpuset_next (owner_pos, pos))
    {
      KtAdvVm *owner = g_ptr_array_index (ctx->vms, pos);

      g_string_append_printf (who, "%s%s", who->len ? ", " : "", owner->name);
    }
  ps = kt_cpuset_format (pcpus);
  f = kt_advisor_add (ctx, "dedicated-cpu-shared", KT_SEVERITY_ERROR, v->name,
                      g_strdup_printf (_("%s uses pCPUs %s pinned 1:1 by %s"),
                                       v->name, ps, who->str),
                      g_strdup_printf (_("A vCPU pinned alone to a pCPU is meant to have it to "
                                         "itself; %s %s runs there too, so the pinned vCPU waits "
                                         "for it and loses the cache it warmed. That undoes "
                                         "what the 1:1 pin was for."),
                                       v->name,
                                       others_threads ? _("(its emulator or IOThreads included)")
                                                      : _("(its vCPUs)")));
  f->vcpus = kt_cpuset_is_empty (vcpus) ? NULL : g_steal_pointer (&vcpus);
  f->pcpus = g_steal_pointer (&pcpus);
  f->nodes = kt_host_nodes_of_cpus (ctx->host, f->pcpus);
  for (int pos = kt_cpuset_first (owner_pos); pos >= 0; pos = kt_cpuset_next (owner_pos, pos))
    kt_finding_add_vm (f, ((KtAdvVm *) g_ptr_array_index (ctx->vms, pos))->name);
  if (manual)
    {
      g_ptr_array_set_size (fix->steps, 0);
      fix->summary = g_strdup_printf (_("By hand: there are not enough free pCPUs to move %s off "
                                        "them; free some, or let kvmtune-cli plan %s place it"),
                                      v->name, v->name);
    }
  else
    fix->summary = g_strdup_printf (_("Move %s’s threads off the pCPUs other VMs have to "
                                      "themselves"), v->name);
  f->fix = g_steal_pointer (&fix);
}

static void
dedicated_cpu_shared (KtAdvisorContext *ctx)
{
  Owners o = { 0, };

  if (kt_cpuset_is_empty (ctx->all_dedicated))
    return;
  owners_init (ctx, &o);
  for (guint i = 0; i < ctx->vms->len; i++)
    dedicated_cpu_shared_vm (ctx, &o, g_ptr_array_index (ctx->vms, i));
  owners_clear (&o);
}

/* dedicated-with-overcommit ---------------------------------------------------- */

/* Where a VM's memory goes: its numatune nodes, else its vCPUs' nodes
 * (the kernel allocates locally first), else every node with memory */
static KtCpuset *
memory_nodes (KtAdvisorContext *ctx,
              const KtAdvVm    *v)
{
  if (kt_adv_vm_mem_nodes (v) != NULL)
    return kt_cpuset_copy (kt_adv_vm_mem_nodes (v));
  if (!kt_cpuset_is_empty (v->vcpu_nodes))
    return kt_cpuset_copy (v->vcpu_nodes);
  return kt_cpuset_copy (kt_host_get_node_ids (ctx->host));
}

void
kt_advisor_rules_shared (KtAdvisorContext *ctx)
{
  dedicated_cpu_shared (ctx);
}

void
kt_advisor_rules_node (KtAdvisorContext *ctx)
{
  guint n_nodes = kt_host_get_n_nodes (ctx->host);
  g_autofree double *committed = g_new0 (double, MAX (n_nodes, 1));
  g_autoptr(GPtrArray) vm_nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);

  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);
      KtCpuset *nodes = memory_nodes (ctx, v);
      guint count = 0;

      g_ptr_array_add (vm_nodes, nodes);
      for (guint n = 0; n < n_nodes; n++)
        count += kt_cpuset_contains (nodes, kt_host_get_node (ctx->host, n)->id);
      for (guint n = 0; count > 0 && n < n_nodes; n++)
        if (kt_cpuset_contains (nodes, kt_host_get_node (ctx->host, n)->id))
          committed[n] += (double) v->t->memory_kib / count;
    }

  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);
      const KtCpuset *nodes = g_ptr_array_index (vm_nodes, i);
      g_autoptr(KtCpuset) over = kt_cpuset_new ();
      g_autoptr(GPtrArray) others = g_ptr_array_new ();
      g_autofree char *os = NULL;
      g_autofree char *detail = NULL;
      KtFinding *f;

      if (!kt_adv_vm_is_dedicated (v))
        continue;
      for (guint n = 0; n < n_nodes; n++)
        {
          const KtHostNode *node = kt_host_get_node (ctx->host, n);

          if (!kt_cpuset_contains (nodes, node->id) || !node->has_memory
              || committed[n] <= (double) node->memory_kib)
            continue;
          /* Overcommitted: is a VM there that does not reserve its memory? */
          for (guint j = 0; j < ctx->vms->len; j++)
            {
              KtAdvVm *w = g_ptr_array_index (ctx->vms, j);

              if (w == v || w->t->has_hugepages || w->t->locked
                  || !kt_cpuset_contains (g_ptr_array_index (vm_nodes, j), node->id))
                continue;
              kt_cpuset_add (over, node->id);
              g_ptr_array_add (others, (gpointer) w->name);
            }
          if (kt_cpuset_contains (over, node->id) && detail == NULL)
            {
              g_autofree char *c = kt_adv_format_kib ((guint64) committed[n]);
              g_autofree char *m = kt_adv_format_kib (node->memory_kib);

              /* Translators: "node 1: 80.0 GiB of 62.5 GiB" */
              detail = g_strdup_printf (_("node %d: %s of %s"), node->id, c, m);
            }
        }
      if (kt_cpuset_is_empty (over))
        continue;
      os = kt_cpuset_format (over);
      f = kt_advisor_add (ctx, "dedicated-with-overcommit", KT_SEVERITY_WARNING, v->name,
                          g_strdup_printf (_("%s reserves its resources on node %s, which VMs "
                                             "overcommit"), v->name, os),
                          g_strdup_printf (_("%s is hugepage-backed, locked or pinned 1:1, but "
                                             "the VMs sharing its node are given more memory "
                                             "than the node has (%s). When they use it, the "
                                             "node reclaims and swaps, and this VM’s guarantees "
                                             "no longer hold."), v->name, detail));
      f->nodes = g_steal_pointer (&over);
      for (guint k = 0; k < others->len; k++)
        kt_finding_add_vm (f, g_ptr_array_index (others, k));
      f->fix = kt_fix_new (NULL);
      g_free (f->fix->summary);
      f->fix->summary = g_strdup_printf (_("By hand: move the overcommitted VMs to other nodes "
                                           "or give them less memory, or move %s to a node with "
                                           "room (kvmtune-cli plan %s)"), v->name, v->name);
    }
}
