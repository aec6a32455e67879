/* kt-advisor-rules-memory.c: the advisor's rules about a VM's memory:
 * numatune, hugepages, memtune and guest NUMA cells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-advisor-private.h"

static char *
fmt (const KtCpuset *set)
{
  return kt_cpuset_format (set);
}

static KtFix *
manual_fix (char *summary)
{
  KtFix *fix = kt_fix_new (NULL);

  fix->summary = summary;
  return fix;
}

/* The host nodes of the vCPUs of guest cell @cell, pinned; NULL when one
 * of them is not pinned */
static KtCpuset *
cell_vcpu_nodes (KtAdvisorContext  *ctx,
                 const KtAdvVm     *v,
                 const KtGuestCell *cell)
{
  g_autoptr(KtCpuset) pcpus = kt_cpuset_new ();

  if (cell->cpus == NULL || kt_cpuset_is_empty (cell->cpus))
    return NULL;
  for (int vcpu = kt_cpuset_first (cell->cpus); vcpu >= 0; vcpu = kt_cpuset_next (cell->cpus, vcpu))
    {
      const KtCpuset *pin = kt_tuning_get_vcpupin (v->t, vcpu);

      if (pin == NULL)
        return NULL;
      kt_cpuset_union_in (pcpus, pin);
    }
  return kt_host_nodes_of_cpus (ctx->host, pcpus);
}

static const KtMemnode *
lookup_memnode (const KtTuning *t,
                guint           cellid)
{
  for (guint i = 0; i < t->memnodes->len; i++)
    {
      const KtMemnode *m = &g_array_index (t->memnodes, KtMemnode, i);

      if (m->cellid == cellid)
        return m;
    }
  return NULL;
}

/* pin-without-numatune ----------------------------------------------------- */

static void
pin_without_numatune (KtAdvisorContext *ctx,
                      KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  const KtCpuset *mem = kt_adv_vm_mem_nodes (v);
  g_autoptr(KtFix) fix = kt_fix_new (NULL);
  g_autoptr(GString) cells_text = g_string_new (NULL);
  g_autofree char *vn = NULL;
  char *title, *why;
  gboolean top = FALSE;
  KtFinding *f;

  if (v->n_pinned == 0 || kt_host_get_n_nodes (ctx->host) < 2 || kt_tuning_memory_is_numad (t)
      || kt_cpuset_equal (v->vcpu_nodes, kt_host_get_node_ids (ctx->host))
      || g_strcmp0 (t->numa_mode, "interleave") == 0)
    return;
  /* The whole VM: its memory nodes must be its vCPUs' */
  if (v->n_pinned == v->n_vcpus && (mem == NULL || !kt_cpuset_equal (mem, v->vcpu_nodes)))
    {
      top = TRUE;
      kt_fix_add_numatune (fix, v->name,
                           mem ? NULL : kt_adv_numa_mode_for (ctx, v, v->vcpu_nodes),
                           v->vcpu_nodes);
    }
  /* Each guest cell bound by a memnode: to its vCPUs' nodes */
  for (guint i = 0; i < t->cells->len; i++)
    {
      const KtGuestCell *cell = &g_array_index (t->cells, KtGuestCell, i);
      const KtMemnode *m = lookup_memnode (t, cell->id);
      g_autoptr(KtCpuset) nodes = NULL;

      if (m == NULL || g_strcmp0 (m->mode, "interleave") == 0
          || (nodes = cell_vcpu_nodes (ctx, v, cell)) == NULL || kt_cpuset_equal (nodes, m->nodeset))
        continue;
      g_string_append_printf (cells_text, "%s%u", cells_text->len ? ", " : "", cell->id);
      kt_fix_add_memnode (fix, v->name, cell->id, m->mode, nodes);
    }
  if (!top && cells_text->len == 0)
    return;

  vn = fmt (v->vcpu_nodes);
  if (top && mem == NULL)
    {
      title = g_strdup_printf (_("%s is pinned to node %s but its memory is not bound there"),
                               v->name, vn);
      why = g_strdup_printf (_("Its vCPUs are pinned to node %s, but without <numatune> its "
                               "memory comes from wherever the kernel finds it first. Pinning "
                               "and numatune must be set together and agree: every access to "
                               "another node’s memory is a NUMA miss, and those cost 10 %% or "
                               "more."), vn);
    }
  else
    {
      g_autofree char *mn = mem ? fmt (mem) : g_strdup ("-");

      title = top ? g_strdup_printf (_("%s’s vCPUs are on node %s, its memory on node %s"),
                                     v->name, vn, mn)
                  : g_strdup_printf (_("%s’s guest cells %s are bound to other nodes than "
                                       "their vCPUs"), v->name, cells_text->str);
      why = g_strdup_printf (_("Pinning and numatune must agree: memory bound to other nodes "
                               "than the vCPUs (on %s) is remote on every access, and NUMA "
                               "misses cost 10 %% or more."), vn);
    }
  f = kt_advisor_add (ctx, "pin-without-numatune", KT_SEVERITY_WARNING, v->name, title, why);
  f->pcpus = kt_cpuset_copy (v->vcpu_pinned);
  f->nodes = kt_cpuset_copy (v->vcpu_nodes);
  if (mem != NULL)
    kt_cpuset_union_in (f->nodes, mem);
  fix->summary = g_strdup_printf (_("Bind the memory to the vCPUs’ node %s"), vn);
  f->fix = g_steal_pointer (&fix);
}

