/* kt-session-live.c: a session follows its connection
 *
 * A session with a connection owns its live refresh (kt-live.h): the VMs
 * re-read on libvirt's events, the plan carried over, and a reconnection,
 * which becomes the session's connection.  Closing the session stops it,
 * and closes the connection in a worker thread once nothing uses it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-session-private.h"

/* A reconnection: the live refresh opened a new connection */
static void
on_live_connection (KtSession *self)
{
  KtConnection *connection = kt_live_get_connection (self->live);

  if (connection != NULL)
    kt_session_set_connection (self, connection);
}

void
kt_session_priv_start_live (KtSession *self)
{
  self->live = kt_live_new (self->connection, self->snapshot, self->plan);
  g_signal_connect_swapped (self->live, "notify::connection",
                            G_CALLBACK (on_live_connection), self);
}

void
kt_session_priv_stop_live (KtSession *self)
{
  if (self->live == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->live, self);
  kt_live_stop (self->live);
}

/**
 * kt_session_get_live:
 *
 * Returns: (transfer none) (nullable): what follows the connection's
 * events and reconnects; %NULL for a session without connection
 */
KtLive *
kt_session_get_live (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->live;
}

static void
session_closed (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (!kt_connection_close_finish (KT_CONNECTION (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * kt_session_close_async:
 *
 * The session is done with (its window closes, or opens another source):
 * stops following the connection, and closes it (event deregistration and
 * virConnectClose, in a worker thread: kt_connection_close_unused ()) once
 * the session and whatever still works with the connection (a worker
 * thread, a widget) let go of it.  @callback runs then, in the main
 * context; at once without connection.  The task holds no reference on
 * the session.
 */
void
kt_session_close_async (KtSession           *self,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_SESSION (self));

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, kt_session_close_async);
  kt_session_priv_stop_live (self);
  if (self->connection == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  kt_connection_close_unused (g_object_ref (self->connection), session_closed,
                              g_steal_pointer (&task));
}

gboolean
kt_session_close_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
