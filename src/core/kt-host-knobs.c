/* kt-host-knobs.c: whitelisted host kernel settings and their drop-ins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-host-knobs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

static const GDBusErrorEntry knob_error_entries[] = {
  { KT_HOST_KNOB_ERROR_INVALID_KEY, KT_HOST_KNOB_ERROR_DBUS_PREFIX "InvalidKey" },
  { KT_HOST_KNOB_ERROR_INVALID_VALUE, KT_HOST_KNOB_ERROR_DBUS_PREFIX "InvalidValue" },
  { KT_HOST_KNOB_ERROR_TOO_MANY, KT_HOST_KNOB_ERROR_DBUS_PREFIX "TooMany" },
  { KT_HOST_KNOB_ERROR_FAILED, KT_HOST_KNOB_ERROR_DBUS_PREFIX "Failed" },
  { KT_HOST_KNOB_ERROR_NOT_AUTHORIZED, KT_HOST_KNOB_ERROR_DBUS_PREFIX "NotAuthorized" },
  { KT_HOST_KNOB_ERROR_UNAVAILABLE, KT_HOST_KNOB_ERROR_DBUS_PREFIX "Unavailable" },
};

GQuark
kt_host_knob_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("kt-host-knob-error-quark", &quark,
                                      knob_error_entries,
                                      G_N_ELEMENTS (knob_error_entries));
  return (GQuark) quark;
}

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

static const char * const ksm_run_choices[] = { "0", "1", "2", NULL };
static const char * const bool_choices[] = { "0", "1", NULL };
static const char * const thp_enabled_choices[] = { "always", "madvise", "never", NULL };
static const char * const thp_defrag_choices[] = {
  "always", "defer", "defer+madvise", "madvise", "never", NULL
};
static const char * const numa_balancing_choices[] = { "0", "1", "2", "3", NULL };

#define HUGEPAGES_MAX_NODE 1023
#define HUGEPAGES_MIN_SIZE 4
#define HUGEPAGES_MAX_SIZE G_GUINT64_CONSTANT (16777216)   /* 16 GiB in KiB */
#define HUGEPAGES_MAX_COUNT G_GUINT64_CONSTANT (16777216)

/* Canonical order: merge_across_nodes before run, which the kernel
 * changes only while nothing is merged. */
static const Knob knobs[] = {
  { "ksm.merge_across_nodes", "/sys/kernel/mm/ksm/merge_across_nodes", NULL,
    bool_choices, 0, 0, FALSE, PERSIST_TMPFILES },
  { "ksm.pages_to_scan", "/sys/kernel/mm/ksm/pages_to_scan", NULL,
    NULL, 1, 100000, FALSE, PERSIST_TMPFILES },
  { "ksm.sleep_millisecs", "/sys/kernel/mm/ksm/sleep_millisecs", NULL,
    NULL, 1, 600000, FALSE, PERSIST_TMPFILES },
  { "ksm.run", "/sys/kernel/mm/ksm/run", NULL,
    ksm_run_choices, 0, 0, FALSE, PERSIST_TMPFILES },
  { "thp.enabled", "/sys/kernel/mm/transparent_hugepage/enabled", NULL,
    thp_enabled_choices, 0, 0, TRUE, PERSIST_TMPFILES },
  { "thp.defrag", "/sys/kernel/mm/transparent_hugepage/defrag", NULL,
    thp_defrag_choices, 0, 0, TRUE, PERSIST_TMPFILES },
  { "numa_balancing", "/proc/sys/kernel/numa_balancing", "kernel.numa_balancing",
    numa_balancing_choices, 0, 0, FALSE, PERSIST_SYSCTL },
};

static const Knob hugepages_knob = {
  "hugepages", NULL, NULL, NULL, 0, HUGEPAGES_MAX_COUNT, FALSE, PERSIST_TMPFILES
};

static const char * const fixed_keys[] = {
  "ksm.merge_across_nodes", "ksm.pages_to_scan", "ksm.sleep_millisecs", "ksm.run",
  "thp.enabled", "thp.defrag", "numa_balancing", NULL
};

