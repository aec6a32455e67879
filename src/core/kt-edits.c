/* kt-edits.c: a VM's pending tuning edits other than vCPU pins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-edits.h"

G_DEFINE_BOXED_TYPE (KtEdits, kt_edits, kt_edits_copy, kt_edits_free)

static GHashTable *
pin_table_new (void)
{
  return g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                (GDestroyNotify) kt_cpuset_free);
}

KtEdits *
kt_edits_new (void)
{
  KtEdits *e = g_new0 (KtEdits, 1);

  e->iothreadpins = pin_table_new ();
  e->memnodes = pin_table_new ();
  e->memnode_modes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  e->nosharepages = -1;
  e->locked = -1;
  return e;
}

void
kt_edits_free (KtEdits *e)
{
  if (e == NULL)
    return;
  kt_cpuset_free (e->emulatorpin);
  g_hash_table_unref (e->iothreadpins);
  g_free (e->numa_mode);
  kt_cpuset_free (e->numa_nodeset);
  g_hash_table_unref (e->memnodes);
  g_hash_table_unref (e->memnode_modes);
  kt_cpuset_free (e->page_cells);
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  g_free (e);
}

static KtCpuset *
set_copy (const KtCpuset *set)
{
  return set != NULL ? kt_cpuset_copy (set) : NULL;
}

static void
copy_pin_table (GHashTable *to,
                GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, key, kt_cpuset_copy (value));
}

static void
copy_mode_table (GHashTable *to,
                 GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, key, g_strdup (value));
}

KtEdits *
kt_edits_copy (const KtEdits *e)
{
  KtEdits *c = kt_edits_new ();

  if (e == NULL)
    return c;
  c->has_emulatorpin = e->has_emulatorpin;
  c->emulatorpin = set_copy (e->emulatorpin);
  copy_pin_table (c->iothreadpins, e->iothreadpins);
  c->numa_mode = g_strdup (e->numa_mode);
  c->numa_nodeset = set_copy (e->numa_nodeset);
  copy_pin_table (c->memnodes, e->memnodes);
  copy_mode_table (c->memnode_modes, e->memnode_modes);
  c->has_hugepages = e->has_hugepages;
  c->page_kib = e->page_kib;
  c->page_cells = set_copy (e->page_cells);
  c->nosharepages = e->nosharepages;
  c->locked = e->locked;
  c->has_hard_limit = e->has_hard_limit;
  c->hard_limit_kib = e->hard_limit_kib;
  c->cpu_mode = g_strdup (e->cpu_mode);
  c->cpu_model = g_strdup (e->cpu_model);
  c->has_topology = e->has_topology;
  memcpy (c->topology, e->topology, sizeof c->topology);
  return c;
}

guint
kt_edits_count (const KtEdits *e)
{
  if (e == NULL)
    return 0;
  return (e->has_emulatorpin ? 1 : 0) + g_hash_table_size (e->iothreadpins)
         + (e->numa_mode != NULL || e->numa_nodeset != NULL ? 1 : 0)
         + g_hash_table_size (e->memnodes) + (e->has_hugepages ? 1 : 0)
         + (e->nosharepages >= 0 ? 1 : 0) + (e->locked >= 0 ? 1 : 0)
         + (e->has_hard_limit ? 1 : 0) + (e->cpu_mode != NULL ? 1 : 0)
         + (e->has_topology ? 1 : 0);
}

static gboolean
same_cpuset (gconstpointer a,
             gconstpointer b)
{
  return kt_cpuset_same (a, b);
}

static gboolean
same_string (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (a, b) == 0;
}

/* Same keys, and @same values for each */
static gboolean
tables_equal (GHashTable *a,
              GHashTable *b,
              gboolean  (*same) (gconstpointer a,
                                 gconstpointer b))
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer other;

      if (!g_hash_table_lookup_extended (b, key, NULL, &other) || !same (value, other))
        return FALSE;
    }
  return TRUE;
}

