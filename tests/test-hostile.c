/* test-hostile.c: malformed and malicious domain and capabilities XML
 *
 * Everything here must end in a clear GError: no crash, no hang, no
 * entity expansion, no file read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-domain.h"
#include "kt-error.h"
#include "kt-host.h"
#include "kt-test-util.h"
#include "kt-xml.h"

/* A minimal valid domain and capabilities document, for variations */
#define DOMAIN_HEAD "<domain type='kvm'>\n  <name>evil</name>\n"
#define DOMAIN_TAIL "</domain>\n"
#define CAPS_HEAD "<capabilities>\n  <host>\n    <topology>\n      <cells num='1'>\n"
#define CAPS_TAIL "      </cells>\n    </topology>\n  </host>\n</capabilities>\n"
#define CELL0 "        <cell id='0'><cpus num='1'><cpu id='0' socket_id='0' core_id='0' siblings='0'/></cpus></cell>\n"

static char *
passwd_first_line (void)
{
  g_autofree char *data = NULL;
  char *nl;

  if (!g_file_get_contents ("/etc/passwd", &data, NULL, NULL) || *data == '\0')
    return g_strdup ("root:x:0:0:");
  nl = strchr (data, '\n');
  if (nl)
    *nl = '\0';
  return g_steal_pointer (&data);
}

static void
assert_domain_error (const char *xml,
                     gssize      len,
                     KtError     code,
                     const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, len, &error);

  g_assert_null (domain);
  kt_test_assert_error_contains (error, KT_ERROR, code, needle);
}

static void
assert_host_error (const char *xml,
                   gssize      len,
                   KtError     code,
                   const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (xml, len, &error);

  g_assert_null (host);
  kt_test_assert_error_contains (error, KT_ERROR, code, needle);
}

/* Malformed -------------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *xml;
  gssize      len;
  const char *needle;
} Malformed;

static const Malformed malformed[] = {
  { "empty", "", 0, "empty" },
  { "blank", "  \n\t ", -1, "not well-formed" },
  { "declaration-only", "<?xml version='1.0'?>", -1, "not well-formed" },
  { "truncated", DOMAIN_HEAD "  <memory unit='KiB'>1024</mem", -1, "not well-formed" },
  { "unclosed", DOMAIN_HEAD "  <vcpu>2\n" DOMAIN_TAIL, -1, "not well-formed" },
  { "mismatched", DOMAIN_HEAD "  <vcpu>2</cpu>\n" DOMAIN_TAIL, -1, "not well-formed" },
  { "no-end-tag", DOMAIN_HEAD, -1, "not well-formed" },
  { "two-roots", "<domain><name>a</name></domain><domain/>", -1, "not well-formed" },
  { "garbage", "\x01\x02\x03garbage\xff\xfe<<<>>>", 15, "not valid UTF-8" },
  { "nul-inside", DOMAIN_HEAD "\0" DOMAIN_TAIL, sizeof (DOMAIN_HEAD "\0" DOMAIN_TAIL) - 1,
    "NUL byte (line 3)" },
  { "bad-utf8", DOMAIN_HEAD "  <title>\xc3\x28</title>\n" DOMAIN_TAIL, -1,
    "not valid UTF-8 (line 3, byte 0xC3)" },
  { "bad-char-ref", DOMAIN_HEAD "  <title>&#0;</title>\n" DOMAIN_TAIL, -1, "not well-formed" },
  { "undefined-entity", DOMAIN_HEAD "  <title>&nope;</title>\n" DOMAIN_TAIL, -1, "not well-formed" },
  { "attr-lt", "<domain type='<'><name>a</name></domain>", -1, "not well-formed" },
  { "dup-attr", "<domain type='a' type='b'><name>a</name></domain>", -1, "not well-formed" },
};

static void
test_malformed (gconstpointer data)
{
  const Malformed *m = data;

  assert_domain_error (m->xml, m->len, KT_ERROR_INVALID_XML, m->needle);
  assert_host_error (m->xml, m->len, KT_ERROR_INVALID_XML, m->needle);
}

/* Every prefix of a real document is refused cleanly */
static void
test_truncations (void)
{
  g_autofree char *dpath = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *hpath = kt_test_fixture_path ("hosts/real-16em64t-4s2c2t-offlines.xml");
  gsize dlen, hlen;
  g_autofree char *domain = kt_test_read_file (dpath, &dlen);
  g_autofree char *host = kt_test_read_file (hpath, &hlen);
  gsize end_of_domain = strstr (domain, "</domain>") - domain + strlen ("</domain>");
  gsize end_of_caps = strstr (host, "</capabilities>") - host + strlen ("</capabilities>");

  for (gsize len = 1; len < end_of_domain; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (domain, len, &error);

      g_assert_null (d);
      g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_XML);
    }
  for (gsize len = 1; len < end_of_caps; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtHost) h = kt_host_new_from_xml (host, len, &error);

      g_assert_null (h);
      g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_XML);
    }
}

