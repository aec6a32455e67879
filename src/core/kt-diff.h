/* kt-diff.h: unified diffs of two texts, in linear space
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char        *kt_diff_lines           (const char    *before,
                                      const char    *after,
                                      const char    *before_name,
                                      const char    *after_name);

G_END_DECLS
