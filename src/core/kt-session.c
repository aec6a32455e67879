/* kt-session.c: one opened host, with everything pending on it
 *
 * The history of steps to undo and redo, and the revisions they make, are
 * in kt-session-history.c; what is pending, counted and described, in
 * kt-session-pending.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-session-private.h"

G_DEFINE_FINAL_TYPE (KtSession, kt_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SNAPSHOT,
  PROP_CONNECTION,
  PROP_PLAN,
  PROP_PATH,
  PROP_TITLE,
  PROP_READ_ONLY,
  PROP_N_PENDING,
  PROP_REVISION,
  PROP_SAVED_REVISION,
  PROP_DIRTY,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_UNDO_LABEL,
  PROP_REDO_LABEL,
  PROP_BUSY,
  N_PROPS
};

enum {
  CHANGED,
  VM_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
applied_free (gpointer data)
{
  Applied *a = data;

  g_clear_object (&a->base);
  g_free (a);
}

/* Notifications ---------------------------------------------------------- */

void
kt_session_priv_update (KtSession *self)
{
  guint n = kt_session_get_n_pending (self);
  gboolean dirty = kt_session_is_dirty (self);
  gboolean can_undo = self->undo->len > 0;
  gboolean can_redo = self->redo->len > 0;
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (n != self->n_pending)
    {
      self->n_pending = n;
      g_object_notify_by_pspec (object, properties[PROP_N_PENDING]);
    }
  if (dirty != self->dirty)
    {
      self->dirty = dirty;
      g_object_notify_by_pspec (object, properties[PROP_DIRTY]);
    }
  if (can_undo != self->can_undo)
    {
      self->can_undo = can_undo;
      g_object_notify_by_pspec (object, properties[PROP_CAN_UNDO]);
    }
  if (can_redo != self->can_redo)
    {
      self->can_redo = can_redo;
      g_object_notify_by_pspec (object, properties[PROP_CAN_REDO]);
    }
  /* Cheap, and they follow every step */
  g_object_notify_by_pspec (object, properties[PROP_REVISION]);
  g_object_notify_by_pspec (object, properties[PROP_UNDO_LABEL]);
  g_object_notify_by_pspec (object, properties[PROP_REDO_LABEL]);
  g_object_thaw_notify (object);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
kt_session_priv_set_busy (KtSession *self,
                          gboolean   busy)
{
  gboolean was = self->busy > 0;

  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;
  if (was != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_plan_changed (KtSession *self)
{
  if (self->frozen == 0)
    kt_session_priv_update (self);
}

/* A pin, made through the session or straight into the plan (the map) */
static void
on_plan_step_added (KtSession  *self,
                    const char *name)
{
  kt_session_priv_push_step (self, STEP_PIN, name);
}

/* The plan forgot @name by itself (kt_plan_rebase_vm ()): so do we, for
 * its pins */
static void
on_plan_vm_forgotten (KtSession  *self,
                      const char *name)
{
  gboolean removed = kt_session_priv_remove_steps (self->undo, name, TRUE);

  removed |= kt_session_priv_remove_steps (self->redo, name, TRUE);
  if (removed && self->frozen == 0)
    kt_session_priv_renumber (self, FALSE);
}

/* GObject ---------------------------------------------------------------- */

static void
kt_session_dispose (GObject *object)
{
  KtSession *self = KT_SESSION (object);

  kt_session_priv_stop_live (self);
  g_clear_object (&self->live);

  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_data (self->plan, self);
  g_clear_object (&self->plan);
  g_clear_object (&self->connection);
  g_clear_object (&self->snapshot);
  g_clear_pointer (&self->applied, g_hash_table_unref);
  kt_session_priv_host_free (self);

  G_OBJECT_CLASS (kt_session_parent_class)->dispose (object);
}

static void
kt_session_finalize (GObject *object)
{
  KtSession *self = KT_SESSION (object);

  g_free (self->path);
  g_free (self->title);
  g_hash_table_unref (self->edits);
  g_ptr_array_unref (self->undo);
  g_ptr_array_unref (self->redo);
  g_clear_pointer (&self->domain_files, g_hash_table_unref);

  G_OBJECT_CLASS (kt_session_parent_class)->finalize (object);
}

static void
kt_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KtSession *self = KT_SESSION (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      g_value_set_object (value, self->snapshot);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TITLE:
      g_value_set_string (value, kt_session_get_title (self));
      break;
    case PROP_READ_ONLY:
      g_value_set_boolean (value, kt_session_is_read_only (self));
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, kt_session_get_n_pending (self));
      break;
    case PROP_REVISION:
      g_value_set_uint64 (value, self->revision);
      break;
    case PROP_SAVED_REVISION:
      g_value_set_uint64 (value, self->saved_rev);
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, kt_session_is_dirty (self));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, kt_session_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, kt_session_can_redo (self));
      break;
    case PROP_UNDO_LABEL:
      g_value_set_string (value, kt_session_get_undo_label (self));
      break;
    case PROP_REDO_LABEL:
      g_value_set_string (value, kt_session_get_redo_label (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KtSession *self = KT_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      kt_session_set_connection (self, g_value_get_object (value));
      break;
    case PROP_PATH:
      kt_session_set_path (self, g_value_get_string (value));
      break;
    case PROP_TITLE:
      kt_session_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_session_class_init (KtSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_session_dispose;
  object_class->finalize = kt_session_finalize;
  object_class->get_property = kt_session_get_property;
  object_class->set_property = kt_session_set_property;

  properties[PROP_SNAPSHOT] =
    g_param_spec_object ("snapshot", NULL, NULL, KT_TYPE_SNAPSHOT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, KT_TYPE_CONNECTION, rw);
  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, KT_TYPE_PLAN,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, rw);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, ro);
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REVISION] =
    g_param_spec_uint64 ("revision", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_SAVED_REVISION] =
    g_param_spec_uint64 ("saved-revision", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_DIRTY] = g_param_spec_boolean ("dirty", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_REDO] = g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, ro);
  properties[PROP_UNDO_LABEL] = g_param_spec_string ("undo-label", NULL, NULL, NULL, ro);
  properties[PROP_REDO_LABEL] = g_param_spec_string ("redo-label", NULL, NULL, NULL, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KtSession::changed:
   *
   * Something pending, undoable or saved changed: a pin, an edit, an
   * undo or redo, an apply, a reload, a save.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * KtSession::vm-changed:
   * @name: the VM's name
   * @snapshot_edited: the snapshot itself was edited (no connection)
   *
   * The VM's definitions were replaced: applied, undone or reloaded.
   */
  signals[VM_CHANGED] = g_signal_new ("vm-changed", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                      2, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
kt_session_init (KtSession *self)
{
  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) kt_edits_free);
  self->undo = g_ptr_array_new_with_free_func (kt_session_priv_step_free);
  self->redo = g_ptr_array_new_with_free_func (kt_session_priv_step_free);
  self->applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, applied_free);
}

