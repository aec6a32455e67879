/* kt-host-apply.c: the host control, applying a plan all or nothing, async
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-host-apply-private.h"
#include "kt-host-probe.h"

G_DEFINE_FINAL_TYPE (KtHostControl, kt_host_control, G_TYPE_OBJECT)

/* The control ------------------------------------------------------------ */

static void
kt_host_control_dispose (GObject *object)
{
  KtHostControl *self = KT_HOST_CONTROL (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->snapshot);

  G_OBJECT_CLASS (kt_host_control_parent_class)->dispose (object);
}

static void
kt_host_control_class_init (KtHostControlClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kt_host_control_dispose;
}

static void
kt_host_control_init (KtHostControl *self)
{
}

/**
 * kt_host_control_new:
 * @connection: (nullable): the host's libvirt connection
 * @snapshot: (nullable): its VMs (for pools sized to them); without
 *   @connection, the offline snapshot whose values are changed
 *
 * Both %NULL: the machine KvmTune runs on, without libvirt.
 */
KtHostControl *
kt_host_control_new (KtConnection *connection,
                     KtSnapshot   *snapshot)
{
  KtHostControl *self;

  g_return_val_if_fail (connection == NULL || KT_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (snapshot == NULL || KT_IS_SNAPSHOT (snapshot), NULL);

  self = g_object_new (KT_TYPE_HOST_CONTROL, NULL);
  if (connection)
    self->connection = g_object_ref (connection);
  if (snapshot)
    self->snapshot = g_object_ref (snapshot);
  self->offline = connection == NULL && snapshot != NULL;
  return self;
}

gboolean
kt_host_control_is_offline (KtHostControl *self)
{
  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);
  return self->offline;
}

/* This machine's kernel is reachable: local connection, or none */
gboolean
kt_host_apply_is_this_machine (KtHostControl *self)
{
  return !self->offline
         && (self->connection == NULL || kt_connection_is_local (self->connection));
}

/**
 * kt_host_control_read:
 *
 * Returns: (transfer full): the host's values now (offline: the
 * snapshot's, empty when it holds none)
 */
KtHostTuning *
kt_host_control_read (KtHostControl  *self,
                      GError        **error)
{
  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  if (self->offline)
    {
      KtHostTuning *t = kt_snapshot_get_host_tuning (self->snapshot);

      return t ? kt_host_tuning_copy (t) : kt_host_tuning_new ();
    }
  return kt_host_probe (self->connection, error);
}

/* Apply ------------------------------------------------------------------ */

static gboolean
apply_offline (KtHostControl     *self,
               const KtHostPlan  *plan,
               GError           **error)
{
  KtHostTuning *old = kt_snapshot_get_host_tuning (self->snapshot);
  g_autoptr(KtHostTuning) t = old ? kt_host_tuning_copy (old) : kt_host_tuning_new ();

  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      if (!kt_host_tuning_set_value (t, c->key, c->new_value, error))
        return FALSE;
    }
  kt_snapshot_set_host_tuning (self->snapshot, g_steal_pointer (&t));
  return TRUE;
}

/**
 * kt_host_control_apply:
 *
 * Makes every change of @plan, in order, or none: see the file's comment.
 * Offline, the snapshot's values change (save the snapshot to keep them).
 */