/* Random byte damage: whatever still parses must behave */
static void
test_mutations (void)
{
  g_autofree char *dpath = kt_test_fixture_path ("domains/numatune-memnode.xml");
  g_autofree char *hpath = kt_test_fixture_path ("hosts/real-fakeheteromemtiers.xml");
  gsize dlen, hlen;
  g_autofree char *domain = kt_test_read_file (dpath, &dlen);
  g_autofree char *host = kt_test_read_file (hpath, &hlen);
  static const char replacements[] = "<>/'\"&;-^,0 9\0\xff";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("0", NULL);

  for (int round = 0; round < 600; round++)
    {
      g_autofree char *d = g_memdup2 (domain, dlen + 1);
      g_autofree char *h = g_memdup2 (host, hlen + 1);
      g_autoptr(GError) derr = NULL;
      g_autoptr(GError) herr = NULL;
      g_autoptr(KtDomain) dom = NULL;
      g_autoptr(KtHost) hst = NULL;
      int n = g_rand_int_range (rand, 1, 4);

      for (int i = 0; i < n; i++)
        {
          d[g_rand_int_range (rand, 0, dlen)] =
            replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
          h[g_rand_int_range (rand, 0, hlen)] =
            replacements[g_rand_int_range (rand, 0, sizeof replacements - 1)];
        }

      dom = kt_domain_new_from_xml (d, dlen, &derr);
      g_assert_true ((dom == NULL) != (derr == NULL));
      if (dom != NULL)
        {
          g_autofree char *out = NULL;
          g_autoptr(GError) e2 = NULL;
          g_autoptr(KtDomain) back = NULL;

          /* Setters may refuse, but what is written must read back */
          kt_domain_set_vcpupin (dom, 0, set, NULL);
          kt_domain_set_numatune (dom, "strict", set, NULL);
          out = kt_domain_to_xml (dom);
          back = kt_domain_new_from_xml (out, -1, &e2);
          g_assert_no_error (e2);
        }
      else
        g_assert_cmpuint (strlen (derr->message), >, 0);

      hst = kt_host_new_from_xml (h, hlen, &herr);
      g_assert_true ((hst == NULL) != (herr == NULL));
      if (hst == NULL)
        g_assert_cmpuint (strlen (herr->message), >, 0);
    }
}

/* Entities and DOCTYPEs ------------------------------------------------------ */

static const char billion_laughs[] =
  "<?xml version='1.0'?>\n"
  "<!DOCTYPE domain [\n"
  " <!ENTITY lol 'lol'>\n"
  " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
  " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
  " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
  " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
  " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
  " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
  " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
  " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
  " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
  "]>\n"
  "<domain type='kvm'><name>&lol9;</name><description>&lol9;</description></domain>\n";

static void
test_billion_laughs (void)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *caps = NULL;

  assert_domain_error (billion_laughs, -1, KT_ERROR_INVALID_XML, "DOCTYPE");
  caps = g_strdup (billion_laughs);
  /* Same bomb with a capabilities root */
  memcpy (strstr (caps, "<!DOCTYPE domain"), "<!DOCTYPE capab", strlen ("<!DOCTYPE capab"));
  assert_host_error (caps, -1, KT_ERROR_INVALID_XML, "DOCTYPE");
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 2.0);
}

