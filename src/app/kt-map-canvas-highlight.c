/* kt-map-canvas-highlight.c: what an advisor finding concerns, on the map
 *
 * The Advice list (kt-advice-view.h) marks a finding's pCPUs, its VM's
 * vCPU chips and its nodes; the painter draws them (kt-map-painter.h's
 * highlight_* fields).  Kept apart from the canvas's other state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-map-canvas-private.h"

struct _KtMapHighlight
{
  KtCpuset *pcpus;
  KtVm     *vm;
  KtCpuset *vcpus;
  KtCpuset *nodes;
};

void
kt_map_highlight_free (KtMapHighlight *hl)
{
  if (hl == NULL)
    return;
  kt_cpuset_free (hl->pcpus);
  g_clear_object (&hl->vm);
  kt_cpuset_free (hl->vcpus);
  kt_cpuset_free (hl->nodes);
  g_free (hl);
}

static KtCpuset *
copy_or_null (const KtCpuset *set)
{
  return set != NULL && !kt_cpuset_is_empty (set) ? kt_cpuset_copy (set) : NULL;
}

/**
 * kt_map_canvas_set_highlight:
 * @pcpus: (nullable): host CPUs
 * @vm: (nullable): whose chips
 * @vcpus: (nullable): which of @vm's vCPUs; %NULL: all
 * @nodes: (nullable): host NUMA nodes
 *
 * Marks what a finding concerns; all %NULL clears it.
 */
void
kt_map_canvas_set_highlight (KtMapCanvas    *self,
                             const KtCpuset *pcpus,
                             KtVm           *vm,
                             const KtCpuset *vcpus,
                             const KtCpuset *nodes)
{
  KtMapHighlight *hl;

  g_return_if_fail (KT_IS_MAP_CANVAS (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  g_clear_pointer (&self->highlight, kt_map_highlight_free);
  if (pcpus != NULL || vm != NULL || nodes != NULL)
    {
      hl = g_new0 (KtMapHighlight, 1);
      hl->pcpus = copy_or_null (pcpus);
      hl->vm = vm != NULL ? g_object_ref (vm) : NULL;
      hl->vcpus = copy_or_null (vcpus);
      hl->nodes = copy_or_null (nodes);
      self->highlight = hl;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Into the painter's state */
void
kt_map_canvas_highlight_state (KtMapCanvas     *self,
                               KtMapPaintState *state)
{
  KtMapHighlight *hl = self->highlight;

  if (hl == NULL)
    return;
  state->highlight_pcpus = hl->pcpus;
  /* A VM no longer in the snapshot (reloaded) has no chips */
  state->highlight_vm = hl->vm;
  state->highlight_vcpus = hl->vcpus;
  state->highlight_nodes = hl->nodes;
}

/* "highlight pcpus CPUS|-", "highlight vm VM|-", for the GUI tests */
void
kt_map_canvas_highlight_geometry (KtMapCanvas *self,
                                  GString     *out)
{
  KtMapHighlight *hl = self->highlight;
  g_autofree char *pcpus = NULL;
  g_autofree char *nodes = NULL;

  if (hl == NULL)
    return;
  pcpus = hl->pcpus ? kt_cpuset_format (hl->pcpus) : g_strdup ("-");
  nodes = hl->nodes ? kt_cpuset_format (hl->nodes) : g_strdup ("-");
  g_string_append_printf (out, "highlight %s %s %s\n", hl->vm ? kt_vm_get_name (hl->vm) : "-",
                          pcpus, nodes);
}
