/* kt-host-apply-plan.c: planning host tuning: what can change, how, in which order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-host-apply-private.h"
#include "kt-host-helper-client.h"
#include "kt-host-knobs.h"
#include "kt-host-probe.h"

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
      if (!kt_host_apply_is_this_machine (self))
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
      if (!kt_host_apply_is_this_machine (self))
        {
          if (reason)
            *reason = g_strdup (_("libvirt has no API for it: KvmTune changes it only on "
                                  "the machine it runs on"));
          return FALSE;
        }
      return kt_host_apply_knob_available (reason);
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
          && !kt_host_apply_is_this_machine (self))
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
  if (persistent && !self->offline && !kt_host_apply_is_this_machine (self))
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
