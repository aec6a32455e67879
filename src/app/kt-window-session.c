/* kt-window-session.c: the window follows its session
 *
 * The session (kt-session.h) says what is pending and saved, the live
 * refresh it owns re-reads VMs, loses and finds the connection again, and
 * says where vCPUs run while the map shows.  A session the window is done
 * with closes its connection in a worker thread once nothing uses it; the
 * application waits for that (a bit) before it exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-recover-prompt.h"
#include "kt-window-private.h"

/* At most this long the application waits, once a window closed, for its
 * connection to close in a worker thread */
#define CLOSE_WAIT_S 10

static KtConnection *
get_connection (KtWindow *self)
{
  return self->session != NULL ? kt_session_get_connection (self->session) : NULL;
}

static KtLive *
get_live (KtWindow *self)
{
  return self->session != NULL ? kt_session_get_live (self->session) : NULL;
}

/* The session ------------------------------------------------------------ */

static void
on_session_changed (KtWindow *self)
{
  kt_window_priv_update (self);
}

/* Applied, undone or reloaded through the session (the panel follows
 * the session itself) */
static void
on_session_vm_changed (KtWindow   *self,
                       const char *name,
                       gboolean    snapshot_edited)
{
  kt_map_canvas_refresh (self->canvas);
  kt_window_priv_update (self);
}

/* Live updates: the connection's events re-read VMs; a lost connection
 * shows the banner and comes back on its own */

static void
on_live_changed (KtWindow *self)
{
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);

  kt_map_canvas_refresh (self->canvas);
  kt_tuning_panel_refresh (self->tuning_panel);
  if (self->all_row != NULL)
    kt_vm_row_set_n_vms (self->all_row, g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)));
  kt_window_priv_update_empty (self);
  kt_window_priv_update (self);
}

static void
on_live_edits_dropped (KtWindow   *self,
                       const char *name)
{
  g_autofree char *message = NULL;

  /* Translators: a VM's pins changed outside KvmTune while some were planned */
  message = g_strdup_printf (_("“%s” changed outside KvmTune: its pending changes were dropped"),
                             name);
  kt_window_priv_toast (self, message);
}

/* Applies the loss of an earlier connection cut short: the window asks */
static void
prompt_recovery (KtWindow *self)
{
  KtConnection *connection = get_connection (self);

  if (connection != NULL && !kt_connection_is_closed (connection))
    kt_recover_prompt (GTK_WINDOW (self), connection);
}

static void
on_live_connected (KtWindow *self)
{
  KtLive *live = get_live (self);
  g_autofree char *text = NULL;

  if (!kt_live_get_connected (live))
    {
      /* Translators: a banner over the map; %s is a libvirt URI */
      text = g_strdup_printf (_("Connection to %s lost — reconnecting…"), kt_live_get_uri (live));
      gtk_label_set_label (self->lost_label, text);
      gtk_revealer_set_reveal_child (self->lost_revealer, TRUE);
      kt_map_canvas_set_observed (self->canvas, NULL);
      return;
    }
  /* The session took the new connection already, and the panel with it */
  gtk_revealer_set_reveal_child (self->lost_revealer, FALSE);
  text = g_strdup_printf (_("Reconnected to %s"), kt_live_get_uri (live));
  kt_window_priv_toast (self, text);
  prompt_recovery (self);
}

static void
on_live_observed (KtWindow *self)
{
  kt_map_canvas_set_observed (self->canvas, kt_live_get_observed (get_live (self)));
}

/* Where vCPUs run is polled while the map shows: mapped, in a window that
 * is not minimized */
void
kt_window_priv_update_observing (KtWindow *self)
{
  KtLive *live = get_live (self);
  GdkSurface *surface;
  gboolean shows;

  if (live == NULL)
    return;
  surface = gtk_native_get_surface (GTK_NATIVE (self));
  shows = gtk_widget_get_mapped (GTK_WIDGET (self->canvas))
          && !(GDK_IS_TOPLEVEL (surface)
               && (gdk_toplevel_get_state (GDK_TOPLEVEL (surface)) & GDK_TOPLEVEL_STATE_MINIMIZED));
  kt_live_set_observing (live, shows);
}