static void
assert_no_leak (const char *xml,
                const char *secret)
{
  g_autoptr(GError) derr = NULL;
  g_autoptr(GError) herr = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, -1, &derr);
  g_autoptr(KtHost) host = kt_host_new_from_xml (xml, -1, &herr);

  g_assert_null (domain);
  g_assert_null (host);
  kt_test_assert_error_contains (derr, KT_ERROR, KT_ERROR_INVALID_XML, "DOCTYPE");
  kt_test_assert_error_contains (herr, KT_ERROR, KT_ERROR_INVALID_XML, "DOCTYPE");
  g_assert_null (strstr (derr->message, secret));
  g_assert_null (strstr (herr->message, secret));
}

static void
test_external_entity (void)
{
  g_autofree char *secret = passwd_first_line ();

  assert_no_leak ("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><domain>&x;</domain>",
                  secret);
  assert_no_leak ("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                  "<domain type='kvm'><name>&x;</name></domain>", secret);
  assert_no_leak ("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                  "<capabilities><host><cpu><arch>&x;</arch></cpu></host></capabilities>", secret);
  /* Parameter entity, external DTD, network DTD */
  assert_no_leak ("<!DOCTYPE d [<!ENTITY % x SYSTEM \"file:///etc/passwd\"> %x;]><domain/>", secret);
  assert_no_leak ("<!DOCTYPE domain SYSTEM \"file:///etc/passwd\"><domain/>", secret);
  assert_no_leak ("<!DOCTYPE domain PUBLIC \"-//x//y\" \"http://127.0.0.1:9/x.dtd\"><domain/>",
                  secret);
  /* Even an empty DOCTYPE is refused */
  assert_no_leak ("<!DOCTYPE domain><domain type='kvm'><name>a</name></domain>", secret);
}

static void
test_xinclude_not_processed (void)
{
  static const char xml[] =
    "<domain type='kvm' xmlns:xi='http://www.w3.org/2001/XInclude'>"
    "<name>x<xi:include href='file:///etc/passwd' parse='text'/></name>"
    "<description><xi:include href='file:///etc/passwd' parse='text'/></description>"
    "</domain>";
  g_autofree char *secret = passwd_first_line ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *out = NULL;
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("0", NULL);

  g_assert_no_error (error);
  t = kt_domain_get_tuning (domain);
  g_assert_cmpstr (t->name, ==, "x");
  g_assert_true (kt_domain_set_vcpupin (domain, 0, set, &error));
  out = kt_domain_to_xml (domain);
  g_assert_null (strstr (out, secret));
  g_assert_nonnull (strstr (out, "<xi:include href='file:///etc/passwd' parse='text'/>"));
}

/* libxml2 reports an unbound prefix as a namespace error only; refusing
 * the document and keeping it verbatim are both fine */
static void
test_unbound_prefix (void)
{
  static const char xml[] =
    "<domain type='kvm'>\n  <name>a</name>\n  <vcpu>1</vcpu>\n  <q:x a='1'/>\n</domain>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("0", NULL);
  g_autofree char *out = NULL;

  if (domain == NULL)
    {
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "q");
      return;
    }
  g_assert_true (kt_domain_set_vcpupin (domain, 0, set, &error));
  g_assert_no_error (error);
  out = kt_domain_to_xml (domain);
  g_assert_nonnull (strstr (out, "\n  <q:x a='1'/>\n"));
}

static void
test_caps_doctype (void)
{
  static const char caps[] =
    "<?xml version='1.0'?>\n<!DOCTYPE capabilities>\n" CAPS_HEAD CELL0 CAPS_TAIL;

  assert_host_error (caps, -1, KT_ERROR_INVALID_XML, "DOCTYPE");
  /* And the same document without the DOCTYPE is fine */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KtHost) host = kt_host_new_from_xml (CAPS_HEAD CELL0 CAPS_TAIL, -1, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (kt_host_get_n_cpus (host), ==, 1);
  }
}

/* Wrong documents ---------------------------------------------------------- */