/* nodeset-placement-mismatch --------------------------------------------------- */

static void
nodeset_placement_mismatch (KtAdvisorContext *ctx,
                            KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  KtFinding *f;

  if (kt_tuning_is_numad (t) && t->numa_nodeset != NULL
      && g_strcmp0 (t->numa_placement, "auto") != 0)
    {
      g_autofree char *ns = fmt (t->numa_nodeset);

      f = kt_advisor_add (ctx, "nodeset-placement-mismatch", KT_SEVERITY_WARNING, v->name,
                          g_strdup_printf (_("numad places %s’s vCPUs, but its memory is fixed "
                                             "on node %s"), v->name, ns),
                          g_strdup_printf (_("With <vcpu placement='auto'> numad picks the "
                                             "vCPUs’ node at start-up, while the static nodeset "
                                             "keeps the memory on %s: whenever numad picks "
                                             "another node, every memory access is remote (NUMA "
                                             "misses cost 10 %% or more)."), ns));
      f->nodes = kt_cpuset_copy (t->numa_nodeset);
      f->fix = manual_fix (g_strdup_printf (_("By hand: either let numad place the memory too "
                                              "(<numatune><memory placement='auto'/>), or give "
                                              "the vCPUs static placement with pins on node %s "
                                              "(kvmtune-cli plan %s)"), ns, v->name));
      return;
    }
  if (!kt_tuning_is_numad (t) && t->numa_mode != NULL && g_strcmp0 (t->numa_placement, "auto") == 0
      && (v->n_pinned > 0 || t->vcpu_cpuset != NULL))
    {
      g_autoptr(KtCpuset) nodes = NULL;
      g_autofree char *ns = NULL;

      if (v->n_pinned > 0)
        nodes = kt_cpuset_copy (v->vcpu_nodes);
      else
        nodes = kt_host_nodes_of_cpus (ctx->host, t->vcpu_cpuset);
      ns = fmt (nodes);
      f = kt_advisor_add (ctx, "nodeset-placement-mismatch", KT_SEVERITY_WARNING, v->name,
                          g_strdup_printf (_("numad places %s’s memory, but its vCPUs are "
                                             "placed by hand on node %s"), v->name, ns),
                          g_strdup_printf (_("<numatune> placement='auto' lets numad choose the "
                                             "memory’s node at start-up, independently of the "
                                             "vCPUs’ static placement on %s; when they differ, "
                                             "every memory access is remote (NUMA misses cost "
                                             "10 %% or more)."), ns));
      f->nodes = kt_cpuset_copy (nodes);
      f->fix = kt_fix_new (NULL);
      f->fix->summary = g_strdup_printf (_("Bind the memory to the vCPUs’ node %s"), ns);
      kt_fix_add_numatune (f->fix, v->name, NULL, nodes);
    }
}

/* strict-oom-risk ----------------------------------------------------------- */