void
kt_window_priv_realized (KtWindow *self)
{
  g_signal_connect_object (gtk_native_get_surface (GTK_NATIVE (self)), "notify::state",
                           G_CALLBACK (kt_window_priv_update_observing), self, G_CONNECT_SWAPPED);
}

/* Once a window's connection is closed, or it took too long */
typedef struct
{
  GApplication *app;
  guint         timeout_id;
} CloseHold;

static void
close_hold_release (CloseHold *hold)
{
  g_clear_handle_id (&hold->timeout_id, g_source_remove);
  if (hold->app != NULL)
    {
      g_application_release (hold->app);
      g_clear_object (&hold->app);
    }
}

static gboolean
close_hold_timeout (gpointer data)
{
  CloseHold *hold = data;

  hold->timeout_id = 0;
  g_debug ("A connection is still being closed: not waiting for it");
  close_hold_release (hold);
  return G_SOURCE_REMOVE;
}

static void
session_closed (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  CloseHold *hold = data;
  g_autoptr(GError) error = NULL;

  if (!kt_session_close_finish (result, &error))
    g_debug ("Closing the connection: %s", error->message);
  close_hold_release (hold);
  g_free (hold);
}

/* Done with the session: its connection closes in a worker thread once
 * nothing uses it, the application waiting for it (a bit) */
void
kt_window_priv_release_session (KtWindow *self)
{
  g_autoptr(KtSession) session = g_steal_pointer (&self->session);
  KtApplication *app = kt_window_priv_app (self);
  CloseHold *hold;

  if (session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (session, self);
  if (kt_session_get_live (session) != NULL)
    g_signal_handlers_disconnect_by_data (kt_session_get_live (session), self);
  /* In dispose, the template's children may be gone already */
  if (self->lost_revealer != NULL)
    gtk_revealer_set_reveal_child (self->lost_revealer, FALSE);
  if (self->canvas != NULL)
    kt_map_canvas_set_observed (self->canvas, NULL);
  kt_window_priv_host_session (self);

  hold = g_new0 (CloseHold, 1);
  if (app != NULL && kt_session_get_connection (session) != NULL)
    {
      hold->app = G_APPLICATION (g_object_ref (app));
      g_application_hold (hold->app);
      hold->timeout_id = g_timeout_add_seconds (CLOSE_WAIT_S, close_hold_timeout, hold);
    }
  kt_session_close_async (session, session_closed, hold);
}

void
kt_window_priv_set_session (KtWindow  *self,
                            KtSession *session)
{
  KtApplication *app = kt_window_priv_app (self);
  KtConnection *connection;
  KtLive *live;

  g_return_if_fail (KT_IS_SESSION (session));

  kt_window_priv_release_session (self);
  self->session = g_object_ref (session);
  connection = kt_session_get_connection (session);
  g_signal_connect_object (session, "changed", G_CALLBACK (on_session_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::title", G_CALLBACK (on_session_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "vm-changed", G_CALLBACK (on_session_vm_changed), self,
                           G_CONNECT_SWAPPED);

  live = kt_session_get_live (session);
  if (live != NULL)
    {
      g_signal_connect_object (live, "changed", G_CALLBACK (on_live_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (live, "edits-dropped", G_CALLBACK (on_live_edits_dropped),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (live, "notify::connected", G_CALLBACK (on_live_connected),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (live, "observed-changed", G_CALLBACK (on_live_observed),
                               self, G_CONNECT_SWAPPED);
      if (!kt_live_get_connected (live))
        on_live_connected (self);
    }

  self->syncing_selection = TRUE;
  kt_map_canvas_set_session (self->canvas, session);
  kt_map_canvas_set_selected_vm (self->canvas, NULL);
  kt_tuning_panel_set_session (self->tuning_panel, session);
  self->syncing_selection = FALSE;
  kt_window_priv_set_sidebar_model (self);
  kt_load_errors_set_errors (self->load_errors, NULL);
  kt_window_priv_update_empty (self);
  kt_window_priv_host_session (self);

  gtk_stack_set_visible_child_name (self->stack, "map");
  kt_map_canvas_zoom_to_fit (self->canvas);

  if (connection != NULL && app != NULL)
    kt_application_add_recent_uri (app, kt_connection_get_uri (connection));

  kt_window_priv_update (self);
  kt_window_priv_update_observing (self);
  kt_window_priv_advice_attach (self);
  prompt_recovery (self);
}
