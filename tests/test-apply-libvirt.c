/* test-apply-libvirt.c: KtApply against real libvirt and QEMU
 *
 * Uses libvirt's embedded QEMU driver (qemu:///embed?root=DIR) in this
 * process, with a private root in a fresh temporary directory, and a tiny
 * TCG guest (64 MiB, 2 vCPUs, 1 IOThread, no disk: it sits in the PXE ROM).
 *
 * libvirt allows one embed root per process and its first define on a
 * fresh root probes QEMU for seconds, so every case shares one lazily set
 * up environment:
 *
 *   kt-apply-G  persistent, running, 2 vCPUs, 1 IOThread
 *
 * The cases change G one after the other; each captures afresh and reads
 * the state it starts from, so that a failing case does not cascade.
 *
 * Guests outlive this process, so teardown destroys and undefines every
 * domain of the root (all of them are ours), closes the connection and
 * removes the root; it runs at the end of main() and from atexit(), and
 * assertions are non-fatal so that a failing case still reaches it.  For
 * the rest (a crash, a timeout's SIGTERM or SIGKILL) a reaper process,
 * forked before libvirt starts, waits for this one to end, however it
 * ends, then SIGKILLs any QEMU left under the root and removes the root.
 *
 * Needs root, the 'libvirt-qemu' user and /usr/bin/qemu-system-x86_64
 * (.ci/setup provides all three); without them every case is skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* nftw () */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>

#include "kt-apply.h"
#include "kt-connection.h"
#include "kt-error.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"

#define QEMU_BINARY   "/usr/bin/qemu-system-x86_64"
#define GUEST_PREFIX  "kt-apply-"
#define GUEST_G       GUEST_PREFIX "G"
#define GUEST_V       GUEST_PREFIX "V"
#define GUEST_T       GUEST_PREFIX "T"
#define HUGEPAGES_2M  "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

static struct
{
  char         *skip_reason;
  gboolean      setup_tried;
  gboolean      setup_ok;
  char         *root;
  char         *uri;
  KtConnection *conn;
  gboolean      torn_down;
} env;

/* Fails the current case and leaves it, for what later lines depend on */
#define require(cond, ...) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_test_fail_printf (__VA_ARGS__); \
        return; \
      } \
  } G_STMT_END

/* Helpers ------------------------------------------------------------------ */

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static char *
domain_xml (const char *name,
            guint       iothreads)
{
  g_autofree char *io = iothreads ? g_strdup_printf ("  <iothreads>%u</iothreads>\n", iothreads)
                                  : g_strdup ("");

  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <vcpu>2</vcpu>\n"
                          "%s"
                          "  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\n"
                          "  <devices><emulator>" QEMU_BINARY "</emulator></devices>\n"
                          "</domain>\n", name, io);
}

static char *
last_libvirt_error (void)
{
  const char *msg = virGetLastErrorMessage ();
  char *ret = g_strdup (msg ? msg : "(no libvirt error)");

  virResetLastError ();
  return ret;
}

/* What QEMU wrote about @name, to explain a start that failed */
static char *
qemu_log (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/log/qemu/%s.log", env.root, name);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup_printf ("(no %s)", path);
  return text;
}

