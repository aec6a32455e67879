/* kt-cli-tune.c: kvmtune-cli's verbs that change VMs
 *
 *   pin DOMAIN VCPULIST CPUSET        emulatorpin DOMAIN CPUSET
 *   iothreadpin DOMAIN ID CPUSET      numatune DOMAIN [--mode M] [--nodeset S]
 *   hugepages DOMAIN --size KIB [--nodeset S]
 *   cpu-model DOMAIN MODE [MODEL] [--force]
 *
 * cpu-model refuses a model the domain capabilities mark usable='no' (or
 * do not list), naming what blocks it; --force makes that a warning.
 *
 * Each takes --live, --config (neither: like virsh's --current) and
 * --dry-run.  The change goes through a KtSession, as the window's do: a
 * pin by kt_session_pin (), the rest as KtEdits; kt_session_prepare_apply ()
 * gives the calls and the diff, kt_session_apply () applies them: through
 * libvirt with --connect, into the snapshot otherwise, which the session
 * then writes back: the snapshot file with --snapshot, the domain's file
 * with --caps/--domain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kt-apply.h"
#include "kt-cli.h"
#include "kt-cli-recover.h"
#include "kt-cpu-models.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-session.h"

/* The usage of each is in kvmtune-cli.c's table */
typedef struct
{
  const char *verb;
  guint       n_args;      /* after DOMAIN; the last may be optional */
  gboolean    last_optional;
} Verb;

static const Verb verbs[] = {
  { "pin", 2, FALSE },
  { "emulatorpin", 1, FALSE },
  { "iothreadpin", 2, FALSE },
  { "numatune", 0, FALSE },
  { "hugepages", 0, FALSE },
  { "cpu-model", 2, TRUE },
};

typedef struct
{
  const Verb *verb;
  char      **args;        /* after DOMAIN */
  char       *mode;
  char       *nodeset;
  gint64      size_kib;
  gboolean    force;
  KtHost     *host;
  GPtrArray  *cpu_models;  /* KtCpuModel, from the domain capabilities */
} Request;

static KtCpuset *
parse_cpus (KtHost      *host,
            const char  *text,
            GError     **error)
{
  g_autoptr(KtCpuset) set = kt_cpuset_parse (text, error);

  if (set == NULL || !kt_host_check_cpuset (host, set, error))
    return NULL;
  return g_steal_pointer (&set);
}

static KtCpuset *
parse_nodes (KtHost      *host,
             const char  *text,
             GError     **error)
{
  g_autoptr(KtCpuset) set = kt_cpuset_parse (text, error);

  if (set == NULL || !kt_host_check_nodeset (host, set, error))
    return NULL;
  return g_steal_pointer (&set);
}

/* The page size must be one the host has, with pages reserved */
static gboolean
check_page_size (KtHost   *host,
                 guint64   size_kib,
                 GError  **error)
{
  const GArray *sizes = kt_host_get_page_sizes (host);
  g_autoptr(GString) have = g_string_new (NULL);
  gboolean known = FALSE;
  guint64 reserved = 0;

  for (guint i = 0; i < sizes->len; i++)
    {
      guint64 s = g_array_index (sizes, guint64, i);

      g_string_append_printf (have, "%s%" G_GUINT64_FORMAT, i ? ", " : "", s);
      known |= s == size_kib;
    }
  if (!known)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("This host has no %llu KiB pages (its page sizes: %s KiB)"),
                   (unsigned long long) size_kib, have->str);
      return FALSE;
    }
  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    {
      const KtHostNode *node = kt_host_get_node (host, n);

      for (guint p = 0; p < node->pages->len; p++)
        if (g_array_index (node->pages, KtHostPages, p).size_kib == size_kib)
          reserved += g_array_index (node->pages, KtHostPages, p).total;
    }
  if (reserved == 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("No %llu KiB huge pages are reserved on this host; reserve some "
                     "(e.g. in /sys/kernel/mm/hugepages) first"),
                   (unsigned long long) size_kib);
      return FALSE;
    }
  return TRUE;
}

/* The change asked for, as session input: a pin, or edits */
typedef struct
{
  KtCpuset *vcpus;         /* pin */
  KtCpuset *cpus;
  KtEdits  *edits;         /* the other verbs */
} Change;

