/* kt-cli-advise.c: kvmtune-cli's advise verb
 *
 *   advise [--json] [--reserve CPUSET] [--vm DOMAIN] [--rule RULE]
 *   advise --fix RULE [--vm DOMAIN] [--reserve CPUSET] [--live] [--config] [--dry-run]
 *   advise --fix-all DOMAIN [--reserve CPUSET] [--live] [--config] [--dry-run]
 *
 * The first lists the advisor's findings (kt-advisor.h), by VM then for
 * the host (with --connect, the host's tuning is read as `host` does).
 * The others make one finding's fix, or every automatic fix of a domain's
 * findings, as the window does: put into a session as pending changes
 * (kt_advice_put_fix ()), then applied through it: the host settings
 * (kt_session_apply_host (), as `host set KEY=VALUE`), then each VM's
 * (kt_session_apply (), as the tuning verbs).  The host changes, the calls
 * and the XML diff are printed, and with --dry-run nothing changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-advice.h"
#include "kt-cli.h"
#include "kt-cli-recover.h"
#include "kt-error.h"
#include "kt-host-apply.h"

typedef struct
{
  gboolean json;
  char    *reserve;
  char    *vm;
  char    *rule;
  char    *fix;
  char    *fix_all;
  gboolean live;
  gboolean config;
  gboolean dry_run;
} AdviseOptions;

static void
options_clear (AdviseOptions *o)
{
  g_free (o->reserve);
  g_free (o->vm);
  g_free (o->rule);
  g_free (o->fix);
  g_free (o->fix_all);
}

static void
append_set (GString        *s,
            const char     *label,
            const KtCpuset *set)
{
  g_autofree char *text = NULL;

  if (set == NULL || kt_cpuset_is_empty (set))
    return;
  text = kt_cpuset_format (set);
  g_string_append_printf (s, "%s%s %s", s->len ? "; " : "", label, text);
}

static void
append_list (GString    *s,
             const char *label,
             GPtrArray  *list)
{
  if (list == NULL || list->len == 0)
    return;
  g_string_append_printf (s, "%s%s ", s->len ? "; " : "", label);
  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", (const char *) g_ptr_array_index (list, i));
}

static void
print_finding (const KtFinding *f)
{
  g_autoptr(GString) objects = g_string_new (NULL);

  g_print ("  %-7s %s  %s\n", kt_severity_to_string (f->severity), f->rule, f->title);
  g_print ("          %s\n", f->explanation);
  append_set (objects, _("vCPUs"), f->vcpus);
  append_set (objects, _("pCPUs"), f->pcpus);
  append_set (objects, _("nodes"), f->nodes);
  append_list (objects, _("VMs"), f->vms);
  append_list (objects, _("host"), f->host_keys);
  if (objects->len > 0)
    g_print (_("          Concerns: %s\n"), objects->str);
  if (f->fix == NULL)
    return;
  if (kt_fix_is_automatic (f->fix))
    {
      g_print (_("          Fix (kvmtune-cli advise --fix %s%s%s): %s\n"), f->rule,
               f->vm ? " --vm " : "", f->vm ? f->vm : "", f->fix->summary);
      for (guint i = 0; i < f->fix->steps->len; i++)
        {
          g_autofree char *step = kt_fix_step_describe (g_ptr_array_index (f->fix->steps, i));

          g_print ("            %s\n", step);
        }
    }
  else
    g_print ("          %s\n", f->fix->summary);
}

static void
print_findings (GPtrArray *findings)
{
  const char *last = NULL;
  gboolean first = TRUE;
  guint counts[3] = { 0, };

  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      counts[f->severity]++;
      if (first || g_strcmp0 (last, f->vm) != 0)
        g_print ("%s%s\n", first ? "" : "\n", f->vm ? f->vm : _("Host"));
      first = FALSE;
      last = f->vm;
      print_finding (f);
    }
  if (findings->len == 0)
    g_print (_("No findings.\n"));
  else
    {
      g_autofree char *e = g_strdup_printf ("%u", counts[KT_SEVERITY_ERROR]);
      g_autofree char *w = g_strdup_printf ("%u", counts[KT_SEVERITY_WARNING]);
      g_autofree char *n = g_strdup_printf ("%u", counts[KT_SEVERITY_INFO]);

      g_print (_("\n%s errors, %s warnings, %s notes\n"), e, w, n);
    }
}

/* The fixes to make: RULE's finding (--fix), or every automatic fix of
 * the VM's findings (--fix-all) */
