/* kt-host-tuning.c: a host's kernel and tuned settings for virtualization
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-error.h"
#include "kt-json.h"
#include "kt-host-knobs.h"
#include "kt-host-tuning.h"
#include "kt-xml.h"

G_DEFINE_BOXED_TYPE (KtHostTuning, kt_host_tuning, kt_host_tuning_copy, kt_host_tuning_free)

static void
tuned_profile_free (gpointer data)
{
  KtTunedProfile *p = data;

  g_free (p->name);
  g_free (p->summary);
  g_free (p);
}

KtHostTuning *
kt_host_tuning_new (void)
{
  KtHostTuning *self = g_new0 (KtHostTuning, 1);

  self->tuned_state = KT_TUNED_UNKNOWN;
  self->tuned_profiles = g_ptr_array_new_with_free_func (tuned_profile_free);
  self->ksm_run = -1;
  self->ksm_merge_across_nodes = -1;
  self->ksm_pages_to_scan = -1;
  self->ksm_sleep_millisecs = -1;
  self->ksm_pages_shared = -1;
  self->ksm_pages_sharing = -1;
  self->ksm_pages_unshared = -1;
  self->ksm_pages_volatile = -1;
  self->ksm_full_scans = -1;
  self->numa_balancing = -1;
  self->hugepages = g_array_new (FALSE, TRUE, sizeof (KtHugePool));
  return self;
}

KtHostTuning *
kt_host_tuning_copy (const KtHostTuning *self)
{
  KtHostTuning *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = kt_host_tuning_new ();
  copy->tuned_state = self->tuned_state;
  copy->tuned_active = g_strdup (self->tuned_active);
  copy->tuned_recommended = g_strdup (self->tuned_recommended);
  for (guint i = 0; i < self->tuned_profiles->len; i++)
    {
      const KtTunedProfile *p = g_ptr_array_index (self->tuned_profiles, i);

      kt_host_tuning_add_tuned_profile (copy, p->name, p->summary);
    }
  copy->ksm_run = self->ksm_run;
  copy->ksm_merge_across_nodes = self->ksm_merge_across_nodes;
  copy->ksm_pages_to_scan = self->ksm_pages_to_scan;
  copy->ksm_sleep_millisecs = self->ksm_sleep_millisecs;
  copy->ksm_pages_shared = self->ksm_pages_shared;
  copy->ksm_pages_sharing = self->ksm_pages_sharing;
  copy->ksm_pages_unshared = self->ksm_pages_unshared;
  copy->ksm_pages_volatile = self->ksm_pages_volatile;
  copy->ksm_full_scans = self->ksm_full_scans;
  copy->thp_enabled = g_strdup (self->thp_enabled);
  copy->thp_defrag = g_strdup (self->thp_defrag);
  copy->numa_balancing = self->numa_balancing;
  copy->default_hugepage_kib = self->default_hugepage_kib;
  g_array_append_vals (copy->hugepages, self->hugepages->data, self->hugepages->len);
  return copy;
}

void
kt_host_tuning_free (KtHostTuning *self)
{
  if (self == NULL)
    return;
  g_free (self->tuned_active);
  g_free (self->tuned_recommended);
  g_ptr_array_unref (self->tuned_profiles);
  g_free (self->thp_enabled);
  g_free (self->thp_defrag);
  g_array_unref (self->hugepages);
  g_free (self);
}

const char *
kt_tuned_state_to_string (KtTunedState state)
{
  switch (state)
    {
    case KT_TUNED_MISSING: return "missing";
    case KT_TUNED_STOPPED: return "stopped";
    case KT_TUNED_RUNNING: return "running";
    case KT_TUNED_UNKNOWN:
    default: return "unknown";
    }
}

static gboolean
tuned_state_from_string (const char   *text,
                         KtTunedState *state)
{
  for (int s = KT_TUNED_UNKNOWN; s <= KT_TUNED_RUNNING; s++)
    if (g_str_equal (text, kt_tuned_state_to_string (s)))
      {
        *state = s;
        return TRUE;
      }
  return FALSE;
}

void
kt_host_tuning_add_tuned_profile (KtHostTuning *self,
                                  const char   *name,
                                  const char   *summary)
{
  KtTunedProfile *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  p = g_new0 (KtTunedProfile, 1);
  p->name = g_strdup (name);
  p->summary = g_strdup (summary);
  g_ptr_array_add (self->tuned_profiles, p);
}

KtHugePool *
kt_host_tuning_lookup_pool (const KtHostTuning *self,
                            int                 node,
                            guint64             size_kib)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->hugepages->len; i++)
    {
      KtHugePool *p = &g_array_index (self->hugepages, KtHugePool, i);

      if (p->node == node && p->size_kib == size_kib)
        return p;
    }
  return NULL;
}

/* Keeps the pools sorted by node, then size */
KtHugePool *
kt_host_tuning_add_pool (KtHostTuning *self,
                         int           node,
                         guint64       size_kib)
{
  KtHugePool pool = { node, size_kib, -1, -1, -1 };
  guint i;

  g_return_val_if_fail (self != NULL, NULL);

  if (kt_host_tuning_lookup_pool (self, node, size_kib) != NULL)
    return kt_host_tuning_lookup_pool (self, node, size_kib);
  for (i = 0; i < self->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (self->hugepages, KtHugePool, i);

      if (p->node > node || (p->node == node && p->size_kib > size_kib))
        break;
    }
  g_array_insert_val (self->hugepages, i, pool);
  return &g_array_index (self->hugepages, KtHugePool, i);
}

