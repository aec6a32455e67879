/* kt-plan.c: pending pin changes, with undo and redo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-placement.h"
#include "kt-plan.h"

typedef struct
{
  char     *vm;
  guint     vcpu;
  KtCpuset *before;   /* NULL: was not pinned */
  KtCpuset *after;
} Edit;

struct _KtPlan
{
  GObject     parent_instance;

  KtSnapshot *snapshot;
  GPtrArray  *undo;       /* GPtrArray of Edit, one per step */
  GPtrArray  *redo;
  GHashTable *originals;  /* "vm\nvcpu" → KtCpuset * (or the sentinel) */
};

G_DEFINE_FINAL_TYPE (KtPlan, kt_plan, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SNAPSHOT,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  CHANGED,
  VM_FORGOTTEN,
  STEP_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Stands for "not pinned" in originals, which cannot hold NULL values
 * apart from absent keys */
static KtCpuset *unpinned_sentinel;

static void
edit_free (gpointer data)
{
  Edit *e = data;

  g_free (e->vm);
  kt_cpuset_free (e->before);
  kt_cpuset_free (e->after);
  g_free (e);
}

static void
original_free (gpointer data)
{
  if (data != unpinned_sentinel)
    kt_cpuset_free (data);
}

static GPtrArray *
step_new (void)
{
  return g_ptr_array_new_with_free_func (edit_free);
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
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
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
  signals[VM_FORGOTTEN] = g_signal_new ("vm-forgotten", G_TYPE_FROM_CLASS (klass),
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
  signals[STEP_ADDED] = g_signal_new ("step-added", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_STRING);

  unpinned_sentinel = kt_cpuset_new ();
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

static char *
key_for (const char *vm,
         guint       vcpu)
{
  return g_strdup_printf ("%s\n%u", vm, vcpu);
}

static KtCpuset *
current_pin (KtVm  *vm,
             guint  vcpu)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  const KtCpuset *pin = kt_tuning_get_vcpupin (t, vcpu);

  return pin ? kt_cpuset_copy (pin) : NULL;
}

/* Sets the pin in every definition the VM has: what runs and what boots */
static void
set_pin (KtVm           *vm,
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

static void
notify_all (KtPlan *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The target's pCPUs, grouped by host core, in map order */
static GPtrArray *
target_cores (KtHost         *host,
              const KtCpuset *target)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (host, target);

  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      g_autoptr(GArray) cores = kt_host_node_cores (host, n);

      for (guint i = 0; i < cores->len; i++)
        {
          const KtHostCore *core = kt_host_get_core (host, g_array_index (cores, guint, i));
          KtCpuset *in = kt_cpuset_intersection (core->cpus, target);

          if (kt_cpuset_is_empty (in))
            kt_cpuset_free (in);
          else
            g_ptr_array_add (groups, in);
        }
    }
  return groups;
}

/* One pCPU per vCPU, in order; a guest core's threads go onto one host
 * core's threads when the target has whole cores to offer */
static GPtrArray *
spread (KtHost         *host,
        const KtTuning *t,
        guint           n_vcpus,
        const KtCpuset *target)
{
  g_autoptr(GPtrArray) cores = target_cores (host, target);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
  g_autoptr(GArray) pus = g_array_new (FALSE, FALSE, sizeof (int));
  guint threads = t->has_topology && t->threads > 1 ? t->threads : 1;
  gboolean whole_cores = threads > 1;

  for (guint i = 0; i < cores->len; i++)
    {
      const KtCpuset *core = g_ptr_array_index (cores, i);

      if (kt_cpuset_count (core) < threads)
        whole_cores = FALSE;
      for (int c = kt_cpuset_first (core); c >= 0; c = kt_cpuset_next (core, c))
        g_array_append_val (pus, c);
    }

  if (whole_cores)
    {
      /* Guest core g (vCPUs g*threads …) onto host core g */
      for (guint v = 0; v < n_vcpus; v++)
        {
          const KtCpuset *core = g_ptr_array_index (cores, (v / threads) % cores->len);
          int pu = kt_cpuset_first (core);
          KtCpuset *set = kt_cpuset_new ();

          for (guint k = 0; k < v % threads; k++)
            pu = kt_cpuset_next (core, pu);
          kt_cpuset_add (set, pu);
          g_ptr_array_add (out, set);
        }
      return out;
    }

  for (guint v = 0; v < n_vcpus; v++)
    {
      KtCpuset *set = kt_cpuset_new ();

      kt_cpuset_add (set, g_array_index (pus, int, v % pus->len));
      g_ptr_array_add (out, set);
    }
  return out;
}

/* The pCPUs that another thread is pinned to: every pinned placement
 * (vCPU, emulator, I/O thread, of any VM) but @vm's @moving vCPUs */
static KtCpuset *
busy_cpus (KtSnapshot  *snapshot,
           KtVm        *vm,
           const guint *moving,
           guint        n_moving)
{
  g_autoptr(GPtrArray) placements = kt_placement_list (snapshot);
  KtCpuset *busy = kt_cpuset_new ();

  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      gboolean moves = FALSE;

      if (!p->pinned)
        continue;
      for (guint m = 0; p->vm == vm && p->kind == KT_THREAD_VCPU && m < n_moving; m++)
        moves |= moving[m] == p->index;
      if (!moves)
        kt_cpuset_union_in (busy, p->allowed);
    }
  return busy;
}

/* @cpu's node's cores, in the order a drop on @cpu fills them: its own
 * core, the rest of its L3 group, the rest of the node; each from the
 * dropped core on, wrapping around */
static GArray *
drop_core_order (KtHost *host,
                 int     cpu)
{
  const KtHostCpu *c = kt_host_lookup_cpu (host, cpu);
  g_autoptr(GArray) cores = kt_host_node_cores (host, c->node);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  guint start = 0;

  for (guint i = 0; i < cores->len; i++)
    if (g_array_index (cores, guint, i) == c->core_index)
      start = i;
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < cores->len; k++)
      {
        guint index = g_array_index (cores, guint, (start + k) % cores->len);
        const KtHostCore *core = kt_host_get_core (host, index);
        int l3 = kt_host_lookup_cpu (host, kt_cpuset_first (core->cpus))->l3;
        gboolean same_l3 = l3 == c->l3;

        if ((pass == 0) == same_l3)
          g_array_append_val (order, index);
      }
  return order;
}

