/* test-apply-libvirt.c: KtApply against real libvirt and QEMU
 *
 * Uses libvirt's embedded QEMU driver (qemu:///embed?root=DIR) in this
 * process, with a private root in a fresh temporary directory, and a tiny
 * TCG guest (64 MiB, 2 vCPUs, 1 IOThread, no disk: it sits in the PXE ROM).
 *
 * libvirt allows one embed root per process and its first define on a
 * fresh root probes QEMU for seconds, so every case shares one lazily set
 * up environment:
 *
 *   kt-apply-G  persistent, running, 2 vCPUs, 1 IOThread
 *
 * The cases change G one after the other; each captures afresh and reads
 * the state it starts from, so that a failing case does not cascade.
 *
 * Guests outlive this process, so teardown destroys and undefines every
 * domain of the root (all of them are ours), closes the connection and
 * removes the root; it runs at the end of main() and from atexit(), and
 * assertions are non-fatal so that a failing case still reaches it.  For
 * the rest (a crash, a timeout's SIGTERM or SIGKILL) a reaper process,
 * forked before libvirt starts, waits for this one to end, however it
 * ends, then SIGKILLs any QEMU left under the root and removes the root.
 *
 * Needs root, the 'libvirt-qemu' user and /usr/bin/qemu-system-x86_64
 * (.ci/setup provides all three); without them every case is skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>

#include "kt-apply.h"
#include "kt-connection.h"
#include "kt-error.h"
#include "kt-snapshot.h"
#include "kt-test-embed.h"
#include "kt-test-util.h"

#define GUEST_PREFIX  "kt-apply-"
#define GUEST_G       GUEST_PREFIX "G"
#define GUEST_V       GUEST_PREFIX "V"
#define GUEST_T       GUEST_PREFIX "T"
#define HUGEPAGES_2M  "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

static gboolean setup_guest (KtTestEmbed *embed);

static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("test-apply-libvirt", GUEST_PREFIX, "kt-apply-libvirt-XXXXXX",
                      TRUE, setup_guest);

/* Fails the current case and leaves it, for what later lines depend on */
#define require kt_test_embed_require

/* Helpers ------------------------------------------------------------------ */

static char *
domain_xml (const char *name,
            guint       iothreads)
{
  return kt_test_embed_domain_xml (name, 2, iothreads);
}

static void
teardown (void)
{
  kt_test_embed_finish (&env);
}

/* kt-apply-G, persistent and running */
static gboolean
setup_guest (KtTestEmbed *embed)
{
  g_autofree char *xml = domain_xml (GUEST_G, 1);
  virDomainPtr dom;
  gboolean ok;
  double t0;

  t0 = kt_test_embed_now ();
  dom = virDomainDefineXML (kt_connection_get_handle (embed->conn), xml);
  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot define %s: %s", GUEST_G, err);
      return FALSE;
    }
  g_test_message ("defined %s in %.2f s", GUEST_G, kt_test_embed_now () - t0);
  ok = kt_test_embed_start (embed, dom);
  virDomainFree (dom);
  return ok;
}

/* The XML libvirt has for @name now: inactive or live */
static char *
libvirt_xml (KtTestEmbed *embed,
             const char  *name,
             gboolean     inactive)
{
  virDomainPtr dom = kt_test_embed_lookup (embed, name);
  char *xml, *ret;

  if (dom == NULL)
    return g_strdup ("(no domain)");
  xml = virDomainGetXMLDesc (dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  virDomainFree (dom);
  if (xml == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      return g_strdup_printf ("(no XML: %s)", err);
    }
  ret = g_strdup (xml);
  free (xml);
  return ret;
}

/* Pins @vcpu of @name to the single host CPU @cpu with @flags, as virsh
 * would: a change made behind KvmTune's back */
static gboolean
pin_behind_our_back (KtTestEmbed *embed,
                     const char  *name,
                     guint        vcpu,
                     guint        cpu,
                     guint        flags)
{
  virDomainPtr dom = kt_test_embed_lookup (embed, name);
  int maplen = VIR_CPU_MAPLEN (MAX (sysconf (_SC_NPROCESSORS_CONF), 1));
  g_autofree unsigned char *map = g_new0 (unsigned char, maplen);
  int r;

  if (dom == NULL)
    return FALSE;
  VIR_USE_CPU (map, cpu);
  r = virDomainPinVcpuFlags (dom, vcpu, map, maplen, flags);
  virDomainFree (dom);
  if (r < 0)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot pin vCPU %u of %s: %s", vcpu, name, err);
      return FALSE;
    }
  return TRUE;
}

