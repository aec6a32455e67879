/* kt-host-knobs-io.c: reading and writing the whitelisted host kernel
 * settings, one or all-or-nothing
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

      if (_kt_host_knob_parse_decimal (text, strlen (text), 0, G_MAXUINT64, &v))
        {
          *value_out = g_strdup_printf ("%" G_GUINT64_FORMAT, v);
          return TRUE;
        }
    }

  {
    g_autofree char *quoted = _kt_host_knob_quote_for_message (text, 80);
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
  g_autofree char *fixed = _kt_host_knob_resolved_fixed_path (r);
  g_autofree char *path = _kt_host_knob_host_path (fixed);
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
  g_autofree char *fixed = _kt_host_knob_resolved_fixed_path (r);
  g_autofree char *path = _kt_host_knob_host_path (fixed);
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
      g_autofree char *fixed = _kt_host_knob_resolved_fixed_path (r);
      if (r->knob == &_kt_host_hugepages_knob)
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

  if (!_kt_host_knob_resolve (key, &r, error))
    return FALSE;
  return read_resolved (key, &r, value_out, error);
}

GHashTable *
kt_host_knob_read_all (void)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (_kt_host_knobs); i++)
    {
      Resolved r = { &_kt_host_knobs[i], 0, 0, i };
      char *value = NULL;

      if (read_resolved (_kt_host_knobs[i].key, &r, &value, NULL))
        g_hash_table_insert (values, g_strdup (_kt_host_knobs[i].key), value);
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

  if (!_kt_host_knob_resolve (key, &r, error) || !_kt_host_knob_check_value (key, &r, value, error))
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
      if (!_kt_host_knob_resolve (keys[i], &resolved[i], error)
          || !_kt_host_knob_check_value (keys[i], &resolved[i], values[i], error))
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
