/* kt-cli-render.c: kvmtune-cli render, the map as a PNG or SVG file
 *
 *   render -o FILE.png|FILE.svg [--width W] [--height H] [--dark] [--format png|svg]
 *
 * It links the map library (layout, overlay, painter) and the core only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <png.h>

#include "kt-cli.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-map-painter.h"

#define RENDER_WIDTH   1600
#define RENDER_HEIGHT  1000
#define RENDER_MAX     16384
#define RENDER_MARGIN  16.0

typedef enum
{
  IMAGE_PNG,
  IMAGE_SVG,
} ImageType;

typedef struct
{
  char    *output;
  int      width;
  int      height;
  gboolean dark;
  char    *format;
} RenderOptions;

static gboolean
parse_render_options (int           *argc,
                      char        ***argv,
                      RenderOptions *opts,
                      GError       **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("");
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opts->output,
      N_("Write to FILE (.png or .svg)"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &opts->width, N_("Image width (default 1600)"), N_("W") },
    { "height", 0, 0, G_OPTION_ARG_INT, &opts->height, N_("Image height (default 1000)"), N_("H") },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &opts->dark, N_("Use dark colours"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &opts->format,
      N_("Image type, png or svg (default: from the file name)"), N_("TYPE") },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, "render");
  return g_option_context_parse (ctx, argc, argv, error);
}

static gboolean
image_type_of (const char  *path,
               const char  *format,
               ImageType   *type,
               GError     **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (format != NULL)
    {
      if (g_ascii_strcasecmp (format, "png") == 0)
        *type = IMAGE_PNG;
      else if (g_ascii_strcasecmp (format, "svg") == 0)
        *type = IMAGE_SVG;
      else
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("Unknown image type “%s”: use png or svg"), format);
          return FALSE;
        }
    }
  else if (g_str_has_suffix (lower, ".png"))
    *type = IMAGE_PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    *type = IMAGE_SVG;
  else
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Cannot tell the image type of “%s”: use a .png or .svg file name, "
                     "or --format"), path);
      return FALSE;
    }
  return TRUE;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* PNG output through libpng.  cairo's own writer keeps libpng's default
 * compression, which takes most of a render's time; the map is opaque and
 * made of flat colours, so RGB rows with the "sub" and "up" filters at
 * zlib level 1 come out about as small and several times faster. */

static void
png_write_to_array (png_structp  png,
                    png_bytep    data,
                    png_size_t   len)
{
  g_byte_array_append (png_get_io_ptr (png), data, len);
}

static void
png_no_flush (png_structp png)
{
}

/* An opaque ARGB32 (or RGB24) image surface as an RGB PNG */
static gboolean
write_png (cairo_surface_t *surface,
           GByteArray      *out)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  g_autofree guint8 *row = g_malloc (3 * (gsize) width);
  png_structp png;
  png_infop info;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  if (png == NULL)
    return FALSE;
  info = png_create_info_struct (png);
  if (info == NULL || setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      return FALSE;
    }
  png_set_write_fn (png, out, png_write_to_array, png_no_flush);
  png_set_IHDR (png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level (png, 1);
  png_set_filter (png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB | PNG_FILTER_UP);
  png_write_info (png, info);
  for (int y = 0; y < height; y++)
    {
      const guint32 *pixels = (const guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < width; x++)
        {
          row[3 * x] = pixels[x] >> 16;
          row[3 * x + 1] = pixels[x] >> 8;
          row[3 * x + 2] = pixels[x];
        }
      png_write_row (png, row);
    }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return TRUE;
}

/* The whole map, scaled to fit @width × @height with its aspect kept */
static void
paint_map (cairo_t          *cr,
           KtSnapshot       *snapshot,
           const KtMapStyle *style,
           int               width,
           int               height)
{
  KtHost *host = kt_snapshot_get_host (snapshot);
  g_autoptr(KtMapLayout) layout = kt_map_layout_new (host);
  g_autoptr(KtMapOverlay) overlay = kt_map_overlay_new (snapshot, NULL, layout);
  const KtMapBox *root = kt_map_layout_get_root (layout);
  double margin = MIN (RENDER_MARGIN, MIN (width, height) / 20.0);
  double scale = MIN ((width - 2 * margin) / MAX (root->rect.width, 1),
                      (height - 2 * margin) / MAX (root->rect.height, 1));

  cairo_set_source_rgba (cr, style->window_bg.red, style->window_bg.green,
                         style->window_bg.blue, style->window_bg.alpha);
  cairo_paint (cr);
  cairo_translate (cr, (width - root->rect.width * scale) / 2,
                   (height - root->rect.height * scale) / 2);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -root->rect.x, -root->rect.y);
  kt_map_paint_topology (cr, host, NULL, layout, style);
  kt_map_paint_overlay (cr, layout, overlay, style, NULL);
}

static gboolean
render_map (KtSnapshot           *snapshot,
            const RenderOptions  *opts,
            ImageType             type,
            GError              **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  KtMapStyle style;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (type == IMAGE_PNG)
    surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, opts->width, opts->height);
  else
    surface = cairo_svg_surface_create_for_stream (append_bytes, bytes,
                                                   opts->width, opts->height);
  kt_map_style_init_default (&style, opts->dark);
  cr = cairo_create (surface);
  paint_map (cr, snapshot, &style, opts->width, opts->height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  kt_map_style_clear (&style);

  if (status == CAIRO_STATUS_SUCCESS)
    {
      if (type == IMAGE_PNG && !write_png (surface, bytes))
        status = CAIRO_STATUS_WRITE_ERROR;
      else
        {
          cairo_surface_finish (surface);
          status = cairo_surface_status (surface);
        }
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot draw the map: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return kt_file_write (opts->output, bytes->data, bytes->len, KT_FILE_WRITE_NONE, NULL, NULL,
                        error);
}

int
kt_cli_render (KtCli   *cli,
               int      argc,
               char   **argv,
               GError **error)
{
  RenderOptions ropts = { NULL, RENDER_WIDTH, RENDER_HEIGHT, FALSE, NULL };
  g_autofree char *routput = NULL;
  g_autofree char *rformat = NULL;
  KtSnapshot *snapshot;
  ImageType type;

  if (!parse_render_options (&argc, &argv, &ropts, error))
    {
      g_free (ropts.output);
      g_free (ropts.format);
      return 2;
    }
  routput = ropts.output;
  rformat = ropts.format;
  if (routput == NULL || argc > 1)
    return kt_cli_usage_error (cli, error);
  if (ropts.width < 1 || ropts.width > RENDER_MAX
      || ropts.height < 1 || ropts.height > RENDER_MAX)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("The image must be 1 to %d pixels wide and high"), RENDER_MAX);
      return 2;
    }
  if (!image_type_of (routput, rformat, &type, error))
    return 1;
  if ((snapshot = kt_cli_load (cli, error)) == NULL)
    return 1;
  if (!render_map (snapshot, &ropts, type, error))
    return 1;
  if (g_str_equal (routput, "-"))   /* standard output holds the image */
    g_printerr (_("Wrote the map: %d×%d\n"), ropts.width, ropts.height);
  else
    g_print (_("Wrote %s: %d×%d\n"), routput, ropts.width, ropts.height);
  return 0;
}
