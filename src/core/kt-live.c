/* kt-live.c: keeps a snapshot of a libvirt connection up to date
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-live.h"
#include "kt-observed.h"

#define REFRESH_DELAY_MS    150   /* events come in bursts: one read for all */
#define RECONNECT_INTERVAL  2     /* s */
#define OBSERVE_INTERVAL    2     /* s */

struct _KtLive
{
  GObject       parent_instance;

  KtConnection *connection;
  KtSnapshot   *snapshot;
  KtPlan       *plan;
  char         *uri;
  gboolean      read_only;
  gboolean      connected;
  GCancellable *cancellable;   /* kt_live_stop () */

  /* Re-reading VMs */
  GHashTable   *dirty;         /* names to read again */
  guint         refresh_id;
  gboolean      refreshing;

  /* Reconnecting */
  guint         reconnect_id;
  gboolean      reconnecting;

  /* Where vCPUs run */
  gboolean      wanted;        /* kt_live_set_observing () */
  guint         observe_id;
  gboolean      observing;     /* a query runs */
  GHashTable   *observed;
};

G_DEFINE_FINAL_TYPE (KtLive, kt_live, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  CHANGED,
  EDITS_DROPPED,
  OBSERVED_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void set_connection (KtLive *self, KtConnection *connection);
static void update_observing (KtLive *self);

static void
kt_live_dispose (GObject *object)
{
  KtLive *self = KT_LIVE (object);

  kt_live_stop (self);
  set_connection (self, NULL);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->plan);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->observed, g_hash_table_unref);

  G_OBJECT_CLASS (kt_live_parent_class)->dispose (object);
}

static void
kt_live_finalize (GObject *object)
{
  KtLive *self = KT_LIVE (object);

  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->uri, g_free);

  G_OBJECT_CLASS (kt_live_parent_class)->finalize (object);
}