static void
test_wrong_root (void)
{
  g_autofree char *caps_path = kt_test_fixture_path ("hosts/libvirt-caps-test.xml");
  g_autofree char *dom_path = kt_test_fixture_path ("domains/cputune.xml");
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  g_autofree char *dom = kt_test_read_file (dom_path, NULL);

  assert_domain_error (caps, -1, KT_ERROR_INVALID_XML, "<capabilities>");
  assert_host_error (dom, -1, KT_ERROR_INVALID_XML, "<domain>");
  assert_domain_error ("<network><name>default</name></network>", -1, KT_ERROR_INVALID_XML,
                       "root element is <network>");
  assert_domain_error ("<domain type='kvm'/>", -1, KT_ERROR_INVALID_XML, "<name>");
  assert_domain_error ("<domain type='kvm'><name>  </name></domain>", -1, KT_ERROR_INVALID_XML,
                       "<name>");
  assert_host_error ("<capabilities/>", -1, KT_ERROR_INVALID_XML, "<host>");
  assert_host_error ("<capabilities><host/></capabilities>", -1, KT_ERROR_INVALID_XML,
                     "no NUMA cell");
  assert_host_error (CAPS_HEAD CAPS_TAIL, -1, KT_ERROR_INVALID_XML, "no NUMA cell");
}

/* Out-of-range values ------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *body;
  const char *needle;
  const char *needle2;
} BadDomain;

static const BadDomain bad_domains[] = {
  { "vcpu-huge", "<vcpu>99999999999999999999</vcpu>", "<vcpu>", "99999999999999999999" },
  { "vcpu-over-limit", "<vcpu>16385</vcpu>", "<vcpu>", "16385" },
  { "vcpu-negative", "<vcpu>-1</vcpu>", "<vcpu>", "-1" },
  { "vcpu-text", "<vcpu>two</vcpu>", "<vcpu>", "two" },
  { "vcpu-current-huge", "<vcpu current='99999999999'>2</vcpu>", "current", NULL },
  { "memory-eib", "<memory unit='EiB'>99999</memory>", "too large", "EiB" },
  { "memory-huge", "<memory>99999999999999999999999</memory>", "<memory>", NULL },
  { "memory-unit", "<memory unit='parsecs'>1</memory>", "Unknown size unit", "parsecs" },
  { "memory-negative", "<memory unit='KiB'>-5</memory>", "<memory>", "-5" },
  { "current-memory-eb", "<currentMemory unit='EB'>100</currentMemory>", "too large", NULL },
  { "vcpupin-range", "<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='0-99999999'/></cputune>",
    "99999999", "out of range" },
  { "vcpupin-no-cpuset", "<vcpu>2</vcpu><cputune><vcpupin vcpu='0'/></cputune>", "cpuset", NULL },
  { "vcpupin-bad-vcpu", "<vcpu>2</vcpu><cputune><vcpupin vcpu='x' cpuset='1'/></cputune>",
    "vcpupin", "x" },
  { "vcpupin-huge-vcpu",
    "<vcpu>2</vcpu><cputune><vcpupin vcpu='99999999999' cpuset='1'/></cputune>", "vcpupin", NULL },
  { "emulatorpin-garbage", "<cputune><emulatorpin cpuset='1-x'/></cputune>", "emulatorpin", NULL },
  { "iothreadpin-range",
    "<iothreads>1</iothreads><cputune><iothreadpin iothread='1' cpuset='^5-7'/></cputune>",
    "iothreadpin", "^5-7" },
  { "shares-text", "<cputune><shares>lots</shares></cputune>", "shares", "lots" },
  { "numatune-nodeset", "<numatune><memory mode='strict' nodeset='99999999'/></numatune>",
    "nodeset", "99999999" },
  { "memnode-nodeset",
    "<numatune><memnode cellid='0' mode='strict' nodeset='-1'/></numatune>", "nodeset", NULL },
  { "hugepage-size", "<memoryBacking><hugepages><page size='99999999999999999999999'/>"
    "</hugepages></memoryBacking>", "size", NULL },
  { "hugepage-unit", "<memoryBacking><hugepages><page size='99999' unit='EiB'/></hugepages>"
    "</memoryBacking>", "too large", NULL },
  { "cell-cpus", "<cpu><numa><cell id='0' cpus='0-99999999' memory='1'/></numa></cpu>",
    "99999999", NULL },
  { "cell-memory", "<cpu><numa><cell id='0' cpus='0' memory='99999' unit='EiB'/></numa></cpu>",
    "too large", NULL },
  { "topology", "<cpu><topology sockets='1' cores='99999999999' threads='1'/></cpu>",
    "cores", NULL },
  { "memtune", "<memtune><hard_limit unit='EiB'>99999</hard_limit></memtune>", "too large", NULL },
  { "iothreads-huge", "<iothreads>99999999999</iothreads>", "iothreads", NULL },
};

static void
test_bad_domain (gconstpointer data)
{
  const BadDomain *b = data;
  g_autofree char *xml = g_strconcat (DOMAIN_HEAD, b->body, DOMAIN_TAIL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, -1, &error);

  g_assert_null (domain);
  g_assert_nonnull (error);
  g_assert_true (error->domain == KT_ERROR);
  g_assert_true (error->code == KT_ERROR_INVALID_XML || error->code == KT_ERROR_INVALID_VALUE);
  kt_test_assert_error_contains (error, KT_ERROR, error->code, b->needle);
  if (b->needle2)
    kt_test_assert_error_contains (error, KT_ERROR, error->code, b->needle2);
  /* Which domain it was about */
  kt_test_assert_error_contains (error, KT_ERROR, error->code, "evil");
}

