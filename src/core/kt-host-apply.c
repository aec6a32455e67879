/* kt-host-apply.c: previewing, applying and reverting host tuning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-host-apply.h"
#include "kt-host-helper-client.h"
#include "kt-host-knobs.h"
#include "kt-host-probe.h"
#include "kt-tuned.h"

#define MAX_REVERT_SIZE (1024 * 1024)

struct _KtHostControl
{
  GObject       parent_instance;

  KtConnection *connection;   /* NULL: this machine without libvirt, or offline */
  KtSnapshot   *snapshot;     /* the VMs; offline: the values changed */
  gboolean      offline;
};

G_DEFINE_FINAL_TYPE (KtHostControl, kt_host_control, G_TYPE_OBJECT)

/* Plans ------------------------------------------------------------------ */

static void
change_free (gpointer data)
{
  KtHostChange *c = data;

  g_free (c->key);
  g_free (c->old_value);
  g_free (c->new_value);
  g_free (c->mechanism_text);
  g_free (c);
}

static KtHostPlan *
plan_new (void)
{
  KtHostPlan *plan = g_new0 (KtHostPlan, 1);

  plan->changes = g_ptr_array_new_with_free_func (change_free);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  return plan;
}

KtHostPlan *
kt_host_plan_copy (const KtHostPlan *plan)
{
  KtHostPlan *copy = plan_new ();

  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);
      KtHostChange *d = g_new0 (KtHostChange, 1);

      *d = *c;
      d->key = g_strdup (c->key);
      d->old_value = g_strdup (c->old_value);
      d->new_value = g_strdup (c->new_value);
      d->mechanism_text = g_strdup (c->mechanism_text);
      g_ptr_array_add (copy->changes, d);
    }
  for (guint i = 0; i < plan->notes->len; i++)
    g_ptr_array_add (copy->notes, g_strdup (g_ptr_array_index (plan->notes, i)));
  copy->persistent = plan->persistent;
  copy->revert = plan->revert;
  return copy;
}

void
kt_host_plan_free (KtHostPlan *plan)
{
  if (plan == NULL)
    return;
  g_ptr_array_unref (plan->changes);
  g_ptr_array_unref (plan->notes);
  g_free (plan);
}

G_DEFINE_BOXED_TYPE (KtHostPlan, kt_host_plan, kt_host_plan_copy, kt_host_plan_free)

/* The control ------------------------------------------------------------ */

static void
kt_host_control_dispose (GObject *object)
{
  KtHostControl *self = KT_HOST_CONTROL (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->snapshot);

  G_OBJECT_CLASS (kt_host_control_parent_class)->dispose (object);
}

static void
kt_host_control_class_init (KtHostControlClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kt_host_control_dispose;
}

static void
kt_host_control_init (KtHostControl *self)
{
}

/**
 * kt_host_control_new:
 * @connection: (nullable): the host's libvirt connection
 * @snapshot: (nullable): its VMs (for pools sized to them); without
 *   @connection, the offline snapshot whose values are changed
 *
 * Both %NULL: the machine KvmTune runs on, without libvirt.
 */
KtHostControl *
kt_host_control_new (KtConnection *connection,
                     KtSnapshot   *snapshot)
{
  KtHostControl *self;

  g_return_val_if_fail (connection == NULL || KT_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (snapshot == NULL || KT_IS_SNAPSHOT (snapshot), NULL);

  self = g_object_new (KT_TYPE_HOST_CONTROL, NULL);
  if (connection)
    self->connection = g_object_ref (connection);
  if (snapshot)
    self->snapshot = g_object_ref (snapshot);
  self->offline = connection == NULL && snapshot != NULL;
  return self;
}

gboolean
kt_host_control_is_offline (KtHostControl *self)
{
  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);
  return self->offline;
}

/* This machine's kernel is reachable: local connection, or none */
static gboolean
is_this_machine (KtHostControl *self)
{
  return !self->offline
         && (self->connection == NULL || kt_connection_is_local (self->connection));
}

/**
 * kt_host_control_read:
 *
 * Returns: (transfer full): the host's values now (offline: the
 * snapshot's, empty when it holds none)
 */
KtHostTuning *
kt_host_control_read (KtHostControl  *self,
                      GError        **error)
{
  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  if (self->offline)
    {
      KtHostTuning *t = kt_snapshot_get_host_tuning (self->snapshot);

      return t ? kt_host_tuning_copy (t) : kt_host_tuning_new ();
    }
  return kt_host_probe (self->connection, error);
}

/* The knobs: directly as root, through kvmtune-helper otherwise (which
 * says itself when it is not installed or polkit refuses) */
