/* kt-tuning-panel-pins.c: the tuning panel's Pinning section
 *
 * A row per vCPU, one for the emulator and one per IOThread, built for the
 * VM's shape.  vCPU pins typed here go through kt_session_pin (), like
 * drags on the map, so that the map shows them as pending and Ctrl+Z takes
 * them back; emulator and IOThread pins become the VM's edits in the
 * session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-describe.h"
#include "kt-error.h"
#include "kt-placement.h"
#include "kt-tuning-panel-private.h"

/* The pin of a thread of @kind in @t; NULL: none of its own */
static const KtCpuset *
thread_pin (const KtTuning *t,
            KtThreadKind    kind,
            guint           id)
{
  if (kind == KT_THREAD_VCPU)
    return kt_tuning_get_vcpupin (t, id);
  if (kind == KT_THREAD_EMULATOR)
    return t->emulatorpin;
  return kt_tuning_get_iothreadpin (t, id);
}

/* Reads the row's text as host CPUs, checked against the host.
 * *@out NULL: an empty text, which unpins (refused when @required) */
static gboolean
parse_cpus (KtTuningPanel  *self,
            KtFieldRow     *row,
            gboolean        required,
            KtCpuset      **out,
            GError        **error)
{
  if (!_kt_tuning_panel_parse_set (kt_field_row_get_text (row), out, error))
    return FALSE;
  if (*out == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                           _("A vCPU needs at least one host CPU"));
      return FALSE;
    }
  if (!kt_host_check_cpuset (_kt_tuning_panel_get_host (self), *out, error))
    {
      g_clear_pointer (out, kt_cpuset_free);
      return FALSE;
    }
  return TRUE;
}

static void
check_text (KtTuningPanel *self,
            KtFieldRow    *row,
            gboolean       required)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;

  if (self->updating || self->building || self->preview_t == NULL)
    return;
  parse_cpus (self, row, required, &set, &error);
  kt_field_row_set_error (row, error != NULL ? error->message : NULL);
}

static void
on_vcpu_edited (KtFieldRow    *row,
                KtTuningPanel *self)
{
  check_text (self, row, TRUE);
}

static void
on_thread_edited (KtFieldRow    *row,
                  KtTuningPanel *self)
{
  check_text (self, row, FALSE);
}

/* The pin typed into the row of a thread of @kind, when it changes
 * something; FALSE when it is refused (and shown) or changes nothing */
static gboolean
take_pin (KtTuningPanel  *self,
          KtFieldRow     *row,
          KtThreadKind    kind,
          KtCpuset      **out)
{
  const KtTuning *t = self->preview_t;
  guint id = kt_field_row_get_id (row);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  const KtCpuset *now;
  KtPinSource source;

  if (!_kt_tuning_panel_takes_input (self))
    return FALSE;
  if (!parse_cpus (self, row, kind == KT_THREAD_VCPU, &set, &error))
    {
      kt_field_row_set_error (row, error->message);
      return FALSE;
    }
  now = thread_pin (t, kind, id);
  if (kt_cpuset_same (set, now))
    {
      kt_field_row_set_error (row, NULL);
      return FALSE;
    }
  /* The default pin set typed into a thread that already follows it */
  source = kind == KT_THREAD_VCPU ? kt_tuning_vcpu_pin_source (t, id)
           : kind == KT_THREAD_EMULATOR ? kt_tuning_emulator_pin_source (t) : KT_PIN_SOURCE_NONE;
  if (set != NULL && now == NULL && source == KT_PIN_SOURCE_DEFAULT
      && kt_cpuset_same (set, t->vcpu_cpuset))
    {
      kt_field_row_set_text (row, "");
      kt_field_row_set_error (row, NULL);
      return FALSE;
    }
  *out = g_steal_pointer (&set);
  return TRUE;
}

static void
on_vcpu_commit (KtFieldRow    *row,
                KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  guint vcpu = kt_field_row_get_id (row);

  if (!take_pin (self, row, KT_THREAD_VCPU, &set))
    return;
  if (!kt_session_pin (self->session, self->vm, &vcpu, 1, set, &error))
    kt_field_row_set_error (row, error->message);
  /* The session's "changed" refreshes the panel, the plan's the map */
}

