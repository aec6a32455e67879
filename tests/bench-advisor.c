/* bench-advisor.c: the time of kvmtune-cli advise's engine on 200 VMs
 *
 * Builds snapshots of 200 VMs (1:1 pins, pin sets, floating, hugepages
 * and locked memory, numad placement, guest SMT, iothreads) on the demo
 * host and on larger host fixtures, and prints the median time of
 * kt_advisor_run() and of its JSON.  Asserts nothing about time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kt-advisor.h"
#include "kt-json.h"
#include "kt-test-util.h"

#define RUNS   7
#define N_VMS  200

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* One VM of the mix; @cpus the host's online CPUs */
static char *
vm_xml (guint        i,
        KtHost      *host,
        const GArray *cpus)
{
  g_autoptr(GString) x = g_string_new (NULL);
  guint n_nodes = kt_host_get_n_nodes (host);
  guint vcpus = 2 + i % 4;
  guint base = (i * 3) % cpus->len;
  int node = kt_host_get_node (host, i % n_nodes)->id;

  g_string_append_printf (x, "<domain type='kvm'><name>vm%03u</name>"
                          "<memory unit='KiB'>%u</memory>", i, (1 + i % 4) * 1048576);
  switch (i % 6)
    {
    case 3:
      g_string_append (x, "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages>"
                          "<locked/></memoryBacking>");
      break;
    default:
      break;
    }
  if (i % 6 == 4)
    g_string_append_printf (x, "<vcpu placement='auto'>%u</vcpu>", vcpus);
  else
    g_string_append_printf (x, "<vcpu placement='static'>%u</vcpu>", vcpus);
  if (i % 6 == 5)
    g_string_append (x, "<iothreads>2</iothreads>");
  if (i % 6 == 0 || i % 6 == 2 || i % 6 == 3 || i % 6 == 5)
    {
      g_string_append (x, "<cputune>");
      for (guint v = 0; v < vcpus; v++)
        {
          guint c = g_array_index (cpus, guint, (base + v) % cpus->len);

          if (i % 6 == 2)
            g_string_append_printf (x, "<vcpupin vcpu='%u' cpuset='%u-%u'/>", v, c, c + 1);
          else
            g_string_append_printf (x, "<vcpupin vcpu='%u' cpuset='%u'/>", v, c);
        }
      if (i % 6 == 0)
        g_string_append_printf (x, "<emulatorpin cpuset='%u'/>",
                                g_array_index (cpus, guint, (base + vcpus) % cpus->len));
      g_string_append (x, "</cputune>");
    }
  if (i % 6 == 0 || i % 6 == 3)
    g_string_append_printf (x, "<numatune><memory mode='strict' nodeset='%d'/></numatune>", node);
  if (i % 6 == 5)
    g_string_append (x, "<cpu mode='host-passthrough'><topology sockets='1' dies='1' cores='1' "
                        "threads='2'/></cpu>");
  g_string_append (x, "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>");
  return g_string_free (g_steal_pointer (&x), FALSE);
}

static KtSnapshot *
make_snapshot (const char *caps_path)
{
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_new (caps, NULL, &error);
  KtHost *host;
  g_autoptr(GArray) cpus = NULL;

  g_assert_no_error (error);
  host = kt_snapshot_get_host (s);
  cpus = kt_cpuset_to_array (kt_host_get_online_cpus (host));
  for (guint i = 0; i < N_VMS; i++)
    {
      g_autofree char *xml = vm_xml (i, host, cpus);
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
      g_autoptr(KtVm) vm = NULL;

      g_assert_no_error (error);
      vm = kt_vm_new (kt_domain_get_name (d), i % 2 ? KT_VM_STATE_RUNNING : KT_VM_STATE_SHUTOFF,
                      i % 2 ? (int) i : -1, TRUE, i % 2 ? d : NULL, d);
      kt_snapshot_add_vm (s, vm, &error);
      g_assert_no_error (error);
    }
  return s;
}

static void
bench_host (const char *label,
            const char *caps_path)
{
  g_autoptr(KtSnapshot) s = make_snapshot (caps_path);
  KtHost *host = kt_snapshot_get_host (s);
  KtCpuset *reserved = kt_cpuset_new_range (0, 1);
  KtAdvisorOptions o = { reserved, NULL };
  double run[RUNS], json[RUNS];
  guint n = 0;
  g_autoptr(GHashTable) rules = g_hash_table_new (g_str_hash, g_str_equal);

  /* Warm-up */
  g_ptr_array_unref (kt_advisor_run (s, &o));
  for (guint r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GPtrArray) f = kt_advisor_run (s, &o);
      gint64 t1 = g_get_monotonic_time ();
      JsonNode *node = kt_advisor_to_json (f);
      g_autofree char *text = kt_json_to_string (node);
      gint64 t2 = g_get_monotonic_time ();

      json_node_unref (node);
      run[r] = (t1 - t0) / 1e3;
      json[r] = (t2 - t1) / 1e3;
      n = f->len;
      for (guint i = 0; i < f->len; i++)
        g_hash_table_add (rules, (gpointer) ((KtFinding *) g_ptr_array_index (f, i))->rule);
    }
  qsort (run, RUNS, sizeof run[0], cmp_double);
  qsort (json, RUNS, sizeof json[0], cmp_double);
  g_print ("advise %-40s %3u PUs %2u nodes %u VMs: %7.2f ms (JSON %6.2f ms), %u findings of "
           "%u rules\n", label, kt_host_get_n_cpus (host), kt_host_get_n_nodes (host), N_VMS,
           run[RUNS / 2], json[RUNS / 2], n, g_hash_table_size (rules));
  kt_cpuset_free (reserved);
}

int
main (int    argc,
      char **argv)
{
  const char *hosts[] = {
    "hosts/real-16amd64-8n2c.xml",
    "hosts/real-96em64t-4no4pa3ca2co.xml",
    "hosts/real-256ia64-64n2s2c.xml",
  };
  g_autofree char *demo = g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) demo_s = kt_snapshot_load_file (demo, &error);
  g_autofree char *demo_caps = NULL;

  g_assert_no_error (error);
  /* The demo host's capabilities, as a file */
  demo_caps = g_build_filename (g_get_tmp_dir (), "bench-advisor-demo-caps.xml", NULL);
  g_assert_true (g_file_set_contents (demo_caps, kt_snapshot_get_caps_xml (demo_s), -1, NULL));
  bench_host ("demo-host", demo_caps);
  g_unlink (demo_caps);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *path = kt_test_fixture_path (hosts[i]);

      bench_host (hosts[i] + strlen ("hosts/"), path);
    }
  return 0;
}
