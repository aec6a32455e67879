/* kt-cli-plan.c: kvmtune-cli plan: where a VM should go
 *
 *   plan DOMAIN | --all | --new NAME --vcpus N --memory MIB
 *        [--hugepages KIB] [--threads-per-core T]
 *        [--policy dedicated|shared] [--threads prefer|isolate|require]
 *        [--emulator share|isolate] [--reserve CPUSET] [--json]
 *        [--apply [--live] [--config] [--dry-run]]
 *
 * --apply goes through a KtSession, as the tuning verbs (kt-cli-tune.c)
 * and the window do, with the same locks, flags and preview: each VM's
 * proposal becomes its vCPU pins (kt_session_pin_each ()) and KtEdits
 * (kt_proposal_to_edits ()), every VM's are checked before anything is
 * changed, and kt_session_apply_all () applies them all or none (through
 * libvirt, with KtApply's journal and rollback; into the snapshot, which
 * is then written back, offline).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-cli.h"
#include "kt-cli-recover.h"
#include "kt-error.h"
#include "kt-json.h"
#include "kt-planner.h"
#include "kt-session.h"

typedef struct
{
  gboolean json;
  gboolean all;
  char    *new_name;
  int      vcpus;
  gint64   memory_mib;
  gint64   hugepage_kib;
  int      threads_per_core;
  char    *policy;
  char    *threads;
  char    *emulator;
  char    *reserve;
  gboolean apply;
  gboolean live;
  gboolean config;
  gboolean dry_run;
} PlanOptions;

static void
plan_options_clear (PlanOptions *o)
{
  g_free (o->new_name);
  g_free (o->policy);
  g_free (o->threads);
  g_free (o->emulator);
  g_free (o->reserve);
}

static void
print_proposal (const KtProposal *p)
{
  if (!p->feasible)
    {
      g_print (_("%s: infeasible: %s\n"), p->domain, p->reason);
      return;
    }
  {
    g_autofree char *cost = g_strdup_printf ("%.4g", p->cost);
    g_autofree char *lb = g_strdup_printf ("%.4g", p->lower_bound);

    g_print (_("%s: cost %s (lower bound %s)\n"), p->domain, cost, lb);
  }
  for (guint v = 0; v < p->vcpupin->len; v++)
    {
      g_autofree char *set = kt_cpuset_format (g_ptr_array_index (p->vcpupin, v));

      g_print ("  vcpupin      %-4u %s\n", v, set);
    }
  if (p->emulatorpin != NULL)
    {
      g_autofree char *set = kt_cpuset_format (p->emulatorpin);

      g_print ("  emulatorpin       %s\n", set);
    }
  for (guint i = 0; i < p->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (p->iothreadpin, KtPin, i);
      g_autofree char *set = kt_cpuset_format (pin->cpuset);

      g_print ("  iothreadpin  %-4u %s\n", pin->id, set);
    }
  {
    g_autofree char *ns = kt_cpuset_format (p->nodeset);

    g_print ("  numatune          %s %s\n", p->numa_mode, ns);
  }
  for (guint i = 0; i < p->cells->len; i++)
    {
      const KtPlannerCell *c = &g_array_index (p->cells, KtPlannerCell, i);
      g_autofree char *cpus = c->vcpus ? kt_cpuset_format (c->vcpus) : g_strdup ("-");
      g_autofree char *ns = kt_cpuset_format (c->nodeset);
      g_autofree char *mem = g_format_size_full (c->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);

      g_print (_("  cell         %-4u vCPUs %s, %s, memnode strict %s\n"), c->id, cpus, mem, ns);
    }
  for (guint i = 0; i < p->hugepages->len; i++)
    {
      const KtPlannerPages *pg = &g_array_index (p->hugepages, KtPlannerPages, i);
      g_autofree char *line = g_strdup_printf ("%llu × %llu KiB", (unsigned long long) pg->pages,
                                               (unsigned long long) pg->size_kib);

      g_print (_("  hugepages    node %d: %s\n"), pg->node, line);
    }
  for (guint i = 0; i < p->explanation->len; i++)
    g_print ("  %s\n", (const char *) g_ptr_array_index (p->explanation, i));
}

/* Gives @p to the session as @vm's pending pins and edits, checked
 * against the definitions @flags changes: nothing when there are none */