/* The number of distinct nodes with a pool */
guint
kt_host_tuning_n_nodes (const KtHostTuning *self)
{
  guint n = 0;
  int last = -1;

  for (guint i = 0; i < self->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (self->hugepages, KtHugePool, i);

      if (i == 0 || p->node != last)
        n++;
      last = p->node;
    }
  return n;
}

/* Keys ------------------------------------------------------------------- */

static const char * const keys[] = {
  "tuned.profile",
  "ksm.run",
  "ksm.merge_across_nodes",
  "ksm.pages_to_scan",
  "ksm.sleep_millisecs",
  "thp.enabled",
  "thp.defrag",
  "numa_balancing",
  "hugepages.NODE.SIZE_KIB",
  NULL
};

/**
 * kt_host_tuning_keys:
 *
 * Returns: (transfer none): every key, hugepages as the pattern
 * "hugepages.NODE.SIZE_KIB"
 */
const char * const *
kt_host_tuning_keys (void)
{
  return keys;
}

static const char * const thp_enabled_values[] = { "always", "madvise", "never", NULL };
static const char * const thp_defrag_values[] = {
  "always", "defer", "defer+madvise", "madvise", "never", NULL
};

/**
 * kt_host_tuning_parse_key:
 * @node: (out) (optional): for hugepages.NODE.SIZE_KIB, NODE; -1 otherwise
 * @size_kib: (out) (optional): likewise SIZE_KIB, 0 otherwise
 *
 * Returns: whether @key is one of kt_host_tuning_keys()
 */
