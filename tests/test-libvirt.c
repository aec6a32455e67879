/* test-libvirt.c: the core against real libvirt and QEMU
 *
 * Uses libvirt's embedded QEMU driver (qemu:///embed?root=DIR) in this
 * process, with a private root in a fresh temporary directory, and tiny
 * TCG guests (64 MiB, 2 vCPUs, no disk: they sit in the PXE ROM).
 *
 * libvirt allows one embed root per process and its first capabilities
 * call on a fresh root probes QEMU for seconds, so every case shares one
 * lazily set up environment:
 *
 *   kt-test-A  persistent, never started
 *   kt-test-B  persistent, running; case 2 pins its vCPU 1 to CPU 0 (live)
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
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "kt-connection.h"
#include "kt-describe.h"
#include "kt-error.h"
#include "kt-json.h"
#include "kt-placement.h"
#include "kt-snapshot.h"
#include "kt-test-embed.h"
#include "kt-test-util.h"

#define GUEST_A       "kt-test-A"
#define GUEST_B       "kt-test-B"
#define GUEST_C       "kt-test-C"
#define GUEST_T       "kt-test-T"
#define GUEST_MEM_KIB 65536

static gboolean setup_guests (KtTestEmbed *embed);

static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("test-libvirt", "kt-test-", "kt-libvirt-XXXXXX", TRUE, setup_guests);

static struct
{
  gboolean  pinned;
  char     *snapshot_path;
} lv;

/* Fails the current case and leaves it, for what later lines depend on */
#define require kt_test_embed_require

/* Helpers ------------------------------------------------------------------ */

static char *
domain_xml (const char *name)
{
  return kt_test_embed_domain_xml (name, 2, 0);
}

static void
teardown (void)
{
  kt_test_embed_finish (&env);
  g_clear_pointer (&lv.snapshot_path, g_free);
}

/* kt-test-A persistent, kt-test-B persistent and running */
static gboolean
setup_guests (KtTestEmbed *embed)
{
  virConnectPtr c = kt_connection_get_handle (embed->conn);
  double t0;

  lv.snapshot_path = g_build_filename (embed->root, "snapshot.kvmtune", NULL);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? GUEST_A : GUEST_B;
      g_autofree char *xml = domain_xml (name);
      virDomainPtr dom;

      t0 = kt_test_embed_now ();
      dom = virDomainDefineXML (c, xml);
      if (dom == NULL)
        {
          g_autofree char *err = kt_test_embed_last_error ();

          g_test_fail_printf ("Cannot define %s: %s", name, err);
          return FALSE;
        }
      g_test_message ("defined %s in %.2f s", name, kt_test_embed_now () - t0);
      if (i == 1 && !kt_test_embed_start (embed, dom))
        {
          virDomainFree (dom);
          return FALSE;
        }
      virDomainFree (dom);
    }
  return TRUE;
}

static char *
show_string (KtVm *vm)
{
  JsonNode *node = kt_json_show (vm);
  char *text = kt_json_to_string (node);

  json_node_unref (node);
  return text;
}

/* kt_json_show of one definition alone */
static char *
show_domain (const char *name,
             KtDomain   *domain,
             gboolean    live)
{
  g_autoptr(KtVm) vm = NULL;

  if (domain == NULL)
    return g_strdup ("(none)");
  vm = live ? kt_vm_new (name, KT_VM_STATE_RUNNING, 1, TRUE, domain, NULL)
            : kt_vm_new (name, KT_VM_STATE_SHUTOFF, -1, TRUE, NULL, domain);
  return show_string (vm);
}

/* kt_json_show of kt_domain_to_xml (@domain), parsed again */
static char *
show_domain_reparsed (const char *name,
                      KtDomain   *domain,
                      gboolean    live)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(KtDomain) again = NULL;

  if (domain == NULL)
    return g_strdup ("(none)");
  xml = kt_domain_to_xml (domain);
  again = kt_domain_new_from_xml (xml, -1, &error);
  g_assert_no_error (error);
  if (again == NULL)
    return g_strdup ("(unparsable)");
  return show_domain (name, again, live);
}