static pid_t
qemu_pid (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/run/qemu/%s.pid", env.root, name);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

/* SIGKILLs every QEMU of one of our guests whose command line names @root;
 * plain libc only, for the reaper.  Returns how many. */
static int
kill_qemus_of (const char *root)
{
  static const char needle[] = "guest=" GUEST_PREFIX;
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

/* Forks the reaper: it sits in its own session (a timeout kills the test's
 * process group), reading a pipe whose other end only this process holds,
 * and cleans up @root once that reads end of file */
static void
start_reaper (const char *root)
{
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      g_printerr ("# test-apply-libvirt: no reaper: %s\n", g_strerror (errno));
      return;
    }
  pid = fork ();
  if (pid < 0)
    {
      g_printerr ("# test-apply-libvirt: no reaper: %s\n", g_strerror (errno));
      close (fds[0]);
      close (fds[1]);
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
      if (kill_qemus_of (root) > 0)
        usleep (300 * 1000);
      remove_tree (root);
      _exit (0);
    }
  close (fds[0]);
  /* fds[1] stays open, unused, as long as this process lives */
}

static void
teardown (void)
{
  virConnectPtr c;
  virDomainPtr *doms = NULL;
  int n;

  if (env.torn_down || !env.setup_tried)
    return;
  env.torn_down = TRUE;

  c = env.conn ? kt_connection_get_handle (env.conn) : NULL;
  n = c ? virConnectListAllDomains (c, &doms, 0) : -1;
  for (int i = 0; i < n; i++)
    {
      const char *name = virDomainGetName (doms[i]);

      if (virDomainIsActive (doms[i]) == 1 && virDomainDestroy (doms[i]) < 0)
        {
          g_autofree char *err = last_libvirt_error ();

          g_printerr ("# test-apply-libvirt: cannot destroy %s: %s\n", name, err);
        }
      if (virDomainIsPersistent (doms[i]) == 1 && virDomainUndefine (doms[i]) < 0)
        {
          g_autofree char *err = last_libvirt_error ();

          g_printerr ("# test-apply-libvirt: cannot undefine %s: %s\n", name, err);
        }
      virDomainFree (doms[i]);
    }
  free (doms);
  virResetLastError ();
  g_clear_object (&env.conn);

  /* Belt and braces: nothing we started may outlive us */
  if (env.root != NULL)
    {
      int n_left = kill_qemus_of (env.root);

      if (n_left > 0)
        {
          g_printerr ("# test-apply-libvirt: %d QEMU processes survived teardown; killed them\n",
                      n_left);
          g_usleep (300 * 1000);
        }
      remove_tree (env.root);
    }

  g_clear_pointer (&env.root, g_free);
  g_clear_pointer (&env.uri, g_free);
}

/* Sets up the shared environment once; FALSE (test already marked
 * skipped or failed) when it is not there */
static gboolean
ensure_env (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etc = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr dom;
  double t0;

  if (env.skip_reason != NULL)
    {
      g_test_skip (env.skip_reason);
      return FALSE;
    }
  if (env.setup_tried)
    {
      if (!env.setup_ok)
        g_test_fail_printf ("the shared libvirt environment could not be set up (see above)");
      return env.setup_ok;
    }
  env.setup_tried = TRUE;

  env.root = g_dir_make_tmp ("kt-apply-libvirt-XXXXXX", &error);
  if (env.root == NULL)
    {
      g_test_fail_printf ("Cannot make the embed root: %s", error->message);
      return FALSE;
    }
  etc = g_build_filename (env.root, "etc", NULL);
  conf = g_build_filename (etc, "qemu.conf", NULL);
  /* root: QEMU must read the root; file: there is no virtlogd */
  if (g_mkdir_with_parents (etc, 0755) < 0
      || !g_file_set_contents (conf, "user = \"root\"\n"
                                     "group = \"root\"\n"
                                     "stdio_handler = \"file\"\n", -1, &error))
    {
      g_test_fail_printf ("Cannot write %s: %s", conf, error ? error->message : g_strerror (errno));
      return FALSE;
    }
  env.uri = g_strdup_printf ("qemu:///embed?root=%s", env.root);
  start_reaper (env.root);    /* before libvirt starts any thread */

  kt_connection_init_events (TRUE);
  t0 = now_s ();
  env.conn = kt_connection_open (env.uri, FALSE, &error);
  if (env.conn == NULL)
    {
      g_test_fail_printf ("Cannot open %s: %s", env.uri, error->message);
      return FALSE;
    }
  g_test_message ("opened %s in %.2f s", env.uri, now_s () - t0);

  xml = domain_xml (GUEST_G, 1);
  t0 = now_s ();
  dom = virDomainDefineXML (kt_connection_get_handle (env.conn), xml);
  if (dom == NULL)
    {
      g_autofree char *err = last_libvirt_error ();

      g_test_fail_printf ("Cannot define %s: %s", GUEST_G, err);
      return FALSE;
    }
  g_test_message ("defined %s in %.2f s", GUEST_G, now_s () - t0);
  t0 = now_s ();
  if (virDomainCreate (dom) < 0)
    {
      g_autofree char *err = last_libvirt_error ();
      g_autofree char *log = qemu_log (GUEST_G);

      virDomainFree (dom);
      g_test_fail_printf ("Cannot start %s: %s\nQEMU log:\n%s", GUEST_G, err, log);
      return FALSE;
    }
  g_test_message ("started %s (pid %d) in %.2f s", GUEST_G, (int) qemu_pid (GUEST_G),
                  now_s () - t0);
  virDomainFree (dom);

  env.setup_ok = TRUE;
  return TRUE;
}

static KtSnapshot *
capture (void)
{
  g_autoptr(GError) error = NULL;
  KtSnapshot *snapshot = kt_connection_capture (env.conn, &error);

  g_assert_no_error (error);
  return snapshot;
}

static virDomainPtr
lookup (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (kt_connection_get_handle (env.conn), name);

  if (dom == NULL)
    {
      g_autofree char *err = last_libvirt_error ();

      g_test_fail_printf ("Cannot look up %s: %s", name, err);
    }
  return dom;
}

/* The XML libvirt has for @name now: inactive or live */
static char *
libvirt_xml (const char *name,
             gboolean    inactive)
{
  virDomainPtr dom = lookup (name);
  char *xml, *ret;

  if (dom == NULL)
    return g_strdup ("(no domain)");
  xml = virDomainGetXMLDesc (dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  virDomainFree (dom);
  if (xml == NULL)
    {
      g_autofree char *err = last_libvirt_error ();

      return g_strdup_printf ("(no XML: %s)", err);
    }
  ret = g_strdup (xml);
  free (xml);
  return ret;
}

/* Pins @vcpu of @name to the single host CPU @cpu with @flags, as virsh
 * would: a change made behind KvmTune's back */
static gboolean
pin_behind_our_back (const char *name,
                     guint       vcpu,
                     guint       cpu,
                     guint       flags)
{
  virDomainPtr dom = lookup (name);
  int maplen = VIR_CPU_MAPLEN (MAX (sysconf (_SC_NPROCESSORS_CONF), 1));
  g_autofree unsigned char *map = g_new0 (unsigned char, maplen);
  int r;

  if (dom == NULL)
    return FALSE;
  VIR_USE_CPU (map, cpu);
  r = virDomainPinVcpuFlags (dom, vcpu, map, maplen, flags);
  virDomainFree (dom);
  if (r < 0)
    {
      g_autofree char *err = last_libvirt_error ();

      g_test_fail_printf ("Cannot pin vCPU %u of %s: %s", vcpu, name, err);
      return FALSE;
    }
  return TRUE;
}

/* Cpus_allowed_list of the thread of @pid named @comm (with the leading
 * tab), or NULL */
static char *
thread_cpus_allowed (pid_t       pid,
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

/* The affinity of vCPU @vcpu's thread of GUEST_G */
static char *
vcpu_allowed (guint vcpu)
{
  g_autofree char *comm = g_strdup_printf ("CPU %u/TCG", vcpu);
  pid_t pid = qemu_pid (GUEST_G);
  char *allowed = pid > 0 ? thread_cpus_allowed (pid, comm) : NULL;

  if (allowed == NULL)
    g_test_fail_printf ("no thread '%s' of %s (pid %d)", comm, GUEST_G, (int) pid);
  return allowed;
}

static KtCpuset *
set_of (const char *text)
{
  return kt_test_parse_set (text);
}

static void
check_valid (const char *xml)
{
  g_autofree char *message = NULL;

  if (!kt_test_validate_xml (xml, -1, "domain.rng", &message))
    g_test_fail_printf ("The inactive XML does not validate against domain.rng: %s\n%s",
                        message, xml);
}

/* 1. live pin ------------------------------------------------------------------ */

static void
test_live_pin (void)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  inactive_before = libvirt_xml (GUEST_G, TRUE);
  allowed0_before = vcpu_allowed (0);
  snapshot = capture ();
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);

  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_is_empty (apply));
  g_assert_cmpstr (kt_apply_get_diff (apply), ==, "");
  calls = kt_apply_get_calls (apply);
  g_assert_cmpuint (calls->len, ==, 1);
  if (calls->len == 1)
    {
      g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainPinVcpuFlags"));
      g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "vCPU 1"));
    }

  g_assert_true (kt_apply_run (apply, env.conn, &error));
  g_assert_no_error (error);

  /* The kernel agrees; vCPU 0 and the config are left alone */
  allowed1 = vcpu_allowed (1);
  allowed0 = vcpu_allowed (0);
  g_assert_cmpstr (allowed1, ==, "\t0");
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  inactive_after = libvirt_xml (GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);

  /* And so does a fresh capture */
  {
    g_autoptr(KtSnapshot) again = capture ();
    KtVm *vm2 = again ? kt_snapshot_lookup_vm (again, GUEST_G) : NULL;
    g_autoptr(KtTuning) t = NULL;
    g_autofree char *pin = NULL;

    require (vm2 != NULL && kt_vm_get_live (vm2) != NULL, "no %s in the second capture", GUEST_G);
    t = kt_domain_get_tuning (kt_vm_get_live (vm2));
    require (kt_tuning_get_vcpupin (t, 1) != NULL, "no live pin of vCPU 1 after the apply");
    pin = kt_cpuset_format (kt_tuning_get_vcpupin (t, 1));
    g_assert_cmpstr (pin, ==, "0");
  }
}

