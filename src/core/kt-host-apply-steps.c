/* kt-host-apply-steps.c: the steps of a host plan, one per mechanism
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>

#include "kt-error.h"
#include "kt-host-apply-private.h"
#include "kt-host-helper-client.h"
#include "kt-host-knobs.h"
#include "kt-host-probe.h"
#include "kt-tuned.h"

/* The knobs: directly as root, through kvmtune-helper otherwise (which
 * says itself when it is not installed or polkit refuses) */
gboolean
kt_host_apply_knob_available (char **reason)
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
  gboolean unmerge = kt_host_apply_is_this_machine (self)
                     && current->ksm_run >= 0 && current->ksm_run != 2
                     && kt_host_apply_knob_available (NULL);
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

gboolean
kt_host_apply_do_step (KtHostControl      *self,
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
