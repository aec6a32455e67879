/* kt-tuned.c: tuned's D-Bus API (com.redhat.tuned on the system bus)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-tuned.h"

#define READ_TIMEOUT_MS   10000
#define SWITCH_TIMEOUT_MS 180000   /* tuned applies the whole profile first */

static GDBusConnection *
system_bus (GError **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);

  if (bus != NULL && g_dbus_connection_is_closed (bus))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The system bus closed"));
      return NULL;
    }
  /* A bus that goes away is tuned's problem, not a reason to quit */
  if (bus != NULL)
    g_dbus_connection_set_exit_on_close (bus, FALSE);
  return g_steal_pointer (&bus);
}

static GVariant *
call (GDBusConnection *bus,
      const char      *method,
      GVariant        *args,
      const char      *reply_type,
      int              timeout_ms,
      GError         **error)
{
  return g_dbus_connection_call_sync (bus, KT_TUNED_BUS_NAME, KT_TUNED_PATH, KT_TUNED_INTERFACE,
                                      method, args, G_VARIANT_TYPE (reply_type),
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout_ms, NULL, error);
}

static gboolean
is_missing (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static char *
call_string (GDBusConnection *bus,
             const char      *method)
{
  g_autoptr(GVariant) reply = call (bus, method, NULL, "(s)", READ_TIMEOUT_MS, NULL);
  const char *s = NULL;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&s)", &s);
  return *s ? g_strdup (s) : NULL;
}

static void
read_profiles (GDBusConnection *bus,
               KtHostTuning    *tuning)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (bus, "profiles2", NULL, "(a(ss))", READ_TIMEOUT_MS, &error);
  g_autoptr(GVariantIter) iter = NULL;
  const char *name, *summary;

  if (reply != NULL)
    {
      g_variant_get (reply, "(a(ss))", &iter);
      while (g_variant_iter_next (iter, "(&s&s)", &name, &summary))
        kt_host_tuning_add_tuned_profile (tuning, name, *summary ? summary : NULL);
      return;
    }

  /* An older tuned: the names, then each one's summary */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (bus, "profiles", NULL, "(as)", READ_TIMEOUT_MS, NULL);
  if (reply == NULL)
    return;
  g_variant_get (reply, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    {
      g_autoptr(GVariant) info = call (bus, "profile_info", g_variant_new ("(s)", name),
                                       "((bsss))", READ_TIMEOUT_MS, NULL);
      gboolean ok = FALSE;
      const char *pname = NULL, *psummary = NULL, *pdesc = NULL;

      if (info != NULL)
        g_variant_get (info, "((b&s&s&s))", &ok, &pname, &psummary, &pdesc);
      kt_host_tuning_add_tuned_profile (tuning, name, ok && *psummary ? psummary : NULL);
    }
}

/**
 * kt_tuned_read:
 *
 * Fills @tuning's tuned_* fields from the tuned daemon on the system bus.
 * No bus or no tuned on it is %KT_TUNED_MISSING; a daemon that answers
 * but does not tune is %KT_TUNED_STOPPED; a refusal (no permission) is
 * %KT_TUNED_UNKNOWN.
 */
void
kt_tuned_read (KtHostTuning *tuning)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean running = FALSE;

  g_return_if_fail (tuning != NULL);

  g_clear_pointer (&tuning->tuned_active, g_free);
  g_clear_pointer (&tuning->tuned_recommended, g_free);
  g_ptr_array_set_size (tuning->tuned_profiles, 0);

  bus = system_bus (&error);
  if (bus == NULL)
    {
      tuning->tuned_state = KT_TUNED_MISSING;
      return;
    }
  reply = call (bus, "is_running", NULL, "(b)", READ_TIMEOUT_MS, &error);
  if (reply == NULL)
    {
      tuning->tuned_state = is_missing (error) ? KT_TUNED_MISSING : KT_TUNED_UNKNOWN;
      g_debug ("tuned: %s", error->message);
      return;
    }
  g_variant_get (reply, "(b)", &running);
  tuning->tuned_state = running ? KT_TUNED_RUNNING : KT_TUNED_STOPPED;
  tuning->tuned_active = call_string (bus, "active_profile");
  tuning->tuned_recommended = call_string (bus, "recommend_profile");
  read_profiles (bus, tuning);
}

/**
 * kt_tuned_switch_profile:
 *
 * Asks tuned to switch to @profile (switch_profile) and checks its answer.
 *
 * Returns: %FALSE with @error holding tuned's message when it refused or
 * failed
 */
gboolean
kt_tuned_switch_profile (const char  *profile,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean ok = FALSE;
  const char *msg = NULL;

  g_return_val_if_fail (profile != NULL, FALSE);

  bus = system_bus (&local_error);
  if (bus == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("tuned.profile: no system bus: %s"), local_error->message);
      return FALSE;
    }
  reply = call (bus, "switch_profile", g_variant_new ("(s)", profile), "((bs))",
                SWITCH_TIMEOUT_MS, &local_error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (local_error);
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   is_missing (local_error) ? _("tuned.profile: tuned is not running (%s)")
                                            : _("tuned.profile: tuned did not answer: %s"),
                   local_error->message);
      return FALSE;
    }
  g_variant_get (reply, "((b&s))", &ok, &msg);
  if (!ok)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("tuned.profile: tuned refused “%s”: %s"), profile, msg);
      return FALSE;
    }
  return TRUE;
}