static const char *
json_string_member (JsonObject *obj,
                    const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
json_int_member (JsonObject *obj,
                 const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return G_MININT64;
  return json_node_get_int (node);
}

/* Checks kt_json_show-style JSON of kt-test-B, vCPU 1 pinned to CPU 0 */
static void
check_show_b (JsonObject *obj,
              gboolean    expect_pin)
{
  JsonNode *pins_node;
  JsonObject *pins;

  g_assert_nonnull (obj);
  if (obj == NULL)
    return;
  g_assert_cmpstr (json_string_member (obj, "name"), ==, GUEST_B);
  g_assert_cmpstr (json_string_member (obj, "state"), ==, "running");
  g_assert_cmpint (json_int_member (obj, "vcpus"), ==, 2);
  g_assert_cmpint (json_int_member (obj, "memory_kib"), ==, GUEST_MEM_KIB);

  pins_node = json_object_get_member (obj, "vcpupin");
  g_assert_true (pins_node != NULL && JSON_NODE_HOLDS_OBJECT (pins_node));
  if (pins_node == NULL || !JSON_NODE_HOLDS_OBJECT (pins_node))
    return;
  pins = json_node_get_object (pins_node);
  if (expect_pin)
    {
      g_assert_cmpuint (json_object_get_size (pins), ==, 1);
      g_assert_cmpstr (json_string_member (pins, "1"), ==, "0");
    }
  else
    g_assert_cmpuint (json_object_get_size (pins), ==, 0);
}

/* Pins kt-test-B's vCPU 1 to host CPU 0, live only */
static gboolean
ensure_pinned (KtTestEmbed *embed)
{
  virConnectPtr c = kt_connection_get_handle (embed->conn);
  virDomainPtr dom;
  int maplen = VIR_CPU_MAPLEN (MAX (sysconf (_SC_NPROCESSORS_CONF), 1));
  g_autofree unsigned char *map = g_new0 (unsigned char, maplen);
  int r;

  if (lv.pinned)
    return TRUE;
  dom = virDomainLookupByName (c, GUEST_B);
  if (dom == NULL)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot look up %s: %s", GUEST_B, err);
      return FALSE;
    }
  VIR_USE_CPU (map, 0);
  r = virDomainPinVcpuFlags (dom, 1, map, maplen, VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree (dom);
  if (r < 0)
    {
      g_autofree char *err = kt_test_embed_last_error ();

      g_test_fail_printf ("Cannot pin vCPU 1 of %s: %s", GUEST_B, err);
      return FALSE;
    }
  lv.pinned = TRUE;
  return TRUE;
}

static gboolean
ensure_snapshot_file (KtTestEmbed *embed)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (lv.snapshot_path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!ensure_pinned (embed))
    return FALSE;
  snapshot = kt_test_embed_capture (embed);
  if (snapshot == NULL)
    return FALSE;
  kt_snapshot_save (snapshot, lv.snapshot_path, &error);
  g_assert_no_error (error);
  return error == NULL;
}

/* 1. capture ----------------------------------------------------------------- */

static void
test_capture (KtTestEmbed   *embed,
              gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) show = NULL;
  KtHost *host;
  KtVm *a, *b;
  const char *domcaps;
  long online = sysconf (_SC_NPROCESSORS_ONLN);
  double t0;

  if (!embed->ready)
    return;

  t0 = kt_test_embed_now ();
  snapshot = kt_connection_capture (embed->conn, &error);
  g_assert_no_error (error);
  require (snapshot != NULL, "no snapshot");
  g_test_message ("first capture: %.2f s", kt_test_embed_now () - t0);

  g_assert_cmpstr (kt_snapshot_get_uri (snapshot), ==, kt_connection_get_uri (embed->conn));
  g_assert_nonnull (strstr (kt_snapshot_get_uri (snapshot), embed->root));
  g_assert_true (kt_connection_is_local (embed->conn));
  g_assert_false (kt_connection_is_read_only (embed->conn));

  /* The host */
  host = kt_snapshot_get_host (snapshot);
  g_assert_cmpuint (kt_host_get_n_nodes (host), >=, 1);
  g_assert_cmpstr (kt_host_get_arch (host), ==, "x86_64");
  g_assert_cmpuint (kt_cpuset_count (kt_host_get_online_cpus (host)), ==, (guint) online);
  g_assert_cmpuint (kt_host_get_n_cpus (host), >=, (guint) online);
  domcaps = kt_snapshot_get_domcaps_xml (snapshot);
  g_assert_nonnull (domcaps);
  if (domcaps != NULL)
    {
      g_assert_nonnull (strstr (domcaps, "<domainCapabilities"));
      g_assert_nonnull (strstr (domcaps, "<arch>x86_64</arch>"));
    }

  /* The VMs: only ours, in a private root */
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (snapshot)), ==, 2);
  a = kt_snapshot_lookup_vm (snapshot, GUEST_A);
  b = kt_snapshot_lookup_vm (snapshot, GUEST_B);
  require (a != NULL && b != NULL, "%s or %s missing from the capture", GUEST_A, GUEST_B);

  g_assert_cmpint (kt_vm_get_state (a), ==, KT_VM_STATE_SHUTOFF);
  g_assert_false (kt_vm_is_active (a));
  g_assert_true (kt_vm_get_persistent (a));
  g_assert_cmpint (kt_vm_get_id (a), ==, -1);
  g_assert_null (kt_vm_get_live (a));
  g_assert_nonnull (kt_vm_get_inactive (a));
  g_assert_true (kt_vm_get_effective (a) == kt_vm_get_inactive (a));

  g_assert_cmpint (kt_vm_get_state (b), ==, KT_VM_STATE_RUNNING);
  g_assert_true (kt_vm_is_active (b));
  g_assert_true (kt_vm_get_persistent (b));
  g_assert_cmpint (kt_vm_get_id (b), >, 0);
  g_assert_nonnull (kt_vm_get_live (b));
  g_assert_nonnull (kt_vm_get_inactive (b));
  g_assert_true (kt_vm_get_effective (b) == kt_vm_get_live (b));
  g_assert_cmpstr (kt_domain_get_name (kt_vm_get_live (b)), ==, GUEST_B);
  g_assert_cmpstr (kt_domain_get_name (kt_vm_get_inactive (b)), ==, GUEST_B);

  show = kt_json_show (b);
  require (show != NULL && JSON_NODE_HOLDS_OBJECT (show), "kt_json_show gave no object");
  check_show_b (json_node_get_object (show), lv.pinned);
  json_node_unref (g_steal_pointer (&show));

  show = kt_json_show (a);
  require (show != NULL && JSON_NODE_HOLDS_OBJECT (show), "kt_json_show gave no object");
  g_assert_cmpstr (json_string_member (json_node_get_object (show), "state"), ==, "shutoff");
  g_assert_cmpint (json_int_member (json_node_get_object (show), "vcpus"), ==, 2);
  g_assert_cmpint (json_int_member (json_node_get_object (show), "memory_kib"), ==, GUEST_MEM_KIB);
}