/**
 * kt_plan_drop_targets:
 * @vcpus: (array length=n_vcpus): the vCPUs of @vm being dropped
 * @cpu: the pCPU they are dropped on
 *
 * Where a drop of @vcpus on the pCPU @cpu puts each of them: @cpu
 * itself, then the free pCPUs (no other thread pinned there) of its
 * core, of its L3 group, then of its NUMA node.  The threads of one
 * guest core (its <topology threads>) stay together on one host core.
 *
 * Returns: (transfer full) (element-type KtCpuset) (nullable): one
 * single-pCPU set per vCPU, in the order of @vcpus; NULL with @error when
 * the node has not enough free pCPUs or cores
 */
GPtrArray *
kt_plan_drop_targets (KtPlan       *self,
                      KtVm         *vm,
                      const guint  *vcpus,
                      guint         n_vcpus,
                      int           cpu,
                      GError      **error)
{
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) busy = NULL;
  g_autoptr(GArray) order = NULL;
  g_autoptr(GPtrArray) free_of = NULL;   /* per entry of order: GArray of int */
  g_autoptr(GPtrArray) out = NULL;
  const KtHostCpu *c;
  KtHost *host;
  guint threads, n_free = 0;

  g_return_val_if_fail (KT_IS_PLAN (self), NULL);
  g_return_val_if_fail (KT_IS_VM (vm), NULL);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, NULL);

  host = kt_snapshot_get_host (self->snapshot);
  c = kt_host_lookup_cpu (host, cpu);
  if (c == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("The host has no CPU %d"), cpu);
      return NULL;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  threads = t->has_topology && t->threads > 1 ? t->threads : 1;
  busy = busy_cpus (self->snapshot, vm, vcpus, n_vcpus);
  order = drop_core_order (host, cpu);
  free_of = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < order->len; i++)
    {
      const KtHostCore *core = kt_host_get_core (host, g_array_index (order, guint, i));
      GArray *list = g_array_new (FALSE, FALSE, sizeof (int));

      /* The pCPU aimed at comes first, free or not */
      if (i == 0)
        g_array_append_val (list, cpu);
      for (int p = kt_cpuset_first (core->cpus); p >= 0; p = kt_cpuset_next (core->cpus, p))
        if (p != cpu && !kt_cpuset_contains (busy, (guint) p)
            && kt_cpuset_contains (kt_host_get_online_cpus (host), (guint) p))
          g_array_append_val (list, p);
      n_free += list->len;
      g_ptr_array_add (free_of, list);
    }
  if (n_free < n_vcpus)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   ngettext ("NUMA node %d has %u free CPU for %u vCPUs",
                             "NUMA node %d has %u free CPUs for %u vCPUs", n_free),
                   c->node, n_free, n_vcpus);
      return NULL;
    }
  /* A host with fewer threads per core cannot keep them together */
  if (kt_cpuset_count (kt_host_get_core (host, c->core_index)->cpus) < threads)
    threads = 1;

  out = g_ptr_array_new_full (n_vcpus, (GDestroyNotify) kt_cpuset_free);
  g_ptr_array_set_size (out, n_vcpus);
  for (guint i = 0; i < n_vcpus; i++)
    {
      guint group[64];
      guint k = 0;
      gboolean placed = FALSE;

      if (g_ptr_array_index (out, i) != NULL)
        continue;
      /* The moving vCPUs of this one's guest core, this one first */
      for (guint j = i; j < n_vcpus && k < G_N_ELEMENTS (group); j++)
        if (g_ptr_array_index (out, j) == NULL && vcpus[j] / threads == vcpus[i] / threads)
          group[k++] = j;
      for (guint e = 0; e < free_of->len && !placed; e++)
        {
          GArray *list = g_ptr_array_index (free_of, e);

          if (list->len < k)
            continue;
          for (guint m = 0; m < k; m++)
            {
              KtCpuset *set = kt_cpuset_new ();

              kt_cpuset_add (set, (guint) g_array_index (list, int, 0));
              g_array_remove_index (list, 0);
              g_ptr_array_index (out, group[m]) = set;
            }
          placed = TRUE;
        }
      if (!placed)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("NUMA node %d has not enough free cores to keep the threads of "
                         "each of “%s”’s guest cores together"),
                       c->node, kt_vm_get_name (vm));
          return NULL;
        }
    }
  return g_steal_pointer (&out);
}

