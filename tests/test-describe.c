/* test-describe.c: what the panel, the sidebar, the map and the CLI say of
 * a VM's placement, and the snapshot's free memory facts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "kt-describe.h"
#include "kt-error.h"
#include "kt-placement.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"

#define REAL_HOST "hosts/real-64amd64-4s2n4ca2co.xml"

/* The domain of the defect report: a default pin set, half the vCPUs
 * offline, no <vcpupin> */
static const char hot_xml[] =
  "<domain type='kvm'>\n"
  "  <name>hot</name>\n"
  "  <memory unit='GiB'>4</memory>\n"
  "  <vcpu placement='static' cpuset='0-10,^5' current='4'>8</vcpu>\n"
  "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
  "</domain>\n";

static KtDomain *
domain_from (const char *xml)
{
  g_autoptr(GError) error = NULL;
  KtDomain *d = kt_domain_new_from_xml (xml, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

static KtDomain *
domain_fixture (const char *rel)
{
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  KtDomain *d = kt_domain_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

static KtHost *
host_fixture (const char *rel)
{
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autoptr(GError) error = NULL;
  KtHost *h = kt_host_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (text == NULL || strstr (text, needle) == NULL)
    g_error ("“%s” does not say “%s”", text ? text : "(null)", needle);
}

static void
assert_lacks (const char *text,
              const char *needle)
{
  if (text != NULL && strstr (text, needle) != NULL)
    g_error ("“%s” says “%s”", text, needle);
}

/* The default pin set ------------------------------------------------------ */

static void
test_default_pins (void)
{
  g_autoptr(KtDomain) d = domain_from (hot_xml);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  g_autoptr(KtCpuset) one = kt_cpuset_parse ("2", NULL);
  g_autoptr(KtTuning) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  for (guint v = 0; v < 8; v++)
    {
      g_autofree char *said = kt_describe_unpinned (t, KT_THREAD_VCPU, v);
      g_autofree char *word = kt_describe_unpinned_short (t, KT_THREAD_VCPU, v);

      g_assert_cmpint (kt_tuning_vcpu_pin_source (t, v), ==, KT_PIN_SOURCE_DEFAULT);
      assert_contains (said, "0-4,6-10");
      assert_contains (said, "efault pin set");
      assert_lacks (said, "Not pinned");
      assert_contains (word, "0-4,6-10");
    }
  {
    g_autofree char *ph = kt_describe_placeholder (t, KT_THREAD_VCPU, 3);
    g_autofree char *was = kt_describe_unpinned_short (t, KT_THREAD_VCPU, 3);

    g_assert_cmpstr (ph, ==, "0-4,6-10");
    g_assert_cmpstr (was, ==, "0-4,6-10 (default)");
  }
  {
    g_autofree char *said = kt_describe_unpinned (t, KT_THREAD_EMULATOR, 0);

    g_assert_cmpint (kt_tuning_emulator_pin_source (t), ==, KT_PIN_SOURCE_DEFAULT);
    assert_contains (said, "0-4,6-10");
    assert_lacks (said, "not pinned");
  }

  /* Editing one vCPU pins that one; the others keep the default */
  kt_domain_set_vcpupin (d, 1, one, &error);
  g_assert_no_error (error);
  after = kt_domain_get_tuning (d);
  g_assert_cmpint (kt_tuning_vcpu_pin_source (after, 1), ==, KT_PIN_SOURCE_OWN);
  g_assert_null (kt_describe_unpinned (after, KT_THREAD_VCPU, 1));
  for (guint v = 0; v < 8; v++)
    if (v != 1)
      g_assert_cmpint (kt_tuning_vcpu_pin_source (after, v), ==, KT_PIN_SOURCE_DEFAULT);
  g_assert_cmpint (kt_tuning_emulator_pin_source (after), ==, KT_PIN_SOURCE_DEFAULT);
  g_assert_cmpuint (after->vcpupin->len, ==, 1);
  xml = kt_domain_to_xml (d);
  assert_contains (xml, "cpuset='0-10,^5'");
  assert_contains (xml, "<vcpupin vcpu=\"1\" cpuset=\"2\"/>");
}

/* Offline vCPUs -------------------------------------------------------------- */

static void
test_offline_vcpus (void)
{
  g_autoptr(KtDomain) d = domain_from (hot_xml);
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  g_autoptr(KtDomain) hp = domain_fixture ("domains/cpu-hotplug-startup.xml");
  g_autoptr(KtTuning) ht = kt_domain_get_tuning (hp);
  g_autofree char *count = kt_describe_vcpu_count (t);
  g_autofree char *hcount = kt_describe_vcpu_count (ht);
  g_autofree char *on = kt_describe_vcpu_hint (t, 3, "node 0");
  g_autofree char *off = kt_describe_vcpu_hint (t, 4, "node 0");
  g_autoptr(KtDomain) full = domain_fixture ("domains/cputune.xml");
  g_autoptr(KtTuning) ft = kt_domain_get_tuning (full);
  g_autofree char *fcount = kt_describe_vcpu_count (ft);

  g_assert_cmpstr (count, ==, "4 of 8 vCPUs");
  g_assert_cmpstr (fcount, ==, "2 vCPUs");
  for (guint v = 0; v < 8; v++)
    g_assert_cmpint (kt_tuning_vcpu_is_online (t, v), ==, v < 4);
  g_assert_cmpstr (on, ==, "node 0");
  assert_contains (off, "Offline");
  assert_contains (off, "node 0");

  /* <vcpus> says which: 0, 4 and 5 of 6 */
  g_assert_cmpstr (hcount, ==, "3 of 6 vCPUs");
  for (guint v = 0; v < 6; v++)
    g_assert_cmpint (kt_tuning_vcpu_is_online (ht, v), ==, v == 0 || v == 4 || v == 5);
}

/* A running VM's offline vCPUs have no thread on the map */
static void
test_offline_not_placed (void)
{
  g_autofree char *caps_path = kt_test_fixture_path (REAL_HOST);
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snap = kt_snapshot_new (caps, NULL, &error);
  g_autoptr(KtDomain) live = domain_fixture ("domains/cpu-hotplug-startup.xml");
  g_autoptr(KtDomain) inactive = domain_fixture ("domains/cpu-hotplug-startup.xml");
  g_autoptr(KtVm) vm = kt_vm_new ("QEMUGuest1", KT_VM_STATE_RUNNING, 3, TRUE, live, inactive);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GString) vcpus = g_string_new (NULL);

  g_assert_no_error (error);
  kt_snapshot_add_vm (snap, vm, &error);
  g_assert_no_error (error);
  list = kt_placement_list_vm (snap, vm);
  for (guint i = 0; i < list->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (list, i);

      if (p->kind == KT_THREAD_VCPU)
        g_string_append_printf (vcpus, "%u ", p->index);
      else
        g_assert_cmpint (p->source, ==, KT_PIN_SOURCE_NONE);
    }
  g_assert_cmpstr (vcpus->str, ==, "0 4 5 ");
}

/* numad ---------------------------------------------------------------------- */

static void
test_numad (void)
{
  g_autoptr(KtDomain) d = domain_fixture ("domains/numad.xml");
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  g_autoptr(KtDomain) implicit = domain_from ("<domain type='kvm'><name>a</name>"
                                              "<memory>1048576</memory>"
                                              "<vcpu placement='auto' cpuset='3'>2</vcpu>"
                                              "</domain>");
  g_autoptr(KtTuning) it = kt_domain_get_tuning (implicit);
  g_autoptr(KtDomain) plain = domain_from (hot_xml);
  g_autoptr(KtTuning) pt = kt_domain_get_tuning (plain);
  g_autoptr(KtHost) host = host_fixture (REAL_HOST);
  g_autoptr(KtCpuset) allowed = NULL;
  g_autofree char *vcpu = kt_describe_unpinned (t, KT_THREAD_VCPU, 0);
  g_autofree char *emu = kt_describe_unpinned (t, KT_THREAD_EMULATOR, 0);
  g_autofree char *mem = kt_describe_memory_unset (t);
  g_autofree char *imem = kt_describe_memory_unset (it);
  g_autofree char *imode = kt_describe_numa_mode_unset (it);
  g_autofree char *pmem = kt_describe_memory_unset (pt);
  g_autofree char *pmode = kt_describe_numa_mode_unset (pt);
  g_autofree char *tip = kt_describe_floating ("web", t, 2);
  g_autofree char *ptip = kt_describe_floating ("web", pt, 1);

  g_assert_true (kt_tuning_is_numad (t));
  g_assert_cmpint (kt_tuning_vcpu_pin_source (t, 0), ==, KT_PIN_SOURCE_NUMAD);
  g_assert_cmpint (kt_tuning_emulator_pin_source (t), ==, KT_PIN_SOURCE_NUMAD);
  assert_contains (vcpu, "numad");
  assert_contains (vcpu, "placement='auto'");
  assert_contains (emu, "numad");
  assert_contains (mem, "numad");
  assert_lacks (mem, "wherever the kernel");
  assert_contains (tip, "web: 2 vCPUs placed by numad");
  {
    g_autofree char *ph = kt_describe_placeholder (t, KT_THREAD_VCPU, 0);

    g_assert_cmpstr (ph, ==, "numad");
  }
  assert_contains (ptip, "web: 1 vCPU follows the default pin set");

  /* No <numatune>: libvirt adds a numad one; numad ignores <vcpu cpuset> */
  g_assert_true (kt_tuning_memory_is_numad (it));
  assert_contains (imem, "numad");
  assert_contains (imode, "numad");
  g_assert_cmpint (kt_tuning_vcpu_pin_source (it, 0), ==, KT_PIN_SOURCE_NUMAD);
  allowed = kt_tuning_vcpu_allowed (it, 0, kt_host_get_all_cpus (host));
  g_assert_true (kt_cpuset_same (allowed, kt_host_get_all_cpus (host)));

  /* Static placement says nothing of numad */
  g_assert_false (kt_tuning_memory_is_numad (pt));
  assert_lacks (pmem, "numad");
  assert_lacks (pmode, "numad");
}

/* Free memory in snapshots --------------------------------------------------- */

static KtSnapshot *
snapshot_of (const char *rel)
{
  g_autofree char *path = kt_test_fixture_path (rel);
  g_autofree char *caps = kt_test_read_file (path, NULL);
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_new (caps, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

static void
test_free_memory_round_trip (void)
{
  g_autoptr(KtSnapshot) snap = snapshot_of (REAL_HOST);
  KtHost *host = kt_snapshot_get_host (snap);
  g_autoptr(KtSnapshot) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *again = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *when = NULL;
  KtHost *bhost;

  /* What a capture reads from libvirt */
  kt_host_set_free_memory (host, 0, 1234567);
  kt_host_set_free_memory (host, 3, 42);
  kt_host_set_free_memory (host, 99, 5);            /* no such node: ignored */
  kt_host_set_free_pages (host, 0, 2048, 7);
  kt_host_set_free_pages (host, 1, 2048, 0);
  g_assert_null (kt_describe_free_as_of (host));    /* live */

  xml = kt_snapshot_to_xml (snap);
  assert_contains (xml, "<freeMemory captured=");
  back = kt_snapshot_load_xml (xml, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  bhost = kt_snapshot_get_host (back);

  g_assert_cmpint (kt_host_lookup_node (bhost, 0)->free_kib, ==, 1234567);
  g_assert_cmpint (kt_host_lookup_node (bhost, 3)->free_kib, ==, 42);
  g_assert_cmpint (kt_host_lookup_node (bhost, 1)->free_kib, ==, -1);
  for (int n = 0; n < 2; n++)
    {
      const KtHostNode *node = kt_host_lookup_node (bhost, n);

      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);

          if (pg->size_kib == 2048)
            g_assert_cmpint (pg->free, ==, n == 0 ? 7 : 0);
          else
            g_assert_cmpint (pg->free, ==, -1);
        }
    }

  /* Offline now: marked with the capture time */
  g_assert_nonnull (kt_host_get_free_time (bhost));
  when = kt_describe_time (kt_host_get_free_time (bhost));
  as_of = kt_describe_free_as_of (bhost);
  assert_contains (as_of, when);

  /* Saved again, it keeps the first capture's time */
  again = kt_snapshot_to_xml (back);
  {
    g_autoptr(KtSnapshot) third = kt_snapshot_load_xml (again, -1, &error);
    g_autofree char *t1 = NULL;
    g_autofree char *t2 = NULL;

    g_assert_no_error (error);
    t1 = g_date_time_format_iso8601 (kt_host_get_free_time (bhost));
    t2 = g_date_time_format_iso8601 (kt_host_get_free_time (kt_snapshot_get_host (third)));
    g_assert_cmpstr (t1, ==, t2);
    g_assert_cmpint (kt_host_lookup_node (kt_snapshot_get_host (third), 0)->free_kib, ==,
                     1234567);
  }
}

static void
test_free_memory_old_and_bad (void)
{
  g_autoptr(KtSnapshot) snap = snapshot_of (REAL_HOST);
  g_autofree char *xml = kt_snapshot_to_xml (snap);
  g_autoptr(KtSnapshot) old = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const bad[] = {
    "<freeMemory captured='yesterday'/>",
    "<freeMemory><node free_kib='1'/></freeMemory>",
    "<freeMemory><node id='0' free_kib='-3'/></freeMemory>",
    "<freeMemory><node id='0'><pages size_kib='2048' free='lots'/></node></freeMemory>",
  };
  const char *caps_end;

  /* No facts: no element, and a file without it loads as before */
  assert_lacks (xml, "freeMemory");
  old = kt_snapshot_load_xml (xml, -1, &error);
  g_assert_no_error (error);
  g_assert_null (kt_host_get_free_time (kt_snapshot_get_host (old)));
  g_assert_cmpint (kt_host_lookup_node (kt_snapshot_get_host (old), 0)->free_kib, ==, -1);

  caps_end = strstr (xml, "</capabilities>");
  g_assert_nonnull (caps_end);
  caps_end += strlen ("</capabilities>");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *head = g_strndup (xml, caps_end - xml);
      g_autofree char *doc = g_strconcat (head, bad[i], caps_end, NULL);
      g_autoptr(KtSnapshot) s = kt_snapshot_load_xml (doc, -1, &error);

      g_assert_null (s);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", bad[i], error->message);
      g_assert_true (strstr (error->message, "freeMemory") != NULL
                     || strstr (error->message, "<node") != NULL
                     || strstr (error->message, "<pages") != NULL);
      g_clear_error (&error);
    }
}

/* An IOThread without a pin follows <vcpu cpuset>, not the emulator's pin
 * (libvirt's qemuProcessSetupPid; /libvirt/default-pins-live checks it
 * against the kernel) */
static void
test_iothread_default (void)
{
  g_autoptr(KtDomain) d = domain_from ("<domain type='kvm'><name>io</name>"
                                       "<memory>1048576</memory>"
                                       "<vcpu cpuset='0-3'>2</vcpu><iothreads>2</iothreads>"
                                       "<cputune><emulatorpin cpuset='7'/>"
                                       "<iothreadpin iothread='2' cpuset='5'/></cputune>"
                                       "</domain>");
  g_autoptr(KtTuning) t = kt_domain_get_tuning (d);
  g_autoptr(KtHost) host = host_fixture (REAL_HOST);
  g_autoptr(KtCpuset) one = kt_tuning_iothread_allowed (t, 1, kt_host_get_all_cpus (host));
  g_autoptr(KtCpuset) two = kt_tuning_iothread_allowed (t, 2, kt_host_get_all_cpus (host));
  g_autofree char *one_text = kt_cpuset_format (one);
  g_autofree char *two_text = kt_cpuset_format (two);
  g_autofree char *said = kt_describe_unpinned (t, KT_THREAD_IOTHREAD, 1);

  g_assert_cmpint (kt_tuning_iothread_pin_source (t, 1), ==, KT_PIN_SOURCE_DEFAULT);
  g_assert_cmpint (kt_tuning_iothread_pin_source (t, 2), ==, KT_PIN_SOURCE_OWN);
  g_assert_cmpstr (one_text, ==, "0-3");
  g_assert_cmpstr (two_text, ==, "5");
  assert_contains (said, "0-3");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/describe/default-pins", test_default_pins);
  g_test_add_func ("/describe/offline-vcpus", test_offline_vcpus);
  g_test_add_func ("/describe/offline-not-placed", test_offline_not_placed);
  g_test_add_func ("/describe/numad", test_numad);
  g_test_add_func ("/describe/iothread-default", test_iothread_default);
  g_test_add_func ("/describe/free-memory-round-trip", test_free_memory_round_trip);
  g_test_add_func ("/describe/free-memory-old-and-bad", test_free_memory_old_and_bad);
  return g_test_run ();
}
