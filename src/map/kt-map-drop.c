/* kt-map-drop.c: what a drop on a box of the map means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-map-drop.h"

struct _KtMapDrop
{
  KtPlan    *plan;
  KtVm      *vm;           /* nullable: no vCPU moves */
  GArray    *vcpus;        /* guint */
  KtCpuset  *cpus;         /* NULL: refused */
  GPtrArray *spread;       /* KtCpuset per vCPU; nullable */
  KtCpuset  *spread_cpus;
  GError    *error;        /* why not */
};

static void
add_pus_under (const KtMapBox *box,
               KtCpuset       *set)
{
  if (box->kind == KT_MAP_BOX_PU)
    {
      kt_cpuset_add (set, (guint) box->id);
      return;
    }
  for (guint i = 0; i < box->children->len; i++)
    add_pus_under (g_ptr_array_index (box->children, i), set);
}

/**
 * kt_map_box_get_target_cpus:
 * @box: a box of the map of @host
 *
 * The pCPUs a drop on @box pins to: a PU's own, a core's or an L3
 * group's (as the host lists them), a node's online ones, else the PUs
 * under the box.  A group with some CPUs offline pins to the others; a
 * single offline CPU, a group with none online, and the host box itself
 * are refused.
 *
 * Returns: (transfer full) (nullable): the set, or NULL with @error
 */
KtCpuset *
kt_map_box_get_target_cpus (const KtMapBox  *box,
                            KtHost          *host,
                            GError         **error)
{
  g_autoptr(KtCpuset) set = NULL;

  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (KT_IS_HOST (host), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (box->kind)
    {
    case KT_MAP_BOX_PU:
      set = kt_cpuset_new ();
      kt_cpuset_add (set, (guint) box->id);
      break;

    case KT_MAP_BOX_CORE:
      if (box->id >= 0 && (guint) box->id < kt_host_get_n_cores (host))
        set = kt_cpuset_copy (kt_host_get_core (host, (guint) box->id)->cpus);
      break;

    case KT_MAP_BOX_L3:
      if (box->id >= 0 && (guint) box->id < kt_host_get_n_l3 (host))
        set = kt_cpuset_copy (kt_host_get_l3 (host, (guint) box->id)->cpus);
      break;

    case KT_MAP_BOX_NODE:
      {
        const KtHostNode *node = kt_host_lookup_node (host, box->id);

        if (node == NULL || kt_cpuset_is_empty (node->cpus))
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                         _("NUMA node %d has no CPUs"), box->id);
            return NULL;
          }
        if (kt_cpuset_is_empty (node->online_cpus))
          {
            /* Says which are offline */
            kt_host_check_cpuset (host, node->cpus, error);
            return NULL;
          }
        return kt_cpuset_copy (node->online_cpus);
      }

    case KT_MAP_BOX_SOCKET:
    case KT_MAP_BOX_DIE:
    case KT_MAP_BOX_HOST:
    default:
      break;
    }

  if (set == NULL)
    {
      if (box->kind == KT_MAP_BOX_HOST)
        {
          g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                               _("Drop onto a CPU, a core, a cache or a NUMA node"));
          return NULL;
        }
      set = kt_cpuset_new ();
      add_pus_under (box, set);
    }

  /* A group with some CPUs offline pins to the others; a single offline
   * CPU, or a group with none online, is refused */
  if (box->kind != KT_MAP_BOX_PU)
    {
      g_autoptr(KtCpuset) online = kt_cpuset_intersection (set, kt_host_get_online_cpus (host));

      if (!kt_cpuset_is_empty (online))
        {
          kt_cpuset_free (set);
          set = g_steal_pointer (&online);
        }
    }
  if (kt_cpuset_is_empty (set))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU here"));
      return NULL;
    }
  if (!kt_host_check_cpuset (host, set, error))
    return NULL;
  return g_steal_pointer (&set);
}

/* Several vCPUs on one PU: where each goes; on a group too small for
 * them: why not */
