/* bench-apply.c: what a live pin costs through KvmTune, libvirt and virsh
 *
 * One 64-vCPU TCG guest in a private libvirt embed root
 * (qemu:///embed?root=DIR), then, ROUNDS times each:
 *
 *   (a) the path kvmtune-cli takes, in-process: open a connection,
 *       capture, pin all 64 vCPUs to CPU 1 in the live definition,
 *       kt_apply_new, kt_apply_run (64 virDomainPinVcpuFlags, after the
 *       concurrent-change check);
 *   (b) the libvirt floor: 64 virDomainPinVcpuFlags on an open connection;
 *   (c) whole processes: `virsh -c URI 'vcpupin ...; vcpupin ...'` (64
 *       commands, one session) against `kvmtune-cli --connect URI pin DOM
 *       0-63 1 --live` ($KT_CLI).
 *
 * libvirt allows one embed root per process, and a process holding the
 * root shuts virsh and kvmtune-cli out of it, so this process never opens
 * it: each libvirt part runs in a child of its own (setup, (a)+(b),
 * teardown), and (c) spawns virsh and kvmtune-cli in turn.  The guest
 * outlives those processes; the last child destroys it, and a reaper
 * (kt-test-embed.c, as in test-libvirt.c) SIGKILLs whatever QEMU is left if this process
 * dies first.
 *
 * Prints figures only; never fails on time.  Exits 77 (skipped) without
 * root, the 'libvirt-qemu' user or QEMU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "kt-apply.h"
#include "kt-connection.h"
#include "kt-snapshot.h"
#include "kt-test-embed.h"

#define QEMU_BINARY KT_TEST_EMBED_QEMU
#define GUEST       "kt-bench-apply"
#define N_VCPUS     64
#define ROUNDS      5

static char *root;
static char *uri;

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  g_autofree double *s = g_memdup2 (v, n * sizeof (double));

  qsort (s, n, sizeof (double), (int (*) (const void *, const void *)) cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double
minimum (double *v,
         guint   n)
{
  double m = v[0];

  for (guint i = 1; i < n; i++)
    m = MIN (m, v[i]);
  return m;
}

static void
report (const char *what,
        double     *v,
        guint       n)
{
  g_print ("  %-52s median %8.2f ms   min %8.2f ms\n", what, median (v, n) * 1000,
           minimum (v, n) * 1000);
}

/* Children ------------------------------------------------------------------ */

static void
print_libvirt_error (const char *what)
{
  const char *msg = virGetLastErrorMessage ();

  g_printerr ("bench-apply: %s: %s\n", what, msg ? msg : "(no libvirt error)");
  virResetLastError ();
}

static KtConnection *
open_root (double *seconds)
{
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();
  KtConnection *conn = kt_connection_open (uri, FALSE, &error);

  if (conn == NULL)
    g_printerr ("bench-apply: cannot open %s: %s\n", uri, error->message);
  if (seconds != NULL)
    *seconds = now_s () - t0;
  return conn;
}

static int
child_setup (void)
{
  g_autoptr(KtConnection) conn = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr dom;
  double t_open, t0;

  kt_connection_init_events (TRUE);
  if ((conn = open_root (&t_open)) == NULL)
    return 1;
  xml = g_strdup_printf ("<domain type='qemu'>\n"
                         "  <name>" GUEST "</name>\n"
                         "  <memory unit='MiB'>64</memory>\n"
                         "  <vcpu>%d</vcpu>\n"
                         "  <os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<boot dev='network'/></os>\n"
                         "  <devices><emulator>" QEMU_BINARY "</emulator></devices>\n"
                         "</domain>\n", N_VCPUS);
  t0 = now_s ();
  dom = virDomainDefineXML (kt_connection_get_handle (conn), xml);
  if (dom == NULL)
    {
      print_libvirt_error ("cannot define " GUEST);
      return 1;
    }
  g_print ("setup: open %.2f s, define %.2f s", t_open, now_s () - t0);
  t0 = now_s ();
  if (virDomainCreate (dom) < 0)
    {
      g_autofree char *log_path = g_strdup_printf ("%s/log/qemu/" GUEST ".log", root);
      g_autofree char *log = NULL;

      print_libvirt_error ("cannot start " GUEST);
      if (g_file_get_contents (log_path, &log, NULL, NULL))
        g_printerr ("QEMU log:\n%s\n", log);
      virDomainFree (dom);
      return 1;
    }
  g_print (", start (%d vCPUs) %.2f s\n", N_VCPUS, now_s () - t0);
  virDomainFree (dom);
  return 0;
}

