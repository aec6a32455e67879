/* kt-apply-recover.c: the journal side of an apply; finish or roll back
 * an apply that was cut short
 *
 * The journal (kt-journal.h) says what the apply was to do; libvirt says
 * what is there now.  A step whose value is the one it sets has landed,
 * one whose value is the one it replaces has not; any other value was
 * set by someone else since, and is not overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <libvirt/libvirt.h>

#include "kt-apply-private.h"
#include "kt-error.h"

typedef enum
{
  STATE_BEFORE,    /* not landed */
  STATE_AFTER,     /* landed */
  STATE_OTHER,     /* changed by someone else */
} StepState;

typedef struct
{
  KtVm      *vm;
  KtTuning  *live;     /* NULL: not running */
  KtCpuset  *all;      /* the host's online CPUs */
} Now;

static void
now_clear (Now *now)
{
  g_clear_object (&now->vm);
  g_clear_pointer (&now->live, kt_tuning_unref);
  g_clear_pointer (&now->all, kt_cpuset_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Now, now_clear)

static gboolean
read_now (KtJournal     *journal,
          KtConnection  *connection,
          Now           *now,
          GError       **error)
{
  const char *name = kt_journal_get_vm_name (journal);
  g_autoptr(GError) local = NULL;
  g_autoptr(KtTuning) t = NULL;
  unsigned char *map = NULL;
  int n;

  now->vm = kt_connection_read_vm (connection, name, &local);
  if (now->vm == NULL)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                     _("VM “%s” of the interrupted apply (journal %s) no longer exists: there "
                       "is nothing to finish or roll back; discard the journal"),
                     name, kt_journal_get_path (journal));
      return FALSE;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (now->vm));
  if (g_strcmp0 (t->uuid, kt_journal_get_uuid (journal)) != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   _("VM “%s” now has UUID %s, not %s as in the journal %s: it is another VM; "
                     "discard the journal"), name, t->uuid ? t->uuid : "?",
                   kt_journal_get_uuid (journal), kt_journal_get_path (journal));
      return FALSE;
    }
  if (kt_vm_get_live (now->vm) != NULL)
    now->live = kt_domain_get_tuning (kt_vm_get_live (now->vm));

  n = virNodeGetCPUMap (kt_connection_get_handle (connection), &map, NULL, 0);
  if (n < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the host's CPUs"));
      return FALSE;
    }
  now->all = kt_cpuset_new ();
  for (int c = 0; c < n; c++)
    if (VIR_CPU_USED (map, c))
      kt_cpuset_add (now->all, c);
  free (map);
  return TRUE;
}

static const KtCpuset *
current_value (const Now           *now,
               const KtJournalStep *s)
{
  switch (s->kind)
    {
    case KT_JOURNAL_VCPUPIN:
      return kt_tuning_get_vcpupin (now->live, s->id);
    case KT_JOURNAL_EMULATORPIN:
      return now->live->emulatorpin;
    case KT_JOURNAL_IOTHREADPIN:
      return kt_tuning_get_iothreadpin (now->live, s->id);
    case KT_JOURNAL_NUMA_NODESET:
    default:
      return now->live->numa_nodeset;
    }
}

/* A pin to every host CPU is no pin */
static gboolean
same_value (const Now           *now,
            const KtJournalStep *s,
            const KtCpuset      *a,
            const KtCpuset      *b)
{
  if (s->kind != KT_JOURNAL_NUMA_NODESET)
    {
      if (a != NULL && kt_cpuset_equal (a, now->all))
        a = NULL;
      if (b != NULL && kt_cpuset_equal (b, now->all))
        b = NULL;
    }
  return kt_cpuset_same (a, b);
}

static StepState
step_state (const Now           *now,
            const KtJournalStep *s)
{
  const KtCpuset *cur = current_value (now, s);

  if (same_value (now, s, cur, s->after))
    return STATE_AFTER;
  /* No nodeset before: the step cannot be undone, and nothing tells */
  if (same_value (now, s, cur, s->before)
      || (s->kind == KT_JOURNAL_NUMA_NODESET && s->before == NULL))
    return STATE_BEFORE;
  return STATE_OTHER;
}

