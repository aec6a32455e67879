/* kt-json.c: JSON views of hosts and VMs, for kvmtune-cli --json
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-analysis.h"
#include "kt-json.h"

static void
add_cpuset_array (JsonBuilder    *b,
                  const KtCpuset *set)
{
  json_builder_begin_array (b);
  for (int i = kt_cpuset_first (set); i >= 0; i = kt_cpuset_next (set, i))
    json_builder_add_int_value (b, i);
  json_builder_end_array (b);
}

void
kt_json_add_cpuset (JsonBuilder    *b,
                   const char     *member,
                   const KtCpuset *set)
{
  json_builder_set_member_name (b, member);
  if (set == NULL)
    json_builder_add_null_value (b);
  else
    {
      g_autofree char *s = kt_cpuset_format (set);

      json_builder_add_string_value (b, s);
    }
}

void
kt_json_add_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

/* -1 stands for "not set" in the models */
void
kt_json_add_opt_int (JsonBuilder *b,
             const char  *member,
             gint64       value)
{
  json_builder_set_member_name (b, member);
  if (value < 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, value);
}

/* kt_json_topology () ------------------------------------------------------- */

typedef void (*TopologySection) (JsonBuilder *b,
                                 KtHost      *host);

static void
topology_arch (JsonBuilder *b,
               KtHost      *host)
{
  kt_json_add_string (b, "arch", kt_host_get_arch (host));
}

