/* kt-connection.c: a libvirt connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "kt-connection.h"
#include "kt-error.h"

struct _KtConnection
{
  GObject        parent_instance;

  virConnectPtr  conn;
  char          *uri;
  gboolean       read_only;
  gboolean       local;
  int            closed;          /* atomic: the close callback ran */

  /* Event callbacks: libvirt ids, -1 when not registered */
  int            lifecycle_id;
  int            tunable_id;
  gpointer       close_watch;     /* Watch; libvirt may never free it */
};

G_DEFINE_FINAL_TYPE (KtConnection, kt_connection, G_TYPE_OBJECT)

enum {
  DOMAIN_CHANGED,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void unwatch (KtConnection *self);

static void
kt_connection_dispose (GObject *object)
{
  KtConnection *self = KT_CONNECTION (object);

  unwatch (self);
  g_clear_pointer (&self->conn, virConnectClose);

  G_OBJECT_CLASS (kt_connection_parent_class)->dispose (object);
}

static void
kt_connection_finalize (GObject *object)
{
  KtConnection *self = KT_CONNECTION (object);

  g_clear_pointer (&self->uri, g_free);

  G_OBJECT_CLASS (kt_connection_parent_class)->finalize (object);
}

static void
kt_connection_class_init (KtConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_connection_dispose;
  object_class->finalize = kt_connection_finalize;

  /**
   * KtConnection::domain-changed:
   * @name: the domain's name
   * @kind: a #KtDomainChange
   */
  signals[DOMAIN_CHANGED] = g_signal_new ("domain-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  /**
   * KtConnection::closed:
   * @reason: a virConnectCloseReason
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
kt_connection_init (KtConnection *self)
{
  self->lifecycle_id = -1;
  self->tunable_id = -1;
}

static void
quiet_libvirt_errors (void        *data,
                      virErrorPtr  err)
{
  /* Reported through GError by whoever called libvirt */
}

static gpointer
run_default_context (gpointer data)
{
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return NULL;
}

/**
 * kt_connection_init_events:
 * @own_thread: run the default main context in a thread of its own; for
 *   programs (the CLI, tests) that do not run a GLib main loop themselves
 *
 * Registers libvirt-glib's event loop: libvirt needs one for events and
 * keepalives, and its embedded drivers refuse to open without it.
 */
void
kt_connection_init_events (gboolean own_thread)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      if (g_getenv ("LIBVIRT_LOG_OUTPUTS") == NULL)
        g_setenv ("LIBVIRT_LOG_OUTPUTS", "1:file:/dev/null", FALSE);
      virInitialize ();
      virSetErrorFunc (NULL, quiet_libvirt_errors);
      gvir_event_register ();
      if (own_thread)
        g_thread_unref (g_thread_new ("kt-libvirt-events", run_default_context, NULL));
      g_once_init_leave (&once, 1);
    }
}

const char *
kt_domain_change_to_string (KtDomainChange change)
{
  switch (change)
    {
    case KT_DOMAIN_CHANGE_DEFINED: return "defined";
    case KT_DOMAIN_CHANGE_UNDEFINED: return "undefined";
    case KT_DOMAIN_CHANGE_STARTED: return "started";
    case KT_DOMAIN_CHANGE_STOPPED: return "stopped";
    case KT_DOMAIN_CHANGE_SUSPENDED: return "suspended";
    case KT_DOMAIN_CHANGE_RESUMED: return "resumed";
    case KT_DOMAIN_CHANGE_STATE: return "state";
    case KT_DOMAIN_CHANGE_TUNABLE: return "tunable";
    default: return "unknown";
    }
}

/* Events ----------------------------------------------------------------- */

/* What libvirt holds for a callback: the connection, weakly, so that a
 * callback running late finds it gone rather than freed */
typedef struct
{
  GWeakRef self;
} Watch;

static Watch *
watch_new (KtConnection *self)
{
  Watch *watch = g_new0 (Watch, 1);

  g_weak_ref_init (&watch->self, self);
  return watch;
}

static void
watch_free (void *data)
{
  Watch *watch = data;

  g_weak_ref_clear (&watch->self);
  g_free (watch);
}

typedef struct
{
  KtConnection *self;
  char         *name;    /* NULL: closed */
  int           value;   /* the KtDomainChange, or the close reason */
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->name);
  g_free (e);
}

static gboolean
emit_now (gpointer data)
{
  Emission *e = data;

  if (e->name != NULL)
    g_signal_emit (e->self, signals[DOMAIN_CHANGED], 0, e->name, e->value);
  else
    g_signal_emit (e->self, signals[CLOSED], 0, e->value);
  return G_SOURCE_REMOVE;
}

