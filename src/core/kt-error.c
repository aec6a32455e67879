/* kt-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "kt-error.h"

G_DEFINE_QUARK (kt-error-quark, kt_error)