/* Pins every vCPU to @cpu with virDomainPinVcpuFlags (live) */
static gboolean
pin_all_raw (virDomainPtr dom,
             int          n_cpus,
             int          cpu)
{
  int maplen = VIR_CPU_MAPLEN (n_cpus);
  g_autofree unsigned char *map = g_new0 (unsigned char, maplen);

  VIR_USE_CPU (map, cpu);
  for (guint v = 0; v < N_VCPUS; v++)
    if (virDomainPinVcpuFlags (dom, v, map, maplen, VIR_DOMAIN_AFFECT_LIVE) < 0)
      {
        print_libvirt_error ("virDomainPinVcpuFlags");
        return FALSE;
      }
  return TRUE;
}

/* What kvmtune-cli --connect URI pin GUEST 0-63 @cpu --live does, minus
 * the process: open, capture, edit, plan, run.  @parts: open, capture,
 * edit + plan, run. */
static gboolean
pin_all_kt (int     cpu,
            double *parts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtConnection) conn = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) set = NULL;
  g_autofree char *text = g_strdup_printf ("%d", cpu);
  double t0 = now_s (), t1;
  KtVm *vm;

  if ((conn = open_root (NULL)) == NULL)
    return FALSE;
  t1 = now_s ();
  parts[0] = t1 - t0;
  t0 = t1;

  snapshot = kt_connection_capture (conn, &error);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST) : NULL;
  if (vm == NULL || kt_vm_get_live (vm) == NULL)
    {
      g_printerr ("bench-apply: capture: %s\n", error ? error->message : "no live " GUEST);
      return FALSE;
    }
  t1 = now_s ();
  parts[1] = t1 - t0;
  t0 = t1;

  set = kt_cpuset_parse (text, &error);
  live = kt_domain_copy (kt_vm_get_live (vm));
  for (guint v = 0; v < N_VCPUS; v++)
    if (!kt_domain_set_vcpupin (live, v, set, &error))
      {
        g_printerr ("bench-apply: pin vCPU %u: %s\n", v, error->message);
        return FALSE;
      }
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  if (apply == NULL)
    {
      g_printerr ("bench-apply: kt_apply_new: %s\n", error->message);
      return FALSE;
    }
  t1 = now_s ();
  parts[2] = t1 - t0;
  t0 = t1;

  if (!kt_apply_run (apply, conn, &error))
    {
      g_printerr ("bench-apply: kt_apply_run: %s\n", error->message);
      return FALSE;
    }
  parts[3] = now_s () - t0;
  return TRUE;
}

/* The Cpus_allowed_list of every "CPU N/TCG" thread is @want */
static gboolean
all_vcpus_on (const char *want)
{
  pid_t pid = kt_test_embed_qemu_pid (root, GUEST);
  g_autofree char *task_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *tid;
  guint seen = 0, right = 0;

  if (pid < 0)
    return FALSE;
  task_dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  if ((dir = g_dir_open (task_dir, 0, NULL)) == NULL)
    return FALSE;
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename (task_dir, tid, "comm", NULL);
      g_autofree char *status_path = g_build_filename (task_dir, tid, "status", NULL);
      g_autofree char *comm = NULL;
      g_autofree char *status = NULL;
      g_autofree char *line = g_strdup_printf ("\nCpus_allowed_list:\t%s\n", want);

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL)
          || !g_str_has_prefix (comm, "CPU ") || !g_str_has_suffix (g_strchomp (comm), "/TCG")
          || !g_file_get_contents (status_path, &status, NULL, NULL))
        continue;
      seen++;
      if (strstr (status, line) != NULL)
        right++;
    }
  if (seen != N_VCPUS || right != N_VCPUS)
    g_printerr ("bench-apply: %u of %u vCPU threads (of %d) on CPU %s\n", right, seen, N_VCPUS,
                want);
  return seen == N_VCPUS && right == N_VCPUS;
}

