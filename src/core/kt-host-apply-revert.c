/* kt-host-apply-revert.c: the saved revert file of host tuning, and reverting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-host-apply-private.h"

#define MAX_REVERT_SIZE (1024 * 1024)

/* Revert files ----------------------------------------------------------- */

static char *
host_name_of (KtHostControl *self)
{
  if (self->connection != NULL)
    {
      char *name = virConnectGetHostname (kt_connection_get_handle (self->connection));

      if (name != NULL)
        {
          char *ret = g_strdup (name);

          free (name);
          return ret;
        }
      virResetLastError ();
    }
  if (self->offline && kt_snapshot_get_hostname (self->snapshot))
    return g_strdup (kt_snapshot_get_hostname (self->snapshot));
  return g_strdup (g_get_host_name ());
}

static char *
uri_of (KtHostControl *self)
{
  if (self->connection != NULL)
    return g_strdup (kt_connection_get_uri (self->connection));
  if (self->offline)
    return g_strconcat ("snapshot:", kt_snapshot_get_uri (self->snapshot)
                                     ? kt_snapshot_get_uri (self->snapshot) : "", NULL);
  return g_strdup ("local");
}

/**
 * kt_host_control_revert_path:
 *
 * Returns: (transfer full): where this host's previous values are kept:
 * g_get_user_state_dir ()/kvmtune/host-revert/HOST-HASH.json, HASH from
 * the host name and the URI
 */
char *
kt_host_control_revert_path (KtHostControl *self)
{
  g_autofree char *host = host_name_of (self);
  g_autofree char *uri = uri_of (self);
  g_autofree char *id = g_strdup_printf ("%s\n%s", host, uri);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  g_autofree char *file = NULL;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  g_strcanon (host, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-.", '_');
  if (strlen (host) > 64)
    host[64] = '\0';
  file = g_strdup_printf ("%s-%.16s.json", host[0] == '.' ? "host" : host, hash);
  return g_build_filename (g_get_user_state_dir (), "kvmtune", "host-revert", file, NULL);
}

void
kt_host_apply_revert_file_clear (RevertFile *rf)
{
  g_clear_pointer (&rf->text, g_free);
  g_clear_pointer (&rf->values, json_object_unref);
  g_clear_pointer (&rf->persist, json_object_unref);
}

/* As root, a revert file drives changes made without polkit, and its
 * rewrite follows a symbolic link: it is trusted only when no other user
 * could have written or swapped it, i.e. the file and every folder above
 * it (symbolic links resolved) belong to root and only root can write
 * them (a sticky folder such as /tmp is fine above an existing folder of
 * root's, where root creates nothing).  A state folder from a user's
 * environment (sudo -E) is refused. */
static gboolean
check_one_trusted (const char  *revert_path,
                   const char  *path,
                   gboolean     sticky_ok,
                   GError     **error)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  if (st.st_uid != geteuid ()
      || (!S_ISLNK (st.st_mode) && !(sticky_ok && S_ISDIR (st.st_mode) && (st.st_mode & S_ISVTX))
          && ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0))))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY,
                   _("%s: not used as root, because %s belongs to another user or others "
                     "can write it; run KvmTune as root with root's own environment "
                     "(not sudo -E), or set XDG_STATE_HOME to a folder of root's"),
                   revert_path, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
revert_path_trusted (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *real = NULL;

  if (geteuid () != 0)
    return TRUE;   /* a user's file only drives calls polkit checks */
  if (!check_one_trusted (path, path, FALSE, error))
    return FALSE;
  dir = g_path_get_dirname (path);
  while (!g_file_test (dir, G_FILE_TEST_EXISTS) && strcmp (dir, "/") != 0 && strcmp (dir, ".") != 0)
    {
      char *up = g_path_get_dirname (dir);

      g_free (dir);
      dir = up;
    }
  real = realpath (dir, NULL);
  if (real == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  for (gboolean first = TRUE;; first = FALSE)
    {
      char *up;

      /* Root creates what is missing in the first one */
      if (!check_one_trusted (path, real, !first, error))
        return FALSE;
      if (strcmp (real, "/") == 0)
        return TRUE;
      up = g_path_get_dirname (real);
      g_free (real);
      real = up;
    }
}

gboolean
kt_host_apply_revert_file_load (const char  *path,
                                RevertFile  *rf,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;
  gsize len;

  if (!revert_path_trusted (path, error))
    return FALSE;
  if (!kt_file_read (path, MAX_REVERT_SIZE, &rf->text, &len, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          || !g_file_test (path, G_FILE_TEST_EXISTS))
        {
          rf->values = json_object_new ();
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, rf->text, len, &local_error)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member ((obj = json_node_get_object (root)), "values")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "values")))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: not a KvmTune revert file (%s); move it away to start afresh"), path,
                   local_error ? local_error->message : _("no “values” object"));
      return FALSE;
    }
  rf->values = json_object_ref (json_object_get_object_member (obj, "values"));
  if (json_object_has_member (obj, "persist")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "persist")))
    rf->persist = json_object_ref (json_object_get_object_member (obj, "persist"));
  return TRUE;
}