static void
apply_edit (KtPlan     *self,
            const Edit *e,
            gboolean    forward)
{
  KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, e->vm);

  if (vm != NULL)
    set_pin (vm, e->vcpu, forward ? e->after : e->before);
}

/* Checks that @vm is the snapshot's and has @vcpus */
static gboolean
check_vcpus (KtPlan       *self,
             KtVm         *vm,
             const guint  *vcpus,
             guint         n_vcpus,
             GError      **error)
{
  g_autoptr(KtTuning) t = NULL;

  if (kt_snapshot_lookup_vm (self->snapshot, kt_vm_get_name (vm)) != vm)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("VM “%s” is no longer there"), kt_vm_get_name (vm));
      return FALSE;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint i = 0; i < n_vcpus; i++)
    if (vcpus[i] >= t->vcpus)
      {
        g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                     _("VM “%s” has no vCPU %u (it has %u)"), kt_vm_get_name (vm), vcpus[i],
                     t->vcpus);
        return FALSE;
      }
  return TRUE;
}

/* One undo step: @vcpus[i] onto @sets[i].  Where each vCPU was before
 * the step comes from @t, read once: asking the edited domain again after
 * every pin would parse it again every time (quadratic in the vCPUs) */
static void
pin_step (KtPlan          *self,
          KtVm            *vm,
          KtTuning        *t,
          const guint     *vcpus,
          guint            n_vcpus,
          GPtrArray       *sets)
{
  g_autoptr(GPtrArray) step = step_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n_vcpus; i++)
    {
      Edit *e = g_new0 (Edit, 1);
      g_autofree char *key = key_for (kt_vm_get_name (vm), vcpus[i]);
      Edit *earlier = g_hash_table_lookup (seen, GUINT_TO_POINTER (vcpus[i]));
      const KtCpuset *before = earlier ? earlier->after : kt_tuning_get_vcpupin (t, vcpus[i]);

      e->vm = g_strdup (kt_vm_get_name (vm));
      e->vcpu = vcpus[i];
      e->before = before ? kt_cpuset_copy (before) : NULL;
      g_hash_table_insert (seen, GUINT_TO_POINTER (vcpus[i]), e);
      e->after = kt_cpuset_copy (g_ptr_array_index (sets, i));
      if (!g_hash_table_contains (self->originals, key))
        g_hash_table_insert (self->originals, g_steal_pointer (&key),
                             e->before ? kt_cpuset_copy (e->before) : unpinned_sentinel);
      apply_edit (self, e, TRUE);
      g_ptr_array_add (step, e);
    }

  g_ptr_array_add (self->undo, g_steal_pointer (&step));
  g_ptr_array_set_size (self->redo, 0);
  g_signal_emit (self, signals[STEP_ADDED], 0, kt_vm_get_name (vm));
  notify_all (self);
}