static void
change_clear (Change *change)
{
  g_clear_pointer (&change->vcpus, kt_cpuset_free);
  g_clear_pointer (&change->cpus, kt_cpuset_free);
  g_clear_pointer (&change->edits, kt_edits_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Change, change_clear)

/* Reads the change from the arguments */
static gboolean
parse_change (const Request  *req,
              Change         *change,
              GError        **error)
{
  const char *verb = req->verb->verb;
  g_autoptr(KtEdits) e = kt_edits_new ();

  if (g_str_equal (verb, "pin"))
    {
      change->vcpus = kt_cpuset_parse (req->args[0], error);
      if (change->vcpus == NULL)
        {
          g_prefix_error (error, _("VCPULIST: "));
          return FALSE;
        }
      change->cpus = parse_cpus (req->host, req->args[1], error);
      return change->cpus != NULL;
    }
  if (g_str_equal (verb, "emulatorpin"))
    {
      e->has_emulatorpin = TRUE;
      if ((e->emulatorpin = parse_cpus (req->host, req->args[0], error)) == NULL)
        return FALSE;
    }
  else if (g_str_equal (verb, "iothreadpin"))
    {
      KtCpuset *cpus;
      guint64 id;
      g_autoptr(GError) local = NULL;

      if (!g_ascii_string_to_unsigned (req->args[0], 10, 0, G_MAXUINT, &id, &local))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("IOThread id “%s” is not a number"), req->args[0]);
          return FALSE;
        }
      if ((cpus = parse_cpus (req->host, req->args[1], error)) == NULL)
        return FALSE;
      g_hash_table_insert (e->iothreadpins, GUINT_TO_POINTER ((guint) id), cpus);
    }
  else if (g_str_equal (verb, "numatune"))
    {
      if (req->mode == NULL && req->nodeset == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("numatune needs --mode, --nodeset or both"));
          return FALSE;
        }
      if (req->nodeset != NULL
          && (e->numa_nodeset = parse_nodes (req->host, req->nodeset, error)) == NULL)
        return FALSE;
      e->numa_mode = g_strdup (req->mode);
    }
  else if (g_str_equal (verb, "hugepages"))
    {
      if (req->size_kib <= 0)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("hugepages needs --size KIB (a page size of the host)"));
          return FALSE;
        }
      if (!check_page_size (req->host, (guint64) req->size_kib, error))
        return FALSE;
      /* The nodeset of <page> names guest NUMA cells */
      if (req->nodeset != NULL && (e->page_cells = kt_cpuset_parse (req->nodeset, error)) == NULL)
        return FALSE;
      e->has_hugepages = TRUE;
      e->page_kib = (guint64) req->size_kib;
    }
  else
    {
      /* cpu-model: like the window, no model the host cannot run */
      if (g_strcmp0 (req->args[0], "custom") == 0 && req->args[1] != NULL)
        {
          g_autoptr(GError) local = NULL;

          if (!kt_cpu_models_check_usable (req->cpu_models, req->args[1], &local))
            {
              if (!req->force)
                {
                  g_set_error (error, local->domain, local->code,
                               _("%s (--force sets it anyway)"), local->message);
                  return FALSE;
                }
              g_printerr (_("Warning: %s\n"), local->message);
            }
        }
      e->cpu_mode = g_strdup (req->args[0]);
      e->cpu_model = g_strdup (req->args[1]);
    }
  change->edits = g_steal_pointer (&e);
  return TRUE;
}

/* Whether the change can be made in @domain (a copy of a definition to
 * change), with the definition's own words when it cannot */
static gboolean
check_change (const Change  *change,
              KtDomain      *domain,
              GError       **error)
{
  if (change->edits != NULL)
    return kt_edits_replay (change->edits, domain, error);
  for (int v = kt_cpuset_first (change->vcpus); v >= 0; v = kt_cpuset_next (change->vcpus, v))
    if (!kt_domain_set_vcpupin (domain, (guint) v, change->cpus, error))
      return FALSE;
  return TRUE;
}

/* Reads the change and checks it against the definitions @flags changes,
 * then gives it to the session: nothing is read when there are none */
static gboolean
make_change (const Request  *req,
             KtSession      *session,
             KtVm           *vm,
             KtApplyFlags    flags,
             GError        **error)
{
  g_auto(Change) change = { NULL, };
  KtDomain *defs[2] = { NULL, NULL };

  if ((flags & KT_APPLY_LIVE) && kt_vm_is_active (vm))
    defs[0] = kt_vm_get_live (vm);
  if (flags & KT_APPLY_CONFIG)
    defs[1] = kt_vm_get_inactive (vm);
  if (defs[0] == NULL && defs[1] == NULL)
    return TRUE;        /* kt_session_prepare_apply () says why */
  if (!parse_change (req, &change, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      g_autoptr(KtDomain) copy = defs[i] != NULL ? kt_domain_copy (defs[i]) : NULL;

      if (copy != NULL && !check_change (&change, copy, error))
        return FALSE;
    }

  if (change.edits != NULL)
    return kt_session_set_edits_full (session, kt_vm_get_name (vm), change.edits, flags, error);
  /* Each vCPU gets the whole CPUSET, as virsh vcpupin does */
  for (int v = kt_cpuset_first (change.vcpus); v >= 0; v = kt_cpuset_next (change.vcpus, v))
    {
      guint vcpu = (guint) v;

      if (!kt_session_pin (session, vm, &vcpu, 1, change.cpus, error))
        return FALSE;
    }
  return TRUE;
}

void
kt_cli_tune_print_preview (KtApply  *apply,
                           gboolean  dry_run)
{
  g_autoptr(GPtrArray) calls = kt_apply_get_calls (apply);

  if (kt_apply_is_empty (apply))
    {
      g_print (_("Nothing to change.\n"));
      return;
    }
  g_print (dry_run ? _("Would call:\n") : _("Calls:\n"));
  for (guint i = 0; i < calls->len; i++)
    g_print ("  %s\n", (const char *) g_ptr_array_index (calls, i));
  if (*kt_apply_get_diff (apply))
    g_print ("\n%s", kt_apply_get_diff (apply));
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Offline sources are locked from the read to the write, so that parallel
 * runs queue instead of losing each other's change; in one order (by
 * name), so that two runs cannot wait for each other */
static GPtrArray *
lock_offline (const KtSourceSpec  *spec,
              GError             **error)
{
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_file_unlock);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (spec->snapshot != NULL)
    g_ptr_array_add (paths, spec->snapshot);
  for (guint i = 0; spec->caps != NULL && spec->domains && spec->domains[i]; i++)
    g_ptr_array_add (paths, spec->domains[i]);
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++)
    {
      KtFileLock *lock = kt_file_lock (g_ptr_array_index (paths, i), error);

      if (lock == NULL)
        return NULL;
      g_ptr_array_add (locks, lock);
    }
  return g_steal_pointer (&locks);
}