/* The affinity of vCPU @vcpu's thread of GUEST_G */
static char *
vcpu_allowed (KtTestEmbed *embed,
              guint        vcpu)
{
  g_autofree char *comm = g_strdup_printf ("CPU %u/TCG", vcpu);
  pid_t pid = kt_test_embed_qemu_pid (embed->root, GUEST_G);
  char *allowed = pid > 0 ? kt_test_embed_thread_allowed (pid, comm) : NULL;

  if (allowed == NULL)
    g_test_fail_printf ("no thread '%s' of %s (pid %d)", comm, GUEST_G, (int) pid);
  return allowed;
}

static KtCpuset *
set_of (const char *text)
{
  return kt_test_parse_set (text);
}

static void
check_valid (const char *xml)
{
  g_autofree char *message = NULL;

  if (!kt_test_validate_xml (xml, -1, "domain.rng", &message))
    g_test_fail_printf ("The inactive XML does not validate against domain.rng: %s\n%s",
                        message, xml);
}

/* 1. live pin ------------------------------------------------------------------ */

static void
test_live_pin (KtTestEmbed   *embed,
               gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  inactive_before = libvirt_xml (embed, GUEST_G, TRUE);
  allowed0_before = vcpu_allowed (embed, 0);
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);

  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_is_empty (apply));
  g_assert_cmpstr (kt_apply_get_diff (apply), ==, "");
  calls = kt_apply_get_calls (apply);
  g_assert_cmpuint (calls->len, ==, 1);
  if (calls->len == 1)
    {
      g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainPinVcpuFlags"));
      g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "vCPU 1"));
    }

  g_assert_true (kt_apply_run (apply, embed->conn, &error));
  g_assert_no_error (error);

  /* The kernel agrees; vCPU 0 and the config are left alone */
  allowed1 = vcpu_allowed (embed, 1);
  allowed0 = vcpu_allowed (embed, 0);
  g_assert_cmpstr (allowed1, ==, "\t0");
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  inactive_after = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);

  /* And so does a fresh capture */
  {
    g_autoptr(KtSnapshot) again = kt_test_embed_capture (embed);
    KtVm *vm2 = again ? kt_snapshot_lookup_vm (again, GUEST_G) : NULL;
    g_autoptr(KtTuning) t = NULL;
    g_autofree char *pin = NULL;

    require (vm2 != NULL && kt_vm_get_live (vm2) != NULL, "no %s in the second capture", GUEST_G);
    t = kt_domain_get_tuning (kt_vm_get_live (vm2));
    require (kt_tuning_get_vcpupin (t, 1) != NULL, "no live pin of vCPU 1 after the apply");
    pin = kt_cpuset_format (kt_tuning_get_vcpupin (t, 1));
    g_assert_cmpstr (pin, ==, "0");
  }
}

/* The affinity of the thread of GUEST_G named @comm */
static char *
thread_allowed (KtTestEmbed *embed,
                const char  *comm)
{
  pid_t pid = kt_test_embed_qemu_pid (embed->root, GUEST_G);
  char *allowed = pid > 0 ? kt_test_embed_thread_allowed (pid, comm) : NULL;

  if (allowed == NULL)
    g_test_fail_printf ("no thread '%s' of %s (pid %d)", comm, GUEST_G, (int) pid);
  return allowed;
}

