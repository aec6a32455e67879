/* kt-map-describe.c: what the map says in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-describe.h"
#include "kt-format.h"
#include "kt-host-tuning.h"
#include "kt-map-describe.h"

static void
add_pus_under (const KtMapBox *box,
               KtCpuset       *set)
{
  if (box->kind == KT_MAP_BOX_PU)
    {
      kt_cpuset_add (set, (guint) box->id);
      return;
    }
  for (guint i = 0; i < box->children->len; i++)
    add_pus_under (g_ptr_array_index (box->children, i), set);
}

static char *
thread_name (KtThreadKind kind,
             guint        index)
{
  switch (kind)
    {
    case KT_THREAD_VCPU:
      return g_strdup_printf (_("vCPU %u"), index);
    case KT_THREAD_EMULATOR:
      return g_strdup (_("emulator"));
    case KT_THREAD_IOTHREAD:
    default:
      return g_strdup_printf (_("iothread %u"), index);
    }
}

/* " · Shut off" after a VM that is not running, so that a muted chip is
 * also said to be off; "" for a running one */
static const char *
state_suffix (KtVm  *vm,
              char **owned)
{
  KtVmState state = kt_vm_get_state (vm);

  if (state == KT_VM_STATE_RUNNING)
    return "";
  *owned = g_strdup_printf (" · %s", kt_describe_vm_state (state));
  return *owned;
}

static void
append_issues (GString         *s,
               const GPtrArray *issues,
               KtVm            *vm,
               int              vcpu,
               int              cpu)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const KtIssue *issue = g_ptr_array_index (issues, i);

      if (vm != NULL && issue->vm != vm && issue->other != vm)
        continue;
      if (cpu >= 0 && (issue->cpus == NULL || !kt_cpuset_contains (issue->cpus, (guint) cpu)))
        continue;
      if (vcpu >= 0 && issue->vcpu >= 0 && issue->vcpu != vcpu)
        continue;
      g_string_append_printf (s, "\n⚠ %s", issue->message);
    }
}

/**
 * kt_map_describe_chip:
 *
 * Returns: (transfer full): the chip's tooltip
 */
char *
kt_map_describe_chip (const KtMapOverlay *overlay,
                      KtPlan             *plan,
                      const KtMapChip    *chip)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *thread = thread_name (chip->kind, chip->index);
  g_autofree char *set = kt_cpuset_format (chip->allowed);

  g_return_val_if_fail (overlay != NULL && chip != NULL, NULL);

  g_autofree char *state = NULL;

  g_string_append_printf (s, "%s · %s%s", kt_vm_get_name (chip->vm), thread,
                          state_suffix (chip->vm, &state));
  g_string_append_c (s, '\n');
  if (kt_cpuset_count (chip->allowed) == 1)
    g_string_append_printf (s, _("Pinned to CPU %s"), set);
  else
    g_string_append_printf (s, _("Pinned to CPUs %s"), set);
  if (chip->pending && plan != NULL)
    {
      const KtCpuset *original = kt_plan_get_original (plan, chip->vm, chip->index);
      g_autofree char *was = original ? kt_cpuset_format (original) : NULL;

      g_string_append_c (s, '\n');
      if (was != NULL)
        g_string_append_printf (s, _("Pending: not applied yet (was %s)"), was);
      else
        {
          g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (chip->vm));
          g_autofree char *dflt = t->vcpu_cpuset ? kt_cpuset_format (t->vcpu_cpuset) : NULL;

          if (kt_tuning_is_numad (t))
            g_string_append (s, _("Pending: not applied yet (was placed by numad)"));
          else if (dflt != NULL)
            /* Translators: %s is the default pin set, <vcpu cpuset> */
            g_string_append_printf (s, _("Pending: not applied yet (was the default %s)"), dflt);
          else
            g_string_append (s, _("Pending: not applied yet (was not pinned)"));
        }
    }
  if (chip->kind != KT_THREAD_VCPU)
    {
      g_string_append_c (s, '\n');
      g_string_append (s, _("Only vCPUs can be moved on the map for now"));
    }
  append_issues (s, kt_map_overlay_get_issues (overlay), chip->vm,
                 chip->kind == KT_THREAD_VCPU ? (int) chip->index : -1, chip->cpu);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * kt_map_describe_pu:
 *
 * Returns: (transfer full): the tooltip of the PU of CPU @cpu
 */
