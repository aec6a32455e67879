/* test-cpu-model.c: every CPU mode transition, defined for real
 *
 * kt_domain_set_cpu_mode() must give libvirt what it accepts for the new
 * mode, not just what its schema does.  Each start (virt-manager's default
 * <cpu mode='host-passthrough' check='none' migratable='on'/>, the fixture
 * domains, a <cpu> with every child) goes to each of host-passthrough,
 * host-model, maximum and custom, and from there to each other mode; every
 * step goes through virDomainDefineXMLFlags (VALIDATE) on qemu:///embed,
 * and what libvirt wrote back is checked: the mode, the model, no
 * migratable= outside host-passthrough/maximum, and the same <topology>,
 * <numa> cells, <feature>s and <cache> as before.  Outside <cpu> the XML
 * must come back byte for byte.
 *
 * The model for custom is the one the window offers: host-model's model
 * when usable, else the closest generic one, never 486.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <libxml/parser.h>

#include "kt-cpu-models.h"
#include "kt-domain.h"
#include "kt-error.h"
#include "kt-test-embed.h"
#include "kt-test-util.h"
#include "kt-xml.h"

#define GUEST_PREFIX "kt-cpu-"

static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("test-cpu-model", GUEST_PREFIX, "kt-cpu-model-XXXXXX", FALSE, NULL);

static const char * const modes[] = { "host-passthrough", "host-model", "maximum", "custom" };

/* The fixtures with a <cpu> worth going through, and some without one */
static const char * const fixtures[] = {
  "cpu-host-model.xml", "cpu-host-model-features.xml", "cpu-minimum1.xml",
  "cpu-topology2.xml", "cpu-strict1.xml", "cpu-numa1.xml", "cpu-numa-disjoint.xml",
  "cpu-numa-memshared.xml", "cpu-hotplug-startup.xml", "fd-memory-numa-topology.xml",
  "kvm-features.xml", "smp-dies.xml", "q35-virt-manager-basic.xml", "numatune-hmat.xml",
};

static guint serial;
static char *custom_model;     /* what the window would offer here */

static void
teardown (void)
{
  kt_test_embed_finish (&env);
}

/* Helpers ------------------------------------------------------------------ */

static gboolean
is_host_cpu (const char *mode)
{
  return g_str_equal (mode, "host-passthrough") || g_str_equal (mode, "maximum");
}

/* @xml made definable here: type='qemu' (no KVM), a fresh name, no uuid
 * (the fixtures share libvirt's test uuids) */
static char *
adapt (const char *xml)
{
  g_autoptr(xmlDoc) doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, 0);
  xmlNode *root;
  xmlChar *out = NULL;
  int len = 0;
  g_autofree char *name = g_strdup_printf (GUEST_PREFIX "%u", ++serial);

  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  xmlSetProp (root, (const xmlChar *) "type", (const xmlChar *) "qemu");
  for (xmlNode *c = root->children, *next; c; c = next)
    {
      next = c->next;
      if (c->type != XML_ELEMENT_NODE)
        continue;
      if (xmlStrEqual (c->name, (const xmlChar *) "uuid"))
        {
          xmlUnlinkNode (c);
          xmlFreeNode (c);
        }
      else if (xmlStrEqual (c->name, (const xmlChar *) "name"))
        {
          xmlNodeSetContent (c, NULL);
          xmlNodeAddContent (c, (const xmlChar *) name);
        }
    }
  xmlDocDumpMemory (doc, &out, &len);
  {
    char *ret = g_strndup ((const char *) out, len);

    xmlFree (out);
    return ret;
  }
}

static char *
adapt_fixture (const char *file)
{
  g_autofree char *rel = g_build_filename ("domains", file, NULL);
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autofree char *xml = kt_test_read_file (path, NULL);

  return adapt (xml);
}