static GPtrArray *
select_fixes (GPtrArray            *findings,
              const AdviseOptions  *o,
              GError              **error)
{
  g_autoptr(GPtrArray) fixes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_fix_free);
  const KtFinding *f;

  if (o->fix_all != NULL)
    {
      for (guint i = 0; i < findings->len; i++)
        {
          f = g_ptr_array_index (findings, i);
          if (g_strcmp0 (f->vm, o->fix_all) == 0 && f->fix != NULL && kt_fix_is_automatic (f->fix))
            g_ptr_array_add (fixes, kt_fix_copy (f->fix));
        }
      if (fixes->len == 0)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No automatic fix for %s"),
                       o->fix_all);
          return NULL;
        }
      return g_steal_pointer (&fixes);
    }
  f = kt_advisor_lookup (findings, o->fix, o->vm);
  if (f == NULL && o->vm != NULL)
    f = kt_advisor_lookup (findings, o->fix, NULL);   /* a host rule, named with a VM */
  if (f == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No finding %s for %s"), o->fix,
                   o->vm ? o->vm : _("the host"));
      return NULL;
    }
  if (f->fix == NULL || !kt_fix_is_automatic (f->fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("%s has no automatic fix: %s"),
                   f->rule, f->fix ? f->fix->summary : f->title);
      return NULL;
    }
  g_ptr_array_add (fixes, kt_fix_copy (f->fix));
  return g_steal_pointer (&fixes);
}

/* The host's pending changes, through the session (kt-session-host.c):
 * previewed, then made (all or nothing) unless @dry_run */
static gboolean
apply_host (KtSession  *session,
            gboolean    dry_run,
            gboolean   *applied,
            GError    **error)
{
  g_autoptr(KtHostPlan) plan = NULL;

  if ((plan = kt_session_plan_host (session, NULL, FALSE, error)) == NULL)
    return FALSE;
  g_print (dry_run ? _("Would change on the host:\n") : _("Host changes:\n"));
  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      g_print ("  %s: %s → %s (%s)\n", c->key, c->old_value ? c->old_value : "?", c->new_value,
               c->mechanism_text);
    }
  for (guint i = 0; i < plan->notes->len; i++)
    g_print ("  %s\n", (const char *) g_ptr_array_index (plan->notes, i));
  if (dry_run || plan->changes->len == 0)
    return TRUE;
  if (!kt_session_apply_host (session, plan, error))
    return FALSE;
  *applied = TRUE;
  if (kt_session_get_connection (session) != NULL)
    g_print (_("Applied; “kvmtune-cli host revert” puts the previous values back\n"));
  return TRUE;
}

/* The apply flags for @vm: --live, --config, else virsh's --current */
static KtApplyFlags
vm_flags (KtVm                *vm,
          const AdviseOptions *o)
{
  KtApplyFlags flags = (o->live ? KT_APPLY_LIVE : 0) | (o->config ? KT_APPLY_CONFIG : 0);

  if (flags == 0)
    flags = kt_vm_is_active (vm) ? KT_APPLY_LIVE : KT_APPLY_CONFIG;
  return flags;
}

/* Every VM's pending changes previewed, which checks them all before
 * anything is made: the names of those with something to apply, and
 * their flags, or FALSE with @error */