char *
kt_map_describe_pu (const KtMapOverlay *overlay,
                    int                 id)
{
  KtHost *host = kt_snapshot_get_host (kt_map_overlay_get_snapshot (overlay));
  g_autoptr(GString) s = g_string_new (NULL);
  const KtHostCpu *cpu = kt_host_lookup_cpu (host, id);
  g_autoptr(GPtrArray) chips = kt_map_overlay_chips_on (overlay, id);
  const GPtrArray *spans = kt_map_overlay_get_spans (overlay);
  g_autoptr(GHashTable) floating = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) floating_vms = g_ptr_array_new ();

  g_string_append_printf (s, _("CPU %d"), id);
  if (cpu != NULL)
    {
      if (cpu->core >= 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, _("core %d"), cpu->core);
        }
      if (cpu->socket >= 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, _("socket %d"), cpu->socket);
        }
      g_string_append (s, " · ");
      g_string_append_printf (s, _("node %d"), cpu->node);
      if (cpu->l3 >= 0 && (guint) cpu->l3 < kt_host_get_n_l3 (host))
        {
          const KtHostCache *l3 = kt_host_get_l3 (host, (guint) cpu->l3);

          g_string_append (s, " · ");
          g_string_append_printf (s, _("L3 #%d"), l3->id >= 0 ? l3->id : cpu->l3);
        }
      if (!cpu->online)
        {
          g_string_append (s, " · ");
          g_string_append (s, _("offline"));
        }
    }

  for (guint i = 0; i < chips->len; i++)
    {
      const KtMapChip *chip = g_ptr_array_index (chips, i);
      g_autofree char *thread = thread_name (chip->kind, chip->index);
      g_autofree char *set = kt_cpuset_format (chip->allowed);
      g_autofree char *state = NULL;

      g_string_append_c (s, '\n');
      /* Translators: a thread on a CPU: VM name, thread ("vCPU 3"), its pin set */
      g_string_append_printf (s, _("%s %s (pinned %s)"), kt_vm_get_name (chip->vm), thread, set);
      g_string_append (s, state_suffix (chip->vm, &state));
      if (chip->pending)
        g_string_append_printf (s, " · %s", _("pending"));
    }

  /* Threads that may run here without a pin of their own, by VM */
  for (guint i = 0; spans != NULL && i < spans->len; i++)
    {
      const KtMapSpan *span = g_ptr_array_index (spans, i);
      guint n;

      if (span->allowed == NULL || !kt_cpuset_contains (span->allowed, (guint) id))
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (floating, span->vm));
      if (n == 0)
        g_ptr_array_add (floating_vms, span->vm);
      g_hash_table_insert (floating, span->vm, GUINT_TO_POINTER (n + 1));
    }
  for (guint i = 0; i < floating_vms->len; i++)
    {
      KtVm *vm = g_ptr_array_index (floating_vms, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (floating, vm));

      g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));
      g_autofree char *line = kt_describe_floating (kt_vm_get_name (vm), t, n);
      g_autofree char *state = NULL;

      /* The default <vcpu cpuset>, numad, or anywhere */
      g_string_append_c (s, '\n');
      g_string_append (s, line);
      g_string_append (s, state_suffix (vm, &state));
    }

  /* What libvirt saw running here last */
  {
    g_autoptr(GPtrArray) seen = kt_map_overlay_observed_on (overlay, id);

    for (guint i = 0; i < seen->len; i++)
      {
        const KtMapObserved *o = g_ptr_array_index (seen, i);

        g_string_append_c (s, '\n');
        /* Translators: where a vCPU thread last ran: VM name, vCPU number */
        g_string_append_printf (s, _("%s vCPU %u last ran here"), kt_vm_get_name (o->vm), o->vcpu);
      }
  }

  append_issues (s, kt_map_overlay_get_issues (overlay), NULL, -1, id);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * kt_map_describe_node:
 *
 * Returns: (transfer full): the tooltip of NUMA node @id's header
 */
