/* test-render.c: `kvmtune-cli render`, run as a program
 *
 * Renders the demo snapshot and fixture hosts to PNG and SVG and checks
 * the files: the PNG's size, that it is not blank, that the VMs' colours
 * are in it; the SVG parses as XML.  The CLI comes from $KT_CLI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>
#include <sys/wait.h>

#include "kt-map-painter.h"
#include "kt-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

static char *tmp_dir;

/* Running the CLI ------------------------------------------------------------ */

static void
assert_success (const KtTestRun *r)
{
  if (r->status != 0)
    g_test_message ("stderr: %s", r->err);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
}

/* Exit @code with one "kvmtune-cli: ..." line on stderr */
static void
assert_failure (const KtTestRun *r,
                int              code)
{
  const char *nl;

  g_assert_cmpint (r->status, ==, code);
  g_assert_true (g_str_has_prefix (r->err, "kvmtune-cli: "));
  nl = strchr (r->err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpint (nl[1], ==, '\0');
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Checking images ------------------------------------------------------------ */

static guint32
pixel_at (cairo_surface_t *image,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (image);

  return *(const guint32 *) (data + (gsize) y * cairo_image_surface_get_stride (image) + 4 * x)
         & 0xffffff;
}

static guint32
color_rgb (KtMapColor c)
{
  return ((guint32) (c.red * 255 + 0.5) << 16) | ((guint32) (c.green * 255 + 0.5) << 8)
         | (guint32) (c.blue * 255 + 0.5);
}

static gboolean
near (guint32 a,
      guint32 b)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 2)
      return FALSE;
  return TRUE;
}

/* Loads @path, checks its size, and returns how many distinct colours it
 * has (counting stops at 1000) */
static cairo_surface_t *
load_png (const char *path,
          int         width,
          int         height,
          guint      *n_colors)
{
  cairo_surface_t *image = cairo_image_surface_create_from_png (path);
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);

  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, height);
  for (int y = 0; y < height && g_hash_table_size (colors) < 1000; y++)
    for (int x = 0; x < width; x++)
      g_hash_table_add (colors, GUINT_TO_POINTER (pixel_at (image, x, y) + 1));
  *n_colors = g_hash_table_size (colors);
  return image;
}

static gboolean
has_color (cairo_surface_t *image,
           guint32          rgb)
{
  int w = cairo_image_surface_get_width (image);
  int h = cairo_image_surface_get_height (image);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (near (pixel_at (image, x, y), rgb))
        return TRUE;
  return FALSE;
}

static void
assert_svg (const char *path,
            int         width,
            int         height)
{
  g_autoptr(xmlDoc) doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
  g_autofree char *w = NULL;
  g_autofree char *h = NULL;
  xmlNode *root;

  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  g_assert_nonnull (root);
  g_assert_cmpstr ((const char *) root->name, ==, "svg");
  w = kt_test_attr (root, "width");
  h = kt_test_attr (root, "height");
  g_assert_cmpint ((int) g_ascii_strtod (w, NULL), ==, width);
  g_assert_cmpint ((int) g_ascii_strtod (h, NULL), ==, height);
  /* Something drawn */
  g_assert_nonnull (xmlFirstElementChild (root));
}

/* Tests ---------------------------------------------------------------------- */

static void
test_demo_png (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *out = tmp_path ("demo.png");
  g_auto(KtTestRun) r = { 0, };
  cairo_surface_t *image;
  KtMapStyle style;
  guint n_colors, n_vms_seen = 0;

  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", out, "--width", "900", "--height", "560");
  assert_success (&r);
  g_assert_nonnull (strstr (r.out, out));

  image = load_png (out, 900, 560, &n_colors);
  g_assert_cmpuint (n_colors, >=, 20);

  /* The background in the corner, the VMs' colours in their chips */
  kt_map_style_init_default (&style, FALSE);
  g_assert_true (near (pixel_at (image, 0, 0), color_rgb (style.window_bg)));
  for (guint i = 0; i < 8; i++)
    if (has_color (image, color_rgb (kt_map_style_vm_color (&style, i))))
      n_vms_seen++;
  /* Six of the demo's eight VMs pin threads; the others float */
  g_assert_cmpuint (n_vms_seen, >=, 6);
  kt_map_style_clear (&style);
  cairo_surface_destroy (image);
}