gboolean
kt_host_tuning_parse_key (const char  *key,
                          int         *node,
                          guint64     *size_kib,
                          GError     **error)
{
  g_return_val_if_fail (key != NULL, FALSE);

  if (node)
    *node = -1;
  if (size_kib)
    *size_kib = 0;
  if (g_str_has_prefix (key, "hugepages."))
    {
      g_auto(GStrv) parts = g_strsplit (key, ".", -1);
      guint64 n, s;

      if (g_strv_length (parts) != 3
          || !g_ascii_string_to_unsigned (parts[1], 10, 0, 65535, &n, NULL)
          || !g_ascii_string_to_unsigned (parts[2], 10, 1, G_MAXUINT32, &s, NULL))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("%s: a hugepage pool is hugepages.NODE.SIZE_KIB, "
                         "for example hugepages.0.2048"), key);
          return FALSE;
        }
      if (node)
        *node = (int) n;
      if (size_kib)
        *size_kib = s;
      return TRUE;
    }
  for (guint i = 0; keys[i] != NULL; i++)
    if (g_str_equal (keys[i], key) && !g_str_has_prefix (key, "hugepages."))
      return TRUE;
  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
               _("%s: unknown setting (known: tuned.profile, ksm.run, "
                 "ksm.merge_across_nodes, ksm.pages_to_scan, ksm.sleep_millisecs, "
                 "thp.enabled, thp.defrag, numa_balancing, hugepages.NODE.SIZE_KIB)"), key);
  return FALSE;
}

static gboolean
valid_profile_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/**
 * kt_host_tuning_check_value:
 * @self: (nullable): the host, to check against its tuned profiles and pools
 *
 * Returns: whether @value is one @key takes; otherwise @error names the
 * key and the reason
 */
gboolean
kt_host_tuning_check_value (const KtHostTuning *self,
                            const char         *key,
                            const char         *value,
                            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  int node;
  guint64 size_kib;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!kt_host_tuning_parse_key (key, &node, &size_kib, error))
    return FALSE;
  if (g_str_equal (key, "tuned.profile"))
    {
      if (!valid_profile_name (value))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("%s: “%s” is not a tuned profile name"), key, value);
          return FALSE;
        }
      if (self != NULL && self->tuned_profiles->len > 0)
        {
          for (guint i = 0; i < self->tuned_profiles->len; i++)
            if (g_str_equal (((KtTunedProfile *) g_ptr_array_index (self->tuned_profiles, i))->name,
                             value))
              return TRUE;
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("%s: tuned offers no profile “%s”"), key, value);
          return FALSE;
        }
      return TRUE;
    }
  /* The rest: the whitelist the helper enforces too */
  if (!kt_host_knob_validate (key, value, &local_error))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_VALUE, local_error->message);
      return FALSE;
    }
  if (node >= 0 && self != NULL && self->hugepages->len > 0
      && kt_host_tuning_lookup_pool (self, node, size_kib) == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("%s: the host has no pool of this page size on this node"), key);
      return FALSE;
    }
  return TRUE;
}

static char *
opt_int (gint64 v)
{
  return v < 0 ? NULL : g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

/**
 * kt_host_tuning_get_value:
 *
 * Returns: (transfer full) (nullable): @key's value as text; %NULL when
 * it is unknown or @key is no key
 */
char *
kt_host_tuning_get_value (const KtHostTuning *self,
                          const char         *key)
{
  int node;
  guint64 size_kib;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!kt_host_tuning_parse_key (key, &node, &size_kib, NULL))
    return NULL;
  if (node >= 0)
    {
      KtHugePool *p = kt_host_tuning_lookup_pool (self, node, size_kib);

      return p ? opt_int (p->total) : NULL;
    }
  if (g_str_equal (key, "tuned.profile"))
    return g_strdup (self->tuned_state == KT_TUNED_RUNNING ? self->tuned_active : NULL);
  if (g_str_equal (key, "ksm.run"))
    return opt_int (self->ksm_run);
  if (g_str_equal (key, "ksm.merge_across_nodes"))
    return opt_int (self->ksm_merge_across_nodes);
  if (g_str_equal (key, "ksm.pages_to_scan"))
    return opt_int (self->ksm_pages_to_scan);
  if (g_str_equal (key, "ksm.sleep_millisecs"))
    return opt_int (self->ksm_sleep_millisecs);
  if (g_str_equal (key, "thp.enabled"))
    return g_strdup (self->thp_enabled);
  if (g_str_equal (key, "thp.defrag"))
    return g_strdup (self->thp_defrag);
  if (g_str_equal (key, "numa_balancing"))
    return opt_int (self->numa_balancing);
  return NULL;
}

