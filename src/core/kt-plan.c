/* kt-plan.c: pending pin changes, with undo and redo
 *
 * The object (its properties and signals), the snapshot it edits, and
 * what is pending: the pin each vCPU had before the plan first moved it
 * and whether it still differs.  Also the helpers the other kt-plan*.c
 * files share (kt-plan-private.h): reading and setting a vCPU's pin in a
 * VM's definitions, and telling that the plan changed.  Pinning and its
 * history are in kt-plan-history.c, where a drop puts vCPUs in
 * kt-plan-targets.c, forgetting and rebasing a VM in kt-plan-rebase.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-plan-private.h"

G_DEFINE_FINAL_TYPE (KtPlan, kt_plan, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SNAPSHOT,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_N_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint kt_plan_priv_signals[N_SIGNALS];

/* Stands for "not pinned" in originals, which cannot hold NULL values
 * apart from absent keys */
KtCpuset *kt_plan_priv_unpinned_sentinel;

static void
original_free (gpointer data)
{
  if (data != kt_plan_priv_unpinned_sentinel)
    kt_cpuset_free (data);
}

static void
kt_plan_dispose (GObject *object)
{
  KtPlan *self = KT_PLAN (object);

  g_clear_object (&self->snapshot);

  G_OBJECT_CLASS (kt_plan_parent_class)->dispose (object);
}

static void
kt_plan_finalize (GObject *object)
{
  KtPlan *self = KT_PLAN (object);

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->originals, g_hash_table_unref);

  G_OBJECT_CLASS (kt_plan_parent_class)->finalize (object);
}

static void
kt_plan_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  KtPlan *self = KT_PLAN (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      g_value_set_object (value, self->snapshot);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, kt_plan_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, kt_plan_can_redo (self));
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, kt_plan_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_plan_class_init (KtPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_plan_dispose;
  object_class->finalize = kt_plan_finalize;
  object_class->get_property = kt_plan_get_property;

  properties[PROP_SNAPSHOT] =
    g_param_spec_object ("snapshot", NULL, NULL, KT_TYPE_SNAPSHOT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KtPlan::changed:
   *
   * The VMs' definitions changed: a pin, an undo or a redo.
   */
  kt_plan_priv_signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * KtPlan::vm-forgotten:
   * @name: the VM's name
   *
   * kt_plan_forget_vm () (or a kt_plan_rebase_vm () that conflicted) took
   * the VM's steps out of the undo and redo history; emitted before
   * #KtPlan::changed, so that whoever keeps a history along the plan's
   * (KtSession) can do the same first.
   */
  kt_plan_priv_signals[VM_FORGOTTEN] =
    g_signal_new ("vm-forgotten", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * KtPlan::step-added:
   * @name: the VM's name
   *
   * kt_plan_pin () added a step to the undo history (emitted before
   * #KtPlan::changed), so that a history kept along the plan's (KtSession)
   * has every pin, however it was made.
   */
  kt_plan_priv_signals[STEP_ADDED] =
    g_signal_new ("step-added", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  kt_plan_priv_unpinned_sentinel = kt_cpuset_new ();
}

static void
kt_plan_init (KtPlan *self)
{
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->originals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, original_free);
}

KtPlan *
kt_plan_new (KtSnapshot *snapshot)
{
  KtPlan *self;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);

  self = g_object_new (KT_TYPE_PLAN, NULL);
  self->snapshot = g_object_ref (snapshot);
  return self;
}

KtSnapshot *
kt_plan_get_snapshot (KtPlan *self)
{
  g_return_val_if_fail (KT_IS_PLAN (self), NULL);
  return self->snapshot;
}

char *
kt_plan_priv_key_for (const char *vm,
                      guint       vcpu)
{
  return g_strdup_printf ("%s\n%u", vm, vcpu);
}

KtCpuset *
kt_plan_priv_current_pin (KtVm  *vm,
                          guint  vcpu)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

  return pin ? kt_cpuset_copy (pin) : NULL;
}

/* Sets the pin in every definition the VM has: what runs and what boots */
void
kt_plan_priv_set_pin (KtVm           *vm,
                      guint           vcpu,
                      const KtCpuset *cpuset)
{
  KtDomain *defs[] = { kt_vm_get_live (vm), kt_vm_get_inactive (vm) };

  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      g_autoptr(GError) error = NULL;

      if (defs[i] == NULL)
        continue;
      /* A live definition may have fewer vCPUs than the inactive one
       * (not kt_domain_get_tuning (): after an edit it parses it all) */
      if (vcpu >= kt_domain_get_n_vcpus (defs[i]))
        continue;
      if (!kt_domain_set_vcpupin (defs[i], vcpu, cpuset, &error))
        g_critical ("Pin checked beforehand failed: %s", error->message);
    }
}

void
kt_plan_priv_notify_all (KtPlan *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  g_signal_emit (self, kt_plan_priv_signals[CHANGED], 0);
}

/**
 * kt_plan_get_original:
 *
 * Returns: (nullable): the pin @vcpu had before the plan first moved it,
 * or %NULL when it was not pinned or the plan never moved it
 */
const KtCpuset *
kt_plan_get_original (KtPlan *self,
                      KtVm   *vm,
                      guint   vcpu)
{
  g_autofree char *key = NULL;
  KtCpuset *orig;

  g_return_val_if_fail (KT_IS_PLAN (self), NULL);
  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  key = kt_plan_priv_key_for (kt_vm_get_name (vm), vcpu);
  orig = g_hash_table_lookup (self->originals, key);
  return orig == kt_plan_priv_unpinned_sentinel ? NULL : orig;
}

gboolean
kt_plan_is_pending (KtPlan *self,
                    KtVm   *vm,
                    guint   vcpu)
{
  g_autofree char *key = NULL;
  g_autoptr(KtCpuset) now = NULL;
  KtCpuset *orig;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);

  key = kt_plan_priv_key_for (kt_vm_get_name (vm), vcpu);
  if (!g_hash_table_lookup_extended (self->originals, key, NULL, (gpointer *) &orig))
    return FALSE;
  now = kt_plan_priv_current_pin (vm, vcpu);
  if (orig == kt_plan_priv_unpinned_sentinel)
    return now != NULL;
  return now == NULL || !kt_cpuset_equal (now, orig);
}

guint
kt_plan_get_n_pending (KtPlan *self)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_return_val_if_fail (KT_IS_PLAN (self), 0);

  g_hash_table_iter_init (&iter, self->originals);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *k = key;
      const char *nl = strchr (k, '\n');
      g_autofree char *name = g_strndup (k, nl - k);
      KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, name);

      if (vm != NULL && kt_plan_is_pending (self, vm, (guint) g_ascii_strtoull (nl + 1, NULL, 10)))
        n++;
    }
  return n;
}