/* One node's pages: size_kib, total, free */
static void
add_node_pages (JsonBuilder      *b,
                const KtHostNode *node)
{
  json_builder_set_member_name (b, "pages");
  json_builder_begin_array (b);
  for (guint p = 0; p < node->pages->len; p++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);

      json_builder_begin_object (b);
      add_int (b, "size_kib", (gint64) pg->size_kib);
      add_int (b, "total", (gint64) MIN (pg->total, (guint64) G_MAXINT64));
      kt_json_add_opt_int (b, "free", pg->free);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* One node's distances, keyed by the other node's id */
static void
add_node_distances (JsonBuilder      *b,
                    const KtHostNode *node)
{
  json_builder_set_member_name (b, "distances");
  json_builder_begin_object (b);
  for (guint d = 0; d < node->distances->len; d++)
    {
      const KtHostDistance *dist = &g_array_index (node->distances, KtHostDistance, d);
      char key[16];

      g_snprintf (key, sizeof key, "%d", dist->node);
      add_int (b, key, dist->value);
    }
  json_builder_end_object (b);
}

static void
topology_nodes (JsonBuilder *b,
                KtHost      *host)
{
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      json_builder_begin_object (b);
      add_int (b, "id", node->id);
      kt_json_add_opt_int (b, "memory_kib", node->has_memory ? (gint64) node->memory_kib : -1);
      kt_json_add_opt_int (b, "free_kib", node->free_kib);
      json_builder_set_member_name (b, "cpus");
      add_cpuset_array (b, node->cpus);
      add_node_pages (b, node);
      add_node_distances (b, node);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
topology_cpus (JsonBuilder *b,
               KtHost      *host)
{
  json_builder_set_member_name (b, "cpus");
  json_builder_begin_array (b);
  for (guint i = 0; i < kt_host_get_n_cpus (host); i++)
    {
      const KtHostCpu *cpu = kt_host_get_cpu (host, i);

      json_builder_begin_object (b);
      add_int (b, "id", cpu->id);
      add_int (b, "node", cpu->node);
      kt_json_add_opt_int (b, "socket", cpu->socket);
      kt_json_add_opt_int (b, "die", cpu->die);
      kt_json_add_opt_int (b, "cluster", cpu->cluster);
      kt_json_add_opt_int (b, "core", cpu->core);
      json_builder_set_member_name (b, "siblings");
      add_cpuset_array (b, cpu->siblings);
      kt_json_add_opt_int (b, "l3", cpu->l3);
      json_builder_set_member_name (b, "online");
      json_builder_add_boolean_value (b, cpu->online);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
topology_l3 (JsonBuilder *b,
             KtHost      *host)
{
  json_builder_set_member_name (b, "l3");
  json_builder_begin_array (b);
  for (guint i = 0; i < kt_host_get_n_l3 (host); i++)
    {
      const KtHostCache *c = kt_host_get_l3 (host, i);

      json_builder_begin_object (b);
      add_int (b, "index", i);
      kt_json_add_opt_int (b, "id", c->id);
      add_int (b, "size_kib", (gint64) c->size_kib);
      json_builder_set_member_name (b, "cpus");
      add_cpuset_array (b, c->cpus);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* When the free figures were read, for a snapshot's; null when live */
static void
topology_free_as_of (JsonBuilder *b,
                     KtHost      *host)
{
  json_builder_set_member_name (b, "free_as_of");
  if (kt_host_get_free_time (host) == NULL)
    json_builder_add_null_value (b);
  else
    {
      g_autofree char *when = g_date_time_format_iso8601 (kt_host_get_free_time (host));

      json_builder_add_string_value (b, when);
    }
}

static void
topology_page_sizes (JsonBuilder *b,
                     KtHost      *host)
{
  const GArray *sizes = kt_host_get_page_sizes (host);

  json_builder_set_member_name (b, "page_sizes_kib");
  json_builder_begin_array (b);
  for (guint i = 0; i < sizes->len; i++)
    json_builder_add_int_value (b, (gint64) g_array_index (sizes, guint64, i));
  json_builder_end_array (b);
}

static const TopologySection topology_sections[] = {
  topology_arch,
  topology_nodes,
  topology_cpus,
  topology_l3,
  topology_free_as_of,
  topology_page_sizes,
};

JsonNode *
kt_json_topology (KtHost *host)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (KT_IS_HOST (host), NULL);

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (topology_sections); i++)
    topology_sections[i] (b, host);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* kt_json_domains () -------------------------------------------------------- */

JsonNode *
kt_json_domains (KtSnapshot *snapshot)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);

  vms = kt_snapshot_get_vms (snapshot);
  json_builder_begin_array (b);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

      json_builder_begin_object (b);
      kt_json_add_string (b, "name", kt_vm_get_name (vm));
      kt_json_add_string (b, "state", kt_vm_state_to_string (kt_vm_get_state (vm)));
      kt_json_add_opt_int (b, "id", kt_vm_get_id (vm));
      json_builder_set_member_name (b, "persistent");
      json_builder_add_boolean_value (b, kt_vm_get_persistent (vm));
      add_int (b, "vcpus", t->vcpus);
      add_int (b, "current_vcpus", t->current_vcpus);
      add_int (b, "memory_kib", (gint64) t->memory_kib);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static void
add_pins (JsonBuilder *b,
          const char  *member,
          GArray      *pins)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  for (guint i = 0; i < pins->len; i++)
    {
      const KtPin *pin = &g_array_index (pins, KtPin, i);
      char key[16];

      g_snprintf (key, sizeof key, "%u", pin->id);
      kt_json_add_cpuset (b, key, pin->cpuset);
    }
  json_builder_end_object (b);
}

static const char *
issue_kind (KtIssueKind kind)
{
  switch (kind)
    {
    case KT_ISSUE_SHARED_PCPU:
      return "shared_pcpu";
    case KT_ISSUE_SPANS_NODES:
      return "spans_nodes";
    case KT_ISSUE_REMOTE_MEMORY:
      return "remote_memory";
    case KT_ISSUE_SMT_SPLIT:
      return "smt_split";
    case KT_ISSUE_EMULATOR_ON_VCPU:
    default:
      return "emulator_on_vcpu";
    }
}

static const char *
pin_source (KtPinSource source)
{
  switch (source)
    {
    case KT_PIN_SOURCE_OWN:
      return "pinned";
    case KT_PIN_SOURCE_DEFAULT:
      return "default";
    case KT_PIN_SOURCE_NUMAD:
      return "numad";
    case KT_PIN_SOURCE_NONE:
    default:
      return "any";
    }
}

/* kt_json_show () and kt_json_show_in () -------------------------------------
 *
 * The object is built section by section, in the order of the tables
 * below; each section adds its members to the object begun by the caller.
 */

typedef struct
{
  JsonBuilder *b;
  KtSnapshot  *snapshot;   /* NULL for kt_json_show () */
  KtVm        *vm;
  KtTuning    *t;
} Show;

typedef void (*ShowSection) (const Show *show);

/* name, uuid, state */
static void
show_identity (const Show *show)
{
  kt_json_add_string (show->b, "name", show->t->name);
  kt_json_add_string (show->b, "uuid", show->t->uuid);
  kt_json_add_string (show->b, "state", kt_vm_state_to_string (kt_vm_get_state (show->vm)));
}

/* vcpus, current_vcpus, vcpu_placement, vcpu_cpuset */
static void
show_vcpus (const Show *show)
{
  KtTuning *t = show->t;

  add_int (show->b, "vcpus", t->vcpus);
  add_int (show->b, "current_vcpus", t->current_vcpus);
  kt_json_add_string (show->b, "vcpu_placement", t->vcpu_placement);
  kt_json_add_cpuset (show->b, "vcpu_cpuset", t->vcpu_cpuset);
}

/* memory_kib, current_memory_kib */
static void
show_memory_size (const Show *show)
{
  add_int (show->b, "memory_kib", (gint64) show->t->memory_kib);
  add_int (show->b, "current_memory_kib", (gint64) show->t->current_memory_kib);
}

/* vcpupin, emulatorpin, iothreadpin, iothreads, iothread_ids */
static void
show_pins (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  add_pins (b, "vcpupin", t->vcpupin);
  kt_json_add_cpuset (b, "emulatorpin", t->emulatorpin);
  add_pins (b, "iothreadpin", t->iothreadpin);
  add_int (b, "iothreads", t->iothreads);
  json_builder_set_member_name (b, "iothread_ids");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->iothread_ids->len; i++)
    json_builder_add_int_value (b, g_array_index (t->iothread_ids, guint, i));
  json_builder_end_array (b);
}

/* cputune: shares, period, quota, vcpusched */
static void
show_cputune (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "cputune");
  json_builder_begin_object (b);
  kt_json_add_opt_int (b, "shares", t->shares);
  kt_json_add_opt_int (b, "period", t->period);
  json_builder_set_member_name (b, "quota");
  if (t->quota == -1)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, t->quota);
  json_builder_set_member_name (b, "vcpusched");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->vcpusched->len; i++)
    {
      const KtVcpuSched *s = &g_array_index (t->vcpusched, KtVcpuSched, i);

      json_builder_begin_object (b);
      kt_json_add_cpuset (b, "vcpus", s->vcpus);
      kt_json_add_string (b, "scheduler", s->scheduler);
      kt_json_add_opt_int (b, "priority", s->priority);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* numatune: mode, nodeset, placement, memnodes */
static void
show_numatune (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "numatune");
  json_builder_begin_object (b);
  kt_json_add_string (b, "mode", t->numa_mode);
  kt_json_add_cpuset (b, "nodeset", t->numa_nodeset);
  kt_json_add_string (b, "placement", t->numa_placement);
  json_builder_set_member_name (b, "memnodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->memnodes->len; i++)
    {
      const KtMemnode *m = &g_array_index (t->memnodes, KtMemnode, i);

      json_builder_begin_object (b);
      add_int (b, "cellid", m->cellid);
      kt_json_add_string (b, "mode", m->mode);
      kt_json_add_cpuset (b, "nodeset", m->nodeset);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* hugepages: null without <hugepages>, else a size and nodeset per page */
static void
show_hugepages (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "hugepages");
  if (!t->has_hugepages)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (guint i = 0; i < t->hugepages->len; i++)
    {
      const KtHugepage *h = &g_array_index (t->hugepages, KtHugepage, i);

      json_builder_begin_object (b);
      kt_json_add_opt_int (b, "size_kib", h->size_kib ? (gint64) h->size_kib : -1);
      kt_json_add_cpuset (b, "nodeset", h->nodeset);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* memory_backing: nosharepages, locked, source, access */
static void
show_memory_backing (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "memory_backing");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nosharepages");
  json_builder_add_boolean_value (b, t->nosharepages);
  json_builder_set_member_name (b, "locked");
  json_builder_add_boolean_value (b, t->locked);
  kt_json_add_string (b, "source", t->memory_source);
  kt_json_add_string (b, "access", t->memory_access);
  json_builder_end_object (b);
}

/* memtune: the four limits */
static void
show_memtune (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "memtune");
  json_builder_begin_object (b);
  kt_json_add_opt_int (b, "hard_limit_kib", t->hard_limit_kib);
  kt_json_add_opt_int (b, "soft_limit_kib", t->soft_limit_kib);
  kt_json_add_opt_int (b, "swap_hard_limit_kib", t->swap_hard_limit_kib);
  kt_json_add_opt_int (b, "min_guarantee_kib", t->min_guarantee_kib);
  json_builder_end_object (b);
}

/* The members of "cpu" after "features": topology (null without one) */
static void
add_cpu_topology (JsonBuilder *b,
                  KtTuning    *t)
{
  json_builder_set_member_name (b, "topology");
  if (!t->has_topology)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  add_int (b, "sockets", t->sockets);
  add_int (b, "dies", t->dies);
  add_int (b, "clusters", t->clusters);
  add_int (b, "cores", t->cores);
  add_int (b, "threads", t->threads);
  json_builder_end_object (b);
}

/* ... and cells, the guest NUMA cells */
static void
add_cpu_cells (JsonBuilder *b,
               KtTuning    *t)
{
  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->cells->len; i++)
    {
      const KtGuestCell *c = &g_array_index (t->cells, KtGuestCell, i);

      json_builder_begin_object (b);
      add_int (b, "id", c->id);
      kt_json_add_cpuset (b, "cpus", c->cpus);
      add_int (b, "memory_kib", (gint64) c->memory_kib);
      kt_json_add_string (b, "memAccess", c->mem_access);
      json_builder_set_member_name (b, "distances");
      json_builder_begin_object (b);
      for (guint d = 0; d < c->distances->len; d++)
        {
          const KtCellDistance *dist = &g_array_index (c->distances, KtCellDistance, d);
          char key[16];

          g_snprintf (key, sizeof key, "%u", dist->id);
          add_int (b, key, dist->value);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* cpu: mode, match, check, model, fallback, vendor, features, topology, cells */
static void
show_cpu (const Show *show)
{
  JsonBuilder *b = show->b;
  KtTuning *t = show->t;

  json_builder_set_member_name (b, "cpu");
  json_builder_begin_object (b);
  kt_json_add_string (b, "mode", t->cpu_mode);
  kt_json_add_string (b, "match", t->cpu_match);
  kt_json_add_string (b, "check", t->cpu_check);
  kt_json_add_string (b, "model", t->cpu_model);
  kt_json_add_string (b, "fallback", t->cpu_fallback);
  kt_json_add_string (b, "vendor", t->cpu_vendor);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->cpu_features->len; i++)
    {
      const KtCpuFeature *f = &g_array_index (t->cpu_features, KtCpuFeature, i);

      json_builder_begin_object (b);
      kt_json_add_string (b, "policy", f->policy);
      kt_json_add_string (b, "name", f->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_cpu_topology (b, t);
  add_cpu_cells (b, t);
  json_builder_end_object (b);
}

/* online_vcpus: the vCPUs that are online, as a cpuset string */
static void
show_online_vcpus (const Show *show)
{
  g_autoptr(KtCpuset) online = kt_cpuset_new ();

  for (guint v = 0; v < show->t->vcpus; v++)
    if (kt_tuning_vcpu_is_online (show->t, v))
      kt_cpuset_add (online, v);
  kt_json_add_cpuset (show->b, "online_vcpus", online);
}

/* threads: where each thread runs and why */
static void
show_threads (const Show *show)
{
  JsonBuilder *b = show->b;
  g_autoptr(GPtrArray) placements = kt_placement_list_vm (show->snapshot, show->vm);

  json_builder_set_member_name (b, "threads");
  json_builder_begin_array (b);
  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);

      json_builder_begin_object (b);
      kt_json_add_string (b, "kind", p->kind == KT_THREAD_VCPU ? "vcpu"
                             : p->kind == KT_THREAD_EMULATOR ? "emulator" : "iothread");
      add_int (b, "index", p->index);
      kt_json_add_string (b, "source", pin_source (p->source));
      kt_json_add_cpuset (b, "cpus", p->allowed);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* warnings: the placement problems of this domain (kt_analyze ()) */
static void
show_warnings (const Show *show)
{
  JsonBuilder *b = show->b;
  KtVm *vm = show->vm;
  g_autoptr(GPtrArray) issues = kt_analyze (show->snapshot);

  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (issue->vm != vm && issue->other != vm)
        continue;
      json_builder_begin_object (b);
      kt_json_add_string (b, "kind", issue_kind (issue->kind));
      kt_json_add_string (b, "message", issue->message);
      kt_json_add_cpuset (b, "cpus", issue->cpus);
      kt_json_add_opt_int (b, "vcpu", issue->vcpu);
      kt_json_add_string (b, "other", issue->other == NULL ? NULL
                              : kt_vm_get_name (issue->other == vm ? issue->vm : issue->other));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* What the domain's own definition says */
static const ShowSection show_sections[] = {
  show_identity,
  show_vcpus,
  show_memory_size,
  show_pins,
  show_cputune,
  show_numatune,
  show_hugepages,
  show_memory_backing,
  show_memtune,
  show_cpu,
};

/* ... and, after it, what needs the rest of the snapshot */
static const ShowSection show_in_sections[] = {
  show_online_vcpus,
  show_threads,
  show_warnings,
};

static JsonNode *
build_show (KtSnapshot *snapshot,
            KtVm       *vm)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  Show show = { b, snapshot, vm, t };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (show_sections); i++)
    show_sections[i] (&show);
  if (snapshot != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (show_in_sections); i++)
      show_in_sections[i] (&show);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
kt_json_show (KtVm *vm)
{
  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  return build_show (NULL, vm);
}

/**
 * kt_json_show_in:
 *
 * kt_json_show (), and what needs the rest of @snapshot: "online_vcpus",
 * where each thread runs and why ("threads"), and the placement
 * problems the map draws ("warnings", from kt_analyze ()).
 */
JsonNode *
kt_json_show_in (KtSnapshot *snapshot,
                 KtVm       *vm)
{
  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  return build_show (snapshot, vm);
}

char *
kt_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}
