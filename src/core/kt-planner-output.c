/* kt-planner-output.c: a proposal in words, as JSON, and as domain edits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-json.h"
#include "kt-planner-private.h"

/* Explanation ------------------------------------------------------------ */

static void
say (KtProposal *p,
     char       *sentence)
{
  g_ptr_array_add (p->explanation, sentence);
}

static char *
format_kib (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

static void
explain_cpus (KtPlanner  *self,
              KtProposal *p,
              KtCpuset   *all,
              KtCpuset   *vnodes)
{
  g_autofree char *nodes = kt_cpuset_format (vnodes);
  g_autofree char *cpus = kt_cpuset_format (all);
  g_autoptr(GHashTable) cores = g_hash_table_new (NULL, NULL);
  guint n = p->vcpupin->len;

  for (int c = kt_cpuset_first (all); c >= 0; c = kt_cpuset_next (all, c))
    g_hash_table_add (cores, GUINT_TO_POINTER (kt_planner_lookup_cpu (self, c)->core + 1));

  gboolean one = kt_cpuset_count (vnodes) == 1;

  if (self->policy.cpu == KT_PLANNER_SHARED)
    say (p, g_strdup_printf (one ? _("Its %u vCPUs float over CPUs %s (%u host cores) on node %s.")
                                 : _("Its %u vCPUs float over CPUs %s (%u host cores) on nodes %s, "
                                     "each over its own node's part."),
                             n, cpus, g_hash_table_size (cores), nodes));
  else if (g_hash_table_size (cores) == n)
    say (p, g_strdup_printf (one ? _("Each of its %u vCPUs gets a pCPU of its own on node %s "
                                     "(CPUs %s), one vCPU per host core.")
                                 : _("Each of its %u vCPUs gets a pCPU of its own on nodes %s "
                                     "(CPUs %s), one vCPU per host core."), n, nodes, cpus));
  else
    say (p, g_strdup_printf (one ? _("Each of its %u vCPUs gets a pCPU of its own on node %s "
                                     "(CPUs %s), on %u host cores.")
                                 : _("Each of its %u vCPUs gets a pCPU of its own on nodes %s "
                                     "(CPUs %s), on %u host cores."),
                             n, nodes, cpus, g_hash_table_size (cores)));
  if (p->threads_per_core > 1)
    say (p, g_strdup_printf (_("Its guest has %u threads per core; they go on sibling threads of "
                               "one host core where there is room."), p->threads_per_core));
  else if (self->policy.cpu == KT_PLANNER_DEDICATED && p->parts.half_cores > 0)
    say (p, g_strdup (_("Its guest has no SMT, so two of its vCPUs on one host core would look "
                        "like separate cores to the guest yet compete; a half-used core costs "
                        "less than that.")));
  if (self->policy.threads == KT_PLANNER_THREADS_ISOLATE && self->policy.cpu == KT_PLANNER_DEDICATED)
    say (p, g_strdup (_("The sibling threads of its cores stay idle (thread policy isolate).")));
  if (self->policy.reserved != NULL && !kt_cpuset_is_empty (self->policy.reserved))
    {
      g_autofree char *res = kt_cpuset_format (self->policy.reserved);

      say (p, g_strdup_printf (_("CPUs %s are left to the host (housekeeping)."), res));
    }
}

static void
explain_memory (KtPlanner  *self,
                KtProposal *p,
                KtCpuset   *vnodes)
{
  g_autofree char *nodeset = kt_cpuset_format (p->nodeset);
  guint64 total = 0;

  for (guint i = 0; i < p->memory->len; i++)
    total += g_array_index (p->memory, KtPlannerNodeMemory, i).kib;
  {
    g_autofree char *mem = format_kib (total);

    if (p->cells->len == 0 && kt_cpuset_equal (p->nodeset, vnodes))
      say (p, g_strdup_printf (_("Its %s of memory is bound (strict) to node %s, where its vCPUs "
                                 "run."), mem, nodeset));
    else if (p->cells->len == 0)
      say (p, g_strdup_printf (_("Its %s of memory is bound (strict) to nodes %s: the vCPUs' node "
                                 "has too little free."), mem, nodeset));
    else
      say (p, g_strdup_printf (_("It spans nodes %s because fewer cannot hold it well: %u guest "
                                 "NUMA cells, each bound to the host node its vCPUs run on, so "
                                 "the guest sees the host's layout."), nodeset, p->cells->len));
  }
  for (guint i = 0; i < p->hugepages->len; i++)
    {
      const KtPlannerPages *pg = &g_array_index (p->hugepages, KtPlannerPages, i);

      say (p, g_strdup_printf (_("It needs %llu huge pages of %llu KiB on node %d."),
                               (unsigned long long) pg->pages, (unsigned long long) pg->size_kib,
                               pg->node));
    }
}

/**
 * kt_planner_explain: (skip)
 *
 * Fills @p's explanation: where it goes, why, what it costs.
 */
void
kt_planner_explain (KtPlanner              *self,
                    const KtPlannerRequest *request,
                    KtProposal             *p)
{
  g_autoptr(KtCpuset) all = kt_cpuset_new ();
  g_autoptr(KtCpuset) vnodes = NULL;
  g_autoptr(GString) parts = g_string_new (NULL);
  const KtPlannerCostParts *t = &p->parts;
  struct { double value; const char *what; } terms[] = {
    { t->nodes, N_("more nodes than the fewest that could hold it") },
    { t->remote_memory, N_("memory off its vCPUs' nodes") },
    { t->shared_cores, N_("vCPUs on host cores another VM also runs on") },
    { t->smt, N_("guest cores not matching host cores") },
    { t->l3, N_("more L3 groups than needed") },
    { t->cells, N_("guest cells spanning host nodes") },
    { t->sockets, N_("more sockets than needed") },
    { t->half_cores, N_("host cores left half used") },
  };

  for (guint v = 0; v < p->vcpupin->len; v++)
    kt_cpuset_union_in (all, g_ptr_array_index (p->vcpupin, v));
  vnodes = kt_host_nodes_of_cpus (self->host, all);
  explain_cpus (self, p, all, vnodes);
  explain_memory (self, p, vnodes);

  if (p->emulatorpin != NULL && self->policy.emulator == KT_PLANNER_EMULATOR_ISOLATE)
    {
      g_autofree char *emu = kt_cpuset_format (p->emulatorpin);

      say (p, g_strdup_printf (p->iothreadpin->len
                               ? _("The emulator and iothreads get pCPU %s to themselves, on the "
                                   "VM's node.")
                               : _("The emulator gets pCPU %s to itself, on the VM's node."), emu));
    }
  else
    say (p, g_strdup (p->iothreadpin->len ? _("The emulator and iothreads run on the vCPUs' pCPUs.")
                                          : _("The emulator runs on the vCPUs' pCPUs.")));

  for (guint i = 0; i < G_N_ELEMENTS (terms); i++)
    if (terms[i].value > 0)
      g_string_append_printf (parts, "%s%.4g for %s", parts->len ? ", " : "", terms[i].value,
                              _(terms[i].what));
  if (parts->len == 0)
    say (p, g_strdup (_("Cost 0: nothing in it could be better.")));
  else
    {
      g_autofree char *cost = g_strdup_printf ("%.4g", p->cost);

      say (p, g_strdup_printf (_("Cost %s: %s."), cost, parts->str));
    }
  if (p->cost <= p->lower_bound + 1e-9)
    say (p, g_strdup (_("That is the lower bound: no placement on this host, as it is now, "
                        "costs less.")));
  else
    {
      g_autofree char *lb = g_strdup_printf ("%.4g", p->lower_bound);

      say (p, g_strdup_printf (_("The lower bound is %s (each term at its own best); the free "
                                 "CPUs and memory do not let all terms be at their best at "
                                 "once."), lb));
    }
}

/* JSON ------------------------------------------------------------------- */

static void
add_number (JsonBuilder *b,
            const char  *member,
            double       value)
{
  json_builder_set_member_name (b, member);
  /* Whole numbers stay integers */
  if (value == (double) (gint64) value)
    json_builder_add_int_value (b, (gint64) value);
  else
    json_builder_add_double_value (b, value);
}

/**
 * kt_proposal_to_json:
 *
 * Returns: (transfer full): {"domain", "feasible", "reason", "vcpupin",
 * "emulatorpin", "iothreadpin", "numatune", "memnodes", "cells",
 * "hugepages", "cost", "cost_parts", "lower_bound", "explanation"}
 */
JsonNode *
kt_proposal_to_json (const KtProposal *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (p != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, p->domain);
  json_builder_set_member_name (b, "feasible");
  json_builder_add_boolean_value (b, p->feasible);
  json_builder_set_member_name (b, "reason");
  if (p->reason)
    json_builder_add_string_value (b, p->reason);
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "vcpupin");
  json_builder_begin_object (b);
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      g_autofree char *key = g_strdup_printf ("%u", v);

      kt_json_add_cpuset (b, key, g_ptr_array_index (p->vcpupin, v));
    }
  json_builder_end_object (b);
  kt_json_add_cpuset (b, "emulatorpin", p->emulatorpin);
  json_builder_set_member_name (b, "iothreadpin");
  json_builder_begin_object (b);
  for (guint i = 0; i < p->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (p->iothreadpin, KtPin, i);
      g_autofree char *key = g_strdup_printf ("%u", pin->id);

      kt_json_add_cpuset (b, key, pin->cpuset);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "numatune");
  if (p->numa_mode == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, p->numa_mode);
      kt_json_add_cpuset (b, "nodeset", p->nodeset);
      json_builder_end_object (b);
    }

  json_builder_set_member_name (b, "memnodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cellid");
      json_builder_add_int_value (b, c->id);
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, "strict");
      kt_json_add_cpuset (b, "nodeset", c->nodeset);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, c->id);
      kt_json_add_cpuset (b, "cpus", c->vcpus);
      json_builder_set_member_name (b, "memory_kib");
      json_builder_add_int_value (b, (gint64) c->memory_kib);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "hugepages");
  json_builder_begin_object (b);
  for (guint i = 0; i < p->hugepages->len; i++)
    {
      const KtPlannerPages *pg = &g_array_index (p->hugepages, KtPlannerPages, i);
      g_autofree char *node = g_strdup_printf ("%d", pg->node);
      g_autofree char *size = g_strdup_printf ("%llu", (unsigned long long) pg->size_kib);

      json_builder_set_member_name (b, node);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, size);
      json_builder_add_int_value (b, (gint64) pg->pages);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  if (p->feasible)
    add_number (b, "cost", p->cost);
  else
    {
      json_builder_set_member_name (b, "cost");
      json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "cost_parts");
  json_builder_begin_object (b);
  if (p->feasible)
    {
      add_number (b, "nodes", p->parts.nodes);
      add_number (b, "remote_memory", p->parts.remote_memory);
      add_number (b, "shared_cores", p->parts.shared_cores);
      add_number (b, "smt", p->parts.smt);
      add_number (b, "l3", p->parts.l3);
      add_number (b, "cells", p->parts.cells);
      add_number (b, "sockets", p->parts.sockets);
      add_number (b, "half_cores", p->parts.half_cores);
    }
  json_builder_end_object (b);
  if (p->feasible)
    add_number (b, "lower_bound", p->lower_bound);
  else
    {
      json_builder_set_member_name (b, "lower_bound");
      json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "explanation");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->explanation->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (p->explanation, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Domain edits ----------------------------------------------------------- */

/**
 * kt_proposal_needs_hugepages:
 * @t: the tuning of the definition the proposal is for
 *
 * Returns: whether the proposal's huge pages are to be written: the size
 * the VM has already (or its default, which the plan resolved) stays as
 * written
 */
gboolean
kt_proposal_needs_hugepages (const KtProposal *p,
                             const KtTuning   *t)
{
  g_return_val_if_fail (p != NULL && t != NULL, FALSE);

  if (p->hugepage_kib == 0)
    return FALSE;
  if (t->has_hugepages && t->hugepages->len == 0)
    return FALSE;
  for (guint i = 0; t->has_hugepages && i < t->hugepages->len; i++)
    if (g_array_index (t->hugepages, KtHugepage, i).size_kib == p->hugepage_kib
        || g_array_index (t->hugepages, KtHugepage, i).size_kib == 0)
      return FALSE;
  return TRUE;
}

/**
 * kt_proposal_edit_domain:
 *
 * Writes @p into @domain: a vcpupin per vCPU, the emulatorpin and
 * iothreadpins, numatune, a memnode per guest cell and the huge page size.
 * Guest cells are not created: when @p needs cells @domain lacks (or has
 * others), nothing is changed and the error says what to add.
 */
gboolean
kt_proposal_edit_domain (const KtProposal  *p,
                         KtDomain          *domain,
                         GError           **error)
{
  g_autoptr(KtTuning) t = NULL;

  g_return_val_if_fail (p != NULL, FALSE);
  g_return_val_if_fail (KT_IS_DOMAIN (domain), FALSE);

  if (!p->feasible)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("No placement to apply for %s: %s"), p->domain, p->reason);
      return FALSE;
    }
  t = kt_domain_get_tuning (domain);
  if (t->vcpus != p->vcpupin->len)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("The plan is for %u vCPUs; %s has %u"), p->vcpupin->len, t->name, t->vcpus);
      return FALSE;
    }
  if (p->cells->len > 0)
    {
      gboolean same = t->cells->len == p->cells->len;

      for (guint i = 0; same && i < p->cells->len; i++)
        {
          const KtPlannerCell *want = &g_array_index (p->cells, KtPlannerCell, i);
          const KtGuestCell *have = kt_tuning_lookup_cell (t, want->id);

          same = have != NULL && have->cpus != NULL && want->vcpus != NULL
                 && kt_cpuset_equal (have->cpus, want->vcpus);
        }
      if (!same)
        {
          g_autoptr(GString) cells = g_string_new (NULL);

          for (guint i = 0; i < p->cells->len; i++)
            {
              const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);
              g_autofree char *cpus = c->vcpus ? kt_cpuset_format (c->vcpus) : g_strdup ("");

              g_string_append_printf (cells, "%s<cell id='%u' cpus='%s' memory='%llu' "
                                      "unit='KiB'/>", i ? " " : "", c->id, cpus,
                                      (unsigned long long) c->memory_kib);
            }
          g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                       _("The plan for %s needs %u guest NUMA cells it does not have; add "
                         "them under <cpu><numa> (virsh edit): %s, then plan again"),
                       t->name, p->cells->len, cells->str);
          return FALSE;
        }
    }

  for (guint v = 0; v < p->vcpupin->len; v++)
    if (!kt_domain_set_vcpupin (domain, v, g_ptr_array_index (p->vcpupin, v), error))
      return FALSE;
  if (p->emulatorpin != NULL && !kt_domain_set_emulatorpin (domain, p->emulatorpin, error))
    return FALSE;
  for (guint i = 0; i < p->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (p->iothreadpin, KtPin, i);

      if (kt_tuning_has_iothread (t, pin->id)
          && !kt_domain_set_iothreadpin (domain, pin->id, pin->cpuset, error))
        return FALSE;
    }
  if (!kt_domain_set_numatune (domain, p->numa_mode, p->nodeset, error))
    return FALSE;
  if (p->cells->len > 0)
    {
      for (guint i = 0; i < p->cells->len; i++)
        {
          const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

          if (!kt_domain_set_memnode (domain, c->id, KT_PLANNER_MEMNODE_MODE, c->nodeset,
                                      error))
            return FALSE;
        }
    }
  else
    for (guint i = 0; i < t->cells->len; i++)   /* its own cells: all on the plan's nodes */
      if (!kt_domain_set_memnode (domain, g_array_index (t->cells, KtGuestCell, i).id,
                                  KT_PLANNER_MEMNODE_MODE, p->nodeset, error))
        return FALSE;
  if (kt_proposal_needs_hugepages (p, t)
      && !kt_domain_set_hugepages (domain, p->hugepage_kib, NULL, error))
    return FALSE;
  return TRUE;
}

