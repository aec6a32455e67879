/* test-host-tuning.c: the host tuning model, snapshots, profiles,
 * offline apply and `kvmtune-cli host` on snapshots
 *
 * No root needed: nothing here changes the machine.  The local reader is
 * checked against the kernel files, read here on their own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-host-apply.h"
#include "kt-host-probe.h"
#include "kt-host-profile.h"
#include "kt-test-util.h"

static char *tmp;

static char *
demo_path (void)
{
  return g_build_filename (g_getenv ("KT_DATADIR"), "demo-host.kvmtune", NULL);
}

static KtSnapshot *
load_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = demo_path ();
  KtSnapshot *s = kt_snapshot_load_file (path, &error);

  g_assert_no_error (error);
  return s;
}

/* Model and snapshot element ---------------------------------------------- */

static void
test_demo_values (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHostTuning *t = kt_snapshot_get_host_tuning (s);
  const KtHugePool *p;

  g_assert_nonnull (t);
  g_assert_cmpint (t->tuned_state, ==, KT_TUNED_RUNNING);
  g_assert_cmpstr (t->tuned_active, ==, "balanced");
  g_assert_cmpstr (t->tuned_recommended, ==, "virtual-host");
  g_assert_cmpint (t->ksm_merge_across_nodes, ==, 1);
  g_assert_cmpstr (t->thp_enabled, ==, "always");
  g_assert_cmpint (t->numa_balancing, ==, 1);
  p = kt_host_tuning_lookup_pool (t, 1, 1048576);
  g_assert_nonnull (p);
  g_assert_cmpint (p->total, ==, 20);
  g_assert_cmpint (p->free, ==, 4);
  g_assert_cmpint (p->mounted, ==, 1);
  g_assert_cmpuint (kt_host_tuning_n_nodes (t), ==, 4);
}

static void
test_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autofree char *xml = kt_snapshot_to_xml (s);
  g_autoptr(KtSnapshot) again = kt_snapshot_load_xml (xml, -1, &error);
  g_autofree char *xml2 = NULL;

  g_assert_no_error (error);
  xml2 = kt_snapshot_to_xml (again);
  g_assert_cmpstr (xml, ==, xml2);
  g_assert_true (strstr (xml, "<host-tuning>") != NULL);
}

static void
test_old_snapshot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autofree char *xml = NULL;
  g_autoptr(KtSnapshot) old = NULL;
  g_autofree char *xml2 = NULL;

  /* The same snapshot without the element: loads, holds none, writes none */
  kt_snapshot_set_host_tuning (s, NULL);
  xml = kt_snapshot_to_xml (s);
  g_assert_null (strstr (xml, "host-tuning"));
  old = kt_snapshot_load_xml (xml, -1, &error);
  g_assert_no_error (error);
  g_assert_null (kt_snapshot_get_host_tuning (old));
  xml2 = kt_snapshot_to_xml (old);
  g_assert_cmpstr (xml, ==, xml2);
}

static void
test_unknown_stays_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtHostTuning) t = kt_host_tuning_new ();
  g_autofree char *xml = NULL;
  g_autoptr(KtSnapshot) again = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  KtHostTuning *back;
  KtHugePool *pool;

  /* A remote host: THP, numa_balancing, run and tuned unknown */
  t->ksm_pages_to_scan = 100;
  pool = kt_host_tuning_add_pool (t, 0, 2048);
  pool->total = 8;
  kt_snapshot_set_host_tuning (s, g_steal_pointer (&t));
  xml = kt_snapshot_to_xml (s);
  again = kt_snapshot_load_xml (xml, -1, &error);
  g_assert_no_error (error);
  back = kt_snapshot_get_host_tuning (again);
  g_assert_cmpint (back->tuned_state, ==, KT_TUNED_UNKNOWN);
  g_assert_null (back->thp_enabled);
  g_assert_cmpint (back->numa_balancing, ==, -1);
  g_assert_cmpint (back->ksm_run, ==, -1);
  g_assert_cmpint (back->ksm_pages_to_scan, ==, 100);
  g_assert_cmpint (kt_host_tuning_lookup_pool (back, 0, 2048)->free, ==, -1);
  g_assert_cmpint (kt_host_tuning_lookup_pool (back, 0, 2048)->mounted, ==, -1);

  json = kt_host_tuning_to_json (back);
  text = json_to_string (json, FALSE);
  g_assert_true (strstr (text, "\"running\":null") != NULL);
  g_assert_true (strstr (text, "\"enabled\":null") != NULL);
  g_assert_true (strstr (text, "\"numa_balancing\":null") != NULL);
  g_assert_true (strstr (text, "\"free\":null") != NULL);
}