/* A minimal TCG guest with @cpu as its <cpu> (NULL: none) */
static char *
guest_with_cpu (const char *cpu)
{
  g_autofree char *base = kt_test_embed_domain_xml ("x", 4, 0);
  g_autoptr(GString) s = g_string_new (base);

  if (cpu != NULL)
    g_string_replace (s, "  <os>", cpu, 1);
  return adapt (s->str);
}

/* Where <cpu …> … </cpu> (or <cpu …/>) sits in @xml: [*start, *end) */
static gboolean
cpu_span (const char *xml,
          gsize      *start,
          gsize      *end)
{
  const char *p = xml;

  while ((p = strstr (p, "<cpu")) != NULL)
    {
      if (p[4] == ' ' || p[4] == '>' || p[4] == '/' || p[4] == '\n')
        break;
      p += 4;
    }
  if (p == NULL)
    return FALSE;
  *start = p - xml;
  {
    const char *gt = strchr (p, '>');
    const char *close;

    g_assert_nonnull (gt);
    if (gt[-1] == '/')
      {
        *end = gt + 1 - xml;
        return TRUE;
      }
    close = strstr (gt, "</cpu>");
    g_assert_nonnull (close);
    *end = close + strlen ("</cpu>") - xml;
  }
  return TRUE;
}

/* Everything but <cpu> came through byte for byte */
static void
assert_rest_unchanged (const char *before,
                       const char *after)
{
  gsize b0, b1, a0, a1;

  if (!cpu_span (before, &b0, &b1))
    return;     /* a new <cpu>: where it goes is test-domain's business */
  g_assert_true (cpu_span (after, &a0, &a1));
  g_assert_cmpuint (a0, ==, b0);
  g_assert_true (strncmp (before, after, b0) == 0);
  g_assert_cmpstr (before + b1, ==, after + a1);
}

typedef struct
{
  guint topology, cells, features, caches, maxphysaddr;
} CpuChildren;

