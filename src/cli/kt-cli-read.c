/* kt-cli-read.c: kvmtune-cli's verbs that read a host
 *
 *   topology [--json]        the NUMA nodes, sockets, caches and PUs, with
 *                            what is pinned where
 *   domains [--json]         one line per domain
 *   show DOMAIN [--json]     a domain's tuning, threads and warnings
 *   snapshot -o FILE [--json]
 *                            the host and its domains in one file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-analysis.h"
#include "kt-cli.h"
#include "kt-describe.h"
#include "kt-error.h"
#include "kt-format.h"
#include "kt-json.h"
#include "kt-placement.h"

/* Text helpers ----------------------------------------------------------- */

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
      g_autofree char *mem = kt_format_kib (node->memory_kib);

      g_string_append_printf (line, "  %s", mem);
      if (node->free_kib >= 0)
        {
          g_autofree char *free_mem = kt_format_kib (node->free_kib);

          g_string_append_printf (line, _(" (%s free)"), free_mem);
        }
    }
  for (guint p = 0; p < node->pages->len; p++)
    {
      const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);
      g_autofree char *size = NULL;

      if (pg->size_kib <= 4 || (p == 0 && pg->size_kib < 1024))
        continue;   /* base pages */
      size = kt_format_page_size_short (pg->size_kib);
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