static void
strict_oom_risk (KtAdvisorContext *ctx,
                 KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  const KtCpuset *mem = kt_adv_vm_mem_nodes (v);
  gint64 free_kib;
  g_autoptr(KtCpuset) one = NULL;
  g_autofree char *ns = NULL;
  g_autofree char *free_text = NULL;
  g_autofree char *need_text = NULL;
  g_autofree char *os = NULL;
  int pick = -1;
  KtFinding *f;

  if (v->active || mem == NULL || t->has_hugepages
      || (g_strcmp0 (t->numa_mode, "strict") != 0 && g_strcmp0 (t->numa_mode, "restrictive") != 0))
    return;
  free_kib = kt_adv_free_kib (ctx, mem);
  ns = fmt (mem);
  if (free_kib < 0)
    {
      kt_advisor_unknown (ctx, "strict-oom-risk", "node free memory",
                          _("A stopped VM with strict memory starts only if its nodes have "
                            "enough free memory."))->vm = g_strdup (v->name);
      return;
    }
  if ((guint64) free_kib >= t->memory_kib)
    return;

  /* One node: the vCPUs', else the one with the most free memory */
  for (int n = kt_cpuset_first (mem); n >= 0; n = kt_cpuset_next (mem, n))
    if (kt_cpuset_contains (v->vcpu_nodes, n))
      {
        pick = n;
        break;
      }
  if (pick < 0)
    {
      gint64 best = -1;

      for (int n = kt_cpuset_first (mem); n >= 0; n = kt_cpuset_next (mem, n))
        {
          const KtHostNode *node = kt_host_lookup_node (ctx->host, n);

          if (node && node->free_kib > best)
            {
              best = node->free_kib;
              pick = n;
            }
        }
    }
  if (pick < 0)
    return;
  one = kt_cpuset_new_range (pick, pick);
  os = fmt (one);
  free_text = kt_adv_format_kib ((guint64) free_kib);
  need_text = kt_adv_format_kib (t->memory_kib);
  f = kt_advisor_add (ctx, "strict-oom-risk", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s strict memory does not fit in node %s’s free "
                                         "memory"), v->name, ns),
                      g_strdup_printf (_("With mode %s the kernel never takes memory from "
                                         "another node. Node %s has %s free and %s needs %s: "
                                         "it fails to start, or is OOM-killed once it uses its "
                                         "memory."), t->numa_mode, ns, free_text, v->name,
                                       need_text));
  f->nodes = kt_cpuset_copy (mem);
  f->fix = kt_fix_new (NULL);
  f->fix->summary = g_strdup_printf (_("Use mode preferred with node %s: local memory while "
                                       "there is some, another node’s rather than the OOM killer"),
                                     os);
  kt_fix_add_numatune (f->fix, v->name, "preferred", one);
}

/* hugepage-size-multiple and hugepage-pool-short --------------------------------- */

static guint64
page_size_of (KtAdvisorContext *ctx,
              const KtHugepage *h)
{
  if (h->size_kib > 0)
    return h->size_kib;
  if (ctx->ht != NULL && ctx->ht->default_hugepage_kib > 0)
    return ctx->ht->default_hugepage_kib;
  return 0;
}

/* The memory a page element backs: the cells in its nodeset, else all */
static guint64
backed_memory (const KtTuning   *t,
               const KtHugepage *h)
{
  guint64 sum = 0;

  if (h->nodeset == NULL || t->cells->len == 0)
    return t->memory_kib;
  for (guint i = 0; i < t->cells->len; i++)
    {
      const KtGuestCell *cell = &g_array_index (t->cells, KtGuestCell, i);

      if (kt_cpuset_contains (h->nodeset, cell->id))
        sum += cell->memory_kib;
    }
  return sum;
}

/* The host's huge pages of @size on @node: total and free (-1 unknown);
 * the host tuning's pool first (it is what a pending change edits) */
