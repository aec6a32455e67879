/* kt-tuned.h: tuned's D-Bus API (com.redhat.tuned on the system bus)
 *
 * The system bus is g_bus_get_sync (G_BUS_TYPE_SYSTEM), so
 * DBUS_SYSTEM_BUS_ADDRESS is honoured.  tuned only tunes the machine
 * KvmTune runs on: for a remote libvirt host it is unknown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host-tuning.h"

G_BEGIN_DECLS

#define KT_TUNED_BUS_NAME  "com.redhat.tuned"
#define KT_TUNED_PATH      "/Tuned"
#define KT_TUNED_INTERFACE "com.redhat.tuned.control"

void     kt_tuned_read            (KtHostTuning  *tuning);
gboolean kt_tuned_switch_profile  (const char    *profile,
                                   GError       **error);

G_END_DECLS