gboolean
kt_host_apply_revert_file_save (KtHostControl *self,
                                const char    *path,
                                RevertFile    *rf,
                                GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *host = host_name_of (self);
  g_autofree char *uri = uri_of (self);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, host);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, uri);
  json_builder_set_member_name (b, "saved");
  json_builder_add_string_value (b, stamp);
  json_builder_set_member_name (b, "values");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), rf->values));
  if (rf->persist != NULL)
    {
      json_builder_set_member_name (b, "persist");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), rf->persist));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return kt_file_write (path, text, strlen (text), KT_FILE_WRITE_PRIVATE, NULL, NULL, error);
}

/* Puts the revert file back as it was before a failed apply */
void
kt_host_apply_revert_file_restore (const char *path,
                                   RevertFile *before)
{
  if (before->text == NULL)
    g_unlink (path);
  else
    kt_file_write (path, before->text, strlen (before->text), KT_FILE_WRITE_PRIVATE,
                   NULL, NULL, NULL);
}

gboolean
kt_host_control_has_revert (KtHostControl *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);

  path = kt_host_control_revert_path (self);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}
/* Revert ----------------------------------------------------------------- */

/**
 * kt_host_control_revert_plan:
 *
 * Returns: (transfer full): the plan that restores the values saved
 * before the first change; %NULL with %KT_ERROR_NOT_FOUND when there is
 * nothing to revert
 */
KtHostPlan *
kt_host_control_revert_plan (KtHostControl      *self,
                             const KtHostTuning *current,
                             GError            **error)
{
  g_autofree char *path = NULL;
  g_auto(RevertFile) rf = { 0, };
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autoptr(GList) members = NULL;
  KtHostPlan *plan;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  path = kt_host_control_revert_path (self);
  if (!kt_host_apply_revert_file_load (path, &rf, error))
    return NULL;
  if (rf.text == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Nothing to revert: KvmTune has changed nothing on this host"));
      return NULL;
    }
  members = json_object_get_members (rf.values);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (rf.values, l->data);

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        continue;
      g_ptr_array_add (targets, kt_host_target_new (l->data, json_node_get_string (n)));
    }
  plan = kt_host_control_plan (self, current, targets, TRUE, FALSE, error);
  if (plan == NULL)
    {
      g_prefix_error (error, _("Cannot revert (%s): "), path);
      return NULL;
    }
  plan->revert = TRUE;
  return plan;
}

/**
 * kt_host_control_revert:
 *
 * Restores the values saved before KvmTune's first change on this host,
 * all or nothing, puts the persistence drop-ins back as they were
 * (removes them when there were none), then forgets the saved values.
 */
gboolean
kt_host_control_revert (KtHostControl  *self,
                        GError        **error)
{
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autofree char *path = NULL;
  g_auto(RevertFile) rf = { 0, };

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);

  path = kt_host_control_revert_path (self);
  if (!kt_host_apply_revert_file_load (path, &rf, error))
    return FALSE;
  if ((current = kt_host_control_read (self, error)) == NULL
      || (plan = kt_host_control_revert_plan (self, current, error)) == NULL)
    return FALSE;
  if (!kt_host_control_apply (self, plan, error))
    return FALSE;
  /* The values are back: now the drop-ins as they were before */
  if (rf.persist != NULL && kt_host_apply_is_this_machine (self))
    {
      g_autoptr(GHashTable) table = kt_host_apply_table_of (rf.persist);

      if (!kt_host_apply_persist_table (table, error))
        {
          g_prefix_error (error, _("The values are back, but not the drop-ins: "));
          return FALSE;
        }
    }
  g_unlink (path);
  return TRUE;
}