/**
 * kt_session_new:
 *
 * Returns: (transfer full): a session with nothing pending, saved
 */
KtSession *
kt_session_new (KtSnapshot   *snapshot,
                KtConnection *connection,
                const char   *path)
{
  KtSession *self;

  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (connection == NULL || KT_IS_CONNECTION (connection), NULL);

  self = g_object_new (KT_TYPE_SESSION, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->connection = connection != NULL ? g_object_ref (connection) : NULL;
  self->path = g_strdup (path);
  self->plan = kt_plan_new (snapshot);
  g_signal_connect_swapped (self->plan, "changed", G_CALLBACK (on_plan_changed), self);
  g_signal_connect_swapped (self->plan, "step-added", G_CALLBACK (on_plan_step_added), self);
  g_signal_connect_swapped (self->plan, "vm-forgotten", G_CALLBACK (on_plan_vm_forgotten),
                            self);
  if (connection != NULL)
    kt_session_priv_start_live (self);
  return self;
}

KtSnapshot *
kt_session_get_snapshot (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->snapshot;
}

KtPlan *
kt_session_get_plan (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->plan;
}

KtConnection *
kt_session_get_connection (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->connection;
}

/**
 * kt_session_set_connection:
 * @connection: (nullable): the connection now in use (a reconnection)
 */
void
kt_session_set_connection (KtSession    *self,
                           KtConnection *connection)
{
  gboolean read_only;

  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (connection == NULL || KT_IS_CONNECTION (connection));

  read_only = kt_session_is_read_only (self);
  if (!g_set_object (&self->connection, connection))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  if (!self->title_set)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  if (read_only != kt_session_is_read_only (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
}

const char *
kt_session_get_path (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  return self->path;
}

void
kt_session_set_path (KtSession  *self,
                     const char *path)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  if (!self->title_set)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
kt_session_get_title (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);

  if (self->title_set)
    return self->title;
  g_clear_pointer (&self->title, g_free);
  if (self->connection != NULL && kt_connection_is_read_only (self->connection))
    /* Translators: a libvirt URI opened read-only */
    self->title = g_strdup_printf (_("%s (read-only)"), kt_connection_get_uri (self->connection));
  else if (self->connection != NULL)
    self->title = g_strdup (kt_connection_get_uri (self->connection));
  else if (self->path != NULL)
    self->title = g_path_get_basename (self->path);
  return self->title;
}

/**
 * kt_session_set_title:
 * @title: (nullable): what to call it ("Demo host"); %NULL: from the
 *   connection or the path
 */
void
kt_session_set_title (KtSession  *self,
                      const char *title)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (self->title_set && g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  self->title_set = title != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
kt_session_is_read_only (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  return self->connection != NULL && kt_connection_is_read_only (self->connection);
}

gboolean
kt_session_is_busy (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  return self->busy > 0;
}

/* Changes ---------------------------------------------------------------- */

/* Copies of @vm's definitions with @edits made: what gets applied (the
 * live one only while it runs); only those @flags names (0: both) */
gboolean
kt_session_priv_make_targets (KtVm           *vm,
                              const KtEdits  *edits,
                              KtApplyFlags    flags,
                              KtDomain      **live,
                              KtDomain      **config,
                              GError        **error)
{
  g_autoptr(KtDomain) l = NULL;
  g_autoptr(KtDomain) c = NULL;

  if (flags == 0)
    flags = KT_APPLY_LIVE | KT_APPLY_CONFIG;
  if ((flags & KT_APPLY_LIVE) && kt_vm_is_active (vm) && kt_vm_get_live (vm) != NULL)
    {
      l = kt_domain_copy (kt_vm_get_live (vm));
      if (!kt_edits_replay (edits, l, error))
        {
          g_prefix_error (error, _("Running definition: "));
          return FALSE;
        }
    }
  if ((flags & KT_APPLY_CONFIG) && kt_vm_get_inactive (vm) != NULL)
    {
      c = kt_domain_copy (kt_vm_get_inactive (vm));
      if (!kt_edits_replay (edits, c, error))
        {
          g_prefix_error (error, _("Config: "));
          return FALSE;
        }
    }
  if (live != NULL)
    *live = g_steal_pointer (&l);
  if (config != NULL)
    *config = g_steal_pointer (&c);
  return TRUE;
}

KtVm *
kt_session_priv_lookup_vm (KtSession   *self,
                           const char  *name,
                           GError     **error)
{
  KtVm *vm = kt_snapshot_lookup_vm (self->snapshot, name);

  if (vm == NULL)
    g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("There is no VM “%s”"), name);
  return vm;
}

gboolean
kt_session_pin (KtSession       *self,
                KtVm            *vm,
                const guint     *vcpus,
                guint            n_vcpus,
                const KtCpuset  *target,
                GError         **error)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (KT_IS_VM (vm), FALSE);

  /* The step comes in through "step-added" */
  return kt_plan_pin (self->plan, vm, vcpus, n_vcpus, target, error);
}

/**
 * kt_session_get_edits:
 *
 * Returns: (transfer none) (nullable): the VM's pending edits
 */
const KtEdits *
kt_session_get_edits (KtSession  *self,
                      const char *name)
{
  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->edits, name);
}

