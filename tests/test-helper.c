/* test-helper.c: kvmtune-helper on a private system bus
 *
 * A dbus-daemon of the test's own (type system, on a socket in a temp
 * folder, including the project's bus policy file and a service folder
 * with the project's activation file pointing at the built helper), and
 * python3-dbusmock's polkitd template as the polkit that answers yes or
 * no.  The test build of the helper (kvmtune-helper-test, which alone
 * honours $KT_HOST_KNOBS_TEST_ROOT) is driven against a fake /sys and
 * /etc; the real, bus-activated helper is driven as root against the
 * machine's THP, numa_balancing and KSM run, which are restored in
 * teardown and by a signal/atexit guard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* memmem */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "kt-host-helper-client.h"
#include "kt-host-knobs.h"
#include "kt-test-knob-guard.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define ACTION_READ "org.example.KvmTune.host-read"
#define ACTION_TUNE "org.example.KvmTune.host-tune"
#define ACTION_PERSIST "org.example.KvmTune.host-persist"
#define ERR_PREFIX "org.example.KvmTune.Helper.Error."

static struct
{
  char        *tmp;
  char        *socket_path;
  char        *address;
  GSubprocess *bus;
  GSubprocess *polkit;
  char        *skip_reason;
} world;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  return l;
}

static GDBusConnection *
bus (void)
{
  g_autoptr(GError) error = NULL;
  static GDBusConnection *connection;

  if (connection == NULL)
    {
      connection = g_dbus_connection_new_for_address_sync (world.address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
        | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  return connection;
}

static GVariant *
call (const char         *dest,
      const char         *path,
      const char         *iface,
      const char         *method,
      GVariant           *params,
      const GVariantType *reply_type,
      GError            **error)
{
  return g_dbus_connection_call_sync (bus (), dest, path, iface, method, params, reply_type,
                                      G_DBUS_CALL_FLAGS_NONE, 20000, NULL, error);
}

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GVariant) r = call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "NameHasOwner",
                                g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"), NULL);
  gboolean has = FALSE;

  if (r != NULL)
    g_variant_get (r, "(b)", &has);
  return has;
}

static gboolean
wait_for_owner (const char *name,
                gboolean    owned,
                guint       seconds)
{
  for (guint i = 0; i < seconds * 20; i++)
    {
      if (name_has_owner (name) == owned)
        return TRUE;
      g_usleep (50000);
    }
  return FALSE;
}

/* Stops whatever owns the helper's name (an activated helper) */
static void
stop_helper_on_bus (void)
{
  g_autoptr(GVariant) r = NULL;
  guint32 pid = 0;

  r = call ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "GetConnectionUnixProcessID", g_variant_new ("(s)", KT_HOST_HELPER_BUS_NAME),
            G_VARIANT_TYPE ("(u)"), NULL);
  if (r == NULL)
    return;
  g_variant_get (r, "(u)", &pid);
  if (pid > 1)
    kill ((pid_t) pid, SIGTERM);
  g_assert_true (wait_for_owner (KT_HOST_HELPER_BUS_NAME, FALSE, 10));
}

static void
polkit_allow (const char * const *actions,
              gboolean            unknown)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r1 = NULL;
  g_autoptr(GVariant) r2 = NULL;

  r1 = call (POLKIT_NAME, POLKIT_PATH, "org.freedesktop.DBus.Mock", "SetAllowed",
             g_variant_new ("(^as)", (char **) actions), NULL, &error);
  g_assert_no_error (error);
  r2 = call (POLKIT_NAME, POLKIT_PATH, "org.freedesktop.DBus.Mock", "AllowUnknown",
             g_variant_new ("(b)", unknown), NULL, &error);
  g_assert_no_error (error);
}

static void
polkit_allow_none (void)
{
  const char *none[] = { NULL };
  polkit_allow (none, FALSE);
}

static void
polkit_allow_all (void)
{
  const char *none[] = { NULL };
  polkit_allow (none, TRUE);
}

static void
world_stop (void)
{
  if (world.bus != NULL && name_has_owner (KT_HOST_HELPER_BUS_NAME))
    stop_helper_on_bus ();
  if (world.polkit != NULL)
    {
      g_subprocess_send_signal (world.polkit, SIGTERM);
      g_subprocess_wait (world.polkit, NULL, NULL);
      g_clear_object (&world.polkit);
    }
  if (world.bus != NULL)
    {
      g_subprocess_send_signal (world.bus, SIGTERM);
      g_subprocess_wait (world.bus, NULL, NULL);
      g_clear_object (&world.bus);
    }
  if (world.tmp != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", world.tmp);
      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", world.tmp);
      g_clear_pointer (&world.tmp, g_free);
    }
}

static void
polkit_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;

  /* Debian's python3 (the first one on PATH is another) */
  g_subprocess_launcher_unsetenv (launcher, "PYTHONPATH");
  g_subprocess_launcher_unsetenv (launcher, "PYTHONHOME");
  world.polkit = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3", "-m",
                                              "dbusmock", "--system", "--template", "polkitd",
                                              NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for_owner (POLKIT_NAME, TRUE, 30));
}

static void
polkit_stop (void)
{
  if (world.polkit == NULL)
    return;
  g_subprocess_send_signal (world.polkit, SIGTERM);
  g_subprocess_wait (world.polkit, NULL, NULL);
  g_clear_object (&world.polkit);
  g_assert_true (wait_for_owner (POLKIT_NAME, FALSE, 10));
}

/* The private system bus and the polkit stand-in.  Sets
 * world.skip_reason when a piece is missing. */
