/* kt-host-helper-client.h: calls kvmtune-helper on the system bus, and
 * the front that a session uses to change whitelisted host settings
 *
 * The bus is GIO's system bus, so DBUS_SYSTEM_BUS_ADDRESS is honoured.
 * Calls allow interactive authorization (a polkit agent may ask for a
 * password).  Errors come back in KT_HOST_KNOB_ERROR with the helper's
 * codes (NOT_AUTHORIZED, INVALID_KEY, INVALID_VALUE, TOO_MANY, FAILED);
 * a helper that is not installed is KT_HOST_KNOB_ERROR_UNAVAILABLE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kt-host-knobs.h"

G_BEGIN_DECLS

#define KT_HOST_HELPER_BUS_NAME    "org.example.KvmTune.Helper"
#define KT_HOST_HELPER_OBJECT_PATH "/org/example/KvmTune/Helper"
#define KT_HOST_HELPER_INTERFACE   "org.example.KvmTune.Helper"

/* Set(a{ss}) → a(sss): all or nothing, in the given order.  @keys and
 * @values are NULL-terminated and of the same length.  Returns a
 * GPtrArray of KtHostKnobChange. */
GPtrArray  *kt_host_helper_set_sync         (const char * const  *keys,
                                             const char * const  *values,
                                             GCancellable        *cancellable,
                                             GError             **error);
void        kt_host_helper_set_async        (const char * const  *keys,
                                             const char * const  *values,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray  *kt_host_helper_set_finish       (GAsyncResult        *result,
                                             GError             **error);

/* Get(as) → a{ss}: keys that cannot be read are left out */
GHashTable *kt_host_helper_get_sync         (const char * const  *keys,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* Persist(a{ss}), Unpersist(), GetPersisted() → a{ss} */
gboolean    kt_host_helper_persist_sync     (GHashTable          *settings,
                                             GCancellable        *cancellable,
                                             GError             **error);
gboolean    kt_host_helper_unpersist_sync   (GCancellable        *cancellable,
                                             GError             **error);
GHashTable *kt_host_helper_get_persisted_sync (GCancellable      *cancellable,
                                               GError           **error);

/* The front: as root, kt-host-knobs directly (nothing to install for a
 * local root session); otherwise through kvmtune-helper. */
GPtrArray  *kt_host_knobs_set               (const char * const  *keys,
                                             const char * const  *values,
                                             GCancellable        *cancellable,
                                             GError             **error);
gboolean    kt_host_knobs_persist           (GHashTable          *settings,
                                             GCancellable        *cancellable,
                                             GError             **error);
gboolean    kt_host_knobs_unpersist         (GCancellable        *cancellable,
                                             GError             **error);

/* TRUE when kt_host_knobs_set and friends write directly (root) */
gboolean    kt_host_knobs_are_direct        (void);

G_END_DECLS
