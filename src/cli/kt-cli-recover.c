/* kt-cli-recover.c: kvmtune-cli's word on interrupted applies
 *
 *   recover                   what each interrupted apply did and did not do
 *   recover --finish [DOMAIN]   make the steps that did not land
 *   recover --rollback [DOMAIN] put back what was there before
 *   recover --discard DOMAIN    forget the journal, changing nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-apply.h"
#include "kt-cli.h"
#include "kt-cli-recover.h"
#include "kt-error.h"
#include "kt-journal.h"

void
kt_cli_note_journals (KtConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) journals = NULL;
  const char *uri = kt_connection_get_uri (connection);

  journals = kt_journal_list (uri, &error);
  if (journals == NULL)
    {
      g_printerr ("kvmtune-cli: %s\n", error->message);
      return;
    }
  for (guint i = 0; i < journals->len; i++)
    {
      KtJournal *j = g_ptr_array_index (journals, i);

      g_printerr (_("kvmtune-cli: an apply to “%s” on %s was interrupted (started %s; journal "
                    "%s). See what landed with “kvmtune-cli --connect %s recover”, then end it "
                    "with recover --finish or recover --rollback.\n"),
                  kt_journal_get_vm_name (j), uri, kt_journal_get_started (j),
                  kt_journal_get_path (j), uri);
    }
}

static int
recover_one (KtJournal        *journal,
             KtConnection     *conn,
             KtRecoverAction   action,
             GError          **error)
{
  g_autoptr(KtApply) apply = kt_apply_new_recovery (journal, conn, action, error);
  g_autoptr(GPtrArray) calls = NULL;
  const char *name = kt_journal_get_vm_name (journal);

  if (apply == NULL)
    return 1;
  calls = kt_apply_get_calls (apply);
  if (calls->len > 0)
    g_print (_("Calls for “%s”:\n"), name);
  for (guint i = 0; i < calls->len; i++)
    g_print ("  %s\n", (const char *) g_ptr_array_index (calls, i));
  if (!kt_apply_run (apply, conn, error))
    return 1;
  g_print (action == KT_RECOVER_FINISH ? _("Finished the apply to “%s”.\n")
                                       : _("Rolled back the apply to “%s”.\n"), name);
  return 0;
}

int
kt_cli_recover (KtCli   *cli,
                int      argc,
                char   **argv,
                GError **error)
{
  const KtSourceSpec *spec = &cli->spec;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("[DOMAIN]"));
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GPtrArray) journals = NULL;
  gboolean finish = FALSE, rollback = FALSE, discard = FALSE;
  const char *domain;
  const char *uri;
  guint matched = 0;
  int ret = 0;
  GOptionEntry entries[] = {
    { "finish", 0, 0, G_OPTION_ARG_NONE, &finish,
      N_("Make the steps of the interrupted apply that did not land"), NULL },
    { "rollback", 0, 0, G_OPTION_ARG_NONE, &rollback,
      N_("Put back what was there before the interrupted apply"), NULL },
    { "discard", 0, 0, G_OPTION_ARG_NONE, &discard,
      N_("Forget the journal of DOMAIN, changing nothing"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, "recover");
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return 2;
  if (argc > 2 || finish + rollback + discard > 1 || (discard && argc != 2))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Usage: kvmtune-cli [--connect URI] recover [--finish|--rollback] [DOMAIN] "
                     "| recover --discard DOMAIN"));
      return 2;
    }
  if (spec->snapshot != NULL || spec->caps != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("recover works on a libvirt connection (--connect URI), not on files"));
      return 2;
    }
  domain = argc == 2 ? argv[1] : NULL;

  kt_connection_init_events (TRUE);
  conn = kt_connection_open (spec->connect, (finish || rollback) ? FALSE : spec->read_only,
                             error);
  if (conn == NULL)
    return 1;
  uri = kt_connection_get_uri (conn);
  journals = kt_journal_list (uri, error);
  if (journals == NULL)
    return 1;

  for (guint i = 0; i < journals->len; i++)
    {
      KtJournal *j = g_ptr_array_index (journals, i);
      g_autoptr(GError) local = NULL;

      if (domain != NULL && !g_str_equal (domain, kt_journal_get_vm_name (j)))
        continue;
      matched++;
      if (discard)
        {
          if (!kt_journal_remove (j, error))
            return 1;
          g_print (_("Discarded the journal of the apply to “%s” (%s).\n"),
                   kt_journal_get_vm_name (j), kt_journal_get_path (j));
          continue;
        }
      if (!finish && !rollback)
        {
          g_autofree char *status = kt_apply_journal_status (j, conn, &local);

          if (status == NULL)
            {
              g_printerr ("kvmtune-cli: %s\n", local->message);
              ret = 1;
              continue;
            }
          g_print ("%s\n  %s\n", status, kt_journal_get_path (j));
          continue;
        }
      if (recover_one (j, conn, finish ? KT_RECOVER_FINISH : KT_RECOVER_ROLLBACK, &local) != 0)
        {
          if (error != NULL && *error == NULL)
            g_propagate_error (error, g_steal_pointer (&local));
          else
            g_printerr ("kvmtune-cli: %s\n", local->message);
          ret = 1;
        }
    }
  if (matched == 0)
    {
      if (domain != NULL)
        g_print (_("No interrupted apply to “%s” on %s.\n"), domain, uri);
      else
        g_print (_("No interrupted apply on %s.\n"), uri);
    }
  else if (!finish && !rollback && !discard)
    g_print (_("End each with “kvmtune-cli --connect %s recover --finish” or "
               "“… recover --rollback” (add the VM's name for one of them).\n"), uri);
  return ret;
}