static void
world_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *svc_dir = NULL;
  g_autofree char *svc_text = NULL;
  g_autofree char *svc_path = NULL;
  g_autofree char *user_policy = NULL;
  const char *helper_conf = g_getenv ("KT_HELPER_BUS_CONF");
  const char *service = g_getenv ("KT_HELPER_SERVICE");
  g_autofree char *dbus_daemon = g_find_program_in_path ("dbus-daemon");

  if (dbus_daemon == NULL)
    {
      world.skip_reason = g_strdup ("dbus-daemon is not installed");
      return;
    }
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
      || system ("/usr/bin/python3 -c 'import dbusmock' 2>/dev/null") != 0)
    {
      world.skip_reason = g_strdup ("python3-dbusmock is not installed");
      return;
    }
  if (helper_conf == NULL || service == NULL || g_getenv ("KT_HELPER_TEST") == NULL)
    {
      world.skip_reason = g_strdup ("KT_HELPER_BUS_CONF, KT_HELPER_SERVICE or KT_HELPER_TEST "
                                    "unset: run through meson test");
      return;
    }

  world.tmp = g_dir_make_tmp ("kt-helper-bus-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (world_stop);
  g_assert_cmpint (g_chmod (world.tmp, 0755), ==, 0);
  world.socket_path = g_build_filename (world.tmp, "bus.sock", NULL);
  svc_dir = g_build_filename (world.tmp, "services", NULL);
  g_assert_cmpint (g_mkdir (svc_dir, 0755), ==, 0);

  /* The project's activation file, as meson generated it for the build tree */
  g_file_get_contents (service, &svc_text, NULL, &error);
  g_assert_no_error (error);
  svc_path = g_build_filename (svc_dir, "org.example.KvmTune.Helper.service", NULL);
  g_file_set_contents (svc_path, svc_text, -1, &error);
  g_assert_no_error (error);

  /* Not root: the project's policy lets only root own the name */
  if (geteuid () != 0)
    user_policy = g_strdup_printf ("  <policy user=\"%s\">\n"
                                   "    <allow own=\"" KT_HOST_HELPER_BUS_NAME "\"/>\n"
                                   "    <allow own=\"" POLKIT_NAME "\"/>\n"
                                   "    <allow send_destination=\"" POLKIT_NAME "\"/>\n"
                                   "  </policy>\n", g_get_user_name ());

  /* Like Debian's system.conf: nothing owned or called unless a policy
   * file punches the hole */
  conf = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <servicedir>%s</servicedir>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <deny own=\"*\"/>\n"
    "    <deny send_type=\"method_call\"/>\n"
    "    <allow send_type=\"signal\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
    "    <allow receive_type=\"method_call\"/>\n"
    "    <allow receive_type=\"method_return\"/>\n"
    "    <allow receive_type=\"error\"/>\n"
    "    <allow receive_type=\"signal\"/>\n"
    "    <allow send_destination=\"org.freedesktop.DBus\"/>\n"
    "  </policy>\n"
    "  <policy user=\"root\">\n"
    "    <allow own=\"" POLKIT_NAME "\"/>\n"
    "    <allow send_destination=\"" POLKIT_NAME "\"/>\n"
    "  </policy>\n"
    "%s"
    "  <include>%s</include>\n"
    "</busconfig>\n",
    world.socket_path, svc_dir, user_policy ? user_policy : "", helper_conf);
  conf_path = g_build_filename (world.tmp, "bus.conf", NULL);
  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);

  /* Before any thread exists; the bus and the helpers it starts inherit it */
  world.address = g_strconcat ("unix:path=", world.socket_path, NULL);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", world.address, TRUE);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* The activated helper inherits this environment: no test root */
  g_subprocess_launcher_unsetenv (launcher, "KT_HOST_KNOBS_TEST_ROOT");
  world.bus = g_subprocess_launcher_spawn (launcher, &error, dbus_daemon, "--nofork",
                                           "--nopidfile", "--print-address=1",
                                           "--config-file", conf_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (world.bus));
  /* The address line says the bus listens */
  {
    g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (line);
    g_assert_nonnull (strstr (line, world.socket_path));
  }
  g_clear_object (&launcher);

  polkit_start ();
}

/* A fake root for the test build of the helper */

