/* kt-domain-private.h: what the kt-domain*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libxml/tree.h>

#include "kt-domain.h"
#include "kt-pin-index.h"

G_BEGIN_DECLS

struct _KtDomain
{
  GObject     parent_instance;

  char       *original;     /* the text it was parsed from */
  gsize       original_len;
  xmlDoc     *doc;
  GArray     *spans;        /* KtXmlSpan of <domain> and its children */
  GHashTable *dirty;        /* direct children of <domain> that were edited */
  gboolean    crlf;         /* its lines end in CR LF */
  gboolean    modified;
  KtTuning   *tuning;       /* cache, dropped on every edit */
  guint       n_vcpus;      /* <vcpu>, which no setter changes */

  /* <vcpupin> by vCPU, so that pinning thousands of vCPUs is linear;
   * built on the first pin, NULL until then or when unusable */
  KtPinIndex *pins;
  gboolean    pins_unusable; /* a <vcpupin> the index cannot stand for */
};

/* Editing helpers (kt-domain.c) */
void     _kt_domain_mark_dirty             (KtDomain           *self,
                                            xmlNode            *node);
void     _kt_domain_insert_element         (KtDomain           *self,
                                            xmlNode            *parent,
                                            xmlNode            *elem,
                                            xmlNode            *before);
void     _kt_domain_remove_element         (KtDomain           *self,
                                            xmlNode            *elem);
xmlNode *_kt_domain_insertion_point        (xmlNode            *parent,
                                            const char         *name,
                                            const char * const *order);
xmlNode *_kt_domain_ensure_child           (KtDomain           *self,
                                            xmlNode            *parent,
                                            const char         *name,
                                            const char * const *order);
xmlNode *_kt_domain_ensure_top             (KtDomain           *self,
                                            const char         *name);
void     _kt_domain_set_prop               (KtDomain           *self,
                                            xmlNode            *node,
                                            const char         *name,
                                            const char         *value);
void     _kt_domain_set_prop_cpuset        (KtDomain           *self,
                                            xmlNode            *node,
                                            const char         *name,
                                            const KtCpuset     *set);
void     _kt_domain_remove_if_empty        (KtDomain           *self,
                                            xmlNode            *node);
xmlNode *_kt_domain_find_by_uint_attr      (xmlNode            *parent,
                                            const char         *name,
                                            const char         *attr,
                                            guint               value);
xmlNode *_kt_domain_sorted_insertion_point (xmlNode            *parent,
                                            const char         *name,
                                            const char         *attr,
                                            guint               value,
                                            const char * const *order);

G_END_DECLS
