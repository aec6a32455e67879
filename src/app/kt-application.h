/* kt-application.h: the KvmTune application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KT_TYPE_APPLICATION (kt_application_get_type ())

G_DECLARE_FINAL_TYPE (KtApplication, kt_application, KT, APPLICATION, AdwApplication)

KtApplication  *kt_application_new               (void);
GSettings      *kt_application_get_settings      (KtApplication *self);
const char     *kt_application_get_demo_path     (KtApplication *self);
gboolean        kt_application_is_demo_path      (KtApplication *self,
                                                  const char    *path);
char          **kt_application_dup_recent_uris   (KtApplication *self);
void            kt_application_add_recent_uri    (KtApplication *self,
                                                  const char    *uri);

G_END_DECLS
