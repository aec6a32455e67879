/* kt-test-embed.c: a private libvirt embed root for the real-QEMU tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* nftw (), pipe2 () */

#include "config.h"

#include "kt-test-embed.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

double
kt_test_embed_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

char *
kt_test_embed_missing (void)
{
  if (geteuid () != 0)
    return g_strdup ("not running as root (the embedded QEMU driver runs QEMU as root here)");
  if (getpwnam ("libvirt-qemu") == NULL)
    return g_strdup ("no system user 'libvirt-qemu' (libvirt's QEMU driver refuses to start "
                     "without it; .ci/setup creates it)");
  if (!g_file_test (KT_TEST_EMBED_QEMU, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("no " KT_TEST_EMBED_QEMU " (install qemu-system-x86; .ci/setup does)");
  return NULL;
}

/* Cleanup, in plain libc for the reaper ------------------------------------ */

static int
kill_qemus_matching (const char *root,
                     const char *needle)
{
  DIR *proc = opendir ("/proc");
  struct dirent *de;
  int n = 0;

  if (proc == NULL)
    return 0;
  while ((de = readdir (proc)) != NULL)
    {
      char path[300], buf[16384];
      ssize_t len;
      int fd;

      if (de->d_name[0] < '0' || de->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/cmdline", de->d_name);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      len = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (len <= 0)
        continue;
      for (ssize_t i = 0; i < len; i++)
        if (buf[i] == '\0')
          buf[i] = ' ';
      buf[len] = '\0';
      if (strstr (buf, needle) != NULL && strstr (buf, root) != NULL
          && kill ((pid_t) atoi (de->d_name), SIGKILL) == 0)
        n++;
    }
  closedir (proc);
  return n;
}

int
kt_test_embed_kill_qemus (const char *root,
                          const char *guest_prefix)
{
  g_autofree char *needle = g_strconcat ("guest=", guest_prefix, NULL);

  return kill_qemus_matching (root, needle);
}

static int
rm_one (const char        *path,
        const struct stat *st,
        int                flag,
        struct FTW        *ftw)
{
  remove (path);
  return 0;
}

static void
remove_tree (const char *root)
{
  nftw (root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The reaper sits in its own session (a timeout kills the test's process
 * group), reading a pipe whose other end only this process holds, and
 * cleans up @root once that reads end of file */
void
kt_test_embed_start_reaper (const char *root,
                            const char *guest_prefix,
                            const char *prog)
{
  char *needle = g_strconcat ("guest=", guest_prefix, NULL);   /* before the fork */
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      g_printerr ("# %s: no reaper: %s\n", prog, g_strerror (errno));
      g_free (needle);
      return;
    }
  pid = fork ();
  if (pid < 0)
    {
      g_printerr ("# %s: no reaper: %s\n", prog, g_strerror (errno));
      close (fds[0]);
      close (fds[1]);
      g_free (needle);
      return;
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      char c;

      setsid ();
      signal (SIGINT, SIG_IGN);
      signal (SIGTERM, SIG_IGN);
      signal (SIGHUP, SIG_IGN);
      dup2 (null, STDIN_FILENO);
      dup2 (null, STDOUT_FILENO);
      dup2 (null, STDERR_FILENO);
      close (fds[1]);
      while (read (fds[0], &c, 1) != 0 && errno == EINTR)
        ;
      if (kill_qemus_matching (root, needle) > 0)
        usleep (300 * 1000);
      remove_tree (root);
      _exit (0);
    }
  close (fds[0]);
  g_free (needle);
  /* fds[1] stays open, unused, as long as this process lives */
}

void
kt_test_embed_remove_root (const char *root,
                           const char *guest_prefix,
                           const char *prog)
{
  int n_left = kt_test_embed_kill_qemus (root, guest_prefix);

  if (n_left > 0)
    {
      g_printerr ("# %s: %d QEMU processes survived teardown; killed them\n", prog, n_left);
      g_usleep (300 * 1000);
    }
  remove_tree (root);
}

/* The root ------------------------------------------------------------------ */

char *
kt_test_embed_make_root (const char  *tmpl,
                         GError     **error)
{
  g_autofree char *root = g_dir_make_tmp (tmpl, error);
  g_autofree char *etc = NULL;
  g_autofree char *conf = NULL;

  if (root == NULL)
    return NULL;
  etc = g_build_filename (root, "etc", NULL);
  conf = g_build_filename (etc, "qemu.conf", NULL);
  /* root: QEMU must read the root; file: there is no virtlogd */
  if (g_mkdir_with_parents (etc, 0755) < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot make %s: %s",
                   etc, g_strerror (saved));
      remove_tree (root);
      return NULL;
    }
  if (!g_file_set_contents (conf, "user = \"root\"\n"
                                  "group = \"root\"\n"
                                  "stdio_handler = \"file\"\n", -1, error))
    {
      g_prefix_error (error, "Cannot write %s: ", conf);
      remove_tree (root);
      return NULL;
    }
  return g_steal_pointer (&root);
}

char *
kt_test_embed_uri (const char *root)
{
  return g_strdup_printf ("qemu:///embed?root=%s", root);
}

/* Guests -------------------------------------------------------------------- */

char *
kt_test_embed_last_error (void)
{
  const char *msg = virGetLastErrorMessage ();
  char *ret = g_strdup (msg ? msg : "(no libvirt error)");

  virResetLastError ();
  return ret;
}

char *
kt_test_embed_domain_xml (const char *name,
                          guint       vcpus,
                          guint       iothreads)
{
  g_autofree char *io = iothreads ? g_strdup_printf ("  <iothreads>%u</iothreads>\n", iothreads)
                                  : g_strdup ("");

  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <vcpu>%u</vcpu>\n"
                          "%s"
                          "  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\n"
                          "  <devices><emulator>" KT_TEST_EMBED_QEMU "</emulator></devices>\n"
                          "</domain>\n", name, vcpus, io);
}

char *
kt_test_embed_qemu_log (const char *root,
                        const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/log/qemu/%s.log", root, name);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup_printf ("(no %s)", path);
  return text;
}

pid_t
kt_test_embed_qemu_pid (const char *root,
                        const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/run/qemu/%s.pid", root, name);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

gboolean
kt_test_embed_start (KtTestEmbed  *embed,
                     virDomainPtr  dom)
{
  const char *name = virDomainGetName (dom);
  double t0 = kt_test_embed_now ();

  if (virDomainCreate (dom) < 0)
    {
      g_autofree char *err = kt_test_embed_last_error ();
      g_autofree char *log = kt_test_embed_qemu_log (embed->root, name);

      g_test_fail_printf ("Cannot start %s: %s\nQEMU log:\n%s", name, err, log);
      return FALSE;
    }
  g_test_message ("started %s (pid %d) in %.2f s", name,
                  (int) kt_test_embed_qemu_pid (embed->root, name), kt_test_embed_now () - t0);
  return TRUE;
}

virDomainPtr
kt_test_embed_create (KtTestEmbed *embed,
                      const char  *name,
                      const char  *xml)
{
  virDomainPtr dom = virDomainCreateXML (kt_connection_get_handle (embed->conn), xml, 0);

  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();
      g_autofree char *log = kt_test_embed_qemu_log (embed->root, name);

      g_test_fail_printf ("Cannot start %s: %s\nQEMU log:\n%s", name, err, log);
      return NULL;
    }
  g_test_message ("started %s (pid %d)", name, (int) kt_test_embed_qemu_pid (embed->root, name));
  return dom;
}

char *
kt_test_embed_thread_allowed (pid_t       pid,
                              const char *comm)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *tid;

  if (dir == NULL)
    return NULL;
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename (task_dir, tid, "comm", NULL);
      g_autofree char *status_path = g_build_filename (task_dir, tid, "status", NULL);
      g_autofree char *name = NULL;
      g_autofree char *status = NULL;
      const char *line, *end;

      if (!g_file_get_contents (comm_path, &name, NULL, NULL))
        continue;
      g_strchomp (name);
      if (!g_str_equal (name, comm)
          || !g_file_get_contents (status_path, &status, NULL, NULL))
        continue;
      line = strstr (status, "\nCpus_allowed_list:");
      if (line == NULL)
        return NULL;
      line += strlen ("\nCpus_allowed_list:");
      end = strchr (line, '\n');
      return g_strndup (line, end ? (gsize) (end - line) : strlen (line));
    }
  return NULL;
}

