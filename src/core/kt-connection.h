/* kt-connection.h: a libvirt connection
 *
 * Signals, emitted in the thread that runs the default main context (the
 * GUI's main loop; kt_connection_init_events (TRUE)'s thread otherwise):
 *   "domain-changed" (const char *name, int kind): a domain's lifecycle
 *                    event, or a change of its pins (vCPU, emulator,
 *                    iothread) or NUMA tuning; @kind is a #KtDomainChange.
 *                    kt_connection_refresh_vm() brings a snapshot's VM up
 *                    to date with it.
 *   "closed"         (int reason): libvirt closed the connection (a
 *                    virConnectCloseReason: EOF, keepalive timeout...);
 *                    it is of no further use, open a new one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "kt-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  KT_DOMAIN_CHANGE_DEFINED,
  KT_DOMAIN_CHANGE_UNDEFINED,
  KT_DOMAIN_CHANGE_STARTED,
  KT_DOMAIN_CHANGE_STOPPED,     /* also crashed */
  KT_DOMAIN_CHANGE_SUSPENDED,   /* also PM-suspended */
  KT_DOMAIN_CHANGE_RESUMED,
  KT_DOMAIN_CHANGE_STATE,       /* another state change: the guest shuts down */
  KT_DOMAIN_CHANGE_TUNABLE,     /* pins or NUMA tuning */
} KtDomainChange;

const char    *kt_domain_change_to_string    (KtDomainChange change);

#define KT_TYPE_CONNECTION (kt_connection_get_type ())

G_DECLARE_FINAL_TYPE (KtConnection, kt_connection, KT, CONNECTION, GObject)

void           kt_connection_init_events     (gboolean       own_thread);
KtConnection  *kt_connection_open            (const char    *uri,
                                              gboolean       read_only,
                                              GError       **error);
const char    *kt_connection_get_uri         (KtConnection  *self);
gboolean       kt_connection_is_local        (KtConnection  *self);
gboolean       kt_connection_is_read_only    (KtConnection  *self);
virConnectPtr  kt_connection_get_handle      (KtConnection  *self);
gboolean       kt_connection_is_closed       (KtConnection  *self);
KtSnapshot    *kt_connection_capture         (KtConnection  *self,
                                              GError       **error);
KtVm          *kt_connection_read_vm         (KtConnection  *self,
                                              const char    *name,
                                              GError       **error);
gboolean       kt_connection_refresh_vm      (KtConnection  *self,
                                              KtSnapshot    *snapshot,
                                              const char    *name,
                                              GError       **error);

typedef enum
{
  KT_CONNECTION_OPEN_DEFAULT            = 0,
  KT_CONNECTION_OPEN_READ_ONLY          = 1 << 0,
  /* Read-write first; read-only when that cannot open or capture */
  KT_CONNECTION_OPEN_FALLBACK_READ_ONLY = 1 << 1,
} KtConnectionOpenFlags;

/* Open and capture: blocking, then in a worker thread */
KtConnection  *kt_connection_open_capture    (const char             *uri,
                                              KtConnectionOpenFlags   flags,
                                              GCancellable           *cancellable,
                                              KtSnapshot            **snapshot,
                                              GError                **error);
void           kt_connection_open_async      (const char             *uri,
                                              KtConnectionOpenFlags   flags,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
KtConnection  *kt_connection_open_finish     (GAsyncResult           *result,
                                              KtSnapshot            **snapshot,
                                              GError                **error);
/* kt_connection_read_vm () in a worker thread (a reload); NULL without
 * error: the VM is gone */
void           kt_connection_read_vm_async   (KtConnection        *self,
                                              const char          *name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
KtVm          *kt_connection_read_vm_finish  (KtConnection        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Event deregistration and virConnectClose in a worker thread */
void           kt_connection_close_async     (KtConnection        *self,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       kt_connection_close_finish    (KtConnection        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* (transfer full) kt_connection_close_async () once no one else holds
 * the connection (worker threads still using it finish first) */
void           kt_connection_close_unused    (KtConnection        *self,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void           kt_set_libvirt_error          (GError       **error,
                                              const char    *format,
                                              ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
