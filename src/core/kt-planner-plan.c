/* kt-planner-plan.c: planning one VM and many VMs in turn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-planner-private.h"

/* One VM --------------------------------------------------------------- */

static KtProposal *
infeasible (const KtPlannerRequest *req,
            char                   *reason)
{
  KtProposal *p = kt_proposal_new (req);

  p->feasible = FALSE;
  p->reason = reason;
  return p;
}

static gboolean
host_has_pages (KtPlanner *self,
                guint64    size_kib)
{
  const GArray *sizes = kt_host_get_page_sizes (self->host);

  for (guint i = 0; i < sizes->len; i++)
    if (g_array_index (sizes, guint64, i) == size_kib)
      return TRUE;
  return FALSE;
}

static KtProposal *
search_one (KtPlanner              *self,
            const KtPlannerRequest *req)
{
  Search s = { 0, };
  KtProposal *result;
  guint cap = 0;
  guint64 mem_cap = 0;

  s.self = self;
  s.req = req;
  s.n = req->vcpus;
  s.T = MAX (req->threads_per_core, 1);
  s.mem = req->memory_kib;
  s.huge = req->hugepage_kib;
  s.dedicated = self->policy.cpu == KT_PLANNER_DEDICATED;
  s.threads = self->policy.threads;
  s.emulator_cpu = -1;

  if (s.n == 0)
    return infeasible (req, g_strdup_printf (_("%s has no vCPUs"), req->name));
  if (s.mem == 0)
    return infeasible (req, g_strdup_printf (_("%s has no memory"), req->name));
  if (s.huge == 1)
    {
      const GArray *sizes = kt_host_get_page_sizes (self->host);

      s.huge = 0;
      for (guint i = 0; i < sizes->len && s.huge == 0; i++)
        if (g_array_index (sizes, guint64, i) >= 1024)
          s.huge = g_array_index (sizes, guint64, i);
      if (s.huge == 0)
        return infeasible (req, g_strdup (_("The VM wants huge pages; the host has none")));
    }
  if (s.huge > 0 && !host_has_pages (self, s.huge))
    return infeasible (req, g_strdup_printf (_("The host has no %llu KiB pages"),
                                             (unsigned long long) s.huge));

  kt_planner_prepare_cores (&s);
  s.node_cap = g_new0 (guint, self->nodes->len + 1);
  for (guint c = 0; c < self->cores->len; c++)
    s.node_cap[g_array_index (self->cores, KtPlanCore, c).node] += kt_planner_core_capacity (&s, c);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      cap += s.node_cap[i];
      mem_cap += kt_planner_node_memory_cap (&s, i);
    }

  if (cap < s.n)
    {
      const char *what = !s.dedicated ? _("usable pCPUs")
                         : s.threads == KT_PLANNER_THREADS_ISOLATE ? _("free whole cores")
                         : s.threads == KT_PLANNER_THREADS_REQUIRE ? _("pCPUs on free whole cores")
                         : _("free pCPUs");

      /* Translators: "8 vCPUs need 8 free pCPUs; the host has 6 (…)" */
      result = infeasible (req, g_strdup_printf (ngettext ("%u vCPU needs %u %s; the host has %u "
                                                           "(not reserved, not used by another VM)",
                                                           "%u vCPUs need %u %s; the host has %u "
                                                           "(not reserved, not used by another VM)",
                                                           s.n),
                                                 s.n, s.n, what, cap));
    }
  else if (mem_cap < s.mem)
    {
      g_autofree char *need = g_format_size_full (s.mem * 1024, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *have = g_format_size_full (mem_cap * 1024, G_FORMAT_SIZE_IEC_UNITS);

      result = infeasible (req, s.huge > 0
                           ? g_strdup_printf (_("%s of huge pages needed; the host's pools have "
                                                "%s free"), need, have)
                           : g_strdup_printf (_("%s of memory needed; the host's nodes have %s "
                                                "free"), need, have));
    }
  else
    {
      s.fewest_nodes = kt_planner_fewest_nodes (&s);
      s.fewest_l3 = kt_planner_fewest_groups (&s, FALSE);
      s.fewest_sockets = kt_planner_fewest_groups (&s, TRUE);
      s.bound = kt_planner_lower_bound (&s);
      kt_planner_search_regions (&s);
      if (s.best != NULL)
        {
          result = g_steal_pointer (&s.best);
          result->lower_bound = s.bound;
          kt_planner_explain (self, req, result);
        }
      else
        result = infeasible (req, s.why ? g_steal_pointer (&s.why)
                                        : g_strdup (_("No placement meets the constraints")));
    }
  g_free (s.why);
  g_free (s.info);
  g_free (s.node_cap);
  g_clear_pointer (&s.best, kt_proposal_free);
  return result;
}