static gboolean
prepare_vms (KtSession           *session,
             const AdviseOptions *o,
             GPtrArray           *names,
             GArray              *flags,
             GError             **error)
{
  GListModel *vms = kt_snapshot_get_vms (kt_session_get_snapshot (session));

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      const char *name = kt_vm_get_name (vm);
      KtApplyFlags f = vm_flags (vm, o);
      g_autoptr(KtApply) apply = NULL;

      if (kt_session_get_n_pending_vm (session, name) == 0)
        continue;
      if ((apply = kt_session_prepare_apply (session, name, f, error)) == NULL)
        {
          g_prefix_error (error, _("Nothing was changed: %s: "), name);
          return FALSE;
        }
      g_print ("%s:\n", name);
      kt_cli_tune_print_preview (apply, o->dry_run);
      if (kt_apply_is_empty (apply))
        continue;
      g_ptr_array_add (names, g_strdup (name));
      g_array_append_val (flags, f);
    }
  g_ptr_array_add (names, NULL);
  return TRUE;
}

/* The fixes go into a session as pending changes (kt_advice_put_fix (),
 * as the window's Fix does); every VM's apply is checked, then the
 * host's changes are made (kt_session_apply_host ()), then every VM's,
 * all or none (kt_session_apply_all ()); an offline source is then
 * written back */
static int
run_fix (const KtSourceSpec  *spec,
         const AdviseOptions *o,
         const KtCpuset      *reserved,
         GError             **error)
{
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) fixes = NULL;
  KtAdvisorOptions aopts = { reserved, NULL };
  gboolean host = FALSE;
  gboolean applied = FALSE;
  guint n_put = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) flags = g_array_new (FALSE, FALSE, sizeof (KtApplyFlags));

  if (o->fix != NULL && !kt_advisor_is_rule (o->fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Unknown rule “%s”"), o->fix);
      return 2;
    }
  if (o->fix != NULL && o->fix_all != NULL)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           _("--fix and --fix-all go one at a time"));
      return 2;
    }
  if (!o->dry_run && (locks = kt_cli_tune_lock (spec, error)) == NULL)
    return 1;
  if ((snapshot = kt_source_load (spec, &conn, error)) == NULL)
    return 1;
  if (conn != NULL)
    kt_cli_note_journals (conn);
  if (o->fix_all != NULL && kt_snapshot_lookup_vm (snapshot, o->fix_all) == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), o->fix_all);
      return 1;
    }
  kt_cli_host_capture (conn, snapshot);
  findings = kt_advisor_run (snapshot, &aopts);
  if ((fixes = select_fixes (findings, o, error)) == NULL)
    return 1;

  session = kt_session_new (snapshot, conn, spec->snapshot);
  if (spec->caps != NULL)
    kt_session_set_domain_files (session, (const char * const *) spec->domains);
  for (guint i = 0; i < fixes->len; i++)
    host |= kt_fix_has_host_steps (g_ptr_array_index (fixes, i));
  if (host)
    {
      if (conn == NULL && spec->snapshot == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                       _("Host settings can be changed through --connect or in a --snapshot"));
          return 1;
        }
      if (!kt_session_read_host (session, error))
        return 1;
    }

  /* Pending first: a fix is all or nothing, and --fix-all goes on past
   * one refused (another fix of the VM may be in its way) */
  for (guint i = 0; i < fixes->len; i++)
    {
      const KtFix *fix = g_ptr_array_index (fixes, i);
      g_autoptr(GError) local = NULL;

      g_print ("%s\n", fix->summary);
      if (kt_advice_put_fix (session, fix, NULL, &local))
        {
          n_put++;
          continue;
        }
      if (o->fix_all == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return 1;
        }
      g_printerr (_("kvmtune-cli: skipped: %s\n"), local->message);
    }
  if (n_put == 0)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           _("None of the fixes could be made"));
      return 1;
    }

  /* Every VM's apply checked first; then the host's changes, then the
   * VMs', all of them or none */
  if (!prepare_vms (session, o, names, flags, error))
    return 1;
  if (kt_session_get_n_pending_host (session) > 0 && !apply_host (session, o->dry_run, &applied, error))
    return 1;
  if (!o->dry_run && names->len > 1)
    {
      if (!kt_session_apply_all (session, (const char * const *) names->pdata,
                                 (const KtApplyFlags *) flags->data, error))
        {
          if (applied)
            g_prefix_error (error, _("The host’s changes were made (“kvmtune-cli host revert” "
                                     "puts them back), no VM’s: "));
          return 1;
        }
      applied = TRUE;
    }
  if (!applied)
    return 0;
  /* Offline sources: the changes land in the files they came from */
  if (conn == NULL && spec->snapshot != NULL && !kt_session_save (session, spec->snapshot, error))
    return 1;
  if (conn == NULL && spec->caps != NULL && !kt_session_save_domain_files (session, error))
    return 1;
  g_print (_("Applied.\n"));
  return 0;
}