typedef struct
{
  const char *name;
  const char *cells;
  const char *needle;
  const char *needle2;
} BadCaps;

static const BadCaps bad_caps[] = {
  { "cpu-id-huge",
    "<cell id='0'><cpus num='1'><cpu id='99999999' socket_id='0' core_id='0' siblings='99999999'/>"
    "</cpus></cell>", "99999999", "cpu" },
  { "cpu-id-negative", "<cell id='0'><cpus num='1'><cpu id='-1'/></cpus></cell>", "-1", NULL },
  { "cpu-id-missing", "<cell id='0'><cpus num='1'><cpu/></cpus></cell>", "missing", NULL },
  { "cell-id-huge", "<cell id='4294967296'><cpus num='0'/></cell>", "4294967296", NULL },
  { "cell-id-dup",
    "<cell id='0'><cpus num='1'><cpu id='0'/></cpus></cell>"
    "<cell id='0'><cpus num='1'><cpu id='1'/></cpus></cell>", "cell 0", "twice" },
  { "cpu-id-dup",
    "<cell id='0'><cpus num='2'><cpu id='3'/><cpu id='3'/></cpus></cell>", "CPU 3", "twice" },
  { "cpu-id-dup-across-cells",
    "<cell id='0'><cpus num='1'><cpu id='1' socket_id='0' core_id='0' siblings='1'/></cpus></cell>"
    "<cell id='1'><cpus num='1'><cpu id='1' socket_id='1' core_id='0' siblings='1'/></cpus></cell>",
    "CPU 1", "twice" },
  { "socket-huge",
    "<cell id='0'><cpus num='1'><cpu id='0' socket_id='99999999999' core_id='0' siblings='0'/>"
    "</cpus></cell>", "socket_id", NULL },
  { "siblings-garbage",
    "<cell id='0'><cpus num='1'><cpu id='0' socket_id='0' core_id='0' siblings='0-99999999'/>"
    "</cpus></cell>", "siblings", "99999999" },
  { "memory-eib",
    "<cell id='0'><memory unit='EiB'>99999</memory><cpus num='0'/></cell>", "too large", NULL },
  { "pages-count",
    "<cell id='0'><pages unit='KiB' size='4'>99999999999999999999999</pages><cpus num='0'/></cell>",
    "<pages>", NULL },
  { "pages-size",
    "<cell id='0'><pages unit='EiB' size='99999'>1</pages><cpus num='0'/></cell>", "too large",
    NULL },
  { "distance-value",
    "<cell id='0'><distances><sibling id='0' value='99999999999'/></distances><cpus num='0'/>"
    "</cell>", "value", NULL },
};