/* A key resolved against the table */
typedef struct
{
  const Knob *knob;
  guint       node;       /* hugepages only */
  guint64     size_kib;   /* hugepages only */
  guint       order;      /* position for sorting drop-in lines */
} Resolved;

/* Every path this module opens goes through here. */
static char *
host_path (const char *fixed)
{
#ifdef KT_HOST_KNOBS_TESTING
  const char *root = g_getenv ("KT_HOST_KNOBS_TEST_ROOT");

  if (root != NULL && root[0] != '\0')
    return g_strconcat (root, fixed, NULL);
#endif
  return g_strdup (fixed);
}

/* The kernel path of a resolved key, without the test prefix */
static char *
resolved_fixed_path (const Resolved *r)
{
  if (r->knob->path != NULL)
    return g_strdup (r->knob->path);
  return g_strdup_printf ("/sys/devices/system/node/node%u/hugepages/hugepages-%"
                          G_GUINT64_FORMAT "kB/nr_hugepages",
                          r->node, r->size_kib);
}

/* A plain decimal: digits only, no leading zero (except "0"), at most
 * 20 digits, within [min, max]. */
static gboolean
parse_decimal (const char *text,
               gsize       len,
               guint64     min,
               guint64     max,
               guint64    *out)
{
  guint64 v = 0;

  if (len == 0 || len > 20 || (text[0] == '0' && len > 1))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      if (v > (G_MAXUINT64 - (guint64) (text[i] - '0')) / 10)
        return FALSE;
      v = v * 10 + (guint64) (text[i] - '0');
    }
  if (v < min || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

/* Printable ASCII only, bounded: what a message may quote back */
static char *
quote_for_message (const char *text,
                   gsize       max)
{
  GString *s = g_string_new ("\"");
  gsize i;

  for (i = 0; text[i] != '\0' && i < max; i++)
    {
      guchar c = (guchar) text[i];

      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
        g_string_append_c (s, (char) c);
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  g_string_append_c (s, '"');
  if (text[i] != '\0')
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

static gboolean
resolve (const char *key,
         Resolved   *out,
         GError    **error)
{
  gsize len;

  g_return_val_if_fail (key != NULL, FALSE);

  len = strnlen (key, KT_HOST_KNOB_MAX_KEY_LEN + 1);
  if (len > KT_HOST_KNOB_MAX_KEY_LEN)
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                   _("Unknown host setting: the key is longer than %d bytes"),
                   KT_HOST_KNOB_MAX_KEY_LEN);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (knobs); i++)
    if (strcmp (key, knobs[i].key) == 0)
      {
        *out = (Resolved) { &knobs[i], 0, 0, i };
        return TRUE;
      }

  if (g_str_has_prefix (key, "hugepages."))
    {
      const char *node_text = key + strlen ("hugepages.");
      const char *dot = strchr (node_text, '.');
      guint64 node, size;

      if (dot != NULL
          && parse_decimal (node_text, (gsize) (dot - node_text), 0, HUGEPAGES_MAX_NODE, &node)
          && parse_decimal (dot + 1, strlen (dot + 1), HUGEPAGES_MIN_SIZE,
                            HUGEPAGES_MAX_SIZE, &size)
          && (size & (size - 1)) == 0)
        {
          *out = (Resolved) { &hugepages_knob, (guint) node, size, G_N_ELEMENTS (knobs) };
          return TRUE;
        }
    }

  {
    g_autofree char *quoted = quote_for_message (key, KT_HOST_KNOB_MAX_KEY_LEN);
    g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                 _("Unknown host setting %s: KvmTune changes only ksm.run, "
                   "ksm.merge_across_nodes, ksm.pages_to_scan, ksm.sleep_millisecs, "
                   "thp.enabled, thp.defrag, numa_balancing and hugepages.NODE.SIZE_KIB"),
                 quoted);
  }
  return FALSE;
}