/**
 * kt_host_tuning_set_value:
 *
 * Sets @key in the model (an offline snapshot's values), after
 * kt_host_tuning_check_value().  A pool is added when there is none.
 */
gboolean
kt_host_tuning_set_value (KtHostTuning *self,
                          const char   *key,
                          const char   *value,
                          GError      **error)
{
  int node;
  guint64 size_kib;
  guint64 n = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!kt_host_tuning_parse_key (key, &node, &size_kib, error)
      || !kt_host_tuning_check_value (NULL, key, value, error))
    return FALSE;
  if (g_ascii_isdigit (value[0]))
    g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &n, NULL);
  if (node >= 0)
    {
      KtHugePool *p = kt_host_tuning_add_pool (self, node, size_kib);
      gint64 used = (p->total >= 0 && p->free >= 0) ? p->total - p->free : 0;

      p->total = (gint64) n;
      if (p->free >= 0)
        p->free = MAX ((gint64) n - used, 0);
      return TRUE;
    }
  if (g_str_equal (key, "tuned.profile"))
    {
      g_free (self->tuned_active);
      self->tuned_active = g_strdup (value);
      self->tuned_state = KT_TUNED_RUNNING;
    }
  else if (g_str_equal (key, "ksm.run"))
    self->ksm_run = (gint64) n;
  else if (g_str_equal (key, "ksm.merge_across_nodes"))
    self->ksm_merge_across_nodes = (gint64) n;
  else if (g_str_equal (key, "ksm.pages_to_scan"))
    self->ksm_pages_to_scan = (gint64) n;
  else if (g_str_equal (key, "ksm.sleep_millisecs"))
    self->ksm_sleep_millisecs = (gint64) n;
  else if (g_str_equal (key, "thp.enabled"))
    {
      g_free (self->thp_enabled);
      self->thp_enabled = g_strdup (value);
    }
  else if (g_str_equal (key, "thp.defrag"))
    {
      g_free (self->thp_defrag);
      self->thp_defrag = g_strdup (value);
    }
  else if (g_str_equal (key, "numa_balancing"))
    self->numa_balancing = (gint64) n;
  return TRUE;
}

/**
 * kt_host_tuning_key_label:
 *
 * Returns: a short translated label for @key ("Transparent hugepages")
 */
const char *
kt_host_tuning_key_label (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  if (g_str_has_prefix (key, "hugepages."))
    return _("Hugepage pool");
  if (g_str_equal (key, "tuned.profile"))
    return _("tuned profile");
  if (g_str_equal (key, "ksm.run"))
    return _("KSM");
  if (g_str_equal (key, "ksm.merge_across_nodes"))
    return _("KSM merging across NUMA nodes");
  if (g_str_equal (key, "ksm.pages_to_scan"))
    return _("KSM pages per scan");
  if (g_str_equal (key, "ksm.sleep_millisecs"))
    return _("KSM pause between scans");
  if (g_str_equal (key, "thp.enabled"))
    return _("Transparent hugepages");
  if (g_str_equal (key, "thp.defrag"))
    return _("Transparent hugepage defragmentation");
  if (g_str_equal (key, "numa_balancing"))
    return _("Automatic NUMA balancing");
  return key;
}

/* Snapshot element ------------------------------------------------------- */

static gboolean
read_opt_int (xmlNode     *node,
              const char  *name,
              gint64       max,
              gint64      *value,
              GError     **error)
{
  g_autofree char *text = kt_xml_prop (node, name);
  guint64 v;

  *value = -1;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, (guint64) max, &v, NULL))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<host-tuning>: <%s %s=“%s”> is not a number"),
                   (const char *) node->name, name, text);
      return FALSE;
    }
  *value = (gint64) v;
  return TRUE;
}

