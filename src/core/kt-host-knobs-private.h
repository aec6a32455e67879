/* kt-host-knobs-private.h: what the kt-host-knobs*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host-knobs.h"

G_BEGIN_DECLS

typedef enum
{
  PERSIST_TMPFILES,
  PERSIST_SYSCTL,
} PersistKind;

typedef struct
{
  const char         *key;
  const char         *path;       /* NULL for the hugepages family */
  const char         *sysctl;     /* name in sysctl.d, for PERSIST_SYSCTL */
  const char * const *choices;    /* NULL for integers */
  guint64             min;
  guint64             max;
  gboolean            bracketed;  /* "always [madvise] never" */
  PersistKind         persist;
} Knob;

#define HUGEPAGES_MAX_NODE 1023
#define HUGEPAGES_MIN_SIZE 4
#define HUGEPAGES_MAX_SIZE G_GUINT64_CONSTANT (16777216)   /* 16 GiB in KiB */
#define HUGEPAGES_MAX_COUNT G_GUINT64_CONSTANT (16777216)

/* The fixed knobs, in canonical order (kt-host-knobs.c) */
#define KT_HOST_N_FIXED_KNOBS 7
extern const Knob _kt_host_knobs[KT_HOST_N_FIXED_KNOBS];
extern const Knob _kt_host_hugepages_knob;

/* A key resolved against the table */
typedef struct
{
  const Knob *knob;
  guint       node;       /* hugepages only */
  guint64     size_kib;   /* hugepages only */
  guint       order;      /* position for sorting drop-in lines */
} Resolved;


/* kt-host-knobs.c */
char     *_kt_host_knob_host_path           (const char     *fixed);
char     *_kt_host_knob_resolved_fixed_path (const Resolved *r);
gboolean  _kt_host_knob_parse_decimal       (const char     *text,
                                             gsize           len,
                                             guint64         min,
                                             guint64         max,
                                             guint64        *out);
char     *_kt_host_knob_quote_for_message   (const char     *text,
                                             gsize           max);
gboolean  _kt_host_knob_resolve             (const char     *key,
                                             Resolved       *out,
                                             GError        **error);
gboolean  _kt_host_knob_check_value         (const char     *key,
                                             const Resolved *r,
                                             const char     *value,
                                             GError        **error);

G_END_DECLS
