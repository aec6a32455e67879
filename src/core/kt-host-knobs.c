/* kt-host-knobs.c: the whitelist of host kernel settings, and checking keys
 * and values against it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-host-knobs-private.h"

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


static const char * const ksm_run_choices[] = { "0", "1", "2", NULL };
static const char * const bool_choices[] = { "0", "1", NULL };
static const char * const thp_enabled_choices[] = { "always", "madvise", "never", NULL };
static const char * const thp_defrag_choices[] = {
  "always", "defer", "defer+madvise", "madvise", "never", NULL
};
static const char * const numa_balancing_choices[] = { "0", "1", "2", "3", NULL };


/* Canonical order: merge_across_nodes before run, which the kernel
 * changes only while nothing is merged. */
const Knob _kt_host_knobs[] = {
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

const Knob _kt_host_hugepages_knob = {
  "hugepages", NULL, NULL, NULL, 0, HUGEPAGES_MAX_COUNT, FALSE, PERSIST_TMPFILES
};

static const char * const fixed_keys[] = {
  "ksm.merge_across_nodes", "ksm.pages_to_scan", "ksm.sleep_millisecs", "ksm.run",
  "thp.enabled", "thp.defrag", "numa_balancing", NULL
};

/* Every path this module opens goes through here. */
char *
_kt_host_knob_host_path (const char *fixed)
{
#ifdef KT_HOST_KNOBS_TESTING
  const char *root = g_getenv ("KT_HOST_KNOBS_TEST_ROOT");

  if (root != NULL && root[0] != '\0')
    return g_strconcat (root, fixed, NULL);
#endif
  return g_strdup (fixed);
}

/* The kernel path of a resolved key, without the test prefix */
char *
_kt_host_knob_resolved_fixed_path (const Resolved *r)
{
  if (r->knob->path != NULL)
    return g_strdup (r->knob->path);
  return g_strdup_printf ("/sys/devices/system/node/node%u/hugepages/hugepages-%"
                          G_GUINT64_FORMAT "kB/nr_hugepages",
                          r->node, r->size_kib);
}

/* A plain decimal: digits only, no leading zero (except "0"), at most
 * 20 digits, within [min, max]. */
gboolean
_kt_host_knob_parse_decimal (const char *text,
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
char *
_kt_host_knob_quote_for_message (const char *text,
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

gboolean
_kt_host_knob_resolve (const char *key,
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

  for (guint i = 0; i < G_N_ELEMENTS (_kt_host_knobs); i++)
    if (strcmp (key, _kt_host_knobs[i].key) == 0)
      {
        *out = (Resolved) { &_kt_host_knobs[i], 0, 0, i };
        return TRUE;
      }

  if (g_str_has_prefix (key, "hugepages."))
    {
      const char *node_text = key + strlen ("hugepages.");
      const char *dot = strchr (node_text, '.');
      guint64 node, size;

      if (dot != NULL
          && _kt_host_knob_parse_decimal (node_text, (gsize) (dot - node_text), 0,
                                          HUGEPAGES_MAX_NODE, &node)
          && _kt_host_knob_parse_decimal (dot + 1, strlen (dot + 1), HUGEPAGES_MIN_SIZE,
                                          HUGEPAGES_MAX_SIZE, &size)
          && (size & (size - 1)) == 0)
        {
          *out = (Resolved) { &_kt_host_hugepages_knob, (guint) node, size,
                              G_N_ELEMENTS (_kt_host_knobs) };
          return TRUE;
        }
    }

  {
    g_autofree char *quoted = _kt_host_knob_quote_for_message (key, KT_HOST_KNOB_MAX_KEY_LEN);
    g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                 _("Unknown host setting %s: KvmTune changes only ksm.run, "
                   "ksm.merge_across_nodes, ksm.pages_to_scan, ksm.sleep_millisecs, "
                   "thp.enabled, thp.defrag, numa_balancing and hugepages.NODE.SIZE_KIB"),
                 quoted);
  }
  return FALSE;
}

gboolean
_kt_host_knob_check_value (const char     *key,
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

          if (_kt_host_knob_parse_decimal (value, len, r->knob->min, r->knob->max, &v))
            return TRUE;
        }
    }

  quoted = _kt_host_knob_quote_for_message (value, KT_HOST_KNOB_MAX_VALUE_LEN);
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
  return _kt_host_knob_resolve (key, &r, NULL);
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
  if (!_kt_host_knob_resolve (key, &r, NULL))
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
  if (!_kt_host_knob_resolve (key, &r, NULL) || r.knob->choices != NULL)
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
  if (!_kt_host_knob_resolve (key, &r, NULL))
    return NULL;
  return _kt_host_knob_resolved_fixed_path (&r);
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

  return _kt_host_knob_resolve (key, &r, error)
         && _kt_host_knob_check_value (key, &r, value, error);
}
