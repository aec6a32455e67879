/* test-cli-tune.c: kvmtune-cli's tuning verbs on offline sources: the
 * change lands in the snapshot or domain file, and nothing else does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "kt-snapshot.h"
#include "kt-test-util.h"

static char *
copy_to_tmp (const char *src,
             const char *name)
{
  g_autofree char *dir = g_dir_make_tmp ("kt-cli-tune-XXXXXX", NULL);
  char *dst = g_build_filename (dir, name, NULL);
  g_autofree char *data = kt_test_read_file (src, NULL);

  g_assert_true (g_file_set_contents (dst, data, -1, NULL));
  return dst;
}

static char *
pin_in (const char *snapshot_path,
        const char *vm,
        gboolean    live,
        guint       vcpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = kt_snapshot_load_file (snapshot_path, &error);
  KtVm *v;
  g_autoptr(KtTuning) t = NULL;
  const KtCpuset *pin;

  g_assert_no_error (error);
  v = kt_snapshot_lookup_vm (s, vm);
  g_assert_nonnull (v);
  t = kt_domain_get_tuning (live ? kt_vm_get_live (v) : kt_vm_get_inactive (v));
  pin = kt_tuning_get_vcpupin (t, vcpu);
  return pin ? kt_cpuset_format (pin) : NULL;
}

static void
test_snapshot_pin (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *path = copy_to_tmp (demo, "host.kvmtune");
  g_autofree char *before = kt_test_read_file (path, NULL);
  g_autofree char *after = NULL;
  g_autofree char *p = NULL;
  KtTestRun r = { 0, };

  /* --dry-run changes nothing and shows the calls and the diff */
  kt_test_run_cli (&r, "--snapshot", path, "pin", "web1", "0-1", "17", "--config", "--dry-run");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "virDomainDefineXMLFlags"));
  g_assert_nonnull (strstr (r.out, "+"));
  after = kt_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* --config: the inactive definition only */
  kt_test_run_cli (&r, "--snapshot", path, "pin", "web1", "0-1", "17", "--config");
  g_assert_cmpint (r.status, ==, 0);
  p = pin_in (path, "web1", FALSE, 1);
  g_assert_cmpstr (p, ==, "17");
  g_clear_pointer (&p, g_free);
  p = pin_in (path, "web1", TRUE, 1);
  g_assert_cmpstr (p, !=, "17");
  g_clear_pointer (&p, g_free);

  /* no flag on a running VM: like virsh --current, the live one */
  kt_test_run_cli (&r, "--snapshot", path, "pin", "web1", "2", "18");
  g_assert_cmpint (r.status, ==, 0);
  p = pin_in (path, "web1", TRUE, 2);
  g_assert_cmpstr (p, ==, "18");
  g_clear_pointer (&p, g_free);
  p = pin_in (path, "web1", FALSE, 2);
  g_assert_cmpstr (p, !=, "18");
  g_clear_pointer (&p, g_free);

  /* other VMs untouched */
  p = pin_in (path, "web2", FALSE, 0);
  g_assert_cmpstr (p, ==, "0");
  kt_test_run_clear (&r);
}