static gboolean
knob_available (char **reason)
{
  return TRUE;
}

static gboolean
knob_set (const char  *key,
          const char  *value,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char *keys[] = { key, NULL };
  const char *values[] = { value, NULL };

  changes = kt_host_knobs_set (keys, values, NULL, &local_error);
  if (changes == NULL)
    {
      g_set_error_literal (error, KT_ERROR,
                           g_error_matches (local_error, KT_HOST_KNOB_ERROR,
                                            KT_HOST_KNOB_ERROR_NOT_AUTHORIZED)
                           ? KT_ERROR_READ_ONLY : KT_ERROR_IO,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
persist_read (GError **error)
{
  if (kt_host_knobs_are_direct ())
    return kt_host_persist_read (error);
  return kt_host_helper_get_persisted_sync (NULL, error);
}

static KtHostMechanism
mechanism_of (KtHostControl *self,
              const char    *key)
{
  if (self->offline)
    return KT_HOST_MECHANISM_SNAPSHOT;
  if (g_str_equal (key, "tuned.profile"))
    return KT_HOST_MECHANISM_TUNED;
  if (self->connection != NULL)
    {
      if (g_str_has_prefix (key, "hugepages."))
        return KT_HOST_MECHANISM_PAGES;
      if (g_str_equal (key, "ksm.pages_to_scan") || g_str_equal (key, "ksm.sleep_millisecs")
          || g_str_equal (key, "ksm.merge_across_nodes"))
        return KT_HOST_MECHANISM_MEMORY;
    }
  return KT_HOST_MECHANISM_KNOB;
}

static char *
mechanism_text (KtHostMechanism mechanism,
                const char     *key)
{
  int node;

  switch (mechanism)
    {
    case KT_HOST_MECHANISM_TUNED:
      return g_strdup ("tuned D-Bus switch_profile");
    case KT_HOST_MECHANISM_MEMORY:
      if (g_str_equal (key, "ksm.merge_across_nodes"))
        return g_strdup (_("virNodeSetMemoryParameters (after ksm.run=2 unmerges)"));
      return g_strdup ("virNodeSetMemoryParameters");
    case KT_HOST_MECHANISM_PAGES:
      kt_host_tuning_parse_key (key, &node, NULL, NULL);
      return g_strdup_printf ("virNodeAllocPages node %d", node);
    case KT_HOST_MECHANISM_KNOB:
      if (kt_host_knobs_are_direct ())
        {
          g_autofree char *path = kt_host_knob_describe_path (key);

          return g_strdup_printf ("sysfs %s", path ? path : key);
        }
      return g_strdup ("kvmtune helper");
    case KT_HOST_MECHANISM_SNAPSHOT:
    default:
      return g_strdup (_("the snapshot's values"));
    }
}

/**
 * kt_host_control_can_change:
 * @current: (nullable): the host's values (tuned's state)
 * @reason: (out) (optional) (transfer full): why not, translated
 *
 * Returns: whether KvmTune can change @key on this host
 */
gboolean
kt_host_control_can_change (KtHostControl      *self,
                            const KtHostTuning *current,
                            const char         *key,
                            char              **reason)
{
  KtHostMechanism mechanism;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);

  if (reason)
    *reason = NULL;
  mechanism = mechanism_of (self, key);
  switch (mechanism)
    {
    case KT_HOST_MECHANISM_SNAPSHOT:
    case KT_HOST_MECHANISM_MEMORY:
    case KT_HOST_MECHANISM_PAGES:
      if (self->connection && kt_connection_is_read_only (self->connection))
        {
          if (reason)
            *reason = g_strdup (_("the libvirt connection is read-only"));
          return FALSE;
        }
      return TRUE;
    case KT_HOST_MECHANISM_TUNED:
      if (!is_this_machine (self))
        {
          if (reason)
            *reason = g_strdup (_("tuned has no remote API: change it on the host "
                                  "(tuned-adm profile NAME)"));
          return FALSE;
        }
      if (current != NULL && current->tuned_state != KT_TUNED_RUNNING)
        {
          if (reason)
            *reason = g_strdup (current->tuned_state == KT_TUNED_STOPPED
                                ? _("tuned is not running (start it: systemctl start tuned)")
                                : _("tuned is not installed or not on the system bus"));
          return FALSE;
        }
      return TRUE;
    case KT_HOST_MECHANISM_KNOB:
    default:
      if (!is_this_machine (self))
        {
          if (reason)
            *reason = g_strdup (_("libvirt has no API for it: KvmTune changes it only on "
                                  "the machine it runs on"));
          return FALSE;
        }
      return knob_available (reason);
    }
}

static int
rank_of (const char *key)
{
  static const char * const order[] = {
    "tuned.profile", "thp.enabled", "thp.defrag", "numa_balancing", "ksm.pages_to_scan",
    "ksm.sleep_millisecs", "ksm.merge_across_nodes", "ksm.run", NULL
  };

  for (int i = 0; order[i]; i++)
    if (g_str_equal (order[i], key))
      return i;
  return G_N_ELEMENTS (order);   /* hugepages, last, in the targets' order */
}

/* Sorts by rank, keeping the targets' order within one (stable) */
static void
sort_changes (GPtrArray *changes)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (int r = 0; r <= rank_of (""); r++)
    for (guint i = 0; i < changes->len; i++)
      if (rank_of (((KtHostChange *) g_ptr_array_index (changes, i))->key) == r)
        g_ptr_array_add (sorted, g_ptr_array_index (changes, i));
  for (guint i = 0; i < sorted->len; i++)
    changes->pdata[i] = sorted->pdata[i];
}

static void
add_boot_notes (KtHostPlan         *plan,
                const KtHostTuning *current)
{
  guint64 gig = 0;
  gboolean grows = FALSE;

  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);
      guint64 size, n;
      int node;

      if (!g_str_has_prefix (c->key, "hugepages.")
          || !kt_host_tuning_parse_key (c->key, &node, &size, NULL)
          || size < 1024 * 1024)
        continue;
      n = g_ascii_strtoull (c->new_value, NULL, 10);
      if (c->old_value == NULL || n > g_ascii_strtoull (c->old_value, NULL, 10))
        grows = TRUE;
    }
  if (!grows)
    return;
  for (guint i = 0; i < current->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (current->hugepages, KtHugePool, i);
      g_autofree char *key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, p->node, p->size_kib);
      guint64 n = p->total > 0 ? (guint64) p->total : 0;

      if (p->size_kib != 1024 * 1024)
        continue;
      for (guint c = 0; c < plan->changes->len; c++)
        {
          const KtHostChange *ch = g_ptr_array_index (plan->changes, c);

          if (g_str_equal (ch->key, key))
            n = g_ascii_strtoull (ch->new_value, NULL, 10);
        }
      gig += n;
    }
  {
    g_autofree char *cmdline = kt_host_boot_cmdline (1024 * 1024, gig);

    g_ptr_array_add (plan->notes,
                     g_strdup_printf (_("1 GiB pages often cannot be allocated while the host "
                                        "runs (memory is fragmented); if the allocation fails, "
                                        "reserve them at boot with the kernel command line: %s"),
                                      cmdline));
  }
}