static StepState
config_state (KtJournal *journal,
              const Now *now)
{
  KtDomain *inactive = kt_vm_get_inactive (now->vm);
  const char *xml = inactive ? kt_domain_get_original_xml (inactive) : "";

  if (kt_apply_config_matches (xml, kt_journal_get_config_after (journal)))
    return STATE_AFTER;
  if (kt_apply_config_matches (xml, kt_journal_get_config_before (journal)))
    return STATE_BEFORE;
  return STATE_OTHER;
}

/**
 * kt_apply_journal_status:
 *
 * Returns: (transfer full): which steps of the interrupted apply in
 * @journal landed and which did not, as @connection has the VM now, in
 * sentences; %NULL with @error set when the VM cannot be read
 */
char *
kt_apply_journal_status (KtJournal     *journal,
                         KtConnection  *connection,
                         GError       **error)
{
  g_auto(Now) now = { 0, };
  GArray *sets[3];
  g_autoptr(GString) out = g_string_new (NULL);
  static const char *const labels[3] = { N_("Not landed"), N_("Landed"),
                                         N_("Changed since by another tool") };

  g_return_val_if_fail (KT_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (KT_IS_CONNECTION (connection), NULL);

  if (!read_now (journal, connection, &now, error))
    return NULL;
  for (guint k = 0; k < 3; k++)
    sets[k] = g_array_new (FALSE, FALSE, sizeof (guint));

  g_string_append_printf (out, _("Interrupted apply to “%s” (started %s):"),
                          kt_journal_get_vm_name (journal), kt_journal_get_started (journal));
  if (kt_journal_get_n_steps (journal) > 0 && now.live == NULL)
    g_string_append (out, _(" the VM is not running any more, its live steps went with it."));
  else
    {
      for (guint i = 0; i < kt_journal_get_n_steps (journal); i++)
        {
          StepState st = step_state (&now, kt_journal_get_step (journal, i));

          g_array_append_val (sets[st], i);
        }
      for (guint k = 0; k < 3; k++)
        {
          static const guint order[3] = { STATE_AFTER, STATE_BEFORE, STATE_OTHER };
          guint st = order[k];
          g_autofree char *what = NULL;

          if (sets[st]->len == 0)
            continue;
          what = kt_journal_describe_steps (journal, sets[st]);
          g_string_append_printf (out, " %s: %s.", _(labels[st]), what);
        }
    }
  if (kt_journal_get_config_after (journal) != NULL)
    {
      switch (config_state (journal, &now))
        {
        case STATE_AFTER:
          g_string_append (out, _(" The new config was defined."));
          break;
        case STATE_BEFORE:
          g_string_append (out, _(" The new config was not defined."));
          break;
        case STATE_OTHER:
        default:
          g_string_append (out, _(" The config was changed since by another tool."));
          break;
        }
    }
  for (guint k = 0; k < 3; k++)
    g_array_unref (sets[k]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * kt_apply_new_recovery:
 * @journal: the record of an interrupted apply
 * @action: finish it (make the steps that did not land, define the new
 *   config if it was not) or roll it back (put back what was there)
 *
 * Works out the calls, as kt_apply_new () does; kt_apply_run () makes
 * them and removes @journal when they all went through.  A value that
 * someone else changed since is not overwritten: that is a
 * %KT_ERROR_CONFLICT, and the journal can only be discarded.
 *
 * Returns: (transfer full): the apply, or %NULL with @error set
 */
KtApply *
kt_apply_new_recovery (KtJournal       *journal,
                       KtConnection    *connection,
                       KtRecoverAction  action,
                       GError         **error)
{
  g_auto(Now) now = { 0, };
  g_autoptr(KtApply) self = NULL;
  gboolean rollback = action == KT_RECOVER_ROLLBACK;
  const char *name;

  g_return_val_if_fail (KT_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (KT_IS_CONNECTION (connection), NULL);

  if (!read_now (journal, connection, &now, error))
    return NULL;
  name = kt_journal_get_vm_name (journal);

  self = g_object_new (KT_TYPE_APPLY, NULL);
  self->vm = g_object_ref (now.vm);
  self->recovering = g_object_ref (journal);

  /* A VM stopped since took its live changes with it */
  if (now.live != NULL && kt_journal_get_n_steps (journal) > 0)
    {
      self->flags |= KT_APPLY_LIVE;
      self->base_live = kt_tuning_ref (now.live);
      for (guint i = 0; i < kt_journal_get_n_steps (journal); i++)
        {
          const KtJournalStep *js = kt_journal_get_step (journal, i);
          StepState st = step_state (&now, js);
          const KtCpuset *target = rollback ? js->before : js->after;
          const KtCpuset *cur = current_value (&now, js);
          Step s;

          if (st == STATE_OTHER)
            {
              g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (guint));
              g_autofree char *what = NULL;

              g_array_append_val (one, i);
              what = kt_journal_describe_steps (journal, one);
              g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                           _("On “%s”, %s was changed by another tool since the interrupted "
                             "apply: it has neither the value from before the apply nor the "
                             "one it set. Nothing was done: check the VM and discard the "
                             "journal %s."), name, what, kt_journal_get_path (journal));
              return NULL;
            }
          if ((rollback ? st == STATE_BEFORE : st == STATE_AFTER)
              || (js->kind == KT_JOURNAL_NUMA_NODESET && target == NULL))
            continue;
          s.kind = (StepKind) js->kind;
          s.id = js->id;
          s.before = cur ? kt_cpuset_copy (cur) : NULL;
          s.after = target ? kt_cpuset_copy (target) : NULL;
          g_array_append_val (self->steps, s);
        }
    }

  if (kt_journal_get_config_after (journal) != NULL)
    {
      StepState st = config_state (journal, &now);

      if (st == STATE_OTHER)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("The config of “%s” was changed by another tool since the "
                         "interrupted apply. Nothing was done: check it and discard the "
                         "journal %s."), name, kt_journal_get_path (journal));
          return NULL;
        }
      if (st != (rollback ? STATE_BEFORE : STATE_AFTER))
        {
          self->flags |= KT_APPLY_CONFIG;
          self->base_inactive_xml = g_strdup (kt_domain_get_original_xml (
                                                kt_vm_get_inactive (now.vm)));
          self->define_xml = g_strdup (rollback ? kt_journal_get_config_before (journal)
                                                : kt_journal_get_config_after (journal));
        }
    }
  self->diff = g_strdup ("");
  return g_steal_pointer (&self);
}