/* 2. a live pin shows in the capture and in the kernel ---------------------- */

static void
test_pins_visible (KtTestEmbed   *embed,
                   gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(JsonNode) show = NULL;
  g_autoptr(KtTuning) live = NULL;
  g_autoptr(KtTuning) inactive = NULL;
  g_autofree char *pin1 = NULL;
  g_autofree char *allowed1 = NULL;
  g_autofree char *allowed0 = NULL;
  g_autofree char *allowed_main = NULL;
  KtVm *b;
  pid_t pid;

  if (!embed->ready || !ensure_pinned (embed))
    return;

  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "no snapshot");
  b = kt_snapshot_lookup_vm (snapshot, GUEST_B);
  require (b != NULL && kt_vm_get_live (b) != NULL && kt_vm_get_inactive (b) != NULL,
           "%s or one of its definitions is missing", GUEST_B);

  show = kt_json_show (b);
  require (show != NULL && JSON_NODE_HOLDS_OBJECT (show), "kt_json_show gave no object");
  check_show_b (json_node_get_object (show), TRUE);

  /* Live only: the persistent definition has no pin */
  live = kt_domain_get_tuning (kt_vm_get_live (b));
  inactive = kt_domain_get_tuning (kt_vm_get_inactive (b));
  require (kt_tuning_get_vcpupin (live, 1) != NULL, "no live pin of vCPU 1");
  pin1 = kt_cpuset_format (kt_tuning_get_vcpupin (live, 1));
  g_assert_cmpstr (pin1, ==, "0");
  g_assert_null (kt_tuning_get_vcpupin (live, 0));
  g_assert_cmpuint (inactive->vcpupin->len, ==, 0);

  /* And the kernel agrees */
  pid = kt_test_embed_qemu_pid (embed->root, GUEST_B);
  require (pid > 0, "no pid file for %s under %s/run/qemu", GUEST_B, embed->root);
  allowed1 = kt_test_embed_thread_allowed (pid, "CPU 1/TCG");
  allowed0 = kt_test_embed_thread_allowed (pid, "CPU 0/TCG");
  allowed_main = kt_test_embed_thread_allowed (pid, "qemu-system-x86");
  require (allowed1 != NULL && allowed0 != NULL,
           "no threads 'CPU 0/TCG' and 'CPU 1/TCG' in /proc/%d/task", (int) pid);
  g_test_message ("QEMU %d: CPU 0/TCG on %s, CPU 1/TCG on %s, main thread on %s",
                  (int) pid, allowed0, allowed1, allowed_main);
  g_assert_cmpstr (allowed1, ==, "\t0");
  if (allowed_main != NULL)
    g_assert_cmpstr (allowed0, ==, allowed_main);   /* vCPU 0 left alone */
}

/* 3. snapshot save / load round trip ----------------------------------------- */

