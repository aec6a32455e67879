/* test-many-vcpus.c: pinning thousands of vCPUs (libvirt allows 4,096 and
 * more): the <vcpupin> index of KtDomain against the plain document
 * search, and KtPlan over a whole big VM.  No timings here: see
 * bench-resources for those.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-domain.h"
#include "kt-error.h"
#include "kt-plan.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"

static char *
domain_xml (guint       n_vcpus,
            const char *cputune)
{
  return g_strdup_printf ("<domain type='kvm'>\n  <name>big</name>\n"
                          "  <memory unit='KiB'>4194304</memory>\n"
                          "  <vcpu placement='static'>%u</vcpu>\n%s"
                          "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n</domain>\n",
                          n_vcpus, cputune);
}

/* Random pins and unpins, the same on two documents: one the index takes,
 * one it cannot (a <vcpupin> for a vCPU the domain lacks, so the setters
 * search the document).  Without that stray line, they must come out the
 * same, and as the model says. */
static void
test_index_matches_search (void)
{
  const guint n = 64;
  const char *start =
    "  <cputune>\n    <shares>2048</shares>\n    <vcpupin vcpu='3' cpuset='0'/>\n"
    "    <vcpupin vcpu='9' cpuset='1'/>\n    <emulatorpin cpuset='0'/>\n  </cputune>\n";
  /* As libxml2 writes it back */
  const char *stray = "    <vcpupin vcpu=\"999\" cpuset=\"2\"/>\n";
  g_autofree char *plain = domain_xml (n, start);
  g_autoptr(GString) with_stray = g_string_new (plain);
  g_autoptr(GRand) r = g_rand_new_with_seed (4096);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) a = NULL;
  g_autoptr(KtDomain) b = NULL;
  KtCpuset *model[64] = { NULL, };

  g_string_replace (with_stray, "    <emulatorpin", "    <vcpupin vcpu='999' cpuset='2'/>\n"
                    "    <emulatorpin", 1);
  a = kt_domain_new_from_xml (plain, -1, &error);
  g_assert_no_error (error);
  b = kt_domain_new_from_xml (with_stray->str, -1, &error);
  g_assert_no_error (error);
  model[3] = kt_test_parse_set ("0");
  model[9] = kt_test_parse_set ("1");

  for (guint step = 0; step < 3000; step++)
    {
      guint v = g_rand_int_range (r, 0, n);
      g_autoptr(KtCpuset) set = NULL;

      if (g_rand_int_range (r, 0, 3) != 0)
        {
          set = kt_cpuset_new ();
          kt_cpuset_add (set, g_rand_int_range (r, 0, 8));
        }
      g_assert_true (kt_domain_set_vcpupin (a, v, set, &error));
      g_assert_true (kt_domain_set_vcpupin (b, v, set, &error));
      g_assert_no_error (error);
      g_clear_pointer (&model[v], kt_cpuset_free);
      model[v] = set ? kt_cpuset_copy (set) : NULL;

      if (step % 100 == 99)
        {
          g_autofree char *xa = kt_domain_to_xml (a);
          g_autoptr(GString) xb = g_string_new (NULL);
          g_autoptr(KtDomain) back = kt_domain_new_from_xml (xa, -1, &error);
          g_autoptr(KtTuning) t = NULL;
          g_autofree char *tmp = kt_domain_to_xml (b);

          g_assert_no_error (error);
          g_string_assign (xb, tmp);
          g_string_replace (xb, stray, "", 1);
          g_assert_cmpstr (xa, ==, xb->str);
          t = kt_domain_get_tuning (back);
          for (guint i = 0; i < n; i++)
            g_assert_true (kt_cpuset_same (kt_tuning_get_vcpupin (t, i), model[i]));
          /* Kept in vCPU order, as libvirt writes them */
          for (guint i = 1; i < t->vcpupin->len; i++)
            g_assert_cmpuint (g_array_index (t->vcpupin, KtPin, i - 1).id, <,
                              g_array_index (t->vcpupin, KtPin, i).id);
          g_assert_nonnull (strstr (xa, "<shares>2048</shares>"));
        }
    }
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&model[i], kt_cpuset_free);
}

/* Pins read back in vCPU order whatever the document's order; lookups
 * stay right */
