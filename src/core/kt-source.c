/* kt-source.c: where a snapshot comes from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
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

/**
 * kt_source_load:
 * @connection: (out) (optional) (nullable): the libvirt connection, when the
 *   source is one
 *
 * Reads the source.  An empty spec means libvirt's default connection.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
KtSnapshot *
kt_source_load (const KtSourceSpec  *spec,
                KtConnection       **connection,
                GError             **error)
{
  g_autoptr(KtConnection) conn = NULL;
  KtSnapshot *snapshot;

  g_return_val_if_fail (spec != NULL, NULL);

  if (connection != NULL)
    *connection = NULL;
  if (!kt_source_spec_check (spec, error))
    return NULL;
  if (spec->snapshot != NULL)
    return kt_snapshot_load_file (spec->snapshot, error);
  if (spec->caps != NULL)
    return kt_snapshot_new_from_files (spec->caps, (const char * const *) spec->domains, error);

  conn = kt_connection_open (spec->connect, spec->read_only, error);
  if (conn == NULL)
    return NULL;
  snapshot = kt_connection_capture (conn, error);
  if (snapshot != NULL && connection != NULL)
    *connection = g_steal_pointer (&conn);
  return snapshot;
}