static void
on_emulator_commit (KtFieldRow    *row,
                    KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  KtEdits *e;

  if (!take_pin (self, row, KT_THREAD_EMULATOR, &set))
    return;
  e = _kt_tuning_panel_begin_edits (self);
  e->has_emulatorpin = TRUE;
  g_clear_pointer (&e->emulatorpin, kt_cpuset_free);
  e->emulatorpin = g_steal_pointer (&set);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static void
on_iothread_commit (KtFieldRow    *row,
                    KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  KtEdits *e;

  if (!take_pin (self, row, KT_THREAD_IOTHREAD, &set))
    return;
  e = _kt_tuning_panel_begin_edits (self);
  g_hash_table_replace (e->iothreadpins, GUINT_TO_POINTER (kt_field_row_get_id (row)),
                        set != NULL ? g_steal_pointer (&set) : kt_cpuset_new ());
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static KtFieldRow *
add_pin_row (KtTuningPanel *self,
             const char    *title,
             guint          id,
             GCallback      edited,
             GCallback      commit)
{
  KtFieldRow *row = KT_FIELD_ROW (kt_field_row_new (title, id, _("any")));

  g_signal_connect (row, "edited", edited, self);
  g_signal_connect (row, "commit", commit, self);
  _kt_tuning_panel_add_row (self, self->pinning_group, row);
  return row;
}

void
_kt_tuning_panel_pins_build (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;

  for (guint v = 0; v < t->vcpus; v++)
    {
      g_autofree char *title = g_strdup_printf (_("vCPU %u"), v);

      g_ptr_array_add (self->vcpu_rows,
                       add_pin_row (self, title, v, G_CALLBACK (on_vcpu_edited),
                                    G_CALLBACK (on_vcpu_commit)));
    }
  self->emulator_row = add_pin_row (self, _("Emulator"), 0, G_CALLBACK (on_thread_edited),
                                    G_CALLBACK (on_emulator_commit));
  for (guint i = 0; i < t->iothread_ids->len; i++)
    {
      guint id = g_array_index (t->iothread_ids, guint, i);
      g_autofree char *title = g_strdup_printf (_("IOThread %u"), id);

      g_ptr_array_add (self->iothread_rows,
                       add_pin_row (self, title, id, G_CALLBACK (on_thread_edited),
                                    G_CALLBACK (on_iothread_commit)));
    }
}

/* Updating the values ---------------------------------------------------- */

static char *
pin_hint (KtTuningPanel  *self,
          const KtCpuset *now,
          const KtCpuset *was,
          gboolean        pending,
          const char     *unpinned,
          const char     *was_unpinned)
{
  g_autofree char *where = NULL;
  g_autoptr(KtCpuset) nodes = NULL;

  if (now == NULL)
    where = g_strdup (unpinned);
  else
    {
      nodes = kt_host_nodes_of_cpus (_kt_tuning_panel_get_host (self), now);
      where = kt_cpuset_is_empty (nodes) ? g_strdup ("") : format_nodes (nodes);
    }
  if (pending)
    {
      g_autofree char *before = was != NULL ? kt_cpuset_format (was) : g_strdup (was_unpinned);

      /* Translators: "node 0 · was 32": where a pending pin puts a thread,
       * and its pin before */
      return g_strdup_printf (_("%s · was %s"), where, before);
    }
  return g_steal_pointer (&where);
}

static void
update_pin_row (KtTuningPanel *self,
                KtFieldRow    *row,
                KtThreadKind   kind)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  guint id = kt_field_row_get_id (row);
  const KtCpuset *now = thread_pin (t, kind, id);
  const KtCpuset *was = thread_pin (b, kind, id);
  gboolean pending = !kt_cpuset_same (now, was)
                     || (kind == KT_THREAD_VCPU && kt_plan_is_pending (panel_plan (self), self->vm, id));
  /* Without a pin of its own: the default <vcpu cpuset>, numad, or anywhere */
  g_autofree char *unpinned = kt_describe_unpinned (t, kind, id);
  g_autofree char *was_unpinned = kt_describe_unpinned_short (b, kind, id);
  g_autofree char *where = pin_hint (self, now, was, pending, unpinned ? unpinned : "",
                                     was_unpinned);
  g_autofree char *placeholder = kt_describe_placeholder (t, kind, id);
  g_autofree char *hint = NULL;

  kt_field_row_set_placeholder_text (row, now == NULL ? placeholder : _("any"));
  if (kind == KT_THREAD_VCPU)
    {
      hint = kt_describe_vcpu_hint (t, id, where);
      /* Offline (hot-pluggable) vCPUs: greyed, still pinnable */
      set_row_class (row, "dim-label", !kt_tuning_vcpu_is_online (t, id));
    }
  else
    hint = g_steal_pointer (&where);
  kt_field_row_set_hint (row, hint);
  kt_field_row_set_warns (row, FALSE);
  kt_field_row_set_pending (row, pending);
  _kt_tuning_panel_show_set (row, now);
}

void
_kt_tuning_panel_pins_update (KtTuningPanel *self)
{
  for (guint i = 0; i < self->vcpu_rows->len; i++)
    update_pin_row (self, g_ptr_array_index (self->vcpu_rows, i), KT_THREAD_VCPU);
  if (self->emulator_row != NULL)
    update_pin_row (self, self->emulator_row, KT_THREAD_EMULATOR);
  for (guint i = 0; i < self->iothread_rows->len; i++)
    update_pin_row (self, g_ptr_array_index (self->iothread_rows, i), KT_THREAD_IOTHREAD);
}