static void
test_demo_dark (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *out = tmp_path ("demo-dark.png");
  g_auto(KtTestRun) r = { 0, };
  cairo_surface_t *image;
  KtMapStyle style;
  guint n_colors;

  kt_test_run_cli (&r, "--snapshot", demo, "render", "--dark", "-o", out, "--width", "640",
           "--height", "400");
  assert_success (&r);
  image = load_png (out, 640, 400, &n_colors);
  g_assert_cmpuint (n_colors, >=, 20);
  kt_map_style_init_default (&style, TRUE);
  g_assert_true (near (pixel_at (image, 0, 0), color_rgb (style.window_bg)));
  g_assert_true (has_color (image, color_rgb (kt_map_style_vm_color (&style, 0))));
  kt_map_style_clear (&style);
  cairo_surface_destroy (image);
}

static void
test_demo_svg (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *out = tmp_path ("demo.svg");
  g_autofree char *text = NULL;
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", out);
  assert_success (&r);
  assert_svg (out, 1600, 1000);
  /* Shapes in colour, text as glyphs */
  text = kt_test_read_file (out, NULL);
  g_assert_nonnull (strstr (text, "<path"));
  g_assert_nonnull (strstr (text, "rgb("));
  g_assert_nonnull (strstr (text, "glyph"));
}

static void
test_default_size (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *out = tmp_path ("default.PNG");
  g_auto(KtTestRun) r = { 0, };
  cairo_surface_t *image;
  guint n_colors;

  kt_test_run_cli (&r, "--snapshot", demo, "render", "--output", out);
  assert_success (&r);
  image = load_png (out, 1600, 1000, &n_colors);
  g_assert_cmpuint (n_colors, >=, 20);
  cairo_surface_destroy (image);
}

static void
test_tiny_sizes (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *out = tmp_path ("tiny.png");
  const char *sizes[][2] = { { "1", "1" }, { "3", "700" }, { "700", "3" }, { "40", "25" } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_auto(KtTestRun) r = { 0, };
      cairo_surface_t *image;
      guint n_colors;

      kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", out, "--width", sizes[i][0],
               "--height", sizes[i][1]);
      assert_success (&r);
      image = load_png (out, atoi (sizes[i][0]), atoi (sizes[i][1]), &n_colors);
      g_assert_cmpuint (n_colors, >=, 1);
      cairo_surface_destroy (image);
    }
}

static void
test_fixture_host (gconstpointer data)
{
  const char *rel = data;
  g_autofree char *caps = kt_test_fixture_path (rel);
  g_autofree char *base = g_path_get_basename (rel);
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  cairo_surface_t *image;
  guint n_colors;

  *strrchr (base, '.') = '\0';
  png = g_strdup_printf ("%s/%s.png", tmp_dir, base);
  svg = g_strdup_printf ("%s/%s.svg", tmp_dir, base);

  {
    g_auto(KtTestRun) r = { 0, };

    kt_test_run_cli (&r, "--caps", caps, "render", "-o", png, "--width", "1024", "--height", "640");
    assert_success (&r);
    image = load_png (png, 1024, 640, &n_colors);
    /* Boxes, borders and text at least */
    g_assert_cmpuint (n_colors, >=, 8);
    cairo_surface_destroy (image);
  }
  {
    g_auto(KtTestRun) r = { 0, };

    kt_test_run_cli (&r, "--caps", caps, "render", "-o", svg, "--width", "1024", "--height", "640");
    assert_success (&r);
    assert_svg (svg, 1024, 640);
  }
}