static void
test_unsorted_document (void)
{
  g_autofree char *xml = domain_xml (8, "  <cputune>\n    <vcpupin vcpu='5' cpuset='5'/>\n"
                                        "    <vcpupin vcpu='1' cpuset='1'/>\n"
                                        "    <vcpupin vcpu='7' cpuset='7'/>\n  </cputune>\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtTuning) t = NULL;
  g_autoptr(KtCpuset) two = kt_test_parse_set ("2");

  g_assert_no_error (error);
  t = kt_domain_get_tuning (d);
  for (guint v = 0; v < 8; v++)
    {
      const KtCpuset *pin = kt_tuning_get_vcpupin (t, v);

      if (v == 1 || v == 5 || v == 7)
        g_assert_cmpint (kt_cpuset_first (pin), ==, (int) v);
      else
        g_assert_null (pin);
    }
  g_assert_true (kt_domain_set_vcpupin (d, 6, two, &error));
  g_assert_true (kt_domain_set_vcpupin (d, 1, NULL, &error));
  g_assert_true (kt_domain_set_vcpupin (d, 7, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&t, kt_tuning_unref);
  t = kt_domain_get_tuning (d);
  g_assert_cmpuint (t->vcpupin->len, ==, 2);
  g_assert_cmpint (kt_cpuset_first (kt_tuning_get_vcpupin (t, 6)), ==, 2);
  g_assert_cmpint (kt_cpuset_first (kt_tuning_get_vcpupin (t, 5)), ==, 5);
}

/* Numbers with blanks around them read as the parser reads them: the
 * setter changes that element rather than adding a second one */
static void
test_blank_numbers (void)
{
  g_autofree char *xml = domain_xml (4, "  <iothreads>2</iothreads>\n  <cputune>\n"
                                        "    <vcpupin vcpu=' 1 ' cpuset='0'/>\n"
                                        "    <iothreadpin iothread=' 2' cpuset='0'/>\n"
                                        "  </cputune>\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtCpuset) three = kt_test_parse_set ("3");
  g_autoptr(KtTuning) t = NULL;

  g_assert_no_error (error);
  g_assert_true (kt_domain_set_vcpupin (d, 1, three, &error));
  g_assert_true (kt_domain_set_iothreadpin (d, 2, three, &error));
  g_assert_no_error (error);
  t = kt_domain_get_tuning (d);
  g_assert_cmpuint (t->vcpupin->len, ==, 1);
  g_assert_cmpuint (t->iothreadpin->len, ==, 1);
  g_assert_cmpint (kt_cpuset_first (kt_tuning_get_vcpupin (t, 1)), ==, 3);
  g_assert_cmpint (kt_cpuset_first (kt_tuning_get_iothreadpin (t, 2)), ==, 3);
}

/* Every vCPU of a 16,384-vCPU domain, pinned and unpinned both ways */
static void
test_pin_all (void)
{
  const guint n = 16384;
  g_autofree char *xml = domain_xml (n, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
  g_autoptr(KtCpuset) one = kt_test_parse_set ("1");
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  for (guint v = n; v-- > 0;)
    g_assert_true (kt_domain_set_vcpupin (d, v, one, &error));
  g_assert_false (kt_domain_set_vcpupin (d, n, one, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  t = kt_domain_get_tuning (d);
  g_assert_cmpuint (t->vcpupin->len, ==, n);
  for (guint v = 0; v < n; v++)
    g_assert_cmpuint (g_array_index (t->vcpupin, KtPin, v).id, ==, v);
  out = kt_domain_to_xml (d);
  g_assert_nonnull (strstr (out, "    <vcpupin vcpu=\"16382\" cpuset=\"1\"/>\n"
                                 "    <vcpupin vcpu=\"16383\" cpuset=\"1\"/>\n  </cputune>"));

  for (guint v = 0; v < n; v += 2)
    g_assert_true (kt_domain_set_vcpupin (d, v, NULL, &error));
  for (guint v = n - 1; v < n; v -= 2)
    g_assert_true (kt_domain_set_vcpupin (d, v, NULL, &error));
  g_clear_pointer (&t, kt_tuning_unref);
  t = kt_domain_get_tuning (d);
  g_assert_cmpuint (t->vcpupin->len, ==, 0);
  g_clear_pointer (&out, g_free);
  out = kt_domain_to_xml (d);
  g_assert_null (strstr (out, "cputune"));
}

/* KtPlan: one step moving all 4,096 vCPUs, undone and redone */
static void
test_plan_many (void)
{
  const guint n = 4096;
  g_autofree char *caps = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "encodings",
                                            "caps.xml", NULL);
  g_autofree char *xml = domain_xml (n, "  <cputune>\n    <vcpupin vcpu='7' cpuset='3'/>\n"
                                        "  </cputune>\n");
  g_autofree char *dir = g_dir_make_tmp ("kt-many-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.xml", NULL);
  const char *paths[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(KtCpuset) target = kt_test_parse_set ("0-1");
  g_autofree guint *vcpus = g_new (guint, n);
  KtVm *vm;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  s = kt_snapshot_new_from_files (caps, paths, &error);
  g_assert_no_error (error);
  plan = kt_plan_new (s);
  vm = kt_snapshot_lookup_vm (s, "big");
  for (guint i = 0; i < n; i++)
    vcpus[i] = i;
  g_assert_true (kt_plan_pin (plan, vm, vcpus, n, target, &error));
  g_assert_no_error (error);
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

    g_assert_cmpuint (t->vcpupin->len, ==, n);
    g_assert_cmpint (kt_cpuset_first (kt_tuning_get_vcpupin (t, 4095)), ==, 1);
  }
  g_assert_true (kt_plan_undo (plan));
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

    /* Back where each one was: only vCPU 7 pinned, to 3 */
    g_assert_cmpuint (t->vcpupin->len, ==, 1);
    g_assert_cmpint (kt_cpuset_first (kt_tuning_get_vcpupin (t, 7)), ==, 3);
  }
  g_assert_true (kt_plan_redo (plan));
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

    g_assert_cmpuint (t->vcpupin->len, ==, n);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/many-vcpus/index-matches-search", test_index_matches_search);
  g_test_add_func ("/many-vcpus/unsorted-document", test_unsorted_document);
  g_test_add_func ("/many-vcpus/blank-numbers", test_blank_numbers);
  g_test_add_func ("/many-vcpus/pin-all", test_pin_all);
  g_test_add_func ("/many-vcpus/plan", test_plan_many);

  return g_test_run ();
}
