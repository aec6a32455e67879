/* kt-vm.c: one virtual machine: its state and its live and inactive XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-vm.h"

struct _KtVm
{
  GObject    parent_instance;

  char      *name;
  KtVmState  state;
  int        id;
  gboolean   persistent;
  KtDomain  *live;
  KtDomain  *inactive;
};

G_DEFINE_FINAL_TYPE (KtVm, kt_vm, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_names[] = {
  [KT_VM_STATE_NOSTATE] = "nostate",
  [KT_VM_STATE_RUNNING] = "running",
  [KT_VM_STATE_BLOCKED] = "blocked",
  [KT_VM_STATE_PAUSED] = "paused",
  [KT_VM_STATE_SHUTDOWN] = "shutdown",
  [KT_VM_STATE_SHUTOFF] = "shutoff",
  [KT_VM_STATE_CRASHED] = "crashed",
  [KT_VM_STATE_PMSUSPENDED] = "pmsuspended",
};

static void
kt_vm_dispose (GObject *object)
{
  KtVm *self = KT_VM (object);

  g_clear_object (&self->live);
  g_clear_object (&self->inactive);

  G_OBJECT_CLASS (kt_vm_parent_class)->dispose (object);
}

static void
kt_vm_finalize (GObject *object)
{
  KtVm *self = KT_VM (object);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (kt_vm_parent_class)->finalize (object);
}

static void
kt_vm_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  KtVm *self = KT_VM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_vm_class_init (KtVmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_vm_dispose;
  object_class->finalize = kt_vm_finalize;
  object_class->get_property = kt_vm_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, KT_VM_STATE_PMSUSPENDED, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_vm_init (KtVm *self)
{
  self->id = -1;
}

/**
 * kt_vm_new:
 * @live: (nullable): the running definition, for an active VM
 * @inactive: (nullable): the persistent definition
 */
KtVm *
kt_vm_new (const char *name,
           KtVmState   state,
           int         id,
           gboolean    persistent,
           KtDomain   *live,
           KtDomain   *inactive)
{
  KtVm *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (live != NULL || inactive != NULL, NULL);

  self = g_object_new (KT_TYPE_VM, NULL);
  self->name = g_strdup (name);
  self->state = state;
  self->id = id;
  self->persistent = persistent;
  self->live = live ? g_object_ref (live) : NULL;
  self->inactive = inactive ? g_object_ref (inactive) : NULL;
  return self;
}

const char *
kt_vm_get_name (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), NULL);
  return self->name;
}

KtVmState
kt_vm_get_state (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), KT_VM_STATE_NOSTATE);
  return self->state;
}

void
kt_vm_set_state (KtVm      *self,
                 KtVmState  state)
{
  g_return_if_fail (KT_IS_VM (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

int
kt_vm_get_id (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), -1);
  return self->id;
}

gboolean
kt_vm_get_persistent (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), FALSE);
  return self->persistent;
}

gboolean
kt_vm_is_active (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), FALSE);
  return kt_vm_state_is_active (self->state) && self->live != NULL;
}

KtDomain *
kt_vm_get_live (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), NULL);
  return self->live;
}

KtDomain *
kt_vm_get_inactive (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), NULL);
  return self->inactive;
}

/**
 * kt_vm_get_effective:
 *
 * Returns: (transfer none): the definition in force: the live one while
 * the VM runs, else the inactive one
 */
KtDomain *
kt_vm_get_effective (KtVm *self)
{
  g_return_val_if_fail (KT_IS_VM (self), NULL);

  if (kt_vm_is_active (self))
    return self->live;
  return self->inactive ? self->inactive : self->live;
}

/**
 * kt_vm_set_definitions:
 * @live: (nullable): the new live definition, or %NULL to keep the current one
 * @inactive: (nullable): the new inactive definition, or %NULL to keep it
 */
void
kt_vm_set_definitions (KtVm     *self,
                       KtDomain *live,
                       KtDomain *inactive)
{
  g_return_if_fail (KT_IS_VM (self));

  if (live != NULL)
    g_set_object (&self->live, live);
  if (inactive != NULL)
    g_set_object (&self->inactive, inactive);
}

/**
 * kt_vm_update_from:
 * @fresh: the same VM read again from its source
 *
 * Takes @fresh's state, id, persistence and definitions, keeping this
 * object (others hold it: the sidebar, the map, the plan's look-ups).
 * Unlike kt_vm_set_definitions(), a definition @fresh lacks goes: a VM
 * that stopped loses its live one.
 */
void
kt_vm_update_from (KtVm *self,
                   KtVm *fresh)
{
  g_return_if_fail (KT_IS_VM (self));
  g_return_if_fail (KT_IS_VM (fresh));
  g_return_if_fail (g_str_equal (self->name, fresh->name));

  if (self == fresh)
    return;
  self->id = fresh->id;
  self->persistent = fresh->persistent;
  g_set_object (&self->live, fresh->live);
  g_set_object (&self->inactive, fresh->inactive);
  kt_vm_set_state (self, fresh->state);
}

const char *
kt_vm_state_to_string (KtVmState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return "nostate";
  return state_names[state];
}

gboolean
kt_vm_state_from_string (const char *text,
                         KtVmState  *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
kt_vm_state_is_active (KtVmState state)
{
  return state == KT_VM_STATE_RUNNING || state == KT_VM_STATE_BLOCKED
         || state == KT_VM_STATE_PAUSED || state == KT_VM_STATE_SHUTDOWN
         || state == KT_VM_STATE_PMSUSPENDED || state == KT_VM_STATE_CRASHED;
}