gboolean
kt_host_control_apply (KtHostControl     *self,
                       const KtHostPlan  *plan,
                       GError           **error)
{
  g_autoptr(GError) failure = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(GHashTable) persist = NULL;
  g_autofree char *path = NULL;
  g_auto(RevertFile) before = { 0, };
  g_auto(RevertFile) after = { 0, };
  g_autoptr(GString) undo_failures = g_string_new (NULL);
  guint done = 0;
  gboolean failed_step_counts = FALSE;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  if (self->offline)
    return apply_offline (self, plan, error);
  if (plan->changes->len == 0 && !plan->persistent)
    return TRUE;

  /* The values now, for undoing and for the unmerge around
   * merge_across_nodes: what the plan calls old may be stale */
  current = kt_host_probe (self->connection, error);
  if (current == NULL)
    return FALSE;

  /* Save the previous values before the first change */
  path = kt_host_control_revert_path (self);
  if (!plan->revert)
    {
      if (!kt_host_apply_revert_file_load (path, &before, error)
          || !kt_host_apply_revert_file_load (path, &after, error))
        return FALSE;
      for (guint i = 0; i < plan->changes->len; i++)
        {
          const KtHostChange *c = g_ptr_array_index (plan->changes, i);
          g_autofree char *now = kt_host_tuning_get_value (current, c->key);

          if (now != NULL && !json_object_has_member (after.values, c->key))
            json_object_set_string_member (after.values, c->key, now);
        }
      if (plan->persistent && kt_host_apply_is_this_machine (self) && after.persist == NULL)
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(GHashTable) existing = kt_host_apply_persist_read (&local_error);

          if (existing == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"),
                           local_error->message);
              return FALSE;
            }
          after.persist = kt_host_apply_object_of (existing);
        }
      if (!kt_host_apply_revert_file_save (self, path, &after, error))
        return FALSE;
    }

  for (done = 0; done < plan->changes->len; done++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, done);

      if (!kt_host_apply_do_step (self, current, c, c->new_value, &failure))
        {
          /* A pool may be left half-allocated: put it back too */
          failed_step_counts = c->mechanism == KT_HOST_MECHANISM_PAGES
                               || (c->mechanism == KT_HOST_MECHANISM_KNOB
                                   && g_str_has_prefix (c->key, "hugepages."));
          break;
        }
    }

  if (failure == NULL && plan->persistent && kt_host_apply_is_this_machine (self))
    {
      g_autoptr(GError) local_error = NULL;

      persist = kt_host_apply_persist_read (&local_error);
      if (persist == NULL)
        g_set_error (&failure, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"),
                     local_error->message);
      else
        {
          for (guint i = 0; i < plan->changes->len; i++)
            {
              const KtHostChange *c = g_ptr_array_index (plan->changes, i);

              if (c->mechanism != KT_HOST_MECHANISM_TUNED)
                g_hash_table_replace (persist, g_strdup (c->key), g_strdup (c->new_value));
            }
          kt_host_apply_persist_table (persist, &failure);
        }
    }

  if (failure == NULL)
    return TRUE;

  /* Put back what was done, newest first */
  for (guint i = done + (failed_step_counts ? 1 : 0); i-- > 0;)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);
      g_autofree char *old = kt_host_tuning_get_value (current, c->key);
      g_autoptr(GError) undo_error = NULL;

      if (old == NULL)
        {
          g_string_append_printf (undo_failures, "\n  %s: %s", c->key,
                                  _("its previous value is unknown"));
          continue;
        }
      if (i == done)
        {
          /* The failed step: only when it left the pool changed */
          int node;
          guint64 size_kib;
          gint64 total = -1;

          kt_host_tuning_parse_key (c->key, &node, &size_kib, NULL);
          if (kt_host_probe_pool (c->mechanism == KT_HOST_MECHANISM_PAGES ? self->connection : NULL,
                                  node, size_kib, &total, NULL, NULL)
              && total == g_ascii_strtoll (old, NULL, 10))
            continue;
        }
      if (!kt_host_apply_do_step (self, current, c, old, &undo_error))
        g_string_append_printf (undo_failures, "\n  %s", undo_error->message);
    }
  if (!plan->revert)
    kt_host_apply_revert_file_restore (path, &before);
  if (undo_failures->len > 0)
    g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                 _("%s\nNot everything could be put back; these are left changed:%s"),
                 failure->message, undo_failures->str);
  else
    g_set_error (error, failure->domain, failure->code,
                 _("%s\nNothing was changed: the earlier steps were put back."),
                 failure->message);
  return FALSE;
}
/* Async ------------------------------------------------------------------ */

static void
apply_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok = data ? kt_host_control_apply (source, data, &error)
                     : kt_host_control_revert (source, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * kt_host_control_apply_async:
 * @plan: (nullable): the plan; %NULL reverts (kt_host_control_revert ())
 *
 * kt_host_control_apply () in a worker thread, for the window: tuned,
 * libvirt and the helper (which may wait for a polkit password) block.
 */
void
kt_host_control_apply_async (KtHostControl       *self,
                             const KtHostPlan    *plan,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_HOST_CONTROL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_host_control_apply_async);
  if (plan != NULL)
    g_task_set_task_data (task, kt_host_plan_copy (plan), (GDestroyNotify) kt_host_plan_free);
  g_task_run_in_thread (task, apply_thread);
}

gboolean
kt_host_control_apply_finish (KtHostControl  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