/* A fixture host with fixture domains: their chips are drawn */
static void
test_fixture_domains (void)
{
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-64amd64-4s2n4ca2co.xml");
  g_autofree char *d1 = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *d2 = kt_test_fixture_path ("domains/cputune-numatune.xml");
  g_autofree char *out = tmp_path ("domains.png");
  g_auto(KtTestRun) r = { 0, };
  cairo_surface_t *image;
  KtMapStyle style;
  guint n_colors;

  kt_test_run_cli (&r, "--caps", caps, "--domain", d1, "--domain", d2, "render", "-o", out);
  assert_success (&r);
  image = load_png (out, 1600, 1000, &n_colors);
  kt_map_style_init_default (&style, FALSE);
  /* Domain files are definitions only: drawn as shut off, muted */
  g_assert_true (has_color (image, color_rgb (kt_map_style_vm_color_muted (&style, 0, TRUE))));
  kt_map_style_clear (&style);
  cairo_surface_destroy (image);
}

static void
test_errors (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *jpg = tmp_path ("map.jpg");
  g_autofree char *noext = tmp_path ("map");
  g_autofree char *png = tmp_path ("usage.png");
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-dir", "map.png", NULL);
  g_autofree char *missing_svg = g_build_filename (tmp_dir, "no-such-dir", "map.svg", NULL);
  g_autofree char *nosource = tmp_path ("no-such.kvmtune");
  g_autofree char *dir_png = tmp_path ("a-directory.png");
  struct
  {
    int         code;
    const char *args[12];
  } cases[] = {
    /* Unknown image types and unwritable files: 1 */
    { 1, { "--snapshot", demo, "render", "-o", jpg, NULL } },
    { 1, { "--snapshot", demo, "render", "-o", noext, NULL } },
    { 1, { "--snapshot", demo, "render", "-o", missing, NULL } },
    { 1, { "--snapshot", demo, "render", "-o", missing_svg, NULL } },
    { 1, { "--snapshot", demo, "render", "-o", tmp_dir, NULL } },
    { 1, { "--snapshot", demo, "render", "-o", dir_png, NULL } },
    { 1, { "--snapshot", nosource, "render", "-o", png, NULL } },
    /* Usage: 2 */
    { 2, { "--snapshot", demo, "render", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "extra", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "--width", "0", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "--height", "-5", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "--width", "wide", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "--width", "100000", NULL } },
    { 2, { "--snapshot", demo, "render", "-o", png, "--bogus", NULL } },
    { 2, { "--snapshot", demo, "--caps", demo, "render", "-o", png, NULL } },
  };

  g_assert_cmpint (g_mkdir (dir_png, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(KtTestRun) r = { 0, };

      kt_test_run_cli_full (&r, NULL, cases[i].args);
      g_test_message ("case %u: %s", i, r.err);
      assert_failure (&r, cases[i].code);
      g_assert_cmpstr (r.out, ==, "");
    }
  /* Nothing left behind */
  g_assert_false (g_file_test (jpg, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
}

/* The painter in-process, with every kind of state, transformation and
 * surface: nothing may fail, and the selection shows */
static cairo_status_t
discard (void                *closure,
         const unsigned char *data,
         unsigned int         length)
{
  return CAIRO_STATUS_SUCCESS;
}

static void
paint_one (cairo_surface_t       *surface,
           double                 scale,
           double                 angle,
           gboolean               clip,
           KtSnapshot            *snapshot,
           const KtMapLayout     *layout,
           const KtMapOverlay    *overlay,
           const KtMapStyle      *style,
           const KtMapPaintState *state)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, style->window_bg.red, style->window_bg.green, style->window_bg.blue);
  cairo_paint (cr);
  if (clip)
    {
      cairo_rectangle (cr, 10, 10, 300, 200);
      cairo_clip (cr);
    }
  cairo_translate (cr, 5.5, 3.25);
  cairo_rotate (cr, angle);
  cairo_scale (cr, scale, scale);
  kt_map_paint_topology (cr, kt_snapshot_get_host (snapshot), NULL, layout, style);
  kt_map_paint_overlay (cr, layout, overlay, style, state);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
}

static void
test_painter_states (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = kt_snapshot_load_file (demo, &error);
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(KtMapLayout) layout = NULL;
  g_autoptr(KtMapOverlay) overlay = NULL;
  g_autoptr(KtCpuset) target = kt_cpuset_new_range (7, 7);
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  const KtMapChip *chip = NULL;
  KtMapPaintState state = { 0, };
  const double scales[] = { 0.02, 0.3, 1, 2.5, 9 };
  KtVm *web1;

  g_assert_no_error (error);
  web1 = kt_snapshot_lookup_vm (snapshot, "web1");
  g_assert_nonnull (web1);
  /* A pending pin, drawn dashed */
  plan = kt_plan_new (snapshot);
  g_assert_true (kt_plan_pin (plan, web1, (const guint[]) { 0 }, 1, target, &error));
  g_assert_no_error (error);

  layout = kt_map_layout_new (kt_snapshot_get_host (snapshot));
  overlay = kt_map_overlay_new (snapshot, plan, layout);
  for (guint i = 0; i < kt_map_overlay_get_chips (overlay)->len && chip == NULL; i++)
    {
      const KtMapChip *c = g_ptr_array_index (kt_map_overlay_get_chips (overlay), i);

      if (c->pending)
        chip = c;
    }
  g_assert_nonnull (chip);
  g_ptr_array_add (selected, (gpointer) chip);
  state.selected_vm = web1;
  state.selected_chips = selected;
  state.hover = kt_map_layout_get_pu (layout, 3);
  state.drop_target = kt_map_layout_get_pu (layout, 12);

  for (guint dark = 0; dark < 2; dark++)
    {
      KtMapStyle style;

      kt_map_style_init_default (&style, dark);
      style.font_family = g_strdup ("Sans");
      for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
        {
          cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 640, 400);
          cairo_surface_t *rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 640, 400);
          cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA,
                                                                       NULL);
          cairo_surface_t *svg = cairo_svg_surface_create_for_stream (discard, NULL, 640, 400);

          state.drop_allowed = i % 2;
          paint_one (image, scales[i], 0, FALSE, snapshot, layout, overlay, &style, &state);
          paint_one (rgb, scales[i], 0, TRUE, snapshot, layout, overlay, &style, &state);
          paint_one (rgb, scales[i], 0.3, FALSE, snapshot, layout, overlay, &style, NULL);
          paint_one (recording, scales[i], 0, TRUE, snapshot, layout, overlay, &style, &state);
          paint_one (svg, scales[i], 0, FALSE, snapshot, layout, overlay, &style, &state);
          cairo_surface_finish (svg);
          g_assert_cmpint (cairo_surface_status (svg), ==, CAIRO_STATUS_SUCCESS);

          /* At 100 %, the selection is outlined in the accent colour */
          if (scales[i] == 1)
            {
              cairo_surface_flush (image);
              g_assert_true (has_color (image, color_rgb (style.accent)));
            }
          cairo_surface_destroy (image);
          cairo_surface_destroy (rgb);
          cairo_surface_destroy (recording);
          cairo_surface_destroy (svg);
        }
      kt_map_style_clear (&style);
    }
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}


