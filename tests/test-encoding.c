/* test-encoding.c: documents in other encodings, line ends, NUL bytes,
 * unit spellings and duplicates, read as libvirt reads them; a refused
 * file is left byte for byte, and libxml2 never writes to stderr itself
 *
 * The files are in tests/data/encodings/ (also seeds for the fuzzers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kt-domain.h"
#include "kt-error.h"
#include "kt-host.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"
#include "kt-xml.h"

/* Every line of stderr is ours: no raw "encoding error : ..." of libxml2 */
static void
assert_stderr_ours (const KtTestRun *r)
{
  g_auto(GStrv) lines = g_strsplit (r->err, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "kvmtune-cli: "))
      g_error ("stderr line not from kvmtune-cli: “%s” (all: %s)", lines[i], r->err);
}

static char *
data_path (const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "encodings", name, NULL);
}

/* A private copy of a data file, to be edited */
static char *
copy_data (const char *name)
{
  g_autofree char *src = data_path (name);
  g_autofree char *dir = g_dir_make_tmp ("kt-encoding-XXXXXX", NULL);
  char *dst = g_build_filename (dir, name, NULL);
  gsize len;
  g_autofree char *data = kt_test_read_file (src, &len);

  g_assert_true (g_file_set_contents (dst, data, len, NULL));
  return dst;
}

static void
assert_same_file (const char *path,
                  const char *expected,
                  gsize       expected_len)
{
  gsize len;
  g_autofree char *now = kt_test_read_file (path, &len);

  g_assert_cmpmem (now, len, expected, expected_len);
}

/* Refused documents ------------------------------------------------------ */

typedef struct
{
  const char *file;
  const char *needle;
} Refused;

static const Refused refused[] = {
  { "ebcdic-domain.xml", "EBCDIC" },
  { "latin1-domain.xml", "ISO-8859-1" },
  { "latin1-undeclared-domain.xml", "not valid UTF-8 (line 3, byte 0xE9)" },
  { "utf16-domain.xml", "UTF-16" },
  { "utf16be-nobom-domain.xml", "UTF-16" },
  { "shiftjis-invalid-domain.xml", "Shift_JIS" },
  { "nul-garbage-domain.xml", "NUL byte (line 21)" },
  { "dup-vcpupin-domain.xml", "Duplicate <vcpupin> for vCPU 1" },
};

/* show, show --json and pin all refuse it, the same way, and the file is
 * left as it was */
static void
test_refused_domain (gconstpointer data)
{
  const Refused *c = data;
  g_autofree char *caps = data_path ("caps.xml");
  g_autofree char *path = copy_data (c->file);
  gsize len;
  g_autofree char *before = kt_test_read_file (path, &len);
  const char *verbs[][6] = {
    { "show", "enc", NULL },
    { "show", "enc", "--json", NULL },
    { "pin", "enc", "0", "1", "--config", NULL },
    { "pin", "enc", "1", "2", NULL },
    { "hugepages", "enc", "--size", "2048", "--config", NULL },
  };

  for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
    {
      KtTestRun r = { 0, };

      kt_test_run_cli (&r, "--caps", caps, "--domain", path, verbs[v][0], verbs[v][1], verbs[v][2],
           verbs[v][3], verbs[v][4]);
      if (r.status != 1 || strstr (r.err, c->needle) == NULL)
        g_error ("%s %s: exit %d, stderr: %s", c->file, verbs[v][0], r.status, r.err);
      g_assert_true (g_str_has_prefix (r.err, "kvmtune-cli: "));
      g_assert_null (strstr (r.out, "Applied"));
      assert_stderr_ours (&r);
      kt_test_run_clear (&r);
    }
  assert_same_file (path, before, len);
}

/* A capabilities file with a NUL and garbage after it is refused like a
 * domain file in the same state (it used to be read up to the NUL) */