/* The shared environment ----------------------------------------------------- */

int
kt_test_embed_destroy_all (virConnectPtr conn,
                           const char   *prog)
{
  virDomainPtr *doms = NULL;
  int n, failures = 0;

  n = virConnectListAllDomains (conn, &doms, 0);
  for (int i = 0; i < n; i++)
    {
      const char *name = virDomainGetName (doms[i]);

      if (virDomainIsActive (doms[i]) == 1 && virDomainDestroy (doms[i]) < 0)
        {
          g_autofree char *err = kt_test_embed_last_error ();

          if (virDomainIsActive (doms[i]) != 0)
            {
              g_printerr ("# %s: cannot destroy %s: %s\n", prog, name, err);
              failures++;
            }
        }
      virResetLastError ();
      if (virDomainIsPersistent (doms[i]) == 1 && virDomainUndefine (doms[i]) < 0)
        {
          g_autofree char *err = kt_test_embed_last_error ();

          g_printerr ("# %s: cannot undefine %s: %s\n", prog, name, err);
          failures++;
        }
      virDomainFree (doms[i]);
    }
  free (doms);
  virResetLastError ();
  return failures;
}

/* @env as a case sees it */
static void
fill_view (KtTestEmbed    *embed,
           KtTestEmbedEnv *env)
{
  embed->env = env;
  embed->prog = env->prog;
  embed->guest_prefix = env->guest_prefix;
  embed->root = env->root;
  embed->uri = env->uri;
  embed->conn = env->conn;
}

