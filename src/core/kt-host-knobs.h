/* kt-host-knobs.h: the fixed whitelist of host kernel settings that have
 * no libvirt API, each mapped to one fixed path, and their persistence
 * drop-ins
 *
 * This module is shared by kvmtune-helper (the privileged D-Bus service)
 * and by a local root session, which uses it directly.  Callers name a
 * setting by key; the module alone knows the path.  Nothing here ever
 * takes a path, a file name or a line of file content from its caller.
 *
 * Keys and their values:
 *   ksm.run                  0 | 1 | 2          /sys/kernel/mm/ksm/run
 *   ksm.merge_across_nodes   0 | 1              /sys/kernel/mm/ksm/merge_across_nodes
 *   ksm.pages_to_scan        integer 1..100000  /sys/kernel/mm/ksm/pages_to_scan
 *   ksm.sleep_millisecs      integer 1..600000  /sys/kernel/mm/ksm/sleep_millisecs
 *   thp.enabled              always | madvise | never
 *                                               /sys/kernel/mm/transparent_hugepage/enabled
 *   thp.defrag               always | defer | defer+madvise | madvise | never
 *                                               /sys/kernel/mm/transparent_hugepage/defrag
 *   numa_balancing           0 | 1 | 2 | 3      /proc/sys/kernel/numa_balancing
 *                            (1 normal, 2 memory tiering, 3 both: the
 *                            kernel's bit mask since 5.18)
 *   hugepages.NODE.SIZE_KIB  integer 0..16777216
 *                            /sys/devices/system/node/nodeNODE/hugepages/hugepages-SIZE_KIBkB/nr_hugepages
 *                            NODE 0..1023 and SIZE_KIB a power of two
 *                            from 4 to 16777216, both plain decimals; the
 *                            path is built from the two numbers only.
 *
 * Values are compared exactly: no blanks, no signs, no leading zeros.
 *
 * Persistence (kt_host_persist_write): numa_balancing goes to
 * /etc/sysctl.d/90-kvmtune.conf, every other key to
 * /etc/tmpfiles.d/kvmtune.conf, both generated here from validated pairs.
 *
 * Tests: only a build compiled with -DKT_HOST_KNOBS_TESTING (never the
 * installed helper nor the core library) prefixes every path with
 * $KT_HOST_KNOBS_TEST_ROOT.  The production build has no such code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KT_HOST_KNOB_ERROR (kt_host_knob_error_quark ())

/* Registered as D-Bus errors org.example.KvmTune.Helper.Error.NAME, so a
 * GError crossing the helper's bus keeps its domain and code. */
typedef enum
{
  KT_HOST_KNOB_ERROR_INVALID_KEY,    /* .InvalidKey */
  KT_HOST_KNOB_ERROR_INVALID_VALUE,  /* .InvalidValue */
  KT_HOST_KNOB_ERROR_TOO_MANY,       /* .TooMany: more than KT_HOST_KNOB_MAX_ENTRIES */
  KT_HOST_KNOB_ERROR_FAILED,         /* .Failed: the kernel or the file system refused */
  KT_HOST_KNOB_ERROR_NOT_AUTHORIZED, /* .NotAuthorized: polkit said no */
  KT_HOST_KNOB_ERROR_UNAVAILABLE,    /* .Unavailable: the setting does not exist here */
} KtHostKnobError;

#define KT_HOST_KNOB_ERROR_DBUS_PREFIX "org.example.KvmTune.Helper.Error."

/* Bounds on what one request may carry */
#define KT_HOST_KNOB_MAX_ENTRIES    256
#define KT_HOST_KNOB_MAX_KEY_LEN    64
#define KT_HOST_KNOB_MAX_VALUE_LEN  32

/* The drop-ins (without any test prefix) */
#define KT_HOST_PERSIST_SYSCTL_PATH   "/etc/sysctl.d/90-kvmtune.conf"
#define KT_HOST_PERSIST_TMPFILES_PATH "/etc/tmpfiles.d/kvmtune.conf"

GQuark              kt_host_knob_error_quark     (void);

/* TRUE for a key of the whitelist, including well-formed hugepages.N.S */
gboolean            kt_host_knob_is_known        (const char   *key);

/* The fixed keys in their canonical (application) order, without the
 * hugepages.NODE.SIZE_KIB family.  Static; do not free. */
const char * const *kt_host_knob_list_keys       (void);

/* The allowed words of a choice key (NULL for integer keys and unknown
 * keys), static.  For integer keys, kt_host_knob_get_range gives the
 * bounds and returns TRUE. */
const char * const *kt_host_knob_get_choices     (const char   *key);
gboolean            kt_host_knob_get_range       (const char   *key,
                                                  guint64      *min_out,
                                                  guint64      *max_out);

/* The path a key maps to, for display (preview "mechanism" column);
 * NULL for an unknown key.  Free with g_free. */
char               *kt_host_knob_describe_path   (const char   *key);

/* Checks @key and @value against the whitelist; touches nothing. */
gboolean            kt_host_knob_validate        (const char   *key,
                                                  const char   *value,
                                                  GError      **error);

/* The current value: for the THP files the bracketed choice
 * ("always [madvise] never" reads "madvise"), for the others the number. */
gboolean            kt_host_knob_read            (const char   *key,
                                                  char        **value_out,
                                                  GError      **error);

/* Every fixed key that can be read, key → value; what cannot be read
 * (missing on this kernel, no permission) is left out, never guessed. */
GHashTable         *kt_host_knob_read_all        (void);

/* Validates, writes, reads back; an error when the read-back differs
 * (e.g. the kernel allocated fewer hugepages than asked). */
gboolean            kt_host_knob_write           (const char   *key,
                                                  const char   *value,
                                                  GError      **error);

/* One applied setting */
typedef struct
{
  char *key;
  char *old_value;
  char *new_value;
} KtHostKnobChange;

void                kt_host_knob_change_free     (KtHostKnobChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtHostKnobChange, kt_host_knob_change_free)

/* All or nothing: validates every pair first (unknown keys, bad values,
 * duplicates, more than KT_HOST_KNOB_MAX_ENTRIES), then writes them in
 * the given order.  When a write fails, the earlier ones are put back
 * (newest first) and the error names the failed key; if putting back
 * failed too, the message says which key is left changed.
 * @keys and @values are NULL-terminated and of the same length.
 * Returns a GPtrArray of KtHostKnobChange, one per pair, in order. */
GPtrArray          *kt_host_knob_apply           (const char * const *keys,
                                                  const char * const *values,
                                                  GError      **error);

/* Replaces the drop-ins with exactly @settings (key → value, every pair
 * validated first; nothing is written when one is refused).  Keys whose
 * file would be empty remove that file; an empty table removes both. */
gboolean            kt_host_persist_write        (GHashTable   *settings,
                                                  GError      **error);

/* Removes both drop-ins; missing ones are fine. */
gboolean            kt_host_persist_remove       (GError      **error);

/* What the drop-ins currently hold, key → value (empty when there are
 * none).  Lines this module did not write are an error. */
GHashTable         *kt_host_persist_read         (GError      **error);

G_END_DECLS
