/* kt-tuning-panel-memory.c: the tuning panel's Memory and Guest NUMA Cells
 *
 * The NUMA mode and the host nodes of the VM's memory (<numatune>), with
 * a warning when the nodes have too little free; and a row per guest cell
 * for the host nodes its memory comes from (<memnode>), built for the VM's
 * shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-describe.h"
#include "kt-error.h"
#include "kt-tuning-panel-private.h"

/* Memory the host can give on @nodes: free where known, else all of it;
 * FALSE when neither is known for some node */
static gboolean
nodes_memory (KtHost         *host,
              const KtCpuset *nodes,
              guint64        *kib)
{
  *kib = 0;
  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (host, n);

      if (node == NULL)
        continue;
      if (node->free_kib >= 0)
        *kib += (guint64) node->free_kib;
      else if (node->has_memory)
        *kib += node->memory_kib;
      else
        return FALSE;
    }
  return TRUE;
}

/* Whether libnuma told the free memory of every node of @nodes */
static gboolean
nodes_free_known (KtHost         *host,
                  const KtCpuset *nodes)
{
  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (host, n);

      if (node != NULL && node->free_kib < 0)
        return FALSE;
    }
  return TRUE;
}

/* The rows of host nodes ------------------------------------------------- */

/* Reads the row's text as host nodes, checked against the host.  *@out
 * NULL: an empty text, which means "none" */
static gboolean
parse_nodes (KtTuningPanel  *self,
             KtFieldRow     *row,
             KtCpuset      **out,
             GError        **error)
{
  if (!_kt_tuning_panel_parse_set (kt_field_row_get_text (row), out, error))
    return FALSE;
  if (*out == NULL)
    {
      if (row != self->numa_nodeset_row || self->preview_t->numa_nodeset == NULL)
        return TRUE;
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                           _("The memory needs at least one host node"));
      return FALSE;
    }
  if (!kt_host_check_nodeset (_kt_tuning_panel_get_host (self), *out, error))
    {
      g_clear_pointer (out, kt_cpuset_free);
      return FALSE;
    }
  return TRUE;
}

static void
on_nodes_edited (KtFieldRow    *row,
                 KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;

  if (self->updating || self->building || self->preview_t == NULL)
    return;
  parse_nodes (self, row, &set, &error);
  kt_field_row_set_error (row, error != NULL ? error->message : NULL);
}

/* The memnode of guest cell @cell in @t; NULL: none */
static const KtCpuset *
memnode_nodes (const KtTuning *t,
               guint           cell)
{
  for (guint i = 0; i < t->memnodes->len; i++)
    if (g_array_index (t->memnodes, KtMemnode, i).cellid == cell)
      return g_array_index (t->memnodes, KtMemnode, i).nodeset;
  return NULL;
}

/* The nodes typed into @row, when they differ from @now; FALSE when they
 * are refused (and shown) or change nothing */
