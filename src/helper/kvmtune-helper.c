/* kvmtune-helper.c: the privileged host helper of KvmTune
 *
 * A system D-Bus service in the way of systemd's timedated: started by
 * bus activation as root, it owns org.example.KvmTune.Helper, checks the
 * calling bus name with polkit for every call, and changes only the
 * whitelisted settings of kt-host-knobs (each mapped there to one fixed
 * path).  It takes no path from its caller, its command line or its
 * environment, and exits after an idle timeout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <polkit/polkit.h>

#include "kt-host-knobs.h"

#define HELPER_BUS_NAME    "org.example.KvmTune.Helper"
#define HELPER_OBJECT_PATH "/org/example/KvmTune/Helper"
#define HELPER_INTERFACE   "org.example.KvmTune.Helper"

#define ACTION_READ    "org.example.KvmTune.host-read"
#define ACTION_TUNE    "org.example.KvmTune.host-tune"
#define ACTION_PERSIST "org.example.KvmTune.host-persist"

/* Checks waiting for polkit at once; more are refused */
#define MAX_PENDING 32

#define DEFAULT_IDLE_SECONDS 30

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" HELPER_INTERFACE "'>"
  "    <method name='Get'>"
  "      <arg name='keys' type='as' direction='in'/>"
  "      <arg name='values' type='a{ss}' direction='out'/>"
  "    </method>"
  "    <method name='Set'>"
  "      <arg name='settings' type='a{ss}' direction='in'/>"
  "      <arg name='results' type='a(sss)' direction='out'/>"
  "    </method>"
  "    <method name='Persist'>"
  "      <arg name='settings' type='a{ss}' direction='in'/>"
  "    </method>"
  "    <method name='Unpersist'/>"
  "    <method name='GetPersisted'>"
  "      <arg name='settings' type='a{ss}' direction='out'/>"
  "    </method>"
  "    <method name='ListKeys'>"
  "      <arg name='keys' type='as' direction='out'/>"
  "    </method>"
  "    <property name='Version' type='s' access='read'/>"
  "  </interface>"
  "</node>";

typedef struct
{
  GMainLoop       *loop;
  GDBusConnection *connection;
  GDBusNodeInfo   *info;
  PolkitAuthority *authority;
  guint            idle_seconds;
  guint            idle_id;
  guint            pending;
  guint            owner_id;
  gboolean         leaving;    /* name released, finishing queued calls */
  int              exit_code;
} Helper;

typedef enum
{
  OP_GET,
  OP_SET,
  OP_PERSIST,
  OP_UNPERSIST,
  OP_GET_PERSISTED,
} Op;

typedef struct
{
  Helper                *helper;
  GDBusMethodInvocation *invocation;
  Op                     op;
  GPtrArray             *keys;     /* char*, NULL-terminated */
  GPtrArray             *values;   /* char*, NULL-terminated */
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->invocation);
  g_clear_pointer (&req->keys, g_ptr_array_unref);
  g_clear_pointer (&req->values, g_ptr_array_unref);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* Seconds between releasing the name and exiting: calls already queued
 * for this process are still answered, new ones start a new helper */
#define LEAVE_GRACE_SECONDS 1

static gboolean
on_idle_timeout (gpointer data)
{
  Helper *helper = data;

  helper->idle_id = 0;
  if (helper->pending > 0)
    return G_SOURCE_REMOVE;
  if (!helper->leaving)
    {
      g_debug ("idle for %u s, releasing the name", helper->idle_seconds);
      helper->leaving = TRUE;
      g_clear_handle_id (&helper->owner_id, g_bus_unown_name);
      helper->idle_id = g_timeout_add_seconds (LEAVE_GRACE_SECONDS, on_idle_timeout, helper);
      return G_SOURCE_REMOVE;
    }
  g_main_loop_quit (helper->loop);
  return G_SOURCE_REMOVE;
}

static void
idle_restart (Helper *helper)
{
  g_clear_handle_id (&helper->idle_id, g_source_remove);
  if (helper->pending == 0)
    helper->idle_id = g_timeout_add_seconds (helper->leaving ? LEAVE_GRACE_SECONDS
                                                             : helper->idle_seconds,
                                             on_idle_timeout, helper);
}

static void
return_error (GDBusMethodInvocation *invocation,
              const GError          *error)
{
  /* KT_HOST_KNOB_ERROR is registered with its D-Bus names */
  g_dbus_method_invocation_return_gerror (invocation, error);
}