/* libvirt-glib dispatches libvirt's callbacks from the default main
 * context, so this normally emits right away; from another thread it
 * queues the emission there */
static void
emit_on_main (Watch      *watch,
              const char *name,
              int         value)
{
  KtConnection *self = g_weak_ref_get (&watch->self);
  Emission *e;

  if (self == NULL)
    return;
  e = g_new0 (Emission, 1);
  e->self = self;
  e->name = g_strdup (name);
  e->value = value;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, emit_now, e, emission_free);
}

static int
on_lifecycle (virConnectPtr  conn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  KtDomainChange kind;

  switch (event)
    {
    case VIR_DOMAIN_EVENT_DEFINED: kind = KT_DOMAIN_CHANGE_DEFINED; break;
    case VIR_DOMAIN_EVENT_UNDEFINED: kind = KT_DOMAIN_CHANGE_UNDEFINED; break;
    case VIR_DOMAIN_EVENT_STARTED: kind = KT_DOMAIN_CHANGE_STARTED; break;
    case VIR_DOMAIN_EVENT_STOPPED:
    case VIR_DOMAIN_EVENT_CRASHED: kind = KT_DOMAIN_CHANGE_STOPPED; break;
    case VIR_DOMAIN_EVENT_SUSPENDED:
    case VIR_DOMAIN_EVENT_PMSUSPENDED: kind = KT_DOMAIN_CHANGE_SUSPENDED; break;
    case VIR_DOMAIN_EVENT_RESUMED: kind = KT_DOMAIN_CHANGE_RESUMED; break;
    default: kind = KT_DOMAIN_CHANGE_STATE; break;
    }
  emit_on_main (opaque, virDomainGetName (dom), kind);
  return 0;
}

/* The tunables KvmTune shows: pins and NUMA placement; not shares,
 * quotas or block I/O limits */
static gboolean
tunable_matters (const char *param)
{
  /* VIR_DOMAIN_TUNABLE_CPU_VCPUPIN and the rest, without their "%u" */
  return g_str_has_prefix (param, "cputune.vcpupin")
         || g_str_has_prefix (param, "cputune.emulatorpin")
         || g_str_has_prefix (param, "cputune.iothreadpin")
         || g_str_has_prefix (param, "numa");
}

static void
on_tunable (virConnectPtr         conn,
            virDomainPtr          dom,
            virTypedParameterPtr  params,
            int                   nparams,
            void                 *opaque)
{
  for (int i = 0; i < nparams; i++)
    if (tunable_matters (params[i].field))
      {
        emit_on_main (opaque, virDomainGetName (dom), KT_DOMAIN_CHANGE_TUNABLE);
        return;
      }
}

static void
on_close (virConnectPtr  conn,
          int            reason,
          void          *opaque)
{
  Watch *watch = opaque;
  g_autoptr(KtConnection) self = g_weak_ref_get (&watch->self);

  if (self == NULL)
    return;
  g_atomic_int_set (&self->closed, 1);
  emit_on_main (watch, NULL, reason);
}

/* A URI that reaches libvirt over a network: a host, or a transport */
static gboolean
uri_is_remote (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (parsed == NULL)
    return FALSE;
  host = g_uri_get_host (parsed);
  return (host != NULL && *host != '\0') || strchr (g_uri_get_scheme (parsed), '+') != NULL;
}

/* Registers a domain event callback; the id, or -1 (a driver without
 * events, or a connection that refuses them, just has no signals) */
static int
register_event (KtConnection                *self,
                int                          event_id,
                virConnectDomainEventGenericCallback callback)
{
  Watch *w = watch_new (self);
  int id;

  id = virConnectDomainEventRegisterAny (self->conn, NULL, event_id, callback, w, watch_free);
  if (id < 0)
    {
      /* Not registered: libvirt never frees it */
      g_debug ("%s: no events %d: %s", self->uri, event_id, virGetLastErrorMessage ());
      virResetLastError ();
      watch_free (w);
    }
  return id;
}