static int
child_kt (void)
{
  g_autoptr(KtConnection) conn = NULL;
  double floor_s[ROUNDS], kt_s[ROUNDS], parts[ROUNDS][4], t_open, t0;
  virDomainPtr dom;
  int n_cpus, ret = 0;

  kt_connection_init_events (TRUE);
  if ((conn = open_root (&t_open)) == NULL)
    return 1;
  dom = virDomainLookupByName (kt_connection_get_handle (conn), GUEST);
  n_cpus = virNodeGetCPUMap (kt_connection_get_handle (conn), NULL, NULL, 0);
  if (dom == NULL || n_cpus < 2)
    {
      print_libvirt_error ("cannot look up " GUEST " or the host CPUs");
      if (dom != NULL)
        virDomainFree (dom);
      return 1;
    }

  for (guint r = 0; r < ROUNDS && ret == 0; r++)
    {
      /* (b) every vCPU to CPU 0, then (a) every vCPU to CPU 1: each pin
       * is a real move */
      t0 = now_s ();
      if (!pin_all_raw (dom, n_cpus, 0))
        ret = 1;
      floor_s[r] = now_s () - t0;
      if (ret == 0 && !all_vcpus_on ("0"))
        ret = 1;

      t0 = now_s ();
      if (ret == 0 && !pin_all_kt (1, parts[r]))
        ret = 1;
      kt_s[r] = now_s () - t0;
      if (ret == 0 && !all_vcpus_on ("1"))
        ret = 1;
    }
  virDomainFree (dom);
  if (ret != 0)
    return ret;

  g_print ("\nIn-process, %d live vCPU pins (%d rounds; first open of the root here: %.2f s):\n",
           N_VCPUS, ROUNDS, t_open);
  report ("(b) libvirt floor: 64 virDomainPinVcpuFlags", floor_s, ROUNDS);
  report ("(a) KvmTune: open + capture + edit + apply", kt_s, ROUNDS);
  for (guint p = 0; p < 4; p++)
    {
      static const char *names[] = { "    open", "    capture", "    edit 64 pins + kt_apply_new",
                                     "    kt_apply_run" };
      double v[ROUNDS];

      for (guint r = 0; r < ROUNDS; r++)
        v[r] = parts[r][p];
      report (names[p], v, ROUNDS);
    }
  g_print ("  ratio (a)/(b), medians: %.2f\n", median (kt_s, ROUNDS) / median (floor_s, ROUNDS));
  return 0;
}

static int
child_teardown (void)
{
  g_autoptr(KtConnection) conn = NULL;

  kt_connection_init_events (TRUE);
  if ((conn = open_root (NULL)) == NULL)
    return 1;
  /* In a fresh process, libvirt is still reconnecting to the QEMU: the
   * destroy's kill can make that reconnection stop the domain first, and
   * the destroy then fails with "domain is not running"; that is fine */
  return kt_test_embed_destroy_all (kt_connection_get_handle (conn), "bench-apply") > 0;
}

/* Runs @func in a child process; TRUE when it exits 0 */
static gboolean
run_child (const char *what,
           int       (*func) (void))
{
  int status = 0;
  pid_t pid;

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    {
      g_printerr ("bench-apply: fork: %s\n", g_strerror (errno));
      return FALSE;
    }
  if (pid == 0)
    {
      int ret = func ();

      fflush (stdout);
      exit (ret);   /* exit(), not _exit(): the sanitizer build checks for leaks */
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("bench-apply: %s failed (wait status %d)\n", what, status);
      return FALSE;
    }
  return TRUE;
}

/* Whole processes ----------------------------------------------------------- */

/* Runs @argv to the end; its wall time, or -1 when it failed */
static double
time_process (const char * const *argv,
              const char         *must_print)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  double t0 = now_s (), t;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    {
      g_printerr ("bench-apply: cannot run %s: %s\n", argv[0], error->message);
      return -1;
    }
  t = now_s () - t0;
  if (!g_spawn_check_wait_status (status, &error)
      || (must_print != NULL && strstr (out, must_print) == NULL))
    {
      g_printerr ("bench-apply: %s failed (%s)\nstdout: %s\nstderr: %s\n", argv[0],
                  error ? error->message : "unexpected output", out, err);
      return -1;
    }
  return t;
}

