/* kt-tuning-panel-hugepages.c: the tuning panel's Huge Pages section
 *
 * The page size of the VM's memory, refused with the reason when it does
 * not divide the memory or the host reserves none; the guest cells that
 * use huge pages; the host's pools per node; the memory backing switches
 * (nosharepages, locked) and the hard limit that locked memory needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-describe.h"
#include "kt-error.h"
#include "kt-tuning-panel-private.h"

/* Free (else reserved) huge pages of @size_kib on @nodes (NULL: all) */
static guint64
nodes_pages (KtHost         *host,
             const KtCpuset *nodes,
             guint64         size_kib,
             gboolean       *known_free)
{
  guint64 pages = 0;

  *known_free = TRUE;
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      if (nodes != NULL && !kt_cpuset_contains (nodes, node->id))
        continue;
      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, p);

          if (hp->size_kib != size_kib)
            continue;
          if (hp->free >= 0)
            pages += (guint64) hp->free;
          else
            {
              pages += hp->total;
              *known_free = FALSE;
            }
        }
    }
  return pages;
}

static guint64
reserved_pages (KtHost  *host,
                guint64  size_kib)
{
  guint64 total = 0;

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      for (guint p = 0; p < node->pages->len; p++)
        if (g_array_index (node->pages, KtHostPages, p).size_kib == size_kib)
          total += g_array_index (node->pages, KtHostPages, p).total;
    }
  return total;
}

/* Guest Cells: the cells that use huge pages --------------------------- */

/* Reads the row's text as guest cells of the VM.  *@out NULL: an empty
 * text, which means every cell */
static gboolean
parse_cells (KtTuningPanel  *self,
             KtCpuset      **out,
             GError        **error)
{
  if (!_kt_tuning_panel_parse_set (kt_field_row_get_text (self->page_cells_row), out, error))
    return FALSE;
  if (*out == NULL)
    return TRUE;
  for (int c = kt_cpuset_first (*out); c >= 0; c = kt_cpuset_next (*out, c))
    if (kt_tuning_lookup_cell (self->preview_t, (guint) c) == NULL)
      {
        g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                     _("The VM has no guest NUMA cell %d"), c);
        g_clear_pointer (out, kt_cpuset_free);
        return FALSE;
      }
  return TRUE;
}

/* The cells of the VM's huge pages in @t; NULL: every cell */
static const KtCpuset *
page_cells (const KtTuning *t)
{
  return t->hugepages->len > 0 ? g_array_index (t->hugepages, KtHugepage, 0).nodeset : NULL;
}

static void
on_cells_edited (KtFieldRow    *row,
                 KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;

  if (self->updating || self->building || self->preview_t == NULL)
    return;
  parse_cells (self, &set, &error);
  kt_field_row_set_error (row, error != NULL ? error->message : NULL);
}