static void
watch (KtConnection *self)
{
  self->lifecycle_id = register_event (self, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                       VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle));
  self->tunable_id = register_event (self, VIR_DOMAIN_EVENT_ID_TUNABLE,
                                     VIR_DOMAIN_EVENT_CALLBACK (on_tunable));

  /* Drivers without close callbacks accept one and never free it: it is
   * ours to free */
  self->close_watch = watch_new (self);
  if (virConnectRegisterCloseCallback (self->conn, on_close, self->close_watch, NULL) < 0)
    {
      g_debug ("%s: no close callback: %s", self->uri, virGetLastErrorMessage ());
      virResetLastError ();
      g_clear_pointer (&self->close_watch, watch_free);
    }

  /* A dead network link is noticed within 5 × 3 s, not at the next call */
  if (self->uri != NULL && uri_is_remote (self->uri)
      && virConnectSetKeepAlive (self->conn, 5, 3) < 0)
    {
      g_debug ("%s: no keepalive: %s", self->uri, virGetLastErrorMessage ());
      virResetLastError ();
    }
}

static void
unwatch (KtConnection *self)
{
  if (self->conn == NULL)
    return;
  /* On a connection already closed these fail: libvirt frees the rest */
  if (self->lifecycle_id >= 0)
    virConnectDomainEventDeregisterAny (self->conn, self->lifecycle_id);
  if (self->tunable_id >= 0)
    virConnectDomainEventDeregisterAny (self->conn, self->tunable_id);
  self->lifecycle_id = self->tunable_id = -1;
  if (self->close_watch != NULL)
    {
      virConnectUnregisterCloseCallback (self->conn, on_close);
      g_clear_pointer (&self->close_watch, watch_free);
    }
  virResetLastError ();
}

void
kt_set_libvirt_error (GError     **error,
                      const char  *format,
                      ...)
{
  g_autofree char *what = NULL;
  const char *msg = virGetLastErrorMessage ();
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KT_ERROR, KT_ERROR_LIBVIRT, "%s: %s", what, msg);
  virResetLastError ();
}

static gboolean
uri_is_local_qemu (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *scheme, *host;

  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  host = g_uri_get_host (parsed);
  return (g_str_equal (scheme, "qemu") || g_str_equal (scheme, "qemu+unix"))
         && (host == NULL || *host == '\0');
}

/* Whether libvirt took a read-write open and then holds the connection
 * read-only: a read-write URI over the read-only socket
 * (qemu:///system?socket=/run/libvirt/libvirt-sock-ro) opens, and then
 * every change is refused.  A call that needs write access and changes
 * nothing tells: setting no node memory parameter at all. */
static gboolean
refuses_writes (virConnectPtr conn)
{
  virTypedParameter none[1];
  virErrorPtr err;
  gboolean denied;

  memset (none, 0, sizeof none);
  if (virNodeSetMemoryParameters (conn, none, 0, 0) == 0)
    return FALSE;
  err = virGetLastError ();
  denied = err != NULL && err->code == VIR_ERR_OPERATION_DENIED;
  virResetLastError ();
  return denied;
}

/**
 * kt_connection_open:
 * @uri: (nullable): a libvirt URI, or %NULL for libvirt's default
 *
 * Returns: (transfer full): the connection, or %NULL with @error set
 */
KtConnection *
kt_connection_open (const char  *uri,
                    gboolean     read_only,
                    GError     **error)
{
  g_autoptr(KtConnection) self = NULL;
  char *actual;

  kt_connection_init_events (FALSE);

  self = g_object_new (KT_TYPE_CONNECTION, NULL);
  self->read_only = read_only;
  if (read_only)
    self->conn = virConnectOpenReadOnly (uri);
  else
    self->conn = virConnectOpen (uri);
  if (self->conn == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot connect to %s"), uri ? uri : _("the default hypervisor"));
      return NULL;
    }
  if (!read_only && refuses_writes (self->conn))
    {
      g_debug ("%s: opened read-write, but libvirt holds it read-only", uri ? uri : "(default)");
      self->read_only = TRUE;
    }
  actual = virConnectGetURI (self->conn);
  self->uri = g_strdup (actual ? actual : uri);
  free (actual);
  self->local = self->uri != NULL && uri_is_local_qemu (self->uri);
  watch (self);
  return g_steal_pointer (&self);
}

const char *
kt_connection_get_uri (KtConnection *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION (self), NULL);
  return self->uri;
}

gboolean
kt_connection_is_local (KtConnection *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION (self), FALSE);
  return self->local;
}

gboolean
kt_connection_is_read_only (KtConnection *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION (self), TRUE);
  return self->read_only;
}

virConnectPtr
kt_connection_get_handle (KtConnection *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION (self), NULL);
  return self->conn;
}

/**
 * kt_connection_is_closed:
 *
 * Returns: whether libvirt closed the connection (#KtConnection::closed)
 */