static void
test_bad_caps (gconstpointer data)
{
  const BadCaps *b = data;
  g_autofree char *xml = g_strconcat (CAPS_HEAD, b->cells, CAPS_TAIL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_xml (xml, -1, &error);

  g_assert_null (host);
  g_assert_nonnull (error);
  g_assert_true (error->domain == KT_ERROR);
  kt_test_assert_error_contains (error, KT_ERROR, error->code, b->needle);
  if (b->needle2)
    kt_test_assert_error_contains (error, KT_ERROR, error->code, b->needle2);
}

static void
test_bad_cache (void)
{
  g_autofree char *xml = g_strconcat (
    "<capabilities><host><topology><cells num='1'>", CELL0,
    "</cells></topology><cache><bank id='0' level='3' type='both' size='1' unit='MiB' "
    "cpus='0-99999999'/></cache></host></capabilities>", NULL);

  assert_host_error (xml, -1, KT_ERROR_INVALID_XML, "99999999");
}

/* Size and depth ------------------------------------------------------------ */

static char *
nested (const char *head,
        const char *tail,
        guint       depth)
{
  GString *s = g_string_new (head);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, "<a>");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, "</a>");
  g_string_append (s, tail);
  return g_string_free (s, FALSE);
}

static void
test_deep_nesting (void)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *dom = nested (DOMAIN_HEAD "<metadata><x:m xmlns:x='urn:x'>", "</x:m></metadata>"
                                 DOMAIN_TAIL, 50000);
  g_autofree char *caps = nested ("<capabilities><host>", "</host></capabilities>", 50000);
  g_autofree char *shallow = nested (DOMAIN_HEAD "<metadata><x:m xmlns:x='urn:x'>",
                                     "</x:m></metadata>" DOMAIN_TAIL, 100);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) ok = NULL;

  assert_domain_error (dom, -1, KT_ERROR_INVALID_XML, "not well-formed");
  assert_host_error (caps, -1, KT_ERROR_INVALID_XML, "not well-formed");
  /* Reasonable nesting is fine */
  ok = kt_domain_new_from_xml (shallow, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 10.0);
}

static void
test_many_elements (void)
{
  g_autoptr(GString) xml = g_string_new (DOMAIN_HEAD "<vcpu>16384</vcpu>\n<cputune>\n");
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("0-16383", NULL);
  g_autofree char *out = NULL;

  for (guint i = 0; i < 16384; i++)
    g_string_append_printf (xml, "<vcpupin vcpu='%u' cpuset='0-16383,^%u'/>\n", i, i);
  g_string_append (xml, "</cputune>\n" DOMAIN_TAIL);

  domain = kt_domain_new_from_xml (xml->str, xml->len, &error);
  g_assert_no_error (error);
  t = kt_domain_get_tuning (domain);
  g_assert_cmpuint (t->vcpupin->len, ==, 16384);
  g_assert_cmpuint (kt_cpuset_count (kt_tuning_get_vcpupin (t, 16383)), ==, 16383);
  g_assert_true (kt_domain_set_vcpupin (domain, 16383, set, &error));
  g_assert_no_error (error);
  out = kt_domain_to_xml (domain);
  g_assert_nonnull (strstr (out, "cpuset=\"0-16383\""));
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 30.0);
}

static void
test_huge_attribute (void)
{
  g_autoptr(GString) xml = g_string_new (DOMAIN_HEAD "<vcpu>1</vcpu><cputune><emulatorpin cpuset='");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = NULL;

  /* 1 MB of "1,": valid, and parsed in linear time */
  for (guint i = 0; i < 512 * 1024; i++)
    g_string_append (xml, "1,");
  g_string_append (xml, "2'/></cputune>" DOMAIN_TAIL);
  domain = kt_domain_new_from_xml (xml->str, xml->len, &error);
  g_assert_no_error (error);
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
    g_autofree char *s = kt_cpuset_format (t->emulatorpin);

    g_assert_cmpstr (s, ==, "1-2");
  }
}

/* Setters take text, not markup ------------------------------------------ */

