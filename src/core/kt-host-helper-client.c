/* kt-host-helper-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-host-helper-client.h"

#include <unistd.h>

#include <glib/gi18n.h>

/* Long enough for someone to type a password into a polkit agent */
#define CALL_TIMEOUT_MS (5 * 60 * 1000)

/* Turns a D-Bus error into KT_HOST_KNOB_ERROR */
static void
fix_error (GError **error)
{
  g_autofree char *remote = NULL;

  if (error == NULL || *error == NULL)
    return;
  if ((*error)->domain == KT_HOST_KNOB_ERROR)
    {
      g_dbus_error_strip_remote_error (*error);
      return;
    }
  remote = g_dbus_error_get_remote_error (*error);
  g_dbus_error_strip_remote_error (*error);
  if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
      || g_strcmp0 (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0
      || g_strcmp0 (remote, "org.freedesktop.DBus.Error.Spawn.ExecFailed") == 0
      || g_strcmp0 (remote, "org.freedesktop.DBus.Error.Spawn.ServiceNotFound") == 0)
    {
      g_autofree char *msg = g_strdup ((*error)->message);

      g_clear_error (error);
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_UNAVAILABLE,
                   _("kvmtune-helper is not installed or cannot start (%s); "
                     "run KvmTune as root or install the helper"), msg);
      return;
    }
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
      || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_FAILED)
      || (*error)->domain == G_DBUS_ERROR)
    {
      g_autofree char *msg = g_strdup ((*error)->message);

      g_clear_error (error);
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED,
                   _("Cannot reach kvmtune-helper on the system bus: %s"), msg);
    }
}

static GVariant *
pairs_to_variant (const char * const *keys,
                  const char * const *values)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; keys[i] != NULL && values[i] != NULL; i++)
    g_variant_builder_add (&b, "{ss}", keys[i], values[i]);
  return g_variant_builder_end (&b);
}

static gboolean
check_lengths (const char * const *keys,
               const char * const *values,
               GError            **error)
{
  if (g_strv_length ((char **) keys) != g_strv_length ((char **) values))
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE,
                   _("As many host settings as values are needed"));
      return FALSE;
    }
  return TRUE;
}

static GVariant *
table_to_variant (GHashTable *table)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) g_strcmp0);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  for (GList *l = keys; l != NULL; l = l->next)
    g_variant_builder_add (&b, "{ss}", l->data, g_hash_table_lookup (table, l->data));
  return g_variant_builder_end (&b);
}

static GHashTable *
variant_to_table (GVariant *dict)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const char *k, *v;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    g_hash_table_replace (table, g_strdup (k), g_strdup (v));
  return table;
}

static GPtrArray *
results_to_changes (GVariant *reply)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_knob_change_free);
  g_autoptr(GVariantIter) iter = NULL;
  const char *k, *o, *n;

  g_variant_get (reply, "(a(sss))", &iter);
  while (g_variant_iter_next (iter, "(&s&s&s)", &k, &o, &n))
    {
      KtHostKnobChange *c = g_new0 (KtHostKnobChange, 1);
      c->key = g_strdup (k);
      c->old_value = g_strdup (o);
      c->new_value = g_strdup (n);
      g_ptr_array_add (changes, c);
    }
  return changes;
}

static GVariant *
call_sync (const char          *method,
           GVariant            *params,
           const GVariantType  *reply_type,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  GVariant *reply;

  /* The D-Bus names of the helper's errors */
  (void) KT_HOST_KNOB_ERROR;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, cancellable, error);
  if (bus == NULL)
    {
      if (params != NULL)
        g_variant_unref (g_variant_ref_sink (params));
      fix_error (error);
      return NULL;
    }
  reply = g_dbus_connection_call_sync (bus, KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH,
                                       KT_HOST_HELPER_INTERFACE, method, params, reply_type,
                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       CALL_TIMEOUT_MS, cancellable, error);
  fix_error (error);
  return reply;
}

