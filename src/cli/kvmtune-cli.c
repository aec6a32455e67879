/* kvmtune-cli.c: KvmTune's command-line companion
 *
 *   kvmtune-cli [SOURCE] VERB [OPTIONS]
 *
 * SOURCE is one of --connect URI, --snapshot FILE or --caps FILE
 * [--domain FILE]...; it comes before the verb.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <png.h>
#include <signal.h>

#include "kt-analysis.h"
#include "kt-connection.h"
#include "kt-describe.h"
#include "kt-error.h"
#include "kt-file.h"
#include "kt-json.h"
#include "kt-map-painter.h"
#include "kt-placement.h"
#include "kt-snapshot.h"
#include "kt-source.h"
#include "kt-cli-tune.h"
#include "kt-cli-recover.h"
#include "kt-cli-advise.h"
#include "kt-cli-host.h"

typedef struct
{
  KtSourceSpec   spec;
  KtConnection  *connection;
} Source;

static void
source_clear (Source *src)
{
  kt_source_spec_clear (&src->spec);
  g_clear_object (&src->connection);
}

static KtSnapshot *
source_load (Source  *src,
             GError **error)
{
  /* No main loop here: libvirt's events run in a thread of their own */
  KtSnapshot *snapshot;

  if (src->spec.snapshot == NULL && src->spec.caps == NULL)
    kt_connection_init_events (TRUE);
  snapshot = kt_source_load (&src->spec, &src->connection, error);
  if (src->connection != NULL)
    kt_cli_note_journals (src->connection);
  return snapshot;
}

/* Text helpers ----------------------------------------------------------- */