static void
pool_of (KtAdvisorContext *ctx,
         int               node,
         guint64           size,
         gint64           *total,
         gint64           *free_pages)
{
  const KtHostNode *n = kt_host_lookup_node (ctx->host, node);
  gint64 host_total = -1, host_free = -1;
  KtHugePool *p = NULL;

  for (guint i = 0; n != NULL && i < n->pages->len; i++)
    {
      const KtHostPages *pg = &g_array_index (n->pages, KtHostPages, i);

      if (pg->size_kib == size)
        {
          host_total = (gint64) pg->total;
          host_free = pg->free;
        }
    }
  *total = host_total;
  *free_pages = host_free;
  if (ctx->ht != NULL)
    p = kt_host_tuning_lookup_pool (ctx->ht, node, size);
  if (p == NULL || p->total < 0)
    return;
  *total = p->total;
  if (p->free >= 0)
    *free_pages = p->free;
  else if (host_free >= 0 && host_total >= 0)
    /* A pending size: the pages it adds (or takes) are free ones */
    *free_pages = MAX (host_free + p->total - host_total, 0);
}

static gboolean
host_has_pages (KtAdvisorContext *ctx,
                guint64           size,
                guint64           need)
{
  guint64 sum = 0;

  for (guint i = 0; i < kt_host_get_n_nodes (ctx->host); i++)
    {
      gint64 total, free_pages;

      pool_of (ctx, kt_host_get_node (ctx->host, i)->id, size, &total, &free_pages);
      if (free_pages > 0)
        sum += (guint64) free_pages;
    }
  return sum >= need;
}

static void
hugepage_size_multiple (KtAdvisorContext *ctx,
                        KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  KtHugepage whole = { 0, NULL };

  if (!t->has_hugepages)
    return;
  for (guint i = 0; i < MAX (t->hugepages->len, 1); i++)
    {
      const KtHugepage *h = t->hugepages->len ? &g_array_index (t->hugepages, KtHugepage, i)
                                              : &whole;
      guint64 size = page_size_of (ctx, h);
      guint64 mem = backed_memory (t, h);
      g_autofree char *size_text = NULL;
      g_autofree char *mem_text = NULL;
      g_autofree char *up_text = NULL;
      guint64 smaller = 0;
      const GArray *sizes;
      KtFinding *f;

      if (size == 0)
        {
          kt_advisor_unknown (ctx, "hugepage-size-multiple", "hugepages.default_size_kib",
                              _("The VM uses the default huge page size."))->vm = g_strdup (v->name);
          continue;
        }
      if (mem % size == 0)
        continue;
      size_text = kt_adv_format_kib (size);
      mem_text = kt_adv_format_kib (mem);
      up_text = kt_adv_format_kib ((mem / size + 1) * size);
      f = kt_advisor_add (ctx, "hugepage-size-multiple", KT_SEVERITY_ERROR, v->name,
                          g_strdup_printf (_("%s’s memory is not a multiple of its %s huge pages"),
                                           v->name, size_text),
                          g_strdup_printf (_("%s of memory backed by %s pages leaves a partial "
                                             "page: libvirt refuses to start the VM (or QEMU "
                                             "rounds up and takes a whole extra page)."),
                                           mem_text, size_text));
      /* A smaller page size of the host that divides it, with pages to spare */
      sizes = kt_host_get_page_sizes (ctx->host);
      for (guint s = 0; s < sizes->len; s++)
        {
          guint64 cand = g_array_index (sizes, guint64, s);

          if (cand > 4 && cand < size && mem % cand == 0 && host_has_pages (ctx, cand, mem / cand))
            smaller = cand;
        }
      if (smaller > 0)
        {
          g_autofree char *st = kt_adv_format_kib (smaller);

          f->fix = kt_fix_new (NULL);
          f->fix->summary = g_strdup_printf (_("Back it with %s pages, which divide it"), st);
          kt_fix_add_number (f->fix, KT_FIX_HUGEPAGES, v->name, (gint64) smaller, h->nodeset);
        }
      else
        f->fix = manual_fix (g_strdup_printf (_("By hand: round the memory up to %s, a multiple "
                                                "of %s (virsh setmaxmem %s …)"),
                                              up_text, size_text, v->name));
    }
}

