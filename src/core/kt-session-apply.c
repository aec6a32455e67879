/* kt-session-apply.c: a session's pending changes carried out: applied
 * (through libvirt or into the snapshot), undone, or the VM reloaded under
 * them; saving into a snapshot file is in kt-session-save.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-session-private.h"

/* Apply, undo-apply, reload ---------------------------------------------- */

/* The VM's definitions as they were loaded: what an apply starts from */
static KtVm *
make_base (KtVm    *vm,
           GError **error)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) inactive = NULL;

  if (kt_vm_get_live (vm) != NULL)
    {
      live = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_live (vm)), -1, error);
      if (live == NULL)
        return NULL;
    }
  if (kt_vm_get_inactive (vm) != NULL)
    {
      inactive = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_inactive (vm)),
                                         -1, error);
      if (inactive == NULL)
        return NULL;
    }
  return kt_vm_new (kt_vm_get_name (vm), kt_vm_get_state (vm), kt_vm_get_id (vm),
                    kt_vm_get_persistent (vm), live, inactive);
}

/* The base and the targets @flags names (0: both) */
static gboolean
prepare_targets (KtSession     *self,
                 const char    *name,
                 KtApplyFlags   flags,
                 KtVm         **base,
                 KtDomain     **live_target,
                 KtDomain     **config_target,
                 GError       **error)
{
  g_autoptr(KtVm) b = NULL;
  KtVm *vm;

  vm = kt_session_priv_lookup_vm (self, name, error);
  if (vm == NULL)
    return FALSE;
  b = make_base (vm, error);
  if (b == NULL
      || !kt_session_priv_make_targets (vm, g_hash_table_lookup (self->edits, name), flags,
                                        live_target, config_target, error))
    return FALSE;
  if (base != NULL)
    *base = g_steal_pointer (&b);
  return TRUE;
}

gboolean
kt_session_prepare_targets (KtSession  *self,
                            const char *name,
                            KtVm      **base,
                            KtDomain  **live_target,
                            KtDomain  **config_target,
                            GError    **error)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return prepare_targets (self, name, 0, base, live_target, config_target, error);
}

/**
 * kt_session_prepare_apply:
 *
 * Returns: (transfer full): what applying the VM's pending changes would
 * do, or %NULL with @error set
 */
KtApply *
kt_session_prepare_apply (KtSession     *self,
                          const char    *name,
                          KtApplyFlags   flags,
                          GError       **error)
{
  g_autoptr(KtVm) base = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (flags == 0)
    {
      KtVm *vm = kt_session_priv_lookup_vm (self, name, error);

      if (vm == NULL)
        return NULL;
      flags = kt_apply_default_flags (vm);
    }
  /* Only the definitions applied: an edit made for one need not fit the other */
  if (!prepare_targets (self, name, flags, &base, &live, &config, error))
    return NULL;
  return kt_apply_new (base, live, config, flags, error);
}

/* @domain as if read from its own text: what it has becomes what it was
 * loaded with (kt_domain_get_original_xml ()), the base of the next apply */
static KtDomain *
settle (KtDomain *domain)
{
  g_autofree char *xml = NULL;
  KtDomain *settled;

  if (domain == NULL)
    return NULL;
  xml = kt_domain_to_xml (domain);
  settled = kt_domain_new_from_xml (xml, -1, NULL);
  return settled != NULL ? settled : g_object_ref (domain);
}

static void
remember_applied (KtSession    *self,
                  const char   *name,
                  KtVm         *base,
                  KtApplyFlags  flags,
                  gboolean      to_snapshot)
{
  Applied *a = g_new0 (Applied, 1);

  a->base = g_object_ref (base);
  a->flags = flags;
  a->to_snapshot = to_snapshot;
  g_hash_table_replace (self->applied, g_strdup (name), a);
}

typedef struct
{
  char         *name;
  KtApplyFlags  flags;
  KtVm         *base;
  KtDomain     *live;
  KtDomain     *config;
  gboolean      undo;       /* an undo-apply */
  GArray       *repins;     /* Repin, for a reload */
} Op;

typedef struct
{
  guint     vcpu;
  KtCpuset *set;
} Repin;

static void
repin_clear (gpointer data)
{
  kt_cpuset_free (((Repin *) data)->set);
}

