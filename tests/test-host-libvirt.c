/* test-host-libvirt.c: host tuning through real libvirt (qemu:///embed)
 *
 * As root, in a private mount namespace (the hugetlbfs mount and the
 * fault below vanish with the process):
 *   - a 2 MiB pool on node 0 through virNodeAllocPages, checked in sysfs;
 *     a TCG guest backed by it (hugetlbfs_mount in the embed root's
 *     qemu.conf) takes its pages from HugePages_Free; revert from a fresh
 *     KvmTune control puts the pool back;
 *   - merge_across_nodes changed through virNodeSetMemoryParameters (with
 *     the unmerge around it) and reverted;
 *   - all or nothing: THP, numa_balancing, KSM and a 2 MiB pool change,
 *     then the 1 GiB pool cannot (its nr_hugepages is covered by a
 *     read-only file): every earlier value is back.
 * Every kernel value touched is saved first and put back at exit, on a
 * signal and in each case's teardown (kt-test-knob-guard).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kt-host-apply.h"
#include "kt-host-knobs.h"
#include "kt-host-profile.h"
#include "kt-host-probe.h"
#include "kt-test-embed.h"
#include "kt-test-knob-guard.h"

#define GUEST_PREFIX "kt-hosttune-"
#define NODE0_2M  "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"
#define NODE0_1G  "/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
#define THP_DEFRAG  "/sys/kernel/mm/transparent_hugepage/defrag"
#define NUMA_BAL    "/proc/sys/kernel/numa_balancing"
#define KSM_RUN     "/sys/kernel/mm/ksm/run"
#define KSM_MERGE   "/sys/kernel/mm/ksm/merge_across_nodes"
#define KSM_SCAN    "/sys/kernel/mm/ksm/pages_to_scan"
#define KSM_SLEEP   "/sys/kernel/mm/ksm/sleep_millisecs"

static const char * const guarded[] = {
  THP_ENABLED, THP_DEFRAG, NUMA_BAL, KSM_RUN, KSM_MERGE, KSM_SCAN, KSM_SLEEP, NODE0_2M, NULL
};

static char *hugetlbfs_dir;
static char *state_dir;
static char *qemu_conf_extra;

static KtTestEmbedEnv env =
  KT_TEST_EMBED_INIT ("test-host-libvirt", GUEST_PREFIX, "kt-hosttune-XXXXXX", FALSE, NULL);

static gboolean dropins_made;

static void
remove_dropins (void)
{
  /* Only ours: the case skips when the machine had them before */
  if (dropins_made)
    {
      g_unlink (KT_HOST_PERSIST_SYSCTL_PATH);
      g_unlink (KT_HOST_PERSIST_TMPFILES_PATH);
    }
}

static void
teardown_all (void)
{
  kt_test_embed_finish (&env);
  remove_dropins ();
  kt_test_knob_guard_restore ();
  if (hugetlbfs_dir != NULL)
    {
      umount2 (hugetlbfs_dir, MNT_DETACH);
      rmdir (hugetlbfs_dir);
      g_clear_pointer (&hugetlbfs_dir, g_free);
    }
}

/* Every case: the shared embed root, and the machine's values back in
 * teardown, whatever happened */
static void
fixture_setup (KtTestEmbed   *embed,
               gconstpointer  data)
{
  kt_test_embed_setup (embed, data);
}

static void
fixture_teardown (KtTestEmbed   *embed,
                  gconstpointer  data)
{
  g_autofree char *left = NULL;

  kt_test_knob_guard_restore ();
  remove_dropins ();
  left = kt_test_knob_guard_check ();
  if (left != NULL)
    g_test_fail_printf ("teardown could not restore: %s", left);
  kt_test_embed_teardown (embed, data);
}

static gint64
raw_number (const char *path)
{
  g_autofree char *text = kt_test_knob_read_raw (path);

  return text ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static gint64
meminfo (const char *field)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return -1;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], field) && lines[i][strlen (field)] == ':')
      return g_ascii_strtoll (lines[i] + strlen (field) + 1, NULL, 10);
  return -1;
}