gboolean
kt_session_set_edits (KtSession      *self,
                      const char     *name,
                      const KtEdits  *edits,
                      GError        **error)
{
  return kt_session_set_edits_full (self, name, edits, 0, error);
}

/* Checks only the definitions @flags names (0: every one) */
gboolean
kt_session_set_edits_full (KtSession      *self,
                           const char     *name,
                           const KtEdits  *edits,
                           KtApplyFlags    flags,
                           GError        **error)
{
  const KtEdits *now;
  Step *s;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  vm = kt_session_priv_lookup_vm (self, name, error);
  if (vm == NULL)
    return FALSE;
  now = g_hash_table_lookup (self->edits, name);
  if (kt_edits_equal (now, edits))
    return TRUE;
  if (!kt_session_priv_make_targets (vm, edits, flags, NULL, NULL, error))
    return FALSE;

  s = kt_session_priv_push_step (self, STEP_EDITS, name);
  s->before = now != NULL ? kt_edits_copy (now) : NULL;
  s->after = kt_edits_count (edits) > 0 ? kt_edits_copy (edits) : NULL;
  kt_session_priv_set_vm_edits (self, name, edits);
  kt_session_priv_update (self);
  return TRUE;
}

gboolean
kt_session_discard_edits (KtSession  *self,
                          const char *name)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_hash_table_contains (self->edits, name))
    return FALSE;
  return kt_session_set_edits (self, name, NULL, NULL);
}

