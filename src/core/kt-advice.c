/* kt-advice.c: the advisor and the planner on a session's pending state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advice.h"
#include "kt-error.h"

/* The effective snapshot ------------------------------------------------- */

static gboolean
any_edits (KtSession *session)
{
  GListModel *vms = kt_snapshot_get_vms (kt_session_get_snapshot (session));

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      if (kt_session_get_edits (session, kt_vm_get_name (vm)) != NULL)
        return TRUE;
    }
  return FALSE;
}

/**
 * kt_advice_effective_snapshot:
 *
 * Returns: (transfer full): the snapshot with what is pending made
 */
KtSnapshot *
kt_advice_effective_snapshot (KtSession  *session,
                              GError    **error)
{
  KtSnapshot *snapshot;
  g_autoptr(KtSnapshot) copy = NULL;
  g_autofree char *xml = NULL;
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SESSION (session), NULL);

  snapshot = kt_session_get_snapshot (session);
  if (!any_edits (session))
    return g_object_ref (snapshot);

  /* The whole document, host tuning and node devices included */
  xml = kt_snapshot_to_xml (snapshot);
  if ((copy = kt_snapshot_load_xml (xml, -1, error)) == NULL)
    return NULL;
  vms = kt_snapshot_get_vms (copy);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      const char *name = kt_vm_get_name (vm);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtDomain) inactive = NULL;

      if (kt_session_get_edits (session, name) == NULL)
        continue;
      if (kt_vm_get_live (vm) != NULL
          && (live = kt_session_preview (session, name, kt_vm_get_live (vm), error)) == NULL)
        return NULL;
      if (kt_vm_get_inactive (vm) != NULL
          && (inactive = kt_session_preview (session, name, kt_vm_get_inactive (vm),
                                             error)) == NULL)
        return NULL;
      kt_vm_set_definitions (vm, live, inactive);
    }
  return g_steal_pointer (&copy);
}

/**
 * kt_advice_run:
 *
 * Returns: (transfer full) (element-type KtFinding): the findings on the
 * pending state, or %NULL with @error set
 */
GPtrArray *
kt_advice_run (KtSession       *session,
               const KtCpuset  *reserved,
               GError         **error)
{
  g_autoptr(KtSnapshot) effective = NULL;
  g_autoptr(KtHostTuning) host = NULL;
  KtAdvisorOptions options = { reserved, NULL };

  g_return_val_if_fail (KT_IS_SESSION (session), NULL);

  if ((effective = kt_advice_effective_snapshot (session, error)) == NULL)
    return NULL;
  host = kt_advice_effective_host_tuning (session);
  options.host_tuning = host;
  return kt_advisor_run (effective, &options);
}

/**
 * kt_advice_effective_host_tuning:
 *
 * Returns: (transfer full) (nullable): the host's tuning as last read by
 * the session with the pending host targets made, or %NULL when the
 * session has read none (the advisor then takes the snapshot's)
 */
KtHostTuning *
kt_advice_effective_host_tuning (KtSession *session)
{
  const KtHostTuning *current;
  g_autoptr(GPtrArray) targets = NULL;
  KtHostTuning *copy;

  g_return_val_if_fail (KT_IS_SESSION (session), NULL);

  if ((current = kt_session_get_host_tuning (session)) == NULL)
    return NULL;
  copy = kt_host_tuning_copy (current);
  targets = kt_session_dup_host_targets (session);
  for (guint i = 0; i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);
      g_autoptr(GError) local = NULL;

      /* Checked when they were set; one the host refuses now stays out */
      if (!kt_host_tuning_set_value (copy, t->key, t->value, &local))
        g_debug ("Pending %s=%s: %s", t->key, t->value, local->message);
    }
  return copy;
}

/* Grouping --------------------------------------------------------------- */

void
kt_advice_group_free (KtAdviceGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->vm);
  g_ptr_array_unref (group->findings);
  g_free (group);
}

/**
 * kt_advice_group:
 *
 * Returns: (transfer full) (element-type KtAdviceGroup): one group per VM
 * with findings, in their first finding's order, then the host's
 */
GPtrArray *
kt_advice_group (GPtrArray *findings,
                 guint     *counts)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_advice_group_free);
  KtAdviceGroup *host = NULL;

  g_return_val_if_fail (findings != NULL, groups);

  if (counts != NULL)
    counts[0] = counts[1] = counts[2] = 0;
  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);
      KtAdviceGroup *group = NULL;

      if (f->vm == NULL)
        group = host;
      else
        for (guint j = 0; j < groups->len && group == NULL; j++)
          {
            KtAdviceGroup *g = g_ptr_array_index (groups, j);

            if (g_strcmp0 (g->vm, f->vm) == 0)
              group = g;
          }
      if (group == NULL)
        {
          group = g_new0 (KtAdviceGroup, 1);
          group->vm = g_strdup (f->vm);
          group->findings = g_ptr_array_new ();
          if (f->vm == NULL)
            host = group;
          else
            g_ptr_array_add (groups, group);
        }
      g_ptr_array_add (group->findings, (gpointer) f);
      group->counts[f->severity]++;
      if (f->fix != NULL && kt_fix_is_automatic (f->fix))
        group->n_fixable++;
      if (counts != NULL)
        counts[f->severity]++;
    }
  if (host != NULL)
    g_ptr_array_add (groups, host);
  return groups;
}