/* The affinity of the thread of GUEST_G named @comm */
static char *
thread_allowed (const char *comm)
{
  pid_t pid = qemu_pid (GUEST_G);
  char *allowed = pid > 0 ? thread_cpus_allowed (pid, comm) : NULL;

  if (allowed == NULL)
    g_test_fail_printf ("no thread '%s' of %s (pid %d)", comm, GUEST_G, (int) pid);
  return allowed;
}

/* Applies @emulator and @iothread (NULL: unpin) as the live pins of G */
static void
apply_emulator_iothread (const KtCpuset *emulator,
                         const KtCpuset *iothread)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  KtVm *vm;

  snapshot = capture ();
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_emulatorpin (live, emulator, &error));
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_iothreadpin (live, 1, iothread, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  calls = kt_apply_get_calls (apply);
  require (calls->len == 2, "expected 2 calls, got %u", calls->len);
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainPinEmulator"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "virDomainPinIOThread"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "IOThread 1"));
  g_assert_true (kt_apply_run (apply, env.conn, &error));
  g_assert_no_error (error);
}

static void
test_live_emulator_iothread (void)
{
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autofree char *main_before = NULL;
  g_autofree char *io_before = NULL;
  g_autofree char *vcpu0_before = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *main_pinned = NULL;
  g_autofree char *io_pinned = NULL;
  g_autofree char *vcpu0_after = NULL;
  g_autofree char *main_after = NULL;
  g_autofree char *io_after = NULL;
  g_autofree char *all = NULL;

  if (!ensure_env ())
    return;

  main_before = thread_allowed ("qemu-system-x86");
  io_before = thread_allowed ("IO iothread1");
  vcpu0_before = vcpu_allowed (0);
  inactive_before = libvirt_xml (GUEST_G, TRUE);
  require (main_before != NULL && io_before != NULL, "no emulator or IOThread thread");

  /* Emulator → CPU 1, IOThread 1 → CPU 0 */
  apply_emulator_iothread (cpu1, cpu0);
  main_pinned = thread_allowed ("qemu-system-x86");
  io_pinned = thread_allowed ("IO iothread1");
  vcpu0_after = vcpu_allowed (0);
  g_assert_cmpstr (main_pinned, ==, "\t1");
  g_assert_cmpstr (io_pinned, ==, "\t0");
  g_assert_cmpstr (vcpu0_after, ==, vcpu0_before);

  /* And unpinned again: back on every online CPU */
  apply_emulator_iothread (NULL, NULL);
  main_after = thread_allowed ("qemu-system-x86");
  io_after = thread_allowed ("IO iothread1");
  all = g_strdup_printf ("\t0-%ld", sysconf (_SC_NPROCESSORS_ONLN) - 1);
  g_assert_cmpstr (main_after, ==, all);
  g_assert_cmpstr (io_after, ==, all);

  inactive_after = libvirt_xml (GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
}

/* 2. config pin ---------------------------------------------------------------- */

static void
test_config_pin (void)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *live_before = NULL;
  g_autofree char *live_after = NULL;
  g_autofree char *inactive = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  allowed0_before = vcpu_allowed (0);
  live_before = libvirt_xml (GUEST_G, FALSE);
  snapshot = capture ();
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL, "no inactive %s in the capture", GUEST_G);

  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_vcpupin (config, 0, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "+"));
  calls = kt_apply_get_calls (apply);
  g_assert_cmpuint (calls->len, ==, 1);
  if (calls->len == 1)
    g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainDefineXMLFlags"));

  g_assert_true (kt_apply_run (apply, env.conn, &error));
  g_assert_no_error (error);

  inactive = libvirt_xml (GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<vcpupin vcpu='0' cpuset='1'/>"));
  check_valid (inactive);

  /* The running VM did not move */
  allowed0 = vcpu_allowed (0);
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  live_after = libvirt_xml (GUEST_G, FALSE);
  g_assert_null (strstr (live_after, "<vcpupin vcpu='0'"));
  g_assert_cmpstr (live_after, ==, live_before);
}

