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
 * --dry-run.  With --connect the change goes through libvirt; with
 * --snapshot the snapshot file is rewritten; with --caps/--domain the
 * domain's file is.
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

/* Makes the requested change to one definition */
static gboolean
edit (const Request  *req,
      KtDomain       *domain,
      GError        **error)
{
  const char *verb = req->verb->verb;

  if (g_str_equal (verb, "pin"))
    {
      g_autoptr(KtCpuset) vcpus = kt_cpuset_parse (req->args[0], error);
      g_autoptr(KtCpuset) cpus = NULL;

      if (vcpus == NULL)
        {
          g_prefix_error (error, _("VCPULIST: "));
          return FALSE;
        }
      if ((cpus = parse_cpus (req->host, req->args[1], error)) == NULL)
        return FALSE;
      for (int v = kt_cpuset_first (vcpus); v >= 0; v = kt_cpuset_next (vcpus, v))
        if (!kt_domain_set_vcpupin (domain, (guint) v, cpus, error))
          return FALSE;
      return TRUE;
    }
  if (g_str_equal (verb, "emulatorpin"))
    {
      g_autoptr(KtCpuset) cpus = parse_cpus (req->host, req->args[0], error);

      return cpus != NULL && kt_domain_set_emulatorpin (domain, cpus, error);
    }
  if (g_str_equal (verb, "iothreadpin"))
    {
      g_autoptr(KtCpuset) cpus = NULL;
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
      return kt_domain_set_iothreadpin (domain, (guint) id, cpus, error);
    }
  if (g_str_equal (verb, "numatune"))
    {
      g_autoptr(KtCpuset) nodes = NULL;

      if (req->mode == NULL && req->nodeset == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("numatune needs --mode, --nodeset or both"));
          return FALSE;
        }
      if (req->nodeset != NULL && (nodes = parse_nodes (req->host, req->nodeset, error)) == NULL)
        return FALSE;
      return kt_domain_set_numatune (domain, req->mode, nodes, error);
    }
  if (g_str_equal (verb, "hugepages"))
    {
      g_autoptr(KtCpuset) cells = NULL;

      if (req->size_kib <= 0)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("hugepages needs --size KIB (a page size of the host)"));
          return FALSE;
        }
      if (!check_page_size (req->host, (guint64) req->size_kib, error))
        return FALSE;
      /* The nodeset of <page> names guest NUMA cells */
      if (req->nodeset != NULL && (cells = kt_cpuset_parse (req->nodeset, error)) == NULL)
        return FALSE;
      return kt_domain_set_hugepages (domain, (guint64) req->size_kib, cells, error);
    }
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
  return kt_domain_set_cpu_mode (domain, req->args[0], req->args[1], error);
}

static void
print_preview (KtApply  *apply,
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

/* Offline sources: the edit lands in the file it came from */
static gboolean
write_offline (const KtSourceSpec  *spec,
               KtSnapshot          *snapshot,
               KtVm                *vm,
               KtDomain            *live,
               KtDomain            *config,
               GError             **error)
{
  kt_vm_set_definitions (vm, live, config);
  if (spec->snapshot != NULL)
    return kt_snapshot_save (snapshot, spec->snapshot, error);

  /* --caps --domain FILE...: the VMs are in the files' order */
  {
    guint pos = 0;
    g_autofree char *xml = NULL;

    if (!g_list_store_find (G_LIST_STORE (kt_snapshot_get_vms (snapshot)), vm, &pos)
        || spec->domains == NULL || pos >= g_strv_length (spec->domains))
      g_error ("VM without a file");
    xml = kt_domain_to_xml (kt_vm_get_inactive (vm));
    return kt_file_write (spec->domains[pos], xml, strlen (xml), KT_FILE_WRITE_PRIVATE,
                          kt_snapshot_get_file_stamp (snapshot, spec->domains[pos]), NULL,
                          error);
  }
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
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
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

  if (!dry_run && (locks = lock_offline (spec, error)) == NULL)
    goto out;
  snapshot = kt_source_load (spec, &conn, error);
  if (snapshot == NULL)
    goto out;
  if (conn != NULL)
    kt_cli_note_journals (conn);
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

  if ((flags & KT_APPLY_LIVE) && kt_vm_is_active (vm))
    {
      live = kt_domain_copy (kt_vm_get_live (vm));
      if (!edit (&req, live, error))
        goto out;
    }
  if ((flags & KT_APPLY_CONFIG) && kt_vm_get_inactive (vm) != NULL)
    {
      config = kt_domain_copy (kt_vm_get_inactive (vm));
      if (!edit (&req, config, error))
        goto out;
    }
  apply = kt_apply_new (vm, live, config, flags, error);
  if (apply == NULL)
    goto out;

  print_preview (apply, dry_run);
  if (dry_run || kt_apply_is_empty (apply))
    {
      ret = 0;
      goto out;
    }
  if (conn != NULL ? !kt_apply_run (apply, conn, error)
                   : !write_offline (spec, snapshot, vm, live, config, error))
    goto out;
  g_print (_("Applied.\n"));
  ret = 0;

out:
  g_free (req.mode);
  g_free (req.nodeset);
  g_clear_pointer (&req.cpu_models, g_ptr_array_unref);
  return ret;
}

/* The same path for other verbs (plan --apply): locks, flags, preview,
 * KtApply or the offline write */

GPtrArray *
kt_cli_tune_lock (const KtSourceSpec  *spec,
                  GError             **error)
{
  return lock_offline (spec, error);
}

int
kt_cli_tune_apply_edit (const KtSourceSpec  *spec,
                        KtSnapshot          *snapshot,
                        KtConnection        *conn,
                        KtVm                *vm,
                        gboolean             opt_live,
                        gboolean             opt_config,
                        gboolean             dry_run,
                        KtCliEditFunc        edit_func,
                        gconstpointer        data,
                        GError             **error)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  KtApplyFlags flags = (opt_live ? KT_APPLY_LIVE : 0) | (opt_config ? KT_APPLY_CONFIG : 0);

  if (flags == 0)
    flags = kt_vm_is_active (vm) ? KT_APPLY_LIVE : KT_APPLY_CONFIG;   /* virsh's --current */
  if ((flags & KT_APPLY_LIVE) && kt_vm_is_active (vm))
    {
      live = kt_domain_copy (kt_vm_get_live (vm));
      if (!edit_func (data, live, error))
        return 1;
    }
  if ((flags & KT_APPLY_CONFIG) && kt_vm_get_inactive (vm) != NULL)
    {
      config = kt_domain_copy (kt_vm_get_inactive (vm));
      if (!edit_func (data, config, error))
        return 1;
    }
  apply = kt_apply_new (vm, live, config, flags, error);
  if (apply == NULL)
    return 1;
  print_preview (apply, dry_run);
  if (dry_run || kt_apply_is_empty (apply))
    return 0;
  if (conn != NULL ? !kt_apply_run (apply, conn, error)
                   : !write_offline (spec, snapshot, vm, live, config, error))
    return 1;
  g_print (_("Applied.\n"));
  return 0;
}