/* Applies @emulator and @iothread (NULL: unpin) as the live pins of G */
static void
apply_emulator_iothread (KtTestEmbed    *embed,
                         const KtCpuset *emulator,
                         const KtCpuset *iothread)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  KtVm *vm;

  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_emulatorpin (live, emulator, &error));
  g_assert_no_error (error);
  g_assert_true (kt_domain_set_iothreadpin (live, 1, iothread, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  calls = kt_apply_get_calls (apply);
  require (calls->len == 2, "expected 2 calls, got %u", calls->len);
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainPinEmulator"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "virDomainPinIOThread"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "IOThread 1"));
  g_assert_true (kt_apply_run (apply, embed->conn, &error));
  g_assert_no_error (error);
}

static void
test_live_emulator_iothread (KtTestEmbed   *embed,
                             gconstpointer  data)
{
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autofree char *main_before = NULL;
  g_autofree char *io_before = NULL;
  g_autofree char *vcpu0_before = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *main_pinned = NULL;
  g_autofree char *io_pinned = NULL;
  g_autofree char *vcpu0_after = NULL;
  g_autofree char *main_after = NULL;
  g_autofree char *io_after = NULL;
  g_autofree char *all = NULL;

  if (!embed->ready)
    return;

  main_before = thread_allowed (embed, "qemu-system-x86");
  io_before = thread_allowed (embed, "IO iothread1");
  vcpu0_before = vcpu_allowed (embed, 0);
  inactive_before = libvirt_xml (embed, GUEST_G, TRUE);
  require (main_before != NULL && io_before != NULL, "no emulator or IOThread thread");

  /* Emulator → CPU 1, IOThread 1 → CPU 0 */
  apply_emulator_iothread (embed, cpu1, cpu0);
  main_pinned = thread_allowed (embed, "qemu-system-x86");
  io_pinned = thread_allowed (embed, "IO iothread1");
  vcpu0_after = vcpu_allowed (embed, 0);
  g_assert_cmpstr (main_pinned, ==, "\t1");
  g_assert_cmpstr (io_pinned, ==, "\t0");
  g_assert_cmpstr (vcpu0_after, ==, vcpu0_before);

  /* And unpinned again: back on every online CPU */
  apply_emulator_iothread (embed, NULL, NULL);
  main_after = thread_allowed (embed, "qemu-system-x86");
  io_after = thread_allowed (embed, "IO iothread1");
  all = g_strdup_printf ("\t0-%ld", sysconf (_SC_NPROCESSORS_ONLN) - 1);
  g_assert_cmpstr (main_after, ==, all);
  g_assert_cmpstr (io_after, ==, all);

  inactive_after = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
}

/* 2. config pin ---------------------------------------------------------------- */

static void
test_config_pin (KtTestEmbed   *embed,
                 gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *live_before = NULL;
  g_autofree char *live_after = NULL;
  g_autofree char *inactive = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  allowed0_before = vcpu_allowed (embed, 0);
  live_before = libvirt_xml (embed, GUEST_G, FALSE);
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL, "no inactive %s in the capture", GUEST_G);

  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_vcpupin (config, 0, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_nonnull (strstr (kt_apply_get_diff (apply), "+"));
  calls = kt_apply_get_calls (apply);
  g_assert_cmpuint (calls->len, ==, 1);
  if (calls->len == 1)
    g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "virDomainDefineXMLFlags"));

  g_assert_true (kt_apply_run (apply, embed->conn, &error));
  g_assert_no_error (error);

  inactive = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<vcpupin vcpu='0' cpuset='1'/>"));
  check_valid (inactive);

  /* The running VM did not move */
  allowed0 = vcpu_allowed (embed, 0);
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  live_after = libvirt_xml (embed, GUEST_G, FALSE);
  g_assert_null (strstr (live_after, "<vcpupin vcpu='0'"));
  g_assert_cmpstr (live_after, ==, live_before);
}

/* 3. numatune ------------------------------------------------------------------ */

static void
test_numatune (KtTestEmbed   *embed,
               gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtApply) refused = NULL;
  g_autoptr(KtCpuset) node0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *inactive = NULL;
  g_autofree char *live_before = NULL;
  g_autofree char *live_after = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  /* Config: strict on node 0 reaches the inactive XML */
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL && kt_vm_get_live (vm) != NULL,
           "%s or one of its definitions is missing", GUEST_G);
  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_numatune (config, "strict", node0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_true (kt_apply_run (apply, embed->conn, &error));
  g_assert_no_error (error);
  g_clear_error (&error);

  inactive = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<memory mode='strict' nodeset='0'/>"));
  check_valid (inactive);

  /* Live: a memory-mode change is refused up front, pointing at the config */
  live_before = libvirt_xml (embed, GUEST_G, FALSE);
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_numatune (live, "interleave", node0, &error));
  g_assert_no_error (error);
  refused = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_null (refused);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_UNSUPPORTED, "memory mode", "config",
                                 GUEST_G);
  if (error != NULL)
    g_test_message ("live memory mode: %s", error->message);
  live_after = libvirt_xml (embed, GUEST_G, FALSE);
  g_assert_cmpstr (live_after, ==, live_before);
}

/* 4. hugepages, refused by the CLI ------------------------------------------ */

