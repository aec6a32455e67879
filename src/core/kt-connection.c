/* kt-connection.c: a libvirt connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>

#include "kt-connection.h"
#include "kt-error.h"

struct _KtConnection
{
  GObject        parent_instance;

  virConnectPtr  conn;
  char          *uri;
  gboolean       read_only;
  gboolean       local;
};

G_DEFINE_FINAL_TYPE (KtConnection, kt_connection, G_TYPE_OBJECT)

static void
kt_connection_dispose (GObject *object)
{
  KtConnection *self = KT_CONNECTION (object);

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
}

static void
kt_connection_init (KtConnection *self)
{
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
  actual = virConnectGetURI (self->conn);
  self->uri = g_strdup (actual ? actual : uri);
  free (actual);
  self->local = self->uri != NULL && uri_is_local_qemu (self->uri);
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

  if (self->local)
    kt_host_update_free_memory (kt_snapshot_get_host (snapshot));
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