static CpuChildren
count_children (xmlDoc *doc)
{
  CpuChildren c;
  const struct { guint *n; const char *expr; } q[] = {
    { &c.topology, "/domain/cpu/topology" }, { &c.cells, "/domain/cpu/numa/cell" },
    { &c.features, "/domain/cpu/feature" }, { &c.caches, "/domain/cpu/cache" },
    { &c.maxphysaddr, "/domain/cpu/maxphysaddr" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (q); i++)
    {
      g_autoptr(xmlXPathObject) o = kt_test_xpath (doc, NULL, q[i].expr);

      *q[i].n = kt_test_n_nodes (o);
    }
  return c;
}

static char *
xpath_text (xmlDoc     *doc,
            const char *expr)
{
  g_autoptr(xmlXPathObject) o = kt_test_xpath (doc, NULL, expr);
  xmlNode *n = kt_test_n_nodes (o) > 0 ? kt_test_nth_node (o, 0) : NULL;
  xmlChar *v;
  char *ret;

  if (n == NULL)
    return NULL;
  v = xmlNodeGetContent (n);
  ret = g_strdup ((const char *) v);
  xmlFree (v);
  return ret;
}

/* Defines @xml with VALIDATE, reads back what libvirt made of it, undefines */
static xmlDoc *
define_validated (KtTestEmbed *embed,
                  const char  *xml,
                  const char  *what)
{
  virDomainPtr dom = virDomainDefineXMLFlags (kt_connection_get_handle (embed->conn), xml,
                                              VIR_DOMAIN_DEFINE_VALIDATE);
  char *back;
  xmlDoc *doc;

  if (dom == NULL)
    {
      g_autofree char *msg = kt_test_embed_last_error ();

      g_test_fail_printf ("%s: libvirt refused the define: %s\n%s", what, msg, xml);
      return NULL;
    }
  back = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
  g_assert_nonnull (back);
  doc = xmlReadMemory (back, strlen (back), NULL, NULL, 0);
  free (back);
  g_assert_nonnull (doc);
  return doc;
}

/* @domain to @mode; defined for real and checked against @expect */
static KtDomain *
step (KtTestEmbed       *embed,
      KtDomain          *from,
      const char        *mode,
      const CpuChildren *expect,
      const char        *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_copy (from);
  g_autofree char *before = kt_domain_to_xml (from);
  g_autofree char *xml = NULL;
  g_autofree char *label = g_strdup_printf ("%s → %s", what, mode);
  g_autoptr(xmlDoc) back = NULL;
  g_autofree char *got_mode = NULL;
  g_autofree char *got_model = NULL;
  g_autoptr(xmlXPathObject) migratable = NULL;
  g_autoptr(xmlXPathObject) match = NULL;
  CpuChildren got;

  if (!kt_domain_set_cpu_mode (d, mode, g_str_equal (mode, "custom") ? custom_model : NULL,
                               &error))
    {
      g_test_fail_printf ("%s: %s", label, error->message);
      return NULL;
    }
  xml = kt_domain_to_xml (d);
  assert_rest_unchanged (before, xml);
  back = define_validated (embed, xml, label);
  if (back == NULL)
    return NULL;

  got_mode = xpath_text (back, "/domain/cpu/@mode");
  g_assert_cmpstr (got_mode, ==, mode);
  migratable = kt_test_xpath (back, NULL, "/domain/cpu/@migratable");
  if (!is_host_cpu (mode))
    g_assert_cmpuint (kt_test_n_nodes (migratable), ==, 0);
  if (g_str_equal (mode, "custom"))
    {
      got_model = xpath_text (back, "/domain/cpu/model");
      g_assert_cmpstr (got_model, ==, custom_model);
    }
  else
    {
      /* Our own output: no match= and no model name left behind */
      g_autoptr(xmlDoc) ours = xmlReadMemory (xml, strlen (xml), NULL, NULL, 0);
      g_autofree char *name = xpath_text (ours, "/domain/cpu/model");

      match = kt_test_xpath (ours, NULL, "/domain/cpu/@match");
      g_assert_cmpuint (kt_test_n_nodes (match), ==, 0);
      g_assert_true (name == NULL || *name == '\0');
    }
  got = count_children (back);
  g_assert_cmpuint (got.topology, ==, expect->topology);
  g_assert_cmpuint (got.cells, ==, expect->cells);
  g_assert_cmpuint (got.features, ==, expect->features);
  g_assert_cmpuint (got.caches, ==, expect->caches);
  g_assert_cmpuint (got.maxphysaddr, ==, expect->maxphysaddr);
  return g_steal_pointer (&d);
}

/* @xml through every mode, and from each mode to every other */
static void
all_transitions (KtTestEmbed *embed,
                 const char  *xml,
                 const char  *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) start = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(xmlDoc) start_back = NULL;
  CpuChildren expect;

  g_assert_no_error (error);
  kt_test_embed_require (start != NULL, "%s does not load", what);
  /* The start itself is something libvirt takes: what it keeps of <cpu> is
   * what every mode must keep */
  start_back = define_validated (embed, xml, what);
  kt_test_embed_require (start_back != NULL, "%s: the start is refused", what);
  expect = count_children (start_back);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *label = g_strdup_printf ("%s → %s", what, modes[i]);
      g_autoptr(KtDomain) mid = step (embed, start, modes[i], &expect, what);

      if (mid == NULL)
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (modes); j++)
        if (j != i)
          {
            g_autoptr(KtDomain) end = step (embed, mid, modes[j], &expect, label);
          }
    }
}