int
kt_cli_tune (KtCli   *cli,
             int      argc,
             char   **argv,
             GError **error)
{
  const KtSourceSpec *spec = &cli->spec;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSession) session = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(GPtrArray) locks = NULL;
  gboolean opt_live = FALSE, opt_config = FALSE, dry_run = FALSE;
  Request req = { 0, };
  char *args[3] = { NULL, };
  KtApplyFlags flags;
  KtVm *vm;
  guint want;
  int ret = 1;
  GOptionEntry entries[] = {
    { "live", 0, 0, G_OPTION_ARG_NONE, &opt_live, N_("Change the running VM"), NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &opt_config, N_("Change the persistent config"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Print the calls and the XML diff; change nothing"), NULL },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &req.mode,
      N_("Memory mode: strict, interleave, preferred or restrictive"), N_("MODE") },
    { "nodeset", 0, 0, G_OPTION_ARG_STRING, &req.nodeset,
      N_("Host NUMA nodes (numatune) or guest cells (hugepages)"), N_("SET") },
    { "size", 0, 0, G_OPTION_ARG_INT64, &req.size_kib, N_("Huge page size in KiB"), N_("KIB") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &req.force,
      N_("Set a CPU model the host cannot run (cpu-model)"), NULL },
    { NULL }
  };

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (verbs[i].verb, argv[0]))
      req.verb = &verbs[i];
  g_return_val_if_fail (req.verb != NULL, 2);

  ctx = g_option_context_new (_(cli->verb->usage));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    {
      ret = 2;
      goto out;
    }
  want = 2 + req.verb->n_args;
  if ((guint) argc != want && !(req.verb->last_optional && (guint) argc == want - 1))
    {
      ret = kt_cli_usage_error (cli, error);
      goto out;
    }
  /* The arguments after DOMAIN, NULL-padded for an optional last one */
  for (int i = 2; i < argc; i++)
    args[i - 2] = argv[i];
  req.args = args;

  /* Held until the session has written the files back */
  if (!dry_run && (locks = lock_offline (spec, error)) == NULL)
    goto out;
  snapshot = kt_source_load (spec, &conn, error);
  if (snapshot == NULL)
    goto out;
  if (conn != NULL)
    kt_cli_note_journals (conn);
  session = kt_session_new (snapshot, conn, spec->snapshot);
  if (spec->caps != NULL)
    kt_session_set_domain_files (session, (const char * const *) spec->domains);
  req.host = kt_snapshot_get_host (snapshot);
  req.cpu_models = kt_cpu_models_parse (kt_snapshot_get_domcaps_xml (snapshot));
  vm = kt_snapshot_lookup_vm (snapshot, argv[1]);
  if (vm == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), argv[1]);
      goto out;
    }

  flags = (opt_live ? KT_APPLY_LIVE : 0) | (opt_config ? KT_APPLY_CONFIG : 0);
  if (flags == 0)
    flags = kt_vm_is_active (vm) ? KT_APPLY_LIVE : KT_APPLY_CONFIG;   /* virsh's --current */

  if (!make_change (&req, session, vm, flags, error))
    goto out;
  apply = kt_session_prepare_apply (session, argv[1], flags, error);
  if (apply == NULL)
    goto out;

  kt_cli_tune_print_preview (apply, dry_run);
  if (dry_run || kt_apply_is_empty (apply))
    {
      ret = 0;
      goto out;
    }
  if (!kt_session_apply (session, argv[1], flags, error))
    goto out;
  /* Offline sources: the change lands in the file it came from */
  if (spec->snapshot != NULL && !kt_session_save (session, spec->snapshot, error))
    goto out;
  if (spec->caps != NULL && !kt_session_save_domain_files (session, error))
    goto out;
  g_print (_("Applied.\n"));
  ret = 0;

out:
  g_free (req.mode);
  g_free (req.nodeset);
  g_clear_pointer (&req.cpu_models, g_ptr_array_unref);
  return ret;
}


/* The tuning verbs' locks on the offline source files, for the other
 * verbs that apply (plan --apply, advise --fix) */
GPtrArray *
kt_cli_tune_lock (const KtSourceSpec  *spec,
                  GError             **error)
{
  return lock_offline (spec, error);
}
