/* test-journal.c: the apply journal (kt-journal.h) on disk
 *
 * Writes, reads, lists and removes records in a private XDG_STATE_HOME;
 * damaged records are errors naming the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "kt-error.h"
#include "kt-journal.h"
#include "kt-test-util.h"

#define URI   "qemu:///system"
#define UUID  "4e37e2e9-d051-43c3-a878-8e9c5f726130"

static char *state_dir;

static KtJournal *
sample (const char *uri,
        const char *uuid)
{
  KtJournal *j = kt_journal_new (uri, "web1", uuid);
  g_autoptr(KtCpuset) one = kt_test_parse_set ("1");
  g_autoptr(KtCpuset) some = kt_test_parse_set ("0-3,8");

  kt_journal_add_step (j, KT_JOURNAL_VCPUPIN, 0, NULL, one);
  kt_journal_add_step (j, KT_JOURNAL_VCPUPIN, 1, some, one);
  kt_journal_add_step (j, KT_JOURNAL_VCPUPIN, 2, some, NULL);
  kt_journal_add_step (j, KT_JOURNAL_EMULATORPIN, 0, NULL, some);
  kt_journal_add_step (j, KT_JOURNAL_IOTHREADPIN, 1, one, some);
  kt_journal_add_step (j, KT_JOURNAL_NUMA_NODESET, 0, NULL, one);
  kt_journal_set_config (j, "<domain>before</domain>", "<domain>after &amp; \"more\"</domain>");
  return j;
}

static void
clear_dir (void)
{
  g_autofree char *dir = kt_journal_get_dir ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
}

static void
assert_same_set (const KtCpuset *set,
                 const char     *text)
{
  g_autofree char *got = set ? kt_cpuset_format (set) : NULL;

  g_assert_cmpstr (got, ==, text);
}

static void
test_round_trip (void)
{
  g_autoptr(KtJournal) j = sample (URI, UUID);
  g_autoptr(KtJournal) back = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) other = NULL;
  g_autoptr(KtJournal) found = NULL;
  g_autoptr(KtJournal) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kt_journal_get_dir ();
  GStatBuf st;

  clear_dir ();
  g_assert_true (g_str_has_prefix (kt_journal_get_path (j), state_dir));
  g_assert_true (kt_journal_save (j, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (kt_journal_get_path (j), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  back = kt_journal_load (kt_journal_get_path (j), &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (kt_journal_get_uri (back), ==, URI);
  g_assert_cmpstr (kt_journal_get_vm_name (back), ==, "web1");
  g_assert_cmpstr (kt_journal_get_uuid (back), ==, UUID);
  g_assert_cmpstr (kt_journal_get_started (back), ==, kt_journal_get_started (j));
  g_assert_cmpuint (kt_journal_get_n_steps (back), ==, 6);
  g_assert_cmpint (kt_journal_get_step (back, 0)->kind, ==, KT_JOURNAL_VCPUPIN);
  assert_same_set (kt_journal_get_step (back, 0)->before, NULL);
  assert_same_set (kt_journal_get_step (back, 0)->after, "1");
  assert_same_set (kt_journal_get_step (back, 1)->before, "0-3,8");
  assert_same_set (kt_journal_get_step (back, 2)->after, NULL);
  g_assert_cmpint (kt_journal_get_step (back, 4)->kind, ==, KT_JOURNAL_IOTHREADPIN);
  g_assert_cmpuint (kt_journal_get_step (back, 4)->id, ==, 1);
  g_assert_cmpint (kt_journal_get_step (back, 5)->kind, ==, KT_JOURNAL_NUMA_NODESET);
  g_assert_cmpstr (kt_journal_get_config_before (back), ==, "<domain>before</domain>");
  g_assert_cmpstr (kt_journal_get_config_after (back), ==,
                   "<domain>after &amp; \"more\"</domain>");

  /* Found by its URI, and only by it */
  list = kt_journal_list (URI, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  other = kt_journal_list ("qemu:///session", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 0);
  found = kt_journal_lookup (URI, UUID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  none = kt_journal_lookup (URI, "00000000-0000-0000-0000-000000000000", &error);
  g_assert_no_error (error);
  g_assert_null (none);

  /* Only the record: no temporary file next to it */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (d) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }

  g_assert_true (kt_journal_remove (j, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (kt_journal_get_path (j), G_FILE_TEST_EXISTS));
  g_assert_true (kt_journal_remove (j, &error));   /* gone already: fine */
  g_assert_no_error (error);
}

static void
test_describe (void)
{
  g_autoptr(KtJournal) j = sample (URI, UUID);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *text = NULL;
  g_autofree char *text1 = NULL;
  guint two = 2;

  for (guint i = 0; i < kt_journal_get_n_steps (j); i++)
    g_array_append_val (all, i);
  text = kt_journal_describe_steps (j, all);
  g_assert_cmpstr (text, ==, "the pins of vCPUs 0-2, the emulator pin, the pin of IOThread 1, "
                             "the memory nodeset");
  g_array_append_val (one, two);
  text1 = kt_journal_describe_steps (j, one);
  g_assert_cmpstr (text1, ==, "the pin of vCPU 2");
}

/* A record that cannot be read is an error naming it, never skipped */
static void
test_damaged (void)
{
  static const struct
  {
    const char *json;
    const char *says;
  } cases[] = {
    { "{ not json", "damaged" },
    { "[]", "not a JSON object" },
    { "{\"version\": 2, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\", \"steps\": []}",
      "version" },
    { "{\"version\": 1, \"vm\": \"a\", \"uuid\": \"u\", \"steps\": []}", "uri" },
    { "{\"version\": 1, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\"}", "steps" },
    { "{\"version\": 1, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\", \"steps\": "
      "[{\"call\": \"reboot\", \"id\": 0, \"before\": null, \"after\": null}]}", "call" },
    { "{\"version\": 1, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\", \"steps\": "
      "[{\"call\": \"vcpupin\", \"id\": -1, \"before\": null, \"after\": null}]}", "id" },
    { "{\"version\": 1, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\", \"steps\": "
      "[{\"call\": \"vcpupin\", \"id\": 0, \"before\": \"7-3\", \"after\": null}]}", "before" },
    { "{\"version\": 1, \"uri\": \"" URI "\", \"vm\": \"a\", \"uuid\": \"u\", \"steps\": [], "
      "\"config\": {\"before\": \"<domain/>\"}}", "config" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KtJournal) j = kt_journal_new (URI, "a", UUID);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtJournal) loaded = NULL;
      g_autoptr(GPtrArray) list = NULL;

      clear_dir ();
      g_assert_true (kt_journal_save (j, &error));   /* makes the directory and path */
      g_assert_true (g_file_set_contents (kt_journal_get_path (j), cases[i].json, -1, &error));
      loaded = kt_journal_load (kt_journal_get_path (j), &error);
      g_assert_null (loaded);
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                                     kt_journal_get_path (j), cases[i].says);
      g_clear_error (&error);
      list = kt_journal_list (URI, &error);
      g_assert_null (list);
      kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                                     kt_journal_get_path (j));
    }
  clear_dir ();
}

int
main (int    argc,
      char **argv)
{
  int ret;

  setlocale (LC_ALL, "");
  /* Before anything reads it: g_get_user_state_dir () keeps the first answer */
  state_dir = g_dir_make_tmp ("kt-journal-XXXXXX", NULL);
  g_assert_nonnull (state_dir);
  g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/journal/round-trip", test_round_trip);
  g_test_add_func ("/journal/describe", test_describe);
  g_test_add_func ("/journal/damaged", test_damaged);

  ret = g_test_run ();
  clear_dir ();
  {
    g_autofree char *dir = kt_journal_get_dir ();
    g_autofree char *kvmtune = g_path_get_dirname (dir);

    g_rmdir (dir);
    g_rmdir (kvmtune);
    g_rmdir (state_dir);
  }
  g_free (state_dir);
  return ret;
}