static gboolean
read_opt_choice (xmlNode            *node,
                 const char         *name,
                 const char * const *choices,
                 char              **value,
                 GError            **error)
{
  g_autofree char *text = kt_xml_prop (node, name);

  if (text != NULL && !g_strv_contains (choices, text))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                   _("<host-tuning>: <%s %s=“%s”> is not a known value"),
                   (const char *) node->name, name, text);
      return FALSE;
    }
  *value = g_steal_pointer (&text);
  return TRUE;
}

/**
 * kt_host_tuning_new_from_node:
 * @node: a <host-tuning> element
 *
 * Returns: (transfer full): the values, or %NULL with @error naming what
 * is wrong
 */
KtHostTuning *
kt_host_tuning_new_from_node (xmlNode  *node,
                              GError  **error)
{
  g_autoptr(KtHostTuning) self = kt_host_tuning_new ();
  xmlNode *n;

  g_return_val_if_fail (node != NULL, NULL);

  if ((n = kt_xml_child (node, "tuned")) != NULL)
    {
      g_autofree char *state = kt_xml_prop (n, "state");

      if (state != NULL && !tuned_state_from_string (state, &self->tuned_state))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                       _("<host-tuning>: tuned state “%s” is not known"), state);
          return NULL;
        }
      self->tuned_active = kt_xml_prop (n, "active");
      self->tuned_recommended = kt_xml_prop (n, "recommended");
      for (xmlNode *p = kt_xml_child (n, "profile"); p; p = kt_xml_next_named (p->next, "profile"))
        {
          g_autofree char *name = kt_xml_prop (p, "name");
          g_autofree char *summary = kt_xml_prop (p, "summary");

          if (name == NULL || !valid_profile_name (name))
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("<host-tuning>: a tuned <profile> has no valid name"));
              return NULL;
            }
          kt_host_tuning_add_tuned_profile (self, name, summary);
        }
    }
  if ((n = kt_xml_child (node, "ksm")) != NULL)
    {
      if (!read_opt_int (n, "run", 2, &self->ksm_run, error)
          || !read_opt_int (n, "merge_across_nodes", 1, &self->ksm_merge_across_nodes, error)
          || !read_opt_int (n, "pages_to_scan", G_MAXINT64, &self->ksm_pages_to_scan, error)
          || !read_opt_int (n, "sleep_millisecs", G_MAXINT64, &self->ksm_sleep_millisecs, error)
          || !read_opt_int (n, "pages_shared", G_MAXINT64, &self->ksm_pages_shared, error)
          || !read_opt_int (n, "pages_sharing", G_MAXINT64, &self->ksm_pages_sharing, error)
          || !read_opt_int (n, "pages_unshared", G_MAXINT64, &self->ksm_pages_unshared, error)
          || !read_opt_int (n, "pages_volatile", G_MAXINT64, &self->ksm_pages_volatile, error)
          || !read_opt_int (n, "full_scans", G_MAXINT64, &self->ksm_full_scans, error))
        return NULL;
    }
  if ((n = kt_xml_child (node, "thp")) != NULL)
    {
      if (!read_opt_choice (n, "enabled", thp_enabled_values, &self->thp_enabled, error)
          || !read_opt_choice (n, "defrag", thp_defrag_values, &self->thp_defrag, error))
        return NULL;
    }
  if ((n = kt_xml_child (node, "numa-balancing")) != NULL
      && !read_opt_int (n, "value", 3, &self->numa_balancing, error))
    return NULL;
  if ((n = kt_xml_child (node, "hugepages")) != NULL)
    {
      gint64 def;

      if (!read_opt_int (n, "default_size_kib", G_MAXUINT32, &def, error))
        return NULL;
      self->default_hugepage_kib = def < 0 ? 0 : (guint64) def;
      for (xmlNode *p = kt_xml_child (n, "pool"); p; p = kt_xml_next_named (p->next, "pool"))
        {
          gint64 node_id, size, total, free_pages;
          g_autofree char *mounted = kt_xml_prop (p, "mounted");
          KtHugePool *pool;

          if (!read_opt_int (p, "node", 65535, &node_id, error)
              || !read_opt_int (p, "size_kib", G_MAXUINT32, &size, error)
              || !read_opt_int (p, "total", G_MAXINT64, &total, error)
              || !read_opt_int (p, "free", G_MAXINT64, &free_pages, error))
            return NULL;
          if (node_id < 0 || size <= 0)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("<host-tuning>: a hugepage <pool> needs node and size_kib"));
              return NULL;
            }
          if (kt_host_tuning_lookup_pool (self, (int) node_id, (guint64) size) != NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_INVALID_XML,
                           _("<host-tuning>: two hugepage pools of node %d and %d KiB"),
                           (int) node_id, (int) size);
              return NULL;
            }
          pool = kt_host_tuning_add_pool (self, (int) node_id, (guint64) size);
          pool->total = total;
          pool->free = free_pages;
          pool->mounted = mounted == NULL ? -1 : g_str_equal (mounted, "yes");
        }
    }
  return g_steal_pointer (&self);
}