static const struct
{
  const char *path;
  const char *contents;
} tree_files[] = {
  { "/sys/kernel/mm/ksm/run", "0\n" },
  { "/sys/kernel/mm/ksm/merge_across_nodes", "1\n" },
  { "/sys/kernel/mm/ksm/pages_to_scan", "100\n" },
  { "/sys/kernel/mm/ksm/sleep_millisecs", "20\n" },
  { "/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n" },
  { "/sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n" },
  { "/proc/sys/kernel/numa_balancing", "1\n" },
  { "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "0\n" },
  { "/etc/shadow", "root:*:1::::::\n" },
  { "/etc/x", "x\n" },
};

typedef struct
{
  char        *root;
  GSubprocess *helper;
} Fixture;

static char *
tree_get (Fixture    *f,
          const char *fixed)
{
  g_autofree char *path = g_strconcat (f->root, fixed, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
tree_put (Fixture    *f,
          const char *fixed,
          const char *contents)
{
  g_autofree char *path = g_strconcat (f->root, fixed, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Every file under the fake root, relative path → contents */
static void
list_tree (const char *base,
           const char *rel,
           GHashTable *out)
{
  g_autofree char *dir_path = g_build_filename (base, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = g_build_filename (rel, name, NULL);
      g_autofree char *child = g_build_filename (base, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          g_hash_table_insert (out, g_strconcat (child_rel, "/", NULL), g_strdup ("(dir)"));
          list_tree (base, child_rel, out);
        }
      else
        {
          char *contents = NULL;
          g_file_get_contents (child, &contents, NULL, NULL);
          g_hash_table_insert (out, g_strdup (child_rel), contents ? contents : g_strdup ("?"));
        }
    }
}

static GHashTable *
tree_snapshot (Fixture *f)
{
  GHashTable *snap = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  list_tree (f->root, "", snap);
  return snap;
}

static void
assert_tree_unchanged (Fixture    *f,
                       GHashTable *before,
                       const char *what)
{
  g_autoptr(GHashTable) now = tree_snapshot (f);
  GHashTableIter iter;
  gpointer k, v;

  g_test_message ("unchanged after: %s", what);
  g_assert_cmpuint (g_hash_table_size (now), ==, g_hash_table_size (before));
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_cmpstr (g_hash_table_lookup (now, k), ==, v);
}

static void
fake_setup (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (world.skip_reason != NULL)
    return;
  stop_helper_on_bus ();
  f->root = g_dir_make_tmp ("kt-helper-root-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (tree_files); i++)
    tree_put (f, tree_files[i].path, tree_files[i].contents);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "KT_HOST_KNOBS_TEST_ROOT", f->root, TRUE);
  f->helper = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KT_HELPER_TEST"),
                                           "--idle-timeout", "600", NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for_owner (KT_HOST_HELPER_BUS_NAME, TRUE, 20));
}

static void
fake_teardown (Fixture      *f,
               gconstpointer data)
{
  if (world.skip_reason != NULL)
    return;
  if (f->helper != NULL)
    {
      g_subprocess_send_signal (f->helper, SIGTERM);
      g_subprocess_wait (f->helper, NULL, NULL);
      g_clear_object (&f->helper);
    }
  g_assert_true (wait_for_owner (KT_HOST_HELPER_BUS_NAME, FALSE, 10));
  if (f->root != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->root);
      g_assert_cmpint (system (cmd), ==, 0);
      g_clear_pointer (&f->root, g_free);
    }
}

#define SKIP_IF_NO_WORLD() \
  G_STMT_START { \
    if (world.skip_reason != NULL) \
      { \
        g_test_skip (world.skip_reason); \
        return; \
      } \
  } G_STMT_END

static GVariant *
helper_call (const char         *method,
             GVariant           *params,
             const GVariantType *reply_type,
             GError            **error)
{
  return call (KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH, KT_HOST_HELPER_INTERFACE,
               method, params, reply_type, error);
}

/* Calls @method and expects the D-Bus error @name */
static void
expect_dbus_error (const char *method,
                   GVariant   *params,
                   const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = helper_call (method, params, NULL, &error);
  g_autofree char *remote = NULL;

  g_assert_null (r);
  g_assert_nonnull (error);
  if (error == NULL)
    return;
  remote = g_dbus_error_get_remote_error (error);
  g_test_message ("%s → %s: %s", method, remote, error->message);
  g_assert_cmpstr (remote, ==, name);
}

static GVariant *
settings (const char *first_key,
          ...)
{
  GVariantBuilder b;
  va_list ap;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  va_start (ap, first_key);
  for (const char *k = first_key; k != NULL; k = va_arg (ap, const char *))
    g_variant_builder_add (&b, "{ss}", k, va_arg (ap, const char *));
  va_end (ap);
  return g_variant_new ("(a{ss})", &b);
}

/* The installed helper and the core library have no test prefix: the
 * string of the test variable is only in the test build */
static void
test_no_prefix_in_production (void)
{
  const char *paths[] = { g_getenv ("KT_HELPER"), g_getenv ("KT_CLI"), NULL };
  const char *test_build = g_getenv ("KT_HELPER_TEST");
  g_autofree char *data = NULL;
  gsize len = 0;

  SKIP_IF_NO_WORLD ();
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&data, g_free);
      g_file_get_contents (paths[i], &data, &len, &error);
      g_assert_no_error (error);
      g_assert_null (memmem (data, len, "KT_HOST_KNOBS_TEST_ROOT", 23));
    }
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (test_build, &data, &len, NULL));
  g_assert_nonnull (memmem (data, len, "KT_HOST_KNOBS_TEST_ROOT", 23));
}

static void
assert_helper_alive (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = helper_call ("ListKeys", NULL, G_VARIANT_TYPE ("(as)"), &error);

  g_assert_no_error (error);
}

/* Bus activation from the project's service file, idle exit */
static void
test_activation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) keys = NULL;
  g_autoptr(GVariant) version = NULL;
  g_autoptr(GVariant) xml = NULL;
  const char *introspection = NULL;
  g_auto(GStrv) list = NULL;

  SKIP_IF_NO_WORLD ();
  stop_helper_on_bus ();
  g_assert_false (name_has_owner (KT_HOST_HELPER_BUS_NAME));

  keys = helper_call ("ListKeys", NULL, G_VARIANT_TYPE ("(as)"), &error);
  g_assert_no_error (error);
  g_variant_get (keys, "(^as)", &list);
  g_assert_cmpuint (g_strv_length (list), ==, 7);
  g_assert_true (g_strv_contains ((const char * const *) list, "thp.enabled"));
  g_assert_true (name_has_owner (KT_HOST_HELPER_BUS_NAME));

  xml = call (KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH,
              "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
              G_VARIANT_TYPE ("(s)"), &error);
  g_assert_no_error (error);
  g_variant_get (xml, "(&s)", &introspection);
  for (guint i = 0; i < 4; i++)
    {
      const char *m[] = { "<method name=\"Set\">", "<method name=\"Get\">",
                          "<method name=\"Persist\">", "<method name=\"Unpersist\">" };
      g_assert_nonnull (strstr (introspection, m[i]));
    }
  version = call (KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH,
                  "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new ("(ss)", KT_HOST_HELPER_INTERFACE, "Version"),
                  G_VARIANT_TYPE ("(v)"), &error);
  g_assert_no_error (error);

  /* The test service file passes --idle-timeout 2 */
  g_assert_true (wait_for_owner (KT_HOST_HELPER_BUS_NAME, FALSE, 15));
}