static void
test_caps_nul_garbage (void)
{
  g_autofree char *caps = data_path ("nul-garbage-caps.xml");
  g_autofree char *domain = copy_data ("utf8-domain.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHost) host = kt_host_new_from_file (caps, &error);
  g_autoptr(KtSnapshot) snap = NULL;
  const char *paths[] = { domain, NULL };
  KtTestRun r = { 0, };

  g_assert_null (host);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "NUL byte");
  g_clear_error (&error);
  snap = kt_snapshot_new_from_files (caps, paths, &error);
  g_assert_null (snap);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "NUL byte (line 25)");

  kt_test_run_cli (&r, "--caps", caps, "--domain", domain, "show", "enc");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "NUL byte"));
  assert_stderr_ours (&r);
  kt_test_run_cli (&r, "--caps", caps, "topology");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "NUL byte"));
  kt_test_run_clear (&r);
}

/* Accepted documents ----------------------------------------------------- */

static gboolean
all_crlf (const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
      return FALSE;
  return TRUE;
}

/* A CRLF file stays CRLF, in the rewritten element too */
static void
test_crlf_cli (void)
{
  g_autofree char *caps = data_path ("caps.xml");
  g_autofree char *path = copy_data ("crlf-domain.xml");
  gsize len;
  g_autofree char *after = NULL;
  KtTestRun r = { 0, };

  kt_test_run_cli (&r, "--caps", caps, "--domain", path, "pin", "enc", "0-1", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  assert_stderr_ours (&r);
  after = kt_test_read_file (path, &len);
  g_assert_true (all_crlf (after, len));
  g_assert_nonnull (strstr (after, "<vcpupin vcpu=\"1\" cpuset=\"3\"/>\r\n"));
  /* Untouched elements byte for byte, "réservé" included */
  g_assert_nonnull (strstr (after, "  <description>r\xc3\xa9serv\xc3\xa9</description>\r\n"));
  kt_test_run_clear (&r);
}

/* New elements (and the indentation around them) get CR LF as well */
static void
test_crlf_new_elements (void)
{
  static const char xml[] =
    "<domain type='kvm'>\r\n  <name>c</name>\r\n  <memory unit='KiB'>1048576</memory>\r\n"
    "  <vcpu>2</vcpu>\r\n  <os>\r\n    <type>hvm</type>\r\n  </os>\r\n</domain>\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("1", NULL);
  g_autoptr(KtCpuset) nodes = kt_cpuset_parse ("0", NULL);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (kt_domain_set_vcpupin (domain, 1, set, &error));
  g_assert_true (kt_domain_set_numatune (domain, "strict", nodes, &error));
  g_assert_true (kt_domain_set_memtune_hard_limit (domain, 2097152, &error));
  g_assert_no_error (error);
  out = kt_domain_to_xml (domain);
  g_assert_true (all_crlf (out, strlen (out)));
  g_assert_nonnull (strstr (out, "<cputune>\r\n    <vcpupin vcpu=\"1\" cpuset=\"1\"/>\r\n"
                                 "  </cputune>\r\n"));
  g_assert_nonnull (strstr (out, "  <os>\r\n    <type>hvm</type>\r\n  </os>\r\n"));

  /* An LF file stays LF */
  {
    g_autofree char *lf = NULL;
    g_autoptr(KtDomain) d2 = NULL;
    g_autofree char *out2 = NULL;
    g_autoptr(GString) s = g_string_new (xml);

    g_string_replace (s, "\r\n", "\n", 0);
    lf = g_string_free (g_steal_pointer (&s), FALSE);
    d2 = kt_domain_new_from_xml (lf, -1, &error);
    g_assert_no_error (error);
    g_assert_true (kt_domain_set_vcpupin (d2, 1, set, &error));
    out2 = kt_domain_to_xml (d2);
    g_assert_null (strchr (out2, '\r'));
  }
}

/* UTF-8, declared or not, with a BOM or not, reads and writes as it was */
static void
test_utf8 (void)
{
  g_autofree char *path = data_path ("utf8-domain.xml");
  gsize len;
  g_autofree char *data = kt_test_read_file (path, &len);
  g_autofree char *bom = g_strconcat ("\xef\xbb\xbf", data, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (data, len, &error);
  g_autoptr(KtDomain) b = NULL;
  g_autoptr(KtCpuset) set = kt_cpuset_parse ("2", NULL);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (kt_domain_set_vcpupin (d, 1, set, &error));
  out = kt_domain_to_xml (d);
  g_assert_true (g_str_has_prefix (out, "<?xml version='1.0' encoding='UTF-8'?>\n"));
  g_assert_nonnull (strstr (out, "<description>r\xc3\xa9serv\xc3\xa9</description>"));

  b = kt_domain_new_from_xml (bom, -1, &error);
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_vcpupin (b, 1, set, &error));
  g_clear_pointer (&out, g_free);
  out = kt_domain_to_xml (b);
  g_assert_true (g_str_has_prefix (out, "\xef\xbb\xbf<?xml"));
  g_assert_nonnull (strstr (out, "<vcpupin vcpu=\"1\" cpuset=\"2\"/>"));
}

/* Units ------------------------------------------------------------------ */

/* libvirt compares units case-insensitively (virScaleInteger) */
static void
test_units (void)
{
  struct { const char *unit; guint64 value, kib; } ok[] = {
    { "mib", 2, 2048 }, { "MIB", 2, 2048 }, { "MiB", 2, 2048 }, { "m", 2, 2048 },
    { "kib", 7, 7 }, { "KIB", 7, 7 }, { "k", 7, 7 }, { "gib", 1, 1048576 },
    { "kb", 1024, 1000 }, { "KB", 1024, 1000 }, { "Mb", 1, 976 },
    { "B", 4096, 4 }, { "bytes", 4096, 4 }, { "BYTES", 4096, 4 }, { "byte", 4096, 4 },
    { "", 5, 5 }, { NULL, 5, 5 },
  };
  const char *bad[] = { "mibs", "mi", "xib", "kibb", "parsecs", "i" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 kib = 0;

      if (!kt_xml_unit_to_kib (ok[i].unit, ok[i].value, &kib, &error))
        g_error ("unit “%s”: %s", ok[i].unit, error->message);
      g_assert_cmpuint (kib, ==, ok[i].kib);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 kib;

      g_assert_false (kt_xml_unit_to_kib (bad[i], 1, &kib, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, bad[i]);
    }
}

static void
test_units_cli (void)
{
  g_autofree char *caps = data_path ("unit-mib-caps.xml");
  g_autofree char *domain = data_path ("unit-mib-domain.xml");
  KtTestRun r = { 0, };

  kt_test_run_cli (&r, "--caps", caps, "--domain", domain, "show", "enc", "--json");
  if (r.status != 0)
    g_error ("exit %d: %s", r.status, r.err);
  g_assert_nonnull (strstr (r.out, "\"memory_kib\" : 2097152"));
  kt_test_run_cli (&r, "--caps", caps, "topology");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "NUMA node 0  8.0"));
  kt_test_run_clear (&r);
}