static void
test_errors_change_nothing (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *path = copy_to_tmp (demo, "host.kvmtune");
  g_autofree char *before = kt_test_read_file (path, NULL);
  g_autofree char *after = NULL;
  struct { const char *args[10]; int code; const char *message; } cases[] = {
    { { "pin", "web1", "0", "0-99999999" }, 1, "out of range" },
    { { "pin", "web1", "0", "64" }, 1, "CPU 64 does not exist" },
    { { "pin", "web1", "9", "1" }, 1, "no vCPU 9" },
    { { "pin", "ghost", "0", "1" }, 1, "No domain called" },
    { { "numatune", "web1", "--nodeset", "7", "--config" }, 1, "NUMA node 7" },
    { { "numatune", "web1", "--mode", "interleave", "--live" }, 1, "memory mode" },
    { { "numatune", "web1", "--mode", "bogus", "--config" }, 1, "Unknown memory mode" },
    { { "hugepages", "web1", "--size", "4096", "--config" }, 1, "no 4096 KiB pages" },
    { { "iothreadpin", "web1", "7", "1", "--config" }, 1, "IOThread 7" },
    { { "emulatorpin", "build-runner", "1", "--live" }, 1, "not running" },
    { { "cpu-model", "web1", "custom", "--config" }, 1, "needs a model" },
    { { "pin", "web1", "0" }, 2, "Usage" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      KtTestRun r = { 0, };

      g_ptr_array_add (argv, (gpointer) "--snapshot");
      g_ptr_array_add (argv, path);
      for (guint a = 0; cases[i].args[a]; a++)
        g_ptr_array_add (argv, (gpointer) cases[i].args[a]);
      g_ptr_array_add (argv, NULL);
      kt_test_run_cli_full (&r, NULL, (const char * const *) argv->pdata);
      if (r.status != cases[i].code || strstr (r.err, cases[i].message) == NULL)
        g_error ("case %u (%s): exit %d, stderr: %s", i, cases[i].args[0], r.status, r.err);
      g_assert_true (g_str_has_prefix (r.err, "kvmtune-cli: "));
      kt_test_run_clear (&r);
    }
  after = kt_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_domain_file (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-64amd64-4s2n4ca2co.xml");
  g_autofree char *src = kt_test_fixture_path ("domains/qemu-ns.xml");
  g_autofree char *path = copy_to_tmp (src, "qemu-ns.xml");
  g_autofree char *before = kt_test_read_file (path, NULL);
  g_autofree char *after = NULL;
  g_autofree char *message = NULL;
  KtTestRun r = { 0, };

  kt_test_run_cli (&r, "--caps", caps, "--domain", path, "pin", "QEMUGuest1", "0", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  after = kt_test_read_file (path, NULL);
  g_assert_cmpstr (before, !=, after);
  /* The foreign namespace and its single-quoted attributes are kept */
  g_assert_nonnull (strstr (after, "<qemu:commandline>"));
  g_assert_nonnull (strstr (after, "<vcpupin vcpu=\"0\" cpuset=\"3\"/>"));
  g_assert_true (kt_test_validate_xml (after, -1, "domain.rng", &message));
  kt_test_run_clear (&r);
}

/* cpu-model: libvirt's rules per mode, and no model the host cannot run
 * unless --force, as in the window */
static char *
cpu_of (const char *snapshot_path,
        const char *vm)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = kt_snapshot_load_file (snapshot_path, &error);
  g_autofree char *xml = NULL;
  const char *start, *end;
  KtVm *v;

  g_assert_no_error (error);
  v = kt_snapshot_lookup_vm (s, vm);
  g_assert_nonnull (v);
  xml = kt_domain_to_xml (kt_vm_get_inactive (v));
  start = strstr (xml, "<cpu ");
  g_assert_nonnull (start);
  end = strchr (start, '>');
  return g_strndup (start, end + 1 - start);
}

static void
test_cpu_model (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *path = copy_to_tmp (demo, "host.kvmtune");
  g_autofree char *data = kt_test_read_file (path, NULL);
  g_autoptr(GString) blocked = g_string_new (data);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *cpu = NULL;
  KtTestRun r = { 0, };

  /* libvirt 9.x names what blocks a model */
  g_assert_cmpuint (g_string_replace (blocked,
                                      "<model usable='no' vendor='Intel'>Broadwell</model>",
                                      "<model usable='no' vendor='Intel'>Broadwell</model>"
                                      "<blockers model='Broadwell'><feature name='hle'/>"
                                      "<feature name='rtm'/></blockers>", 1), ==, 1);
  g_assert_true (g_file_set_contents (path, blocked->str, -1, NULL));
  before = kt_test_read_file (path, NULL);

  /* virt-manager's host-passthrough to host-model: no migratable= left */
  cpu = cpu_of (path, "web1");
  g_assert_cmpstr (cpu, ==, "<cpu mode=\"host-passthrough\" check=\"none\" migratable=\"on\">");
  g_clear_pointer (&cpu, g_free);
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "host-model", "--config");
  g_assert_cmpint (r.status, ==, 0);
  cpu = cpu_of (path, "web1");
  g_assert_cmpstr (cpu, ==, "<cpu mode=\"host-model\">");
  g_clear_pointer (&cpu, g_free);
  g_assert_true (g_file_set_contents (path, before, -1, NULL));

  /* Not usable here: refused, naming the blockers, and nothing changes */
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "custom", "Broadwell", "--config");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Broadwell cannot run on this host; it lacks: hle, rtm"));
  g_assert_nonnull (strstr (r.err, "--force"));
  after = kt_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* usable='no' without blockers, and a model QEMU does not know */
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "custom", "Cooperlake", "--config");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "Cooperlake cannot run on this host"));
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "custom", "Nonesuch", "--config");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no CPU model “Nonesuch”"));
  after = kt_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* --force: a warning, and it is set */
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "custom", "Broadwell", "--config", "--force");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "Warning: CPU model Broadwell cannot run on this host"));
  cpu = cpu_of (path, "web1");
  g_assert_cmpstr (cpu, ==, "<cpu mode=\"custom\" match=\"exact\">");
  g_clear_pointer (&cpu, g_free);

  /* A usable model needs no --force */
  g_assert_true (g_file_set_contents (path, before, -1, NULL));
  kt_test_run_cli (&r, "--snapshot", path, "cpu-model", "web1", "custom", "EPYC-Milan", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  kt_test_run_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-tune/snapshot-pin", test_snapshot_pin);
  g_test_add_func ("/cli-tune/errors-change-nothing", test_errors_change_nothing);
  g_test_add_func ("/cli-tune/domain-file", test_domain_file);
  g_test_add_func ("/cli-tune/cpu-model", test_cpu_model);
  return g_test_run ();
}