static void
test_bad_element (void)
{
  static const char * const bad[] = {
    "<thp enabled=\"sometimes\"/>",
    "<ksm run=\"7\"/>",
    "<numa-balancing value=\"-1\"/>",
    "<hugepages><pool size_kib=\"2048\"/></hugepages>",
    "<hugepages><pool node=\"0\" size_kib=\"2048\"/><pool node=\"0\" size_kib=\"2048\"/></hugepages>",
    "<tuned state=\"dancing\"/>",
    "<tuned><profile name=\"../etc\"/></tuned>",
  };
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autofree char *xml = NULL;

  kt_snapshot_set_host_tuning (s, NULL);
  xml = kt_snapshot_to_xml (s);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *head = g_strndup (xml, strstr (xml, "</kvmtune-snapshot>") - xml);
      g_autofree char *doc = g_strdup_printf ("%s<host-tuning>%s</host-tuning>\n</kvmtune-snapshot>\n",
                                              head, bad[i]);
      g_autoptr(KtSnapshot) loaded = kt_snapshot_load_xml (doc, -1, &error);

      g_assert_null (loaded);
      g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_XML);
      if (error)
        g_assert_true (strstr (error->message, "host-tuning") != NULL);
    }
}

static void
test_keys (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHostTuning *t = kt_snapshot_get_host_tuning (s);
  static const struct { const char *key, *value; int code; } cases[] = {
    { "thp.enabled", "madvise", -1 },
    { "thp.enabled", "sometimes", KT_ERROR_INVALID_VALUE },
    { "thp.defrag", "defer+madvise", -1 },
    { "ksm.run", "3", KT_ERROR_INVALID_VALUE },
    { "ksm.merge_across_nodes", "0", -1 },
    { "numa_balancing", "01", KT_ERROR_INVALID_VALUE },
    { "hugepages.1.2048", "64", -1 },
    { "hugepages.9.2048", "64", KT_ERROR_NOT_FOUND },
    { "hugepages.0.2048", "-1", KT_ERROR_INVALID_VALUE },
    { "hugepages.x.2048", "1", KT_ERROR_INVALID_VALUE },
    { "tuned.profile", "virtual-host", -1 },
    { "tuned.profile", "not-offered", KT_ERROR_NOT_FOUND },
    { "tuned.profile", "../../etc", KT_ERROR_INVALID_VALUE },
    { "ksm/../run", "1", KT_ERROR_INVALID_VALUE },
    { "vm.swappiness", "1", KT_ERROR_INVALID_VALUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = kt_host_tuning_check_value (t, cases[i].key, cases[i].value, &error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, KT_ERROR, cases[i].code);
          /* The message names the key */
          if (error)
            g_assert_true (strstr (error->message, cases[i].key) != NULL);
        }
    }
}

/* The local reader against the kernel files */
static char *
raw (const char *path)
{
  g_autofree char *text = NULL;
  char *open, *close;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  if ((open = strchr (text, '[')) && (close = strchr (open, ']')))
    return g_strndup (open + 1, close - open - 1);
  return g_steal_pointer (&text);
}

