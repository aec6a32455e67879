/* kt-tuning-private.h: what the kt-tuning*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-tuning.h"

G_BEGIN_DECLS

/* kt-tuning-parse.c */
gboolean kt_tuning_priv_fail_at        (xmlNode     *node,
                                        GError     **error);
gboolean kt_tuning_priv_prop_cpuset    (xmlNode     *node,
                                        const char  *attr,
                                        KtCpuset   **out,
                                        GError     **error);
gboolean kt_tuning_priv_prop_uint      (xmlNode     *node,
                                        const char  *attr,
                                        guint       *out,
                                        GError     **error);
gboolean kt_tuning_priv_opt_prop_uint  (xmlNode     *node,
                                        const char  *attr,
                                        guint       *out,
                                        guint        dflt,
                                        GError     **error);
gboolean kt_tuning_priv_text_uint      (xmlNode     *node,
                                        guint64      max,
                                        guint64     *out,
                                        GError     **error);
gboolean kt_tuning_priv_opt_text_int64 (xmlNode     *parent,
                                        const char  *name,
                                        gint64      *out,
                                        GError     **error);
gboolean kt_tuning_priv_opt_scaled     (xmlNode     *parent,
                                        const char  *name,
                                        gint64      *out,
                                        GError     **error);

G_END_DECLS
