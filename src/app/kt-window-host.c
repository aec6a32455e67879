/* kt-window-host.c: the window's Host view
 *
 * The header's view switcher (Map | Host: the "view.show" action, the
 * view stack's visible child), the Host view following the session, and
 * the map's node headers: activating one (a double click or the context
 * click on its label band) opens "Huge Pages on Node N", whose count
 * becomes a pending host change of the session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-host-preview.h"
#include "kt-window-private.h"

typedef struct
{
  KtWindow *self;
  int       node;
} NodeRead;

/* The host read for a node's pools (the Host view not shown yet) */
static void
node_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  NodeRead *r = data;
  g_autoptr(GError) error = NULL;

  /* A failure: the pool dialog says what it is */
  kt_session_read_host_finish (KT_SESSION (source), result, &error);
  if (r->self->session == KT_SESSION (source))
    kt_host_pool_dialog_run (GTK_WINDOW (r->self), r->self->toast_overlay, r->self->session,
                             r->node);
  g_object_unref (r->self);
  g_free (r);
}

static void
on_node_activated (KtWindow *self,
                   int       node)
{
  NodeRead *r;

  if (self->session == NULL)
    return;
  if (kt_session_get_host_tuning (self->session) != NULL)
    {
      kt_host_pool_dialog_run (GTK_WINDOW (self), self->toast_overlay, self->session, node);
      return;
    }
  r = g_new0 (NodeRead, 1);
  r->self = g_object_ref (self);
  r->node = node;
  kt_session_read_host_async (self->session, NULL, node_read_done, r);
}

/* The switcher only while a source shows */
static void
on_stack_child (KtWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  gtk_widget_set_visible (self->view_switcher, g_strcmp0 (name, "map") == 0);
}

void
kt_window_priv_init_host (KtWindow *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GPropertyAction) show = NULL;

  show = g_property_action_new ("show", self->view_stack, "visible-child-name");
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (show));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view", G_ACTION_GROUP (group));

  g_signal_connect_object (self->canvas, "node-activated", G_CALLBACK (on_node_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (on_stack_child), self, G_CONNECT_SWAPPED);
  on_stack_child (self);
}

void
kt_window_priv_host_session (KtWindow *self)
{
  if (self->host_view != NULL)
    kt_host_view_set_session (self->host_view, self->session);
}