static void
test_hugepages_cli (KtTestEmbed   *embed,
                    gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *snap_path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *nr = NULL;
  g_auto(KtTestRun) run = { 0, };
  gsize before_len = 0, after_len = 0;

  if (g_getenv ("KT_CLI") == NULL)
    {
      g_test_skip ("KT_CLI is not set (run this through meson test)");
      return;
    }
  if (!embed->ready)
    return;
  if (g_file_get_contents (HUGEPAGES_2M, &nr, NULL, NULL) && g_strtod (nr, NULL) != 0)
    {
      g_test_skip ("this host has 2 MiB huge pages reserved (" HUGEPAGES_2M "): "
                   "the refusal cannot be tested");
      return;
    }

  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "no snapshot");
  snap_path = g_build_filename (embed->root, "hugepages.kvmtune", NULL);
  g_assert_true (kt_snapshot_save (snapshot, snap_path, &error));
  g_assert_no_error (error);
  require (g_file_get_contents (snap_path, &before, &before_len, NULL), "cannot read %s",
           snap_path);

  kt_test_run_cli (&run, "--snapshot", snap_path, "hugepages", GUEST_G, "--size", "2048",
                   "--config");
  g_test_message ("kvmtune-cli hugepages: status %d, stdout: %s, stderr: %s", run.status,
                  run.out, run.err);
  g_assert_true (WIFEXITED (run.wait_status));
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "2048"));
  g_assert_null (strstr (run.out, "Applied"));
  require (g_file_get_contents (snap_path, &after, &after_len, NULL), "cannot read %s", snap_path);
  g_assert_cmpuint (after_len, ==, before_len);
  g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
}

/* 5. a step fails: the earlier live steps are undone, nothing is defined ---- */

static void
test_rollback (KtTestEmbed   *embed,
               gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *allowed0_before = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  g_autofree char *live_after = NULL;
  xmlNode *root, *cputune = NULL, *pin;
  KtVm *vm;

  if (!embed->ready)
    return;

  allowed0_before = vcpu_allowed (embed, 0);
  allowed1_before = vcpu_allowed (embed, 1);
  require (allowed0_before != NULL && allowed1_before != NULL, "no vCPU threads");
  require (!g_str_equal (allowed0_before, "\t1"), "vCPU 0 is already on CPU 1 alone");
  inactive_before = libvirt_xml (embed, GUEST_G, TRUE);

  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL && kt_vm_get_inactive (vm) != NULL,
           "%s or one of its definitions is missing", GUEST_G);

  /* The live target: vCPU 0 → CPU 1 (fine), and a pin of IOThread 7,
   * which G does not have (kt_domain_set_iothreadpin refuses it, so it
   * goes in through the DOM, before the setter re-reads the tuning) */
  live = kt_domain_copy (kt_vm_get_live (vm));
  root = kt_domain_get_root (live);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && g_str_equal ((const char *) n->name, "cputune"))
      cputune = n;
  if (cputune == NULL)
    cputune = xmlNewChild (root, NULL, (const xmlChar *) "cputune", NULL);
  pin = xmlNewChild (cputune, NULL, (const xmlChar *) "iothreadpin", NULL);
  xmlSetProp (pin, (const xmlChar *) "iothread", (const xmlChar *) "7");
  xmlSetProp (pin, (const xmlChar *) "cpuset", (const xmlChar *) "0");
  g_assert_true (kt_domain_set_vcpupin (live, 0, cpu1, &error));
  g_assert_no_error (error);

  /* The config target: emulator → CPU 0, which must not be defined */
  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_emulatorpin (config, cpu0, &error));
  g_assert_no_error (error);

  apply = kt_apply_new (vm, live, config, KT_APPLY_LIVE | KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  calls = kt_apply_get_calls (apply);
  for (guint i = 0; i < calls->len; i++)
    g_test_message ("call %u: %s", i, (const char *) g_ptr_array_index (calls, i));
  /* vCPU 0, IOThread 7 (the last live step), the define */
  require (calls->len == 3, "expected 3 calls, got %u", calls->len);
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 0), "vCPU 0"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 1), "IOThread 7"));
  g_assert_nonnull (strstr (g_ptr_array_index (calls, 2), "virDomainDefineXMLFlags"));

  g_assert_false (kt_apply_run (apply, embed->conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_LIBVIRT, "virDomainPinIOThread",
                                 "IOThread 7", "undone");
  if (error != NULL)
    g_test_message ("failed as expected: %s", error->message);

  /* vCPU 0 is back where it was, vCPU 1 was never touched */
  allowed0 = vcpu_allowed (embed, 0);
  allowed1 = vcpu_allowed (embed, 1);
  g_assert_cmpstr (allowed0, ==, allowed0_before);
  g_assert_cmpstr (allowed1, ==, allowed1_before);

  /* Nothing was defined */
  inactive_after = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
  g_assert_null (strstr (inactive_after, "<emulatorpin"));

  /* What the undo left in the live XML (pinning back to every CPU) */
  live_after = libvirt_xml (embed, GUEST_G, FALSE);
  {
    const char *p = strstr (live_after, "<vcpupin vcpu='0'");
    g_autofree char *line = p ? g_strndup (p, strcspn (p, "\n")) : g_strdup ("(none)");

    g_test_message ("live vcpupin of vCPU 0 after the undo: %s", line);
  }
}