static gboolean
bench_processes (void)
{
  const char *cli = g_getenv ("KT_CLI");
  g_autoptr(GString) cmds = g_string_new (NULL);
  double virsh_s[ROUNDS], cli_s[ROUNDS], list_s[ROUNDS];
  g_autofree char *virsh = g_find_program_in_path ("virsh");
  gboolean have_cli = cli != NULL;
  guint n_cli = 0;

  if (virsh == NULL)
    {
      g_print ("\n(c) skipped: no virsh\n");
      return TRUE;
    }
  for (guint v = 0; v < N_VCPUS; v++)
    g_string_append_printf (cmds, "%svcpupin " GUEST " %u 0 --live", v ? "; " : "", v);

  if (!have_cli)
    g_print ("\n(c) kvmtune-cli: skipped, KT_CLI is not set (run through meson test)\n");
  else
    {
      /* Is the verb there yet? */
      const char *argv[] = { cli, "pin", "--help", NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                         NULL, &error))
        {
          g_printerr ("bench-apply: cannot run %s: %s\n", cli, error->message);
          return FALSE;
        }
      if (strstr (err, "Unknown command") != NULL)
        {
          g_print ("\n(c) kvmtune-cli: skipped, %s has no 'pin' verb yet\n", cli);
          have_cli = FALSE;
        }
    }

  for (guint r = 0; r < ROUNDS; r++)
    {
      const char *virsh_argv[] = { "virsh", "-q", "-c", uri, cmds->str, NULL };
      const char *list_argv[] = { "virsh", "-q", "-c", uri, "list", NULL };
      const char *cli_argv[] = { cli, "--connect", uri, "pin", GUEST, "0-63", "1", "--live",
                                 NULL };

      /* virsh: every vCPU to CPU 0; kvmtune-cli: every vCPU to CPU 1 */
      if ((list_s[r] = time_process (list_argv, GUEST)) < 0
          || (virsh_s[r] = time_process (virsh_argv, NULL)) < 0 || !all_vcpus_on ("0"))
        return FALSE;
      if (have_cli)
        {
          if ((cli_s[r] = time_process (cli_argv, "Applied")) < 0 || !all_vcpus_on ("1"))
            return FALSE;
          n_cli++;
        }
    }

  g_print ("\nWhole processes on %s (%d rounds):\n", uri, ROUNDS);
  report ("virsh list (open of the root, no pin)", list_s, ROUNDS);
  report ("(c) virsh: 64 vcpupin --live, one session", virsh_s, ROUNDS);
  if (n_cli > 0)
    {
      report ("(c) kvmtune-cli --connect pin 0-63 1 --live", cli_s, n_cli);
      g_print ("  ratio kvmtune-cli/virsh: %.2f (medians), %.2f (minimums); target <= 1.2\n",
               median (cli_s, n_cli) / median (virsh_s, ROUNDS),
               minimum (cli_s, n_cli) / minimum (virsh_s, ROUNDS));
    }
  return TRUE;
}

/* main --------------------------------------------------------------------- */

static char *
missing_prerequisite (void)
{
  char *missing = kt_test_embed_missing ();

  if (missing != NULL)
    return missing;
  if (sysconf (_SC_NPROCESSORS_ONLN) < 2)
    return g_strdup ("fewer than 2 online host CPUs");
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  gboolean ok;

  setlocale (LC_ALL, "");
  if ((missing = missing_prerequisite ()) != NULL)
    {
      g_print ("bench-apply: skipped: %s\n", missing);
      return 77;
    }

  root = kt_test_embed_make_root ("kt-bench-apply-XXXXXX", &error);
  if (root == NULL)
    {
      g_printerr ("bench-apply: %s\n", error->message);
      return 1;
    }
  uri = kt_test_embed_uri (root);
  kt_test_embed_start_reaper (root, GUEST, "bench-apply");

  g_print ("bench-apply: %d-vCPU TCG guest " GUEST " in %s\n", N_VCPUS, uri);
  ok = run_child ("setup", child_setup)
       && run_child ("(a) and (b)", child_kt)
       && bench_processes ();
  if (!run_child ("teardown", child_teardown))
    ok = FALSE;

  kt_test_embed_remove_root (root, GUEST, "bench-apply");
  g_free (root);
  g_free (uri);
  return ok ? 0 : 1;
}