static void
kt_live_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  KtLive *self = KT_LIVE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_live_class_init (KtLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_live_dispose;
  object_class->finalize = kt_live_finalize;
  object_class->get_property = kt_live_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, KT_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EDITS_DROPPED] = g_signal_new ("edits-dropped", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[OBSERVED_CHANGED] = g_signal_new ("observed-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
}

static void
kt_live_init (KtLive *self)
{
  self->connected = TRUE;
  self->cancellable = g_cancellable_new ();
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
stopped (KtLive *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* Brings one VM of the snapshot up to date with @fresh (NULL: gone) and
 * carries the plan over; TRUE when pending edits were dropped */
static gboolean
apply_vm (KtLive     *self,
          const char *name,
          KtVm       *fresh)
{
  kt_snapshot_update_vm (self->snapshot, name, fresh);
  if (self->plan == NULL || !kt_plan_rebase_vm (self->plan, name))
    return FALSE;
  g_signal_emit (self, signals[EDITS_DROPPED], 0, name);
  return TRUE;
}

/* Re-reading VMs --------------------------------------------------------- */

typedef struct
{
  KtConnection *connection;
  GStrv         names;
} RefreshRequest;

typedef struct
{
  char   *name;
  KtVm   *vm;      /* NULL: gone, or error */
  GError *error;
} RefreshResult;

static void
refresh_request_free (gpointer data)
{
  RefreshRequest *req = data;

  g_object_unref (req->connection);
  g_strfreev (req->names);
  g_free (req);
}

static void
refresh_result_free (gpointer data)
{
  RefreshResult *r = data;

  g_free (r->name);
  g_clear_object (&r->vm);
  g_clear_error (&r->error);
  g_free (r);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshRequest *req = task_data;
  GPtrArray *results = g_ptr_array_new_with_free_func (refresh_result_free);

  for (guint i = 0; req->names[i] != NULL; i++)
    {
      RefreshResult *r = g_new0 (RefreshResult, 1);

      r->name = g_strdup (req->names[i]);
      r->vm = kt_connection_read_vm (req->connection, r->name, &r->error);
      g_ptr_array_add (results, r);
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void schedule_refresh (KtLive *self);

static void
refresh_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  KtLive *self = KT_LIVE (object);
  RefreshRequest *req = g_task_get_task_data (G_TASK (res));
  g_autoptr(GPtrArray) results = g_task_propagate_pointer (G_TASK (res), NULL);

  self->refreshing = FALSE;
  if (results == NULL || stopped (self))
    return;
  /* Read through a connection since replaced: the reconnection re-read all */
  if (req->connection != self->connection)
    return;

  for (guint i = 0; i < results->len; i++)
    {
      RefreshResult *r = g_ptr_array_index (results, i);

      if (r->error != NULL)
        {
          /* The next event, or the reconnection, reads it again */
          g_debug ("Cannot re-read %s: %s", r->name, r->error->message);
          continue;
        }
      apply_vm (self, r->name, r->vm);
    }
  g_signal_emit (self, signals[CHANGED], 0);

  if (g_hash_table_size (self->dirty) > 0)
    schedule_refresh (self);
}

static gboolean
refresh_timeout (gpointer data)
{
  KtLive *self = KT_LIVE (data);
  g_autoptr(GTask) task = NULL;
  RefreshRequest *req;

  self->refresh_id = 0;
  if (self->refreshing || !self->connected || g_hash_table_size (self->dirty) == 0)
    return G_SOURCE_REMOVE;

  req = g_new0 (RefreshRequest, 1);
  req->connection = g_object_ref (self->connection);
  req->names = (GStrv) g_hash_table_get_keys_as_array (self->dirty, NULL);
  /* The array took the keys: only forget them */
  g_hash_table_steal_all (self->dirty);

  self->refreshing = TRUE;
  task = g_task_new (self, self->cancellable, refresh_done, NULL);
  g_task_set_source_tag (task, refresh_timeout);
  g_task_set_task_data (task, req, refresh_request_free);
  g_task_run_in_thread (task, refresh_thread);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (KtLive *self)
{
  if (self->refresh_id != 0 || self->refreshing || stopped (self))
    return;
  self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout, self);
}

static void
on_domain_changed (KtLive       *self,
                   const char   *name,
                   int           kind,
                   KtConnection *connection)
{
  g_debug ("%s: %s", name, kt_domain_change_to_string (kind));
  g_hash_table_add (self->dirty, g_strdup (name));
  schedule_refresh (self);
}

/* Reconnecting ----------------------------------------------------------- */

typedef struct
{
  KtConnection *connection;
  KtSnapshot   *snapshot;
} Reconnection;

static void
reconnection_free (gpointer data)
{
  Reconnection *r = data;

  g_clear_object (&r->connection);
  g_clear_object (&r->snapshot);
  g_free (r);
}

static void
reconnect_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  KtLive *self = KT_LIVE (source_object);
  g_autoptr(GError) error = NULL;
  Reconnection *r = g_new0 (Reconnection, 1);

  /* self->uri and read_only never change; no fallback: a read-write
   * session stays read-write */
  r->connection = kt_connection_open_capture (self->uri,
                                              self->read_only ? KT_CONNECTION_OPEN_READ_ONLY
                                                              : KT_CONNECTION_OPEN_DEFAULT,
                                              cancellable, &r->snapshot, &error);
  if (r->connection == NULL)
    {
      reconnection_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, reconnection_free);
}

/* Every VM, read again through the new connection */
static void
rebase_all (KtLive     *self,
            KtSnapshot *fresh)
{
  GListModel *vms = kt_snapshot_get_vms (fresh);
  GListModel *ours = kt_snapshot_get_vms (self->snapshot);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (ours); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (ours, i);

      if (kt_snapshot_lookup_vm (fresh, kt_vm_get_name (vm)) == NULL)
        g_ptr_array_add (gone, g_strdup (kt_vm_get_name (vm)));
    }
  for (guint i = 0; i < gone->len; i++)
    apply_vm (self, g_ptr_array_index (gone, i), NULL);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      apply_vm (self, kt_vm_get_name (vm), vm);
    }
}

static void
reconnect_done (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  KtLive *self = KT_LIVE (object);
  g_autoptr(GError) error = NULL;
  Reconnection *r = g_task_propagate_pointer (G_TASK (res), &error);

  self->reconnecting = FALSE;
  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Reconnecting to %s: %s", self->uri, error->message);
      return;   /* the timer tries again */
    }
  if (stopped (self))
    {
      reconnection_free (r);
      return;
    }

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  set_connection (self, r->connection);
  g_hash_table_remove_all (self->dirty);
  rebase_all (self, r->snapshot);
  reconnection_free (r);

  self->connected = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  g_signal_emit (self, signals[CHANGED], 0);
  update_observing (self);
}

