/* kt-observed.c: where a running VM's vCPUs actually ran
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>

#include "kt-error.h"
#include "kt-observed.h"

static KtObservedState
state_from_libvirt (int state)
{
  switch (state)
    {
    case VIR_VCPU_RUNNING: return KT_OBSERVED_RUNNING;
    case VIR_VCPU_BLOCKED: return KT_OBSERVED_BLOCKED;
    case VIR_VCPU_OFFLINE:
    default: return KT_OBSERVED_OFFLINE;
    }
}

/**
 * kt_observed_query:
 * @name: a running domain
 *
 * Returns: (transfer full) (element-type KtObservedVcpu): one entry per
 * vCPU the domain has now, in vCPU order; %NULL with @error set when the
 * domain is gone, does not run, or the driver cannot tell
 */
GArray *
kt_observed_query (KtConnection  *conn,
                   const char    *name,
                   GError       **error)
{
  g_autofree virVcpuInfoPtr info = NULL;
  virDomainInfo dominfo;
  virDomainPtr dom;
  GArray *ret;
  int n;

  g_return_val_if_fail (KT_IS_CONNECTION (conn), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  dom = virDomainLookupByName (kt_connection_get_handle (conn), name);
  if (dom == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot look up “%s”"), name);
      return NULL;
    }
  if (virDomainGetInfo (dom, &dominfo) < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the state of “%s”"), name);
      virDomainFree (dom);
      return NULL;
    }
  info = g_new0 (virVcpuInfo, MAX (dominfo.nrVirtCpu, 1));
  n = virDomainGetVcpus (dom, info, (int) MAX (dominfo.nrVirtCpu, 1), NULL, 0);
  virDomainFree (dom);
  if (n < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read where the vCPUs of “%s” run"), name);
      return NULL;
    }

  ret = g_array_sized_new (FALSE, FALSE, sizeof (KtObservedVcpu), n);
  for (int i = 0; i < n; i++)
    {
      KtObservedVcpu v = { info[i].number, info[i].cpu, state_from_libvirt (info[i].state) };

      g_array_append_val (ret, v);
    }
  return ret;
}

/**
 * kt_observed_query_all:
 * @names: (array zero-terminated=1): running domains
 *
 * Queries each of @names; those that cannot be queried (stopped or gone
 * meanwhile) are left out.
 *
 * Returns: (transfer full) (element-type utf8 GArray): name → the
 * #KtObservedVcpu array of kt_observed_query()
 */
GHashTable *
kt_observed_query_all (KtConnection       *conn,
                       const char * const *names)
{
  GHashTable *ret = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_array_unref);

  g_return_val_if_fail (KT_IS_CONNECTION (conn), ret);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      GArray *vcpus = kt_observed_query (conn, names[i], &error);

      if (vcpus == NULL)
        g_debug ("%s", error->message);
      else
        g_hash_table_insert (ret, g_strdup (names[i]), vcpus);
    }
  return ret;
}