gboolean
kt_connection_is_closed (KtConnection *self)
{
  g_return_val_if_fail (KT_IS_CONNECTION (self), TRUE);
  return g_atomic_int_get (&self->closed) != 0;
}

static KtVmState
state_from_libvirt (int state)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING: return KT_VM_STATE_RUNNING;
    case VIR_DOMAIN_BLOCKED: return KT_VM_STATE_BLOCKED;
    case VIR_DOMAIN_PAUSED: return KT_VM_STATE_PAUSED;
    case VIR_DOMAIN_SHUTDOWN: return KT_VM_STATE_SHUTDOWN;
    case VIR_DOMAIN_SHUTOFF: return KT_VM_STATE_SHUTOFF;
    case VIR_DOMAIN_CRASHED: return KT_VM_STATE_CRASHED;
    case VIR_DOMAIN_PMSUSPENDED: return KT_VM_STATE_PMSUSPENDED;
    default: return KT_VM_STATE_NOSTATE;
    }
}

static gboolean
vanished (void)
{
  return virGetLastErrorCode () == VIR_ERR_NO_DOMAIN;
}

/* NULL with no error set: the domain went away while we looked at it */
static KtVm *
capture_domain (virDomainPtr   dom,
                GError       **error)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) inactive = NULL;
  const char *name = virDomainGetName (dom);
  int state = 0, reason = 0, persistent;
  unsigned int id;
  KtVmState kstate;

  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      if (!vanished ())
        kt_set_libvirt_error (error, _("Cannot read the state of “%s”"), name);
      return NULL;
    }
  kstate = state_from_libvirt (state);
  persistent = virDomainIsPersistent (dom);

  if (kt_vm_state_is_active (kstate))
    {
      char *xml = virDomainGetXMLDesc (dom, 0);

      if (xml == NULL)
        {
          if (!vanished ())
            kt_set_libvirt_error (error, _("Cannot read the XML of “%s”"), name);
          return NULL;
        }
      live = kt_domain_new_from_xml (xml, -1, error);
      free (xml);
      if (live == NULL)
        return NULL;
    }
  if (persistent == 1)
    {
      char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);

      if (xml == NULL)
        {
          if (!vanished ())
            kt_set_libvirt_error (error, _("Cannot read the inactive XML of “%s”"), name);
          return NULL;
        }
      inactive = kt_domain_new_from_xml (xml, -1, error);
      free (xml);
      if (inactive == NULL)
        return NULL;
    }
  if (live == NULL && inactive == NULL)
    return NULL;
  id = virDomainGetID (dom);
  return kt_vm_new (name, kstate, live != NULL && id != (unsigned int) -1 ? (int) id : -1,
                    persistent == 1, live, inactive);
}

static void
capture_free_pages (KtConnection *self,
                    KtHost       *host)
{
  const GArray *sizes = kt_host_get_page_sizes (host);
  guint n_nodes = kt_host_get_n_nodes (host);

  if (sizes->len == 0)
    return;
  for (guint i = 0; i < n_nodes; i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);
      g_autofree unsigned int *pages = g_new0 (unsigned int, sizes->len);
      g_autofree unsigned long long *counts = g_new0 (unsigned long long, sizes->len);

      for (guint s = 0; s < sizes->len; s++)
        pages[s] = (unsigned int) g_array_index (sizes, guint64, s);
      if (virNodeGetFreePages (self->conn, sizes->len, pages, node->id, 1, counts, 0) < 0)
        {
          virResetLastError ();
          continue;
        }
      for (guint s = 0; s < sizes->len; s++)
        kt_host_set_free_pages (host, node->id, pages[s], (gint64) counts[s]);
    }
}

/* Free memory per node: libvirt's (virNodeGetCellsFreeMemory), which
 * answers for remote hosts too; libnuma's where libvirt does not and the
 * host is this machine */
static void
capture_free_memory (KtConnection *self,
                     KtHost       *host)
{
  if (self->local)
    kt_host_update_free_memory (host);
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);
      unsigned long long free_bytes = 0;

      if (node->id < 0 || virNodeGetCellsFreeMemory (self->conn, &free_bytes, node->id, 1) != 1)
        {
          virResetLastError ();
          continue;
        }
      kt_host_set_free_memory (host, node->id,
                               (gint64) MIN (free_bytes / 1024, (guint64) G_MAXINT64));
    }
}

