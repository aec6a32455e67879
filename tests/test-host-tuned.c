/* test-host-tuned.c: KvmTune against the real tuned daemon, confined
 *
 * As root (see ../shared/TESTBEDS.md, "tuned, confined"): a dbus-daemon of
 * the test's own as the system bus (DBUS_SYSTEM_BUS_ADDRESS), and tuned in
 * a private mount namespace where /usr/lib/tuned and /etc/tuned are test
 * directories holding two harmless profiles, each a [script] that appends
 * start/stop to a marker file.  tuned-main.conf is the machine's with
 * reapply_sysctl and dynamic tuning off, so tuned touches nothing else.
 *
 * Both daemons die with the test (PR_SET_PDEATHSIG) and are killed in
 * teardown; the machine's /usr/lib/tuned and /etc/tuned are checked
 * unchanged at the end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kt-host-apply.h"
#include "kt-error.h"
#include "kt-tuned.h"

static char *skip_reason;
static char *tmp;
static GPid bus_pid;
static GPid tuned_pid;
static char *machine_lib_listing;
static char *machine_etc_listing;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
listing_of (const char *dir)
{
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("sh -c 'cd %s 2>/dev/null && find . -printf \"%%p %%s %%T@\\n\" | sort'", dir);

  if (!g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL))
    return g_strdup ("");
  return g_steal_pointer (&out);
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static void
write_profile (const char *name)
{
  g_autofree char *dir = g_build_filename (tmp, "lib", name, NULL);
  g_autofree char *conf = g_build_filename (dir, "tuned.conf", NULL);
  g_autofree char *script = g_build_filename (dir, "script.sh", NULL);
  g_autofree char *conf_text = g_strdup_printf ("[main]\nsummary=KvmTune test profile %s\n\n"
                                                "[script]\nscript=${i:PROFILE_DIR}/script.sh\n",
                                                name);
  g_autofree char *script_text = g_strdup_printf ("#!/bin/sh\necho \"$1\" >> %s/marker-%s\n",
                                                  tmp, name);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_set_contents (conf, conf_text, -1, NULL));
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_chmod (script, 0755);
}

static gboolean
tuned_answers (const char *profile)
{
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();

  kt_tuned_read (t);
  return t->tuned_state == KT_TUNED_RUNNING && g_strcmp0 (t->tuned_active, profile) == 0;
}

static void
stop_daemons (void)
{
  if (tuned_pid > 0)
    {
      kill (tuned_pid, SIGTERM);
      for (int i = 0; i < 100 && waitpid (tuned_pid, NULL, WNOHANG) == 0; i++)
        g_usleep (100000);
      kill (tuned_pid, SIGKILL);
      waitpid (tuned_pid, NULL, 0);
      tuned_pid = 0;
    }
  if (bus_pid > 0)
    {
      kill (bus_pid, SIGKILL);
      waitpid (bus_pid, NULL, 0);
      bus_pid = 0;
    }
}

static gboolean
start_tuned (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = g_build_filename (tmp, "tuned.log", NULL);
  g_autofree char *pid = g_build_filename (tmp, "tuned.pid", NULL);
  g_autofree char *inner = g_strdup_printf ("mount --bind %s/lib /usr/lib/tuned && "
                                            "mount --bind %s/etc /etc/tuned && "
                                            "exec tuned -l %s -P %s", tmp, tmp, log, pid);
  const char *argv[] = { "unshare", "-m", "sh", "-c", inner, NULL };

  /* Its log is in tuned.log; quiet on the test's TAP stream */
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                      | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      die_with_parent, NULL, &tuned_pid, &error))
    {
      g_printerr ("# cannot start tuned: %s\n", error->message);
      return FALSE;
    }
  /* tuned is Python: it takes seconds on a busy machine */
  for (int i = 0; i < 1200; i++)
    {
      if (tuned_answers ("kt-test-a"))
        return TRUE;
      if (waitpid (tuned_pid, NULL, WNOHANG) == tuned_pid)
        {
          g_autofree char *text = read_text (log);

          g_printerr ("# tuned exited:\n%s\n", text);
          tuned_pid = 0;
          return FALSE;
        }
      g_usleep (100000);
    }
  g_printerr ("# tuned did not come up on the private bus\n");
  return FALSE;
}