static void
test_setter_injection (void)
{
  static const char evil[] = "qemu64</model><feature policy='force' name='evil'/><model>";
  g_autofree char *path = kt_test_fixture_path ("domains/cpu-strict1.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_file (path, &error);
  g_autoptr(KtDomain) back = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (kt_domain_set_cpu_mode (domain, "custom", evil, &error));
  g_assert_no_error (error);
  out = kt_domain_to_xml (domain);
  back = kt_domain_new_from_xml (out, -1, &error);
  g_assert_no_error (error);
  t = kt_domain_get_tuning (back);
  g_assert_cmpstr (t->cpu_model, ==, evil);
  for (guint i = 0; i < t->cpu_features->len; i++)
    g_assert_cmpstr (g_array_index (t->cpu_features, KtCpuFeature, i).name, !=, "evil");

  g_assert_false (kt_domain_set_cpu_mode (domain, "bogus-mode", NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "bogus-mode");
}

static void
test_other_encodings (void)
{
  /* ISO-8859-1 with a non-ASCII byte ahead of the edited element: writing
   * an edit back as UTF-8 would corrupt it, so it is refused up front */
  static const char latin1[] =
    "<?xml version='1.0' encoding='ISO-8859-1'?>\n"
    "<domain type='kvm'>\n  <name>caf\xe9</name>\n  <title>\xe9t\xe9</title>\n"
    "  <memory unit='KiB'>1024</memory>\n  <vcpu>2</vcpu>\n  <os><type>hvm</type></os>\n"
    "</domain>\n";
  /* The same declaration over plain ASCII reads the same as UTF-8 */
  static const char ascii[] =
    "<?xml version='1.0' encoding='ISO-8859-1'?>\n"
    "<domain type='kvm'>\n  <name>cafe</name>\n"
    "  <memory unit='KiB'>1024</memory>\n  <vcpu>2</vcpu>\n  <os><type>hvm</type></os>\n"
    "</domain>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (latin1, -1, &error);
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("1", NULL);

  g_assert_null (domain);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "ISO-8859-1", "UTF-8");
  g_clear_error (&error);

  domain = kt_domain_new_from_xml (ascii, -1, &error);
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_vcpupin (domain, 1, set, &error));
  g_assert_no_error (error);
  {
    g_autofree char *out = kt_domain_to_xml (domain);
    g_autoptr(KtDomain) back = kt_domain_new_from_xml (out, -1, &error);
    g_autoptr(KtTuning) t = NULL;

    g_assert_no_error (error);
    t = kt_domain_get_tuning (back);
    g_assert_cmpstr (t->name, ==, "cafe");
    g_assert_nonnull (kt_tuning_get_vcpupin (t, 1));
    g_assert_nonnull (strstr (out, "<os><type>hvm</type></os>"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/malformed/%s", malformed[i].name);

      g_test_add_data_func (path, &malformed[i], test_malformed);
    }
  g_test_add_func ("/hostile/malformed/every-truncation", test_truncations);
  g_test_add_func ("/hostile/malformed/mutations", test_mutations);
  g_test_add_func ("/hostile/entity/billion-laughs", test_billion_laughs);
  g_test_add_func ("/hostile/entity/external", test_external_entity);
  g_test_add_func ("/hostile/entity/xinclude-not-processed", test_xinclude_not_processed);
  g_test_add_func ("/hostile/entity/caps-doctype", test_caps_doctype);
  g_test_add_func ("/hostile/malformed/unbound-prefix", test_unbound_prefix);
  g_test_add_func ("/hostile/wrong-root", test_wrong_root);
  for (guint i = 0; i < G_N_ELEMENTS (bad_domains); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/domain/%s", bad_domains[i].name);

      g_test_add_data_func (path, &bad_domains[i], test_bad_domain);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_caps); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/caps/%s", bad_caps[i].name);

      g_test_add_data_func (path, &bad_caps[i], test_bad_caps);
    }
  g_test_add_func ("/hostile/caps/cache-cpus", test_bad_cache);
  g_test_add_func ("/hostile/size/deep-nesting", test_deep_nesting);
  g_test_add_func ("/hostile/size/many-elements", test_many_elements);
  g_test_add_func ("/hostile/size/huge-attribute", test_huge_attribute);
  g_test_add_func ("/hostile/setter-injection", test_setter_injection);
  g_test_add_func ("/hostile/encoding/latin1", test_other_encodings);

  return g_test_run ();
}
