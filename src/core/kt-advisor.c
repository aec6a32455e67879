/* kt-advisor.c: the advisor's engine: context, findings, JSON
 *
 * The rules are in kt-advisor-rules-cpu.c (vCPUs, pCPUs, CPU model),
 * kt-advisor-rules-memory.c (numatune, hugepages, memtune, guest NUMA)
 * kt-advisor-rules-shared.c (between VMs), kt-advisor-rules-device.c
 * (assigned PCI devices) and kt-advisor-rules-host.c (KSM, THP,
 * numa_balancing, tuned).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"
#include "kt-error.h"

/* In the order findings of one VM are listed */
static const char * const rule_ids[] = {
  "vcpus-exceed-host",
  "dedicated-cpu-shared",
  "housekeeping-cpu-used",
  "pin-without-numatune",
  "nodeset-placement-mismatch",
  "needless-node-span",
  "strict-oom-risk",
  "hugepage-size-multiple",
  "hugepage-pool-short",
  "dedicated-with-overcommit",
  "locked-without-hard-limit",
  "guest-numa-mismatch",
  "emulator-placement",
  "iothreads-floating",
  "pci-device-remote-node",
  "smt-mismatch",
  "hotplug-vcpus-unpinned",
  "nested-needs-passthrough",
  "host-cpu-blocks-migration",
  "ksm-across-nodes",
  "numa-balancing-with-pinning",
  "thp-with-static-hugepages",
  "tuned-profile",
  NULL
};

/**
 * kt_advisor_rule_ids:
 *
 * Returns: (transfer none): every rule id, %NULL-terminated
 */
const char * const *
kt_advisor_rule_ids (void)
{
  return rule_ids;
}

static int
rule_index (const char *rule)
{
  for (int i = 0; rule_ids[i] != NULL; i++)
    if (g_str_equal (rule_ids[i], rule))
      return i;
  return -1;
}

gboolean
kt_advisor_is_rule (const char *rule)
{
  return rule != NULL && rule_index (rule) >= 0;
}

const char *
kt_severity_to_string (KtSeverity severity)
{
  switch (severity)
    {
    case KT_SEVERITY_ERROR:
      return "error";
    case KT_SEVERITY_WARNING:
      return "warning";
    case KT_SEVERITY_INFO:
    default:
      return "info";
    }
}

void
kt_finding_free (KtFinding *f)
{
  if (f == NULL)
    return;
  g_free (f->vm);
  g_free (f->title);
  g_free (f->explanation);
  g_clear_pointer (&f->vcpus, kt_cpuset_free);
  g_clear_pointer (&f->pcpus, kt_cpuset_free);
  g_clear_pointer (&f->nodes, kt_cpuset_free);
  g_clear_pointer (&f->vms, g_ptr_array_unref);
  g_clear_pointer (&f->host_keys, g_ptr_array_unref);
  g_clear_pointer (&f->fix, kt_fix_free);
  g_free (f);
}

KtFinding *
kt_advisor_add (KtAdvisorContext *ctx,
                const char       *rule,
                KtSeverity        severity,
                const char       *vm,
                char             *title,
                char             *explanation)
{
  KtFinding *f = g_new0 (KtFinding, 1);

  g_assert (rule_index (rule) >= 0);
  f->rule = rule_ids[rule_index (rule)];
  f->severity = severity;
  f->vm = g_strdup (vm);
  f->title = title;
  f->explanation = explanation;
  g_ptr_array_add (ctx->findings, f);
  return f;
}

static void
add_unique (GPtrArray **list,
            const char *s)
{
  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < (*list)->len; i++)
    if (g_str_equal (g_ptr_array_index (*list, i), s))
      return;
  g_ptr_array_add (*list, g_strdup (s));
}

void
kt_finding_add_vm (KtFinding  *f,
                   const char *vm)
{
  add_unique (&f->vms, vm);
}

