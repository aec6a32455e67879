/* bench-map.c: timings of the map painter, for `meson test --benchmark`
 *
 * (a) Offscreen paints at 1920×1080 (topology + overlay, and each alone)
 *     of the largest fixture host and of generated 448- and 2048-PU hosts
 *     with pinned VMs.
 * (b) `kvmtune-cli render` against hwloc's `lstopo --of png`, whole
 *     processes, on the same synthetic machine shapes and image sizes.
 *
 * Prints one plain line per measurement (medians); asserts nothing about
 * time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "kt-map-painter.h"
#include "kt-test-util.h"

#define FRAME_W     1920
#define FRAME_H     1080
#define FRAME_RUNS  25     /* timed paints; the median is printed */
#define CLI_RUNS    10     /* timed processes per program */

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
  qsort (v, n, sizeof v[0], cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Generated hosts ------------------------------------------------------------ */

typedef struct
{
  guint nodes;
  guint nodes_per_socket;
  guint cores;            /* per node */
  guint threads;
  guint l3;               /* per node */
} Shape;

/* Capabilities XML of @shape, numbered like Linux: every core's first
 * thread, then every core's second thread... */
static char *
make_caps (const Shape *shape)
{
  GString *s = g_string_new ("<capabilities>\n  <host>\n    <cpu><arch>x86_64</arch></cpu>\n"
                             "    <topology>\n");
  g_autoptr(GString) banks = g_string_new (NULL);
  guint total_cores = shape->nodes * shape->cores;
  guint per_l3 = shape->cores / shape->l3;

  g_string_append_printf (s, "      <cells num='%u'>\n", shape->nodes);
  for (guint n = 0; n < shape->nodes; n++)
    {
      g_string_append_printf (s, "        <cell id='%u'>\n"
                                 "          <memory unit='KiB'>%u</memory>\n"
                                 "          <pages unit='KiB' size='4'>%u</pages>\n"
                                 "          <pages unit='KiB' size='2048'>1024</pages>\n"
                                 "          <pages unit='KiB' size='1048576'>8</pages>\n"
                                 "          <distances>\n",
                              n, 64u << 20, 8u << 20);
      for (guint m = 0; m < shape->nodes; m++)
        g_string_append_printf (s, "            <sibling id='%u' value='%u'/>\n", m,
                                m == n ? 10 : m / shape->nodes_per_socket == n / shape->nodes_per_socket
                                              ? 12 : 32);
      g_string_append_printf (s, "          </distances>\n          <cpus num='%u'>\n",
                              shape->cores * shape->threads);
      for (guint c = 0; c < shape->cores; c++)
        {
          guint g = n * shape->cores + c;
          g_autoptr(GString) siblings = g_string_new (NULL);

          for (guint t = 0; t < shape->threads; t++)
            g_string_append_printf (siblings, "%s%u", t ? "," : "", t * total_cores + g);
          for (guint t = 0; t < shape->threads; t++)
            g_string_append_printf (s, "            <cpu id='%u' socket_id='%u' die_id='0' "
                                       "core_id='%u' siblings='%s'/>\n",
                                    t * total_cores + g, n / shape->nodes_per_socket,
                                    (n % shape->nodes_per_socket) * shape->cores + c,
                                    siblings->str);
        }
      g_string_append (s, "          </cpus>\n        </cell>\n");

      for (guint l = 0; l < shape->l3; l++)
        {
          g_string_append_printf (banks, "      <bank id='%u' level='3' type='both' size='32768' "
                                         "unit='KiB' cpus='", n * shape->l3 + l);
          for (guint t = 0; t < shape->threads; t++)
            g_string_append_printf (banks, "%s%u-%u", t ? "," : "",
                                    t * total_cores + n * shape->cores + l * per_l3,
                                    t * total_cores + n * shape->cores + (l + 1) * per_l3 - 1);
          g_string_append (banks, "'/>\n");
        }
    }
  g_string_append_printf (s, "      </cells>\n    </topology>\n    <cache>\n%s    </cache>\n"
                             "  </host>\n</capabilities>\n", banks->str);
  return g_string_free (s, FALSE);
}

/* A running VM with @n_vcpus vCPUs pinned one by one to @cpus from @first
 * (wrapping round), its emulator to the two CPUs after them and, every
 * third VM, an iothread */
static KtVm *
make_vm (guint         index,
         guint         n_vcpus,
         const GArray *cpus,
         guint         first)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autofree char *name = g_strdup_printf ("bench-%02u", index);
  g_autofree char *uuid = g_uuid_string_random ();
  gboolean iothread = index % 3 == 0;

#define CPU_AT(i) g_array_index (cpus, int, (first + (i)) % cpus->len)

  g_string_append_printf (xml, "<domain type='kvm'>\n  <name>%s</name>\n  <uuid>%s</uuid>\n"
                               "  <memory unit='KiB'>8388608</memory>\n"
                               "  <vcpu placement='static'>%u</vcpu>\n",
                          name, uuid, n_vcpus);
  if (iothread)
    g_string_append (xml, "  <iothreads>1</iothreads>\n");
  g_string_append (xml, "  <cputune>\n");
  for (guint v = 0; v < n_vcpus; v++)
    g_string_append_printf (xml, "    <vcpupin vcpu='%u' cpuset='%d'/>\n", v, CPU_AT (v));
  g_string_append_printf (xml, "    <emulatorpin cpuset='%d,%d'/>\n", CPU_AT (n_vcpus),
                          CPU_AT (n_vcpus + 1));
  if (iothread)
    g_string_append_printf (xml, "    <iothreadpin iothread='1' cpuset='%d'/>\n",
                            CPU_AT (n_vcpus + 1));
  g_string_append (xml, "  </cputune>\n  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n"
                        "  </os>\n</domain>\n");
#undef CPU_AT

  live = kt_domain_new_from_xml (xml->str, xml->len, &error);
  if (live == NULL)
    g_error ("Generated domain %s: %s", name, error->message);
  return kt_vm_new (name, KT_VM_STATE_RUNNING, (int) index + 1, TRUE, live, NULL);
}