/**
 * kt_host_control_plan:
 * @current: the host's values now (kt_host_control_read ())
 * @targets: (element-type KtHostTarget): what to set
 * @strict: a target KvmTune cannot change here is an error (KEY=VALUE
 *   from the user); otherwise it is left alone with a note (a profile)
 * @persistent: "Keep after reboot"
 *
 * Returns: (transfer full): the changes, in the order they are made;
 * values already in place are left out.  %NULL with @error naming the
 * key and the reason.
 */
KtHostPlan *
kt_host_control_plan (KtHostControl      *self,
                      const KtHostTuning *current,
                      GPtrArray          *targets,
                      gboolean            strict,
                      gboolean            persistent,
                      GError            **error)
{
  g_autoptr(KtHostPlan) plan = plan_new ();

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);
  g_return_val_if_fail (current != NULL, NULL);
  g_return_val_if_fail (targets != NULL, NULL);

  for (guint i = 0; i < targets->len; i++)
    {
      const KtHostTarget *t = g_ptr_array_index (targets, i);
      g_autofree char *old = NULL;
      g_autofree char *reason = NULL;
      KtHostChange *c;

      if (!kt_host_tuning_check_value (current, t->key, t->value, error))
        return NULL;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (((KtHostTarget *) g_ptr_array_index (targets, j))->key, t->key))
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("%s: set twice"), t->key);
            return NULL;
          }
      old = kt_host_tuning_get_value (current, t->key);
      if (g_strcmp0 (old, t->value) == 0)
        continue;
      if (!kt_host_control_can_change (self, current, t->key, &reason))
        {
          if (strict)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY, "%s: %s", t->key, reason);
              return NULL;
            }
          g_ptr_array_add (plan->notes, g_strdup_printf (_("%s is left alone: %s"),
                                                         t->key, reason));
          continue;
        }
      if (g_str_equal (t->key, "ksm.merge_across_nodes") && !self->offline
          && !is_this_machine (self))
        g_ptr_array_add (plan->notes,
                         g_strdup (_("ksm.merge_across_nodes changes only while no page is "
                                     "merged, and KvmTune cannot unmerge on a remote host: "
                                     "write 2 to /sys/kernel/mm/ksm/run there first")));
      if (old == NULL && !self->offline)
        g_ptr_array_add (plan->notes,
                         g_strdup_printf (_("%s: its value now is unknown, so Revert cannot "
                                            "restore it"), t->key));
      c = g_new0 (KtHostChange, 1);
      c->key = g_strdup (t->key);
      c->old_value = g_steal_pointer (&old);
      c->new_value = g_strdup (t->value);
      c->mechanism = mechanism_of (self, t->key);
      c->mechanism_text = mechanism_text (c->mechanism, t->key);
      c->explanation = kt_host_explain (t->key, t->value);
      g_ptr_array_add (plan->changes, c);
    }
  sort_changes (plan->changes);
  if (!self->offline)
    add_boot_notes (plan, current);
  plan->persistent = persistent && !self->offline;
  if (persistent && !self->offline && !is_this_machine (self))
    g_ptr_array_add (plan->notes, g_strdup (_("“Keep after reboot” writes drop-ins only on the "
                                              "machine KvmTune runs on: the changes last until "
                                              "the host reboots")));
  return g_steal_pointer (&plan);
}

