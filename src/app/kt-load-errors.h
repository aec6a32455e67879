/* kt-load-errors.h: the domain files a load left out, under the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kt-source.h"

G_BEGIN_DECLS

#define KT_TYPE_LOAD_ERRORS (kt_load_errors_get_type ())

G_DECLARE_FINAL_TYPE (KtLoadErrors, kt_load_errors, KT, LOAD_ERRORS, GtkWidget)

GtkWidget *kt_load_errors_new          (void);
/* @file_errors: (nullable) (element-type KtSourceFileError): hidden when
 * empty or NULL */
void       kt_load_errors_set_errors   (KtLoadErrors    *self,
                                        const GPtrArray *file_errors);
guint      kt_load_errors_get_n_errors (KtLoadErrors    *self);

G_END_DECLS