/* @caps with @n_vms VMs of 8 to 16 vCPUs, packed over the online CPUs in
 * order (so that, past the host's size, some share) */
static KtSnapshot *
make_snapshot (const char *caps,
               guint       n_vms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = kt_snapshot_new (caps, NULL, &error);
  g_autoptr(GArray) cpus = NULL;
  guint next = 0;

  if (snapshot == NULL)
    g_error ("Generated host: %s", error->message);
  cpus = kt_cpuset_to_array (kt_host_get_online_cpus (kt_snapshot_get_host (snapshot)));
  for (guint i = 0; i < n_vms; i++)
    {
      guint n_vcpus = 8 + (i * 5) % 9;
      g_autoptr(KtVm) vm = make_vm (i, n_vcpus, cpus, next);

      if (!kt_snapshot_add_vm (snapshot, vm, &error))
        g_error ("%s", error->message);
      next += n_vcpus + 2;
    }
  return g_steal_pointer (&snapshot);
}

/* The fixture host with the most CPUs */
static char *
largest_fixture (void)
{
  g_autoptr(GPtrArray) names = kt_test_list_fixtures ("hosts", ".xml");
  g_autofree char *best = NULL;
  guint best_n = 0;

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *rel = g_strdup_printf ("hosts/%s", (char *) g_ptr_array_index (names, i));
      g_autofree char *path = kt_test_fixture_path (rel);
      g_autoptr(KtHost) host = kt_host_new_from_file (path, NULL);

      if (host != NULL && kt_host_get_n_cpus (host) > best_n)
        {
          best_n = kt_host_get_n_cpus (host);
          g_free (best);
          best = g_steal_pointer (&path);
        }
    }
  if (best == NULL)
    g_error ("No host fixture");
  return g_steal_pointer (&best);
}

/* (a) Offscreen paints ------------------------------------------------------- */

typedef struct
{
  KtSnapshot   *snapshot;
  KtMapLayout  *layout;
  KtMapOverlay *overlay;
  KtMapStyle    style;
  cairo_t      *cr;
} Frame;

static void
frame_begin (Frame *f)
{
  const KtMapBox *root = kt_map_layout_get_root (f->layout);
  double scale = MIN ((FRAME_W - 32.0) / root->rect.width, (FRAME_H - 32.0) / root->rect.height);

  cairo_save (f->cr);
  cairo_translate (f->cr, (FRAME_W - root->rect.width * scale) / 2,
                   (FRAME_H - root->rect.height * scale) / 2);
  cairo_scale (f->cr, scale, scale);
}