static void
on_cells_commit (KtFieldRow    *row,
                 KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  KtEdits *e;

  if (!_kt_tuning_panel_takes_input (self))
    return;
  if (!parse_cells (self, &set, &error))
    {
      kt_field_row_set_error (row, error->message);
      return;
    }
  if (kt_cpuset_same (set, page_cells (t)))
    {
      kt_field_row_set_error (row, NULL);
      return;
    }
  if (!t->has_hugepages || t->hugepages->len == 0)
    {
      kt_field_row_set_error (row, _("Choose a page size first"));
      return;
    }
  if (g_array_index (t->hugepages, KtHugepage, 0).size_kib == 0)
    {
      kt_field_row_set_error (row, _("The VM’s huge pages have no size: choose one first"));
      return;
    }
  e = _kt_tuning_panel_begin_edits (self);
  e->has_hugepages = TRUE;
  e->page_kib = g_array_index (t->hugepages, KtHugepage, 0).size_kib;
  g_clear_pointer (&e->page_cells, kt_cpuset_free);
  e->page_cells = g_steal_pointer (&set);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static void
update_cells_row (KtTuningPanel *self)
{
  const KtCpuset *now = page_cells (self->preview_t);

  kt_field_row_set_hint (self->page_cells_row,
                         now != NULL ? _("Only these guest cells use huge pages")
                                     : _("Empty: every guest cell"));
  kt_field_row_set_warns (self->page_cells_row, FALSE);
  kt_field_row_set_pending (self->page_cells_row,
                            !kt_cpuset_same (now, page_cells (self->base_t)));
  _kt_tuning_panel_show_set (self->page_cells_row, now);
}

/* Page size and memory backing ------------------------------------------- */

static void
build_page_sizes (KtTuningPanel *self)
{
  KtHost *host = _kt_tuning_panel_get_host (self);
  const GArray *sizes = kt_host_get_page_sizes (host);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint64 none = 0, keep = PAGE_SIZE_KEEP;

  g_array_set_size (self->page_sizes, 0);
  g_array_append_val (self->page_sizes, none);
  gtk_string_list_append (list, _("None"));
  if (self->base_t->has_hugepages && self->base_t->hugepages->len > 0
      && g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib == 0)
    {
      g_array_append_val (self->page_sizes, keep);
      gtk_string_list_append (list, _("Host Default"));
    }
  /* The first size is the base page */
  for (guint i = 1; i < sizes->len; i++)
    {
      guint64 size = g_array_index (sizes, guint64, i);
      g_autofree char *label = kt_format_page_size (size);
      g_autofree char *item = NULL;
      gboolean known_free;
      guint64 pages = nodes_pages (host, NULL, size, &known_free);
      g_autofree char *n = num (pages);

      if (known_free)
        /* Translators: a huge page size and how many pages of it are free */
        item = g_strdup_printf (_("%s (%s free)"), label, n);
      else
        item = g_strdup_printf (_("%s (%s reserved)"), label, n);
      g_array_append_val (self->page_sizes, size);
      gtk_string_list_append (list, item);
    }
  /* The VM's own size, even when this host has none of it */
  if (self->base_t->has_hugepages && self->base_t->hugepages->len > 0)
    {
      guint64 own = g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib;
      gboolean listed = own == 0;

      for (guint i = 0; i < self->page_sizes->len; i++)
        listed |= g_array_index (self->page_sizes, guint64, i) == own;
      if (!listed)
        {
          g_autofree char *label = kt_format_page_size (own);
          g_autofree char *item = g_strdup_printf (_("%s (not on this host)"), label);

          g_array_append_val (self->page_sizes, own);
          gtk_string_list_append (list, item);
        }
    }
  adw_combo_row_set_model (self->page_size_row, G_LIST_MODEL (list));
}

static guint64
preview_page_size (const KtTuning *t)
{
  if (!t->has_hugepages)
    return 0;
  if (t->hugepages->len == 0)
    return PAGE_SIZE_KEEP;
  return g_array_index (t->hugepages, KtHugepage, 0).size_kib;
}

static void
update_hugepages (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  KtHost *host = _kt_tuning_panel_get_host (self);
  guint64 size = preview_page_size (t);
  guint64 base_size = preview_page_size (b);
  g_autoptr(GString) free_text = g_string_new (NULL);
  g_autofree char *hint = NULL;
  const GArray *host_sizes = kt_host_get_page_sizes (host);
  guint64 base_page = host_sizes->len > 0 ? g_array_index (host_sizes, guint64, 0) : 0;
  gboolean locked_needs_limit;

  for (guint i = 0; i < self->page_sizes->len; i++)
    if (g_array_index (self->page_sizes, guint64, i) == size)
      adw_combo_row_set_selected (self->page_size_row, i);

  if (size == 0)
    hint = g_strdup (_("The VM uses the base pages"));
  else if (size == PAGE_SIZE_KEEP)
    hint = g_strdup (_("<hugepages/> without a size: the host’s default"));
  else if (t->hugepages->len > 1)
    hint = g_strdup (_("The VM has several page sizes; choosing one replaces them"));
  else
    {
      g_autofree char *mem = kt_format_kib (t->memory_kib);
      g_autofree char *n = num (t->memory_kib / size);

      /* Translators: how many huge pages the VM's memory takes */
      hint = g_strdup_printf (_("%s pages for %s"), n, mem);
    }
  show_row_state (self->page_size_row, self->page_size_error, hint, FALSE);
  set_row_class (self->page_size_row, "kt-pending", size != base_size);

  /* Per host node: free pages where known, else the pool */
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      guint n_sizes = 0;

      if (free_text->len > 0)
        g_string_append_c (free_text, '\n');
      g_string_append_printf (free_text, _("Node %d:"), node->id);
      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, p);
          g_autofree char *label = NULL;

          if (hp->size_kib == base_page
              || (size != 0 && size != PAGE_SIZE_KEEP && hp->size_kib != size))
            continue;
          label = kt_format_page_size (hp->size_kib);
          g_string_append (free_text, n_sizes++ > 0 ? " · " : " ");
          g_autofree char *n_free = num (hp->free);
          g_autofree char *n_total = num (hp->total);

          if (hp->free >= 0)
            /* Translators: "2 MiB: 512 free of 1024" huge pages */
            g_string_append_printf (free_text, _("%s: %s free of %s"), label, n_free, n_total);
          else
            /* Translators: "2 MiB: 1024 reserved" huge pages, how many are free unknown */
            g_string_append_printf (free_text, _("%s: %s reserved"), label, n_total);
        }
    }
  {
    /* A snapshot's figures are those of its capture */
    g_autofree char *as_of = kt_describe_free_as_of (host);

    if (as_of != NULL)
      g_string_append_printf (free_text, "\n%s", as_of);
  }
  adw_action_row_set_subtitle (self->page_free_row, free_text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->page_free_row), kt_host_get_n_nodes (host) > 0
                          && kt_host_get_page_sizes (host)->len > 1);

  /* Enough pages?  A running VM with this size already holds its pages */
  gtk_widget_set_visible (GTK_WIDGET (self->page_warning_row), FALSE);
  if (size != 0 && size != PAGE_SIZE_KEEP
      && !(kt_vm_is_active (self->vm) && size == base_size))
    {
      gboolean known_free;
      guint64 need = t->memory_kib / size;
      guint64 have = nodes_pages (host, t->numa_nodeset, size, &known_free);

      if (have < need)
        {
          g_autofree char *label = kt_format_page_size (size);
          g_autofree char *where = t->numa_nodeset ? format_nodes (t->numa_nodeset)
                                                   : g_strdup (_("the host"));
          g_autofree char *text = NULL;
          g_autofree char *n_need = num (need);
          g_autofree char *n_have = num (have);

          /* Translators: "web1 needs 2048 pages of 2 MiB; node 0 has 1024 free" */
          text = g_strdup_printf (known_free ? _("%s needs %s pages of %s; %s has %s free")
                                             : _("%s needs %s pages of %s; %s has %s reserved"),
                                  kt_vm_get_name (self->vm), n_need, label, where, n_have);
          adw_action_row_set_subtitle (self->page_warning_row, text);
          gtk_widget_set_visible (GTK_WIDGET (self->page_warning_row), TRUE);
        }
    }

  gtk_switch_set_active (self->nosharepages_switch, t->nosharepages);
  gtk_switch_set_active (self->locked_switch, t->locked);
  set_row_class (self->nosharepages_row, "kt-pending", t->nosharepages != b->nosharepages);
  set_row_class (self->locked_row, "kt-pending", t->locked != b->locked);
  show_row_state (self->locked_row, self->switch_error,
                  _("Never swap the VM’s memory out (locked)"), FALSE);

  locked_needs_limit = t->locked && t->hard_limit_kib < 0;
  if (t->hard_limit_kib >= 0)
    {
      g_autofree char *limit = kt_format_kib ((guint64) t->hard_limit_kib);

      show_row_state (self->hard_limit_row, NULL, limit, FALSE);
    }
  else
    show_row_state (self->hard_limit_row, NULL,
                    locked_needs_limit ? _("Not set: locked memory needs one, or libvirt refuses "
                                           "to start the VM")
                                       : _("Not set"),
                    locked_needs_limit);
  set_row_class (self->hard_limit_row, "kt-pending", t->hard_limit_kib != b->hard_limit_kib);
  gtk_widget_set_visible (self->hard_limit_fix_row, locked_needs_limit);
}

