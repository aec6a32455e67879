/* kt-apply.c: carry a VM's edited definition over to libvirt
 *
 * The object, and what an apply is to do, worked out without doing it
 * (kt_apply_new ()): the live calls a running VM can take (the pins, the
 * nodeset), refusing with the reason what it cannot take live, and the
 * edited inactive XML to define, with its diff; then the preview of that
 * as the libvirt calls in order.  Running it is in kt-apply-run.c, the
 * checks against what libvirt has in kt-apply-check.c, the worker thread
 * in kt-apply-async.c, the journal and recovery in kt-apply-recover.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-apply-private.h"
#include "kt-error.h"

G_DEFINE_FINAL_TYPE (KtApply, kt_apply, G_TYPE_OBJECT)

static void
step_clear (gpointer data)
{
  Step *s = data;

  g_clear_pointer (&s->before, kt_cpuset_free);
  g_clear_pointer (&s->after, kt_cpuset_free);
}

static void
kt_apply_dispose (GObject *object)
{
  KtApply *self = KT_APPLY (object);

  g_clear_object (&self->vm);
  g_clear_object (&self->recovering);

  G_OBJECT_CLASS (kt_apply_parent_class)->dispose (object);
}

static void
kt_apply_finalize (GObject *object)
{
  KtApply *self = KT_APPLY (object);

  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->define_xml, g_free);
  g_clear_pointer (&self->base_inactive_xml, g_free);
  g_clear_pointer (&self->base_live, kt_tuning_unref);
  g_clear_pointer (&self->diff, g_free);

  G_OBJECT_CLASS (kt_apply_parent_class)->finalize (object);
}

static void
kt_apply_class_init (KtApplyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_apply_dispose;
  object_class->finalize = kt_apply_finalize;
}

static void
kt_apply_init (KtApply *self)
{
  self->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (self->steps, step_clear);
}

/**
 * kt_apply_default_flags:
 *
 * Like virsh without --live or --config: both for a running persistent VM,
 * live for a transient one, config for one that is shut off.
 */
KtApplyFlags
kt_apply_default_flags (KtVm *vm)
{
  g_return_val_if_fail (KT_IS_VM (vm), KT_APPLY_CONFIG);

  if (!kt_vm_is_active (vm))
    return KT_APPLY_CONFIG;
  return kt_vm_get_persistent (vm) ? KT_APPLY_LIVE | KT_APPLY_CONFIG : KT_APPLY_LIVE;
}

static void
add_step (KtApply        *self,
          StepKind        kind,
          guint           id,
          const KtCpuset *before,
          const KtCpuset *after)
{
  Step s = { kind, id, before ? kt_cpuset_copy (before) : NULL,
             after ? kt_cpuset_copy (after) : NULL };

  g_array_append_val (self->steps, s);
}

/* What a running VM can take, as live calls; what it cannot is refused
 * with the reason */
static gboolean
plan_live (KtApply         *self,
           const KtTuning  *base,
           const KtTuning  *target,
           GError         **error)
{
  const char *name = kt_vm_get_name (self->vm);

  if (g_strcmp0 (base->numa_mode, target->numa_mode) != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("libvirt cannot change the memory mode of running VM “%s” (from %s to %s); "
                     "apply it to the config and restart the VM"),
                   name, base->numa_mode ? base->numa_mode : "none",
                   target->numa_mode ? target->numa_mode : "none");
      return FALSE;
    }
  if (!kt_apply_priv_same_hugepages (base, target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Huge pages and memory backing of running VM “%s” cannot change live; "
                     "apply them to the config and restart the VM"), name);
      return FALSE;
    }
  if (g_strcmp0 (base->cpu_mode, target->cpu_mode) != 0
      || g_strcmp0 (base->cpu_model, target->cpu_model) != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The CPU model of running VM “%s” cannot change live; apply it to the "
                     "config and restart the VM"), name);
      return FALSE;
    }
  if (base->has_topology != target->has_topology
      || (target->has_topology
          && (base->sockets != target->sockets || base->dies != target->dies
              || base->cores != target->cores || base->threads != target->threads)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The guest CPU topology of running VM “%s” cannot change live; apply it "
                     "to the config and restart the VM"), name);
      return FALSE;
    }
  if (!kt_apply_priv_same_memnodes (base, target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The memnodes of running VM “%s” cannot change live; apply them to the "
                     "config and restart the VM"), name);
      return FALSE;
    }

  for (guint v = 0; v < MAX (base->vcpus, target->vcpus); v++)
    {
      const KtCpuset *b = kt_tuning_get_vcpupin (base, v);
      const KtCpuset *t = kt_tuning_get_vcpupin (target, v);

      if (!kt_cpuset_same (b, t))
        add_step (self, STEP_VCPUPIN, v, b, t);
    }
  if (!kt_cpuset_same (base->emulatorpin, target->emulatorpin))
    add_step (self, STEP_EMULATORPIN, 0, base->emulatorpin, target->emulatorpin);
  for (guint i = 0; i < target->iothread_ids->len; i++)
    {
      guint id = g_array_index (target->iothread_ids, guint, i);
      const KtCpuset *b = kt_tuning_get_iothreadpin (base, id);
      const KtCpuset *t = kt_tuning_get_iothreadpin (target, id);

      if (!kt_cpuset_same (b, t))
        add_step (self, STEP_IOTHREADPIN, id, b, t);
    }
  /* An iothread pinned in the target but missing from the VM: libvirt
   * will refuse it; keep the step so the failure (and rollback) is real */
  for (guint i = 0; i < target->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (target->iothreadpin, KtPin, i);

      if (!kt_tuning_has_iothread (target, pin->id))
        add_step (self, STEP_IOTHREADPIN, pin->id, NULL, pin->cpuset);
    }
  if (!kt_cpuset_same (base->numa_nodeset, target->numa_nodeset) && target->numa_nodeset != NULL)
    add_step (self, STEP_NUMA_NODESET, 0, base->numa_nodeset, target->numa_nodeset);
  return TRUE;
}