static GVariant *
changes_to_variant (GPtrArray *changes)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < changes->len; i++)
    {
      KtHostKnobChange *c = g_ptr_array_index (changes, i);
      g_variant_builder_add (&b, "(sss)", c->key, c->old_value, c->new_value);
    }
  return g_variant_new ("(a(sss))", &b);
}

static GVariant *
table_to_variant (GHashTable *table)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) strcmp);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  for (GList *l = keys; l != NULL; l = l->next)
    g_variant_builder_add (&b, "{ss}", l->data, g_hash_table_lookup (table, l->data));
  return g_variant_new ("(a{ss})", &b);
}

/* Runs an authorized request */
static void
perform (Request *req)
{
  g_autoptr(GError) error = NULL;

  switch (req->op)
    {
    case OP_GET:
      {
        g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                              NULL, g_free);

        for (guint i = 0; i + 1 < req->keys->len; i++)
          {
            const char *key = g_ptr_array_index (req->keys, i);
            char *value = NULL;
            g_autoptr(GError) read_error = NULL;

            /* What cannot be read is left out: unknown to the caller */
            if (kt_host_knob_read (key, &value, &read_error))
              g_hash_table_replace (values, (gpointer) key, value);
            else
              g_debug ("%s", read_error->message);
          }
        g_dbus_method_invocation_return_value (req->invocation, table_to_variant (values));
        return;
      }

    case OP_SET:
      {
        g_autoptr(GPtrArray) changes = NULL;

        changes = kt_host_knob_apply ((const char * const *) req->keys->pdata,
                                      (const char * const *) req->values->pdata, &error);
        if (changes == NULL)
          {
            g_message ("Set refused or failed: %s", error->message);
            return_error (req->invocation, error);
            return;
          }
        for (guint i = 0; i < changes->len; i++)
          {
            KtHostKnobChange *c = g_ptr_array_index (changes, i);
            if (strcmp (c->old_value, c->new_value) != 0)
              g_message ("%s: %s → %s", c->key, c->old_value, c->new_value);
          }
        g_dbus_method_invocation_return_value (req->invocation, changes_to_variant (changes));
        return;
      }

    case OP_PERSIST:
      {
        g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);

        for (guint i = 0; i + 1 < req->keys->len; i++)
          g_hash_table_insert (table, g_ptr_array_index (req->keys, i),
                               g_ptr_array_index (req->values, i));
        if (!kt_host_persist_write (table, &error))
          {
            return_error (req->invocation, error);
            return;
          }
        g_message ("drop-ins written with %u settings", g_hash_table_size (table));
        g_dbus_method_invocation_return_value (req->invocation, NULL);
        return;
      }

    case OP_UNPERSIST:
      if (!kt_host_persist_remove (&error))
        {
          return_error (req->invocation, error);
          return;
        }
      g_message ("drop-ins removed");
      g_dbus_method_invocation_return_value (req->invocation, NULL);
      return;

    case OP_GET_PERSISTED:
      {
        g_autoptr(GHashTable) table = kt_host_persist_read (&error);

        if (table == NULL)
          {
            return_error (req->invocation, error);
            return;
          }
        g_dbus_method_invocation_return_value (req->invocation, table_to_variant (table));
        return;
      }
    }
  g_assert_not_reached ();
}

static void
on_authorization (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(Request) req = data;
  Helper *helper = req->helper;
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) auth = NULL;

  auth = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  helper->pending--;
  if (auth == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                             KT_HOST_KNOB_ERROR_NOT_AUTHORIZED,
                                             _("Not authorized: polkit could not be asked (%s)"),
                                             error->message);
    }
  else if (!polkit_authorization_result_get_is_authorized (auth))
    {
      if (polkit_authorization_result_get_is_challenge (auth))
        g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                               KT_HOST_KNOB_ERROR_NOT_AUTHORIZED,
                                               _("Not authorized: this needs an administrator's "
                                                 "password, and the caller did not allow "
                                                 "asking for it"));
      else if (req->op == OP_GET || req->op == OP_GET_PERSISTED)
        g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                               KT_HOST_KNOB_ERROR_NOT_AUTHORIZED,
                                               _("Not authorized to read host settings"));
      else
        g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                               KT_HOST_KNOB_ERROR_NOT_AUTHORIZED,
                                               _("Not authorized to change host settings"));
      g_message ("%s refused by polkit for %s",
                 g_dbus_method_invocation_get_method_name (req->invocation),
                 g_dbus_method_invocation_get_sender (req->invocation));
    }
  else
    perform (req);

  idle_restart (helper);
}