static void
test_snapshot_roundtrip (KtTestEmbed   *embed,
                         gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSnapshot) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *vms, *loaded_vms;
  guint n;

  if (!embed->ready || !ensure_pinned (embed))
    return;

  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "no snapshot");
  kt_snapshot_save (snapshot, lv.snapshot_path, &error);
  g_assert_no_error (error);
  loaded = kt_snapshot_load_file (lv.snapshot_path, &error);
  g_assert_no_error (error);
  require (loaded != NULL, "cannot load %s", lv.snapshot_path);

  g_assert_cmpstr (kt_snapshot_get_uri (loaded), ==, kt_snapshot_get_uri (snapshot));
  g_assert_cmpstr (kt_snapshot_get_hostname (loaded), ==, kt_snapshot_get_hostname (snapshot));
  g_assert_nonnull (kt_snapshot_get_domcaps_xml (loaded));
  g_assert_cmpuint (kt_host_get_n_cpus (kt_snapshot_get_host (loaded)), ==,
                    kt_host_get_n_cpus (kt_snapshot_get_host (snapshot)));
  g_assert_cmpuint (kt_host_get_n_nodes (kt_snapshot_get_host (loaded)), ==,
                    kt_host_get_n_nodes (kt_snapshot_get_host (snapshot)));

  vms = kt_snapshot_get_vms (snapshot);
  loaded_vms = kt_snapshot_get_vms (loaded);
  n = g_list_model_get_n_items (vms);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (g_list_model_get_n_items (loaded_vms), ==, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      const char *name = kt_vm_get_name (vm);
      KtVm *back = kt_snapshot_lookup_vm (loaded, name);

      g_assert_nonnull (back);
      if (back == NULL)
        continue;
      g_assert_cmpint (kt_vm_get_state (back), ==, kt_vm_get_state (vm));
      g_assert_cmpint (kt_vm_get_id (back), ==, kt_vm_get_id (vm));
      g_assert_cmpint (kt_vm_get_persistent (back), ==, kt_vm_get_persistent (vm));
      g_assert_cmpint (kt_vm_get_live (back) != NULL, ==, kt_vm_get_live (vm) != NULL);
      g_assert_cmpint (kt_vm_get_inactive (back) != NULL, ==, kt_vm_get_inactive (vm) != NULL);

      /* Same tuning, as the file has it and as to_xml writes it again */
      for (int live = 0; live <= 1; live++)
        {
          KtDomain *orig = live ? kt_vm_get_live (vm) : kt_vm_get_inactive (vm);
          KtDomain *copy = live ? kt_vm_get_live (back) : kt_vm_get_inactive (back);
          g_autofree char *want = show_domain (name, orig, live);
          g_autofree char *got = show_domain (name, copy, live);
          g_autofree char *got_reparsed = show_domain_reparsed (name, copy, live);
          g_autofree char *orig_reparsed = show_domain_reparsed (name, orig, live);

          g_assert_cmpstr (got, ==, want);
          g_assert_cmpstr (got_reparsed, ==, want);
          g_assert_cmpstr (orig_reparsed, ==, want);
        }
      {
        g_autofree char *want = show_string (vm);
        g_autofree char *got = show_string (back);

        g_assert_cmpstr (got, ==, want);
      }
    }

  /* The pin made in case 2 went through the file */
  {
    KtVm *b = kt_snapshot_lookup_vm (loaded, GUEST_B);
    g_autoptr(JsonNode) show = b ? kt_json_show (b) : NULL;

    require (show != NULL, "no %s in the loaded snapshot", GUEST_B);
    check_show_b (json_node_get_object (show), TRUE);
  }
}

/* 4. kvmtune-cli on the snapshot file ------------------------------------- */

/* kvmtune-cli --snapshot (the snapshot file) ARGS... */
static gboolean
run_cli (KtTestRun  *run,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) "--snapshot");
  g_ptr_array_add (argv, lv.snapshot_path);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  kt_test_run_cli_full (run, NULL, (const char * const *) argv->pdata);
  if (run->err != NULL && *run->err != '\0')
    g_test_message ("kvmtune-cli %s: stderr: %s", first, run->err);
  return TRUE;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  if (error != NULL || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_cli_snapshot (KtTestEmbed   *embed,
                   gconstpointer  data)
{
  g_auto(KtTestRun) domains = { 0, };
  g_auto(KtTestRun) show = { 0, };
  g_auto(KtTestRun) missing = { 0, };
  g_auto(KtTestRun) text = { 0, };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen_a = FALSE, seen_b = FALSE;
  JsonArray *array;

  if (g_getenv ("KT_CLI") == NULL)
    {
      g_test_skip ("KT_CLI is not set (run this through meson test)");
      return;
    }
  if (!embed->ready || !ensure_snapshot_file (embed))
    return;

  /* domains --json */
  if (!run_cli (&domains, "domains", "--json", NULL))
    return;
  g_spawn_check_wait_status (domains.wait_status, &error);
  g_assert_no_error (error);
  g_clear_error (&error);
  root = parse_json (domains.out);
  require (root != NULL && JSON_NODE_HOLDS_ARRAY (root), "domains --json: not an array: %s", domains.out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);
      const char *name = json_string_member (obj, "name");

      if (g_strcmp0 (name, GUEST_A) == 0)
        {
          seen_a = TRUE;
          g_assert_cmpstr (json_string_member (obj, "state"), ==, "shutoff");
          g_assert_true (json_object_get_boolean_member (obj, "persistent"));
          g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (obj, "id")));
        }
      else if (g_strcmp0 (name, GUEST_B) == 0)
        {
          seen_b = TRUE;
          g_assert_cmpstr (json_string_member (obj, "state"), ==, "running");
          g_assert_cmpint (json_int_member (obj, "id"), >, 0);
        }
      else
        continue;
      g_assert_cmpint (json_int_member (obj, "vcpus"), ==, 2);
      g_assert_cmpint (json_int_member (obj, "memory_kib"), ==, GUEST_MEM_KIB);
    }
  g_assert_true (seen_a);
  g_assert_true (seen_b);
  g_clear_pointer (&root, json_node_unref);

  /* show kt-test-B --json */
  if (!run_cli (&show, "show", GUEST_B, "--json", NULL))
    return;
  g_spawn_check_wait_status (show.wait_status, &error);
  g_assert_no_error (error);
  g_clear_error (&error);
  root = parse_json (show.out);
  require (root != NULL && JSON_NODE_HOLDS_OBJECT (root), "show --json: not an object: %s", show.out);
  check_show_b (json_node_get_object (root), TRUE);

  /* domains, as text */
  if (!run_cli (&text, "domains", NULL))
    return;
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, GUEST_A));
  g_assert_nonnull (strstr (text.out, GUEST_B));

  /* A VM that is not there */
  if (!run_cli (&missing, "show", "no-such-vm", NULL))
    return;
  g_assert_false (g_spawn_check_wait_status (missing.wait_status, NULL));
  g_assert_cmpstr (missing.out, ==, "");
  g_assert_nonnull (strstr (missing.err, "no-such-vm"));
}

