/* kt-connection.h: a libvirt connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "kt-snapshot.h"

G_BEGIN_DECLS

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
KtSnapshot    *kt_connection_capture         (KtConnection  *self,
                                              GError       **error);
void           kt_set_libvirt_error          (GError       **error,
                                              const char    *format,
                                              ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