/* 3. numatune ------------------------------------------------------------------ */

static void
test_numatune (void)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtApply) refused = NULL;
  g_autoptr(KtCpuset) node0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *inactive = NULL;
  g_autofree char *live_before = NULL;
  g_autofree char *live_after = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  /* Config: strict on node 0 reaches the inactive XML */
  snapshot = capture ();
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL && kt_vm_get_live (vm) != NULL,
           "%s or one of its definitions is missing", GUEST_G);
  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_numatune (config, "strict", node0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_true (kt_apply_run (apply, env.conn, &error));
  g_assert_no_error (error);
  g_clear_error (&error);

  inactive = libvirt_xml (GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<memory mode='strict' nodeset='0'/>"));
  check_valid (inactive);

  /* Live: a memory-mode change is refused up front, pointing at the config */
  live_before = libvirt_xml (GUEST_G, FALSE);
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_numatune (live, "interleave", node0, &error));
  g_assert_no_error (error);
  refused = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_null (refused);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "memory mode", "config",
                                 GUEST_G);
  if (error != NULL)
    g_test_message ("live memory mode: %s", error->message);
  live_after = libvirt_xml (GUEST_G, FALSE);
  g_assert_cmpstr (live_after, ==, live_before);
}

/* 4. hugepages, refused by the CLI ------------------------------------------ */