/* A kernel file's value in one write(2), as echo does */
static gboolean
write_line (const char *path,
            const char *value)
{
  g_autofree char *line = g_strconcat (value, "\n", NULL);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, line, strlen (line)) == (ssize_t) strlen (line);
  return close (fd) == 0 && ok;
}

static GPtrArray *
targets_of (const char *first_key,
            ...)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  va_list args;

  va_start (args, first_key);
  for (const char *key = first_key; key; key = va_arg (args, const char *))
    {
      KtHostTarget *t = g_new0 (KtHostTarget, 1);

      t->key = g_strdup (key);
      t->value = g_strdup (va_arg (args, const char *));
      g_ptr_array_add (targets, t);
    }
  va_end (args);
  return targets;
}

static void
test_read (KtTestEmbed   *embed,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostTuning) t = NULL;
  g_autofree char *thp = NULL;
  const KtHugePool *pool;

  if (!embed->ready)
    return;
  t = kt_host_probe (embed->conn, &error);
  g_assert_no_error (error);
  kt_test_embed_require (t != NULL, "no tuning read");

  /* Checked against the kernel files, read here independently */
  thp = kt_test_knob_read_raw (THP_ENABLED);
  g_assert_cmpstr (t->thp_enabled, ==, thp);
  g_assert_cmpint (t->ksm_pages_to_scan, ==, raw_number (KSM_SCAN));
  g_assert_cmpint (t->ksm_merge_across_nodes, ==, raw_number (KSM_MERGE));
  g_assert_cmpint (t->ksm_run, ==, raw_number (KSM_RUN));
  g_assert_cmpint (t->numa_balancing, ==, raw_number (NUMA_BAL));
  pool = kt_host_tuning_lookup_pool (t, 0, 2048);
  kt_test_embed_require (pool != NULL, "no 2 MiB pool on node 0");
  g_assert_cmpint (pool->total, ==, raw_number (NODE0_2M));
  g_assert_cmpint (pool->mounted, ==, 1);   /* our hugetlbfs */
  g_assert_cmpuint (t->default_hugepage_kib, ==, (guint64) meminfo ("Hugepagesize"));
}

static char *
hugepage_guest_xml (const char *name)
{
  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <memoryBacking><hugepages><page size='2048' unit='KiB'/>"
                          "</hugepages></memoryBacking>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\n"
                          "  <devices><emulator>" KT_TEST_EMBED_QEMU "</emulator></devices>\n"
                          "</domain>\n", name);
}

static void
test_pages_guest_revert (KtTestEmbed   *embed,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostControl) later = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *count = NULL;
  g_autofree char *revert_path = NULL;
  const KtHostChange *c;
  gint64 before, free_before, free_running;
  virDomainPtr dom;

  if (!embed->ready)
    return;
  before = raw_number (NODE0_2M);
  count = g_strdup_printf ("%" G_GINT64_FORMAT, before + 40);
  control = kt_host_control_new (embed->conn, NULL);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  targets = targets_of ("hugepages.0.2048", count, NULL);
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
  g_assert_no_error (error);
  kt_test_embed_require (plan != NULL && plan->changes->len == 1, "no plan");
  c = g_ptr_array_index (plan->changes, 0);
  g_assert_cmpstr (c->mechanism_text, ==, "virNodeAllocPages node 0");
  g_assert_cmpint (c->mechanism, ==, KT_HOST_MECHANISM_PAGES);

  kt_host_control_apply (control, plan, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_number (NODE0_2M), ==, before + 40);
  revert_path = kt_host_control_revert_path (control);
  g_assert_true (g_file_test (revert_path, G_FILE_TEST_IS_REGULAR));

  /* A guest on those pages: 64 MiB are 32 of them */
  free_before = meminfo ("HugePages_Free");
  xml = hugepage_guest_xml (GUEST_PREFIX "hp");
  dom = kt_test_embed_create (embed, GUEST_PREFIX "hp", xml);
  kt_test_embed_require (dom != NULL, "the hugepage guest did not start");
  free_running = meminfo ("HugePages_Free");
  g_test_message ("HugePages_Free %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT,
                  free_before, free_running);
  g_assert_cmpint (free_before - free_running, ==, 32);
  virDomainDestroy (dom);
  virDomainFree (dom);
  g_assert_cmpint (meminfo ("HugePages_Free"), ==, free_before);

  /* Revert from a fresh control, as after a restart: the saved file */
  later = kt_host_control_new (embed->conn, NULL);
  g_assert_true (kt_host_control_has_revert (later));
  kt_host_control_revert (later, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_number (NODE0_2M), ==, before);
  g_assert_false (g_file_test (revert_path, G_FILE_TEST_EXISTS));
}