/* NULL is the same as no edits */
gboolean
kt_edits_equal (const KtEdits *a,
                const KtEdits *b)
{
  g_autoptr(KtEdits) empty = NULL;

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    {
      empty = kt_edits_new ();
      if (a == NULL)
        a = empty;
      else
        b = empty;
    }
  return a->has_emulatorpin == b->has_emulatorpin
         && kt_cpuset_same (a->emulatorpin, b->emulatorpin)
         && tables_equal (a->iothreadpins, b->iothreadpins, same_cpuset)
         && g_strcmp0 (a->numa_mode, b->numa_mode) == 0
         && kt_cpuset_same (a->numa_nodeset, b->numa_nodeset)
         && tables_equal (a->memnodes, b->memnodes, same_cpuset)
         && tables_equal (a->memnode_modes, b->memnode_modes, same_string)
         && a->has_hugepages == b->has_hugepages && a->page_kib == b->page_kib
         && kt_cpuset_same (a->page_cells, b->page_cells)
         && a->nosharepages == b->nosharepages && a->locked == b->locked
         && a->has_hard_limit == b->has_hard_limit && a->hard_limit_kib == b->hard_limit_kib
         && g_strcmp0 (a->cpu_mode, b->cpu_mode) == 0
         && g_strcmp0 (a->cpu_model, b->cpu_model) == 0
         && a->has_topology == b->has_topology
         && memcmp (a->topology, b->topology, sizeof a->topology) == 0;
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *) a), y = GPOINTER_TO_UINT (*(gconstpointer *) b);

  return x < y ? -1 : x > y;
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_uint);
  return keys;
}

gboolean
kt_edits_replay (const KtEdits  *e,
                 KtDomain       *domain,
                 GError        **error)
{
  g_return_val_if_fail (KT_IS_DOMAIN (domain), FALSE);

  if (e == NULL)
    return TRUE;

  if (e->cpu_mode != NULL
      && !kt_domain_set_cpu_mode (domain, e->cpu_mode, e->cpu_model, error))
    return FALSE;
  if (e->has_topology
      && !kt_domain_set_cpu_topology (domain, e->topology[0], e->topology[1], e->topology[2],
                                      e->topology[3], error))
    return FALSE;
  if ((e->numa_mode != NULL || e->numa_nodeset != NULL)
      && !kt_domain_set_numatune (domain, e->numa_mode, e->numa_nodeset, error))
    return FALSE;
  if (g_hash_table_size (e->memnodes) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->memnodes);

      for (guint i = 0; i < keys->len; i++)
        {
          guint cell = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->memnodes, GUINT_TO_POINTER (cell));
          g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
          const char *mode = g_hash_table_lookup (e->memnode_modes, GUINT_TO_POINTER (cell));

          /* Without a mode of its own, a memnode keeps its mode; a new
           * one is strict */
          for (guint m = 0; mode == NULL && m < t->memnodes->len; m++)
            if (g_array_index (t->memnodes, KtMemnode, m).cellid == cell)
              mode = g_array_index (t->memnodes, KtMemnode, m).mode;
          if (!kt_domain_set_memnode (domain, cell, mode,
                                      kt_cpuset_is_empty (set) ? NULL : set, error))
            return FALSE;
        }
    }
  if (e->has_hugepages
      && !kt_domain_set_hugepages (domain, e->page_kib, e->page_cells, error))
    return FALSE;
  if (e->nosharepages >= 0)
    kt_domain_set_nosharepages (domain, e->nosharepages);
  if (e->locked >= 0)
    kt_domain_set_locked (domain, e->locked);
  if (e->has_hard_limit && !kt_domain_set_memtune_hard_limit (domain, e->hard_limit_kib, error))
    return FALSE;
  if (e->has_emulatorpin && !kt_domain_set_emulatorpin (domain, e->emulatorpin, error))
    return FALSE;
  if (g_hash_table_size (e->iothreadpins) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->iothreadpins);

      for (guint i = 0; i < keys->len; i++)
        {
          guint id = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->iothreadpins, GUINT_TO_POINTER (id));

          if (!kt_domain_set_iothreadpin (domain, id, kt_cpuset_is_empty (set) ? NULL : set,
                                          error))
            return FALSE;
        }
    }
  return TRUE;
}

static char *
format_set (const KtCpuset *set)
{
  if (set == NULL || kt_cpuset_is_empty (set))
    return g_strdup (_("none"));
  return kt_cpuset_format (set);
}