static gboolean
stage_proposal (KtSession         *session,
                KtVm              *vm,
                const KtProposal  *p,
                KtApplyFlags       flags,
                GError           **error)
{
  g_autoptr(KtEdits) edits = NULL;
  g_autoptr(GArray) vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
  KtDomain *defs[2] = { NULL, NULL };

  if (flags & KT_APPLY_CONFIG)
    defs[0] = kt_vm_get_inactive (vm);
  if ((flags & KT_APPLY_LIVE) && kt_vm_is_active (vm))
    defs[1] = kt_vm_get_live (vm);
  if (defs[0] == NULL && defs[1] == NULL)
    return TRUE;        /* kt_session_prepare_apply () says why */
  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      g_autoptr(KtEdits) e = defs[i] != NULL ? kt_proposal_to_edits (p, defs[i], error) : NULL;

      if (defs[i] != NULL && e == NULL)
        return FALSE;
      if (edits == NULL)
        edits = g_steal_pointer (&e);
      else if (e != NULL && !kt_edits_equal (edits, e))
        {
          /* One set of edits goes to both definitions */
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("%s: its live and persistent definitions differ in what the plan "
                         "changes (I/O threads, guest cells or huge pages): apply with --live "
                         "and with --config one at a time"), kt_vm_get_name (vm));
          return FALSE;
        }
    }
  for (guint v = 0; v < p->vcpupin->len; v++)
    g_array_append_val (vcpus, v);
  if (vcpus->len > 0
      && !kt_session_pin_each (session, vm, (const guint *) vcpus->data, vcpus->len, p->vcpupin,
                               error))
    return FALSE;
  return kt_session_set_edits_full (session, kt_vm_get_name (vm), edits, flags, error);
}

/* --apply: the feasible proposals, all or none */
static int
apply_proposals (const KtSourceSpec  *spec,
                 KtSnapshot          *snapshot,
                 KtConnection        *conn,
                 GPtrArray           *proposals,
                 const PlanOptions   *o,
                 GError             **error)
{
  g_autoptr(KtSession) session = kt_session_new (snapshot, conn, spec->snapshot);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) flags = g_array_new (FALSE, FALSE, sizeof (KtApplyFlags));
  g_autoptr(GArray) vm_flags = g_array_new (FALSE, FALSE, sizeof (KtApplyFlags));

  if (spec->caps != NULL)
    kt_session_set_domain_files (session, (const char * const *) spec->domains);

  /* Every VM's pins and edits first: one that does not fit stops all */
  for (guint i = 0; i < proposals->len; i++)
    {
      const KtProposal *p = g_ptr_array_index (proposals, i);
      KtVm *vm = kt_snapshot_lookup_vm (snapshot, p->domain);
      KtApplyFlags f = (o->live ? KT_APPLY_LIVE : 0) | (o->config ? KT_APPLY_CONFIG : 0);

      if (f == 0)
        f = kt_vm_is_active (vm) ? KT_APPLY_LIVE : KT_APPLY_CONFIG;   /* virsh's --current */
      g_array_append_val (vm_flags, f);
      if (!p->feasible)
        continue;
      if (!stage_proposal (session, vm, p, f, error))
        {
          g_prefix_error (error, "%s: ", p->domain);
          return 1;
        }
    }

  for (guint i = 0; i < proposals->len; i++)
    {
      const KtProposal *p = g_ptr_array_index (proposals, i);
      KtApplyFlags f = g_array_index (vm_flags, KtApplyFlags, i);
      g_autoptr(KtApply) apply = NULL;

      if (!p->feasible)
        continue;
      if (o->json)   /* standard output holds the JSON */
        g_printerr (_("Applying the plan for %s\n"), p->domain);
      else
        g_print (_("\nApplying the plan for %s\n"), p->domain);
      apply = kt_session_prepare_apply (session, p->domain, f, error);
      if (apply == NULL)
        return 1;
      kt_cli_tune_print_preview (apply, o->dry_run);
      if (!kt_apply_is_empty (apply))
        {
          g_ptr_array_add (names, p->domain);
          g_array_append_val (flags, f);
        }
    }
  if (o->dry_run || names->len == 0)
    return 0;
  g_ptr_array_add (names, NULL);

  if (!kt_session_apply_all (session, (const char * const *) names->pdata,
                             (const KtApplyFlags *) flags->data, error))
    return 1;
  /* Offline sources: the changes land in the files they came from */
  if (spec->snapshot != NULL && !kt_session_save (session, spec->snapshot, error))
    return 1;
  if (spec->caps != NULL && !kt_session_save_domain_files (session, error))
    return 1;
  g_print (_("Applied.\n"));
  return 0;
}