static void
set_opt_int (xmlNode    *node,
             const char *name,
             gint64      value)
{
  char num[32];

  if (value < 0)
    return;
  g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, value);
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) num);
}

static void
set_opt_str (xmlNode    *node,
             const char *name,
             const char *value)
{
  if (value != NULL)
    xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) value);
}

static xmlNode *
add_child (xmlNode    *parent,
           const char *name,
           const char *indent)
{
  xmlAddChild (parent, xmlNewDocText (parent->doc, (const xmlChar *) indent));
  return xmlNewChild (parent, NULL, (const xmlChar *) name, NULL);
}

/**
 * kt_host_tuning_to_node:
 *
 * Returns: (transfer full): a <host-tuning> element of @doc, not linked
 */
xmlNode *
kt_host_tuning_to_node (const KtHostTuning *self,
                        xmlDoc             *doc)
{
  xmlNode *root, *n;

  g_return_val_if_fail (self != NULL, NULL);

  root = xmlNewDocNode (doc, NULL, (const xmlChar *) "host-tuning", NULL);
  n = add_child (root, "tuned", "\n    ");
  if (self->tuned_state != KT_TUNED_UNKNOWN)
    set_opt_str (n, "state", kt_tuned_state_to_string (self->tuned_state));
  set_opt_str (n, "active", self->tuned_active);
  set_opt_str (n, "recommended", self->tuned_recommended);
  for (guint i = 0; i < self->tuned_profiles->len; i++)
    {
      const KtTunedProfile *p = g_ptr_array_index (self->tuned_profiles, i);
      xmlNode *pn = add_child (n, "profile", "\n      ");

      set_opt_str (pn, "name", p->name);
      set_opt_str (pn, "summary", p->summary);
    }
  if (self->tuned_profiles->len > 0)
    xmlAddChild (n, xmlNewDocText (doc, (const xmlChar *) "\n    "));

  n = add_child (root, "ksm", "\n    ");
  set_opt_int (n, "run", self->ksm_run);
  set_opt_int (n, "merge_across_nodes", self->ksm_merge_across_nodes);
  set_opt_int (n, "pages_to_scan", self->ksm_pages_to_scan);
  set_opt_int (n, "sleep_millisecs", self->ksm_sleep_millisecs);
  set_opt_int (n, "pages_shared", self->ksm_pages_shared);
  set_opt_int (n, "pages_sharing", self->ksm_pages_sharing);
  set_opt_int (n, "pages_unshared", self->ksm_pages_unshared);
  set_opt_int (n, "pages_volatile", self->ksm_pages_volatile);
  set_opt_int (n, "full_scans", self->ksm_full_scans);

  n = add_child (root, "thp", "\n    ");
  set_opt_str (n, "enabled", self->thp_enabled);
  set_opt_str (n, "defrag", self->thp_defrag);

  n = add_child (root, "numa-balancing", "\n    ");
  set_opt_int (n, "value", self->numa_balancing);

  n = add_child (root, "hugepages", "\n    ");
  if (self->default_hugepage_kib > 0)
    set_opt_int (n, "default_size_kib", (gint64) self->default_hugepage_kib);
  for (guint i = 0; i < self->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (self->hugepages, KtHugePool, i);
      xmlNode *pn = add_child (n, "pool", "\n      ");

      set_opt_int (pn, "node", p->node);
      set_opt_int (pn, "size_kib", (gint64) p->size_kib);
      set_opt_int (pn, "total", p->total);
      set_opt_int (pn, "free", p->free);
      if (p->mounted >= 0)
        set_opt_str (pn, "mounted", p->mounted ? "yes" : "no");
    }
  if (self->hugepages->len > 0)
    xmlAddChild (n, xmlNewDocText (doc, (const xmlChar *) "\n    "));
  xmlAddChild (root, xmlNewDocText (doc, (const xmlChar *) "\n  "));
  return root;
}