/**
 * kt_host_control_plan_profile:
 *
 * kt_host_control_plan () of @profile's targets for this host
 * (kt_host_profile_targets ()), not strict, with the profile's notes.
 */
KtHostPlan *
kt_host_control_plan_profile (KtHostControl       *self,
                              const KtHostTuning  *current,
                              const KtHostProfile *profile,
                              gboolean             persistent,
                              GError             **error)
{
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  KtHostPlan *plan;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  targets = kt_host_profile_targets (profile, current, self->snapshot, &notes, error);
  if (targets == NULL)
    return NULL;
  plan = kt_host_control_plan (self, current, targets, FALSE, persistent, error);
  if (plan == NULL)
    return NULL;
  for (guint i = 0; i < notes->len; i++)
    g_ptr_array_insert (plan->notes, i, g_strdup (g_ptr_array_index (notes, i)));
  return plan;
}

/* Steps ------------------------------------------------------------------ */

static gboolean
set_memory_parameter (KtHostControl  *self,
                      const char     *key,
                      const char     *value,
                      GError        **error)
{
  virTypedParameter param = { 0, };
  const char *field;
  guint64 v;

  if (g_str_equal (key, "ksm.pages_to_scan"))
    field = VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN;
  else if (g_str_equal (key, "ksm.sleep_millisecs"))
    field = VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS;
  else
    field = VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES;
  v = g_ascii_strtoull (value, NULL, 10);
  g_strlcpy (param.field, field, sizeof param.field);
  param.type = VIR_TYPED_PARAM_UINT;
  param.value.ui = (unsigned int) v;
  if (virNodeSetMemoryParameters (kt_connection_get_handle (self->connection), &param, 1, 0) < 0)
    {
      kt_set_libvirt_error (error, "%s=%s: virNodeSetMemoryParameters", key, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_pages (KtHostControl  *self,
           const char     *key,
           const char     *value,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  unsigned int size;
  unsigned long long count;
  guint64 size_kib;
  gint64 total = -1;
  int node;

  kt_host_tuning_parse_key (key, &node, &size_kib, NULL);
  size = (unsigned int) size_kib;
  count = g_ascii_strtoull (value, NULL, 10);
  if (virNodeAllocPages (kt_connection_get_handle (self->connection), 1, &size, &count,
                         node, 1, VIR_NODE_ALLOC_PAGES_SET) < 0)
    kt_set_libvirt_error (&local_error, "%s=%s: virNodeAllocPages", key, value);
  /* It can allocate part of the pages and still fail, or succeed with
   * fewer: only the pool read back tells */
  if (!kt_host_probe_pool (self->connection, node, size_kib, &total, NULL,
                           local_error ? NULL : &local_error)
      && local_error == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (total != (gint64) count)
    {
      g_autofree char *got = g_strdup_printf ("%" G_GINT64_FORMAT, total);
      g_autoptr(GString) msg = g_string_new (NULL);

      g_string_printf (msg, _("%s: the host has %s of the %s pages asked for; memory may be "
                              "too fragmented"), key, total >= 0 ? got : "?", value);
      if (local_error != NULL)
        g_string_append_printf (msg, " (%s)", local_error->message);
      if (size_kib >= 1024 * 1024)
        {
          g_autofree char *cmdline = kt_host_boot_cmdline (size_kib, count);

          g_string_append_printf (msg, _(". 1 GiB pages are best reserved at boot, with the "
                                         "kernel command line: %s"), cmdline);
        }
      g_set_error_literal (error, KT_ERROR, KT_ERROR_LIBVIRT, msg->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_merge (KtHostControl      *self,
           const KtHostTuning *current,
           const char         *value,
           GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean unmerge = is_this_machine (self) && current->ksm_run >= 0 && current->ksm_run != 2
                     && knob_available (NULL);
  g_autofree char *run = g_strdup_printf ("%" G_GINT64_FORMAT, current->ksm_run);
  gboolean ok;

  /* The kernel refuses a new merge_across_nodes while pages are merged:
   * unmerge them all first (run=2), then restore run */
  if (unmerge && !knob_set ("ksm.run", "2", error))
    return FALSE;
  if (self->connection != NULL)
    ok = set_memory_parameter (self, "ksm.merge_across_nodes", value, &local_error);
  else
    ok = knob_set ("ksm.merge_across_nodes", value, &local_error);
  if (unmerge && !knob_set ("ksm.run", run, ok ? &local_error : NULL))
    ok = FALSE;
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
do_step (KtHostControl      *self,
         const KtHostTuning *current,
         const KtHostChange *change,
         const char         *value,
         GError            **error)
{
  switch (change->mechanism)
    {
    case KT_HOST_MECHANISM_TUNED:
      return kt_tuned_switch_profile (value, error);
    case KT_HOST_MECHANISM_MEMORY:
      if (g_str_equal (change->key, "ksm.merge_across_nodes"))
        return set_merge (self, current, value, error);
      return set_memory_parameter (self, change->key, value, error);
    case KT_HOST_MECHANISM_PAGES:
      return set_pages (self, change->key, value, error);
    case KT_HOST_MECHANISM_KNOB:
      if (g_str_equal (change->key, "ksm.merge_across_nodes"))
        return set_merge (self, current, value, error);
      return knob_set (change->key, value, error);
    case KT_HOST_MECHANISM_SNAPSHOT:
    default:
      g_assert_not_reached ();
    }
}

/* Revert files ----------------------------------------------------------- */

static char *
host_name_of (KtHostControl *self)
{
  if (self->connection != NULL)
    {
      char *name = virConnectGetHostname (kt_connection_get_handle (self->connection));

      if (name != NULL)
        {
          char *ret = g_strdup (name);

          free (name);
          return ret;
        }
      virResetLastError ();
    }
  if (self->offline && kt_snapshot_get_hostname (self->snapshot))
    return g_strdup (kt_snapshot_get_hostname (self->snapshot));
  return g_strdup (g_get_host_name ());
}

static char *
uri_of (KtHostControl *self)
{
  if (self->connection != NULL)
    return g_strdup (kt_connection_get_uri (self->connection));
  if (self->offline)
    return g_strconcat ("snapshot:", kt_snapshot_get_uri (self->snapshot)
                                     ? kt_snapshot_get_uri (self->snapshot) : "", NULL);
  return g_strdup ("local");
}

/**
 * kt_host_control_revert_path:
 *
 * Returns: (transfer full): where this host's previous values are kept:
 * g_get_user_state_dir ()/kvmtune/host-revert/HOST-HASH.json, HASH from
 * the host name and the URI
 */
char *
kt_host_control_revert_path (KtHostControl *self)
{
  g_autofree char *host = host_name_of (self);
  g_autofree char *uri = uri_of (self);
  g_autofree char *id = g_strdup_printf ("%s\n%s", host, uri);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  g_autofree char *file = NULL;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  g_strcanon (host, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-.", '_');
  if (strlen (host) > 64)
    host[64] = '\0';
  file = g_strdup_printf ("%s-%.16s.json", host[0] == '.' ? "host" : host, hash);
  return g_build_filename (g_get_user_state_dir (), "kvmtune", "host-revert", file, NULL);
}

typedef struct
{
  char       *text;       /* the file as it was, NULL when there was none */
  JsonObject *values;     /* key → old value */
  JsonObject *persist;    /* the drop-ins' table before, NULL: not saved */
} RevertFile;

static void
revert_file_clear (RevertFile *rf)
{
  g_clear_pointer (&rf->text, g_free);
  g_clear_pointer (&rf->values, json_object_unref);
  g_clear_pointer (&rf->persist, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RevertFile, revert_file_clear)

/* As root, a revert file drives changes made without polkit, and its
 * rewrite follows a symbolic link: it is trusted only when no other user
 * could have written or swapped it, i.e. the file and every folder above
 * it (symbolic links resolved) belong to root and only root can write
 * them (a sticky folder such as /tmp is fine above an existing folder of
 * root's, where root creates nothing).  A state folder from a user's
 * environment (sudo -E) is refused. */
static gboolean
check_one_trusted (const char  *revert_path,
                   const char  *path,
                   gboolean     sticky_ok,
                   GError     **error)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  if (st.st_uid != geteuid ()
      || (!S_ISLNK (st.st_mode) && !(sticky_ok && S_ISDIR (st.st_mode) && (st.st_mode & S_ISVTX))
          && ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0))))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY,
                   _("%s: not used as root, because %s belongs to another user or others "
                     "can write it; run KvmTune as root with root's own environment "
                     "(not sudo -E), or set XDG_STATE_HOME to a folder of root's"),
                   revert_path, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
revert_path_trusted (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *real = NULL;

  if (geteuid () != 0)
    return TRUE;   /* a user's file only drives calls polkit checks */
  if (!check_one_trusted (path, path, FALSE, error))
    return FALSE;
  dir = g_path_get_dirname (path);
  while (!g_file_test (dir, G_FILE_TEST_EXISTS) && strcmp (dir, "/") != 0 && strcmp (dir, ".") != 0)
    {
      char *up = g_path_get_dirname (dir);

      g_free (dir);
      dir = up;
    }
  real = realpath (dir, NULL);
  if (real == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  for (gboolean first = TRUE;; first = FALSE)
    {
      char *up;

      /* Root creates what is missing in the first one */
      if (!check_one_trusted (path, real, !first, error))
        return FALSE;
      if (strcmp (real, "/") == 0)
        return TRUE;
      up = g_path_get_dirname (real);
      g_free (real);
      real = up;
    }
}

static gboolean
revert_file_load (const char  *path,
                  RevertFile  *rf,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;
  gsize len;

  if (!revert_path_trusted (path, error))
    return FALSE;
  if (!kt_file_read (path, MAX_REVERT_SIZE, &rf->text, &len, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          || !g_file_test (path, G_FILE_TEST_EXISTS))
        {
          rf->values = json_object_new ();
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, rf->text, len, &local_error)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member ((obj = json_node_get_object (root)), "values")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "values")))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: not a KvmTune revert file (%s); move it away to start afresh"), path,
                   local_error ? local_error->message : _("no “values” object"));
      return FALSE;
    }
  rf->values = json_object_ref (json_object_get_object_member (obj, "values"));
  if (json_object_has_member (obj, "persist")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "persist")))
    rf->persist = json_object_ref (json_object_get_object_member (obj, "persist"));
  return TRUE;
}

static gboolean
revert_file_save (KtHostControl *self,
                  const char    *path,
                  RevertFile    *rf,
                  GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *host = host_name_of (self);
  g_autofree char *uri = uri_of (self);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, host);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, uri);
  json_builder_set_member_name (b, "saved");
  json_builder_add_string_value (b, stamp);
  json_builder_set_member_name (b, "values");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), rf->values));
  if (rf->persist != NULL)
    {
      json_builder_set_member_name (b, "persist");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), rf->persist));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return kt_file_write (path, text, strlen (text), KT_FILE_WRITE_PRIVATE, NULL, NULL, error);
}