/**
 * kt_connection_capture:
 *
 * Reads the host and every domain, live and inactive, into a snapshot.
 * Domains that vanish while this runs are left out.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
KtSnapshot *
kt_connection_capture (KtConnection  *self,
                       GError       **error)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  virDomainPtr *doms = NULL;
  char *caps, *domcaps, *hostname;
  int n;

  g_return_val_if_fail (KT_IS_CONNECTION (self), NULL);

  caps = virConnectGetCapabilities (self->conn);
  if (caps == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot read the host capabilities from %s"), self->uri);
      return NULL;
    }
  domcaps = virConnectGetDomainCapabilities (self->conn, NULL, NULL, NULL, NULL, 0);
  if (domcaps == NULL)
    virResetLastError ();   /* optional: not every driver has them */

  snapshot = kt_snapshot_new (caps, domcaps, error);
  free (caps);
  free (domcaps);
  if (snapshot == NULL)
    return NULL;
  kt_snapshot_set_uri (snapshot, self->uri);
  hostname = virConnectGetHostname (self->conn);
  if (hostname == NULL)
    virResetLastError ();
  kt_snapshot_set_hostname (snapshot, hostname);
  free (hostname);

  capture_free_memory (self, kt_snapshot_get_host (snapshot));
  capture_free_pages (self, kt_snapshot_get_host (snapshot));

  n = virConnectListAllDomains (self->conn, &doms, 0);
  if (n < 0)
    {
      kt_set_libvirt_error (error, _("Cannot list the domains of %s"), self->uri);
      return NULL;
    }
  for (int i = 0; i < n; i++)
    {
      g_autoptr(KtVm) vm = NULL;

      if (error == NULL || *error == NULL)
        {
          vm = capture_domain (doms[i], error);
          if (vm != NULL)
            kt_snapshot_add_vm (snapshot, vm, error);
        }
      virDomainFree (doms[i]);
    }
  free (doms);
  if (error != NULL && *error != NULL)
    return NULL;

  return g_steal_pointer (&snapshot);
}

/**
 * kt_connection_read_vm:
 *
 * Reads one domain, as kt_connection_capture() does for all.  Safe from
 * any thread.
 *
 * Returns: (transfer full) (nullable): the VM; %NULL with @error set when
 * it cannot be read, %NULL without when there is no such domain (any more)
 */
KtVm *
kt_connection_read_vm (KtConnection  *self,
                       const char    *name,
                       GError       **error)
{
  virDomainPtr dom;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  dom = virDomainLookupByName (self->conn, name);
  if (dom == NULL)
    {
      if (vanished ())
        virResetLastError ();
      else
        kt_set_libvirt_error (error, _("Cannot look up “%s”"), name);
      return NULL;
    }
  vm = capture_domain (dom, error);
  virDomainFree (dom);
  virResetLastError ();
  return vm;
}

/**
 * kt_connection_refresh_vm:
 * @snapshot: a snapshot of this connection
 *
 * Re-reads the state and the live and inactive XML of the domain @name
 * into @snapshot, without reading the others: its #KtVm is updated in
 * place (kt_snapshot_update_vm()), added when it is new, removed when it
 * is gone.  For #KtConnection::domain-changed.
 *
 * Returns: %FALSE with @error set when the domain cannot be read
 */
gboolean
kt_connection_refresh_vm (KtConnection  *self,
                          KtSnapshot    *snapshot,
                          const char    *name,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(KtVm) fresh = NULL;

  g_return_val_if_fail (KT_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (KT_IS_SNAPSHOT (snapshot), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  fresh = kt_connection_read_vm (self, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  kt_snapshot_update_vm (snapshot, name, fresh);
  return TRUE;
}

/* Closing, in a worker thread ------------------------------------------- */

static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  KtConnection *self = KT_CONNECTION (source_object);

  /* The deregistrations and the close are round trips on a remote link */
  unwatch (self);
  g_clear_pointer (&self->conn, virConnectClose);
  g_atomic_int_set (&self->closed, 1);
  g_task_return_boolean (task, TRUE);
}

/**
 * kt_connection_close_async:
 *
 * Deregisters the events and closes the libvirt connection in a worker
 * thread, so that a slow link (qemu+ssh://) does not hold up the caller;
 * the object stays, closed (kt_connection_is_closed()), with no handle.
 * Nothing else may use the connection from the moment this is called.
 * Without a callback, it just happens.
 */
void
kt_connection_close_async (KtConnection        *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_CONNECTION (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, kt_connection_close_async);
  g_task_run_in_thread (task, close_thread);
}

gboolean
kt_connection_close_finish (KtConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