static char *
format_kib (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_page_size (guint64 kib)
{
  if (kib >= 1024 * 1024 && kib % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", kib / (1024 * 1024));
  if (kib >= 1024 && kib % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "M", kib / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "K", kib);
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = kt_json_to_string (node);

  g_print ("%s\n", text);
  json_node_unref (node);
}

/* topology --------------------------------------------------------------- */

static int
l3_of_core (KtHost           *host,
            const KtHostCore *core)
{
  return kt_host_lookup_cpu (host, kt_cpuset_first (core->cpus))->l3;
}

static void
print_node_header (KtHost           *host,
                   const KtHostNode *node)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, _("NUMA node %d"), node->id);
  if (node->has_memory)
    {
      g_autofree char *mem = format_kib (node->memory_kib);

      g_string_append_printf (line, "  %s", mem);
      if (node->free_kib >= 0)
        {
          g_autofree char *free_mem = format_kib (node->free_kib);

          g_string_append_printf (line, _(" (%s free)"), free_mem);
        }
    }
  for (guint p = 0; p < node->pages->len; p++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);
      g_autofree char *size = NULL;

      if (pg->size_kib <= 4 || (p == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      size = format_page_size (pg->size_kib);
      if (pg->free >= 0)
        g_string_append_printf (line, "  %s: %" G_GINT64_FORMAT "/%" G_GUINT64_FORMAT " free",
                                size, pg->free, pg->total);
      else
        g_string_append_printf (line, "  %s: %" G_GUINT64_FORMAT, size, pg->total);
    }
  if (node->distances->len > 0)
    {
      g_string_append (line, _("  distances"));
      for (guint d = 0; d < node->distances->len; d++)
        g_string_append_printf (line, " %u",
                                g_array_index (node->distances, KtHostDistance, d).value);
    }
  if (kt_cpuset_is_empty (node->cpus))
    g_string_append (line, _("  (memory only)"));
  g_print ("%s\n", line->str);
}

static char *
occupants_of (GPtrArray *placements,
              int        cpu)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      g_autofree char *what = NULL;

      if (!p->pinned || !kt_cpuset_contains (p->allowed, cpu))
        continue;
      what = kt_placement_describe (p);
      if (s->len)
        g_string_append (s, ", ");
      g_string_append (s, what);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
print_topology (KtSnapshot *snapshot)
{
  KtHost *host = kt_snapshot_get_host (snapshot);
  g_autoptr(GPtrArray) placements = kt_placement_list (snapshot);
  g_autoptr(GString) sizes = g_string_new (NULL);
  const GArray *page_sizes = kt_host_get_page_sizes (host);
  gboolean any_floating = FALSE;

  for (guint i = 0; i < page_sizes->len; i++)
    {
      g_autofree char *s = format_page_size (g_array_index (page_sizes, guint64, i));

      g_string_append_printf (sizes, "%s%s", i ? " " : "", s);
    }

  g_print ("%s%s%s%s: %s, %u NUMA nodes, %u sockets, %u cores, %u PUs (%u online); pages %s\n",
           kt_snapshot_get_hostname (snapshot) ? kt_snapshot_get_hostname (snapshot) : _("Host"),
           kt_snapshot_get_uri (snapshot) ? " (" : "",
           kt_snapshot_get_uri (snapshot) ? kt_snapshot_get_uri (snapshot) : "",
           kt_snapshot_get_uri (snapshot) ? ")" : "",
           kt_host_get_arch (host) ? kt_host_get_arch (host) : "?",
           kt_host_get_n_nodes (host), kt_host_get_n_sockets (host), kt_host_get_n_cores (host),
           kt_host_get_n_cpus (host), kt_cpuset_count (kt_host_get_online_cpus (host)),
           sizes->len ? sizes->str : "?");
  {
    g_autofree char *as_of = kt_describe_free_as_of (host);

    if (as_of != NULL)
      g_print ("%s\n", as_of);
  }

  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    {
      const KtHostNode *node = kt_host_get_node (host, n);
      g_autoptr(GArray) cores = kt_host_node_cores (host, node->id);
      int last_socket = G_MININT, last_die = G_MININT, last_l3 = G_MININT;

      g_print ("\n");
      print_node_header (host, node);

      for (guint i = 0; i < cores->len; i++)
        {
          const KtHostCore *core = kt_host_get_core (host, g_array_index (cores, guint, i));
          int l3 = l3_of_core (host, core);
          gboolean first_pu = TRUE;

          if (core->socket != last_socket)
            {
              if (core->socket >= 0)
                g_print (_("  Socket %d\n"), core->socket);
              last_socket = core->socket;
              last_die = last_l3 = G_MININT;
            }
          if (core->die != last_die)
            {
              if (core->die > 0 || (core->die == 0 && i > 0 && last_die != G_MININT))
                g_print (_("    Die %d\n"), core->die);
              last_die = core->die;
            }
          if (l3 != last_l3)
            {
              if (l3 >= 0)
                {
                  const KtHostCache *cache = kt_host_get_l3 (host, l3);
                  g_autofree char *size = format_kib (cache->size_kib);
                  g_autofree char *cpus = kt_cpuset_format (cache->cpus);

                  g_print (_("    L3 #%d (%s, CPUs %s)\n"), l3, size, cpus);
                }
              last_l3 = l3;
            }

          for (int pu = kt_cpuset_first (core->cpus); pu >= 0; pu = kt_cpuset_next (core->cpus, pu))
            {
              const KtHostCpu *cpu = kt_host_lookup_cpu (host, pu);
              g_autofree char *occ = occupants_of (placements, pu);
              g_autofree char *core_label = NULL;

              if (first_pu)
                core_label = core->core >= 0 ? g_strdup_printf (_("Core %d"), core->core)
                                             : g_strdup (_("Core ?"));
              g_print ("      %-9s PU %-4d %s%s\n", core_label ? core_label : "", pu,
                       cpu->online ? "" : _("(offline) "), occ);
              first_pu = FALSE;
            }
        }
    }

  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      g_autofree char *what = NULL;
      g_autofree char *set = NULL;

      if (p->pinned)
        continue;
      if (!any_floating)
        g_print (_("\nFloating (no pin of their own):\n"));
      any_floating = TRUE;
      what = kt_placement_describe (p);
      set = kt_cpuset_format (p->allowed);
      if (p->source == KT_PIN_SOURCE_NUMAD)
        g_print (_("  %-28s placed by numad (placement='auto')\n"), what);
      else if (p->source == KT_PIN_SOURCE_DEFAULT)
        g_print (_("  %-28s on CPUs %s (default <vcpu cpuset>)\n"), what, set);
      else
        g_print (_("  %-28s on CPUs %s\n"), what, set);
    }
}

/* domains ---------------------------------------------------------------- */

static void
print_domains (KtSnapshot *snapshot)
{
  GListModel *vms = kt_snapshot_get_vms (snapshot);

  g_print ("%-20s %-11s %7s %10s\n", _("NAME"), _("STATE"), _("VCPUS"), _("MEMORY"));
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
      g_autofree char *mem = format_kib (t->memory_kib);
      g_autofree char *vcpus = g_strdup_printf ("%u/%u", t->current_vcpus, t->vcpus);

      g_print ("%-20s %-11s %7s %10s\n", kt_vm_get_name (vm),
               kt_vm_state_to_string (kt_vm_get_state (vm)), vcpus, mem);
    }
}