/* 5. errors and domains that go away --------------------------------------- */

static void
test_bad_uris (KtTestEmbed   *embed,
               gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  const char *uris[] = {
    "kt-bogus:///nowhere",
    "qemu:///embed",                                  /* no root */
    "qemu:///embed?root=relative/kt-root",
    "qemu:///embed?root=/nonexistent/kt-libvirt-root", /* a second embed root */
  };

  if (!embed->ready)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtConnection) conn = kt_connection_open (uris[i], FALSE, &error);

      g_assert_null (conn);
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_LIBVIRT, uris[i]);
      if (error != NULL)
        g_test_message ("%s: %s", uris[i], error->message);
    }
  g_assert_false (g_file_test ("/nonexistent/kt-libvirt-root", G_FILE_TEST_EXISTS));

  /* None of that disturbed the real connection */
  snapshot = kt_test_embed_capture (embed);
  g_assert_nonnull (snapshot);
  if (snapshot != NULL)
    g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, GUEST_B));
}

static void
test_vanished_domains (KtTestEmbed   *embed,
                       gconstpointer  data)
{
  virConnectPtr c;
  g_autofree char *xml_c = domain_xml (GUEST_C);
  g_autofree char *xml_t = domain_xml (GUEST_T);
  g_autoptr(KtSnapshot) before = NULL;
  g_autoptr(KtSnapshot) after = NULL;
  virDomainPtr dom_c, dom_t;
  KtVm *vm;

  if (!embed->ready)
    return;
  c = kt_connection_get_handle (embed->conn);

  /* C: persistent, shut off; T: transient, running */
  dom_c = virDomainDefineXML (c, xml_c);
  require (dom_c != NULL, "Cannot define %s", GUEST_C);
  dom_t = kt_test_embed_create (embed, GUEST_T, xml_t);
  if (dom_t == NULL)
    {
      virDomainUndefine (dom_c);
      virDomainFree (dom_c);
      return;
    }

  before = kt_test_embed_capture (embed);
  vm = before ? kt_snapshot_lookup_vm (before, GUEST_T) : NULL;
  g_assert_nonnull (vm);
  if (vm != NULL)
    {
      g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_RUNNING);
      g_assert_false (kt_vm_get_persistent (vm));
      g_assert_nonnull (kt_vm_get_live (vm));
      g_assert_null (kt_vm_get_inactive (vm));
    }
  g_assert_nonnull (before ? kt_snapshot_lookup_vm (before, GUEST_C) : NULL);

  /* A transient VM survives the snapshot format too */
  if (before != NULL)
    {
      g_autofree char *xml = kt_snapshot_to_xml (before);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtSnapshot) loaded = kt_snapshot_load_xml (xml, -1, &error);
      KtVm *back;

      g_assert_no_error (error);
      back = loaded ? kt_snapshot_lookup_vm (loaded, GUEST_T) : NULL;
      g_assert_nonnull (back);
      if (back != NULL)
        {
          g_autofree char *want = show_string (vm);
          g_autofree char *got = show_string (back);

          g_assert_false (kt_vm_get_persistent (back));
          g_assert_null (kt_vm_get_inactive (back));
          g_assert_cmpstr (got, ==, want);
        }
    }

  /* Both go away */
  g_assert_cmpint (virDomainUndefine (dom_c), ==, 0);
  g_assert_cmpint (virDomainDestroy (dom_t), ==, 0);
  virDomainFree (dom_c);
  virDomainFree (dom_t);

  after = kt_test_embed_capture (embed);
  require (after != NULL, "capture after undefine failed");
  g_assert_null (kt_snapshot_lookup_vm (after, GUEST_C));
  g_assert_null (kt_snapshot_lookup_vm (after, GUEST_T));
  g_assert_nonnull (kt_snapshot_lookup_vm (after, GUEST_A));
  g_assert_nonnull (kt_snapshot_lookup_vm (after, GUEST_B));

  /* The earlier snapshot is a copy: still whole */
  vm = before ? kt_snapshot_lookup_vm (before, GUEST_C) : NULL;
  if (vm != NULL)
    {
      g_autofree char *xml = kt_domain_to_xml (kt_vm_get_inactive (vm));

      g_assert_nonnull (strstr (xml, GUEST_C));
    }
}