int
kt_cli_advise (KtCli   *cli,
               int      argc,
               char   **argv,
               GError **error)
{
  const KtSourceSpec *spec = &cli->spec;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_(cli->verb->usage));
  AdviseOptions o = { 0, };
  g_autoptr(KtCpuset) reserved = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  KtAdvisorOptions aopts = { NULL, NULL };
  int ret = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print JSON"), NULL },
    { "reserve", 0, 0, G_OPTION_ARG_STRING, &o.reserve,
      N_("CPUs reserved for the host (housekeeping)"), N_("CPUSET") },
    { "vm", 0, 0, G_OPTION_ARG_STRING, &o.vm, N_("Only this domain’s findings"), N_("DOMAIN") },
    { "rule", 0, 0, G_OPTION_ARG_STRING, &o.rule, N_("Only this rule’s findings"), N_("RULE") },
    { "fix", 0, 0, G_OPTION_ARG_STRING, &o.fix,
      N_("Make the fix of rule RULE’s finding (for --vm, or the host)"), N_("RULE") },
    { "fix-all", 0, 0, G_OPTION_ARG_STRING, &o.fix_all,
      N_("Make every automatic fix of the domain’s findings"), N_("DOMAIN") },
    { "live", 0, 0, G_OPTION_ARG_NONE, &o.live, N_("Change the running VM (--fix)"), NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &o.config,
      N_("Change the persistent config (--fix)"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o.dry_run,
      N_("Print the calls and the XML diff; change nothing (--fix)"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, "advise");
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    {
      ret = 2;
      goto out;
    }
  if (argc > 1)
    {
      ret = kt_cli_usage_error (cli, error);
      goto out;
    }
  if (o.reserve != NULL)
    {
      if ((reserved = kt_cpuset_parse (o.reserve, error)) == NULL)
        {
          g_prefix_error (error, _("--reserve: "));
          ret = 2;
          goto out;
        }
    }
  if (o.rule != NULL && !kt_advisor_is_rule (o.rule))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Unknown rule “%s”"), o.rule);
      ret = 2;
      goto out;
    }
  if (o.fix != NULL || o.fix_all != NULL)
    {
      ret = run_fix (spec, &o, reserved, error);
      goto out;
    }
  if (o.live || o.config || o.dry_run)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--live, --config and --dry-run go with --fix RULE or --fix-all DOMAIN"));
      ret = 2;
      goto out;
    }

  if ((snapshot = kt_source_load (spec, &conn, error)) == NULL)
    {
      ret = 1;
      goto out;
    }
  if (conn != NULL)
    kt_cli_note_journals (conn);
  kt_cli_host_capture (conn, snapshot);
  if (reserved != NULL && !kt_host_check_cpuset (kt_snapshot_get_host (snapshot), reserved, error))
    {
      g_prefix_error (error, _("--reserve: "));
      ret = 2;
      goto out;
    }
  if (o.vm != NULL && kt_snapshot_lookup_vm (snapshot, o.vm) == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), o.vm);
      ret = 1;
      goto out;
    }
  aopts.reserved = reserved;
  findings = kt_advisor_run (snapshot, &aopts);
  for (guint i = findings->len; i-- > 0;)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      if ((o.vm != NULL && g_strcmp0 (f->vm, o.vm) != 0)
          || (o.rule != NULL && !g_str_equal (f->rule, o.rule)))
        g_ptr_array_remove_index (findings, i);
    }
  if (o.json)
    kt_cli_print_json (kt_advisor_to_json (findings));
  else
    print_findings (findings);

out:
  options_clear (&o);
  return ret;
}