static void
hugepage_pool_short (KtAdvisorContext *ctx,
                     KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  KtHugepage whole = { 0, NULL };

  if (!t->has_hugepages || v->active)
    return;
  for (guint i = 0; i < MAX (t->hugepages->len, 1); i++)
    {
      const KtHugepage *h = t->hugepages->len ? &g_array_index (t->hugepages, KtHugepage, i)
                                              : &whole;
      guint64 size = page_size_of (ctx, h);
      guint64 need;
      g_autoptr(KtCpuset) nodes = NULL;
      gint64 have = 0;
      gboolean unknown = FALSE;
      int grow = -1;
      gint64 grow_total = 0;

      if (size == 0)
        continue;   /* said by hugepage-size-multiple */
      need = (backed_memory (t, h) + size - 1) / size;
      if (kt_adv_vm_mem_nodes (v) != NULL)
        nodes = kt_cpuset_copy (kt_adv_vm_mem_nodes (v));
      else if (!kt_cpuset_is_empty (v->vcpu_nodes))
        nodes = kt_cpuset_copy (v->vcpu_nodes);
      else
        nodes = kt_cpuset_copy (kt_host_get_node_ids (ctx->host));
      for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
        {
          gint64 total, free_pages;

          pool_of (ctx, n, size, &total, &free_pages);
          if (free_pages < 0)
            unknown = TRUE;
          else
            have += free_pages;
          if (grow < 0 || kt_cpuset_contains (v->vcpu_nodes, n))
            if (grow < 0 || !kt_cpuset_contains (v->vcpu_nodes, grow))
              {
                grow = n;
                grow_total = MAX (total, 0);
              }
        }
      if (unknown)
        {
          kt_advisor_unknown (ctx, "hugepage-pool-short", "hugepages.NODE.SIZE_KIB",
                              _("A stopped hugepage-backed VM starts only if the pools of its "
                                "nodes have enough free pages."))->vm = g_strdup (v->name);
          continue;
        }
      if ((guint64) have >= need)
        continue;
      {
        g_autofree char *size_text = kt_adv_format_kib (size);
        g_autofree char *ns = fmt (nodes);
        g_autofree char *need_text = g_strdup_printf ("%" G_GUINT64_FORMAT, need);
        g_autofree char *have_text = g_strdup_printf ("%" G_GINT64_FORMAT, have);
        g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, grow, size);
        g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  grow_total + (gint64) need - have);
        KtFinding *f;

        f = kt_advisor_add (ctx, "hugepage-pool-short", KT_SEVERITY_ERROR, v->name,
                            g_strdup_printf (_("Node %s lacks free %s pages for %s"),
                                             ns, size_text, v->name),
                            g_strdup_printf (_("%s needs %s pages of %s on node %s, which has "
                                               "%s free: libvirt cannot start it."),
                                             v->name, need_text, size_text, ns, have_text));
        f->nodes = g_steal_pointer (&nodes);
        kt_finding_add_key (f, key);
        f->fix = kt_fix_new (NULL);
        f->fix->summary = g_strdup_printf (_("Grow node %d’s pool of %s pages to %s pages"),
                                           grow, size_text, value);
        kt_fix_add_host (f->fix, key, value);
      }
    }
}

/* locked-without-hard-limit ----------------------------------------------------- */

static void
locked_without_hard_limit (KtAdvisorContext *ctx,
                           KtAdvVm          *v)
{
  guint64 mem = MAX (v->t->memory_kib, v->t->max_memory_kib);
  gint64 limit = (gint64) (mem + 1024 * 1024);
  g_autofree char *lt = NULL;
  KtFinding *f;

  if (!v->t->locked || v->t->hard_limit_kib >= 0)
    return;
  lt = kt_adv_format_kib ((guint64) limit);
  f = kt_advisor_add (ctx, "locked-without-hard-limit", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s locks its memory without a hard limit"), v->name),
                      g_strdup (_("Locked memory is never swapped; without a memtune "
                                  "hard_limit nothing bounds what a growing (or compromised) "
                                  "QEMU can lock, up to all of the host’s memory. libvirt "
                                  "advises a hard limit with <locked/>.")));
  f->fix = kt_fix_new (NULL);
  f->fix->summary = g_strdup_printf (_("Set the hard limit to %s: the guest’s memory plus 1 GiB "
                                       "for QEMU itself (raise it for VFIO devices)"), lt);
  kt_fix_add_number (f->fix, KT_FIX_HARD_LIMIT, v->name, limit, NULL);
}

