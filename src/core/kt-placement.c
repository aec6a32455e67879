/* kt-placement.c: where each VM thread may run on the host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-placement.h"

static void
kt_placement_free (gpointer data)
{
  KtPlacement *p = data;

  g_clear_object (&p->vm);
  g_clear_pointer (&p->allowed, kt_cpuset_free);
  g_free (p);
}

static void
add (GPtrArray    *list,
     KtVm         *vm,
     KtThreadKind  kind,
     guint         index,
     KtCpuset     *allowed,
     KtPinSource   source)
{
  KtPlacement *p = g_new0 (KtPlacement, 1);

  p->vm = g_object_ref (vm);
  p->kind = kind;
  p->index = index;
  p->allowed = allowed;
  p->pinned = source == KT_PIN_SOURCE_OWN;
  p->source = source;
  g_ptr_array_add (list, p);
}

static void
list_vm (GPtrArray  *list,
         KtHost     *host,
         KtVm       *vm)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  const KtCpuset *all = kt_host_get_all_cpus (host);
  gboolean active = kt_vm_is_active (vm);

  /* A running VM's offline vCPUs have no thread */
  for (guint v = 0; v < t->vcpus; v++)
    if (!active || kt_tuning_vcpu_is_online (t, v))
      add (list, vm, KT_THREAD_VCPU, v, kt_tuning_vcpu_allowed (t, v, all),
           kt_tuning_vcpu_pin_source (t, v));

  add (list, vm, KT_THREAD_EMULATOR, 0, kt_tuning_emulator_allowed (t, all),
       kt_tuning_emulator_pin_source (t));

  for (guint i = 0; i < t->iothread_ids->len; i++)
    {
      guint id = g_array_index (t->iothread_ids, guint, i);

      add (list, vm, KT_THREAD_IOTHREAD, id, kt_tuning_iothread_allowed (t, id, all),
           kt_tuning_iothread_pin_source (t, id));
    }
}

/**
 * kt_placement_list_vm:
 *
 * Returns: (transfer full) (element-type KtPlacement): @vm's threads
 */
GPtrArray *
kt_placement_list_vm (KtSnapshot *snapshot,
                      KtVm       *vm)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (kt_placement_free);

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), list);
  g_return_val_if_fail (KT_IS_VM (vm), list);

  list_vm (list, kt_snapshot_get_host (snapshot), vm);
  return list;
}

/**
 * kt_placement_list:
 *
 * Returns: (transfer full) (element-type KtPlacement): every thread of
 * every VM in @snapshot, in VM order
 */
GPtrArray *
kt_placement_list (KtSnapshot *snapshot)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (kt_placement_free);
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), list);

  vms = kt_snapshot_get_vms (snapshot);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      list_vm (list, kt_snapshot_get_host (snapshot), vm);
    }
  return list;
}

/**
 * kt_placement_describe:
 *
 * Returns: (transfer full): e.g. "web1/vcpu3", "web1/emulator"
 */
char *
kt_placement_describe (const KtPlacement *p)
{
  g_return_val_if_fail (p != NULL, NULL);

  switch (p->kind)
    {
    case KT_THREAD_VCPU:
      return g_strdup_printf ("%s/vcpu%u", kt_vm_get_name (p->vm), p->index);
    case KT_THREAD_EMULATOR:
      return g_strdup_printf ("%s/emulator", kt_vm_get_name (p->vm));
    case KT_THREAD_IOTHREAD:
    default:
      return g_strdup_printf ("%s/iothread%u", kt_vm_get_name (p->vm), p->index);
    }
}