static void
test_probe_local (void)
{
  g_autoptr(KtHostTuning) t = kt_host_probe_local ();
  g_autofree char *thp = raw ("/sys/kernel/mm/transparent_hugepage/enabled");
  g_autofree char *defrag = raw ("/sys/kernel/mm/transparent_hugepage/defrag");
  g_autofree char *numa = raw ("/proc/sys/kernel/numa_balancing");
  g_autofree char *scan = raw ("/sys/kernel/mm/ksm/pages_to_scan");
  g_autofree char *pool0 = raw ("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages");

  g_assert_cmpstr (t->thp_enabled, ==, thp);
  g_assert_cmpstr (t->thp_defrag, ==, defrag);
  if (numa)
    g_assert_cmpint (t->numa_balancing, ==, g_ascii_strtoll (numa, NULL, 10));
  else
    g_assert_cmpint (t->numa_balancing, ==, -1);
  if (scan)
    g_assert_cmpint (t->ksm_pages_to_scan, ==, g_ascii_strtoll (scan, NULL, 10));
  if (pool0)
    g_assert_cmpint (kt_host_tuning_lookup_pool (t, 0, 2048)->total, ==,
                     g_ascii_strtoll (pool0, NULL, 10));
}

/* Profiles ---------------------------------------------------------------- */

static void
test_shipped_profiles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = kt_host_profile_load_all (NULL, &error);
  static const char * const ids[] = { "virtual-host", "low-latency", "density" };

  g_assert_no_error (error);
  g_assert_nonnull (profiles);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      KtHostProfile *p = kt_host_profile_find (profiles, ids[i]);

      g_assert_nonnull (p);
      g_assert_false (p->user);
      for (guint s = 0; s < p->settings->len; s++)
        {
          const KtHostProfileSetting *st = g_ptr_array_index (p->settings, s);

          /* Every value is explained */
          g_assert_cmpstr (kt_host_explain (st->key, st->value), !=, "");
        }
    }
}

static void
test_vm_pools (void)
{
  g_autoptr(KtSnapshot) s = load_demo ();
  KtHostTuning *t = kt_snapshot_get_host_tuning (s);
  g_autoptr(GHashTable) pools = kt_host_profile_vm_pools (s, t);

  /* db-primary: 16 GiB in 1 GiB pages, guest cell 0 bound to host node 1 */
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (pools, "hugepages.1.1048576")), ==, 16);
  g_assert_true (g_hash_table_contains (pools, "hugepages.0.1048576"));
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (pools, "hugepages.0.1048576")), ==, 0);
  /* No VM uses 2 MiB pages: those pools are left alone */
  g_assert_false (g_hash_table_contains (pools, "hugepages.0.2048"));
}