/* Puts the revert file back as it was before a failed apply */
static void
revert_file_restore (const char *path,
                     RevertFile *before)
{
  if (before->text == NULL)
    g_unlink (path);
  else
    kt_file_write (path, before->text, strlen (before->text), KT_FILE_WRITE_PRIVATE,
                   NULL, NULL, NULL);
}

gboolean
kt_host_control_has_revert (KtHostControl *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);

  path = kt_host_control_revert_path (self);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* Persistence ------------------------------------------------------------ */

static GHashTable *
table_of (JsonObject *obj)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (obj, l->data);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_hash_table_insert (t, g_strdup (l->data), g_strdup (json_node_get_string (n)));
    }
  return t;
}

static JsonObject *
object_of (GHashTable *table)
{
  JsonObject *obj = json_object_new ();
  GHashTableIter iter;
  gpointer k, v;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &k, &v))
    json_object_set_string_member (obj, k, v);
  return obj;
}

static gboolean
persist_table (GHashTable  *table,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (g_hash_table_size (table) == 0)
    ok = kt_host_knobs_unpersist (NULL, &local_error);
  else
    ok = kt_host_knobs_persist (table, NULL, &local_error);
  if (!ok)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Apply ------------------------------------------------------------------ */

static gboolean
apply_offline (KtHostControl     *self,
               const KtHostPlan  *plan,
               GError           **error)
{
  KtHostTuning *old = kt_snapshot_get_host_tuning (self->snapshot);
  g_autoptr(KtHostTuning) t = old ? kt_host_tuning_copy (old) : kt_host_tuning_new ();

  for (guint i = 0; i < plan->changes->len; i++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);

      if (!kt_host_tuning_set_value (t, c->key, c->new_value, error))
        return FALSE;
    }
  kt_snapshot_set_host_tuning (self->snapshot, g_steal_pointer (&t));
  return TRUE;
}

