/* test-domain.c: domain parsing, tuning read-back and in-place editing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "kt-domain.h"
#include "kt-error.h"
#include "kt-test-util.h"
#include "kt-xml.h"


/* Helpers ---------------------------------------------------------------- */

static void
assert_set_str (const KtCpuset *set,
                const char     *expected)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (set);
  text = kt_cpuset_format (set);
  g_assert_cmpstr (text, ==, expected);
}

static KtDomain *
load_domain (const char  *name,
             char       **text)
{
  g_autofree char *rel = g_build_filename ("domains", name, NULL);
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  KtDomain *domain = kt_domain_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (domain);
  if (text)
    *text = kt_test_read_file (path, NULL);
  return domain;
}

static KtTuning *
load_tuning (const char *name)
{
  g_autoptr(KtDomain) domain = load_domain (name, NULL);

  return kt_domain_get_tuning (domain);
}

static void
assert_valid_domain (const char *xml)
{
  g_autofree char *message = NULL;

  if (!kt_test_validate_xml (xml, -1, "domain.rng", &message))
    {
      g_test_message ("%s", xml);
      g_error ("domain XML %s", message);
    }
}

static gboolean
is_tuning_element (xmlNode *node)
{
  return node->ns == NULL
         && (g_str_equal (node->name, "cputune") || g_str_equal (node->name, "numatune")
             || g_str_equal (node->name, "memoryBacking"));
}

/* The text of every direct child element of <domain> other than the tuning
 * elements, located with the span records of kt_xml_parse(), plus the text
 * before the first child (prolog and <domain> start tag) and after
 * </domain>. */
static GPtrArray *
untouched_pieces (const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autoptr(xmlDoc) doc = kt_xml_parse (xml, -1, "test XML", &spans, &error);
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  xmlNode *root;
  const KtXmlSpan *rspan;
  const char *etag;

  g_assert_no_error (error);
  root = xmlDocGetRootElement (doc);
  rspan = kt_xml_node_span (spans, root);
  g_assert_nonnull (rspan);
  g_assert_cmpuint (rspan->stag_end, <=, strlen (xml));
  g_ptr_array_add (pieces, g_strndup (xml, rspan->stag_end));

  for (xmlNode *c = root->children; c; c = c->next)
    {
      const KtXmlSpan *span;
      g_autofree char *qname = NULL;
      g_autofree char *open = NULL;
      char *text;

      if (c->type != XML_ELEMENT_NODE || is_tuning_element (c))
        continue;
      span = kt_xml_node_span (spans, c);
      g_assert_nonnull (span);
      g_assert_cmpuint (span->start, <, span->stag_end);
      g_assert_cmpuint (span->stag_end, <=, span->end);
      g_assert_cmpuint (span->end, <=, rspan->end);
      text = g_strndup (xml + span->start, span->end - span->start);
      /* The span really is this element */
      qname = c->ns && c->ns->prefix ? g_strdup_printf ("%s:%s", c->ns->prefix, c->name)
                                     : g_strdup ((const char *) c->name);
      open = g_strdup_printf ("<%s", qname);
      g_assert_true (g_str_has_prefix (text, open));
      g_assert_true (g_str_has_suffix (text, ">"));
      g_ptr_array_add (pieces, text);
    }

  /* From "</domain" to the end */
  etag = g_strrstr (xml, "</domain");
  g_assert_nonnull (etag);
  g_ptr_array_add (pieces, g_strdup (etag));
  return pieces;
}

static void
assert_same_untouched (const char *before,
                       const char *after)
{
  g_autoptr(GPtrArray) a = untouched_pieces (before);
  g_autoptr(GPtrArray) b = untouched_pieces (after);

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

/* Comments and foreign-namespace elements anywhere, in document order,
 * serialized with libxml2 */
static GPtrArray *
collect_nodes (const char *xml,
               const char *expr)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "test.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  g_autoptr(xmlXPathContext) ctx = NULL;
  g_autoptr(xmlXPathObject) obj = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (doc);
  ctx = xmlXPathNewContext (doc);
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  g_assert_nonnull (obj);
  for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++)
    g_ptr_array_add (out, kt_xml_node_to_string (obj->nodesetval->nodeTab[i]));
  g_clear_pointer (&obj, xmlXPathFreeObject);
  g_clear_pointer (&ctx, xmlXPathFreeContext);
  xmlFreeDoc (doc);
  return out;
}

static void
assert_same_nodes (const char *before,
                   const char *after,
                   const char *expr)
{
  g_autoptr(GPtrArray) a = collect_nodes (before, expr);
  g_autoptr(GPtrArray) b = collect_nodes (after, expr);

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

#define FOREIGN_ELEMENTS "//*[namespace-uri() != '' and not(namespace-uri(..) = namespace-uri())]"

/* Edits keep the layout: no element glued onto another's line, no new
 * blank lines */
static void
count_layout (const char *xml,
              guint      *blank_lines,
              guint      *crowded_lines)
{
  g_auto(GStrv) lines = g_strsplit (xml, "\n", -1);

  *blank_lines = *crowded_lines = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      guint start_tags = 0;

      /* A whitespace-only line, other than what follows the last newline */
      if (lines[i + 1] != NULL && l[strspn (l, " \t\r")] == '\0')
        (*blank_lines)++;
      for (const char *p = strchr (l, '<'); p; p = strchr (p + 1, '<'))
        if (g_ascii_isalpha (p[1]))
          start_tags++;
      if (start_tags > 1)
        (*crowded_lines)++;
    }
}

