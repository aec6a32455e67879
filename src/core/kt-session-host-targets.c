/* kt-session-host-targets.c: the session's pending host changes
 *
 * KEY=VALUE targets (kt-host-tuning.h's keys), each checked against the
 * host's values as last read and against what KvmTune can change on this
 * host (kt_host_control_can_change ()); a value the host has is no
 * change.  Every change of them is a step of the session's history
 * (kt-session-history.c), several at once one step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-session-private.h"

/* Pending targets -------------------------------------------------------- */

static KtHostTarget *
find_target (GPtrArray  *targets,
             const char *key,
             guint      *index)
{
  for (guint i = 0; i < targets->len; i++)
    {
      KtHostTarget *t = g_ptr_array_index (targets, i);

      if (g_str_equal (t->key, key))
        {
          if (index)
            *index = i;
          return t;
        }
    }
  return NULL;
}

static GPtrArray *
copy_targets (GPtrArray *targets)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);

  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);
      g_ptr_array_add (copy, kt_host_target_new (t->key, t->value));
    }
  return copy;
}

/* Whether @a and @b pend the same values, in whatever order */
static gboolean
same_targets (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (a, i);
      const KtHostTarget *u = find_target (b, t->key, NULL);

      if (u == NULL || g_strcmp0 (t->value, u->value) != 0)
        return FALSE;
    }
  return TRUE;
}

/* @key's target @value (NULL: none) made in @targets, when valid and
 * changeable here; a value the host has is none */
static gboolean
put_target (KtSession   *self,
            GPtrArray   *targets,
            const char  *key,
            const char  *value,
            GError     **error)
{
  KtSessionHost *h = kt_session_priv_get_host (self);
  g_autofree char *now = NULL;
  g_autofree char *reason = NULL;
  KtHostTarget *t;
  guint index;

  if (!kt_host_tuning_parse_key (key, NULL, NULL, error))
    return FALSE;
  if (value != NULL)
    {
      if (h->current == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("%s: the host's tuning is not read yet"), key);
          return FALSE;
        }
      if (!kt_host_tuning_check_value (h->current, key, value, error))
        return FALSE;
      if (!kt_host_control_can_change (kt_session_get_host_control (self), h->current, key,
                                       &reason))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY, "%s: %s", key, reason);
          return FALSE;
        }
      now = kt_host_tuning_get_value (h->current, key);
    }

  t = find_target (targets, key, &index);
  if (value == NULL || g_strcmp0 (now, value) == 0)
    {
      /* None, or what the host has: nothing pending */
      if (t != NULL)
        g_ptr_array_remove_index (targets, index);
    }
  else if (t != NULL)
    {
      g_free (t->value);
      t->value = g_strdup (value);
    }
  else
    {
      g_ptr_array_add (targets, kt_host_target_new (key, value));
    }
  return TRUE;
}

/* The pending targets with @targets made, or NULL with @error */
static GPtrArray *
with_targets (KtSession  *self,
              GPtrArray  *targets,
              GError    **error)
{
  g_autoptr(GPtrArray) after = copy_targets (kt_session_priv_get_host (self)->targets);

  for (guint i = 0; i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);

      g_return_val_if_fail (t != NULL && t->key != NULL, NULL);
      if (!put_target (self, after, t->key, t->value, error))
        return NULL;
    }
  return g_steal_pointer (&after);
}

/**
 * kt_session_check_host_targets:
 * @targets: (element-type KtHostTarget): keys and values, NULL for none
 *
 * Returns: whether kt_session_set_host_targets () would take @targets;
 * else @error names the key and the reason.  Nothing changes.
 */
gboolean
kt_session_check_host_targets (KtSession  *self,
                               GPtrArray  *targets,
                               GError    **error)
{
  g_autoptr(GPtrArray) after = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (targets != NULL, FALSE);

  after = with_targets (self, targets, error);
  return after != NULL;
}

/**
 * kt_session_set_host_targets:
 * @targets: (element-type KtHostTarget): keys and values, NULL for none
 *
 * Makes every one of @targets pending, or none of them: one step to undo.
 *
 * Returns: whether they are; else @error names the key and the reason
 */
gboolean
kt_session_set_host_targets (KtSession  *self,
                             GPtrArray  *targets,
                             GError    **error)
{
  KtSessionHost *h;
  g_autoptr(GPtrArray) after = NULL;
  Step *step;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (targets != NULL, FALSE);

  h = kt_session_priv_get_host (self);
  if ((after = with_targets (self, targets, error)) == NULL)
    return FALSE;
  if (same_targets (after, h->targets))
    return TRUE;

  step = kt_session_priv_push_step (self, STEP_HOST, "");
  if (targets->len == 1)
    {
      g_free (step->label);
      /* Translators: what Undo or Redo would do; %s is a host setting's key */
      step->label = g_strdup_printf (_("Change of %s"),
                                     ((const KtHostTarget *) g_ptr_array_index (targets, 0))->key);
    }
  step->host_before = g_steal_pointer (&h->targets);
  step->host_after = copy_targets (after);
  h->targets = g_steal_pointer (&after);
  kt_session_priv_update (self);
  return TRUE;
}

gboolean
kt_session_set_host_target (KtSession   *self,
                            const char  *key,
                            const char  *value,
                            GError     **error)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  KtHostTarget t = { (char *) key, (char *) value };

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_ptr_array_add (one, &t);
  return kt_session_set_host_targets (self, one, error);
}

void
kt_session_priv_host_set_targets (KtSession *self,
                                  GPtrArray *targets)
{
  KtSessionHost *h = kt_session_priv_get_host (self);

  g_ptr_array_unref (h->targets);
  h->targets = copy_targets (targets);
  /* What the host has by now (read since the step) is no change */
  kt_session_priv_host_drop_made (self);
}

/* Drops the pending targets the host has already; whether there were */
gboolean
kt_session_priv_host_drop_made (KtSession *self)
{
  KtSessionHost *h = kt_session_priv_get_host (self);
  gboolean dropped = FALSE;

  for (guint i = h->targets->len; h->current != NULL && i > 0; i--)
    {
      const KtHostTarget *t = g_ptr_array_index (h->targets, i - 1);
      g_autofree char *now = kt_host_tuning_get_value (h->current, t->key);

      if (g_strcmp0 (now, t->value) == 0)
        {
          g_ptr_array_remove_index (h->targets, i - 1);
          dropped = TRUE;
        }
    }
  return dropped;
}

const char *
kt_session_get_host_target (KtSession  *self,
                            const char *key)
{
  KtHostTarget *t;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->host == NULL)
    return NULL;
  t = find_target (self->host->targets, key, NULL);
  return t != NULL ? t->value : NULL;
}

/**
 * kt_session_dup_host_targets:
 *
 * Returns: (transfer container) (element-type KtHostTarget): the pending
 * targets
 */
GPtrArray *
kt_session_dup_host_targets (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return copy_targets (self->host != NULL ? self->host->targets : NULL);
}

guint
kt_session_get_n_pending_host (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), 0);
  return kt_session_priv_host_n_pending (self);
}

void
kt_session_discard_host_targets (KtSession *self)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (kt_session_priv_host_n_pending (self) == 0)
    return;
  kt_session_priv_host_clear_targets (self);
  kt_session_priv_update (self);
}