/* A memnode of the edits, with the planner's mode */
static void
edits_add_memnode (KtEdits        *e,
                   guint           cellid,
                   const KtCpuset *nodeset)
{
  g_hash_table_insert (e->memnodes, GUINT_TO_POINTER (cellid),
                       nodeset != NULL ? kt_cpuset_copy (nodeset) : kt_cpuset_new ());
  g_hash_table_insert (e->memnode_modes, GUINT_TO_POINTER (cellid),
                       g_strdup (KT_PLANNER_MEMNODE_MODE));
}

/**
 * kt_proposal_to_edits:
 *
 * What kt_proposal_edit_domain () writes into @domain but the vCPU pins,
 * as KtEdits (for a session: the pins go through its plan).
 *
 * Returns: (transfer full): the edits, or %NULL with @error set
 */
KtEdits *
kt_proposal_to_edits (const KtProposal  *p,
                      KtDomain          *domain,
                      GError           **error)
{
  g_autoptr(KtDomain) check = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtEdits) e = NULL;

  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (KT_IS_DOMAIN (domain), NULL);

  /* The same refusals (infeasible, another vCPU count, cells missing) */
  check = kt_domain_copy (domain);
  if (!kt_proposal_edit_domain (p, check, error))
    return NULL;

  t = kt_domain_get_tuning (domain);
  e = kt_edits_new ();
  if (p->emulatorpin != NULL)
    {
      e->has_emulatorpin = TRUE;
      e->emulatorpin = kt_cpuset_copy (p->emulatorpin);
    }
  for (guint i = 0; i < p->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (p->iothreadpin, KtPin, i);

      if (kt_tuning_has_iothread (t, pin->id))
        g_hash_table_insert (e->iothreadpins, GUINT_TO_POINTER (pin->id),
                             kt_cpuset_copy (pin->cpuset));
    }
  e->numa_mode = g_strdup (p->numa_mode);
  e->numa_nodeset = p->nodeset != NULL ? kt_cpuset_copy (p->nodeset) : NULL;
  if (p->cells->len > 0)
    for (guint i = 0; i < p->cells->len; i++)
      {
        const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

        edits_add_memnode (e, c->id, c->nodeset);
      }
  else
    for (guint i = 0; i < t->cells->len; i++)   /* its own cells: all on the plan's nodes */
      edits_add_memnode (e, g_array_index (t->cells, KtGuestCell, i).id, p->nodeset);
  if (kt_proposal_needs_hugepages (p, t))
    {
      e->has_hugepages = TRUE;
      e->page_kib = p->hugepage_kib;
    }
  return g_steal_pointer (&e);
}