/* Domains defined and undefined while captures run: the capture must skip
 * the ones that vanish under it, never fail.  The churn keeps a ring of
 * CHURN_RING domains defined, undefining the oldest and defining a new one
 * each step, so most captures list some that go away before they are read. */
#define CHURN_RING 4

typedef struct
{
  virConnectPtr conn;
  gint          stop;
  guint         cycles;
  guint         failures;
} Churn;

static gint n_no_domain_errors;

static void
count_no_domain (void        *data,
                 virErrorPtr  err)
{
  if (err != NULL && err->code == VIR_ERR_NO_DOMAIN)
    g_atomic_int_inc (&n_no_domain_errors);
}

static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;
  virDomainPtr ring[CHURN_RING] = { NULL, };

  while (!g_atomic_int_get (&churn->stop))
    {
      guint slot = churn->cycles % CHURN_RING;
      g_autofree char *name = g_strdup_printf ("kt-test-churn-%u", churn->cycles);
      g_autofree char *xml = domain_xml (name);

      if (ring[slot] != NULL)
        {
          if (virDomainUndefine (ring[slot]) < 0)
            churn->failures++;
          g_clear_pointer (&ring[slot], virDomainFree);
        }
      ring[slot] = virDomainDefineXML (churn->conn, xml);
      if (ring[slot] == NULL)
        churn->failures++;
      virResetLastError ();
      churn->cycles++;
    }
  for (guint i = 0; i < CHURN_RING; i++)
    if (ring[i] != NULL)
      {
        if (virDomainUndefine (ring[i]) < 0)
          churn->failures++;
        virDomainFree (ring[i]);
      }
  virResetLastError ();
  return NULL;
}

static void
test_capture_while_churning (KtTestEmbed   *embed,
                             gconstpointer  data)
{
  Churn churn = { 0, };
  GThread *thread;
  guint captures = 0, saw_churn = 0;
  g_autoptr(KtSnapshot) last = NULL;
  double t0;

  if (!embed->ready)
    return;

  /* Counts the libvirt errors that mean "gone" (the capture skips them);
   * as quiet as kt_connection_init_events()'s own handler */
  virSetErrorFunc (NULL, count_no_domain);
  g_atomic_int_set (&n_no_domain_errors, 0);

  churn.conn = kt_connection_get_handle (embed->conn);
  thread = g_thread_new ("churn", churn_thread, &churn);
  t0 = kt_test_embed_now ();
  while (captures < 400 && kt_test_embed_now () - t0 < 2.0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtSnapshot) snapshot = kt_connection_capture (embed->conn, &error);
      GListModel *vms;

      captures++;
      g_assert_no_error (error);
      if (snapshot == NULL)
        break;
      g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, GUEST_A));
      g_assert_nonnull (kt_snapshot_lookup_vm (snapshot, GUEST_B));
      vms = kt_snapshot_get_vms (snapshot);
      for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
        {
          g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

          g_assert_nonnull (kt_vm_get_effective (vm));
          if (g_str_has_prefix (kt_vm_get_name (vm), "kt-test-churn-"))
            {
              saw_churn++;
              g_assert_cmpint (kt_vm_get_state (vm), ==, KT_VM_STATE_SHUTOFF);
              g_assert_nonnull (kt_vm_get_inactive (vm));
            }
        }
    }
  g_atomic_int_set (&churn.stop, 1);
  g_thread_join (thread);
  g_test_message ("%u captures in %.2f s against %u define/undefine cycles: "
                  "%u churning domains captured, %d vanished mid-capture",
                  captures, kt_test_embed_now () - t0, churn.cycles, saw_churn,
                  g_atomic_int_get (&n_no_domain_errors));
  g_assert_cmpuint (churn.failures, ==, 0);
  g_assert_cmpuint (churn.cycles, >, 0);
  g_assert_cmpuint (captures, >, 0);

  /* And once the churn stops, none is left */
  last = kt_test_embed_capture (embed);
  if (last != NULL)
    g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (last)), ==, 2);
}

/* main --------------------------------------------------------------------- */

/* 8. live memory facts go through a snapshot file ------------------------- */

/* A number from a sysfs file of node @node, or -1 */
static gint64
sysfs_node_value (int         node,
                  const char *rel,
                  const char *key)
{
  g_autofree char *path = g_strdup_printf ("/sys/devices/system/node/node%d/%s", node, rel);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  if (key == NULL)
    return g_ascii_strtoll (text, NULL, 10);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *at = strstr (lines[i], key);

      if (at != NULL)
        return g_ascii_strtoll (at + strlen (key), NULL, 10);
    }
  return -1;
}