/* 6. someone else changed the domain since the capture ---------------------- */

static void
test_conflict_config (KtTestEmbed   *embed,
                      gconstpointer  data)
{
  g_autoptr(KtSnapshot) stale = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(GError) error = NULL;
  g_autofree char *inactive = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  stale = kt_test_embed_capture (embed);
  vm = stale ? kt_snapshot_lookup_vm (stale, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL, "no inactive %s in the capture",
           GUEST_G);

  /* virsh vcpupin G 1 1 --config */
  if (!pin_behind_our_back (embed, GUEST_G, 1, 1, VIR_DOMAIN_AFFECT_CONFIG))
    return;

  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_emulatorpin (config, cpu0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, embed->conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G, "changed");
  g_clear_error (&error);

  /* The other change is kept, ours is not there */
  inactive = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_nonnull (strstr (inactive, "<vcpupin vcpu='1' cpuset='1'/>"));
  g_assert_null (strstr (inactive, "<emulatorpin"));

  /* After a reload, the same edit goes through and keeps both */
  {
    g_autoptr(KtSnapshot) fresh = kt_test_embed_capture (embed);
    KtVm *vm2 = fresh ? kt_snapshot_lookup_vm (fresh, GUEST_G) : NULL;
    g_autoptr(KtDomain) config2 = NULL;
    g_autoptr(KtApply) apply2 = NULL;
    g_autofree char *inactive2 = NULL;

    require (vm2 != NULL && kt_vm_get_inactive (vm2) != NULL, "no %s after reload", GUEST_G);
    config2 = kt_domain_copy (kt_vm_get_inactive (vm2));
    g_assert_true (kt_domain_set_emulatorpin (config2, cpu0, &error));
    apply2 = kt_apply_new (vm2, NULL, config2, KT_APPLY_CONFIG, &error);
    g_assert_no_error (error);
    require (apply2 != NULL, "kt_apply_new failed");
    g_assert_true (kt_apply_run (apply2, embed->conn, &error));
    g_assert_no_error (error);
    inactive2 = libvirt_xml (embed, GUEST_G, TRUE);
    g_assert_nonnull (strstr (inactive2, "<vcpupin vcpu='1' cpuset='1'/>"));
    g_assert_nonnull (strstr (inactive2, "<emulatorpin cpuset='0'/>"));
    check_valid (inactive2);
  }
}

static void
test_conflict_live (KtTestEmbed   *embed,
                    gconstpointer  data)
{
  g_autoptr(KtSnapshot) stale = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *inactive_before = NULL;
  g_autofree char *inactive_after = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  allowed1_before = vcpu_allowed (embed, 1);
  require (allowed1_before != NULL && !g_str_equal (allowed1_before, "\t1"),
           "vCPU 1 is already on CPU 1 alone");
  inactive_before = libvirt_xml (embed, GUEST_G, TRUE);
  stale = kt_test_embed_capture (embed);
  vm = stale ? kt_snapshot_lookup_vm (stale, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s in the capture", GUEST_G);

  /* virsh vcpupin G 0 0 --live */
  if (!pin_behind_our_back (embed, GUEST_G, 0, 0, VIR_DOMAIN_AFFECT_LIVE))
    return;

  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, embed->conn, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G, "changed");

  /* The other pin is kept; ours was not made */
  allowed0 = vcpu_allowed (embed, 0);
  allowed1 = vcpu_allowed (embed, 1);
  g_assert_cmpstr (allowed0, ==, "\t0");
  g_assert_cmpstr (allowed1, ==, allowed1_before);
  inactive_after = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive_after, ==, inactive_before);
}

