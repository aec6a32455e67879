/* kt-error.h: the error domain of the KvmTune core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KT_ERROR (kt_error_quark ())

typedef enum
{
  KT_ERROR_INVALID_CPUSET,
  KT_ERROR_INVALID_XML,
  KT_ERROR_INVALID_VALUE,
  KT_ERROR_NOT_FOUND,
  KT_ERROR_UNSUPPORTED,
  KT_ERROR_LIBVIRT,
  KT_ERROR_IO,
  KT_ERROR_CONFLICT,
  KT_ERROR_READ_ONLY,
  KT_ERROR_INTERRUPTED,   /* the connection was lost mid-apply: see kt-journal.h */
} KtError;

GQuark kt_error_quark (void);

G_END_DECLS