static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->name);
  g_clear_object (&op->base);
  g_clear_object (&op->live);
  g_clear_object (&op->config);
  g_clear_pointer (&op->repins, g_array_unref);
  g_free (op);
}

static Op *
op_new (const char *name)
{
  Op *op = g_new0 (Op, 1);

  op->name = g_strdup (name);
  return op;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static GTask *
op_task_new (KtSession           *self,
             gpointer             tag,
             const char          *name,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, op_new (name), op_free);
  return task;
}

static gboolean
check_writable (KtSession  *self,
                GError    **error)
{
  if (self->connection != NULL && kt_connection_is_read_only (self->connection))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY,
                   _("The connection is read-only: connect again without “Read-Only” "
                     "to apply"));
      return FALSE;
    }
  return TRUE;
}

/* Gives @vm what @op applied; a definition it did not apply goes back to
 * the one it was loaded with (@op->base), without the pins the plan made
 * in it in place */
static void
set_applied (KtVm *vm,
             Op   *op)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;

  if (op->flags & KT_APPLY_LIVE)
    live = settle (op->live);
  else if (op->base != NULL && kt_vm_get_live (op->base) != NULL && kt_vm_get_live (vm) != NULL)
    live = kt_domain_copy (kt_vm_get_live (op->base));
  if (op->flags & KT_APPLY_CONFIG)
    config = settle (op->config);
  else if (op->base != NULL && kt_vm_get_inactive (op->base) != NULL)
    config = kt_domain_copy (kt_vm_get_inactive (op->base));
  kt_vm_set_definitions (vm, live, config);
}

/* Applied through the connection (the session follows, even when the
 * caller gave up waiting; @reloaded: what libvirt has now, nullable), or
 * into the snapshot (@to_snapshot: it is then to be saved) */
static void
take_applied (KtSession *self,
              Op        *op,
              KtVm      *reloaded,
              gboolean   to_snapshot)
{
  KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, op->name);

  if (vm == NULL)
    return;
  if (reloaded != NULL)
    kt_vm_update_from (vm, reloaded);
  else
    set_applied (vm, op);
  if (op->undo)
    g_hash_table_remove (self->applied, op->name);
  else
    remember_applied (self, op->name, op->base, op->flags, to_snapshot);
  kt_session_priv_vm_replaced (self, op->name, to_snapshot);
}

static void
execute_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = NULL;

  kt_session_priv_set_busy (self, FALSE);
  if (!kt_apply_execute_finish (KT_APPLY (object), result, &reloaded, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  take_applied (self, g_task_get_task_data (task), reloaded, FALSE);
  g_task_return_boolean (task, TRUE);
}

/* Runs @apply on the connection for @task, or makes it in the snapshot */
static void
run_op (KtSession *self,
        GTask     *task,
        KtApply   *apply)
{
  Op *op = g_task_get_task_data (task);

  if (apply != NULL && self->connection != NULL)
    {
      kt_session_priv_set_busy (self, TRUE);
      /* Not cancellable: once started, its result is taken in */
      kt_apply_execute_async (apply, self->connection, op->name, NULL, execute_done,
                              g_object_ref (task));
      return;
    }

  take_applied (self, op, NULL, TRUE);
  g_task_return_boolean (task, TRUE);
}

/* The apply of what is pending on @op->name, with @op filled in */
static KtApply *
prepare_op (KtSession     *self,
            Op            *op,
            KtApplyFlags   flags,
            GError       **error)
{
  KtVm *vm = kt_session_priv_lookup_vm (self, op->name, error);

  if (vm == NULL)
    return NULL;
  op->flags = flags != 0 ? flags : kt_apply_default_flags (vm);
  if (!prepare_targets (self, op->name, op->flags, &op->base, &op->live, &op->config, error))
    return NULL;
  if (!kt_session_has_changes (self, op->name))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("Nothing to apply to %s"),
                   op->name);
      return NULL;
    }
  return kt_apply_new (op->base, op->live, op->config, op->flags, error);
}