static void
authorize (Request    *req_owned,
           const char *action)
{
  g_autoptr(Request) req = req_owned;
  Helper *helper = req->helper;
  GDBusMessage *message = g_dbus_method_invocation_get_message (req->invocation);
  g_autoptr(PolkitSubject) subject = NULL;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  if (helper->pending >= MAX_PENDING)
    {
      g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                             KT_HOST_KNOB_ERROR_FAILED,
                                             _("Too many requests wait for authorization; "
                                               "try again later"));
      return;
    }
  if (helper->authority == NULL)
    {
      g_autoptr(GError) error = NULL;

      helper->authority = polkit_authority_get_sync (NULL, &error);
      if (helper->authority == NULL)
        {
          g_dbus_method_invocation_return_error (req->invocation, KT_HOST_KNOB_ERROR,
                                                 KT_HOST_KNOB_ERROR_NOT_AUTHORIZED,
                                                 _("Not authorized: polkit is not available (%s)"),
                                                 error->message);
          return;
        }
    }

  if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  subject = polkit_system_bus_name_new (g_dbus_method_invocation_get_sender (req->invocation));
  helper->pending++;
  g_clear_handle_id (&helper->idle_id, g_source_remove);
  polkit_authority_check_authorization (helper->authority, subject, action, NULL, flags,
                                        NULL, on_authorization, g_steal_pointer (&req));
}

/* Reads a{ss} into two NULL-terminated arrays in the caller's order,
 * refusing too many entries before looking at any. */
static gboolean
take_settings (GVariant   *dict,
               Request    *req,
               GError    **error)
{
  gsize n = g_variant_n_children (dict);
  GVariantIter iter;
  const char *k, *v;

  if (n > KT_HOST_KNOB_MAX_ENTRIES)
    {
      g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_TOO_MANY,
                   _("Too many host settings in one request: %lu given"),
                   (unsigned long) n);
      return FALSE;
    }
  req->keys = g_ptr_array_new_full ((guint) n + 1, g_free);
  req->values = g_ptr_array_new_full ((guint) n + 1, g_free);
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    {
      if (!kt_host_knob_validate (k, v, error))
        return FALSE;
      g_ptr_array_add (req->keys, g_strdup (k));
      g_ptr_array_add (req->values, g_strdup (v));
    }
  g_ptr_array_add (req->keys, NULL);
  g_ptr_array_add (req->values, NULL);

  /* Duplicates (an a{ss} can carry them) */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i + 1 < req->keys->len; i++)
      if (!g_hash_table_add (seen, g_ptr_array_index (req->keys, i)))
        {
          g_set_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY,
                       _("%s is given more than once"),
                       (const char *) g_ptr_array_index (req->keys, i));
          return FALSE;
        }
  }
  return TRUE;
}

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               data)
{
  Helper *helper = data;
  g_autoptr(Request) req = g_new0 (Request, 1);
  g_autoptr(GError) error = NULL;
  const char *action = ACTION_TUNE;

  req->helper = helper;
  req->invocation = g_object_ref (invocation);
  idle_restart (helper);

  /* Everything is checked before polkit is asked, so a bad request
   * never prompts for a password and never reaches a file. */
  if (strcmp (method_name, "Get") == 0)
    {
      g_autoptr(GVariant) keys = g_variant_get_child_value (parameters, 0);
      gsize n = g_variant_n_children (keys);

      req->op = OP_GET;
      action = ACTION_READ;
      if (n > KT_HOST_KNOB_MAX_ENTRIES)
        {
          g_set_error (&error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_TOO_MANY,
                       _("Too many host settings in one request: %lu given"),
                       (unsigned long) n);
        }
      else
        {
          req->keys = g_ptr_array_new_full ((guint) n + 1, g_free);
          for (gsize i = 0; i < n && error == NULL; i++)
            {
              const char *key = NULL;

              g_variant_get_child (keys, i, "&s", &key);
              if (!kt_host_knob_is_known (key))
                kt_host_knob_validate (key, "", &error);
              else
                g_ptr_array_add (req->keys, g_strdup (key));
            }
          g_ptr_array_add (req->keys, NULL);
        }
    }
  else if (strcmp (method_name, "Set") == 0 || strcmp (method_name, "Persist") == 0)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (parameters, 0);

      req->op = method_name[0] == 'S' ? OP_SET : OP_PERSIST;
      action = req->op == OP_SET ? ACTION_TUNE : ACTION_PERSIST;
      take_settings (dict, req, &error);
    }
  else if (strcmp (method_name, "Unpersist") == 0)
    {
      req->op = OP_UNPERSIST;
      action = ACTION_PERSIST;
    }
  else if (strcmp (method_name, "GetPersisted") == 0)
    {
      req->op = OP_GET_PERSISTED;
      action = ACTION_READ;
    }
  else if (strcmp (method_name, "ListKeys") == 0)
    {
      /* The public whitelist: no host state, no polkit needed */
      g_dbus_method_invocation_return_value (invocation,
        g_variant_new ("(^as)", (char **) kt_host_knob_list_keys ()));
      return;
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             _("No method %s"), method_name);
      return;
    }

  if (error != NULL)
    {
      g_message ("%s from %s refused: %s", method_name, sender, error->message);
      return_error (invocation, error);
      return;
    }
  authorize (g_steal_pointer (&req), action);
}