/**
 * kt_plan_pin:
 * @vcpus: (array length=n_vcpus): the vCPUs to move
 * @target: the pCPUs to put them on
 *
 * One vCPU gets the whole @target.  Several are spread one per pCPU of
 * @target in order, keeping each guest core's threads on one host core
 * where @target has whole cores.  One undo step either way.
 */
gboolean
kt_plan_pin (KtPlan          *self,
             KtVm            *vm,
             const guint     *vcpus,
             guint            n_vcpus,
             const KtCpuset  *target,
             GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  KtHost *host;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  host = kt_snapshot_get_host (self->snapshot);
  if (!check_vcpus (self, vm, NULL, 0, error))
    return FALSE;
  if (n_vcpus == 0)
    return TRUE;
  if (kt_cpuset_is_empty (target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU to pin to"));
      return FALSE;
    }
  if (!kt_host_check_cpuset (host, target, error))
    return FALSE;
  if (!check_vcpus (self, vm, vcpus, n_vcpus, error))
    return FALSE;

  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  if (n_vcpus == 1)
    {
      sets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpuset_free);
      g_ptr_array_add (sets, kt_cpuset_copy (target));
    }
  else
    sets = spread (host, t, n_vcpus, target);

  pin_step (self, vm, t, vcpus, n_vcpus, sets);
  return TRUE;
}

/**
 * kt_plan_pin_each:
 * @vcpus: (array length=n_vcpus): the vCPUs to move
 * @targets: (element-type KtCpuset): one pin set per vCPU, as
 *   kt_plan_drop_targets() gives
 *
 * Pins @vcpus[i] to @targets[i], in one undo step.
 */
