/* test-source.c: loading capabilities plus domain files, all or nothing
 * and keeping going past the files that cannot be read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kt-error.h"
#include "kt-source.h"
#include "kt-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* Not well-formed: <vcpu> is closed by </domain> on line 5 */
static const char broken_xml[] =
  "<domain type='kvm'>\n"
  "  <name>broken</name>\n"
  "  <memory>1048576</memory>\n"
  "  <vcpu>2\n"
  "</domain>\n";

/* Well-formed, but <vcpu> on line 4 is not a number */
static const char bad_value_xml[] =
  "<domain type='kvm'>\n"
  "  <name>bad-value</name>\n"
  "  <memory>1048576</memory>\n"
  "  <vcpu placement='static'>banana</vcpu>\n"
  "</domain>\n";

typedef struct
{
  char *dir;
  char *broken;
  char *bad_value;
  char *missing;
  char *good1;      /* named QEMUGuest1 */
  char *good2;      /* named dummy2 */
  char *same_name;  /* QEMUGuest1 again */
  KtSourceSpec spec;
} Fixture;

static char *
domain_name (const char *path)
{
  g_autoptr(xmlDoc) doc = kt_test_read_doc (path);
  g_autoptr(xmlXPathObject) obj = kt_test_xpath (doc, NULL, "/domain/name");
  xmlChar *text;
  char *name;

  g_assert_cmpuint (kt_test_n_nodes (obj), ==, 1);
  text = xmlNodeGetContent (kt_test_nth_node (obj, 0));
  name = g_strdup ((const char *) text);
  xmlFree (text);
  return name;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kt-test-source-XXXXXX", &error);
  g_assert_no_error (error);
  f->broken = g_build_filename (f->dir, "broken.xml", NULL);
  f->bad_value = g_build_filename (f->dir, "bad-value.xml", NULL);
  f->missing = g_build_filename (f->dir, "missing.xml", NULL);
  g_assert_true (g_file_set_contents (f->broken, broken_xml, -1, &error));
  g_assert_true (g_file_set_contents (f->bad_value, bad_value_xml, -1, &error));
  f->good1 = kt_test_fixture_path ("domains/cputune.xml");
  f->good2 = kt_test_fixture_path ("domains/cputune-numatune.xml");
  f->same_name = kt_test_fixture_path ("domains/numatune-memory.xml");
  f->spec.caps = kt_test_fixture_path ("hosts/libvirt-caps-test.xml");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unlink (f->broken);
  g_unlink (f->bad_value);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->broken);
  g_free (f->bad_value);
  g_free (f->missing);
  g_free (f->good1);
  g_free (f->good2);
  g_free (f->same_name);
  kt_source_spec_clear (&f->spec);
}

static void
set_domains (Fixture *f,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list ap;

  va_start (ap, f);
  for (const char *p = va_arg (ap, const char *); p != NULL; p = va_arg (ap, const char *))
    g_strv_builder_add (builder, p);
  va_end (ap);
  g_clear_pointer (&f->spec.domains, g_strfreev);
  f->spec.domains = g_strv_builder_end (builder);
}

static const KtSourceFileError *
file_error (GPtrArray *errors,
            guint      i)
{
  g_assert_cmpuint (i, <, errors->len);
  return g_ptr_array_index (errors, i);
}

/* Without the flag: the first bad file fails the load, named with its line */
static void
test_all_or_nothing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(KtSnapshot) s = NULL;

  set_domains (f, f->good1, f->broken, f->good2, NULL);
  s = kt_source_load_full (&f->spec, KT_SOURCE_LOAD_DEFAULT, NULL, &errors, &error);
  g_assert_null (s);
  g_assert_null (errors);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, f->broken, "line 5");
  g_clear_error (&error);

  s = kt_source_load (&f->spec, NULL, &error);
  g_assert_null (s);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, f->broken, "line 5");
}

/* With it: the good VMs load, each bad file is reported once, in order */
static void
test_keep_going (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autofree char *name1 = domain_name (f->good1);
  g_autofree char *name2 = domain_name (f->good2);
  const KtSourceFileError *e;

  g_assert_cmpstr (name1, !=, name2);
  set_domains (f, f->good1, f->broken, f->missing, f->good2, f->bad_value, f->same_name, NULL);
  s = kt_source_load_full (&f->spec, KT_SOURCE_LOAD_KEEP_GOING, NULL, &errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);

  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 2);
  g_assert_nonnull (kt_snapshot_lookup_vm (s, name1));
  g_assert_nonnull (kt_snapshot_lookup_vm (s, name2));
  g_assert_null (kt_snapshot_lookup_vm (s, "broken"));
  g_assert_null (kt_snapshot_lookup_vm (s, "bad-value"));
  /* The first of the two QEMUGuest1 files won */
  g_assert_true (kt_vm_get_inactive (kt_snapshot_lookup_vm (s, name1)) != NULL);

  g_assert_nonnull (errors);
  g_assert_cmpuint (errors->len, ==, 4);

  e = file_error (errors, 0);
  g_assert_cmpstr (e->path, ==, f->broken);
  kt_test_assert_error_contains (e->error, KT_ERROR, KT_ERROR_INVALID_XML,
                                 "not well-formed", "line 5");
  /* The row shows the file name already: the message does not repeat it */
  g_assert_null (strstr (e->error->message, f->broken));

  e = file_error (errors, 1);
  g_assert_cmpstr (e->path, ==, f->missing);
  g_assert_error (e->error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  e = file_error (errors, 2);
  g_assert_cmpstr (e->path, ==, f->bad_value);
  kt_test_assert_error_contains (e->error, KT_ERROR, KT_ERROR_INVALID_VALUE, "banana",
                                 "line 4");

  e = file_error (errors, 3);
  g_assert_cmpstr (e->path, ==, f->same_name);
  kt_test_assert_error_contains (e->error, KT_ERROR, KT_ERROR_INVALID_VALUE, name1);
}

/* Every file good: an empty list, not NULL */
static void
test_keep_going_clean (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(KtSnapshot) s = NULL;

  set_domains (f, f->good1, f->good2, NULL);
  s = kt_source_load_full (&f->spec, KT_SOURCE_LOAD_KEEP_GOING, NULL, &errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_nonnull (errors);
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 2);
}

/* Every domain file bad: still a host, with no VMs */
static void
test_keep_going_all_bad (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(KtSnapshot) s = NULL;

  set_domains (f, f->broken, f->bad_value, NULL);
  s = kt_source_load_full (&f->spec, KT_SOURCE_LOAD_KEEP_GOING, NULL, &errors, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 0);
  g_assert_cmpuint (kt_host_get_n_cpus (kt_snapshot_get_host (s)), >, 0);
}

/* The capabilities are the host: no keeping going without them */
static void
test_keep_going_bad_caps (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(KtSnapshot) s = NULL;

  g_free (f->spec.caps);
  f->spec.caps = g_strdup (f->broken);
  set_domains (f, f->good1, NULL);
  s = kt_source_load_full (&f->spec, KT_SOURCE_LOAD_KEEP_GOING, NULL, &errors, &error);
  g_assert_null (s);
  g_assert_null (errors);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, f->broken);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/source/all-or-nothing", test_all_or_nothing);
  ADD ("/source/keep-going", test_keep_going);
  ADD ("/source/keep-going/clean", test_keep_going_clean);
  ADD ("/source/keep-going/all-bad", test_keep_going_all_bad);
  ADD ("/source/keep-going/bad-caps", test_keep_going_bad_caps);
#undef ADD

  return g_test_run ();
}