static gboolean
take_nodes (KtTuningPanel   *self,
            KtFieldRow      *row,
            const KtCpuset  *now,
            KtCpuset       **out)
{
  g_autoptr(GError) error = NULL;

  if (!parse_nodes (self, row, out, &error))
    {
      kt_field_row_set_error (row, error->message);
      return FALSE;
    }
  if (kt_cpuset_same (*out, now))
    {
      g_clear_pointer (out, kt_cpuset_free);
      kt_field_row_set_error (row, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
on_nodeset_commit (KtFieldRow    *row,
                   KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  KtEdits *e;

  if (!_kt_tuning_panel_takes_input (self)
      || !take_nodes (self, row, self->preview_t->numa_nodeset, &set))
    return;
  if (set == NULL)
    {
      kt_field_row_set_error (row, NULL);
      return;
    }
  e = _kt_tuning_panel_begin_edits (self);
  g_clear_pointer (&e->numa_nodeset, kt_cpuset_free);
  e->numa_nodeset = g_steal_pointer (&set);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static void
on_memnode_commit (KtFieldRow    *row,
                   KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  guint cell = kt_field_row_get_id (row);
  KtEdits *e;

  if (!_kt_tuning_panel_takes_input (self)
      || !take_nodes (self, row, memnode_nodes (self->preview_t, cell), &set))
    return;
  e = _kt_tuning_panel_begin_edits (self);
  g_hash_table_replace (e->memnodes, GUINT_TO_POINTER (cell),
                        set != NULL ? g_steal_pointer (&set) : kt_cpuset_new ());
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    kt_field_row_set_error (row, error->message);
}

static void
update_nodeset_row (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtCpuset *now = t->numa_nodeset;
  g_autofree char *hint = NULL;
  guint64 kib;

  if (now == NULL)
    hint = kt_describe_memory_unset (t);
  else if (nodes_memory (_kt_tuning_panel_get_host (self), now, &kib))
    {
      g_autofree char *size = kt_format_kib (kib);

      /* Translators: memory the host nodes have (free, when known) */
      hint = nodes_free_known (_kt_tuning_panel_get_host (self), now)
             ? g_strdup_printf (_("%s free there"), size)
             : g_strdup_printf (_("%s there"), size);
    }
  kt_field_row_set_hint (self->numa_nodeset_row, hint);
  kt_field_row_set_warns (self->numa_nodeset_row, FALSE);
  kt_field_row_set_pending (self->numa_nodeset_row,
                            !kt_cpuset_same (now, self->base_t->numa_nodeset));
  _kt_tuning_panel_show_set (self->numa_nodeset_row, now);
}

static void
update_memnode_row (KtTuningPanel *self,
                    KtFieldRow    *row)
{
  const KtTuning *t = self->preview_t;
  guint id = kt_field_row_get_id (row);
  const KtCpuset *now = memnode_nodes (t, id);
  const KtCpuset *was = memnode_nodes (self->base_t, id);
  const KtGuestCell *cell = kt_tuning_lookup_cell (t, id);
  g_autofree char *hint = NULL;
  gboolean warns = FALSE;

  if (cell != NULL)
    {
      g_autofree char *size = kt_format_kib (cell->memory_kib);
      g_autofree char *cpus = cell->cpus ? kt_cpuset_format (cell->cpus) : NULL;
      const KtCpuset *from = now != NULL ? now : t->numa_nodeset;
      g_autofree char *where = from != NULL ? format_nodes (from) : g_strdup (_("any node"));
      guint64 avail;

      /* Translators: a guest NUMA cell: its vCPUs, its memory, and the
       * host nodes the memory comes from */
      hint = cpus ? g_strdup_printf (_("vCPUs %s · %s from %s"), cpus, size, where)
                  : g_strdup_printf (_("No vCPUs · %s from %s"), size, where);
      if (now != NULL && !t->has_hugepages
          && nodes_memory (_kt_tuning_panel_get_host (self), now, &avail)
          && avail < cell->memory_kib && !kt_cpuset_same (now, was))
        {
          g_autofree char *have = kt_format_kib (avail);
          char *warned = g_strdup_printf (_("%s — only %s free there"), hint, have);

          g_free (hint);
          hint = warned;
          warns = TRUE;
        }
    }
  kt_field_row_set_hint (row, hint);
  kt_field_row_set_warns (row, warns);
  kt_field_row_set_pending (row, !kt_cpuset_same (now, was));
  _kt_tuning_panel_show_set (row, now);
}

/* The NUMA mode ---------------------------------------------------------- */

static const char *
numa_mode_label (const char *mode)
{
  if (mode == NULL)
    return _("Not Set");
  if (g_str_equal (mode, "strict"))
    return _("Strict");
  if (g_str_equal (mode, "interleave"))
    return _("Interleave");
  if (g_str_equal (mode, "preferred"))
    return _("Preferred");
  if (g_str_equal (mode, "restrictive"))
    return _("Restrictive");
  return mode;
}

static void
build_numa_modes (KtTuningPanel *self)
{
  static const char * const modes[] = { "strict", "interleave", "preferred", "restrictive" };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->numa_modes, 0);
  /* "Not set" can only be gone back to: nothing removes a numatune */
  if (self->base_t->numa_mode == NULL)
    g_ptr_array_add (self->numa_modes, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    g_ptr_array_add (self->numa_modes, g_strdup (modes[i]));
  for (guint i = 0; i < self->numa_modes->len; i++)
    gtk_string_list_append (list, numa_mode_label (g_ptr_array_index (self->numa_modes, i)));
  adw_combo_row_set_model (self->numa_mode_row, G_LIST_MODEL (list));
}

static void
update_memory (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  KtHost *host = _kt_tuning_panel_get_host (self);
  guint pos = index_of_mode (self->numa_modes, t->numa_mode);
  g_autofree char *hint = NULL;
  guint64 avail = 0;

  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->numa_mode_row, pos);
  if (t->numa_mode == NULL)
    hint = kt_describe_numa_mode_unset (t);
  else if (g_str_equal (t->numa_mode, "strict"))
    hint = g_strdup (_("Only from these nodes; fails when they are full"));
  else if (g_str_equal (t->numa_mode, "interleave"))
    hint = g_strdup (_("Spread round-robin over these nodes"));
  else if (g_str_equal (t->numa_mode, "preferred"))
    hint = g_strdup (_("From this node first, else from others"));
  else
    hint = g_strdup (_("Like strict, enforced by cgroups only"));
  show_row_state (self->numa_mode_row, self->numa_mode_error, hint, FALSE);
  set_row_class (self->numa_mode_row, "kt-pending", g_strcmp0 (t->numa_mode, b->numa_mode) != 0);

  /* Enough memory on the chosen nodes?  Huge pages come from their pools
   * instead (see below); a running VM's memory is already counted as used
   * on the nodes it has */
  gtk_widget_set_visible (GTK_WIDGET (self->memory_warning_row), FALSE);
  if (t->numa_nodeset != NULL && !t->has_hugepages && t->memory_kib > 0
      && nodes_memory (host, t->numa_nodeset, &avail))
    {
      if (kt_vm_is_active (self->vm) && b->numa_nodeset != NULL
          && kt_cpuset_intersects (b->numa_nodeset, t->numa_nodeset))
        avail += t->memory_kib;
      if (avail < t->memory_kib)
        {
          g_autofree char *need = kt_format_kib (t->memory_kib);
          g_autofree char *have = kt_format_kib (avail);
          g_autofree char *where = format_nodes (t->numa_nodeset);
          g_autofree char *text = NULL;

          /* Translators: "web1 needs 4.0 GiB; node 2 has 1.2 GiB free. It may…" */
          text = g_strdup_printf (_("%s needs %s; %s: %s free. %s"), kt_vm_get_name (self->vm),
                                  need, where, have,
                                  g_strcmp0 (t->numa_mode, "preferred") == 0
                                  ? _("The rest will come from other nodes.")
                                  : _("It may fail to start, or be killed when out of memory."));
          adw_action_row_set_subtitle (self->memory_warning_row, text);
          gtk_widget_set_visible (GTK_WIDGET (self->memory_warning_row), TRUE);
        }
    }
}

static void
on_numa_mode_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->numa_mode_row);
  const char *mode;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->numa_modes->len)
    return;
  mode = g_ptr_array_index (self->numa_modes, pos);
  if (g_strcmp0 (mode, self->preview_t->numa_mode) == 0)
    return;
  g_clear_pointer (&self->numa_mode_error, g_free);
  e = _kt_tuning_panel_begin_edits (self);
  g_free (e->numa_mode);
  e->numa_mode = g_strdup (mode);
  if (mode == NULL)
    /* Back to no numatune at all: only undoing the edit gets there */
    g_clear_pointer (&e->numa_nodeset, kt_cpuset_free);
  if (!_kt_tuning_panel_commit_edits (self, e, &error))
    {
      self->numa_mode_error = g_strdup (error->message);
      _kt_tuning_panel_refresh (self);
    }
}