void
kt_finding_add_key (KtFinding  *f,
                    const char *key)
{
  add_unique (&f->host_keys, key);
}

KtFinding *
kt_advisor_unknown (KtAdvisorContext *ctx,
                    const char       *rule,
                    const char       *key,
                    const char       *why)
{
  KtFinding *f;

  f = kt_advisor_add (ctx, rule, KT_SEVERITY_INFO, NULL,
                      /* Translators: %s is a host setting, e.g. ksm.merge_across_nodes */
                      g_strdup_printf (_("%s could not be read"), key),
                      g_strdup_printf (_("%s This check needs the host’s %s, which this source "
                                         "does not have (an older snapshot, a remote host or "
                                         "no permission); it is not guessed."), why, key));
  kt_finding_add_key (f, key);
  return f;
}

/* Helpers for the rules ---------------------------------------------------- */

KtCpuset *
kt_advisor_free_cpus (KtAdvisorContext *ctx,
                      const KtCpuset   *within)
{
  g_autoptr(KtCpuset) online = kt_cpuset_intersection (within, kt_host_get_online_cpus (ctx->host));
  g_autoptr(KtCpuset) unpinned = kt_cpuset_difference (online, ctx->all_pinned);

  return kt_cpuset_difference (unpinned, ctx->reserved);
}

KtCpuset *
kt_advisor_pick_cpus (KtAdvisorContext *ctx,
                      const KtCpuset   *from,
                      guint             n)
{
  g_autoptr(KtCpuset) picked = kt_cpuset_new ();
  guint n_cores = kt_host_get_n_cores (ctx->host);

  if (n == 0 || kt_cpuset_count (from) < n)
    return NULL;
  /* Whole cores first, then what is left of half-used ones */
  for (int pass = 0; pass < 2 && kt_cpuset_count (picked) < n; pass++)
    for (guint c = 0; c < n_cores && kt_cpuset_count (picked) < n; c++)
      {
        const KtHostCore *core = kt_host_get_core (ctx->host, c);
        gboolean whole = kt_cpuset_is_subset (core->cpus, from);

        if ((pass == 0) != whole)
          continue;
        for (int cpu = kt_cpuset_first (core->cpus); cpu >= 0 && kt_cpuset_count (picked) < n;
             cpu = kt_cpuset_next (core->cpus, cpu))
          if (kt_cpuset_contains (from, cpu))
            kt_cpuset_add (picked, cpu);
      }
  if (kt_cpuset_count (picked) < n)
    return NULL;
  return g_steal_pointer (&picked);
}

guint64
kt_adv_vm_memory (const KtAdvVm *v)
{
  return v->t->memory_kib;
}

const KtCpuset *
kt_adv_vm_mem_nodes (const KtAdvVm *v)
{
  if (kt_tuning_memory_is_numad (v->t))
    return NULL;
  return v->t->numa_nodeset;
}

gboolean
kt_adv_vm_is_dedicated (const KtAdvVm *v)
{
  return v->t->has_hugepages || v->t->locked
         || (v->n_vcpus > 0 && kt_cpuset_count (v->dedicated) == v->n_vcpus);
}

