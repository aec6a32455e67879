/* kt-cpuset.h: libvirt-style CPU / NUMA node sets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The largest id a set may hold, plus one.  Linux caps NR_CPUS at 8192;
 * twice that leaves room without letting "0-99999999" allocate anything. */
#define KT_CPUSET_LIMIT 16384

#define KT_TYPE_CPUSET (kt_cpuset_get_type ())

typedef struct _KtCpuset KtCpuset;

GType       kt_cpuset_get_type     (void) G_GNUC_CONST;
KtCpuset   *kt_cpuset_new          (void);
KtCpuset   *kt_cpuset_new_range    (guint            first,
                                    guint            last);
KtCpuset   *kt_cpuset_parse        (const char      *text,
                                    GError         **error);
KtCpuset   *kt_cpuset_copy         (const KtCpuset  *self);
void        kt_cpuset_free         (KtCpuset        *self);
char       *kt_cpuset_format       (const KtCpuset  *self);
void        kt_cpuset_add          (KtCpuset        *self,
                                    guint            id);
void        kt_cpuset_remove       (KtCpuset        *self,
                                    guint            id);
gboolean    kt_cpuset_contains     (const KtCpuset  *self,
                                    guint            id);
guint       kt_cpuset_count        (const KtCpuset  *self);
gboolean    kt_cpuset_is_empty     (const KtCpuset  *self);
gboolean    kt_cpuset_equal        (const KtCpuset  *a,
                                    const KtCpuset  *b);
gboolean    kt_cpuset_same         (const KtCpuset  *a,
                                    const KtCpuset  *b);
gboolean    kt_cpuset_is_subset    (const KtCpuset  *self,
                                    const KtCpuset  *of);
gboolean    kt_cpuset_intersects   (const KtCpuset  *a,
                                    const KtCpuset  *b);
KtCpuset   *kt_cpuset_union        (const KtCpuset  *a,
                                    const KtCpuset  *b);
KtCpuset   *kt_cpuset_intersection (const KtCpuset  *a,
                                    const KtCpuset  *b);
KtCpuset   *kt_cpuset_difference   (const KtCpuset  *a,
                                    const KtCpuset  *b);
void        kt_cpuset_union_in     (KtCpuset        *self,
                                    const KtCpuset  *other);
int         kt_cpuset_next         (const KtCpuset  *self,
                                    int              after);
int         kt_cpuset_first        (const KtCpuset  *self);
int         kt_cpuset_last         (const KtCpuset  *self);
GArray     *kt_cpuset_to_array     (const KtCpuset  *self);

/* Iterate: for (int i = kt_cpuset_first (s); i >= 0; i = kt_cpuset_next (s, i)) */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtCpuset, kt_cpuset_free)

G_END_DECLS
