/* kt-connection-async.c: a libvirt connection's slow work, in worker
 * threads: open and capture (with the read-only fallback), read one VM
 * back, and close once nothing uses the connection any more
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-connection.h"

/* Opening and reading ---------------------------------------------------- */

/**
 * kt_connection_open_capture:
 * @uri: (nullable): a libvirt URI; %NULL: libvirt's default
 * @flags: #KtConnectionOpenFlags
 * @snapshot: (out) (optional) (transfer full): what it has now
 *
 * Opens @uri and captures it (kt_connection_capture()).  With
 * %KT_CONNECTION_OPEN_FALLBACK_READ_ONLY, a read-write open or capture that
 * fails is tried once more read-only (what a user without the rights to
 * change the host still may do).  Blocks: call it from a worker thread, or
 * use kt_connection_open_async().
 *
 * Returns: (transfer full): the connection, or %NULL with @error set to
 * the first attempt's error
 */
KtConnection *
kt_connection_open_capture (const char             *uri,
                            KtConnectionOpenFlags   flags,
                            GCancellable           *cancellable,
                            KtSnapshot            **snapshot,
                            GError                **error)
{
  g_autoptr(GError) first_error = NULL;
  gboolean read_only = (flags & KT_CONNECTION_OPEN_READ_ONLY) != 0;
  gboolean last = read_only || !(flags & KT_CONNECTION_OPEN_FALLBACK_READ_ONLY);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(KtConnection) conn = NULL;
      g_autoptr(KtSnapshot) captured = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      conn = kt_connection_open (uri, read_only, &local_error);
      if (conn != NULL)
        captured = kt_connection_capture (conn, &local_error);
      if (captured != NULL)
        {
          if (snapshot != NULL)
            *snapshot = g_steal_pointer (&captured);
          return g_steal_pointer (&conn);
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      else
        g_debug ("%s read-only: %s", uri ? uri : "(default)", local_error->message);
      if (last)
        break;
      read_only = last = TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&first_error));
  return NULL;
}

typedef struct
{
  char                  *uri;
  KtConnectionOpenFlags  flags;
  KtConnection          *connection;   /* the result, or what to read or close */
  KtSnapshot            *snapshot;
  char                  *name;
} ConnectionTask;

static void
connection_task_free (gpointer data)
{
  ConnectionTask *t = data;

  g_free (t->uri);
  g_clear_object (&t->connection);
  g_clear_object (&t->snapshot);
  g_free (t->name);
  g_free (t);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ConnectionTask *t = task_data;
  g_autoptr(GError) error = NULL;

  t->connection = kt_connection_open_capture (t->uri, t->flags, cancellable, &t->snapshot,
                                              &error);
  if (t->connection != NULL && g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      /* No one takes it: closed here, not in the caller's thread */
      g_clear_object (&t->connection);
      g_clear_object (&t->snapshot);
    }
  if (t->connection == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * kt_connection_open_async:
 *
 * kt_connection_open_capture() in a worker thread.
 */
void
kt_connection_open_async (const char            *uri,
                          KtConnectionOpenFlags  flags,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectionTask *t = g_new0 (ConnectionTask, 1);

  t->uri = g_strdup (uri);
  t->flags = flags;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_connection_open_async);
  g_task_set_task_data (task, t, connection_task_free);
  g_task_run_in_thread (task, open_thread);
}

/**
 * kt_connection_open_finish:
 * @snapshot: (out) (optional) (transfer full): the capture
 *
 * Returns: (transfer full): the connection (kt_connection_is_read_only()
 * says whether it fell back), or %NULL with @error set
 */
KtConnection *
kt_connection_open_finish (GAsyncResult  *result,
                           KtSnapshot   **snapshot,
                           GError       **error)
{
  ConnectionTask *t;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kt_connection_open_async,
                        NULL);

  if (snapshot != NULL)
    *snapshot = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  t = g_task_get_task_data (G_TASK (result));
  if (snapshot != NULL)
    *snapshot = g_steal_pointer (&t->snapshot);
  return g_steal_pointer (&t->connection);
}

static void
read_vm_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConnectionTask *t = task_data;
  g_autoptr(GError) error = NULL;
  KtVm *vm = kt_connection_read_vm (t->connection, t->name, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, vm, vm != NULL ? g_object_unref : NULL);
}

/**
 * kt_connection_read_vm_async:
 *
 * kt_connection_read_vm() in a worker thread: reloads one VM.
 */
void
kt_connection_read_vm_async (KtConnection        *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectionTask *t;

  g_return_if_fail (KT_IS_CONNECTION (self));
  g_return_if_fail (name != NULL);

  t = g_new0 (ConnectionTask, 1);
  t->connection = g_object_ref (self);
  t->name = g_strdup (name);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_connection_read_vm_async);
  g_task_set_task_data (task, t, connection_task_free);
  g_task_run_in_thread (task, read_vm_thread);
}

/**
 * kt_connection_read_vm_finish:
 *
 * Returns: (transfer full) (nullable): the VM as libvirt has it now;
 * %NULL without @error set when it is gone
 */
KtVm *
kt_connection_read_vm_finish (KtConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Closing once unused ---------------------------------------------------- */

typedef struct
{
  GAsyncReadyCallback callback;
  gpointer            user_data;
  gboolean            started;
} Closer;

static void
closer_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data);

/* The toggle reference is the last one: nothing uses the connection now.
 * Called in the thread that dropped the one before (maybe a worker) */
static void
closer_toggled (gpointer  data,
                GObject  *object,
                gboolean  is_last_ref)
{
  Closer *c = data;

  if (!is_last_ref || c->started)
    return;
  c->started = TRUE;
  kt_connection_close_async (KT_CONNECTION (object), closer_done, c);
}

static void
closer_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Closer *c = data;

  if (c->callback != NULL)
    c->callback (object, result, c->user_data);
  g_object_remove_toggle_ref (object, closer_toggled, c);
  g_free (c);
}

/**
 * kt_connection_close_unused:
 * @self: (transfer full): the caller's reference, given up
 * @callback: (nullable): called (in the main context) once closed; finish
 *   with kt_connection_close_finish()
 *
 * kt_connection_close_async() as soon as nothing else holds the
 * connection: a live refresh, a reload or an apply still running in a
 * worker thread keeps using it until it is done, and only then the events
 * are deregistered and the connection closed, in a worker thread.
 */
void
kt_connection_close_unused (KtConnection        *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Closer *c;

  g_return_if_fail (KT_IS_CONNECTION (self));

  c = g_new0 (Closer, 1);
  c->callback = callback;
  c->user_data = user_data;
  g_object_add_toggle_ref (G_OBJECT (self), closer_toggled, c);
  g_object_unref (self);
}
