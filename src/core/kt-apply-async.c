/* kt-apply-async.c: an apply in a worker thread
 *
 * kt_apply_execute_async () runs kt_apply_run () in a worker thread, so
 * that the libvirt calls do not block the caller's main loop, then reads
 * the VM back from the connection for the caller to show what it has now.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-apply.h"

typedef struct
{
  KtApply      *apply;
  KtConnection *connection;
  char         *name;
} ExecuteData;

static void
execute_data_free (gpointer data)
{
  ExecuteData *d = data;

  g_clear_object (&d->apply);
  g_clear_object (&d->connection);
  g_free (d->name);
  g_free (d);
}

static void
execute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ExecuteData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) read_error = NULL;
  KtVm *vm;

  if (!kt_apply_run (d->apply, d->connection, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Applied: a failure to read it back does not undo that */
  vm = kt_connection_read_vm (d->connection, d->name, &read_error);
  if (read_error != NULL)
    g_warning ("Applied to “%s”, but cannot read it back: %s", d->name, read_error->message);
  g_task_return_pointer (task, vm, vm != NULL ? g_object_unref : NULL);
}

/**
 * kt_apply_execute_async:
 * @name: the VM's name, to read it back
 *
 * kt_apply_run() in a worker thread, then the VM read back from
 * @connection (kt_connection_read_vm()).  The apply itself is not
 * cancellable: @cancellable only stops the callback from being told more
 * than that it was cancelled.
 */
void
kt_apply_execute_async (KtApply             *self,
                        KtConnection        *connection,
                        const char          *name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExecuteData *d;

  g_return_if_fail (KT_IS_APPLY (self));
  g_return_if_fail (KT_IS_CONNECTION (connection));
  g_return_if_fail (name != NULL);

  d = g_new0 (ExecuteData, 1);
  d->apply = g_object_ref (self);
  d->connection = g_object_ref (connection);
  d->name = g_strdup (name);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_apply_execute_async);
  g_task_set_task_data (task, d, execute_data_free);
  g_task_run_in_thread (task, execute_thread);
}

/**
 * kt_apply_execute_finish:
 * @reloaded: (out) (optional) (transfer full) (nullable): the VM read
 *   back; %NULL when that failed or it is gone
 *
 * Returns: whether it was applied
 */
gboolean
kt_apply_execute_finish (KtApply       *self,
                         GAsyncResult  *result,
                         KtVm         **reloaded,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  KtVm *vm;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (reloaded != NULL)
    *reloaded = NULL;
  vm = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (reloaded != NULL)
    *reloaded = vm;
  else
    g_clear_object (&vm);
  return TRUE;
}