/* JSON ------------------------------------------------------------------- */

/**
 * kt_host_tuning_to_json:
 *
 * Returns: (transfer full): {"tuned":{"running","active","recommended",
 * "profiles":[...]},"ksm":{...},"thp":{...},"numa_balancing",
 * "hugepages":[{"node","size_kib","total","free","mounted"}]}, null for
 * what is unknown
 */
JsonNode *
kt_host_tuning_to_json (const KtHostTuning *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean known = self->tuned_state != KT_TUNED_UNKNOWN;
  gboolean running = self->tuned_state == KT_TUNED_RUNNING;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tuned");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "running");
  if (known)
    json_builder_add_boolean_value (b, running);
  else
    json_builder_add_null_value (b);
  kt_json_add_string (b, "active", running ? self->tuned_active : NULL);
  kt_json_add_string (b, "recommended", running ? self->tuned_recommended : NULL);
  json_builder_set_member_name (b, "profiles");
  if (known)
    {
      json_builder_begin_array (b);
      for (guint i = 0; i < self->tuned_profiles->len; i++)
        json_builder_add_string_value (b, ((KtTunedProfile *)
                                           g_ptr_array_index (self->tuned_profiles, i))->name);
      json_builder_end_array (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "ksm");
  json_builder_begin_object (b);
  kt_json_add_opt_int (b, "run", self->ksm_run);
  kt_json_add_opt_int (b, "merge_across_nodes", self->ksm_merge_across_nodes);
  kt_json_add_opt_int (b, "pages_to_scan", self->ksm_pages_to_scan);
  kt_json_add_opt_int (b, "sleep_millisecs", self->ksm_sleep_millisecs);
  kt_json_add_opt_int (b, "pages_shared", self->ksm_pages_shared);
  kt_json_add_opt_int (b, "pages_sharing", self->ksm_pages_sharing);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "thp");
  json_builder_begin_object (b);
  kt_json_add_string (b, "enabled", self->thp_enabled);
  kt_json_add_string (b, "defrag", self->thp_defrag);
  json_builder_end_object (b);

  kt_json_add_opt_int (b, "numa_balancing", self->numa_balancing);

  json_builder_set_member_name (b, "hugepages");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (self->hugepages, KtHugePool, i);

      json_builder_begin_object (b);
      kt_json_add_opt_int (b, "node", p->node);
      kt_json_add_opt_int (b, "size_kib", (gint64) p->size_kib);
      kt_json_add_opt_int (b, "total", p->total);
      kt_json_add_opt_int (b, "free", p->free);
      json_builder_set_member_name (b, "mounted");
      if (p->mounted < 0)
        json_builder_add_null_value (b);
      else
        json_builder_add_boolean_value (b, p->mounted);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