static void
test_profile_on_snapshot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(GPtrArray) profiles = kt_host_profile_load_all (NULL, &error);
  g_autoptr(KtHostControl) control = kt_host_control_new (NULL, s);
  g_autoptr(KtHostTuning) current = kt_host_control_read (control, &error);
  g_autoptr(KtHostPlan) plan = NULL;
  g_autofree char *v = NULL;
  KtHostTuning *after;

  g_assert_no_error (error);
  g_assert_true (kt_host_control_is_offline (control));
  plan = kt_host_control_plan_profile (control, current,
                                       kt_host_profile_find (profiles, "low-latency"),
                                       TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_false (plan->persistent);   /* no drop-ins for a snapshot */
  for (guint i = 0; i < plan->changes->len; i++)
    g_assert_cmpint (((KtHostChange *) g_ptr_array_index (plan->changes, i))->mechanism, ==,
                     KT_HOST_MECHANISM_SNAPSHOT);
  g_assert_true (kt_host_control_apply (control, plan, &error));
  g_assert_no_error (error);
  after = kt_snapshot_get_host_tuning (s);
  g_assert_cmpint (after->ksm_run, ==, 0);
  g_assert_cmpint (after->numa_balancing, ==, 0);
  g_assert_cmpstr (after->thp_enabled, ==, "madvise");
  g_assert_cmpint (kt_host_tuning_lookup_pool (after, 1, 1048576)->total, ==, 16);
  g_assert_cmpint (kt_host_tuning_lookup_pool (after, 0, 1048576)->total, ==, 0);
  /* untouched */
  g_assert_cmpint (kt_host_tuning_lookup_pool (after, 0, 2048)->total, ==, 2048);
  v = kt_host_tuning_get_value (after, "tuned.profile");
  g_assert_cmpstr (v, ==, "balanced");

  /* A snapshot is edited, not a remote host: no notes about unmerging
   * there or about drop-ins */
  {
    g_autoptr(KtHostTuning) now = kt_host_control_read (control, &error);
    g_autoptr(KtHostPlan) vh = kt_host_control_plan_profile (control, now,
                                                             kt_host_profile_find (profiles,
                                                                                   "virtual-host"),
                                                             TRUE, &error);
    gboolean merge = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < vh->changes->len; i++)
      merge |= g_str_equal (((KtHostChange *) g_ptr_array_index (vh->changes, i))->key,
                            "ksm.merge_across_nodes");
    g_assert_true (merge);
    for (guint i = 0; i < vh->notes->len; i++)
      {
        const char *note = g_ptr_array_index (vh->notes, i);
        g_assert_null (strstr (note, "remote host"));
        g_assert_null (strstr (note, "drop-ins"));
      }
  }
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GError **error = data;

  kt_host_control_apply_finish (KT_HOST_CONTROL (source), result, error);
  g_main_context_wakeup (NULL);
  *(gboolean *) g_object_get_data (source, "done") = TRUE;
}

/* The window's way: in a worker thread, the result in the main context */
static void
test_apply_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtHostControl) control = kt_host_control_new (NULL, s);
  g_autoptr(KtHostTuning) current = kt_host_control_read (control, &error);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autoptr(KtHostPlan) plan = NULL;
  KtHostTarget *t = g_new0 (KtHostTarget, 1);
  gboolean done = FALSE;

  t->key = g_strdup ("hugepages.2.2048");
  t->value = g_strdup ("256");
  g_ptr_array_add (targets, t);
  plan = kt_host_control_plan (control, current, targets, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (control), "done", &done);
  kt_host_control_apply_async (control, plan, NULL, applied_cb, &error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
  g_assert_cmpint (kt_host_tuning_lookup_pool (kt_snapshot_get_host_tuning (s), 2, 2048)->total,
                   ==, 256);
}

static void
test_when_numa (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = kt_host_profile_load_all (NULL, &error);
  g_autoptr(KtHostTuning) one_node = kt_host_tuning_new ();
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) targets = NULL;

  kt_host_tuning_add_pool (one_node, 0, 2048);
  targets = kt_host_profile_targets (kt_host_profile_find (profiles, "virtual-host"), one_node,
                                     NULL, &notes, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < targets->len; i++)
    g_assert_cmpstr (((KtHostTarget *) g_ptr_array_index (targets, i))->key, !=,
                     "ksm.merge_across_nodes");
  g_assert_cmpuint (notes->len, ==, 1);
}

