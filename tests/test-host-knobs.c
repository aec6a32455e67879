/* test-host-knobs.c: the whitelist of host kernel settings, THP parsing,
 * all-or-nothing writes and the persistence drop-ins, in a test tree
 * (this program is built with -DKT_HOST_KNOBS_TESTING); as root, real
 * writes of THP, numa_balancing and KSM run, restored in teardown and by
 * a signal/atexit guard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "kt-host-knobs.h"
#include "kt-test-knob-guard.h"

/* A fake root holding copies of the kernel files */
typedef struct
{
  char *root;
} TreeFixture;

static const struct
{
  const char *path;
  const char *contents;
} tree_files[] = {
  { "/sys/kernel/mm/ksm/run", "0\n" },
  { "/sys/kernel/mm/ksm/merge_across_nodes", "1\n" },
  { "/sys/kernel/mm/ksm/pages_to_scan", "100\n" },
  { "/sys/kernel/mm/ksm/sleep_millisecs", "20\n" },
  { "/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n" },
  { "/sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n" },
  { "/proc/sys/kernel/numa_balancing", "1\n" },
  { "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "0\n" },
  { "/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages", "0\n" },
};

static char *
tree_path (TreeFixture *f,
           const char  *fixed)
{
  return g_strconcat (f->root, fixed, NULL);
}

static void
tree_put (TreeFixture *f,
          const char  *fixed,
          const char  *contents)
{
  g_autofree char *path = tree_path (f, fixed);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
tree_get (TreeFixture *f,
          const char  *fixed)
{
  g_autofree char *path = tree_path (f, fixed);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* Every file of the tree, path → contents, to prove nothing changed */
static GHashTable *
tree_snapshot (TreeFixture *f)
{
  GHashTable *snap = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (tree_files); i++)
    g_hash_table_insert (snap, g_strdup (tree_files[i].path),
                         tree_get (f, tree_files[i].path));
  g_hash_table_insert (snap, g_strdup (KT_HOST_PERSIST_SYSCTL_PATH),
                       tree_get (f, KT_HOST_PERSIST_SYSCTL_PATH));
  g_hash_table_insert (snap, g_strdup (KT_HOST_PERSIST_TMPFILES_PATH),
                       tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH));
  return snap;
}

static void
assert_tree_unchanged (TreeFixture *f,
                       GHashTable  *before)
{
  g_autoptr(GHashTable) now = tree_snapshot (f);
  GHashTableIter iter;
  gpointer k, v;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_cmpstr (g_hash_table_lookup (now, k), ==, v);
}

static void
tree_setup (TreeFixture  *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("kt-knobs-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (tree_files); i++)
    tree_put (f, tree_files[i].path, tree_files[i].contents);
  g_setenv ("KT_HOST_KNOBS_TEST_ROOT", f->root, TRUE);
}

static void
tree_teardown (TreeFixture  *f,
               gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->root);

  g_unsetenv ("KT_HOST_KNOBS_TEST_ROOT");
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->root);
}