static void
test_not_authorized (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char *keys[] = { "thp.enabled", "ksm.run", NULL };
  const char *values[] = { "never", "1", NULL };

  SKIP_IF_NO_WORLD ();
  polkit_allow_none ();
  before = tree_snapshot (f);

  expect_dbus_error ("Set", settings ("thp.enabled", "never", "ksm.run", "1", NULL),
                     ERR_PREFIX "NotAuthorized");
  expect_dbus_error ("Persist", settings ("numa_balancing", "0", NULL),
                     ERR_PREFIX "NotAuthorized");
  expect_dbus_error ("Unpersist", NULL, ERR_PREFIX "NotAuthorized");
  {
    const char *get[] = { "thp.enabled", NULL };
    expect_dbus_error ("Get", g_variant_new ("(^as)", (char **) get), ERR_PREFIX "NotAuthorized");
  }

  /* Through the client: the same refusal, in KT_HOST_KNOB_ERROR */
  changes = kt_host_helper_set_sync (keys, values, NULL, &error);
  g_assert_null (changes);
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_NOT_AUTHORIZED);
  if (error != NULL)
    g_assert_nonnull (strstr (error->message, "Not authorized"));
  g_clear_error (&error);

  /* Allowed to tune is not allowed to persist */
  {
    const char *only_tune[] = { ACTION_TUNE, NULL };
    polkit_allow (only_tune, FALSE);
  }
  expect_dbus_error ("Persist", settings ("numa_balancing", "0", NULL),
                     ERR_PREFIX "NotAuthorized");
  assert_tree_unchanged (f, before, "refused callers");
}

/* No polkit on the bus: refused, not allowed */
static void
test_no_polkit (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;

  SKIP_IF_NO_WORLD ();
  before = tree_snapshot (f);
  polkit_stop ();
  expect_dbus_error ("Set", settings ("thp.enabled", "never", NULL), ERR_PREFIX "NotAuthorized");
  expect_dbus_error ("Unpersist", NULL, ERR_PREFIX "NotAuthorized");
  assert_tree_unchanged (f, before, "no polkit");
  polkit_start ();
}

static void
on_async_set (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GPtrArray **out = data;
  g_autoptr(GError) error = NULL;

  *out = kt_host_helper_set_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_allowed (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) async_changes = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) persisted = NULL;
  g_autoptr(GHashTable) persist = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  const char *keys[] = { "thp.enabled", "ksm.run", "numa_balancing", NULL };
  const char *vals[] = { "never", "1", "0", NULL };
  const char *actions[] = { ACTION_READ, ACTION_TUNE, ACTION_PERSIST, NULL };

  SKIP_IF_NO_WORLD ();
  polkit_allow (actions, FALSE);

  changes = kt_host_helper_set_sync (keys, vals, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (changes);
  if (changes == NULL)
    return;
  g_assert_cmpuint (changes->len, ==, 3);
  {
    KtHostKnobChange *c = g_ptr_array_index (changes, 0);
    g_assert_cmpstr (c->key, ==, "thp.enabled");
    g_assert_cmpstr (c->old_value, ==, "madvise");
    g_assert_cmpstr (c->new_value, ==, "never");
    c = g_ptr_array_index (changes, 2);
    g_assert_cmpstr (c->old_value, ==, "1");
    g_assert_cmpstr (c->new_value, ==, "0");
  }
  text = tree_get (f, "/sys/kernel/mm/transparent_hugepage/enabled");
  g_assert_cmpstr (text, ==, "never\n");
  g_clear_pointer (&text, g_free);
  text = tree_get (f, "/sys/kernel/mm/ksm/run");
  g_assert_cmpstr (text, ==, "1\n");
  g_clear_pointer (&text, g_free);

  /* Get reads them back; a missing knob is left out */
  {
    const char *get[] = { "thp.enabled", "ksm.run", "hugepages.9.2048", NULL };
    values = kt_host_helper_get_sync (get, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (values), ==, 2);
    g_assert_cmpstr (g_hash_table_lookup (values, "thp.enabled"), ==, "never");
  }

  /* The asynchronous client */
  {
    const char *k[] = { "ksm.run", NULL };
    const char *v[] = { "0", NULL };

    kt_host_helper_set_async (k, v, NULL, on_async_set, &async_changes);
    while (async_changes == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (async_changes->len, ==, 1);
    text = tree_get (f, "/sys/kernel/mm/ksm/run");
    g_assert_cmpstr (text, ==, "0\n");
    g_clear_pointer (&text, g_free);
  }

  /* Drop-ins */
  g_hash_table_insert (persist, "numa_balancing", "0");
  g_hash_table_insert (persist, "thp.enabled", "never");
  g_hash_table_insert (persist, "hugepages.0.2048", "64");
  g_assert_true (kt_host_helper_persist_sync (persist, NULL, &error));
  g_assert_no_error (error);
  text = tree_get (f, KT_HOST_PERSIST_SYSCTL_PATH);
  g_assert_nonnull (text);
  if (text != NULL)
    g_assert_nonnull (strstr (text, "\nkernel.numa_balancing = 0\n"));
  g_clear_pointer (&text, g_free);
  text = tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH);
  g_assert_nonnull (text);
  if (text != NULL)
    {
      g_assert_nonnull (strstr (text, "\nw /sys/kernel/mm/transparent_hugepage/enabled - - - - never\n"));
      g_assert_nonnull (strstr (text, "/node0/hugepages/hugepages-2048kB/nr_hugepages - - - - 64\n"));
    }
  g_clear_pointer (&text, g_free);
  persisted = kt_host_helper_get_persisted_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (persisted), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (persisted, "hugepages.0.2048"), ==, "64");
  g_assert_true (kt_host_helper_unpersist_sync (NULL, &error));
  g_assert_no_error (error);
  g_assert_null (tree_get (f, KT_HOST_PERSIST_SYSCTL_PATH));
  g_assert_null (tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH));
}

/* Sends a Set whose value holds NUL bytes, written by hand on a raw
 * socket (GDBus itself cannot serialize such a string).  The bus must
 * drop the connection; returns TRUE when it did. */