/**
 * kt_host_control_apply:
 *
 * Makes every change of @plan, in order, or none: see the file's comment.
 * Offline, the snapshot's values change (save the snapshot to keep them).
 */
gboolean
kt_host_control_apply (KtHostControl     *self,
                       const KtHostPlan  *plan,
                       GError           **error)
{
  g_autoptr(GError) failure = NULL;
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(GHashTable) persist = NULL;
  g_autofree char *path = NULL;
  g_auto(RevertFile) before = { 0, };
  g_auto(RevertFile) after = { 0, };
  g_autoptr(GString) undo_failures = g_string_new (NULL);
  guint done = 0;
  gboolean failed_step_counts = FALSE;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  if (self->offline)
    return apply_offline (self, plan, error);
  if (plan->changes->len == 0 && !plan->persistent)
    return TRUE;

  /* The values now, for undoing and for the unmerge around
   * merge_across_nodes: what the plan calls old may be stale */
  current = kt_host_probe (self->connection, error);
  if (current == NULL)
    return FALSE;

  /* Save the previous values before the first change */
  path = kt_host_control_revert_path (self);
  if (!plan->revert)
    {
      if (!revert_file_load (path, &before, error) || !revert_file_load (path, &after, error))
        return FALSE;
      for (guint i = 0; i < plan->changes->len; i++)
        {
          const KtHostChange *c = g_ptr_array_index (plan->changes, i);
          g_autofree char *now = kt_host_tuning_get_value (current, c->key);

          if (now != NULL && !json_object_has_member (after.values, c->key))
            json_object_set_string_member (after.values, c->key, now);
        }
      if (plan->persistent && is_this_machine (self) && after.persist == NULL)
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(GHashTable) existing = persist_read (&local_error);

          if (existing == NULL)
            {
              g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"),
                           local_error->message);
              return FALSE;
            }
          after.persist = object_of (existing);
        }
      if (!revert_file_save (self, path, &after, error))
        return FALSE;
    }

  for (done = 0; done < plan->changes->len; done++)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, done);

      if (!do_step (self, current, c, c->new_value, &failure))
        {
          /* A pool may be left half-allocated: put it back too */
          failed_step_counts = c->mechanism == KT_HOST_MECHANISM_PAGES
                               || (c->mechanism == KT_HOST_MECHANISM_KNOB
                                   && g_str_has_prefix (c->key, "hugepages."));
          break;
        }
    }

  if (failure == NULL && plan->persistent && is_this_machine (self))
    {
      g_autoptr(GError) local_error = NULL;

      persist = persist_read (&local_error);
      if (persist == NULL)
        g_set_error (&failure, KT_ERROR, KT_ERROR_IO, _("Keep after reboot: %s"),
                     local_error->message);
      else
        {
          for (guint i = 0; i < plan->changes->len; i++)
            {
              const KtHostChange *c = g_ptr_array_index (plan->changes, i);

              if (c->mechanism != KT_HOST_MECHANISM_TUNED)
                g_hash_table_replace (persist, g_strdup (c->key), g_strdup (c->new_value));
            }
          persist_table (persist, &failure);
        }
    }

  if (failure == NULL)
    return TRUE;

  /* Put back what was done, newest first */
  for (guint i = done + (failed_step_counts ? 1 : 0); i-- > 0;)
    {
      const KtHostChange *c = g_ptr_array_index (plan->changes, i);
      g_autofree char *old = kt_host_tuning_get_value (current, c->key);
      g_autoptr(GError) undo_error = NULL;

      if (old == NULL)
        {
          g_string_append_printf (undo_failures, "\n  %s: %s", c->key,
                                  _("its previous value is unknown"));
          continue;
        }
      if (i == done)
        {
          /* The failed step: only when it left the pool changed */
          int node;
          guint64 size_kib;
          gint64 total = -1;

          kt_host_tuning_parse_key (c->key, &node, &size_kib, NULL);
          if (kt_host_probe_pool (c->mechanism == KT_HOST_MECHANISM_PAGES ? self->connection : NULL,
                                  node, size_kib, &total, NULL, NULL)
              && total == g_ascii_strtoll (old, NULL, 10))
            continue;
        }
      if (!do_step (self, current, c, old, &undo_error))
        g_string_append_printf (undo_failures, "\n  %s", undo_error->message);
    }
  if (!plan->revert)
    revert_file_restore (path, &before);
  if (undo_failures->len > 0)
    g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                 _("%s\nNot everything could be put back; these are left changed:%s"),
                 failure->message, undo_failures->str);
  else
    g_set_error (error, failure->domain, failure->code,
                 _("%s\nNothing was changed: the earlier steps were put back."),
                 failure->message);
  return FALSE;
}