static void
test_merge_across_nodes (KtTestEmbed   *embed,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  gint64 merge = raw_number (KSM_MERGE);
  gint64 run = raw_number (KSM_RUN);
  const KtHostChange *c;

  if (!embed->ready)
    return;
  kt_test_embed_require (merge >= 0 && run >= 0, "no KSM here");
  control = kt_host_control_new (embed->conn, NULL);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  targets = targets_of ("ksm.merge_across_nodes", merge ? "0" : "1", NULL);
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
  g_assert_no_error (error);
  kt_test_embed_require (plan != NULL && plan->changes->len == 1, "no plan");
  c = g_ptr_array_index (plan->changes, 0);
  g_assert_cmpint (c->mechanism, ==, KT_HOST_MECHANISM_MEMORY);
  g_assert_true (g_str_has_prefix (c->mechanism_text, "virNodeSetMemoryParameters"));

  kt_host_control_apply (control, plan, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_number (KSM_MERGE), ==, !merge);
  g_assert_cmpint (raw_number (KSM_RUN), ==, run);   /* run restored after the unmerge */

  kt_host_control_revert (control, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_number (KSM_MERGE), ==, merge);
  g_assert_cmpint (raw_number (KSM_RUN), ==, run);
}

/* A read-only file over the 1 GiB pool's nr_hugepages: the kernel file
 * libvirt writes is not writable any more, only in this namespace */