static void
test_hugepages_cli (void)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *snap_path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *nr = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize before_len = 0, after_len = 0;
  int status = 0;
  const char *cli = g_getenv ("KT_CLI");

  if (cli == NULL)
    {
      g_test_skip ("KT_CLI is not set (run this through meson test)");
      return;
    }
  if (!ensure_env ())
    return;
  if (g_file_get_contents (HUGEPAGES_2M, &nr, NULL, NULL) && g_strtod (nr, NULL) != 0)
    {
      g_test_skip ("this host has 2 MiB huge pages reserved (" HUGEPAGES_2M "): "
                   "the refusal cannot be tested");
      return;
    }

  snapshot = capture ();
  require (snapshot != NULL, "no snapshot");
  snap_path = g_build_filename (env.root, "hugepages.kvmtune", NULL);
  g_assert_true (kt_snapshot_save (snapshot, snap_path, &error));
  g_assert_no_error (error);
  require (g_file_get_contents (snap_path, &before, &before_len, NULL), "cannot read %s",
           snap_path);

  {
    const char *argv[] = { cli, "--snapshot", snap_path, "hugepages", GUEST_G, "--size", "2048",
                           "--config", NULL };

    require (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                           &status, &error),
             "Cannot run %s: %s", cli, error->message);
  }
  g_test_message ("kvmtune-cli hugepages: status %d, stdout: %s, stderr: %s", status, out, err);
  if (strstr (err, "Unknown command") != NULL)
    {
      g_test_skip ("kvmtune-cli has no 'hugepages' verb yet (kt_cli_tune is not wired in)");
      return;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "2048"));
  g_assert_null (strstr (out, "Applied"));
  require (g_file_get_contents (snap_path, &after, &after_len, NULL), "cannot read %s", snap_path);
  g_assert_cmpuint (after_len, ==, before_len);
  g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
}

/* 5. a step fails: the earlier live steps are undone, nothing is defined ---- */