static gboolean
send_set_with_nul (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (world.socket_path);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDBusMessage) hello = NULL;
  g_autoptr(GDBusMessage) set = NULL;
  g_autofree guchar *hello_blob = NULL;
  g_autofree guchar *set_blob = NULL;
  g_autofree char *uid = g_strdup_printf ("%u", (guint) geteuid ());
  g_autoptr(GString) auth = g_string_new (NULL);
  GOutputStream *os;
  GInputStream *is;
  gsize hello_len, set_len, written;
  char buf[4096];
  gssize n;
  guchar *marker;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  os = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  is = g_io_stream_get_input_stream (G_IO_STREAM (conn));

  g_string_append_c (auth, '\0');
  g_string_append (auth, "AUTH EXTERNAL ");
  for (const char *p = uid; *p; p++)
    g_string_append_printf (auth, "%02x", (guchar) *p);
  g_string_append (auth, "\r\n");
  g_assert_true (g_output_stream_write_all (os, auth->str, auth->len, &written, NULL, &error));
  n = g_input_stream_read (is, buf, sizeof buf - 1, NULL, &error);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "OK "));
  g_assert_true (g_output_stream_write_all (os, "BEGIN\r\n", 7, &written, NULL, &error));

  hello = g_dbus_message_new_method_call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                          "org.freedesktop.DBus", "Hello");
  g_dbus_message_set_serial (hello, 1);
  hello_blob = g_dbus_message_to_blob (hello, &hello_len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);

  set = g_dbus_message_new_method_call (KT_HOST_HELPER_BUS_NAME, KT_HOST_HELPER_OBJECT_PATH,
                                        KT_HOST_HELPER_INTERFACE, "Set");
  g_dbus_message_set_body (set, settings ("thp.enabled", "neverXXXXshadow", NULL));
  g_dbus_message_set_serial (set, 2);
  set_blob = g_dbus_message_to_blob (set, &set_len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  marker = NULL;
  for (gsize i = 0; i + 4 <= set_len && marker == NULL; i++)
    if (memcmp (set_blob + i, "XXXX", 4) == 0)
      marker = set_blob + i;
  g_assert_nonnull (marker);
  memset (marker, 0, 4);   /* "never\0\0\0\0shadow", length unchanged */

  g_assert_true (g_output_stream_write_all (os, hello_blob, hello_len, &written, NULL, &error));
  g_assert_true (g_output_stream_write_all (os, set_blob, set_len, &written, NULL, &error));

  /* Read until the bus hangs up (or 10 s pass) */
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 10);
  do
    n = g_input_stream_read (is, buf, sizeof buf, NULL, NULL);
  while (n > 0);
  return n == 0;
}

