/* kt-source.c: where a snapshot comes from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-source.h"

gboolean
kt_source_spec_is_empty (const KtSourceSpec *spec)
{
  g_return_val_if_fail (spec != NULL, TRUE);
  return spec->connect == NULL && spec->snapshot == NULL && spec->caps == NULL;
}

/* Usage errors: caught before anything is read */
gboolean
kt_source_spec_check (const KtSourceSpec  *spec,
                      GError             **error)
{
  guint n;

  g_return_val_if_fail (spec != NULL, FALSE);

  n = (spec->connect != NULL) + (spec->snapshot != NULL) + (spec->caps != NULL);
  if (n > 1)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Give only one of --connect, --snapshot and --caps"));
      return FALSE;
    }
  if (spec->domains != NULL && spec->caps == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("--domain goes with --caps"));
      return FALSE;
    }
  return TRUE;
}

void
kt_source_spec_clear (KtSourceSpec *spec)
{
  g_return_if_fail (spec != NULL);

  g_clear_pointer (&spec->connect, g_free);
  g_clear_pointer (&spec->snapshot, g_free);
  g_clear_pointer (&spec->caps, g_free);
  g_clear_pointer (&spec->domains, g_strfreev);
}

void
kt_source_file_error_free (KtSourceFileError *file_error)
{
  if (file_error == NULL)
    return;
  g_free (file_error->path);
  g_clear_error (&file_error->error);
  g_free (file_error);
}

/* One domain file into @snapshot; the error does not name the file */
static gboolean
add_domain_file (KtSnapshot  *snapshot,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(KtFileStamp) stamp = NULL;
  g_autoptr(KtDomain) domain = NULL;
  g_autoptr(KtVm) vm = NULL;
  gsize len;

  /* Bounded, and stamped so that a rewrite can tell the file changed;
   * kt_file_read's message names the file already */
  if (!kt_file_read (path, KT_FILE_MAX_SIZE, &data, &len, &stamp, error))
    return FALSE;
  domain = kt_domain_new_from_file_data (data, len, path, error);
  if (domain == NULL)
    return FALSE;
  vm = kt_vm_new (kt_domain_get_name (domain), KT_VM_STATE_SHUTOFF, -1, TRUE, NULL, domain);
  if (!kt_snapshot_add_vm (snapshot, vm, error))
    return FALSE;
  kt_snapshot_set_file_stamp (snapshot, path, g_steal_pointer (&stamp));
  return TRUE;
}

/* Capabilities plus domain files, each domain a shut-off VM */
static KtSnapshot *
load_files (const KtSourceSpec  *spec,
            KtSourceLoadFlags    flags,
            GPtrArray           *file_errors,
            GError             **error)
{
  g_autoptr(KtSnapshot) snapshot = NULL;

  snapshot = kt_snapshot_new_from_files (spec->caps, NULL, error);
  if (snapshot == NULL)
    return NULL;

  for (guint i = 0; spec->domains != NULL && spec->domains[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      KtSourceFileError *file_error;

      if (add_domain_file (snapshot, spec->domains[i], &local_error))
        continue;
      if (!(flags & KT_SOURCE_LOAD_KEEP_GOING))
        {
          if (local_error->domain == G_FILE_ERROR)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ",
                                        spec->domains[i]);
          return NULL;
        }
      file_error = g_new0 (KtSourceFileError, 1);
      file_error->path = g_strdup (spec->domains[i]);
      file_error->error = g_steal_pointer (&local_error);
      g_ptr_array_add (file_errors, file_error);
    }
  return g_steal_pointer (&snapshot);
}

/**
 * kt_source_load:
 * @connection: (out) (optional) (nullable): the libvirt connection, when the
 *   source is one
 *
 * Reads the source, failing on the first file that cannot be read.  An
 * empty spec means libvirt's default connection.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
KtSnapshot *
kt_source_load (const KtSourceSpec  *spec,
                KtConnection       **connection,
                GError             **error)
{
  return kt_source_load_full (spec, KT_SOURCE_LOAD_DEFAULT, connection, NULL, error);
}

/**
 * kt_source_load_full:
 * @flags: with %KT_SOURCE_LOAD_KEEP_GOING, a domain file that cannot be
 *   read is left out and reported in @file_errors; the capabilities, a
 *   snapshot file or a connection still fail the load
 * @connection: (out) (optional) (nullable): the libvirt connection, when the
 *   source is one
 * @file_errors: (out) (optional) (element-type KtSourceFileError): the
 *   domain files left out, in the order given; empty when none was
 *   (always empty without %KT_SOURCE_LOAD_KEEP_GOING)
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
KtSnapshot *
kt_source_load_full (const KtSourceSpec  *spec,
                     KtSourceLoadFlags    flags,
                     KtConnection       **connection,
                     GPtrArray          **file_errors,
                     GError             **error)
{
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  KtSnapshot *snapshot;

  g_return_val_if_fail (spec != NULL, NULL);

  if (connection != NULL)
    *connection = NULL;
  if (file_errors != NULL)
    *file_errors = NULL;
  if (!kt_source_spec_check (spec, error))
    return NULL;
  if (spec->snapshot != NULL)
    snapshot = kt_snapshot_load_file (spec->snapshot, error);
  else if (spec->caps != NULL)
    {
      errors = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_source_file_error_free);
      snapshot = load_files (spec, flags, errors, error);
    }
  else
    {
      conn = kt_connection_open (spec->connect, spec->read_only, error);
      if (conn == NULL)
        return NULL;
      snapshot = kt_connection_capture (conn, error);
    }

  if (snapshot == NULL)
    return NULL;
  if (connection != NULL)
    *connection = g_steal_pointer (&conn);
  if (file_errors != NULL)
    *file_errors = errors != NULL
                   ? g_steal_pointer (&errors)
                   : g_ptr_array_new_with_free_func ((GDestroyNotify) kt_source_file_error_free);
  return snapshot;
}