char *
kt_map_describe_node (KtHost *host,
                      int     id)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const KtHostNode *node = kt_host_lookup_node (host, id);

  g_string_append_printf (s, _("NUMA node %d"), id);
  if (node == NULL)
    return g_string_free (g_steal_pointer (&s), FALSE);

  g_string_append_c (s, '\n');
  if (node->has_memory)
    {
      g_autofree char *total = kt_format_kib (node->memory_kib);

      if (node->free_kib >= 0)
        {
          g_autofree char *free_mem = kt_format_kib ((guint64) node->free_kib);

          g_string_append_printf (s, _("Memory: %s (%s free)"), total, free_mem);
        }
      else
        g_string_append_printf (s, _("Memory: %s"), total);
    }
  else
    g_string_append (s, _("Memory: unknown"));

  for (guint i = 0; node->pages != NULL && i < node->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, i);
      g_autofree char *size = NULL;
      g_autofree char *total = NULL;

      if (pg->size_kib <= 4 || (i == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      size = kt_format_kib (pg->size_kib);
      g_string_append_c (s, '\n');
      total = g_strdup_printf ("%" G_GUINT64_FORMAT, pg->total);
      if (pg->free >= 0)
        {
          g_autofree char *free_pages = g_strdup_printf ("%" G_GINT64_FORMAT, pg->free);

          /* Translators: a huge page pool: page size, total pages, free pages */
          g_string_append_printf (s, _("Huge pages %s: %s (%s free)"), size, total, free_pages);
        }
      else
        /* Translators: a huge page pool: page size, total pages */
        g_string_append_printf (s, _("Huge pages %s: %s"), size, total);
    }

  g_string_append_c (s, '\n');
  if (kt_cpuset_is_empty (node->cpus))
    g_string_append (s, _("No CPUs (memory only)"));
  else
    {
      g_autofree char *cpus = kt_cpuset_format (node->cpus);

      g_string_append_printf (s, _("CPUs %s"), cpus);
    }

  if (node->distances != NULL && node->distances->len > 0)
    {
      g_autoptr(GString) d = g_string_new (NULL);

      for (guint i = 0; i < node->distances->len; i++)
        {
          const KtHostDistance *dist = &g_array_index (node->distances, KtHostDistance, i);

          if (d->len > 0)
            g_string_append (d, ", ");
          g_string_append_printf (d, "%d: %u", dist->node, dist->value);
        }
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("Distances to nodes %s"), d->str);
    }
  {
    /* A snapshot's free figures are those of its capture */
    g_autofree char *as_of = kt_describe_free_as_of (host);

    if (as_of != NULL)
      g_string_append_printf (s, "\n%s", as_of);
  }
  /* The window's node-activated: kt-map-canvas-input.c */
  g_string_append_c (s, '\n');
  g_string_append (s, _("Double-click or right-click to change its huge page pools"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* @pools' current pool of that size on that node, or NULL */
static const KtHugePool *
current_pool (const KtMapPools *pools,
              int               node,
              guint64           size_kib)
{
  for (guint i = 0; pools != NULL && pools->current != NULL && i < pools->current->len; i++)
    {
      const KtHugePool *p = &g_array_index (pools->current, KtHugePool, i);

      if (p->node == node && p->size_kib == size_kib && p->total >= 0)
        return p;
    }
  return NULL;
}

/**
 * kt_map_format_pools:
 * @node: its pools
 * @pools: (nullable): the current and pending counts
 * @brief: "2M 4/8" rather than "2M 4/8 free"
 * @has_pending: (out) (optional): whether a pool shows a pending count
 *
 * Returns: (transfer full): the node header's pools, "" for none
 */
char *
kt_map_format_pools (const KtHostNode *node,
                     const KtMapPools *pools,
                     gboolean          brief,
                     gboolean         *has_pending)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  if (has_pending != NULL)
    *has_pending = FALSE;
  for (guint i = 0; node->pages != NULL && i < node->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, i);
      const KtHugePool *now = current_pool (pools, node->id, pg->size_kib);
      guint64 total_pages = now != NULL ? (guint64) now->total : pg->total;
      gint64 free_count = now != NULL ? now->free : pg->free;
      g_autofree char *size = NULL;
      g_autofree char *total = NULL;
      g_autofree char *pool = NULL;
      const char *target = NULL;

      if (pg->size_kib <= 4 || (i == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      if (pools != NULL && pools->pending != NULL)
        {
          g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT,
                                                  node->id, pg->size_kib);

          target = g_hash_table_lookup (pools->pending, key);
        }
      size = kt_format_page_size_short (pg->size_kib);
      total = g_strdup_printf ("%" G_GUINT64_FORMAT, total_pages);
      if (target != NULL)
        {
          /* Translators: a huge page pool on the map with a pending count:
           * size, pages now, pages pending, as "2M 0 → 1536" */
          pool = brief ? g_strdup_printf ("%s %s→%s", size, total, target)
                       : g_strdup_printf (_("%s %s → %s"), size, total, target);
          if (has_pending != NULL)
            *has_pending = TRUE;
        }
      else if (free_count >= 0)
        {
          g_autofree char *free_pages = g_strdup_printf ("%" G_GINT64_FORMAT, free_count);

          /* Translators: a huge page pool on the map: size, free and total pages, as "1G 4/8 free" */
          pool = brief ? g_strdup_printf ("%s %s/%s", size, free_pages, total)
                       : g_strdup_printf (_("%s %s/%s free"), size, free_pages, total);
        }
      else
        pool = g_strdup_printf ("%s %s", size, total);
      if (s->len > 0)
        g_string_append (s, "  ");
      g_string_append (s, pool);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * kt_map_describe_group:
 *
 * Returns: (transfer full) (nullable): the label of a core, an L3 group,
 * a die or a socket
 */
char *
kt_map_describe_group (KtHost         *host,
                       const KtMapBox *box)
{
  g_autoptr(KtCpuset) set = kt_cpuset_new ();
  g_autofree char *cpus = NULL;

  add_pus_under (box, set);
  cpus = kt_cpuset_format (set);
  switch (box->kind)
    {
    case KT_MAP_BOX_CORE:
      {
        const KtHostCore *core = kt_host_get_core (host, (guint) box->id);

        return g_strdup_printf (_("Core %d · threads %s"), core->core, cpus);
      }
    case KT_MAP_BOX_L3:
      if (box->id >= 0)
        {
          const KtHostCache *l3 = kt_host_get_l3 (host, (guint) box->id);
          g_autofree char *size = kt_format_kib (l3->size_kib);

          return g_strdup_printf (_("L3 #%d · %s · CPUs %s"), l3->id >= 0 ? l3->id : box->id,
                                  size, cpus);
        }
      return g_strdup_printf (_("No shared L3 cache · CPUs %s"), cpus);
    case KT_MAP_BOX_DIE:
      return g_strdup_printf (_("Die %d · CPUs %s"), box->id, cpus);
    case KT_MAP_BOX_SOCKET:
      return g_strdup_printf (_("Socket %d · CPUs %s"), box->id, cpus);
    case KT_MAP_BOX_HOST:
    case KT_MAP_BOX_NODE:
    case KT_MAP_BOX_PU:
    default:
      return NULL;
    }
}

/**
 * kt_map_describe_box:
 * @y: the pointer's height, in map units
 * @area: (out): where the tooltip belongs, in map units
 *
 * Returns: (transfer full) (nullable): the tooltip of @box at @y
 */
char *
kt_map_describe_box (const KtMapOverlay *overlay,
                     const KtMapBox     *box,
                     double              y,
                     KtMapRect          *area)
{
  KtHost *host;
  KtMapRect header;

  g_return_val_if_fail (overlay != NULL && box != NULL && area != NULL, NULL);

  host = kt_snapshot_get_host (kt_map_overlay_get_snapshot (overlay));
  header = box->rect;
  switch (box->kind)
    {
    case KT_MAP_BOX_PU:
      *area = box->rect;
      return kt_map_describe_pu (overlay, box->id);

    case KT_MAP_BOX_NODE:
      /* The header band, or an empty node's body */
      if (box->children->len > 0)
        header.height = box->header;
      if (y >= header.y + header.height)
        return NULL;
      *area = header;
      return kt_map_describe_node (host, box->id);

    case KT_MAP_BOX_CORE:
    case KT_MAP_BOX_L3:
    case KT_MAP_BOX_DIE:
    case KT_MAP_BOX_SOCKET:
      /* Only on the label band: the gaps between boxes say nothing */
      if (box->header > 0)
        header.height = box->header;
      if (y >= header.y + header.height)
        return NULL;
      *area = header;
      return kt_map_describe_group (host, box);

    case KT_MAP_BOX_HOST:
    default:
      return NULL;
    }
}

/**
 * kt_map_describe_focus:
 *
 * Returns: (transfer full): what the screen reader says of the chip with
 * the keyboard focus
 */
char *
kt_map_describe_focus (const KtMapChip *chip)
{
  g_autofree char *set = NULL;

  g_return_val_if_fail (chip != NULL, NULL);

  set = kt_cpuset_format (chip->allowed);
  if (chip->kind == KT_THREAD_VCPU)
    /* Translators: what the keyboard focus is on: VM name, vCPU number, CPU */
    return g_strdup_printf (_("%s vCPU %u on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                            chip->index, chip->cpu, set);
  if (chip->kind == KT_THREAD_EMULATOR)
    return g_strdup_printf (_("%s emulator on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                            chip->cpu, set);
  return g_strdup_printf (_("%s iothread %u on CPU %d (pinned %s)"), kt_vm_get_name (chip->vm),
                          chip->index, chip->cpu, set);
}

/**
 * kt_map_describe_target:
 * @pu: (nullable): the PU the target grew from: names a core
 * @refusal: (nullable): why a drop there is refused
 *
 * Returns: (transfer full) (nullable): what the screen reader says of a
 * keyboard move's target
 */
char *
kt_map_describe_target (const KtMapBox *box,
                        const KtMapBox *pu,
                        const char     *refusal)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (box != NULL, NULL);

  switch (box->kind)
    {
    case KT_MAP_BOX_PU:
      text = g_strdup_printf (_("Move to CPU %d"), box->id);
      break;
    case KT_MAP_BOX_CORE:
      text = g_strdup_printf (_("Move to the core of CPU %d"), pu ? pu->id : -1);
      break;
    case KT_MAP_BOX_L3:
      text = g_strdup_printf (_("Move to L3 cache group %d"), box->id);
      break;
    case KT_MAP_BOX_DIE:
      text = g_strdup_printf (_("Move to die %d"), box->id);
      break;
    case KT_MAP_BOX_SOCKET:
      text = g_strdup_printf (_("Move to socket %d"), box->id);
      break;
    case KT_MAP_BOX_NODE:
      text = g_strdup_printf (_("Move to NUMA node %d"), box->id);
      break;
    case KT_MAP_BOX_HOST:
    default:
      return NULL;
    }
  if (refusal != NULL)
    return g_strdup_printf ("%s: %s", text, refusal);
  return g_steal_pointer (&text);
}

/**
 * kt_map_describe_moving:
 * @vm: the VM of the vCPUs being dragged
 * @first_vcpu: the first of them
 *
 * Returns: (transfer full): the label that follows the pointer
 */
char *
kt_map_describe_moving (KtVm  *vm,
                        guint  first_vcpu,
                        guint  n_vcpus)
{
  g_return_val_if_fail (KT_IS_VM (vm), NULL);

  if (n_vcpus == 1)
    return g_strdup_printf (_("%s vCPU %u"), kt_vm_get_name (vm), first_vcpu);
  return g_strdup_printf (ngettext ("%s: %u vCPU", "%s: %u vCPUs", n_vcpus),
                          kt_vm_get_name (vm), n_vcpus);
}