int
kt_cli_plan (KtCli   *cli,
             int      argc,
             char   **argv,
             GError **error)
{
  const KtSourceSpec *spec = &cli->spec;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_(cli->verb->usage));
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  kt_planner_request_free);
  g_autoptr(GPtrArray) proposals = NULL;
  g_autoptr(GPtrArray) locks = NULL;
  KtPlannerPolicy policy = { 0, };
  PlanOptions o = { 0, };
  double total = 0;
  int ret = 1;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &o.all, N_("Place every VM together"), NULL },
    { "new", 0, 0, G_OPTION_ARG_STRING, &o.new_name, N_("Place a VM not defined yet"), N_("NAME") },
    { "vcpus", 0, 0, G_OPTION_ARG_INT, &o.vcpus, N_("vCPUs of the new VM"), N_("N") },
    { "memory", 0, 0, G_OPTION_ARG_INT64, &o.memory_mib, N_("Memory of the new VM in MiB"),
      N_("MIB") },
    { "hugepages", 0, 0, G_OPTION_ARG_INT64, &o.hugepage_kib,
      N_("Back the new VM with huge pages of this size"), N_("KIB") },
    { "threads-per-core", 0, 0, G_OPTION_ARG_INT, &o.threads_per_core,
      N_("Guest threads per core of the new VM (default 1)"), N_("T") },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &o.policy, N_("dedicated (default) or shared"),
      N_("POLICY") },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &o.threads, N_("prefer (default), isolate or require"),
      N_("POLICY") },
    { "emulator", 0, 0, G_OPTION_ARG_STRING, &o.emulator, N_("share (default) or isolate"),
      N_("POLICY") },
    { "reserve", 0, 0, G_OPTION_ARG_STRING, &o.reserve, N_("CPUs kept for the host"),
      N_("CPUSET") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print JSON"), NULL },
    { "apply", 0, 0, G_OPTION_ARG_NONE, &o.apply, N_("Apply the proposal"), NULL },
    { "live", 0, 0, G_OPTION_ARG_NONE, &o.live, N_("Apply to the running VM"), NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &o.config, N_("Apply to the persistent config"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o.dry_run,
      N_("With --apply: print the calls and the XML diff; change nothing"), NULL },
    { NULL }
  };
  int modes;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, _("Propose where a VM's vCPUs, emulator and memory should "
                                       "go"));
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    {
      ret = 2;
      goto out;
    }
  modes = (argc == 2) + (o.all ? 1 : 0) + (o.new_name != NULL);
  if (argc > 2 || modes != 1)
    {
      ret = kt_cli_usage_error (cli, error);
      goto out;
    }
  if (o.new_name != NULL && (o.vcpus <= 0 || o.memory_mib <= 0))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--new needs --vcpus N and --memory MIB, both above 0"));
      ret = 2;
      goto out;
    }
  if (o.new_name == NULL && (o.vcpus || o.memory_mib || o.hugepage_kib || o.threads_per_core))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--vcpus, --memory, --hugepages and --threads-per-core go with --new"));
      ret = 2;
      goto out;
    }
  if (o.threads_per_core < 0 || o.hugepage_kib < 0 || o.memory_mib > G_MAXINT64 / 1024)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--threads-per-core, --hugepages and --memory take positive numbers"));
      ret = 2;
      goto out;
    }
  if (o.new_name != NULL && o.apply)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--apply needs a defined domain: define %s first, then plan it"), o.new_name);
      ret = 2;
      goto out;
    }
  if ((o.live || o.config || o.dry_run) && !o.apply)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--live, --config and --dry-run go with --apply"));
      ret = 2;
      goto out;
    }

  if (o.apply && !o.dry_run && (locks = kt_cli_tune_lock (spec, error)) == NULL)
    goto out;
  if ((snapshot = kt_source_load (spec, &conn, error)) == NULL)
    goto out;
  if (conn != NULL)
    kt_cli_note_journals (conn);
  if (!kt_planner_policy_parse (&policy, o.policy, o.threads, o.emulator, o.reserve,
                                kt_snapshot_get_host (snapshot), error))
    {
      ret = 2;
      goto out;
    }

  if (o.new_name != NULL)
    {
      KtPlannerRequest *r;

      if (kt_snapshot_lookup_vm (snapshot, o.new_name) != NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("A domain called “%s” exists already; plan it by name"), o.new_name);
          goto out;
        }
      r = kt_planner_request_new (o.new_name, (guint) o.vcpus, (guint64) o.memory_mib * 1024);
      r->threads_per_core = MAX (o.threads_per_core, 1);
      r->hugepage_kib = (guint64) o.hugepage_kib;
      g_ptr_array_add (requests, r);
    }
  else if (o.all)
    {
      GListModel *vms = kt_snapshot_get_vms (snapshot);

      for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
        {
          g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

          g_ptr_array_add (requests, kt_planner_request_new_for_vm (vm));
        }
    }
  else
    {
      KtVm *vm = kt_snapshot_lookup_vm (snapshot, argv[1]);

      if (vm == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), argv[1]);
          goto out;
        }
      g_ptr_array_add (requests, kt_planner_request_new_for_vm (vm));
    }

  planner = kt_planner_new (snapshot, &policy);
  if (o.all)
    proposals = kt_planner_plan_all (planner, requests, &total);
  else
    {
      proposals = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_proposal_free);
      g_ptr_array_add (proposals, kt_planner_plan (planner, g_ptr_array_index (requests, 0)));
    }

  if (o.json)
    {
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      if (o.all)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "plans");
          json_builder_begin_array (b);
          for (guint i = 0; i < proposals->len; i++)
            json_builder_add_value (b, kt_proposal_to_json (g_ptr_array_index (proposals, i)));
          json_builder_end_array (b);
          json_builder_set_member_name (b, "cost");
          if (total == (double) (gint64) total)   /* whole numbers stay integers */
            json_builder_add_int_value (b, (gint64) total);
          else
            json_builder_add_double_value (b, total);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
        }
      else
        root = kt_proposal_to_json (g_ptr_array_index (proposals, 0));
      text = kt_json_to_string (root);
      g_print ("%s\n", text);
    }
  else
    {
      for (guint i = 0; i < proposals->len; i++)
        {
          if (i > 0)
            g_print ("\n");
          print_proposal (g_ptr_array_index (proposals, i));
        }
      if (o.all)
        {
          g_autofree char *cost = g_strdup_printf ("%.4g", total);

          g_print (_("\nTotal cost %s\n"), cost);
        }
    }

  ret = 0;
  for (guint i = 0; i < proposals->len; i++)
    if (!((KtProposal *) g_ptr_array_index (proposals, i))->feasible)
      ret = 1;
  if (o.apply && apply_proposals (spec, snapshot, conn, proposals, &o, error) != 0)
    ret = 1;

out:
  kt_planner_policy_clear (&policy);
  plan_options_clear (&o);
  return ret;
}