static void
test_user_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = load_demo ();
  g_autoptr(KtHostProfile) mine = kt_host_profile_new_from_state (kt_snapshot_get_host_tuning (s),
                                                                   "my-host", "My host");
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GPtrArray) bad = NULL;
  g_autofree char *dir = kt_host_profile_user_dir ();
  g_autofree char *broken = g_build_filename (dir, "broken.json", NULL);
  KtHostProfile *back;

  g_assert_true (kt_host_profile_save (mine, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (mine->path, tmp));
  /* A shipped id is not the user's to take */
  {
    g_autoptr(KtHostProfile) clash = kt_host_profile_new_from_state (kt_snapshot_get_host_tuning (s),
                                                                      "density", NULL);
    g_autoptr(GError) clash_error = NULL;

    g_assert_false (kt_host_profile_save (clash, &clash_error));
    g_assert_error (clash_error, KT_ERROR, KT_ERROR_CONFLICT);
  }
  g_assert_true (g_file_set_contents (broken, "{\"id\": \"broken\", \"name\": \"x\", "
                                      "\"settings\": [{\"key\": \"thp.enabled\", \"value\": \"bogus\"}]}",
                                      -1, NULL));
  profiles = kt_host_profile_load_all (&bad, &error);
  g_assert_no_error (error);
  back = kt_host_profile_find (profiles, "my-host");
  g_assert_nonnull (back);
  g_assert_true (back->user);
  g_assert_cmpstr (back->name, ==, "My host");
  g_assert_cmpuint (back->settings->len, ==, mine->settings->len);
  g_assert_null (kt_host_profile_find (profiles, "broken"));
  g_assert_cmpuint (bad->len, ==, 1);
  g_assert_true (strstr (((GError *) g_ptr_array_index (bad, 0))->message, "broken.json") != NULL);
  g_assert_true (strstr (((GError *) g_ptr_array_index (bad, 0))->message, "thp.enabled") != NULL);
  g_unlink (broken);
}

static void
test_boot_cmdline (void)
{
  g_autofree char *line = kt_host_boot_cmdline (1048576, 16);

  g_assert_cmpstr (line, ==, "default_hugepagesz=1G hugepagesz=1G hugepages=16");
}

/* The CLI on snapshots ----------------------------------------------------- */

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list args;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("KT_CLI"));
  va_start (args, first);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_cli_json (void)
{
  g_autofree char *demo = demo_path ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *o;
  static const char * const top[] = { "tuned", "ksm", "thp", "numa_balancing", "hugepages" };
  static const char * const tuned[] = { "running", "active", "recommended", "profiles" };
  static const char * const ksm[] = { "run", "merge_across_nodes", "pages_to_scan",
                                      "sleep_millisecs", "pages_shared", "pages_sharing" };
  static const char * const pool[] = { "node", "size_kib", "total", "free", "mounted" };
  JsonArray *pools;

  g_assert_cmpint (run_cli (&out, &err, "--snapshot", demo, "host", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  /* Exactly these keys */
  g_assert_cmpuint (json_object_get_size (root), ==, G_N_ELEMENTS (top));
  for (guint i = 0; i < G_N_ELEMENTS (top); i++)
    g_assert_true (json_object_has_member (root, top[i]));
  o = json_object_get_object_member (root, "tuned");
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (tuned));
  for (guint i = 0; i < G_N_ELEMENTS (tuned); i++)
    g_assert_true (json_object_has_member (o, tuned[i]));
  g_assert_cmpstr (json_object_get_string_member (o, "active"), ==, "balanced");
  o = json_object_get_object_member (root, "ksm");
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (ksm));
  for (guint i = 0; i < G_N_ELEMENTS (ksm); i++)
    g_assert_true (json_object_has_member (o, ksm[i]));
  o = json_object_get_object_member (root, "thp");
  g_assert_cmpuint (json_object_get_size (o), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "enabled"), ==, "always");
  g_assert_cmpint (json_object_get_int_member (root, "numa_balancing"), ==, 1);
  pools = json_object_get_array_member (root, "hugepages");
  g_assert_cmpuint (json_array_get_length (pools), ==, 8);
  o = json_array_get_object_element (pools, 0);
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (pool));
  for (guint i = 0; i < G_N_ELEMENTS (pool); i++)
    g_assert_true (json_object_has_member (o, pool[i]));
}