/* guest-numa-mismatch ---------------------------------------------------------- */

static void
guest_numa_mismatch (KtAdvisorContext *ctx,
                     KtAdvVm          *v)
{
  const KtTuning *t = v->t;
  const KtCpuset *mem = kt_adv_vm_mem_nodes (v);
  guint64 sum = 0;
  g_autoptr(GString) unmapped = g_string_new (NULL);
  g_autoptr(KtFix) fix = kt_fix_new (NULL);
  gboolean manual = FALSE;
  KtFinding *f;

  if (t->cells->len == 0)
    return;
  for (guint i = 0; i < t->cells->len; i++)
    sum += g_array_index (t->cells, KtGuestCell, i).memory_kib;
  if (sum != t->memory_kib && t->max_memory_kib == 0)
    {
      g_autofree char *st = kt_adv_format_kib (sum);
      g_autofree char *mt = kt_adv_format_kib (t->memory_kib);

      f = kt_advisor_add (ctx, "guest-numa-mismatch", KT_SEVERITY_WARNING, v->name,
                          g_strdup_printf (_("%s’s guest NUMA cells do not add up to its memory"),
                                           v->name),
                          g_strdup_printf (_("The cells hold %s and <memory> says %s: libvirt "
                                             "takes the cells’ sum, so the VM does not get the "
                                             "memory its definition seems to give it."), st, mt));
      f->fix = manual_fix (g_strdup_printf (_("By hand: make the cells’ memory add up to %s, "
                                              "or set <memory> to %s"), mt, st));
    }

  /* Cells without a host node, when the memory is not on one node anyway */
  if (t->cells->len < 2 || (mem != NULL && kt_cpuset_count (mem) == 1))
    return;
  for (guint i = 0; i < t->cells->len; i++)
    {
      const KtGuestCell *cell = &g_array_index (t->cells, KtGuestCell, i);
      g_autoptr(KtCpuset) nodes = NULL;

      if (lookup_memnode (t, cell->id) != NULL)
        continue;
      g_string_append_printf (unmapped, "%s%u", unmapped->len ? ", " : "", cell->id);
      nodes = cell_vcpu_nodes (ctx, v, cell);
      if (nodes == NULL || kt_cpuset_is_empty (nodes))
        manual = TRUE;
      else
        kt_fix_add_memnode (fix, v->name, cell->id,
                            g_strcmp0 (t->numa_mode, "interleave") == 0 || t->numa_mode == NULL
                            ? "strict" : t->numa_mode, nodes);
    }
  if (unmapped->len == 0)
    return;
  f = kt_advisor_add (ctx, "guest-numa-mismatch", KT_SEVERITY_WARNING, v->name,
                      g_strdup_printf (_("%s’s guest NUMA cells %s are not mapped to host nodes"),
                                       v->name, unmapped->str),
                      g_strdup (_("The guest places its processes by its NUMA cells; when a "
                                  "cell’s memory is not bound (<memnode>) to the host node "
                                  "its vCPUs run on, what the guest thinks is local is remote, "
                                  "and NUMA misses cost 10 % or more.")));
  if (mem != NULL)
    f->nodes = kt_cpuset_copy (mem);
  if (manual)
    {
      g_ptr_array_set_size (fix->steps, 0);
      fix->summary = g_strdup (_("By hand: pin each cell’s vCPUs to one host node, then bind "
                                 "the cell there (<memnode cellid=… nodeset=…>)"));
    }
  else
    fix->summary = g_strdup (_("Bind each cell’s memory to its vCPUs’ host node"));
  f->fix = g_steal_pointer (&fix);
}

/**
 * kt_advisor_rules_memory:
 *
 * The per-VM rules about memory.
 */
void
kt_advisor_rules_memory (KtAdvisorContext *ctx,
                         KtAdvVm          *v)
{
  pin_without_numatune (ctx, v);
  nodeset_placement_mismatch (ctx, v);
  strict_oom_risk (ctx, v);
  hugepage_size_multiple (ctx, v);
  hugepage_pool_short (ctx, v);
  locked_without_hard_limit (ctx, v);
  guest_numa_mismatch (ctx, v);
}