/**
 * kt_apply_new:
 * @base: the VM as loaded from the connection
 * @live_target: (nullable): the edited live definition, for %KT_APPLY_LIVE
 * @config_target: (nullable): the edited inactive definition, for
 *   %KT_APPLY_CONFIG
 *
 * Works out what to do, without doing it.
 *
 * Returns: (transfer full): the apply, or %NULL with @error set when the
 * change cannot be made as asked
 */
KtApply *
kt_apply_new (KtVm          *base,
              KtDomain      *live_target,
              KtDomain      *config_target,
              KtApplyFlags   flags,
              GError       **error)
{
  g_autoptr(KtApply) self = NULL;
  const char *name;

  g_return_val_if_fail (KT_IS_VM (base), NULL);

  name = kt_vm_get_name (base);
  self = g_object_new (KT_TYPE_APPLY, NULL);
  self->vm = g_object_ref (base);
  self->flags = flags;

  if (flags & KT_APPLY_LIVE)
    {
      g_autoptr(KtTuning) b = NULL;
      g_autoptr(KtTuning) t = NULL;

      if (!kt_vm_is_active (base))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("VM “%s” is not running: there is nothing to change live"), name);
          return NULL;
        }
      g_return_val_if_fail (KT_IS_DOMAIN (live_target), NULL);
      b = kt_domain_get_tuning (kt_vm_get_live (base));
      t = kt_domain_get_tuning (live_target);
      if (!plan_live (self, b, t, error))
        return NULL;
      self->base_live = g_steal_pointer (&b);
    }

  if (flags & KT_APPLY_CONFIG)
    {
      KtDomain *inactive = kt_vm_get_inactive (base);
      g_autofree char *after = NULL;

      if (inactive == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("VM “%s” is transient: it has no persistent config to change"), name);
          return NULL;
        }
      g_return_val_if_fail (KT_IS_DOMAIN (config_target), NULL);
      self->base_inactive_xml = g_strdup (kt_domain_get_original_xml (inactive));
      after = kt_domain_to_xml (config_target);
      if (!g_str_equal (after, self->base_inactive_xml))
        {
          g_autofree char *a = g_strdup_printf ("%s.xml (config)", name);
          g_autofree char *b = g_strdup_printf ("%s.xml (new config)", name);

          self->diff = kt_diff_lines (self->base_inactive_xml, after, a, b);
          self->define_xml = g_steal_pointer (&after);
        }
    }
  if (self->diff == NULL)
    self->diff = g_strdup ("");

  return g_steal_pointer (&self);
}

gboolean
kt_apply_is_empty (KtApply *self)
{
  g_return_val_if_fail (KT_IS_APPLY (self), TRUE);
  return self->steps->len == 0 && self->define_xml == NULL;
}

const char *
kt_apply_get_diff (KtApply *self)
{
  g_return_val_if_fail (KT_IS_APPLY (self), NULL);
  return self->diff;
}

char *
kt_apply_priv_describe_step (KtApply    *self,
                             const Step *s,
                             gboolean    undo)
{
  const KtCpuset *set = undo ? s->before : s->after;
  g_autofree char *text = set ? kt_cpuset_format (set) : g_strdup (_("all host CPUs"));
  const char *name = kt_vm_get_name (self->vm);

  switch (s->kind)
    {
    case STEP_VCPUPIN:
      return g_strdup_printf (_("virDomainPinVcpuFlags: %s vCPU %u → %s (live)"), name, s->id, text);
    case STEP_EMULATORPIN:
      return g_strdup_printf (_("virDomainPinEmulator: %s emulator → %s (live)"), name, text);
    case STEP_IOTHREADPIN:
      return g_strdup_printf (_("virDomainPinIOThread: %s IOThread %u → %s (live)"), name, s->id,
                              text);
    case STEP_NUMA_NODESET:
    default:
      return g_strdup_printf (_("virDomainSetNumaParameters: %s nodeset → %s (live)"), name, text);
    }
}

/**
 * kt_apply_get_calls:
 *
 * Returns: (transfer container) (element-type utf8): the libvirt calls
 * kt_apply_run() makes, in order, the define last
 */
GPtrArray *
kt_apply_get_calls (KtApply *self)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (KT_IS_APPLY (self), calls);

  for (guint i = 0; i < self->steps->len; i++)
    g_ptr_array_add (calls, kt_apply_priv_describe_step (self, &g_array_index (self->steps, Step, i),
                                                         FALSE));
  if (self->define_xml != NULL)
    g_ptr_array_add (calls, g_strdup_printf (_("virDomainDefineXMLFlags: %s (config, validated)"),
                                             kt_vm_get_name (self->vm)));
  return calls;
}