/* Duplicates ------------------------------------------------------------- */

static void
test_duplicate_pins (void)
{
  static const char *bodies[][2] = {
    { "<vcpu>4</vcpu><cputune><vcpupin vcpu='2' cpuset='0'/><vcpupin vcpu='2' cpuset='1'/>"
      "</cputune>", "Duplicate <vcpupin> for vCPU 2" },
    { "<vcpu>4</vcpu><cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='00' cpuset='1'/>"
      "</cputune>", "Duplicate <vcpupin> for vCPU 0" },
    { "<iothreads>2</iothreads><cputune><iothreadpin iothread='1' cpuset='0'/>"
      "<iothreadpin iothread='1' cpuset='1'/></cputune>",
      "Duplicate <iothreadpin> for IOThread 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<domain type='kvm'><name>d</name>%s</domain>",
                                              bodies[i][0]);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);

      g_assert_null (d);
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, bodies[i][1]);
    }
}

/* No-op edits ------------------------------------------------------------ */

static void
test_noop_api (void)
{
  g_autofree char *path = data_path ("utf8-domain.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_file (path, &error);
  g_autoptr(KtCpuset) pin = kt_cpuset_parse ("0", NULL);

  g_assert_no_error (error);
  /* <page size='2' unit='MiB'/> is 2048 KiB already */
  g_assert_true (kt_domain_set_hugepages (d, 2048, NULL, &error));
  g_assert_true (kt_domain_set_vcpupin (d, 0, pin, &error));
  g_assert_no_error (error);
  g_assert_false (kt_domain_is_modified (d));

  g_assert_true (kt_domain_set_memtune_hard_limit (d, 4194304, &error));
  g_assert_true (kt_domain_is_modified (d));
  {
    g_autofree char *xml = kt_domain_to_xml (d);
    g_autoptr(KtDomain) d2 = kt_domain_new_from_xml (xml, -1, &error);

    g_assert_no_error (error);
    g_assert_true (kt_domain_set_memtune_hard_limit (d2, 4194304, &error));
    g_assert_false (kt_domain_is_modified (d2));
  }
}

/* mode= left out is strict: setting strict changes nothing */
static void
test_noop_numa_mode (void)
{
  static const char xml[] =
    "<domain type='kvm'><name>n</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu>"
    "<numatune><memory nodeset='0'/><memnode cellid='0' nodeset='0'/></numatune>"
    "<cpu><numa><cell id='0' cpus='0-1' memory='1048576'/></numa></cpu></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtCpuset) zero = kt_cpuset_parse ("0", NULL);

  g_assert_no_error (error);
  g_assert_true (kt_domain_set_numatune (d, "strict", NULL, &error));
  g_assert_true (kt_domain_set_numatune (d, NULL, zero, &error));
  g_assert_true (kt_domain_set_memnode (d, 0, NULL, zero, &error));
  g_assert_true (kt_domain_set_memnode (d, 0, "strict", zero, &error));
  g_assert_no_error (error);
  g_assert_false (kt_domain_is_modified (d));
  g_assert_true (kt_domain_set_numatune (d, "interleave", NULL, &error));
  g_assert_true (kt_domain_is_modified (d));
}

/* Parsing leaves the caller's libxml2 error handler as it found it, and
 * libxml2 reports nothing to it (nor to stderr) */
static int handler_calls;

static void
count_errors (void     *ctx,
              xmlError *err)
{
  handler_calls++;
}

static void
test_error_handler_kept (void)
{
  static const char bad[] = "<domain><name>x</name></domian>";
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = NULL;
  int marker;

  xmlSetStructuredErrorFunc (&marker, count_errors);
  d = kt_domain_new_from_xml (bad, -1, &error);
  g_assert_null (d);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "line 1");
  g_assert_cmpint (handler_calls, ==, 0);
  g_assert_true (xmlStructuredError == count_errors);
  g_assert_true (xmlStructuredErrorContext == &marker);
  xmlSetStructuredErrorFunc (NULL, NULL);
}