char *
kt_adv_format_kib (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

/* The context --------------------------------------------------------------- */

static void
adv_vm_free (gpointer data)
{
  KtAdvVm *v = data;

  g_clear_pointer (&v->t, kt_tuning_unref);
  g_clear_pointer (&v->threads, g_ptr_array_unref);
  g_clear_pointer (&v->vcpu_pinned, kt_cpuset_free);
  g_clear_pointer (&v->vcpu_allowed, kt_cpuset_free);
  g_clear_pointer (&v->dedicated, kt_cpuset_free);
  g_clear_pointer (&v->pinned, kt_cpuset_free);
  g_clear_pointer (&v->vcpu_nodes, kt_cpuset_free);
  g_free (v);
}

static void
context_init (KtAdvisorContext       *ctx,
              KtSnapshot             *snapshot,
              const KtAdvisorOptions *options)
{
  GListModel *vms = kt_snapshot_get_vms (snapshot);
  guint n = g_list_model_get_n_items (vms);
  guint next = 0;

  ctx->snapshot = snapshot;
  ctx->host = kt_snapshot_get_host (snapshot);
  ctx->ht = options && options->host_tuning ? options->host_tuning
                                            : kt_snapshot_get_host_tuning (snapshot);
  ctx->reserved = options && options->reserved ? kt_cpuset_copy (options->reserved)
                                               : kt_cpuset_new ();
  ctx->placements = kt_placement_list (snapshot);
  ctx->vms = g_ptr_array_new_with_free_func (adv_vm_free);
  ctx->all_pinned = kt_cpuset_new ();
  ctx->all_dedicated = kt_cpuset_new ();
  ctx->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_finding_free);

  for (guint i = 0; i < n; i++)
    {
      KtAdvVm *v = g_new0 (KtAdvVm, 1);

      v->vm = g_list_model_get_item (vms, i);
      g_object_unref (v->vm);   /* the snapshot keeps it */
      v->name = kt_vm_get_name (v->vm);
      v->pos = i;
      v->t = kt_domain_get_tuning (kt_vm_get_effective (v->vm));
      v->active = kt_vm_is_active (v->vm);
      v->threads = g_ptr_array_new ();
      v->vcpu_pinned = kt_cpuset_new ();
      v->vcpu_allowed = kt_cpuset_new ();
      v->dedicated = kt_cpuset_new ();
      v->pinned = kt_cpuset_new ();
      g_ptr_array_add (ctx->vms, v);
    }

  /* The placements come in VM order */
  for (guint i = 0; i < ctx->placements->len; i++)
    {
      KtPlacement *p = g_ptr_array_index (ctx->placements, i);
      KtAdvVm *v = NULL;

      while (next < ctx->vms->len
             && ((KtAdvVm *) g_ptr_array_index (ctx->vms, next))->vm != p->vm)
        next++;
      if (next == ctx->vms->len)
        break;
      v = g_ptr_array_index (ctx->vms, next);
      g_ptr_array_add (v->threads, p);
      if (p->pinned)
        kt_cpuset_union_in (v->pinned, p->allowed);
      if (p->kind != KT_THREAD_VCPU)
        continue;
      v->n_vcpus++;
      kt_cpuset_union_in (v->vcpu_allowed, p->allowed);
      if (p->pinned)
        {
          v->n_pinned++;
          kt_cpuset_union_in (v->vcpu_pinned, p->allowed);
          if (kt_cpuset_count (p->allowed) == 1)
            kt_cpuset_union_in (v->dedicated, p->allowed);
        }
    }
  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);

      v->vcpu_nodes = kt_host_nodes_of_cpus (ctx->host, v->vcpu_pinned);
      kt_cpuset_union_in (ctx->all_pinned, v->pinned);
      kt_cpuset_union_in (ctx->all_dedicated, v->dedicated);
    }
}

static void
context_clear (KtAdvisorContext *ctx)
{
  g_clear_pointer (&ctx->reserved, kt_cpuset_free);
  g_clear_pointer (&ctx->vms, g_ptr_array_unref);
  g_clear_pointer (&ctx->placements, g_ptr_array_unref);
  g_clear_pointer (&ctx->all_pinned, kt_cpuset_free);
  g_clear_pointer (&ctx->all_dedicated, kt_cpuset_free);
  g_clear_pointer (&ctx->findings, g_ptr_array_unref);
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  GHashTable *sort_positions = data;
  const KtFinding *fa = *(const KtFinding * const *) a;
  const KtFinding *fb = *(const KtFinding * const *) b;
  guint pa = fa->vm ? GPOINTER_TO_UINT (g_hash_table_lookup (sort_positions, fa->vm)) : G_MAXUINT;
  guint pb = fb->vm ? GPOINTER_TO_UINT (g_hash_table_lookup (sort_positions, fb->vm)) : G_MAXUINT;

  if (pa != pb)
    return pa < pb ? -1 : 1;
  return rule_index (fa->rule) - rule_index (fb->rule);
}