static gboolean
start_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = g_build_filename (tmp, "bus.conf", NULL);
  g_autofree char *sock = g_build_filename (tmp, "bus.sock", NULL);
  g_autofree char *conf_text = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow own=\"*\"/>\n"
    "    <allow send_destination=\"*\"/>\n"
    "    <allow receive_sender=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", sock);
  g_autofree char *config_arg = g_strconcat ("--config-file=", conf, NULL);
  g_autofree char *address = g_strconcat ("unix:path=", sock, NULL);
  const char *argv[] = { "dbus-daemon", config_arg, "--nofork", NULL };

  g_assert_true (g_file_set_contents (conf, conf_text, -1, NULL));
  /* Run in the foreground (not --fork as in TESTBEDS.md) so that it dies
   * with the test */
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                      die_with_parent, NULL, &bus_pid, &error))
    {
      g_printerr ("# cannot start dbus-daemon: %s\n", error->message);
      return FALSE;
    }
  for (int i = 0; i < 100 && !g_file_test (sock, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  return g_file_test (sock, G_FILE_TEST_EXISTS);
}

static void
setup_all (void)
{
  g_autofree char *etc = NULL;
  g_autofree char *main_conf = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GRegex) re = NULL;
  g_autofree char *fixed = NULL;

  tmp = g_dir_make_tmp ("kt-tuned-XXXXXX", NULL);
  g_chmod (tmp, 0755);
  {
    g_autofree char *state = g_build_filename (tmp, "state", NULL);

    g_setenv ("XDG_STATE_HOME", state, TRUE);
  }
  write_profile ("kt-test-a");
  write_profile ("kt-test-b");
  etc = g_build_filename (tmp, "etc", NULL);
  g_mkdir_with_parents (etc, 0755);
  main_conf = g_build_filename (etc, "tuned-main.conf", NULL);
  text = read_text ("/etc/tuned/tuned-main.conf");
  /* Nothing but the test profiles' scripts: no sysctl reapplied, no
   * dynamic tuning */
  re = g_regex_new ("^(reapply_sysctl|dynamic_tuning)\\s*=.*$", G_REGEX_MULTILINE, 0, NULL);
  fixed = g_regex_replace_literal (re, text, -1, 0, "", 0, NULL);
  {
    g_autofree char *full = g_strconcat (fixed, "\nreapply_sysctl = 0\ndynamic_tuning = 0\n", NULL);

    g_assert_true (g_file_set_contents (main_conf, full, -1, NULL));
  }
  {
    g_autofree char *ap = g_build_filename (etc, "active_profile", NULL);
    g_autofree char *pm = g_build_filename (etc, "profile_mode", NULL);

    g_assert_true (g_file_set_contents (ap, "kt-test-a\n", -1, NULL));
    g_assert_true (g_file_set_contents (pm, "manual\n", -1, NULL));
  }
  machine_lib_listing = listing_of ("/usr/lib/tuned");
  machine_etc_listing = listing_of ("/etc/tuned");
  if (!start_bus ())
    skip_reason = g_strdup ("dbus-daemon did not start");
  else if (!start_tuned ())
    skip_reason = g_strdup ("tuned did not start on the private bus (see above)");
}

static void
teardown_all (void)
{
  stop_daemons ();
  if (tmp != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);

      if (system (cmd) != 0)
        g_printerr ("# could not remove %s\n", tmp);
      g_clear_pointer (&tmp, g_free);
    }
}

/* tuned applies a profile in its own thread after answering: wait for
 * the script's word */
static char *
marker (const char *name,
        const char *word)
{
  g_autofree char *path = g_strdup_printf ("%s/marker-%s", tmp, name);

  for (int i = 0; i < 600; i++)
    {
      g_autofree char *text = read_text (path);

      if (strstr (text, word) != NULL)
        return g_steal_pointer (&text);
      g_usleep (50000);
    }
  return read_text (path);
}