/* "Nothing to change" writes nothing: not even the same bytes again */
static void
test_noop_hugepages_cli (void)
{
  g_autofree char *caps = data_path ("caps.xml");
  g_autofree char *path = copy_data ("utf8-domain.xml");
  gsize len;
  g_autofree char *before = kt_test_read_file (path, &len);
  GStatBuf st1, st2;
  KtTestRun r = { 0, };

  g_assert_cmpint (g_stat (path, &st1), ==, 0);
  kt_test_run_cli (&r, "--caps", caps, "--domain", path, "hugepages", "enc", "--size", "2048", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Nothing to change"));
  g_assert_null (strstr (r.out, "Applied"));
  g_assert_cmpint (g_stat (path, &st2), ==, 0);
  /* An atomic rewrite would have replaced the inode */
  g_assert_cmpuint (st1.st_ino, ==, st2.st_ino);
  assert_same_file (path, before, len);
  kt_test_run_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *name = g_strdup_printf ("/encoding/refused/%s", refused[i].file);

      g_test_add_data_func (name, &refused[i], test_refused_domain);
    }
  g_test_add_func ("/encoding/caps-nul-garbage", test_caps_nul_garbage);
  g_test_add_func ("/encoding/crlf/cli", test_crlf_cli);
  g_test_add_func ("/encoding/crlf/new-elements", test_crlf_new_elements);
  g_test_add_func ("/encoding/utf8", test_utf8);
  g_test_add_func ("/encoding/units", test_units);
  g_test_add_func ("/encoding/units-cli", test_units_cli);
  g_test_add_func ("/encoding/duplicate-pins", test_duplicate_pins);
  g_test_add_func ("/encoding/noop/api", test_noop_api);
  g_test_add_func ("/encoding/noop/hugepages-cli", test_noop_hugepages_cli);
  g_test_add_func ("/encoding/noop/numa-mode", test_noop_numa_mode);
  g_test_add_func ("/encoding/libxml2-handler-kept", test_error_handler_kept);

  return g_test_run ();
}