static void
paint_background (Frame *f)
{
  cairo_set_source_rgb (f->cr, f->style.window_bg.red, f->style.window_bg.green,
                        f->style.window_bg.blue);
  cairo_paint (f->cr);
}

static void
paint_full (Frame *f)
{
  paint_background (f);
  frame_begin (f);
  kt_map_paint_topology (f->cr, kt_snapshot_get_host (f->snapshot), NULL, f->layout, &f->style);
  kt_map_paint_overlay (f->cr, f->layout, f->overlay, &f->style, NULL);
  cairo_restore (f->cr);
}

static void
paint_topology (Frame *f)
{
  paint_background (f);
  frame_begin (f);
  kt_map_paint_topology (f->cr, kt_snapshot_get_host (f->snapshot), NULL, f->layout, &f->style);
  cairo_restore (f->cr);
}

static void
paint_overlay (Frame *f)
{
  frame_begin (f);
  kt_map_paint_overlay (f->cr, f->layout, f->overlay, &f->style, NULL);
  cairo_restore (f->cr);
}

/* This thread's CPU time in milliseconds: paints are single-threaded,
 * and other processes on the machine (compilers...) then count less */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Milliseconds of CPU, median of FRAME_RUNS after a warm-up; the surface
 * is flushed so that nothing is left pending */
static double
time_paint (Frame  *f,
            void  (*paint) (Frame *),
            double *min)
{
  double ms[FRAME_RUNS];

  paint (f);
  cairo_surface_flush (cairo_get_target (f->cr));
  for (guint r = 0; r < FRAME_RUNS; r++)
    {
      double start = cpu_ms ();

      paint (f);
      cairo_surface_flush (cairo_get_target (f->cr));
      ms[r] = cpu_ms () - start;
    }
  median (ms, FRAME_RUNS);
  if (min != NULL)
    *min = ms[0];
  return ms[FRAME_RUNS / 2];
}

static void
bench_frame (const char *label,
             KtSnapshot *snapshot)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, FRAME_W, FRAME_H);
  KtHost *host = kt_snapshot_get_host (snapshot);
  Frame f = { snapshot, NULL, NULL, { 0, }, NULL };
  double build[FRAME_RUNS];
  double full, topo, over, full_min;

  for (guint r = 0; r < FRAME_RUNS; r++)
    {
      double start = cpu_ms ();

      g_clear_pointer (&f.overlay, kt_map_overlay_free);
      g_clear_pointer (&f.layout, kt_map_layout_free);
      f.layout = kt_map_layout_new (host);
      f.overlay = kt_map_overlay_new (snapshot, NULL, f.layout);
      build[r] = cpu_ms () - start;
    }
  kt_map_style_init_default (&f.style, FALSE);
  f.cr = cairo_create (surface);

  full = time_paint (&f, paint_full, &full_min);
  topo = time_paint (&f, paint_topology, NULL);
  over = time_paint (&f, paint_overlay, NULL);
  /* To look at what was timed: KT_BENCH_PNG_DIR=/tmp meson test --benchmark map */
  if (g_getenv ("KT_BENCH_PNG_DIR") != NULL)
    {
      g_autofree char *name = g_strdup_printf ("bench-map-%u.png", kt_host_get_n_cpus (host));
      g_autofree char *path = g_build_filename (g_getenv ("KT_BENCH_PNG_DIR"), name, NULL);

      paint_full (&f);
      cairo_surface_write_to_png (surface, path);
    }
  g_print ("paint %-26s %4u PUs %2u VMs %3u chips: full frame %5.2f ms (min %5.2f; "
           "topology %5.2f, overlay %5.2f; layout + overlay build %5.2f ms)\n",
           label, kt_host_get_n_cpus (host),
           g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)),
           kt_map_overlay_get_chips (f.overlay)->len, full, full_min, topo, over,
           median (build, FRAME_RUNS));

  cairo_destroy (f.cr);
  cairo_surface_destroy (surface);
  kt_map_overlay_free (f.overlay);
  kt_map_layout_free (f.layout);
  kt_map_style_clear (&f.style);
}

/* (b) Whole processes -------------------------------------------------------- */