/**
 * kt_advisor_run:
 * @options: (nullable): the housekeeping CPUs and host tuning
 *
 * Returns: (transfer full) (element-type KtFinding): the findings
 */
GPtrArray *
kt_advisor_run (KtSnapshot             *snapshot,
                const KtAdvisorOptions *options)
{
  KtAdvisorContext ctx = { 0, };
  GPtrArray *findings;
  g_autoptr(GHashTable) positions = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);

  context_init (&ctx, snapshot, options);
  for (guint i = 0; i < ctx.vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx.vms, i);

      kt_advisor_rules_cpu (&ctx, v);
      kt_advisor_rules_memory (&ctx, v);
      kt_advisor_rules_device (&ctx, v);
    }
  kt_advisor_rules_shared (&ctx);
  kt_advisor_rules_node (&ctx);
  kt_advisor_rules_host (&ctx);

  /* Stable: g_ptr_array_sort_with_data is a merge sort */
  for (guint i = 0; i < ctx.vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx.vms, i);

      g_hash_table_insert (positions, (gpointer) v->name, GUINT_TO_POINTER (i));
    }
  g_ptr_array_sort_with_data (ctx.findings, compare_findings, positions);

  findings = g_steal_pointer (&ctx.findings);
  context_clear (&ctx);
  return findings;
}

const KtFinding *
kt_advisor_lookup (GPtrArray  *findings,
                   const char *rule,
                   const char *vm)
{
  g_return_val_if_fail (findings != NULL && rule != NULL, NULL);

  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      if (g_str_equal (f->rule, rule) && g_strcmp0 (f->vm, vm) == 0)
        return f;
    }
  return NULL;
}

gboolean
kt_advisor_fix_apply_to_plan (const KtFinding  *finding,
                              KtPlan           *plan,
                              KtHostTuning     *host_pending,
                              GError          **error)
{
  g_return_val_if_fail (finding != NULL, FALSE);

  if (finding->fix == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: there is nothing to fix"), finding->rule);
      return FALSE;
    }
  return kt_fix_apply_to_plan (finding->fix, plan, host_pending, error);
}

/* JSON ------------------------------------------------------------------------ */

static void
add_set (JsonBuilder    *b,
         const char     *name,
         const KtCpuset *set)
{
  g_autofree char *text = NULL;

  if (set == NULL || kt_cpuset_is_empty (set))
    return;
  text = kt_cpuset_format (set);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, text);
}

static void
add_list (JsonBuilder *b,
          const char  *name,
          GPtrArray   *list)
{
  if (list == NULL || list->len == 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (list, i));
  json_builder_end_array (b);
}

/**
 * kt_finding_to_json:
 *
 * Returns: (transfer full): {"rule", "severity", "vm", "title",
 * "explanation", "objects": {"vcpus", "pcpus", "nodes", "vms", "host"},
 * "fix": {...} or null}; objects' members only when there are some
 */
JsonNode *
kt_finding_to_json (const KtFinding *f)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (f != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, f->rule);
  json_builder_set_member_name (b, "severity");
  json_builder_add_string_value (b, kt_severity_to_string (f->severity));
  json_builder_set_member_name (b, "vm");
  if (f->vm)
    json_builder_add_string_value (b, f->vm);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, f->title);
  json_builder_set_member_name (b, "explanation");
  json_builder_add_string_value (b, f->explanation);
  json_builder_set_member_name (b, "objects");
  json_builder_begin_object (b);
  add_set (b, "vcpus", f->vcpus);
  add_set (b, "pcpus", f->pcpus);
  add_set (b, "nodes", f->nodes);
  add_list (b, "vms", f->vms);
  add_list (b, "host", f->host_keys);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "fix");
  if (f->fix)
    json_builder_add_value (b, kt_fix_to_json (f->fix));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