gboolean
kt_plan_pin_each (KtPlan          *self,
                  KtVm            *vm,
                  const guint     *vcpus,
                  guint            n_vcpus,
                  GPtrArray       *targets,
                  GError         **error)
{
  g_autoptr(KtTuning) t = NULL;
  KtHost *host;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);
  g_return_val_if_fail (vcpus != NULL || n_vcpus == 0, FALSE);
  g_return_val_if_fail (targets != NULL && targets->len == n_vcpus, FALSE);

  host = kt_snapshot_get_host (self->snapshot);
  if (!check_vcpus (self, vm, vcpus, n_vcpus, error))
    return FALSE;
  if (n_vcpus == 0)
    return TRUE;
  for (guint i = 0; i < n_vcpus; i++)
    {
      const KtCpuset *set = g_ptr_array_index (targets, i);

      if (kt_cpuset_is_empty (set))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("There is no CPU to pin to"));
          return FALSE;
        }
      if (!kt_host_check_cpuset (host, set, error))
        return FALSE;
    }
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  pin_step (self, vm, t, vcpus, n_vcpus, targets);
  return TRUE;
}

gboolean
kt_plan_can_undo (KtPlan *self)
{
  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  return self->undo->len > 0;
}

gboolean
kt_plan_can_redo (KtPlan *self)
{
  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  return self->redo->len > 0;
}

gboolean
kt_plan_undo (KtPlan *self)
{
  GPtrArray *step;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);

  if (self->undo->len == 0)
    return FALSE;
  step = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  for (guint i = step->len; i > 0; i--)
    apply_edit (self, g_ptr_array_index (step, i - 1), FALSE);
  g_ptr_array_add (self->redo, step);
  notify_all (self);
  return TRUE;
}

gboolean
kt_plan_redo (KtPlan *self)
{
  GPtrArray *step;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);

  if (self->redo->len == 0)
    return FALSE;
  step = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  for (guint i = 0; i < step->len; i++)
    apply_edit (self, g_ptr_array_index (step, i), TRUE);
  g_ptr_array_add (self->undo, step);
  notify_all (self);
  return TRUE;
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

  key = key_for (kt_vm_get_name (vm), vcpu);
  orig = g_hash_table_lookup (self->originals, key);
  return orig == unpinned_sentinel ? NULL : orig;
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

  key = key_for (kt_vm_get_name (vm), vcpu);
  if (!g_hash_table_lookup_extended (self->originals, key, NULL, (gpointer *) &orig))
    return FALSE;
  now = current_pin (vm, vcpu);
  if (orig == unpinned_sentinel)
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

/* Takes @name's edits out of every step of @steps; steps left empty go */
static void
forget_in_steps (GPtrArray  *steps,
                 const char *name)
{
  for (guint i = steps->len; i > 0; i--)
    {
      GPtrArray *step = g_ptr_array_index (steps, i - 1);

      for (guint j = step->len; j > 0; j--)
        {
          const Edit *e = g_ptr_array_index (step, j - 1);

          if (g_str_equal (e->vm, name))
            g_ptr_array_remove_index (step, j - 1);
        }
      if (step->len == 0)
        g_ptr_array_remove_index (steps, i - 1);
    }
}

/**
 * kt_plan_forget_vm:
 * @name: the VM's name
 *
 * What is planned for @name now is what it has: its pins stop being
 * pending, and undo and redo no longer touch it.  The definitions in the
 * snapshot are left as they are.  Emits "changed" when something was
 * forgotten.
 */
void
kt_plan_forget_vm (KtPlan     *self,
                   const char *name)
{
  g_autofree char *prefix = NULL;
  GHashTableIter iter;
  gpointer key;
  guint before;

  g_return_if_fail (KT_IS_PLAN (self));
  g_return_if_fail (name != NULL);

  before = g_hash_table_size (self->originals) + self->undo->len + self->redo->len;
  prefix = g_strconcat (name, "\n", NULL);
  g_hash_table_iter_init (&iter, self->originals);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
  forget_in_steps (self->undo, name);
  forget_in_steps (self->redo, name);

  if (g_hash_table_size (self->originals) + self->undo->len + self->redo->len != before)
    {
      g_signal_emit (self, signals[VM_FORGOTTEN], 0, name);
      notify_all (self);
    }
}