static gboolean
check_value (const char     *key,
             const Resolved *r,
             const char     *value,
             GError        **error)
{
  gsize len = strnlen (value, KT_HOST_KNOB_MAX_VALUE_LEN + 1);
  g_autofree char *quoted = NULL;

  if (len <= KT_HOST_KNOB_MAX_VALUE_LEN)
    {
      if (r->knob->choices != NULL)
        {
          if (g_strv_contains (r->knob->choices, value))
            return TRUE;
        }
      else
        {
          guint64 v;

          if (parse_decimal (value, len, r->knob->min, r->knob->max, &v))
            return TRUE;
        }
    }

  quoted = quote_for_message (value, KT_HOST_KNOB_MAX_VALUE_LEN);
  if (r->knob->choices != NULL)
    {
      g_autofree char *allowed = g_strjoinv (", ", (char **) r->knob->choices);
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                   _("Invalid value %s for %s: allowed are %s"), quoted, key, allowed);
    }
  else
    {
      g_autofree char *min = g_strdup_printf ("%" G_GUINT64_FORMAT, r->knob->min);
      g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, r->knob->max);
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                   _("Invalid value %s for %s: a whole number from %s to %s is needed"),
                   quoted, key, min, max);
    }
  return FALSE;
}

gboolean
kt_host_knob_is_known (const char *key)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, FALSE);
  return resolve (key, &r, NULL);
}

const char * const *
kt_host_knob_list_keys (void)
{
  return fixed_keys;
}

const char * const *
kt_host_knob_get_choices (const char *key)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, NULL);
  if (!resolve (key, &r, NULL))
    return NULL;
  return r.knob->choices;
}

gboolean
kt_host_knob_get_range (const char *key,
                        guint64    *min_out,
                        guint64    *max_out)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, FALSE);
  if (!resolve (key, &r, NULL) || r.knob->choices != NULL)
    return FALSE;
  if (min_out != NULL)
    *min_out = r.knob->min;
  if (max_out != NULL)
    *max_out = r.knob->max;
  return TRUE;
}

char *
kt_host_knob_describe_path (const char *key)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, NULL);
  if (!resolve (key, &r, NULL))
    return NULL;
  return resolved_fixed_path (&r);
}

gboolean
kt_host_knob_validate (const char *key,
                       const char *value,
                       GError    **error)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return resolve (key, &r, error) && check_value (key, &r, value, error);
}

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *key,
                 const char *path,
                 const char *value)
{
  const char *reason = g_strerror (saved_errno);

  switch (saved_errno)
    {
    case ENOENT:
    case ENOTDIR:
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_UNAVAILABLE,
                   _("%s is not available on this host (%s: %s)"), key, path, reason);
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot change %s (%s: %s); run as root or through kvmtune-helper"),
                   key, path, reason);
      break;
    case EBUSY:
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("The kernel refused %s=%s as busy (%s: %s); for "
                     "ksm.merge_across_nodes, unmerge first with ksm.run=2"),
                   key, value ? value : "", path, reason);
      break;
    case EINVAL:
      if (value != NULL)
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                       _("The kernel refused %s=%s (%s: %s)"), key, value, path, reason);
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot access %s (%s: %s)"), key, path, reason);
      break;
    }
}

/* Parses what the kernel file holds into the canonical value */
static gboolean
parse_contents (const char     *key,
                const Resolved *r,
                const char     *path,
                const char     *contents,
                char          **value_out,
                GError        **error)
{
  g_autofree char *text = g_strstrip (g_strdup (contents));

  if (r->knob->bracketed)
    {
      g_auto(GStrv) words = g_strsplit_set (text, " \t\n", -1);
      const char *found = NULL;
      guint n_words = 0;

      for (guint i = 0; words[i] != NULL; i++)
        {
          gsize wlen = strlen (words[i]);

          if (wlen == 0)
            continue;
          n_words++;
          if (wlen > 2 && words[i][0] == '[' && words[i][wlen - 1] == ']')
            {
              if (found != NULL)
                {
                  found = NULL;
                  n_words = 0;
                  break;
                }
              words[i][wlen - 1] = '\0';
              found = words[i] + 1;
            }
        }
      /* A file holding one bare word, as a test tree may */
      if (found == NULL && n_words == 1)
        for (guint i = 0; words[i] != NULL; i++)
          if (words[i][0] != '\0')
            found = words[i];

      if (found != NULL && g_strv_contains (r->knob->choices, found))
        {
          *value_out = g_strdup (found);
          return TRUE;
        }
    }
  else
    {
      guint64 v;

      if (parse_decimal (text, strlen (text), 0, G_MAXUINT64, &v))
        {
          *value_out = g_strdup_printf ("%" G_GUINT64_FORMAT, v);
          return TRUE;
        }
    }

  {
    g_autofree char *quoted = quote_for_message (text, 80);
    g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                 _("Cannot understand %s in %s: %s"), key, path, quoted);
  }
  return FALSE;
}