/* Revert ----------------------------------------------------------------- */

/**
 * kt_host_control_revert_plan:
 *
 * Returns: (transfer full): the plan that restores the values saved
 * before the first change; %NULL with %KT_ERROR_NOT_FOUND when there is
 * nothing to revert
 */
KtHostPlan *
kt_host_control_revert_plan (KtHostControl      *self,
                             const KtHostTuning *current,
                             GError            **error)
{
  g_autofree char *path = NULL;
  g_auto(RevertFile) rf = { 0, };
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autoptr(GList) members = NULL;
  KtHostPlan *plan;

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), NULL);

  path = kt_host_control_revert_path (self);
  if (!revert_file_load (path, &rf, error))
    return NULL;
  if (rf.text == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                   _("Nothing to revert: KvmTune has changed nothing on this host"));
      return NULL;
    }
  members = json_object_get_members (rf.values);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (rf.values, l->data);
      KtHostTarget *t;

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        continue;
      t = g_new0 (KtHostTarget, 1);
      t->key = g_strdup (l->data);
      t->value = g_strdup (json_node_get_string (n));
      g_ptr_array_add (targets, t);
    }
  plan = kt_host_control_plan (self, current, targets, TRUE, FALSE, error);
  if (plan == NULL)
    {
      g_prefix_error (error, _("Cannot revert (%s): "), path);
      return NULL;
    }
  plan->revert = TRUE;
  return plan;
}