/**
 * kt_planner_plan:
 *
 * Returns: (transfer full): where @request's VM should go; the VM's own
 * current pins do not count against it
 */
KtProposal *
kt_planner_plan (KtPlanner              *self,
                 const KtPlannerRequest *request)
{
  g_return_val_if_fail (KT_IS_PLANNER (self), NULL);
  g_return_val_if_fail (request != NULL && request->name != NULL, NULL);

  g_hash_table_remove_all (self->excluded);
  g_hash_table_add (self->excluded, g_strdup (request->name));
  kt_planner_build_state (self);
  return search_one (self, request);
}

/* Places @requests in @order, each after the ones before */
static GPtrArray *
place_in_order (KtPlanner  *self,
                GPtrArray  *requests,
                const guint *order,
                double     *total,
                guint      *n_feasible)
{
  GPtrArray *out = g_ptr_array_new_full (requests->len, (GDestroyNotify) kt_proposal_free);

  kt_planner_build_state (self);
  *total = 0;
  *n_feasible = 0;
  g_ptr_array_set_size (out, requests->len);
  for (guint i = 0; i < requests->len; i++)
    {
      KtProposal *p = search_one (self, g_ptr_array_index (requests, order[i]));

      kt_planner_commit (self, p);
      if (p->feasible)
        {
          *total += p->cost;
          (*n_feasible)++;
        }
      g_ptr_array_index (out, order[i]) = p;
    }
  return out;
}

static int
cmp_by_size (gconstpointer a,
             gconstpointer b,
             gpointer      data)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  const KtPlannerRequest *rx = g_ptr_array_index ((GPtrArray *) data, x);
  const KtPlannerRequest *ry = g_ptr_array_index ((GPtrArray *) data, y);

  if (rx->vcpus != ry->vcpus)
    return rx->vcpus > ry->vcpus ? -1 : 1;
  if (rx->memory_kib != ry->memory_kib)
    return rx->memory_kib > ry->memory_kib ? -1 : 1;
  return x < y ? -1 : x > y;
}

/**
 * kt_planner_plan_all:
 * @requests: (element-type KtPlannerRequest)
 * @total_cost: (out) (optional): the sum of the feasible proposals' costs
 *
 * Places every request together: none of their VMs' current pins count.
 * Tries them in the given order (one by one) and largest first, and keeps
 * the order that places more VMs, then costs less.
 *
 * Returns: (transfer full) (element-type KtProposal): one proposal per
 * request, in the same order
 */
GPtrArray *
kt_planner_plan_all (KtPlanner *self,
                     GPtrArray *requests,
                     double    *total_cost)
{
  g_autofree guint *given = NULL;
  g_autofree guint *largest = NULL;
  GPtrArray *best, *other;
  double best_total, other_total;
  guint best_n, other_n;

  g_return_val_if_fail (KT_IS_PLANNER (self), NULL);
  g_return_val_if_fail (requests != NULL, NULL);

  g_hash_table_remove_all (self->excluded);
  given = g_new (guint, requests->len + 1);
  largest = g_new (guint, requests->len + 1);
  for (guint i = 0; i < requests->len; i++)
    {
      const KtPlannerRequest *r = g_ptr_array_index (requests, i);

      g_hash_table_add (self->excluded, g_strdup (r->name));
      given[i] = largest[i] = i;
    }
  g_qsort_with_data (largest, (gint) requests->len, sizeof (guint), cmp_by_size, requests);

  best = place_in_order (self, requests, given, &best_total, &best_n);
  other = place_in_order (self, requests, largest, &other_total, &other_n);
  if (other_n > best_n || (other_n == best_n && other_total < best_total - 1e-9))
    {
      g_ptr_array_unref (best);
      best = other;
      best_total = other_total;
    }
  else
    g_ptr_array_unref (other);
  if (total_cost != NULL)
    *total_cost = best_total;
  return best;
}