static gboolean
read_resolved (const char     *key,
               const Resolved *r,
               char          **value_out,
               GError        **error)
{
  g_autofree char *fixed = resolved_fixed_path (r);
  g_autofree char *path = host_path (fixed);
  char buf[4096];
  gsize total = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, key, fixed, NULL);
      return FALSE;
    }
  while (total < sizeof buf - 1)
    {
      ssize_t n = read (fd, buf + total, sizeof buf - 1 - total);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          set_errno_error (error, saved, key, fixed, NULL);
          return FALSE;
        }
      if (n == 0)
        break;
      total += (gsize) n;
    }
  close (fd);
  buf[total] = '\0';
  if (memchr (buf, '\0', total) != NULL)
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot understand %s in %s: it holds a NUL byte"), key, fixed);
      return FALSE;
    }
  return parse_contents (key, r, fixed, buf, value_out, error);
}

/* Writes a value already checked (or read from the kernel itself) */
static gboolean
write_resolved (const char     *key,
                const Resolved *r,
                const char     *value,
                GError        **error)
{
  g_autofree char *fixed = resolved_fixed_path (r);
  g_autofree char *path = host_path (fixed);
  g_autofree char *line = g_strconcat (value, "\n", NULL);
  gsize len = strlen (line);
  ssize_t n;
  int fd;

  /* No O_CREAT: every knob exists or the setting is unavailable */
  fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, key, fixed, value);
      return FALSE;
    }
  do
    n = write (fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0 || (gsize) n != len)
    {
      int saved = n < 0 ? errno : EIO;
      close (fd);
      set_errno_error (error, saved, key, fixed, value);
      return FALSE;
    }
  if (close (fd) < 0)
    {
      set_errno_error (error, errno, key, fixed, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_and_check (const char     *key,
                 const Resolved *r,
                 const char     *value,
                 GError        **error)
{
  g_autofree char *back = NULL;

  if (!write_resolved (key, r, value, error))
    return FALSE;
  if (!read_resolved (key, r, &back, error))
    return FALSE;
  if (strcmp (back, value) != 0)
    {
      g_autofree char *fixed = resolved_fixed_path (r);
      if (r->knob == &hugepages_knob)
        g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                     _("The kernel allocated %s of the %s pages asked for %s (%s); "
                       "memory may be too fragmented"),
                     back, value, key, fixed);
      else
        g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                     _("%s reads back %s after writing %s (%s)"), key, back, value, fixed);
      return FALSE;
    }
  return TRUE;
}

gboolean
kt_host_knob_read (const char *key,
                   char      **value_out,
                   GError    **error)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!resolve (key, &r, error))
    return FALSE;
  return read_resolved (key, &r, value_out, error);
}

GHashTable *
kt_host_knob_read_all (void)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (knobs); i++)
    {
      Resolved r = { &knobs[i], 0, 0, i };
      char *value = NULL;

      if (read_resolved (knobs[i].key, &r, &value, NULL))
        g_hash_table_insert (values, g_strdup (knobs[i].key), value);
    }
  return values;
}

gboolean
kt_host_knob_write (const char *key,
                    const char *value,
                    GError    **error)
{
  Resolved r;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!resolve (key, &r, error) || !check_value (key, &r, value, error))
    return FALSE;
  return write_and_check (key, &r, value, error);
}

void
kt_host_knob_change_free (KtHostKnobChange *change)
{
  if (change == NULL)
    return;
  g_free (change->key);
  g_free (change->old_value);
  g_free (change->new_value);
  g_free (change);
}

