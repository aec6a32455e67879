/* kt-session-host.c: the session's host tuning and its pending host changes
 *
 * The session reads and changes its host through one KtHostControl, made
 * for the session's connection (again when a reconnection replaced it;
 * without connection, for the snapshot's values).  Reads, applies and
 * reverts on a connection run in a worker thread (tuned, libvirt and the
 * helper block); on a snapshot they change the snapshot in the main
 * thread, and the snapshot is then edited: a new base revision, to save.
 * The pending host targets are kt-session-host-targets.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-session-private.h"

KtSessionHost *
kt_session_priv_get_host (KtSession *self)
{
  if (self->host == NULL)
    {
      self->host = g_new0 (KtSessionHost, 1);
      self->host->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
    }
  return self->host;
}

void
kt_session_priv_host_free (KtSession *self)
{
  KtSessionHost *h = self->host;

  if (h == NULL)
    return;
  g_clear_object (&h->control);
  g_clear_pointer (&h->current, kt_host_tuning_free);
  g_clear_error (&h->read_error);
  g_ptr_array_unref (h->targets);
  g_clear_pointer (&h->before, kt_host_tuning_free);
  g_free (h);
  self->host = NULL;
}

guint
kt_session_priv_host_n_pending (KtSession *self)
{
  return self->host != NULL ? self->host->targets->len : 0;
}

static gboolean
is_offline (KtSession *self)
{
  return self->connection == NULL;
}

/**
 * kt_session_get_host_control:
 *
 * Returns: (transfer none): how the session changes its host
 */
KtHostControl *
kt_session_get_host_control (KtSession *self)
{
  KtSessionHost *h;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  h = kt_session_priv_get_host (self);
  if (h->control == NULL || h->control_connection != self->connection
      || h->control_offline != is_offline (self))
    {
      g_clear_object (&h->control);
      h->control = kt_host_control_new (self->connection, self->snapshot);
      h->control_connection = self->connection;
      h->control_offline = is_offline (self);
    }
  return h->control;
}

const KtHostTuning *
kt_session_get_host_tuning (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->host != NULL ? self->host->current : NULL;
}

const GError *
kt_session_get_host_error (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->host != NULL ? self->host->read_error : NULL;
}

/* A read done: @tuning (transfer full) or @error */
static void
set_current (KtSession    *self,
             KtHostTuning *tuning,
             const GError *error)
{
  KtSessionHost *h = kt_session_priv_get_host (self);

  g_clear_error (&h->read_error);
  if (tuning != NULL)
    {
      g_clear_pointer (&h->current, kt_host_tuning_free);
      h->current = tuning;
    }
  else if (error != NULL)
    h->read_error = g_error_copy (error);

  /* A pending target the host has by now is no change any more (and
   * the host steps of the history no longer hold) */
  if (kt_session_priv_host_drop_made (self))
    kt_session_priv_forget_host_steps (self);
}

/* Applied or discarded: no target pending, no host step to undo */
void
kt_session_priv_host_clear_targets (KtSession *self)
{
  g_ptr_array_set_size (kt_session_priv_get_host (self)->targets, 0);
  kt_session_priv_forget_host_steps (self);
}

/* Worker thread ---------------------------------------------------------- */

typedef enum
{
  JOB_READ,
  JOB_APPLY,
  JOB_REVERT,
} JobKind;

typedef struct
{
  JobKind        kind;
  KtHostControl *control;
  KtHostPlan    *plan;
  KtHostTuning  *read;      /* what the host has after the job */
  GError        *read_error;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->control);
  g_clear_pointer (&job->plan, kt_host_plan_free);
  g_clear_pointer (&job->read, kt_host_tuning_free);
  g_clear_error (&job->read_error);
  g_free (job);
}

/* The job's change (none for a read), then the host read again: also
 * after a failed change, which put back what it did */