static gboolean
ensure (KtTestEmbed *embed)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *host_model = NULL;
  const char *domcaps;

  if (!embed->ready)
    return FALSE;
  if (custom_model != NULL)
    return TRUE;
  snapshot = kt_test_embed_capture (embed);
  if (snapshot == NULL)
    return FALSE;
  domcaps = kt_snapshot_get_domcaps_xml (snapshot);
  models = kt_cpu_models_parse (domcaps);
  host_model = kt_cpu_models_host_model (domcaps);
  custom_model = g_strdup (kt_cpu_models_suggest (models, host_model));
  g_test_message ("host-model's model here: %s; offered for custom: %s",
                  host_model ? host_model : "(none)", custom_model ? custom_model : "(none)");
  if (custom_model == NULL)
    {
      g_test_fail_printf ("the domain capabilities here list no usable CPU model");
      return FALSE;
    }
  g_assert_cmpstr (custom_model, !=, "486");
  return TRUE;
}

/* Cases -------------------------------------------------------------------- */

/* virt-manager's default, the case */
static void
test_virt_manager_default (KtTestEmbed   *embed,
                           gconstpointer  data)
{
  g_autofree char *xml = NULL;

  if (!ensure (embed))
    return;
  xml = guest_with_cpu ("  <cpu mode='host-passthrough' check='none' migratable='on'/>\n  <os>");
  all_transitions (embed, xml, "virt-manager's host-passthrough");
}

/* No <cpu> at all, and every child a <cpu> can have that every mode takes */
static void
test_synthetic (KtTestEmbed   *embed,
                gconstpointer  data)
{
  g_autofree char *none = NULL;
  g_autofree char *full = NULL;
  g_autofree char *hostcpu = NULL;

  if (!ensure (embed))
    return;
  none = guest_with_cpu (NULL);
  all_transitions (embed, none, "no <cpu>");
  full = guest_with_cpu ("  <cpu mode='custom' match='exact' check='partial'>\n"
                         "    <model fallback='forbid'>qemu64</model>\n"
                         "    <vendor>AMD</vendor>\n"
                         "    <topology sockets='1' dies='1' cores='2' threads='2'/>\n"
                         "    <cache level='3' mode='emulate'/>\n"
                         "    <maxphysaddr mode='passthrough'/>\n"
                         "    <feature policy='require' name='ssse3'/>\n"
                         "    <feature policy='disable' name='svm'/>\n"
                         "    <numa>\n"
                         "      <cell id='0' cpus='0-1' memory='32' unit='MiB'/>\n"
                         "      <cell id='1' cpus='2-3' memory='32' unit='MiB'/>\n"
                         "    </numa>\n"
                         "  </cpu>\n  <os>");
  all_transitions (embed, full, "custom with every child");
  hostcpu = guest_with_cpu ("  <cpu mode='maximum' check='none' migratable='off'>\n"
                            "    <topology sockets='2' cores='2' threads='1'/>\n"
                            "    <cache mode='disable'/>\n"
                            "    <feature policy='disable' name='vmx'/>\n"
                            "  </cpu>\n  <os>");
  all_transitions (embed, hostcpu, "maximum, migratable='off'");
}

static void
test_fixture (KtTestEmbed   *embed,
              gconstpointer  data)
{
  g_autofree char *xml = NULL;

  if (!ensure (embed))
    return;
  xml = adapt_fixture (data);
  all_transitions (embed, xml, data);
}

/* <cache mode='passthrough'> only goes with host-passthrough and maximum:
 * leaving them is refused, naming it, and nothing is changed */
