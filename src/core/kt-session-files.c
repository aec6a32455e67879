/* kt-session-files.c: a session read from domain XML files (a --caps FILE
 * --domain FILE... source), written back to them
 *
 * Each VM of such a source came from one file.  kt_session_save_domain_files ()
 * writes back the files whose VM changed: applied into the snapshot
 * ("vm-changed" with snapshot_edited) or with changes pending, since the
 * file was read or last written.  Each goes through kt_file_write () with
 * the stamp of what it held when it was read, so that a file someone else
 * changed since is refused ("changed since it was loaded") instead of
 * overwritten; the stamp then becomes the one written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-file.h"
#include "kt-session-private.h"

typedef struct
{
  char     *path;
  gboolean  edited;   /* applied into the snapshot since read or written */
} DomainFile;

static void
domain_file_free (gpointer data)
{
  DomainFile *f = data;

  g_free (f->path);
  g_free (f);
}

static void
on_vm_changed (KtSession  *self,
               const char *name,
               gboolean    snapshot_edited)
{
  DomainFile *f;

  if (self->domain_files == NULL || !snapshot_edited)
    return;
  f = g_hash_table_lookup (self->domain_files, name);
  if (f != NULL)
    f->edited = TRUE;
}

/**
 * kt_session_set_domain_files:
 * @paths: (array zero-terminated=1) (nullable): the file of each of the
 *   snapshot's VMs, in the snapshot's order (as kt_source_load () reads a
 *   --caps/--domain source); %NULL: none
 *
 * The VMs were read from these files, and what they hold now is what the
 * files hold.
 */
void
kt_session_set_domain_files (KtSession          *self,
                             const char * const *paths)
{
  GListModel *vms;
  guint n;

  g_return_if_fail (KT_IS_SESSION (self));

  vms = kt_snapshot_get_vms (self->snapshot);
  n = g_list_model_get_n_items (vms);
  g_return_if_fail (paths == NULL || g_strv_length ((char **) paths) == n);

  if (self->domain_files == NULL)
    {
      self->domain_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  domain_file_free);
      g_signal_connect (self, "vm-changed", G_CALLBACK (on_vm_changed), NULL);
    }
  g_hash_table_remove_all (self->domain_files);
  for (guint i = 0; paths != NULL && i < n; i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      DomainFile *f = g_new0 (DomainFile, 1);

      f->path = g_strdup (paths[i]);
      g_hash_table_replace (self->domain_files, g_strdup (kt_vm_get_name (vm)), f);
    }
}

/**
 * kt_session_get_domain_file:
 *
 * Returns: (nullable): the file the VM was read from, or %NULL
 */
const char *
kt_session_get_domain_file (KtSession  *self,
                            const char *name)
{
  DomainFile *f;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->domain_files == NULL)
    return NULL;
  f = g_hash_table_lookup (self->domain_files, name);
  return f != NULL ? f->path : NULL;
}

/* Writes @vm's persistent definition, with its pending changes, to @f */
static gboolean
write_domain_file (KtSession   *self,
                   KtVm        *vm,
                   DomainFile  *f,
                   GError     **error)
{
  g_autoptr(KtDomain) domain = NULL;
  g_autoptr(KtFileStamp) stamp = NULL;
  g_autofree char *xml = NULL;

  domain = kt_session_preview (self, kt_vm_get_name (vm), kt_vm_get_inactive (vm), error);
  if (domain == NULL)
    {
      g_prefix_error (error, "%s: ", f->path);
      return FALSE;
    }
  xml = kt_domain_to_xml (domain);
  if (!kt_file_write (f->path, xml, strlen (xml), KT_FILE_WRITE_PRIVATE,
                      kt_snapshot_get_file_stamp (self->snapshot, f->path), &stamp, error))
    return FALSE;
  if (stamp != NULL)
    kt_snapshot_set_file_stamp (self->snapshot, f->path, g_steal_pointer (&stamp));
  f->edited = FALSE;
  return TRUE;
}

/**
 * kt_session_save_domain_files:
 *
 * Writes back, in the snapshot's order, the file of each VM that changed
 * since it was read or written: applied into the snapshot, or with
 * changes pending (made in what is written, as kt_session_save () does;
 * they stay pending).  A file that changed on disk since is refused.
 * Then the session is saved.  Each file is replaced whole or not at all;
 * on an error the files before it are written.
 */
gboolean
kt_session_save_domain_files (KtSession  *self,
                              GError    **error)
{
  GListModel *vms;

  g_return_val_if_fail (KT_IS_SESSION (self), FALSE);

  vms = kt_snapshot_get_vms (self->snapshot);
  for (guint i = 0; self->domain_files != NULL && i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      DomainFile *f = g_hash_table_lookup (self->domain_files, kt_vm_get_name (vm));

      if (f == NULL || kt_vm_get_inactive (vm) == NULL
          || !(f->edited || kt_session_has_changes (self, kt_vm_get_name (vm))))
        continue;
      if (!write_domain_file (self, vm, f, error))
        return FALSE;
    }
  kt_session_mark_saved (self);
  return TRUE;
}
