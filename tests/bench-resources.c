/* bench-resources.c: time and memory of the preview diff and of pinning
 * many vCPUs.  Prints figures; asserts nothing about them.
 *
 *   meson test -C _build --benchmark resources -v
 *
 * 1. kt_diff_lines on a 20,000-line domain with a one-line change (and,
 *    for the worst case, against 20,000 lines with nothing in common):
 *    time and peak memory (VmHWM, reset through /proc/self/clear_refs).
 * 2. Pinning every vCPU of a 4,096 / 8,192 / 16,384-vCPU domain to one
 *    pCPU: the core setters (kt_domain_set_vcpupin per vCPU, the new XML
 *    and its diff), KtPlan (kt_plan_pin), and the whole
 *    `kvmtune-cli --caps … --domain … pin DOM 0-N 1 --config --dry-run`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "kt-diff.h"
#include "kt-domain.h"
#include "kt-plan.h"
#include "kt-snapshot.h"

/* kB of VmRSS or VmHWM of this process */
static guint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (p = strstr (status, field)) == NULL)
    return 0;
  return g_ascii_strtoull (p + strlen (field) + 1, NULL, 10);
}

/* Resets VmHWM to the current RSS (Linux ≥ 4.0) */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

static char *
big_domain (guint lines)
{
  GString *s = g_string_new ("<domain type='kvm'>\n  <name>big</name>\n"
                             "  <memory unit='KiB'>4194304</memory>\n"
                             "  <vcpu placement='static'>4</vcpu>\n"
                             "  <cputune>\n    <vcpupin vcpu='0' cpuset='0'/>\n  </cputune>\n"
                             "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n"
                             "  <devices>\n");

  for (guint i = 0; i < (lines - 14) / 4; i++)
    g_string_append_printf (s, "    <disk type='file' device='disk'>\n"
                               "      <source file='/var/lib/libvirt/images/d%u.qcow2'/>\n"
                               "      <target dev='vd%u' bus='virtio'/>\n"
                               "    </disk>\n", i, i);
  g_string_append (s, "  </devices>\n</domain>\n");
  return g_string_free (s, FALSE);
}

static void
bench_diff (void)
{
  g_autofree char *before = big_domain (20000);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (before, -1, &error);
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("1", NULL);
  g_autofree char *after = NULL;
  g_autofree char *unrelated = NULL;
  guint n_lines = 0;

  g_assert_no_error (error);
  for (const char *p = before; *p; p++)
    n_lines += *p == '\n';
  g_assert_true (kt_domain_set_vcpupin (d, 0, set, &error));
  after = kt_domain_to_xml (d);
  unrelated = g_strdelimit (g_strdup (before), "v", 'w');   /* every line differs */

  for (guint which = 0; which < 2; which++)
    {
      const char *other = which == 0 ? after : unrelated;
      guint64 rss, peak;
      gint64 t0, t1;
      char *diff;

      rss = status_kib ("VmRSS:");
      if (!reset_peak ())
        g_print ("# (cannot reset VmHWM: peak includes earlier use)\n");
      t0 = g_get_monotonic_time ();
      diff = kt_diff_lines (before, other, "a", "b");
      t1 = g_get_monotonic_time ();
      peak = status_kib ("VmHWM:");
      g_print ("diff %u lines, %s: %.1f ms, peak +%" G_GUINT64_FORMAT " KiB over %"
               G_GUINT64_FORMAT " KiB RSS, %zu bytes of diff\n",
               n_lines, which == 0 ? "one line changed" : "all lines changed",
               (t1 - t0) / 1000.0, peak > rss ? peak - rss : 0, rss, strlen (diff));
      g_free (diff);
    }
}

static char *
vcpu_domain (guint n)
{
  return g_strdup_printf ("<domain type='kvm'>\n  <name>big</name>\n"
                          "  <memory unit='KiB'>4194304</memory>\n"
                          "  <vcpu placement='static'>%u</vcpu>\n"
                          "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n</domain>\n", n);
}

static void
bench_pin (guint n)
{
  g_autofree char *xml = vcpu_domain (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) base = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtDomain) d = NULL;
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *diff = NULL;
  gint64 t0, t1, t2, t3;

  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  d = kt_domain_copy (base);
  for (guint v = 0; v < n; v++)
    if (!kt_domain_set_vcpupin (d, v, set, &error))
      g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();
  out = kt_domain_to_xml (d);
  t2 = g_get_monotonic_time ();
  diff = kt_diff_lines (xml, out, "a", "b");
  t3 = g_get_monotonic_time ();
  g_print ("pin %5u vCPUs, core: setters %.1f ms, XML %.1f ms, diff %.1f ms\n", n,
           (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, (t3 - t2) / 1000.0);
}

static void
bench_plan_and_cli (guint       n,
                    const char *dir,
                    const char *caps)
{
  g_autofree char *xml = vcpu_domain (n);
  g_autofree char *path = g_build_filename (dir, "big.xml", NULL);
  g_autofree char *range = g_strdup_printf ("0-%u", n - 1);
  const char *paths[] = { path, NULL };
  const char *cli = g_getenv ("KT_CLI");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(KtCpuset) target = kt_cpuset_parse ("1", NULL);
  g_autofree guint *vcpus = g_new (guint, n);
  gint64 t0, t1;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  s = kt_snapshot_new_from_files (caps, paths, &error);
  g_assert_no_error (error);
  plan = kt_plan_new (s);
  for (guint i = 0; i < n; i++)
    vcpus[i] = i;
  t0 = g_get_monotonic_time ();
  if (!kt_plan_pin (plan, kt_snapshot_lookup_vm (s, "big"), vcpus, n, target, &error))
    g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();
  g_print ("pin %5u vCPUs, kt_plan_pin: %.1f ms\n", n, (t1 - t0) / 1000.0);

  if (cli != NULL)
    {
      const char *argv[] = { cli, "--caps", caps, "--domain", path, "pin", "big", range, "1",
                             "--config", "--dry-run", NULL };
      g_autofree char *out = NULL;
      int status;

      t0 = g_get_monotonic_time ();
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         &out, NULL, &status, &error))
        g_error ("%s", error->message);
      t1 = g_get_monotonic_time ();
      g_print ("pin %5u vCPUs, kvmtune-cli pin %s 1 --config --dry-run: %.1f ms (exit %d)\n",
               n, range, (t1 - t0) / 1000.0, status);
    }
}

int
main (int   argc,
      char *argv[])
{
  const guint sizes[] = { 4096, 8192, 16384 };
  g_autofree char *dir = g_dir_make_tmp ("kt-bench-XXXXXX", NULL);
  g_autofree char *caps = NULL;
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  caps = g_build_filename (srcdir ? srcdir : "tests", "data", "encodings", "caps.xml", NULL);
  bench_diff ();
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    bench_pin (sizes[i]);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    bench_plan_and_cli (sizes[i], dir, caps);
  return 0;
}