/* Validates the whole request: count, keys, values, duplicates */
static Resolved *
validate_request (const char * const *keys,
                  const char * const *values,
                  guint              *n_out,
                  GError            **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree Resolved *resolved = NULL;
  guint n = 0;

  while (keys[n] != NULL)
    {
      if (values[n] == NULL)
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                       _("No value for %s"), keys[n]);
          return NULL;
        }
      if (++n > KT_HOST_KNOB_MAX_ENTRIES)
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_TOO_MANY,
                       _("Too many host settings in one request: at most %d"),
                       KT_HOST_KNOB_MAX_ENTRIES);
          return NULL;
        }
    }
  if (values[n] != NULL)
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                   _("More values than host settings"));
      return NULL;
    }

  resolved = g_new0 (Resolved, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      if (!resolve (keys[i], &resolved[i], error)
          || !check_value (keys[i], &resolved[i], values[i], error))
        return NULL;
      if (!g_hash_table_add (seen, (gpointer) keys[i]))
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                       _("%s is given more than once"), keys[i]);
          return NULL;
        }
    }
  *n_out = n;
  return g_steal_pointer (&resolved);
}

GPtrArray *
kt_host_knob_apply (const char * const *keys,
                    const char * const *values,
                    GError            **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree Resolved *resolved = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gboolean *written = NULL;
  guint n = 0, i;

  g_return_val_if_fail (keys != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  resolved = validate_request (keys, values, &n, error);
  if (resolved == NULL)
    return NULL;

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_knob_change_free);
  written = g_new0 (gboolean, MAX (n, 1));
  for (i = 0; i < n; i++)
    {
      g_autofree char *old = NULL;
      KtHostKnobChange *change;

      if (!read_resolved (keys[i], &resolved[i], &old, &local_error))
        break;
      if (strcmp (old, values[i]) != 0)
        {
          /* Counted as written even when the write fails half-way:
           * putting the old value back is then harmless. */
          written[i] = TRUE;
          if (!write_and_check (keys[i], &resolved[i], values[i], &local_error))
            {
              change = g_new0 (KtHostKnobChange, 1);
              change->key = g_strdup (keys[i]);
              change->old_value = g_steal_pointer (&old);
              g_ptr_array_add (changes, change);
              break;
            }
        }
      change = g_new0 (KtHostKnobChange, 1);
      change->key = g_strdup (keys[i]);
      change->old_value = g_steal_pointer (&old);
      change->new_value = g_strdup (values[i]);
      g_ptr_array_add (changes, change);
    }

  if (local_error == NULL)
    return g_steal_pointer (&changes);

  /* Put back what was written, newest first */
  {
    g_autoptr(GString) left = g_string_new (NULL);

    for (guint j = changes->len; j-- > 0;)
      {
        KtHostKnobChange *change = g_ptr_array_index (changes, j);
        g_autoptr(GError) undo_error = NULL;

        if (!written[j])
          continue;
        if (!write_and_check (change->key, &resolved[j], change->old_value, &undo_error))
          g_string_append_printf (left, "%s%s (%s)", left->len ? "; " : "",
                                  change->key, undo_error->message);
      }
    if (left->len > 0)
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not put back %s after: "), left->str);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
  }
  return NULL;
}

/* Persistence */

typedef struct
{
  char     *key;
  char     *value;
  Resolved  r;
} PersistEntry;

static void
persist_entry_free (PersistEntry *e)
{
  g_free (e->key);
  g_free (e->value);
  g_free (e);
}

static int
persist_entry_compare (gconstpointer a,
                       gconstpointer b)
{
  const PersistEntry *x = *(const PersistEntry * const *) a;
  const PersistEntry *y = *(const PersistEntry * const *) b;

  if (x->r.order != y->r.order)
    return x->r.order < y->r.order ? -1 : 1;
  if (x->r.node != y->r.node)
    return x->r.node < y->r.node ? -1 : 1;
  if (x->r.size_kib != y->r.size_kib)
    return x->r.size_kib < y->r.size_kib ? -1 : 1;
  return 0;
}