/* 6b. someone else changes the config while the apply runs ------------------ */

typedef struct
{
  const char  *point;      /* where the hook acts */
  guint        vcpu;       /* the config pin it makes behind our back */
  guint        cpu;
  gboolean     ran;
  char        *xml_after;  /* the inactive XML right after its change */
  KtTestEmbed *embed;
} RaceHook;

/* The host CPU, 0 or 1, that vCPU @vcpu of GUEST_G is pinned to alone in
 * its config; -1 for neither */
static int
config_pin (KtTestEmbed *embed,
            guint        vcpu)
{
  g_autofree char *xml = libvirt_xml (embed, GUEST_G, TRUE);

  for (int cpu = 0; cpu < 2; cpu++)
    {
      g_autofree char *pin = g_strdup_printf ("<vcpupin vcpu='%u' cpuset='%d'/>", vcpu, cpu);

      if (strstr (xml, pin) != NULL)
        return cpu;
    }
  return -1;
}

static void
race_hook (const char *point,
           gpointer    data)
{
  RaceHook *race = data;

  if (!g_str_equal (point, race->point))
    return;
  race->ran = pin_behind_our_back (race->embed, GUEST_G, race->vcpu, race->cpu,
                                   VIR_DOMAIN_AFFECT_CONFIG);
  race->xml_after = libvirt_xml (race->embed, GUEST_G, TRUE);
}

/* virsh vcpupin --config between the live steps and the define: the check
 * made again just before the define sees it; nothing of ours stays */
static void
test_race_before_define (KtTestEmbed   *embed,
                         gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu0 = set_of ("0");
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autoptr(GError) error = NULL;
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *inactive = NULL;
  RaceHook race = { "before-define-check", 0, 1, FALSE, NULL, embed };
  KtVm *vm;

  if (!embed->ready)
    return;

  /* Theirs must be a change: config vCPU 0 to the CPU it is not on */
  race.cpu = config_pin (embed, 0) == 1 ? 0 : 1;

  allowed1_before = vcpu_allowed (embed, 1);
  require (allowed1_before != NULL && !g_str_equal (allowed1_before, "\t1"),
           "vCPU 1 is already on CPU 1 alone");
  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL && kt_vm_get_inactive (vm) != NULL,
           "no live and inactive %s in the capture", GUEST_G);

  live = kt_domain_copy (kt_vm_get_live (vm));
  config = kt_domain_copy (kt_vm_get_inactive (vm));
  /* Live vCPU 1 → 1, config vCPU 1 → 0; theirs: config vCPU 0 → 1 */
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu1, &error));
  g_assert_true (kt_domain_set_vcpupin (config, 1, cpu0, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, config, KT_APPLY_LIVE | KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  kt_apply_set_test_hook (apply, race_hook, &race);

  g_assert_false (kt_apply_run (apply, embed->conn, &error));
  g_assert_true (race.ran);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G,
                                 "changed while the live steps were made", "undone");

  /* Their change is what libvirt has; our live step was undone */
  inactive = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive, ==, race.xml_after);
  g_assert_cmpint (config_pin (embed, 0), ==, race.cpu);
  allowed1 = vcpu_allowed (embed, 1);
  g_assert_cmpstr (allowed1, ==, allowed1_before);
  g_free (race.xml_after);
}

/* A define by someone else right after ours: the read-back sees that the
 * config is not the one defined, and says so */
