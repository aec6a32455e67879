/* kt-host-apply-persist.c: the persistence drop-ins ("Keep after reboot") of host tuning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-host-apply-private.h"
#include "kt-host-helper-client.h"
#include "kt-host-knobs.h"

GHashTable *
kt_host_apply_persist_read (GError **error)
{
  if (kt_host_knobs_are_direct ())
    return kt_host_persist_read (error);
  return kt_host_helper_get_persisted_sync (NULL, error);
}
/* Persistence ------------------------------------------------------------ */

GHashTable *
kt_host_apply_table_of (JsonObject *obj)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (obj, l->data);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_hash_table_insert (t, g_strdup (l->data), g_strdup (json_node_get_string (n)));
    }
  return t;
}

JsonObject *
kt_host_apply_object_of (GHashTable *table)
{
  JsonObject *obj = json_object_new ();
  GHashTableIter iter;
  gpointer k, v;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &k, &v))
    json_object_set_string_member (obj, k, v);
  return obj;
}

gboolean
kt_host_apply_persist_table (GHashTable  *table,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (g_hash_table_size (table) == 0)
    ok = kt_host_knobs_unpersist (NULL, &local_error);
  else
    ok = kt_host_knobs_persist (table, NULL, &local_error);
  if (!ok)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}