static void
on_page_size_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->page_size_row);
  const KtTuning *t = self->preview_t;
  guint64 size;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->page_sizes->len)
    return;
  size = g_array_index (self->page_sizes, guint64, pos);
  /* Also what a refusal puts back, notified late */
  if (size == preview_page_size (t))
    return;
  g_clear_pointer (&self->page_size_error, g_free);

  if (size != 0 && size != PAGE_SIZE_KEEP)
    {
      g_autofree char *label = kt_format_page_size (size);
      g_autofree char *mem = kt_format_page_size (t->memory_kib);   /* exact */

      /* Refused with the reason, as kvmtune-cli does */
      if (t->memory_kib % size != 0)
        self->page_size_error = g_strdup_printf (_("%s pages do not divide the VM’s memory (%s)"),
                                                 label, mem);
      else if (reserved_pages (_kt_tuning_panel_get_host (self), size) == 0)
        self->page_size_error = g_strdup_printf (_("No %s pages are reserved on this host; "
                                                   "reserve some first (vm.nr_hugepages)"), label);
      if (self->page_size_error != NULL)
        {
          _kt_tuning_panel_refresh (self);
          return;
        }
    }

  e = _kt_tuning_panel_begin_edits (self);
  if (size == PAGE_SIZE_KEEP)
    {
      /* The VM's own <hugepages/>: drop the edit */
      e->has_hugepages = FALSE;
      g_clear_pointer (&e->page_cells, kt_cpuset_free);
    }
  else
    {
      const KtCpuset *cells = t->has_hugepages && t->hugepages->len > 0
                              ? g_array_index (t->hugepages, KtHugepage, 0).nodeset : NULL;
      KtCpuset *keep = set_copy (cells);

      e->has_hugepages = TRUE;
      e->page_kib = size;
      g_clear_pointer (&e->page_cells, kt_cpuset_free);
      e->page_cells = size != 0 ? keep : NULL;
      if (size == 0)
        kt_cpuset_free (keep);
    }
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    {
      self->page_size_error = g_strdup (error->message);
      _kt_tuning_panel_refresh (self);
    }
}