static void
test_free_memory_snapshot (KtTestEmbed   *embed,
                           gconstpointer  data)
{
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSnapshot) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *as_of = NULL;
  KtHost *host, *back;
  guint n_pools = 0;

  if (!embed->ready)
    return;

  snapshot = kt_test_embed_capture (embed);
  require (snapshot != NULL, "no snapshot");
  host = kt_snapshot_get_host (snapshot);
  g_assert_null (kt_host_get_free_time (host));     /* live figures */

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);
      gint64 sys_free = sysfs_node_value (node->id, "meminfo", "MemFree:");

      /* libvirt's figure agrees with the kernel's, give or take what
       * others allocated meanwhile */
      g_assert_cmpint (node->free_kib, >=, 0);
      if (sys_free >= 0)
        {
          g_test_message ("node %d: %" G_GINT64_FORMAT " KiB free, sysfs %" G_GINT64_FORMAT,
                          node->id, node->free_kib, sys_free);
          g_assert_cmpint (ABS (node->free_kib - sys_free), <, MAX (sys_free / 4, 262144));
        }
      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *pg = &g_array_index (node->pages, KtHostPages, p);
          g_autofree char *rel = g_strdup_printf ("hugepages/hugepages-%" G_GUINT64_FORMAT
                                                  "kB/free_hugepages", pg->size_kib);
          gint64 sys_pages = sysfs_node_value (node->id, rel, NULL);

          g_assert_cmpint (pg->free, >=, 0);
          if (sys_pages >= 0)
            {
              g_assert_cmpint (pg->free, ==, sys_pages);
              n_pools++;
            }
        }
    }
  g_test_message ("%u huge page pools checked against sysfs", n_pools);

  path = g_build_filename (embed->root, "free.kvmtune", NULL);
  kt_snapshot_save (snapshot, path, &error);
  g_assert_no_error (error);
  loaded = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  require (loaded != NULL, "cannot load %s", path);
  back = kt_snapshot_get_host (loaded);

  /* The same figures, offline, with when they were read */
  g_assert_nonnull (kt_host_get_free_time (back));
  as_of = kt_describe_free_as_of (back);
  g_assert_nonnull (as_of);
  g_test_message ("%s", as_of);
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);
      const KtHostNode *again = kt_host_lookup_node (back, node->id);

      require (again != NULL, "node %d lost", node->id);
      g_assert_cmpint (again->free_kib, ==, node->free_kib);
      g_assert_cmpuint (again->pages->len, ==, node->pages->len);
      for (guint p = 0; p < node->pages->len && p < again->pages->len; p++)
        g_assert_cmpint (g_array_index (again->pages, KtHostPages, p).free, ==,
                         g_array_index (node->pages, KtHostPages, p).free);
    }
  g_unlink (path);
}

/* 9. where libvirt puts unpinned threads is where the map says -------------- */

/* kt-test-D: <vcpu cpuset='0'> with vCPU 1 pinned to CPU 1, the emulator
 * on CPU 1, one IOThread without a pin.  The kernel's affinities of its
 * threads must be what kt_placement_list_vm () says, and why. */
static void
test_default_pins_live (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  long online = sysconf (_SC_NPROCESSORS_ONLN);
  static const char xml[] =
    "<domain type='qemu'>\n"
    "  <name>kt-test-D</name>\n"
    "  <memory unit='MiB'>64</memory>\n"
    "  <vcpu placement='static' cpuset='0'>2</vcpu>\n"
    "  <iothreads>1</iothreads>\n"
    "  <cputune><vcpupin vcpu='1' cpuset='1'/><emulatorpin cpuset='1'/></cputune>\n"
    "  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\n"
    "  <devices><emulator>" KT_TEST_EMBED_QEMU "</emulator></devices>\n"
    "</domain>\n";
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) placements = NULL;
  virDomainPtr dom;
  KtVm *vm;
  pid_t pid;
  guint checked = 0;

  if (online < 2)
    {
      g_test_skip ("needs two online CPUs");
      return;
    }
  if (!embed->ready)
    return;
  dom = kt_test_embed_create (embed, "kt-test-D", xml);
  require (dom != NULL, "kt-test-D did not start");
  pid = kt_test_embed_qemu_pid (embed->root, "kt-test-D");

  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, "kt-test-D") : NULL;
  if (vm != NULL)
    placements = kt_placement_list_vm (snapshot, vm);
  for (guint i = 0; placements != NULL && i < placements->len; i++)
    {
      const KtPlacement *p = g_ptr_array_index (placements, i);
      g_autofree char *comm = p->kind == KT_THREAD_VCPU ? g_strdup_printf ("CPU %u/TCG", p->index)
                              : p->kind == KT_THREAD_IOTHREAD
                              ? g_strdup_printf ("IO iothread%u", p->index)
                              : g_strdup ("qemu-system-x86");
      g_autofree char *allowed = kt_test_embed_thread_allowed (pid, comm);
      g_autofree char *said = kt_cpuset_format (p->allowed);
      g_autoptr(KtCpuset) kernel = allowed ? kt_test_parse_set (g_strstrip (allowed)) : NULL;

      g_test_message ("%s: kernel %s, placement %s (source %d)", comm,
                      allowed ? allowed : "?", said, p->source);
      if (kernel == NULL)
        {
          g_test_fail_printf ("no thread '%s' of kt-test-D (pid %d)", comm, (int) pid);
          continue;
        }
      g_assert_cmpstr (said, ==, allowed);
      if (p->kind == KT_THREAD_EMULATOR || (p->kind == KT_THREAD_VCPU && p->index == 1))
        g_assert_cmpint (p->source, ==, KT_PIN_SOURCE_OWN);
      else
        g_assert_cmpint (p->source, ==, KT_PIN_SOURCE_DEFAULT);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 4);    /* two vCPUs, the emulator, the IOThread */

  virDomainDestroy (dom);
  virDomainFree (dom);
}