static void
test_rollback (void)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *live_after = NULL;
  xmlNode *root, *cputune = NULL, *pin;
  KtVm *vm;

  if (!ensure_env ())
    return;

  allowed0_before = vcpu_allowed (0);
  allowed1_before = vcpu_allowed (1);
  require (allowed0_before != NULL && allowed1_before != NULL, "no vCPU threads");
  require (!g_str_equal (allowed0_before, "\t1"), "vCPU 0 is already on CPU 1 alone");
  inactive_before = libvirt_xml (GUEST_G, TRUE);

  snapshot = capture ();
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL && kt_vm_get_inactive (vm) != NULL,
           "%s or one of its definitions is missing", GUEST_G);

  /* The live target: vCPU 0 → CPU 1 (fine), and a pin of IOThread 7,
   * which G does not have (kt_domain_set_iothreadpin refuses it, so it
   * goes in through the DOM, before the setter re-reads the tuning) */
  live = kt_domain_copy (kt_vm_get_live (vm));
  root = kt_domain_get_root (live);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && g_str_equal ((const char *) n->name, "cputune"))
      cputune = n;
  if (cputune == NULL)
    cputune = xmlNewChild (root, NULL, (const xmlChar *) "cputune", NULL);
  pin = xmlNewChild (cputune, NULL, (const xmlChar *) "iothreadpin", NULL);
  xmlSetProp (pin, (const xmlChar *) "iothread", (const xmlChar *) "7");
  xmlSetProp (pin, (const xmlChar *) "cpuset", (const xmlChar *) "0");
  g_assert_true (kt_domain_set_vcpupin (live, 0, cpu1, &error));
  g_assert_no_error (error);

  /* The config target: emulator → CPU 0, which must not be defined */
  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_emulatorpin (config, cpu0, &error));
  g_assert_no_error (error);

  apply = kt_apply_new (vm, live, config, KT_APPLY_LIVE | KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  calls = kt_apply_get_calls (apply);
  for (guint i = 0; i < calls->len; i++)
    g_test_message ("call %u: %s", i, (const char *) g_ptr_array_index (calls, i));
  /* vCPU 0, IOThread 7 (the last live step), the define */
  require (calls->len == 3, "expected 3 calls, got %u", calls->len);
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "vCPU 0"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "IOThread 7"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 2), "virDomainDefineXMLFlags"));

  g_assert_false (kt_apply_run (apply, env.conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_LIBVIRT, "virDomainPinIOThread",
                                 "IOThread 7", "undone");
  if (error != NULL)
    g_test_message ("failed as expected: %s", error->message);

  /* vCPU 0 is back where it was, vCPU 1 was never touched */
  allowed0 = vcpu_allowed (0);
  allowed1 = vcpu_allowed (1);
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  g_assert_cmpstr (allowed1, ==, allowed1_before);

  /* Nothing was defined */
  inactive_after = libvirt_xml (GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
  g_assert_null (strstr (inactive_after, "<emulatorpin"));

  /* What the undo left in the live XML (pinning back to every CPU) */
  live_after = libvirt_xml (GUEST_G, FALSE);
  {
    const char *p = strstr (live_after, "<vcpupin vcpu='0'");
    g_autofree char *line = p ? g_strndup (p, strcspn (p, "\n")) : g_strdup ("(none)");

    g_test_message ("live vcpupin of vCPU 0 after the undo: %s", line);
  }
}

/* 6. someone else changed the domain since the capture ---------------------- */

static void
test_conflict_config (void)
{
  g_autoptr(KtSnapshot) stale = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *inactive = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  stale = capture ();
  vm = stale ? kt_snapshot_lookup_vm (stale, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL, "no inactive %s in the capture",
           GUEST_G);

  /* virsh vcpupin G 1 1 --config */
  if (!pin_behind_our_back (GUEST_G, 1, 1, VIR_DOMAIN_AFFECT_CONFIG))
    return;

  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_emulatorpin (config, cpu0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, env.conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G, "changed");
  g_clear_error (&error);

  /* The other change is kept, ours is not there */
  inactive = libvirt_xml (GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<vcpupin vcpu='1' cpuset='1'/>"));
  g_assert_null (strstr (inactive, "<emulatorpin"));

  /* After a reload, the same edit goes through and keeps both */
  {
    g_autoptr(KtSnapshot) fresh = capture ();
    KtVm *vm2 = fresh ? kt_snapshot_lookup_vm (fresh, GUEST_G) : NULL;
    g_autoptr(KtDomain) config2 = NULL;
    g_autoptr(KtApply) apply2 = NULL;
    g_autofree char *inactive2 = NULL;

    require (vm2 != NULL && kt_vm_get_inactive (vm2) != NULL, "no %s after reload", GUEST_G);
    config2 = kt_domain_copy (kt_vm_get_inactive (vm2));
    g_assert_true (kt_domain_set_emulatorpin (config2, cpu0, &error));
    apply2 = kt_apply_new (vm2, NULL, config2, KT_APPLY_CONFIG, &error);
    g_assert_no_error (error);
    require (apply2 != NULL, "kt_apply_new failed");
    g_assert_true (kt_apply_run (apply2, env.conn, &error));
    g_assert_no_error (error);
    inactive2 = libvirt_xml (GUEST_G, TRUE);
    g_assert_nonnull (strstr (inactive2, "<vcpupin vcpu='1' cpuset='1'/>"));
    g_assert_nonnull (strstr (inactive2, "<emulatorpin cpuset='0'/>"));
    check_valid (inactive2);
  }
}

static void
test_conflict_live (void)
{
  g_autoptr(KtSnapshot) stale = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  allowed1_before = vcpu_allowed (1);
  require (allowed1_before != NULL && !g_str_equal (allowed1_before, "\t1"),
           "vCPU 1 is already on CPU 1 alone");
  inactive_before = libvirt_xml (GUEST_G, TRUE);
  stale = capture ();
  vm = stale ? kt_snapshot_lookup_vm (stale, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);

  /* virsh vcpupin G 0 0 --live */
  if (!pin_behind_our_back (GUEST_G, 0, 0, VIR_DOMAIN_AFFECT_LIVE))
    return;

  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, env.conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G, "changed");

  /* The other pin is kept; ours was not made */
  allowed0 = vcpu_allowed (0);
  allowed1 = vcpu_allowed (1);
  g_assert_cmpstr (allowed0, ==, "\t0");
  g_assert_cmpstr (allowed1, ==, allowed1_before);
  inactive_after = libvirt_xml (GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
}

/* 7. the VM went away after the capture ------------------------------------- */

static void
test_vanished (void)
{
  virConnectPtr c;
  g_autofree char *xml_v = domain_xml (GUEST_V, 0);
  g_autofree char *xml_t = domain_xml (GUEST_T, 0);
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  virDomainPtr dom_v, dom_t;
  KtVm *v, *t;

  if (!ensure_env ())
    return;
  c = kt_connection_get_handle (env.conn);

  /* V: persistent, shut off; T: transient, running */
  dom_v = virDomainDefineXML (c, xml_v);
  require (dom_v != NULL, "Cannot define %s", GUEST_V);
  dom_t = virDomainCreateXML (c, xml_t, 0);
  if (dom_t == NULL)
    {
      g_autofree char *err = last_libvirt_error ();
      g_autofree char *log = qemu_log (GUEST_T);

      virDomainUndefine (dom_v);
      virDomainFree (dom_v);
      g_test_fail_printf ("Cannot start %s: %s\nQEMU log:\n%s", GUEST_T, err, log);
      return;
    }

  snapshot = capture ();
  v = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_V) : NULL;
  t = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_T) : NULL;
  g_assert_cmpint (virDomainUndefine (dom_v), ==, 0);
  g_assert_cmpint (virDomainDestroy (dom_t), ==, 0);
  virDomainFree (dom_v);
  virDomainFree (dom_t);
  require (v != NULL && t != NULL, "%s or %s missing from the capture", GUEST_V, GUEST_T);

  for (guint i = 0; i < 2; i++)
    {
      KtVm *vm = i == 0 ? v : t;
      gboolean is_live = i == 1;
      g_autoptr(KtDomain) target = NULL;
      g_autoptr(KtApply) apply = NULL;
      g_autoptr(GError) error = NULL;

      target = kt_domain_copy (is_live ? kt_vm_get_live (vm) : kt_vm_get_inactive (vm));
      g_assert_true (kt_domain_set_vcpupin (target, 0, cpu1, &error));
      apply = kt_apply_new (vm, is_live ? target : NULL, is_live ? NULL : target,
                            is_live ? KT_APPLY_LIVE : KT_APPLY_CONFIG, &error);
      g_assert_no_error (error);
      if (apply == NULL)
        continue;
      g_assert_false (kt_apply_run (apply, env.conn, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                                     kt_vm_get_name (vm), "no longer exists");
    }

  /* Neither came back */
  {
    virDomainPtr d = virDomainLookupByName (c, GUEST_V);

    g_assert_null (d);
    if (d != NULL)
      virDomainFree (d);
    virResetLastError ();
  }
}

/* 8. a read-only connection --------------------------------------------------- */

static void
test_read_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtConnection) ro = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed1 = NULL;
  KtVm *vm;

  if (!ensure_env ())
    return;

  ro = kt_connection_open (env.uri, TRUE, &error);
  if (ro == NULL)
    {
      /* Fall back on the test driver */
      g_test_message ("read-only %s: %s; using test:///default", env.uri, error->message);
      g_clear_error (&error);
      ro = kt_connection_open ("test:///default", TRUE, &error);
      g_assert_no_error (error);
      require (ro != NULL, "cannot open test:///default read-only");
      g_assert_true (kt_connection_is_read_only (ro));
      snapshot = kt_connection_capture (ro, &error);
      g_assert_no_error (error);
      vm = snapshot ? kt_snapshot_lookup_vm (snapshot, "test") : NULL;
      require (vm != NULL && kt_vm_get_live (vm) != NULL, "no running 'test' in test:///default");
      live = kt_domain_copy (kt_vm_get_live (vm));
      g_assert_true (kt_domain_set_vcpupin (live, 0, cpu1, &error));
      apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
      g_assert_no_error (error);
      require (apply != NULL, "kt_apply_new failed");
      g_assert_false (kt_apply_run (apply, ro, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "read-only");
      return;
    }

  g_assert_true (kt_connection_is_read_only (ro));
  allowed1_before = vcpu_allowed (1);
  require (allowed1_before != NULL && !g_str_equal (allowed1_before, "\t1"),
           "vCPU 1 is already on CPU 1 alone");

  /* It can read... */
  snapshot = kt_connection_capture (ro, &error);
  g_assert_no_error (error);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s through the read-only connection",
           GUEST_G);

  /* ...but applies nothing */
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, ro, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "read-only", env.root);
  allowed1 = vcpu_allowed (1);
  g_assert_cmpstr (allowed1, ==, allowed1_before);
}