/**
 * kt_session_forget_vm:
 *
 * Nothing is pending on the VM any more: its edits, its planned pins and
 * its undo and redo steps go; its definitions stay as they are.
 */
void
kt_session_forget_vm (KtSession  *self,
                      const char *name)
{
  g_return_if_fail (KT_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  kt_session_priv_vm_replaced (self, name, FALSE);
}

/* Saved or not ----------------------------------------------------------- */

guint64
kt_session_get_revision (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), 0);
  return self->revision;
}

guint64
kt_session_get_saved_revision (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), 0);
  return self->saved_rev;
}

gboolean
kt_session_is_dirty (KtSession *self)
{
  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  return self->revision != self->saved_rev || kt_session_priv_host_n_pending (self) > 0;
}

void
kt_session_mark_saved (KtSession *self)
{
  g_return_if_fail (KT_IS_SESSION (self));

  if (self->saved_rev == self->revision)
    return;
  self->saved_rev = self->revision;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVED_REVISION]);
  kt_session_priv_update (self);
}

/* The VM's definitions were replaced: nothing of it is pending any more */
void
kt_session_priv_vm_replaced (KtSession  *self,
                             const char *name,
                             gboolean    snapshot_edited)
{
  g_autofree char *vm_name = g_strdup (name);

  g_hash_table_remove (self->edits, vm_name);
  self->frozen++;
  kt_plan_forget_vm (self->plan, vm_name);
  self->frozen--;
  kt_session_priv_remove_steps (self->undo, vm_name, FALSE);
  kt_session_priv_remove_steps (self->redo, vm_name, FALSE);
  kt_session_priv_renumber (self, snapshot_edited);
  g_signal_emit (self, signals[VM_CHANGED], 0, vm_name, snapshot_edited);
  kt_session_priv_update (self);
}

void
kt_session_priv_emit_vm_changed (KtSession  *self,
                                 const char *name)
{
  g_signal_emit (self, signals[VM_CHANGED], 0, name, FALSE);
}