static int
saturation (guint32 rgb)
{
  int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

  return MAX (r, MAX (g, b)) - MIN (r, MIN (g, b));
}

/* A shut-off VM's chips are drawn muted, a running VM's in full colour */
static void
test_painter_shut_off (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = kt_snapshot_load_file (demo, &error);
  g_autoptr(KtMapLayout) layout = NULL;
  g_autoptr(KtMapOverlay) overlay = NULL;
  const KtMapChip *off = NULL, *on = NULL;
  cairo_surface_t *image;
  KtMapStyle style;
  cairo_t *cr;

  g_assert_no_error (error);
  layout = kt_map_layout_new (kt_snapshot_get_host (snapshot));
  overlay = kt_map_overlay_new (snapshot, NULL, layout);
  for (guint i = 0; i < kt_map_overlay_get_chips (overlay)->len; i++)
    {
      const KtMapChip *c = g_ptr_array_index (kt_map_overlay_get_chips (overlay), i);

      if (c->kind != KT_THREAD_VCPU)
        continue;
      if (off == NULL && kt_vm_get_state (c->vm) == KT_VM_STATE_SHUTOFF)
        off = c;
      if (on == NULL && kt_vm_get_state (c->vm) == KT_VM_STATE_RUNNING)
        on = c;
    }
  g_assert_nonnull (off);   /* build-runner */
  g_assert_nonnull (on);

  kt_map_style_init_default (&style, FALSE);
  style.font_family = g_strdup ("Sans");
  image = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                      (int) kt_map_layout_get_root (layout)->rect.width + 1,
                                      (int) kt_map_layout_get_root (layout)->rect.height + 1);
  cr = cairo_create (image);
  cairo_set_source_rgb (cr, style.window_bg.red, style.window_bg.green, style.window_bg.blue);
  cairo_paint (cr);
  kt_map_paint_topology (cr, kt_snapshot_get_host (snapshot), NULL, layout, &style);
  kt_map_paint_overlay (cr, layout, overlay, &style, NULL);
  cairo_destroy (cr);
  cairo_surface_flush (image);

  {
    guint32 on_px = pixel_at (image, (int) (on->rect.x + 2), (int) (on->rect.y + on->rect.height / 2));
    guint32 off_px = pixel_at (image, (int) (off->rect.x + 2), (int) (off->rect.y + off->rect.height / 2));
    guint32 off_full = color_rgb (kt_map_style_vm_color (&style, off->vm_index));

    g_assert_true (near (on_px, color_rgb (kt_map_style_vm_color (&style, on->vm_index))));
    g_assert_false (near (off_px, off_full));
    g_assert_true (near (off_px, color_rgb (kt_map_style_vm_color_muted (&style, off->vm_index, TRUE))));
    g_assert_cmpint (saturation (off_px), <, saturation (off_full) / 2);
  }
  cairo_surface_destroy (image);
  kt_map_style_clear (&style);
}