char *
kt_advice_describe_counts (const guint *counts)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  g_return_val_if_fail (counts != NULL, NULL);

  if (counts[KT_SEVERITY_ERROR] > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error",
                                                          "%u errors", counts[KT_SEVERITY_ERROR]),
                                             counts[KT_SEVERITY_ERROR]));
  if (counts[KT_SEVERITY_WARNING] > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning",
                                                          "%u warnings",
                                                          counts[KT_SEVERITY_WARNING]),
                                             counts[KT_SEVERITY_WARNING]));
  if (counts[KT_SEVERITY_INFO] > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u note",
                                                          "%u notes", counts[KT_SEVERITY_INFO]),
                                             counts[KT_SEVERITY_INFO]));
  if (parts->len == 0)
    return g_strdup (_("No problems found"));
  g_ptr_array_add (parts, NULL);
  /* Translators: the parts of "2 errors, 12 warnings, 7 notes" are joined with this */
  joined = g_strjoinv (_(", "), (char **) parts->pdata);
  return g_steal_pointer (&joined);
}

/* A fix into the session ------------------------------------------------- */

/* Makes @step (not a vCPU pin, not a host step) in @edits */
static void
edit_step (KtEdits         *edits,
           const KtFixStep *s)
{
  switch (s->kind)
    {
    case KT_FIX_EMULATORPIN:
      edits->has_emulatorpin = TRUE;
      g_clear_pointer (&edits->emulatorpin, kt_cpuset_free);
      edits->emulatorpin = s->cpuset ? kt_cpuset_copy (s->cpuset) : NULL;
      break;
    case KT_FIX_IOTHREADPIN:
      g_hash_table_insert (edits->iothreadpins, GUINT_TO_POINTER (s->index),
                           s->cpuset ? kt_cpuset_copy (s->cpuset) : kt_cpuset_new ());
      break;
    case KT_FIX_NUMATUNE:
      if (s->mode != NULL)
        {
          g_free (edits->numa_mode);
          edits->numa_mode = g_strdup (s->mode);
        }
      if (s->cpuset != NULL)
        {
          g_clear_pointer (&edits->numa_nodeset, kt_cpuset_free);
          edits->numa_nodeset = kt_cpuset_copy (s->cpuset);
        }
      break;
    case KT_FIX_MEMNODE:
      /* Without a mode, the memnode keeps its own (a new one is strict) */
      g_hash_table_insert (edits->memnodes, GUINT_TO_POINTER (s->index),
                           s->cpuset ? kt_cpuset_copy (s->cpuset) : kt_cpuset_new ());
      if (s->mode != NULL)
        g_hash_table_insert (edits->memnode_modes, GUINT_TO_POINTER (s->index),
                             g_strdup (s->mode));
      else
        g_hash_table_remove (edits->memnode_modes, GUINT_TO_POINTER (s->index));
      break;
    case KT_FIX_HUGEPAGES:
      edits->has_hugepages = TRUE;
      edits->page_kib = (guint64) s->number;
      g_clear_pointer (&edits->page_cells, kt_cpuset_free);
      edits->page_cells = s->cpuset ? kt_cpuset_copy (s->cpuset) : NULL;
      break;
    case KT_FIX_NOSHAREPAGES:
      edits->nosharepages = s->number != 0;
      break;
    case KT_FIX_HARD_LIMIT:
      edits->has_hard_limit = TRUE;
      edits->hard_limit_kib = s->number;
      break;
    case KT_FIX_CPU_MODE:
      g_free (edits->cpu_mode);
      g_free (edits->cpu_model);
      edits->cpu_mode = g_strdup (s->mode);
      edits->cpu_model = g_strdup (s->model);
      break;
    case KT_FIX_CPU_TOPOLOGY:
      edits->has_topology = TRUE;
      memcpy (edits->topology, s->topology, sizeof edits->topology);
      break;
    case KT_FIX_VCPUPIN:
    case KT_FIX_HOST:
    default:
      break;
    }
}

typedef struct
{
  KtVm      *vm;
  GArray    *vcpus;     /* guint */
  GPtrArray *targets;   /* const KtCpuset *, borrowed from the fix */
  KtEdits   *edits;     /* NULL: no other step */
} VmSteps;

