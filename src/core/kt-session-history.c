/* kt-session-history.c: a session's undo and redo
 *
 * The history: one array of steps to undo and one to redo.  A pin step
 * only names its VM: the plan holds the pins' before and after in its own
 * history, whose steps are the session's pin steps in the same order
 * (kt_plan_undo () undoes the plan's last step when the session's last
 * step is a pin).  An edits step holds the VM's edits before and after.
 * When the plan forgets a VM ("vm-forgotten") it takes out exactly that
 * VM's pin steps, and so does the session.  A host step holds every
 * pending host target before and after; the host steps go when the
 * pending host targets change outside the history (applied, discarded,
 * made by the host already).
 *
 * Revisions: every step has the revision it went from and the one it
 * made (a host step the same: the targets are not saved); undo goes back
 * to the first, redo to the second.  When steps are
 * taken out of the middle (a VM applied, reloaded or forgotten), the
 * history left is numbered again from the base revision, which itself is
 * new when the snapshot was edited (an apply into a snapshot file).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-session-private.h"

void
kt_session_priv_step_free (gpointer data)
{
  Step *s = data;

  g_free (s->vm);
  kt_edits_free (s->before);
  kt_edits_free (s->after);
  g_clear_pointer (&s->host_before, g_ptr_array_unref);
  g_clear_pointer (&s->host_after, g_ptr_array_unref);
  g_free (s->label);
  g_free (s);
}

/* History ---------------------------------------------------------------- */

/* Numbers the history left again, from the base (a new one when
 * @base_changed); the state it is in now is then a revision never saved,
 * unless there is nothing to undo on an unchanged base */
void
kt_session_priv_renumber (KtSession *self,
                          gboolean   base_changed)
{
  guint64 rev;

  if (base_changed)
    self->base_rev = ++self->last_rev;
  rev = self->base_rev;
  for (guint i = 0; i < self->undo->len; i++)
    {
      Step *s = g_ptr_array_index (self->undo, i);

      s->rev_before = rev;
      s->rev_after = rev = s->kind == STEP_HOST ? rev : ++self->last_rev;
    }
  self->revision = rev;
  for (guint i = self->redo->len; i > 0; i--)
    {
      Step *s = g_ptr_array_index (self->redo, i - 1);

      s->rev_before = rev;
      s->rev_after = rev = s->kind == STEP_HOST ? rev : ++self->last_rev;
    }
}

/* Takes @name's steps (only its pin steps when @pins_only) out of @steps */
gboolean
kt_session_priv_remove_steps (GPtrArray  *steps,
                              const char *name,
                              gboolean    pins_only)
{
  gboolean removed = FALSE;

  for (guint i = steps->len; i > 0; i--)
    {
      Step *s = g_ptr_array_index (steps, i - 1);

      if (g_str_equal (s->vm, name) && (s->kind == STEP_PIN || !pins_only))
        {
          g_ptr_array_remove_index (steps, i - 1);
          removed = TRUE;
        }
    }
  return removed;
}

Step *
kt_session_priv_push_step (KtSession  *self,
                           StepKind    kind,
                           const char *name)
{
  Step *s = g_new0 (Step, 1);

  s->kind = kind;
  s->vm = g_strdup (name);
  s->rev_before = self->revision;
  /* Host targets are not saved with the snapshot: no new revision */
  s->rev_after = self->revision = kind == STEP_HOST ? self->revision : ++self->last_rev;
  /* Translators: what Undo or Redo would do; %s is a VM name */
  s->label = kind == STEP_HOST ? g_strdup (_("Host change"))
             : g_strdup_printf (kind == STEP_PIN ? _("Pin of %s") : _("Tuning of %s"), name);
  g_ptr_array_add (self->undo, s);
  g_ptr_array_set_size (self->redo, 0);
  return s;
}

/* Takes the host steps out of the history.  They made no revision of
 * their own, so the others keep theirs (and the saved one still holds) */
void
kt_session_priv_forget_host_steps (KtSession *self)
{
  GPtrArray *lists[] = { self->undo, self->redo };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = lists[l]->len; i > 0; i--)
      if (((Step *) g_ptr_array_index (lists[l], i - 1))->kind == STEP_HOST)
        g_ptr_array_remove_index (lists[l], i - 1);
}

void
kt_session_priv_set_vm_edits (KtSession     *self,
                              const char    *name,
                              const KtEdits *edits)
{
  if (kt_edits_count (edits) == 0)
    g_hash_table_remove (self->edits, name);
  else
    g_hash_table_replace (self->edits, g_strdup (name), kt_edits_copy (edits));
}

/* Undo and redo ---------------------------------------------------------- */

gboolean
kt_session_can_undo (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  return self->undo->len > 0;
}

gboolean
kt_session_can_redo (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  return self->redo->len > 0;
}

/* Undoes (or redoes) @s; FALSE when the plan had no step for it */
static gboolean
do_step (KtSession *self,
         Step      *s,
         gboolean   forward)
{
  gboolean ok = TRUE;

  if (s->kind == STEP_EDITS)
    {
      kt_session_priv_set_vm_edits (self, s->vm, forward ? s->after : s->before);
      return TRUE;
    }
  if (s->kind == STEP_HOST)
    {
      kt_session_priv_host_set_targets (self, forward ? s->host_after : s->host_before);
      return TRUE;
    }
  self->frozen++;
  ok = forward ? kt_plan_redo (self->plan) : kt_plan_undo (self->plan);
  self->frozen--;
  if (!ok)
    g_warning ("The plan has no pin of “%s” to %s", s->vm, forward ? "redo" : "undo");
  return ok;
}

gboolean
kt_session_undo (KtSession *self)
{
  Step *s;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  if (self->undo->len == 0)
    return FALSE;
  s = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  if (!do_step (self, s, FALSE))
    {
      kt_session_priv_step_free (s);
      kt_session_priv_renumber (self, FALSE);
      kt_session_priv_update (self);
      return FALSE;
    }
  self->revision = s->rev_before;
  g_ptr_array_add (self->redo, s);
  kt_session_priv_update (self);
  return TRUE;
}

gboolean
kt_session_redo (KtSession *self)
{
  Step *s;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  if (self->redo->len == 0)
    return FALSE;
  s = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  if (!do_step (self, s, TRUE))
    {
      kt_session_priv_step_free (s);
      kt_session_priv_renumber (self, FALSE);
      kt_session_priv_update (self);
      return FALSE;
    }
  self->revision = s->rev_after;
  g_ptr_array_add (self->undo, s);
  kt_session_priv_update (self);
  return TRUE;
}

const char *
kt_session_get_undo_label (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  if (self->undo->len == 0)
    return NULL;
  return ((Step *) g_ptr_array_index (self->undo, self->undo->len - 1))->label;
}

const char *
kt_session_get_redo_label (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  if (self->redo->len == 0)
    return NULL;
  return ((Step *) g_ptr_array_index (self->redo, self->redo->len - 1))->label;
}