static gboolean
job_run (Job     *job,
         GError **error)
{
  gboolean ok = TRUE;

  if (job->kind == JOB_APPLY)
    ok = kt_host_control_apply (job->control, job->plan, error);
  else if (job->kind == JOB_REVERT)
    ok = kt_host_control_revert (job->control, error);
  job->read = kt_host_control_read (job->control, ok ? error : &job->read_error);
  if (job->read == NULL && ok)
    return FALSE;
  return ok;
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (job_run (data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Back in the main thread: what was read becomes the session's */
static gboolean
job_finish (KtSession     *self,
            GAsyncResult  *result,
            GError       **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) local_error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &local_error);

  if (job->kind != JOB_READ)
    kt_session_priv_set_busy (self, FALSE);
  if (job->read != NULL)
    set_current (self, g_steal_pointer (&job->read), NULL);
  else
    set_current (self, NULL, job->read_error != NULL ? job->read_error : local_error);
  if (ok && job->kind == JOB_APPLY)
    kt_session_priv_host_clear_targets (self);
  kt_session_priv_update (self);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static void
job_start (KtSession          *self,
           JobKind             kind,
           const KtHostPlan   *plan,
           gpointer            source_tag,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->control = g_object_ref (kt_session_get_host_control (self));
  job->plan = plan != NULL ? kt_host_plan_copy (plan) : NULL;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, job_free);
  if (kind != JOB_READ)
    kt_session_priv_set_busy (self, TRUE);
  g_task_run_in_thread (task, job_thread);
}

/* Reading ---------------------------------------------------------------- */

/**
 * kt_session_read_host:
 *
 * Reads the host's tuning (blocking; offline, the snapshot's values)
 */
gboolean
kt_session_read_host (KtSession  *self,
                      GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  KtHostTuning *t;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  t = kt_host_control_read (kt_session_get_host_control (self), &local_error);
  set_current (self, t, local_error);
  kt_session_priv_update (self);
  if (t == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
kt_session_read_host_async (KtSession          *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (is_offline (self))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
      GError *error = NULL;

      g_task_set_source_tag (task, kt_session_read_host_async);
      if (kt_session_read_host (self, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      return;
    }
  job_start (self, JOB_READ, NULL, kt_session_read_host_async, cancellable, callback, user_data);
}

gboolean
kt_session_read_host_finish (KtSession     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (g_task_get_task_data (G_TASK (result)) == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return job_finish (self, result, error);
}

/* Planning --------------------------------------------------------------- */

static const KtHostTuning *
require_current (KtSession  *self,
                 GError    **error)
{
  const KtHostTuning *current = kt_session_get_host_tuning (self);

  if (current == NULL)
    g_set_error_literal (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                         _("The host's tuning is not read yet"));
  return current;
}

/**
 * kt_session_plan_host:
 *
 * Returns: (transfer full): the plan, or %NULL with @error
 */
KtHostPlan *
kt_session_plan_host (KtSession           *self,
                      const KtHostProfile *profile,
                      gboolean             persistent,
                      GError             **error)
{
  const KtHostTuning *current;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  KtHostControl *control;
  KtHostPlan *plan;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  if ((current = require_current (self, error)) == NULL)
    return NULL;
  control = kt_session_get_host_control (self);
  if (profile != NULL)
    {
      targets = kt_host_profile_targets (profile, current, self->snapshot, &notes, error);
      if (targets == NULL)
        return NULL;
    }
  else
    targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  /* The pending targets on top of the profile's */
  for (guint i = 0; self->host != NULL && i < self->host->targets->len; i++)
    {
      const KtHostTarget *p = g_ptr_array_index (self->host->targets, i);
      KtHostTarget *t = NULL;

      for (guint j = 0; j < targets->len && t == NULL; j++)
        if (g_str_equal (((KtHostTarget *) g_ptr_array_index (targets, j))->key, p->key))
          t = g_ptr_array_index (targets, j);
      if (t == NULL)
        {
          t = g_new0 (KtHostTarget, 1);
          t->key = g_strdup (p->key);
          g_ptr_array_add (targets, t);
        }
      g_free (t->value);
      t->value = g_strdup (p->value);
    }

  plan = kt_host_control_plan (control, current, targets, FALSE, persistent, error);
  if (plan == NULL)
    return NULL;
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    g_ptr_array_insert (plan->notes, i, g_strdup (g_ptr_array_index (notes, i)));
  return plan;
}

/* Applying --------------------------------------------------------------- */

/* Offline: the snapshot's values change in the main thread */
static gboolean
apply_offline (KtSession        *self,
               const KtHostPlan *plan,
               GError          **error)
{
  KtSessionHost *h = kt_session_priv_get_host (self);
  KtHostTuning *had = kt_snapshot_get_host_tuning (self->snapshot);
  g_autoptr(KtHostTuning) before = had != NULL ? kt_host_tuning_copy (had) : NULL;

  if (plan->changes->len == 0)
    return TRUE;
  if (!kt_host_control_apply (kt_session_get_host_control (self), plan, error))
    return FALSE;
  if (!h->has_before)
    {
      h->has_before = TRUE;
      h->before = g_steal_pointer (&before);
    }
  kt_session_priv_host_clear_targets (self);
  /* The snapshot itself changed: something to save */
  kt_session_priv_renumber (self, TRUE);
  return kt_session_read_host (self, error);
}

gboolean
kt_session_apply_host (KtSession        *self,
                       const KtHostPlan *plan,
                       GError          **error)
{
  Job job = { JOB_APPLY, };
  gboolean ok;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  if (is_offline (self))
    return apply_offline (self, plan, error);
  job.control = kt_session_get_host_control (self);
  job.plan = (KtHostPlan *) plan;
  ok = job_run (&job, error);
  set_current (self, job.read, job.read_error);
  g_clear_error (&job.read_error);
  if (ok)
    kt_session_priv_host_clear_targets (self);
  kt_session_priv_update (self);
  return ok;
}

static void
return_now (KtSession          *self,
            gboolean            ok,
            GError             *error,
            gpointer            source_tag,
            GCancellable       *cancellable,
            GAsyncReadyCallback callback,
            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kt_session_apply_host_async (KtSession          *self,
                             const KtHostPlan   *plan,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (plan != NULL);

  if (is_offline (self))
    {
      GError *error = NULL;
      gboolean ok = apply_offline (self, plan, &error);

      return_now (self, ok, error, kt_session_apply_host_async, cancellable, callback,
                  user_data);
      return;
    }
  job_start (self, JOB_APPLY, plan, kt_session_apply_host_async, cancellable, callback,
             user_data);
}

gboolean
kt_session_apply_host_finish (KtSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return kt_session_read_host_finish (self, result, error);
}

/* Reverting -------------------------------------------------------------- */

gboolean
kt_session_can_revert_host (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  if (is_offline (self))
    return self->host != NULL && self->host->has_before;
  return kt_host_control_has_revert (kt_session_get_host_control (self));
}

/* Offline: every value the snapshot had before, as targets */
static GPtrArray *
targets_of (const KtHostTuning *before)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  const char * const *keys = kt_host_tuning_keys ();

  for (guint i = 0; before != NULL && keys[i] != NULL; i++)
    {
      char *value;
      KtHostTarget *t;

      if (g_str_has_prefix (keys[i], "hugepages."))
        continue;
      if ((value = kt_host_tuning_get_value (before, keys[i])) == NULL)
        continue;
      t = g_new0 (KtHostTarget, 1);
      t->key = g_strdup (keys[i]);
      t->value = value;
      g_ptr_array_add (targets, t);
    }
  for (guint i = 0; before != NULL && i < before->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (before->hugepages, KtHugePool, i);
      g_autofree char *key = NULL;
      g_autofree char *total = NULL;

      if (p->total < 0)
        continue;
      key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, p->node, p->size_kib);
      total = g_strdup_printf ("%" G_GINT64_FORMAT, p->total);
      g_ptr_array_add (targets, kt_host_target_new (key, total));
    }
  return g_steal_pointer (&targets);
}

KtHostPlan *
kt_session_plan_host_revert (KtSession  *self,
                             GError    **error)
{
  const KtHostTuning *current;
  g_autoptr(GPtrArray) targets = NULL;
  KtHostPlan *plan;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  if ((current = require_current (self, error)) == NULL)
    return NULL;
  if (!is_offline (self))
    return kt_host_control_revert_plan (kt_session_get_host_control (self), current, error);
  if (!kt_session_can_revert_host (self))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                           _("Nothing to revert: KvmTune has changed nothing on this host"));
      return NULL;
    }
  targets = targets_of (self->host->before);
  plan = kt_host_control_plan (kt_session_get_host_control (self), current, targets, FALSE,
                               FALSE, error);
  if (plan != NULL)
    plan->revert = TRUE;
  return plan;
}

static gboolean
revert_offline (KtSession  *self,
                GError    **error)
{
  KtSessionHost *h = kt_session_priv_get_host (self);

  if (!h->has_before)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                           _("Nothing to revert: KvmTune has changed nothing on this host"));
      return FALSE;
    }
  kt_snapshot_set_host_tuning (self->snapshot, g_steal_pointer (&h->before));
  h->has_before = FALSE;
  kt_session_priv_renumber (self, TRUE);
  return kt_session_read_host (self, error);
}

gboolean
kt_session_revert_host (KtSession  *self,
                        GError    **error)
{
  Job job = { JOB_REVERT, };
  gboolean ok;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  if (is_offline (self))
    return revert_offline (self, error);
  job.control = kt_session_get_host_control (self);
  ok = job_run (&job, error);
  set_current (self, job.read, job.read_error);
  g_clear_error (&job.read_error);
  kt_session_priv_update (self);
  return ok;
}

void
kt_session_revert_host_async (KtSession          *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (is_offline (self))
    {
      GError *error = NULL;
      gboolean ok = revert_offline (self, &error);

      return_now (self, ok, error, kt_session_revert_host_async, cancellable, callback,
                  user_data);
      return;
    }
  job_start (self, JOB_REVERT, NULL, kt_session_revert_host_async, cancellable, callback,
             user_data);
}

gboolean
kt_session_revert_host_finish (KtSession     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return kt_session_read_host_finish (self, result, error);
}