static void
on_switch_toggled (KtTuningPanel *self,
                   GParamSpec    *pspec,
                   GtkSwitch     *sw)
{
  g_autoptr(GError) error = NULL;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL)
    return;
  g_clear_pointer (&self->switch_error, g_free);
  e = _kt_tuning_panel_begin_edits (self);
  if (sw == self->locked_switch)
    e->locked = gtk_switch_get_active (sw);
  else
    e->nosharepages = gtk_switch_get_active (sw);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    {
      self->switch_error = g_strdup (error->message);
      _kt_tuning_panel_refresh (self);
    }
}

static void
on_hard_limit_clicked (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  KtEdits *e;

  if (self->vm == NULL || self->preview_t == NULL)
    return;
  e = _kt_tuning_panel_begin_edits (self);
  e->has_hard_limit = TRUE;
  e->hard_limit_kib = (gint64) (self->preview_t->memory_kib + GIB_KIB);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    _kt_tuning_panel_show_message (self, error->message);
}

/* The section ------------------------------------------------------------ */

void
_kt_tuning_panel_hugepages_build (KtTuningPanel *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->page_cells_row), self->preview_t->cells->len > 0);
  build_page_sizes (self);
}

void
_kt_tuning_panel_hugepages_update (KtTuningPanel *self)
{
  update_cells_row (self);
  update_hugepages (self);
}

void
_kt_tuning_panel_hugepages_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_page_size_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_switch_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_hard_limit_clicked);
}

void
_kt_tuning_panel_hugepages_init (KtTuningPanel *self)
{
  kt_field_row_set_placeholder_text (self->page_cells_row, _("all"));
  g_signal_connect (self->page_cells_row, "edited", G_CALLBACK (on_cells_edited), self);
  g_signal_connect (self->page_cells_row, "commit", G_CALLBACK (on_cells_commit), self);
}