/* The section ------------------------------------------------------------ */

void
_kt_tuning_panel_memory_build (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;

  for (guint i = 0; i < t->cells->len; i++)
    {
      guint id = g_array_index (t->cells, KtGuestCell, i).id;
      g_autofree char *title = g_strdup_printf (_("Cell %u"), id);
      KtFieldRow *row = KT_FIELD_ROW (kt_field_row_new (title, id, _("as above")));

      g_signal_connect (row, "edited", G_CALLBACK (on_nodes_edited), self);
      g_signal_connect (row, "commit", G_CALLBACK (on_memnode_commit), self);
      _kt_tuning_panel_add_row (self, self->cells_group, row);
      g_ptr_array_add (self->memnode_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->cells_group), t->cells->len > 0);
  build_numa_modes (self);
}

void
_kt_tuning_panel_memory_update (KtTuningPanel *self)
{
  update_nodeset_row (self);
  for (guint i = 0; i < self->memnode_rows->len; i++)
    update_memnode_row (self, g_ptr_array_index (self->memnode_rows, i));
  update_memory (self);
}

void
_kt_tuning_panel_memory_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_numa_mode_selected);
}

void
_kt_tuning_panel_memory_init (KtTuningPanel *self)
{
  kt_field_row_set_placeholder_text (self->numa_nodeset_row, _("none"));
  g_signal_connect (self->numa_nodeset_row, "edited", G_CALLBACK (on_nodes_edited), self);
  g_signal_connect (self->numa_nodeset_row, "commit", G_CALLBACK (on_nodeset_commit), self);
}
