/* kt-cli-host.c: kvmtune-cli's host tuning verb
 *
 *   host [--json]                          the host's tuning
 *   host profiles [--json]                 the profiles
 *   host apply PROFILE [--dry-run] [--persistent]
 *   host set KEY=VALUE... [--dry-run] [--persistent]
 *   host revert [--dry-run]
 *   host save-profile ID [--name NAME]     the current values as a profile
 *
 * With --connect the host is changed (libvirt for KSM's shm_* values and
 * the pools, tuned's D-Bus API, sysfs as root); with --snapshot the
 * snapshot's <host-tuning> values are, and the file is rewritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kt-cli.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-host-apply.h"
#include "kt-host-probe.h"
#include "kt-host-profile.h"
#include "kt-json.h"

typedef struct
{
  gboolean json;
  gboolean dry_run;
  gboolean persistent;
  char    *name;
} HostOptions;

static const char *
or_unknown (const char *s)
{
  return s ? s : _("unknown");
}

static char *
num (gint64 v)
{
  return v < 0 ? g_strdup (_("unknown")) : g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static void
print_state (const KtHostTuning *t)
{
  g_autofree char *run = num (t->ksm_run);
  g_autofree char *merge = num (t->ksm_merge_across_nodes);
  g_autofree char *scan = num (t->ksm_pages_to_scan);
  g_autofree char *sleep_ms = num (t->ksm_sleep_millisecs);
  g_autofree char *shared = num (t->ksm_pages_shared);
  g_autofree char *sharing = num (t->ksm_pages_sharing);
  g_autofree char *balancing = num (t->numa_balancing);

  switch (t->tuned_state)
    {
    case KT_TUNED_RUNNING:
      g_print (_("tuned: running, profile %s (recommended: %s)\n"),
               or_unknown (t->tuned_active), or_unknown (t->tuned_recommended));
      break;
    case KT_TUNED_STOPPED:
      g_print (_("tuned: not running\n"));
      break;
    case KT_TUNED_MISSING:
      g_print (_("tuned: not running (not on the system bus)\n"));
      break;
    case KT_TUNED_UNKNOWN:
    default:
      g_print (_("tuned: unknown\n"));
      break;
    }
  g_print (_("KSM: run %s, merge_across_nodes %s, pages_to_scan %s, sleep_millisecs %s; "
             "pages shared %s, sharing %s\n"), run, merge, scan, sleep_ms, shared, sharing);
  g_print (_("Transparent hugepages: enabled %s, defrag %s\n"),
           or_unknown (t->thp_enabled), or_unknown (t->thp_defrag));
  g_print (_("numa_balancing: %s\n"), balancing);
  g_print (_("Hugepage pools:\n"));
  for (guint i = 0; i < t->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (t->hugepages, KtHugePool, i);
      g_autofree char *total = num (p->total);
      g_autofree char *free_pages = num (p->free);
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, p->size_kib);

      g_print (_("  node %d, %s KiB pages: %s total, %s free, %s\n"), p->node, size, total,
               free_pages, p->mounted < 0 ? _("hugetlbfs mount unknown")
                           : p->mounted ? _("hugetlbfs mounted")
                                        : _("no hugetlbfs mount"));
    }
}

static void
print_profiles (GPtrArray *profiles,
                gboolean   json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < profiles->len; i++)
        {
          const KtHostProfile *p = g_ptr_array_index (profiles, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, p->id);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, p->name);
          json_builder_set_member_name (b, "user");
          json_builder_add_boolean_value (b, p->user);
          json_builder_set_member_name (b, "settings");
          json_builder_begin_object (b);
          for (guint s = 0; s < p->settings->len; s++)
            {
              const KtHostProfileSetting *st = g_ptr_array_index (p->settings, s);

              json_builder_set_member_name (b, st->key);
              json_builder_add_string_value (b, st->value);
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      kt_cli_print_json (json_builder_get_root (b));
      return;
    }
  for (guint i = 0; i < profiles->len; i++)
    {
      const KtHostProfile *p = g_ptr_array_index (profiles, i);

      g_print ("%s\t%s%s\n", p->id, p->name, p->user ? _(" (yours)") : "");
      if (p->description)
        g_print ("    %s\n", p->description);
      for (guint s = 0; s < p->settings->len; s++)
        {
          const KtHostProfileSetting *st = g_ptr_array_index (p->settings, s);

          g_print ("    %s=%s%s\n", st->key, st->value,
                   st->when ? _(" (NUMA hosts only)") : "");
        }
    }
}

static void
print_plan (const KtHostPlan *plan,
            gboolean          json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "changes");
      json_builder_begin_array (b);
      for (guint i = 0; i < plan->changes->len; i++)
        {
          const KtHostChange *c = g_ptr_array_index (plan->changes, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "key");
          json_builder_add_string_value (b, c->key);
          json_builder_set_member_name (b, "old");
          if (c->old_value)
            json_builder_add_string_value (b, c->old_value);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "new");
          json_builder_add_string_value (b, c->new_value);
          json_builder_set_member_name (b, "mechanism");
          json_builder_add_string_value (b, c->mechanism_text);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "notes");
      json_builder_begin_array (b);
      for (guint i = 0; i < plan->notes->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (plan->notes, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "persistent");
      json_builder_add_boolean_value (b, plan->persistent);
      json_builder_end_object (b);
      kt_cli_print_json (json_builder_get_root (b));
      return;
    }
  if (plan->changes->len == 0)
    g_print (_("Nothing to change: every value is in place\n"));
  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      g_print ("%s: %s → %s  (%s)\n", c->key, or_unknown (c->old_value), c->new_value,
               c->mechanism_text);
      if (c->explanation && *c->explanation)
        g_print ("    %s\n", c->explanation);
    }
  for (guint i = 0; i < plan->notes->len; i++)
    g_print (_("Note: %s\n"), (const char *) g_ptr_array_index (plan->notes, i));
  if (plan->persistent)
    g_print (_("Kept after reboot: sysctl.d and tmpfiles.d drop-ins\n"));
}

static gboolean
parse_options (int          *argc,
               char       ***argv,
               HostOptions  *opts,
               GError      **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("[profiles | apply PROFILE | set KEY=VALUE... | "
                                                          "revert | save-profile ID]"));
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Print JSON"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opts->dry_run, N_("Show the changes, make none"), NULL },
    { "persistent", 'p', 0, G_OPTION_ARG_NONE, &opts->persistent,
      N_("Keep after reboot (sysctl.d and tmpfiles.d drop-ins)"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &opts->name, N_("The saved profile's name"), N_("NAME") },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, "host");
  return g_option_context_parse (ctx, argc, argv, error);
}

static GPtrArray *
parse_assignments (char   **args,
                   GError **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  for (guint i = 0; args[i]; i++)
    {
      const char *eq = strchr (args[i], '=');
      KtHostTarget *t;

      if (eq == NULL || eq == args[i])
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("“%s”: settings are KEY=VALUE, for example thp.enabled=madvise"),
                       args[i]);
          return NULL;
        }
      t = g_new0 (KtHostTarget, 1);
      t->key = g_strndup (args[i], eq - args[i]);
      t->value = g_strdup (eq + 1);
      if (!kt_host_tuning_parse_key (t->key, NULL, NULL, error))
        {
          kt_host_target_free (t);
          return NULL;
        }
      g_ptr_array_add (targets, t);
    }
  return g_steal_pointer (&targets);
}

static int
run_plan (KtHostControl      *control,
          const KtSourceSpec *spec,
          KtSnapshot         *snapshot,
          KtHostPlan         *plan,
          const HostOptions  *opts,
          GError            **error)
{
  if (kt_host_control_is_offline (control) && spec->snapshot == NULL && !opts->dry_run)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Host settings can be changed through --connect or in a --snapshot"));
      return 2;
    }
  print_plan (plan, opts->json);
  if (opts->dry_run)
    return 0;
  if (!kt_host_control_apply (control, plan, error))
    return 1;
  if (kt_host_control_is_offline (control))
    {
      if (!kt_snapshot_save (snapshot, spec->snapshot, error))
        return 1;
      if (!opts->json)
        g_print (_("Wrote %s\n"), spec->snapshot);
    }
  else if (!opts->json)
    g_print (plan->revert ? _("Reverted\n") : _("Applied; “kvmtune-cli host revert” puts the "
                                              "previous values back\n"));
  return 0;
}

int
kt_cli_host (KtCli   *cli,
             int      argc,
             char   **argv,
             GError **error)
{
  const KtSourceSpec *spec = &cli->spec;
  HostOptions opts = { 0, };
  g_autofree char *name = NULL;
  KtConnection *connection;
  KtSnapshot *snapshot;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(KtFileLock) lock = NULL;
  const char *sub;

  if (!parse_options (&argc, &argv, &opts, error))
    return 2;
  name = opts.name;
  sub = argc > 1 ? argv[1] : NULL;

  if (sub != NULL && !g_str_equal (sub, "profiles") && !g_str_equal (sub, "apply")
      && !g_str_equal (sub, "set") && !g_str_equal (sub, "revert")
      && !g_str_equal (sub, "save-profile"))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown host command “%s” (try profiles, apply, set, revert or "
                     "save-profile)"), sub);
      return 2;
    }
  if (sub != NULL && g_str_equal (sub, "profiles"))
    {
      g_autoptr(GPtrArray) bad = NULL;
      g_autoptr(GPtrArray) profiles = kt_host_profile_load_all (&bad, error);

      if (profiles == NULL)
        return 1;
      for (guint i = 0; i < bad->len; i++)
        g_printerr ("kvmtune-cli: %s\n", ((GError *) g_ptr_array_index (bad, i))->message);
      print_profiles (profiles, opts.json);
      return 0;
    }
  if ((sub == NULL || g_str_equal (sub, "revert")) && argc > 2)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("“host %s” takes no argument, got “%s”"), sub ? sub : "", argv[2]);
      return 2;
    }
  if (sub != NULL && (g_str_equal (sub, "apply") || g_str_equal (sub, "save-profile"))
      && argc != 3)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   g_str_equal (sub, "apply")
                   ? _("Usage: kvmtune-cli [SOURCE] host apply PROFILE [--dry-run] [--persistent]")
                   : _("Usage: kvmtune-cli [SOURCE] host save-profile ID [--name NAME]"));
      return 2;
    }
  if (sub != NULL && g_str_equal (sub, "set") && argc < 3)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Usage: kvmtune-cli [SOURCE] host set KEY=VALUE... [--dry-run] [--persistent]"));
      return 2;
    }

  /* A snapshot that will be rewritten is locked from the read to the
   * write, like the tuning verbs do: parallel runs each land */
  if (spec->snapshot != NULL && !opts.dry_run && sub != NULL
      && (g_str_equal (sub, "set") || g_str_equal (sub, "apply"))
      && (lock = kt_file_lock (spec->snapshot, error)) == NULL)
    return 1;
  snapshot = kt_cli_load (cli, error);
  if (snapshot == NULL)
    return 1;
  connection = cli->connection;
  control = kt_host_control_new (connection, snapshot);
  current = kt_host_control_read (control, error);
  if (current == NULL)
    return 1;

  if (sub == NULL)
    {
      if (opts.json)
        kt_cli_print_json (kt_host_tuning_to_json (current));
      else
        print_state (current);
      return 0;
    }
  if (g_str_equal (sub, "save-profile"))
    {
      g_autoptr(KtHostProfile) profile = kt_host_profile_new_from_state (current, argv[2], name);

      if (!kt_host_profile_save (profile, error))
        return 1;
      g_print (_("Wrote %s\n"), profile->path);
      return 0;
    }
  if (g_str_equal (sub, "apply"))
    {
      g_autoptr(GPtrArray) profiles = kt_host_profile_load_all (NULL, error);
      KtHostProfile *profile;

      if (profiles == NULL)
        return 1;
      profile = kt_host_profile_find (profiles, argv[2]);
      if (profile == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("No host profile “%s” (see “kvmtune-cli host profiles”)"), argv[2]);
          return 2;
        }
      plan = kt_host_control_plan_profile (control, current, profile, opts.persistent, error);
    }
  else if (g_str_equal (sub, "set"))
    {
      g_autoptr(GPtrArray) targets = parse_assignments (argv + 2, error);

      if (targets == NULL)
        return 2;
      plan = kt_host_control_plan (control, current, targets, TRUE, opts.persistent, error);
    }
  else
    {
      if (kt_host_control_is_offline (control))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                       _("A snapshot keeps no previous values: revert through --connect"));
          return 2;
        }
      plan = kt_host_control_revert_plan (control, current, error);
    }
  if (plan == NULL)
    return 2;
  if (g_str_equal (sub, "revert") && !opts.dry_run)
    {
      print_plan (plan, opts.json);
      if (!kt_host_control_revert (control, error))
        return 1;
      if (!opts.json)
        g_print (_("Reverted\n"));
      return 0;
    }
  return run_plan (control, spec, snapshot, plan, &opts, error);
}

/**
 * kt_cli_host_capture:
 *
 * For `snapshot`: the host's tuning into @snapshot, read through
 * @connection (and sysfs and tuned when it is local).  What cannot be read
 * stays unknown; a failure leaves the snapshot without it.
 */
void
kt_cli_host_capture (KtConnection *connection,
                     KtSnapshot   *snapshot)
{
  g_autoptr(GError) error = NULL;
  KtHostTuning *t;

  if (connection == NULL)
    return;
  t = kt_host_probe (connection, &error);
  if (t == NULL)
    g_printerr (_("kvmtune-cli: the host's tuning is not in the snapshot: %s\n"), error->message);
  else
    kt_snapshot_set_host_tuning (snapshot, t);
}