static gboolean
reconnect_tick (gpointer data)
{
  KtLive *self = KT_LIVE (data);
  g_autoptr(GTask) task = NULL;

  if (self->reconnecting)
    return G_SOURCE_CONTINUE;   /* the last try still waits for an answer */
  self->reconnecting = TRUE;
  task = g_task_new (self, self->cancellable, reconnect_done, NULL);
  g_task_set_source_tag (task, reconnect_tick);
  g_task_run_in_thread (task, reconnect_thread);
  return G_SOURCE_CONTINUE;
}

static void
on_closed (KtLive       *self,
           int           reason,
           KtConnection *connection)
{
  if (stopped (self) || !self->connected)
    return;
  g_debug ("%s closed (reason %d)", self->uri, reason);
  self->connected = FALSE;
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  update_observing (self);
  self->reconnect_id = g_timeout_add_seconds (RECONNECT_INTERVAL, reconnect_tick, self);
}

static void
set_connection (KtLive       *self,
                KtConnection *connection)
{
  g_autoptr(KtConnection) old = NULL;

  if (self->connection == connection)
    return;
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  old = g_steal_pointer (&self->connection);
  /* The lost one: closed in a worker thread once nothing uses it */
  if (old != NULL && connection != NULL)
    kt_connection_close_unused (g_steal_pointer (&old), NULL, NULL);
  self->connection = connection != NULL ? g_object_ref (connection) : NULL;
  if (connection == NULL)
    return;
  g_signal_connect_object (connection, "domain-changed", G_CALLBACK (on_domain_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (connection, "closed", G_CALLBACK (on_closed),
                           self, G_CONNECT_SWAPPED);
}

/* Where vCPUs run -------------------------------------------------------- */

typedef struct
{
  KtConnection *connection;
  GStrv         names;
} ObserveRequest;

static void
observe_request_free (gpointer data)
{
  ObserveRequest *req = data;

  g_object_unref (req->connection);
  g_strfreev (req->names);
  g_free (req);
}

static void
observe_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ObserveRequest *req = task_data;

  g_task_return_pointer (task,
                         kt_observed_query_all (req->connection,
                                                (const char * const *) req->names),
                         (GDestroyNotify) g_hash_table_unref);
}

static void
observe_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  KtLive *self = KT_LIVE (object);
  ObserveRequest *req = g_task_get_task_data (G_TASK (res));
  GHashTable *observed = g_task_propagate_pointer (G_TASK (res), NULL);

  self->observing = FALSE;
  if (observed == NULL)
    return;
  if (stopped (self) || req->connection != self->connection || !self->connected)
    {
      g_hash_table_unref (observed);
      return;
    }
  g_clear_pointer (&self->observed, g_hash_table_unref);
  self->observed = observed;
  g_signal_emit (self, signals[OBSERVED_CHANGED], 0);
}