static void
drop_spread (KtMapDrop      *self,
             const KtMapBox *box)
{
  if (self->vcpus->len < 2)
    return;
  if (box->kind != KT_MAP_BOX_PU)
    {
      /* Spread one per pCPU (kt_plan_pin): more vCPUs than pCPUs would
       * double up */
      if (kt_cpuset_count (self->cpus) < self->vcpus->len)
        g_set_error (&self->error, KT_ERROR, KT_ERROR_CONFLICT,
                     ngettext ("%u vCPUs do not fit on %u CPU", "%u vCPUs do not fit on %u CPUs",
                               kt_cpuset_count (self->cpus)),
                     self->vcpus->len, kt_cpuset_count (self->cpus));
      return;
    }
  self->spread = kt_plan_drop_targets (self->plan, self->vm, (const guint *) self->vcpus->data,
                                       self->vcpus->len, box->id, &self->error);
  if (self->spread != NULL)
    {
      self->spread_cpus = kt_cpuset_new ();
      for (guint i = 0; i < self->spread->len; i++)
        kt_cpuset_union_in (self->spread_cpus, g_ptr_array_index (self->spread, i));
    }
}

/**
 * kt_map_drop_new:
 * @plan: the plan the map shows
 * @vm: (nullable): the VM of @vcpus
 * @vcpus: (array length=n_vcpus): the vCPUs dropped
 * @box: where, a box of the map of @plan's host
 *
 * What dropping @vcpus on @box would do, or why it is refused.  Ask
 * again before kt_map_drop_pin () once the plan changed.
 *
 * Returns: (transfer full): the drop
 */
KtMapDrop *
kt_map_drop_new (KtPlan         *plan,
                 KtVm           *vm,
                 const guint    *vcpus,
                 guint           n_vcpus,
                 const KtMapBox *box)
{
  KtMapDrop *self;

  g_return_val_if_fail (KT_IS_PLAN (plan), NULL);
  g_return_val_if_fail (vm == NULL || KT_IS_VM (vm), NULL);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, NULL);
  g_return_val_if_fail (box != NULL, NULL);

  self = g_new0 (KtMapDrop, 1);
  self->plan = g_object_ref (plan);
  self->vm = vm != NULL ? g_object_ref (vm) : NULL;
  self->vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
  if (vm != NULL)
    g_array_append_vals (self->vcpus, vcpus, n_vcpus);

  self->cpus = kt_map_box_get_target_cpus (box, kt_snapshot_get_host (kt_plan_get_snapshot (plan)),
                                           &self->error);
  if (self->cpus != NULL)
    drop_spread (self, box);
  if (self->error != NULL)
    g_clear_pointer (&self->cpus, kt_cpuset_free);
  return self;
}

void
kt_map_drop_free (KtMapDrop *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->plan);
  g_clear_object (&self->vm);
  g_clear_pointer (&self->vcpus, g_array_unref);
  g_clear_pointer (&self->cpus, kt_cpuset_free);
  g_clear_pointer (&self->spread, g_ptr_array_unref);
  g_clear_pointer (&self->spread_cpus, kt_cpuset_free);
  g_clear_error (&self->error);
  g_free (self);
}

gboolean
kt_map_drop_is_allowed (const KtMapDrop *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->cpus != NULL;
}

const char *
kt_map_drop_get_message (const KtMapDrop *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->error != NULL ? self->error->message : NULL;
}

const KtCpuset *
kt_map_drop_get_cpus (const KtMapDrop *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cpus;
}

/**
 * kt_map_drop_get_spread:
 *
 * Returns: (transfer none) (element-type KtCpuset) (nullable): one set
 * per vCPU, in the order given, when several vCPUs go onto one PU
 */
GPtrArray *
kt_map_drop_get_spread (const KtMapDrop *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cpus != NULL ? self->spread : NULL;
}

const KtCpuset *
kt_map_drop_get_spread_cpus (const KtMapDrop *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cpus != NULL ? self->spread_cpus : NULL;
}

/**
 * kt_map_drop_pin:
 *
 * Pins the vCPUs through the plan, in one undo step: each to its own
 * pCPU after a drop on a PU, else all to the box's pCPUs (kt_plan_pin ()
 * spreads them).
 *
 * Returns: whether they were pinned; else @error says why not
 */
gboolean
kt_map_drop_pin (KtMapDrop  *self,
                 GError    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->cpus == NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  if (self->vcpus->len == 0)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                           _("Select one or more vCPUs first"));
      return FALSE;
    }
  if (self->spread != NULL)
    return kt_plan_pin_each (self->plan, self->vm, (const guint *) self->vcpus->data,
                             self->vcpus->len, self->spread, error);
  return kt_plan_pin (self->plan, self->vm, (const guint *) self->vcpus->data, self->vcpus->len,
                      self->cpus, error);
}