/* 10. a running VM's offline vCPUs: counted, no thread, none on the map ---- */

static void
test_offline_vcpus_live (KtTestEmbed   *embed,
                         gconstpointer  data)
{
  static const char xml[] =
    "<domain type='qemu'>\n"
    "  <name>kt-test-E</name>\n"
    "  <memory unit='MiB'>64</memory>\n"
    "  <vcpu placement='static' current='1'>2</vcpu>\n"
    "  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\n"
    "  <devices><emulator>" KT_TEST_EMBED_QEMU "</emulator></devices>\n"
    "</domain>\n";
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) placements = NULL;
  g_autoptr(KtTuning) t = NULL;
  g_autofree char *count = NULL;
  g_autofree char *cpu1 = NULL;
  g_autofree char *cpu0 = NULL;
  virDomainPtr dom;
  KtVm *vm;
  pid_t pid;
  guint n_vcpus = 0;

  if (!embed->ready)
    return;
  dom = kt_test_embed_create (embed, "kt-test-E", xml);
  require (dom != NULL, "kt-test-E did not start");
  pid = kt_test_embed_qemu_pid (embed->root, "kt-test-E");
  cpu0 = kt_test_embed_thread_allowed (pid, "CPU 0/TCG");
  cpu1 = kt_test_embed_thread_allowed (pid, "CPU 1/TCG");
  g_assert_nonnull (cpu0);
  g_assert_null (cpu1);      /* QEMU has no thread for it */

  snapshot = kt_test_embed_capture (embed);
  vm = snapshot ? kt_snapshot_lookup_vm (snapshot, "kt-test-E") : NULL;
  require (vm != NULL, "kt-test-E not captured");
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  count = kt_describe_vcpu_count (t);
  g_assert_cmpstr (count, ==, "1 of 2 vCPUs");
  g_assert_true (kt_tuning_vcpu_is_online (t, 0));
  g_assert_false (kt_tuning_vcpu_is_online (t, 1));
  placements = kt_placement_list_vm (snapshot, vm);
  for (guint i = 0; i < placements->len; i++)
    if (((KtPlacement *) g_ptr_array_index (placements, i))->kind == KT_THREAD_VCPU)
      n_vcpus++;
  g_assert_cmpuint (n_vcpus, ==, 1);

  virDomainDestroy (dom);
  virDomainFree (dom);
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
    {
      g_printerr ("#\n# ##################################################################\n"
                  "# test-libvirt: SKIPPING every real-libvirt case: %s\n"
                  "# ##################################################################\n#\n",
                  env.skip_reason);
    }
  else
    atexit (teardown);

  g_test_add ("/libvirt/capture", KtTestEmbed, NULL,
              kt_test_embed_setup, test_capture, kt_test_embed_teardown);
  g_test_add ("/libvirt/pins-visible", KtTestEmbed, NULL,
              kt_test_embed_setup, test_pins_visible, kt_test_embed_teardown);
  g_test_add ("/libvirt/snapshot-roundtrip", KtTestEmbed, NULL,
              kt_test_embed_setup, test_snapshot_roundtrip, kt_test_embed_teardown);
  g_test_add ("/libvirt/cli-on-snapshot", KtTestEmbed, NULL,
              kt_test_embed_setup, test_cli_snapshot, kt_test_embed_teardown);
  g_test_add ("/libvirt/bad-uris", KtTestEmbed, NULL,
              kt_test_embed_setup, test_bad_uris, kt_test_embed_teardown);
  g_test_add ("/libvirt/vanished-domains", KtTestEmbed, NULL,
              kt_test_embed_setup, test_vanished_domains, kt_test_embed_teardown);
  g_test_add ("/libvirt/capture-while-churning", KtTestEmbed, NULL,
              kt_test_embed_setup, test_capture_while_churning, kt_test_embed_teardown);
  g_test_add ("/libvirt/free-memory-snapshot", KtTestEmbed, NULL,
              kt_test_embed_setup, test_free_memory_snapshot, kt_test_embed_teardown);
  g_test_add ("/libvirt/default-pins-live", KtTestEmbed, NULL,
              kt_test_embed_setup, test_default_pins_live, kt_test_embed_teardown);
  g_test_add ("/libvirt/offline-vcpus-live", KtTestEmbed, NULL,
              kt_test_embed_setup, test_offline_vcpus_live, kt_test_embed_teardown);

  ret = g_test_run ();
  teardown ();
  g_free (env.skip_reason);
  return ret;
}