/* show ------------------------------------------------------------------- */

static void
print_kv (const char *key,
          const char *value)
{
  g_print ("%-16s %s\n", key, value ? value : "-");
}

static void
print_show (KtSnapshot *snapshot,
            KtVm       *vm)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  g_autoptr(GPtrArray) placements = kt_placement_list_vm (snapshot, vm);
  g_autofree char *mem = format_kib (t->memory_kib);
  g_autofree char *vcpus = g_strdup_printf ("%u (%u online)", t->vcpus,
                                            kt_tuning_count_online (t));
  g_autofree char *nodeset = t->numa_nodeset ? kt_cpuset_format (t->numa_nodeset) : NULL;
  KtHost *host = kt_snapshot_get_host (snapshot);

  print_kv (_("Name:"), t->name);
  print_kv (_("State:"), kt_vm_state_to_string (kt_vm_get_state (vm)));
  print_kv (_("Memory:"), mem);
  print_kv (_("vCPUs:"), vcpus);
  if (kt_tuning_is_numad (t))
    print_kv (_("Placement:"), _("auto: numad decides (placement='auto')"));
  else if (t->vcpu_cpuset != NULL)
    {
      g_autofree char *set = kt_cpuset_format (t->vcpu_cpuset);
      g_autofree char *line = g_strdup_printf (_("%s, for every thread without its own pin"), set);

      print_kv (_("Default pins:"), line);
    }
  if (t->cpu_mode)
    {
      g_autofree char *cpu = g_strdup_printf ("%s%s%s", t->cpu_mode, t->cpu_model ? " " : "",
                                              t->cpu_model ? t->cpu_model : "");
      print_kv (_("CPU:"), cpu);
    }
  if (t->has_topology)
    {
      g_autofree char *topo = g_strdup_printf ("%u sockets, %u dies, %u cores, %u threads",
                                               t->sockets, t->dies, t->cores, t->threads);
      print_kv (_("Guest topology:"), topo);
    }
  if (t->numa_mode || kt_tuning_memory_is_numad (t))
    {
      g_autofree char *numa = NULL;

      if (nodeset != NULL)
        numa = g_strdup_printf ("%s %s", t->numa_mode, nodeset);
      else if (kt_tuning_memory_is_numad (t))
        /* Translators: a memory mode ("strict"), then where numad puts it */
        numa = g_strdup_printf (_("%s, placed by numad (placement='auto')"),
                                t->numa_mode ? t->numa_mode : "strict");
      else
        numa = g_strdup_printf ("%s %s", t->numa_mode, t->numa_placement);
      print_kv (_("Memory nodes:"), numa);
    }
  for (guint i = 0; i < t->memnodes->len; i++)
    {
      const KtMemnode *m = &g_array_index (t->memnodes, KtMemnode, i);
      g_autofree char *ns = kt_cpuset_format (m->nodeset);
      g_autofree char *line = g_strdup_printf (_("guest cell %u → %s %s"), m->cellid, m->mode, ns);

      print_kv (_("Memnode:"), line);
    }
  for (guint i = 0; i < t->hugepages->len; i++)
    {
      const KtHugepage *h = &g_array_index (t->hugepages, KtHugepage, i);
      g_autofree char *size = h->size_kib ? format_page_size (h->size_kib) : g_strdup (_("default"));
      g_autofree char *ns = h->nodeset ? kt_cpuset_format (h->nodeset) : NULL;
      g_autofree char *line = ns ? g_strdup_printf (_("%s on guest cells %s"), size, ns)
                                 : g_steal_pointer (&size);

      print_kv (_("Huge pages:"), line);
    }
  if (t->has_hugepages && t->hugepages->len == 0)
    print_kv (_("Huge pages:"), _("default size"));
  if (t->nosharepages || t->locked)
    print_kv (_("Memory backing:"), t->nosharepages && t->locked ? "nosharepages, locked"
                                    : t->nosharepages ? "nosharepages" : "locked");

  g_print ("\n");
  for (guint i = 0; i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      g_autofree char *what = kt_placement_describe (p);
      g_autofree char *set = kt_cpuset_format (p->allowed);
      g_autoptr(KtCpuset) nodes = kt_host_nodes_of_cpus (host, p->allowed);
      g_autofree char *nodes_text = kt_cpuset_format (nodes);

      const char *how;

      switch (p->source)
        {
        case KT_PIN_SOURCE_OWN:
          how = _("pinned ");
          break;
        case KT_PIN_SOURCE_DEFAULT:
          how = _("default");
          break;
        case KT_PIN_SOURCE_NUMAD:
          how = _("numad  ");
          break;
        case KT_PIN_SOURCE_NONE:
        default:
          how = _("floats ");
          break;
        }
      if (p->kind == KT_THREAD_VCPU && !kt_tuning_vcpu_is_online (t, p->index))
        g_print ("  %-28s %s %-16s %s %s %s\n", what, how, set, _("node"), nodes_text,
                 _("(offline)"));
      else if (p->source == KT_PIN_SOURCE_NUMAD)
        g_print ("  %-28s %s %s\n", what, how, _("where numad advises at start-up"));
      else
        g_print ("  %-28s %s %-16s %s %s\n", what, how, set, _("node"), nodes_text);
    }

  {
    g_autoptr(GPtrArray) issues = kt_analyze (snapshot);
    gboolean first = TRUE;

    for (guint i = 0; i < issues->len; i++)
      {
        const KtIssue *issue = g_ptr_array_index (issues, i);

        if (issue->vm != vm && issue->other != vm)
          continue;
        if (first)
          g_print ("\n%s\n", _("Warnings:"));
        first = FALSE;
        g_print ("  ⚠ %s\n", issue->message);
      }
  }
}