static char *
block_gigantic_pool (void)
{
  g_autofree char *fake = g_build_filename (state_dir, "fake-nr_hugepages", NULL);
  g_autofree char *now = kt_test_knob_read_raw (NODE0_1G);

  g_autofree char *line = now ? g_strconcat (now, "\n", NULL) : NULL;

  if (now == NULL || !g_file_set_contents (fake, line, -1, NULL))
    return NULL;
  if (mount (fake, NODE0_1G, NULL, MS_BIND, NULL) < 0)
    return NULL;
  if (mount (NULL, NODE0_1G, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    {
      umount2 (NODE0_1G, MNT_DETACH);
      return NULL;
    }
  return g_steal_pointer (&now);
}

static void
test_all_or_nothing (KtTestEmbed   *embed,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *thp = kt_test_knob_read_raw (THP_ENABLED);
  g_autofree char *defrag = kt_test_knob_read_raw (THP_DEFRAG);
  g_autofree char *gig_before = NULL;
  g_autofree char *pages = NULL;
  g_autofree char *gig = NULL;
  g_autofree char *scan = NULL;
  g_autofree char *revert_path = NULL;
  gint64 numa = raw_number (NUMA_BAL);
  gint64 scan_before = raw_number (KSM_SCAN);
  gint64 pages_before = raw_number (NODE0_2M);
  gint64 run = raw_number (KSM_RUN);

  if (!embed->ready)
    return;
  gig_before = block_gigantic_pool ();
  kt_test_embed_require (gig_before != NULL, "cannot cover %s", NODE0_1G);

  pages = g_strdup_printf ("%" G_GINT64_FORMAT, pages_before + 8);
  gig = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (gig_before, NULL, 10) + 1);
  scan = g_strdup_printf ("%" G_GINT64_FORMAT, scan_before + 17);
  control = kt_host_control_new (embed->conn, NULL);
  revert_path = kt_host_control_revert_path (control);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  targets = targets_of ("thp.enabled", g_str_equal (thp, "never") ? "madvise" : "never",
                        "thp.defrag", g_str_equal (defrag, "never") ? "madvise" : "never",
                        "numa_balancing", numa == 0 ? "1" : "0",
                        "ksm.pages_to_scan", scan,
                        "ksm.run", run == 1 ? "0" : "1",
                        "hugepages.0.2048", pages,
                        "hugepages.0.1048576", gig,
                        NULL);
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
  g_assert_no_error (error);
  kt_test_embed_require (plan != NULL && plan->changes->len == 7, "no plan of 7 changes");
  /* The failing step is the last */
  g_assert_cmpstr (((KtHostChange *) g_ptr_array_index (plan->changes, 6))->key, ==,
                   "hugepages.0.1048576");

  g_assert_false (kt_host_control_apply (control, plan, &error));
  g_assert_nonnull (error);
  if (error != NULL)
    {
      g_test_message ("%s", error->message);
      g_assert_true (strstr (error->message, "hugepages.0.1048576") != NULL);
      g_assert_true (strstr (error->message, "put back") != NULL);
    }
  umount2 (NODE0_1G, MNT_DETACH);

  /* Every earlier step is back, and no revert file is left */
  {
    g_autofree char *thp_now = kt_test_knob_read_raw (THP_ENABLED);
    g_autofree char *defrag_now = kt_test_knob_read_raw (THP_DEFRAG);

    g_assert_cmpstr (thp_now, ==, thp);
    g_assert_cmpstr (defrag_now, ==, defrag);
  }
  g_assert_cmpint (raw_number (NUMA_BAL), ==, numa);
  g_assert_cmpint (raw_number (KSM_SCAN), ==, scan_before);
  g_assert_cmpint (raw_number (KSM_RUN), ==, run);
  g_assert_cmpint (raw_number (NODE0_2M), ==, pages_before);
  g_assert_false (g_file_test (revert_path, G_FILE_TEST_EXISTS));
}

/* "Keep after reboot": the drop-ins hold the values, revert removes them */
static void
test_persistent (KtTestEmbed   *embed,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GHashTable) persisted = NULL;
  g_autofree char *thp = kt_test_knob_read_raw (THP_ENABLED);
  g_autofree char *thp_now = NULL;
  const char *other = g_str_equal (thp, "never") ? "madvise" : "never";

  if (!embed->ready)
    return;
  if (g_file_test (KT_HOST_PERSIST_SYSCTL_PATH, G_FILE_TEST_EXISTS)
      || g_file_test (KT_HOST_PERSIST_TMPFILES_PATH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has KvmTune drop-ins already: left alone");
      return;
    }
  dropins_made = TRUE;
  control = kt_host_control_new (embed->conn, NULL);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  targets = targets_of ("thp.enabled", other, "numa_balancing",
                        raw_number (NUMA_BAL) == 0 ? "1" : "0", NULL);
  plan = kt_host_control_plan (control, current, targets, TRUE, TRUE, &error);
  g_assert_no_error (error);
  kt_test_embed_require (plan != NULL && plan->persistent, "no persistent plan");
  g_assert_true (kt_host_control_apply (control, plan, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (KT_HOST_PERSIST_SYSCTL_PATH, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (KT_HOST_PERSIST_TMPFILES_PATH, G_FILE_TEST_IS_REGULAR));
  persisted = kt_host_persist_read (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (persisted, "thp.enabled"), ==, other);

  g_assert_true (kt_host_control_revert (control, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (KT_HOST_PERSIST_SYSCTL_PATH, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (KT_HOST_PERSIST_TMPFILES_PATH, G_FILE_TEST_EXISTS));
  thp_now = kt_test_knob_read_raw (THP_ENABLED);
  g_assert_cmpstr (thp_now, ==, thp);
}

/* The "done when": a host in the wrong shape, "Pinned / low
 * latency" applied with its pools sized to a defined hugepage-backed VM,
 * each value changed, then Revert puts every one back */
static void
test_low_latency_profile (KtTestEmbed   *embed,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *thp = NULL;
  g_autofree char *defrag = NULL;
  gint64 pages_before = raw_number (NODE0_2M);
  virDomainPtr dom;

  if (!embed->ready)
    return;
  /* The wrong shape (the guard puts the machine's own values back) */
  kt_test_embed_require (write_line (THP_ENABLED, "always") && write_line (THP_DEFRAG, "always")
                         && write_line (NUMA_BAL, "1") && write_line (KSM_RUN, "1"),
                         "cannot put the host in the wrong shape");
  xml = hugepage_guest_xml (GUEST_PREFIX "ll");
  dom = virDomainDefineXML (kt_connection_get_handle (embed->conn), xml);
  kt_test_embed_require (dom != NULL, "cannot define the guest");
  virDomainFree (dom);

  snapshot = kt_test_embed_capture (embed);
  control = kt_host_control_new (embed->conn, snapshot);
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  profiles = kt_host_profile_load_all (NULL, &error);
  g_assert_no_error (error);
  plan = kt_host_control_plan_profile (control, current,
                                       kt_host_profile_find (profiles, "low-latency"),
                                       FALSE, &error);
  g_assert_no_error (error);
  kt_test_embed_require (plan != NULL, "no plan");
  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      g_test_message ("%s: %s -> %s (%s)", c->key, c->old_value, c->new_value, c->mechanism_text);
    }
  g_assert_true (kt_host_control_apply (control, plan, &error));
  g_assert_no_error (error);

  thp = kt_test_knob_read_raw (THP_ENABLED);
  defrag = kt_test_knob_read_raw (THP_DEFRAG);
  g_assert_cmpstr (thp, ==, "madvise");
  g_assert_cmpstr (defrag, ==, "madvise");
  g_assert_cmpint (raw_number (NUMA_BAL), ==, 0);
  g_assert_cmpint (raw_number (KSM_RUN), ==, 0);
  /* 64 MiB in 2 MiB pages, no numatune: node 0's pool, the only one */
  g_assert_cmpint (raw_number (NODE0_2M), ==, 32);

  g_assert_true (kt_host_control_revert (control, &error));
  g_assert_no_error (error);
  g_clear_pointer (&thp, g_free);
  g_clear_pointer (&defrag, g_free);
  thp = kt_test_knob_read_raw (THP_ENABLED);
  defrag = kt_test_knob_read_raw (THP_DEFRAG);
  g_assert_cmpstr (thp, ==, "always");
  g_assert_cmpstr (defrag, ==, "always");
  g_assert_cmpint (raw_number (NUMA_BAL), ==, 1);
  g_assert_cmpint (raw_number (KSM_RUN), ==, 1);
  g_assert_cmpint (raw_number (NODE0_2M), ==, pages_before);

  dom = virDomainLookupByName (kt_connection_get_handle (embed->conn), GUEST_PREFIX "ll");
  if (dom != NULL)
    {
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
}

/* `kvmtune-cli snapshot` captures the host's tuning (a root of its own:
 * one process per embed root) */
static void
test_snapshot_captures (KtTestEmbed   *embed,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *file = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *thp = kt_test_knob_read_raw (THP_ENABLED);
  g_autoptr(KtSnapshot) snapshot = NULL;
  KtHostTuning *t;
  int status = -1;

  if (!embed->ready)
    return;
  root = kt_test_embed_make_root ("kt-hosttune-cli-XXXXXX", &error);
  g_assert_no_error (error);
  kt_test_embed_require (root != NULL, "no root for the CLI");
  uri = kt_test_embed_uri (root);
  file = g_build_filename (state_dir, "captured.kvmtune", NULL);
  {
    const char *argv[] = { g_getenv ("KT_CLI"), "--connect", uri, "snapshot", "-o", file, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  kt_test_embed_remove_root (root, GUEST_PREFIX, "test-host-libvirt");
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  snapshot = kt_snapshot_load_file (file, &error);
  g_assert_no_error (error);
  kt_test_embed_require (snapshot != NULL, "no snapshot: %s", err);
  t = kt_snapshot_get_host_tuning (snapshot);
  kt_test_embed_require (t != NULL, "the snapshot holds no host tuning");
  g_assert_cmpstr (t->thp_enabled, ==, thp);
  g_assert_cmpint (t->numa_balancing, ==, raw_number (NUMA_BAL));
  g_assert_cmpint (t->ksm_pages_to_scan, ==, raw_number (KSM_SCAN));
  g_assert_nonnull (kt_host_tuning_lookup_pool (t, 0, 2048));
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
  if (env.skip_reason == NULL && !g_file_test (NODE0_2M, G_FILE_TEST_EXISTS))
    env.skip_reason = g_strdup ("no 2 MiB hugepage pool on node 0");
  if (env.skip_reason == NULL && unshare (CLONE_NEWNS) < 0)
    env.skip_reason = g_strdup_printf ("no private mount namespace: %s", g_strerror (errno));
  if (env.skip_reason == NULL && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    env.skip_reason = g_strdup_printf ("cannot make the mounts private: %s", g_strerror (errno));
  if (env.skip_reason == NULL)
    {
      state_dir = g_dir_make_tmp ("kt-hosttune-state-XXXXXX", NULL);
      g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
      hugetlbfs_dir = g_build_filename (state_dir, "hugetlbfs", NULL);
      g_mkdir (hugetlbfs_dir, 0755);
      if (mount ("none", hugetlbfs_dir, "hugetlbfs", 0, NULL) < 0)
        env.skip_reason = g_strdup_printf ("cannot mount hugetlbfs: %s", g_strerror (errno));
      qemu_conf_extra = g_strdup_printf ("hugetlbfs_mount = \"%s\"\n", hugetlbfs_dir);
      env.qemu_conf_extra = qemu_conf_extra;
    }
  if (env.skip_reason != NULL)
    g_printerr ("#\n# test-host-libvirt: SKIPPING every case: %s\n#\n", env.skip_reason);
  else
    {
      /* Saved before libvirt starts: the guard's exit handler runs last */
      for (guint i = 0; guarded[i]; i++)
        kt_test_knob_guard_save (guarded[i]);
      atexit (teardown_all);
    }

  g_test_add ("/host-libvirt/read", KtTestEmbed, NULL, fixture_setup, test_read, fixture_teardown);
  g_test_add ("/host-libvirt/pages-guest-revert", KtTestEmbed, NULL, fixture_setup,
              test_pages_guest_revert, fixture_teardown);
  g_test_add ("/host-libvirt/merge-across-nodes", KtTestEmbed, NULL, fixture_setup,
              test_merge_across_nodes, fixture_teardown);
  g_test_add ("/host-libvirt/all-or-nothing", KtTestEmbed, NULL, fixture_setup,
              test_all_or_nothing, fixture_teardown);
  g_test_add ("/host-libvirt/low-latency-profile", KtTestEmbed, NULL, fixture_setup,
              test_low_latency_profile, fixture_teardown);
  g_test_add ("/host-libvirt/snapshot-captures", KtTestEmbed, NULL, fixture_setup,
              test_snapshot_captures, fixture_teardown);
  g_test_add ("/host-libvirt/persistent", KtTestEmbed, NULL, fixture_setup, test_persistent,
              fixture_teardown);

  ret = g_test_run ();
  teardown_all ();
  if (state_dir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state_dir);

      if (system (cmd) != 0)
        g_printerr ("# could not remove %s\n", state_dir);
    }
  g_free (env.skip_reason);
  g_free (qemu_conf_extra);
  g_free (state_dir);
  return ret;
}