static char *
format_kib (guint64 kib)
{
  g_autofree char *bytes = g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);

  return g_steal_pointer (&bytes);
}

static void
describe_pin_table (GPtrArray  *lines,
                    GHashTable *table,
                    GHashTable *modes,
                    gboolean    iothreads)
{
  g_autoptr(GPtrArray) keys = sorted_keys (table);

  for (guint i = 0; i < keys->len; i++)
    {
      guint id = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
      g_autofree char *set = format_set (g_hash_table_lookup (table, GUINT_TO_POINTER (id)));
      const char *mode = modes ? g_hash_table_lookup (modes, GUINT_TO_POINTER (id)) : NULL;

      if (iothreads)
        /* Translators: IOThread id, then host CPUs ("none": unpinned) */
        g_ptr_array_add (lines, g_strdup_printf (_("IOThread %u pin: %s"), id, set));
      else if (mode != NULL)
        /* Translators: guest NUMA cell, host nodes, then the memory mode */
        g_ptr_array_add (lines, g_strdup_printf (_("Memory of guest cell %u: nodes %s, %s"),
                                                 id, set, mode));
      else
        /* Translators: guest NUMA cell, then host nodes ("none": removed) */
        g_ptr_array_add (lines, g_strdup_printf (_("Memory of guest cell %u: nodes %s"),
                                                 id, set));
    }
}

GPtrArray *
kt_edits_describe (const KtEdits *e)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  if (e == NULL)
    return lines;
  if (e->cpu_mode != NULL)
    {
      if (e->cpu_model != NULL)
        /* Translators: CPU mode, then model ("custom (Skylake-Server)") */
        g_ptr_array_add (lines, g_strdup_printf (_("CPU: %s (%s)"), e->cpu_mode, e->cpu_model));
      else
        g_ptr_array_add (lines, g_strdup_printf (_("CPU: %s"), e->cpu_mode));
    }
  if (e->has_topology)
    {
      g_autofree char *shape = g_strdup_printf ("%u×%u×%u×%u", e->topology[0], e->topology[1],
                                                e->topology[2], e->topology[3]);

      /* Translators: sockets×dies×cores×threads */
      g_ptr_array_add (lines, g_strdup_printf (_("Guest topology: %s"), shape));
    }
  if (e->numa_mode != NULL || e->numa_nodeset != NULL)
    {
      g_autofree char *set = e->numa_nodeset != NULL ? format_set (e->numa_nodeset) : NULL;

      /* Translators: NUMA mode, then host nodes */
      g_ptr_array_add (lines, g_strdup_printf (_("NUMA memory: %s, nodes %s"),
                                               e->numa_mode ? e->numa_mode : _("unchanged"),
                                               set ? set : _("unchanged")));
    }
  describe_pin_table (lines, e->memnodes, e->memnode_modes, FALSE);
  if (e->has_hugepages)
    {
      if (e->page_kib == 0)
        g_ptr_array_add (lines, g_strdup (_("Huge pages: none")));
      else
        {
          g_autofree char *size = format_kib (e->page_kib);

          g_ptr_array_add (lines, g_strdup_printf (_("Huge pages: %s"), size));
        }
    }
  if (e->nosharepages >= 0)
    g_ptr_array_add (lines, g_strdup (e->nosharepages ? _("Memory sharing: off")
                                                      : _("Memory sharing: on")));
  if (e->locked >= 0)
    g_ptr_array_add (lines, g_strdup (e->locked ? _("Memory locked: yes")
                                                : _("Memory locked: no")));
  if (e->has_hard_limit)
    {
      if (e->hard_limit_kib < 0)
        g_ptr_array_add (lines, g_strdup (_("Memory hard limit: none")));
      else
        {
          g_autofree char *size = format_kib ((guint64) e->hard_limit_kib);

          g_ptr_array_add (lines, g_strdup_printf (_("Memory hard limit: %s"), size));
        }
    }
  if (e->has_emulatorpin)
    {
      g_autofree char *set = format_set (e->emulatorpin);

      g_ptr_array_add (lines, g_strdup_printf (_("Emulator pin: %s"), set));
    }
  describe_pin_table (lines, e->iothreadpins, NULL, TRUE);
  return lines;
}