static void
assert_refused (const char *key,
                const char *value,
                int         code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (kt_host_knob_validate (key, value, &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, code);
  g_clear_error (&error);
  g_assert_false (kt_host_knob_write (key, value, &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, code);
}

static void
test_whitelist (TreeFixture  *f,
                gconstpointer data)
{
  static const char *bad_keys[] = {
    "", "ksm", "KSM.RUN", "ksm.run ", " ksm.run", "ksm.run/", "ksm/run",
    "../ksm/run", "ksm.run/../../../etc/shadow", "/sys/kernel/mm/ksm/run",
    "/proc/sys/kernel/numa_balancing", "kernel.numa_balancing", "thp", "thp.enabled.x",
    "ksm.pages_shared", "ksm.max_page_sharing", "hugepages", "hugepages.0",
    "hugepages.0.", "hugepages..2048", "hugepages.01.2048", "hugepages.0.02048",
    "hugepages.-1.2048", "hugepages.0.3000", "hugepages.0.2", "hugepages.1024.2048",
    "hugepages.0.33554432", "hugepages.0.2048.x", "hugepages.0.2048/../../x",
    "hugepages.0.2048kB", "hugepages.0x1.2048", "hugepages.99999999999999999999999.2048",
    "ksm.run\n", "numa_balancing\nw /etc/shadow",
  };
  static const struct { const char *key, *value; } bad_values[] = {
    { "ksm.run", "3" }, { "ksm.run", "" }, { "ksm.run", " 1" }, { "ksm.run", "1 " },
    { "ksm.run", "1\n" }, { "ksm.run", "01" }, { "ksm.run", "-1" }, { "ksm.run", "+1" },
    { "ksm.merge_across_nodes", "2" },
    { "thp.enabled", "[never]" }, { "thp.enabled", "Never" }, { "thp.enabled", "defer" },
    { "thp.enabled", "never\nw /etc/shadow - - - - x" }, { "thp.enabled", "never " },
    { "thp.defrag", "defer madvise" }, { "thp.defrag", "always [madvise] never" },
    { "numa_balancing", "4" }, { "numa_balancing", "0x1" }, { "numa_balancing", "1.0" },
    { "ksm.pages_to_scan", "0" }, { "ksm.pages_to_scan", "100001" },
    { "ksm.pages_to_scan", "99999999999999999999999" }, { "ksm.pages_to_scan", "1e3" },
    { "ksm.sleep_millisecs", "600001" }, { "ksm.sleep_millisecs", "0" },
    { "hugepages.0.2048", "16777217" }, { "hugepages.0.2048", "/etc/shadow" },
    { "hugepages.0.2048", "18446744073709551616" },
    { "numa_balancing", "\xc3\xa9" }, { "numa_balancing", "1\t" },
  };
  static const char *good_keys[] = {
    "ksm.run", "ksm.merge_across_nodes", "ksm.pages_to_scan", "ksm.sleep_millisecs",
    "thp.enabled", "thp.defrag", "numa_balancing", "hugepages.0.2048",
    "hugepages.1023.1048576", "hugepages.7.4",
  };
  g_autoptr(GHashTable) before = tree_snapshot (f);
  g_autofree char *overlong_key = g_strnfill (KT_HOST_KNOB_MAX_KEY_LEN + 1, 'k');
  g_autofree char *overlong_value = g_strnfill (100000, '1');
  g_autofree char *path = NULL;
  guint64 min = 0, max = 0;

  for (guint i = 0; i < G_N_ELEMENTS (good_keys); i++)
    g_assert_true (kt_host_knob_is_known (good_keys[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad_keys); i++)
    {
      g_test_message ("key %s", bad_keys[i]);
      g_assert_false (kt_host_knob_is_known (bad_keys[i]));
      assert_refused (bad_keys[i], "0", KT_HOST_KNOB_ERROR_INVALID_KEY);
    }
  assert_refused (overlong_key, "0", KT_HOST_KNOB_ERROR_INVALID_KEY);
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_test_message ("%s=%s", bad_values[i].key, bad_values[i].value);
      assert_refused (bad_values[i].key, bad_values[i].value, KT_HOST_KNOB_ERROR_INVALID_VALUE);
    }
  assert_refused ("ksm.pages_to_scan", overlong_value, KT_HOST_KNOB_ERROR_INVALID_VALUE);

  /* The message names key, value and what is allowed */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (kt_host_knob_validate ("thp.enabled", "sometimes", &error));
    g_assert_nonnull (strstr (error->message, "thp.enabled"));
    g_assert_nonnull (strstr (error->message, "\"sometimes\""));
    g_assert_nonnull (strstr (error->message, "always, madvise, never"));
    g_clear_error (&error);
    /* Control bytes are quoted, never echoed raw */
    g_assert_false (kt_host_knob_validate ("ksm.run", "1\n\x1b[2J", &error));
    g_assert_null (strchr (error->message, '\n'));
    g_assert_null (strchr (error->message, '\x1b'));
    g_assert_nonnull (strstr (error->message, "\\x0a"));
  }

  g_assert_cmpuint (g_strv_length ((char **) kt_host_knob_list_keys ()), ==, 7);
  for (const char * const *k = kt_host_knob_list_keys (); *k; k++)
    g_assert_true (kt_host_knob_is_known (*k));
  g_assert_true (g_strv_contains (kt_host_knob_get_choices ("thp.defrag"), "defer+madvise"));
  g_assert_null (kt_host_knob_get_choices ("ksm.pages_to_scan"));
  g_assert_true (kt_host_knob_get_range ("ksm.pages_to_scan", &min, &max));
  g_assert_cmpuint (min, ==, 1);
  g_assert_cmpuint (max, ==, 100000);
  g_assert_false (kt_host_knob_get_range ("thp.enabled", NULL, NULL));
  path = kt_host_knob_describe_path ("hugepages.1.1048576");
  g_assert_cmpstr (path, ==,
                   "/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages");
  g_clear_pointer (&path, g_free);
  path = kt_host_knob_describe_path ("numa_balancing");
  g_assert_cmpstr (path, ==, "/proc/sys/kernel/numa_balancing");
  g_assert_null (kt_host_knob_describe_path ("../x"));

  assert_tree_unchanged (f, before);
}

static void
assert_read (const char *key,
             const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_true (kt_host_knob_read (key, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, expected);
}

static void
assert_read_fails (const char *key,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_false (kt_host_knob_read (key, &value, &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, code);
  g_assert_null (value);
}

static void
test_thp_parse (TreeFixture  *f,
                gconstpointer data)
{
  const char *thp = "/sys/kernel/mm/transparent_hugepage/enabled";

  assert_read ("thp.enabled", "madvise");
  assert_read ("thp.defrag", "madvise");
  tree_put (f, "/sys/kernel/mm/transparent_hugepage/defrag",
            "always defer [defer+madvise] madvise never\n");
  assert_read ("thp.defrag", "defer+madvise");
  tree_put (f, thp, "[always] madvise never\n");
  assert_read ("thp.enabled", "always");
  tree_put (f, thp, "always madvise [never]");
  assert_read ("thp.enabled", "never");
  tree_put (f, thp, "never\n");
  assert_read ("thp.enabled", "never");

  /* Not understood: no choice, two choices, a word outside the list */
  tree_put (f, thp, "always madvise never\n");
  assert_read_fails ("thp.enabled", KT_HOST_KNOB_ERROR_FAILED);
  tree_put (f, thp, "[always] madvise [never]\n");
  assert_read_fails ("thp.enabled", KT_HOST_KNOB_ERROR_FAILED);
  tree_put (f, thp, "always [sometimes] never\n");
  assert_read_fails ("thp.enabled", KT_HOST_KNOB_ERROR_FAILED);
  tree_put (f, thp, "[]\n");
  assert_read_fails ("thp.enabled", KT_HOST_KNOB_ERROR_FAILED);
  tree_put (f, thp, "");
  assert_read_fails ("thp.enabled", KT_HOST_KNOB_ERROR_FAILED);

  /* Numbers */
  assert_read ("ksm.run", "0");
  assert_read ("numa_balancing", "1");
  assert_read ("ksm.pages_to_scan", "100");
  tree_put (f, "/sys/kernel/mm/ksm/run", "x\n");
  assert_read_fails ("ksm.run", KT_HOST_KNOB_ERROR_FAILED);
  {
    g_autofree char *p = tree_path (f, "/sys/kernel/mm/ksm/run");
    g_assert_true (g_file_set_contents (p, "1\0" "2", 3, NULL));
    assert_read_fails ("ksm.run", KT_HOST_KNOB_ERROR_FAILED);
    g_assert_cmpint (g_unlink (p), ==, 0);
  }
  assert_read_fails ("ksm.run", KT_HOST_KNOB_ERROR_UNAVAILABLE);
  assert_read_fails ("hugepages.3.2048", KT_HOST_KNOB_ERROR_UNAVAILABLE);
  assert_read ("hugepages.1.1048576", "0");

  /* All at once: the unreadable ones (run missing, THP not understood)
   * are left out */
  {
    g_autoptr(GHashTable) all = kt_host_knob_read_all ();

    g_assert_cmpuint (g_hash_table_size (all), ==, 5);
    g_assert_false (g_hash_table_contains (all, "ksm.run"));
    g_assert_false (g_hash_table_contains (all, "thp.enabled"));
    g_assert_cmpstr (g_hash_table_lookup (all, "thp.defrag"), ==, "defer+madvise");
    g_assert_cmpstr (g_hash_table_lookup (all, "ksm.sleep_millisecs"), ==, "20");
  }
}

static void
test_write (TreeFixture  *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL;
  g_autofree char *thp = NULL;

  g_assert_true (kt_host_knob_write ("ksm.run", "2", &error));
  g_assert_no_error (error);
  run = tree_get (f, "/sys/kernel/mm/ksm/run");
  g_assert_cmpstr (run, ==, "2\n");
  g_assert_true (kt_host_knob_write ("thp.enabled", "never", &error));
  g_assert_no_error (error);
  thp = tree_get (f, "/sys/kernel/mm/transparent_hugepage/enabled");
  g_assert_cmpstr (thp, ==, "never\n");
  assert_read ("thp.enabled", "never");

  /* A symlink in place of the knob is not followed */
  {
    g_autofree char *p = tree_path (f, "/proc/sys/kernel/numa_balancing");
    g_autofree char *target = tree_path (f, "/victim");

    tree_put (f, "/victim", "keep\n");
    g_assert_cmpint (g_unlink (p), ==, 0);
    g_assert_cmpint (symlink (target, p), ==, 0);
    g_assert_false (kt_host_knob_write ("numa_balancing", "0", &error));
    g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED);
    g_clear_error (&error);
    g_free (thp);
    thp = tree_get (f, "/victim");
    g_assert_cmpstr (thp, ==, "keep\n");
  }
  /* A missing knob is not created */
  g_assert_false (kt_host_knob_write ("hugepages.5.2048", "1", &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_UNAVAILABLE);
  g_assert_null (tree_get (f, "/sys/devices/system/node/node5/hugepages/hugepages-2048kB/nr_hugepages"));
}

static void
test_apply_all_or_nothing (TreeFixture  *f,
                           gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GHashTable) before = NULL;
  const char *keys[] = { "ksm.run", "thp.enabled", "numa_balancing", "hugepages.0.2048", NULL };
  const char *values[] = { "1", "never", "0", "16", NULL };

  /* Refused up front, nothing written: a bad value last, a duplicate */
  before = tree_snapshot (f);
  {
    const char *bk[] = { "ksm.run", "thp.enabled", "numa_balancing", NULL };
    const char *bv[] = { "1", "never", "9", NULL };
    g_assert_null (kt_host_knob_apply (bk, bv, &error));
    g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE);
    g_clear_error (&error);
  }
  {
    const char *bk[] = { "ksm.run", "thp.enabled", "ksm.run", NULL };
    const char *bv[] = { "1", "never", "2", NULL };
    g_assert_null (kt_host_knob_apply (bk, bv, &error));
    g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY);
    g_assert_nonnull (strstr (error->message, "ksm.run"));
    g_clear_error (&error);
  }
  {
    g_autoptr(GPtrArray) k = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) v = g_ptr_array_new ();

    for (guint i = 0; i < 5000; i++)
      {
        g_ptr_array_add (k, g_strdup_printf ("hugepages.%u.2048", i % 1024));
        g_ptr_array_add (v, (gpointer) "1");
      }
    g_ptr_array_add (k, NULL);
    g_ptr_array_add (v, NULL);
    g_assert_null (kt_host_knob_apply ((const char * const *) k->pdata,
                                       (const char * const *) v->pdata, &error));
    g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_TOO_MANY);
    g_clear_error (&error);
  }
  assert_tree_unchanged (f, before);

  /* A later write fails (its knob is a directory): earlier ones put back */
  {
    g_autofree char *p = tree_path (f, "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages");

    g_assert_cmpint (g_unlink (p), ==, 0);
    g_assert_cmpint (g_mkdir (p, 0755), ==, 0);
    g_assert_null (kt_host_knob_apply (keys, values, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "hugepages.0.2048"));
    g_clear_error (&error);
    assert_read ("ksm.run", "0");
    assert_read ("thp.enabled", "madvise");   /* put back, as a bare word in a test tree */
    assert_read ("numa_balancing", "1");
    g_assert_cmpint (g_rmdir (p), ==, 0);
    tree_put (f, "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
    tree_put (f, "/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  }

  changes = kt_host_knob_apply (keys, values, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 4);
  {
    KtHostKnobChange *c = g_ptr_array_index (changes, 1);
    g_assert_cmpstr (c->key, ==, "thp.enabled");
    g_assert_cmpstr (c->old_value, ==, "madvise");
    g_assert_cmpstr (c->new_value, ==, "never");
  }
  assert_read ("ksm.run", "1");
  assert_read ("numa_balancing", "0");
  assert_read ("hugepages.0.2048", "16");
}

static void
test_persist (TreeFixture  *f,
              gconstpointer data)
{
  g_autoptr(GHashTable) settings = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) back = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sysctl = NULL;
  g_autofree char *tmpfiles = NULL;

  back = kt_host_persist_read (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (back), ==, 0);
  g_clear_pointer (&back, g_hash_table_unref);

  g_hash_table_insert (settings, "ksm.run", "1");
  g_hash_table_insert (settings, "ksm.merge_across_nodes", "0");
  g_hash_table_insert (settings, "thp.enabled", "never");
  g_hash_table_insert (settings, "numa_balancing", "0");
  g_hash_table_insert (settings, "hugepages.1.2048", "512");
  g_hash_table_insert (settings, "hugepages.0.2048", "256");
  g_assert_true (kt_host_persist_write (settings, &error));
  g_assert_no_error (error);

  sysctl = tree_get (f, KT_HOST_PERSIST_SYSCTL_PATH);
  g_assert_nonnull (sysctl);
  g_assert_true (g_str_has_prefix (sysctl, "#"));
  g_assert_nonnull (strstr (sysctl, "\nkernel.numa_balancing = 0\n"));
  tmpfiles = tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH);
  g_assert_nonnull (tmpfiles);
  g_assert_nonnull (strstr (tmpfiles,
    "\nw /sys/kernel/mm/ksm/merge_across_nodes - - - - 0\n"
    "w /sys/kernel/mm/ksm/run - - - - 1\n"
    "w /sys/kernel/mm/transparent_hugepage/enabled - - - - never\n"
    "w /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages - - - - 256\n"
    "w /sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages - - - - 512\n"));
  g_assert_null (strstr (tmpfiles, "numa_balancing"));
  {
    g_autofree char *p = tree_path (f, KT_HOST_PERSIST_TMPFILES_PATH);
    struct stat st;
    g_assert_cmpint (g_stat (p, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  }

  back = kt_host_persist_read (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (back), ==, 6);
  g_assert_cmpstr (g_hash_table_lookup (back, "hugepages.1.2048"), ==, "512");
  g_assert_cmpstr (g_hash_table_lookup (back, "numa_balancing"), ==, "0");
  g_clear_pointer (&back, g_hash_table_unref);

  /* A refused pair writes nothing: no line injection, no unknown key */
  before = tree_snapshot (f);
  g_hash_table_insert (settings, "thp.defrag", "never\nw /etc/shadow - - - - x");
  g_assert_false (kt_host_persist_write (settings, &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_hash_table_remove (settings, "thp.defrag");
  g_hash_table_insert (settings, "/etc/shadow", "0");
  g_assert_false (kt_host_persist_write (settings, &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_hash_table_remove (settings, "/etc/shadow");
  assert_tree_unchanged (f, before);

  /* Only sysctl left: the tmpfiles drop-in goes */
  {
    g_autoptr(GHashTable) only = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *gone = NULL;

    g_hash_table_insert (only, "numa_balancing", "1");
    g_assert_true (kt_host_persist_write (only, &error));
    g_assert_no_error (error);
    gone = tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH);
    g_assert_null (gone);
  }

  /* A line KvmTune did not write is not taken for ours */
  tree_put (f, KT_HOST_PERSIST_TMPFILES_PATH, "w /etc/passwd - - - - x\n");
  back = kt_host_persist_read (&error);
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_assert_null (back);
  g_clear_error (&error);

  g_assert_true (kt_host_persist_remove (&error));
  g_assert_no_error (error);
  g_assert_null (tree_get (f, KT_HOST_PERSIST_SYSCTL_PATH));
  g_assert_null (tree_get (f, KT_HOST_PERSIST_TMPFILES_PATH));
  g_assert_true (kt_host_persist_remove (&error));
  g_assert_no_error (error);
}

/* As root, on the machine itself */

#define REAL_THP "/sys/kernel/mm/transparent_hugepage/enabled"
#define REAL_NUMA "/proc/sys/kernel/numa_balancing"
#define REAL_KSM "/sys/kernel/mm/ksm/run"

typedef struct
{
  char *thp, *numa, *ksm;
} RealFixture;

static void
real_setup (RealFixture  *f,
            gconstpointer data)
{
  g_unsetenv ("KT_HOST_KNOBS_TEST_ROOT");
  if (geteuid () != 0 || access (REAL_THP, W_OK) != 0 || access (REAL_NUMA, W_OK) != 0
      || access (REAL_KSM, W_OK) != 0)
    return;
  kt_test_knob_guard_save (REAL_THP);
  kt_test_knob_guard_save (REAL_NUMA);
  kt_test_knob_guard_save (REAL_KSM);
  f->thp = kt_test_knob_read_raw (REAL_THP);
  f->numa = kt_test_knob_read_raw (REAL_NUMA);
  f->ksm = kt_test_knob_read_raw (REAL_KSM);
}

static void
real_teardown (RealFixture  *f,
               gconstpointer data)
{
  g_autofree char *left = NULL;

  kt_test_knob_guard_restore ();
  left = kt_test_knob_guard_check ();
  g_assert_null (left);
  g_free (f->thp);
  g_free (f->numa);
  g_free (f->ksm);
}

static void
test_real_write (RealFixture  *f,
                 gconstpointer data)
{
  const char *thp_new, *numa_new, *ksm_new;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *value = NULL;

  if (f->thp == NULL)
    {
      g_test_skip ("needs root and writable THP, numa_balancing and KSM knobs");
      return;
    }
  thp_new = strcmp (f->thp, "never") == 0 ? "madvise" : "never";
  numa_new = strcmp (f->numa, "0") == 0 ? "1" : "0";
  ksm_new = strcmp (f->ksm, "0") == 0 ? "2" : "0";

  g_assert_true (kt_host_knob_read ("thp.enabled", &value, &error));
  g_assert_cmpstr (value, ==, f->thp);
  g_clear_pointer (&value, g_free);

  g_assert_true (kt_host_knob_write ("thp.enabled", thp_new, &error));
  g_assert_no_error (error);
  value = kt_test_knob_read_raw (REAL_THP);
  g_assert_cmpstr (value, ==, thp_new);
  g_clear_pointer (&value, g_free);

  {
    const char *keys[] = { "numa_balancing", "ksm.run", NULL };
    const char *values[] = { numa_new, ksm_new, NULL };

    changes = kt_host_knob_apply (keys, values, &error);
    g_assert_no_error (error);
    g_assert_nonnull (changes);
  }
  value = kt_test_knob_read_raw (REAL_NUMA);
  g_assert_cmpstr (value, ==, numa_new);
  g_clear_pointer (&value, g_free);
  value = kt_test_knob_read_raw (REAL_KSM);
  g_assert_cmpstr (value, ==, ksm_new);
  g_clear_pointer (&value, g_free);

  /* The kernel's own refusal is an error, nothing changes */
  g_assert_false (kt_host_knob_write ("hugepages.1023.2048", "1", &error));
  g_assert_error (error, KT_HOST_KNOB_ERROR, KT_HOST_KNOB_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* Put back through the module too */
  {
    const char *keys[] = { "thp.enabled", "numa_balancing", "ksm.run", NULL };
    const char *values[] = { f->thp, f->numa, f->ksm, NULL };
    g_autoptr(GPtrArray) back = kt_host_knob_apply (keys, values, &error);

    g_assert_no_error (error);
    g_assert_nonnull (back);
  }
  {
    g_autofree char *left = kt_test_knob_guard_check ();
    g_assert_null (left);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Teardown runs after a failed check, so the machine is restored */
  g_test_set_nonfatal_assertions ();

  g_test_add ("/host-knobs/whitelist", TreeFixture, NULL, tree_setup, test_whitelist, tree_teardown);
  g_test_add ("/host-knobs/thp-parse", TreeFixture, NULL, tree_setup, test_thp_parse, tree_teardown);
  g_test_add ("/host-knobs/write", TreeFixture, NULL, tree_setup, test_write, tree_teardown);
  g_test_add ("/host-knobs/apply-all-or-nothing", TreeFixture, NULL, tree_setup,
              test_apply_all_or_nothing, tree_teardown);
  g_test_add ("/host-knobs/persist", TreeFixture, NULL, tree_setup, test_persist, tree_teardown);
  g_test_add ("/host-knobs/real-write", RealFixture, NULL, real_setup, test_real_write,
              real_teardown);
  return g_test_run ();
}