static void
test_race_after_define (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) config = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) ours = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *inactive = NULL;
  RaceHook race = { "after-define", 1, 1, FALSE, NULL, embed };
  KtVm *vm;
  int was;

  if (!embed->ready)
    return;

  /* Ours: config vCPU 1 to the CPU it is not on; theirs, just after: back */
  was = config_pin (embed, 1);
  ours = set_of (was == 0 ? "1" : "0");
  race.cpu = was == 0 ? 0 : 1;

  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_inactive (vm) != NULL, "no inactive %s in the capture",
           GUEST_G);

  config = kt_domain_copy (kt_vm_get_inactive (vm));
  g_assert_true (kt_domain_set_vcpupin (config, 1, ours, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, NULL, config, KT_APPLY_CONFIG, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  kt_apply_set_test_hook (apply, race_hook, &race);

  g_assert_false (kt_apply_run (apply, embed->conn, &error));
  g_assert_true (race.ran);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT, GUEST_G,
                                 "not the one KvmTune defined");
  g_clear_error (&error);
  inactive = libvirt_xml (embed, GUEST_G, TRUE);
  g_assert_cmpstr (inactive, ==, race.xml_after);
  g_free (race.xml_after);

  /* Without a race, the same apply goes through and reads back as defined */
  {
    g_autoptr(KtSnapshot) fresh = kt_test_embed_capture (embed);
    KtVm *vm2 = fresh ? kt_snapshot_lookup_vm (fresh, GUEST_G) : NULL;
    g_autoptr(KtDomain) config2 = NULL;
    g_autoptr(KtApply) apply2 = NULL;

    require (vm2 != NULL && kt_vm_get_inactive (vm2) != NULL, "no %s after reload", GUEST_G);
    config2 = kt_domain_copy (kt_vm_get_inactive (vm2));
    g_assert_true (kt_domain_set_vcpupin (config2, 1, ours, &error));
    apply2 = kt_apply_new (vm2, NULL, config2, KT_APPLY_CONFIG, &error);
    g_assert_no_error (error);
    require (apply2 != NULL, "kt_apply_new failed");
    g_assert_true (kt_apply_run (apply2, embed->conn, &error));
    g_assert_no_error (error);
  }
}

/* 7. the VM went away after the capture ------------------------------------- */

static void
test_vanished (KtTestEmbed   *embed,
               gconstpointer  data)
{
  virConnectPtr c;
  g_autofree char *xml_v = domain_xml (GUEST_V, 0);
  g_autofree char *xml_t = domain_xml (GUEST_T, 0);
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  virDomainPtr dom_v, dom_t;
  KtVm *v, *t;

  if (!embed->ready)
    return;
  c = kt_connection_get_handle (embed->conn);

  /* V: persistent, shut off; T: transient, running */
  dom_v = virDomainDefineXML (c, xml_v);
  require (dom_v != NULL, "Cannot define %s", GUEST_V);
  dom_t = kt_test_embed_create (embed, GUEST_T, xml_t);
  if (dom_t == NULL)
    {
      virDomainUndefine (dom_v);
      virDomainFree (dom_v);
      return;
    }

  snapshot = kt_test_embed_capture (embed);
  v = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_V) : NULL;
  t = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_T) : NULL;
  g_assert_cmpint (virDomainUndefine (dom_v), ==, 0);
  g_assert_cmpint (virDomainDestroy (dom_t), ==, 0);
  virDomainFree (dom_v);
  virDomainFree (dom_t);
  require (v != NULL && t != NULL, "%s or %s missing from the capture", GUEST_V, GUEST_T);

  for (guint i = 0; i < 2; i++)
    {
      KtVm *vm = i == 0 ? v : t;
      gboolean is_live = i == 1;
      g_autoptr(KtDomain) target = NULL;
      g_autoptr(KtApply) apply = NULL;
      g_autoptr(GError) error = NULL;

      target = kt_domain_copy (is_live ? kt_vm_get_live (vm) : kt_vm_get_inactive (vm));
      g_assert_true (kt_domain_set_vcpupin (target, 0, cpu1, &error));
      apply = kt_apply_new (vm, is_live ? target : NULL, is_live ? NULL : target,
                            is_live ? KT_APPLY_LIVE : KT_APPLY_CONFIG, &error);
      g_assert_no_error (error);
      if (apply == NULL)
        continue;
      g_assert_false (kt_apply_run (apply, embed->conn, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                                     kt_vm_get_name (vm), "no longer exists");
    }

  /* Neither came back */
  {
    virDomainPtr d = virDomainLookupByName (c, GUEST_V);

    g_assert_null (d);
    if (d != NULL)
      virDomainFree (d);
    virResetLastError ();
  }
}

/* 8. a read-only connection --------------------------------------------------- */