static gboolean
observe_tick (gpointer data)
{
  KtLive *self = KT_LIVE (data);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GTask) task = NULL;
  GListModel *vms;
  ObserveRequest *req;

  if (self->observing || !self->wanted)
    return G_SOURCE_CONTINUE;

  names = g_ptr_array_new_with_free_func (g_free);
  vms = kt_snapshot_get_vms (self->snapshot);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

      if (kt_vm_is_active (vm))
        g_ptr_array_add (names, g_strdup (kt_vm_get_name (vm)));
    }
  g_ptr_array_add (names, NULL);

  req = g_new0 (ObserveRequest, 1);
  req->connection = g_object_ref (self->connection);
  req->names = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);

  self->observing = TRUE;
  task = g_task_new (self, self->cancellable, observe_done, NULL);
  g_task_set_source_tag (task, observe_tick);
  g_task_set_task_data (task, req, observe_request_free);
  g_task_run_in_thread (task, observe_thread);
  return G_SOURCE_CONTINUE;
}

/* Polls while connected and wanted; stops otherwise */
static void
update_observing (KtLive *self)
{
  gboolean want = !stopped (self) && self->connected && self->wanted;

  if (want && self->observe_id == 0)
    {
      self->observe_id = g_timeout_add_seconds (OBSERVE_INTERVAL, observe_tick, self);
      observe_tick (self);   /* now, not in 2 s */
    }
  else if (!want)
    g_clear_handle_id (&self->observe_id, g_source_remove);
}

/* Public ----------------------------------------------------------------- */

/**
 * kt_live_new:
 * @connection: the connection @snapshot was captured from
 * @plan: (nullable): the plan on @snapshot, carried over when VMs change
 */
KtLive *
kt_live_new (KtConnection *connection,
             KtSnapshot   *snapshot,
             KtPlan       *plan)
{
  KtLive *self;

  g_return_val_if_fail (KT_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), NULL);
  g_return_val_if_fail (plan == NULL || KT_IS_PLAN (plan), NULL);

  self = g_object_new (KT_TYPE_LIVE, NULL);
  self->snapshot = g_object_ref (snapshot);
  self->plan = plan != NULL ? g_object_ref (plan) : NULL;
  self->uri = g_strdup (kt_connection_get_uri (connection));
  self->read_only = kt_connection_is_read_only (connection);
  set_connection (self, connection);
  if (kt_connection_is_closed (connection))
    on_closed (self, VIR_CONNECT_CLOSE_REASON_EOF, connection);
  return self;
}

KtConnection *
kt_live_get_connection (KtLive *self)
{
  g_return_val_if_fail (KT_IS_LIVE (self), NULL);
  return self->connection;
}

gboolean
kt_live_get_connected (KtLive *self)
{
  g_return_val_if_fail (KT_IS_LIVE (self), FALSE);
  return self->connected;
}

const char *
kt_live_get_uri (KtLive *self)
{
  g_return_val_if_fail (KT_IS_LIVE (self), NULL);
  return self->uri;
}

/**
 * kt_live_set_observing:
 * @observing: whether to poll where vCPUs run (the map shows: mapped, in a
 *   window that is not minimized)
 */
void
kt_live_set_observing (KtLive   *self,
                       gboolean  observing)
{
  g_return_if_fail (KT_IS_LIVE (self));

  observing = !!observing;
  if (self->wanted == observing)
    return;
  self->wanted = observing;
  update_observing (self);
}

gboolean
kt_live_get_observing (KtLive *self)
{
  g_return_val_if_fail (KT_IS_LIVE (self), FALSE);
  return self->wanted;
}

GHashTable *
kt_live_get_observed (KtLive *self)
{
  g_return_val_if_fail (KT_IS_LIVE (self), NULL);
  return self->observed;
}

void
kt_live_stop (KtLive *self)
{
  g_return_if_fail (KT_IS_LIVE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->observe_id, g_source_remove);
  self->wanted = FALSE;
}
