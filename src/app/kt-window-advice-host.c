/* kt-window-advice-host.c: the Advice list's host fixes in the window
 *
 * Fix and Fix All put a fix's host steps into the session's pending host
 * targets (kt_advice_put_fix ()), which the Host view shows, previews and
 * applies like its own.  On a connection the host's tuning is read first,
 * in the background, when nothing (the Host view) has read it yet.  After
 * a fix a toast says which host settings are pending, old → new, with a
 * button that shows the Host view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-advice.h"
#include "kt-window-private.h"

typedef struct
{
  KtWindow  *window;
  KtSession *session;
  GPtrArray *fixes;     /* KtFix */
} HostRead;

static void
host_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  HostRead *r = data;
  g_autoptr(GError) error = NULL;

  /* A failure: kt_advice_put_fix () says what it was */
  if (!kt_session_read_host_finish (KT_SESSION (source), result, &error))
    g_debug ("Reading the host's tuning for a fix: %s", error->message);
  if (r->window->session == r->session)
    kt_window_priv_advice_put_fixes (r->window, r->fixes, FALSE);
  g_object_unref (r->window);
  g_object_unref (r->session);
  g_ptr_array_unref (r->fixes);
  g_free (r);
}

/**
 * kt_window_priv_advice_read_host:
 *
 * Returns: whether the host's tuning is being read first, for @fixes with
 * host steps on a connection that has not read it: then
 * kt_window_priv_advice_put_fixes () runs once it is read, or failed to
 * be (kt_advice_put_fix () then says why)
 */
gboolean
kt_window_priv_advice_read_host (KtWindow  *self,
                                 GPtrArray *fixes)
{
  gboolean host = FALSE;
  HostRead *r;

  if (self->session == NULL || kt_session_get_host_tuning (self->session) != NULL
      || kt_session_get_connection (self->session) == NULL)
    return FALSE;
  for (guint i = 0; i < fixes->len && !host; i++)
    host = kt_fix_has_host_steps (g_ptr_array_index (fixes, i));
  if (!host)
    return FALSE;
  r = g_new0 (HostRead, 1);
  r->window = g_object_ref (self);
  r->session = g_object_ref (self->session);
  r->fixes = g_ptr_array_ref (fixes);
  kt_session_read_host_async (self->session, NULL, host_read_done, r);
  return TRUE;
}

/**
 * kt_window_priv_advice_describe_host:
 * @targets: (element-type KtHostTarget): host targets a fix made pending
 *
 * Returns: "ksm.merge_across_nodes 1 → 0, numa_balancing 1 → 0": what the
 * host has now (as last read), and what is pending
 */
char *
kt_window_priv_advice_describe_host (KtWindow  *self,
                                     GPtrArray *targets)
{
  const KtHostTuning *current = kt_session_get_host_tuning (self->session);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);
      g_autofree char *now = current != NULL ? kt_host_tuning_get_value (current, t->key) : NULL;

      if (s->len > 0)
        /* Translators: between the host settings of "Pending in the Host view: …" */
        g_string_append (s, _(", "));
      g_string_append_printf (s, "%s %s → %s", t->key, now != NULL ? now : "?", t->value);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The toast that leads to the Host view goes once it shows */
static void
dismiss_on_host (GtkStack   *view_stack,
                 GParamSpec *pspec,
                 AdwToast   *toast)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (view_stack), "host") == 0)
    adw_toast_dismiss (toast);
}

/* A toast, with a button to the Host view when @to_host and it is not
 * shown already */
void
kt_window_priv_advice_toast (KtWindow   *self,
                             const char *message,
                             gboolean    to_host)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  if (to_host && g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "host") != 0)
    {
      /* Translators: the button of the toast after a host fix */
      adw_toast_set_button_label (toast, _("Show Host"));
      adw_toast_set_action_name (toast, "view.show");
      adw_toast_set_action_target_value (toast, g_variant_new_string ("host"));
      g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                               G_CALLBACK (dismiss_on_host), toast, 0);
    }
  adw_toast_set_timeout (toast, to_host ? 10 : 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