/* The journal of an apply run (kt_apply_run ()) ---------------------------- */

static GArray *
range (guint from,
       guint to)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = from; i < to; i++)
    g_array_append_val (a, i);
  return a;
}

/* The error of an apply the loss of the connection cut short: which steps
 * landed (the first @done), which may have (@unknown: the one libvirt did
 * not answer), which were not made; the journal stays.  @error holds
 * libvirt's error. */
void
kt_apply_set_interrupted (KtApply     *self,
                 KtJournal   *journal,
                 const char  *uri,
                 guint        done,
                 gboolean     unknown,
                 gboolean     in_define,
                 GError     **error)
{
  g_autoptr(GArray) landed = range (0, done);
  g_autoptr(GArray) maybe = range (done, unknown && !in_define ? done + 1 : done);
  g_autoptr(GArray) rest = range (unknown && !in_define ? done + 1 : done, self->steps->len);
  g_autoptr(GString) msg = g_string_new (NULL);
  g_autofree char *cause = g_strdup (error && *error ? (*error)->message : "");
  g_autofree char *n_done = g_strdup_printf ("%u", done);
  g_autofree char *n_all = g_strdup_printf ("%u", self->steps->len);

  g_string_append_printf (msg, _("The connection to %s was lost while applying to “%s” (%s)."),
                          uri, kt_vm_get_name (self->vm), cause);
  g_string_append_printf (msg, _(" %s of %s live steps landed"), n_done, n_all);
  if (landed->len > 0)
    {
      g_autofree char *what = kt_journal_describe_steps (journal, landed);

      g_string_append_printf (msg, ": %s", what);
    }
  g_string_append (msg, ".");
  if (maybe->len > 0)
    {
      g_autofree char *what = kt_journal_describe_steps (journal, maybe);

      g_string_append_printf (msg, _(" Unknown, libvirt did not answer: %s."), what);
    }
  if (rest->len > 0)
    {
      g_autofree char *what = kt_journal_describe_steps (journal, rest);

      g_string_append_printf (msg, _(" Not made: %s."), what);
    }
  if (self->define_xml != NULL)
    g_string_append (msg, in_define && unknown
                          ? _(" Unknown, libvirt did not answer: the define of the config.")
                          : _(" The config was not defined."));
  g_string_append_printf (msg, _(" Nothing was undone: the journal %s keeps what is needed "
                                 "to finish the apply or to roll it back once connected again."),
                          kt_journal_get_path (journal));
  g_clear_error (error);
  g_set_error_literal (error, KT_ERROR, KT_ERROR_INTERRUPTED, msg->str);
}