/* main --------------------------------------------------------------------- */

static char *
check_prerequisites (void)
{
  if (geteuid () != 0)
    return g_strdup ("not running as root (the embedded QEMU driver runs QEMU as root here)");
  if (getpwnam ("libvirt-qemu") == NULL)
    return g_strdup ("no system user 'libvirt-qemu' (libvirt's QEMU driver refuses to start "
                     "without it; .ci/setup creates it)");
  if (!g_file_test (QEMU_BINARY, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("no " QEMU_BINARY " (install qemu-system-x86; .ci/setup does)");
  if (sysconf (_SC_NPROCESSORS_ONLN) < 2)
    return g_strdup ("fewer than 2 online host CPUs: the pins need CPUs 0 and 1");
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  env.skip_reason = check_prerequisites ();
  if (env.skip_reason != NULL)
    {
      g_printerr ("#\n# ##################################################################\n"
                  "# test-apply-libvirt: SKIPPING every real-libvirt case: %s\n"
                  "# ##################################################################\n#\n",
                  env.skip_reason);
    }
  else
    atexit (teardown);

  /* In this order: each case starts from what the ones before left */
  g_test_add_func ("/apply-libvirt/live-pin", test_live_pin);
  g_test_add_func ("/apply-libvirt/live-emulator-iothread", test_live_emulator_iothread);
  g_test_add_func ("/apply-libvirt/config-pin", test_config_pin);
  g_test_add_func ("/apply-libvirt/numatune", test_numatune);
  g_test_add_func ("/apply-libvirt/hugepages-cli", test_hugepages_cli);
  g_test_add_func ("/apply-libvirt/rollback", test_rollback);
  g_test_add_func ("/apply-libvirt/conflict-config", test_conflict_config);
  g_test_add_func ("/apply-libvirt/conflict-live", test_conflict_live);
  g_test_add_func ("/apply-libvirt/vanished", test_vanished);
  g_test_add_func ("/apply-libvirt/read-only", test_read_only);

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  return ret;
}