static GVariant *
on_get_property (GDBusConnection *connection,
                 const char      *sender,
                 const char      *object_path,
                 const char      *interface_name,
                 const char      *property_name,
                 GError         **error,
                 gpointer         data)
{
  if (strcmp (property_name, "Version") == 0)
    return g_variant_new_string (PACKAGE_VERSION);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               _("No property %s"), property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = {
  on_method_call,
  on_get_property,
  NULL,
  { 0 }
};

/* SIGTERM comes from systemd as soon as the name is released (a Type=dbus
 * service that gives up its name is stopped) and at shutdown.  Handled in
 * the main loop, it never cuts a Set or Persist short: perform() runs
 * whole, and only requests still waiting for polkit are dropped (their
 * callers get an error, nothing was changed for them). */
static gboolean
on_stop_signal (gpointer data)
{
  Helper *helper = data;

  g_debug ("stop signal, exiting");
  helper->leaving = TRUE;
  g_main_loop_quit (helper->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         data)
{
  Helper *helper = data;
  g_autoptr(GError) error = NULL;

  g_set_object (&helper->connection, connection);
  if (g_dbus_connection_register_object (connection, HELPER_OBJECT_PATH,
                                         helper->info->interfaces[0], &vtable,
                                         helper, NULL, &error) == 0)
    {
      g_printerr ("kvmtune-helper: cannot export %s: %s\n", HELPER_OBJECT_PATH, error->message);
      helper->exit_code = EXIT_FAILURE;
      g_main_loop_quit (helper->loop);
    }
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  g_debug ("owning %s", name);
  idle_restart (data);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         data)
{
  Helper *helper = data;

  if (helper->leaving)
    return;
  g_printerr ("kvmtune-helper: %s on the system bus: %s\n",
              connection ? "lost or could not own" : "no connection for", name);
  helper->exit_code = EXIT_FAILURE;
  g_main_loop_quit (helper->loop);
}

int
main (int   argc,
      char *argv[])
{
  Helper helper = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int idle_seconds = DEFAULT_IDLE_SECONDS;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_seconds,
      N_("Exit after SECONDS without requests (default 30)"), N_("SECONDS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    _("Privileged helper of KvmTune, started by D-Bus: changes whitelisted host kernel settings"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("kvmtune-helper: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (version)
    {
      g_print ("kvmtune-helper %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (idle_seconds < 1 || idle_seconds > 3600)
    {
      g_printerr ("kvmtune-helper: --idle-timeout must be from 1 to 3600 seconds\n");
      return EXIT_FAILURE;
    }

  /* Registers the D-Bus names of the errors */
  (void) KT_HOST_KNOB_ERROR;

  helper.idle_seconds = (guint) idle_seconds;
  helper.loop = g_main_loop_new (NULL, FALSE);
  helper.info = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);

  g_unix_signal_add (SIGTERM, on_stop_signal, &helper);
  g_unix_signal_add (SIGINT, on_stop_signal, &helper);
  g_unix_signal_add (SIGHUP, on_stop_signal, &helper);

  helper.owner_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, HELPER_BUS_NAME,
                                    G_BUS_NAME_OWNER_FLAGS_NONE, on_bus_acquired,
                                    on_name_acquired, on_name_lost, &helper, NULL);
  g_main_loop_run (helper.loop);

  /* The replies of the last requests are sent before the process goes */
  if (helper.connection != NULL)
    g_dbus_connection_flush_sync (helper.connection, NULL, NULL);

  g_clear_handle_id (&helper.owner_id, g_bus_unown_name);
  g_clear_handle_id (&helper.idle_id, g_source_remove);
  g_clear_object (&helper.authority);
  g_clear_object (&helper.connection);
  g_clear_pointer (&helper.info, g_dbus_node_info_unref);
  g_clear_pointer (&helper.loop, g_main_loop_unref);
  return helper.exit_code;
}