/* Rebasing on a VM read again -------------------------------------------- */

static gboolean
cpuset_same (const KtCpuset *a,
             const KtCpuset *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return kt_cpuset_equal (a, b);
}

/**
 * kt_plan_rebase_vm:
 * @name: a VM whose definitions were just replaced by fresh ones read from
 *   its source (kt_connection_refresh_vm()), or that is gone
 *
 * Carries the plan over to the fresh definitions.  When every vCPU the
 * plan moved still has, in them, the pin the plan started from (or the one
 * it plans), the planned pins go back in and stay pending.  When one was
 * changed by someone else, or the VM is gone, the plan forgets that VM
 * (kt_plan_forget_vm()): the fresh definitions stay as they are.  Other
 * VMs' edits are kept either way.
 *
 * Emits #KtPlan::changed only when edits were forgotten.
 *
 * Returns: whether pending edits were dropped
 */
gboolean
kt_plan_rebase_vm (KtPlan     *self,
                   const char *name)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GHashTable) planned = NULL;   /* vcpu → KtCpuset * (borrowed; NULL: unpinned) */
  g_autoptr(GArray) vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer key, value;
  gboolean had_pending = FALSE, conflict = FALSE;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_PLAN (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  prefix = g_strconcat (name, "\n", NULL);
  planned = g_hash_table_new (NULL, NULL);

  /* The vCPUs the plan moved, with what it started from... */
  g_hash_table_iter_init (&iter, self->originals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix))
      {
        guint vcpu = (guint) g_ascii_strtoull ((const char *) key + strlen (prefix), NULL, 10);

        g_array_append_val (vcpus, vcpu);
        g_hash_table_insert (planned, GUINT_TO_POINTER (vcpu),
                             value == unpinned_sentinel ? NULL : value);
      }
  if (vcpus->len == 0)
    return FALSE;

  /* ... and where the steps done so far put them */
  for (guint s = 0; s < self->undo->len; s++)
    {
      GPtrArray *step = g_ptr_array_index (self->undo, s);

      for (guint i = 0; i < step->len; i++)
        {
          const Edit *e = g_ptr_array_index (step, i);

          if (g_str_equal (e->vm, name))
            g_hash_table_insert (planned, GUINT_TO_POINTER (e->vcpu), e->after);
        }
    }

  vm = kt_snapshot_lookup_vm (self->snapshot, name);
  for (guint i = 0; i < vcpus->len; i++)
    {
      guint vcpu = g_array_index (vcpus, guint, i);
      g_autofree char *k = key_for (name, vcpu);
      KtCpuset *orig = g_hash_table_lookup (self->originals, k);
      const KtCpuset *want = g_hash_table_lookup (planned, GUINT_TO_POINTER (vcpu));
      g_autoptr(KtCpuset) now = vm != NULL ? current_pin (vm, vcpu) : NULL;

      if (orig == unpinned_sentinel)
        orig = NULL;
      if (!cpuset_same (want, orig))
        had_pending = TRUE;
      if (vm == NULL || (!cpuset_same (now, orig) && !cpuset_same (now, want)))
        conflict = TRUE;
    }

  if (!conflict)
    {
      /* Read once: the vCPUs are distinct, and each set_pin () would make
       * the next read parse the edited domain again */
      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

      for (guint i = 0; i < vcpus->len; i++)
        {
          guint vcpu = g_array_index (vcpus, guint, i);
          const KtCpuset *want = g_hash_table_lookup (planned, GUINT_TO_POINTER (vcpu));

          if (!cpuset_same (kt_tuning_get_vcpupin (t, vcpu), want))
            set_pin (vm, vcpu, want);
        }
      return FALSE;
    }

  kt_plan_forget_vm (self, name);
  return had_pending;
}