/* render ----------------------------------------------------------------- */

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
  kt_map_paint_topology (cr, host, layout, style);
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

/* Verbs ------------------------------------------------------------------ */

typedef struct
{
  gboolean json;
  char    *output;
} VerbOptions;

static gboolean
parse_verb_options (const char   *verb,
                    const char   *params,
                    int          *argc,
                    char       ***argv,
                    VerbOptions  *opts,
                    gboolean      with_output,
                    GError      **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (params);
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Print JSON"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opts->output, N_("Write to FILE"), N_("FILE") },
    { NULL }
  };

  if (!with_output)
    entries[1] = (GOptionEntry) { NULL };
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, verb);
  return g_option_context_parse (ctx, argc, argv, error);
}

static int
run_verb (Source   *src,
          int       argc,
          char    **argv,
          GError  **error)
{
  const char *verb = argv[0];
  g_autoptr(KtSnapshot) snapshot = NULL;
  VerbOptions opts = { 0, };
  g_autofree char *output = NULL;
  int ret = 0;

  if (g_str_equal (verb, "topology") || g_str_equal (verb, "domains"))
    {
      if (!parse_verb_options (verb, "", &argc, &argv, &opts, FALSE, error))
        return 2;
      if (argc > 1)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("“%s” takes no argument, got “%s”"), verb, argv[1]);
          return 2;
        }
      if ((snapshot = source_load (src, error)) == NULL)
        return 1;
      if (g_str_equal (verb, "topology"))
        {
          if (opts.json)
            print_json (kt_json_topology (kt_snapshot_get_host (snapshot)));
          else
            print_topology (snapshot);
        }
      else
        {
          if (opts.json)
            print_json (kt_json_domains (snapshot));
          else
            print_domains (snapshot);
        }
    }
  else if (g_str_equal (verb, "show"))
    {
      KtVm *vm;

      if (!parse_verb_options (verb, _("DOMAIN"), &argc, &argv, &opts, FALSE, error))
        return 2;
      if (argc != 2)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("Usage: kvmtune-cli [SOURCE] show DOMAIN [--json]"));
          return 2;
        }
      if ((snapshot = source_load (src, error)) == NULL)
        return 1;
      vm = kt_snapshot_lookup_vm (snapshot, argv[1]);
      if (vm == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("No domain called “%s”"), argv[1]);
          return 1;
        }
      if (opts.json)
        print_json (kt_json_show_in (snapshot, vm));
      else
        print_show (snapshot, vm);
    }
  else if (g_str_equal (verb, "snapshot"))
    {
      if (!parse_verb_options (verb, "", &argc, &argv, &opts, TRUE, error))
        return 2;
      output = g_steal_pointer (&opts.output);
      if (output == NULL || argc > 1)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("Usage: kvmtune-cli [SOURCE] snapshot -o FILE"));
          return 2;
        }
      if ((snapshot = source_load (src, error)) == NULL)
        return 1;
      kt_cli_host_capture (src->connection, snapshot);
      if (!kt_snapshot_save (snapshot, output, error))
        return 1;
      if (opts.json && !g_str_equal (output, "-"))
        print_json (kt_json_domains (snapshot));
      else if (g_str_equal (output, "-"))   /* standard output holds the snapshot */
        g_printerr (_("Wrote the snapshot: %u domains\n"),
                    g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)));
      else
        g_print (_("Wrote %s: %u domains\n"), output,
                 g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)));
    }
  else if (g_str_equal (verb, "render"))
    {
      RenderOptions ropts = { NULL, RENDER_WIDTH, RENDER_HEIGHT, FALSE, NULL };
      g_autofree char *routput = NULL;
      g_autofree char *rformat = NULL;
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
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("Usage: kvmtune-cli [SOURCE] render -o FILE.png|FILE.svg "
                         "[--width W] [--height H] [--dark] [--format png|svg]"));
          return 2;
        }
      if (ropts.width < 1 || ropts.width > RENDER_MAX
          || ropts.height < 1 || ropts.height > RENDER_MAX)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("The image must be 1 to %d pixels wide and high"), RENDER_MAX);
          return 2;
        }
      if (!image_type_of (routput, rformat, &type, error))
        return 1;
      if ((snapshot = source_load (src, error)) == NULL)
        return 1;
      if (!render_map (snapshot, &ropts, type, error))
        return 1;
      if (g_str_equal (routput, "-"))   /* standard output holds the image */
        g_printerr (_("Wrote the map: %d×%d\n"), ropts.width, ropts.height);
      else
        g_print (_("Wrote %s: %d×%d\n"), routput, ropts.width, ropts.height);
    }
  else if (kt_cli_is_tune_verb (verb))
    ret = kt_cli_tune (&src->spec, argc, argv, error);
  else if (g_str_equal (verb, "recover"))
    ret = kt_cli_recover (&src->spec, argc, argv, error);
  else if (g_str_equal (verb, "advise"))
    ret = kt_cli_advise (&src->spec, argc, argv, error);
  else if (kt_cli_is_host_verb (verb))
    ret = kt_cli_host (&src->spec, argc, argv, error);
  else
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("Unknown command “%s” (try topology, domains, show, snapshot, render, pin, "
                     "emulatorpin, iothreadpin, numatune, hugepages, cpu-model, host, advise or "
                     "recover)"), verb);
      ret = 2;
    }
  g_free (opts.output);
  return ret;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  Source src = { 0, };
  GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &src.spec.connect,
      N_("Read from libvirt at URI"), N_("URI") },
    { "snapshot", 's', 0, G_OPTION_ARG_FILENAME, &src.spec.snapshot,
      N_("Read an offline snapshot"), N_("FILE") },
    { "caps", 0, 0, G_OPTION_ARG_FILENAME, &src.spec.caps,
      N_("Read host capabilities XML"), N_("FILE") },
    { "domain", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &src.spec.domains,
      N_("Read domain XML (with --caps; repeatable)"), N_("FILE") },
    { "readonly", 'r', 0, G_OPTION_ARG_NONE, &src.spec.read_only,
      N_("Open the libvirt connection read-only"), NULL },
    { NULL }
  };
  int ret;

  /* A libvirt daemon that goes away mid-call must be an error, not the
   * end of the process (as libvirt advises its clients) */
  signal (SIGPIPE, SIG_IGN);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ctx = g_option_context_new (_("VERB [ARGS] — topology | domains | show DOMAIN | snapshot -o FILE | "
                                   "render -o FILE.png|FILE.svg | host [apply|set|revert|profiles]"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (ctx, TRUE);
  g_option_context_set_summary (ctx, _("Inspect a KVM host's NUMA topology and its VMs' tuning.\n"
                                       "Source options come before the verb. Without one, "
                                       "libvirt's default connection is used."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("kvmtune-cli: %s\n", error->message);
      return 2;
    }
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  if (!kt_source_spec_check (&src.spec, &error))
    ret = 2;
  else
    ret = run_verb (&src, argc - 1, argv + 1, &error);
  if (error != NULL)
    g_printerr ("kvmtune-cli: %s\n", error->message);
  if (g_error_matches (error, KT_ERROR, KT_ERROR_INTERRUPTED))
    {
      g_printerr (_("kvmtune-cli: once libvirt is back, see what landed with “kvmtune-cli "
                    "--connect URI recover”, then run recover --finish or recover --rollback.\n"));
      ret = 3;
    }
  source_clear (&src);
  return ret;
}