void
kt_session_apply_async (KtSession           *self,
                        const char          *name,
                        KtApplyFlags         flags,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;

  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  task = op_task_new (self, kt_session_apply_async, name, cancellable, callback, user_data);
  if (check_writable (self, &error))
    apply = prepare_op (self, g_task_get_task_data (task), flags, &error);
  if (apply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run_op (self, task, apply);
}

gboolean
kt_session_apply_finish (KtSession     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Runs @apply of @op (prepared) on the connection and takes the VM back
 * in, or makes it in the snapshot when @apply is NULL */
static gboolean
run_op_sync (KtSession  *self,
             Op         *op,
             KtApply    *apply,
             GError    **error)
{
  g_autoptr(GError) read_error = NULL;
  g_autoptr(KtVm) reloaded = NULL;

  if (apply == NULL || self->connection == NULL)
    {
      take_applied (self, op, NULL, TRUE);
      return TRUE;
    }
  if (!kt_apply_run (apply, self->connection, error))
    return FALSE;
  reloaded = kt_connection_read_vm (self->connection, op->name, &read_error);
  if (read_error != NULL)
    g_warning ("Applied to “%s”, but cannot read it back: %s", op->name, read_error->message);
  take_applied (self, op, reloaded, FALSE);
  return TRUE;
}

/**
 * kt_session_apply:
 *
 * kt_session_apply_async (), blocking: for the command line
 */
gboolean
kt_session_apply (KtSession     *self,
                  const char    *name,
                  KtApplyFlags   flags,
                  GError       **error)
{
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(Op) op = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  op = op_new (name);
  apply = prepare_op (self, op, flags, error);
  return apply != NULL && run_op_sync (self, op, apply, error);
}

gboolean
kt_session_can_undo_apply (KtSession  *self,
                           const char *name)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return g_hash_table_contains (self->applied, name)
         && kt_snapshot_lookup_vm (self->snapshot, name) != NULL;
}

/* The undo of @op->name's last apply, with @op filled in: *@apply is
 * %NULL when it was applied into the snapshot */
static gboolean
prepare_undo_op (KtSession  *self,
                 Op         *op,
                 KtApply   **apply,
                 GError    **error)
{
  const char *name = op->name;
  Applied *a;
  KtVm *vm;

  *apply = NULL;
  op->undo = TRUE;
  a = g_hash_table_lookup (self->applied, name);
  vm = kt_snapshot_lookup_vm (self->snapshot, name);
  if (a == NULL || vm == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   vm == NULL ? _("The VM “%s” is gone: there is nothing to undo")
                              : _("Nothing was applied to “%s”"), name);
      return FALSE;
    }
  if (!check_writable (self, error))
    return FALSE;
  op->flags = a->flags;
  if (kt_vm_get_live (a->base) != NULL && (a->flags & KT_APPLY_LIVE))
    op->live = kt_domain_copy (kt_vm_get_live (a->base));
  if (kt_vm_get_inactive (a->base) != NULL && (a->flags & KT_APPLY_CONFIG))
    op->config = kt_domain_copy (kt_vm_get_inactive (a->base));
  if (a->to_snapshot)
    return TRUE;
  op->base = make_base (vm, error);
  if (op->base != NULL)
    *apply = kt_apply_new (op->base, op->live, op->config, op->flags, error);
  return *apply != NULL;
}

/**
 * kt_session_undo_apply_async:
 *
 * Applies, the same way (live, config), the definitions the VM had before
 * its last kt_session_apply_async (); what is pending on it is dropped.
 */