GPtrArray *
kt_host_helper_set_sync (const char * const *keys,
                         const char * const *values,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (keys != NULL && values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_lengths (keys, values, error))
    return NULL;
  reply = call_sync ("Set", g_variant_new_tuple ((GVariant *[]) { pairs_to_variant (keys, values) }, 1),
                     G_VARIANT_TYPE ("(a(sss))"), cancellable, error);
  if (reply == NULL)
    return NULL;
  return results_to_changes (reply);
}

static void
on_set_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      fix_error (&error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, results_to_changes (reply), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_bus_for_set (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);
  GVariant *params = g_task_get_task_data (task);

  if (bus == NULL)
    {
      fix_error (&error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_dbus_connection_call (bus, KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH,
                          KT_HOST_HELPER_INTERFACE, "Set", params,
                          G_VARIANT_TYPE ("(a(sss))"),
                          G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CALL_TIMEOUT_MS,
                          g_task_get_cancellable (task), on_set_done, g_object_ref (task));
}

void
kt_host_helper_set_async (const char * const  *keys,
                          const char * const  *values,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GVariant *params;

  g_return_if_fail (keys != NULL && values != NULL);

  (void) KT_HOST_KNOB_ERROR;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_host_helper_set_async);
  {
    GError *error = NULL;

    if (!check_lengths (keys, values, &error))
      {
        g_task_return_error (task, error);
        return;
      }
  }
  params = g_variant_ref_sink (g_variant_new_tuple ((GVariant *[]) { pairs_to_variant (keys, values) }, 1));
  g_task_set_task_data (task, params, (GDestroyNotify) g_variant_unref);
  g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, on_bus_for_set, g_steal_pointer (&task));
}

GPtrArray *
kt_host_helper_set_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kt_host_helper_set_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GHashTable *
kt_host_helper_get_sync (const char * const *keys,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) dict = NULL;

  g_return_val_if_fail (keys != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reply = call_sync ("Get", g_variant_new ("(^as)", (char **) keys), G_VARIANT_TYPE ("(a{ss})"),
                     cancellable, error);
  if (reply == NULL)
    return NULL;
  dict = g_variant_get_child_value (reply, 0);
  return variant_to_table (dict);
}

gboolean
kt_host_helper_persist_sync (GHashTable   *settings,
                             GCancellable *cancellable,
                             GError      **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reply = call_sync ("Persist", g_variant_new_tuple ((GVariant *[]) { table_to_variant (settings) }, 1),
                     NULL, cancellable, error);
  return reply != NULL;
}

gboolean
kt_host_helper_unpersist_sync (GCancellable *cancellable,
                               GError      **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  reply = call_sync ("Unpersist", NULL, NULL, cancellable, error);
  return reply != NULL;
}

GHashTable *
kt_host_helper_get_persisted_sync (GCancellable *cancellable,
                                   GError      **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) dict = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  reply = call_sync ("GetPersisted", NULL, G_VARIANT_TYPE ("(a{ss})"), cancellable, error);
  if (reply == NULL)
    return NULL;
  dict = g_variant_get_child_value (reply, 0);
  return variant_to_table (dict);
}

gboolean
kt_host_knobs_are_direct (void)
{
  return geteuid () == 0;
}

GPtrArray *
kt_host_knobs_set (const char * const *keys,
                   const char * const *values,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_return_val_if_fail (keys != NULL && values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kt_host_knobs_are_direct ())
    return kt_host_knob_apply (keys, values, error);
  return kt_host_helper_set_sync (keys, values, cancellable, error);
}

gboolean
kt_host_knobs_persist (GHashTable   *settings,
                       GCancellable *cancellable,
                       GError      **error)
{
  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (kt_host_knobs_are_direct ())
    return kt_host_persist_write (settings, error);
  return kt_host_helper_persist_sync (settings, cancellable, error);
}

gboolean
kt_host_knobs_unpersist (GCancellable *cancellable,
                         GError      **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (kt_host_knobs_are_direct ())
    return kt_host_persist_remove (error);
  return kt_host_helper_unpersist_sync (cancellable, error);
}