static void
test_hostile (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autofree char *long_value = g_strnfill (1 << 20, '1');
  g_autofree char *long_key = g_strnfill (1 << 20, 'k');
  g_autofree char *long_line = g_strdup_printf ("never\n%s", long_value);

  SKIP_IF_NO_WORLD ();
  /* polkit says yes to everything: only the whitelist stands in the way */
  polkit_allow_all ();
  before = tree_snapshot (f);

#define REFUSED(method, params, err) \
  G_STMT_START { \
    expect_dbus_error (method, params, err); \
    assert_tree_unchanged (f, before, #params); \
  } G_STMT_END

  /* Unknown keys, slashes, dot-dot, paths */
  REFUSED ("Set", settings ("ksm.unknown", "1", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("/etc/shadow", "x", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("/sys/kernel/mm/ksm/run", "1", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("..", "1", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("ksm.run/../../../../etc/shadow", "1", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("thp.enabled/..", "never", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("hugepages.0.2048/../../../../../../etc/x", "1", NULL),
           ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings ("hugepages.../../etc.2048", "1", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Set", settings (long_key, "1", NULL), ERR_PREFIX "InvalidKey");
  /* Values outside the whitelist, paths as values, overlong lines */
  REFUSED ("Set", settings ("thp.enabled", "/etc/shadow", NULL), ERR_PREFIX "InvalidValue");
  REFUSED ("Set", settings ("thp.enabled", "sometimes", NULL), ERR_PREFIX "InvalidValue");
  REFUSED ("Set", settings ("ksm.run", "3", NULL), ERR_PREFIX "InvalidValue");
  REFUSED ("Set", settings ("numa_balancing", "0\nkernel.core_pattern=|/bin/sh", NULL),
           ERR_PREFIX "InvalidValue");
  REFUSED ("Set", settings ("ksm.pages_to_scan", long_value, NULL), ERR_PREFIX "InvalidValue");
  REFUSED ("Set", settings ("thp.enabled", long_line, NULL), ERR_PREFIX "InvalidValue");
  /* A good pair before a bad one: nothing written, the check comes first */
  REFUSED ("Set", settings ("ksm.run", "1", "thp.enabled", "never", "thp.defrag", "bogus", NULL),
           ERR_PREFIX "InvalidValue");
  /* Duplicates, which an a{ss} can carry */
  REFUSED ("Set", settings ("ksm.run", "1", "ksm.run", "2", NULL), ERR_PREFIX "InvalidKey");
  /* Thousands of entries */
  {
    GVariantBuilder b;

    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
    for (guint i = 0; i < 5000; i++)
      {
        g_autofree char *k = g_strdup_printf ("hugepages.%u.2048", i % 1024);
        g_variant_builder_add (&b, "{ss}", k, "1");
      }
    REFUSED ("Set", g_variant_new ("(a{ss})", &b), ERR_PREFIX "TooMany");
  }
  {
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < 5000; i++)
      g_ptr_array_add (keys, g_strdup ("ksm.run"));
    g_ptr_array_add (keys, NULL);
    REFUSED ("Get", g_variant_new ("(^as)", (char **) keys->pdata), ERR_PREFIX "TooMany");
  }
  /* Get and Persist take no path either */
  {
    const char *get[] = { "/etc/shadow", NULL };
    REFUSED ("Get", g_variant_new ("(^as)", (char **) get), ERR_PREFIX "InvalidKey");
  }
  REFUSED ("Persist", settings ("/etc/shadow", "x", NULL), ERR_PREFIX "InvalidKey");
  REFUSED ("Persist", settings ("thp.enabled", "never\nw /etc/x - - - - pwned", NULL),
           ERR_PREFIX "InvalidValue");
  REFUSED ("Persist", settings ("numa_balancing", "0\nkernel.core_pattern = |/bin/sh", NULL),
           ERR_PREFIX "InvalidValue");
  /* Wrong signatures and methods that do not exist */
  REFUSED ("Set", g_variant_new ("(s)", "/etc/shadow"), "org.freedesktop.DBus.Error.InvalidArgs");
  REFUSED ("Set", g_variant_new ("(a{sv})", NULL), "org.freedesktop.DBus.Error.InvalidArgs");
  REFUSED ("Write", g_variant_new ("(ss)", "/etc/shadow", "x"),
           "org.freedesktop.DBus.Error.UnknownMethod");

  /* NUL bytes cannot travel in a D-Bus string: the bus drops a message
   * that carries them, before the helper sees it */
  g_assert_true (send_set_with_nul ());
  assert_tree_unchanged (f, before, "a value with NUL bytes");

  assert_helper_alive ();
#undef REFUSED
}

/* A write that fails half-way through a Set puts the earlier ones back */
static void
test_all_or_nothing (Fixture      *f,
                     gconstpointer data)
{
  const char *pool = "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages";
  g_autofree char *pool_path = g_strconcat (f->root, pool, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *keys[] = { "ksm.run", "thp.enabled", "hugepages.0.2048", NULL };
  const char *vals[] = { "1", "never", "8", NULL };
  g_autoptr(GPtrArray) changes = NULL;

  SKIP_IF_NO_WORLD ();
  polkit_allow_all ();
  /* The pool becomes a folder: its write fails after the first two */
  g_assert_cmpint (g_unlink (pool_path), ==, 0);
  g_assert_cmpint (g_mkdir (pool_path, 0755), ==, 0);

  changes = kt_host_helper_set_sync (keys, vals, NULL, &error);
  g_assert_null (changes);
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED);
  if (error != NULL)
    g_assert_nonnull (strstr (error->message, "hugepages.0.2048"));
  text = tree_get (f, "/sys/kernel/mm/ksm/run");
  g_assert_cmpstr (text, ==, "0\n");
  g_clear_pointer (&text, g_free);
  text = tree_get (f, "/sys/kernel/mm/transparent_hugepage/enabled");
  g_assert_cmpstr (text, ==, "madvise\n");
}

/* The other end of a knob that is a FIFO: it answers the helper's read
 * of the old value, its write and its read-back (blocking opens pair with
 * the helper's one by one), and sends SIGTERM to the helper while it
 * waits in the first read. */
typedef struct
{
  char  *fifo;
  pid_t  helper_pid;
  char  *written;     /* what the helper wrote */
  gint   done;
} FifoPeer;

static gpointer
fifo_peer_thread (gpointer data)
{
  FifoPeer *peer = data;
  GString *got = g_string_new (NULL);
  char buf[64];
  ssize_t n;
  int fd;

  /* The helper waits in its read of the old value: stop it now */
  fd = open (peer->fifo, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      kill (peer->helper_pid, SIGTERM);
      g_usleep (300000);
      if (write (fd, "0\n", 2) != 2)
        g_string_append (got, "?");
      close (fd);
    }

  /* Its write of the new value */
  fd = open (peer->fifo, O_RDONLY | O_CLOEXEC);
  while (fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (got, buf, n);
  if (fd >= 0)
    close (fd);

  /* Its read-back */
  fd = open (peer->fifo, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, got->str, got->len) != (ssize_t) got->len)
        g_string_append (got, "?");
      close (fd);
    }
  peer->written = g_string_free (got, FALSE);
  g_atomic_int_set (&peer->done, 1);
  return NULL;
}

/* Lets a peer left waiting by a helper that is gone finish */
static void
fifo_peer_release (FifoPeer *peer)
{
  for (guint i = 0; i < 100 && !g_atomic_int_get (&peer->done); i++)
    {
      int fd = open (peer->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);

      g_usleep (100000);
      if (fd >= 0)
        close (fd);
    }
}

/* SIGTERM (systemd stops a Type=dbus service as soon as it gives up its
 * name, and at shutdown) while a Set is half-way: the Set still finishes
 * whole, then the helper exits */
static void
test_sigterm_mid_set (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *run = g_strconcat (f->root, "/sys/kernel/mm/ksm/run", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char *keys[] = { "thp.enabled", "ksm.run", NULL };
  const char *vals[] = { "never", "1", NULL };
  FifoPeer peer = { 0, };
  GThread *thread;

  SKIP_IF_NO_WORLD ();
  polkit_allow_all ();
  g_assert_cmpint (g_unlink (run), ==, 0);
  g_assert_cmpint (mkfifo (run, 0600), ==, 0);
  peer.fifo = run;
  peer.helper_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (f->helper), NULL, 10);
  thread = g_thread_new ("fifo-peer", fifo_peer_thread, &peer);

  changes = kt_host_helper_set_sync (keys, vals, NULL, &error);
  fifo_peer_release (&peer);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_nonnull (changes);
  g_assert_cmpstr (peer.written, ==, "1\n");
  text = tree_get (f, "/sys/kernel/mm/transparent_hugepage/enabled");
  g_assert_cmpstr (text, ==, "never\n");

  /* And then it is gone */
  g_assert_true (g_subprocess_wait (f->helper, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (f->helper));
  g_assert_cmpint (g_subprocess_get_exit_status (f->helper), ==, 0);
  g_free (peer.written);
}

/* As root, the real bus-activated helper on the machine's knobs */

#define REAL_THP "/sys/kernel/mm/transparent_hugepage/enabled"
#define REAL_NUMA "/proc/sys/kernel/numa_balancing"
#define REAL_KSM "/sys/kernel/mm/ksm/run"

typedef struct
{
  char *thp, *numa, *ksm;
} Real;

static void
real_setup (Real         *r,
            gconstpointer data)
{
  if (world.skip_reason != NULL || geteuid () != 0 || access (REAL_THP, W_OK) != 0
      || access (REAL_NUMA, W_OK) != 0 || access (REAL_KSM, W_OK) != 0)
    return;
  stop_helper_on_bus ();
  kt_test_knob_guard_save (REAL_THP);
  kt_test_knob_guard_save (REAL_NUMA);
  kt_test_knob_guard_save (REAL_KSM);
  r->thp = kt_test_knob_read_raw (REAL_THP);
  r->numa = kt_test_knob_read_raw (REAL_NUMA);
  r->ksm = kt_test_knob_read_raw (REAL_KSM);
}

static void
real_teardown (Real         *r,
               gconstpointer data)
{
  g_autofree char *left = NULL;

  if (r->thp == NULL)
    return;
  kt_test_knob_guard_restore ();
  left = kt_test_knob_guard_check ();
  g_assert_null (left);
  g_free (r->thp);
  g_free (r->numa);
  g_free (r->ksm);
}

static void
assert_raw (const char *path,
            const char *expected)
{
  g_autofree char *value = kt_test_knob_read_raw (path);
  g_assert_cmpstr (value, ==, expected);
}

static void
test_real (Real         *r,
           gconstpointer data)
{
  const char *thp_new, *numa_new, *ksm_new;
  const char *actions[] = { ACTION_TUNE, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) back = NULL;

  SKIP_IF_NO_WORLD ();
  if (r->thp == NULL)
    {
      g_test_skip ("needs root and writable THP, numa_balancing and KSM knobs");
      return;
    }
  thp_new = strcmp (r->thp, "never") == 0 ? "madvise" : "never";
  numa_new = strcmp (r->numa, "0") == 0 ? "1" : "0";
  ksm_new = strcmp (r->ksm, "0") == 0 ? "2" : "0";

  /* Refused by polkit: the machine is untouched */
  polkit_allow_none ();
  expect_dbus_error ("Set", settings ("thp.enabled", thp_new, "numa_balancing", numa_new, NULL),
                     ERR_PREFIX "NotAuthorized");
  assert_raw (REAL_THP, r->thp);
  assert_raw (REAL_NUMA, r->numa);

  /* Hostile, although allowed: untouched */
  polkit_allow (actions, FALSE);
  expect_dbus_error ("Set", settings ("thp.enabled", thp_new, REAL_NUMA, numa_new, NULL),
                     ERR_PREFIX "InvalidKey");
  expect_dbus_error ("Set", settings ("thp.enabled", thp_new, "numa_balancing", "9", NULL),
                     ERR_PREFIX "InvalidValue");
  assert_raw (REAL_THP, r->thp);
  assert_raw (REAL_NUMA, r->numa);

  /* Allowed: written, read back */
  {
    const char *keys[] = { "thp.enabled", "numa_balancing", "ksm.run", NULL };
    const char *vals[] = { thp_new, numa_new, ksm_new, NULL };

    changes = kt_host_helper_set_sync (keys, vals, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (changes);
  }
  assert_raw (REAL_THP, thp_new);
  assert_raw (REAL_NUMA, numa_new);
  assert_raw (REAL_KSM, ksm_new);
  if (changes != NULL)
    {
      KtHostKnobChange *c = g_ptr_array_index (changes, 0);
      g_assert_cmpstr (c->old_value, ==, r->thp);
      g_assert_cmpstr (c->new_value, ==, thp_new);
    }

  /* Revert through the helper */
  {
    const char *keys[] = { "thp.enabled", "numa_balancing", "ksm.run", NULL };
    const char *vals[] = { r->thp, r->numa, r->ksm, NULL };

    back = kt_host_helper_set_sync (keys, vals, NULL, &error);
    g_assert_no_error (error);
  }
  assert_raw (REAL_THP, r->thp);
  assert_raw (REAL_NUMA, r->numa);
  assert_raw (REAL_KSM, r->ksm);

  /* As root the front writes directly: polkit refusing does not matter */
  polkit_allow_none ();
  g_assert_true (kt_host_knobs_are_direct ());
  {
    const char *keys[] = { "thp.enabled", NULL };
    const char *v1[] = { thp_new, NULL };
    const char *v2[] = { r->thp, NULL };
    g_autoptr(GPtrArray) c1 = kt_host_knobs_set (keys, v1, NULL, &error);

    g_assert_no_error (error);
    assert_raw (REAL_THP, thp_new);
    {
      g_autoptr(GPtrArray) c2 = kt_host_knobs_set (keys, v2, NULL, &error);
      g_assert_no_error (error);
    }
    assert_raw (REAL_THP, r->thp);
  }
}

/* As a non-root client (test-helper --client ...), run by the test
 * below through setpriv as nobody:
 *   set KEY=VALUE...  kt_host_knobs_set; prints "direct" or "helper",
 *                     then "ok" and "KEY OLD NEW" lines, or "error CODE"
 *   own               tries to own the helper's bus name; prints the
 *                     D-Bus error name or "owned" */
static int
client_main (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc >= 1 && strcmp (argv[0], "set") == 0)
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) changes = NULL;

      for (int i = 1; i < argc; i++)
        {
          const char *eq = strchr (argv[i], '=');
          g_ptr_array_add (keys, eq ? g_strndup (argv[i], (gsize) (eq - argv[i])) : g_strdup (argv[i]));
          g_ptr_array_add (values, g_strdup (eq ? eq + 1 : ""));
        }
      g_ptr_array_add (keys, NULL);
      g_ptr_array_add (values, NULL);
      g_print ("%s\n", kt_host_knobs_are_direct () ? "direct" : "helper");
      changes = kt_host_knobs_set ((const char * const *) keys->pdata,
                                   (const char * const *) values->pdata, NULL, &error);
      if (changes == NULL)
        {
          g_print ("error %d %s\n", error->domain == KT_HOST_KNOB_ERROR ? error->code : -1,
                   error->message);
          return 2;
        }
      g_print ("ok\n");
      for (guint i = 0; i < changes->len; i++)
        {
          KtHostKnobChange *c = g_ptr_array_index (changes, i);
          g_print ("%s %s %s\n", c->key, c->old_value, c->new_value);
        }
      return 0;
    }
  if (argc == 1 && strcmp (argv[0], "own") == 0)
    {
      g_autoptr(GDBusConnection) system = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
      g_autoptr(GVariant) r = NULL;

      if (system == NULL)
        {
          g_print ("no bus: %s\n", error->message);
          return 2;
        }
      r = g_dbus_connection_call_sync (system, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", KT_HOST_HELPER_BUS_NAME, 4u),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 10000,
                                       NULL, &error);
      if (r == NULL)
        {
          g_autofree char *remote = g_dbus_error_get_remote_error (error);
          g_print ("%s\n", remote ? remote : error->message);
          return 2;
        }
      g_print ("owned\n");
      return 0;
    }
  g_printerr ("usage: test-helper --client set KEY=VALUE... | own\n");
  return 1;
}

static char *self_path;

/* Runs this program as nobody with --client @args; returns its stdout */
static char *
run_as_nobody (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *env_bus = g_strconcat ("DBUS_SYSTEM_BUS_ADDRESS=", world.address, NULL);
  char *out = NULL;

  g_ptr_array_add (argv, "setpriv");
  g_ptr_array_add (argv, "--reuid=65534");
  g_ptr_array_add (argv, "--regid=65534");
  g_ptr_array_add (argv, "--clear-groups");
  g_ptr_array_add (argv, "env");
  g_ptr_array_add (argv, "-i");
  g_ptr_array_add (argv, env_bus);
  g_ptr_array_add (argv, "LC_ALL=C.UTF-8");
  g_ptr_array_add (argv, self_path);
  g_ptr_array_add (argv, "--client");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (proc == NULL)
    return g_strdup ("");
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("as nobody %s: %s", args[0], out);
  return out;
}

/* As root: a caller that is not root goes through the helper */
static void
test_non_root (Real         *r,
               gconstpointer data)
{
  const char *actions[] = { ACTION_TUNE, NULL };
  g_autofree char *thp_set = NULL;
  g_autofree char *thp_back = NULL;
  g_autofree char *numa_set = NULL;
  g_autofree char *numa_back = NULL;
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  const char *thp_new, *numa_new;

  SKIP_IF_NO_WORLD ();
  if (r->thp == NULL || setpriv == NULL || getpwnam ("nobody") == NULL)
    {
      g_test_skip ("needs root, setpriv, a nobody user and writable knobs");
      return;
    }
  thp_new = strcmp (r->thp, "never") == 0 ? "madvise" : "never";
  numa_new = strcmp (r->numa, "0") == 0 ? "1" : "0";
  thp_set = g_strconcat ("thp.enabled=", thp_new, NULL);
  thp_back = g_strconcat ("thp.enabled=", r->thp, NULL);
  numa_set = g_strconcat ("numa_balancing=", numa_new, NULL);
  numa_back = g_strconcat ("numa_balancing=", r->numa, NULL);

  /* The bus policy keeps the name for root */
  {
    const char *args[] = { "own", NULL };
    g_autofree char *out = run_as_nobody (args);
    g_assert_cmpstr (out, ==, "org.freedesktop.DBus.Error.AccessDenied\n");
  }

  /* Refused by polkit */
  polkit_allow_none ();
  {
    const char *args[] = { "set", thp_set, numa_set, NULL };
    g_autofree char *out = run_as_nobody (args);
    g_autofree char *expected = g_strdup_printf ("helper\nerror %d ", KT_HOST_KNOB_ERROR_NOT_AUTHORIZED);

    g_assert_true (g_str_has_prefix (out, expected));
    g_assert_nonnull (strstr (out, "Not authorized"));
  }
  assert_raw (REAL_THP, r->thp);
  assert_raw (REAL_NUMA, r->numa);

  /* Allowed, but hostile */
  polkit_allow (actions, FALSE);
  {
    const char *args[] = { "set", thp_set, "/proc/sys/kernel/numa_balancing=1", NULL };
    g_autofree char *out = run_as_nobody (args);
    g_autofree char *expected = g_strdup_printf ("helper\nerror %d ", KT_HOST_KNOB_ERROR_INVALID_KEY);

    g_assert_true (g_str_has_prefix (out, expected));
  }
  assert_raw (REAL_THP, r->thp);

  /* Allowed: written by the helper for the caller, then put back */
  {
    const char *args[] = { "set", thp_set, numa_set, NULL };
    g_autofree char *out = run_as_nobody (args);
    g_autofree char *line = g_strdup_printf ("\nthp.enabled %s %s\n", r->thp, thp_new);

    g_assert_true (g_str_has_prefix (out, "helper\nok\n"));
    g_assert_nonnull (strstr (out, line));
  }
  assert_raw (REAL_THP, thp_new);
  assert_raw (REAL_NUMA, numa_new);
  {
    const char *args[] = { "set", thp_back, numa_back, NULL };
    g_autofree char *out = run_as_nobody (args);
    g_assert_true (g_str_has_prefix (out, "helper\nok\n"));
  }
  assert_raw (REAL_THP, r->thp);
  assert_raw (REAL_NUMA, r->numa);
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 2 && strcmp (argv[1], "--client") == 0)
    return client_main (argc - 2, argv + 2);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);
  /* Teardown runs after a failed check, so the machine is restored */
  g_test_set_nonfatal_assertions ();

  world_start ();

  g_test_add_func ("/helper/no-prefix-in-production", test_no_prefix_in_production);
  g_test_add_func ("/helper/activation", test_activation);
  g_test_add ("/helper/not-authorized", Fixture, NULL, fake_setup, test_not_authorized,
              fake_teardown);
  g_test_add ("/helper/no-polkit", Fixture, NULL, fake_setup, test_no_polkit, fake_teardown);
  g_test_add ("/helper/allowed", Fixture, NULL, fake_setup, test_allowed, fake_teardown);
  g_test_add ("/helper/hostile", Fixture, NULL, fake_setup, test_hostile, fake_teardown);
  g_test_add ("/helper/all-or-nothing", Fixture, NULL, fake_setup, test_all_or_nothing,
              fake_teardown);
  g_test_add ("/helper/sigterm-mid-set", Fixture, NULL, fake_setup, test_sigterm_mid_set,
              fake_teardown);
  g_test_add ("/helper/real", Real, NULL, real_setup, test_real, real_teardown);
  g_test_add ("/helper/non-root", Real, NULL, real_setup, test_non_root, real_teardown);
  return g_test_run ();
}