void
kt_session_undo_apply_async (KtSession           *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtApply) apply = NULL;

  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  task = op_task_new (self, kt_session_undo_apply_async, name, cancellable, callback,
                      user_data);
  if (!prepare_undo_op (self, g_task_get_task_data (task), &apply, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run_op (self, task, apply);   /* NULL: into the snapshot */
}

gboolean
kt_session_undo_apply_finish (KtSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * kt_session_undo_apply:
 *
 * kt_session_undo_apply_async (), blocking: for the command line
 */
gboolean
kt_session_undo_apply (KtSession   *self,
                       const char  *name,
                       GError     **error)
{
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(Op) op = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  op = op_new (name);
  return prepare_undo_op (self, op, &apply, error) && run_op_sync (self, op, apply, error);
}

/**
 * kt_session_apply_all:
 * @names: (array zero-terminated=1): the VMs
 * @flags: (array) (nullable): for each VM, as kt_session_apply (); %NULL:
 *   each VM's default
 *
 * kt_session_apply () of every VM of @names, all or none: each apply is
 * prepared (and so checked) before the first is made, and when one fails
 * the ones made before it are undone, newest first
 * (kt_session_undo_apply ()).  The error says what failed and whether
 * everything was put back.
 */
gboolean
kt_session_apply_all (KtSession           *self,
                      const char * const  *names,
                      const KtApplyFlags  *flags,
                      GError             **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (op_free);
  g_autoptr(GPtrArray) applies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) failure = NULL;
  g_autoptr(GString) left = g_string_new (NULL);
  guint done;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      Op *op = op_new (names[i]);
      KtApply *apply;

      g_ptr_array_add (ops, op);
      apply = prepare_op (self, op, flags != NULL ? flags[i] : 0, error);
      if (apply == NULL)
        {
          g_prefix_error (error, _("Nothing was applied: %s: "), names[i]);
          return FALSE;
        }
      g_ptr_array_add (applies, apply);
    }

  for (done = 0; done < ops->len; done++)
    if (!run_op_sync (self, g_ptr_array_index (ops, done), g_ptr_array_index (applies, done),
                      &failure))
      break;
  if (failure == NULL)
    return TRUE;

  /* Put back the VMs applied before, newest first */
  for (guint i = done; i-- > 0;)
    {
      const char *name = ((Op *) g_ptr_array_index (ops, i))->name;
      g_autoptr(GError) undo_error = NULL;

      if (!kt_session_undo_apply (self, name, &undo_error))
        g_string_append_printf (left, "\n  %s: %s", name, undo_error->message);
    }
  if (left->len > 0)
    g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                 _("%s: %s\nNot every VM applied before could be put back; these are left "
                   "changed:%s"), names[done], failure->message, left->str);
  else if (done > 0)
    g_set_error (error, failure->domain, failure->code,
                 _("%s: %s\nThe VMs applied before it were put back."), names[done],
                 failure->message);
  else
    g_set_error (error, failure->domain, failure->code, "%s: %s", names[done],
                 failure->message);
  return FALSE;
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtSession *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = NULL;
  KtVm *vm;

  kt_session_priv_set_busy (self, FALSE);
  reloaded = kt_connection_read_vm_finish (KT_CONNECTION (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vm = kt_snapshot_lookup_vm (self->snapshot, op->name);
  if (reloaded == NULL || vm == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_NOT_FOUND,
                               _("%s no longer exists"), op->name);
      return;
    }

  kt_vm_update_from (vm, reloaded);
  self->frozen++;
  kt_plan_forget_vm (self->plan, op->name);
  kt_session_priv_remove_steps (self->undo, op->name, TRUE);
  kt_session_priv_remove_steps (self->redo, op->name, TRUE);
  kt_session_priv_renumber (self, FALSE);
  /* The pins that were pending go back, on top of what is there now */
  for (guint i = 0; i < op->repins->len; i++)
    {
      Repin *r = &g_array_index (op->repins, Repin, i);
      g_autoptr(GError) pin_error = NULL;

      /* Each a step again ("step-added") */
      if (!kt_plan_pin (self->plan, vm, &r->vcpu, 1, r->set, &pin_error))
        g_debug ("vCPU %u of %s is not pinned again: %s", r->vcpu, op->name,
                 pin_error->message);
    }
  self->frozen--;
  kt_session_priv_emit_vm_changed (self, op->name);
  kt_session_priv_update (self);
  g_task_return_boolean (task, TRUE);
}

void
kt_session_reload_async (KtSession           *self,
                         const char          *name,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(KtTuning) t = NULL;
  GError *error = NULL;
  KtVm *vm;
  Op *op;

  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  task = op_task_new (self, kt_session_reload_async, name, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_UNSUPPORTED,
                               _("There is no connection to reload “%s” from"), name);
      return;
    }
  vm = kt_session_priv_lookup_vm (self, name, &error);
  if (vm == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  op->repins = g_array_new (FALSE, FALSE, sizeof (Repin));
  g_array_set_clear_func (op->repins, repin_clear);
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint v = 0; v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, vm, v) && kt_tuning_get_vcpupin (t, v) != NULL)
      {
        Repin r = { v, kt_cpuset_copy (kt_tuning_get_vcpupin (t, v)) };

        g_array_append_val (op->repins, r);
      }
  kt_session_priv_set_busy (self, TRUE);
  kt_connection_read_vm_async (self->connection, name, NULL, reload_done, g_object_ref (task));
}

gboolean
kt_session_reload_finish (KtSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
