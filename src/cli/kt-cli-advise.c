/* kt-cli-advise.c: kvmtune-cli's advise verb
 *
 *   advise [--json] [--reserve CPUSET] [--vm DOMAIN] [--rule RULE]
 *   advise --fix RULE [--vm DOMAIN] [--reserve CPUSET] [--live] [--config] [--dry-run]
 *
 * The first lists the advisor's findings (kt-advisor.h), by VM then for
 * the host (with --connect, the host's tuning is read as `host` does).
 * The second makes one finding's fix: domain edits through the tuning
 * verbs' apply path (kt-cli-tune.c), host settings through the host
 * tuning's (kt-host-apply.h, as `host set KEY=VALUE`); the calls, the XML
 * diff and the host changes are printed, and with --dry-run nothing
 * changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-advisor.h"
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

static gboolean
edit_with_fix (gconstpointer   data,
               KtDomain       *domain,
               GError        **error)
{
  const KtFix *fix = data;

  return kt_fix_edit_domain (fix, kt_domain_get_name (domain), domain, error);
}

/* Host steps: through the host-tuning path (kt-host-apply.h): a libvirt
 * host's settings, or an offline snapshot's <host-tuning> */
static gboolean
fix_host (const KtSourceSpec  *spec,
          KtConnection        *conn,
          KtSnapshot          *snapshot,
          const KtFix         *fix,
          gboolean             dry_run,
          gboolean            *save,
          GError             **error)
{
  g_autoptr(KtHostControl) control = kt_host_control_new (conn, snapshot);
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  if (kt_host_control_is_offline (control) && spec->snapshot == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Host settings can be changed through --connect or in a --snapshot"));
      return FALSE;
    }
  if ((current = kt_host_control_read (control, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);
      KtHostTarget *t;

      if (s->kind != KT_FIX_HOST)
        continue;
      t = g_new0 (KtHostTarget, 1);
      t->key = g_strdup (s->key);
      t->value = g_strdup (s->value);
      g_ptr_array_add (targets, t);
    }
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, error);
  if (plan == NULL)
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
  if (dry_run)
    return TRUE;
  if (!kt_host_control_apply (control, plan, error))
    return FALSE;
  if (kt_host_control_is_offline (control))
    *save = TRUE;
  else
    g_print (_("Applied; “kvmtune-cli host revert” puts the previous values back\n"));
  return TRUE;
}

static int
run_fix (const KtSourceSpec  *spec,
         const AdviseOptions *o,
         const KtCpuset      *reserved,
         GError             **error)
{
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  KtAdvisorOptions aopts = { reserved, NULL };
  const KtFinding *f;
  gboolean save = FALSE;
  gboolean domain_done = FALSE;

  if (!kt_advisor_is_rule (o->fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Unknown rule “%s”"), o->fix);
      return 2;
    }
  if (!o->dry_run && (locks = kt_cli_tune_lock (spec, error)) == NULL)
    return 1;
  if ((snapshot = kt_source_load (spec, &conn, error)) == NULL)
    return 1;
  if (conn != NULL)
    kt_cli_note_journals (conn);
  kt_cli_host_capture (conn, snapshot);
  findings = kt_advisor_run (snapshot, &aopts);
  f = kt_advisor_lookup (findings, o->fix, o->vm);
  if (f == NULL && o->vm != NULL)
    f = kt_advisor_lookup (findings, o->fix, NULL);   /* a host rule, named with a VM */
  if (f == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No finding %s for %s"), o->fix,
                   o->vm ? o->vm : _("the host"));
      return 1;
    }
  if (f->fix == NULL || !kt_fix_is_automatic (f->fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("%s has no automatic fix: %s"),
                   f->rule, f->fix ? f->fix->summary : f->title);
      return 1;
    }
  g_print ("%s\n", f->fix->summary);

  if (kt_fix_has_host_steps (f->fix)
      && !fix_host (spec, conn, snapshot, f->fix, o->dry_run, &save, error))
    return 1;
  if (kt_fix_has_domain_steps (f->fix))
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      for (guint i = 0; i < f->fix->steps->len; i++)
        {
          const KtFixStep *s = g_ptr_array_index (f->fix->steps, i);

          if (s->vm != NULL && !g_ptr_array_find_with_equal_func (names, s->vm, g_str_equal, NULL))
            g_ptr_array_add (names, s->vm);
        }
      for (guint i = 0; i < names->len; i++)
        {
          KtVm *vm = kt_snapshot_lookup_vm (snapshot, g_ptr_array_index (names, i));
          int ret;

          if (vm == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"),
                           (const char *) g_ptr_array_index (names, i));
              return 1;
            }
          ret = kt_cli_tune_apply_edit (spec, snapshot, conn, vm, o->live, o->config,
                                        o->dry_run, edit_with_fix, f->fix, error);
          if (ret != 0)
            return ret;
          domain_done = TRUE;
        }
    }
  /* A host-only change to a snapshot: kt_cli_tune_apply_edit saved nothing */
  if (save && !(domain_done && spec->snapshot != NULL))
    {
      if (!kt_snapshot_save (snapshot, spec->snapshot, error))
        return 1;
      g_print (_("Applied.\n"));
    }
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
  if (o.fix != NULL)
    {
      ret = run_fix (spec, &o, reserved, error);
      goto out;
    }
  if (o.live || o.config || o.dry_run)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("--live, --config and --dry-run go with --fix RULE"));
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