gboolean
kt_test_embed_ensure (KtTestEmbedEnv *env)
{
  g_autoptr(GError) error = NULL;
  KtTestEmbed view = { NULL, };
  double t0;

  if (env->skip_reason != NULL)
    {
      g_test_skip (env->skip_reason);
      return FALSE;
    }
  if (env->setup_tried)
    {
      if (!env->setup_ok)
        g_test_fail_printf ("the shared libvirt environment could not be set up (see above)");
      return env->setup_ok;
    }
  env->setup_tried = TRUE;

  env->root = kt_test_embed_make_root (env->root_template, &error);
  if (env->root == NULL)
    {
      g_test_fail_printf ("Cannot make the embed root: %s", error->message);
      return FALSE;
    }
  if (env->qemu_conf_extra != NULL)
    {
      g_autofree char *conf = g_build_filename (env->root, "etc", "qemu.conf", NULL);
      g_autofree char *text = NULL;
      g_autofree char *joined = NULL;

      if (!g_file_get_contents (conf, &text, NULL, &error)
          || !g_file_set_contents (conf, (joined = g_strconcat (text, env->qemu_conf_extra,
                                                                NULL)), -1, &error))
        {
          g_test_fail_printf ("Cannot extend %s: %s", conf, error->message);
          return FALSE;
        }
    }
  env->uri = kt_test_embed_uri (env->root);
  /* before libvirt starts any thread */
  kt_test_embed_start_reaper (env->root, env->guest_prefix, env->prog);

  if (env->events_thread)
    kt_connection_init_events (TRUE);
  t0 = kt_test_embed_now ();
  env->conn = kt_connection_open (env->uri, FALSE, &error);
  if (env->conn == NULL)
    {
      g_test_fail_printf ("Cannot open %s: %s", env->uri, error->message);
      return FALSE;
    }
  g_test_message ("opened %s in %.2f s", env->uri, kt_test_embed_now () - t0);

  fill_view (&view, env);
  if (env->setup != NULL && !env->setup (&view))
    return FALSE;
  env->setup_ok = TRUE;
  return TRUE;
}

/* The g_test_add () fixture ------------------------------------------------------ */

static KtTestEmbedEnv *the_env;

void
kt_test_embed_use (KtTestEmbedEnv *env)
{
  the_env = env;
}

void
kt_test_embed_setup (KtTestEmbed   *embed,
                     gconstpointer  data)
{
  g_assert_nonnull (the_env);   /* kt_test_embed_use () in main() */
  embed->ready = kt_test_embed_ensure (the_env);
  fill_view (embed, the_env);
}

void
kt_test_embed_teardown (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  /* Not before libvirt is used: its error state is not set up then */
  if (embed->env != NULL && embed->env->setup_tried)
    virResetLastError ();
  memset (embed, 0, sizeof *embed);
}

KtSnapshot *
kt_test_embed_capture (KtTestEmbed *embed)
{
  g_autoptr(GError) error = NULL;
  KtSnapshot *snapshot = kt_connection_capture (embed->conn, &error);

  g_assert_no_error (error);
  return snapshot;
}

virDomainPtr
kt_test_embed_lookup (KtTestEmbed *embed,
                      const char  *name)
{
  virDomainPtr dom = virDomainLookupByName (kt_connection_get_handle (embed->conn), name);

  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot look up %s: %s", name, err);
    }
  return dom;
}

void
kt_test_embed_finish (KtTestEmbedEnv *env)
{
  if (env->torn_down || !env->setup_tried)
    return;
  env->torn_down = TRUE;

  if (env->conn != NULL)
    kt_test_embed_destroy_all (kt_connection_get_handle (env->conn), env->prog);
  virResetLastError ();
  g_clear_object (&env->conn);

  /* Belt and braces: nothing we started may outlive us */
  if (env->root != NULL)
    kt_test_embed_remove_root (env->root, env->guest_prefix, env->prog);

  g_clear_pointer (&env->root, g_free);
  g_clear_pointer (&env->uri, g_free);
}