/**
 * kt_host_control_revert:
 *
 * Restores the values saved before KvmTune's first change on this host,
 * all or nothing, puts the persistence drop-ins back as they were
 * (removes them when there were none), then forgets the saved values.
 */
gboolean
kt_host_control_revert (KtHostControl  *self,
                        GError        **error)
{
  g_autoptr(KtHostTuning) current = NULL;
  g_autoptr(KtHostPlan) plan = NULL;
  g_autofree char *path = NULL;
  g_auto(RevertFile) rf = { 0, };

  g_return_val_if_fail (KT_IS_HOST_CONTROL (self), FALSE);

  path = kt_host_control_revert_path (self);
  if (!revert_file_load (path, &rf, error))
    return FALSE;
  if ((current = kt_host_control_read (self, error)) == NULL
      || (plan = kt_host_control_revert_plan (self, current, error)) == NULL)
    return FALSE;
  if (!kt_host_control_apply (self, plan, error))
    return FALSE;
  /* The values are back: now the drop-ins as they were before */
  if (rf.persist != NULL && is_this_machine (self))
    {
      g_autoptr(GHashTable) table = table_of (rf.persist);

      if (!persist_table (table, error))
        {
          g_prefix_error (error, _("The values are back, but not the drop-ins: "));
          return FALSE;
        }
    }
  g_unlink (path);
  return TRUE;
}


/* Async ------------------------------------------------------------------ */

static void
apply_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok = data ? kt_host_control_apply (source, data, &error)
                     : kt_host_control_revert (source, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * kt_host_control_apply_async:
 * @plan: (nullable): the plan; %NULL reverts (kt_host_control_revert ())
 *
 * kt_host_control_apply () in a worker thread, for the window: tuned,
 * libvirt and the helper (which may wait for a polkit password) block.
 */
void
kt_host_control_apply_async (KtHostControl       *self,
                             const KtHostPlan    *plan,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_HOST_CONTROL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_host_control_apply_async);
  if (plan != NULL)
    g_task_set_task_data (task, kt_host_plan_copy (plan), (GDestroyNotify) kt_host_plan_free);
  g_task_run_in_thread (task, apply_thread);
}

gboolean
kt_host_control_apply_finish (KtHostControl  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
