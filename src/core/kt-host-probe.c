/* kt-host-probe.c: reading a host's tuning (KtHostTuning)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-host-probe.h"
#include "kt-tuned.h"

#define KSM_DIR   "/sys/kernel/mm/ksm"
#define THP_DIR   "/sys/kernel/mm/transparent_hugepage"
#define NODE_DIR  "/sys/devices/system/node"
#define HUGE_DIR  "/sys/kernel/mm/hugepages"

/* A small sysfs or procfs file; NULL when it cannot be read */
static char *
read_small (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return text;
}

static gint64
read_number (const char *path)
{
  g_autofree char *text = read_small (path);
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &v, NULL))
    return -1;
  return (gint64) v;
}

/* "always [madvise] never": the bracketed choice */
static char *
read_choice (const char *path)
{
  g_autofree char *text = read_small (path);
  const char *open, *close;

  if (text == NULL || (open = strchr (text, '[')) == NULL
      || (close = strchr (open, ']')) == NULL)
    return NULL;
  return g_strndup (open + 1, close - open - 1);
}

static void
read_ksm_sysfs (KtHostTuning *t)
{
  t->ksm_run = read_number (KSM_DIR "/run");
  t->ksm_merge_across_nodes = read_number (KSM_DIR "/merge_across_nodes");
  t->ksm_pages_to_scan = read_number (KSM_DIR "/pages_to_scan");
  t->ksm_sleep_millisecs = read_number (KSM_DIR "/sleep_millisecs");
  t->ksm_pages_shared = read_number (KSM_DIR "/pages_shared");
  t->ksm_pages_sharing = read_number (KSM_DIR "/pages_sharing");
  t->ksm_pages_unshared = read_number (KSM_DIR "/pages_unshared");
  t->ksm_pages_volatile = read_number (KSM_DIR "/pages_volatile");
  t->ksm_full_scans = read_number (KSM_DIR "/full_scans");
}

static guint64
parse_size_kib (const char *text)
{
  guint64 v;
  char *rest = NULL;

  v = g_ascii_strtoull (text, &rest, 10);
  if (rest == text)
    return 0;
  switch (g_ascii_toupper (*rest))
    {
    case '\0': return v / 1024;   /* bytes */
    case 'K': return v;
    case 'M': return v * 1024;
    case 'G': return v * 1024 * 1024;
    default: return 0;
    }
}

static guint64
default_hugepage_kib (void)
{
  g_autofree char *meminfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    return 0;
  lines = g_strsplit (meminfo, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "Hugepagesize:"))
      return g_ascii_strtoull (lines[i] + strlen ("Hugepagesize:"), NULL, 10);
  return 0;
}

/* The page sizes (KiB) of the hugetlbfs mounts, from /proc/mounts */
static GArray *
hugetlbfs_sizes (guint64 default_kib)
{
  g_autofree char *mounts = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  if (!g_file_get_contents ("/proc/mounts", &mounts, NULL, NULL))
    {
      g_array_unref (sizes);
      return NULL;
    }
  lines = g_strsplit (mounts, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      g_auto(GStrv) opts = NULL;
      guint64 size = default_kib;

      if (g_strv_length (fields) < 4 || !g_str_equal (fields[2], "hugetlbfs"))
        continue;
      opts = g_strsplit (fields[3], ",", -1);
      for (guint o = 0; opts[o]; o++)
        if (g_str_has_prefix (opts[o], "pagesize="))
          size = parse_size_kib (opts[o] + strlen ("pagesize="));
      if (size > 0)
        g_array_append_val (sizes, size);
    }
  return sizes;
}

static void
add_sysfs_pools (KtHostTuning *t,
                 int           node,
                 const char   *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *nr = NULL;
      g_autofree char *fr = NULL;
      guint64 size;
      KtHugePool *pool;

      if (!g_str_has_prefix (name, "hugepages-") || !g_str_has_suffix (name, "kB"))
        continue;
      size = g_ascii_strtoull (name + strlen ("hugepages-"), NULL, 10);
      if (size == 0)
        continue;
      nr = g_build_filename (dir, name, "nr_hugepages", NULL);
      fr = g_build_filename (dir, name, "free_hugepages", NULL);
      pool = kt_host_tuning_add_pool (t, node, size);
      pool->total = read_number (nr);
      pool->free = read_number (fr);
    }
}