kt_advisor_to_json (GPtrArray *findings)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  g_return_val_if_fail (findings != NULL, NULL);

  for (guint i = 0; i < findings->len; i++)
    json_array_add_element (array, kt_finding_to_json (g_ptr_array_index (findings, i)));
  json_node_take_array (node, array);
  return node;
}

/* More helpers for the rules ------------------------------------------------- */

gint64
kt_adv_free_kib (KtAdvisorContext *ctx,
                 const KtCpuset   *nodes)
{
  gint64 sum = 0;

  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (ctx->host, n);

      if (node == NULL || node->free_kib < 0)
        return -1;
      sum += node->free_kib;
    }
  return sum;
}

const char *
kt_adv_numa_mode_for (KtAdvisorContext *ctx,
                      const KtAdvVm    *v,
                      const KtCpuset   *nodes)
{
  gint64 free_kib;

  if (v->active || v->t->has_hugepages || kt_cpuset_count (nodes) != 1)
    return "strict";
  free_kib = kt_adv_free_kib (ctx, nodes);
  if (free_kib >= 0 && (guint64) free_kib < v->t->memory_kib)
    return "preferred";
  return "strict";
}

KtCpuset *
kt_adv_helper_target (KtAdvisorContext *ctx,
                      const KtAdvVm    *v)
{
  const KtCpuset *nodes = v->vcpu_nodes;
  g_autoptr(KtCpuset) node_cpus = NULL;
  g_autoptr(KtCpuset) online = NULL;
  g_autoptr(KtCpuset) reserved = NULL;
  g_autoptr(KtCpuset) free_cpus = NULL;
  g_autoptr(KtCpuset) shared = NULL;

  if (kt_cpuset_is_empty (nodes) && kt_adv_vm_mem_nodes (v) != NULL)
    nodes = kt_adv_vm_mem_nodes (v);
  if (kt_cpuset_is_empty (nodes))
    return NULL;
  node_cpus = kt_host_cpus_of_nodes (ctx->host, nodes);
  online = kt_cpuset_intersection (node_cpus, kt_host_get_online_cpus (ctx->host));

  /* The host's own CPUs, unless a VM has one of them to itself (which
   * housekeeping-cpu-used reports) */
  {
    g_autoptr(KtCpuset) r = kt_cpuset_intersection (online, ctx->reserved);

    reserved = kt_cpuset_difference (r, ctx->all_dedicated);
  }
  if (!kt_cpuset_is_empty (reserved))
    return g_steal_pointer (&reserved);

  free_cpus = kt_advisor_free_cpus (ctx, online);
  for (guint c = 0; c < kt_host_get_n_cores (ctx->host); c++)
    {
      const KtHostCore *core = kt_host_get_core (ctx->host, c);

      if (kt_cpuset_is_subset (core->cpus, free_cpus))
        return kt_cpuset_copy (core->cpus);
    }
  if (!kt_cpuset_is_empty (free_cpus))
    return kt_cpuset_new_range (kt_cpuset_first (free_cpus), kt_cpuset_first (free_cpus));

  {
    g_autoptr(KtCpuset) a = kt_cpuset_difference (online, ctx->all_dedicated);
    g_autoptr(KtCpuset) b = kt_cpuset_difference (a, ctx->reserved);

    shared = kt_cpuset_difference (b, v->vcpu_pinned);
  }
  if (!kt_cpuset_is_empty (shared))
    return g_steal_pointer (&shared);
  return NULL;
}

KtAdvVm *
kt_adv_lookup_vm (KtAdvisorContext *ctx,
                  const char       *name)
{
  for (guint i = 0; i < ctx->vms->len; i++)
    {
      KtAdvVm *v = g_ptr_array_index (ctx->vms, i);

      if (g_str_equal (v->name, name))
        return v;
    }
  return NULL;
}