static void
test_cache_passthrough (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(KtDomain) d = NULL;
  g_autoptr(KtDomain) max = NULL;
  g_autoptr(xmlDoc) start_back = NULL;
  CpuChildren expect;

  if (!ensure (embed))
    return;
  xml = guest_with_cpu ("  <cpu mode='host-passthrough' check='none' migratable='on'>\n"
                        "    <cache mode='passthrough'/>\n"
                        "  </cpu>\n  <os>");
  d = kt_domain_new_from_xml (xml, -1, &error);
  g_assert_no_error (error);
  start_back = define_validated (embed, xml, "cache passthrough");
  kt_test_embed_require (start_back != NULL, "the start is refused");
  expect = count_children (start_back);

  g_assert_false (kt_domain_set_cpu_mode (d, "host-model", NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                                 "cache mode='passthrough'", "host-model");
  g_clear_error (&error);
  g_assert_false (kt_domain_set_cpu_mode (d, "custom", custom_model, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                                 "cache mode='passthrough'", "custom");
  g_clear_error (&error);
  g_assert_false (kt_domain_is_modified (d));

  max = step (embed, d, "maximum", &expect, "cache passthrough");
  g_assert_nonnull (max);
}

/* What each transition writes (no libvirt): the exact <cpu>, the rest kept */
static void
test_edits (void)
{
  static const char vm[] =
    "  <cpu mode='host-passthrough' check='none' migratable='on'/>\n";
  static const char custom[] =
    "  <cpu mode='custom' match='exact' check='partial'>\n"
    "    <model fallback='forbid'>qemu64</model>\n"
    "    <vendor>AMD</vendor>\n"
    "    <topology sockets='1' cores='2' threads='2'/>\n"
    "    <feature policy='disable' name='svm'/>\n"
    "  </cpu>\n";
  static const char host_model[] =
    "  <cpu mode='host-model'>\n"
    "    <model fallback='allow'/>\n"
    "  </cpu>\n";
  const struct { const char *cpu, *mode, *model, *expect; } cases[] = {
    /* unchanged: not a byte touched */
    { vm, "host-passthrough", NULL, vm },
    { vm, "host-model", NULL, "  <cpu mode=\"host-model\"/>\n" },
    { vm, "maximum", NULL, "  <cpu mode=\"maximum\" check=\"none\" migratable=\"on\"/>\n" },
    { vm, "custom", "EPYC",
      "  <cpu mode=\"custom\" match=\"exact\">\n    <model>EPYC</model>\n  </cpu>\n" },
    { custom, "host-passthrough", NULL,
      "  <cpu mode=\"host-passthrough\">\n"
      "    <topology sockets=\"1\" cores=\"2\" threads=\"2\"/>\n"
      "    <feature policy=\"disable\" name=\"svm\"/>\n"
      "  </cpu>\n" },
    { custom, "host-model", NULL,
      "  <cpu mode=\"host-model\" check=\"partial\">\n"
      "    <model fallback=\"forbid\"/>\n"
      "    <topology sockets=\"1\" cores=\"2\" threads=\"2\"/>\n"
      "    <feature policy=\"disable\" name=\"svm\"/>\n"
      "  </cpu>\n" },
    { custom, "custom", "EPYC",
      "  <cpu mode=\"custom\" match=\"exact\" check=\"partial\">\n"
      "    <model fallback=\"forbid\">EPYC</model>\n"
      "    <vendor>AMD</vendor>\n"
      "    <topology sockets=\"1\" cores=\"2\" threads=\"2\"/>\n"
      "    <feature policy=\"disable\" name=\"svm\"/>\n"
      "  </cpu>\n" },
    { host_model, "host-passthrough", NULL, "  <cpu mode=\"host-passthrough\"/>\n" },
    { host_model, "custom", "EPYC",
      "  <cpu mode=\"custom\" match=\"exact\">\n"
      "    <model fallback=\"allow\">EPYC</model>\n"
      "  </cpu>\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      static const char head[] = "<domain type='qemu'>\n  <name>x</name>\n  <vcpu>4</vcpu>\n";
      static const char tail[] = "  <clock offset='utc'/>\n</domain>\n";
      g_autofree char *xml = g_strconcat (head, cases[i].cpu, tail, NULL);
      g_autofree char *want = g_strconcat (head, cases[i].expect, tail, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
      g_autofree char *out = NULL;

      g_assert_no_error (error);
      g_assert_true (kt_domain_set_cpu_mode (d, cases[i].mode, cases[i].model, &error));
      g_assert_no_error (error);
      out = kt_domain_to_xml (d);
      g_assert_cmpstr (out, ==, want);
    }
}

/* The model offered for custom, from domain capabilities (no libvirt) */
static void
test_suggest (void)
{
  static const char caps_usable[] =
    "<domainCapabilities><cpu>"
    "<mode name='host-model' supported='yes'><model fallback='forbid'>Skylake-Client-IBRS"
    "</model></mode>"
    "<mode name='custom' supported='yes'>"
    "<model usable='yes'>qemu64</model><model usable='yes'>486</model>"
    "<model usable='yes'>Skylake-Client-IBRS</model><model usable='no'>Icelake-Server</model>"
    "<blockers model='Icelake-Server'><feature name='avx512f'/><feature name='pku'/></blockers>"
    "</mode></cpu></domainCapabilities>";
  static const char caps_unusable[] =
    "<domainCapabilities><cpu>"
    "<mode name='host-model' supported='yes'><model>EPYC</model></mode>"
    "<mode name='custom' supported='yes'>"
    "<model usable='yes'>486</model><model usable='no'>EPYC</model>"
    "<model usable='yes'>qemu64</model>"
    "</mode></cpu></domainCapabilities>";
  g_autoptr(GPtrArray) m1 = kt_cpu_models_parse (caps_usable);
  g_autoptr(GPtrArray) m2 = kt_cpu_models_parse (caps_unusable);
  g_autoptr(GPtrArray) none = kt_cpu_models_parse (NULL);
  g_autofree char *h1 = kt_cpu_models_host_model (caps_usable);
  g_autofree char *h2 = kt_cpu_models_host_model (caps_unusable);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (m1->len, ==, 4);
  g_assert_cmpstr (h1, ==, "Skylake-Client-IBRS");
  g_assert_cmpstr (kt_cpu_models_suggest (m1, h1), ==, "Skylake-Client-IBRS");
  g_assert_cmpstr (h2, ==, "EPYC");
  g_assert_cmpstr (kt_cpu_models_suggest (m2, h2), ==, "qemu64");
  g_assert_null (kt_cpu_models_suggest (none, NULL));

  g_assert_true (kt_cpu_models_check_usable (m1, "qemu64", &error));
  g_assert_no_error (error);
  g_assert_false (kt_cpu_models_check_usable (m1, "Icelake-Server", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                                 "Icelake-Server", "avx512f, pku");
  g_clear_error (&error);
  g_assert_false (kt_cpu_models_check_usable (m2, "EPYC", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "EPYC", "usable='no'");
  g_clear_error (&error);
  g_assert_false (kt_cpu_models_check_usable (m1, "Nonesuch", &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "Nonesuch");
  g_clear_error (&error);
  /* Nothing listed: nothing to refuse by */
  g_assert_true (kt_cpu_models_check_usable (none, "Nonesuch", &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  kt_test_embed_use (&env);

  env.skip_reason = kt_test_embed_missing ();
  if (env.skip_reason != NULL)
    g_printerr ("#\n# test-cpu-model: SKIPPING every real-libvirt case: %s\n#\n",
                env.skip_reason);
  else
    atexit (teardown);

  g_test_add_func ("/cpu-model/suggest", test_suggest);
  g_test_add_func ("/cpu-model/edits", test_edits);
  g_test_add ("/cpu-model/virt-manager-default", KtTestEmbed, NULL,
              kt_test_embed_setup, test_virt_manager_default, kt_test_embed_teardown);
  g_test_add ("/cpu-model/synthetic", KtTestEmbed, NULL,
              kt_test_embed_setup, test_synthetic, kt_test_embed_teardown);
  g_test_add ("/cpu-model/cache-passthrough", KtTestEmbed, NULL,
              kt_test_embed_setup, test_cache_passthrough, kt_test_embed_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cpu-model/fixture/%s", fixtures[i]);

      g_test_add (path, KtTestEmbed, fixtures[i],
                  kt_test_embed_setup, test_fixture, kt_test_embed_teardown);
    }

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  g_free (custom_model);
  return ret;
}
