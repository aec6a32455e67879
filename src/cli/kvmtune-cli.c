/* kvmtune-cli.c: KvmTune's command-line companion
 *
 *   kvmtune-cli [SOURCE] VERB [OPTIONS]
 *
 * SOURCE is one of --connect URI, --snapshot FILE or --caps FILE
 * [--domain FILE]...; it comes before the verb.
 *
 * This file holds the table of verbs and the dispatch: the standard
 * options of a verb (--json, -o FILE) and its argument count are checked
 * here, the source is loaded for a verb that reads it, and each verb's
 * handler lives in the file of its concern (see kt-cli.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "kt-cli.h"
#include "kt-cli-recover.h"
#include "kt-error.h"
#include "kt-json.h"

/* The verbs: a line each, handled in the file of their concern (kt-cli.h) */
static const KtCliVerb verbs[] = {
  { "topology", N_("topology [--json]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_JSON, 0, 0, kt_cli_topology },
  { "domains", N_("domains [--json]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_JSON, 0, 0, kt_cli_domains },
  { "show", N_("show DOMAIN [--json]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_JSON, 1, 1, kt_cli_show },
  { "snapshot", N_("snapshot -o FILE"),
    KT_CLI_VERB_READS | KT_CLI_VERB_JSON | KT_CLI_VERB_OUTPUT, 0, 0, kt_cli_snapshot },
  { "render", N_("render -o FILE.png|FILE.svg [--width W] [--height H] [--dark] "
                 "[--format png|svg]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_render },
  { "pin", N_("pin DOMAIN VCPULIST CPUSET"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "emulatorpin", N_("emulatorpin DOMAIN CPUSET"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "iothreadpin", N_("iothreadpin DOMAIN ID CPUSET"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "numatune", N_("numatune DOMAIN [--mode M] [--nodeset S]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "hugepages", N_("hugepages DOMAIN --size KIB [--nodeset S]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "cpu-model", N_("cpu-model DOMAIN MODE [MODEL] [--force]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_tune },
  { "host", N_("host [profiles | apply PROFILE | set KEY=VALUE... | revert | save-profile ID] "
               "[--json] [--dry-run] [--persistent]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_host },
  { "recover", N_("recover [--finish|--rollback] [DOMAIN] | recover --discard DOMAIN"),
    KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_recover },
  { "plan", N_("plan DOMAIN|--all|--new NAME --vcpus N --memory MIB [OPTIONS]"),
    KT_CLI_VERB_READS | KT_CLI_VERB_WRITES | KT_CLI_VERB_OWN_ARGS, 0, 0, kt_cli_plan },
  { "advise", N_("advise [--json] [--reserve CPUSET] [--vm DOMAIN] [--rule RULE] | "
                 "advise --fix RULE [--vm DOMAIN] | --fix-all DOMAIN [--live] [--config] [--dry-run]"),
    KT_CLI_VERB_OWN_ARGS | KT_CLI_VERB_WRITES, 0, 0, kt_cli_advise },
};

/* What the verbs share ------------------------------------------------------ */

KtSnapshot *
kt_cli_load (KtCli   *cli,
             GError **error)
{
  /* No main loop here: libvirt's events run in a thread of their own */
  if (cli->snapshot != NULL)
    return cli->snapshot;
  if (cli->spec.snapshot == NULL && cli->spec.caps == NULL)
    kt_connection_init_events (TRUE);
  cli->snapshot = kt_source_load (&cli->spec, &cli->connection, error);
  if (cli->connection != NULL)
    kt_cli_note_journals (cli->connection);
  return cli->snapshot;
}

int
kt_cli_usage_error (KtCli   *cli,
                    GError **error)
{
  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Usage: kvmtune-cli [SOURCE] %s"),
               _(cli->verb->usage));
  return 2;
}

void
kt_cli_print_json (JsonNode *node)
{
  g_autofree char *text = kt_json_to_string (node);

  g_print ("%s\n", text);
  json_node_unref (node);
}

static void
kt_cli_clear (KtCli *cli)
{
  kt_source_spec_clear (&cli->spec);
  g_clear_object (&cli->snapshot);
  g_clear_object (&cli->connection);
  g_clear_pointer (&cli->output, g_free);
}

/* Dispatch ------------------------------------------------------------------- */

static const KtCliVerb *
lookup_verb (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (verbs[i].name, name))
      return &verbs[i];
  return NULL;
}

static int
unknown_verb (const char  *name,
              GError     **error)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *all = NULL;

  for (guint i = 0; i + 1 < G_N_ELEMENTS (verbs); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", verbs[i].name);
  /* Translators: "topology, domains, show" and "recover" */
  all = g_strdup_printf (_("%s or %s"), names->str, verbs[G_N_ELEMENTS (verbs) - 1].name);
  /* Translators: the second %s is the list of verbs */
  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Unknown command “%s” (try %s)"),
               name, all);
  return 2;
}

/* --json and -o FILE, as the verb's flags say */
static gboolean
parse_options (KtCli    *cli,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (_(cli->verb->usage));
  GOptionEntry entries[3] = { { NULL } };
  guint n = 0;

  if (cli->verb->flags & KT_CLI_VERB_JSON)
    entries[n++] = (GOptionEntry) { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
                                    N_("Print JSON"), NULL };
  if (cli->verb->flags & KT_CLI_VERB_OUTPUT)
    entries[n++] = (GOptionEntry) { "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
                                    N_("Write to FILE"), N_("FILE") };
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, cli->verb->name);
  return g_option_context_parse (ctx, argc, argv, error);
}

static int
check_args (KtCli    *cli,
            int       argc,
            char    **argv,
            GError  **error)
{
  const KtCliVerb *verb = cli->verb;
  guint n = (guint) argc - 1;

  if ((verb->flags & KT_CLI_VERB_OUTPUT) && cli->output == NULL)
    return kt_cli_usage_error (cli, error);
  if (n >= verb->min_args && n <= verb->max_args)
    return 0;
  if (verb->max_args == 0 && !(verb->flags & KT_CLI_VERB_OUTPUT))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("“%s” takes no argument, got “%s”"), verb->name, argv[1]);
      return 2;
    }
  return kt_cli_usage_error (cli, error);
}

static int
run_verb (KtCli   *cli,
          int      argc,
          char   **argv,
          GError **error)
{
  int ret;

  if ((cli->verb = lookup_verb (argv[0])) == NULL)
    return unknown_verb (argv[0], error);
  if (!(cli->verb->flags & KT_CLI_VERB_OWN_ARGS))
    {
      if (!parse_options (cli, &argc, &argv, error))
        return 2;
      if ((ret = check_args (cli, argc, argv, error)) != 0)
        return ret;
      if ((cli->verb->flags & KT_CLI_VERB_READS) && kt_cli_load (cli, error) == NULL)
        return 1;
    }
  return cli->verb->run (cli, argc, argv, error);
}

/* "Verbs:" and a line each, for --help */
static char *
describe_verbs (void)
{
  GString *text = g_string_new (_("Verbs:"));

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    g_string_append_printf (text, "\n  %s", _(verbs[i].usage));
  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs_help = describe_verbs ();
  KtCli cli = { 0, };
  GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &cli.spec.connect,
      N_("Read from libvirt at URI"), N_("URI") },
    { "snapshot", 's', 0, G_OPTION_ARG_FILENAME, &cli.spec.snapshot,
      N_("Read an offline snapshot"), N_("FILE") },
    { "caps", 0, 0, G_OPTION_ARG_FILENAME, &cli.spec.caps,
      N_("Read host capabilities XML"), N_("FILE") },
    { "domain", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.spec.domains,
      N_("Read domain XML (with --caps; repeatable)"), N_("FILE") },
    { "readonly", 'r', 0, G_OPTION_ARG_NONE, &cli.spec.read_only,
      N_("Open the libvirt connection read-only"), NULL },
    { NULL }
  };
  int ret;

  /* A libvirt daemon that goes away mid-call must be an error, not the
   * end of the process (as libvirt advises its clients) */
  signal (SIGPIPE, SIG_IGN);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ctx = g_option_context_new (_("VERB [ARGS]"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (ctx, TRUE);
  g_option_context_set_summary (ctx, _("Inspect a KVM host's NUMA topology and its VMs' tuning.\n"
                                       "Source options come before the verb. Without one, "
                                       "libvirt's default connection is used."));
  g_option_context_set_description (ctx, verbs_help);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("kvmtune-cli: %s\n", error->message);
      return 2;
    }
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  if (!kt_source_spec_check (&cli.spec, &error))
    ret = 2;
  else
    ret = run_verb (&cli, argc - 1, argv + 1, &error);
  if (error != NULL)
    g_printerr ("kvmtune-cli: %s\n", error->message);
  if (g_error_matches (error, KT_ERROR, KT_ERROR_INTERRUPTED)
      && cli.verb != NULL && (cli.verb->flags & KT_CLI_VERB_WRITES))
    {
      g_printerr (_("kvmtune-cli: once libvirt is back, see what landed with “kvmtune-cli "
                    "--connect URI recover”, then run recover --finish or recover --rollback.\n"));
      ret = 3;
    }
  kt_cli_clear (&cli);
  return ret;
}
