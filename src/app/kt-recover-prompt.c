/* kt-recover-prompt.c: the window's word on interrupted applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kt-apply.h"
#include "kt-journal.h"
#include "kt-recover-prompt.h"

/* Journal paths with a question or a recovery under way: each is asked
 * about once at a time, however often the connection comes back */
static GHashTable *busy;

typedef struct
{
  KtJournal *journal;
  char      *status;    /* what landed; NULL: unknown (error) */
  char      *error;
} Found;

static void
found_free (gpointer data)
{
  Found *f = data;

  g_clear_object (&f->journal);
  g_free (f->status);
  g_free (f->error);
  g_free (f);
}

typedef struct
{
  GtkWindow       *parent;      /* weak */
  KtConnection    *connection;
  KtJournal       *journal;
  KtRecoverAction  action;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_weak_pointer (&job->parent);
  g_clear_object (&job->connection);
  g_clear_object (&job->journal);
  g_free (job);
}

static void
release (KtJournal *journal)
{
  if (busy != NULL)
    g_hash_table_remove (busy, kt_journal_get_path (journal));
}

static void
tell (GtkWindow  *parent,
      const char *heading,
      const char *body)
{
  AdwMessageDialog *dialog;

  if (parent == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Recovering ------------------------------------------------------------- */

static void
recover_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(KtApply) apply = NULL;
  GError *error = NULL;

  apply = kt_apply_new_recovery (job->journal, job->connection, job->action, &error);
  if (apply == NULL || !kt_apply_run (apply, job->connection, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
recover_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  const char *name = kt_journal_get_vm_name (job->journal);
  g_autofree char *body = NULL;

  release (job->journal);
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      tell (job->parent, job->action == KT_RECOVER_FINISH ? _("Could Not Finish the Apply")
                                                          : _("Could Not Roll Back the Apply"),
            error->message);
      return;
    }
  body = g_strdup_printf (job->action == KT_RECOVER_FINISH
                          ? _("Every step of the interrupted apply to “%s” is made.")
                          : _("“%s” has the settings from before the interrupted apply again."),
                          name);
  tell (job->parent, job->action == KT_RECOVER_FINISH ? _("Apply Finished")
                                                      : _("Apply Rolled Back"), body);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  Job *job = user_data;
  g_autoptr(GTask) task = NULL;

  if (!g_str_equal (response, "finish") && !g_str_equal (response, "rollback"))
    {
      release (job->journal);   /* Later: asked again on the next connection */
      job_free (job);
      return;
    }
  job->action = g_str_equal (response, "finish") ? KT_RECOVER_FINISH : KT_RECOVER_ROLLBACK;
  task = g_task_new (NULL, NULL, recover_done, NULL);
  g_task_set_source_tag (task, on_response);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, recover_thread);
}

static void
ask (GtkWindow    *parent,
     KtConnection *connection,
     Found        *f)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  Job *job;

  body = g_strdup_printf (_("Changes to “%s” on %s were cut short (the connection or KvmTune "
                            "went away), so only some of them were made.\n\n%s\n\nFinish makes "
                            "the rest; Roll Back puts back the settings from before."),
                          kt_journal_get_vm_name (f->journal), kt_connection_get_uri (connection),
                          f->status ? f->status : f->error);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Finish the Interrupted Apply?"),
                                                       body));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Finish the Interrupted Apply?"));
  adw_message_dialog_add_responses (dialog, "later", _("_Later"), "rollback", _("_Roll Back"),
                                    "finish", _("_Finish"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "finish", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_appearance (dialog, "rollback", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "finish");
  adw_message_dialog_set_close_response (dialog, "later");
  if (f->status == NULL)
    {
      /* The VM cannot be read: nothing to do but wait */
      adw_message_dialog_set_response_enabled (dialog, "finish", FALSE);
      adw_message_dialog_set_response_enabled (dialog, "rollback", FALSE);
    }

  job = g_new0 (Job, 1);
  g_set_weak_pointer (&job->parent, parent);
  job->connection = g_object_ref (connection);
  job->journal = g_object_ref (f->journal);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Looking ---------------------------------------------------------------- */

static void
look_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  KtConnection *connection = task_data;
  g_autoptr(GPtrArray) journals = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (found_free);
  GError *error = NULL;

  journals = kt_journal_list (kt_connection_get_uri (connection), &error);
  if (journals == NULL)
    {
      g_ptr_array_unref (found);
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < journals->len; i++)
    {
      Found *f = g_new0 (Found, 1);
      g_autoptr(GError) local = NULL;

      f->journal = g_object_ref (g_ptr_array_index (journals, i));
      f->status = kt_apply_journal_status (f->journal, connection, &local);
      if (f->status == NULL)
        f->error = g_strdup (local->message);
      g_ptr_array_add (found, f);
    }
  g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
look_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  GtkWindow *parent = user_data;
  KtConnection *connection = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (res), &error);

  if (found == NULL)
    {
      tell (parent, _("Cannot Read the Apply Journal"), error->message);
      g_object_unref (parent);
      return;
    }
  if (busy == NULL)
    busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < found->len; i++)
    {
      Found *f = g_ptr_array_index (found, i);
      const char *path = kt_journal_get_path (f->journal);

      if (g_hash_table_contains (busy, path))
        continue;
      g_hash_table_add (busy, g_strdup (path));
      ask (parent, connection, f);
    }
  g_object_unref (parent);
}

/**
 * kt_recover_prompt:
 * @parent: the window the questions belong to
 * @connection: a connection just opened
 *
 * Looks in a thread; asks only when there is something to ask about.
 */
void
kt_recover_prompt (GtkWindow    *parent,
                   KtConnection *connection)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (KT_IS_CONNECTION (connection));

  if (kt_connection_is_read_only (connection))
    return;
  task = g_task_new (NULL, NULL, look_done, g_object_ref (parent));
  g_task_set_source_tag (task, kt_recover_prompt);
  g_task_set_task_data (task, g_object_ref (connection), g_object_unref);
  g_task_run_in_thread (task, look_thread);
}