static void
vm_steps_clear (gpointer data)
{
  VmSteps *v = data;

  g_array_unref (v->vcpus);
  g_ptr_array_unref (v->targets);
  kt_edits_free (v->edits);
}

/* Every definition of the VM takes the edits */
static gboolean
check_edits (KtSession     *session,
             VmSteps       *v,
             GError       **error)
{
  KtDomain *defs[2] = { kt_vm_get_live (v->vm), kt_vm_get_inactive (v->vm) };

  for (guint d = 0; d < 2; d++)
    {
      g_autoptr(KtDomain) copy = NULL;

      if (defs[d] == NULL)
        continue;
      copy = kt_domain_copy (defs[d]);
      if (!kt_edits_replay (v->edits, copy, error))
        {
          g_prefix_error (error, _("Domain “%s”: "), kt_vm_get_name (v->vm));
          return FALSE;
        }
    }
  return TRUE;
}

/* The host's tuning, read when the session has none yet: a snapshot's
 * values at once; a connection's only in the background (the window's
 * Host view, kt_session_read_host_async ()), so it is asked for */
static gboolean
require_host_tuning (KtSession  *session,
                     GError    **error)
{
  const GError *read_error;

  if (kt_session_get_host_tuning (session) != NULL)
    return TRUE;
  if (kt_session_get_connection (session) == NULL)
    return kt_session_read_host (session, error);
  read_error = kt_session_get_host_error (session);
  if (read_error != NULL)
    g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                 _("This fix changes host settings, and the host’s tuning could not be read: %s"),
                 read_error->message);
  else
    g_set_error_literal (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                         _("This fix changes host settings, and the host’s tuning is not read "
                           "yet: read it first (the Host view)"));
  return FALSE;
}

/* The fix's host steps as targets (KtHostTarget) */
static GPtrArray *
host_targets_of (const KtFix *fix)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);

      if (s->kind == KT_FIX_HOST)
        g_ptr_array_add (targets, kt_host_target_new (s->key, s->value));
    }
  return targets;
}

/* Of @targets, those now pending (not those the host has already) */
static GPtrArray *
pending_of (KtSession *session,
            GPtrArray *targets)
{
  GPtrArray *pending = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  for (guint i = 0; i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);

      if (g_strcmp0 (kt_session_get_host_target (session, t->key), t->value) == 0)
        g_ptr_array_add (pending, kt_host_target_new (t->key, t->value));
    }
  return pending;
}

/**
 * kt_advice_put_fix:
 * @host_put: (out) (optional) (element-type KtHostTarget): the host steps
 *   made pending
 *
 * See kt-advice.h.
 */
gboolean
kt_advice_put_fix (KtSession    *session,
                   const KtFix  *fix,
                   GPtrArray   **host_put,
                   GError      **error)
{
  KtSnapshot *snapshot;
  g_autoptr(GArray) vms = NULL;
  g_autoptr(GPtrArray) host = host_targets_of (fix);
  guint64 start;

  g_return_val_if_fail (KT_IS_SESSION (session), FALSE);
  g_return_val_if_fail (fix != NULL, FALSE);

  if (!kt_fix_is_automatic (fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("No automatic fix: %s"),
                   fix->summary);
      return FALSE;
    }
  if (kt_fix_has_host_steps (fix) && !require_host_tuning (session, error))
    return FALSE;

  /* The steps by VM */
  snapshot = kt_session_get_snapshot (session);
  vms = g_array_new (FALSE, TRUE, sizeof (VmSteps));
  g_array_set_clear_func (vms, vm_steps_clear);
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);
      VmSteps *v = NULL;

      if (s->kind == KT_FIX_HOST)
        continue;
      for (guint j = 0; j < vms->len && v == NULL; j++)
        if (g_str_equal (kt_vm_get_name (g_array_index (vms, VmSteps, j).vm), s->vm))
          v = &g_array_index (vms, VmSteps, j);
      if (v == NULL)
        {
          VmSteps add = { 0, };

          add.vm = kt_snapshot_lookup_vm (snapshot, s->vm);
          if (add.vm == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"),
                           s->vm);
              return FALSE;
            }
          add.vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
          add.targets = g_ptr_array_new ();
          g_array_append_val (vms, add);
          v = &g_array_index (vms, VmSteps, vms->len - 1);
        }
      if (s->kind == KT_FIX_VCPUPIN)
        {
          g_array_append_val (v->vcpus, s->index);
          g_ptr_array_add (v->targets, s->cpuset);
          continue;
        }
      if (v->edits == NULL)
        v->edits = kt_edits_copy (kt_session_get_edits (session, s->vm));
      edit_step (v->edits, s);
    }

  /* Checked before anything changes: the edits, the host targets */
  for (guint i = 0; i < vms->len; i++)
    {
      VmSteps *v = &g_array_index (vms, VmSteps, i);

      if (v->edits != NULL && !check_edits (session, v, error))
        return FALSE;
    }
  if (host->len > 0 && !kt_session_check_host_targets (session, host, error))
    return FALSE;

  /* The domain steps; a pin refused takes back what was made before it */
  start = kt_session_get_revision (session);
  for (guint i = 0; i < vms->len; i++)
    {
      VmSteps *v = &g_array_index (vms, VmSteps, i);
      const char *name = kt_vm_get_name (v->vm);

      if ((v->vcpus->len > 0
           && !kt_plan_pin_each (kt_session_get_plan (session), v->vm,
                                 (const guint *) v->vcpus->data, v->vcpus->len, v->targets,
                                 error))
          || (v->edits != NULL && !kt_session_set_edits (session, name, v->edits, error)))
        {
          kt_advice_undo_to (session, start);
          return FALSE;
        }
    }
  /* Then the host targets, all or none, as one step */
  if (host->len > 0 && !kt_session_set_host_targets (session, host, error))
    {
      kt_advice_undo_to (session, start);   /* checked above: not expected */
      return FALSE;
    }
  if (host_put != NULL)
    *host_put = pending_of (session, host);
  return TRUE;
}