static double
run_ms (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    g_error ("Cannot run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", argv[0], error->message);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench_processes (const char  *dir,
                 const char  *label,
                 const Shape *shape,
                 const char  *synthetic)
{
  const char *cli = g_getenv ("KT_CLI");
  g_autofree char *lstopo = g_find_program_in_path ("lstopo");
  g_autofree char *caps = make_caps (shape);
  g_autofree char *caps_path = g_build_filename (dir, "caps.xml", NULL);
  g_autofree char *lstopo_png = g_build_filename (dir, "lstopo.png", NULL);
  g_autofree char *cli_png = g_build_filename (dir, "kvmtune.png", NULL);
  g_autofree char *width = NULL;
  g_autofree char *height = NULL;
  /* -f: overwrite the previous run's file */
  const char *lstopo_argv[] = { lstopo, "-f", "--input", synthetic, "--of", "png", lstopo_png,
                                NULL };
  double t_cli[CLI_RUNS], t_lstopo[CLI_RUNS];
  cairo_surface_t *image;
  double a, b;

  if (cli == NULL || lstopo == NULL)
    {
      g_print ("process %s: skipped (%s not found)\n", label, cli == NULL ? "KT_CLI" : "lstopo");
      return;
    }
  if (!g_file_set_contents (caps_path, caps, -1, NULL))
    g_error ("Cannot write %s", caps_path);

  /* The same image size for both: lstopo's own */
  run_ms (lstopo_argv);
  image = cairo_image_surface_create_from_png (lstopo_png);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    g_error ("lstopo wrote no readable PNG");
  width = g_strdup_printf ("%d", cairo_image_surface_get_width (image));
  height = g_strdup_printf ("%d", cairo_image_surface_get_height (image));
  cairo_surface_destroy (image);

  {
    const char *cli_argv[] = { cli, "--caps", caps_path, "render", "-o", cli_png,
                               "--width", width, "--height", height, NULL };

    run_ms (cli_argv);
    for (guint r = 0; r < CLI_RUNS; r++)
      {
        t_cli[r] = run_ms (cli_argv);
        t_lstopo[r] = run_ms (lstopo_argv);
      }
  }
  a = median (t_cli, CLI_RUNS);
  b = median (t_lstopo, CLI_RUNS);
  g_print ("process %-32s %sx%s: kvmtune-cli render %6.1f ms, lstopo --of png %6.1f ms, "
           "ratio %.2f (target <= 0.5)\n", label, width, height, a, b, a / b);
}

int
main (int    argc,
      char **argv)
{
  static const Shape small = { 2, 1, 8, 2, 1 };
  static const Shape mid = { 8, 2, 28, 2, 2 };
  static const Shape big = { 32, 2, 32, 2, 8 };
  g_autofree char *fixture = largest_fixture ();
  g_autofree char *fixture_caps = kt_test_read_file (fixture, NULL);
  g_autofree char *mid_caps = make_caps (&mid);
  g_autofree char *big_caps = make_caps (&big);
  g_autofree char *label = g_path_get_basename (fixture);
  g_autofree char *dir = g_dir_make_tmp ("kt-bench-map-XXXXXX", NULL);
  g_autoptr(KtSnapshot) s1 = make_snapshot (fixture_caps, 20);
  g_autoptr(KtSnapshot) s2 = make_snapshot (mid_caps, 40);
  g_autoptr(KtSnapshot) s3 = make_snapshot (big_caps, 40);

  g_assert_nonnull (dir);
  g_print ("# (a) offscreen paints at %dx%d, CPU time, median of %d (target: full frame "
           "<= 2 ms for 448 PUs)\n", FRAME_W, FRAME_H, FRAME_RUNS);
  bench_frame (label, s1);
  bench_frame ("generated 8n x 28c x 2t", s2);
  bench_frame ("generated 32n x 32c x 2t", s3);

  g_print ("# (b) whole processes on the same synthetic shape and image size, median of %d\n",
           CLI_RUNS);
  bench_processes (dir, "node:2 core:8 pu:2 (32 PUs)", &small, "node:2 core:8 pu:2");
  bench_processes (dir, "pack:4 node:2 l3:2 core:14 pu:2 (448 PUs)", &mid,
                   "pack:4 node:2 l3:2 core:14 pu:2");

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