/* Independent of the core: tuned's active_profile through GDBus here */
static char *
active_profile (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  char *s = NULL;

  if (bus == NULL)
    return NULL;
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  reply = g_dbus_connection_call_sync (bus, "com.redhat.tuned", "/Tuned", "com.redhat.tuned.control",
                                       "active_profile", NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  if (reply)
    g_variant_get (reply, "(s)", &s);
  return s;
}

/* The CLI reads through an embed root: it needs libvirt's QEMU user */
static gboolean
cli_usable (void)
{
  return g_getenv ("KT_CLI") != NULL && getpwnam ("libvirt-qemu") != NULL
         && g_file_test ("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE);
}

/* `kvmtune-cli host` on this machine (an embed root of its own), with
 * the private bus in its environment */
static char *cli_root;

static char *
cli_host (const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  if (cli_root == NULL)
    {
      cli_root = g_build_filename (tmp, "embed", NULL);
      g_mkdir_with_parents (cli_root, 0755);
      {
        g_autofree char *etc = g_build_filename (cli_root, "etc", NULL);
        g_autofree char *conf = g_build_filename (etc, "qemu.conf", NULL);

        g_mkdir_with_parents (etc, 0755);
        g_assert_true (g_file_set_contents (conf, "user = \"root\"\ngroup = \"root\"\n"
                                            "stdio_handler = \"file\"\n", -1, NULL));
      }
    }
  uri = g_strdup_printf ("qemu:///embed?root=%s", cli_root);
  {
    const char *argv[] = { g_getenv ("KT_CLI"), "--connect", uri, "host", extra, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, &out, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static gboolean
check_skip (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return TRUE;
    }
  return FALSE;
}

static void
test_read (void)
{
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();
  g_autofree char *a = NULL;
  gboolean seen_a = FALSE, seen_b = FALSE;

  if (check_skip ())
    return;
  kt_tuned_read (t);
  g_assert_cmpint (t->tuned_state, ==, KT_TUNED_RUNNING);
  g_assert_cmpstr (t->tuned_active, ==, "kt-test-a");
  g_assert_nonnull (t->tuned_recommended);
  /* Only the test profiles: the machine's are hidden from this tuned */
  g_assert_cmpuint (t->tuned_profiles->len, ==, 2);
  for (guint i = 0; i < t->tuned_profiles->len; i++)
    {
      const KtTunedProfile *p = g_ptr_array_index (t->tuned_profiles, i);

      if (g_str_equal (p->name, "kt-test-a"))
        {
          seen_a = TRUE;
          g_assert_cmpstr (p->summary, ==, "KvmTune test profile kt-test-a");
        }
      seen_b |= g_str_equal (p->name, "kt-test-b");
    }
  g_assert_true (seen_a && seen_b);
  a = marker ("kt-test-a", "start");
  g_assert_true (strstr (a, "start") != NULL);

  /* and the CLI says so */
  if (cli_usable ())
    {
      g_autofree char *out = cli_host (NULL);

      g_assert_true (strstr (out, "tuned: running, profile kt-test-a") != NULL);
    }
}

static void
test_switch_and_revert (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = kt_host_control_new (NULL, NULL);
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autofree char *active = NULL;
  g_autofree char *b = NULL;
  g_autofree char *a = NULL;
  KtHostTarget *t = g_new0 (KtHostTarget, 1);
  const KtHostChange *c;

  if (check_skip ())
    {
      kt_host_target_free (t);
      return;
    }
  t->key = g_strdup ("tuned.profile");
  t->value = g_strdup ("kt-test-b");
  g_ptr_array_add (targets, t);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  if (plan == NULL)
    return;
  g_assert_cmpuint (plan->changes->len, ==, 1);
  c = g_ptr_array_index (plan->changes, 0);
  g_assert_cmpstr (c->old_value, ==, "kt-test-a");
  g_assert_cmpstr (c->mechanism_text, ==, "tuned D-Bus switch_profile");

  g_assert_true (kt_host_control_apply (control, plan, &error));
  g_assert_no_error (error);
  active = active_profile ();
  g_assert_cmpstr (active, ==, "kt-test-b");
  b = marker ("kt-test-b", "start");
  a = marker ("kt-test-a", "stop");
  g_assert_true (strstr (b, "start") != NULL);
  g_assert_true (strstr (a, "stop") != NULL);

  g_assert_true (kt_host_control_revert (control, &error));
  g_assert_no_error (error);
  g_clear_pointer (&active, g_free);
  active = active_profile ();
  g_assert_cmpstr (active, ==, "kt-test-a");
}

static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();
  g_autofree char *active = NULL;

  if (check_skip ())
    return;
  /* tuned's own answer (false, message) becomes the error */
  g_assert_false (kt_tuned_switch_profile ("kt-test-nonexistent", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  if (error)
    g_assert_true (strstr (error->message, "kt-test-nonexistent") != NULL);
  active = active_profile ();
  g_assert_cmpstr (active, ==, "kt-test-a");
  /* and the plan refuses a profile tuned does not offer */
  g_clear_error (&error);
  kt_tuned_read (t);
  g_assert_false (kt_host_tuning_check_value (t, "tuned.profile", "kt-test-nonexistent", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
}

static void
test_stopped (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();
  g_autoptr(KtHostControl) control = kt_host_control_new (NULL, NULL);
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *tuned;

  if (check_skip ())
    return;
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  g_assert_nonnull (bus);
  if (bus == NULL)
    return;
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  reply = g_dbus_connection_call_sync (bus, "com.redhat.tuned", "/Tuned", "com.redhat.tuned.control",
                                       "stop", NULL, G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, NULL);
  g_assert_nonnull (reply);
  kt_tuned_read (t);
  g_assert_cmpint (t->tuned_state, ==, KT_TUNED_STOPPED);
  json = kt_host_tuning_to_json (t);
  tuned = json_object_get_object_member (json_node_get_object (json), "tuned");
  g_assert_false (json_object_get_boolean_member (tuned, "running"));
  g_assert_false (kt_host_control_can_change (control, t, "tuned.profile", &reason));
  g_assert_true (strstr (reason, "not running") != NULL);
  if (cli_usable ())
    {
      g_autofree char *out = cli_host (NULL);
      g_autofree char *json_out = cli_host ("--json");

      g_assert_true (strstr (out, "tuned: not running") != NULL);
      g_assert_true (strstr (json_out, "\"running\" : false") != NULL);
    }

  /* Gone from the bus: missing, still a state */
  stop_daemons ();
  if (bus_pid == 0)
    {
      g_autoptr(KtHostTuning) gone = kt_host_tuning_new ();

      kt_tuned_read (gone);
      g_assert_cmpint (gone->tuned_state, ==, KT_TUNED_MISSING);
    }
}

static void
test_machine_untouched (void)
{
  g_autofree char *lib = NULL;
  g_autofree char *etc = NULL;

  if (check_skip ())
    return;
  lib = listing_of ("/usr/lib/tuned");
  etc = listing_of ("/etc/tuned");
  g_assert_cmpstr (lib, ==, machine_lib_listing);
  g_assert_cmpstr (etc, ==, machine_etc_listing);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  if (geteuid () != 0)
    skip_reason = g_strdup ("not root");
  else if (!have_program ("tuned"))
    skip_reason = g_strdup ("no tuned (apt-get install tuned)");
  else if (!have_program ("dbus-daemon"))
    skip_reason = g_strdup ("no dbus-daemon");
  else if (!g_file_test ("/etc/tuned/tuned-main.conf", G_FILE_TEST_EXISTS))
    skip_reason = g_strdup ("no /etc/tuned/tuned-main.conf");
  if (skip_reason == NULL)
    {
      atexit (teardown_all);
      setup_all ();
    }
  if (skip_reason != NULL)
    g_printerr ("#\n# test-host-tuned: SKIPPING every case: %s\n#\n", skip_reason);

  g_test_add_func ("/host-tuned/read", test_read);
  g_test_add_func ("/host-tuned/switch-and-revert", test_switch_and_revert);
  g_test_add_func ("/host-tuned/refused", test_refused);
  g_test_add_func ("/host-tuned/stopped", test_stopped);
  g_test_add_func ("/host-tuned/machine-untouched", test_machine_untouched);

  ret = g_test_run ();
  teardown_all ();
  g_free (skip_reason);
  g_free (machine_lib_listing);
  g_free (machine_etc_listing);
  return ret;
}