static void
read_pools_sysfs (KtHostTuning *t)
{
  g_autoptr(GDir) d = g_dir_open (NODE_DIR, 0, NULL);
  const char *name;
  gboolean any = FALSE;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *dir = NULL;
      guint64 node;

      if (!g_str_has_prefix (name, "node")
          || !g_ascii_string_to_unsigned (name + 4, 10, 0, 65535, &node, NULL))
        continue;
      dir = g_build_filename (NODE_DIR, name, "hugepages", NULL);
      add_sysfs_pools (t, (int) node, dir);
      any = TRUE;
    }
  if (!any)   /* a kernel without NUMA: one node */
    add_sysfs_pools (t, 0, HUGE_DIR);
}

static void
mark_mounts (KtHostTuning *t)
{
  g_autoptr(GArray) sizes = hugetlbfs_sizes (t->default_hugepage_kib);

  for (guint i = 0; i < t->hugepages->len; i++)
    {
      KtHugePool *p = &g_array_index (t->hugepages, KtHugePool, i);

      if (sizes == NULL)
        continue;
      p->mounted = 0;
      for (guint s = 0; s < sizes->len; s++)
        if (g_array_index (sizes, guint64, s) == p->size_kib)
          p->mounted = 1;
    }
}

/**
 * kt_host_probe_local:
 *
 * Reads the machine KvmTune runs on from tuned, sysfs and procfs.
 *
 * Returns: (transfer full): its values; what cannot be read is unknown
 */
KtHostTuning *
kt_host_probe_local (void)
{
  KtHostTuning *t = kt_host_tuning_new ();

  kt_tuned_read (t);
  read_ksm_sysfs (t);
  t->thp_enabled = read_choice (THP_DIR "/enabled");
  t->thp_defrag = read_choice (THP_DIR "/defrag");
  t->numa_balancing = read_number ("/proc/sys/kernel/numa_balancing");
  t->default_hugepage_kib = default_hugepage_kib ();
  read_pools_sysfs (t);
  mark_mounts (t);
  return t;
}

static gboolean
param_value (const virTypedParameter *p,
             gint64                  *value)
{
  switch (p->type)
    {
    case VIR_TYPED_PARAM_UINT: *value = p->value.ui; return TRUE;
    case VIR_TYPED_PARAM_ULLONG: *value = (gint64) MIN (p->value.ul, (guint64) G_MAXINT64); return TRUE;
    case VIR_TYPED_PARAM_INT: *value = p->value.i; return TRUE;
    case VIR_TYPED_PARAM_LLONG: *value = p->value.l; return TRUE;
    default: return FALSE;
    }
}

/**
 * kt_host_probe_ksm_libvirt:
 *
 * Reads the KSM shm_* values of @connection's host into @tuning (run is
 * not among them).
 */
gboolean
kt_host_probe_ksm_libvirt (KtConnection  *connection,
                           KtHostTuning  *tuning,
                           GError       **error)
{
  virConnectPtr conn = kt_connection_get_handle (connection);
  g_autofree virTypedParameterPtr params = NULL;
  int n = 0;

  if (virNodeGetMemoryParameters (conn, NULL, &n, 0) < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the KSM settings"));
      return FALSE;
    }
  params = g_new0 (virTypedParameter, MAX (n, 1));
  if (virNodeGetMemoryParameters (conn, params, &n, 0) < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the KSM settings"));
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      const char *f = params[i].field;
      gint64 v;

      if (!param_value (&params[i], &v))
        continue;
      if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN))
        tuning->ksm_pages_to_scan = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS))
        tuning->ksm_sleep_millisecs = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_PAGES_SHARED))
        tuning->ksm_pages_shared = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_PAGES_SHARING))
        tuning->ksm_pages_sharing = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_PAGES_UNSHARED))
        tuning->ksm_pages_unshared = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_PAGES_VOLATILE))
        tuning->ksm_pages_volatile = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_FULL_SCANS))
        tuning->ksm_full_scans = v;
      else if (g_str_equal (f, VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES))
        tuning->ksm_merge_across_nodes = v;
    }
  return TRUE;
}