static void
assert_tidy (const char *before,
             const char *after)
{
  guint blank_before, crowded_before, blank_after, crowded_after;

  count_layout (before, &blank_before, &crowded_before);
  count_layout (after, &blank_after, &crowded_after);
  g_assert_cmpuint (blank_after, <=, blank_before);
  g_assert_cmpuint (crowded_after, <=, crowded_before);
}

/* Comparing tunings ------------------------------------------------------- */

static gboolean
sets_equal (const KtCpuset *a,
            const KtCpuset *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return kt_cpuset_equal (a, b);
}

#define assert_sets_equal(a, b) g_assert_true (sets_equal ((a), (b)))

enum
{
  EXCEPT_VCPUPIN0  = 1 << 0,
  EXCEPT_NUMATUNE  = 1 << 1,
  EXCEPT_HUGEPAGES = 1 << 2,
};

static void
assert_pins_equal (GArray *a,
                   GArray *b,
                   gboolean skip_zero)
{
  guint na = 0, nb = 0;

  for (guint i = 0; i < a->len; i++)
    {
      const KtPin *pa = &g_array_index (a, KtPin, i);
      gboolean found = FALSE;

      if (skip_zero && pa->id == 0)
        continue;
      na++;
      for (guint j = 0; j < b->len; j++)
        {
          const KtPin *pb = &g_array_index (b, KtPin, j);

          if (pb->id == pa->id)
            {
              g_assert_false (found);
              assert_sets_equal (pa->cpuset, pb->cpuset);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  for (guint j = 0; j < b->len; j++)
    if (!(skip_zero && g_array_index (b, KtPin, j).id == 0))
      nb++;
  g_assert_cmpuint (na, ==, nb);
}

static void
assert_tuning_equal (const KtTuning *a,
                     const KtTuning *b,
                     guint           except)
{
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->uuid, ==, b->uuid);
  g_assert_cmpstr (a->type, ==, b->type);
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpuint (a->memory_kib, ==, b->memory_kib);
  g_assert_cmpuint (a->current_memory_kib, ==, b->current_memory_kib);
  g_assert_cmpuint (a->max_memory_kib, ==, b->max_memory_kib);

  g_assert_cmpuint (a->vcpus, ==, b->vcpus);
  g_assert_cmpuint (a->current_vcpus, ==, b->current_vcpus);
  g_assert_cmpstr (a->vcpu_placement, ==, b->vcpu_placement);
  assert_sets_equal (a->vcpu_cpuset, b->vcpu_cpuset);
  g_assert_cmpuint (a->vcpu_info->len, ==, b->vcpu_info->len);
  for (guint i = 0; i < a->vcpu_info->len; i++)
    {
      const KtVcpuInfo *x = &g_array_index (a->vcpu_info, KtVcpuInfo, i);
      const KtVcpuInfo *y = &g_array_index (b->vcpu_info, KtVcpuInfo, i);

      g_assert_cmpuint (x->id, ==, y->id);
      g_assert_cmpint (x->enabled, ==, y->enabled);
      g_assert_cmpint (x->hotpluggable, ==, y->hotpluggable);
      g_assert_cmpint (x->order, ==, y->order);
    }

  assert_pins_equal (a->vcpupin, b->vcpupin, (except & EXCEPT_VCPUPIN0) != 0);
  assert_sets_equal (a->emulatorpin, b->emulatorpin);
  assert_pins_equal (a->iothreadpin, b->iothreadpin, FALSE);
  g_assert_cmpint (a->shares, ==, b->shares);
  g_assert_cmpint (a->period, ==, b->period);
  g_assert_cmpint (a->quota, ==, b->quota);
  g_assert_cmpuint (a->vcpusched->len, ==, b->vcpusched->len);
  for (guint i = 0; i < a->vcpusched->len; i++)
    {
      const KtVcpuSched *x = &g_array_index (a->vcpusched, KtVcpuSched, i);
      const KtVcpuSched *y = &g_array_index (b->vcpusched, KtVcpuSched, i);

      assert_sets_equal (x->vcpus, y->vcpus);
      g_assert_cmpstr (x->scheduler, ==, y->scheduler);
      g_assert_cmpint (x->priority, ==, y->priority);
    }

  g_assert_cmpuint (a->iothreads, ==, b->iothreads);
  g_assert_cmpuint (a->iothread_ids->len, ==, b->iothread_ids->len);
  for (guint i = 0; i < a->iothread_ids->len; i++)
    g_assert_cmpuint (g_array_index (a->iothread_ids, guint, i), ==,
                      g_array_index (b->iothread_ids, guint, i));

  if (!(except & EXCEPT_NUMATUNE))
    {
      g_assert_cmpstr (a->numa_mode, ==, b->numa_mode);
      assert_sets_equal (a->numa_nodeset, b->numa_nodeset);
      g_assert_cmpstr (a->numa_placement, ==, b->numa_placement);
    }
  g_assert_cmpuint (a->memnodes->len, ==, b->memnodes->len);
  for (guint i = 0; i < a->memnodes->len; i++)
    {
      const KtMemnode *x = &g_array_index (a->memnodes, KtMemnode, i);
      const KtMemnode *y = &g_array_index (b->memnodes, KtMemnode, i);

      g_assert_cmpuint (x->cellid, ==, y->cellid);
      g_assert_cmpstr (x->mode, ==, y->mode);
      assert_sets_equal (x->nodeset, y->nodeset);
    }

  g_assert_cmpstr (a->cpu_mode, ==, b->cpu_mode);
  g_assert_cmpstr (a->cpu_match, ==, b->cpu_match);
  g_assert_cmpstr (a->cpu_check, ==, b->cpu_check);
  g_assert_cmpstr (a->cpu_model, ==, b->cpu_model);
  g_assert_cmpstr (a->cpu_fallback, ==, b->cpu_fallback);
  g_assert_cmpstr (a->cpu_vendor, ==, b->cpu_vendor);
  g_assert_cmpuint (a->cpu_features->len, ==, b->cpu_features->len);
  for (guint i = 0; i < a->cpu_features->len; i++)
    {
      const KtCpuFeature *x = &g_array_index (a->cpu_features, KtCpuFeature, i);
      const KtCpuFeature *y = &g_array_index (b->cpu_features, KtCpuFeature, i);

      g_assert_cmpstr (x->policy, ==, y->policy);
      g_assert_cmpstr (x->name, ==, y->name);
    }
  g_assert_cmpint (a->has_topology, ==, b->has_topology);
  g_assert_cmpuint (a->sockets, ==, b->sockets);
  g_assert_cmpuint (a->dies, ==, b->dies);
  g_assert_cmpuint (a->clusters, ==, b->clusters);
  g_assert_cmpuint (a->cores, ==, b->cores);
  g_assert_cmpuint (a->threads, ==, b->threads);
  g_assert_cmpuint (a->cells->len, ==, b->cells->len);
  for (guint i = 0; i < a->cells->len; i++)
    {
      const KtGuestCell *x = &g_array_index (a->cells, KtGuestCell, i);
      const KtGuestCell *y = &g_array_index (b->cells, KtGuestCell, i);

      g_assert_cmpuint (x->id, ==, y->id);
      assert_sets_equal (x->cpus, y->cpus);
      g_assert_cmpuint (x->memory_kib, ==, y->memory_kib);
      g_assert_cmpstr (x->mem_access, ==, y->mem_access);
      g_assert_cmpuint (x->distances->len, ==, y->distances->len);
      for (guint d = 0; d < x->distances->len; d++)
        {
          g_assert_cmpuint (g_array_index (x->distances, KtCellDistance, d).id, ==,
                            g_array_index (y->distances, KtCellDistance, d).id);
          g_assert_cmpuint (g_array_index (x->distances, KtCellDistance, d).value, ==,
                            g_array_index (y->distances, KtCellDistance, d).value);
        }
    }

  if (!(except & EXCEPT_HUGEPAGES))
    {
      g_assert_cmpint (a->has_memory_backing, ==, b->has_memory_backing);
      g_assert_cmpint (a->has_hugepages, ==, b->has_hugepages);
      g_assert_cmpuint (a->hugepages->len, ==, b->hugepages->len);
      for (guint i = 0; i < a->hugepages->len; i++)
        {
          const KtHugepage *x = &g_array_index (a->hugepages, KtHugepage, i);
          const KtHugepage *y = &g_array_index (b->hugepages, KtHugepage, i);

          g_assert_cmpuint (x->size_kib, ==, y->size_kib);
          assert_sets_equal (x->nodeset, y->nodeset);
        }
    }
  g_assert_cmpint (a->nosharepages, ==, b->nosharepages);
  g_assert_cmpint (a->locked, ==, b->locked);
  g_assert_cmpstr (a->memory_source, ==, b->memory_source);
  g_assert_cmpstr (a->memory_access, ==, b->memory_access);

  g_assert_cmpint (a->hard_limit_kib, ==, b->hard_limit_kib);
  g_assert_cmpint (a->soft_limit_kib, ==, b->soft_limit_kib);
  g_assert_cmpint (a->swap_hard_limit_kib, ==, b->swap_hard_limit_kib);
  g_assert_cmpint (a->min_guarantee_kib, ==, b->min_guarantee_kib);
}

/* Every fixture ------------------------------------------------------------ */

static void
test_roundtrip (gconstpointer data)
{
  const char *name = data;
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain (name, &text);
  g_autoptr(KtDomain) copy = NULL;
  g_autofree char *out = NULL;
  g_autofree char *copy_out = NULL;
  g_autoptr(KtTuning) tuning = NULL;

  /* libvirt's own test data is valid to begin with */
  assert_valid_domain (text);

  out = kt_domain_to_xml (domain);
  g_assert_cmpstr (out, ==, text);
  g_assert_false (kt_domain_is_modified (domain));
  g_assert_cmpstr (kt_domain_get_original_xml (domain), ==, text);

  tuning = kt_domain_get_tuning (domain);
  g_assert_nonnull (tuning->name);
  g_assert_cmpstr (kt_domain_get_name (domain), ==, tuning->name);

  copy = kt_domain_copy (domain);
  copy_out = kt_domain_to_xml (copy);
  g_assert_cmpstr (copy_out, ==, text);
}

static void
test_edit (gconstpointer data)
{
  const char *name = data;
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain (name, &text);
  g_autoptr(KtTuning) before = kt_domain_get_tuning (domain);
  g_autoptr(KtTuning) after = NULL;
  g_autoptr(KtTuning) reread = NULL;
  g_autoptr(KtDomain) again = NULL;
  g_autoptr(KtCpuset) one = kt_test_parse_set ("1");
  g_autoptr(KtCpuset) zero = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  guint64 size = before->memory_kib % 2048 == 0 ? 2048 : 4;
  gboolean hugepages_ok = before->memory_kib % size == 0;
  guint except = EXCEPT_VCPUPIN0 | EXCEPT_NUMATUNE;

  g_assert_true (kt_domain_set_vcpupin (domain, 0, one, &error));
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_numatune (domain, "strict", zero, &error));
  g_assert_no_error (error);
  if (hugepages_ok)
    {
      g_assert_true (kt_domain_set_hugepages (domain, size, NULL, &error));
      g_assert_no_error (error);
      except |= EXCEPT_HUGEPAGES;
    }
  else
    {
      /* The memory is no multiple of even the base page size */
      g_autofree char *pre = kt_domain_to_xml (domain);
      g_autofree char *post = NULL;

      g_test_message ("%s: %" G_GUINT64_FORMAT " KiB is not a multiple of 4 KiB",
                      name, before->memory_kib);
      g_assert_false (kt_domain_set_hugepages (domain, size, NULL, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "4 KiB");
      g_clear_error (&error);
      post = kt_domain_to_xml (domain);
      g_assert_cmpstr (pre, ==, post);
    }
  g_assert_true (kt_domain_is_modified (domain));

  out = kt_domain_to_xml (domain);
  g_assert_cmpstr (out, !=, text);
  assert_valid_domain (out);

  /* Only the tuning elements changed */
  assert_same_untouched (text, out);
  assert_tidy (text, out);
  assert_same_nodes (text, out, "//comment()");
  assert_same_nodes (text, out, FOREIGN_ELEMENTS);
  assert_same_nodes (text, out, "/domain/*[local-name() != 'cputune' and local-name() != "
                                "'numatune' and local-name() != 'memoryBacking']");

  /* The edits read back; nothing else moved */
  after = kt_domain_get_tuning (domain);
  assert_set_str (kt_tuning_get_vcpupin (after, 0), "1");
  g_assert_cmpstr (after->numa_mode, ==, "strict");
  assert_set_str (after->numa_nodeset, "0");
  g_assert_cmpstr (after->numa_placement, ==, "static");
  if (hugepages_ok)
    {
      g_assert_true (after->has_memory_backing);
      g_assert_true (after->has_hugepages);
      g_assert_cmpuint (after->hugepages->len, ==, 1);
      g_assert_cmpuint (g_array_index (after->hugepages, KtHugepage, 0).size_kib, ==, size);
      g_assert_null (g_array_index (after->hugepages, KtHugepage, 0).nodeset);
    }
  assert_tuning_equal (before, after, except);

  /* What was written reads back the same, and edits are idempotent */
  again = kt_domain_new_from_xml (out, -1, &error);
  g_assert_no_error (error);
  reread = kt_domain_get_tuning (again);
  assert_tuning_equal (after, reread, 0);
  g_assert_true (kt_domain_set_vcpupin (again, 0, one, &error));
  g_assert_true (kt_domain_set_numatune (again, "strict", zero, &error));
  if (hugepages_ok)
    g_assert_true (kt_domain_set_hugepages (again, size, NULL, &error));
  g_assert_no_error (error);
  out2 = kt_domain_to_xml (again);
  g_assert_cmpstr (out2, ==, out);
}

/* Targeted checks ---------------------------------------------------------- */

static void
test_cputune_values (void)
{
  g_autoptr(KtTuning) t = load_tuning ("cputune.xml");

  g_assert_cmpstr (t->name, ==, "QEMUGuest1");
  g_assert_cmpuint (t->vcpus, ==, 2);
  g_assert_cmpint (t->shares, ==, 2048);
  g_assert_cmpint (t->period, ==, 1000000);
  g_assert_cmpint (t->quota, ==, -1);
  g_assert_cmpuint (t->vcpupin->len, ==, 2);
  assert_set_str (kt_tuning_get_vcpupin (t, 0), "0");
  assert_set_str (kt_tuning_get_vcpupin (t, 1), "1");
  g_assert_null (kt_tuning_get_vcpupin (t, 2));
  assert_set_str (t->emulatorpin, "1");
  g_assert_cmpuint (t->memory_kib, ==, 219136);
  g_assert_false (t->has_memory_backing);
  g_assert_null (t->numa_mode);
}

static void
test_cputune_iothreads (void)
{
  g_autoptr(KtTuning) t = load_tuning ("cputune-iothreads.xml");
  g_autoptr(KtTuning) ids = load_tuning ("iothreads-ids.xml");

  /* Listed in odd order in the file */
  g_assert_cmpuint (t->iothreads, ==, 2);
  g_assert_cmpuint (t->iothreadpin->len, ==, 2);
  assert_set_str (kt_tuning_get_iothreadpin (t, 1), "2");
  assert_set_str (kt_tuning_get_iothreadpin (t, 2), "3");
  g_assert_null (kt_tuning_get_iothreadpin (t, 3));
  g_assert_true (kt_tuning_has_iothread (t, 1));
  g_assert_true (kt_tuning_has_iothread (t, 2));
  g_assert_false (kt_tuning_has_iothread (t, 0));
  g_assert_false (kt_tuning_has_iothread (t, 3));
  g_assert_cmpint (t->shares, ==, 2048);
  g_assert_cmpint (t->period, ==, 1000000);
  g_assert_cmpint (t->quota, ==, -1);
  assert_set_str (t->emulatorpin, "1");

  g_assert_cmpuint (ids->iothreads, ==, 2);
  g_assert_cmpuint (ids->iothread_ids->len, ==, 2);
  g_assert_cmpuint (g_array_index (ids->iothread_ids, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (ids->iothread_ids, guint, 1), ==, 4);
  g_assert_true (kt_tuning_has_iothread (ids, 2));
  g_assert_true (kt_tuning_has_iothread (ids, 4));
  g_assert_false (kt_tuning_has_iothread (ids, 1));
  g_assert_false (kt_tuning_has_iothread (ids, 3));
  g_assert_cmpuint (ids->iothreadpin->len, ==, 0);
}

static void
test_numatune_memnode (void)
{
  g_autoptr(KtTuning) t = load_tuning ("numatune-memnode.xml");
  const KtMemnode *m0, *m2;

  g_assert_cmpstr (t->numa_mode, ==, "strict");
  assert_set_str (t->numa_nodeset, "0-7");
  g_assert_cmpstr (t->numa_placement, ==, "static");
  g_assert_cmpuint (t->memnodes->len, ==, 2);
  m0 = &g_array_index (t->memnodes, KtMemnode, 0);
  m2 = &g_array_index (t->memnodes, KtMemnode, 1);
  g_assert_cmpuint (m0->cellid, ==, 0);
  g_assert_cmpstr (m0->mode, ==, "preferred");
  assert_set_str (m0->nodeset, "3");
  g_assert_cmpuint (m2->cellid, ==, 2);
  g_assert_cmpstr (m2->mode, ==, "strict");
  assert_set_str (m2->nodeset, "1-2,5,7");
  g_assert_cmpuint (t->cells->len, ==, 3);
  assert_set_str (kt_tuning_lookup_cell (t, 1)->cpus, "1-27,29");
}

static void
test_hugepages_nodeset (void)
{
  g_autoptr(KtTuning) t = load_tuning ("hugepages-numa-nodeset.xml");
  const KtHugepage *a, *b;

  g_assert_true (t->has_memory_backing);
  g_assert_true (t->has_hugepages);
  g_assert_cmpuint (t->hugepages->len, ==, 2);
  a = &g_array_index (t->hugepages, KtHugepage, 0);
  b = &g_array_index (t->hugepages, KtHugepage, 1);
  g_assert_cmpuint (a->size_kib, ==, 2048);
  assert_set_str (a->nodeset, "1");
  g_assert_cmpuint (b->size_kib, ==, 1048576);
  assert_set_str (b->nodeset, "0,2-3");
  g_assert_cmpuint (t->cells->len, ==, 4);
}

static void
test_hugepages_default (void)
{
  g_autoptr(KtTuning) t = load_tuning ("hugepages-default.xml");

  g_assert_true (t->has_hugepages);
  g_assert_cmpuint (t->hugepages->len, ==, 0);
}

static void
test_cpu_numa_cells (void)
{
  g_autoptr(KtTuning) t = load_tuning ("cpu-numa1.xml");
  const KtGuestCell *c0, *c1;

  g_assert_cmpuint (t->vcpus, ==, 16);
  g_assert_true (t->has_topology);
  g_assert_cmpuint (t->sockets, ==, 2);
  g_assert_cmpuint (t->cores, ==, 4);
  g_assert_cmpuint (t->threads, ==, 2);
  g_assert_cmpuint (t->cells->len, ==, 2);
  /* Cells without id are numbered in order */
  c0 = kt_tuning_lookup_cell (t, 0);
  c1 = kt_tuning_lookup_cell (t, 1);
  g_assert_nonnull (c0);
  g_assert_nonnull (c1);
  g_assert_null (kt_tuning_lookup_cell (t, 2));
  assert_set_str (c0->cpus, "0-7");
  assert_set_str (c1->cpus, "8-15");
  g_assert_cmpuint (c0->memory_kib, ==, 109550);
  g_assert_cmpuint (c1->memory_kib, ==, 109550);
}

static void
test_smp_dies (void)
{
  g_autoptr(KtTuning) t = load_tuning ("smp-dies.xml");

  g_assert_true (t->has_topology);
  g_assert_cmpuint (t->sockets, ==, 2);
  g_assert_cmpuint (t->dies, ==, 2);
  g_assert_cmpuint (t->clusters, ==, 1);
  g_assert_cmpuint (t->cores, ==, 1);
  g_assert_cmpuint (t->threads, ==, 1);
  g_assert_cmpuint (t->vcpus, ==, 4);
  g_assert_cmpuint (t->current_vcpus, ==, 1);
}

static void
test_memtune_units (void)
{
  g_autoptr(KtTuning) t = load_tuning ("memtune.xml");

  /* <memory unit='MiB'>214</memory> */
  g_assert_cmpuint (t->memory_kib, ==, 214 * 1024);
  g_assert_cmpint (t->hard_limit_kib, ==, 512000);
  g_assert_cmpint (t->soft_limit_kib, ==, 0);                 /* 0 bytes */
  g_assert_cmpint (t->swap_hard_limit_kib, ==, 1024000);      /* 1048576 KB */
  g_assert_cmpint (t->min_guarantee_kib, ==, -1);
}

static void
test_memory_backing_flags (void)
{
  g_autoptr(KtTuning) mlock = load_tuning ("mlock-on.xml");
  g_autoptr(KtTuning) noshare = load_tuning ("nosharepages.xml");
  g_autoptr(KtTuning) plain = load_tuning ("cputune.xml");

  g_assert_true (mlock->has_memory_backing);
  g_assert_true (mlock->locked);
  g_assert_false (mlock->nosharepages);
  g_assert_false (mlock->has_hugepages);
  g_assert_true (noshare->nosharepages);
  g_assert_false (noshare->locked);
  g_assert_false (plain->locked);
  g_assert_false (plain->nosharepages);
}

static void
test_cpu_features (void)
{
  g_autoptr(KtTuning) t = load_tuning ("cpu-host-model-features.xml");
  static const char * const expected[][2] = {
    { "require", "abm" }, { "force", "ds" }, { "disable", "invtsc" },
  };

  g_assert_cmpstr (t->cpu_mode, ==, "host-model");
  g_assert_cmpstr (t->cpu_fallback, ==, "allow");
  g_assert_null (t->cpu_model);
  g_assert_cmpuint (t->cpu_features->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (g_array_index (t->cpu_features, KtCpuFeature, i).policy, ==, expected[i][0]);
      g_assert_cmpstr (g_array_index (t->cpu_features, KtCpuFeature, i).name, ==, expected[i][1]);
    }
  assert_set_str (t->vcpu_cpuset, "1-4,8-20,525");
}

static void
test_numad_auto (void)
{
  g_autoptr(KtTuning) t = load_tuning ("numad.xml");

  g_assert_cmpstr (t->vcpu_placement, ==, "auto");
  g_assert_cmpstr (t->numa_placement, ==, "auto");
  g_assert_cmpstr (t->numa_mode, ==, "interleave");
  g_assert_null (t->numa_nodeset);
}

static void
test_foreign_kept (void)
{
  g_autoptr(KtDomain) qemu = load_domain ("qemu-ns.xml", NULL);
  g_autoptr(KtDomain) osinfo = load_domain ("x86_64-q35-graphics.xml", NULL);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (kt_domain_set_vcpupin (qemu, 0, set, &error));
  g_assert_true (kt_domain_set_vcpupin (osinfo, 0, set, &error));
  g_assert_no_error (error);
  a = kt_domain_to_xml (qemu);
  b = kt_domain_to_xml (osinfo);
  g_assert_nonnull (strstr (a, "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"));
  g_assert_nonnull (strstr (a, "  <qemu:commandline>\n    <qemu:arg value='-unknown'/>"));
  g_assert_nonnull (strstr (a, "<qemu:add capability=\"vnc-colon\"/>"));
  g_assert_nonnull (strstr (b, "<libosinfo:os id=\"http://fedoraproject.org/fedora/29\"/>"));
  g_assert_nonnull (strstr (b, "xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\""));
  assert_valid_domain (a);
  assert_valid_domain (b);
}

static void
test_comment_in_edited_element (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("cputune-iothreads.xml", &text);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("5-6");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (kt_domain_set_vcpupin (domain, 1, set, &error));
  g_assert_no_error (error);
  out = kt_domain_to_xml (domain);
  assert_valid_domain (out);
  g_assert_nonnull (strstr (out, "<!-- intentionally in odd order -->"));
  /* The edited element is rewritten by libxml2, which may requote it */
  g_strdelimit (out, "'", '"');
  g_assert_nonnull (strstr (out, "<vcpupin vcpu=\"1\" cpuset=\"5-6\"/>"));
  g_assert_null (strstr (out, "<vcpupin vcpu=\"1\" cpuset=\"1\"/>"));
  /* Its other pins stay, in their odd order */
  g_assert_nonnull (strstr (out, "<iothreadpin iothread=\"2\" cpuset=\"3\"/>\n"
                                 "    <iothreadpin iothread=\"1\" cpuset=\"2\"/>"));
}

/* Other setters --------------------------------------------------------- */

static char *
to_xml_valid (KtDomain *domain)
{
  char *out = kt_domain_to_xml (domain);

  assert_valid_domain (out);
  return out;
}

static void
test_set_pins (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("iothreads-ids.xml", &text);
  g_autoptr(KtTuning) before = kt_domain_get_tuning (domain);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) a = kt_test_parse_set ("0-1");
  g_autoptr(KtCpuset) b = kt_test_parse_set ("2,4");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  const char *p4, *p2;

  g_assert_true (kt_domain_set_iothreadpin (domain, 4, a, &error));
  g_assert_true (kt_domain_set_iothreadpin (domain, 2, b, &error));
  g_assert_true (kt_domain_set_emulatorpin (domain, a, &error));
  g_assert_true (kt_domain_set_vcpupin (domain, 1, b, &error));
  g_assert_no_error (error);
  out = to_xml_valid (domain);
  assert_same_untouched (text, out);

  t = kt_domain_get_tuning (domain);
  assert_set_str (kt_tuning_get_iothreadpin (t, 4), "0-1");
  assert_set_str (kt_tuning_get_iothreadpin (t, 2), "2,4");
  assert_set_str (t->emulatorpin, "0-1");
  assert_set_str (kt_tuning_get_vcpupin (t, 1), "2,4");
  g_assert_null (kt_tuning_get_vcpupin (t, 0));
  /* Kept sorted by id */
  g_strdelimit (out, "'", '"');
  p2 = strstr (out, "<iothreadpin iothread=\"2\"");
  p4 = strstr (out, "<iothreadpin iothread=\"4\"");
  g_assert_nonnull (p2);
  g_assert_nonnull (p4);
  g_assert_true (p2 < p4);
  g_clear_pointer (&t, kt_tuning_unref);

  /* Unpinning everything takes <cputune> away again */
  g_assert_true (kt_domain_set_iothreadpin (domain, 4, NULL, &error));
  g_assert_true (kt_domain_set_iothreadpin (domain, 2, NULL, &error));
  g_assert_true (kt_domain_set_emulatorpin (domain, NULL, &error));
  g_assert_true (kt_domain_set_vcpupin (domain, 1, NULL, &error));
  g_assert_no_error (error);
  out2 = to_xml_valid (domain);
  g_assert_null (strstr (out2, "cputune"));
  t = kt_domain_get_tuning (domain);
  assert_tuning_equal (before, t, 0);
}

static void
test_set_memnode (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("numatune-memnode.xml", &text);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) set = kt_test_parse_set ("4-5");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (kt_domain_set_memnode (domain, 1, "interleave", set, &error));
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_memnode (domain, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  out = to_xml_valid (domain);
  assert_same_untouched (text, out);
  t = kt_domain_get_tuning (domain);
  g_assert_cmpuint (t->memnodes->len, ==, 2);
  g_assert_cmpuint (g_array_index (t->memnodes, KtMemnode, 0).cellid, ==, 1);
  g_assert_cmpstr (g_array_index (t->memnodes, KtMemnode, 0).mode, ==, "interleave");
  assert_set_str (g_array_index (t->memnodes, KtMemnode, 0).nodeset, "4-5");
  g_assert_cmpuint (g_array_index (t->memnodes, KtMemnode, 1).cellid, ==, 2);
  assert_set_str (t->numa_nodeset, "0-7");
}

static void
test_set_memory_flags (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("mlock-on.xml", &text);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  kt_domain_set_nosharepages (domain, TRUE);
  g_assert_true (kt_domain_set_memtune_hard_limit (domain, 1048576, &error));
  g_assert_no_error (error);
  out = to_xml_valid (domain);
  t = kt_domain_get_tuning (domain);
  g_assert_true (t->nosharepages);
  g_assert_true (t->locked);
  g_assert_cmpint (t->hard_limit_kib, ==, 1048576);
  g_clear_pointer (&t, kt_tuning_unref);

  kt_domain_set_nosharepages (domain, FALSE);
  kt_domain_set_locked (domain, FALSE);
  g_assert_true (kt_domain_set_memtune_hard_limit (domain, -1, &error));
  out2 = to_xml_valid (domain);
  g_assert_null (strstr (out2, "memoryBacking"));
  g_assert_null (strstr (out2, "memtune"));
  t = kt_domain_get_tuning (domain);
  g_assert_false (t->has_memory_backing);
  g_assert_false (t->locked);
  g_assert_cmpint (t->hard_limit_kib, ==, -1);
}

static void
test_set_numatune_auto (void)
{
  g_autoptr(KtDomain) domain = load_domain ("numad.xml", NULL);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  /* Mode alone is fine with automatic placement */
  g_assert_true (kt_domain_set_numatune (domain, "strict", NULL, &error));
  g_assert_no_error (error);
  out = to_xml_valid (domain);
  t = kt_domain_get_tuning (domain);
  g_assert_cmpstr (t->numa_mode, ==, "strict");
  g_assert_cmpstr (t->numa_placement, ==, "auto");
  g_assert_null (t->numa_nodeset);
}

static void
test_set_hugepages_nodeset (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("hugepages-numa-nodeset.xml", &text);
  g_autoptr(KtTuning) before = kt_domain_get_tuning (domain);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) cells = kt_test_parse_set ("0-1,3");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  const KtHugepage *page;

  g_assert_true (kt_domain_set_hugepages (domain, 2048, cells, &error));
  g_assert_no_error (error);
  out = to_xml_valid (domain);
  assert_same_untouched (text, out);
  assert_tidy (text, out);
  t = kt_domain_get_tuning (domain);
  /* One size for the chosen cells replaces the pages that were there */
  g_assert_cmpuint (t->hugepages->len, ==, 1);
  page = &g_array_index (t->hugepages, KtHugepage, 0);
  g_assert_cmpuint (page->size_kib, ==, 2048);
  assert_set_str (page->nodeset, "0-1,3");
  assert_tuning_equal (before, t, EXCEPT_HUGEPAGES);
  g_clear_pointer (&t, kt_tuning_unref);

  /* Size 0 drops huge pages, and the then empty <memoryBacking> */
  g_assert_true (kt_domain_set_hugepages (domain, 0, NULL, &error));
  g_assert_no_error (error);
  out2 = to_xml_valid (domain);
  g_assert_null (strstr (out2, "memoryBacking"));
  t = kt_domain_get_tuning (domain);
  g_assert_false (t->has_hugepages);
  g_assert_false (t->has_memory_backing);
}

static void
test_append_layout (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("nosharepages.xml", &text);
  g_autoptr(KtDomain) ids = load_domain ("iothreads-ids.xml", NULL);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("3");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  /* <locked/> goes last in <memoryBacking>, on a line of its own */
  kt_domain_set_locked (domain, TRUE);
  out = to_xml_valid (domain);
  g_assert_nonnull (strstr (out, "  <memoryBacking>\n    <nosharepages/>\n    <locked/>\n"
                                 "  </memoryBacking>\n  <vcpu"));
  assert_tidy (text, out);

  /* Likewise a pin that goes after everything in <cputune> */
  g_assert_true (kt_domain_set_emulatorpin (ids, set, &error));
  g_assert_true (kt_domain_set_iothreadpin (ids, 4, set, &error));
  g_assert_no_error (error);
  out2 = to_xml_valid (ids);
  g_strdelimit (out2, "'", '"');
  g_assert_nonnull (strstr (out2, "\n  <cputune>\n    <emulatorpin cpuset=\"3\"/>\n"
                                  "    <iothreadpin iothread=\"4\" cpuset=\"3\"/>\n"
                                  "  </cputune>\n"));
}

/* Errors leave the XML alone ---------------------------------------------- */

static void
assert_unchanged (KtDomain   *domain,
                  const char *before_xml,
                  KtTuning   *before_tuning,
                  gboolean    was_modified)
{
  g_autofree char *now = kt_domain_to_xml (domain);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);

  g_assert_cmpstr (now, ==, before_xml);
  g_assert_cmpint (kt_domain_is_modified (domain), ==, was_modified);
  assert_tuning_equal (before_tuning, t, 0);
}