/* The first line: the host, its counts and its page sizes */
static void
print_host_summary (KtSnapshot *snapshot)
{
  KtHost *host = kt_snapshot_get_host (snapshot);
  g_autoptr(GString) sizes = g_string_new (NULL);
  const GArray *page_sizes = kt_host_get_page_sizes (host);
  g_autofree char *as_of = NULL;

  for (guint i = 0; i < page_sizes->len; i++)
    {
      g_autofree char *s = kt_format_page_size_short (g_array_index (page_sizes, guint64, i));

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
  as_of = kt_describe_free_as_of (host);
  if (as_of != NULL)
    g_print ("%s\n", as_of);
}

/* Where a node's cores sit: the socket, die and L3 lines above them */
typedef struct
{
  int socket;
  int die;
  int l3;
} CoreGroup;

static void
print_core_group (KtHost           *host,
                  const KtHostCore *core,
                  gboolean          first_core,
                  CoreGroup        *last)
{
  int l3 = l3_of_core (host, core);

  if (core->socket != last->socket)
    {
      if (core->socket >= 0)
        g_print (_("  Socket %d\n"), core->socket);
      last->socket = core->socket;
      last->die = last->l3 = G_MININT;
    }
  if (core->die != last->die)
    {
      if (core->die > 0 || (core->die == 0 && !first_core && last->die != G_MININT))
        g_print (_("    Die %d\n"), core->die);
      last->die = core->die;
    }
  if (l3 != last->l3)
    {
      if (l3 >= 0)
        {
          const KtHostCache *cache = kt_host_get_l3 (host, l3);
          g_autofree char *size = kt_format_kib (cache->size_kib);
          g_autofree char *cpus = kt_cpuset_format (cache->cpus);

          g_print (_("    L3 #%d (%s, CPUs %s)\n"), l3, size, cpus);
        }
      last->l3 = l3;
    }
}

/* A line per PU of @core, with the threads pinned to it */
static void
print_core (KtHost           *host,
            const KtHostCore *core,
            GPtrArray        *placements)
{
  gboolean first_pu = TRUE;

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

static void
print_node (KtHost           *host,
            const KtHostNode *node,
            GPtrArray        *placements)
{
  g_autoptr(GArray) cores = kt_host_node_cores (host, node->id);
  CoreGroup last = { G_MININT, G_MININT, G_MININT };

  g_print ("\n");
  print_node_header (host, node);
  for (guint i = 0; i < cores->len; i++)
    {
      const KtHostCore *core = kt_host_get_core (host, g_array_index (cores, guint, i));

      print_core_group (host, core, i == 0, &last);
      print_core (host, core, placements);
    }
}

/* The threads without a pin of their own, after the nodes */
static void
print_floating (GPtrArray *placements)
{
  gboolean any_floating = FALSE;

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

static void
print_topology (KtSnapshot *snapshot)
{
  KtHost *host = kt_snapshot_get_host (snapshot);
  g_autoptr(GPtrArray) placements = kt_placement_list (snapshot);

  print_host_summary (snapshot);
  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    print_node (host, kt_host_get_node (host, n), placements);
  print_floating (placements);
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
      g_autofree char *mem = kt_format_kib (t->memory_kib);
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

/* Name, state, size, vCPUs, their default pins and the CPU model */
static void
print_show_general (KtVm     *vm,
                    KtTuning *t)
{
  g_autofree char *mem = kt_format_kib (t->memory_kib);
  g_autofree char *vcpus = g_strdup_printf ("%u (%u online)", t->vcpus,
                                            kt_tuning_count_online (t));

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
}

/* Where the memory comes from: numatune, memnodes, huge pages, backing */
static void
print_show_memory (KtTuning *t)
{
  g_autofree char *nodeset = t->numa_nodeset ? kt_cpuset_format (t->numa_nodeset) : NULL;

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
      g_autofree char *size = h->size_kib ? kt_format_page_size_short (h->size_kib) : g_strdup (_("default"));
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

}

/* A line per thread: where it runs and why */
static void
print_show_threads (KtSnapshot *snapshot,
                    KtVm       *vm,
                    KtTuning   *t)
{
  g_autoptr(GPtrArray) placements = kt_placement_list_vm (snapshot, vm);
  KtHost *host = kt_snapshot_get_host (snapshot);

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

}

/* The placement problems the map draws, of this domain */
static void
print_show_warnings (KtSnapshot *snapshot,
                     KtVm       *vm)
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

static void
print_show (KtSnapshot *snapshot,
            KtVm       *vm)
{
  g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

  print_show_general (vm, t);
  print_show_memory (t);
  print_show_threads (snapshot, vm, t);
  print_show_warnings (snapshot, vm);
}

/* The verbs --------------------------------------------------------------- */

int
kt_cli_topology (KtCli   *cli,
                 int      argc,
                 char   **argv,
                 GError **error)
{
  if (cli->json)
    kt_cli_print_json (kt_json_topology (kt_snapshot_get_host (cli->snapshot)));
  else
    print_topology (cli->snapshot);
  return 0;
}

int
kt_cli_domains (KtCli   *cli,
                int      argc,
                char   **argv,
                GError **error)
{
  if (cli->json)
    kt_cli_print_json (kt_json_domains (cli->snapshot));
  else
    print_domains (cli->snapshot);
  return 0;
}

/* show DOMAIN */
int
kt_cli_show (KtCli   *cli,
             int      argc,
             char   **argv,
             GError **error)
{
  KtVm *vm = kt_snapshot_lookup_vm (cli->snapshot, argv[1]);

  if (vm == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), argv[1]);
      return 1;
    }
  if (cli->json)
    kt_cli_print_json (kt_json_show_in (cli->snapshot, vm));
  else
    print_show (cli->snapshot, vm);
  return 0;
}

/* snapshot -o FILE: "-" is standard output, and the word goes to stderr */
int
kt_cli_snapshot (KtCli   *cli,
                 int      argc,
                 char   **argv,
                 GError **error)
{
  guint n_vms = g_list_model_get_n_items (kt_snapshot_get_vms (cli->snapshot));

  kt_cli_host_capture (cli->connection, cli->snapshot);
  if (!kt_snapshot_save (cli->snapshot, cli->output, error))
    return 1;
  if (cli->json && !g_str_equal (cli->output, "-"))
    kt_cli_print_json (kt_json_domains (cli->snapshot));
  else if (g_str_equal (cli->output, "-"))
    g_printerr (_("Wrote the snapshot: %u domains\n"), n_vms);
  else
    g_print (_("Wrote %s: %u domains\n"), cli->output, n_vms);
  return 0;
}
