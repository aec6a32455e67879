/* kt-host-knobs-persist.c: the sysctl.d and tmpfiles.d drop-ins that keep
 * host settings after a reboot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-host-knobs-private.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

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
  g_autofree char *path = _kt_host_knob_host_path (fixed);
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
  g_autofree char *path = _kt_host_knob_host_path (fixed);
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
      if (!_kt_host_knob_resolve (k, &e->r, error)
          || !_kt_host_knob_check_value (k, &e->r, v, error))
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
          g_autofree char *fixed = _kt_host_knob_resolved_fixed_path (&e->r);
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

  for (guint i = 0; i < G_N_ELEMENTS (_kt_host_knobs); i++)
    if (_kt_host_knobs[i].persist == PERSIST_TMPFILES
        && strcmp (fixed, _kt_host_knobs[i].path) == 0)
      return g_strdup (_kt_host_knobs[i].key);

  if (!g_str_has_prefix (fixed, prefix))
    return NULL;
  p = fixed + strlen (prefix);
  end = strchr (p, '/');
  if (end == NULL
      || !_kt_host_knob_parse_decimal (p, (gsize) (end - p), 0, HUGEPAGES_MAX_NODE, &node))
    return NULL;
  p = end;
  if (!g_str_has_prefix (p, "/hugepages/hugepages-"))
    return NULL;
  p += strlen ("/hugepages/hugepages-");
  end = strstr (p, "kB/nr_hugepages");
  if (end == NULL || !_kt_host_knob_parse_decimal (p, (gsize) (end - p), 0, G_MAXUINT64, &size))
    return NULL;

  {
    g_autofree char *key = g_strdup_printf ("hugepages.%" G_GUINT64_FORMAT ".%"
                                            G_GUINT64_FORMAT, node, size);
    Resolved r;
    g_autofree char *again = NULL;

    /* Only what this module would have written itself */
    if (!_kt_host_knob_resolve (key, &r, NULL))
      return NULL;
    again = _kt_host_knob_resolved_fixed_path (&r);
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
            for (guint j = 0; j < G_N_ELEMENTS (_kt_host_knobs); j++)
              if (_kt_host_knobs[j].sysctl != NULL
                  && strcmp (parts[0], _kt_host_knobs[j].sysctl) == 0)
                {
                  key = g_strdup (_kt_host_knobs[j].key);
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