static char *
copy_demo (const char *name)
{
  g_autofree char *demo = demo_path ();
  g_autofree char *text = NULL;
  char *path = g_build_filename (tmp, name, NULL);

  g_assert_true (g_file_get_contents (demo, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_cli_apply_snapshot (void)
{
  g_autofree char *path = copy_demo ("apply.kvmtune");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  KtHostTuning *t;

  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  /* dry run: the preview, the file untouched */
  g_assert_cmpint (run_cli (&out, &err, "--snapshot", path, "host", "apply", "low-latency",
                            "--dry-run", NULL), ==, 0);
  g_assert_true (strstr (out, "numa_balancing: 1 → 0") != NULL);
  g_assert_true (strstr (out, "hugepages.1.1048576: 20 → 16") != NULL);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_true (g_str_equal (before, after));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (&out, &err, "--snapshot", path, "host", "apply", "low-latency",
                            NULL), ==, 0);
  s = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  t = kt_snapshot_get_host_tuning (s);
  g_assert_cmpint (t->numa_balancing, ==, 0);
  g_assert_cmpint (t->ksm_run, ==, 0);
  g_assert_cmpint (kt_host_tuning_lookup_pool (t, 1, 1048576)->total, ==, 16);
  /* VMs untouched */
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 8);
}

static void
test_cli_errors (void)
{
  g_autofree char *path = copy_demo ("errors.kvmtune");
  g_autofree char *before = NULL;
  static const struct { const char *arg, *needle; } cases[] = {
    { "thp.enabled=sometimes", "thp.enabled" },
    { "ksm.run=9", "ksm.run" },
    { "hugepages.7.2048=1", "hugepages.7.2048" },
    { "swappiness=1", "swappiness" },
    { "novalue", "KEY=VALUE" },
  };

  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;

      /* A good change first: nothing of it may land either */
      g_assert_cmpint (run_cli (&out, &err, "--snapshot", path, "host", "set", "numa_balancing=0",
                                cases[i].arg, NULL), !=, 0);
      g_assert_true (strstr (err, cases[i].needle) != NULL);
      g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
      g_assert_true (g_str_equal (before, after));
    }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (&out, &err, "--snapshot", path, "host", "apply", "nope", NULL), !=, 0);
    g_assert_true (strstr (err, "nope") != NULL);
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (&out, &err, "--snapshot", path, "host", "profiles", NULL), ==, 0);
    g_assert_true (strstr (out, "virtual-host") != NULL);
    g_assert_true (strstr (out, "low-latency") != NULL);
    g_assert_true (strstr (out, "density") != NULL);
  }
}

/* Parallel runs on one snapshot each land (the file is locked from the
 * read to the write) */