#define PERSIST_HEADER \
  "# Written by KvmTune (\"Keep after reboot\"). \"kvmtune-cli host revert\"\n" \
  "# removes this file; edits here are overwritten.\n"

/* Reads one drop-in; a missing file is NULL contents and TRUE */
static gboolean
read_dropin (const char *fixed,
             char      **contents_out,
             GError    **error)
{
  g_autofree char *path = host_path (fixed);
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  *contents_out = NULL;
  if (!g_file_get_contents (path, contents_out, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot read %s: %s"), fixed, local_error->message);
      return FALSE;
    }
  if (len > 65536 || memchr (*contents_out, '\0', len) != NULL)
    {
      g_clear_pointer (contents_out, g_free);
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("%s was not written by KvmTune (too long or binary)"), fixed);
      return FALSE;
    }
  return TRUE;
}

/* Writes (@contents) or removes (NULL) one drop-in, atomically */
static gboolean
put_dropin (const char *fixed,
            const char *contents,
            GError    **error)
{
  g_autofree char *path = host_path (fixed);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;

  if (contents == NULL)
    {
      if (g_unlink (path) < 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                       _("Cannot remove %s: %s"), fixed, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      int saved = errno;
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot create the folder of %s: %s"), fixed, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local_error))
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot write %s: %s"), fixed, local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
kt_host_persist_write (GHashTable *settings,
                       GError    **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) persist_entry_free);
  g_autoptr(GString) sysctl = g_string_new (PERSIST_HEADER);
  g_autoptr(GString) tmpfiles = g_string_new (PERSIST_HEADER);
  g_autofree char *old_sysctl = NULL;
  g_autofree char *old_tmpfiles = NULL;
  gboolean any_sysctl = FALSE, any_tmpfiles = FALSE;
  GHashTableIter iter;
  gpointer k, v;

  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_hash_table_size (settings) > KT_HOST_KNOB_MAX_ENTRIES)
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_TOO_MANY,
                   _("Too many host settings in one request: at most %d"),
                   KT_HOST_KNOB_MAX_ENTRIES);
      return FALSE;
    }

  g_hash_table_iter_init (&iter, settings);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      PersistEntry *e = g_new0 (PersistEntry, 1);

      g_ptr_array_add (entries, e);
      if (k == NULL || v == NULL)
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                       _("A host setting without key or value"));
          return FALSE;
        }
      if (!resolve (k, &e->r, error) || !check_value (k, &e->r, v, error))
        return FALSE;
      e->key = g_strdup (k);
      e->value = g_strdup (v);
    }
  g_ptr_array_sort (entries, persist_entry_compare);

  for (guint i = 0; i < entries->len; i++)
    {
      PersistEntry *e = g_ptr_array_index (entries, i);

      if (e->r.knob->persist == PERSIST_SYSCTL)
        {
          g_string_append_printf (sysctl, "%s = %s\n", e->r.knob->sysctl, e->value);
          any_sysctl = TRUE;
        }
      else
        {
          g_autofree char *fixed = resolved_fixed_path (&e->r);
          g_string_append_printf (tmpfiles, "w %s - - - - %s\n", fixed, e->value);
          any_tmpfiles = TRUE;
        }
    }

  /* Two files cannot change at once: put the first back if the second fails */
  if (!read_dropin (KT_HOST_PERSIST_SYSCTL_PATH, &old_sysctl, error)
      || !read_dropin (KT_HOST_PERSIST_TMPFILES_PATH, &old_tmpfiles, error))
    return FALSE;
  if (!put_dropin (KT_HOST_PERSIST_SYSCTL_PATH, any_sysctl ? sysctl->str : NULL, error))
    return FALSE;
  if (!put_dropin (KT_HOST_PERSIST_TMPFILES_PATH, any_tmpfiles ? tmpfiles->str : NULL, error))
    {
      put_dropin (KT_HOST_PERSIST_SYSCTL_PATH, old_sysctl, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
kt_host_persist_remove (GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Both are tried; the first failure is reported */
  {
    g_autoptr(GError) first = NULL;
    gboolean ok = put_dropin (KT_HOST_PERSIST_SYSCTL_PATH, NULL, &first);

    ok = put_dropin (KT_HOST_PERSIST_TMPFILES_PATH, NULL, first ? NULL : &first) && ok;
    if (!ok)
      g_propagate_error (error, g_steal_pointer (&first));
    return ok;
  }
}

/* Maps a kernel path of a tmpfiles line back to its key */
static char *
key_for_path (const char *fixed)
{
  const char *prefix = "/sys/devices/system/node/node";
  guint64 node, size;
  const char *p, *end;

  for (guint i = 0; i < G_N_ELEMENTS (knobs); i++)
    if (knobs[i].persist == PERSIST_TMPFILES && strcmp (fixed, knobs[i].path) == 0)
      return g_strdup (knobs[i].key);

  if (!g_str_has_prefix (fixed, prefix))
    return NULL;
  p = fixed + strlen (prefix);
  end = strchr (p, '/');
  if (end == NULL || !parse_decimal (p, (gsize) (end - p), 0, HUGEPAGES_MAX_NODE, &node))
    return NULL;
  p = end;
  if (!g_str_has_prefix (p, "/hugepages/hugepages-"))
    return NULL;
  p += strlen ("/hugepages/hugepages-");
  end = strstr (p, "kB/nr_hugepages");
  if (end == NULL || !parse_decimal (p, (gsize) (end - p), 0, G_MAXUINT64, &size))
    return NULL;

  {
    g_autofree char *key = g_strdup_printf ("hugepages.%" G_GUINT64_FORMAT ".%"
                                            G_GUINT64_FORMAT, node, size);
    Resolved r;
    g_autofree char *again = NULL;

    /* Only what this module would have written itself */
    if (!resolve (key, &r, NULL))
      return NULL;
    again = resolved_fixed_path (&r);
    if (strcmp (again, fixed) != 0)
      return NULL;
    return g_steal_pointer (&key);
  }
}

static gboolean
parse_dropin (const char *fixed,
              const char *contents,
              gboolean    is_sysctl,
              GHashTable *out,
              GError    **error)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (is_sysctl)
        {
          g_auto(GStrv) parts = g_strsplit (line, " = ", 2);

          if (g_strv_length (parts) == 2)
            for (guint j = 0; j < G_N_ELEMENTS (knobs); j++)
              if (knobs[j].sysctl != NULL && strcmp (parts[0], knobs[j].sysctl) == 0)
                {
                  key = g_strdup (knobs[j].key);
                  value = g_strdup (parts[1]);
                }
        }
      else
        {
          g_auto(GStrv) parts = g_strsplit (line, " ", -1);

          if (g_strv_length (parts) == 7 && strcmp (parts[0], "w") == 0
              && strcmp (parts[2], "-") == 0 && strcmp (parts[3], "-") == 0
              && strcmp (parts[4], "-") == 0 && strcmp (parts[5], "-") == 0)
            {
              key = key_for_path (parts[1]);
              value = g_strdup (parts[6]);
            }
        }
      if (key == NULL || !kt_host_knob_validate (key, value, NULL))
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                       _("%s, line %u, was not written by KvmTune"), fixed, i + 1);
          return FALSE;
        }
      g_hash_table_replace (out, g_steal_pointer (&key), g_steal_pointer (&value));
    }
  return TRUE;
}

GHashTable *
kt_host_persist_read (GError **error)
{
  g_autoptr(GHashTable) out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *sysctl = NULL;
  g_autofree char *tmpfiles = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_dropin (KT_HOST_PERSIST_SYSCTL_PATH, &sysctl, error)
      || !read_dropin (KT_HOST_PERSIST_TMPFILES_PATH, &tmpfiles, error))
    return NULL;
  if (sysctl != NULL
      && !parse_dropin (KT_HOST_PERSIST_SYSCTL_PATH, sysctl, TRUE, out, error))
    return NULL;
  if (tmpfiles != NULL
      && !parse_dropin (KT_HOST_PERSIST_TMPFILES_PATH, tmpfiles, FALSE, out, error))
    return NULL;
  return g_steal_pointer (&out);
}