static void
test_read_only (KtTestEmbed   *embed,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtConnection) ro = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtCpuset) cpu1 = set_of ("1");
  g_autofree char *allowed1_before = NULL;
  g_autofree char *allowed1 = NULL;
  KtVm *vm;

  if (!embed->ready)
    return;

  ro = kt_connection_open (embed->uri, TRUE, &error);
  if (ro == NULL)
    {
      /* Fall back on the test driver */
      g_test_message ("read-only %s: %s; using test:///default", embed->uri, error->message);
      g_clear_error (&error);
      ro = kt_connection_open ("test:///default", TRUE, &error);
      g_assert_no_error (error);
      require (ro != NULL, "cannot open test:///default read-only");
      g_assert_true (kt_connection_is_read_only (ro));
      snapshot = kt_connection_capture (ro, &error);
      g_assert_no_error (error);
      vm = snapshot ? kt_snapshot_lookup_vm (snapshot, "test") : NULL;
      require (vm != NULL && kt_vm_get_live (vm) != NULL, "no running 'test' in test:///default");
      live = kt_domain_copy (kt_vm_get_live (vm));
      g_assert_true (kt_domain_set_vcpupin (live, 0, cpu1, &error));
      apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
      g_assert_no_error (error);
      require (apply != NULL, "kt_apply_new failed");
      g_assert_false (kt_apply_run (apply, ro, &error));
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "read-only");
      return;
    }

  g_assert_true (kt_connection_is_read_only (ro));
  allowed1_before = vcpu_allowed (embed, 1);
  require (allowed1_before != NULL && !g_str_equal (allowed1_before, "\t1"),
           "vCPU 1 is already on CPU 1 alone");

  /* It can read... */
  snapshot = kt_connection_capture (ro, &error);
  g_assert_no_error (error);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, GUEST_G) : NULL;
  require (vm != NULL && kt_vm_get_live (vm) != NULL, "no live %s through the read-only connection",
           GUEST_G);

  /* ...but applies nothing */
  live = kt_domain_copy (kt_vm_get_live (vm));
  g_assert_true (kt_domain_set_vcpupin (live, 1, cpu1, &error));
  g_assert_no_error (error);
  apply = kt_apply_new (vm, live, NULL, KT_APPLY_LIVE, &error);
  g_assert_no_error (error);
  require (apply != NULL, "kt_apply_new failed");
  g_assert_false (kt_apply_run (apply, ro, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_READ_ONLY, "read-only", embed->root);
  allowed1 = vcpu_allowed (embed, 1);
  g_assert_cmpstr (allowed1, ==, allowed1_before);
}

/* main --------------------------------------------------------------------- */

static char *
check_prerequisites (void)
{
  char *missing = kt_test_embed_missing ();

  if (missing != NULL)
    return missing;
  if (sysconf (_SC_NPROCESSORS_ONLN) < 2)
    return g_strdup ("fewer than 2 online host CPUs: the pins need CPUs 0 and 1");
  return NULL;
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

  env.skip_reason = check_prerequisites ();
  if (env.skip_reason != NULL)
    {
      g_printerr ("#\n# ##################################################################\n"
                  "# test-apply-libvirt: SKIPPING every real-libvirt case: %s\n"
                  "# ##################################################################\n#\n",
                  env.skip_reason);
    }
  else
    atexit (teardown);

  /* In this order: each case starts from what the ones before left */
  g_test_add ("/apply-libvirt/live-pin", KtTestEmbed, NULL,
              kt_test_embed_setup, test_live_pin, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/live-emulator-iothread", KtTestEmbed, NULL,
              kt_test_embed_setup, test_live_emulator_iothread, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/config-pin", KtTestEmbed, NULL,
              kt_test_embed_setup, test_config_pin, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/numatune", KtTestEmbed, NULL,
              kt_test_embed_setup, test_numatune, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/hugepages-cli", KtTestEmbed, NULL,
              kt_test_embed_setup, test_hugepages_cli, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/rollback", KtTestEmbed, NULL,
              kt_test_embed_setup, test_rollback, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/conflict-config", KtTestEmbed, NULL,
              kt_test_embed_setup, test_conflict_config, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/conflict-live", KtTestEmbed, NULL,
              kt_test_embed_setup, test_conflict_live, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/race-before-define", KtTestEmbed, NULL,
              kt_test_embed_setup, test_race_before_define, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/race-after-define", KtTestEmbed, NULL,
              kt_test_embed_setup, test_race_after_define, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/vanished", KtTestEmbed, NULL,
              kt_test_embed_setup, test_vanished, kt_test_embed_teardown);
  g_test_add ("/apply-libvirt/read-only", KtTestEmbed, NULL,
              kt_test_embed_setup, test_read_only, kt_test_embed_teardown);

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  return ret;
}