KtJournal *
kt_apply_make_journal (KtApply    *self,
              const char *uri,
              const char *uuid)
{
  KtJournal *j = kt_journal_new (uri, kt_vm_get_name (self->vm), uuid);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const Step *s = &g_array_index (self->steps, Step, i);

      kt_journal_add_step (j, (KtJournalStepKind) s->kind, s->id, s->before, s->after);
    }
  if (self->define_xml != NULL)
    kt_journal_set_config (j, self->base_inactive_xml, self->define_xml);
  return j;
}

void
kt_apply_forget_journal (KtJournal *journal)
{
  g_autoptr(GError) error = NULL;

  if (journal != NULL && !kt_journal_remove (journal, &error))
    g_warning ("%s", error->message);
}

/* After a failure that was rolled back: the apply's own journal goes; the
 * one a recovery completes stays, still needed */
void
kt_apply_forget_journal_on_failure (KtApply   *self,
                           KtJournal *journal)
{
  if (self->recovering == NULL)
    kt_apply_forget_journal (journal);
}

/* Test-only: KT_TEST_APPLY_PAUSE_AFTER=N stops after the Nth live step
 * (N may be the number of steps: before the define), writes the file
 * KT_TEST_APPLY_PAUSE_MARKER and waits until it is removed (at most a
 * minute), so that a test can kill libvirt at a known point */
void
kt_apply_test_pause (guint done)
{
  const char *after = g_getenv ("KT_TEST_APPLY_PAUSE_AFTER");
  const char *marker = g_getenv ("KT_TEST_APPLY_PAUSE_MARKER");
  guint64 n;

  if (after == NULL || marker == NULL || !g_ascii_string_to_unsigned (after, 10, 0, G_MAXUINT,
                                                                      &n, NULL) || n != done)
    return;
  if (!g_file_set_contents (marker, "paused\n", -1, NULL))
    return;
  for (int i = 0; i < 600 && g_file_test (marker, G_FILE_TEST_EXISTS); i++)
    g_usleep (G_USEC_PER_SEC / 10);
}

/**
 * kt_apply_set_test_hook:
 *
 * For tests only: @hook runs at fixed points of kt_apply_run (), to make
 * a change at a moment a test could not otherwise hit.
 */
void
kt_apply_set_test_hook (KtApply         *self,
                        KtApplyTestHook  hook,
                        gpointer         data)
{
  g_return_if_fail (KT_IS_APPLY (self));
  self->hook = hook;
  self->hook_data = data;
}