/* The pools' totals from the capabilities, their free pages from
 * virNodeGetFreePages: what a remote host tells */
static gboolean
read_pools_libvirt (KtConnection  *connection,
                    KtHostTuning  *t,
                    GError       **error)
{
  virConnectPtr conn = kt_connection_get_handle (connection);
  g_autoptr(KtHost) host = NULL;
  char *caps = virConnectGetCapabilities (conn);

  if (caps == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot read the host capabilities"));
      return FALSE;
    }
  host = kt_host_new_from_xml (caps, -1, error);
  free (caps);
  if (host == NULL)
    return FALSE;
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);
          unsigned int size = (unsigned int) pg->size_kib;
          unsigned long long count = 0;
          KtHugePool *pool;

          if (p == 0 || pg->size_kib <= 4)
            continue;   /* base pages */
          pool = kt_host_tuning_add_pool (t, node->id, pg->size_kib);
          pool->total = (gint64) pg->total;
          if (virNodeGetFreePages (conn, 1, &size, node->id, 1, &count, 0) == 1)
            pool->free = (gint64) count;
          else
            virResetLastError ();
        }
    }
  return TRUE;
}

/**
 * kt_host_probe:
 * @connection: (nullable): a libvirt connection; %NULL reads this machine
 *   without libvirt
 *
 * Reads the host's tuning: through libvirt what libvirt tells (also
 * remotely), and for this machine (@connection local or %NULL) tuned,
 * sysfs and procfs too.
 *
 * Returns: (transfer full): the values, or %NULL with @error set when
 * libvirt cannot be read
 */
KtHostTuning *
kt_host_probe (KtConnection  *connection,
               GError       **error)
{
  g_autoptr(KtHostTuning) t = NULL;

  if (connection == NULL)
    return kt_host_probe_local ();
  if (kt_connection_is_local (connection))
    t = kt_host_probe_local ();
  else
    {
      t = kt_host_tuning_new ();
      if (!read_pools_libvirt (connection, t, error))
        return NULL;
    }
  {
    g_autoptr(GError) ksm_error = NULL;

    /* A driver without node memory parameters (test:///, some remote
     * hosts): KSM's values stay what sysfs said, or unknown */
    if (!kt_host_probe_ksm_libvirt (connection, t, &ksm_error))
      g_debug ("%s", ksm_error->message);
  }
  for (guint i = 0; i < t->hugepages->len && kt_connection_is_local (connection); i++)
    {
      KtHugePool *p = &g_array_index (t->hugepages, KtHugePool, i);
      unsigned int size = (unsigned int) p->size_kib;
      unsigned long long count = 0;

      /* libvirt's view of the free pages; the same kernel counter */
      if (p->free < 0 && virNodeGetFreePages (kt_connection_get_handle (connection), 1, &size,
                                              p->node, 1, &count, 0) == 1)
        p->free = (gint64) count;
      virResetLastError ();
    }
  return g_steal_pointer (&t);
}

/**
 * kt_host_probe_pool:
 * @connection: (nullable): %NULL for this machine's sysfs
 *
 * Reads one pool back, after a change.
 */
gboolean
kt_host_probe_pool (KtConnection  *connection,
                    int            node,
                    guint64        size_kib,
                    gint64        *total,
                    gint64        *free_pages,
                    GError       **error)
{
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();
  KtHugePool *pool;

  if (connection == NULL || kt_connection_is_local (connection))
    {
      g_autofree char *dir = g_strdup_printf (NODE_DIR "/node%d/hugepages", node);

      if (g_file_test (NODE_DIR, G_FILE_TEST_IS_DIR))
        add_sysfs_pools (t, node, dir);
      else if (node == 0)
        add_sysfs_pools (t, 0, HUGE_DIR);
    }
  else if (!read_pools_libvirt (connection, t, error))
    return FALSE;
  pool = kt_host_tuning_lookup_pool (t, node, size_kib);
  if (pool == NULL || pool->total < 0)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, size_kib);

      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("hugepages.%d.%s: the pool cannot be read back"), node, size);
      return FALSE;
    }
  *total = pool->total;
  if (free_pages)
    *free_pages = pool->free;
  return TRUE;
}
