/* kt-session-pending.c: what is pending on a session, counted, described
 * and previewed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-session-private.h"

/* What is pending -------------------------------------------------------- */

guint
kt_session_get_n_pending (KtSession *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n;

  g_return_val_if_fail (KT_IS_SESSION (self), 0);

  n = kt_plan_get_n_pending (self->plan);
  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += kt_edits_count (value);
  return n + kt_session_priv_host_n_pending (self);
}

guint
kt_session_get_n_pending_vm (KtSession  *self,
                             const char *name)
{
  g_autoptr(KtTuning) t = NULL;
  guint n;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_SESSION (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  n = kt_edits_count (g_hash_table_lookup (self->edits, name));
  vm = kt_snapshot_lookup_vm (self->snapshot, name);
  if (vm == NULL)
    return n;
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint v = 0; v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, vm, v))
      n++;
  return n;
}

gboolean
kt_session_has_changes (KtSession  *self,
                        const char *name)
{
  return kt_session_get_n_pending_vm (self, name) > 0;
}

/**
 * kt_session_dup_pending_title:
 *
 * Returns: (transfer full) (nullable): "web1: 3 pending changes", or
 * %NULL when nothing is pending on the VM
 */
char *
kt_session_dup_pending_title (KtSession  *self,
                              const char *name)
{
  guint n = kt_session_get_n_pending_vm (self, name);

  if (n == 0)
    return NULL;
  /* Translators: %s is a VM name, %u how many changes */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u pending change",
                                       "%s: %u pending changes", n), name, n);
}

/**
 * kt_session_describe_pending:
 *
 * Returns: (transfer full) (element-type utf8): one line per pending
 * change of the VM, empty when none
 */
GPtrArray *
kt_session_describe_pending (KtSession  *self,
                             const char *name)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(KtTuning) t = NULL;
  KtVm *vm;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  vm = kt_snapshot_lookup_vm (self->snapshot, name);
  if (vm != NULL)
    t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  lines = g_ptr_array_new_with_free_func (g_free);
  for (guint v = 0; t != NULL && v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, vm, v))
      {
        const KtCpuset *now = kt_tuning_get_vcpupin (t, v);
        const KtCpuset *was = kt_plan_get_original (self->plan, vm, v);
        g_autofree char *now_text = now != NULL ? kt_cpuset_format (now) : NULL;
        g_autofree char *was_text = was != NULL ? kt_cpuset_format (was) : NULL;

        /* Translators: a vCPU's pending pin and the one it had; "any": not pinned */
        g_ptr_array_add (lines, g_strdup_printf (_("vCPU %u: %s, was %s"), v,
                                                 now_text ? now_text : _("any"),
                                                 was_text ? was_text : _("any")));
      }
  {
    g_autoptr(GPtrArray) edits = kt_edits_describe (g_hash_table_lookup (self->edits, name));

    for (guint i = 0; i < edits->len; i++)
      g_ptr_array_add (lines, g_strdup (g_ptr_array_index (edits, i)));
  }
  return g_steal_pointer (&lines);
}

/**
 * kt_session_preview:
 *
 * Returns: (transfer full): a copy of @domain with the VM's pending edits
 * made, or %NULL with @error set when they do not fit it
 */
KtDomain *
kt_session_preview (KtSession   *self,
                    const char  *name,
                    KtDomain    *domain,
                    GError     **error)
{
  g_autoptr(KtDomain) copy = NULL;

  g_return_val_if_fail (KT_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (KT_IS_DOMAIN (domain), NULL);

  copy = kt_domain_copy (domain);
  if (!kt_edits_replay (g_hash_table_lookup (self->edits, name), copy, error))
    return NULL;
  return g_steal_pointer (&copy);
}