int
main (int    argc,
      char **argv)
{
  static const char *hosts[] = {
    "hosts/real-64amd64-4s2n4ca2co.xml",
    "hosts/real-256ia64-64n2s2c.xml",
    "hosts/real-16em64t-4s2c2t-offlines.xml",
    "hosts/real-fakeheteromemtiers.xml",
    "hosts/real-20em64t-hybrid-1p6c2t+2ca4co1t.xml",
    "hosts/libvirt-caps-test.xml",
  };
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("kt-test-render-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/render/demo/png", test_demo_png);
  g_test_add_func ("/render/demo/dark", test_demo_dark);
  g_test_add_func ("/render/demo/svg", test_demo_svg);
  g_test_add_func ("/render/default-size", test_default_size);
  g_test_add_func ("/render/tiny-sizes", test_tiny_sizes);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *base = g_path_get_basename (hosts[i]);
      g_autofree char *path = g_strdup_printf ("/render/host/%s", base);

      g_test_add_data_func (path, hosts[i], test_fixture_host);
    }
  g_test_add_func ("/render/domains", test_fixture_domains);
  g_test_add_func ("/render/errors", test_errors);
  g_test_add_func ("/render/painter/states", test_painter_states);
  g_test_add_func ("/render/painter/shut-off", test_painter_shut_off);

  ret = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
