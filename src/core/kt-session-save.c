/* kt-session-save.c: a session saved into a snapshot file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-file.h"
#include "kt-session-private.h"

/* A copy of the snapshot with every VM's pending edits made in it */
static KtSnapshot *
snapshot_with_edits (KtSession  *self,
                     GError    **error)
{
  g_autofree char *xml = kt_snapshot_to_xml (self->snapshot);
  g_autoptr(KtSnapshot) copy = NULL;
  GHashTableIter iter;
  gpointer key, value;

  copy = kt_snapshot_load_xml (xml, -1, error);
  if (copy == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      KtVm *vm = kt_snapshot_lookup_vm (copy, key);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtDomain) config = NULL;

      if (vm == NULL)
        continue;
      if (kt_vm_get_live (vm) != NULL)
        {
          live = kt_domain_copy (kt_vm_get_live (vm));
          if (!kt_edits_replay (value, live, error))
            {
              g_prefix_error (error, "%s: ", (const char *) key);
              return NULL;
            }
        }
      if (kt_vm_get_inactive (vm) != NULL)
        {
          config = kt_domain_copy (kt_vm_get_inactive (vm));
          if (!kt_edits_replay (value, config, error))
            {
              g_prefix_error (error, "%s: ", (const char *) key);
              return NULL;
            }
        }
      kt_vm_set_definitions (vm, live, config);
    }
  return g_steal_pointer (&copy);
}

/**
 * kt_session_save:
 *
 * Writes the snapshot to @path, with the pending pins and the pending
 * edits made in its definitions (the file holds definitions, not plans),
 * and marks the session saved.  A session without connection takes @path
 * as its own.  The pending changes stay pending in the session.
 */
gboolean
kt_session_save (KtSession   *self,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(KtSnapshot) copy = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_hash_table_size (self->edits) == 0)
    copy = g_object_ref (self->snapshot);
  else if ((copy = snapshot_with_edits (self, error)) != NULL)
    {
      /* The copy is checked against what the file held when it was read,
       * and what it writes is what the session's snapshot checks next */
      const KtFileStamp *stamp = kt_snapshot_get_file_stamp (self->snapshot, path);

      if (stamp != NULL)
        kt_snapshot_set_file_stamp (copy, path, kt_file_stamp_copy (stamp));
    }
  if (copy == NULL || !kt_snapshot_save (copy, path, error))
    return FALSE;
  if (copy != self->snapshot && kt_snapshot_get_file_stamp (copy, path) != NULL)
    kt_snapshot_set_file_stamp (self->snapshot, path,
                                kt_file_stamp_copy (kt_snapshot_get_file_stamp (copy, path)));
  if (self->connection == NULL)
    kt_session_set_path (self, path);
  kt_session_mark_saved (self);
  return TRUE;
}