static void
test_cli_parallel (void)
{
  g_autofree char *path = copy_demo ("parallel.kvmtune");
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  GPid pids[3];

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      g_autofree char *arg = g_strdup_printf ("hugepages.%u.2048=%u", i + 1, (i + 1) * 100);
      const char *argv[] = { g_getenv ("KT_CLI"), "--snapshot", path, "host", "set", arg, NULL };

      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                    NULL, NULL, &pids[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      int status = -1;

      waitpid (pids[i], &status, 0);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  s = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    g_assert_cmpint (kt_host_tuning_lookup_pool (kt_snapshot_get_host_tuning (s), i + 1, 2048)->total,
                     ==, (i + 1) * 100);
}

/* A host that is not this machine (libvirt's test driver): what libvirt
 * does not tell is null, and what it cannot change is refused by name */
static void
test_cli_remote (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_cmpint (run_cli (&out, &err, "--connect", "test:///default", "host", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (json_object_get_object_member (root, "tuned"), "running"));
  g_assert_true (json_object_get_null_member (json_object_get_object_member (root, "thp"), "enabled"));
  g_assert_true (json_object_get_null_member (root, "numa_balancing"));
  g_assert_true (json_object_get_null_member (json_object_get_object_member (root, "ksm"), "run"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "--connect", "test:///default", "host", "set",
                            "thp.enabled=never", NULL), ==, 2);
  g_assert_true (strstr (err, "thp.enabled") != NULL);
  g_assert_true (strstr (err, "only on the machine it runs on") != NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "--connect", "test:///default", "host", "set",
                            "tuned.profile=virtual-host", NULL), ==, 2);
  g_assert_true (strstr (err, "tuned has no remote API") != NULL);
}

/* As root, a revert file that another user could have written or swapped
 * (root's state folder taken from a user's environment, sudo -E) is not
 * trusted: it would make root change the host without polkit, and its
 * rewrite would follow that user's symbolic link anywhere */
static void
test_revert_file_trust (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtHostControl) control = kt_host_control_new (NULL, NULL);
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autofree char *path = kt_host_control_revert_path (control);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *victim = g_build_filename (tmp, "victim", NULL);
  g_autofree char *victim_text = NULL;
  const char *json = "{ \"values\": { \"ksm.pages_to_scan\": \"4242\" } }";

  if (geteuid () != 0)
    {
      g_test_skip ("needs root");
      return;
    }
  current = kt_host_control_read (control, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* A file of another user's */
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
  plan = kt_host_control_revert_plan (control, current, &error);
  g_assert_null (plan);
  g_assert_error (error, KT_ERROR, KT_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_clear_pointer (&plan, kt_host_plan_free);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* A symbolic link of another user's to a file of root's */
  g_assert_true (g_file_set_contents (victim, json, -1, NULL));
  g_assert_cmpint (symlink (victim, path), ==, 0);
  g_assert_cmpint (lchown (path, 65534, 65534), ==, 0);
  plan = kt_host_control_revert_plan (control, current, &error);
  g_assert_null (plan);
  g_assert_error (error, KT_ERROR, KT_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_clear_pointer (&plan, kt_host_plan_free);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* Root's file in a folder another user owns (and can swap) */
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  plan = kt_host_control_revert_plan (control, current, &error);
  g_assert_null (plan);
  g_assert_error (error, KT_ERROR, KT_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_clear_pointer (&plan, kt_host_plan_free);

  /* Root's own: trusted */
  g_assert_cmpint (chown (dir, 0, 0), ==, 0);
  plan = kt_host_control_revert_plan (control, current, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (g_file_get_contents (victim, &victim_text, NULL, NULL));
  g_assert_cmpstr (victim_text, ==, json);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  /* The user's profiles and revert files go here, not to the real ones */
  tmp = g_dir_make_tmp ("kt-host-tuning-XXXXXX", NULL);
  config = g_build_filename (tmp, "config", NULL);
  state = g_build_filename (tmp, "state", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);

  g_test_add_func ("/host-tuning/demo-values", test_demo_values);
  g_test_add_func ("/host-tuning/roundtrip", test_roundtrip);
  g_test_add_func ("/host-tuning/old-snapshot", test_old_snapshot);
  g_test_add_func ("/host-tuning/unknown-stays-unknown", test_unknown_stays_unknown);
  g_test_add_func ("/host-tuning/bad-element", test_bad_element);
  g_test_add_func ("/host-tuning/keys", test_keys);
  g_test_add_func ("/host-tuning/probe-local", test_probe_local);
  g_test_add_func ("/host-tuning/shipped-profiles", test_shipped_profiles);
  g_test_add_func ("/host-tuning/vm-pools", test_vm_pools);
  g_test_add_func ("/host-tuning/profile-on-snapshot", test_profile_on_snapshot);
  g_test_add_func ("/host-tuning/when-numa", test_when_numa);
  g_test_add_func ("/host-tuning/apply-async", test_apply_async);
  g_test_add_func ("/host-tuning/user-profile", test_user_profile);
  g_test_add_func ("/host-tuning/boot-cmdline", test_boot_cmdline);
  g_test_add_func ("/host-tuning/cli-json", test_cli_json);
  g_test_add_func ("/host-tuning/cli-apply-snapshot", test_cli_apply_snapshot);
  g_test_add_func ("/host-tuning/cli-errors", test_cli_errors);
  g_test_add_func ("/host-tuning/cli-remote", test_cli_remote);
  g_test_add_func ("/host-tuning/cli-parallel", test_cli_parallel);
  g_test_add_func ("/host-tuning/revert-file-trust", test_revert_file_trust);

  ret = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);

    if (system (cmd) != 0)
      g_printerr ("# could not remove %s\n", tmp);
  }
  g_free (tmp);
  return ret;
}