gboolean
kt_advice_undo_to (KtSession *session,
                   guint64    revision)
{
  g_return_val_if_fail (KT_IS_SESSION (session), FALSE);

  while (kt_session_get_revision (session) != revision)
    if (!kt_session_can_undo (session) || !kt_session_undo (session))
      return FALSE;
  return TRUE;
}

/* A proposal as a fix ---------------------------------------------------- */

/**
 * kt_advice_fix_from_proposal:
 *
 * Returns: (transfer full): the proposal's steps, or %NULL with @error set
 */
KtFix *
kt_advice_fix_from_proposal (const KtProposal  *p,
                             KtVm              *vm,
                             GError           **error)
{
  g_autoptr(KtFix) fix = NULL;
  g_autoptr(KtDomain) check = NULL;
  g_autoptr(KtTuning) t = NULL;
  const char *name;

  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  /* What the planner's own writer refuses (infeasible, another vCPU
   * count, guest cells missing) is refused here, with its reasons */
  check = kt_domain_copy (kt_vm_get_effective (vm));
  if (!kt_proposal_edit_domain (p, check, error))
    return NULL;

  name = kt_vm_get_name (vm);
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  /* Translators: the summary of a placement the planner suggested */
  fix = kt_fix_new (_("The suggested placement"));
  for (guint v = 0; v < p->vcpupin->len; v++)
    kt_fix_add_pin (fix, KT_FIX_VCPUPIN, name, v, g_ptr_array_index (p->vcpupin, v));
  if (p->emulatorpin != NULL)
    kt_fix_add_pin (fix, KT_FIX_EMULATORPIN, name, 0, p->emulatorpin);
  else if (t->emulatorpin != NULL && p->vcpupin->len > 0)
    {
      /* Shared with the vCPUs: an emulator pinned elsewhere follows them,
       * rather than stay where another VM may be placed now */
      g_autoptr(KtCpuset) all = kt_cpuset_new ();

      for (guint v = 0; v < p->vcpupin->len; v++)
        kt_cpuset_union_in (all, g_ptr_array_index (p->vcpupin, v));
      kt_fix_add_pin (fix, KT_FIX_EMULATORPIN, name, 0, all);
    }
  for (guint i = 0; i < p->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (p->iothreadpin, KtPin, i);

      if (kt_tuning_has_iothread (t, pin->id))
        kt_fix_add_pin (fix, KT_FIX_IOTHREADPIN, name, pin->id, pin->cpuset);
    }
  kt_fix_add_numatune (fix, name, p->numa_mode, p->nodeset);
  if (p->cells->len > 0)
    for (guint i = 0; i < p->cells->len; i++)
      {
        const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);

        kt_fix_add_memnode (fix, name, c->id, KT_PLANNER_MEMNODE_MODE, c->nodeset);
      }
  else if (p->nodeset != NULL)
    for (guint i = 0; i < t->cells->len; i++)
      kt_fix_add_memnode (fix, name, g_array_index (t->cells, KtGuestCell, i).id,
                          KT_PLANNER_MEMNODE_MODE, p->nodeset);
  if (kt_proposal_needs_hugepages (p, t))
    kt_fix_add_number (fix, KT_FIX_HUGEPAGES, name, (gint64) p->hugepage_kib, NULL);
  return g_steal_pointer (&fix);
}