static void
test_error_vcpupin (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("cputune.xml", &text);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0");
  g_autoptr(KtCpuset) empty = kt_cpuset_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (kt_domain_set_vcpupin (domain, 2, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "vCPU 2", "QEMUGuest1");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_vcpupin (domain, G_MAXUINT, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "vCPU 4294967295");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_vcpupin (domain, 0, empty, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "empty");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_emulatorpin (domain, empty, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "empty");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);
}

static void
test_error_iothreadpin (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("iothreads-ids.xml", &text);
  g_autoptr(KtDomain) none = load_domain ("cputune.xml", NULL);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;

  /* It has IOThreads 2 and 4 */
  g_assert_false (kt_domain_set_iothreadpin (domain, 1, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "IOThread 1");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_iothreadpin (domain, 99, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "IOThread 99");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_iothreadpin (none, 1, set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "IOThread 1");
}

static void
test_error_memnode (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("numatune-memnode.xml", &text);
  g_autoptr(KtDomain) no_numa = load_domain ("cputune.xml", NULL);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;

  g_assert_false (kt_domain_set_memnode (domain, 3, "strict", set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "cell 3");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_memnode (domain, 1, "sideways", set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "sideways");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_memnode (no_numa, 0, "strict", set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "cell 0");
}

static void
test_error_numa_mode (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("cputune.xml", &text);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("0");
  g_autoptr(GError) error = NULL;

  g_assert_false (kt_domain_set_numatune (domain, "bogus", set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "bogus");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_numatune (domain, "", set, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "Unknown memory mode");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  /* A mode needs somewhere to apply */
  g_assert_false (kt_domain_set_numatune (domain, "interleave", NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "nodeset");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_true (kt_numa_mode_is_valid ("restrictive"));
  g_assert_false (kt_numa_mode_is_valid ("Strict"));
  g_assert_false (kt_numa_mode_is_valid (NULL));
}

static void
test_error_hugepages (void)
{
  g_autofree char *text = NULL;
  g_autoptr(KtDomain) domain = load_domain ("cputune.xml", &text);
  g_autoptr(KtDomain) numa = load_domain ("hugepages-numa-nodeset.xml", NULL);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
  g_autoptr(KtTuning) tn = kt_domain_get_tuning (numa);
  g_autofree char *numa_text = kt_domain_to_xml (numa);
  g_autoptr(KtCpuset) cell7 = kt_test_parse_set ("1,7");
  g_autoptr(GError) error = NULL;

  /* 219136 KiB is 107 x 2 MiB, but not a whole number of 1 GiB pages */
  g_assert_false (kt_domain_set_hugepages (domain, 1048576, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "1048576 KiB", "219136");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_hugepages (domain, 3, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "3 KiB");
  g_clear_error (&error);
  assert_unchanged (domain, text, t, FALSE);

  g_assert_false (kt_domain_set_hugepages (numa, 2048, cell7, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "cell 7");
  g_clear_error (&error);
  assert_unchanged (numa, numa_text, tn, FALSE);
}

static void
test_error_after_edit (void)
{
  g_autoptr(KtDomain) domain = load_domain ("numatune-memnode.xml", NULL);
  g_autoptr(KtCpuset) set = kt_test_parse_set ("2");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *edited = NULL;

  g_assert_true (kt_domain_set_vcpupin (domain, 31, set, &error));
  g_assert_no_error (error);
  edited = kt_domain_to_xml (domain);
  t = kt_domain_get_tuning (domain);

  g_assert_false (kt_domain_set_vcpupin (domain, 32, set, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kt_domain_set_numatune (domain, "nope", set, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (kt_domain_set_memnode (domain, 9, "strict", set, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kt_domain_set_hugepages (domain, 3, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  assert_unchanged (domain, edited, t, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) domains = NULL;

  g_test_init (&argc, &argv, NULL);

  domains = kt_test_list_fixtures ("domains", ".xml");
  for (guint i = 0; i < domains->len; i++)
    {
      const char *name = g_ptr_array_index (domains, i);
      g_autofree char *rt = g_strdup_printf ("/domain/roundtrip/%s", name);
      g_autofree char *ed = g_strdup_printf ("/domain/edit/%s", name);

      g_test_add_data_func_full (rt, g_strdup (name), test_roundtrip, g_free);
      g_test_add_data_func_full (ed, g_strdup (name), test_edit, g_free);
    }

  g_test_add_func ("/domain/read/cputune", test_cputune_values);
  g_test_add_func ("/domain/read/iothreads", test_cputune_iothreads);
  g_test_add_func ("/domain/read/numatune-memnode", test_numatune_memnode);
  g_test_add_func ("/domain/read/hugepages-nodeset", test_hugepages_nodeset);
  g_test_add_func ("/domain/read/hugepages-default", test_hugepages_default);
  g_test_add_func ("/domain/read/cpu-numa-cells", test_cpu_numa_cells);
  g_test_add_func ("/domain/read/smp-dies", test_smp_dies);
  g_test_add_func ("/domain/read/memtune-units", test_memtune_units);
  g_test_add_func ("/domain/read/memory-backing-flags", test_memory_backing_flags);
  g_test_add_func ("/domain/read/cpu-features", test_cpu_features);
  g_test_add_func ("/domain/read/numad-auto", test_numad_auto);
  g_test_add_func ("/domain/write/foreign-namespaces-kept", test_foreign_kept);
  g_test_add_func ("/domain/write/comment-in-edited-element", test_comment_in_edited_element);
  g_test_add_func ("/domain/write/pins", test_set_pins);
  g_test_add_func ("/domain/write/memnode", test_set_memnode);
  g_test_add_func ("/domain/write/memory-flags", test_set_memory_flags);
  g_test_add_func ("/domain/write/numatune-auto", test_set_numatune_auto);
  g_test_add_func ("/domain/write/append-layout", test_append_layout);
  g_test_add_func ("/domain/write/hugepages-nodeset", test_set_hugepages_nodeset);
  g_test_add_func ("/domain/error/vcpupin", test_error_vcpupin);
  g_test_add_func ("/domain/error/iothreadpin", test_error_iothreadpin);
  g_test_add_func ("/domain/error/memnode", test_error_memnode);
  g_test_add_func ("/domain/error/numa-mode", test_error_numa_mode);
  g_test_add_func ("/domain/error/hugepages", test_error_hugepages);
  g_test_add_func ("/domain/error/after-edit", test_error_after_edit);

  return g_test_run ();
}
